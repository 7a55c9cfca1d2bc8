"""Writes the shared golden test data: tests/golden/cases.json and tests/golden/errors.json.

Run from the repository root:  .venv/bin/python tests/golden/make_golden.py

It does not use the project's engine. Expectations are computed independently:
  * SMAs and crossing decisions with exact rational arithmetic (fractions.Fraction of the float
    inputs), so every crossing is decided exactly; the script asserts that no case (but the
    flat-prices one) has a tie or a near-tie that a float engine could decide differently;
  * money (sizes, cash, costs, proceeds, pnl, return_pct, equity) with plain IEEE-754 double
    operations in the order docs/CONVENTIONS.md writes them (those are spec formulas);
  * metrics from the equity curve with numpy (np.std(ddof=1), np.maximum.accumulate, ...), as an
    independent cross-check of the CONVENTIONS loop, which is also run here and must agree.
Every case also states its trades by hand (the entry/exit bars it was designed for); the exact
simulation must agree, so the file is checked twice.

Deterministic: the same script always writes byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------------------------
# Helpers: dates, bars, Rust `{:?}` float formatting
# --------------------------------------------------------------------------------------------


def business_days(start: str, n: int) -> list[str]:
    """`n` Monday-to-Friday dates from `start` (inclusive if it is a business day)."""
    d = dt.date.fromisoformat(start)
    out = []
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d.isoformat())
        d += dt.timedelta(days=1)
    return out


# Small offsets of each open from the previous close, so next_open fills differ from closes.
WIGGLE = [0.0, 0.1, -0.1, 0.2, -0.2]


def make_bars(closes, symbol="GOLD", start="2024-01-01", opens=None, spread=0.3):
    """Valid OHLCV bars around a designed close series.

    open[0] = close[0]; open[t] = close[t-1] + WIGGLE[t % 5] (2 decimals) unless `opens` gives
    it; high = max(open, close) + spread; low = min(open, close) - spread.
    """
    n = len(closes)
    closes = [float(c) for c in closes]
    if opens is None:
        opens = [closes[0]] + [round(closes[t - 1] + WIGGLE[t % 5], 2) for t in range(1, n)]
    opens = [float(o) for o in opens]
    highs = [round(max(o, c) + spread, 2) for o, c in zip(opens, closes)]
    lows = [round(min(o, c) - spread, 2) for o, c in zip(opens, closes)]
    volume = [10_000 + (t * 7919) % 5_000 for t in range(n)]
    for o, h, lo, c in zip(opens, highs, lows, closes):
        assert 0 < lo <= min(o, c) and max(o, c) <= h, (o, h, lo, c)
    return {
        "symbol": symbol,
        "dates": business_days(start, n),
        "open": opens,
        "high": highs,
        "low": lows,
        "close": closes,
        "volume": volume,
    }


def rust_debug(x: float) -> str:
    """An f64 as Rust's `{:?}` writes it: 100.0, 0.1, NaN, inf, -inf, 1e-5, 1e16, -5.0."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    # Python's repr is the same shortest round-trip digits, with exponent form in the same
    # ranges (below 1e-4, from 1e16 on); only the exponent is spelled differently (1e-05, 1e+16).
    s = repr(x)
    m = re.fullmatch(r"(-?[0-9.]+)e([+-])0*([0-9]+)", s)
    if m:
        mant, sign, exp = m.groups()
        return f"{mant}e{'-' if sign == '-' else ''}{exp}"
    return s


assert [
    rust_debug(v)
    for v in (
        100.0,
        0.1,
        float("nan"),
        float("inf"),
        -float("inf"),
        1e-5,
        1e16,
        -5.0,
        0.0,
        1.5e-7,
        1.25e20,
        1e15,
    )
] == [
    "100.0",
    "0.1",
    "NaN",
    "inf",
    "-inf",
    "1e-5",
    "1e16",
    "-5.0",
    "0.0",
    "1.5e-7",
    "1.25e20",
    "1000000000000000.0",
]


# --------------------------------------------------------------------------------------------
# The independent simulation
# --------------------------------------------------------------------------------------------


def exact_sma(closes, p):
    """sma[t] as an exact Fraction for t >= p-1, else None."""
    xs = [Fraction(c) for c in closes]
    out = [None] * len(xs)
    for t in range(p - 1, len(xs)):
        out[t] = sum(xs[t - p + 1 : t + 1], Fraction(0)) / p
    return out


def check_no_ties(name, closes, fast_p, slow_p, fast, slow, flat):
    """No exact tie (and no near-tie) of fast vs slow on any bar where a crossing is decided, and
    a float rolling mean (numpy, plain sums) decides every comparison the same way. The one
    exception, only in cases marked `flat`: a bar whose whole slow window holds one price, where
    fast == slow exactly (and the engine's constant-window rule gives exactly that price too)."""
    n = len(closes)
    c = np.asarray(closes, dtype=float)
    naive = {p: np.convolve(c, np.ones(p), "valid") / p for p in (fast_p, slow_p)}
    for t in range(slow_p - 1, n):
        if flat and len(set(closes[t - slow_p + 1 : t + 1])) == 1:
            assert fast[t] == slow[t] == Fraction(closes[t]), name
            continue
        diff = fast[t] - slow[t]
        assert diff != 0, f"{name}: exact tie fast == slow at bar {t}"
        assert abs(diff) > Fraction(1, 10**6) * abs(slow[t]), f"{name}: near-tie at bar {t}"
        fd = naive[fast_p][t - fast_p + 1] - naive[slow_p][t - slow_p + 1]
        assert (fd > 0) == (diff > 0) and fd != 0, f"{name}: float mean disagrees at bar {t}"


