// quant-backtest: technical indicators with TA-Lib's definitions (docs/CONVENTIONS.md,
// "Indicators"), the JS mirror of python/quant_backtest/indicators.py.
//
//   import { indicators as ta } from 'quant-backtest';
//   ta.rsi(close, 14);                 // Float64Array, NaN before the first valid index
//   const { upper, middle, lower } = ta.bbands(close, 20, 2);
//   const rsi = new ta.RSI(14);
//   for (const price of feed) rsi.update(price);   // NaN during the warm-up
//
// Batch functions and streaming classes both run on the wasm engine (the raw `indicator` and
// `WasmIndicator` exports): after k updates a stream has returned exactly the batch output's
// first k values, bit for bit. Bad arguments raise BacktestError (code 'invalid_parameter')
// with the Python package's messages.

import { BacktestError, formatFloat, rawExports } from './core.js';

/** The largest period (or other integer parameter) the engines take. */
export const MAX_PERIOD = 2_147_483_647;

// ---------------------------------------------------------------------------------------------
// Argument checks (the Python package's messages)

/** A value as the messages write it: JSON-like, floats as Rust's `{:?}`. @param {unknown} v */
function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return formatFloat(v);
    return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
  }
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return 'an array';
  const name = /** @type {any} */ (v)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** @param {string} message */
function error(message) {
  return new BacktestError(message, 'invalid_parameter');
}

/** An integer parameter in [1, MAX_PERIOD]. @param {string} name @param {unknown} value @returns {number} */
function integer(name, value) {
  const ok = (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
  if (!ok) throw error(`${name} must be an integer >= 1, got ${describe(value)}`);
  const n = Number(value);
  if (n < 1) throw error(`${name} must be an integer >= 1, got ${describe(value)}`);
  if (n > MAX_PERIOD) throw error(`${name} must be an integer <= ${MAX_PERIOD}, got ${describe(value)}`);
  return n;
}

/** k: a finite number >= 0. @param {unknown} value @returns {number} */
function bandWidth(value) {
  const n = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : NaN;
  if (!(Number.isFinite(n) && n >= 0)) throw error(`k must be a finite number >= 0, got ${describe(value)}`);
  return n;
}

/** @param {unknown} fast @param {unknown} slow @param {unknown} signal @returns {[number, number, number]} */
function macdPeriods(fast, slow, signal) {
  const f = integer('fast', fast);
  const s = integer('slow', slow);
  const g = integer('signal', signal);
  if (!(f < s)) throw error(`macd needs fast < slow, got fast=${f} and slow=${s}`);
  return [f, s, g];
}

/** One value of a stream. @param {string} name @param {unknown} value @returns {number} */
function number(name, value) {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw error(`${name} must be a number, got ${describe(value)}`);
}

/**
 * An input series as a Float64Array: an Array, a typed array or another array-like of numbers.
 * @param {string} name @param {unknown} values @returns {Float64Array}
 */
function input(name, values) {
  if (values instanceof Float64Array) return values;
  const arrayLike =
    values !== null &&
    typeof values === 'object' &&
    !(values instanceof DataView) &&
    typeof (/** @type {any} */ (values).length) === 'number';
  if (!arrayLike) throw error(`${name} must be a sequence of numbers, got ${describe(values)}`);
  const seq = /** @type {ArrayLike<unknown>} */ (values);
  const out = new Float64Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i];
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else throw error(`${name}[${i}] must be a number, got ${describe(v)}`);
  }
  return out;
}

const EMPTY = new Float64Array(0);

/** Every output of indicator `name` on the wasm engine. @param {string} name @param {Record<string, number>} params @param {Float64Array} source @param {Float64Array[]} [hlc] @returns {Float64Array[]} */
function compute(name, params, source, hlc = [EMPTY, EMPTY, EMPTY]) {
  return rawExports().indicator(name, params, source, ...hlc);
}

// ---------------------------------------------------------------------------------------------
// Batch functions

