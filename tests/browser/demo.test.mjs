// The demo page (www/) in a real browser: Debian's chromium, headless, driven by playwright-core.
//
// One page load against the COOP/COEP server (cross-origin isolated: the threaded build) and one
// against a server without those headers (the single-threaded fallback). Both run a backtest and
// a grid through `window.__demo`; the grids must agree value for value. Then the strategy
// workbench on both: indicator overlays and the oscillator pane, a preset with stops and its
// markers by side and exit reason, the JSON panel's round trip and its error messages, the rule
// builder (its JSON against qs's, its errors on the rule), a sweep over two named numbers and a
// cell's run. Screenshots go to screenshots/demo-isolated.png, demo-not-isolated.png (the
// default run), demo-strategy-isolated.png, demo-strategy-not-isolated.png (long and short with
// stops, Bollinger and Donchian overlays), demo-macd-isolated.png (the MACD pane),
// demo-rules-{isolated,not-isolated}.png (the rule builder) and
// demo-workbench-{isolated,not-isolated}.png (built rules and their sweep heatmap).
//
// Run: node --test tests/browser/   (scripts/test-browser.sh installs what is missing first)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { strategy as qs } from '../../pkg/node.js';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The larger grid of the responsiveness and cancel checks: 25,200 bars, 50 x 50 periods.
const BIG_DATA = { days: 25200, seed: 7 };
const BIG_GRID = { y: ['fast', 2, 100, 2], x: ['slow', 5, 250, 5] };

/** @type {{ close: () => Promise<void>, url: string }[]} */
const servers = [];
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Record<'isolated' | 'plain', any>} */
const runs = /** @type {any} */ ({});

/**
 * Opens the demo, waits until it is ready, runs the default backtest and grid, checks what
 * drew, and takes a screenshot.
 * @param {string} url @param {string} shot
 */
async function openDemo(url, shot) {
  // The clipboard permissions let the JSON panel's Copy button be checked by reading it back.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`);
    else if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });

  await page.goto(url);
  await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
  const loaded = await page.evaluate(() => ({
    isolated: globalThis.crossOriginIsolated,
    info: /** @type {any} */ (window).__demo.info,
    state: document.body.dataset.state,
    banner: document.getElementById('banner')?.textContent ?? '',
  }));
  const backtest = await page.evaluate(async () => {
    const r = await /** @type {any} */ (window).__demo.runBacktest();
    return {
      fastPeriod: r.fastPeriod,
      slowPeriod: r.slowPeriod,
      totalReturn: r.totalReturn,
      tradeCount: r.tradeCount,
      trades: r.trades.length,
      equity: r.equityCurve.length,
      bars: Number(document.querySelector('#stats tbody')?.textContent?.match(/Bars([\d,]+)/)?.[1].replace(/,/g, '')),
      stats: [...document.querySelectorAll('#stats tr')].map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
      state: document.body.dataset.state,
    };
  });
  const grid = await page.evaluate(async () => {
    const g = await /** @type {any} */ (window).__demo.runGrid();
    /** @type {Record<string, number[]>} */
    const columns = {};
    for (const [k, v] of Object.entries(g.columns)) if (ArrayBuffer.isView(v)) columns[k] = Array.from(/** @type {Float64Array} */ (v));
    return { columns, ms: g.ms, state: document.body.dataset.state, status: document.getElementById('grid-status')?.textContent ?? '' };
  });
  const drawn = await page.evaluate(inspectDrawing);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  return { context, page, problems, warnings, loaded, backtest, grid, drawn, shot: join(SHOTS, shot) };
}

/**
 * In the page: for each chart, how many pixels of its series' colors its canvases hold (the
 * axes and grid lines alone have none of them), and how many colors the heatmap has.
 */
function inspectDrawing() {
  /** @param {number[]} rgb @param {Uint8ClampedArray} px */
  const near = (rgb, px) => {
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 24 && Math.abs(px[i + 1] - rgb[1]) < 24 && Math.abs(px[i + 2] - rgb[2]) < 24) n++;
    }
    return n;
  };
  /** The pane's canvases (the largest ones: not the axes, whose labels could hold any gray). @param {Element} el */
  const pixels = (el) => {
    const canvases = [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
    const area = Math.max(0, ...canvases.map((c) => c.width * c.height));
    return canvases
      .filter((c) => c.width * c.height === area)
      .map((c) => /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data);
  };
  /** @param {string} id @param {Record<string, number[]>} colors */
  const chart = (id, colors) => {
    const el = document.getElementById(id);
    if (!el) return { canvases: 0 };
    const all = pixels(el);
    /** @type {Record<string, number>} */
    const counts = {};
    for (const [name, rgb] of Object.entries(colors)) counts[name] = all.reduce((s, px) => s + near(rgb, px), 0);
    let distinct = 0;
    for (const px of all) {
      const seen = new Set();
      for (let i = 0; i < px.length; i += 16) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      distinct = Math.max(distinct, seen.size);
    }
    return { canvases: all.length, distinct, ...counts };
  };
  const heat = /** @type {HTMLCanvasElement | null} */ (document.getElementById('heatmap'));
  let heatColors = 0;
  if (heat && heat.width > 0 && heat.height > 0) {
    const px = /** @type {CanvasRenderingContext2D} */ (heat.getContext('2d')).getImageData(0, 0, heat.width, heat.height).data;
    const seen = new Set();
    for (let i = 0; i < px.length; i += 4) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    heatColors = seen.size;
  }
  return {
    price: chart('price-chart', { up: [0x1a, 0x98, 0x50], down: [0xd7, 0x30, 0x1f], smaFast: [0xff, 0x98, 0x00], smaSlow: [0x6a, 0x1b, 0x9a] }),
    oscillator: chart('osc-chart', { rsi: [0x7e, 0x57, 0xc2] }),
    equity: chart('equity-chart', { strategy: [0x29, 0x62, 0xff], hold: [0x8d, 0x8d, 0x8d] }),
    drawdown: chart('drawdown-chart', { line: [0xd7, 0x30, 0x1f] }),
    heatmap: { colors: heatColors, width: heat?.width ?? 0, height: heat?.height ?? 0 },
  };
}