def running_sum_sma(closes, p):
    """A plain running-sum SMA (s += x; s -= old; s / p), the one CONVENTIONS does NOT use: only to
    show what the flat cases guard against."""
    out, s = [None] * len(closes), 0.0
    for t, x in enumerate(closes):
        s += x
        if t >= p:
            s -= closes[t - p]
        if t >= p - 1:
            out[t] = s / p
    return out


def conventions_sma(closes, p):
    """The float SMA of docs/CONVENTIONS.md (rolling Neumaier sum, constant-window rule). Used only
    to confirm that a float engine decides every comparison as the exact arithmetic does."""
    out = [None] * len(closes)
    s = c = 0.0
    run = 0

    def add(x):
        nonlocal s, c
        u = s + x
        c += ((s - u) + x) if abs(s) >= abs(x) else ((x - u) + s)
        s = u

    for t, x in enumerate(closes):
        run = run + 1 if t > 0 and x == closes[t - 1] else 1
        add(x)
        if t >= p:
            add(-closes[t - p])
        if t >= p - 1:
            out[t] = x if run >= p else (s + c) / p
    return out


def decisions(fast, slow, start):
    """(fast < slow, fast > slow) for every bar from `start` on."""
    return [(fast[t] < slow[t], fast[t] > slow[t]) for t in range(start, len(fast))]


def simulate(data, params, name, flat=False):
    """Exact crossings, float money in CONVENTIONS order. Returns (trades, equity, open_entry)."""
    closes, opens, dates = data["close"], data["open"], data["dates"]
    n = len(closes)
    fp, sp = params["fast_period"], params["slow_period"]
    fast, slow = exact_sma(closes, fp), exact_sma(closes, sp)
    check_no_ties(name, closes, fp, sp, fast, slow, flat)
    ffast, fslow = conventions_sma(closes, fp), conventions_sma(closes, sp)
    assert decisions(fast, slow, sp - 1) == decisions(ffast, fslow, sp - 1), name

    capital = params["initial_capital"]
    rate = params["commission_rate"]
    lot = params["lot_size"]
    fill = params["fill"]
    k = 1.0 + rate
    m = 1.0 - rate
    cash, size, long = capital, 0.0, False
    entry = None  # (t, price, cost)
    trades, equity = [], []
    pending = None

    def execute(signal, t, price):
        nonlocal cash, size, long, entry
        if signal == "BUY":
            q = cash / (price * k)
            if lot > 0:
                ratio = q / lot
                # The float floor must be the floor of the exact ratio, and the ratio must not
                # be near an integer (an engine's rounding cannot flip it).
                assert math.floor(ratio) == math.floor(Fraction(q) / Fraction(lot)), name
                assert abs(ratio - round(ratio)) > 1e-6, f"{name}: q/lot_size near an integer"
                q = math.floor(ratio) * lot
                q = float(q)
            if q > 0:
                cost = q * price * k  # (q * price) * k
                cash = cash - cost
                size, long = q, True
                entry = (t, price, cost)
        else:
            proceeds = size * price * m  # (size * price) * m
            cash = cash + proceeds
            et, ep, cost = entry
            pnl = proceeds - cost
            trades.append(
                {
                    "entry_index": et,
                    "exit_index": t,
                    "entry_date": dates[et],
                    "exit_date": dates[t],
                    "entry_price": ep,
                    "exit_price": price,
                    "size": size,
                    "pnl": pnl,
                    "return_pct": pnl / cost,
                    "bars_held": t - et,
                }
            )
            size, long, entry = 0.0, False, None

    for t in range(n):
        if pending:
            execute(pending, t, opens[t])
            pending = None
        if t >= sp:
            up = fast[t - 1] < slow[t - 1] and fast[t] > slow[t]
            down = fast[t - 1] > slow[t - 1] and fast[t] < slow[t]
            signal = "BUY" if (not long and up) else "SELL" if (long and down) else None
            if signal:
                if fill == "close":
                    execute(signal, t, closes[t])
                elif t + 1 < n:
                    pending = signal
        equity.append(cash + size * closes[t])
    return trades, equity, (entry[0] if entry else None)


def signals(data, params):
    """Exact cross-up / cross-down bars (for the hand checks)."""
    closes = data["close"]
    fp, sp = params["fast_period"], params["slow_period"]
    fast, slow = exact_sma(closes, fp), exact_sma(closes, sp)
    ups, downs = [], []
    for t in range(sp, len(closes)):
        if fast[t - 1] < slow[t - 1] and fast[t] > slow[t]:
            ups.append(t)
        if fast[t - 1] > slow[t - 1] and fast[t] < slow[t]:
            downs.append(t)
    return ups, downs


# --------------------------------------------------------------------------------------------
# Metrics: numpy (written to the file) and the CONVENTIONS loop (must agree)
# --------------------------------------------------------------------------------------------


def metrics_numpy(equity, capital, ppy, trades):
    e = np.asarray(equity, dtype=float)
    n = len(e)
    prev = np.concatenate(([capital], e[:-1]))
    r = e / prev - 1.0
    total = float(e[-1] / capital - 1.0)
    ann = float(np.power(1.0 + total, ppy / n) - 1.0)
    std = float(np.std(r, ddof=1)) if n >= 2 else float("nan")
    mean = float(np.mean(r))
    sharpe = None if (n < 2 or std == 0.0) else float(mean / std * np.sqrt(ppy))
    downside = float(np.sqrt(np.mean(np.minimum(r, 0.0) ** 2)))
    sortino = None if downside == 0.0 else float(mean / downside * np.sqrt(ppy))
    mdd = float(np.max(1.0 - e / np.maximum.accumulate(e)))
    wins = sum(1 for tr in trades if tr["pnl"] > 0)
    return {
        "total_return": total,
        "annualized_return": ann,
        "volatility": float(std * np.sqrt(ppy)),
        "sharpe_ratio": sharpe,
        "sortino_ratio": sortino,
        "max_drawdown": mdd,
        "trade_count": len(trades),
        "win_rate": (wins / len(trades) * 100.0) if trades else 0.0,
    }


