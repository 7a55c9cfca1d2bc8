// Type declarations of quant-backtest's live runs (SPEC part 11): LiveRun, its bars and events,
// and engine.live's options. index.d.ts re-exports them.

import type { Side, StrategyResult, StrategySettings } from './index.js';

/** One bar, as `live.push` takes it. */
export interface LiveBar {
  /** ISO 8601 text, or a Date (midnight UTC is written as a plain date, as MarketData does) */
  date: string | Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** the run's symbol, if the bar names one (a bar naming another asset is refused) */
  symbol?: string | null | undefined;
}

/** What an event is: an effective signal, the order the signals made, a fill, a stop. */
export type LiveEventKind = 'signal' | 'order' | 'fill' | 'stop';

/**
 * The reason of an event: a signal's `entry` / `exit`; an order's `open` / `close` /
 * `reverse`; a fill's `entry` or its trade's exit reason (`signal` / `reverse`); a stop's
 * `stop_loss` / `take_profit` / `trailing_stop`.
 */
export type LiveEventReason =
  | 'entry'
  | 'exit'
  | 'open'
  | 'close'
  | 'reverse'
  | 'signal'
  | 'stop_loss'
  | 'take_profit'
  | 'trailing_stop';

/** What a bar did (the Python package's `Event`, null where it has None). */
export interface LiveEvent {
  readonly kind: LiveEventKind;
  /** the bar's index in the run (0 for the first bar pushed) */
  readonly bar: number;
  readonly date: string;
  readonly symbol: string | null;
  /** the position's side the event opens, closes or signals */
  readonly side: Side;
  /** a signal's: the close; a fill's or a stop's: the fill price; an order's: null */
  readonly price: number | null;
  /** a fill's or a stop's units; null otherwise */
  readonly size: number | null;
  readonly reason: LiveEventReason;
}

/** The open position of a live run. */
export interface LivePosition {
  readonly side: Side;
  /** units held */
  readonly size: number;
}

/** The order waiting for the next open. */
export type LivePending = 'open_long' | 'open_short' | 'close' | 'reverse_long' | 'reverse_short';

/** `engine.live`'s options: every setting of `runBacktest`, and the live run's own. */
export interface LiveOptions extends StrategySettings {
  /** the values of the strategy's placeholders */
  params?: Record<string, number> | null | undefined;
  /** the asset traded: a bar naming another is refused */
  symbol?: string | null | undefined;
  /** keep every bar's equity (the result's curve); default true. false: the run's memory does not grow with the bars */
  equityCurve?: boolean | undefined;
}

/**
 * A live run of one strategy on one asset: push one bar at a time; at any point `result()`
 * equals `runBacktest` on the bars pushed so far, bit for bit. Made by `engine.live(...)`,
 * resumed by `engine.liveFromJSON(text)` or `LiveRun.fromJSON(text)`.
 */
export declare class LiveRun {
  private constructor();
  /** A run resumed from `toJSON()`'s text (saved in JS or Python); a `BacktestError` with code `invalid_state` when it is corrupt or of another version. */
  static fromJSON(text: string): LiveRun;
  /**
   * One bar: refused with batch validation's message (naming the field and the row, its
   * index in the run), leaving the run exactly as it was, when it is bad; else the events it
   * caused (a frozen array, most often empty).
   */
  push(bar: LiveBar): readonly LiveEvent[];
  /** Each bar in turn; every event, in order. A bad bar stops it there (the bars before it stay pushed). */
  pushMany(bars: Iterable<LiveBar>): LiveEvent[];
  /** `for await (const events of live.feed(source))`: each bar pushed as it comes, its events yielded. */
  feed(bars: AsyncIterable<LiveBar> | Iterable<LiveBar>): AsyncGenerator<readonly LiveEvent[], void, undefined>;
  /** the open position, or null when flat */
  readonly position: LivePosition | null;
  /** the order waiting for the next open, or null */
  readonly pending: LivePending | null;
  readonly cash: number;
  /** the equity at the last close (the initial capital before the first bar) */
  readonly equity: number;
  /** bars pushed so far */
  readonly bars: number;
  /** the last bar's date, as pushed, or null */
  readonly lastDate: string | null;
  /** the asset this run trades, or null */
  readonly symbol: string | null;
  /** `runBacktest`'s result on the bars pushed so far (an empty equity curve with `equityCurve: false`); throws before the first bar */
  result(): StrategyResult;
  /**
   * The saved state as JSON TEXT (format `quant-backtest/live-state`, version 1, with a
   * checksum): the text the Python package's `to_json()` gives after the same pushes. Being
   * text, `JSON.stringify(live)` would encode it again as a string: save `live.toJSON()`.
   */
  toJSON(): string;
  /** Frees the engine's memory now (else the garbage collector does); the run is then unusable. */
  free(): void;
}
