"""The Pyodide checks' Python side: the same scenarios run on any backend, as plain JSON.

Run by tests/pyodide/*.test.mjs inside Pyodide (the wasm engine, and the pure-Python one
forced by ``QUANT_BACKTEST_BACKEND=python``) and by the repository's ``.venv`` on the native
engine::

    QUANT_BACKTEST_BACKEND=rust .venv/bin/python tests/pyodide/scenarios.py tests/golden

which prints ``scenarios()`` as JSON. The tests then compare the answers key for key. Floats
are written as ``float.hex()`` so that the comparison is bit for bit (metrics are compared at
1e-9 relative by the JS side, the contract's tolerance; trades, equity and bars exactly).
``check_golden(dir)`` and ``check_errors(dir)`` check the golden files directly and return
the list of mismatches (empty when all pass). Needs neither numpy nor pandas.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import BacktestError, MarketData, RustEngine, generate_sample_data, indicators
from quant_backtest._result import METRIC_NAMES as ALL_METRICS
from quant_backtest._result import SEED_METRIC_NAMES as METRIC_NAMES
from quant_backtest._result import SEED_TRADE_FIELDS as TRADE_FIELDS
from quant_backtest._result import TRADE_FIELDS as ALL_TRADE_FIELDS

SPECIAL = {"NaN": math.nan, "inf": math.inf, "-inf": -math.inf}
NUMERIC = ("open", "high", "low", "close", "volume")
SINGLE = ("fast_period", "slow_period", "initial_capital", "commission_rate", "fill")
SINGLE += ("lot_size", "periods_per_year")
SETTINGS = ("initial_capital", "commission_rate", "fill", "lot_size", "periods_per_year")
REL = 1e-9


def _num(v: Any) -> Any:
    return SPECIAL.get(v, v) if isinstance(v, str) else v


def _decode(entry: dict) -> dict:
    """NaN / inf / -inf strings to floats in numeric places (tests/golden/README.md)."""
    data = entry.get("data")
    if data is not None:
        data = {k: ([_num(x) for x in v] if k in NUMERIC else v) for k, v in data.items()}
    params = entry.get("params")
    if params is not None:
        params = {k: (v if k == "fill" else _num(v)) for k, v in params.items()}
    return {**entry, "data": data, "params": params}


def load(golden: str, name: str) -> list[dict]:
    with open(Path(golden) / name, encoding="utf-8") as f:
        return [_decode(e) for e in json.load(f)]


def market_data(d: dict) -> MarketData:
    return MarketData(d["symbol"], d["dates"], *(d[k] for k in NUMERIC))


def _x(v: Any) -> Any:
    """Exact JSON form: floats by hex (NaN, inf and -0.0 included), the rest as is."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v.hex()
    if hasattr(v, "tolist"):  # a numpy scalar or array
        return _x(v.tolist())
    return [_x(i) for i in v]


def result_json(r: Any, details: bool = True) -> dict:
    out = {name: _x(getattr(r, name)) for name in METRIC_NAMES}
    out["fast_period"], out["slow_period"] = r.fast_period, r.slow_period
    if details:
        out["trades"] = [[_x(getattr(t, f)) for f in TRADE_FIELDS] for t in r.trades]
        out["equity_curve"] = [_x(float(e)) for e in r.equity_curve]
    return out


def bars_json(md: MarketData) -> dict:
    return {
        "symbol": md.symbol,
        "dates": list(md.dates),
        **{k: [_x(float(x)) for x in getattr(md, k)] for k in NUMERIC},
    }


def _message(call: Any) -> dict:
    try:
        call()
    except BacktestError as e:
        return {"error": "BacktestError", "value_error": isinstance(e, ValueError), "msg": str(e)}
    except Exception as e:  # noqa: BLE001 - what else is raised is part of the answer
        return {"error": type(e).__name__, "msg": str(e)}
    return {"error": None}


