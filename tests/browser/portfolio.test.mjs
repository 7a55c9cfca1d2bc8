// The demo page's portfolio mode (www/portfolio.js) in a real browser: Debian's chromium,
// headless, driven by playwright-core, against the COOP/COEP server (the threaded build) and a
// server without those headers (the single-threaded build), as tests/browser/demo.test.mjs.
//
// Each page opens the mode (a sample universe run at once), and the checks are: the charts drew
// (the equity against the equal-weight hold, one stacked area per asset held), one table row per
// asset, and every metric, asset row and the hold's last value equal to what the package
// computes in Node for the same inputs; the form's own controls (max positions, a stop loss);
// two CSV files uploaded (and a long CSV with a symbol column); a bad CSV and duplicate symbols
// show the library's message; the workbench still runs afterwards; no console errors.
// Screenshots: screenshots/demo-portfolio-{isolated,not-isolated}.png (the default run),
// demo-portfolio-slots-{isolated,not-isolated}.png, demo-portfolio-csv-isolated.png and
// demo-portfolio-error-isolated.png.
//
// Run: node --test tests/browser/portfolio.test.mjs   (scripts/test-browser.sh runs every file)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { MarketData, RustEngine, Universe, catalog, generateSampleData, generateSampleUniverse, strategy as qs } from '../../pkg/node.js';
import { startServer } from '../../scripts/serve.mjs';
import { camelKey, equalWeightHold, formatMetric, int, money, pct, pct100 } from '../../pkg/report/charts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The page's defaults: the Universe panel (5 assets, 756 days, seed 42, 20 % of the cash) and the Strategy form (SMA 10 / 50). */
const DEFAULT_SAMPLE = { assets: 5, days: 756, seed: 42 };
/** The Strategy form's default settings, as runPortfolio options. */
const FORM_SETTINGS = { initialCapital: 100000, commissionRate: 0.001, fixedFee: 0, slippage: 0, fill: /** @type {const} */ ('next_open'), lotSize: 0, direction: /** @type {const} */ ('long_only') };

const engine = new RustEngine();
/** @type {{ close: () => Promise<void>, url: string }[]} */
const servers = [];
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Record<'isolated' | 'plain', any>} */
const runs = /** @type {any} */ ({});

/** @param {string} name */
const shot = (name) => join(SHOTS, `demo-portfolio-${name}.png`);

/** Opens the page, switches to the portfolio mode and waits for its first run. @param {string} url */
async function openPortfolio(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  /** @type {string[]} */
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
  const info = await page.evaluate(() => /** @type {any} */ (window).__demo.info);
  await page.click('#mode-portfolio');
  await page.waitForFunction(() => /** @type {any} */ (window).__portfolio?.state === 'done');
  const first = await shown(page);
  return { context, page, problems, info, first };
}

/** What the page shows now: its last run, the two tables, the error box, the charts' pixels. @param {import('playwright-core').Page} page */
async function shown(page) {
  return page.evaluate(inspectPage);
}

