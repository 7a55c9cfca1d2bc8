// quant-backtest: portfolios (SPEC part 10) for JS, as the Python package has them: a
// `Universe` of MarketData with distinct symbols on the union of their instants, the
// deterministic sample universe, and a portfolio run's `PortfolioResult`. `RustEngine` (core.js)
// runs them (`runPortfolio`, `runPortfolioAsync`) through the functions at the end of this file.
//
// core.js imports this module and this module imports core.js: nothing here touches core.js's
// bindings while the modules load (only when called).

import {
  BacktestError,
  MarketData,
  adopt,
  checkKeys,
  handleOf,
  names,
  optionsObject,
  plain,
  rawExports,
  reprString,
  sampleSeed,
  snapshot,
  strategyValue,
  wasmCall,
  wireSettings,
  describe,
  integer,
} from './core.js';
import { STRATEGY_KEYS } from './strategy.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A refusal of one asset's bars, with its symbol named first (the field and row follow).
 * @param {string} symbol @param {unknown} e @returns {unknown}
 */
function inAsset(symbol, e) {
  return e instanceof BacktestError ? new BacktestError(`asset '${symbol}': ${e.message}`, e.code) : e;
}

/**
 * One asset as MarketData: MarketData as is (under a key, its symbol must be the key); columns
 * or an array of bars built and checked, a refusal naming the symbol (the key, the columns'
 * `symbol`, or 'UNKNOWN').
 * @param {unknown} item @param {string} [key] @returns {MarketData}
 */
function asset(item, key) {
  if (item instanceof MarketData) {
    if (key !== undefined && item.symbol !== key) {
      throw new BacktestError(`asset '${key}' is MarketData of symbol '${item.symbol}'; the key and the symbol must agree`, 'invalid_market_data');
    }
    return item;
  }
  const own = isPlainObject(item) && item.symbol !== undefined && item.symbol !== null ? String(item.symbol) : 'UNKNOWN';
  const symbol = key ?? own;
  try {
    if (Array.isArray(item)) return MarketData.fromRows(item, symbol);
    if (isPlainObject(item)) return new MarketData({ ...item, symbol });
  } catch (e) {
    throw inAsset(symbol, e);
  }
  throw new BacktestError(`asset '${symbol}' must be MarketData, an object of columns or an array of bars, got ${describe(item)}`, 'invalid_market_data');
}

/** @type {WeakMap<Universe, { assets: readonly MarketData[], handle: any, dates: readonly string[] | null, bySymbol: Map<string, number> }>} */
const UNIVERSES = new WeakMap();

/** @param {Universe} u */
function universeState(u) {
  const s = UNIVERSES.get(u);
  if (!s) throw new BacktestError('not a Universe made by this package');
  return s;
}

/**
 * Assets (MarketData) with distinct symbols, aligned on the union of their instants: an asset
 * trades only on its own bars, is valued at its last close in between, and does not exist
 * before its first bar. From an array of MarketData (or objects of columns, or arrays of
 * bars) or an object symbol -> any of those. Iterable in universe order; `length` assets;
 * `get(symbol)`; `dates` the union's dates.
 */
export class Universe {
  /** @param {unknown} assets */
  constructor(assets) {
    /** @type {MarketData[]} */
    let items;
    if (assets instanceof Universe) items = [...universeState(assets).assets];
    else if (Array.isArray(assets)) items = assets.map((a) => asset(a));
    else if (isPlainObject(assets)) items = Object.entries(assets).map(([k, v]) => asset(v, k));
    else if (assets !== null && typeof assets === 'object' && typeof (/** @type {any} */ (assets))[Symbol.iterator] === 'function') {
      items = Array.from(/** @type {Iterable<unknown>} */ (assets), (a) => asset(a));
    } else {
      throw new BacktestError(`assets must be an array of market data or an object symbol -> market data, got ${describe(assets)}`, 'invalid_market_data');
    }
    const raw = rawExports();
    const collected = new raw.WasmAssets();
    for (const md of items) collected.push(handleOf(md));
    // The engine takes `collected` (and refuses no asset, or a symbol twice).
    const handle = wasmCall(() => new raw.WasmUniverse(collected));
    UNIVERSES.set(this, {
      assets: Object.freeze(items),
      handle,
      dates: null,
      bySymbol: new Map(items.map((md, i) => [md.symbol, i])),
    });
  }

