// The JupyterLite site (dist/jupyterlite/, scripts/build-jupyterlite.sh) in Debian's chromium,
// headless, via playwright-core: open the example notebook, run all its cells through the
// Pyodide kernel, and check the outputs (the engine is the wasm build, a backtest's metrics, the
// grid's row count), with no error output. Offline: every request off 127.0.0.1 is aborted and
// recorded, and the test fails if there was any. Screenshot: screenshots/jupyterlite.png.
//
// Run: bash scripts/test-jupyterlite.sh   (builds the site first when missing or stale)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SITE, startSiteServer } from './serve-site.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOT = join(ROOT, 'screenshots', 'jupyterlite.png');
const NOTEBOOK = 'jupyterlite.ipynb';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Pyodide's start and the kernel's installs take tens of seconds; this bounds a hang, not speed.
const RUN_LIMIT_MS = 240_000;

/** @type {Awaited<ReturnType<typeof startSiteServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {{ offLoopback: string[], routed: string[], problems: string[], cells: any[], ran: unknown, kernel: string, plots: any[], frames: any[] }} */
let run;

/** Opens the notebook, runs all cells, and returns what the page saw. */
async function runNotebook() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
  /** @type {string[]} */
  const offLoopback = [];
  /** @type {string[]} */
  const routed = [];
  /** @type {string[]} */
  const problems = [];
  // Everything the page, its workers and its service worker ask for that is not the server.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    routed.push(url.pathname);
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
    offLoopback.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });

  await page.goto(`${server.url}lab/index.html?path=${NOTEBOOK}`);
  await page.waitForFunction(() => /** @type {any} */ (window).jupyterapp?.shell?.currentWidget?.sessionContext);
  const result = await page.evaluate(
    async ({ name, limit }) => {
      const app = /** @type {any} */ (window).jupyterapp;
      const panel = app.shell.currentWidget;
      if (!panel.context.path.endsWith(name)) throw new Error(`opened ${panel.context.path}, not ${name}`);
      await panel.context.ready;
      await panel.sessionContext.ready;
      const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error(`run-all-cells still running after ${limit} ms`)), limit));
      // True when every cell ran without an error (NotebookActions.runAll).
      const ran = await Promise.race([app.commands.execute('notebook:run-all-cells'), timeout]);
      const kernel = panel.sessionContext.session?.kernel;
      const cells = panel.content.widgets.map((/** @type {any} */ cell) => ({
        type: cell.model.type,
        executionCount: cell.model.type === 'code' ? cell.model.executionCount : null,
        outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON() : [],
        shownText: cell.node.querySelector('.jp-OutputArea')?.innerText ?? '',
      }));
      return { ran, cells, kernel: `${kernel?.name} ${kernel?.status}` };
    },
    { name: NOTEBOOK, limit: RUN_LIMIT_MS },
  );
  // The plot's report: drawn in its own frame (an iframe srcdoc, sandboxed).
  /** @type {any[]} */
  const plots = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.url() !== 'about:srcdoc') continue;
    await frame.waitForFunction(() => document.getElementById('report')?.dataset.state !== 'loading', null, { timeout: 60_000 });
    plots.push(await frame.evaluate(() => ({ state: document.getElementById('report')?.dataset.state, drawn: /** @type {any} */ (globalThis).quantBacktestReport, canvases: document.querySelectorAll('canvas').length })));
  }
  const frames = await page.evaluate(() => [...document.querySelectorAll('.jp-OutputArea iframe')].map((f) => ({ sandbox: f.getAttribute('sandbox'), height: f.getBoundingClientRect().height })));
  mkdirSync(dirname(SHOT), { recursive: true });
  await page.screenshot({ path: SHOT, fullPage: true });
  await context.close();
  return { offLoopback, routed, problems, plots, frames, ...result };
}

/** The text a code cell printed or displayed (stream output and text/plain results). */
function textOf(/** @type {any} */ cell) {
  return cell.outputs
    .map((/** @type {any} */ o) => {
      if (o.output_type === 'stream') return [].concat(o.text).join('');
      if (o.data?.['text/plain']) return [].concat(o.data['text/plain']).join('');
      return '';
    })
    .join('\n');
}

