// Live portfolio runs (SPEC part 11) in JS: pushing one bar set per instant equals
// runPortfolio on the started assets' bars so far, bit for bit, at every prefix checked (every
// golden portfolio case at every prefix; a seeded random test over universes with staggered
// starts and gaps, strategies and settings); events tell the trades; saved states resume; bad
// bar sets are refused with the core's messages and change nothing; the texts saved in JS equal
// those the native Python door saves after the same pushes, and load there (and back).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { BacktestError, LivePortfolioRun, LiveRun, PortfolioResult, RustEngine, Universe, generateSampleUniverse, strategy as qs } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const GOLDEN = JSON.parse(readFileSync(join(GOLDEN_DIR, 'portfolios.json'), 'utf8'));
const FIELDS = ['open', 'high', 'low', 'close', 'volume'];

const engine = new RustEngine();
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const optionsOf = (settings, params) => ({ ...Object.fromEntries(Object.entries(settings ?? {}).map(([k, v]) => [camel(k), v])), ...(params ? { params } : {}) });

/** Everything a portfolio result says but its time (deepStrictEqual: numbers by Object.is). */
function fingerprint(r) {
  assert.ok(r instanceof PortfolioResult);
  const { executionTimeMs: _, ...rest } = r.toJSON();
  return rest;
}

/** The same without the curves (what a run with `equityCurve: false` keeps). */
function lean(f) {
  return { ...f, dates: [], equityCurve: [], cash: [], positionValues: Object.fromEntries(Object.keys(f.positionValues).map((k) => [k, []])) };
}

/**
 * A universe's assets as plain columns, and per union bar the bar set: symbol -> bar or null.
 * `own[i][t]`: asset i's own bar index at union bar t, or -1.
 * @param {any[]} columns
 */
function sets(columns) {
  const union = new Universe(columns).dates;
  const at = new Map(union.map((d, t) => [d, t]));
  const own = columns.map((c) => {
    const row = new Array(union.length).fill(-1);
    c.dates.forEach((d, j) => {
      assert.ok(at.has(d), 'each date is written as the union writes it');
      row[at.get(d)] = j;
    });
    return row;
  });
  const barSets = union.map((_, t) => {
    const set = {};
    columns.forEach((c, i) => {
      const j = own[i][t];
      set[c.symbol] = j < 0 ? null : { date: c.dates[j], open: c.open[j], high: c.high[j], low: c.low[j], close: c.close[j], volume: c.volume[j] };
    });
    return set;
  });
  return { union, own, barSets };
}

/** Leaves out the assets that have not started by `t` (a caller may), instead of null. */
function withoutUnstarted(set, own, columns, t) {
  const out = { ...set };
  columns.forEach((c, i) => {
    if (own[i].slice(0, t + 1).every((j) => j < 0)) delete out[c.symbol];
  });
  return out;
}

/** The universe of the assets started by union bar `t`, with their bars so far; the strategy narrowed to them. */
function prefix(columns, own, t, strategy) {
  const kept = [];
  columns.forEach((c, i) => {
    const n = own[i].slice(0, t + 1).filter((j) => j >= 0).length;
    if (n === 0) return;
    const p = { symbol: c.symbol, dates: c.dates.slice(0, n) };
    for (const f of FIELDS) p[f] = c[f].slice(0, n);
    kept.push(p);
  });
  const symbols = new Set(kept.map((c) => c.symbol));
  const perSymbol = strategy !== null && typeof strategy === 'object' && Object.keys(strategy).every((k) => columns.some((c) => c.symbol === k));
  const narrowed = perSymbol ? Object.fromEntries(Object.entries(strategy).filter(([k]) => symbols.has(k))) : strategy;
  return { universe: new Universe(kept), strategy: narrowed };
}

