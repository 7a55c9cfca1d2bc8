// quant-backtest: the JS API, written once for every platform.
//
// This module holds all of the API logic (argument checks with the Python package's messages,
// errors, MarketData, results, the cache, sample data, grids). It knows nothing about the
// platform: the entry points (`node.js`, `browser.js`) hand it the raw wasm-bindgen exports and,
// in Node, a factory for a worker-thread pool, through `setup()`. It is not a public entry
// point of the package (package.json's `exports` does not list it).

/** @typedef {'invalid_market_data' | 'invalid_parameter' | 'invalid_grid' | 'invalid_argument' | 'invalid_strategy' | 'invalid_signals' | 'invalid_state'} ErrorCode */

import {
  Universe,
  planPortfolioSweep,
  portfolioRequest,
  portfolioResult,
  portfolioSettings,
  portfolioStrategy,
  runPortfolioHere,
  universeColumns,
  universeHandle,
} from './portfolio.js';

export { PortfolioResult, Universe, generateSampleUniverse } from './portfolio.js';
import { liveRun } from './live.js';
import { liveFromJSON } from './live-portfolio.js';
import { planWalk, runPlannedWalk, walkRequest, walkResult } from './walk.js';

export { LiveRun } from './live.js';
export { LivePortfolioRun } from './live-portfolio.js';
export { WalkForwardResult } from './walk.js';

const COLUMNS = /** @type {const} */ (['open', 'high', 'low', 'close', 'volume']);
const DEFAULTS = Object.freeze({
  initialCapital: 100_000,
  commissionRate: 0.001,
  fill: 'next_open',
  lotSize: 0,
  periodsPerYear: 252,
});
const METRICS = /** @type {const} */ ([
  'totalReturn',
  'annualizedReturn',
  'volatility',
  'sharpeRatio',
  'sortinoRatio',
  'maxDrawdown',
  'tradeCount',
  'winRate',
]);
const GRID_COLUMNS = /** @type {const} */ (['fastPeriod', 'slowPeriod', ...METRICS]);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// ---------------------------------------------------------------------------------------------
// Platform wiring

const state = {
  /** @type {any} the wasm-bindgen exports (`pkg/wasm/quant_backtest.js`) */
  raw: null,
  ready: false,
  /** @type {'node' | 'browser'} */
  platform: 'browser',
  /** @type {() => number} the default `maxWorkers` */
  defaultWorkers: () => 1,
  /** @type {null | (() => any)} makes a worker pool (Node: worker_threads; browsers: the engine Worker); null: everything on this thread */
  createPool: null,
  /** whether every grid and async backtest goes to the pool, whatever `maxWorkers` (browsers: the engine Worker keeps the page free) */
  poolForAll: false,
  /** @type {(bytes: Uint32Array) => Uint32Array} */
  getRandomValues: (bytes) => /** @type {any} */ (globalThis.crypto).getRandomValues(bytes),
  notReady: 'quant-backtest is not initialised: call `await init()` first',
};

/** The package version (the crate's); set when the wasm module is initialised. */
export let version = '';

/**
 * Wires the platform in (called once by node.js / browser.js, not by users).
 * @param {{ raw: any, platform: 'node' | 'browser', defaultWorkers?: () => number,
 *   createPool?: (() => any) | null, poolForAll?: boolean, getRandomValues?: (b: Uint32Array) => Uint32Array,
 *   notReady?: string }} options
 */
export function setup(options) {
  Object.assign(state, options);
}

/** Marks the wasm module as initialised (after initSync / the async init). */
export function markReady() {
  state.ready = true;
  version = state.raw.version();
}

function raw() {
  if (!state.ready) throw new Error(state.notReady);
  return state.raw;
}

