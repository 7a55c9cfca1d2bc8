// The demo page (www/) in a real browser: Debian's chromium, headless, driven by playwright-core.
//
// One page load against the COOP/COEP server (cross-origin isolated: the threaded build) and one
// against a server without those headers (the single-threaded fallback). Both run a backtest and
// a grid through `window.__demo`; the grids must agree value for value. Screenshots of both go
// to screenshots/demo-isolated.png and screenshots/demo-not-isolated.png.
//
// Run: node --test tests/browser/   (scripts/test-browser.sh installs what is missing first)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The larger grid of the responsiveness and cancel checks: 25,200 bars, 50 x 50 periods.
const BIG_DATA = { days: 25200, seed: 7 };
const BIG_GRID = { fast: [2, 100, 2], slow: [5, 250, 5] };

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
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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
    price: chart('price-chart', { up: [0x1a, 0x98, 0x50], down: [0xd7, 0x30, 0x1f] }),
    equity: chart('equity-chart', { strategy: [0x29, 0x62, 0xff], hold: [0x8d, 0x8d, 0x8d] }),
    drawdown: chart('drawdown-chart', { line: [0xd7, 0x30, 0x1f] }),
    heatmap: { colors: heatColors, width: heat?.width ?? 0, height: heat?.height ?? 0 },
  };
}

/** NaN-aware, exact comparison of two grids' columns. */
function assertSameColumns(/** @type {Record<string, number[]>} */ a, /** @type {Record<string, number[]>} */ b, /** @type {string} */ what) {
  const names = ['fastPeriod', 'slowPeriod', 'totalReturn', 'annualizedReturn', 'volatility', 'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'tradeCount', 'winRate'];
  for (const k of names) {
    assert.ok(Array.isArray(a[k]) && Array.isArray(b[k]), `${what}: column ${k} is missing`);
    assert.equal(a[k].length, b[k].length, `${what}: column ${k} has ${a[k].length} rows against ${b[k].length}`);
    for (let i = 0; i < a[k].length; i++) {
      const x = a[k][i];
      const y = b[k][i];
      if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) {
        assert.fail(`${what}: ${k}[${i}] (fast ${a.fastPeriod[i]}, slow ${a.slowPeriod[i]}) differs: ${x} against ${y}`);
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
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    try {
      const g = await demo.runGrid(grid);
      maxGap = Math.max(maxGap, performance.now() - last);
      /** @type {Record<string, number[]>} */
      const columns = {};
      for (const [k, v] of Object.entries(g.columns)) if (ArrayBuffer.isView(v)) columns[k] = Array.from(/** @type {Float64Array} */ (v));
      return { columns, ms: g.ms, maxGap, progress: demo.progress };
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
  const n = r.grid.columns.fastPeriod.length;
  assert.ok(n > 100, `the default grid has ${n} pairs`);
  for (let i = 0; i < n; i++) assert.ok(r.grid.columns.fastPeriod[i] < r.grid.columns.slowPeriod[i]);
  assert.equal(r.grid.state, 'done');
  assert.match(r.grid.status, /pairs on [\d,]+ bars in [\d.,]+ ms, \d+ threads? \((threaded|single-threaded) build\)/);
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
  const i = g.fastPeriod.findIndex((/** @type {number} */ f, /** @type {number} */ k) => f === 20 && g.slowPeriod[k] === 100);
  const pct = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(g.totalReturn[i] * 100);
  assert.equal(total, `${pct} %`, "the charted pair's total return is the grid's");
});

test('a large grid (25,200 bars, 50 x 50) leaves the UI thread free, reports progress, and agrees across builds', async (t) => {
  const iso = await timedGrid(runs.isolated.page);
  const plain = await timedGrid(runs.plain.page);
  for (const [name, r] of /** @type {const} */ ([['threaded', iso], ['single-threaded', plain]])) {
    t.diagnostic(`${name}: ${r.columns.fastPeriod.length} pairs in ${r.ms.toFixed(0)} ms, longest UI-thread gap ${r.maxGap.toFixed(0)} ms, ${r.progress.calls} progress reports`);
  }
  assertSameColumns(iso.columns, plain.columns, 'large grid, isolated against not isolated');
  assert.ok(iso.columns.fastPeriod.length > 2000, `${iso.columns.fastPeriod.length} pairs`);
  for (const [name, r] of /** @type {const} */ ([['isolated', iso], ['not isolated', plain]])) {
    assert.ok(r.maxGap < 200, `${name}: the UI thread was blocked for ${r.maxGap.toFixed(0)} ms during a ${r.ms.toFixed(0)} ms grid`);
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
    const again = await demo.runGrid({ fast: [5, 20, 5], slow: [30, 60, 10] });
    return { stateWhileRunning, cancelEnabled, outcome, engine, stopMs, after, againPairs: again.columns.fastPeriod.length, finalState: document.body.dataset.state };
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

test('no console errors and no page errors on either page', (t) => {
  for (const [name, r] of [['isolated', runs.isolated], ['not isolated', runs.plain]]) {
    for (const w of r.warnings) t.diagnostic(`${name}: console warning: ${w}`);
    assert.deepEqual(r.problems, [], `${name}: ${r.problems.join('\n')}`);
  }
});
