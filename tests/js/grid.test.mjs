// Parameter grids: SPEC order (fast outer, slow inner, pairs with fast >= slow skipped), each
// result equal to the single backtest, and the Node worker pool (maxWorkers 2, 3) giving
// exactly what one thread gives, for runMultipleBacktests (with and without details) and runGrid.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';

import { RustEngine, BacktestResult, generateSampleData } from 'quant-backtest';

const engine = new RustEngine();
after(() => engine.close());

const DATA = generateSampleData('GRID', 3000, 100, { seed: 2024n });
const FAST = [5, 10, 20, 30, 60];
const SLOW = [10, 20, 25, 50, 60, 120];
const OPTS = { initialCapital: 50_000, commissionRate: 0.002, lotSize: 1, periodsPerYear: 252 };
const PAIRS = [];
for (const f of FAST) for (const s of SLOW) if (f < s) PAIRS.push([f, s]);

const METRICS = [
  'totalReturn', 'annualizedReturn', 'volatility', 'sharpeRatio', 'sortinoRatio',
  'maxDrawdown', 'tradeCount', 'winRate',
];
const COLUMNS = ['fastPeriod', 'slowPeriod', ...METRICS];
const TRADE_FIELDS = [
  'entryIndex', 'exitIndex', 'entryDate', 'exitDate', 'entryPrice', 'exitPrice',
  'size', 'pnl', 'returnPct', 'barsHeld',
];

// Everything but the wall time.
function plain(result) {
  assert.ok(result instanceof BacktestResult);
  const out = { fastPeriod: result.fastPeriod, slowPeriod: result.slowPeriod, backend: result.backend };
  for (const m of METRICS) out[m] = result[m];
  out.trades = result.trades.map((t) => Object.fromEntries(TRADE_FIELDS.map((f) => [f, t[f]])));
  out.equityCurve = Array.from(result.equityCurve);
  return out;
}
function plainGrid(entries) {
  return entries.map((e) => ({ fastPeriod: e.fastPeriod, slowPeriod: e.slowPeriod, result: plain(e.result) }));
}
function assertSameColumns(a, b, label) {
  for (const c of COLUMNS) {
    assert.ok(a[c] instanceof Float64Array, `${label}: ${c} is not a Float64Array`);
    assert.ok(b[c] instanceof Float64Array);
    assert.equal(a[c].length, b[c].length, `${label}: ${c} length`);
    for (let i = 0; i < a[c].length; i++) {
      assert.ok(Object.is(a[c][i], b[c][i]), `${label}: ${c}[${i}] ${a[c][i]} vs ${b[c][i]}`);
    }
  }
}

