// quant-backtest: live portfolio runs (SPEC part 11) for JS, as the Python package has them
// (python/quant_backtest/live.py, LivePortfolioRun): push one bar set per instant (symbol ->
// bar, or null when the asset has no bar then), get the events it caused, and at any point
// `runPortfolio`'s result on the started assets' bars so far, bit for bit. `engine.live(strategy,
// { symbols })` makes one (live.js dispatches here), `engine.liveFromJSON(text)` resumes either
// kind of live run.
//
// A plain bar set (every started asset given, bars of numbers and a string date, no other
// field) crosses packed: its prices in one Float64Array, a presence mask, the dates as one
// string; the core checks the values as it checks any bar. Anything else crosses as the object
// itself and the core reads it, with its own messages (an unknown symbol, a started asset left
// out, a bad field).
//
// core.js imports live.js, which imports this module, which imports both: nothing here touches
// their bindings while the modules load (only when called).

import { BacktestError, asBacktestError, describeValue, plain, rawExports, wasmCall } from './core.js';
import { portfolioResult, portfolioSettings, portfolioStrategy } from './portfolio.js';
import { adoptLiveRun, barValue, dateText, eventNames, onlyBarFields } from './live.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const LIVE_PORTFOLIO_TOKEN = Symbol('LivePortfolioRun');

/** What `engine.live` takes besides the settings (and `maxPositions`) for a portfolio. */
const LIVE_PORTFOLIO_OPTIONS = Object.freeze(['params', 'symbols', 'symbol', 'equityCurve']);

/** The events of a bar set that caused none (shared: event arrays are frozen). */
const NO_EVENTS = Object.freeze(/** @type {any[]} */ ([]));

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A bar set for the core to read (the path of sets that are not plain and well-formed): an
 * undefined entry is left out (as a missing one), each bar object as live.js hands one bar.
 * @param {unknown} set
 */
function barSetValue(set) {
  if (!isPlainObject(set)) return set;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const key of Object.keys(set)) {
    const v = set[key];
    if (v === undefined) continue;
    out[key] = isPlainObject(v) ? barValue(v) : v;
  }
  return out;
}

/**
 * @typedef {import('./live.js').LiveEvent} LiveEvent
 * @typedef {{ readonly side: 'long' | 'short', readonly size: number }} LivePosition
 */

/**
 * A live run of a portfolio: one strategy (or one per symbol) and one cash account over
 * `symbols`. Make it with `engine.live(strategy, { symbols: [...] })` or resume one with
 * `engine.liveFromJSON(text)` / `LivePortfolioRun.fromJSON(text)`.
 */
export class LivePortfolioRun {
  /** @type {any} the WasmLivePortfolio, null once freed */
  #handle;
  /** @type {readonly string[]} */
  #symbols;
  /** 1 for each asset (universe order) that has had a bar: a bar set must then give it. */
  #started;
  /** Scratch of the packed path: the presence mask, the prices, the dates. */
  #present;
  #prices;
  /** @type {string[]} */
  #dates = [];

  /** @param {symbol} token @param {any} handle */
  constructor(token, handle) {
    if (token !== LIVE_PORTFOLIO_TOKEN) {
      throw new TypeError('LivePortfolioRun is made by engine.live(strategy, { symbols }) or LivePortfolioRun.fromJSON(text), not constructed');
    }
    this.#handle = handle;
    this.#symbols = Object.freeze(/** @type {string[]} */ (handle.symbols()));
    this.#started = /** @type {Uint8Array} */ (handle.started());
    this.#present = new Uint8Array(this.#symbols.length);
    this.#prices = new Float64Array(5 * this.#symbols.length);
  }

  /**
   * A portfolio run resumed from `toJSON()`'s text (saved by any engine, JS or Python): all
   * of it, or a `BacktestError` (code `invalid_state`) saying why not (a one-asset run's state
   * among them: `engine.liveFromJSON` resumes either kind).
   * @param {unknown} text @returns {LivePortfolioRun}
   */
  static fromJSON(text) {
    if (typeof text !== 'string') throw new BacktestError(`a live state must be JSON text, got ${describeValue(text)}`, 'invalid_state');
    return new LivePortfolioRun(LIVE_PORTFOLIO_TOKEN, wasmCall(() => rawExports().WasmLivePortfolio.fromJSON(text)));
  }

  #live() {
    if (this.#handle === null) throw new BacktestError('this live run has been freed', 'invalid_argument');
    return this.#handle;
  }

