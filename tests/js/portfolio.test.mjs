// Portfolios (SPEC part 10) through the npm package: the same trades, metrics and curves as
// Python's native engine, bit for bit, on several strategies, settings and universes (the
// Python half is tests/js/fixtures/portfolio_cross.py); the sample universe equal to Python's;
// the refusals with Python's message and code; the golden portfolio files; the async variant.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  BacktestError,
  MarketData,
  PortfolioResult,
  RustEngine,
  Universe,
  generateSampleData,
  generateSampleUniverse,
  strategy as qs,
} from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const SCRIPT = join(REPO, 'tests', 'js', 'fixtures', 'portfolio_cross.py');
const readJson = (name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));

const engine = new RustEngine();
after(() => engine.close());

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snakeKeys = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]));
/** camelCase options from snake_case settings (what Python's keyword arguments are). */
const optionsOf = (settings, params) => ({ ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [camel(k), v])), ...(params ? { params } : {}) });

const SAMPLE = { symbols: 6, days: 400, seed: 11 };
const sample = generateSampleUniverse(SAMPLE.symbols, SAMPLE.days, SAMPLE.seed);

/** A universe on a true union calendar: one asset with holes, one that trades at 15:30 UTC. */
function unionColumns() {
  const [a, b, c] = [...sample].map((md) => md.toColumns());
  const keep = (i) => i % 5 !== 3;
  const holes = { symbol: 'HOLES', dates: b.dates.filter((_, i) => keep(i)) };
  for (const f of ['open', 'high', 'low', 'close', 'volume']) holes[f] = Array.from(b[f]).filter((_, i) => keep(i));
  const late = { ...c, symbol: 'LATE', dates: c.dates.map((d) => `${d}T15:30:00Z`) };
  return [a, holes, late].map((x) => ({ ...x, open: Array.from(x.open), high: Array.from(x.high), low: Array.from(x.low), close: Array.from(x.close), volume: Array.from(x.volume) }));
}
const UNIVERSES = { union: unionColumns() };
const universeOf = (name) => (name === 'sample' ? sample : new Universe(UNIVERSES[name]));

const fast = qs.ema(8);
const slow = qs.sma(34);
const tree = (s) => JSON.parse(JSON.stringify(s));
const CASES = [
  { universe: 'sample', strategy: tree(qs.smaCross(10, 30)), settings: {} },
  { universe: 'sample', strategy: tree(qs.smaCross(5, 20)), settings: { size: 0.3, fill: 'close', commission_rate: 0.002 } },
  {
    universe: 'sample',
    strategy: tree(new qs.Strategy({ entry: qs.rsi(14).lt(35), exit: qs.rsi(14).gt(65), stopLoss: 0.04, takeProfit: 0.08 })),
    settings: { max_positions: 3 },
  },
  {
    universe: 'sample',
    strategy: tree(new qs.Strategy({ entry: qs.sma(qs.param('fast')).crossesAbove(qs.sma(qs.param('slow'))), exit: qs.sma(qs.param('fast')).crossesBelow(qs.sma(qs.param('slow'))) })),
    settings: { max_positions: 2, slippage: 0.001, trailing_stop: 0.1 },
    params: { fast: 6, slow: 25 },
  },
  {
    universe: 'union',
    strategy: {
      S01: tree(qs.smaCross(10, 30)),
      HOLES: tree(
        new qs.Strategy({
          entry: fast.crossesAbove(slow),
          exit: fast.crossesBelow(slow),
          shortEntry: fast.crossesBelow(slow),
          shortExit: fast.crossesAbove(slow),
          direction: 'both',
        }),
      ),
      LATE: tree(qs.macdCross()),
    },
    settings: { size: 0.5, fill: 'next_open', fixed_fee: 1.5 },
  },
  { universe: 'union', strategy: tree(qs.rsiReversion()), settings: { max_positions: 1, lot_size: 10, periods_per_year: 365 } },
];

