// Type declarations of quant-backtest's strategy builder (`import { strategy as qs } from 'quant-backtest'`).

/** A number or a placeholder `qs.param(name)`. */
export type ParamValue = number | Param;
/** A series operand: a series or a number (a constant). */
export type Operand = Series | number;
/** The wire JSON of a series or condition (docs/STRATEGIES.md). */
export type WireValue = string | number | { [key: string]: any };
/** The canonical wire object of a strategy (snake_case keys). */
export interface StrategyJSON {
  entry?: WireValue;
  exit?: WireValue;
  short_entry?: WireValue;
  short_exit?: WireValue;
  settings?: Record<string, unknown>;
  constraint?: WireValue;
}
/** Execution settings, camelCase (the engine's setting names). */
export interface Settings {
  initialCapital?: number;
  commissionRate?: number;
  fixedFee?: number;
  slippage?: number;
  fill?: 'next_open' | 'close';
  lotSize?: number;
  periodsPerYear?: number;
  direction?: 'long_only' | 'short_only' | 'both';
  sizeType?: string;
  size?: number;
  stopLoss?: number | null;
  takeProfit?: number | null;
  trailingStop?: number | null;
}
export interface StrategyOptions extends Settings {
  entry?: Condition | null;
  exit?: Condition | null;
  shortEntry?: Condition | null;
  shortExit?: Condition | null;
  /** a condition on placeholders only (the default constraint of a sweep) */
  constraint?: Condition | null;
}
export interface SourceOption {
  /** the series the indicator reads (default qs.close) */
  source?: Series;
}

export declare abstract class Node {
  toValue(): WireValue;
  toJSON(): WireValue;
  equals(other: unknown): boolean;
  paramNames(): string[];
}
export declare abstract class Series extends Node {
  gt(other: Operand): Comparison;
  lt(other: Operand): Comparison;
  ge(other: Operand): Comparison;
  le(other: Operand): Comparison;
  crossesAbove(other: Operand): Comparison;
  crossesBelow(other: Operand): Comparison;
  shift(periods?: number): Shift;
  /** refused (a series is not a condition) */
  and(...others: unknown[]): never;
  /** refused (a series is not a condition) */
  or(...others: unknown[]): never;
  /** refused (a series is not a condition) */
  not(): never;
}
export declare class PriceColumn extends Series {
  constructor(name: string);
  readonly name: 'open' | 'high' | 'low' | 'close' | 'volume';
}
export declare class Constant extends Series {
  constructor(value: number);
  readonly value: number;
}
export declare class Param extends Series {
  constructor(name: string);
  readonly name: string;
}
export declare class Indicator extends Series {
  constructor(name: string, params: Record<string, ParamValue | undefined>, source?: Series | number | null, output?: string | null);
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly source: Series | null;
  readonly output: string | null;
}
export declare class Shift extends Series {
  constructor(series: Series | number, periods?: number);
  readonly series: Series;
  readonly periods: number;
}
/** macd / bbands: not a series; use an output. */
export declare class MultiOutputIndicator {
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly source: Series | null;
  output(name: string): Indicator;
  equals(other: unknown): boolean;
  gt(other: unknown): never;
  lt(other: unknown): never;
  ge(other: unknown): never;
  le(other: unknown): never;
  crossesAbove(other: unknown): never;
  crossesBelow(other: unknown): never;
  shift(periods?: unknown): never;
}
export declare class MACD extends MultiOutputIndicator {
  readonly macd: Indicator;
  readonly signal: Indicator;
  readonly hist: Indicator;
}
export declare class BBANDS extends MultiOutputIndicator {
  readonly upper: Indicator;
  readonly middle: Indicator;
  readonly lower: Indicator;
}
export declare abstract class Condition extends Node {
  and(...others: Condition[]): And;
  or(...others: Condition[]): Or;
  not(): Not;
}
export declare class Comparison extends Condition {
  constructor(op: 'gt' | 'lt' | 'ge' | 'le' | 'crosses_above' | 'crosses_below', left: Operand, right: Operand);
  readonly op: string;
  readonly left: Series;
  readonly right: Series;
}
export declare class And extends Condition {
  constructor(...conditions: Condition[]);
  readonly conditions: readonly Condition[];
}
export declare class Or extends Condition {
  constructor(...conditions: Condition[]);
  readonly conditions: readonly Condition[];
}
export declare class Not extends Condition {
  constructor(condition: Condition);
  readonly condition: Condition;
}

