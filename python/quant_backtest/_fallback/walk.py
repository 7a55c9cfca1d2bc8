"""Walk-forward optimisation (CONVENTIONS.md, "Walk-forward"; ``src/walk/mod.rs``): windows
of ``train`` bars then ``test`` bars moving by ``step``; on each, the sweep's best combination
on the train bars runs on the test bars, starting flat with the equity the previous test ended
with.

Order of the checks: the sweep as :func:`.sweep.plan` checks it, then the options
(``invalid_parameter``), then the bars against the first window. Indicators depend only on the
bars up to their own, so one :class:`SeriesCache` on all the bars and one set of signals per
combination, cut to each window, are what a computation on the bars up to the window's end
would give; each window's run is then :func:`simulate` on the window's bars alone.
"""

from __future__ import annotations

import dataclasses
import math
import time
from bisect import bisect_left
from typing import Any, Mapping, Optional, Sequence

from .._errors import BacktestError
from .execution import simulate
from .metrics import METRIC_NAMES, Metrics
from .names import describe_value, nearest
from .portfolio import align, buy_and_hold, plan_portfolio_sweep, stepped, union_steps
from .settings import Settings
from .signals import SeriesCache, strategy_signals
from .sweep import plan

_NAN = float("nan")
OPTION_NAMES = ("train", "test", "step", "anchored", "maximize")  # the order they are read in
# The core's integers: i128 on the wire, usize once read (a larger count means "every bar").
_WIRE_INT_END = 2**127
_USIZE_MAX = 2**64 - 1
# How the core names an object key that is not a string (src/api/value.rs, NON_STRING_KEY).
_NON_STRING_KEY = "\x01"


def _refuse(message: str) -> BacktestError:
    return BacktestError(message, "invalid_parameter")


@dataclasses.dataclass(frozen=True)
class WalkOptions:
    """The walk's own options (as ``WalkOptions`` in ``src/walk/mod.rs``)."""

    train: int
    test: int
    step: int  # at least ``test``: the test windows do not overlap
    anchored: bool  # every train window starts at bar 0
    maximize: str  # a name in METRIC_NAMES


def read_options(options: Any) -> WalkOptions:
    """``{train, test, step?, anchored?, maximize?}`` checked in the core's order (a None value
    is the default)."""
    if not isinstance(options, Mapping):
        raise _refuse(f"the walk-forward options must be an object, got {describe_value(options)}")
    for key in options:
        if key not in OPTION_NAMES:
            text = key if isinstance(key, str) else _NON_STRING_KEY + describe_value(key)
            raise _refuse(
                f"unknown walk-forward option '{text}'; did you mean "
                f"'{nearest(text, OPTION_NAMES)}'?"
            )

    def get(name: str) -> Any:
        return options.get(name)

    def count(name: str) -> Optional[int]:
        value = get(name)
        if value is None:
            return None
        # A plain int, as the core's Value::Int (a bool or 2.0 is not one).
        if type(value) is int and 1 <= value < _WIRE_INT_END:
            return min(value, _USIZE_MAX)
        raise _refuse(f"{name} must be an integer >= 1, got {describe_value(value)}")

    def required(name: str) -> int:
        value = count(name)
        if value is None:
            raise _refuse(f"{name} is required: a number of bars")
        return value

    train = required("train")
    test = required("test")
    step = count("step")
    if step is None:
        step = test
    if step < test:
        raise _refuse(
            f"step ({step}) is less than test ({test}): the test windows would overlap; "
            "give step >= test"
        )
    anchored = get("anchored")
    if anchored is None:
        anchored = False
    elif type(anchored) is not bool:
        raise _refuse(f"anchored must be true or false, got {describe_value(anchored)}")
    maximize = get("maximize")
    if maximize is None:
        maximize = "sharpe_ratio"
    elif not isinstance(maximize, str):
        raise _refuse(f"maximize must be a metric's name, got {describe_value(maximize)}")
    if maximize not in METRIC_NAMES:
        raise _refuse(
            f"unknown metric '{maximize}'; did you mean '{nearest(maximize, METRIC_NAMES)}'?"
        )
    return WalkOptions(train, test, step, anchored, maximize)


