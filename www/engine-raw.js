// The page's route to the engine's raw strategy exports (runStrategy, indicator, catalog).
// Why: the package's browser entry does not expose them yet (its strategy API, engine.runBacktest
// and indicators.*, is being written). The raw module is the very instance that `init()` of the
// browser entry instantiated (same URL, so the same ES module), so nothing loads twice.
// When the package API lands, this file is the one place to swap.
import * as raw from 'quant-backtest/raw';

/** @typedef {{ entryIndex: number, exitIndex: number, entryDate: string, exitDate: string, entryPrice: number, exitPrice: number, size: number, pnl: number, returnPct: number, barsHeld: number, direction: string, exitReason: string }} Trade */

/** @type {any} */
let catalogCache = null;
/** The engine's catalog: indicators, settings, metrics, trade fields, sides, exit reasons. */
export function catalog() {
  if (catalogCache === null) catalogCache = raw.catalog();
  return catalogCache;
}

/** MarketData (package) -> WasmMarketData (raw), made once per MarketData. */
const wasmData = new WeakMap();

/** @param {any} md a MarketData of the package @returns {any} */
export function rawData(md) {
  let w = wasmData.get(md);
  if (!w) {
    const c = md.toColumns();
    w = new raw.WasmMarketData(c.symbol, c.dates, c.open, c.high, c.low, c.close, c.volume);
    wasmData.set(md, w);
  }
  return w;
}

/** Frees the raw copy of bars the page no longer shows. @param {any} md */
export function dropData(md) {
  const w = md && wasmData.get(md);
  if (w) {
    wasmData.delete(md);
    w.free();
  }
}

/**
 * One run of a wire strategy tree (its own `settings` key included) on the bars; the packed
 * output unpacked with the catalog's names: metrics by snake name, trades as objects.
 * Throws the engine's BacktestError (name 'BacktestError', `.code`) for a bad tree.
 * @param {any} md @param {unknown} strategy @param {Record<string, unknown>} [settings] @param {Record<string, number>} [params]
 */
export function runStrategy(md, strategy, settings = {}, params = {}) {
  const cat = catalog();
  const out = raw.runStrategy(rawData(md), strategy, settings, params);
  /** @type {Record<string, number>} */
  const metrics = {};
  cat.metrics.forEach((/** @type {{ name: string }} */ m, /** @type {number} */ i) => {
    metrics[m.name] = out.metrics[i];
  });
  const f = cat.trade_fields;
  const at = Object.fromEntries(f.map((/** @type {string} */ name, /** @type {number} */ i) => [name, i]));
  const dates = md.dates;
  /** @type {Trade[]} */
  const trades = [];
  for (let k = 0; k + f.length <= out.trades.length; k += f.length) {
    const v = (/** @type {string} */ name) => out.trades[k + at[name]];
    trades.push({
      entryIndex: v('entry_index'),
      exitIndex: v('exit_index'),
      entryDate: dates[v('entry_index')],
      exitDate: dates[v('exit_index')],
      entryPrice: v('entry_price'),
      exitPrice: v('exit_price'),
      size: v('size'),
      pnl: v('pnl'),
      returnPct: v('return_pct'),
      barsHeld: v('bars_held'),
      direction: cat.sides[v('direction')],
      exitReason: cat.exit_reasons[v('exit_reason')],
    });
  }
  return { metrics, trades, equityCurve: /** @type {Float64Array} */ (out.equity_curve), params: out.params, executionTimeMs: /** @type {number} */ (out.execution_time_ms) };
}

/**
 * The outputs of one indicator over whole columns (raw `indicator`): an array of Float64Array.
 * @param {string} name @param {Record<string, number>} params @param {Float64Array} source
 * @param {{ high?: Float64Array, low?: Float64Array, close?: Float64Array }} [hlc] for atr
 * @returns {Float64Array[]}
 */
export function indicatorOutputs(name, params, source, hlc = {}) {
  const none = new Float64Array(0);
  return Array.from(raw.indicator(name, params, source, hlc.high ?? none, hlc.low ?? none, hlc.close ?? none));
}

/** Whether an error is the engine's own (a BacktestError from the raw module or the package). @param {unknown} e */
export const isEngineError = (e) => e instanceof Error && e.name === 'BacktestError';
