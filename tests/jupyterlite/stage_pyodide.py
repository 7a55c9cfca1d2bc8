"""Stage a local Pyodide distribution for the JupyterLite site, offline from the registries.

The npm ``pyodide`` package is the runtime only (no package wheels). The Pyodide kernel loads
``micropip`` and installs ``ipython``, ``jedi`` and their dependencies from the distribution's
lockfile, so this copies node_modules/pyodide into OUT and adds those wheels: the exact versions
the lockfile names, pure-Python, downloaded from PyPI with pip. Pyodide repacks its wheels, so
their sha256 differ from the lockfile's: the copied lockfile gets the sha256 of the files
actually served (Pyodide checks them). Any wanted package that is not a pure-Python wheel fails
the build, by name.

    python stage_pyodide.py NODE_PYODIDE_DIR OUT_DIR WHEEL_CACHE PACKAGE...
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(packages: dict, wanted: list[str]) -> list[str]:
    """The lockfile keys of ``wanted`` and everything they depend on."""
    by_name = {norm(k): k for k in packages}
    seen: list[str] = []
    stack = list(wanted)
    while stack:
        name = stack.pop()
        key = by_name.get(norm(name))
        if key is None:
            sys.exit(f"stage_pyodide: {name!r} is not in the Pyodide lockfile")
        if key not in seen:
            seen.append(key)
            stack.extend(packages[key]["depends"])
    return sorted(seen)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(src: Path, out: Path, cache: Path, wanted: list[str]) -> None:
    lock = json.loads((src / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    keys = closure(packages, wanted)
    compiled = [k for k in keys if not packages[k]["file_name"].endswith("-none-any.whl")]
    if compiled:
        sys.exit(f"stage_pyodide: not pure-Python, not on PyPI as such: {compiled}")

    cache.mkdir(parents=True, exist_ok=True)
    missing = [k for k in keys if not (cache / packages[k]["file_name"]).is_file()]
    if missing:
        specs = [f"{packages[k]['name']}=={packages[k]['version']}" for k in missing]
        # Pure wheels for Pyodide's Python, whatever Python runs pip.
        py = lock["info"]["python"].rsplit(".", 1)[0]
        pure = ["--only-binary=:all:", "--implementation=py", "--abi=none", "--platform=any"]
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *pure]
        subprocess.run([*pip, "--python-version", py, "-d", str(cache), *specs], check=True)

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for item in src.iterdir():
        if item.is_file() and item.name != "package.json":
            shutil.copy2(item, out / item.name)
    for key in keys:
        wheel = cache / packages[key]["file_name"]
        if not wheel.is_file():
            sys.exit(f"stage_pyodide: pip did not bring {wheel.name}")
        shutil.copy2(wheel, out / wheel.name)
        packages[key]["sha256"] = sha256(wheel)
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    print(f"stage_pyodide: {len(keys)} wheels from PyPI into {out}: {' '.join(keys)}")


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:])
