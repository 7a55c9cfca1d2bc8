"""Live runs (SPEC part 11): push one bar at a time, get the events it caused, and at any point
the batch run's result on the bars pushed so far, bit for bit.

``engine.live(strategy, **settings)`` makes one; ``live.push(bar)`` takes a dict or a
:class:`Bar` (date, open, high, low, close, volume); ``live.to_json()`` and
``engine.live_from_json(text)`` save and resume it, on any backend.
``engine.live(strategy, symbols=[...], **settings)`` makes a portfolio's: ``live.push(bars)``
takes one bar set per instant, a dict symbol -> bar (or None when the asset has no bar then).
"""

from __future__ import annotations

from typing import (
    Any,
    AsyncIterable,
    AsyncIterator,
    Iterable,
    Mapping,
    NamedTuple,
    Optional,
    Union,
)

from ._data import _date_text
from ._errors import BacktestError
from ._fallback.api import _is_bool
from ._fallback.names import describe_value, nearest
from ._portfolio_result import PortfolioResult
from ._result import BacktestResult


class Bar(NamedTuple):
    """One bar, as ``live.push`` takes it (a dict with these keys works too)."""

    date: str
    open: float
    high: float
    low: float
    close: float
    volume: float


class Event(NamedTuple):
    """What a bar did. ``kind``: ``"signal"`` (an effective signal; ``reason`` ``"entry"`` or
    ``"exit"``, ``price`` the close), ``"order"`` (what the signals asked for; ``reason``
    ``"open"``, ``"close"`` or ``"reverse"``), ``"fill"`` (``reason`` ``"entry"``, or the
    trade's exit reason ``"signal"`` / ``"reverse"``) or ``"stop"`` (``reason`` the stop).
    ``side`` is the position's side it opens, closes or signals."""

    kind: str
    bar: int
    date: str
    symbol: Optional[str]
    side: str
    price: Optional[float]
    size: Optional[float]
    reason: str


class Position(NamedTuple):
    side: str
    size: float


BarLike = Union[Bar, dict, tuple]

_PRICES = ("open", "high", "low", "close", "volume")
_FIELDS = ("date", *_PRICES, "symbol")
_NUMBERS = (int, float)


def _market_error(message: str) -> BacktestError:
    return BacktestError(message, "invalid_market_data")


def _number(name: str, value: Any, row: int) -> float:
    if type(value) in _NUMBERS:
        return float(value)
    if _is_bool(value) or isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        raise _market_error(f"{name} at row {row} must be a number, got {describe_value(value)}")
    return float(value)  # numpy and other number types


def read_bar(bar: Any, row: int, run_symbol: Optional[str]) -> tuple:
    """``(date, open, high, low, close, volume)`` of a bar, checked in the order the core's
    ``read_bar`` checks a bar object (docs/CONVENTIONS.md, "Live runs")."""
    if type(bar) is Bar or (type(bar) is tuple and len(bar) == 6):
        date, o, h, lo, c, v = bar
        if (
            type(date) is str
            and isinstance(o, float)  # numpy's float64 is one too
            and isinstance(h, float)
            and isinstance(lo, float)
            and isinstance(c, float)
            and isinstance(v, float)
        ):
            return bar  # the common case: the engine checks the rest
        fields = {"date": date, "open": o, "high": h, "low": lo, "close": c, "volume": v}
    elif isinstance(bar, dict):
        fields = bar
    else:
        raise _market_error(
            f"the bar at row {row} must be an object with date, open, high, low, close and "
            f"volume, got {describe_value(bar)}"
        )
    if "date" not in fields:
        raise _market_error(f"the bar at row {row} has no 'date'")
    date = fields["date"]
    if not isinstance(date, str):
        if date is None or isinstance(date, (bool, int, float, list, dict)):
            raise _market_error(f"date at row {row} must be a string, got {describe_value(date)}")
        date = _date_text(date)  # datetime, date, numpy and pandas timestamps
    prices = []
    for name in _PRICES:
        if name not in fields:
            raise _market_error(f"the bar at row {row} has no '{name}'")
        prices.append(_number(name, fields[name], row))
    if len(fields) > 6:
        for key in fields:
            if key not in _FIELDS:
                shown = f"'{key}'" if isinstance(key, str) else describe_value(key)
                near = nearest(str(key), _FIELDS)
                raise _market_error(
                    f"the bar at row {row} has an unknown field {shown}; did you mean '{near}'?"
                )
    symbol = fields.get("symbol")
    if symbol is not None:
        if not isinstance(symbol, str):
            raise _market_error(
                f"symbol at row {row} must be a string, got {describe_value(symbol)}"
            )
        if run_symbol is None:
            raise _market_error(
                f"the bar at row {row} is for symbol '{symbol}' but this run has no symbol; "
                f"give the run symbol='{symbol}'"
            )
        if symbol != run_symbol:
            raise _market_error(
                f"the bar at row {row} is for symbol '{symbol}' but this run trades '{run_symbol}'"
            )
    return (date, *prices)


