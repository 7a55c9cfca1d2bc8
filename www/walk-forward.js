// The demo page's walk-forward view (SPEC part 12): the sweep form's two named numbers and
// ranges, tried on each window's train bars; the best by the chosen metric runs on the test
// bars that follow (engine.walkForwardAsync, in the engine's Worker). Drawn: the test windows
// shaded on the price chart, the stitched out-of-sample equity against each window's in-sample
// equity (rebased to end where its test begins), a row per window with its chosen values and
// both metrics, and the stitched run's metrics. app.js hands it the engine, the sweep request
// of its forms, the loaded data and its price chart.
import { BacktestError } from 'quant-backtest';
import { makeChart, moneyFormat } from './chart-base.js';
import { camelKey, formatMetric, int, metricLabel, money, ms, pct } from './metric-format.js';
import { statRows } from './stat-rows.js';

/** @param {string} id @returns {any} */
const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
};

/** The test windows' shades on the price chart, alternating; the equity lines' colors. */
export const WALK_COLORS = {
  shades: ['#e3ebff', '#ffefd9'],
  outOfSample: '#2962ff',
  inSample: '#9e9e9e',
};

/** The stitched run's metrics the summary shows, in order. */
const SUMMARY = ['total_return', 'annualized_return', 'sharpe_ratio', 'max_drawdown', 'trade_count', 'win_rate', 'exposure', 'buy_and_hold_return'];

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
 * @param {{
 *   engine: any,
 *   LWC: any,
 *   priceChart: any,
 *   request: () => { y: string, x: string, ys: number[], xs: number[], doc: any, constraint: any },
 *   data: () => any,
 *   times: () => (string | number)[],
 *   job: (fn: () => Promise<any>) => Promise<any>,
 *   showError: (title: string, e: unknown, hint?: string) => void,
 *   clearError: () => void,
 * }} page
 */
