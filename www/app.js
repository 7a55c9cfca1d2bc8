// The quant-backtest demo page, a strategy workbench: sample or CSV data, a preset, rules of the
// rule builder or JSON, run by the engine (engine.runBacktest: stops, sizing, fees, long/short)
// and charted with lightweight-charts (indicator overlays, an oscillator pane, trade markers by
// side and exit reason), and a sweep over two named numbers of the rules (engine.sweep) drawn
// as a heatmap on a canvas. The engine (quant-backtest's browser entry) runs sweeps in its own
// Web Worker: this thread only draws.
import init, { BacktestError, MarketData, RustEngine, generateSampleData, indicators } from 'quant-backtest';
import { camelCase, catalog } from './catalog.js';
import { PRESETS, bind, sideTrees } from './presets.js';
import { createRuleBuilder, fromWire, namedValues, setNamed, sidesFor } from './rule-builder.js';
import { documentText, showSettings, splitDocument, strategyDocument } from './strategy-form.js';
import { createPortfolioMode } from './portfolio.js';
import { createReplay } from './replay.js';
import { createWalkForward } from './walk-forward.js';
import {
  HEATMAP_MARGIN as M,
  bestRow,
  chartTimes,
  createOverlays,
  createRunCharts,
  drawHeatmap as paintHeatmap,
  eventMarker,
  fitBars,
  formatMetric,
  holdCurve,
  heatmapCellAt,
  int,
  linkScrolling,
  makeChart,
  markerCounts,
  metricLabel,
  metricScale,
  money,
  ms,
  pct,
  pct100,
  price,
  ratio,
} from 'quant-backtest/charts';
import { statRows } from './stat-rows.js';
import { acceptDrops } from './drop-zone.js';

const LWC = /** @type {any} */ (globalThis).LightweightCharts;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** @param {string} id @returns {any} */
const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
};

/** @param {'loading' | 'ready' | 'running' | 'done' | 'error'} state */
function setState(state) {
  document.body.dataset.state = state;
}

/** How the heatmap shows a metric: label, formatter, and how it is colored (the others: from the catalog). */
const METRICS = /** @type {Record<string, { label: string, fmt: (x: number) => string, scale: 'diverging' | 'worse' | 'count' }>} */ ({
  sharpeRatio: { label: 'Sharpe ratio', fmt: ratio, scale: 'diverging' },
  sortinoRatio: { label: 'Sortino ratio', fmt: ratio, scale: 'diverging' },
  totalReturn: { label: 'Total return', fmt: pct, scale: 'diverging' },
  annualizedReturn: { label: 'Annualized return', fmt: pct, scale: 'diverging' },
  volatility: { label: 'Volatility', fmt: pct, scale: 'worse' },
  maxDrawdown: { label: 'Max drawdown', fmt: pct, scale: 'worse' },
  tradeCount: { label: 'Trades', fmt: int, scale: 'count' },
  winRate: { label: 'Win rate', fmt: pct100, scale: 'count' },
});

/** Fills the metric select with every metric of the catalog (camelCase, the sweep's columns). */
function fillMetrics() {
  const select = /** @type {HTMLSelectElement} */ ($('metric'));
  for (const m of catalog().metrics) {
    const key = camelCase(m.name);
    METRICS[key] ??= { label: metricLabel(m.name), fmt: (x) => formatMetric(m.name, x), scale: metricScale(m.name) };
    select.append(Object.assign(document.createElement('option'), { value: key, textContent: METRICS[key].label, title: m.description }));
  }
  select.value = 'sharpeRatio';
  // The walk-forward's choice of metric: snake_case, the catalog's names.
  const best = /** @type {HTMLSelectElement} */ ($('walk-maximize'));
  for (const m of catalog().metrics) best.append(Object.assign(document.createElement('option'), { value: m.name, textContent: metricLabel(m.name), title: m.description }));
  best.value = 'sharpe_ratio';
}

