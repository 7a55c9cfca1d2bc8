"""Signals: a bound strategy tree evaluated over the bars to per-bar booleans.

Series are lists of floats of the bars' length (NaN where undefined); conditions are lists of
bools (a comparison with NaN is false). An indicator is computed once per key (kind, params,
source) in a :class:`SeriesCache`, which a sweep shares across its runs. Execution then reads
only the four boolean lists (:func:`order_signals`), never an indicator.
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Sequence

from . import indicators
from .strategy import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Const,
    Cross,
    Indicator,
    Not,
    Price,
    Series,
    Shift,
)

_NAN = float("nan")
_COMPARE = {"gt": operator.gt, "lt": operator.lt, "ge": operator.ge, "le": operator.le}
_OUTPUTS = {"macd": ("macd", "signal", "hist"), "bbands": ("upper", "middle", "lower")}


def series_key(node: Series) -> tuple:
    """What identifies a bound series' values: equal keys, equal values."""
    if isinstance(node, Price):
        return ("price", node.column)
    if isinstance(node, Const):
        return ("const", node.value)
    if isinstance(node, Indicator):
        source = None if node.source is None else series_key(node.source)
        return (node.name, tuple(v for _, v in node.params), source)
    if isinstance(node, Shift):
        return ("shift", series_key(node.series), node.periods)
    raise AssertionError(f"an unbound placeholder reached the signals: {node!r}")


class SeriesCache:
    """The bars as float columns and every series computed from them, by key."""

    def __init__(self, columns: dict[str, Sequence[float]]) -> None:
        self.columns = {
            name: [float(v) for v in columns[name]]
            for name in ("open", "high", "low", "close", "volume")
        }
        self.n = len(self.columns["close"])
        self.table: dict[tuple, Any] = {}
        self.computed: list[tuple] = []  # the indicator keys computed, in order (for tests)

    def series(self, node: Series) -> list[float]:
        if isinstance(node, Price):
            return self.columns[node.column]
        key = series_key(node)
        hit = self.table.get(key)
        if hit is None:
            hit = self._compute(node, key)
            self.table[key] = hit
        if isinstance(node, Indicator) and node.output is not None:
            return hit[_OUTPUTS[node.name].index(node.output)]
        return hit

    def _compute(self, node: Series, key: tuple) -> Any:
        if isinstance(node, Const):
            return [node.value] * self.n
        if isinstance(node, Shift):
            values = self.series(node.series)
            p = node.periods
            if p >= self.n:
                return [_NAN] * self.n
            return [_NAN] * p + values[: self.n - p]
        assert isinstance(node, Indicator)
        self.computed.append(key)
        fn = getattr(indicators, node.name)  # looked up per call: tests may count the calls
        args = [v for _, v in node.params]
        if node.name == "atr":
            c = self.columns
            return fn(c["high"], c["low"], c["close"], *args)
        assert node.source is not None
        return fn(self.series(node.source), *args)

    def put(self, node: Series, values: Any) -> None:
        """Prefill the values of a series computed elsewhere (the seed API's precomputed SMAs)."""
        self.table[series_key(node)] = values


def evaluate(node: Condition, cache: SeriesCache) -> list[bool]:
    """A condition's value at every bar."""
    if isinstance(node, Compare):
        return list(map(_COMPARE[node.op], cache.series(node.a), cache.series(node.b)))
    if isinstance(node, Cross):
        a = cache.series(node.a)
        b = cache.series(node.b)
        if node.op == "crosses_above":
            before, now = operator.lt, operator.gt
        else:
            before, now = operator.gt, operator.lt
        was = list(map(before, a, b))
        is_ = list(map(now, a, b))
        return [False] + [w and i for w, i in zip(was, is_[1:])]  # never at t = 0
    if isinstance(node, Not):
        return [not x for x in evaluate(node.item, cache)]
    parts = [evaluate(c, cache) for c in node.items]
    if isinstance(node, AllOf):
        return [all(xs) for xs in zip(*parts)]
    assert isinstance(node, AnyOf)
    return [any(xs) for xs in zip(*parts)]


def order_signals(
    entry: Optional[Sequence[bool]],
    exit: Optional[Sequence[bool]],  # noqa: A002
    short_entry: Optional[Sequence[bool]],
    short_exit: Optional[Sequence[bool]],
    n: int,
    direction: str,
) -> tuple[list[bool], list[bool], list[bool], list[bool]]:
    """``(le, lx, se, sx)`` of CONVENTIONS "Execution": ``le = entry and not exit``, ...; the
    direction drops the other side; a missing list is never true."""
    never = [False] * n
    if direction == "short_only":
        entry = exit = None
    elif direction == "long_only":
        short_entry = short_exit = None
    e = never if entry is None else entry
    x = never if exit is None else exit
    se = never if short_entry is None else short_entry
    sx = never if short_exit is None else short_exit
    return (
        [a and not b for a, b in zip(e, x)],
        [b and not a for a, b in zip(e, x)],
        [a and not b for a, b in zip(se, sx)],
        [b and not a for a, b in zip(se, sx)],
    )


def strategy_signals(sides: tuple, cache: SeriesCache, direction: str) -> tuple:
    """The four order signals of a bound strategy's sides ``(entry, exit, short_entry,
    short_exit)`` (None: absent)."""
    lists = [None if node is None else evaluate(node, cache) for node in sides]
    return order_signals(*lists, cache.n, direction)
