"""Walk-forwards through the Python API, on whichever engine runs it (native, or wasm under
Pyodide): tests/pyodide/walk_forward.test.mjs compares the two engines' answers. Every golden
walk case and refusal (tests/golden/walks.json, walk_errors.json, and on a universe
portfolio_walks.json, portfolio_walk_errors.json), seeded sample walks (rolling, anchored with
a step, both directions with stops), seeded walks on sample universes, and the refusals on a
universe that the wasm bridge words through the pure-Python checks (integral floats). Prints
JSON when run as a script (the native side)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from quant_backtest import (
    BacktestError,
    MarketData,
    RustEngine,
    Universe,
    generate_sample_data,
    generate_sample_universe,
)
from quant_backtest import strategy as qs

POW_METRICS = ("annualized_return", "calmar_ratio")


def _plain(result: Any) -> dict:
    d = result.to_dict()
    d.pop("execution_time_ms")
    d.pop("backend")
    return d


def _walk(engine: RustEngine, data: Any, request: dict) -> dict:
    r = engine.walk_forward(
        data,
        request["strategy"],
        request["params"],
        constraint=request.get("constraint"),
        **request["options"],
        **request.get("settings", {}),
    )
    return _plain(r)


def _bars(case: dict) -> Any:
    """A case's bars: one asset's, or a universe of its assets."""
    if "universe" in case:
        return Universe([MarketData(**a) for a in case["universe"]])
    return MarketData(**case["data"])


def _refusal(engine: RustEngine, case: dict) -> list:
    return _refused(engine, _bars(case), case["request"])


def _refused(engine: RustEngine, md: Any, r: dict) -> list:
    request = engine._sweep_request(md, r["strategy"], r["params"], r["constraint"], r["settings"])
    try:
        engine._walk_output(request, r["options"], None)
    except BacktestError as e:
        return [type(e).__name__, str(e), e.code]
    return ["accepted"]


def samples() -> list:
    sma = qs.sma_cross(qs.param("fast"), qs.param("slow")).to_dict()
    both = dict(sma, short_entry=sma["exit"], short_exit=sma["entry"])
    return [
        (
            "rolling",
            900,
            3,
            sma,
            {"fast": [3, 6, 10], "slow": [20, 40]},
            {},
            {"train": 300, "test": 120},
        ),
        (
            "anchored_step",
            800,
            8,
            sma,
            {"fast": [4, 8], "slow": [15, 30, 60]},
            {"commission_rate": 0.002},
            {"train": 200, "test": 90, "step": 130, "anchored": True, "maximize": "total_return"},
        ),
        (
            "both_stops",
            700,
            11,
            both,
            {"fast": [5, 9], "slow": [25, 45]},
            {"direction": "both", "fill": "close", "stop_loss": 0.04, "trailing_stop": 0.07},
            {"train": 250, "test": 100, "maximize": "calmar_ratio"},
        ),
    ]


def _direct(engine: RustEngine, case: dict) -> dict:
    """A golden universe case through the engine module's ``portfolio_walk_forward`` itself
    (the native door, or the wasm bridge's method): its plain dict, trades with "symbol"."""
    r = case["request"]
    u = _bars(case)
    q = engine._sweep_request(u, r["strategy"], r["params"], r["constraint"], r["settings"])
    out = engine._native.portfolio_walk_forward(
        u._native_handle(),
        q.tree,
        q.settings,
        q.params,
        q.constraint,
        q.names,
        q.rows,
        r["options"],
        2,
    )
    assert isinstance(out, dict) and all("symbol" in t for t in out["trades"]), out.keys()
    out.pop("execution_time_ms")
    return {"name": f"direct_{case['name']}", "result": out}


def universe_samples() -> list:
    """Walks on sample universes: (name, symbols, days, seed, strategy, params, settings,
    options); the last one's settings hold integral floats (the bridge checks their wording
    in pure Python, then runs on wasm)."""
    sma = qs.sma_cross(qs.param("fast"), qs.param("slow")).to_dict()
    both = dict(sma, short_entry=sma["exit"], short_exit=sma["entry"])
    return [
        (
            "universe_rolling_slots",
            4,
            500,
            5,
            sma,
            {"fast": [3, 6, 10], "slow": [20, 40]},
            {"max_positions": 2},
            {"train": 150, "test": 60},
        ),
        (
            "universe_anchored_both",
            3,
            450,
            9,
            both,
            {"fast": [4, 8], "slow": [15, 30]},
            {"direction": "both", "fill": "close", "stop_loss": 0.04, "size": 0.4},
            {"train": 120, "test": 50, "step": 70, "anchored": True, "maximize": "total_return"},
        ),
        (
            "universe_integral_floats",
            3,
            400,
            13,
            sma,
            {"fast": [3, 5], "slow": [20, 30]},
            {"initial_capital": 50000.0, "commission_rate": 0.0},
            {"train": 100, "test": 40, "maximize": "calmar_ratio"},
        ),
    ]


def universe_refusals() -> list:
    """Refusals on a sample universe of values a JS number would change (2.0 is 2 there): the
    native wording, through the bridge's pure-Python walk or checks. (name, settings, options)."""
    return [
        ("universe_max_positions_float", {"max_positions": 2.0}, {"train": 100, "test": 40}),
        ("universe_train_float", {}, {"train": 100.0, "test": 40}),
        ("universe_commission_float", {"commission_rate": 1.0}, {"train": 100, "test": 40}),
        (
            "universe_settings_before_slots",
            {"max_positions": 2, "size": 0.5, "commission_rate": 2.0},
            {"train": 100, "test": 40},
        ),
    ]


def scenarios(golden_dir: str) -> dict:
    engine = RustEngine()

    def load(name: str) -> list:
        with open(f"{golden_dir}/{name}", encoding="utf-8") as f:
            return json.load(f)

    cases = load("walks.json") + load("portfolio_walks.json")
    errors = load("walk_errors.json") + load("portfolio_walk_errors.json")
    runs = [{"name": c["name"], "result": _walk(engine, _bars(c), c["request"])} for c in cases]
    for name, days, seed, strategy, params, settings, options in samples():
        md = generate_sample_data("WF", days, 100.0, seed=seed)
        request = {"strategy": strategy, "params": params, "settings": settings, "options": options}
        runs.append({"name": name, "result": _walk(engine, md, request)})
    for name, symbols, days, seed, strategy, params, settings, options in universe_samples():
        u = generate_sample_universe(symbols, days, seed=seed)
        request = {"strategy": strategy, "params": params, "settings": settings, "options": options}
        runs.append({"name": name, "result": _walk(engine, u, request)})
    runs.append(_direct(engine, next(c for c in cases if "universe" in c)))
    refusals = [[c["name"], *_refusal(engine, c)] for c in errors]
    sample = generate_sample_universe(3, 200, seed=1)
    sma = qs.sma_cross(qs.param("fast"), qs.param("slow")).to_dict()
    for name, settings, options in universe_refusals():
        request = {"strategy": sma, "params": {"fast": [3, 5], "slow": [20]}, "constraint": None}
        request.update(settings=settings, options=options)
        refusals.append([name, *_refused(engine, sample, request)])
    return {"backend": engine.backend, "runs": runs, "refusals": refusals}


def _metrics_differ(a: dict, b: dict) -> list:
    out = []
    for m, x in a.items():
        y = b[m]
        if m in POW_METRICS and x is not None and y is not None:
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15):
                out.append(m)
        elif x != y and not (x != x and y != y):
            out.append(m)
    return out


def differences(a: dict, b: dict) -> list:
    """Where two plain walk-forwards differ: exactly, but for the pow() metrics (1e-12)."""
    out = [k for k in a if k not in ("metrics", "windows") and a[k] != b[k]]
    out += [f"metrics.{m}" for m in _metrics_differ(a["metrics"], b["metrics"])]
    if len(a["windows"]) != len(b["windows"]):
        return [*out, "windows"]
    for k, (x, y) in enumerate(zip(a["windows"], b["windows"])):
        for key in x:
            if key in ("in_sample", "out_of_sample"):
                out += [f"windows[{k}].{key}.{m}" for m in _metrics_differ(x[key], y[key])]
            elif x[key] != y[key]:
                out.append(f"windows[{k}].{key}")
    return out


if __name__ == "__main__":
    print(json.dumps(scenarios(sys.argv[1])))
