// What index.d.ts adds to /tmp/js_api_spec.md's API (grid progress and cancelling, ready(),
// MarketData.equals, EngineInfo.crossOriginIsolated), as documented there, in Node.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';

import { RustEngine, MarketData, generateSampleData } from 'quant-backtest';

const engine = new RustEngine();
after(() => engine.close());

const DATA = generateSampleData('EXTRA', 4000, 100, { seed: 31n });
const FAST = Array.from({ length: 12 }, (_, i) => 2 + i * 3);
const SLOW = Array.from({ length: 12 }, (_, i) => 20 + i * 10);
const PAIRS = FAST.flatMap((f) => SLOW.filter((s) => f < s).map((s) => [f, s]));
const metrics = (r) => [r.totalReturn, r.sharpeRatio, r.maxDrawdown, r.tradeCount, r.winRate];

describe('grid progress and cancelling (index.d.ts)', () => {
  for (const workers of [1, 2, 3]) {
    test(`onProgress with maxWorkers ${workers}: non-decreasing, ends at the total; same results`, async () => {
      const seen = [];
      const grid = await engine.runMultipleBacktests(DATA, FAST, SLOW, {
        maxWorkers: workers,
        onProgress: (done, total) => seen.push([done, total]),
      });
      assert.deepEqual(grid.map((e) => [e.fastPeriod, e.slowPeriod]), PAIRS);
      assert.ok(seen.length >= 1, 'onProgress was never called');
      for (const [done, total] of seen) {
        assert.equal(total, PAIRS.length);
        assert.ok(Number.isInteger(done) && done >= 0 && done <= total, `done ${done}`);
      }
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] >= seen[i - 1][0], 'progress went back');
      assert.equal(seen.at(-1)[0], PAIRS.length);
      const one = await engine.runMultipleBacktests(DATA, FAST, SLOW, { maxWorkers: 1 });
      assert.deepEqual(grid.map((e) => metrics(e.result)), one.map((e) => metrics(e.result)));
    });
  }

  test('an already aborted signal rejects with an AbortError; the engine keeps working', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      () => engine.runMultipleBacktests(DATA, FAST, SLOW, { maxWorkers: 2, signal: ac.signal }),
      (e) => e instanceof Error && e.name === 'AbortError',
    );
    await assert.rejects(
      () => engine.runGrid(DATA, FAST, SLOW, { maxWorkers: 2, signal: ac.signal }),
      (e) => e instanceof Error && e.name === 'AbortError',
    );
    const grid = await engine.runMultipleBacktests(DATA, [5], [20, 30], { maxWorkers: 2 });
    assert.equal(grid.length, 2);
  });

  test('aborting a running grid rejects it; the next grid gives the full answer', async () => {
    const big = generateSampleData('BIGGRID', 100_000, 100, { seed: 32n });
    const ac = new AbortController();
    const pending = engine.runMultipleBacktests(big, FAST, SLOW, { maxWorkers: 2, signal: ac.signal });
    ac.abort(); // the call has started (its work is queued for the workers), nothing is done yet
    await assert.rejects(pending, (e) => e instanceof Error && e.name === 'AbortError');
    const small = await engine.runMultipleBacktests(DATA, FAST, SLOW, { maxWorkers: 2 });
    const one = await engine.runMultipleBacktests(DATA, FAST, SLOW, { maxWorkers: 1 });
    assert.deepEqual(small.map((e) => metrics(e.result)), one.map((e) => metrics(e.result)));
  });

  test('a signal that never aborts changes nothing', async () => {
    const ac = new AbortController();
    const cols = await engine.runGrid(DATA, FAST, SLOW, { maxWorkers: 2, signal: ac.signal });
    const plain = await engine.runGrid(DATA, FAST, SLOW, { maxWorkers: 1 });
    assert.deepEqual(Array.from(cols.totalReturn), Array.from(plain.totalReturn));
  });
});

describe('ready, equals, crossOriginIsolated (index.d.ts)', () => {
  test('ready() resolves at once in Node', async () => {
    await engine.ready();
  });

  test('MarketData.equals: same bars, same answer', () => {
    const a = DATA;
    const b = new MarketData(DATA.toColumns());
    assert.equal(a.equals(b), true);
    assert.equal(a.equals(generateSampleData('EXTRA', 4000, 100, { seed: 33n })), false);
    assert.equal(a.equals(null), false);
    assert.equal(typeof a.toString(), 'string');
  });

  test('getEngineInfo().crossOriginIsolated is a boolean', () => {
    assert.equal(typeof engine.getEngineInfo().crossOriginIsolated, 'boolean');
  });
});
