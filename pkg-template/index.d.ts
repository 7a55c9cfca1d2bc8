// Type declarations of quant-backtest (both entries: Node and browsers/bundlers).

import * as strategy from './strategy.js';
import * as indicators from './indicators.js';
/** The strategy builder (strategy.d.ts) and the indicators (indicators.d.ts). */
export { strategy, indicators };
/** Portfolios (portfolio.d.ts): many assets, one cash account. */
export { Universe, PortfolioResult, generateSampleUniverse } from './portfolio.js';
export type {
  AssetLike,
  AssetSummary,
  PortfolioOptimizeOptions,
  PortfolioOptimizeResult,
  PortfolioOptions,
  PortfolioResultJSON,
  PortfolioStrategy,
  PortfolioSweepOptions,
  PortfolioTrade,
  UniverseLike,
} from './portfolio.js';
import type {
  PortfolioOptimizeOptions,
  PortfolioOptimizeResult,
  PortfolioOptions,
  PortfolioResult,
  PortfolioStrategy,
  PortfolioSweepOptions,
  PortfolioTrade,
  Universe,
  UniverseLike,
} from './portfolio.js';
/** Walk-forward optimisation (walk.d.ts): the sweep's best on each train window, run on its test window. */
export { WalkForwardResult } from './walk.js';
export type {
  PortfolioWalkForwardOptions,
  WalkForwardOptions,
  WalkForwardResultJSON,
  WalkMetricsJSON,
  WalkPortfolioTradeJSON,
  WalkTradeJSON,
  WalkWindow,
  WalkWindowJSON,
} from './walk.js';
import type { PortfolioWalkForwardOptions, WalkForwardOptions, WalkForwardResult } from './walk.js';
/** Live runs (live.d.ts): one bar pushed at a time. */
export { LiveRun } from './live.js';
export type { LiveBar, LiveEvent, LiveEventKind, LiveEventReason, LiveOptions, LivePending, LivePosition } from './live.js';
import type { LiveOptions, LiveRun } from './live.js';
/** Live portfolio runs (live-portfolio.d.ts): one bar set pushed per instant. */
export { LivePortfolioRun } from './live-portfolio.js';
export type { LiveBarSet, LivePortfolioEvent, LivePortfolioOptions } from './live-portfolio.js';
import type { LivePortfolioOptions, LivePortfolioRun } from './live-portfolio.js';

/** What kind of input was refused. */
export type BacktestErrorCode =
  /** market data (lengths, prices, dates, volume) */
  | 'invalid_market_data'
  /** a backtest parameter (periods, capital, commission, lot size, periods per year, fill) */
  | 'invalid_parameter'
  /** a grid (empty lists, bad values, no valid pair, max_workers) */
  | 'invalid_grid'
  /** a JS argument of the wrong type (checked before the engine sees it) */
  | 'invalid_argument'
  /** a strategy tree (its keys, conditions, series, indicators, placeholders) */
  | 'invalid_strategy'
  /** a signal array of runSignals (length, values, side against the direction) */
  | 'invalid_signals'
  /** a live run's saved state (not JSON, not a live state, another version, corrupt) */
  | 'invalid_state';

/**
 * Input the engine refuses. `message` names the field and, for market data, the 0-based row,
 * word for word as the Python package's `BacktestError`
 * (e.g. `close at row 17 must be a finite number > 0, got NaN`).
 */
export declare class BacktestError extends Error {
  constructor(message: string, code?: BacktestErrorCode);
  readonly name: 'BacktestError';
  readonly code: BacktestErrorCode;
}

/** One bar, as a record (for `MarketData.fromRows` or an array passed as data). */
export interface Bar {
  /** ISO 8601: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` and `Z` or `±HH:MM` */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** an integer >= 0 */
  volume: number;
}

