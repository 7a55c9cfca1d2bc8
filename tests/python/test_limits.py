"""Integers too large for the engine and huge ``max_workers``: the same BacktestError on both
backends (never an OverflowError), and a pool never larger than the work or 4 per core."""

from __future__ import annotations

import os

import pytest

from quant_backtest import BacktestError, generate_sample_data
from quant_backtest import strategy as qs

HUGE = 2**70


@pytest.fixture
def data():
    return generate_sample_data("S", 100, 100.0, 7)


@pytest.mark.parametrize(
    ("fast", "slow", "message"),
    [
        (10, HUGE, f"slow_period ({HUGE}) exceeds the number of bars (100)"),
        (HUGE, 30, f"fast_period ({HUGE}) must be less than slow_period (30)"),
        (-HUGE, 30, f"fast_period must be >= 1, got {-HUGE}"),
        (10, 2**200, f"slow_period ({2**200}) exceeds the number of bars (100)"),
    ],
)
def test_huge_periods_are_named_as_given(engine, data, fast, slow, message):
    with pytest.raises(BacktestError) as info:
        engine.run_sma_backtest(data, fast, slow)
    assert str(info.value) == message
    assert info.value.code == "invalid_parameter"


def test_huge_grid_period_is_named_as_given(engine, data):
    with pytest.raises(BacktestError) as info:
        engine.run_multiple_backtests(data, [5], [HUGE])
    assert str(info.value) == f"slow_periods[0] ({HUGE}) exceeds the number of bars (100)"
    assert info.value.code == "invalid_grid"


def test_huge_tree_period_is_named_as_given(engine, data):
    tree = {"entry": {"gt": [{"indicator": "sma", "period": HUGE}, 1]}}
    with pytest.raises(BacktestError) as info:
        engine.run_backtest(data, tree)
    assert str(info.value) == f"entry.gt[0].period must be an integer <= 2147483647, got {HUGE}"
    assert info.value.code == "invalid_strategy"


@pytest.mark.parametrize("workers", [5000, HUGE])
def test_huge_max_workers_is_capped_not_obeyed(engine, data, workers):
    assert len(engine.run_multiple_backtests(data, [5], [20], max_workers=workers)) == 1
    frame = engine.sweep(
        data, qs.sma_cross(), {"fast": [5], "slow": [20]}, max_workers=workers, as_frame=False
    )
    assert list(frame["fast"]) == [5]
    threads = engine.get_engine_info(max_workers=workers)["threads"]
    assert 1 <= threads <= 4 * (os.cpu_count() or 1)


def test_max_workers_below_one_is_refused(engine, data):
    for call in (
        lambda: engine.run_multiple_backtests(data, [5], [20], max_workers=0),
        lambda: engine.sweep(data, qs.sma_cross(), {"fast": [5], "slow": [20]}, max_workers=0),
    ):
        with pytest.raises(BacktestError) as info:
            call()
        assert str(info.value) == "max_workers must be >= 1, got 0"


SMA_CROSS = qs.sma_cross(2, 4).to_dict()


@pytest.mark.parametrize(
    ("tree", "settings", "message", "code"),
    [
        (
            {**SMA_CROSS, 1: 2},
            {},
            "unknown key 1 in strategy; did you mean 'exit'?",
            "invalid_strategy",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "period": 5, 7: 1}, 1]}},
            {},
            "unknown key 7 in entry.gt[0] (indicator 'sma'); did you mean 'period'?",
            "invalid_strategy",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "period": 2**200}, 1]}},
            {},
            f"entry.gt[0].period must be an integer <= 2147483647, got {2**200}",
            "invalid_strategy",
        ),
        (
            {"entry": {True: 1}},
            {},
            "unknown condition true at entry; did you mean 'ge'?",
            "invalid_strategy",
        ),
        (SMA_CROSS, {3: 1}, "unknown setting 3; did you mean 'fill'?", "invalid_parameter"),
        (
            SMA_CROSS,
            {"commission_rate": 2**200},
            f"commission_rate must be in [0, 1), got {2**200}",
            "invalid_parameter",
        ),
    ],
)
def test_values_outside_json_are_named_alike(engine, data, tree, settings, message, code):
    """Non-string keys and integers beyond 128 bits reach both engines and are named as given."""
    from quant_backtest._data import as_market_data

    with pytest.raises(BacktestError) as info:
        engine._run_strategy(as_market_data(data), tree, settings, None)
    assert (str(info.value), info.value.code) == (message, code)


def test_a_huge_integer_setting_is_a_number(engine, data):
    result = engine.run_backtest(data, SMA_CROSS, initial_capital=2**200)
    assert (
        result.total_return
        == engine.run_backtest(data, SMA_CROSS, initial_capital=float(2**200)).total_return
    )
