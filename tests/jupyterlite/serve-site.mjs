#!/usr/bin/env node
// A tiny static server for the built JupyterLite site (dist/jupyterlite/), on 127.0.0.1 only.
// scripts/serve.mjs serves the demo's fixed mounts (www/, pkg/); this one serves a single folder.
//
//   node tests/jupyterlite/serve-site.mjs [--port N]        (default 8090)
//
// `startSiteServer({ root, port })` does the same in-process (port 0: any free port) and resolves
// to `{ url, close, requests }`, `requests` being every path asked for (the test reports them).
// No COOP/COEP headers: the Pyodide kernel does not need cross-origin isolation (without it,
// input() goes through the service worker instead of SharedArrayBuffer).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HOST = '127.0.0.1';
export const SITE = resolve(fileURLToPath(new URL('../../dist/jupyterlite', import.meta.url)));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ipynb': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.whl': 'application/octet-stream',
  '.zip': 'application/zip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file a URL path names under `root`, or null (traversal, missing, not a file).
 * @param {string} root @param {string} urlPath
 */
async function lookup(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0') || !path.startsWith('/') || path.split('/').some((s) => s === '..')) return null;
  let file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    let st = await stat(file);
    if (st.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file);
    }
    if (!st.isFile()) return null;
    const [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
    if (!real.startsWith(realRoot + sep)) return null;
    return { file, size: st.size };
  } catch {
    return null;
  }
}

/**
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, requests: string[], close: () => Promise<void> }>}
 */
export function startSiteServer({ root = SITE, port = 8090 } = {}) {
  /** @type {string[]} */
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0].split('#')[0];
    requests.push(path);
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    const found = req.method === 'GET' || req.method === 'HEAD' ? await lookup(root, path) : null;
    if (!found) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('not found\n');
    }
    const type = MIME[/** @type {keyof typeof MIME} */ (extname(found.file).toLowerCase())] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': found.size });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => {
      const { port: bound } = /** @type {import('node:net').AddressInfo} */ (server.address());
      done({
        url: `http://${HOST}:${bound}/`,
        requests,
        close: () =>
          new Promise((closed) => {
            server.close(() => closed(undefined));
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8090;
  startSiteServer({ port }).then((s) => console.log(`Serving ${SITE} at ${s.url}lab/index.html`));
}
