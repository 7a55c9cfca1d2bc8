#!/usr/bin/env bash
# `npm start`: the main job on the embedded sample data (for now: the Python example on the
# Rust engine). Installs and builds what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if ! .venv/bin/python -c "import quant_backtest._native" 2>/dev/null \
   || [ -n "$(find src Cargo.toml -newer .venv/.native-built 2>/dev/null | head -1)" ] \
   || [ ! -f .venv/.native-built ]; then
  build_python_package
  touch .venv/.native-built
fi
exec .venv/bin/python examples/rust_engine_example.py "$@"
