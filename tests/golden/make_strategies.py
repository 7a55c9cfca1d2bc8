"""Writes the strategy engine's golden data: tests/golden/strategies.json and
tests/golden/strategy_errors.json.

Run from the repository root:  .venv/bin/python tests/golden/make_strategies.py

It does not use the project's engine (no `quant_backtest` import). Expectations are computed
independently, as make_golden.py does for the seed:
  * every indicator and every comparison with exact rational arithmetic (fractions.Fraction of
    the float inputs; the bbands' square root is kept symbolic, A + B*sqrt(V), and compared by
    squaring), and at every bar where a comparison is decided the two sides must differ by more
    than 1e-6 relative: no tie or near-tie that a float engine could decide the other way;
  * money with plain IEEE-754 double operations in exactly the order of the execution
    pseudocode of docs/CONVENTIONS.md ("The strategy engine"), so a conforming engine matches bit
    for bit; stop levels and lot-size ratios are also kept away from near-ties;
  * metrics with numpy (make_golden.metrics_numpy, written to the file), cross-checked against
    the CONVENTIONS metrics loop to 1e-12; the new metrics directly from their definitions.
Every case states its trades by hand (direction, entry bar, exit bar, exit reason) and the
position still open at the end; the simulation must agree. The seed's cases (cases.json) are
converted to the sma_cross tree and must give today's trades and equity exactly.

Deterministic: the same script always writes byte-identical files.
"""

from __future__ import annotations

import json
import math
import sys
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_golden as mg  # noqa: E402 - the seed generator's helpers (dates, floats, dump)

# --------------------------------------------------------------------------------------------
# Settings (docs/CONVENTIONS.md, "Settings": table order and defaults)
# --------------------------------------------------------------------------------------------

SETTING_DEFAULTS = {
    "initial_capital": 100000.0,
    "commission_rate": 0.001,
    "fixed_fee": 0.0,
    "slippage": 0.0,
    "fill": "next_open",
    "lot_size": 0.0,
    "periods_per_year": 252.0,
    "direction": "long_only",
    "size_type": "percent",
    "size": 1.0,
    "stop_loss": None,
    "take_profit": None,
    "trailing_stop": None,
}
SETTING_NAMES = tuple(SETTING_DEFAULTS)
STRATEGY_KEYS = ("entry", "exit", "short_entry", "short_exit", "settings", "constraint")
CONDITIONS = ("gt", "lt", "ge", "le", "crosses_above", "crosses_below", "and", "or", "not")
PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
# name -> (params in table order with defaults (None: required), outputs or None, has source)
INDICATORS = {
    "sma": ({"period": None}, None, True),
    "ema": ({"period": None}, None, True),
    "wma": ({"period": None}, None, True),
    "rsi": ({"period": 14}, None, True),
    "macd": ({"fast": 12, "slow": 26, "signal": 9}, ("macd", "signal", "hist"), True),
    "bbands": ({"period": 20, "k": 2.0}, ("upper", "middle", "lower"), True),
    "atr": ({"period": 14}, None, False),
    "stddev": ({"period": None}, None, True),
    "roc": ({"period": 10}, None, True),
    "highest": ({"period": None}, None, True),
    "lowest": ({"period": None}, None, True),
}
METRICS = (
    "total_return",
    "annualized_return",
    "volatility",
    "sharpe_ratio",
    "sortino_ratio",
    "max_drawdown",
    "trade_count",
    "win_rate",
    "buy_and_hold_return",
    "exposure",
    "profit_factor",
    "expectancy",
    "best_trade",
    "worst_trade",
    "max_drawdown_duration",
    "calmar_ratio",
)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def nearest(name: str, candidates) -> str:
    """The candidate with the smallest edit distance, ties to the first listed."""
    best = None
    for c in candidates:
        d = levenshtein(name, c)
        if best is None or d < best[0]:
            best = (d, c)
    return best[1]


