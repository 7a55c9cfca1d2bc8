#!/usr/bin/env node
// The built JupyterLite site (dist/jupyterlite/) on 127.0.0.1, through the demo's static server
// (scripts/serve.mjs) with the site as its one mount.
//
//   node tests/jupyterlite/serve-site.mjs [--port N]        (default 8090)
//
// `startSiteServer({ root, port })` does the same in-process (port 0: any free port) and resolves
// to `{ url, close, requests }`, `requests` being every path asked for (the test reports them).
// No COOP/COEP headers: the Pyodide kernel does not need cross-origin isolation (without it,
// input() goes through the service worker instead of SharedArrayBuffer).
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from '../../scripts/serve.mjs';

export const SITE = resolve(fileURLToPath(new URL('../../dist/jupyterlite', import.meta.url)));

/**
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, requests: string[], close: () => Promise<void> }>}
 */
export async function startSiteServer({ root = SITE, port = 8090 } = {}) {
  /** @type {string[]} */
  const requests = [];
  const server = await startServer({ port, isolation: false, mounts: [['/', root]], onRequest: (p) => requests.push(p) });
  return { url: server.url, requests, close: server.close };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8090;
  startSiteServer({ port }).then((s) => console.log(`Serving ${SITE} at ${s.url}lab/index.html`));
}
