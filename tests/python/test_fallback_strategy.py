"""The pure-Python strategy engine (``quant_backtest._fallback``): hand-checked execution rules,
every message of CONVENTIONS "The strategy engine", sweeps, and the seed API on top of it.

Expected numbers are written with the CONVENTIONS operations in the same order, so equality is
exact (``==``), not approximate.
"""

from __future__ import annotations

import math

import pytest

import quant_backtest._fallback as fb
import quant_backtest._fallback.indicators as fb_indicators
from quant_backtest._errors import BacktestError

NAN = float("nan")


def bars(opens, highs=None, lows=None, closes=None):
    """Columns from lists; highs/lows default to max/min(open, close), closes to opens."""
    closes = list(opens) if closes is None else list(closes)
    n = len(opens)
    highs = [max(o, c) for o, c in zip(opens, closes)] if highs is None else list(highs)
    lows = [min(o, c) for o, c in zip(opens, closes)] if lows is None else list(lows)
    dates = fb.business_days(fb.days_from_civil(2024, 1, 1), n)
    fb.validate_market_data(dates, opens, highs, lows, closes, [1.0] * n)
    return {
        "dates": dates,
        "open": list(opens),
        "high": highs,
        "low": lows,
        "close": closes,
        "volume": [1.0] * n,
    }


def flags(n, *true_at):
    return [t in true_at for t in range(n)]


BASE = {"initial_capital": 1000.0, "commission_rate": 0.0}


def run(columns, entries=None, exits=None, short_entries=None, short_exits=None, **settings):
    signals = {
        "entries": entries,
        "exits": exits,
        "short_entries": short_entries,
        "short_exits": short_exits,
    }
    return fb.run_signals(columns, signals, {**BASE, **settings})


def summary(trades):
    return [
        (t["direction"], t["entry_index"], t["exit_index"], t["exit_price"], t["exit_reason"])
        for t in trades
    ]


def error_of(fn, *args, **kwargs):
    with pytest.raises(BacktestError) as info:
        fn(*args, **kwargs)
    return str(info.value), info.value.code


# --------------------------------------------------------------------------------------------
# Execution: fills, sizes, fees
# --------------------------------------------------------------------------------------------


def test_close_fill_long_round_trip():
    c = bars([10.0, 10.0, 11.0, 12.0, 12.0])
    r = run(c, flags(5, 1), flags(5, 3), fill="close")
    (t,) = r["trades"]
    assert (t["entry_index"], t["exit_index"], t["bars_held"]) == (1, 3, 2)
    assert (t["entry_price"], t["exit_price"], t["size"]) == (10.0, 12.0, 100.0)
    assert (t["pnl"], t["return_pct"]) == (200.0, 0.2)
    assert (t["direction"], t["exit_reason"]) == ("long", "signal")
    assert (t["entry_date"], t["exit_date"]) == (c["dates"][1], c["dates"][3])
    assert r["equity_curve"] == [1000.0, 1000.0, 1100.0, 1200.0, 1200.0]
    assert r["params"] == {}
    m = r["metrics"]
    assert list(m) == list(fb.METRIC_NAMES)
    assert m["total_return"] == 1200.0 / 1000.0 - 1.0
    assert m["exposure"] == 2.0 / 5.0  # bars 1 and 2 close with the position open
    assert m["trade_count"] == 1 and m["win_rate"] == 100.0
    assert m["profit_factor"] is None  # no losing trade
    assert m["expectancy"] == 200.0 and m["best_trade"] == m["worst_trade"] == 0.2
    assert m["max_drawdown"] == 0.0 and m["max_drawdown_duration"] == 0
    assert m["calmar_ratio"] is None
    assert m["buy_and_hold_return"] == 12.0 / 10.0 - 1.0


def test_next_open_fill_and_last_bar_signal_never_fills():
    c = bars([10.0, 10.0, 11.0, 12.0, 13.0], closes=[10.0, 10.5, 11.5, 12.5, 13.0])
    r = run(c, flags(5, 0), flags(5, 2, 4))
    (t,) = r["trades"]
    # entry at open[1], exit signal at 2 fills at open[3]; the exit at 4 (last bar) is moot.
    assert (t["entry_index"], t["exit_index"], t["entry_price"], t["exit_price"]) == (
        1,
        3,
        10.0,
        12.0,
    )
    r = run(c, flags(5, 4), None)  # an entry on the last bar never fills
    assert r["trades"] == [] and r["equity_curve"] == [1000.0] * 5
    assert r["metrics"]["exposure"] == 0.0 and r["metrics"]["expectancy"] is None


def test_open_position_after_last_bar_stays_open():
    c = bars([10.0, 10.0, 11.0, 12.0])
    r = run(c, flags(4, 1), None, fill="close")
    assert r["trades"] == []
    assert r["equity_curve"][-1] == (1000.0 - 100.0 * 10.0) + 100.0 * 12.0
    assert r["metrics"]["trade_count"] == 0 and r["metrics"]["best_trade"] is None


def test_commission_fixed_fee_and_slippage():
    c = bars([10.0, 10.0, 12.0, 12.0])
    com, fee, slip = 0.01, 5.0, 0.02
    r = run(
        c, flags(4, 0), flags(4, 2), fill="close", commission_rate=com, fixed_fee=fee, slippage=slip
    )
    k, m = 1.0 + com, 1.0 - com
    buy = 10.0 * (1.0 + slip)
    sell = 12.0 * (1.0 - slip)
    q = (1000.0 * 1.0 - fee) / (buy * k)
    basis = q * buy * k + fee
    proceeds = q * sell * m - fee
    (t,) = r["trades"]
    assert (t["entry_price"], t["exit_price"], t["size"]) == (buy, sell, q)
    assert t["pnl"] == proceeds - basis and t["return_pct"] == (proceeds - basis) / basis
    cash = 1000.0 - basis
    assert r["equity_curve"] == [cash + q * 10.0, cash + q * 10.0, cash + proceeds, cash + proceeds]


@pytest.mark.parametrize(
    "size_type, size, expected_q",
    [
        ("percent", 0.5, (1000.0 * 0.5 - 0.0) / (10.0 * 1.0)),
        ("value", 300.0, (300.0 - 0.0) / (10.0 * 1.0)),
        ("value", 5000.0, (1000.0 - 0.0) / (10.0 * 1.0)),  # min(size, cash)
        ("amount", 30.0, 30.0),
        ("amount", 1000.0, (1000.0 - 0.0) / (10.0 * 1.0)),  # capped at what cash buys
    ],
)
def test_sizes(size_type, size, expected_q):
    c = bars([10.0, 10.0, 11.0])
    r = run(c, flags(3, 0), flags(3, 1), fill="close", size_type=size_type, size=size)
    assert r["trades"][0]["size"] == expected_q


