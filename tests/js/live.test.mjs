// Live runs (SPEC part 11) in JS: pushing bars one at a time equals runBacktest on the bars
// pushed so far, bit for bit, at every prefix checked (the golden strategy cases, and a seeded
// random test over strategies, settings and bars); saved states resume, and load in Python's
// native engine (and Python's in JS) with identical texts after the same pushes; bad bars are
// refused with the Python package's messages and change nothing; bad states are refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { BacktestError, LiveRun, MarketData, RustEngine, StrategyResult, catalog, generateSampleData, strategy as qs } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const CASES = JSON.parse(readFileSync(join(GOLDEN_DIR, 'strategies.json'), 'utf8')).filter((c) => !c.request.signals);
const COLUMNS = ['open', 'high', 'low', 'close', 'volume'];

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const camelKeys = (o) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [camel(k), v]));
const METRIC_KEYS = catalog().metrics.map((m) => camel(m.name));

const engine = new RustEngine();

/** Everything a result says (deepStrictEqual compares numbers with Object.is: -0 is not 0). */
function fingerprint(r) {
  assert.ok(r instanceof StrategyResult);
  return {
    metrics: Object.fromEntries(METRIC_KEYS.map((k) => [k, r[k]])),
    trades: r.trades.map((t) => ({ ...t })),
    equity: Array.from(r.equityCurve),
    params: { ...r.params },
  };
}

/** The bars of `data` as live.push takes them. @param {MarketData} data */
function rows(data) {
  const dates = data.dates;
  const cols = COLUMNS.map((c) => data[c]);
  return dates.map((date, t) => ({ date, open: cols[0][t], high: cols[1][t], low: cols[2][t], close: cols[3][t], volume: cols[4][t] }));
}

/** The first `n` bars of `data`. @param {MarketData} data @param {number} n */
function prefix(data, n) {
  const out = { symbol: data.symbol, dates: data.dates.slice(0, n) };
  for (const c of COLUMNS) out[c] = data[c].slice(0, n);
  return new MarketData(out);
}

/** A small seeded PRNG (mulberry32): the same seed, the same cases. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

describe('golden strategy cases: every prefix pushed equals runBacktest on it', () => {
  test('the file holds the cases', () => assert.ok(CASES.length >= 30, `${CASES.length} cases`));
  for (const c of CASES) {
    test(c.name, () => {
      const data = new MarketData(c.data);
      const settings = { ...camelKeys(c.request.settings), params: c.request.params };
      const live = engine.live(c.request.strategy, settings);
      const n = data.length;
      rows(data).forEach((bar, t) => {
        live.push(bar);
        if (t < 12 || t % 29 === 0 || t === n - 1) {
          const want = engine.runBacktest(prefix(data, t + 1), c.request.strategy, settings);
          assert.deepStrictEqual(fingerprint(live.result()), fingerprint(want), `after ${t + 1} bars`);
        }
      });
      assert.equal(live.bars, n);
      assert.equal(live.lastDate, data.dates[n - 1]);
      live.free();
    });
  }
});

// -- a seeded random test: strategies, settings, bars, prefixes -----------------------------

/** A random series of the builder (indicators of random periods, shifted sometimes). */
function randomSeries(r, depth = 0) {
  const p = () => r.int(2, 15);
  const makers = [
    () => qs.close,
    () => qs.open,
    () => qs.sma(p()),
    () => qs.ema(p()),
    () => qs.wma(p()),
    () => qs.highest(p(), { source: qs.high }),
    () => qs.lowest(p(), { source: qs.low }),
    () => qs.bbands(p(), 2).lower,
    () => qs.bbands(p(), 1.5).upper,
    () => qs.macd(r.int(2, 6), r.int(7, 14), 3).signal,
    () => (depth === 0 ? qs.sma(p(), { source: randomSeries(r, 1) }) : qs.ema(p())),
  ];
  const s = r.pick(makers)();
  return r.chance(0.2) ? s.shift(r.int(1, 3)) : s;
}

