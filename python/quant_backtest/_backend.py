"""Which engine runs: the native Rust module or the pure-Python fallback.

``QUANT_BACKTEST_BACKEND`` chooses at call time: ``python`` forces the fallback, ``rust``
demands the native module (an ``ImportError`` if it is missing, so a silent fallback cannot
pass a test), anything else or unset lets ``use_rust`` decide.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType
from typing import Optional

ENV_VAR = "QUANT_BACKTEST_BACKEND"

_native: Optional[ModuleType]
try:
    from . import _native  # type: ignore[attr-defined, no-redef]

    _IMPORT_ERROR: Optional[BaseException] = None
except ImportError as error:  # the wheel was built without it, or it can't load here
    _native = None
    _IMPORT_ERROR = error

_warned = False


def native_module() -> Optional[ModuleType]:
    """The native module, or None when it is missing."""
    return _native


def is_native_available() -> bool:
    """Whether the compiled Rust engine can be imported."""
    return _native is not None


def requested() -> str:
    """The backend the environment asks for: ``"python"``, ``"rust"`` or ``"auto"``."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    return value if value in ("python", "rust") else "auto"


def use_native(use_rust: bool = True) -> bool:
    """Whether a new engine (or data) should use the native module."""
    choice = requested()
    if choice == "python" or not use_rust:
        return False
    if _native is not None:
        return True
    if choice == "rust":
        raise ImportError(
            f"{ENV_VAR}=rust but the native module quant_backtest._native is missing "
            f"({_IMPORT_ERROR}); build it with `pip install .` or `maturin develop`"
        )
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            "quant_backtest: the native Rust module is not available "
            f"({_IMPORT_ERROR}); using the pure-Python engine, which gives the same answers "
            "more slowly",
            RuntimeWarning,
            stacklevel=3,
        )
    return False
