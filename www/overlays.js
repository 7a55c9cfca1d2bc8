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

  /** @param {(string | number)[]} times @param {Float64Array | null} values */
  const points = (times, values) => {
    if (!values) return [];
    const out = [];
    for (let i = 0; i < values.length; i++) {
      // Warm-up bars (NaN) are whitespace: the line starts where the indicator is defined.
      out.push(Number.isFinite(values[i]) ? { time: times[i], value: values[i] } : { time: times[i] });
    }
    return out;
  };

  /**
   * Draws the chosen overlays on the bars (every series is set: the unchosen ones empty).
   * @param {any} md MarketData @param {(string | number)[]} times @param {OverlayChoice} o
   * @returns {{ drawn: string[], oscillator: string }}
   */
  function draw(md, times, o) {
    const close = md.close;
    /** @type {string[]} */
    const drawn = [];
    const set = (/** @type {any} */ series, /** @type {Float64Array | null} */ v, /** @type {string} */ name) => {
      series.setData(points(times, v));
      if (v) drawn.push(name);
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
    if (m) {
      const hist = [];
      for (let i = 0; i < m.hist.length; i++) {
        const v = m.hist[i];
        hist.push(Number.isFinite(v) ? { time: times[i], value: v, color: v >= 0 ? OVERLAY_COLORS.histUp : OVERLAY_COLORS.histDown } : { time: times[i] });
      }
      s.macdHist.setData(hist);
      drawn.push('macd-hist');
    } else {
      s.macdHist.setData([]);
    }
    return { drawn, oscillator: o.oscillator };
  }

  return { draw };
}