/** Bars as columns of equal length. */
export interface Columns {
  /** default `'UNKNOWN'` */
  symbol?: string | undefined;
  /** ISO 8601 strings, strictly increasing */
  dates: readonly string[];
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

/** A copy of the bars of a `MarketData` (`toColumns()`). */
export interface MarketDataColumns extends Columns {
  symbol: string;
  dates: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** What the engine accepts as data: validated `MarketData`, columns, or an array of bars. */
export type DataLike = MarketData | Columns | readonly Bar[];

/**
 * Validated OHLCV bars (the engine's own copy). Every price finite and > 0,
 * `low <= min(open, close)`, `max(open, close) <= high`, volume an integer >= 0, dates strictly
 * increasing; bad data throws a `BacktestError`. The column arrays are copies: changing them
 * does not change the bars.
 */
export declare class MarketData {
  constructor(columns: Columns);
  static fromColumns(columns: Columns): MarketData;
  /** @param symbol default `'UNKNOWN'` */
  static fromRows(rows: readonly Bar[], symbol?: string): MarketData;
  /**
   * CSV text with a header row naming `date`, `open`, `high`, `low`, `close`, `volume` (any case
   * and order; other columns ignored). A missing column throws
   * `data is missing column 'close'`; a cell that is not a number
   * `close at row 3 must be a number, got 'abc'` (0-based data rows).
   */
  static fromCsv(text: string, options?: { symbol?: string | undefined }): MarketData;
  readonly symbol: string;
  /** number of bars */
  readonly length: number;
  readonly dates: readonly string[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** a hash of the content (symbol, dates, every value): equal bars, equal fingerprint */
  readonly fingerprint: string;
  /** every column, as fresh copies */
  toColumns(): MarketDataColumns;
  /** same bars (same fingerprint) */
  equals(other: unknown): boolean;
  toString(): string;
}

/** How an order fills: at the next bar's open (no look-ahead) or at the signal bar's close. */
export type Fill = 'next_open' | 'close';

export interface BacktestOptions {
  /** starting cash; default 100000 */
  initialCapital?: number | undefined;
  /** a fraction per side, in [0, 1); default 0.001 (0.1 %) */
  commissionRate?: number | undefined;
  /** default `'next_open'` */
  fill?: Fill | undefined;
  /** sizes are rounded down to a multiple of this when > 0; default 0 (fractional) */
  lotSize?: number | undefined;
  /** used to annualise return, volatility, Sharpe and Sortino; default 252 */
  periodsPerYear?: number | undefined;
}

export interface GridOptions extends BacktestOptions {
  /** Node: worker threads to use (default `os.availableParallelism()`; 1: the calling thread). Browsers: ignored (the engine Worker uses every core its build has). */
  maxWorkers?: number | undefined;
  /** keep each pair's trades and equity curve (default false: metrics only) */
  includeDetails?: boolean | undefined;
  /** called as chunks of the grid finish, with the pairs done so far and the total */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** an `AbortSignal`: aborting rejects the grid with an `AbortError` and stops this engine's workers at once (they come back on the next call) */
  signal?: AbortSignalLike | undefined;
}

/** What the engine needs of an `AbortSignal` (typed structurally, so no DOM lib is required). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A closed round trip. Indices are 0-based bars. */
export interface Trade {
  readonly entryIndex: number;
  readonly exitIndex: number;
  readonly entryDate: string;
  readonly exitDate: string;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly size: number;
  /** net of both commissions, in money */
  readonly pnl: number;
  /** a fraction of the entry cost (0.05 is 5 %), despite the name */
  readonly returnPct: number;
  /** exitIndex - entryIndex */
  readonly barsHeld: number;
}

/** The plain-value form of a result (`result.toJSON()`). */
export interface BacktestResultJSON {
  fastPeriod: number;
  slowPeriod: number;
  totalReturn: number;
  annualizedReturn: number;
  volatility: number;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  maxDrawdown: number;
  tradeCount: number;
  winRate: number;
  executionTimeMs: number;
  backend: 'wasm';
  trades: Trade[];
  equityCurve: number[];
}

/**
 * The outcome of one backtest. Returns and drawdown are fractions (0.12 is 12 %); `winRate` is a
 * percent (0 to 100); ratios are annualised with `periodsPerYear` and `null` where undefined.
 */
export declare class BacktestResult {
  private constructor();
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  /** final equity / initial capital - 1 (a fraction) */
  readonly totalReturn: number;
  /** (1 + totalReturn) ** (periodsPerYear / bars) - 1 (a fraction) */
  readonly annualizedReturn: number;
  /** sample standard deviation of the bar returns x sqrt(periodsPerYear) (a fraction) */
  readonly volatility: number;
  /** mean / std of the bar returns x sqrt(periodsPerYear); null with no variance */
  readonly sharpeRatio: number | null;
  /** mean / downside deviation x sqrt(periodsPerYear); null with no losing bar */
  readonly sortinoRatio: number | null;
  /** the largest peak-to-trough fall of equity, a fraction in [0, 1] */
  readonly maxDrawdown: number;
  /** closed trades */
  readonly tradeCount: number;
  /** percent (0 to 100) of closed trades with pnl > 0; 0 without trades */
  readonly winRate: number;
  /** wall time of the engine call, in milliseconds */
  readonly executionTimeMs: number;
  /** closed trades (an open position at the end is in the equity, not here) */
  readonly trades: readonly Trade[];
  /** equity at each bar's close (cash + position marked to market) */
  readonly equityCurve: Float64Array;
  readonly backend: 'wasm';
  toJSON(): BacktestResultJSON;
}

/** One pair of a grid. Without `includeDetails` the result has every metric, but no trades and an empty equity curve. */
export interface GridEntry {
  fastPeriod: number;
  slowPeriod: number;
  result: BacktestResult;
}

/** A grid's metrics as columns, one row per pair in grid order; ratios are NaN where undefined. */
export interface GridColumns {
  fastPeriod: Float64Array;
  slowPeriod: Float64Array;
  totalReturn: Float64Array;
  annualizedReturn: Float64Array;
  volatility: Float64Array;
  sharpeRatio: Float64Array;
  sortinoRatio: Float64Array;
  maxDrawdown: Float64Array;
  tradeCount: Float64Array;
  winRate: Float64Array;
}

export interface EngineInfo {
  backend: 'wasm';
  /** the engine's version */
  version: string;
  /** browsers: the build the engine Worker loaded (threaded when the page is cross-origin isolated and wasm threads are supported) */
  build: 'single-threaded' | 'threaded';
  /** threads a grid would use */
  threads: number;
  platform: 'node' | 'browser';
  /** whether the page (or process) is cross-origin isolated */
  crossOriginIsolated: boolean;
}

// -------------------------------------------------------------------------------------------
// The strategy engine. The names below (settings, metrics, indicators and their params and
// outputs, price fields, sides, exit reasons) are the Rust core's: tests/js/strategy-types.test.mjs
// reads the engine's `catalog()` and checks that this file declares exactly those names.

/** A price column of the bars. */
export type PriceField = 'open' | 'high' | 'low' | 'close' | 'volume';

/** The indicators a strategy can use (`{ indicator: name, ...params }`). */
export type IndicatorName = 'sma' | 'ema' | 'wma' | 'rsi' | 'macd' | 'bbands' | 'atr' | 'stddev' | 'roc' | 'highest' | 'lowest';

/** A placeholder, filled from `settings.params` (runBacktest) or from a sweep's values. */
export interface ParamRef {
  param: string;
}

/** A number in a strategy, or a placeholder for one. */
export type ParamValue = number | ParamRef;

/** Each indicator's params (those with a default in the engine may be left out). */
export interface IndicatorParams {
  sma: { period: ParamValue };
  ema: { period: ParamValue };
  wma: { period: ParamValue };
  rsi: { period?: ParamValue };
  macd: { fast?: ParamValue; slow?: ParamValue; signal?: ParamValue };
  bbands: { period?: ParamValue; k?: ParamValue };
  atr: { period?: ParamValue };
  stddev: { period: ParamValue };
  roc: { period?: ParamValue };
  highest: { period: ParamValue };
  lowest: { period: ParamValue };
}

/** The outputs of the indicators that have several (`output` is required for them). */
export interface IndicatorOutputs {
  macd: 'macd' | 'signal' | 'hist';
  bbands: 'upper' | 'middle' | 'lower';
}

/** Whether an indicator reads a `source` price column (default close); atr reads high, low and close. */
export type SourcedIndicator = Exclude<IndicatorName, 'atr'>;

/** One indicator series of a strategy tree. */
export type IndicatorJSON = {
  [K in IndicatorName]: { indicator: K } & IndicatorParams[K] &
    (K extends keyof IndicatorOutputs ? { output: IndicatorOutputs[K] } : {}) &
    (K extends SourcedIndicator ? { source?: PriceField } : {});
}[IndicatorName];

/** A series: a price column, a constant, a placeholder, an indicator, or a series shifted back `periods` bars. */
export type SeriesJSON = PriceField | number | ParamRef | IndicatorJSON | { shift: SeriesJSON; periods?: ParamValue };

/** A condition of a strategy tree: a comparison of two series, or a logical combination. */
export type ConditionJSON =
  | { gt: [SeriesJSON, SeriesJSON] }
  | { lt: [SeriesJSON, SeriesJSON] }
  | { ge: [SeriesJSON, SeriesJSON] }
  | { le: [SeriesJSON, SeriesJSON] }
  | { crosses_above: [SeriesJSON, SeriesJSON] }
  | { crosses_below: [SeriesJSON, SeriesJSON] }
  | { and: ConditionJSON[] }
  | { or: ConditionJSON[] }
  | { not: ConditionJSON };

/** Which sides a strategy trades. */
export type Direction = 'long_only' | 'short_only' | 'both';
/** How `size` is read: a fraction of equity, a money value, or a number of units. */
export type SizeType = 'percent' | 'value' | 'amount';

/** The settings of a strategy run (camelCase; the engine's defaults where left out). */
export interface StrategySettings {
  /** starting cash; default 100000 */
  initialCapital?: number | undefined;
  /** a fraction per side, in [0, 1); default 0.001 */
  commissionRate?: number | undefined;
  /** money per fill; default 0 */
  fixedFee?: number | undefined;
  /** a fraction of the price against each fill, in [0, 1); default 0 */
  slippage?: number | undefined;
  /** default `'next_open'` */
  fill?: Fill | undefined;
  /** sizes are rounded down to a multiple of this when > 0; default 0 */
  lotSize?: number | undefined;
  /** default 252 */
  periodsPerYear?: number | undefined;
  /** default `'long_only'` */
  direction?: Direction | undefined;
  /** default `'percent'` */
  sizeType?: SizeType | undefined;
  /** default 1 (all of equity, for `'percent'`) */
  size?: number | undefined;
  /** a fraction in (0, 1) below the entry (above it for shorts) */
  stopLoss?: number | undefined;
  /** a fraction > 0 above the entry (below it for shorts) */
  takeProfit?: number | undefined;
  /** a fraction in (0, 1) below the best price since entry */
  trailingStop?: number | undefined;
}

/** The same settings as a strategy's JSON holds them (`strategy.settings`: snake_case, as in Python). */
export interface WireSettings {
  initial_capital?: number;
  commission_rate?: number;
  fixed_fee?: number;
  slippage?: number;
  fill?: Fill;
  lot_size?: number;
  periods_per_year?: number;
  direction?: Direction;
  size_type?: SizeType;
  size?: number;
  stop_loss?: number;
  take_profit?: number;
  trailing_stop?: number;
}

/** A strategy's JSON (what Python's `Strategy.to_dict()` and the JS builder's `toJSON()` give). */
export interface StrategyJSON {
  entry?: ConditionJSON;
  exit?: ConditionJSON;
  short_entry?: ConditionJSON;
  short_exit?: ConditionJSON;
  /** a condition on placeholders only: the sweep combinations it keeps */
  constraint?: ConditionJSON;
  settings?: WireSettings;
}

/** What the strategy methods accept: a builder Strategy (anything with `toJSON()`), its JSON value, or its JSON text. */
export type StrategyLike = { toJSON(): StrategyJSON | object } | StrategyJSON | string;

/** A condition for `constraint`: a builder condition, its JSON, or a function of one combination. */
export type ConstraintLike = { toJSON(): ConditionJSON | object } | ConditionJSON | ((params: Record<string, number>) => unknown);

/** `runBacktest`'s settings: every setting, and the values of the strategy's placeholders. */
export interface RunBacktestSettings extends StrategySettings {
  params?: Record<string, number> | undefined;
}

/** A signal array: one boolean per bar (or a Uint8Array of 0/1); null or undefined: never. */
export type SignalArray = readonly boolean[] | Uint8Array | null | undefined;

export interface RunSignalsOptions extends StrategySettings {
  shortEntries?: SignalArray;
  shortExits?: SignalArray;
}

export interface SweepOptions extends StrategySettings {
  /** the combinations to keep (default: the strategy's own constraint, if any) */
  constraint?: ConstraintLike | null | undefined;
  /** Node: worker threads (default `os.availableParallelism()`; 1: the calling thread). Browsers: ignored (the engine Worker). */
  maxWorkers?: number | undefined;
  /** called as chunks finish, with the rows done so far and the total */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** aborting rejects with an `AbortError` (and stops this engine's workers; they come back on the next call) */
  signal?: AbortSignalLike | undefined;
}

export interface OptimizeOptions extends SweepOptions {
  /** the metric to maximise (camelCase); default `'sharpeRatio'` */
  maximize?: MetricName | undefined;
}

/** Every metric of a strategy result (the engine's catalog, camelCase); null where undefined. */
export interface StrategyMetrics {
  /** final equity / initial capital - 1 */
  totalReturn: number;
  /** (1 + totalReturn) ^ (periodsPerYear / bars) - 1 */
  annualizedReturn: number;
  /** annualised sample std of per-bar returns */
  volatility: number;
  /** annualised mean / std of per-bar returns; null with no variance */
  sharpeRatio: number | null;
  /** annualised mean / downside deviation; null with no losing bar */
  sortinoRatio: number | null;
  /** largest peak-to-trough fall, a fraction */
  maxDrawdown: number;
  /** closed trades (an integer) */
  tradeCount: number;
  /** percent of closed trades with pnl > 0 */
  winRate: number;
  /** last close / first close - 1 */
  buyAndHoldReturn: number;
  /** fraction of bars that end with a position open */
  exposure: number;
  /** gross profit / gross loss of closed trades; null without a loss */
  profitFactor: number | null;
  /** mean pnl of closed trades; null without trades */
  expectancy: number | null;
  /** largest returnPct of a closed trade; null without trades */
  bestTrade: number | null;
  /** smallest returnPct of a closed trade; null without trades */
  worstTrade: number | null;
  /** longest run of bars below a previous peak (an integer) */
  maxDrawdownDuration: number;
  /** annualizedReturn / maxDrawdown; null without a drawdown */
  calmarRatio: number | null;
}

/** A metric's name (camelCase). */
export type MetricName = keyof StrategyMetrics;

/** The side of a trade. */
export type Side = 'long' | 'short';
/** Why a trade closed. */
export type ExitReason = 'signal' | 'stop_loss' | 'take_profit' | 'trailing_stop' | 'reverse';

/** A closed round trip of a strategy run. */
export interface StrategyTrade extends Trade {
  readonly direction: Side;
  readonly exitReason: ExitReason;
}

/** The plain-value form of a strategy result (`toJSON()`). */
export interface StrategyResultJSON extends StrategyMetrics {
  params: Record<string, number>;
  executionTimeMs: number;
  backend: 'wasm';
  trades: StrategyTrade[];
  equityCurve: number[];
}

/** The outcome of one strategy backtest (`runBacktest`, `runSignals`, `optimize`). */
export declare class StrategyResult implements Readonly<StrategyMetrics> {
  private constructor();
  readonly totalReturn: number;
  readonly annualizedReturn: number;
  readonly volatility: number;
  readonly sharpeRatio: number | null;
  readonly sortinoRatio: number | null;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number;
  readonly buyAndHoldReturn: number;
  readonly exposure: number;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  readonly maxDrawdownDuration: number;
  readonly calmarRatio: number | null;
  readonly trades: readonly StrategyTrade[];
  /** equity at each bar's close */
  readonly equityCurve: Float64Array;
  /** the placeholder values this run used */
  readonly params: Readonly<Record<string, number>>;
  readonly executionTimeMs: number;
  readonly backend: 'wasm';
  toJSON(): StrategyResultJSON;
}

/** A sweep's metric columns (integer metrics as Int32Array; NaN where a metric is undefined). */
export interface SweepMetricColumns {
  totalReturn: Float64Array;
  annualizedReturn: Float64Array;
  volatility: Float64Array;
  sharpeRatio: Float64Array;
  sortinoRatio: Float64Array;
  maxDrawdown: Float64Array;
  tradeCount: Int32Array;
  winRate: Float64Array;
  buyAndHoldReturn: Float64Array;
  exposure: Float64Array;
  profitFactor: Float64Array;
  expectancy: Float64Array;
  bestTrade: Float64Array;
  worstTrade: Float64Array;
  maxDrawdownDuration: Int32Array;
  calmarRatio: Float64Array;
}

/** A sweep's columns: one per param (Int32Array when every value is an integer, else Float64Array), then every metric. */
export type SweepColumns<P extends string = string> = SweepMetricColumns & { [K in P]: Int32Array | Float64Array };

/** `optimize`'s answer: the best combination and its full result. */
export interface OptimizeResult<P extends string = string> {
  params: Record<P, number>;
  result: StrategyResult;
}

/** The SMA-crossover backtest engine: the Rust core, compiled to WebAssembly. */
export declare class RustEngine {
  constructor();
  /** One backtest on the calling thread. Throws `BacktestError` on bad input. */
  runSmaBacktest(data: DataLike, fastPeriod: number, slowPeriod: number, options?: BacktestOptions): BacktestResult;
  /** The same, as a Promise. Node: runs in a worker thread, the event loop stays free. Browsers: in the engine Worker (on the calling thread if that Worker cannot load). */
  runSmaBacktestAsync(data: DataLike, fastPeriod: number, slowPeriod: number, options?: BacktestOptions): Promise<BacktestResult>;
  /**
   * Every pair of the cartesian product, fast outer and slow inner, skipping fast >= slow.
   * Node: split over `maxWorkers` worker threads; the same results, in the same order, as one thread.
   */
  runMultipleBacktests(
    data: DataLike,
    fastPeriods: Iterable<number>,
    slowPeriods: Iterable<number>,
    options?: GridOptions,
  ): Promise<GridEntry[]>;
  /** A grid's metrics as columns (no object per pair: for large sweeps). */
  runGrid(
    data: DataLike,
    fastPeriods: Iterable<number>,
    slowPeriods: Iterable<number>,
    options?: Omit<GridOptions, 'includeDetails'>,
  ): Promise<GridColumns>;
  /** true when `data` is valid market data (build a `MarketData` to get the message why not) */
  validateData(data: DataLike): boolean;
  /** true: this is the Rust engine, compiled to WebAssembly */
  isRustAvailable(): boolean;
  getEngineInfo(options?: { maxWorkers?: number | undefined }): EngineInfo;
  /** Terminates the worker threads this engine started (it stays usable: they come back on the next call). */
  close(): Promise<void>;
  /** One backtest of a strategy on the calling thread (`settings` override the strategy's own; `settings.params` fill its placeholders). */
  runBacktest(data: DataLike, strategy: StrategyLike, settings?: RunBacktestSettings): StrategyResult;
  /** The same, as a Promise (Node: a worker thread; browsers: the engine Worker). */
  runBacktestAsync(data: DataLike, strategy: StrategyLike, settings?: RunBacktestSettings): Promise<StrategyResult>;
  /** A backtest of signals computed elsewhere (one value per bar; null/undefined: never). */
  runSignals(data: DataLike, entries: SignalArray, exits?: SignalArray, options?: RunSignalsOptions): StrategyResult;
  /**
   * Every combination of `params` (the first name outermost) the constraint keeps, as columns.
   * On a Universe every row is a portfolio run (one strategy for every asset; `maxPositions`
   * allowed), on the same workers.
   */
  sweep<P extends string>(
    universe: Universe,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options?: PortfolioSweepOptions,
  ): Promise<SweepColumns<P>>;
  sweep<P extends string>(
    data: DataLike,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options?: SweepOptions,
  ): Promise<SweepColumns<P>>;
  /** The combination with the largest `maximize` metric (NaN never wins; ties: the first) and its full result (a PortfolioResult on a Universe). */
  optimize<P extends string>(
    universe: Universe,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options?: PortfolioOptimizeOptions,
  ): Promise<PortfolioOptimizeResult<P>>;
  optimize<P extends string>(
    data: DataLike,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options?: OptimizeOptions,
  ): Promise<OptimizeResult<P>>;
  /**
   * One portfolio run on the calling thread: every asset of `universe` under `strategy` (one
   * for all, or an object symbol -> strategy naming every symbol) with one cash account. On
   * each bar: pending fills and stops as for one asset, exits before entries, then assets in
   * universe order.
   */
  runPortfolio(universe: UniverseLike, strategy: PortfolioStrategy, options?: PortfolioOptions): PortfolioResult;
  /** The same, as a Promise (Node: a worker thread; browsers: the engine Worker). */
  runPortfolioAsync(universe: UniverseLike, strategy: PortfolioStrategy, options?: PortfolioOptions): Promise<PortfolioResult>;
  /**
   * With `symbols`: a portfolio's live run (checked as `runPortfolio` checks it), one bar set
   * per instant (`live.push({ [symbol]: bar or null })`); at any point `live.result()` equals
   * `runPortfolio` on the started assets' bars so far, bit for bit.
   */
  live(strategy: PortfolioStrategy, options: LivePortfolioOptions): LivePortfolioRun;
  /**
   * A live run of `strategy` that takes one bar at a time (`live.push(bar)`); at any point
   * `live.result()` equals `runBacktest` on the bars pushed so far, bit for bit. `options`:
   * the settings of `runBacktest`, `params`, `symbol`, `equityCurve`.
   */
  live(strategy: StrategyLike, options?: LiveOptions): LiveRun;
  /**
   * A live run resumed from `live.toJSON()`'s text (saved in JS or Python): a `LiveRun`, or a
   * `LivePortfolioRun` for a portfolio's state (`engine.liveFromJSON<LivePortfolioRun>(text)`;
   * check with `instanceof` when the text may be either); code `invalid_state` when it cannot be.
   */
  liveFromJSON<R extends LiveRun | LivePortfolioRun = LiveRun>(text: string): R;
  /**
   * Walk-forward optimisation on the calling thread: windows of `train` bars then `test` bars
   * moving by `step` (rolling, or `anchored` at the first bar); on each, the combination of
   * `params` with the largest `maximize` metric on the train bars runs on the test bars, flat,
   * from the equity the previous test ended with. Indicators see every bar up to the window's
   * end. Refusals (code `invalid_parameter`, ...) have the Python package's messages. On a
   * Universe the windows are counted in union bars and each window's run is a portfolio run of
   * the assets with a bar in it (one strategy for every asset; `maxPositions` allowed); its
   * trades are PortfolioTrades.
   */
  walkForward<P extends string>(
    universe: Universe,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options: PortfolioWalkForwardOptions,
  ): WalkForwardResult<PortfolioTrade>;
  walkForward<P extends string>(
    data: DataLike,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options: WalkForwardOptions,
  ): WalkForwardResult;
  /** The same, as a Promise (Node: a worker thread of the pool, or the calling thread with `maxWorkers: 1`; browsers: the engine Worker); the same result, bit for bit. */
  walkForwardAsync<P extends string>(
    universe: Universe,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options: PortfolioWalkForwardOptions,
  ): Promise<WalkForwardResult<PortfolioTrade>>;
  walkForwardAsync<P extends string>(
    data: DataLike,
    strategy: StrategyLike,
    params: Record<P, Iterable<number> | ArrayLike<number>>,
    options: WalkForwardOptions,
  ): Promise<WalkForwardResult>;
  /** Resolves when grids can run: in browsers once the engine Worker has loaded its build (then `getEngineInfo()` reports it); at once in Node. */
  ready(): Promise<void>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 to 1 */
  hitRate: number;
  size: number;
  maxSize: number;
}

/**
 * A `RustEngine` that remembers recent single backtests: an LRU of `cacheSize` results (default
 * 128) keyed by the data's content and every parameter. Cached results are shared: do not
 * change their arrays.
 */
export declare class CachedRustEngine extends RustEngine {
  constructor(options?: { cacheSize?: number | undefined });
  getCacheStats(): CacheStats;
  clearCache(): void;
}

/** One param of an indicator in the engine's catalog. */
export interface CatalogParam {
  name: string;
  /** null: required */
  default: number | null;
  /** an integer in [1, maxIntParam]; else a float >= 0 */
  integer: boolean;
}

/** The engine's tables (snake_case names, as in strategy JSON), from `catalog()`. */
export interface Catalog {
  indicators: ReadonlyArray<{ name: IndicatorName; params: CatalogParam[]; outputs: string[]; source: boolean }>;
  price_fields: string[];
  settings: string[];
  /** what a portfolio takes besides `settings` */
  portfolio_settings: string[];
  metrics: ReadonlyArray<{ name: string; integer: boolean; description: string }>;
  trade_fields: string[];
  sides: Side[];
  exit_reasons: ExitReason[];
  max_int_param: number;
}

/** The engine's own tables: what the builder, the option checks and the results read. */
export declare function catalog(): Catalog;

/** A `RustEngine`, or a `CachedRustEngine` with `useCache: true`. */
export declare function createEngine(options?: { useCache?: boolean | undefined; cacheSize?: number | undefined }): RustEngine;

/**
 * `days` valid daily bars on business days from 2020-01-01 (a random walk from `startPrice`).
 * The same seed (an integer in [0, 2**64)) gives the same bars, bit for bit, as the Rust and
 * Python packages; no seed: a random one. Defaults: `'SAMPLE'`, 100, 100.
 */
export declare function generateSampleData(
  symbol?: string,
  days?: number,
  startPrice?: number,
  options?: { seed?: number | bigint | undefined },
): MarketData;

export interface BenchmarkOptions extends BacktestOptions {
  /** runs to time (the best is reported); default 5 */
  iterations?: number | undefined;
}

export interface BenchmarkReport {
  bars: number;
  iterations: number;
  /** the best run, in milliseconds */
  wasmTimeMs: number;
  barsPerSecond: number;
  result: BacktestResult;
}

/** Times the same backtest `iterations` times on the calling thread. Defaults: periods 10 and 30. */
export declare function benchmarkEngine(
  data: DataLike,
  fastPeriod?: number,
  slowPeriod?: number,
  options?: BenchmarkOptions,
): BenchmarkReport;

/** The engine's version. */
export declare const version: string;

/**
 * Browsers and bundlers: loads the WebAssembly module; await it once before using anything
 * else (idempotent). By default the `.wasm` file next to the package's JS is fetched (bundlers
 * resolve it); `input` may name another place: a URL or string, a `Response` (or a Promise of
 * one), the bytes, or a compiled `WebAssembly.Module`. Node: the package is ready on import and
 * this resolves at once.
 */
export declare function init(input?: unknown): Promise<void>;
export default init;
