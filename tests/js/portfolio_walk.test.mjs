// Walk-forward optimisation on a Universe through the npm package (engine.walkForward /
// walkForwardAsync with a Universe; docs/CONVENTIONS.md "Walk-forward", "On a universe"):
// every case of tests/golden/portfolio_walks.json gives the expected windows, params, equity,
// union indices and dates, and trades with their symbol exactly (metrics as the golden strategy
// tests compare them), on the calling thread, asynchronously on it, on the worker pool and in
// the browser entry's engine Worker; every refusal of tests/golden/portfolio_walk_errors.json
// comes with Python's message and code (JS names in camelCase); seeded walks on sample
// universes agree bit for bit across the three Node paths and hold the walk's invariants; a
// universe of one asset walks as that asset; the raw WasmPortfolioWalk.runJson (the Pyodide
// bridge's door) gives the native output.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BacktestError, MarketData, RustEngine, Universe, WalkForwardResult, generateSampleData, generateSampleUniverse } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const load = (name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
const CASES = load('portfolio_walks.json');
const ERRORS = load('portfolio_walk_errors.json');

const POOL = Symbol.for('quant-backtest.pool');
const WALK_OPTIONS = ['train', 'test', 'step', 'anchored', 'maximize'];
const REL = 1e-9;
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const camelKeys = (o) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [camel(k), v]));
// The golden strategy tests' rule for metrics (tests/js/strategy-engine.test.mjs).
const close = (got, want) => (want === null || got === null ? got === want : got === want || Math.abs(got - want) <= REL * Math.max(Math.abs(got), Math.abs(want)) || Math.abs(got - want) <= 1e-12);
const INTEGER_METRICS = ['trade_count', 'max_drawdown_duration'];

const engine = new RustEngine();
after(() => engine.close());

/** A golden request's options as the JS API takes them: camelCase settings (maxPositions too), the constraint, the walk's options (a metric in camelCase). */
function optionsOf(r, extra = {}) {
  const o = camelKeys(r.settings);
  if (r.constraint !== null && r.constraint !== undefined) o.constraint = r.constraint;
  for (const [k, v] of Object.entries(r.options ?? {})) o[k] = k === 'maximize' && typeof v === 'string' ? camel(v) : v;
  return { ...o, ...extra };
}

/** toJSON() less what differs between runs (the time) and what the engine's output lacks (the backend). */
function outputOf(result) {
  assert.ok(result instanceof WalkForwardResult);
  const { execution_time_ms: ms, backend, ...out } = result.toJSON();
  assert.equal(typeof ms, 'number');
  assert.equal(backend, 'wasm');
  return out;
}

