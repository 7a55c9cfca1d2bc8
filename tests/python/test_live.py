"""Live runs (SPEC part 11), one body per backend: pushing bars one at a time equals the batch
run on the bars pushed so far, bit for bit, at every prefix checked; bad bars are refused with
the batch messages and change nothing; saved states resume; events tell the trades."""

from __future__ import annotations

import asyncio
import json
import math
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quant_backtest as qb
from quant_backtest import BacktestError, Bar, RustEngine
from quant_backtest import strategy as qs
from test_golden_strategies import load

CASES = [c for c in load("strategies.json") if "signals" not in c["request"]]
COLUMNS = ("open", "high", "low", "close", "volume")


def _bits(x: Any) -> Any:
    if isinstance(x, float):
        return struct.pack("<d", x) if not math.isnan(x) else "nan"
    return x


def fingerprint(r: qb.BacktestResult) -> tuple:
    """Everything a result says, floats by their bits."""
    metrics = tuple(_bits(getattr(r, name)) for name in qb._result.METRIC_NAMES)
    trades = tuple(tuple(_bits(v) for v in t) for t in r.trades)
    equity = tuple(_bits(float(e)) for e in r.equity_curve)
    return metrics, trades, equity, tuple(sorted(r.params.items()))


def rows(data: qb.MarketData) -> list[Bar]:
    cols = [list(getattr(data, k)) for k in ("dates", *COLUMNS)]
    return [Bar(*(c[t] for c in cols)) for t in range(len(data))]


def prefix(data: qb.MarketData, n: int) -> qb.MarketData:
    cols = {k: list(getattr(data, k))[:n] for k in ("dates", *COLUMNS)}
    return qb.MarketData(symbol=data.symbol, **cols)


def case_data(case: dict) -> qb.MarketData:
    d = case["data"]
    return qb.MarketData(symbol=d["symbol"], **{k: d[k] for k in ("dates", *COLUMNS)})


def start(engine: RustEngine, request: dict, **options: Any) -> qb.LiveRun:
    return engine.live(
        request["strategy"], params=request.get("params"), **options, **request["settings"]
    )


def batch(engine: RustEngine, data: qb.MarketData, request: dict) -> qb.BacktestResult:
    return engine.run_backtest(
        data, request["strategy"], params=request.get("params"), **request["settings"]
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_prefix_equals_the_batch_run(engine: RustEngine, case: dict) -> None:
    data = case_data(case)
    live = start(engine, case["request"])
    assert live.backend == engine.backend
    n = len(data)
    for t, bar in enumerate(rows(data)):
        live.push(bar)
        if t < 12 or t % 29 == 0 or t == n - 1:
            want = batch(engine, prefix(data, t + 1), case["request"])
            assert fingerprint(live.result()) == fingerprint(want), f"after {t + 1} bars"
    assert live.bars == n and live.last_date == data.dates[-1]


# -- properties ------------------------------------------------------------------------------

STRATEGIES = [
    lambda a, b: qs.sma_cross(a, a + b),
    lambda a, b: qs.ema_cross(a, a + b),
    lambda a, b: qs.rsi_reversion(period=a + 1, lower=30, upper=70),
    lambda a, b: qs.bollinger_reversion(period=a + 2, k=2.0),
    lambda a, b: qs.donchian_breakout(period=a + 1),
    lambda a, b: qs.macd_cross(fast=a, slow=a + b, signal=3),
    lambda a, b: qs.Strategy(
        entry=(qs.close > qs.sma(a + b)) & qs.rsi(a + 1).crosses_above(40),
        exit=qs.close.shift(b).crosses_below(qs.ema(a)) | ~(qs.atr(a) > qs.stddev(b + 1)),
        short_entry=qs.close.crosses_below(qs.wma(a + b)),
        short_exit=qs.roc(a).crosses_above(qs.sma(b + 1, source=qs.roc(a))),
    ),
]

SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "fill": st.sampled_from(["close", "next_open"]),
        "commission_rate": st.sampled_from([0.0, 0.001, 0.01]),
        "fixed_fee": st.sampled_from([0.0, 1.5]),
        "slippage": st.sampled_from([0.0, 0.002]),
        "lot_size": st.sampled_from([0.0, 1.0, 10.0]),
        "stop_loss": st.sampled_from([0.02, 0.05]),
        "take_profit": st.sampled_from([0.03, 0.1]),
        "trailing_stop": st.sampled_from([0.04]),
        "size": st.sampled_from([0.5, 1.0]),
    },
)


