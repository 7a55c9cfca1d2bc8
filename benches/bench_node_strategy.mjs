// Strategy-engine benchmarks from JS (figures for closing notes; never asserted in tests).
//
//   npm run build && node benches/bench_node_strategy.mjs
//
// A 1,000-bar engine.runBacktest end to end from JS (an SMA-cross tree with a stop, the same
// trades as runSmaBacktest's SMA cross plus the stop), next to runSmaBacktest for comparison;
// then a sweep of a generic tree (SMA cross AND an RSI filter AND a close above an EMA:
// placeholders in three indicators, 4 params, 1,200 rows) on 10,080 bars, on 1 and 2 Node
// worker threads.
import { performance } from 'node:perf_hooks';
import { RustEngine, generateSampleData } from '../pkg/node.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const engine = new RustEngine();

/** Microseconds per call: the median (and best) of 7 rounds of `n` calls. @param {() => unknown} fn */
function perCall(fn, n = 500) {
  for (let i = 0; i < 200; i++) fn();
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    runs.push(((performance.now() - t0) / n) * 1000);
  }
  return `median ${median(runs).toFixed(1)} us, best ${Math.min(...runs).toFixed(1)} us`;
}

const sma = (period) => ({ indicator: 'sma', period });
const cross = { entry: { crosses_above: [sma(10), sma(30)] }, exit: { crosses_below: [sma(10), sma(30)] } };
const small = generateSampleData('BENCH', 1000, 100, { seed: 42 });
console.log(`1,000-bar runBacktest (SMA 10/30 cross tree): ${perCall(() => engine.runBacktest(small, cross))}`);
console.log(`1,000-bar runBacktest (the same with stopLoss 0.05): ${perCall(() => engine.runBacktest(small, cross, { stopLoss: 0.05 }))}`);
console.log(`1,000-bar runSmaBacktest (seed API, for comparison): ${perCall(() => engine.runSmaBacktest(small, 10, 30))}`);

const p = (name) => ({ param: name });
const generic = {
  entry: {
    and: [
      { crosses_above: [{ indicator: 'sma', period: p('fast') }, { indicator: 'sma', period: p('slow') }] },
      { lt: [{ indicator: 'rsi', period: p('rsi') }, 70] },
      { gt: ['close', { indicator: 'ema', period: p('trend') }] },
    ],
  },
  exit: { or: [{ crosses_below: [{ indicator: 'sma', period: p('fast') }, { indicator: 'sma', period: p('slow') }] }, { gt: [{ indicator: 'rsi', period: p('rsi') }, 80] }] },
  settings: { stop_loss: 0.08, direction: 'long_only' },
};
const params = {
  fast: [5, 8, 10, 12, 15, 20],
  slow: [30, 40, 50, 60, 80],
  rsi: [7, 10, 14, 21],
  trend: [50, 100, 150, 200, 250, 300, 400, 500, 600, 800],
};
const rows = Object.values(params).reduce((n, v) => n * v.length, 1);
const big = generateSampleData('BENCH', 10080, 100, { seed: 42 });
const times = {};
for (const workers of [1, 2]) {
  await engine.sweep(big, generic, { fast: [5], slow: [30], rsi: [14], trend: [200] }, { maxWorkers: workers }); // warm up the pool
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const cols = await engine.sweep(big, generic, params, { maxWorkers: workers });
    runs.push(performance.now() - t0);
    if (cols.totalReturn.length !== rows) throw new Error(`expected ${rows} rows`);
  }
  times[workers] = median(runs);
  console.log(`sweep of a generic tree (${rows} rows, 4 params) on 10,080 bars, maxWorkers ${workers}: median ${median(runs).toFixed(0)} ms, best ${Math.min(...runs).toFixed(0)} ms`);
}
console.log(`2 workers vs 1: ${(times[1] / times[2]).toFixed(2)}x`);
await engine.close();
