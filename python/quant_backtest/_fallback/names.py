"""How values and names appear in messages (CONVENTIONS.md, "Values in messages").

* :func:`describe_value` writes a value as JSON writes it (the strategy engine's messages):
  ``10``, ``10.0``, ``NaN``, ``true``, ``null``, ``'sma'``, ``an array``, ``an object``.
* :func:`describe` is the seed API's spelling (floats as Rust writes them, the rest by
  ``repr``: ``True``, ``None``), kept for its unchanged messages.
* :func:`nearest` is the "did you mean" of unknown names: the smallest Levenshtein distance,
  ties to the first candidate in the listed order.
* :func:`_as_int` / :func:`_as_number` are the seed API's type checks (the public wrapper uses
  them for its own checks too, so keep their names and signatures).
"""

from __future__ import annotations

import math
import operator
from typing import Iterable

from .._errors import BacktestError
from .floats import format_float


def describe_value(value: object) -> str:
    """A user's value as JSON writes it; containers by kind only."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if type(value).__module__ == "numpy":  # numpy scalars (no numpy import: stdlib only)
        kind = getattr(getattr(value, "dtype", None), "kind", "")
        if kind == "b":
            return "true" if bool(value) else "false"
        if kind in "iu":
            return str(int(value))  # type: ignore[call-overload]
        if kind == "f":
            return format_float(float(value))  # type: ignore[arg-type]
    return repr(value)


def describe(value: object) -> str:
    """How the seed API writes a refused value: floats as Rust writes them, the rest by repr."""
    if isinstance(value, float):
        return format_float(value)
    return repr(value)


def levenshtein(a: str, b: str) -> int:
    """Edit distance with insert, delete and substitute costing 1 each."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def nearest(name: str, candidates: Iterable[str]) -> str:
    """The candidate nearest to ``name``: the first that begins with it (a truncated name
    finds its completion: ``crosses`` -> ``crosses_above``, where the plain distance would tie
    with ``ge``), else the smallest Levenshtein distance, ties to the first in ``candidates``'
    order (as ``src/strategy/names.rs``)."""
    listed = list(candidates)
    for candidate in listed:
        if name and candidate.startswith(name) and candidate != name:
            return candidate
    best = ""
    best_distance = -1
    for candidate in listed:
        d = levenshtein(name, candidate)
        if best_distance < 0 or d < best_distance:
            best, best_distance = candidate, d
    return best


def _as_int(name: str, value: object) -> int:
    """An integer parameter of the seed API: a Python int (or anything with ``__index__``,
    e.g. numpy's integers), never a bool and never a float, even an integral one."""
    if isinstance(value, bool) or isinstance(value, float):
        raise BacktestError(f"{name} must be an integer, got {describe(value)}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise BacktestError(f"{name} must be an integer, got {describe(value)}") from None


def _as_number(name: str, value: object) -> float:
    """A float parameter of the seed API: an int or a float (or anything with ``__float__``),
    never a bool or a string. Ints too large for a double become inf (refused by the range
    check that follows)."""
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise BacktestError(f"{name} must be a number, got {describe(value)}")
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
    except (TypeError, ValueError):
        raise BacktestError(f"{name} must be a number, got {describe(value)}") from None


def is_number(value: object) -> bool:
    """An int or a float of the strategy engine (JSON's numbers): never a bool or a string."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    return type(value).__module__ == "numpy" and kind in ("i", "u", "f")


def to_float(value: object) -> float:
    """A number (see :func:`is_number`) as a double; ints too large become +-inf."""
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
