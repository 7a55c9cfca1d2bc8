"""The wasm engine under Pyodide (``sys.platform == "emscripten"``): a drop-in for ``_native``.

The pure-Python wheel (``scripts/build-pyodide-wheel.sh``) carries the single-threaded wasm
build of the Rust core as package data: ``quant_backtest/wasm/quant_backtest.js`` (the
wasm-bindgen ``--target web`` glue, an ES module) and ``quant_backtest_bg.wasm``. ``start()``
reads both from the installed package (no help from the host page: no ``<script>``, no fetch),
turns the glue into a function body (its ``export`` keywords dropped: an ES module cannot be
imported synchronously), evaluates it through Pyodide's JS bridge (``js.Function``), and
instantiates the module from the bytes with the glue's own ``initSync``. It then offers the
same interface as the native module, so ``_engine`` and ``_data`` use either one unchanged:

* ``MarketData(symbol, dates, open, high, low, close, volume)`` with ``columns()`` and ``len``;
* ``Engine()`` with ``backtest``, ``grid``, ``grid_columns``, ``threads`` and ``close``;
* ``sample_data(symbol, days, start_price, seed)``, ``__version__``,
  ``PARALLEL`` (False: one thread);
* portfolios: ``Universe(list of MarketData)`` with ``dates()`` and ``len``,
  ``sample_universe(symbols, days, seed)``, ``Engine.run_portfolio`` (the native door's
  columns: src/python/portfolio.rs ``portfolio_columns``), ``Engine.portfolio_sweep`` and
  ``Engine.portfolio_walk_forward``;
* live runs: ``LiveRun(strategy, settings, params, symbol, equity_curve)`` and
  ``LiveRun.from_json(text)``, the native door's (src/python/live.rs): ``push`` takes the six
  values of a bar and returns its events as tuples; ``position``, ``pending``, ``cash``,
  ``equity``, ``bars``, ``last_date``, ``result`` (the ``run_strategy`` dict), ``to_json``;
  ``LivePortfolioRun(strategy, settings, params, symbols, equity_curve)``: ``push`` takes a
  bar set (a dict symbol -> bar dict or None); ``positions``, ``pending``, ``started``,
  ``symbols``, ``result`` (the core's portfolio output as a dict); and
  ``live_from_json(text)``, either kind.

The values cross the JS boundary packed (a few ``Float64Array`` copies and ``\\n``-joined
dates per call, not one proxy per field), and the engine's refusals (a JS ``Error`` named
``BacktestError``) come back as ``quant_backtest.BacktestError`` with the same message.
Results equal the native engine's: the same Rust code makes the same IEEE-754 operations, so
trades, equity and metrics are bit for bit the same, but for ``pow`` in ``annualized_return``
(the wasm build's own libm: at most an ulp apart). Only ``_backend`` imports this module, and
only under Pyodide.
"""

from __future__ import annotations

import array
import json
import marshal
import re
import sys
from functools import partial
from typing import Any, Optional, Sequence

from . import _fallback
from ._errors import BacktestError
from ._fallback import api as _fallback_api
from ._fallback import live as _fallback_live
from ._fallback import portfolio as _fallback_portfolio
from ._fallback import settings as _fallback_settings
from ._fallback.names import describe_value, nearest
from ._fallback.sweep import plan as _fallback_sweep_plan
from ._result import _new_trade

try:
    import numpy as _np
except ImportError:  # plain Pyodide has no numpy
    _np = None

WASM_DIR = "wasm"
GLUE_FILE = "quant_backtest.js"
WASM_FILE = "quant_backtest_bg.wasm"

PARALLEL = False
__version__: Optional[str] = None

# Integers outside this range do not survive the trip through a JS number; the pure-Python
# validator (same checks, same messages) words the refusal instead.
_SAFE_INT = 2**53
_INF = float("inf")

ADAPTER_FILE = "_wasm_adapter.js"  # the JS half, beside this file (type-checked, linted)
# The glue's exports the adapter uses (checked at start: a build without one is refused).
_GLUE_NAMES = (
    "initSync",
    "version",
    "isThreadedBuild",
    "catalog",
    "WasmMarketData",
    "backtest",
    "backtestPacked",
    "planGrid",
    "runPairs",
    "sampleData",
    "runStrategy",
    "WasmBacktest",
    "runSignals",
    "WasmSweep",
    "indicator",
    "WasmAssets",
    "WasmUniverse",
    "sampleUniverse",
    "runPortfolio",
    "WasmPortfolioSweep",
    "WasmLiveRun",
    "WasmLivePortfolio",
    "liveFromJSON",
    "liveNames",
    "WasmWalk",
    "WasmPortfolioWalk",
)

# Methods of the glue's classes the adapter calls (a stale build without one is refused).
_GLUE_METHODS = ("fromPacked", "runPacked", "fromJSON", "toJSON", "positionSide", "lastDate")
_GLUE_METHODS += ("fromRequestText", "pushBars", "pushText", "resultText", "runJson")

_js: Any = None  # the adapter object, once started
# The adapter's functions called per run, looked up once (each lookup makes a proxy).
_prepare_js: Any = None
_run_prepared_js: Any = None
_market_data_records_js: Any = None
_live_push_js: Any = None
_live_push_bars_js: Any = None
_JsException: Any = None  # pyodide.ffi.JsException, once started


def _resource_bytes(name: str) -> bytes:
    from importlib import resources

    return resources.files(__package__).joinpath(WASM_DIR, name).read_bytes()


def _module_body(glue: str) -> str:
    """The ES-module glue as the body of a plain function that returns its exports: the
    ``export`` keywords go, ``import.meta.url`` (used only by the async loader, never here)
    becomes ``undefined``. Anything else module-only (an ``import`` of a snippet, which only
    the threaded build has) is refused rather than half-loaded."""
    body = re.sub(r"^export (class|function|const|let) ", r"\1 ", glue, flags=re.M)
    body = re.sub(r"^export \{[^}]*\};?[ \t]*$", "", body, flags=re.M)
    body = body.replace("import.meta.url", "undefined")
    leftover = re.search(r"^\s*(import|export)\b.*$|import\.meta", body, flags=re.M)
    if leftover:
        raise ImportError(
            f"the wasm glue has a module statement Pyodide cannot run: {leftover[0]!r}"
        )
    for name in _GLUE_NAMES:
        if not re.search(rf"^(function|class) {name}\b", body, flags=re.M):
            raise ImportError(f"the wasm glue has no {name}")
    return body + "\nreturn { " + ", ".join(_GLUE_NAMES) + " };\n"


def _require_methods(glue: str) -> None:
    """Refuses a glue built before the classes had the methods the adapter calls (a stale
    pkg/wasm): better the pure-Python engine, with the warning that says why, than a failure
    at the first run."""
    for name in _GLUE_METHODS:
        if not re.search(rf"^\s+(static )?{name}\(", glue, flags=re.M):
            raise ImportError(f"the wasm glue has no method {name}: rebuild pkg/wasm")


def _package_text(*parts: str) -> str:
    from importlib import resources

    return resources.files(__package__).joinpath(*parts).read_text(encoding="utf-8")