/** In the page. */
function inspectPage() {
  const p = /** @type {any} */ (window).__portfolio;
  const text = (/** @type {Element | null} */ el) => el?.textContent?.trim() ?? '';
  /** @param {number[]} rgb @param {Uint8ClampedArray} px */
  const near = (rgb, px) => {
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && Math.abs(px[i] - rgb[0]) < 12 && Math.abs(px[i + 1] - rgb[1]) < 12 && Math.abs(px[i + 2] - rgb[2]) < 12) n++;
    }
    return n;
  };
  const hex = (/** @type {string} */ h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  /** Pixels of each color in a chart's pane canvases (the largest ones: not its axes). @param {string} id @param {string[]} colors */
  const chart = (id, colors) => {
    const el = /** @type {HTMLElement} */ (document.getElementById(id));
    const canvases = [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
    const area = Math.max(0, ...canvases.map((c) => c.width * c.height));
    const pixels = canvases.filter((c) => c.width * c.height === area).map((c) => /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data);
    let distinct = 0;
    for (const px of pixels) {
      const seen = new Set();
      for (let i = 0; i < px.length; i += 16) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      distinct = Math.max(distinct, seen.size);
    }
    return { canvases: pixels.length, distinct, visible: el.offsetWidth > 0 && el.offsetHeight > 0, colors: colors.map((c) => pixels.reduce((s, px) => s + near(hex(c), px), 0)) };
  };
  const last = p.lastRun;
  return {
    state: p.state,
    mode: document.body.dataset.mode,
    lastRun: last,
    stats: [...document.querySelectorAll('#portfolio-stats tr')].map((tr) => [text(tr.querySelector('th')), text(tr.querySelector('td'))]),
    assets: [...document.querySelectorAll('#portfolio-assets tbody tr')].map((tr) => [...tr.children].map((c) => text(c))),
    title: text(document.getElementById('portfolio-title')),
    summary: text(document.getElementById('portfolio-summary')),
    error: document.getElementById('error')?.hidden ? null : { title: text(document.getElementById('error-title')), message: text(document.getElementById('error-message')) },
    equity: chart('portfolio-equity-chart', ['#2962ff', '#8d8d8d']),
    positions: last ? chart('portfolio-positions-chart', last.palette.slice(0, last.symbols.length)) : null,
    workbenchVisible: /** @type {HTMLElement} */ (document.getElementById('price-chart')).offsetHeight > 0,
  };
}

/** Same number, NaN and null alike. @param {unknown} a @param {unknown} b */
const same = (a, b) => Object.is(a, b) || (a == null && b == null);

/**
 * The page's run against the package's in Node on the same universe, strategy and options:
 * every metric bit for bit, every metric and asset row as the page writes them, the hold.
 * @param {any} view what `inspectPage` saw @param {any} universe @param {any} strategy @param {Record<string, unknown>} options @param {string} where
 */
function assertMatchesPackage(view, universe, strategy, options, where) {
  const r = engine.runPortfolio(universe, strategy, options);
  const run = view.lastRun;
  assert.deepEqual(run.symbols, [...universe.symbols], `${where}: the universe`);
  assert.equal(run.bars, universe.dates.length, `${where}: one value per union date`);
  for (const [k, v] of Object.entries(r.metrics)) assert.ok(same(run.metrics[k], v), `${where}: ${k} is ${run.metrics[k]} in the page, ${v} in Node`);
  assert.ok(r.tradeCount > 0, `${where}: the run trades (${r.tradeCount})`);
  // The metrics table: every catalog metric, written as the page writes the package's value.
  const stats = Object.fromEntries(view.stats);
  for (const m of catalog().metrics) {
    const label = view.stats.find((/** @type {string[]} */ row) => row[1] === formatMetric(m.name, r[camelKey(m.name)]));
    assert.ok(label, `${where}: the table shows ${m.name} = ${formatMetric(m.name, r[camelKey(m.name)])}: ${JSON.stringify(view.stats)}`);
  }
  assert.equal(stats['Total return'], pct(r.totalReturn), `${where}: total return`);
  assert.equal(stats['Closed trades'], int(r.tradeCount), `${where}: trades`);
  assert.equal(stats['Final equity'], money(r.equityCurve[r.equityCurve.length - 1]), `${where}: final equity`);
  // One row per asset, in universe order, with the package's breakdown.
  assert.equal(view.assets.length, universe.length, `${where}: one table row per asset`);
  r.assets.forEach((/** @type {any} */ a, /** @type {number} */ i) => {
    const md = universe.get(a.symbol);
    assert.deepEqual(view.assets[i], [a.symbol, int(md.length), md.dates[0], int(a.tradeCount), money(a.pnl), pct100(a.winRate), pct(a.exposure)], `${where}: the row of ${a.symbol}`);
  });
  // The equal-weight hold: the same curve in Node, and it ends where the engine's mean
  // buy-and-hold return puts it.
  const capital = /** @type {number} */ (options.initialCapital);
  const hold = equalWeightHold(universe.dates, [...universe].map((md) => ({ dates: md.dates, close: md.close })), capital);
  assert.ok(Object.is(run.holdFinal, hold[hold.length - 1]), `${where}: the hold ends at ${run.holdFinal} in the page, ${hold[hold.length - 1]} in Node`);
  const expected = capital * (1 + r.buyAndHoldReturn);
  assert.ok(Math.abs(run.holdFinal - expected) <= 1e-9 * capital, `${where}: the hold ends at ${run.holdFinal}, capital x (1 + buyAndHoldReturn) is ${expected}`);
  assert.equal(stats['Equal-weight hold, final'], money(run.holdFinal));
  return r;
}

/** The charts drew: the two equity lines, and an area of its color for each asset ever held. @param {any} view @param {any} r @param {string} where */
function assertDrew(view, r, where) {
  const [strategy, hold] = view.equity.colors;
  assert.ok(view.equity.visible && view.equity.canvases > 0, `${where}: the equity chart has a canvas`);
  assert.ok(view.equity.distinct > 2, `${where}: the equity chart is blank`);
  assert.ok(strategy > 50, `${where}: no portfolio line (${strategy} pixels of its color)`);
  assert.ok(hold > 50, `${where}: no hold line (${hold} pixels of its color)`);
  assert.ok(view.positions.visible && view.positions.canvases > 0, `${where}: the positions chart has a canvas`);
  assert.equal(view.lastRun.series, r.assets.length, `${where}: one stacked area per asset`);
  r.assets.forEach((/** @type {any} */ a, /** @type {number} */ i) => {
    if (a.exposure > 0.02) assert.ok(view.positions.colors[i] > 50, `${where}: no area for ${a.symbol} (exposure ${a.exposure}): ${JSON.stringify(view.positions)}`);
  });
}

/** CSV text of MarketData, optionally with a symbol column. @param {any} md @param {boolean} [withSymbol] */
function csvOf(md, withSymbol = false) {
  const c = md.toColumns();
  const lines = [];
  for (let i = 0; i < md.length; i++) lines.push(`${withSymbol ? `${md.symbol},` : ''}${c.dates[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  return lines;
}
const HEADER = 'date,open,high,low,close,volume';
/** @param {string} name @param {string} text */
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

/** Chooses files in the page's input and waits until the page ran them or refused them. @param {import('playwright-core').Page} page @param {ReturnType<typeof csvFile>[]} files */
async function upload(page, files) {
  await page.evaluate(() => {
    /** @type {any} */ (window).__portfolioBefore = /** @type {any} */ (window).__portfolio.lastRun;
    /** @type {any} */ (document.getElementById('portfolio-results')).dataset.state = 'idle';
  });
  await page.setInputFiles('#portfolio-files', files);
  await page.waitForFunction(() => ['done', 'error'].includes(/** @type {any} */ (window).__portfolio.state));
  return shown(page);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-browser.sh does it)`);
  assert.ok(existsSync(join(ROOT, 'pkg', 'browser.js')), 'pkg/ is missing: bash scripts/build-wasm.sh');
  const isolated = await startServer({ port: 0, isolation: true });
  const plain = await startServer({ port: 0, isolation: false });
  servers.push(isolated, plain);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
  runs.isolated = await openPortfolio(isolated.url);
  await runs.isolated.page.screenshot({ path: shot('isolated'), fullPage: true });
  runs.plain = await openPortfolio(plain.url);
  await runs.plain.page.screenshot({ path: shot('not-isolated'), fullPage: true });
});

