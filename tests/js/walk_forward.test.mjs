// Walk-forward optimisation through the npm package (engine.walkForward / walkForwardAsync):
// every case of tests/golden/walks.json gives the expected windows, params, equity, indices,
// dates and trades exactly (metrics as the golden strategy tests compare them), on the calling
// thread, asynchronously on it, on the worker pool and in the browser entry's engine Worker;
// every refusal of tests/golden/walk_errors.json comes with Python's message and code (JS names
// in camelCase), and the engine keeps working; seeded random walks agree bit for bit across the
// three Node paths and hold the walk's invariants; the options' own refusals; the result's views.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BacktestError, MarketData, RustEngine, WalkForwardResult, generateSampleData, generateSampleUniverse, strategy as qs } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const load = (name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
const CASES = load('walks.json');
const ERRORS = load('walk_errors.json');

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

/** A golden request's options as the JS API takes them: camelCase settings, the constraint, the walk's options (a metric in camelCase). */
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

/** The golden comparison: everything exactly, metrics as the golden strategy tests. */
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
}

describe('walks.json: the same windows, params, equity and trades as Rust and Python', () => {
  test('the file holds the cases', () => {
    assert.ok(CASES.length >= 8);
    assert.ok(CASES.some((c) => c.request.options.anchored === true));
    assert.ok(CASES.some((c) => c.request.options.step > c.request.options.test));
    assert.ok(CASES.some((c) => c.request.constraint !== null));
  });
  for (const c of CASES) {
    test(c.name, async () => {
      const md = new MarketData(c.data);
      const r = c.request;
      const sync = engine.walkForward(md, r.strategy, r.params, optionsOf(r));
      const out = outputOf(sync);
      assertMatches(out, c.expected);
      // asynchronously on this thread, on the worker pool, and from plain columns: bit for bit
      assert.deepStrictEqual(outputOf(await engine.walkForwardAsync(md, r.strategy, r.params, optionsOf(r, { maxWorkers: 1 }))), out);
      assert.deepStrictEqual(outputOf(await engine.walkForwardAsync(md, r.strategy, r.params, optionsOf(r, { maxWorkers: 2 }))), out);
      assert.notEqual(engine[POOL], null, 'the worker pool ran it');
      assert.deepStrictEqual(outputOf(engine.walkForward(c.data, JSON.stringify(r.strategy), r.params, optionsOf(r))), out);
    });
  }
});

