// quant-backtest: the engine Worker of a page (see browser.js). It loads the threaded build when
// the page is cross-origin isolated and the browser supports wasm threads (shared memory), and
// the single-threaded build otherwise, then answers the requests of the shared worker protocol
// (protocol.js) off the page's thread: backtests, and grids or sweeps cut into ranges (progress
// after each). Cancelling terminates this Worker.
import { threads as wasmThreadsSupported } from './vendor/wasm-feature-detect.js';
import { answer, workerState } from './protocol.js';

/** @type {ReturnType<typeof workerState>} */
let st;

async function load() {
  const threaded = self.crossOriginIsolated === true && (await wasmThreadsSupported());
  /** @type {any} */
  let engine;
  if (threaded) {
    engine = await import('./wasm-mt/quant_backtest.js');
    await engine.default();
    await engine.initThreadPool(navigator.hardwareConcurrency || 2);
  } else {
    engine = await import('./wasm/quant_backtest.js');
    await engine.default();
  }
  st = workerState(engine);
  return { build: /** @type {'threaded' | 'single-threaded'} */ (threaded ? 'threaded' : 'single-threaded'), threads: engine.threadCount() };
}

/** @param {import('./protocol.js').Reply} reply @param {ArrayBuffer[]} [transfer] */
const post = (reply, transfer = []) => self.postMessage(reply, { transfer });

const started = load().then(
  (info) => post({ type: 'ready', info }),
  (e) => post({ type: 'failed', message: String(e?.message ?? e) }),
);

self.onmessage = async (event) => {
  await started;
  const [reply, transfer] = answer(st, event.data, post);
  post(reply, transfer);
};
