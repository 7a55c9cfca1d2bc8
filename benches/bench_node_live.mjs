// Live-run benchmark from JS (a figure for closing notes; never asserted in tests).
//
//   npm run build && node benches/bench_node_live.mjs
//
// `live.push(bar)` of one bar from JS, wrapper included (the bar object read, the call into
// wasm, the events unpacked when there are any): an SMA 10/30 cross (two indicators) on
// 100,000 sample bars, `equityCurve: false`. Microseconds per push: the median of 7 runs, each
// pushing every bar into a fresh run.
import { performance } from 'node:perf_hooks';
import { RustEngine, generateSampleData, strategy as qs } from '../pkg/node.js';

const BARS = 100_000;
const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const engine = new RustEngine();
const data = generateSampleData('BENCH', BARS, 100, { seed: 42 });
const [dates, open, high, low, close, volume] = [data.dates, data.open, data.high, data.low, data.close, data.volume];
// The bars made before timing: what a feed hands over.
const bars = dates.map((date, t) => ({ date, open: open[t], high: high[t], low: low[t], close: close[t], volume: volume[t] }));
const strategy = qs.smaCross(10, 30);

/** Microseconds per push over every bar, into a fresh run; the events seen, to check the work. */
function pushAll() {
  const live = engine.live(strategy, { equityCurve: false });
  let events = 0;
  const t0 = performance.now();
  for (let t = 0; t < BARS; t++) events += live.push(bars[t]).length;
  const us = ((performance.now() - t0) * 1000) / BARS;
  const trades = live.result().tradeCount;
  live.free();
  return { us, events, trades };
}

pushAll(); // warm up (JIT, wasm tiers)
const runs = [];
let last;
for (let r = 0; r < RUNS; r++) {
  last = pushAll();
  runs.push(last.us);
}
const batch = engine.runBacktest(data, strategy);
if (last.trades !== batch.tradeCount) throw new Error(`live made ${last.trades} trades, batch ${batch.tradeCount}`);
console.log(
  `live.push, SMA 10/30 cross, ${BARS.toLocaleString('en-US')} bars, equityCurve false: ` +
    `median ${median(runs).toFixed(3)} us per push (best ${Math.min(...runs).toFixed(3)} us; ` +
    `${last.events} events, ${last.trades} trades, as runBacktest)`,
);
