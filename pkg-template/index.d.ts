// Type declarations of quant-backtest (both entries: Node and browsers/bundlers).

/** What kind of input was refused. */
export type BacktestErrorCode =
  /** market data (lengths, prices, dates, volume) */
  | 'invalid_market_data'
  /** a backtest parameter (periods, capital, commission, lot size, periods per year, fill) */
  | 'invalid_parameter'
  /** a grid (empty lists, bad values, no valid pair, max_workers) */
  | 'invalid_grid'
  /** a JS argument of the wrong type (checked before the engine sees it) */
  | 'invalid_argument';

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
