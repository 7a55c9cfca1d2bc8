"""Market data validation (CONVENTIONS.md, "Market data"): the first failure wins, with the
exact message of the Rust core and the code ``invalid_market_data``."""

from __future__ import annotations

import math

from .._errors import BacktestError
from .dates import parse_instant
from .floats import _INF, format_float
from .names import describe


def _invalid(message: str) -> BacktestError:
    return BacktestError(message, "invalid_market_data")


def _cell(field: str, row: int, value: object) -> float:
    """One cell of a numeric column as a float (ints and numpy scalars are accepted)."""
    if isinstance(value, float):
        return value
    if isinstance(value, (str, bytes)) or value is None:
        raise _invalid(f"{field} at row {row} must be a number, got {describe(value)}")
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return _INF if value > 0 else -_INF  # type: ignore[operator]
    except (TypeError, ValueError):
        raise _invalid(f"{field} at row {row} must be a number, got {describe(value)}") from None


def validate_market_data(dates, open, high, low, close, volume) -> None:  # noqa: A002
    """Refuse invalid bars with the first problem, as ``src/data/mod.rs`` does.

    Order: lengths against ``dates`` (open, high, low, close, volume), emptiness, then row by
    row: the date parses, it is after the previous one (compared as instants), open/high/low/
    close finite and > 0, ``high >= low``, open then close inside ``[low, high]``, volume a
    finite number >= 0 (fractional volumes, as crypto data has, are valid). Rows are 0-based.
    """
    n = len(dates)
    for field, column in (
        ("open", open),
        ("high", high),
        ("low", low),
        ("close", close),
        ("volume", volume),
    ):
        if len(column) != n:
            raise _invalid(f"{field} has {len(column)} rows but dates has {n} rows")
    if n == 0:
        raise _invalid("market data is empty: need at least 1 row")
    previous = None
    for row in range(n):
        text = dates[row]
        instant = parse_instant(text)
        if instant is None:
            raise _invalid(f"dates at row {row} is not an ISO 8601 date or datetime: '{text}'")
        if previous is not None and instant <= previous:
            raise _invalid(
                f"dates at row {row} ('{text}') is not after row {row - 1} "
                f"('{dates[row - 1]}'); dates must be strictly increasing"
            )
        previous = instant
        o = _cell("open", row, open[row])
        h = _cell("high", row, high[row])
        lo = _cell("low", row, low[row])
        c = _cell("close", row, close[row])
        for field, value in (("open", o), ("high", h), ("low", lo), ("close", c)):
            if not (math.isfinite(value) and value > 0.0):
                raise _invalid(
                    f"{field} at row {row} must be a finite number > 0, got {format_float(value)}"
                )
        if h < lo:
            raise _invalid(
                f"high at row {row} is below low ({format_float(h)} < {format_float(lo)})"
            )
        for field, value in (("open", o), ("close", c)):
            if value < lo or value > h:
                raise _invalid(
                    f"{field} at row {row} is outside [low, high]: {format_float(value)} "
                    f"not in [{format_float(lo)}, {format_float(h)}]"
                )
        v = volume[row]
        if type(v) is int and v >= 0:
            continue  # exact, even above 2**53; a negative int is written as Rust's f64 below
        v = _cell("volume", row, v)
        if not (math.isfinite(v) and v >= 0.0):  # fractional volumes are valid (SPEC part 1)
            raise _invalid(
                f"volume at row {row} must be a finite number >= 0, got {format_float(v)}"
            )