/**
 * A golden refusal as the JS API words it: JS has one number type (5.0 is 5); metric names and
 * setting suggestions are camelCase; an option key the walk does not know is refused first, as
 * every call of the API refuses an unknown key ("unknown option"), with the engine's suggestion.
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

const GOOD = generateSampleData('GOOD', 260, 100, { seed: 31n });
const SMA = (p) => ({ indicator: 'sma', period: p });
const CROSS = { entry: { crosses_above: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] }, exit: { crosses_below: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] } };
const GRID = { fast: [3, 5, 8], slow: [20, 30] };
const REFERENCE = outputOf(engine.walkForward(GOOD, CROSS, GRID, { train: 80, test: 40 }));

async function assertStillUsable(e) {
  assert.deepStrictEqual(outputOf(e.walkForward(GOOD, CROSS, GRID, { train: 80, test: 40 })), REFERENCE);
  assert.deepStrictEqual(outputOf(await e.walkForwardAsync(GOOD, CROSS, GRID, { train: 80, test: 40, maxWorkers: 2 })), REFERENCE);
}

describe('walk_errors.json: the same message and code as Python, then the engine still works', () => {
  const suggested = new Map();
  for (const c of ERRORS) {
    const m = /^unknown walk-forward option '(\w+)'; did you mean '(\w+)'\?$/.exec(c.error.message);
    if (m) suggested.set(m[1], m[2]);
  }
  test('the file holds the refusals', () => {
    assert.ok(ERRORS.length >= 20);
    assert.ok(ERRORS.some((c) => c.error.message.startsWith('the first window needs')));
  });
  for (const c of ERRORS) {
    test(c.name, async () => {
      const md = new MarketData(c.data);
      const r = c.request;
      const expected = { message: jsMessage(c, suggested), code: c.error.code };
      const refused = (err) => {
        assert.ok(err instanceof BacktestError, `not a BacktestError: ${err}`);
        assert.equal(err.message, expected.message);
        assert.equal(err.code, expected.code);
        return true;
      };
      assert.throws(() => engine.walkForward(md, r.strategy, r.params, optionsOf(r)), refused);
      await assert.rejects(engine.walkForwardAsync(md, r.strategy, r.params, optionsOf(r, { maxWorkers: 1 })), refused);
      // refused on this thread before any worker gets it: a fresh engine makes no pool
      const fresh = new RustEngine();
      await assert.rejects(fresh.walkForwardAsync(md, r.strategy, r.params, optionsOf(r, { maxWorkers: 2 })), refused);
      assert.equal(fresh[POOL], null);
      await assertStillUsable(engine);
    });
  }
});

// -- seeded random walks: the calling thread, async on it and the worker pool, bit for bit ------

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
  const bars = int(150, 400);
  const train = int(30, 100);
  const test = int(10, 60);
  const options = { train, test, anchored: next() < 0.4, maximize: pick(METRIC_KEYS), commissionRate: pick([0, 0.001, 0.003]) };
  if (next() < 0.5) options.step = test + int(0, 20);
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
  if (train + test > bars) options.train = bars - test;
  return { data: generateSampleData('RND', bars, 100, { seed: BigInt(int(1, 1e6)) }), strategy, params, options };
}

function assertInvariants(res, c) {
  const { train, test } = c.options;
  const step = c.options.step ?? test;
  const bars = c.data.length;
  const dates = c.data.dates;
  const n = Math.floor((bars - train - test) / step) + 1;
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
    const w = res.windows.find((x) => x.testStartIndex <= t.entryIndex && t.entryIndex <= x.testEndIndex);
    assert.ok(w && t.exitIndex <= w.testEndIndex, 'a trade stays inside one test window');
    assert.equal(t.entryDate, dates[t.entryIndex]);
  }
  assert.equal(res.tradeCount, res.trades.length);
}

test('seeded random walks: sync, async on this thread and on the worker pool agree bit for bit', async () => {
  const next = random(20240601);
  const pooled = new RustEngine();
  try {
    for (let i = 0; i < 12; i++) {
      const c = randomCase(next);
      const sync = engine.walkForward(c.data, c.strategy, c.params, c.options);
      assertInvariants(sync, c);
      const out = outputOf(sync);
      const here = await engine.walkForwardAsync(c.data, c.strategy, c.params, { ...c.options, maxWorkers: 1 });
      const pool = await pooled.walkForwardAsync(c.data, c.strategy, c.params, { ...c.options, maxWorkers: 2 });
      assert.deepStrictEqual(outputOf(here), out, `case ${i} async here`);
      assert.deepStrictEqual(outputOf(pool), out, `case ${i} worker pool`);
      // the properties too, not only toJSON: typed arrays and NaN-free metrics alike
      assert.deepStrictEqual(Array.from(pool.equityCurve), Array.from(sync.equityCurve));
      assert.deepStrictEqual(pool.windows.map((w) => Array.from(w.inSampleEquity)), sync.windows.map((w) => Array.from(w.inSampleEquity)));
    }
    assert.notEqual(pooled[POOL], null);
  } finally {
    await pooled.close();
  }
});

// -- the options' own refusals, checked before any work ---------------------------------------

describe('bad options name the option, with the Python package messages', () => {
  const d = generateSampleData('OPT', 120, 100, { seed: 4n });
  const p = { fast: [3, 5], slow: [20] };
  const both = async (options, message, code = 'invalid_parameter', data = d) => {
    const refused = (e) => e instanceof BacktestError && e.message === message && e.code === code;
    assert.throws(() => engine.walkForward(data, CROSS, p, options), refused, message);
    await assert.rejects(engine.walkForwardAsync(data, CROSS, p, options), refused, message);
  };
  test('unknown keys', async () => {
    await both({ train: 50, test: 20, anchor: true }, "unknown option 'anchor'; did you mean 'anchored'?");
    await both({ train: 50, test: 20, tset: 5 }, "unknown option 'tset'; did you mean 'test'?");
    await both({ train: 50, test: 20, maximise: 'totalReturn' }, "unknown option 'maximise'; did you mean 'maximize'?");
    await both({ train: 50, test: 20, maxworkers: 2 }, "unknown option 'maxworkers'; did you mean 'maxWorkers'?");
    await both({ train: 50, test: 20, constrain: null }, "unknown option 'constrain'; did you mean 'constraint'?");
    await both({ train: 50, test: 20, stop_loss: 0.05 }, "unknown setting 'stop_loss'; did you mean 'stopLoss'?");
    await both({ train: 50, test: 20, comission: 0.5 }, "unknown setting 'comission'; did you mean 'commissionRate'?");
    // an unknown key is refused before a bad value
    await both({ train: 0, test: 20, anchor: true }, "unknown option 'anchor'; did you mean 'anchored'?");
  });
  test('values, in the engine order', async () => {
    await both(undefined, 'train is required: a number of bars');
    await both({ train: 50 }, 'test is required: a number of bars');
    await both({ train: 2.5, test: 20 }, 'train must be an integer >= 1, got 2.5');
    await both({ train: 50, test: 0 }, 'test must be an integer >= 1, got 0');
    await both({ train: 50, test: 20, step: 19 }, 'step (19) is less than test (20): the test windows would overlap; give step >= test');
    await both({ train: 50, test: 20, anchored: 'yes' }, "anchored must be true or false, got 'yes'");
    await both({ train: 50, test: 20, maximize: 'sharpe_ratio' }, "unknown metric 'sharpe_ratio'; did you mean 'sharpeRatio'?");
    await both({ train: 50, test: 20, maximize: 'calmar' }, "unknown metric 'calmar'; did you mean 'calmarRatio'?");
    await both({ train: 50, test: 20, maximize: true }, "maximize must be a metric's name, got true");
    await both({ train: 50, test: 20, anchored: 1, maximize: 'x' }, 'anchored must be true or false, got 1');
    await both({ train: 100, test: 21 }, 'the first window needs 121 bars (train 100 + test 21), the data has 120');
    await both({ train: 50, test: 20, stopLoss: 2 }, 'stop_loss must be in (0, 1), got 2');
    await both({ train: 50, test: 20, maxWorkers: 0 }, 'max_workers must be >= 1, got 0');
    await both({ train: 50, test: 20, maxWorkers: 1.5 }, 'max_workers must be an integer, got 1.5', 'invalid_argument');
    await both('x', "options must be an object, got 'x'", 'invalid_argument');
  });
  test('data', async () => {
    // a Universe walks (tests/js/portfolio_walk.test.mjs): its windows count union bars
    await both({ train: 100, test: 21 }, 'the first window needs 121 bars (train 100 + test 21), the data has 120', 'invalid_parameter', generateSampleUniverse(2, 120, 1));
    await both({ train: 50, test: 20 }, 'data must be MarketData, an object of columns or an array of bars, got 5.0', 'invalid_argument', 5);
  });
  test('the sweep is checked before the options', async () => {
    assert.throws(() => engine.walkForward(d, CROSS, { fast: [], slow: [20] }, { train: 0, test: 20 }), { message: "params['fast'] is empty", code: 'invalid_grid' });
  });
});

// -- the result -------------------------------------------------------------------------------

describe('WalkForwardResult', () => {
  const res = engine.walkForward(GOOD, CROSS, GRID, { train: 80, test: 40, step: 45, anchored: true, maximize: 'totalReturn', stopLoss: 0.05 });
  test('made by the engine only, frozen all the way down', () => {
    assert.throws(() => new WalkForwardResult(Symbol('x'), {}), TypeError);
    assert.ok(Object.isFrozen(res) && Object.isFrozen(res.windows) && Object.isFrozen(res.trades) && Object.isFrozen(res.names) && Object.isFrozen(res.equityDates));
    for (const w of res.windows) assert.ok(Object.isFrozen(w) && Object.isFrozen(w.params) && Object.isFrozen(w.inSample) && Object.isFrozen(w.outOfSample));
    assert.throws(() => {
      res.totalReturn = 1; // modules are strict: a frozen property throws
    }, TypeError);
  });
  test('the stitched metrics as properties and `metrics`, camelCase, null where undefined', () => {
    const names = Object.keys(res.metrics);
    assert.equal(names.length, 16);
    assert.deepEqual(names, Object.keys(res.windows[0].inSample));
    for (const k of names) assert.ok(Object.is(res[k], res.metrics[k]), k);
    assert.ok(names.includes('sharpeRatio') && names.includes('maxDrawdownDuration'));
    assert.ok(Object.values(res.metrics).every((v) => v === null || Number.isFinite(v)));
    assert.deepEqual(res.toJSON().metrics, Object.fromEntries(names.map((k) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), res.metrics[k]])));
  });
  test('the walk: options, windows, equity, dates, trades', () => {
    assert.deepEqual([res.train, res.test, res.step, res.anchored, res.maximize, res.combinations], [80, 40, 45, true, 'totalReturn', 6]);
    assert.deepEqual(res.names, ['fast', 'slow']);
    assert.equal(res.windows.length, Math.floor((260 - 120) / 45) + 1);
    assert.ok(res.equityCurve instanceof Float64Array && res.equityIndex instanceof Int32Array);
    assert.equal(res.equityIndex[40], 125, 'the gap between tests (step 45 > test 40)');
    assert.deepEqual(res.equityDates.slice(0, 2), [GOOD.dates[80], GOOD.dates[81]]);
    assert.ok(res.windows.every((w) => w.trainStartIndex === 0));
    assert.ok(res.trades.length > 0);
    assert.deepEqual(Object.keys(res.trades[0]), ['entryIndex', 'exitIndex', 'entryDate', 'exitDate', 'entryPrice', 'exitPrice', 'size', 'pnl', 'returnPct', 'barsHeld', 'direction', 'exitReason']);
    assert.equal(typeof res.executionTimeMs, 'number');
    assert.equal(res.backend, 'wasm');
  });
  test('each window chose the best combination on its train bars by `maximize`', () => {
    // on anchored windows the train bars are the first bars, where a plain run sees the same
    // indicators: optimize on them chooses what the walk chose
    const w = res.windows[0];
    const prefix = new MarketData({ symbol: GOOD.symbol, dates: GOOD.dates.slice(0, 80), open: GOOD.open.slice(0, 80), high: GOOD.high.slice(0, 80), low: GOOD.low.slice(0, 80), close: GOOD.close.slice(0, 80), volume: GOOD.volume.slice(0, 80) });
    const run = engine.runBacktest(prefix, CROSS, { stopLoss: 0.05, params: w.params });
    assert.deepEqual(Array.from(run.equityCurve), Array.from(w.inSampleEquity));
    assert.equal(run.totalReturn, w.inSample.totalReturn);
    for (const fast of GRID.fast) for (const slow of GRID.slow) assert.ok(engine.runBacktest(prefix, CROSS, { stopLoss: 0.05, params: { fast, slow } }).totalReturn <= w.inSample.totalReturn);
  });
  test('toJSON: the Python package\'s to_dict keys, plain values, through JSON text unchanged', () => {
    const j = res.toJSON();
    assert.deepEqual(Object.keys(j), ['windows', 'metrics', 'equity_curve', 'equity_index', 'trades', 'names', 'combinations', 'train', 'test', 'step', 'anchored', 'maximize', 'execution_time_ms', 'backend']);
    assert.deepEqual(Object.keys(j.windows[0]), ['window', 'train_start_index', 'train_end_index', 'test_start_index', 'test_end_index', 'train_start', 'train_end', 'test_start', 'test_end', 'params', 'in_sample', 'out_of_sample', 'start_equity', 'end_equity', 'in_sample_equity']);
    assert.deepEqual(Object.keys(j.trades[0]), ['entry_index', 'exit_index', 'entry_date', 'exit_date', 'entry_price', 'exit_price', 'size', 'pnl', 'return_pct', 'bars_held', 'direction', 'exit_reason']);
    assert.equal(j.maximize, 'total_return');
    assert.ok(Array.isArray(j.equity_curve) && Array.isArray(j.windows[0].in_sample_equity) && Array.isArray(j.equity_index));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(res)), j);
  });
  test('a JS function constraint keeps the same combinations as the condition; builder strategies and columns work', async () => {
    const p = { fast: [3, 5, 8, 25], slow: [5, 20, 30] };
    const fn = engine.walkForward(GOOD, CROSS, p, { train: 80, test: 40, constraint: (c) => c.fast < c.slow });
    const cond = await engine.walkForwardAsync(GOOD, CROSS, p, { train: 80, test: 40, constraint: { lt: [{ param: 'fast' }, { param: 'slow' }] }, maxWorkers: 2 });
    assert.equal(fn.combinations, 8);
    assert.deepStrictEqual(outputOf(fn), outputOf(cond));
    const fast = qs.sma(qs.param('fast'));
    const slow = qs.sma(qs.param('slow'));
    const built = new qs.Strategy({ entry: fast.crossesAbove(slow), exit: fast.crossesBelow(slow) });
    assert.deepStrictEqual(outputOf(engine.walkForward(GOOD.toColumns(), built, GRID, { train: 80, test: 40 })), REFERENCE);
  });
});

// -- the browser entry's engine Worker, in a child process (it would re-wire this process's package)

/** One walk through browser.js in a fresh Node process standing in for a page (module Workers on worker_threads). */
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
    const result = await engine.walkForwardAsync(job.data, job.strategy, job.params, job.options);
    const poolUsed = engine[Symbol.for('quant-backtest.pool')] !== null;
    let refusal = null;
    try { await engine.walkForwardAsync(job.data, job.strategy, job.params, { ...job.options, train: 10000 }); } catch (e) { refusal = { name: e.name, message: e.message, code: e.code, isBacktestError: e instanceof q.BacktestError }; }
    const platform = engine.getEngineInfo().platform;
    await engine.close();
    console.log(JSON.stringify({ result: result.toJSON(), isResult: result instanceof q.WalkForwardResult, poolUsed, platform, refusal }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(job)], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }).toString());
}

