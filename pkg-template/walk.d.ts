// Type declarations of quant-backtest's walk-forward optimisation (SPEC part 12):
// `engine.walkForward` / `walkForwardAsync`'s options and their WalkForwardResult (on one
// asset's bars, or on a Universe: then its trades are PortfolioTrades). index.d.ts re-exports
// them.

import type { ConstraintLike, ExitReason, MarketData, MetricName, Side, StrategyMetrics, StrategySettings, StrategyTrade } from './index.js';
import type { PortfolioTrade, Universe } from './portfolio.js';

/** `walkForward`'s options: the walk's own, the sweep's `constraint`, and every setting of `runBacktest` (camelCase). */
export interface WalkForwardOptions extends StrategySettings {
  /** bars each train window holds (an integer >= 1; required) */
  train: number;
  /** bars each test window holds (an integer >= 1; required) */
  test: number;
  /** bars each window moves by; default `test`, at least `test` (the test windows never overlap) */
  step?: number | undefined;
  /** every train window starts at the first bar (default false: the `train` bars before its test) */
  anchored?: boolean | undefined;
  /** the metric the train windows maximise (camelCase; NaN never wins, ties go to the first); default `'sharpeRatio'` */
  maximize?: MetricName | undefined;
  /** the combinations to keep (default: the strategy's own constraint, if any) */
  constraint?: ConstraintLike | null | undefined;
  /** `walkForwardAsync` in Node: 1 runs it on the calling thread (later), more on a worker thread of the pool (default `os.availableParallelism()`). Browsers: ignored (the engine Worker). Checked by `walkForward` too. */
  maxWorkers?: number | undefined;
}

/** `walkForward`'s options on a Universe: those on one asset, and `maxPositions` (equal slots; not with `size`). */
export interface PortfolioWalkForwardOptions extends WalkForwardOptions {
  maxPositions?: number | undefined;
}

/** One window of a walk-forward. Indices are bars of the data (0-based; a Universe's: union bars); an `*End*` is the last bar of its part. */
export interface WalkWindow {
  readonly window: number;
  readonly trainStartIndex: number;
  readonly trainEndIndex: number;
  readonly testStartIndex: number;
  readonly testEndIndex: number;
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  /** the combination chosen on the train bars */
  readonly params: Readonly<Record<string, number>>;
  /** the chosen combination's metrics on the train bars */
  readonly inSample: Readonly<StrategyMetrics>;
  /** its metrics on the test bars */
  readonly outOfSample: Readonly<StrategyMetrics>;
  /** the test's initial capital: the equity the previous test ended with (the settings' for the first) */
  readonly startEquity: number;
  readonly endEquity: number;
  /** the chosen combination's equity over the train bars */
  readonly inSampleEquity: Float64Array;
}

/** Every metric by its snake_case name (as in Python's `to_dict()`); null where undefined. */
export type WalkMetricsJSON = Record<string, number | null>;

/** A window in `toJSON()`: the Python package's `WalkWindow.to_dict()`. */
export interface WalkWindowJSON {
  window: number;
  train_start_index: number;
  train_end_index: number;
  test_start_index: number;
  test_end_index: number;
  train_start: string;
  train_end: string;
  test_start: string;
  test_end: string;
  params: Record<string, number>;
  in_sample: WalkMetricsJSON;
  out_of_sample: WalkMetricsJSON;
  start_equity: number;
  end_equity: number;
  in_sample_equity: number[];
}

/** A trade in `toJSON()`: the Python package's `Trade.to_dict()`. */
export interface WalkTradeJSON {
  entry_index: number;
  exit_index: number;
  entry_date: string;
  exit_date: string;
  entry_price: number;
  exit_price: number;
  size: number;
  pnl: number;
  return_pct: number;
  bars_held: number;
  direction: Side;
  exit_reason: ExitReason;
}

/** A trade of a walk on a Universe in `toJSON()`: the Python package's `PortfolioTrade.to_dict()` (`symbol` first). */
export interface WalkPortfolioTradeJSON extends WalkTradeJSON {
  symbol: string;
}

/** The plain-value form of a walk-forward (`toJSON()`): the Python package's `WalkForwardResult.to_dict()`, snake_case. */
export interface WalkForwardResultJSON<TradeJSON extends WalkTradeJSON = WalkTradeJSON> {
  windows: WalkWindowJSON[];
  metrics: WalkMetricsJSON;
  equity_curve: number[];
  equity_index: number[];
  trades: TradeJSON[];
  names: string[];
  combinations: number;
  train: number;
  test: number;
  step: number;
  anchored: boolean;
  /** snake_case, as in Python */
  maximize: string;
  execution_time_ms: number;
  backend: 'wasm';
}

/**
 * A walk-forward: a row per window, and the test runs stitched into one run (started from the
 * settings' initial capital; each test from the equity the last one ended with): its metrics,
 * equity (one value per test bar, in order) and trades (indices of all the bars). `Trade`: a
 * Universe's walk has PortfolioTrades (each with its `symbol`; indices of union bars).
 */
export declare class WalkForwardResult<Trade extends StrategyTrade | PortfolioTrade = StrategyTrade> implements Readonly<StrategyMetrics> {
  private constructor();
  readonly totalReturn: number;
  readonly annualizedReturn: number;
  readonly volatility: number;
  readonly sharpeRatio: number | null;
  readonly sortinoRatio: number | null;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number;
  /** from the first test bar's close to the last one's */
  readonly buyAndHoldReturn: number;
  readonly exposure: number;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  readonly maxDrawdownDuration: number;
  readonly calmarRatio: number | null;
  /** every stitched metric, in the catalog's order */
  readonly metrics: StrategyMetrics;
  readonly windows: readonly WalkWindow[];
  /** the tests' equity one after another */
  readonly equityCurve: Float64Array;
  /** each equity value's bar */
  readonly equityIndex: Int32Array;
  /** each equity value's date */
  readonly equityDates: readonly string[];
  readonly trades: readonly Trade[];
  /** the sweep's param names */
  readonly names: readonly string[];
  /** the combinations each train window tried */
  readonly combinations: number;
  readonly train: number;
  readonly test: number;
  readonly step: number;
  readonly anchored: boolean;
  /** the metric maximised (camelCase) */
  readonly maximize: MetricName;
  readonly executionTimeMs: number;
  readonly backend: 'wasm';
  toJSON(): WalkForwardResultJSON<Trade extends PortfolioTrade ? WalkPortfolioTradeJSON : WalkTradeJSON>;
}

// Package-internal (what core.js calls; index.d.ts does not re-export them), declared so that
// a `--checkJs` of the package's own JS resolves them.
/** @internal */
export declare function walkRequest(strategy: unknown, params: unknown, options: unknown, portfolio?: boolean): { request: any; unknownMetric: string | null; maxWorkers: number | undefined };
/** @internal */
export declare function planWalk(checked: ReturnType<typeof walkRequest>, bars: MarketData | Universe): any;
/** @internal */
export declare function runPlannedWalk(plan: any, bars: MarketData | Universe): WalkForwardResult<any>;
/** @internal */
export declare function walkResult(out: unknown, dates: readonly string[], symbols?: readonly string[] | null): WalkForwardResult<any>;