/** NaN-aware, exact comparison of two grids' columns. */
function assertSameColumns(/** @type {Record<string, number[]>} */ a, /** @type {Record<string, number[]>} */ b, /** @type {string} */ what) {
  const names = ['fast', 'slow', 'totalReturn', 'annualizedReturn', 'volatility', 'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'tradeCount', 'winRate'];
  for (const k of names) {
    assert.ok(Array.isArray(a[k]) && Array.isArray(b[k]), `${what}: column ${k} is missing`);
    assert.equal(a[k].length, b[k].length, `${what}: column ${k} has ${a[k].length} rows against ${b[k].length}`);
    for (let i = 0; i < a[k].length; i++) {
      const x = a[k][i];
      const y = b[k][i];
      if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) {
        assert.fail(`${what}: ${k}[${i}] (fast ${a.fast[i]}, slow ${a.slow[i]}) differs: ${x} against ${y}`);
      }
    }
  }
}

function assertDrew(/** @type {any} */ drawn, /** @type {string} */ where) {
  for (const [name, d] of Object.entries(drawn)) {
    if (name === 'heatmap') continue;
    assert.ok(d.canvases > 0, `${where}: the ${name} chart has no canvas`);
    assert.ok(d.distinct > 2, `${where}: the ${name} chart's canvases are blank (${d.distinct} colors)`);
    for (const [series, n] of Object.entries(d)) {
      if (series === 'canvases' || series === 'distinct') continue;
      assert.ok(n > 50, `${where}: the ${name} chart drew no ${series} series (${n} pixels of its color): ${JSON.stringify(d)}`);
    }
  }
  assert.ok(drawn.heatmap.width > 0 && drawn.heatmap.height > 0, `${where}: the heatmap canvas has no size`);
  assert.ok(drawn.heatmap.colors > 10, `${where}: the heatmap is blank (${drawn.heatmap.colors} colors)`);
}

/**
 * Runs a grid in the page while a 10 ms interval measures how long the UI thread went without
 * running it: the largest gap.
 * @param {import('playwright-core').Page} page
 */
function timedGrid(page) {
  return page.evaluate(async ({ data, grid }) => {
    const demo = /** @type {any} */ (window).__demo;
    demo.loadSample(data);
    // Let the page draw the new bars first: only the grid is timed.
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => setTimeout(r, 100));
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    try {
      const g = await demo.runGrid(grid);
      maxGap = Math.max(maxGap, performance.now() - last);
      /** @type {Record<string, number[]>} */
      const columns = {};
      for (const [k, v] of Object.entries(g.columns)) if (ArrayBuffer.isView(v)) columns[k] = Array.from(/** @type {Float64Array} */ (v));
      return { columns, ms: g.ms, maxGap, ticks, progress: demo.progress };
    } finally {
      clearInterval(timer);
    }
  }, { data: BIG_DATA, grid: BIG_GRID });
}

