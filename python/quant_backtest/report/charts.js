// quant-backtest's chart component: every chart of a result (price with trades and indicator
// overlays, equity against buy and hold, drawdown, the sweep heatmap, a portfolio's position
// values, the walk-forward windows), the metric formatting and a whole report drawn from a
// report document (docs/REPORTS.md). One file with no imports, because it is used three ways:
// the demo page imports it (www/), a standalone HTML report inlines it (report.html, written by
// Python's save_report and JS's report()), and a notebook plot inlines it in an iframe. It takes
// lightweight-charts' global (`LWC`) as an argument and touches no DOM when imported, so Node
// tests can import its pure functions.

// ---------------------------------------------------------------------------------------------
// Numbers as the page and the reports write them

const nf = (/** @type {number} */ digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const NF0 = nf(0);
const NF2 = nf(2);
const NF3 = nf(3);
export const NA = 'n/a';

/** @param {unknown} x @returns {x is number} */
const finite = (x) => typeof x === 'number' && Number.isFinite(x);
/** A fraction as a percent: 0.1234 -> "12.34 %". @param {number | null | undefined} x */
export const pct = (x) => (finite(x) ? `${NF2.format(x * 100)} %` : NA);
/** A value already in percent: 56.25 -> "56.25 %". @param {number | null | undefined} x */
export const pct100 = (x) => (finite(x) ? `${NF2.format(x)} %` : NA);
/** @param {number | null | undefined} x */
export const ratio = (x) => (finite(x) ? NF3.format(x) : NA);
/** @param {number | null | undefined} x */
export const int = (x) => (finite(x) ? NF0.format(x) : NA);
/** @param {number | null | undefined} x */
export const money = (x) => (finite(x) ? NF2.format(x) : NA);
/** A trade's price: 6 significant digits (2 decimals from 1000 up). @param {number} x */
export const price = (x) => (Math.abs(x) >= 1000 ? NF2.format(x) : x.toPrecision(6).replace(/\.?0+$/, ''));
/** Milliseconds, with fewer digits as they grow. @param {number} x */
export const ms = (x) => (x >= 100 ? `${NF0.format(x)} ms` : `${x.toFixed(x >= 10 ? 1 : 2)} ms`);

/** Labels where the catalog's name alone reads badly. */
const METRIC_LABELS = /** @type {Record<string, string>} */ ({
  volatility: 'Volatility (annualized)',
  trade_count: 'Closed trades',
  buy_and_hold_return: 'Buy and hold return',
  max_drawdown_duration: 'Max drawdown duration (bars)',
});

/** Formatters where a metric is not a fraction shown in %. */
const METRIC_FORMAT = /** @type {Record<string, (x: number | null | undefined) => string>} */ ({
  sharpe_ratio: ratio,
  sortino_ratio: ratio,
  profit_factor: ratio,
  calmar_ratio: ratio,
  trade_count: int,
  max_drawdown_duration: int,
  win_rate: pct100,
  expectancy: money,
});

/** A catalog metric name as a label: max_drawdown -> "Max drawdown". @param {string} name */
export const metricLabel = (name) => METRIC_LABELS[name] ?? name[0].toUpperCase() + name.slice(1).replace(/_/g, ' ');

/** A metric's value as the page writes it. @param {string} name catalog name @param {number | null | undefined} value */
export const formatMetric = (name, value) => (METRIC_FORMAT[name] ?? pct)(value);

/** A catalog name in the package's camelCase: total_return -> totalReturn. @param {string} name */
export const camelKey = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/**
 * How a heatmap colors a metric: 'diverging' around 0 (returns, ratios), 'worse' where more is
 * worse (volatility, drawdown: the best is the lowest), 'count' for counts and durations.
 * @param {string} name catalog name @returns {'diverging' | 'worse' | 'count'}
 */
export function metricScale(name) {
  if (name === 'volatility' || name === 'max_drawdown') return 'worse';
  if (name === 'trade_count' || name === 'win_rate' || /duration|count/.test(name)) return 'count';
  return 'diverging';
}

// ---------------------------------------------------------------------------------------------
// Charts: the look, the axes' formats, dates as times, charts that scroll together

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
/** A percent axis (the drawdown's). */
export const pctFormat = { type: 'custom', minMove: 0.01, formatter: (/** @type {number} */ v) => `${v.toFixed(1)} %` };

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

/**
 * Shows all `n` bars with a margin on both sides wide enough for half a time label (about 20
 * px): fitContent() puts the first and last bars on the edges, where their labels were cut off.
 * @param {any} chart @param {number} n
 */
export function fitBars(chart, n) {
  const width = chart.timeScale().width();
  if (n < 2 || !(width > 40)) return chart.timeScale().fitContent();
  const pad = (n * 20) / (width - 40);
  chart.timeScale().setVisibleLogicalRange({ from: -pad, to: n - 1 + pad });
}

/**
 * Shows all `n` bars on the charts once they have their size (autoSize measures them
 * asynchronously), and again whenever it changes.
 * @param {readonly any[]} charts @param {number} n
 */
export function keepFitted(charts, n) {
  let queued = false;
  const fit = () => {
    queued = false;
    for (const c of charts) fitBars(c, n);
  };
  const observer = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(fit);
  });
  for (const c of charts) observer.observe(c.chartElement().parentElement);
  fit();
}

