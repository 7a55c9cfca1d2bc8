"""``RustEngine`` and friends: one API over the native Rust engine and the pure-Python one."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence, Union

from . import _backend, _fallback
from ._data import MarketData, as_market_data
from ._errors import BacktestError
from ._fallback.api import _check_signal
from ._fallback.metrics import INT_METRICS
from ._fallback.names import describe_value as _describe
from ._fallback.portfolio import STRATEGY_KEYS
from ._fallback.sweep import plan as _fallback_sweep_plan
from ._plottable import remember
from ._portfolio_result import PortfolioResult
from ._result import METRIC_NAMES, SEED_METRIC_NAMES, BacktestResult
from ._walk_result import WalkForwardResult
from .live import LivePortfolioRun, LiveRun
from .universe import Universe, as_universe

__version__ = "0.1.0"

DataLike = Union[MarketData, Any]  # MarketData, a pandas DataFrame, or a dict of columns
StrategyLike = Any  # a quant_backtest.strategy.Strategy, its dict, or its JSON text
UniverseLike = Union[Universe, Sequence[Any], dict]  # a Universe, or what Universe() takes

try:
    import numpy as _np
except ImportError:
    _np = None


def _integer(name: str, value: Any) -> int:
    try:
        return _fallback._as_int(name, value)
    except ValueError as e:
        raise BacktestError(str(e)) from None


def _number(name: str, value: Any) -> float:
    try:
        return _fallback._as_number(name, value)
    except ValueError as e:
        raise BacktestError(str(e)) from None


def _periods(name: str, values: Any) -> list[int]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise BacktestError(f"{name} must be a sequence of integers, got {values!r}")
    return [_integer(f"{name}[{i}]", v) for i, v in enumerate(values)]


def _fill(value: Any) -> str:
    if not isinstance(value, str):
        raise BacktestError(f"fill must be 'next_open' or 'close', got {value!r}")
    return value


@dataclass(frozen=True)
class _SweepRequest:
    """A sweep's inputs as plain values: the bars (``MarketData`` or ``Universe``), the
    strategy tree, params, settings, the constraint tree and, when a callable constraint
    filtered the combinations (or a caller split them into chunks), the explicit rows."""

    data: Any
    tree: Any
    params: Any
    settings: dict
    constraint: Any
    names: Optional[list[str]] = None
    rows: Optional[list[list]] = None


class _Settings:
    """The keyword settings of a run, checked for type (the engines check the values)."""

    __slots__ = ("initial_capital", "commission_rate", "fill", "lot_size", "periods_per_year")

    def __init__(
        self,
        initial_capital: Any,
        commission_rate: Any,
        fill: Any,
        lot_size: Any,
        periods_per_year: Any,
    ) -> None:
        self.initial_capital = _number("initial_capital", initial_capital)
        self.commission_rate = _number("commission_rate", commission_rate)
        self.fill = _fill(fill)
        self.lot_size = _number("lot_size", lot_size)
        self.periods_per_year = _number("periods_per_year", periods_per_year)

    def native_args(self) -> tuple:
        return (
            self.initial_capital,
            self.commission_rate,
            self.fill,
            self.lot_size,
            self.periods_per_year,
        )

    def fallback_args(self) -> tuple:
        """In the order of the pure-Python engine's seed checks."""
        return (
            self.initial_capital,
            self.commission_rate,
            self.lot_size,
            self.periods_per_year,
            self.fill,
        )

    def key(self) -> tuple:
        return self.native_args()


_I64 = 2**63


def _fits_engine(*values: int) -> bool:
    """Whether every integer fits the compiled engine's 64 bits (a larger period can never
    be valid: no data has that many bars)."""
    return all(-_I64 <= v < _I64 for v in values)


def _workers(max_workers: Any) -> Optional[int]:
    """``max_workers`` as an int (the engines refuse < 1 and cap a huge one at the work and
    the cores), kept within 64 bits."""
    if max_workers is None:
        return None
    workers = _integer("max_workers", max_workers)
    return min(workers, _I64 - 1)


