// quant-backtest from Node: sample data, one backtest, a parameter grid on worker threads, and
// the best pairs as a table.
//
//   npm install quant-backtest          (or the tarball from `npm pack ./pkg`)
//   node node_example.mjs
import { BacktestError, RustEngine, generateSampleData } from 'quant-backtest';

const pct = (x) => (x === null ? '-' : `${(x * 100).toFixed(2)} %`);
const num = (x, digits = 2) => (x === null ? '-' : x.toFixed(digits));

// 1. Data: 1,000 business days of a seeded random walk (the same bars as the Rust and Python
//    packages give for this seed).
const data = generateSampleData('DEMO', 1000, 100, { seed: 42 });
console.log(`${data.symbol}: ${data.length} bars, ${data.dates[0]} .. ${data.dates[data.length - 1]}`);

const engine = new RustEngine();
const info = engine.getEngineInfo();
console.log(`engine: ${info.backend} ${info.version}, ${info.build}, ${info.threads} worker threads by default`);

// 2. One backtest: SMA 10 / 30, fills at the next open, 0.1 % commission, whole shares.
const result = engine.runSmaBacktest(data, 10, 30, { commissionRate: 0.001, lotSize: 1 });
console.log('\nSMA 10/30');
console.log(`  total return   ${pct(result.totalReturn)}   (annualized ${pct(result.annualizedReturn)})`);
console.log(`  sharpe         ${num(result.sharpeRatio)}   sortino ${num(result.sortinoRatio)}`);
console.log(`  max drawdown   ${pct(result.maxDrawdown)}   volatility ${pct(result.volatility)}`);
console.log(`  trades         ${result.tradeCount}, ${result.winRate.toFixed(1)} % won, in ${result.executionTimeMs.toFixed(3)} ms`);
const first = result.trades[0];
if (first) {
  console.log(`  first trade    bar ${first.entryIndex} (${first.entryDate}) -> bar ${first.exitIndex} (${first.exitDate}): ` +
    `${first.size} shares, pnl ${first.pnl.toFixed(2)} (${pct(first.returnPct)})`);
}

// 3. A grid: every fast in 5..50 step 5 against every slow in 20..200 step 10 (pairs with
//    fast >= slow are skipped), spread over the worker pool.
const fasts = Array.from({ length: 10 }, (_, i) => 5 + 5 * i);
const slows = Array.from({ length: 19 }, (_, i) => 20 + 10 * i);
const t0 = performance.now();
const grid = await engine.runMultipleBacktests(data, fasts, slows, { commissionRate: 0.001, lotSize: 1 });
const ms = performance.now() - t0;
console.log(`\ngrid: ${grid.length} pairs in ${ms.toFixed(0)} ms on ${info.threads} threads`);

// 4. The best pairs by Sharpe ratio (pairs without one last).
const best = [...grid]
  .sort((a, b) => (b.result.sharpeRatio ?? -Infinity) - (a.result.sharpeRatio ?? -Infinity))
  .slice(0, 5);
console.table(
  best.map(({ fastPeriod, slowPeriod, result: r }) => ({
    fast: fastPeriod,
    slow: slowPeriod,
    'total return': pct(r.totalReturn),
    sharpe: num(r.sharpeRatio),
    'max drawdown': pct(r.maxDrawdown),
    trades: r.tradeCount,
    'win rate': `${r.winRate.toFixed(1)} %`,
  })),
);

// 5. Bad input is refused with a clear message; the engine keeps working.
try {
  engine.runSmaBacktest(data, 30, 10);
} catch (e) {
  if (!(e instanceof BacktestError)) throw e;
  console.log(`\nrefused (${e.code}): ${e.message}`);
}

await engine.close(); // ends the worker threads (optional: idle workers never keep Node alive)
