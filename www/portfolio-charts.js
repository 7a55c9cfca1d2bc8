// The portfolio view's two charts (lightweight-charts): the portfolio's equity against the
// equal-weight buy and hold, and the value of each asset's position over time, stacked.
// lightweight-charts has no stacked series, so each asset's area is the cumulative sum of the
// assets up to it (in universe order), drawn from the total down with opaque fills: the band
// between two curves is that asset's value. Short positions stack by their absolute value.
import { chartTimes, linkScrolling, makeChart, moneyFormat } from './chart-base.js';

/** Opaque colors for the stacked areas, by asset (cycled beyond ten). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const EQUITY_COLORS = { strategy: '#2962ff', hold: '#8d8d8d' };

/**
 * The cumulative sums of the assets' absolute position values: row k is assets 0..k summed.
 * @param {readonly ArrayLike<number>[]} columns one per asset, equal lengths @returns {Float64Array[]}
 */
export function stackedSums(columns) {
  /** @type {Float64Array[]} */
  const out = [];
  let below = null;
  for (const col of columns) {
    const row = new Float64Array(col.length);
    for (let i = 0; i < col.length; i++) row[i] = Math.abs(col[i]) + (below ? below[i] : 0);
    out.push(row);
    below = row;
  }
  return out;
}

/**
 * @param {any} LWC the lightweight-charts global
 * @param {HTMLElement} equityEl @param {HTMLElement} positionsEl
 */
export function createPortfolioCharts(LWC, equityEl, positionsEl) {
  const equityChart = makeChart(LWC, equityEl);
  const line = (/** @type {string} */ color, /** @type {number} */ width) =>
    equityChart.addSeries(LWC.LineSeries, { color, lineWidth: width, priceLineVisible: false, priceFormat: moneyFormat });
  const holdLine = line(EQUITY_COLORS.hold, 1);
  const equityLine = line(EQUITY_COLORS.strategy, 2);
  const positionsChart = makeChart(LWC, positionsEl);
  /** @type {any[]} */
  let areas = [];

  // The two charts share their dates: they scroll and zoom together.
  const charts = [equityChart, positionsChart];
  linkScrolling(charts);
  const fit = () => {
    for (const c of charts) c.timeScale().fitContent();
  };
  // Hidden while the workbench shows: fit again once the charts get their size.
  new ResizeObserver(() => requestAnimationFrame(fit)).observe(positionsEl);

  return {
    /**
     * @param {readonly string[]} dates the union's dates
     * @param {ArrayLike<number>} equity @param {ArrayLike<number>} hold
     * @param {readonly string[]} symbols @param {Readonly<Record<string, ArrayLike<number>>>} positions symbol -> values
     */
    draw(dates, equity, hold, symbols, positions) {
      const t = chartTimes(dates);
      const points = (/** @type {ArrayLike<number>} */ v) => Array.from(t, (time, i) => ({ time, value: v[i] }));
      equityLine.setData(points(equity));
      holdLine.setData(points(hold));
      for (const a of areas) positionsChart.removeSeries(a);
      const sums = stackedSums(symbols.map((s) => positions[s]));
      areas = [];
      // The total first: each later (lower) curve is drawn over the ones above it.
      for (let k = sums.length - 1; k >= 0; k--) {
        const color = PALETTE[k % PALETTE.length];
        const area = positionsChart.addSeries(LWC.AreaSeries, {
          lineColor: color,
          topColor: color,
          bottomColor: color,
          lineWidth: 1,
          priceLineVisible: false,
          lastValueVisible: false,
          priceFormat: moneyFormat,
        });
        area.setData(points(sums[k]));
        areas.push(area);
      }
      fit();
      requestAnimationFrame(fit);
      return { series: areas.length };
    },
  };
}