def metrics_loop(equity, capital, ppy, trades):
    """docs/CONVENTIONS.md, line by line."""
    n = len(equity)
    prev, sr, sd, peak, mdd = capital, 0.0, 0.0, equity[0], 0.0
    r = []
    for t in range(n):
        r.append(equity[t] / prev - 1.0)
        sr += r[t]
        if r[t] < 0:
            sd += r[t] * r[t]
        prev = equity[t]
        peak = max(peak, equity[t])
        mdd = max(mdd, 1.0 - equity[t] / peak)
    mean = sr / n
    acc = 0.0
    for x in r:
        acc += (x - mean) * (x - mean)
    std = math.sqrt(acc / (n - 1))
    ann = math.sqrt(ppy)
    total = equity[n - 1] / capital - 1.0
    wins = sum(1 for tr in trades if tr["pnl"] > 0)
    return {
        "total_return": total,
        "annualized_return": math.pow(1.0 + total, ppy / n) - 1.0,
        "volatility": std * ann,
        "sharpe_ratio": None if (n < 2 or std == 0) else mean / std * ann,
        "sortino_ratio": None if sd == 0 else mean / math.sqrt(sd / n) * ann,
        "max_drawdown": mdd,
        "trade_count": len(trades),
        "win_rate": wins / len(trades) * 100.0 if trades else 0.0,
    }


def agree(a, b, name, key):
    if a is None or b is None:
        assert a is None and b is None, f"{name}.{key}: {a} vs {b}"
        return
    assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), f"{name}.{key}: {a!r} vs {b!r}"


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

DEFAULTS = {
    "fast_period": 2,
    "slow_period": 4,
    "initial_capital": 100_000.0,
    "commission_rate": 0.001,
    "fill": "next_open",
    "lot_size": 0.0,
    "periods_per_year": 252.0,
}

# A V then an inverted V: with fast=2/slow=4 it crosses up at bar 6 and down at bar 11.
ROUND_TRIP = [12.0, 11.5, 11.0, 10.5, 10.0, 10.2, 10.8, 11.5, 12.3, 13.0, 12.6, 11.9, 11.2, 10.8]

# Down, up (buy), down (sell at a loss), up (buy), up more, down (sell at a gain): 2 trades.
LOSS_THEN_WIN = [
    20.0,
    19.6,
    19.1,
    18.7,
    18.2,
    18.6,
    19.1,
    19.0,
    18.3,
    17.6,
    17.1,
    16.8,
    17.3,
    18.2,
    19.4,
    20.5,
    21.3,
    21.9,
    21.4,
    20.6,
    19.9,
]

# Two waves for fill="close", fast=2/slow=5.
TWO_WAVES = [
    50.0,
    49.2,
    48.5,
    47.9,
    47.1,
    46.8,
    47.6,
    48.9,
    50.2,
    51.0,
    51.4,
    50.6,
    49.5,
    48.3,
    47.6,
    47.0,
    46.5,
    47.2,
    48.4,
    49.9,
    51.3,
    52.2,
    52.5,
    51.7,
    50.4,
    49.6,
]


def case(
    name,
    description,
    closes,
    params=None,
    *,
    expect,
    open_entry=None,
    flat=False,
    opens=None,
    symbol="GOLD",
    start="2024-01-01",
    spread=0.3,
):
    p = dict(DEFAULTS)
    p.update(params or {})
    return {
        "name": name,
        "description": description,
        "data": make_bars(closes, symbol=symbol, start=start, opens=opens, spread=spread),
        "params": p,
        "_expect": expect,
        "_open_entry": open_entry,
        "_flat": flat,
    }


def gap_opens():
    closes = ROUND_TRIP
    opens = make_bars(closes)["open"]
    opens[7] = 12.9  # cross up at bar 6 (close 10.8): bar 7 gaps up, the buy fills at 12.9
    opens[12] = 9.4  # cross down at bar 11 (close 11.9): bar 12 gaps down, the sell fills at 9.4
    opens[3] = 12.4  # a gap on a bar without an order: changes nothing but the bar's range
    return opens


