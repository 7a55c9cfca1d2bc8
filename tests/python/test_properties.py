"""Property tests: random valid bars and parameters through both backends give the same answer
(trades exactly, equity exactly, metrics to 1e-9 relative); grids equal single runs; random bad
data gets the same message from both."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ENV_VAR, require_native
from quant_backtest import BacktestError, BacktestResult, MarketData, RustEngine
from quant_backtest._result import METRIC_NAMES

REL = 1e-9
PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIELDS = ("open", "high", "low", "close", "volume")


@pytest.fixture(scope="module")
def engines():
    """``(rust, python)``, built with the backend variable cleared so ``use_rust`` decides."""
    require_native()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(ENV_VAR, raising=False)
        rust, python = RustEngine(use_rust=True), RustEngine(use_rust=False)
    assert (rust.backend, python.backend) == ("rust", "python")
    return rust, python


def build(backend: str, columns: dict) -> MarketData:
    """MarketData built (and validated) by one backend."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_VAR, backend)
        return MarketData(
            columns["symbol"],
            columns["dates"],
            *(columns[f] for f in FIELDS),
        )


# -- strategies -----------------------------------------------------------------------------

BASE = dt.datetime(2001, 3, 5)


@st.composite
def dates_strategy(draw: Callable, n: int) -> list[str]:
    style = draw(st.sampled_from(["date", "datetime", "datetime_z", "space_minutes", "offset"]))
    if style == "date":
        gaps = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
        out, day = [], BASE.date()
        for g in gaps:
            day += dt.timedelta(days=g)
            out.append(day.isoformat())
        return out
    gaps = draw(st.lists(st.integers(1, 600), min_size=n, max_size=n))  # minutes
    out, t = [], BASE
    for g in gaps:
        t += dt.timedelta(minutes=g)
        if style == "datetime":
            out.append(t.strftime("%Y-%m-%dT%H:%M:%S"))
        elif style == "datetime_z":
            out.append(t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
        elif style == "space_minutes":
            out.append(t.strftime("%Y-%m-%d %H:%M"))
        else:
            out.append(t.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00")
    return out


@st.composite
def closes_strategy(draw: Callable, n: int) -> list[float]:
    """A positive random walk with repeated values and flat stretches (ties for the SMAs).

    Hypothesis picks the shape (grid or free floats, volatility, how often prices repeat) and
    the seed of a ``random.Random`` that draws the steps (failures replay from the seed): left
    to itself, Hypothesis mostly draws zero moves, which never cross."""
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    flat_chance = draw(st.sampled_from([0.0, 0.05, 0.2, 0.5]))
    out: list[float] = []
    if draw(st.booleans()):
        # prices on a tick grid: many exact repeats and windows of equal sums
        tick = draw(st.sampled_from([0.01, 0.05, 0.1, 0.25, 1.0, 0.37]))
        level = draw(st.integers(20, 3000))
        width = draw(st.integers(1, 8))
        while len(out) < n:
            if out and rnd.random() < flat_chance:
                out.extend([out[-1]] * rnd.randint(1, 6))  # a flat stretch
                continue
            level = max(1, level + rnd.randint(-width, width))
            out.append(round(level * tick, 10))
        return out[:n]
    price = draw(st.floats(0.5, 5000.0))
    sigma = draw(st.sampled_from([0.001, 0.01, 0.03, 0.08]))
    while len(out) < n:
        if out and rnd.random() < flat_chance:
            out.extend([out[-1]] * rnd.randint(1, 6))
            continue
        price = max(1e-3, price * (1.0 + rnd.gauss(0.0, sigma)))
        out.append(price)
    return out[:n]


@st.composite
def bars_strategy(draw: Callable, min_n: int = 2, max_n: int = 120) -> dict:
    n = draw(st.integers(min_n, max_n))
    close = draw(closes_strategy(n))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    open_, high, low = [], [], []
    for t in range(n):
        kind = rnd.randint(0, 3)
        if kind == 0 and t > 0:
            o = close[t - 1]  # opens at the previous close
        elif kind == 1:
            o = close[t]
        else:
            o = close[t] * (1.0 + rnd.uniform(-0.03, 0.03))
        up = 0.0 if rnd.random() < 0.25 else rnd.uniform(0.0, 0.02)
        down = 0.0 if rnd.random() < 0.25 else rnd.uniform(0.0, 0.02)
        open_.append(o)
        high.append(max(o, close[t]) * (1.0 + up))
        low.append(min(o, close[t]) * (1.0 - down))
    volume = [rnd.choice((0, 1, rnd.randint(0, 10_000_000))) for _ in range(n)]
    return {
        "symbol": draw(st.sampled_from(["P", "PROP", "Ω"])),
        "dates": draw(dates_strategy(n)),
        "open": open_,
        "high": high,
        "low": low,
        "close": close,
        "volume": volume,
    }


def settings_strategy() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "initial_capital": st.one_of(
                st.sampled_from([100_000.0, 1_000_000.0, 1_000.0, 10.0]), st.floats(100.0, 1e8)
            ),
            "commission_rate": st.one_of(st.just(0.0), st.just(0.001), st.floats(0.0, 0.01)),
            "fill": st.sampled_from(["next_open", "close"]),
            "lot_size": st.sampled_from([0, 1, 100, 0.5]),
            "periods_per_year": st.one_of(
                st.sampled_from([252, 12, 52, 365.25, 1]), st.floats(0.5, 10_000.0)
            ),
        }
    )