after(async () => {
  for (const r of [runs.isolated, runs.plain]) await r?.context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await Promise.all(servers.map((s) => s.close()));
});

test('both builds: the pages run the engine they should', () => {
  assert.equal(runs.isolated.info.build, 'threaded');
  assert.equal(runs.plain.info.build, 'single-threaded');
});

test('the sample universe: charts drawn, one row per asset, the metrics the package computes, on both builds', () => {
  const universe = generateSampleUniverse(DEFAULT_SAMPLE.assets, DEFAULT_SAMPLE.days, DEFAULT_SAMPLE.seed);
  const options = { ...FORM_SETTINGS, size: 0.2 };
  for (const [where, r] of [['isolated', runs.isolated], ['not isolated', runs.plain]]) {
    const view = r.first;
    assert.equal(view.mode, 'portfolio');
    assert.equal(view.state, 'done');
    assert.equal(view.error, null, `${where}: ${JSON.stringify(view.error)}`);
    assert.equal(view.workbenchVisible, false, `${where}: the workbench's charts are hidden in portfolio mode`);
    assert.match(view.title, /^5 assets: SMA 10 \/ 50, 20\.00 % of the cash per entry$/);
    assert.match(view.summary, /^Sample universe, seed 42: 5 assets \(S01, S02, S03, S04, S05\), 756 dates/);
    const pr = assertMatchesPackage(view, universe, qs.smaCross(10, 50), options, where);
    assertDrew(view, pr, where);
    assert.ok(pr.assets.some((/** @type {any} */ a) => a.exposure === 0) || pr.assets.every((/** @type {any} */ a) => a.tradeCount > 0), 'the breakdown is per asset');
  }
  assert.deepEqual(runs.isolated.first.stats.filter((/** @type {string[]} */ [k]) => k !== 'Engine time'), runs.plain.first.stats.filter((/** @type {string[]} */ [k]) => k !== 'Engine time'), 'the same table on both builds');
  for (const name of ['isolated', 'not-isolated']) assert.ok(statSync(shot(name)).size > 10_000, `${shot(name)} was written`);
});

