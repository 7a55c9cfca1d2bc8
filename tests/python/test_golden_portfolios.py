"""The portfolio golden cases (tests/golden/portfolios.json and portfolio_errors.json, made by
tests/golden/make_portfolios.py without the engine; cargo test and the JS tests read them too),
on both backends: the same trades, curves, per-asset rows and metrics, and the same refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import quant_backtest as qb

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CASES = json.loads((GOLDEN / "portfolios.json").read_text())
ERRORS = json.loads((GOLDEN / "portfolio_errors.json").read_text())


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def universe_of(case: dict) -> qb.Universe:
    return qb.Universe({a["symbol"]: a for a in case["universe"]})


def run(engine: qb.RustEngine, case: dict) -> qb.PortfolioResult:
    request = case["request"]
    return engine.run_portfolio(universe_of(case), request["strategy"], **request["settings"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_portfolio(engine: qb.RustEngine, case: dict) -> None:
    r = run(engine, case)
    want = case["expected"]
    assert list(r.dates) == want["dates"]
    got_trades = [t.to_dict() for t in r.trades]
    assert len(got_trades) == len(want["trades"])
    for g, w in zip(got_trades, want["trades"]):
        assert g.keys() == w.keys()
        for k in w:
            assert close(g[k], w[k]), (case["name"], k, g[k], w[k])
    for name in ("equity_curve", "cash"):
        got = list(getattr(r, name))
        assert len(got) == len(want[name])
        assert all(close(a, b) for a, b in zip(got, want[name])), name
    assert list(r.position_values) == list(want["position_values"])
    for symbol, values in want["position_values"].items():
        assert all(close(a, b) for a, b in zip(r.position_values[symbol], values)), symbol
    assert len(r.assets) == len(want["assets"])
    for got, row in zip(r.assets, want["assets"]):
        assert all(close(got.to_dict()[k], v) for k, v in row.items()), (got, row)
    for name, value in want["metrics"].items():
        assert close(getattr(r, name), value), (case["name"], name, getattr(r, name), value)


@pytest.mark.parametrize("case", ERRORS, ids=[c["name"] for c in ERRORS])
def test_golden_portfolio_error(engine: qb.RustEngine, case: dict) -> None:
    with pytest.raises(qb.BacktestError) as info:
        if case["universe"] and len({a["symbol"] for a in case["universe"]}) == len(
            case["universe"]
        ):
            universe = universe_of(case)
        else:  # a list keeps the duplicates (a dict could not)
            universe = qb.Universe(case["universe"])
        request = case["request"]
        engine.run_portfolio(universe, request["strategy"], **request["settings"])
    assert str(info.value) == case["error"]
    assert info.value.code == case["code"]
