// quant-backtest, Node entry: ready on import (no init call), grids on a pool of worker_threads.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { webcrypto } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import * as raw from './wasm/quant_backtest.js';
import * as core from './core.js';
import * as strategyModule from './strategy.js';
import * as indicatorsModule from './indicators.js';

const { asBacktestError, markReady, setup, snapshot } = core;

// Compiled once; the same WebAssembly.Module goes to every worker thread.
const wasmModule = new WebAssembly.Module(readFileSync(new URL('./wasm/quant_backtest_bg.wasm', import.meta.url)));
raw.initSync({ module: wasmModule });

const WORKER_URL = new URL('./node-worker.js', import.meta.url);
/** Chunks per worker in a grid: contiguous runs of pairs, handed out as workers free up. */
const CHUNKS_PER_WORKER = 4;
/** Data sets a worker keeps (by fingerprint) for later calls. */
const KEPT_DATA = 4;

/** The parent's Node flags, less those that only make sense for `--eval` input (they would stop a worker from loading). */
function workerExecArgv() {
  const out = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input-type') i++;
    else if (!args[i].startsWith('--input-type=')) out.push(args[i]);
  }
  return out;
}

function defaultWorkers() {
  return typeof availableParallelism === 'function' ? availableParallelism() : Math.max(1, cpus().length);
}

/**
 * A pool of worker threads, each with its own instance of the wasm engine. Workers are made on
 * first need, unref'd while idle (so a script can exit), reused, and terminated by `close()`.
 * A worker that dies rejects what it was running and is replaced on the next call.
 */
class NodePool {
  /** @type {Slot[]} */
  slots = [];
  nextId = 1;
  nextGrid = 1;