def test_amount_size_with_fee_and_commission_is_capped():
    c = bars([10.0, 10.0, 11.0])
    r = run(
        c,
        flags(3, 0),
        flags(3, 1),
        fill="close",
        size_type="amount",
        size=1000.0,
        fixed_fee=2.0,
        commission_rate=0.01,
    )
    assert r["trades"][0]["size"] == (1000.0 - 2.0) / (10.0 * 1.01)


def test_lot_size_rounds_down_and_zero_lots_trade_nothing():
    c = bars([10.0, 10.0, 11.0])
    r = run(c, flags(3, 0), flags(3, 1), fill="close", lot_size=7.0)
    assert r["trades"][0]["size"] == math.floor((1000.0 / 10.0) / 7.0) * 7.0 == 98.0
    r = run(c, flags(3, 0), flags(3, 1), fill="close", lot_size=200.0)
    assert r["trades"] == [] and r["equity_curve"] == [1000.0] * 3


def test_same_bar_entry_and_exit_do_nothing():
    c = bars([10.0, 11.0, 12.0, 13.0])
    r = run(c, flags(4, 0), flags(4, 0), fill="close")  # flat: entry and exit together
    assert r["trades"] == [] and r["metrics"]["exposure"] == 0.0
    r = run(c, flags(4, 0, 2), flags(4, 2), fill="close")  # long: both at 2 -> no exit
    assert r["trades"] == [] and r["metrics"]["exposure"] == 1.0
    # No pyramiding: a second entry while long changes nothing.
    r = run(c, flags(4, 0, 1), flags(4, 3), fill="close")
    assert summary(r["trades"]) == [("long", 0, 3, 13.0, "signal")]
    assert r["trades"][0]["size"] == 100.0


def test_short_equity_and_pnl():
    c = bars([10.0, 9.0, 8.0, 8.0], closes=[10.0, 9.0, 8.0, 8.0])
    r = run(c, None, None, flags(4, 0), flags(4, 2), fill="close", direction="short_only")
    (t,) = r["trades"]
    # q = 1000 / 10 = 100; entry proceeds 1000 -> cash 2000; buy back at 8 for 800.
    assert (t["direction"], t["size"], t["entry_price"], t["exit_price"]) == (
        "short",
        100.0,
        10.0,
        8.0,
    )
    assert (t["pnl"], t["return_pct"]) == (200.0, 0.2)
    assert r["equity_curve"] == [2000.0 - 1000.0, 2000.0 - 900.0, 1200.0, 1200.0]


def test_short_with_commission_and_fee():
    c = bars([10.0, 10.0, 8.0])
    com, fee = 0.01, 3.0
    r = run(
        c,
        None,
        None,
        flags(3, 0),
        flags(3, 2),
        fill="close",
        direction="short_only",
        commission_rate=com,
        fixed_fee=fee,
    )
    k, m = 1.0 + com, 1.0 - com
    q = (1000.0 * 1.0 - fee) / (10.0 * k)
    basis = q * 10.0 * k + fee
    entry_proceeds = q * 10.0 * m - fee
    cost = q * 8.0 * k + fee
    (t,) = r["trades"]
    assert t["pnl"] == entry_proceeds - cost
    assert t["return_pct"] == (entry_proceeds - cost) / basis
    assert r["equity_curve"][0] == (1000.0 + entry_proceeds) - q * 10.0


def test_reverse_in_one_fill_close_and_next_open():
    c = bars([10.0, 11.0, 12.0, 11.0, 10.0, 9.0])
    r = run(c, flags(6, 0), None, flags(6, 2), flags(6, 4), fill="close", direction="both")
    assert summary(r["trades"]) == [
        ("long", 0, 2, 12.0, "reverse"),
        ("short", 2, 4, 10.0, "signal"),
    ]
    cash_after_long = 1000.0 - 1000.0 + 100.0 * 12.0  # 1200
    q_short = cash_after_long / 12.0
    assert r["trades"][1]["size"] == q_short and r["trades"][1]["entry_price"] == 12.0
    # next_open: the reverse fills at open[3], both trades at the same raw price.
    r = run(c, flags(6, 0), None, flags(6, 2), flags(6, 4), direction="both")
    assert summary(r["trades"]) == [
        ("long", 1, 3, 11.0, "reverse"),
        ("short", 3, 5, 9.0, "signal"),
    ]
    # A short entry reverses a long even when the long exit fires on the same bar.
    r = run(c, flags(6, 0), flags(6, 2), flags(6, 2), None, fill="close", direction="both")
    assert summary(r["trades"]) == [("long", 0, 2, 12.0, "reverse")]
    # Flat with both entries on one bar: no order.
    r = run(c, flags(6, 1), None, flags(6, 1), None, fill="close", direction="both")
    assert r["trades"] == [] and r["metrics"]["exposure"] == 0.0


def test_reverse_with_slippage_uses_one_side_price():
    c = bars([10.0, 11.0, 12.0, 12.0])
    r = run(c, flags(4, 0), None, flags(4, 2), None, fill="close", direction="both", slippage=0.01)
    (long_trade,) = r["trades"]
    assert long_trade["exit_price"] == 12.0 * (1.0 - 0.01)
    assert r["equity_curve"][2] == r["equity_curve"][3]  # short at 12 * 0.99, close still 12


# --------------------------------------------------------------------------------------------
# Execution: stops
# --------------------------------------------------------------------------------------------


def stop_bars(second_open, second_high, second_low, second_close):
    """Bar 0 enters at close 10 (fill close); bar 1 is the one under test; bar 2 is flat."""
    return bars(
        [10.0, second_open, 10.0],
        [10.0, second_high, 10.0],
        [10.0, second_low, 10.0],
        [10.0, second_close, 10.0],
    )


def stopped(columns, **settings):
    r = run(columns, flags(3, 0), None, fill="close", **settings)
    return summary(r["trades"])


def test_stop_loss_intrabar_and_gap():
    sl = 10.0 * (1.0 - 0.1)
    assert stopped(stop_bars(9.5, 9.8, 8.5, 9.0), stop_loss=0.1) == [
        ("long", 0, 1, sl, "stop_loss")
    ]
    # Opens beyond the stop: fills at the open.
    assert stopped(stop_bars(8.0, 8.2, 7.5, 8.0), stop_loss=0.1) == [
        ("long", 0, 1, 8.0, "stop_loss")
    ]
    # Not reached.
    assert stopped(stop_bars(9.5, 9.8, 9.2, 9.5), stop_loss=0.1) == []


def test_take_profit_intrabar_and_gap():
    tp = 10.0 * (1.0 + 0.2)
    assert stopped(stop_bars(10.5, 12.5, 10.2, 11.0), take_profit=0.2) == [
        ("long", 0, 1, tp, "take_profit")
    ]
    assert stopped(stop_bars(13.0, 13.5, 12.8, 13.0), take_profit=0.2) == [
        ("long", 0, 1, 13.0, "take_profit")
    ]


