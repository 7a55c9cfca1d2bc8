"""The walk-forward's result (SPEC part 12): one row per window and the stitched
out-of-sample run, the same for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ._fallback.metrics import METRIC_NAMES
from ._plottable import Plottable
from ._portfolio_result import PortfolioTrade
from ._result import TRADE_FIELDS, Trade, _equity

# The window table's columns before the params and the metrics.
WINDOW_FIELDS = (
    "window",
    "train_start",
    "train_end",
    "test_start",
    "test_end",
    "train_start_index",
    "train_end_index",
    "test_start_index",
    "test_end_index",
)


@dataclass(frozen=True)
class WalkWindow:
    """One window: its train and test bars (first and last, as indices and dates), the
    params chosen on the train bars, the in-sample metrics and equity of that choice, and the
    out-of-sample run's metrics from ``start_equity`` to ``end_equity``."""

    window: int
    train_start: str
    train_end: str
    test_start: str
    test_end: str
    train_start_index: int
    train_end_index: int
    test_start_index: int
    test_end_index: int
    params: dict
    in_sample: dict
    out_of_sample: dict
    start_equity: float
    end_equity: float
    in_sample_equity: Sequence[float] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in WINDOW_FIELDS}
        out.update(
            params=dict(self.params),
            in_sample=dict(self.in_sample),
            out_of_sample=dict(self.out_of_sample),
            start_equity=self.start_equity,
            end_equity=self.end_equity,
            in_sample_equity=_plain_list(self.in_sample_equity),
        )
        return out


def _plain_list(values: Any) -> list:
    return values.tolist() if hasattr(values, "tolist") else list(values)


@dataclass(frozen=True)
class WalkForwardResult(Plottable):
    """A walk-forward: ``rows`` (a :class:`WalkWindow` per window) and ``windows`` (the same
    as a table: a DataFrame with pandas, else a dict of columns; the metrics prefixed
    ``train_`` and ``test_``), and the out-of-sample runs stitched into one: its metrics as
    attributes (``sharpe_ratio``, ...), ``equity_curve`` (one value per test bar, in order),
    ``equity_index`` and ``equity_dates`` (each value's bar), its ``trades``. On a universe
    the bars are the union's and each trade is a ``PortfolioTrade`` (with its ``symbol``)."""

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
    rows: list[WalkWindow] = field(repr=False)
    equity_curve: Sequence[float] = field(repr=False)
    equity_index: tuple[int, ...] = field(repr=False)
    equity_dates: tuple[str, ...] = field(repr=False)
    trades: list[Any] = field(repr=False)
    names: tuple[str, ...] = ()
    combinations: int = 0
    train: int = 0
    test: int = 0
    step: int = 0
    anchored: bool = False
    maximize: str = "sharpe_ratio"
    execution_time_ms: float = 0.0
    backend: str = "rust"

    @classmethod
    def _from_output(cls, out: dict, backend: str, dates: Sequence[str]) -> WalkForwardResult:
        """From either engine's output (plain values) on bars with ``dates``."""
        m = out["metrics"]
        values: dict[str, Any] = {name: m[name] for name in METRIC_NAMES}
        values["rows"] = [
            WalkWindow(
                **{name: w[name] for name in WINDOW_FIELDS},
                params=dict(w["params"]),
                in_sample=dict(w["in_sample"]),
                out_of_sample=dict(w["out_of_sample"]),
                start_equity=w["start_equity"],
                end_equity=w["end_equity"],
                in_sample_equity=_equity(w["in_sample_equity"]),
            )
            for w in out["windows"]
        ]
        index = tuple(out["equity_index"])
        values["equity_curve"] = _equity(out["equity_curve"])
        values["equity_index"] = index
        values["equity_dates"] = tuple(dates[i] for i in index)
        values["trades"] = [
            PortfolioTrade(t["symbol"], *(t[k] for k in TRADE_FIELDS))
            if "symbol" in t
            else Trade(*(t[k] for k in TRADE_FIELDS))
            for t in out["trades"]
        ]
        for name in ("combinations", "train", "test", "step", "anchored", "maximize"):
            values[name] = out[name]
        values["names"] = tuple(out["names"])
        values["execution_time_ms"] = out.get("execution_time_ms", 0.0)
        values["backend"] = backend
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", values)
        return result

    @property
    def metrics(self) -> dict[str, Any]:
        """The stitched out-of-sample metrics, in the table's order."""
        return {name: getattr(self, name) for name in METRIC_NAMES}

    @property
    def params(self) -> list[dict]:
        """The params chosen for each window, in order."""
        return [dict(w.params) for w in self.rows]

    def windows_columns(self) -> dict[str, list]:
        """The window table as a dict of columns: the bars, each param, every in-sample
        metric (``train_*``) and out-of-sample metric (``test_*``), the test's equity."""
        columns: dict[str, list] = {name: [] for name in WINDOW_FIELDS}
        for name in self.names:
            columns[name] = []
        for prefix in ("train_", "test_"):
            for metric in METRIC_NAMES:
                columns[prefix + metric] = []
        columns["start_equity"] = []
        columns["end_equity"] = []
        for w in self.rows:
            for name in WINDOW_FIELDS:
                columns[name].append(getattr(w, name))
            for name in self.names:
                columns[name].append(w.params[name])
            for metric in METRIC_NAMES:
                columns["train_" + metric].append(w.in_sample[metric])
                columns["test_" + metric].append(w.out_of_sample[metric])
            columns["start_equity"].append(w.start_equity)
            columns["end_equity"].append(w.end_equity)
        return columns

    @property
    def windows(self) -> Any:
        """The window table: a DataFrame indexed by window when pandas is installed (undefined
        metrics NaN), else :meth:`windows_columns`."""
        columns = self.windows_columns()
        try:
            import pandas as pd
        except ImportError:
            return columns
        return pd.DataFrame(columns).set_index("window")

    def equity_frame(self) -> Any:
        """The stitched out-of-sample equity as a pandas Series indexed by date."""
        import pandas as pd

        index = pd.DatetimeIndex(pd.to_datetime(list(self.equity_dates), format="ISO8601"))
        return pd.Series(self.equity_curve, index=index, name="equity")

    def trades_frame(self) -> Any:
        """The stitched trades as a DataFrame (needs pandas; on a universe with ``symbol``
        first)."""
        import pandas as pd

        portfolio = bool(self.trades) and isinstance(self.trades[0], PortfolioTrade)
        columns = PortfolioTrade._fields if portfolio else TRADE_FIELDS
        return pd.DataFrame(list(self.trades), columns=list(columns))

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (the engines' output keys): ready for ``json.dumps``."""
        return {
            "windows": [w.to_dict() for w in self.rows],
            "metrics": self.metrics,
            "equity_curve": _plain_list(self.equity_curve),
            "equity_index": list(self.equity_index),
            "trades": [t.to_dict() for t in self.trades],
            "names": list(self.names),
            "combinations": self.combinations,
            "train": self.train,
            "test": self.test,
            "step": self.step,
            "anchored": self.anchored,
            "maximize": self.maximize,
            "execution_time_ms": self.execution_time_ms,
            "backend": self.backend,
        }
