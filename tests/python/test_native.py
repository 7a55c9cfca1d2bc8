"""The native module: that it is really used when expected (no silent fallback), how the backend
is chosen, that its calls release the GIL, and what happens when it is missing."""

from __future__ import annotations

import sys
import threading
import time
import warnings
from typing import Callable

import pytest

import quant_backtest
from conftest import ENV_VAR, expect_native, require_native
from quant_backtest import RustEngine, generate_sample_data
from quant_backtest import _backend as backend_module


def test_native_module_is_used_when_expected(monkeypatch):
    """With QUANT_BACKTEST_EXPECT_NATIVE=1 (CI) the native module must import and a default
    engine must run on it: this is the test a silent fallback to pure Python fails."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    try:
        import quant_backtest._native as native
    except ImportError as error:
        native = None
        import_error: BaseException | None = error
    else:
        import_error = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the "missing" warning, if any
        info = RustEngine().get_engine_info()
    if expect_native():
        assert native is not None, f"quant_backtest._native cannot be imported: {import_error}"
        assert info["backend"] == "rust", info
        assert info["native_available"] is True
        assert RustEngine.is_rust_available() is True
    else:  # not demanded: whatever is installed must be what runs
        assert info["backend"] == ("rust" if native is not None else "python"), info
        assert info["native_available"] is (native is not None)
        assert RustEngine.is_rust_available() is (native is not None)


def test_native_versions_and_threads(monkeypatch):
    require_native()
    monkeypatch.delenv(ENV_VAR, raising=False)
    info = RustEngine().get_engine_info()
    assert info["backend"] == "rust"
    assert info["version"] == quant_backtest.__version__
    assert info["native_version"] == quant_backtest.__version__
    assert info["requested_by_env"] == "auto"
    assert isinstance(info["threads"], int) and info["threads"] >= 1
    assert RustEngine().get_engine_info(max_workers=1)["threads"] == 1


def test_env_python_forces_the_fallback(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "python")
    engine = RustEngine(use_rust=True)
    assert engine.backend == "python"
    info = engine.get_engine_info()
    assert info["backend"] == "python"
    assert info["requested_by_env"] == "python"
    assert info["threads"] == 1
    data = generate_sample_data("ENV", days=80, seed=1)
    assert engine.run_sma_backtest(data, 5, 20).backend == "python"
    assert quant_backtest.run_sma_backtest(data, 5, 20).backend == "python"
    _, _, grid_result = engine.run_multiple_backtests(data, [5], [20])[0]
    assert grid_result.backend == "python"
    # Also with odd spelling: the variable is trimmed and case-insensitive.
    monkeypatch.setenv(ENV_VAR, "  Python ")
    assert RustEngine().backend == "python"


def test_use_rust_false_forces_the_fallback(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    engine = RustEngine(use_rust=False)
    assert engine.backend == "python"
    assert engine.get_engine_info()["backend"] == "python"
    data = generate_sample_data("OFF", days=80, seed=2)
    assert engine.run_sma_backtest(data, 5, 20).backend == "python"
    assert quant_backtest.create_engine(use_rust=False).backend == "python"


def test_env_rust_uses_the_native_engine(monkeypatch):
    require_native()
    monkeypatch.setenv(ENV_VAR, "rust")
    engine = RustEngine()
    assert engine.backend == "rust"
    data = generate_sample_data("NAT", days=80, seed=3)
    assert engine.run_sma_backtest(data, 5, 20).backend == "rust"
    assert quant_backtest.run_sma_backtest(data, 5, 20).backend == "rust"


def _counter_advance_during(call: Callable[[], object]) -> int:
    """How far a pure-Python counting thread gets while the main thread runs ``call``.

    The switch interval is set far above the call's length, so the interpreter never takes the
    GIL from the main thread by itself: the counter can only run while ``call`` has released
    the GIL. A call that holds it gives 0 (checked with a GIL-holding control below); a call
    that releases it lets the counter run on the other core for its whole length. The counter
    gives the GIL back now and then (``sleep(0)``) so the main thread gets it back quickly."""
    count = [0]
    stop = [False]
    started = threading.Event()

    def spin() -> None:
        started.set()
        n = 0
        while not stop[0]:
            n += 1
            count[0] = n
            if n % 1000 == 0:
                time.sleep(0)

    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    thread = threading.Thread(target=spin, daemon=True)
    try:
        thread.start()
        started.wait()
        before = count[0]
        call()
        after = count[0]
    finally:
        stop[0] = True
        thread.join()
        sys.setswitchinterval(old)
    return after - before


def test_native_engine_releases_the_gil(monkeypatch):
    require_native()
    monkeypatch.delenv(ENV_VAR, raising=False)
    engine = RustEngine()
    assert engine.backend == "rust"
    data = generate_sample_data("GIL", days=25_000, seed=5)
    fasts = list(range(2, 22))
    slows = list(range(30, 330, 20))  # 20 x 15 = 300 pairs, every fast < slow
    results: list = []

    def native_grid() -> None:
        results.append(engine.run_multiple_backtests(data, fasts, slows, max_workers=1))

    # The control: a C call that keeps the GIL gives the counter no time at all.
    control = _counter_advance_during(lambda: sum(range(2_000_000)))
    advance = 0
    for _ in range(3):  # a busy machine may not schedule the counter at once: retry
        advance = max(advance, _counter_advance_during(native_grid))
        if advance >= 1_000:
            break
    assert all(len(r) == 300 for r in results)
    assert control < 1_000, f"the measurement is broken: the counter ran {control} times"
    assert advance >= 1_000, (
        f"the counter thread advanced only {advance} times during a 25,000-bar x 300-pair "
        "native grid: the native engine did not release the GIL"
    )


def test_missing_native_module_warns_once_and_falls_back(monkeypatch):
    monkeypatch.setattr(backend_module, "_native", None)
    monkeypatch.setattr(backend_module, "_warned", False)
    monkeypatch.setattr(backend_module, "_IMPORT_ERROR", ImportError("simulated"))
    monkeypatch.delenv(ENV_VAR, raising=False)

    assert RustEngine.is_rust_available() is False
    with pytest.warns(RuntimeWarning, match="native Rust module is not available") as record:
        engine = RustEngine(use_rust=True)
    assert len([w for w in record if issubclass(w.category, RuntimeWarning)]) == 1
    assert engine.backend == "python"
    info = engine.get_engine_info()
    assert info["backend"] == "python"
    assert info["native_available"] is False

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second warning would raise here
        again = RustEngine(use_rust=True)
        data = generate_sample_data("MISS", days=60, seed=4)
        result = again.run_sma_backtest(data, 3, 10)
        assert quant_backtest.run_sma_backtest(data, 3, 10).backend == "python"
    assert again.backend == "python"
    assert result.backend == "python"
    bench = quant_backtest.benchmark_engine(data, 3, 10, iterations=1)
    assert bench["rust_time_ms"] is None and bench["speedup"] is None
    assert bench["results_match"] is None

    monkeypatch.setenv(ENV_VAR, "rust")
    with pytest.raises(ImportError, match=f"{ENV_VAR}=rust"):
        RustEngine()
    with pytest.raises(ImportError):
        generate_sample_data("MISS", days=10, seed=1)


def test_env_python_does_not_warn_when_native_is_missing(monkeypatch):
    monkeypatch.setattr(backend_module, "_native", None)
    monkeypatch.setattr(backend_module, "_warned", False)
    monkeypatch.setenv(ENV_VAR, "python")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine = RustEngine(use_rust=True)
    assert engine.backend == "python"
    assert backend_module._warned is False