/** Pushes every instant to a run with curves and one without; checks at `checked(t)`. */
function checkPrefixes(columns, strategy, options, checked, what) {
  const { barSets, own } = sets(columns);
  const live = engine.live(strategy, { ...options, symbols: columns.map((c) => c.symbol) });
  const thin = engine.live(strategy, { ...options, symbols: columns.map((c) => c.symbol), equityCurve: false });
  let closes = 0;
  let prefixes = 0;
  barSets.forEach((set, t) => {
    const given = t % 2 === 0 ? withoutUnstarted(set, own, columns, t) : set;
    const events = live.push(given);
    assert.deepStrictEqual(thin.push(given), events, `${what}: events at ${t}`);
    closes += events.filter((e) => e.kind === 'stop' || (e.kind === 'fill' && e.reason !== 'entry')).length;
    if (!checked(t)) return;
    const p = prefix(columns, own, t, strategy);
    const want = fingerprint(engine.runPortfolio(p.universe, p.strategy, options));
    assert.deepStrictEqual(fingerprint(live.result()), want, `${what}: after ${t + 1} instants`);
    assert.deepStrictEqual(fingerprint(thin.result()), lean(want), `${what}: without curves, after ${t + 1} instants`);
    assert.equal(live.equity, want.equityCurve.at(-1), `${what}: equity at ${t}`);
    assert.equal(live.cash, want.cash.at(-1), `${what}: cash at ${t}`);
    assert.deepEqual(live.started, p.universe.symbols);
    prefixes += 1;
  });
  const r = live.result();
  assert.equal(closes, r.trades.length, `${what}: every trade closed by an event`);
  live.free();
  thin.free();
  return { prefixes, trades: r.trades.length };
}

describe('golden portfolio cases: every instant pushed equals runPortfolio on the started assets so far', () => {
  test('the file holds the cases', () => assert.ok(GOLDEN.length >= 8));
  for (const c of GOLDEN) {
    test(c.name, () => {
      const { strategy, settings, params } = c.request;
      const { prefixes } = checkPrefixes(c.universe, strategy, optionsOf(settings, params), () => true, c.name);
      assert.equal(prefixes, new Universe(c.universe).dates.length);
    });
  }
});

// -- seeded random universes, strategies and settings ---------------------------------------

/** A small seeded PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

/** The sample universe (staggered starts) with some bars dropped (gaps), as plain columns. */
function gappy(symbols, days, seed, drop) {
  return [...generateSampleUniverse(symbols, days, seed)].map((md, i) => {
    const c = md.toColumns();
    const keep = c.dates.map((_, j) => !drop(i, j));
    const out = { symbol: c.symbol, dates: c.dates.filter((_, j) => keep[j]) };
    for (const f of FIELDS) out[f] = Array.from(c[f]).filter((_, j) => keep[j]);
    return out;
  });
}

/** A random strategy of `direction`'s sides. */
function randomStrategy(r, direction, own = false) {
  const a = r.int(2, 8);
  const b = a + r.int(2, 15);
  const fast = r.pick([qs.sma(a), qs.ema(a), qs.wma(a)]);
  const slow = r.pick([qs.sma(b), qs.ema(b)]);
  const kind = r.int(0, 2);
  const sides = {};
  const long = kind === 0 ? [fast.crossesAbove(slow), fast.crossesBelow(slow)] : kind === 1 ? [qs.rsi(a + 3).lt(r.int(30, 45)), qs.rsi(a + 3).gt(r.int(55, 70))] : [qs.close.gt(slow), qs.close.lt(fast)];
  if (direction !== 'short_only') Object.assign(sides, { entry: long[0], exit: long[1] });
  if (direction !== 'long_only') Object.assign(sides, { shortEntry: long[1], shortExit: long[0] });
  return new qs.Strategy({ ...sides, ...(own ? { direction } : {}) }).toJSON();
}

function randomCase(r, symbols) {
  const settings = {};
  const perSymbol = r.chance(0.35);
  let strategy;
  if (perSymbol) {
    strategy = Object.fromEntries(symbols.map((s) => [s, randomStrategy(r, r.pick(['long_only', 'both', 'short_only']), true)]));
  } else {
    const direction = r.pick(['long_only', 'long_only', 'both', 'short_only']);
    strategy = randomStrategy(r, direction);
    settings.direction = direction;
  }
  const maybe = (key, values) => {
    if (r.chance(0.5)) settings[key] = r.pick(values);
  };
  if (r.chance(0.3)) settings.maxPositions = r.int(1, 3);
  else maybe('size', [0.2, 0.35, 0.5, 1]);
  maybe('fill', ['close', 'next_open']);
  maybe('commissionRate', [0, 0.001, 0.003]);
  maybe('slippage', [0, 0.0005]);
  maybe('stopLoss', [0.02, 0.05]);
  maybe('takeProfit', [0.04, 0.1]);
  maybe('trailingStop', [0.03, 0.08]);
  maybe('lotSize', [0, 1]);
  return { strategy, settings };
}

