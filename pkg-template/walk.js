// quant-backtest: walk-forward optimisation (SPEC part 12) for JS, as the Python package has it
// (`engine.walk_forward`): the request a sweep takes plus the walk's options, checked here for
// their keys and types and by the engine for their values; the result a `WalkForwardResult`.
// The bars are one asset's (MarketData) or a Universe's (windows of union bars, each window's
// run a portfolio run; its trades carry their symbol). `RustEngine` (core.js) runs them
// (`walkForward` here, `walkForwardAsync` on its pool) through the functions at the end of
// this file.
//
// core.js imports this module and this module imports core.js: nothing here touches core.js's
// bindings while the modules load (only when called).

import {
  BacktestError,
  filteredRows,
  handleOf,
  intText,
  names,
  optionalInteger,
  optionsObject,
  plain,
  rawExports,
  strategyTrades,
  strategyValue,
  wasmCall,
  wireSettings,
} from './core.js';
import { Universe, portfolioSettings, portfolioStrategy, portfolioTrades, universeHandle } from './portfolio.js';

/** The walk's own options (the engine's names), in the order the engine checks them. */
const WALK_OPTIONS = Object.freeze(['train', 'test', 'step', 'anchored', 'maximize']);
/** Every key of `walkForward`'s options besides the settings. */
const OPTIONS = Object.freeze([...WALK_OPTIONS, 'constraint', 'maxWorkers']);
/** A trade's fields in the Python package's `to_dict` (the camelCase property of each); a universe's trades have `symbol` first. */
export const TRADE_KEYS = Object.freeze(['entry_index', 'exit_index', 'entry_date', 'exit_date', 'entry_price', 'exit_price', 'size', 'pnl', 'return_pct', 'bars_held', 'direction', 'exit_reason']);

export const PORTFOLIO_TRADE_KEYS = Object.freeze(['symbol', ...TRADE_KEYS]);

const RESULT_TOKEN = Symbol('WalkForwardResult');

