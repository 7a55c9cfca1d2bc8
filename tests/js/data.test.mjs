// MarketData: from columns (plain and typed arrays), from rows, from CSV text; its getters,
// fingerprint and toColumns; validateData; generateSampleData's defaults.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';

import { RustEngine, MarketData, BacktestError, generateSampleData } from 'quant-backtest';

const DATES = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'];
const OPEN = [10.0, 10.1, 10.4, 10.3, 10.9, 11.0];
const HIGH = [10.2, 10.6, 10.5, 10.9, 11.2, 11.4];
const LOW = [9.8, 10.0, 10.1, 10.2, 10.8, 10.7];
const CLOSE = [10.0, 10.5, 10.2, 10.8, 11.0, 10.9];
const VOLUME = [1000, 1100, 1200, 1300, 1400, 1500];
const COLS = { symbol: 'S', dates: DATES, open: OPEN, high: HIGH, low: LOW, close: CLOSE, volume: VOLUME };
const ROWS = DATES.map((date, i) => ({
  date, open: OPEN[i], high: HIGH[i], low: LOW[i], close: CLOSE[i], volume: VOLUME[i],
}));

const engine = new RustEngine();
after(() => engine.close());

function assertSameBars(md, cols = COLS) {
  assert.ok(md instanceof MarketData);
  assert.equal(md.length, cols.dates.length);
  assert.deepEqual([...md.dates], [...cols.dates]);
  for (const f of ['open', 'high', 'low', 'close', 'volume']) {
    assert.ok(md[f] instanceof Float64Array, `${f} is not a Float64Array`);
    assert.deepEqual(Array.from(md[f]), Array.from(cols[f], Number), f);
  }
}

function summary(result) {
  return {
    trades: result.trades.map((t) => [t.entryIndex, t.exitIndex, t.entryDate, t.exitDate, t.entryPrice, t.exitPrice, t.size, t.pnl, t.returnPct, t.barsHeld]),
    equity: Array.from(result.equityCurve),
    totalReturn: result.totalReturn,
    maxDrawdown: result.maxDrawdown,
    sharpeRatio: result.sharpeRatio,
  };
}

