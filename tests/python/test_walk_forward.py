"""Walk-forward optimisation (SPEC part 12), one body per backend, against a reference made of
other public calls: a live run over the bars up to a window's end gives each bar's effective
signals (its ``signal`` events, made on every bar before the window too), which
``run_signals`` runs on the window's bars alone; the best on the train bars (NaN never wins,
ties to the first) runs on the test bars from the equity the previous test ended with. Also the
result's views and the refusals."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quant_backtest as qb
from quant_backtest import BacktestError, RustEngine
from quant_backtest import strategy as qs
from quant_backtest._result import METRIC_NAMES

SIGNAL_ARRAYS = {
    ("long", "entry"): "entries",
    ("long", "exit"): "exits",
    ("short", "entry"): "short_entries",
    ("short", "exit"): "short_exits",
}


def bits(x: Any) -> Any:
    if isinstance(x, float):
        return "nan" if math.isnan(x) else struct.pack("<d", x)
    if isinstance(x, dict):
        return tuple((k, bits(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return tuple(bits(v) for v in x)
    if hasattr(x, "tolist"):
        return bits(x.tolist())
    return x


def part(md: qb.MarketData, start: int, end: int) -> qb.MarketData:
    c = md.as_lists()
    return qb.MarketData(
        symbol=md.symbol,
        dates=c["dates"][start:end],
        **{k: c[k][start:end] for k in ("open", "high", "low", "close", "volume")},
    )


def effective_signals(
    engine: RustEngine, md: qb.MarketData, strategy: Any, combo: dict, settings: dict, end: int
) -> dict[str, list[bool]]:
    """Each bar's effective signals over the first ``end`` bars (a live run's signal events)."""
    live = engine.live(strategy, params=combo, equity_curve=False, **settings)
    out = {name: [False] * end for name in SIGNAL_ARRAYS.values()}
    c = md.as_lists()
    for t in range(end):
        bar = {k: c[k][t] for k in ("open", "high", "low", "close", "volume")}
        for e in live.push({"date": c["dates"][t], **bar}):
            if e.kind == "signal":
                out[SIGNAL_ARRAYS[(e.side, e.reason)]][t] = True
    return out


def window_run(
    engine: RustEngine,
    md: qb.MarketData,
    signals: dict[str, list[bool]],
    start: int,
    end: int,
    settings: dict,
) -> qb.BacktestResult:
    direction = settings.get("direction", "long_only")
    sides = {
        "long_only": ("entries", "exits"),
        "short_only": ("short_entries", "short_exits"),
        "both": tuple(SIGNAL_ARRAYS.values()),
    }[direction]
    cut = {name: signals[name][start:end] for name in sides}
    return engine.run_signals(part(md, start, end), **cut, **settings)


def metrics_of(r: qb.BacktestResult) -> dict:
    return {name: getattr(r, name) for name in METRIC_NAMES}


def best_index(scores: list[Any]) -> int:
    best = 0
    for i, x in enumerate(scores):
        x = math.nan if x is None else x
        b = math.nan if scores[best] is None else scores[best]
        if x == x and (b != b or x > b):
            best = i
    return best


def combinations(params: dict, keep: Any = None) -> list[dict]:
    import itertools

    combos = [dict(zip(params, c)) for c in itertools.product(*params.values())]
    return [c for c in combos if keep is None or keep(c)]


def check_against_reference(
    engine: RustEngine,
    md: qb.MarketData,
    strategy: Any,
    params: dict,
    combos: list[dict],
    options: dict,
    settings: dict,
    constraint: Any = None,
) -> qb.WalkForwardResult:
    r = engine.walk_forward(md, strategy, params, constraint=constraint, **options, **settings)
    assert r.backend == engine.backend
    maximize = options.get("maximize", "sharpe_ratio")
    capital = settings.get("initial_capital", 100_000.0)
    stitched: list[float] = []
    trades = 0
    signals = {
        i: effective_signals(engine, md, strategy, c, settings, len(md))
        for i, c in enumerate(combos)
    }
    assert len(r.rows) >= 2
    for w in r.rows:
        train = (w.train_start_index, w.train_end_index + 1)
        test = (w.test_start_index, w.test_end_index + 1)
        runs = [window_run(engine, md, signals[i], *train, settings) for i in range(len(combos))]
        b = best_index([getattr(x, maximize) for x in runs])
        assert w.params == combos[b], f"window {w.window}"
        assert bits(w.in_sample) == bits(metrics_of(runs[b]))
        assert bits(w.in_sample_equity) == bits(runs[b].equity_curve)
        assert w.start_equity == capital
        t = window_run(engine, md, signals[b], *test, {**settings, "initial_capital": capital})
        assert bits(w.out_of_sample) == bits(metrics_of(t)), f"window {w.window}"
        capital = float(t.equity_curve[-1])
        assert w.end_equity == capital
        stitched.extend(float(x) for x in t.equity_curve)
        trades += len(t.trades)
        assert (w.train_start, w.test_end) == (md.dates[train[0]], md.dates[test[1] - 1])
    assert bits(list(r.equity_curve)) == bits(stitched)
    assert r.trade_count == trades == len(r.trades)
    assert r.equity_dates == tuple(md.dates[i] for i in r.equity_index)
    return r


def sma_params() -> Any:
    return qs.sma_cross(qs.param("fast"), qs.param("slow"))


def test_rolling_sma_cross_equals_its_reference(engine: RustEngine) -> None:
    md = qb.generate_sample_data("WF", 520, 100.0, seed=4)
    params = {"fast": [3, 6, 10], "slow": [15, 30]}
    r = check_against_reference(
        engine,
        md,
        sma_params(),
        params,
        combinations(params),
        {"train": 200, "test": 80},
        {"commission_rate": 0.001},
    )
    assert r.trade_count > 0
    assert (r.train, r.test, r.step, r.anchored, r.maximize) == (200, 80, 80, False, "sharpe_ratio")
    assert r.combinations == 6


def test_anchored_both_sides_with_stops_and_a_callable_constraint(engine: RustEngine) -> None:
    md = qb.generate_sample_data("WF", 480, 50.0, seed=8)
    fast, slow = qs.ema(qs.param("fast")), qs.ema(qs.param("slow"))
    strategy = qs.Strategy(
        entry=fast.crosses_above(slow),
        exit=fast.crosses_below(slow),
        short_entry=fast.crosses_below(slow),
        short_exit=fast.crosses_above(slow),
    )
    params = {"fast": [4, 8, 16], "slow": [12, 24]}
    keep = lambda c: c["fast"] < c["slow"]  # noqa: E731
    settings = {
        "direction": "both",
        "fill": "close",
        "stop_loss": 0.05,
        "initial_capital": 20_000.0,
    }
    options = {"train": 130, "test": 70, "step": 90, "anchored": True, "maximize": "total_return"}
    r = check_against_reference(
        engine, md, strategy, params, combinations(params, keep), options, settings, keep
    )
    assert r.rows[0].train_start_index == r.rows[-1].train_start_index == 0
    assert r.equity_index[70] == r.rows[1].test_start_index == 130 + 90


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    train=st.integers(40, 120),
    test=st.integers(20, 60),
    extra=st.integers(0, 30),
    anchored=st.booleans(),
    maximize=st.sampled_from(["sharpe_ratio", "total_return", "calmar_ratio", "win_rate"]),
    fill=st.sampled_from(["close", "next_open"]),
)
def test_random_walks_equal_their_reference(
    engine: RustEngine,
    seed: int,
    train: int,
    test: int,
    extra: int,
    anchored: bool,
    maximize: str,
    fill: str,
) -> None:
    md = qb.generate_sample_data("WF", train + 3 * test + extra, 100.0, seed=seed)
    params = {"fast": [2, 5], "slow": [9, 20]}
    options = {
        "train": train,
        "test": test,
        "step": test + extra // 3,
        "anchored": anchored,
        "maximize": maximize,
    }
    check_against_reference(
        engine, md, sma_params(), params, combinations(params), options, {"fill": fill}
    )


def test_the_views(engine: RustEngine) -> None:
    import pandas as pd  # requirements-dev.txt; the views without pandas: windows_columns()

    md = qb.generate_sample_data("WF", 400, 100.0, seed=2)
    r = engine.walk_forward(md, sma_params(), {"fast": [3, 8], "slow": [20]}, train=150, test=50)
    frame = r.windows
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(range(len(r.rows))) == [0, 1, 2, 3, 4]
    assert list(frame["fast"]) == [w.params["fast"] for w in r.rows]
    assert list(frame["test_start"]) == [md.dates[150 + 50 * k] for k in range(5)]
    assert frame["test_total_return"].tolist() == [w.out_of_sample["total_return"] for w in r.rows]
    assert r.params == [w.params for w in r.rows]
    columns = r.windows_columns()
    assert set(columns) >= {
        "train_sharpe_ratio",
        "test_sharpe_ratio",
        "start_equity",
        "end_equity",
        "slow",
    }
    equity = r.equity_frame()
    assert len(equity) == 250 and equity.index[0] == pd.Timestamp(md.dates[150])
    d = r.to_dict()
    assert d["windows"][0]["params"] == r.rows[0].params
    assert d["metrics"] == r.metrics
    assert d["equity_curve"] == [float(x) for x in r.equity_curve]
    assert len(r.trades_frame()) == r.trade_count


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"train": 0, "test": 10}, "train must be an integer >= 1, got 0"),
        ({"train": 10, "test": 2.5}, "test must be an integer >= 1, got 2.5"),
        (
            {"train": 10, "test": 5, "step": 4},
            "step (4) is less than test (5): the test windows would overlap; give step >= test",
        ),
        ({"train": 10, "test": 5, "anchored": 1}, "anchored must be true or false, got 1"),
        (
            {"train": 10, "test": 5, "maximize": "sharp"},
            "unknown metric 'sharp'; did you mean 'sharpe_ratio'?",
        ),
        (
            {"train": 100, "test": 30},
            "the first window needs 130 bars (train 100 + test 30), the data has 120",
        ),
    ],
)
def test_bad_options_are_refused(engine: RustEngine, options: dict, message: str) -> None:
    md = qb.generate_sample_data("WF", 120, 100.0, seed=1)
    with pytest.raises(BacktestError) as info:
        engine.walk_forward(md, sma_params(), {"fast": [3], "slow": [10]}, **options)
    assert str(info.value) == message
    assert info.value.code == "invalid_parameter"


def test_the_sweep_is_checked_first(engine: RustEngine) -> None:
    md = qb.generate_sample_data("WF", 120, 100.0, seed=1)
    with pytest.raises(BacktestError, match=r"^params\['fast'\] is empty$"):
        engine.walk_forward(md, sma_params(), {"fast": [], "slow": [10]}, train=0, test=0)


def test_both_backends_agree_bit_for_bit() -> None:
    from conftest import require_native

    require_native()
    md = qb.generate_sample_data("WF", 700, 80.0, seed=13)
    args = (md, sma_params(), {"fast": [4, 7, 12], "slow": [25, 40]})
    kw = {"train": 250, "test": 90, "step": 100, "stop_loss": 0.03, "trailing_stop": 0.06}
    native = RustEngine(use_rust=True).walk_forward(*args, **kw).to_dict()
    python = RustEngine(use_rust=False).walk_forward(*args, **kw).to_dict()
    for d in (native, python):
        d.pop("execution_time_ms")
        d.pop("backend")
    assert bits(native) == bits(python)
