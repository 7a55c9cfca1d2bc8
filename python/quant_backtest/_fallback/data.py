"""Market data validation (CONVENTIONS.md, "Market data"): the first failure wins, with the
exact message of the Rust core and the code ``invalid_market_data``."""

from __future__ import annotations

import math
from typing import Any, Optional

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
        before = None if previous is None else (previous, dates[row - 1])
        bar = (open[row], high[row], low[row], close[row], volume[row])
        previous, _ = validate_row(row, dates[row], before, bar)


def validate_row(
    row: int, date: Any, previous: Optional[tuple[int, str]], bar: tuple
) -> tuple[int, tuple]:
    """Row ``row``'s checks (``validate_row`` of src/data/mod.rs; a live run checks each bar
    with it): the instant of its date and ``bar`` (open, high, low, close, volume) as floats.
    ``previous``: the instant and the text of the row before, if any."""
    instant = parse_instant(date)
    if instant is None:
        raise _invalid(f"dates at row {row} is not an ISO 8601 date or datetime: '{date}'")
    if previous is not None and instant <= previous[0]:
        raise _invalid(
            f"dates at row {row} ('{date}') is not after row {row - 1} "
            f"('{previous[1]}'); dates must be strictly increasing"
        )
    # As Python floats (a numpy float64 is a float too, but its comparisons give numpy bools).
    o, h, lo, c = (float(_cell(f, row, v)) for f, v in zip(("open", "high", "low", "close"), bar))
    for field, value in (("open", o), ("high", h), ("low", lo), ("close", c)):
        if not (math.isfinite(value) and value > 0.0):
            raise _invalid(
                f"{field} at row {row} must be a finite number > 0, got {format_float(value)}"
            )
    if h < lo:
        raise _invalid(f"high at row {row} is below low ({format_float(h)} < {format_float(lo)})")
    for field, value in (("open", o), ("close", c)):
        if value < lo or value > h:
            raise _invalid(
                f"{field} at row {row} is outside [low, high]: {format_float(value)} "
                f"not in [{format_float(lo)}, {format_float(h)}]"
            )
    v = bar[4]
    # An exact int is valid, even above 2**53; a negative one is written as Rust's f64 below.
    if not (type(v) is int and v >= 0):
        v = _cell("volume", row, v)
        if not (math.isfinite(v) and v >= 0.0):  # fractional volumes are valid (SPEC part 1)
            raise _invalid(
                f"volume at row {row} must be a finite number >= 0, got {format_float(v)}"
            )
    return instant, (o, h, lo, c, float(_cell("volume", row, v)))
