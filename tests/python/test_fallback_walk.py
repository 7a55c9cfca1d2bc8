"""The pure-Python engine's walk-forward (``_fallback/walk.py``), the mirror of src/walk: on
several strategies, settings and window layouts, and on random small cases, its dict equals
the native engine's (``Engine.walk_forward``) bit for bit, execution time aside; every bad
option and window gives the same message and code in both, after the sweep's own checks."""

from __future__ import annotations

import math
import struct
from typing import Any, Callable, Optional

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import require_native
from quant_backtest import BacktestError, MarketData
from quant_backtest import _fallback as fb
from quant_backtest._fallback.sweep import combinations_of
from quant_backtest._fallback.walk import _flat_table

PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def sma(period: Any) -> dict:
    return {"indicator": "sma", "period": period}


def ema(period: Any) -> dict:
    return {"indicator": "ema", "period": period}


def rsi(period: Any) -> dict:
    return {"indicator": "rsi", "period": period}


FAST, SLOW = {"param": "fast"}, {"param": "slow"}
SMA_CROSS = {
    "entry": {"crosses_above": [sma(FAST), sma(SLOW)]},
    "exit": {"crosses_below": [sma(FAST), sma(SLOW)]},
}
EMA_BOTH = {
    "entry": {"crosses_above": [ema(FAST), ema(SLOW)]},
    "exit": {"crosses_below": [ema(FAST), ema(SLOW)]},
    "short_entry": {"crosses_below": [ema(FAST), ema(SLOW)]},
    "short_exit": {"crosses_above": [ema(FAST), ema(SLOW)]},
}
RSI_SHORT = {
    "short_entry": {"gt": [rsi({"param": "period"}), {"param": "level"}]},
    "short_exit": {"lt": [rsi({"param": "period"}), 50]},
}
NEVER = {"entry": {"gt": ["close", 1e12]}}  # no trade at all: every ratio is undefined