test("the form's controls: max positions, a stop loss and the EMA preset, run with the buttons, on both builds", async () => {
  const universe = generateSampleUniverse(4, 500, 9);
  for (const [where, r, name] of [['isolated', runs.isolated, 'slots-isolated'], ['not isolated', runs.plain, 'slots-not-isolated']]) {
    const { page } = r;
    await page.fill('#pf-assets', '4');
    await page.fill('#pf-days', '500');
    await page.fill('#pf-seed', '9');
    await page.selectOption('#pf-sizing', 'slots');
    await page.fill('#pf-max-positions', '2');
    await page.selectOption('#preset', 'ema_cross');
    await page.fill('#fast', '8');
    await page.fill('#slow', '30');
    await page.fill('#stop-loss', '5');
    await page.evaluate(() => {
      /** @type {any} */ (document.getElementById('portfolio-results')).dataset.state = 'idle';
    });
    await page.click('#generate-universe');
    await page.waitForFunction(() => /** @type {any} */ (window).__portfolio.state === 'done');
    const view = await shown(page);
    assert.equal(view.error, null, `${where}: ${JSON.stringify(view.error)}`);
    assert.deepEqual(view.lastRun.options, { maxPositions: 2 });
    assert.match(view.title, /^4 assets: EMA 8 \/ 30, 2 equal slots$/);
    const pr = assertMatchesPackage(view, universe, qs.emaCross(8, 30), { ...FORM_SETTINGS, maxPositions: 2, stopLoss: 0.05 }, where);
    assertDrew(view, pr, where);
    // A bad sizing input is refused in the error box, and the run before stays shown.
    await page.fill('#pf-max-positions', '0');
    await page.click('#run-portfolio');
    await page.waitForFunction(() => /** @type {any} */ (window).__portfolio.state === 'error');
    const refused = await shown(page);
    assert.equal(refused.error?.title, 'Portfolio failed:');
    assert.equal(refused.error?.message, "Max positions must be >= 1, got '0'");
    assert.equal(refused.assets.length, 4, 'the previous table stays');
    await page.fill('#pf-max-positions', '2');
    await page.click('#run-portfolio');
    await page.waitForFunction(() => /** @type {any} */ (window).__portfolio.state === 'done');
    await page.screenshot({ path: shot(name), fullPage: true });
    // Back to the defaults for the next checks, through the Strategy form: a new preset runs
    // the portfolio, and so does Enter in the form (not the hidden workbench's backtest).
    await page.selectOption('#pf-sizing', 'fraction');
    await page.fill('#stop-loss', '');
    await page.selectOption('#preset', 'sma_cross');
    await page.waitForFunction(() => /** @type {any} */ (window).__portfolio.state === 'done' && /SMA 8 \/ 30/.test(document.getElementById('portfolio-title')?.textContent ?? ''));
    const workbenchTitle = await page.textContent('#run-title');
    await page.fill('#fast', '10');
    await page.fill('#slow', '50');
    await page.press('#slow', 'Enter');
    await page.waitForFunction(() => /** @type {any} */ (window).__portfolio.state === 'done' && /SMA 10 \/ 50, 20\.00 %/.test(document.getElementById('portfolio-title')?.textContent ?? ''));
    assert.equal(await page.textContent('#run-title'), workbenchTitle, `${where}: Enter ran the portfolio, not the workbench's backtest`);
    assert.equal((await shown(page)).error, null);
  }
});