test('seeded random universes, strategies and settings: live equals batch at every prefix checked', () => {
  const r = prng(20_250_509);
  let prefixes = 0;
  let trades = 0;
  for (let i = 0; i < 24; i++) {
    const symbols = ['A', 'B', 'C', 'D', 'E'].slice(0, r.int(1, 5));
    const days = r.int(20, 220);
    const seed = r.int(0, 2 ** 31);
    const p = r.next() * 0.25;
    const drops = prng(seed);
    const columns = gappy(symbols, days, seed, (a, j) => j > 0 && drops.chance(p));
    const c = randomCase(r, symbols);
    const n = new Universe(columns).dates.length;
    const checks = new Set([n - 1, r.int(0, n - 1), r.int(0, n - 1), r.int(0, Math.min(n - 1, 30))]);
    const label = `case ${i}: ${JSON.stringify({ symbols, days, seed, ...c.settings, perSymbol: !c.settings.direction })}`;
    const got = checkPrefixes(columns, c.strategy, c.settings, (t) => checks.has(t), label);
    prefixes += got.prefixes;
    trades += got.trades;
  }
  assert.ok(prefixes >= 60 && trades >= 100, `${prefixes} prefixes checked, ${trades} trades`);
});

// -- events, positions, pending, state -----------------------------------------------------

const SAMPLE = gappy(['A', 'B', 'C', 'D'], 260, 7, (i, j) => (j * 7 + i * 3) % 11 === 0);
const CROSS = qs.smaCross(5, 20).toJSON();

test('events name their asset and tell the trades; positions, pending, cash and equity follow', () => {
  const { barSets, union } = sets(SAMPLE);
  const live = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'], stopLoss: 0.03, size: 0.3 });
  assert.deepEqual([live.bars, live.lastDate, live.started, live.positions, live.pending, live.equity, live.cash], [0, null, [], {}, {}, 100_000, 100_000]);
  assert.throws(() => live.result(), (e) => e instanceof BacktestError && e.message === 'market data is empty: need at least 1 row');
  const events = [];
  let sawPending = false;
  barSets.forEach((set, t) => {
    const got = live.push(set);
    assert.ok(Object.isFrozen(got));
    events.push(...got);
    for (const e of got) assert.equal(e.date, union[t]);
    for (const o of got.filter((e) => e.kind === 'order')) {
      assert.ok(['open_long', 'close'].includes(live.pending[o.symbol]), JSON.stringify(live.pending));
      sawPending = true;
    }
    let value = live.cash;
    for (const [symbol, p] of Object.entries(live.positions)) {
      assert.equal(p.side, 'long');
      const last = barSets.slice(0, t + 1).findLast((s) => s[symbol])[symbol];
      value += p.size * last.close;
    }
    assert.equal(live.equity, value);
  });
  assert.ok(sawPending);
  const r = live.result();
  assert.ok(r.tradeCount > 10, `${r.tradeCount} trades`);
  for (const e of events) {
    assert.deepEqual(Object.keys(e), ['kind', 'bar', 'date', 'symbol', 'side', 'price', 'size', 'reason']);
    assert.ok(['A', 'B', 'C', 'D'].includes(e.symbol));
    if (e.kind === 'signal') assert.equal(e.price, barSets[e.bar][e.symbol].close);
  }
  const exits = events.filter((e) => e.kind === 'stop' || (e.kind === 'fill' && e.reason !== 'entry'));
  assert.deepEqual(
    exits.map((e) => [e.symbol, e.bar, e.price, e.size, e.reason]),
    r.trades.map((t) => [t.symbol, t.exitIndex, t.exitPrice, t.size, t.exitReason]),
  );
  assert.ok(exits.some((e) => e.reason === 'stop_loss'));
  assert.equal(new Set(r.trades.map((t) => t.symbol)).size, 4, 'every asset trades');
  assert.ok(String(live).startsWith(`LivePortfolioRun(symbols=['A', 'B', 'C', 'D'], bars=${union.length}, positions=`), String(live));
});

