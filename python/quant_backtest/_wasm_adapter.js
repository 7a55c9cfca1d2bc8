// @ts-check
// The quant_backtest Pyodide adapter: the JS half of python/quant_backtest/_wasm_bridge.py.
//
// The bridge evaluates the wasm-bindgen glue (pkg/wasm/quant_backtest.js) as a function body
// that returns its exports, then this file as a function body ending in
// `return quantBacktestAdapter(glue)`. Every function here takes and returns what crosses to
// Python cheaply: strings (JSON for trees, settings and params: one string, not a proxy per
// key), numbers, typed arrays packed so that Python reads each with one copy (no
// per-element proxies), and the glue's objects that the bridge keeps (bars, prepared runs). Errors are the glue's own (a JS Error named
// BacktestError with `.code`); the bridge turns them into quant_backtest.BacktestError.

/** @typedef {typeof import('../../pkg/wasm/quant_backtest.js')} Glue */
/** @typedef {import('../../pkg/wasm/quant_backtest.js').WasmMarketData} WasmMarketData */
/** @typedef {import('../../pkg/wasm/quant_backtest.js').WasmBacktest} WasmBacktest */
/** @typedef {import('../../pkg/wasm/quant_backtest.js').WasmUniverse} WasmUniverse */
/** @typedef {import('../../pkg/wasm/quant_backtest.js').WasmLiveRun} WasmLiveRun */
/** @typedef {import('../../pkg/wasm/quant_backtest.js').WasmLivePortfolio} WasmLivePortfolio */
/** A sweep's columns by name (`WasmSweep.run`, `WasmPortfolioSweep.run`). */
/** @typedef {Record<string, Float64Array | Int32Array>} Columns */
/**
 * What runPortfolio returns (src/wasm/portfolio.rs `output_object`).
 * @typedef {{ metrics: Float64Array, trade_fields: string[], trades: Float64Array,
 *   labels: string[], equity_curve: Float64Array, cash: Float64Array,
 *   position_values: Float64Array, asset_fields: string[], assets: Float64Array,
 *   params: Record<string, number>, execution_time_ms: number }} RawPortfolio
 */
/**
 * What runStrategy and runSignals return (src/wasm/strategy.rs).
 * @typedef {{ metrics: Float64Array, trades: Float64Array, equity_curve: Float64Array,
 *   params: Record<string, number>, execution_time_ms: number }} RawOutput
 */

/**
 * What WasmLiveRun.result returns: a strategy run's output with each trade's entry and exit
 * dates (src/wasm/live.rs).
 * @typedef {RawOutput & { trade_dates: string[] }} RawLiveOutput
 */

/**
 * The adapter over the glue's exports.
 * @param {Glue} glue
 */