/** A random condition: comparisons of price-scale series, oscillators against levels, combined. */
function randomCondition(r, depth = 0) {
  const leaf = () => {
    const kind = r.int(0, 4);
    if (kind === 0) return randomSeries(r).crossesAbove(randomSeries(r));
    if (kind === 1) return randomSeries(r).crossesBelow(randomSeries(r));
    if (kind === 2) return randomSeries(r)[r.pick(['gt', 'lt', 'ge', 'le'])](randomSeries(r));
    if (kind === 3) return qs.rsi(r.int(2, 14))[r.pick(['gt', 'lt', 'crossesAbove', 'crossesBelow'])](r.int(25, 75));
    return qs.roc(r.int(2, 10))[r.pick(['gt', 'lt'])](0);
  };
  if (depth >= 2 || r.chance(0.5)) return leaf();
  const op = r.int(0, 2);
  if (op === 0) return randomCondition(r, depth + 1).and(randomCondition(r, depth + 1));
  if (op === 1) return randomCondition(r, depth + 1).or(randomCondition(r, depth + 1));
  return randomCondition(r, depth + 1).not();
}

/** A random strategy and settings (the direction is the sides the strategy has). */
function randomCase(r) {
  const a = r.int(2, 12);
  const b = r.int(1, 15);
  const presets = [
    () => qs.smaCross(a, a + b),
    () => qs.emaCross(a, a + b),
    () => qs.rsiReversion({ period: a + 1, lower: 30, upper: 70 }),
    () => qs.bollingerReversion({ period: a + 2, k: 2 }),
    () => qs.donchianBreakout({ period: a + 1 }),
    () => qs.macdCross({ fast: a, slow: a + b, signal: 3 }),
  ];
  const tree = r.chance(0.5);
  const direction = tree ? r.pick(['long_only', 'short_only', 'both']) : 'long_only';
  /** @type {Record<string, unknown>} */
  const sides = {};
  if (direction !== 'short_only') Object.assign(sides, { entry: randomCondition(r), exit: randomCondition(r) });
  if (direction !== 'long_only') Object.assign(sides, { shortEntry: randomCondition(r), shortExit: randomCondition(r) });
  const strategy = tree ? new qs.Strategy(sides) : r.pick(presets)();
  /** @type {Record<string, unknown>} */
  const settings = {};
  const maybe = (key, values) => {
    if (r.chance(0.5)) settings[key] = r.pick(values);
  };
  maybe('initialCapital', [100_000, 2_500.5]);
  maybe('commissionRate', [0, 0.001, 0.01]);
  maybe('fixedFee', [0, 1.5]);
  maybe('slippage', [0, 0.002]);
  maybe('fill', ['close', 'next_open']);
  maybe('lotSize', [0, 1, 10]);
  settings.direction = direction;
  if (r.chance(0.3)) {
    settings.sizeType = r.pick(['percent', 'value']);
    settings.size = settings.sizeType === 'percent' ? r.pick([0.5, 1]) : r.pick([1_000, 50_000]);
  }
  maybe('stopLoss', [0.02, 0.05]);
  maybe('takeProfit', [0.03, 0.1]);
  maybe('trailingStop', [0.04, 0.08]);
  const days = r.int(1, 180);
  const seed = r.int(0, 2 ** 31);
  const checks = new Set([days]);
  for (let k = r.int(1, 4); k > 0; k--) checks.add(r.int(1, days));
  return { strategy, settings, days, seed, checks, equityCurve: r.chance(0.8) };
}

