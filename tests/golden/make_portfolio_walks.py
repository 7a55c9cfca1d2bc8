"""Writes the golden data of walk-forward on a universe: tests/golden/portfolio_walks.json and
tests/golden/portfolio_walk_errors.json.

Run from the repository root:  .venv/bin/python tests/golden/make_portfolio_walks.py

Like make_walks.py and make_portfolios.py it does not use the project's engine (no
`quant_backtest` import). It follows docs/CONVENTIONS.md, "Walk-forward (SPEC part 12)" and its
"On a universe", over "Portfolios (SPEC part 10)":
  * the union calendar (every distinct date of any asset, in order) and the windows over its
    bar count, by make_walks.window_ranges;
  * each asset's signals, per combination, decided exactly by make_strategies' Evaluator on all
    its own bars up to the last window's end (asserted causal: the same on every window's
    prefix), then cut to its own bars in a run's union bars;
  * a run (the train bars of a window, or its test bars) is make_portfolios.simulate of the
    assets that have at least one own bar in those union bars, in universe order, each on
    those bars alone, from flat with one cash account: the settings' initial capital for a
    train run, the equity the previous test ended with for a test run (the settings' for the
    first); its metrics those of that run, with `buy_and_hold_return` the equal-weight mean
    over its assets of last close / first close - 1 (summed in universe order);
  * the best combination on the train bars by `maximize`, with make_walks' robustness asserts
    (a chosen score beats every other by more than 1e-9 relative, or ties only an identical
    run; undefined never wins; all undefined: the first);
  * stitched as make_walks stitches (the test equity one after another as one run from the
    settings' initial capital, every test trade, the in-market flags), `buy_and_hold_return`
    the equal-weight mean over the assets with a bar in union bars [first test bar, last test
    bar], each its last close there over its first, less 1.
Every case states the chosen params of each window by hand, and a few facts its description
promises (an asset absent from a window, one position at a time, a crossing on a test's first
bar, ...); they are asserted.

portfolio_walks.json: a list of
  {"name", "description",
   "universe": [{"symbol", "dates", "open", "high", "low", "close", "volume"}, ...],
   "request": {"strategy": one tree for every asset, "params": {name: [values]},
               "settings": {... maybe "max_positions"}, "constraint": null | tree,
               "options": {"train", "test", optional "step", "anchored", "maximize"}},
   "expected": as walks.json's "expected" (make_walks.py's docstring), with every index and
       date the union calendar's, and every trade a portfolio trade as portfolios.json writes
       it ("symbol", then the trade's fields; indices in union bars of the whole universe)}.
portfolio_walk_errors.json: a list of {"name", "universe", "request" (as above), "error":
{"code", "message"}}: the sweep checked as a portfolio sweep checks it (settings and
max_positions, one strategy for every asset, the strategy, params and constraint, then
max_positions against the sizing of the first symbol), then the options, then the windows
against the union bars.
Trades, equity, params, indices and dates compare exactly; metrics as tests/golden/README.md
"Comparing" says (numpy wrote them); null = no value.

Deterministic: the same script always writes byte-identical files.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_golden as mg  # noqa: E402 - business days
import make_portfolios as mp  # noqa: E402 - the portfolio simulation
import make_strategies as ms  # noqa: E402 - exact signals, metrics, dump
import make_walks as mw  # noqa: E402 - windows, combinations, the choice, messages

METRICS = ms.METRICS
SIDES = mw.SIDES

# --------------------------------------------------------------------------------------------
# The walk on a universe, from CONVENTIONS
# --------------------------------------------------------------------------------------------


def own_bars(asset: dict, union_at: dict, bars: range) -> range:
    """The asset's own bars whose union bar is in `bars` (contiguous: its dates are ordered)."""
    js = [j for j, d in enumerate(asset["dates"]) if union_at[d] in bars]
    return range(js[0], js[-1] + 1) if js else range(0)