/**
 * `[{ time, value }]` of the values at the times; a NaN is a gap (whitespace: `{ time }`).
 * @param {readonly (string | number)[]} times @param {ArrayLike<number>} values
 */
export const linePoints = (times, values) => Array.from(values, (value, i) => (Number.isNaN(value) ? { time: times[i] } : { time: times[i], value }));

// ---------------------------------------------------------------------------------------------
// Trade markers: entries by side (long below the bar, short above), exits by reason, each with
// its own color and letter (the page's legend and the browser tests look for these colors).

export const ENTRY_STYLE = {
  long: { color: '#1a9850', shape: 'arrowUp', position: 'belowBar', text: 'L' },
  short: { color: '#8e24aa', shape: 'arrowDown', position: 'aboveBar', text: 'S' },
};

export const EXIT_STYLE = {
  signal: { color: '#37474f', text: 'X' },
  stop_loss: { color: '#e65100', text: 'SL' },
  take_profit: { color: '#0277bd', text: 'TP' },
  trailing_stop: { color: '#f9a825', text: 'TS' },
  reverse: { color: '#6d4c41', text: 'R' },
};

/** An entry's marker. @param {string} side @param {string | number} time */
function entryMarker(side, time) {
  const s = ENTRY_STYLE[/** @type {'long' | 'short'} */ (side)] ?? ENTRY_STYLE.long;
  return { time, position: s.position, shape: s.shape, color: s.color, text: s.text };
}

/**
 * An exit's marker: a long exits above the bar, a short below (where the price went against
 * the entry).
 * @param {string} side @param {string} reason @param {string | number} time
 */
function exitMarker(side, reason, time) {
  const x = EXIT_STYLE[/** @type {keyof typeof EXIT_STYLE} */ (reason)] ?? EXIT_STYLE.signal;
  return { time, position: side === 'short' ? 'belowBar' : 'aboveBar', shape: 'circle', color: x.color, text: x.text };
}

/**
 * @typedef {{ entryIndex: number, exitIndex: number, direction: string, exitReason: string }} MarkedTrade
 */

/**
 * lightweight-charts markers for trades, in time order.
 * @param {readonly MarkedTrade[]} trades @param {readonly (string | number)[]} times
 */
export function tradeMarkers(trades, times) {
  /** @type {{ marker: ReturnType<typeof entryMarker> & { id: string }, at: number }[]} */
  const m = [];
  trades.forEach((t, k) => {
    m.push({ marker: { ...entryMarker(t.direction, times[t.entryIndex]), id: `in${k}` }, at: t.entryIndex });
    m.push({ marker: { ...exitMarker(t.direction, t.exitReason, times[t.exitIndex]), id: `out${k}` }, at: t.exitIndex });
  });
  m.sort((a, b) => a.at - b.at);
  return m.map((x) => x.marker);
}

/**
 * The marker of a live run's fill or stop event (what tradeMarkers draws for its trade), or
 * null for the other events.
 * @param {{ kind: string, reason?: string | null, side: string }} e @param {string | number} time
 */
export function eventMarker(e, time) {
  if (e.kind === 'fill' && e.reason === 'entry') return entryMarker(e.side, time);
  return e.kind === 'fill' || e.kind === 'stop' ? exitMarker(e.side, String(e.reason), time) : null;
}

