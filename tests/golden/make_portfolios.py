"""Writes the portfolio golden data: tests/golden/portfolios.json and
tests/golden/portfolio_errors.json.

Run from the repository root:  .venv/bin/python tests/golden/make_portfolios.py

Like make_strategies.py it does not use the project's engine. Each asset's signals are decided
exactly by make_strategies' Evaluator (rational arithmetic, no near-ties); the portfolio is
simulated here from SPEC part 10 and docs/CONVENTIONS.md ("Portfolios") with plain IEEE-754
doubles in the documented order: on each date of the union calendar, over the assets that have
a bar on it, (1) the pending orders' exits at the open, then their entries, in universe order;
(2) the stops; (3) the signals, a close fill's exits before its entries; (4) the equity = cash
plus each asset's signed position value at its last close, in universe order. A percent size is
of the free cash at the moment of the entry (the cash less every open short's proceeds and
basis), or with ``max_positions = k`` of free cash / (k - open positions), an entry beyond k
open positions doing nothing; free cash at most 1e-9 of the capital is rounding dust, and an
entry finding only that does nothing. Every case states its trades by
hand (symbol, entry bar, exit bar, exit reason, in closing order); the simulation must agree.

Deterministic: the same script always writes byte-identical files.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_golden as mg  # noqa: E402
import make_strategies as ms  # noqa: E402

METRICS = ms.METRICS


def gt(x):
    return {"gt": ["close", x]}


def lt(x):
    return {"lt": ["close", x]}


# Level rules: in above 10.5, out below 9.5 (decided exactly on 2-decimal prices).
LEVELS = {"entry": gt(10.5), "exit": lt(9.5)}


def asset(symbol, closes, dates, **overrides):
    d = ms.bars(closes, symbol=symbol, **overrides)
    d["dates"] = list(dates)
    return d


CALENDAR = mg.business_days("2024-01-01", 30)


def simulate(universe, strategies, settings, name, signals=None):
    """The portfolio run. ``strategies``: one tree per asset (universe order). ``signals``:
    optional, per asset its four signal lists (entries, exits, short_entries, short_exits) on
    its own bars, in place of its tree's (a walk-forward decides them on more bars than a
    window's and cuts them to it)."""
    slots = settings.get("max_positions")
    run_settings = {k: v for k, v in settings.items() if k != "max_positions"}
    union = sorted({d for a in universe for d in a["dates"]})
    m = len(universe)
    S, flags, own = [], [], []
    for i, (a, tree) in enumerate(zip(universe, strategies)):
        s = dict(ms.SETTING_DEFAULTS)
        s.update(tree.get("settings") or {})
        s.update(run_settings)
        S.append(s)
        sig = signals[i] if signals is not None else ms.strategy_signals(a, tree, None, name)[0]
        n_own = len(a["close"])
        le, lx = sig["entries"], sig["exits"]
        se = sig["short_entries"] or [False] * n_own
        sx = sig["short_exits"] or [False] * n_own
        if s["direction"] == "long_only":
            se = sx = [False] * n_own
        if s["direction"] == "short_only":
            le = lx = [False] * n_own
        flags.append(
            [
                (
                    le[j] and not lx[j],
                    lx[j] and not le[j],
                    se[j] and not sx[j],
                    sx[j] and not se[j],
                )
                for j in range(n_own)
            ]
        )
        own.append({d: j for j, d in enumerate(a["dates"])})
    capital = S[0]["initial_capital"]
    book = {"cash": capital}
    pos = [
        {
            "side": 0,
            "q": 0.0,
            "entry": None,
            "P": None,
            "basis": None,
            "proceeds": None,
            "best": None,
            "pending": None,
            "opened_now": False,
        }
        for _ in range(m)
    ]
    trades, equity, cash_curve, in_market = [], [], [], []
    values = [[] for _ in range(m)]
    last_close = [0.0] * m
    held = [0] * m

    def open_positions():
        return sum(1 for p in pos if p["side"] != 0)

    def free():
        """The cash less what each open short holds back (proceeds + basis), universe order."""
        held = 0.0
        for st in pos:
            if st["side"] == -1:
                held += st["proceeds"] + st["basis"]
        return book["cash"] - held

    def open_(i, side, u, p):
        s, st = S[i], pos[i]
        k, F = 1.0 + s["commission_rate"], s["fixed_fee"]
        if slots is not None:
            if open_positions() >= slots:
                return
            available = free() / float(slots - open_positions())
        else:
            available = free()
        if available <= 1e-9 * capital:  # rounding dust left by an all-in entry
            return
        if s["size_type"] == "percent":
            q = (available * (1.0 if slots is not None else s["size"]) - F) / (p * k)
        else:
            raise AssertionError("the cases size by percent")
        if not q > 0:
            return
        basis = q * p * k + F
        if side == 1:
            book["cash"] = book["cash"] - basis
        else:
            st["proceeds"] = q * p * (1.0 - s["commission_rate"]) - F
            book["cash"] = book["cash"] + st["proceeds"]
        st.update(side=side, q=q, entry=u, P=p, basis=basis, best=p)

    def close_(i, u, p, reason):
        s, st = S[i], pos[i]
        k, mm, F = 1.0 + s["commission_rate"], 1.0 - s["commission_rate"], s["fixed_fee"]
        q = st["q"]
        if st["side"] == 1:
            proceeds = q * p * mm - F
            book["cash"] = book["cash"] + proceeds
            pnl = proceeds - st["basis"]
        else:
            cost = q * p * k + F
            book["cash"] = book["cash"] - cost
            pnl = st["proceeds"] - cost
        trades.append(
            {
                "symbol": universe[i]["symbol"],
                "entry_index": st["entry"],
                "exit_index": u,
                "entry_date": union[st["entry"]],
                "exit_date": union[u],
                "entry_price": st["P"],
                "exit_price": p,
                "size": q,
                "pnl": pnl,
                "return_pct": pnl / st["basis"],
                "bars_held": u - st["entry"],
                "direction": "long" if st["side"] == 1 else "short",
                "exit_reason": reason,
            }
        )
        st.update(side=0, q=0.0)

    def slip(i, raw, buy):
        return raw * (1.0 + S[i]["slippage"]) if buy else raw * (1.0 - S[i]["slippage"])

    def exit_leg(i, order, u, raw):
        side = pos[i]["side"]
        if order == "close":
            close_(i, u, slip(i, raw, side == -1), "signal")
        elif order in ("reverse to long", "reverse to short"):
            close_(i, u, slip(i, raw, order == "reverse to long"), "reverse")

    def entry_leg(i, order, u, raw):
        if order in ("open long", "reverse to long"):
            open_(i, 1, u, slip(i, raw, True))
        elif order in ("open short", "reverse to short"):
            open_(i, -1, u, slip(i, raw, False))

    def stop(i, u, j):
        s, st, a = S[i], pos[i], universe[i]
        o, h, lo = a["open"][j], a["high"][j], a["low"][j]
        assert s["trailing_stop"] is None, "the cases use fixed stops"
        P, long = st["P"], st["side"] == 1
        sl = (
            None
            if s["stop_loss"] is None
            else (P * (1.0 - s["stop_loss"]) if long else P * (1.0 + s["stop_loss"]))
        )
        tp = (
            None
            if s["take_profit"] is None
            else (P * (1.0 + s["take_profit"]) if long else P * (1.0 - s["take_profit"]))
        )
        adverse, favourable = (lo, h) if long else (h, lo)

        def beyond_loss(x):
            return sl is not None and (x <= sl if long else x >= sl)

        def beyond_profit(x):
            return tp is not None and (x >= tp if long else x <= tp)

        for x, level in ((o, sl), (o, tp), (adverse, sl), (favourable, tp)):
            if level is not None:
                ms.far_apart(x, level, f"stop of {a['symbol']} at {union[u]}", name)
        if not st["opened_now"] and beyond_loss(o):
            close_(i, u, o, "stop_loss")
        elif beyond_loss(adverse):
            close_(i, u, sl, "stop_loss")
        elif not st["opened_now"] and beyond_profit(o):
            close_(i, u, o, "take_profit")
        elif beyond_profit(favourable):
            close_(i, u, tp, "take_profit")
        else:
            return False
        return True

    def wanted(i, sig):
        le, lx, se, sx = sig
        side = pos[i]["side"]
        if side == 0:
            return "open long" if le and not se else "open short" if se and not le else None
        if side == 1:
            return "reverse to short" if se else "close" if lx else None
        return "reverse to long" if le else "close" if sx else None

    for u, date in enumerate(union):
        active = [(i, own[i][date]) for i in range(m) if date in own[i]]
        for i, _ in active:
            pos[i]["opened_now"] = False
        pending = [(i, j, pos[i]["pending"]) for i, j in active if pos[i]["pending"]]
        for i, j, order in pending:
            exit_leg(i, order, u, universe[i]["open"][j])
        for i, j, order in pending:
            pos[i]["pending"] = None
            entry_leg(i, order, u, universe[i]["open"][j])
            pos[i]["opened_now"] = pos[i]["side"] != 0 and pos[i]["entry"] == u
        stopped = set()
        for i, j in active:
            if pos[i]["side"] != 0 and (
                S[i]["stop_loss"] is not None or S[i]["take_profit"] is not None
            ):
                if stop(i, u, j):
                    stopped.add(i)
        orders = []
        for i, j in active:
            if i in stopped:
                continue
            order = wanted(i, flags[i][j])
            if order is None:
                continue
            if S[i]["fill"] == "close":
                orders.append((i, j, order))
            else:
                pos[i]["pending"] = order
        for i, j, order in orders:
            exit_leg(i, order, u, universe[i]["close"][j])
        for i, j, order in orders:
            entry_leg(i, order, u, universe[i]["close"][j])
        for i, j in active:
            last_close[i] = universe[i]["close"][j]
        e = book["cash"]
        for i in range(m):
            st = pos[i]
            v = (
                0.0
                if st["side"] == 0
                else (st["q"] * last_close[i] if st["side"] == 1 else -(st["q"] * last_close[i]))
            )
            e += v
            values[i].append(v)
            held[i] += st["side"] != 0
        equity.append(e)
        cash_curve.append(book["cash"])
        in_market.append(any(p["side"] != 0 for p in pos))
    still_open = [(universe[i]["symbol"], pos[i]["entry"]) for i in range(m) if pos[i]["side"] != 0]
    return union, trades, equity, cash_curve, values, in_market, held, still_open


