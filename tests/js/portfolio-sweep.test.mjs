// Portfolio sweeps and optimize through the npm package (`engine.sweep(universe, ...)`): the same
// columns as Python's native `engine.sweep(universe, ...)`, bit for bit but for `pow` (the Python half is
// tests/js/fixtures/portfolio_sweep.py); the calling thread, the worker pool and the browser
// entry's engine Worker agree; the universe's bars go to each worker once per sweep; optimize's
// result is runPortfolio's with the chosen params; Python's refusals; cancellation.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BacktestError, PortfolioResult, RustEngine, Universe, generateSampleUniverse, strategy as qs } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const SCRIPT = join(REPO, 'tests', 'js', 'fixtures', 'portfolio_sweep.py');

const engine = new RustEngine();
after(() => engine.close());

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
/** camelCase options from snake_case settings (Python's keyword arguments). */
const optionsOf = (settings) => Object.fromEntries(Object.entries(settings).map(([k, v]) => [camel(k), v]));
/** A column value from the fixture's JSON (NaN and infinities cross as text). */
const number = (x) => (typeof x === 'string' ? Number(x) : x);
/**
 * Metrics that use `pow` (annualized_return, and calmar_ratio from it): the wasm build's `pow`
 * may differ from the native libm's in the last bits (docs/CONVENTIONS.md), so these agree to
 * 1e-12 relative; every other column bit for bit.
 */
const POW_METRICS = ['annualized_return', 'calmar_ratio'];
const agrees = (name, a, b) => Object.is(a, b) || (POW_METRICS.includes(name) && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)));

const SAMPLE = { symbols: 5, days: 320, seed: 23 };
const sample = generateSampleUniverse(SAMPLE.symbols, SAMPLE.days, SAMPLE.seed);

/** A universe on a true union calendar: one asset with holes in its bars. */
function unionColumns() {
  const [a, b, c] = [...sample].map((md) => md.toColumns());
  const holes = { symbol: 'HOLES', dates: b.dates.filter((_, i) => i % 4 !== 1) };
  for (const f of ['open', 'high', 'low', 'close', 'volume']) holes[f] = Array.from(b[f]).filter((_, i) => i % 4 !== 1);
  return [a, holes, c].map((x) => ({ ...x, open: Array.from(x.open), high: Array.from(x.high), low: Array.from(x.low), close: Array.from(x.close), volume: Array.from(x.volume) }));
}
const UNIVERSES = { union: unionColumns() };
const universeOf = (name) => (name === 'sample' ? sample : new Universe(UNIVERSES[name]));

const tree = (s) => JSON.parse(JSON.stringify(s));
const fast = qs.sma(qs.param('fast'));
const slow = qs.sma(qs.param('slow'));
const CROSS = tree(new qs.Strategy({ entry: fast.crossesAbove(slow), exit: fast.crossesBelow(slow) }));
const RSI = tree(new qs.Strategy({ entry: qs.rsi(qs.param('n')).lt(qs.param('low')), exit: qs.rsi(qs.param('n')).gt(70), stopLoss: 0.05 }));
const KEEP = { fast_lt_slow: (p) => p.fast < p.slow };
const LT = { lt: [{ param: 'fast' }, { param: 'slow' }] };

const CASES = [
  { universe: 'sample', strategy: CROSS, params: { fast: [5, 8, 13], slow: [21, 34] }, settings: {} },
  { universe: 'sample', strategy: CROSS, params: { fast: [5, 10, 20, 30], slow: [10, 30] }, settings: { max_positions: 2, trailing_stop: 0.08 }, constraint: LT },
  { universe: 'union', strategy: RSI, params: { n: [7, 14], low: [25, 32.5] }, settings: { size: 0.4, fill: 'close', commission_rate: 0.002 } },
  { universe: 'union', strategy: CROSS, params: { fast: [3, 8, 21], slow: [5, 13, 21] }, settings: { max_positions: 1 }, keep: 'fast_lt_slow' },
];
const OPTIMIZE = [
  { universe: 'sample', strategy: CROSS, params: { fast: [5, 8, 13], slow: [21, 34] }, settings: { max_positions: 3 }, maximize: 'total_return' },
  { universe: 'union', strategy: RSI, params: { n: [7, 14], low: [25, 32.5] }, settings: { size: 0.5 }, maximize: 'sharpe_ratio' },
];
const perSymbol = Object.fromEntries(sample.symbols.map((s) => [s, CROSS]));
const ERRORS = [
  { universe: 'sample', strategy: perSymbol, params: { fast: [5], slow: [20] }, settings: {} },
  { universe: 'sample', strategy: CROSS, params: { fast: [5], slow: [20] }, settings: { max_positions: 0 } },
  { universe: 'sample', strategy: CROSS, params: { fast: [5], slow: [20] }, settings: { max_positions: 2, size: 0.5 } },
  { universe: 'sample', strategy: CROSS, params: { fast: [5, 0], slow: [20] }, settings: {} },
  { universe: 'sample', strategy: CROSS, params: { fast: [5], slow: [20], extra: [1] }, settings: {} },
  { universe: 'sample', strategy: CROSS, params: { fast: [5], slow: [20] }, settings: {}, max_workers: 0 },
];

