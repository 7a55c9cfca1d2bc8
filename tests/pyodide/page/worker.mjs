// The same check in a module Worker (JupyterLite's kernel runs in one).
import { run } from './run.mjs';

self.onmessage = async (/** @type {MessageEvent} */ e) => {
  try {
    self.postMessage({ ok: true, out: await run(e.data.wheelUrl, e.data.scenariosUrl) });
  } catch (error) {
    self.postMessage({ ok: false, error: String(/** @type {any} */ (error)?.stack ?? error) });
  }
};
