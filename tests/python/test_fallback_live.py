"""The pure-Python engine's live runs (``_fallback/live.py``): bars pushed one at a time give,
at every prefix checked, exactly the batch ``run_backtest`` on those bars; a saved state resumes
to the same answer; bad bars and bad states are refused, changing nothing; and the saved state
is the native engine's, byte for byte, each loading the other's."""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Optional

import pytest

from quant_backtest import BacktestError
from quant_backtest import strategy as qs
from quant_backtest._fallback import generate_sample_data, validate_market_data
from quant_backtest._fallback.api import run_backtest
from quant_backtest._fallback.dates import parse_instant
from quant_backtest._fallback.live import (
    LiveBacktest,
    checksum,
    format_json_float,
    json_text,
)

COLUMNS = ("dates", "open", "high", "low", "close", "volume")
DATA = generate_sample_data("DEMO", 420, 100.0, 7)
N = len(DATA["dates"])
PREFIXES = (1, 2, 3, 41, 160, N)

sma_fast = {"indicator": "sma", "period": 5}
sma_slow = {"indicator": "sma", "period": 20}
MIXED_TREE = {
    "entry": {"crosses_above": [sma_fast, sma_slow]},
    "exit": {"crosses_below": [sma_fast, sma_slow]},
    "short_entry": {
        "and": [
            {"lt": [{"indicator": "rsi", "period": 14}, 45]},
            {"gt": [{"indicator": "atr", "period": 10}, 1.0]},
        ]
    },
    "short_exit": {
        "or": [
            {
                "not": {
                    "lt": [
                        "close",
                        {"shift": {"indicator": "bbands", "output": "lower"}, "periods": 2},
                    ]
                }
            },
            {"gt": [{"indicator": "macd", "output": "hist"}, 0]},
        ]
    },
}
SHORT_TREE = {
    "short_entry": {
        "crosses_below": [
            {"indicator": "ema", "period": 8},
            {"indicator": "wma", "period": 21, "source": "open"},
        ]
    },
    "short_exit": {
        "or": [
            {"gt": [{"indicator": "roc", "period": 5}, 2.5]},
            {
                "gt": [
                    {"indicator": "stddev", "period": 10},
                    {"shift": {"indicator": "stddev", "period": 10}, "periods": 3},
                ]
            },
            {"crosses_above": ["close", {"indicator": "highest", "period": 15, "source": "high"}]},
        ]
    },
}

# (name, strategy, settings, params)
CASES = [
    ("sma_cross", qs.sma_cross(5, 20).to_dict(), None, None),
    ("sma_cross_params", qs.sma_cross().to_dict(), {"fill": "close"}, {"fast": 4, "slow": 17}),
    ("rsi_reversion_close", qs.rsi_reversion().to_dict(), {"fill": "close"}, None),
    ("macd_stops", qs.macd_cross().to_dict(), {"stop_loss": 0.02, "take_profit": 0.04}, None),
    (
        "bollinger_costs",
        qs.bollinger_reversion().to_dict(),
        {"trailing_stop": 0.03, "fixed_fee": 2.5, "slippage": 0.002, "lot_size": 5.0},
        None,
    ),
    ("donchian", qs.donchian_breakout(10).to_dict(), {"size_type": "value", "size": 40000}, None),
    (
        "mixed_both_next_open",
        MIXED_TREE,
        {
            "direction": "both",
            "stop_loss": 0.03,
            "take_profit": 0.08,
            "trailing_stop": 0.05,
            "fixed_fee": 1.0,
            "slippage": 0.001,
            "lot_size": 1.0,
        },
        None,
    ),
    (
        "mixed_both_close",
        MIXED_TREE,
        {"direction": "both", "fill": "close", "stop_loss": 0.02, "commission_rate": 0.0},
        None,
    ),
    ("mixed_both_reversing", MIXED_TREE, {"direction": "both", "size": 0.5}, None),
    (
        "short_only",
        SHORT_TREE,
        {"direction": "short_only", "size_type": "amount", "size": 300, "take_profit": 0.03},
        None,
    ),
]
CASE_IDS = [c[0] for c in CASES]


def columns(n: int) -> dict:
    return {k: DATA[k][:n] for k in COLUMNS}


def bar(t: int) -> tuple:
    return tuple(DATA[k][t] for k in COLUMNS)


