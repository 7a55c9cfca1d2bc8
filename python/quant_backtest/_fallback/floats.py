"""Float helpers: Rust's ``f64`` semantics where Python's differ (mirror of how ``src/`` computes).

Python differs from Rust in a few places that matter for bit-identity, handled here:

* ``x / 0.0`` raises ``ZeroDivisionError`` in Python; Rust returns inf or NaN. Divisions whose
  divisor can be zero go through :func:`_div`.
* ``math.floor`` returns an ``int``; Rust's ``f64::floor`` returns an ``f64`` (keeping ``-0.0``
  and infinities). See :func:`_floor`.
* ``math.pow`` raises on overflow and domain errors; Rust's ``powf`` returns inf / NaN. See
  :func:`_pow`.
* ``max``/``min`` with NaN depend on argument order in Python; Rust's ``f64::max``/``min``
  ignore NaN. See :func:`fmin`.
* ``repr(float)`` differs from Rust's ``{:?}`` in NaN and in the exponent's form. See
  :func:`format_float`.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

_INF = math.inf
_NAN = math.nan


def format_float(x: float) -> str:
    """Write ``x`` as Rust's ``{:?}`` writes an ``f64``.

    Both Rust and Python write the shortest decimal that round-trips, and both switch to the
    exponent form below 1e-4 and from 1e16 on (Python decides on the shortest digits' exponent,
    Rust on the value; the two tests agree because rounding is monotone). What differs is only
    the spelling: Rust writes ``NaN`` (never ``-NaN``), ``inf``, ``1e16``, ``1.5e-7``; Python
    writes ``nan``, ``1e+16``, ``1.5e-07``.

    >>> [format_float(v) for v in (100.0, 0.1, 1e-5, 1e16, -0.0, 1.5e-7, float("nan"))]
    ['100.0', '0.1', '1e-5', '1e16', '-0.0', '1.5e-7', 'NaN']
    """
    x = float(x)
    if x != x:
        return "NaN"
    if x == _INF:
        return "inf"
    if x == -_INF:
        return "-inf"
    text = _shortest_digits(x)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text  # decimal form: '100.0', '0.0001', '-0.0' are spelled alike
    sign = "-" if exponent.startswith("-") else ""
    digits = exponent.lstrip("+-").lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


def _shortest_digits(x: float) -> str:
    """``repr(x)``, except in the one case where Rust's digits differ: a tie.

    Both languages pick the shortest digits that round-trip and, among those, the closest to
    ``x``. When ``x`` lies exactly halfway between two such candidates (e.g.
    1059438285926254.25 between ...254.2 and ...254.3), Python picks the even last digit and
    Rust the one larger in magnitude (its Grisu/Dragon "round up on a tie"). Ties need ``x``
    to have few fraction bits at a large exponent, so this is rare; it is checked exactly with
    ``Decimal``.
    """
    text = repr(x)
    mantissa, e, exponent = text.partition("e")
    last = mantissa[-1]
    if last not in "02468":
        return text  # Python breaks ties to even, so an odd last digit was no tie
    candidate = Decimal(text)
    exact = Decimal(x)  # the double's exact binary value
    if candidate == exact:
        return text
    # No carry: the last digit is even, so at most 8 before this + 1.
    up = mantissa[:-1] + chr(ord(last) + 1) + e + exponent
    with localcontext() as ctx:
        ctx.prec = 2000  # enough for every double's exact expansion: the differences are exact
        tie = abs(exact - candidate) == abs(Decimal(up) - exact)
    if tie and float(up) == x:
        return up
    return text


def _div(a: float, b: float) -> float:
    """IEEE-754 division: like ``a / b``, but ``x / ±0.0`` gives ±inf or NaN as in Rust."""
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return _NAN
    # The sign of the infinity is the XOR of the operands' signs (zero's sign included).
    return math.copysign(_INF, a) * math.copysign(1.0, b)


def _floor(x: float) -> float:
    """Rust's ``f64::floor``: a float, infinities and NaN unchanged, ``-0.0`` kept."""
    if not math.isfinite(x):
        return x  # math.floor would raise on inf/NaN
    r = float(math.floor(x))  # exact: the floor of a double is a double
    if r == 0.0:
        return math.copysign(0.0, x)  # floor(-0.0) == -0.0; floor(0.3) == +0.0
    return r


def _pow(base: float, exponent: float) -> float:
    """Rust's ``f64::powf`` (the C library's ``pow``), returning inf/NaN instead of raising."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        odd_integer = exponent.is_integer() and math.fmod(exponent, 2.0) != 0.0
        return -_INF if (base < 0.0 and odd_integer) else _INF
    except ValueError:
        return _NAN  # a negative base with a non-integer exponent


def fmin(a: float, b: float) -> float:
    """Rust's ``f64::min``: the smaller of two numbers; a NaN operand gives the other one."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b
