// Pictures of results (issue 13): the report document (docs/REPORTS.md; Python's
// quant_backtest.report writes the same one for the same run) and the standalone HTML report:
// lightweight-charts, the chart component (report/charts.js, the demo page's) and the
// document inlined in report/report.html, so the file opens from disk with no server and no
// network. The texts come from report/assets.js, which scripts/build-wasm.sh writes from the
// Python package's report/ folder: one copy of each in the repository.
import * as core from './core.js';
import * as ta from './indicators.js';
import { BacktestError, BacktestResult, MarketData, PortfolioResult, StrategyResult, Universe, WalkForwardResult, camelCase, describeValue, formatFloat, names, rawExports, sourceOf, strategyValue } from './core.js';
import { CHARTS, LIGHTWEIGHT_CHARTS, TEMPLATE } from './report/assets.js';
import { PORTFOLIO_TRADE_KEYS, TRADE_KEYS } from './walk.js';

export const FORMAT = 'quant-backtest-report';
export const VERSION = 1;

/** camelCase -> snake_case. @param {string} key */
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** JSON values: typed arrays as arrays, NaN and infinities as null. @param {unknown} v @returns {any} */
function plainValue(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v)) return Array.from(/** @type {any} */ (v), plainValue);
  if (Array.isArray(v)) return v.map(plainValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x)]));
  return v;
}

/** An object's keys in snake_case (one level). @param {Record<string, unknown>} o */
const snakeKeys = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]));

/** @param {any} md MarketData */
const barsOf = (md) => ({ symbol: md.symbol, dates: [...md.dates], open: Array.from(md.open), high: Array.from(md.high), low: Array.from(md.low), close: Array.from(md.close) });

/** @param {any} u Universe */
const assetsOf = (u) => Array.from(u, (/** @type {any} */ a) => ({ symbol: a.symbol, dates: [...a.dates], close: Array.from(a.close) }));

/** The run part of a document (params, metrics in the catalog's order, equity, trades; a portfolio's columns). @param {any} r */
function runOf(r) {
  const keys = (/** @type {any} */ t) => ('symbol' in t ? PORTFOLIO_TRADE_KEYS : TRADE_KEYS);
  // The seed API's results have its eight metrics, and trades without a side or an exit
  // reason: null and the seed's long / signal, as Python's BacktestResult and Trade say.
  const seed = { direction: 'long', exitReason: 'signal' };
  const run = {
    params: { ...(r.params ?? {}) },
    metrics: Object.fromEntries(names().metrics.map((/** @type {any} */ m) => [m.name, r[m.key] ?? null])),
    equity_curve: r.equityCurve,
    trades: r.trades.map((/** @type {any} */ t) => Object.fromEntries(keys(t).map((k) => [k, t[camelCase(k)] ?? /** @type {any} */ (seed)[camelCase(k)]]))),
  };
  if (r instanceof PortfolioResult) {
    const p = /** @type {any} */ (r);
    Object.assign(run, { dates: [...p.dates], symbols: Object.keys(p.positionValues), cash: p.cash, position_values: { ...p.positionValues }, assets: p.assets.map(snakeKeys) });
  }
  return run;
}

// Indicators drawn over the prices (the others go to the oscillator pane), and the columns an
// indicator's source may name for the report to draw it.
const PRICE_PANE = ['sma', 'ema', 'wma', 'highest', 'lowest', 'bbands'];
const PRICES = ['open', 'high', 'low', 'close'];
const NO_SOURCE = 'atr'; // reads high, low and close
const OUTPUTS = /** @type {Record<string, string[]>} */ ({ macd: ['macd', 'signal', 'hist'], bbands: ['upper', 'middle', 'lower'] });

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `value` with every placeholder replaced by its param (null where one is missing). @param {any} value @param {Record<string, any>} params @returns {any} */
function bound(value, params) {
  if (Array.isArray(value)) {
    const items = value.map((v) => bound(v, params));
    return items.includes(null) ? null : items;
  }
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'param') return params[value.param] ?? null;
  const out = Object.fromEntries(keys.map((k) => [k, bound(value[k], params)]));
  return Object.values(out).includes(null) ? null : out;
}