test('a strategy per symbol, shorts, equal slots', () => {
  const strategy = {
    A: qs.smaCross(qs.param('fast'), 20).toJSON(),
    B: new qs.Strategy({ entry: qs.rsi(7).lt(35), exit: qs.rsi(7).gt(60), shortEntry: qs.rsi(7).gt(65), shortExit: qs.rsi(7).lt(40), direction: 'both' }).toJSON(),
    C: qs.emaCross(4, 12).toJSON(),
    D: new qs.Strategy({ shortEntry: qs.close.lt(qs.sma(10)), shortExit: qs.close.gt(qs.sma(10)), direction: 'short_only' }).toJSON(),
  };
  const options = { maxPositions: 2, params: { fast: 6 }, trailingStop: 0.05 };
  const got = checkPrefixes(SAMPLE, strategy, options, (t) => t % 13 === 0 || t > 250, 'per symbol');
  assert.ok(got.trades > 10);
  const live = engine.live(strategy, { ...options, symbols: ['A', 'B', 'C', 'D'] });
  const events = live.pushMany(sets(SAMPLE).barSets);
  assert.ok(events.some((e) => e.side === 'short' && e.kind === 'fill'));
  assert.ok(live.result().trades.some((t) => t.symbol === 'D' && t.direction === 'short'));
});

test('toJSON / liveFromJSON mid-run resumes to the same answer, with and without curves', () => {
  const { barSets } = sets(SAMPLE);
  for (const equityCurve of [true, false]) {
    const options = { symbols: ['A', 'B', 'C', 'D'], fill: 'close', takeProfit: 0.05, direction: 'both', equityCurve };
    const strategy = new qs.Strategy({ entry: qs.ema(5).crossesAbove(qs.sma(20)), exit: qs.ema(5).crossesBelow(qs.sma(20)), shortEntry: qs.rsi(7).lt(35), shortExit: qs.rsi(7).gt(55) });
    const straight = engine.live(strategy, options);
    let resumed = engine.live(strategy, options);
    barSets.forEach((set, t) => {
      assert.deepStrictEqual(resumed.push(set), straight.push(set));
      if (t % 40 === 5) {
        const text = resumed.toJSON();
        const saved = JSON.parse(text);
        assert.deepEqual([saved.format, saved.version, saved.request.symbols], ['quant-backtest/live-state', 1, ['A', 'B', 'C', 'D']]);
        resumed.free();
        resumed = t % 80 === 5 ? engine.liveFromJSON(text) : LivePortfolioRun.fromJSON(text);
        assert.ok(resumed instanceof LivePortfolioRun);
        assert.equal(resumed.toJSON(), text);
        assert.equal(resumed.bars, t + 1);
        assert.deepEqual(resumed.started, straight.started);
      }
    });
    assert.equal(resumed.toJSON(), straight.toJSON());
    assert.deepStrictEqual(fingerprint(resumed.result()), fingerprint(straight.result()));
    assert.equal(JSON.parse(JSON.stringify(straight)), straight.toJSON());
  }
});

test('liveFromJSON gives the right class for either kind; each class refuses the other kind', () => {
  const one = engine.live(CROSS, {});
  one.push({ date: '2024-01-02', open: 10, high: 11, low: 9, close: 10, volume: 5 });
  const many = engine.live(CROSS, { symbols: ['A'] });
  many.push({ A: { date: '2024-01-02', open: 10, high: 11, low: 9, close: 10, volume: 5 } });
  assert.ok(engine.liveFromJSON(one.toJSON()) instanceof LiveRun);
  assert.ok(engine.liveFromJSON(many.toJSON()) instanceof LivePortfolioRun);
  assert.throws(() => LiveRun.fromJSON(many.toJSON()), { code: 'invalid_state', message: "this live state is a portfolio's, not a one-asset run's: resume it with liveFromJSON" });
  assert.throws(() => LivePortfolioRun.fromJSON(one.toJSON()), { code: 'invalid_state', message: "this live state is a one-asset run's, not a portfolio's: resume it with liveFromJSON" });
  assert.throws(() => engine.liveFromJSON(many.toJSON().replace('"bars":1', '"bars":2')), { code: 'invalid_state', message: 'the live state is corrupt: its checksum does not match its content' });
  assert.throws(() => LivePortfolioRun.fromJSON(3), { code: 'invalid_state', message: 'a live state must be JSON text, got 3' });
});