def value_text(v) -> str:
    """A user's value as CONVENTIONS "Values in messages" writes it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return mg.rust_debug(v)
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, list):
        return "an array"
    return "an object"


# --------------------------------------------------------------------------------------------
# Exact values: A + B * sqrt(V) with Fractions (B = 0 for every rational value)
# --------------------------------------------------------------------------------------------

ZERO = Fraction(0)


class Surd:
    """A + B * sqrt(V), V >= 0. Only the bbands bands and stddev carry a square root."""

    __slots__ = ("a", "b", "v")

    def __init__(self, a, b=ZERO, v=ZERO):
        self.a, self.b, self.v = Fraction(a), Fraction(b), Fraction(v)
        if self.b == 0 or self.v == 0:
            self.b, self.v = ZERO, ZERO

    def minus(self, other: Surd) -> Surd:
        if self.b and other.b:
            assert self.v == other.v, "comparing two different square roots is not supported"
        v = self.v if self.b else other.v
        return Surd(self.a - other.a, self.b - other.b, v)

    def sign(self) -> int:
        """Exact sign of A + B sqrt(V)."""
        sa = (self.a > 0) - (self.a < 0)
        sb = (self.b > 0) - (self.b < 0)
        if sb == 0:
            return sa
        if sa == 0 or sa == sb:
            return sb
        # opposite signs: compare A^2 with B^2 V
        lhs, rhs = self.a * self.a, self.b * self.b * self.v
        if lhs == rhs:
            return 0
        return sa if lhs > rhs else sb

    def decimal(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = 60
            a = Decimal(self.a.numerator) / Decimal(self.a.denominator)
            if not self.b:
                return a
            b = Decimal(self.b.numerator) / Decimal(self.b.denominator)
            v = Decimal(self.v.numerator) / Decimal(self.v.denominator)
            return a + b * v.sqrt()

    def is_float(self) -> bool:
        return not self.b and Fraction(float(self.a)) == self.a


# --------------------------------------------------------------------------------------------
# Exact indicators (lists of Fraction | None; None is NaN)
# --------------------------------------------------------------------------------------------


def ind_sma(x, p):
    out = [None] * len(x)
    for t in range(p - 1, len(x)):
        out[t] = sum(x[t - p + 1 : t + 1], ZERO) / p
    return out


def ind_ema(x, p):
    out = [None] * len(x)
    if p > len(x):
        return out
    alpha = Fraction(2, p + 1)
    e = sum(x[:p], ZERO) / p
    out[p - 1] = e
    for t in range(p, len(x)):
        e = (x[t] - e) * alpha + e
        out[t] = e
    return out


def ind_wma(x, p):
    out = [None] * len(x)
    w = Fraction(p * (p + 1), 2)
    for t in range(p - 1, len(x)):
        out[t] = sum((j * x[t - p + j] for j in range(1, p + 1)), ZERO) / w
    return out


def ind_rsi(x, p):
    out = [None] * len(x)
    if p >= len(x):
        return out
    gain = loss = ZERO

    def add(d):
        nonlocal gain, loss
        if d < 0:
            loss -= d
        else:
            gain += d

    def value():
        s = gain + loss
        # the engine's "-1e-8 < s < 1e-8 -> 0" must not be near its threshold
        assert s == 0 or s > Fraction(1, 10**6), "rsi: gain + loss near the 1e-8 threshold"
        return ZERO if s == 0 else 100 * (gain / s)

    for i in range(1, p + 1):
        add(x[i] - x[i - 1])
    gain /= p
    loss /= p
    out[p] = value()
    for t in range(p + 1, len(x)):
        gain *= p - 1
        loss *= p - 1
        add(x[t] - x[t - 1])
        gain /= p
        loss /= p
        out[t] = value()
    return out


def ind_macd(x, fast, slow, signal):
    n = len(x)
    s0 = slow - 1
    nan = [None] * n
    if s0 + signal - 1 >= n:
        return nan, nan, nan
    slow_e = sum(x[0:slow], ZERO) / slow
    fast_e = sum(x[slow - fast : slow], ZERO) / fast
    af, aslow = Fraction(2, fast + 1), Fraction(2, slow + 1)
    macd = [None] * n
    macd[s0] = fast_e - slow_e
    for t in range(s0 + 1, n):
        fast_e = (x[t] - fast_e) * af + fast_e
        slow_e = (x[t] - slow_e) * aslow + slow_e
        macd[t] = fast_e - slow_e
    sig_part = ind_ema(macd[s0:], signal)
    sig = [None] * s0 + sig_part
    first = s0 + signal - 1
    m_out = [macd[t] if t >= first else None for t in range(n)]
    h_out = [macd[t] - sig[t] if t >= first else None for t in range(n)]
    return m_out, sig, h_out


def population_variance(window):
    p = len(window)
    m1 = sum(window, ZERO) / p
    m2 = sum((v * v for v in window), ZERO) / p
    var = m2 - m1 * m1
    # the engine's "var < 1e-8 -> 0" must not be near its threshold
    assert var == 0 or var > Fraction(1, 10**6), "variance near the 1e-8 threshold"
    return m1, var


def ind_bbands(x, p, k):
    n = len(x)
    up, mid, low = [None] * n, [None] * n, [None] * n
    kf = Fraction(k)
    for t in range(p - 1, n):
        m1, var = population_variance(x[t - p + 1 : t + 1])
        up[t], mid[t], low[t] = Surd(m1, kf, var), Surd(m1), Surd(m1, -kf, var)
    return up, mid, low


def ind_stddev(x, p):
    out = [None] * len(x)
    for t in range(p - 1, len(x)):
        _, var = population_variance(x[t - p + 1 : t + 1])
        out[t] = Surd(0, 1, var)
    return out


def ind_atr(high, low, close, p):
    n = len(close)
    out = [None] * n
    tr = [None] + [
        max(high[t] - low[t], abs(high[t] - close[t - 1]), abs(low[t] - close[t - 1]))
        for t in range(1, n)
    ]
    if p >= n:
        return out
    a = sum(tr[1 : p + 1], ZERO) / p
    out[p] = a
    for t in range(p + 1, n):
        a = (a * (p - 1) + tr[t]) / p
        out[t] = a
    return out


def ind_roc(x, p):
    out = [None] * len(x)
    for t in range(p, len(x)):
        out[t] = (x[t] / x[t - p] - 1) * 100 if x[t - p] != 0 else ZERO
    return out


def ind_highest(x, p):
    return [max(x[t - p + 1 : t + 1]) if t >= p - 1 else None for t in range(len(x))]


def ind_lowest(x, p):
    return [min(x[t - p + 1 : t + 1]) if t >= p - 1 else None for t in range(len(x))]


# --------------------------------------------------------------------------------------------
# Exact evaluation of a (valid) strategy tree
# --------------------------------------------------------------------------------------------


class Evaluator:
    """Series and conditions of one run, decided exactly. `ties_ok`: allow an exact tie only
    where both sides are SMAs of constant windows (the engine then gives exactly the price)."""

    def __init__(self, data, params, name, ties_ok=False):
        self.data, self.params, self.name, self.ties_ok = data, params or {}, name, ties_ok
        self.n = len(data["close"])
        self.cols = {c: [Fraction(float(v)) for v in data[c]] for c in PRICE_COLUMNS}
        self.scale = Fraction(max(data["high"]))

    def number(self, v):
        if isinstance(v, dict):
            return self.params[v["param"]]
        return v

    def series(self, node):
        """A list of Surd | None, and for an SMA of a price column (the tie rule) its window."""
        if isinstance(node, str):
            return [Surd(v) for v in self.cols[node]]
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return [Surd(Fraction(node))] * self.n
        if "param" in node:
            return [Surd(Fraction(self.number(node)))] * self.n
        if "shift" in node:
            k = self.number(node.get("periods", 1))
            inner = self.series(node["shift"])
            return [None] * min(k, self.n) + inner[: max(self.n - k, 0)]
        name = node["indicator"]
        spec, _, has_source = INDICATORS[name]
        p = {key: self.number(node.get(key, default)) for key, default in spec.items()}
        src = None
        if has_source:
            src_series = self.series(node.get("source", "close"))
            assert all(v is not None and not v.b for v in src_series), "source must be rational"
            src = [v.a for v in src_series]
        if name == "sma":
            out = ind_sma(src, p["period"])
        elif name == "ema":
            out = ind_ema(src, p["period"])
        elif name == "wma":
            out = ind_wma(src, p["period"])
        elif name == "rsi":
            out = ind_rsi(src, p["period"])
        elif name == "macd":
            m, s, h = ind_macd(src, p["fast"], p["slow"], p["signal"])
            out = {"macd": m, "signal": s, "hist": h}[node["output"]]
        elif name == "bbands":
            u, m, lo = ind_bbands(src, p["period"], p["k"])
            return {"upper": u, "middle": m, "lower": lo}[node["output"]]
        elif name == "stddev":
            return ind_stddev(src, p["period"])
        elif name == "atr":
            out = ind_atr(self.cols["high"], self.cols["low"], self.cols["close"], p["period"])
        elif name == "roc":
            out = ind_roc(src, p["period"])
        elif name == "highest":
            out = ind_highest(src, p["period"])
        elif name == "lowest":
            out = ind_lowest(src, p["period"])
        else:  # pragma: no cover
            raise AssertionError(name)
        return [None if v is None else Surd(v) for v in out]

    def constant_sma_window(self, node, t):
        if not (isinstance(node, dict) and node.get("indicator") == "sma"):
            return False
        src = node.get("source", "close")
        if not isinstance(src, str):
            return False
        p = self.number(node["period"])
        return t >= p - 1 and len(set(self.cols[src][t - p + 1 : t + 1])) == 1

    def compare(self, a_node, b_node):
        """Per bar: the exact sign of a - b (None where either side is NaN), with the margins
        asserted."""
        a, b = self.series(a_node), self.series(b_node)
        out = []
        for t in range(self.n):
            if a[t] is None or b[t] is None:
                out.append(None)
                continue
            s = a[t].minus(b[t]).sign()
            if s == 0:
                assert self.ties_ok, f"{self.name}: exact tie at bar {t}"
                assert self.constant_sma_window(a_node, t) and self.constant_sma_window(
                    b_node, t
                ), f"{self.name}: a tie at bar {t} that is not two constant SMA windows"
                assert a[t].is_float()
            else:
                da, db = a[t].decimal(), b[t].decimal()
                diff = abs(da - db)
                big = max(abs(da), abs(db))
                assert diff > Decimal("1e-6") * big, f"{self.name}: near-tie at bar {t}"
                scale = Decimal(self.scale.numerator) / Decimal(self.scale.denominator)
                assert diff > Decimal("1e-8") * scale, f"{self.name}: tiny difference at {t}"
            out.append(s)
        return out

    def condition(self, node):
        """A list of bools, one per bar."""
        if node is None:
            return [False] * self.n
        ((op, arg),) = node.items()
        if op in ("and", "or"):
            parts = [self.condition(c) for c in arg]
            f = all if op == "and" else any
            return [f(p[t] for p in parts) for t in range(self.n)]
        if op == "not":
            return [not v for v in self.condition(arg)]
        s = self.compare(arg[0], arg[1])
        if op == "gt":
            return [v is not None and v > 0 for v in s]
        if op == "lt":
            return [v is not None and v < 0 for v in s]
        if op == "ge":
            return [v is not None and v >= 0 for v in s]
        if op == "le":
            return [v is not None and v <= 0 for v in s]
        if op == "crosses_above":
            return [False] + [
                s[t - 1] is not None and s[t] is not None and s[t - 1] < 0 and s[t] > 0
                for t in range(1, self.n)
            ]
        if op == "crosses_below":
            return [False] + [
                s[t - 1] is not None and s[t] is not None and s[t - 1] > 0 and s[t] < 0
                for t in range(1, self.n)
            ]
        raise AssertionError(op)  # pragma: no cover


# --------------------------------------------------------------------------------------------
# The execution (docs/CONVENTIONS.md "Execution (one asset)"), float money in its order
# --------------------------------------------------------------------------------------------


def far_apart(a: float, b: float, what: str, name: str) -> None:
    """A stop comparison that a conforming engine decides the same way even an ulp off."""
    assert abs(a - b) > 1e-9 * max(abs(a), abs(b)), f"{name}: {what} near a tie ({a} vs {b})"


def simulate(data, signals, settings, name):
    """signals: dict of bool lists (entries, exits, short_entries, short_exits).
    Returns (trades, equity, in_market flags, open position (direction, entry) or None)."""
    S = dict(SETTING_DEFAULTS)
    S.update(settings)
    o, h, lo, c, dates = data["open"], data["high"], data["low"], data["close"], data["dates"]
    n = len(c)
    direction = S["direction"]
    le_raw, lx_raw = signals["entries"], signals["exits"]
    se_raw = signals.get("short_entries") or [False] * n
    sx_raw = signals.get("short_exits") or [False] * n
    if direction == "long_only":
        se_raw = sx_raw = [False] * n
    if direction == "short_only":
        le_raw = lx_raw = [False] * n
    k = 1.0 + S["commission_rate"]
    m = 1.0 - S["commission_rate"]
    F = S["fixed_fee"]
    slip = S["slippage"]
    lot = S["lot_size"]
    size_type, size_setting = S["size_type"], S["size"]
    sl_set, tp_set, tr_set = S["stop_loss"], S["take_profit"], S["trailing_stop"]
    any_stop = sl_set is not None or tp_set is not None or tr_set is not None

    st = {
        "cash": S["initial_capital"],
        "pos": 0,
        "q": 0.0,
        "entry": None,
        "P": None,
        "basis": None,
        "entry_proceeds": None,
        "best": None,
    }
    trades, equity, in_market = [], [], []

    def buy(raw):
        return raw * (1.0 + slip)

    def sell(raw):
        return raw * (1.0 - slip)

    def open_(side, t, p):
        cash = st["cash"]
        if size_type == "percent":
            budget = cash * size_setting
            q = (budget - F) / (p * k)
        elif size_type == "value":
            budget = min(size_setting, cash)
            q = (budget - F) / (p * k)
        else:
            q = size_setting
            qmax = (cash - F) / (p * k)
            if q > qmax:
                q = qmax
        if lot > 0:
            ratio = q / lot
            assert math.floor(ratio) == math.floor(Fraction(q) / Fraction(lot)), name
            assert abs(ratio - round(ratio)) > 1e-6, f"{name}: q / lot_size near an integer"
            q = float(math.floor(ratio) * lot)
        if not (q > 0):
            return
        basis = q * p * k + F
        if side == 1:
            st["cash"] = cash - basis
        else:
            st["entry_proceeds"] = q * p * m - F
            st["cash"] = cash + st["entry_proceeds"]
        st.update(pos=side, q=q, entry=t, P=p, basis=basis, best=p)

    def close_(t, p, reason):
        q = st["q"]
        if st["pos"] == 1:
            proceeds = q * p * m - F
            st["cash"] = st["cash"] + proceeds
            pnl = proceeds - st["basis"]
        else:
            cost = q * p * k + F
            st["cash"] = st["cash"] - cost
            pnl = st["entry_proceeds"] - cost
        et = st["entry"]
        trades.append(
            {
                "entry_index": et,
                "exit_index": t,
                "entry_date": dates[et],
                "exit_date": dates[t],
                "entry_price": st["P"],
                "exit_price": p,
                "size": q,
                "pnl": pnl,
                "return_pct": pnl / st["basis"],
                "bars_held": t - et,
                "direction": "long" if st["pos"] == 1 else "short",
                "exit_reason": reason,
            }
        )
        st.update(pos=0, q=0.0)

    def execute(order, t, raw):
        if order == "open long":
            open_(1, t, buy(raw))
        elif order == "open short":
            open_(-1, t, sell(raw))
        elif order == "close":
            close_(t, sell(raw) if st["pos"] == 1 else buy(raw), "signal")
        elif order == "reverse to long":
            close_(t, buy(raw), "reverse")
            open_(1, t, buy(raw))
        elif order == "reverse to short":
            close_(t, sell(raw), "reverse")
            open_(-1, t, sell(raw))

    def stops(t, opened_now):
        """Step 2; True when a stop closed the position."""
        P, best = st["P"], st["best"]
        if st["pos"] == 1:
            sl = P * (1.0 - sl_set) if sl_set is not None else None
            tr = best * (1.0 - tr_set) if tr_set is not None else None
            if sl is not None and tr is not None:
                loss, reason = (tr, "trailing_stop") if tr > sl else (sl, "stop_loss")
            elif tr is not None:
                loss, reason = tr, "trailing_stop"
            else:
                loss, reason = sl, "stop_loss"
            tp = P * (1.0 + tp_set) if tp_set is not None else None
            hit_loss_open = loss is not None and o[t] <= loss
            hit_tp_open = tp is not None and o[t] >= tp
            hit_loss_bar = loss is not None and lo[t] <= loss
            hit_tp_bar = tp is not None and h[t] >= tp
            pairs = [(o[t], loss), (o[t], tp), (lo[t], loss), (h[t], tp)]
        else:
            sl = P * (1.0 + sl_set) if sl_set is not None else None
            tr = best * (1.0 + tr_set) if tr_set is not None else None
            if sl is not None and tr is not None:
                loss, reason = (tr, "trailing_stop") if tr < sl else (sl, "stop_loss")
            elif tr is not None:
                loss, reason = tr, "trailing_stop"
            else:
                loss, reason = sl, "stop_loss"
            tp = P * (1.0 - tp_set) if tp_set is not None else None
            hit_loss_open = loss is not None and o[t] >= loss
            hit_tp_open = tp is not None and o[t] <= tp
            hit_loss_bar = loss is not None and h[t] >= loss
            hit_tp_bar = tp is not None and lo[t] <= tp
            pairs = [(o[t], loss), (o[t], tp), (h[t], loss), (lo[t], tp)]
        for i, (price, level) in enumerate(pairs):
            if level is not None and not (opened_now and i < 2):
                far_apart(price, level, f"stop check at bar {t}", name)
        if not opened_now:
            if hit_loss_open:
                close_(t, o[t], reason)
                return True
            if hit_tp_open:
                close_(t, o[t], "take_profit")
                return True
        if hit_loss_bar:
            close_(t, loss, reason)
            return True
        if hit_tp_bar:
            close_(t, tp, "take_profit")
            return True
        st["best"] = max(best, h[t]) if st["pos"] == 1 else min(best, lo[t])
        return False

    pending = None
    for t in range(n):
        opened_now = False
        if pending:
            execute(pending, t, o[t])
            opened_now = st["pos"] != 0 and st["entry"] == t
            pending = None
        stopped = False
        if st["pos"] != 0 and any_stop:
            stopped = stops(t, opened_now)
        if not stopped:
            le = le_raw[t] and not lx_raw[t]
            lx = lx_raw[t] and not le_raw[t]
            se = se_raw[t] and not sx_raw[t]
            sx = sx_raw[t] and not se_raw[t]
            order = None
            if st["pos"] == 0:
                if le and not se:
                    order = "open long"
                elif se and not le:
                    order = "open short"
            elif st["pos"] == 1:
                order = "reverse to short" if se else "close" if lx else None
            else:
                order = "reverse to long" if le else "close" if sx else None
            if order:
                if S["fill"] == "close":
                    execute(order, t, c[t])
                elif t + 1 < n:
                    pending = order
        if st["pos"] == 1:
            equity.append(st["cash"] + st["q"] * c[t])
        elif st["pos"] == -1:
            equity.append(st["cash"] - st["q"] * c[t])
        else:
            equity.append(st["cash"])
        in_market.append(st["pos"] != 0)
    still_open = None
    if st["pos"] != 0:
        still_open = ("long" if st["pos"] == 1 else "short", st["entry"])
    return trades, equity, in_market, still_open


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def metrics_loop(equity, capital, ppy, trades):
    """The CONVENTIONS metrics loop, line by line (the eight seed metrics)."""
    n = len(equity)
    prev, sr, sd, peak, mdd = capital, 0.0, 0.0, equity[0], 0.0
    nonzero = []
    for t in range(n):
        e = equity[t]
        if e == prev:
            continue
        r = e / prev - 1.0
        nonzero.append(r)
        sr += r
        if r < 0:
            sd += r * r
        prev = e
        if e >= peak:
            peak = e
        else:
            mdd = max(mdd, 1.0 - e / peak)
    mean = sr / n
    sq = 0.0
    for r in nonzero:
        d = r - mean
        sq += d * d
    sq += (n - len(nonzero)) * (mean * mean)
    std = math.sqrt(sq / (n - 1))
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


def drawdown_duration(equity):
    """The longest run of consecutive bars whose equity is below the highest equity before."""
    longest = run = 0
    peak = None
    for e in equity:
        if peak is not None and e < peak:
            run += 1
            longest = max(longest, run)
        else:
            run = 0
        peak = e if peak is None else max(peak, e)
    return longest


def all_metrics(equity, settings, trades, closes, in_market, name):
    S = dict(SETTING_DEFAULTS)
    S.update(settings)
    capital, ppy = S["initial_capital"], S["periods_per_year"]
    mets = mg.metrics_numpy(equity, capital, ppy, trades)
    loop = metrics_loop(equity, capital, ppy, trades)
    for key in mets:
        mg.agree(mets[key], loop[key], name, key)
    gross_profit = gross_loss = 0.0
    for tr in trades:
        if tr["pnl"] > 0:
            gross_profit += tr["pnl"]
        elif tr["pnl"] < 0:
            gross_loss -= tr["pnl"]
    total_pnl = 0.0
    for tr in trades:
        total_pnl += tr["pnl"]
    returns = [tr["return_pct"] for tr in trades]
    mets.update(
        {
            "buy_and_hold_return": closes[-1] / closes[0] - 1.0,
            "exposure": sum(in_market) / len(equity),
            "profit_factor": None if gross_loss == 0 else gross_profit / gross_loss,
            "expectancy": total_pnl / len(trades) if trades else None,
            "best_trade": max(returns) if trades else None,
            "worst_trade": min(returns) if trades else None,
            "max_drawdown_duration": drawdown_duration(equity),
            "calmar_ratio": None
            if mets["max_drawdown"] == 0
            else mets["annualized_return"] / mets["max_drawdown"],
        }
    )
    # an independent numpy form of the duration: runs of (equity < running max before)
    e = np.asarray(equity, dtype=float)
    below = np.concatenate(([False], e[1:] < np.maximum.accumulate(e)[:-1]))
    runs, cur = [0], 0
    for b in below:
        cur = cur + 1 if b else 0
        runs.append(cur)
    assert max(runs) == mets["max_drawdown_duration"], name
    return {key: mets[key] for key in METRICS}


# --------------------------------------------------------------------------------------------
# Trees, bars and the runner
# --------------------------------------------------------------------------------------------


def sma(period, source=None):
    node = {"indicator": "sma", "period": period}
    if source:
        node["source"] = source
    return node


def sma_cross(fast, slow):
    """The seed's strategy as a tree (CONVENTIONS: `sma_cross`)."""
    return {
        "entry": {"crosses_above": [sma(fast), sma(slow)]},
        "exit": {"crosses_below": [sma(fast), sma(slow)]},
    }