/** @param {string} name @param {unknown} values @param {unknown} period @returns {Float64Array} */
function single(name, values, period) {
  const source = input('values', values);
  const p = integer('period', period);
  return compute(name, { period: p }, source)[0];
}

/**
 * Simple moving average (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function sma(values, period) {
  return single('sma', values, period);
}

/**
 * Exponential moving average, alpha = 2 / (period + 1), seeded with the mean of the first
 * period values (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function ema(values, period) {
  return single('ema', values, period);
}

/**
 * Weighted moving average, weights 1..period, the newest heaviest (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function wma(values, period) {
  return single('wma', values, period);
}

/**
 * Relative strength index, Wilder's smoothing (first valid index period).
 * @param {ArrayLike<number>} values @param {number} [period] @returns {Float64Array}
 */
export function rsi(values, period = 14) {
  return single('rsi', values, period);
}

/**
 * Population standard deviation over period (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function stddev(values, period) {
  return single('stddev', values, period);
}

/**
 * Rate of change in percent, (x[t] / x[t-period] - 1) * 100 (first valid index period).
 * @param {ArrayLike<number>} values @param {number} [period] @returns {Float64Array}
 */
export function roc(values, period = 10) {
  return single('roc', values, period);
}

/**
 * Rolling maximum over period (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function highest(values, period) {
  return single('highest', values, period);
}

/**
 * Rolling minimum over period (first valid index period - 1).
 * @param {ArrayLike<number>} values @param {number} period @returns {Float64Array}
 */
export function lowest(values, period) {
  return single('lowest', values, period);
}

/**
 * MACD with TA-Lib's alignment (all three valid from slow - 1 + signal - 1); needs fast < slow.
 * @param {ArrayLike<number>} values @param {number} [fast] @param {number} [slow] @param {number} [signal]
 * @returns {{ macd: Float64Array, signal: Float64Array, hist: Float64Array }}
 */
export function macd(values, fast = 12, slow = 26, signal = 9) {
  const source = input('values', values);
  const [f, s, g] = macdPeriods(fast, slow, signal);
  const [line, signalLine, hist] = compute('macd', { fast: f, slow: s, signal: g }, source);
  return { macd: line, signal: signalLine, hist };
}

/**
 * Bollinger bands: the SMA plus and minus k population standard deviations (first valid index
 * period - 1).
 * @param {ArrayLike<number>} values @param {number} [period] @param {number} [k]
 * @returns {{ upper: Float64Array, middle: Float64Array, lower: Float64Array }}
 */
export function bbands(values, period = 20, k = 2) {
  const source = input('values', values);
  const p = integer('period', period);
  const width = bandWidth(k);
  const [upper, middle, lower] = compute('bbands', { period: p, k: width }, source);
  return { upper, middle, lower };
}

/**
 * Average true range, Wilder's smoothing (first valid index period; period 1 is the true range
 * itself, from index 1).
 * @param {ArrayLike<number>} high @param {ArrayLike<number>} low @param {ArrayLike<number>} close @param {number} [period]
 * @returns {Float64Array}
 */
export function atr(high, low, close, period = 14) {
  const h = input('high', high);
  const l = input('low', low);
  const c = input('close', close);
  for (const [label, column] of /** @type {const} */ ([['high', h], ['low', l]])) {
    if (column.length !== c.length) throw error(`${label} has ${column.length} values but close has ${c.length}`);
  }
  const p = integer('period', period);
  return compute('atr', { period: p }, EMPTY, [h, l, c])[0];
}

// ---------------------------------------------------------------------------------------------
// Streaming classes: the engine's state machines (WasmIndicator), freed when collected

/** Frees the wasm state of a stream that was dropped without `free()`. */
const FREED = new FinalizationRegistry((/** @type {{ free(): void }} */ handle) => handle.free());

/** One indicator's state, fed one value at a time. */
class Stream {
  /** @param {string} name @param {Record<string, number>} params @param {string} shown */
  constructor(name, params, shown) {
    /** @private @type {any} */
    this.handle = new (rawExports().WasmIndicator)(name, params);
    /** @private */
    this.shown = shown;
    FREED.register(this, this.handle, this);
  }

