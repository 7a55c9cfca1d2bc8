// Type-checked (tsc --noEmit --strict), never run: it uses the whole public API of
// 'quant-backtest' with the types a TS user writes, so index.d.ts must describe all of it.
import init, {
  init as namedInit,
  BacktestError,
  BacktestResult,
  CachedRustEngine,
  MarketData,
  RustEngine,
  benchmarkEngine,
  createEngine,
  generateSampleData,
  generateSampleUniverse,
  PortfolioResult,
  Universe,
  version,
} from 'quant-backtest';
import type {
  AbortSignalLike,
  BacktestErrorCode,
  BacktestResultJSON,
  BenchmarkOptions,
  BenchmarkReport,
  CacheStats,
  Fill,
  MarketDataColumns,
  BacktestOptions,
  Bar,
  Columns,
  DataLike,
  EngineInfo,
  GridColumns,
  GridEntry,
  GridOptions,
  Trade,
  AssetSummary,
  PortfolioOptions,
  PortfolioResultJSON,
  PortfolioOptimizeOptions,
  PortfolioOptimizeResult,
  PortfolioStrategy,
  PortfolioSweepOptions,
  PortfolioTrade,
  UniverseLike,
  OptimizeResult,
  StrategyResult,
  SweepColumns,
} from 'quant-backtest';

// the browser/bundler entry's initialiser (a no-op to await in Node)
const ready: Promise<void> = init();
const readyNamed: Promise<void> = namedInit(undefined);

// -- market data ------------------------------------------------------------------------------
const columns: Columns = {
  symbol: 'TS',
  dates: ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
  open: [10, 10.1, 10.4, 10.3, 10.9],
  high: new Float64Array([10.2, 10.6, 10.5, 10.9, 11.2]),
  low: [9.8, 10, 10.1, 10.2, 10.8],
  close: Float64Array.from([10, 10.5, 10.2, 10.8, 11]),
  volume: new Uint32Array([1000, 1100, 1200, 1300, 1400]),
};
const noSymbol: Columns = { dates: [], open: [], high: [], low: [], close: [], volume: [] };
const rows: readonly Bar[] = columns.dates.map(
  (date, i): Bar => ({
    date,
    open: columns.open[i],
    high: columns.high[i],
    low: columns.low[i],
    close: columns.close[i],
    volume: columns.volume[i],
  }),
);
const md: MarketData = new MarketData(columns);
const md2: MarketData = MarketData.fromColumns(columns);
const md3: MarketData = MarketData.fromRows(rows, 'ROWS');
const md4: MarketData = MarketData.fromRows(rows);
const md5: MarketData = MarketData.fromCsv('date,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n', { symbol: 'CSV' });
const md6: MarketData = MarketData.fromCsv('date,open,high,low,close,volume\n');
const symbol: string = md.symbol;
const length: number = md.length;
const dates: readonly string[] = md.dates;
const open: Float64Array = md.open;
const high: Float64Array = md.high;
const low: Float64Array = md.low;
const close: Float64Array = md.close;
const volume: Float64Array = md.volume;
const fingerprint: string = md.fingerprint;
const back: Required<Columns> = md.toColumns();
const backSymbol: string = back.symbol;

const sample: MarketData = generateSampleData();
const sample2: MarketData = generateSampleData('S', 250, 100, { seed: 42 });
const sample3: MarketData = generateSampleData('S', 250, 100, { seed: 2n ** 63n });
const sample4: MarketData = generateSampleData('S', 250);

const inputs: DataLike[] = [md, columns, rows];

// -- engines ----------------------------------------------------------------------------------
const engine: RustEngine = new RustEngine();
const options: BacktestOptions = {
  initialCapital: 100_000,
  commissionRate: 0.001,
  fill: 'next_open',
  lotSize: 0,
  periodsPerYear: 252,
};
const closeFill: BacktestOptions = { fill: 'close' };
const result: BacktestResult = engine.runSmaBacktest(sample, 10, 30, options);
engine.runSmaBacktest(columns, 2, 4);
engine.runSmaBacktest(rows, 2, 4, closeFill);

