"""Execution of one asset (CONVENTIONS.md, "Execution"): the per-bar step every run uses.

:class:`Account` holds the state (cash, position, pending order) and :meth:`Account.step`
advances it by one bar, in order: the pending order at the open, the stops, the bar's signals,
the equity at the close. The arithmetic is the CONVENTIONS pseudocode, operation for operation
(``q * p * k + F`` is ``((q * p) * k) + F`` in both languages), so every engine gets the same
doubles. Execution never sees an indicator: only the four order signals of a bar.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .floats import _div, _floor, fmin
from .metrics import Metrics
from .settings import Settings

FLAT, LONG, SHORT = 0, 1, -1

# Orders (what the signals ask for, and the pending order of next_open fills).
OPEN_LONG = "open long"
OPEN_SHORT = "open short"
CLOSE = "close"
REVERSE_TO_LONG = "reverse to long"
REVERSE_TO_SHORT = "reverse to short"


class Account:
    """One asset's account under ``settings``; closed trades go to ``metrics`` (and to
    ``trades`` as dicts when ``dates`` is given)."""

    def __init__(
        self, settings: Settings, metrics: Metrics, dates: Optional[Sequence[str]] = None
    ) -> None:
        s = settings
        self.k = 1.0 + s.commission_rate
        self.m = 1.0 - s.commission_rate
        self.fee = s.fixed_fee
        self.buy_factor = 1.0 + s.slippage
        self.sell_factor = 1.0 - s.slippage
        self.size_type = s.size_type
        self.size = s.size
        self.lot = s.lot_size
        self.fill_close = s.fill == "close"
        self.stop_loss = s.stop_loss
        self.take_profit = s.take_profit
        self.trailing_stop = s.trailing_stop
        self.has_stops = (
            s.stop_loss is not None or s.take_profit is not None or (s.trailing_stop is not None)
        )
        self.metrics = metrics
        self.dates = dates
        self.trades: list[dict[str, Any]] = []
        self.cash = s.initial_capital
        self.pos = FLAT
        self.q = 0.0
        self.entry_index = 0
        self.entry_price = 0.0  # P
        self.basis = 0.0
        self.entry_proceeds = 0.0
        self.best = 0.0
        self.pending: Optional[str] = None

    # -- orders -------------------------------------------------------------------------

    def open(self, side: int, t: int, p: float, available: Optional[float] = None) -> None:
        """A position of ``side`` at ``p``, sized from ``available`` (the cash when None; in a
        portfolio its free cash, or a slot's share of it)."""
        cash = self.cash if available is None else available
        if self.size_type == "percent":
            q = (cash * self.size - self.fee) / (p * self.k)
        elif self.size_type == "value":
            q = (fmin(self.size, cash) - self.fee) / (p * self.k)
        else:  # amount
            q = self.size
            qmax = (cash - self.fee) / (p * self.k)
            if q > qmax:
                q = qmax
        if self.lot > 0.0:
            q = _floor(q / self.lot) * self.lot
        if not q > 0.0:
            return  # no trade, and nothing happens
        self.basis = q * p * self.k + self.fee
        if side == LONG:
            self.cash = self.cash - self.basis
        else:
            self.entry_proceeds = q * p * self.m - self.fee
            self.cash = self.cash + self.entry_proceeds
        self.pos = side
        self.q = q
        self.entry_index = t
        self.entry_price = p
        self.best = p

    def close(self, t: int, p: float, reason: str) -> None:
        q = self.q
        if self.pos == LONG:
            proceeds = q * p * self.m - self.fee
            self.cash = self.cash + proceeds
            pnl = proceeds - self.basis
        else:
            cost = q * p * self.k + self.fee
            self.cash = self.cash - cost
            pnl = self.entry_proceeds - cost
        return_pct = _div(pnl, self.basis)
        self.metrics.add_trade(pnl, return_pct)
        if self.dates is not None:
            self.trades.append(
                {
                    "entry_index": self.entry_index,
                    "exit_index": t,
                    "entry_date": self.dates[self.entry_index],
                    "exit_date": self.dates[t],
                    "entry_price": self.entry_price,
                    "exit_price": p,
                    "size": q,
                    "pnl": pnl,
                    "return_pct": return_pct,
                    "bars_held": t - self.entry_index,
                    "direction": "long" if self.pos == LONG else "short",
                    "exit_reason": reason,
                }
            )
        self.pos = FLAT
        self.q = 0.0

    def execute(self, order: str, t: int, raw: float) -> None:
        """A signal order at the raw price (open or close), slippage applied."""
        self.exit_leg(order, t, raw)
        self.entry_leg(order, t, raw)

    def exit_leg(self, order: str, t: int, raw: float) -> None:
        """What ``order`` closes (every exit of a bar comes before its entries)."""
        if order == CLOSE:
            self.close(
                t, raw * self.sell_factor if self.pos == LONG else raw * self.buy_factor, "signal"
            )
        elif order == REVERSE_TO_SHORT:
            self.close(t, raw * self.sell_factor, "reverse")
        elif order == REVERSE_TO_LONG:
            self.close(t, raw * self.buy_factor, "reverse")

    def entry_leg(self, order: str, t: int, raw: float, available: Optional[float] = None) -> None:
        """What ``order`` opens, sized from ``available`` (see :meth:`open`)."""
        if order == OPEN_LONG or order == REVERSE_TO_LONG:
            self.open(LONG, t, raw * self.buy_factor, available)
        elif order == OPEN_SHORT or order == REVERSE_TO_SHORT:
            self.open(SHORT, t, raw * self.sell_factor, available)

    def reserved(self) -> float:
        """What an open short holds back from the cash (its proceeds and its basis)."""
        return self.entry_proceeds + self.basis if self.pos == SHORT else 0.0

    def wanted(self, le: bool, lx: bool, se: bool, sx: bool) -> Optional[str]:
        """The order the bar's signals ask for, given the position."""
        if self.pos == FLAT:
            if le and not se:
                return OPEN_LONG
            if se and not le:
                return OPEN_SHORT
            return None
        if self.pos == LONG:
            if se:
                return REVERSE_TO_SHORT
            return CLOSE if lx else None
        if le:
            return REVERSE_TO_LONG
        return CLOSE if sx else None

    # -- stops --------------------------------------------------------------------------

    def stops(self, t: int, o: float, h: float, lo: float, opened_at_open: bool) -> bool:
        """Step 2; True when a stop closed the position on this bar."""
        P = self.entry_price
        sl = self.stop_loss
        ts = self.trailing_stop
        tp_frac = self.take_profit
        loss: Optional[float] = None
        reason = "stop_loss"
        if self.pos == LONG:
            if sl is not None:
                loss = P * (1.0 - sl)
            if ts is not None:
                tr = self.best * (1.0 - ts)
                if loss is None or tr > loss:
                    loss, reason = tr, "trailing_stop"
            tp = None if tp_frac is None else P * (1.0 + tp_frac)
            # The loss side whole (a gap through it, then the range), then the profit side.
            if loss is not None and o <= loss and not opened_at_open:
                self.close(t, o, reason)
                return True
            if loss is not None and lo <= loss:
                self.close(t, loss, reason)
                return True
            if tp is not None and o >= tp and not opened_at_open:
                self.close(t, o, "take_profit")
                return True
            if tp is not None and h >= tp:
                self.close(t, tp, "take_profit")
                return True
            if h > self.best:
                self.best = h
            return False
        if sl is not None:
            loss = P * (1.0 + sl)
        if ts is not None:
            tr = self.best * (1.0 + ts)
            if loss is None or tr < loss:
                loss, reason = tr, "trailing_stop"
        tp = None if tp_frac is None else P * (1.0 - tp_frac)
        if loss is not None and o >= loss and not opened_at_open:
            self.close(t, o, reason)
            return True
        if loss is not None and h >= loss:
            self.close(t, loss, reason)
            return True
        if tp is not None and o <= tp and not opened_at_open:
            self.close(t, o, "take_profit")
            return True
        if tp is not None and lo <= tp:
            self.close(t, tp, "take_profit")
            return True
        if lo < self.best:
            self.best = lo
        return False

    # -- the step -----------------------------------------------------------------------

    def step(
        self,
        t: int,
        n: int,
        o: float,
        h: float,
        lo: float,
        c: float,
        le: bool,
        lx: bool,
        se: bool,
        sx: bool,
    ) -> float:
        """Advance by bar ``t`` of ``n``; returns the equity at its close (also pushed to the
        metrics)."""
        opened_at_open = False
        if self.pending is not None:  # 1. the pending order at the open
            was_flat = self.pos == FLAT
            order = self.pending
            self.pending = None
            self.execute(order, t, o)
            opened_at_open = self.pos != FLAT and (was_flat or order != CLOSE)
        stopped = False
        if self.pos != FLAT and self.has_stops:  # 2. stops
            stopped = self.stops(t, o, h, lo, opened_at_open)
        if not stopped:  # 3. signals
            order = self.wanted(le, lx, se, sx)
            if order is not None:
                if self.fill_close:
                    self.execute(order, t, c)
                elif t + 1 < n:  # a next_open order on the last bar never fills
                    self.pending = order
        if self.pos == LONG:  # 4. equity at the close
            equity = self.cash + self.q * c
        elif self.pos == SHORT:
            equity = self.cash - self.q * c
        else:
            equity = self.cash
        self.metrics.push(t, equity, self.pos != FLAT)
        return equity


def simulate(
    columns: dict[str, Sequence[float]],
    signals: tuple,
    settings: Settings,
    dates: Optional[Sequence[str]] = None,
) -> tuple[Account, list[float]]:
    """Run every bar through :meth:`Account.step`. ``columns`` holds float lists ``open``,
    ``high``, ``low``, ``close``; ``signals`` is ``(le, lx, se, sx)``. Returns the account
    (its metrics and, with ``dates``, its trades) and the equity curve (empty without
    ``dates``)."""
    opens, highs, lows, closes = (columns[k] for k in ("open", "high", "low", "close"))
    n = len(closes)
    metrics = Metrics(settings.initial_capital, settings.periods_per_year, n)
    account = Account(settings, metrics, dates)
    le, lx, se, sx = signals
    equity: list[float] = []
    keep = dates is not None
    step = account.step
    for t in range(n):
        e = step(t, n, opens[t], highs[t], lows[t], closes[t], le[t], lx[t], se[t], sx[t])
        if keep:
            equity.append(e)
    metrics.finish_prices(closes[0], closes[n - 1])
    return account, equity