CASES = [
    case(
        "no_cross",
        "Closes rise with shallow pullbacks: the fast SMA stays above the slow one on every bar, "
        "so there is never a cross, no trade, and equity stays at the initial capital "
        "(all returns 0: volatility 0, sharpe and sortino null).",
        [10.0, 10.6, 11.0, 11.8, 12.1, 12.9, 13.2, 13.0, 13.9, 14.6, 15.0, 15.8],
        expect=[],
    ),
    case(
        "open_at_end",
        "One cross up (bar 6), never a cross down: the buy fills at open[7] and the position is "
        "still open after the last bar. No closed trade (trade_count 0, win_rate 0), but equity "
        "is marked to market; every return is >= 0, so sortino is null while sharpe is not.",
        [12.0, 11.5, 11.0, 10.5, 10.0, 10.2, 10.8, 11.5, 12.3, 13.0, 13.4, 14.0],
        expect=[],
        open_entry=7,
    ),
    case(
        "round_trip_next_open",
        "The reference round trip: cross up at bar 6 (fills at open[7]), cross down at bar 11 "
        "(fills at open[12]); fractional size, commission 0.001 on both legs.",
        ROUND_TRIP,
        expect=[(7, 12)],
    ),
    case(
        "last_bar_sell_signal_next_open",
        "Long from bar 7; the cross down happens on the last bar (11) with next_open: there is no "
        "next open, so the sell never fills and the position stays open (no closed trade).",
        [12.0, 11.5, 11.0, 10.5, 10.0, 10.2, 10.8, 11.5, 12.3, 13.0, 12.2, 11.0],
        expect=[],
        open_entry=7,
    ),
    case(
        "last_bar_buy_signal_next_open",
        "The only cross up is on the last bar (9) with next_open: it does not fill, no trade at "
        "all, equity flat.",
        [12.0, 11.5, 11.0, 10.5, 10.0, 9.6, 9.3, 9.1, 9.0, 9.6],
        expect=[],
    ),
    case(
        "last_bar_buy_signal_close",
        "Same bars as last_bar_buy_signal_next_open but fill='close': the last-bar cross up fills "
        "at close[9]; the position is open at the end, and the last equity is the capital less "
        "the entry commission.",
        [12.0, 11.5, 11.0, 10.5, 10.0, 9.6, 9.3, 9.1, 9.0, 9.6],
        {"fill": "close"},
        expect=[],
        open_entry=9,
    ),
    case(
        "lot_size_rounds_buy_to_zero",
        "lot_size 100 with 1,000 of capital, entry price open[7] = 21.5: "
        "size = floor(46.5 / 100) * 100 = 0, so the cross up (bar 6) buys nothing; "
        "the later cross down is ignored (not long). No trade, equity flat at 1,000.",
        [2 * c for c in ROUND_TRIP],
        {"initial_capital": 1_000.0, "lot_size": 100.0},
        expect=[],
    ),
    case(
        "commission_zero",
        "The reference round trip with commission_rate 0: cost = size * price exactly, proceeds = "
        "size * price; pnl is the pure price move.",
        ROUND_TRIP,
        {"commission_rate": 0.0},
        expect=[(7, 12)],
    ),
    case(
        "fast_period_1",
        "fast=1 (the fast 'SMA' is the close itself), slow=3: close crosses its 3-bar mean up at "
        "bar 4 and down at bar 7, up again at bar 10; next_open fills.",
        [10.0, 9.5, 9.2, 9.0, 9.6, 10.1, 10.3, 9.8, 9.4, 9.1, 9.5, 10.2],
        {"fast_period": 1, "slow_period": 3},
        expect=[(5, 8)],
        open_entry=11,
    ),
    case(
        "slow_equals_bar_count",
        "slow_period = number of bars (8) is valid, but a cross needs t >= slow, which no bar "
        "has: no signal, no trade, even with fill='close' and a V-shaped series.",
        [12.0, 11.0, 10.0, 9.0, 9.5, 10.5, 11.5, 12.5],
        {"fast_period": 2, "slow_period": 8, "fill": "close"},
        expect=[],
    ),
    case(
        "flat_prices",
        "Every price is 10.1 (not exact in binary): every SMA window is constant, so fast == slow "
        "exactly on every bar and nothing crosses (the engine's constant-window rule returns the "
        "price itself, so rounding noise cannot fake a cross). No trade; sharpe and sortino null.",
        [10.1] * 15,
        {"fast_period": 3, "slow_period": 7, "fill": "close"},
        expect=[],
        flat=True,
        opens=[10.1] * 15,
        spread=0.0,
    ),
    case(
        "flat_after_decline",
        "Four falling closes, then 10.1 for 12 bars (fast=3, slow=7): the fast SMA is below the "
        "slow one until the slow window is all 10.1 (bar 10), after which fast == slow exactly on "
        "every bar, so nothing crosses and there is no trade. A plain running sum (s += x; "
        "s -= old) leaves rounding noise here and fakes a cross up at bar 10; the CONVENTIONS SMA "
        "(compensated sum, constant-window rule) does not.",
        [12.3, 11.7, 11.1, 10.6] + [10.1] * 12,
        {"fast_period": 3, "slow_period": 7},
        expect=[],
        flat=True,
    ),
    case(
        "price_gaps",
        "The reference round trip with gapped opens: after the cross up at bar 6 (close 10.8) bar "
        "7 opens at 12.9 and the buy fills there; after the cross down at bar 11 (close 11.9) bar "
        "12 opens at 9.4 and the sell fills there (a loss). Bar 3 also gaps, with no order.",
        ROUND_TRIP,
        expect=[(7, 12)],
        opens=gap_opens(),
    ),
    case(
        "fill_close_two_round_trips",
        "fill='close', fast=2/slow=5: two complete round trips, each order filling at the close of "
        "its signal bar (entry_index and exit_index are the signal bars).",
        TWO_WAVES,
        {"fast_period": 2, "slow_period": 5, "fill": "close"},
        expect=[(7, 12), (18, 24)],
    ),
    case(
        "lot_size_1_whole_shares",
        "lot_size 1 (whole shares), 10,000 of capital, entry at open[7] = 33.67: 10,000 / (33.67 * "
        "1.001) = 296.7 is rounded down to 296 shares; the leftover cash stays in the equity.",
        [37.37 + (c - 12.0) * 3 for c in ROUND_TRIP],
        {"initial_capital": 10_000.0, "lot_size": 1.0},
        expect=[(7, 12)],
    ),
    case(
        "lot_size_100_rounds_down",
        "lot_size 100 (a board lot), 100,000 of capital, entry at open[7] = 33.67: "
        "2,967.0 shares rounded down to 2,900 (a multiple of 100, not zero); "
        "the leftover cash stays in the equity.",
        [37.37 + (c - 12.0) * 3 for c in ROUND_TRIP],
        {"lot_size": 100.0},
        expect=[(7, 12)],
    ),
    case(
        "loss_then_win",
        "Two closed trades, the first losing and the second winning: win_rate 50.0, trade_count 2.",
        LOSS_THEN_WIN,
        expect=[(7, 9), (14, 20)],
    ),
    case(
        "periods_per_year_12",
        "The bars of loss_then_win with periods_per_year 12 (monthly): same trades and equity; "
        "annualized_return, volatility, sharpe and sortino use 12.",
        LOSS_THEN_WIN,
        {"periods_per_year": 12.0},
        expect=[(7, 9), (14, 20)],
    ),
]