/** @param {unknown} e @returns {string} */
function messageOf(e) {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** Whether an error is the engine's own (a refused input, not a failure). @param {unknown} e */
const isEngineError = (e) => e instanceof BacktestError || (e instanceof Error && e.name === 'BacktestError');

/** @param {unknown} e */
const isAbort = (e) => e instanceof Error && e.name === 'AbortError';

// ---------------------------------------------------------------------------------------------
// The error box (never an alert)

const errorBox = $('error');

/** @param {string} title @param {unknown} e @param {string} [hint] */
function showError(title, e, hint) {
  $('error-title').textContent = `${title}:`;
  let text = messageOf(e);
  if (hint) text += ` ${hint}`;
  $('error-message').textContent = text;
  errorBox.hidden = false;
  errorBox.dataset.kind = isEngineError(e) ? 'validation' : 'failure';
  setState('error');
}

function clearError() {
  errorBox.hidden = true;
  $('error-message').textContent = '';
}
$('error-close').addEventListener('click', clearError);

// ---------------------------------------------------------------------------------------------
// Reading the forms

/** @param {string} id @param {string} name @param {{ integer?: boolean, min?: number, max?: number }} [o] */
function numberInput(id, name, o = {}) {
  const el = /** @type {HTMLInputElement} */ ($(id));
  const raw = el.value.trim();
  const v = Number(raw);
  const bad = (/** @type {string} */ why) => {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
    return new BacktestError(`${name} ${why}, got '${raw}'`);
  };
  if (raw === '' || !Number.isFinite(v)) throw bad('must be a number');
  if (o.integer && !Number.isInteger(v)) throw bad('must be an integer');
  if (o.min !== undefined && v < o.min) throw bad(`must be >= ${o.min}`);
  if (o.max !== undefined && v > o.max) throw bad(`must be <= ${o.max}`);
  el.removeAttribute('aria-invalid');
  return v;
}

function backtestSettings() {
  return {
    initialCapital: numberInput('capital', 'Capital', { min: Number.MIN_VALUE }),
    commissionRate: numberInput('commission', 'Commission', { min: 0, max: 100 }) / 100,
    fill: /** @type {'next_open' | 'close'} */ (/** @type {HTMLSelectElement} */ ($('fill')).value),
    lotSize: numberInput('lot-size', 'Lot size', { min: 0 }),
  };
}

/** The values of an axis: from, to, step. @param {'x' | 'y'} axis @param {string} name @returns {number[]} */
function rangeInput(axis, name) {
  const start = numberInput(`${axis}-start`, `${name} 'from'`);
  const stop = numberInput(`${axis}-stop`, `${name} 'to'`, { min: start });
  const step = numberInput(`${axis}-step`, `${name} 'step'`, { min: Number.MIN_VALUE });
  const out = [];
  // k * step, rounded: 0.1 + 0.2 stays 0.3 (a float step of bbands' k).
  for (let k = 0; start + k * step <= stop + 1e-9 * step; k++) out.push(Number((start + k * step).toPrecision(12)));
  if (out.length > 400) throw new BacktestError(`${name}: at most 400 values, got ${out.length} (use a larger step)`);
  return out;
}

/** @param {Record<string, number | string>} values */
function setInputs(values) {
  for (const [id, v] of Object.entries(values)) /** @type {HTMLInputElement} */ ($(id)).value = String(v);
}

// ---------------------------------------------------------------------------------------------
// Charts (the package's chart component, quant-backtest/charts, on lightweight-charts)

const run = createRunCharts(LWC, { price: $('price-chart'), equity: $('equity-chart'), drawdown: $('drawdown-chart') });
const { priceChart, candles, markers, equityLine, holdLine, drawdownArea } = run;
const oscChart = makeChart(LWC, $('osc-chart'));
const overlays = createOverlays(LWC, priceChart, oscChart, indicators);

// The four charts scroll and zoom together (they have one point per bar each).
const charts = [priceChart, oscChart, run.equityChart, run.drawdownChart];
linkScrolling(charts);

/** @param {any} d MarketData */
function drawPrice(d) {
  run.setBars(current.times, d);
  drawOverlays();
  fitCharts();
}

/** @param {any} r BacktestResult @param {number} capital */
function drawResult(r, capital) {
  run.setRun(current.times, r.equityCurve, holdCurve(current.data.close, capital), r.trades);
  fitCharts();
}

/** Shows every bar, with room for the first and last time labels. @param {any} c */
const fitChart = (c) => fitBars(c, current.times.length);
/** Shows every bar, once the charts have their size (autoSize measures them asynchronously). */
function fitCharts() {
  for (const c of charts) fitChart(c);
  requestAnimationFrame(() => {
    for (const c of charts) fitChart(c);
  });
}
// When a chart gets its size (first layout) or a new one (a resized window), show every bar again.
let fitQueued = false;
const fitOnResize = new ResizeObserver(() => {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => {
    fitQueued = false;
    fitCharts();
  });
});
for (const id of ['price-chart', 'osc-chart', 'equity-chart', 'drawdown-chart']) fitOnResize.observe($(id));

// ---------------------------------------------------------------------------------------------
// Stats table and trades