  /** @protected @param {number} a @param {number} [b] @param {number} [c] @returns {number} */
  feed(a, b = NaN, c = NaN) {
    if (this.handle === null) throw new Error(`${this.shown} has been freed`);
    return this.handle.update(a, b, c);
  }

  /** @protected @param {number} i @returns {number} */
  outputAt(i) {
    return this.handle.output(i);
  }

  /** Frees the wasm state now (otherwise it is freed when this object is collected). */
  free() {
    if (this.handle === null) return;
    FREED.unregister(this);
    this.handle.free();
    this.handle = null;
  }

  toString() {
    return this.shown;
  }
}

/** A stream of one input and one output. */
class SingleStream extends Stream {
  /** The current value (NaN during the warm-up). @param {number} value @returns {number} */
  update(value) {
    return this.feed(number('value', value));
  }
}

/** Streaming simple moving average: `update(value)` returns the current value. */
export class SMA extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('sma', { period: p }, `SMA(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming exponential moving average. */
export class EMA extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('ema', { period: p }, `EMA(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming weighted moving average. */
export class WMA extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('wma', { period: p }, `WMA(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming relative strength index. */
export class RSI extends SingleStream {
  /** @param {number} [period] */
  constructor(period = 14) {
    const p = integer('period', period);
    super('rsi', { period: p }, `RSI(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming population standard deviation. */
export class STDDEV extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('stddev', { period: p }, `STDDEV(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming rate of change (percent). */
export class ROC extends SingleStream {
  /** @param {number} [period] */
  constructor(period = 10) {
    const p = integer('period', period);
    super('roc', { period: p }, `ROC(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming rolling maximum. */
export class HIGHEST extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('highest', { period: p }, `HIGHEST(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming rolling minimum. */
export class LOWEST extends SingleStream {
  /** @param {number} period */
  constructor(period) {
    const p = integer('period', period);
    super('lowest', { period: p }, `LOWEST(${p})`);
    /** @readonly */
    this.period = p;
  }
}

/** Streaming MACD: `update(value)` returns `{ macd, signal, hist }`. */
export class MACD extends Stream {
  /** @param {number} [fast] @param {number} [slow] @param {number} [signal] */
  constructor(fast = 12, slow = 26, signal = 9) {
    const [f, s, g] = macdPeriods(fast, slow, signal);
    super('macd', { fast: f, slow: s, signal: g }, `MACD(${f}, ${s}, ${g})`);
    /** @readonly */
    this.fast = f;
    /** @readonly */
    this.slow = s;
    /** @readonly */
    this.signal = g;
  }

  /** @param {number} value @returns {{ macd: number, signal: number, hist: number }} */
  update(value) {
    const line = this.feed(number('value', value));
    return { macd: line, signal: this.outputAt(1), hist: this.outputAt(2) };
  }
}

/** Streaming Bollinger bands: `update(value)` returns `{ upper, middle, lower }`. */
export class BBANDS extends Stream {
  /** @param {number} [period] @param {number} [k] */
  constructor(period = 20, k = 2) {
    const p = integer('period', period);
    const width = bandWidth(k);
    super('bbands', { period: p, k: width }, `BBANDS(${p}, ${formatFloat(width)})`);
    /** @readonly */
    this.period = p;
    /** @readonly */
    this.k = width;
  }

  /** @param {number} value @returns {{ upper: number, middle: number, lower: number }} */
  update(value) {
    const upper = this.feed(number('value', value));
    return { upper, middle: this.outputAt(1), lower: this.outputAt(2) };
  }
}

/** Streaming average true range: `update(high, low, close)`. */
export class ATR extends Stream {
  /** @param {number} [period] */
  constructor(period = 14) {
    const p = integer('period', period);
    super('atr', { period: p }, `ATR(${p})`);
    /** @readonly */
    this.period = p;
  }

  /** @param {number} high @param {number} low @param {number} close @returns {number} */
  update(high, low, close) {
    return this.feed(number('high', high), number('low', low), number('close', close));
  }
}