/** GET with the path sent as it is (no URL normalisation). */
function rawGet(/** @type {string} */ url, /** @type {string} */ path) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-browser.sh does it)`);
  assert.ok(existsSync(join(ROOT, 'pkg', 'browser.js')), 'pkg/ is missing: bash scripts/build-wasm.sh');
  const isolated = await startServer({ port: 0, isolation: true });
  servers.push(isolated);
  const plain = await startServer({ port: 0, isolation: false });
  servers.push(plain);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  runs.isolatedServer = isolated;
  runs.plainServer = plain;
  runs.isolated = await openDemo(isolated.url, 'demo-isolated.png');
  runs.plain = await openDemo(plain.url, 'demo-not-isolated.png');
});

after(async () => {
  for (const r of [runs.isolated, runs.plain]) await r?.context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await Promise.all(servers.map((s) => s.close()));
});

test('the server: COOP/COEP headers (or none), MIME types, no directory traversal', async () => {
  const iso = runs.isolatedServer.url;
  const plain = runs.plainServer.url;
  const page = await fetch(iso);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.equal(page.headers.get('cross-origin-resource-policy'), 'same-origin');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  await page.body?.cancel();
  const wasm = await fetch(new URL('pkg/wasm/quant_backtest_bg.wasm', iso));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  await wasm.body?.cancel();
  for (const path of ['pkg/browser.js', 'app.js', 'vendor/lightweight-charts/lightweight-charts.standalone.production.js']) {
    const r = await fetch(new URL(path, iso));
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type') ?? '', /^text\/javascript/, path);
    await r.body?.cancel();
  }
  const bare = await fetch(plain);
  assert.equal(bare.status, 200);
  assert.equal(bare.headers.get('cross-origin-opener-policy'), null);
  assert.equal(bare.headers.get('cross-origin-embedder-policy'), null);
  await bare.body?.cancel();
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/pkg/../../Cargo.toml', '/pkg/%2e%2e/%2e%2e/Cargo.toml', '/..%2fCargo.toml', '/%2e%2e%5cCargo.toml', '/vendor/lightweight-charts/../../../package.json', '/nope.html']) {
    const r = /** @type {any} */ (await rawGet(iso, path));
    assert.equal(r.status, 404, `${path} answered ${r.status}`);
  }
});

test('isolated page: loads, runs a backtest and a grid, draws the charts and the heatmap', () => {
  const r = runs.isolated;
  assert.equal(r.loaded.state, 'ready');
  assert.equal(r.backtest.fastPeriod, 10);
  assert.equal(r.backtest.slowPeriod, 50);
  assert.ok(r.backtest.trades > 0 && r.backtest.trades === r.backtest.tradeCount, JSON.stringify(r.backtest));
  assert.equal(r.backtest.equity, r.backtest.bars, 'one equity value per bar');
  assert.equal(r.backtest.state, 'done');
  const stats = Object.fromEntries(r.backtest.stats);
  for (const k of ['Total return', 'Annualized return', 'Volatility (annualized)', 'Sharpe ratio', 'Sortino ratio', 'Max drawdown', 'Closed trades', 'Win rate']) {
    assert.ok(typeof stats[k] === 'string' && stats[k].length > 0, `the stats table shows ${k}`);
  }
  assert.match(stats['Total return'], /^-?[\d,]+\.\d\d %$/);
  assert.match(stats['Win rate'], /^[\d.]+ %$/);
  assert.match(stats['Sharpe ratio'], /^(-?\d+\.\d{3}|n\/a)$/);
  const n = r.grid.columns.fast.length;
  assert.ok(n > 100, `the default grid has ${n} pairs`);
  for (let i = 0; i < n; i++) assert.ok(r.grid.columns.fast[i] < r.grid.columns.slow[i]);
  assert.equal(r.grid.state, 'done');
  assert.match(r.grid.status, /combinations of fast and slow on [\d,]+ bars in [\d.,]+ ms, \d+ threads? \((threaded|single-threaded) build\)/);
  assertDrew(r.drawn, 'isolated page');
  assert.ok(statSync(r.shot).size > 10_000, 'the screenshot was written');
});

test('isolated page: cross-origin isolated, the threaded build on more than one thread', () => {
  const { loaded } = runs.isolated;
  assert.equal(loaded.isolated, true, 'crossOriginIsolated');
  assert.equal(loaded.info.crossOriginIsolated, true, 'getEngineInfo().crossOriginIsolated');
  assert.equal(loaded.info.platform, 'browser');
  assert.equal(loaded.info.build, 'threaded', `the engine runs the ${loaded.info.build} build`);
  assert.ok(loaded.info.threads > 1, `the engine reports ${loaded.info.threads} thread(s)`);
  assert.match(loaded.banner, new RegExp(`${loaded.info.threads} threads`));
  assert.match(runs.isolated.grid.status, /\d+ threads \(threaded build\)/);
});

test('page without isolation: the single-threaded build works and the page says so', () => {
  const r = runs.plain;
  assert.equal(r.loaded.isolated, false, 'crossOriginIsolated');
  assert.equal(r.loaded.info.build, 'single-threaded');
  assert.equal(r.loaded.info.threads, 1);
  assert.match(r.loaded.banner, /single thread: this page is not cross-origin isolated/i);
  assert.equal(r.backtest.state, 'done');
  assert.ok(r.backtest.trades > 0);
  assert.equal(r.grid.state, 'done');
  assert.match(r.grid.status, /1 thread \(single-threaded build\)/);
  assertDrew(r.drawn, 'page without isolation');
  assert.ok(statSync(r.shot).size > 10_000, 'the screenshot was written');
});

test('the grid gives the same results, value for value, on both builds', () => {
  const stats = (/** @type {any} */ r) => r.backtest.stats.filter((/** @type {string[]} */ [k]) => k !== 'Engine time');
  assert.deepEqual(stats(runs.isolated), stats(runs.plain), 'the same backtest');
  assertSameColumns(runs.isolated.grid.columns, runs.plain.grid.columns, 'default grid, isolated against not isolated');
});

test('the heatmap: hovering shows the pair and value, clicking charts that pair', async () => {
  const { page } = runs.isolated;
  await page.locator('#heatmap').scrollIntoViewIfNeeded();
  const at = await page.evaluate(() => /** @type {any} */ (window).__demo.heatmapCell(20, 100));
  assert.ok(at, 'the cell (20, 100) is on the heatmap');
  await page.mouse.move(at.x, at.y);
  const tip = page.locator('#heatmap-tip');
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.textContent() ?? '', /fast 20, slow 100: sharpe ratio (-?\d+\.\d{3}|n\/a)/);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => /SMA 20 \/ 100/.test(document.getElementById('run-title')?.textContent ?? '') && document.body.dataset.state === 'done');
  const { fast, slow, total } = await page.evaluate(() => {
    const row = [...document.querySelectorAll('#stats tr')].find((tr) => tr.querySelector('th')?.textContent === 'Total return');
    return {
      fast: /** @type {HTMLInputElement} */ (document.getElementById('fast')).value,
      slow: /** @type {HTMLInputElement} */ (document.getElementById('slow')).value,
      total: row?.querySelector('td')?.textContent,
    };
  });
  assert.equal(fast, '20');
  assert.equal(slow, '100');
  const g = runs.isolated.grid.columns;
  const i = g.fast.findIndex((/** @type {number} */ f, /** @type {number} */ k) => f === 20 && g.slow[k] === 100);
  const pct = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(g.totalReturn[i] * 100);
  assert.equal(total, `${pct} %`, "the charted pair's total return is the grid's");
});

test('a large grid (25,200 bars, 50 x 50) leaves the UI thread free, reports progress, and agrees across builds', async (t) => {
  const iso = await timedGrid(runs.isolated.page);
  const plain = await timedGrid(runs.plain.page);
  for (const [name, r] of /** @type {const} */ ([['threaded', iso], ['single-threaded', plain]])) {
    t.diagnostic(`${name}: ${r.columns.fast.length} pairs in ${r.ms.toFixed(0)} ms, longest UI-thread gap ${r.maxGap.toFixed(0)} ms, ${r.ticks} timer ticks, ${r.progress.calls} progress reports`);
  }
  assertSameColumns(iso.columns, plain.columns, 'large grid, isolated against not isolated');
  assert.ok(iso.columns.fast.length > 2000, `${iso.columns.fast.length} pairs`);
  for (const [name, r] of /** @type {const} */ ([['isolated', iso], ['not isolated', plain]])) {
    // The grid runs in the Worker: the page's own timer keeps firing throughout. (How long one
    // gap may last depends on the machine's load: with both cores of a 2-core machine busy, the
    // scheduler alone has left gaps of 200-400 ms; bench_browser.mjs measures them. A grid on
    // the page's thread would leave one gap as long as the grid.)
    assert.ok(r.ticks >= 5, `${name}: the page's timer fired ${r.ticks} times during a ${r.ms.toFixed(0)} ms grid`);
    assert.ok(r.maxGap < r.ms / 2, `${name}: the UI thread was blocked for ${r.maxGap.toFixed(0)} ms during a ${r.ms.toFixed(0)} ms grid`);
    assert.ok(r.progress.calls > 0, `${name}: no progress was reported`);
    assert.ok(r.progress.done <= r.progress.total && r.progress.total > 0, `${name}: progress ${JSON.stringify(r.progress)}`);
  }
});

