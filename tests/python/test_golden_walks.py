"""The walk-forward golden cases (tests/golden/walks.json, walk_errors.json, and on a
universe portfolio_walks.json, portfolio_walk_errors.json), one body per backend: every
window's chosen params, equity, indices and dates exactly, metrics to 1e-9 (as the strategy
cases), the stitched curve and trades; every refusal's message and code, through the public
call where its options can be keyword arguments and through the options object as every door
passes it."""

from __future__ import annotations

import inspect
import json

import pytest

import quant_backtest as qb
from conftest import GOLDEN_DIR
from quant_backtest import BacktestError, RustEngine
from test_golden_strategies import close_enough

INTEGER_METRICS = ("trade_count", "max_drawdown_duration")
WALK_ARGUMENTS = set(inspect.signature(RustEngine.walk_forward).parameters)


def load(name: str) -> list[dict]:
    with open(GOLDEN_DIR / name, encoding="utf-8") as f:
        return json.load(f)


CASES = load("walks.json") + load("portfolio_walks.json")
ERRORS = load("walk_errors.json") + load("portfolio_walk_errors.json")


def data_of(case: dict) -> qb.MarketData | qb.Universe:
    """A case's bars: one asset's, or a universe of its assets."""
    if "universe" in case:
        return qb.Universe([qb.MarketData(**a) for a in case["universe"]])
    return qb.MarketData(**case["data"])


def assert_metrics(got: dict, want: dict, where: str) -> None:
    assert list(got) == list(want), where
    for name, w in want.items():
        g = got[name]
        if name in INTEGER_METRICS:
            assert g == w and isinstance(g, int), f"{where} {name}: {g!r} != {w!r}"
        else:
            assert close_enough(g, w), f"{where} {name}: {g!r} != {w!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_walk_case(engine: RustEngine, case: dict) -> None:
    r = case["request"]
    result = engine.walk_forward(
        data_of(case),
        r["strategy"],
        r["params"],
        constraint=r["constraint"],
        **r["options"],
        **r["settings"],
    )
    got = result.to_dict()
    want = case["expected"]
    for key in (
        "names",
        "combinations",
        "train",
        "test",
        "step",
        "anchored",
        "maximize",
        "equity_index",
    ):
        assert got[key] == want[key], key
    assert got["equity_curve"] == want["equity_curve"]
    assert got["trades"] == want["trades"]
    assert_metrics(got["metrics"], want["metrics"], "stitched")
    assert len(got["windows"]) == len(want["windows"])
    for g, w in zip(got["windows"], want["windows"]):
        where = f"window {w['window']}"
        for key, value in w.items():
            if key in ("in_sample", "out_of_sample"):
                assert_metrics(g[key], value, f"{where} {key}")
            else:
                assert g[key] == value, f"{where} {key}: {g[key]!r} != {value!r}"


@pytest.mark.parametrize("case", ERRORS, ids=[c["name"] for c in ERRORS])
def test_walk_error(engine: RustEngine, case: dict) -> None:
    r = case["request"]
    md = data_of(case)
    want = (case["error"]["message"], case["error"]["code"])
    # The options object, as the doors pass it.
    request = engine._sweep_request(md, r["strategy"], r["params"], r["constraint"], r["settings"])
    with pytest.raises(BacktestError) as info:
        engine._walk_output(request, r["options"], None)
    assert (str(info.value), info.value.code) == want
    # The public call, when the options are its keyword arguments (train and test given).
    options = r["options"]
    if set(options) <= WALK_ARGUMENTS and {"train", "test"} <= set(options):
        with pytest.raises(BacktestError) as info:
            engine.walk_forward(
                md,
                r["strategy"],
                r["params"],
                constraint=r["constraint"],
                **options,
                **r["settings"],
            )
        assert (str(info.value), info.value.code) == want