def start() -> Any:
    """Instantiates the wasm engine (once) and returns this module, which then works as the
    engine module. Raises (ImportError, a JS error, ...) when it cannot start."""
    global _js, _JsException, __version__
    if _js is not None:
        return sys.modules[__name__]
    import js  # Pyodide's bridge to the JS global scope
    from pyodide.ffi import JsException, to_js

    glue_source = _resource_bytes(GLUE_FILE).decode("utf-8")
    _require_methods(glue_source)
    binary = _resource_bytes(WASM_FILE)
    glue = js.Function.new(_module_body(glue_source))()
    adapter_source = _package_text(ADAPTER_FILE) + "\nreturn quantBacktestAdapter(glue);\n"
    adapter = js.Function.new("glue", adapter_source)(glue)
    version = str(adapter.init(to_js(binary)))
    if adapter.threaded():
        raise ImportError("the shipped wasm engine is the threaded build; Pyodide needs one thread")
    _catalog(json.loads(str(adapter.catalog())))
    _live_names(json.loads(str(adapter.liveNames())))
    global _prepare_js, _run_prepared_js, _market_data_records_js, _live_push_js
    global _live_push_bars_js
    _prepare_js, _run_prepared_js = adapter.prepare, adapter.runPrepared
    _market_data_records_js = adapter.marketDataFromRecords
    _live_push_js = adapter.livePush
    _live_push_bars_js = adapter.livePushBars
    _js, _JsException, __version__ = adapter, JsException, version
    return sys.modules[__name__]


# -- crossing the boundary ------------------------------------------------------------------


def _call(fn: Any, *args: Any) -> Any:
    """A call into the engine, with its refusals as ``BacktestError``."""
    try:
        return fn(*args)
    except _JsException as e:
        error = getattr(e, "js_error", e)
        if getattr(error, "name", None) == "BacktestError":
            code = getattr(error, "code", None)
            raise BacktestError(str(error.message), str(code or "invalid_parameter")) from None
        raise


def _f64(values: Any) -> Any:
    """A ``Float64Array`` copy of a float column (numpy array, tuple, list, array)."""
    import js

    if _np is not None and isinstance(values, _np.ndarray):
        buffer: Any = _np.ascontiguousarray(values, dtype=_np.float64)
    elif isinstance(values, array.array) and values.typecode == "d":
        buffer = values
    else:
        buffer = array.array("d", values)
    out = js.Float64Array.new(len(buffer))
    if len(buffer):
        out.assign(buffer)
    return out


def _float_column(values: Any) -> Any:
    """A float column as a buffer ``array`` can extend from at C speed (numpy stays numpy)."""
    if _np is not None and isinstance(values, _np.ndarray):
        return _np.ascontiguousarray(values, dtype=_np.float64)
    if isinstance(values, array.array) and values.typecode == "d":
        return values
    return array.array("d", values)


def _float_array(typed: Any) -> array.array:
    """A ``Float64Array`` as an ``array('d')``: one byte copy, no float objects made."""
    out = array.array("d")
    out.frombytes(typed.to_bytes())
    return out


def _floats(typed: Any) -> list:
    return typed.to_memoryview().tolist() if typed.length else []


def _column_out(values: list, integers: bool = False) -> Any:
    """A column as the native module returns it: a numpy array with numpy, else a list."""
    if _np is None:
        return [int(x) for x in values] if integers else values
    return _np.asarray(values, dtype=_np.int64 if integers else _np.float64)


def _own_column(values: Any) -> Any:
    """A private copy of an input column in the form ``columns()`` returns."""
    return list(values) if _np is None else _np.array(values, dtype=_np.float64)


def _none(value: float) -> Optional[float]:
    """NaN (an undefined ratio in the column form) as None, as in a single result."""
    return None if value != value else value


def _safe(*values: int) -> bool:
    return all(-_SAFE_INT <= v <= _SAFE_INT for v in values)


def _refuse_with_fallback(check: Any, *args: Any) -> None:
    """Integers too large for JS: the pure-Python validator gives the engine's message."""
    try:
        check(*args)
    except ValueError as e:
        raise BacktestError(str(e)) from None
    raise OverflowError("an integer argument is too large for the wasm engine")


def _unpack(packed: Any) -> list:
    """``[(fast, slow, metrics, trades, equity, ms), ...]`` from ``qbPack``'s answer."""
    nums_js, dates_js, equity_js = packed
    nums = _floats(nums_js)
    dates = str(dates_js).split("\n")
    equity = _floats(equity_js)
    out, o, d = [], 0, 0
    while o < len(nums):
        fast, slow, tr, ar, vol, has_sh, sh, has_so, so, mdd, count, win, ms, n = nums[o : o + 14]
        o += 14
        trades = []
        for _ in range(int(n)):
            ei, xi, ep, xp, size, pnl, ret, held = nums[o : o + 8]
            trades.append(
                (int(ei), int(xi), dates[d], dates[d + 1], ep, xp, size, pnl, ret, int(held))
            )
            o += 8
            d += 2
        sharpe = sh if has_sh else None
        sortino = so if has_so else None
        metrics = (tr, ar, vol, sharpe, sortino, mdd, int(count), win)
        out.append([int(fast), int(slow), metrics, trades, ms])
    bars = len(equity) // len(out) if out else 0
    return [
        (f, s, m, t, _column_out(equity[k * bars : (k + 1) * bars]), ms)
        for k, (f, s, m, t, ms) in enumerate(out)
    ]


def _unpack_one(nums: list, dates_text: str, equity_js: Any) -> tuple:
    """``(fast, slow, metrics, trades, equity, ms)`` from ``backtestPacked``: fast, slow, the
    eight seed metrics (NaN: an undefined ratio), ms, then eight numbers per trade."""
    fast, slow, tr, ar, vol, sh, so, mdd, count, win, ms = nums[:11]
    dates = dates_text.split("\n")
    trades = []
    for k, o in enumerate(range(11, len(nums), 8)):
        ei, xi, ep, xp, size, pnl, ret, held = nums[o : o + 8]
        trades.append(
            (int(ei), int(xi), dates[2 * k], dates[2 * k + 1], ep, xp, size, pnl, ret, int(held))
        )
    metrics = (tr, ar, vol, _none(sh), _none(so), mdd, int(count), win)
    # Without numpy the curve stays an array of doubles until read (BacktestResult makes it).
    equity = _float_array(equity_js) if _np is None else _column_out(_floats(equity_js))
    return (int(fast), int(slow), metrics, trades, equity, ms)


# -- the native module's interface ----------------------------------------------------------