class LiveRun:
    """A live run of one strategy on one asset. Make it with ``engine.live(...)``."""

    __slots__ = ("_handle", "_backend", "_symbol")

    def __init__(self, handle: Any, backend: str, symbol: Optional[str]) -> None:
        self._handle = handle
        self._backend = backend
        self._symbol = symbol

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def symbol(self) -> Optional[str]:
        return self._symbol

    def push(self, bar: BarLike) -> list[Event]:
        """One bar: checked as batch data is (the row is its index in the run) and refused,
        leaving the run exactly as it was, when it is bad; else the events it caused."""
        h = self._handle
        fields = read_bar(bar, h.bars(), self._symbol)
        return [Event(*e) for e in h.push(*fields)]

    def push_many(self, bars: Iterable[BarLike]) -> list[Event]:
        """Each bar in turn; every event, in order. A bad bar stops it there (the bars before
        it stay pushed)."""
        events: list[Event] = []
        for bar in bars:
            events.extend(self.push(bar))
        return events

    async def feed(self, bars: AsyncIterable[BarLike]) -> AsyncIterator[list[Event]]:
        """``async for events in live.feed(source)``: each bar of an async iterable pushed as it
        comes, its events yielded."""
        async for bar in bars:
            yield self.push(bar)

    @property
    def position(self) -> Optional[Position]:
        """The open position (side and units), or None when flat."""
        p = self._handle.position()
        return None if p is None else Position(*p)

    @property
    def pending(self) -> Optional[str]:
        """The order waiting for the next open: ``"open_long"``, ``"open_short"``,
        ``"close"``, ``"reverse_long"``, ``"reverse_short"``, or None."""
        return self._handle.pending()

    @property
    def cash(self) -> float:
        return self._handle.cash()

    @property
    def equity(self) -> float:
        """The equity at the last close (the initial capital before the first bar)."""
        return self._handle.equity()

    @property
    def bars(self) -> int:
        """Bars pushed so far."""
        return self._handle.bars()

    @property
    def last_date(self) -> Optional[str]:
        return self._handle.last_date()

    def result(self) -> BacktestResult:
        """The batch run's result on the bars pushed so far, bit for bit (its equity curve
        empty when the run was made with ``equity_curve=False``)."""
        return BacktestResult._from_output(self._handle.result(), self._backend)

    def to_json(self) -> str:
        """The run's state as JSON text (format ``quant-backtest/live-state``, version 1, with a
        checksum): ``engine.live_from_json(text)`` resumes it, on any backend."""
        return self._handle.to_json()

    def __repr__(self) -> str:
        return (
            f"LiveRun(backend={self._backend!r}, bars={self.bars}, position={self.position}, "
            f"equity={self.equity!r})"
        )


BarSetLike = Mapping[str, Optional[BarLike]]