def windows(options: WalkOptions, bars: int) -> list[tuple[range, range]]:
    """``(train bars, test bars)`` of every window whose test fits in ``bars``."""
    need = min(options.train + options.test, _USIZE_MAX)  # the core's saturating add
    if need > bars:
        raise _refuse(
            f"the first window needs {need} bars (train {options.train} + test "
            f"{options.test}), the data has {bars}"
        )
    out = []
    for k in range((bars - need) // options.step + 1):
        test_start = k * options.step + options.train
        train_start = 0 if options.anchored else k * options.step
        out.append((range(train_start, test_start), range(test_start, test_start + options.test)))
    return out


def best_index(scores: Sequence[float]) -> int:
    """The index of the largest score: NaN never wins, ties go to the first; the first when
    every score is NaN."""
    best: Optional[int] = None
    for i, x in enumerate(scores):
        if x == x and (best is None or x > scores[best]):
            best = i
    return 0 if best is None else best


def _score(value: Any) -> float:
    """A metric as a sweep column holds it: undefined is NaN, an int a float."""
    return _NAN if value is None else float(value)


def _cut(lists: Any, bars: range) -> Any:
    """Every list of a dict or tuple cut to ``bars``."""
    if isinstance(lists, dict):
        return {k: v[bars.start : bars.stop] for k, v in lists.items()}
    return tuple(v[bars.start : bars.stop] for v in lists)


def _flat_table(capital: float, periods_per_year: float, bars: int) -> dict[str, Any]:
    """The metrics of a test that did not run (equity ``capital`` on every bar, no trades),
    as the core's ``compute`` gives them: buy and hold 0."""
    m = Metrics(capital, periods_per_year, bars)
    for t in range(bars):
        m.push(t, capital)
    if capital == 0.0:
        m.initial_capital = _NAN  # 0 / 0 is NaN in Rust; Python's division would raise
    table = m.table()
    table["buy_and_hold_return"] = 0.0
    return table


class _OneAsset:
    """One asset's bars and each combination's signals on all of them
    (``src/walk/one_asset.rs``)."""

    def __init__(self, cache: SeriesCache, signals: list, dates: list[str]) -> None:
        self.columns, self.signals, self.dates = cache.columns, signals, dates
        self.n = cache.n

    def part(self, bars: range) -> range:
        return bars

    def run(self, bars: range, i: int, settings: Settings, keep: bool) -> tuple:
        """``(metrics table, equity, trades (indices in the window), exposed bars)``."""
        dates = self.dates[bars.start : bars.stop] if keep else None
        account, equity = simulate(
            _cut(self.columns, bars), _cut(self.signals[i], bars), settings, dates
        )
        return account.metrics.table(), equity, account.trades, account.metrics.in_market

    def buy_and_hold(self, first: int, last: int) -> float:
        close = self.columns["close"]
        return close[last] / close[first] - 1.0


class _Universe:
    """A universe's assets and each combination's signals on each asset's own bars
    (``src/walk/portfolio.rs``): a window's portfolio is every asset with a bar in it."""

    def __init__(
        self,
        assets: Sequence[Mapping[str, Any]],
        bound: list,
        settings: Settings,
        slots: Optional[int],
    ) -> None:
        self.assets = assets
        self.dates, self.union_bars = align(assets)
        self.n = len(self.dates)
        self.slots = slots
        caches = [SeriesCache(a) for a in assets]  # type: ignore[arg-type]
        # Per combination, per asset: its four signal lists on its own bars.
        self.signals = [
            [strategy_signals(sides, c, settings.direction) for c in caches] for sides in bound
        ]

    def own_bars(self, k: int, bars: range) -> range:
        """Asset ``k``'s own bars whose union bar is in ``bars``."""
        own = self.union_bars[k]
        return range(bisect_left(own, bars.start), bisect_left(own, bars.stop))

    def part(self, bars: range) -> tuple:
        """The window's assets (index, own bars) and their columns, union bars and steps."""
        picked = [(k, self.own_bars(k, bars)) for k in range(len(self.assets))]
        picked = [(k, own) for k, own in picked if len(own)]
        columns = [_cut_asset(self.assets[k], own) for k, own in picked]
        union_bars = [
            [u - bars.start for u in self.union_bars[k][own.start : own.stop]] for k, own in picked
        ]
        steps = union_steps(columns, union_bars, len(bars))
        return bars, picked, columns, union_bars, steps

    def run(self, part: tuple, i: int, settings: Settings, keep: bool) -> tuple:
        bars, picked, columns, union_bars, steps = part
        runs = [(_cut(self.signals[i][k], own), settings) for k, own in picked]
        dates = self.dates[bars.start : bars.stop]
        state, trades = stepped(columns, dates, union_bars, steps, runs, self.slots, keep)
        bh = buy_and_hold([(c["close"][0], c["close"][-1]) for c in columns])
        table = state.result([], bh)["metrics"]
        return table, state.equity, trades, state.metrics.in_market

    def buy_and_hold(self, first: int, last: int) -> float:
        held = []
        for k, a in enumerate(self.assets):
            own = self.own_bars(k, range(first, last + 1))
            if len(own):
                held.append((a["close"][own.start], a["close"][own.stop - 1]))
        return buy_and_hold(held)


def _cut_asset(asset: Mapping[str, Any], own: range) -> dict:
    """An asset's columns on its own bars ``own`` (its symbol kept)."""
    out = {k: v[own.start : own.stop] for k, v in asset.items() if k != "symbol"}
    out["symbol"] = asset["symbol"]
    return out


def walk_forward(
    columns: Mapping[str, Sequence[Any]],
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]] = None,
    constraint: Any = None,
    combinations: Optional[list[dict]] = None,
    options: Any = None,
) -> dict:
    """A walk-forward of the sweep ``strategy`` x ``params`` (as :func:`.sweep.sweep` takes
    them) with ``options`` ``{"train", "test", "step", "anchored", "maximize"}`` on
    ``columns`` (already validated).

    Returns the native engine's dict: ``windows`` (one per window: its bars' indices and
    dates, the chosen ``params``, ``in_sample`` and ``out_of_sample`` metrics, start and end
    equity, ``in_sample_equity``), the stitched test runs' ``metrics``, ``equity_curve``,
    ``equity_index`` and ``trades``, and the request's ``names``, ``combinations``, ``train``,
    ``test``, ``step``, ``anchored``, ``maximize``, ``execution_time_ms``.
    """
    start_time = time.perf_counter()
    names, combos, bound, resolved = plan(strategy, params, settings, constraint, combinations)
    walk = read_options(options)
    cache = SeriesCache(columns)  # type: ignore[arg-type]
    windows(walk, cache.n)
    signals = [strategy_signals(sides, cache, resolved.direction) for sides in bound]
    bars = _OneAsset(cache, signals, list(columns["dates"]))
    return _walk(bars, names, combos, resolved, walk, start_time)


