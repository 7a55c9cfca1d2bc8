// `quant-backtest/report` in browsers and bundlers: report() and reportDocument(); there is no
// file system, so saveReport() says what to do instead.
import { BacktestError } from './core.js';

export { FORMAT, VERSION, report, reportDocument, reportHtml } from './report.js';

/** @returns {never} */
export function saveReport() {
  throw new BacktestError('saveReport needs Node (a file system): in a browser, offer report(result) as a download (a Blob)', 'invalid_parameter');
}
