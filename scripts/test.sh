#!/usr/bin/env bash
# `npm test`: every test of the project (Rust, Python on both backends and against the peers, JS
# in Node, the demo page in a real browser). Installs what is missing first (scripts/setup.sh;
# the JS and browser scripts install their own: wasm-bindgen-cli, nightly parts, chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
start=$(date +%s)

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy -D warnings (core alone; with the parallel and python features; the wasm door)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features python,parallel -- -D warnings
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
cargo clippy --target wasm32-unknown-unknown --features wasm -- -D warnings

log "cargo test (no feature: the plain core)"
cargo test
log "cargo test --features parallel"
cargo test --features parallel

log "ruff (lint and format)"
.venv/bin/ruff check python tests examples benches
.venv/bin/ruff format --check python tests examples benches

build_python_package

log "pytest: both backends, golden cases, properties, no-numpy, peers (vectorbt, backtesting.py)"
QUANT_BACKTEST_EXPECT_NATIVE=1 .venv/bin/python -m pytest -q tests/python

log "the Python example runs"
.venv/bin/python examples/rust_engine_example.py > /dev/null

log "JS: build the npm package (single-threaded + threaded wasm), pack, install, node --test, tsc, esbuild"
bash scripts/test-js.sh
log "pytest: the Pyodide bridge's reading of the wasm glue just built"
QUANT_BACKTEST_EXPECT_GLUE=1 .venv/bin/python -m pytest -q tests/python/test_wasm_backend.py

log "browser: the demo page in headless chromium (threaded and single-threaded)"
bash scripts/test-browser.sh

log "Pyodide: the wheel's wasm engine in Pyodide, in Node and in headless chromium"
bash scripts/test-pyodide.sh

log "JupyterLite: the example notebook through the Pyodide kernel in headless chromium, offline"
bash scripts/test-jupyterlite.sh

log "all tests passed in $(( $(date +%s) - start )) s"
