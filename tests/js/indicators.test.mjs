// The JS indicators: batch outputs bit for bit equal to Python's (tests/js/fixtures/presets.json,
// made by make_presets.py), streams equal to the batch output bit for bit after every update,
// any array-like of numbers in and Float64Array out, and Python's messages for bad arguments
// (tests/js/fixtures/builder_errors.json).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { indicators as ta, BacktestError, generateSampleData } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const FIXTURES = join(GOLDEN_DIR, '..', 'js', 'fixtures');
const PRESETS = JSON.parse(readFileSync(join(FIXTURES, 'presets.json'), 'utf8'));
const ERRORS = JSON.parse(readFileSync(join(FIXTURES, 'builder_errors.json'), 'utf8'));

/** Bit-for-bit equality (NaN equals NaN; null in a fixture is NaN). */
function assertBits(actual, expected, label) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] === null ? NaN : expected[i];
    if (!Object.is(actual[i], e)) assert.fail(`${label}[${i}]: ${actual[i]} !== ${e}`);
  }
}

/** Batch outputs by name, as objects of arrays. */
function batch(name, inputs, args) {
  const out = ta[name](...inputs, ...args);
  return out instanceof Float64Array ? { value: out } : out;
}

const STREAMS = {
  sma: ta.SMA, ema: ta.EMA, wma: ta.WMA, rsi: ta.RSI, macd: ta.MACD, bbands: ta.BBANDS,
  atr: ta.ATR, stddev: ta.STDDEV, roc: ta.ROC, highest: ta.HIGHEST, lowest: ta.LOWEST,
};

describe('batch functions equal Python bit for bit', () => {
  const data = PRESETS.indicator_data;
  assert.ok(data.close.length >= 50);
  assert.deepEqual(new Set(PRESETS.indicators.map((r) => r.name)), new Set(Object.keys(STREAMS)));
  for (const row of PRESETS.indicators) {
    test(`${row.name}(${row.inputs.join(', ')}, ${row.args.join(', ')}) on ${data.case}`, () => {
      const out = batch(row.name, row.inputs.map((k) => data[k]), row.args);
      assert.deepEqual(Object.keys(out), Object.keys(row.outputs));
      for (const [k, expected] of Object.entries(row.outputs)) {
        assert.ok(out[k] instanceof Float64Array);
        assertBits(out[k], expected, `${row.name}.${k}`);
      }
    });
  }
});

describe('streams equal the batch output after every update', () => {
  const md = generateSampleData('STREAM', 600, 100, { seed: 7 });
  const [high, low, close] = [md.high, md.low, md.close];
  const cases = [
    ['sma', [1]], ['sma', [20]], ['ema', [12]], ['wma', [9]], ['rsi', []], ['rsi', [2]],
    ['macd', []], ['macd', [3, 10, 16]], ['bbands', []], ['bbands', [5, 0.5]], ['atr', []], ['atr', [1]],
    ['stddev', [30]], ['roc', []], ['highest', [55]], ['lowest', [8]],
  ];
  for (const [name, args] of cases) {
    test(`${name}(${args.join(', ')})`, () => {
      const inputs = name === 'atr' ? [high, low, close] : [close];
      const expected = batch(name, inputs, args);
      const stream = new STREAMS[name](...args);
      const got = Object.fromEntries(Object.keys(expected).map((k) => [k, new Float64Array(close.length)]));
      for (let t = 0; t < close.length; t++) {
        const v = name === 'atr' ? stream.update(high[t], low[t], close[t]) : stream.update(close[t]);
        if (typeof v === 'number') got.value[t] = v;
        else for (const k of Object.keys(expected)) got[k][t] = v[k];
      }
      for (const k of Object.keys(expected)) assertBits(got[k], expected[k], `${name}.${k}`);
      stream.free();
    });
  }
});

describe('inputs and outputs', () => {
  const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  const expected = ta.sma(values, 3);

  test('any array-like of numbers; the output is a fresh Float64Array', () => {
    const inputs = [
      Float64Array.from(values), Float32Array.from(values), Int32Array.from(values), Uint8Array.from(values),
      { length: values.length, ...values }, values.map(BigInt),
    ];
    for (const input of inputs) assertBits(ta.sma(input, 3), Array.from(expected), input.constructor.name);
    const f = Float64Array.from(values);
    const out = ta.ema(f, 3);
    assert.ok(out instanceof Float64Array && out !== f);
    assertBits(f, values, 'input untouched');
  });

  test('NaN before the first valid index; defaults as in Python', () => {
    assertBits(ta.sma([1, 2, 3, 4], 2), [NaN, 1.5, 2.5, 3.5], 'sma');
    assertBits(ta.rsi(values), ta.rsi(values, 14), 'rsi default');
    assertBits(ta.roc(values), ta.roc(values, 10), 'roc default');
    assertBits(ta.bbands(values).upper, ta.bbands(values, 20, 2).upper, 'bbands default');
    assertBits(ta.macd(values).hist, ta.macd(values, 12, 26, 9).hist, 'macd default');
    assertBits(ta.atr(values, values, values), ta.atr(values, values, values, 14), 'atr default');
    assert.equal(ta.sma([], 3).length, 0);
  });

  test('streams: toString, parameters, free()', () => {
    const m = new ta.MACD(5, 10, 3);
    assert.equal(String(m), 'MACD(5, 10, 3)');
    assert.deepEqual([m.fast, m.slow, m.signal], [5, 10, 3]);
    assert.equal(String(new ta.BBANDS(10, 2)), 'BBANDS(10, 2.0)');
    const first = m.update(1);
    assert.ok(Number.isNaN(first.macd) && Number.isNaN(first.signal) && Number.isNaN(first.hist));
    m.free();
    m.free(); // a second free is harmless
    assert.throws(() => m.update(1), /has been freed/);
  });

  test('many streams dropped without free() do not exhaust the wasm memory', () => {
    for (let i = 0; i < 20000; i++) new ta.SMA(1000).update(i);
    const s = new ta.SMA(2);
    s.update(1);
    assert.equal(s.update(2), 1.5);
    s.free();
  });
});

describe('bad arguments: the Python package\'s messages', () => {
  for (const c of ERRORS.indicators) {
    test(`${c.name}: ${c.js}`, () => {
      assert.throws(
        () => new Function('ta', `return (${c.js});`)(ta),
        (error) => {
          assert.ok(error instanceof BacktestError, `not a BacktestError: ${error}`);
          assert.equal(error.code, c.code);
          assert.equal(error.message, c.js_message ?? c.message);
          return true;
        },
      );
    });
  }
  test('the engine keeps working after a refusal', () => {
    assert.throws(() => ta.sma([1, 'x'], 2), BacktestError);
    assertBits(ta.sma([1, 2, 3], 2), [NaN, 1.5, 2.5], 'after');
  });
});
