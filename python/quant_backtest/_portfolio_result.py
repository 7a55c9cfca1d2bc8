"""``PortfolioResult``: one portfolio run, the same from every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Sequence

from ._plottable import Plottable
from ._result import METRIC_NAMES, TRADE_FIELDS, _equity

try:
    import numpy as _np
except ImportError:
    _np = None


class PortfolioTrade(NamedTuple):
    """A closed round trip of one asset: its ``symbol``, then a ``Trade``'s fields. Indices and
    ``bars_held`` count the universe's (union) bars."""

    symbol: str
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
    direction: str
    exit_reason: str

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class AssetSummary(NamedTuple):
    """What one asset did: its closed trades, their summed pnl, their win rate (percent) and
    the fraction of the universe's bars that ended with a position in it."""

    symbol: str
    trade_count: int
    pnl: float
    win_rate: float
    exposure: float

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


ASSET_FIELDS = AssetSummary._fields
# The compiled engine's trade columns, in PortfolioTrade's order without the dates.
_COLUMN_ORDER = (
    "symbol",
    "entry_index",
    "exit_index",
    "entry_price",
    "exit_price",
    "size",
    "pnl",
    "return_pct",
    "bars_held",
    "direction",
    "exit_reason",
)


@dataclass(frozen=True)
class PortfolioResult(Plottable):
    """One portfolio run: every metric of SPEC part 4 on the portfolio's equity (returns and
    drawdown as fractions, ``win_rate`` a percent, ``buy_and_hold_return`` the assets' mean),
    every trade with its symbol, the per-asset breakdown, and per union date the equity, the
    cash and the signed value of each asset's position."""

    total_return: float
    annualized_return: float
    volatility: float
    sharpe_ratio: Optional[float]
    sortino_ratio: Optional[float]
    max_drawdown: float
    trade_count: int
    win_rate: float
    buy_and_hold_return: float
    exposure: float
    profit_factor: Optional[float]
    expectancy: Optional[float]
    best_trade: Optional[float]
    worst_trade: Optional[float]
    max_drawdown_duration: int
    calmar_ratio: Optional[float]
    trades: list[PortfolioTrade] = field(repr=False)
    assets: list[AssetSummary] = field(repr=False)
    dates: tuple[str, ...] = field(repr=False)
    equity_curve: Sequence[float] = field(repr=False)
    cash: Sequence[float] = field(repr=False)
    position_values: dict[str, Sequence[float]] = field(repr=False)
    params: dict = field(default_factory=dict)
    execution_time_ms: float = 0.0
    backend: str = "rust"

    @classmethod
    def _from_output(
        cls, out: dict, backend: str, dates: Sequence[str], symbols: Sequence[str]
    ) -> PortfolioResult:
        """From either engine's output on a universe of ``symbols`` over ``dates``: the
        compiled engine's columns (trades made when first read), or the fallback's dicts."""
        m = out["metrics"]
        values: dict[str, Any] = {name: m[name] for name in METRIC_NAMES}
        values["assets"] = [AssetSummary(*(a[k] for k in ASSET_FIELDS)) for a in out["assets"]]
        values["dates"] = tuple(dates)
        values["equity_curve"] = _equity(out["equity_curve"])
        values["cash"] = _equity(out["cash"])
        if "position_rows" in out:
            rows = out["position_rows"]
            if _np is not None and isinstance(rows, _np.ndarray):
                rows.setflags(write=False)
                columns = {s: rows[:, i] for i, s in enumerate(symbols)}
            else:
                columns = {s: [row[i] for row in rows] for i, s in enumerate(symbols)}
            values["position_values"] = columns
            values["_trade_columns"] = (out["trades"], out["labels"], tuple(symbols))
        else:
            values["position_values"] = {k: _equity(v) for k, v in out["position_values"].items()}
            values["trades"] = [
                PortfolioTrade(t["symbol"], *(t[k] for k in TRADE_FIELDS)) for t in out["trades"]
            ]
        values["params"] = dict(out.get("params") or {})
        values["execution_time_ms"] = out.get("execution_time_ms", 0.0)
        values["backend"] = backend
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", values)
        return result

    def __getattr__(self, name: str) -> Any:
        # Only for names missing from __dict__: the trades, made from columns when first read.
        source = self.__dict__.get("_trade_columns")
        if name != "trades" or source is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        columns, (sides, reasons), symbols = source
        dates = self.dates
        plain = {k: v.tolist() if hasattr(v, "tolist") else list(v) for k, v in columns.items()}
        trades = [
            PortfolioTrade(
                symbols[s],
                ei,
                xi,
                dates[ei],
                dates[xi],
                ep,
                xp,
                q,
                pnl,
                r,
                held,
                sides[d],
                reasons[x],
            )  # fmt: skip
            for s, ei, xi, ep, xp, q, pnl, r, held, d, x in zip(*(plain[k] for k in _COLUMN_ORDER))
        ]
        self.__dict__["trades"] = trades
        del self.__dict__["_trade_columns"]
        return trades

    @property
    def metrics(self) -> dict[str, Any]:
        """Every metric, in the table's order."""
        return {name: getattr(self, name) for name in METRIC_NAMES}

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values: ready for ``json.dumps``."""

        def plain(values: Any) -> list:
            return values.tolist() if hasattr(values, "tolist") else list(values)

        return {
            **self.metrics,
            "params": dict(self.params),
            "execution_time_ms": self.execution_time_ms,
            "backend": self.backend,
            "trades": [t.to_dict() for t in self.trades],
            "assets": [a.to_dict() for a in self.assets],
            "dates": list(self.dates),
            "equity_curve": plain(self.equity_curve),
            "cash": plain(self.cash),
            "position_values": {k: plain(v) for k, v in self.position_values.items()},
        }

    def assets_frame(self) -> Any:
        """The per-asset breakdown as a DataFrame indexed by symbol (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(list(self.assets), columns=list(ASSET_FIELDS)).set_index("symbol")

    def positions_frame(self) -> Any:
        """Each asset's position value per date, the cash and the equity, as a DataFrame (needs
        pandas)."""
        import pandas as pd

        frame = pd.DataFrame(dict(self.position_values))
        frame["cash"] = self.cash
        frame["equity"] = self.equity_curve
        frame.index = pd.DatetimeIndex(pd.to_datetime(list(self.dates), format="ISO8601"))
        frame.index.name = "date"
        return frame

    def trades_frame(self) -> Any:
        """The trades as a DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(list(self.trades), columns=list(PortfolioTrade._fields))
