#!/usr/bin/env bash
# `npm start`: the main job. Builds the npm package (single-threaded and threaded wasm; installs
# wasm-bindgen-cli, the wasm targets and node modules when missing), then serves the demo page
# www/ on http://127.0.0.1:8080 (PORT to change) with the COOP/COEP headers that let it run on
# every core. `npm run example` runs the Python example instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
exec node scripts/serve.mjs "$@"
