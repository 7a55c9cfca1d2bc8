// The demo page's walk-forward view (SPEC part 12): the sweep form's two named numbers and
// ranges, tried on each window's train bars; the best by the chosen metric runs on the test
// bars that follow (engine.walkForwardAsync, in the engine's Worker). Drawn: the test windows
// shaded on the price chart, the stitched out-of-sample equity against each window's in-sample
// equity (rebased to end where its test begins), a row per window with its chosen values and
// both metrics, and the stitched run's metrics. app.js hands it the engine, the sweep request
// of its forms, the loaded data and its price chart.
import { BacktestError } from 'quant-backtest';
import { camelKey, createWalkCharts, formatMetric, int, metricLabel, money, ms, pct } from 'quant-backtest/charts';
import { statRows } from './stat-rows.js';

/** @param {string} id @returns {any} */
const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
};

/** The stitched run's metrics the summary shows, in order. */
const SUMMARY = ['total_return', 'annualized_return', 'sharpe_ratio', 'max_drawdown', 'trade_count', 'win_rate', 'exposure', 'buy_and_hold_return'];

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
  // The test windows shaded under the candles, and the equity chart (the chart component's).
  const charts = createWalkCharts(LWC, priceChart, $('walk-chart'));
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
    charts.clear();
    results.hidden = true;
    lastRun = null;
  }

  /** @param {any} r WalkForwardResult @param {{ y: string, x: string }} req @param {any} o @param {string} snake the metric maximised, snake_case */
  function draw(r, req, o, snake) {
    charts.draw(times(), r.windows, r.equityCurve, r.equityIndex);

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
        inSampleLines: charts.inSampleLines,
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
