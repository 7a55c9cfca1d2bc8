// JS-side benchmarks (figures for closing notes; never asserted in tests).
//
//   npm run build && node benches/bench_node.mjs
//
// A 1,000-bar backtest end to end from JS; the 50 x 50 grid (2,500 pairs) on 25,200
// bars in wasm on one thread and on the Node worker pool with 2 workers. Compare the one-thread
// figure with native's (`cargo bench --features parallel --bench engine`, grid 1_threads).
import { performance } from 'node:perf_hooks';
import { RustEngine, generateSampleData } from '../pkg/node.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const engine = new RustEngine();
console.log('engine', engine.getEngineInfo());

const small = generateSampleData('BENCH', 1000, 100, { seed: 42 });
for (let i = 0; i < 200; i++) engine.runSmaBacktest(small, 10, 30);
const runs = [];
for (let r = 0; r < 7; r++) {
  const n = 500;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) engine.runSmaBacktest(small, 10, 30);
  runs.push(((performance.now() - t0) / n) * 1000);
}
console.log(`1,000-bar backtest end to end from JS: median ${median(runs).toFixed(1)} us, best ${Math.min(...runs).toFixed(1)} us`);

const big = generateSampleData('BENCH', 25200, 100, { seed: 42 });
const fast = Array.from({ length: 50 }, (_, i) => i + 2);
const slow = Array.from({ length: 50 }, (_, i) => 52 + 4 * i);
for (const workers of [1, 2]) {
  await engine.runGrid(big, fast.slice(0, 2), slow.slice(0, 2), { maxWorkers: workers }); // warm up
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const cols = await engine.runGrid(big, fast, slow, { maxWorkers: workers });
    times.push(performance.now() - t0);
    if (cols.totalReturn.length !== 2500) throw new Error('expected 2,500 pairs');
  }
  const best = Math.min(...times);
  console.log(`50x50 grid (2,500 pairs) on 25,200 bars, maxWorkers ${workers}: best ${best.toFixed(0)} ms, median ${median(times).toFixed(0)} ms, ${((2500 * 25200) / best / 1e3).toFixed(0)} M bar-pairs/s`);
}
await engine.close();
