"""The pure-Python reference engine.

This module is the readable twin of the Rust core (``src/``). It performs the same IEEE-754
double operations in the same order as ``docs/CONVENTIONS.md`` prescribes, so for the same input
it gives the same trades and, bit for bit, the same metrics (the only possible exception is
``pow`` in ``annualized_return``, where two platforms' libm may differ by one ulp).

It uses the standard library only (no numpy, no pandas), so it also runs under Pyodide. The
public wrapper (``MarketData``, ``RustEngine``, ...) calls the functions below with plain Python
sequences; every refusal is a ``ValueError`` whose message is the one the Rust core writes.

Python differs from Rust in a few places that matter for bit-identity, handled here:

* ``x / 0.0`` raises ``ZeroDivisionError`` in Python; Rust returns inf or NaN. Divisions whose
  divisor can be zero go through :func:`_div`.
* ``math.floor`` returns an ``int``; Rust's ``f64::floor`` returns an ``f64`` (keeping ``-0.0``
  and infinities). See :func:`_floor`.
* ``math.pow`` raises on overflow and domain errors; Rust's ``powf`` returns inf / NaN. See
  :func:`_pow`.
* ``max``/``min`` with NaN depend on argument order in Python; Rust's ``f64::max`` ignores NaN.
* ``u64`` arithmetic wraps in Rust (``wrapping_add``/``wrapping_mul``); here it is masked to 64
  bits explicitly.
* ``repr(float)`` differs from Rust's ``{:?}`` in NaN and in the exponent's form. See
  :func:`format_float`.
"""

from __future__ import annotations

import math
import operator
import random
from decimal import Decimal, localcontext

__all__ = [
    "format_float",
    "parse_instant",
    "days_from_civil",
    "civil_from_days",
    "business_days",
    "validate_market_data",
    "validate_params",
    "validate_grid",
    "sma",
    "backtest",
    "grid",
    "SplitMix64",
    "generate_sample_data",
]

_INF = math.inf
# The most bars generate_sample_data makes (src/sample.rs: MAX_SAMPLE_DAYS).
MAX_SAMPLE_DAYS = 10_000_000
_NAN = math.nan

# --------------------------------------------------------------------------------------------
# Float helpers: Rust's f64 semantics where Python's differ.
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Dates (CONVENTIONS.md, "Dates"): integer arithmetic only, same accepted forms as src/dates.rs.
# --------------------------------------------------------------------------------------------