class PortfolioWalk:
    """One case's walk: per combination each asset's signals, the runs and the choices."""

    # make_walks' choice and its robustness asserts (uses self.name, self.maximize; each run's
    # [1] is its equity and [3] its metrics, as make_walks' runs)
    choose = mw.Walk.choose

    def __init__(self, name: str, universe: list, request: dict):
        self.name, self.universe, self.request = name, universe, request
        opts = request["options"]
        self.train, self.test = opts["train"], opts["test"]
        self.step = opts.get("step", self.test)
        self.anchored = opts.get("anchored", False)
        self.maximize = opts.get("maximize", "sharpe_ratio")
        assert self.step >= self.test and self.train >= 1 and self.test >= 1, name
        self.strategy = request["strategy"]
        assert any(k in ms.STRATEGY_KEYS for k in self.strategy), "one strategy for every asset"
        self.settings = ms.effective_settings(request)  # may hold max_positions
        self.metric_settings = {k: v for k, v in self.settings.items() if k != "max_positions"}
        assert self.settings.get("lot_size", 0.0) == 0.0, "make_portfolios has no lot sizes"
        self.capital = self.settings.get("initial_capital", ms.SETTING_DEFAULTS["initial_capital"])
        self.combos = mw.combinations(request["params"], request["constraint"])
        self.union = sorted({d for a in universe for d in a["dates"]})
        self.union_at = {d: u for u, d in enumerate(self.union)}
        self.n = len(self.union)
        self.windows = mw.window_ranges(self.n, self.train, self.test, self.step, self.anchored)
        assert 2 <= len(self.windows) <= 5, f"{name}: {len(self.windows)} windows"
        assert 2 <= len(self.combos) <= 6, f"{name}: {len(self.combos)} combinations"
        assert self.n <= 300, name
        # Per combination, per asset: the signals on its own bars up to the last window's end;
        # asserted causal (every window's end gives a prefix of them).
        last_end = self.windows[-1][1].stop
        self.signals = [
            [self.signals_before(a, c, last_end) for a in universe] for c in self.combos
        ]
        for c, per_asset in zip(self.combos, self.signals):
            for _, test in self.windows[:-1]:
                for a, sig in zip(universe, per_asset):
                    own = self.signals_before(a, c, test.stop)
                    cut = len(own["entries"])
                    assert all(own[k] == sig[k][:cut] for k in SIDES), f"{name}: not causal"

    def signals_before(self, asset: dict, combo: dict, end: int) -> dict:
        """The four signal series of `asset`, decided on its own bars before union bar `end`."""
        bars = own_bars(asset, self.union_at, range(0, end))
        if not bars:
            return {k: [] for k in SIDES}
        return mw.signals_up_to(asset, self.strategy, combo, bars.stop, f"{self.name} {combo}")

    def portfolio(self, bars: range) -> list:
        """The run's assets: (universe position, own bars) of those with a bar in `bars`."""
        out = []
        for i, a in enumerate(self.universe):
            own = own_bars(a, self.union_at, bars)
            if own:
                out.append((i, own))
        return out

    def run(self, c: int, bars: range, capital: float):
        """Combination c over union bars `bars` alone, from flat with `capital`: (trades with
        union indices of the whole universe, equity, in-market flags, metrics, the positions
        open at the end [(symbol, entry)], the run's assets (universe positions), each asset's
        value per bar {symbol: [f64]})."""
        members = self.portfolio(bars)
        sub = [mw.part(self.universe[i], own) for i, own in members]
        sig = [
            {k: self.signals[c][i][k][own.start : own.stop] for k in SIDES} for i, own in members
        ]
        settings = dict(self.request["settings"], initial_capital=capital)
        union, trades, equity, _, values, in_market, _, still_open = mp.simulate(
            sub, [self.strategy] * len(sub), settings, self.name, signals=sig
        )
        assert union == self.union[bars.start : bars.stop], f"{self.name}: a run's calendar"
        for t in trades:
            t["entry_index"] += bars.start
            t["exit_index"] += bars.start
            assert t["entry_date"] == self.union[t["entry_index"]], self.name
            assert t["exit_date"] == self.union[t["exit_index"]], self.name
        still_open = [(s, e + bars.start) for s, e in still_open]
        metric_settings = dict(self.metric_settings, initial_capital=capital)
        metrics = ms.all_metrics(
            equity, metric_settings, trades, [1.0, 1.0], in_market, f"{self.name} {bars}"
        )
        metrics["buy_and_hold_return"] = mean_buy_and_hold(sub)
        by_symbol = {a["symbol"]: v for a, v in zip(sub, values)}
        return trades, equity, in_market, metrics, still_open, [i for i, _ in members], by_symbol

    def expected(self) -> dict:
        capital = self.capital
        rows, curve, index, trades, in_market = [], [], [], [], []
        self.chosen, self.train_runs, self.test_runs = [], [], []
        for w, (train, test) in enumerate(self.windows):
            runs = [self.run(c, train, self.capital) for c in range(len(self.combos))]
            best = self.choose(runs, w)
            self.chosen.append(best)
            self.train_runs.append(runs)
            assert capital > 0 and math.isfinite(capital), self.name
            t_run = self.run(best, test, capital)
            self.test_runs.append(t_run)
            t_trades, t_equity, t_in, t_metrics = t_run[:4]
            u = self.union
            rows.append(
                {
                    "window": w,
                    "train_start_index": train.start,
                    "train_end_index": train.stop - 1,
                    "test_start_index": test.start,
                    "test_end_index": test.stop - 1,
                    "train_start": u[train.start],
                    "train_end": u[train.stop - 1],
                    "test_start": u[test.start],
                    "test_end": u[test.stop - 1],
                    "params": dict(self.combos[best]),
                    "in_sample": runs[best][3],
                    "out_of_sample": t_metrics,
                    "start_equity": capital,
                    "end_equity": t_equity[-1],
                    "in_sample_equity": runs[best][1],
                }
            )
            capital = t_equity[-1]
            curve += t_equity
            index += list(test)
            trades += t_trades
            in_market += t_in
        metrics = ms.all_metrics(
            curve, self.metric_settings, trades, [1.0, 1.0], in_market, f"{self.name} stitched"
        )
        span = range(self.windows[0][1].start, self.windows[-1][1].stop)
        metrics["buy_and_hold_return"] = mean_buy_and_hold(
            [mw.part(self.universe[i], own) for i, own in self.portfolio(span)]
        )
        return {
            "windows": rows,
            "metrics": metrics,
            "equity_curve": curve,
            "equity_index": index,
            "trades": trades,
            "names": list(self.request["params"]),
            "combinations": len(self.combos),
            "train": self.train,
            "test": self.test,
            "step": self.step,
            "anchored": self.anchored,
            "maximize": self.maximize,
        }