test('the browser entry: walkForwardAsync in the engine Worker gives the golden result, bit for bit', () => {
  const c = CASES.find((x) => x.request.options.anchored === true) ?? CASES[0];
  const r = c.request;
  const got = browserWalk({ data: c.data, strategy: r.strategy, params: r.params, options: optionsOf(r) });
  assert.equal(got.platform, 'browser');
  assert.equal(got.poolUsed, true);
  assert.equal(got.isResult, true);
  const { execution_time_ms: _ms, backend, ...out } = got.result;
  assert.equal(backend, 'wasm');
  assert.deepStrictEqual(out, outputOf(engine.walkForward(new MarketData(c.data), r.strategy, r.params, optionsOf(r))));
  assertMatches(out, c.expected);
  assert.equal(got.refusal.isBacktestError, true);
  assert.equal(got.refusal.code, 'invalid_parameter');
  assert.match(got.refusal.message, /^the first window needs 10\d{3} bars \(train 10000 \+ test \d+\), the data has \d+$/);
});

test('the raw WasmWalk.runJson (the Pyodide bridge\'s door): the native output as JSON text', async () => {
  const raw = await import(new URL('wasm/quant_backtest.js', import.meta.resolve('quant-backtest')).href);
  const c = CASES[0];
  const r = c.request;
  const d = c.data;
  const handle = new raw.WasmMarketData(d.symbol, d.dates, ...['open', 'high', 'low', 'close', 'volume'].map((f) => Float64Array.from(d[f])));
  const walk = new raw.WasmWalk(r.strategy, r.settings, r.params, r.constraint, undefined, undefined, r.options);
  try {
    const { execution_time_ms: ms, ...out } = JSON.parse(walk.runJson(handle));
    assert.equal(typeof ms, 'number');
    assertMatches(out, c.expected);
    const short = new raw.WasmMarketData(d.symbol, d.dates.slice(0, 20), ...['open', 'high', 'low', 'close', 'volume'].map((f) => Float64Array.from(d[f].slice(0, 20))));
    assert.throws(() => walk.runJson(short), (e) => e.name === 'BacktestError' && e.code === 'invalid_parameter' && e.message.startsWith('the first window needs'));
    short.free();
  } finally {
    walk.free();
    handle.free();
  }
});