def build_cases():
    out = []
    for c in CASES:
        name, data, params = c["name"], c["data"], c["params"]
        n = len(data["close"])
        assert 6 <= n <= 40, name
        trades, equity, open_entry = simulate(data, params, name, flat=c["_flat"])
        got = [(tr["entry_index"], tr["exit_index"]) for tr in trades]
        assert got == c["_expect"], (
            f"{name}: simulated {got}, designed {c['_expect']} (signals {signals(data, params)})"
        )
        assert open_entry == c["_open_entry"], f"{name}: open entry {open_entry}"
        capital, ppy = params["initial_capital"], params["periods_per_year"]
        mets = metrics_numpy(equity, capital, ppy, trades)
        loop = metrics_loop(equity, capital, ppy, trades)
        for key in mets:
            agree(mets[key], loop[key], name, key)
        # The trade fields against the spec's formulas, once more.
        k = 1.0 + params["commission_rate"]
        for tr in trades:
            spec_ret = tr["pnl"] / (tr["size"] * tr["entry_price"] * k)
            assert math.isclose(spec_ret, tr["return_pct"], rel_tol=1e-12), name
            if params["lot_size"] > 0:
                assert tr["size"] % params["lot_size"] == 0 and tr["size"] > 0, name
        assert all(math.isfinite(x) for x in equity)
        out.append(
            {
                "name": name,
                "description": c["description"],
                "data": data,
                "params": params,
                "expected": {"trades": trades, "equity_curve": equity, "metrics": mets},
            }
        )
    names = [c["name"] for c in out]
    assert len(set(names)) == len(names)
    return out


def spot_checks(cases):
    """A few facts the descriptions promise, checked on the written values."""
    by = {c["name"]: c for c in cases}

    def m(name):
        return by[name]["expected"]["metrics"]

    for n in (
        "no_cross",
        "last_bar_buy_signal_next_open",
        "lot_size_rounds_buy_to_zero",
        "slow_equals_bar_count",
        "flat_prices",
    ):
        cap = by[n]["params"]["initial_capital"]
        assert all(e == cap for e in by[n]["expected"]["equity_curve"]), n
        assert m(n)["sharpe_ratio"] is None and m(n)["sortino_ratio"] is None, n
        assert m(n)["total_return"] == 0.0 and m(n)["volatility"] == 0.0, n
    # flat_after_decline: what a plain running-sum SMA would do on the same closes (a fake cross
    # up at bar 10), so the case really tells the two apart.
    closes = by["flat_after_decline"]["data"]["close"]
    f, sl = running_sum_sma(closes, 3), running_sum_sma(closes, 7)
    fake = [t for t in range(7, len(closes)) if f[t - 1] < sl[t - 1] and f[t] > sl[t]]
    assert fake == [10], fake
    assert by["flat_after_decline"]["expected"]["trades"] == []
    assert m("open_at_end")["sortino_ratio"] is None and m("open_at_end")["sharpe_ratio"] > 0
    eq = by["last_bar_buy_signal_close"]["expected"]["equity_curve"]
    assert eq[-1] < 100_000.0 and eq[-2] == 100_000.0
    gap = by["price_gaps"]["expected"]["trades"][0]
    assert gap["entry_price"] == 12.9 and gap["exit_price"] == 9.4 and gap["pnl"] < 0
    t0 = by["commission_zero"]["expected"]["trades"][0]
    assert t0["pnl"] == t0["size"] * t0["exit_price"] - t0["size"] * t0["entry_price"]
    assert by["lot_size_1_whole_shares"]["expected"]["trades"][0]["size"] == 296.0
    assert by["lot_size_100_rounds_down"]["expected"]["trades"][0]["size"] == 2900.0
    for n in ("loss_then_win", "periods_per_year_12"):
        trs = by[n]["expected"]["trades"]
        assert trs[0]["pnl"] < 0 < trs[1]["pnl"] and m(n)["win_rate"] == 50.0
    assert (
        by["loss_then_win"]["expected"]["equity_curve"]
        == by["periods_per_year_12"]["expected"]["equity_curve"]
    )
    for c in cases:
        if c["params"]["fill"] == "next_open":
            for tr in c["expected"]["trades"]:
                assert tr["entry_price"] == c["data"]["open"][tr["entry_index"]]
                assert tr["exit_price"] == c["data"]["open"][tr["exit_index"]]
        else:
            for tr in c["expected"]["trades"]:
                assert tr["entry_price"] == c["data"]["close"][tr["entry_index"]]
                assert tr["exit_price"] == c["data"]["close"][tr["exit_index"]]


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")


