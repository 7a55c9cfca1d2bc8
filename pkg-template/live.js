// quant-backtest: live runs (SPEC part 11) for JS, as the Python package has them
// (python/quant_backtest/live.py): push one bar at a time, get the events it caused, and at any
// point the batch run's result on the bars pushed so far, bit for bit. `RustEngine` (core.js)
// makes them (`engine.live`, `engine.liveFromJSON`) through the functions at the end of this
// file.
//
// core.js imports this module and this module imports core.js: nothing here touches core.js's
// bindings while the modules load (only when called).

import {
  BacktestError,
  asBacktestError,
  describeValue,
  optionsObject,
  plain,
  rawExports,
  strategyResult,
  strategyValue,
  wasmCall,
  wireSettings,
} from './core.js';
import { livePortfolioRun } from './live-portfolio.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const LIVE_TOKEN = Symbol('LiveRun');
const MS_PER_DAY = 86_400_000;

/** What `engine.live` takes besides the settings. */
const LIVE_OPTIONS = Object.freeze(['params', 'symbol', 'equityCurve']);

/** The events of a bar that caused none (shared: event arrays are frozen). */
const NO_EVENTS = Object.freeze(/** @type {any[]} */ ([]));

/** @type {null | { stride: number, portfolio_stride: number, kinds: string[], sides: string[], reasons: string[] }} */
let EVENT_NAMES = null;

/**
 * The tables the packed events index (read once from the wasm build); a portfolio's events
 * have `portfolio_stride` numbers, the asset's index last.
 */
export function eventNames() {
  if (EVENT_NAMES === null) EVENT_NAMES = Object.freeze(rawExports().liveNames());
  return /** @type {NonNullable<typeof EVENT_NAMES>} */ (EVENT_NAMES);
}

/**
 * A Date as MarketData writes one (core.js's dateColumn, for a single date): midnight UTC as a
 * plain date, any other instant as full ISO 8601.
 * @param {Date} d
 */
export function dateText(d) {
  const ms = d.getTime();
  if (Number.isNaN(ms)) return 'Invalid Date';
  const iso = d.toISOString();
  return ms % MS_PER_DAY === 0 ? iso.slice(0, 10) : iso;
}

/** Whether every key of `bar` is a bar field (no allocation: this runs on every push). @param {object} bar */
export function onlyBarFields(bar) {
  for (const key in bar) {
    switch (key) {
      case 'date':
      case 'open':
      case 'high':
      case 'low':
      case 'close':
      case 'volume':
      case 'symbol':
        continue;
      default:
        return false;
    }
  }
  return true;
}

/**
 * A bar object for the core to read (the path of bars that are not plain and valid-looking:
 * the core's `read_bar` gives the Python package's message). Undefined values are left out,
 * as a missing field; a Date is ISO text.
 * @param {Record<string, unknown>} bar
 */
export function barValue(bar) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const key of Object.keys(bar)) {
    const v = bar[key];
    if (v === undefined) continue;
    out[key] = key === 'date' && v instanceof Date ? dateText(v) : v;
  }
  return out;
}

/**
 * The events a push packed, as objects.
 * @param {any} handle @param {number} count @param {string | null} symbol
 * @returns {readonly LiveEvent[]}
 */
function unpackEvents(handle, count, symbol) {
  const { stride, kinds, sides, reasons } = eventNames();
  const packed = /** @type {Float64Array} */ (handle.events());
  const date = /** @type {string} */ (handle.lastDate());
  /** @type {LiveEvent[]} */
  const events = new Array(count);
  for (let i = 0; i < count; i++) {
    const k = i * stride;
    const price = packed[k + 4];
    const size = packed[k + 5];
    events[i] = Object.freeze({
      kind: /** @type {LiveEvent['kind']} */ (kinds[packed[k]]),
      bar: packed[k + 1],
      date,
      symbol,
      side: /** @type {LiveEvent['side']} */ (sides[packed[k + 2]]),
      // prices and sizes are finite: NaN is "none" (Python's None)
      price: Number.isNaN(price) ? null : price,
      size: Number.isNaN(size) ? null : size,
      reason: reasons[packed[k + 3]],
    });
  }
  return Object.freeze(events);
}

