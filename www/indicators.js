// Indicators for the charts, computed by the engine. The same signatures as the package's
// coming `indicators` module (values in, Float64Array out, NaN during warm-up), so that swapping
// it in is a one-line change of the import below.
import { indicatorOutputs } from './engine-raw.js';

/** @param {Float64Array} values @param {number} period */
export const sma = (values, period) => indicatorOutputs('sma', { period }, values)[0];
/** @param {Float64Array} values @param {number} period */
export const ema = (values, period) => indicatorOutputs('ema', { period }, values)[0];
/** @param {Float64Array} values @param {number} [period] */
export const rsi = (values, period = 14) => indicatorOutputs('rsi', { period }, values)[0];
/** @param {Float64Array} values @param {number} period */
export const highest = (values, period) => indicatorOutputs('highest', { period }, values)[0];
/** @param {Float64Array} values @param {number} period */
export const lowest = (values, period) => indicatorOutputs('lowest', { period }, values)[0];

/** @param {Float64Array} values @param {number} [period] @param {number} [k] */
export function bbands(values, period = 20, k = 2) {
  const [upper, middle, lower] = indicatorOutputs('bbands', { period, k }, values);
  return { upper, middle, lower };
}

/** @param {Float64Array} values @param {number} [fast] @param {number} [slow] @param {number} [signal] */
export function macd(values, fast = 12, slow = 26, signal = 9) {
  const [line, sig, hist] = indicatorOutputs('macd', { fast, slow, signal }, values);
  return { macd: line, signal: sig, hist };
}
