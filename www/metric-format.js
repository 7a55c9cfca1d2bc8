// How the page writes the engine's metrics and money: labels of the catalog's metric names and
// one formatter per kind (fractions in %, win_rate already in %, counts, ratios, money). No DOM
// and no engine import, so the browser test can format the package's own numbers with it in
// Node and compare them with what the page shows. The workbench (app.js) and the portfolio view
// (portfolio.js) both write with it.

const nf = (/** @type {number} */ digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const NF0 = nf(0);
const NF2 = nf(2);
const NF3 = nf(3);
export const NA = 'n/a';

/** @param {unknown} x @returns {x is number} */
const finite = (x) => typeof x === 'number' && Number.isFinite(x);
/** A fraction as a percent: 0.1234 -> "12.34 %". @param {number | null | undefined} x */
export const pct = (x) => (finite(x) ? `${NF2.format(x * 100)} %` : NA);
/** A value already in percent: 56.25 -> "56.25 %". @param {number | null | undefined} x */
export const pct100 = (x) => (finite(x) ? `${NF2.format(x)} %` : NA);
/** @param {number | null | undefined} x */
export const ratio = (x) => (finite(x) ? NF3.format(x) : NA);
/** @param {number | null | undefined} x */
export const int = (x) => (finite(x) ? NF0.format(x) : NA);
/** @param {number | null | undefined} x */
export const money = (x) => (finite(x) ? NF2.format(x) : NA);
/** A trade's price: 6 significant digits (2 decimals from 1000 up). @param {number} x */
export const price = (x) => (Math.abs(x) >= 1000 ? NF2.format(x) : x.toPrecision(6).replace(/\.?0+$/, ''));
/** Milliseconds, with fewer digits as they grow. @param {number} x */
export const ms = (x) => (x >= 100 ? `${NF0.format(x)} ms` : `${x.toFixed(x >= 10 ? 1 : 2)} ms`);

/** Labels where the catalog's name alone reads badly. */
const METRIC_LABELS = /** @type {Record<string, string>} */ ({
  volatility: 'Volatility (annualized)',
  trade_count: 'Closed trades',
  buy_and_hold_return: 'Buy and hold return',
  max_drawdown_duration: 'Max drawdown duration (bars)',
});

/** Formatters where a metric is not a fraction shown in %. */
const METRIC_FORMAT = /** @type {Record<string, (x: number | null | undefined) => string>} */ ({
  sharpe_ratio: ratio,
  sortino_ratio: ratio,
  profit_factor: ratio,
  calmar_ratio: ratio,
  trade_count: int,
  max_drawdown_duration: int,
  win_rate: pct100,
  expectancy: money,
});

/** A catalog metric name as a label: max_drawdown -> "Max drawdown". @param {string} name */
export const metricLabel = (name) => METRIC_LABELS[name] ?? name[0].toUpperCase() + name.slice(1).replace(/_/g, ' ');

/** A metric's value as the page writes it. @param {string} name catalog name @param {number | null | undefined} value */
export const formatMetric = (name, value) => (METRIC_FORMAT[name] ?? pct)(value);

/** A catalog name in the package's camelCase: total_return -> totalReturn. @param {string} name */
export const camelKey = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