test('two CSV files uploaded: one asset each, named by the file, run and drawn; a symbol column makes one asset per symbol', async () => {
  const { page } = runs.isolated;
  const a = generateSampleData('AAA', 400, 50, { seed: 11 });
  const b = generateSampleData('BBB', 300, 120, { seed: 12 });
  const bLate = csvOf(b).slice(60); // BBB starts 60 bars after AAA: a union calendar
  const view = await upload(page, [csvFile('AAA.csv', [HEADER, ...csvOf(a)].join('\n') + '\n'), csvFile('BBB.csv', [HEADER, ...bLate].join('\r\n'))]);
  assert.equal(view.error, null, JSON.stringify(view.error));
  assert.match(view.summary, /^2 CSV files: 2 assets \(AAA, BBB\)/);
  const universe = new Universe([MarketData.fromCsv([HEADER, ...csvOf(a)].join('\n'), { symbol: 'AAA' }), MarketData.fromCsv([HEADER, ...bLate].join('\n'), { symbol: 'BBB' })]);
  assert.equal(universe.get('BBB')?.dates[0], b.dates[60]);
  const pr = assertMatchesPackage(view, universe, qs.smaCross(10, 50), { ...FORM_SETTINGS, size: 0.2 }, 'two CSV files');
  assertDrew(view, pr, 'two CSV files');
  await page.screenshot({ path: shot('csv-isolated'), fullPage: true });

  // One long file with a symbol column: its symbols, not its name.
  const c = generateSampleData('CCC', 260, 30, { seed: 13 });
  const d = generateSampleData('DDD', 260, 70, { seed: 14 });
  const long = ['symbol,' + HEADER, ...csvOf(c, true), ...csvOf(d, true)].join('\n');
  const longView = await upload(page, [csvFile('long.csv', long)]);
  assert.equal(longView.error, null, JSON.stringify(longView.error));
  assert.deepEqual(longView.lastRun.symbols, ['CCC', 'DDD']);
  assert.equal(longView.assets.length, 2);
  const longUniverse = new Universe([MarketData.fromCsv([HEADER, ...csvOf(c)].join('\n'), { symbol: 'CCC' }), MarketData.fromCsv([HEADER, ...csvOf(d)].join('\n'), { symbol: 'DDD' })]);
  assertMatchesPackage(longView, longUniverse, qs.smaCross(10, 50), { ...FORM_SETTINGS, size: 0.2 }, 'a long CSV');
});