def make_case(name, description, universe, strategy, settings, expect, open_at_end=(), check=None):
    strategies = (
        [strategy[a["symbol"]] for a in universe]
        if not any(k in ms.STRATEGY_KEYS for k in strategy)
        else [strategy] * len(universe)
    )
    union, trades, equity, cash, values, in_market, held, still_open = simulate(
        universe, strategies, settings, name
    )
    got = [(t["symbol"], t["entry_index"], t["exit_index"], t["exit_reason"]) for t in trades]
    assert got == list(expect), f"{name}: trades {got} != {expect}"
    assert still_open == list(open_at_end), f"{name}: open at end {still_open}"
    run_settings = {k: v for k, v in settings.items() if k != "max_positions"}
    merged = dict(strategies[0].get("settings") or {})
    merged.update(run_settings)
    mets = ms.all_metrics(equity, merged, trades, [1.0, 1.0], in_market, name)
    bh = 0.0
    for a in universe:
        bh += a["close"][-1] / a["close"][0] - 1.0
    mets["buy_and_hold_return"] = bh / float(len(universe))
    assets = []
    for a, h in zip(universe, held):
        mine = [t for t in trades if t["symbol"] == a["symbol"]]
        pnl = 0.0
        for t in mine:
            pnl += t["pnl"]
        wins = sum(1 for t in mine if t["pnl"] > 0)
        assets.append(
            {
                "symbol": a["symbol"],
                "trade_count": len(mine),
                "pnl": pnl,
                "win_rate": float(wins) / float(len(mine)) * 100.0 if mine else 0.0,
                "exposure": float(h) / float(len(union)),
            }
        )
    case = {
        "name": name,
        "description": description,
        "universe": universe,
        "request": {"strategy": strategy, "settings": settings},
        "expected": {
            "dates": union,
            "trades": trades,
            "equity_curve": equity,
            "cash": cash,
            "position_values": {a["symbol"]: v for a, v in zip(universe, values)},
            "assets": assets,
            "metrics": mets,
        },
    }
    if check:
        check(case)
    return case