def test_stop_loss_before_take_profit_on_one_bar():
    both = stop_bars(10.0, 13.0, 8.0, 10.0)
    assert stopped(both, stop_loss=0.1, take_profit=0.2) == [
        ("long", 0, 1, 10.0 * (1.0 - 0.1), "stop_loss")
    ]
    # The loss side is settled whole first (as vectorbt and backtesting.py): a bar that gaps
    # beyond the take profit and then trades through the loss level stops at the loss.
    gap = stop_bars(12.5, 13.0, 8.0, 10.0)
    assert stopped(gap, stop_loss=0.1, take_profit=0.2) == [
        ("long", 0, 1, 10.0 * (1.0 - 0.1), "stop_loss")
    ]
    # Without a loss reached, the gap fills the take profit at the open.
    gap_only = stop_bars(12.5, 13.0, 9.5, 10.0)
    assert stopped(gap_only, stop_loss=0.1, take_profit=0.2) == [
        ("long", 0, 1, 12.5, "take_profit")
    ]


def test_trailing_stop_follows_the_best_high():
    c = bars(
        [10.0, 11.0, 11.5, 11.0],
        [10.0, 12.0, 11.6, 11.0],
        [10.0, 10.9, 10.5, 11.0],
        [10.0, 11.5, 11.0, 11.0],
    )
    r = run(c, flags(4, 0), None, fill="close", trailing_stop=0.1)
    # Bar 1: level 10 * 0.9, not reached; best becomes 12. Bar 2: level 12 * 0.9 = 10.8.
    assert summary(r["trades"]) == [("long", 0, 2, 12.0 * (1.0 - 0.1), "trailing_stop")]
    # With a tighter fixed stop the larger level wins: stop_loss at bar 1's low? 9.7 < 10.9,
    # no; at bar 2 the trailing level 10.8 > 9.7, so the reason is trailing_stop.
    r = run(c, flags(4, 0), None, fill="close", trailing_stop=0.1, stop_loss=0.03)
    assert summary(r["trades"]) == [("long", 0, 2, 12.0 * (1.0 - 0.1), "trailing_stop")]
    # A fixed stop above the trailing level keeps its own reason.
    c2 = bars([10.0, 9.5], [10.0, 9.8], [10.0, 9.0], [10.0, 9.5])
    r = run(c2, flags(2, 0), None, fill="close", trailing_stop=0.2, stop_loss=0.05)
    assert summary(r["trades"]) == [("long", 0, 1, 10.0 * (1.0 - 0.05), "stop_loss")]


def test_short_stops():
    # Short at close 10: loss level 10 * 1.1, take profit 10 * 0.8.
    up = stop_bars(10.5, 11.5, 10.2, 11.0)
    r = run(up, None, None, flags(3, 0), None, fill="close", direction="short_only", stop_loss=0.1)
    assert summary(r["trades"]) == [("short", 0, 1, 10.0 * (1.0 + 0.1), "stop_loss")]
    gap = stop_bars(12.0, 12.5, 11.8, 12.0)
    r = run(gap, None, None, flags(3, 0), None, fill="close", direction="short_only", stop_loss=0.1)
    assert summary(r["trades"]) == [("short", 0, 1, 12.0, "stop_loss")]
    down = stop_bars(9.5, 9.6, 7.5, 8.0)
    r = run(
        down, None, None, flags(3, 0), None, fill="close", direction="short_only", take_profit=0.2
    )
    assert summary(r["trades"]) == [("short", 0, 1, 10.0 * (1.0 - 0.2), "take_profit")]
    # Trailing: follows the lowest low; level best * 1.1.
    c = bars([10.0, 9.0, 9.3], [10.0, 9.2, 9.95], [10.0, 8.5, 9.2], [10.0, 9.0, 9.9])
    r = run(
        c, None, None, flags(3, 0), None, fill="close", direction="short_only", trailing_stop=0.1
    )
    assert summary(r["trades"]) == [("short", 0, 2, 8.5 * (1.0 + 0.1), "trailing_stop")]


def test_position_entered_at_the_open_is_not_stopped_by_that_open():
    # next_open entry at open[1] = 10 with 5% slippage: P = 10.5, stop 10.5 * 0.99 = 10.395.
    # The open (10.0) is below the stop, but the position was entered at it: only the low
    # counts, and the stop fills at its price.
    c = bars([10.0, 10.0, 10.0], [10.0, 10.2, 10.0], [10.0, 9.8, 10.0], [10.0, 10.1, 10.0])
    r = run(c, flags(3, 0), None, slippage=0.05, stop_loss=0.01)
    P = 10.0 * (1.0 + 0.05)
    assert summary(r["trades"]) == [("long", 1, 1, P * (1.0 - 0.01), "stop_loss")]
    assert r["trades"][0]["entry_price"] == P and r["trades"][0]["bars_held"] == 0
    # The same position opened at a close is checked against the next open: fills at it.
    c = bars([10.0, 10.0, 10.0], [10.0, 10.2, 10.0], [10.0, 9.8, 10.0], [10.0, 10.1, 10.0])
    r = run(c, flags(3, 0), None, fill="close", slippage=0.05, stop_loss=0.01)
    assert summary(r["trades"]) == [("long", 0, 1, 10.0, "stop_loss")]


def test_a_bar_with_a_stop_takes_no_signal():
    c = stop_bars(9.5, 9.8, 8.5, 9.0)
    # The entry signal at bar 1 (after the stop) is ignored; the one at bar 2 fills at close.
    r = run(c, flags(3, 0, 1, 2), None, fill="close", stop_loss=0.1)
    assert summary(r["trades"]) == [("long", 0, 1, 10.0 * (1.0 - 0.1), "stop_loss")]
    assert r["metrics"]["exposure"] == 2.0 / 3.0  # bars 0 and 2 end in a position


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def test_trade_metrics_and_drawdown_duration():
    #         0     1     2     3     4    5     6     7
    closes = [10.0, 10.0, 12.0, 12.0, 9.0, 9.0, 10.0, 12.0]
    c = bars(closes)
    # long 0 -> 2 (win), long 3 -> 4 (loss), long 5 -> 7 (win)
    r = run(c, flags(8, 0, 3, 5), flags(8, 2, 4, 7), fill="close")
    pnls = [t["pnl"] for t in r["trades"]]
    q1 = 1000.0 / 10.0
    cash = 1000.0 + q1 * 12.0 - 1000.0  # 1200
    q2 = cash / 12.0
    cash2 = cash - q2 * 12.0 + q2 * 9.0  # 900
    q3 = cash2 / 9.0
    assert pnls == [q1 * 12.0 - 1000.0, q2 * 9.0 - q2 * 12.0, q3 * 12.0 - q3 * 9.0]
    m = r["metrics"]
    assert m["trade_count"] == 3 and m["win_rate"] == 2.0 / 3.0 * 100.0
    assert m["profit_factor"] == (pnls[0] + pnls[2]) / (0.0 - pnls[1])
    assert m["expectancy"] == ((0.0 + pnls[0]) + pnls[1] + pnls[2]) / 3.0
    returns = [t["return_pct"] for t in r["trades"]]
    assert m["best_trade"] == max(returns) and m["worst_trade"] == min(returns)
    # Equity: 1000 1000 1200 1200 900 900 1000 1200 -> below the peak 1200 at bars 4, 5, 6.
    assert r["equity_curve"] == [1000.0, 1000.0, 1200.0, 1200.0, 900.0, 900.0, 1000.0, 1200.0]
    assert m["max_drawdown_duration"] == 3
    assert m["max_drawdown"] == 1.0 - 900.0 / 1200.0
    assert m["calmar_ratio"] == m["annualized_return"] / m["max_drawdown"]
    assert m["exposure"] == 5.0 / 8.0


