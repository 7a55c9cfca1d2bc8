#!/usr/bin/env bash
# The JS tests of the npm package, against the package as a user gets it:
#   1. build pkg/ (scripts/build-wasm.sh), `npm pack ./pkg`;
#   2. a fresh temporary project installs the tarball; tests/js/*.test.mjs run there with
#      `node --test` (they `import 'quant-backtest'`; GOLDEN_DIR points at tests/golden/);
#   3. TypeScript: `tsc --noEmit --strict` on tests/js/*-check.ts against the installed
#      package (Node resolution "nodenext", then bundler resolution);
#   4. bundler: esbuild bundles tests/js/bundle-app/main.js for the browser; the output must
#      exist and reference the .wasm file, and every file it loads at run time (new URL(...,
#      import.meta.url)) must be in the output, after the README's manual step for esbuild
#      (copy the .wasm, and engine-worker.js with wasm/, wasm-mt/, vendor/, next to the bundle);
#      then the bundle runs in Node standing in for a page (fetch serving the output folder,
#      module Workers on worker_threads), once as deployed that way and once with only main.js
#      and the .wasm (the README: grids then run on the calling thread).
# Exits non-zero on any failure. QB_SKIP_BUILD=1 reuses an existing pkg/ (quick reruns);
# QB_KEEP_TMP=1 keeps the temporary project (to debug).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN="$REPO/node_modules/.bin"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quant-backtest-js.XXXXXX")
if [ "${QB_KEEP_TMP:-0}" = 1 ]; then trap 'echo "kept $TMP"' EXIT; else trap 'rm -rf "$TMP"' EXIT; fi

log() { printf '\n==> %s\n' "$*"; }
declare -a SUMMARY=()
FAILED=0
record() { # name status detail
  SUMMARY+=("$(printf '%-12s %-5s %s' "$1" "$2" "$3")")
  [ "$2" = ok ] || FAILED=1
}
finish() {
  log "summary (JS tests of quant-backtest)"
  printf '  %s\n' "${SUMMARY[@]}"
  if [ "$FAILED" = 0 ]; then
    echo "JS tests: all passed in $(($(date +%s) - START)) s"
  else
    echo "JS tests: FAILED (see above) after $(($(date +%s) - START)) s"
  fi
  exit "$FAILED"
}
START=$(date +%s)

# -- 1. build and pack ----------------------------------------------------------------------------
if [ "${QB_SKIP_BUILD:-0}" = 1 ] && [ -f "$REPO/pkg/package.json" ]; then
  log "QB_SKIP_BUILD=1: using the existing pkg/"
else
  log "build pkg/ (scripts/build-wasm.sh)"
  if ! bash "$REPO/scripts/build-wasm.sh"; then
    record build FAIL "scripts/build-wasm.sh failed"
    finish
  fi
fi
[ -x "$BIN/tsc" ] && [ -x "$BIN/esbuild" ] || {
  record tools FAIL "node_modules/.bin/tsc or esbuild missing (npm install in $REPO)"
  finish
}

log "npm pack ./pkg"
mkdir -p "$TMP/pack" "$TMP/app"
if ! (cd "$REPO" && npm pack ./pkg --pack-destination "$TMP/pack" --silent >/dev/null); then
  record pack FAIL "npm pack ./pkg failed"
  finish
