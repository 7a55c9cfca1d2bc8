"""Live portfolio runs (SPEC parts 10 and 11), one body per backend: one bar set per instant
equals ``run_portfolio`` on the started assets' bars so far, bit for bit, at every prefix
checked; bad bar sets are refused with the core's messages and change nothing; saved states
resume on either backend."""

from __future__ import annotations

import asyncio
import datetime
import json
import math
import struct
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quant_backtest as qb
from quant_backtest import BacktestError, Bar, RustEngine
from quant_backtest import strategy as qs
from test_golden_portfolios import CASES, universe_of

COLUMNS = ("open", "high", "low", "close", "volume")


def _bits(x: Any) -> Any:
    if isinstance(x, float):
        return struct.pack("<d", x) if not math.isnan(x) else "nan"
    if isinstance(x, dict):
        return tuple((k, _bits(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return tuple(_bits(v) for v in x)
    return x


def fingerprint(r: qb.PortfolioResult) -> Any:
    """Everything a result says, floats by their bits."""
    d = r.to_dict()
    d.pop("execution_time_ms")
    d.pop("backend")
    return _bits(d)


def bar_sets(u: qb.Universe, omit_unstarted: bool = False) -> list[dict[str, Optional[Bar]]]:
    """Per union date, each asset's bar then (a ``Bar``), or None."""
    own = {a.symbol: {d: t for t, d in enumerate(a.dates)} for a in u}
    first = {a.symbol: a.dates[0] for a in u}
    sets = []
    for date in u.dates:
        s: dict[str, Optional[Bar]] = {}
        for a in u:
            t = own[a.symbol].get(date)
            if t is not None:
                s[a.symbol] = Bar(date, *(float(getattr(a, k)[t]) for k in COLUMNS))
            elif not (omit_unstarted and first[a.symbol] > date):
                s[a.symbol] = None
        sets.append(s)
    return sets


def prefix(u: qb.Universe, date: str) -> qb.Universe:
    """The assets started by ``date``, each with its bars up to it."""
    kept = {}
    for a in u:
        n = sum(1 for d in a.dates if d <= date)
        if n:
            kept[a.symbol] = {k: list(getattr(a, k))[:n] for k in ("dates", *COLUMNS)}
    return qb.Universe(kept)


def narrowed(strategy: Any, symbols: tuple[str, ...]) -> Any:
    """A dict of strategies per symbol kept to ``symbols``."""
    if isinstance(strategy, dict) and set(strategy) <= {"A", "B", "C", "D"}:
        return {k: v for k, v in strategy.items() if k in symbols}
    return strategy


def check_run(
    engine: RustEngine,
    u: qb.Universe,
    strategy: Any,
    options: dict,
    checked: Any = lambda t: True,
) -> qb.LivePortfolioRun:
    live = engine.live(strategy, symbols=list(u.symbols), **options)
    lean = engine.live(strategy, symbols=list(u.symbols), equity_curve=False, **options)
    assert live.backend == engine.backend and live.symbols == list(u.symbols)
    for t, s in enumerate(bar_sets(u)):
        events = live.push(s)
        assert lean.push(s) == events
        assert all(e.bar == t and e.symbol in s for e in events)
        if checked(t):
            sub = prefix(u, u.dates[t])
            want = engine.run_portfolio(sub, narrowed(strategy, sub.symbols), **options)
            got = live.result()
            assert fingerprint(got) == fingerprint(want), f"after {t + 1} instants"
            thin = lean.result()
            assert list(thin.equity_curve) == [] and thin.dates == ()
            assert thin.trades == want.trades and thin.assets == want.assets
            assert live.started == list(sub.symbols)
            assert live.equity == want.equity_curve[-1] and live.cash == want.cash[-1]
            assert set(live.positions) == {
                k for k, v in want.position_values.items() if v[-1] != 0.0
            }
    return live


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_cases_at_every_instant(engine: RustEngine, case: dict) -> None:
    request = case["request"]
    live = check_run(engine, universe_of(case), request["strategy"], request["settings"])
    assert live.bars == len(universe_of(case).dates)


def gappy(seed: int, days: int = 160) -> qb.Universe:
    """A sample universe of staggered starts, with some bars dropped."""
    u = qb.generate_sample_universe(["A", "B", "C", "D"], days=days, seed=seed)
    assets = {}
    for i, a in enumerate(u):
        keep = [t for t in range(len(a)) if (t * 7 + i * 3 + seed) % 11 != 0]
        assets[a.symbol] = {k: [list(getattr(a, k))[t] for t in keep] for k in ("dates", *COLUMNS)}
    return qb.Universe(assets)


def cross(fast: Any, slow: Any) -> qs.Strategy:
    return qs.Strategy(
        entry=qs.sma(fast).crosses_above(qs.sma(slow)),
        exit=qs.sma(fast).crosses_below(qs.sma(slow)),
    )


STRATEGIES = [
    cross(4, 15),
    qs.Strategy(
        entry=qs.ema(5).crosses_above(qs.sma(18)),
        exit=qs.ema(5).crosses_below(qs.sma(18)),
        short_entry=qs.rsi(7) < 38,
        short_exit=qs.rsi(7) > 55,
    ),
    {"A": cross(3, qs.param("slow")), "B": cross(5, 12), "C": cross(2, 9), "D": cross(6, 20)},
]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 50),
    which=st.integers(0, len(STRATEGIES) - 1),
    fill=st.sampled_from(["close", "next_open"]),
    stop=st.sampled_from([None, 0.02, 0.05]),
    trailing=st.sampled_from([None, 0.04]),
    slots=st.sampled_from([None, 2]),
    size=st.sampled_from([0.3, 0.6]),
)
def test_random_portfolios_equal_the_batch_run(
    engine: RustEngine,
    seed: int,
    which: int,
    fill: str,
    stop: Optional[float],
    trailing: Optional[float],
    slots: Optional[int],
    size: float,
) -> None:
    u = gappy(seed)
    # The strategy with short sides trades both ways (a side unused is refused).
    options: dict[str, Any] = {"fill": fill, "commission_rate": 0.001}
    if which == 1:
        options["direction"] = "both"
    if stop is not None:
        options["stop_loss"] = stop
    if trailing is not None:
        options["trailing_stop"] = trailing
    if slots is not None:
        options["max_positions"] = slots
    else:
        options["size"] = size
    if which == 2:
        options["params"] = {"slow": 11}
    n = len(u.dates)
    check_run(engine, u, STRATEGIES[which], options, lambda t: t % 17 == 0 or t == n - 1)


def test_events_positions_and_pending(engine: RustEngine) -> None:
    u = gappy(4)
    live = engine.live(STRATEGIES[1], symbols=list(u.symbols), direction="both", stop_loss=0.03)
    kinds, pending_seen = set(), set()
    for s in bar_sets(u, omit_unstarted=True):
        for e in live.push(s):
            assert isinstance(e, qb.Event) and e.symbol in u.symbols
            kinds.add((e.kind, e.reason))
        pending_seen.update(live.pending.values())
        for p in live.positions.values():
            assert p.side in ("long", "short") and p.size > 0
    assert {("fill", "entry"), ("order", "open"), ("signal", "entry")} <= kinds
    assert any(k == "stop" for k, _ in kinds)
    assert "open_long" in pending_seen or "open_short" in pending_seen
    r = live.result()
    closes = sum(1 for k, reason in kinds if k in ("fill", "stop") and reason != "entry")
    assert r.trade_count > 0 and closes > 0
    assert repr(live).startswith("LivePortfolioRun(")


def test_a_saved_state_resumes_on_either_backend(both_engines: tuple) -> None:
    native, fallback = both_engines
    u = gappy(8)
    options = {"size": 0.4, "stop_loss": 0.04, "direction": "both"}
    runs = [e.live(STRATEGIES[1], symbols=list(u.symbols), **options) for e in (native, fallback)]
    for t, s in enumerate(bar_sets(u)):
        events = [r.push(s) for r in runs]
        assert events[0] == events[1], t
        if t % 40 == 7:
            texts = [r.to_json() for r in runs]
            assert texts[0] == texts[1], f"saved text at {t}"
            # Each engine goes on from the other's text.
            runs = [native.live_from_json(texts[1]), fallback.live_from_json(texts[0])]
            assert isinstance(runs[0], qb.LivePortfolioRun)
    assert fingerprint(runs[0].result()) == fingerprint(runs[1].result())
    assert runs[0].to_json() == runs[1].to_json()


def test_refused_bar_sets_change_nothing(engine: RustEngine) -> None:
    u = gappy(5)
    live = engine.live(STRATEGIES[0], symbols=list(u.symbols), size=0.3)
    sets = bar_sets(u)
    t0 = max(u.dates.index(a.dates[0]) for a in u) + 3
    for s in sets[:t0]:
        live.push(s)
    before = live.to_json()
    good = sets[t0]
    first = next(k for k, v in good.items() if v is not None)
    row = sum(1 for d in u[first].dates if d < u.dates[t0])
    last = u.dates[t0 - 1]
    bar = good[first]
    assert bar is not None
    refusals = [
        (
            [1, 2],
            f"the bar set at row {t0} must be an object symbol -> bar (or null), got an array",
        ),
        (
            {**good, "AA": None},
            f"the bar set at row {t0} has a bar for unknown symbol 'AA'; did you mean 'A'?",
        ),
        (
            {k: v for k, v in good.items() if k != "C"},
            f"the bar set at row {t0} has no bar for 'C', which has started; give it null when "
            "it has no bar at this instant",
        ),
        (
            {k: None for k in good},
            f"the bar set at row {t0} has no bar: at least one asset needs one",
        ),
        (
            {**good, first: bar._replace(close=-1.0)},
            f"asset '{first}': close at row {row} must be a finite number > 0, got -1.0",
        ),
        (
            {**good, first: bar._replace(date=last)},
            f"asset '{first}': dates at row {row} ('{last}') is not after the last bar set's "
            f"('{last}'); bar sets must be strictly increasing",
        ),
        (
            {**good, first: {k: v for k, v in bar._asdict().items() if k != "volume"}},
            f"asset '{first}': the bar at row {row} has no 'volume'",
        ),
        (
            {**good, first: {**bar._asdict(), "symbol": "B" if first != "B" else "A"}},
            f"asset '{first}': the bar at row {row} is for symbol "
            f"'{'B' if first != 'B' else 'A'}' but this run trades '{first}'",
        ),
    ]
    present = [k for k, v in good.items() if v is not None]
    if len(present) >= 2:
        other = good[present[1]]
        assert other is not None
        refusals.append(
            (
                {**good, present[1]: other._replace(date="2099-01-01")},
                f"the bar set at row {t0} mixes instants: '{first}' is dated '{bar.date}' and "
                f"'{present[1]}' '2099-01-01'; the bars of one push share one instant",
            )
        )
    for bad, message in refusals:
        with pytest.raises(BacktestError) as e:
            live.push(bad)  # type: ignore[arg-type]
        assert str(e.value) == message
        assert e.value.code == "invalid_market_data"
        assert live.to_json() == before, message
    # The good set goes on as if nothing had come.
    fresh = engine.live(STRATEGIES[0], symbols=list(u.symbols), size=0.3)
    fresh.push_many(sets[: t0 + 1])
    live.push(good)
    assert live.to_json() == fresh.to_json()


def test_bars_as_dicts_tuples_and_date_objects(engine: RustEngine) -> None:
    u = gappy(2, days=60)
    sets = bar_sets(u)
    plain = engine.live(STRATEGIES[0], symbols=list(u.symbols))
    mixed = engine.live(STRATEGIES[0], symbols=list(u.symbols))
    for s in sets:
        plain.push(s)
        m: dict[str, Any] = {}
        for k, v in s.items():
            if v is None or k == "A":
                m[k] = v
            elif k == "B":
                m[k] = v._asdict()
            elif k == "C":
                m[k] = tuple(v)
            else:
                m[k] = {**v._asdict(), "date": datetime.date.fromisoformat(v.date)}
        mixed.push(m)
    assert mixed.to_json() == plain.to_json()


def test_feed(engine: RustEngine) -> None:
    u = gappy(6, days=80)

    async def source() -> Any:
        for s in bar_sets(u):
            await asyncio.sleep(0)
            yield s

    async def consume() -> list:
        live = engine.live(STRATEGIES[0], symbols=list(u.symbols))
        seen = [events async for events in live.feed(source())]
        return [seen, live]

    seen, live = asyncio.run(consume())
    straight = engine.live(STRATEGIES[0], symbols=list(u.symbols))
    assert [e for events in seen for e in events] == straight.push_many(bar_sets(u))
    assert live.to_json() == straight.to_json()


def test_bad_requests_and_states(engine: RustEngine) -> None:
    s = STRATEGIES[0]
    cases = [
        ({"symbols": []}, "the universe is empty: need at least 1 asset", "invalid_market_data"),
        (
            {"symbols": ["A", "B", "A"]},
            "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct",
            "invalid_market_data",
        ),
        ({"symbols": "AB"}, "symbols must be a list of strings, got 'AB'", "invalid_parameter"),
        ({"symbols": ["A", 3]}, "symbols[1] must be a string, got 3", "invalid_parameter"),
        (
            {"symbols": ["A"], "symbol": "A"},
            "give symbol (one asset) or symbols (a portfolio), not both",
            "invalid_parameter",
        ),
        (
            {"symbols": ["A", "B"], "max_positions": 0},
            "max_positions must be an integer >= 1, got 0",
            "invalid_parameter",
        ),
    ]
    for options, message, code in cases:
        with pytest.raises(BacktestError) as e:
            engine.live(s, **options)
        assert str(e.value) == message and e.value.code == code, options
    with pytest.raises(BacktestError) as e:
        engine.live({"A": s, "BB": s}, symbols=["A", "B"])
    assert str(e.value).startswith("strategy for unknown symbol 'BB'; did you mean 'B'?")
    with pytest.raises(BacktestError) as e:
        engine.live(s, symbols=["A"]).result()
    assert str(e.value) == "market data is empty: need at least 1 row"

    u = gappy(9, days=60)
    live = engine.live(s, symbols=list(u.symbols))
    live.push_many(bar_sets(u)[:30])
    text = live.to_json()
    saved = json.loads(text)
    saved["state"]["step"]["ledger"]["open"] = 3
    for bad, message in [
        (json.dumps(saved), "the live state is corrupt: its checksum does not match its content"),
        (
            text.replace('"version":1', '"version":2'),
            "live state version 2 cannot be read: this engine reads version 1",
        ),
    ]:
        with pytest.raises(BacktestError) as e:
            engine.live_from_json(bad)
        assert str(e.value) == message and e.value.code == "invalid_state"
