#!/usr/bin/env node
// A tiny static server for the demo page (node:http, no dependencies), on 127.0.0.1 only.
//
//   node scripts/serve.mjs [--port N] [--no-isolation]      (PORT env too; default 8080)
//
//   /                          -> www/
//   /pkg/                      -> pkg/ (the npm package: browser.js, wasm/)
//   /vendor/lightweight-charts/ -> node_modules/lightweight-charts/dist/
//   /vendor/wasm-feature-detect/ -> node_modules/wasm-feature-detect/dist/esm/
//
// Every response carries Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy:
// require-corp and Cross-Origin-Resource-Policy: same-origin, so the page is cross-origin
// isolated (SharedArrayBuffer, wasm threads), unless --no-isolation is given.
// `startServer({ port, isolation })` does the same in-process (port 0: any free port) and
// resolves to `{ url, port, isolation, close }`; `mounts` serves other folders (the JupyterLite
// test serves its built site through it) and `onRequest` sees every path asked for.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOST = '127.0.0.1';

/** URL prefix -> folder; the first matching prefix wins (the longest first). @type {Array<[string, string]>} */
export const DEMO_MOUNTS = [
  ['/vendor/lightweight-charts/', join(ROOT, 'node_modules/lightweight-charts/dist')],
  ['/vendor/wasm-feature-detect/', join(ROOT, 'node_modules/wasm-feature-detect/dist/esm')],
  ['/pkg/', join(ROOT, 'pkg')],
  ['/', join(ROOT, 'www')],
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ipynb': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.whl': 'application/octet-stream',
  '.zip': 'application/zip',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** @param {boolean} isolation @returns {Record<string, string>} */
function baseHeaders(isolation) {
  /** @type {Record<string, string>} */
  const h = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (isolation) {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
    h['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  return h;
}

/**
 * The file a URL path names, or null (outside every mount, traversal, not a file).
 * @param {string} urlPath @param {Array<[string, string]>} mounts
 * @returns {Promise<{ file: string, size: number } | null>}
 */
async function lookup(urlPath, mounts) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\') || !path.startsWith('/')) return null;
  // Refuse any '.' or '..' segment outright instead of normalising it away.
  if (path.split('/').some((s) => s === '..' || s === '.')) return null;
  const mount = mounts.find(([prefix]) => path.startsWith(prefix) || path + '/' === prefix);
  if (!mount) return null;
  const [prefix, dir] = mount;
  let file = resolve(dir, '.' + path.slice(prefix.length - 1));
  if (file !== dir && !file.startsWith(dir + sep)) return null;
  try {
    let st = await stat(file);
    if (st.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file);
    }
    if (!st.isFile()) return null;
    // Symbolic links must not lead out of the mount either.
    const [real, realDir] = await Promise.all([realpath(file), realpath(dir)]);
    if (!real.startsWith(realDir + sep)) return null;
    return { file, size: st.size };
  } catch {
    return null;
  }
}

/**
 * @param {{ port?: number, isolation?: boolean, mounts?: Array<[string, string]>,
 *   onRequest?: (path: string) => void }} [options]
 * @returns {Promise<{ url: string, port: number, isolation: boolean, server: import('node:http').Server, close: () => Promise<void> }>}
 */
export function startServer({ port = 8080, isolation = true, mounts = DEMO_MOUNTS, onRequest } = {}) {
  const server = createServer(async (req, res) => {
    const headers = baseHeaders(isolation);
    const send = (/** @type {number} */ status, /** @type {string} */ text) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'method not allowed\n');
    }
    const rawPath = (req.url ?? '/').split('?')[0].split('#')[0];
    onRequest?.(rawPath);
    const found = await lookup(rawPath, mounts);
    if (!found) return send(404, 'not found\n');
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
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolvePromise({
        url: `http://${HOST}:${address.port}/`,
        port: address.port,
        isolation,
        server,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

/** @param {string[]} argv */
function parseArgs(argv) {
  let port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  let isolation = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-isolation') isolation = false;
    else if (a === '--port') port = Number(argv[++i]);
    else if (a.startsWith('--port=')) port = Number(a.slice('--port='.length));
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/serve.mjs [--port N] [--no-isolation]   (PORT env too; default 8080)');
      process.exit(0);
    } else {
      console.error(`serve.mjs: unknown argument '${a}' (try --help)`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: the port must be an integer in [0, 65535], got '${port}'`);
    process.exit(2);
  }
  return { port, isolation };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { port, isolation } = parseArgs(process.argv.slice(2));
  startServer({ port, isolation }).then(
    (s) => {
      console.log(`Serving ${s.url} (cross-origin isolated: ${isolation ? 'yes' : 'no'})`);
      const stop = () => s.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e) => {
      console.error(`serve.mjs: cannot listen on ${HOST}:${port}: ${e.message}`);
      process.exit(1);
    },
  );
}