const bars = (symbol, opens) => ({
  symbol,
  dates: ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
  open: opens,
  high: [11, 11, 11, 11, 11],
  low: [9, 9, 9, 9, 9],
  close: [10, 10, 10, 10, 10],
  volume: [1, 1, 1, 1, 1],
});
const A = bars('A', [10, 10, 10, 10, 10]);
const B = bars('B', [10, 10, 10, 10, 10]);
const ONE = tree(qs.smaCross(2, 3));
/** Refusals: each with the universe's columns (or 'sample'), Python's message and code. */
const ERRORS = [
  { name: 'empty universe', universe: [], strategy: ONE, settings: {} },
  { name: 'duplicate symbols', universe: [A, B, A], strategy: ONE, settings: {} },
  { name: 'bad row in one asset', universe: [A, bars('BAD', [10, 10, 10, 0, 10])], strategy: ONE, settings: {} },
  // Checked in JS before the engine sees it: the package's code for that is invalid_argument.
  { name: 'a cell that is no number', universe: [A, { ...bars('TXT', [10, 10, 10, 10, 10]), close: [10, 'x', 10, 10, 10] }], strategy: ONE, settings: {}, jsCode: 'invalid_argument' },
  { name: 'strategy dict misses a symbol', universe: 'sample', strategy: { S01: ONE }, settings: {} },
  { name: 'strategy dict names an unknown symbol', universe: [A, B], strategy: { A: ONE, B: ONE, C: ONE }, settings: {} },
  { name: 'maxPositions 0', universe: 'sample', strategy: ONE, settings: { max_positions: 0 } },
  { name: 'maxPositions 1.5', universe: 'sample', strategy: ONE, settings: { max_positions: 1.5 } },
  { name: 'maxPositions with size', universe: 'sample', strategy: ONE, settings: { max_positions: 2, size: 0.5 } },
  { name: 'a single-asset refusal', universe: 'sample', strategy: ONE, settings: { commission_rate: 1.5 } },
  { name: 'one symbol strategy refused', universe: [A, B], strategy: { A: ONE, B: { entry: { gt: ['close', { indicator: 'sma', period: 0 }] } } }, settings: {} },
  { name: 'unknown param of per-symbol strategies', universe: [A, B], strategy: { A: ONE, B: ONE }, settings: {}, params: { fats: 3 } },
  { name: 'unknown setting near maxPositions', universe: 'sample', strategy: ONE, settings: { max_postions: 2 } },
];
/** generateSampleUniverse's refusals: [symbols, days, seed], and the JS code where JS checks first. */
const SAMPLE_ERRORS = [
  [0, 10, 1],
  [20000, 10, 1],
  [2.5, 10, 1],
  ['ab', 10, 1],
  [2, 0, 1],
  [2, 10.5, 1],
  [2, 10, -1],
  [2, 10, 1.5],
  [[], 10, 1],
  [['A', 'A'], 10, 1],
];
const JS_CHECKED = [2, 3, 5, 6, 7];

const python = JSON.parse(
  execFileSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({
      sample: SAMPLE,
      universes: UNIVERSES,
      cases: CASES,
      errors: ERRORS,
      sample_errors: SAMPLE_ERRORS,
    }),
    encoding: 'utf8',
    // The .venv's installed wheel (its native engine), as cross-language.test.mjs runs it.
    env: process.env,
    maxBuffer: 256 * 1024 * 1024,
  }),
);

/** A JS result in Python's `to_dict()` shape (less timing and backend). */
function asPython(r) {
  const j = r.toJSON();
  const out = {};
  for (const key of Object.keys(r.metrics)) out[snake(key)] = j[key];
  out.params = j.params;
  out.trades = j.trades.map(snakeKeys);
  out.assets = j.assets.map(snakeKeys);
  out.dates = j.dates;
  out.equity_curve = j.equityCurve;
  out.cash = j.cash;
  out.position_values = j.positionValues;
  return out;
}