def base_data():
    return {
        "symbol": "BAD",
        "dates": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
        "open": [10.0, 10.1, 10.4, 10.3, 10.9],
        "high": [10.2, 10.6, 10.5, 10.9, 11.2],
        "low": [9.8, 10.0, 10.1, 10.2, 10.8],
        "close": [10.0, 10.5, 10.2, 10.8, 11.0],
        "volume": [1000, 1100, 1200, 1300, 1400],
    }


def data_with(**changes):
    """base_data() with some cells replaced: field=[(row, value), ...] or field=list."""
    d = base_data()
    for field, change in changes.items():
        if isinstance(change, list) and change and isinstance(change[0], tuple):
            for row, value in change:
                d[field][row] = value
        else:
            d[field] = change
    return d


BT = {**DEFAULTS, "fast_period": 2, "slow_period": 4}
GRID = {k: v for k, v in DEFAULTS.items() if k not in ("fast_period", "slow_period")}
GRID.update({"fast_periods": [2, 3], "slow_periods": [4, 5], "max_workers": None})


def bt(**changes):
    return {**BT, **changes}


def grid(**changes):
    return {**GRID, **changes}


def md_err(name, data, error):
    return {"name": name, "call": "market_data", "data": data, "error": error}


def bt_err(name, params, error):
    return {"name": name, "call": "backtest", "data": base_data(), "params": params, "error": error}


def grid_err(name, params, error):
    return {"name": name, "call": "grid", "data": base_data(), "params": params, "error": error}


def price_msg(field, row, value):
    return f"{field} at row {row} must be a finite number > 0, got {rust_debug(value)}"


def range_msg(field, row, value, low, high):
    return (
        f"{field} at row {row} is outside [low, high]: {rust_debug(value)} not in "
        f"[{rust_debug(low)}, {rust_debug(high)}]"
    )


def vol_msg(row, value):
    return f"volume at row {row} must be a finite number >= 0, got {rust_debug(float(value))}"


def order_msg(row, value, prev):
    return (
        f"dates at row {row} ('{value}') is not after row {row - 1} ('{prev}'); "
        f"dates must be strictly increasing"
    )


def date_msg(row, value):
    return f"dates at row {row} is not an ISO 8601 date or datetime: '{value}'"


def param_msg(name, domain, value):
    return f"{name} must be {domain}, got {rust_debug(value)}"


