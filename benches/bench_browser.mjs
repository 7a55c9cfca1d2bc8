// The demo page's sweep in chromium: the threaded build (a cross-origin isolated page) against
// the single-threaded build (the same page without COOP/COEP), on the same generic tree.
//
//   entry: sma(a) crosses above ema(b); exit: sma(a) crosses below ema(b); stop loss 5 %
//   a = 5, 7, ..., 101 (49 values) x b = 10, 15, ..., 255 (50 values) = 2,450 combinations
//   on 12,000 sample bars, no constraint.
//
// The sweep runs through the page itself (its rule builder names the numbers, its Run sweep
// path calls engine.sweep in the engine's Worker and draws the heatmap), while a 10 ms
// interval on the page's main thread measures its longest gap (how long the page could not
// respond). One warm-up, then REPS timed runs per page; the medians and the speedup.
//
// Run: node benches/bench_browser.mjs   (needs pkg/ with both builds: bash scripts/build-wasm.sh;
// chromium: CHROMIUM_PATH, default /usr/bin/chromium). Servers on loopback only.
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPS = Number(process.env.REPS ?? 5);
const DATA = { days: 12000, seed: 11, symbol: 'BENCH', startPrice: 100 };
const AXES = { y: ['a', 5, 101, 2], x: ['b', 10, 255, 5], constraint: false };
const line = (/** @type {string} */ indicator, /** @type {number} */ period) => ({ indicator, period, source: 'close' });
const TREE = {
  entry: { crosses_above: [line('sma', 20), line('ema', 50)] },
  exit: { crosses_below: [line('sma', 20), line('ema', 50)] },
  settings: { initial_capital: 100000, commission_rate: 0.001, fixed_fee: 0, slippage: 0, fill: 'next_open', lot_size: 0, direction: 'long_only', size_type: 'percent', size: 1, stop_loss: 0.05 },
};

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Opens the page, loads the tree and names its periods a and b in the rule builder. @param {import('playwright-core').Browser} browser @param {string} url */
async function preparePage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  /** @type {string[]} */
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
  await page.evaluate((d) => /** @type {any} */ (window).__demo.loadSample(d), DATA);
  await page.evaluate((text) => /** @type {any} */ (window).__demo.loadJson(text), JSON.stringify(TREE));
  for (const side of ['Long entry', 'Long exit']) {
    for (const [label, name] of [['left: sma period', 'a'], ['right: ema period', 'b']]) {
      const input = page.getByLabel(`${side} rule 1 ${label}: parameter name`, { exact: true });
      await input.fill(name);
      await input.dispatchEvent('change');
      await page.waitForFunction(() => document.body.dataset.state === 'done');
    }
  }
  const info = await page.evaluate(() => /** @type {any} */ (window).__demo.info);
  return { context, page, info, problems };
}

/** One sweep through the page, with the main thread's longest gap. @param {import('playwright-core').Page} page */
function timedSweep(page) {
  return page.evaluate(async (axes) => {
    const demo = /** @type {any} */ (window).__demo;
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    try {
      const t0 = performance.now();
      const g = await demo.runGrid(axes);
      const wall = performance.now() - t0;
      maxGap = Math.max(maxGap, performance.now() - last);
      return { combos: g.columns.a.length, engineMs: g.ms, wallMs: wall, maxGap, cells: demo.heatmap.cells, percent: demo.progress.percent, sharpeSum: [...g.columns.sharpeRatio].filter(Number.isFinite).reduce((s, v) => s + v, 0) };
    } finally {
      clearInterval(timer);
    }
  }, AXES);
}

const servers = [await startServer({ port: 0, isolation: true }), await startServer({ port: 0, isolation: false })];
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
try {
  /** @type {Record<string, any>} */
  const out = {};
  for (const [name, server] of /** @type {const} */ ([['threaded', servers[0]], ['single-threaded', servers[1]]])) {
    const p = await preparePage(browser, server.url);
    if (name === 'threaded' && p.info.build !== 'threaded') throw new Error(`the isolated page runs the ${p.info.build} build`);
    await timedSweep(p.page); // warm-up: the Worker's build, the indicator caches of the JIT
    const runs = [];
    for (let i = 0; i < REPS; i++) runs.push(await timedSweep(p.page));
    if (p.problems.length) throw new Error(`${name}: ${p.problems.join('\n')}`);
    out[name] = { build: p.info.build, threads: p.info.threads, combos: runs[0].combos, cells: runs[0].cells, percent: runs[0].percent, sharpeSum: runs[0].sharpeSum, ms: median(runs.map((r) => r.engineMs)), allMs: runs.map((r) => Math.round(r.engineMs)), maxGapMs: Math.max(...runs.map((r) => r.maxGap)) };
    await p.context.close();
  }
  const t = out.threaded;
  const s = out['single-threaded'];
  if (t.combos !== s.combos || Math.abs(t.sharpeSum - s.sharpeSum) > 1e-9 * Math.max(1, Math.abs(s.sharpeSum))) throw new Error('the two builds disagree');
  console.log(`sweep of ${t.combos} combinations (sma(a) x ema(b), stop loss 5 %) on ${DATA.days} bars, median of ${REPS} runs after a warm-up`);
  for (const [name, r] of Object.entries(out)) {
    console.log(`  ${name.padEnd(16)} ${r.build} build, ${r.threads} thread(s): ${r.ms.toFixed(0)} ms (runs ${r.allMs.join(', ')}), ${(r.combos / (r.ms / 1000)).toFixed(0)} combinations/s, longest main-thread gap ${r.maxGapMs.toFixed(0)} ms, heatmap ${r.cells} cells, progress ${r.percent} %`);
  }
  console.log(`  speedup threaded / single-threaded: ${(s.ms / t.ms).toFixed(2)}x`);
  console.log(JSON.stringify({ bars: DATA.days, combos: t.combos, threaded: t, singleThreaded: s, speedup: s.ms / t.ms }));
} finally {
  await browser.close();
  await Promise.all(servers.map((x) => x.close()));
}
