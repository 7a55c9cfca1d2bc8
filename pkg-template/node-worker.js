// quant-backtest: one worker thread of the Node pool (see node.js). It runs its own instance of
// the wasm engine from the WebAssembly.Module the main thread compiled, keeps the bars it has
// been sent (by fingerprint, as the main thread tells it), and answers the requests of the
// shared worker protocol (protocol.js): backtests, and ranges of a grid or a sweep.
import { parentPort, workerData } from 'node:worker_threads';
import * as engine from './wasm/quant_backtest.js';
import { answer, workerState } from './protocol.js';

engine.initSync({ module: workerData.module });

const st = workerState(engine);
/** @param {import('./protocol.js').Reply} reply @param {ArrayBuffer[]} [transfer] */
const post = (reply, transfer = []) => parentPort?.postMessage(reply, transfer);

parentPort?.on('message', (/** @type {import('./protocol.js').Request} */ msg) => {
  const [reply, transfer] = answer(st, msg, post);
  post(reply, transfer);
});
