// Every bad input of tests/golden/errors.json (the list the Python tests use) is refused with a
// BacktestError carrying the exact same message, and the engine keeps working right after it
// (no dead wasm instance). Plus the JS-side type checks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  RustEngine,
  CachedRustEngine,
  MarketData,
  BacktestError,
  generateSampleData,
} from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const ERRORS = JSON.parse(readFileSync(join(GOLDEN_DIR, 'errors.json'), 'utf8'));

const CODES = ['invalid_market_data', 'invalid_parameter', 'invalid_grid', 'invalid_argument'];

// JSON cannot hold NaN or infinities: errors.json spells them as strings in numeric places.
function num(v) {
  if (v === 'NaN') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}
function columns(data) {
  const col = (xs) => xs.map(num);
  return {
    symbol: data.symbol,
    dates: data.dates,
    open: col(data.open),
    high: col(data.high),
    low: col(data.low),
    close: col(data.close),
    volume: col(data.volume),
  };
}
function settings(p) {
  return {
    initialCapital: num(p.initial_capital),
    commissionRate: num(p.commission_rate),
    fill: p.fill,
    lotSize: num(p.lot_size),
    periodsPerYear: num(p.periods_per_year),
  };
}

// The code a message's error kind has (src/error.rs `code()`).
function expectedCode(c) {
  if (c.call === 'market_data') return 'invalid_market_data';
  if (/^(fast_periods|slow_periods)( |\[)|^the grid has no pair/.test(c.error)) return 'invalid_grid';
  return 'invalid_parameter';
}

function isBacktestError(message, code) {
  return (err) => {
    assert.ok(err instanceof BacktestError, `not a BacktestError: ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
    assert.ok(err instanceof Error, 'a BacktestError must be an Error');
    assert.equal(err.name, 'BacktestError');
    assert.equal(err.message, message);
    assert.ok(CODES.includes(err.code), `unknown code ${err.code}`);
    if (code !== undefined) {
      if (Array.isArray(code)) assert.ok(code.includes(err.code), `code ${err.code} not in ${code}`);
      else assert.equal(err.code, code, `code for "${message}"`);
    }
    return true;
  };
}

const tradeTuple = (t) => [t.entryIndex, t.exitIndex, t.entryDate, t.exitDate, t.entryPrice, t.exitPrice, t.size, t.pnl, t.returnPct, t.barsHeld];

// A valid run, computed once; every check after an error repeats it.
const GOOD = generateSampleData('GOOD', 300, 100, { seed: 11n });
let reference;
function assertStillUsable(engine) {
  const r = engine.runSmaBacktest(GOOD, 5, 20);
  assert.deepEqual(Array.from(r.equityCurve), Array.from(reference.equityCurve));
  assert.deepEqual(r.trades.map(tradeTuple), reference.trades.map(tradeTuple));
  assert.equal(r.totalReturn, reference.totalReturn);
  // and fresh wasm work (a new MarketData, sample data) still goes through
  const md = generateSampleData('AFTER', 20, 10, { seed: 1n });
  assert.equal(md.length, 20);
}

const engine = new RustEngine();
before(() => {
  reference = engine.runSmaBacktest(GOOD, 5, 20);
  assert.ok(reference.equityCurve.length === 300);
});
after(() => engine.close());

describe('errors.json: the same message as Python, then the engine still works', () => {
  test('the file holds every call kind', () => {
    const kinds = new Set(ERRORS.map((c) => c.call));
    assert.deepEqual([...kinds].sort(), ['backtest', 'grid', 'market_data']);
    assert.ok(ERRORS.length >= 79);
  });

  for (const c of ERRORS) {
    test(`${c.call}: ${c.name}`, async () => {
      const code = expectedCode(c);
      if (c.call === 'market_data') {
        assert.throws(() => new MarketData(columns(c.data)), isBacktestError(c.error, code));
        assert.throws(() => MarketData.fromColumns(columns(c.data)), isBacktestError(c.error, code));
        // a DataLike that is refused at run time says the same
        assert.throws(() => engine.runSmaBacktest(columns(c.data), 1, 2), isBacktestError(c.error, code));
        assert.equal(engine.validateData(columns(c.data)), false);
      } else if (c.call === 'backtest') {
        const p = c.params;
        const md = new MarketData(columns(c.data));
        // 'fill' is also a JS-side check; either code is fine for it
        const fillCode = /^fill /.test(c.error) ? ['invalid_parameter', 'invalid_argument'] : code;
        assert.throws(
          () => engine.runSmaBacktest(md, p.fast_period, p.slow_period, settings(p)),
          isBacktestError(c.error, fillCode),
        );
        await assert.rejects(
          () => engine.runSmaBacktestAsync(md, p.fast_period, p.slow_period, settings(p)),
          isBacktestError(c.error, fillCode),
        );
      } else {
        const p = c.params;
        const md = new MarketData(columns(c.data));
        const opts = settings(p);
        if (p.max_workers !== null) opts.maxWorkers = p.max_workers;
        const fillCode = /^fill /.test(c.error) ? ['invalid_parameter', 'invalid_argument'] : code;
        await assert.rejects(
          () => engine.runMultipleBacktests(md, p.fast_periods, p.slow_periods, opts),
          isBacktestError(c.error, fillCode),
        );
        await assert.rejects(
          () => engine.runMultipleBacktests(md, p.fast_periods, p.slow_periods, { ...opts, includeDetails: true }),
          isBacktestError(c.error, fillCode),
        );
        await assert.rejects(
          () => engine.runGrid(md, p.fast_periods, p.slow_periods, opts),
          isBacktestError(c.error, fillCode),
        );
      }
      assertStillUsable(engine);
    });
  }
});

describe('JS-side argument checks (Python wording, code invalid_argument)', () => {
  const md = GOOD;
  const cases = [
    ['fastPeriod 2.5', () => engine.runSmaBacktest(md, 2.5, 20), 'fast_period must be an integer, got 2.5'],
    ['slowPeriod 20.5', () => engine.runSmaBacktest(md, 5, 20.5), 'slow_period must be an integer, got 20.5'],
    ["fastPeriod '5'", () => engine.runSmaBacktest(md, '5', 20), "fast_period must be an integer, got '5'"],
    ['fastPeriod NaN', () => engine.runSmaBacktest(md, NaN, 20), 'fast_period must be an integer, got NaN'],
    ["initialCapital 'x'", () => engine.runSmaBacktest(md, 5, 20, { initialCapital: 'x' }), "initial_capital must be a number, got 'x'"],
    ["commissionRate '0.1'", () => engine.runSmaBacktest(md, 5, 20, { commissionRate: '0.1' }), "commission_rate must be a number, got '0.1'"],
    ['days 2.5', () => generateSampleData('X', 2.5), 'days must be an integer, got 2.5'],
    ['seed 1.5', () => generateSampleData('X', 10, 100, { seed: 1.5 }), 'seed must be an integer, got 1.5'],
  ];
  for (const [name, fn, message] of cases) {
    test(name, () => {
      assert.throws(fn, isBacktestError(message, 'invalid_argument'));
      assertStillUsable(engine);
    });
  }

  test('fill 42 (not a string)', () => {
    // Python says `got 42` for an int; a JS number may also be written as a float (`42.0`)
    assert.throws(
      () => engine.runSmaBacktest(md, 5, 20, { fill: 42 }),
      (err) => {
        assert.ok(err instanceof BacktestError);
        assert.match(err.message, /^fill must be 'next_open' or 'close', got 42(\.0)?$/);
        assert.ok(['invalid_argument', 'invalid_parameter'].includes(err.code), err.code);
        return true;
      },
    );
    assertStillUsable(engine);
  });

  test("fill 'open' (unknown)", () => {
    assert.throws(
      () => engine.runSmaBacktest(md, 5, 20, { fill: 'open' }),
      isBacktestError("fill must be 'next_open' or 'close', got 'open'", ['invalid_argument', 'invalid_parameter']),
    );
    assertStillUsable(engine);
  });

  test('fastPeriod 2.5 through the async door rejects', async () => {
    await assert.rejects(
      () => engine.runSmaBacktestAsync(md, 2.5, 20),
      isBacktestError('fast_period must be an integer, got 2.5', 'invalid_argument'),
    );
    assertStillUsable(engine);
  });

  test('grid: fast_periods[1] 2.5, max_workers 1.5', async () => {
    await assert.rejects(
      () => engine.runMultipleBacktests(md, [2, 2.5], [10]),
      isBacktestError('fast_periods[1] must be an integer, got 2.5', 'invalid_argument'),
    );
    await assert.rejects(
      () => engine.runGrid(md, [2], [10, 'x']),
      isBacktestError("slow_periods[1] must be an integer, got 'x'", 'invalid_argument'),
    );
    await assert.rejects(
      () => engine.runMultipleBacktests(md, [2], [10], { maxWorkers: 1.5 }),
      isBacktestError('max_workers must be an integer, got 1.5', 'invalid_argument'),
    );
    assertStillUsable(engine);
  });

  test('sample data: days 0, start price 0 or NaN, a seed out of [0, 2**64)', () => {
    assert.throws(() => generateSampleData('X', 0), isBacktestError('days must be >= 1, got 0'));
    assert.throws(() => generateSampleData('X', 10, 0), isBacktestError('start_price must be a finite number > 0, got 0.0'));
    assert.throws(() => generateSampleData('X', 10, NaN), isBacktestError('start_price must be a finite number > 0, got NaN'));
    assert.throws(
      () => generateSampleData('X', 10, 'abc'),
      isBacktestError("start_price must be a number, got 'abc'", 'invalid_argument'),
    );
    assert.throws(
      () => generateSampleData('X', 10, 100, { seed: -1 }),
      isBacktestError('seed must be an integer in [0, 2**64), got -1'),
    );
    assert.throws(
      () => generateSampleData('X', 10, 100, { seed: 2n ** 64n }),
      isBacktestError('seed must be an integer in [0, 2**64), got 18446744073709551616'),
    );
    assertStillUsable(engine);
  });

  test('a missing column', () => {
    const cols = { symbol: 'M', dates: ['2024-01-01'], open: [1], high: [1], low: [1], volume: [1] };
    assert.throws(() => new MarketData(cols), isBacktestError("data is missing column 'close'"));
    assert.throws(() => MarketData.fromColumns(cols), isBacktestError("data is missing column 'close'"));
    assert.throws(() => engine.runSmaBacktest(cols, 1, 2), isBacktestError("data is missing column 'close'"));
    assert.equal(engine.validateData(cols), false);
    assertStillUsable(engine);
  });

  test('a CSV without a close column', () => {
    const csv = 'date,open,high,low,volume\n2024-01-01,1,1,1,1\n';
    assert.throws(() => MarketData.fromCsv(csv), isBacktestError("data is missing column 'close'"));
    assertStillUsable(engine);
  });
});

describe('errors do not break other engines or the cache', () => {
  test('a CachedRustEngine keeps working and caches nothing for a refused call', async () => {
    const cached = new CachedRustEngine({ cacheSize: 4 });
    try {
      assert.throws(() => cached.runSmaBacktest(GOOD, 20, 5), isBacktestError('fast_period (20) must be less than slow_period (5)'));
      const r = cached.runSmaBacktest(GOOD, 5, 20);
      assert.deepEqual(Array.from(r.equityCurve), Array.from(reference.equityCurve));
      assert.equal(cached.getCacheStats().size, 1);
    } finally {
      await cached.close();
    }
  });
});