def _call_fallback(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except BacktestError:
        raise
    except ValueError as e:  # the fallback's refusals carry the shared messages
        raise BacktestError(str(e)) from None


class RustEngine:
    """The SMA-crossover backtest engine.

    ``use_rust=True`` runs the native Rust engine when it is installed (a warning, once, and the
    pure-Python engine when it is not); under Pyodide it runs the wasm build of the same engine,
    shipped in the wheel. ``use_rust=False`` or ``QUANT_BACKTEST_BACKEND=python`` forces the
    pure-Python engine. All give the same trades and metrics. Every native call releases the
    GIL, so threads and asyncio run side by side. ``close()`` (or a ``with`` block) releases the
    worker pools the engine made.
    """

    def __init__(self, use_rust: bool = True) -> None:
        self._use_native = _backend.use_native(use_rust)
        module = _backend.engine_module() if self._use_native else None
        self._module = module
        self._native = module.Engine() if module is not None else None
        self._backend = _backend.engine_name() if self._native is not None else "python"

    # -- introspection ------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """``"rust"``, ``"wasm"`` (Pyodide) or ``"python"``: what this engine runs on."""
        return self._backend

    @staticmethod
    def is_rust_available() -> bool:
        """Whether the compiled Rust engine is installed and can run (the native module, or
        under Pyodide the wasm build)."""
        return _backend.is_engine_available()

    def get_engine_info(self, max_workers: Optional[int] = None) -> dict[str, Any]:
        """Backend, version, and the threads a grid with ``max_workers`` would use."""
        native = _backend.native_module()
        wasm = _backend.wasm_module()
        if self._native is not None:
            workers = _workers(max_workers)
            threads = self._native.threads(workers) if workers is None or workers >= 1 else 1
        else:
            threads = 1
        module = _backend.engine_module()
        return {
            "backend": self.backend,
            "version": __version__,
            "native_version": getattr(native, "__version__", None),
            "native_available": native is not None,
            "wasm_version": getattr(wasm, "__version__", None),
            "wasm_available": wasm is not None,
            "parallel": bool(self._native is not None and getattr(module, "PARALLEL", False)),
            "threads": threads,
            "requested_by_env": _backend.requested(),
        }

    # -- validation ---------------------------------------------------------------------

    def validate_data(self, data: DataLike) -> bool:
        """True when ``data`` is valid market data, False otherwise (construct ``MarketData``
        to get the message that says what is wrong)."""
        try:
            md = as_market_data(data)
            if self._native is not None:
                md.native_handle()
            else:
                lists = md.as_lists()
                _call_fallback(
                    _fallback.validate_market_data,
                    lists["dates"],
                    lists["open"],
                    lists["high"],
                    lists["low"],
                    lists["close"],
                    lists["volume"],
                )
        except (ValueError, TypeError):
            return False
        return True

    # -- single backtests ---------------------------------------------------------------

    def run_sma_backtest(
        self,
        data: DataLike,
        fast_period: int,
        slow_period: int,
        initial_capital: float = 100_000.0,
        commission_rate: float = 0.001,
        *,
        fill: str = "next_open",
        lot_size: float = 0,
        periods_per_year: float = 252,
    ) -> BacktestResult:
        """One SMA-crossover backtest, long only (see the README's conventions)."""
        md = as_market_data(data)
        fast = _integer("fast_period", fast_period)
        slow = _integer("slow_period", slow_period)
        s = _Settings(initial_capital, commission_rate, fill, lot_size, periods_per_year)
        return remember(self._run_one(md, fast, slow, s), md)

    def _run_one(self, md: MarketData, fast: int, slow: int, s: _Settings) -> BacktestResult:
        if self._native is not None:
            if not _fits_engine(fast, slow):
                # Never a valid run: the mirror's checks name the value as given.
                _call_fallback(_fallback.validate_params, len(md), fast, slow, *s.fallback_args())
            item = self._native.backtest(md.native_handle(), fast, slow, s.native_args())
            return BacktestResult._from_native(item, self.backend)
        lists = md.as_lists()
        start = time.perf_counter()
        out = _call_fallback(
            _fallback.backtest,
            lists["dates"],
            lists["open"],
            lists["close"],
            fast,
            slow,
            s.initial_capital,
            s.commission_rate,
            s.fill,
            s.lot_size,
            s.periods_per_year,
        )
        ms = (time.perf_counter() - start) * 1000.0
        return BacktestResult._from_fallback(fast, slow, out, ms)

    async def run_sma_backtest_async(
        self, data: DataLike, fast_period: int, slow_period: int, *args: Any, **kwargs: Any
    ) -> BacktestResult:
        """``run_sma_backtest`` in the event loop's default executor: the native engine
        releases the GIL, so other tasks and threads keep running."""
        loop = asyncio.get_running_loop()
        call = functools.partial(
            self.run_sma_backtest, data, fast_period, slow_period, *args, **kwargs
        )
        return await loop.run_in_executor(None, call)

    # -- grids --------------------------------------------------------------------------

    def run_multiple_backtests(
        self,
        data: DataLike,
        fast_periods: Sequence[int],
        slow_periods: Sequence[int],
        max_workers: Optional[int] = None,
        initial_capital: float = 100_000.0,
        commission_rate: float = 0.001,
        *,
        fill: str = "next_open",
        lot_size: float = 0,
        periods_per_year: float = 252,
        include_details: bool = False,
    ) -> list[tuple[int, int, BacktestResult]]:
        """Every ``(fast, slow)`` pair with ``fast < slow``, fast outer and slow inner, as
        ``[(fast, slow, BacktestResult), ...]``. Each distinct SMA period is computed once;
        pairs run on ``max_workers`` threads (default: every core; 1: the calling thread).

        With ``include_details=False`` (the default) the results carry every metric but no
        trades and no equity curve, so memory stays O(bars + pairs); ``True`` keeps both."""
        md, fasts, slows, s, workers = self._grid_args(
            data,
            fast_periods,
            slow_periods,
            max_workers,
            initial_capital,
            commission_rate,
            fill,
            lot_size,
            periods_per_year,
        )
        if self._native is not None:
            items = self._native.grid(
                md.native_handle(), fasts, slows, s.native_args(), workers, bool(include_details)
            )
            if include_details:
                results = [BacktestResult._from_native(item, self.backend) for item in items]
            else:
                results = [
                    BacktestResult._from_metrics(f, sl, m, [], [], ms, self.backend)
                    for f, sl, m, ms in items
                ]
            return [(r.fast_period, r.slow_period, r) for r in results]
        start = time.perf_counter()
        rows = _fallback_grid(md, fasts, slows, s, workers, bool(include_details))
        ms = (time.perf_counter() - start) * 1000.0 / max(len(rows), 1)
        return [(f, sl, BacktestResult._from_fallback(f, sl, out, ms)) for f, sl, out in rows]

    def run_grid(
        self,
        data: DataLike,
        fast_periods: Sequence[int],
        slow_periods: Sequence[int],
        max_workers: Optional[int] = None,
        initial_capital: float = 100_000.0,
        commission_rate: float = 0.001,
        *,
        fill: str = "next_open",
        lot_size: float = 0,
        periods_per_year: float = 252,
        as_frame: Optional[bool] = None,
    ) -> Any:
        """A grid's metrics as columns, one row per pair in SPEC order, without a Python
        object per pair (for sweeps of 100,000 pairs and more). Columns: fast_period,
        slow_period, total_return, annualized_return, volatility, sharpe_ratio, sortino_ratio
        (NaN where undefined), max_drawdown, trade_count, win_rate.

        Returns a pandas DataFrame when pandas is installed (or ``as_frame=True``), else a
        dict of numpy arrays (lists without numpy)."""
        md, fasts, slows, s, workers = self._grid_args(
            data,
            fast_periods,
            slow_periods,
            max_workers,
            initial_capital,
            commission_rate,
            fill,
            lot_size,
            periods_per_year,
        )
        if self._native is not None:
            columns = self._native.grid_columns(
                md.native_handle(), fasts, slows, s.native_args(), workers
            )
        else:
            columns = _columns_from_rows(_fallback_grid(md, fasts, slows, s, workers, False))
        return _frame(columns, as_frame)

    def _grid_args(
        self,
        data: DataLike,
        fast_periods: Any,
        slow_periods: Any,
        max_workers: Any,
        initial_capital: Any,
        commission_rate: Any,
        fill: Any,
        lot_size: Any,
        periods_per_year: Any,
    ) -> tuple:
        md = as_market_data(data)
        fasts = _periods("fast_periods", fast_periods)
        slows = _periods("slow_periods", slow_periods)
        s = _Settings(initial_capital, commission_rate, fill, lot_size, periods_per_year)
        workers = _workers(max_workers)
        if self._native is not None and not _fits_engine(*fasts, *slows):
            # Never a valid grid: the mirror's checks name the value as given.
            _call_fallback(
                _fallback.validate_grid, len(md), fasts, slows, *s.fallback_args(), workers
            )
        return md, fasts, slows, s, workers

    # -- the strategy engine ------------------------------------------------------------

    def run_backtest(
        self,
        data: DataLike,
        strategy: StrategyLike,
        *,
        params: Optional[dict] = None,
        **settings: Any,
    ) -> BacktestResult:
        """One backtest of ``strategy`` (a ``quant_backtest.strategy.Strategy``, its dict or its
        JSON text) with its placeholders filled from ``params``; ``settings`` (SPEC part 8:
        ``initial_capital``, ``commission_rate``, ``fixed_fee``, ``slippage``, ``fill``,
        ``lot_size``, ``periods_per_year``, ``direction``, ``size``, ``size_type``,
        ``stop_loss``, ``take_profit``, ``trailing_stop``) override the strategy's own."""
        md = as_market_data(data)
        tree = _strategy_value(strategy)
        return remember(self._run_strategy(md, tree, _plain(settings), _plain(params)), md, tree)

    def _run_strategy(
        self, md: MarketData, tree: Any, settings: dict, params: Any
    ) -> BacktestResult:
        if self._native is not None:
            out = self._native.run_strategy(md.native_handle(), tree, settings, params)
            return BacktestResult._from_output(out, self.backend)
        start = time.perf_counter()
        out = _call_fallback(_fallback.run_backtest, md.as_lists(), tree, settings, params)
        out["execution_time_ms"] = (time.perf_counter() - start) * 1000.0
        return BacktestResult._from_output(out, self.backend)

    def live(
        self,
        strategy: StrategyLike,
        *,
        params: Optional[dict] = None,
        symbol: Optional[str] = None,
        symbols: Optional[Sequence[str]] = None,
        equity_curve: bool = True,
        **settings: Any,
    ) -> Union[LiveRun, LivePortfolioRun]:
        """A live run of ``strategy`` (with its placeholders filled from ``params`` and
        ``settings`` over its own, checked as ``run_backtest`` checks them) that takes one bar at
        a time: ``live.push(bar)``. ``symbol`` names the asset (a bar naming another is refused);
        ``equity_curve=False`` keeps no per-bar equity, so that the run's memory does not grow
        with the bars (its result then has an empty curve).

        With ``symbols=[...]`` it is a portfolio's (a ``LivePortfolioRun``, checked as
        ``run_portfolio`` checks it: ``strategy`` one for all or a dict per symbol, and
        ``max_positions``): ``live.push({symbol: bar or None, ...})`` takes one bar set per
        instant."""
        if not isinstance(equity_curve, bool):
            raise BacktestError(
                f"equity_curve must be true or false, got {_describe(equity_curve)}",
                "invalid_parameter",
            )
        if symbol is not None and not isinstance(symbol, str):
            raise BacktestError(
                f"symbol must be a string, got {_describe(symbol)}", "invalid_parameter"
            )
        if symbols is not None:
            if symbol is not None:
                raise BacktestError(
                    "give symbol (one asset) or symbols (a portfolio), not both",
                    "invalid_parameter",
                )
            return self._live_portfolio(strategy, params, symbols, equity_curve, settings)
        args = (_strategy_value(strategy), _plain(settings), _plain(params), symbol, equity_curve)
        if self._native is not None:
            handle = self._module.LiveRun(*args)
        else:
            from ._fallback.live import LiveBacktest

            handle = _call_fallback(LiveBacktest, *args)
        return LiveRun(handle, self.backend, symbol)

    def _live_portfolio(
        self, strategy: Any, params: Any, symbols: Any, equity_curve: bool, settings: dict
    ) -> LivePortfolioRun:
        if isinstance(symbols, (str, bytes)) or not hasattr(symbols, "__iter__"):
            raise BacktestError(
                f"symbols must be a list of strings, got {_describe(symbols)}", "invalid_parameter"
            )
        names = list(symbols)
        for i, s in enumerate(names):
            if not isinstance(s, str):
                raise BacktestError(
                    f"symbols[{i}] must be a string, got {_describe(s)}", "invalid_parameter"
                )
        tree = _portfolio_strategy(strategy)
        args = (tree, _plain(settings), _plain(params), names, equity_curve)
        if self._native is not None:
            handle = self._module.LivePortfolioRun(*args)
        else:
            from ._fallback.live_portfolio import LivePortfolioBacktest

            handle = _call_fallback(LivePortfolioBacktest, *args)
        return LivePortfolioRun(handle, self.backend)

    def live_from_json(self, text: str) -> Union[LiveRun, LivePortfolioRun]:
        """A live run resumed from ``live.to_json()``'s text (saved by any backend): all of it,
        or a ``BacktestError`` (code ``invalid_state``) saying why not. A portfolio's state
        gives a ``LivePortfolioRun``."""
        if not isinstance(text, str):
            raise BacktestError(
                f"a live state must be JSON text, got {_describe(text)}", "invalid_state"
            )
        if self._native is not None:
            handle = self._module.live_from_json(text)
        else:
            from ._fallback.live import live_from_json

            handle = _call_fallback(live_from_json, text)
        if hasattr(handle, "symbols"):
            return LivePortfolioRun(handle, self.backend)
        return LiveRun(handle, self.backend, json.loads(text)["request"]["symbol"])

    async def run_backtest_async(
        self, data: DataLike, strategy: StrategyLike, **kwargs: Any
    ) -> BacktestResult:
        """``run_backtest`` in the event loop's default executor (the native engine releases
        the GIL meanwhile)."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self.run_backtest, data, strategy, **kwargs)
        return await loop.run_in_executor(None, call)

    def run_signals(
        self,
        data: DataLike,
        entries: Any,
        exits: Any = None,
        short_entries: Any = None,
        short_exits: Any = None,
        **settings: Any,
    ) -> BacktestResult:
        """A backtest of signals computed elsewhere: boolean arrays (lists, numpy, pandas) with
        one value per bar; ``None`` means never. The same execution and result as
        ``run_backtest``."""
        md = as_market_data(data)
        n = len(md)
        arrays = {
            name: _bools(name, values, n)
            for name, values in (
                ("entries", entries),
                ("exits", exits),
                ("short_entries", short_entries),
                ("short_exits", short_exits),
            )
        }
        settings = _plain(settings)
        if self._native is not None:
            out = self._native.run_signals(md.native_handle(), *arrays.values(), settings)
        else:
            start = time.perf_counter()
            out = _call_fallback(_fallback.run_signals, md.as_lists(), arrays, settings)
            out["execution_time_ms"] = (time.perf_counter() - start) * 1000.0
        return remember(BacktestResult._from_output(out, self.backend), md)

    def run_portfolio(
        self,
        universe: UniverseLike,
        strategy: Any,
        *,
        params: Optional[dict] = None,
        **settings: Any,
    ) -> PortfolioResult:
        """One portfolio run (SPEC part 10): every asset of ``universe`` (a ``Universe``, or a
        list or dict of ``MarketData`` / DataFrames) under ``strategy`` (one for all, or a dict
        symbol -> strategy naming every symbol) with one cash account. ``settings`` as for
        ``run_backtest`` (``size`` is then a fraction of the cash available at each entry),
        plus ``max_positions=k``: equal slots, an entry gets cash / (k - open positions) and
        entries beyond k open positions do nothing. On each bar: pending fills and stops as for
        one asset, exits before entries, then assets in universe order."""
        u = as_universe(universe)
        tree = _portfolio_strategy(strategy)
        settings, params = _plain(settings), _plain(params)
        if self._native is not None:
            out = self._native.run_portfolio(u._native_handle(), tree, settings, params)
        else:
            start = time.perf_counter()
            out = _call_fallback(_fallback.run_portfolio, u._columns(), tree, settings, params)
            out["execution_time_ms"] = (time.perf_counter() - start) * 1000.0
        result = PortfolioResult._from_output(out, self.backend, u.dates, u.symbols)
        return remember(result, u, tree)

    async def run_portfolio_async(
        self, universe: UniverseLike, strategy: Any, **kwargs: Any
    ) -> PortfolioResult:
        """``run_portfolio`` in the event loop's default executor."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self.run_portfolio, universe, strategy, **kwargs)
        return await loop.run_in_executor(None, call)

    def sweep(
        self,
        data: DataLike,
        strategy: StrategyLike,
        params: dict,
        constraint: Any = None,
        max_workers: Optional[int] = None,
        *,
        as_frame: Optional[bool] = None,
        executor: Any = None,
        progress: Any = None,
        **settings: Any,
    ) -> Any:
        """Every combination of ``params`` (a dict of value lists; the first key outermost)
        that ``constraint`` keeps (a condition on ``qs.param`` placeholders, a callable on the
        params dict, or the strategy's own constraint when ``None``), each backtested with
        ``settings``. One row per combination: a column per param, then every metric (NaN
        where undefined). A DataFrame with pandas, else a dict of columns (numpy arrays with
        numpy). Each distinct indicator is computed once; rows run on ``max_workers``
        threads (default every core). ``data`` may be a ``Universe``: every row is then a
        portfolio run (one strategy for all assets; ``max_positions`` allowed).

        ``executor``: run the rows in chunks on a distributed engine (a
        ``concurrent.futures.Executor``, a ``dask.distributed.Client``, the ``ray`` module or
        a :class:`quant_backtest.distributed.RayExecutor`): the same rows, bit for bit, in
        sweep order. ``progress``: ``True`` (a tqdm bar) or a callable ``(done, total)``
        called as chunks of rows finish."""
        request = self._sweep_request(data, strategy, params, constraint, settings)
        if executor is not None or progress is not None:
            from . import distributed

            columns = distributed.sweep_columns(self, request, max_workers, executor, progress)
        else:
            columns = self._sweep_columns(request, max_workers)
        return _frame(columns, as_frame)

    def _sweep_request(
        self, data: DataLike, strategy: Any, params: Any, constraint: Any, settings: dict
    ) -> _SweepRequest:
        """A sweep's inputs as plain values (a callable constraint applied here)."""
        portfolio = isinstance(data, Universe)
        md = data if portfolio else as_market_data(data)
        tree = _portfolio_strategy(strategy) if portfolio else _strategy_value(strategy)
        params = _plain(params)
        names = rows = None
        if callable(constraint):
            names, rows = _filtered_rows(params, constraint)
            cond_value = None
        else:
            cond_value = _strategy_value(constraint) if constraint is not None else None
        return _SweepRequest(md, tree, params, _plain(settings), cond_value, names, rows)

    def _sweep_columns(self, r: _SweepRequest, max_workers: Any) -> dict[str, Any]:
        """The columns of request ``r``'s rows (its explicit ``rows`` when it has them)."""
        workers = _workers(max_workers)
        portfolio = isinstance(r.data, Universe)
        if self._native is not None:
            run = self._native.portfolio_sweep if portfolio else self._native.sweep
            handle = r.data._native_handle() if portfolio else r.data.native_handle()
            return run(handle, r.tree, r.settings, r.params, r.constraint, r.names, r.rows, workers)
        if workers is not None and workers < 1:
            raise BacktestError(f"max_workers must be >= 1, got {workers}", "invalid_parameter")
        combos = None if r.rows is None else [dict(zip(r.names, row)) for row in r.rows]
        run = _fallback.sweep_portfolio if portfolio else _fallback.sweep
        bars = r.data._columns() if portfolio else r.data.as_lists()
        out = _call_fallback(run, bars, r.tree, r.params, r.settings, r.constraint, combos)
        return _typed_columns(out["columns"])

    def _sweep_rows(self, r: _SweepRequest) -> tuple[list[str], list[list]]:
        """The rows request ``r`` runs, in order: its explicit rows, or the combinations its
        constraint keeps (every value checked, as the sweep checks them)."""
        if r.rows is not None:
            return list(r.names or []), [list(row) for row in r.rows]
        # A portfolio's own setting does not change which combinations run.
        settings = {k: v for k, v in r.settings.items() if k != "max_positions"}
        if self._native is not None:
            names, rows = self._native.sweep_rows(r.tree, settings, r.params, r.constraint)
            return list(names), [list(row) for row in rows]
        names, combos, _, _ = _call_fallback(
            _fallback_sweep_plan, r.tree, r.params, settings, r.constraint, None
        )
        return list(names), [[c[n] for n in names] for c in combos]

    async def sweep_async(
        self, data: DataLike, strategy: StrategyLike, params: dict, **kwargs: Any
    ) -> Any:
        """``sweep`` in the event loop's default executor."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self.sweep, data, strategy, params, **kwargs)
        return await loop.run_in_executor(None, call)

    def optimize(
        self,
        data: DataLike,
        strategy: StrategyLike,
        params: dict,
        maximize: str = "sharpe_ratio",
        constraint: Any = None,
        max_workers: Optional[int] = None,
        *,
        executor: Any = None,
        progress: Any = None,
        **settings: Any,
    ) -> tuple[dict, Any]:
        """The combination of ``params`` with the largest ``maximize`` metric (NaN never wins;
        ties go to the first in sweep order) and its full ``BacktestResult`` (a
        ``PortfolioResult`` when ``data`` is a ``Universe``). ``executor`` and ``progress``
        as for :meth:`sweep` (the one best run then runs here)."""
        check_metric(maximize)
        md = data if isinstance(data, Universe) else as_market_data(data)
        columns = self.sweep(
            md,
            strategy,
            params,
            constraint,
            max_workers,
            as_frame=False,
            executor=executor,
            progress=progress,
            **settings,
        )
        best = best_row(columns[maximize])
        names = list(_plain(params))
        chosen = {}
        for name in names:
            value = columns[name][best]
            chosen[name] = value.item() if hasattr(value, "item") else value
        if isinstance(md, Universe):
            return chosen, self.run_portfolio(md, strategy, params=chosen, **settings)
        return chosen, self.run_backtest(md, strategy, params=chosen, **settings)

    def walk_forward(
        self,
        data: DataLike,
        strategy: StrategyLike,
        params: dict,
        train: int,
        test: int,
        step: Optional[int] = None,
        anchored: bool = False,
        maximize: str = "sharpe_ratio",
        constraint: Any = None,
        max_workers: Optional[int] = None,
        *,
        executor: Any = None,
        progress: Any = None,
        **settings: Any,
    ) -> WalkForwardResult:
        """Walk-forward optimisation (SPEC part 12): windows of ``train`` bars then ``test``
        bars moving by ``step`` (default ``test``; at least ``test``), rolling or ``anchored``
        (every train window from the first bar). On each window the combination of ``params``
        (as ``sweep`` takes them, with ``constraint``) with the largest ``maximize`` metric on
        the train bars runs on the test bars, starting flat with the equity the previous test
        ended with; every indicator is computed on the bars up to the window's end. Returns
        a :class:`WalkForwardResult`: a row per window and the stitched out-of-sample run.
        ``executor`` and ``progress`` as for :meth:`sweep`: the train sweeps run in chunks of
        combinations there, the chosen ones' runs here. ``data`` may be a ``Universe``: the
        windows are then counted in union bars and each window's run is a portfolio run of
        the assets with a bar in it (one strategy for all; ``max_positions`` allowed)."""
        request = self._sweep_request(data, strategy, params, constraint, settings)
        options = _plain(
            {"train": train, "test": test, "step": step, "anchored": anchored, "maximize": maximize}
        )
        if executor is not None or progress is not None:
            from . import distributed

            out = distributed.walk_forward_output(
                self, request, options, max_workers, executor, progress
            )
        else:
            out = self._walk_output(request, options, max_workers)
        result = WalkForwardResult._from_output(out, self.backend, request.data.dates)
        return remember(result, request.data, request.tree)

    def _walk_output(self, r: _SweepRequest, options: dict, max_workers: Any) -> dict:
        """The engine's walk-forward output (plain values) for request ``r``."""
        workers = _workers(max_workers)
        md = r.data
        portfolio = isinstance(md, Universe)
        if self._native is not None:
            run = self._native.portfolio_walk_forward if portfolio else self._native.walk_forward
            return run(
                md._native_handle() if portfolio else md.native_handle(),
                r.tree,
                r.settings,
                r.params,
                r.constraint,
                r.names,
                r.rows,
                options,
                workers,
            )
        if workers is not None and workers < 1:
            raise BacktestError(f"max_workers must be >= 1, got {workers}", "invalid_parameter")
        combos = None if r.rows is None else [dict(zip(r.names, row)) for row in r.rows]
        start = time.perf_counter()
        out = _call_fallback(
            _fallback.walk_forward_portfolio if portfolio else _fallback.walk_forward,
            md._columns() if portfolio else md.as_lists(),
            r.tree,
            r.params,
            r.settings,
            r.constraint,
            combos,
            options,
        )
        out["execution_time_ms"] = (time.perf_counter() - start) * 1000.0
        return out

    async def walk_forward_async(
        self, data: DataLike, strategy: StrategyLike, params: dict, **kwargs: Any
    ) -> WalkForwardResult:
        """``walk_forward`` in the event loop's default executor."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self.walk_forward, data, strategy, params, **kwargs)
        return await loop.run_in_executor(None, call)

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Release the worker pools this engine made (it stays usable; pools come back)."""
        if self._native is not None:
            self._native.close()

    def __enter__(self) -> RustEngine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend!r})"


