"""Which engine runs: the compiled Rust engine or the pure-Python fallback.

The compiled engine is the native module ``quant_backtest._native`` (pyo3) or, under Pyodide
(``sys.platform == "emscripten"``, where no native module exists), the wasm build of the same
Rust core shipped inside the wheel (``_wasm_bridge``, started on first use). Both offer the same
interface (``engine_module()``); ``engine_name()`` says which: ``"rust"`` or ``"wasm"``.

``QUANT_BACKTEST_BACKEND`` chooses at call time: ``python`` forces the fallback, ``rust``
demands the compiled engine (an ``ImportError`` if it is missing or, under Pyodide, if the wasm
engine cannot start, so a silent fallback cannot pass a test), anything else or unset lets
``use_rust`` decide. A compiled engine that is asked for but missing warns once and falls back.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from types import ModuleType
from typing import Any, Optional

ENV_VAR = "QUANT_BACKTEST_BACKEND"
IS_EMSCRIPTEN = sys.platform == "emscripten"

_native: Optional[ModuleType]
try:
    from . import _native  # type: ignore[attr-defined, no-redef]

    _IMPORT_ERROR: Optional[BaseException] = None
except ImportError as error:  # the wheel was built without it, or it can't load here
    _native = None
    _IMPORT_ERROR = error

_warned = False

# The wasm engine (Pyodide only): started once, on first use.
_wasm: Optional[ModuleType] = None
_WASM_ERROR: Optional[BaseException] = None
_wasm_tried = False
_wasm_lock = threading.Lock()


def native_module() -> Optional[ModuleType]:
    """The native module, or None when it is missing."""
    return _native


def is_native_available() -> bool:
    """Whether the native (pyo3) Rust engine can be imported."""
    return _native is not None


def wasm_module() -> Optional[ModuleType]:
    """Under Pyodide: the wasm engine (started on the first call), or None when it cannot
    start (``_WASM_ERROR`` says why). Elsewhere always None, and nothing is tried."""
    global _wasm, _WASM_ERROR, _wasm_tried
    if not IS_EMSCRIPTEN:
        return None
    with _wasm_lock:
        if not _wasm_tried:
            _wasm_tried = True
            try:
                from . import _wasm_bridge

                _wasm = _wasm_bridge.start()
            except Exception as error:  # a missing file, a JS error, no `js` module, ...
                _WASM_ERROR = error
        return _wasm


def engine_module() -> Optional[Any]:
    """The compiled engine: the native module, else (Pyodide) the wasm one, else None."""
    return _native if _native is not None else wasm_module()


def engine_name() -> str:
    """What the compiled engine is called in ``get_engine_info()``: ``"rust"`` or ``"wasm"``."""
    return "rust" if _native is not None else "wasm"


def is_engine_available() -> bool:
    """Whether a compiled Rust engine (native, or wasm under Pyodide) can run."""
    return engine_module() is not None


def requested() -> str:
    """The backend the environment asks for: ``"python"``, ``"rust"`` or ``"auto"``."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    return value if value in ("python", "rust") else "auto"


def use_native(use_rust: bool = True) -> bool:
    """Whether a new engine (or data) should use the compiled engine (native or wasm)."""
    choice = requested()
    if choice == "python" or not use_rust:
        return False
    if _native is not None or wasm_module() is not None:
        return True
    if IS_EMSCRIPTEN:
        what, why = "the wasm engine could not start", _WASM_ERROR
    else:
        what, why = "the native Rust module is not available", _IMPORT_ERROR
    if choice == "rust":
        if IS_EMSCRIPTEN:
            raise ImportError(f"{ENV_VAR}=rust but {what} ({why}); reinstall the wheel")
        raise ImportError(
            f"{ENV_VAR}=rust but the native module quant_backtest._native is missing "
            f"({_IMPORT_ERROR}); build it with `pip install .` or `maturin develop`"
        )
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            f"quant_backtest: {what} ({why}); using the pure-Python engine, which gives the "
            "same answers more slowly",
            RuntimeWarning,
            stacklevel=3,
        )
    return False