def extra_errors() -> dict:
    """Bad input checked by the Python layer or the engine outside errors.json (the Python
    test suite's list: types, sample-data arguments, huge integers)."""
    md = generate_sample_data("E", days=50, seed=1)
    e = RustEngine()
    cases = {
        "fast_float": lambda: e.run_sma_backtest(md, 2.0, 10),
        "slow_str": lambda: e.run_sma_backtest(md, 2, "10"),
        "fast_bool": lambda: e.run_sma_backtest(md, True, 10),
        "capital_str": lambda: e.run_sma_backtest(md, 2, 10, "1000"),
        "fill_none": lambda: e.run_sma_backtest(md, 2, 10, fill=None),
        "fill_bad": lambda: e.run_sma_backtest(md, 2, 10, fill="Close"),
        "fast_huge": lambda: e.run_sma_backtest(md, 2**60, 2**61),
        "slow_huge": lambda: e.run_sma_backtest(md, 2, 2**62),
        "fast_huge_negative": lambda: e.run_sma_backtest(md, -(2**63), 10),
        "slow_past_2_53": lambda: e.run_sma_backtest(md, 2, 2**53 + 1),
        "grid_huge": lambda: e.run_multiple_backtests(md, [2, 2**55], [10]),
        "grid_workers_huge_negative": lambda: e.run_multiple_backtests(md, [2], [10], -(2**60)),
        "grid_periods_str": lambda: e.run_multiple_backtests(md, "5", [10]),
        "grid_periods_float": lambda: e.run_multiple_backtests(md, [2.5], [10]),
        "grid_workers_float": lambda: e.run_grid(md, [2], [10], 1.5),
        "data_type": lambda: e.run_sma_backtest([1, 2, 3], 2, 3),
        "cell_str": lambda: MarketData("S", ["2024-01-01"], ["x"], [1.0], [1.0], [1.0], [1]),
        "cell_none": lambda: MarketData("S", ["2024-01-01"], [1.0], [None], [1.0], [1.0], [1]),
        "dates_one_string": lambda: MarketData("S", "2024-01-01", [1.0], [1.0], [1], [1], [1]),
        "dict_missing_column": lambda: e.run_sma_backtest({"dates": ["2024-01-01"]}, 1, 2),
        "date_newline": lambda: MarketData(
            "S", ["2024-01-01", "2024-01-02\n"], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]
        ),
        "cache_size": lambda: qb.CachedRustEngine(cache_size=-1),
    }
    for days in (0, -5, 2.5, -(2**60)):
        cases[f"sample_days_{days}"] = lambda d=days: generate_sample_data("BAD", days=d, seed=1)
    for name, kwargs in {
        "sample_price_zero": {"start_price": 0.0},
        "sample_price_negative": {"start_price": -1.0},
        "sample_price_nan": {"start_price": math.nan},
        "sample_price_inf": {"start_price": math.inf},
        "sample_price_overflow": {"start_price": 1.79e308},
        "sample_seed_negative": {"seed": -1},
        "sample_seed_2_64": {"seed": 2**64},
        "sample_seed_float": {"seed": 1.5},
    }.items():
        args = {"symbol": "BAD", "days": 10, "start_price": 100.0, "seed": 1, **kwargs}
        cases[name] = lambda a=args: generate_sample_data(**a)
    return {name: _message(call) for name, call in cases.items()}


def scenarios() -> dict:
    """The README's quick start, grids, options and sample bars, on whatever backend runs."""
    out: dict[str, Any] = {}
    data = generate_sample_data("DEMO", days=1_000, start_price=100.0, seed=42)
    engine = RustEngine()
    out["backend"] = engine.backend
    out["quick_start"] = result_json(engine.run_sma_backtest(data, fast_period=10, slow_period=30))
    out["grid"] = [
        [f, s, result_json(r, details=False)]
        for f, s, r in engine.run_multiple_backtests(data, range(5, 50, 5), range(20, 200, 20))
    ]
    out["grid_details"] = [
        [f, s, result_json(r)]
        for f, s, r in engine.run_multiple_backtests(
            data, [5, 10, 20], [30, 60], include_details=True, fill="close", lot_size=1
        )
    ]
    columns = engine.run_grid(data, range(2, 52), range(52, 249, 4), as_frame=False)
    out["run_grid"] = {k: [_x(v) for v in col] for k, col in columns.items()}
    out["options"] = {
        f"{fill}/{lot}/{com}/{cap}/{ppy}": result_json(
            engine.run_sma_backtest(
                data, 7, 41, cap, com, fill=fill, lot_size=lot, periods_per_year=ppy
            )
        )
        for fill in ("next_open", "close")
        for lot in (0, 1, 100)
        for com in (0.0, 0.0025)
        for cap in (10_000.0, 1e6)
        for ppy in (252, 12)
    }
    long = generate_sample_data("LONG", days=2_520, start_price=35.25, seed=7)
    out["long"] = result_json(engine.run_sma_backtest(long, 20, 100))
    out["sample"] = [
        bars_json(generate_sample_data("X", days=days, start_price=price, seed=seed))
        for days, price, seed in ((500, 100.0, 0), (257, 3.25, 2**64 - 1), (31, 1e6, 987654321))
    ]
    out["validate"] = [
        engine.validate_data(data),
        engine.validate_data({"dates": ["2024-01-01"], "open": [1.0]}),
    ]
    out["errors"] = extra_errors()
    out["strategy"] = strategy_scenarios()
    return out


