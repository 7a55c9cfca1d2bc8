// quant-backtest: the ONE worker protocol, shared by the Node pool's worker threads
// (node-worker.js) and the browser's engine Worker (engine-worker.js). The main thread plans the
// work (core.js: grids with `planGrid`, sweeps with `new WasmSweep(...)` or, on a universe,
// `new WasmPortfolioSweep(...)`), cuts it into row
// ranges [start, end) and sends tasks; a worker runs the ranges of a task in order, posting
// progress after each, and answers with one output per range. Node sends one range per message
// (chunks handed out as workers free up); the single browser Worker gets all ranges at once.
// A walk-forward (one asset's, or a universe's) is one task, planned again in the worker.

/**
 * The bars a worker keeps, by fingerprint (the sender decides which it drops).
 * @typedef {{ symbol: string, dates: readonly string[], open: Float64Array, high: Float64Array,
 *   low: Float64Array, close: Float64Array, volume: Float64Array }} Columns
 * @typedef {[number, number, string, number, number]} SeedSettings initial_capital, commission_rate, fill, lot_size, periods_per_year
 * @typedef {{ kind: 'backtest', fast: number, slow: number, settings: SeedSettings }} BacktestTask
 * @typedef {{ kind: 'pairs', grid: number, fast: Uint32Array, slow: Uint32Array, settings: SeedSettings,
 *   details: boolean, ranges: [number, number][] }} PairsTask
 * @typedef {{ strategy: any, settings: Record<string, unknown>, params: Record<string, unknown>,
 *   constraint: any, names?: string[], rows?: unknown[][] }} SweepRequest the wire values (snake_case), as `new WasmSweep` takes them
 * @typedef {{ kind: 'sweep', sweep: number, request: SweepRequest, ranges: [number, number][] }} SweepTask
 * @typedef {{ kind: 'strategy', strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} StrategyTask one `runStrategy`
 * @typedef {{ kind: 'portfolio', assets: Columns[], strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} PortfolioTask
 *   one `runPortfolio`; the universe's bars go along every time (a worker keeps none of them)
 * @typedef {{ kind: 'portfolioSweep', sweep: number, request: SweepRequest, assets?: Columns[], ranges: [number, number][] }} PortfolioSweepTask
 *   ranges of a portfolio sweep; `assets` (the universe's bars) go along with a worker's first
 *   chunk of the sweep only: it keeps that universe and plan until a task of another job arrives
 * @typedef {SweepRequest & { options: Record<string, unknown> }} WalkRequest a sweep's request and the walk's options (snake_case), as `new WasmWalk` takes them
 * @typedef {{ kind: 'walk', request: WalkRequest }} WalkTask one whole walk-forward on the bars (`WasmWalk.run`'s output)
 * @typedef {{ kind: 'portfolioWalk', assets: Columns[], request: WalkRequest }} PortfolioWalkTask
 *   one whole walk-forward on a universe (`WasmPortfolioWalk.run`'s output); its bars go along
 *   every time, as a PortfolioTask's
 * @typedef {BacktestTask | StrategyTask | PairsTask | SweepTask | PortfolioTask | PortfolioSweepTask | WalkTask | PortfolioWalkTask} Task
 * @typedef {Task & { id: number, fingerprint: string, data?: Columns, drop?: string[] }} Request main thread -> worker
 * @typedef {{ value: any, ms: number, count: number }} ChunkOutput
 * @typedef {{ type: 'ready', info: { build: 'threaded' | 'single-threaded', threads: number } }} ReadyReply
 * @typedef {{ type: 'failed', message: string }} FailedReply
 * @typedef {{ type: 'progress', id: number, done: number }} ProgressReply rows done so far in this task
 * @typedef {{ type: 'result', id: number, ok: true, value: any, ms: number }} OkReply `value`: the backtest's packed arrays, runStrategy's output, or one ChunkOutput per range
 * @typedef {{ type: 'result', id: number, ok: false, error: { name: string, message: string, code?: string } }} ErrorReply
 * @typedef {ReadyReply | FailedReply | ProgressReply | OkReply | ErrorReply} Reply worker -> main thread
 */

/**
 * A worker's state: its bars, and the grid / sweep whose indicators each data set holds.
 * @param {any} engine the wasm-bindgen exports this worker runs
 */