def mean_buy_and_hold(assets: list) -> float:
    """make_portfolios.make_case's mean: summed in universe order, over the count."""
    bh = 0.0
    for a in assets:
        bh += a["close"][-1] / a["close"][0] - 1.0
    return bh / float(len(assets))


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

FAST, SLOW = mw.FAST, mw.SLOW
SMA_CROSS = mw.SMA_CROSS
CALENDAR = mg.business_days("2023-01-02", 300)


def asset(symbol: str, closes: list, at: list) -> dict:
    """Bars around `closes` on the calendar days `at` (positions in CALENDAR)."""
    assert len(closes) == len(at) and at == sorted(set(at)), symbol
    return mp.asset(symbol, closes, [CALENDAR[k] for k in at])


def seeded(symbol: str, start: float, segments: list, seed: int, at: list) -> dict:
    closes = ms.walk(start, segments, seed)
    return asset(symbol, closes[: len(at)], at)


CASES: list[dict[str, Any]] = []


def add(
    name: str,
    description: str,
    universe: list,
    strategy: dict,
    params: dict,
    options: dict,
    chosen: list,
    settings: Optional[dict] = None,
    constraint: Optional[dict] = None,
    check: Optional[Callable] = None,
) -> None:
    """A case; `chosen`: the params each window picks (by hand, asserted)."""
    CASES.append(
        {
            "name": name,
            "description": description,
            "universe": universe,
            "request": {
                "strategy": strategy,
                "params": params,
                "settings": settings or {},
                "constraint": constraint,
                "options": options,
            },
            "_chosen": chosen,
            "_check": check,
        }
    )


def acted_on_first_test_bar(w: PortfolioWalk, k: int) -> list:
    """The symbols whose chosen signals ask for an entry on their first own bar of window k's
    test, a bar whose previous own bar lies before the test (a crossing decided against a bar
    outside it), and whose test run enters there (fill close) or at the next own bar."""
    test = w.windows[k][1]
    trades, _, _, _, still_open, members, _ = w.test_runs[k]
    out = []
    for i in members:
        a = w.universe[i]
        own = own_bars(a, w.union_at, test)
        if own.start == 0:
            continue
        sig = w.signals[w.chosen[k]][i]
        if not (sig["entries"][own.start] or sig["short_entries"][own.start]):
            continue
        j = own.start if w.settings.get("fill") == "close" else own.start + 1
        if j >= own.stop:
            continue
        fill = w.union_at[a["dates"][j]]
        entries = [t["entry_index"] for t in trades if t["symbol"] == a["symbol"]]
        entries += [e for s, e in still_open if s == a["symbol"]]
        if entries and min(entries) == fill:
            out.append(a["symbol"])
    return out


