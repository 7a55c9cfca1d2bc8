"""Sample data (CONVENTIONS.md, "Sample data"): SplitMix64 bars, bit-identical to
``src/data/sample.rs`` for the same seed."""

from __future__ import annotations

import math
import operator
import random
from typing import Any, Sequence

from .._errors import BacktestError
from .data import validate_market_data
from .dates import business_days, days_from_civil
from .floats import _floor, format_float
from .names import _as_int, _as_number, describe

# The most bars generate_sample_data makes (src/data/sample.rs: MAX_SAMPLE_DAYS).
MAX_SAMPLE_DAYS = 10_000_000
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
        raise BacktestError(f"days must be >= 1, got {n}")
    if n > MAX_SAMPLE_DAYS:
        raise BacktestError(f"days must be <= {MAX_SAMPLE_DAYS}, got {n}")
    price = _as_number("start_price", start_price)
    if not (math.isfinite(price) and price > 0.0):
        raise BacktestError(f"start_price must be a finite number > 0, got {format_float(price)}")
    if seed is None:
        seed = random.SystemRandom().getrandbits(64)
    elif isinstance(seed, (bool, float)) or not hasattr(seed, "__index__"):
        raise BacktestError(f"seed must be an integer in [0, 2**64), got {describe(seed)}")
    seed = operator.index(seed)
    if not 0 <= seed < 1 << 64:
        raise BacktestError(f"seed must be an integer in [0, 2**64), got {seed}")

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


MAX_SAMPLE_ASSETS = 10_000


def sample_symbols(count: Any) -> list[str]:
    """``count`` sample symbols ``S01``, ``S02``, ... (two digits at least)."""
    n = _as_int("symbols", count)
    if n < 1:
        raise BacktestError(f"symbols must be >= 1, got {n}")
    if n > MAX_SAMPLE_ASSETS:
        raise BacktestError(f"symbols must be <= {MAX_SAMPLE_ASSETS}, got {n}")
    width = max(len(str(n)), 2)
    return [f"S{k:0{width}d}" for k in range(1, n + 1)]


def generate_sample_universe(symbols: Sequence[str], days: int, seed: int) -> list[dict]:
    """The core's sample universe, bit for bit: one asset per symbol over ``days`` business
    days from 2020-01-01; the first starts on the first day, each other on a day drawn from the
    first third. Per asset, from SplitMix64(``seed``): the start, the start price, the seed of
    its bars."""
    n = _as_int("days", days)
    if n < 1:
        raise BacktestError(f"days must be >= 1, got {n}")
    if n > MAX_SAMPLE_DAYS:
        raise BacktestError(f"days must be <= {MAX_SAMPLE_DAYS}, got {n}")
    calendar = business_days(days_from_civil(2020, 1, 1), n)
    rng = SplitMix64(seed)
    assets = []
    for k, symbol in enumerate(symbols):
        start_draw, price_draw, bars_seed = rng.uniform(), rng.uniform(), rng.next_u64()
        offset = 0 if k == 0 else int(_floor(start_draw * float(n // 3)))
        start_price = 20.0 + _floor(price_draw * 180.0)
        bars = generate_sample_data(symbol, n - offset, start_price, bars_seed)
        bars["dates"] = calendar[offset:]
        assets.append(bars)
    return assets
