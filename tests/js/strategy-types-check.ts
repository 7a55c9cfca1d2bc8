// Type-checked (tsc --noEmit --strict by scripts/test-js.sh), never run: the strategy engine's
// API with the types a TS user writes, so index.d.ts must describe all of it.
import { RustEngine, StrategyResult, BacktestError, LiveRun, WalkForwardResult, generateSampleData, generateSampleUniverse, strategy as qs } from 'quant-backtest';
import type {
  AbortSignalLike,
  BacktestErrorCode,
  ExitReason,
  LiveBar,
  LiveEvent,
  LiveEventKind,
  LiveEventReason,
  LiveOptions,
  LivePending,
  LivePosition,
  MetricName,
  OptimizeResult,
  PortfolioTrade,
  PortfolioWalkForwardOptions,
  Side,
  StrategyJSON,
  StrategyMetrics,
  StrategyResultJSON,
  StrategyTrade,
  SweepColumns,
  WalkForwardOptions,
  WalkForwardResultJSON,
  WalkPortfolioTradeJSON,
  WalkTradeJSON,
  WalkWindow,
  WalkWindowJSON,
} from 'quant-backtest';

const engine = new RustEngine();
const data = generateSampleData('TS', 500, 100, { seed: 1 });
const tree: StrategyJSON = {
  entry: { crosses_above: [{ indicator: 'sma', period: { param: 'fast' } }, { indicator: 'sma', period: 30 }] },
  exit: { lt: ['close', { indicator: 'bbands', period: 20, k: 2, output: 'lower' }] },
  settings: { stop_loss: 0.05, direction: 'long_only' },
};

const r: StrategyResult = engine.runBacktest(data, tree, { commissionRate: 0.001, stopLoss: 0.05, params: { fast: 10 } });
const sharpe: number | null = r.sharpeRatio;
const trades: readonly StrategyTrade[] = r.trades;
const side: Side | undefined = trades[0]?.direction;
const reason: ExitReason | undefined = trades[0]?.exitReason;
const equity: Float64Array = r.equityCurve;
const json: StrategyResultJSON = r.toJSON();
void [sharpe, side, reason, equity, json];

const built = new qs.Strategy({ entry: qs.sma(10).crossesAbove(qs.sma(30)), exit: qs.sma(10).crossesBelow(qs.sma(30)) });
const viaBuilder: StrategyResult = engine.runBacktest(data, built);
const viaText: Promise<StrategyResult> = engine.runBacktestAsync(data, JSON.stringify(tree), { params: { fast: 5 } });
const signals: StrategyResult = engine.runSignals(data, new Array<boolean>(500).fill(false), null, { shortEntries: new Uint8Array(500), direction: 'both' });
void [viaBuilder, viaText, signals];

async function sweeps(): Promise<void> {
  // the structural AbortSignalLike (no DOM lib in the NodeNext config)
  const signal: AbortSignalLike = { aborted: false, addEventListener: () => {}, removeEventListener: () => {} };
  const cols: SweepColumns<'fast'> = await engine.sweep(data, tree, { fast: [5, 10, 15] }, {
    maxWorkers: 2,
    onProgress: (done: number, total: number) => void [done, total],
    signal,
    constraint: (p) => p.fast > 4,
    slippage: 0.001,
  });
  const fast: Int32Array | Float64Array = cols.fast;
  const count: Int32Array = cols.tradeCount;
  const ret: Float64Array = cols.totalReturn;
  const metric: MetricName = 'calmarRatio';
  const best: OptimizeResult<'fast'> = await engine.optimize(data, tree, { fast: [5, 10] }, { maximize: metric, constraint: { gt: [{ param: 'fast' }, 4] } });
  const chosen: number = best.params.fast;
  void [fast, count, ret, chosen, best.result.totalReturn];
}
void sweeps;

try {
  engine.runBacktest(data, tree);
} catch (err) {
  if (err instanceof BacktestError) {
    const code: BacktestErrorCode = err.code;
    const strategyCode: BacktestErrorCode = 'invalid_strategy';
    void [code, strategyCode];
  }
}

