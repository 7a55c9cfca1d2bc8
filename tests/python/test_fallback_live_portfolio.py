"""The pure-Python engine's live portfolio runs (``_fallback/live_portfolio.py``), the mirror of
tests/live_portfolio.rs: the golden portfolio cases and sample universes with staggered starts
and gaps, pushed one instant at a time, equal the fallback's batch ``run_portfolio`` on the
started assets' bars so far, bit for bit; saved states resume to the same answer; refused bar
sets and bad states change nothing; and the native engine gives the same events, results and
saved text, each loading the other's."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from quant_backtest import BacktestError
from quant_backtest._fallback import generate_sample_universe, run_portfolio
from quant_backtest._fallback.live import LiveBacktest, checksum, live_from_json
from quant_backtest._fallback.live_portfolio import LivePortfolioBacktest
from quant_backtest._fallback.portfolio import align

GOLDEN = json.loads(
    (Path(__file__).resolve().parent.parent / "golden" / "portfolios.json").read_text()
)
PRICES = ("open", "high", "low", "close", "volume")


def bits(value: Any) -> Any:
    """A result with every float replaced by its bits (NaN equals NaN; -0.0 differs from 0.0)."""
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else struct.pack("<d", value)
    if isinstance(value, dict):
        return {k: bits(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [bits(v) for v in value]
    return value


def plain(out: dict) -> Any:
    return bits({k: v for k, v in out.items() if k != "execution_time_ms"})


def golden_universe(case: dict) -> list[dict]:
    return [
        {
            "symbol": a["symbol"],
            "dates": a["dates"],
            **{k: [float(x) for x in a[k]] for k in PRICES},
        }
        for a in case["universe"]
    ]


def gappy_universe(seed: int) -> list[dict]:
    """A sample universe whose assets start apart, with some bars dropped (gaps)."""
    out = []
    for i, a in enumerate(generate_sample_universe(["A", "B", "C", "D"], 260, seed)):
        keep = [j for j in range(len(a["dates"])) if (j * 7 + i * 3) % 11 != 0]
        out.append(
            {"symbol": a["symbol"], **{k: [a[k][j] for j in keep] for k in ("dates",) + PRICES}}
        )
    return out


class Universe:
    """Columns aligned on the union of their instants: each asset's union bar per own bar."""

    def __init__(self, assets: list[dict]) -> None:
        self.assets = assets
        self.dates, self.union_bars = align(assets)
        self.symbols = [a["symbol"] for a in assets]

    def __len__(self) -> int:
        return len(self.dates)

    def bar_set(self, t: int, omit_unstarted: bool) -> dict:
        """Union bar ``t``'s set: each asset's bar then, or None; ``omit_unstarted`` leaves out
        the assets that have not started yet (as a caller may)."""
        out: dict = {}
        for a, own in zip(self.assets, self.union_bars):
            if t in own:
                j = own.index(t)
                out[a["symbol"]] = {"date": a["dates"][j], **{k: a[k][j] for k in PRICES}}
            elif not (omit_unstarted and own[0] > t):
                out[a["symbol"]] = None
        return out

    def prefix(self, t: int, strategy: Any) -> tuple[list[dict], Any]:
        """The assets started by union bar ``t``, each with its bars up to then; a per-symbol
        strategy narrowed to them."""
        kept = []
        for a, own in zip(self.assets, self.union_bars):
            n = sum(1 for x in own if x <= t)
            if n:
                kept.append({"symbol": a["symbol"], **{k: a[k][:n] for k in ("dates",) + PRICES}})
        names = [a["symbol"] for a in kept]
        if isinstance(strategy, dict) and strategy and all(k in self.symbols for k in strategy):
            strategy = {k: v for k, v in strategy.items() if k in names}
        return kept, strategy


def live(u: Universe, r: tuple, curves: bool, cls: Any = LivePortfolioBacktest) -> Any:
    strategy, settings, params = r
    return cls(strategy, settings, params, list(u.symbols), curves)