/** @param {string} name */
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * A walk-forward (`walkForward` / `walkForwardAsync`): one row per window (`windows`: its train
 * and test bars, the params chosen on the train bars, the in-sample and out-of-sample metrics,
 * the test's start and end equity, the in-sample equity), and the test runs stitched into one:
 * every metric of it (camelCase; null where undefined), `equityCurve` with `equityIndex` (each
 * value's bar) and `equityDates`, and its `trades`. On a Universe every index and date is the
 * union's and each trade has its `symbol`, as a PortfolioResult's.
 */
export class WalkForwardResult {
  /** @param {symbol} token @param {Record<string, any>} fields */
  constructor(token, fields) {
    if (token !== RESULT_TOKEN) throw new TypeError('WalkForwardResult is made by the engine, not constructed');
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** The stitched run's metrics, in the catalog's order (camelCase). @returns {Record<string, number | null>} */
  get metrics() {
    const self = /** @type {any} */ (this);
    return Object.fromEntries(names().metricKeys.map((k) => [k, self[k]]));
  }

  /** Plain values with the Python package's `to_dict()` keys (snake_case), ready for JSON.stringify. */
  toJSON() {
    const self = /** @type {any} */ (this);
    const metrics = (/** @type {Record<string, number | null>} */ m) => Object.fromEntries(names().metrics.map((d) => [d.name, m[d.key]]));
    return {
      windows: self.windows.map((/** @type {any} */ w) => ({
        window: w.window,
        train_start_index: w.trainStartIndex,
        train_end_index: w.trainEndIndex,
        test_start_index: w.testStartIndex,
        test_end_index: w.testEndIndex,
        train_start: w.trainStart,
        train_end: w.trainEnd,
        test_start: w.testStart,
        test_end: w.testEnd,
        params: { ...w.params },
        in_sample: metrics(w.inSample),
        out_of_sample: metrics(w.outOfSample),
        start_equity: w.startEquity,
        end_equity: w.endEquity,
        in_sample_equity: Array.from(w.inSampleEquity),
      })),
      metrics: metrics(this.metrics),
      equity_curve: Array.from(self.equityCurve),
      equity_index: Array.from(self.equityIndex),
      trades: self.trades.map((/** @type {any} */ t) => Object.fromEntries(('symbol' in t ? PORTFOLIO_TRADE_KEYS : TRADE_KEYS).map((k) => [k, t[camel(k)]]))),
      names: [...self.names],
      combinations: self.combinations,
      train: self.train,
      test: self.test,
      step: self.step,
      anchored: self.anchored,
      maximize: names().metrics.find((d) => d.key === self.maximize)?.name ?? self.maximize,
      execution_time_ms: self.executionTimeMs,
      backend: self.backend,
    };
  }
}

/**
 * Every metric from a packed row (the catalog's order; NaN: undefined, as null), frozen.
 * @param {Float64Array} values @param {number} row
 */
function metricsAt(values, row) {
  const n = names();
  const at = row * n.metrics.length;
  return Object.freeze(Object.fromEntries(n.metrics.map((m, i) => [m.key, Number.isNaN(values[at + i]) ? null : values[at + i]])));
}

/**
 * A WalkForwardResult from the engine's packed output (src/wasm/walk.rs), dates from the bars;
 * `symbols`: a universe's, in order (its walk's trades are packed as a portfolio run's).
 * @param {any} out @param {readonly string[]} dates @param {readonly string[] | null} [symbols]
 * @returns {WalkForwardResult}
 */
export function walkResult(out, dates, symbols = null) {
  const n = names();
  const ix = /** @type {Int32Array} */ (out.window_indices);
  const windows = [];
  let at = 0;
  for (let w = 0; w < out.start_equity.length; w++) {
    const [trainStartIndex, trainEndIndex, testStartIndex, testEndIndex] = ix.subarray(4 * w, 4 * w + 4);
    const train = trainEndIndex - trainStartIndex + 1;
    windows.push(
      Object.freeze({
        window: w,
        trainStartIndex,
        trainEndIndex,
        testStartIndex,
        testEndIndex,
        trainStart: dates[trainStartIndex],
        trainEnd: dates[trainEndIndex],
        testStart: dates[testStartIndex],
        testEnd: dates[testEndIndex],
        params: Object.freeze({ ...out.window_params[w] }),
        inSample: metricsAt(out.in_sample, w),
        outOfSample: metricsAt(out.out_of_sample, w),
        startEquity: out.start_equity[w],
        endEquity: out.end_equity[w],
        inSampleEquity: out.in_sample_equity.slice(at, at + train),
      }),
    );
    at += train;
  }
  /** @type {Record<string, any>} */
  const fields = { ...metricsAt(out.metrics, 0) };
  const equityIndex = /** @type {Int32Array} */ (out.equity_index);
  fields.windows = Object.freeze(windows);
  fields.equityCurve = out.equity_curve;
  fields.equityIndex = equityIndex;
  fields.equityDates = Object.freeze(Array.from(equityIndex, (i) => dates[i]));
  fields.trades = symbols === null ? strategyTrades(out.trades, dates) : portfolioTrades(out, symbols, dates);
  fields.names = Object.freeze([...out.names]);
  fields.combinations = out.combinations;
  fields.train = out.train;
  fields.test = out.test;
  fields.step = out.step;
  fields.anchored = out.anchored;
  fields.maximize = n.metrics.find((m) => m.name === out.maximize)?.key ?? out.maximize;
  fields.executionTimeMs = out.execution_time_ms;
  fields.backend = 'wasm';
  return new WalkForwardResult(RESULT_TOKEN, fields);
}

/**
 * @typedef {import('./protocol.js').WalkRequest} WalkRequest
 * @typedef {{ request: WalkRequest, unknownMetric: string | null, maxWorkers: number | undefined }} CheckedWalk
 *   `unknownMetric`: a `maximize` not among the metrics, refused once the engine has checked everything before it
 */

/**
 * A walk-forward's options checked for their keys (the settings of `runBacktest`, on a
 * universe `maxPositions` too, the walk's options, `constraint`, `maxWorkers`) and read into
 * the engine's wire request.
 * @param {unknown} strategy @param {unknown} params @param {unknown} options
 * @param {boolean} [portfolio] on a universe: its settings and strategy as a portfolio sweep reads them
 * @returns {CheckedWalk}
 */
export function walkRequest(strategy, params, options, portfolio = false) {
  const o = optionsObject(options, 'options');
  const settings = portfolio ? portfolioSettings(o, OPTIONS) : wireSettings(o, OPTIONS);
  const maxWorkers = optionalInteger('max_workers', o.maxWorkers);
  if (maxWorkers !== undefined && maxWorkers < 1) throw new BacktestError(`max_workers must be >= 1, got ${intText(maxWorkers)}`, 'invalid_parameter');
  /** @type {Record<string, unknown>} */
  const walk = {};
  for (const key of WALK_OPTIONS) if (o[key] !== undefined) walk[key] = plain(o[key]);
  // `maximize` names a metric in camelCase here, as optimize's does; the engine reads snake_case.
  let unknownMetric = null;
  if (typeof walk.maximize === 'string') {
    const metric = names().metrics.find((m) => m.key === walk.maximize);
    if (metric) walk.maximize = metric.name;
    else {
      unknownMetric = walk.maximize;
      delete walk.maximize;
    }
  }
  const values = plain(params);
  // A universe's strategy may be a dict of strategies: the engine refuses it with Python's message.
  const tree = portfolio ? portfolioStrategy(strategy) : strategyValue(strategy);
  /** @type {WalkRequest} */
  const request = { strategy: tree, settings, params: values, constraint: null, options: walk };
  if (typeof o.constraint === 'function') Object.assign(request, filteredRows(values, o.constraint));
  else if (o.constraint !== undefined && o.constraint !== null) request.constraint = strategyValue(o.constraint, 'constraint');
  return { request, unknownMetric, maxWorkers };
}

/**
 * The engine's plan of a checked walk on `bars` (one asset's or a universe's), on the calling
 * thread: every value checked in the engine's order (an unknown `maximize` is the last option
 * checked), then the bars against the first window. The caller frees it.
 * @param {CheckedWalk} checked @param {import('./core.js').MarketData | Universe} bars
 * @returns {any} a WasmWalk or, on a universe, a WasmPortfolioWalk
 */
export function planWalk({ request: r, unknownMetric }, bars) {
  const raw = rawExports();
  const handle = walkHandle(bars);
  const plan = wasmCall(() =>
    bars instanceof Universe
      ? new raw.WasmPortfolioWalk(handle, r.strategy, r.settings, r.params, r.constraint, r.names, r.rows, r.options)
      : new raw.WasmWalk(r.strategy, r.settings, r.params, r.constraint, r.names, r.rows, r.options),
  );
  try {
    if (unknownMetric !== null) {
      const near = raw.nearestName(unknownMetric, names().metricKeys);
      throw new BacktestError(`unknown metric '${unknownMetric}'; did you mean '${near}'?`, 'invalid_parameter');
    }
    wasmCall(() => plan.check(handle));
  } catch (e) {
    plan.free();
    throw e;
  }
  return plan;
}

/**
 * A planned walk on `bars` on the calling thread (the plan is freed).
 * @param {any} plan @param {import('./core.js').MarketData | Universe} bars @returns {WalkForwardResult}
 */
export function runPlannedWalk(plan, bars) {
  try {
    const out = wasmCall(() => plan.run(walkHandle(bars)));
    return bars instanceof Universe ? walkResult(out, bars.dates, bars.symbols) : walkResult(out, bars.dates);
  } finally {
    plan.free();
  }
}

/** The engine's handle of a walk's bars. @param {import('./core.js').MarketData | Universe} bars @returns {any} */
function walkHandle(bars) {
  return bars instanceof Universe ? universeHandle(bars) : handleOf(bars);
}