def build_errors():
    b = base_data()
    E = [
        # 1. lengths, against dates, in the order open, high, low, close, volume
        md_err(
            "length_open", data_with(open=b["open"][:4]), "open has 4 rows but dates has 5 rows"
        ),
        md_err(
            "length_high",
            data_with(high=b["high"] + [11.5]),
            "high has 6 rows but dates has 5 rows",
        ),
        md_err("length_low", data_with(low=b["low"][:3]), "low has 3 rows but dates has 5 rows"),
        md_err(
            "length_close", data_with(close=b["close"][:1]), "close has 1 rows but dates has 5 rows"
        ),
        md_err(
            "length_volume",
            data_with(volume=b["volume"][:4]),
            "volume has 4 rows but dates has 5 rows",
        ),
        md_err(
            "length_dates_short",
            data_with(dates=b["dates"][:4]),
            "open has 5 rows but dates has 4 rows",
        ),
        md_err(
            "length_order_high_before_volume",
            data_with(high=b["high"][:4], volume=b["volume"][:2]),
            "high has 4 rows but dates has 5 rows",
        ),
        md_err(
            "length_before_row_checks",
            data_with(close=b["close"][:4], open=[(0, NAN)]),
            "close has 4 rows but dates has 5 rows",
        ),
        md_err(
            "empty",
            {
                "symbol": "BAD",
                "dates": [],
                "open": [],
                "high": [],
                "low": [],
                "close": [],
                "volume": [],
            },
            "market data is empty: need at least 1 row",
        ),
        # 3. row by row: prices
        md_err("nan_close", data_with(close=[(3, NAN)]), price_msg("close", 3, NAN)),
        md_err("nan_open", data_with(open=[(1, NAN)]), price_msg("open", 1, NAN)),
        md_err("inf_high", data_with(high=[(2, INF)]), price_msg("high", 2, INF)),
        md_err("neg_inf_low", data_with(low=[(1, -INF)]), price_msg("low", 1, -INF)),
        md_err("zero_open", data_with(open=[(0, 0.0)]), price_msg("open", 0, 0.0)),
        md_err("zero_close", data_with(close=[(4, 0.0)]), price_msg("close", 4, 0.0)),
        md_err("negative_low", data_with(low=[(4, -5.0)]), price_msg("low", 4, -5.0)),
        md_err("negative_high", data_with(high=[(2, -10.5)]), price_msg("high", 2, -10.5)),
        md_err(
            "price_order_in_row_open_first",
            data_with(open=[(2, 0.0)], close=[(2, NAN)]),
            price_msg("open", 2, 0.0),
        ),
        md_err(
            "price_order_in_row_low_before_close",
            data_with(low=[(2, -1.0)], close=[(2, INF)]),
            price_msg("low", 2, -1.0),
        ),
        md_err("earlier_row_wins", data_with(volume=[(1, -3)], close=[(3, NAN)]), vol_msg(1, -3)),
        # high < low, then open, then close inside [low, high]
        md_err(
            "high_below_low",
            data_with(high=[(3, 9.5)], low=[(3, 10.0)], open=[(3, 9.7)], close=[(3, 9.8)]),
            "high at row 3 is below low (9.5 < 10.0)",
        ),
        md_err(
            "open_above_high",
            data_with(open=[(3, 11.0)], low=[(3, 9.0)], high=[(3, 10.5)], close=[(3, 10.0)]),
            range_msg("open", 3, 11.0, 9.0, 10.5),
        ),
        md_err("open_below_low", data_with(open=[(1, 9.9)]), range_msg("open", 1, 9.9, 10.0, 10.6)),
        md_err(
            "close_above_high",
            data_with(close=[(2, 10.55)]),
            range_msg("close", 2, 10.55, 10.1, 10.5),
        ),
        md_err(
            "close_below_low", data_with(close=[(4, 10.7)]), range_msg("close", 4, 10.7, 10.8, 11.2)
        ),
        md_err(
            "open_checked_before_close",
            data_with(open=[(2, 10.0)], close=[(2, 10.6)]),
            range_msg("open", 2, 10.0, 10.1, 10.5),
        ),
        md_err(
            "high_below_low_before_range",
            data_with(high=[(1, 9.0)]),
            "high at row 1 is below low (9.0 < 10.0)",
        ),
        # volume
        md_err("negative_volume", data_with(volume=[(2, -3)]), vol_msg(2, -3)),
        md_err("negative_fractional_volume", data_with(volume=[(1, -1.5)]), vol_msg(1, -1.5)),
        md_err("nan_volume", data_with(volume=[(3, NAN)]), vol_msg(3, NAN)),
        md_err("inf_volume", data_with(volume=[(0, INF)]), vol_msg(0, INF)),
        # dates
        md_err(
            "dates_equal",
            data_with(dates=[(2, "2024-01-02")]),
            order_msg(2, "2024-01-02", "2024-01-02"),
        ),
        md_err(
            "dates_decreasing",
            data_with(dates=["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-03", "2024-01-05"]),
            order_msg(3, "2024-01-03", "2024-01-04"),
        ),
        md_err(
            "dates_same_instant_other_spelling",
            data_with(dates=[(2, "2024-01-02T00:00:00Z")]),
            order_msg(2, "2024-01-02T00:00:00Z", "2024-01-02"),
        ),
        md_err("date_unparseable", data_with(dates=[(4, "foo")]), date_msg(4, "foo")),
        md_err(
            "date_wrong_separator", data_with(dates=[(1, "2024/01/02")]), date_msg(1, "2024/01/02")
        ),
        md_err(
            "date_invalid_calendar_day",
            data_with(dates=["2021-02-24", "2021-02-25", "2021-02-26", "2021-02-29", "2021-03-01"]),
            date_msg(3, "2021-02-29"),
        ),
        md_err(
            "date_checked_before_prices",
            data_with(dates=[(2, "foo")], open=[(2, NAN)]),
            date_msg(2, "foo"),
        ),
        md_err(
            "date_order_checked_before_prices",
            data_with(dates=[(2, "2024-01-01")], close=[(2, 0.0)]),
            order_msg(2, "2024-01-01", "2024-01-02"),
        ),
        md_err(
            "earlier_row_price_before_later_date",
            data_with(dates=[(3, "bar")], high=[(1, INF)]),
            price_msg("high", 1, INF),
        ),
        # parameters of one backtest (data valid, 5 bars), in the CONVENTIONS order
        bt_err(
            "fast_ge_slow",
            bt(fast_period=4, slow_period=3),
            "fast_period (4) must be less than slow_period (3)",
        ),
        bt_err(
            "fast_eq_slow",
            bt(fast_period=3, slow_period=3),
            "fast_period (3) must be less than slow_period (3)",
        ),
        bt_err("fast_zero", bt(fast_period=0), "fast_period must be >= 1, got 0"),
        bt_err("fast_negative", bt(fast_period=-2), "fast_period must be >= 1, got -2"),
        bt_err(
            "slow_above_bars", bt(slow_period=6), "slow_period (6) exceeds the number of bars (5)"
        ),
        bt_err(
            "fast_zero_before_slow_above_bars",
            bt(fast_period=0, slow_period=9),
            "fast_period must be >= 1, got 0",
        ),
        bt_err(
            "fast_ge_slow_before_slow_above_bars",
            bt(fast_period=9, slow_period=7),
            "fast_period (9) must be less than slow_period (7)",
        ),
        bt_err(
            "commission_negative",
            bt(commission_rate=-0.1),
            param_msg("commission_rate", "in [0, 1)", -0.1),
        ),
        bt_err(
            "commission_one",
            bt(commission_rate=1.0),
            param_msg("commission_rate", "in [0, 1)", 1.0),
        ),
        bt_err(
            "commission_nan",
            bt(commission_rate=NAN),
            param_msg("commission_rate", "in [0, 1)", NAN),
        ),
        bt_err(
            "initial_capital_zero",
            bt(initial_capital=0.0),
            param_msg("initial_capital", "a finite number > 0", 0.0),
        ),
        bt_err(
            "initial_capital_negative",
            bt(initial_capital=-5.0),
            param_msg("initial_capital", "a finite number > 0", -5.0),
        ),
        bt_err(
            "initial_capital_inf",
            bt(initial_capital=INF),
            param_msg("initial_capital", "a finite number > 0", INF),
        ),
        bt_err(
            "initial_capital_tiny_is_printed_in_exponent_form",
            bt(initial_capital=-1e-5),
            param_msg("initial_capital", "a finite number > 0", -1e-5),
        ),
        bt_err(
            "lot_size_negative",
            bt(lot_size=-1.0),
            param_msg("lot_size", "a finite number >= 0", -1.0),
        ),
        bt_err(
            "lot_size_inf", bt(lot_size=INF), param_msg("lot_size", "a finite number >= 0", INF)
        ),
        bt_err(
            "periods_per_year_zero",
            bt(periods_per_year=0.0),
            param_msg("periods_per_year", "a finite number > 0", 0.0),
        ),
        bt_err(
            "periods_per_year_huge_is_printed_in_exponent_form",
            bt(periods_per_year=-1e16),
            param_msg("periods_per_year", "a finite number > 0", -1e16),
        ),
        bt_err("unknown_fill", bt(fill="open"), "fill must be 'next_open' or 'close', got 'open'"),
        bt_err(
            "slow_above_bars_before_settings",
            bt(slow_period=6, commission_rate=1.0),
            "slow_period (6) exceeds the number of bars (5)",
        ),
        bt_err(
            "capital_before_commission",
            bt(initial_capital=0.0, commission_rate=1.0),
            param_msg("initial_capital", "a finite number > 0", 0.0),
        ),
        bt_err(
            "commission_before_lot_size",
            bt(commission_rate=-0.1, lot_size=-1.0),
            param_msg("commission_rate", "in [0, 1)", -0.1),
        ),
        bt_err(
            "lot_size_before_periods_per_year",
            bt(lot_size=-1.0, periods_per_year=0.0),
            param_msg("lot_size", "a finite number >= 0", -1.0),
        ),
        bt_err(
            "periods_per_year_before_fill",
            bt(periods_per_year=0.0, fill="open"),
            param_msg("periods_per_year", "a finite number > 0", 0.0),
        ),
        # grids
        grid_err("grid_fast_periods_empty", grid(fast_periods=[]), "fast_periods is empty"),
        grid_err("grid_slow_periods_empty", grid(slow_periods=[]), "slow_periods is empty"),
        grid_err(
            "grid_both_empty_fast_first",
            grid(fast_periods=[], slow_periods=[]),
            "fast_periods is empty",
        ),
        grid_err(
            "grid_fast_period_zero",
            grid(fast_periods=[2, 3, 0]),
            "fast_periods[2] must be >= 1, got 0",
        ),
        grid_err(
            "grid_slow_period_above_bars",
            grid(slow_periods=[4, 6]),
            "slow_periods[1] (6) exceeds the number of bars (5)",
        ),
        grid_err(
            "grid_fast_period_above_bars",
            grid(fast_periods=[2, 7]),
            "fast_periods[1] (7) exceeds the number of bars (5)",
        ),
        grid_err(
            "grid_slow_period_negative",
            grid(slow_periods=[-1, 4]),
            "slow_periods[0] must be >= 1, got -1",
        ),
        grid_err(
            "grid_fast_values_before_slow_values",
            grid(fast_periods=[2, 0], slow_periods=[9]),
            "fast_periods[1] must be >= 1, got 0",
        ),
        grid_err(
            "grid_periods_before_settings",
            grid(slow_periods=[4, 6], commission_rate=1.0),
            "slow_periods[1] (6) exceeds the number of bars (5)",
        ),
        grid_err(
            "grid_bad_setting",
            grid(initial_capital=-5.0),
            param_msg("initial_capital", "a finite number > 0", -5.0),
        ),
        grid_err(
            "grid_unknown_fill",
            grid(fill="open"),
            "fill must be 'next_open' or 'close', got 'open'",
        ),
        grid_err(
            "grid_no_valid_pair",
            grid(fast_periods=[3, 4], slow_periods=[2, 3]),
            "the grid has no pair with fast_period < slow_period",
        ),
        grid_err(
            "grid_settings_before_no_valid_pair",
            grid(fast_periods=[4], slow_periods=[3], lot_size=-1.0),
            param_msg("lot_size", "a finite number >= 0", -1.0),
        ),
        grid_err("grid_max_workers_zero", grid(max_workers=0), "max_workers must be >= 1, got 0"),
        grid_err(
            "grid_max_workers_negative", grid(max_workers=-1), "max_workers must be >= 1, got -1"
        ),
    ]
    names = [e["name"] for e in E]
    assert len(set(names)) == len(names), "duplicate error case names"
    return E


