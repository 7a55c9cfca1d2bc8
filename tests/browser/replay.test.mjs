// The demo page's replay (www/replay.js) in a real browser: Debian's chromium, headless, driven
// by playwright-core, against the COOP/COEP server (the threaded build) and a server without
// those headers (the single-threaded build), as tests/browser/demo.test.mjs.
//
// The checks: a replay played to the end equals the batch run (the page's own check, and the
// package's run in Node on the same bars: trades, final equity, events); Step pushes one bar
// and the check holds on that prefix; Play at a set speed then Pause stops part way, with the
// readout (position, cash, equity) and the event log of a live run in Node pushed the same
// bars; a strategy with shorts and a stop loss logs its stops; Reset and new data end the
// replay and give back the batch chart; a bad strategy shows the engine's message. No console
// errors. Screenshot: screenshots/demo-replay.png (paused part way, stops and shorts).
//
// Run: node --test tests/browser/replay.test.mjs   (scripts/test-browser.sh runs every file)
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RustEngine, generateSampleData } from '../../pkg/node.js';
import { SHOTS, openTwoPages } from './two-pages.mjs';
import { int, money } from '../../pkg/report/charts.js';

const engine = new RustEngine();
/** @type {Record<'isolated' | 'plain', import('./two-pages.mjs').OpenPage>} */
let pages;
/** @type {() => Promise<void>} */
let closeAll;

/** What the replay shows now. @param {import('playwright-core').Page} page */
function shown(page) {
  return page.evaluate(() => {
    const text = (/** @type {string} */ id) => document.getElementById(id)?.textContent?.trim() ?? '';
    const check = /** @type {HTMLElement} */ (document.getElementById('replay-check'));
    const error = /** @type {HTMLElement} */ (document.getElementById('error'));
    return {
      ...(/** @type {any} */ (window).__demo.replay.state),
      readout: Object.fromEntries(['bar', 'date', 'position', 'pending', 'cash', 'equity', 'trades', 'events'].map((k) => [k, text(`replay-${k}`)])),
      check: { equal: check.dataset.equal ?? null, bars: check.dataset.bars ?? null, text: check.textContent?.trim() ?? '' },
      log: [...document.querySelectorAll('#replay-log li')].map((li) => ({ kind: /** @type {HTMLElement} */ (li).dataset.kind, text: li.textContent })),
      play: text('replay-play'),
      stepDisabled: /** @type {HTMLButtonElement} */ (document.getElementById('replay-step')).disabled,
      title: text('run-title'),
      tradeRows: document.querySelectorAll('#trades tbody tr').length,
      candles: /** @type {any} */ (window).__demo.lastRun,
      error: error.hidden ? null : text('error-message'),
    };
  });
}

/** The strategy document the page runs now (its JSON panel). @param {import('playwright-core').Page} page */
const pageStrategy = (page) => page.evaluate(() => /** @type {HTMLTextAreaElement} */ (document.getElementById('strategy-json')).value);

/** The page's sample data in Node (the Data panel's defaults: DEMO, 2,520 days, 100, seed 42). */
const demoData = (days = 2520, seed = 42) => generateSampleData('DEMO', days, 100, { seed });

/** The bars of `md` as live.push takes them. @param {any} md */
function barsOf(md) {
  const c = md.toColumns();
  return Array.from({ length: md.length }, (_, i) => ({ date: c.dates[i], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], volume: c.volume[i] }));
}

/** A live run in Node of `doc` on the first `n` bars of `md`: its events and state. @param {string} doc @param {any} md @param {number} n */
function nodeLive(doc, md, n) {
  const live = engine.live(doc, { symbol: md.symbol });
  const events = live.pushMany(barsOf(md).slice(0, n));
  return { live, events };
}

before(async () => {
  ({ pages, close: closeAll } = await openTwoPages());
});

after(async () => {
  await closeAll?.();
});