/** The strategy's indicator nodes, depth first, in the order of its keys. @param {any} value @param {any[]} out */
function indicatorNodes(value, out) {
  if (Array.isArray(value)) for (const v of value) indicatorNodes(v, out);
  else if (isObject(value)) {
    if ('indicator' in value) out.push(value);
    for (const [k, v] of Object.entries(value)) if (k !== 'settings' && k !== 'constraint') indicatorNodes(v, out);
  }
  return out;
}

/** One indicator of the strategy on the bars, or null where its source is not a price. @param {Record<string, any>} node @param {Record<string, any>} bars */
function overlay(node, bars) {
  const name = node.indicator;
  const source = node.source ?? 'close';
  if (name !== NO_SOURCE && !PRICES.includes(source)) return null;
  const named = Object.entries(node).filter(([k]) => !['indicator', 'source', 'output'].includes(k));
  const args = named.map(([, v]) => v);
  // The band width k is a float (2.0, as Python writes it); the periods are integers.
  let label = `${name}(${named.map(([k, v]) => (k === 'k' ? formatFloat(v) : String(v))).join(', ')}`;
  label += source === 'close' || name === NO_SOURCE ? ')' : `, ${source})`;
  /** @type {any} */
  let values = name === NO_SOURCE ? ta.atr(bars.high, bars.low, bars.close, ...args) : /** @type {any} */ (ta)[name](bars[source], ...args);
  if (name in OUTPUTS) {
    const output = node.output ?? OUTPUTS[name][0];
    values = values[output];
    label += `.${output}`;
  }
  return { name: label, pane: PRICE_PANE.includes(name) ? 'price' : 'oscillator', values: Array.from(values) };
}

/** The strategy's indicators with `params` bound, each once, drawn on the bars. @param {any} strategy @param {Record<string, any>} params @param {any} bars */
function overlaysOf(strategy, params, bars) {
  if (!isObject(strategy) || bars === null) return [];
  const out = [];
  const seen = new Set();
  for (const node of indicatorNodes(strategy, [])) {
    const b = bound(node, params);
    const key = JSON.stringify(b);
    if (b === null || seen.has(key)) continue;
    seen.add(key);
    const o = overlay(b, bars);
    if (o !== null) out.push(o);
  }
  return out;
}

/** @param {unknown} result */
function kindOf(result) {
  if (result instanceof WalkForwardResult) return 'walk_forward';
  if (result instanceof PortfolioResult) return 'portfolio';
  if (result instanceof StrategyResult || result instanceof BacktestResult) return 'backtest';
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) return 'sweep';
  throw new BacktestError(`result must be a backtest, portfolio or walk-forward result or a sweep's columns, got ${describeValue(result)}`, 'invalid_parameter');
}

/** A sweep's part: the params' and metrics' columns (snake_case metric names), the metric drawn, the best's params. @param {Record<string, ArrayLike<number>>} columns @param {string} maximize @param {any} best */
function sweepOf(columns, maximize, best) {
  const metricNames = names().metrics.map((/** @type {any} */ m) => m.name);
  const byKey = new Map(names().metrics.map((/** @type {any} */ m) => [m.key, m.name]));
  /** @type {Record<string, any>} */
  const cols = {};
  /** @type {string[]} */
  const paramNames = [];
  for (const [k, v] of Object.entries(columns)) {
    const metric = byKey.get(k);
    cols[metric ?? k] = Array.from(v);
    if (metric === undefined) paramNames.push(k);
  }
  // camelCase as the package's metrics (optimize's maximize), or the catalog's snake_case name.
  const metric = metricNames.includes(maximize) ? maximize : byKey.get(maximize);
  if (metric === undefined || !(metric in cols)) {
    const near = rawExports().nearestName(String(maximize), names().metricKeys);
    throw new BacktestError(`unknown metric '${String(maximize)}'; did you mean '${near}'?`, 'invalid_parameter');
  }
  return { names: paramNames, columns: cols, maximize: metric, best_params: best ? { ...best.params } : {} };
}

