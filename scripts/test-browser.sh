#!/usr/bin/env bash
# The demo page (www/) in a real browser: Debian's chromium, headless, driven by playwright-core
# (tests/browser/). Installs what is missing first: chromium, the node modules, pkg/.
# Screenshots of both runs (cross-origin isolated and not) land in screenshots/: demo-*.png for
# the default run, demo-strategy-*.png for a long-and-short preset with stops,
# demo-macd-isolated.png for the MACD pane, demo-rules-*.png for the rule builder and
# demo-workbench-*.png for built rules with their sweep heatmap.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v chromium >/dev/null; then
  log "apt-get install chromium chromium-driver"
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/lightweight-charts ]; then
  log "npm install (playwright-core, lightweight-charts)"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
if [ ! -f pkg/browser.js ]; then
  log "bash scripts/build-wasm.sh (pkg/ is missing)"
  bash scripts/build-wasm.sh
fi

log "node --test tests/browser/ (headless chromium; screenshots in screenshots/)"
CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}" node --test tests/browser/
