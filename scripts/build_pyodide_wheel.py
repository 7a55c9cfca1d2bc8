"""Writes the pure-Python wheel of quant_backtest for Pyodide / JupyterLite (PEP 427, by hand:
no build backend, no network). Called by scripts/build-pyodide-wheel.sh.

    python scripts/build_pyodide_wheel.py --out dist/pyodide

The wheel (``quant_backtest-<version>-py3-none-any.whl``) holds python/quant_backtest/ without
the native module (no ``_native*.so``, no ``__pycache__``; with the bridge's JS adapter
``_wasm_adapter.js``) plus the single-threaded wasm engine
from pkg/wasm/ as package data in ``quant_backtest/wasm/``. It is byte-for-byte reproducible:
fixed timestamps and file order.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "python" / "quant_backtest"
WASM = ROOT / "pkg" / "wasm"
WASM_FILES = ("quant_backtest.js", "quant_backtest_bg.wasm")
# The bridge's JS half (type-checked by scripts/test-pyodide.sh): the wheel is useless without it.
ADAPTER = "_wasm_adapter.js"
NAME = "quant-backtest"
DIST = "quant_backtest"
SKIP_SUFFIXES = (".so", ".pyd", ".dylib", ".pyc", ".pyo")
DATE = (1980, 1, 1, 0, 0, 0)


def version() -> str:
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = cargo.split("[package]", 1)[1].split("\n[", 1)[0]
    found = re.search(r'^version\s*=\s*"([^"]+)"', package, flags=re.M)
    if not found:
        sys.exit("no version in Cargo.toml's [package]")
    engine = (PACKAGE / "_engine.py").read_text(encoding="utf-8")
    py = re.search(r'^__version__ = "([^"]+)"', engine, flags=re.M)
    if not py or py[1] != found[1]:
        sys.exit(f"Cargo.toml says {found[1]} but _engine.__version__ says {py and py[1]}")
    return found[1]


def metadata(ver: str) -> str:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    summary = re.search(r'^description = "([^"]+)"', pyproject, flags=re.M)
    readme = ROOT / "docs" / "PYODIDE.md"
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {ver}",
        f"Summary: {summary[1] if summary else NAME}",
        "License: MIT",
        "Requires-Python: >=3.9",
        "Classifier: Programming Language :: Python :: Implementation :: CPython",
        "Classifier: Environment :: WebAssembly :: Emscripten",
        "Classifier: Topic :: Office/Business :: Financial :: Investment",
        "Provides-Extra: pandas",
        'Requires-Dist: numpy; extra == "pandas"',
        'Requires-Dist: pandas; extra == "pandas"',
    ]
    if readme.exists():
        lines.append("Description-Content-Type: text/markdown")
        return "\n".join(lines) + "\n\n" + readme.read_text(encoding="utf-8")
    return "\n".join(lines) + "\n"


def files() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if path.is_dir() or "__pycache__" in rel.parts or path.name.endswith(SKIP_SUFFIXES):
            continue
        if rel.parts[0] == "wasm":  # a stray copy in the source tree: pkg/ is the truth
            continue
        out.append((f"{DIST}/{rel.as_posix()}", path.read_bytes()))
    if f"{DIST}/{ADAPTER}" not in {name for name, _ in out}:
        sys.exit(f"{PACKAGE / ADAPTER} is missing: the wasm bridge needs it")
    for name in WASM_FILES:
        path = WASM / name
        if not path.is_file():
            sys.exit(f"{path} is missing: run `bash scripts/build-wasm.sh` first")
        out.append((f"{DIST}/wasm/{name}", path.read_bytes()))
    return out


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dist" / "pyodide"))
    args = parser.parse_args()
    ver = version()
    info = f"{DIST}-{ver}.dist-info"
    entries = files()
    entries += [
        (f"{info}/METADATA", metadata(ver).encode()),
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: quant-backtest build_pyodide_wheel.py\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n",
        ),
        (f"{info}/top_level.txt", f"{DIST}\n".encode()),
    ]
    record = "\n".join(record_line(n, d) for n, d in entries) + f"\n{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode()))

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{DIST}-*.whl"):
        old.unlink()
    wheel = out / f"{DIST}-{ver}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    print(f"{wheel} ({wheel.stat().st_size} bytes, {len(entries)} files)")


if __name__ == "__main__":
    main()