def encode_special(x):
    """NaN / inf / -inf (which JSON cannot hold) as the strings "NaN", "inf", "-inf"."""
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, list):
        return [encode_special(v) for v in x]
    if isinstance(x, dict):
        return {k: encode_special(v) for k, v in x.items()}
    return x


def dump(path: Path, obj, one_line_keys=()):
    """JSON with indent 1, except that lists of numbers/strings sit on one line (readable)."""
    text = json.dumps(obj, indent=1, ensure_ascii=True, allow_nan=False)
    # Collapse lists of scalars onto one line.
    pattern = re.compile(r"\[\n(?:\s*(?:-?[0-9.eE+-]+|\"[^\"\n]*\"|null|true|false),?\n)+\s*\]")

    def collapse(m):
        items = [s.strip().rstrip(",") for s in m.group(0)[1:-1].strip().split("\n")]
        return "[" + ", ".join(items) + "]"

    text = pattern.sub(collapse, text)
    assert json.loads(text) == json.loads(json.dumps(obj, allow_nan=False))
    path.write_text(text + "\n", encoding="utf-8")


def main():
    cases = build_cases()
    spot_checks(cases)
    errors = encode_special(build_errors())
    dump(HERE / "cases.json", cases)
    dump(HERE / "errors.json", errors)
    print(f"wrote {len(cases)} cases to {HERE / 'cases.json'}")
    print(f"wrote {len(errors)} error cases to {HERE / 'errors.json'}")


if __name__ == "__main__":
    main()
