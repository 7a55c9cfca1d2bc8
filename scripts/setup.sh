#!/usr/bin/env bash
# Installs what the project needs and is missing; safe to run again (fast when all is there).
# Sourced by scripts/test.sh and scripts/start.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2
  exit 1
fi
# rustfmt and clippy for the lint steps (no-ops when present).
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$PYTHON" -m venv .venv
fi
# pip is quick when every pinned requirement is already satisfied.
if ! .venv/bin/python - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open("requirements-dev.txt"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        ok &= version(name) == want
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
then
  log "installing Python tools into .venv (maturin, pytest, hypothesis, numpy, pandas, ruff, vectorbt, backtesting)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
fi

# Builds the native module as a wheel and installs it into .venv (as a user gets it).
build_python_package() {
  log "maturin build --release (quant_backtest + its Rust module)"
  rm -rf dist/wheels
  .venv/bin/maturin build --release --out dist/wheels
  # An editable `maturin develop` leaves a module in python/; the wheel must be what runs.
  rm -f python/quant_backtest/_native*.so
  .venv/bin/python -m pip install -q --force-reinstall --no-deps dist/wheels/quant_backtest-*.whl
}