export declare class Strategy {
  constructor(options?: StrategyOptions);
  readonly entry: Condition | null;
  readonly exit: Condition | null;
  readonly shortEntry: Condition | null;
  readonly shortExit: Condition | null;
  readonly constraint: Condition | null;
  /** camelCase, in the table's order (a copy) */
  readonly settings: Settings;
  conditions(): Record<string, Condition>;
  /** placeholder names in first-use order */
  params(): string[];
  bind(values: Record<string, number>): Strategy;
  withSettings(settings: Settings): Strategy;
  /** the canonical wire object (Python's to_dict(), key order too) */
  toJSON(): StrategyJSON;
  equals(other: unknown): boolean;
  static fromJSON(json: string | object): Strategy;
}

export declare const open: PriceColumn;
export declare const high: PriceColumn;
export declare const low: PriceColumn;
export declare const close: PriceColumn;
export declare const volume: PriceColumn;
export declare function param(name: string): Param;
export declare function constant(value: number): Constant;
export declare function settingNames(): string[];
export declare function describeValue(v: unknown): string;
export declare function sma(period: ParamValue, options?: SourceOption): Indicator;
export declare function ema(period: ParamValue, options?: SourceOption): Indicator;
export declare function wma(period: ParamValue, options?: SourceOption): Indicator;
export declare function rsi(period?: ParamValue, options?: SourceOption): Indicator;
export declare function macd(fast?: ParamValue, slow?: ParamValue, signal?: ParamValue, options?: SourceOption): MACD;
export declare function bbands(period?: ParamValue, k?: ParamValue, options?: SourceOption): BBANDS;
export declare function atr(period?: ParamValue): Indicator;
export declare function stddev(period: ParamValue, options?: SourceOption): Indicator;
export declare function roc(period?: ParamValue, options?: SourceOption): Indicator;
export declare function highest(period: ParamValue, options?: SourceOption): Indicator;
export declare function lowest(period: ParamValue, options?: SourceOption): Indicator;

type Cross = { fast?: ParamValue | null; slow?: ParamValue | null } & Settings;
export declare function smaCross(fast?: ParamValue | null, slow?: ParamValue | null, settings?: Settings): Strategy;
export declare function smaCross(options: Cross): Strategy;
export declare function emaCross(fast?: ParamValue | null, slow?: ParamValue | null, settings?: Settings): Strategy;
export declare function emaCross(options: Cross): Strategy;
export declare function rsiReversion(period?: ParamValue, lower?: ParamValue, upper?: ParamValue, settings?: Settings): Strategy;
export declare function rsiReversion(options: { period?: ParamValue; lower?: ParamValue; upper?: ParamValue } & Settings): Strategy;
export declare function macdCross(fast?: ParamValue, slow?: ParamValue, signal?: ParamValue, settings?: Settings): Strategy;
export declare function macdCross(options: { fast?: ParamValue; slow?: ParamValue; signal?: ParamValue } & Settings): Strategy;
export declare function bollingerReversion(period?: ParamValue, k?: ParamValue, settings?: Settings): Strategy;
export declare function bollingerReversion(options: { period?: ParamValue; k?: ParamValue } & Settings): Strategy;
export declare function donchianBreakout(period?: ParamValue, settings?: Settings): Strategy;
export declare function donchianBreakout(options: { period?: ParamValue } & Settings): Strategy;