function assertMetrics(got, want, what) {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: metric names`);
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (INTEGER_METRICS.includes(name)) assert.ok(Number.isInteger(g) && g === w, `${what} ${name}: ${g} != ${w}`);
    else assert.ok(close(g, w), `${what} ${name}: ${g} != ${w}`);
  }
}

/** The golden comparison: everything exactly (trades with their symbol first), metrics as the golden strategy tests. */
function assertMatches(out, expected) {
  assert.deepEqual(Object.keys(out).sort(), Object.keys(expected).sort());
  assert.equal(out.windows.length, expected.windows.length, 'windows');
  expected.windows.forEach((want, k) => {
    const { in_sample: inS, out_of_sample: outS, ...rest } = out.windows[k];
    const { in_sample: wantIn, out_of_sample: wantOut, ...wantRest } = want;
    assert.deepStrictEqual(rest, wantRest, `window ${k}`);
    assertMetrics(inS, wantIn, `window ${k} in sample`);
    assertMetrics(outS, wantOut, `window ${k} out of sample`);
  });
  assertMetrics(out.metrics, expected.metrics, 'stitched');
  for (const key of ['equity_curve', 'equity_index', 'trades', 'names', 'combinations', 'train', 'test', 'step', 'anchored', 'maximize']) {
    assert.deepStrictEqual(out[key], expected[key], key);
  }
  for (const t of out.trades) assert.equal(Object.keys(t)[0], 'symbol');
}

describe('portfolio_walks.json: the same windows, params, equity and trades as Rust and Python', () => {
  test('the file holds the cases', () => {
    assert.ok(CASES.length >= 5);
    assert.ok(CASES.some((c) => c.request.options.anchored === true));
    assert.ok(CASES.some((c) => c.request.settings.max_positions !== undefined));
    assert.ok(CASES.some((c) => new Set(c.universe.map((a) => a.dates.length)).size > 1), 'assets on different calendars');
    assert.ok(CASES.every((c) => c.expected.trades.length > 0));
  });
  for (const c of CASES) {
    test(c.name, async () => {
      const universe = new Universe(c.universe);
      const r = c.request;
      const sync = engine.walkForward(universe, r.strategy, r.params, optionsOf(r));
      const out = outputOf(sync);
      assertMatches(out, c.expected);
      // the properties: union dates, each trade's symbol among the universe's
      assert.deepEqual(sync.equityDates, Array.from(sync.equityIndex, (i) => universe.dates[i]));
      for (const t of sync.trades) {
        assert.ok(universe.has(t.symbol), t.symbol);
        assert.equal(t.entryDate, universe.dates[t.entryIndex]);
        assert.ok(Object.isFrozen(t));
      }
      // asynchronously on this thread and on the worker pool: bit for bit
      assert.deepStrictEqual(outputOf(await engine.walkForwardAsync(universe, r.strategy, r.params, optionsOf(r, { maxWorkers: 1 }))), out);
      assert.deepStrictEqual(outputOf(await engine.walkForwardAsync(universe, r.strategy, r.params, optionsOf(r, { maxWorkers: 2 }))), out);
      assert.notEqual(engine[POOL], null, 'the worker pool ran it');
      // a JSON strategy text, and the universe made from MarketData: the same
      const again = new Universe(c.universe.map((a) => new MarketData(a)));
      assert.deepStrictEqual(outputOf(engine.walkForward(again, JSON.stringify(r.strategy), r.params, optionsOf(r))), out);
    });
  }
});

/**
 * A golden refusal as the JS API words it (tests/js/walk_forward.test.mjs's rule): JS has one
 * number type (5.0 is 5); metric names and setting suggestions are camelCase; an option key the
 * walk does not know is refused first, as every call of the API refuses an unknown key.
 */
function jsMessage(c, suggested) {
  const unknown = Object.keys(c.request.options ?? {}).find((k) => !WALK_OPTIONS.includes(k));
  if (unknown !== undefined) {
    assert.ok(suggested.has(unknown), `no golden case says which option '${unknown}' suggests`);
    return `unknown option '${unknown}'; did you mean '${suggested.get(unknown)}'?`;
  }
  let m = c.error.message.replace(/\b(-?\d+)\.0\b/g, '$1');
  m = m.replace(/^unknown metric '(\w+)'; did you mean '(\w+)'\?$/, (_, a, b) => `unknown metric '${camel(a)}'; did you mean '${camel(b)}'?`);
  if (m.startsWith('unknown setting')) m = m.replace(/did you mean '(\w+)'/, (_, n) => `did you mean '${camel(n)}'`);
  return m;
}

const SMA = (p) => ({ indicator: 'sma', period: p });
const CROSS = { entry: { crosses_above: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] }, exit: { crosses_below: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] } };
const GRID = { fast: [3, 5, 8], slow: [20, 30] };
const SAMPLE = generateSampleUniverse(3, 300, 17n);
const REFERENCE = outputOf(engine.walkForward(SAMPLE, CROSS, GRID, { train: 90, test: 45, maxPositions: 2 }));

async function assertStillUsable(e) {
  assert.deepStrictEqual(outputOf(e.walkForward(SAMPLE, CROSS, GRID, { train: 90, test: 45, maxPositions: 2 })), REFERENCE);
  assert.deepStrictEqual(outputOf(await e.walkForwardAsync(SAMPLE, CROSS, GRID, { train: 90, test: 45, maxPositions: 2, maxWorkers: 2 })), REFERENCE);
}

describe('portfolio_walk_errors.json: the same message and code as Python, then the engine still works', () => {
  const suggested = new Map();
  for (const c of ERRORS) {
    const m = /^unknown walk-forward option '(\w+)'; did you mean '(\w+)'\?$/.exec(c.error.message);
    if (m) suggested.set(m[1], m[2]);
  }
  test('the file holds the refusals', () => {
    assert.ok(ERRORS.length >= 10);
    assert.ok(ERRORS.some((c) => c.error.message.startsWith('the first window needs')));
    assert.ok(ERRORS.some((c) => c.error.code === 'invalid_strategy'));
    assert.ok(ERRORS.some((c) => c.error.message.startsWith('max_positions')));
  });
  for (const c of ERRORS) {
    test(c.name, async () => {
      const universe = new Universe(c.universe);
      const r = c.request;
      const expected = { message: jsMessage(c, suggested), code: c.error.code };
      const refused = (err) => {
        assert.ok(err instanceof BacktestError, `not a BacktestError: ${err}`);
        assert.equal(err.message, expected.message);
        assert.equal(err.code, expected.code);
        return true;
      };
      assert.throws(() => engine.walkForward(universe, r.strategy, r.params, optionsOf(r)), refused);
      await assert.rejects(engine.walkForwardAsync(universe, r.strategy, r.params, optionsOf(r, { maxWorkers: 1 })), refused);
      // refused on this thread before any worker gets it: a fresh engine makes no pool
      const fresh = new RustEngine();
      await assert.rejects(fresh.walkForwardAsync(universe, r.strategy, r.params, optionsOf(r, { maxWorkers: 2 })), refused);
      assert.equal(fresh[POOL], null);
      await assertStillUsable(engine);
    });
  }
  test('maxPositions is a setting of a universe\'s walk only', () => {
    const one = generateSampleData('ONE', 200, 100, { seed: 2n });
    const refused = (message) => (e) => e instanceof BacktestError && e.message === message && e.code === 'invalid_parameter';
    assert.throws(() => engine.walkForward(one, CROSS, GRID, { train: 90, test: 45, maxPositions: 2 }), refused("unknown option 'maxPositions'; did you mean 'maximize'?"));
    assert.throws(() => engine.walkForward(SAMPLE, CROSS, GRID, { train: 90, test: 45, maxPosition: 2 }), refused("unknown setting 'maxPosition'; did you mean 'maxPositions'?"));
    assert.throws(() => engine.walkForward(SAMPLE, CROSS, GRID, { train: 90, test: 45, maxPositions: 1.5 }), refused('max_positions must be an integer >= 1, got 1.5'));
  });
});

// -- seeded walks on sample universes: the calling thread, async on it and the pool, bit for bit

/** mulberry32: a small seeded generator (the same cases every run). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RSI = { entry: { lt: [{ indicator: 'rsi', period: { param: 'n' } }, { param: 'low' }] }, exit: { gt: [{ indicator: 'rsi', period: { param: 'n' } }, 70] }, short_entry: { gt: [{ indicator: 'rsi', period: { param: 'n' } }, 75] }, short_exit: { lt: [{ indicator: 'rsi', period: { param: 'n' } }, 50] } };
const METRIC_KEYS = ['totalReturn', 'sharpeRatio', 'sortinoRatio', 'calmarRatio', 'winRate', 'profitFactor', 'maxDrawdown'];

function randomCase(next) {
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const universe = generateSampleUniverse(int(2, 5), int(200, 420), BigInt(int(1, 1e6)));
  const bars = universe.dates.length;
  const test = int(20, 60);
  const options = { train: int(40, 120), test, anchored: next() < 0.4, maximize: pick(METRIC_KEYS), commissionRate: pick([0, 0.001, 0.003]) };
  if (next() < 0.5) options.step = test + int(0, 20);
  if (next() < 0.5) options.maxPositions = int(1, 3);
  else if (next() < 0.5) options.size = pick([0.3, 0.5]);
  if (next() < 0.3) options.stopLoss = pick([0.02, 0.05]);
  if (next() < 0.3) options.fill = 'close';
  let strategy, params;
  if (next() < 0.5) {
    strategy = CROSS;
    params = { fast: [int(2, 5), int(6, 10)], slow: [int(12, 20), int(21, 40)] };
  } else {
    strategy = RSI;
    params = { n: [int(5, 9), int(10, 20)], low: [25, 30.5, 35] };
    options.direction = 'both';
  }
  if (options.train + test > bars) options.train = bars - test;
  return { universe, strategy, params, options };
}

function assertInvariants(res, c) {
  const { train, test } = c.options;
  const step = c.options.step ?? test;
  const dates = c.universe.dates;
  const n = Math.floor((dates.length - train - test) / step) + 1;
  assert.equal(res.windows.length, n);
  assert.equal(res.combinations, Object.values(c.params).reduce((p, v) => p * v.length, 1));
  assert.deepEqual([res.train, res.test, res.step, res.anchored, res.maximize], [train, test, step, c.options.anchored, c.options.maximize]);
  const index = [];
  res.windows.forEach((w, k) => {
    assert.equal(w.window, k);
    assert.equal(w.testStartIndex, k * step + train);
    assert.equal(w.testEndIndex, k * step + train + test - 1);
    assert.equal(w.trainStartIndex, c.options.anchored ? 0 : k * step);
    assert.equal(w.trainEndIndex, w.testStartIndex - 1);
    assert.deepEqual([w.trainStart, w.trainEnd, w.testStart, w.testEnd], [w.trainStartIndex, w.trainEndIndex, w.testStartIndex, w.testEndIndex].map((i) => dates[i]));
    assert.ok(w.inSampleEquity instanceof Float64Array && w.inSampleEquity.length === w.trainEndIndex - w.trainStartIndex + 1);
    assert.equal(w.startEquity, k === 0 ? 100_000 : res.windows[k - 1].endEquity);
    assert.equal(w.endEquity, res.equityCurve[(k + 1) * test - 1]);
    for (const [name, values] of Object.entries(c.params)) assert.ok(values.includes(w.params[name]), `window ${k} ${name}`);
    for (let i = w.testStartIndex; i <= w.testEndIndex; i++) index.push(i);
  });
  assert.deepEqual(Array.from(res.equityIndex), index);
  assert.deepEqual(res.equityDates, index.map((i) => dates[i]));
  assert.equal(res.equityCurve.length, n * test);
  for (const t of res.trades) {
    assert.ok(c.universe.has(t.symbol), t.symbol);
    const w = res.windows.find((x) => x.testStartIndex <= t.entryIndex && t.entryIndex <= x.testEndIndex);
    assert.ok(w && t.exitIndex <= w.testEndIndex, 'a trade stays inside one test window');
    assert.equal(t.entryDate, dates[t.entryIndex]);
    assert.equal(t.exitDate, dates[t.exitIndex]);
  }
  assert.equal(res.tradeCount, res.trades.length);
}

test('seeded walks on sample universes: sync, async on this thread and on the worker pool agree bit for bit', async () => {
  const next = random(20260603);
  const pooled = new RustEngine();
  let trades = 0;
  let symbols = new Set();
  try {
    for (let i = 0; i < 10; i++) {
      const c = randomCase(next);
      const sync = engine.walkForward(c.universe, c.strategy, c.params, c.options);
      assertInvariants(sync, c);
      const out = outputOf(sync);
      const here = await engine.walkForwardAsync(c.universe, c.strategy, c.params, { ...c.options, maxWorkers: 1 });
      const pool = await pooled.walkForwardAsync(c.universe, c.strategy, c.params, { ...c.options, maxWorkers: 2 });
      assert.deepStrictEqual(outputOf(here), out, `case ${i} async here`);
      assert.deepStrictEqual(outputOf(pool), out, `case ${i} worker pool`);
      // the properties too, not only toJSON: typed arrays and trades alike
      assert.deepStrictEqual(Array.from(pool.equityCurve), Array.from(sync.equityCurve));
      assert.deepStrictEqual(pool.windows.map((w) => Array.from(w.inSampleEquity)), sync.windows.map((w) => Array.from(w.inSampleEquity)));
      assert.deepStrictEqual(pool.trades, sync.trades);
      trades += sync.trades.length;
      symbols = new Set([...symbols, ...sync.trades.map((t) => t.symbol)]);
    }
    assert.notEqual(pooled[POOL], null);
    assert.ok(trades > 30 && symbols.size >= 3, `the walks trade several assets (${trades} trades, ${[...symbols]})`);
  } finally {
    await pooled.close();
  }
});

test('a window\'s portfolio is the assets with a bar in it: before its first bar an asset is not in it', () => {
  const early = generateSampleData('EARLY', 300, 100, { seed: 21n });
  const whole = generateSampleData('LATE', 300, 80, { seed: 22n });
  const from = (md, i) => new MarketData({ symbol: md.symbol, dates: md.dates.slice(i), open: md.open.slice(i), high: md.high.slice(i), low: md.low.slice(i), close: md.close.slice(i), volume: md.volume.slice(i) });
  const late = from(whole, 130); // on the same calendar, from union bar 130
  const options = { train: 60, test: 30, commissionRate: 0 };
  const both = engine.walkForward(new Universe([early, late]), CROSS, GRID, options);
  const alone = engine.walkForward(new Universe([early]), CROSS, GRID, options);
  assert.equal(both.windows.length, alone.windows.length);
  // windows 0 and 1 end before bar 130: EARLY's portfolio alone, bit for bit
  const rows = (r) => r.toJSON().windows;
  assert.deepStrictEqual(rows(both).slice(0, 2), rows(alone).slice(0, 2));
  assert.deepStrictEqual(Array.from(both.equityCurve.subarray(0, 60)), Array.from(alone.equityCurve.subarray(0, 60)));
  assert.deepStrictEqual(both.trades.filter((t) => t.entryIndex < 120), alone.trades.filter((t) => t.entryIndex < 120));
  // LATE trades once it exists, and changes the later windows
  const lateTrades = both.trades.filter((t) => t.symbol === 'LATE');
  assert.ok(lateTrades.length > 0 && lateTrades.every((t) => t.entryIndex >= 130));
  assert.notDeepStrictEqual(Array.from(both.equityCurve), Array.from(alone.equityCurve));
});

// -- a universe of one asset walks as that asset, bit for bit ---------------------------------

describe('a universe of one asset walks as the asset', () => {
  const data = generateSampleData('ONE', 900, 100, { seed: 11n });
  const universe = new Universe([data]);
  const rsi = { indicator: 'rsi', period: { param: 'period' } };
  const both = { entry: { lt: [rsi, 35] }, exit: { gt: [rsi, 55] }, short_entry: { gt: [rsi, 65] }, short_exit: { lt: [rsi, 45] } };
  const cases = [
    [CROSS, { fast: [3, 5, 8], slow: [20, 40] }, { train: 200, test: 70 }],
    [CROSS, { fast: [5, 10], slow: [30, 60] }, { fill: 'close', stopLoss: 0.03, commissionRate: 0.0005, train: 150, test: 50, step: 90, anchored: true, maximize: 'totalReturn' }],
    [both, { period: [7, 14, 21] }, { direction: 'both', trailingStop: 0.05, fixedFee: 1, train: 190, test: 61, maximize: 'calmarRatio' }],
  ];
  for (const [k, [strategy, params, options]] of cases.entries()) {
    test(`case ${k}`, async () => {
      const single = outputOf(engine.walkForward(data, strategy, params, options));
      const p = outputOf(await engine.walkForwardAsync(universe, strategy, params, { ...options, maxWorkers: 2 }));
      assert.ok(single.trades.length > 3, 'the tests trade');
      assert.ok(p.trades.every((t) => t.symbol === 'ONE'));
      const { trades, ...rest } = p;
      const { trades: singleTrades, ...singleRest } = single;
      assert.deepStrictEqual(rest, singleRest);
      assert.deepStrictEqual(trades.map(({ symbol: _s, ...t }) => t), singleTrades);
    });
  }
});

// -- the result -------------------------------------------------------------------------------

test('WalkForwardResult on a universe: frozen, trades with their symbol first, toJSON through JSON text unchanged', () => {
  const res = engine.walkForward(SAMPLE, CROSS, GRID, { train: 90, test: 45, step: 50, anchored: true, maximize: 'totalReturn', maxPositions: 2 });
  assert.ok(Object.isFrozen(res) && Object.isFrozen(res.trades) && Object.isFrozen(res.windows));
  assert.ok(res.trades.length > 0);
  assert.deepEqual(Object.keys(res.trades[0]), ['symbol', 'entryIndex', 'exitIndex', 'entryDate', 'exitDate', 'entryPrice', 'exitPrice', 'size', 'pnl', 'returnPct', 'barsHeld', 'direction', 'exitReason']);
  const j = res.toJSON();
  assert.deepEqual(Object.keys(j.trades[0]), ['symbol', 'entry_index', 'exit_index', 'entry_date', 'exit_date', 'entry_price', 'exit_price', 'size', 'pnl', 'return_pct', 'bars_held', 'direction', 'exit_reason']);
  assert.equal(j.maximize, 'total_return');
  assert.deepEqual(j.equity_index.slice(44, 46), [134, 140], 'the gap between tests (step 50 > test 45)');
  assert.deepStrictEqual(JSON.parse(JSON.stringify(res)), j);
  assert.equal(res.windows.length, Math.floor((SAMPLE.dates.length - 135) / 50) + 1);
});

// -- the browser entry's engine Worker, in a child process (it would re-wire this process's package)

/** One universe walk through browser.js in a fresh Node process standing in for a page (module Workers on worker_threads). */
function browserWalk(job) {
  const pkgDir = fileURLToPath(new URL('.', import.meta.resolve('quant-backtest')));
  const script = `
    import { Worker as NodeWorker } from 'node:worker_threads';
    import { readFileSync } from 'node:fs';
    const pkg = ${JSON.stringify(pkgDir)};
    const prelude = \`
      const { parentPort, workerData } = require('node:worker_threads');
      const { readFile } = require('node:fs/promises');
      globalThis.fetch = async (input) => {
        const url = new URL(typeof input === 'string' ? input : input.url ?? String(input));
        const type = url.pathname.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
        return new Response(await readFile(url), { headers: { 'content-type': type } });
      };
      globalThis.self = globalThis;
      globalThis.postMessage = (data, options) => parentPort.postMessage(data, options?.transfer ?? []);
      parentPort.on('message', (data) => globalThis.onmessage?.({ data }));
      import(workerData.url);\`;
    globalThis.Worker = class Worker {
      constructor(url, options = {}) {
        if (options.type !== 'module') throw new Error('module Workers only');
        this.onmessage = null;
        this.onerror = null;
        this.w = new NodeWorker(prelude, { eval: true, execArgv: [], workerData: { url: String(url) } });
        this.w.on('message', (data) => this.onmessage?.({ data }));
        this.w.on('error', (e) => this.onerror?.({ message: e?.message ?? String(e), preventDefault() {} }));
      }
      postMessage(data, transfer) { this.w.postMessage(data, transfer); }
      terminate() { this.w.terminate(); }
    };
    const q = await import(pkg + 'browser.js');
    await q.init(readFileSync(pkg + 'wasm/quant_backtest_bg.wasm'));
    const job = JSON.parse(process.argv[1]);
    const engine = new q.RustEngine();
    const universe = new q.Universe(job.universe);
    const result = await engine.walkForwardAsync(universe, job.strategy, job.params, job.options);
    const poolUsed = engine[Symbol.for('quant-backtest.pool')] !== null;
    let refusal = null;
    try { await engine.walkForwardAsync(universe, job.strategy, job.params, { ...job.options, train: 10000 }); } catch (e) { refusal = { message: e.message, code: e.code, isBacktestError: e instanceof q.BacktestError }; }
    const platform = engine.getEngineInfo().platform;
    await engine.close();
    console.log(JSON.stringify({ result: result.toJSON(), isResult: result instanceof q.WalkForwardResult, poolUsed, platform, refusal }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(job)], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }).toString());
}

test('the browser entry: walkForwardAsync on a universe in the engine Worker gives the golden result, bit for bit', () => {
  const c = CASES.find((x) => new Set(x.universe.map((a) => a.dates.length)).size > 1) ?? CASES[0];
  const r = c.request;
  const got = browserWalk({ universe: c.universe, strategy: r.strategy, params: r.params, options: optionsOf(r) });
  assert.equal(got.platform, 'browser');
  assert.equal(got.poolUsed, true);
  assert.equal(got.isResult, true);
  const { execution_time_ms: _ms, backend, ...out } = got.result;
  assert.equal(backend, 'wasm');
  assert.deepStrictEqual(out, outputOf(engine.walkForward(new Universe(c.universe), r.strategy, r.params, optionsOf(r))));
  assertMatches(out, c.expected);
  assert.equal(got.refusal.isBacktestError, true);
  assert.equal(got.refusal.code, 'invalid_parameter');
  assert.match(got.refusal.message, /^the first window needs 10\d{3} bars \(train 10000 \+ test \d+\), the data has \d+$/);
});

test('the raw WasmPortfolioWalk.runJson (the Pyodide bridge\'s door): the native output as JSON text', async () => {
  const raw = await import(new URL('wasm/quant_backtest.js', import.meta.resolve('quant-backtest')).href);
  const c = CASES[0];
  const r = c.request;
  const handles = c.universe.map((d) => new raw.WasmMarketData(d.symbol, d.dates, ...['open', 'high', 'low', 'close', 'volume'].map((f) => Float64Array.from(d[f]))));
  const assets = new raw.WasmAssets();
  for (const h of handles) assets.push(h);
  const universe = new raw.WasmUniverse(assets);
  const walk = new raw.WasmPortfolioWalk(universe, r.strategy, r.settings, r.params, r.constraint, undefined, undefined, r.options);
  try {
    assert.equal(walk.combinations, c.expected.combinations);
    const { execution_time_ms: ms, ...out } = JSON.parse(walk.runJson(universe));
    assert.equal(typeof ms, 'number');
    assertMatches(out, c.expected);
    // a universe too short for the first window: refused by check and by runJson alike
    const shortAssets = new raw.WasmAssets();
    const shortHandles = c.universe.map((d) => new raw.WasmMarketData(d.symbol, d.dates.slice(0, 20), ...['open', 'high', 'low', 'close', 'volume'].map((f) => Float64Array.from(d[f].slice(0, 20)))));
    for (const h of shortHandles) shortAssets.push(h);
    const short = new raw.WasmUniverse(shortAssets);
    const tooShort = (e) => e.name === 'BacktestError' && e.code === 'invalid_parameter' && e.message.startsWith('the first window needs');
    assert.throws(() => walk.check(short), tooShort);
    assert.throws(() => walk.runJson(short), tooShort);
    short.free();
    for (const h of shortHandles) h.free();
  } finally {
    walk.free();
    universe.free();
    for (const h of handles) h.free();
  }
});
