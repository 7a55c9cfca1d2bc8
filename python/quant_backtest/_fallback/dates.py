"""Dates (CONVENTIONS.md, "Dates"): integer arithmetic only, the forms ``src/data/dates.rs``
accepts, compared as nanoseconds since 1970-01-01 UTC."""

from __future__ import annotations

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