describe('the same runs as Python, bit for bit', () => {
  test('the sample universe is Python\'s', () => {
    assert.equal(python.sample.length, SAMPLE.symbols);
    [...sample].forEach((md, i) => {
      const mine = md.toColumns();
      const theirs = python.sample[i];
      assert.equal(mine.symbol, theirs.symbol);
      assert.deepEqual(mine.dates, theirs.dates, `${mine.symbol}: dates`);
      for (const f of ['open', 'high', 'low', 'close', 'volume']) assert.deepEqual(Array.from(mine[f]), theirs[f], `${mine.symbol}: ${f}`);
    });
    assert.deepEqual([...sample.dates], python.sample_dates);
    // The assets start on different days (the sample universe's point).
    assert.ok(new Set([...sample].map((md) => md.dates[0])).size > 1);
  });

  CASES.forEach((c, i) => {
    test(`case ${i} (${c.universe}, ${JSON.stringify(c.settings)})`, () => {
      const r = engine.runPortfolio(universeOf(c.universe), c.strategy, optionsOf(c.settings, c.params));
      assert.ok(r instanceof PortfolioResult);
      const py = python.results[i];
      assert.ok(py.trade_count > 0, 'the case trades (else it checks little)');
      const mine = asPython(r);
      for (const key of Object.keys(py)) {
        if (key === 'backend') continue;
        assert.deepStrictEqual(mine[key], py[key], `case ${i}: ${key}`);
      }
    });
  });

  test('the union calendar holds every instant once, in time order', () => {
    const u = universeOf('union');
    assert.equal(u.dates.length, SAMPLE.days + sample.get('S03').length);
    assert.ok(u.dates.includes(`${sample.get('S03').dates[0]}T15:30:00Z`));
    const instants = u.dates.map((d) => Date.parse(d.includes('T') ? d : `${d}T00:00:00Z`));
    assert.ok(instants.every((t, k) => k === 0 || t > instants[k - 1]));
  });
});

describe('refusals: Python\'s class, message and code', () => {
  ERRORS.forEach((e, i) => {
    test(e.name, () => {
      const py = python.errors[i];
      assert.equal(py.class, 'BacktestError', `Python: ${JSON.stringify(py)}`);
      const run = () => engine.runPortfolio(e.universe === 'sample' ? sample : new Universe(e.universe), e.strategy, optionsOf(e.settings, e.params));
      // JS names its options in camelCase (as every JS message does): unknown setting 'maxPostions'.
      const message = py.error.replace(/'(max_postions|max_positions)'/g, (_, n) => `'${camel(n)}'`);
      const code = e.jsCode ?? py.code;
      assert.throws(run, (err) => err instanceof BacktestError && err.message === message && err.code === code, `expected ${message} (${code})`);
    });
  });

  SAMPLE_ERRORS.forEach((args, i) => {
    test(`generateSampleUniverse(${JSON.stringify(args)})`, () => {
      const py = python.sample_errors[i];
      assert.equal(py.class, 'BacktestError');
      assert.throws(
        () => generateSampleUniverse(...args),
        (err) => {
          assert.ok(err instanceof BacktestError);
          assert.equal(err.message, py.error);
          // JS-side type checks have the package's code invalid_argument (errors.test.mjs).
          // Python's native path re-raises the core's universe refusals of a sample with
          // invalid_parameter; JS keeps the core's code (as Python's Universe([]) has it).
          if (JS_CHECKED.includes(i)) assert.equal(err.code, 'invalid_argument');
          else if (/universe/.test(py.error)) assert.equal(err.code, 'invalid_market_data');
          else assert.equal(err.code, py.code);
          return true;
        },
      );
    });
  });

  test('a MarketData under another symbol\'s key', () => {
    const md = sample.get('S01');
    assert.throws(() => new Universe({ X: md }), { name: 'BacktestError', code: 'invalid_market_data', message: "asset 'X' is MarketData of symbol 'S01'; the key and the symbol must agree" });
  });

  test('the engine stays usable after each refusal', () => {
    for (const e of ERRORS) assert.throws(() => engine.runPortfolio(e.universe === 'sample' ? sample : new Universe(e.universe), e.strategy, optionsOf(e.settings, e.params)));
    const r = engine.runPortfolio(sample, CASES[0].strategy);
    assert.deepStrictEqual(asPython(r).trades, python.results[0].trades);
  });

  test('unknown option keys are refused with the nearest name', () => {
    assert.throws(() => engine.runPortfolio(sample, ONE, { comissionRate: 0.001 }), { code: 'invalid_parameter', message: "unknown setting 'comissionRate'; did you mean 'commissionRate'?" });
    assert.throws(() => engine.runPortfolio(sample, ONE, { parms: {} }), { code: 'invalid_parameter', message: "unknown option 'parms'; did you mean 'params'?" });
  });
});

