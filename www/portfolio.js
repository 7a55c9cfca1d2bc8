// The demo page's portfolio mode: a universe (a sample one, or several CSV files), the
// workbench's strategy (preset or rules, fees, stops: one strategy for every asset) with the
// portfolio's own sizing (a fraction of the cash, or equal slots), run by the engine off this
// thread (runPortfolioAsync), then drawn: the equity against an equal-weight buy and hold, the
// position values stacked, every metric and a per-asset table. app.js hands it the strategy of
// its forms and its error box; everything else lives here.
import { BacktestError, MarketData, Universe, generateSampleUniverse } from 'quant-backtest';
import { catalog } from './catalog.js';
import { acceptDrops } from './drop-zone.js';
import { assetsOfCsv } from './csv-universe.js';
import { PALETTE, camelKey, createPortfolioCharts, equalWeightHold, formatMetric, int, metricLabel, money, ms, pct, pct100 } from 'quant-backtest/charts';
import { statRows } from './stat-rows.js';

const LWC = /** @type {any} */ (globalThis).LightweightCharts;

/** @param {string} id @returns {any} */
const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
};

/** @param {string} id @param {string} name @param {{ integer?: boolean, min?: number, max?: number }} [o] */
function numberInput(id, name, o = {}) {
  const el = /** @type {HTMLInputElement} */ ($(id));
  const raw = el.value.trim();
  const v = Number(raw);
  const bad = (/** @type {string} */ why) => {
    el.setAttribute('aria-invalid', 'true');
    return new BacktestError(`${name} ${why}, got '${raw}'`);
  };
  if (raw === '' || !Number.isFinite(v)) throw bad('must be a number');
  if (o.integer && !Number.isInteger(v)) throw bad('must be an integer');
  if (o.min !== undefined && v < o.min) throw bad(`must be >= ${o.min}`);
  if (o.max !== undefined && v > o.max) throw bad(`must be <= ${o.max}`);
  el.removeAttribute('aria-invalid');
  return v;
}

/**
 * @typedef {{ doc: { settings: Record<string, any> } & Record<string, unknown>, what: string }} StrategyNow
 * @param {{
 *   engine: any,
 *   strategy: () => StrategyNow,
 *   showError: (title: string, e: unknown, hint?: string) => void,
 *   clearError: () => void,
 * }} page
 */