class MarketData:
    """Validated bars owned by the wasm instance (a ``WasmMarketData``)."""

    __slots__ = ("_handle", "_len", "_columns", "_dates")

    def __init__(
        self,
        symbol: str,
        dates: Sequence[str],
        open: Any,  # noqa: A002 - the field's name
        high: Any,
        low: Any,
        close: Any,
        volume: Any,
    ) -> None:
        symbol = str(symbol)
        try:
            text = "\n".join(dates)  # strings already (``_data`` made them): one C loop
        except TypeError:
            dates = [str(d) for d in dates]
            text = "\n".join(dates)
        dates = list(dates)
        if text.count("\n") != max(len(dates) - 1, 0) or (len(dates) == 1 and text == ""):
            from pyodide.ffi import to_js  # a date holds a newline: the engine names it

            dates_arg: Any = to_js(dates)
        else:
            dates_arg = text
        cols = [_float_column(c) for c in (open, high, low, close, volume)]
        packed = array.array("d")
        for c in cols:
            packed.extend(c)
        from pyodide.ffi import to_js

        lengths = to_js([len(c) for c in cols])
        handle = _call(_js.marketData, symbol, dates_arg, _f64(packed), lengths)
        self._handle = handle
        self._len = int(handle.length)
        # What the engine now holds, as the native module's columns() gives it (the same
        # doubles: no round trip back out of wasm memory).
        self._columns: Optional[tuple] = (symbol, dates, *(_own_column(c) for c in cols))

    @classmethod
    def _wrap(cls, handle: Any) -> MarketData:
        self = cls.__new__(cls)
        self._adopt(handle)
        return self

    def _adopt(self, handle: Any) -> None:
        self._handle = handle
        self._len = int(handle.length)
        self._columns = None

    def __len__(self) -> int:
        return self._len

    def columns(self) -> tuple:
        """(symbol, dates, open, high, low, close, volume), as the native module gives them."""
        if self._columns is not None:
            return self._columns
        symbol, dates, packed = _js.columns(self._handle)
        n = self._len
        values = _floats(packed)
        cols = [_column_out(values[i * n : (i + 1) * n]) for i in range(5)]
        text = str(dates)
        self._columns = (str(symbol), text.split("\n") if text else [], *cols)
        return self._columns

    def as_lists(self) -> dict:
        """The columns as the pure-Python engine reads them."""
        symbol, dates, *cols = self.columns()
        names = ("open", "high", "low", "close", "volume")
        return {"dates": list(dates), **{k: list(c) for k, c in zip(names, cols)}}

    def dates(self) -> list:
        """The bars' dates (trades carry the dates of their entry and exit bars)."""
        return self.columns()[1]

    def __del__(self) -> None:
        # Frees the Rust copy now rather than when the JS garbage collector gets to it.
        try:
            self._handle.free()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or never built
            pass


def _float_records(values: Any, n: int, tags: bytes) -> Optional[bytes]:
    """``marshal``'s bytes of a list or tuple of ``n`` floats, exact ``float`` every one (a
    5-byte header, then a tag ``g`` and the little-endian double per value: one C loop, the
    tags checked in another), else None: anything else (ints, bools, None, numpy scalars, a
    short column) takes the checks of ``_data``, which word each refusal."""
    kind = type(values)
    if kind is list:
        head = b"["
    elif kind is tuple:
        head = b"("
    else:
        return None
    if len(values) != n or type(values[0]) is not float:  # ints (a volume column): quick no
        return None
    try:
        records = marshal.dumps(values, 2)  # version 2: no back-references, floats binary
    except ValueError:  # an object marshal cannot write: not a float anyway
        return None
    if (
        len(records) != 5 + 9 * n
        or records[:5] != head + n.to_bytes(4, "little")
        or records[5::9] != tags
    ):
        return None
    return records


def market_data_from_lists(symbol: str, dates: Any, text: str, columns: Sequence[Any]) -> Any:
    """``MarketData`` from plain lists (or tuples) of ``float`` and date strings (``text``
    their ``\\n``-joined form), without a Python call per value; None when the input is
    anything else (``_data`` then checks and converts it value by value, as for the native
    engine). The columns kept for ``columns()`` are the given floats themselves."""
    n = len(dates)
    # A date that holds a newline (or a lone empty date) would not split back as given.
    if not text or text.count("\n") != n - 1 or sys.byteorder != "little":
        return None
    parts, tags = [], b"g" * n
    for values in columns:
        records = _float_records(values, n, tags)
        if records is None:
            return None
        parts.append(records)
    records = b"".join(parts)
    import js

    buffer = js.Uint8Array.new(len(records))
    buffer.assign(records)
    handle = _call(_market_data_records_js, symbol, text, buffer, n)
    data = MarketData.__new__(MarketData)
    data._handle = handle
    data._len = n
    if _np is None:
        kept: Any = [values if type(values) is tuple else tuple(values) for values in columns]
    else:
        kept = [_np.array(values, dtype=_np.float64) for values in columns]
    data._columns = (symbol, list(dates), *kept)
    return data


def _settings(settings: Sequence[Any]) -> tuple:
    capital, commission, fill, lot, ppy = settings
    return float(capital), float(commission), str(fill), float(lot), float(ppy)


