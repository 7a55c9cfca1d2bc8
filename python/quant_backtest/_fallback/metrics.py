"""Metrics (CONVENTIONS.md, "Metrics" and the strategy engine's table), as an accumulator.

:class:`Metrics` takes one equity push per bar (with its index) and one call per closed
trade, in order, and gives the table in :data:`METRIC_NAMES` order. A push whose equity equals
the previous one changes nothing (its return is exactly 0; drawdown and its duration are the
last bar's), so flat stretches cost nothing but a comparison; the variance adds the zero
returns' squared deviations at the end, as one product.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from .floats import _NAN, _div, _pow

METRIC_NAMES = (
    "total_return",
    "annualized_return",
    "volatility",
    "sharpe_ratio",
    "sortino_ratio",
    "max_drawdown",
    "trade_count",
    "win_rate",
    "buy_and_hold_return",
    "exposure",
    "profit_factor",
    "expectancy",
    "best_trade",
    "worst_trade",
    "max_drawdown_duration",
    "calmar_ratio",
)
INT_METRICS = ("trade_count", "max_drawdown_duration")
SEED_METRIC_NAMES = METRIC_NAMES[:8]


class Metrics:
    """The accumulator of one run over ``n`` bars."""

    def __init__(self, initial_capital: float, periods_per_year: float, n: int) -> None:
        self.initial_capital = initial_capital
        self.periods_per_year = periods_per_year
        self.n = n
        self.prev = initial_capital
        self.first = True  # the peak starts at equity[0]
        self.sum_r = 0.0
        self.downside_sq = 0.0
        self.peak = 0.0
        self.max_drawdown = 0.0
        self.nonzero: list[float] = []  # the non-zero returns, in bar order
        self.below_since: Optional[int] = None  # first bar of the current run below the peak
        self.longest_below = 0
        self.in_market = 0
        # trades
        self.trade_count = 0
        self.wins = 0
        self.gross_profit = 0.0
        self.gross_loss = 0.0
        self.pnl_sum = 0.0
        self.best_trade = _NAN
        self.worst_trade = _NAN
        self.first_close = _NAN
        self.last_close = _NAN

    def push(self, t: int, e: float, in_market: bool = False) -> None:
        """The equity at bar ``t``'s close (``in_market``: a position is open then)."""
        if in_market:
            self.in_market += 1
        if self.first:
            self.first = False
            self.peak = e
        if e == self.prev:
            return  # r == 0 exactly; equity unchanged, so peak and drawdown are unchanged
        prev = self.prev
        r = (e / prev if prev != 0.0 else _div(e, prev)) - 1.0
        self.nonzero.append(r)
        self.sum_r += r
        if r < 0.0:
            self.downside_sq += r * r
        self.prev = e
        if e >= self.peak:
            self.peak = e
            if self.below_since is not None:
                self.longest_below = max(self.longest_below, t - self.below_since)
                self.below_since = None
        else:
            peak = self.peak
            d = 1.0 - (e / peak if peak != 0.0 else _div(e, peak))
            if d > self.max_drawdown:  # mdd = max(mdd, d); a NaN d leaves it, as in Rust
                self.max_drawdown = d
            if self.below_since is None:
                self.below_since = t

    def add_trade(self, pnl: float, return_pct: float) -> None:
        """A closed trade, in trade order."""
        self.trade_count += 1
        if pnl > 0.0:
            self.wins += 1
            self.gross_profit += pnl
        elif pnl < 0.0:
            self.gross_loss -= pnl
        self.pnl_sum += pnl
        if self.trade_count == 1:
            self.best_trade = self.worst_trade = return_pct
        else:
            if return_pct > self.best_trade:
                self.best_trade = return_pct
            if return_pct < self.worst_trade:
                self.worst_trade = return_pct

    def finish_prices(self, first_close: float, last_close: float) -> None:
        self.first_close = first_close
        self.last_close = last_close

    def seed_table(self) -> dict[str, Any]:
        """The first eight metrics (the seed API's), in table order."""
        n = self.n
        count = float(n)
        mean = self.sum_r / count
        sq = 0.0
        for r in self.nonzero:
            d = r - mean
            sq += d * d
        sq += float(n - len(self.nonzero)) * (mean * mean)  # the zero returns, at once
        ann = math.sqrt(self.periods_per_year)
        # n == 1: 0/0 is NaN in Rust; Python would raise, so say it directly.
        std = math.sqrt(sq / (count - 1.0)) if n >= 2 else _NAN
        total_return = self.prev / self.initial_capital - 1.0  # prev is equity[n-1]
        downside = math.sqrt(self.downside_sq / count)
        trades = self.trade_count
        return {
            "total_return": total_return,
            "annualized_return": _pow(1.0 + total_return, self.periods_per_year / count) - 1.0,
            "volatility": std * ann,
            "sharpe_ratio": mean / std * ann if (n >= 2 and std > 0.0) else None,
            "sortino_ratio": mean / downside * ann if downside > 0.0 else None,
            "max_drawdown": self.max_drawdown,
            "trade_count": trades,
            "win_rate": float(self.wins) / float(trades) * 100.0 if trades else 0.0,
        }

    def table(self) -> dict[str, Any]:
        """Every metric, in :data:`METRIC_NAMES` order (None where undefined)."""
        out = self.seed_table()
        trades = self.trade_count
        longest = self.longest_below
        if self.below_since is not None:
            longest = max(longest, self.n - self.below_since)
        mdd = out["max_drawdown"]
        out.update(
            {
                "buy_and_hold_return": self.last_close / self.first_close - 1.0,
                "exposure": float(self.in_market) / float(self.n),
                "profit_factor": (
                    self.gross_profit / self.gross_loss if self.gross_loss != 0.0 else None
                ),
                "expectancy": self.pnl_sum / float(trades) if trades else None,
                "best_trade": self.best_trade if trades else None,
                "worst_trade": self.worst_trade if trades else None,
                "max_drawdown_duration": longest,
                "calmar_ratio": out["annualized_return"] / mdd if mdd != 0.0 else None,
            }
        )
        return out


def _metrics(equity, initial_capital, periods_per_year, trade_count, wins) -> dict:
    """The seed's metrics of an equity curve with ``trade_count`` trades of which ``wins`` won
    (kept for the seed's tests: the accumulator fed bar by bar)."""
    m = Metrics(initial_capital, periods_per_year, len(equity))
    for t, e in enumerate(equity):
        m.push(t, e)
    m.trade_count = trade_count
    m.wins = wins
    return m.seed_table()