def test_drawdown_duration_runs_to_the_end_and_counts_flat_bars():
    c = bars([10.0, 10.0, 12.0, 9.0, 9.0, 9.0])
    r = run(c, flags(6, 0), flags(6, 3), fill="close")
    # Equity 1000 1000 1200 900 900 900: below the peak from bar 3 to the end (3 bars).
    assert r["metrics"]["max_drawdown_duration"] == 3


def test_accumulator_matches_the_seed_metrics_on_a_curve():
    equity = [100.0, 100.0, 103.0, 103.0, 103.0, 101.0, 101.0, 104.5]
    m = fb.Metrics(100.0, 252.0, len(equity))
    for t, e in enumerate(equity):
        m.push(t, e)
    m.finish_prices(1.0, 2.0)
    table = m.table()
    seed = fb._metrics(equity, 100.0, 252.0, 0, 0)
    for name in fb.SEED_METRIC_NAMES:
        assert repr(table[name]) == repr(seed[name])
    assert table["max_drawdown_duration"] == 2 and table["buy_and_hold_return"] == 1.0
    assert fb.INT_METRICS == ("trade_count", "max_drawdown_duration")


# --------------------------------------------------------------------------------------------
# Strategy trees: evaluation
# --------------------------------------------------------------------------------------------


def sample(n=300, seed=5):
    return fb.generate_sample_data("S", n, 100.0, seed)


def test_sma_cross_tree_equals_the_seed_backtest():
    d = sample()
    for fill in ("close", "next_open"):
        seed = fb.backtest(d["dates"], d["open"], d["close"], 5, 20, 100_000.0, 0.001, fill, 1, 252)
        tree = fb.sma_cross({"param": "fast"}, {"param": "slow"})
        r = fb.run_backtest(d, tree, {"fill": fill, "lot_size": 1}, {"fast": 5, "slow": 20})
        assert seed["trade_count"] > 0
        for name in fb.SEED_METRIC_NAMES:
            assert repr(seed[name]) == repr(r["metrics"][name]), name
        assert seed["equity_curve"] == r["equity_curve"]
        for a, b in zip(seed["trades"], r["trades"]):
            assert a == {k: v for k, v in b.items() if k not in ("direction", "exit_reason")}
        assert r["params"] == {"fast": 5, "slow": 20}


def test_conditions_and_series_kinds():
    c = bars([10.0, 11.0, 12.0, 11.0, 10.0, 11.0])
    cache = fb.signals.SeriesCache(c)

    def values(cond):
        s = fb.parse_strategy({"entry": cond})
        (entry, *_rest) = fb.strategy.bind_params(s, {})
        return fb.signals.evaluate(entry, cache)

    assert values({"gt": ["close", 10.5]}) == [False, True, True, True, False, True]
    assert values({"ge": ["close", 11]}) == [False, True, True, True, False, True]
    assert values({"le": ["close", 11]}) == [True, True, False, True, True, True]
    assert values({"lt": ["close", {"shift": "close"}]}) == [False, False, False, True, True, False]
    # NaN (the first shifted bar) compares false, and `not` of it is true.
    assert values({"not": {"ge": ["close", {"shift": "close"}]}})[0] is True
    assert values({"crosses_above": ["close", 10.5]}) == [False, True, False, False, False, True]
    assert values({"crosses_below": ["close", 11.5]}) == [False, False, False, True, False, False]
    both = {"and": [{"gt": ["close", 10.5]}, {"lt": ["close", 11.5]}]}
    assert values(both) == [False, True, False, True, False, True]
    either = {"or": [{"lt": ["close", 10.5]}, {"gt": ["close", 11.5]}]}
    assert values(either) == [True, False, True, False, True, False]
    shifted2 = {"gt": [{"shift": "close", "periods": 2}, 10.5]}
    assert values(shifted2) == [False, False, False, True, True, True]
    # crosses never at t = 0, even when the comparison would hold there.
    assert values({"crosses_above": ["close", 9.0]}) == [False] * 6


def test_indicators_are_computed_once_per_key(monkeypatch):
    d = sample(200)
    calls = []
    real = fb_indicators.sma

    def counting(values, period):
        calls.append(period)
        return real(values, period)

    monkeypatch.setattr(fb_indicators, "sma", counting)
    strategy = {
        "entry": {
            "and": [
                {
                    "crosses_above": [
                        {"indicator": "sma", "period": 5},
                        {"indicator": "sma", "period": 20},
                    ]
                },
                {"gt": [{"indicator": "sma", "period": 5, "source": "close"}, 0]},
            ]
        },
        "exit": {
            "crosses_below": [{"indicator": "sma", "period": 5}, {"indicator": "sma", "period": 20}]
        },
    }
    fb.run_backtest(d, strategy, {}, {})
    assert sorted(calls) == [5, 20]
    calls.clear()
    # sma of open is another key.
    fb.run_backtest(
        d,
        {
            "entry": {
                "gt": [
                    {"indicator": "sma", "period": 5, "source": "open"},
                    {"indicator": "sma", "period": 5},
                ]
            }
        },
        {},
        {},
    )
    assert sorted(calls) == [5, 5]


def test_multi_output_and_atr_and_placeholder_constants():
    d = sample(120)
    strategy = {
        "entry": {
            "crosses_above": [
                {"indicator": "macd", "output": "macd", "fast": {"param": "f"}},
                {"indicator": "macd", "output": "signal", "fast": {"param": "f"}},
            ]
        },
        "exit": {
            "or": [
                {"gt": ["close", {"indicator": "bbands", "output": "upper", "k": {"param": "k"}}]},
                {"gt": [{"indicator": "atr", "period": 5}, {"param": "cap"}]},
            ]
        },
    }
    r = fb.run_backtest(d, strategy, {"fill": "close"}, {"f": 8, "k": 1.5, "cap": 3.0})
    macd, signal, _ = fb_indicators.macd([float(x) for x in d["close"]], 8, 26, 9)
    ups = [t for t in range(1, 120) if macd[t - 1] < signal[t - 1] and macd[t] > signal[t]]
    assert ups and r["trades"][0]["entry_index"] == ups[0]
    assert fb.strategy_params(strategy) == ["f", "k", "cap"]


