// The strategy engine from JS (engine.runBacktest / runSignals / sweep / optimize): the golden
// cases of tests/golden/strategies.json give the same trades, equity and metrics as Rust and
// Python; every refusal of tests/golden/strategy_errors.json comes with the same message and
// code, and the engine keeps working; sweeps on 1 and 2 workers equal each other and single
// runs; cancellation; unknown option keys everywhere; huge integers named as given.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { RustEngine, CachedRustEngine, MarketData, BacktestError, StrategyResult, generateSampleData, createEngine, benchmarkEngine } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const load = (name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
const CASES = load('strategies.json');
const ERRORS = load('strategy_errors.json');

const REL = 1e-9;
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const camelKeys = (o) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [camel(k), v]));
const close = (got, want) => (want === null || got === null ? got === want : got === want || Math.abs(got - want) <= REL * Math.max(Math.abs(got), Math.abs(want)) || Math.abs(got - want) <= 1e-12);
const INTEGER_METRICS = ['trade_count', 'max_drawdown_duration'];
const TRADE_EXACT = ['entry_index', 'exit_index', 'entry_date', 'exit_date', 'bars_held', 'direction', 'exit_reason'];
const TRADE_FLOATS = ['entry_price', 'exit_price', 'size', 'pnl', 'return_pct'];

const engine = new RustEngine();
after(() => engine.close());

/** A request of the golden files, through the JS API (settings in camelCase). */
function runRequest(e, data, request) {
  const settings = camelKeys(request.settings);
  if (request.signals) {
    const s = request.signals;
    return e.runSignals(data, s.entries, s.exits, { shortEntries: s.short_entries, shortExits: s.short_exits, ...settings });
  }
  return e.runBacktest(data, request.strategy, { ...settings, params: request.params });
}

function assertMatches(result, expected) {
  assert.ok(result instanceof StrategyResult);
  assert.equal(result.trades.length, expected.trades.length, 'trade count');
  expected.trades.forEach((want, i) => {
    const got = result.trades[i];
    for (const f of TRADE_EXACT) assert.equal(got[camel(f)], want[f], `trade ${i} ${f}`);
    for (const f of TRADE_FLOATS) assert.ok(close(got[camel(f)], want[f]), `trade ${i} ${f}: ${got[camel(f)]} != ${want[f]}`);
  });
  assert.ok(result.equityCurve instanceof Float64Array);
  assert.equal(result.equityCurve.length, expected.equity_curve.length);
  expected.equity_curve.forEach((want, t) => assert.ok(close(result.equityCurve[t], want), `equity[${t}]`));
  for (const [name, want] of Object.entries(expected.metrics)) {
    const got = result[camel(name)];
    if (INTEGER_METRICS.includes(name)) assert.ok(Number.isInteger(got) && got === want, `${name}: ${got} != ${want}`);
    else assert.ok(close(got, want), `${name}: ${got} != ${want}`);
  }
}

/** Bit-level identity of two results (floats by their bits; NaN/null as such). */
function assertIdentical(a, b) {
  assert.deepEqual(a.trades, b.trades);
  assert.deepEqual(Array.from(a.equityCurve), Array.from(b.equityCurve));
  for (const k of Object.keys(a.toJSON())) if (!['executionTimeMs', 'trades', 'equityCurve'].includes(k)) assert.ok(Object.is(a[k], b[k]) || (k === 'params' && JSON.stringify(a[k]) === JSON.stringify(b[k])), k);
}