  /** @returns {Slot} */
  spawn() {
    const worker = new Worker(WORKER_URL, { workerData: { module: wasmModule }, execArgv: workerExecArgv() });
    worker.unref();
    /** @type {Slot} */
    const slot = { worker, pending: new Map(), known: new Map(), portfolioSweep: null, gone: false };
    worker.on('message', (msg) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.retire(slot, new Error(`quant-backtest: a worker thread crashed: ${err?.message ?? err}`, { cause: err })));
    worker.on('exit', (code) => this.retire(slot, new Error(`quant-backtest: a worker thread exited unexpectedly (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }

  /**
   * The `n` least busy workers, making new ones (up to `cap` in all) rather than queueing.
   * @param {number} n @param {number} cap @returns {Slot[]}
   */
  pick(n, cap) {
    const idle = this.slots.filter((s) => s.pending.size === 0);
    while (idle.length < n && this.slots.length < Math.max(n, cap)) idle.push(this.spawn());
    if (idle.length >= n) return idle.slice(0, n);
    const busy = this.slots.filter((s) => s.pending.size > 0).sort((a, b) => a.pending.size - b.pending.size);
    return idle.concat(busy).slice(0, n);
  }

  /**
   * Sends one task; the data goes along only if the worker does not have it yet.
   * @param {Slot} slot @param {Record<string, any>} task @param {DataRef} data @returns {Promise<any>}
   */
  send(slot, task, data) {
    if (slot.gone) return Promise.reject(new Error('quant-backtest: the worker thread is gone'));
    const id = this.nextId++;
    /** @type {Record<string, any>} */
    const msg = { id, fingerprint: data.get().fingerprint, ...task };
    if (slot.known.has(msg.fingerprint)) {
      slot.known.delete(msg.fingerprint); // most recently used last
    } else {
      msg.data = data.get().columns;
      msg.drop = [];
      while (slot.known.size >= KEPT_DATA) {
        const oldest = /** @type {string} */ (slot.known.keys().next().value);
        slot.known.delete(oldest);
        msg.drop.push(oldest);
      }
    }
    slot.known.set(msg.fingerprint, true);
    return this.post(slot, msg);
  }

  /** Posts one message; resolves with the worker's reply. @param {Slot} slot @param {Record<string, any>} msg @returns {Promise<any>} */
  post(slot, msg) {
    // The worker keeps a portfolio sweep's universe until a task of another job: so does this record.
    slot.portfolioSweep = msg.kind === 'portfolioSweep' ? msg.sweep : null;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref(); // keep the process alive while it works
      slot.pending.set(msg.id, { resolve, reject });
      slot.worker.postMessage(msg);
    });
  }

  /** @param {Slot} slot @param {any} msg */
  onMessage(slot, msg) {
    if (msg.type !== 'result') return; // Node sends one range per task: no progress replies
    const task = slot.pending.get(msg.id);
    if (!task) return;
    slot.pending.delete(msg.id);
    if (slot.pending.size === 0 && !slot.gone) slot.worker.unref();
    if (msg.ok) {
      task.resolve(msg);
      return;
    }
    const error = asBacktestError(msg.error);
    if (error === msg.error) {
      // Not an engine refusal: the worker's wasm instance may be broken; replace the worker.
      const e = new Error(`quant-backtest: a worker thread failed: ${msg.error.name}: ${msg.error.message}`);
      task.reject(e);
      this.retire(slot, e);
      void slot.worker.terminate();
      return;
    }
    task.reject(error);
  }

  /** Takes a worker out of the pool and rejects its pending tasks. @param {Slot} slot @param {Error} error */
  retire(slot, error) {
    if (!slot.gone) {
      slot.gone = true;
      this.slots = this.slots.filter((s) => s !== slot);
    }
    for (const task of slot.pending.values()) task.reject(error);
    slot.pending.clear();
  }

  /**
   * One backtest on one worker.
   * @param {any} md @param {number} fast @param {number} slow @param {any[]} settings @param {number} cap
   */
  async backtest(md, fast, slow, settings, cap) {
    const [slot] = this.pick(1, cap);
    const msg = await this.send(slot, { kind: 'backtest', fast, slow, settings }, dataRef(md));
    return msg.value;
  }

  /**
   * One strategy backtest on one worker (`runStrategy`'s output).
   * @param {any} md @param {{ strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} request @param {number} cap
   */
  async strategy(md, request, cap) {
    const [slot] = this.pick(1, cap);
    const msg = await this.send(slot, { kind: 'strategy', ...request }, dataRef(md));
    return msg.value;
  }

  /**
   * One walk-forward on one worker (`WasmWalk.run`'s output).
   * @param {any} md @param {import('./protocol.js').WalkRequest} request @param {number} cap
   */
  async walk(md, request, cap) {
    const [slot] = this.pick(1, cap);
    const msg = await this.send(slot, { kind: 'walk', request }, dataRef(md));
    return msg.value;
  }

  /**
   * One walk-forward on a universe on one worker (`WasmPortfolioWalk.run`'s output); the bars
   * of every asset go along.
   * @param {import('./protocol.js').Columns[]} assets @param {import('./protocol.js').WalkRequest} request @param {number} cap
   */
  async portfolioWalk(assets, request, cap) {
    const [slot] = this.pick(1, cap);
    if (slot.gone) throw new Error('quant-backtest: the worker thread is gone');
    const msg = await this.post(slot, { id: this.nextId++, fingerprint: '', kind: 'portfolioWalk', assets, request });
    return msg.value;
  }

  /**
   * One portfolio run on one worker (`runPortfolio`'s output); the bars of every asset go along.
   * @param {import('./protocol.js').Columns[]} assets @param {{ strategy: any, settings: Record<string, unknown>, params: Record<string, unknown> }} request @param {number} cap
   */
  async portfolio(assets, request, cap) {
    const [slot] = this.pick(1, cap);
    if (slot.gone) throw new Error('quant-backtest: the worker thread is gone');
    const msg = await this.post(slot, { id: this.nextId++, fingerprint: '', kind: 'portfolio', assets, ...request });
    return msg.value;
  }

  /**
   * Planned pairs, split in contiguous chunks over `workers` threads; chunk outputs in order.
   * @param {any} md @param {Uint32Array} fast @param {Uint32Array} slow @param {any[]} settings
   * @param {boolean} details @param {number} workers
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<ChunkOutput[]>}
   */
  pairs(md, fast, slow, settings, details, workers, { onProgress } = {}) {
    const grid = this.nextGrid++; // a worker keeps a grid's SMAs across its chunks
    /** @type {(a: number, b: number) => import('./protocol.js').Task} */
    const task = (a, b) => ({ kind: 'pairs', grid, fast: fast.slice(a, b), slow: slow.slice(a, b), settings: /** @type {any} */ (settings), details, ranges: [[0, b - a]] });
    return this.chunkedOn(md, fast.length, workers, task, onProgress);
  }

  /**
   * Rows [0, total) of a planned sweep (each worker builds its own WasmSweep from `request`).
   * @param {any} md @param {import('./protocol.js').SweepRequest} request @param {number} total @param {number} workers
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<ChunkOutput[]>}
   */
  sweep(md, request, total, workers, { onProgress } = {}) {
    const sweep = this.nextGrid++;
    /** @type {(a: number, b: number) => import('./protocol.js').Task} */
    const task = (a, b) => ({ kind: 'sweep', sweep, request, ranges: [[a, b]] });
    return this.chunkedOn(md, total, workers, task, onProgress);
  }

  /**
   * Rows [0, total) of a planned portfolio sweep: the universe's bars go to each worker with
   * its first chunk only (it builds its own universe and WasmPortfolioSweep, and keeps them
   * for its later chunks).
   * @param {import('./protocol.js').Columns[]} assets @param {import('./protocol.js').SweepRequest} request
   * @param {number} total @param {number} workers
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   * @returns {Promise<ChunkOutput[]>}
   */
  portfolioSweep(assets, request, total, workers, { onProgress } = {}) {
    const sweep = this.nextGrid++;
    /** @type {(slot: Slot, a: number, b: number) => Promise<any>} */
    const run = (slot, a, b) => {
      if (slot.gone) return Promise.reject(new Error('quant-backtest: the worker thread is gone'));
      /** @type {Record<string, any>} */
      const msg = { id: this.nextId++, fingerprint: '', kind: 'portfolioSweep', sweep, request, ranges: [[a, b]] };
      if (slot.portfolioSweep !== sweep) msg.assets = assets;
      return this.post(slot, msg);
    };
    return this.chunked(total, workers, run, onProgress);
  }

  /**
   * `chunked` with tasks on one data set (sent to a worker only if it does not have it yet).
   * @param {any} md @param {number} total @param {number} workers
   * @param {(a: number, b: number) => import('./protocol.js').Task} makeTask
   * @param {((done: number, total: number) => void) | undefined} onProgress
   * @returns {Promise<ChunkOutput[]>}
   */
  chunkedOn(md, total, workers, makeTask, onProgress) {
    const data = dataRef(md);
    data.get(); // copy the bars now, while the caller still holds them
    return this.chunked(total, workers, (slot, a, b) => this.send(slot, makeTask(a, b), data), onProgress);
  }

  /**
   * Rows [0, total) in contiguous chunks over `workers` threads, handed out as workers free
   * up (`run` sends one to a worker); one output per chunk, in row order.
   * @param {number} total @param {number} workers
   * @param {(slot: Slot, a: number, b: number) => Promise<any>} run
   * @param {((done: number, total: number) => void) | undefined} onProgress
   * @returns {Promise<ChunkOutput[]>}
   */
  chunked(total, workers, run, onProgress) {
    const chunks = Math.max(1, Math.min(total, workers * CHUNKS_PER_WORKER));
    const bounds = Array.from({ length: chunks + 1 }, (_, i) => Math.floor((i * total) / chunks));
    const slots = this.pick(workers, workers);
    return new Promise((resolve, reject) => {
      /** @type {ChunkOutput[]} */
      const out = new Array(chunks);
      let next = 0;
      let done = 0;
      let rowsDone = 0;
      let failed = false;
      /** @param {Slot} slot */
      const feed = (slot) => {
        if (failed || next >= chunks) return;
        const i = next++;
        const [a, b] = [bounds[i], bounds[i + 1]];
        run(slot, a, b).then(
          (msg) => {
            out[i] = { value: msg.value[0].value, ms: msg.ms, count: b - a };
            rowsDone += b - a;
            onProgress?.(rowsDone, total);
            if (++done === chunks) resolve(out);
            else feed(slot);
          },
          (err) => {
            if (!failed) {
              failed = true;
              reject(err);
            }
          },
        );
      };
      for (const slot of slots) feed(slot);
    });
  }

  async close() {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(
      slots.map((slot) => {
        this.retire(slot, new Error('quant-backtest: the engine was closed while this call was running'));
        return slot.worker.terminate();
      }),
    );
  }
}

/** @param {any} md @returns {DataRef} the bars to send, copied from the engine once per call */
function dataRef(md) {
  /** @type {ReturnType<typeof snapshot> | null} */
  let snap = null;
  return { get: () => (snap ??= snapshot(md)) };
}

setup({
  raw,
  platform: 'node',
  defaultWorkers,
  createPool: () => new NodePool(),
  getRandomValues: (bytes) => webcrypto.getRandomValues(bytes),
});
markReady();

// Local bindings, not re-exports: with `sideEffects: false` a bundler may skip a module that only
// re-exports, and with it the set-up above.
export const { BacktestError, BacktestResult, CachedRustEngine, LivePortfolioRun, LiveRun, MarketData, PortfolioResult, RustEngine, StrategyResult, Universe, WalkForwardResult, benchmarkEngine, catalog, createEngine, generateSampleData, generateSampleUniverse } = core;
/** The strategy builder (`strategy.sma(10).crossesAbove(strategy.sma(30))`, `new strategy.Strategy({...})`). */
export const strategy = strategyModule;
/** Indicators over arrays (`indicators.rsi(close, 14)`) and streaming (`new indicators.RSI(14)`). */
export const indicators = indicatorsModule;
/** The engine's version. */
export const version = core.version;

/**
 * Nothing to do in Node (the engine is ready on import); here so that code written for
 * browsers (`await init()`) runs unchanged.
 * @param {unknown} [_input]
 * @returns {Promise<void>}
 */
export function init(_input) {
  return Promise.resolve();
}
export default init;

/**
 * @typedef {{ worker: Worker, pending: Map<number, { resolve: (v: any) => void, reject: (e: any) => void }>,
 *   known: Map<string, true>, portfolioSweep: number | null, gone: boolean }} Slot
 *   `portfolioSweep`: the portfolio sweep whose universe the worker holds
 * @typedef {{ get: () => ReturnType<typeof snapshot> }} DataRef
 * @typedef {import('./protocol.js').ChunkOutput} ChunkOutput
 */
