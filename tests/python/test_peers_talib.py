"""Every indicator against TA-Lib (the ``ta-lib`` package, pinned ``ta-lib==0.8.2`` in
requirements-dev.txt, which bundles the TA-Lib C library 0.8.1).

On backtesting.py's GOOG (close, volume, and high/low/close for ATR), on two seeded sample
series of 3,000 bars, and on GOOG scaled by 1e-7 (a coin quoted in tiny units): NaN exactly
where TA-Lib has NaN, and 1e-9 relative everywhere after (``|ours - talib| <= 1e-9 * |talib|``).
``talib.stream`` functions (the latest value of an array) equal our streaming classes after as
many updates, to the same tolerance.

What is bit for bit and what is not (checked on x86-64, TA-Lib 0.8.1):

* ``rsi`` and ``stddev`` use TA-Lib 0.8's own arithmetic (RSI scaled by ``1 / period`` with an
  exact zero test; the cancellation-free shifted variance with re-anchoring) and agree bit for
  bit; ``roc``, ``highest``, ``lowest`` too.
* ``sma`` is our compensated rolling mean (TA-Lib: a plain running sum), ``wma`` the direct
  weighted sum (TA-Lib: running sums), so they differ in the last bits; ``bbands``' middle band
  is our ``sma``. TA-Lib picks FMA kernels for EMA, MACD, BBANDS and ATR at run time on CPUs
  that have FMA, so those differ from any non-fused arithmetic in the last bit now and then.
* The largest relative difference in these tests is about 3e-10, on MACD values near zero (a
  difference of two EMAs near 17 that are each within an ulp of TA-Lib's).

TA-Lib refuses period 1 for RSI, STDDEV, BBANDS, MAX and MIN (we allow it), so the periods
here start at 2.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import talib
from talib import stream as talib_stream

from quant_backtest import generate_sample_data
from quant_backtest import indicators as ta

TOLERANCE = 1e-9
PERIODS = (2, 5, 14, 20, 30, 100)
MACD_PARAMS = ((12, 26, 9), (2, 3, 1), (5, 35, 5), (3, 10, 2))


def load_goog(scale: float = 1.0) -> dict[str, np.ndarray]:
    from backtesting.test import GOOG

    return {
        "close": GOOG.Close.to_numpy(float) * scale,
        "high": GOOG.High.to_numpy(float) * scale,
        "low": GOOG.Low.to_numpy(float) * scale,
        "volume": GOOG.Volume.to_numpy(float),
    }


def load_sample(seed: int) -> dict[str, np.ndarray]:
    data = generate_sample_data("S", 3000, 100.0, seed)
    return {
        k: np.asarray(getattr(data, k), dtype=float) for k in ("close", "high", "low", "volume")
    }


DATASETS: dict[str, Callable[[], dict[str, np.ndarray]]] = {
    "goog": load_goog,
    "sample-1": lambda: load_sample(1),
    "sample-2": lambda: load_sample(2),
    "goog-tiny": lambda: load_goog(1e-7),
}


@pytest.fixture(params=sorted(DATASETS), scope="module")
def market(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    return DATASETS[request.param]()


def worst_relative(ours: Any, theirs: Any, what: str) -> float:
    """Checks the NaN positions and returns the largest relative difference after them."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, what
    nan_ours, nan_theirs = np.isnan(ours), np.isnan(theirs)
    assert np.array_equal(nan_ours, nan_theirs), (
        f"{what}: NaN at different places (ours first valid "
        f"{int(np.argmin(nan_ours))}, TA-Lib's {int(np.argmin(nan_theirs))})"
    )
    valid = ~nan_theirs
    assert valid.any(), f"{what}: nothing to compare"
    a, b = ours[valid], theirs[valid]
    diff = np.abs(a - b)
    scale = np.abs(b)
    exact_zero = scale == 0.0
    assert np.all(diff[exact_zero] == 0.0), f"{what}: TA-Lib has 0 where we do not"
    rel = np.where(exact_zero, 0.0, diff / np.where(exact_zero, 1.0, scale))
    return float(rel.max())


def check(ours: Any, theirs: Any, what: str) -> None:
    worst = worst_relative(ours, theirs, what)
    assert worst <= TOLERANCE, f"{what}: worst relative difference {worst:.3e}"


# -- batch -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["close", "volume"])
def test_one_input_indicators(backend: str, market: dict, source: str) -> None:
    x = market[source]
    for p in PERIODS:
        check(ta.sma(x, p), talib.SMA(x, p), f"sma {p}")
        check(ta.ema(x, p), talib.EMA(x, p), f"ema {p}")
        check(ta.wma(x, p), talib.WMA(x, p), f"wma {p}")
        check(ta.rsi(x, p), talib.RSI(x, p), f"rsi {p}")
        check(ta.stddev(x, p), talib.STDDEV(x, p), f"stddev {p}")
        check(ta.roc(x, p), talib.ROC(x, p), f"roc {p}")
        check(ta.highest(x, p), talib.MAX(x, p), f"highest {p}")
        check(ta.lowest(x, p), talib.MIN(x, p), f"lowest {p}")
    check(ta.roc(x, 1), talib.ROC(x, 1), "roc 1")
    check(ta.sma(x, 1), talib.SMA(x, 1), "sma 1")


@pytest.mark.parametrize("source", ["close", "volume"])
def test_bbands(backend: str, market: dict, source: str) -> None:
    x = market[source]
    for p in PERIODS:
        for k in (2.0, 1.5, 0.0):
            ours = ta.bbands(x, p, k)
            theirs = talib.BBANDS(x, p, k, k)
            for o, t, band in zip(ours, theirs, ("upper", "middle", "lower")):
                check(o, t, f"bbands {p} {k} {band}")


