"""The package imports and runs with neither numpy nor pandas (Pyodide, minimal installs).

A fresh interpreter blocks both imports (a ``sys.meta_path`` finder installed before
``quant_backtest`` is imported), then runs the main calls on both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ENV_VAR, EXPECT_NATIVE_VAR, expect_native, native_available
from quant_backtest import generate_sample_data

SCRIPT = textwrap.dedent(
    """
    import json
    import os
    import sys


    class BlockNumpyAndPandas:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("numpy", "pandas"):
                raise ImportError(f"blocked for this test: {name}")
            return None


    sys.meta_path.insert(0, BlockNumpyAndPandas())
    for name in list(sys.modules):
        if name.split(".")[0] in ("numpy", "pandas"):
            del sys.modules[name]

    try:
        import numpy  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the numpy block does not work")

    import quant_backtest as qb

    report = {}
    for backend in sys.argv[1:]:
        os.environ["QUANT_BACKTEST_BACKEND"] = backend
        engine = qb.RustEngine()
        out = {"engine_backend": engine.backend, "info": engine.get_engine_info()["backend"]}
        data = qb.generate_sample_data("NONP", days=250, seed=9)
        out["close_type"] = type(data.close).__name__
        out["close_hex"] = [float(x).hex() for x in data.close[:5]]
        out["fingerprint"] = data.fingerprint
        result = engine.run_sma_backtest(data, 5, 20, fill="close", lot_size=1)
        out["result_backend"] = result.backend
        out["equity_type"] = type(result.equity_curve).__name__
        out["equity_len"] = len(result.equity_curve)
        out["trades"] = [list(t) for t in result.trades]
        out["metrics"] = [result.total_return, result.sharpe_ratio, result.max_drawdown]
        json.dumps(result.to_dict())
        grid = engine.run_multiple_backtests(data, [3, 5, 30], [10, 20], include_details=True)
        out["grid_pairs"] = [[f, s] for f, s, _ in grid]
        out["grid_equity_type"] = type(grid[0][2].equity_curve).__name__
        out["grid_total_returns"] = [r.total_return for _, _, r in grid]
        columns = engine.run_grid(data, [3, 5, 30], [10, 20])
        out["columns_type"] = type(columns).__name__
        out["column_types"] = sorted({type(v).__name__ for v in columns.values()})
        out["columns"] = columns
        try:
            qb.MarketData("BAD", ["2020-01-01", "2020-01-02"], [1.0, 1.0], [1.0, 0.5],
                          [1.0, 0.9], [1.0, 1.0], [10, 10])
        except qb.BacktestError as e:
            out["error"] = str(e)
            out["error_is_value_error"] = isinstance(e, ValueError)
        try:
            engine.run_sma_backtest(data, 20, 5)
        except ValueError as e:
            out["param_error"] = str(e)
        out["validate_bad"] = engine.validate_data(
            {"dates": ["2020-01-01"], "open": [1.0], "high": [1.0], "low": [1.0],
             "close": [float("nan")], "volume": [1]})
        cached = qb.CachedRustEngine()
        cached.run_sma_backtest(data, 5, 20)
        cached.run_sma_backtest(qb.generate_sample_data("NONP", days=250, seed=9), 5, 20)
        out["cache_stats"] = cached.get_cache_stats()
        out["benchmark_match"] = qb.benchmark_engine(data, 5, 20, iterations=1)["results_match"]
        out["modules"] = sorted(
            m for m in sys.modules if m.split(".")[0] in ("numpy", "pandas"))
        report[backend] = out
    print(json.dumps(report))
    """
)


def _run(backends: list[str]) -> dict:
    env = dict(os.environ)
    env.pop(ENV_VAR, None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, *backends],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def report() -> dict:
    backends = ["python"]
    if native_available():
        backends.append("rust")
    elif expect_native():
        pytest.fail(f"{EXPECT_NATIVE_VAR}=1 but the native module is missing")
    return _run(backends)


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_runs_without_numpy_and_pandas(report, backend):
    if backend not in report:
        pytest.skip("the native module is not built (set QUANT_BACKTEST_EXPECT_NATIVE=1 to fail)")
    out = report[backend]
    assert out["engine_backend"] == backend
    assert out["info"] == backend
    assert out["result_backend"] == backend
    assert out["modules"] == []  # neither got in
    assert out["close_type"] == "tuple"
    assert out["equity_type"] == "list"
    assert out["grid_equity_type"] == "list"
    assert out["equity_len"] == 250
    assert out["trades"], "the sample should trade"
    for trade in out["trades"]:
        assert float(trade[6]).is_integer()  # lot_size=1: whole shares
    assert out["grid_pairs"] == [[3, 10], [3, 20], [5, 10], [5, 20]]
    assert out["columns_type"] == "dict"
    assert out["column_types"] == ["list"]
    cols = out["columns"]
    assert cols["fast_period"] == [3, 3, 5, 5]
    assert cols["slow_period"] == [10, 20, 10, 20]
    assert cols["total_return"] == out["grid_total_returns"]
    assert out["error"] == "high at row 1 is below low (0.5 < 0.9)"
    assert out["error_is_value_error"] is True
    assert out["param_error"] == "fast_period (20) must be less than slow_period (5)"
    assert out["validate_bad"] is False
    assert (out["cache_stats"]["hits"], out["cache_stats"]["misses"]) == (1, 1)
    assert out["benchmark_match"] is (True if backend == "rust" else None)  # python: no native run
    # the content key does not depend on numpy: same bars, same fingerprint as here
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_VAR, "python")
        here = generate_sample_data("NONP", days=250, seed=9)
    assert out["fingerprint"] == here.fingerprint
    assert out["close_hex"] == [x.hex() for x in here.close[:5].tolist()]


def test_both_backends_agree_without_numpy(report):
    if "rust" not in report:
        pytest.skip("the native module is not built (set QUANT_BACKTEST_EXPECT_NATIVE=1 to fail)")
    rust, python = report["rust"], report["python"]
    for key in ("close_hex", "trades", "grid_pairs", "columns", "error", "param_error"):
        assert rust[key] == python[key], key
    for a, b in zip(rust["metrics"], python["metrics"]):
        assert a == pytest.approx(b, rel=1e-9)