class Engine:
    """What a ``RustEngine`` holds: here only the calls (one thread, no pool to keep)."""

    def threads(self, max_workers: Optional[int] = None) -> int:
        return 1

    def close(self) -> None:
        pass

    def backtest(self, data: MarketData, fast: int, slow: int, settings: Sequence[Any]) -> tuple:
        cap, com, fill, lot, ppy = _settings(settings)
        if not _safe(fast, slow):
            _refuse_with_fallback(
                _fallback.validate_params, len(data), fast, slow, cap, com, lot, ppy, fill
            )
        nums_js, dates_js, equity_js = _call(
            _js.backtest, data._handle, float(fast), float(slow), cap, com, fill, lot, ppy
        )
        return _unpack_one(_floats(nums_js), str(dates_js), equity_js)

    def _grid(
        self,
        data: MarketData,
        fasts: list[int],
        slows: list[int],
        settings: Sequence[Any],
        max_workers: Optional[int],
        details: bool,
    ) -> Any:
        cap, com, fill, lot, ppy = _settings(settings)
        workers = [] if max_workers is None else [max_workers]
        if not _safe(*fasts, *slows, *workers):
            _refuse_with_fallback(
                _fallback.validate_grid,
                len(data),
                fasts,
                slows,
                cap,
                com,
                lot,
                ppy,
                fill,
                max_workers,
            )
        return _call(
            _js.grid,
            data._handle,
            _f64([float(f) for f in fasts]),
            _f64([float(s) for s in slows]),
            cap,
            com,
            fill,
            lot,
            ppy,
            None if max_workers is None else float(max_workers),
            bool(details),
        )

    def grid(
        self,
        data: MarketData,
        fasts: list[int],
        slows: list[int],
        settings: Sequence[Any],
        max_workers: Optional[int],
        details: bool,
    ) -> list:
        """Full result tuples with ``details``, else ``(fast, slow, metrics, ms)``."""
        out = self._grid(data, fasts, slows, settings, max_workers, details)
        if details:
            return _unpack(out)
        cols, ms = _grid_columns(out)
        rows = zip(*(cols[name] for name in _COLUMN_NAMES))
        return [
            (int(f), int(s), (tr, ar, vol, _none(sh), _none(so), mdd, int(n), win), ms)
            for f, s, tr, ar, vol, sh, so, mdd, n, win in rows
        ]

    def grid_columns(
        self,
        data: MarketData,
        fasts: list[int],
        slows: list[int],
        settings: Sequence[Any],
        max_workers: Optional[int],
    ) -> dict:
        """The metrics as columns (numpy arrays with numpy, else lists; NaN where undefined)."""
        cols, _ = _grid_columns(self._grid(data, fasts, slows, settings, max_workers, False))
        ints = ("fast_period", "slow_period", "trade_count")
        return {k: _column_out(v, integers=k in ints) for k, v in cols.items()}

    # -- the strategy engine (the native Engine's run_strategy, run_signals, sweep) ---------

    def run_strategy(self, data: MarketData, strategy: Any, settings: Any, params: Any) -> dict:
        strategy_text, strategy_lossy = _strategy_text(strategy)
        if strategy_lossy or _lossy(params) or _lossy(settings, integral=False):
            # A value a JS number cannot carry as given: the pure-Python checks word the
            # refusal as the native engine does (and pass what it would accept).
            parsed, _ = _fallback_check(_fallback_api.prepare, strategy, settings)
            values = _fallback_check(_fallback_api.check_params_object, params)
            _fallback_check(_fallback_api.bind, parsed, values)
        run = _prepared_run(strategy_text, _text(settings), _text(params))
        return _run_output(_run_prepared_js(run, data._handle), data, params)

    def run_signals(
        self,
        data: MarketData,
        entries: Optional[list],
        exits: Optional[list],
        short_entries: Optional[list],
        short_exits: Optional[list],
        settings: Any,
    ) -> dict:
        signals = [_u8(v) for v in (entries, exits, short_entries, short_exits)]
        if _lossy(settings, integral=False):
            _fallback_check(_fallback_settings.resolve_settings, {}, {}, settings)
        packed = _call(_js.runSignals, data._handle, *signals, _text(settings))
        return _run_output(packed, data, None)

    def sweep(
        self,
        data: MarketData,
        strategy: Any,
        settings: Any,
        params: Any,
        constraint: Any,
        names: Optional[list],
        rows: Optional[list],
        max_workers: Optional[int],
    ) -> dict:
        return _sweep(
            (_js.sweep, data._handle),
            (_fallback.sweep, data.as_lists),
            _lossy(settings, integral=False),
            (strategy, settings, params, constraint, names, rows, max_workers),
        )

    # -- portfolios (SPEC part 10: the native Engine's run_portfolio, portfolio_sweep) -------

    def run_portfolio(self, universe: Universe, strategy: Any, settings: Any, params: Any) -> dict:
        if _lossy(strategy, params) or _lossy_settings(settings):
            # A value a JS number cannot carry as given: the pure-Python checks (the core's
            # order and messages) refuse it as the native engine does, or pass it.
            _fallback_check(
                _fallback_portfolio.prepare, universe._symbols(), strategy, settings, params
            )
        floats, ints = _call(
            _js.runPortfolio, universe._handle, _text(strategy), _text(settings), _text(params)
        )
        return _portfolio_output(floats, ints, universe._symbols(), params)

    def portfolio_sweep(
        self,
        universe: Universe,
        strategy: Any,
        settings: Any,
        params: Any,
        constraint: Any,
        names: Optional[list],
        rows: Optional[list],
        max_workers: Optional[int],
    ) -> dict:
        return _sweep(
            (_js.portfolioSweep, universe._handle),
            (_fallback_portfolio.sweep_portfolio, universe._columns),
            _lossy_settings(settings),
            (strategy, settings, params, constraint, names, rows, max_workers),
        )

    # -- walk-forward (SPEC part 12: the native Engine's walk_forward, portfolio_walk_forward,
    # sweep_rows) -------------------------------------------------------------------------

    def walk_forward(
        self,
        data: MarketData,
        strategy: Any,
        settings: Any,
        params: Any,
        constraint: Any,
        names: Optional[list],
        rows: Optional[list],
        options: Any,
        max_workers: Optional[int],
    ) -> dict:
        if max_workers is not None and max_workers < 1:
            raise BacktestError(f"max_workers must be >= 1, got {max_workers}", "invalid_parameter")
        combos = None if rows is None else [dict(zip(names or [], r)) for r in rows]
        if _lossy(strategy, params, constraint, rows, options) or _lossy(settings, integral=False):
            # A value a JS number cannot carry as given: the pure-Python walk (the core's
            # checks, messages and answer).
            return _fallback_check(
                _fallback.walk_forward,
                data.as_lists(),
                strategy,
                params,
                settings,
                constraint,
                combos,
                options,
            )
        if _lossy(settings):
            # An integral float setting (100000.0) is the same number in JS, but a refusal
            # would write it as an integer: the pure-Python checks word it as natively.
            _fallback_check(_fallback_sweep_plan, strategy, params, settings, constraint, combos)
        text = _call(
            _js.walkForward,
            data._handle,
            _text(strategy),
            _text(settings),
            _text(params),
            None if constraint is None else _text(constraint),
            None if names is None else _text(names),
            None if rows is None else _text(rows),
            _text(options),
        )
        return _walk_output(json.loads(str(text)))

    def portfolio_walk_forward(
        self,
        universe: Universe,
        strategy: Any,
        settings: Any,
        params: Any,
        constraint: Any,
        names: Optional[list],
        rows: Optional[list],
        options: Any,
        max_workers: Optional[int],
    ) -> dict:
        """A walk-forward on a universe (the native Engine's ``portfolio_walk_forward``: its
        dict, each trade with its ``symbol``), on wasm as ``walk_forward`` is."""
        if max_workers is not None and max_workers < 1:
            raise BacktestError(f"max_workers must be >= 1, got {max_workers}", "invalid_parameter")
        combos = None if rows is None else [dict(zip(names or [], r)) for r in rows]
        if _lossy(strategy, params, constraint, rows, options) or _lossy_settings(settings):
            # A value a JS number cannot carry as given: the pure-Python walk (the core's
            # checks, messages and answer).
            return _fallback_check(
                _fallback.walk_forward_portfolio,
                universe._columns(),
                strategy,
                params,
                settings,
                constraint,
                combos,
                options,
            )
        if _lossy(settings):
            # An integral float setting (100000.0): as for ``walk_forward``, the pure-Python
            # checks of the portfolio sweep word a refusal as natively.
            _fallback_check(
                _fallback_portfolio.plan_portfolio_sweep,
                universe._columns(),
                strategy,
                params,
                settings,
                constraint,
                combos,
            )
        text = _call(
            _js.portfolioWalkForward,
            universe._handle,
            _text(strategy),
            _text(settings),
            _text(params),
            None if constraint is None else _text(constraint),
            None if names is None else _text(names),
            None if rows is None else _text(rows),
            _text(options),
        )
        return _walk_output(json.loads(str(text)))

    def sweep_rows(self, strategy: Any, settings: Any, params: Any, constraint: Any) -> tuple:
        """The combinations a sweep runs, as the native engine lists them (the pure-Python
        plan: the same checks, order and values)."""
        names, combos, _, _ = _fallback_check(
            _fallback_sweep_plan, strategy, params, settings, constraint, None
        )
        return names, [[c[n] for n in names] for c in combos]


def _sweep(js: tuple, fallback: tuple, lossy_settings: bool, request: tuple) -> dict:
    """A sweep (one asset's or a portfolio's): ``js`` the adapter's call and the bars' handle,
    ``fallback`` the pure-Python sweep and what gives it the bars, ``request`` the native
    Engine's arguments. A value JSON through JS would change (``lossy_settings`` says it of the
    settings) runs the pure-Python sweep, whose checks and param columns are the native
    engine's (5.0 stays a float); anything else runs on wasm."""
    strategy, settings, params, constraint, names, rows, max_workers = request
    if max_workers is not None and max_workers < 1:
        raise BacktestError(f"max_workers must be >= 1, got {max_workers}", "invalid_parameter")
    if _lossy(strategy, params, constraint, rows) or lossy_settings:
        run, bars = fallback
        combos = None if rows is None else [dict(zip(names or [], r)) for r in rows]
        out = _fallback_check(run, bars(), strategy, params, settings, constraint, combos)
        return {k: _column_out(v, _all_ints(v)) for k, v in out["columns"].items()}
    call, handle = js
    header, floats, ints = _call(
        call,
        handle,
        _text(strategy),
        _text(settings),
        _text(params),
        None if constraint is None else _text(constraint),
        None if names is None else _text(names),
        None if rows is None else _text(rows),
    )
    return _sweep_columns(header, floats, ints)