test('Cancel stops a running grid, and the engine keeps working', async () => {
  const { page } = runs.isolated;
  const out = await page.evaluate(async ({ data, grid }) => {
    const demo = /** @type {any} */ (window).__demo;
    demo.loadSample(data);
    const running = demo.runGrid(grid);
    running.catch(() => {});
    // Cancel once the engine has reported some progress: the grid is under way.
    for (let waited = 0; demo.progress.calls === 0 && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    const stateWhileRunning = document.body.dataset.state;
    const cancelEnabled = !(/** @type {HTMLButtonElement} */ (document.getElementById('cancel-grid')).disabled);
    const t0 = performance.now();
    /** @type {HTMLButtonElement} */ (document.getElementById('cancel-grid')).click();
    let outcome;
    try {
      await running;
      outcome = 'finished';
    } catch (e) {
      outcome = /** @type {Error} */ (e).name;
    }
    const stopMs = performance.now() - t0;
    const engine = await Promise.race([demo.engineOutcome(), new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    const after = { state: document.body.dataset.state, status: document.getElementById('grid-status')?.textContent };
    const again = await demo.runGrid({ y: ['fast', 5, 20, 5], x: ['slow', 30, 60, 10] });
    return { stateWhileRunning, cancelEnabled, outcome, engine, stopMs, after, againPairs: again.columns.fast.length, finalState: document.body.dataset.state };
  }, { data: BIG_DATA, grid: BIG_GRID });
  assert.equal(out.stateWhileRunning, 'running');
  assert.equal(out.cancelEnabled, true, 'Cancel is enabled while a grid runs');
  assert.equal(out.outcome, 'AbortError', `the grid ${out.outcome === 'finished' ? 'finished before Cancel could stop it' : `failed with ${out.outcome}`}`);
  assert.equal(out.engine, 'AbortError', "the engine's own promise ends with an AbortError (the signal reached it)");
  assert.ok(out.stopMs < 1000, `the page took ${out.stopMs.toFixed(0)} ms to stop`);
  assert.equal(out.after.state, 'ready');
  assert.equal(out.after.status, 'Cancelled.');
  assert.equal(out.againPairs, 16, 'a grid after the cancel works');
  assert.equal(out.finalState, 'done');
});

/** In the page: pixels of each color on a chart's main canvases (as inspectDrawing counts them). */
function countColors(/** @type {{ id: string, colors: Record<string, number[]> }} */ { id, colors }) {
  const el = /** @type {HTMLElement} */ (document.getElementById(id));
  const canvases = [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
  const area = Math.max(0, ...canvases.map((c) => c.width * c.height));
  /** @type {Record<string, number>} */
  const out = {};
  for (const [name, rgb] of Object.entries(colors)) out[name] = 0;
  for (const c of canvases.filter((x) => x.width * x.height === area)) {
    const px = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 200) continue;
      for (const [name, rgb] of Object.entries(colors)) {
        if (Math.abs(px[i] - rgb[0]) < 20 && Math.abs(px[i + 1] - rgb[1]) < 20 && Math.abs(px[i + 2] - rgb[2]) < 20) out[name]++;
      }
    }
  }
  return out;
}

/** Waits two frames: lightweight-charts draws on the next animation frame. @param {import('playwright-core').Page} page */
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** The stats table as [label, value] pairs, without the engine time. @param {import('playwright-core').Page} page */
const statsOf = (page) =>
  page.evaluate(() => [...document.querySelectorAll('#stats tr')].map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]).filter(([k]) => k !== 'Engine time'));

/** The preset with stops both pages run: SMA 10 / 50 cross, long and short, 3 % stop, 8 % target. */
const STOP_SETTINGS = { direction: 'both', stop_loss: 0.03, take_profit: 0.08, commission_rate: 0.001, initial_capital: 100000 };

/**
 * On one page: the default sample, the SMA preset with stops, Bollinger and Donchian overlays;
 * what it drew and the markers by kind; a screenshot.
 * @param {import('playwright-core').Page} page @param {string} shot
 */
async function runStopPreset(page, shot) {
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 2520, seed: 42, startPrice: 100, symbol: 'DEMO' }));
  const run = await page.evaluate(async (settings) => {
    const r = await /** @type {any} */ (window).__demo.runPreset('sma_cross', settings, { fast: 10, slow: 50 });
    return { markers: r.markers, trades: r.trades.length, tradeCount: r.tradeCount, sides: [...new Set(r.trades.map((/** @type {any} */ t) => t.direction))].sort() };
  }, STOP_SETTINGS);
  await page.check('#ov-bbands');
  await page.check('#ov-donchian');
  await frames(page);
  const price = await page.evaluate(countColors, {
    id: 'price-chart',
    colors: { stopLoss: [0xe6, 0x51, 0x00], takeProfit: [0x02, 0x77, 0xbd], shortEntry: [0x8e, 0x24, 0xaa], bbands: [0x1e, 0x88, 0xe5], donchian: [0xc2, 0x18, 0x5b] },
  });
  const table = await page.evaluate(() => [...document.querySelectorAll('#trades tbody tr')].map((tr) => [tr.children[1].textContent, tr.children[2].textContent]));
  const overlays = await page.evaluate(() => /** @type {any} */ (window).__demo.overlays.drawn);
  const stats = await statsOf(page);
  const json = await page.inputValue('#strategy-json');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  return { run, price, table, overlays, stats, json, shot: join(SHOTS, shot) };
}

