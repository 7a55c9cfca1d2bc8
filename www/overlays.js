// Indicator overlays on the price chart (SMA, EMA, Bollinger bands, Donchian channel) and the
// oscillator pane (RSI or MACD), all computed by the engine (./indicators.js).
import * as indicators from './indicators.js';

/** Series colors (the browser test looks for them on the canvases). */
export const OVERLAY_COLORS = {
  smaFast: '#ff9800',
  smaSlow: '#6a1b9a',
  ema: '#00897b',
  bbands: '#1e88e5',
  donchian: '#c2185b',
  rsi: '#7e57c2',
  macd: '#2962ff',
  signal: '#ff6d00',
  histUp: '#26a69a',
  histDown: '#ef5350',
};

/**
 * @typedef {{ smaFast: number | null, smaSlow: number | null, ema: number | null,
 *   bbands: { period: number, k: number } | null, donchian: number | null,
 *   oscillator: 'none' | 'rsi' | 'macd', rsiPeriod: number,
 *   macd: { fast: number, slow: number, signal: number } }} OverlayChoice
 */

/**
 * @param {any} LWC the lightweight-charts global @param {any} priceChart @param {any} oscChart
 */
export function createOverlays(LWC, priceChart, oscChart) {
  const lineOpts = { lineWidth: 1, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false };
  /** @param {any} chart @param {string} color @param {Record<string, unknown>} [extra] */
  const add = (chart, color, extra = {}) => chart.addSeries(LWC.LineSeries, { ...lineOpts, color, ...extra });
  const C = OVERLAY_COLORS;
  const s = {
    smaFast: add(priceChart, C.smaFast, { lineWidth: 2 }),
    smaSlow: add(priceChart, C.smaSlow, { lineWidth: 2 }),
    ema: add(priceChart, C.ema, { lineWidth: 2 }),
    bbUpper: add(priceChart, C.bbands),
    bbMiddle: add(priceChart, C.bbands, { lineStyle: LWC.LineStyle.Dashed }),
    bbLower: add(priceChart, C.bbands),
    dcUpper: add(priceChart, C.donchian),
    dcLower: add(priceChart, C.donchian),
    rsi: add(oscChart, C.rsi, { lineWidth: 2, lastValueVisible: true }),
    macdHist: oscChart.addSeries(LWC.HistogramSeries, { priceLineVisible: false, lastValueVisible: false }),
    macd: add(oscChart, C.macd, { lineWidth: 2, lastValueVisible: true }),
    signal: add(oscChart, C.signal, { lineWidth: 1, lastValueVisible: true }),
  };
  // RSI's classic 30 / 70 bands.
  const bands = [30, 70].map((price) => s.rsi.createPriceLine({ price, color: '#9e9e9e', lineWidth: 1, lineStyle: LWC.LineStyle.Dotted, axisLabelVisible: true, title: '' }));
  void bands;

  /** A chart point: warm-up bars (NaN) are whitespace, so the line starts where the indicator is defined. @param {string | number} time @param {number} value @param {boolean} histogram */
  const point = (time, value, histogram) => {
    if (!Number.isFinite(value)) return { time };
    return histogram ? { time, value, color: value >= 0 ? OVERLAY_COLORS.histUp : OVERLAY_COLORS.histDown } : { time, value };
  };
  /** @param {(string | number)[]} times @param {ArrayLike<number>} values @param {boolean} histogram @param {number} n */
  const points = (times, values, histogram, n) => {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = point(times[i], values[i], histogram);
    return out;
  };

  /** What draw() set: each drawn series with its values (a replay reveals them bar by bar). @type {{ series: any, values: ArrayLike<number>, histogram: boolean }[]} */
  let shown = [];
  /** @type {(string | number)[]} */
  let shownTimes = [];

  /**
   * Draws the chosen overlays on the bars (every series is set: the unchosen ones empty).
   * @param {any} md MarketData @param {(string | number)[]} times @param {OverlayChoice} o
   * @returns {{ drawn: string[], oscillator: string }}
   */
  function draw(md, times, o) {
    const close = md.close;
    /** @type {string[]} */
    const drawn = [];
    shown = [];
    shownTimes = times;
    const set = (/** @type {any} */ series, /** @type {Float64Array | null} */ v, /** @type {string} */ name, histogram = false) => {
      series.setData(v ? points(times, v, histogram, v.length) : []);
      if (!v) return;
      drawn.push(name);
      shown.push({ series, values: v, histogram });
    };
    set(s.smaFast, o.smaFast ? indicators.sma(close, o.smaFast) : null, 'sma-fast');
    set(s.smaSlow, o.smaSlow ? indicators.sma(close, o.smaSlow) : null, 'sma-slow');
    set(s.ema, o.ema ? indicators.ema(close, o.ema) : null, 'ema');
    const bb = o.bbands ? indicators.bbands(close, o.bbands.period, o.bbands.k) : null;
    set(s.bbUpper, bb?.upper ?? null, 'bbands');
    set(s.bbMiddle, bb?.middle ?? null, 'bbands-middle');
    set(s.bbLower, bb?.lower ?? null, 'bbands-lower');
    // The channel of the previous `period` bars' highs and lows (what a breakout crosses).
    set(s.dcUpper, o.donchian ? indicators.highest(md.high, o.donchian) : null, 'donchian');
    set(s.dcLower, o.donchian ? indicators.lowest(md.low, o.donchian) : null, 'donchian-lower');
    set(s.rsi, o.oscillator === 'rsi' ? indicators.rsi(close, o.rsiPeriod) : null, 'rsi');
    const m = o.oscillator === 'macd' ? indicators.macd(close, o.macd.fast, o.macd.slow, o.macd.signal) : null;
    set(s.macd, m?.macd ?? null, 'macd');
    set(s.signal, m?.signal ?? null, 'macd-signal');
    set(s.macdHist, m?.hist ?? null, 'macd-hist', true);
    return { drawn, oscillator: o.oscillator };
  }

  /** Shows the drawn overlays on the first `n` bars only (a replay's start). @param {number} n */
  function reveal(n) {
    for (const { series, values, histogram } of shown) series.setData(points(shownTimes, values, histogram, n));
  }

  /** Adds bar `i` to every drawn overlay (each value depends on bars up to `i` only). @param {number} i */
  function grow(i) {
    for (const { series, values, histogram } of shown) series.update(point(shownTimes[i], values[i], histogram));
  }

  return { draw, reveal, grow };
}