def bars(closes, opens=None, highs=None, lows=None, spread=0.3, symbol="STRAT", start="2024-01-01"):
    """Valid bars around a designed close series (make_golden.make_bars's rule: open[t] =
    close[t-1] + WIGGLE[t % 5], high/low = max/min(open, close) +/- spread), then per-bar
    overrides {t: value} of open, high and low."""
    d = mg.make_bars(closes, symbol=symbol, start=start, spread=spread)
    for field, over in (("open", opens), ("high", highs), ("low", lows)):
        for t, v in (over or {}).items():
            d[field][t] = float(v)
    for t in range(len(closes)):
        o, hi, lo, c = d["open"][t], d["high"][t], d["low"][t], d["close"][t]
        # re-widen the range around an overridden open
        if opens and t in opens:
            if not (highs and t in highs):
                d["high"][t] = hi = round(max(o, c) + spread, 2)
            if not (lows and t in lows):
                d["low"][t] = lo = round(min(o, c) - spread, 2)
        assert 0 < lo <= min(o, c) and max(o, c) <= hi, (t, o, hi, lo, c)
    return d


def strategy_signals(data, strategy, params, name, ties_ok=False):
    ev = Evaluator(data, params, name, ties_ok)
    sig = {
        "entries": ev.condition(strategy.get("entry")),
        "exits": ev.condition(strategy.get("exit")),
        "short_entries": ev.condition(strategy.get("short_entry")),
        "short_exits": ev.condition(strategy.get("short_exit")),
    }
    return sig, ev


def effective_settings(request):
    s = dict((request.get("strategy") or {}).get("settings") or {})
    s.update(request["settings"])
    return s


def run_request(data, request, name, ties_ok=False):
    settings = effective_settings(request)
    if "signals" in request:
        sig = {k: v for k, v in request["signals"].items()}
    else:
        sig, _ = strategy_signals(data, request["strategy"], request.get("params"), name, ties_ok)
    return simulate(data, sig, settings, name), settings


def make_expected(data, request, name, ties_ok=False):
    (trades, equity, in_market, still_open), settings = run_request(data, request, name, ties_ok)
    assert all(math.isfinite(x) for x in equity), name
    mets = all_metrics(equity, settings, trades, data["close"], in_market, name)
    return {"trades": trades, "equity_curve": equity, "metrics": mets}, still_open, in_market


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

ROUND_TRIP = mg.ROUND_TRIP
LOSS_THEN_WIN = mg.LOSS_THEN_WIN
# ROUND_TRIP mirrored (22 - close): up, then down (sma 2/4 cross down at 6), then up (cross up
# at 11).
INVERTED = [round(22.0 - c, 2) for c in ROUND_TRIP]
# Three swings for sma 2/4: crosses down at 5, up at 9, down at 13, up at 18.
WAVES = [
    10.0,
    10.4,
    10.9,
    11.3,
    11.0,
    10.4,
    9.9,
    9.6,
    9.9,
    10.5,
    11.2,
    11.6,
    11.4,
    10.8,
    10.2,
    9.8,
    9.5,
    9.9,
    10.6,
    11.1,
]
# Stop cases: close crosses above 10.05 at bar 4, so the entry fills at open[5] = 10.2.
LEVEL = 10.05
CROSS_UP_LEVEL = {"crosses_above": ["close", LEVEL]}


def both_sides(fast, slow):
    t = sma_cross(fast, slow)
    t["short_entry"] = {"crosses_below": [sma(fast), sma(slow)]}
    t["short_exit"] = {"crosses_above": [sma(fast), sma(slow)]}
    return t


def walk(start, segments, seed):
    """A readable seeded random walk: per segment (bars, drift, noise), each close the last one
    times (1 + drift + noise * (u - 0.5)), rounded to cents (random.Random is stable across
    Python versions for random())."""
    import random

    rng = random.Random(seed)
    x, out = start, []
    for length, drift, noise in segments:
        for _ in range(length):
            x = round(x * (1 + drift + noise * (rng.random() - 0.5)), 2)
            out.append(x)
    return out


RSI14 = {"indicator": "rsi", "period": 14}
MACD_LINE = {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "output": "macd"}
MACD_SIGNAL = {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "output": "signal"}
BB_LOWER = {"indicator": "bbands", "period": 20, "k": 2.0, "output": "lower"}
BB_MIDDLE = {"indicator": "bbands", "period": 20, "k": 2.0, "output": "middle"}
DONCHIAN_HIGH = {"shift": {"indicator": "highest", "period": 20, "source": "high"}, "periods": 1}
DONCHIAN_LOW = {"shift": {"indicator": "lowest", "period": 20, "source": "low"}, "periods": 1}

PRESETS = {
    "rsi_reversion": {
        "entry": {"crosses_below": [RSI14, 30]},
        "exit": {"crosses_above": [RSI14, 70]},
    },
    "macd_cross": {
        "entry": {"crosses_above": [MACD_LINE, MACD_SIGNAL]},
        "exit": {"crosses_below": [MACD_LINE, MACD_SIGNAL]},
    },
    "bollinger_reversion": {
        "entry": {"crosses_below": ["close", BB_LOWER]},
        "exit": {"crosses_above": ["close", BB_MIDDLE]},
    },
    "donchian_breakout": {
        "entry": {"gt": ["close", DONCHIAN_HIGH]},
        "exit": {"lt": ["close", DONCHIAN_LOW]},
    },
}


