// quant-backtest: one worker thread of the Node pool (see node.js). It runs its own instance of
// the wasm engine from the WebAssembly.Module the main thread compiled, keeps the bars it has
// been sent (by fingerprint, as the main thread tells it), and runs backtests or chunks of a grid.
import { parentPort, workerData } from 'node:worker_threads';
import { initSync, WasmMarketData, backtestPacked, runPairs } from './wasm/quant_backtest.js';

initSync({ module: workerData.module });

/** @type {Map<string, WasmMarketData>} */
const datasets = new Map();
/** @type {Map<string, number>} the grid whose SMAs each data set holds */
const lastGrid = new Map();

/** Buffers of the typed arrays in a result, to transfer instead of copying. @param {any} value */
function transferables(value) {
  if (ArrayBuffer.isView(value)) return [value.buffer];
  if (Array.isArray(value)) return value.map((r) => r.equityCurve.buffer);
  const out = [];
  for (const col of Object.values(value)) if (ArrayBuffer.isView(col)) out.push(col.buffer);
  return out;
}

/** @param {any} msg */
function handle(msg) {
  for (const fp of msg.drop ?? []) {
    datasets.get(fp)?.free();
    datasets.delete(fp);
    lastGrid.delete(fp);
  }
  if (msg.data) {
    const d = msg.data;
    datasets.set(msg.fingerprint, new WasmMarketData(d.symbol, d.dates, d.open, d.high, d.low, d.close, d.volume));
  }
  const data = datasets.get(msg.fingerprint);
  if (!data) throw new Error(`no bars with fingerprint ${msg.fingerprint} in this worker`);
  // The chunks of one grid share its SMAs (computed once here); a new grid starts afresh.
  if (msg.kind === 'pairs' && lastGrid.get(msg.fingerprint) !== msg.grid) {
    data.clearSmaCache();
    lastGrid.set(msg.fingerprint, msg.grid);
  }
  const s = msg.settings;
  const t0 = performance.now();
  const value =
    msg.kind === 'backtest'
      ? backtestPacked(data, msg.fast, msg.slow, s[0], s[1], s[2], s[3], s[4])
      : runPairs(data, msg.fast, msg.slow, s[0], s[1], s[2], s[3], s[4], msg.details);
  return { value, ms: performance.now() - t0 };
}

parentPort?.on('message', (msg) => {
  let reply;
  try {
    const { value, ms } = handle(msg);
    reply = { id: msg.id, ok: true, value, ms };
    parentPort?.postMessage(reply, msg.kind === 'backtest' ? [value[0].buffer, value[2].buffer] : transferables(value));
  } catch (e) {
    const err = /** @type {any} */ (e);
    parentPort?.postMessage({
      id: msg.id,
      ok: false,
      error: { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), code: err?.code },
    });
  }
});