test('feed: for await over an async iterable pushes each bar set', async () => {
  const { barSets } = sets(SAMPLE);
  async function* source() {
    for (const set of barSets.slice(0, 80)) {
      await new Promise((r) => setTimeout(r, 0));
      yield set;
    }
  }
  const live = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'], fill: 'close' });
  let n = 0;
  for await (const events of live.feed(source())) n += events.length >= 0 ? 1 : 0;
  assert.equal(n, 80);
  const again = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'], fill: 'close' });
  again.pushMany(barSets.slice(0, 80));
  assert.equal(live.toJSON(), again.toJSON());
});

test('the packed path and the core-read path give the same run', () => {
  const { barSets } = sets(SAMPLE);
  const a = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'] });
  const b = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'] });
  barSets.forEach((set, t) => {
    // A Map, bars with a Date, or a null-prototype object: read by the core.
    const other = t % 3 === 0 ? Object.assign(Object.create(null), set) : Object.fromEntries(Object.entries(set).map(([k, v]) => [k, v && { ...v, date: new Date(`${v.date}T00:00:00Z`), symbol: k }]));
    assert.deepStrictEqual(b.push(other), a.push(set), `instant ${t}`);
  });
  assert.equal(a.toJSON(), b.toJSON());
});

// -- refusals -----------------------------------------------------------------------------

describe('a refused bar set changes nothing (tests/live_portfolio.rs)', () => {
  const columns = gappy(['A', 'B', 'C', 'D'], 260, 5, (i, j) => (j * 7 + i * 3) % 11 === 0);
  const { barSets, own } = sets(columns);
  const t0 = Math.max(...own.map((row) => row.findIndex((j) => j >= 0))) + 3;
  const good = barSets[t0];
  const first = Object.keys(good).find((k) => good[k] !== null);
  const i = columns.findIndex((c) => c.symbol === first);
  const row = own[i].slice(0, t0).filter((j) => j >= 0).length;
  const previous = new Universe(columns).dates[t0 - 1];
  const edit = (f) => {
    const s = structuredClone(good);
    f(s);
    return s;
  };
  const present = Object.keys(good).filter((k) => good[k] !== null);
  const refusals = [
    ['not an object', [1, 2], `the bar set at row ${t0} must be an object symbol -> bar (or null), got an array`],
    ['null', null, `the bar set at row ${t0} must be an object symbol -> bar (or null), got null`],
    ['an unknown symbol', edit((s) => (s.AA = null)), `the bar set at row ${t0} has a bar for unknown symbol 'AA'; did you mean 'A'?`],
    ['a started asset left out', edit((s) => delete s.C), `the bar set at row ${t0} has no bar for 'C', which has started; give it null when it has no bar at this instant`],
    ['a started asset undefined', edit((s) => (s.C = undefined)), `the bar set at row ${t0} has no bar for 'C', which has started; give it null when it has no bar at this instant`],
    ['no bar', edit((s) => Object.keys(s).forEach((k) => (s[k] = null))), `the bar set at row ${t0} has no bar: at least one asset needs one`],
    ['a bad close', edit((s) => (s[first].close = -1.0)), `asset '${first}': close at row ${row} must be a finite number > 0, got -1.0`],
    ['a date not after the last', edit((s) => (s[first].date = previous)), `asset '${first}': dates at row ${row} ('${previous}') is not after the last bar set's ('${previous}'); bar sets must be strictly increasing`],
    ['a missing field', edit((s) => delete s[first].volume), `asset '${first}': the bar at row ${row} has no 'volume'`],
    ['a string price', edit((s) => (s[first].open = '12')), `asset '${first}': open at row ${row} must be a number, got '12'`],
    ['an unknown field', edit((s) => (s[first].clsoe = 1)), `asset '${first}': the bar at row ${row} has an unknown field 'clsoe'; did you mean 'close'?`],
    ['a bar naming another symbol', edit((s) => (s[first].symbol = 'ZZ')), `asset '${first}': the bar at row ${row} is for symbol 'ZZ' but this run trades '${first}'`],
    ['a bar that is not an object', edit((s) => (s[first] = 5)), `asset '${first}': the bar at row ${row} must be an object with date, open, high, low, close and volume, got 5`],
  ];
  if (present.length >= 2) {
    refusals.push(['two instants', edit((s) => (s[present[1]].date = '2099-01-01')), 'mixes instants']);
  }
  const run = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'], size: 0.3, stopLoss: 0.03, takeProfit: 0.06 });
  run.pushMany(barSets.slice(0, t0));
  const before = run.toJSON();
  for (const [name, set, message] of refusals) {
    test(name, () => {
      assert.throws(
        () => run.push(set),
        (e) => e instanceof BacktestError && e.code === 'invalid_market_data' && (message === 'mixes instants' ? e.message.includes(message) : e.message === message),
        message,
      );
      assert.equal(run.toJSON(), before);
    });
  }
  test('the good set then goes on as if nothing had come', () => {
    const fresh = engine.live(CROSS, { symbols: ['A', 'B', 'C', 'D'], size: 0.3, stopLoss: 0.03, takeProfit: 0.06 });
    fresh.pushMany(barSets.slice(0, t0 + 1));
    run.push(good);
    assert.equal(run.toJSON(), fresh.toJSON());
  });
});