const fastPeriod: number = result.fastPeriod;
const slowPeriod: number = result.slowPeriod;
const totalReturn: number = result.totalReturn;
const annualizedReturn: number = result.annualizedReturn;
const volatility: number = result.volatility;
const sharpe: number | null = result.sharpeRatio;
const sortino: number | null = result.sortinoRatio;
const maxDrawdown: number = result.maxDrawdown;
const tradeCount: number = result.tradeCount;
const winRate: number = result.winRate;
const ms: number = result.executionTimeMs;
const equity: Float64Array = result.equityCurve;
const backend: 'wasm' = result.backend;
const json: object = result.toJSON();
const text: string = JSON.stringify(result);
const trades: readonly Trade[] = result.trades;
for (const t of trades) {
  const entryIndex: number = t.entryIndex;
  const exitIndex: number = t.exitIndex;
  const entryDate: string = t.entryDate;
  const exitDate: string = t.exitDate;
  const entryPrice: number = t.entryPrice;
  const exitPrice: number = t.exitPrice;
  const size: number = t.size;
  const pnl: number = t.pnl;
  const returnPct: number = t.returnPct;
  const barsHeld: number = t.barsHeld;
  void [entryIndex, exitIndex, entryDate, exitDate, entryPrice, exitPrice, size, pnl, returnPct, barsHeld];
}
if (result.sharpeRatio !== null) {
  const s: number = result.sharpeRatio * 2;
  void s;
}

const asyncResult: Promise<BacktestResult> = engine.runSmaBacktestAsync(md, 2, 4, options);

const gridOptions: GridOptions = { ...options, maxWorkers: 2, includeDetails: true };
const grid: Promise<GridEntry[]> = engine.runMultipleBacktests(sample, [5, 10], new Set([20, 30]), gridOptions);
const gridEntries: GridEntry[] = await engine.runMultipleBacktests(sample, [5], [20]);
for (const e of gridEntries) {
  const f: number = e.fastPeriod;
  const s: number = e.slowPeriod;
  const r: BacktestResult = e.result;
  void [f, s, r];
}
const gridColumns: GridColumns = await engine.runGrid(sample, [5, 10], [20, 30], { maxWorkers: 1, fill: 'close' });
const gridCols: Float64Array[] = [
  gridColumns.fastPeriod,
  gridColumns.slowPeriod,
  gridColumns.totalReturn,
  gridColumns.annualizedReturn,
  gridColumns.volatility,
  gridColumns.sharpeRatio,
  gridColumns.sortinoRatio,
  gridColumns.maxDrawdown,
  gridColumns.tradeCount,
  gridColumns.winRate,
];

const valid: boolean = engine.validateData(rows);
const available: boolean = engine.isRustAvailable();
const info: EngineInfo = engine.getEngineInfo();
const info2: EngineInfo = engine.getEngineInfo({ maxWorkers: 4 });
const infoBackend: 'wasm' = info.backend;
const infoVersion: string = info.version;
const infoBuild: 'single-threaded' | 'threaded' = info.build;
const infoThreads: number = info.threads;
const infoPlatform: 'node' | 'browser' = info.platform;

const cached: CachedRustEngine = new CachedRustEngine({ cacheSize: 16 });
const cachedDefault: CachedRustEngine = new CachedRustEngine();
const asEngine: RustEngine = cached;
cached.runSmaBacktest(md, 2, 4);
const stats: { hits: number; misses: number; hitRate: number; size: number; maxSize: number } = cached.getCacheStats();
cached.clearCache();

const e1: RustEngine = createEngine();
const e2: RustEngine = createEngine({ useCache: true, cacheSize: 8 });
const e3: RustEngine = createEngine({ useCache: false });