_NANOS_PER_SECOND = 1_000_000_000
_SECONDS_PER_DAY = 86_400


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).

    Python's ``//`` and ``%`` floor; the Rust code uses ``div_euclid`` for the era and ``/`` on
    non-negative operands elsewhere, which give the same results.
    """
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The ``(year, month, day)`` of a day count since 1970-01-01 (inverse of the above)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def _is_leap(year: int) -> bool:
    return (year % 4 == 0 and year % 100 != 0) or year % 400 == 0


def _days_in_month(year: int, month: int) -> int:
    if month in (1, 3, 5, 7, 8, 10, 12):
        return 31
    if month in (4, 6, 9, 11):
        return 30
    return 29 if _is_leap(year) else 28


def _digits(text: str, pos: int, count: int) -> int | None:
    """Exactly ``count`` ASCII digits at ``pos`` as an int, else None (str.isdigit would also
    accept other scripts' digits)."""
    if pos + count > len(text):
        return None
    value = 0
    for ch in text[pos : pos + count]:
        if not "0" <= ch <= "9":
            return None
        value = value * 10 + (ord(ch) - 48)
    return value


def parse_instant(text: str) -> int | None:
    """Parse an ISO 8601 date or datetime into nanoseconds since 1970-01-01 UTC.

    Accepted: ``YYYY-MM-DD``, optionally followed by ``T`` or a space and ``HH:MM``,
    ``HH:MM:SS`` or ``HH:MM:SS.f`` (1 to 9 fraction digits); a time may end in ``Z`` or
    ``+HH:MM`` / ``-HH:MM``. No offset means UTC. Calendar checks are real (leap years, no
    Feb 30). Anything else, a non-string included, gives ``None``.

    Hand-written rather than ``datetime.fromisoformat`` because the accepted forms must be
    exactly those of the Rust parser. Python ints do not overflow, so instants far from 1970
    are exact here.
    """
    if not isinstance(text, str) or not text.isascii():
        # Every position of an accepted string is an ASCII character, so this refuses exactly
        # what the byte-wise Rust parser refuses, and lets str indexes equal byte offsets.
        return None
    year = _digits(text, 0, 4)
    month = _digits(text, 5, 2)
    day = _digits(text, 8, 2)
    if year is None or month is None or day is None:
        return None
    if text[4] != "-" or text[7] != "-" or not 1 <= month <= 12:
        return None
    if day < 1 or day > _days_in_month(year, month):
        return None
    seconds = days_from_civil(year, month, day) * _SECONDS_PER_DAY
    nanos = 0
    n = len(text)
    pos = 10
    if pos < n and text[pos] in "T ":
        hour = _digits(text, pos + 1, 2)
        minute = _digits(text, pos + 4, 2)
        if hour is None or minute is None:
            return None
        if text[pos + 3] != ":" or hour > 23 or minute > 59:
            return None
        seconds += hour * 3600 + minute * 60
        pos += 6
        if pos < n and text[pos] == ":":
            second = _digits(text, pos + 1, 2)
            if second is None or second > 59:
                return None
            seconds += second
            pos += 3
            if pos < n and text[pos] == ".":
                pos += 1
                start = pos
                while pos < n and "0" <= text[pos] <= "9":
                    pos += 1
                count = pos - start
                if not 1 <= count <= 9:
                    return None
                nanos = int(text[start:pos]) * 10 ** (9 - count)
        if pos < n and text[pos] == "Z":
            pos += 1
        elif pos < n and text[pos] in "+-":
            sign = 1 if text[pos] == "+" else -1
            off_hour = _digits(text, pos + 1, 2)
            off_minute = _digits(text, pos + 4, 2)
            if off_hour is None or off_minute is None:
                return None
            if text[pos + 3] != ":" or off_hour > 23 or off_minute > 59:
                return None
            # A local time at +HH:MM is that much earlier in UTC.
            seconds -= sign * (off_hour * 3600 + off_minute * 60)
            pos += 6
    if pos != n:
        return None
    return seconds * _NANOS_PER_SECOND + nanos


def business_days(start: int, count: int) -> list[str]:
    """``count`` business days (Monday to Friday) from day ``start`` (days since the epoch),
    as ``YYYY-MM-DD`` strings."""
    out: list[str] = []
    day = start
    while len(out) < count:
        # 1970-01-01 was a Thursday; weekday 0 is Monday.
        if (day + 3) % 7 < 5:
            y, m, d = civil_from_days(day)
            out.append(f"{y:04d}-{m:02d}-{d:02d}")
        day += 1
    return out


# --------------------------------------------------------------------------------------------
# Validation (CONVENTIONS.md): the first failure wins, with the exact message of src/error.rs.
# --------------------------------------------------------------------------------------------


def _describe(value: object) -> str:
    """How a refused value appears in a message: floats as Rust writes them, the rest by repr."""
    if isinstance(value, float):
        return format_float(value)
    return repr(value)


def _as_int(name: str, value: object) -> int:
    """An integer parameter: a Python int (or anything with ``__index__``, e.g. numpy's
    integers), never a bool and never a float, even an integral one.

    The public wrapper also uses this (and :func:`_as_number`) for its own type checks, so
    both backends word a type error the same way: keep the name and signature."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"{name} must be an integer, got {_describe(value)}")
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {_describe(value)}") from None


def _as_number(name: str, value: object) -> float:
    """A float parameter: an int or a float (or anything with ``__float__``), never a bool or
    a string. Ints too large for a double become inf and are refused by the range check."""
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise ValueError(f"{name} must be a number, got {_describe(value)}")
    try:
        return float(value)
    except OverflowError:
        return _INF if value > 0 else -_INF  # type: ignore[operator]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {_describe(value)}") from None


def _cell(field: str, row: int, value: object) -> float:
    """One cell of a numeric column as a float (ints and numpy scalars are accepted)."""
    if isinstance(value, float):
        return value
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{field} at row {row} must be a number, got {_describe(value)}")
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return _INF if value > 0 else -_INF  # type: ignore[operator]
    except (TypeError, ValueError):
        raise ValueError(f"{field} at row {row} must be a number, got {_describe(value)}") from None


def validate_market_data(dates, open, high, low, close, volume) -> None:  # noqa: A002
    """Refuse invalid bars with the first problem, as ``src/data.rs`` does.

    Order: lengths against ``dates`` (open, high, low, close, volume), emptiness, then row by
    row: the date parses, it is after the previous one (compared as instants), open/high/low/
    close finite and > 0, ``high >= low``, open then close inside ``[low, high]``, volume a
    finite integer >= 0. Rows are 0-based.
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
            raise ValueError(f"{field} has {len(column)} rows but dates has {n} rows")
    if n == 0:
        raise ValueError("market data is empty: need at least 1 row")
    previous = None
    for row in range(n):
        text = dates[row]
        instant = parse_instant(text)
        if instant is None:
            raise ValueError(f"dates at row {row} is not an ISO 8601 date or datetime: '{text}'")
        if previous is not None and instant <= previous:
            raise ValueError(
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
                raise ValueError(
                    f"{field} at row {row} must be a finite number > 0, got {format_float(value)}"
                )
        if h < lo:
            raise ValueError(
                f"high at row {row} is below low ({format_float(h)} < {format_float(lo)})"
            )
        for field, value in (("open", o), ("close", c)):
            if value < lo or value > h:
                raise ValueError(
                    f"{field} at row {row} is outside [low, high]: {format_float(value)} "
                    f"not in [{format_float(lo)}, {format_float(h)}]"
                )
        v = volume[row]
        if type(v) is int and v >= 0:
            continue  # exact, even above 2**53; a negative int is written as Rust's f64 below
        v = _cell("volume", row, v)
        if not (math.isfinite(v) and v >= 0.0 and v.is_integer()):
            raise ValueError(f"volume at row {row} must be an integer >= 0, got {format_float(v)}")


def _validate_settings(initial_capital, commission_rate, lot_size, periods_per_year, fill):
    """The shared settings, in CONVENTIONS order; returns them as floats (and ``fill``)."""
    c = _as_number("initial_capital", initial_capital)
    if not (math.isfinite(c) and c > 0.0):
        raise ValueError(f"initial_capital must be a finite number > 0, got {format_float(c)}")
    r = _as_number("commission_rate", commission_rate)
    if not 0.0 <= r < 1.0:  # NaN fails both comparisons
        raise ValueError(f"commission_rate must be in [0, 1), got {format_float(r)}")
    lot = _as_number("lot_size", lot_size)
    if not (math.isfinite(lot) and lot >= 0.0):
        raise ValueError(f"lot_size must be a finite number >= 0, got {format_float(lot)}")
    p = _as_number("periods_per_year", periods_per_year)
    if not (math.isfinite(p) and p > 0.0):
        raise ValueError(f"periods_per_year must be a finite number > 0, got {format_float(p)}")
    if fill not in ("next_open", "close") or not isinstance(fill, str):
        raise ValueError(f"fill must be 'next_open' or 'close', got '{fill}'")
    return c, r, lot, p, fill


def validate_params(
    n_bars,
    fast_period,
    slow_period,
    initial_capital,
    commission_rate,
    lot_size,
    periods_per_year,
    fill,
) -> None:
    """Refuse bad parameters for a backtest on ``n_bars`` bars, first failure first:
    ``fast_period >= 1``, ``fast_period < slow_period``, ``slow_period <= n_bars``, then
    initial_capital, commission_rate, lot_size, periods_per_year, fill."""
    fast = _as_int("fast_period", fast_period)
    if fast < 1:
        raise ValueError(f"fast_period must be >= 1, got {fast}")
    slow = _as_int("slow_period", slow_period)
    if fast >= slow:
        raise ValueError(f"fast_period ({fast}) must be less than slow_period ({slow})")
    if slow > n_bars:
        raise ValueError(f"slow_period ({slow}) exceeds the number of bars ({n_bars})")
    _validate_settings(initial_capital, commission_rate, lot_size, periods_per_year, fill)


def validate_grid(
    n_bars,
    fast_periods,
    slow_periods,
    initial_capital,
    commission_rate,
    lot_size,
    periods_per_year,
    fill,
    max_workers,
) -> list[tuple[int, int]]:
    """Validate a grid and return its pairs in SPEC order (fast outer, slow inner, only
    ``fast < slow``; duplicates in the lists are kept, as the Rust core keeps them).

    Order: empty lists, each fast then each slow period in ``[1, n_bars]``, the shared
    settings, at least one valid pair, and last ``max_workers >= 1`` (None: any).
    """
    fast_list = list(fast_periods)
    slow_list = list(slow_periods)
    if not fast_list:
        raise ValueError("fast_periods is empty")
    if not slow_list:
        raise ValueError("slow_periods is empty")
    checked: dict[str, list[int]] = {}
    for name, values in (("fast_periods", fast_list), ("slow_periods", slow_list)):
        out = []
        for i, raw in enumerate(values):
            label = f"{name}[{i}]"
            value = _as_int(label, raw)
            if value < 1:
                raise ValueError(f"{label} must be >= 1, got {value}")
            if value > n_bars:
                raise ValueError(f"{label} ({value}) exceeds the number of bars ({n_bars})")
            out.append(value)
        checked[name] = out
    _validate_settings(initial_capital, commission_rate, lot_size, periods_per_year, fill)
    pairs = [(f, s) for f in checked["fast_periods"] for s in checked["slow_periods"] if f < s]
    if not pairs:
        raise ValueError("the grid has no pair with fast_period < slow_period")
    if max_workers is not None:
        workers = _as_int("max_workers", max_workers)
        if workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {workers}")
    return pairs


# --------------------------------------------------------------------------------------------
# SMA (CONVENTIONS.md, "SMA"): rolling Neumaier sum, exact on windows of equal prices.
# --------------------------------------------------------------------------------------------


def sma(close, period: int) -> list[float]:
    """The simple moving average of ``close`` over ``period`` bars; NaN before ``period - 1``.

    A rolling Neumaier (compensated) sum: O(bars), no drift over long series, and a window of
    equal prices gives exactly that price, so flat prices never "cross" on rounding noise.
    """
    p = _as_int("period", period)
    if p < 1:
        raise ValueError(f"period must be >= 1, got {p}")
    xs = [float(v) for v in close]
    n = len(xs)
    out = [_NAN] * n
    divisor = float(p)
    s = 0.0  # running sum
    c = 0.0  # Neumaier compensation
    run = 0  # length of the current run of equal prices ending at t
    for t in range(n):
        x = xs[t]
        run = run + 1 if t > 0 and x == xs[t - 1] else 1
        # add(x)
        u = s + x
        if abs(s) >= abs(x):
            c += (s - u) + x
        else:
            c += (x - u) + s
        s = u
        if t >= p:
            # add(-close[t - p]): the price leaving the window
            y = -xs[t - p]
            u = s + y
            if abs(s) >= abs(y):
                c += (s - u) + y
            else:
                c += (y - u) + s
            s = u
        if t >= p - 1:
            out[t] = x if run >= p else (s + c) / divisor
    return out


# --------------------------------------------------------------------------------------------
# Simulation and metrics (CONVENTIONS.md, "Simulation" and "Metrics").
# --------------------------------------------------------------------------------------------


def _metrics(equity, initial_capital, periods_per_year, trade_count, wins) -> dict:
    """Metrics of an equity curve (at least one value), in the operation order of
    CONVENTIONS.md "Metrics" (and ``src/metrics.rs``).

    Bars whose equity equals the previous one have a return of exactly 0 and are set apart:
    they are counted, not summed, their drawdown is the previous bar's, and the variance adds
    their squared deviations as one product ``(n - nonzero) * (mean * mean)``. (Out of the
    market equity is flat for long stretches; this keeps a grid's cost to the bars in the
    market.) Every other sum runs over the non-zero returns in bar order.
    """
    n = len(equity)
    prev = initial_capital
    sum_r = 0.0
    downside_sq = 0.0
    peak = equity[0]
    max_drawdown = 0.0
    nonzero = []  # the non-zero returns, in bar order
    for e in equity:
        if e == prev:
            continue  # r == 0 exactly; equity unchanged, so peak and drawdown are unchanged
        r = (e / prev if prev != 0.0 else _div(e, prev)) - 1.0
        nonzero.append(r)
        sum_r += r
        if r < 0.0:
            downside_sq += r * r
        prev = e
        if e >= peak:
            peak = e
        else:
            d = 1.0 - (e / peak if peak != 0.0 else _div(e, peak))
            if d > max_drawdown:  # mdd = max(mdd, d); a NaN d leaves it unchanged, as in Rust
                max_drawdown = d
    count = float(n)
    mean = sum_r / count
    sq = 0.0
    for r in nonzero:
        d = r - mean
        sq += d * d
    sq += float(n - len(nonzero)) * (mean * mean)  # the zero returns' deviations, at once
    ann = math.sqrt(periods_per_year)
    # n == 1: 0/0 is NaN in Rust; Python would raise, so say it directly.
    std = math.sqrt(sq / (count - 1.0)) if n >= 2 else _NAN
    total_return = equity[n - 1] / initial_capital - 1.0
    downside = math.sqrt(downside_sq / count)
    return {
        "total_return": total_return,
        "annualized_return": _pow(1.0 + total_return, periods_per_year / count) - 1.0,
        "volatility": std * ann,
        "sharpe_ratio": mean / std * ann if (n >= 2 and std > 0.0) else None,
        "sortino_ratio": mean / downside * ann if downside > 0.0 else None,
        "max_drawdown": max_drawdown,
        "trade_count": trade_count,
        "win_rate": float(wins) / float(trade_count) * 100.0 if trade_count else 0.0,
    }


def backtest(
    dates,
    open,  # noqa: A002
    close,
    fast_period,
    slow_period,
    initial_capital,
    commission_rate,
    fill,
    lot_size,
    periods_per_year,
    *,
    fast_sma=None,
    slow_sma=None,
    keep_details=True,
) -> dict:
    """One SMA-crossover backtest, long only, on already validated market data.

    The parameters are validated here (cheap); the bars are not (``validate_market_data`` is
    the caller's job, done once when the data is built). ``fast_sma``/``slow_sma`` let a grid
    pass SMAs it computed once. With ``keep_details=False`` the result's ``trades`` and
    ``equity_curve`` are empty lists; every metric is the same.

    Returns a dict with ``trades`` (dicts), ``equity_curve`` and the metrics of SPEC.md
    (``win_rate`` in percent, ``return_pct`` of a trade a fraction).
    """
    n = len(close)
    validate_params(
        n,
        fast_period,
        slow_period,
        initial_capital,
        commission_rate,
        lot_size,
        periods_per_year,
        fill,
    )
    fast_period = operator.index(fast_period)
    slow_period = operator.index(slow_period)
    initial_capital = float(initial_capital)
    lot = float(lot_size)
    periods_per_year = float(periods_per_year)
    closes = [float(v) for v in close]
    opens = [float(v) for v in open]
    fast = sma(closes, fast_period) if fast_sma is None else fast_sma
    slow = sma(closes, slow_period) if slow_sma is None else slow_sma

    buy_factor = 1.0 + float(commission_rate)
    sell_factor = 1.0 - float(commission_rate)
    fill_close = fill == "close"
    cash = initial_capital
    size = 0.0
    long = False
    entry_index = 0
    entry_price = 0.0
    entry_cost = 0.0
    pending = None  # "buy" / "sell" for next_open fills
    closed = 0
    wins = 0
    trades = []
    equity = []

    def execute(order, t, price):
        # Mutates the simulation state; a closure keeps it next to the loop that reads it.
        nonlocal cash, size, long, entry_index, entry_price, entry_cost, closed, wins
        if order == "buy":
            q = cash / (price * buy_factor)
            if lot > 0.0:
                q = _floor(q / lot) * lot
            if q > 0.0:
                cost = q * price * buy_factor  # (q * price) * k
                cash = cash - cost
                size = q
                long = True
                entry_index = t
                entry_price = price
                entry_cost = cost
        else:
            proceeds = size * price * sell_factor  # (size * price) * m
            cash = cash + proceeds
            pnl = proceeds - entry_cost
            closed += 1
            if pnl > 0.0:
                wins += 1
            if keep_details:
                trades.append(
                    {
                        "entry_index": entry_index,
                        "exit_index": t,
                        "entry_date": dates[entry_index],
                        "exit_date": dates[t],
                        "entry_price": entry_price,
                        "exit_price": price,
                        "size": size,
                        "pnl": pnl,
                        "return_pct": _div(pnl, entry_cost),
                        "bars_held": t - entry_index,
                    }
                )
            size = 0.0
            long = False

    for t in range(n):
        if pending is not None:
            execute(pending, t, opens[t])
            pending = None
        if t >= slow_period:
            f0 = fast[t - 1]
            s0 = slow[t - 1]
            f1 = fast[t]
            s1 = slow[t]
            # Strict on both bars; comparisons with NaN are false, as in Rust.
            if not long and f0 < s0 and f1 > s1:
                signal = "buy"
            elif long and f0 > s0 and f1 < s1:
                signal = "sell"
            else:
                signal = None
            if signal is not None:
                if fill_close:
                    execute(signal, t, closes[t])
                elif t + 1 < n:  # next_open: a signal on the last bar never fills
                    pending = signal
        equity.append(cash + size * closes[t])

    result = _metrics(equity, initial_capital, periods_per_year, closed, wins)
    result["trades"] = trades
    result["equity_curve"] = equity if keep_details else []
    return result


def grid(
    dates,
    open,  # noqa: A002
    close,
    fast_periods,
    slow_periods,
    initial_capital,
    commission_rate,
    fill,
    lot_size,
    periods_per_year,
    max_workers=None,
    keep_details=False,
) -> list[tuple[int, int, dict]]:
    """Every valid ``(fast, slow)`` pair of the grid, in SPEC order, as
    ``(fast, slow, result)``; each result equals :func:`backtest` with those periods.

    Sequential (``max_workers`` is validated, then ignored); each distinct period's SMA is
    computed once, so the cost grows with bars x pairs.
    """
    pairs = validate_grid(
        len(close),
        fast_periods,
        slow_periods,
        initial_capital,
        commission_rate,
        lot_size,
        periods_per_year,
        fill,
        max_workers,
    )
    closes = [float(v) for v in close]
    opens = [float(v) for v in open]
    table: dict[int, list[float]] = {}
    for f, s in pairs:
        for p in (f, s):
            if p not in table:
                table[p] = sma(closes, p)
    return [
        (
            f,
            s,
            backtest(
                dates,
                opens,
                closes,
                f,
                s,
                initial_capital,
                commission_rate,
                fill,
                lot_size,
                periods_per_year,
                fast_sma=table[f],
                slow_sma=table[s],
                keep_details=keep_details,
            ),
        )
        for f, s in pairs
    ]


# --------------------------------------------------------------------------------------------
# Sample data (CONVENTIONS.md, "Sample data").
# --------------------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1
_TWO_POW_MINUS_53 = 1.0 / float(1 << 53)


class SplitMix64:
    """SplitMix64 on a 64-bit state; ``& _MASK64`` plays Rust's ``wrapping_add``/``_mul``."""

    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK64

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """Uniform in [0, 1) with 53 random bits: an exact int-to-float, then an exact scale."""
        return float(self.next_u64() >> 11) * _TWO_POW_MINUS_53


def generate_sample_data(symbol: str, days: int, start_price: float, seed: int | None) -> dict:
    """``days`` valid daily OHLCV bars on business days from 2020-01-01, bit-identical to the
    Rust core's for the same seed. ``seed=None`` draws a random seed.

    Returns a dict with ``symbol``, ``dates``, ``open``, ``high``, ``low``, ``close`` (floats)
    and ``volume`` (ints).
    """
    n = _as_int("days", days)
    if n < 1:
        raise ValueError(f"days must be >= 1, got {n}")
    if n > MAX_SAMPLE_DAYS:
        raise ValueError(f"days must be <= {MAX_SAMPLE_DAYS}, got {n}")
    price = _as_number("start_price", start_price)
    if not (math.isfinite(price) and price > 0.0):
        raise ValueError(f"start_price must be a finite number > 0, got {format_float(price)}")
    if seed is None:
        seed = random.SystemRandom().getrandbits(64)
    elif isinstance(seed, (bool, float)) or not hasattr(seed, "__index__"):
        raise ValueError(f"seed must be an integer in [0, 2**64), got {_describe(seed)}")
    seed = operator.index(seed)
    if not 0 <= seed < 1 << 64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed}")

    rng = SplitMix64(seed)
    uniform = rng.uniform
    opens: list[float] = []
    highs: list[float] = []
    lows: list[float] = []
    closes: list[float] = []
    volumes: list[int] = []
    prev_close = price
    for _ in range(n):
        z = 0.0
        for _ in range(12):  # 12 uniforms summed left to right: an approximate normal
            z += uniform()
        z -= 6.0
        gap = uniform()
        hi = uniform()
        lo = uniform()
        vol = uniform()
        o = prev_close * (1.0 + 0.004 * (gap - 0.5))
        c = o * (1.0 + (0.0003 + 0.015 * z))
        opens.append(o)
        closes.append(c)
        # o, c are never NaN here, so Python's max/min equal Rust's f64::max/min.
        highs.append(max(o, c) * (1.0 + 0.01 * hi))
        lows.append(min(o, c) * (1.0 - 0.01 * lo))
        volumes.append(int(1_000_000.0 + _floor(vol * 9_000_000.0)))
        prev_close = c
    dates = business_days(days_from_civil(2020, 1, 1), n)
    # Like the Rust core, refuse what an extreme start_price makes invalid (overflow to inf,
    # underflow to 0) rather than return bad bars.
    validate_market_data(dates, opens, highs, lows, closes, volumes)
    return {
        "symbol": symbol,
        "dates": dates,
        "open": opens,
        "high": highs,
        "low": lows,
        "close": closes,
        "volume": volumes,
    }
