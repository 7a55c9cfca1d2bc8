"""Shared fixtures: one test body, both backends; the golden files.

* ``backend`` runs a test once on ``"rust"`` and once on ``"python"``, setting
  ``QUANT_BACKTEST_BACKEND`` (the package reads it at call time). When the native module is
  missing the ``rust`` run is skipped with a reason, unless ``QUANT_BACKTEST_EXPECT_NATIVE=1``
  (set by ``npm test`` / CI), where it fails: a silent fallback cannot pass.
* ``engine`` is ``RustEngine(use_rust=(backend == "rust"))`` and checks it runs on ``backend``.
* ``both_engines`` gives ``(rust_engine, python_engine)`` for tests that compare the two.
* ``golden_cases`` / ``golden_errors`` load ``tests/golden/cases.json`` / ``errors.json`` with
  the strings ``"NaN"``, ``"inf"``, ``"-inf"`` in numeric positions turned into floats. Tests
  that take a ``golden_case`` or ``golden_error`` argument are parametrized over every case.

(test_peers.py defines its own ``backend`` / ``engine``; a module's fixtures win over these.)
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import quant_backtest
from quant_backtest import RustEngine
from quant_backtest import _backend as backend_module

BACKENDS = ("rust", "python")
ENV_VAR = "QUANT_BACKTEST_BACKEND"
EXPECT_NATIVE_VAR = "QUANT_BACKTEST_EXPECT_NATIVE"
GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"

NUMERIC_COLUMNS = ("open", "high", "low", "close", "volume")
NON_NUMERIC_PARAMS = ("fill",)
SPECIAL_FLOATS = {"NaN": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def expect_native() -> bool:
    """Whether the run demands the native module (CI: ``QUANT_BACKTEST_EXPECT_NATIVE=1``)."""
    return os.environ.get(EXPECT_NATIVE_VAR, "").strip() == "1"


def native_available() -> bool:
    return backend_module.native_module() is not None


def require_native() -> None:
    """Fail (native expected) or skip with a reason (not expected) when it is missing."""
    if native_available():
        return
    error = getattr(backend_module, "_IMPORT_ERROR", None)
    if expect_native():
        pytest.fail(
            f"{EXPECT_NATIVE_VAR}=1 but quant_backtest._native cannot be imported ({error}); "
            "build it with `.venv/bin/maturin develop --release`"
        )
    pytest.skip(
        f"the native module quant_backtest._native is not built ({error}); "
        f"set {EXPECT_NATIVE_VAR}=1 to make this a failure"
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name = request.param
    if name == "rust":
        require_native()
    monkeypatch.setenv(ENV_VAR, name)
    return name


@pytest.fixture
def engine(backend: str) -> RustEngine:
    eng = RustEngine(use_rust=(backend == "rust"))
    assert eng.backend == backend
    assert eng.get_engine_info()["backend"] == backend
    return eng


@pytest.fixture
def both_engines(monkeypatch: pytest.MonkeyPatch) -> tuple[RustEngine, RustEngine]:
    """``(rust, python)`` engines side by side (the environment variable cleared, so that
    ``use_rust`` alone decides)."""
    require_native()
    monkeypatch.delenv(ENV_VAR, raising=False)
    rust = RustEngine(use_rust=True)
    python = RustEngine(use_rust=False)
    assert (rust.backend, python.backend) == ("rust", "python")
    return rust, python


# -- golden files ---------------------------------------------------------------------------


def _number(value: Any) -> Any:
    if isinstance(value, str) and value in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[value]
    return value


def _decode(entry: dict) -> dict:
    """NaN / inf / -inf strings to floats in the numeric arrays and numeric parameters."""
    entry = copy.deepcopy(entry)
    data = entry.get("data")
    if data is not None:
        for column in NUMERIC_COLUMNS:
            if column in data:
                data[column] = [_number(v) for v in data[column]]
    params = entry.get("params")
    if params is not None:
        for key, value in params.items():
            if key not in NON_NUMERIC_PARAMS:
                params[key] = _number(value)
    return entry


@cache
def _load(name: str) -> tuple:
    with open(GOLDEN_DIR / name, encoding="utf-8") as f:
        raw = json.load(f)
    assert isinstance(raw, list) and raw, f"{name} holds no case"
    return tuple(raw)


def load_golden_cases() -> list[dict]:
    """``cases.json``: a fresh, decoded copy (tests may not share mutable state)."""
    return [_decode(c) for c in _load("cases.json")]


def load_golden_errors() -> list[dict]:
    """``errors.json``: a fresh, decoded copy."""
    return [_decode(c) for c in _load("errors.json")]


@pytest.fixture
def golden_cases() -> list[dict]:
    return load_golden_cases()


@pytest.fixture
def golden_errors() -> list[dict]:
    return load_golden_errors()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "golden_case" in metafunc.fixturenames:
        cases = load_golden_cases()
        metafunc.parametrize("golden_case", cases, ids=[c["name"] for c in cases])
    if "golden_error" in metafunc.fixturenames:
        errors = load_golden_errors()
        metafunc.parametrize("golden_error", errors, ids=[c["name"] for c in errors])


def market_data_from(data: dict) -> quant_backtest.MarketData:
    """``MarketData`` from a golden ``data`` object."""
    return quant_backtest.MarketData(
        data["symbol"],
        data["dates"],
        data["open"],
        data["high"],
        data["low"],
        data["close"],
        data["volume"],
    )