def _bar_object(bar: Any) -> Any:
    """A bar of a bar set as the engine reads it: a ``Bar`` or a 6-tuple as a dict, a date
    object as its text; anything else as it is (the engine names what is wrong)."""
    if type(bar) is Bar or (type(bar) is tuple and len(bar) == 6):
        bar = dict(zip(_FIELDS, bar))
    if isinstance(bar, dict):
        date = bar.get("date")
        if not (
            date is None or isinstance(date, (str, bool, int, float, list, dict, tuple, bytes))
        ):
            bar = {**bar, "date": _date_text(date)}  # datetime, date, numpy and pandas timestamps
    return bar


class LivePortfolioRun:
    """A live run of a portfolio: one strategy (or one per symbol) and one cash account over
    ``symbols``. Make it with ``engine.live(strategy, symbols=[...])``. At any point
    ``result()`` equals ``engine.run_portfolio`` on the bars pushed so far of the assets that
    have started, bit for bit."""

    __slots__ = ("_handle", "_backend")

    def __init__(self, handle: Any, backend: str) -> None:
        self._handle = handle
        self._backend = backend

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def symbols(self) -> list[str]:
        return self._handle.symbols()

    @property
    def started(self) -> list[str]:
        """The symbols that have had a bar: a bar set must then name each of them, with a bar
        or None."""
        return self._handle.started()

    def push(self, bars: BarSetLike) -> list[Event]:
        """One instant: a dict symbol -> bar (a dict, a ``Bar``) or None (no bar then). Each
        bar is checked as batch data is (its row the asset's own bar index) and must be after
        the last instant; the bars share one instant. A bad set is refused, leaving the run
        exactly as it was; else the events it caused, each naming its symbol."""
        if isinstance(bars, Mapping):
            bars = {k: _bar_object(v) for k, v in bars.items()}
        return [Event(*e) for e in self._handle.push(bars)]

    def push_many(self, bar_sets: Iterable[BarSetLike]) -> list[Event]:
        """Each bar set in turn; every event, in order. A bad set stops it there (the sets
        before it stay pushed)."""
        events: list[Event] = []
        for bars in bar_sets:
            events.extend(self.push(bars))
        return events

    async def feed(self, bar_sets: AsyncIterable[BarSetLike]) -> AsyncIterator[list[Event]]:
        """``async for events in live.feed(source)``: each bar set of an async iterable pushed
        as it comes, its events yielded."""
        async for bars in bar_sets:
            yield self.push(bars)

    @property
    def positions(self) -> dict[str, Position]:
        """The open positions: symbol -> side and units, in universe order."""
        return {s: Position(side, q) for s, side, q in self._handle.positions()}

    @property
    def pending(self) -> dict[str, str]:
        """The orders waiting for their asset's next bar: symbol -> ``"open_long"``,
        ``"open_short"``, ``"close"``, ``"reverse_long"`` or ``"reverse_short"``."""
        return dict(self._handle.pending())

    @property
    def cash(self) -> float:
        """The shared cash."""
        return self._handle.cash()

    @property
    def equity(self) -> float:
        """The equity at the last close (the initial capital before the first instant)."""
        return self._handle.equity()

    @property
    def bars(self) -> int:
        """Instants pushed so far."""
        return self._handle.bars()

    @property
    def last_date(self) -> Optional[str]:
        return self._handle.last_date()

    def result(self) -> PortfolioResult:
        """``run_portfolio``'s result on the started assets' bars so far, bit for bit (its
        curves empty when the run was made with ``equity_curve=False``)."""
        out = self._handle.result()
        symbols = [a["symbol"] for a in out["assets"]]
        return PortfolioResult._from_output(out, self._backend, out["dates"], symbols)

    def to_json(self) -> str:
        """The run's state as JSON text (the format of ``LiveRun.to_json``):
        ``engine.live_from_json(text)`` resumes it, on any backend."""
        return self._handle.to_json()

    def __repr__(self) -> str:
        return (
            f"LivePortfolioRun(backend={self._backend!r}, symbols={self.symbols}, "
            f"bars={self.bars}, positions={len(self.positions)}, equity={self.equity!r})"
        )