def _fallback_grid(
    md: MarketData,
    fasts: list[int],
    slows: list[int],
    s: _Settings,
    workers: Optional[int],
    details: bool,
) -> list:
    """The pure-Python engine's grid: [(fast, slow, result dict), ...]."""
    lists = md.as_lists()
    return _call_fallback(
        _fallback.grid,
        lists["dates"],
        lists["open"],
        lists["close"],
        fasts,
        slows,
        s.initial_capital,
        s.commission_rate,
        s.fill,
        s.lot_size,
        s.periods_per_year,
        workers,
        keep_details=details,
    )


def _columns_from_rows(rows: list) -> dict[str, Any]:
    """Columns from the pure-Python grid's rows (NaN for undefined ratios, as natively)."""
    nan = float("nan")
    cols: dict[str, list] = {"fast_period": [], "slow_period": []}
    for name in SEED_METRIC_NAMES:
        cols[name] = []
    for fast, slow, out in rows:
        cols["fast_period"].append(fast)
        cols["slow_period"].append(slow)
        for name in SEED_METRIC_NAMES:
            value = out[name]
            cols[name].append(nan if value is None else value)
    if _np is None:
        return cols
    ints = ("fast_period", "slow_period", "trade_count")
    return {
        k: _np.asarray(v, dtype=_np.int64 if k in ints else _np.float64) for k, v in cols.items()
    }