test('seeded random strategies and settings: live equals batch at every prefix checked', () => {
  const r = prng(20_240_611);
  let checked = 0;
  let trades = 0;
  for (let i = 0; i < 60; i++) {
    const c = randomCase(r);
    const label = `case ${i}: ${JSON.stringify({ ...c.settings, days: c.days, seed: c.seed })}`;
    const data = generateSampleData('P', c.days, 100, { seed: c.seed });
    const live = engine.live(c.strategy, { ...c.settings, equityCurve: c.equityCurve });
    rows(data).forEach((bar, t) => {
      live.push(bar);
      if (!c.checks.has(t + 1)) return;
      const want = fingerprint(engine.runBacktest(prefix(data, t + 1), c.strategy, c.settings));
      const got = fingerprint(live.result());
      if (!c.equityCurve) {
        assert.equal(got.equity.length, 0, `${label}: no curve kept`);
        got.equity = want.equity;
      }
      assert.deepStrictEqual(got, want, `${label}, after ${t + 1} bars`);
      assert.equal(live.equity, want.equity[t], `${label}: equity after ${t + 1} bars`);
      checked += 1;
      trades += want.trades.length;
    });
    live.free();
  }
  // the cases do trade (a test of empty results would prove little)
  assert.ok(checked >= 120 && trades >= 200, `${checked} prefixes checked, ${trades} trades`);
});

// -- events, position, state --------------------------------------------------------------