before(async () => {
  assert.ok(existsSync(join(SITE, 'lab', 'index.html')), `no site in ${SITE}: run bash scripts/build-jupyterlite.sh`);
  server = await startSiteServer({ port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  run = await runNotebook();
  const codeCells = run.cells.filter((c) => c.type === 'code');
  for (const [i, c] of codeCells.entries()) console.log(`--- code cell ${i} [${c.executionCount}] ---\n${textOf(c)}`);
  console.log(`kernel: ${run.kernel}; requests off loopback: ${run.offLoopback.length}; served: ${server.requests.length}`);
  for (const p of run.problems) console.log(p);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page asks for nothing off loopback', () => {
  assert.deepEqual(run.offLoopback, []);
  // The kernel's worker fetches Pyodide: seen by the route, so workers' requests are checked too.
  assert.ok(run.routed.some((p) => p.endsWith('/static/pyodide/pyodide.asm.wasm')), 'the route saw the worker fetch Pyodide');
  assert.ok(server.requests.some((p) => p.endsWith('/static/pyodide/pyodide.asm.wasm')), 'Pyodide came from the site');
  assert.ok(server.requests.some((p) => /\/pypi\/quant_backtest-.*\.whl$/.test(p)), 'the wheel came from the site');
});

test('every code cell ran through the Pyodide kernel, without an error', () => {
  assert.equal(run.ran, true, 'notebook:run-all-cells reported a failed cell');
  assert.match(run.kernel, /^python /);
  assert.deepEqual(run.problems, [], 'no page errors, console errors or failed requests');
  const code = run.cells.filter((c) => c.type === 'code');
  assert.ok(code.length >= 5, `${code.length} code cells`);
  for (const [i, c] of code.entries()) {
    assert.equal(typeof c.executionCount, 'number', `code cell ${i} did not run`);
    const errors = c.outputs.filter((/** @type {any} */ o) => o.output_type === 'error');
    assert.deepEqual(errors, [], `code cell ${i} raised`);
    const stderr = c.outputs.filter((/** @type {any} */ o) => o.output_type === 'stream' && o.name === 'stderr');
    assert.deepEqual(stderr, [], `code cell ${i} wrote to stderr`);
  }
});

test('the engine is the wasm build, and the backtest printed its metrics', () => {
  const all = run.cells.map(textOf).join('\n');
  assert.match(all, /^engine: wasm$/m);
  // total_return sharpe_ratio max_drawdown trade_count, then dated trades.
  assert.match(all, /^-?\d+\.\d+(e-?\d+)? -?\d+\.\d+(e-?\d+)? -?\d+\.\d+(e-?\d+)? \d+$/m);
  assert.match(all, /^\d{4}-\d\d-\d\d \d{4}-\d\d-\d\d -?\d+\.\d+$/m);
});

test('a strategy tree runs with its stop, and its JSON comes back equal', () => {
  const all = run.cells.map(textOf).join('\n');
  assert.match(all, /^strategy: [1-9]\d* trades, total return -?\d+\.\d+$/m);
  assert.match(all, /^exits: \[.*'stop_loss'.*\]$/m);
  assert.match(all, /^same JSON back: True$/m);
});

test('a sweep of the preset has every combination, and optimize picks one', () => {
  const all = run.cells.map(textOf).join('\n');
  assert.match(all, /^sweep rows: 73$/m);
  assert.match(all, /^best by sharpe: \d+ \d+ -?\d+\.\d+$/m);
});

test('the grid and its columns have every pair, shown in the output areas', () => {
  const all = run.cells.map(textOf).join('\n');
  // range(5, 50, 5) x range(20, 200, 20), fast < slow: the 73 pairs with fast < slow.
  assert.match(all, /^73 pairs$/m);
  assert.match(all, /^grid rows: 73$/m);
  assert.match(all, /^best pair: \d+ \d+$/m);
  const shown = run.cells.map((c) => c.shownText).join('\n');
  assert.match(shown, /engine: wasm/, 'the output area shows what the kernel sent');
  assert.ok(statSync(SHOT).size > 10_000, 'the screenshot was written');
});

test('result.plot() renders inline: the report drawn in its own sandboxed frame', () => {
  assert.deepEqual(run.frames.map((f) => f.sandbox), ['allow-scripts'], 'one plot, in a sandboxed iframe');
  assert.ok(run.frames[0].height > 300, `the frame has its height: ${run.frames[0].height}`);
  assert.equal(run.plots.length, 1);
  const [plot] = run.plots;
  assert.equal(plot.state, 'drawn');
  assert.equal(plot.drawn.kind, 'backtest');
  assert.equal(plot.drawn.charts, 3);
  assert.ok(plot.drawn.trades > 0 && plot.drawn.markers === 2 * plot.drawn.trades, JSON.stringify(plot.drawn));
  assert.ok(plot.canvases >= 6, `${plot.canvases} canvases`);
});
