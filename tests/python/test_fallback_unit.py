"""Unit tests of the pure-Python reference engine (``quant_backtest._fallback``) alone.

The engine is a package of its own that needs neither the native extension nor numpy or
pandas; these tests call it directly, not through the public wrapper.
"""

from __future__ import annotations

import json
import math
import random
import struct
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


import quant_backtest._fallback as fb  # noqa: E402
import quant_backtest._fallback.indicators as fb_indicators  # noqa: E402

NAN = float("nan")
INF = float("inf")


def from_bits(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def bits_of(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def same_float(a, b) -> bool:
    """Bit-for-bit equality, except that every NaN equals every NaN."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and bits_of(a) == bits_of(b)


# --------------------------------------------------------------------------------------------
# format_float
# --------------------------------------------------------------------------------------------

# (bits, what Rust's `format!("{:?}", f64::from_bits(bits))` printed), from rustc 1.95.0.
RUST_DEBUG_TABLE = [
    (0x4059000000000000, "100.0"),
    (0x3FB999999999999A, "0.1"),
    (0x7FF8000000000000, "NaN"),
    (0xFFF8000000000000, "NaN"),
    (0x7FF0000000000000, "inf"),
    (0xFFF0000000000000, "-inf"),
    (0x3EE4F8B588E368F1, "1e-5"),
    (0x4341C37937E08000, "1e16"),
    (0x8000000000000000, "-0.0"),
    (0x0000000000000000, "0.0"),
    (0x3E8421F5F40D8376, "1.5e-7"),
    (0x441AC4DA03BC47E4, "1.2345e20"),
    (0x3F1A36E2EB1C432D, "0.0001"),
    (0x3F1A36E2EB1C432C, "9.999999999999999e-5"),
    (0x3F1CD5F99C38B04B, "0.00011"),
    (0x430C6BF526340000, "1000000000000000.0"),
    (0x4341C37937E07FFF, "9999999999999998.0"),
    (0x0000000000000001, "5e-324"),
    (0x8000000000000001, "-5e-324"),
    (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e308"),
    (0x0010000000000000, "2.2250738585072014e-308"),
    (0x3FD3333333333334, "0.30000000000000004"),
    (0x419D6F3454000000, "123456789.0"),
    (0x444B1AE4D6E2EF50, "1e21"),
    (0x3E7AD7F29ABCAF48, "1e-7"),
    (0x3FF0000000000000, "1.0"),
    (0xBFF0000000000000, "-1.0"),
    (0xC008000000000000, "-3.0"),
    (0xC014000000000000, "-5.0"),
    (0x3FD5555555555555, "0.3333333333333333"),
    (0x3FE5555555555555, "0.6666666666666666"),
    (0x54B249AD2594C37D, "1e100"),
    (0xAB2BFF2EE48E0530, "-1e-100"),
    (0x4023000000000000, "9.5"),
    (0x4024000000000000, "10.0"),
    (0x4025000000000000, "10.5"),
    (0x4026000000000000, "11.0"),
    (0x4028000000000000, "12.0"),
    (0x3F50624DD2F1A9FC, "0.001"),
    (0x3F35D867C3ECE2A5, "0.0003333333333333333"),
    # Ties: exactly halfway between two shortest candidates. Python's repr picks the even
    # digit (...254.2), Rust the larger magnitude (...254.3).
    (0x430E1C6D958D7B72, "1059438285926254.3"),
    (0xC31441F233F63165, "-1425502010969177.3"),
    (0x42B7FA57C450E950, "26363981746409.313"),
    (0x4340000000000000, "9007199254740992.0"),
    (0x4340000000000001, "9007199254740994.0"),
    (0x43B0000000000000, "1.152921504606847e18"),
    (0x3E10000000000000, "9.313225746154785e-10"),
    (0x3FF8000000000000, "1.5"),
    (0x406F800000000000, "252.0"),
    (0x7E37E43C8800759C, "1e300"),
    (0x3E4A8310BC7A31BF, "1.23456e-8"),
    (0x91B7584A2265B1F5, "-2.522753946247637e-223"),
    (0xCD613E30D8F16ADF, "-5.674664918136216e64"),
    (0x1027C4D1C386BBC4, "7.654927133881691e-231"),
    (0x1E2FEB89414C343C, "2.7715077941825975e-163"),
    (0xC2CE6F447ED4D57B, "-66926478731690.96"),
    (0x78E510617311D8A3, "2.2790121708605243e274"),
    (0x612E7696A6CECC1B, "1.3383932992236106e160"),
    (0x35BF992DC9E9C616, "8.445496795513092e-50"),
    (0x7CE42C8218072E8C, "4.026380313612261e293"),
    (0xE4B06CE60741C7A8, "-1.039999246087972e177"),
    (0x63CA828DD5F4B3B2, "5.122439992692798e172"),
    (0x9B810E766EC9D286, "-3.367304008780077e-176"),
    (0xC4647159C324C985, "-3.0168212434893705e21"),
    (0xB2221A58008A05A6, "-3.3573703852372156e-67"),
    (0x442E3D437204E52D, "2.7890840981819507e20"),
    (0xCD447E35B8B6D8FE, "-1.6860668391509668e64"),
    (0x9755D4C13A902931, "-2.9205048131065683e-196"),
    (0x1A2B8F1FF1FD42A2, "1.2971714304409807e-182"),
    (0x51431193E6C3F339, "2.8940701966505206e83"),
    (0x05B6E6E307D4BEDC, "3.942716995897388e-281"),
    (0xA648A7DD06839EB9, "-2.9138649815953417e-124"),
    (0x025B413F8A9A021E, "2.60464476415712e-297"),
    (0xE1988AD9F06C144A, "-1.380176098350245e162"),
    (0xAFBD67F9619699CF, "-9.920174193947555e-79"),
    (0xF8130C4237730EDF, "-2.5157234196648135e270"),
    (0xB9D179E06C0FD4F5, "-3.44654920223904e-30"),
    (0x8712B8BC076F3787, "-1.3518464599291115e-274"),
    (0xC381E88F38C0C8FD, "-1.6130484589462314e17"),
    (0xF06D3FEF701966A0, "-3.632860948069635e233"),
    (0x8D88348A7EED8D14, "-1.772486265902276e-243"),
]


@pytest.mark.parametrize("bits, expected", RUST_DEBUG_TABLE, ids=[t[1] for t in RUST_DEBUG_TABLE])
def test_format_float_matches_rust_debug(bits, expected):
    assert fb.format_float(from_bits(bits)) == expected


def test_format_float_brief_examples_and_ints():
    cases = {
        100.0: "100.0",
        0.1: "0.1",
        NAN: "NaN",
        INF: "inf",
        -INF: "-inf",
        1e-5: "1e-5",
        1e16: "1e16",
        -0.0: "-0.0",
        1.5e-7: "1.5e-7",
        1.2345e20: "1.2345e20",
    }
    for value, text in cases.items():
        assert fb.format_float(value) == text
    assert fb.format_float(-3) == "-3.0"  # ints are written as the f64 they become


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_float_round_trips_and_has_rust_shape(x):
    text = fb.format_float(x)
    assert same_float(float(text), x)
    assert "+" not in text and "e0" not in text and "e-0" not in text
    if "e" in text:
        assert x == 0.0 or abs(x) < 1e-4 or abs(x) >= 1e16
    else:
        assert "." in text
        assert x == 0.0 or 1e-4 <= abs(x) < 1e16


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

DAY_NS = 86_400 * 1_000_000_000
D2020 = 18_262 * DAY_NS  # 2020-01-01T00:00:00Z


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1970-01-01", 0),
        ("2020-01-01", D2020),
        ("2020-01-01T00:00", D2020),
        ("2020-01-01 00:00", D2020),
        ("2020-01-01T00:00:00", D2020),
        ("2020-01-01 00:00:00Z", D2020),
        ("2020-01-01T01:00:00+01:00", D2020),
        ("2019-12-31T23:00:00-01:00", D2020),
        ("2020-01-01T05:30+05:30", D2020),
        ("2020-01-01T00:00Z", D2020),
        ("2020-01-01T00:00:00.5", D2020 + 500_000_000),
        ("2020-01-01T00:00:00.000000001Z", D2020 + 1),
        ("2020-01-01T00:00:00.123456789+00:00", D2020 + 123_456_789),
        ("2020-01-01T23:59:59.999999999-23:59", D2020 + DAY_NS - 1 + (23 * 3600 + 59 * 60) * 10**9),
        ("2020-02-29", (18_262 + 59) * DAY_NS),
        ("2000-02-29", 11_016 * DAY_NS),
        ("1969-12-31T23:59:59.5", -500_000_000),
        # Far from 1970: exact (Python ints do not overflow).
        ("2300-01-01", 120_530 * DAY_NS),
        ("0000-03-01", -719_468 * DAY_NS),
    ],
)
def test_parse_instant_accepts(text, expected):
    assert fb.parse_instant(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2020",
        "2020-1-01",
        "2020-01-1",
        "2020-1-2",
        "2020/01/01",
        "20200101",
        "2020-W01-1",
        "2020-001",
        "2021-02-29",
        "1900-02-29",
        "2020-13-01",
        "2020-00-10",
        "2020-04-31",
        "2020-01-00",
        "2020-01-32",
        "2020-01-01T",
        "2020-01-01T24:00",
        "2020-01-01T10:60",
        "2020-01-01T10:00:60",
        "2020-01-01T10",
        "2020-01-01T1:00",
        "2020-01-01T10:0",
        "2020-01-01T10.00",
        "2020-01-01T10:00:00.",
        "2020-01-01T10:00:00.1234567890",
        "2020-01-01T10:00:00,5",
        "2020-01-01T10:00+1:00",
        "2020-01-01T10:00+0100",
        "2020-01-01T10:00+01",
        "2020-01-01T10:00+24:00",
        "2020-01-01T10:00+01:60",
        "2020-01-01T10:00ZZ",
        "2020-01-01T10:00z",
        "2020-01-01t10:00",
        "2020-01-01Z",  # a bare date takes no offset
        "2020-01-01+01:00",
        "2020-01-01 ",
        " 2020-01-01",
        "2020-01-01\n",
        "\uff12020-01-01",  # a full-width digit
        "\u0662\u0660\u0662\u0660-01-01",  # Arabic-Indic digits: str.isdigit() would take them
        "2020-01-01T10:00:00+01:00x",
        "2020-01-01T10:00:00.5 Z",
    ],
)
def test_parse_instant_refuses(text):
    assert fb.parse_instant(text) is None


def test_parse_instant_refuses_non_strings():
    assert fb.parse_instant(None) is None
    assert fb.parse_instant(20200101) is None
    assert fb.parse_instant(b"2020-01-01") is None


def test_leap_years():
    for year in (1600, 2000, 2004, 2020, 2400):
        assert fb.parse_instant(f"{year}-02-29") is not None
    for year in (1700, 1800, 1900, 2001, 2019, 2100):
        assert fb.parse_instant(f"{year}-02-29") is None
        assert fb.parse_instant(f"{year}-02-28") is not None


def test_days_from_civil_against_datetime():
    epoch = date(1970, 1, 1).toordinal()
    for ordinal in range(date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal(), 997):
        d = date.fromordinal(ordinal)
        days = fb.days_from_civil(d.year, d.month, d.day)
        assert days == ordinal - epoch
        assert fb.civil_from_days(days) == (d.year, d.month, d.day)


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
    st.sampled_from(["T", " "]),
    st.integers(min_value=0, max_value=3),
)
def test_parse_instant_against_datetime(moment, offset_minutes, sep, precision):
    """An independent oracle: datetime arithmetic, converted to ns with integers only."""
    m = moment  # formatted by hand: strftime("%Y") does not pad years below 1000
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}{sep}{m.hour:02d}:{m.minute:02d}"
    micro = moment.microsecond
    if precision >= 1:
        text += f":{m.second:02d}"
    if precision >= 2:
        text += f".{micro:06d}"
    if precision < 2:
        moment = moment.replace(microsecond=0)
    if precision < 1:
        moment = moment.replace(second=0)
    if offset_minutes:
        sign = "+" if offset_minutes > 0 else "-"
        text += f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    elif precision == 3:
        text += "Z"
    utc = moment.replace(tzinfo=timezone.utc) - timedelta(minutes=offset_minutes)
    delta = utc - datetime(1970, 1, 1, tzinfo=timezone.utc)
    expected = (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000
    assert fb.parse_instant(text) == expected


def test_business_days_skip_weekends():
    start = fb.days_from_civil(2020, 1, 1)
    assert fb.business_days(start, 5) == [
        "2020-01-01",
        "2020-01-02",
        "2020-01-03",
        "2020-01-06",
        "2020-01-07",
    ]
    days = fb.business_days(start, 600)
    assert all(date.fromisoformat(d).weekday() < 5 for d in days)
    assert days == sorted(set(days))


# --------------------------------------------------------------------------------------------
# SMA
# --------------------------------------------------------------------------------------------


def test_sma_matches_exact_mean_on_random_data():
    rng = random.Random(20240601)
    close = [rng.uniform(1.0, 1000.0) for _ in range(2000)]
    for p in (1, 2, 3, 7, 50, 333, 2000):
        s = fb.sma(close, p)
        assert len(s) == len(close)
        assert all(math.isnan(v) for v in s[: p - 1])
        for t in range(p - 1, len(close)):
            exact = sum(Fraction(x) for x in close[t - p + 1 : t + 1]) / p
            # Correctly rounded would be 0.5 ulp; the compensated sum stays within a few.
            assert abs(Fraction(s[t]) - exact) <= exact * Fraction(1, 2**50), (p, t)


def test_sma_no_drift_over_long_series():
    rng = random.Random(7)
    close = [rng.uniform(0.01, 1e6) for _ in range(100_000)]
    s = fb.sma(close, 10)
    t = len(close) - 1
    exact = sum(Fraction(x) for x in close[t - 9 :]) / 10
    assert abs(Fraction(s[t]) - exact) <= exact * Fraction(1, 2**50)


def test_sma_exact_on_constant_windows():
    close = [100.1, 100.3, 99.7] + [100.1] * 50
    s3 = fb.sma(close, 3)
    s20 = fb.sma(close, 20)
    assert s3[52] == 100.1 and s20[52] == 100.1
    # A falling series then a flat one: once a window is flat, its mean is the price exactly,
    # so fast == slow and nothing "crosses" on rounding noise.
    close = [10.9, 10.7, 10.5, 10.3] + [10.1] * 12
    for p in (3, 7):
        s = fb.sma(close, p)
        assert all(v == 10.1 for v in s[3 + p :])


def test_sma_period_one_is_close_and_period_n_is_one_value():
    close = [3.0, 1.5, 2.25, 8.0]
    assert fb.sma(close, 1) == close
    s = fb.sma(close, 4)
    assert all(math.isnan(v) for v in s[:3]) and s[3] == 14.75 / 4
    assert fb.sma([1, 2, 3], 2)[1:] == [1.5, 2.5]  # ints are read as floats
    assert all(isinstance(v, float) for v in fb.sma([1, 1, 1], 2))


def test_sma_refuses_bad_period():
    with pytest.raises(ValueError, match=r"^period must be >= 1, got 0$"):
        fb.sma([1.0], 0)
    with pytest.raises(ValueError, match=r"^period must be an integer, got 2\.5$"):
        fb.sma([1.0], 2.5)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def bars(n=5):
    dates = fb.business_days(fb.days_from_civil(2020, 1, 1), n)
    return {
        "dates": dates,
        "open": [10.0] * n,
        "high": [11.0] * n,
        "low": [9.0] * n,
        "close": [10.5] * n,
        "volume": [100] * n,
    }


def data_error(**changes):
    d = bars()
    for key, (row, value) in changes.items():
        d[key] = list(d[key])
        if row is None:
            d[key] = value
        else:
            d[key][row] = value
    with pytest.raises(ValueError) as info:
        fb.validate_market_data(d["dates"], d["open"], d["high"], d["low"], d["close"], d["volume"])
    return str(info.value)


def test_valid_market_data_passes():
    d = bars()
    assert fb.validate_market_data(*d.values()) is None
    d["volume"] = [0, 1.0, 2**60, 3, -0.0]  # ints or floats, zero included
    assert fb.validate_market_data(*d.values()) is None
    d["volume"] = [0.5, 1e-9, 12.25, 3, 0.0]  # fractional volumes are valid (SPEC part 1)
    d["open"] = [10, 10.0, 9, 11, 10.5]  # ints and prices on the boundary
    assert fb.validate_market_data(*d.values()) is None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"open": (None, [10.0] * 4)}, "open has 4 rows but dates has 5 rows"),
        ({"volume": (None, [1] * 6)}, "volume has 6 rows but dates has 5 rows"),
        ({"dates": (None, ["2020-01-01"] * 4)}, "open has 5 rows but dates has 4 rows"),
        (
            {"close": (None, [1.0]), "open": (None, [1.0])},
            "open has 1 rows but dates has 5 rows",
        ),
        ({"dates": (4, "foo")}, "dates at row 4 is not an ISO 8601 date or datetime: 'foo'"),
        (
            {"dates": (3, "2021-02-29")},
            "dates at row 3 is not an ISO 8601 date or datetime: '2021-02-29'",
        ),
        (
            {"dates": (2, "2020-01-02")},
            "dates at row 2 ('2020-01-02') is not after row 1 ('2020-01-02'); "
            "dates must be strictly increasing",
        ),
        (
            {"dates": (2, "2020-01-02T00:00:00Z")},
            "dates at row 2 ('2020-01-02T00:00:00Z') is not after row 1 ('2020-01-02'); "
            "dates must be strictly increasing",
        ),
        ({"close": (3, NAN)}, "close at row 3 must be a finite number > 0, got NaN"),
        ({"high": (2, INF)}, "high at row 2 must be a finite number > 0, got inf"),
        ({"low": (1, -INF)}, "low at row 1 must be a finite number > 0, got -inf"),
        ({"open": (0, 0.0)}, "open at row 0 must be a finite number > 0, got 0.0"),
        ({"low": (4, -5)}, "low at row 4 must be a finite number > 0, got -5.0"),
        (
            {"open": (2, 0.0), "close": (2, NAN)},
            "open at row 2 must be a finite number > 0, got 0.0",
        ),
        ({"high": (3, 9.5), "low": (3, 10.0)}, "high at row 3 is below low (9.5 < 10.0)"),
        (
            {"open": (3, 11.0), "high": (3, 10.5)},
            "open at row 3 is outside [low, high]: 11.0 not in [9.0, 10.5]",
        ),
        (
            {"open": (1, 8.0), "close": (1, 12.0)},
            "open at row 1 is outside [low, high]: 8.0 not in [9.0, 11.0]",
        ),
        (
            {"close": (2, 1e-5)},
            "close at row 2 is outside [low, high]: 1e-5 not in [9.0, 11.0]",
        ),
        ({"volume": (2, -3)}, "volume at row 2 must be a finite number >= 0, got -3.0"),
        ({"volume": (1, -0.5)}, "volume at row 1 must be a finite number >= 0, got -0.5"),
        ({"volume": (3, NAN)}, "volume at row 3 must be a finite number >= 0, got NaN"),
        ({"volume": (0, INF)}, "volume at row 0 must be a finite number >= 0, got inf"),
        # The first bad row wins, whatever the field.
        (
            {"volume": (1, -1), "close": (2, NAN)},
            "volume at row 1 must be a finite number >= 0, got -1.0",
        ),
        (
            {"close": (1, NAN), "dates": (2, "x")},
            "close at row 1 must be a finite number > 0, got NaN",
        ),
        (
            {"dates": (2, "x"), "close": (2, NAN)},
            "dates at row 2 is not an ISO 8601 date or datetime: 'x'",
        ),
        ({"close": (2, "abc")}, "close at row 2 must be a number, got 'abc'"),
    ],
)
def test_market_data_messages(changes, message):
    assert data_error(**changes) == message


def test_empty_market_data():
    with pytest.raises(ValueError, match=r"^market data is empty: need at least 1 row$"):
        fb.validate_market_data([], [], [], [], [], [])


GOOD = dict(
    initial_capital=100_000.0,
    commission_rate=0.001,
    lot_size=0,
    periods_per_year=252,
    fill="next_open",
)


def params_error(n_bars=100, fast=3, slow=20, **overrides):
    kwargs = {**GOOD, **overrides}
    with pytest.raises(ValueError) as info:
        fb.validate_params(n_bars, fast, slow, **kwargs)
    return str(info.value)


def test_valid_params_pass():
    assert fb.validate_params(100, 1, 100, **GOOD) is None
    assert fb.validate_params(2, 1, 2, 1, 0.0, 100, 1e-3, "close") is None


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(fast=0), "fast_period must be >= 1, got 0"),
        (dict(fast=-2, slow=200), "fast_period must be >= 1, got -2"),
        (dict(fast=30, slow=10), "fast_period (30) must be less than slow_period (10)"),
        (dict(fast=10, slow=10), "fast_period (10) must be less than slow_period (10)"),
        (dict(fast=300, slow=200), "fast_period (300) must be less than slow_period (200)"),
        (dict(slow=200), "slow_period (200) exceeds the number of bars (100)"),
        (dict(slow=200, commission_rate=2.0), "slow_period (200) exceeds the number of bars (100)"),
        (dict(initial_capital=-5.0), "initial_capital must be a finite number > 0, got -5.0"),
        (dict(initial_capital=0), "initial_capital must be a finite number > 0, got 0.0"),
        (dict(initial_capital=INF), "initial_capital must be a finite number > 0, got inf"),
        (dict(initial_capital=-1e-5), "initial_capital must be a finite number > 0, got -1e-5"),
        (dict(initial_capital=10**400), "initial_capital must be a finite number > 0, got inf"),
        (dict(commission_rate=1.0), "commission_rate must be in [0, 1), got 1.0"),
        (dict(commission_rate=-0.1), "commission_rate must be in [0, 1), got -0.1"),
        (dict(commission_rate=NAN), "commission_rate must be in [0, 1), got NaN"),
        (dict(lot_size=-1.0), "lot_size must be a finite number >= 0, got -1.0"),
        (dict(lot_size=INF), "lot_size must be a finite number >= 0, got inf"),
        (dict(periods_per_year=0.0), "periods_per_year must be a finite number > 0, got 0.0"),
        (dict(periods_per_year=-1e16), "periods_per_year must be a finite number > 0, got -1e16"),
        (dict(fill="open"), "fill must be 'next_open' or 'close', got 'open'"),
        (dict(fill=None), "fill must be 'next_open' or 'close', got 'None'"),
        # The order: capital, commission, lot size, periods per year, fill.
        (
            dict(initial_capital=0.0, commission_rate=1.0),
            "initial_capital must be a finite number > 0, got 0.0",
        ),
        (dict(commission_rate=-0.1, lot_size=-1), "commission_rate must be in [0, 1), got -0.1"),
        (dict(lot_size=-1, periods_per_year=0), "lot_size must be a finite number >= 0, got -1.0"),
        (
            dict(periods_per_year=0, fill="x"),
            "periods_per_year must be a finite number > 0, got 0.0",
        ),
        # Types.
        (dict(fast=2.5), "fast_period must be an integer, got 2.5"),
        (dict(fast=3.0), "fast_period must be an integer, got 3.0"),
        (dict(fast=True), "fast_period must be an integer, got True"),
        (dict(slow="20"), "slow_period must be an integer, got '20'"),
        (dict(initial_capital="100"), "initial_capital must be a number, got '100'"),
        (dict(lot_size=True), "lot_size must be a number, got True"),
        (dict(periods_per_year=None), "periods_per_year must be a number, got None"),
    ],
)
def test_param_messages(args, message):
    args = dict(args)
    positional = {k: args.pop(k) for k in ("n_bars", "fast", "slow") if k in args}
    assert params_error(**positional, **args) == message


def grid_error(n_bars=100, fast=(2, 3), slow=(10, 20), max_workers=None, **overrides):
    kwargs = {**GOOD, **overrides}
    with pytest.raises(ValueError) as info:
        fb.validate_grid(
            n_bars,
            fast,
            slow,
            kwargs["initial_capital"],
            kwargs["commission_rate"],
            kwargs["lot_size"],
            kwargs["periods_per_year"],
            kwargs["fill"],
            max_workers,
        )
    return str(info.value)


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(fast=[]), "fast_periods is empty"),
        (dict(fast=[], slow=[]), "fast_periods is empty"),
        (dict(slow=[]), "slow_periods is empty"),
        (dict(fast=[2, 3, 0]), "fast_periods[2] must be >= 1, got 0"),
        (dict(fast=[2, 0], slow=[300]), "fast_periods[1] must be >= 1, got 0"),
        (dict(fast=[2, 101]), "fast_periods[1] (101) exceeds the number of bars (100)"),
        (dict(slow=[10, 300]), "slow_periods[1] (300) exceeds the number of bars (100)"),
        (dict(slow=[-1, 4]), "slow_periods[0] must be >= 1, got -1"),
        (
            dict(slow=[10, 300], initial_capital=0),
            "slow_periods[1] (300) exceeds the number of bars (100)",
        ),
        (dict(initial_capital=-5.0), "initial_capital must be a finite number > 0, got -5.0"),
        (dict(fill="open"), "fill must be 'next_open' or 'close', got 'open'"),
        (dict(fast=[5], slow=[4]), "the grid has no pair with fast_period < slow_period"),
        (
            dict(fast=[5], slow=[4], lot_size=-1.0),
            "lot_size must be a finite number >= 0, got -1.0",
        ),
        (dict(max_workers=0), "max_workers must be >= 1, got 0"),
        (dict(max_workers=-1), "max_workers must be >= 1, got -1"),
        (dict(max_workers=1.5), "max_workers must be an integer, got 1.5"),
        (
            dict(fast=[5], slow=[4], max_workers=0),
            "the grid has no pair with fast_period < slow_period",
        ),
        (dict(fast=[2, 2.5]), "fast_periods[1] must be an integer, got 2.5"),
    ],
)
def test_grid_messages(args, message):
    assert grid_error(**args) == message


def test_grid_pairs_in_spec_order():
    args = (100_000.0, 0.001, 0, 252, "next_open", None)
    assert fb.validate_grid(50, [5, 2, 10], [10, 3], *args) == [(5, 10), (2, 10), (2, 3)]
    # Duplicates are kept, as the Rust core keeps them.
    assert fb.validate_grid(50, [2, 2], [3], *args) == [(2, 3), (2, 3)]


# --------------------------------------------------------------------------------------------
# Float helpers
# --------------------------------------------------------------------------------------------


def test_div_is_ieee():
    assert fb._div(1.0, 0.0) == INF
    assert fb._div(-1.0, 0.0) == -INF
    assert fb._div(1.0, -0.0) == -INF
    assert math.isnan(fb._div(0.0, 0.0))
    assert math.isnan(fb._div(NAN, 0.0))
    assert fb._div(3.0, 2.0) == 1.5


def test_floor_is_rust_f64_floor():
    assert same_float(fb._floor(2.7), 2.0)
    assert same_float(fb._floor(-2.5), -3.0)
    assert same_float(fb._floor(0.3), 0.0)
    assert same_float(fb._floor(-0.0), -0.0)
    assert same_float(fb._floor(-0.3), -1.0)
    assert fb._floor(INF) == INF and fb._floor(-INF) == -INF
    assert math.isnan(fb._floor(NAN))
    assert same_float(fb._floor(2.0**60 + 2**8), 2.0**60 + 2**8)


def test_pow_is_c_pow():
    assert fb._pow(1.1, 2.0) == math.pow(1.1, 2.0)
    assert fb._pow(10.0, 400.0) == INF
    assert fb._pow(-10.0, 401.0) == -INF
    assert fb._pow(-10.0, 400.0) == INF
    assert math.isnan(fb._pow(-0.5, 0.3))
    assert fb._pow(1e-300, 10.0) == 0.0


# --------------------------------------------------------------------------------------------
# Backtest, by hand
# --------------------------------------------------------------------------------------------

# fast = close (period 1), slow = SMA 2:
#   t      0    1    2    3    4     5     6     7    8
#   close  10   9    8    9    10    11    10    9    8
#   sma2   -    9.5  8.5  8.5  9.5   10.5  10.5  9.5  8.5
# t=3: 8 < 8.5 then 9 > 8.5: cross up.  t=6: 11 > 10.5 then 10 < 10.5: cross down.
HAND_CLOSE = [10.0, 9.0, 8.0, 9.0, 10.0, 11.0, 10.0, 9.0, 8.0]
HAND_OPEN = [10.0, 9.5, 8.5, 8.5, 9.5, 10.5, 10.5, 10.0, 8.5]
HAND_DATES = fb.business_days(fb.days_from_civil(2024, 1, 1), 9)


def hand(fill, lot_size, commission=0.0, capital=1000.0, ppy=252.0, **kw):
    return fb.backtest(
        HAND_DATES, HAND_OPEN, HAND_CLOSE, 1, 2, capital, commission, fill, lot_size, ppy, **kw
    )


def test_hand_checked_close_fill_whole_shares():
    r = hand("close", 1)
    # Buy at close[3] = 9: floor(1000 / 9) = 111 shares for 999, 1 left. Sell at close[6] = 10.
    assert r["trades"] == [
        {
            "entry_index": 3,
            "exit_index": 6,
            "entry_date": HAND_DATES[3],
            "exit_date": HAND_DATES[6],
            "entry_price": 9.0,
            "exit_price": 10.0,
            "size": 111.0,
            "pnl": 111.0,
            "return_pct": 111.0 / 999.0,
            "bars_held": 3,
        }
    ]
    assert r["equity_curve"] == [
        1000.0,
        1000.0,
        1000.0,
        1000.0,
        1111.0,
        1222.0,
        1111.0,
        1111.0,
        1111.0,
    ]
    assert r["total_return"] == 1111.0 / 1000.0 - 1.0
    assert r["trade_count"] == 1 and r["win_rate"] == 100.0
    assert r["max_drawdown"] == 1.0 - 1111.0 / 1222.0
    returns = [0.0] * 4 + [
        1111.0 / 1000.0 - 1.0,
        1222.0 / 1111.0 - 1.0,
        1111.0 / 1222.0 - 1.0,
        0.0,
        0.0,
    ]
    mean = sum(returns) / 9
    std = math.sqrt(sum((x - mean) ** 2 for x in returns) / 8)
    assert math.isclose(r["volatility"], std * math.sqrt(252), rel_tol=1e-13)
    assert math.isclose(r["sharpe_ratio"], mean / std * math.sqrt(252), rel_tol=1e-13)
    downside = math.sqrt(returns[6] ** 2 / 9)
    assert math.isclose(r["sortino_ratio"], mean / downside * math.sqrt(252), rel_tol=1e-13)
    assert math.isclose(r["annualized_return"], 1.111 ** (252 / 9) - 1.0, rel_tol=1e-12)


def test_hand_checked_next_open_fill_with_commission():
    r = hand("next_open", 0, commission=0.01)
    # Signal at 3 fills at open[4] = 9.5; signal at 6 fills at open[7] = 10.0.
    q = 1000.0 / (9.5 * 1.01)
    cost = q * 9.5 * 1.01
    proceeds = q * 10.0 * 0.99
    (t,) = r["trades"]
    assert (t["entry_index"], t["exit_index"], t["bars_held"]) == (4, 7, 3)
    assert (t["entry_price"], t["exit_price"], t["size"]) == (9.5, 10.0, q)
    assert t["pnl"] == proceeds - cost and t["return_pct"] == (proceeds - cost) / cost
    cash = 1000.0 - cost
    assert r["equity_curve"][:4] == [1000.0] * 4
    assert r["equity_curve"][4:7] == [cash + q * c for c in HAND_CLOSE[4:7]]
    assert r["equity_curve"][7:] == [cash + proceeds] * 2


def test_a_win_needs_positive_pnl():
    opens = list(HAND_OPEN)
    opens[7] = 9.5  # sell at the buy price, commission 0: pnl exactly 0, not a win
    r = fb.backtest(HAND_DATES, opens, HAND_CLOSE, 1, 2, 1000.0, 0.0, "next_open", 1, 252)
    assert r["trades"][0]["pnl"] == 0.0
    assert r["trade_count"] == 1 and r["win_rate"] == 0.0


def test_lot_size_rounding_to_zero_means_no_trade():
    r = hand("close", 200)  # 1000 / 9 = 111 shares < one lot of 200
    assert r["trades"] == [] and r["trade_count"] == 0 and r["win_rate"] == 0.0
    assert r["equity_curve"] == [1000.0] * 9
    assert r["sharpe_ratio"] is None and r["sortino_ratio"] is None
    assert r["volatility"] == 0.0 and r["max_drawdown"] == 0.0


def test_last_bar_signal_and_open_position():
    # Cut the series at bar 6 (the sell signal's bar): with next_open it never fills, the
    # position stays open; with close it fills at close[6].
    dates, opens, closes = HAND_DATES[:7], HAND_OPEN[:7], HAND_CLOSE[:7]
    r = fb.backtest(dates, opens, closes, 1, 2, 1000.0, 0.0, "next_open", 1, 252)
    assert r["trades"] == [] and r["trade_count"] == 0
    assert r["equity_curve"][-1] == 1000.0 - 105 * 9.5 + 105 * 10.0  # marked to market
    r = fb.backtest(dates, opens, closes, 1, 2, 1000.0, 0.0, "close", 1, 252)
    assert [(t["entry_index"], t["exit_index"]) for t in r["trades"]] == [(3, 6)]
    # A buy signal on the last bar with next_open: nothing happens.
    r = fb.backtest(
        HAND_DATES[:4], HAND_OPEN[:4], HAND_CLOSE[:4], 1, 2, 1000.0, 0.0, "next_open", 0, 252
    )
    assert r["equity_curve"] == [1000.0] * 4


def test_keep_details_false_gives_the_same_metrics():
    data = fb.generate_sample_data("S", 600, 100.0, 3)
    args = (
        data["dates"],
        data["open"],
        data["close"],
        5,
        20,
        100_000.0,
        0.001,
        "next_open",
        0,
        252,
    )
    full = fb.backtest(*args)
    lean = fb.backtest(*args, keep_details=False)
    assert full["trade_count"] > 0
    assert lean["trades"] == [] and lean["equity_curve"] == []
    for key in full:
        if key not in ("trades", "equity_curve"):
            assert repr(full[key]) == repr(lean[key]), key
    smas = fb.backtest(*args, fast_sma=fb.sma(data["close"], 5), slow_sma=fb.sma(data["close"], 20))
    assert smas == full


def test_backtest_validates_its_parameters():
    with pytest.raises(ValueError, match=r"^slow_period \(10\) exceeds the number of bars \(9\)$"):
        fb.backtest(HAND_DATES, HAND_OPEN, HAND_CLOSE, 1, 10, 1000.0, 0.0, "close", 0, 252)


def test_metrics_hand_checked():
    # Returns 0.1, -0.1, 0.1 from 100.
    m = fb._metrics([110.0, 99.0, 108.9], 100.0, 252.0, 2, 1)
    r = [0.1, 99.0 / 110.0 - 1.0, 108.9 / 99.0 - 1.0]
    mean = sum(r) / 3
    std = math.sqrt(sum((x - mean) ** 2 for x in r) / 2)
    assert math.isclose(m["total_return"], 0.089, rel_tol=1e-12)
    assert math.isclose(m["max_drawdown"], 0.1, rel_tol=1e-12)
    assert math.isclose(m["volatility"], std * math.sqrt(252), rel_tol=1e-12)
    assert math.isclose(m["sharpe_ratio"], mean / std * math.sqrt(252), rel_tol=1e-12)
    assert math.isclose(
        m["sortino_ratio"], mean / math.sqrt(r[1] ** 2 / 3) * math.sqrt(252), rel_tol=1e-12
    )
    assert m["win_rate"] == 50.0 and m["trade_count"] == 2
    # One bar: no std, no sharpe (0/0 would raise in Python; it is NaN in Rust).
    one = fb._metrics([101.0], 100.0, 252.0, 0, 0)
    assert math.isnan(one["volatility"]) and one["sharpe_ratio"] is None
    assert one["sortino_ratio"] is None  # no negative return


def test_metrics_zero_returns_are_set_apart_exactly():
    """CONVENTIONS: flat bars add (n - nonzero) * mean^2 to the variance in one product."""
    equity = [100.0, 100.0, 103.0, 103.0, 103.0, 101.0, 101.0, 104.5]
    m = fb._metrics(equity, 100.0, 252.0, 0, 0)
    nonzero = [103.0 / 100.0 - 1.0, 101.0 / 103.0 - 1.0, 104.5 / 101.0 - 1.0]
    s = 0.0
    for x in nonzero:
        s += x
    mean = s / 8.0
    sq = 0.0
    for x in nonzero:
        sq += (x - mean) * (x - mean)
    sq += 5.0 * (mean * mean)
    assert m["volatility"] == math.sqrt(sq / 7.0) * math.sqrt(252.0)
    assert m["max_drawdown"] == 1.0 - 101.0 / 103.0


# --------------------------------------------------------------------------------------------
# Grid
# --------------------------------------------------------------------------------------------


def test_grid_equals_single_backtests_and_computes_each_sma_once(monkeypatch):
    data = fb.generate_sample_data("S", 400, 50.0, 11)
    calls = []
    real_sma = fb_indicators.sma

    def counting_sma(close, period):
        calls.append(period)
        return real_sma(close, period)

    # The engine looks indicators up in their module at each computation.
    monkeypatch.setattr(fb_indicators, "sma", counting_sma)
    results = fb.grid(
        data["dates"],
        data["open"],
        data["close"],
        [5, 10, 30],
        [10, 30, 60],
        100_000.0,
        0.001,
        "close",
        0,
        252,
        max_workers=2,
        keep_details=True,
    )
    assert sorted(calls) == [5, 10, 30, 60]
    assert [(f, s) for f, s, _ in results] == [
        (5, 10),
        (5, 30),
        (5, 60),
        (10, 30),
        (10, 60),
        (30, 60),
    ]
    monkeypatch.setattr(fb_indicators, "sma", real_sma)
    for f, s, r in results:
        single = fb.backtest(
            data["dates"], data["open"], data["close"], f, s, 100_000.0, 0.001, "close", 0, 252
        )
        assert r == single
    lean = fb.grid(
        data["dates"], data["open"], data["close"], [5], [10], 100_000.0, 0.001, "close", 0, 252
    )
    assert (
        lean[0][2]["equity_curve"] == []
        and lean[0][2]["total_return"] == results[0][2]["total_return"]
    )


# --------------------------------------------------------------------------------------------
# Sample data
# --------------------------------------------------------------------------------------------


def test_splitmix_reference_values():
    rng = fb.SplitMix64(1234567)  # Vigna's reference C implementation
    assert [rng.next_u64() for _ in range(3)] == [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
    ]
    rng = fb.SplitMix64(2**64 - 1)  # the state wraps
    assert 0 <= rng.next_u64() < 2**64 and rng.state == (2**64 - 1 + 0x9E3779B97F4A7C15) % 2**64


def test_sample_data_matches_rust_bits():
    """Values printed by the Rust core (`generate_sample_data("X", 3, 100.0, 42)`)."""
    d = fb.generate_sample_data("X", 3, 100.0, 42)
    assert d["symbol"] == "X"
    assert d["dates"] == ["2020-01-01", "2020-01-02", "2020-01-03"]
    assert [x.hex() for x in d["open"]] == [
        "0x1.90057caf42654p+6",
        "0x1.8b79654bfc27dp+6",
        "0x1.88f45516138b2p+6",
    ]
    assert [x.hex() for x in d["high"]] == [
        "0x1.921a025b064c0p+6",
        "0x1.8e3830d55a47fp+6",
        "0x1.8a37a3e54f300p+6",
    ]
    assert [x.hex() for x in d["low"]] == [
        "0x1.8826848c6a799p+6",
        "0x1.8596930eb8019p+6",
        "0x1.8501f3fd76f84p+6",
    ]
    assert [x.hex() for x in d["close"]] == [
        "0x1.8ac6bf02a8589p+6",
        "0x1.88b0a89befefdp+6",
        "0x1.855627fd19057p+6",
    ]
    assert d["volume"] == [2830915, 8564648, 2282517]
    assert all(type(v) is int for v in d["volume"])
    d0 = fb.generate_sample_data("X", 1, 100.0, 0)
    assert d0["close"][0].hex() == "0x1.906fe867c47fbp+6" and d0["volume"] == [5666339]


def test_sample_data_is_deterministic_and_valid():
    a = fb.generate_sample_data("S", 2000, 100.0, 42)
    assert a == fb.generate_sample_data("S", 2000, 100.0, 42)
    assert a["close"] != fb.generate_sample_data("S", 2000, 100.0, 43)["close"]
    fb.validate_market_data(a["dates"], a["open"], a["high"], a["low"], a["close"], a["volume"])
    assert len(a["dates"]) == 2000 and a["dates"][0] == "2020-01-01"
    r = fb.generate_sample_data("S", 5, 100.0, None)  # a random seed
    assert len(r["close"]) == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (("S", 0, 100.0, 1), "days must be >= 1, got 0"),
        (("S", -3, 100.0, 1), "days must be >= 1, got -3"),
        (("S", 2.0, 100.0, 1), "days must be an integer, got 2.0"),
        (("S", 5, -1.0, 1), "start_price must be a finite number > 0, got -1.0"),
        (("S", 5, NAN, 1), "start_price must be a finite number > 0, got NaN"),
        (("S", 5, 0, 1), "start_price must be a finite number > 0, got 0.0"),
        (("S", 5, 100.0, -1), "seed must be an integer in [0, 2**64), got -1"),
        (("S", 5, 100.0, 2**64), f"seed must be an integer in [0, 2**64), got {2**64}"),
        (("S", 5, 100.0, 1.5), "seed must be an integer in [0, 2**64), got 1.5"),
        (("S", 5, 100.0, "7"), "seed must be an integer in [0, 2**64), got '7'"),
        (("S", 5, 100.0, True), "seed must be an integer in [0, 2**64), got True"),
    ],
)
def test_sample_data_messages(args, message):
    with pytest.raises(ValueError) as info:
        fb.generate_sample_data(*args)
    assert str(info.value) == message


def test_sample_data_refuses_bars_an_extreme_start_price_breaks():
    with pytest.raises(ValueError, match=r"must be a finite number > 0, got inf"):
        fb.generate_sample_data("S", 50, 1.7e308, 1)


# --------------------------------------------------------------------------------------------
# Golden files (tests/golden/, written by make_golden.py independently of any engine)
# --------------------------------------------------------------------------------------------

_SPECIAL = {"NaN": NAN, "inf": INF, "-inf": -INF}


def _num(x):
    return _SPECIAL[x] if isinstance(x, str) and x in _SPECIAL else x


def _column(values):
    return [_num(v) for v in values]


def _load(name):
    path = GOLDEN / name
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    return json.loads(path.read_text())


def _golden(name):
    path = GOLDEN / name
    if not path.exists():
        return []
    return json.loads(path.read_text())


def _close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


@pytest.mark.parametrize("case", _golden("cases.json"), ids=lambda c: c["name"])
def test_golden_case(case):
    d = case["data"]
    p = case["params"]
    data = {k: _column(d[k]) for k in ("open", "high", "low", "close", "volume")}
    fb.validate_market_data(
        d["dates"], data["open"], data["high"], data["low"], data["close"], data["volume"]
    )
    r = fb.backtest(
        d["dates"],
        data["open"],
        data["close"],
        p["fast_period"],
        p["slow_period"],
        _num(p["initial_capital"]),
        _num(p["commission_rate"]),
        p["fill"],
        _num(p["lot_size"]),
        _num(p["periods_per_year"]),
    )
    expected = case["expected"]
    assert len(r["trades"]) == len(expected["trades"])
    for got, want in zip(r["trades"], expected["trades"]):
        for key in ("entry_index", "exit_index", "entry_date", "exit_date", "bars_held"):
            assert got[key] == want[key], key
        for key in ("entry_price", "exit_price", "size", "pnl", "return_pct"):
            # Money follows the CONVENTIONS operations in both: bit for bit.
            assert got[key] == want[key], (key, got[key], want[key])
    assert r["equity_curve"] == expected["equity_curve"]
    m = expected["metrics"]
    assert r["trade_count"] == m["trade_count"]
    for key in (
        "total_return",
        "annualized_return",
        "volatility",
        "sharpe_ratio",
        "sortino_ratio",
        "max_drawdown",
        "win_rate",
    ):
        # The golden metrics come from numpy (a different summation): 1e-12 relative.
        assert _close(r[key], _num(m[key])), (key, r[key], m[key])


@pytest.mark.parametrize("case", _golden("errors.json"), ids=lambda c: c["name"])
def test_golden_error(case):
    d = case["data"]
    columns = {k: _column(d[k]) for k in ("open", "high", "low", "close", "volume")}
    p = {k: _num(v) for k, v in case.get("params", {}).items()}
    with pytest.raises(ValueError) as info:
        fb.validate_market_data(
            d["dates"],
            columns["open"],
            columns["high"],
            columns["low"],
            columns["close"],
            columns["volume"],
        )
        if case["call"] == "backtest":
            fb.backtest(
                d["dates"],
                columns["open"],
                columns["close"],
                p["fast_period"],
                p["slow_period"],
                p["initial_capital"],
                p["commission_rate"],
                p["fill"],
                p["lot_size"],
                p["periods_per_year"],
            )
        elif case["call"] == "grid":
            fb.grid(
                d["dates"],
                columns["open"],
                columns["close"],
                p["fast_periods"],
                p["slow_periods"],
                p["initial_capital"],
                p["commission_rate"],
                p["fill"],
                p["lot_size"],
                p["periods_per_year"],
                max_workers=p["max_workers"],
            )
    if case["call"] != "market_data":
        # The data of backtest and grid cases is valid: the error came from the parameters.
        assert info.traceback[-1].name != "validate_market_data"
    assert str(info.value) == case["error"]


def test_golden_files_present():
    assert _load("cases.json") and _load("errors.json")