const bench: { bars: number; iterations: number; wasmTimeMs: number; barsPerSecond: number; result: BacktestResult } =
  benchmarkEngine(sample, 10, 30, { iterations: 5 });
const bench2 = benchmarkEngine(md);
const benchBars: number = bench2.bars;

const v: string = version;

// -- beyond /tmp/js_api_spec.md: what index.d.ts adds ----------------------------------------
const fill: Fill = 'close';
const code: BacktestErrorCode = 'invalid_grid';
const json2: BacktestResultJSON = result.toJSON();
const jsonEquity: number[] = json2.equityCurve;
const jsonSharpe: number | null = json2.sharpeRatio;
const statsTyped: CacheStats = cached.getCacheStats();
const benchOptions: BenchmarkOptions = { iterations: 2, fill: 'close' };
const benchReport: BenchmarkReport = benchmarkEngine(md, 2, 4, benchOptions);
const mdColumns: MarketDataColumns = md.toColumns();
const same: boolean = md.equals(md2);
const described: string = md.toString();
const coi: boolean = info.crossOriginIsolated;
const neverAborts: AbortSignalLike = {
  aborted: false,
  addEventListener: (_type: 'abort', _listener: () => void) => {},
  removeEventListener: (_type: 'abort', _listener: () => void) => {},
};
const withProgress: Promise<GridEntry[]> = engine.runMultipleBacktests(sample, [5], [20], {
  onProgress: (done: number, total: number) => void [done, total],
  signal: neverAborts,
});
const gridWithSignal: Promise<GridColumns> = engine.runGrid(sample, [5], [20], { signal: neverAborts });
const engineReady: Promise<void> = engine.ready();

// -- errors -----------------------------------------------------------------------------------
try {
  engine.runSmaBacktest(md, 4, 2);
} catch (err) {
  if (err instanceof BacktestError) {
    const name: 'BacktestError' = err.name;
    const code: BacktestErrorCode = err.code;
    const message: string = err.message;
    const asError: Error = err;
    void [name, code, message, asError];
  }
}