describe('MarketData', () => {
  test('constructor and fromColumns take plain arrays', () => {
    const a = new MarketData(COLS);
    const b = MarketData.fromColumns(COLS);
    assertSameBars(a);
    assertSameBars(b);
    assert.equal(a.symbol, 'S');
    assert.equal(b.symbol, 'S');
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal(typeof a.fingerprint, 'string');
    assert.ok(a.fingerprint.length > 0);
  });

  test('fromColumns takes typed arrays (Float64Array prices, integer-typed volume)', () => {
    const typed = MarketData.fromColumns({
      symbol: 'S',
      dates: DATES,
      open: Float64Array.from(OPEN),
      high: Float64Array.from(HIGH),
      low: Float64Array.from(LOW),
      close: Float64Array.from(CLOSE),
      volume: Uint32Array.from(VOLUME),
    });
    assertSameBars(typed);
    const alsoTyped = new MarketData({ ...COLS, volume: Float64Array.from(VOLUME), close: new Float64Array(CLOSE) });
    assertSameBars(alsoTyped);
    assert.equal(typed.fingerprint, new MarketData(COLS).fingerprint);
    assert.equal(alsoTyped.fingerprint, new MarketData(COLS).fingerprint);
    assert.deepEqual(
      summary(engine.runSmaBacktest(typed, 2, 4, { fill: 'close' })),
      summary(engine.runSmaBacktest(COLS, 2, 4, { fill: 'close' })),
    );
  });

  test('fromRows, with and without a symbol', () => {
    const md = MarketData.fromRows(ROWS, 'ROWS');
    assertSameBars(md);
    assert.equal(md.symbol, 'ROWS');
    assert.equal(MarketData.fromRows(ROWS, 'S').fingerprint, new MarketData(COLS).fingerprint);
    const anonymous = MarketData.fromRows(ROWS);
    assertSameBars(anonymous);
    assert.equal(typeof anonymous.symbol, 'string');
  });

  test('fromRows refuses bad rows with the shared message', () => {
    const bad = ROWS.map((r) => ({ ...r }));
    bad[3].close = 99; // above high
    assert.throws(() => MarketData.fromRows(bad, 'B'), (e) => {
      assert.ok(e instanceof BacktestError);
      assert.equal(e.message, 'close at row 3 is outside [low, high]: 99.0 not in [10.2, 10.9]');
      return true;
    });
  });

  test('toColumns gives the columns back, with the symbol', () => {
    const md = new MarketData(COLS);
    const c = md.toColumns();
    assert.equal(c.symbol, 'S');
    assert.deepEqual([...c.dates], DATES);
    for (const f of ['open', 'high', 'low', 'close', 'volume']) {
      assert.deepEqual(Array.from(c[f]), COLS[f], f);
    }
    const back = new MarketData(c);
    assert.equal(back.fingerprint, md.fingerprint);
  });

  test('the fingerprint follows the content', () => {
    const a = new MarketData(COLS);
    const changed = new MarketData({ ...COLS, close: [...CLOSE.slice(0, 5), 10.95] });
    assert.notEqual(changed.fingerprint, a.fingerprint);
    const fewer = MarketData.fromRows(ROWS.slice(0, 5), 'S');
    assert.notEqual(fewer.fingerprint, a.fingerprint);
    const otherDates = new MarketData({ ...COLS, dates: [...DATES.slice(0, 5), '2024-01-09'] });
    assert.notEqual(otherDates.fingerprint, a.fingerprint);
  });

  test('the bars are copies: changing the input or a getter array leaves the bars alone', () => {
    const close = [...CLOSE];
    const md = new MarketData({ ...COLS, close });
    const want = summary(engine.runSmaBacktest(md, 2, 4, { fill: 'close' }));
    const fp = md.fingerprint;
    close[3] = 10.3; // the caller's array
    md.close[3] = 10.3; // the getter's array (a copy of the engine's bars)
    assert.equal(md.toColumns().close[3], 10.8);
    assert.equal(md.fingerprint, fp);
    assert.equal(engine.validateData(md), true);
    assert.deepEqual(summary(engine.runSmaBacktest(md, 2, 4, { fill: 'close' })), want);
  });

  test('datetimes with times and offsets are accepted and kept as given', () => {
    const dates = ['2024-01-01T09:30:00Z', '2024-01-01T16:00', '2024-01-02 09:30:00.5+01:00',
      '2024-01-02T16:00:00-05:00', '2024-01-03T10:00:00Z', '2024-01-04'];
    const md = new MarketData({ ...COLS, dates });
    assert.deepEqual([...md.dates], dates);
    const r = engine.runSmaBacktest(md, 2, 3, { fill: 'close' });
    for (const t of r.trades) {
      assert.equal(t.entryDate, dates[t.entryIndex]);
      assert.equal(t.exitDate, dates[t.exitIndex]);
    }
  });

  test('every DataLike gives the same backtest', () => {
    const want = summary(engine.runSmaBacktest(new MarketData(COLS), 2, 4));
    assert.deepEqual(summary(engine.runSmaBacktest(COLS, 2, 4)), want);
    assert.deepEqual(summary(engine.runSmaBacktest(ROWS, 2, 4)), want);
    assert.deepEqual(summary(engine.runSmaBacktest(MarketData.fromRows(ROWS), 2, 4)), want);
  });
});