/** How many markers of each kind: 'entry:long', 'exit:stop_loss', ... @param {readonly MarkedTrade[]} trades */
export function markerCounts(trades) {
  /** @type {Record<string, number>} */
  const n = {};
  for (const t of trades) {
    n[`entry:${t.direction}`] = (n[`entry:${t.direction}`] ?? 0) + 1;
    n[`exit:${t.exitReason}`] = (n[`exit:${t.exitReason}`] ?? 0) + 1;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// One asset's run: candles with markers, equity against buy and hold, drawdown

export const RUN_COLORS = { up: '#1a9850', down: '#d7301f', strategy: '#2962ff', hold: '#8d8d8d', drawdown: '#d7301f' };

/** The buy and hold of one asset: the capital in units at the first close. @param {ArrayLike<number>} close @param {number} capital */
export const holdCurve = (close, capital) => Array.from(close, (c) => (capital * c) / close[0]);

/** The drawdown in percent below the running peak (NaN, a gap, where the equity is NaN). @param {ArrayLike<number>} equity @returns {number[]} */
export function drawdownPercent(equity) {
  let peak = -Infinity;
  return Array.from(equity, (v) => {
    if (Number.isNaN(v)) return NaN;
    peak = Math.max(peak, v);
    return (v / peak - 1) * 100;
  });
}

/** @typedef {{ open: ArrayLike<number>, high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number> }} Bars */

/**
 * The price chart (candles and trade markers) and the equity (strategy and buy and hold) and
 * drawdown charts of one asset's run. The caller adds its own series to `priceChart` (overlays)
 * and its own charts to `charts` before linking them (`linkScrolling(run.charts)`).
 * @param {any} LWC @param {{ price: HTMLElement, equity: HTMLElement, drawdown: HTMLElement }} el
 */
export function createRunCharts(LWC, el) {
  const C = RUN_COLORS;
  const priceChart = makeChart(LWC, el.price);
  const candles = priceChart.addSeries(LWC.CandlestickSeries, {
    upColor: C.up,
    downColor: C.down,
    borderVisible: false,
    wickUpColor: C.up,
    wickDownColor: C.down,
  });
  const markers = LWC.createSeriesMarkers(candles, []);
  const equityChart = makeChart(LWC, el.equity);
  // Whole currency units and no series titles: titles sat on the price axis over its labels
  // (the legend is the figure's caption).
  const holdLine = equityChart.addSeries(LWC.LineSeries, { color: C.hold, lineWidth: 1, priceLineVisible: false, priceFormat: moneyFormat });
  const equityLine = equityChart.addSeries(LWC.LineSeries, { color: C.strategy, lineWidth: 2, priceLineVisible: false, priceFormat: moneyFormat });
  const drawdownChart = makeChart(LWC, el.drawdown);
  const drawdownArea = drawdownChart.addSeries(LWC.AreaSeries, {
    lineColor: C.drawdown,
    topColor: 'rgba(215, 48, 31, 0.05)',
    bottomColor: 'rgba(215, 48, 31, 0.45)',
    lineWidth: 1,
    priceFormat: pctFormat,
    priceLineVisible: false,
    invertFilledArea: true,
  });
  return {
    priceChart,
    candles,
    markers,
    equityChart,
    holdLine,
    equityLine,
    drawdownChart,
    drawdownArea,
    charts: [priceChart, equityChart, drawdownChart],
    /** The candles, and no run. @param {readonly (string | number)[]} times @param {Bars} d */
    setBars(times, d) {
      const n = times.length;
      const rows = new Array(n);
      for (let i = 0; i < n; i++) rows[i] = { time: times[i], open: d.open[i], high: d.high[i], low: d.low[i], close: d.close[i] };
      candles.setData(rows);
      this.clearRun();
    },
    /**
     * A run on those bars: its equity, the buy and hold, the drawdown, the trades' markers.
     * @param {readonly (string | number)[]} times @param {ArrayLike<number>} equity
     * @param {ArrayLike<number> | null} hold @param {readonly MarkedTrade[]} trades
     */
    setRun(times, equity, hold, trades) {
      equityLine.setData(linePoints(times, equity));
      holdLine.setData(hold ? linePoints(times, hold) : []);
      drawdownArea.setData(linePoints(times, drawdownPercent(equity)));
      markers.setMarkers(tradeMarkers(trades, times));
    },
    clearRun() {
      markers.setMarkers([]);
      equityLine.setData([]);
      holdLine.setData([]);
      drawdownArea.setData([]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Indicator overlays on the price chart (SMA, EMA, Bollinger bands, Donchian channel) and the
// oscillator pane (RSI or MACD)

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
 * The demo page's overlays: the chosen indicators on the price chart and the oscillator pane,
 * computed by `indicators` (the package's indicators module: the page passes it in, so that
 * this file imports nothing).
 * @param {any} LWC the lightweight-charts global @param {any} priceChart @param {any} oscChart
 * @param {any} indicators
 */
export function createOverlays(LWC, priceChart, oscChart, indicators) {
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

// ---------------------------------------------------------------------------------------------
// A portfolio: equity against the equal-weight buy and hold, and each asset's position value

/**
 * Sort keys of dates: their instants (ms) when every one parses, else the strings themselves
 * (the engine's union is then matched on the exact text).
 * @param {readonly string[]} dates @returns {number[] | readonly string[]}
 */
function dateKeys(dates) {
  const t = dates.map((d) => Date.parse(d));
  return t.every(Number.isFinite) ? t : dates;
}

/**
 * The benchmark of a portfolio: an equal-weight buy and hold of the universe on each union
 * date. The starting capital is split equally over the assets; each share is spent on its
 * asset at that asset's first close (no fees, fractional units) and sits as cash until then;
 * an asset is valued at its last close on the union dates where it has no bar. So it ends at
 * capital * (1 + the mean of the assets' own buy-and-hold returns), which is the engine's
 * `buyAndHoldReturn` of a portfolio.
 * @param {readonly string[]} unionDates the universe's dates, increasing
 * @param {readonly { dates: readonly string[], close: ArrayLike<number> }[]} assets in any order
 * @param {number} capital
 * @returns {Float64Array}
 */
export function equalWeightHold(unionDates, assets, capital) {
  const n = unionDates.length;
  const out = new Float64Array(n);
  if (assets.length === 0) return out;
  const share = capital / assets.length;
  const union = dateKeys(unionDates);
  const numeric = typeof union[0] === 'number';
  for (const a of assets) {
    const own = numeric ? dateKeys(a.dates) : a.dates;
    // If this asset's dates do not parse while the union's do, compare the texts of both.
    const u = typeof own[0] === typeof union[0] ? union : unionDates;
    const first = a.close[0];
    let p = -1;
    for (let j = 0; j < n; j++) {
      while (p + 1 < own.length && own[p + 1] <= u[j]) p++;
      out[j] += p < 0 ? share : (share * a.close[p]) / first;
    }
  }
  return out;
}

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
 * A portfolio's two charts: its equity against the equal-weight buy and hold, and the value of
 * each asset's position over time, stacked. lightweight-charts has no stacked series, so each
 * asset's area is the cumulative sum of the assets up to it (in universe order), drawn from the
 * total down with opaque fills: the band between two curves is that asset's value. Short
 * positions stack by their absolute value.
 * @param {any} LWC @param {HTMLElement} equityEl @param {HTMLElement} positionsEl
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
    charts,
    /**
     * @param {readonly string[]} dates the union's dates
     * @param {ArrayLike<number>} equity @param {ArrayLike<number>} hold
     * @param {readonly string[]} symbols @param {Readonly<Record<string, ArrayLike<number>>>} positions symbol -> values
     */
    draw(dates, equity, hold, symbols, positions) {
      const t = chartTimes(dates);
      equityLine.setData(linePoints(t, equity));
      holdLine.setData(linePoints(t, hold));
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
        area.setData(linePoints(t, sums[k]));
        areas.push(area);
      }
      fit();
      requestAnimationFrame(fit);
      return { series: areas.length };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The sweep heatmap (a canvas): two params as rows and columns, a metric as the color

/** The heatmap's margins around its cells (CSS pixels). */
export const HEATMAP_MARGIN = { left: 46, right: 86, top: 10, bottom: 38 };

/** @param {string} hex */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
/** @param {readonly string[]} stops @param {number} t in [0, 1] */
function ramp(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const a = rgb(stops[i]);
  const b = rgb(stops[i + 1]);
  const f = x - i;
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(',')})`;
}
const RAMPS = {
  diverging: ['#b2182b', '#ef8a62', '#fddbc7', '#f7f7f7', '#d9f0d3', '#7fbf7b', '#1b7837'],
  worse: ['#ffffcc', '#fed976', '#fd8d3c', '#e31a1c', '#800026'],
  count: ['#f7fcf0', '#ccebc5', '#7bccc4', '#2b8cbe', '#084081'],
};

/**
 * The color scale of values: diverging around 0 (symmetric), or from the lowest to the highest.
 * @param {'diverging' | 'worse' | 'count'} kind @param {ArrayLike<number>} values
 */
export function colorScale(kind, values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo === Infinity) return { lo: NaN, hi: NaN, color: () => '#cccccc', t: () => 0.5 };
  if (kind === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    const t = (/** @type {number} */ v) => 0.5 + v / (2 * m);
    return { lo: -m, hi: m, t, color: (/** @type {number} */ v) => ramp(RAMPS.diverging, t(v)) };
  }
  const stops = RAMPS[kind];
  const span = hi - lo || 1;
  const t = (/** @type {number} */ v) => (hi === lo ? 0.5 : (v - lo) / span);
  return { lo, hi, t, color: (/** @type {number} */ v) => ramp(stops, t(v)) };
}

/**
 * @typedef {{
 *   y: string, x: string, yAxis: readonly number[], xAxis: readonly number[],
 *   value: (r: number, c: number) => number | undefined,
 *   kind: 'diverging' | 'worse' | 'count', fmt: (x: number) => string,
 *   selected?: { r: number, c: number } | null, focus?: { r: number, c: number } | null,
 * }} Heatmap
 */

/**
 * The (y, x) grid of a sweep's rows: the axes (sorted distinct values) and each pair's row.
 * @param {ArrayLike<number>} ys @param {ArrayLike<number>} xs the two params' columns
 */
export function heatmapGrid(ys, xs) {
  /** @type {Map<string, number>} */
  const index = new Map();
  for (let i = 0; i < ys.length; i++) index.set(`${ys[i]},${xs[i]}`, i);
  const axis = (/** @type {ArrayLike<number>} */ col) => [...new Set(Array.from(col))].sort((a, b) => a - b);
  return { yAxis: axis(ys), xAxis: axis(xs), index, row: (/** @type {number} */ y, /** @type {number} */ x) => index.get(`${y},${x}`) };
}

/**
 * Draws a heatmap on a canvas `width` CSS pixels wide: a cell per (y, x) pair (grey where the
 * pair was left out, darker grey where the metric is undefined), the axes, and a color bar with
 * the scale's range. Returns the layout (cell sizes) and how many cells it drew.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {Heatmap} h
 */
export function drawHeatmap(canvas, width, h) {
  const M = HEATMAP_MARGIN;
  const dpr = globalThis.devicePixelRatio || 1;
  const { yAxis, xAxis } = h;
  /** @type {number[]} */
  const all = [];
  for (let r = 0; r < yAxis.length; r++) for (let c = 0; c < xAxis.length; c++) all.push(h.value(r, c) ?? NaN);
  const scale = colorScale(h.kind, all);
  const plotW = width - M.left - M.right;
  const cw = plotW / xAxis.length;
  const ch = Math.max(6, Math.min(30, Math.min(cw, 380 / yAxis.length)));
  const height = M.top + ch * yAxis.length + M.bottom;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  let drawn = 0;
  // Cells: rows are the y values (small at the top), columns the x values.
  for (let r = 0; r < yAxis.length; r++) {
    for (let c = 0; c < xAxis.length; c++) {
      const v = h.value(r, c);
      if (v === undefined) ctx.fillStyle = '#eeeeee'; // left out by the constraint
      else ctx.fillStyle = Number.isFinite(v) ? scale.color(v) : '#bdbdbd';
      ctx.fillRect(M.left + c * cw, M.top + r * ch, Math.ceil(cw), Math.ceil(ch));
      drawn++;
    }
  }
  // Outlines: the charted pair, and the keyboard focus.
  const outline = (/** @type {{ r: number, c: number }} */ at, /** @type {string} */ color, /** @type {number[]} */ dash) => {
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.strokeRect(M.left + at.c * cw + 1, M.top + at.r * ch + 1, Math.max(2, cw - 2), Math.max(2, ch - 2));
    ctx.restore();
  };
  if (h.selected) outline(h.selected, '#111111', []);
  if (h.focus) outline(h.focus, '#2962ff', [3, 2]);

  // Axes.
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yEvery = Math.ceil(13 / ch);
  for (let r = 0; r < yAxis.length; r += yEvery) ctx.fillText(String(yAxis[r]), M.left - 5, M.top + r * ch + ch / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xEvery = Math.ceil(28 / cw);
  for (let c = 0; c < xAxis.length; c += xEvery) ctx.fillText(String(xAxis[c]), M.left + c * cw + cw / 2, M.top + yAxis.length * ch + 4);
  ctx.fillText(h.x, M.left + plotW / 2, M.top + yAxis.length * ch + 20);
  ctx.save();
  ctx.translate(11, M.top + (yAxis.length * ch) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(h.y, 0, 0);
  ctx.restore();

  // Legend: a vertical color bar with its range.
  const lx = width - M.right + 14;
  const ly = M.top;
  const lh = Math.max(60, yAxis.length * ch);
  if (Number.isFinite(scale.lo)) {
    const steps = 64;
    for (let k = 0; k < steps; k++) {
      const v = scale.hi - ((scale.hi - scale.lo) * (k + 0.5)) / steps;
      ctx.fillStyle = scale.color(v);
      ctx.fillRect(lx, ly + (lh * k) / steps, 14, lh / steps + 1);
    }
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(lx + 0.5, ly + 0.5, 14, lh);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(h.fmt(scale.hi), lx + 18, ly);
    ctx.textBaseline = 'bottom';
    ctx.fillText(h.fmt(scale.lo), lx + 18, ly + lh);
    if (h.kind === 'diverging') {
      ctx.textBaseline = 'middle';
      ctx.fillText(h.fmt(0), lx + 18, ly + lh / 2);
    }
  }
  return { cw, ch, width, height, drawn };
}

/**
 * The (r, c) cell under a point of the canvas (CSS pixels), or null.
 * @param {{ cw: number, ch: number }} layout @param {number} rows @param {number} cols @param {number} x @param {number} y
 */
export function heatmapCellAt(layout, rows, cols, x, y) {
  const c = Math.floor((x - HEATMAP_MARGIN.left) / layout.cw);
  const r = Math.floor((y - HEATMAP_MARGIN.top) / layout.ch);
  if (r < 0 || c < 0 || r >= rows || c >= cols) return null;
  return { r, c };
}

/**
 * The best row of a metric's column (highest; lowest where more is worse), or -1 if none is defined.
 * @param {ArrayLike<number>} values @param {'diverging' | 'worse' | 'count'} kind
 */
export function bestRow(values, kind) {
  const lower = kind === 'worse';
  let at = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]) && (at < 0 || (lower ? values[i] < values[at] : values[i] > values[at]))) at = i;
  }
  return at;
}

// ---------------------------------------------------------------------------------------------
// The walk-forward: test windows shaded on the price chart, out-of-sample equity against each
// window's in-sample equity

/** The test windows' shades on the price chart, alternating; the equity lines' colors. */
export const WALK_COLORS = {
  shades: ['#e3ebff', '#ffefd9'],
  outOfSample: '#2962ff',
  inSample: '#9e9e9e',
};

/**
 * A window's in-sample equity scaled so that it ends at `end` (the equity its test starts
 * from): the two curves then meet where the test begins.
 * @param {ArrayLike<number>} equity @param {number} end @returns {number[]}
 */
export function rebased(equity, end) {
  const k = end / equity[equity.length - 1];
  return Array.from(equity, (v) => v * k);
}

/**
 * @typedef {{ window: number, trainStartIndex: number, testStartIndex: number, testEndIndex: number,
 *   startEquity: number, inSampleEquity: ArrayLike<number> }} WalkWindowView
 */

/**
 * The walk-forward's drawings: the test windows as shades under `priceChart`'s candles (a
 * histogram on its own hidden scale, full height, drawn first), and a chart at `el` of the
 * stitched out-of-sample equity against each window's in-sample equity (rebased).
 * @param {any} LWC @param {any} priceChart @param {HTMLElement} el
 */
export function createWalkCharts(LWC, priceChart, el) {
  const shades = priceChart.addSeries(LWC.HistogramSeries, { priceScaleId: 'walk', priceLineVisible: false, lastValueVisible: false, base: 0 }, 0);
  shades.setSeriesOrder(0);
  priceChart.priceScale('walk').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
  const chart = makeChart(LWC, el);
  const line = (/** @type {string} */ color, /** @type {number} */ width, /** @type {number} */ style) =>
    chart.addSeries(LWC.LineSeries, { color, lineWidth: width, lineStyle: style, priceLineVisible: false, lastValueVisible: false, priceFormat: moneyFormat });
  const outLine = line(WALK_COLORS.outOfSample, 2, LWC.LineStyle.Solid);
  /** @type {any[]} */
  let inLines = [];
  new ResizeObserver(() => requestAnimationFrame(() => chart.timeScale().fitContent())).observe(el);
  return {
    chart,
    get inSampleLines() {
      return inLines.length;
    },
    /**
     * @param {readonly (string | number)[]} t the bars' times
     * @param {readonly WalkWindowView[]} windows @param {ArrayLike<number>} equity the stitched curve
     * @param {ArrayLike<number>} equityIndex the bar of each of its points
     */
    draw(t, windows, equity, equityIndex) {
      const points = [];
      for (const w of windows) {
        for (let i = w.testStartIndex; i <= w.testEndIndex; i++) points.push({ time: t[i], value: 1, color: WALK_COLORS.shades[w.window % 2] });
      }
      shades.setData(points);
      outLine.setData(Array.from(equityIndex, (i, k) => ({ time: t[i], value: equity[k] })));
      for (const s of inLines) chart.removeSeries(s);
      inLines = windows.map((w) => {
        const s = line(WALK_COLORS.inSample, 1, LWC.LineStyle.Dashed);
        const values = rebased(w.inSampleEquity, w.startEquity);
        s.setData(values.map((v, k) => ({ time: t[w.trainStartIndex + k], value: v })));
        return s;
      });
      chart.timeScale().fitContent();
    },
    clear() {
      shades.setData([]);
      outLine.setData([]);
      for (const s of inLines) chart.removeSeries(s);
      inLines = [];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A report: a whole result drawn from its report document (docs/REPORTS.md), in a standalone
// HTML file or a notebook's iframe

/** The metrics a report's summary shows first (the rest follow in the document's order). */
const HEADLINE = ['total_return', 'annualized_return', 'sharpe_ratio', 'max_drawdown', 'trade_count', 'win_rate'];

/**
 * An element with children (strings become text).
 * @param {string} tag @param {Record<string, string>} [attrs] @param {...(Node | string)} children
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/**
 * A table with a header row and one row per item.
 * @param {string} caption @param {readonly string[]} head @param {readonly (readonly (string | number)[])[]} rows
 * @param {(i: number) => string} [rowClass]
 */
function table(caption, head, rows, rowClass) {
  const t = h('table', { class: 'rows' }, h('caption', {}, caption));
  t.append(h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))));
  const body = h('tbody');
  rows.forEach((r, i) => body.append(h('tr', rowClass ? { class: rowClass(i) } : {}, ...r.map((c) => h('td', {}, String(c))))));
  t.append(body);
  return t;
}

/** The metrics as label / value pairs in a grid: the headline ones first. @param {string} caption @param {Record<string, number | null>} metrics */
function metricsList(caption, metrics) {
  const names = [...HEADLINE.filter((n) => n in metrics), ...Object.keys(metrics).filter((n) => !HEADLINE.includes(n))];
  const list = h('dl', { class: 'metrics' });
  for (const n of names) {
    const value = formatMetric(n, metrics[n]);
    list.append(h('div', { 'data-metric': n }, h('dt', {}, metricLabel(n)), h('dd', value === NA ? { class: 'na' } : {}, value)));
  }
  return h('div', { class: 'metrics-box' }, h('h2', {}, caption), list);
}

/** @typedef {{ entry_index: number, exit_index: number, entry_date: string, exit_date: string, entry_price: number, exit_price: number, size: number, pnl: number, return_pct: number, bars_held: number, direction: string, exit_reason: string, symbol?: string }} ReportTrade */

/** The trade list. @param {readonly ReportTrade[]} trades */
function tradesTable(trades) {
  const withSymbol = trades.length > 0 && 'symbol' in trades[0];
  const head = ['#', ...(withSymbol ? ['Symbol'] : []), 'Side', 'Exit', 'Entry date', 'Entry price', 'Exit date', 'Exit price', 'Size', 'P&L', 'Return', 'Bars'];
  const rows = trades.map((t, i) => [i + 1, ...(withSymbol ? [String(t.symbol)] : []), t.direction, t.exit_reason.replace(/_/g, ' '), t.entry_date, price(t.entry_price), t.exit_date, price(t.exit_price), money(t.size), money(t.pnl), pct(t.return_pct), t.bars_held]);
  return table(`Trades (${int(trades.length)})`, head, rows, (i) => (trades[i].pnl > 0 ? 'win' : 'loss'));
}

/** A report trade as the markers read it. @param {ReportTrade} t @returns {MarkedTrade} */
const marked = (t) => ({ entryIndex: t.entry_index, exitIndex: t.exit_index, direction: t.direction, exitReason: t.exit_reason });

/** A titled figure holding a chart's element. @param {HTMLElement} parent @param {string} caption @param {string} cls */
function figure(parent, caption, cls) {
  const box = h('div', { class: `chart ${cls}` });
  parent.append(h('figure', {}, box, h('figcaption', {}, caption)));
  return box;
}

/** Null (JSON's NaN) back to NaN in a column. @param {readonly (number | null)[]} values */
const numbers = (values) => Float64Array.from(values, (v) => (v === null ? NaN : v));

/**
 * One asset's run: candles with the trades, overlays, equity against buy and hold, drawdown.
 * Returns what it drew, and the price chart (the walk-forward shades it).
 * @param {any} LWC @param {HTMLElement} root @param {any} bars @param {any} run @param {readonly any[]} overlays
 * @param {readonly number[]} [equityIndex] the bar of each equity point (a walk-forward's)
 */
function drawRun(LWC, root, bars, run, overlays, equityIndex) {
  const times = chartTimes(bars.dates);
  const onPrice = overlays.filter((o) => o.pane === 'price');
  const onOscillator = overlays.filter((o) => o.pane !== 'price');
  const price = figure(root, `${bars.symbol}: price, trades (L / S entries, X / SL / TP / TS / R exits)`, 'price');
  const osc = onOscillator.length ? figure(root, 'Indicators', 'oscillator') : null;
  const el = { price, equity: figure(root, 'Equity (blue) against buy and hold (grey)', 'equity'), drawdown: figure(root, 'Drawdown', 'drawdown') };
  const c = createRunCharts(LWC, el);
  c.setBars(times, bars);
  const curve = numbers(run.equity_curve);
  // A point per bar (the charts scroll together by bar): a walk-forward's equity is on its
  // test bars only (equityIndex), a gap elsewhere.
  const at = equityIndex ?? Array.from(times.keys());
  const equity = new Float64Array(times.length).fill(NaN);
  const hold = new Float64Array(times.length).fill(NaN);
  // The buy and hold starts with the run's first equity (the document holds no settings).
  const c0 = bars.close[at[0]];
  at.forEach((i, k) => {
    equity[i] = curve[k];
    hold[i] = (curve[0] * bars.close[i]) / c0;
  });
  c.setRun(times, equity, hold, run.trades.map(marked));
  const charts = [...c.charts];
  // The strategy's indicators: a line each (whitespace in the warm-up), named in the caption.
  // On the oscillator pane each line has its own scale (an RSI and a MACD histogram differ a
  // thousandfold): the first on the axis, the others on hidden overlay scales.
  const lines = (/** @type {any} */ chart, /** @type {readonly any[]} */ list, /** @type {HTMLElement} */ box, own = false) => {
    list.forEach((o, k) => {
      const color = PALETTE[k % PALETTE.length];
      const scale = own && k > 0 ? { priceScaleId: `line${k}` } : {};
      chart.addSeries(LWC.LineSeries, { color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false, ...scale }).setData(linePoints(times, numbers(o.values)));
      box.parentElement?.querySelector('figcaption')?.append(' ', h('span', { class: 'legend', style: `color: ${color}` }, `■ ${o.name}`));
    });
  };
  lines(c.priceChart, onPrice, price);
  if (osc) {
    const chart = makeChart(LWC, osc);
    lines(chart, onOscillator, osc, true);
    charts.splice(1, 0, chart);
  }
  linkScrolling(charts);
  keepFitted(charts, times.length);
  return { charts, priceChart: c.priceChart, times, markers: run.trades.length * 2, overlays: overlays.length };
}

/**
 * Draws a report document in `root` (an empty element): the title, the metrics, the charts of
 * its kind and its tables. Returns what it drew (the browser tests read it).
 * @param {any} LWC the lightweight-charts global @param {HTMLElement} root @param {any} doc
 */
export function renderReport(LWC, root, doc) {
  if (!doc || doc.format !== 'quant-backtest-report') throw new Error('not a quant-backtest report document (format)');
  if (doc.version !== 1) throw new Error(`report document version ${doc.version} is not supported (this viewer reads version 1)`);
  const run = doc.run;
  const kinds = { backtest: 'Backtest', sweep: 'Sweep', portfolio: 'Portfolio', walk_forward: 'Walk-forward' };
  if (!(doc.kind in kinds)) throw new Error(`unknown report kind '${doc.kind}' (kinds: ${Object.keys(kinds).join(', ')})`);
  root.replaceChildren();
  const bars = doc.bars;
  const span = bars ? `${int(bars.dates.length)} bars, ${bars.dates[0]} to ${bars.dates[bars.dates.length - 1]}` : doc.assets ? `${int(doc.assets.length)} assets, ${int(run.dates?.length ?? 0)} dates` : '';
  root.append(h('header', {}, h('h1', {}, doc.title), h('p', { class: 'sub' }, [kinds[/** @type {keyof typeof kinds} */ (doc.kind)], span, doc.generator].filter(Boolean).join(' · '))));
  const summary = h('section', { class: 'summary' });
  root.append(summary);
  const charts = h('section', { class: 'charts' });
  root.append(charts);
  const tables = h('section', { class: 'tables' });
  root.append(tables);
  const drawn = { kind: doc.kind, charts: 0, markers: 0, overlays: 0, cells: 0, series: 0, windows: 0, trades: run ? run.trades.length : 0 };

  const params = Object.entries(run?.params ?? {});
  if (params.length) summary.append(h('p', { class: 'params' }, `Params: ${params.map(([k, v]) => `${k} = ${v}`).join(', ')}`));

  if (doc.kind === 'sweep') {
    const s = doc.sweep;
    const [y, x] = s.names.length >= 2 ? s.names : [null, s.names[0]];
    const metric = s.maximize;
    const values = numbers(s.columns[metric]);
    // Other params than the two drawn are held at the best row's values.
    const keep = Array.from(values, (_, i) => s.names.every((/** @type {string} */ n) => n === y || n === x || s.columns[n][i] === s.best_params[n]));
    const rows = keep.flatMap((k, i) => (k ? [i] : []));
    const g = heatmapGrid(rows.map((i) => (y === null ? 0 : s.columns[y][i])), rows.map((i) => s.columns[x][i]));
    const kind = metricScale(metric);
    const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { class: 'heatmap', role: 'img' }));
    const best = bestRow(values, kind);
    const fig = h('figure', {}, canvas, h('figcaption', {}, `${metricLabel(metric)} of ${int(values.length)} combinations${best >= 0 ? `; the best: ${s.names.map((/** @type {string} */ n) => `${n} ${s.columns[n][best]}`).join(', ')}, ${formatMetric(metric, values[best])}` : ''}`));
    charts.append(fig);
    const at = (/** @type {number} */ r, /** @type {number} */ c) => {
      const i = g.row(g.yAxis[r], g.xAxis[c]);
      return i === undefined ? undefined : values[rows[i]];
    };
    const bestAt = best >= 0 && keep[best] ? { r: g.yAxis.indexOf(y === null ? 0 : s.columns[y][best]), c: g.xAxis.indexOf(s.columns[x][best]) } : null;
    const spec = { y: y ?? '', x, yAxis: g.yAxis, xAxis: g.xAxis, value: at, kind, fmt: (/** @type {number} */ v) => formatMetric(metric, v), selected: bestAt };
    const paint = () => (drawn.cells = drawHeatmap(canvas, Math.max(320, fig.clientWidth), /** @type {Heatmap} */ (spec)).drawn);
    paint();
    new ResizeObserver(paint).observe(fig);
    drawn.charts++;
    // The ten best rows.
    const order = Array.from(values.keys()).filter((i) => Number.isFinite(values[i]));
    order.sort((a, b) => (kind === 'worse' ? values[a] - values[b] : values[b] - values[a]) || a - b);
    const shown = ['total_return', 'sharpe_ratio', 'max_drawdown', 'trade_count'].filter((n) => n in s.columns && n !== metric);
    tables.append(
      table(
        `The best ${Math.min(10, order.length)} of ${int(values.length)} combinations by ${metricLabel(metric).toLowerCase()}`,
        [...s.names, metricLabel(metric), ...shown.map(metricLabel)],
        order.slice(0, 10).map((i) => [...s.names.map((/** @type {string} */ n) => s.columns[n][i]), formatMetric(metric, s.columns[metric][i]), ...shown.map((n) => formatMetric(n, s.columns[n][i]))]),
      ),
    );
  }

  if (run) summary.append(metricsList(doc.kind === 'sweep' ? 'The best combination' : doc.kind === 'walk_forward' ? 'Out of sample (stitched)' : 'Metrics', run.metrics));

  if (doc.kind === 'portfolio' || (doc.kind === 'walk_forward' && doc.assets)) {
    if (doc.kind === 'portfolio') {
      const equityEl = figure(charts, 'Portfolio equity (blue) against an equal-weight buy and hold (grey)', 'equity');
      const positionsEl = figure(charts, `Position values by asset, stacked: ${run.symbols.join(', ')}`, 'positions');
      const pc = createPortfolioCharts(LWC, equityEl, positionsEl);
      const hold = equalWeightHold(run.dates, doc.assets, run.equity_curve[0]);
      const out = pc.draw(run.dates, numbers(run.equity_curve), hold, run.symbols, Object.fromEntries(Object.entries(run.position_values).map(([k, v]) => [k, numbers(/** @type {any} */ (v))])));
      drawn.series = out.series;
      drawn.charts += 2;
      tables.append(
        table(
          'Assets',
          ['Symbol', 'Trades', 'P&L', 'Win rate', 'Exposure'],
          run.assets.map((/** @type {any} */ a) => [a.symbol, int(a.trade_count), money(a.pnl), pct100(a.win_rate), pct(a.exposure)]),
        ),
      );
    }
  } else if (bars && run) {
    const r = drawRun(LWC, charts, bars, run, doc.overlays ?? [], doc.kind === 'walk_forward' ? doc.walk.equity_index : undefined);
    drawn.charts += r.charts.length;
    drawn.markers = r.markers;
    drawn.overlays = r.overlays;
    if (doc.kind === 'walk_forward') {
      const el = figure(charts, 'Out-of-sample equity, stitched (blue), against each window\'s in-sample equity (grey, dashed); test windows shaded on the price chart', 'walk');
      const w = createWalkCharts(LWC, r.priceChart, el);
      const windows = doc.walk.windows.map((/** @type {any} */ x) => ({ window: x.window, trainStartIndex: x.train_start_index, testStartIndex: x.test_start_index, testEndIndex: x.test_end_index, startEquity: x.start_equity, inSampleEquity: numbers(x.in_sample_equity) }));
      w.draw(r.times, windows, numbers(run.equity_curve), doc.walk.equity_index);
      drawn.charts++;
      drawn.windows = windows.length;
    }
  }
  if (doc.kind === 'walk_forward') {
    const wk = doc.walk;
    const m = wk.maximize;
    tables.append(
      table(
        `Windows (${wk.anchored ? 'anchored' : 'rolling'}, train ${int(wk.train)}, test ${int(wk.test)}, step ${int(wk.step)}; ${int(wk.combinations)} combinations each, best ${metricLabel(m).toLowerCase()})`,
        ['#', 'Train', 'Test', ...wk.names, `${metricLabel(m)}, train`, `${metricLabel(m)}, test`, 'Return, test', 'Equity at end'],
        wk.windows.map((/** @type {any} */ w) => [w.window + 1, `${w.train_start} to ${w.train_end}`, `${w.test_start} to ${w.test_end}`, ...wk.names.map((/** @type {string} */ n) => w.params[n]), formatMetric(m, w.in_sample[m]), formatMetric(m, w.out_of_sample[m]), pct(w.out_of_sample.total_return), money(w.end_equity)]),
        (i) => (wk.windows[i].end_equity >= wk.windows[i].start_equity ? 'win' : 'loss'),
      ),
    );
    drawn.windows = wk.windows.length;
  }
  if (run) tables.append(tradesTable(run.trades));
  if (doc.strategy) tables.append(h('details', {}, h('summary', {}, 'Strategy (JSON)'), h('pre', {}, JSON.stringify(doc.strategy, null, 2))));
  return drawn;
}