/**
 * @typedef {{ kind: 'signal' | 'order' | 'fill' | 'stop', bar: number, date: string,
 *   symbol: string | null, side: 'long' | 'short', price: number | null, size: number | null,
 *   reason: string }} LiveEvent
 */

/**
 * A live run of one strategy on one asset. Make it with `engine.live(strategy, options)` or
 * resume one with `engine.liveFromJSON(text)` / `LiveRun.fromJSON(text)`.
 */
export class LiveRun {
  /** @type {any} the WasmLiveRun, null once freed */
  #handle;
  /** @type {string | null} */
  #symbol;

  /** @param {symbol} token @param {any} handle */
  constructor(token, handle) {
    if (token !== LIVE_TOKEN) throw new TypeError('LiveRun is made by engine.live(...) or LiveRun.fromJSON(text), not constructed');
    this.#handle = handle;
    this.#symbol = handle.symbol() ?? null;
  }

  /**
   * A run resumed from `toJSON()`'s text (saved by any engine, JS or Python): all of it, or a
   * `BacktestError` (code `invalid_state`) saying why not.
   * @param {unknown} text @returns {LiveRun}
   */
  static fromJSON(text) {
    if (typeof text !== 'string') throw new BacktestError(`a live state must be JSON text, got ${describeValue(text)}`, 'invalid_state');
    return new LiveRun(LIVE_TOKEN, wasmCall(() => rawExports().WasmLiveRun.fromJSON(text)));
  }

  #live() {
    if (this.#handle === null) throw new BacktestError('this live run has been freed', 'invalid_argument');
    return this.#handle;
  }