def blocked_entries(w: PortfolioWalk, k: int) -> list:
    """(symbol, union bar) of window k's test where a flat asset's entry signal (next open)
    found the one slot taken: another asset held a position at that close and the next, and
    the asset stayed flat."""
    test = w.windows[k][1]
    _, _, _, _, _, members, values = w.test_runs[k]
    out = []
    for i in members:
        a = w.universe[i]
        sig = w.signals[w.chosen[k]][i]
        own = own_bars(a, w.union_at, test)
        mine = values[a["symbol"]]
        for j in range(own.start, own.stop - 1):
            if not (sig["entries"][j] and not sig["exits"][j]):
                continue
            u = w.union_at[a["dates"][j]] - test.start
            if mine[u] != 0.0 or mine[u + 1] != 0.0:
                continue
            if any(s != a["symbol"] and v[u] != 0.0 and v[u + 1] != 0.0 for s, v in values.items()):
                out.append((a["symbol"], u + test.start))
    return out


def combo(fast: int, slow: int) -> dict:
    return {"fast": fast, "slow": slow}


# Trending stretches up and down, 250 bars each (make_strategies.walk: seeded, cents).
WAVE_A = [(45, 0.004, 0.03), (40, -0.004, 0.03), (50, 0.003, 0.03), (50, -0.003, 0.03)]
WAVE_A += [(65, 0.002, 0.03)]
WAVE_B = [(30, -0.003, 0.03), (55, 0.004, 0.03), (45, -0.003, 0.03), (55, 0.003, 0.03)]
WAVE_B += [(65, -0.002, 0.03)]
WAVE_C = [(60, 0.002, 0.035), (40, -0.005, 0.03), (40, 0.004, 0.03), (45, -0.002, 0.03)]
WAVE_C += [(65, 0.003, 0.03)]


# 1. Two assets on one calendar -------------------------------------------------------------


def check_same_calendar(w: PortfolioWalk, e: dict) -> bool:
    t = e["trades"]
    pa, pb = w.universe[0], w.universe[1]
    # PA buys at open[81] with half the cash; PB, while PA holds, with half of what is left
    k = 1.0 + 0.001
    q_a = (100000.0 * 0.5 - 0.0) / (pa["open"][81] * k)
    cash = 100000.0 - (q_a * pa["open"][81] * k + 0.0)
    q_b = (cash * 0.5 - 0.0) / (pb["open"][96] * k)
    first_a = [x for x in t if x["symbol"] == "PA"][0]
    first_b = [x for x in t if x["symbol"] == "PB"][0]
    return (
        acted_on_first_test_bar(w, 0) == ["PA"]
        and w.signals[w.chosen[0]][0]["entries"][80]
        and not w.signals[w.chosen[0]][0]["entries"][79]
        and (first_a["entry_index"], first_a["exit_index"]) == (81, 113)
        and first_a["size"] == q_a
        and first_b["entry_index"] == 96
        and first_b["size"] == q_b
        and all(r["test_start_index"] % 64 != 0 for r in e["windows"])
    )


DAYS_1 = list(range(230))
add(
    "same_calendar_rolling",
    "Two assets on one calendar of 230 days, sma(fast) crossing sma(slow) for both, fast [3, "
    "6] x slow [12, 25], next_open, size 0.5 (each entry half the cash then free), rolling 80 "
    "train + 35 test bars (tests from union bars 80, 115, 150, 185, none a multiple of 64; "
    "bars 220-229 unused), maximize sharpe_ratio (the default). Window 0 picks (3, 12): PA's "
    "sma 3 crosses above sma 12 on bar 80, the test's first bar, against bar 79 (before the "
    "window), so the test buys PA at open[81] with half the capital; PB enters at open[96] "
    "while PA still holds, with half of the cash left. Chosen: (3, 12), (3, 12), (6, 25), "
    "(6, 25).",
    [
        seeded("PA", 50.0, WAVE_A, 0, DAYS_1),
        seeded("PB", 30.0, WAVE_B, 1, DAYS_1),
    ],
    SMA_CROSS,
    {"fast": [3, 6], "slow": [12, 25]},
    {"train": 80, "test": 35},
    [combo(3, 12), combo(3, 12), combo(6, 25), combo(6, 25)],
    settings={"size": 0.5},
    check=check_same_calendar,
)


# 2. Different calendars --------------------------------------------------------------------

