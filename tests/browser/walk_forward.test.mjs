// The demo page's walk-forward view (www/walk-forward.js) in a real browser: Debian's
// chromium, headless, driven by playwright-core, against the COOP/COEP server (the threaded
// build) and a server without those headers (the single-threaded build), as
// tests/browser/demo.test.mjs.
//
// The checks: a walk-forward run from the form equals the package's in Node on the same bars,
// strategy, params and options, value for value (every window, the stitched curve, trades,
// metrics); the table shows a row per window with the chosen values; the stitched and in-sample
// lines and the test windows' shades are drawn; anchored, a step and another metric through
// the form; bad input shows its message; new data clears the view. No console errors.
// Screenshot: screenshots/demo-walk-forward.png.
//
// Run: node --test tests/browser/walk_forward.test.mjs   (scripts/test-browser.sh runs every file)
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RustEngine, generateSampleData } from '../../pkg/node.js';
import { SHOTS, openTwoPages } from './two-pages.mjs';

const engine = new RustEngine();
/** @type {Record<'isolated' | 'plain', import('./two-pages.mjs').OpenPage>} */
let pages;
/** @type {() => Promise<void>} */
let closeAll;

/**
 * Fills the sweep form's axes and the walk form, clicks Run and waits for the view (or the
 * error box).
 * @param {import('playwright-core').Page} page
 * @param {{ y?: [string, number, number, number], x?: [string, number, number, number], train?: string, test?: string, step?: string, anchored?: boolean, maximize?: string }} o
 */
async function runWalk(page, o) {
  const before = await page.evaluate(() => /** @type {any} */ (window).__demo.walk.lastRun?.runs ?? 0);
  for (const [axis, v] of /** @type {const} */ ([['y', o.y], ['x', o.x]])) {
    if (!v) continue;
    await page.selectOption(`#sweep-${axis}`, v[0]);
    await page.fill(`#${axis}-start`, String(v[1]));
    await page.fill(`#${axis}-stop`, String(v[2]));
    await page.fill(`#${axis}-step`, String(v[3]));
  }
  if (o.train !== undefined) await page.fill('#walk-train', o.train);
  if (o.test !== undefined) await page.fill('#walk-test', o.test);
  if (o.step !== undefined) await page.fill('#walk-step', o.step);
  if (o.anchored !== undefined) await page.setChecked('#walk-anchored', o.anchored);
  if (o.maximize !== undefined) await page.selectOption('#walk-maximize', o.maximize);
  await page.click('#run-walk');
  await page.waitForFunction(
    (n) => (/** @type {any} */ (window).__demo.walk.lastRun?.runs ?? 0) > n || !(/** @type {HTMLElement} */ (document.getElementById('error')).hidden),
    before,
  );
  // The charts draw on the next frames (the view's chart gets its size when it shows).
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)))));
  return shown(page);
}

/** What the view shows now. @param {import('playwright-core').Page} page */
function shown(page) {
  return page.evaluate(() => {
    const text = (/** @type {Element | null} */ el) => el?.textContent?.trim() ?? '';
    /** Pixels near `rgb` in the largest canvases of a chart. @param {string} id @param {number[][]} colors @param {number} tol */
    const pixels = (id, colors, tol) => {
      const el = /** @type {HTMLElement} */ (document.getElementById(id));
      const canvases = [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
      const area = Math.max(0, ...canvases.map((c) => c.width * c.height));
      const data = canvases.filter((c) => c.width * c.height === area).map((c) => /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data);
      return colors.map((rgb) =>
        data.reduce((n, px) => {
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) <= tol && Math.abs(px[i + 1] - rgb[1]) <= tol && Math.abs(px[i + 2] - rgb[2]) <= tol) n++;
          return n;
        }, 0),
      );
    };
    const error = /** @type {HTMLElement} */ (document.getElementById('error'));
    const results = /** @type {HTMLElement} */ (document.getElementById('walk-results'));
    return {
      last: /** @type {any} */ (window).__demo.walk.lastRun,
      visible: !results.hidden && results.offsetHeight > 0,
      rows: [...document.querySelectorAll('#walk-windows tbody tr')].map((tr) => [...tr.children].map((c) => text(c))),
      head: [...document.querySelectorAll('#walk-windows thead th')].map((th) => text(th)),
      stats: [...document.querySelectorAll('#walk-stats tr')].map((tr) => [text(tr.querySelector('th')), text(tr.querySelector('td'))]),
      status: text(document.getElementById('walk-status')),
      title: text(document.getElementById('walk-title')),
      error: error.hidden ? null : text(document.getElementById('error-message')),
      // The out-of-sample line, the in-sample lines; the two shades on the price chart.
      walkChart: results.hidden ? null : pixels('walk-chart', [[0x29, 0x62, 0xff], [0x9e, 0x9e, 0x9e]], 14),
      shades: pixels('price-chart', [[0xe3, 0xeb, 0xff], [0xff, 0xef, 0xd9]], 3),
    };
  });
}

/** The page's sample data in Node (the Data panel's defaults). */
const demoData = () => generateSampleData('DEMO', 2520, 100, { seed: 42 });

