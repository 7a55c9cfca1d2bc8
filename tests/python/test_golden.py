"""The golden files (tests/golden/*.json, shared with cargo test and the JS tests) on both
backends: every valid case gives the expected trades, equity curve and metrics; every bad input
is refused with exactly the expected message; and the two backends agree bit for bit."""

from __future__ import annotations

import math
from typing import Any

import pytest

import quant_backtest
from conftest import market_data_from
from quant_backtest import BacktestError, BacktestResult, RustEngine
from quant_backtest._result import SEED_METRIC_NAMES as METRIC_NAMES
from quant_backtest._result import SEED_TRADE_FIELDS as TRADE_FIELDS

REL = 1e-9
TRADE_EXACT = ("entry_index", "exit_index", "entry_date", "exit_date", "bars_held")
TRADE_FLOATS = ("entry_price", "exit_price", "size", "pnl", "return_pct")
SINGLE_PARAMS = (
    "fast_period",
    "slow_period",
    "initial_capital",
    "commission_rate",
    "fill",
    "lot_size",
    "periods_per_year",
)
GRID_SETTINGS = ("initial_capital", "commission_rate", "fill", "lot_size", "periods_per_year")


def close_enough(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=REL, abs_tol=1e-12)


def run_case(engine: RustEngine, case: dict) -> BacktestResult:
    data = market_data_from(case["data"])
    params = {k: case["params"][k] for k in SINGLE_PARAMS}
    return engine.run_sma_backtest(data, **params)


def assert_matches_expected(result: BacktestResult, expected: dict) -> None:
    want_trades = expected["trades"]
    assert len(result.trades) == len(want_trades)
    for i, (got, want) in enumerate(zip(result.trades, want_trades)):
        for name in TRADE_EXACT:
            assert getattr(got, name) == want[name], f"trade {i} {name}"
        for name in TRADE_FLOATS:
            assert close_enough(getattr(got, name), want[name]), f"trade {i} {name}"

    want_equity = expected["equity_curve"]
    assert len(result.equity_curve) == len(want_equity)
    for t, (got, want) in enumerate(zip(result.equity_curve, want_equity)):
        assert close_enough(float(got), want), f"equity[{t}]: {got!r} != {want!r}"

    metrics = expected["metrics"]
    assert set(metrics) == set(METRIC_NAMES)
    assert result.trade_count == metrics["trade_count"]
    assert isinstance(result.trade_count, int)
    for name in METRIC_NAMES:
        got = getattr(result, name)
        assert close_enough(got, metrics[name]), f"{name}: {got!r} != {metrics[name]!r}"


def test_golden_files_cover_the_required_cases(golden_cases, golden_errors):
    names = {c["name"] for c in golden_cases}
    for required in (
        "no_cross",
        "open_at_end",
        "last_bar_buy_signal_next_open",
        "last_bar_sell_signal_next_open",
        "lot_size_rounds_buy_to_zero",
        "commission_zero",
        "fast_period_1",
        "slow_equals_bar_count",
        "flat_prices",
        "price_gaps",
    ):
        assert required in names
    assert {e["call"] for e in golden_errors} == {"market_data", "backtest", "grid"}


def test_golden_case(engine, golden_case):
    result = run_case(engine, golden_case)
    assert result.backend == engine.backend
    assert (result.fast_period, result.slow_period) == (
        golden_case["params"]["fast_period"],
        golden_case["params"]["slow_period"],
    )
    assert_matches_expected(result, golden_case["expected"])


def test_golden_case_in_a_grid(engine, golden_case):
    """The same case as the only pair of a grid (with details) gives the same answer."""
    data = market_data_from(golden_case["data"])
    p = golden_case["params"]
    settings = {k: p[k] for k in GRID_SETTINGS}
    [(fast, slow, result)] = engine.run_multiple_backtests(
        data, [p["fast_period"]], [p["slow_period"]], include_details=True, **settings
    )
    assert (fast, slow) == (p["fast_period"], p["slow_period"])
    assert_matches_expected(result, golden_case["expected"])


def _still_works(engine: RustEngine) -> None:
    data = quant_backtest.generate_sample_data("OK", days=60, seed=11)
    result = engine.run_sma_backtest(data, 3, 9)
    assert len(result.equity_curve) == 60
    grid = engine.run_multiple_backtests(data, [2, 3], [5, 9])
    assert [(f, s) for f, s, _ in grid] == [(2, 5), (2, 9), (3, 5), (3, 9)]


def test_golden_error(engine, golden_error):
    case = golden_error
    message = case["error"]
    call = case["call"]
    if call == "market_data":
        with pytest.raises(BacktestError) as info:
            market_data_from(case["data"])
        assert str(info.value) == message
        assert isinstance(info.value, ValueError)
        assert engine.validate_data(dict(case["data"])) is False
    elif call == "backtest":
        data = market_data_from(case["data"])
        params = {k: case["params"][k] for k in SINGLE_PARAMS}
        with pytest.raises(BacktestError) as info:
            engine.run_sma_backtest(data, **params)
        assert str(info.value) == message
        assert isinstance(info.value, ValueError)
    elif call == "grid":
        data = market_data_from(case["data"])
        p = case["params"]
        settings = {k: p[k] for k in GRID_SETTINGS}
        for method in (engine.run_multiple_backtests, engine.run_grid):
            with pytest.raises(BacktestError) as info:
                method(data, p["fast_periods"], p["slow_periods"], p["max_workers"], **settings)
            assert str(info.value) == message, method.__name__
            assert isinstance(info.value, ValueError)
    else:  # pragma: no cover - a new kind of case needs a new branch here
        pytest.fail(f"unknown call {call!r} in errors.json")
    _still_works(engine)


def _bits(value: Any) -> Any:
    """An exact, comparable form: floats by their hex (so -0.0 != 0.0 and NaN == NaN)."""
    if isinstance(value, float):
        return value.hex()
    return value


def test_backends_are_bit_identical_on_golden_case(both_engines, golden_case):
    rust, python = both_engines
    a = run_case(rust, golden_case)
    b = run_case(python, golden_case)
    assert (a.backend, b.backend) == ("rust", "python")
    assert len(a.trades) == len(b.trades)
    for ta, tb in zip(a.trades, b.trades):
        for name in TRADE_FIELDS:
            assert _bits(getattr(ta, name)) == _bits(getattr(tb, name)), name
    assert [float(x).hex() for x in a.equity_curve] == [float(x).hex() for x in b.equity_curve]
    for name in METRIC_NAMES:
        assert _bits(getattr(a, name)) == _bits(getattr(b, name)), name