const python = JSON.parse(
  execFileSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ sample: SAMPLE, universes: UNIVERSES, cases: CASES, optimize: OPTIMIZE, errors: ERRORS }),
    // The .venv's installed wheel (its native engine), as cross-language.test.mjs runs it.
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  }).toString(),
);

/** JS options of a case (its constraint as JS takes it). */
function optionsFor(c, extra = {}) {
  const o = { ...optionsOf(c.settings), ...extra };
  if (c.keep) o.constraint = KEEP[c.keep];
  else if (c.constraint) o.constraint = c.constraint;
  if (c.max_workers !== undefined) o.maxWorkers = c.max_workers;
  return o;
}

/** Columns equal, bit for bit (NaN where NaN), with the same keys in the same order. */
function assertSameColumns(actual, expected, what) {
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${what}: columns`);
  for (const [k, col] of Object.entries(expected)) {
    assert.equal(actual[k].length, col.length, `${what} ${k}: length`);
    assert.equal(actual[k].constructor, col.constructor, `${what} ${k}: type`);
    for (let i = 0; i < col.length; i++) assert.ok(Object.is(actual[k][i], col[i]), `${what} ${k}[${i}]: ${actual[k][i]} != ${col[i]}`);
  }
}

describe('portfolio sweeps equal Python native engine.sweep(universe, ...), bit for bit', () => {
  CASES.forEach((c, n) => {
    test(`case ${n}: ${c.universe}, ${Object.keys(c.params).join(' x ')}, ${JSON.stringify(c.settings)}`, async () => {
      const py = python.sweeps[n];
      const u = universeOf(c.universe);
      for (const maxWorkers of [1, 2]) {
        const js = await engine.sweep(u, c.strategy, c.params, optionsFor(c, { maxWorkers }));
        const names = Object.keys(py);
        assert.deepEqual(Object.keys(js), names.map(camel), 'the same columns in the same order');
        assert.ok(js[names[0]].length > 0);
        for (const name of names) {
          const col = js[camel(name)];
          assert.equal(col.length, py[name].length, name);
          py[name].forEach((x, i) => assert.ok(agrees(name, col[i], number(x)), `workers ${maxWorkers} row ${i} ${name}: ${col[i]} != ${x}`));
        }
        assert.ok(js.tradeCount instanceof Int32Array && js.totalReturn instanceof Float64Array);
      }
    });
  });

  test('each row is the portfolio run with its params', async () => {
    const c = CASES[1];
    const cols = await engine.sweep(sample, c.strategy, c.params, optionsFor(c, { maxWorkers: 2 }));
    for (const i of [0, cols.fast.length - 1]) {
      const r = engine.runPortfolio(sample, c.strategy, { ...optionsOf(c.settings), params: { fast: cols.fast[i], slow: cols.slow[i] } });
      for (const [k, v] of Object.entries(r.metrics)) assert.ok(Object.is(cols[k][i], v === null ? NaN : v), `row ${i} ${k}`);
    }
  });
});

describe('workers', () => {
  const big = { fast: [3, 5, 8, 10, 13, 16, 20], slow: [21, 26, 34, 42, 55] };

  test('1, 2 and 3 workers give the same columns; progress rises to the total', async () => {
    const one = await engine.sweep(sample, CROSS, big, { maxWorkers: 1, maxPositions: 2 });
    for (const maxWorkers of [2, 3]) {
      const done = [];
      const many = await engine.sweep(sample, CROSS, big, { maxWorkers, maxPositions: 2, onProgress: (d, t) => done.push([d, t]) });
      assertSameColumns(many, one, `${maxWorkers} workers`);
      assert.deepEqual(done.at(-1), [35, 35]);
      assert.ok(done.length > 1 && done.every(([d], i) => i === 0 || d > done[i - 1][0]));
    }
  });

  test("the universe's bars go to each worker once per sweep (with its first chunk)", async () => {
    await engine.sweep(sample, CROSS, { fast: [5], slow: [20] }, { maxWorkers: 2 }); // the pool exists
    const pool = engine[Symbol.for('quant-backtest.pool')];
    assert.ok(pool, 'a worker pool');
    const sent = [];
    const post = pool.post;
    pool.post = function (slot, msg) {
      if (msg.kind === 'portfolioSweep') sent.push({ slot, sweep: msg.sweep, assets: msg.assets !== undefined });
      return post.call(this, slot, msg);
    };
    try {
      for (let k = 0; k < 2; k++) await engine.sweep(sample, CROSS, big, { maxWorkers: 2 });
    } finally {
      pool.post = post;
    }
    const sweeps = [...new Set(sent.map((m) => m.sweep))];
    assert.equal(sweeps.length, 2);
    for (const id of sweeps) {
      const mine = sent.filter((m) => m.sweep === id);
      const slots = new Set(mine.map((m) => m.slot));
      assert.ok(mine.length > slots.size, 'more chunks than workers');
      for (const slot of slots) assert.equal(mine.filter((m) => m.slot === slot && m.assets).length, 1, 'bars once per worker');
      assert.ok(mine.find((m) => m.slot === mine[0].slot).assets, "a worker's first chunk carries the bars");
    }
  });

  test('two sweeps at once on one engine, and sweeps between other tasks, stay right', async () => {
    const other = universeOf('union');
    const [a, b] = await Promise.all([
      engine.sweep(sample, CROSS, big, { maxWorkers: 2 }),
      engine.sweep(other, CROSS, big, { maxWorkers: 2, maxPositions: 1 }),
    ]);
    assertSameColumns(a, await engine.sweep(sample, CROSS, big, { maxWorkers: 1 }), 'sample');
    assertSameColumns(b, await engine.sweep(other, CROSS, big, { maxWorkers: 1, maxPositions: 1 }), 'union');
    const single = sample.get(0);
    const [c, d] = await Promise.all([engine.sweep(single, CROSS, big, { maxWorkers: 2 }), engine.sweep(sample, CROSS, big, { maxWorkers: 2 })]);
    assert.equal(c.fast.length, 35);
    assertSameColumns(d, a, 'beside a single-asset sweep');
  });

  test("the browser entry's engine Worker gives the same columns", async () => {
    const one = await engine.sweep(sample, CROSS, big, { maxWorkers: 1, maxPositions: 2 });
    const out = JSON.parse(browserSweep({ sample: SAMPLE, strategy: CROSS, params: big, options: { maxPositions: 2 } }));
    assert.equal(out.platform, 'browser');
    assert.equal(out.poolUsed, true, 'the sweep ran in the engine Worker');
    assert.ok(out.progress.length > 1 && out.progress.at(-1) === 35);
    assert.deepEqual(Object.keys(out.columns), Object.keys(one));
    for (const [k, col] of Object.entries(one)) {
      assert.deepEqual(out.columns[k].map(number), Array.from(col), k);
    }
  });
});

describe('optimize on a universe', () => {
  OPTIMIZE.forEach((c, n) => {
    test(`case ${n}: maximize ${c.maximize}`, async () => {
      const py = python.optimize[n];
      const u = universeOf(c.universe);
      const { params, result } = await engine.optimize(u, c.strategy, c.params, { ...optionsOf(c.settings), maximize: camel(c.maximize), maxWorkers: 2 });
      assert.deepEqual(params, py.params);
      assert.ok(result instanceof PortfolioResult);
      assert.deepEqual(result.toJSON(), { ...engine.runPortfolio(u, c.strategy, { ...optionsOf(c.settings), params }).toJSON(), executionTimeMs: result.executionTimeMs });
      for (const [k, v] of Object.entries(py.result)) {
        if (typeof v === 'number') assert.ok(agrees(k, result[camel(k)], v), `${k}: ${result[camel(k)]} != ${v}`);
      }
      assert.equal(result.trades.length, py.result.trades.length);
    });
  });

  test('an unknown metric, and an unknown option, refused before any work', async () => {
    await assert.rejects(engine.optimize(sample, CROSS, { fast: [5], slow: [20] }, { maximize: 'sharpe' }), { message: "unknown metric 'sharpe'; did you mean 'sharpeRatio'?", code: 'invalid_parameter' });
    await assert.rejects(engine.optimize(sample, CROSS, { fast: [5], slow: [20] }, { maxPosition: 2 }), { message: "unknown setting 'maxPosition'; did you mean 'maxPositions'?", code: 'invalid_parameter' });
  });
});

describe('refusals', () => {
  ERRORS.forEach((c, n) => {
    test(`Python's message and code: ${python.errors[n].error}`, async () => {
      const py = python.errors[n];
      assert.ok(py.error, 'Python refuses it');
      assert.equal(py.class, 'BacktestError');
      for (const maxWorkers of c.max_workers === undefined ? [1, 2] : [undefined]) {
        const o = optionsFor(c, maxWorkers === undefined ? {} : { maxWorkers });
        await assert.rejects(engine.sweep(universeOf(c.universe), c.strategy, c.params, o), (e) => {
          assert.ok(e instanceof BacktestError, `not a BacktestError: ${e}`);
          assert.equal(e.message, py.error);
          assert.equal(e.code, py.code);
          return true;
        });
      }
    });
  });

  test('a typo near maxPositions reads "unknown setting"; the engine works afterwards', async () => {
    await assert.rejects(engine.sweep(sample, CROSS, { fast: [5], slow: [20] }, { maxPosition: 2 }), { message: "unknown setting 'maxPosition'; did you mean 'maxPositions'?", code: 'invalid_parameter' });
    const cols = await engine.sweep(sample, CROSS, { fast: [5], slow: [20] }, { maxWorkers: 2 });
    assert.equal(cols.fast.length, 1);
  });
});

