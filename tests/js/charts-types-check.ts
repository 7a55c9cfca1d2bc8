// Type-checked (tsc --noEmit --strict, with the DOM's types), never run: the chart component
// 'quant-backtest/charts' as a page's TS imports it (its types: JSDoc, emitted by tsc at build).
import type { SweepColumns } from 'quant-backtest';
import { reportDocument } from 'quant-backtest/report';
import { chartTimes, formatMetric, metricLabel, renderReport, tradeMarkers } from 'quant-backtest/charts';

const label: string = metricLabel('sharpe_ratio') + formatMetric('total_return', 0.1);
const times: (string | number)[] = chartTimes(['2024-01-01']);
const markers = tradeMarkers([{ entryIndex: 0, exitIndex: 1, direction: 'long', exitReason: 'signal' }], ['2024-01-01', '2024-01-02']);
declare const columns: SweepColumns<'fast'>;
const drawn: unknown = renderReport({}, document.body, reportDocument(columns));
// @ts-expect-error: a label is made from a metric's name
metricLabel(3);

export const used = [label, times, markers, drawn];