def check_prefixes(u: Universe, r: tuple, checked: Callable[[int], bool], what: str) -> None:
    run, lean = live(u, r, True), live(u, r, False)
    fills = 0
    for t in range(len(u)):
        bar_set = u.bar_set(t, t % 2 == 0)
        events = run.push(bar_set)
        assert lean.push(bar_set) == events, (what, t)
        fills += sum(1 for e in events if e[0] != "signal")
        if checked(t):
            sub, strategy = u.prefix(t, r[0])
            want = run_portfolio(sub, strategy, r[1], r[2])
            got = run.result()
            assert plain(got) == plain(want), (what, t)
            thin = lean.result()
            assert bits(thin["trades"]) == bits(want["trades"]), (what, t)
            assert bits(thin["metrics"]) == bits(want["metrics"]), (what, t)
            assert bits(thin["assets"]) == bits(want["assets"]), (what, t)
            assert thin["equity_curve"] == [] and thin["dates"] == []
            assert run.equity() == want["equity_curve"][-1]
            assert run.cash() == want["cash"][-1]
            assert run.started() == [a["symbol"] for a in sub]
    assert fills >= len(run.result()["trades"]), what


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_golden_cases_equal_the_batch_run_at_every_prefix(case: dict) -> None:
    q = case["request"]
    r = (q["strategy"], q["settings"], q.get("params"))
    check_prefixes(Universe(golden_universe(case)), r, lambda _t: True, case["name"])


def sma_cross(fast: int, slow: Any) -> dict:
    a, b = {"indicator": "sma", "period": fast}, {"indicator": "sma", "period": slow}
    return {"entry": {"crosses_above": [a, b]}, "exit": {"crosses_below": [a, b]}}


BOTH = {
    "entry": {
        "crosses_above": [{"indicator": "ema", "period": 5}, {"indicator": "sma", "period": 20}]
    },
    "exit": {
        "crosses_below": [{"indicator": "ema", "period": 5}, {"indicator": "sma", "period": 20}]
    },
    "short_entry": {"lt": [{"indicator": "rsi", "period": 7}, 35]},
    "short_exit": {"gt": [{"indicator": "rsi", "period": 7}, 55]},
}
SLOW = {"param": "slow"}
SAMPLE_REQUESTS = [
    (
        "next open, stops",
        (sma_cross(5, 20), {"size": 0.3, "stop_loss": 0.03, "take_profit": 0.06}, None),
    ),
    (
        "close fills, shorts, trailing stop",
        (
            BOTH,
            {
                "size": 0.4,
                "fill": "close",
                "direction": "both",
                "trailing_stop": 0.04,
                "commission_rate": 0.001,
            },
            None,
        ),
    ),
    (
        "equal slots, next open, shorts",
        (BOTH, {"max_positions": 2, "direction": "both", "slippage": 0.0005}, None),
    ),
    (
        "a strategy per symbol, params",
        (
            {
                "A": sma_cross(3, SLOW),
                "B": {
                    "entry": {"gt": ["close", {"indicator": "sma", "period": SLOW}]},
                    "exit": {"lt": ["close", {"indicator": "sma", "period": SLOW}]},
                },
                "C": sma_cross(8, 30),
                "D": {
                    "entry": {"lt": [{"indicator": "rsi", "period": 9}, 40]},
                    "exit": {"gt": [{"indicator": "rsi", "period": 9}, 60]},
                },
            },
            {"size": 0.25, "stop_loss": 0.05},
            {"slow": 15},
        ),
    ),
]
REQUEST_IDS = [name for name, _ in SAMPLE_REQUESTS]


@pytest.mark.parametrize("seed", [7, 11])
@pytest.mark.parametrize("request_", SAMPLE_REQUESTS, ids=REQUEST_IDS)
def test_staggered_starts_and_gaps_equal_the_batch_run(seed: int, request_: tuple) -> None:
    name, r = request_
    u = Universe(gappy_universe(seed))
    n = len(u)
    check_prefixes(u, r, lambda t: t < 30 or t % 23 == 0 or t + 1 == n, f"{name} ({seed})")


@pytest.mark.parametrize("curves", [True, False])
@pytest.mark.parametrize("request_", SAMPLE_REQUESTS, ids=REQUEST_IDS)
def test_a_saved_state_resumes_to_the_same_answer(request_: tuple, curves: bool) -> None:
    name, r = request_
    u = Universe(gappy_universe(3))
    straight, resumed = live(u, r, curves), live(u, r, curves)
    for t in range(len(u)):
        bar_set = u.bar_set(t, False)
        assert resumed.push(bar_set) == straight.push(bar_set), (name, t)
        if t % 40 == 5:
            text = resumed.to_json()
            resumed = live_from_json(text)
            assert isinstance(resumed, LivePortfolioBacktest)
            assert resumed.to_json() == text, (name, t)
    assert plain(resumed.result()) == plain(straight.result()), name
    assert resumed.positions() == straight.positions()
    assert resumed.pending() == straight.pending()


