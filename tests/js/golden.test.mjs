// The shared golden files (tests/golden/, the same ones the Rust and Python tests read), run
// through the npm package exactly as a user installs it: identical trades and equity curves,
// metrics to 1e-9 relative, and generateSampleData bit for bit equal to Python's.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  RustEngine,
  MarketData,
  BacktestResult,
  generateSampleData,
} from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const readJson = (name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
const CASES = readJson('cases.json');
const SAMPLES = readJson('sample_data.json');

const engine = new RustEngine();
after(() => engine.close());

const METRICS = [
  ['total_return', 'totalReturn'],
  ['annualized_return', 'annualizedReturn'],
  ['volatility', 'volatility'],
  ['sharpe_ratio', 'sharpeRatio'],
  ['sortino_ratio', 'sortinoRatio'],
  ['max_drawdown', 'maxDrawdown'],
  ['trade_count', 'tradeCount'],
  ['win_rate', 'winRate'],
];
const TRADE_FIELDS = [
  ['entry_index', 'entryIndex'],
  ['exit_index', 'exitIndex'],
  ['entry_date', 'entryDate'],
  ['exit_date', 'exitDate'],
  ['entry_price', 'entryPrice'],
  ['exit_price', 'exitPrice'],
  ['size', 'size'],
  ['pnl', 'pnl'],
  ['return_pct', 'returnPct'],
  ['bars_held', 'barsHeld'],
];

function options(params) {
  return {
    initialCapital: params.initial_capital,
    commissionRate: params.commission_rate,
    fill: params.fill,
    lotSize: params.lot_size,
    periodsPerYear: params.periods_per_year,
  };
}

function columns(data) {
  return {
    symbol: data.symbol,
    dates: data.dates,
    open: data.open,
    high: data.high,
    low: data.low,
    close: data.close,
    volume: data.volume,
  };
}

// math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), as tests/golden/README.md says.
function assertClose(actual, expected, what) {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${actual}`);
  assert.ok(Number.isFinite(actual), `${what}: ${actual} is not finite`);
  const tol = Math.max(1e-9 * Math.max(Math.abs(actual), Math.abs(expected)), 1e-12);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected} (rel 1e-9)`);
}