@st.composite
def live_cases(draw: Any) -> tuple:
    make = draw(st.sampled_from(range(len(STRATEGIES))))
    a, b = draw(st.integers(2, 12)), draw(st.integers(1, 15))
    strategy = STRATEGIES[make](a, b)
    s = draw(SETTINGS)
    s["direction"] = draw(
        st.sampled_from(["both"] if make == len(STRATEGIES) - 1 else ["long_only"])
    )
    days = draw(st.integers(1, 160))
    seed = draw(st.integers(0, 2**32 - 1))
    checks = draw(st.lists(st.integers(1, days), min_size=1, max_size=4))
    return strategy, s, days, seed, sorted(set(checks))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=live_cases())
def test_live_equals_batch_for_random_strategies(engine: RustEngine, case: tuple) -> None:
    strategy, s, days, seed, checks = case
    data = qb.generate_sample_data("P", days=days, seed=seed)
    live = engine.live(strategy, **s)
    bars = rows(data)
    for t, bar in enumerate(bars):
        live.push(bar)
        if t + 1 in checks:
            want = engine.run_backtest(prefix(data, t + 1), strategy, **s)
            assert fingerprint(live.result()) == fingerprint(want), f"after {t + 1} bars"


# -- events, state, refusals -----------------------------------------------------------------


def test_events_tell_the_trades(engine: RustEngine) -> None:
    data = qb.generate_sample_data("EV", days=600, seed=11)
    live = engine.live(qs.sma_cross(5, 20), symbol="EV", stop_loss=0.03, direction="long_only")
    events = live.push_many(rows(data))
    r = live.result()
    assert r.trade_count > 5
    exits = [e for e in events if e.kind == "stop" or (e.kind == "fill" and e.reason != "entry")]
    assert [(e.bar, e.price, e.size, e.reason) for e in exits] == [
        (t.exit_index, t.exit_price, t.size, t.exit_reason) for t in r.trades
    ]
    assert any(e.kind == "stop" and e.reason == "stop_loss" for e in events)
    entries = [e for e in events if e.kind == "fill" and e.reason == "entry"]
    assert [(e.bar, e.price) for e in entries][: len(r.trades)] == [
        (t.entry_index, t.entry_price) for t in r.trades
    ]
    assert {e.symbol for e in events} == {"EV"}
    orders = [e for e in events if e.kind == "order"]
    assert orders and all(o.price is None and o.size is None for o in orders)
    # next_open: every entry fills on the bar after its order.
    assert {o.bar + 1 for o in orders if o.reason == "open"} >= {e.bar for e in entries}


def test_position_cash_equity_and_pending(engine: RustEngine) -> None:
    data = qb.generate_sample_data("PC", days=300, seed=5)
    live = engine.live(qs.sma_cross(3, 12))
    assert (live.bars, live.position, live.pending, live.equity) == (0, None, None, 100_000.0)
    seen_pending = seen_position = False
    for bar in rows(data):
        events = live.push(bar)
        if any(e.kind == "order" for e in events):
            assert live.pending in ("open_long", "close")
            seen_pending = True
        if live.position is not None:
            side, size = live.position
            assert side == "long" and size > 0
            assert live.equity == live.cash + size * bar.close
            seen_position = True
        else:
            assert live.equity == live.cash
    assert seen_pending and seen_position


def test_a_saved_state_resumes_where_it_was(engine: RustEngine) -> None:
    data = qb.generate_sample_data("SV", days=400, seed=8)
    strategy = qs.rsi_reversion(period=7, lower=35, upper=65)
    straight = engine.live(strategy, trailing_stop=0.05, fill="close")
    resumed = engine.live(strategy, trailing_stop=0.05, fill="close")
    for t, bar in enumerate(rows(data)):
        straight.push(bar)
        resumed.push(bar)
        if t % 90 == 45:
            text = resumed.to_json()
            saved = json.loads(text)
            assert (saved["format"], saved["version"]) == ("quant-backtest/live-state", 1)
            resumed = engine.live_from_json(text)
            assert resumed.to_json() == text
    assert fingerprint(resumed.result()) == fingerprint(straight.result())


def test_without_the_curve_the_result_has_none(engine: RustEngine) -> None:
    data = qb.generate_sample_data("NC", days=200, seed=2)
    live = engine.live(qs.sma_cross(5, 15), equity_curve=False)
    live.push_many(rows(data))
    r, want = live.result(), engine.run_backtest(data, qs.sma_cross(5, 15))
    assert len(r.equity_curve) == 0
    assert fingerprint(r)[:2] == fingerprint(want)[:2]
    assert '"equity_curve":null' in live.to_json()


def test_feed_pushes_an_async_stream(engine: RustEngine) -> None:
    data = qb.generate_sample_data("AF", days=120, seed=4)

    async def source():
        for bar in rows(data):
            await asyncio.sleep(0)
            yield bar._asdict()

    async def main() -> list:
        live = engine.live(qs.sma_cross(3, 9), fill="close")
        got = [events async for events in live.feed(source())]
        return [len(got), live.result()]

    count, result = asyncio.run(main())
    assert count == 120
    assert fingerprint(result) == fingerprint(
        engine.run_backtest(data, qs.sma_cross(3, 9), fill="close")
    )