DAYS_2 = list(range(220))
ONLY_CB = {131, 132, 160}  # days CA (and CC, ended) lack: only CB trades
CA_DAYS = [d for d in DAYS_2 if d not in ONLY_CB]
CB_DAYS = [d for d in DAYS_2 if d >= 95 and d != 140]  # from 95 (after window 0), not 140
CC_DAYS = [d for d in DAYS_2 if d <= 112 and d != 50]  # to 112 (before window 4), not 50


def check_calendars(w: PortfolioWalk, e: dict) -> bool:
    members = [([r[5] for r in w.train_runs[k]], w.test_runs[k][5]) for k in range(5)]
    want = [
        ([0, 2], [0, 2]),
        ([0, 2], [0, 1, 2]),
        ([0, 1, 2], [0, 1]),
        ([0, 1, 2], [0, 1]),
        ([0, 1], [0, 1]),
    ]
    same_for_all = all(len({tuple(x) for x in tr}) == 1 for tr, _ in members)
    got = [(tr[0], te) for tr, te in members]
    # the stitched buy and hold: all three assets have a bar in union bars 60-209
    ca, cb, cc = w.universe
    bh = 0.0
    for a, first, last in ((ca, 60, 209), (cb, 95, 209), (cc, 60, 112)):
        bh += (
            a["close"][a["dates"].index(CALENDAR[last])]
            / a["close"][a["dates"].index(CALENDAR[first])]
            - 1.0
        )
    symbols = {t["symbol"] for t in e["trades"]}
    return (
        same_for_all
        and got == want
        and w.n == 220
        and all(CALENDAR[d] not in ca["dates"] + cc["dates"] for d in ONLY_CB)
        and e["metrics"]["buy_and_hold_return"] == bh / 3.0
        and symbols == {"CA", "CB", "CC"}
    )


add(
    "different_calendars",
    "Three calendars over 220 union days: CA trades every day but 131, 132 and 160; CB from "
    "day 95 (after window 0's last bar, 89) on, but not on day 140; CC from day 0 to day 112 "
    "(before window 4's first bar, 120), not on day 50. On 131, 132 and 160 only CB trades, "
    "on 50 and 140 only CA. Rolling 60 + 30 union bars (tests from 60, 90, 120, 150, 180). "
    "Each run holds the assets with a bar in its union bars: window 0 CA and CC (CB does not "
    "exist yet); window 1's train CA and CC, its test all three (CB from its first bar, 95); "
    "windows 2 and 3 train on all three and test on CA and CB (CC has ended); window 4 "
    "CA and CB. The stitched buy and hold is the mean over all three (each has a bar in "
    "60-209) of its last close there over its first. fast [3, 5] x slow [10, 20], size 0.4. "
    "Chosen: (5, 20), (3, 10), (5, 10), (5, 10), (3, 20).",
    [
        seeded("CA", 40.0, WAVE_A, 100, CA_DAYS),
        seeded("CB", 25.0, WAVE_B, 101, CB_DAYS),
        seeded("CC", 60.0, WAVE_C, 102, CC_DAYS),
    ],
    SMA_CROSS,
    {"fast": [3, 5], "slow": [10, 20]},
    {"train": 60, "test": 30},
    [combo(5, 20), combo(3, 10), combo(5, 10), combo(5, 10), combo(3, 20)],
    settings={"size": 0.4},
    check=check_calendars,
)


# 3. One slot, anchored, step > test --------------------------------------------------------


def check_one_slot(w: PortfolioWalk, e: dict) -> bool:
    runs = [r for k in range(len(w.windows)) for r in w.train_runs[k] + [w.test_runs[k]]]
    one_at_a_time = all(
        sum(1 for v in r[6].values() if v[u] != 0.0) <= 1 for r in runs for u in range(len(r[1]))
    )
    index = e["equity_index"]
    return (
        one_at_a_time
        and ("MC", 111) in blocked_entries(w, 1)
        and all(r["train_start_index"] == 0 for r in e["windows"])
        and [r["test_start_index"] for r in e["windows"]] == [60, 105, 150, 195]
        and index[29:31] == [89, 105]
        and {t["symbol"] for t in e["trades"]} == {"MB", "MC"}
    )