describe('Universe', () => {
  test('from an array, an object symbol -> data, or a Universe', () => {
    const cols = [...sample].slice(0, 3).map((md) => md.toColumns());
    const fromArray = new Universe(cols);
    const fromObject = new Universe(Object.fromEntries(cols.map((c) => [c.symbol, { ...c, symbol: undefined }])));
    const fromMd = new Universe([...sample].slice(0, 3));
    for (const u of [fromArray, fromObject, fromMd, new Universe(fromMd)]) {
      assert.equal(u.length, 3);
      assert.deepEqual([...u.symbols], ['S01', 'S02', 'S03']);
      assert.deepEqual([...u].map((md) => md.symbol), ['S01', 'S02', 'S03']);
      assert.ok(u.get('S02') instanceof MarketData);
      assert.ok(u.get('S02').equals(sample.get('S02')));
      assert.equal(u.get('NOPE'), undefined);
      assert.ok(u.has('S03') && !u.has('S04'));
      assert.ok(u.equals(fromMd));
    }
    assert.equal(String(fromMd), `Universe(['S01', 'S02', 'S03'], bars=${SAMPLE.days}, ${sample.dates[0]} .. ${sample.dates[SAMPLE.days - 1]})`);
  });

  test('an array of bars is an asset too; its refusal names the symbol', () => {
    const md = generateSampleData('ROWS', 5, 100, { seed: 3 });
    const rows = md.dates.map((date, i) => ({ date, open: md.open[i], high: md.high[i], low: md.low[i], close: md.close[i], volume: md.volume[i] }));
    const u = new Universe({ ROWS: rows });
    assert.ok(u.get('ROWS').equals(md));
    rows[2] = { ...rows[2], low: rows[2].high * 2 };
    assert.throws(() => new Universe({ ROWS: rows }), (e) => e instanceof BacktestError && e.code === 'invalid_market_data' && e.message.startsWith("asset 'ROWS': "));
    assert.throws(() => new Universe(5), { code: 'invalid_market_data' });
    assert.throws(() => new Universe([5]), { message: "asset 'UNKNOWN' must be MarketData, an object of columns or an array of bars, got 5.0" });
  });

  test('a result\'s curves and breakdown', () => {
    const r = engine.runPortfolio([...sample], ONE, { maxPositions: 2 });
    assert.equal(r.equityCurve.length, sample.dates.length);
    assert.equal(r.cash.length, sample.dates.length);
    assert.deepEqual(Object.keys(r.positionValues), [...sample.symbols]);
    assert.deepEqual(r.assets.map((a) => a.symbol), [...sample.symbols]);
    assert.equal(r.assets.reduce((n, a) => n + a.tradeCount, 0), r.tradeCount);
    // equity = cash + the positions' values, on every bar
    for (let t = 0; t < r.equityCurve.length; t += 37) {
      const held = Object.values(r.positionValues).reduce((s, col) => s + col[t], 0);
      assert.ok(Math.abs(r.cash[t] + held - r.equityCurve[t]) <= 1e-6 * r.equityCurve[t]);
    }
    assert.ok(Object.isFrozen(r) && Object.isFrozen(r.trades) && Object.isFrozen(r.assets));
    const j = JSON.parse(JSON.stringify(r));
    assert.equal(j.equityCurve.length, sample.dates.length);
    assert.equal(j.positionValues.S01.length, sample.dates.length);
    assert.equal(j.backend, 'wasm');
    assert.throws(() => new PortfolioResult(Symbol('x'), {}), TypeError);
  });
});