# --------------------------------------------------------------------------------------------
# Checking a strategy: every message
# --------------------------------------------------------------------------------------------

SMA10 = {"indicator": "sma", "period": 10}
OK_ENTRY = {"gt": ["close", SMA10]}
CONDITION_HELP = (
    "must be a condition (an object with one key: gt, lt, ge, le, crosses_above, "
    "crosses_below, and, or, not)"
)
SERIES_HELP = (
    'must be a series (a price column, a number, {"param": name}, {"indicator": ...} or '
    '{"shift": ...})'
)


@pytest.mark.parametrize(
    "strategy, message",
    [
        ("x", "strategy must be an object, got 'x'"),
        ([1], "strategy must be an object, got an array"),
        ({"entyr": OK_ENTRY}, "unknown key 'entyr' in strategy; did you mean 'entry'?"),
        ({"entry": "x"}, f"entry {CONDITION_HELP}, got 'x'"),
        ({"entry": {"gt": [1, 2], "lt": [1, 2]}}, f"entry {CONDITION_HELP}, got an object"),
        ({"exit": True}, f"exit {CONDITION_HELP}, got true"),
        (
            {"entry": {"crosses": [1, 2]}},
            "unknown condition 'crosses' at entry; did you mean 'crosses_above'?",
        ),
        ({"entry": {"gt": [1, 2, 3]}}, "entry.gt must be a list of 2 series, got 3 items"),
        ({"entry": {"gt": "x"}}, "entry.gt must be a list of 2 series, got 'x'"),
        (
            {"entry": {"and": [OK_ENTRY]}},
            "entry.and must be a list of at least 2 conditions, got 1 items",
        ),
        ({"entry": {"or": 5}}, "entry.or must be a list of at least 2 conditions, got 5"),
        ({"entry": {"and": [OK_ENTRY, 7]}}, f"entry.and[1] {CONDITION_HELP}, got 7"),
        ({"entry": {"not": {"gt": [True, 1]}}}, f"entry.not.gt[0] {SERIES_HELP}, got true"),
        ({"entry": {"gt": [None, 1]}}, f"entry.gt[0] {SERIES_HELP}, got null"),
        ({"entry": {"gt": [[1], 1]}}, f"entry.gt[0] {SERIES_HELP}, got an array"),
        ({"entry": {"gt": [{"x": 1}, 1]}}, f"entry.gt[0] {SERIES_HELP}, got an object"),
        (
            {"entry": {"gt": ["clse", 1]}},
            "unknown price column 'clse' at entry.gt[0]; did you mean 'close'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "smaa", "period": 3}, 1]}},
            "unknown indicator 'smaa' at entry.gt[0]; did you mean 'sma'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "perod": 3}, 1]}},
            "unknown key 'perod' in entry.gt[0] (indicator 'sma'); did you mean 'period'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma"}, 1]}},
            "entry.gt[0].period is required (indicator 'sma')",
        ),
        (
            {"entry": {"and": [OK_ENTRY, {"gt": [{"period": 0, "indicator": "sma"}, 1]}]}},
            "entry.and[1].gt[0].period must be an integer >= 1, got 0",
        ),
        (
            {"entry": {"gt": [{"indicator": "ema", "period": 10.0}, 1]}},
            "entry.gt[0].period must be an integer >= 1, got 10.0",
        ),
        (
            {"entry": {"gt": [{"indicator": "ema", "period": True}, 1]}},
            "entry.gt[0].period must be an integer >= 1, got true",
        ),
        (
            {"entry": {"gt": [{"indicator": "ema", "period": "5"}, 1]}},
            "entry.gt[0].period must be an integer >= 1, got '5'",
        ),
        (
            {"entry": {"gt": [{"indicator": "wma", "period": 2**70}, 1]}},
            "entry.gt[0].period must be an integer <= 2147483647, got 1180591620717411303424",
        ),
        (
            {"entry": {"gt": [{"indicator": "bbands", "k": -1.0, "output": "upper"}, 1]}},
            "entry.gt[0].k must be a finite number >= 0, got -1.0",
        ),
        (
            {"entry": {"gt": [{"indicator": "bbands", "k": NAN, "output": "upper"}, 1]}},
            "entry.gt[0].k must be a finite number >= 0, got NaN",
        ),
        (
            {"entry": {"gt": [{"indicator": "macd", "fast": 26, "slow": 12, "output": "macd"}, 1]}},
            "entry.gt[0] needs fast < slow, got fast=26 and slow=12",
        ),
        (
            {"entry": {"gt": [{"indicator": "macd", "fast": 30}, 1]}},
            "entry.gt[0].output is required (indicator 'macd' has outputs macd, signal, hist)",
        ),
        (
            {"entry": {"gt": [{"indicator": "macd"}, 1]}},
            "entry.gt[0].output is required (indicator 'macd' has outputs macd, signal, hist)",
        ),
        (
            {"entry": {"gt": [{"indicator": "bbands", "output": "up"}, 1]}},
            "unknown output 'up' at entry.gt[0].output (indicator 'bbands'); did you mean 'upper'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "period": 5, "output": "x"}, 1]}},
            "unknown key 'output' in entry.gt[0] (indicator 'sma'); did you mean 'source'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "atr", "source": "close"}, 1]}},
            "unknown key 'source' in entry.gt[0] (indicator 'atr'); did you mean 'period'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "period": 5, "source": "hgh"}, 1]}},
            "unknown price column 'hgh' at entry.gt[0].source; did you mean 'high'?",
        ),
        (
            {"entry": {"gt": [{"param": 1}, 1]}},
            "entry.gt[0].param must be a non-empty string, got 1",
        ),
        (
            {"entry": {"gt": [{"param": ""}, 1]}},
            "entry.gt[0].param must be a non-empty string, got ''",
        ),
        (
            {"entry": {"gt": [{"param": "a", "x": 1}, 1]}},
            "unknown key 'x' in entry.gt[0] (param); did you mean 'param'?",
        ),
        (
            {"entry": {"gt": [{"indicator": "sma", "period": {"param": 2}}, 1]}},
            "entry.gt[0].period.param must be a non-empty string, got 2",
        ),
        (
            {"entry": {"gt": [{"shift": "close", "periods": 0}, 1]}},
            "entry.gt[0].periods must be an integer >= 1, got 0",
        ),
        (
            {"entry": {"gt": [{"shift": "close", "period": 2}, 1]}},
            "unknown key 'period' in entry.gt[0] (shift); did you mean 'periods'?",
        ),
        (
            {"entry": OK_ENTRY, "constraint": {"crosses_above": [1, 2]}},
            "constraint.crosses_above is not allowed in a constraint "
            "(it compares params: gt, lt, ge, le, and, or, not)",
        ),
        (
            {"entry": {"gt": [{"indicator": 5}, 1]}},
            "entry.gt[0].indicator must be a string, got 5",
        ),
        (
            {"entry": {"gt": [{"indicator": "bbands", "output": 5}, 1]}},
            "entry.gt[0].output must be a string, got 5",
        ),
        (
            {"entry": {"gt": [{"shift": "close", "param": "a"}, 1]}},
            "unknown key 'shift' in entry.gt[0] (param); did you mean 'param'?",
        ),
        (
            {"entry": OK_ENTRY, "constraint": {"lt": ["close", 1]}},
            "constraint.lt[0] must be a number or {\"param\": name} in a constraint, got 'close'",
        ),
        # Keys in the object's order; `indicator` first wherever it is written.
        (
            {"exit": {"gt": ["x", 1]}, "entry": {"gt": ["y", 1]}},
            "unknown price column 'x' at exit.gt[0]; did you mean 'low'?",
        ),
        (
            {"entry": {"gt": [{"perod": 3, "indicator": "smaa"}, 1]}},
            "unknown indicator 'smaa' at entry.gt[0]; did you mean 'sma'?",
        ),
    ],
)
def test_strategy_messages(strategy, message):
    assert error_of(fb.parse_strategy, strategy) == (message, "invalid_strategy")