def tagged(value: Any) -> Any:
    """A result with every float as its bits (NaN equals NaN; -0.0 differs from 0.0), every
    other scalar with its type, and dicts as their items in order (key order counts)."""
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else ("float", struct.pack("<d", value))
    if isinstance(value, dict):
        return [(k, tagged(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [tagged(v) for v in value]
    return (type(value).__name__, value)


def plain(out: dict) -> Any:
    return tagged({k: v for k, v in out.items() if k != "execution_time_ms"})


def bars(n: int, seed: int) -> MarketData:
    d = fb.generate_sample_data("WF", n, 100.0, seed)
    return MarketData(
        d["symbol"], d["dates"], d["open"], d["high"], d["low"], d["close"], d["volume"]
    )


def engine() -> Any:
    require_native()
    from quant_backtest import _native

    return _native.Engine()


def outcome(call: Callable[[], dict]) -> tuple:
    """``("ok", the result as :func:`plain` writes it)`` or ``("error", message, code)``."""
    try:
        return ("ok", plain(call()))
    except BacktestError as e:
        return ("error", str(e), e.code)


def both(
    md: MarketData,
    strategy: Any,
    params: Any,
    run_settings: Any,
    options: Any,
    constraint: Any = None,
    keep: Optional[Callable[[dict], bool]] = None,
) -> tuple[tuple, tuple, Optional[dict]]:
    """``(native outcome, fallback outcome, the fallback's dict or None)`` of one walk-forward;
    ``keep``: a Python constraint (its kept rows go to both, as ``engine.sweep`` passes them)."""
    names = rows = combos = None
    if keep is not None:
        names = list(params)
        combos = [c for c in combinations_of(params) if keep(c)]
        rows = [[c[name] for name in names] for c in combos]
    native = engine()
    theirs = outcome(
        lambda: native.walk_forward(
            md.native_handle(),
            strategy,
            run_settings,
            params,
            constraint,
            names,
            rows,
            options,
            None,
        )
    )
    kept: list[dict] = []

    def ours_call() -> dict:
        kept.append(
            fb.walk_forward(
                md.as_lists(), strategy, params, run_settings, constraint, combos, options
            )
        )
        return kept[0]

    ours = outcome(ours_call)
    return theirs, ours, kept[0] if kept else None


def same_walk(
    md: MarketData, strategy: Any, params: Any, run_settings: Any, options: Any, **kw: Any
) -> dict:
    """Both engines' walks, equal; the fallback's dict."""
    theirs, ours, out = both(md, strategy, params, run_settings, options, **kw)
    assert ours == theirs
    assert out is not None, ours
    assert isinstance(out["execution_time_ms"], float) and out["execution_time_ms"] >= 0.0
    return out


def check_layout(out: dict, n: int) -> None:
    """The windows tile as the options say and the stitched curve is the tests' curves."""
    train, test, step = out["train"], out["test"], out["step"]
    assert len(out["windows"]) == (n - train - test) // step + 1 >= 2
    for k, w in enumerate(out["windows"]):
        assert w["window"] == k
        assert w["test_start_index"] == k * step + train == w["train_end_index"] + 1
        assert w["test_end_index"] - w["test_start_index"] + 1 == test
        start = 0 if out["anchored"] else k * step
        assert w["train_start_index"] == start
        assert len(w["in_sample_equity"]) == w["train_end_index"] - start + 1
    assert len(out["equity_curve"]) == len(out["equity_index"]) == test * len(out["windows"])
    for a, b in zip(out["windows"], out["windows"][1:]):
        assert b["start_equity"] == a["end_equity"]


# -- named cases --------------------------------------------------------------------------


def test_rolling_sma_cross_next_open() -> None:
    md = bars(320, 3)
    out = same_walk(
        md,
        SMA_CROSS,
        {"fast": [3, 5, 8], "slow": [20, 30]},
        {"commission_rate": 0.001},
        {"train": 120, "test": 50},
    )
    check_layout(out, 320)
    assert out["maximize"] == "sharpe_ratio" and out["combinations"] == 6
    assert out["trades"] and out["names"] == ["fast", "slow"]
    tests = [range(w["test_start_index"], w["test_end_index"] + 1) for w in out["windows"]]
    for t in out["trades"]:  # indices in all the bars, each trade inside one test
        assert any(t["entry_index"] in r and t["exit_index"] in r for r in tests), t
        assert t["entry_date"] == md.dates[t["entry_index"]]


def test_both_directions_with_stops_and_close_fill() -> None:
    md = bars(300, 11)
    run_settings = {
        "direction": "both",
        "fill": "close",
        "stop_loss": 0.03,
        "take_profit": 0.06,
        "trailing_stop": 0.04,
        "slippage": 0.0005,
    }
    out = same_walk(
        md,
        EMA_BOTH,
        {"fast": [3, 6], "slow": [15, 25]},
        run_settings,
        {"train": 90, "test": 45, "maximize": "total_return"},
    )
    check_layout(out, 300)
    reasons = {t["exit_reason"] for t in out["trades"]}
    assert {t["direction"] for t in out["trades"]} == {"long", "short"}
    assert reasons & {"stop_loss", "take_profit", "trailing_stop"}, reasons


def test_short_only_rsi_with_a_param_threshold() -> None:
    md = bars(280, 7)
    out = same_walk(
        md,
        RSI_SHORT,
        {"period": [7, 14], "level": [55, 62.5, 70]},
        {"direction": "short_only", "commission_rate": 0.0},
        {"train": 80, "test": 40, "maximize": "calmar_ratio"},
    )
    check_layout(out, 280)
    assert out["trades"] and all(t["direction"] == "short" for t in out["trades"])


def test_anchored_with_step_greater_than_test() -> None:
    md = bars(299, 5)
    out = same_walk(
        md,
        SMA_CROSS,
        {"fast": [4, 9], "slow": [21, 34]},
        {},
        {"train": 100, "test": 50, "step": 60, "anchored": True},
    )
    check_layout(out, 299)
    assert [w["test_start_index"] for w in out["windows"]] == [100, 160, 220]
    assert out["equity_index"][49:51] == [149, 160]  # the bars between tests are not used


def test_windows_not_aligned_to_64_bars() -> None:
    md = bars(333, 21)
    out = same_walk(
        md,
        EMA_BOTH,
        {"fast": [2, 5], "slow": [13]},
        {"direction": "both", "fill": "close"},
        {"train": 71, "test": 37, "step": 41, "maximize": "sortino_ratio"},
    )
    check_layout(out, 333)
    assert {w["test_start_index"] % 64 for w in out["windows"]} != {0}


def test_a_python_callable_constraint_gives_the_kept_combinations() -> None:
    md = bars(260, 9)
    # The strategy's own constraint keeps nothing: given rows replace it.
    tree = {**SMA_CROSS, "constraint": {"gt": [FAST, 100]}}
    keep = lambda c: c["fast"] < c["slow"] and (c["fast"] + c["slow"]) % 2 == 1  # noqa: E731
    out = same_walk(
        md,
        tree,
        {"fast": [3, 4, 20], "slow": [5, 20, 31]},
        {"fill": "close"},
        {"train": 90, "test": 40},
        keep=keep,
    )
    check_layout(out, 260)
    assert out["combinations"] == 4  # (3, 20), (4, 5), (4, 31), (20, 31)
    chosen = {(w["params"]["fast"], w["params"]["slow"]) for w in out["windows"]}
    assert all(keep({"fast": f, "slow": s}) for f, s in chosen)


def test_every_score_undefined_chooses_the_first() -> None:
    md = bars(200, 2)
    out = same_walk(
        md,
        {**NEVER, "exit": {"lt": [sma(FAST), 0]}},
        {"fast": [3, 5, 8]},
        {},
        {"train": 60, "test": 30},
    )
    check_layout(out, 200)
    assert all(w["params"] == {"fast": 3} for w in out["windows"])
    assert all(w["in_sample"]["sharpe_ratio"] is None for w in out["windows"])
    assert out["metrics"]["sharpe_ratio"] is None and out["trades"] == []
    assert out["equity_curve"] == [100_000.0] * len(out["equity_curve"])


def test_a_test_that_ends_without_capital_leaves_the_next_ones_flat() -> None:
    # Flat, then the price triples: an always-on short loses more than its capital (and a run
    # from it would still show the bars' buy and hold).
    n = 100
    closes = (
        [100.0] * 30 + [100.0 + 10.0 * (t + 1) for t in range(20)] + [300.0 + t for t in range(50)]
    )
    opens = [closes[0]] + closes[:-1]
    highs = [max(o, c) for o, c in zip(opens, closes)]
    lows = [min(o, c) for o, c in zip(opens, closes)]
    dates = fb.business_days(fb.days_from_civil(2024, 1, 1), n)
    md = MarketData("X", dates, opens, highs, lows, closes, [1.0] * n)
    tree = {"short_entry": {"gt": ["close", {"param": "floor"}]}}
    out = same_walk(
        md,
        tree,
        {"floor": [0, 1]},
        {"direction": "short_only", "fill": "close"},
        {"train": 10, "test": 20},
    )
    check_layout(out, n)
    broke = [w for w in out["windows"] if not w["start_equity"] > 0.0]
    assert broke, [w["start_equity"] for w in out["windows"]]
    for w in broke:
        assert w["out_of_sample"]["trade_count"] == 0
        assert w["out_of_sample"]["buy_and_hold_return"] == 0.0
        assert w["end_equity"] == w["start_equity"]


def test_a_flat_test_from_zero_capital_has_an_undefined_return() -> None:
    # Rust's 0 / 0 is NaN, where Python's division raises.
    m = _flat_table(0.0, 252.0, 5)
    assert math.isnan(m["total_return"]) and math.isnan(m["annualized_return"])
    assert m["volatility"] == 0.0 and m["sharpe_ratio"] is None and m["trade_count"] == 0
    m = _flat_table(-50.0, 252.0, 1)
    assert m["total_return"] == 0.0 and math.isnan(m["volatility"])


# -- refusals -----------------------------------------------------------------------------

TT = {"train": 10, "test": 5}
BAD_OPTIONS = [
    (None, "the walk-forward options must be an object, got null"),
    ([], "the walk-forward options must be an object, got an array"),
    ("x", "the walk-forward options must be an object, got 'x'"),
    ({**TT, "anchor": True}, "unknown walk-forward option 'anchor'; did you mean 'anchored'?"),
    ({"train": 0, "bogus": 1}, "unknown walk-forward option 'bogus'; did you mean 'train'?"),
    ({1: 2}, None),
    ({None: 1}, None),
    ({(1, 2): 1}, None),
    ({"train": 0}, "train must be an integer >= 1, got 0"),
    ({"test": 5}, "train is required: a number of bars"),
    ({"train": None, "test": 5}, "train is required: a number of bars"),
    ({"train": 3}, "test is required: a number of bars"),
    ({"train": True, "test": 5}, "train must be an integer >= 1, got true"),
    ({"train": 2.0, "test": 5}, "train must be an integer >= 1, got 2.0"),
    ({"train": 10, "test": 2.5}, "test must be an integer >= 1, got 2.5"),
    ({"train": float("nan"), "test": 5}, "train must be an integer >= 1, got NaN"),
    ({"train": "10", "test": 5}, "train must be an integer >= 1, got '10'"),
    ({"train": [10], "test": 5}, "train must be an integer >= 1, got an array"),
    ({"train": -(2**130), "test": 5}, None),
    ({"train": 2**130, "test": 5}, None),
    ({"train": -3, "test": 5}, "train must be an integer >= 1, got -3"),
    (
        {**TT, "step": 4},
        "step (4) is less than test (5): the test windows would overlap; give step >= test",
    ),
    ({**TT, "step": 0}, "step must be an integer >= 1, got 0"),
    ({**TT, "step": False}, "step must be an integer >= 1, got false"),
    ({**TT, "anchored": 1}, "anchored must be true or false, got 1"),
    ({**TT, "anchored": "yes"}, "anchored must be true or false, got 'yes'"),
    ({**TT, "maximize": 3}, "maximize must be a metric's name, got 3"),
    ({**TT, "maximize": {}}, "maximize must be a metric's name, got an object"),
    (
        {**TT, "maximize": "sharp_ratio"},
        "unknown metric 'sharp_ratio'; did you mean 'sharpe_ratio'?",
    ),
    ({**TT, "maximize": "trade"}, "unknown metric 'trade'; did you mean 'trade_count'?"),
    ({**TT, "maximize": ""}, None),
    (
        {"train": 100, "test": 30},
        "the first window needs 130 bars (train 100 + test 30), the data has 120",
    ),
    ({"train": 2**70, "test": 5}, None),
    ({"train": 2**127 - 1, "test": 5, "step": 9}, None),
]


@pytest.mark.parametrize(
    "options, message", BAD_OPTIONS, ids=[repr(o)[:50] for o, _ in BAD_OPTIONS]
)
def test_bad_options_and_windows_are_refused_alike(options: Any, message: Optional[str]) -> None:
    md = bars(120, 4)
    theirs, ours, _ = both(md, SMA_CROSS, {"fast": [3], "slow": [10]}, {}, options)
    assert ours == theirs
    assert ours[0] == "error" and ours[2] == "invalid_parameter", ours
    if message is not None:
        assert ours[1] == message


def test_a_huge_step_gives_one_window() -> None:
    md = bars(120, 4)
    out = same_walk(md, SMA_CROSS, {"fast": [3], "slow": [10]}, {}, {**TT, "step": 2**70})
    assert len(out["windows"]) == 1 and out["step"] == 2**64 - 1


SWEEP_FIRST = [
    # (strategy, params, settings, options): the sweep's refusal wins over the options'.
    (SMA_CROSS, {"fast": [3], "slow": []}, {}, {"train": 0}),
    (SMA_CROSS, {"fast": [0], "slow": [10]}, {}, None),
    (SMA_CROSS, [1], {}, {"anchor": 1}),
    ({"entry": {"crosses": [1, 2]}}, {"fast": [3]}, {}, "x"),
    (SMA_CROSS, {"fast": [3], "slow": [10]}, {"fill": "later"}, {"train": 1000, "test": 1000}),
    (SMA_CROSS, {"fast": [3], "slow": [10]}, {"direction": "both"}, {}),
]


@pytest.mark.parametrize("strategy, params, run_settings, options", SWEEP_FIRST)
def test_the_sweep_is_checked_before_the_options(
    strategy: Any, params: Any, run_settings: Any, options: Any
) -> None:
    md = bars(120, 4)
    theirs, ours, _ = both(md, strategy, params, run_settings, options)
    assert ours == theirs
    assert ours[0] == "error" and "walk-forward" not in ours[1] and "window" not in ours[1], ours


def test_a_callable_constraint_that_keeps_nothing_is_refused_alike() -> None:
    md = bars(120, 4)
    theirs, ours, _ = both(md, SMA_CROSS, {"fast": [3], "slow": [10]}, {}, TT, keep=lambda c: False)
    assert (
        ours
        == theirs
        == ("error", "the constraint leaves no combination of params", "invalid_grid")
    )


# -- random small cases ---------------------------------------------------------------------


@st.composite
def walk_case(draw: Any) -> tuple:
    n = draw(st.integers(40, 220))
    seed = draw(st.integers(0, 2**32))
    kind = draw(st.sampled_from(["sma", "both", "rsi"]))
    run_settings: dict[str, Any] = {}
    if kind == "sma":
        tree: dict = SMA_CROSS
        params: dict = {
            "fast": draw(st.lists(st.integers(2, 8), min_size=1, max_size=2)),
            "slow": draw(st.lists(st.integers(9, 30), min_size=1, max_size=2)),
        }
        direction = draw(st.sampled_from([None, "long_only"]))
    elif kind == "both":
        tree = EMA_BOTH
        params = {
            "fast": draw(st.lists(st.integers(2, 6), min_size=1, max_size=2)),
            "slow": [12, 20],
        }
        direction = "both"
    else:
        tree = RSI_SHORT
        params = {
            "period": [7, 14],
            "level": draw(st.lists(st.sampled_from([55, 60.5, 70]), min_size=1, max_size=2)),
        }
        direction = "short_only"
    if direction is not None:
        run_settings["direction"] = direction
    for name, values in [
        ("fill", ["close", "next_open"]),
        ("commission_rate", [0.0, 0.001]),
        ("stop_loss", [0.02, 0.05]),
        ("take_profit", [0.04]),
        ("trailing_stop", [0.03]),
        ("initial_capital", [1000.0, 250_000.0]),
        ("periods_per_year", [52.0]),
    ]:
        if draw(st.booleans()):
            run_settings[name] = draw(st.sampled_from(values))
    train = draw(st.integers(5, max(5, n // 2)))
    test = draw(st.integers(1, max(1, (n - train) // 2 + 3)))
    options: dict[str, Any] = {"train": train, "test": test}
    if draw(st.booleans()):
        options["step"] = test + draw(st.integers(0, 20))
    if draw(st.booleans()):
        options["anchored"] = draw(st.booleans())
    if draw(st.booleans()):
        options["maximize"] = draw(st.sampled_from(fb.METRIC_NAMES))
    return n, seed, tree, params, run_settings, options


@PROPERTY_SETTINGS
@given(case=walk_case())
def test_random_walks_equal_the_native_engine(case: tuple) -> None:
    n, seed, tree, params, run_settings, options = case
    theirs, ours, _ = both(bars(n, seed), tree, params, run_settings, options)
    event(ours[0] if ours[0] == "ok" else ours[1].split(" ")[1])
    assert ours == theirs
