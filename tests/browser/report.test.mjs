// Standalone reports (issue 13) in a real browser: each command line (JS: pkg/cli.js; Python:
// `python -m quant_backtest` of the repo's .venv) writes a report of each kind with --report on
// the same CSV files, and Debian's chromium opens every file from disk (file://): the report is
// drawn (charts, markers, heatmap cells, stacked areas, windows), the trades table has a row
// per trade, the lines are on the canvases, nothing goes to the network and nothing reaches
// the console. A JS report and a Python report of the same run show the same figures. And the
// demo page's "Download this backtest as a report" saves the same kind of file for its run.
// Screenshots: screenshots/report-<kind>-<js|python>.png, screenshots/report-from-page.png.
//
// Run: node --test tests/browser/report.test.mjs   (scripts/test-browser.sh runs every file)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { ROOT, SHOTS } from './two-pages.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const CLI = { js: ['node', [join(ROOT, 'pkg', 'cli.js')]], python: [PYTHON, ['-m', 'quant_backtest']] };
const DIR = mkdtempSync(join(tmpdir(), 'qb-reports-'));
const SETS = ['--set', 'fast=10', '--set', 'slow=30'];
const GRID = ['--param', 'fast=5:25:5', '--param', 'slow=30:80:10'];

/** What each kind's command is, and what its report must have drawn. */
const KINDS = {
  backtest: { args: ['run', 'DEMO.csv', '--strategy', 'sma_cross', ...SETS, '--set', 'stop_loss=0.05'], charts: 3 },
  sweep: { args: ['sweep', 'DEMO.csv', '--strategy', 'sma_cross', ...GRID], charts: 4 },
  portfolio: { args: ['portfolio', 'AAA.csv', 'BBB.csv', 'CCC.csv', '--strategy', 'sma_cross', ...SETS, '--set', 'max_positions=2'], charts: 2 },
  walk_forward: { args: ['walk-forward', 'DEMO.csv', '--strategy', 'sma_cross', ...GRID, '--train', '200', '--test', '100'], charts: 4 },
};

/** @type {import('playwright-core').Browser} */
let browser;

