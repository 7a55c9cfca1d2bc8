"""Writes the walk-forward golden data: tests/golden/walks.json and tests/golden/walk_errors.json.

Run from the repository root:  .venv/bin/python tests/golden/make_walks.py

Like make_strategies.py it does not use the project's engine (no `quant_backtest` import). It
follows docs/CONVENTIONS.md, "Walk-forward (SPEC part 12)":
  * the windows from their definition (test bars [k*step + train, k*step + train + test) while
    they fit; train bars the `train` before them, or every bar from 0 when anchored);
  * every combination's signals decided exactly by make_strategies' Evaluator (rational
    arithmetic, no near-ties) on the bars up to the window's end, then cut to the window, so a
    crossing on a window's first bar compares it with the bar before the window; each window's
    run by make_strategies' simulation over the window's bars alone, from flat (money in IEEE
    doubles in CONVENTIONS' order, so a conforming engine matches bit for bit);
  * the best combination on the train bars by the `maximize` metric (numpy metrics, checked
    against the CONVENTIONS loop), and the choice is robust: the chosen score beats every other
    defined score by more than 1e-9 relative, or ties it exactly with the same equity curve
    (a tie the engine resolves by order too), or every score is undefined (the first wins);
  * each test from the equity the previous test ended with; the stitched metrics those of the
    concatenated test equity as one run from the settings' initial capital.
Every case states the chosen params of each window by hand, and a few facts its description
promises (a crossing on a test window's first bar, a gap between tests, ...); they are asserted.

walks.json: a list of
  {"name", "description",
   "data": {"symbol", "dates", "open", "high", "low", "close", "volume"},
   "request": {"strategy": tree, "params": {name: [values]}, "settings": {...},
               "constraint": null | tree,
               "options": {"train", "test", optional "step", "anchored", "maximize"}},
   "expected": the result without execution_time_ms:
       {"windows": [{"window", "train_start_index", "train_end_index", "test_start_index",
                     "test_end_index", "train_start", "train_end", "test_start", "test_end",
                     "params": {name: value}, "in_sample": {16 metrics},
                     "out_of_sample": {16 metrics}, "start_equity", "end_equity",
                     "in_sample_equity": [f64]}],
        "metrics": {16 metrics, stitched}, "equity_curve": [f64], "equity_index": [int],
        "trades": [trades as in strategies.json, indices of all the bars], "names",
        "combinations", "train", "test", "step", "anchored", "maximize"}}
walk_errors.json: a list of {"name", "data", "request" (as above), "error": {"code",
"message"}}; the request is refused when planned, or (the windows that do not fit) when run.
Trades, equity (stitched, in sample, start and end), params, indices and dates compare exactly;
metrics as tests/golden/README.md "Comparing" says (numpy wrote them); null = no value.

Deterministic: the same script always writes byte-identical files.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_golden as mg  # noqa: E402 - dates, Rust `{:?}` floats
import make_strategies as ms  # noqa: E402 - exact signals, the execution, the metrics

METRICS = ms.METRICS
OPTION_NAMES = ("train", "test", "step", "anchored", "maximize")
PRICE_FIELDS = ("open", "high", "low", "close", "volume")

# --------------------------------------------------------------------------------------------
# The walk, from CONVENTIONS
# --------------------------------------------------------------------------------------------


def window_ranges(bars: int, train: int, test: int, step: int, anchored: bool):
    """[(train bars, test bars)] for k = 0, 1, ... while k*step + train + test <= bars."""
    out = []
    k = 0
    while k * step + train + test <= bars:
        test_start = k * step + train
        train_start = 0 if anchored else k * step
        out.append((range(train_start, test_start), range(test_start, test_start + test)))
        k += 1
    return out


def constraint_holds(node, combo: dict) -> bool:
    """A constraint over placeholders and numbers (comparisons of the two numbers)."""
    ((op, arg),) = node.items()
    if op in ("and", "or"):
        parts = [constraint_holds(c, combo) for c in arg]
        return all(parts) if op == "and" else any(parts)
    if op == "not":
        return not constraint_holds(arg, combo)

    def number(v):
        return combo[v["param"]] if isinstance(v, dict) else v

    a, b = number(arg[0]), number(arg[1])
    return {"gt": a > b, "lt": a < b, "ge": a >= b, "le": a <= b}.get(op, False)


def combinations(params: dict, constraint) -> list[dict]:
    """Every combination, first key outermost, that the constraint keeps."""
    names = list(params)
    out = []
    for values in itertools.product(*(params[k] for k in names)):
        combo = dict(zip(names, values))
        if constraint is None or constraint_holds(constraint, combo):
            out.append(combo)
    return out


def part(data: dict, bars: range) -> dict:
    """The bars `bars` of `data` (a window's copy, its bar 0 the window's first bar)."""
    d = {"symbol": data["symbol"], "dates": data["dates"][bars.start : bars.stop]}
    for f in PRICE_FIELDS:
        d[f] = data[f][bars.start : bars.stop]
    return d


SIDES = ("entries", "exits", "short_entries", "short_exits")


def signals_up_to(data: dict, strategy: dict, combo: dict, end: int, name: str) -> dict:
    """The four signal series decided exactly on the bars before `end` only."""
    sig, _ = ms.strategy_signals(part(data, range(0, end)), strategy, combo, name)
    return sig


class Walk:
    """One case's walk: its signals (per combination), runs and choices."""

    def __init__(self, name: str, data: dict, request: dict):
        self.name, self.data, self.request = name, data, request
        opts = request["options"]
        self.train, self.test = opts["train"], opts["test"]
        self.step = opts.get("step", self.test)
        self.anchored = opts.get("anchored", False)
        self.maximize = opts.get("maximize", "sharpe_ratio")
        assert self.step >= self.test and self.train >= 1 and self.test >= 1, name
        self.strategy = request["strategy"]
        self.settings = ms.effective_settings(request)
        self.combos = combinations(request["params"], request["constraint"])
        self.n = len(data["close"])
        self.windows = window_ranges(self.n, self.train, self.test, self.step, self.anchored)
        assert 2 <= len(self.windows) <= 5, f"{name}: {len(self.windows)} windows"
        assert 2 <= len(self.combos) <= 6, f"{name}: {len(self.combos)} combinations"
        # Signals on the bars up to the last window's end (every later window's prefix is a
        # prefix of it; the exact indicators are causal, which window 0's own prefix checks).
        last_end = self.windows[-1][1].stop
        self.signals = [
            signals_up_to(data, self.strategy, c, last_end, f"{name} {c}") for c in self.combos
        ]
        first_end = self.windows[0][1].stop
        for c, sig in zip(self.combos, self.signals):
            own = signals_up_to(data, self.strategy, c, first_end, f"{name} {c}")
            assert all(own[k] == sig[k][:first_end] for k in SIDES), f"{name}: not causal"

    def run(self, i: int, bars: range, capital: float):
        """Combination i over `bars` alone, from flat with `capital`: (trades with indices of
        all the bars, equity, in-market flags, metrics, open position or None)."""
        sig = {k: self.signals[i][k][bars.start : bars.stop] for k in SIDES}
        settings = dict(self.settings, initial_capital=capital)
        window = part(self.data, bars)
        trades, equity, in_market, still_open = ms.simulate(window, sig, settings, self.name)
        metrics = ms.all_metrics(
            equity, settings, trades, window["close"], in_market, f"{self.name} {bars}"
        )
        for t in trades:
            t["entry_index"] += bars.start
            t["exit_index"] += bars.start
        if still_open is not None:
            still_open = (still_open[0], still_open[1] + bars.start)
        return trades, equity, in_market, metrics, still_open

    def choose(self, runs, w: int) -> int:
        """The largest score (None never wins, ties to the first, the first when all are None),
        asserted robust against any float engine's few ulps."""
        scores = [r[3][self.maximize] for r in runs]
        defined = [i for i, s in enumerate(scores) if s is not None]
        if not defined:
            return 0
        best = defined[0]
        for i in defined:
            if scores[i] > scores[best]:
                best = i
        for i in defined:
            if i == best:
                continue
            a, b = scores[best], scores[i]
            if a == b:
                # an exact tie only between identical runs (identical float work in any engine)
                assert runs[i][1] == runs[best][1] and i > best, f"{self.name} w{w}: tie {i}"
            else:
                assert a - b > 1e-9 * max(abs(a), abs(b)), (
                    f"{self.name} window {w}: combination {i} scores {b!r}, near the best {a!r}"
                )
        return best

    def expected(self) -> dict:
        capital = self.settings.get("initial_capital", ms.SETTING_DEFAULTS["initial_capital"])
        initial = capital
        rows, curve, index, trades, in_market = [], [], [], [], []
        self.chosen, self.test_runs = [], []
        for w, (train, test) in enumerate(self.windows):
            runs = [self.run(i, train, initial) for i in range(len(self.combos))]
            best = self.choose(runs, w)
            self.chosen.append(best)
            assert capital > 0 and math.isfinite(capital), self.name
            t_trades, t_equity, t_in, t_metrics, t_open = self.run(best, test, capital)
            self.test_runs.append((t_trades, t_equity, t_open))
            dates = self.data["dates"]
            rows.append(
                {
                    "window": w,
                    "train_start_index": train.start,
                    "train_end_index": train.stop - 1,
                    "test_start_index": test.start,
                    "test_end_index": test.stop - 1,
                    "train_start": dates[train.start],
                    "train_end": dates[train.stop - 1],
                    "test_start": dates[test.start],
                    "test_end": dates[test.stop - 1],
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
        first, last = self.windows[0][1].start, self.windows[-1][1].stop - 1
        closes = [self.data["close"][first], self.data["close"][last]]
        metrics = ms.all_metrics(
            curve, self.settings, trades, closes, in_market, f"{self.name} stitched"
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


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

FAST, SLOW, LEVEL = {"param": "fast"}, {"param": "slow"}, {"param": "level"}
SMA_CROSS = ms.sma_cross(FAST, SLOW)
# Three trending stretches up and down, 230 bars (make_strategies.walk: seeded, cents).
SWINGS = [
    (40, 0.004, 0.03),
    (40, -0.004, 0.03),
    (50, 0.003, 0.03),
    (50, -0.003, 0.03),
    (50, 0.002, 0.03),
]


def both_sides() -> dict:
    t = ms.sma_cross(FAST, SLOW)
    t["short_entry"] = {"crosses_below": [ms.sma(FAST), ms.sma(SLOW)]}
    t["short_exit"] = {"crosses_above": [ms.sma(FAST), ms.sma(SLOW)]}
    return t


def swings(symbol: str, start: float, seed: int) -> dict:
    return ms.bars(ms.walk(start, SWINGS, seed), symbol=symbol)


def level_closes() -> list[float]:
    """Flat below 9.75 for 60 bars, then up through 9.75, down, up through 10.25: a close is
    never 9.75, 10.25, 10.26 or 10.27, so the levels 10.25 and 10.27 give identical signals."""
    segs = [(60, 0.0, 0.012), (20, 0.004, 0.01), (15, -0.003, 0.01), (30, 0.004, 0.015)]
    c = ms.walk(9.3, segs + [(50, -0.001, 0.02)], 22)
    fix = {10.25: 10.23, 10.26: 10.29, 10.27: 10.29, 9.75: 9.74}
    return [fix.get(x, x) for x in c]


CASES: list[dict[str, Any]] = []


def add(
    name,
    description,
    data,
    strategy,
    params,
    options,
    chosen,
    settings=None,
    constraint=None,
    check=None,
):
    """A case; `chosen`: the params each window picks (by hand, asserted)."""
    CASES.append(
        {
            "name": name,
            "description": description,
            "data": data,
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


def entered_on_first_test_bar(w: Walk, k: int) -> bool:
    """The chosen combination's entry is true on window k's first test bar (a crossing decided
    against the bar before the window) and the test run acts on it there."""
    test = w.windows[k][1]
    sig = w.signals[w.chosen[k]]
    if not sig["entries"][test.start]:
        return False
    fill_bar = test.start if w.settings.get("fill") == "close" else test.start + 1
    trades, _, still_open = w.test_runs[k]
    entries = [t["entry_index"] for t in trades] + ([still_open[1]] if still_open else [])
    return bool(entries) and min(entries) == fill_bar


def scores(w: Walk, k: int) -> list:
    """Every combination's in-sample score in window k."""
    train = w.windows[k][0]
    capital = w.settings.get("initial_capital", ms.SETTING_DEFAULTS["initial_capital"])
    return [w.run(i, train, capital)[3][w.maximize] for i in range(len(w.combos))]


def check_rolling(w: Walk, e: dict) -> bool:
    return entered_on_first_test_bar(w, 0) and e["trades"][0]["entry_price"] == w.data["open"][81]


add(
    "rolling_sma_cross_next_open",
    "sma(fast) crossing sma(slow), fast [3, 6] x slow [12, 25], next_open, rolling windows of "
    "80 train + 35 test bars (tests from bars 80, 115, 150, 185; bars 220-229 unused), maximize "
    "sharpe_ratio (the default). Window 0: no combination trades in bars 0-79, every sharpe is "
    "undefined, so the first (3, 12) runs; its sma 3 crosses above sma 12 exactly on bar 80, "
    "the test's first bar (sma 3 was below on bar 79, the bar before the window), so the test "
    "buys at open[81]. Then (3, 12), (6, 12), (6, 12).",
    swings("WFA", 50.0, 6),
    SMA_CROSS,
    {"fast": [3, 6], "slow": [12, 25]},
    {"train": 80, "test": 35},
    [
        {"fast": 3, "slow": 12},
        {"fast": 3, "slow": 12},
        {"fast": 6, "slow": 12},
        {"fast": 6, "slow": 12},
    ],
    check=check_rolling,
)


def check_anchored(w: Walk, e: dict) -> bool:
    return (
        all(r["train_start_index"] == 0 for r in e["windows"])
        and [r["train_end_index"] for r in e["windows"]] == [59, 99, 139, 179]
        and e["combinations"] == 4
        and entered_on_first_test_bar(w, 0)
    )


add(
    "anchored_total_return_constraint",
    "Anchored: every train window starts at bar 0 (train bars 0-59, 0-99, 0-139, 0-179, tests "
    "of 40 bars from 60, 100, 140, 180), maximize total_return. fast [4, 8, 12] x slow [8, 16] "
    "with the constraint fast < slow: 4 of the 6 combinations are kept, in sweep order (4, 8), "
    "(4, 16), (8, 16), (12, 16). Window 0 picks (12, 16), whose entry crosses on bar 60, the "
    "test's first bar (bought at open[61]); then (4, 16) three times.",
    swings("WFB", 40.0, 2),
    SMA_CROSS,
    {"fast": [4, 8, 12], "slow": [8, 16]},
    {"train": 60, "test": 40, "anchored": True, "maximize": "total_return"},
    [{"fast": 12, "slow": 16}] + [{"fast": 4, "slow": 16}] * 3,
    constraint={"lt": [FAST, SLOW]},
    check=check_anchored,
)


def check_gaps(w: Walk, e: dict) -> bool:
    index = e["equity_index"]
    return (
        index[:26] == list(range(50, 75)) + [95]
        and len(index) == 100
        and [r["start_equity"] for r in e["windows"][1:]]
        == [r["end_equity"] for r in e["windows"][:-1]]
        and all(scores(w, k)[i] is None for k in (2, 3) for i in (1, 3))
    )


add(
    "step_greater_than_test",
    "step 45 > test 25 with 50 train bars: tests at bars 50-74, 95-119, 140-164, 185-209, the "
    "bars between them (75-94, ...) in no test; equity_index jumps from 74 to 95 and each test "
    "still starts from the equity the last one ended with. fast [2, 5] x slow [10, 20], "
    "maximize sortino_ratio: window 0 all undefined (first), window 1 (2, 20), windows 2 and 3 "
    "have undefined sortinos (no losing bar) for the slow-20 combinations, which never win: "
    "(2, 10), then (5, 10).",
    swings("WFC", 30.0, 0),
    SMA_CROSS,
    {"fast": [2, 5], "slow": [10, 20]},
    {"train": 50, "test": 25, "step": 45, "maximize": "sortino_ratio"},
    [
        {"fast": 2, "slow": 10},
        {"fast": 2, "slow": 20},
        {"fast": 2, "slow": 10},
        {"fast": 5, "slow": 10},
    ],
    check=check_gaps,
)


def check_reversals(w: Walk, e: dict) -> bool:
    reasons = {(t["direction"], t["exit_reason"]) for t in e["trades"]}
    ends_open = [r[2] is not None for r in w.test_runs]
    # the train window of window 2 starts on a bar where sma 5 crosses above sma 10
    return (
        reasons == {("long", "reverse"), ("short", "reverse")}
        and all(ends_open)
        and w.signals[w.chosen[2]]["entries"][80]
    )


add(
    "both_directions_reversals",
    "direction both: long on sma(fast) crossing above sma(slow), short on crossing below, each "
    "cross reversing in one fill at the next open (exit_reason 'reverse'); commission 0.0005, "
    "slippage 0.001. fast [3, 5] x slow [10, 16], rolling 70 + 40 bars, maximize sharpe_ratio "
    "given explicitly. Every test ends with a position open: valued at its last close, not "
    "carried (the next test starts flat from that equity). Window 2's train bars start on bar "
    "80, where sma 5 crosses above sma 10 against bar 79 (outside the window): its in-sample "
    "run goes long at open[81]. Chosen: (3, 16), (5, 10), (5, 10), (3, 10).",
    swings("WFD", 60.0, 4),
    both_sides(),
    {"fast": [3, 5], "slow": [10, 16]},
    {"train": 70, "test": 40, "maximize": "sharpe_ratio"},
    [
        {"fast": 3, "slow": 16},
        {"fast": 5, "slow": 10},
        {"fast": 5, "slow": 10},
        {"fast": 3, "slow": 10},
    ],
    settings={"direction": "both", "commission_rate": 0.0005, "slippage": 0.001},
    check=check_reversals,
)


def check_stops(w: Walk, e: dict) -> bool:
    reasons = [t["exit_reason"] for t in e["trades"]]
    zero_held = [t for t in e["trades"] if t["bars_held"] == 0]
    return (
        {"signal", "take_profit", "stop_loss"} <= set(reasons)
        and len(zero_held) == 1
        and zero_held[0]["exit_reason"] == "stop_loss"
        and scores(w, 2)[1] is None
    )


add(
    "stop_loss_take_profit",
    "sma cross with stop_loss 0.03 and take_profit 0.05 (fast [3, 5] x slow [15, 30]), rolling "
    "70 + 45 bars, maximize calmar_ratio (undefined without a drawdown: never wins). The tests "
    "exit by signal, take profit and stop loss, one stop on the entry bar itself (bars_held 0). "
    "Window 0 all undefined (first); then (3, 15), (5, 15).",
    swings("WFE", 25.0, 9),
    SMA_CROSS,
    {"fast": [3, 5], "slow": [15, 30]},
    {"train": 70, "test": 45, "maximize": "calmar_ratio"},
    [{"fast": 3, "slow": 15}, {"fast": 3, "slow": 15}, {"fast": 5, "slow": 15}],
    settings={"stop_loss": 0.03, "take_profit": 0.05},
    check=check_stops,
)


def check_close_fill(w: Walk, e: dict) -> bool:
    first = [t for t in e["trades"] if t["entry_index"] == 90]
    row = e["windows"][1]
    return (
        entered_on_first_test_bar(w, 1)
        and len(first) == 1
        and first[0]["entry_price"] == w.data["close"][90]
        and w.signals[w.chosen[1]]["entries"][30]
        and row["in_sample_equity"][0] < 100000.0
    )


add(
    "close_fill_first_bar_cross",
    "fill close: orders fill at the signal bar's close. fast [2, 4] x slow [8, 14], rolling 60 "
    "+ 30 bars (5 windows, tests from 60 to 209). Window 1 picks (4, 8), whose sma 4 crosses "
    "above sma 8 on bar 90, the test's first bar (against bar 89, before the window): the test "
    "buys at close[90] on its very first bar. The same combination crosses on bar 30, window "
    "1's first train bar, so its in-sample equity already holds the position (less the "
    "commission) on bar 0. Chosen: (2, 8), (4, 8), (4, 8), (2, 8), (2, 14).",
    swings("WFF", 45.0, 14),
    SMA_CROSS,
    {"fast": [2, 4], "slow": [8, 14]},
    {"train": 60, "test": 30},
    [
        {"fast": 2, "slow": 8},
        {"fast": 4, "slow": 8},
        {"fast": 4, "slow": 8},
        {"fast": 2, "slow": 8},
        {"fast": 2, "slow": 14},
    ],
    settings={"fill": "close"},
    check=check_close_fill,
)


def check_lots(w: Walk, e: dict) -> bool:
    sizes = [t["size"] for t in e["trades"]]
    return all(s % 10.0 == 0.0 and s > 0 for s in sizes) and e["windows"][0]["start_equity"] == 1e4


add(
    "lot_size_whole_lots",
    "lot_size 10 with 10,000 of capital (about 300 units at 33): every entry is rounded down to "
    "a multiple of 10 units, the leftover cash stays in the equity, and the next test sizes "
    "from the equity the last one ended with. fast [3, 5, 8] x slow [20], rolling 70 + 35. "
    "Window 0 all undefined (first); then (5, 20), (5, 20), (3, 20).",
    swings("WFG", 33.0, 13),
    SMA_CROSS,
    {"fast": [3, 5, 8], "slow": [20]},
    {"train": 70, "test": 35},
    [
        {"fast": 3, "slow": 20},
        {"fast": 5, "slow": 20},
        {"fast": 5, "slow": 20},
        {"fast": 3, "slow": 20},
    ],
    settings={"lot_size": 10.0, "initial_capital": 10000.0},
    check=check_lots,
)


def check_levels(w: Walk, e: dict) -> bool:
    s = [scores(w, k) for k in range(5)]
    return (
        s[0] == [None] * 3
        and s[1][:2] == [None, None]
        and s[1][2] is not None
        and s[2][0] == s[2][1] < s[2][2]
        and s[3][0] == s[3][1]
        and s[3][2] is None
        and s[4] == [None] * 3
        and w.signals[0] == w.signals[1]
    )


add(
    "undefined_scores_and_ties",
    "entry close crosses above the level, exit close crosses below it, level [10.25, 10.27, "
    "9.75]; no close is 10.25-10.27, so the first two levels give identical runs (their scores "
    "tie exactly: the first wins). Rolling 50 + 25, maximize sharpe_ratio. Window 0: closes "
    "stay below 9.75, no run trades, every sharpe is undefined: the first (10.25). Window 1: "
    "only 9.75 trades, the others are undefined and never win: 9.75. Window 2: 9.75 again "
    "(beats the tied pair). Window 3: the tied pair leads, 9.75 undefined: 10.25 by order. "
    "Window 4: all undefined again: 10.25.",
    ms.bars(level_closes(), symbol="WFH"),
    {"entry": {"crosses_above": ["close", LEVEL]}, "exit": {"crosses_below": ["close", LEVEL]}},
    {"level": [10.25, 10.27, 9.75]},
    {"train": 50, "test": 25},
    [{"level": 10.25}, {"level": 9.75}, {"level": 9.75}, {"level": 10.25}, {"level": 10.25}],
    check=check_levels,
)


def build_cases() -> list[dict]:
    out = []
    for c in CASES:
        name = c["name"]
        w = Walk(name, c["data"], c["request"])
        expected = w.expected()
        got = [r["params"] for r in expected["windows"]]
        assert got == c["_chosen"], f"{name}: chose {got}"
        assert c["_check"](w, expected), f"{name}: a promised fact does not hold"
        assert len(c["data"]["close"]) <= 300, name
        assert all(math.isfinite(x) for x in expected["equity_curve"]), name
        assert len(expected["equity_curve"]) == len(w.windows) * w.test, name
        for r in expected["windows"]:
            assert list(r["in_sample"]) == list(METRICS) == list(r["out_of_sample"]), name
        out.append(
            {
                "name": name,
                "description": c["description"],
                "data": c["data"],
                "request": c["request"],
                "expected": expected,
            }
        )
    # at least one window start off the 64-bar words, and (above) crossings on first bars
    starts = {r["test_start_index"] % 64 for c in out for r in c["expected"]["windows"]}
    assert starts - {0}, "every window starts on a 64-bar word"
    return out


# --------------------------------------------------------------------------------------------
# Bad requests (walk_errors.json)
# --------------------------------------------------------------------------------------------

ERROR_DATA = ms.bars(ms.walk(20.0, [(40, 0.0, 0.03)], 1), symbol="WFX")  # 40 valid bars
N_ERR = len(ERROR_DATA["close"])
ERRORS: list[dict[str, Any]] = []


def nearest(name: str, candidates) -> str:
    """CONVENTIONS' nearest name: the first candidate that begins with `name`, else the
    smallest Levenshtein distance, ties to the first listed."""
    for c in candidates:
        if name and c.startswith(name) and c != name:
            return c
    return ms.nearest(name, candidates)


def option_text(v) -> str:
    """A value as "Values in messages" writes it (floats as Rust's `{:?}`)."""
    return mg.rust_debug(v) if isinstance(v, float) else ms.value_text(v)


def walk_err(name, options, message, code="invalid_parameter", params=None, settings=None):
    ERRORS.append(
        {
            "name": name,
            "data": ERROR_DATA,
            "request": {
                "strategy": SMA_CROSS,
                "params": params if params is not None else {"fast": [3], "slow": [10]},
                "settings": settings or {},
                "constraint": None,
                "options": options,
            },
            "error": {"code": code, "message": message},
        }
    )


def count_msg(key, value):
    return f"{key} must be an integer >= 1, got {option_text(value)}"


def required_msg(key):
    return f"{key} is required: a number of bars"


def step_msg(step, test):
    return (
        f"step ({step}) is less than test ({test}): the test windows would overlap; "
        "give step >= test"
    )


def unknown_option_msg(key):
    return f"unknown walk-forward option '{key}'; did you mean '{nearest(key, OPTION_NAMES)}'?"


def unknown_metric_msg(name):
    return f"unknown metric '{name}'; did you mean '{nearest(name, METRICS)}'?"


TT = {"train": 20, "test": 10}

walk_err("train_zero", {"train": 0, "test": 10}, count_msg("train", 0))
walk_err("train_negative", {"train": -5, "test": 10}, count_msg("train", -5))
walk_err("train_float", {"train": 20.5, "test": 10}, count_msg("train", 20.5))
walk_err("train_missing", {"test": 10}, required_msg("train"))
walk_err("train_null", {"train": None, "test": 10}, required_msg("train"))
walk_err("test_missing", {"train": 20}, required_msg("test"))
walk_err("test_null", {"train": 20, "test": None}, required_msg("test"))
walk_err("test_bool", {"train": 20, "test": True}, count_msg("test", True))
walk_err("test_string", {"train": 20, "test": "10"}, count_msg("test", "10"))
walk_err("step_less_than_test", {**TT, "step": 7}, step_msg(7, 10))
walk_err("step_zero", {**TT, "step": 0}, count_msg("step", 0))
walk_err("step_float", {**TT, "step": 12.5}, count_msg("step", 12.5))
walk_err("anchored_integer", {**TT, "anchored": 1}, "anchored must be true or false, got 1")
walk_err("anchored_string", {**TT, "anchored": "yes"}, "anchored must be true or false, got 'yes'")
walk_err("maximize_misspelt", {**TT, "maximize": "sharp_ratio"}, unknown_metric_msg("sharp_ratio"))
walk_err("maximize_truncated", {**TT, "maximize": "max_draw"}, unknown_metric_msg("max_draw"))
walk_err("maximize_number", {**TT, "maximize": 3}, "maximize must be a metric's name, got 3")
walk_err("unknown_option_truncated", {**TT, "anchor": True}, unknown_option_msg("anchor"))
walk_err("unknown_option_misspelt", {**TT, "tset": 5}, unknown_option_msg("tset"))
walk_err(
    "windows_do_not_fit",
    {"train": 30, "test": 15},
    f"the first window needs 45 bars (train 30 + test 15), the data has {N_ERR}",
)
walk_err(
    "windows_do_not_fit_by_one",
    {"train": 30, "test": 11, "step": 50},
    f"the first window needs 41 bars (train 30 + test 11), the data has {N_ERR}",
)
# The documented order: the sweep, then the options (unknown keys, train, test, step,
# anchored, maximize), then the bars.
walk_err(
    "order_sweep_params_first",
    {"train": 0},
    "params['fast'] is empty",
    code="invalid_grid",
    params={"fast": [], "slow": [10]},
)
walk_err(
    "order_sweep_settings_first",
    {"anchor": True},
    "commission_rate must be in [0, 1), got 1.0",
    settings={"commission_rate": 1.0},
)
walk_err(
    "order_sweep_combination_first",
    {"train": 0},
    "entry.crosses_above[0].period must be an integer >= 1, got 0",
    code="invalid_strategy",
    params={"fast": [3, 0], "slow": [10]},
)
walk_err("order_unknown_option_first", {"train": 0, "anchor": True}, unknown_option_msg("anchor"))
walk_err("order_train_before_test", {"train": 0}, count_msg("train", 0))
walk_err("order_test_before_step", {"train": 20, "test": 0, "step": 0}, count_msg("test", 0))
walk_err("order_step_before_anchored", {**TT, "step": 4, "anchored": 1}, step_msg(4, 10))
walk_err(
    "order_anchored_before_maximize",
    {**TT, "anchored": 1, "maximize": "x"},
    "anchored must be true or false, got 1",
)
walk_err(
    "order_options_before_bars",
    {"train": 30, "test": 15, "maximize": "sharpe"},
    unknown_metric_msg("sharpe"),
)


def build_errors() -> list[dict]:
    names = [e["name"] for e in ERRORS]
    assert len(set(names)) == len(names), "duplicate error case names"
    # the suggestions, by the rule (a truncated name finds its completion first)
    assert nearest("anchor", OPTION_NAMES) == "anchored"
    assert nearest("tset", OPTION_NAMES) == "test"
    assert nearest("sharp_ratio", METRICS) == "sharpe_ratio"
    assert nearest("max_draw", METRICS) == "max_drawdown"
    assert nearest("sharpe", METRICS) == "sharpe_ratio"
    # every "does not fit" case needs more bars than the data has, every other its windows fit
    for e in ERRORS:
        o = e["request"]["options"]
        if e["name"].startswith("windows_"):
            assert o["train"] + o["test"] > N_ERR, e["name"]
    return ERRORS


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def main() -> None:
    cases = build_cases()
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    errors = build_errors()
    ms.dump(HERE / "walks.json", cases)
    ms.dump(HERE / "walk_errors.json", errors)
    print(f"wrote {len(cases)} cases to {HERE / 'walks.json'}")
    print(f"wrote {len(errors)} error cases to {HERE / 'walk_errors.json'}")


if __name__ == "__main__":
    main()
