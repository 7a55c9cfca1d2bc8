// A tiny browser app that uses the package through a bundler (scripts/test-js.sh builds it with
// esbuild for the browser platform). In a browser the result goes into the page; the exported
// `result` lets the test runner also load the bundle in Node and check it ran.
import init, { RustEngine, generateSampleData, version } from 'quant-backtest';

async function main() {
  await init();
  const engine = new RustEngine();
  const data = generateSampleData('WEB', 500, 100, { seed: 42n });
  const r = engine.runSmaBacktest(data, 10, 30);
  const grid = await engine.runMultipleBacktests(data, [5, 10], [20, 30]);
  const info = engine.getEngineInfo();
  await engine.close();
  return {
    version,
    platform: info.platform,
    build: info.build,
    threads: info.threads,
    bars: data.length,
    trades: r.tradeCount,
    totalReturn: r.totalReturn,
    equityLength: r.equityCurve.length,
    gridPairs: grid.length,
  };
}

export const result = await main();

if (typeof document !== 'undefined') {
  const out = document.getElementById('result');
  if (out) out.textContent = JSON.stringify(result, null, 2);
  document.title = 'done';
}