  /** The number of assets. @returns {number} */
  get length() {
    return universeState(this).assets.length;
  }

  /** The symbols, in universe order. @returns {readonly string[]} */
  get symbols() {
    return Object.freeze(universeState(this).assets.map((a) => a.symbol));
  }

  /** The union's dates (each as the first asset in universe order writes it). @returns {readonly string[]} */
  get dates() {
    const s = universeState(this);
    if (s.dates === null) s.dates = Object.freeze(/** @type {string[]} */ (s.handle.dates()));
    return s.dates;
  }

  /** The asset of `symbol` (or at index `key`), or undefined. @param {string | number} key @returns {MarketData | undefined} */
  get(key) {
    const s = universeState(this);
    const i = typeof key === 'number' ? key : s.bySymbol.get(String(key));
    return i === undefined ? undefined : s.assets.at(i);
  }

  /** @param {string} symbol */
  has(symbol) {
    return universeState(this).bySymbol.has(symbol);
  }

  /** @returns {IterableIterator<MarketData>} */
  [Symbol.iterator]() {
    return universeState(this).assets[Symbol.iterator]();
  }

  /** @param {unknown} other */
  equals(other) {
    if (!(other instanceof Universe) || other.length !== this.length) return false;
    const mine = universeState(this).assets;
    return universeState(other).assets.every((a, i) => a.equals(mine[i]));
  }

  toString() {
    const d = this.dates;
    return `Universe([${this.symbols.map(reprString).join(', ')}], bars=${d.length}, ${d[0]} .. ${d[d.length - 1]})`;
  }

  [INSPECT]() {
    return this.toString();
  }
}

/** A Universe as is; anything `new Universe()` takes otherwise. @param {unknown} value @returns {Universe} */
function asUniverse(value) {
  return value instanceof Universe ? value : new Universe(value);
}

/**
 * A deterministic sample universe: one asset per symbol (a count gives `S01`, `S02`, ...) over
 * `days` business days from 2020-01-01; the first starts on the first day, the others on days
 * drawn from the first third. The same seed gives the same bars, bit for bit, in every engine
 * (Rust, wasm, Python); no seed draws one at random.
 * @param {unknown} [symbols] @param {unknown} [days] @param {unknown} [seed]
 * @returns {Universe}
 */
export function generateSampleUniverse(symbols = 5, days = 252, seed) {
  const raw = rawExports();
  /** @type {string[]} */
  let list;
  if (typeof symbols === 'string' || symbols === null || typeof symbols !== 'object' || typeof (/** @type {any} */ (symbols))[Symbol.iterator] !== 'function') {
    list = wasmCall(() => raw.sampleSymbols(integer('symbols', symbols)));
  } else {
    list = Array.from(/** @type {Iterable<unknown>} */ (symbols), String);
  }
  const n = integer('days', days);
  const s = sampleSeed(seed);
  const handles = wasmCall(() => raw.sampleUniverse(list, n, s));
  return new Universe(handles.map((/** @type {any} */ h) => adopt(h)));
}

// ---------------------------------------------------------------------------------------------
// Results

const RESULT_TOKEN = Symbol('PortfolioResult');

/**
 * One portfolio run: every metric on the portfolio's equity (camelCase; null where undefined;
 * `buyAndHoldReturn` the assets' mean), every trade with its `symbol`, the per-asset breakdown
 * (`assets`), and per union date (`dates`) the equity, the cash and the signed value of each
 * asset's position (`positionValues`, symbol -> column).
 */