def walk_forward_portfolio(
    assets: Sequence[Mapping[str, Any]],
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]] = None,
    constraint: Any = None,
    combinations: Optional[list[dict]] = None,
    options: Any = None,
) -> dict:
    """:func:`walk_forward` on a universe (validated columns, each with its ``symbol``): the
    sweep checked as a portfolio sweep, windows of union bars, trades with their symbol."""
    start_time = time.perf_counter()
    dates, _ = align(assets)
    names, combos, bound, resolved, slots = plan_portfolio_sweep(
        assets, strategy, params, settings, constraint, combinations
    )
    walk = read_options(options)
    windows(walk, len(dates))
    bars = _Universe(assets, bound, resolved, slots)
    return _walk(bars, names, combos, resolved, walk, start_time)


def _walk(
    bars: Any,
    names: list[str],
    combos: list[dict],
    resolved: Settings,
    walk: WalkOptions,
    start_time: float,
) -> dict:
    """Every window of ``walk`` over ``bars`` (:class:`_OneAsset` or :class:`_Universe`)."""
    layout = windows(walk, bars.n)
    dates = bars.dates
    rows: list[dict] = []
    equity_curve: list[float] = []
    equity_index: list[int] = []
    trades: list[dict] = []
    exposed_bars = 0
    capital = resolved.initial_capital
    for k, (train, test) in enumerate(layout):
        train_part = bars.part(train)
        tables = [bars.run(train_part, i, resolved, False)[0] for i in range(len(combos))]
        best = best_index([_score(t[walk.maximize]) for t in tables])
        in_sample_equity = bars.run(train_part, best, resolved, True)[1]
        start_equity = capital
        if capital > 0.0 and math.isfinite(capital):
            out_of_sample, equity, test_trades, exposed = bars.run(
                bars.part(test), best, dataclasses.replace(resolved, initial_capital=capital), True
            )
            exposed_bars += exposed
            for trade in test_trades:  # indices in all the bars
                trade["entry_index"] += test.start
                trade["exit_index"] += test.start
                trades.append(trade)
        else:  # nothing left to trade with: the equity stays where it is
            equity = [capital] * len(test)
            out_of_sample = _flat_table(capital, resolved.periods_per_year, len(test))
        capital = equity[-1]
        equity_curve.extend(equity)
        equity_index.extend(test)
        rows.append(
            {
                "window": k,
                "train_start_index": train.start,
                "train_end_index": train.stop - 1,
                "test_start_index": test.start,
                "test_end_index": test.stop - 1,
                "train_start": dates[train.start],
                "train_end": dates[train.stop - 1],
                "test_start": dates[test.start],
                "test_end": dates[test.stop - 1],
                "params": {name: combos[best][name] for name in names},
                "in_sample": tables[best],
                "out_of_sample": out_of_sample,
                "start_equity": start_equity,
                "end_equity": capital,
                "in_sample_equity": in_sample_equity,
            }
        )
    first, last = layout[0][1].start, layout[-1][1].stop - 1
    metrics = _stitched_table(equity_curve, trades, exposed_bars, resolved)
    metrics["buy_and_hold_return"] = bars.buy_and_hold(first, last)
    return {
        "windows": rows,
        "metrics": metrics,
        "equity_curve": equity_curve,
        "equity_index": equity_index,
        "trades": trades,
        "names": names,
        "combinations": len(combos),
        "train": walk.train,
        "test": walk.test,
        "step": walk.step,
        "anchored": walk.anchored,
        "maximize": walk.maximize,
        "execution_time_ms": (time.perf_counter() - start_time) * 1000.0,
    }


def _stitched_table(
    equity: list[float],
    trades: list[dict],
    exposed_bars: int,
    settings: Settings,
) -> dict[str, Any]:
    """The metrics of the test runs' equity one after the other, as one run's: from the
    settings' initial capital, every trade and exposed bar (buy and hold left to the
    caller)."""
    m = Metrics(settings.initial_capital, settings.periods_per_year, len(equity))
    for t, e in enumerate(equity):
        m.push(t, e)
    m.in_market = exposed_bars
    for trade in trades:
        m.add_trade(trade["pnl"], trade["return_pct"])
    return m.table()
