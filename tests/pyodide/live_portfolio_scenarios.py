"""Live portfolio runs through the Python API, on whichever engine runs it (native, or wasm
under Pyodide): tests/pyodide/live_portfolio.test.mjs compares the two engines' answers. Each
run is also checked against ``run_portfolio`` on the started assets' bars so far (on the same
engine). Prints JSON when run as a script (the native side)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from quant_backtest import (
    BacktestError,
    LivePortfolioRun,
    RustEngine,
    Universe,
    generate_sample_universe,
)

FIELDS = ("open", "high", "low", "close", "volume")
POW_METRICS = ("annualized_return", "calmar_ratio")


def _columns(assets: list) -> tuple[list, list]:
    """Per union bar the bar set, and per asset its own bar index at each union bar."""
    union = list(Universe(assets).dates)
    at = {d: t for t, d in enumerate(union)}
    own = []
    for a in assets:
        row = [-1] * len(union)
        for j, d in enumerate(a["dates"]):
            row[at[d]] = j
        own.append(row)
    sets = []
    for t in range(len(union)):
        s: dict = {}
        for i, a in enumerate(assets):
            j = own[i][t]
            s[a["symbol"]] = (
                None if j < 0 else {"date": a["dates"][j], **{f: a[f][j] for f in FIELDS}}
            )
        sets.append(s)
    return sets, own


def _prefix(assets: list, own: list, t: int, strategy: Any) -> tuple[list, Any]:
    kept = []
    for i, a in enumerate(assets):
        n = sum(1 for j in own[i][: t + 1] if j >= 0)
        if n:
            kept.append(
                {"symbol": a["symbol"], "dates": a["dates"][:n], **{f: a[f][:n] for f in FIELDS}}
            )
    names = {a["symbol"] for a in kept}
    if isinstance(strategy, dict) and all(k in {a["symbol"] for a in assets} for k in strategy):
        strategy = {k: v for k, v in strategy.items() if k in names}
    return kept, strategy


def _plain_result(r: Any) -> dict:
    return {
        "metrics": {k: r.metrics[k] for k in r.metrics},
        "trades": [list(t) for t in r.trades],
        "assets": [list(a) for a in r.assets],
        "dates": list(r.dates),
        "equity": [float(x) for x in r.equity_curve],
        "cash": [float(x) for x in r.cash],
        "positions": {k: [float(x) for x in v] for k, v in r.position_values.items()},
    }


def _same(a: dict, b: dict) -> list:
    """Where two plain results differ (the pow() metrics at 1e-12 relative)."""
    diffs = []
    for k in a:
        if k == "metrics":
            for m, x in a[k].items():
                y = b[k][m]
                if m in POW_METRICS and x is not None and y is not None:
                    if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15):
                        diffs.append(m)
                elif x != y and not (x != x and y != y):  # NaN: the same undefined value
                    diffs.append(m)
        elif a[k] != b[k]:
            diffs.append(k)
    return diffs


def _run(
    engine: RustEngine, name: str, assets: list, strategy: Any, settings: dict, params: Any
) -> dict:
    sets, own = _columns(assets)
    symbols = [a["symbol"] for a in assets]
    live = engine.live(strategy, symbols=symbols, params=params, **settings)
    assert isinstance(live, LivePortfolioRun)
    events, failures, texts = [], [], []
    for t, s in enumerate(sets):
        events.extend(tuple(e) for e in live.push(s))
        kept, narrowed = _prefix(assets, own, t, strategy)
        want = engine.run_portfolio(Universe(kept), narrowed, params=params, **settings)
        diffs = _same(_plain_result(live.result()), _plain_result(want))
        if diffs:
            failures.append([t, diffs])
        if t % 17 == 3:
            text = live.to_json()
            again = engine.live_from_json(text)
            if again.to_json() != text or not isinstance(again, LivePortfolioRun):
                failures.append([t, "resume"])
            texts.append(text)
    return {
        "name": name,
        "backend": engine.backend,
        "failures": failures,
        "events": [list(e) for e in events],
        "state": live.to_json(),
        "texts": texts,
        "positions": {k: list(v) for k, v in live.positions.items()},
        "pending": live.pending,
        "started": live.started,
        "cash": live.cash,
        "equity": live.equity,
        "bars": live.bars,
        "result": _plain_result(live.result()),
    }


def _gappy(seed: int) -> list:
    out = []
    for i, md in enumerate(generate_sample_universe(["A", "B", "C", "D"], 160, seed)):
        c = md.to_dict() if hasattr(md, "to_dict") else None
        cols = {"symbol": md.symbol, "dates": list(md.dates)}
        for f in FIELDS:
            cols[f] = [float(x) for x in getattr(md, f)]
        keep = [j for j in range(len(cols["dates"])) if (j * 7 + i * 3) % 11 != 0]
        out.append(
            {
                "symbol": cols["symbol"],
                **{k: [cols[k][j] for j in keep] for k in ("dates", *FIELDS)},
            }
        )
        del c
    return out


def _cross(fast: int, slow: int) -> dict:
    sma = lambda p: {"indicator": "sma", "period": p}  # noqa: E731
    return {
        "entry": {"crosses_above": [sma(fast), sma(slow)]},
        "exit": {"crosses_below": [sma(fast), sma(slow)]},
    }


def scenarios(golden_dir: str) -> dict:
    engine = RustEngine()
    out: dict = {"backend": engine.backend, "runs": [], "refusals": []}
    with open(f"{golden_dir}/portfolios.json") as f:
        for case in json.load(f):
            q = case["request"]
            out["runs"].append(
                _run(
                    engine,
                    case["name"],
                    case["universe"],
                    q["strategy"],
                    q.get("settings") or {},
                    q.get("params"),
                )
            )
    assets = _gappy(7)
    # Integral floats stay floats in the saved request (100000.0, not 100000), as natively.
    out["runs"].append(
        _run(
            engine,
            "gappy floats",
            assets,
            _cross(5, 20),
            {"initial_capital": 50000.0, "size": 0.3, "stop_loss": 0.03},
            None,
        )
    )
    per = {"A": _cross(3, 12), "B": _cross(4, 15), "C": _cross(5, 20), "D": _cross(6, 25)}
    out["runs"].append(
        _run(engine, "per symbol, slots", assets, per, {"max_positions": 2, "fill": "close"}, {})
    )
    # Refusals: messages and codes, the state unchanged.
    sets, _ = _columns(assets)
    live = engine.live(_cross(5, 20), symbols=["A", "B", "C", "D"])
    for s in sets[:60]:
        live.push(s)
    before = live.to_json()
    good = sets[60]
    first = next(k for k, v in good.items() if v is not None)
    bad = [
        [1, 2],
        {**good, "AA": None},
        {**good, 7: None},
        {k: v for k, v in good.items() if k != "C"},
        {k: None for k in good},
        {**good, first: {**good[first], "close": float("nan")}},
        {**good, first: {**good[first], "close": -1}},
        {**good, first: {**good[first], "open": "12"}},
        {**good, first: {**good[first], "date": 7.0}},
        {**good, first: {**good[first], "clsoe": 1.0}},
        {**good, first: {**good[first], "symbol": "ZZ"}},
    ]
    for s in bad:
        try:
            live.push(s)
            out["refusals"].append(None)
        except BacktestError as e:
            out["refusals"].append([str(e), e.code, live.to_json() == before])
    live.push(good)
    out["after_refusals"] = live.to_json()
    return out


if __name__ == "__main__":
    print(json.dumps(scenarios(sys.argv[1])))