def check_metric(maximize: Any) -> None:
    """Refuses a name that is not a metric, naming the nearest (optimize's ``maximize``)."""
    if maximize not in METRIC_NAMES:
        near = _fallback.nearest(str(maximize), METRIC_NAMES)
        raise BacktestError(
            f"unknown metric '{maximize}'; did you mean '{near}'?", "invalid_parameter"
        )


def best_row(scores: Any) -> int:
    """Optimize's choice in a metric's column: the largest; NaN never wins, ties go to the
    first; the first row when every score is NaN."""
    values = [float(x) for x in scores]
    best = 0
    for i, x in enumerate(values):
        if x == x and (values[best] != values[best] or x > values[best]):
            best = i
    return best


def _strategy_value(strategy: Any) -> Any:
    """The plain JSON value of a strategy (or a condition): a builder object's ``to_dict()``,
    parsed JSON text, or a dict as given (the engine checks it)."""
    shared = getattr(strategy, "_wire_value", None)  # a Strategy's, made once
    if shared is not None:
        return shared()
    if hasattr(strategy, "to_dict"):
        return strategy.to_dict()
    if isinstance(strategy, str):
        try:
            return json.loads(strategy)
        except ValueError as e:
            raise BacktestError(f"strategy is not valid JSON: {e}", "invalid_strategy") from None
    return _plain(strategy)