export class PortfolioResult {
  /** @param {symbol} token @param {Record<string, any>} fields */
  constructor(token, fields) {
    if (token !== RESULT_TOKEN) throw new TypeError('PortfolioResult is made by the engine, not constructed');
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** Every metric, in the catalog's order (camelCase). @returns {Record<string, number | null>} */
  get metrics() {
    const self = /** @type {any} */ (this);
    return Object.fromEntries(names().metricKeys.map((k) => [k, self[k]]));
  }

  /** Plain values (typed arrays as number[]), ready for JSON.stringify. */
  toJSON() {
    const self = /** @type {any} */ (this);
    return {
      ...this.metrics,
      params: { ...self.params },
      executionTimeMs: self.executionTimeMs,
      backend: self.backend,
      trades: self.trades.map((/** @type {any} */ t) => ({ ...t })),
      assets: self.assets.map((/** @type {any} */ a) => ({ ...a })),
      dates: [...self.dates],
      equityCurve: Array.from(self.equityCurve),
      cash: Array.from(self.cash),
      positionValues: Object.fromEntries(Object.entries(self.positionValues).map(([k, v]) => [k, Array.from(/** @type {Float64Array} */ (v))])),
    };
  }
}

/**
 * Frozen trade objects, each with its `symbol`, from a portfolio's packed trades
 * (src/wasm/portfolio.rs `set_trades`: `trade_fields`, `trades`, `labels`; `symbol` indexes
 * `symbols`), dated from `dates` by bar index or, for a live run's output, from its
 * `trade_dates` (entry, exit per trade). A portfolio run's and a walk-forward's on a universe.
 * @param {any} out @param {readonly string[]} symbols @param {readonly string[]} dates
 * @returns {readonly any[]}
 */
export function portfolioTrades(out, symbols, dates) {
  const t = out.trades;
  const stride = out.trade_fields.length;
  const at = Object.fromEntries(out.trade_fields.map((/** @type {string} */ f, /** @type {number} */ i) => [f, i]));
  // A live run's output dates its trades itself (without its curves it keeps no dates).
  /** @type {string[] | undefined} */
  const tradeDates = out.trade_dates;
  const trades = [];
  for (let k = 0, j = 0; k + stride <= t.length; k += stride, j += 2) {
    const entryIndex = t[k + at.entry_index];
    const exitIndex = t[k + at.exit_index];
    trades.push(
      Object.freeze({
        symbol: symbols[t[k + at.symbol]],
        entryIndex,
        exitIndex,
        entryDate: tradeDates ? tradeDates[j] : dates[entryIndex],
        exitDate: tradeDates ? tradeDates[j + 1] : dates[exitIndex],
        entryPrice: t[k + at.entry_price],
        exitPrice: t[k + at.exit_price],
        size: t[k + at.size],
        pnl: t[k + at.pnl],
        returnPct: t[k + at.return_pct],
        barsHeld: t[k + at.bars_held],
        direction: out.labels[t[k + at.direction]],
        exitReason: out.labels[t[k + at.exit_reason]],
      }),
    );
  }
  return Object.freeze(trades);
}

/**
 * A PortfolioResult from the engine's packed output (src/wasm/portfolio.rs), dates and symbols
 * from the universe (a live run's result: its own, as `{ symbols, dates }`, and `trade_dates`).
 * @param {any} out @param {Universe} universe @returns {PortfolioResult}
 */
export function portfolioResult(out, universe) {
  const n = names();
  const symbols = universe.symbols;
  const dates = universe.dates;
  /** @type {Record<string, any>} */
  const fields = {};
  n.metrics.forEach((m, i) => {
    const x = out.metrics[i];
    fields[m.key] = Number.isNaN(x) ? null : x;
  });
  const a = out.assets;
  const width = out.asset_fields.length;
  const col = Object.fromEntries(out.asset_fields.map((/** @type {string} */ f, /** @type {number} */ i) => [f, i]));
  const bars = dates.length;
  /** @type {Record<string, Float64Array>} */
  const positionValues = {};
  symbols.forEach((s, i) => {
    positionValues[s] = out.position_values.subarray(i * bars, (i + 1) * bars);
  });
  fields.trades = portfolioTrades(out, symbols, dates);
  fields.assets = Object.freeze(
    symbols.map((symbol, i) =>
      Object.freeze({
        symbol,
        tradeCount: a[i * width + col.trade_count],
        pnl: a[i * width + col.pnl],
        winRate: a[i * width + col.win_rate],
        exposure: a[i * width + col.exposure],
      }),
    ),
  );
  fields.dates = dates;
  fields.equityCurve = out.equity_curve;
  fields.cash = out.cash;
  fields.positionValues = Object.freeze(positionValues);
  fields.params = Object.freeze({ ...(out.params ?? {}) });
  fields.executionTimeMs = out.execution_time_ms;
  fields.backend = 'wasm';
  return new PortfolioResult(RESULT_TOKEN, fields);
}

// ---------------------------------------------------------------------------------------------
// Requests (what RustEngine.runPortfolio / runPortfolioAsync check, then run)

/**
 * A portfolio's strategy value: one strategy, or a plain object symbol -> strategy (an object
 * with none of a strategy object's keys), each made a wire value.
 * @param {unknown} strategy
 */
export function portfolioStrategy(strategy) {
  if (isPlainObject(strategy) && Object.keys(strategy).length > 0 && !Object.keys(strategy).some((k) => STRATEGY_KEYS.includes(k))) {
    return Object.fromEntries(Object.entries(strategy).map(([k, v]) => [k, strategyValue(v)]));
  }
  return strategyValue(strategy);
}

/**
 * The snake_case settings of a portfolio call (with `max_positions`), its keys checked among the
 * settings, `maxPositions` and `options` (the call's other keys).
 * @param {Record<string, any>} o @param {readonly string[]} options @returns {Record<string, unknown>}
 */
export function portfolioSettings(o, options) {
  // A portfolio's own settings (the engine's catalog: maxPositions) are settings here: a typo
  // near one reads "unknown setting", as in Python.
  const n = names();
  checkKeys(o, [...n.settingKeys, ...n.portfolioSettingKeys], options);
  const settings = wireSettings(o, [...options, ...n.portfolioSettingKeys]);
  n.portfolioSettingKeys.forEach((key, i) => {
    if (o[key] !== undefined) settings[n.portfolioSettings[i]] = o[key];
  });
  return settings;
}

/**
 * A checked portfolio request: the universe, and the wire values (snake_case settings with
 * `max_positions`, the params) the engine reads.
 * @param {unknown} universe @param {unknown} strategy @param {unknown} options
 * @returns {{ universe: Universe, strategy: any, settings: Record<string, unknown>, params: any }}
 */
export function portfolioRequest(universe, strategy, options) {
  const o = optionsObject(options, 'options');
  const settings = portfolioSettings(o, ['params']);
  const u = asUniverse(universe);
  const tree = portfolioStrategy(strategy);
  const params = o.params === undefined || o.params === null ? {} : plain(o.params);
  return { universe: u, strategy: tree, settings, params };
}

/** One portfolio run on the calling thread. @param {ReturnType<typeof portfolioRequest>} r */
export function runPortfolioHere(r) {
  const raw = rawExports();
  return portfolioResult(wasmCall(() => raw.runPortfolio(universeState(r.universe).handle, r.strategy, r.settings, r.params)), r.universe);
}

/** Every asset's columns, for a worker (which builds its own universe from them). @param {Universe} u */
export function universeColumns(u) {
  return universeState(u).assets.map((md) => snapshot(md).columns);
}

// ---------------------------------------------------------------------------------------------
// Sweeps (what RustEngine.sweep / optimize call when their data is a Universe)

/**
 * A planned portfolio sweep on the calling thread (the engine checks every value first).
 * @param {Universe} u @param {import('./protocol.js').SweepRequest} r @returns {any} a WasmPortfolioSweep
 */
export function planPortfolioSweep(u, r) {
  const raw = rawExports();
  return wasmCall(() => new raw.WasmPortfolioSweep(universeState(u).handle, r.strategy, r.settings, r.params, r.constraint, r.names, r.rows));
}

/** The engine's handle of a universe (what `WasmPortfolioSweep.run` takes). @param {Universe} u @returns {any} */
export function universeHandle(u) {
  return universeState(u).handle;
}
