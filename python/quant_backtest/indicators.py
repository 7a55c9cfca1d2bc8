"""Technical indicators with TA-Lib's definitions (docs/CONVENTIONS.md, "Indicators").

Batch functions take lists, tuples, numpy arrays or pandas Series and return arrays of the
input's length with NaN before the first valid index (numpy ``float64`` arrays when numpy is
installed, a pandas Series with the input's index for a Series, plain lists without numpy)::

    from quant_backtest import indicators as ta
    ta.sma([1.0, 2.0, 3.0, 4.0], 2)          # array([nan, 1.5, 2.5, 3.5])
    upper, middle, lower = ta.bbands(close, 20, 2.0)

They run on the Rust engine when it is available (``QUANT_BACKTEST_BACKEND``, see
``_backend``), else on the pure-Python engine; both give the same bits.

Streaming classes hold one indicator's state and take one value at a time; after k updates
they have returned exactly the batch output's first k values::

    rsi = ta.RSI(14)
    for price in feed:
        value = rsi.update(price)             # NaN during the warm-up

Leading NaNs are skipped, as the ``ta-lib`` package does: an indicator of an indicator starts
where its source does. Bad arguments raise :class:`~quant_backtest.BacktestError` with
``code == "invalid_parameter"``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Optional, Union

from . import _backend
from ._errors import BacktestError
from ._fallback import format_float
from ._fallback import indicators as _fb
from ._fallback.strategy import MAX_INT_PARAM

try:  # numpy is optional: without it the functions return lists
    import numpy as _np
except ImportError:  # pragma: no cover - exercised by test_no_numpy-style runs
    _np = None  # type: ignore[assignment]

__all__ = [
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
]

#: The largest period (or other integer parameter) the engines take.
MAX_PERIOD = MAX_INT_PARAM  # the engine's limit for a period

#: What a batch function returns: a numpy array, a pandas Series, or a list without numpy.
Series = Any
Values = Union[Sequence[float], Any]

# --------------------------------------------------------------------------------------------
# Argument checks (messages as docs/CONVENTIONS.md, "Values in messages")
# --------------------------------------------------------------------------------------------


def _describe(value: object) -> str:
    """``value`` as the messages write it: JSON-like, floats as Rust's ``{:?}``."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if _np is not None and isinstance(value, _np.bool_):
        return "true" if bool(value) else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return format_float(float(value))
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple, set, frozenset)) or _is_array(value):
        return "an array"
    return f"a {type(value).__name__}"


def _is_bool(value: object) -> bool:
    return isinstance(value, bool) or (_np is not None and isinstance(value, _np.bool_))


def _is_array(value: object) -> bool:
    return _np is not None and isinstance(value, _np.ndarray)


def _error(message: str) -> BacktestError:
    return BacktestError(message, code="invalid_parameter")


def _integer(name: str, value: object) -> int:
    """An integer parameter in ``[1, MAX_PERIOD]`` (not a bool, not a float like ``10.0``)."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise _error(f"{name} must be an integer >= 1, got {_describe(value)}")
    number = int(value)
    if number < 1:
        raise _error(f"{name} must be an integer >= 1, got {number}")
    if number > MAX_PERIOD:
        raise _error(f"{name} must be an integer <= {MAX_PERIOD}, got {number}")
    return number


def _band_width(value: object) -> float:
    """``k``: a finite number ``>= 0`` (int or float, not a bool)."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise _error(f"k must be a finite number >= 0, got {_describe(value)}")
    number = float(value)
    if not (math.isfinite(number) and number >= 0.0):
        raise _error(f"k must be a finite number >= 0, got {_describe(value)}")
    return number


def _macd_periods(fast: object, slow: object, signal: object) -> tuple[int, int, int]:
    f = _integer("fast", fast)
    s = _integer("slow", slow)
    g = _integer("signal", signal)
    if not f < s:
        raise _error(f"macd needs fast < slow, got fast={f} and slow={s}")
    return f, s, g


def _number(name: str, value: object) -> float:
    """One value of a stream: an int or float (numpy's too), not a bool."""
    if type(value) is float:
        return value  # the common case, first
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise _error(f"{name} must be a number, got {_describe(value)}")
    return float(value)


class _Input:
    """A checked input series: its values as a list of floats, and the pandas index to give
    the outputs (None unless the input was a Series)."""

    __slots__ = ("values", "index")

    def __init__(self, values: list[float], index: Any) -> None:
        self.values = values
        self.index = index