def test_a_refused_bar_set_changes_nothing() -> None:
    u = Universe(gappy_universe(5))
    r = SAMPLE_REQUESTS[0][1]
    run = live(u, r, True)
    t0 = max(own[0] for own in u.union_bars) + 3
    for t in range(t0):
        run.push(u.bar_set(t, False))
    before = run.to_json()
    good = u.bar_set(t0, False)
    first = next(k for k, v in good.items() if v is not None)
    previous = run.last_date()
    own_row = run._own_bars[u.symbols.index(first)]

    def changed(f: Callable[[dict], None]) -> dict:
        s = {k: (None if v is None else dict(v)) for k, v in good.items()}
        f(s)
        return s

    refusals: list[tuple[Any, str]] = [
        (
            [1, 2],
            f"the bar set at row {t0} must be an object symbol -> bar (or null), got an array",
        ),
        (
            changed(lambda s: s.update(AA=None)),
            f"the bar set at row {t0} has a bar for unknown symbol 'AA'; did you mean 'A'?",
        ),
        (
            changed(lambda s: s.pop("C")),
            f"the bar set at row {t0} has no bar for 'C', which has started; give it null when "
            "it has no bar at this instant",
        ),
        (
            changed(lambda s: s.update({k: None for k in s})),
            f"the bar set at row {t0} has no bar: at least one asset needs one",
        ),
        (
            changed(lambda s: s[first].update(close=-1.0)),
            f"asset '{first}': close at row {own_row} must be a finite number > 0, got -1.0",
        ),
        (
            changed(lambda s: s[first].update(date=previous)),
            f"asset '{first}': dates at row {own_row} ('{previous}') is not after the last bar "
            f"set's ('{previous}'); bar sets must be strictly increasing",
        ),
        (
            changed(lambda s: s[first].pop("volume")),
            f"asset '{first}': the bar at row {own_row} has no 'volume'",
        ),
        (
            changed(lambda s: s[first].update(symbol="ZZ")),
            f"asset '{first}': the bar at row {own_row} is for symbol 'ZZ' but this run trades "
            f"'{first}'",
        ),
        (
            changed(lambda s: s[first].update(volumes=1.0)),
            f"asset '{first}': the bar at row {own_row} has an unknown field 'volumes'; did you "
            "mean 'volume'?",
        ),
        (
            changed(lambda s: s[first].update(open="1")),
            f"asset '{first}': open at row {own_row} must be a number, got '1'",
        ),
    ]
    present = [k for k, v in good.items() if v is not None]
    assert len(present) >= 2
    refusals.append(
        (
            changed(lambda s: s[present[1]].update(date="2099-01-01")),
            f"the bar set at row {t0} mixes instants: '{present[0]}' is dated "
            f"'{good[present[0]]['date']}' and '{present[1]}' '2099-01-01'; the bars of one push "
            "share one instant",
        )
    )
    for bar_set, message in refusals:
        with pytest.raises(BacktestError) as info:
            run.push(bar_set)
        assert str(info.value) == message
        assert info.value.code == "invalid_market_data"
        assert run.to_json() == before, message
    # The good set goes on as if nothing had come.
    fresh = live(u, r, True)
    for t in range(t0 + 1):
        fresh.push(u.bar_set(t, False))
    run.push(good)
    assert run.to_json() == fresh.to_json()


def resealed(saved: dict) -> str:
    """A saved state with its checksum made again: only the state's own checks can refuse it."""
    saved = dict(saved)
    saved["checksum"] = checksum({"request": saved["request"], "state": saved["state"]})
    return json.dumps(saved)