def _portfolio_strategy(strategy: Any) -> Any:
    """A portfolio's strategy value: one strategy, or a dict symbol -> strategy (a mapping
    without any of a strategy object's keys), each made plain."""
    if isinstance(strategy, dict) and strategy and not any(k in STRATEGY_KEYS for k in strategy):
        return {k: _strategy_value(v) for k, v in strategy.items()}
    return _strategy_value(strategy)


def _plain(value: Any) -> Any:
    """Plain Python values for the engine: numpy scalars and arrays, tuples and ranges become
    ints, floats, bools and lists (the engine refuses anything else by name)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_plain(v) for v in value]
    if _np is not None:
        if isinstance(value, _np.ndarray):
            return [_plain(v) for v in value.tolist()]
        if isinstance(value, _np.generic):
            return value.item()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # a pandas Series
        return _plain(value.tolist())
    return value


def _bools(name: str, values: Any, bars: int) -> Optional[list[bool]]:
    """A signal array as a list of bools (``None`` stays ``None``: never), checked as the
    pure-Python engine checks it, so both backends refuse alike."""
    if values is None:
        return None
    if _np is not None and hasattr(values, "to_numpy"):  # a pandas Series
        values = values.to_numpy()
    if _np is not None and isinstance(values, _np.ndarray) and values.dtype == _np.bool_:
        values = values.tolist()
    return _check_signal(name, values, bars)


def _filtered_rows(params: Any, keep: Any) -> tuple[list[str], list[list]]:
    """The combinations of ``params`` a Python callable keeps (the engine checks the lists'
    contents and reports an empty result)."""
    if not isinstance(params, dict) or not params:
        return [], []
    names = list(params)
    lists = [v if isinstance(v, list) else [v] for v in params.values()]
    rows = [list(c) for c in itertools.product(*lists) if keep(dict(zip(names, c)))]
    return names, rows


def _typed_columns(columns: dict[str, list]) -> dict[str, Any]:
    """The pure-Python sweep's columns as numpy arrays when numpy is installed: int64 for
    integer params and counts, float64 otherwise."""
    if _np is None:
        return columns
    out = {}
    for name, values in columns.items():
        ints = name in INT_METRICS or (
            name not in METRIC_NAMES
            and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        )
        out[name] = _np.asarray(values, dtype=_np.int64 if ints else _np.float64)
    return out


class CachedRustEngine(RustEngine):
    """A ``RustEngine`` that remembers recent single backtests: an LRU of ``cache_size``
    results, keyed by the data's content (not its identity) and every parameter. Thread-safe.
    Cached results are shared: their arrays are read-only."""

    def __init__(self, use_rust: bool = True, cache_size: int = 128) -> None:
        super().__init__(use_rust)
        size = _integer("cache_size", cache_size)
        if size < 0:
            raise BacktestError(f"cache_size must be >= 0, got {size}")
        self._max_size = size
        self._cache: OrderedDict[tuple, BacktestResult] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def _cached(self, key: tuple, compute: Any) -> BacktestResult:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self._hits += 1
                return hit
            self._misses += 1
        result = compute()
        if self._max_size:
            with self._lock:
                self._cache[key] = result
                self._cache.move_to_end(key)
                while len(self._cache) > self._max_size:
                    self._cache.popitem(last=False)
        return result

    def _run_one(self, md: MarketData, fast: int, slow: int, s: _Settings) -> BacktestResult:
        key = (md.fingerprint, fast, slow, *s.key())
        return self._cached(key, lambda: super(CachedRustEngine, self)._run_one(md, fast, slow, s))

    def _run_strategy(
        self, md: MarketData, tree: Any, settings: dict, params: Any
    ) -> BacktestResult:
        # Keyed by the data's content, the strategy's JSON, every setting and param.
        text = json.dumps([tree, settings, params], sort_keys=True, default=repr)
        key = (md.fingerprint, "strategy", text)
        run = super()._run_strategy
        return self._cached(key, lambda: run(md, tree, settings, params))

    def get_cache_stats(self) -> dict[str, Any]:
        """``hits``, ``misses``, ``hit_rate`` (0 to 1), ``size`` and ``max_size``."""
        with self._lock:
            total = self._hits + self._misses
            return {
                "hits": self._hits,
                "misses": self._misses,
                "hit_rate": self._hits / total if total else 0.0,
                "size": len(self._cache),
                "max_size": self._max_size,
            }

    def clear_cache(self) -> None:
        """Forget every cached result and reset the counters."""
        with self._lock:
            self._cache.clear()
            self._hits = self._misses = 0


def create_engine(
    use_rust: bool = True, use_cache: bool = False, cache_size: int = 128
) -> RustEngine:
    """A ``RustEngine``, or a ``CachedRustEngine`` with ``use_cache=True``."""
    if use_cache:
        return CachedRustEngine(use_rust=use_rust, cache_size=cache_size)
    return RustEngine(use_rust=use_rust)


@contextlib.contextmanager
def rust_engine_context(
    use_rust: bool = True, use_cache: bool = False, cache_size: int = 128
) -> Iterator[RustEngine]:
    """``with rust_engine_context() as engine: ...``: an engine whose worker pools are
    released when the block ends."""
    engine = create_engine(use_rust=use_rust, use_cache=use_cache, cache_size=cache_size)
    try:
        yield engine
    finally:
        engine.close()


def _sample_seed(seed: Any) -> int:
    """A sample generator's seed: an integer in [0, 2**64), drawn at random when None."""
    if seed is None:
        seed = secrets.randbits(64)
    seed = _integer("seed", seed)
    if not 0 <= seed < 2**64:
        raise BacktestError(f"seed must be an integer in [0, 2**64), got {seed}")
    return seed


