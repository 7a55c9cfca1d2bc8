// Type declarations of quant-backtest's portfolios (SPEC part 10): Universe, the sample
// universe, PortfolioResult and runPortfolio's options. index.d.ts re-exports them.

import type {
  Bar,
  Columns,
  ExitReason,
  MarketData,
  MetricName,
  Side,
  StrategyLike,
  StrategyMetrics,
  StrategySettings,
  SweepOptions,
} from './index.js';

/** One asset of a universe: MarketData, columns, or an array of bars. */
export type AssetLike = MarketData | Columns | readonly Bar[];

/** What `new Universe()` (and `runPortfolio`) take: assets in universe order, or an object symbol -> asset (a column object's own `symbol` is then the key). */
export type UniverseLike = Universe | readonly AssetLike[] | Iterable<AssetLike> | Readonly<Record<string, AssetLike>>;

/**
 * Assets (MarketData) with distinct symbols, aligned on the union of their instants: an asset
 * trades only on its own bars, is valued at its last close in between, and does not exist
 * before its first bar. An empty universe, a symbol twice or a bad row of one asset throw a
 * `BacktestError` (a bad row's message names the asset first: `asset 'SYM': open at row 3 ...`).
 */
export declare class Universe implements Iterable<MarketData> {
  constructor(assets: UniverseLike);
  /** the number of assets */
  readonly length: number;
  /** the symbols, in universe order */
  readonly symbols: readonly string[];
  /** the union's dates (each as the first asset in universe order writes it) */
  readonly dates: readonly string[];
  /** the asset of `symbol` (or at an index), or undefined */
  get(key: string | number): MarketData | undefined;
  has(symbol: string): boolean;
  [Symbol.iterator](): IterableIterator<MarketData>;
  /** the same assets, in the same order */
  equals(other: unknown): boolean;
  toString(): string;
}

/**
 * A deterministic sample universe: one asset per symbol (a count gives `S01`, `S02`, ...) over
 * `days` business days from 2020-01-01 (defaults 5 and 252); the first starts on the first day,
 * the others on days drawn from the first third. The same seed gives the same bars, bit for
 * bit, in every engine; no seed draws one at random.
 */
export declare function generateSampleUniverse(
  symbols?: number | Iterable<string>,
  days?: number,
  seed?: number | bigint,
): Universe;

/** `runPortfolio`'s options: every setting of `runBacktest` (`size` is a fraction of the cash available at each entry), `maxPositions`, `params`. */
export interface PortfolioOptions extends StrategySettings {
  /** equal slots: an entry gets cash / (k - open positions); entries beyond k open positions do nothing. Not with `size`. */
  maxPositions?: number | undefined;
  /** the values of the strategies' placeholders */
  params?: Record<string, number> | undefined;
}

/** `sweep`'s options on a Universe: those of a sweep, and `maxPositions` (equal slots; not with `size`). */
export interface PortfolioSweepOptions extends SweepOptions {
  maxPositions?: number | undefined;
}

/** `optimize`'s options on a Universe. */
export interface PortfolioOptimizeOptions extends PortfolioSweepOptions {
  /** the metric to maximise (camelCase); default `'sharpeRatio'` */
  maximize?: MetricName | undefined;
}

/** `optimize`'s answer on a Universe: the best combination and its portfolio run. */
export interface PortfolioOptimizeResult<P extends string = string> {
  params: Record<P, number>;
  result: PortfolioResult;
}

/** One strategy for every asset, or an object symbol -> strategy naming every symbol. */
export type PortfolioStrategy = StrategyLike | Readonly<Record<string, StrategyLike>>;

/** A closed round trip of one asset; indices and `barsHeld` count the universe's (union) bars. */
export interface PortfolioTrade {
  readonly symbol: string;
  readonly entryIndex: number;
  readonly exitIndex: number;
  readonly entryDate: string;
  readonly exitDate: string;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly size: number;
  readonly pnl: number;
  readonly returnPct: number;
  readonly barsHeld: number;
  readonly direction: Side;
  readonly exitReason: ExitReason;
}

/** What one asset did: its closed trades, their summed pnl, their win rate (percent) and the fraction of the union's bars that ended with a position in it. */
export interface AssetSummary {
  readonly symbol: string;
  readonly tradeCount: number;
  readonly pnl: number;
  readonly winRate: number;
  readonly exposure: number;
}

/** The plain-value form of a portfolio result (`toJSON()`). */
export interface PortfolioResultJSON extends StrategyMetrics {
  params: Record<string, number>;
  executionTimeMs: number;
  backend: 'wasm';
  trades: PortfolioTrade[];
  assets: AssetSummary[];
  dates: string[];
  equityCurve: number[];
  cash: number[];
  positionValues: Record<string, number[]>;
}

/**
 * One portfolio run: every metric on the portfolio's equity (`buyAndHoldReturn` the assets'
 * mean), every trade with its symbol, the per-asset breakdown, and per union date the equity,
 * the cash and the signed value of each asset's position.
 */
export declare class PortfolioResult implements Readonly<StrategyMetrics> {
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
  /** every metric, in the catalog's order */
  readonly metrics: StrategyMetrics;
  readonly trades: readonly PortfolioTrade[];
  /** one row per asset, in universe order */
  readonly assets: readonly AssetSummary[];
  /** the union's dates: one per value of the curves */
  readonly dates: readonly string[];
  readonly equityCurve: Float64Array;
  readonly cash: Float64Array;
  /** symbol -> the signed value of its position on each union bar */
  readonly positionValues: Readonly<Record<string, Float64Array>>;
  readonly params: Readonly<Record<string, number>>;
  readonly executionTimeMs: number;
  readonly backend: 'wasm';
  toJSON(): PortfolioResultJSON;
}

// Package-internal (what core.js calls; index.d.ts does not re-export them), declared so that
// a `--checkJs` of the package's own JS resolves them.
/** @internal */
export declare function portfolioRequest(universe: unknown, strategy: unknown, options: unknown): { universe: Universe; strategy: unknown; settings: Record<string, unknown>; params: unknown };
/** @internal */
export declare function runPortfolioHere(request: ReturnType<typeof portfolioRequest>): PortfolioResult;
/** @internal */
export declare function portfolioResult(out: unknown, universe: Universe): PortfolioResult;
/** @internal */
export declare function portfolioTrades(out: unknown, symbols: readonly string[], dates: readonly string[]): readonly PortfolioTrade[];
/** @internal */
export declare function universeColumns(universe: Universe): Columns[];
/** @internal */
export declare function portfolioSettings(o: Record<string, any>, options: readonly string[]): Record<string, unknown>;
/** @internal */
export declare function portfolioStrategy(strategy: unknown): any;
/** @internal */
export declare function planPortfolioSweep(universe: Universe, request: { strategy: unknown; settings: Record<string, unknown>; params: unknown; constraint: unknown; names?: string[]; rows?: unknown[][] }): any;
/** @internal */
export declare function universeHandle(universe: Universe): any;
