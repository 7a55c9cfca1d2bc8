"""Indicators, the pure-Python twin of ``src/indicators/`` (docs/CONVENTIONS.md, "Indicators").

Every state machine here does the same IEEE-754 double operations in the same order as its
Rust twin, so the two give the same bits. Each batch function is the fold of its state's
``update`` (``sma`` is the seed's loop, which does the same operations as ``SMA.update``).

Conventions shared with the Rust code:

* Leading NaNs are skipped, as the ``ta-lib`` Python package does: an indicator of an
  indicator starts where its source does. A state ignores NaN updates until the first number.
* Windows grow with the values pushed (a ``deque``), never allocated ``period`` long up front.
* Periods are validated by the callers (the public ``quant_backtest.indicators``): integers
  ``>= 1``, and ``fast < slow`` for ``macd``.

Python pitfalls avoided (see ``_fallback/__init__.py``): no division here can have a zero
divisor (periods are >= 1, ``roc`` tests its divisor, ``rsi`` its denominator); ``max``/``min``
are never called on floats (comparisons are written out, in Rust's order); ``math.sqrt`` is
never given a negative (``STDDEV`` tests it, as Rust's ``sqrt`` gives NaN there).

Standard library only.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

__all__ = [
    "SMA",
    "EMA",
    "WMA",
    "RSI",
    "MACD",
    "BBANDS",
    "ATR",
    "STDDEV",
    "ROC",
    "HIGHEST",
    "LOWEST",
    "sma",
    "ema",
    "wma",
    "rsi",
    "macd",
    "bbands",
    "atr",
    "stddev",
    "roc",
    "highest",
    "lowest",
]

_NAN = math.nan
_NAN3 = (_NAN, _NAN, _NAN)


def _fold(state, values: Sequence[float]) -> list[float]:
    update = state.update
    return [update(x) for x in values]


def _fold3(state, values: Sequence[float]) -> tuple[list[float], list[float], list[float]]:
    first: list[float] = []
    second: list[float] = []
    third: list[float] = []
    update = state.update
    for x in values:
        a, b, c = update(x)
        first.append(a)
        second.append(b)
        third.append(c)
    return first, second, third


class _State:
    """What every state has: ``value`` (the last update's answer) and ``reset()``."""

    _value: object = _NAN

    @property
    def value(self):
        """The value the last update returned (NaN, or a tuple of NaNs, before any)."""
        return self._value

    def reset(self) -> None:
        """Forget every value pushed."""
        self._start()

    def _start(self) -> None:  # pragma: no cover - every state defines it
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# sma: the seed's compensated rolling mean.
# --------------------------------------------------------------------------------------------


class SMA(_State):
    """The rolling mean with a Neumaier-compensated sum; a window of equal values gives
    exactly that value (``src/indicators/sma.rs``)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._divisor = float(period)
        self._start()

    def _start(self) -> None:
        self._window: deque[float] = deque()
        self._s = 0.0  # running sum
        self._c = 0.0  # Neumaier compensation
        self._run = 0  # length of the run of equal values ending at the last one
        self._seen = 0
        self._value = _NAN

    def update(self, x: float) -> float:
        if self._seen == 0 and x != x:
            return _NAN
        window = self._window
        self._run = self._run + 1 if window and x == window[-1] else 1
        s = self._s
        u = s + x
        if abs(s) >= abs(x):
            self._c += (s - u) + x
        else:
            self._c += (x - u) + s
        s = u
        window.append(x)
        if len(window) > self.period:
            y = -window.popleft()
            u = s + y
            if abs(s) >= abs(y):
                self._c += (s - u) + y
            else:
                self._c += (y - u) + s
            s = u
        self._s = s
        self._seen += 1
        if self._seen < self.period:
            value = _NAN
        elif self._run >= self.period:
            value = x
        else:
            value = (s + self._c) / self._divisor
        self._value = value
        return value


def sma(values: Sequence[float], period: int) -> list[float]:
    """The simple moving average over ``period`` (first valid index ``period - 1``).

    The seed's loop (``_fallback.sma``) after the leading NaNs: the operations of
    :meth:`SMA.update`, without a window object.
    """
    xs = values if isinstance(values, list) else list(values)
    n = len(xs)
    out = [_NAN] * n
    b = 0
    while b < n and xs[b] != xs[b]:
        b += 1
    p = period
    divisor = float(p)
    s = 0.0
    c = 0.0
    run = 0
    for t in range(b, n):
        x = xs[t]
        run = run + 1 if t > b and x == xs[t - 1] else 1
        u = s + x
        if abs(s) >= abs(x):
            c += (s - u) + x
        else:
            c += (x - u) + s
        s = u
        if t - b >= p:
            y = -xs[t - p]
            u = s + y
            if abs(s) >= abs(y):
                c += (s - u) + y
            else:
                c += (y - u) + s
            s = u
        if t - b >= p - 1:
            out[t] = x if run >= p else (s + c) / divisor
    return out


# --------------------------------------------------------------------------------------------
# ema, wma
# --------------------------------------------------------------------------------------------


class EMA(_State):
    """``alpha = 2 / (period + 1)``; the plain mean of the first ``period`` values, then
    ``e = (x - e) * alpha + e`` (``src/indicators/ema.rs``)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._alpha = 2.0 / (float(period) + 1.0)
        self._start()

    def _start(self) -> None:
        self._seen = 0
        self._e = 0.0  # the plain sum while seeding, then the average
        self._value = _NAN

    def update(self, x: float) -> float:
        if self._seen == 0 and x != x:
            return _NAN
        value = self._push(x)
        self._value = value
        return value

    def _push(self, x: float) -> float:
        """``update`` without skipping leading NaNs (``MACD`` feeds values at fixed places)."""
        self._seen += 1
        if self._seen < self.period:
            self._e += x
            return _NAN
        if self._seen == self.period:
            self._e += x
            self._e /= float(self.period)
            return self._e
        self._e = (x - self._e) * self._alpha + self._e
        return self._e


def ema(values: Sequence[float], period: int) -> list[float]:
    """The EMA over ``period`` (first valid index ``period - 1``)."""
    return _fold(EMA(period), values)


class WMA(_State):
    """``sum_{j=1..p} j * x[t-p+j]`` (j ascending) ``/ (p * (p + 1) / 2)``."""

    def __init__(self, period: int) -> None:
        self.period = period
        p = float(period)
        self._divisor = p * (p + 1.0) / 2.0
        self._start()

    def _start(self) -> None:
        self._window: deque[float] = deque()
        self._value = _NAN

    def update(self, x: float) -> float:
        window = self._window
        if not window and x != x:
            return _NAN
        window.append(x)
        if len(window) > self.period:
            window.popleft()
        if len(window) < self.period:
            value = _NAN
        else:
            total = 0.0
            j = 1.0
            for v in window:
                total += j * v
                j += 1.0
            value = total / self._divisor
        self._value = value
        return value


def wma(values: Sequence[float], period: int) -> list[float]:
    """The WMA over ``period`` (first valid index ``period - 1``)."""
    return _fold(WMA(period), values)


# --------------------------------------------------------------------------------------------
# rsi
# --------------------------------------------------------------------------------------------


class RSI(_State):
    """TA-Lib 0.8's RSI: Wilder's smoothing seeded with the mean of the first ``period``
    changes, scaled by ``1 / period``; 0 where gains and losses are both exactly 0
    (``src/indicators/rsi.rs``)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._inv = 1.0 / float(period)
        self._kept = float(period - 1)
        self._start()

    def _start(self) -> None:
        self._seen = 0  # values seen, the first included
        self._previous = _NAN
        self._gain = 0.0
        self._loss = 0.0
        self._value = _NAN

    def update(self, x: float) -> float:
        if self._seen == 0:
            if x == x:
                self._previous = x
                self._seen = 1
            return _NAN
        change = x - self._previous
        self._previous = x
        changes = self._seen  # including this one
        self._seen += 1
        if changes > self.period:
            self._gain *= self._kept
            self._loss *= self._kept
        if change < 0.0:
            self._loss -= change
        else:
            self._gain += change
        if changes < self.period:
            return _NAN
        self._gain *= self._inv
        self._loss *= self._inv
        total = self._gain + self._loss
        value = 100.0 * (self._gain / total) if total > 0.0 else 0.0
        self._value = value
        return value


def rsi(values: Sequence[float], period: int) -> list[float]:
    """The RSI over ``period`` (first valid index ``period``)."""
    return _fold(RSI(period), values)


# --------------------------------------------------------------------------------------------
# macd
# --------------------------------------------------------------------------------------------


class MACD(_State):
    """``(macd, signal, hist)``, TA-Lib's alignment: both averages start at ``slow - 1``,
    the fast one seeded with the mean of the ``fast`` values ending there; all NaN before
    ``slow - 1 + signal - 1`` (``src/indicators/macd.rs``)."""

    def __init__(self, fast: int, slow: int, signal: int) -> None:
        self.fast = fast
        self.slow = slow
        self.signal = signal
        self._start()

    def _start(self) -> None:
        self._seen = 0
        self._fast = EMA(self.fast)
        self._slow = EMA(self.slow)
        self._signal = EMA(self.signal)
        self._value = _NAN3

    def update(self, x: float) -> tuple[float, float, float]:
        if self._seen == 0 and x != x:
            return _NAN3
        index = self._seen
        self._seen += 1
        slow = self._slow._push(x)
        if index < self.slow - self.fast:
            return _NAN3
        fast = self._fast._push(x)
        if index + 1 < self.slow:
            return _NAN3
        line = fast - slow
        signal = self._signal._push(line)
        if self._signal._seen < self.signal:
            return _NAN3
        value = (line, signal, line - signal)
        self._value = value
        return value


def macd(
    values: Sequence[float], fast: int, slow: int, signal: int
) -> tuple[list[float], list[float], list[float]]:
    """``(macd, signal, hist)`` (first valid index ``slow - 1 + signal - 1``)."""
    return _fold3(MACD(fast, slow, signal), values)


# --------------------------------------------------------------------------------------------
# stddev, bbands
# --------------------------------------------------------------------------------------------


class STDDEV(_State):
    """TA-Lib 0.8's STDDEV (``nbdev`` 1) over its cancellation-free VAR: sums of
    ``d = x - shift`` and ``d * d`` (``shift`` the first value), re-anchored at the window's
    mean when they lose digits (``src/indicators/stddev.rs``, the same operations)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._inv = 1.0 / float(period)
        self._start()

    def _start(self) -> None:
        self._window: deque[float] = deque()
        self._shift = 0.0
        self._s1 = 0.0
        self._s2 = 0.0
        self._to_reseed = 32 * self.period
        self._started = False
        self._value = _NAN

    def update(self, x: float) -> float:
        if not self._started:
            if x != x:
                return _NAN
            self._started = True
            self._shift = x
        d = x - self._shift
        self._s1 += d
        self._s2 += d * d
        window = self._window
        window.append(x)
        if len(window) < self.period:
            return _NAN
        inv = self._inv
        mean = self._s1 * inv
        variance = self._s2 * inv - mean * mean
        oldest = window.popleft()
        t = oldest - self._shift
        self._s1 -= t
        t_sq = t * t
        self._s2 -= t_sq
        self._to_reseed -= 1
        if (
            variance < 0.000001 * (self._s2 * inv)
            or t_sq > 1000000.0 * self._s2
            or self._to_reseed == 0
        ):
            variance = self._reseed(oldest)
        # Rust's sqrt: NaN for a negative (never reached: var's guard reseeds those).
        value = _NAN if variance < 0.0 else math.sqrt(variance)
        self._value = value
        return value

    def _reseed(self, oldest: float) -> float:
        inv = self._inv
        self._to_reseed = 32 * self.period
        total = 0.0
        total += oldest
        for v in self._window:
            total += v
        shift = total * inv
        self._shift = shift
        s1 = 0.0
        s2 = 0.0
        d = oldest - shift
        s1 += d
        s2 += d * d
        for v in self._window:
            d = v - shift
            s1 += d
            s2 += d * d
        mean = s1 * inv
        variance = s2 * inv - mean * mean
        if variance < 0.000000000001 * (s2 * inv):
            variance = 0.0
        t = oldest - shift
        self._s1 = s1 - t
        self._s2 = s2 - t * t
        return variance


def stddev(values: Sequence[float], period: int) -> list[float]:
    """The population standard deviation over ``period`` (first valid index
    ``period - 1``)."""
    return _fold(STDDEV(period), values)


class BBANDS(_State):
    """``(upper, middle, lower)``: ``middle`` the SMA, ``sd`` as :class:`STDDEV`,
    ``middle + k * sd`` and ``middle - k * sd``."""

    def __init__(self, period: int, k: float) -> None:
        self.period = period
        self.k = float(k)
        self._start()

    def _start(self) -> None:
        self._middle = SMA(self.period)
        self._deviation = STDDEV(self.period)
        self._value = _NAN3

    def update(self, x: float) -> tuple[float, float, float]:
        middle = self._middle.update(x)
        deviation = self._deviation.update(x)
        if middle != middle and deviation != deviation:
            return _NAN3
        width = self.k * deviation
        value = (middle + width, middle, middle - width)
        self._value = value
        return value


def bbands(
    values: Sequence[float], period: int, k: float
) -> tuple[list[float], list[float], list[float]]:
    """``(upper, middle, lower)`` over ``period`` (first valid index ``period - 1``)."""
    return _fold3(BBANDS(period, k), values)


# --------------------------------------------------------------------------------------------
# atr
# --------------------------------------------------------------------------------------------


def _true_range(high: float, low: float, previous_close: float) -> float:
    """``max(high - low, |high - pc|, |low - pc|)``, compared in that order (``>``)."""
    greatest = high - low
    to_high = abs(high - previous_close)
    if to_high > greatest:
        greatest = to_high
    to_low = abs(low - previous_close)
    if to_low > greatest:
        greatest = to_low
    return greatest


class ATR(_State):
    """TA-Lib's ATR: the mean of the first ``period`` true ranges at index ``period``, then
    ``a = (a * (p - 1) + tr) / p``; ``period = 1`` is the true range itself."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._p = float(period)
        self._kept = float(period - 1)
        self._start()

    def _start(self) -> None:
        self._seen = 0  # bars seen, the first included
        self._previous_close = _NAN
        self._a = 0.0  # the plain sum while seeding, then the average
        self._value = _NAN

    def update(self, high: float, low: float, close: float) -> float:
        if self._seen == 0:
            if high == high and low == low and close == close:
                self._previous_close = close
                self._seen = 1
            return _NAN
        tr = _true_range(high, low, self._previous_close)
        self._previous_close = close
        ranges = self._seen  # including this one
        self._seen += 1
        if self.period == 1:
            value = tr
        elif ranges < self.period:
            self._a += tr
            return _NAN
        elif ranges == self.period:
            self._a += tr
            self._a /= self._p
            value = self._a
        else:
            self._a *= self._kept
            self._a += tr
            self._a /= self._p
            value = self._a
        self._value = value
        return value


def atr(
    high: Sequence[float], low: Sequence[float], close: Sequence[float], period: int
) -> list[float]:
    """The ATR over ``period`` (first valid index ``period``); equal lengths (checked by the
    caller)."""
    update = ATR(period).update
    return [update(h, lo, c) for h, lo, c in zip(high, low, close)]


# --------------------------------------------------------------------------------------------
# roc, highest, lowest
# --------------------------------------------------------------------------------------------


class ROC(_State):
    """``x[t-p] != 0 ? (x[t] / x[t-p] - 1) * 100 : 0`` (percent, as TA-Lib)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._start()

    def _start(self) -> None:
        self._window: deque[float] = deque()  # the last `period` values
        self._value = _NAN

    def update(self, x: float) -> float:
        window = self._window
        if not window and x != x:
            return _NAN
        if len(window) == self.period:
            before = window.popleft()
            value = (x / before - 1.0) * 100.0 if before != 0.0 else 0.0
            self._value = value
        else:
            value = _NAN
        window.append(x)
        return value


def roc(values: Sequence[float], period: int) -> list[float]:
    """The rate of change in percent over ``period`` (first valid index ``period``)."""
    return _fold(ROC(period), values)


class _Extreme(_State):
    """The rolling extreme of the last ``period`` values by a monotonic deque (O(1) amortised);
    ties keep the latest value (as TA-Lib); a NaN in the window (after the leading ones) gives
    NaN (``src/indicators/extremes.rs``)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self._start()

    def _start(self) -> None:
        self._seen = 0
        self._candidates: deque[tuple[int, float]] = deque()
        self._last_nan = -1  # -1: none yet
        self._value = _NAN

    def _keeps(self, new: float, old: float) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def update(self, x: float) -> float:
        if self._seen == 0 and x != x:
            return _NAN
        index = self._seen
        self._seen += 1
        candidates = self._candidates
        if x != x:
            self._last_nan = index
        else:
            keeps = self._keeps
            while candidates and keeps(x, candidates[-1][1]):
                candidates.pop()
            candidates.append((index, x))
        period = self.period
        while candidates and candidates[0][0] + period <= index:
            candidates.popleft()
        if self._seen < period:
            return _NAN
        if self._last_nan >= 0 and self._last_nan + period > index:
            value = _NAN
        else:
            value = candidates[0][1] if candidates else _NAN
        self._value = value
        return value


class HIGHEST(_Extreme):
    """The rolling maximum of the last ``period`` values."""

    def _keeps(self, new: float, old: float) -> bool:
        return new >= old


class LOWEST(_Extreme):
    """The rolling minimum of the last ``period`` values."""

    def _keeps(self, new: float, old: float) -> bool:
        return new <= old


def highest(values: Sequence[float], period: int) -> list[float]:
    """The rolling maximum over ``period`` (first valid index ``period - 1``)."""
    return _fold(HIGHEST(period), values)


def lowest(values: Sequence[float], period: int) -> list[float]:
    """The rolling minimum over ``period`` (first valid index ``period - 1``)."""
    return _fold(LOWEST(period), values)
