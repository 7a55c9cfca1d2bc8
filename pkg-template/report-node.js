// `quant-backtest/report` in Node: report() and reportDocument(), and saveReport() to a file.
import { writeFileSync } from 'node:fs';
import { report } from './report.js';

export { FORMAT, VERSION, report, reportDocument, reportHtml } from './report.js';

/**
 * Writes the standalone HTML report of a result to `path` (UTF-8); returns the path.
 * @param {any} result a result, or a sweep's columns @param {string} path @param {import('./report.js').ReportOptions} [options]
 */
export function saveReport(result, path, options) {
  writeFileSync(path, report(result, options), 'utf8');
  return path;
}