DAYS_3 = list(range(240))
add(
    "one_slot_anchored_step",
    "max_positions 1 over three assets on one calendar of 240 days: at most one position at "
    "a time, each entry with all the free cash; an entry signalled while another asset holds "
    "the slot does nothing (MC's at union bar 111, in window 1's test, while MB holds). "
    "Anchored (every train from bar 0), train 60, test 30, step 45: tests at 60-89, 105-134, "
    "150-179, 195-224, the bars between in no test (equity_index jumps from 89 to 105). "
    "fast [3, 5, 8] x slow [16], maximize total_return. Chosen: (3, 16), (5, 16), (8, 16), "
    "(8, 16).",
    [
        seeded("MA", 40.0, WAVE_A, 260, DAYS_3),
        seeded("MB", 25.0, WAVE_B, 261, DAYS_3),
        seeded("MC", 60.0, WAVE_C, 262, DAYS_3),
    ],
    SMA_CROSS,
    {"fast": [3, 5, 8], "slow": [16]},
    {"train": 60, "test": 30, "step": 45, "anchored": True, "maximize": "total_return"},
    [combo(3, 16), combo(5, 16), combo(8, 16), combo(8, 16)],
    settings={"max_positions": 1},
    check=check_one_slot,
)


# 4. Both sides, a stop, close fills --------------------------------------------------------


def both_sides() -> dict:
    t = ms.sma_cross(FAST, SLOW)
    t["short_entry"] = {"crosses_below": [ms.sma(FAST), ms.sma(SLOW)]}
    t["short_exit"] = {"crosses_above": [ms.sma(FAST), ms.sma(SLOW)]}
    return t


def check_both_sides(w: PortfolioWalk, e: dict) -> bool:
    t = e["trades"]
    by = {a["symbol"]: a for a in w.universe}

    def close_at(x, u):
        a = by[x["symbol"]]
        return a["close"][a["dates"].index(w.union[u])]

    def open_at(x, u):
        a = by[x["symbol"]]
        return a["open"][a["dates"].index(w.union[u])]

    stops = [x for x in t if x["exit_reason"] == "stop_loss"]
    level_or_open = all(
        x["exit_price"] in (x["entry_price"] * (1.0 + 0.04), open_at(x, x["exit_index"]))
        if x["direction"] == "short"
        else x["exit_price"] in (x["entry_price"] * (1.0 - 0.04), open_at(x, x["exit_index"]))
        for x in stops
    )
    sides = {(x["symbol"], x["direction"]) for x in t}
    return (
        {x["exit_reason"] for x in t} == {"reverse", "stop_loss"}
        and sides == {("SA", "long"), ("SA", "short"), ("SB", "long"), ("SB", "short")}
        and all(x["entry_price"] == close_at(x, x["entry_index"]) for x in t)
        and all(
            x["exit_price"] == close_at(x, x["exit_index"])
            for x in t
            if x["exit_reason"] != "stop_loss"
        )
        and bool(stops)
        and level_or_open
    )


DAYS_4 = list(range(200))
add(
    "both_sides_stop_close_fill",
    "direction both: long on sma(fast) crossing above sma(slow), short on crossing below, each "
    "cross reversing at the signal bar's close (fill close, exit_reason 'reverse'); stop_loss "
    "0.04 (a short stopped at 1.04 times its entry), size 0.5 of the free cash (a short's "
    "proceeds and basis held back). Two assets on one calendar of 200 days, rolling 70 + 40 "
    "(tests from 70, 110, 150), fast [3, 5] x slow [10, 16], maximize sharpe_ratio. Both "
    "assets trade both sides; every entry and signal exit at a close. Chosen: (5, 10), "
    "(3, 16), (3, 16).",
    [
        seeded("SA", 40.0, WAVE_C, 110, DAYS_4),
        seeded("SB", 25.0, WAVE_A, 111, DAYS_4),
    ],
    both_sides(),
    {"fast": [3, 5], "slow": [10, 16]},
    {"train": 70, "test": 40},
    [combo(5, 10), combo(3, 16), combo(3, 16)],
    settings={"direction": "both", "stop_loss": 0.04, "fill": "close", "size": 0.5},
    check=check_both_sides,
)


# 5. A crossing on a test's first bar, against a bar well before the window -----------------

DAYS_5 = list(range(180))
GAPS_5 = {72, 73, 74, 97, 98, 99, 122, 123, 124, 147, 148, 149}  # GB's missing days