def bits(value: Any) -> Any:
    """A result with every float replaced by its bits (NaN equals NaN; -0.0 differs from 0.0)."""
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else struct.pack("<d", value)
    if isinstance(value, dict):
        return {k: bits(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [bits(v) for v in value]
    return value


def make(case: tuple, equity_curve: bool = True, symbol: Optional[str] = "DEMO") -> LiveBacktest:
    _, strategy, settings, params = case
    return LiveBacktest(strategy, settings, params, symbol, equity_curve)


def push_range(live: Any, start: int, stop: int) -> list:
    events = []
    for t in range(start, stop):
        events.extend(tuple(e) for e in live.push(*bar(t)))
    return events


# --------------------------------------------------------------------------------------------
# Live equals batch
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_prefix_is_the_batch_run(case: tuple) -> None:
    _, strategy, settings, params = case
    live = make(case)
    lean = make(case, equity_curve=False)
    done = 0
    traded = False
    for n in PREFIXES:
        push_range(live, done, n)
        push_range(lean, done, n)
        done = n
        batch = run_backtest(columns(n), strategy, settings, params)
        got = live.result()
        assert bits(got["metrics"]) == bits(batch["metrics"]), n
        assert bits(got["trades"]) == bits(batch["trades"]), n
        assert bits(got["equity_curve"]) == bits(batch["equity_curve"]), n
        assert got["params"] == batch["params"]
        assert len(got["equity_curve"]) == n == live.bars()
        assert live.equity() == batch["equity_curve"][-1]
        assert live.last_date() == DATA["dates"][n - 1]
        without = lean.result()
        assert without["equity_curve"] == []
        assert bits(without["metrics"]) == bits(batch["metrics"])
        assert bits(without["trades"]) == bits(batch["trades"])
        traded = traded or bool(batch["trades"])
    assert traded, "the case should trade on the sample data"


def test_the_cases_exercise_every_event() -> None:
    seen = set()
    for case in CASES:
        seen |= {(e[0], e[4], e[7]) for e in push_range(make(case), 0, N)}
    expected = {("signal", side, r) for side in ("long", "short") for r in ("entry", "exit")}
    expected |= {("order", side, r) for side in ("long", "short") for r in ("open", "close")}
    expected |= {("fill", side, r) for side in ("long", "short") for r in ("entry", "signal")}
    expected |= {("stop", "long", r) for r in ("stop_loss", "take_profit", "trailing_stop")}
    expected |= {("stop", "short", r) for r in ("stop_loss", "take_profit", "trailing_stop")}
    expected |= {("order", "short", "reverse"), ("fill", "long", "reverse")}
    assert expected <= seen
    # A reversal waiting for the next open, then filled there.
    events = push_range(make(CASES[CASE_IDS.index("mixed_both_reversing")]), 0, N)
    ordered = [e[1] for e in events if e[0] == "order" and e[7] == "reverse"]
    filled = [e[1] for e in events if e[0] == "fill" and e[7] == "reverse"]
    assert ordered and [t + 1 for t in ordered] == filled


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_events_tell_the_trades(case: tuple) -> None:
    live = make(case)
    events = push_range(live, 0, N)
    trades = live.result()["trades"]
    exits = [e for e in events if e[0] in ("fill", "stop") and e[7] != "entry"]
    entries = [e for e in events if e[0] == "fill" and e[7] == "entry"]
    assert [(e[1], e[4], e[5], e[6], e[7]) for e in exits] == [
        (t["exit_index"], t["direction"], t["exit_price"], t["size"], t["exit_reason"])
        for t in trades
    ]
    # Every trade was entered by a fill; one more may still be open.
    assert [(e[1], e[4], e[5]) for e in entries[: len(trades)]] == [
        (t["entry_index"], t["direction"], t["entry_price"]) for t in trades
    ]
    assert len(entries) == len(trades) + (live.position() is not None)
    for e in events:
        assert e[2] == DATA["dates"][e[1]] and e[3] == "DEMO"
        assert (e[5] is None) == (e[0] == "order") and (e[6] is None) == (
            e[0] in ("signal", "order")
        )
        if e[0] == "signal":
            assert e[5] == DATA["close"][e[1]]


def test_a_next_open_order_on_the_last_bar_stays_pending() -> None:
    case = CASES[CASE_IDS.index("sma_cross")]
    live = make(case)
    for t in range(N):
        events = live.push(*bar(t))
        orders = [e for e in events if e[0] == "order"]
        if orders:
            break
    else:
        pytest.fail("no order on the sample data")
    (order,) = orders
    assert live.pending() == {"open": "open_long", "close": "close"}[order[7]]
    before = live.result()
    assert bits(before["metrics"]) == bits(run_backtest(columns(t + 1), case[1])["metrics"])
    events = live.push(*bar(t + 1))
    new_orders = [e[7] for e in events if e[0] == "order"]
    assert live.pending() == (
        None if not new_orders else {"open": "open_long", "close": "close"}[new_orders[0]]
    )
    fills = [e for e in events if e[0] in ("fill", "stop")]
    assert fills and fills[0][5] == DATA["open"][t + 1]  # filled at the next open (no slippage)


def test_position_cash_and_equity_follow_the_account() -> None:
    case = CASES[CASE_IDS.index("mixed_both_close")]
    live = make(case)
    assert (live.bars(), live.last_date(), live.position(), live.pending()) == (0, None, None, None)
    assert live.cash() == live.equity() == 100_000.0
    sides = set()
    for t in range(N):
        live.push(*bar(t))
        p = live.position()
        if p is None:
            assert live.cash() == live.equity()
        else:
            side, units = p
            sides.add(side)
            close = DATA["close"][t]
            expected = (
                live.cash() + units * close if side == "long" else live.cash() - units * close
            )
            assert live.equity() == expected
        assert live.pending() is None  # close fills never wait
    assert sides == {"long", "short"}


def test_result_before_the_first_bar_is_refused_as_empty_data() -> None:
    live = make(CASES[0])
    with pytest.raises(BacktestError) as e:
        live.result()
    assert str(e.value) == "market data is empty: need at least 1 row"
    assert e.value.code == "invalid_market_data"


@pytest.mark.parametrize(
    "strategy, settings, params",
    [
        ({"entry": {"gt": ["close", 1]}, "short_entry": {"gt": ["close", 1]}}, None, None),
        (qs.sma_cross().to_dict(), None, {"fast": 5}),
        (qs.sma_cross().to_dict(), None, {"fast": 5, "slow": 10, "other": 1}),
        (qs.sma_cross(5, 20).to_dict(), {"fill": "tomorrow"}, None),
        (qs.sma_cross(5, 20).to_dict(), None, [1, 2]),
        ({"entry": {"gt": ["close", {"indicator": "sma"}]}}, None, None),
    ],
)
def test_the_request_is_checked_as_a_batch_run_checks_it(strategy, settings, params) -> None:
    with pytest.raises(BacktestError) as batch:
        run_backtest(columns(5), strategy, settings, params)
    with pytest.raises(BacktestError) as live:
        LiveBacktest(strategy, settings, params, None, True)
    assert (str(live.value), live.value.code) == (str(batch.value), batch.value.code)


# --------------------------------------------------------------------------------------------
# Bad bars
# --------------------------------------------------------------------------------------------

BAD_BARS = [
    ("2020-13-01", 100.0, 101.0, 99.0, 100.0, 10.0),
    ("not a date", 100.0, 101.0, 99.0, 100.0, 10.0),
    ("2020-01-01", 100.0, 101.0, 99.0, 100.0, 10.0),  # not after the last bar
    (None, 100.0, 101.0, 99.0, 100.0, 10.0),
    ("2030-01-01", float("nan"), 101.0, 99.0, 100.0, 10.0),
    ("2030-01-01", 100.0, 101.0, 99.0, -1.0, 10.0),
    ("2030-01-01", 100.0, float("inf"), 99.0, 100.0, 10.0),
    ("2030-01-01", 100.0, 98.0, 99.0, 98.5, 10.0),  # high below low
    ("2030-01-01", 102.0, 101.0, 99.0, 100.0, 10.0),  # open above high
    ("2030-01-01", 100.0, 101.0, 99.0, 98.0, 10.0),  # close below low
    ("2030-01-01", 100.0, 101.0, 99.0, 100.0, -1.0),
    ("2030-01-01", 100.0, 101.0, 99.0, 100.0, float("nan")),
    ("2030-01-01", "100", 101.0, 99.0, 100.0, 10.0),
]


@pytest.mark.parametrize("bad", BAD_BARS, ids=range(len(BAD_BARS)))
@pytest.mark.parametrize("pushed", [0, 37])
def test_a_bad_bar_is_refused_with_the_batch_message_and_changes_nothing(bad, pushed) -> None:
    if pushed == 0 and bad[0] == "2020-01-01":
        bad = ("2019-12-31", *bad[1:5], -3.0)  # the first bar has no bar before it
    live = make(CASES[CASE_IDS.index("mixed_both_next_open")])
    push_range(live, 0, pushed)
    before = live.to_json()
    with pytest.raises(BacktestError) as refused:
        live.push(*bad)
    rows = {k: DATA[k][:pushed] + [bad[i]] for i, k in enumerate(COLUMNS)}
    with pytest.raises(BacktestError) as batch:
        validate_market_data(*(rows[k] for k in COLUMNS))
    assert str(refused.value) == str(batch.value)
    assert refused.value.code == "invalid_market_data"
    assert f"at row {pushed}" in str(refused.value)
    assert live.to_json() == before
    # And the run goes on as if the bad bar had never come.
    push_range(live, pushed, pushed + 5)
    fresh = make(CASES[CASE_IDS.index("mixed_both_next_open")])
    push_range(fresh, 0, pushed + 5)
    assert live.to_json() == fresh.to_json()


def test_numpy_prices_are_taken_as_plain_floats() -> None:
    np = pytest.importorskip("numpy")
    case = CASES[CASE_IDS.index("mixed_both_next_open")]
    plain, from_numpy = make(case), make(case)
    for t in range(80):
        date, *prices = bar(t)
        assert plain.push(date, *prices) == from_numpy.push(date, *map(np.float64, prices))
    assert from_numpy.to_json() == plain.to_json()


def test_a_date_not_after_the_last_names_both_rows() -> None:
    live = make(CASES[0])
    push_range(live, 0, 3)
    with pytest.raises(BacktestError, match=r"^dates at row 3 \('2020-01-03'\) is not after row 2"):
        live.push("2020-01-03", 100.0, 101.0, 99.0, 100.0, 1.0)


# --------------------------------------------------------------------------------------------
# Saved states
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_run_resumed_mid_way_ends_with_the_same_answer(case: tuple) -> None:
    straight = make(case)
    halted = make(case, equity_curve=False)
    straight_events = push_range(straight, 0, 200)
    push_range(halted, 0, 200)
    text = halted.to_json()
    resumed = LiveBacktest.from_json(text)
    assert resumed.to_json() == text
    assert (resumed.bars(), resumed.last_date()) == (200, DATA["dates"][199])
    assert (resumed.position(), resumed.pending()) == (halted.position(), halted.pending())
    assert (resumed.cash(), resumed.equity()) == (halted.cash(), halted.equity())
    straight_events += push_range(straight, 200, N)
    resumed_events = push_range(resumed, 200, N)
    assert resumed_events == [e for e in straight_events if e[1] >= 200]
    a, b = straight.result(), resumed.result()
    assert bits(a["metrics"]) == bits(b["metrics"])
    assert bits(a["trades"]) == bits(b["trades"])
    assert b["equity_curve"] == []
    assert bits(a["metrics"]) == bits(
        run_backtest(columns(N), case[1], case[2], case[3])["metrics"]
    )


def test_a_state_round_trips_byte_for_byte_at_every_bar() -> None:
    case = CASES[CASE_IDS.index("mixed_both_next_open")]
    live = make(case)
    text = live.to_json()
    assert LiveBacktest.from_json(text).to_json() == text
    for t in range(120):
        live.push(*bar(t))
        text = live.to_json()
        live = LiveBacktest.from_json(text)  # every bar through a save and a load
        assert live.to_json() == text
    straight = make(case)
    push_range(straight, 0, 120)
    assert straight.to_json() == text


def test_the_state_text_is_sorted_compact_and_signed() -> None:
    live = make(CASES[CASE_IDS.index("mixed_both_next_open")])
    push_range(live, 0, 50)
    text = live.to_json()
    saved = json.loads(text)
    assert list(saved) == ["checksum", "format", "request", "state", "version"]
    assert (saved["format"], saved["version"]) == ("quant-backtest/live-state", 1)
    assert saved["checksum"] == checksum({"request": saved["request"], "state": saved["state"]})
    assert json_text(saved) == text
    assert ": " not in text and ", " not in text
    state = saved["state"]
    assert state["first_close"] == DATA["close"][0]
    assert state["last_instant"] == parse_instant(DATA["dates"][49])
    assert (state["bars"], state["last_date"]) == (50, DATA["dates"][49])
    assert [next(iter(s)) for s in state["signals"]["series"]][:2] == ["indicator", "indicator"]
    assert {"indicator": {"sma"}} == {"indicator": set(state["signals"]["series"][0]["indicator"])}
    assert len(state["signals"]["crosses"]) == 2  # the entry's and the exit's, not shared
    fresh = json.loads(make(CASES[0]).to_json())["state"]
    assert fresh["first_close"] == "NaN" and fresh["metrics"] is None
    assert fresh["account"]["levels"] == ["-Infinity", "Infinity"]


@pytest.mark.parametrize(
    "x, text",
    [
        (1.0, "1.0"),
        (100000.0, "100000.0"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1e21, "1e+21"),
        (1.2345678901234568e17, "1.2345678901234568e+17"),
        (0.0001, "0.0001"),
        (0.00001, "0.00001"),
        (2.5e-5, "0.000025"),
        (1e-6, "1e-6"),
        (1.5e-7, "1.5e-7"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1059438285926254.25, "1059438285926254.2"),  # a tie: to even, as zmij does
        (-98.69408802177908, "-98.69408802177908"),
    ],
)
def test_floats_are_written_as_serde_json_writes_them(x: float, text: str) -> None:
    # serde_json 1.0.154 formats with the zmij crate (checked against it on 1.2M doubles).
    assert format_json_float(x) == text
    assert float(text) == x


def resigned(text: str, change) -> str:
    saved = json.loads(text)
    change(saved)
    saved["checksum"] = checksum({"request": saved["request"], "state": saved["state"]})
    return json_text(saved)


def _drop_series(s: dict) -> None:
    s["state"]["signals"]["series"].pop()


def _wrong_kind(s: dict) -> None:
    series = s["state"]["signals"]["series"]
    series[0] = {"indicator": {"ema": {"period": 3, "alpha": 0.5, "seen": 0, "value": 0.0}}}


STATE_REFUSALS = [
    ("hello", "a live state must be JSON text: expected value at line 1 column 1"),
    ("", "a live state must be JSON text: EOF while parsing a value at line 1 column 0"),
    ('{"a": NaN}', "a live state must be JSON text: expected value at line 1 column 7"),
    (
        lambda t: t[:40],
        "a live state must be JSON text: EOF while parsing a value at line 1 column 40",
    ),
    (
        lambda t: t[:35],
        "a live state must be JSON text: EOF while parsing a string at line 1 column 35",
    ),
    ("[1, 2]", "not a live state: its 'format' must be 'quant-backtest/live-state'"),
    (
        lambda t: t.replace('"format":"quant-backtest/live-state"', '"format":"other"'),
        "not a live state: its 'format' must be 'quant-backtest/live-state'",
    ),
    (
        lambda t: t.replace('"version":1', '"version":2'),
        "live state version 2 cannot be read: this engine reads version 1",
    ),
    (lambda t: t.replace('"version":1', '"version":1.0'), "a live state must name its 'version'"),
    (lambda t: t.replace(',"version":1', ""), "a live state must name its 'version'"),
    (
        lambda t: t.replace('"request":', '"requests":'),
        "a live state must hold 'request' and 'state'",
    ),
    (
        lambda t: t.replace('"bars":60', '"bars":61'),
        "the live state is corrupt: its checksum does not match its content",
    ),
    (
        lambda t: resigned(t, lambda s: s["state"].pop("bars")),
        "the live state is corrupt: missing field `bars`",
    ),
    (
        lambda t: resigned(t, lambda s: s["state"].__setitem__("bars", "x")),
        'the live state is corrupt: invalid type: string "x", expected usize',
    ),
    (
        lambda t: resigned(t, lambda s: s["state"].__setitem__("equity", "lots")),
        "the live state is corrupt: expected a number, got 'lots'",
    ),
    (
        lambda t: resigned(t, lambda s: s["state"]["account"].__setitem__("position", "up")),
        "the live state is corrupt: unknown variant `up`, expected `long` or `short`",
    ),
    (
        lambda t: resigned(t, _drop_series),
        "the live state is corrupt: its state is not its strategy's: it holds 6 series and "
        "2 crossings, the strategy has 7 and 2",
    ),
    (
        lambda t: resigned(t, _wrong_kind),
        "the live state is corrupt: its state is not its strategy's: its series 0 is not the "
        "strategy's",
    ),
]


@pytest.mark.parametrize("spoil, message", STATE_REFUSALS, ids=range(len(STATE_REFUSALS)))
def test_a_bad_state_is_refused(spoil, message: str) -> None:
    live = make(CASES[CASE_IDS.index("mixed_both_next_open")])
    push_range(live, 0, 60)
    text = live.to_json()
    bad = spoil(text) if callable(spoil) else spoil
    assert bad != text
    with pytest.raises(BacktestError) as e:
        LiveBacktest.from_json(bad)
    assert (str(e.value), e.value.code) == (message, "invalid_state")


def test_a_state_whose_request_is_no_longer_valid_is_refused_as_the_request() -> None:
    text = make(CASES[0]).to_json()
    bad = resigned(text, lambda s: s["request"].__setitem__("settings", {"fill": "later"}))
    with pytest.raises(BacktestError) as e:
        LiveBacktest.from_json(bad)
    assert e.value.code == "invalid_parameter"


# --------------------------------------------------------------------------------------------
# The native engine: the same events, the same saved text, each loading the other's
# --------------------------------------------------------------------------------------------


def native_live_run() -> Any:
    from conftest import require_native

    require_native()
    from quant_backtest._native import LiveRun

    return LiveRun


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("equity_curve", [True, False])
def test_the_native_engine_saves_the_same_text(case: tuple, equity_curve: bool) -> None:
    LiveRun = native_live_run()
    _, strategy, settings, params = case
    native = LiveRun(strategy, settings, params, "DEMO", equity_curve)
    live = make(case, equity_curve)
    assert native.to_json() == live.to_json()
    for t in range(N):
        assert [tuple(e) for e in native.push(*bar(t))] == list(live.push(*bar(t))), t
        if t in PREFIXES or t % 97 == 0:
            assert native.to_json() == live.to_json(), t
            assert (native.position(), native.pending()) == (live.position(), live.pending())
            assert (native.cash(), native.equity()) == (live.cash(), live.equity())
    assert native.to_json() == live.to_json()
    a, b = native.result(), live.result()
    assert bits(dict(a["metrics"])) == bits(b["metrics"])
    assert bits([dict(t) for t in a["trades"]]) == bits(b["trades"])
    assert bits(list(a["equity_curve"])) == bits(b["equity_curve"])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_engine_resumes_the_others_state(case: tuple) -> None:
    LiveRun = native_live_run()
    _, strategy, settings, params = case
    native = LiveRun(strategy, settings, params, "DEMO", True)
    live = make(case)
    push_range(native, 0, 150)
    push_range(live, 0, 150)
    from_native = LiveBacktest.from_json(native.to_json())
    from_python = LiveRun.from_json(live.to_json())
    assert from_native.to_json() == native.to_json() == from_python.to_json()
    rest_native = push_range(from_python, 150, N)
    rest_python = push_range(from_native, 150, N)
    assert rest_native == rest_python
    assert from_native.to_json() == from_python.to_json()
    assert bits(dict(from_python.result()["metrics"])) == bits(from_native.result()["metrics"])


# The native door takes a str and five floats (the public layer checks the types).
TYPED_BAD_BARS = [
    b for b in BAD_BARS if isinstance(b[0], str) and all(isinstance(v, float) for v in b[1:])
]


@pytest.mark.parametrize("bad", TYPED_BAD_BARS, ids=range(len(TYPED_BAD_BARS)))
def test_the_engines_refuse_a_bad_bar_alike(bad: tuple) -> None:
    LiveRun = native_live_run()
    _, strategy, settings, params = CASES[0]
    native = LiveRun(strategy, settings, params, None, True)
    live = make(CASES[0], symbol=None)
    push_range(native, 0, 10)
    push_range(live, 0, 10)
    with pytest.raises(BacktestError) as a:
        native.push(*bad)
    with pytest.raises(BacktestError) as b:
        live.push(*bad)
    assert (str(a.value), a.value.code) == (str(b.value), b.value.code)
    assert native.to_json() == live.to_json()


@pytest.mark.parametrize("spoil, message", STATE_REFUSALS, ids=range(len(STATE_REFUSALS)))
def test_the_engines_refuse_a_bad_state_alike(spoil, message: str) -> None:
    LiveRun = native_live_run()
    live = make(CASES[CASE_IDS.index("mixed_both_next_open")])
    push_range(live, 0, 60)
    text = live.to_json()
    bad = spoil(text) if callable(spoil) else spoil
    with pytest.raises(BacktestError) as e:
        LiveRun.from_json(bad)
    assert (str(e.value), e.value.code) == (message, "invalid_state")