describe('strategies.json: the same trades, equity and metrics as Rust and Python', () => {
  test('the file holds the required cases', () => {
    assert.ok(CASES.length >= 40);
    const reasons = new Set(CASES.flatMap((c) => c.expected.trades.map((t) => t.exit_reason)));
    assert.deepEqual([...reasons].sort(), ['reverse', 'signal', 'stop_loss', 'take_profit', 'trailing_stop']);
    assert.ok(CASES.some((c) => c.request.signals));
  });
  for (const c of CASES) {
    test(c.name, async () => {
      const md = new MarketData(c.data);
      const result = runRequest(engine, md, c.request);
      assertMatches(result, c.expected);
      assert.equal(result.backend, 'wasm');
      // the same from plain columns, asynchronously (a worker thread), and from JSON text
      if (!c.request.signals) {
        assertIdentical(runRequest(engine, c.data, c.request), result);
        const settings = { ...camelKeys(c.request.settings), params: c.request.params };
        assertIdentical(await engine.runBacktestAsync(md, c.request.strategy, settings), result);
        assertIdentical(engine.runBacktest(md, JSON.stringify(c.request.strategy), settings), result);
        assertIdentical(engine.runBacktest(md, { toJSON: () => c.request.strategy }, settings), result);
      }
      // JSON round trip of the result
      const json = JSON.parse(JSON.stringify(result));
      assert.equal(json.trades.length, result.trades.length);
      assert.equal(json.equityCurve.length, result.equityCurve.length);
    });
  }
});

// JS has one number type: a value the golden file writes as 5.0 is the integer 5 here, and the
// engine names it so (-5, not -5.0). Unknown settings of the JS API are named in camelCase.
function jsMessage(c) {
  let m = c.error.replace(/\b(-?\d+)\.0\b/g, '$1');
  if (m.startsWith('unknown setting') && !m.includes(' in strategy.settings')) m = m.replace(/did you mean '(\w+)'/, (_, n) => `did you mean '${camel(n)}'`);
  return m;
}

const GOOD = generateSampleData('GOOD', 300, 100, { seed: 11n });
const SMA = (p) => ({ indicator: 'sma', period: p });
const CROSS = { entry: { crosses_above: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] }, exit: { crosses_below: [SMA({ param: 'fast' }), SMA({ param: 'slow' })] } };
const REFERENCE = engine.runBacktest(GOOD, CROSS, { stopLoss: 0.05, params: { fast: 5, slow: 20 } });

test('a refused value is refused after an accepted one that writes the same JSON (NaN after null)', () => {
  const run = (/** @type {unknown} */ v) => engine.runBacktest(GOOD, CROSS, { stopLoss: v, params: { fast: 5, slow: 20 } });
  assert.ok(run(null).trades.length > 0, 'no stop (null) runs');
  for (const v of [NaN, Infinity, -Infinity]) {
    assert.throws(() => run(v), (e) => e instanceof BacktestError && /stop_loss must be in \(0, 1\), got/.test(e.message), String(v));
  }
});
function assertStillUsable(e) {
  assertIdentical(e.runBacktest(GOOD, CROSS, { stopLoss: 0.05, params: { fast: 5, slow: 20 } }), REFERENCE);
  assert.equal(e.runSmaBacktest(GOOD, 5, 20).equityCurve.length, 300);
}

describe('strategy_errors.json: the same message and code as Python, then the engine still works', () => {
  test('the file holds every call kind and code', () => {
    assert.deepEqual([...new Set(ERRORS.map((c) => c.call))].sort(), ['backtest', 'signals', 'sweep']);
    assert.deepEqual([...new Set(ERRORS.map((c) => c.code))].sort(), ['invalid_grid', 'invalid_parameter', 'invalid_signals', 'invalid_strategy']);
  });
  for (const c of ERRORS) {
    test(c.name, async () => {
      const md = new MarketData(c.data);
      const r = c.request;
      const call = async () => {
        if (c.call === 'sweep') return engine.sweep(md, r.strategy, r.params, { constraint: r.constraint, ...camelKeys(r.settings) });
        return runRequest(engine, md, r);
      };
      if (c.name === 'period_float') {
        // {"period": 10.0} is {period: 10} in JS: a valid strategy, so it runs
        assert.equal((await call()).equityCurve.length, md.length);
        return;
      }
      await assert.rejects(call, (err) => {
        assert.ok(err instanceof BacktestError, `not a BacktestError: ${err}`);
        assert.equal(err.message, jsMessage(c));
        assert.equal(err.code, c.code);
        return true;
      });
      assertStillUsable(engine);
    });
  }
});

