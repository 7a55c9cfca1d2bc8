#!/usr/bin/env bash
# The pure-Python wheel for Pyodide / JupyterLite: dist/pyodide/quant_backtest-<v>-py3-none-any.whl
# (python/quant_backtest/ without the native module, plus the single-threaded wasm engine of
# pkg/wasm/ as package data). Builds pkg/ first (scripts/build-wasm.sh) when it is missing or
# older than the Rust sources.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

wasm=pkg/wasm/quant_backtest_bg.wasm
if [ ! -f "$wasm" ] || [ ! -f pkg/wasm/quant_backtest.js ]; then
  log "bash scripts/build-wasm.sh (pkg/wasm is missing)"
  bash scripts/build-wasm.sh
elif [ -n "$(find src Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
  log "bash scripts/build-wasm.sh (pkg/wasm is older than the Rust sources)"
  bash scripts/build-wasm.sh
fi

PY=python3
[ -x .venv/bin/python ] && PY=.venv/bin/python
log "wheel for Pyodide -> dist/pyodide/"
"$PY" scripts/build_pyodide_wheel.py --out dist/pyodide