test('the indicators: SMA overlays and the RSI pane draw by default, MACD and every overlay on demand, on both builds', async () => {
  for (const [name, r] of /** @type {const} */ ([['isolated', runs.isolated], ['not isolated', runs.plain]])) {
    const { price, oscillator } = r.drawn;
    assert.ok(price.smaFast > 50 && price.smaSlow > 50, `${name}: the SMA overlays: ${JSON.stringify(price)}`);
    assert.ok(oscillator.canvases > 0 && oscillator.rsi > 50, `${name}: the RSI pane: ${JSON.stringify(oscillator)}`);
  }
  const { page } = runs.isolated;
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 2520, seed: 42 }));
  await frames(page);
  const overlayColors = { ema: [0x00, 0x89, 0x7b], bbands: [0x1e, 0x88, 0xe5], donchian: [0xc2, 0x18, 0x5b] };
  const without = await page.evaluate(countColors, { id: 'price-chart', colors: overlayColors });
  for (const [k, n] of Object.entries(without)) assert.ok(n < 5, `before the ${k} overlay is chosen its color has ${n} pixels`);
  await page.check('#ov-ema');
  await page.check('#ov-bbands');
  await page.check('#ov-donchian');
  await page.selectOption('#oscillator', 'macd');
  await frames(page);
  const drawn = await page.evaluate(() => /** @type {any} */ (window).__demo.overlays);
  for (const s of ['sma-fast', 'sma-slow', 'ema', 'bbands', 'bbands-middle', 'bbands-lower', 'donchian', 'donchian-lower', 'macd', 'macd-signal', 'macd-hist']) {
    assert.ok(drawn.drawn.includes(s), `the ${s} series is drawn: ${JSON.stringify(drawn)}`);
  }
  assert.ok(!drawn.drawn.includes('rsi'), 'RSI gave way to MACD');
  const price = await page.evaluate(countColors, { id: 'price-chart', colors: overlayColors });
  // The bands are 1 px lines, mostly anti-aliased against the candles: a few dozen pure pixels.
  for (const [k, n] of Object.entries(price)) assert.ok(n > 20, `the ${k} overlay has ${n} pixels of its color`);
  const osc = await page.evaluate(countColors, { id: 'osc-chart', colors: { macd: [0x29, 0x62, 0xff], signal: [0xff, 0x6d, 0x00], rsi: [0x7e, 0x57, 0xc2] } });
  assert.ok(osc.macd > 50 && osc.signal > 50, `the MACD pane: ${JSON.stringify(osc)}`);
  // (A few anti-aliased pixels between the MACD's blue and orange can come near the RSI's purple.)
  assert.ok(osc.rsi * 20 < osc.macd, `no RSI line is left on the MACD pane: ${JSON.stringify(osc)}`);
  assert.match(await page.textContent('#osc-caption') ?? '', /MACD 12 \/ 26 \/ 9/);
  assert.match(await page.textContent('#overlay-legend') ?? '', /EMA 20, Bollinger 20, 2, Donchian 20/);
  await page.screenshot({ path: join(SHOTS, 'demo-macd-isolated.png'), fullPage: true });
  for (const id of ['#ov-ema', '#ov-bbands', '#ov-donchian']) await page.uncheck(id);
  await page.selectOption('#oscillator', 'rsi');
});

test('a preset with stops, long and short: markers by side and exit reason, every metric, the same on both builds', async () => {
  const iso = await runStopPreset(runs.isolated.page, 'demo-strategy-isolated.png');
  const plain = await runStopPreset(runs.plain.page, 'demo-strategy-not-isolated.png');
  runs.stopPreset = iso;
  for (const [name, r] of /** @type {const} */ ([['isolated', iso], ['not isolated', plain]])) {
    const m = r.run.markers;
    assert.deepEqual(r.run.sides, ['long', 'short'], `${name}: both sides traded`);
    assert.equal(r.run.trades, r.run.tradeCount);
    for (const k of ['entry:long', 'entry:short', 'exit:stop_loss', 'exit:take_profit']) assert.ok(m[k] > 0, `${name}: no ${k} marker: ${JSON.stringify(m)}`);
    assert.equal(Object.entries(m).filter(([k]) => k.startsWith('exit:')).reduce((s, [, n]) => s + n, 0), r.run.trades, `${name}: one exit marker per trade`);
    // The markers are on the canvas, in their colors (stop loss orange, take profit blue, short entries purple).
    for (const k of ['stopLoss', 'takeProfit', 'shortEntry', 'donchian']) assert.ok(r.price[k] > 20, `${name}: ${k} drew ${r.price[k]} pixels: ${JSON.stringify(r.price)}`);
    assert.ok(r.overlays.includes('bbands') && r.overlays.includes('donchian'), `${name}: ${r.overlays}`);
    assert.ok(r.table.some(([side, reason]) => side === 'short' && reason === 'stop loss'), `${name}: the trades table names a short stopped out`);
    assert.ok(r.table.some(([, reason]) => reason === 'take profit'));
    const labels = r.stats.map(([k]) => k);
    for (const k of ['Total return', 'Sharpe ratio', 'Closed trades', 'Win rate', 'Buy and hold return', 'Exposure', 'Profit factor', 'Expectancy', 'Best trade', 'Worst trade', 'Max drawdown duration (bars)', 'Calmar ratio']) {
      assert.ok(labels.includes(k), `${name}: the stats table shows ${k}: ${labels}`);
    }
    assert.equal(r.stats.length, 16 + 3, `${name}: the 16 metrics of catalog() and final equity, capital, bars`);
    const json = JSON.parse(r.json);
    assert.deepEqual(Object.keys(json), ['entry', 'exit', 'short_entry', 'short_exit', 'settings']);
    assert.equal(json.settings.stop_loss, 0.03);
    assert.equal(json.settings.direction, 'both');
    assert.ok(statSync(r.shot).size > 10_000, `${name}: the screenshot was written`);
  }
  assert.deepEqual(iso.stats, plain.stats, 'the same run on both pages');
  assert.deepEqual(iso.run, plain.run);
});

test('each preset picked in the select runs and shows the indicators it trades on', async () => {
  const { page } = runs.isolated;
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 2520, seed: 42 }));
  const expect = [
    ['rsi_reversion', 'RSI mean reversion', { oscillator: 'rsi', overlay: null }],
    ['macd_cross', 'MACD cross', { oscillator: 'macd', overlay: null }],
    ['bollinger_reversion', 'Bollinger reversion', { oscillator: 'macd', overlay: 'bbands' }],
    ['donchian_breakout', 'Donchian breakout', { oscillator: 'macd', overlay: 'donchian' }],
    ['ema_cross', 'EMA 10 / 50', { oscillator: 'macd', overlay: null }],
  ];
  await page.fill('#fast', '10');
  await page.fill('#slow', '50');
  for (const [name, title, want] of /** @type {[string, string, { oscillator: string, overlay: string | null }][]} */ (expect)) {
    await page.selectOption('#preset', name);
    await page.waitForFunction((t) => document.body.dataset.state === 'done' && (document.getElementById('run-title')?.textContent ?? '').includes(t), title);
    const got = await page.evaluate(() => ({ run: /** @type {any} */ (window).__demo.lastRun, drawn: /** @type {any} */ (window).__demo.overlays.drawn, fastDisabled: /** @type {HTMLInputElement} */ (document.getElementById('fast')).disabled }));
    assert.equal(got.run.preset, name);
    const trades = Object.entries(got.run.markers).filter(([k]) => k.startsWith('entry:')).reduce((n, [, v]) => n + /** @type {number} */ (v), 0);
    assert.ok(trades > 0, `${name} traded: ${JSON.stringify(got.run.markers)}`);
    assert.ok(got.drawn.includes(want.oscillator), `${name}: the ${want.oscillator} pane: ${got.drawn}`);
    if (want.overlay) assert.ok(got.drawn.includes(want.overlay), `${name}: the ${want.overlay} overlay: ${got.drawn}`);
    assert.equal(got.fastDisabled, name !== 'ema_cross', `${name}: Fast is enabled only where it binds a placeholder`);
    assert.equal(JSON.parse(got.run.json).entry !== undefined, true);
  }
  assert.equal(await page.isVisible('#error'), false);
});

