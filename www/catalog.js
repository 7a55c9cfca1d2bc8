// The engine's catalog for the page (the indicators with their params, defaults, outputs and
// whether they read a source; the price fields; the metrics with their descriptions), from the
// package's `catalog()`, and the camelCase the package's results use.
import { catalog as engineCatalog } from 'quant-backtest';

/**
 * @typedef {{ name: string, default: number | null, integer: boolean }} CatalogParam
 * @typedef {{ name: string, params: CatalogParam[], outputs: string[], source: boolean }} CatalogIndicator
 * @typedef {{ indicators: CatalogIndicator[], price_fields: string[], settings: string[],
 *   metrics: { name: string, description: string, integer: boolean }[], max_int_param: number }} Catalog
 */

/** The engine's catalog: indicators, price fields, settings, metrics. @returns {Catalog} */
export const catalog = () => /** @type {Catalog} */ (engineCatalog());

// A catalog name in the package's camelCase (total_return -> totalReturn): the chart component's,
// which has no engine import so that Node can load it.
export { camelKey as camelCase } from 'quant-backtest/charts';