test('events tell the trades, and position, cash, equity and pending follow the bars', () => {
  const data = generateSampleData('EV', 600, 100, { seed: 11 });
  const live = engine.live(qs.smaCross(5, 20), { symbol: 'EV', stopLoss: 0.03 });
  assert.deepEqual([live.bars, live.position, live.pending, live.equity, live.lastDate, live.symbol], [0, null, null, 100_000, null, 'EV']);
  assert.throws(() => live.result(), (e) => e instanceof BacktestError && e.message === 'market data is empty: need at least 1 row');
  const events = [];
  let sawPending = false;
  for (const bar of rows(data)) {
    const got = live.push(bar);
    assert.ok(Object.isFrozen(got));
    events.push(...got);
    if (got.some((e) => e.kind === 'order')) {
      assert.ok(['open_long', 'close'].includes(live.pending), String(live.pending));
      sawPending = true;
    }
    const p = live.position;
    if (p === null) assert.equal(live.equity, live.cash);
    else {
      assert.equal(p.side, 'long');
      assert.ok(p.size > 0);
      assert.equal(live.equity, live.cash + p.size * bar.close);
    }
  }
  assert.ok(sawPending);
  const r = live.result();
  assert.ok(r.tradeCount > 5);
  for (const e of events) {
    assert.deepEqual(Object.keys(e), ['kind', 'bar', 'date', 'symbol', 'side', 'price', 'size', 'reason']);
    assert.ok(['signal', 'order', 'fill', 'stop'].includes(e.kind));
    assert.ok(['long', 'short'].includes(e.side));
    assert.equal(typeof e.reason, 'string');
    assert.equal(e.symbol, 'EV');
    assert.equal(e.date, data.dates[e.bar]);
  }
  const exits = events.filter((e) => e.kind === 'stop' || (e.kind === 'fill' && e.reason !== 'entry'));
  assert.deepEqual(
    exits.map((e) => [e.bar, e.price, e.size, e.reason]),
    r.trades.map((t) => [t.exitIndex, t.exitPrice, t.size, t.exitReason]),
  );
  assert.ok(exits.some((e) => e.kind === 'stop' && e.reason === 'stop_loss'));
  const entries = events.filter((e) => e.kind === 'fill' && e.reason === 'entry');
  assert.deepEqual(
    entries.slice(0, r.trades.length).map((e) => [e.bar, e.price]),
    r.trades.map((t) => [t.entryIndex, t.entryPrice]),
  );
  const orders = events.filter((e) => e.kind === 'order');
  assert.ok(orders.length > 0 && orders.every((o) => o.price === null && o.size === null));
  const signals = events.filter((e) => e.kind === 'signal');
  assert.ok(signals.length > 0 && signals.every((s) => s.price === data.close[s.bar] && s.size === null && ['entry', 'exit'].includes(s.reason)));
  // next_open: every entry fills on the bar after its order
  const opened = new Set(orders.filter((o) => o.reason === 'open').map((o) => o.bar + 1));
  assert.ok(entries.every((e) => opened.has(e.bar)));
  assert.match(String(live), /^LiveRun\(bars=600, position=/);
});

test('short positions, reversals and the events of both sides', () => {
  const data = generateSampleData('SH', 400, 100, { seed: 3 });
  const fast = qs.ema(5);
  const slow = qs.sma(15);
  const s = new qs.Strategy({ entry: fast.crossesAbove(slow), exit: fast.crossesBelow(slow), shortEntry: fast.crossesBelow(slow), shortExit: fast.crossesAbove(slow) });
  const live = engine.live(s, { direction: 'both', fill: 'close' });
  const events = live.pushMany(rows(data));
  const r = engine.runBacktest(data, s, { direction: 'both', fill: 'close' });
  assert.deepStrictEqual(fingerprint(live.result()), fingerprint(r));
  assert.ok(r.trades.some((t) => t.direction === 'short'));
  assert.ok(events.some((e) => e.kind === 'fill' && e.side === 'short' && e.reason === 'entry'));
  assert.ok(events.some((e) => e.reason === 'reverse'));
  let shortSeen = false;
  const again = engine.live(s, { direction: 'both', fill: 'close' });
  for (const bar of rows(data)) {
    again.push(bar);
    if (again.position?.side === 'short') shortSeen = true;
  }
  assert.ok(shortSeen);
});

test('a Date is ISO text as MarketData writes it; a bar naming the run symbol is taken', () => {
  const live = engine.live(qs.smaCross(2, 3), { symbol: 'D' });
  live.push({ date: new Date(Date.UTC(2024, 0, 2)), open: 10, high: 11, low: 9, close: 10, volume: 5, symbol: 'D' });
  assert.equal(live.lastDate, '2024-01-02');
  live.push({ date: new Date(Date.UTC(2024, 0, 3, 15, 30)), open: 10, high: 11, low: 9, close: 10, volume: 5 });
  assert.equal(live.lastDate, '2024-01-03T15:30:00.000Z');
  // BigInt and integral numbers are numbers, as Python's ints
  live.push({ date: '2024-01-04', open: 10, high: 11, low: 9, close: 10, volume: 7n, symbol: null });
  assert.equal(live.bars, 3);
});

test('equityCurve false keeps no curve: the same trades and metrics', () => {
  const data = generateSampleData('NC', 200, 100, { seed: 2 });
  const live = engine.live(qs.smaCross(5, 15), { equityCurve: false });
  live.pushMany(rows(data));
  const got = fingerprint(live.result());
  const want = fingerprint(engine.runBacktest(data, qs.smaCross(5, 15)));
  assert.equal(got.equity.length, 0);
  assert.deepStrictEqual({ ...got, equity: want.equity }, want);
  assert.ok(live.toJSON().includes('"equity_curve":null'));
});

test('toJSON / fromJSON mid-run resumes to the same final answer', () => {
  const data = generateSampleData('SV', 400, 100, { seed: 8 });
  const strategy = qs.rsiReversion({ period: 7, lower: 35, upper: 65 });
  const options = { trailingStop: 0.05, fill: 'close', params: {} };
  const straight = engine.live(strategy, options);
  let resumed = engine.live(strategy, options);
  rows(data).forEach((bar, t) => {
    assert.deepEqual(straight.push(bar), resumed.push(bar));
    if (t % 90 === 45) {
      const text = resumed.toJSON();
      assert.equal(typeof text, 'string');
      const saved = JSON.parse(text);
      assert.deepEqual([saved.format, saved.version], ['quant-backtest/live-state', 1]);
      resumed.free();
      resumed = t % 180 === 45 ? engine.liveFromJSON(text) : LiveRun.fromJSON(text);
      assert.equal(resumed.toJSON(), text);
      assert.equal(resumed.bars, t + 1);
    }
  });
  assert.equal(resumed.toJSON(), straight.toJSON());
  assert.deepStrictEqual(fingerprint(resumed.result()), fingerprint(straight.result()));
  assert.deepStrictEqual(fingerprint(resumed.result()), fingerprint(engine.runBacktest(data, strategy, options)));
  // JSON.stringify sees the text (toJSON returns it) and writes it as a JSON string
  assert.equal(JSON.parse(JSON.stringify(straight)), straight.toJSON());
});

test('feed: for await over an async iterable pushes each bar and yields its events', async () => {
  const data = generateSampleData('AF', 120, 100, { seed: 4 });
  async function* source() {
    for (const bar of rows(data)) {
      await new Promise((r) => setTimeout(r, 0));
      yield bar;
    }
  }
  const live = engine.live(qs.smaCross(3, 9), { fill: 'close' });
  const got = [];
  for await (const events of live.feed(source())) got.push(events);
  assert.equal(got.length, 120);
  assert.ok(got.some((e) => e.length > 0));
  assert.deepStrictEqual(fingerprint(live.result()), fingerprint(engine.runBacktest(data, qs.smaCross(3, 9), { fill: 'close' })));
  // a bad bar in the stream rejects the loop, the bars before it pushed
  async function* bad() {
    yield { date: '2030-01-01', open: 1, high: 1, low: 1, close: 1, volume: 1 };
    yield { date: '2029-01-01', open: 1, high: 1, low: 1, close: 1, volume: 1 };
  }
  await assert.rejects(async () => {
    for await (const _ of live.feed(bad())) void _;
  }, /dates at row 121 \('2029-01-01'\) is not after row 120/);
  assert.equal(live.bars, 121);
});

// -- refusals -----------------------------------------------------------------------------

/** The Python test's bad bars (tests/python/test_live.py), row 30, with their messages. */
const BAD_BARS = [
  ['date not after the last', (b) => ({ ...b, date: '2020-01-01' }), "dates at row 30 ('2020-01-01') is not after row 29"],
  ['NaN close', (b) => ({ ...b, close: NaN }), 'close at row 30 must be a finite number > 0, got NaN'],
  ['high below low', (b) => ({ ...b, high: b.low / 2 }), 'high at row 30 is below low'],
  ['negative volume', (b) => ({ ...b, volume: -1.5 }), 'volume at row 30 must be a finite number >= 0, got -1.5'],
  ['missing field', ({ low: _, ...rest }) => rest, "the bar at row 30 has no 'low'"],
  ['unknown field', (b) => ({ ...b, clsoe: 1.0 }), "the bar at row 30 has an unknown field 'clsoe'; did you mean 'close'?"],
  ['a string price', (b) => ({ ...b, open: '12' }), "open at row 30 must be a number, got '12'"],
  ['a boolean price', (b) => ({ ...b, open: true }), 'open at row 30 must be a number, got true'],
  ['a number date', (b) => ({ ...b, date: 7 }), 'date at row 30 must be a string, got 7'],
  ['wrong symbol', (b) => ({ ...b, symbol: 'MSFT' }), "the bar at row 30 is for symbol 'MSFT' but this run trades 'AAPL'"],
  ['an array', () => [1, 2], 'the bar at row 30 must be an object with date, open, high, low, close and volume, got an array'],
  ['not ISO', (b) => ({ ...b, date: '30/01/2020' }), "dates at row 30 is not an ISO 8601 date or datetime: '30/01/2020'"],
  ['a symbol that is not a string', (b) => ({ ...b, symbol: 5 }), 'symbol at row 30 must be a string, got 5'],
  // JS's own: an undefined field is a missing one; null is a value
  ['an undefined field', (b) => ({ ...b, close: undefined }), "the bar at row 30 has no 'close'"],
  ['a null price', (b) => ({ ...b, close: null }), 'close at row 30 must be a number, got null'],
  ['null', () => null, 'the bar at row 30 must be an object with date, open, high, low, close and volume, got null'],
  ['an invalid Date', (b) => ({ ...b, date: new Date(NaN) }), "dates at row 30 is not an ISO 8601 date or datetime: 'Invalid Date'"],
];

describe('a bad bar is refused with the message of batch validation and changes nothing', () => {
  const data = generateSampleData('AAPL', 60, 100, { seed: 1 });
  const bars = rows(data).map((b) => ({ ...b, symbol: 'AAPL' }));
  for (const [name, make, message] of BAD_BARS) {
    test(name, () => {
      const live = engine.live(qs.smaCross(3, 8), { symbol: 'AAPL', stopLoss: 0.02 });
      live.pushMany(bars.slice(0, 30));
      const before = live.toJSON();
      assert.throws(
        () => live.push(make(bars[30])),
        (e) => e instanceof BacktestError && e.code === 'invalid_market_data' && e.message.startsWith(message),
      );
      assert.equal(live.toJSON(), before);
      live.push(bars[30]);
      assert.equal(live.bars, 31);
    });
  }
  test('a bar naming a symbol when the run has none', () => {
    const live = engine.live(qs.smaCross(3, 8));
    assert.throws(() => live.push(bars[0]), { message: "the bar at row 0 is for symbol 'AAPL' but this run has no symbol; give the run symbol='AAPL'" });
    assert.equal(live.bars, 0);
  });
});

describe('bad states and options are refused', () => {
  const data = generateSampleData('BS', 40, 100, { seed: 1 });
  const live = engine.live(qs.smaCross(3, 8));
  live.pushMany(rows(data));
  const text = live.toJSON();
  const refused = (t) => {
    let error;
    assert.throws(() => engine.liveFromJSON(t), (e) => {
      error = e;
      return e instanceof BacktestError && e.code === 'invalid_state';
    });
    return error.message;
  };
  test('not JSON, not a live state, another version, a changed byte, not text', () => {
    assert.match(refused('{'), /^a live state must be JSON text/);
    assert.equal(refused(text.replace('"version":1', '"version":2')), 'live state version 2 cannot be read: this engine reads version 1');
    assert.match(refused(text.replace('quant-backtest/live-state', 'x')), /^not a live state/);
    assert.equal(refused(text.replace('"bars":40', '"bars":41')), 'the live state is corrupt: its checksum does not match its content');
    assert.equal(refused(12), 'a live state must be JSON text, got 12');
    assert.match(refused(JSON.stringify({ ...JSON.parse(text), state: undefined })), /^a live state must hold 'request' and 'state'/);
    assert.throws(() => LiveRun.fromJSON('[]'), { code: 'invalid_state' });
  });
  test('options: unknown keys with the nearest name, equityCurve and symbol typed', () => {
    assert.throws(() => engine.live(qs.smaCross(3, 8), { comissionRate: 0.1 }), { message: "unknown setting 'comissionRate'; did you mean 'commissionRate'?", code: 'invalid_parameter' });
    assert.throws(() => engine.live(qs.smaCross(3, 8), { equityCurv: false }), { message: "unknown option 'equityCurv'; did you mean 'equityCurve'?" });
    assert.throws(() => engine.live(qs.smaCross(3, 8), { equityCurve: 1 }), { message: 'equity_curve must be true or false, got 1', code: 'invalid_parameter' });
    assert.throws(() => engine.live(qs.smaCross(3, 8), { symbol: 3 }), { message: 'symbol must be a string, got 3' });
    assert.throws(() => engine.live(qs.smaCross(3, 8), { stopLoss: -1 }), BacktestError);
    assert.throws(() => engine.live({ entry: { crosses: ['close', 1] } }), { code: 'invalid_strategy' });
    assert.throws(() => engine.live(qs.smaCross(), {}), { message: "missing value for param 'fast' (used at entry.crosses_above[0].period)" });
    assert.throws(() => new LiveRun(), TypeError);
  });
  test('a freed run says so', () => {
    const l = engine.live(qs.smaCross(3, 8));
    l.free();
    l.free();
    assert.throws(() => l.push(rows(data)[0]), { message: 'this live run has been freed' });
    assert.equal(String(l), 'LiveRun(freed)');
  });
});

// -- the same states in Python (the native engine of .venv) --------------------------------

const PY_SCRIPT = `
import json, sys
from quant_backtest import RustEngine
job = json.load(sys.stdin)
e = RustEngine()
assert e.backend == "rust", e.backend
out = {}
live = e.live_from_json(job["js_state"])
for bar in job["rest"]:
    live.push(bar)
out["js_state_pushed"] = live.to_json()
out["js_state_result"] = [live.result().total_return, live.result().trade_count]
mine = e.live(job["strategy"], params=job["params"], symbol=job["symbol"], **job["settings"])
for bar in job["first"]:
    mine.push(bar)
out["py_state"] = mine.to_json()
bad = []
for bar in job["bad"]:
    fresh = e.live_from_json(out["py_state"])
    try:
        fresh.push(bar)
        bad.append(None)
    except Exception as error:
        bad.append([str(error), error.code])
out["bad"] = bad
print(json.dumps(out))
`;

test('a state saved in JS loads in Python and one saved in Python loads in JS: the same texts after the same pushes', () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing (scripts/setup.sh makes it)`);
  const data = generateSampleData('XL', 300, 100, { seed: 21 });
  const bars = rows(data);
  const strategy = qs.smaCross(qs.param('fast'), 20).toJSON();
  // settings in the catalog's order, values typed alike in both languages
  const settings = { commission_rate: 0.002, fill: 'close', stop_loss: 0.04, trailing_stop: 0.06 };
  const options = { ...camelKeys(settings), params: { fast: 6 }, symbol: 'XL' };
  const cut = 170;
  const js = engine.live(strategy, options);
  js.pushMany(bars.slice(0, cut));
  const jsState = js.toJSON();
  const bad = BAD_BARS.filter(([name]) => !['an undefined field', 'null', 'an invalid Date'].includes(name)).map(([, make]) =>
    make({ ...bars[cut], symbol: 'XL' }),
  );
  const out = JSON.parse(
    execFileSync(PYTHON, ['-c', PY_SCRIPT], {
      input: JSON.stringify({ js_state: jsState, rest: bars.slice(cut), strategy, settings, params: { fast: 6 }, symbol: 'XL', first: bars.slice(0, cut), bad }, (_, v) =>
        typeof v === 'number' && Number.isNaN(v) ? '__nan__' : v,
      ).replaceAll('"__nan__"', 'NaN'),
      encoding: 'utf8',
    }),
  );
  // the same request and pushes give the same text in both languages
  assert.equal(out.py_state, jsState);
  // Python resumes JS's state; JS resumes Python's; after the same bars, the same text
  js.pushMany(bars.slice(cut));
  assert.equal(out.js_state_pushed, js.toJSON());
  const fromPython = engine.liveFromJSON(out.py_state);
  fromPython.pushMany(bars.slice(cut));
  assert.equal(fromPython.toJSON(), js.toJSON());
  assert.deepEqual(out.js_state_result, [js.result().totalReturn, js.result().tradeCount]);
  assert.ok(js.result().tradeCount > 3);
  // the bad bars: Python's messages and codes, word for word
  const mine = bad.map((bar) => {
    const fresh = engine.liveFromJSON(out.py_state);
    try {
      fresh.push(bar);
      return null;
    } catch (e) {
      return [e.message, e.code];
    }
  });
  assert.deepEqual(mine, out.bad);
  assert.ok(mine.every((m) => m !== null));
});