test('the strategy JSON: Load runs it in the rule builder, and the text and the run come back the same', async () => {
  for (const r of [runs.isolated, runs.plain]) {
    const { page } = r;
    const before = await page.inputValue('#strategy-json');
    const stats = await statsOf(page);
    await page.click('#json-copy');
    await page.waitForFunction(() => /Copied/.test(document.getElementById('json-status')?.textContent ?? ''));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), before, 'Copy puts the shown JSON on the clipboard');
    // The text typed into the box goes through the page's own Load button.
    await page.fill('#strategy-json', before);
    await page.click('#json-load');
    await page.waitForFunction(() => document.getElementById('json-status')?.textContent === 'Loaded and run.');
    assert.equal(await page.inputValue('#preset'), 'rules', 'rows joined by and/or: the rule builder shows them');
    assert.equal(await page.inputValue('#strategy-json'), before, 'the shown JSON after the load is the loaded one');
    assert.deepEqual(await statsOf(page), stats, 'the loaded strategy gives the same metrics');
    assert.equal(await page.inputValue('#stop-loss'), '3', 'the settings reach the form');
    assert.equal(await page.inputValue('#direction'), 'both');

    // An edited tree: the RSI preset's, long only, with a trailing stop.
    const doc = {
      entry: { crosses_below: [{ indicator: 'rsi', period: 14, source: 'close' }, 30] },
      exit: { crosses_above: [{ indicator: 'rsi', period: 14, source: 'close' }, 70] },
      settings: { initial_capital: 50000, commission_rate: 0.0005, fixed_fee: 1, slippage: 0.001, fill: 'close', lot_size: 1, direction: 'long_only', size_type: 'percent', size: 0.5, trailing_stop: 0.07 },
    };
    const out = await page.evaluate(async (text) => {
      const run = await /** @type {any} */ (window).__demo.loadJson(text);
      return { markers: run.markers, json: /** @type {HTMLTextAreaElement} */ (document.getElementById('strategy-json')).value, title: document.getElementById('run-title')?.textContent };
    }, JSON.stringify(doc));
    assert.deepEqual(JSON.parse(out.json), doc, 'every setting survives the form');
    assert.ok(out.markers['exit:trailing_stop'] > 0, JSON.stringify(out.markers));
    assert.match(out.title ?? '', /rules, filled at the close/);
    assert.equal(await page.inputValue('#trailing-stop'), '7');
    assert.equal(await page.inputValue('#size'), '50');
    assert.equal(await page.isVisible('#error'), false);

    // A tree beyond the builder (an or inside an and) runs as Custom, and says so.
    const nested = {
      entry: { and: [{ gt: ['close', 50] }, { or: [{ lt: [{ indicator: 'rsi', period: 14, source: 'close' }, 30] }, { gt: ['volume', 1e9] }] }] },
      exit: { gt: [{ indicator: 'rsi', period: 14, source: 'close' }, 70] },
      settings: doc.settings,
    };
    const custom = await page.evaluate(async (text) => {
      await /** @type {any} */ (window).__demo.loadJson(text);
      return { preset: /** @type {HTMLSelectElement} */ (document.getElementById('preset')).value, note: document.getElementById('rules-status')?.textContent, builderHidden: document.getElementById('rule-builder')?.hidden, json: /** @type {HTMLTextAreaElement} */ (document.getElementById('strategy-json')).value };
    }, JSON.stringify(nested));
    assert.equal(custom.preset, 'custom');
    assert.match(custom.note ?? '', /^Custom: /);
    assert.equal(custom.builderHidden, true);
    assert.deepEqual(JSON.parse(custom.json), nested);
  }
});

test("bad strategy JSON shows the engine's message in the page and changes nothing", async () => {
  const { page } = runs.isolated;
  const box = page.locator('#error');
  const good = await page.inputValue('#strategy-json');
  const presetBefore = await page.inputValue('#preset');
  const cases = [
    ['{"entry": {"crosses_above": [{"indicator": "smaa", "period": 3}, "close"]}}', /unknown indicator 'smaa' at entry\.crosses_above\[0\]; did you mean 'sma'\?/],
    ['{"entry": {"gt": ["close", 1]}, "settings": {"comission_rate": 0.01}}', /unknown setting 'comission_rate' in strategy\.settings; did you mean 'commission_rate'\?/],
    ['{"entyr": {}}', /unknown key 'entyr' in strategy; did you mean 'entry'\?/],
    ['[1, 2]', /strategy must be an object/],
    ['{"entry": ', /strategy is not valid JSON/],
  ];
  for (const [text, message] of cases) {
    await page.fill('#strategy-json', /** @type {string} */ (text));
    await page.click('#json-load');
    await box.waitFor({ state: 'visible' });
    const shown = (await box.textContent()) ?? '';
    assert.match(shown, /Cannot load the strategy/);
    assert.match(shown, /** @type {RegExp} */ (message), shown);
    assert.equal(await page.getAttribute('#strategy-json', 'aria-invalid'), 'true');
    assert.equal(await page.textContent('#json-status'), 'Not loaded.');
    assert.equal(await page.inputValue('#preset'), presetBefore, 'the loaded strategy stays');
    await page.click('#error-close');
    await box.waitFor({ state: 'hidden' });
  }
  // The good text still loads after the refusals.
  await page.fill('#strategy-json', good);
  await page.click('#json-load');
  await page.waitForFunction(() => document.getElementById('json-status')?.textContent === 'Loaded and run.');
  assert.equal(await page.inputValue('#strategy-json'), good);
  // Back to the SMA preset for the tests after this one.
  await page.evaluate(() => /** @type {any} */ (window).__demo.runPreset('sma_cross', { initial_capital: 100000, commission_rate: 0.001 }, { fast: 10, slow: 50 }));
});