export function workerState(engine) {
  return {
    engine,
    /** @type {Map<string, any>} */
    datasets: new Map(),
    /** @type {Map<string, string>} fingerprint -> the grid/sweep whose series the bars cache */
    lastJob: new Map(),
    /** @type {{ id: number, plan: any } | null} the sweep planned here last (rebuilt per sweep) */
    sweep: null,
    /** @type {{ id: number, universe: any, plan: any } | null} the portfolio sweep running here (its universe built from the bars sent) */
    portfolioSweep: null,
  };
}

/** Frees the portfolio sweep a worker keeps (its universe and its series). @param {ReturnType<typeof workerState>} st */
function dropPortfolioSweep(st) {
  st.portfolioSweep?.plan.free();
  st.portfolioSweep?.universe.free();
  st.portfolioSweep = null;
}

/**
 * Runs one request; `post` sends progress. Throws what the engine throws.
 * @param {ReturnType<typeof workerState>} st @param {Request} msg @param {(reply: Reply) => void} post
 * @returns {{ value: any, ms: number }}
 */
export function runTask(st, msg, post) {
  const { engine, datasets, lastJob } = st;
  for (const fp of msg.drop ?? []) {
    datasets.get(fp)?.free();
    datasets.delete(fp);
    lastJob.delete(fp);
  }
  // A worker keeps one portfolio sweep's universe, for that sweep's chunks only.
  if (msg.kind !== 'portfolioSweep' || msg.sweep !== st.portfolioSweep?.id) dropPortfolioSweep(st);
  if (msg.kind === 'portfolio') return runPortfolioTask(engine, msg);
  if (msg.kind === 'portfolioWalk') return runPortfolioWalkTask(engine, msg);
  if (msg.kind === 'portfolioSweep') return runPortfolioSweepTask(st, msg, post);
  if (msg.data) {
    const d = msg.data;
    datasets.get(msg.fingerprint)?.free();
    datasets.set(msg.fingerprint, new engine.WasmMarketData(d.symbol, d.dates, d.open, d.high, d.low, d.close, d.volume));
  }
  const data = datasets.get(msg.fingerprint);
  if (!data) throw new Error(`no bars with fingerprint ${msg.fingerprint} in this worker`);
  const t0 = performance.now();
  if (msg.kind === 'backtest') {
    const s = msg.settings;
    return { value: engine.backtestPacked(data, msg.fast, msg.slow, s[0], s[1], s[2], s[3], s[4]), ms: performance.now() - t0 };
  }
  if (msg.kind === 'strategy') {
    return { value: engine.runStrategy(data, msg.strategy, msg.settings, msg.params), ms: performance.now() - t0 };
  }
  if (msg.kind === 'walk') return { value: runWalk(engine, data, msg.request), ms: performance.now() - t0 };
  // The chunks of one grid or sweep share its indicator series (computed once here); a new job starts afresh.
  const job = `${msg.kind}:${msg.kind === 'pairs' ? msg.grid : msg.sweep}`;
  if (lastJob.get(msg.fingerprint) !== job) {
    data.clearSmaCache();
    lastJob.set(msg.fingerprint, job);
  }
  /** @type {(a: number, b: number) => any} */
  let runRange;
  if (msg.kind === 'pairs') {
    const s = msg.settings;
    runRange = (a, b) => engine.runPairs(data, msg.fast.subarray(a, b), msg.slow.subarray(a, b), s[0], s[1], s[2], s[3], s[4], msg.details);
  } else {
    if (st.sweep === null || st.sweep.id !== msg.sweep) {
      st.sweep?.plan.free();
      st.sweep = null;
      const r = msg.request;
      st.sweep = { id: msg.sweep, plan: new engine.WasmSweep(r.strategy, r.settings, r.params, r.constraint, r.names, r.rows) };
    }
    const plan = st.sweep.plan;
    runRange = (a, b) => plan.run(data, a, b);
  }
  return runRanges(msg, runRange, post, t0);
}

/**
 * One walk-forward on `data`, planned here from the request (the main thread has checked it and
 * the bars first).
 * @param {any} engine @param {any} data @param {WalkRequest} r @returns {any}
 */
function runWalk(engine, data, r) {
  const plan = new engine.WasmWalk(r.strategy, r.settings, r.params, r.constraint, r.names, r.rows, r.options);
  try {
    return plan.run(data);
  } finally {
    plan.free();
  }
}

/**
 * The ranges of a task in order, progress posted after each when there are several.
 * @param {{ id: number, ranges: [number, number][] }} msg @param {(a: number, b: number) => any} runRange
 * @param {(reply: Reply) => void} post @param {number} t0 @returns {{ value: ChunkOutput[], ms: number }}
 */
