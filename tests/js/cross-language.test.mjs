// One strategy definition, two languages: strategies written with the JS builder run in Python
// (the native engine of the repo's .venv, through qs.Strategy.from_json) and give the trades and
// metrics JS gives; strategies written with the Python builder load in JS (Strategy.fromJSON)
// and give the trades and metrics Python gives. Both builders write the same JSON for the same
// rules. The Python half is tests/js/fixtures/cross_language.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { RustEngine, generateSampleData, strategy as qs } from 'quant-backtest';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const SCRIPT = join(REPO, 'tests', 'js', 'fixtures', 'cross_language.py');
const DAYS = 900;
const SEED = 7;

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** The same rules as cross_language.py's python_strategies(), with the JS builder. */
function jsStrategies() {
  const fast = qs.ema(8);
  const slow = qs.sma(34);
  return [
    qs.smaCross(10, 30),
    new qs.Strategy({ entry: qs.rsi(14).lt(30), exit: qs.rsi(14).gt(70), stopLoss: 0.05, takeProfit: 0.1 }),
    new qs.Strategy({
      entry: fast.crossesAbove(slow).and(qs.close.gt(qs.bbands(20, 2).middle)),
      exit: fast.crossesBelow(slow).or(qs.close.lt(qs.lowest(10).shift(1))),
      shortEntry: fast.crossesBelow(slow).and(qs.rsi(14).lt(25).not()),
      shortExit: fast.crossesAbove(slow),
      direction: 'both',
      trailingStop: 0.08,
      commissionRate: 0.0005,
      slippage: 0.0002,
    }),
    new qs.Strategy({
      entry: qs.macd().macd.crossesAbove(qs.macd().signal),
      exit: qs.macd().macd.crossesBelow(qs.macd().signal),
      fill: 'close',
      sizeType: 'percent',
      size: 0.5,
    }),
  ];
}

/** A JS result in the Python half's shape (snake_case metrics, trades as plain objects). */
function asPython(r) {
  const trade = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
  return { trades: r.trades.map(trade), equity_last: r.equityCurve[r.equityCurve.length - 1] };
}

function assertSameRun(js, py, label) {
  for (const [name, value] of Object.entries(py.metrics)) {
    assert.ok(Object.is(js[camel(name)], value), `${label}: ${name} is ${js[camel(name)]} in JS, ${value} in Python`);
  }
  const mine = asPython(js);
  assert.deepEqual(mine.trades, py.trades, `${label}: trades`);
  assert.ok(Object.is(mine.equity_last, py.equity_last), `${label}: the last equity`);
}

test('the Python half runs on the native engine of .venv', () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing (scripts/setup.sh makes it)`);
});

const engine = new RustEngine();
const data = generateSampleData('CROSS', DAYS, 100, { seed: SEED });
const strategies = jsStrategies();
const jsTexts = strategies.map((s) => JSON.stringify(s));
const fromPython = JSON.parse(
  execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify({ days: DAYS, seed: SEED, js: jsTexts }), encoding: 'utf8' }),
);

test('both builders write the same JSON for the same rules', () => {
  assert.equal(fromPython.python.length, strategies.length);
  strategies.forEach((s, i) => assert.deepEqual(JSON.parse(jsTexts[i]), JSON.parse(fromPython.python[i].json), `strategy ${i}`));
});

test('JSON written in JS runs in Python with the same trades and metrics', () => {
  strategies.forEach((s, i) => {
    const js = engine.runBacktest(data, s);
    assert.ok(js.trades.length > 0, `strategy ${i} trades`);
    assertSameRun(js, fromPython.js[i], `JS strategy ${i} in Python`);
  });
});

test('JSON written in Python runs in JS with the same trades and metrics', () => {
  fromPython.python.forEach(({ json, result }, i) => {
    const loaded = qs.Strategy.fromJSON(json);
    assertSameRun(engine.runBacktest(data, loaded), result, `Python strategy ${i} in JS`);
    assert.deepEqual(JSON.parse(JSON.stringify(loaded)), JSON.parse(json), `Python strategy ${i} round trip`);
  });
});