# The metrics that are always numbers (JSON writes their NaN as null; natively they are NaN).
_FLOAT_METRICS = (
    "total_return",
    "annualized_return",
    "volatility",
    "max_drawdown",
    "win_rate",
    "buy_and_hold_return",
    "exposure",
)


def _walk_output(out: dict) -> dict:
    """The wasm walk-forward's JSON as the native door's dict: a NaN metric back to NaN."""

    def floats(metrics: dict) -> None:
        for name in _FLOAT_METRICS:
            if metrics[name] is None:
                metrics[name] = float("nan")

    floats(out["metrics"])
    for w in out["windows"]:
        floats(w["in_sample"])
        floats(w["out_of_sample"])
    return out


def _sweep_columns(header: Any, floats: Any, ints: Any) -> dict:
    """A sweep's columns from the adapter's ``packColumns``: a JSON header, the float columns
    and the integer ones (numpy arrays with numpy, else lists)."""
    spec = json.loads(str(header))
    count = spec["count"]
    f, i = _floats(floats), _ints(ints)
    return {
        name: _column_out((i if integer else f)[at : at + count], integers=integer)
        for name, integer, at in spec["columns"]
    }


_COLUMN_NAMES = (
    "fast_period",
    "slow_period",
    "total_return",
    "annualized_return",
    "volatility",
    "sharpe_ratio",
    "sortino_ratio",
    "max_drawdown",
    "trade_count",
    "win_rate",
)


def _grid_columns(packed: Any) -> tuple[dict, float]:
    cols_js, ms = packed
    values = _floats(cols_js)
    n = len(values) // len(_COLUMN_NAMES)
    cols = {name: values[i * n : (i + 1) * n] for i, name in enumerate(_COLUMN_NAMES)}
    return cols, float(ms)


def sample_data(symbol: str, days: int, start_price: float, seed: int) -> MarketData:
    """Sample bars made by the wasm engine (bit-identical to the native and Python ones)."""
    if not _safe(days):
        _refuse_with_fallback(_fallback.generate_sample_data, symbol, days, start_price, seed)
    handle = _call(_js.sampleData, str(symbol), float(days), float(start_price), str(int(seed)))
    return MarketData._wrap(handle)


# -- portfolios ------------------------------------------------------------------------------


class Universe:
    """Assets on the union of their instants, owned by the wasm instance (a ``WasmUniverse``),
    from the bridge's ``MarketData`` (their bars are copied; refused: none, or a symbol twice)."""

    __slots__ = ("_handle", "_assets", "_dates", "_names")

    def __init__(self, assets: Sequence[MarketData]) -> None:
        from pyodide.ffi import to_js

        assets = list(assets)
        for a in assets:
            if not isinstance(a, MarketData):
                raise TypeError(f"a Universe takes MarketData, got {type(a).__name__}")
        handle, dates = _call(_js.universe, to_js([a._handle for a in assets]))
        text = str(dates)
        self._handle = handle
        self._assets = assets
        self._dates = text.split("\n") if text else []
        self._names = [a.columns()[0] for a in assets]

    def __len__(self) -> int:
        """The number of union bars (as the native ``Universe``)."""
        return len(self._dates)

    def dates(self) -> list:
        """The union's dates."""
        return list(self._dates)

    def _symbols(self) -> list:
        return self._names

    def _columns(self) -> list:
        """Every asset's columns with its symbol (what the pure-Python engine reads)."""
        return [{"symbol": s, **a.as_lists()} for s, a in zip(self._names, self._assets)]

    def __del__(self) -> None:
        try:
            self._handle.free()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or never built
            pass


def sample_universe(symbols: Sequence[str], days: int, seed: int) -> list:
    """The sample universe's assets as ``MarketData`` in universe order, bit-identical to the
    native and Python engines' (one crossing: the handles and every asset's bars)."""
    from pyodide.ffi import to_js

    names = [str(s) for s in symbols]
    if not _safe(days):
        _refuse_with_fallback(_fallback.generate_sample_universe, names, days, seed)
    handles, syms, dates, lengths_js, columns_js = _call(
        _js.sampleUniverse, to_js(names), float(days), str(int(seed))
    )
    values = _float_array(columns_js)
    out, o = [], 0
    for handle, symbol, text, n in zip(handles, syms, dates, _ints(lengths_js)):
        data = MarketData.__new__(MarketData)
        data._handle = handle
        data._len = n
        cols = [_column_out(values[o + k * n : o + (k + 1) * n].tolist()) for k in range(5)]
        o += 5 * n
        text = str(text)
        data._columns = (str(symbol), text.split("\n") if text else [], *cols)
        out.append(data)
    return out


def _lossy_settings(settings: Any) -> bool:
    """Whether portfolio settings hold a value JSON through JS would change: as the
    single-asset settings', or an integral float for a portfolio setting (integers all:
    ``max_positions=2.0`` is refused natively, but is 2 in JS)."""
    if _lossy(settings, integral=False):
        return True
    own = _fallback_portfolio.PORTFOLIO_SETTINGS
    return isinstance(settings, dict) and any(type(settings.get(k)) is float for k in own)


# The native door's trade columns (src/python/portfolio.rs), as the adapter packs them.
_INT_TRADE_COLUMNS = (
    "symbol",
    "entry_index",
    "exit_index",
    "bars_held",
    "direction",
    "exit_reason",
)
_FLOAT_TRADE_COLUMNS = ("entry_price", "exit_price", "size", "pnl", "return_pct")
_TRADE_COLUMN_ORDER = ("symbol", "entry_index", "exit_index", "entry_price", "exit_price", "size")
_TRADE_COLUMN_ORDER += ("pnl", "return_pct", "bars_held", "direction", "exit_reason")
_ASSET_FIELDS = ("trade_count", "pnl", "win_rate", "exposure")
_PORTFOLIO_HEAD = 6


def _portfolio_output(floats_js: Any, ints_js: Any, symbols: list, params: Any) -> dict:
    """The native ``run_portfolio`` dict from the adapter's ``packPortfolio`` arrays: metrics
    by name (None where undefined), trades as columns (``symbol`` the asset's index,
    ``direction`` and ``exit_reason`` indices into ``labels``), equity_curve, cash, assets
    rows, position_rows (bars x assets), params, execution_time_ms. Lists without numpy
    (``PortfolioResult`` takes either), numpy arrays with it."""
    f = _float_array(floats_js)
    ms, n_metrics, n, bars, m, stride = f[:_PORTFOLIO_HEAD].tolist()
    n_metrics, n, bars, m, stride = int(n_metrics), int(n), int(bars), int(m), int(stride)
    o = _PORTFOLIO_HEAD
    metrics = {}
    for (name, integer), v in zip(_METRICS, f[o : o + n_metrics].tolist()):
        metrics[name] = None if v != v else (int(v) if integer else v)
    o += n_metrics
    ints = _ints(ints_js)
    trades: dict = {}
    for c, name in enumerate(_INT_TRADE_COLUMNS):
        trades[name] = _column_out(ints[c * n : (c + 1) * n], integers=True)
    for name in _FLOAT_TRADE_COLUMNS:
        trades[name] = _column_out(f[o : o + n].tolist())
        o += n
    trades = {name: trades[name] for name in _TRADE_COLUMN_ORDER}  # the native dict's order
    equity, cash = f[o : o + bars].tolist(), f[o + bars : o + 2 * bars].tolist()
    o += 2 * bars
    positions = f[o : o + bars * m]
    o += bars * m
    if _np is not None:
        rows: Any = _np.frombuffer(positions, dtype=_np.float64).reshape(bars, m)
    else:  # list slices of one list: cheaper than a slice and a tolist() per bar
        values = positions.tolist()
        rows = [values[at : at + m] for at in range(0, bars * m, max(m, 1))]
    summary = f[o : o + m * stride].tolist()
    assets = []
    for k, symbol in enumerate(symbols):
        row = dict(zip(_ASSET_FIELDS, summary[k * stride : (k + 1) * stride]))
        row["trade_count"] = int(row["trade_count"])
        assets.append({"symbol": symbol, **row})
    return {
        "metrics": metrics,
        "trades": trades,
        "labels": (list(_SIDES), list(_EXIT_REASONS)),
        "equity_curve": _column_out(equity),
        "cash": _column_out(cash),
        "assets": assets,
        "position_rows": rows,
        # The engine ran with exactly these (checked); as given, a float stays a float.
        "params": dict(params) if isinstance(params, dict) else {},
        "execution_time_ms": ms,
    }