@pytest.mark.parametrize("source", ["close", "volume"])
def test_macd(backend: str, market: dict, source: str) -> None:
    x = market[source]
    for fast, slow, signal in MACD_PARAMS:
        ours = ta.macd(x, fast, slow, signal)
        theirs = talib.MACD(x, fast, slow, signal)
        for o, t, line in zip(ours, theirs, ("macd", "signal", "hist")):
            check(o, t, f"macd {fast}/{slow}/{signal} {line}")


def test_atr(backend: str, market: dict) -> None:
    h, lo, c = market["high"], market["low"], market["close"]
    for p in (1,) + PERIODS:
        check(ta.atr(h, lo, c, p), talib.ATR(h, lo, c, p), f"atr {p}")


def test_defaults(backend: str, market: dict) -> None:
    """Our defaults are TA-Lib's: RSI 14, MACD 12/26/9, BBANDS 20/2/2, ATR 14, ROC 10."""
    x, h, lo = market["close"], market["high"], market["low"]
    check(ta.rsi(x), talib.RSI(x), "rsi default")
    for o, t in zip(ta.macd(x), talib.MACD(x)):
        check(o, t, "macd default")
    for o, t in zip(ta.bbands(x), talib.BBANDS(x)):
        check(o, t, "bbands default")
    check(ta.atr(h, lo, x), talib.ATR(h, lo, x), "atr default")
    check(ta.roc(x), talib.ROC(x), "roc default")


def test_bit_for_bit_where_the_arithmetic_is_talib_s(backend: str, market: dict) -> None:
    """RSI and STDDEV do TA-Lib 0.8.1's operations (neither is an FMA kernel there)."""
    x = market["close"]
    for p in PERIODS:
        for ours, theirs in (
            (ta.rsi(x, p), talib.RSI(x, p)),
            (ta.stddev(x, p), talib.STDDEV(x, p)),
        ):
            valid = ~np.isnan(theirs)
            assert np.array_equal(np.asarray(ours)[valid], theirs[valid]), p


def test_tiny_units_keep_their_values() -> None:
    """Why RSI and STDDEV follow TA-Lib 0.8 rather than the older fixed cut-offs (a total
    under 1e-8 gave RSI 0; a variance under 1e-8 gave 0): on a coin quoted around 1e-5, the
    old rules would flatten both indicators; TA-Lib 0.8 and we keep them."""
    x = load_goog(1e-7)["close"]
    r = ta.rsi(x, 14)
    s = ta.stddev(x, 20)
    assert np.nanmin(s) > 0.0 and np.nanmax(s) < 1e-4
    assert 5.0 < np.nanmean(r) < 95.0 and np.count_nonzero(np.asarray(r)[14:] == 0.0) == 0


# -- streaming -------------------------------------------------------------------------------

# (name, our state, TA-Lib's stream class, its params, inputs, first valid index)
STREAM_CASES = [
    ("SMA", lambda: ta.SMA(20), talib_stream.SMA, (20,), ("close",), 19),
    ("EMA", lambda: ta.EMA(12), talib_stream.EMA, (12,), ("close",), 11),
    ("WMA", lambda: ta.WMA(10), talib_stream.WMA, (10,), ("close",), 9),
    ("RSI", lambda: ta.RSI(14), talib_stream.RSI, (14,), ("close",), 14),
    ("STDDEV", lambda: ta.STDDEV(5), talib_stream.STDDEV, (5,), ("close",), 4),
    ("ROC", lambda: ta.ROC(10), talib_stream.ROC, (10,), ("close",), 10),
    ("HIGHEST", lambda: ta.HIGHEST(20), talib_stream.MAX, (20,), ("close",), 19),
    ("LOWEST", lambda: ta.LOWEST(20), talib_stream.MIN, (20,), ("close",), 19),
    ("MACD", lambda: ta.MACD(), talib_stream.MACD, (12, 26, 9), ("close",), 33),
    ("BBANDS", lambda: ta.BBANDS(20, 2.0), talib_stream.BBANDS, (20, 2.0, 2.0), ("close",), 19),
    ("ATR", lambda: ta.ATR(14), talib_stream.ATR, (14,), ("high", "low", "close"), 14),
]


def close_enough(ours: Any, theirs: Any) -> bool:
    for o, t in zip(np.ravel([ours]), np.ravel([theirs])):
        if math.isnan(t):
            if not math.isnan(o):
                return False
        elif not abs(o - t) <= TOLERANCE * abs(t):
            return False
    return True


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "params", "columns", "first"),
    STREAM_CASES,
    ids=[c[0] for c in STREAM_CASES],
)
def test_talib_stream(
    market: dict,
    name: str,
    ours: Callable,
    theirs: Any,
    params: tuple,
    columns: tuple,
    first: int,
) -> None:
    """TA-Lib's stream opened on the first bars, then updated bar by bar, against our state
    updated from the first bar: the same value at every bar. TA-Lib refuses to open on fewer
    bars than our first valid index + 1, where our state is still NaN."""
    inputs = [market[c] for c in columns]
    n = len(inputs[0])
    state = ours()
    mine = [state.update(*(float(col[t]) for col in inputs)) for t in range(n)]
    assert all(math.isnan(v) for v in np.ravel(mine[:first]))
    with pytest.raises(Exception) as info:
        theirs(*(col[:first] for col in inputs), *params)
    assert type(info.value).__name__ == "InsufficientHistory"
    for start in (first + 1, 250):
        stream = theirs(*(col[:start] for col in inputs), *params)
        assert close_enough(mine[start - 1], stream.value), f"{name} opened on {start} bars"
        for t in range(start, n):
            value = stream.update(*(float(col[t]) for col in inputs))
            assert close_enough(mine[t], value), f"{name} at bar {t}: {mine[t]!r} vs {value!r}"