function assertSameFloat(actual, expected, what) {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${typeof actual}`);
  assert.ok(actual === expected, `${what}: ${actual} !== ${expected} (exact)`);
}

function assertMatchesExpected(result, expected, params, label) {
  assert.ok(result instanceof BacktestResult, `${label}: not a BacktestResult`);
  assert.equal(result.backend, 'wasm');
  assert.equal(result.fastPeriod, params.fast_period);
  assert.equal(result.slowPeriod, params.slow_period);
  assert.equal(typeof result.executionTimeMs, 'number');
  assert.ok(result.executionTimeMs >= 0, `${label}: executionTimeMs ${result.executionTimeMs}`);

  // trades: indexes, dates exact; prices, size, pnl, return_pct exactly equal
  assert.equal(result.trades.length, expected.trades.length, `${label}: trade count`);
  expected.trades.forEach((want, i) => {
    const got = result.trades[i];
    for (const [snake, camel] of TRADE_FIELDS) {
      const w = want[snake];
      if (typeof w === 'string') assert.equal(got[camel], w, `${label}: trades[${i}].${camel}`);
      else assertSameFloat(got[camel], w, `${label}: trades[${i}].${camel}`);
    }
  });

  // equity curve: a Float64Array, equal bar by bar
  assert.ok(result.equityCurve instanceof Float64Array, `${label}: equityCurve is not a Float64Array`);
  assert.equal(result.equityCurve.length, expected.equity_curve.length, `${label}: equity length`);
  expected.equity_curve.forEach((e, t) => assertSameFloat(result.equityCurve[t], e, `${label}: equityCurve[${t}]`));

  // metrics: 1e-9 relative, null where null, trade_count exact
  for (const [snake, camel] of METRICS) {
    const want = expected.metrics[snake];
    const got = result[camel];
    if (want === null) assert.equal(got, null, `${label}: ${camel} must be null, got ${got}`);
    else if (snake === 'trade_count') assert.equal(got, want, `${label}: tradeCount`);
    else assertClose(got, want, `${label}: ${camel}`);
  }
}

describe('golden cases (tests/golden/cases.json)', () => {
  test('the file holds cases', () => {
    assert.ok(CASES.length >= 18, `only ${CASES.length} cases`);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const p = c.params;
      const md = new MarketData(columns(c.data));
      assert.equal(md.length, c.data.dates.length);
      assert.equal(md.symbol, c.data.symbol);

      // MarketData in
      const result = engine.runSmaBacktest(md, p.fast_period, p.slow_period, options(p));
      assertMatchesExpected(result, c.expected, p, `${c.name} (MarketData)`);

      // plain columns in (DataLike): the same answer
      const fromColumns = engine.runSmaBacktest(columns(c.data), p.fast_period, p.slow_period, options(p));
      assertMatchesExpected(fromColumns, c.expected, p, `${c.name} (columns)`);

      // the async door: the same answer
      const viaAsync = await engine.runSmaBacktestAsync(md, p.fast_period, p.slow_period, options(p));
      assertMatchesExpected(viaAsync, c.expected, p, `${c.name} (async)`);

      // a one-pair grid with details: each grid result equals the single backtest (SPEC)
      const grid = await engine.runMultipleBacktests(md, [p.fast_period], [p.slow_period], {
        ...options(p),
        includeDetails: true,
        maxWorkers: 1,
      });
      assert.equal(grid.length, 1);
      assert.equal(grid[0].fastPeriod, p.fast_period);
      assert.equal(grid[0].slowPeriod, p.slow_period);
      assertMatchesExpected(grid[0].result, c.expected, p, `${c.name} (grid)`);
    });
  }
});

// --------------------------------------------------------------------------------------------

function bytesOf(values) {
  return Buffer.from(Float64Array.from(values).buffer);
}

function assertSameBits(actual, expected, what) {
  assert.ok(actual instanceof Float64Array, `${what}: not a Float64Array`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}[${i}]: ${actual[i]} is not bit-identical to ${expected[i]}`);
    }
  }
  assert.ok(bytesOf(actual).equals(bytesOf(expected)), `${what}: bytes differ`);
}

describe("generateSampleData: bit for bit Python's generate_sample_data (sample_data.json)", () => {
  test('the file holds samples', () => {
    assert.ok(SAMPLES.length >= 4);
  });

  for (const { args, bars } of SAMPLES) {
    test(`${args.symbol}, ${args.days} days from ${args.start_price}, seed ${args.seed}`, () => {
      const md = generateSampleData(args.symbol, args.days, args.start_price, { seed: BigInt(args.seed) });
      assert.ok(md instanceof MarketData);
      assert.equal(md.symbol, bars.symbol);
      assert.equal(md.length, args.days);
      assert.deepEqual([...md.dates], bars.dates);
      for (const field of ['open', 'high', 'low', 'close', 'volume']) {
        assertSameBits(md[field], bars[field], field);
      }
      // a seed that fits a double may also be given as a number: the same bars
      if (BigInt(args.seed) <= BigInt(Number.MAX_SAFE_INTEGER)) {
        const again = generateSampleData(args.symbol, args.days, args.start_price, { seed: Number(args.seed) });
        for (const field of ['open', 'high', 'low', 'close', 'volume']) {
          assertSameBits(again[field], bars[field], `${field} (number seed)`);
        }
      }
    });
  }

  test('the generated bars are valid and give the same backtest every time', () => {
    const a = generateSampleData('REPEAT', 500, 50, { seed: 123n });
    const b = generateSampleData('REPEAT', 500, 50, { seed: 123n });
    assert.equal(a.fingerprint, b.fingerprint);
    assert.ok(engine.validateData(a));
    const ra = engine.runSmaBacktest(a, 5, 20);
    const rb = engine.runSmaBacktest(b, 5, 20);
    assert.deepEqual(Array.from(ra.equityCurve), Array.from(rb.equityCurve));
    const tuple = (t) => [t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice, t.size, t.pnl];
    assert.deepEqual(ra.trades.map(tuple), rb.trades.map(tuple));
  });
});