// eslint-disable-next-line no-unused-vars -- called by the bridge's appended `return`
function quantBacktestAdapter(glue) {
  /** Seed results: a header of 14 numbers, then 8 per trade (see the bridge's `_unpack`). */
  const HEAD = 14;
  const TRADE = 8;
  const EMPTY = new Float64Array(0);
  const SEED_COLUMNS = ['fastPeriod', 'slowPeriod', 'totalReturn', 'annualizedReturn', 'volatility',
    'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'tradeCount', 'winRate'];

  /**
   * The seed API's results packed: numbers, `\n`-joined trade dates, equity rows.
   * @param {any[]} results
   * @param {number} bars
   * @returns {[Float64Array, string, Float64Array]}
   */
  function packSeed(results, bars) {
    let size = 0;
    for (const r of results) size += HEAD + TRADE * r.trades.length;
    const nums = new Float64Array(size);
    const equity = new Float64Array(results.length * bars);
    /** @type {string[]} */
    const dates = [];
    let o = 0;
    results.forEach((r, k) => {
      const trades = r.trades;
      nums.set([r.fastPeriod, r.slowPeriod, r.totalReturn, r.annualizedReturn, r.volatility,
        r.sharpeRatio === null ? 0 : 1, r.sharpeRatio ?? 0, r.sortinoRatio === null ? 0 : 1,
        r.sortinoRatio ?? 0, r.maxDrawdown, r.tradeCount, r.winRate, r.executionTimeMs,
        trades.length], o);
      o += HEAD;
      for (const t of trades) {
        nums.set([t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice, t.size, t.pnl,
          t.returnPct, t.barsHeld], o);
        o += TRADE;
        dates.push(t.entryDate, t.exitDate);
      }
      equity.set(r.equityCurve, k * bars);
    });
    return [nums, dates.join('\n'), equity];
  }

  /**
   * A strategy run packed in one array: [ms, metric count, trade-field count, trade count,
   * metrics..., trades (fields per trade)..., equity...]. (The params it ran with are the
   * ones given: the bridge keeps those, with Python's int/float types.)
   * @param {RawOutput} out
   * @returns {Float64Array}
   */
  function packRun(out) {
    const { metrics, trades, equity_curve: equity } = out;
    const fields = tradeFields;
    const packed = new Float64Array(4 + metrics.length + trades.length + equity.length);
    packed[0] = out.execution_time_ms;
    packed[1] = metrics.length;
    packed[2] = fields;
    packed[3] = trades.length / fields;
    packed.set(metrics, 4);
    packed.set(trades, 4 + metrics.length);
    packed.set(equity, 4 + metrics.length + trades.length);
    return packed;
  }

  /**
   * A sweep's columns packed: a JSON header `{count, columns: [[name, integer, offset], ...]}`,
   * the float columns end to end in one array, the integer ones in another.
   * @param {Columns} cols @param {number} count
   * @returns {[string, Float64Array, Int32Array]}
   */
  function packColumns(cols, count) {
    const entries = Object.entries(cols);
    const isInt = entries.map(([, c]) => c instanceof Int32Array);
    const ints = new Int32Array(count * isInt.filter(Boolean).length);
    const floats = new Float64Array(count * isInt.filter((x) => !x).length);
    let fi = 0;
    let ii = 0;
    /** @type {[string, boolean, number][]} */
    const header = entries.map(([name, c], k) => {
      const at = isInt[k] ? ii : fi;
      (isInt[k] ? ints : floats).set(c, at);
      if (isInt[k]) ii += count; else fi += count;
      return [name, isInt[k], at];
    });
    return [JSON.stringify({ count, columns: header }), floats, ints];
  }

  /** The native door's trade columns (src/python/portfolio.rs), integers then floats. */
  const INT_TRADE_COLUMNS = ['symbol', 'entry_index', 'exit_index', 'bars_held', 'direction',
    'exit_reason'];
  const FLOAT_TRADE_COLUMNS = ['entry_price', 'exit_price', 'size', 'pnl', 'return_pct'];
  /** An asset row's numbers, as the bridge's `_ASSET_FIELDS` reads them. */
  const ASSET_FIELDS = ['trade_count', 'pnl', 'win_rate', 'exposure'];
  /** Portfolio header: ms, metric count, trade count, bars, assets, fields per asset row. */
  const PORTFOLIO_HEAD = 6;

  /**
   * A portfolio run packed for the bridge's `_portfolio_output`, in two arrays:
   * floats `[head (PORTFOLIO_HEAD), metrics, the float trade columns (each end to end),
   * equity, cash, positions (bar-major: a row of one value per asset per bar), asset rows]`
   * and ints `[the integer trade columns, each end to end]`, with `direction` and
   * `exit_reason` re-indexed from the run's own `labels` into the catalog's sides and exit
   * reasons (the native door's `labels`).
   * @param {RawPortfolio} out @returns {[Float64Array, Int32Array]}
   */
  function packPortfolio(out) {
    const stride = out.trade_fields.length;
    const n = out.trades.length / stride;
    const bars = out.equity_curve.length;
    const m = bars ? out.position_values.length / bars : 0;
    const assetStride = out.asset_fields.length;
    if (out.asset_fields.join() !== ASSET_FIELDS.join()) {
      throw new Error(`runPortfolio's asset rows are ${out.asset_fields.join()}, not ${ASSET_FIELDS.join()}`);
    }
    /** @param {string} name */
    const field = (name) => {
      const i = out.trade_fields.indexOf(name);
      if (i < 0) throw new Error(`runPortfolio's trades have no ${name}`);
      return i;
    };
    const side = out.labels.map((l) => sides.indexOf(l));
    const reason = out.labels.map((l) => exitReasons.indexOf(l));
    const ints = new Int32Array(INT_TRADE_COLUMNS.length * n);
    INT_TRADE_COLUMNS.forEach((name, c) => {
      const f = field(name);
      const remap = name === 'direction' ? side : name === 'exit_reason' ? reason : null;
      for (let k = 0; k < n; k++) {
        const v = out.trades[k * stride + f];
        ints[c * n + k] = remap ? remap[v] : v;
      }
    });
    const metrics = out.metrics.length;
    const floats = new Float64Array(PORTFOLIO_HEAD + metrics + FLOAT_TRADE_COLUMNS.length * n
      + 2 * bars + m * bars + out.assets.length);
    floats.set([out.execution_time_ms, metrics, n, bars, m, assetStride]);
    floats.set(out.metrics, PORTFOLIO_HEAD);
    let o = PORTFOLIO_HEAD + metrics;
    for (const name of FLOAT_TRADE_COLUMNS) {
      const f = field(name);
      for (let k = 0; k < n; k++) floats[o++] = out.trades[k * stride + f];
    }
    floats.set(out.equity_curve, o);
    floats.set(out.cash, o + bars);
    o += 2 * bars;
    const positions = out.position_values; // asset-major: each asset's column end to end
    for (let b = 0; b < bars; b++) {
      for (let a = 0; a < m; a++) floats[o++] = positions[a * bars + b];
    }
    floats.set(out.assets, o);
    return [floats, ints];
  }

  /** @param {string | null | undefined} text */
  const parse = (text) => (text == null ? null : JSON.parse(text));

  /** Fields per trade in the raw output (catalog().trade_fields), known once started. */
  let tradeFields = 0;
  /** The catalog's sides and exit reasons (the native door's `labels`), known once started. */
  /** @type {string[]} */
  let sides = [];
  /** @type {string[]} */
  let exitReasons = [];

  return {
    /** @param {Uint8Array} bytes the .wasm file @returns {string} the engine's version */
    init(bytes) {
      glue.initSync({ module: bytes });
      const catalog = glue.catalog();
      tradeFields = catalog.trade_fields.length;
      ({ sides, exit_reasons: exitReasons } = catalog);
      return glue.version();
    },
    threaded: () => glue.isThreadedBuild(),
    /** The engine's catalog (indicators, settings, metrics, trade fields, ...) as JSON. */
    catalog: () => JSON.stringify(glue.catalog()),

    /**
     * Bars from one packed column array (open, high, low, close, volume, `n` each).
     * @param {string} symbol
     * @param {string | string[]} dates `\n`-joined (the bridge checks no date holds one), or a list
     * @param {Float64Array} columns
     * @param {number[]} lengths of the five (unequal ones are the engine's to refuse)
     */
    marketData(symbol, dates, columns, lengths) {
      if (typeof dates === 'string' && lengths.every((n) => n === lengths[0])) {
        return glue.WasmMarketData.fromPacked(symbol, dates, columns, lengths[0]); // one crossing
      }
      const list = typeof dates === 'string' ? (dates === '' ? [] : dates.split('\n')) : dates;
      const starts = [0];
      for (const n of lengths) starts.push(starts[starts.length - 1] + n);
      /** @param {number} i */
      const col = (i) => columns.subarray(starts[i], starts[i + 1]);
      return new glue.WasmMarketData(symbol, list, col(0), col(1), col(2), col(3), col(4));
    },
    /**
     * Bars from the five columns as the bridge checked them: per column a 5-byte header, then
     * per bar a 1-byte tag and the little-endian double (Python's `marshal` layout of a list of
     * floats, which the bridge verified); the doubles are read here, in a JIT-compiled loop,
     * instead of one Python call per value.
     * @param {string} symbol @param {string} dates `\n`-joined (no date holds one)
     * @param {Uint8Array} records @param {number} bars
     */
    marketDataFromRecords(symbol, dates, records, bars) {
      const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
      const columns = new Float64Array(5 * bars);
      const stride = 5 + 9 * bars;
      for (let c = 0, i = 0; c < 5; c++) {
        for (let at = c * stride + 6, end = at + 9 * bars; at < end; at += 9) {
          columns[i++] = view.getFloat64(at, true);
        }
      }
      return glue.WasmMarketData.fromPacked(symbol, dates, columns, bars);
    },
    /** @param {string} symbol @param {number} days @param {number} price @param {string} seed */
    sampleData: (symbol, days, price, seed) => glue.sampleData(symbol, days, price, BigInt(seed)),
    /**
     * A data's symbol, `\n`-joined dates, and its five columns in one array.
     * @param {WasmMarketData} d
     * @returns {[string, string, Float64Array]}
     */
    columns(d) {
      const n = d.length;
      const out = new Float64Array(5 * n);
      [d.open(), d.high(), d.low(), d.close(), d.volume()].forEach((c, i) => out.set(c, i * n));
      return [d.symbol, d.dates().join('\n'), out];
    },

    // -- the seed API ------------------------------------------------------------------
    /**
     * @param {WasmMarketData} d @param {number} f @param {number} s @param {number} cap
     * @param {number} com @param {string} fill @param {number} lot @param {number} ppy
     * @returns {[Float64Array, string, Float64Array]} backtestPacked's numbers, the trades'
     *   dates joined with newlines, the equity curve
     */
    backtest: (d, f, s, cap, com, fill, lot, ppy) => {
      // The engine's own packing (numbers, trade dates, equity): no object per field.
      const [nums, dates, equity] = glue.backtestPacked(d, f, s, cap, com, fill, lot, ppy);
      return [nums, dates.join('\n'), equity];
    },
    /**
     * @param {WasmMarketData} d @param {Float64Array} fasts @param {Float64Array} slows
     * @param {number} cap @param {number} com @param {string} fill @param {number} lot
     * @param {number} ppy @param {number | undefined} maxWorkers @param {boolean} details
     * @returns {[Float64Array, string, Float64Array] | [Float64Array, number]}
     */
    grid(d, fasts, slows, cap, com, fill, lot, ppy, maxWorkers, details) {
      const plan = /** @type {{ fast: Uint32Array, slow: Uint32Array }} */ (
        glue.planGrid(d.length, fasts, slows, cap, com, fill, lot, ppy, maxWorkers));
      const start = performance.now();
      try {
        const out = glue.runPairs(d, plan.fast, plan.slow, cap, com, fill, lot, ppy, details);
        const ms = (performance.now() - start) / plan.fast.length;
        if (details) return packSeed(out, d.length);
        const n = plan.fast.length;
        const cols = new Float64Array(SEED_COLUMNS.length * n);
        SEED_COLUMNS.forEach((name, i) => cols.set(out[name], i * n));
        return [cols, ms];
      } finally {
        d.clearSmaCache(); // the SMAs are kept per data for chunked grids; one call here
      }
    },

    // -- the strategy engine -------------------------------------------------------------
    /**
     * A strategy request (JSON texts) read and checked once; the bridge keeps it for the runs
     * of the same strategy (reading a tree costs more than a 1,000-bar run) and frees it.
     * @param {string} strategy @param {string} settings @param {string} params
     * @returns {WasmBacktest}
     */
    prepare: (strategy, settings, params) =>
      new glue.WasmBacktest(parse(strategy), parse(settings), parse(params)),
    /**
     * A prepared run on `d`, packed by the engine itself in one array (see packRun): no JS
     * object per part, one crossing.
     * @param {WasmBacktest} run @param {WasmMarketData} d @returns {Float64Array}
     */
    runPrepared: (run, d) => run.runPacked(d),
    /**
     * A run of raw signals: one byte per bar (0 or 1), or null for never.
     * @param {WasmMarketData} d @param {Uint8Array | null} entries @param {Uint8Array | null} exits
     * @param {Uint8Array | null} shortEntries @param {Uint8Array | null} shortExits
     * @param {string} settings
     */
    runSignals: (d, entries, exits, shortEntries, shortExits, settings) =>
      packRun(/** @type {RawOutput} */ (glue.runSignals(d, entries, exits, shortEntries, shortExits,
        parse(settings)))),
    /**
     * A whole sweep as columns: a JSON header `[[name, integer, offset], ...]` and the row
     * count, the float columns in one array, the integer ones in another.
     * @param {WasmMarketData} d @param {string} strategy @param {string} settings
     * @param {string} params @param {string | null} constraint @param {string | null} names
     * @param {string | null} rows
     * @returns {[string, Float64Array, Int32Array]}
     */
    sweep(d, strategy, settings, params, constraint, names, rows) {
      const sweep = new glue.WasmSweep(parse(strategy), parse(settings), parse(params),
        parse(constraint), parse(names), parse(rows));
      try {
        const count = sweep.count;
        return packColumns(/** @type {Columns} */ (sweep.run(d, 0, count)), count);
      } finally {
        sweep.free();
        d.clearSmaCache(); // indicator series are cached per data for chunked sweeps
      }
    },

    /**
     * A walk-forward (SPEC part 12) as the native door's output, in JSON text.
     * @param {WasmMarketData} d @param {string} strategy @param {string} settings
     * @param {string} params @param {string | null} constraint @param {string | null} names
     * @param {string | null} rows @param {string} options
     * @returns {string}
     */
    walkForward(d, strategy, settings, params, constraint, names, rows, options) {
      const walk = new glue.WasmWalk(parse(strategy), parse(settings), parse(params),
        parse(constraint), parse(names), parse(rows), parse(options));
      try {
        return walk.runJson(d);
      } finally {
        walk.free();
      }
    },

    // -- portfolios (SPEC part 10) ---------------------------------------------------------
    /**
     * A universe of the given bars (copied; the handles stay the bridge's) and its union's
     * dates, `\n`-joined (validated dates hold no newline): one crossing.
     * @param {WasmMarketData[]} handles @returns {[WasmUniverse, string]}
     */
    universe(handles) {
      const assets = new glue.WasmAssets();
      try {
        for (const h of handles) assets.push(h);
      } catch (e) {
        assets.free();
        throw e;
      }
      const u = new glue.WasmUniverse(assets); // takes the assets (freed even when refused)
      return [u, u.dates().join('\n')];
    },
    /**
     * The sample universe's bars: the handles, and what the bridge's MarketData keeps of each
     * (symbols, `\n`-joined dates, bar counts, and the five columns of every asset end to end,
     * asset after asset) so that no further crossing per asset is needed.
     * @param {string[]} symbols @param {number} days @param {string} seed
     * @returns {[WasmMarketData[], string[], string[], Int32Array, Float64Array]}
     */
    sampleUniverse(symbols, days, seed) {
      /** @type {WasmMarketData[]} */
      const handles = glue.sampleUniverse(symbols, days, BigInt(seed));
      const lengths = Int32Array.from(handles, (h) => h.length);
      const columns = new Float64Array(5 * lengths.reduce((a, b) => a + b, 0));
      let o = 0;
      for (const h of handles) {
        for (const c of [h.open(), h.high(), h.low(), h.close(), h.volume()]) {
          columns.set(c, o);
          o += c.length;
        }
      }
      return [handles, handles.map((h) => h.symbol), handles.map((h) => h.dates().join('\n')),
        lengths, columns];
    },
    /**
     * One portfolio run (JSON texts in), packed by packPortfolio.
     * @param {WasmUniverse} u @param {string} strategy @param {string} settings
     * @param {string} params @returns {[Float64Array, Int32Array]}
     */
    runPortfolio: (u, strategy, settings, params) => packPortfolio(/** @type {RawPortfolio} */ (
      glue.runPortfolio(u, parse(strategy), parse(settings), parse(params)))),
    /**
     * A whole portfolio sweep as columns, packed as `sweep`'s.
     * @param {WasmUniverse} u @param {string} strategy @param {string} settings
     * @param {string} params @param {string | null} constraint @param {string | null} names
     * @param {string | null} rows
     * @returns {[string, Float64Array, Int32Array]}
     */
    portfolioSweep(u, strategy, settings, params, constraint, names, rows) {
      const sweep = new glue.WasmPortfolioSweep(u, parse(strategy), parse(settings),
        parse(params), parse(constraint), parse(names), parse(rows));
      try {
        const count = sweep.count;
        return packColumns(/** @type {Columns} */ (sweep.run(u, 0, count)), count);
      } finally {
        sweep.free();
        u.clearCache(); // each asset's series are kept on the universe for chunked sweeps
      }
    },

    /**
     * A walk-forward on a universe (SPEC part 12) as the native door's
     * `portfolio_walk_forward` output, in JSON text (each trade with its `symbol`).
     * @param {WasmUniverse} u @param {string} strategy @param {string} settings
     * @param {string} params @param {string | null} constraint @param {string | null} names
     * @param {string | null} rows @param {string} options
     * @returns {string}
     */
    portfolioWalkForward(u, strategy, settings, params, constraint, names, rows, options) {
      const walk = new glue.WasmPortfolioWalk(u, parse(strategy), parse(settings), parse(params),
        parse(constraint), parse(names), parse(rows), parse(options));
      try {
        return walk.runJson(u);
      } finally {
        walk.free();
      }
    },

    // -- live runs (SPEC part 11) ----------------------------------------------------------
    /**
     * A live run of one asset from the request's JSON texts (checked as a batch run's).
     * @param {string} strategy @param {string} settings @param {string} params
     * @param {string | undefined} symbol @param {boolean} equityCurve
     * @returns {WasmLiveRun}
     */
    liveRun: (strategy, settings, params, symbol, equityCurve) =>
      glue.WasmLiveRun.fromRequestText(strategy, settings, params, symbol, equityCurve),
    /** A live run resumed from its saved text. @param {string} text @returns {WasmLiveRun} */
    liveFromJSON: (text) => glue.WasmLiveRun.fromJSON(text),
    /**
     * The run a saved text holds, and whether it is a portfolio's.
     * @param {string} text @returns {[boolean, WasmLiveRun | WasmLivePortfolio]}
     */
    liveResume(text) {
      const run = /** @type {WasmLiveRun | WasmLivePortfolio} */ (glue.liveFromJSON(text));
      return [run instanceof glue.WasmLivePortfolio, run];
    },
    /**
     * A portfolio's live run from the request's JSON texts (the engine reads them: 100000.0
     * stays a float) and the symbols as JSON.
     * @param {string} strategy @param {string} settings @param {string} params
     * @param {string} symbols @param {boolean} equityCurve @returns {WasmLivePortfolio}
     */
    livePortfolio: (strategy, settings, params, symbols, equityCurve) =>
      glue.WasmLivePortfolio.fromRequestText(strategy, settings, params, JSON.parse(symbols),
        equityCurve),
    /**
     * One instant packed: the dates (one, or one per present asset `\n`-joined), `present`
     * one '0' / '1' per asset, then five prices per present asset; the events packed
     * (`liveNames().portfolio_stride` numbers each), or undefined when it caused none.
     * @param {WasmLivePortfolio} run @param {string} dates @param {string} present
     * @param {number[]} prices @returns {Float64Array | undefined}
     */
    livePushBars(run, dates, present, ...prices) {
      const mask = new Uint8Array(present.length);
      for (let i = 0; i < present.length; i++) mask[i] = present.charCodeAt(i) - 48;
      return run.pushBars(dates, mask, new Float64Array(prices)) === 0 ? undefined : run.events();
    },
    /**
     * One instant as JSON text, read by the engine; the events as livePushBars gives them.
     * @param {WasmLivePortfolio} run @param {string} text @returns {Float64Array | undefined}
     */
    livePushText: (run, text) => (run.pushText(text) === 0 ? undefined : run.events()),
    /**
     * One bar as its six values (one crossing, no object); the events it caused, packed
     * (`liveNames().stride` numbers each), or undefined when it caused none (most bars: then
     * nothing but the call crosses back).
     * @param {WasmLiveRun} run @param {string} date @param {number} open @param {number} high
     * @param {number} low @param {number} close @param {number} volume
     * @returns {Float64Array | undefined}
     */
    livePush: (run, date, open, high, low, close, volume) =>
      (run.push(date, open, high, low, close, volume) === 0 ? undefined : run.events()),
    /**
     * The open position's side and units, or undefined when flat.
     * @param {WasmLiveRun} run @returns {[string, number] | undefined}
     */
    livePosition(run) {
      const side = run.positionSide();
      return side === undefined ? undefined : [side, run.positionSize()];
    },
    /**
     * The batch result on the bars so far, packed as runPrepared's, and the trades' entry and
     * exit dates `\n`-joined (a live run keeps no bars to date them from).
     * @param {WasmLiveRun} run @returns {[Float64Array, string]}
     */
    liveResult(run) {
      const out = /** @type {RawLiveOutput} */ (run.result());
      return [packRun(out), out.trade_dates.join('\n')];
    },
    /** The tables a push's packed events index (`{stride, kinds, sides, reasons}`), as JSON. */
    liveNames: () => JSON.stringify(glue.liveNames()),

    /**
     * Every output of an indicator, packed one after another (the bridge splits them).
     * @param {string} name @param {string} params @param {Float64Array | null} source
     * @param {Float64Array | null} high @param {Float64Array | null} low
     * @param {Float64Array | null} close
     * @returns {[number, Float64Array]}
     */
    indicator(name, params, source, high, low, close) {
      /** @type {Float64Array[]} */
      const outs = glue.indicator(name, parse(params), source ?? EMPTY, high ?? EMPTY,
        low ?? EMPTY, close ?? EMPTY);
      const n = outs.length ? outs[0].length : 0;
      const packed = new Float64Array(n * outs.length);
      outs.forEach((o, i) => packed.set(o, i * n));
      return [outs.length, packed];
    },
  };
}