// -- portfolios -------------------------------------------------------------------------------
const universe: Universe = new Universe([md, { ...columns, symbol: 'TS2' }]);
const universe2: Universe = new Universe({ A: md, B: rows });
const universe3: Universe = generateSampleUniverse(3, 120, 7);
const universe4: Universe = generateSampleUniverse(['X', 'Y'], 60, 7n);
const universe5: Universe = generateSampleUniverse();
const uLength: number = universe.length;
const uSymbols: readonly string[] = universe.symbols;
const uDates: readonly string[] = universe.dates;
const uAsset: MarketData | undefined = universe.get('TS2') ?? universe.get(0);
const uHas: boolean = universe.has('TS');
for (const asset of universe3) void (asset.symbol as string);
const likes: UniverseLike[] = [universe, [md, rows], { A: columns }];
const portfolioOptions: PortfolioOptions = { maxPositions: 2, commissionRate: 0.001, fill: 'close', params: { fast: 5 } };
const perSymbol: PortfolioStrategy = { X: '{"entry": {"gt": ["close", 1]}}', Y: { toJSON: () => ({}) } };
const portfolio: PortfolioResult = engine.runPortfolio(universe3, '{"entry": {"gt": ["close", 1]}}', portfolioOptions);
const portfolioAsync: Promise<PortfolioResult> = engine.runPortfolioAsync(universe4, perSymbol, { size: 0.5 });
const pTrades: readonly PortfolioTrade[] = portfolio.trades;
const pTradeSymbol: string = pTrades[0].symbol;
const pAssets: readonly AssetSummary[] = portfolio.assets;
const pExposure: number = pAssets[0].exposure;
const pEquity: Float64Array = portfolio.equityCurve;
const pCash: Float64Array = portfolio.cash;
const pPositions: Readonly<Record<string, Float64Array>> = portfolio.positionValues;
const pDates: readonly string[] = portfolio.dates;
const pSharpe: number | null = portfolio.sharpeRatio;
const pMetrics: number | null = portfolio.metrics.calmarRatio;
const pJson: PortfolioResultJSON = portfolio.toJSON();
const pJsonPositions: number[] = pJson.positionValues['X'];
// @ts-expect-error: maxPositions is a number
engine.runPortfolio(universe3, '{}', { maxPositions: '2' });
// @ts-expect-error: a universe is not one MarketData
engine.runPortfolio(md, '{}');
// @ts-expect-error: portfolio results are read-only
portfolio.cash = new Float64Array(0);
// Portfolio sweeps and optimize: `sweep` / `optimize` on a Universe.
const pSweepOptions: PortfolioSweepOptions = { maxPositions: 2, maxWorkers: 2, onProgress: (done: number, total: number) => void [done, total] };
const pSweep: Promise<SweepColumns<'fast' | 'slow'>> = engine.sweep(universe3, '{}', { fast: [5, 8], slow: [20] }, pSweepOptions);
const pOptimizeOptions: PortfolioOptimizeOptions = { maximize: 'totalReturn', maxPositions: 1, constraint: (p: Record<string, number>) => p.fast < p.slow };
const pOptimized: PortfolioOptimizeResult<'fast'> = await engine.optimize(universe3, '{}', { fast: [5, 8] }, pOptimizeOptions);
const pBest: PortfolioResult = pOptimized.result;
const pBestFast: number = pOptimized.params.fast;
const single: OptimizeResult<'fast'> = await engine.optimize(md, '{}', { fast: [5] });
// @ts-expect-error: maxPositions is for a Universe
engine.sweep(md, '{}', { fast: [5] }, { maxPositions: 2 });
const pBestPositions: Readonly<Record<string, Float64Array>> = pOptimized.result.positionValues;
const singleResult: StrategyResult = single.result;
// @ts-expect-error: optimize on one MarketData gives a StrategyResult (no positionValues)
void single.result.positionValues;

// -- what must NOT type-check -----------------------------------------------------------------
// @ts-expect-error: fill is 'next_open' | 'close'
engine.runSmaBacktest(md, 2, 4, { fill: 'open' });
// @ts-expect-error: periods are numbers
engine.runSmaBacktest(md, '2', 4);
// @ts-expect-error: includeDetails is not a runGrid option
engine.runGrid(md, [2], [4], { includeDetails: true });
// @ts-expect-error: results are read-only
result.totalReturn = 1;
// @ts-expect-error: sharpeRatio may be null
const notNull: number = result.sharpeRatio;
// @ts-expect-error: a Columns needs dates
const noDates: Columns = { open: [], high: [], low: [], close: [], volume: [] };

await Promise.all([ready, readyNamed, asyncResult, grid, withProgress, gridWithSignal, engineReady, portfolioAsync]);
await Promise.all([engine.close(), cached.close(), cachedDefault.close(), e1.close(), e2.close(), e3.close()]);

export const used = [
  md2, md3, md4, md5, md6, symbol, length, dates, open, high, low, close, volume, fingerprint,
  backSymbol, sample2, sample3, sample4, inputs, noSymbol, fastPeriod, slowPeriod, totalReturn,
  annualizedReturn, volatility, sharpe, sortino, maxDrawdown, tradeCount, winRate, ms, equity, backend,
  json, text, gridCols, valid, available, info2, infoBackend, infoVersion, infoBuild, infoThreads,
  infoPlatform, asEngine, stats, bench, benchBars, v, notNull, noDates, fill, code, jsonEquity,
  jsonSharpe, statsTyped, benchReport, mdColumns, same, described, coi,
  universe2, universe5, uLength, uSymbols, uDates, uAsset, uHas, likes, pTradeSymbol, pExposure, pEquity,
  pCash, pPositions, pDates, pSharpe, pMetrics, pJsonPositions, pSweep, pBest, pBestFast, pBestPositions, singleResult,
];