/** @param {number} a @param {number} b @param {number} c */
const range = (a, b, c) => {
  const out = [];
  for (let v = a; v <= b + 1e-9; v += c) out.push(v);
  return out;
};

/** A result's JSON without its timing. @param {any} j */
const value = (j) => {
  const { execution_time_ms: _t, ...rest } = j;
  return rest;
};

/** The page's run against Node's on the same request. @param {any} last @param {any} md */
function assertMatchesNode(last, md) {
  const { y, x, ys, xs, doc, constraint, options } = last.request;
  const r = engine.walkForward(md, JSON.stringify(doc), { [y]: ys, [x]: xs }, { ...options, constraint });
  assert.deepEqual(value(last.result), value(r.toJSON()));
  assert.ok(r.windows.length >= 2 && r.tradeCount > 0, `a real walk (${r.windows.length} windows, ${r.tradeCount} trades)`);
  return r;
}

before(async () => {
  ({ pages, close: closeAll } = await openTwoPages());
});

after(async () => {
  await closeAll?.();
});

test('a rolling walk-forward from the form equals the package in Node, drawn and tabled, on both builds', async () => {
  const md = demoData();
  for (const [where, { page }] of Object.entries(pages)) {
    const view = await runWalk(page, { y: ['fast', 5, 20, 5], x: ['slow', 30, 90, 20], train: '504', test: '252' });
    assert.equal(view.error, null, `${where}: ${view.error}`);
    assert.ok(view.visible, where);
    const r = assertMatchesNode(view.last, md);
    assert.deepEqual(view.last.request.ys, range(5, 20, 5));
    assert.equal(r.windows.length, (2520 - 504 - 252) / 252 + 1);
    // A row per window: its bars, the chosen values, the metric in and out of sample.
    assert.deepEqual(view.head.slice(0, 5), ['#', 'Train', 'Test', 'fast', 'slow']);
    assert.equal(view.rows.length, r.windows.length);
    r.windows.forEach((/** @type {any} */ w, /** @type {number} */ i) => {
      assert.deepEqual(view.rows[i].slice(0, 5), [String(i + 1), `${w.trainStart} to ${w.trainEnd}`, `${w.testStart} to ${w.testEnd}`, String(w.params.fast), String(w.params.slow)], `${where}: row ${i}`);
    });
    assert.match(view.status, /^Done: 8 windows x \d+ combinations of fast and slow on 2,520 bars in /);
    assert.match(view.title, /^DEMO: rolling, train 504, test 252, best Sharpe ratio$/);
    const stats = Object.fromEntries(view.stats);
    assert.equal(stats['Windows'], '8');
    assert.equal(stats['Out-of-sample bars'], '2,016');
    // Drawn: the stitched line, every window's in-sample line, the test windows' two shades.
    assert.equal(view.last.inSampleLines, r.windows.length);
    const [outPx, inPx] = view.walkChart;
    assert.ok(outPx > 50, `${where}: the out-of-sample line (${outPx} px)`);
    assert.ok(inPx > 50, `${where}: the in-sample lines (${inPx} px)`);
    assert.ok(view.shades[0] > 500 && view.shades[1] > 500, `${where}: the test windows shaded on the price chart: ${view.shades}`);
  }
  await pages.isolated.page.screenshot({ path: join(SHOTS, 'demo-walk-forward.png'), fullPage: true });
  assert.ok(statSync(join(SHOTS, 'demo-walk-forward.png')).size > 20_000);
});

test('anchored, a step and another metric through the form, still equal to Node', async () => {
  const { page } = pages.plain;
  const view = await runWalk(page, { y: ['fast', 4, 16, 4], x: ['slow', 40, 100, 30], train: '400', test: '200', step: '300', anchored: true, maximize: 'total_return' });
  assert.equal(view.error, null, String(view.error));
  const r = assertMatchesNode(view.last, demoData());
  assert.ok(r.windows.every((/** @type {any} */ w) => w.trainStartIndex === 0));
  assert.equal(r.step, 300);
  assert.equal(r.maximize, 'totalReturn');
  assert.match(view.title, /anchored, train 400, test 200, step 300, best Total return$/);
  assert.equal(view.head[5], 'Total return, train');
});

test('bad input shows its message; new data clears the view; no console errors', async () => {
  const { page, problems } = pages.isolated;
  let view = await runWalk(page, { train: '504', test: '0', step: '' });
  assert.equal(view.error, "Test must be a whole number of bars >= 1, got '0'");
  view = await runWalk(page, { train: '3000', test: '252' });
  assert.equal(view.error, 'the first window needs 3252 bars (train 3000 + test 252), the data has 2520');
  assert.equal(view.visible, false, 'a failed run leaves nothing drawn');
  view = await runWalk(page, { train: '504', test: '252' });
  assert.equal(view.error, null);
  assert.ok(view.visible);
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 900, seed: 3 }));
  view = await shown(page);
  assert.equal(view.visible, false);
  assert.equal(view.last, null);
  assert.ok(view.shades[0] < 50 && view.shades[1] < 50, `the shades are gone: ${view.shades}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(pages.plain.problems, []);
});