describe('cancellation', () => {
  test('an AbortSignal rejects with AbortError, on the calling thread and on the pool; the engine works afterwards', async () => {
    const big = { fast: Array.from({ length: 12 }, (_, i) => i + 2), slow: Array.from({ length: 10 }, (_, i) => i + 30) };
    for (const maxWorkers of [1, 2]) {
      const ac = new AbortController();
      let calls = 0;
      const work = engine.sweep(sample, CROSS, big, {
        maxWorkers,
        signal: ac.signal,
        onProgress: () => {
          calls += 1;
          ac.abort();
        },
      });
      await assert.rejects(work, { name: 'AbortError' });
      assert.ok(calls >= 1 && calls < 20, `stopped early (${calls} progress calls)`);
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(engine.sweep(sample, CROSS, big, { maxWorkers, signal: aborted.signal }), { name: 'AbortError' });
      await assert.rejects(engine.optimize(sample, CROSS, big, { maxWorkers, signal: aborted.signal }), { name: 'AbortError' });
    }
    const again = await engine.sweep(sample, CROSS, { fast: [5, 8], slow: [20] }, { maxWorkers: 2 });
    assertSameColumns(again, await engine.sweep(sample, CROSS, { fast: [5, 8], slow: [20] }, { maxWorkers: 1 }), 'after cancelling');
  });
});

// -- the browser entry, in a child process (it would re-wire this process's package) -----------

/**
 * Runs one portfolio sweep through the package's browser entry (browser.js) in a fresh Node
 * process standing in for a page: module Workers on worker_threads with `self`, `postMessage`
 * and a `fetch` of files. Returns its JSON: the columns, progress, platform, whether the pool ran.
 */
function browserSweep(job) {
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
        // execArgv: not this process's --input-type=module (the prelude is CommonJS)
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
    const u = q.generateSampleUniverse(job.sample.symbols, job.sample.days, job.sample.seed);
    const progress = [];
    const cols = await engine.sweep(u, job.strategy, job.params, { ...job.options, onProgress: (d) => progress.push(d) });
    const poolUsed = engine[Symbol.for('quant-backtest.pool')] !== null;
    const platform = engine.getEngineInfo().platform; // before close(): after it, this would start a new Worker
    await engine.close();
    const text = (x) => (Number.isFinite(x) ? x : String(x));
    const columns = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Array.from(v, text)]));
    console.log(JSON.stringify({ columns, progress, poolUsed, platform }));
  `;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(job)], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }).toString();
}