def test_bad_requests_and_states() -> None:
    strategy = sma_cross(5, 20)
    with pytest.raises(BacktestError, match="^the universe is empty: need at least 1 asset$"):
        LivePortfolioBacktest(strategy, None, None, [], True)
    with pytest.raises(BacktestError) as info:
        LivePortfolioBacktest(strategy, None, None, ["A", "B", "A"], True)
    assert str(info.value) == (
        "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct"
    )
    with pytest.raises(BacktestError) as info:
        LivePortfolioBacktest({"A": strategy, "BB": strategy}, None, None, ["A", "B"], True)
    assert str(info.value).startswith("strategy for unknown symbol 'BB'; did you mean 'B'?")
    with pytest.raises(BacktestError, match="^market data is empty: need at least 1 row$"):
        LivePortfolioBacktest(strategy, None, None, ["A"], True).result()

    u = Universe(gappy_universe(9))
    run = live(u, SAMPLE_REQUESTS[1][1], True)
    for t in range(50):
        run.push(u.bar_set(t, False))
    text = run.to_json()
    saved = json.loads(text)
    tampered = json.loads(text)
    tampered["state"]["step"]["ledger"]["open"] = 3
    with pytest.raises(BacktestError) as info:
        live_from_json(json.dumps(tampered))
    assert str(info.value) == "the live state is corrupt: its checksum does not match its content"

    def pop_own_bar(s: dict) -> None:
        s["own_bars"].pop()

    changes: list[tuple[Callable[[dict], None], str]] = [
        (lambda s: s["step"]["ledger"].update(open=3), "its cash ledger does not match"),
        (pop_own_bar, "it holds [3, 4, 4, 4, 4] per-asset entries for 4 assets"),
        (
            lambda s: s["step"]["returns"].append(0.5),
            "returns and 50 bars where its metrics count",
        ),
        (lambda s: s.update(dates=s["dates"][:3]), "it has 3 dates for 50 bars"),
        (lambda s: s["step"].update(rows=[]), "its curves have [50, 50, 0] values for 50 bars"),
        (
            lambda s: s.update(last_instant=None),
            "its positions and pending orders do not go together",
        ),
        (
            lambda s: s["signals"][1].update(crosses=[]),
            "asset 1's state is not its strategy's: it holds",
        ),
        (lambda s: s.update(own_bars="x"), 'invalid type: string "x", expected a sequence'),
        (lambda s: s["step"].pop("ledger"), "missing field `ledger`"),
    ]
    for change, message in changes:
        body = json.loads(text)
        change(body["state"])
        with pytest.raises(BacktestError) as info:
            live_from_json(resealed(body))
        assert info.value.code == "invalid_state"
        assert str(info.value).startswith("the live state is corrupt: ")
        assert message in str(info.value), (str(info.value), message)
    with pytest.raises(BacktestError) as info:
        live_from_json(text.replace('"version":1', '"version":2'))
    assert str(info.value) == "live state version 2 cannot be read: this engine reads version 1"
    # A one-asset state still gives a one-asset run.
    one = LiveBacktest(strategy, None, None, "A", True)
    assert isinstance(live_from_json(one.to_json()), LiveBacktest)
    assert isinstance(live_from_json(text), LivePortfolioBacktest)
    assert saved["request"]["symbols"] == ["A", "B", "C", "D"]


# --------------------------------------------------------------------------------------------
# The native engine: the same events, results and saved text, each loading the other's
# --------------------------------------------------------------------------------------------


def native() -> Any:
    from conftest import require_native

    require_native()
    from quant_backtest import _native

    return _native


def same_result(a: dict, b: dict) -> None:
    assert plain({k: (list(v) if k in ("equity_curve", "cash") else v) for k, v in a.items()}) == (
        plain({k: (list(v) if k in ("equity_curve", "cash") else v) for k, v in b.items()})
    )


@pytest.mark.parametrize("curves", [True, False])
@pytest.mark.parametrize("request_", SAMPLE_REQUESTS, ids=REQUEST_IDS)
def test_the_native_engine_gives_the_same_events_results_and_text(
    request_: tuple, curves: bool
) -> None:
    _native = native()
    name, r = request_
    u = Universe(gappy_universe(13))
    ours, theirs = live(u, r, curves), live(u, r, curves, _native.LivePortfolioRun)
    assert ours.to_json() == theirs.to_json()
    for t in range(len(u)):
        bar_set = u.bar_set(t, t % 3 == 0)
        assert [tuple(e) for e in theirs.push(bar_set)] == ours.push(bar_set), (name, t)
        if t % 17 == 0 or t + 1 == len(u):
            assert theirs.to_json() == ours.to_json(), (name, t)
            assert theirs.positions() == ours.positions()
            assert theirs.pending() == ours.pending()
            assert (theirs.cash(), theirs.equity()) == (ours.cash(), ours.equity())
            assert (theirs.bars(), theirs.last_date()) == (ours.bars(), ours.last_date())
            assert (theirs.symbols(), theirs.started()) == (ours.symbols(), ours.started())
            a, b = dict(theirs.result()), ours.result()
            a.pop("execution_time_ms", None)
            same_result(a, b)
    # Each loads the other's text, and goes on alike.
    text = ours.to_json()
    from_native = live_from_json(theirs.to_json())
    from_ours = _native.live_from_json(text)
    assert isinstance(from_native, LivePortfolioBacktest)
    assert from_native.to_json() == text == from_ours.to_json()


