// The JS strategy builder against the Python one: presets, builder-made trees and every golden
// strategy give exactly Python's canonical JSON (key order too), and each bad input of
// tests/js/fixtures/builder_errors.json is refused with Python's message and code. The fixtures
// are written by tests/js/fixtures/make_presets.py and make_errors.py (Python's builder).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { strategy as qs, BacktestError } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const FIXTURES = join(GOLDEN_DIR, '..', 'js', 'fixtures');
const PRESETS = JSON.parse(readFileSync(join(FIXTURES, 'presets.json'), 'utf8'));
const ERRORS = JSON.parse(readFileSync(join(FIXTURES, 'builder_errors.json'), 'utf8'));

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const PRESET_PARAMS = {
  sma_cross: ['fast', 'slow'],
  ema_cross: ['fast', 'slow'],
  rsi_reversion: ['period', 'lower', 'upper'],
  macd_cross: ['fast', 'slow', 'signal'],
  bollinger_reversion: ['period', 'k'],
  donchian_breakout: ['period'],
};
const PRESET_FUNCTIONS = {
  sma_cross: qs.smaCross,
  ema_cross: qs.emaCross,
  rsi_reversion: qs.rsiReversion,
  macd_cross: qs.macdCross,
  bollinger_reversion: qs.bollingerReversion,
  donchian_breakout: qs.donchianBreakout,
};

/** Python's text and ours: the same keys in the same order, the same values (JS has one number type: 2.0 is 2). */
function assertSameJSON(value, pythonText) {
  assert.equal(JSON.stringify(value), JSON.stringify(JSON.parse(pythonText)));
}

/** @param {string} js an expression over `qs` */
function evaluate(js) {
  return new Function('qs', `return (${js});`)(qs);
}

describe('presets', () => {
  test('every Python preset has a camelCase function', () => {
    const names = new Set(PRESETS.presets.map((p) => p.preset));
    assert.equal(names.size, 6);
    for (const name of names) assert.equal(typeof PRESET_FUNCTIONS[name], 'function', name);
  });
  for (const p of PRESETS.presets) {
    test(`${p.preset}(${JSON.stringify(p.args)}, ${JSON.stringify(p.settings)}) is Python's tree`, () => {
      const args = p.args.map((a) => (a !== null && typeof a === 'object' ? qs.param(a.param) : a));
      const settings = Object.fromEntries(Object.entries(p.settings).map(([k, v]) => [camel(k), v]));
      const names = PRESET_PARAMS[p.preset];
      const positional = names.map((_, i) => args[i]);
      const s = PRESET_FUNCTIONS[p.preset](...positional, settings);
      assert.ok(s instanceof qs.Strategy);
      assertSameJSON(s, p.json);
      assert.deepEqual(s.toJSON(), JSON.parse(p.json));
      // the same call with one object of named arguments and settings
      const named = Object.fromEntries(names.flatMap((n, i) => (args[i] === undefined ? [] : [[n, args[i]]])));
      assertSameJSON(PRESET_FUNCTIONS[p.preset]({ ...named, ...settings }), p.json);
    });
  }
});

describe('builder-made strategies', () => {
  for (const b of PRESETS.built) {
    test(b.js, () => {
      assertSameJSON(evaluate(b.js), b.json);
    });
  }
});

describe('golden strategies (tests/golden/strategies.json)', () => {
  assert.ok(PRESETS.golden.length >= 40);
  for (const g of PRESETS.golden) {
    test(`${g.name}: fromJSON(x).toJSON() is Python's canonical JSON`, () => {
      const fromObject = qs.Strategy.fromJSON(g.strategy);
      assertSameJSON(fromObject.toJSON(), g.json);
      const fromText = qs.Strategy.fromJSON(JSON.stringify(g.strategy));
      assert.ok(fromText.equals(fromObject));
      // the canonical form is a fixed point
      const again = qs.Strategy.fromJSON(g.json);
      assert.deepEqual(again.toJSON(), JSON.parse(g.json));
      assert.ok(again.equals(fromObject));
    });
  }
});

describe('bad input: the Python builder\'s messages and codes', () => {
  for (const c of ERRORS.strategy) {
    test(`${c.name}: ${c.js}`, () => {
      const expected = c.js_message ?? c.message;
      assert.throws(
        () => evaluate(c.js),
        (error) => {
          if (c.kind === 'BacktestError') {
            assert.ok(error instanceof BacktestError, `not a BacktestError: ${error}`);
            assert.equal(error.code, c.code);
          } else {
            assert.ok(error instanceof TypeError, `not a TypeError: ${error}`);
          }
          assert.equal(error.message, expected);
          return true;
        },
      );
    });
  }
});

