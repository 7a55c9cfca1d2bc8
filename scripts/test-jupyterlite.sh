#!/usr/bin/env bash
# The JupyterLite site in a real browser (tests/jupyterlite/): Debian's chromium, headless, via
# playwright-core, runs the example notebook through the Pyodide kernel, offline (loopback only).
# Installs what is missing first (chromium, the node modules) and builds the site
# (scripts/build-jupyterlite.sh) when it is missing or older than what goes into it.
# Screenshot: screenshots/jupyterlite.png.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v chromium >/dev/null; then
  log "apt-get install chromium"
  apt-get update -qq
  apt-get install -y -qq chromium
fi
if [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/pyodide/pyodide.mjs ]; then
  log "npm install (playwright-core, pyodide)"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi

# What the site is made of: newer than its jupyter-lite.json means a rebuild.
stamp=dist/jupyterlite/jupyter-lite.json
inputs=(examples/jupyterlite.ipynb scripts/build-jupyterlite.sh tests/jupyterlite/stage_pyodide.py
  node_modules/pyodide/package.json python/quant_backtest pkg/wasm src Cargo.toml)
if [ ! -f "$stamp" ] || [ -n "$(find "${inputs[@]}" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
  log "bash scripts/build-jupyterlite.sh (the site is missing or stale)"
  bash scripts/build-jupyterlite.sh
fi

log "node --test tests/jupyterlite/ (headless chromium; screenshot in screenshots/)"
CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}" node --test tests/jupyterlite/