describe('bad requests and options', () => {
  test('symbols and symbol together, symbols typed, universe rules, options with the nearest name', () => {
    assert.throws(() => engine.live(CROSS, { symbols: ['A'], symbol: 'A' }), { message: 'give symbol (one asset) or symbols (a portfolio), not both', code: 'invalid_parameter' });
    assert.throws(() => engine.live(CROSS, { symbols: 'AB' }), { message: "symbols must be a list of strings, got 'AB'", code: 'invalid_parameter' });
    assert.throws(() => engine.live(CROSS, { symbols: ['A', 3] }), { message: 'symbols[1] must be a string, got 3', code: 'invalid_parameter' });
    assert.throws(() => engine.live(CROSS, { symbols: [] }), { message: 'the universe is empty: need at least 1 asset', code: 'invalid_market_data' });
    assert.throws(() => engine.live(CROSS, { symbols: ['A', 'B', 'A'] }), { message: "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct" });
    assert.throws(() => engine.live(CROSS, { symbols: ['A'], maxPostions: 2 }), { message: "unknown setting 'maxPostions'; did you mean 'maxPositions'?", code: 'invalid_parameter' });
    assert.throws(() => engine.live(CROSS, { symbols: ['A'], equityCurv: false }), { message: "unknown option 'equityCurv'; did you mean 'equityCurve'?" });
    assert.throws(() => engine.live(CROSS, { symbols: ['A'], equityCurve: 1 }), { message: 'equity_curve must be true or false, got 1', code: 'invalid_parameter' });
    assert.throws(() => engine.live(CROSS, { symbols: ['A'], maxPositions: 0 }), { message: 'max_positions must be an integer >= 1, got 0', code: 'invalid_parameter' });
    assert.throws(() => engine.live({ A: CROSS, BB: CROSS }, { symbols: ['A', 'B'] }), (e) => e.code === 'invalid_strategy' && e.message.startsWith("strategy for unknown symbol 'BB'; did you mean 'B'?"));
    assert.throws(() => engine.live({ A: CROSS }, { symbols: ['A', 'B'] }), { message: "no strategy for symbol 'B': a dict of strategies names every symbol of the universe" });
    assert.throws(() => new LivePortfolioRun(), TypeError);
  });
  test('a freed run says so', () => {
    const l = engine.live(CROSS, { symbols: ['A'] });
    l.free();
    l.free();
    assert.throws(() => l.push({ A: null }), { message: 'this live run has been freed' });
    assert.equal(String(l), 'LivePortfolioRun(freed)');
  });
});