function runRanges(msg, runRange, post, t0) {
  /** @type {ChunkOutput[]} */
  const out = [];
  let done = 0;
  for (const [a, b] of msg.ranges) {
    const t = performance.now();
    out.push({ value: runRange(a, b), ms: performance.now() - t, count: b - a });
    done += b - a;
    if (msg.ranges.length > 1) post({ type: 'progress', id: msg.id, done });
  }
  return { value: out, ms: performance.now() - t0 };
}

/**
 * A universe built here from bars sent (the asset handles are freed at once: it holds copies).
 * @param {any} engine @param {Columns[]} assets @returns {any} a WasmUniverse
 */
function universeFrom(engine, assets) {
  const handles = assets.map((d) => new engine.WasmMarketData(d.symbol, d.dates, d.open, d.high, d.low, d.close, d.volume));
  try {
    const collected = new engine.WasmAssets();
    for (const h of handles) collected.push(h);
    return new engine.WasmUniverse(collected);
  } finally {
    for (const h of handles) h.free();
  }
}

/**
 * One portfolio run on a universe built here from the task's bars (freed afterwards).
 * @param {any} engine @param {PortfolioTask} msg @returns {{ value: any, ms: number }}
 */
function runPortfolioTask(engine, msg) {
  const t0 = performance.now();
  const universe = universeFrom(engine, msg.assets);
  try {
    return { value: engine.runPortfolio(universe, msg.strategy, msg.settings, msg.params), ms: performance.now() - t0 };
  } finally {
    universe.free();
  }
}

/**
 * One walk-forward on a universe built here from the task's bars, planned here from the
 * request (the main thread has checked it and the union's length first); both freed afterwards.
 * @param {any} engine @param {PortfolioWalkTask} msg @returns {{ value: any, ms: number }}
 */
function runPortfolioWalkTask(engine, msg) {
  const t0 = performance.now();
  const universe = universeFrom(engine, msg.assets);
  try {
    const r = msg.request;
    const plan = new engine.WasmPortfolioWalk(universe, r.strategy, r.settings, r.params, r.constraint, r.names, r.rows, r.options);
    try {
      return { value: plan.run(universe), ms: performance.now() - t0 };
    } finally {
      plan.free();
    }
  } finally {
    universe.free();
  }
}

/**
 * Ranges of a portfolio sweep: its first chunk here brings the bars (the universe and plan are
 * built then, and kept with the series they compute for the sweep's later chunks).
 * @param {ReturnType<typeof workerState>} st @param {PortfolioSweepTask & { id: number }} msg @param {(reply: Reply) => void} post
 * @returns {{ value: ChunkOutput[], ms: number }}
 */
function runPortfolioSweepTask(st, msg, post) {
  const t0 = performance.now();
  if (msg.assets) {
    dropPortfolioSweep(st);
    const universe = universeFrom(st.engine, msg.assets);
    const r = msg.request;
    try {
      const plan = new st.engine.WasmPortfolioSweep(universe, r.strategy, r.settings, r.params, r.constraint, r.names, r.rows);
      st.portfolioSweep = { id: msg.sweep, universe, plan };
    } catch (e) {
      universe.free();
      throw e;
    }
  }
  const kept = st.portfolioSweep;
  if (kept === null || kept.id !== msg.sweep) throw new Error(`no universe for portfolio sweep ${msg.sweep} in this worker`);
  return runRanges(msg, (a, b) => kept.plan.run(kept.universe, a, b), post, t0);
}

/** The buffers of the typed arrays in a value, to transfer instead of copying. @param {any} value */
export function transferables(value) {
  /** @type {Set<ArrayBuffer>} */
  const out = new Set();
  /** @param {any} v */
  const walk = (v) => {
    if (ArrayBuffer.isView(v)) out.add(/** @type {ArrayBuffer} */ (v.buffer));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out];
}

/**
 * The reply to a request (the engine's refusals keep their name, message and code).
 * @param {ReturnType<typeof workerState>} st @param {Request} msg @param {(reply: Reply) => void} post
 * @returns {[Reply, ArrayBuffer[]]}
 */
export function answer(st, msg, post) {
  try {
    const { value, ms } = runTask(st, msg, post);
    return [{ type: 'result', id: msg.id, ok: true, value, ms }, transferables(value)];
  } catch (e) {
    const err = /** @type {any} */ (e);
    return [{ type: 'result', id: msg.id, ok: false, error: { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), code: err?.code } }, []];
  }
}