# -- live runs (SPEC part 11) -----------------------------------------------------------------


class LiveRun:
    """A live run of one strategy on one asset, owned by the wasm instance (a ``WasmLiveRun``),
    with the native door's interface (src/python/live.rs): ``push`` takes a bar's six values
    (``live.py`` has read and typed them) and returns the events it caused as
    ``(kind, bar, date, symbol, side, price, size, reason)`` tuples.

    A push is one call across, with six plain values; its events cross back packed, and only
    when there are some. The bars pushed and the last date are kept here too (``live.py``
    reads ``bars()`` for every push, as the row of the bar's refusals)."""

    __slots__ = ("_handle", "_symbol", "_params", "_bars", "_last_date")

    def __init__(
        self,
        strategy: Any,
        settings: Any,
        params: Any,
        symbol: Optional[str],
        equity_curve: bool,
    ) -> None:
        if _odd_keys(strategy, settings, params):
            # A key JSON would write as text: the pure-Python checks word the refusal.
            _fallback_check(
                _fallback_live.LiveBacktest, strategy, settings, params, symbol, equity_curve
            )
        # The request as JSON text, read by the engine: 100000.0 stays a float, so that the
        # saved request is the native engine's text byte for byte.
        texts = (_wire_text(strategy), _wire_text(settings), _wire_text(params))
        handle = _call(_js.liveRun, *texts, symbol, equity_curve)
        self._adopt(handle, symbol, params)

    def _adopt(self, handle: Any, symbol: Optional[str], params: Any) -> None:
        self._handle = handle
        self._symbol = symbol
        # The result's params are the request's, as given (the engine checked them).
        self._params = dict(params) if isinstance(params, dict) else {}
        self._bars = int(handle.bars())
        date = handle.lastDate()
        self._last_date = None if date is None else str(date)

    @staticmethod
    def from_json(text: str) -> LiveRun:
        """A run resumed from ``to_json()``'s text (any engine's), or ``invalid_state``."""
        return LiveRun._resumed(_call(_js.liveFromJSON, text), text)

    @staticmethod
    def _resumed(handle: Any, text: str) -> LiveRun:
        request = json.loads(text)["request"]  # the engine has read it: it is JSON
        run = LiveRun.__new__(LiveRun)
        run._adopt(handle, request.get("symbol"), request.get("params"))
        return run

    def push(
        self,
        date: str,
        open: float,  # noqa: A002 - the field's name
        high: float,
        low: float,
        close: float,
        volume: float,
    ) -> list:
        """One bar; the events it caused (refused: the run is as it was)."""
        packed = _call(_live_push_js, self._handle, date, open, high, low, close, volume)
        self._bars += 1
        self._last_date = date
        if packed is None:
            return []
        return _live_events(_floats(packed), date, self._symbol)

    def position(self) -> Optional[tuple]:
        """``(side, units)`` of the open position, or None."""
        position = _js.livePosition(self._handle)
        if position is None:
            return None
        side, size = position
        return (str(side), float(size))

    def pending(self) -> Optional[str]:
        order = self._handle.pending()
        return None if order is None else str(order)

    def cash(self) -> float:
        return float(self._handle.cash())

    def equity(self) -> float:
        return float(self._handle.equity())

    def bars(self) -> int:
        return self._bars

    def last_date(self) -> Optional[str]:
        return self._last_date

    def result(self) -> dict:
        """The ``run_strategy`` dict of the batch run on the bars so far (refused before the
        first bar, as empty data is)."""
        packed, trade_dates = _call(_js.liveResult, self._handle)
        return _run_output(packed, None, self._params, str(trade_dates))

    def to_json(self) -> str:
        return str(self._handle.toJSON())

    def __del__(self) -> None:
        try:
            self._handle.free()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or never built
            pass


_BAR_FIELDS = ("open", "high", "low", "close", "volume")
_BAR_KEYS = frozenset(("date", *_BAR_FIELDS, "symbol"))
# Bar sets of more assets than this cross as JSON text (a packed push passes five arguments
# per asset).
_PACKED_ASSETS = 256