def test_nearest_name_ties_go_to_the_first_candidate():
    assert fb.nearest("ab", ["xb", "ax"]) == "xb"
    assert fb.nearest("lowst", fb.strategy.PRICE_COLUMNS) == "low"
    assert fb.nearest("hihgest", list(fb.INDICATORS)) == "highest"
    # A truncated name finds its completion before any closer distance.
    assert fb.nearest("crosses", fb.strategy.CONDITIONS) == "crosses_above"
    assert fb.nearest("hi", fb.strategy.PRICE_COLUMNS) == "high"


def test_parse_strategy_keeps_placeholders_and_passes_parsed_objects():
    tree = {
        "exit": {"lt": ["close", {"indicator": "sma", "period": {"param": "slow"}}]},
        "entry": {"gt": [{"param": "level"}, {"indicator": "ema", "period": {"param": "fast"}}]},
        "constraint": {"lt": [{"param": "fast"}, {"param": "cap"}]},
    }
    parsed = fb.parse_strategy(tree)
    assert fb.parse_strategy(parsed) is parsed
    assert parsed.params == ("level", "fast", "slow", "cap")  # entry first, then constraint
    assert fb.strategy_params(tree) == ["level", "fast", "slow", "cap"]
    assert parsed.uses["fast"] == "entry.gt[1].period"


# --------------------------------------------------------------------------------------------
# Settings, direction, params: every message
# --------------------------------------------------------------------------------------------

DATA = bars([10.0, 11.0, 12.0, 11.0, 10.0])
SIMPLE = {"entry": {"gt": ["close", 10.5]}, "exit": {"lt": ["close", 10.5]}}


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"comission": 0.1}, "unknown setting 'comission'; did you mean 'commission_rate'?"),
        ({"initial_capital": -5.0}, "initial_capital must be a finite number > 0, got -5.0"),
        ({"initial_capital": "x"}, "initial_capital must be a number, got 'x'"),
        ({"initial_capital": True}, "initial_capital must be a number, got true"),
        ({"commission_rate": 1.0}, "commission_rate must be in [0, 1), got 1.0"),
        ({"fixed_fee": -1.0}, "fixed_fee must be a finite number >= 0, got -1.0"),
        ({"slippage": 1.0}, "slippage must be in [0, 1), got 1.0"),
        ({"fill": "open"}, "fill must be 'next_open' or 'close', got 'open'"),
        ({"fill": 1}, "fill must be 'next_open' or 'close', got 1"),
        ({"lot_size": -1.0}, "lot_size must be a finite number >= 0, got -1.0"),
        ({"periods_per_year": 0.0}, "periods_per_year must be a finite number > 0, got 0.0"),
        (
            {"direction": "long"},
            "direction must be 'long_only', 'short_only' or 'both', got 'long'",
        ),
        ({"size_type": "units"}, "size_type must be 'percent', 'value' or 'amount', got 'units'"),
        ({"size": 1.5}, "size must be in (0, 1] for size_type 'percent', got 1.5"),
        (
            {"size": 0.0, "size_type": "value"},
            "size must be a finite number > 0 for size_type 'value', got 0.0",
        ),
        ({"stop_loss": 1.5}, "stop_loss must be in (0, 1), got 1.5"),
        ({"take_profit": 0.0}, "take_profit must be a finite number > 0, got 0.0"),
        ({"trailing_stop": 0.0}, "trailing_stop must be in (0, 1), got 0.0"),
        # Unknown names first, then table order.
        (
            {"stop_loss": 2.0, "initial_capital": 0.0},
            "initial_capital must be a finite number > 0, got 0.0",
        ),
        ({"stop_loss": 2.0, "bogus": 1}, "unknown setting 'bogus'; did you mean 'fill'?"),
    ],
)
def test_settings_messages(settings, message):
    assert error_of(fb.run_backtest, DATA, SIMPLE, settings, {}) == (message, "invalid_parameter")


@pytest.mark.parametrize(
    "settings, message",
    [
        (
            {"comission": 0.1},
            "unknown setting 'comission' in strategy.settings; did you mean 'commission_rate'?",
        ),
        ({"stop_loss": 1.5}, "strategy.settings.stop_loss must be in (0, 1), got 1.5"),
    ],
)
def test_strategy_settings_messages(settings, message):
    strategy = {**SIMPLE, "settings": settings}
    assert error_of(fb.parse_strategy, strategy) == (message, "invalid_parameter")
    not_an_object = {**SIMPLE, "settings": 5}
    assert error_of(fb.parse_strategy, not_an_object) == (
        "strategy.settings must be an object, got 5",
        "invalid_strategy",
    )


def test_run_settings_override_the_strategy_settings():
    strategy = {**SIMPLE, "settings": {"fill": "close", "initial_capital": 500.0}}
    a = fb.run_backtest(DATA, strategy, {}, {})
    b = fb.run_backtest(DATA, SIMPLE, {"fill": "close", "initial_capital": 500.0}, {})
    assert a == b
    c = fb.run_backtest(DATA, strategy, {"fill": "next_open"}, {})
    d = fb.run_backtest(DATA, SIMPLE, {"initial_capital": 500.0}, {})
    assert c == d and c != a
    # The strategy's size is checked again against a run's new size type.
    strategy = {**SIMPLE, "settings": {"size_type": "value", "size": 300.0, "fill": "close"}}
    assert fb.run_backtest(DATA, strategy, {}, {})["trades"][0]["size"] == (300.0 - 0.0) / (
        11.0 * (1.0 + 0.001)
    )
    assert error_of(fb.run_backtest, DATA, strategy, {"size_type": "percent"}, {}) == (
        "size must be in (0, 1] for size_type 'percent', got 300.0",
        "invalid_parameter",
    )