test('played to the end at full speed, the replay equals the batch run, on both builds', async () => {
  const md = demoData();
  for (const [where, { page }] of Object.entries(pages)) {
    const doc = await pageStrategy(page);
    await page.selectOption('#replay-speed', 'max');
    await page.click('#replay-play');
    await page.evaluate(() => /** @type {any} */ (window).__demo.replay.played());
    const view = await shown(page);
    assert.equal(view.error, null, `${where}: ${view.error}`);
    assert.equal(view.state, 'done', where);
    assert.equal(view.bars, md.length, where);
    assert.deepEqual(view.check.equal, 'true', `${where}: ${view.check.text}`);
    assert.equal(view.check.bars, String(md.length), where);
    assert.match(view.check.text, /^After 2,520 bars the live run equals the batch run on those bars, value for value/);
    // The same bars and strategy in Node: the same trades and final equity, the same events.
    const batch = engine.runBacktest(md, doc);
    assert.ok(batch.trades.length > 5, `${where}: the default strategy trades (${batch.trades.length})`);
    assert.equal(view.check.text.includes(`(${int(batch.trades.length)} trades`), true, `${where}: ${view.check.text}`);
    assert.equal(view.readout.equity, money(batch.equityCurve[batch.equityCurve.length - 1]), where);
    assert.equal(view.readout.bar, `${int(md.length)} of ${int(md.length)}`);
    const { events } = nodeLive(doc, md, md.length);
    assert.equal(view.events, events.length, `${where}: the events of a live run in Node`);
    assert.equal(view.logged, Math.min(200, events.length), `${where}: the log keeps the newest 200`);
    const newest = events[events.length - 1];
    assert.match(view.log[0].text ?? '', new RegExp(`^bar ${int(newest.bar)} \\(${newest.date}\\): ${newest.kind} ${newest.side}`), `${where}: the newest event first`);
    // The end draws the live result as the workbench's: its trades table and the Play again button.
    assert.equal(view.tradeRows, batch.trades.length, where);
    assert.equal(view.play, 'Play again');
    assert.equal(view.stepDisabled, true);
  }
});

test('Step pushes one bar, Play at 50 bars/s then Pause stops part way; the readout and log are a live run in Node', async () => {
  const { page } = pages.isolated;
  await page.click('#replay-reset');
  await page.waitForFunction(() => document.body.dataset.state === 'done' && /** @type {any} */ (window).__demo.replay.state.state === 'idle');
  const md = demoData();
  const doc = await pageStrategy(page);
  for (let k = 0; k < 3; k++) await page.click('#replay-step');
  let view = await shown(page);
  assert.equal(view.bars, 3);
  assert.equal(view.readout.bar, '3 of 2,520');
  assert.equal(view.readout.date, md.dates[2]);
  assert.deepEqual(view.check, { equal: 'true', bars: '3', text: view.check.text });
  assert.equal(view.play, 'Resume');

  await page.selectOption('#replay-speed', '50');
  await page.click('#replay-play');
  await page.waitForFunction(() => /** @type {any} */ (window).__demo.replay.state.bars >= 120);
  await page.click('#replay-play'); // now "Pause"
  view = await shown(page);
  const n = view.bars;
  assert.equal(view.state, 'paused');
  assert.ok(n >= 120 && n < md.length, `paused part way (${n} bars)`);
  assert.equal(view.check.equal, 'true', view.check.text);
  assert.equal(view.check.bars, String(n));
  // Nothing moves while paused.
  await page.waitForTimeout(300);
  assert.equal((await shown(page)).bars, n);

  const { live, events } = nodeLive(doc, md, n);
  assert.equal(view.events, events.length);
  assert.equal(view.readout.cash, money(live.cash));
  assert.equal(view.readout.equity, money(live.equity));
  assert.equal(view.readout.position, live.position ? `${live.position.side} ${money(live.position.size)} units` : 'flat');
  assert.equal(view.readout.date, md.dates[n - 1]);
  assert.deepEqual(
    view.log.map((l) => l.kind),
    events.slice(-200).reverse().map((e) => e.kind),
    'the log: the same events, newest first',
  );
  // Resume plays on from there to the end; the check still holds.
  await page.selectOption('#replay-speed', 'max');
  await page.click('#replay-play');
  await page.evaluate(() => /** @type {any} */ (window).__demo.replay.played());
  view = await shown(page);
  assert.equal(view.bars, md.length);
  assert.equal(view.check.equal, 'true', view.check.text);
  live.free();
});