  /**
   * One bar (`{ date, open, high, low, close, volume, symbol? }`; `date` ISO text or a Date):
   * checked as batch data is (the row is its index in the run) and refused, leaving the run
   * exactly as it was, when it is bad; else the events it caused (a frozen array, most often
   * empty).
   * @param {unknown} bar @returns {readonly LiveEvent[]}
   */
  push(bar) {
    const h = this.#live();
    let count;
    try {
      // Arrays and typed arrays go to the core as they are (refused: not a bar object).
      if (bar !== null && typeof bar === 'object' && !Array.isArray(bar) && !ArrayBuffer.isView(bar)) {
        const b = /** @type {Record<string, unknown>} */ (bar);
        let date = b.date;
        if (date instanceof Date) date = dateText(date);
        const { open, high, low, close, volume, symbol } = b;
        if (
          typeof date === 'string' &&
          typeof open === 'number' &&
          typeof high === 'number' &&
          typeof low === 'number' &&
          typeof close === 'number' &&
          typeof volume === 'number' &&
          (symbol === undefined || symbol === null || (symbol === this.#symbol && typeof symbol === 'string')) &&
          onlyBarFields(b)
        ) {
          count = h.push(date, open, high, low, close, volume);
        } else {
          count = h.pushValue(barValue(b));
        }
      } else {
        count = h.pushValue(bar);
      }
    } catch (e) {
      throw asBacktestError(e);
    }
    return count === 0 ? NO_EVENTS : unpackEvents(h, count, this.#symbol);
  }

  /**
   * Each bar in turn; every event, in order. A bad bar stops it there (the bars before it stay
   * pushed).
   * @param {Iterable<unknown>} bars @returns {LiveEvent[]}
   */
  pushMany(bars) {
    /** @type {LiveEvent[]} */
    const events = [];
    for (const bar of bars) {
      const got = this.push(bar);
      for (let i = 0; i < got.length; i++) events.push(got[i]);
    }
    return events;
  }

  /**
   * `for await (const events of live.feed(source))`: each bar of an async (or sync) iterable
   * pushed as it comes, its events yielded.
   * @param {AsyncIterable<unknown> | Iterable<unknown>} bars @returns {AsyncGenerator<readonly LiveEvent[], void, undefined>}
   */
  async *feed(bars) {
    for await (const bar of bars) yield this.push(bar);
  }

  /** The open position (side and units), or null when flat. @returns {{ side: 'long' | 'short', size: number } | null} */
  get position() {
    const h = this.#live();
    const side = h.positionSide();
    return side === undefined ? null : Object.freeze({ side, size: h.positionSize() });
  }

  /**
   * The order waiting for the next open: `'open_long'`, `'open_short'`, `'close'`,
   * `'reverse_long'`, `'reverse_short'`, or null.
   * @returns {string | null}
   */
  get pending() {
    return this.#live().pending() ?? null;
  }

  /** @returns {number} */
  get cash() {
    return this.#live().cash();
  }

  /** The equity at the last close (the initial capital before the first bar). @returns {number} */
  get equity() {
    return this.#live().equity();
  }

  /** Bars pushed so far. @returns {number} */
  get bars() {
    return this.#live().bars();
  }

  /** The last bar's date, as pushed, or null. @returns {string | null} */
  get lastDate() {
    return this.#live().lastDate() ?? null;
  }

  /** The asset this run trades (bars naming another are refused), or null. */
  get symbol() {
    return this.#symbol;
  }

  /**
   * The batch run's result on the bars pushed so far, bit for bit (the `StrategyResult` of
   * `runBacktest`; its equity curve empty when the run was made with `equityCurve: false`).
   * Refused before the first bar, as empty data is.
   */
  result() {
    const h = this.#live();
    return strategyResult(wasmCall(() => h.result()), null);
  }

  /**
   * The saved state: JSON TEXT (format `quant-backtest/live-state`, version 1, with a
   * checksum), the same text the Python package's `to_json()` gives after the same pushes.
   * `engine.liveFromJSON(text)` resumes it, in JS or Python. Being text, `JSON.stringify(live)`
   * would encode it again as a string: save `live.toJSON()` itself.
   * @returns {string}
   */
  toJSON() {
    return this.#live().toJSON();
  }

  /** Frees the engine's memory now (else the garbage collector does); the run is then unusable. */
  free() {
    const h = this.#handle;
    this.#handle = null;
    if (h !== null) h.free();
  }

  toString() {
    if (this.#handle === null) return 'LiveRun(freed)';
    const p = this.position;
    const position = p === null ? 'null' : `{ side: '${p.side}', size: ${p.size} }`;
    return `LiveRun(bars=${this.bars}, position=${position}, equity=${this.equity})`;
  }

  [INSPECT]() {
    return this.toString();
  }
}

/** A LiveRun of a WasmLiveRun handle (live-portfolio.js's `liveFromJSON`). @param {any} handle */
export function adoptLiveRun(handle) {
  return new LiveRun(LIVE_TOKEN, handle);
}

/**
 * `engine.live(strategy, options)`: options are the settings of `runBacktest` (camelCase) and
 * `params`, `symbol`, `equityCurve` (default true); with `symbols`, a portfolio's run
 * (live-portfolio.js).
 * @param {unknown} strategy @param {unknown} options @returns {LiveRun | import('./live-portfolio.js').LivePortfolioRun}
 */
export function liveRun(strategy, options) {
  const o = optionsObject(options, 'options');
  if (o.symbols !== undefined && o.symbols !== null) return livePortfolioRun(strategy, o);
  const settings = wireSettings(o, LIVE_OPTIONS);
  const equityCurve = o.equityCurve === undefined ? true : o.equityCurve;
  if (typeof equityCurve !== 'boolean') {
    throw new BacktestError(`equity_curve must be true or false, got ${describeValue(equityCurve)}`, 'invalid_parameter');
  }
  const symbol = o.symbol ?? null;
  if (symbol !== null && typeof symbol !== 'string') {
    throw new BacktestError(`symbol must be a string, got ${describeValue(symbol)}`, 'invalid_parameter');
  }
  const tree = strategyValue(strategy);
  // As Python's default (None): no params is null in the saved request, so that the same call
  // saves the same text in both languages.
  const params = o.params === undefined || o.params === null ? null : plain(o.params);
  const Live = rawExports().WasmLiveRun;
  return new LiveRun(LIVE_TOKEN, wasmCall(() => new Live(tree, settings, params, symbol ?? undefined, equityCurve)));
}
