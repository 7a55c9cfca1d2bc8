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
  ``PARALLEL`` (False: one thread).

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
import re
import sys
from typing import Any, Optional, Sequence

from . import _fallback
from ._errors import BacktestError

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

# Helpers appended inside the glue's scope: they call its functions and pack the answers.
_ADAPTER_JS = r"""
// ---- quant_backtest Pyodide adapter (python/quant_backtest/_wasm_bridge.py) ----
const QB_HEAD = 14, QB_TRADE = 8;
function qbPack(results, bars) {
  let size = 0;
  for (const r of results) size += QB_HEAD + QB_TRADE * r.trades.length;
  const nums = new Float64Array(size), equity = new Float64Array(results.length * bars);
  const dates = [];
  let o = 0;
  results.forEach((r, k) => {
    const trades = r.trades;
    nums[o] = r.fastPeriod; nums[o + 1] = r.slowPeriod;
    nums[o + 2] = r.totalReturn; nums[o + 3] = r.annualizedReturn; nums[o + 4] = r.volatility;
    nums[o + 5] = r.sharpeRatio === null ? 0 : 1; nums[o + 6] = r.sharpeRatio ?? 0;
    nums[o + 7] = r.sortinoRatio === null ? 0 : 1; nums[o + 8] = r.sortinoRatio ?? 0;
    nums[o + 9] = r.maxDrawdown; nums[o + 10] = r.tradeCount; nums[o + 11] = r.winRate;
    nums[o + 12] = r.executionTimeMs; nums[o + 13] = trades.length;
    o += QB_HEAD;
    for (const t of trades) {
      nums[o] = t.entryIndex; nums[o + 1] = t.exitIndex; nums[o + 2] = t.entryPrice;
      nums[o + 3] = t.exitPrice; nums[o + 4] = t.size; nums[o + 5] = t.pnl;
      nums[o + 6] = t.returnPct; nums[o + 7] = t.barsHeld;
      o += QB_TRADE;
      dates.push(t.entryDate, t.exitDate);
    }
    equity.set(r.equityCurve, k * bars);
  });
  return [nums, dates.join('\n'), equity];
}
const QB_COLUMNS = ['fastPeriod', 'slowPeriod', 'totalReturn', 'annualizedReturn', 'volatility',
  'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'tradeCount', 'winRate'];
return {
  init(bytes) { initSync({ module: bytes }); return version(); },
  threaded: () => isThreadedBuild(),
  marketData: (symbol, dates, o, h, l, c, v) => new WasmMarketData(symbol, dates, o, h, l, c, v),
  sampleData: (symbol, days, price, seed) => sampleData(symbol, days, price, BigInt(seed)),
  columns(d) {
    const n = d.length, out = new Float64Array(5 * n);
    [d.open(), d.high(), d.low(), d.close(), d.volume()].forEach((col, i) => out.set(col, i * n));
    return [d.symbol, d.dates().join('\n'), out];
  },
  backtest: (d, f, s, cap, com, fill, lot, ppy) =>
    qbPack([backtest(d, f, s, cap, com, fill, lot, ppy)], d.length),
  grid(d, fasts, slows, cap, com, fill, lot, ppy, maxWorkers, details) {
    const plan = planGrid(d.length, fasts, slows, cap, com, fill, lot, ppy, maxWorkers);
    const start = performance.now();
    try {
      const out = runPairs(d, plan.fast, plan.slow, cap, com, fill, lot, ppy, details);
      const ms = (performance.now() - start) / plan.fast.length;
      if (details) return qbPack(out, d.length);
      const n = plan.fast.length, cols = new Float64Array(QB_COLUMNS.length * n);
      QB_COLUMNS.forEach((name, i) => cols.set(out[name], i * n));
      return [cols, ms];
    } finally {
      d.clearSmaCache();   // the SMAs are kept per data for chunked grids; one call here
    }
  },
};
"""

_js: Any = None  # the adapter object, once started
_JsException: Any = None  # pyodide.ffi.JsException, once started


def _resource_bytes(name: str) -> bytes:
    from importlib import resources

    return resources.files(__package__).joinpath(WASM_DIR, name).read_bytes()


def _module_body(glue: str) -> str:
    """The ES-module glue as the body of a plain function that returns the adapter: the
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
    for name in ("initSync", "WasmMarketData", "backtest", "planGrid", "runPairs", "sampleData"):
        if not re.search(rf"^(function|class) {name}\b", body, flags=re.M):
            raise ImportError(f"the wasm glue has no {name}")
    return body + _ADAPTER_JS


def start() -> Any:
    """Instantiates the wasm engine (once) and returns this module, which then works as the
    engine module. Raises (ImportError, a JS error, ...) when it cannot start."""
    global _js, _JsException, __version__
    if _js is not None:
        return sys.modules[__name__]
    import js  # Pyodide's bridge to the JS global scope
    from pyodide.ffi import JsException, to_js

    glue = _resource_bytes(GLUE_FILE).decode("utf-8")
    binary = _resource_bytes(WASM_FILE)
    adapter = js.Function.new(_module_body(glue))()
    version = str(adapter.init(to_js(binary)))
    if adapter.threaded():
        raise ImportError("the shipped wasm engine is the threaded build; Pyodide needs one thread")
    _js, _JsException, __version__ = adapter, JsException, version
    return sys.modules[__name__]


# -- crossing the boundary ------------------------------------------------------------------


def _call(fn: Any, *args: Any) -> Any:
    """A call into the engine, with its refusals as ``BacktestError``."""
    try:
        return fn(*args)
    except _JsException as e:
        if getattr(e, "name", None) == "BacktestError":
            raise BacktestError(str(e.message)) from None
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


def _floats(typed: Any) -> list:
    return typed.to_memoryview().tolist() if typed.length else []


def _column_out(values: list, integers: bool = False) -> Any:
    """A column as the native module returns it: a numpy array with numpy, else a list."""
    if _np is None:
        return [int(x) for x in values] if integers else values
    return _np.asarray(values, dtype=_np.int64 if integers else _np.float64)


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


# -- the native module's interface ----------------------------------------------------------


class MarketData:
    """Validated bars owned by the wasm instance (a ``WasmMarketData``)."""

    __slots__ = ("_handle", "_len")

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
        from pyodide.ffi import to_js

        handle = _call(
            _js.marketData,
            str(symbol),
            to_js([str(d) for d in dates]),
            *(_f64(c) for c in (open, high, low, close, volume)),
        )
        self._adopt(handle)

    @classmethod
    def _wrap(cls, handle: Any) -> MarketData:
        self = cls.__new__(cls)
        self._adopt(handle)
        return self

    def _adopt(self, handle: Any) -> None:
        self._handle = handle
        self._len = int(handle.length)

    def __len__(self) -> int:
        return self._len

    def columns(self) -> tuple:
        """(symbol, dates, open, high, low, close, volume), as the native module gives them."""
        symbol, dates, packed = _js.columns(self._handle)
        n = self._len
        values = _floats(packed)
        cols = [_column_out(values[i * n : (i + 1) * n]) for i in range(5)]
        return (str(symbol), str(dates).split("\n"), *cols)

    def __del__(self) -> None:
        # Frees the Rust copy now rather than when the JS garbage collector gets to it.
        try:
            self._handle.free()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or never built
            pass


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
        packed = _call(
            _js.backtest, data._handle, float(fast), float(slow), cap, com, fill, lot, ppy
        )
        return _unpack(packed)[0]

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