def generate_sample_data(
    symbol: str = "SAMPLE", days: int = 100, start_price: float = 100.0, seed: Optional[int] = None
) -> MarketData:
    """``days`` valid daily bars on business days from 2020-01-01 (a random walk from
    ``start_price``). The same seed gives the same bars, bit for bit, in every engine (Rust,
    wasm, pure Python); ``seed=None`` draws one at random."""
    days = _integer("days", days)
    start_price = _number("start_price", start_price)
    seed = _sample_seed(seed)
    native = _backend.engine_module() if _backend.use_native() else None
    if native is not None:
        try:
            handle = native.sample_data(str(symbol), days, start_price, seed)
        except ValueError as e:
            raise BacktestError(str(e)) from None
        return MarketData._from_native(handle)
    columns = _call_fallback(_fallback.generate_sample_data, str(symbol), days, start_price, seed)
    return MarketData._from_columns(columns)


_default_engine: Optional[RustEngine] = None
_default_lock = threading.Lock()


def _engine() -> RustEngine:
    global _default_engine
    with _default_lock:
        wanted = _backend.use_native()
        if _default_engine is None or (_default_engine.backend != "python") != wanted:
            _default_engine = RustEngine(use_rust=wanted)
        return _default_engine


def run_sma_backtest(
    data: DataLike,
    fast_period: int,
    slow_period: int,
    initial_capital: float = 100_000.0,
    commission_rate: float = 0.001,
    **kwargs: Any,
) -> BacktestResult:
    """``RustEngine().run_sma_backtest(...)`` on a shared default engine."""
    return _engine().run_sma_backtest(
        data, fast_period, slow_period, initial_capital, commission_rate, **kwargs
    )