def strategy_json(r: Any) -> dict:
    """A strategy result: every metric, the params, every trade field, the equity curve."""
    out = {name: _x(getattr(r, name)) for name in ALL_METRICS}
    out["params"] = {k: _x(v) for k, v in r.params.items()}
    out["trades"] = [[_x(getattr(t, f)) for f in ALL_TRADE_FIELDS] for t in r.trades]
    out["equity_curve"] = [_x(float(e)) for e in r.equity_curve]
    return out


def strategy_scenarios() -> dict:
    """The strategy API (SPEC part 8): builder strategies and presets, JSON text, placeholders,
    run_signals, a sweep, optimize, the indicators and refusals (message and code)."""
    data = generate_sample_data("STRAT", days=1_000, start_price=100.0, seed=42)
    e = RustEngine()
    fast, slow = qs.param("fast"), qs.param("slow")
    swept = qs.Strategy(
        entry=qs.sma(fast).crosses_above(qs.sma(slow)),
        exit=qs.sma(fast).crosses_below(qs.sma(slow)),
    )
    strategies = {
        "sma_cross": qs.sma_cross(10, 30),
        "rsi_stop": qs.Strategy(entry=qs.rsi(14) < 30, exit=qs.rsi(14) > 70, stop_loss=0.05),
        "both_sides": qs.Strategy(
            entry=qs.ema(12).crosses_above(qs.ema(26)) & (qs.close > qs.sma(50)),
            exit=qs.ema(12).crosses_below(qs.ema(26)),
            short_entry=qs.ema(12).crosses_below(qs.ema(26)),
            short_exit=qs.ema(12).crosses_above(qs.ema(26)),
            direction="both",
            trailing_stop=0.08,
            take_profit=0.2,
        ),
        "macd_preset": qs.macd_cross(),
        "bollinger_preset": qs.bollinger_reversion(),
        "donchian_preset": qs.donchian_breakout(),
    }
    out: dict[str, Any] = {"backend": e.backend}
    out["runs"] = {name: strategy_json(e.run_backtest(data, s)) for name, s in strategies.items()}
    out["json_text"] = strategy_json(e.run_backtest(data, strategies["both_sides"].to_json()))
    out["settings"] = strategy_json(
        e.run_backtest(
            data, strategies["sma_cross"], commission_rate=0.002, slippage=0.001, fill="close"
        )
    )
    out["params"] = strategy_json(e.run_backtest(data, swept, params={"fast": 7, "slow": 40}))
    entries = [i % 17 == 0 for i in range(len(data))]
    exits = [i % 17 == 9 for i in range(len(data))]
    out["signals"] = strategy_json(e.run_signals(data, entries, exits, stop_loss=0.03))
    out["signals_short"] = strategy_json(
        e.run_signals(data, None, None, exits, entries, direction="short_only")
    )
    grid = {"fast": [5, 10, 15], "slow": [20, 40, 60]}
    columns = e.sweep(data, swept, grid, as_frame=False)
    out["sweep"] = {k: [_x(v) for v in col] for k, col in columns.items()}
    kept = e.sweep(
        data, swept, grid, constraint=lambda p: p["fast"] * 3 <= p["slow"], as_frame=False
    )
    out["sweep_callable"] = {k: [_x(v) for v in col] for k, col in kept.items()}
    best, result = e.optimize(data, swept, grid, maximize="total_return")
    out["optimize"] = {"best": best, "result": strategy_json(result)}
    close = list(data.close)
    out["indicators"] = {
        "sma": _x(indicators.sma(close, 10)),
        "rsi": _x(indicators.rsi(close, 14)),
        "macd": [_x(o) for o in indicators.macd(close)],
        "bbands": [_x(o) for o in indicators.bbands(close, 20, 2.0)],
        "atr": _x(indicators.atr(list(data.high), list(data.low), close, 14)),
    }
    bad = {
        "setting_typo": lambda: e.run_backtest(data, strategies["sma_cross"], comission=0.1),
        "unknown_param": lambda: e.run_backtest(data, swept, params={"fast": 5, "slw": 20}),
        "float_period": lambda: e.run_backtest(data, swept, params={"fast": 5.0, "slow": 20}),
        "huge_period": lambda: e.run_backtest(data, qs.sma_cross(2**70, 30)),
        "bad_tree": lambda: e.run_backtest(data, {"entry": {}}),
        "signals_length": lambda: e.run_signals(data, [True, False]),
        "sweep_empty": lambda: e.sweep(
            data, swept, {"fast": [50], "slow": [10]}, qs.param("fast") < qs.param("slow")
        ),
        "metric_typo": lambda: e.optimize(data, swept, grid, maximize="sharpe"),
        "workers": lambda: e.sweep(data, swept, grid, max_workers=0, as_frame=False),
    }
    out["errors"] = {name: _coded(call) for name, call in bad.items()}
    # The engine still works after every refusal.
    out["after_errors"] = strategy_json(e.run_backtest(data, strategies["sma_cross"]))
    return out