def check_first_bar(w: PortfolioWalk, e: dict) -> bool:
    gb = w.universe[1]
    j = gb["dates"].index(CALENDAR[100])  # GB's first own bar of window 2's test
    sig = w.signals[w.chosen[2]][1]
    first = [t for t in e["trades"] if t["symbol"] == "GB" and t["entry_index"] >= 100][0]
    scores = [r[3]["sharpe_ratio"] for r in w.train_runs[2]]
    idle = [not r[0] and not r[4] for r in w.train_runs[2]]
    return (
        acted_on_first_test_bar(w, 2) == ["GB"]
        and gb["dates"][j - 1] == CALENDAR[96]
        and sig["entries"][j]
        and first["entry_index"] == 100
        and first["entry_price"] == gb["close"][j]
        and scores[1] is None
        and scores[3] is None
        and idle == [False, True, False, True]
    )


add(
    "first_test_bar_cross_after_gap",
    "Fill close, size 0.5, two assets over 180 union days: GA trades every day, GB lacks the "
    "three days before each test from window 1 on (72-74, 97-99, 122-124, 147-149), so on "
    "those only GA trades. Rolling 50 + 25 (tests from 50, 75, 100, 125, 150). Window 2 picks "
    "(4, 8): GB's sma 4 crosses above sma 8 on its first own bar of the test (union bar 100) "
    "against its own bar before, union bar 96, four union bars before the window: the test "
    "buys GB at close[100] on the test's first bar. In window 2's train the slow-14 "
    "combinations do not trade: a flat equity, an undefined sharpe ratio, which never "
    "wins. fast [2, 4] x slow [8, 14]. Chosen: (2, 8), (4, 8), (4, 8), (4, 14), (2, 8).",
    [
        seeded("GA", 45.0, WAVE_B, 130, DAYS_5),
        seeded("GB", 30.0, WAVE_C, 131, [d for d in DAYS_5 if d not in GAPS_5]),
    ],
    SMA_CROSS,
    {"fast": [2, 4], "slow": [8, 14]},
    {"train": 50, "test": 25},
    [combo(2, 8), combo(4, 8), combo(4, 8), combo(4, 14), combo(2, 8)],
    settings={"fill": "close", "size": 0.5},
    check=check_first_bar,
)


def build_cases() -> list[dict]:
    out = []
    for c in CASES:
        name = c["name"]
        w = PortfolioWalk(name, c["universe"], c["request"])
        expected = w.expected()
        got = [r["params"] for r in expected["windows"]]
        assert got == c["_chosen"], f"{name}: chose {got}"
        assert c["_check"](w, expected), f"{name}: a promised fact does not hold"
        assert all(math.isfinite(x) for x in expected["equity_curve"]), name
        assert len(expected["equity_curve"]) == len(w.windows) * w.test, name
        assert len(expected["equity_index"]) == len(expected["equity_curve"]), name
        for r in expected["windows"]:
            assert list(r["in_sample"]) == list(METRICS) == list(r["out_of_sample"]), name
        assert list(expected["metrics"]) == list(METRICS), name
        out.append(
            {
                "name": name,
                "description": c["description"],
                "universe": c["universe"],
                "request": c["request"],
                "expected": expected,
            }
        )
    starts = {r["test_start_index"] % 64 for c in out for r in c["expected"]["windows"]}
    assert starts - {0}, "every window starts on a 64-bar word"
    return out


# --------------------------------------------------------------------------------------------
# Bad requests (portfolio_walk_errors.json)
# --------------------------------------------------------------------------------------------

# Two assets of 30 bars each, on 40 union days (EB starts on EA's eleventh day).
ERROR_UNIVERSE = [
    seeded("EA", 20.0, [(30, 0.0, 0.03)], 1, list(range(0, 30))),
    seeded("EB", 30.0, [(30, 0.0, 0.03)], 2, list(range(10, 40))),
]
N_UNION = 40
ERRORS: list[dict[str, Any]] = []
SLOTS_MSG = (
    "max_positions and size cannot be combined (asset 'EA'): with max_positions = k an entry "
    "gets cash / (k - open positions)"
)
DICT_MSG = (
    "a portfolio sweep takes one strategy for every asset; a dict of strategies is for one run"
)
PER_SYMBOL = {"EA": SMA_CROSS, "EB": SMA_CROSS}
TT = {"train": 20, "test": 10}


def walk_err(
    name: str,
    options: dict,
    message: str,
    code: str = "invalid_parameter",
    params: Optional[dict] = None,
    settings: Optional[dict] = None,
    strategy: Optional[dict] = None,
) -> None:
    ERRORS.append(
        {
            "name": name,
            "universe": ERROR_UNIVERSE,
            "request": {
                "strategy": strategy if strategy is not None else SMA_CROSS,
                "params": params if params is not None else {"fast": [3], "slow": [10]},
                "settings": settings or {},
                "constraint": None,
                "options": options,
            },
            "error": {"code": code, "message": message},
        }
    )