fi
TARBALL=$(ls "$TMP"/pack/*.tgz 2>/dev/null | head -1)
[ -n "$TARBALL" ] || { record pack FAIL "npm pack wrote no tarball"; finish; }
echo "$(basename "$TARBALL"): $(tar -tzf "$TARBALL" | wc -l) files, $(stat -c %s "$TARBALL") bytes"
tar -tzf "$TARBALL" | sed 's/^/  /'
record pack ok "$(basename "$TARBALL")"

log "install the tarball into a fresh project ($TMP/app)"
cd "$TMP/app" || exit 1
npm init -y >/dev/null
npm pkg set type=module >/dev/null
if ! npm install --no-audit --no-fund --prefer-offline "$TARBALL"; then
  record install FAIL "npm install <tarball> failed"
  finish
fi
record install ok "node_modules/quant-backtest $(node -p 'require("./node_modules/quant-backtest/package.json").version')"

# -- 2. node --test -------------------------------------------------------------------------------
log "node --test (tests/js/*.test.mjs, importing 'quant-backtest')"
cp "$REPO"/tests/js/*.test.mjs "$TMP/app/"
t0=$(date +%s)
GOLDEN_DIR="$REPO/tests/golden" timeout 600 node --test --test-reporter=spec ./*.test.mjs 2>&1 | tee "$TMP/node-test.log"
rc=${PIPESTATUS[0]}
count() { sed -n "s/^[^a-z]*$1 \([0-9][0-9]*\)$/\1/p" "$TMP/node-test.log" | tail -1; }
detail="$(count tests) tests, $(count pass) passed, $(count fail) failed, $(($(date +%s) - t0)) s"
if [ "$rc" = 0 ]; then record node-test ok "$detail"
elif [ "$rc" = 124 ]; then record node-test FAIL "timed out (a test file did not exit?): $detail"
else record node-test FAIL "$detail"
fi

# The Node example, as a user runs it (a plain ESM script importing the installed package).
log "examples/node_example.mjs"
cp "$REPO/examples/node_example.mjs" "$TMP/app/"
if timeout 120 node "$TMP/app/node_example.mjs"; then
  record example ok "examples/node_example.mjs ran"
else
  record example FAIL "examples/node_example.mjs failed"
fi

# -- 3. TypeScript --------------------------------------------------------------------------------
cp "$REPO/tests/js/types-check.ts" "$REPO/tests/js/strategy-types-check.ts" "$REPO/tests/js/report-types-check.ts" "$REPO/tests/js/charts-types-check.ts" "$TMP/app/"
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "lib": ["ES2022"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": [],
    "skipLibCheck": false
  },
  "files": ["types-check.ts", "strategy-types-check.ts", "report-types-check.ts"]
}
EOF
cat > tsconfig.bundler.json <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "types": [],
    "skipLibCheck": false
  },
  "files": ["types-check.ts", "strategy-types-check.ts", "report-types-check.ts", "charts-types-check.ts"]
}
EOF
for cfg in tsconfig.json tsconfig.bundler.json; do
  log "tsc --noEmit --strict -p $cfg ($("$BIN/tsc" --version))"
  if "$BIN/tsc" -p "$cfg" --noEmit --strict; then
    record "tsc" ok "tests/js/*-check.ts, $cfg"
  else
    record "tsc" FAIL "tests/js/*-check.ts, $cfg"
  fi
done

# -- 4. bundler -----------------------------------------------------------------------------------
log "esbuild: bundle-app/main.js for the browser ($("$BIN/esbuild" --version))"
cp -r "$REPO/tests/js/bundle-app" "$TMP/app/bundle-app"
rm -rf bundle-app/dist
DIST="$TMP/app/bundle-app/dist"
if "$BIN/esbuild" bundle-app/main.js --bundle --format=esm --platform=browser --conditions=browser \
  --loader:.wasm=file --outdir="$DIST" --log-level=warning; then
  if [ ! -s "$DIST/main.js" ]; then
    record esbuild FAIL "no $DIST/main.js"
  else
    ls -l "$DIST"
    cat > "$TMP/assets.mjs" <<'EOF'
// What the bundle loads at run time: `new URL('x', import.meta.url)` and file-loader strings.
// Exit 2: no .wasm referenced; 3: a referenced file is neither in the output nor the .wasm that
// the README says to copy for esbuild ("copy .../quant_backtest_bg.wasm next to the bundle").
import { readFileSync, existsSync, copyFileSync, cpSync, readdirSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
const [dist, pkgDir] = process.argv.slice(2);
const code = readFileSync(join(dist, 'main.js'), 'utf8');
const refs = new Set();
for (const m of code.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)) refs.add(m[1]);
for (const m of code.matchAll(/["'`]([\w./-]+\.wasm)["'`]/g)) refs.add(m[1]);
console.log(`bundle: ${code.length} bytes; loads at run time: ${[...refs].join(', ') || '(nothing)'}`);
if (![...refs].some((r) => r.endsWith('.wasm'))) {
  console.error('the bundle references no .wasm file');
  process.exit(2);
}
const find = (dir, name) => {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const f = find(p, name);
      if (f) return f;
    } else if (e === name) return p;
  }
  return null;
};
const missing = [];
for (const ref of refs) {
  if (/^[a-z]+:/.test(ref)) continue;
  const target = join(dist, ref);
  if (existsSync(target)) continue;
  const src = ref.endsWith('.wasm') ? find(pkgDir, basename(ref)) : null;
  if (src) {
    copyFileSync(src, target);
    console.log(`note: esbuild did not emit ${ref}; copied ${src} next to the bundle (the README's step)`);
  } else if (ref === './engine-worker.js' && existsSync(join(pkgDir, 'engine-worker.js'))) {
    // The README's esbuild step for the engine Worker: the worker and the builds it loads.
    // protocol.js: the worker protocol engine-worker.js imports; wasm-mt/ only in a threaded build
    for (const item of ['engine-worker.js', 'protocol.js', 'wasm', 'wasm-mt', 'vendor']) {
      if (existsSync(join(pkgDir, item))) cpSync(join(pkgDir, item), join(dist, item), { recursive: true });
    }
    console.log(`note: esbuild did not emit ${ref}; copied engine-worker.js, wasm/, wasm-mt/, vendor/ next to the bundle (the README's step)`);
  } else {
    missing.push(ref);
  }
}
if (missing.length) {
  console.error(`the bundle loads ${missing.join(', ')} at run time, but the build output has no such ` +
    'file (esbuild does not follow new URL(..., import.meta.url)): a browser would fail to load it');
  process.exit(3);
}
EOF
    node "$TMP/assets.mjs" "$DIST" node_modules/quant-backtest
    arc=$?
    if [ "$arc" = 2 ] || [ "$arc" = 1 ]; then
      record esbuild FAIL "the bundle references no .wasm file (or the check failed)"
    else
      record esbuild ok "bundle-app/main.js built; it references the .wasm"
      if [ "$arc" = 0 ]; then
        record bundle-files ok "every file the bundle loads at run time is in the output"
      else
        record bundle-files FAIL "the bundle loads a file the output lacks (see above)"
      fi
      # The bundle, run once in Node as a page would run it: fetch() serves the files next to
      # the bundle (like a static web server), and a small Web Worker stand-in (on
      # worker_threads) loads any module Worker the bundle starts, from the same place.
      cat > "$TMP/fetch-files.mjs" <<'EOF'
import { readFile } from 'node:fs/promises';
export function serveFiles(base) {
  globalThis.fetch = async (input) => {
    const url = new URL(typeof input === 'string' ? input : input.url ?? String(input), base);
    if (url.protocol !== 'file:') throw new Error(`unexpected fetch of ${url}`);
    const body = await readFile(url); // a missing file rejects, as a 404 would fail init
    const type = url.pathname.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return new Response(body, { headers: { 'content-type': type } });
  };
}
EOF
      cat > "$TMP/worker-prelude.mjs" <<'EOF'
// Inside a Worker stand-in: the Web Worker globals a module Worker script uses.
import { parentPort, workerData } from 'node:worker_threads';
import { serveFiles } from './fetch-files.mjs';
serveFiles(workerData.url);
globalThis.self = globalThis;
globalThis.postMessage = (data) => parentPort.postMessage(data);
parentPort.on('message', (data) => globalThis.onmessage?.({ data }));
await import(workerData.url);
EOF
      cat > "$TMP/smoke.mjs" <<'EOF'
import { Worker as NodeWorker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { serveFiles } from './fetch-files.mjs';
const dist = pathToFileURL(process.argv[2] + '/');
serveFiles(dist);
let workers = 0;
globalThis.Worker = class Worker {
  constructor(url, options = {}) {
    if (options.type !== 'module') throw new Error('this stand-in runs module Workers only');
    workers += 1;
    this.onmessage = null;
    this.onerror = null;
    this.w = new NodeWorker(new URL('./worker-prelude.mjs', import.meta.url), { workerData: { url: String(url) } });
    this.w.on('message', (data) => this.onmessage?.({ data }));
    this.w.on('error', (e) => this.onerror?.({ message: e?.message ?? String(e), error: e, preventDefault() {} }));
  }
  postMessage(data) { this.w.postMessage(data); }
  terminate() { this.w.terminate(); }
};
const { result } = await import(new URL('main.js', dist));
console.log(JSON.stringify(result), `(${workers} Worker(s) started)`);
const ok = result && result.bars === 500 && result.equityLength === 500 && result.gridPairs === 4 &&
  Number.isFinite(result.totalReturn) && result.platform === 'browser';
if (!ok) { console.error('unexpected result from the bundle'); process.exit(1); }
EOF
      log "run the bundle once (Node standing in for a page: browser entry, fetch, module Workers)"
      if timeout 120 node "$TMP/smoke.mjs" "$DIST"; then
        record bundle-run ok "the bundled app ran a backtest and a grid (browser entry)"
      else
        record bundle-run FAIL "the bundled app did not run (see above)"
      fi
      # The README: without the engine Worker's files, grids still run, on the calling thread.
      NOWORKER="$TMP/dist-no-worker"
      cp -r "$DIST" "$NOWORKER"
      rm -rf "$NOWORKER/engine-worker.js" "$NOWORKER/protocol.js" "$NOWORKER/wasm" "$NOWORKER/wasm-mt" "$NOWORKER/vendor"
      log "run it again with only main.js and the .wasm deployed (no engine Worker files)"
      if timeout 120 node "$TMP/smoke.mjs" "$NOWORKER"; then
        record bundle-run ok "without the Worker files too (grids on the calling thread)"
      else
        record bundle-run FAIL "without the Worker files the bundled app did not run (see above)"
      fi
    fi
  fi
else
  record esbuild FAIL "esbuild failed"
fi

finish