def _coded(call: Any) -> dict:
    try:
        call()
    except BacktestError as e:
        return {"error": "BacktestError", "msg": str(e), "code": e.code}
    except Exception as e:  # noqa: BLE001 - what else is raised is part of the answer
        return {"error": type(e).__name__, "msg": str(e)}
    return {"error": None}


def compare(a: Any, b: Any, path: str = "", metric: bool = False) -> tuple[list[str], list[str]]:
    """Differences between two ``scenarios()`` answers: everything exactly, except metrics
    (at 1e-9 relative, the contract), timings and the backend's name (ignored). Returns
    (differences, the metric values that matched only within the tolerance, not bit for
    bit)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"], []
        pairs = [(f"{path}.{k}", a[k], b[k], k in ALL_METRICS) for k in a]
        pairs = [p for p in pairs if not p[0].endswith((".backend", ".execution_time_ms"))]
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = [(f"{path}[{i}]", x, y, metric) for i, (x, y) in enumerate(zip(a, b))]
    else:
        if a == b:
            return [], []
        if metric and isinstance(a, str) and isinstance(b, str):
            x, y = float.fromhex(a), float.fromhex(b)
            if _close(x, y):
                return [], [f"{path}: {x!r} vs {y!r}"]
            return [f"{path}: {x!r} != {y!r}"], []
        return [f"{path}: {a!r} != {b!r}"], []
    diffs: list[str] = []
    inexact: list[str] = []
    for where, x, y, m in pairs:
        d, n = compare(x, y, where, m)
        diffs += d
        inexact += n
    return diffs, inexact


# -- the golden files -------------------------------------------------------------------------


def _close(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=REL, abs_tol=1e-12)


def _compare(result: Any, expected: dict, where: str) -> list[str]:
    bad = []
    trades = expected["trades"]
    if len(result.trades) != len(trades):
        return [f"{where}: {len(result.trades)} trades, expected {len(trades)}"]
    for i, (got, want) in enumerate(zip(result.trades, trades)):
        for name in TRADE_FIELDS:
            g, w = getattr(got, name), want[name]
            ok = g == w if isinstance(w, (int, str)) else _close(g, w)
            if not ok:
                bad.append(f"{where}: trade {i} {name} {g!r} != {w!r}")
    eq = [float(x) for x in result.equity_curve]
    if len(eq) != len(expected["equity_curve"]):
        bad.append(f"{where}: equity has {len(eq)} bars")
    bad += [
        f"{where}: equity[{t}] {g!r} != {w!r}"
        for t, (g, w) in enumerate(zip(eq, expected["equity_curve"]))
        if not _close(g, w)
    ]
    for name in METRIC_NAMES:
        g, w = getattr(result, name), expected["metrics"][name]
        if not _close(g, w) or (name == "trade_count" and (g != w or type(g) is not int)):
            bad.append(f"{where}: {name} {g!r} != {w!r}")
    return bad


def check_golden(golden: str) -> dict:
    """Every case of cases.json, alone and as the only pair of a grid (with details)."""
    engine = RustEngine()
    bad: list[str] = []
    cases = load(golden, "cases.json")
    for case in cases:
        data = market_data(case["data"])
        p = case["params"]
        single = engine.run_sma_backtest(data, **{k: p[k] for k in SINGLE})
        if single.backend != engine.backend:
            bad.append(f"{case['name']}: result backend {single.backend}")
        bad += _compare(single, case["expected"], case["name"])
        [(f, s, grid)] = engine.run_multiple_backtests(
            data,
            [p["fast_period"]],
            [p["slow_period"]],
            include_details=True,
            **{k: p[k] for k in SETTINGS},
        )
        bad += _compare(grid, case["expected"], case["name"] + " (grid)")
    return {"backend": engine.backend, "cases": len(cases), "failures": bad}


def check_errors(golden: str) -> dict:
    """Every bad input of errors.json is refused with exactly its message (a BacktestError,
    so a ValueError), and the engine still works afterwards."""
    engine = RustEngine()
    bad: list[str] = []
    cases = load(golden, "errors.json")
    checked = 0

    def expect(name: str, call: Any, message: str) -> None:
        nonlocal checked
        got = _message(call)
        checked += 1
        if got != {"error": "BacktestError", "value_error": True, "msg": message}:
            bad.append(f"{name}: {got} != {message!r}")

    for case in cases:
        name, message, p = case["name"], case["error"], case["params"]
        if case["call"] == "market_data":
            expect(name, lambda c=case: market_data(c["data"]), message)
            if engine.validate_data(dict(case["data"])) is not False:
                bad.append(f"{name}: validate_data is not False")
        elif case["call"] == "backtest":
            data = market_data(case["data"])
            kwargs = {k: p[k] for k in SINGLE}
            expect(name, lambda d=data, k=kwargs: engine.run_sma_backtest(d, **k), message)
        elif case["call"] == "grid":
            data = market_data(case["data"])
            args = (p["fast_periods"], p["slow_periods"], p["max_workers"])
            kwargs = {k: p[k] for k in SETTINGS}
            for method in (engine.run_multiple_backtests, engine.run_grid):
                expect(
                    f"{name} ({method.__name__})",
                    lambda m=method, d=data, a=args, k=kwargs: m(d, *a, **k),
                    message,
                )
        else:
            bad.append(f"{name}: unknown call {case['call']!r}")
        ok = generate_sample_data("OK", days=60, seed=11)
        if len(engine.run_sma_backtest(ok, 3, 9).equity_curve) != 60:
            bad.append(f"{name}: the engine does not work afterwards")
    return {"backend": engine.backend, "cases": len(cases), "checked": checked, "failures": bad}


def check_sample_data(golden: str) -> dict:
    """generate_sample_data equals tests/golden/sample_data.json bit for bit."""
    with open(Path(golden) / "sample_data.json", encoding="utf-8") as f:
        entries = json.load(f)
    bad = []
    for entry in entries:
        a = entry["args"]
        md = generate_sample_data(a["symbol"], a["days"], a["start_price"], int(a["seed"]))
        want = entry["bars"]
        got = bars_json(md)
        for key in ("symbol", "dates"):
            if got[key] != want[key]:
                bad.append(f"{a}: {key} differs")
        for key in NUMERIC:
            if got[key] != [float(x).hex() for x in want[key]]:
                bad.append(f"{a}: {key} differs")
    return {"cases": len(entries), "failures": bad}


if __name__ == "__main__":
    golden = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parents[1] / "golden")
    json.dump(
        {
            "scenarios": scenarios(),
            "golden": check_golden(golden),
            "errors": check_errors(golden),
            "sample": check_sample_data(golden),
        },
        sys.stdout,
    )


# -- the example notebook ---------------------------------------------------------------------


def notebook_source(path: str) -> str:
    """The code cells of a notebook as one script, IPython magics (``%pip``) left out."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return "\n\n".join(
        "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith("%"))
        for cell in cells
    )


def run_notebook(path: str, fake_display: bool) -> dict:
    """Runs the notebook's code; with ``fake_display`` an ``IPython.display`` stand-in records
    what it would show (as in JupyterLite), else the package must do without IPython."""
    import contextlib
    import io
    import types

    shown: list[list[str]] = []
    saved = {k: sys.modules.get(k) for k in ("IPython", "IPython.display")}
    if fake_display:
        display_module = types.ModuleType("IPython.display")

        class _Shown:
            def __init__(self, data: str) -> None:
                self.data = data

        class HTML(_Shown):
            pass

        class SVG(_Shown):
            pass

        def display(obj: Any) -> None:
            shown.append([type(obj).__name__, str(getattr(obj, "data", obj))])

        display_module.HTML, display_module.SVG, display_module.display = HTML, SVG, display
        ipython = types.ModuleType("IPython")
        ipython.display = display_module  # type: ignore[attr-defined]
        sys.modules["IPython"], sys.modules["IPython.display"] = ipython, display_module
    else:
        sys.modules["IPython"] = None  # type: ignore[assignment]  # import fails
        sys.modules.pop("IPython.display", None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(notebook_source(path), path, "exec"), {"__name__": "__main__"})
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return {"stdout": out.getvalue(), "shown": shown}