// -- the same states in Python's native engine (.venv) -------------------------------------

const PY_SCRIPT = `
import json, sys
from quant_backtest import _native
job = json.load(sys.stdin)
out = {}
def make():
    return _native.LivePortfolioRun(job["strategy"], job["settings"], job["params"], job["symbols"], True)
mine = make()
events = []
for s in job["first"]:
    events.extend(mine.push(s))
out["py_state"] = mine.to_json()
out["py_events"] = [list(e) for e in events]
js = _native.live_from_json(job["js_state"])
for s in job["rest"]:
    js.push(s)
out["js_state_pushed"] = js.to_json()
out["positions"] = [list(p) for p in js.positions()]
out["pending"] = [list(p) for p in js.pending()]
out["started"] = js.started()
bad = []
for s in job["bad"]:
    fresh = _native.live_from_json(out["py_state"])
    try:
        fresh.push(s)
        bad.append(None)
    except Exception as error:
        bad.append([str(error), error.code])
out["bad"] = bad
print(json.dumps(out))
`;

test("a state saved in JS equals the native Python door's after the same pushes, and each loads in the other", () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing (scripts/setup.sh makes it)`);
  const probe = execFileSync(PYTHON, ['-c', 'from quant_backtest import _native; print(hasattr(_native, "LivePortfolioRun"))'], { encoding: 'utf8' }).trim();
  assert.equal(probe, 'True', 'the native module of .venv has LivePortfolioRun (rebuild it: scripts/setup.sh)');
  const { barSets } = sets(SAMPLE);
  const strategy = { A: qs.smaCross(qs.param('fast'), 20).toJSON(), B: CROSS, C: qs.emaCross(4, 15).toJSON(), D: CROSS };
  // settings in the catalog's order, values typed alike in both languages
  const settings = { commission_rate: 0.002, size: 0.3, stop_loss: 0.04, trailing_stop: 0.06 };
  const params = { fast: 6 };
  const symbols = ['A', 'B', 'C', 'D'];
  const cut = 150;
  const js = engine.live(strategy, { ...optionsOf(settings, params), symbols });
  const jsEvents = js.pushMany(barSets.slice(0, cut));
  const jsState = js.toJSON();
  const next = barSets[cut];
  const first = Object.keys(next).find((k) => next[k] !== null);
  const bad = [
    { ...next, AA: null },
    Object.fromEntries(Object.entries(next).filter(([k]) => k !== 'C')),
    { ...next, [first]: { ...next[first], close: -1 } },
    { ...next, [first]: { ...next[first], clsoe: 1 } },
    { ...next, [first]: { ...next[first], date: barSets[cut - 1][first]?.date ?? '2020-01-01' } },
  ];
  const out = JSON.parse(execFileSync(PYTHON, ['-c', PY_SCRIPT], { input: JSON.stringify({ strategy, settings, params, symbols, first: barSets.slice(0, cut), js_state: jsState, rest: barSets.slice(cut), bad }), encoding: 'utf8' }));
  assert.equal(out.py_state, jsState, 'the same request and pushes save the same text');
  assert.deepStrictEqual(out.py_events, jsEvents.map((e) => [e.kind, e.bar, e.date, e.symbol, e.side, e.price, e.size, e.reason]));
  const resumed = engine.liveFromJSON(out.py_state);
  resumed.pushMany(barSets.slice(cut));
  js.pushMany(barSets.slice(cut));
  assert.equal(resumed.toJSON(), out.js_state_pushed);
  assert.equal(js.toJSON(), out.js_state_pushed);
  assert.deepEqual(out.positions, Object.entries(js.positions).map(([s, p]) => [s, p.side, p.size]));
  assert.deepEqual(out.pending, Object.entries(js.pending));
  assert.deepEqual(out.started, js.started);
  out.bad.forEach((want, k) => {
    const fresh = engine.liveFromJSON(out.py_state);
    assert.throws(() => fresh.push(bad[k]), (e) => e instanceof BacktestError && want !== null && e.message === want[0] && e.code === want[1], JSON.stringify(want));
  });
});
