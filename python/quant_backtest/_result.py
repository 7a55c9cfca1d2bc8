"""Results: ``Trade`` and ``BacktestResult``, the same for both backends."""

from __future__ import annotations

import array
import functools
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, NamedTuple, Optional, Sequence

try:
    import numpy as _np
except ImportError:
    _np = None

from ._fallback.metrics import METRIC_NAMES
from ._plottable import Plottable

# The seed's eight metrics (its grids and results carry these; the rest are None there).
SEED_METRIC_NAMES = METRIC_NAMES[:8]
TRADE_FIELDS = (
    "entry_index",
    "exit_index",
    "entry_date",
    "exit_date",
    "entry_price",
    "exit_price",
    "size",
    "pnl",
    "return_pct",
    "bars_held",
    "direction",
    "exit_reason",
)
# The seed API's trades carry the first ten (direction and exit_reason are always the defaults).
SEED_TRADE_FIELDS = TRADE_FIELDS[:10]


class Trade(NamedTuple):
    """A closed round trip. Indices are 0-based bars; ``pnl`` is net of both commissions;
    ``return_pct`` is a fraction of the entry cost (0.05 is 5 %), despite its name.
    (A named tuple: cheap to build by the thousand, immutable, and unpacks.)"""

    entry_index: int
    exit_index: int
    entry_date: str
    exit_date: str
    entry_price: float
    exit_price: float
    size: float
    pnl: float
    return_pct: float
    bars_held: int
    direction: str = "long"
    exit_reason: str = "signal"

    def to_dict(self) -> dict[str, Any]:
        return dict(zip(TRADE_FIELDS, self))


def _trades(items: Sequence[Sequence[Any]]) -> list[Trade]:
    """Trades from the compiled engine's tuples: all twelve fields (made straight from the
    tuple, the engine wrote every field), or the ten the Pyodide bridge's seed results carry."""
    if items and len(items[0]) == len(TRADE_FIELDS):
        return list(map(_new_trade, items))
    return [Trade(*t) for t in items]


_new_trade = functools.partial(tuple.__new__, Trade)


def _equity(values: Any) -> Any:
    """A read-only float64 numpy array when numpy is present, else a list."""
    if _np is None:
        return list(values)
    array = _np.asarray(values, dtype=_np.float64)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class BacktestResult(Plottable):
    """The outcome of one backtest. Returns and drawdown are fractions (0.12 is 12 %);
    ``win_rate`` is a percent (0 to 100); ratios are annualised with ``periods_per_year`` and
    are ``None`` where undefined (no variance, no losing bar)."""

    total_return: float
    annualized_return: float
    max_drawdown: float
    win_rate: float
    trade_count: int
    execution_time_ms: float
    trades: list[Trade] = field(repr=False)
    equity_curve: Sequence[float] = field(repr=False)
    sharpe_ratio: Optional[float] = None
    sortino_ratio: Optional[float] = None
    volatility: float = 0.0
    fast_period: int = 0
    slow_period: int = 0
    backend: str = "rust"
    buy_and_hold_return: Optional[float] = None
    exposure: Optional[float] = None
    profit_factor: Optional[float] = None
    expectancy: Optional[float] = None
    best_trade: Optional[float] = None
    worst_trade: Optional[float] = None
    max_drawdown_duration: Optional[int] = None
    calmar_ratio: Optional[float] = None
    params: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Only for names missing from __dict__: the equity curve kept as an array until read,
        # the trades kept as the call that makes them (Pyodide: see ``_from_metrics``).
        values = self.__dict__
        if name == "equity_curve" and "_equity_source" in values:
            values["equity_curve"] = list(values.pop("_equity_source"))
            return values["equity_curve"]
        if name == "trades" and "_trades_source" in values:
            values["trades"] = values.pop("_trades_source")()
            return values["trades"]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (lists, dicts, floats): ready for ``json.dumps``."""
        eq = self.equity_curve
        return {
            "fast_period": self.fast_period,
            "slow_period": self.slow_period,
            "params": dict(self.params),
            **{name: getattr(self, name) for name in METRIC_NAMES},
            "execution_time_ms": self.execution_time_ms,
            "backend": self.backend,
            "trades": [t.to_dict() for t in self.trades],
            "equity_curve": eq.tolist() if hasattr(eq, "tolist") else list(eq),
        }

    @classmethod
    def _from_metrics(
        cls,
        fast: int,
        slow: int,
        metrics: Sequence[Any],
        trades: Any,
        equity: Any,
        execution_time_ms: float,
        backend: str,
    ) -> BacktestResult:
        # Results are made by the thousand (grids): the fields are set at once, not through
        # the dataclass's __init__ (the same values; the class stays frozen).
        values = dict(_DEFAULTS)
        values.update(zip(METRIC_NAMES, metrics))
        values["execution_time_ms"] = execution_time_ms
        if callable(trades):
            # The Pyodide bridge's trades are made when first read: a loop over runs often
            # reads only the metrics, and making them costs more than the wasm run.
            values["_trades_source"] = trades
        else:
            values["trades"] = trades
        if _np is None and type(equity) is array.array:
            # Without numpy the curve becomes a list of floats only when it is read: making
            # 1,000 floats costs more than the run itself under Pyodide.
            values["_equity_source"] = equity
        else:
            values["equity_curve"] = _equity(equity)
        values["fast_period"] = fast
        values["slow_period"] = slow
        values["backend"] = backend
        values["params"] = {}
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", values)
        return result

    @classmethod
    def _from_output(cls, out: dict, backend: str, fast: int = 0, slow: int = 0) -> BacktestResult:
        """From the strategy engine's dict (metrics, trades, equity_curve, params, ms), the
        same from every backend."""
        m = out["metrics"]
        items = out["trades"]
        if callable(items):  # the Pyodide bridge's: makes the trades when first read
            trades = items
        elif items and type(items[0]) is tuple:  # the twelve fields in order
            trades = _trades(items)
        else:
            trades = [Trade(*(t[k] for k in TRADE_FIELDS)) for t in items]
        result = cls._from_metrics(
            fast,
            slow,
            [m[name] for name in METRIC_NAMES],
            trades,
            out["equity_curve"],
            out.get("execution_time_ms", 0.0),
            backend,
        )
        object.__setattr__(result, "params", dict(out.get("params") or {}))
        return result

    @classmethod
    def _from_native(cls, item: Sequence[Any], backend: str = "rust") -> BacktestResult:
        """From the compiled engine's tuple (fast, slow, metrics, trades, equity, ms)."""
        fast, slow, metrics, trades, equity, ms = item
        return cls._from_metrics(fast, slow, metrics, _trades(trades), equity, ms, backend)

    @classmethod
    def _from_fallback(cls, fast: int, slow: int, out: dict, ms: float) -> BacktestResult:
        """From the pure-Python engine's dict."""
        # The seed API's results carry the seed's metrics and trade fields on every backend.
        trades = [Trade(*(t[k] for k in SEED_TRADE_FIELDS)) for t in out["trades"]]
        metrics = [out[name] for name in SEED_METRIC_NAMES]
        return cls._from_metrics(fast, slow, metrics, trades, out["equity_curve"], ms, "python")


# Every field's default (the metrics the seed API does not carry are None).
_DEFAULTS = {f.name: f.default for f in fields(BacktestResult) if f.default is not MISSING}