/** @param {'js' | 'python'} lang @param {string[]} args */
function cli(lang, args) {
  const [cmd, pre] = CLI[lang];
  return execFileSync(/** @type {string} */ (cmd), [.../** @type {string[]} */ (pre), ...args], { cwd: DIR, encoding: 'utf8' });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-browser.sh does it)`);
  mkdirSync(SHOTS, { recursive: true });
  cli('js', ['sample', '--symbol', 'DEMO', '--days', '600', '--seed', '3', '--out', 'DEMO.csv']);
  for (const [symbol, seed] of [['AAA', '1'], ['BBB', '2'], ['CCC', '4']]) cli('js', ['sample', '--symbol', symbol, '--days', '400', '--seed', seed, '--out', `${symbol}.csv`]);
  for (const lang of /** @type {const} */ (['js', 'python'])) {
    for (const [kind, k] of Object.entries(KINDS)) cli(lang, [...k.args, '--json', `${kind}-${lang}.json`, '--report', `${kind}-${lang}.html`]);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  rmSync(DIR, { recursive: true, force: true });
});

/**
 * Opens a saved report from disk and reads what it drew.
 * @param {string} file @param {string} shot
 */
async function open(file, shot) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!/^(file|data|blob):/.test(r.url())) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(join(DIR, file)).href);
  await page.waitForFunction(() => document.getElementById('report')?.dataset.state !== 'loading', null, { timeout: 30_000 });
  // Two frames: the charts take their size, then draw.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const seen = await page.evaluate(() => {
    /** Pixels of a color on a figure's largest canvases. @param {Element} fig @param {number[]} rgb */
    const pixels = (fig, rgb) => {
      const canvases = [...fig.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
      const area = Math.max(0, ...canvases.map((c) => c.width * c.height));
      let n = 0;
      for (const c of canvases.filter((x) => x.width * x.height === area)) {
        const px = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 16 && Math.abs(px[i + 1] - rgb[1]) < 16 && Math.abs(px[i + 2] - rgb[2]) < 16) n++;
      }
      return n;
    };
    const figs = [...document.querySelectorAll('figure')];
    const text = (/** @type {Element | null} */ e) => (e?.textContent ?? '').trim();
    return {
      state: document.getElementById('report')?.dataset.state,
      drawn: /** @type {any} */ (globalThis).quantBacktestReport,
      title: text(document.querySelector('h1')),
      metrics: [...document.querySelectorAll('dl.metrics > div')].map((d) => [text(d.querySelector('dt')), text(d.querySelector('dd'))]),
      tradeRows: [...document.querySelectorAll('table.rows')].filter((t) => text(t.querySelector('caption')).startsWith('Trades')).map((t) => t.tBodies[0].rows.length)[0],
      // The strategy's blue line (equity, or out-of-sample equity) on some figure, and the candles' green.
      blue: figs.map((f) => pixels(f, [0x29, 0x62, 0xff])),
      green: figs.map((f) => pixels(f, [0x1a, 0x98, 0x50])),
      heatmap: [...document.querySelectorAll('canvas.heatmap')].map((c) => c.width * c.height),
    };
  });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  await context.close();
  return { ...seen, problems };
}

for (const [kind, k] of Object.entries(KINDS)) {
  test(`a ${kind} report opens from disk and is drawn, the same from JS and Python`, async () => {
    /** @type {Record<string, any>} */
    const seen = {};
    for (const lang of /** @type {const} */ (['js', 'python'])) {
      const r = await open(`${kind}-${lang}.html`, `report-${kind}-${lang}.png`);
      const where = `${kind}, ${lang}`;
      assert.deepEqual(r.problems, [], `${where}: no console errors, no network`);
      assert.equal(r.state, 'drawn', where);
      assert.equal(r.drawn.kind, kind, where);
      assert.equal(r.drawn.charts, k.charts, `${where}: charts`);
      assert.ok(r.metrics.length >= 16, `${where}: the metrics are listed`);
      assert.equal(r.tradeRows, r.drawn.trades, `${where}: a row per trade`);
      assert.ok(r.drawn.trades > 0, `${where}: trades`);
      assert.ok(Math.max(...r.blue) > 100, `${where}: the equity line is drawn: ${r.blue}`);
      if (kind !== 'portfolio') {
        assert.equal(r.drawn.markers, 2 * r.drawn.trades, `${where}: a marker per entry and exit`);
        assert.ok(Math.max(...r.green) > 100, `${where}: candles are drawn: ${r.green}`);
      }
      if (kind === 'sweep') {
        assert.equal(r.drawn.cells, 30, `${where}: a cell per combination (5 x 6)`);
        assert.ok(r.heatmap[0] > 0);
      }
      if (kind === 'portfolio') assert.equal(r.drawn.series, 3, `${where}: an area per asset`);
      if (kind === 'walk_forward') assert.equal(r.drawn.windows, 4, `${where}: the windows`);
      seen[lang] = r;
    }
    // The same picture: title, figures and every metric's text.
    assert.equal(seen.js.title, seen.python.title);
    assert.deepEqual(seen.js.drawn, seen.python.drawn);
    assert.deepEqual(seen.js.metrics, seen.python.metrics);
  });
}

test('the demo page downloads its backtest as a report that opens from disk', async () => {
  const server = await startServer({ port: 0, isolation: false });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(server.url);
    await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
    const run = await page.evaluate(() => /** @type {any} */ (window).__demo.runPreset('sma_cross', { direction: 'both', stop_loss: 0.04 }, { fast: 10, slow: 30 }));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    assert.equal(download.suggestedFilename(), 'DEMO-report.html');
    const file = 'from-page.html';
    await download.saveAs(join(DIR, file));
    const r = await open(file, 'report-from-page.png');
    assert.deepEqual(r.problems, []);
    assert.equal(r.state, 'drawn');
    assert.equal(r.drawn.kind, 'backtest');
    assert.equal(r.drawn.trades, run.trades.length);
    assert.equal(r.drawn.markers, 2 * run.trades.length);
    assert.ok(run.trades.some((/** @type {any} */ t) => t.direction === 'short'), 'the run has shorts');
    assert.equal(r.drawn.overlays, 2, 'the two SMAs');
    assert.match(r.title, /^DEMO: /);
    const shown = Object.fromEntries(r.metrics);
    assert.equal(shown['Closed trades'], String(run.trades.length));
  } finally {
    await context.close();
    await server.close();
  }
});