/** The raw wasm-bindgen exports, once initialised (for the package's own modules: strategy.js, indicators.js). */
export function rawExports() {
  return raw();
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Input the engine refuses. `message` is the same as the Python package's `BacktestError`. */
export class BacktestError extends Error {
  /**
   * @param {string} message
   * @param {ErrorCode} [code]
   */
  constructor(message, code = 'invalid_argument') {
    super(message);
    Object.defineProperty(this, 'name', { value: 'BacktestError', enumerable: false, configurable: true, writable: true });
    /** @type {ErrorCode} */
    this.code = code;
  }
}

/**
 * THE one place where errors from the wasm engine (thrown in this thread, or sent back by a
 * worker as `{ name, message, code }`) become `BacktestError`s with the same message and code.
 * Anything else is returned as is.
 * @param {any} error
 * @returns {any}
 */
export function asBacktestError(error) {
  if (error instanceof BacktestError) return error;
  if (error !== null && typeof error === 'object' && error.name === 'BacktestError' && typeof error.message === 'string') {
    return new BacktestError(error.message, error.code ?? 'invalid_parameter');
  }
  return error;
}

/**
 * Calls into wasm; engine errors come out as `BacktestError`.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function wasmCall(fn) {
  try {
    return fn();
  } catch (e) {
    throw asBacktestError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks (the Python package's messages; snake_case names as in Python and Rust)

/**
 * A float as Rust's `{:?}` writes it: `100.0`, `0.1`, `1e-5`, `1e16`, `NaN`, `inf`.
 * @param {number} x
 */
export function formatFloat(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
  if (!m) return String(x);
  const [, sign, first, rest = '', e] = m;
  const exp = Number(e);
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    const digits = first + rest;
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac || '0'}`;
  }
  return `${sign}${first}${rest ? `.${rest}` : ''}e${exp}`;
}

/** A string as Python's `repr` writes it. @param {string} s */
function reprString(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** How a refused value appears in a message. @param {unknown} v */
function describe(v) {
  switch (typeof v) {
    case 'number':
      return formatFloat(v);
    case 'string':
      return reprString(v);
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return 'a function';
    default: {
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'an array';
      const name = /** @type {any} */ (v)?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}

/** @param {string} name @param {unknown} v @returns {number} */
function integer(name, v) {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new BacktestError(`${name} must be an integer, got ${describe(v)}`);
}

/** @param {string} name @param {unknown} v @returns {number | undefined} */
function optionalInteger(name, v) {
  return v === undefined || v === null ? undefined : integer(name, v);
}

/** @param {string} name @param {unknown} v @returns {number} */
function number(name, v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new BacktestError(`${name} must be a number, got ${describe(v)}`);
}

/** @param {unknown} v @returns {string} */
function fillValue(v) {
  if (typeof v !== 'string') throw new BacktestError(`fill must be 'next_open' or 'close', got ${describe(v)}`);
  return v;
}

/** @param {unknown} options @param {string} [what] @returns {Record<string, any>} */
function optionsObject(options, what = 'options') {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new BacktestError(`${what} must be an object, got ${describe(options)}`);
  return /** @type {Record<string, any>} */ (options);
}

/**
 * The shared settings, type-checked (wasm checks the values, in the documented order).
 * @param {Record<string, any>} o
 * @returns {[number, number, string, number, number]}
 */
function settingsOf(o) {
  const pick = (/** @type {keyof typeof DEFAULTS} */ k) => (o[k] === undefined ? DEFAULTS[k] : o[k]);
  return [
    number('initial_capital', pick('initialCapital')),
    number('commission_rate', pick('commissionRate')),
    fillValue(pick('fill')),
    number('lot_size', pick('lotSize')),
    number('periods_per_year', pick('periodsPerYear')),
  ];
}

/** @param {string} name @param {unknown} values @returns {number[]} */
function periodList(name, values) {
  if (typeof values === 'string' || values === null || values === undefined || typeof (/** @type {any} */ (values))[Symbol.iterator] !== 'function') {
    throw new BacktestError(`${name} must be a sequence of integers, got ${describe(values)}`);
  }
  const out = [];
  let i = 0;
  for (const v of /** @type {Iterable<unknown>} */ (values)) out.push(integer(`${name}[${i++}]`, v));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Market data

/** @type {WeakMap<object, { raw: any, symbol: string, length: number, dates: readonly string[] | null,
 *   cols: Record<string, Float64Array>, fingerprint: string | null }>} */
const INTERNAL = new WeakMap();

/** @param {unknown} values @returns {ArrayLike<unknown> | null} */
function sequence(values) {
  if (values === null || values === undefined || typeof values === 'string') return null;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) return /** @type {any} */ (values);
  if (typeof values === 'object' && typeof (/** @type {any} */ (values))[Symbol.iterator] === 'function') {
    return Array.from(/** @type {Iterable<unknown>} */ (values));
  }
  if (typeof values === 'object' && typeof (/** @type {any} */ (values)).length === 'number') {
    return /** @type {ArrayLike<unknown>} */ (values);
  }
  return null;
}

/** A numeric column as a fresh Float64Array (every cell a number). @param {string} field @param {unknown} values */
function floatColumn(field, values) {
  if (typeof values === 'string') throw new BacktestError(`${field} must be a sequence of numbers, got a string`);
  if (values instanceof Float64Array) return new Float64Array(values);
  const seq = sequence(values);
  if (seq === null || values instanceof DataView) {
    throw new BacktestError(`${field} must be a sequence of numbers, got ${describe(values)}`);
  }
  const out = new Float64Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i];
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else throw new BacktestError(`${field} at row ${i} must be a number, got ${describe(v)}`);
  }
  return out;
}

const MS_PER_DAY = 86_400_000;

/** ISO text for each date; strings are kept as given (the engine validates them). @param {unknown} values */
function dateColumn(values) {
  if (typeof values === 'string') throw new BacktestError('dates must be a sequence of ISO 8601 strings, not one string');
  const seq = sequence(values);
  if (seq === null) throw new BacktestError(`dates must be a sequence of ISO 8601 strings, got ${describe(values)}`);
  const items = Array.from(seq);
  // Date objects that are all midnight UTC are written as plain dates (as the Python package does
  // with midnight-only pandas timestamps); other Dates as full ISO 8601 instants.
  const dateOnly = items.every((d) => !(d instanceof Date) || d.getTime() % MS_PER_DAY === 0);
  return items.map((d) => {
    if (typeof d === 'string') return d;
    if (d instanceof Date) {
      if (Number.isNaN(d.getTime())) return 'Invalid Date';
      const iso = d.toISOString();
      return dateOnly ? iso.slice(0, 10) : iso;
    }
    return String(d);
  });
}

/**
 * @param {string} symbol @param {string[]} dates @param {Float64Array[]} cols
 * @returns {MarketData}
 */
function buildMarketData(symbol, dates, cols) {
  const handle = wasmCall(() => new (raw().WasmMarketData)(symbol, dates, ...cols));
  return adopt(handle, { symbol, dates: Object.freeze(dates), cols: Object.fromEntries(COLUMNS.map((c, i) => [c, cols[i]])) });
}

/**
 * Wraps a (validated) WasmMarketData.
 * @param {any} handle
 * @param {{ symbol?: string, dates?: readonly string[], cols?: Record<string, Float64Array> }} [known]
 * @returns {MarketData}
 */
function adopt(handle, known = {}) {
  const md = /** @type {MarketData} */ (Object.create(MarketData.prototype));
  INTERNAL.set(md, {
    raw: handle,
    symbol: known.symbol ?? handle.symbol,
    length: handle.length,
    dates: known.dates ?? null,
    cols: known.cols ?? {},
    fingerprint: null,
  });
  return md;
}

/** @param {MarketData} md */
function internal(md) {
  const i = INTERNAL.get(md);
  if (!i) throw new BacktestError('not a MarketData made by this package');
  return i;
}

/** @param {ReturnType<typeof internal>} i @returns {readonly string[]} */
function datesOf(i) {
  if (i.dates === null) i.dates = Object.freeze(/** @type {string[]} */ (i.raw.dates()));
  return i.dates;
}

const encoder = new TextEncoder();

// The fingerprint: FNV-1a 64 (on two 32-bit halves), fed 32-bit words rather than bytes (4x
// fewer steps). Only used inside this process (cache keys, the workers' data), never stored.
/** @param {{ hi: number, lo: number }} h @param {ArrayLike<number>} words */
function fnv1aWords(h, words) {
  let { hi, lo } = h;
  for (let k = 0; k < words.length; k++) {
    lo ^= words[k];
    // (hi, lo) *= 0x100000001b3 = 2**40 + 0x1b3, modulo 2**64
    const l = (lo >>> 0) * 0x1b3;
    const carry = Math.floor(l / 4294967296);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = l >>> 0;
  }
  h.hi = hi;
  h.lo = lo;
}

/** @param {{ hi: number, lo: number }} h @param {string} text */
function fnv1aText(h, text) {
  const bytes = encoder.encode(text);
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  fnv1aWords(h, [bytes.length]);
  fnv1aWords(h, new Uint32Array(padded.buffer));
}


/**
 * Fresh copies of the engine's own columns (what a worker receives) and their fingerprint.
 * @param {MarketData} md
 */
export function snapshot(md) {
  const i = internal(md);
  const columns = {
    symbol: i.symbol,
    dates: datesOf(i),
    open: /** @type {Float64Array} */ (i.raw.open()),
    high: /** @type {Float64Array} */ (i.raw.high()),
    low: /** @type {Float64Array} */ (i.raw.low()),
    close: /** @type {Float64Array} */ (i.raw.close()),
    volume: /** @type {Float64Array} */ (i.raw.volume()),
  };
  if (i.fingerprint === null) {
    const h = { hi: 0xcbf29ce4, lo: 0x84222325 };
    fnv1aText(h, `${columns.symbol}\0${columns.dates.join('\0')}`);
    for (const field of COLUMNS) {
      fnv1aText(h, field);
      const col = columns[field];
      fnv1aWords(h, new Uint32Array(col.buffer, col.byteOffset, col.length * 2));
    }
    i.fingerprint = h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
  }
  return { fingerprint: i.fingerprint, columns };
}

/** @param {unknown} v */
function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validated OHLCV bars. Construction refuses bad data with a `BacktestError` naming the field
 * and the 0-based row. The column arrays are copies: changing them does not change the bars the
 * engine uses.
 */
export class MarketData {
  /** @param {any} columns */
  constructor(columns) {
    if (!isPlainObject(columns)) {
      throw new BacktestError(`columns must be an object with dates, open, high, low, close and volume, got ${describe(columns)}`);
    }
    for (const key of ['dates', ...COLUMNS]) {
      if (columns[key] === undefined) throw new BacktestError(`data is missing column '${key}'`);
    }
    const symbol = columns.symbol === undefined || columns.symbol === null ? 'UNKNOWN' : String(columns.symbol);
    const dates = dateColumn(columns.dates);
    const cols = COLUMNS.map((c) => floatColumn(c, columns[c]));
    const handle = wasmCall(() => new (raw().WasmMarketData)(symbol, dates, ...cols));
    INTERNAL.set(this, {
      raw: handle,
      symbol,
      length: handle.length,
      dates: Object.freeze(dates),
      cols: Object.fromEntries(COLUMNS.map((c, i) => [c, cols[i]])),
      fingerprint: null,
    });
  }

  /** @param {any} columns */
  static fromColumns(columns) {
    return new MarketData(columns);
  }

  /**
   * Bars from records `{ date, open, high, low, close, volume }`.
   * @param {any} rows @param {string} [symbol]
   */
  static fromRows(rows, symbol = 'UNKNOWN') {
    const seq = sequence(rows);
    if (seq === null) throw new BacktestError(`rows must be a sequence of bars, got ${describe(rows)}`);
    const n = seq.length;
    const dates = new Array(n);
    const cols = COLUMNS.map(() => new Float64Array(n));
    for (let r = 0; r < n; r++) {
      const row = /** @type {any} */ (seq[r]);
      if (row === null || typeof row !== 'object') {
        throw new BacktestError(`row ${r} must be an object with date, open, high, low, close and volume, got ${describe(row)}`);
      }
      if (row.date === undefined) throw new BacktestError(`row ${r} is missing field 'date'`);
      dates[r] = row.date;
      for (let c = 0; c < COLUMNS.length; c++) {
        const field = COLUMNS[c];
        const v = row[field];
        if (typeof v === 'number') cols[c][r] = v;
        else if (typeof v === 'bigint') cols[c][r] = Number(v);
        else if (v === undefined) throw new BacktestError(`row ${r} is missing field '${field}'`);
        else throw new BacktestError(`${field} at row ${r} must be a number, got ${describe(v)}`);
      }
    }
    return buildMarketData(symbol === undefined || symbol === null ? 'UNKNOWN' : String(symbol), dateColumn(dates), cols);
  }

  /**
   * Bars from CSV text with a header row naming date, open, high, low, close and volume (any
   * case, any order; other columns are ignored). Rows in messages are 0-based data rows.
   * @param {string} text @param {{ symbol?: string }} [options]
   */
  static fromCsv(text, options = {}) {
    if (typeof text !== 'string') throw new BacktestError(`text must be a string, got ${describe(text)}`);
    const { symbol = 'UNKNOWN' } = keyed(options, [], ['symbol']);
    const records = parseCsv(text);
    if (records.length === 0) throw new BacktestError('CSV text has no header row');
    const header = records[0].map((h) => h.trim().toLowerCase());
    const dateName = ['date', 'datetime', 'timestamp'].find((n) => header.includes(n));
    /** @type {Record<string, number>} */
    const at = {};
    for (const key of ['date', ...COLUMNS]) {
      const idx = header.indexOf(key === 'date' ? dateName ?? 'date' : key);
      if (idx < 0) throw new BacktestError(`data is missing column '${key}'`);
      at[key] = idx;
    }
    const rows = records.slice(1);
    const n = rows.length;
    const dates = new Array(n);
    const cols = COLUMNS.map(() => new Float64Array(n));
    for (let r = 0; r < n; r++) {
      const cells = rows[r];
      if (cells.length !== header.length) {
        throw new BacktestError(`CSV row ${r} has ${cells.length} fields but the header has ${header.length}`);
      }
      dates[r] = cells[at.date].trim();
      for (let c = 0; c < COLUMNS.length; c++) {
        const field = COLUMNS[c];
        const cell = cells[at[field]].trim();
        const v = parseNumber(cell);
        if (v === null) throw new BacktestError(`${field} at row ${r} must be a number, got ${reprString(cell)}`);
        cols[c][r] = v;
      }
    }
    return buildMarketData(String(symbol), dates, cols);
  }

  /** @returns {string} */
  get symbol() {
    return internal(this).symbol;
  }

  /** @returns {number} */
  get length() {
    return internal(this).length;
  }

  /** @returns {readonly string[]} */
  get dates() {
    return datesOf(internal(this));
  }

  /** @returns {Float64Array} */
  get open() {
    return column(this, 'open');
  }

  /** @returns {Float64Array} */
  get high() {
    return column(this, 'high');
  }

  /** @returns {Float64Array} */
  get low() {
    return column(this, 'low');
  }

  /** @returns {Float64Array} */
  get close() {
    return column(this, 'close');
  }

  /** @returns {Float64Array} */
  get volume() {
    return column(this, 'volume');
  }

  /** A hash of the content (symbol, dates, every value): equal bars, equal fingerprint. */
  get fingerprint() {
    const i = internal(this);
    return i.fingerprint ?? snapshot(this).fingerprint;
  }

  /** Every column, as fresh copies. */
  toColumns() {
    const { columns } = snapshot(this);
    return { ...columns, dates: [...columns.dates] };
  }

  /** @param {unknown} other */
  equals(other) {
    return other instanceof MarketData && other.fingerprint === this.fingerprint;
  }

  toString() {
    const d = this.dates;
    const span = d.length ? `${d[0]} .. ${d[d.length - 1]}` : 'empty';
    return `MarketData(symbol=${reprString(this.symbol)}, bars=${this.length}, ${span})`;
  }

  [INSPECT]() {
    return this.toString();
  }
}

/** @param {MarketData} md @param {typeof COLUMNS[number]} field */
function column(md, field) {
  const i = internal(md);
  let col = i.cols[field];
  if (col === undefined) {
    col = /** @type {Float64Array} */ (i.raw[field]());
    i.cols[field] = col;
  }
  // A copy per access: typed arrays cannot be frozen, and a caller writing into the array must
  // not make it disagree with the bars the engine holds.
  return col.slice();
}

/** @param {string} cell @returns {number | null} */
function parseNumber(cell) {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return Number(cell);
  const word = cell.toLowerCase().replace(/^\+/, '');
  if (word === 'nan' || word === '-nan') return NaN;
  if (word === 'inf' || word === 'infinity') return Infinity;
  if (word === '-inf' || word === '-infinity') return -Infinity;
  return null;
}

/**
 * RFC 4180 CSV (commas, double quotes, CRLF or LF); blank lines are skipped.
 * @param {string} text @returns {string[][]}
 */
function parseCsv(text) {
  /** @type {string[][]} */
  const records = [];
  /** @type {string[]} */
  let fields = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '')) records.push(fields);
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n') endRecord();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/**
 * MarketData from what the API accepts, and whether it was made here (then it is freed after
 * use instead of waiting for the garbage collector).
 * @param {unknown} data @returns {{ md: MarketData, owned: boolean }}
 */
function marketData(data) {
  if (data instanceof MarketData) return { md: data, owned: false };
  if (Array.isArray(data)) return { md: MarketData.fromRows(data), owned: true };
  if (isPlainObject(data) && !ArrayBuffer.isView(data)) return { md: new MarketData(data), owned: true };
  throw new BacktestError(`data must be MarketData, an object of columns or an array of bars, got ${describe(data)}`);
}

/** @param {{ md: MarketData, owned: boolean }} d */
function release(d) {
  if (d.owned) {
    const i = INTERNAL.get(d.md);
    if (i) {
      i.raw.free();
      INTERNAL.delete(d.md);
    }
  }
}

/**
 * What each result ran on, for its report (report.js): the data and the strategy's wire value.
 * Weak: a result keeps them alive, nothing else does.
 * @type {WeakMap<object, { data: unknown, strategy: unknown }>}
 */
const SOURCES = new WeakMap();

/** Keeps the data and strategy a result ran on. @template {object} T @param {T} result @param {unknown} data @param {unknown} [strategy] @returns {T} */
export function remember(result, data, strategy = null) {
  SOURCES.set(result, { data, strategy });
  return result;
}

/**
 * The data and the strategy a result ran on, or nulls; not a MarketData the call made for
 * itself (from columns or rows), which it freed when it returned.
 * @param {object} result @returns {{ data: unknown, strategy: unknown }}
 */
export function sourceOf(result) {
  const s = SOURCES.get(result);
  if (!s) return { data: null, strategy: null };
  return { data: s.data instanceof MarketData && !INTERNAL.has(s.data) ? null : s.data, strategy: s.strategy };
}

/**
 * Optimize's choice in a metric's column: the largest; NaN never wins, ties go to the first;
 * the first row when every score is NaN.
 * @param {ArrayLike<number>} scores @returns {number}
 */
export function bestIndex(scores) {
  let best = 0;
  for (let i = 0; i < scores.length; i++) {
    const x = scores[i];
    if (x === x && (scores[best] !== scores[best] || x > scores[best])) best = i;
  }
  return best;
}

/** The engine's handle of a MarketData (for the runners). @param {MarketData} md */
export function handleOf(md) {
  return internal(md).raw;
}

// ---------------------------------------------------------------------------------------------
// Results

/** @type {readonly any[]} */
const NO_TRADES = Object.freeze([]);
const NO_EQUITY = new Float64Array(0);
const RESULT_TOKEN = Symbol('BacktestResult');

/** The outcome of one backtest (fractions for returns and drawdown, percent for winRate). */
export class BacktestResult {
  /**
   * @param {symbol} token
   * @param {any} r a result object from the wasm engine
   */
  constructor(token, r) {
    if (token !== RESULT_TOKEN) throw new TypeError('BacktestResult is made by the engine, not constructed');
    /** @type {number} */ this.fastPeriod = r.fastPeriod;
    /** @type {number} */ this.slowPeriod = r.slowPeriod;
    /** @type {number} */ this.totalReturn = r.totalReturn;
    /** @type {number} */ this.annualizedReturn = r.annualizedReturn;
    /** @type {number} */ this.volatility = r.volatility;
    /** @type {number | null} */ this.sharpeRatio = r.sharpeRatio;
    /** @type {number | null} */ this.sortinoRatio = r.sortinoRatio;
    /** @type {number} */ this.maxDrawdown = r.maxDrawdown;
    /** @type {number} */ this.tradeCount = r.tradeCount;
    /** @type {number} */ this.winRate = r.winRate;
    /** @type {number} */ this.executionTimeMs = r.executionTimeMs;
    /** @type {readonly any[]} */
    this.trades = r.trades.length ? Object.freeze(r.trades.map((/** @type {any} */ t) => Object.freeze(t))) : NO_TRADES;
    /** @type {Float64Array} */ this.equityCurve = r.equityCurve;
    /** @type {'wasm'} */ this.backend = 'wasm';
    Object.freeze(this);
  }

  /** Plain values (equityCurve as number[]), ready for JSON.stringify. */
  toJSON() {
    return {
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      totalReturn: this.totalReturn,
      annualizedReturn: this.annualizedReturn,
      volatility: this.volatility,
      sharpeRatio: this.sharpeRatio,
      sortinoRatio: this.sortinoRatio,
      maxDrawdown: this.maxDrawdown,
      tradeCount: this.tradeCount,
      winRate: this.winRate,
      executionTimeMs: this.executionTimeMs,
      backend: this.backend,
      trades: this.trades.map((t) => ({ ...t })),
      equityCurve: Array.from(this.equityCurve),
    };
  }
}

/** @param {any} r */
function result(r) {
  return new BacktestResult(RESULT_TOKEN, r);
}

/** @param {number} x */
const ratio = (x) => (Number.isNaN(x) ? null : x);

/**
 * A result from `backtestPacked`'s arrays (see src/wasm.rs): the objects are built here, in JS,
 * rather than field by field across the wasm boundary.
 * @param {[Float64Array, string[], Float64Array]} packed
 */
function unpackResult([n, dates, equityCurve]) {
  const trades = [];
  for (let k = 0, at = 11; k < n[8]; k++, at += 8) {
    trades.push({
      entryIndex: n[at],
      exitIndex: n[at + 1],
      entryDate: dates[2 * k],
      exitDate: dates[2 * k + 1],
      entryPrice: n[at + 2],
      exitPrice: n[at + 3],
      size: n[at + 4],
      pnl: n[at + 5],
      returnPct: n[at + 6],
      barsHeld: n[at + 7],
    });
  }
  return result({
    fastPeriod: n[0],
    slowPeriod: n[1],
    totalReturn: n[2],
    annualizedReturn: n[3],
    volatility: n[4],
    sharpeRatio: ratio(n[5]),
    sortinoRatio: ratio(n[6]),
    maxDrawdown: n[7],
    tradeCount: n[8],
    winRate: n[9],
    executionTimeMs: n[10],
    trades,
    equityCurve,
  });
}

// ---------------------------------------------------------------------------------------------
// Grids

/**
 * Runs planned pairs on this thread (`runPairs` of the wasm engine), timed.
 * @param {any} handle @param {Uint32Array} fast @param {Uint32Array} slow
 * @param {[number, number, string, number, number]} settings @param {boolean} details
 * @returns {{ value: any, ms: number, count: number }}
 */
export function runPairsHere(handle, fast, slow, settings, details) {
  const t0 = performance.now();
  const value = wasmCall(() => raw().runPairs(handle, fast, slow, ...settings, details));
  handle.clearSmaCache(); // the grid is done: its SMAs need not stay in wasm memory
  return { value, ms: performance.now() - t0, count: fast.length };
}

/**
 * Chunk outputs (in pair order) as one set of columns.
 * @param {{ value: any }[]} chunks
 */
function concatColumns(chunks) {
  if (chunks.length === 1) return chunks[0].value;
  const total = chunks.reduce((n, c) => n + c.value.fastPeriod.length, 0);
  /** @type {Record<string, Float64Array>} */
  const out = {};
  for (const name of GRID_COLUMNS) {
    const col = new Float64Array(total);
    let at = 0;
    for (const c of chunks) {
      col.set(c.value[name], at);
      at += c.value[name].length;
    }
    out[name] = col;
  }
  return out;
}

/**
 * Chunk outputs as grid entries.
 * @param {{ value: any, ms: number, count: number }[]} chunks @param {boolean} details
 */
function entries(chunks, details) {
  const out = [];
  for (const chunk of chunks) {
    if (details) {
      for (const r of chunk.value) out.push({ fastPeriod: r.fastPeriod, slowPeriod: r.slowPeriod, result: result(r) });
      continue;
    }
    const c = chunk.value;
    const ms = chunk.count ? chunk.ms / chunk.count : 0;
    for (let k = 0; k < c.fastPeriod.length; k++) {
      const r = result({
        fastPeriod: c.fastPeriod[k],
        slowPeriod: c.slowPeriod[k],
        totalReturn: c.totalReturn[k],
        annualizedReturn: c.annualizedReturn[k],
        volatility: c.volatility[k],
        sharpeRatio: ratio(c.sharpeRatio[k]),
        sortinoRatio: ratio(c.sortinoRatio[k]),
        maxDrawdown: c.maxDrawdown[k],
        tradeCount: c.tradeCount[k],
        winRate: c.winRate[k],
        executionTimeMs: ms,
        trades: NO_TRADES,
        equityCurve: NO_EQUITY,
      });
      out.push({ fastPeriod: r.fastPeriod, slowPeriod: r.slowPeriod, result: r });
    }
  }
  return out;
}

/** @param {unknown} v @returns {((done: number, total: number) => void) | undefined} */
function progressCallback(v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'function') throw new BacktestError(`on_progress must be a function, got ${describe(v)}`);
  return /** @type {any} */ (v);
}

/** @param {unknown} v @returns {AbortSignal | undefined} */
function abortSignal(v) {
  if (v === undefined || v === null) return undefined;
  const ok = typeof v === 'object' && typeof (/** @type {any} */ (v).addEventListener) === 'function' && 'aborted' in /** @type {any} */ (v);
  if (!ok) throw new BacktestError(`signal must be an AbortSignal, got ${describe(v)}`);
  return /** @type {AbortSignal} */ (v);
}

/** @param {AbortSignal} [signal] */
function abortError(signal) {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('the grid was aborted');
  e.name = 'AbortError';
  return e;
}

/** @param {AbortSignal | undefined} signal */
function throwIfAborted(signal) {
  if (signal?.aborted) throw abortError(signal);
}

// ---------------------------------------------------------------------------------------------
// Option keys: every options object of the API refuses a key it does not know, naming the
// nearest valid one (the engine's own rule: `nearestName`), so a typo is never silently ignored.

/** The seed API's settings (camelCase), in the order its checks run. */
const SEED_SETTINGS = Object.freeze(['initialCapital', 'commissionRate', 'fill', 'lotSize', 'periodsPerYear']);

/** @type {any} */
let ENGINE_CATALOG = null;

/**
 * The engine's own tables, read from the wasm build (names as in strategy JSON: snake_case):
 * indicators (params with defaults, outputs, whether they read a source), price fields,
 * settings, metrics (with descriptions), trade fields, sides and exit reasons. What the builder,
 * the options checks and the results read, for pages and tools that build their own UI on it.
 */
export function catalog() {
  if (ENGINE_CATALOG === null) ENGINE_CATALOG = Object.freeze(raw().catalog());
  return ENGINE_CATALOG;
}

/** snake_case -> camelCase. @param {string} name */
export function camelCase(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * Refuses a key of `o` that is in neither list: "unknown setting 'X'; did you mean 'Y'?" when
 * the nearest name is a setting, "unknown option 'X'; ..." otherwise.
 * @param {Record<string, any>} o @param {readonly string[]} settings @param {readonly string[]} [options]
 */
export function checkKeys(o, settings, options = []) {
  for (const key of Object.keys(o)) {
    if (settings.includes(key) || options.includes(key)) continue;
    const all = [...settings, ...options];
    const near = /** @type {string} */ (raw().nearestName(key, all));
    const kind = settings.includes(near) ? 'setting' : 'option';
    throw new BacktestError(`unknown ${kind} '${key}'; did you mean '${near}'?`, 'invalid_parameter');
  }
}

/**
 * An options object, its keys checked.
 * @param {unknown} options @param {readonly string[]} settings @param {readonly string[]} [others]
 */
function keyed(options, settings, others = []) {
  const o = optionsObject(options);
  checkKeys(o, settings, others);
  return o;
}

/** The seed grids' options besides the settings. */
const GRID_OPTIONS = Object.freeze(['maxWorkers', 'onProgress', 'signal']);

/** An integer as written in messages (exact however large: 2**70 is 1180591620717411303424). @param {number} n */
function intText(n) {
  return Number.isSafeInteger(n) || !Number.isFinite(n) ? String(n) : BigInt(n).toString();
}

// ---------------------------------------------------------------------------------------------
// The strategy engine: names from the Rust catalog (`catalog()` of the wasm build)

/** @type {null | { settings: string[], settingKeys: string[], portfolioSettings: string[], portfolioSettingKeys: string[],
 *   metrics: { name: string, key: string, integer: boolean }[],
 *   metricKeys: string[], tradeFields: string[], sides: string[], exitReasons: string[] }} */
let CATALOG = null;

/** The catalog, read once, with the camelCase names the JS API uses. */
function names() {
  if (CATALOG === null) {
    const c = raw().catalog();
    const metrics = c.metrics.map((/** @type {any} */ m) => ({ name: m.name, key: camelCase(m.name), integer: m.integer }));
    CATALOG = {
      settings: c.settings,
      settingKeys: c.settings.map(camelCase),
      portfolioSettings: c.portfolio_settings,
      portfolioSettingKeys: c.portfolio_settings.map(camelCase),
      metrics,
      metricKeys: metrics.map((/** @type {any} */ m) => m.key),
      tradeFields: c.trade_fields,
      sides: c.sides,
      exitReasons: c.exit_reasons,
    };
  }
  return CATALOG;
}

/**
 * The camelCase settings of `o` (after checking its keys) as the wire's snake_case object;
 * undefined values are left out (the strategy's own settings, then the defaults, apply).
 * @param {Record<string, any>} o @param {readonly string[]} options the other keys `o` may hold
 * @returns {Record<string, unknown>}
 */
function wireSettings(o, options) {
  const n = names();
  checkKeys(o, n.settingKeys, options);
  /** @type {Record<string, unknown>} */
  const out = {};
  n.settingKeys.forEach((key, i) => {
    if (o[key] !== undefined) out[n.settings[i]] = o[key];
  });
  return out;
}

/** Plain values for the engine: typed arrays and other iterables (not strings) become arrays. @param {unknown} v @returns {any} */
function plain(v) {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(/** @type {any} */ (v));
  if (typeof (/** @type {any} */ (v))[Symbol.iterator] === 'function') return Array.from(/** @type {Iterable<unknown>} */ (v), plain);
  if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/**
 * The wire value of a strategy (or a condition): a builder object's `toJSON()`, parsed JSON
 * text, or a plain object as given (the engine checks it).
 * @param {unknown} s @param {string} [what]
 */
function strategyValue(s, what = 'strategy') {
  if (typeof s === 'string') {
    try {
      return JSON.parse(s);
    } catch (e) {
      throw new BacktestError(`${what} is not valid JSON: ${/** @type {Error} */ (e).message}`, 'invalid_strategy');
    }
  }
  if (s !== null && typeof s === 'object' && typeof (/** @type {any} */ (s)).toJSON === 'function') return /** @type {any} */ (s).toJSON();
  return plain(s);
}

/** How a refused signal value appears (JS has one number type: an integral number is an integer). @param {unknown} v */
function describeValue(v) {
  if (typeof v === 'number' && Number.isInteger(v)) return intText(v);
  return describe(v);
}

/**
 * A signal array (booleans, or a Uint8Array of 0/1) as a Uint8Array; null/undefined: never.
 * The Python package's checks and messages.
 * @param {string} name @param {unknown} values @param {number} bars @returns {Uint8Array | undefined}
 */
function signalArray(name, values, bars) {
  if (values === undefined || values === null) return undefined;
  const seq = typeof values === 'string' || values instanceof DataView || isPlainObject(values) && !ArrayBuffer.isView(values) && typeof (/** @type {any} */ (values))[Symbol.iterator] !== 'function' ? null : sequence(values);
  if (seq === null) throw new BacktestError(`${name} must be a sequence of booleans, got ${describeValue(values)}`, 'invalid_signals');
  if (seq.length !== bars) throw new BacktestError(`${name} has ${seq.length} values but the data has ${bars} bars`, 'invalid_signals');
  const out = new Uint8Array(bars);
  const bytes = values instanceof Uint8Array;
  for (let i = 0; i < bars; i++) {
    const v = seq[i];
    if (v === true || (bytes && v === 1)) out[i] = 1;
    else if (!(v === false || (bytes && v === 0))) {
      throw new BacktestError(`${name} at row ${i} must be a boolean, got ${describeValue(v)}`, 'invalid_signals');
    }
  }
  return out;
}

const TRADE_TOKEN = Symbol('StrategyResult');

/**
 * The outcome of one strategy backtest: every metric of the catalog (camelCase; null where
 * undefined), the trades (with dates, `direction` and `exitReason`), the equity curve, the
 * params used and the engine's time.
 */
export class StrategyResult {
  /** @param {symbol} token @param {Record<string, any>} fields */
  constructor(token, fields) {
    if (token !== TRADE_TOKEN) throw new TypeError('StrategyResult is made by the engine, not constructed');
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** Plain values (equityCurve as number[]), ready for JSON.stringify. */
  toJSON() {
    const self = /** @type {any} */ (this);
    /** @type {Record<string, any>} */
    const out = { params: { ...self.params } };
    for (const key of names().metricKeys) out[key] = self[key];
    out.executionTimeMs = self.executionTimeMs;
    out.backend = self.backend;
    out.trades = self.trades.map((/** @type {any} */ t) => ({ ...t }));
    out.equityCurve = Array.from(self.equityCurve);
    return out;
  }
}

/**
 * The engine's checked backtest requests by their JSON text, newest last. Reading a tree into
 * the engine costs more than a 1,000-bar run, and dashboards and loops run the same strategy
 * again and again; a request the engine refuses is never kept.
 * @type {Map<string, any>}
 */
const preparedRuns = new Map();
const PREPARED_KEPT = 16;

/**
 * The JSON text of `value` when it says exactly what the value holds, else null: JSON.stringify
 * writes NaN and infinities as null and drops undefined, and cannot write a BigInt.
 * @param {unknown} value @returns {string | null}
 */
function jsonKey(value) {
  let faithful = true;
  /** @param {string} _key @param {unknown} v */
  const check = (_key, v) => {
    if ((typeof v === 'number' && !Number.isFinite(v)) || v === undefined || typeof v === 'bigint') faithful = false;
    return typeof v === 'bigint' ? null : v;
  };
  const text = JSON.stringify(value, check);
  return faithful ? text : null;
}

/**
 * @param {{ strategy: any, settings: Record<string, unknown>, params: any }} request
 * @returns {{ run(data: any): any }}
 */
function preparedRun(request) {
  const engine = raw();
  const key = jsonKey([request.strategy, request.settings, request.params]);
  if (key === null) {
    // No faithful JSON (a BigInt, NaN, an infinity, undefined): read afresh, never shared, so a
    // refused value cannot borrow an accepted one's entry (JSON writes NaN as null).
    const once = new engine.WasmBacktest(request.strategy, request.settings, request.params);
    return { run: (data) => { try { return once.run(data); } finally { once.free(); } } };
  }
  let run = preparedRuns.get(key);
  if (run === undefined) {
    run = new engine.WasmBacktest(request.strategy, request.settings, request.params);
    if (preparedRuns.size >= PREPARED_KEPT) {
      const oldest = /** @type {[string, any]} */ (preparedRuns.entries().next().value);
      preparedRuns.delete(oldest[0]);
      oldest[1].free();
    }
  } else {
    preparedRuns.delete(key);
  }
  preparedRuns.set(key, run);
  return run;
}

/**
 * Frozen trade objects from packed trades (the catalog's trade fields per trade), dated from
 * `dates` by bar index or, for a live run (no bars), from `tradeDates` (entry, exit per trade).
 * @param {Float64Array} t @param {readonly string[] | null} dates @param {readonly string[] | undefined} [tradeDates]
 * @returns {readonly any[]}
 */
function strategyTrades(t, dates, tradeDates) {
  const n = names();
  const stride = n.tradeFields.length;
  const at = Object.fromEntries(n.tradeFields.map((f, i) => [f, i]));
  const trades = [];
  for (let k = 0, j = 0; k + stride <= t.length; k += stride, j += 2) {
    const entryIndex = t[k + at.entry_index];
    const exitIndex = t[k + at.exit_index];
    trades.push(
      Object.freeze({
        entryIndex,
        exitIndex,
        entryDate: tradeDates ? tradeDates[j] : /** @type {readonly string[]} */ (dates)[entryIndex],
        exitDate: tradeDates ? tradeDates[j + 1] : /** @type {readonly string[]} */ (dates)[exitIndex],
        entryPrice: t[k + at.entry_price],
        exitPrice: t[k + at.exit_price],
        size: t[k + at.size],
        pnl: t[k + at.pnl],
        returnPct: t[k + at.return_pct],
        barsHeld: t[k + at.bars_held],
        direction: n.sides[t[k + at.direction]],
        exitReason: n.exitReasons[t[k + at.exit_reason]],
      }),
    );
  }
  return Object.freeze(trades);
}

/**
 * A StrategyResult from the raw output (`runStrategy` / `runSignals`), dates from the bars; a
 * live run's output (no bars: `md` null) carries its trades' dates in `trade_dates`.
 * @param {any} out @param {MarketData | null} md
 */
function strategyResult(out, md) {
  const n = names();
  const dates = md === null ? null : datesOf(internal(md));
  /** @type {Record<string, any>} */
  const fields = {};
  n.metrics.forEach((m, i) => {
    const x = out.metrics[i];
    fields[m.key] = Number.isNaN(x) ? null : x;
  });
  fields.trades = strategyTrades(out.trades, dates, out.trade_dates);
  fields.equityCurve = out.equity_curve;
  fields.params = Object.freeze({ ...(out.params ?? {}) });
  fields.executionTimeMs = out.execution_time_ms;
  fields.backend = 'wasm';
  return new StrategyResult(TRADE_TOKEN, fields);
}

/**
 * A sweep's chunk outputs (in row order) as one set of columns: param columns by name, metric
 * columns camelCase. A column is an Int32Array only when every chunk's is (as one run would be).
 * @param {{ value: Record<string, Int32Array | Float64Array> }[]} chunks
 */
function sweepColumns(chunks) {
  const metricKey = new Map(names().metrics.map((m) => [m.name, m.key]));
  /** @type {Record<string, Int32Array | Float64Array>} */
  const out = {};
  for (const name of Object.keys(chunks[0].value)) {
    const parts = chunks.map((c) => c.value[name]);
    const total = parts.reduce((s, p) => s + p.length, 0);
    const col = parts.every((p) => p instanceof Int32Array) ? new Int32Array(total) : new Float64Array(total);
    let at = 0;
    for (const p of parts) {
      col.set(p, at);
      at += p.length;
    }
    out[metricKey.get(name) ?? name] = col;
  }
  return out;
}

/**
 * The combinations of `params` a JS function keeps (the engine checks the values themselves).
 * @param {any} params @param {(combo: Record<string, any>) => unknown} keep
 * @returns {{ names: string[], rows: unknown[][] }}
 */
function filteredRows(params, keep) {
  if (!isPlainObject(params) || Object.keys(params).length === 0) return { names: [], rows: [] };
  const keys = Object.keys(params);
  const lists = keys.map((k) => (Array.isArray(params[k]) ? params[k] : [params[k]]));
  /** @type {unknown[][]} */
  const rows = [];
  /** @param {number} depth @param {unknown[]} row */
  const walk = (depth, row) => {
    if (depth === keys.length) {
      if (keep(Object.fromEntries(keys.map((k, i) => [k, row[i]])))) rows.push(row.slice());
      return;
    }
    for (const v of lists[depth]) {
      row.push(v);
      walk(depth + 1, row);
      row.pop();
    }
  };
  walk(0, []);
  return { names: keys, rows };
}

/**
 * A strategy run's wire request: the tree, the snake_case settings, the params.
 * @param {unknown} strategy @param {unknown} settings
 */
function strategyRequest(strategy, settings) {
  const o = optionsObject(settings, 'settings');
  const wire = wireSettings(o, ['params']);
  const tree = strategyValue(strategy);
  const params = o.params === undefined || o.params === null ? {} : plain(o.params);
  return { strategy: tree, settings: wire, params };
}

/** Options a sweep takes besides the settings. */
const SWEEP_OPTIONS = Object.freeze(['constraint', 'maxWorkers', 'onProgress', 'signal']);
/** Rows per chunk on the calling thread when progress or cancellation is wanted. */
const HERE_CHUNKS = 20;

/** Lets timers and events (an AbortSignal's abort) run between chunks on the calling thread. */
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

// ---------------------------------------------------------------------------------------------
// Engines

/** For tests and debugging only (not public API): `engine[Symbol.for('quant-backtest.pool')]` is the engine's worker pool, or null. */
const POOL = Symbol.for('quant-backtest.pool');
const SINGLE = Symbol('single');
const GRID = Symbol('grid');
const GET_POOL = Symbol('getPool');
const STRATEGY = Symbol('strategy');

/** The SMA-crossover backtest engine (the Rust core, compiled to WebAssembly). */
export class RustEngine {
  /** @type {any} the worker pool (Node), made on first use */
  #pool = null;

  /** set when the browser's engine Worker could not start (e.g. a bundler did not ship its file) */
  #noWorker = false;

  /** @returns {any} */
  [GET_POOL]() {
    if (this.#pool === null && state.createPool && !this.#noWorker) this.#pool = state.createPool();
    return this.#pool;
  }

  /**
   * The pool once it is usable, or null: a browser engine Worker that fails to load leaves this
   * engine on the calling thread (and says so in getEngineInfo) rather than failing every call.
   * @returns {Promise<any>}
   */
  async #usablePool() {
    const pool = this[GET_POOL]();
    if (pool === null || !pool.ready) return pool;
    try {
      await pool.ready;
      return pool;
    } catch {
      this.#noWorker = true;
      this.#pool = null;
      return null;
    }
  }

  /** @returns {any} */
  get [POOL]() {
    return this.#pool;
  }

  /**
   * One SMA-crossover backtest, long only, on the calling thread.
   * @param {unknown} data @param {unknown} fastPeriod @param {unknown} slowPeriod @param {unknown} [options]
   * @returns {BacktestResult}
   */
  runSmaBacktest(data, fastPeriod, slowPeriod, options) {
    const d = marketData(data);
    try {
      const fast = integer('fast_period', fastPeriod);
      const slow = integer('slow_period', slowPeriod);
      const settings = settingsOf(keyed(options, SEED_SETTINGS));
      return remember(this[SINGLE](d.md, fast, slow, settings, false), d.md);
    } finally {
      release(d);
    }
  }

  /**
   * `runSmaBacktest` off the calling thread (Node: a worker thread).
   * @param {unknown} data @param {unknown} fastPeriod @param {unknown} slowPeriod @param {unknown} [options]
   * @returns {Promise<BacktestResult>}
   */
  async runSmaBacktestAsync(data, fastPeriod, slowPeriod, options) {
    const d = marketData(data);
    try {
      const fast = integer('fast_period', fastPeriod);
      const slow = integer('slow_period', slowPeriod);
      const settings = settingsOf(keyed(options, SEED_SETTINGS));
      return remember(await this[SINGLE](d.md, fast, slow, settings, true), d.md);
    } finally {
      release(d);
    }
  }

  /**
   * @param {MarketData} md @param {number} fast @param {number} slow
   * @param {[number, number, string, number, number]} settings @param {boolean} async
   * @returns {any}
   */
  [SINGLE](md, fast, slow, settings, async) {
    const here = () => unpackResult(wasmCall(() => raw().backtestPacked(handleOf(md), fast, slow, ...settings)));
    if (!async) return here();
    raw();
    return this.#usablePool().then((pool) => {
      if (pool === null) return here(); // no threads: later, on this thread
      return pool.backtest(md, fast, slow, settings, state.defaultWorkers()).then(unpackResult, (/** @type {any} */ e) => {
        throw asBacktestError(e);
      });
    });
  }

  /**
   * Every (fast, slow) pair with fast < slow, fast outer and slow inner.
   * @param {unknown} data @param {unknown} fastPeriods @param {unknown} slowPeriods @param {unknown} [options]
   * @returns {Promise<{ fastPeriod: number, slowPeriod: number, result: BacktestResult }[]>}
   */
  async runMultipleBacktests(data, fastPeriods, slowPeriods, options) {
    const o = keyed(options, SEED_SETTINGS, [...GRID_OPTIONS, 'includeDetails']);
    const details = o.includeDetails === undefined ? false : o.includeDetails;
    if (typeof details !== 'boolean') throw new BacktestError(`include_details must be a boolean, got ${describe(details)}`);
    return entries(await this[GRID](data, fastPeriods, slowPeriods, o, details), details);
  }

  /**
   * A grid's metrics as columns (one row per pair, SPEC order); NaN where a ratio is undefined.
   * @param {unknown} data @param {unknown} fastPeriods @param {unknown} slowPeriods @param {unknown} [options]
   */
  async runGrid(data, fastPeriods, slowPeriods, options) {
    return concatColumns(await this[GRID](data, fastPeriods, slowPeriods, keyed(options, SEED_SETTINGS, GRID_OPTIONS), false));
  }

  /**
   * @param {unknown} data @param {unknown} fastPeriods @param {unknown} slowPeriods
   * @param {Record<string, any>} o @param {boolean} details
   */
  async [GRID](data, fastPeriods, slowPeriods, o, details) {
    const d = marketData(data);
    try {
      const fasts = periodList('fast_periods', fastPeriods);
      const slows = periodList('slow_periods', slowPeriods);
      const settings = settingsOf(o);
      const maxWorkers = optionalInteger('max_workers', o.maxWorkers);
      const onProgress = progressCallback(o.onProgress);
      const signal = abortSignal(o.signal);
      const plan = wasmCall(() => raw().planGrid(d.md.length, fasts, slows, ...settings, maxWorkers));
      const total = plan.fast.length;
      const workers = maxWorkers ?? state.defaultWorkers();
      throwIfAborted(signal);
      const pool = workers > 1 || state.poolForAll ? await this.#usablePool() : null;
      throwIfAborted(signal); // it may have fired while the pool was getting ready
      if (pool === null) {
        await null; // answer asynchronously, like the pool
        throwIfAborted(signal);
        const out = [runPairsHere(handleOf(d.md), plan.fast, plan.slow, settings, details)];
        onProgress?.(total, total);
        return out;
      }
      const work = pool.pairs(d.md, plan.fast, plan.slow, settings, details, Math.min(workers, total), { onProgress });
      return await this.#abortable(work, signal);
    } catch (e) {
      throw asBacktestError(e);
    } finally {
      release(d);
    }
  }

  /**
   * `work`, or an AbortError as soon as `signal` aborts; aborting stops this engine's worker
   * threads at once (they come back on the next call).
   * @template T @param {Promise<T>} work @param {AbortSignal | undefined} signal @returns {Promise<T>}
   */
  #abortable(work, signal) {
    if (signal === undefined) return work;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        // Aborted before the listener below could be added: it would never fire.
        work.catch(() => {}); // closing rejects the work too; that is expected here
        reject(abortError(signal));
        void this.close();
        return;
      }
      const onAbort = () => {
        reject(abortError(signal));
        void this.close();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  // -- the strategy engine -----------------------------------------------------------------

  /**
   * One backtest of `strategy` (a builder Strategy, its JSON value or its JSON text) with
   * `settings` (camelCase; they override the strategy's own) and `settings.params` filling
   * its placeholders, on the calling thread.
   * @param {unknown} data @param {unknown} strategy @param {unknown} [settings]
   * @returns {StrategyResult}
   */
  runBacktest(data, strategy, settings) {
    const d = marketData(data);
    try {
      const request = strategyRequest(strategy, settings);
      return this[STRATEGY](d.md, request, false);
    } finally {
      release(d);
    }
  }

  /**
   * `runBacktest` off the calling thread (Node: a worker thread; browsers: the engine Worker).
   * @param {unknown} data @param {unknown} strategy @param {unknown} [settings]
   * @returns {Promise<StrategyResult>}
   */
  async runBacktestAsync(data, strategy, settings) {
    const d = marketData(data);
    try {
      const request = strategyRequest(strategy, settings);
      return await this[STRATEGY](d.md, request, true);
    } finally {
      release(d);
    }
  }

  /**
   * @param {MarketData} md @param {{ strategy: any, settings: Record<string, unknown>, params: any }} request @param {boolean} async
   * @returns {any}
   */
  [STRATEGY](md, request, async) {
    const here = () => remember(strategyResult(wasmCall(() => preparedRun(request).run(handleOf(md))), md), md, request.strategy);
    if (!async) return here();
    raw();
    return this.#usablePool().then((pool) => {
      if (pool === null) return here();
      return pool.strategy(md, request, state.defaultWorkers()).then(
        (/** @type {any} */ out) => remember(strategyResult(out, md), md, request.strategy),
        (/** @type {any} */ e) => {
          throw asBacktestError(e);
        },
      );
    });
  }

  /**
   * A backtest of signals computed elsewhere: arrays of booleans (or Uint8Array of 0/1), one
   * per bar; null or undefined means never. `options`: `shortEntries`, `shortExits` and the
   * settings of `runBacktest`.
   * @param {unknown} data @param {unknown} entries @param {unknown} [exits] @param {unknown} [options]
   * @returns {StrategyResult}
   */
  runSignals(data, entries, exits, options) {
    const d = marketData(data);
    try {
      const o = optionsObject(options, 'options');
      const settings = wireSettings(o, ['shortEntries', 'shortExits']);
      const n = d.md.length;
      const arrays = [
        signalArray('entries', entries, n),
        signalArray('exits', exits, n),
        signalArray('short_entries', o.shortEntries, n),
        signalArray('short_exits', o.shortExits, n),
      ];
      return remember(strategyResult(wasmCall(() => raw().runSignals(handleOf(d.md), ...arrays, settings)), d.md), d.md);
    } finally {
      release(d);
    }
  }

  // -- live runs (SPEC part 11; live.js) ---------------------------------------------------

  /**
   * A live run of `strategy` that takes one bar at a time (`live.push(bar)`); at any point
   * `live.result()` equals `runBacktest` on the bars pushed so far, bit for bit. `options`:
   * the settings of `runBacktest` (camelCase; checked as it checks them), `params`, `symbol`
   * (the asset: a bar naming another is refused) and `equityCurve` (default true; false keeps
   * no per-bar equity, so that the run's memory does not grow with the bars).
   *
   * With `symbols: [...]` it is a portfolio's (a `LivePortfolioRun`, checked as `runPortfolio`
   * checks it: `strategy` one for all or an object symbol -> strategy, and `maxPositions`):
   * `live.push({ [symbol]: bar or null, ... })` takes one bar set per instant.
   * @param {unknown} strategy @param {unknown} [options]
   * @returns {import('./live.js').LiveRun | import('./live-portfolio.js').LivePortfolioRun}
   */
  live(strategy, options) {
    return liveRun(strategy, options);
  }

  /**
   * A live run resumed from `live.toJSON()`'s text (saved by JS or Python): all of it, or a
   * `BacktestError` (code `invalid_state`) saying why not. A portfolio's state gives a
   * `LivePortfolioRun`.
   * @param {unknown} text
   * @returns {import('./live.js').LiveRun | import('./live-portfolio.js').LivePortfolioRun}
   */
  liveFromJSON(text) {
    return liveFromJSON(text);
  }

  // -- portfolios (SPEC part 10; portfolio.js) ---------------------------------------------

  /**
   * One portfolio run on the calling thread: every asset of `universe` (a Universe, or what
   * `new Universe()` takes) under `strategy` (one for all, or a plain object symbol -> strategy
   * naming every symbol) with one cash account. `options`: the settings of `runBacktest`
   * (`size` is a fraction of the cash available at each entry), `maxPositions` (equal slots)
   * and `params`.
   * @param {unknown} universe @param {unknown} strategy @param {unknown} [options]
   * @returns {import('./portfolio.js').PortfolioResult}
   */
  runPortfolio(universe, strategy, options) {
    const request = portfolioRequest(universe, strategy, options);
    return remember(runPortfolioHere(request), request.universe, request.strategy);
  }

  /**
   * `runPortfolio` off the calling thread (Node: a worker thread; browsers: the engine Worker).
   * @param {unknown} universe @param {unknown} strategy @param {unknown} [options]
   * @returns {Promise<import('./portfolio.js').PortfolioResult>}
   */
  async runPortfolioAsync(universe, strategy, options) {
    const request = portfolioRequest(universe, strategy, options);
    const pool = await this.#usablePool();
    if (pool === null) return remember(runPortfolioHere(request), request.universe, request.strategy);
    const { strategy: tree, settings, params } = request;
    try {
      const out = await pool.portfolio(universeColumns(request.universe), { strategy: tree, settings, params }, state.defaultWorkers());
      return remember(portfolioResult(out, request.universe), request.universe, tree);
    } catch (e) {
      throw asBacktestError(e);
    }
  }

  /**
   * Every combination of `params` (name -> list of values; the first name outermost) that the
   * constraint keeps (`options.constraint`: a condition on placeholders, a function of the
   * params object, or the strategy's own when absent), each backtested with the settings of
   * `options`. Columns of typed arrays: one per param, then every metric (camelCase; NaN where
   * undefined). Rows run on `maxWorkers` worker threads (Node; default every core) or in the
   * engine Worker (browsers); `onProgress(done, total)`; `signal` cancels. `data` may be a
   * `Universe`: every row is then a portfolio run (one strategy for every asset; the options
   * may hold `maxPositions`).
   * @param {unknown} data @param {unknown} strategy @param {unknown} params @param {unknown} [options]
   * @returns {Promise<Record<string, Int32Array | Float64Array>>}
   */
  async sweep(data, strategy, params, options) {
    const universe = data instanceof Universe ? data : null;
    const d = universe === null ? marketData(data) : null;
    /** @type {any} */
    let plan = null;
    try {
      const o = optionsObject(options, 'options');
      const settings = universe ? portfolioSettings(o, SWEEP_OPTIONS) : wireSettings(o, SWEEP_OPTIONS);
      const maxWorkers = optionalInteger('max_workers', o.maxWorkers);
      if (maxWorkers !== undefined && maxWorkers < 1) throw new BacktestError(`max_workers must be >= 1, got ${intText(maxWorkers)}`, 'invalid_parameter');
      const onProgress = progressCallback(o.onProgress);
      const signal = abortSignal(o.signal);
      // A universe's strategy may be a dict of strategies: the engine refuses it with Python's message.
      const tree = universe ? portfolioStrategy(strategy) : strategyValue(strategy);
      const values = plain(params);
      /** @type {import('./protocol.js').SweepRequest} */
      const request = { strategy: tree, settings, params: values, constraint: null };
      if (typeof o.constraint === 'function') Object.assign(request, filteredRows(values, o.constraint));
      else if (o.constraint !== undefined && o.constraint !== null) request.constraint = strategyValue(o.constraint, 'constraint');
      plan = universe
        ? planPortfolioSweep(universe, request)
        : wasmCall(() => new (raw().WasmSweep)(request.strategy, request.settings, request.params, request.constraint, request.names, request.rows));
      const total = /** @type {number} */ (plan.count);
      const workers = Math.min(maxWorkers ?? state.defaultWorkers(), total);
      throwIfAborted(signal);
      const pool = workers > 1 || state.poolForAll ? await this.#usablePool() : null;
      throwIfAborted(signal);
      if (pool !== null) {
        plan.free();
        plan = null;
        const work = universe
          ? pool.portfolioSweep(universeColumns(universe), request, total, workers, { onProgress })
          : pool.sweep(/** @type {any} */ (d).md, request, total, workers, { onProgress });
        return sweepColumns(await this.#abortable(work, signal));
      }
      // On this thread: in chunks when progress or cancellation is wanted.
      const chunks = onProgress || signal ? Math.max(1, Math.min(total, HERE_CHUNKS)) : 1;
      const handle = universe ? universeHandle(universe) : handleOf(/** @type {any} */ (d).md);
      const out = [];
      try {
        for (let i = 0; i < chunks; i++) {
          await (signal ? macrotask() : null);
          throwIfAborted(signal);
          const [a, b] = [Math.floor((i * total) / chunks), Math.floor(((i + 1) * total) / chunks)];
          out.push({ value: plan.run(handle, a, b) });
          onProgress?.(b, total);
        }
      } finally {
        // The sweep is done: its indicator series need not stay in wasm memory.
        if (universe) handle.clearCache();
        else handle.clearSmaCache();
      }
      return sweepColumns(out);
    } catch (e) {
      throw asBacktestError(e);
    } finally {
      plan?.free();
      if (d !== null) release(d);
    }
  }

  /**
   * The combination of `params` with the largest `options.maximize` metric (camelCase,
   * default 'sharpeRatio'; NaN never wins, ties go to the first in sweep order), and its full
   * result: `{ params, result }` (a PortfolioResult when `data` is a Universe). Other options
   * as for `sweep`.
   * @param {unknown} data @param {unknown} strategy @param {unknown} params @param {unknown} [options]
   * @returns {Promise<{ params: Record<string, number>, result: any }>}
   */
  async optimize(data, strategy, params, options) {
    const universe = data instanceof Universe ? data : null;
    const o = { ...optionsObject(options, 'options') };
    // Unknown keys are refused before any work.
    if (universe) portfolioSettings(o, [...SWEEP_OPTIONS, 'maximize']);
    else wireSettings(o, [...SWEEP_OPTIONS, 'maximize']);
    const maximize = o.maximize === undefined ? 'sharpeRatio' : o.maximize;
    delete o.maximize;
    const n = names();
    if (!n.metricKeys.includes(maximize)) {
      const near = raw().nearestName(String(maximize), n.metricKeys);
      throw new BacktestError(`unknown metric '${String(maximize)}'; did you mean '${near}'?`, 'invalid_parameter');
    }
    const d = universe === null ? marketData(data) : null;
    try {
      const columns = await this.sweep(universe ?? /** @type {any} */ (d).md, strategy, params, o);
      const best = bestIndex(columns[maximize]);
      /** @type {Record<string, number>} */
      const chosen = {};
      for (const name of Object.keys(/** @type {any} */ (plain(params)))) chosen[name] = columns[name][best];
      const settings = { ...o };
      for (const key of SWEEP_OPTIONS) delete settings[key];
      const result = universe
        ? this.runPortfolio(universe, strategy, { ...settings, params: chosen })
        : this.runBacktest(/** @type {any} */ (d).md, strategy, { ...settings, params: chosen });
      return { params: chosen, result };
    } finally {
      if (d !== null) release(d);
    }
  }

  // -- walk-forward (SPEC part 12; walk.js) -------------------------------------------------

  /**
   * Walk-forward optimisation on the calling thread: windows of `options.train` bars then
   * `options.test` bars moving by `step` (default `test`; at least `test`), rolling or
   * `anchored` (every train window from the first bar). On each window the combination of
   * `params` (as `sweep` takes them; `constraint` as there) with the largest `maximize` metric
   * (camelCase, default 'sharpeRatio'; NaN never wins, ties go to the first) on the train bars
   * runs on the test bars, flat, from the equity the previous test ended with; indicators see
   * every bar up to the window's end. The other options: the settings of `runBacktest`, and
   * `maxWorkers` (as for `walkForwardAsync`; this call runs here, on the build's threads).
   * `data` may be a `Universe`: the windows are then counted in union bars and each window's
   * run is a portfolio run of the assets with a bar in it (one strategy for every asset; the
   * options may hold `maxPositions`); the trades carry their `symbol`.
   * @param {unknown} data @param {unknown} strategy @param {unknown} params @param {unknown} [options]
   * @returns {import('./walk.js').WalkForwardResult}
   */
  walkForward(data, strategy, params, options) {
    if (data instanceof Universe) {
      const checked = walkRequest(strategy, params, options, true);
      return remember(runPlannedWalk(planWalk(checked, data), data), data, checked.request.strategy);
    }
    const d = marketData(data);
    try {
      const checked = walkRequest(strategy, params, options);
      return remember(runPlannedWalk(planWalk(checked, d.md), d.md), d.md, checked.request.strategy);
    } finally {
      release(d);
    }
  }

  /**
   * `walkForward` off the calling thread: Node, on a worker thread of this engine's pool
   * (`maxWorkers: 1`: on the calling thread, later); browsers, in the engine Worker (a
   * Universe's bars go along, as for `runPortfolioAsync`). Every value and the bars' count are
   * checked here first: a refusal never waits for a worker.
   * @param {unknown} data @param {unknown} strategy @param {unknown} params @param {unknown} [options]
   * @returns {Promise<import('./walk.js').WalkForwardResult>}
   */
  async walkForwardAsync(data, strategy, params, options) {
    const universe = data instanceof Universe ? data : null;
    const d = universe === null ? marketData(data) : null;
    const bars = universe ?? /** @type {{ md: MarketData }} */ (d).md;
    /** @type {any} */
    let plan = null;
    try {
      const checked = walkRequest(strategy, params, options, universe !== null);
      plan = planWalk(checked, bars);
      const workers = checked.maxWorkers ?? state.defaultWorkers();
      const pool = workers > 1 || state.poolForAll ? await this.#usablePool() : null;
      if (pool === null) {
        await null; // answer asynchronously, like the pool
        const here = plan;
        plan = null; // runPlannedWalk frees it
        return remember(runPlannedWalk(here, bars), bars, checked.request.strategy);
      }
      plan.free(); // the worker plans its own from the same request
      plan = null;
      if (universe !== null) {
        const out = await pool.portfolioWalk(universeColumns(universe), checked.request, state.defaultWorkers());
        return remember(walkResult(out, universe.dates, universe.symbols), universe, checked.request.strategy);
      }
      return remember(walkResult(await pool.walk(bars, checked.request, state.defaultWorkers()), bars.dates), bars, checked.request.strategy);
    } catch (e) {
      throw asBacktestError(e);
    } finally {
      plan?.free();
      if (d !== null) release(d);
    }
  }

  /**
   * Resolves when the engine is ready for grids: in browsers, once its Worker has loaded its
   * build (threaded or single-threaded); at once elsewhere.
   * @returns {Promise<void>}
   */
  async ready() {
    raw();
    await this.#usablePool();
  }

  /** @param {unknown} data @returns {boolean} true when `data` is valid market data */
  validateData(data) {
    try {
      release(marketData(data));
      return true;
    } catch (e) {
      if (e instanceof BacktestError) return false;
      throw e;
    }
  }

  /** @returns {boolean} true: this is the Rust engine, compiled to WebAssembly */
  isRustAvailable() {
    return true;
  }

  /** @param {{ maxWorkers?: number }} [options] */
  getEngineInfo(options) {
    const r = raw();
    const maxWorkers = optionalInteger('max_workers', keyed(options, [], ['maxWorkers']).maxWorkers);
    if (maxWorkers !== undefined && maxWorkers < 1) throw new BacktestError(`max_workers must be >= 1, got ${intText(maxWorkers)}`);
    const threaded = typeof r.isThreadedBuild === 'function' && r.isThreadedBuild();
    const base = {
      backend: /** @type {const} */ ('wasm'),
      version: /** @type {string} */ (r.version()),
      platform: state.platform,
      crossOriginIsolated: Boolean(/** @type {any} */ (globalThis).crossOriginIsolated),
    };
    // Browsers: grids run in the engine Worker, whose build reports itself once loaded.
    const workerInfo = state.poolForAll && !this.#noWorker ? this[GET_POOL]()?.info : undefined;
    if (workerInfo) return { ...base, build: workerInfo.build, threads: workerInfo.threads };
    if (state.poolForAll) return { ...base, build: /** @type {const} */ ('single-threaded'), threads: 1 };
    const threads = state.createPool ? maxWorkers ?? state.defaultWorkers() : threaded ? r.threadCount() : 1;
    return {
      ...base,
      build: threaded ? /** @type {const} */ ('threaded') : /** @type {const} */ ('single-threaded'),
      threads,
    };
  }

  /** Terminates the worker threads this engine started (it stays usable; they come back). */
  async close() {
    const pool = this.#pool;
    this.#pool = null;
    if (pool) await pool.close();
  }
}

/** A `RustEngine` that remembers recent single backtests (an LRU keyed by content + parameters). */
export class CachedRustEngine extends RustEngine {
  #maxSize = 128;
  /** @type {Map<string, any>} */
  #cache = new Map();
  #hits = 0;
  #misses = 0;

  /** @param {{ cacheSize?: number }} [options] */
  constructor(options) {
    super();
    const o = keyed(options, [], ['cacheSize']);
    const size = o.cacheSize === undefined ? 128 : integer('cache_size', o.cacheSize);
    if (size < 0) throw new BacktestError(`cache_size must be >= 0, got ${intText(size)}`);
    this.#maxSize = size;
  }

  /**
   * @param {MarketData} md @param {number} fast @param {number} slow
   * @param {[number, number, string, number, number]} settings @param {boolean} async
   * @returns {any}
   */
  [SINGLE](md, fast, slow, settings, async) {
    const key = [md.fingerprint, fast, slow, ...settings].join('|');
    return this.#remember(key, async, () => super[SINGLE](md, fast, slow, settings, async));
  }

  /**
   * Strategy runs, keyed by the data's content, the strategy's JSON, every setting and param.
   * @param {MarketData} md @param {{ strategy: any, settings: Record<string, unknown>, params: any }} request @param {boolean} async
   * @returns {any}
   */
  [STRATEGY](md, request, async) {
    const text = JSON.stringify([request.strategy, request.settings, request.params], (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return this.#remember(`${md.fingerprint}|strategy|${text}`, async, () => super[STRATEGY](md, request, async));
  }

  /**
   * The cached result for `key`, or `compute()`'s (stored).
   * @param {string} key @param {boolean} async @param {() => any} compute @returns {any}
   */
  #remember(key, async, compute) {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      this.#hits++;
      return async ? Promise.resolve(hit) : hit;
    }
    this.#misses++;
    const store = (/** @type {any} */ r) => {
      if (this.#maxSize > 0) {
        this.#cache.set(key, r);
        while (this.#cache.size > this.#maxSize) this.#cache.delete(/** @type {string} */ (this.#cache.keys().next().value));
      }
      return r;
    };
    const out = compute();
    return async ? out.then(store) : store(out);
  }

  /** `hits`, `misses`, `hitRate` (0 to 1), `size` and `maxSize`. */
  getCacheStats() {
    const total = this.#hits + this.#misses;
    return { hits: this.#hits, misses: this.#misses, hitRate: total ? this.#hits / total : 0, size: this.#cache.size, maxSize: this.#maxSize };
  }

  /** Forgets every cached result and resets the counters. */
  clearCache() {
    this.#cache.clear();
    this.#hits = 0;
    this.#misses = 0;
  }
}

/** @param {{ useCache?: boolean, cacheSize?: number }} [options] @returns {RustEngine} */
export function createEngine(options) {
  const o = keyed(options, [], ['useCache', 'cacheSize']);
  if (o.useCache !== undefined && typeof o.useCache !== 'boolean') throw new BacktestError(`use_cache must be a boolean, got ${describe(o.useCache)}`);
  return o.useCache ? new CachedRustEngine({ cacheSize: o.cacheSize }) : new RustEngine();
}

// ---------------------------------------------------------------------------------------------
// Sample data and benchmark

const TWO_64 = 1n << 64n;

/**
 * `days` valid daily bars on business days from 2020-01-01; the same seed gives the same bars,
 * bit for bit, in every engine (Rust, wasm, Python).
 * @param {unknown} [symbol] @param {unknown} [days] @param {unknown} [startPrice] @param {{ seed?: number | bigint }} [options]
 */
export function generateSampleData(symbol = 'SAMPLE', days = 100, startPrice = 100, options) {
  const n = integer('days', days);
  const start = number('start_price', startPrice);
  const s = sampleSeed(keyed(options, [], ['seed']).seed);
  return adopt(wasmCall(() => raw().sampleData(String(symbol), n, start, s)));
}

/**
 * A sample seed as the engine takes it: an integer in [0, 2**64), or one drawn at random.
 * @param {unknown} seed @returns {bigint}
 */
export function sampleSeed(seed) {
  if (seed === undefined || seed === null) {
    const words = state.getRandomValues(new Uint32Array(2));
    return (BigInt(words[0]) << 32n) | BigInt(words[1]);
  }
  /** @type {bigint} */
  let s;
  if (typeof seed === 'number' && Number.isInteger(seed)) s = BigInt(seed);
  else if (typeof seed === 'bigint') s = seed;
  else throw new BacktestError(`seed must be an integer, got ${describe(seed)}`);
  if (s < 0n || s >= TWO_64) throw new BacktestError(`seed must be an integer in [0, 2**64), got ${s}`);
  return s;
}

/**
 * Times the same backtest `iterations` times on this thread (best time) after one untimed
 * conversion of the data.
 * @param {unknown} data @param {unknown} [fastPeriod] @param {unknown} [slowPeriod] @param {unknown} [options]
 */
export function benchmarkEngine(data, fastPeriod = 10, slowPeriod = 30, options) {
  const { iterations: count, ...o } = keyed(options, SEED_SETTINGS, ['iterations']);
  const iterations = Math.max(1, count === undefined ? 5 : integer('iterations', count));
  const d = marketData(data);
  try {
    const engine = new RustEngine();
    let best = Infinity;
    let total = 0;
    /** @type {BacktestResult | undefined} */
    let last;
    for (let k = 0; k < iterations; k++) {
      const t0 = performance.now();
      last = engine.runSmaBacktest(d.md, fastPeriod, slowPeriod, o);
      const ms = performance.now() - t0;
      best = Math.min(best, ms);
      total += ms;
    }
    const ms = best > 0 ? best : total / iterations;
    return {
      bars: d.md.length,
      iterations,
      wasmTimeMs: ms,
      barsPerSecond: ms > 0 ? (d.md.length / ms) * 1000 : Infinity,
      result: /** @type {BacktestResult} */ (last),
    };
  } finally {
    release(d);
  }
}

// What portfolio.js (the package's own module) uses of this one.
export { adopt, describe, integer, names, optionsObject, plain, reprString, strategyValue, wasmCall, wireSettings };
// What walk.js uses of this one.
export { filteredRows, intText, optionalInteger, strategyTrades };
// What live.js uses of this one.
export { describeValue, strategyResult };
