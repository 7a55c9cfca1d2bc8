#!/usr/bin/env bash
# The JupyterLite site: dist/jupyterlite/, served as static files, runs offline.
#
#   bash scripts/build-jupyterlite.sh
#
# - jupyterlite-core and jupyterlite-pyodide-kernel, pinned below, are pip-installed into .venv
#   when missing or of another version;
# - the Pyodide runtime is the npm `pyodide` package (node_modules/pyodide, pinned in
#   package.json), plus the kernel's own dependencies (micropip, ipython, jedi, ...) at the
#   versions its lockfile names, pure-Python wheels from PyPI (tests/jupyterlite/stage_pyodide.py);
#   the site loads Pyodide from itself (static/pyodide/), never from a CDN;
# - piplite serves the kernel's wheels (piplite, pyodide_kernel, the ipykernel shim, shipped in
#   jupyterlite-pyodide-kernel), `comm` (pinned below) and the project's wheel for Pyodide
#   (dist/pyodide/*.whl, built by scripts/build-pyodide-wheel.sh when missing or stale), with
#   the PyPI fallback off, so `%pip install quant-backtest` takes the local wheel;
# - the example notebook examples/jupyterlite.ipynb is the site's one file.
set -euo pipefail
cd "$(dirname "$0")/.."

JUPYTERLITE_CORE=0.8.6
JUPYTERLITE_PYODIDE_KERNEL=0.8.6 # 0.8.7 needs jupyterlite-core 0.8.7, not released
JUPYTER_SERVER=2.21.1            # jupyterlite-core needs it to index the notebook (contents)
COMM=0.2.3                       # pyodide_kernel needs comm; not in Pyodide's lockfile
# What the kernel loads from the Pyodide distribution (with their dependencies).
PYODIDE_PACKAGES=(micropip packaging ipython jedi traitlets)

NOTEBOOK=examples/jupyterlite.ipynb
OUT=dist/jupyterlite
STAGE=dist/.jupyterlite-stage # the build's --lite-dir (config, static/pyodide, pypi/)
CACHE=dist/.jupyterlite-cache # wheels from PyPI, kept between builds

log() { printf '\n==> %s\n' "$*"; }

[ -x .venv/bin/python ] || { echo "build-jupyterlite: no .venv (run bash scripts/setup.sh)" >&2; exit 1; }
PY=.venv/bin/python

installed() { "$PY" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; }
pins=("jupyterlite-core==$JUPYTERLITE_CORE" "jupyterlite-pyodide-kernel==$JUPYTERLITE_PYODIDE_KERNEL" "jupyter-server==$JUPYTER_SERVER")
for pin in "${pins[@]}"; do
  if ! installed "${pin%%==*}" "${pin##*==}"; then
    log "pip install ${pins[*]} (into .venv)"
    "$PY" -m pip install --quiet "${pins[@]}"
    break
  fi
done

[ -f node_modules/pyodide/pyodide.mjs ] || { echo "build-jupyterlite: node_modules/pyodide is missing (npm ci)" >&2; exit 1; }

wheel=$(ls dist/pyodide/quant_backtest-*-py3-none-any.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ] || [ -n "$(find python/quant_backtest pkg/wasm -newer "$wheel" -type f -print -quit 2>/dev/null)" ]; then
  log "bash scripts/build-pyodide-wheel.sh (the wheel for Pyodide is missing or stale)"
  bash scripts/build-pyodide-wheel.sh
  wheel=$(ls dist/pyodide/quant_backtest-*-py3-none-any.whl | head -n 1)
fi

log "local Pyodide -> $STAGE/static/pyodide"
rm -rf "$STAGE"
mkdir -p "$STAGE/pypi"
"$PY" tests/jupyterlite/stage_pyodide.py node_modules/pyodide "$STAGE/static/pyodide" "$CACHE/pyodide" "${PYODIDE_PACKAGES[@]}"

log "piplite wheels -> $STAGE/pypi"
cp "$wheel" "$STAGE/pypi/"
[ -f "$CACHE/pypi/comm-$COMM-py3-none-any.whl" ] ||
  "$PY" -m pip download --quiet --no-deps --only-binary=:all: "comm==$COMM" -d "$CACHE/pypi"
cp "$CACHE/pypi/comm-$COMM-py3-none-any.whl" "$STAGE/pypi/"

# The site's settings: no wheel from PyPI at run time (piplite would fetch from the web), and
# `window.jupyterapp` for the test (tests/jupyterlite/) to run the notebook's cells.
cat >"$STAGE/jupyter-lite.json" <<'JSON'
{
  "jupyter-lite-schema-version": 0,
  "jupyter-config-data": {
    "exposeAppInBrowser": true,
    "litePluginSettings": {
      "@jupyterlite/pyodide-kernel-extension:kernel": { "disablePyPIFallback": true }
    }
  }
}
JSON

# Every cell rendered, not only those in view (JupyterLab's default windowing): the test reads
# each output area as the page shows it.
cat >"$STAGE/overrides.json" <<'JSON'
{
  "@jupyterlab/notebook-extension:tracker": { "windowingMode": "none" }
}
JSON

log "jupyter lite build -> $OUT"
rm -rf "$OUT"
(
  cd "$STAGE"
  ../../.venv/bin/jupyter lite build --lite-dir . --output-dir "../../$OUT" --contents "../../$NOTEBOOK" --no-sourcemaps
)
log "done: $OUT ($(du -sh "$OUT" | cut -f1)); serve it with: node tests/jupyterlite/serve-site.mjs"