test('a CSV with a bad row shows an error in the page naming the field and the row', async () => {
  const { page } = runs.isolated;
  const header = 'date,open,high,low,close,volume\n';
  const good = ['2024-01-02,100,101,99,100.5,1000', '2024-01-03,100.5,102,100,101.5,1200', '2024-01-04,101.5,103,101,102,900'];
  const load = async (/** @type {string} */ name, /** @type {string} */ text) => {
    await page.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  };
  await load('bad-number.csv', header + [good[0], good[1], '2024-01-04,101.5,103,101,abc,900'].join('\n') + '\n');
  const box = page.locator('#error');
  await box.waitFor({ state: 'visible' });
  assert.match(await box.textContent() ?? '', /close at row 2 must be a number, got 'abc'/);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'error');
  assert.equal(await box.getAttribute('role'), 'alert');

  await page.click('#error-close');
  await box.waitFor({ state: 'hidden' });
  await load('bad-prices.csv', header + [good[0], '2024-01-03,100.5,99,100,101.5,1200', good[2]].join('\n') + '\n');
  await box.waitFor({ state: 'visible' });
  const text = (await box.textContent()) ?? '';
  assert.match(text, /\bat row 1\b/, text);
  assert.match(text, /\b(open|high|low|close)\b/, text);

  // A good file loads, clears the error and charts (the periods must fit its 60 bars).
  const rows = [];
  let p = 100;
  for (let i = 0; i < 60; i++) {
    const d = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const o = p;
    p = 100 + 10 * Math.sin(i / 5);
    rows.push(`${d},${o},${Math.max(o, p) + 1},${Math.min(o, p) - 1},${p},${1000 + i}`);
  }
  await page.fill('#fast', '3');
  await page.fill('#slow', '10');
  await load('good.csv', header + rows.join('\n') + '\n');
  await page.waitForFunction(() => document.body.dataset.state === 'done' && /good\.csv: 60 bars/.test(document.getElementById('data-summary')?.textContent ?? ''));
  assert.equal(await box.isVisible(), false, 'the error box is gone');
  assert.match(await page.textContent('#run-title') ?? '', /good: SMA 3 \/ 10/);
});

// ---------------------------------------------------------------------------------------------
// The workbench: the rule builder, its errors, a sweep over two named numbers, a cell's run.

/** Waits until the page's last run (or sweep) is over. @param {import('playwright-core').Page} page */
const settled = (page) => page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error');

/** The rule row `i` (0-based) of a side's block ('Long entry', 'Long exit'). @param {string} side @param {number} i */
const rowLabel = (side, i) => `${side} rule ${i + 1}`;

/**
 * Builds in the page, through its controls only:
 *   entry: sma(fast) crosses above sma(slow) AND NOT rsi(14) > 70
 *   exit:  macd.macd crosses below macd.signal OR close < bbands.lower shifted by 1
 * starting from the SMA-cross preset (whose rules the builder shows).
 * @param {import('playwright-core').Page} page
 */
async function buildRules(page) {
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 2520, seed: 42, startPrice: 100, symbol: 'DEMO' }));
  await page.evaluate(() => /** @type {any} */ (window).__demo.runPreset('sma_cross', { initial_capital: 100000, commission_rate: 0.001 }, { fast: 10, slow: 50 }));
  const change = async (/** @type {string} */ label, /** @type {string} */ value) => {
    const el = page.getByLabel(label, { exact: true });
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value), await el.dispatchEvent('change');
    await settled(page);
  };
  await page.getByLabel('Long entry: add a rule', { exact: true }).click();
  await settled(page);
  await change(`${rowLabel('Long entry', 1)} left: series`, 'ind:rsi:');
  await change(`${rowLabel('Long entry', 1)}: comparison`, 'gt');
  await page.getByLabel(`${rowLabel('Long entry', 1)}: not`, { exact: true }).check();
  await settled(page);
  await change(`${rowLabel('Long entry', 1)} right: series`, 'num');
  await change(`${rowLabel('Long entry', 1)} right: number`, '70');
  await change(`${rowLabel('Long exit', 0)} left: series`, 'ind:macd:macd');
  await change(`${rowLabel('Long exit', 0)} right: series`, 'ind:macd:signal');
  await page.getByLabel('Long exit: add a rule', { exact: true }).click();
  await settled(page);
  await change(`${rowLabel('Long exit', 1)} left: series`, 'price:close');
  await change(`${rowLabel('Long exit', 1)}: comparison`, 'lt');
  await change(`${rowLabel('Long exit', 1)} right: series`, 'ind:bbands:lower');
  await change(`${rowLabel('Long exit', 1)} right: shift`, '1');
  await change('Long exit: join', 'or');
}

test('the rule builder: rules built with its controls run, and their JSON is what qs builds for the same rules, on both builds', async () => {
  const entry = qs.sma(10).crossesAbove(qs.sma(50)).and(qs.rsi(14).gt(70).not());
  const macd = qs.macd(12, 26, 9);
  const exit = macd.macd.crossesBelow(macd.signal).or(qs.close.lt(qs.bbands(20, 2).lower.shift(1)));
  const expected = new qs.Strategy({ entry, exit }).toJSON();
  for (const [name, r] of /** @type {const} */ ([['isolated', runs.isolated], ['not isolated', runs.plain]])) {
    const { page } = r;
    await buildRules(page);
    const shown = JSON.parse(await page.inputValue('#strategy-json'));
    assert.deepEqual({ entry: shown.entry, exit: shown.exit }, { entry: expected.entry, exit: expected.exit }, `${name}: the builder's tree is qs's`);
    assert.equal(await page.inputValue('#preset'), 'rules');
    assert.match(await page.textContent('#run-title') ?? '', /rules \(fast 10, slow 50\)/);
    assert.equal(await page.isVisible('#error'), false);
    const stats = await statsOf(page);
    // qs's strategy with the page's settings, loaded as JSON: the same run, and the builder shows it.
    await page.fill('#strategy-json', JSON.stringify({ ...expected, settings: shown.settings }));
    await page.click('#json-load');
    await page.waitForFunction(() => document.getElementById('json-status')?.textContent === 'Loaded and run.');
    assert.deepEqual(await statsOf(page), stats, `${name}: qs's JSON runs to the same metrics`);
    assert.equal(await page.inputValue('#preset'), 'rules');
    assert.equal(await page.getByLabel(`${rowLabel('Long entry', 1)}: not`, { exact: true }).isChecked(), true);
    assert.ok(Number(stats.find(([k]) => k === 'Closed trades')?.[1]) > 0, `${name}: the rules trade`);
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('#rules-panel').screenshot({ path: join(SHOTS, `demo-rules-${name === 'isolated' ? 'isolated' : 'not-isolated'}.png`) });
  }
});

