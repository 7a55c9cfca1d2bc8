"""The portfolio checks' Python side (SPEC part 10): the same portfolio scenarios on any
backend, as plain JSON (floats by ``float.hex()``), and the portfolio golden files.

Run by tests/pyodide/portfolio.test.mjs inside Pyodide (the wasm engine) and by the
repository's ``.venv`` on the native engine::

    QUANT_BACKTEST_BACKEND=rust .venv/bin/python tests/pyodide/portfolio_scenarios.py tests/golden

which prints ``{"scenarios": ..., "golden": ..., "errors": ...}``; the test compares the
scenarios key for key with ``scenarios.compare`` (exact, metrics at 1e-9). Needs neither numpy
nor pandas.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import RustEngine, _backend

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import _coded, bars_json  # noqa: E402 - beside this file, in Pyodide too

REL = 1e-9


def plain(v: Any) -> Any:
    """Exact JSON form of anything a result holds: floats by hex, dicts and sequences walked,
    numpy arrays and scalars as their Python values."""
    if isinstance(v, bool) or v is None or isinstance(v, (str, int)):
        return v
    if isinstance(v, float):
        return v.hex()
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    return [plain(x) for x in v]


def portfolio_json(r: qb.PortfolioResult) -> dict:
    return plain(r.to_dict())


def _swept() -> qs.Strategy:
    fast, slow = qs.param("fast"), qs.param("slow")
    return qs.Strategy(
        entry=qs.sma(fast).crosses_above(qs.sma(slow)),
        exit=qs.sma(fast).crosses_below(qs.sma(slow)),
    )


def engine_columns(u: qb.Universe) -> dict:
    """What the compiled engine module's ``run_portfolio`` returns, made plain: the dict the
    native door and the wasm bridge must give alike (keys, labels, rows)."""
    engine = _backend.engine_module().Engine()
    out = engine.run_portfolio(
        u._native_handle(), qs.sma_cross(10, 30).to_dict(), {"max_positions": 2}, {}
    )
    del out["execution_time_ms"]
    return {
        "keys": list(out),
        "trade_keys": list(out["trades"]),
        "plain": plain(out),
        "universe_len": len(u._native_handle()),
        "universe_dates": list(u._native_handle().dates()) == list(u.dates),
    }


def portfolio_scenarios() -> dict:
    """A sample universe's bars, runs (one strategy, equal slots, params, a strategy per
    symbol, both sides with stops), sweeps (a grid, slots, a callable constraint), optimize,
    the engine module's raw columns, and refusals (message and code)."""
    e = RustEngine()
    u = qb.generate_sample_universe(4, days=400, seed=11)
    named = qb.generate_sample_universe(["AAA", "BBB", "CCC"], days=120, seed=2**64 - 1)
    swept = _swept()
    both = qs.Strategy(
        entry=qs.ema(12).crosses_above(qs.ema(26)),
        exit=qs.ema(12).crosses_below(qs.ema(26)),
        short_entry=qs.ema(12).crosses_below(qs.ema(26)),
        short_exit=qs.ema(12).crosses_above(qs.ema(26)),
        direction="both",
        stop_loss=0.04,
        take_profit=0.15,
    )
    rsi = qs.Strategy(entry=qs.rsi(14) < 35.5, exit=qs.rsi(14) > 64.5)
    per_symbol = {s: qs.sma_cross(5, 20) if i % 2 else rsi for i, s in enumerate(u.symbols)}
    out: dict[str, Any] = {"backend": e.backend}
    out["sample"] = {
        "symbols": list(u.symbols),
        "dates": list(u.dates),
        "assets": [bars_json(a) for a in u],
        "named": [bars_json(a) for a in named],
    }
    runs = {
        "sma_cross": e.run_portfolio(u, qs.sma_cross(10, 30)),
        "slots": e.run_portfolio(u, qs.sma_cross(10, 30), max_positions=2, commission_rate=0.001),
        "params": e.run_portfolio(u, swept, params={"fast": 7, "slow": 40}, size=0.5),
        "per_symbol": e.run_portfolio(u, per_symbol, fill="close"),
        "both_sides": e.run_portfolio(u, both, size=0.3, slippage=0.0005),
    }
    out["runs"] = {name: portfolio_json(r) for name, r in runs.items()}
    grid = {"fast": [5, 10, 15], "slow": [20, 40, 60]}
    out["sweep"] = plain(e.sweep(u, swept, grid, as_frame=False))
    out["sweep_slots"] = plain(e.sweep(u, swept, grid, as_frame=False, max_positions=3))
    kept = e.sweep(u, swept, grid, constraint=lambda p: p["fast"] * 3 <= p["slow"], as_frame=False)
    out["sweep_callable"] = plain(kept)
    best, result = e.optimize(u, swept, grid, maximize="total_return")
    out["optimize"] = {"best": best, "result": portfolio_json(result)}
    out["engine_columns"] = engine_columns(u)
    bad = {
        "sweep_dict_of_strategies": lambda: e.sweep(u, per_symbol, grid, as_frame=False),
        "sweep_workers": lambda: e.sweep(u, swept, grid, max_workers=0, as_frame=False),
        "sweep_empty": lambda: e.sweep(
            u, swept, {"fast": [50], "slow": [10]}, qs.param("fast") < qs.param("slow")
        ),
        "sweep_slots_float": lambda: e.sweep(u, swept, grid, max_positions=2.0, as_frame=False),
        "slots_integral_float": lambda: e.run_portfolio(u, swept, max_positions=2.0),
        "slots_bool": lambda: e.run_portfolio(u, qs.sma_cross(5, 20), max_positions=True),
        "float_period": lambda: e.run_portfolio(u, swept, params={"fast": 5.0, "slow": 20}),
        "huge_period": lambda: e.run_portfolio(u, qs.sma_cross(2**70, 30)),
        "unknown_param": lambda: e.run_portfolio(u, swept, params={"fast": 5, "slw": 20}),
        "duplicate": lambda: e.run_portfolio(list(u) + [u[0]], qs.sma_cross(5, 20)),
        "empty": lambda: e.run_portfolio([], qs.sma_cross(5, 20)),
        "sample_days": lambda: qb.generate_sample_universe(3, days=0, seed=1),
        "sample_huge_days": lambda: qb.generate_sample_universe(3, days=2**60, seed=1),
        "sample_symbols": lambda: qb.generate_sample_universe(0, days=10, seed=1),
        "sample_seed": lambda: qb.generate_sample_universe(3, days=10, seed=-1),
    }
    out["errors"] = {name: _coded(call) for name, call in bad.items()}
    # The engine still works after every refusal.
    out["after_errors"] = portfolio_json(e.run_portfolio(u, qs.sma_cross(10, 30)))
    return out