@pytest.mark.parametrize(
    "strategy, direction, message",
    [
        (
            {**SIMPLE, "short_entry": OK_ENTRY},
            "long_only",
            "the strategy has a short side (short_entry/short_exit) but direction is 'long_only'; "
            "pass direction='both' or 'short_only'",
        ),
        (
            {"short_exit": OK_ENTRY, "entry": OK_ENTRY},
            None,
            "the strategy has a short side (short_entry/short_exit) but direction is 'long_only'; "
            "pass direction='both' or 'short_only'",
        ),
        (
            {"exit": OK_ENTRY, "short_entry": OK_ENTRY},
            "short_only",
            "the strategy has a long side (entry/exit) but direction is 'short_only'; "
            "pass direction='both' or 'long_only'",
        ),
        ({"exit": OK_ENTRY}, None, "the strategy needs an entry for direction 'long_only'"),
        ({"short_entry": OK_ENTRY}, "both", "the strategy needs an entry for direction 'both'"),
        ({"entry": OK_ENTRY}, "both", "the strategy needs a short_entry for direction 'both'"),
        (
            {"short_exit": OK_ENTRY},
            "short_only",
            "the strategy needs a short_entry for direction 'short_only'",
        ),
    ],
)
def test_direction_messages(strategy, direction, message):
    settings = {} if direction is None else {"direction": direction}
    assert error_of(fb.run_backtest, DATA, strategy, settings, {}) == (message, "invalid_strategy")


def test_settings_are_checked_before_the_direction_and_the_strategy_first():
    bad_side = {"exit": OK_ENTRY}
    assert error_of(fb.run_backtest, DATA, bad_side, {"fill": "x"}, {})[1] == "invalid_parameter"
    assert error_of(fb.run_backtest, DATA, {"entry": 1}, {"fill": "x"}, {})[1] == (
        "invalid_strategy"
    )


PARAM_TREE = {
    "entry": {
        "crosses_above": [
            {"indicator": "sma", "period": {"param": "fast"}},
            {"indicator": "sma", "period": {"param": "slow"}},
        ]
    },
    "exit": {"lt": ["close", {"param": "level"}]},
}


@pytest.mark.parametrize(
    "params, message, code",
    [
        (
            {"slow": 3, "level": 1},
            "missing value for param 'fast' (used at entry.crosses_above[0].period)",
            "invalid_grid",
        ),
        (
            {"fast": 2, "slow": 3},
            "missing value for param 'level' (used at exit.lt[1])",
            "invalid_grid",
        ),
        (
            {"fast": 0, "slow": 3, "level": 1},
            "entry.crosses_above[0].period must be an integer >= 1, got 0",
            "invalid_strategy",
        ),
        (
            {"fast": 2.0, "slow": 3, "level": 1},
            "entry.crosses_above[0].period must be an integer >= 1, got 2.0",
            "invalid_strategy",
        ),
        (
            {"fast": 2, "slow": 3, "level": True},
            "param 'level' must be a number, got true",
            "invalid_strategy",
        ),
        (
            {"fast": True, "slow": 3, "level": 1},
            "entry.crosses_above[0].period must be an integer >= 1, got true",
            "invalid_strategy",
        ),
        # Unknown params first, then missing ones, then the values.
        (
            {"fast": 0, "slow": 3, "fsat": 2},
            "unknown param 'fsat'; did you mean 'fast'?",
            "invalid_grid",
        ),
        (
            {"fast": 0, "slow": 3},
            "missing value for param 'level' (used at exit.lt[1])",
            "invalid_grid",
        ),
        (
            {"fast": 2, "slow": 3, "level": 1, "fsat": 2},
            "unknown param 'fsat'; did you mean 'fast'?",
            "invalid_grid",
        ),
        (5, "params must be an object, got 5", "invalid_parameter"),
    ],
)
def test_params_messages(params, message, code):
    assert error_of(fb.run_backtest, DATA, PARAM_TREE, {}, params) == (message, code)


def test_bound_macd_params_are_checked_after_binding():
    tree = {"entry": {"gt": [{"indicator": "macd", "output": "hist", "fast": {"param": "f"}}, 0]}}
    assert error_of(fb.run_backtest, DATA, tree, {}, {"f": 40}) == (
        "entry.gt[0] needs fast < slow, got fast=40 and slow=26",
        "invalid_strategy",
    )
    tree = {"entry": {"gt": [{"indicator": "bbands", "output": "upper", "k": {"param": "k"}}, 0]}}
    assert error_of(fb.run_backtest, DATA, tree, {}, {"k": -2}) == (
        "entry.gt[0].k must be a finite number >= 0, got -2",
        "invalid_strategy",
    )


# --------------------------------------------------------------------------------------------
# Raw signals: messages
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signals, settings, message, code",
    [
        (
            {"entries": [True] * 4, "exits": None},
            {},
            "entries has 4 values but the data has 5 bars",
            "invalid_signals",
        ),
        (
            {"entries": [True] * 5, "exits": [False] * 6},
            {},
            "exits has 6 values but the data has 5 bars",
            "invalid_signals",
        ),
        (
            {"entries": [True, False, False, 1, False]},
            {},
            "entries at row 3 must be a boolean, got 1",
            "invalid_signals",
        ),
        (
            {"entries": [True] * 5, "exits": [None] * 5},
            {},
            "exits at row 0 must be a boolean, got null",
            "invalid_signals",
        ),
        ({"entries": 5}, {}, "entries must be a sequence of booleans, got 5", "invalid_signals"),
        (
            {"entries": [True] * 5, "short_entries": [False] * 5},
            {},
            "short_entries/short_exits given but direction is 'long_only'; "
            "pass direction='both' or 'short_only'",
            "invalid_signals",
        ),
        (
            {"entries": [True] * 5, "short_entries": [False] * 5},
            {"direction": "short_only"},
            "entries/exits given but direction is 'short_only'; "
            "pass direction='both' or 'long_only'",
            "invalid_signals",
        ),
        (
            {"entries": [True] * 5},
            {"slippage": 2},
            "slippage must be in [0, 1), got 2",
            "invalid_parameter",
        ),
        (
            {"entries": [True] * 5},
            {"initial_capital": -5},
            "initial_capital must be a finite number > 0, got -5",
            "invalid_parameter",
        ),
    ],
)
def test_signal_messages(signals, settings, message, code):
    assert error_of(fb.run_signals, DATA, signals, settings) == (message, code)


