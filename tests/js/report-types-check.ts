// Type-checked (tsc --noEmit --strict), never run: 'quant-backtest/report' as a TS user imports
// it (in Node: no DOM types needed). The chart component, for pages: charts-types-check.ts.
import { MarketData, RustEngine, generateSampleData, strategy as qs } from 'quant-backtest';
import { FORMAT, report, reportDocument, reportHtml, saveReport } from 'quant-backtest/report';
import type { ReportDocument, ReportOptions } from 'quant-backtest/report';

const engine = new RustEngine();
const data: MarketData = generateSampleData('TS', 300, 100, { seed: 1 });
const result = engine.runBacktest(data, qs.smaCross(10, 30));
const options: ReportOptions = { data, title: 'run', strategy: qs.smaCross(10, 30) };
const doc: ReportDocument = reportDocument(result, options);
const kind: 'backtest' | 'sweep' | 'portfolio' | 'walk_forward' = doc.kind;
const html: string = report(result) + reportHtml(doc);
const path: string = saveReport(result, 'run.html', { data });
const format: 'quant-backtest-report' = FORMAT;
const columns = await engine.sweep(data, qs.smaCross(), { fast: [5, 10], slow: [30] });
const sweepDoc: ReportDocument = reportDocument(columns, { maximize: 'totalReturn' });
// @ts-expect-error: a title is text
reportDocument(result, { title: 42 });

export const used = [kind, html, path, format, sweepDoc];