@pytest.mark.parametrize(
    "bar_set, settings",
    [
        ({"A": {"date": "2020-01-01", "open": 1, "high": 1, "low": 1, "close": 1}}, None),
        ({"A": 3}, None),
        ({"A": {"date": 5, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}}, None),
        (
            {
                "A": {
                    "date": "2020-01-01",
                    "open": True,
                    "high": 1,
                    "low": 1,
                    "close": 1,
                    "volume": 0,
                }
            },
            None,
        ),
        ({"A": {"date": "x", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}}, None),
        (
            {"A": {"date": "2020-01-01", "open": 2, "high": 1, "low": 1, "close": 1, "volume": 0}},
            None,
        ),
        (
            {"A": {"date": "2020-01-01", "open": 1, "high": 1, "low": 1, "close": 1, "volume": -1}},
            None,
        ),
        (
            {
                "A": {
                    "date": "2020-01-01",
                    "open": 1,
                    "high": 1,
                    "low": 1,
                    "close": 1,
                    "volume": 0,
                    "symbol": 4,
                }
            },
            None,
        ),
        ({1: None}, None),
        ({}, None),
        (None, None),
        ({"A": None, "B": None}, None),
    ],
)
def test_the_native_engine_refuses_bar_sets_alike(bar_set: Any, settings: Any) -> None:
    _native = native()
    strategy = sma_cross(2, 3)
    ours = LivePortfolioBacktest(strategy, settings, None, ["A", "B"], True)
    theirs = _native.LivePortfolioRun(strategy, settings, None, ["A", "B"], True)
    with pytest.raises(BacktestError) as mine:
        ours.push(bar_set)
    with pytest.raises(BacktestError) as native_error:
        theirs.push(bar_set)
    assert (str(mine.value), mine.value.code) == (str(native_error.value), native_error.value.code)
    assert ours.to_json() == theirs.to_json()


@pytest.mark.parametrize(
    "strategy, settings, symbols",
    [
        (sma_cross(5, 20), {"max_positions": 0}, ["A"]),
        (sma_cross(5, 20), {"max_positions": 2, "size": 0.5}, ["A", "B"]),
        (sma_cross(5, 20), {"sizes": 1}, ["A"]),
        ({"A": sma_cross(5, 20)}, None, ["A", "B"]),
        (
            {
                "A": sma_cross(5, 20),
                "B": {"entry": {"gt": ["close", 1]}, "settings": {"initial_capital": 5}},
            },
            None,
            ["A", "B"],
        ),
        (sma_cross(5, 20), None, ["A", "A"]),
    ],
)
def test_the_native_engine_refuses_requests_alike(
    strategy: Any, settings: Any, symbols: list
) -> None:
    _native = native()
    with pytest.raises(BacktestError) as mine:
        LivePortfolioBacktest(strategy, settings, None, symbols, True)
    with pytest.raises(BacktestError) as native_error:
        _native.LivePortfolioRun(strategy, settings, None, symbols, True)
    assert (str(mine.value), mine.value.code) == (str(native_error.value), native_error.value.code)


def test_the_native_engine_refuses_bad_states_alike() -> None:
    _native = native()
    u = Universe(gappy_universe(9))
    run = live(u, SAMPLE_REQUESTS[2][1], True)
    for t in range(60):
        run.push(u.bar_set(t, False))
    text = run.to_json()
    edits: list[Callable[[dict], Optional[Any]]] = [
        lambda s: s["step"]["ledger"].update(open=3),
        lambda s: s["own_bars"].pop(),
        lambda s: s["step"]["returns"].append(0.5),
        lambda s: s.update(dates=s["dates"][:3]),
        lambda s: s["step"].update(keep=False),
        lambda s: s.update(last_instant=None),
        lambda s: s["signals"][0].update(crosses=[]),
        lambda s: s["step"]["accounts"][0].update(size="big"),
        lambda s: s["step"].pop("closed"),
        lambda s: s["step"]["ledger"].update(slots=None),
        lambda s: s["trades"].append([9, s["trades"][0][1]]) if s["trades"] else s.update(bars=0),
    ]
    for edit in edits:
        body = json.loads(text)
        edit(body["state"])
        bad = resealed(body)
        with pytest.raises(BacktestError) as mine:
            live_from_json(bad)
        with pytest.raises(BacktestError) as native_error:
            _native.live_from_json(bad)
        assert (str(mine.value), mine.value.code) == (
            str(native_error.value),
            native_error.value.code,
        )
