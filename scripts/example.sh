#!/usr/bin/env bash
# `npm run example`: the Python example (examples/rust_engine_example.py) on the Rust engine,
# building the native module into .venv when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ ! -f .venv/.native-built ] || ! .venv/bin/python -c "import quant_backtest._native" 2>/dev/null \
   || [ -n "$(find src Cargo.toml -newer .venv/.native-built 2>/dev/null | head -1)" ]; then
  build_python_package
  touch .venv/.native-built
fi
exec .venv/bin/python examples/rust_engine_example.py "$@"