class LivePortfolioRun:
    """A live run of a portfolio, owned by the wasm instance (a ``WasmLivePortfolio``), with
    the native door's interface (src/python/live.rs): ``push`` takes a bar set (a dict symbol
    -> bar dict or None) and returns the events it caused as tuples, each naming its symbol.

    A plain, well-formed set (every started asset given, bars of numbers and a string date)
    crosses in one call with its numbers as arguments; anything else crosses as JSON text that
    the engine reads with its own messages (numbers keep their int / float kind; NaN, the
    infinities and huge integers as serde's number token)."""

    __slots__ = ("_handle", "_symbols", "_index", "_started", "_bars")

    def __init__(
        self,
        strategy: Any,
        settings: Any,
        params: Any,
        symbols: Sequence[str],
        equity_curve: bool,
    ) -> None:
        names = list(symbols)
        if _odd_keys(strategy, settings, params):
            _fallback_check(_fallback_portfolio.prepare, names, strategy, settings, params)
        texts = (_wire_text(strategy), _wire_text(settings), _wire_text(params))
        self._adopt(_call(_js.livePortfolio, *texts, _text(names), equity_curve))

    def _adopt(self, handle: Any) -> None:
        self._handle = handle
        self._symbols = [str(s) for s in handle.symbols()]
        self._index = {s: i for i, s in enumerate(self._symbols)}
        self._started = list(handle.started().to_bytes())
        self._bars = int(handle.bars())

    @staticmethod
    def _resumed(handle: Any) -> LivePortfolioRun:
        run = LivePortfolioRun.__new__(LivePortfolioRun)
        run._adopt(handle)
        return run

    def _packed(self, bar_set: Any) -> Optional[tuple]:
        """``(dates, present, prices)`` of a plain, well-formed set, else None."""
        if type(bar_set) is not dict or len(self._symbols) > _PACKED_ASSETS:
            return None
        present = []
        prices: list = []
        dates: list = []
        given = 0
        for i, symbol in enumerate(self._symbols):
            if symbol not in bar_set:
                if self._started[i]:
                    return None
                present.append("0")
                continue
            given += 1
            bar = bar_set[symbol]
            if bar is None:
                present.append("0")
                continue
            if type(bar) is not dict or not bar.keys() <= _BAR_KEYS or len(bar) < 6:
                return None
            date = bar.get("date")
            named = bar.get("symbol")
            if type(date) is not str or "\n" in date or (named is not None and named != symbol):
                return None
            if len(bar) == 6 and "symbol" in bar:
                return None  # a field missing
            for field in _BAR_FIELDS:
                v = bar[field]
                t = type(v)
                if t is float:
                    prices.append(v)
                elif t is int and -(2**63) < v < 2**63:
                    prices.append(float(v))  # as the engine reads an integer: exact, or nearest
                else:
                    return None
            present.append("1")
            dates.append(date)
        if given != len(bar_set) or not dates:
            return None
        first = dates[0]
        text = first if all(d == first for d in dates) else "\n".join(dates)
        return text, "".join(present), prices

    def _set_text(self, bar_set: Any) -> str:
        """A set the engine reads: as JSON text, but for a key that is not a string (JSON would
        write it as one), which is refused here with the engine's message."""
        if isinstance(bar_set, dict):
            for key in bar_set:
                if key in self._index:
                    continue
                if type(key) is not str:
                    shown = describe_value(key)
                    raise BacktestError(
                        f"the bar set at row {self._bars} has a bar for unknown symbol {shown}; "
                        f"did you mean '{nearest(shown, self._symbols)}'?",
                        "invalid_market_data",
                    )
                break
        return _wire_text(bar_set)

    def push(self, bar_set: Any) -> list:
        """One instant; the events it caused (refused: the run is as it was)."""
        packed = self._packed(bar_set)
        if packed is not None:
            dates, present, prices = packed
            out = _call(_live_push_bars_js, self._handle, dates, present, *prices)
            for i, flag in enumerate(present):
                if flag == "1":
                    self._started[i] = 1
            date = dates.split("\n", 1)[0]
        else:
            out = _call(_js.livePushText, self._handle, self._set_text(bar_set))
            self._started = list(self._handle.started().to_bytes())
            date = str(self._handle.lastDate())
        self._bars += 1
        if out is None:
            return []
        return _portfolio_events(_floats(out), date, self._symbols)

    def positions(self) -> list:
        """``(symbol, side, units)`` of each open position, in universe order."""
        nums = _floats(self._handle.positions())
        return [
            (self._symbols[int(nums[k])], _LIVE_SIDES[int(nums[k + 1])], nums[k + 2])
            for k in range(0, len(nums), 3)
        ]

    def pending(self) -> list:
        """``(symbol, order)`` of each order waiting for its asset's next bar."""
        return [(str(s), str(o)) for s, o in self._handle.pending().to_py()]

    def cash(self) -> float:
        return float(self._handle.cash())

    def equity(self) -> float:
        return float(self._handle.equity())

    def bars(self) -> int:
        return self._bars

    def last_date(self) -> Optional[str]:
        date = self._handle.lastDate()
        return None if date is None else str(date)

    def symbols(self) -> list:
        return list(self._symbols)

    def started(self) -> list:
        return [s for s, flag in zip(self._symbols, self._started) if flag]

    def result(self) -> dict:
        """The core's portfolio output as the native door's dict (its JSON, loaded)."""
        return json.loads(str(_call(self._handle.resultText)))

    def to_json(self) -> str:
        return str(self._handle.toJSON())

    def __del__(self) -> None:
        try:
            self._handle.free()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or never built
            pass


def live_from_json(text: str) -> Any:
    """The run a saved state holds (any engine's): a ``LiveRun`` or a ``LivePortfolioRun``."""
    portfolio, handle = _call(_js.liveResume, text)
    if portfolio:
        return LivePortfolioRun._resumed(handle)
    return LiveRun._resumed(handle, text)


def _portfolio_events(nums: list, date: str, symbols: list) -> list:
    """A portfolio push's events: ``_live_events``' numbers, then the asset's index."""
    stride = _LIVE_STRIDE + 1
    events = []
    for at in range(0, len(nums), stride):
        kind, bar, side, reason, price, size, asset = nums[at : at + stride]
        events.append(
            (
                _LIVE_KINDS[int(kind)],
                int(bar),
                date,
                symbols[int(asset)],
                _LIVE_SIDES[int(side)],
                None if price != price else price,
                None if size != size else size,
                _LIVE_REASONS[int(reason)],
            )
        )
    return events


# serde's number token (src/api/value.rs): a map of it alone is the number its text writes.
_NUMBER_TOKEN = "$serde_json::private::Number"
_I64 = 2**63


def _needs_tokens(value: Any) -> bool:
    """Whether JSON text would lose a number: NaN or an infinity, an integer past 64 bits."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float:
            if v != v or v in (_INF, -_INF):
                return True
        elif t is int:
            if not -_I64 <= v < _I64:
                return True
        elif t is dict:
            stack.extend(v.values())
        elif t is list or t is tuple:
            stack.extend(v)
    return False


def _tokens(v: Any) -> Any:
    t = type(v)
    if t is float and (v != v or v in (_INF, -_INF)):
        return {_NUMBER_TOKEN: "NaN" if v != v else ("inf" if v > 0 else "-inf")}
    if t is int and not -_I64 <= v < _I64:
        return {_NUMBER_TOKEN: str(v)}
    if t is dict:
        return {k: _tokens(x) for k, x in v.items()}
    if t is list or t is tuple:
        return [_tokens(x) for x in v]
    return v


def _odd_keys(*values: Any) -> bool:
    """Whether a dict among the values has a key that is not a string."""
    stack = list(values)
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            if any(type(k) is not str for k in v):
                return True
            stack.extend(v.values())
        elif t is list or t is tuple:
            stack.extend(v)
    return False


def _wire_text(value: Any) -> str:
    """A value as JSON text the engine reads as the native door reads the Python value:
    integers and floats apart (``5.0`` stays a float), NaN, the infinities and huge integers
    as serde's number token."""
    if _needs_tokens(value):
        value = _tokens(value)
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise BacktestError(f"cannot read the request: {e}", "invalid_parameter") from None


def _live_events(nums: list, date: str, symbol: Optional[str]) -> list:
    """A push's events from their packed numbers (src/wasm/live.rs ``pack_event``: kind, bar,
    side, reason, price, size; NaN where an event has no price or size)."""
    kinds, sides, reasons = _LIVE_KINDS, _LIVE_SIDES, _LIVE_REASONS
    events = []
    for at in range(0, len(nums), _LIVE_STRIDE):
        kind, bar, side, reason, price, size = nums[at : at + _LIVE_STRIDE]
        events.append(
            (
                kinds[int(kind)],
                int(bar),
                date,
                symbol,
                sides[int(side)],
                None if price != price else price,
                None if size != size else size,
                reasons[int(reason)],
            )
        )
    return events


def indicator(name: str, inputs: list, params: dict) -> list:
    """Every output of indicator ``name`` (numpy arrays with numpy, else lists), as the
    native module's ``indicator``."""
    spec = _INDICATORS.get(name)
    if spec is None:
        raise ValueError(f"unknown indicator '{name}'")
    if spec["source"]:
        source, hlc = (_f64(inputs[0]) if inputs else None), (None, None, None)
    elif len(inputs) == 3:
        source, hlc = None, tuple(_f64(c) for c in inputs)
    else:
        raise ValueError("atr takes high, low and close")
    count, packed = _call(_js.indicator, name, _text(params), source, *hlc)
    values = _floats(packed)
    n = len(values) // int(count) if int(count) else 0
    return [_column_out(values[k * n : (k + 1) * n]) for k in range(int(count))]


