#!/usr/bin/env bash
# The Python API inside Pyodide on the wasm engine (tests/pyodide/): in Node with npm `pyodide`
# (offline) and in Debian's chromium (headless, playwright-core), compared with the native
# engine of the repo's .venv. Builds what is missing first: chromium, the node modules, the
# native module in .venv, pkg/ (when missing or older than the Rust sources) and the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ]; then
  log "apt-get install chromium"
  apt-get update -qq
  apt-get install -y -qq chromium
fi
if [ ! -f node_modules/pyodide/pyodide.mjs ] || [ ! -d node_modules/playwright-core ]; then
  log "npm install (pyodide, playwright-core)"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
# The tests compare with the native engine: .venv must import quant_backtest._native.
if ! .venv/bin/python -c 'import quant_backtest._native' 2>/dev/null; then
  source scripts/setup.sh
  build_python_package
fi

log "tsc --checkJs python/quant_backtest/_wasm_adapter.js (the bridge's JS half, shipped in the wheel)"
node_modules/.bin/tsc --noEmit --allowJs --checkJs --strict --target es2022 --lib es2022,dom \
  --skipLibCheck python/quant_backtest/_wasm_adapter.js

bash scripts/build-pyodide-wheel.sh

log "node --test tests/pyodide/ (Pyodide in Node, offline; headless chromium)"
CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}" node --test tests/pyodide/