def build_cases():
    C = CALENDAR
    cases = []
    # 1. Shared cash, close fills, size 0.4: A and C enter on bar 2, A first (universe order).
    a = asset("A", [10, 10.2, 10.6, 10.8, 11, 10.9, 9.4, 9.6, 10.7, 10.8, 10.9, 11], C[:12])
    b = asset("B", [10, 10.6, 10.8, 11, 11.2, 11.1, 11.3, 11.0, 10.8, 9.3, 9.6, 9.8], C[:12])
    c = asset("C", [10, 10.1, 10.7, 10.9, 9.2, 9.8, 10.2, 10.4, 10.6, 10.9, 11.1, 11.3], C[:12])

    def first_entries(case):
        t = case["expected"]["trades"]
        cap = 100000.0
        qb = (cap * 0.4) / (10.6 * 1.001)
        cash = cap - (qb * 10.6 * 1.001)
        qa = (cash * 0.4) / (10.6 * 1.001)
        assert t[0]["symbol"] == "C" and t[1]["symbol"] == "A"
        assert [x for x in t if x["symbol"] == "B"][0]["size"] == qb
        assert [x for x in t if x["symbol"] == "A"][0]["size"] == qa

    cases.append(
        make_case(
            "shared_cash_close_fills",
            "Three assets, one calendar, size 0.4 of the cash at each entry, close fills: B enters "
            "on bar 1 with 0.4 of the capital, A and C on bar 2 (A first, with 0.4 of what is "
            "left, then C with 0.4 of the rest); C exits on bar 4, A on 6, B on 9; A and C enter "
            "again on bar 8.",
            [a, b, c],
            LEVELS,
            {"size": 0.4, "fill": "close"},
            [("C", 2, 4, "signal"), ("A", 2, 6, "signal"), ("B", 1, 9, "signal")],
            open_at_end=[("A", 8), ("C", 8)],
            check=first_entries,
        )
    )
    # 2. Exits before entries at the next open: A's exit and B's entry are signalled on bar 5;
    # at bar 6's open A's sale comes first, so B gets 0.9 of the cash that sale returned.
    a = asset("A", [10, 10.6, 10.8, 11, 11.2, 9.3, 9.4, 9.6, 9.7, 9.8], C[:10])
    b = asset("B", [10, 10.2, 10.1, 10.3, 10.4, 10.7, 10.9, 11.1, 11.3, 11.6], C[:10])

    def b_funded_by_a(case):
        t = case["expected"]["trades"]
        assert t[0]["symbol"] == "A" and t[0]["exit_index"] == 6
        v = case["expected"]["position_values"]["B"][6]
        assert v > 0.5 * case["expected"]["equity_curve"][6], "B must get A's cash"

    cases.append(
        make_case(
            "exits_before_entries_next_open",
            "Next-open fills, size 0.9: A (entered at bar 2's open) signals its exit on bar 5 "
            "and B its entry on the same bar; at bar 6's open A's exit fills first, so B's "
            "entry is 0.9 of the cash that includes A's proceeds.",
            [a, b],
            LEVELS,
            {"size": 0.9},
            [("A", 2, 6, "signal")],
            open_at_end=[("B", 6)],
            check=b_funded_by_a,
        )
    )
    # 3. Equal slots: max_positions 2, four assets.
    a = asset("A", [10, 10.6, 10.8, 9.2, 9.4, 9.6, 9.8, 9.9, 9.7, 9.6], C[:10])
    b = asset("B", [10, 10.7, 10.9, 11.1, 11.2, 11.4, 11.3, 11.5, 11.6, 11.8], C[:10])
    c = asset("C", [10, 10.8, 10.9, 11.0, 11.2, 11.1, 9.1, 9.2, 9.4, 9.3], C[:10])
    d = asset("D", [10, 10.1, 10.2, 10.3, 10.6, 10.8, 11.0, 11.2, 11.1, 11.3], C[:10])

    def slots(case):
        pv = case["expected"]["position_values"]
        assert pv["C"][1] == 0.0 and pv["C"][3] > 0.0  # no slot on bar 1; A's exit frees one
        assert pv["D"][4] == 0.0 and pv["D"][6] > 0.0  # full until C's exit at bar 6

    cases.append(
        make_case(
            "equal_slots",
            "max_positions 2, close fills: on bar 1 A, B and C signal entries; A gets cash/2, B "
            "cash/1 of the rest, C nothing (no slot). A exits on bar 3 and C (still above 10.5) "
            "takes the free slot the same bar, after A's exit; D's entries from bar 4 find no "
            "slot until C exits on bar 6.",
            [a, b, c, d],
            LEVELS,
            {"max_positions": 2, "fill": "close"},
            [("A", 1, 3, "signal"), ("C", 3, 6, "signal")],
            open_at_end=[("B", 1), ("D", 6)],
            check=slots,
        )
    )
    # 4. A union calendar: B starts late and skips a day, C ends early with a position open.
    a = asset("A", [10, 10.1, 10.2, 10.1, 10.3, 10.2, 10.4, 10.3, 10.2, 10.1], C[:10])
    b_dates = [C[3], C[4], C[5], C[7], C[8], C[9]]
    b = asset("B", [10, 10.7, 10.9, 11.2, 9.1, 9.3], b_dates)
    c = asset("C", [10, 10.6, 10.9, 11.1, 11.4], C[:5])

    def union(case):
        e = case["expected"]
        assert e["position_values"]["B"][:5] == [0.0] * 5  # B's first fill is on union bar 5
        assert e["position_values"]["B"][6] == e["position_values"]["B"][5]  # no B bar on 6
        assert e["position_values"]["C"][9] == e["position_values"]["C"][4]  # C's last close
        assert e["trades"][0]["exit_date"] == C[9]  # signalled on C[8], filled at B's next bar

    cases.append(
        make_case(
            "union_calendar_next_open",
            "Three calendars: A trades every day and never signals, B starts on the fourth day "
            "and has no bar on the seventh, C stops after the fifth with a position open. "
            "Next-open fills, size 0.3: C's entry signalled on union bar 1 fills at bar 2's "
            "open; B's entry signalled on union bar 4 fills at its next own bar (5), its exit "
            "signalled on bar 8 at its next own bar (9); on the seventh day B and after its "
            "last day C are valued at their last close.",
            [a, b, c],
            LEVELS,
            {"size": 0.3},
            [("B", 5, 9, "signal")],
            open_at_end=[("C", 2)],
            check=union,
        )
    )
    # 5. A stop frees cash for another asset's entry on the same bar's close.
    a = asset(
        "A", [10, 10.6, 10.8, 10.7, 10.9, 10.2, 10.4, 10.48, 10.45, 10.3], C[:10], lows={5: 9.9}
    )
    b = asset("B", [10, 10.1, 10.2, 10.3, 10.2, 10.6, 10.8, 10.9, 11.0, 11.2], C[:10])
    cases.append(
        make_case(
            "stop_frees_cash_same_bar",
            "Close fills, size 0.95, stop_loss 0.05: A enters at bar 1's close (10.6) and its "
            "stop (10.07) is reached by bar 5's low (9.9); B's entry at bar 5's close gets 0.95 "
            "of the cash that includes what A's stop returned. A never closes above 10.5 again.",
            [a, b],
            LEVELS,
            {"size": 0.95, "fill": "close", "stop_loss": 0.05},
            [("A", 1, 5, "stop_loss")],
            open_at_end=[("B", 5)],
        )
    )
    # 6. One strategy per symbol; B shorts under its own direction "both".
    a = asset("A", [10, 10.6, 10.8, 11.0, 9.3, 9.6, 10.7, 10.9, 11.1, 11.0], C[:10])
    b = asset("B", [9.9, 9.4, 9.2, 9.0, 10.2, 10.6, 9.3, 9.1, 8.9, 8.8], C[:10])
    shorts = {
        "entry": gt(10.5),
        "exit": lt(9.5),
        "short_entry": lt(9.5),
        "short_exit": gt(10.0),
        "settings": {"direction": "both"},
    }
    cases.append(
        make_case(
            "per_symbol_strategies_short",
            "A dict of strategies: A the level rules long only, B with its own direction both "
            "(short below 9.5, cover above 10.0, long above 10.5). Close fills, size 0.5, "
            "commission 0.002: B shorts on bar 1 (its proceeds add to the shared cash), A and B "
            "both exit on bar 4 (A first: universe order), B goes long on 5 and reverses to "
            "short on 6 while A enters again.",
            [a, b],
            {"A": LEVELS, "B": shorts},
            {"size": 0.5, "fill": "close", "commission_rate": 0.002},
            [("A", 1, 4, "signal"), ("B", 1, 4, "signal"), ("B", 5, 6, "reverse")],
            open_at_end=[("A", 6), ("B", 6)],
        )
    )
    # 7. Shorts hold back cash: the second short is sized from the free cash.
    a = asset("A", [9.9, 9.4, 9.2, 9.0, 8.8, 8.9, 9.1, 10.2, 10.4, 10.3], C[:10])
    b = asset("B", [9.9, 9.8, 9.3, 9.1, 9.0, 8.7, 8.9, 9.2, 10.3, 10.5], C[:10])
    shorts_only = {"short_entry": lt(9.5), "short_exit": gt(10.0)}

    def free_cash(case):
        t = {x["symbol"]: x for x in case["expected"]["trades"]}
        a_, b_ = t["A"], t["B"]
        proceeds = a_["size"] * a_["entry_price"] * (1.0 - 0.001)
        basis = a_["size"] * a_["entry_price"] * (1.0 + 0.001)
        cash = 100000.0 + proceeds
        assert b_["size"] == ((cash - (proceeds + basis)) * 0.5) / (b_["entry_price"] * 1.001)

    cases.append(
        make_case(
            "shorts_size_from_free_cash",
            "Short only, close fills, size 0.5: A shorts on bar 1 (half the capital); B shorts on "
            "bar 2 with half of the free cash, the cash less A's proceeds and basis (not the "
            "cash, which A's proceeds raised); A covers on bar 7, B on bar 8.",
            [a, b],
            {**shorts_only, "settings": {"direction": "short_only"}},
            {"size": 0.5, "fill": "close"},
            [("A", 1, 7, "signal"), ("B", 2, 8, "signal")],
            check=free_cash,
        )
    )
    # 8. All in: the dust the first entry leaves is not cash.
    a = asset("A", [10, 10.6, 10.8, 11.0, 9.3, 9.6, 9.8, 10.0, 10.2, 10.1], C[:10])
    b = asset("B", [10, 10.7, 10.9, 11.1, 11.2, 11.0, 10.9, 9.2, 9.4, 9.6], C[:10])
    cases.append(
        make_case(
            "all_in_leaves_no_dust",
            "size 1.0 (the default), close fills: A and B signal on bar 1; A takes all the cash "
            "and B's entry finds only rounding dust (at most 1e-9 of the capital), so it does "
            "nothing; B enters on bar 4 with the cash A's exit returned.",
            [a, b],
            LEVELS,
            {"fill": "close"},
            [("A", 1, 4, "signal"), ("B", 4, 7, "signal")],
        )
    )
    return cases