// Live runs: one bar at a time.
const liveOptions: LiveOptions = { stopLoss: 0.05, fill: 'close', params: { fast: 10 }, symbol: 'TS', equityCurve: false };
const live: LiveRun = engine.live(tree, liveOptions);
const bar: LiveBar = { date: '2024-01-02', open: 10, high: 11, low: 9, close: 10.5, volume: 1000, symbol: 'TS' };
const events: readonly LiveEvent[] = live.push(bar);
const dated: readonly LiveEvent[] = live.push({ ...bar, date: new Date(Date.UTC(2024, 0, 3)) });
const many: LiveEvent[] = live.pushMany([bar, bar]);
const kind: LiveEventKind | undefined = events[0]?.kind;
const why: LiveEventReason | undefined = events[0]?.reason;
const price: number | null | undefined = events[0]?.price;
const position: LivePosition | null = live.position;
const pending: LivePending | null = live.pending;
const state: string = live.toJSON();
const resumed: LiveRun = engine.liveFromJSON(state);
const again: LiveRun = LiveRun.fromJSON(state);
const now: StrategyResult = resumed.result();
const numbers: number[] = [live.cash, live.equity, live.bars];
const texts: (string | null)[] = [live.lastDate, live.symbol];
void [dated, many, kind, why, price, position, pending, again, now, numbers, texts];
async function feeds(source: AsyncIterable<LiveBar>): Promise<void> {
  for await (const barEvents of live.feed(source)) {
    const first: LiveEvent | undefined = barEvents[0];
    void first;
  }
  live.free();
}
void feeds;
const stateCode: BacktestErrorCode = 'invalid_state';
void stateCode;

// Walk-forward optimisation: the sweep's best on each train window, run on its test window.
async function walks(): Promise<void> {
  const options: WalkForwardOptions = { train: 200, test: 50, step: 60, anchored: true, maximize: 'sortinoRatio', constraint: (p) => p.fast > 4, stopLoss: 0.05, maxWorkers: 2 };
  const walk: WalkForwardResult = engine.walkForward(data, tree, { fast: [5, 10, 15] }, options);
  const later: WalkForwardResult = await engine.walkForwardAsync(data, built, { fast: [5, 10] }, { train: 100, test: 50 });
  const sharpe: number | null = walk.sharpeRatio;
  const metrics: StrategyMetrics = walk.metrics;
  const windows: readonly WalkWindow[] = walk.windows;
  const first: WalkWindow | undefined = windows[0];
  const chosen: number | undefined = first?.params.fast;
  const inSample: number | null | undefined = first?.inSample.calmarRatio;
  const trainEquity: Float64Array | undefined = first?.inSampleEquity;
  const dates: readonly string[] = walk.equityDates;
  const index: Int32Array = walk.equityIndex;
  const curve: Float64Array = walk.equityCurve;
  const trades: readonly StrategyTrade[] = walk.trades;
  const maximized: MetricName = walk.maximize;
  const json: WalkForwardResultJSON = later.toJSON();
  const row: WalkWindowJSON | undefined = json.windows[0];
  const stitched: number | null | undefined = json.metrics.total_return;
  void [sharpe, metrics, chosen, inSample, trainEquity, dates, index, curve, trades, maximized, row, stitched, walk.combinations, walk.anchored];
  const oneTrade: WalkTradeJSON | undefined = json.trades[0];
  void oneTrade;

  // On a Universe: union bars, portfolio runs (maxPositions allowed), trades with their symbol.
  const universe = generateSampleUniverse(3, 300, 7);
  const onUniverse: PortfolioWalkForwardOptions = { train: 120, test: 60, maxPositions: 2, maximize: 'totalReturn' };
  const portfolioWalk: WalkForwardResult<PortfolioTrade> = engine.walkForward(universe, tree, { fast: [5, 10] }, onUniverse);
  const portfolioLater: WalkForwardResult<PortfolioTrade> = await engine.walkForwardAsync(universe, built, { fast: [5, 10] }, { train: 120, test: 60, maxWorkers: 2 });
  const symbol: string | undefined = portfolioWalk.trades[0]?.symbol;
  const portfolioJson: WalkForwardResultJSON<WalkPortfolioTradeJSON> = portfolioLater.toJSON();
  const jsonSymbol: string | undefined = portfolioJson.trades[0]?.symbol;
  const union: readonly string[] = portfolioWalk.equityDates;
  void [symbol, jsonSymbol, union];
  // @ts-expect-error maxPositions is a portfolio setting: not on one asset's walk
  engine.walkForward(data, tree, { fast: [5, 10] }, { train: 100, test: 50, maxPositions: 2 });
  // @ts-expect-error one asset's walk has no symbol on its trades
  void walk.trades[0]?.symbol;
}
void walks;
