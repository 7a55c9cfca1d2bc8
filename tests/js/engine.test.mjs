// The engine around the backtests: the async door (event loop stays free), CachedRustEngine,
// createEngine, getEngineInfo, toJSON, benchmarkEngine, version, and close() letting a process exit.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import init, {
  init as namedInit,
  RustEngine,
  CachedRustEngine,
  MarketData,
  BacktestResult,
  createEngine,
  generateSampleData,
  benchmarkEngine,
  version,
} from 'quant-backtest';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));

const engines = [];
function track(e) {
  engines.push(e);
  return e;
}
after(() => Promise.all(engines.map((e) => e.close())));

const METRICS = [
  'totalReturn', 'annualizedReturn', 'volatility', 'sharpeRatio', 'sortinoRatio',
  'maxDrawdown', 'tradeCount', 'winRate',
];
const TRADE_FIELDS = [
  'entryIndex', 'exitIndex', 'entryDate', 'exitDate', 'entryPrice', 'exitPrice',
  'size', 'pnl', 'returnPct', 'barsHeld',
];
function plain(result) {
  assert.ok(result instanceof BacktestResult, 'not a BacktestResult');
  const out = { fastPeriod: result.fastPeriod, slowPeriod: result.slowPeriod, backend: result.backend };
  for (const m of METRICS) out[m] = result[m];
  out.trades = result.trades.map((t) => Object.fromEntries(TRADE_FIELDS.map((f) => [f, t[f]])));
  out.equityCurve = Array.from(result.equityCurve);
  return out;
}

const DATA = generateSampleData('ENG', 1500, 100, { seed: 99n });

describe('runSmaBacktestAsync', () => {
  const engine = track(new RustEngine());

  test('the event loop keeps ticking while a 200,000-bar backtest runs', async () => {
    const big = generateSampleData('BIG', 200_000, 100, { seed: 77n });
    assert.equal(big.length, 200_000);
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 1);
    let result;
    try {
      const pending = engine.runSmaBacktestAsync(big, 20, 100);
      assert.ok(pending instanceof Promise, 'runSmaBacktestAsync must return a Promise');
      assert.equal(ticks, 0);
      result = await pending;
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 1, 'no timer ran while the async backtest was awaited: it blocked the event loop');
    assert.equal(result.equityCurve.length, 200_000);
    assert.deepEqual(plain(result), plain(engine.runSmaBacktest(big, 20, 100)));
  });

  test('equals the sync result, with every option', async () => {
    for (const opts of [
      undefined,
      { fill: 'close' },
      { initialCapital: 25_000, commissionRate: 0, lotSize: 10, periodsPerYear: 52 },
    ]) {
      const sync = engine.runSmaBacktest(DATA, 7, 31, opts);
      const async_ = await engine.runSmaBacktestAsync(DATA, 7, 31, opts);
      assert.deepEqual(plain(async_), plain(sync));
    }
  });

  test('several at once, each its own answer', async () => {
    const pairs = [[3, 10], [5, 20], [10, 50], [20, 100]];
    const results = await Promise.all(pairs.map(([f, s]) => engine.runSmaBacktestAsync(DATA, f, s)));
    results.forEach((r, i) => assert.deepEqual(plain(r), plain(engine.runSmaBacktest(DATA, ...pairs[i]))));
  });
});

