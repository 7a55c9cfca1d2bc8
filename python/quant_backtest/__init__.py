"""quant_backtest: a fast backtest engine for trading strategies.

A Rust core (the ``quant_backtest._native`` module) with a pure-Python fallback that gives the
same answers. Start with::

    from quant_backtest import RustEngine, generate_sample_data
    data = generate_sample_data("DEMO", days=500, seed=42)
    result = RustEngine().run_sma_backtest(data, 10, 30)

Strategies are values (``from quant_backtest import strategy as qs``)::

    engine = RustEngine()
    result = engine.run_backtest(data, qs.sma(10).crosses_above(qs.sma(30)) ...)
"""

from . import indicators, strategy
from ._backend import ENV_VAR as BACKEND_ENV_VAR
from ._data import MarketData
from ._engine import (
    CachedRustEngine,
    RustEngine,
    __version__,
    benchmark_engine,
    create_engine,
    generate_sample_data,
    run_sma_backtest,
    rust_engine_context,
)
from ._errors import BacktestError
from ._portfolio_result import AssetSummary, PortfolioResult, PortfolioTrade
from ._result import BacktestResult, Trade
from ._walk_result import WalkForwardResult, WalkWindow
from .live import Bar, Event, LivePortfolioRun, LiveRun, Position
from .universe import Universe, generate_sample_universe

__all__ = [
    "AssetSummary",
    "Bar",
    "Event",
    "LivePortfolioRun",
    "LiveRun",
    "Position",
    "PortfolioResult",
    "WalkForwardResult",
    "WalkWindow",
    "PortfolioTrade",
    "Universe",
    "generate_sample_universe",
    "BACKEND_ENV_VAR",
    "BacktestError",
    "BacktestResult",
    "CachedRustEngine",
    "MarketData",
    "RustEngine",
    "Trade",
    "__version__",
    "benchmark_engine",
    "create_engine",
    "generate_sample_data",
    "indicators",
    "run_sma_backtest",
    "rust_engine_context",
    "strategy",
]