def _is_series(value: object) -> bool:
    kind = type(value)
    return kind.__module__.startswith("pandas") and kind.__name__ == "Series"


def _input(name: str, values: object) -> _Input:
    index = None
    data = values
    if _is_series(values):
        index = values.index  # type: ignore[attr-defined]
        data = values.to_numpy()  # type: ignore[attr-defined]
    if _is_array(data):
        array = data  # a numpy array
        if array.ndim != 1:
            raise _error(f"{name} must be one-dimensional, got an array of shape {array.shape}")
        if array.dtype.kind in "fiu":
            return _Input(array.astype(_np.float64).tolist(), index)
        if array.dtype.kind != "O":
            raise _error(
                f"{name} must be a sequence of numbers, got an array of dtype {array.dtype}"
            )
        data = array.tolist()
    if isinstance(data, (str, bytes, bytearray, dict)) or not isinstance(data, Sequence):
        raise _error(f"{name} must be a sequence of numbers, got {_describe(values)}")
    out: list[float] = []
    append = out.append
    for i, v in enumerate(data):
        if type(v) is float:
            append(v)
        elif _is_bool(v) or not isinstance(v, numbers.Real):
            raise _error(f"{name}[{i}] must be a number, got {_describe(v)}")
        else:
            append(float(v))
    return _Input(out, index)


def _output(values: Any, source: _Input, name: str) -> Series:
    """An output in the form the input asks for."""
    if _np is None:
        return [float(v) for v in values]
    array = _np.asarray(values, dtype=_np.float64)
    if source.index is not None:
        import pandas as pd

        return pd.Series(array, index=source.index, name=name)
    return array


# --------------------------------------------------------------------------------------------
# Batch functions
# --------------------------------------------------------------------------------------------


def _native_indicator() -> Optional[Any]:
    """The compiled engine's ``indicator`` function when the backend is native, else None."""
    if not _backend.use_native():
        return None
    module = _backend.engine_module()
    return getattr(module, "indicator", None) if module is not None else None


def _compute(name: str, inputs: list[_Input], params: dict, fallback) -> list[Any]:
    """Every output of indicator ``name``: on the native engine when there is one, else the
    pure-Python one (the same bits)."""
    native = _native_indicator()
    if native is not None:
        return list(native(name, [i.values for i in inputs], params))
    outputs = fallback(*(i.values for i in inputs), *params.values())
    return list(outputs) if isinstance(outputs, tuple) else [outputs]


def _single(name: str, values: Values, period: object, label: str) -> Series:
    source = _input("values", values)
    p = _integer("period", period)
    (out,) = _compute(name, [source], {"period": p}, getattr(_fb, name))
    return _output(out, source, f"{label}_{p}")


def sma(values: Values, period: int) -> Series:
    """Simple moving average (first valid index ``period - 1``).

    A compensated rolling sum; a window of equal values gives exactly that value.
    """
    return _single("sma", values, period, "sma")


def ema(values: Values, period: int) -> Series:
    """Exponential moving average, ``alpha = 2 / (period + 1)``, seeded with the mean of the
    first ``period`` values (first valid index ``period - 1``)."""
    return _single("ema", values, period, "ema")


def wma(values: Values, period: int) -> Series:
    """Weighted moving average, weights ``1..period`` with the newest heaviest (first valid
    index ``period - 1``)."""
    return _single("wma", values, period, "wma")


def rsi(values: Values, period: int = 14) -> Series:
    """Relative strength index, Wilder's smoothing (first valid index ``period``); 0 where
    there was neither a gain nor a loss."""
    return _single("rsi", values, period, "rsi")


def stddev(values: Values, period: int) -> Series:
    """Population standard deviation over ``period`` (first valid index ``period - 1``)."""
    return _single("stddev", values, period, "stddev")


def roc(values: Values, period: int = 10) -> Series:
    """Rate of change in percent, ``(x[t] / x[t-period] - 1) * 100`` (0 where
    ``x[t-period]`` is 0; first valid index ``period``)."""
    return _single("roc", values, period, "roc")


def highest(values: Values, period: int) -> Series:
    """Rolling maximum over ``period`` (first valid index ``period - 1``)."""
    return _single("highest", values, period, "highest")


def lowest(values: Values, period: int) -> Series:
    """Rolling minimum over ``period`` (first valid index ``period - 1``)."""
    return _single("lowest", values, period, "lowest")