describe('runMultipleBacktests', () => {
  let oneThreadDetails;
  let oneThreadPlain;

  test('one thread, with details: SPEC order, each equal to the single backtest', async () => {
    const grid = await engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 1, includeDetails: true });
    assert.ok(Array.isArray(grid));
    assert.deepEqual(grid.map((e) => [e.fastPeriod, e.slowPeriod]), PAIRS);
    for (const e of grid) {
      assert.equal(e.result.fastPeriod, e.fastPeriod);
      assert.equal(e.result.slowPeriod, e.slowPeriod);
      const single = engine.runSmaBacktest(DATA, e.fastPeriod, e.slowPeriod, OPTS);
      assert.deepEqual(plain(e.result), plain(single), `pair ${e.fastPeriod}/${e.slowPeriod}`);
      assert.equal(e.result.equityCurve.length, DATA.length);
    }
    assert.ok(grid.some((e) => e.result.tradeCount > 0), 'no pair trades at all: the data is too dull');
    oneThreadDetails = plainGrid(grid);
  });

  test('one thread, without details: every metric, no trades or equity', async () => {
    const grid = await engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 1 });
    assert.deepEqual(grid.map((e) => [e.fastPeriod, e.slowPeriod]), PAIRS);
    grid.forEach((e, i) => {
      assert.equal(e.result.trades.length, 0);
      assert.equal(e.result.equityCurve.length, 0);
      assert.ok(e.result.equityCurve instanceof Float64Array);
      for (const m of METRICS) {
        assert.ok(Object.is(e.result[m], oneThreadDetails[i].result[m]), `${m} of pair ${i}`);
      }
    });
    oneThreadPlain = plainGrid(grid);
  });

  for (const workers of [2, 3]) {
    test(`maxWorkers ${workers}, with details: identical to one thread, same order`, async () => {
      const grid = await engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: workers, includeDetails: true });
      assert.deepEqual(plainGrid(grid), oneThreadDetails);
    });
    test(`maxWorkers ${workers}, without details: identical to one thread`, async () => {
      const grid = await engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: workers });
      assert.deepEqual(plainGrid(grid), oneThreadPlain);
    });
  }

  test('default maxWorkers, run twice (the pool is reused): identical', async () => {
    const a = await engine.runMultipleBacktests(DATA, FAST, SLOW, OPTS);
    const b = await engine.runMultipleBacktests(DATA, FAST, SLOW, OPTS);
    assert.deepEqual(plainGrid(a), oneThreadPlain);
    assert.deepEqual(plainGrid(b), oneThreadPlain);
  });

  test('more workers than pairs, and concurrent grids on one engine', async () => {
    const small = await engine.runMultipleBacktests(DATA, [5], [10, 20], { ...OPTS, maxWorkers: 3, includeDetails: true });
    assert.deepEqual(plainGrid(small), oneThreadDetails.slice(0, 2));
    const other = generateSampleData('OTHER', 800, 20, { seed: 9n });
    const [x, y, z] = await Promise.all([
      engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 2, includeDetails: true }),
      engine.runMultipleBacktests(other, [3, 8], [13, 21], { maxWorkers: 2, includeDetails: true }),
      engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 3 }),
    ]);
    assert.deepEqual(plainGrid(x), oneThreadDetails);
    assert.deepEqual(plainGrid(z), oneThreadPlain);
    const ySingle = [[3, 13], [3, 21], [8, 13], [8, 21]].map(([f, s]) => plain(engine.runSmaBacktest(other, f, s)));
    assert.deepEqual(y.map((e) => e.result).map(plain), ySingle);
  });

  test('any iterable of periods; other DataLike shapes', async () => {
    function* fast() { yield* FAST; }
    const grid = await engine.runMultipleBacktests(DATA, fast(), new Set(SLOW), { ...OPTS, maxWorkers: 2 });
    assert.deepEqual(plainGrid(grid), oneThreadPlain);
    const cols = DATA.toColumns();
    const fromCols = await engine.runMultipleBacktests(cols, Int32Array.from(FAST), SLOW, { ...OPTS, maxWorkers: 2 });
    assert.deepEqual(plainGrid(fromCols), oneThreadPlain);
  });

  test('fill close and a different capital go through the pool too', async () => {
    const opts = { initialCapital: 12_345, fill: 'close', commissionRate: 0 };
    const one = await engine.runMultipleBacktests(DATA, [4, 9], [9, 30], { ...opts, maxWorkers: 1, includeDetails: true });
    const three = await engine.runMultipleBacktests(DATA, [4, 9], [9, 30], { ...opts, maxWorkers: 3, includeDetails: true });
    assert.deepEqual(plainGrid(three), plainGrid(one));
    assert.deepEqual(one.map((e) => [e.fastPeriod, e.slowPeriod]), [[4, 9], [4, 30], [9, 30]]);
    assert.deepEqual(plain(one[1].result), plain(engine.runSmaBacktest(DATA, 4, 30, opts)));
  });
});

describe('runGrid (columns)', () => {
  let one;

  test('one thread: columns in SPEC order, equal to runMultipleBacktests', async () => {
    one = await engine.runGrid(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 1 });
    assert.deepEqual(Array.from(one.fastPeriod), PAIRS.map((p) => p[0]));
    assert.deepEqual(Array.from(one.slowPeriod), PAIRS.map((p) => p[1]));
    const entries = await engine.runMultipleBacktests(DATA, FAST, SLOW, { ...OPTS, maxWorkers: 1 });
    entries.forEach((e, i) => {
      for (const m of METRICS) {
        const want = e.result[m] === null ? NaN : e.result[m];
        assert.ok(one[m] instanceof Float64Array, `${m} is not a Float64Array`);
        assert.ok(Object.is(one[m][i], want), `${m}[${i}]: ${one[m][i]} vs ${want}`);
      }
    });
  });

  for (const workers of [2, 3]) {
    test(`maxWorkers ${workers}: bit-identical columns`, async () => {
      const many = await engine.runGrid(DATA, FAST, SLOW, { ...OPTS, maxWorkers: workers });
      assertSameColumns(many, one, `maxWorkers ${workers}`);
    });
  }

  test('a ratio that is none is NaN in the columns', async () => {
    // flat closes: no trade, every return 0, sharpe and sortino undefined
    const n = 40;
    const dates = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
    const flat = { symbol: 'FLAT', dates, open: Array(n).fill(10), high: Array(n).fill(10.5), low: Array(n).fill(9.5), close: Array(n).fill(10), volume: Array(n).fill(100) };
    const cols = await engine.runGrid(flat, [2, 3], [5, 8], { maxWorkers: 2 });
    assert.equal(cols.sharpeRatio.length, 4);
    for (let i = 0; i < 4; i++) {
      assert.ok(Number.isNaN(cols.sharpeRatio[i]));
      assert.ok(Number.isNaN(cols.sortinoRatio[i]));
      assert.equal(cols.tradeCount[i], 0);
      assert.equal(cols.totalReturn[i], 0);
    }
    const entries = await engine.runMultipleBacktests(flat, [2, 3], [5, 8], { maxWorkers: 2 });
    for (const e of entries) {
      assert.equal(e.result.sharpeRatio, null);
      assert.equal(e.result.sortinoRatio, null);
    }
  });
});