describe('sweeps', () => {
  const data = generateSampleData('SWEEP', 600, 100, { seed: 5n });
  const params = { fast: [3, 5, 8, 13], slow: [21, 34, 55], floor: [0, 90.5] };
  const tree = { ...CROSS, entry: { and: [CROSS.entry, { gt: ['close', { param: 'floor' }] }] } };

  test('1 and 2 workers give the same columns, equal to single runs, in product order', async () => {
    const one = await engine.sweep(data, tree, params, { maxWorkers: 1, stopLoss: 0.1 });
    const done = [];
    const two = await engine.sweep(data, tree, params, { maxWorkers: 2, stopLoss: 0.1, onProgress: (d, t) => done.push([d, t]) });
    assert.deepEqual(Object.keys(one), Object.keys(two));
    for (const k of Object.keys(one)) {
      assert.equal(one[k].constructor, two[k].constructor, k);
      assert.deepEqual(Array.from(one[k]), Array.from(two[k]), k);
    }
    assert.ok(one.fast instanceof Int32Array && one.floor instanceof Float64Array && one.tradeCount instanceof Int32Array);
    assert.equal(one.fast.length, 24);
    assert.deepEqual(Array.from(one.fast.slice(0, 6)), [3, 3, 3, 3, 3, 3]);
    assert.deepEqual(Array.from(one.floor.slice(0, 2)), [0, 90.5]);
    assert.deepEqual(done.at(-1), [24, 24]);
    assert.ok(done.length > 1 && done.every(([d], i) => i === 0 || d > done[i - 1][0]));
    for (let i = 0; i < 24; i++) {
      const r = engine.runBacktest(data, tree, { stopLoss: 0.1, params: { fast: one.fast[i], slow: one.slow[i], floor: one.floor[i] } });
      for (const [k, col] of Object.entries(one)) {
        if (k in params) continue;
        assert.ok(Object.is(col[i], r[k] === null ? NaN : r[k]), `row ${i} ${k}: ${col[i]} != ${r[k]}`);
      }
    }
  });

  test('a JS function constraint keeps the same rows as the equivalent condition', async () => {
    const fn = await engine.sweep(data, CROSS, { fast: [3, 5, 8, 13], slow: [5, 8, 21] }, { maxWorkers: 2, constraint: (p) => p.fast < p.slow });
    const cond = await engine.sweep(data, CROSS, { fast: [3, 5, 8, 13], slow: [5, 8, 21] }, { maxWorkers: 1, constraint: { lt: [{ param: 'fast' }, { param: 'slow' }] } });
    assert.deepEqual(Array.from(fn.fast), [3, 3, 3, 5, 5, 8, 13]);
    for (const k of Object.keys(cond)) assert.deepEqual(Array.from(fn[k]), Array.from(cond[k]), k);
  });

  test('optimize: the best row of the sweep, and its full result', async () => {
    const p = { fast: [3, 5, 8], slow: [21, 34] };
    const cols = await engine.sweep(data, CROSS, p, { maxWorkers: 2 });
    const { params: best, result } = await engine.optimize(data, CROSS, p, { maximize: 'totalReturn', maxWorkers: 2 });
    const i = cols.totalReturn.indexOf(Math.max(...cols.totalReturn));
    assert.deepEqual(best, { fast: cols.fast[i], slow: cols.slow[i] });
    assert.equal(result.totalReturn, cols.totalReturn[i]);
    assert.deepEqual(result.params, best);
    assert.ok(result.trades.length > 0);
    await assert.rejects(engine.optimize(data, CROSS, p, { maximize: 'sharpe' }), { message: "unknown metric 'sharpe'; did you mean 'sharpeRatio'?", code: 'invalid_parameter' });
  });

  test('cancellation: an AbortSignal rejects with AbortError; the engine works afterwards', async () => {
    const big = { fast: Array.from({ length: 30 }, (_, i) => i + 2), slow: Array.from({ length: 30 }, (_, i) => i + 40) };
    for (const maxWorkers of [1, 2]) {
      const ac = new AbortController();
      const work = engine.sweep(data, CROSS, big, { maxWorkers, signal: ac.signal, onProgress: () => ac.abort() });
      await assert.rejects(work, { name: 'AbortError' });
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(engine.sweep(data, CROSS, big, { maxWorkers, signal: aborted.signal }), { name: 'AbortError' });
    }
    const after = await engine.sweep(data, CROSS, { fast: [5], slow: [20] }, { maxWorkers: 2 });
    assert.equal(after.fast.length, 1);
    assertStillUsable(engine);
  });

  test('errors from workers keep their message and code; the pool keeps working', async () => {
    await assert.rejects(engine.sweep(data, CROSS, { fast: [2, 0], slow: [4] }, { maxWorkers: 2 }), { code: 'invalid_strategy' });
    await assert.rejects(engine.sweep(data, CROSS, { fast: [2], slow: [4] }, { maxWorkers: 0 }), { message: 'max_workers must be >= 1, got 0', code: 'invalid_parameter' });
    await assert.rejects(engine.runBacktestAsync(data, CROSS, { params: { fast: 0, slow: 4 } }), { code: 'invalid_strategy' });
    const cols = await engine.sweep(data, CROSS, { fast: [2, 3], slow: [4] }, { maxWorkers: 2 });
    assert.equal(cols.fast.length, 2);
  });
});

