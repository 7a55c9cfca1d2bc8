// Type declarations of quant-backtest's indicators (`import { indicators } from 'quant-backtest'`).

/** Any array-like of numbers: an Array, a Float64Array or another typed array. */
export type Values = ArrayLike<number | bigint>;

/** The largest period (or other integer parameter) the engines take. */
export declare const MAX_PERIOD: number;

/** Simple moving average (first valid index period - 1). */
export declare function sma(values: Values, period: number): Float64Array;
/** Exponential moving average, alpha 2 / (period + 1), seeded with the SMA. */
export declare function ema(values: Values, period: number): Float64Array;
/** Weighted moving average, weights 1..period, the newest heaviest. */
export declare function wma(values: Values, period: number): Float64Array;
/** Relative strength index, Wilder's smoothing (first valid index period). */
export declare function rsi(values: Values, period?: number): Float64Array;
/** MACD with TA-Lib's alignment; needs fast < slow. */
export declare function macd(values: Values, fast?: number, slow?: number, signal?: number): { macd: Float64Array; signal: Float64Array; hist: Float64Array };
/** Bollinger bands: the SMA plus and minus k population standard deviations. */
export declare function bbands(values: Values, period?: number, k?: number): { upper: Float64Array; middle: Float64Array; lower: Float64Array };
/** Average true range, Wilder's smoothing (first valid index period). */
export declare function atr(high: Values, low: Values, close: Values, period?: number): Float64Array;
/** Population standard deviation over period. */
export declare function stddev(values: Values, period: number): Float64Array;
/** Rate of change in percent (first valid index period). */
export declare function roc(values: Values, period?: number): Float64Array;
/** Rolling maximum over period. */
export declare function highest(values: Values, period: number): Float64Array;
/** Rolling minimum over period. */
export declare function lowest(values: Values, period: number): Float64Array;

/** One indicator's wasm state; freed when collected, or now by `free()`. */
declare class Stream {
  /** Frees the wasm state now; later updates throw. */
  free(): void;
  toString(): string;
}
/** A stream of one value: `update(x)` returns the current value (NaN during the warm-up). */
declare class SingleStream extends Stream {
  readonly period: number;
  update(value: number): number;
}
export declare class SMA extends SingleStream { constructor(period: number); }
export declare class EMA extends SingleStream { constructor(period: number); }
export declare class WMA extends SingleStream { constructor(period: number); }
export declare class RSI extends SingleStream { constructor(period?: number); }
export declare class STDDEV extends SingleStream { constructor(period: number); }
export declare class ROC extends SingleStream { constructor(period?: number); }
export declare class HIGHEST extends SingleStream { constructor(period: number); }
export declare class LOWEST extends SingleStream { constructor(period: number); }
/** Streaming MACD: `update(x)` returns `{ macd, signal, hist }`. */
export declare class MACD extends Stream {
  constructor(fast?: number, slow?: number, signal?: number);
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  update(value: number): { macd: number; signal: number; hist: number };
}
/** Streaming Bollinger bands: `update(x)` returns `{ upper, middle, lower }`. */
export declare class BBANDS extends Stream {
  constructor(period?: number, k?: number);
  readonly period: number;
  readonly k: number;
  update(value: number): { upper: number; middle: number; lower: number };
}
/** Streaming average true range: `update(high, low, close)`. */
export declare class ATR extends Stream {
  constructor(period?: number);
  readonly period: number;
  update(high: number, low: number, close: number): number;
}
export {};