BAD_BARS = [
    (lambda b: {**b, "date": "2020-01-01"}, "dates at row 30 ('2020-01-01') is not after row 29"),
    (
        lambda b: {**b, "close": float("nan")},
        "close at row 30 must be a finite number > 0, got NaN",
    ),
    (lambda b: {**b, "high": b["low"] / 2}, "high at row 30 is below low"),
    (lambda b: {**b, "volume": -1.5}, "volume at row 30 must be a finite number >= 0, got -1.5"),
    (lambda b: {k: v for k, v in b.items() if k != "low"}, "the bar at row 30 has no 'low'"),
    (
        lambda b: {**b, "clsoe": 1.0},
        "the bar at row 30 has an unknown field 'clsoe'; did you mean 'close'?",
    ),
    (lambda b: {**b, "open": "12"}, "open at row 30 must be a number, got '12'"),
    (lambda b: {**b, "open": True}, "open at row 30 must be a number, got true"),
    (lambda b: {**b, "date": 7}, "date at row 30 must be a string, got 7"),
    (
        lambda b: {**b, "symbol": "MSFT"},
        "the bar at row 30 is for symbol 'MSFT' but this run trades 'AAPL'",
    ),
    (
        lambda b: [1, 2],
        "the bar at row 30 must be an object with date, open, high, low, close and volume, "
        "got an array",
    ),
    (
        lambda b: {**b, "date": "30/01/2020"},
        "dates at row 30 is not an ISO 8601 date or datetime: '30/01/2020'",
    ),
]


@pytest.mark.parametrize("make, message", BAD_BARS, ids=[m for _, m in BAD_BARS])
def test_a_bad_bar_is_refused_and_changes_nothing(
    engine: RustEngine, make: Any, message: str
) -> None:
    data = qb.generate_sample_data("AAPL", days=60, seed=1)
    bars = rows(data)
    live = engine.live(qs.sma_cross(3, 8), symbol="AAPL", stop_loss=0.02)
    live.push_many(bars[:30])
    before = live.to_json()
    with pytest.raises(BacktestError) as info:
        live.push(make({**bars[30]._asdict(), "symbol": "AAPL"}))
    assert str(info.value).startswith(message)
    assert info.value.code == "invalid_market_data"
    assert live.to_json() == before
    live.push(bars[30])
    assert live.bars == 31


def test_bad_states_are_refused(engine: RustEngine) -> None:
    data = qb.generate_sample_data("BS", days=40, seed=1)
    live = engine.live(qs.sma_cross(3, 8))
    live.push_many(rows(data))
    text = live.to_json()

    def refused(t: Any) -> str:
        with pytest.raises(BacktestError) as info:
            engine.live_from_json(t)
        assert info.value.code == "invalid_state"
        return str(info.value)

    assert refused("{").startswith("a live state must be JSON text")
    assert refused(text.replace('"version":1', '"version":2')) == (
        "live state version 2 cannot be read: this engine reads version 1"
    )
    assert refused(text.replace("quant-backtest/live-state", "x")).startswith("not a live state")
    assert refused(text.replace('"bars":40', '"bars":41')) == (
        "the live state is corrupt: its checksum does not match its content"
    )
    assert refused(12).startswith("a live state must be JSON text")


def test_live_options_are_checked(engine: RustEngine) -> None:
    with pytest.raises(BacktestError, match="unknown setting 'comission'"):
        engine.live(qs.sma_cross(3, 8), comission=0.1)
    with pytest.raises(BacktestError, match="equity_curve must be true or false, got 1"):
        engine.live(qs.sma_cross(3, 8), equity_curve=1)
    with pytest.raises(BacktestError) as info:
        engine.live(qs.sma_cross(3, 8)).result()
    assert str(info.value) == "market data is empty: need at least 1 row"


def test_native_and_fallback_refuse_alike() -> None:
    """The same bad bar gives the same message from both backends (and the native one runs)."""
    from conftest import require_native

    require_native()
    engines = [RustEngine(use_rust=True), RustEngine(use_rust=False)]
    assert [e.backend for e in engines] == ["rust", "python"]
    bars = rows(qb.generate_sample_data("X", days=10, seed=1))
    messages = []
    for e in engines:
        live = e.live(qs.sma_cross(2, 4))
        live.push_many(bars[:5])
        with pytest.raises(BacktestError) as info:
            live.push({**bars[5]._asdict(), "high": 0.5})
        messages.append(str(info.value))
    assert messages[0] == messages[1]