describe('runPortfolioAsync', () => {
  test('the same result off the calling thread', async () => {
    const c = CASES[3];
    const here = engine.runPortfolio(sample, c.strategy, optionsOf(c.settings, c.params));
    const there = await engine.runPortfolioAsync(sample, c.strategy, optionsOf(c.settings, c.params));
    assert.deepStrictEqual(asPython(there), asPython(here));
    assert.deepStrictEqual(asPython(there), (({ backend, ...rest }) => rest)(python.results[3]));
  });

  test('refusals arrive as BacktestError, and the engine goes on', async () => {
    await assert.rejects(engine.runPortfolioAsync(sample, ONE, { maxPositions: 2, size: 0.5 }), (e) => e instanceof BacktestError && e.code === 'invalid_parameter' && /max_positions and size cannot be combined/.test(e.message));
    await assert.rejects(engine.runPortfolioAsync(sample, { S01: ONE }), (e) => e instanceof BacktestError && e.code === 'invalid_strategy');
    await assert.rejects(engine.runPortfolioAsync([], ONE), (e) => e instanceof BacktestError && e.code === 'invalid_market_data');
    const r = await engine.runPortfolioAsync(sample, CASES[0].strategy);
    assert.deepStrictEqual(asPython(r).trades, python.results[0].trades);
  });
});

describe('the golden portfolio files (tests/golden/portfolios.json, portfolio_errors.json)', () => {
  const close = (a, b) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  for (const c of readJson('portfolios.json')) {
    test(c.name, () => {
      const { strategy, settings = {}, params } = c.request;
      const r = asPython(engine.runPortfolio(new Universe(c.universe), strategy, optionsOf(settings, params)));
      const e = c.expected;
      assert.deepEqual(r.dates, e.dates);
      assert.equal(r.trades.length, e.trades.length, 'trade count');
      r.trades.forEach((t, k) => {
        for (const [field, want] of Object.entries(e.trades[k])) {
          const got = t[field];
          assert.ok(typeof want === 'number' ? close(got, want) : got === want, `trade ${k} ${field}: ${got} vs ${want}`);
        }
      });
      for (const name of ['equity_curve', 'cash']) e[name].forEach((x, k) => assert.ok(close(r[name][k], x), `${name}[${k}]`));
      for (const [symbol, col] of Object.entries(e.position_values)) col.forEach((x, k) => assert.ok(close(r.position_values[symbol][k], x), `${symbol}[${k}]`));
      e.assets.forEach((a, k) => {
        for (const [field, want] of Object.entries(a)) assert.ok(typeof want === 'number' ? close(r.assets[k][field], want) : r.assets[k][field] === want, `asset ${k} ${field}`);
      });
      for (const [name, want] of Object.entries(e.metrics)) assert.ok(close(r[name], want), `${name}: ${r[name]} vs ${want}`);
    });
  }
  for (const c of readJson('portfolio_errors.json')) {
    test(`refused: ${c.name}`, () => {
      const { strategy, settings = {}, params } = c.request;
      const message = c.error.replace(/'(max_postions|max_positions)'/g, (_, n) => `'${camel(n)}'`);
      assert.throws(
        () => engine.runPortfolio(new Universe(c.universe), strategy, optionsOf(settings, params)),
        (err) => err instanceof BacktestError && err.message === message && err.code === c.code,
        `expected ${message} (${c.code})`,
      );
    });
  }
});