export function createPortfolioMode({ engine, strategy, showError, clearError }) {
  const charts = createPortfolioCharts(LWC, $('portfolio-equity-chart'), $('portfolio-positions-chart'));
  const results = $('portfolio-results');
  /** @type {{ universe: any, source: string }} */
  const current = { universe: null, source: '' };
  /** What the last run showed (for the tests). @type {any} */
  let lastRun = null;
  let runs = 0;

  const setRunState = (/** @type {'idle' | 'running' | 'done' | 'error'} */ s) => {
    results.dataset.state = s;
  };
  setRunState('idle');

  // -------------------------------------------------------------------------------------------
  // The mode switch

  /** @param {'single' | 'portfolio'} mode */
  function setMode(mode) {
    document.body.dataset.mode = mode;
    // The address keeps the mode: a reload (or a shared link) opens the same one.
    history.replaceState(null, '', mode === 'portfolio' ? '#portfolio' : location.pathname + location.search);
    $('mode-single').setAttribute('aria-pressed', String(mode === 'single'));
    $('mode-portfolio').setAttribute('aria-pressed', String(mode === 'portfolio'));
    clearError();
    // The first visit shows a run at once: the sample universe with the form's strategy.
    if (mode === 'portfolio' && !current.universe) {
      try {
        generate();
      } catch (e) {
        showError('Cannot generate the sample universe', e);
        return Promise.resolve(null);
      }
      return guarded(run());
    }
    return Promise.resolve(null);
  }
  $('mode-single').addEventListener('click', () => setMode('single'));
  $('mode-portfolio').addEventListener('click', () => setMode('portfolio'));

  // -------------------------------------------------------------------------------------------
  // The universe

  /** @param {any} universe @param {string} source */
  function setUniverse(universe, source) {
    current.universe = universe;
    current.source = source;
    const d = universe.dates;
    $('portfolio-summary').textContent = `${source}: ${universe.length} assets (${universe.symbols.join(', ')}), ${int(d.length)} dates, ${d[0]} to ${d[d.length - 1]}.`;
  }

  function generate() {
    const count = numberInput('pf-assets', 'Assets', { integer: true, min: 1, max: 50 });
    const days = numberInput('pf-days', 'Days', { integer: true, min: 2, max: 50000 });
    const seed = numberInput('pf-seed', 'Seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
    const u = generateSampleUniverse(count, days, seed);
    setUniverse(u, `Sample universe, seed ${seed}`);
    return u;
  }

  /**
   * Reads the files as one universe; a file or universe the library refuses shows its message
   * and the previous universe stays. @param {File[]} files @returns {Promise<boolean>} loaded
   */
  async function loadFiles(files) {
    clearError();
    const kept = current.universe ? ` The previous universe (${current.source}) stays loaded.` : '';
    /** @type {any[]} */
    const assets = [];
    for (const file of files) {
      try {
        assets.push(...assetsOfCsv(await file.text(), file.name, MarketData));
      } catch (e) {
        const rows = /\brow \d/.test(e instanceof Error ? e.message : '') ? ' Rows are counted from 0, after the header.' : '';
        showError(`Cannot load ${file.name}`, e, `—${rows}${kept}`);
        setRunState('error');
        return false;
      }
    }
    let universe;
    try {
      universe = new Universe(assets);
    } catch (e) {
      showError('Cannot make a universe of these files', e, `—${kept}`);
      setRunState('error');
      return false;
    }
    setUniverse(universe, files.length === 1 ? files[0].name : `${files.length} CSV files`);
    return true;
  }

  const fileInput = /** @type {HTMLInputElement} */ ($('portfolio-files'));
  fileInput.addEventListener('change', async () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = ''; // the same files chosen again load again
    if (files.length && (await loadFiles(files))) await guarded(run());
  });
  const form = $('portfolio-form');
  acceptDrops(form, async (/** @type {File[]} */ files) => {
    if (files.length && (await loadFiles(files))) await guarded(run());
  });

  // -------------------------------------------------------------------------------------------
  // Sizing and the run

  const sizingSelect = /** @type {HTMLSelectElement} */ ($('pf-sizing'));
  function showSizing() {
    const slots = sizingSelect.value === 'slots';
    /** @type {HTMLInputElement} */ ($('pf-size')).disabled = slots;
    /** @type {HTMLInputElement} */ ($('pf-max-positions')).disabled = !slots;
  }
  sizingSelect.addEventListener('change', showSizing);
  showSizing();

  /** The portfolio's own sizing: a fraction of the cash at each entry, or k equal slots. */
  function sizing() {
    if (sizingSelect.value === 'slots') return { maxPositions: numberInput('pf-max-positions', 'Max positions', { integer: true, min: 1 }) };
    return { size: numberInput('pf-size', 'Size', { min: 0, max: 100 }) / 100 };
  }

  /** Runs the strategy of the forms on the universe, and draws it. */
  async function run() {
    clearError();
    if (!current.universe) generate();
    const universe = current.universe;
    const token = ++runs;
    setRunState('running');
    $('portfolio-status').textContent = 'Running…';
    const { doc, what } = strategy();
    // The form's size and size type are the workbench's; the portfolio sizes its own way.
    const { size: _size, size_type: _type, ...settings } = doc.settings;
    const text = JSON.stringify({ ...doc, settings });
    const options = sizing();
    const t0 = performance.now();
    const r = await engine.runPortfolioAsync(universe, text, options);
    const elapsed = performance.now() - t0;
    if (token !== runs) return null; // a newer run (or universe) took over
    const capital = settings.initial_capital;
    const hold = equalWeightHold(universe.dates, [...universe].map((md) => ({ dates: md.dates, close: md.close })), capital);
    const drawn = charts.draw(r.dates, r.equityCurve, hold, universe.symbols, r.positionValues);
    renderLegend(universe.symbols);
    renderStats(r, capital, hold, universe, elapsed);
    renderAssets(r, universe);
    const sizeText = 'maxPositions' in options ? `${options.maxPositions} equal slots` : `${pct(options.size)} of the cash per entry`;
    $('portfolio-title').textContent = `${universe.length} assets: ${what}, ${sizeText}`;
    $('portfolio-status').textContent = `Done: ${int(r.tradeCount)} trades on ${int(r.dates.length)} dates in ${ms(elapsed)}.`;
    setRunState('done');
    lastRun = {
      symbols: [...universe.symbols],
      bars: r.dates.length,
      strategy: text,
      options,
      metrics: r.metrics,
      assets: r.assets.map((/** @type {any} */ a) => ({ ...a })),
      capital,
      equityFinal: r.equityCurve[r.equityCurve.length - 1],
      holdFinal: hold[hold.length - 1],
      series: drawn.series,
      palette: PALETTE,
    };
    return lastRun;
  }

  /** A run whose failure shows in the error box (with the library's message). @param {Promise<any>} p */
  function guarded(p) {
    return p.catch((e) => {
      setRunState('error');
      $('portfolio-status').textContent = 'Not run.';
      showError('Portfolio failed', e);
      return null;
    });
  }

  form.addEventListener('submit', (/** @type {Event} */ e) => {
    e.preventDefault();
    clearError();
    try {
      generate();
    } catch (err) {
      showError('Cannot generate the sample universe', err);
      setRunState('error');
      return;
    }
    guarded(run());
  });
  $('run-portfolio').addEventListener('click', () => guarded(run()));
  // In this mode the Strategy form runs the portfolio: Enter in it (caught before the
  // workbench's own submit handler), and a new preset (the workbench runs its hidden chart too).
  const inPortfolio = () => document.body.dataset.mode === 'portfolio';
  document.addEventListener(
    'submit',
    (e) => {
      if (!inPortfolio() || /** @type {HTMLElement} */ (e.target).id !== 'backtest-form') return;
      e.preventDefault();
      e.stopPropagation();
      guarded(run());
    },
    true,
  );
  $('preset').addEventListener('change', () => {
    if (inPortfolio() && current.universe) guarded(run());
  });

  // -------------------------------------------------------------------------------------------
  // Tables

  /** @param {readonly string[]} symbols */
  function renderLegend(symbols) {
    $('portfolio-legend').replaceChildren(
      ...symbols.map((s, k) => {
        const key = document.createElement('span');
        key.className = 'key swatch';
        key.style.setProperty('--swatch', PALETTE[k % PALETTE.length]);
        key.textContent = s;
        return key;
      }),
    );
  }

  /** @param {any} r @param {number} capital @param {Float64Array} hold @param {any} universe @param {number} elapsed */
  function renderStats(r, capital, hold, universe, elapsed) {
    /** @type {[string, string, string?][]} */
    const rows = catalog().metrics.map((m) => [metricLabel(m.name), formatMetric(m.name, r[camelKey(m.name)]), m.description]);
    const eq = r.equityCurve;
    rows.push(
      ['Final equity', money(eq[eq.length - 1])],
      ['Equal-weight hold, final', money(hold[hold.length - 1])],
      ['Starting capital', money(capital)],
      ['Assets', int(universe.length)],
      ['Dates', int(r.dates.length)],
      ['Engine time', ms(elapsed)],
    );
    $('portfolio-stats').tBodies[0].replaceChildren(...statRows(rows));
  }

  /** @param {any} r @param {any} universe */
  function renderAssets(r, universe) {
    $('portfolio-assets').tBodies[0].replaceChildren(
      ...r.assets.map((/** @type {any} */ a, /** @type {number} */ k) => {
        const md = universe.get(a.symbol);
        const tr = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.className = 'key swatch';
        th.style.setProperty('--swatch', PALETTE[k % PALETTE.length]);
        th.textContent = a.symbol;
        tr.append(th);
        for (const v of [int(md.length), md.dates[0], int(a.tradeCount), money(a.pnl), pct100(a.winRate), pct(a.exposure)]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        tr.className = a.pnl > 0 ? 'win' : a.pnl < 0 ? 'loss' : '';
        return tr;
      }),
    );
  }

  if (location.hash === '#portfolio') setMode('portfolio');

  /** The hooks the browser test drives this mode with. */
  const hooks = {
    /** Shows the portfolio mode (the first time: a sample universe, run). */
    open: () => setMode('portfolio'),
    /**
     * A sample universe and portfolio sizing set in the form, then run.
     * @param {{ assets?: number, days?: number, seed?: number, sizing?: 'fraction' | 'slots', size?: number, maxPositions?: number }} [o]
     */
    runSample(o = {}) {
      /** @type {Record<string, unknown>} */
      const values = { 'pf-assets': o.assets, 'pf-days': o.days, 'pf-seed': o.seed, 'pf-size': o.size, 'pf-max-positions': o.maxPositions };
      for (const [id, v] of Object.entries(values)) if (v !== undefined) /** @type {HTMLInputElement} */ ($(id)).value = String(v);
      if (o.sizing) {
        sizingSelect.value = o.sizing;
        showSizing();
      }
      clearError();
      try {
        generate();
      } catch (e) {
        showError('Cannot generate the sample universe', e);
        return Promise.resolve(null);
      }
      return guarded(run());
    },
    /** Runs the universe loaded now. */
    run: () => guarded(run()),
    get lastRun() {
      return lastRun;
    },
    get state() {
      return results.dataset.state;
    },
  };
  /** @type {any} */ (window).__portfolio = hooks;
  return hooks;
}