describe('defaults and results', () => {
  const engine = track(new RustEngine());

  test('defaults: 100000, 0.001, next_open, 0, 252', () => {
    const explicit = engine.runSmaBacktest(DATA, 10, 30, {
      initialCapital: 100000, commissionRate: 0.001, fill: 'next_open', lotSize: 0, periodsPerYear: 252,
    });
    assert.deepEqual(plain(engine.runSmaBacktest(DATA, 10, 30)), plain(explicit));
    assert.deepEqual(plain(engine.runSmaBacktest(DATA, 10, 30, {})), plain(explicit));
    assert.equal(explicit.equityCurve.length, DATA.length);
    assert.equal(explicit.backend, 'wasm');
    assert.ok(explicit.trades.length > 0, 'the sample should trade');
    assert.equal(explicit.tradeCount, explicit.trades.length);
  });

  test('toJSON: a JSON.stringify round trip keeps every value', () => {
    const r = engine.runSmaBacktest(DATA, 10, 30);
    const j = r.toJSON();
    assert.ok(Array.isArray(j.equityCurve), 'toJSON().equityCurve must be a number[]');
    const back = JSON.parse(JSON.stringify(r));
    assert.equal(back.fastPeriod, 10);
    assert.equal(back.slowPeriod, 30);
    for (const m of METRICS) assert.ok(Object.is(back[m], r[m]), `${m}: ${back[m]} vs ${r[m]}`);
    assert.equal(typeof back.executionTimeMs, 'number');
    assert.deepEqual(back.equityCurve, Array.from(r.equityCurve));
    assert.equal(back.trades.length, r.trades.length);
    back.trades.forEach((t, i) => {
      for (const f of TRADE_FIELDS) assert.ok(Object.is(t[f], r.trades[i][f]), `trades[${i}].${f}`);
    });
    // and a null ratio stays null
    const n = 12;
    const dates = Array.from({ length: n }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`);
    const flat = { symbol: 'F', dates, open: Array(n).fill(5), high: Array(n).fill(5), low: Array(n).fill(5), close: Array(n).fill(5), volume: Array(n).fill(0) };
    const none = engine.runSmaBacktest(flat, 2, 4);
    assert.equal(none.sharpeRatio, null);
    const noneBack = JSON.parse(JSON.stringify(none));
    assert.equal(noneBack.sharpeRatio, null);
    assert.equal(noneBack.sortinoRatio, null);
  });

  test('isRustAvailable, version, getEngineInfo', () => {
    assert.equal(engine.isRustAvailable(), true);
    assert.match(version, /^\d+\.\d+\.\d+/);
    assert.equal(version, require('quant-backtest/package.json').version);
    const info = engine.getEngineInfo();
    assert.equal(info.backend, 'wasm');
    assert.equal(info.version, version);
    assert.ok(['single-threaded', 'threaded'].includes(info.build), `build ${info.build}`);
    assert.ok(Number.isInteger(info.threads) && info.threads >= 1, `threads ${info.threads}`);
    assert.equal(info.platform, 'node');
    assert.equal(engine.getEngineInfo({ maxWorkers: 1 }).threads, 1);
    const two = engine.getEngineInfo({ maxWorkers: 2 });
    assert.ok(Number.isInteger(two.threads) && two.threads >= 1 && two.threads <= 2, `threads ${two.threads}`);
  });

  test('the default maxWorkers is os.availableParallelism() in Node', () => {
    assert.equal(engine.getEngineInfo().threads, availableParallelism());
  });

  test('Node needs no init, but init() is there and resolves', async () => {
    assert.equal(typeof init, 'function');
    assert.equal(init, namedInit);
    await init();
    await namedInit();
  });

  test('the package as installed: package.json and the shipped files', () => {
    const pkg = require('quant-backtest/package.json');
    assert.equal(pkg.name, 'quant-backtest');
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.sideEffects, false);
    assert.equal(pkg.types, './index.d.ts');
    const dot = pkg.exports['.'];
    assert.equal(dot.types, './index.d.ts');
    assert.equal(dot.node, './node.js');
    assert.equal(dot.default, './browser.js');
    assert.deepEqual(Object.keys(dot).slice(0, 1), ['types'], 'the types condition must come first');
    assert.equal(pkg.exports['./package.json'], './package.json');
    const root = dirname(require.resolve('quant-backtest/package.json'));
    for (const f of ['index.d.ts', 'node.js', 'node-worker.js', 'browser.js', 'core.js', 'README.md',
      'wasm/quant_backtest.js', 'wasm/quant_backtest_bg.wasm']) {
      assert.ok(existsSync(join(root, f)), `the package lacks ${f}`);
    }
  });

  test('benchmarkEngine', () => {
    const b = benchmarkEngine(DATA, 10, 30, { iterations: 3 });
    assert.equal(b.bars, DATA.length);
    assert.equal(b.iterations, 3);
    assert.equal(typeof b.wasmTimeMs, 'number');
    assert.ok(b.wasmTimeMs >= 0);
    assert.ok(b.barsPerSecond > 0);
    assert.deepEqual(plain(b.result), plain(engine.runSmaBacktest(DATA, 10, 30)));
    const defaults = benchmarkEngine(generateSampleData('B', 200, 50, { seed: 1n }));
    assert.equal(defaults.bars, 200);
    assert.ok(defaults.iterations >= 1);
  });
});

describe('CachedRustEngine and createEngine', () => {
  const COLS = DATA.toColumns();

  test('stats, hits and misses, keyed by content and every parameter', () => {
    const cached = track(new CachedRustEngine({ cacheSize: 8 }));
    const plainEngine = track(new RustEngine());
    assert.ok(cached instanceof RustEngine);
    assert.deepEqual(cached.getCacheStats(), { hits: 0, misses: 0, hitRate: 0, size: 0, maxSize: 8 });

    const first = cached.runSmaBacktest(DATA, 10, 30);
    assert.deepEqual(plain(first), plain(plainEngine.runSmaBacktest(DATA, 10, 30)));
    let s = cached.getCacheStats();
    assert.equal(s.misses, 1);
    assert.equal(s.hits, 0);
    assert.equal(s.size, 1);

    // the same bars in other objects: hits
    assert.deepEqual(plain(cached.runSmaBacktest(new MarketData(COLS), 10, 30)), plain(first));
    assert.deepEqual(plain(cached.runSmaBacktest(COLS, 10, 30)), plain(first));
    s = cached.getCacheStats();
    assert.equal(s.hits, 2);
    assert.equal(s.misses, 1);
    assert.equal(s.size, 1);

    // any other parameter or content: misses
    cached.runSmaBacktest(DATA, 10, 31);
    cached.runSmaBacktest(DATA, 10, 30, { fill: 'close' });
    cached.runSmaBacktest(DATA, 10, 30, { commissionRate: 0.002 });
    cached.runSmaBacktest(DATA, 10, 30, { initialCapital: 5000 });
    cached.runSmaBacktest(DATA, 10, 30, { lotSize: 1 });
    cached.runSmaBacktest(DATA, 10, 30, { periodsPerYear: 12 });
    const close = Float64Array.from(COLS.close);
    const high = Float64Array.from(COLS.high);
    close[5] = close[5] * 1.0001;
    high[5] = Math.max(high[5], close[5]);
    cached.runSmaBacktest({ ...COLS, close, high }, 10, 30);
    s = cached.getCacheStats();
    assert.equal(s.misses, 8);
    assert.equal(s.hits, 2);
    assert.equal(s.size, 8);
    assert.equal(s.hitRate, 2 / 10);

    // explicit defaults are the same key as no options
    cached.runSmaBacktest(DATA, 10, 30, { initialCapital: 100000, commissionRate: 0.001, fill: 'next_open', lotSize: 0, periodsPerYear: 252 });
    assert.equal(cached.getCacheStats().hits, 3);

    cached.clearCache();
    s = cached.getCacheStats();
    assert.equal(s.size, 0);
    const missesBefore = s.misses;
    cached.runSmaBacktest(DATA, 10, 30);
    assert.equal(cached.getCacheStats().misses, missesBefore + 1);
  });

  test('LRU eviction', () => {
    const cached = track(new CachedRustEngine({ cacheSize: 2 }));
    cached.runSmaBacktest(DATA, 5, 20); // miss: [A]
    cached.runSmaBacktest(DATA, 6, 20); // miss: [A, B]
    cached.runSmaBacktest(DATA, 5, 20); // hit:  [B, A]
    cached.runSmaBacktest(DATA, 7, 20); // miss, evicts B: [A, C]
    cached.runSmaBacktest(DATA, 5, 20); // hit:  [C, A]
    cached.runSmaBacktest(DATA, 6, 20); // miss, evicts C: [A, B]
    cached.runSmaBacktest(DATA, 5, 20); // hit
    const s = cached.getCacheStats();
    assert.deepEqual(s, { hits: 3, misses: 4, hitRate: 3 / 7, size: 2, maxSize: 2 });
  });

  test('createEngine', () => {
    const e = track(createEngine());
    assert.ok(e instanceof RustEngine);
    assert.ok(!(e instanceof CachedRustEngine));
    const e2 = track(createEngine({ useCache: false }));
    assert.ok(!(e2 instanceof CachedRustEngine));
    const c = track(createEngine({ useCache: true, cacheSize: 7 }));
    assert.ok(c instanceof CachedRustEngine);
    assert.equal(c.getCacheStats().maxSize, 7);
    assert.deepEqual(plain(c.runSmaBacktest(DATA, 10, 30)), plain(e.runSmaBacktest(DATA, 10, 30)));
  });
});

describe('close() and process exit', () => {
  // Each script is a file in the project that installed the package (as a user's script is).
  let serial = 0;
  async function runScript(source) {
    const file = join(HERE, `exit-check-${process.pid}-${serial++}.mjs`);
    await writeFile(file, source);
    try {
      return await runNode([file]);
    } finally {
      await rm(file, { force: true });
    }
  }
  function runNode(args) {
    return new Promise((resolve) => {
      // the timeout only stops a hung child (the test then fails); nothing is timed
      execFile(process.execPath, args, { cwd: HERE, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ error, stdout, stderr }),
      );
    });
  }

  const GRID = `
    import { RustEngine, generateSampleData } from 'quant-backtest';
    const engine = new RustEngine();
    const data = generateSampleData('EXIT', 500, 100, { seed: 5n });
    const grid = await engine.runMultipleBacktests(data, [5, 10], [20, 30], { maxWorkers: 2 });
    const one = await engine.runSmaBacktestAsync(data, 5, 20);
    console.log('pairs', grid.length, one.equityCurve.length);
  `;

  test('a script that used the worker pool exits after await engine.close()', async () => {
    const { error, stdout, stderr } = await runScript(`${GRID}\nawait engine.close();\nconsole.log('closed');`);
    assert.equal(error, null, `the script failed or hung: ${error && error.message}\n${stderr}`);
    assert.match(stdout, /pairs 4 500/);
    assert.match(stdout, /closed/);
  });

  test('a script that forgets close() still exits (the workers are unref-ed)', async () => {
    const { error, stdout, stderr } = await runScript(GRID);
    assert.equal(error, null, `the script failed or hung: ${error && error.message}\n${stderr}`);
    assert.match(stdout, /pairs 4 500/);
  });

  test('after close() the engine still works (the workers come back)', async () => {
    const engine = new RustEngine();
    try {
      const data = generateSampleData('REOPEN', 400, 100, { seed: 8n });
      const before = await engine.runMultipleBacktests(data, [5, 10], [20, 30], { maxWorkers: 2, includeDetails: true });
      await engine.close();
      const again = await engine.runMultipleBacktests(data, [5, 10], [20, 30], { maxWorkers: 2, includeDetails: true });
      assert.deepEqual(again.map((e) => plain(e.result)), before.map((e) => plain(e.result)));
      const one = await engine.runSmaBacktestAsync(data, 5, 20);
      assert.deepEqual(plain(one), plain(engine.runSmaBacktest(data, 5, 20)));
    } finally {
      await engine.close();
    }
  });

  test('plain ESM import, no init call, and close() on an idle engine', async () => {
    const { error, stdout, stderr } = await runScript(`
      import { RustEngine, generateSampleData } from 'quant-backtest';
      const engine = new RustEngine();
      const r = engine.runSmaBacktest(generateSampleData('X', 100, 10, { seed: 1n }), 5, 20);
      console.log('bars', r.equityCurve.length);
      await engine.close();
    `);
    assert.equal(error, null, `the script failed or hung: ${error && error.message}\n${stderr}`);
    assert.match(stdout, /bars 100/);
  });

  test('a `node --input-type=module -e` script can use the worker pool too', async () => {
    const { error, stdout, stderr } = await runNode(['--input-type=module', '-e', `${GRID}\nawait engine.close();`]);
    assert.equal(error, null, `the script failed or hung: ${error && error.message}\n${stderr}`);
    assert.match(stdout, /pairs 4 500/);
  });
});
