// The page's route to what the package does not offer: the engine's raw `catalog()` (the
// indicators with their params, defaults, outputs and whether they read a source; the price
// fields; the metrics with their descriptions). The package reads it internally but does not
// export it. The raw module is the very instance that `init()` of the browser entry
// instantiated (same URL, so the same ES module), so nothing loads twice.
import * as raw from 'quant-backtest/raw';

/**
 * @typedef {{ name: string, default: number | null, integer: boolean }} CatalogParam
 * @typedef {{ name: string, params: CatalogParam[], outputs: string[], source: boolean }} CatalogIndicator
 * @typedef {{ indicators: CatalogIndicator[], price_fields: string[], settings: string[],
 *   metrics: { name: string, description: string, integer: boolean }[], max_int_param: number }} Catalog
 */

/** @type {Catalog | null} */
let catalogCache = null;
/** The engine's catalog: indicators, price fields, settings, metrics. @returns {Catalog} */
export function catalog() {
  if (catalogCache === null) catalogCache = raw.catalog();
  return /** @type {Catalog} */ (catalogCache);
}

/** A catalog name in the package's camelCase: total_return -> totalReturn. @param {string} name */
export const camelCase = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