def signals_of(n, **marks):
    """Raw signal arrays: marks name -> bars where it is true (short arrays may be None)."""
    out = {}
    for key in ("entries", "exits", "short_entries", "short_exits"):
        bars_true = marks.get(key)
        out[key] = None if bars_true is None else [t in bars_true for t in range(n)]
    return out


def new(name, description, data, request, expect, open_at_end=None, check=None):
    request.setdefault("settings", {})
    return {
        "name": name,
        "description": description,
        "data": data,
        "request": request,
        "_expect": expect,
        "_open": open_at_end,
        "_check": check,
    }


NEW_CASES = []


def add(*args, **kwargs):
    NEW_CASES.append(new(*args, **kwargs))


add(
    "short_only",
    "direction short_only with the sma 2/4 cross as the short side (short_entry = cross down, "
    "short_exit = cross up) on the mirrored round trip: cross down at bar 6 opens a short at "
    "open[7], cross up at bar 11 covers it at open[12]; a falling price is a gain.",
    bars(INVERTED),
    {
        "strategy": {
            "short_entry": {"crosses_below": [sma(2), sma(4)]},
            "short_exit": {"crosses_above": [sma(2), sma(4)]},
        },
        "settings": {"direction": "short_only"},
    },
    [("short", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["pnl"] > 0,
)
add(
    "both_reversals_next_open",
    "direction both, long side = sma 2/4 cross up / cross down, short side the reverse: flat + "
    "cross down (bar 5) opens a short at open[6]; every later cross reverses in one fill at the "
    "next open (the closed trade's exit_reason is 'reverse'); the last reversal (signal bar 18) "
    "leaves a long open.",
    bars(WAVES),
    {"strategy": both_sides(2, 4), "settings": {"direction": "both"}},
    [("short", 6, 10, "reverse"), ("long", 10, 14, "reverse"), ("short", 14, 19, "reverse")],
    open_at_end=("long", 19),
)
add(
    "both_reversals_close",
    "The bars of both_reversals_next_open with fill close: each reversal closes and reopens at "
    "the signal bar's close.",
    bars(WAVES),
    {"strategy": both_sides(2, 4), "settings": {"direction": "both", "fill": "close"}},
    [("short", 5, 9, "reverse"), ("long", 9, 13, "reverse"), ("short", 13, 18, "reverse")],
    open_at_end=("long", 18),
)
STOP_LOSS_CLOSES = [9.5, 9.6, 9.8, 9.7, 10.2, 10.4, 10.3, 10.1, 9.9, 10.2, 10.3, 10.5]
add(
    "stop_loss_intrabar",
    "Long on close crossing above 10.05 (bar 4; fills at open[5] = 10.2), no exit signal, "
    "stop_loss 0.05: the level is 10.2 * 0.95 = 9.69; bar 8 opens at 10.3 above it and trades "
    "down to 9.6, so the stop fills at 9.69 (no slippage). Close crosses above again at bar 9: "
    "a new long from open[10], open at the end.",
    bars(STOP_LOSS_CLOSES),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"stop_loss": 0.05}},
    [("long", 5, 8, "stop_loss")],
    open_at_end=("long", 10),
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 10.2 * (1.0 - 0.05),
)
add(
    "stop_loss_gap_open",
    "The bars of stop_loss_intrabar but bar 8 opens at 9.5, below the 9.69 stop: the stop "
    "fills at the open (9.5), not at the stop level.",
    bars(STOP_LOSS_CLOSES, opens={8: 9.5}),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"stop_loss": 0.05}},
    [("long", 5, 8, "stop_loss")],
    open_at_end=("long", 10),
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 9.5,
)
TAKE_PROFIT_CLOSES = [9.5, 9.6, 9.8, 9.7, 10.2, 10.3, 10.4, 10.5, 10.2, 10.0, 10.3, 10.4]
add(
    "take_profit_intrabar",
    "Long from open[5] = 10.2, take_profit 0.05: the level is 10.71; bar 6's high is 10.7 (just "
    "short), bar 7 opens at 10.3 and reaches 10.8, so it fills at 10.71. Re-entry on the cross "
    "at bar 10, from open[11].",
    bars(TAKE_PROFIT_CLOSES),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"take_profit": 0.05}},
    [("long", 5, 7, "take_profit")],
    open_at_end=("long", 11),
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 10.2 * (1.0 + 0.05),
)
add(
    "take_profit_gap_open",
    "The bars of take_profit_intrabar but bar 7 opens at 10.9, above the 10.71 level: it fills "
    "at the open (10.9).",
    bars(TAKE_PROFIT_CLOSES, opens={7: 10.9}),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"take_profit": 0.05}},
    [("long", 5, 7, "take_profit")],
    open_at_end=("long", 11),
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 10.9,
)
add(
    "stop_loss_and_take_profit_same_bar",
    "stop_loss 0.05 and take_profit 0.05 on a long from 10.2: bar 7 opens at 10.15 (between the "
    "levels) and its range 9.5 to 10.9 reaches both 9.69 and 10.71: the stop loss wins, at "
    "9.69. A new long from open[9] (cross at bar 8), open at the end.",
    bars([9.5, 9.6, 9.8, 9.7, 10.2, 10.3, 10.25, 10.0, 10.3, 10.2], highs={7: 10.9}, lows={7: 9.5}),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"stop_loss": 0.05, "take_profit": 0.05}},
    [("long", 5, 7, "stop_loss")],
    open_at_end=("long", 9),
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 10.2 * (1.0 - 0.05),
)
add(
    "trailing_stop",
    "trailing_stop 0.08 with stop_loss 0.03 (the loss level is the higher of the two). First "
    "long from 10.2: the highest high since entry climbs to 11.9 (bar 8), so the trailing level "
    "11.9 * 0.92 = 10.948 is above the stop loss (9.894); bar 9 opens at 11.0 and dips to 10.6: "
    "exit at 10.948, reason trailing_stop. Second long from open[14] = 10.1: the best high 10.5 "
    "gives a trailing level 9.66 below the stop loss 10.1 * 0.97 = 9.797, so bar 15 (low 9.6) "
    "exits at 9.797 with reason stop_loss.",
    bars(
        [
            9.5,
            9.6,
            9.8,
            9.7,
            10.2,
            10.6,
            11.0,
            11.4,
            11.2,
            10.9,
            10.6,
            9.9,
            9.8,
            10.3,
            10.2,
            9.9,
            9.7,
            9.6,
        ]
    ),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"trailing_stop": 0.08, "stop_loss": 0.03}},
    [("long", 5, 9, "trailing_stop"), ("long", 14, 15, "stop_loss")],
    check=lambda c: (
        [t["exit_price"] for t in c["expected"]["trades"]]
        == [11.9 * (1.0 - 0.08), 10.1 * (1.0 - 0.03)]
    ),
)
add(
    "stop_on_entry_bar",
    "The entry fills at open[5] = 10.2 and the same bar trades down to 9.6: a position entered "
    "at this bar's open is checked against this bar's low, so the 0.05 stop fills at 9.69 on "
    "the entry bar (bars_held 0; that bar does not count as exposed). Re-entry from open[8].",
    bars([9.5, 9.6, 9.8, 9.7, 10.2, 10.1, 9.9, 10.2, 10.3], lows={5: 9.6}),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"stop_loss": 0.05}},
    [("long", 5, 5, "stop_loss")],
    open_at_end=("long", 8),
    check=lambda c: (
        c["expected"]["trades"][0]["bars_held"] == 0
        and c["expected"]["metrics"]["exposure"] == 1 / 9
    ),
)
add(
    "stop_on_entry_bar_open_not_checked",
    "slippage 0.01 and stop_loss 0.005: the entry at open[5] fills at 10.2 * 1.01 = 10.302, so "
    "the stop level 10.302 * 0.995 = 10.25 lies above that bar's open. The open of the entry bar "
    "is not checked: the stop fills at the level (when the low reaches it), not at the open. "
    "The same happens to the re-entry at open[8] (a stop fill has no slippage).",
    bars([9.5, 9.6, 9.8, 9.7, 10.2, 10.1, 9.9, 10.2, 10.3]),
    {"strategy": {"entry": CROSS_UP_LEVEL}, "settings": {"slippage": 0.01, "stop_loss": 0.005}},
    [("long", 5, 5, "stop_loss"), ("long", 8, 8, "stop_loss")],
    check=lambda c: c["expected"]["trades"][0]["exit_price"] == 10.2 * 1.01 * (1.0 - 0.005),
)
add(
    "stop_bar_skips_signals",
    "entry = close > 10.05 (true on every bar above it; ignored while long). Long from open[5]; "
    "bar 8 (close 10.1, so entry is true) trades down to 9.6 and the 0.05 stop fills at 9.69: "
    "a bar on which a stop closed the position takes no signal, so there is no new order at "
    "bar 8; bar 9's entry fills at open[10].",
    bars([9.5, 9.6, 9.8, 9.7, 10.2, 10.4, 10.3, 10.2, 10.1, 10.3, 10.4, 10.6], lows={8: 9.6}),
    {"strategy": {"entry": {"gt": ["close", LEVEL]}}, "settings": {"stop_loss": 0.05}},
    [("long", 5, 8, "stop_loss")],
    open_at_end=("long", 10),
)
add(
    "same_bar_entry_and_exit",
    "Raw signals, fill close: entry and exit both true on bar 2 (flat) do nothing; entry at bar "
    "4 buys at close[4]; entry and exit both true at bar 6 (long) do nothing; exit at bar 8 "
    "sells at close[8]; both again at bar 10: nothing.",
    bars([10.0, 10.2, 10.4, 10.3, 10.5, 10.8, 11.0, 10.9, 11.3, 11.1, 10.9, 11.2]),
    {
        "signals": signals_of(12, entries={2, 4, 6, 10}, exits={2, 6, 8, 10}),
        "settings": {"fill": "close"},
    },
    [("long", 4, 8, "signal")],
)
add(
    "raw_signals_both",
    "Raw signals with direction both and next_open fills: short entry at bar 2 (short from "
    "open[3]); long entry at bar 5 reverses it at open[6]; exit at bar 8 closes the long at "
    "open[9]; short entry at bar 10, short exit at bar 13 (cover at open[14]); a short entry on "
    "the last bar never fills.",
    bars(
        [10.0, 10.3, 10.1, 9.8, 9.5, 9.7, 10.0, 10.4, 10.6, 10.5, 10.2, 9.9, 9.6, 9.8, 10.1, 10.3]
    ),
    {
        "signals": signals_of(
            16, entries={5}, exits={8}, short_entries={2, 10, 15}, short_exits={13}
        ),
        "settings": {"direction": "both"},
    },
    [("short", 3, 6, "reverse"), ("long", 6, 9, "signal"), ("short", 11, 14, "signal")],
)
add(
    "fixed_fee",
    "The reference round trip (sma 2/4, entry at open[7], exit at open[12]) with fixed_fee 5.0 "
    "per order and 10,000 of capital: size = (10,000 - 5) / (price * 1.001); basis includes the "
    "fee, proceeds deduct it.",
    bars(ROUND_TRIP),
    {"strategy": sma_cross(2, 4), "settings": {"fixed_fee": 5.0, "initial_capital": 10000.0}},
    [("long", 7, 12, "signal")],
    check=lambda c: (
        c["expected"]["trades"][0]["size"] == (10000.0 * 1.0 - 5.0) / (c["data"]["open"][7] * 1.001)
    ),
)
add(
    "slippage",
    "slippage 0.002 with direction both on the WAVES bars (sma 2/4 both sides, next_open): a "
    "short opens at open * 0.998, each reversal buys (or sells) at open * 1.002 (or 0.998) for "
    "both the closing and the opening leg.",
    bars(WAVES),
    {"strategy": both_sides(2, 4), "settings": {"direction": "both", "slippage": 0.002}},
    [("short", 6, 10, "reverse"), ("long", 10, 14, "reverse"), ("short", 14, 19, "reverse")],
    open_at_end=("long", 19),
    check=lambda c: (
        c["expected"]["trades"][0]["entry_price"] == c["data"]["open"][6] * 0.998
        and c["expected"]["trades"][0]["exit_price"] == c["data"]["open"][10] * 1.002
    ),
)
add(
    "size_percent_half",
    "size 0.5 of the cash (size_type percent) on loss_then_win's bars: each entry uses half the "
    "cash at that moment; the rest stays in cash.",
    bars(LOSS_THEN_WIN),
    {"strategy": sma_cross(2, 4), "settings": {"size_type": "percent", "size": 0.5}},
    [("long", 7, 9, "signal"), ("long", 14, 20, "signal")],
)
add(
    "size_value",
    "size_type value, size 30,000 of cash per entry: size = 30,000 / (price * 1.001).",
    bars(ROUND_TRIP),
    {"strategy": sma_cross(2, 4), "settings": {"size_type": "value", "size": 30000.0}},
    [("long", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["size"] == 30000.0 / (10.7 * 1.001),
)
add(
    "size_value_above_cash",
    "size_type value 30,000 with only 20,000 of capital: the budget is min(size, cash) = 20,000.",
    bars(ROUND_TRIP),
    {
        "strategy": sma_cross(2, 4),
        "settings": {"size_type": "value", "size": 30000.0, "initial_capital": 20000.0},
    },
    [("long", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["size"] == 20000.0 / (10.7 * 1.001),
)
add(
    "size_amount",
    "size_type amount: 1,000 units per entry, whatever the price.",
    bars(ROUND_TRIP),
    {"strategy": sma_cross(2, 4), "settings": {"size_type": "amount", "size": 1000.0}},
    [("long", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["size"] == 1000.0,
)
add(
    "size_amount_capped_by_cash",
    "size_type amount 20,000 units at 10.7 with 100,000 of cash: more than the cash buys, so "
    "the size is capped at (cash - fee) / (price * 1.001) = 9,336.46.",
    bars(ROUND_TRIP),
    {"strategy": sma_cross(2, 4), "settings": {"size_type": "amount", "size": 20000.0}},
    [("long", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["size"] == 100000.0 / (10.7 * 1.001),
)
add(
    "lot_size_short",
    "A short with lot_size 10 and 10,250 of capital: the short opens at open[7] = 11.1, "
    "10,250 / (11.1 * 1.001) = 922.5 rounded down to 920 units; covered at open[12].",
    bars(INVERTED),
    {
        "strategy": {
            "short_entry": {"crosses_below": [sma(2), sma(4)]},
            "short_exit": {"crosses_above": [sma(2), sma(4)]},
        },
        "settings": {"direction": "short_only", "lot_size": 10.0, "initial_capital": 10250.0},
    },
    [("short", 7, 12, "signal")],
    check=lambda c: c["expected"]["trades"][0]["size"] == 920.0,
)
METRICS_CLOSES = [
    10.0,
    10.5,
    12.5,
    13.5,
    16.0,
    14.0,
    10.6,
    12.8,
    12.0,
    10.0,
    10.4,
    12.5,
    14.0,
    13.0,
    20.0,
    18.0,
    17.0,
    17.5,
]


def check_known_metrics(c):
    """The metrics the description promises, against hand values."""
    m = c["expected"]["metrics"]
    pnls = [t["pnl"] for t in c["expected"]["trades"]]
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(pnls, [280.0, -280.0, 600.0]))
    assert math.isclose(m["profit_factor"], 880.0 / 280.0, rel_tol=1e-12)
    assert math.isclose(m["expectancy"], 200.0, rel_tol=1e-12)
    assert math.isclose(m["best_trade"], 0.6, rel_tol=1e-12)
    assert math.isclose(m["worst_trade"], -280.0 / 1280.0, rel_tol=1e-12)
    assert m["max_drawdown_duration"] == 6
    assert m["exposure"] == 7 / 18
    assert math.isclose(m["max_drawdown"], 1.0 - 1000.0 / 1280.0, rel_tol=1e-12)
    assert math.isclose(m["win_rate"], 200.0 / 3.0, rel_tol=1e-12)
    assert math.isclose(m["buy_and_hold_return"], 0.75, rel_tol=1e-12)
    assert math.isclose(m["calmar_ratio"], m["annualized_return"] / m["max_drawdown"])
    return True


add(
    "metrics_known_values",
    "Hand-countable metrics. fill close, commission 0, 1,000 of capital; entry = close crosses "
    "above 11, exit = close crosses above 15 or below 11. Trades: 80 units 12.5 -> 16 (+280), "
    "100 units 12.8 -> 10 (-280), 80 units 12.5 -> 20 (+600). profit_factor = 880 / 280, "
    "expectancy 200, best_trade 0.6, worst_trade -0.21875, win_rate 66.7. Equity peaks at 1,280 "
    "(bar 4) and stays below it on bars 8-13: max_drawdown_duration 6, max_drawdown 0.21875. "
    "A position is open at 7 of the 18 closes (bars 2, 3, 7, 8, 11, 12, 13): exposure 7/18.",
    bars(METRICS_CLOSES),
    {
        "strategy": {
            "entry": {"crosses_above": ["close", 11.0]},
            "exit": {
                "or": [{"crosses_above": ["close", 15.0]}, {"crosses_below": ["close", 11.0]}]
            },
        },
        "settings": {"fill": "close", "commission_rate": 0.0, "initial_capital": 1000.0},
    },
    [("long", 2, 4, "signal"), ("long", 7, 9, "signal"), ("long", 11, 14, "signal")],
    check=check_known_metrics,
)
add(
    "preset_rsi_reversion",
    "rsi_reversion (RSI 14, enter when it crosses below 30, exit when it crosses above 70): a "
    "sideways stretch, a slide (RSI 33.1 at bar 22 -> 28.7 at bar 23: entry, filled at "
    "open[24]), a rally (65.9 at bar 39 -> 70.4 at bar 40: exit at open[41]); RSI stays above "
    "70 afterwards, with no new cross below 30.",
    bars(walk(50.0, [(20, 0.0, 0.03), (10, -0.02, 0.02), (14, 0.025, 0.02), (16, 0.0, 0.03)], 1)),
    {"strategy": PRESETS["rsi_reversion"]},
    [("long", 24, 41, "signal")],
)
add(
    "preset_macd_cross",
    "macd_cross (12, 26, 9; TA-Lib's alignment: all three outputs start at bar 33): the MACD "
    "line is below its signal line from bar 33, crosses above it at bar 43 (entry, open[44]) "
    "and below it at bar 63 (exit, open[64]); the cross up on the last bar (79) never fills.",
    bars(
        walk(
            80.0,
            [
                (25, -0.002, 0.02),
                (15, -0.015, 0.02),
                (16, 0.015, 0.02),
                (14, -0.012, 0.02),
                (10, 0.006, 0.02),
            ],
            3,
        )
    ),
    {"strategy": PRESETS["macd_cross"]},
    [("long", 44, 64, "signal")],
)
add(
    "preset_bollinger_reversion",
    "bollinger_reversion (20, 2.0): close crosses below the lower band at bar 24 (entry, "
    "open[25]) and back above the middle band at bar 34 (exit at open[35], a loss). The first "
    "band is at bar 19 (close crosses above the middle there, while flat: nothing).",
    bars(walk(30.0, [(24, 0.0, 0.02), (5, -0.02, 0.01), (10, 0.01, 0.02), (21, 0.0, 0.03)], 5)),
    {"strategy": PRESETS["bollinger_reversion"]},
    [("long", 25, 35, "signal")],
    check=lambda c: c["expected"]["trades"][0]["pnl"] < 0,
)
add(
    "preset_donchian_breakout",
    "donchian_breakout (20): close above the previous bar's 20-bar highest high at bar 27 "
    "(entry, open[28]); the later breakouts (33, 35, 36) come while long and are ignored; close "
    "below the previous bar's 20-bar lowest low at bar 50 (exit, open[51]); the later ones come "
    "while flat.",
    bars(
        walk(20.0, [(25, 0.0, 0.02), (15, 0.012, 0.02), (10, -0.01, 0.02), (20, -0.012, 0.02)], 9)
    ),
    {"strategy": PRESETS["donchian_breakout"]},
    [("long", 28, 51, "signal")],
)
add(
    "placeholders_and_params",
    "Placeholders filled from the run's params: entry = sma(fast) crosses above sma(slow), exit "
    "= close crosses below the level 'floor'; params fast 2, slow 4, floor 11.6 on the round "
    "trip: entry at bar 6 (open[7]), close falls through 11.6 at bar 12 (exit at open[13]).",
    bars(ROUND_TRIP),
    {
        "strategy": {
            "entry": {
                "crosses_above": [
                    {"indicator": "sma", "period": {"param": "fast"}},
                    {"indicator": "sma", "period": {"param": "slow"}},
                ]
            },
            "exit": {"crosses_below": ["close", {"param": "floor"}]},
        },
        "params": {"fast": 2, "slow": 4, "floor": 11.6},
    },
    [("long", 7, 13, "signal")],
)
add(
    "strategy_settings_overridden",
    "The strategy carries settings (fill close, stop_loss 0.05, commission_rate 0.002); the "
    "run passes fill next_open, which overrides the strategy's fill key by key: the bars and "
    "trades of stop_loss_intrabar, with commission 0.002.",
    bars(STOP_LOSS_CLOSES),
    {
        "strategy": {
            "entry": CROSS_UP_LEVEL,
            "exit": None,
            "settings": {"fill": "close", "stop_loss": 0.05, "commission_rate": 0.002},
        },
        "settings": {"fill": "next_open"},
    },
    [("long", 5, 8, "stop_loss")],
    open_at_end=("long", 10),
)
add(
    "ema_cross",
    "ema_cross (3, 8), each EMA seeded with the mean of its first `period` values (ema 8 "
    "starts at bar 7, with ema 3 below it): cross up at bar 8 (open[9]), down at 13 "
    "(open[14]), up at 19 (open[20]); the cross down on the last bar (25) never fills, so the "
    "second long is open at the end.",
    bars(mg.TWO_WAVES),
    {
        "strategy": {
            "entry": {
                "crosses_above": [
                    {"indicator": "ema", "period": 3},
                    {"indicator": "ema", "period": 8},
                ]
            },
            "exit": {
                "crosses_below": [
                    {"indicator": "ema", "period": 3},
                    {"indicator": "ema", "period": 8},
                ]
            },
        }
    },
    [("long", 9, 14, "signal")],
    open_at_end=("long", 20),
)
LOGIC_TREE = {
    "entry": {
        "and": [
            {
                "crosses_above": [
                    {"indicator": "ema", "period": 3},
                    {"indicator": "wma", "period": 5},
                ]
            },
            {"ge": [{"indicator": "roc", "period": 3}, 0.5]},
            {"not": {"gt": [{"indicator": "atr", "period": 3}, 1.2]}},
        ]
    },
    "exit": {
        "or": [
            {"lt": ["close", {"shift": {"indicator": "lowest", "period": 3, "source": "low"}}]},
            {"le": [{"indicator": "rsi", "period": 5}, 35]},
            {"gt": [{"indicator": "stddev", "period": 5}, 0.85]},
        ]
    },
    "short_entry": None,
    "short_exit": None,
}
add(
    "logic_and_more_indicators",
    "and / or / not, ge / le, a shift (default periods 1), ema, wma, roc, atr, rsi, stddev and "
    "lowest of low in one tree; explicit null short sides. Entry = ema 3 crosses above wma 5 "
    "and roc 3 >= 0.5 and not atr 3 > 1.2: bar 7 (open[8]); bar 26 has the cross and the roc "
    "but atr 1.25, so no entry; bar 34 (open[35]); bar 39's entry comes while long. Exit = close "
    "below the previous bar's 3-bar lowest low, or rsi 5 <= 35, or stddev 5 > 0.85: bar 14 "
    "(open[15]) and bar 44 (open[45]); the exits at 16-25 and 29-30 come while flat.",
    bars(
        walk(40.0, [(15, 0.004, 0.04), (10, -0.01, 0.04), (15, 0.01, 0.04), (10, -0.004, 0.05)], 12)
    ),
    {"strategy": LOGIC_TREE},
    [("long", 8, 15, "signal"), ("long", 35, 45, "signal")],
)


def build_seed_cases():
    """Every case of cases.json as a request with the sma_cross tree: today's answers, exactly."""
    out = []
    for case in json.loads((HERE / "cases.json").read_text(encoding="utf-8")):
        p = case["params"]
        settings = {
            k: p[k]
            for k in ("initial_capital", "commission_rate", "fill", "lot_size", "periods_per_year")
        }
        request = {"strategy": sma_cross(p["fast_period"], p["slow_period"]), "settings": settings}
        name = "sma_cross_" + case["name"]
        expected, _, _ = make_expected(
            case["data"], request, name, ties_ok=case["name"].startswith("flat")
        )
        old = case["expected"]
        trades = expected["trades"]
        assert [
            {k: v for k, v in t.items() if k not in ("direction", "exit_reason")} for t in trades
        ] == old["trades"], name
        assert all(t["direction"] == "long" and t["exit_reason"] == "signal" for t in trades)
        assert expected["equity_curve"] == old["equity_curve"], name
        for key, value in old["metrics"].items():
            assert expected["metrics"][key] == value, (name, key)
        out.append(
            {
                "name": name,
                "description": "cases.json '"
                + case["name"]
                + "' as the sma_cross tree ("
                + str(p["fast_period"])
                + "/"
                + str(p["slow_period"])
                + "): "
                + case["description"],
                "data": case["data"],
                "request": request,
                "expected": expected,
            }
        )
    return out


def build_new_cases():
    out = []
    for c in NEW_CASES:
        name, data, request = c["name"], c["data"], c["request"]
        assert 8 <= len(data["close"]) <= 80, name
        expected, still_open, _ = make_expected(data, request, name)
        got = [
            (t["direction"], t["entry_index"], t["exit_index"], t["exit_reason"])
            for t in expected["trades"]
        ]
        assert got == c["_expect"], f"{name}: simulated {got}, designed {c['_expect']}"
        assert still_open == c["_open"], f"{name}: open at the end {still_open}"
        case = {
            "name": name,
            "description": c["description"],
            "data": data,
            "request": request,
            "expected": expected,
        }
        if c["_check"] is not None:
            assert c["_check"](case), f"{name}: a promised fact does not hold"
        out.append(case)
    return out


# --------------------------------------------------------------------------------------------
# Bad requests (strategy_errors.json)
# --------------------------------------------------------------------------------------------

ERROR_DATA = bars(LOSS_THEN_WIN, symbol="BAD")  # 21 valid bars
N_ERR = len(ERROR_DATA["close"])
CONDITION_LIST = "gt, lt, ge, le, crosses_above, crosses_below, and, or, not"
SERIES_KINDS = 'a price column, a number, {"param": name}, {"indicator": ...} or {"shift": ...}'
E_OK = {"crosses_above": [sma(2), sma(4)]}
X_OK = {"crosses_below": [sma(2), sma(4)]}
PARAM_CROSS = {
    "entry": {
        "crosses_above": [
            {"indicator": "sma", "period": {"param": "fast"}},
            {"indicator": "sma", "period": {"param": "slow"}},
        ]
    },
    "exit": {
        "crosses_below": [
            {"indicator": "sma", "period": {"param": "fast"}},
            {"indicator": "sma", "period": {"param": "slow"}},
        ]
    },
}
FAST_LT_SLOW = {"lt": [{"param": "fast"}, {"param": "slow"}]}

ERRORS = []


def err(name, call, request, error, code):
    ERRORS.append(
        {
            "name": name,
            "call": call,
            "data": ERROR_DATA,
            "request": request,
            "error": error,
            "code": code,
        }
    )


def bt_err(name, strategy, error, code, settings=None, params=None):
    request = {"strategy": strategy, "settings": settings or {}}
    if params is not None:
        request["params"] = params
    err(name, "backtest", request, error, code)


def sig_err(name, error, settings=None, **arrays):
    signals = {
        "entries": [False] * N_ERR,
        "exits": [False] * N_ERR,
        "short_entries": None,
        "short_exits": None,
    }
    signals.update(arrays)
    err(name, "signals", {"signals": signals, "settings": settings or {}}, error, "invalid_signals")


def sweep_err(name, strategy, params, error, code, settings=None, constraint=None):
    request = {"strategy": strategy, "params": params, "settings": settings or {}}
    if constraint is not None:
        request["constraint"] = constraint
    err(name, "sweep", request, error, code)


def mean(name, candidates):
    """ "did you mean 'x'?" with x the nearest candidate (checked against the rule here)."""
    return f"did you mean '{nearest(name, candidates)}'?"


def on_close(series):
    """A condition whose first operand is `series`, the path of which is entry.gt[0]."""
    return {"entry": {"gt": [series, 1.0]}}


def series_msg(path, value):
    return f"{path} must be a series ({SERIES_KINDS}), got {value_text(value)}"


def cond_msg(path, value):
    return (
        f"{path} must be a condition (an object with one key: {CONDITION_LIST}), "
        f"got {value_text(value)}"
    )


def int_msg(path, value):
    if isinstance(value, int) and not isinstance(value, bool) and value > 2147483647:
        return f"{path} must be an integer <= 2147483647, got {value_text(value)}"
    return f"{path} must be an integer >= 1, got {value_text(value)}"


SMA_KEYS = ("indicator", "period", "source")
BB_KEYS = ("indicator", "period", "k", "source", "output")

# -- checking a strategy ---------------------------------------------------------------------
S = "invalid_strategy"
bt_err("strategy_not_an_object", 5, "strategy must be an object, got 5", S)
bt_err("strategy_is_a_list", [E_OK], "strategy must be an object, got an array", S)
bt_err(
    "unknown_strategy_key",
    {"entyr": E_OK},
    f"unknown key 'entyr' in strategy; {mean('entyr', STRATEGY_KEYS)}",
    S,
)
bt_err(
    "unknown_strategy_key_short",
    {"entry": E_OK, "shortexit": X_OK},
    f"unknown key 'shortexit' in strategy; {mean('shortexit', STRATEGY_KEYS)}",
    S,
)
bt_err("condition_not_an_object", {"entry": "x"}, cond_msg("entry", "x"), S)
bt_err(
    "condition_with_two_keys",
    {"entry": {"gt": ["close", 1.0], "lt": ["close", 99.0]}},
    cond_msg("entry", {}),
    S,
)
bt_err("condition_empty_object", {"entry": E_OK, "exit": {}}, cond_msg("exit", {}), S)
bt_err("not_of_a_non_condition", {"entry": {"not": "x"}}, cond_msg("entry.not", "x"), S)
bt_err(
    "unknown_condition",
    {"entry": {"crosses_abve": ["close", 1.0]}},
    f"unknown condition 'crosses_abve' at entry; {mean('crosses_abve', CONDITIONS)}",
    S,
)
bt_err(
    "unknown_condition_nested",
    {"entry": {"and": [E_OK, {"gte": ["close", 1.0]}]}},
    f"unknown condition 'gte' at entry.and[1]; {mean('gte', CONDITIONS)}",
    S,
)
bt_err(
    "comparison_three_operands",
    {"entry": {"gt": ["close", 1.0, 2.0]}},
    "entry.gt must be a list of 2 series, got 3 items",
    S,
)
bt_err(
    "comparison_one_operand",
    {"entry": {"crosses_above": ["close"]}},
    "entry.crosses_above must be a list of 2 series, got 1 items",
    S,
)
bt_err(
    "comparison_not_a_list",
    {"entry": {"lt": "close"}},
    "entry.lt must be a list of 2 series, got 'close'",
    S,
)
bt_err(
    "and_one_condition",
    {"entry": {"and": [E_OK]}},
    "entry.and must be a list of at least 2 conditions, got 1 items",
    S,
)
bt_err(
    "or_no_condition",
    {"entry": E_OK, "exit": {"or": []}},
    "exit.or must be a list of at least 2 conditions, got 0 items",
    S,
)
bt_err("series_bool", {"entry": {"gt": [True, 1.0]}}, series_msg("entry.gt[0]", True), S)
bt_err("series_null", {"entry": {"lt": ["close", None]}}, series_msg("entry.lt[1]", None), S)
bt_err("series_list", {"entry": {"lt": ["close", [1.0]]}}, series_msg("entry.lt[1]", []), S)
bt_err(
    "series_object_of_no_kind",
    {"entry": {"lt": ["close", {"value": 1.0}]}},
    series_msg("entry.lt[1]", {}),
    S,
)
bt_err(
    "unknown_price_column",
    {"entry": {"gt": ["clse", 1.0]}},
    f"unknown price column 'clse' at entry.gt[0]; {mean('clse', PRICE_COLUMNS)}",
    S,
)
bt_err(
    "unknown_price_column_as_source",
    on_close({"indicator": "sma", "period": 3, "source": "hgh"}),
    f"unknown price column 'hgh' at entry.gt[0].source; {mean('hgh', PRICE_COLUMNS)}",
    S,
)
bt_err(
    "unknown_indicator",
    on_close({"indicator": "smaa", "period": 3}),
    f"unknown indicator 'smaa' at entry.gt[0]; {mean('smaa', INDICATORS)}",
    S,
)
bt_err(
    "unknown_indicator_bollinger",
    on_close({"indicator": "bollinger", "period": 3}),
    f"unknown indicator 'bollinger' at entry.gt[0]; {mean('bollinger', INDICATORS)}",
    S,
)
bt_err(
    "unknown_indicator_key",
    on_close({"indicator": "sma", "period": 3, "perod": 3}),
    f"unknown key 'perod' in entry.gt[0] (indicator 'sma'); {mean('perod', SMA_KEYS)}",
    S,
)
bt_err(
    "missing_required_period",
    on_close({"indicator": "sma"}),
    "entry.gt[0].period is required (indicator 'sma')",
    S,
)
bt_err(
    "missing_required_period_highest",
    on_close({"indicator": "highest", "source": "high"}),
    "entry.gt[0].period is required (indicator 'highest')",
    S,
)
for label, bad in (
    ("zero", 0),
    ("negative", -3),
    ("float", 10.0),
    ("bool", True),
    ("string", "10"),
    ("null", None),
    ("huge", 2**70),
    ("above_i32", 2**31),
):
    bt_err(
        f"period_{label}",
        on_close({"indicator": "sma", "period": bad}),
        int_msg("entry.gt[0].period", bad),
        S,
    )
bt_err(
    "rsi_period_zero",
    on_close({"indicator": "rsi", "period": 0}),
    int_msg("entry.gt[0].period", 0),
    S,
)
bt_err(
    "nested_path",
    {"entry": {"and": [E_OK, {"gt": [{"indicator": "sma", "period": 0}, 1.0]}]}},
    int_msg("entry.and[1].gt[0].period", 0),
    S,
)
bt_err(
    "exit_path",
    {"entry": E_OK, "exit": {"crosses_below": [sma(2), sma(-4)]}},
    int_msg("exit.crosses_below[1].period", -4),
    S,
)
bt_err(
    "short_exit_path",
    {
        "short_entry": {"lt": ["close", 9.0]},
        "short_exit": {"gt": ["close", {"indicator": "ema", "period": 0}]},
    },
    int_msg("short_exit.gt[1].period", 0),
    S,
    settings={"direction": "short_only"},
)
bt_err(
    "bbands_k_negative",
    {"entry": {"lt": ["close", {"indicator": "bbands", "k": -1.0, "output": "lower"}]}},
    "entry.lt[1].k must be a finite number >= 0, got -1.0",
    S,
)
bt_err(
    "bbands_k_string",
    {"entry": {"lt": ["close", {"indicator": "bbands", "k": "2", "output": "lower"}]}},
    "entry.lt[1].k must be a finite number >= 0, got '2'",
    S,
)
bt_err(
    "macd_fast_not_below_slow",
    {
        "entry": {
            "crosses_above": [
                {"indicator": "macd", "fast": 26, "slow": 12, "output": "macd"},
                MACD_SIGNAL,
            ]
        }
    },
    "entry.crosses_above[0] needs fast < slow, got fast=26 and slow=12",
    S,
)
bt_err(
    "macd_fast_equal_slow",
    {
        "entry": {
            "crosses_above": [
                MACD_LINE,
                {"indicator": "macd", "fast": 5, "slow": 5, "output": "signal"},
            ]
        }
    },
    "entry.crosses_above[1] needs fast < slow, got fast=5 and slow=5",
    S,
)
bt_err(
    "macd_output_required",
    on_close({"indicator": "macd"}),
    "entry.gt[0].output is required (indicator 'macd' has outputs macd, signal, hist)",
    S,
)
bt_err(
    "bbands_output_required",
    on_close({"indicator": "bbands", "period": 5}),
    "entry.gt[0].output is required (indicator 'bbands' has outputs upper, middle, lower)",
    S,
)
bt_err(
    "unknown_output",
    {"entry": {"lt": ["close", {"indicator": "bbands", "output": "up"}]}},
    "unknown output 'up' at entry.lt[1].output (indicator 'bbands'); "
    + mean("up", ("upper", "middle", "lower")),
    S,
)
bt_err(
    "output_on_a_one_output_indicator",
    on_close({"indicator": "sma", "period": 3, "output": "value"}),
    f"unknown key 'output' in entry.gt[0] (indicator 'sma'); {mean('output', SMA_KEYS)}",
    S,
)
bt_err(
    "source_on_atr",
    on_close({"indicator": "atr", "source": "close"}),
    "unknown key 'source' in entry.gt[0] (indicator 'atr'); "
    + mean("source", ("indicator", "period")),
    S,
)
bt_err(
    "placeholder_not_a_string",
    on_close({"indicator": "sma", "period": {"param": 1}}),
    "entry.gt[0].period.param must be a non-empty string, got 1",
    S,
)
bt_err(
    "placeholder_empty",
    on_close({"indicator": "sma", "period": {"param": ""}}),
    "entry.gt[0].period.param must be a non-empty string, got ''",
    S,
)
bt_err(
    "placeholder_extra_key",
    on_close({"indicator": "sma", "period": {"param": "fast", "x": 1}}),
    "unknown key 'x' in entry.gt[0].period (param); did you mean 'param'?",
    S,
    params={"fast": 3},
)
bt_err(
    "shift_periods_zero",
    {"entry": {"gt": ["close", {"shift": "close", "periods": 0}]}},
    int_msg("entry.gt[1].periods", 0),
    S,
)
bt_err(
    "shift_of_a_non_series",
    {"entry": {"gt": ["close", {"shift": "clse"}]}},
    f"unknown price column 'clse' at entry.gt[1].shift; {mean('clse', PRICE_COLUMNS)}",
    S,
)
bt_err(
    "constraint_with_a_column",
    {**PARAM_CROSS, "constraint": {"lt": ["close", 5]}},
    "constraint.lt[0] must be a number or {\"param\": name} in a constraint, got 'close'",
    S,
    params={"fast": 2, "slow": 4},
)
# the documented order
bt_err(
    "order_indicator_key_first",
    on_close({"period": 0, "indicator": "smaa"}),
    f"unknown indicator 'smaa' at entry.gt[0]; {mean('smaa', INDICATORS)}",
    S,
)
bt_err(
    "order_keys_as_written",
    {"exit": {"lt": ["close", "clse"]}, "entry": {"gt": ["hgh", 1.0]}},
    f"unknown price column 'clse' at exit.lt[1]; {mean('clse', PRICE_COLUMNS)}",
    S,
)
bt_err(
    "order_indicator_keys_as_written",
    on_close({"indicator": "sma", "source": "clse", "period": 0}),
    f"unknown price column 'clse' at entry.gt[0].source; {mean('clse', PRICE_COLUMNS)}",
    S,
)

# -- settings --------------------------------------------------------------------------------
P = "invalid_parameter"
for setting, value, message in (
    ("initial_capital", -5.0, "initial_capital must be a finite number > 0, got -5.0"),
    ("initial_capital", 0, "initial_capital must be a finite number > 0, got 0"),
    ("commission_rate", 1.0, "commission_rate must be in [0, 1), got 1.0"),
    ("commission_rate", -0.001, "commission_rate must be in [0, 1), got -0.001"),
    ("fixed_fee", -1.0, "fixed_fee must be a finite number >= 0, got -1.0"),
    ("slippage", 1.0, "slippage must be in [0, 1), got 1.0"),
    ("fill", "open", "fill must be 'next_open' or 'close', got 'open'"),
    ("fill", 1, "fill must be 'next_open' or 'close', got 1"),
    ("lot_size", -1.0, "lot_size must be a finite number >= 0, got -1.0"),
    ("periods_per_year", 0.0, "periods_per_year must be a finite number > 0, got 0.0"),
    ("direction", "long", "direction must be 'long_only', 'short_only' or 'both', got 'long'"),
    ("direction", None, "direction must be 'long_only', 'short_only' or 'both', got null"),
    ("size_type", "units", "size_type must be 'percent', 'value' or 'amount', got 'units'"),
    ("size", 1.5, "size must be in (0, 1] for size_type 'percent', got 1.5"),
    ("size", 0.0, "size must be in (0, 1] for size_type 'percent', got 0.0"),
    ("stop_loss", 1.5, "stop_loss must be in (0, 1), got 1.5"),
    ("stop_loss", 0.0, "stop_loss must be in (0, 1), got 0.0"),
    ("take_profit", 0.0, "take_profit must be a finite number > 0, got 0.0"),
    ("take_profit", -0.5, "take_profit must be a finite number > 0, got -0.5"),
    ("trailing_stop", 0.0, "trailing_stop must be in (0, 1), got 0.0"),
    ("trailing_stop", 1.0, "trailing_stop must be in (0, 1), got 1.0"),
    ("initial_capital", "x", "initial_capital must be a number, got 'x'"),
    ("commission_rate", True, "commission_rate must be a number, got true"),
    ("stop_loss", "0.05", "stop_loss must be a number, got '0.05'"),
):
    label = f"{setting}_{value_text(value)}".replace("'", "").replace("-", "minus_")
    label = label.replace(".", "_")
    bt_err(f"setting_{label}", sma_cross(2, 4), message, P, settings={setting: value})
bt_err(
    "setting_size_for_value",
    sma_cross(2, 4),
    "size must be a finite number > 0 for size_type 'value', got 0.0",
    P,
    settings={"size_type": "value", "size": 0.0},
)
bt_err(
    "setting_size_for_amount",
    sma_cross(2, 4),
    "size must be a finite number > 0 for size_type 'amount', got -1.0",
    P,
    settings={"size_type": "amount", "size": -1.0},
)
bt_err(
    "unknown_setting",
    sma_cross(2, 4),
    f"unknown setting 'comission'; {mean('comission', SETTING_NAMES)}",
    P,
    settings={"comission": 0.001},
)
bt_err(
    "unknown_setting_stop",
    sma_cross(2, 4),
    f"unknown setting 'stoploss'; {mean('stoploss', SETTING_NAMES)}",
    P,
    settings={"stoploss": 0.05},
)
bt_err(
    "strategy_settings_not_an_object",
    {**sma_cross(2, 4), "settings": 1},
    "strategy.settings must be an object, got 1",
    S,
)  # a shape of the tree: its code
bt_err(
    "strategy_settings_unknown",
    {**sma_cross(2, 4), "settings": {"comission": 0.001}},
    f"unknown setting 'comission' in strategy.settings; {mean('comission', SETTING_NAMES)}",
    P,
)
bt_err(
    "strategy_settings_bad_value",
    {**sma_cross(2, 4), "settings": {"stop_loss": 1.5}},
    "strategy.settings.stop_loss must be in (0, 1), got 1.5",
    P,
)
# the documented order: unknown names first, then the table order (not the order given)
bt_err(
    "order_settings_table_order",
    sma_cross(2, 4),
    "initial_capital must be a finite number > 0, got -5.0",
    P,
    settings={"commission_rate": 1.0, "initial_capital": -5.0},
)
bt_err(
    "order_unknown_setting_first",
    sma_cross(2, 4),
    f"unknown setting 'comission'; {mean('comission', SETTING_NAMES)}",
    P,
    settings={"initial_capital": -5.0, "comission": 0.001},
)
bt_err(
    "order_size_type_before_size",
    sma_cross(2, 4),
    "size_type must be 'percent', 'value' or 'amount', got 'units'",
    P,
    settings={"size": 1.5, "size_type": "units"},
)

# -- sides against the direction ---------------------------------------------------------------
SHORT_E = {"crosses_below": [sma(2), sma(4)]}
SHORT_X = {"crosses_above": [sma(2), sma(4)]}
bt_err(
    "short_side_with_long_only",
    {"entry": E_OK, "exit": X_OK, "short_entry": SHORT_E},
    "the strategy has a short side (short_entry/short_exit) but direction is 'long_only'; "
    "pass direction='both' or 'short_only'",
    S,
)
bt_err(
    "short_exit_only_with_long_only",
    {"entry": E_OK, "short_exit": SHORT_X},
    "the strategy has a short side (short_entry/short_exit) but direction is 'long_only'; "
    "pass direction='both' or 'short_only'",
    S,
)
bt_err(
    "long_side_with_short_only",
    {"entry": E_OK, "short_entry": SHORT_E, "short_exit": SHORT_X},
    "the strategy has a long side (entry/exit) but direction is 'short_only'; "
    "pass direction='both' or 'long_only'",
    S,
    settings={"direction": "short_only"},
)
bt_err(
    "long_side_with_short_only_from_strategy_settings",
    {"exit": X_OK, "short_entry": SHORT_E, "settings": {"direction": "short_only"}},
    "the strategy has a long side (entry/exit) but direction is 'short_only'; "
    "pass direction='both' or 'long_only'",
    S,
)
bt_err(
    "needs_entry_long_only",
    {"exit": X_OK},
    "the strategy needs an entry for direction 'long_only'",
    S,
)
bt_err(
    "needs_entry_both",
    {"short_entry": SHORT_E, "short_exit": SHORT_X},
    "the strategy needs an entry for direction 'both'",
    S,
    settings={"direction": "both"},
)
bt_err(
    "needs_short_entry_short_only",
    {"short_exit": SHORT_X},
    "the strategy needs a short_entry for direction 'short_only'",
    S,
    settings={"direction": "short_only"},
)
bt_err(
    "needs_short_entry_both",
    sma_cross(2, 4),
    "the strategy needs a short_entry for direction 'both'",
    S,
    settings={"direction": "both"},
)

# -- params of a run -------------------------------------------------------------------------
G = "invalid_grid"
bt_err(
    "param_missing",
    PARAM_CROSS,
    "missing value for param 'fast' (used at entry.crosses_above[0].period)",
    G,
    params={"slow": 4},
)
bt_err(
    "param_missing_no_params",
    {"entry": E_OK, "exit": {"lt": ["close", {"param": "floor"}]}},
    "missing value for param 'floor' (used at exit.lt[1])",
    G,
)
bt_err(
    "param_bound_zero",
    PARAM_CROSS,
    int_msg("entry.crosses_above[0].period", 0),
    S,
    params={"fast": 0, "slow": 4},
)
bt_err(
    "param_bound_float",
    PARAM_CROSS,
    int_msg("entry.crosses_above[1].period", 4.5),
    S,
    params={"fast": 2, "slow": 4.5},
)
bt_err(
    "param_bound_macd",
    {
        "entry": {
            "crosses_above": [
                {
                    "indicator": "macd",
                    "fast": {"param": "f"},
                    "slow": {"param": "s"},
                    "output": "macd",
                },
                MACD_SIGNAL,
            ]
        }
    },
    "entry.crosses_above[0] needs fast < slow, got fast=26 and slow=12",
    S,
    params={"f": 26, "s": 12},
)
bt_err(
    "param_unknown",
    PARAM_CROSS,
    f"unknown param 'fsat'; {mean('fsat', ('fast', 'slow'))}",
    G,
    params={"fast": 2, "slow": 4, "fsat": 3},
)

# -- sweeps ----------------------------------------------------------------------------------
sweep_err("sweep_params_empty", PARAM_CROSS, {}, "params is empty", G)
sweep_err(
    "sweep_values_empty", PARAM_CROSS, {"fast": [], "slow": [4]}, "params['fast'] is empty", G
)
sweep_err(
    "sweep_values_not_a_list",
    PARAM_CROSS,
    {"fast": 5, "slow": [4]},
    "params['fast'] must be a list of numbers, got 5",
    G,
)
sweep_err(
    "sweep_constraint_leaves_nothing",
    PARAM_CROSS,
    {"fast": [5, 6], "slow": [3, 4]},
    "the constraint leaves no combination of params",
    G,
    constraint=FAST_LT_SLOW,
)
sweep_err(
    "sweep_strategy_constraint_leaves_nothing",
    {**PARAM_CROSS, "constraint": FAST_LT_SLOW},
    {"fast": [5, 6], "slow": [3, 4]},
    "the constraint leaves no combination of params",
    G,
)
sweep_err(
    "sweep_combination_checked",
    PARAM_CROSS,
    {"fast": [2, 0], "slow": [4]},
    int_msg("entry.crosses_above[0].period", 0),
    S,
)
sweep_err(
    "sweep_param_missing",
    PARAM_CROSS,
    {"fast": [2, 3]},
    "missing value for param 'slow' (used at entry.crosses_above[1].period)",
    G,
)
sweep_err(
    "sweep_param_unknown",
    PARAM_CROSS,
    {"fast": [2], "slow": [4], "fsat": [3]},
    f"unknown param 'fsat'; {mean('fsat', ('fast', 'slow'))}",
    G,
)
sweep_err(
    "sweep_bad_setting",
    PARAM_CROSS,
    {"fast": [2], "slow": [4]},
    "fill must be 'next_open' or 'close', got 'open'",
    P,
    settings={"fill": "open"},
)

# -- raw signals -----------------------------------------------------------------------------
sig_err(
    "signals_entries_short",
    f"entries has {N_ERR - 1} values but the data has {N_ERR} bars",
    entries=[False] * (N_ERR - 1),
)
sig_err(
    "signals_exits_long",
    f"exits has {N_ERR + 1} values but the data has {N_ERR} bars",
    exits=[False] * (N_ERR + 1),
)
sig_err(
    "signals_short_entries_length",
    f"short_entries has 3 values but the data has {N_ERR} bars",
    settings={"direction": "both"},
    short_entries=[False] * 3,
    short_exits=[False] * N_ERR,
)
sig_err(
    "signals_entries_integer",
    "entries at row 3 must be a boolean, got 1",
    entries=[False] * 3 + [1] + [False] * (N_ERR - 4),
)
sig_err(
    "signals_exits_float",
    "exits at row 0 must be a boolean, got 0.0",
    exits=[0.0] + [False] * (N_ERR - 1),
)
sig_err(
    "signals_exits_null",
    "exits at row 5 must be a boolean, got null",
    exits=[False] * 5 + [None] + [False] * (N_ERR - 6),
)
sig_err(
    "signals_short_exits_string",
    "short_exits at row 2 must be a boolean, got 'x'",
    settings={"direction": "both"},
    short_entries=[False] * N_ERR,
    short_exits=[False, False, "x"] + [False] * (N_ERR - 3),
)


def build_errors():
    names = [e["name"] for e in ERRORS]
    assert len(set(names)) == len(names), "duplicate error case names"
    # The suggestions the CONVENTIONS examples promise, by the nearest-name rule.
    assert nearest("entyr", STRATEGY_KEYS) == "entry"
    # (CONVENTIONS' example 'crosses' -> 'crosses_above' contradicts its own rule: 'ge', 'le',
    # both crosses and 'or', 'not' are all at distance 6 and 'ge' is listed first; not used.)
    assert nearest("crosses", CONDITIONS) == "ge"
    assert nearest("crosses_abve", CONDITIONS) == "crosses_above"
    assert nearest("clse", PRICE_COLUMNS) == "close"
    assert nearest("smaa", INDICATORS) == "sma"
    assert nearest("perod", SMA_KEYS) == "period"
    assert nearest("up", ("upper", "middle", "lower")) == "upper"
    assert nearest("output", SMA_KEYS) == "source"
    assert nearest("comission", SETTING_NAMES) == "commission_rate"
    assert nearest("fsat", ("fast", "slow")) == "fast"
    for e in ERRORS:
        assert e["code"] in (
            "invalid_parameter",
            "invalid_strategy",
            "invalid_grid",
            "invalid_signals",
        ), e["name"]
    return ERRORS


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def to_json(value, indent=0) -> str:
    """Readable JSON: a value whose compact form fits in a line stays on one line (small trees,
    price arrays, trades stay legible); larger objects and lists are broken one item a line."""
    compact = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(", ", ": "))
    scalars = isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value)
    if len(compact) + indent <= 100 or scalars or not isinstance(value, (list, dict)):
        return compact
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + to_json(v, indent + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dump(path: Path, obj) -> None:
    text = to_json(obj)
    assert json.loads(text) == obj
    path.write_text(text + "\n", encoding="utf-8")


def main():
    cases = build_seed_cases() + build_new_cases()
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    for c in cases:
        assert list(c["expected"]["metrics"]) == list(METRICS), c["name"]
        assert len(c["expected"]["equity_curve"]) == len(c["data"]["close"]), c["name"]
    errors = build_errors()
    dump(HERE / "strategies.json", cases)
    dump(HERE / "strategy_errors.json", errors)
    print(f"wrote {len(cases)} cases to {HERE / 'strategies.json'}")
    print(f"wrote {len(errors)} error cases to {HERE / 'strategy_errors.json'}")


if __name__ == "__main__":
    main()