# -- the golden files -------------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)


def _universe(case: dict) -> qb.Universe:
    assets = case["universe"]
    if assets and len({a["symbol"] for a in assets}) == len(assets):
        return qb.Universe({a["symbol"]: a for a in assets})
    return qb.Universe(assets)  # a list keeps the duplicates (a dict could not)


def _run(e: RustEngine, case: dict) -> qb.PortfolioResult:
    request = case["request"]
    return e.run_portfolio(_universe(case), request["strategy"], **request["settings"])


def _mismatches(r: qb.PortfolioResult, want: dict, where: str) -> list[str]:
    bad: list[str] = []
    if list(r.dates) != want["dates"]:
        bad.append(f"{where}: dates")
    got = [t.to_dict() for t in r.trades]
    if len(got) != len(want["trades"]):
        return bad + [f"{where}: {len(got)} trades, expected {len(want['trades'])}"]
    for i, (g, w) in enumerate(zip(got, want["trades"])):
        if list(g) != list(w):
            bad.append(f"{where}: trade {i} fields {list(g)}")
            continue
        bad += [f"{where}: trade {i} {k} {g[k]!r} != {w[k]!r}" for k in w if not _close(g[k], w[k])]
    curves = {"equity_curve": r.equity_curve, "cash": r.cash, **r.position_values}
    wanted = {"equity_curve": want["equity_curve"], "cash": want["cash"]}
    wanted.update(want["position_values"])
    if list(r.position_values) != list(want["position_values"]):
        bad.append(f"{where}: position symbols {list(r.position_values)}")
    for name, values in wanted.items():
        have = list(curves.get(name, []))
        if len(have) != len(values) or not all(_close(a, b) for a, b in zip(have, values)):
            bad.append(f"{where}: {name}")
    if len(r.assets) != len(want["assets"]):
        bad.append(f"{where}: {len(r.assets)} asset rows")
    for got_row, row in zip(r.assets, want["assets"]):
        have = got_row.to_dict()
        bad += [
            f"{where}: asset {k} {have[k]!r} != {v!r}"
            for k, v in row.items()
            if not _close(have[k], v)
        ]
    for name, value in want["metrics"].items():
        if not _close(getattr(r, name), value):
            bad.append(f"{where}: {name} {getattr(r, name)!r} != {value!r}")
    return bad


def check_golden(golden: str) -> dict:
    """tests/golden/portfolios.json: the same dates, trades, curves, asset rows and metrics
    (1e-9 relative)."""
    cases = json.loads((Path(golden) / "portfolios.json").read_text(encoding="utf-8"))
    e = RustEngine()
    failures: list[str] = []
    trades = 0
    for case in cases:
        r = _run(e, case)
        trades += len(r.trades)
        failures += _mismatches(r, case["expected"], case["name"])
    return {"backend": e.backend, "cases": len(cases), "trades": trades, "failures": failures}


def check_errors(golden: str) -> dict:
    """tests/golden/portfolio_errors.json: the same BacktestError message and code."""
    cases = json.loads((Path(golden) / "portfolio_errors.json").read_text(encoding="utf-8"))
    e = RustEngine()
    failures = []
    for case in cases:
        got = _coded(lambda case=case: _run(e, case))
        want = {"error": "BacktestError", "msg": case["error"], "code": case["code"]}
        if got != want:
            failures.append({"name": case["name"], "got": got, "want": want})
    return {"backend": e.backend, "cases": len(cases), "failures": failures}


if __name__ == "__main__":
    golden = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parents[1] / "golden")
    json.dump(
        {
            "scenarios": portfolio_scenarios(),
            "golden": check_golden(golden),
            "errors": check_errors(golden),
        },
        sys.stdout,
    )