def macd(
    values: Values, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Series, Series, Series]:
    """``(macd, signal, hist)`` with TA-Lib's alignment (all three valid from
    ``slow - 1 + signal - 1``); needs ``fast < slow``."""
    source = _input("values", values)
    f, s, g = _macd_periods(fast, slow, signal)
    params = {"fast": f, "slow": s, "signal": g}
    line, signal_line, hist = _compute("macd", [source], params, _fb.macd)
    tag = f"{f}_{s}_{g}"
    return (
        _output(line, source, f"macd_{tag}"),
        _output(signal_line, source, f"macd_signal_{tag}"),
        _output(hist, source, f"macd_hist_{tag}"),
    )


def bbands(values: Values, period: int = 20, k: float = 2.0) -> tuple[Series, Series, Series]:
    """Bollinger bands ``(upper, middle, lower)``: the SMA plus and minus ``k`` population
    standard deviations (first valid index ``period - 1``)."""
    source = _input("values", values)
    p = _integer("period", period)
    width = _band_width(k)
    upper, middle, lower = _compute("bbands", [source], {"period": p, "k": width}, _fb.bbands)
    tag = f"{p}_{format_float(width)}"
    return (
        _output(upper, source, f"bbands_upper_{tag}"),
        _output(middle, source, f"bbands_middle_{tag}"),
        _output(lower, source, f"bbands_lower_{tag}"),
    )


def atr(high: Values, low: Values, close: Values, period: int = 14) -> Series:
    """Average true range, Wilder's smoothing (first valid index ``period``; ``period = 1``
    is the true range itself, from index 1)."""
    h = _input("high", high)
    lo = _input("low", low)
    c = _input("close", close)
    n = len(c.values)
    for label, column in (("high", h), ("low", lo)):
        if len(column.values) != n:
            raise _error(f"{label} has {len(column.values)} values but close has {n}")
    p = _integer("period", period)
    (out,) = _compute("atr", [h, lo, c], {"period": p}, _fb.atr)
    index_source = next((s for s in (c, h, lo) if s.index is not None), c)
    return _output(out, index_source, f"atr_{p}")


# --------------------------------------------------------------------------------------------
# Streaming classes: the pure-Python state machines, with checked arguments
# --------------------------------------------------------------------------------------------


class SMA(_fb.SMA):
    """Streaming simple moving average: ``update(value)`` returns the current value."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"SMA({self.period})"


class EMA(_fb.EMA):
    """Streaming exponential moving average."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"EMA({self.period})"


class WMA(_fb.WMA):
    """Streaming weighted moving average."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"WMA({self.period})"


class RSI(_fb.RSI):
    """Streaming relative strength index."""

    def __init__(self, period: int = 14) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"RSI({self.period})"


class STDDEV(_fb.STDDEV):
    """Streaming population standard deviation."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"STDDEV({self.period})"


class ROC(_fb.ROC):
    """Streaming rate of change (percent)."""

    def __init__(self, period: int = 10) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"ROC({self.period})"


class HIGHEST(_fb.HIGHEST):
    """Streaming rolling maximum."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"HIGHEST({self.period})"


class LOWEST(_fb.LOWEST):
    """Streaming rolling minimum."""

    def __init__(self, period: int) -> None:
        super().__init__(_integer("period", period))

    def update(self, value: float) -> float:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"LOWEST({self.period})"


class MACD(_fb.MACD):
    """Streaming MACD: ``update(value)`` returns ``(macd, signal, hist)``."""

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        super().__init__(*_macd_periods(fast, slow, signal))

    def update(self, value: float) -> tuple[float, float, float]:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"MACD({self.fast}, {self.slow}, {self.signal})"


class BBANDS(_fb.BBANDS):
    """Streaming Bollinger bands: ``update(value)`` returns ``(upper, middle, lower)``."""

    def __init__(self, period: int = 20, k: float = 2.0) -> None:
        super().__init__(_integer("period", period), _band_width(k))

    def update(self, value: float) -> tuple[float, float, float]:
        return super().update(_number("value", value))

    def __repr__(self) -> str:
        return f"BBANDS({self.period}, {format_float(self.k)})"


class ATR(_fb.ATR):
    """Streaming average true range: ``update(high, low, close)``."""

    def __init__(self, period: int = 14) -> None:
        super().__init__(_integer("period", period))

    def update(self, high: float, low: float, close: float) -> float:  # type: ignore[override]
        return super().update(_number("high", high), _number("low", low), _number("close", close))

    def __repr__(self) -> str:
        return f"ATR({self.period})"