describe('unknown option keys are refused with the nearest valid name', () => {
  const d = generateSampleData('KEYS', 100, 100, { seed: 1n });
  const refuses = (fn, message) => assert.throws(fn, (e) => e instanceof BacktestError && e.message === message && e.code === 'invalid_parameter');
  const rejects = (p, message) => assert.rejects(p, (e) => e instanceof BacktestError && e.message === message && e.code === 'invalid_parameter');
  test('settings', () => {
    refuses(() => engine.runSmaBacktest(d, 10, 30, { comission: 0.5 }), "unknown setting 'comission'; did you mean 'commissionRate'?");
    refuses(() => engine.runBacktest(d, CROSS, { comission: 0.5 }), "unknown setting 'comission'; did you mean 'commissionRate'?");
    refuses(() => engine.runBacktest(d, CROSS, { stop_loss: 0.5 }), "unknown setting 'stop_loss'; did you mean 'stopLoss'?");
    refuses(() => engine.runSignals(d, null, null, { shortEntrys: null }), "unknown option 'shortEntrys'; did you mean 'shortEntries'?");
    refuses(() => benchmarkEngine(d, 10, 30, { iteration: 2 }), "unknown option 'iteration'; did you mean 'iterations'?");
  });
  test('async and grid options', async () => {
    await rejects(engine.runSmaBacktestAsync(d, 10, 30, { lotsize: 1 }), "unknown setting 'lotsize'; did you mean 'lotSize'?");
    await rejects(engine.runGrid(d, [5], [20], { maxworkers: 2 }), "unknown option 'maxworkers'; did you mean 'maxWorkers'?");
    await rejects(engine.runMultipleBacktests(d, [5], [20], { includeDetail: true }), "unknown option 'includeDetail'; did you mean 'includeDetails'?");
    await rejects(engine.sweep(d, CROSS, { fast: [5], slow: [20] }, { constrain: null }), "unknown option 'constrain'; did you mean 'constraint'?");
    await rejects(engine.optimize(d, CROSS, { fast: [5], slow: [20] }, { maximise: 'totalReturn' }), "unknown option 'maximise'; did you mean 'maximize'?");
  });
  test('engine, data and sample options', () => {
    refuses(() => createEngine({ useCahce: true }), "unknown option 'useCahce'; did you mean 'useCache'?");
    refuses(() => new CachedRustEngine({ size: 3 }), "unknown option 'size'; did you mean 'cacheSize'?");
    refuses(() => engine.getEngineInfo({ workers: 2 }), "unknown option 'workers'; did you mean 'maxWorkers'?");
    refuses(() => generateSampleData('X', 10, 100, { sed: 1 }), "unknown option 'sed'; did you mean 'seed'?");
    refuses(() => MarketData.fromCsv('date,open,high,low,close,volume\n', { symbl: 'X' }), "unknown option 'symbl'; did you mean 'symbol'?");
  });
  test('valid options still work (the cached engine caches strategy runs too)', () => {
    const cached = new CachedRustEngine({ cacheSize: 4 });
    const a = cached.runBacktest(d, CROSS, { params: { fast: 5, slow: 20 }, commissionRate: 0 });
    const b = cached.runBacktest(d, CROSS, { params: { fast: 5, slow: 20 }, commissionRate: 0 });
    assert.equal(a, b);
    assert.equal(cached.getCacheStats().hits, 1);
  });
});