/** Every metric of the engine's table (catalog order), then the run's own facts. @param {any} r @param {Record<string, any>} s */
function renderStats(r, s) {
  const d = current.data;
  const eq = r.equityCurve;
  /** @type {[string, string, string?][]} */
  const rows = catalog().metrics.map((/** @type {{ name: string, description: string }} */ m) => {
    const v = r[camelCase(m.name)];
    return [metricLabel(m.name), formatMetric(m.name, v), m.description];
  });
  rows.push(['Final equity', money(eq[eq.length - 1])], ['Starting capital', money(s.initial_capital)], ['Bars', int(d.length)], ['Engine time', ms(r.executionTimeMs)]);
  const body = $('stats').tBodies[0];
  body.replaceChildren(...statRows(rows));
  const tb = $('trades').tBodies[0];
  $('trade-count').textContent = String(r.trades.length);
  tb.replaceChildren(
    ...r.trades.map((/** @type {any} */ t, /** @type {number} */ i) => {
      const tr = document.createElement('tr');
      const cells = [i + 1, t.direction, t.exitReason.replace(/_/g, ' '), t.entryDate, price(t.entryPrice), t.exitDate, price(t.exitPrice), money(t.size), money(t.pnl), pct(t.returnPct), t.barsHeld];
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = String(c);
        tr.append(td);
      }
      tr.className = t.pnl > 0 ? 'win' : 'loss';
      return tr;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// State

/** @type {{ data: any, times: (string | number)[], source: string }} */
const current = { data: null, times: [], source: '' };
/** @type {any} */
let engine = null;
/** @type {any} */
let info = null;
/** @type {any} the last grid: axes, columns, settings, data it ran on */
let grid = null;
/** @type {AbortController | null} */
let gridAbort = null;
let jobs = 0;
/** @type {Promise<string>} how the engine ended the last grid: 'resolved' or the error's name */
let engineOutcome = Promise.resolve('none');
/** The last grid's progress reports (for the tests). */
const progressLog = { calls: 0, done: 0, total: 0, percent: 0 };

/** Runs `fn` with the page marked as running; returns what it returns. */
async function job(/** @type {() => Promise<any>} */ fn) {
  jobs++;
  setState('running');
  try {
    const out = await fn();
    if (--jobs === 0) setState('done');
    return out;
  } catch (e) {
    if (--jobs === 0) setState(isAbort(e) ? 'ready' : 'error');
    throw e;
  }
}

/** @param {any} data @param {string} source */
function setData(data, source) {
  if (gridAbort) gridAbort.abort();
  replay?.abandon();
  walk?.clear();
  current.data = data;
  current.times = chartTimes(data.dates);
  current.source = source;
  lastResult = null;
  $('download-report').disabled = true;
  const d = data.dates;
  $('data-summary').textContent = `${source}: ${int(data.length)} bars, ${d[0]} to ${d[d.length - 1]}.`;
  drawPrice(data);
  clearHeatmap();
  $('run-title').textContent = '';
  $('stats').tBodies[0].replaceChildren();
  $('trades').tBodies[0].replaceChildren();
  $('trade-count').textContent = '0';
}

function generate() {
  const symbol = /** @type {HTMLInputElement} */ ($('symbol')).value.trim() || 'SAMPLE';
  const days = numberInput('days', 'Days', { integer: true, min: 2, max: 200000 });
  const start = numberInput('start-price', 'Start price', { min: Number.MIN_VALUE });
  const seed = numberInput('seed', 'Seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  const data = generateSampleData(symbol, days, start, { seed });
  setData(data, `${symbol} sample, seed ${seed}`);
  return data;
}

/** @param {string} text @param {string} name */
function loadCsv(text, name) {
  const symbol = name.replace(/\.[^.]*$/, '') || 'CSV';
  const data = MarketData.fromCsv(text, { symbol });
  setData(data, name);
  return data;
}

// ---------------------------------------------------------------------------------------------
// One backtest

/** The loaded strategy's sides while the preset is 'custom'. @type {Record<string, unknown> | null} */
let customSides = null;
/** The last strategy run and its title (the report button's). @type {{ result: any, title: string } | null} */
let lastResult = null;
/** What the last run drew (for the tests): marker counts by kind, overlays, JSON. @type {any} */
let lastRun = null;
/** @type {{ drawn: string[], oscillator: string }} */
let lastOverlays = { drawn: [], oscillator: 'none' };

const presetSelect = /** @type {HTMLSelectElement} */ ($('preset'));

/**
 * The strategy the forms describe now (preset or rules, Fast/Slow, every setting): its document
 * and a short label. The single-asset run and the portfolio mode both run it.
 */
function strategyNow() {
  const preset = presetSelect.value;
  const crosses = (PRESETS[preset]?.params.length ?? 0) > 0;
  const fast = crosses ? numberInput('fast', 'Fast', { integer: true, min: 1 }) : NaN;
  const slow = crosses ? numberInput('slow', 'Slow', { integer: true, min: 1 }) : NaN;
  if (crosses && fast >= slow) throw new BacktestError(`the params fast=${fast}, slow=${slow} break the constraint fast < slow`);
  const direction = /** @type {HTMLSelectElement} */ ($('direction')).value;
  if (preset !== 'custom' && preset !== 'rules') {
    // A preset shows its rules in the builder: fast/slow stay named (the sweep's axes).
    builder.showSides(sidesFor(direction));
    builder.set(/** @type {any} */ (fromWire(catalog(), sideTrees(PRESETS[preset].tree, direction), { fast, slow })));
  }
  const sides = preset === 'rules' ? builder.wire() : customSides ?? {};
  const doc = strategyDocument(preset === 'rules' ? 'custom' : preset, sides, { fast, slow });
  const what = preset === 'sma_cross' ? `SMA ${fast} / ${slow}` : preset === 'ema_cross' ? `EMA ${fast} / ${slow}` : preset === 'custom' ? 'custom strategy' : preset === 'rules' ? `rules${describeNamed()}` : PRESETS[preset].label;
  return { preset, fast, slow, doc: /** @type {any} */ (doc), what };
}

/** @param {{ fast?: number, slow?: number }} [override] */
async function runBacktest(override) {
  if (override) setInputs({ ...(override.fast !== undefined && { fast: override.fast }), ...(override.slow !== undefined && { slow: override.slow }) });
  clearError();
  replay?.abandon();
  return job(async () => {
    const { preset, fast, slow, doc, what } = strategyNow();
    showJson(doc);
    /** @type {any} */
    let r;
    try {
      r = engine.runBacktest(current.data, documentText(doc));
    } catch (e) {
      // A bad rule: the engine's message on the row its path names.
      if (preset === 'rules' && isEngineError(e) && builder.showError(messageOf(e))) {
        $('rules-status').textContent = 'Not run: see the rule marked above.';
        jsonBox.setAttribute('aria-invalid', 'true');
        return null;
      }
      throw e;
    }
    builder.clearErrors();
    refreshAxes();
    $('rules-status').textContent = preset === 'custom' ? rulesCustomNote : '';
    const settings = /** @type {Record<string, any>} */ (doc.settings);
    drawResult(r, settings.initial_capital);
    renderStats(r, settings);
    drawOverlays();
    const fill = settings.fill === 'close' ? 'filled at the close' : 'filled at the next open';
    const side = settings.direction === 'long_only' ? '' : settings.direction === 'both' ? ', long and short' : ', short only';
    $('run-title').textContent = `${current.data.symbol}: ${what}${side}, ${fill}`;
    if (grid) {
      /** @type {Record<string, number>} */
      const named = { ...namedValues(builder.state), fast, slow };
      grid.selected = preset !== 'custom' ? (grid.index.get(`${named[grid.y]},${named[grid.x]}`) ?? null) : null;
      drawHeatmap();
    }
    const { trades: _t, equityCurve: _e, ...metrics } = r.toJSON();
    lastRun = { preset, markers: markerCounts(r.trades), json: documentText(doc), metrics };
    lastResult = { result: r, title: `${current.data.symbol}: ${what}${side}, ${fill}` };
    $('download-report').disabled = false;
    return { ...r.toJSON(), equityCurve: r.equityCurve, fastPeriod: fast, slowPeriod: slow, markers: lastRun.markers };
  });
}

// ---------------------------------------------------------------------------------------------
// Indicators (overlays and the oscillator)

/** @param {string} id @returns {number | null} a period input, or null when it is not a positive integer */
function periodOf(id) {
  const v = Number(/** @type {HTMLInputElement} */ ($(id)).value);
  return Number.isInteger(v) && v >= 1 ? v : null;
}
const checked = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).checked;

/** @returns {import('quant-backtest/charts').OverlayChoice} */
function overlayChoice() {
  const sma = checked('ov-sma');
  const bb = checked('ov-bbands') ? periodOf('ov-bb-period') : null;
  return {
    smaFast: sma ? periodOf('fast') : null,
    smaSlow: sma ? periodOf('slow') : null,
    ema: checked('ov-ema') ? periodOf('ov-ema-period') : null,
    bbands: bb ? { period: bb, k: 2 } : null,
    donchian: checked('ov-donchian') ? periodOf('ov-dc-period') : null,
    oscillator: /** @type {'none' | 'rsi' | 'macd'} */ (/** @type {HTMLSelectElement} */ ($('oscillator')).value),
    rsiPeriod: periodOf('rsi-period') ?? 14,
    macd: { fast: 12, slow: 26, signal: 9 },
  };
}

function drawOverlays() {
  if (!current.data) return;
  try {
    lastOverlays = overlays.draw(current.data, current.times, overlayChoice());
  } catch (e) {
    lastOverlays = { drawn: [], oscillator: 'none' };
    showError('Cannot draw the indicators', e);
    return;
  }
  const o = overlayChoice();
  const parts = [];
  if (o.smaFast) parts.push(`SMA ${o.smaFast}`);
  if (o.smaSlow) parts.push(`SMA ${o.smaSlow}`);
  if (o.ema) parts.push(`EMA ${o.ema}`);
  if (o.bbands) parts.push(`Bollinger ${o.bbands.period}, 2`);
  if (o.donchian) parts.push(`Donchian ${o.donchian}`);
  $('overlay-legend').textContent = parts.length ? `Overlays: ${parts.join(', ')}.` : '';
  $('osc-caption').textContent = o.oscillator === 'rsi' ? `RSI ${o.rsiPeriod} (30 / 70)` : o.oscillator === 'macd' ? 'MACD 12 / 26 / 9: line, signal, histogram' : 'Oscillator: none';
}

$('overlay-form').addEventListener('change', drawOverlays);
$('overlay-form').addEventListener('submit', (/** @type {Event} */ e) => e.preventDefault());

// ---------------------------------------------------------------------------------------------
// The rule builder

const rulesCustomNote = 'Custom: this tree is more than rows joined by and/or; it runs as the JSON panel shows it.';
const builderRoot = $('rule-builder');
/** @type {ReturnType<typeof createRuleBuilder>} made once the engine (its catalog) is loaded */
let builder = /** @type {any} */ (null);
function makeBuilder() {
  builder = createRuleBuilder({
    root: builderRoot,
    catalog: catalog(),
    onChange() {
      useRules();
      runBacktest().catch((err) => showError('Backtest failed', err));
    },
  });
}

/** The page runs the builder's rules from now on (an edit, or a JSON the builder can show). */
function useRules() {
  /** @type {HTMLOptionElement} */ (presetSelect.querySelector('option[value="rules"]')).disabled = false;
  presetSelect.value = 'rules';
  customSides = null;
  applyPreset();
}

/** ' (fast 10, slow 50)' for the named numbers of the rules. */
function describeNamed() {
  const v = namedValues(builder.state);
  const parts = Object.entries(v).map(([k, x]) => `${k} ${x}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

$('direction').addEventListener('change', () => {
  const direction = /** @type {HTMLSelectElement} */ ($('direction')).value;
  const s = builder.state;
  // New short sides start as the mirror of the long ones (and the reverse), like the presets.
  const mirror = /** @type {Record<string, string>} */ ({ short_entry: 'exit', short_exit: 'entry', entry: 'short_exit', exit: 'short_entry' });
  for (const side of sidesFor(direction)) if (s[side].rows.length === 0) s[side] = structuredClone(s[mirror[side]]);
  builder.showSides(sidesFor(direction));
});

/** A preset shows what it trades on: its overlays and oscillator; Fast/Slow only where they bind. */
function applyPreset() {
  const name = presetSelect.value;
  const p = PRESETS[name];
  const crosses = !!p && p.params.length > 0;
  for (const id of ['fast', 'slow']) /** @type {HTMLInputElement} */ ($(id)).disabled = !crosses;
  builderRoot.hidden = name === 'custom';
  if (!p) return;
  customSides = null;
  /** @type {HTMLOptionElement} */ (presetSelect.querySelector('option[value="custom"]')).disabled = true;
  const on = new Set(p.overlays);
  /** @type {HTMLInputElement} */ ($('ov-sma')).checked = on.has('sma-fast');
  /** @type {HTMLInputElement} */ ($('ov-ema')).checked = on.has('ema');
  /** @type {HTMLInputElement} */ ($('ov-bbands')).checked = on.has('bbands');
  /** @type {HTMLInputElement} */ ($('ov-donchian')).checked = on.has('donchian');
  if (p.oscillator !== 'none') /** @type {HTMLSelectElement} */ ($('oscillator')).value = p.oscillator;
}
presetSelect.addEventListener('change', () => {
  applyPreset();
  runBacktest().catch((err) => showError('Backtest failed', err));
});

// ---------------------------------------------------------------------------------------------
// The strategy JSON panel

const jsonBox = /** @type {HTMLTextAreaElement} */ ($('strategy-json'));
/** @param {unknown} doc */
function showJson(doc) {
  jsonBox.value = documentText(doc);
  jsonBox.removeAttribute('aria-invalid');
}

/**
 * Loads a strategy document: checked by the engine first (its BacktestError message in the
 * page, the form untouched), then shown in the form as the 'custom' preset and run.
 * @param {string} text @returns {Promise<any>} the run, or null when the text was refused
 */
async function loadJson(text) {
  clearError();
  const status = $('json-status');
  try {
    // The engine's own check of the text (its JSON too), the tree and its settings.
    engine.runBacktest(current.data, text);
  } catch (e) {
    jsonBox.setAttribute('aria-invalid', 'true');
    status.textContent = 'Not loaded.';
    showError('Cannot load the strategy', e);
    return null;
  }
  const { sides, settings } = splitDocument(JSON.parse(text));
  showSettings(settings);
  // Rows of and/or the builder can show become the rule builder's; any other tree stays Custom.
  const state = fromWire(catalog(), sides);
  const direction = /** @type {string} */ (settings.direction ?? 'long_only');
  if (state && Object.keys(sides).every((k) => sidesFor(direction).includes(k))) {
    useRules();
    builder.showSides(sidesFor(direction));
    builder.set(state);
  } else {
    const custom = /** @type {HTMLOptionElement} */ (presetSelect.querySelector('option[value="custom"]'));
    custom.disabled = false;
    presetSelect.value = 'custom';
    applyPreset();
    customSides = sides;
  }
  const r = await runBacktest();
  status.textContent = 'Loaded and run.';
  return r;
}

$('json-load').addEventListener('click', () => {
  loadJson(jsonBox.value).catch((err) => showError('Backtest failed', err));
});
$('json-copy').addEventListener('click', async () => {
  const status = $('json-status');
  try {
    await navigator.clipboard.writeText(jsonBox.value);
    status.textContent = 'Copied to the clipboard.';
  } catch {
    // No clipboard permission (an embedded or headless page): select it for Ctrl+C instead.
    jsonBox.select();
    status.textContent = 'Selected: press Ctrl+C to copy.';
  }
});

// ---------------------------------------------------------------------------------------------
// The grid

/** The named numbers of the rules in the two axis selects (a choice kept while its name is). */
function refreshAxes() {
  const names = builder && presetSelect.value !== 'custom' ? Object.keys(namedValues(builder.state)) : [];
  const ys = /** @type {HTMLSelectElement} */ ($('sweep-y'));
  const xs = /** @type {HTMLSelectElement} */ ($('sweep-x'));
  const keep = [ys.value, xs.value];
  if ([...ys.options].map((o) => o.value).join() === names.join()) return;
  for (const [k, sel] of /** @type {const} */ ([[0, ys], [1, xs]])) {
    sel.replaceChildren(...names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
    sel.value = names.includes(keep[k]) && keep[0] !== keep[1] ? keep[k] : (names[k] ?? names[0] ?? '');
  }
}

/**
 * The request of a sweep: the rules with the two axes as {"param": name} placeholders, the
 * other named numbers bound to their values, the form's settings.
 */
function sweepRequest() {
  if (presetSelect.value === 'custom') throw new BacktestError('a Custom strategy has no named numbers to sweep: load rules the builder can show, or pick a preset');
  const y = /** @type {HTMLSelectElement} */ ($('sweep-y')).value;
  const x = /** @type {HTMLSelectElement} */ ($('sweep-x')).value;
  if (!y || !x || y === x) throw new BacktestError('pick two different parameters for the rows and the columns (name numbers in the rules to make them parameters)');
  const ys = rangeInput('y', y);
  const xs = rangeInput('x', x);
  const { [y]: _y, [x]: _x, ...fixed } = namedValues(builder.state);
  const doc = strategyDocument('custom', bind(builder.wire(true), fixed), { fast: NaN, slow: NaN });
  const constraint = checked('sweep-constraint') ? { lt: [{ param: y }, { param: x }] } : null;
  return { y, x, ys, xs, fixed, doc, constraint };
}

/**
 * A sweep over two named numbers of the rules, in the engine's Worker.
 * @param {{ y?: [string, number, number, number], x?: [string, number, number, number], constraint?: boolean }} [override]
 */
async function runGrid(override) {
  for (const [axis, o] of /** @type {const} */ ([['y', override?.y], ['x', override?.x]])) {
    if (!o) continue;
    /** @type {HTMLSelectElement} */ ($(`sweep-${axis}`)).value = o[0];
    setInputs({ [`${axis}-start`]: o[1], [`${axis}-stop`]: o[2], [`${axis}-step`]: o[3] });
  }
  if (override?.constraint !== undefined) /** @type {HTMLInputElement} */ ($('sweep-constraint')).checked = override.constraint;
  clearError();
  if (gridAbort) gridAbort.abort();
  const controller = new AbortController();
  gridAbort = controller;
  const progress = /** @type {HTMLProgressElement} */ ($('grid-progress'));
  const status = $('grid-status');
  const cancel = /** @type {HTMLButtonElement} */ ($('cancel-grid'));
  try {
    return await job(async () => {
      const req = sweepRequest();
      const data = current.data;
      progress.hidden = false;
      progress.removeAttribute('value'); // indeterminate until the first report
      cancel.disabled = false;
      status.textContent = 'Running…';
      Object.assign(progressLog, { calls: 0, done: 0, total: 0, percent: 0 });
      const t0 = performance.now();
      const work = engine.sweep(data, documentText(req.doc), { [req.y]: req.ys, [req.x]: req.xs }, {
        constraint: req.constraint,
        signal: controller.signal,
        onProgress: (/** @type {number} */ done, /** @type {number} */ total) => {
          if (controller.signal.aborted) return;
          progressLog.calls++;
          progressLog.done = done;
          progressLog.total = total;
          progress.max = total;
          progress.value = done;
          status.textContent = `${int(done)} / ${int(total)} combinations…`;
        },
      });
      // How the engine itself ended this grid (the tests check that Cancel reached it).
      engineOutcome = work.then(
        () => 'resolved',
        (/** @type {unknown} */ e) => (e instanceof Error ? e.name : 'rejected'),
      );
      // Cancel answers at once, even if the engine only notices the signal later.
      const cancelled = new Promise((_, reject) => {
        if (controller.signal.aborted) reject(abortError());
        controller.signal.addEventListener('abort', () => reject(abortError()), { once: true });
      });
      cancelled.catch(() => {});
      const columns = await Promise.race([work, cancelled]);
      const elapsed = performance.now() - t0;
      if (controller.signal.aborted) throw abortError();
      const pairs = columns[req.y].length;
      const threads = info.threads;
      const timing = `${int(pairs)} combinations of ${req.y} and ${req.x} on ${int(data.length)} bars in ${ms(elapsed)}, ${threads} thread${threads === 1 ? '' : 's'} (${info.build} build)`;
      status.textContent = `Done: ${timing}.`;
      progressLog.percent = progressLog.total > 0 ? (100 * progressLog.done) / progressLog.total : 0;
      progress.max = 1;
      progress.value = 1;
      setGrid(columns, req, data);
      $('grid-time').textContent = timing;
      return { columns, ms: elapsed };
    });
  } catch (e) {
    if (isAbort(e) && gridAbort === controller) status.textContent = 'Cancelled.';
    throw e;
  } finally {
    if (gridAbort === controller) {
      gridAbort = null;
      cancel.disabled = true;
      progress.hidden = true;
    }
  }
}

function abortError() {
  const e = new Error('the grid was cancelled');
  e.name = 'AbortError';
  return e;
}

$('cancel-grid').addEventListener('click', () => {
  if (gridAbort) gridAbort.abort();
});

// ---------------------------------------------------------------------------------------------
// The heatmap (drawn on a canvas)

const canvas = /** @type {HTMLCanvasElement} */ ($('heatmap'));
const tip = $('heatmap-tip');
/** How many cells the last drawing filled (for the tests). */
let drawnCells = 0;

/** @param {any} columns @param {ReturnType<typeof sweepRequest>} req @param {any} data */
function setGrid(columns, req, data) {
  const { y, x } = req;
  const index = new Map();
  const seenY = new Set();
  const seenX = new Set();
  for (let i = 0; i < columns[y].length; i++) {
    index.set(`${columns[y][i]},${columns[x][i]}`, i);
    seenY.add(columns[y][i]);
    seenX.add(columns[x][i]);
  }
  const yAxis = [...new Set(req.ys)].filter((v) => seenY.has(v)).sort((a, b) => a - b);
  const xAxis = [...new Set(req.xs)].filter((v) => seenX.has(v)).sort((a, b) => a - b);
  grid = {
    columns, y, x, yAxis, xAxis, index, data,
    // What a cell click runs: these rules and settings with the cell's two values.
    preset: presetSelect.value, state: structuredClone(builder.state), sides: builder.sides, settings: req.doc.settings,
    selected: null, focus: { r: 0, c: 0 }, layout: null,
  };
  $('heatmap-empty').hidden = true;
  drawHeatmap();
}

function clearHeatmap() {
  grid = null;
  $('heatmap-empty').hidden = false;
  $('grid-time').textContent = '';
  $('grid-status').textContent = '';
  tip.hidden = true;
  canvas.setAttribute('aria-label', 'Heatmap of the grid: run a grid first');
  drawHeatmap();
}

function metricName() {
  return /** @type {keyof typeof METRICS} */ (/** @type {HTMLSelectElement} */ ($('metric')).value);
}

function drawHeatmap() {
  const wrap = $('heatmap-wrap');
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(320, wrap.clientWidth);
  if (!grid) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(120 * dpr);
    canvas.style.height = '120px';
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, 120);
    return;
  }
  const { yAxis, xAxis, columns, index } = grid;
  const metric = metricName();
  const values = columns[metric];
  /** The pair charted last, and the keyboard focus. */
  const r = grid.selected === null ? -1 : yAxis.indexOf(columns[grid.y][grid.selected]);
  const c = grid.selected === null ? -1 : xAxis.indexOf(columns[grid.x][grid.selected]);
  const painted = paintHeatmap(canvas, width, {
    y: grid.y,
    x: grid.x,
    yAxis,
    xAxis,
    value: (row, col) => {
      const i = index.get(`${yAxis[row]},${xAxis[col]}`);
      return i === undefined ? undefined : values[i];
    },
    kind: METRICS[metric].scale,
    fmt: METRICS[metric].fmt,
    selected: r >= 0 && c >= 0 ? { r, c } : null,
    focus: document.activeElement === canvas ? grid.focus : null,
  });
  grid.layout = painted;
  drawnCells = painted.drawn;
  const best = bestCell(metric);
  const label = `Heatmap of ${METRICS[metric].label.toLowerCase()} for ${yAxis.length} values of ${grid.y} by ${xAxis.length} of ${grid.x}` + (best ? `; the best is ${grid.y} ${best.y}, ${grid.x} ${best.x}: ${METRICS[metric].fmt(best.value)}` : '');
  canvas.setAttribute('aria-label', label);
}

/** The best cell of a metric (highest, or lowest for volatility and drawdown). */
function bestCell(/** @type {string} */ metric) {
  if (!grid) return null;
  const v = grid.columns[metric];
  const at = bestRow(v, METRICS[metric].scale);
  return at < 0 ? null : { y: grid.columns[grid.y][at], x: grid.columns[grid.x][at], value: v[at] };
}

/** @param {number} x @param {number} y CSS pixels in the canvas @returns {{ r: number, c: number } | null} */
function cellAt(x, y) {
  if (!grid?.layout) return null;
  return heatmapCellAt(grid.layout, grid.yAxis.length, grid.xAxis.length, x, y);
}

/** @param {{ r: number, c: number }} cell */
function describeCell(cell) {
  const y = grid.yAxis[cell.r];
  const x = grid.xAxis[cell.c];
  const i = grid.index.get(`${y},${x}`);
  const metric = metricName();
  const at = `${grid.y} ${y}, ${grid.x} ${x}`;
  if (i === undefined) return { y, x, i, text: `${at}: left out (${grid.y} must be below ${grid.x})` };
  const m = METRICS[metric];
  const extra = metric === 'tradeCount' ? '' : `, ${int(grid.columns.tradeCount[i])} trades`;
  return { y, x, i, text: `${at}: ${m.label.toLowerCase()} ${m.fmt(grid.columns[metric][i])}${extra}` };
}

canvas.addEventListener('mousemove', (e) => {
  const cell = cellAt(e.offsetX, e.offsetY);
  if (!cell) {
    tip.hidden = true;
    canvas.style.cursor = 'default';
    return;
  }
  const d = describeCell(cell);
  tip.textContent = d.text;
  tip.hidden = false;
  canvas.style.cursor = d.i === undefined ? 'not-allowed' : 'pointer';
  const wrap = $('heatmap-wrap');
  const tw = tip.offsetWidth;
  const left = Math.min(canvas.offsetLeft + e.offsetX + 14, wrap.clientWidth - tw - 4);
  tip.style.left = `${Math.max(0, left)}px`;
  tip.style.top = `${canvas.offsetTop + e.offsetY + 16}px`;
});
canvas.addEventListener('mouseleave', () => {
  tip.hidden = true;
});

/** Runs the sweep's rules and settings with a cell's two values, and charts it. @param {{ r: number, c: number }} cell */
function chartCell(cell) {
  const d = describeCell(cell);
  if (d.i === undefined) return;
  const g = grid;
  showSettings(g.settings);
  const cross = (g.preset === 'sma_cross' || g.preset === 'ema_cross') && [g.y, g.x].sort().join() === 'fast,slow';
  if (cross) {
    // A cross preset keeps its own name and Fast/Slow inputs.
    presetSelect.value = g.preset;
    applyPreset();
    setInputs({ [g.y]: d.y, [g.x]: d.x });
  } else {
    useRules();
    const state = structuredClone(g.state);
    setNamed(state, g.y, d.y);
    setNamed(state, g.x, d.x);
    builder.showSides(g.sides);
    builder.set(state);
  }
  g.focus = cell;
  runBacktest().catch((e) => showError('Backtest failed', e));
}

canvas.addEventListener('click', (e) => {
  const cell = cellAt(e.offsetX, e.offsetY);
  if (cell) chartCell(cell);
});
canvas.addEventListener('keydown', (e) => {
  if (!grid) return;
  const f = grid.focus;
  const moves = /** @type {Record<string, [number, number]>} */ ({ ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] });
  if (moves[e.key]) {
    e.preventDefault();
    f.r = Math.min(grid.yAxis.length - 1, Math.max(0, f.r + moves[e.key][0]));
    f.c = Math.min(grid.xAxis.length - 1, Math.max(0, f.c + moves[e.key][1]));
    $('heatmap-readout').textContent = describeCell(f).text;
    drawHeatmap();
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    chartCell(f);
  }
});
canvas.addEventListener('focus', () => {
  if (grid) $('heatmap-readout').textContent = describeCell(grid.focus).text;
  drawHeatmap();
});
canvas.addEventListener('blur', drawHeatmap);
$('metric').addEventListener('change', drawHeatmap);
new ResizeObserver(() => drawHeatmap()).observe($('heatmap-wrap'));

// ---------------------------------------------------------------------------------------------
// Wiring

$('data-form').addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  clearError();
  try {
    generate();
  } catch (err) {
    showError('Cannot generate the sample data', err);
    return;
  }
  runBacktest().catch((err) => showError('Backtest failed', err));
});

/** @param {File} file */
async function readCsvFile(file) {
  clearError();
  try {
    loadCsv(await file.text(), file.name);
  } catch (err) {
    const rows = /\brow \d/.test(messageOf(err)) ? 'Rows are counted from 0, after the header. ' : '';
    const kept = current.data ? `The previous data (${current.source}) stays loaded.` : '';
    showError(`Cannot load ${file.name}`, err, `— ${rows}${kept}`);
    return;
  }
  await runBacktest().catch((err) => showError('Backtest failed', err));
}

const fileInput = /** @type {HTMLInputElement} */ ($('csv-file'));
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = ''; // choosing the same file again loads it again
  if (file) readCsvFile(file);
});
acceptDrops($('data-form'), (/** @type {File[]} */ files) => {
  if (files[0]) readCsvFile(files[0]);
});
// A file dropped elsewhere must not replace the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// The last run as a standalone report (quant-backtest/report, loaded on the first click: it
// carries lightweight-charts and the chart component as text).
$('download-report').addEventListener('click', async () => {
  if (!lastResult) return;
  try {
    const { report } = await import('quant-backtest/report');
    const html = report(lastResult.result, { title: lastResult.title });
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${current.data.symbol}-report.html`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) {
    showError('Cannot write the report', e);
  }
});

$('download-csv').addEventListener('click', () => {
  if (!current.data) return;
  const c = current.data.toColumns();
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < current.data.length; i++) lines.push(`${c.dates[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  const url = URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${current.data.symbol}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

$('backtest-form').addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  runBacktest().catch((err) => showError('Backtest failed', err));
});
$('grid-form').addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  runGrid().catch((err) => {
    if (!isAbort(err)) showError('Grid failed', err);
  });
});

function renderBanner() {
  const banner = $('banner');
  const isolated = info.crossOriginIsolated;
  banner.classList.toggle('ok', info.build === 'threaded');
  banner.classList.toggle('warn', info.build !== 'threaded');
  if (!isolated) {
    banner.textContent = 'Single thread: this page is not cross-origin isolated (it needs the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), so the engine runs its single-threaded build.';
  } else if (info.build === 'threaded') {
    banner.textContent = `Cross-origin isolated: grids run on ${info.threads} threads (threaded wasm build, in a Web Worker); this page stays responsive.`;
  } else {
    banner.textContent = `Cross-origin isolated, but the engine runs its single-threaded build (${info.threads} thread${info.threads === 1 ? '' : 's'}): this browser or engine build offers no wasm threads.`;
  }
}

// ---------------------------------------------------------------------------------------------
// Replay (replay.js): the workbench's charts grown one pushed bar at a time

/** The replay, once the page has started. @type {ReturnType<typeof createReplay> | null} */
let replay = null;
/** The walk-forward view, once the page has started. @type {ReturnType<typeof createWalkForward> | null} */
let walk = null;

/** @type {ReturnType<typeof eventMarker>[]} */
const replayMarkers = [];
let replayPeak = -Infinity;
let replayCapital = 0;

/** @type {import('./replay.js').ReplayView} */
const replayView = {
  begin(what, capital) {
    replayCapital = capital;
    candles.setData([]);
    equityLine.setData([]);
    holdLine.setData([]);
    drawdownArea.setData([]);
    replayMarkers.length = 0;
    markers.setMarkers([]);
    replayPeak = -Infinity;
    overlays.reveal(0);
    $('run-title').textContent = `${current.data.symbol}: ${what}, replayed bar by bar`;
    $('stats').tBodies[0].replaceChildren();
    $('trades').tBodies[0].replaceChildren();
    $('trade-count').textContent = '0';
    fitCharts();
  },
  bar(i, equity) {
    const d = current.data;
    const time = current.times[i];
    candles.update({ time, open: d.open[i], high: d.high[i], low: d.low[i], close: d.close[i] });
    overlays.grow(i);
    equityLine.update({ time, value: equity });
    holdLine.update({ time, value: (replayCapital * d.close[i]) / d.close[0] });
    replayPeak = Math.max(replayPeak, equity);
    drawdownArea.update({ time, value: (equity / replayPeak - 1) * 100 });
  },
  marker(e) {
    const m = eventMarker(e, current.times[e.bar]);
    if (!m) return;
    replayMarkers.push(m);
    markers.setMarkers(replayMarkers);
  },
  // The time axis keeps room for every bar: the candles fill it from the left as they come.
  frame() {
    for (const c of charts) fitChart(c);
  },
  end(r, settings) {
    drawResult(r, settings.initial_capital);
    renderStats(r, settings);
    drawOverlays();
  },
  restore: () => runBacktest(),
};

async function start() {
  await init();
  makeBuilder();
  fillMetrics();
  engine = new RustEngine();
  if (typeof engine.ready === 'function') await engine.ready();
  const i = engine.getEngineInfo();
  info = { ...i, crossOriginIsolated: i.crossOriginIsolated ?? globalThis.crossOriginIsolated === true };
  renderBanner();
  generate();
  await runBacktest();
  // The portfolio mode (a tab next to this workbench): the same strategy on a universe.
  createPortfolioMode({ engine, strategy: strategyNow, showError, clearError });
  replay = createReplay({ engine, strategy: strategyNow, data: () => current.data, view: replayView, showError, clearError });
  walk = createWalkForward({ engine, LWC, priceChart, request: sweepRequest, data: () => current.data, times: () => current.times, job, showError, clearError });
  setState('ready');
}

const ready = start().catch((e) => {
  $('banner').textContent = 'The engine did not load.';
  showError('The engine did not load', e);
  throw e;
});
ready.catch(() => {}); // reported in the page; the hook's callers see the rejection

/** The hooks the browser test drives the page with. */
/** @type {any} */ (window).__demo = {
  ready,
  get info() {
    return info;
  },
  /** The last grid's progress reports: how many, and the last (done, total). */
  /** What the last strategy run drew: its preset, marker counts by kind, its JSON. */
  get lastRun() {
    return lastRun;
  },
  /** The indicator series the charts hold now. */
  get overlays() {
    return lastOverlays;
  },
  /**
   * Picks a preset, settings (snake_case; the absent ones: the form's defaults) and Fast/Slow, and runs it.
   * @param {string} name @param {Record<string, unknown>} [settings] @param {{ fast?: number, slow?: number }} [params]
   */
  runPreset(name, settings, params) {
    presetSelect.value = name;
    applyPreset();
    if (settings) showSettings(settings);
    return runBacktest(params);
  },
  /** @param {string} text */
  loadJson: (text) => loadJson(text),
  get progress() {
    return { ...progressLog };
  },
  /** Resolves with how the engine ended the last grid: 'resolved', 'AbortError', ... */
  engineOutcome: () => engineOutcome,
  /** @param {{ fast?: number, slow?: number }} [o] */
  runBacktest: (o) => runBacktest(o),
  /** @param {{ y?: [string, number, number, number], x?: [string, number, number, number], constraint?: boolean }} [o] */
  runGrid: (o) => runGrid(o),
  /** The heatmap now: axis names, values, how many cells it drew. */
  get heatmap() {
    return grid ? { y: grid.y, x: grid.x, yAxis: grid.yAxis, xAxis: grid.xAxis, cells: grid.layout ? grid.yAxis.length * grid.xAxis.length : 0, drawn: drawnCells } : null;
  },
  /** A metric column of the heatmap now, as numbers. @param {string} metric */
  heatmapColumn: (metric) => (grid ? Array.from(grid.columns[metric]) : null),
  /** The replay: play(speed) resolves when it stops; pause(); state (bars, events, the last check). */
  get replay() {
    return replay;
  },
  /** The walk-forward view: run() (the forms' request), lastRun (its request and result). */
  get walk() {
    return walk;
  },
  /** The rule builder (its state, its wire sides). */
  get builder() {
    return builder;
  },
  /** @param {{ symbol?: string, days?: number, startPrice?: number, seed?: number }} [o] */
  loadSample(o = {}) {
    setInputs({
      ...(o.symbol !== undefined && { symbol: o.symbol }),
      ...(o.days !== undefined && { days: o.days }),
      ...(o.startPrice !== undefined && { 'start-price': o.startPrice }),
      ...(o.seed !== undefined && { seed: o.seed }),
    });
    const d = generate();
    return { symbol: d.symbol, length: d.length, fingerprint: d.fingerprint };
  },
  /** Center of a heatmap cell in viewport coordinates (for mouse tests), or null. */
  heatmapCell(/** @type {number} */ y, /** @type {number} */ x) {
    if (!grid?.layout) return null;
    const r = grid.yAxis.indexOf(y);
    const c = grid.xAxis.indexOf(x);
    if (r < 0 || c < 0) return null;
    const box = canvas.getBoundingClientRect();
    return { x: box.left + M.left + (c + 0.5) * grid.layout.cw, y: box.top + M.top + (r + 0.5) * grid.layout.ch };
  },
};
