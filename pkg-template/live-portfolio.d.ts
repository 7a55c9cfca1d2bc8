// Type declarations of quant-backtest's live portfolio runs (SPEC part 11): LivePortfolioRun,
// its bar sets, and engine.live's options with `symbols`. index.d.ts re-exports them.

import type { LiveBar, LiveEvent, LivePending, LivePosition } from './live.js';
import type { PortfolioOptions, PortfolioResult } from './portfolio.js';

/**
 * One instant of a portfolio: symbol -> its bar, or null when it has no bar then (an asset
 * that has not started may also be left out; one that has must be given, a bar or null).
 */
export type LiveBarSet = Readonly<Record<string, LiveBar | null | undefined>>;

/** `engine.live`'s options for a portfolio: every setting of `runPortfolio` (with `maxPositions`), and the live run's own. */
export interface LivePortfolioOptions extends Omit<PortfolioOptions, 'params'> {
  /** the universe, in order (bar sets name these) */
  symbols: Iterable<string>;
  /** the values of the strategies' placeholders */
  params?: Record<string, number> | null | undefined;
  /** a portfolio's run has `symbols`; giving `symbol` too is refused */
  symbol?: null | undefined;
  /** keep every instant's equity, cash and position values (the result's curves); default true */
  equityCurve?: boolean | undefined;
}

/** An event of a portfolio's run: it names its asset. */
export interface LivePortfolioEvent extends LiveEvent {
  readonly symbol: string;
}

/**
 * A live run of a portfolio (one strategy, or one per symbol, and one cash account): push one
 * bar set per instant; at any point `result()` equals `runPortfolio` on the started assets'
 * bars so far, bit for bit. Made by `engine.live(strategy, { symbols })`, resumed by
 * `engine.liveFromJSON(text)` or `LivePortfolioRun.fromJSON(text)`.
 */
export declare class LivePortfolioRun {
  private constructor();
  /** A run resumed from `toJSON()`'s text (saved in JS or Python); a `BacktestError` with code `invalid_state` when it is corrupt, of another version, or a one-asset run's. */
  static fromJSON(text: string): LivePortfolioRun;
  /**
   * One instant: refused with batch validation's message (naming the asset, the field and its
   * own row), leaving the run exactly as it was, when a bar is bad, a symbol unknown, a started
   * asset left out, or the bars not of one instant after the last; else the events it caused
   * (a frozen array, most often empty).
   */
  push(barSet: LiveBarSet): readonly LivePortfolioEvent[];
  /** Each bar set in turn; every event, in order. A bad set stops it there (the sets before it stay pushed). */
  pushMany(barSets: Iterable<LiveBarSet>): LivePortfolioEvent[];
  /** `for await (const events of live.feed(source))`: each bar set pushed as it comes, its events yielded. */
  feed(barSets: AsyncIterable<LiveBarSet> | Iterable<LiveBarSet>): AsyncGenerator<readonly LivePortfolioEvent[], void, undefined>;
  /** the open positions: symbol -> side and units, in universe order */
  readonly positions: Readonly<Record<string, LivePosition>>;
  /** the orders waiting for their asset's next bar: symbol -> order */
  readonly pending: Readonly<Record<string, LivePending>>;
  /** the shared cash */
  readonly cash: number;
  /** the equity at the last close (the initial capital before the first instant) */
  readonly equity: number;
  /** instants pushed so far */
  readonly bars: number;
  /** the last instant's date (as its first asset with a bar wrote it), or null */
  readonly lastDate: string | null;
  /** the universe, in order */
  readonly symbols: readonly string[];
  /** the symbols that have had a bar, in universe order */
  readonly started: readonly string[];
  /** `runPortfolio`'s result on the started assets' bars so far (empty curves and dates with `equityCurve: false`); throws before the first instant */
  result(): PortfolioResult;
  /** The saved state as JSON TEXT (the format of `LiveRun.toJSON()`): the text the Python package's `to_json()` gives after the same pushes. */
  toJSON(): string;
  /** Frees the engine's memory now (else the garbage collector does); the run is then unusable. */
  free(): void;
}