describe('values', () => {
  const fast = qs.sma(10);
  const slow = qs.sma(30);
  const s = new qs.Strategy({ entry: fast.crossesAbove(slow), exit: fast.crossesBelow(slow), stopLoss: 0.05, commissionRate: 0.0005 });

  test('settings are camelCase on the object and snake_case on the wire, in the table order', () => {
    assert.deepEqual(s.settings, { commissionRate: 0.0005, stopLoss: 0.05 });
    assert.deepEqual(Object.keys(s.toJSON()), ['entry', 'exit', 'settings']);
    assert.deepEqual(Object.keys(s.toJSON().settings), ['commission_rate', 'stop_loss']);
    assert.deepEqual(qs.settingNames().slice(0, 3), ['initialCapital', 'commissionRate', 'fixedFee']);
    assert.equal(qs.settingNames().length, 13);
  });

  test('equals compares structure; nodes and strategies are frozen', () => {
    assert.ok(qs.sma(10).equals(fast));
    assert.ok(!qs.sma(11).equals(fast));
    assert.ok(!qs.ema(10).equals(fast));
    assert.ok(qs.sma(10, { source: qs.close }).equals(fast));
    assert.ok(qs.close.gt(1).equals(qs.close.gt(qs.constant(1))));
    assert.ok(!qs.close.gt(1).equals(qs.close));
    assert.ok(qs.macd().equals(qs.macd(12, 26, 9)));
    assert.ok(s.equals(qs.Strategy.fromJSON(JSON.stringify(s))));
    assert.ok(!s.equals(s.withSettings({ stopLoss: 0.1 })));
    assert.ok(Object.isFrozen(s) && Object.isFrozen(fast) && Object.isFrozen(fast.params));
    assert.throws(() => { 'use strict'; s.entry = null; }, TypeError);
  });

  test('and / or flatten, not wraps', () => {
    const a = qs.close.gt(1);
    const b = qs.close.lt(5);
    const c = qs.rsi().gt(50);
    assert.deepEqual(a.and(b).and(c).toJSON(), { and: [a.toJSON(), b.toJSON(), c.toJSON()] });
    assert.deepEqual(a.and(b.and(c)).toJSON(), { and: [a.toJSON(), b.toJSON(), c.toJSON()] });
    assert.deepEqual(a.or(b, c).toJSON(), { or: [a.toJSON(), b.toJSON(), c.toJSON()] });
    assert.deepEqual(a.and(b).or(c).toJSON(), { or: [{ and: [a.toJSON(), b.toJSON()] }, c.toJSON()] });
    assert.deepEqual(a.not().toJSON(), { not: a.toJSON() });
  });

  test('params, bind and the constraint', () => {
    const cross = qs.smaCross();
    assert.deepEqual(cross.params(), ['fast', 'slow']);
    const bound = cross.bind({ fast: 5, slow: 20 });
    assert.deepEqual(bound.params(), []);
    assert.ok(bound.equals(qs.smaCross(5, 20)));
    const half = cross.bind({ fast: 5 });
    assert.deepEqual(half.params(), ['slow']);
    assert.deepEqual(half.toJSON().constraint, { lt: [5, { param: 'slow' }] });
    const nested = new qs.Strategy({ entry: qs.ema(qs.param('p'), { source: qs.rsi(qs.param('q')) }).gt(qs.param('p')) });
    assert.deepEqual(nested.params(), ['p', 'q']);
  });

  test('numbers on either operand, shift defaults to 1', () => {
    assert.deepEqual(qs.rsi().lt(30).toJSON(), { lt: [{ indicator: 'rsi', period: 14, source: 'close' }, 30] });
    assert.deepEqual(qs.close.shift().toJSON(), { shift: 'close', periods: 1 });
    assert.deepEqual(qs.close.crossesAbove(qs.param('level')).toJSON(), { crosses_above: ['close', { param: 'level' }] });
  });

  test('toString reads as the JS that builds it', () => {
    assert.equal(String(qs.sma(10).crossesAbove(qs.sma(30))), 'qs.sma(10).crossesAbove(qs.sma(30))');
    assert.equal(String(qs.bbands().lower), 'qs.bbands(20, 2.0).lower');
    assert.equal(String(qs.sma(5, { source: qs.high }).shift(2)), 'qs.sma(5, { source: qs.high }).shift(2)');
    assert.equal(String(qs.close.gt(1).not()), 'qs.close.gt(1).not()');
  });

  test('an unknown option of an indicator is refused', () => {
    assert.throws(() => qs.sma(10, { sorce: qs.high }), { name: 'BacktestError', message: "unknown option 'sorce' of qs.sma; did you mean 'source'?" });
  });

  test('the builder keeps working after a refusal', () => {
    assert.throws(() => qs.Strategy.fromJSON('{"entry": '), BacktestError);
    assert.throws(() => new qs.Strategy({ stopLoss: 3 }), BacktestError);
    assertSameJSON(qs.smaCross(), PRESETS.presets[0].json);
  });
});