test("the rule builder: the engine's message for a bad rule shows on that rule, not in the console", async () => {
  const { page, problems } = runs.isolated;
  const before = problems.length;
  const period = page.getByLabel(`${rowLabel('Long entry', 1)} left: rsi period`, { exact: true });
  await period.fill('0');
  await period.dispatchEvent('change');
  const row = page.locator('#rule-builder .rule-row.invalid');
  await row.waitFor();
  const message = (await row.locator('.rule-error').textContent()) ?? '';
  assert.match(message, /^entry\.and\[1\]\.not\.gt\[0\]\.period must be an integer >= 1, got 0/);
  assert.equal(await row.locator('select.series-pick').first().inputValue(), 'ind:rsi:', 'the marked row is the RSI rule');
  assert.equal(await page.locator('#rule-builder .rule-row.invalid').count(), 1);
  assert.equal(await page.isVisible('#error'), false, 'no error box: the message is on the rule');
  assert.match(await page.textContent('#rules-status') ?? '', /Not run/);
  await period.fill('14');
  await period.dispatchEvent('change');
  await page.waitForFunction(() => document.querySelectorAll('#rule-builder .rule-row.invalid').length === 0 && document.body.dataset.state === 'done');
  assert.equal(problems.length, before, problems.slice(before).join('\n'));
});

test('the sweep: two named numbers of the rules as axes, a rows x columns heatmap, progress to 100 %, a cell runs that combination, on both builds', async () => {
  for (const [name, r] of /** @type {const} */ ([['isolated', runs.isolated], ['not isolated', runs.plain]])) {
    const { page } = r;
    await buildRules(page);
    // Name the RSI period 'rp' and its level 'lvl': they become {"param": ...} placeholders.
    for (const [label, param] of [[`${rowLabel('Long entry', 1)} left: rsi period`, 'rp'], [`${rowLabel('Long entry', 1)} right: number`, 'lvl']]) {
      await page.getByLabel(`${label}: parameter name`, { exact: true }).fill(param);
      await page.getByLabel(`${label}: parameter name`, { exact: true }).dispatchEvent('change');
      await settled(page);
    }
    assert.deepEqual(await page.$$eval('#sweep-y option', (o) => o.map((x) => x.value)), ['fast', 'slow', 'rp', 'lvl']);
    await page.selectOption('#sweep-y', 'rp');
    await page.selectOption('#sweep-x', 'lvl');
    for (const [id, v] of [['y-start', '8'], ['y-stop', '14'], ['y-step', '2'], ['x-start', '60'], ['x-stop', '80'], ['x-step', '5']]) await page.fill(`#${id}`, v);
    await page.uncheck('#sweep-constraint');
    await page.click('#run-grid');
    await page.waitForFunction(() => /^Done: /.test(document.getElementById('grid-status')?.textContent ?? ''));
    const out = await page.evaluate(() => {
      const d = /** @type {any} */ (window).__demo;
      const sharpe = /** @type {any} */ (window).__demo.heatmapColumn('sharpeRatio');
      return { distinct: new Set(sharpe).size, heatmap: d.heatmap, progress: d.progress, status: document.getElementById('grid-status')?.textContent, label: document.getElementById('heatmap')?.getAttribute('aria-label') };
    });
    assert.deepEqual(out.heatmap.yAxis, [8, 10, 12, 14]);
    assert.deepEqual(out.heatmap.xAxis, [60, 65, 70, 75, 80]);
    assert.equal(out.heatmap.cells, 20, `${name}: 4 rows x 5 columns`);
    assert.equal(out.heatmap.drawn, 20, `${name}: every cell drawn`);
    assert.equal(out.progress.percent, 100, JSON.stringify(out.progress));
    assert.equal(out.progress.done, 20);
    assert.match(out.status ?? '', /20 combinations of rp and lvl/);
    assert.match(out.label ?? '', /4 values of rp by 5 of lvl/);
    assert.ok(out.distinct > 1, `${name}: the metric varies over the heatmap (${out.distinct} distinct values)`);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `demo-workbench-${name === 'isolated' ? 'isolated' : 'not-isolated'}.png`), fullPage: true });

    // The sweep's row for (rp 12, lvl 75), then a click on that cell.
    const row = await page.evaluate(async () => {
      const d = /** @type {any} */ (window).__demo;
      const g = await d.runGrid(); // the same sweep again, for its columns
      const i = [...g.columns.rp].findIndex((/** @type {number} */ v, /** @type {number} */ k) => v === 12 && g.columns.lvl[k] === 75);
      /** @type {Record<string, number>} */
      const m = {};
      for (const [k, v] of Object.entries(g.columns)) m[k] = /** @type {any} */ (v)[i];
      return m;
    });
    await page.locator('#heatmap').scrollIntoViewIfNeeded();
    const at = await page.evaluate(() => /** @type {any} */ (window).__demo.heatmapCell(12, 75));
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() => /rp 12, lvl 75/.test(document.getElementById('run-title')?.textContent ?? '') && document.body.dataset.state === 'done');
    const run = await page.evaluate(() => /** @type {any} */ (window).__demo.lastRun);
    for (const [k, v] of Object.entries(row)) {
      if (k === 'rp' || k === 'lvl') continue;
      const got = run.metrics[k] ?? NaN;
      assert.ok(Object.is(got, v) || got === v, `${name}: ${k} of the cell's run is ${got}, the sweep's row has ${v}`);
    }
    assert.ok(row.tradeCount > 0, `${name}: the combination trades (${row.tradeCount})`);
    assert.equal(JSON.parse(run.json).entry.and[1].not.gt[0].period, 12);
    assert.equal(JSON.parse(run.json).entry.and[1].not.gt[1], 75);
  }
  // Back to the SMA preset for the tests after this one.
  for (const r of [runs.isolated, runs.plain]) await r.page.evaluate(() => /** @type {any} */ (window).__demo.runPreset('sma_cross', { initial_capital: 100000, commission_rate: 0.001 }, { fast: 10, slow: 50 }));
});

test('no console errors and no page errors on either page', (t) => {
  for (const [name, r] of [['isolated', runs.isolated], ['not isolated', runs.plain]]) {
    for (const w of r.warnings) t.diagnostic(`${name}: console warning: ${w}`);
    assert.deepEqual(r.problems, [], `${name}: ${r.problems.join('\n')}`);
  }
});