  /**
   * `set` packed into the scratch when it is plain and well-formed: the number of bars, or
   * -1 (the core reads it instead). Allocates nothing but a date's text.
   * @param {unknown} set
   */
  #pack(set) {
    if (!isPlainObject(set)) return -1;
    const symbols = this.#symbols;
    const started = this.#started;
    const present = this.#present;
    const prices = this.#prices;
    const dates = this.#dates;
    dates.length = 0;
    let given = 0;
    let k = 0;
    for (let i = 0; i < symbols.length; i++) {
      const symbol = symbols[i];
      const bar = Object.hasOwn(set, symbol) ? set[symbol] : undefined;
      if (Object.hasOwn(set, symbol)) given++;
      if (bar === null || bar === undefined) {
        // Left out (or undefined): only an asset that has not started may be.
        if (bar === undefined && started[i]) return -1;
        present[i] = 0;
        continue;
      }
      if (typeof bar !== 'object' || Array.isArray(bar) || ArrayBuffer.isView(bar)) return -1;
      const b = /** @type {Record<string, unknown>} */ (bar);
      let date = b.date;
      if (date instanceof Date) date = dateText(date);
      const { open, high, low, close, volume, symbol: named } = b;
      if (
        typeof date !== 'string' ||
        typeof open !== 'number' ||
        typeof high !== 'number' ||
        typeof low !== 'number' ||
        typeof close !== 'number' ||
        typeof volume !== 'number' ||
        !(named === undefined || named === null || named === symbol) ||
        !onlyBarFields(b)
      ) {
        return -1;
      }
      const at = 5 * k;
      prices[at] = open;
      prices[at + 1] = high;
      prices[at + 2] = low;
      prices[at + 3] = close;
      prices[at + 4] = volume;
      present[i] = 1;
      dates.push(date);
      k++;
    }
    // A key that is not a symbol: the core names it.
    let keys = 0;
    for (const _ in set) keys++;
    if (keys !== given) return -1;
    return k;
  }

  /**
   * One instant: `{ symbol: bar or null, ... }` (a bar as `LiveRun.push` takes one; null, or
   * leaving it out before its first bar, when the asset has no bar then). Every bar is checked
   * as batch data is (its row the asset's own bar index, the message naming the asset) and all
   * share one instant after the last one; refused, the run is left exactly as it was. Else the
   * events it caused (a frozen array, most often empty), each naming its symbol.
   * @param {unknown} barSet @returns {readonly LiveEvent[]}
   */
  push(barSet) {
    const h = this.#live();
    let count;
    let date;
    try {
      const k = this.#pack(barSet);
      if (k > 0) {
        const dates = this.#dates;
        date = dates[0];
        let text = date;
        for (let j = 1; j < k; j++) {
          if (dates[j] !== date) {
            text = dates.join('\n');
            break;
          }
        }
        // A date holding the separator would be split: the core reads that set instead.
        if (text.includes('\n') && dates.some((d) => d.includes('\n'))) {
          count = h.pushValue(barSetValue(barSet));
          date = undefined;
          this.#started = h.started();
        } else {
          count = h.pushBars(text, this.#present, this.#prices.subarray(0, 5 * k));
          const present = this.#present;
          const started = this.#started;
          for (let i = 0; i < present.length; i++) if (present[i]) started[i] = 1;
        }
      } else {
        count = h.pushValue(barSetValue(barSet));
        this.#started = h.started();
      }
    } catch (e) {
      throw asBacktestError(e);
    }
    if (count === 0) return NO_EVENTS;
    return this.#events(h, count, date ?? /** @type {string} */ (h.lastDate()));
  }

  /**
   * The events a push packed, as objects (all of one instant: its date).
   * @param {any} h @param {number} count @param {string} date @returns {readonly LiveEvent[]}
   */
  #events(h, count, date) {
    const { portfolio_stride: stride, kinds, sides, reasons } = eventNames();
    const packed = /** @type {Float64Array} */ (h.events());
    const symbols = this.#symbols;
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
        symbol: symbols[packed[k + 6]],
        side: /** @type {LiveEvent['side']} */ (sides[packed[k + 2]]),
        // prices and sizes are finite: NaN is "none" (Python's None)
        price: Number.isNaN(price) ? null : price,
        size: Number.isNaN(size) ? null : size,
        reason: /** @type {LiveEvent['reason']} */ (reasons[packed[k + 3]]),
      });
    }
    return Object.freeze(events);
  }

  /**
   * Each bar set in turn; every event, in order. A bad set stops it there (the sets before it
   * stay pushed).
   * @param {Iterable<unknown>} barSets @returns {LiveEvent[]}
   */
  pushMany(barSets) {
    /** @type {LiveEvent[]} */
    const events = [];
    for (const set of barSets) {
      const got = this.push(set);
      for (let i = 0; i < got.length; i++) events.push(got[i]);
    }
    return events;
  }

  /**
   * `for await (const events of live.feed(source))`: each bar set of an async (or sync)
   * iterable pushed as it comes, its events yielded.
   * @param {AsyncIterable<unknown> | Iterable<unknown>} barSets @returns {AsyncGenerator<readonly LiveEvent[], void, undefined>}
   */
  async *feed(barSets) {
    for await (const set of barSets) yield this.push(set);
  }

  /** The open positions: symbol -> side and units, in universe order. @returns {Readonly<Record<string, LivePosition>>} */
  get positions() {
    const packed = /** @type {Float64Array} */ (this.#live().positions());
    const { sides } = eventNames();
    /** @type {Record<string, LivePosition>} */
    const out = {};
    for (let k = 0; k + 3 <= packed.length; k += 3) {
      out[this.#symbols[packed[k]]] = Object.freeze({ side: /** @type {'long' | 'short'} */ (sides[packed[k + 1]]), size: packed[k + 2] });
    }
    return Object.freeze(out);
  }

  /**
   * The orders waiting for their asset's next bar: symbol -> `'open_long'`, `'open_short'`,
   * `'close'`, `'reverse_long'` or `'reverse_short'`.
   * @returns {Readonly<Record<string, string>>}
   */
  get pending() {
    return Object.freeze(Object.fromEntries(/** @type {[string, string][]} */ (this.#live().pending())));
  }

  /** The shared cash. @returns {number} */
  get cash() {
    return this.#live().cash();
  }

  /** The equity at the last close (the initial capital before the first instant). @returns {number} */
  get equity() {
    return this.#live().equity();
  }

  /** Instants pushed so far. @returns {number} */
  get bars() {
    return this.#live().bars();
  }

  /** The last instant's date (as its first asset with a bar wrote it), or null. @returns {string | null} */
  get lastDate() {
    return this.#live().lastDate() ?? null;
  }

  /** The symbols, in universe order. @returns {readonly string[]} */
  get symbols() {
    return this.#symbols;
  }

  /** The symbols that have had a bar (a bar set must then give each, a bar or null), in universe order. @returns {readonly string[]} */
  get started() {
    this.#live();
    return Object.freeze(this.#symbols.filter((_, i) => this.#started[i] === 1));
  }

  /**
   * `runPortfolio`'s result on the started assets' bars so far, bit for bit (a
   * `PortfolioResult` over those assets; its curves and dates empty when the run was made with
   * `equityCurve: false`). Refused before the first instant, as empty data is.
   */
  result() {
    const h = this.#live();
    const out = wasmCall(() => h.result());
    return portfolioResult(out, /** @type {any} */ ({ symbols: out.symbols, dates: out.dates }));
  }

  /**
   * The saved state: JSON TEXT (the format of `LiveRun.toJSON()`), the same text the Python
   * package's `to_json()` gives after the same pushes; `engine.liveFromJSON(text)` resumes it.
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
    if (this.#handle === null) return 'LivePortfolioRun(freed)';
    const symbols = this.#symbols.map((s) => `'${s}'`).join(', ');
    return `LivePortfolioRun(symbols=[${symbols}], bars=${this.bars}, positions=${Object.keys(this.positions).length}, equity=${this.equity})`;
  }

  [INSPECT]() {
    return this.toString();
  }
}

/**
 * `engine.live(strategy, { symbols, ... })`: the settings of `runPortfolio` (camelCase, with
 * `maxPositions`), `params`, `symbols` (the universe, in order) and `equityCurve`.
 * @param {unknown} strategy @param {Record<string, any>} o @returns {LivePortfolioRun}
 */
export function livePortfolioRun(strategy, o) {
  const settings = portfolioSettings(o, LIVE_PORTFOLIO_OPTIONS);
  const equityCurve = o.equityCurve === undefined ? true : o.equityCurve;
  if (typeof equityCurve !== 'boolean') {
    throw new BacktestError(`equity_curve must be true or false, got ${describeValue(equityCurve)}`, 'invalid_parameter');
  }
  const symbol = o.symbol ?? null;
  if (symbol !== null && typeof symbol !== 'string') {
    throw new BacktestError(`symbol must be a string, got ${describeValue(symbol)}`, 'invalid_parameter');
  }
  if (symbol !== null) {
    throw new BacktestError('give symbol (one asset) or symbols (a portfolio), not both', 'invalid_parameter');
  }
  const given = o.symbols;
  if (typeof given === 'string' || given === null || typeof given !== 'object' || typeof given[Symbol.iterator] !== 'function') {
    throw new BacktestError(`symbols must be a list of strings, got ${describeValue(given)}`, 'invalid_parameter');
  }
  const symbols = Array.from(/** @type {Iterable<unknown>} */ (given));
  symbols.forEach((s, i) => {
    if (typeof s !== 'string') throw new BacktestError(`symbols[${i}] must be a string, got ${describeValue(s)}`, 'invalid_parameter');
  });
  const tree = portfolioStrategy(strategy);
  // As Python's default (None): no params is null in the saved request.
  const params = o.params === undefined || o.params === null ? null : plain(o.params);
  const Live = rawExports().WasmLivePortfolio;
  return new LivePortfolioRun(LIVE_PORTFOLIO_TOKEN, wasmCall(() => new Live(tree, settings, params, /** @type {string[]} */ (symbols), equityCurve)));
}

/**
 * `engine.liveFromJSON(text)`: the run a saved state holds, a `LiveRun` or a
 * `LivePortfolioRun`.
 * @param {unknown} text @returns {import('./live.js').LiveRun | LivePortfolioRun}
 */
export function liveFromJSON(text) {
  if (typeof text !== 'string') throw new BacktestError(`a live state must be JSON text, got ${describeValue(text)}`, 'invalid_state');
  const raw = rawExports();
  const handle = wasmCall(() => raw.liveFromJSON(text));
  return handle instanceof raw.WasmLivePortfolio ? new LivePortfolioRun(LIVE_PORTFOLIO_TOKEN, handle) : adoptLiveRun(handle);
}