/**
 * @typedef {{ data?: any, strategy?: unknown, title?: string, maximize?: string, best?: any }} ReportOptions
 */

/**
 * The report document of a result: a StrategyResult, PortfolioResult, WalkForwardResult, or a
 * sweep's columns (`engine.sweep`'s; `maximize` colors the heatmap, `best`, a result such as
 * `engine.optimize`'s, is drawn as its best run). `data`: the MarketData or Universe it ran
 * on, and `strategy`, shown as JSON (default: those the engine ran it on, unless the call made
 * its MarketData from columns or rows).
 * @param {unknown} result @param {ReportOptions} [options]
 */
export function reportDocument(result, options = {}) {
  const { title, maximize = 'sharpeRatio', best = null } = options;
  const kind = kindOf(result);
  // The data and strategy the run was made on, unless given.
  const source = kind === 'sweep' ? (best ? sourceOf(best) : { data: null, strategy: null }) : sourceOf(/** @type {object} */ (result));
  const data = options.data ?? source.data;
  const strategy = options.strategy ?? source.strategy;
  const what = kind.replace('_', '-'); // walk_forward: walk-forward
  const name = data instanceof Universe ? data.symbols.join(', ') : data instanceof MarketData ? data.symbol : null;
  /** @type {Record<string, any>} */
  const doc = {
    format: FORMAT,
    version: VERSION,
    kind,
    title: title ?? (name === null ? what : `${name}: ${what}`),
    generator: `quant-backtest ${core.version} (JS)`,
    strategy: strategy === null ? null : strategyValue(strategy),
    bars: data instanceof MarketData ? barsOf(data) : null,
    assets: data instanceof Universe ? assetsOf(data) : null,
  };
  if (data !== null && !(data instanceof MarketData) && !(data instanceof Universe)) {
    throw new BacktestError(`data must be MarketData or a Universe, got ${describeValue(data)}`, 'invalid_market_data');
  }
  if (kind === 'sweep') {
    doc.sweep = sweepOf(/** @type {any} */ (result), maximize, best);
    doc.run = best ? runOf(best) : null;
  } else {
    doc.run = runOf(result);
  }
  // A walk-forward's params change by window, a portfolio has no one price chart.
  const drawn = doc.run !== null && (kind === 'backtest' || kind === 'sweep');
  doc.overlays = drawn ? overlaysOf(doc.strategy, doc.run.params, doc.bars) : [];
  if (kind === 'walk_forward') {
    const w = /** @type {any} */ (result).toJSON();
    doc.walk = Object.fromEntries(['windows', 'equity_index', 'names', 'combinations', 'train', 'test', 'step', 'anchored', 'maximize'].map((k) => [k, w[k]]));
  }
  return plainValue(doc);
}

/** The document as <script> text: `<` escaped, so no text in it can close the element. @param {any} doc */
const documentText = (doc) => JSON.stringify(doc).replace(/</g, '\\u003c');

/** @param {string} s */
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]);

/** The report's HTML from its document. @param {any} doc @returns {string} */
export function reportHtml(doc) {
  /** @type {Record<string, string>} */
  const parts = { title: escapeHtml(doc.title), lightweight_charts: LIGHTWEIGHT_CHARTS, charts: CHARTS, document: documentText(doc) };
  return TEMPLATE.replace(/\{\{(\w+)\}\}/g, (_, k) => parts[k]);
}

/**
 * The standalone HTML report of a result (options as for reportDocument).
 * @param {unknown} result @param {ReportOptions} [options] @returns {string}
 */
export function report(result, options) {
  return reportHtml(reportDocument(result, options));
}