describe('MarketData.fromCsv', () => {
  const plain =
    'date,open,high,low,close,volume\n' +
    ROWS.map((r) => [r.date, r.open, r.high, r.low, r.close, r.volume].join(',')).join('\n') +
    '\n';

  test('a plain CSV', () => {
    const md = MarketData.fromCsv(plain, { symbol: 'CSV' });
    assertSameBars(md);
    assert.equal(md.symbol, 'CSV');
    assert.equal(MarketData.fromCsv(plain, { symbol: 'S' }).fingerprint, new MarketData(COLS).fingerprint);
  });

  test('quoted headers in any case and order, extra columns ignored', () => {
    const header = '"Volume","CLOSE","Date","adj_close","Low","High","oPeN"';
    const body = ROWS.map((r) => [r.volume, r.close, r.date, 1.23, r.low, r.high, r.open].join(','));
    const md = MarketData.fromCsv([header, ...body].join('\n'), { symbol: 'Q' });
    assertSameBars(md);
    assert.equal(md.symbol, 'Q');
  });

  test('no trailing newline; no symbol option', () => {
    const md = MarketData.fromCsv(plain.trimEnd());
    assertSameBars(md);
    assert.equal(typeof md.symbol, 'string');
  });

  test('CRLF line endings', () => {
    const md = MarketData.fromCsv(plain.replace(/\n/g, '\r\n'), { symbol: 'CRLF' });
    assertSameBars(md);
  });

  test('a bad cell names its column and 0-based data row', () => {
    const lines = plain.trimEnd().split('\n');
    const cells = lines[4].split(','); // data row 3
    cells[4] = 'abc';
    lines[4] = cells.join(',');
    assert.throws(() => MarketData.fromCsv(lines.join('\n')), (e) => {
      assert.ok(e instanceof BacktestError, `not a BacktestError: ${e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.message, "close at row 3 must be a number, got 'abc'");
      return true;
    });
  });

  test('invalid bars in a CSV get the shared validation message', () => {
    const lines = plain.trimEnd().split('\n');
    const cells = lines[2].split(','); // data row 1
    cells[1] = '0';
    lines[2] = cells.join(',');
    assert.throws(() => MarketData.fromCsv(lines.join('\n')), (e) => {
      assert.ok(e instanceof BacktestError);
      assert.equal(e.message, 'open at row 1 must be a finite number > 0, got 0.0');
      assert.equal(e.code, 'invalid_market_data');
      return true;
    });
  });

  test('a missing column', () => {
    const noVolume = plain.split('\n').map((l) => l.split(',').slice(0, 5).join(',')).join('\n');
    assert.throws(() => MarketData.fromCsv(noVolume), (e) => {
      assert.ok(e instanceof BacktestError);
      assert.equal(e.message, "data is missing column 'volume'");
      return true;
    });
  });
});

describe('validateData', () => {
  test('true for valid data of every shape', () => {
    assert.equal(engine.validateData(new MarketData(COLS)), true);
    assert.equal(engine.validateData(COLS), true);
    assert.equal(engine.validateData(ROWS), true);
    assert.equal(engine.validateData(generateSampleData('V', 50, 10, { seed: 3n })), true);
  });

  test('false (not a throw) for invalid data', () => {
    assert.equal(engine.validateData({ ...COLS, high: [...HIGH.slice(0, 5), 1.0] }), false);
    assert.equal(engine.validateData({ ...COLS, dates: [...DATES.slice(0, 5), '2024-01-05'] }), false);
    assert.equal(engine.validateData({ ...COLS, open: OPEN.slice(0, 3) }), false);
    assert.equal(engine.validateData([]), false);
    assert.equal(engine.validateData({}), false);
    assert.equal(engine.validateData({ ...COLS, close: [...CLOSE.slice(0, 5), 'x'] }), false);
    assert.equal(engine.validateData(ROWS.map((r, i) => (i === 2 ? { ...r, volume: -1 } : r))), false);
  });
});

describe('generateSampleData', () => {
  test("defaults: 'SAMPLE', 100 days", () => {
    const md = generateSampleData();
    assert.equal(md.symbol, 'SAMPLE');
    assert.equal(md.length, 100);
    assert.equal(md.dates[0], '2020-01-01');
    assert.equal(engine.validateData(md), true);
  });

  test('start price sets the first open near it; no seed draws a random one', () => {
    const a = generateSampleData('R', 50, 1000);
    const b = generateSampleData('R', 50, 1000);
    assert.ok(Math.abs(a.open[0] / 1000 - 1) < 0.01, `first open ${a.open[0]}`);
    // two random 64-bit seeds giving the same 50 bars: not going to happen
    assert.notEqual(a.fingerprint, b.fingerprint);
  });

  test('a bigint and a number seed agree; different seeds differ', () => {
    const a = generateSampleData('S', 30, 100, { seed: 5 });
    const b = generateSampleData('S', 30, 100, { seed: 5n });
    const c = generateSampleData('S', 30, 100, { seed: 6n });
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.fingerprint, c.fingerprint);
  });
});
