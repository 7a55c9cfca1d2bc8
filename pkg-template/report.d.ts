// `quant-backtest/report`: pictures of results (docs/REPORTS.md in the repository).
import type { MarketData, PortfolioResult, StrategyResult, SweepColumns, Universe, WalkForwardResult } from './index.js';

export declare const FORMAT: 'quant-backtest-report';
export declare const VERSION: 1;

/** What a report shows besides the result. */
export interface ReportOptions {
  /** The bars the result ran on (candles, buy and hold; a Universe for a portfolio). */
  data?: MarketData | Universe | null;
  /** The strategy, shown as JSON (a builder Strategy, its JSON text, or the wire object). */
  strategy?: unknown;
  /** The report's title (default: the symbol and the kind). */
  title?: string;
  /** A sweep's metric for the heatmap: camelCase as optimize's (or the snake_case name). Default 'sharpeRatio'. */
  maximize?: string;
  /** A sweep's best run (optimize's result), drawn below the heatmap. */
  best?: StrategyResult | PortfolioResult | null;
}

/** A result, or a sweep's columns (engine.sweep's, of a universe too). */
export type ReportResult<P extends string = string> = StrategyResult | PortfolioResult | WalkForwardResult | SweepColumns<P>;

/** The report document: plain JSON values, the same as Python's report_document for the same run. */
export interface ReportDocument {
  format: 'quant-backtest-report';
  version: 1;
  kind: 'backtest' | 'sweep' | 'portfolio' | 'walk_forward';
  title: string;
  generator: string;
  strategy: unknown;
  bars: { symbol: string; dates: string[]; open: number[]; high: number[]; low: number[]; close: number[] } | null;
  assets: { symbol: string; dates: string[]; close: number[] }[] | null;
  run: Record<string, unknown> | null;
  sweep?: { names: string[]; columns: Record<string, (number | null)[]>; maximize: string; best_params: Record<string, number> };
  walk?: Record<string, unknown>;
}

export declare function reportDocument<P extends string>(result: ReportResult<P>, options?: ReportOptions): ReportDocument;
/** The HTML of a report document. */
export declare function reportHtml(doc: ReportDocument): string;
/** The standalone HTML report (lightweight-charts, the charts and the data inlined: it opens from disk). */
export declare function report<P extends string>(result: ReportResult<P>, options?: ReportOptions): string;
/** Node only: writes report(result, options) to `path`; returns the path. */
export declare function saveReport<P extends string>(result: ReportResult<P>, path: string, options?: ReportOptions): string;