# -- strategy runs across the boundary --------------------------------------------------------

_METRICS: list = []  # (name, integer) in the engine's order (catalog().metrics)
_INT_METRICS: set = set()
_TRADE_FIELDS: list = []
_SIDES: list = []
_EXIT_REASONS: list = []
_INDICATORS: dict = {}
# The tables a live push's packed events index (liveNames(), read once, at start).
_LIVE_STRIDE = 6  # numbers per event: kind, bar, side, reason, price, size
_LIVE_KINDS: list = []
_LIVE_SIDES: list = []
_LIVE_REASONS: list = []


def _live_names(names: dict) -> None:
    """Keeps the tables of live events; refuses a build whose events are not packed as
    ``_live_events`` reads them."""
    if names["stride"] != _LIVE_STRIDE:
        stride = names["stride"]
        raise ImportError(f"the wasm engine packs a live event in {stride} numbers, not 6")
    _LIVE_KINDS[:] = names["kinds"]
    _LIVE_SIDES[:] = names["sides"]
    _LIVE_REASONS[:] = names["reasons"]


def _catalog(catalog: dict) -> None:
    """Keeps what unpacking needs from the engine's catalog (read once, at start)."""
    _METRICS[:] = [(m["name"], bool(m["integer"])) for m in catalog["metrics"]]
    _INT_METRICS.clear()
    _INT_METRICS.update(name for name, integer in _METRICS if integer)
    _TRADE_FIELDS[:] = catalog["trade_fields"]
    _SIDES[:] = catalog["sides"]
    _EXIT_REASONS[:] = catalog["exit_reasons"]
    _INDICATORS.clear()
    _INDICATORS.update({i["name"]: i for i in catalog["indicators"]})


# The last strategy value sent, its text and whether a JS number would change it. The value is
# a Strategy's shared canonical dict (never mutated) when the same strategy runs again; the
# reference kept here keeps its identity from being reused.
_last_strategy: list = [None, "", False]


def _strategy_text(value: Any) -> tuple[str, bool]:
    if value is not _last_strategy[0]:
        _last_strategy[:] = [value, _text(value), _lossy(value)]
    return _last_strategy[1], _last_strategy[2]


def _text(value: Any) -> str:
    """A plain value as JSON (one string across, parsed by the adapter); NaN and infinities
    as JSON's extension (the engine refuses them by name, as natively)."""
    if value is None:
        return "null"
    if type(value) is dict and not value:  # most calls' settings and params
        return "{}"
    return json.dumps(value, separators=(",", ":"))


def _u8(values: Optional[list]) -> Any:
    """A list of bools as a ``Uint8Array`` (one copy), ``None`` as null (never)."""
    if values is None:
        return None
    import js

    out = js.Uint8Array.new(len(values))
    if values:
        out.assign(bytes(values))
    return out


def _ints(typed: Any) -> list:
    return typed.to_memoryview().tolist() if typed.length else []


def _all_ints(values: list) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _run_output(
    packed: Any, data: Optional[MarketData], params: Any, trade_dates: Optional[str] = None
) -> dict:
    """The native ``run_strategy`` dict from the engine's packed run (``[ms, metric count,
    fields per trade, trade count, metrics..., trades..., equity...]``): metrics by name (None
    where undefined), the equity curve, params, ms, and the trades: ``Trade`` tuples made when
    the result's ``trades`` is first read (``BacktestResult`` takes a callable for them): a
    loop over runs often reads only the metrics, and under Pyodide making the tuples of a
    1,000-bar run's trades costs about as much as the run itself. A live run's result has no
    bars (``data`` None): its trades are dated by ``trade_dates``, each trade's entry and exit
    dates ``\\n``-joined."""
    packed = _float_array(packed)
    ms, n_metrics, n_fields, n_trades = packed[0], int(packed[1]), int(packed[2]), int(packed[3])
    o = 4 + n_metrics
    end = o + n_trades * n_fields
    metrics = {}
    for (name, integer), v in zip(_METRICS, packed[4:o].tolist()):
        metrics[name] = None if v != v else (int(v) if integer else v)
    trades: Any = []
    if n_trades and data is not None:
        trades = partial(_trades, packed[o:end], data.dates())
    elif n_trades:
        trades = partial(_live_trades, packed[o:end], str(trade_dates))
    equity = packed[end:]
    return {
        "metrics": metrics,
        "trades": trades,
        "equity_curve": equity if _np is None else _np.frombuffer(equity, dtype=_np.float64),
        # The engine ran with exactly these (checked); as given, a float stays a float.
        "params": dict(params) if isinstance(params, dict) else {},
        "execution_time_ms": ms,
    }


def _trades(rows: array.array, dates: list) -> list:
    """``Trade`` tuples from a packed run's trade rows (the ten numbers of ``TRADE_FIELDS`` per
    trade, src/wasm/strategy.rs) and the bars' dates."""
    trades: list = []
    append, sides, reasons = trades.append, _SIDES, _EXIT_REASONS
    nums = rows.tolist()
    for at in range(0, len(nums), 10):
        ei, xi, ep, xp, size, pnl, ret, held, side, reason = nums[at : at + 10]
        ei = int(ei)
        xi = int(xi)
        append(
            _new_trade(
                (
                    ei,
                    xi,
                    dates[ei],
                    dates[xi],
                    ep,
                    xp,
                    size,
                    pnl,
                    ret,
                    int(held),
                    sides[int(side)],
                    reasons[int(reason)],
                )
            )
        )
    return trades


def _live_trades(rows: array.array, trade_dates: str) -> list:
    """``Trade`` tuples of a live run's result: ``_trades`` with the dates looked up by bar
    from each trade's own entry and exit dates."""
    dates = trade_dates.split("\n")
    by_bar = {}
    for k, at in enumerate(range(0, len(rows), 10)):  # ten numbers per trade, as in _trades
        by_bar[int(rows[at])] = dates[2 * k]
        by_bar[int(rows[at + 1])] = dates[2 * k + 1]
    return _trades(rows, by_bar)  # type: ignore[arg-type] - indexed by bar, as a list is


# The engine's checked strategy requests (``WasmBacktest``) by their JSON texts, oldest first:
# a notebook runs the same strategy again and again, and each text would cost a conversion
# per call to cross.
_PREPARED_KEPT = 16
_prepared: dict = {}


def _prepared_run(strategy: str, settings: str, params: str) -> Any:
    key = (strategy, settings, params)
    run = _prepared.pop(key, None)
    if run is None:
        run = _call(_prepare_js, strategy, settings, params)
        if len(_prepared) >= _PREPARED_KEPT:
            _prepared.pop(next(iter(_prepared))).free()
    _prepared[key] = run
    return run


def _lossy(*values: Any, integral: bool = True) -> bool:
    """Whether a value holds a number JSON and a JS number would change: NaN or an infinity,
    an integer past 2**53, or (``integral``) an integral float (the engine refuses 5.0 for an
    integer; JS would pass 5)."""
    stack = list(values)
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float:
            if v != v or v in (_INF, -_INF) or (integral and v.is_integer()):
                return True
        elif t is int:
            if not -_SAFE_INT <= v <= _SAFE_INT:
                return True
        elif t is dict:
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
    return False


def _fallback_check(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except BacktestError:
        raise
    except ValueError as e:
        raise BacktestError(str(e)) from None
