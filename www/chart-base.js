// What the workbench's charts (app.js) and the portfolio view's (portfolio-charts.js) share on
// lightweight-charts: the page's chart look, the money axis, dates as chart times, and charts
// that scroll and zoom together.

/**
 * A chart in the page's look (white, light grid, free zoom down to a hundredth of a pixel per bar).
 * @param {any} LWC the lightweight-charts global @param {HTMLElement} el
 */
export function makeChart(LWC, el) {
  return LWC.createChart(el, {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#333', fontSize: 11 },
    grid: { vertLines: { color: '#f0f0f0' }, horzLines: { color: '#f0f0f0' } },
    rightPriceScale: { borderColor: '#ddd' },
    timeScale: { borderColor: '#ddd', minBarSpacing: 0.01 },
    crosshair: { mode: LWC.CrosshairMode.Normal },
  });
}

const WHOLE_UNITS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Money on a price axis: whole currency units with thousands separators. */
export const moneyFormat = { type: 'custom', minMove: 1, formatter: (/** @type {number} */ v) => WHOLE_UNITS.format(v) };

/**
 * Chart times for the dates: 'YYYY-MM-DD' as they are, other ISO 8601 dates as UTC seconds;
 * if that does not give strictly increasing times, one day per bar.
 * @param {readonly string[]} dates @returns {(string | number)[]}
 */
export function chartTimes(dates) {
  if (dates.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) return dates.slice();
  const secs = dates.map((d) => Math.floor(Date.parse(d) / 1000));
  if (secs.every((s, i) => Number.isFinite(s) && (i === 0 || s > secs[i - 1]))) return secs;
  return dates.map((_, i) => 86400 * (i + 1));
}

/**
 * Scrolling or zooming one of the charts moves the others alike (they have one point per date each).
 * @param {readonly any[]} charts
 */
export function linkScrolling(charts) {
  let syncing = false;
  for (const c of charts) {
    c.timeScale().subscribeVisibleLogicalRangeChange((/** @type {any} */ range) => {
      if (syncing || range === null) return;
      syncing = true;
      for (const other of charts) if (other !== c) other.timeScale().setVisibleLogicalRange(range);
      syncing = false;
    });
  }
}
