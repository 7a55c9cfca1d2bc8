// quant-backtest, browser and bundler entry: `await init()` once, then the same API as in Node.
// Single backtests run on the calling thread; grids and async backtests run in a module Worker
// (engine-worker.js), so the page never blocks. That Worker loads the threaded build (rayon on
// Web Workers, wasm-bindgen-rayon) when the page is cross-origin isolated and the browser has
// wasm threads, and the single-threaded build otherwise; the answers are the same either way.
import initWasm, * as raw from './wasm/quant_backtest.js';
import * as core from './core.js';
import * as strategyModule from './strategy.js';
import * as indicatorsModule from './indicators.js';

const { asBacktestError, markReady, setup, snapshot } = core;

/** Chunks a grid is cut into inside the Worker: the granularity of progress reports. */
const GRID_CHUNKS = 20;
/** [start, end) ranges of `total` rows, GRID_CHUNKS of them (fewer for small jobs). @param {number} total @returns {[number, number][]} */
function ranges(total) {
  const n = Math.max(1, Math.min(total, GRID_CHUNKS));
  return Array.from({ length: n }, (_, i) => /** @type {[number, number]} */ ([Math.floor((i * total) / n), Math.floor(((i + 1) * total) / n)]));
}

/** Data sets the Worker keeps (by fingerprint; this side decides which it drops). */
const KEPT_DATA = 4;

/**
 * The engine Worker of one engine: a single module Worker whose own build may be threaded.
 * `ready` resolves with its info; `pairs`, `sweep`, `portfolioSweep`, `backtest`, `walk`, ... send work;
 * `close` terminates it.
 */
class BrowserPool {
  constructor() {
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: any) => void, onProgress?: (done: number, total: number) => void, total: number }>} */
    this.pending = new Map();
    this.nextId = 1;
    this.nextJob = 1;
    /** @type {Set<string>} fingerprints of the bars the Worker holds */
    this.known = new Set();
    /** @type {{ build: 'threaded' | 'single-threaded', threads: number } | undefined} */
    this.info = undefined;
    this.worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module', name: 'quant-backtest engine' });
    /** @type {Promise<void>} */
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(`quant-backtest: the engine Worker failed: ${event.message ?? 'unknown error'}`));
    };
  }

  /** @param {any} msg */
  onMessage(msg) {
    if (msg.type === 'ready') {
      this.info = msg.info;
      this.readyResolve?.();
      return;
    }
    if (msg.type === 'failed') {
      this.fail(new Error(`quant-backtest: the engine Worker could not start: ${msg.message}`));
      return;
    }
    const task = this.pending.get(msg.id);
    if (!task) return;
    if (msg.type === 'progress') {
      task.onProgress?.(msg.done, task.total);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) task.resolve(msg);
    else task.reject(asBacktestError(Object.assign(new Error(msg.error.message), msg.error)));
  }

  /** @param {Error} error */
  fail(error) {
    this.readyReject?.(error);
    for (const task of this.pending.values()) task.reject(error);
    this.pending.clear();
    this.worker.terminate();
  }

  /** @param {Record<string, any>} task @param {any} md @param {number} total @param {any} [onProgress] */
  async send(task, md, total, onProgress) {
    await this.ready;
    const id = this.nextId++;
    const fingerprint = md.fingerprint;
    /** @type {Record<string, any>} */
    const msg = { id, fingerprint, ...task };
    if (this.known.has(fingerprint)) {
      this.known.delete(fingerprint); // most recently used last
    } else {
      msg.data = snapshot(md).columns;
      msg.drop = [];
      while (this.known.size >= KEPT_DATA) {
        const oldest = /** @type {string} */ (this.known.values().next().value);
        this.known.delete(oldest);
        msg.drop.push(oldest);
      }
    }
    this.known.add(fingerprint);
    return this.post(msg, total, onProgress);
  }

  /** Posts one message; resolves with the Worker's reply. @param {Record<string, any>} msg @param {number} total @param {any} [onProgress] @returns {Promise<any>} */
  post(msg, total, onProgress) {
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject, onProgress, total });
      this.worker.postMessage(msg);
    });
  }

  /**
   * One portfolio run in the Worker (`runPortfolio`'s output); the bars of every asset go along.
   * @param {import('./protocol.js').Columns[]} assets @param {{ strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} request
   */
  async portfolio(assets, request) {
    await this.ready;
    const msg = await this.post({ id: this.nextId++, fingerprint: '', kind: 'portfolio', assets, ...request }, 1);
    return msg.value;
  }

  /** @param {any} md @param {number} fast @param {number} slow @param {any[]} settings */
  async backtest(md, fast, slow, settings) {
    const msg = await this.send({ kind: 'backtest', fast, slow, settings }, md, 1);
    return msg.value;
  }

  /** @param {any} md @param {{ strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} request */
  async strategy(md, request) {
    const msg = await this.send({ kind: 'strategy', ...request }, md, 1);
    return msg.value;
  }

  /** One walk-forward in the Worker. @param {any} md @param {import('./protocol.js').WalkRequest} request */
  async walk(md, request) {
    const msg = await this.send({ kind: 'walk', request }, md, 1);
    return msg.value;
  }

  /**
   * One walk-forward on a universe in the Worker; the bars of every asset go along.
   * @param {import('./protocol.js').Columns[]} assets @param {import('./protocol.js').WalkRequest} request
   */
  async portfolioWalk(assets, request) {
    await this.ready;
    const msg = await this.post({ id: this.nextId++, fingerprint: '', kind: 'portfolioWalk', assets, request }, 1);
    return msg.value;
  }

  /**
   * @param {any} md @param {Uint32Array} fast @param {Uint32Array} slow @param {any[]} settings
   * @param {boolean} details @param {number} _workers @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<import('./protocol.js').ChunkOutput[]>}
   */
  async pairs(md, fast, slow, settings, details, _workers, { onProgress } = {}) {
    const total = fast.length;
    const task = { kind: 'pairs', grid: this.nextJob++, fast, slow, settings, details, ranges: ranges(total) };
    const msg = await this.send(task, md, total, onProgress);
    return msg.value;
  }

  /**
   * Rows [0, total) of a planned sweep, in ranges inside the Worker (it builds its own WasmSweep).
   * @param {any} md @param {import('./protocol.js').SweepRequest} request @param {number} total @param {number} _workers
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<import('./protocol.js').ChunkOutput[]>}
   */
  async sweep(md, request, total, _workers, { onProgress } = {}) {
    const task = { kind: 'sweep', sweep: this.nextJob++, request, ranges: ranges(total) };
    const msg = await this.send(task, md, total, onProgress);
    return msg.value;
  }

  /**
   * Rows [0, total) of a planned portfolio sweep, in ranges inside the Worker; the universe's
   * bars go along once (the Worker builds its own universe and WasmPortfolioSweep).
   * @param {import('./protocol.js').Columns[]} assets @param {import('./protocol.js').SweepRequest} request
   * @param {number} total @param {number} _workers @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<import('./protocol.js').ChunkOutput[]>}
   */
  async portfolioSweep(assets, request, total, _workers, { onProgress } = {}) {
    await this.ready;
    const msg = { id: this.nextId++, fingerprint: '', kind: 'portfolioSweep', sweep: this.nextJob++, request, assets, ranges: ranges(total) };
    return (await this.post(msg, total, onProgress)).value;
  }

  async close() {
    this.fail(new Error('quant-backtest: the engine was closed while this call was running'));
  }
}

