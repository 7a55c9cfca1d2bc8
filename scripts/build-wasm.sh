#!/usr/bin/env bash
# `npm run build`: the wasm engine and the npm package in pkg/ (from pkg-template/), and the
# Pyodide wheel in dist/pyodide/.
# Installs what is missing: the wasm32 target, wasm-bindgen-cli at exactly the crate's
# wasm-bindgen version, and node modules (npm binaryen for wasm-opt; Debian's breaks the output).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

WB=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
[ -n "$WB" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WB" ]; then
  log "cargo install wasm-bindgen-cli --version $WB (about 2 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB"   # no --locked: its lockfile pins a crate the registry lacks
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ]; then
  log "npm install (binaryen, typescript, esbuild)"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi

log "cargo build --release --target wasm32-unknown-unknown --features wasm"
cargo build --release --target wasm32-unknown-unknown --features wasm

log "wasm-bindgen $WB + wasm-opt -> pkg/"
rm -rf pkg
mkdir -p pkg
cp -r pkg-template/. pkg/
wasm-bindgen --target web --out-dir pkg/wasm --out-name quant_backtest \
  target/wasm32-unknown-unknown/release/quant_backtest.wasm
node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/wasm/quant_backtest_bg.wasm -o pkg/wasm/quant_backtest_bg.wasm
rm -f pkg/wasm/.gitignore pkg/wasm/package.json
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs"), p = "pkg/package.json", j = JSON.parse(fs.readFileSync(p));
  j.version = process.argv[1]; fs.writeFileSync(p, JSON.stringify(j, null, 2) + "\n");
' "$VERSION"
# The report's chart component, template and lightweight-charts (from the Python package).
node scripts/report-assets.mjs
# The engine Worker feature-detects threads with this, in either build.
mkdir -p pkg/vendor
cp node_modules/wasm-feature-detect/dist/esm/index.js pkg/vendor/wasm-feature-detect.js
# The threaded browser build beside it (pkg/wasm-mt, nightly); QUANT_BACKTEST_NO_THREADS=1 skips it.
if [ "${QUANT_BACKTEST_NO_THREADS:-0}" != 1 ]; then
  bash scripts/build-wasm-threads.sh
fi
# The pure-Python wheel for Pyodide / JupyterLite, carrying the single-threaded wasm engine.
log "the Pyodide wheel -> dist/pyodide/"
python3 scripts/build_pyodide_wheel.py --out dist/pyodide
raw=$(stat -c %s pkg/wasm/quant_backtest_bg.wasm)
gz=$(gzip -9 -c pkg/wasm/quant_backtest_bg.wasm | wc -c)
echo "pkg/ ready: quant-backtest $VERSION, wasm $raw bytes ($gz gzipped)"