describe('huge integers are named as given', () => {
  const d = generateSampleData('BIG', 100, 100, { seed: 2n });
  test('seed periods', () => {
    assert.throws(() => engine.runSmaBacktest(d, 10, 2 ** 70), { message: 'slow_period (1180591620717411303424) exceeds the number of bars (100)' });
    assert.throws(() => engine.runSmaBacktest(d, 10, 2n ** 70n), { message: 'slow_period (1180591620717411303424) exceeds the number of bars (100)' });
  });
  test('strategy periods and max_workers', async () => {
    assert.throws(() => engine.runBacktest(d, { entry: { gt: [SMA(2 ** 70), 1] } }), { message: 'entry.gt[0].period must be an integer <= 2147483647, got 1180591620717411303424', code: 'invalid_strategy' });
    await assert.rejects(engine.sweep(d, CROSS, { fast: [5], slow: [20] }, { maxWorkers: -(2 ** 70) }), { message: 'max_workers must be >= 1, got -1180591620717411303424' });
    assert.throws(() => engine.getEngineInfo({ maxWorkers: -(2 ** 70) }), { message: 'max_workers must be >= 1, got -1180591620717411303424' });
  });
});

describe('runSignals checks its arrays like Python', () => {
  const d = generateSampleData('SIG', 50, 100, { seed: 3n });
  const on = (i) => Array.from({ length: 50 }, (_, k) => k === i);
  test('booleans and Uint8Array give the same run', () => {
    const a = engine.runSignals(d, on(5), on(20));
    const b = engine.runSignals(d, Uint8Array.from(on(5), Number), Uint8Array.from(on(20), Number));
    assertIdentical(a, b);
    assert.equal(a.trades.length, 1);
    assert.equal(a.trades[0].entryDate, d.dates[6]);
  });
  test('bad arrays', () => {
    assert.throws(() => engine.runSignals(d, 'x'), { message: "entries must be a sequence of booleans, got 'x'", code: 'invalid_signals' });
    assert.throws(() => engine.runSignals(d, {}), { message: 'entries must be a sequence of booleans, got an object', code: 'invalid_signals' });
    assert.throws(() => engine.runSignals(d, on(1), [true]), { message: 'exits has 1 values but the data has 50 bars', code: 'invalid_signals' });
    assert.throws(() => engine.runSignals(d, on(1), null, { shortEntries: Uint8Array.from(on(2), (x) => (x ? 2 : 0)), direction: 'both' }), { message: 'short_entries at row 2 must be a boolean, got 2', code: 'invalid_signals' });
    assert.throws(() => engine.runSignals(d, on(1), [...on(3).slice(0, 49), 0.5]), { message: 'exits at row 49 must be a boolean, got 0.5', code: 'invalid_signals' });
  });
});