def err(name, universe, request, error, code, build=None):
    case = {"name": name, "universe": universe, "request": request, "error": error, "code": code}
    if build:
        case["build"] = build
    return case


def build_errors():
    C = CALENDAR
    a = asset("A", [10, 10.6, 10.8, 9.2, 9.4], C[:5])
    b = asset("B", [10, 10.1, 10.7, 10.9, 9.1], C[:5])
    bad = asset("BAD", [10, 10.1, 10.2, 10.3, 10.4], C[:5])
    bad["open"][3] = 0.0
    ok = {"strategy": LEVELS, "settings": {}}
    unknown = (
        "strategy for unknown symbol 'C'; did you mean 'A'? (a strategy object has the keys "
        "entry, exit, short_entry, short_exit, settings, constraint)"
    )
    return [
        err(
            "empty_universe",
            [],
            ok,
            "the universe is empty: need at least 1 asset",
            "invalid_market_data",
        ),
        err(
            "duplicate_symbols",
            [a, b, a],
            ok,
            "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct",
            "invalid_market_data",
        ),
        err(
            "bad_row_in_one_asset",
            [a, bad],
            ok,
            "asset 'BAD': open at row 3 must be a finite number > 0, got 0.0",
            "invalid_market_data",
        ),
        err(
            "strategy_dict_missing_symbol",
            [a, b],
            {"strategy": {"A": LEVELS}, "settings": {}},
            "no strategy for symbol 'B': a dict of strategies names every symbol of the universe",
            "invalid_strategy",
        ),
        err(
            "strategy_dict_unknown_symbol",
            [a, b],
            {"strategy": {"A": LEVELS, "B": LEVELS, "C": LEVELS}, "settings": {}},
            unknown,
            "invalid_strategy",
        ),
        err(
            "max_positions_zero",
            [a, b],
            {"strategy": LEVELS, "settings": {"max_positions": 0}},
            "max_positions must be an integer >= 1, got 0",
            "invalid_parameter",
        ),
        err(
            "max_positions_float",
            [a, b],
            {"strategy": LEVELS, "settings": {"max_positions": 1.5}},
            "max_positions must be an integer >= 1, got 1.5",
            "invalid_parameter",
        ),
        err(
            "max_positions_with_size",
            [a, b],
            {"strategy": LEVELS, "settings": {"max_positions": 2, "size": 0.5}},
            "max_positions and size cannot be combined (asset 'A'): with max_positions = k an "
            "entry gets cash / (k - open positions)",
            "invalid_parameter",
        ),
        err(
            "unknown_setting_near_max_positions",
            [a, b],
            {"strategy": LEVELS, "settings": {"max_postions": 2}},
            "unknown setting 'max_postions'; did you mean 'max_positions'?",
            "invalid_parameter",
        ),
        err(
            "per_symbol_strategy_error_names_symbol",
            [a, b],
            {
                "strategy": {
                    "A": LEVELS,
                    "B": {"entry": {"gt": ["close", {"indicator": "sma", "period": 0}]}},
                },
                "settings": {},
            },
            "strategy for 'B': entry.gt[1].period must be an integer >= 1, got 0",
            "invalid_strategy",
        ),
        err(
            "per_symbol_initial_capital_disagrees",
            [a, b],
            {
                "strategy": {"A": LEVELS, "B": {**LEVELS, "settings": {"initial_capital": 5000.0}}},
                "settings": {},
            },
            "the strategy for 'B' sets initial_capital to 5000.0 but the portfolio's is "
            "100000.0: one cash account has one initial_capital",
            "invalid_parameter",
        ),
        err(
            "single_asset_refusal_still_applies",
            [a, b],
            {"strategy": LEVELS, "settings": {"commission_rate": 1.5}},
            "commission_rate must be in [0, 1), got 1.5",
            "invalid_parameter",
        ),
    ]


def main():
    cases = build_cases()
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    for c in cases:
        assert list(c["expected"]["metrics"]) == list(METRICS), c["name"]
        assert all(math.isfinite(x) for x in c["expected"]["equity_curve"]), c["name"]
    errors = build_errors()
    ms.dump(HERE / "portfolios.json", cases)
    ms.dump(HERE / "portfolio_errors.json", errors)
    print(f"wrote {len(cases)} cases to {HERE / 'portfolios.json'}")
    print(f"wrote {len(errors)} error cases to {HERE / 'portfolio_errors.json'}")


if __name__ == "__main__":
    main()