def fit_msg(train: int, test: int) -> str:
    return (
        f"the first window needs {train + test} bars (train {train} + test {test}), "
        f"the data has {N_UNION}"
    )


walk_err("windows_do_not_fit", {"train": 30, "test": 15}, fit_msg(30, 15))
walk_err("windows_do_not_fit_by_one", {"train": 30, "test": 11}, fit_msg(30, 11))
walk_err("strategy_dict", TT, DICT_MSG, code="invalid_strategy", strategy=PER_SYMBOL)
walk_err("max_positions_with_size", TT, SLOTS_MSG, settings={"max_positions": 2, "size": 0.5})
walk_err(
    "max_positions_with_size_type",
    TT,
    SLOTS_MSG,
    settings={"max_positions": 2, "size_type": "value", "size": 1000.0},
)
walk_err(
    "max_positions_with_strategy_size",
    TT,
    SLOTS_MSG,
    settings={"max_positions": 2},
    strategy={**SMA_CROSS, "settings": {"size": 0.5}},
)
walk_err(
    "max_positions_zero",
    TT,
    "max_positions must be an integer >= 1, got 0",
    settings={"max_positions": 0},
)
walk_err("unknown_option", {**TT, "anchor": True}, mw.unknown_option_msg("anchor"))
walk_err("train_zero", {"train": 0, "test": 10}, mw.count_msg("train", 0))
walk_err(
    "maximize_unknown", {**TT, "maximize": "sharp_ratio"}, mw.unknown_metric_msg("sharp_ratio")
)
# The documented order: settings names and max_positions, one strategy for every asset, the
# sweep (strategy, settings' values, params, constraint), max_positions against the sizing;
# then the options; then the windows against the union bars.
walk_err(
    "order_max_positions_before_dict",
    TT,
    "max_positions must be an integer >= 1, got 0",
    settings={"max_positions": 0},
    strategy=PER_SYMBOL,
)
walk_err(
    "order_dict_before_setting_values",
    TT,
    DICT_MSG,
    code="invalid_strategy",
    settings={"commission_rate": 1.0},
    strategy=PER_SYMBOL,
)
walk_err(
    "order_params_before_slots_sizing",
    TT,
    "params['fast'] is empty",
    code="invalid_grid",
    params={"fast": [], "slow": [10]},
    settings={"max_positions": 2, "size": 0.5},
)
walk_err(
    "order_slots_sizing_before_options",
    {"train": 0, "anchor": True},
    SLOTS_MSG,
    settings={"max_positions": 2, "size": 0.5},
)
walk_err(
    "order_options_before_windows",
    {"train": 30, "test": 15, "maximize": "sharpe"},
    mw.unknown_metric_msg("sharpe"),
)


def build_errors() -> list[dict]:
    names = [e["name"] for e in ERRORS]
    assert len(set(names)) == len(names), "duplicate error case names"
    union = sorted({d for a in ERROR_UNIVERSE for d in a["dates"]})
    assert len(union) == N_UNION
    assert all(len(a["close"]) == 30 for a in ERROR_UNIVERSE)
    assert mw.nearest("anchor", mw.OPTION_NAMES) == "anchored"
    assert mw.nearest("sharp_ratio", METRICS) == "sharpe_ratio"
    assert mw.nearest("sharpe", METRICS) == "sharpe_ratio"
    # every "does not fit" case needs more union bars than there are (the message names the
    # union's count, 40, not an asset's 30)
    for e in ERRORS:
        o = e["request"]["options"]
        if e["name"].startswith("windows_"):
            assert o["train"] + o["test"] > N_UNION, e["name"]
    # the 40 union bars fit train 20 + test 10 (the option cases fail on their options only)
    assert TT["train"] + TT["test"] <= N_UNION
    return ERRORS


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def main() -> None:
    cases = build_cases()
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    errors = build_errors()
    ms.dump(HERE / "portfolio_walks.json", cases)
    ms.dump(HERE / "portfolio_walk_errors.json", errors)
    print(f"wrote {len(cases)} cases to {HERE / 'portfolio_walks.json'}")
    print(f"wrote {len(errors)} error cases to {HERE / 'portfolio_walk_errors.json'}")


if __name__ == "__main__":
    main()