def test_signals_equal_the_tree_they_come_from():
    d = sample(250, 9)
    tree = fb.sma_cross(4, 15)
    r = fb.run_backtest(d, tree, {"fill": "close"}, {})
    cache = fb.signals.SeriesCache(d)
    sides = fb.strategy.bind_params(fb.parse_strategy(tree), {})
    entries = fb.signals.evaluate(sides[0], cache)
    exits = fb.signals.evaluate(sides[1], cache)
    s = fb.run_signals(d, {"entries": entries, "exits": exits}, {"fill": "close"})
    assert s["metrics"] == r["metrics"] and s["trades"] == r["trades"]
    assert s["equity_curve"] == r["equity_curve"]


# --------------------------------------------------------------------------------------------
# Sweeps
# --------------------------------------------------------------------------------------------

SWEEP_TREE = fb.sma_cross({"param": "fast"}, {"param": "slow"})


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and repr(a) == repr(b)


def test_sweep_rows_equal_single_runs_and_indicators_are_computed_once(monkeypatch):
    d = sample(300, 3)
    calls = []
    real = fb_indicators.sma

    def counting(values, period):
        calls.append(period)
        return real(values, period)

    monkeypatch.setattr(fb_indicators, "sma", counting)
    out = fb.sweep(
        d,
        SWEEP_TREE,
        {"fast": [3, 5, 10], "slow": [5, 20, 40]},
        {"fill": "close"},
        {"lt": [{"param": "fast"}, {"param": "slow"}]},
    )
    assert sorted(calls) == [3, 5, 10, 20, 40]
    assert out["params"] == ["fast", "slow"]
    cols = out["columns"]
    assert list(cols) == ["fast", "slow", *fb.METRIC_NAMES]
    pairs = list(zip(cols["fast"], cols["slow"]))
    assert pairs == [(3, 5), (3, 20), (3, 40), (5, 20), (5, 40), (10, 20), (10, 40)]
    for i, (f, s) in enumerate(pairs):
        single = fb.run_backtest(d, SWEEP_TREE, {"fill": "close"}, {"fast": f, "slow": s})
        for name, value in single["metrics"].items():
            expected = NAN if value is None and name not in fb.INT_METRICS else value
            assert same(cols[name][i], expected), (f, s, name)
    assert all(type(v) is int for v in cols["trade_count"] + cols["max_drawdown_duration"])


def test_sweep_uses_the_strategy_constraint_and_given_combinations():
    d = sample(120, 4)
    tree = {**SWEEP_TREE, "constraint": {"lt": [{"param": "fast"}, {"param": "slow"}]}}
    out = fb.sweep(d, tree, {"fast": [5, 10], "slow": [5, 10]}, {})
    assert list(zip(out["columns"]["fast"], out["columns"]["slow"])) == [(5, 10)]
    # A call's constraint replaces the strategy's.
    out = fb.sweep(d, tree, {"fast": [5, 10], "slow": [5, 10]}, {}, {"ge": [{"param": "slow"}, 10]})
    assert list(zip(out["columns"]["fast"], out["columns"]["slow"])) == [(5, 10), (10, 10)]
    # Given combinations replace the product; the strategy's constraint does not apply.
    combos = [{"fast": 10, "slow": 5}, {"fast": 5, "slow": 10}]
    out = fb.sweep(d, tree, {"fast": [5, 10], "slow": [5, 10]}, {}, None, combos)
    assert list(zip(out["columns"]["fast"], out["columns"]["slow"])) == [(10, 5), (5, 10)]


@pytest.mark.parametrize(
    "params, constraint, message",
    [
        ({}, None, "params is empty"),
        ({"fast": 5, "slow": [10]}, None, "params['fast'] must be a list of numbers, got 5"),
        (3, None, "params must be an object of name to list of values, got 3"),
        ({"fast": [], "slow": [10]}, None, "params['fast'] is empty"),
        ({"fast": [5, "x"], "slow": [10]}, None, "params['fast'][1] must be a number, got 'x'"),
        (
            {"fast": [20], "slow": [10]},
            {"lt": [{"param": "fast"}, {"param": "slow"}]},
            "the constraint leaves no combination of params",
        ),
        (
            {"fast": [2], "slow": [10]},
            {"lt": [{"param": "fast"}, {"param": "cap"}]},
            "missing value for param 'cap' (used at constraint.lt[1])",
        ),
        (
            {"fast": [2], "slow": [10]},
            {"lt": ["close", 1]},
            "constraint.lt[0] must be a number or {\"param\": name} in a constraint, got 'close'",
        ),
        (
            {"fast": [2], "slow": [10], "fsat": [1]},
            None,
            "unknown param 'fsat'; did you mean 'fast'?",
        ),
        (
            {"fast": [2]},
            None,
            "missing value for param 'slow' (used at entry.crosses_above[1].period)",
        ),
    ],
)
def test_sweep_messages(params, constraint, message):
    assert error_of(fb.sweep, DATA, SWEEP_TREE, params, {}, constraint) == (message, "invalid_grid")


def test_sweep_checks_every_combination_before_running(monkeypatch):
    calls = []
    monkeypatch.setattr(fb_indicators, "sma", lambda v, p: calls.append(p) or [NAN] * len(v))
    assert error_of(fb.sweep, DATA, SWEEP_TREE, {"fast": [2, 0], "slow": [4]}, {}) == (
        "entry.crosses_above[0].period must be an integer >= 1, got 0",
        "invalid_strategy",
    )
    assert calls == []


# --------------------------------------------------------------------------------------------
# Seed API: unchanged, and its codes
# --------------------------------------------------------------------------------------------


def test_seed_codes():
    assert error_of(fb.validate_params, 100, 0, 5, 1.0, 0.0, 0, 252, "close")[1] == (
        "invalid_parameter"
    )
    args = (1.0, 0.0, 0, 252, "close", None)
    assert error_of(fb.validate_grid, 100, [], [5], *args) == (
        "fast_periods is empty",
        "invalid_grid",
    )
    assert error_of(fb.validate_grid, 100, [0], [5], *args)[1] == "invalid_grid"
    assert error_of(fb.validate_grid, 100, [2.5], [5], *args)[1] == "invalid_grid"
    assert error_of(fb.validate_grid, 100, [9], [5], *args)[1] == "invalid_grid"
    assert error_of(fb.validate_grid, 100, [2], [5], 0.0, 0.0, 0, 252, "close", None)[1] == (
        "invalid_parameter"
    )
    bad = bars([10.0, 10.0])
    bad["volume"] = [1.0, -3.0]
    assert error_of(
        fb.validate_market_data,
        *(bad[k] for k in ("dates", "open", "high", "low", "close", "volume")),
    ) == ("volume at row 1 must be a finite number >= 0, got -3.0", "invalid_market_data")


def test_unknown_param_of_a_strategy_without_params():
    assert error_of(fb.run_backtest, DATA, SIMPLE, {}, {"zz": 1}) == (
        "unknown param 'zz'; the strategy has no params",
        "invalid_grid",
    )
