// quant-backtest: the engine Worker of a page (see browser.js). It loads the threaded build when
// the page is cross-origin isolated and the browser supports wasm threads (shared memory), and
// the single-threaded build otherwise, then runs backtests and grids off the page's thread. A
// grid is cut into chunks so that progress can be reported; cancelling terminates this Worker.
import { threads as wasmThreadsSupported } from './vendor/wasm-feature-detect.js';

/** @type {any} */
let engine;
/** @type {Map<string, any>} the bars sent by the page, by fingerprint (the page says which to drop) */
const datasets = new Map();

async function load() {
  const threaded = self.crossOriginIsolated === true && (await wasmThreadsSupported());
  if (threaded) {
    engine = await import('./wasm-mt/quant_backtest.js');
    await engine.default();
    await engine.initThreadPool(navigator.hardwareConcurrency || 2);
  } else {
    engine = await import('./wasm/quant_backtest.js');
    await engine.default();
  }
  return { build: threaded ? 'threaded' : 'single-threaded', threads: engine.threadCount() };
}

/** @param {any} msg */
function dataset(msg) {
  for (const fp of msg.drop ?? []) {
    datasets.get(fp)?.free();
    datasets.delete(fp);
  }
  if (msg.data) {
    const d = msg.data;
    datasets.set(msg.fingerprint, new engine.WasmMarketData(d.symbol, d.dates, d.open, d.high, d.low, d.close, d.volume));
  }
  const data = datasets.get(msg.fingerprint);
  if (!data) throw new Error(`no bars with fingerprint ${msg.fingerprint} in the engine Worker`);
  return data;
}

/** @param {any} msg */
function run(msg) {
  const data = dataset(msg);
  const s = msg.settings;
  if (msg.kind === 'backtest') return engine.backtestPacked(data, msg.fast, msg.slow, s[0], s[1], s[2], s[3], s[4]);
  const total = msg.fast.length;
  const chunks = Math.max(1, Math.min(total, msg.chunks));
  const out = [];
  let done = 0;
  for (let i = 0; i < chunks; i++) {
    const a = Math.floor((i * total) / chunks);
    const b = Math.floor(((i + 1) * total) / chunks);
    const t0 = performance.now();
    const value = engine.runPairs(data, msg.fast.subarray(a, b), msg.slow.subarray(a, b), s[0], s[1], s[2], s[3], s[4], msg.details);
    out.push({ value, ms: performance.now() - t0, count: b - a });
    done += b - a;
    self.postMessage({ type: 'progress', id: msg.id, done });
  }
  data.clearSmaCache(); // the chunks shared the grid's SMAs; the grid is done
  return out;
}

const started = load().then(
  (info) => self.postMessage({ type: 'ready', info }),
  (e) => self.postMessage({ type: 'failed', message: String(e?.message ?? e) }),
);

self.onmessage = async (event) => {
  await started;
  const msg = event.data;
  try {
    self.postMessage({ type: 'result', id: msg.id, ok: true, value: run(msg) });
  } catch (e) {
    const err = /** @type {any} */ (e);
    self.postMessage({ type: 'result', id: msg.id, ok: false, error: { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), code: err?.code } });
  }
};