export function createWalkForward({ engine, LWC, priceChart, request, data, times, job, showError, clearError }) {
  const results = $('walk-results');
  const status = $('walk-status');
  // The shades: a histogram on its own overlay scale, full height, drawn first (under the
  // candles, the overlays and the markers).
  const shades = priceChart.addSeries(
    LWC.HistogramSeries,
    { priceScaleId: 'walk', priceLineVisible: false, lastValueVisible: false, base: 0 },
    0,
  );
  shades.setSeriesOrder(0);
  priceChart.priceScale('walk').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
  const chart = makeChart(LWC, $('walk-chart'));
  const line = (/** @type {string} */ color, /** @type {number} */ width, /** @type {number} */ style) =>
    chart.addSeries(LWC.LineSeries, { color, lineWidth: width, lineStyle: style, priceLineVisible: false, lastValueVisible: false, priceFormat: moneyFormat });
  const outLine = line(WALK_COLORS.outOfSample, 2, LWC.LineStyle.Solid);
  /** @type {any[]} */
  let inLines = [];
  new ResizeObserver(() => requestAnimationFrame(() => chart.timeScale().fitContent())).observe($('walk-chart'));
  /** What the last run showed (for the tests). @type {any} */
  let lastRun = null;
  let runs = 0;

  /** The walk's own options from its form (the sweep form gives the params). */
  function options() {
    const n = (/** @type {string} */ id, /** @type {string} */ name, /** @type {boolean} */ optional) => {
      const el = /** @type {HTMLInputElement} */ ($(id));
      const raw = el.value.trim();
      if (optional && raw === '') return undefined;
      const v = Number(raw);
      if (raw === '' || !Number.isInteger(v) || v < 1) {
        el.setAttribute('aria-invalid', 'true');
        throw new BacktestError(`${name} must be a whole number of bars >= 1, got '${raw}'`);
      }
      el.removeAttribute('aria-invalid');
      return v;
    };
    return {
      train: /** @type {number} */ (n('walk-train', 'Train', false)),
      test: /** @type {number} */ (n('walk-test', 'Test', false)),
      step: n('walk-step', 'Step', true),
      anchored: /** @type {HTMLInputElement} */ ($('walk-anchored')).checked,
      maximize: camelKey(/** @type {HTMLSelectElement} */ ($('walk-maximize')).value),
    };
  }

  /** Removes the view's drawings (new data, or a run that failed). */
  function clear() {
    shades.setData([]);
    outLine.setData([]);
    for (const s of inLines) chart.removeSeries(s);
    inLines = [];
    results.hidden = true;
    lastRun = null;
  }

  /** @param {any} r WalkForwardResult @param {{ y: string, x: string }} req @param {any} o @param {string} snake the metric maximised, snake_case */
  function draw(r, req, o, snake) {
    const t = times();
    const points = [];
    for (const w of r.windows) {
      for (let i = w.testStartIndex; i <= w.testEndIndex; i++) points.push({ time: t[i], value: 1, color: WALK_COLORS.shades[w.window % 2] });
    }
    shades.setData(points);
    const eq = r.equityCurve;
    outLine.setData(Array.from(r.equityIndex, (/** @type {number} */ i, /** @type {number} */ k) => ({ time: t[i], value: eq[k] })));
    for (const s of inLines) chart.removeSeries(s);
    inLines = r.windows.map((/** @type {any} */ w) => {
      const s = line(WALK_COLORS.inSample, 1, LWC.LineStyle.Dashed);
      const values = rebased(w.inSampleEquity, w.startEquity);
      s.setData(values.map((v, k) => ({ time: t[w.trainStartIndex + k], value: v })));
      return s;
    });
    chart.timeScale().fitContent();

    const metric = o.maximize; // camelCase, as the result's metrics
    const label = metricLabel(snake);
    const head = $('walk-windows').tHead.rows[0];
    head.replaceChildren(
      ...['#', 'Train', 'Test', req.y, req.x, `${label}, train`, `${label}, test`, 'Return, test', 'Equity at end'].map((text) => {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = text;
        return th;
      }),
    );
    $('walk-windows').tBodies[0].replaceChildren(
      ...r.windows.map((/** @type {any} */ w) => {
        const tr = document.createElement('tr');
        const cells = [
          w.window + 1,
          `${w.trainStart} to ${w.trainEnd}`,
          `${w.testStart} to ${w.testEnd}`,
          w.params[req.y],
          w.params[req.x],
          formatMetric(snake, w.inSample[metric]),
          formatMetric(snake, w.outOfSample[metric]),
          pct(w.outOfSample.totalReturn),
          money(w.endEquity),
        ];
        for (const c of cells) {
          const td = document.createElement('td');
          td.textContent = String(c);
          tr.append(td);
        }
        tr.className = w.endEquity >= w.startEquity ? 'win' : 'loss';
        return tr;
      }),
    );
    $('walk-stats').tBodies[0].replaceChildren(
      ...statRows([
        ...SUMMARY.map((name) => /** @type {[string, string]} */ ([metricLabel(name), formatMetric(name, r[camelKey(name)])])),
        ['Windows', int(r.windows.length)],
        ['Combinations per window', int(r.combinations)],
        ['Out-of-sample bars', int(r.equityCurve.length)],
      ]),
    );
    results.hidden = false;
  }

  async function run() {
    clearError();
    return job(async () => {
      const req = request();
      const o = options();
      const snake = /** @type {HTMLSelectElement} */ ($('walk-maximize')).value;
      const md = data();
      status.textContent = 'Running…';
      const t0 = performance.now();
      /** @type {any} */
      let r;
      try {
        r = await engine.walkForwardAsync(md, JSON.stringify(req.doc), { [req.y]: req.ys, [req.x]: req.xs }, { ...o, constraint: req.constraint });
      } catch (e) {
        status.textContent = '';
        clear();
        throw e;
      }
      const elapsed = performance.now() - t0;
      draw(r, req, o, snake);
      runs++;
      const text = `${int(r.windows.length)} windows x ${int(r.combinations)} combinations of ${req.y} and ${req.x} on ${int(md.length)} bars in ${ms(elapsed)}.`;
      status.textContent = `Done: ${text}`;
      $('walk-title').textContent = `${md.symbol}: ${o.anchored ? 'anchored' : 'rolling'}, train ${int(o.train)}, test ${int(o.test)}${o.step ? `, step ${int(o.step)}` : ''}, best ${metricLabel(snake)}`;
      lastRun = {
        runs,
        request: { y: req.y, x: req.x, ys: req.ys, xs: req.xs, doc: req.doc, constraint: req.constraint, options: o },
        result: r.toJSON(),
        shaded: r.equityCurve.length,
        inSampleLines: inLines.length,
      };
      return lastRun;
    });
  }

  $('walk-form').addEventListener('submit', (/** @type {Event} */ e) => {
    e.preventDefault();
    run().catch((err) => showError('Walk-forward failed', err));
  });

  return {
    run,
    clear,
    get lastRun() {
      return lastRun;
    },
  };
}
