"""The seed API (SPEC part 2, CONVENTIONS "Parameters"): ``validate_params``,
``validate_grid``, ``backtest``, ``grid`` and ``sma``, with their signatures, messages and
answers unchanged, now running on the strategy engine as the strategy ``sma_cross``:
entry ``{"crosses_above": [sma(fast), sma(slow)]}``, exit ``{"crosses_below": ...}``, long
only, all cash in, no fixed fee, no slippage, no stops. CONVENTIONS shows that this gives the
seed's trades and metrics bit for bit (``q = (cash * 1.0 - 0.0) / (p * k)`` is
``cash / (p * k)``; a crossing needs both SMAs defined at ``t - 1``, so ``t >= slow``).

Codes: a seed period or setting ``invalid_parameter``; a grid's lists and pairs
``invalid_grid``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from .._errors import BacktestError
from . import indicators
from .execution import simulate
from .floats import format_float
from .names import _as_int, _as_number
from .settings import Settings
from .signals import SeriesCache, strategy_signals
from .strategy import Indicator, Price, bind_params, parse_strategy


def sma_cross(fast: Any, slow: Any) -> dict:
    """The preset ``sma_cross`` as a strategy tree (``fast``/``slow``: ints or placeholders)."""
    pair = [{"indicator": "sma", "period": fast}, {"indicator": "sma", "period": slow}]
    return {"entry": {"crosses_above": pair}, "exit": {"crosses_below": pair}}


def _validate_settings(initial_capital, commission_rate, lot_size, periods_per_year, fill):
    """The shared settings, in CONVENTIONS order; returns them as floats (and ``fill``)."""
    c = _as_number("initial_capital", initial_capital)
    if not (math.isfinite(c) and c > 0.0):
        raise BacktestError(f"initial_capital must be a finite number > 0, got {format_float(c)}")
    r = _as_number("commission_rate", commission_rate)
    if not 0.0 <= r < 1.0:  # NaN fails both comparisons
        raise BacktestError(f"commission_rate must be in [0, 1), got {format_float(r)}")
    lot = _as_number("lot_size", lot_size)
    if not (math.isfinite(lot) and lot >= 0.0):
        raise BacktestError(f"lot_size must be a finite number >= 0, got {format_float(lot)}")
    p = _as_number("periods_per_year", periods_per_year)
    if not (math.isfinite(p) and p > 0.0):
        raise BacktestError(f"periods_per_year must be a finite number > 0, got {format_float(p)}")
    if fill not in ("next_open", "close") or not isinstance(fill, str):
        raise BacktestError(f"fill must be 'next_open' or 'close', got '{fill}'")
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
        raise BacktestError(f"fast_period must be >= 1, got {fast}")
    slow = _as_int("slow_period", slow_period)
    if fast >= slow:
        raise BacktestError(f"fast_period ({fast}) must be less than slow_period ({slow})")
    if slow > n_bars:
        raise BacktestError(f"slow_period ({slow}) exceeds the number of bars ({n_bars})")
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
        raise BacktestError("fast_periods is empty", "invalid_grid")
    if not slow_list:
        raise BacktestError("slow_periods is empty", "invalid_grid")
    checked: dict[str, list[int]] = {}
    for name, values in (("fast_periods", fast_list), ("slow_periods", slow_list)):
        out = []
        for i, raw in enumerate(values):
            label = f"{name}[{i}]"
            try:
                value = _as_int(label, raw)
            except BacktestError as e:
                raise BacktestError(str(e), "invalid_grid") from None
            if value < 1:
                raise BacktestError(f"{label} must be >= 1, got {value}", "invalid_grid")
            if value > n_bars:
                raise BacktestError(
                    f"{label} ({value}) exceeds the number of bars ({n_bars})", "invalid_grid"
                )
            out.append(value)
        checked[name] = out
    _validate_settings(initial_capital, commission_rate, lot_size, periods_per_year, fill)
    pairs = [(f, s) for f in checked["fast_periods"] for s in checked["slow_periods"] if f < s]
    if not pairs:
        raise BacktestError("the grid has no pair with fast_period < slow_period", "invalid_grid")
    if max_workers is not None:
        workers = _as_int("max_workers", max_workers)
        if workers < 1:
            raise BacktestError(f"max_workers must be >= 1, got {workers}")
    return pairs


def sma(close, period: int) -> list[float]:
    """The simple moving average of ``close`` over ``period`` bars; NaN before ``period - 1``
    (the seed's function: the period checked, then ``indicators.sma``)."""
    p = _as_int("period", period)
    if p < 1:
        raise BacktestError(f"period must be >= 1, got {p}")
    return indicators.sma([float(v) for v in close], p)


def _seed_settings(initial_capital, commission_rate, fill, lot_size, periods_per_year) -> Settings:
    return Settings(
        initial_capital=float(initial_capital),
        commission_rate=float(commission_rate),
        fill=fill,
        lot_size=float(lot_size),
        periods_per_year=float(periods_per_year),
    )


def _sma_node(period: int) -> Indicator:
    return Indicator("sma", (("period", period),), Price("close"), None, "")


def _run(cache, dates, fast, slow, settings, keep_details) -> dict:
    """One sma_cross run on ``cache``, as the seed's result dict."""
    sides = bind_params(parse_strategy(sma_cross(fast, slow)), {})
    signals = strategy_signals(sides, cache, "long_only")
    account, equity = simulate(cache.columns, signals, settings, dates if keep_details else None)
    out = account.metrics.seed_table()
    # The seed's trades have no direction and exit reason (always long, always a signal).
    out["trades"] = [
        {k: v for k, v in trade.items() if k not in ("direction", "exit_reason")}
        for trade in account.trades
    ]
    out["equity_curve"] = equity
    return out


def _seed_cache(opens, closes) -> SeriesCache:
    # The seed passes no high, low or volume; sma_cross without stops never reads them.
    return SeriesCache(
        {"open": opens, "high": closes, "low": closes, "close": closes, "volume": closes}
    )


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
    validate_params(
        len(close),
        fast_period,
        slow_period,
        initial_capital,
        commission_rate,
        lot_size,
        periods_per_year,
        fill,
    )
    fast = operator.index(fast_period)
    slow = operator.index(slow_period)
    settings = _seed_settings(initial_capital, commission_rate, fill, lot_size, periods_per_year)
    cache = _seed_cache(list(open), list(close))
    if fast_sma is not None:
        cache.put(_sma_node(fast), list(fast_sma))
    if slow_sma is not None:
        cache.put(_sma_node(slow), list(slow_sma))
    return _run(cache, list(dates), fast, slow, settings, keep_details)


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

    Sequential (``max_workers`` is validated, then ignored); one series cache serves every
    pair, so each distinct period's SMA is computed once.
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
    settings = _seed_settings(initial_capital, commission_rate, fill, lot_size, periods_per_year)
    cache = _seed_cache(list(open), list(close))
    day_list = list(dates)
    return [(f, s, _run(cache, day_list, f, s, settings, keep_details)) for f, s in pairs]