test('shorts and a stop loss: the stops are logged, the check holds mid-way and at the end; screenshot', async () => {
  const { page, problems } = pages.isolated;
  await page.evaluate(() => /** @type {any} */ (window).__demo.runPreset('sma_cross', { direction: 'both', stop_loss: 0.03 }, { fast: 10, slow: 30 }));
  await page.selectOption('#replay-speed', '1000');
  await page.click('#replay-play');
  await page.waitForFunction(() => /** @type {any} */ (window).__demo.replay.state.bars >= 1500);
  await page.click('#replay-play');
  // The pause ends the play, then the page checks the run so far (a loaded machine takes a while).
  await page.evaluate(() => /** @type {any} */ (window).__demo.replay.played());
  let view = await shown(page);
  assert.equal(view.check.equal, 'true', view.check.text);
  assert.match(view.title, /replayed bar by bar/);
  const doc = await pageStrategy(page);
  const md = demoData();
  const { events, live } = nodeLive(doc, md, view.bars);
  live.free();
  const stops = events.filter((e) => e.kind === 'stop');
  assert.ok(stops.length > 0, 'a 3 % stop on both sides stops out');
  assert.ok(events.some((e) => e.kind === 'fill' && e.side === 'short'), 'and goes short');
  assert.equal(view.events, events.length);
  if (events.slice(-200).some((e) => e.kind === 'stop')) assert.ok(view.log.some((l) => l.kind === 'stop' && /stop loss/.test(l.text ?? '')));
  const file = join(SHOTS, 'demo-replay.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(statSync(file).size > 20_000);

  await page.selectOption('#replay-speed', 'max');
  await page.click('#replay-play');
  await page.evaluate(() => /** @type {any} */ (window).__demo.replay.played());
  view = await shown(page);
  assert.equal(view.state, 'done');
  assert.equal(view.check.equal, 'true', view.check.text);
  const batch = engine.runBacktest(md, doc);
  assert.equal(view.tradeRows, batch.trades.length);
  assert.ok(batch.trades.some((t) => t.exitReason === 'stop_loss'));
  assert.deepEqual(problems, []);
});

test('Reset and new data end the replay; a bad strategy shows the engine message and starts nothing', async () => {
  const { page, problems } = pages.plain;
  // The first test played this page to the end: Step is off until Reset (or Play again).
  assert.equal((await shown(page)).stepDisabled, true);
  await page.click('#replay-reset');
  await page.waitForFunction(() => /** @type {any} */ (window).__demo.replay.state.state === 'idle');
  await page.click('#replay-step');
  assert.equal((await shown(page)).state, 'paused');
  // Generating new data ends it: the workbench runs the new bars in batch.
  await page.evaluate(() => /** @type {any} */ (window).__demo.loadSample({ days: 600, seed: 5 }));
  let view = await shown(page);
  assert.equal(view.state, 'idle');
  assert.equal(view.logged, 0);
  assert.equal(view.check.equal, null);
  // Fast >= Slow: the strategy is refused before any bar.
  await page.fill('#fast', '60');
  await page.fill('#slow', '20');
  await page.click('#replay-play');
  view = await shown(page);
  assert.equal(view.state, 'idle');
  assert.equal(view.bars, 0);
  assert.match(view.error ?? '', /fast=60, slow=20 break the constraint fast < slow/);
  await page.fill('#fast', '10');
  await page.fill('#slow', '50');
  await page.click('#replay-step');
  await page.click('#replay-step');
  view = await shown(page);
  assert.equal(view.bars, 2);
  assert.equal(view.check.equal, 'true', view.check.text);
  await page.click('#replay-reset');
  await page.waitForFunction(() => /** @type {any} */ (window).__demo.replay.state.state === 'idle' && document.body.dataset.state === 'done');
  view = await shown(page);
  const batch = engine.runBacktest(demoData(600, 5), await pageStrategy(page));
  assert.equal(view.tradeRows, batch.trades.length, 'Reset: the batch run of every bar');
  assert.doesNotMatch(view.title, /replayed/);
  assert.deepEqual(problems, []);
});