test("a bad CSV and duplicate symbols show the library's message, and the universe before stays", async () => {
  const { page } = runs.isolated;
  const before = await shown(page);
  const good = [HEADER, ...csvOf(generateSampleData('GOOD', 120, 10, { seed: 3 }))];
  const bad = good.slice();
  bad[3] = bad[3].split(',').map((v, i) => (i === 2 ? 'abc' : v)).join(','); // high of data row 2
  const badText = bad.join('\n');
  /** @type {string} */
  let expected = '';
  try {
    MarketData.fromCsv(badText, { symbol: 'BAD' });
  } catch (e) {
    expected = /** @type {Error} */ (e).message;
  }
  assert.equal(expected, "high at row 2 must be a number, got 'abc'");
  const view = await upload(page, [csvFile('GOOD.csv', good.join('\n')), csvFile('BAD.csv', badText)]);
  assert.equal(view.state, 'error');
  assert.equal(view.error?.title, 'Cannot load BAD.csv:');
  assert.ok(view.error?.message.startsWith(expected), `the page says '${view.error?.message}', the library '${expected}'`);
  assert.match(view.error?.message ?? '', /Rows are counted from 0, after the header\. The previous universe \(long\.csv\) stays loaded\./);
  assert.deepEqual(view.lastRun, before.lastRun, 'the run before stays');
  assert.deepEqual(view.assets, before.assets, 'the table before stays');
  await page.screenshot({ path: shot('error-isolated'), fullPage: true });

  // The same symbol twice: the universe's own refusal.
  const md = MarketData.fromCsv(good.join('\n'), { symbol: 'GOOD' });
  let duplicate = '';
  try {
    new Universe([md, md]);
  } catch (e) {
    duplicate = /** @type {Error} */ (e).message;
  }
  assert.ok(duplicate.length > 0, 'the package refuses a symbol twice');
  const twice = await upload(page, [csvFile('GOOD.csv', good.join('\n')), csvFile('GOOD.CSV', good.join('\n'))]);
  assert.equal(twice.error?.title, 'Cannot make a universe of these files:');
  assert.ok(twice.error?.message.startsWith(duplicate), `the page says '${twice.error?.message}', the library '${duplicate}'`);
});

test('back to the single-asset workbench: it still runs and draws', async () => {
  for (const r of [runs.isolated, runs.plain]) {
    const { page } = r;
    await page.click('#mode-single');
    const out = await page.evaluate(async () => {
      const res = await /** @type {any} */ (window).__demo.runBacktest();
      return { trades: res.trades.length, state: document.body.dataset.state, mode: document.body.dataset.mode, portfolioHidden: /** @type {HTMLElement} */ (document.getElementById('portfolio-results')).offsetHeight === 0 };
    });
    assert.equal(out.mode, 'single');
    assert.equal(out.state, 'done');
    assert.ok(out.trades > 0);
    assert.ok(out.portfolioHidden, 'the portfolio view is hidden in the workbench');
    const view = await shown(page);
    assert.equal(view.workbenchVisible, true);
  }
});

test('the address keeps the mode: #portfolio opens the portfolio view and runs it', async () => {
  const { page } = runs.isolated;
  await page.click('#mode-portfolio');
  assert.equal(new URL(page.url()).hash, '#portfolio');
  await page.reload();
  await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
  await page.waitForFunction(() => /** @type {any} */ (window).__portfolio?.state === 'done');
  const view = await shown(page);
  assert.equal(view.mode, 'portfolio');
  assert.equal(view.assets.length, DEFAULT_SAMPLE.assets);
  assert.equal(view.error, null);
  await page.click('#mode-single');
  assert.equal(new URL(page.url()).hash, '');
});

test('no console errors and no page errors on either page', () => {
  for (const [name, r] of [['isolated', runs.isolated], ['not isolated', runs.plain]]) assert.deepEqual(r.problems, [], `${name}: ${r.problems.join('\n')}`);
});
