"""The pure-Python engine: the readable mirror of the Rust core, module for module.

It performs the same IEEE-754 double operations in the same order as ``docs/CONVENTIONS.md``
prescribes, so for the same input it gives the same trades and, bit for bit, the same metrics
(the only possible exception is ``pow`` in ``annualized_return``, where two platforms' libm
may differ by one ulp). Standard library only (no numpy, no pandas), so it also runs under
Pyodide. Every refusal is a ``BacktestError`` (a ``ValueError``) with the Rust core's message
and ``code``.

Layers, as in ``src/``:

* ``floats``: Rust's ``f64`` semantics where Python's differ (``format_float``, ``_div``, ...)
* ``dates``, ``data``, ``sample``: market data (dates, validation, sample bars)
* ``names``: how values and names appear in messages ("did you mean")
* ``settings``: the execution settings table
* ``strategy``: checking a strategy tree; binding its params
* ``indicators``: the indicators (batch functions)
* ``signals``: a bound tree to per-bar booleans, indicators cached by key
* ``execution``: the per-bar step (pending order, stops, signals, equity)
* ``metrics``: the metric table, as an accumulator
* ``api``: ``run_backtest`` and ``run_signals``; ``sweep``: ``sweep``; ``walk``: ``walk_forward``
* ``seed``: the seed API (``backtest``, ``grid``, ...), on top of the strategy engine
"""

from __future__ import annotations

from .api import run_backtest, run_signals
from .data import _cell, validate_market_data
from .dates import business_days, civil_from_days, days_from_civil, parse_instant
from .floats import _div, _floor, _pow, fmin, format_float
from .metrics import INT_METRICS, METRIC_NAMES, SEED_METRIC_NAMES, Metrics, _metrics
from .names import _as_int, _as_number, describe, describe_value, nearest
from .names import describe as _describe
from .portfolio import run_portfolio, sweep_portfolio
from .sample import (
    MAX_SAMPLE_DAYS,
    SplitMix64,
    generate_sample_data,
    generate_sample_universe,
    sample_symbols,
)
from .seed import backtest, grid, sma, sma_cross, validate_grid, validate_params
from .settings import DEFAULTS, SETTING_NAMES, Settings
from .strategy import INDICATORS, Strategy, parse_strategy, strategy_params
from .sweep import sweep
from .walk import walk_forward, walk_forward_portfolio

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
    "MAX_SAMPLE_DAYS",
    # the strategy engine
    "run_backtest",
    "run_signals",
    "sweep",
    "walk_forward",
    "walk_forward_portfolio",
    # portfolios
    "run_portfolio",
    "sweep_portfolio",
    "generate_sample_universe",
    "sample_symbols",
    "parse_strategy",
    "strategy_params",
    "sma_cross",
    "Strategy",
    "Settings",
    "DEFAULTS",
    "SETTING_NAMES",
    "METRIC_NAMES",
    "INT_METRICS",
    "SEED_METRIC_NAMES",
    "INDICATORS",
    "Metrics",
    "describe",
    "describe_value",
    "nearest",
    "fmin",
]

# Private names callers use (``_engine.py``, ``_wasm_bridge.py``, the tests).
_PRIVATE = (_as_int, _as_number, _cell, _describe, _div, _floor, _metrics, _pow)