@st.composite
def case_strategy(draw: Callable) -> tuple[dict, int, int, dict]:
    bars = draw(bars_strategy())
    n = len(bars["dates"])
    # mostly short periods (many crossings), sometimes any valid one up to slow == n
    slow = draw(st.one_of(*[st.integers(2, min(n, 12))] * 3, st.integers(2, n)))
    fast = draw(st.integers(1, slow - 1))
    return bars, fast, slow, draw(settings_strategy())


# -- comparisons ----------------------------------------------------------------------------


def close_enough(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b or math.isclose(a, b, rel_tol=REL, abs_tol=0.0)


def assert_metrics_close(a: BacktestResult, b: BacktestResult, where: str = "") -> None:
    for name in METRIC_NAMES:
        x, y = getattr(a, name), getattr(b, name)
        assert close_enough(x, y), f"{where}{name}: {x!r} != {y!r}"
    assert a.trade_count == b.trade_count


def assert_same_answer(a: BacktestResult, b: BacktestResult) -> None:
    assert len(a.trades) == len(b.trades)
    for i, (ta, tb) in enumerate(zip(a.trades, b.trades)):
        assert tuple(ta) == tuple(tb), f"trade {i}: {ta} != {tb}"
    ea = [float(x) for x in a.equity_curve]
    eb = [float(x) for x in b.equity_curve]
    assert ea == eb
    assert_metrics_close(a, b)


# -- properties -----------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(case=case_strategy())
def test_backends_agree_on_random_valid_input(engines, case):
    rust, python = engines
    bars, fast, slow, kw = case
    data_r = build("rust", bars)
    data_p = build("python", bars)
    assert data_r == data_p
    a = rust.run_sma_backtest(data_r, fast, slow, **kw)
    b = python.run_sma_backtest(data_p, fast, slow, **kw)
    assert (a.backend, b.backend) == ("rust", "python")
    assert_same_answer(a, b)
    event(f"closed trades: {min(a.trade_count, 3)}{'+' if a.trade_count >= 3 else ''}")
    repeats = sum(1 for x, y in zip(bars["close"], bars["close"][1:]) if x == y)
    event(f"repeated closes: {'none' if not repeats else 'some'}")
    # the engines also agree when handed the other backend's MarketData
    assert_same_answer(rust.run_sma_backtest(data_p, fast, slow, **kw), a)
    # the contract's invariants, on the shared answer
    n = len(bars["dates"])
    assert len(a.equity_curve) == n
    assert a.trade_count == len(a.trades)
    assert 0.0 <= a.max_drawdown <= 1.0
    assert 0.0 <= a.win_rate <= 100.0
    lot = kw["lot_size"]
    for t in a.trades:
        assert 0 <= t.entry_index < t.exit_index < n
        assert t.size > 0
        if lot:  # floor(q / lot) * lot: an exact multiple
            assert (t.size / lot).is_integer()
        prices = bars["close"] if kw["fill"] == "close" else bars["open"]
        assert t.entry_price == prices[t.entry_index]
        assert t.exit_price == prices[t.exit_index]


@st.composite
def grid_strategy(draw: Callable) -> tuple:
    bars = draw(bars_strategy(min_n=3, max_n=100))
    n = len(bars["dates"])
    period = st.one_of(st.integers(1, min(n, 12)), st.integers(1, n))
    fasts = draw(st.lists(period.filter(lambda p: p < n), min_size=1, max_size=4))
    slows = draw(st.lists(period.filter(lambda p: p >= 2), min_size=1, max_size=4))
    if not any(f < s for f in fasts for s in slows):
        slows.append(n)  # at least one valid pair (every fast is <= n - 1)
    workers = draw(st.sampled_from([None, 1, 2, 3]))
    details = draw(st.booleans())
    return bars, fasts, slows, workers, details, draw(settings_strategy())


@PROPERTY_SETTINGS
@given(case=grid_strategy())
def test_grids_agree_and_equal_single_runs(engines, case):
    rust, python = engines
    bars, fasts, slows, workers, details, kw = case
    data = build("rust", bars)
    expected_pairs = [(f, s) for f in fasts for s in slows if f < s]
    grid_r = rust.run_multiple_backtests(data, fasts, slows, workers, include_details=details, **kw)
    grid_p = python.run_multiple_backtests(
        data, fasts, slows, workers, include_details=details, **kw
    )
    assert [(f, s) for f, s, _ in grid_r] == expected_pairs
    assert [(f, s) for f, s, _ in grid_p] == expected_pairs
    for (f, s, r), (_, _, p) in zip(grid_r, grid_p):
        assert_metrics_close(r, p, f"({f}, {s}) ")
        single = rust.run_sma_backtest(data, f, s, **kw)
        assert tuple(getattr(r, m) for m in METRIC_NAMES) == tuple(
            getattr(single, m) for m in METRIC_NAMES
        ), (f, s)
        single_p = python.run_sma_backtest(data, f, s, **kw)
        assert tuple(getattr(p, m) for m in METRIC_NAMES) == tuple(
            getattr(single_p, m) for m in METRIC_NAMES
        ), (f, s)
        if details:
            assert_same_answer(r, single)
            assert_same_answer(p, single_p)
        else:
            assert r.trades == [] and p.trades == []


@st.composite
def corrupted_strategy(draw: Callable) -> dict:
    bars = draw(bars_strategy(min_n=1, max_n=30))
    n = len(bars["dates"])
    row = draw(st.integers(0, n - 1))
    kind = draw(
        st.sampled_from(
            [
                "price_special",
                "high_below_low",
                "open_outside",
                "close_outside",
                "volume",
                "date_repeat",
                "date_text",
                "length",
                "empty",
            ]
        )
    )
    if kind == "price_special":
        field = draw(st.sampled_from(["open", "high", "low", "close"]))
        bars[field][row] = draw(
            st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.0, -1.0, -1e-5, -0.0])
        )
    elif kind == "high_below_low":
        bars["high"][row] = bars["low"][row] * draw(st.floats(0.1, 0.999))
    elif kind in ("open_outside", "close_outside"):
        field = kind.split("_")[0]
        if draw(st.booleans()):
            bars[field][row] = bars["high"][row] * draw(st.floats(1.001, 3.0))
        else:
            bars[field][row] = bars["low"][row] * draw(st.floats(0.1, 0.999))
    elif kind == "volume":
        bars["volume"][row] = draw(
            st.sampled_from([-3, -1, -1.5, -0.25, float("nan"), float("inf"), float("-inf")])
        )
    elif kind == "date_repeat" and n > 1:
        row = max(row, 1)
        earlier = draw(st.integers(0, row - 1))
        bars["dates"][row] = bars["dates"][earlier]
    elif kind == "date_text" or kind == "date_repeat":
        bars["dates"][row] = draw(
            st.sampled_from(
                [
                    "foo",
                    "2021-02-29",
                    "2020-1-02",
                    "2020/01/02",
                    " 2020-01-02",
                    "2020-01-02T25:00",
                    "",
                    "2020-13-01",
                    "2020-01-02+01:00",
                ]
            )
        )
    elif kind == "length":
        field = draw(st.sampled_from(["dates", *FIELDS]))
        if draw(st.booleans()) or n == 1:
            bars[field] = bars[field] + bars[field][-1:]
        else:
            bars[field] = bars[field][:-1]
    else:
        for key in ("dates", *FIELDS):
            bars[key] = []
    return bars


def _error(backend: str, bars: dict) -> str:
    with pytest.raises(BacktestError) as info:
        build(backend, bars)
    return str(info.value)


@PROPERTY_SETTINGS
@given(bars=corrupted_strategy())
def test_backends_refuse_bad_data_with_the_same_message(bars):
    require_native()
    rust_message = _error("rust", bars)
    python_message = _error("python", bars)
    assert rust_message == python_message
    assert rust_message.split(" ")[0] in (
        "dates",
        *FIELDS,
        "market",  # market data is empty
    ), rust_message
