// The wheel in a real browser: Debian's chromium (headless, playwright-core) opens a page served
// by this test on 127.0.0.1 that loads Pyodide from the local node_modules, installs the wheel
// with loadPackage, and runs the quick-start backtest and a grid, on the main thread and in a
// module Worker (where JupyterLite runs its kernel), and pushes the same bars into a live run.
// The answers must be the wasm engine's and equal the native engine's (the repo's .venv):
// trades and equity exactly, metrics to 1e-9, the live run's saved text byte for byte.
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, extname, join, normalize, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { PYODIDE_DIR, ROOT, SCENARIOS, VENV_PYTHON, findWheel, fromHex, nativeAnswers } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.whl': 'application/zip',
  '.py': 'text/plain; charset=utf-8',
};
const METRICS = ['total_return', 'annualized_return', 'volatility', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'trade_count', 'win_rate'];

const wheel = findWheel();
/** URL prefix -> folder (plus /scenarios.py, the Python helpers of the checks) */
const MOUNTS = [
  ['/page/', join(ROOT, 'tests', 'pyodide', 'page')],
  ['/pyodide/', PYODIDE_DIR],
  ['/wheel/', dirname(wheel)],
];

/** @type {import('node:http').Server} */
let server;
/** @type {string} */
let origin;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {any} */
let native;
/** @type {string} the native engine's saved text after the page's live run */
let nativeLiveState;

/** The page's live run (page/run.mjs) on the native engine of the repo's .venv. */
const LIVE_REQUEST = `
import quant_backtest as qb
import quant_backtest.strategy as qs
e = qb.RustEngine()
assert e.backend == "rust", e.backend
data = qb.generate_sample_data("DEMO", days=1_000, start_price=100.0, seed=42)
live = e.live(qs.sma_cross(5, 20), symbol="DEMO", stop_loss=0.03)
columns = (data.dates, data.open, data.high, data.low, data.close, data.volume)
live.push_many(qb.Bar(*row) for row in zip(*columns))
print(live.to_json())
`;

/** @param {string} urlPath @returns {string | null} */
function resolvePath(urlPath) {
  if (urlPath === '/scenarios.py') return SCENARIOS;
  for (const [prefix, dir] of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(urlPath.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

before(async () => {
  native = nativeAnswers();
  const live = spawnSync(VENV_PYTHON, ['-c', LIVE_REQUEST], {
    cwd: ROOT,
    env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (live.status !== 0) throw new Error(`the native live run failed (${live.status}):\n${live.stderr}`);
  nativeLiveState = live.stdout.trim();
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = resolvePath(path);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[/** @type {keyof typeof MIME} */ (extname(file))] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  origin = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(() => resolve(undefined)) : resolve(undefined)));
});

/** @param {any} got @param {any} want @param {string} where */
function assertSameResult(got, want, where) {
  assert.deepEqual(got.trades, want.trades, `${where}: trades`);
  assert.deepEqual(got.equity_curve, want.equity_curve, `${where}: equity curve`);
  assertSameMetrics(got, want, where);
}

/** @param {any} got @param {any} want @param {string} where */
function assertSameMetrics(got, want, where) {
  assert.equal(got.fast_period, want.fast_period);
  assert.equal(got.slow_period, want.slow_period);
  for (const name of METRICS) {
    const [a, b] = [got[name], want[name]];
    if (a === b) continue;
    assert.ok(typeof a === 'string' && typeof b === 'string', `${where}: ${name} ${a} vs ${b}`);
    const [x, y] = [fromHex(a), fromHex(b)];
    assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) + 1e-12, `${where}: ${name} ${x} vs ${y}`);
  }
}

test('headless chromium: Pyodide installs the wheel and backtests on wasm, as the native engine does', async (t) => {
  const page = await browser.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${origin}/page/index.html?wheel=/wheel/${encodeURIComponent(basename(wheel))}`);
  await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 120_000 });
  const report = JSON.parse((await page.textContent('#result')) ?? '{}');
  await page.close();

  assert.equal(report.error, undefined, report.error);
  assert.deepEqual(problems, []);
  for (const where of /** @type {const} */ (['main', 'worker'])) {
    const run = report[where];
    assert.ok(run, `no report from the ${where} thread`);
    assert.deepEqual(run.errors, [], `${where}: loadPackage errors`);
    assert.deepEqual(run.warnings, [], `${where}: warnings`);
    assert.equal(run.platform, 'emscripten');
    assert.equal(run.backend, 'wasm', `${where}: get_engine_info()["backend"]`);
    assert.equal(run.result_backend, 'wasm');
    assertSameResult(run.result, native.scenarios.quick_start, `${where} quick start`);
    assert.equal(run.grid.length, native.scenarios.grid.length);
    run.grid.forEach((/** @type {any} */ [f, s, r], /** @type {number} */ i) => {
      const [nf, ns, nr] = native.scenarios.grid[i];
      assert.deepEqual([f, s], [nf, ns]);
      assertSameMetrics(r, nr, `${where} grid ${f}/${s}`);
    });
    assert.equal(run.live.backend, 'wasm', `${where}: live run`);
    assert.ok(run.live.same_as_batch, `${where}: the live result is the batch run's`);
    assert.deepEqual(run.live.kinds, ['fill', 'order', 'signal', 'stop'], `${where}: live events`);
    assert.equal(run.live.state, nativeLiveState, `${where}: the live run saves the native text`);
    t.diagnostic(`${where}: Pyodide loaded in ${run.loadedMs.toFixed(0)} ms, everything in ${run.totalMs.toFixed(0)} ms, 1,000-bar backtest ${run.backtest_ms.toFixed(2)} ms`);
  }
});