def _results_match(a: BacktestResult, b: BacktestResult, rel: float = 1e-9) -> bool:
    """Same trades and metrics within ``rel`` (the contract's tolerance)."""

    def close(x: Any, y: Any) -> bool:
        if x is None or y is None:
            return x is y
        return x == y or abs(x - y) <= rel * max(abs(x), abs(y))

    if len(a.trades) != len(b.trades):
        return False
    for ta, tb in zip(a.trades, b.trades):
        if (ta.entry_index, ta.exit_index) != (tb.entry_index, tb.exit_index):
            return False
        if not all(
            close(getattr(ta, f), getattr(tb, f))
            for f in ("entry_price", "exit_price", "size", "pnl", "return_pct")
        ):
            return False
    return all(close(getattr(a, m), getattr(b, m)) for m in METRIC_NAMES)


def _frame(columns: dict[str, Any], as_frame: Optional[bool]) -> Any:
    """A DataFrame when pandas is installed (or ``as_frame=True``), else the dict of columns."""
    if as_frame is False:
        return columns
    try:
        import pandas as pd
    except ImportError:
        if as_frame:
            raise
        return columns
    return pd.DataFrame(columns)


def benchmark_engine(
    data: DataLike, fast_period: int = 10, slow_period: int = 30, iterations: int = 5, **kwargs: Any
) -> dict[str, Any]:
    """Times the same backtest on the Rust and the pure-Python engine (best of
    ``iterations``) and checks that they agree. Returns ``rust_time_ms``, ``python_time_ms``,
    ``speedup`` and ``results_match`` (``None`` without the native module), ``bars`` and both
    results."""
    md = as_market_data(data)
    iterations = max(1, _integer("iterations", iterations))

    def best(engine: RustEngine) -> tuple[float, BacktestResult]:
        times, result = [], None
        for _ in range(iterations):
            start = time.perf_counter()
            result = engine.run_sma_backtest(md, fast_period, slow_period, **kwargs)
            times.append((time.perf_counter() - start) * 1000.0)
        assert result is not None
        return min(times), result

    py_ms, py_result = best(RustEngine(use_rust=False))
    rust_ms: Optional[float] = None
    rust_result: Optional[BacktestResult] = None
    if _backend.is_engine_available() and _backend.requested() != "python":
        md.native_handle()  # the one-off copy into Rust is not part of a run
        rust_ms, rust_result = best(RustEngine(use_rust=True))
    return {
        "bars": len(md),
        "iterations": iterations,
        "rust_time_ms": rust_ms,
        "python_time_ms": py_ms,
        "speedup": (py_ms / rust_ms) if rust_ms else None,
        # None when the Rust engine did not run (nothing to compare).
        "results_match": None if rust_result is None else _results_match(rust_result, py_result),
        "rust_result": rust_result,
        "python_result": py_result,
    }