setup({
  raw,
  platform: 'browser',
  defaultWorkers: () => 1,
  // Without Worker (an old runtime, a test DOM), everything runs on the calling thread.
  createPool: typeof Worker === 'function' ? () => new BrowserPool() : null,
  poolForAll: typeof Worker === 'function',
  notReady: "quant-backtest is not initialised yet: `await init()` (import init from 'quant-backtest') before using it",
});

// Local bindings, not re-exports: with `sideEffects: false` a bundler may skip a module that only
// re-exports, and with it the set-up above.
export const { BacktestError, BacktestResult, CachedRustEngine, LivePortfolioRun, LiveRun, MarketData, PortfolioResult, RustEngine, StrategyResult, Universe, WalkForwardResult, benchmarkEngine, catalog, createEngine, generateSampleData, generateSampleUniverse } = core;
/** The strategy builder (`strategy.sma(10).crossesAbove(strategy.sma(30))`, `new strategy.Strategy({...})`). */
export const strategy = strategyModule;
/** Indicators over arrays (`indicators.rsi(close, 14)`) and streaming (`new indicators.RSI(14)`). */
export const indicators = indicatorsModule;
/** The engine's version ('' until `init()` has resolved). */
export let version = '';

/** @type {Promise<void> | undefined} */
let ready;

/**
 * Loads and instantiates the WebAssembly module; call (and await) it once before anything
 * else. Idempotent: later calls return the same promise. By default the `.wasm` file is
 * fetched from next to this module (`new URL('./wasm/quant_backtest_bg.wasm', import.meta.url)`,
 * which bundlers such as Vite, webpack 5 and Rollup resolve); pass a URL, a Response, bytes or
 * a compiled `WebAssembly.Module` to load it from elsewhere.
 * @param {unknown} [input]
 * @returns {Promise<void>}
 */
export function init(input) {
  if (ready === undefined) {
    const wrapped = input !== null && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype && 'module_or_path' in input;
    const arg = input === undefined || wrapped ? input : { module_or_path: input };
    ready = initWasm(/** @type {any} */ (arg)).then(
      () => {
        markReady();
        version = core.version;
      },
      (e) => {
        ready = undefined; // a failed load may be retried
        throw e;
      },
    );
  }
  return ready;
}
export default init;
