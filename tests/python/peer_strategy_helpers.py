"""Run the peers with stops, shorts, reversals and fees, and hold the strategy engine against them.

Used by ``test_peers_strategies.py``. A result is anything with ``.trades`` (objects with
entry_index, exit_index, entry_price, exit_price, size, pnl, return_pct, direction
``"long"``/``"short"``, exit_reason), ``.equity_curve`` and ``.total_return`` (SPEC part 3), so
the same checks run on the Rust backend, the pure-Python fallback, or a throwaway reference.
Tolerance: 1e-9 relative (``peer_helpers.close_rel``), never looser. Where a peer's rule
differs from ours the tests construct the case and assert the difference exactly.

What the peers do, read from their sources (vectorbt 1.2.0: ``vectorbt/portfolio/nb.py``
``simulate_from_signals_nb``, ``get_stop_price_nb``, ``signals_to_size_nb``, ``buy_nb``,
``sell_nb``, ``get_exit_trades_nb``, defaults in ``_settings.py``; backtesting.py 0.6.6:
``backtesting/backtesting.py`` ``_Broker._process_orders``, ``new_order``, ``Trade.close``,
``_open_trade``, ``_close_trade``), against CONVENTIONS.md "Execution". "Same" means the same
amounts; the rounding order may differ by a few ulps.

vectorbt ``Portfolio.from_signals`` with ``price=close`` (our ``fill="close"``)
  * Stop reference: ``stop_entry_price`` (default ``"close"``) is the entry bar's close WITHOUT
    slippage; ``"fillprice"`` is the fill price with slippage, which is our ``P``. The tests
    pass ``"fillprice"``; ``test_slippage_stop_reference_differs_from_vectorbt_default`` shows
    the default differs once slippage > 0.
  * Stop fill: ``stop_exit_price="stoplimit"`` (default) fills at the level with slippage 0, or
    at the open when the bar opens beyond it (``get_stop_price_nb``): ours, exactly.
  * Levels: long ``ref*(1-sl_stop)``, ``ref*(1+tp_stop)``; short ``ref*(1+sl)``, ``ref*(1-tp)``:
    our expressions, so the levels are bit-equal.
  * Trailing: ``sl_trail=True`` makes the one stop loss trailing (vectorbt has no fixed and
    trailing stop together). Each bar it checks the level of the reference BEFORE the bar, then
    raises the reference to the bar's high (short: lowers it to the low): our ``best``. The
    entry bar is not checked and its high does not move the reference (the entry happens after
    the bar's stop check): ours with fill="close".
  * Stop loss before take profit: vectorbt resolves the stop loss completely (gap at the open,
    then ``low <= sl <= high``) and only then the take profit. Ours checks both gaps first
    (``open <= loss``, then ``open >= tp``), then intrabar. They differ on a bar that opens at
    or beyond the take profit and then trades through the loss level: vectorbt exits at the
    loss level, ours at the open with ``take_profit``
    (``test_stop_loss_and_take_profit_on_one_bar_differs_from_both_peers``).
  * A bar on which a stop exits takes no user signal (the stop signal replaces them,
    ``upon_stop_exit="close"``): ours.
  * Conflicts: entry and exit of one side on one bar do nothing (``upon_long_conflict`` /
    ``upon_short_conflict`` ``"ignore"``): our ``le = entry and not exit``. Long and short entry
    on one bar: flat, neither (``upon_dir_conflict="ignore"``): ours; while long (or short),
    vectorbt still drops both entries, ours reverses (``se`` wins while long)
    (``test_long_and_short_entry_on_one_bar_while_long_differs_from_vectorbt``).
  * Reversal: an opposite entry (``upon_opposite_entry="reversereduce"``, accumulate off) is ONE
    order of size ``|position| + new``: ``fixed_fees`` is charged once for both legs and that
    order's fees are split between the closed trade and the new one pro rata by size. Ours
    closes and opens: two orders, F twice. With ``size=np.inf`` the new short after a long is
    ``(cash + q*p*(1-fees) - F) / (p*(1+fees))`` in vectorbt, ``(cash + q*p*m - 2F) / (p*k)``
    in ours: the same when F == 0 (``test_both_with_reversals_matches_vectorbt``), different
    by ``F / (p*k)`` otherwise (``test_fixed_fee_on_reversal_differs_from_vectorbt``).
  * Sizing ``size=np.inf`` (amount): long ``(cash - F)/(1+fees)/adj_price``, short (``-inf`` =
    100 % short) ``(free_cash - F)/(adj_price*(1+fees))`` with free_cash == cash when flat: our
    percent sizing with ``size=1``. ``size_type="percent"``: long ``(pct*cash - F)/(1+fees)/adj``
    (ours), short ``pct*(cash - F)/(adj*(1+fees))``: ours is ``(pct*cash - F)/(p*k)``, the same
    only when F == 0 or pct == 1 (``test_percent_short_with_fixed_fee_differs_from_vectorbt``).
    vectorbt refuses percent sizes on a reversal (ValueError), so no percent test reverses.
  * Fees: ``fees`` on ``size*adj_price`` and ``fixed_fees`` per order, ``adj_price =
    price*(1±slippage)``: ours per open/close. Short cash: ``cash += size*adj*(1-fees) - F``
    (plus debt bookkeeping); value = cash + position*close: our equity.
  * Trade records: entry/exit prices are the slipped prices; ``pnl = ±size*(exit-entry) -
    entry_fees - exit_fees``; ``return = pnl/(size*entry_price)`` (fees not in the base, so we
    compare ours with ``pnl/(size*entry_price + entry_fees)``); open trades have status Open
    (dropped); there is no exit-reason field, so it is inferred (``_vectorbt_exit_reasons``).

backtesting.py ``Backtest`` with ``trade_on_close=False`` (our ``fill="next_open"``)
  * Market orders placed in ``next()`` at bar t fill at ``open[t+1]`` (``trade_on_close=True``:
    at ``close[t]``); ``next()`` first runs at bar ``1 + indicator warmup`` (bar 1 here: the
    signals are plain arrays, never true at bar 0).
  * Sizes: a fraction in (0, 1) becomes ``int(margin_available*f // (adj + (F + f*adj*c)/f))``
    units (the fixed fee divided by the fraction); an integer is taken as is. The harness
    passes our ``floor((cash - F)/(open*(1+c)))``, computed from the fill bar's open (look-ahead
    used only to size, as our engine sizes at the fill) and asserts each quotient sits far from
    an integer (``peer_helpers.MIN_LOT_DISTANCE``).
  * Commission ``(F, c)``: ``F + |size|*price*c`` at the entry and again at the exit: our basis
    ``q*p*k + F`` and proceeds ``q*p*m - F``.
  * Spread (not compared): only the opening fill is adjusted; trades close at the raw price.
    Our slippage moves every signal fill.
  * Shorts: ``sell(size=q)``; the cash is not credited with the proceeds, equity = cash +
    size*(close - entry): our ``cash - q*close`` with proceeds credited, the same amount.
  * sl / tp: absolute prices, validated against the signal bar's close (long needs ``sl <
    close[t] < tp``, else ValueError; the harness asserts that holds). The harness passes
    ``open[t+1]*(1 -/+ stop)``: our levels from ``P``, bit-equal. SL is a stop order hit when
    ``low <= sl`` (short ``high >= sl``) filling at ``min(open, sl)`` (``max``); TP a limit hit
    when ``high >= tp`` filling at ``max(open, tp)``: our gap/intrabar prices. SL orders sit at
    the queue front, so SL wins when both are hit on one bar, even when the bar opens beyond
    the TP (ours: the TP at the open; see vectorbt above).
  * Entry bar: after a market fill with sl/tp the queue is processed again, so the stops can
    hit on the entry bar (intrabar): ours ("opened at this bar's open" skips only the gap
    checks, which cannot hit there).
  * A pending close (``Trade.close()`` inserts its order at the queue front) fills at the open
    before any SL is looked at: our step 1 before step 2. A pending opposite entry with
    ``exclusive_orders=False`` lets the old trade's SL go first; ``exclusive_orders=True`` puts
    the closes first: ours. The harness uses ``exclusive_orders=True``.
  * Stop bars: the broker runs before ``next()``, so a backtesting.py strategy may act on the
    signals of a bar where a stop exited; ours does not. The harness strategy skips them (it
    follows our decision table; what is compared is the broker's execution).
  * No percent trailing stop (``lib.TrailingStrategy`` is ATR-based from closes): not compared.
  * ``finalize_trades=False``: a trade open at the end stays out of ``_trades``: ours.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence

import numpy as np
import pandas as pd

from peer_helpers import MIN_LOT_DISTANCE, MIN_SMA_GAP, close_rel

# A stop decision (``low <= level``) is bit-equal in every implementation because the levels
# are the same expressions; this guard still keeps every bar's high/low out of rounding
# distance of an active level, so that a future change in how a level is rounded cannot flip
# a decision silently.
MIN_STOP_GAP = 1e-12


@dataclass
class Bars:
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    index: pd.DatetimeIndex

    def __len__(self) -> int:
        return len(self.close)

    def frame(self) -> pd.DataFrame:
        """backtesting.py's input: capitalised OHLCV columns on a DatetimeIndex."""
        return pd.DataFrame(
            {
                "Open": self.open,
                "High": self.high,
                "Low": self.low,
                "Close": self.close,
                "Volume": np.zeros(len(self)),
            },
            index=self.index,
        )


def bars_of(data: Any) -> Bars:
    """The OHLC arrays of a MarketData (or anything with open/high/low/close/dates)."""
    return Bars(
        open=np.asarray(data.open, dtype=float),
        high=np.asarray(data.high, dtype=float),
        low=np.asarray(data.low, dtype=float),
        close=np.asarray(data.close, dtype=float),
        index=pd.DatetimeIndex(pd.to_datetime(list(data.dates))),
    )


def exact_sma(values: np.ndarray, period: int) -> np.ndarray:
    """The window mean with an exactly rounded sum; NaN before ``period-1``."""
    out = np.full(len(values), np.nan)
    for t in range(period - 1, len(values)):
        out[t] = math.fsum(values[t - period + 1 : t + 1]) / period
    return out


def sma_cross_signals(close: np.ndarray, fast: int, slow: int):
    """SPEC's strict crossover of two SMAs (up, down), asserting no near-tie decides a bar."""
    f = exact_sma(close, fast)
    s = exact_sma(close, slow)
    gap = np.abs(f[slow - 1 :] - s[slow - 1 :]) / s[slow - 1 :]
    assert gap.min() > MIN_SMA_GAP, f"SMA({fast}) and SMA({slow}) nearly tie: {gap.min():.3e}"
    up = np.zeros(len(close), dtype=bool)
    down = np.zeros(len(close), dtype=bool)
    up[slow:] = (f[slow - 1 : -1] < s[slow - 1 : -1]) & (f[slow:] > s[slow:])
    down[slow:] = (f[slow - 1 : -1] > s[slow - 1 : -1]) & (f[slow:] < s[slow:])
    assert up.sum() >= 5 and down.sum() >= 5, "too few crosses to mean anything"
    return up, down


@dataclass
class PeerTrade:
    entry_index: int
    exit_index: int
    entry_price: float
    exit_price: float
    size: float
    pnl: float
    direction: str
    exit_reason: str
    entry_cost: float  # size * entry_price + entry fees: our basis


@dataclass
class PeerRun:
    trades: List[PeerTrade]
    equity: np.ndarray
    total_return: float
    open_count: int
    raw: Any = None
    notes: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# vectorbt
# --------------------------------------------------------------------------------------------


def _none_or(value: Optional[float]) -> float:
    return np.nan if value is None else float(value)


def run_vectorbt(
    bars: Bars,
    entries: Optional[np.ndarray],
    exits: Optional[np.ndarray],
    short_entries: Optional[np.ndarray] = None,
    short_exits: Optional[np.ndarray] = None,
    *,
    init_cash: float,
    fees: float,
    fixed_fees: float = 0.0,
    slippage: float = 0.0,
    sl_stop: Optional[float] = None,
    tp_stop: Optional[float] = None,
    sl_trail: bool = False,
    size: float = np.inf,
    size_type: str = "amount",
    stop_entry_price: str = "fillprice",
) -> PeerRun:
    """``Portfolio.from_signals`` in its long/short signal mode, filling at the close."""
    with warnings.catch_warnings():
        # numba's own deprecation warnings while it compiles on a cold cache.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import vectorbt as vbt
        from vectorbt.portfolio.enums import TradeStatus

        n = len(bars)
        none = np.zeros(n, dtype=bool)

        def series(a):
            return pd.Series(none if a is None else np.asarray(a, dtype=bool), index=bars.index)

        close = pd.Series(bars.close, index=bars.index)
        pf = vbt.Portfolio.from_signals(
            close,
            series(entries),
            series(exits),
            short_entries=series(short_entries),
            short_exits=series(short_exits),
            open=pd.Series(bars.open, index=bars.index),
            high=pd.Series(bars.high, index=bars.index),
            low=pd.Series(bars.low, index=bars.index),
            # Fill at close[t] of the signal bar: our fill="close".
            price=close,
            sl_stop=_none_or(sl_stop),
            sl_trail=sl_trail,
            tp_stop=_none_or(tp_stop),
            # Our P: the fill price with slippage (vectorbt's default is the raw close).
            stop_entry_price=stop_entry_price,
            # The level (or the open on a gap), no slippage: our stop fill.
            stop_exit_price="stoplimit",
            upon_stop_exit="close",
            # Spelled out defaults: one position, no pyramiding, conflicts do nothing,
            # an opposite entry reverses.
            accumulate=False,
            upon_long_conflict="ignore",
            upon_short_conflict="ignore",
            upon_dir_conflict="ignore",
            upon_opposite_entry="reversereduce",
            size=size,
            size_type=size_type,
            fees=fees,
            fixed_fees=fixed_fees,
            slippage=slippage,
            size_granularity=np.nan,  # fractional: our lot_size=0
            lock_cash=False,
            init_cash=init_cash,
            freq="1D",
            engine="numba",
        )
        rec = pf.trades.records
        value = np.asarray(pf.value(), dtype=float)
        total_return = float(pf.total_return())
    closed = rec[rec["status"] == TradeStatus.Closed].reset_index(drop=True)
    # Records are in time order; only the last one can be Open, and it can be the successor
    # that shows a reversal.
    reasons = _vectorbt_exit_reasons(
        rec, bars, exits, short_exits, slippage, sl_stop, tp_stop, sl_trail
    )[: len(closed)]
    trades = [
        PeerTrade(
            entry_index=int(r.entry_idx),
            exit_index=int(r.exit_idx),
            entry_price=float(r.entry_price),
            exit_price=float(r.exit_price),
            size=float(r.size),
            pnl=float(r.pnl),
            direction="long" if int(r.direction) == 0 else "short",
            exit_reason=reason,
            entry_cost=float(r.size * r.entry_price + r.entry_fees),
        )
        for r, reason in zip(closed.itertuples(index=False), reasons)
    ]
    return PeerRun(
        trades=trades,
        equity=value,
        total_return=total_return,
        open_count=int((rec["status"] == TradeStatus.Open).sum()),
        raw=pf,
    )


def _vectorbt_exit_reasons(records, bars, exits, short_exits, slippage, sl_stop, tp_stop, trail):
    """vectorbt records no exit reason: a trade whose successor opens on its exit bar was
    reversed; one that left at the slipped close on a bar with its exit signal, by the signal;
    any other exit is a stop, named by which stops were set (long below its entry price: the
    loss side; at or above: the profit side)."""
    reasons = []
    rows = list(records.itertuples(index=False))
    for k, r in enumerate(rows):
        if k == len(rows) - 1 and int(r.status) == 0:  # TradeStatus.Open: still open
            reasons.append("open")
            continue
        long_ = int(r.direction) == 0
        t = int(r.exit_idx)
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        signal_array = exits if long_ else short_exits
        signal_price = bars.close[t] * ((1.0 - slippage) if long_ else (1.0 + slippage))
        if nxt is not None and int(nxt.entry_idx) == t:
            reasons.append("reverse")
        elif signal_array is not None and bool(signal_array[t]) and r.exit_price == signal_price:
            reasons.append("signal")
        else:
            loss_side = (r.exit_price < r.entry_price) if long_ else (r.exit_price > r.entry_price)
            if tp_stop is None or (sl_stop is not None and loss_side):
                assert sl_stop is not None, f"trade {k} left by a stop but none was set"
                reasons.append("trailing_stop" if trail else "stop_loss")
            else:
                reasons.append("take_profit")
    return reasons


# --------------------------------------------------------------------------------------------
# backtesting.py
# --------------------------------------------------------------------------------------------


def run_backtesting(
    bars: Bars,
    entries: Optional[np.ndarray],
    exits: Optional[np.ndarray],
    short_entries: Optional[np.ndarray] = None,
    short_exits: Optional[np.ndarray] = None,
    *,
    cash: float,
    commission: float,
    fixed_fee: float = 0.0,
    stop_loss: Optional[float] = None,
    take_profit: Optional[float] = None,
) -> PeerRun:
    """A backtesting.py strategy that takes our decisions (CONVENTIONS' order table) from the
    signal arrays and leaves the execution to backtesting.py's broker: next-open market
    orders, whole units, sl/tp bracket orders, commission ``(fixed_fee, commission)``."""
    from backtesting import Backtest, Strategy

    n = len(bars)
    none = np.zeros(n, dtype=bool)
    le_in = none if entries is None else np.asarray(entries, dtype=bool)
    lx_in = none if exits is None else np.asarray(exits, dtype=bool)
    se_in = none if short_entries is None else np.asarray(short_entries, dtype=bool)
    sx_in = none if short_exits is None else np.asarray(short_exits, dtype=bool)
    assert not (le_in[0] or se_in[0]), "backtesting.py's next() never sees bar 0"
    opens = bars.open
    k_ = 1.0 + commission
    log = {"signal_exits": set(), "lot_distances": [], "bracket_checks": 0}

    class SignalStrategy(Strategy):
        def init(self):
            pass

        def _stopped_at(self, t: int) -> bool:
            """A trade left at bar t by its SL/TP: opened at t, or not closed by our order."""
            for trade in reversed(self.closed_trades):
                if trade.exit_bar != t:
                    break
                if trade.entry_bar == t or t not in log["signal_exits"]:
                    return True
            return False

        def _units(self, cash_at_fill: float, fill_open: float) -> int:
            x = (cash_at_fill - fixed_fee) / (fill_open * k_)
            q = math.floor(x)
            if q >= 1:
                log["lot_distances"].append(min(x - q, q + 1 - x) / x)
            return q

        def _bracket(self, side: int, fill_open: float, signal_close: float):
            sl = tp = None
            if stop_loss is not None:
                sl = fill_open * (1.0 - stop_loss) if side > 0 else fill_open * (1.0 + stop_loss)
            if take_profit is not None:
                tp = (
                    fill_open * (1.0 + take_profit) if side > 0 else fill_open * (1.0 - take_profit)
                )
            # backtesting.py validates the bracket against the signal bar's close.
            lo, hi = (sl, tp) if side > 0 else (tp, sl)
            assert (lo or -math.inf) < signal_close < (hi or math.inf), (
                f"bracket {lo}..{hi} around close {signal_close}: backtesting.py would refuse it"
            )
            log["bracket_checks"] += 1
            return sl, tp

        def next(self):
            t = len(self.data) - 1
            pos = self.position.size
            now = 0 if pos == 0 else (1 if pos > 0 else -1)
            if self._stopped_at(t) or t + 1 >= n:
                return  # a stop bar takes no signal; a last-bar order would never fill
            le = le_in[t] and not lx_in[t]
            lx = lx_in[t] and not le_in[t]
            se = se_in[t] and not sx_in[t]
            sx = sx_in[t] and not se_in[t]
            fill_open = opens[t + 1]
            close_t = self.data.Close[-1]
            if now == 0:
                if le and not se:
                    self._open(1, self.equity, fill_open, close_t)
                elif se and not le:
                    self._open(-1, self.equity, fill_open, close_t)
            elif (now > 0 and se) or (now < 0 and le):
                # Reverse: the cash after the close at the next open sizes the new side.
                after = (
                    self.equity
                    + pos * (fill_open - close_t)
                    - (fixed_fee + abs(pos) * fill_open * commission)
                )
                log["signal_exits"].add(t + 1)
                self._open(-now, after, fill_open, close_t, reverse=True)
            elif (now > 0 and lx) or (now < 0 and sx):
                log["signal_exits"].add(t + 1)
                self.position.close()

        def _open(self, side, cash_at_fill, fill_open, close_t, reverse=False):
            q = self._units(cash_at_fill, fill_open)
            if q < 1:
                if reverse:
                    self.position.close()
                return
            sl, tp = self._bracket(side, fill_open, close_t)
            # exclusive_orders=True closes the open trade first (its order goes to the queue
            # front), then this order opens the new side at the same open.
            if side > 0:
                self.buy(size=q, sl=sl, tp=tp)
            else:
                self.sell(size=q, sl=sl, tp=tp)

    bt = Backtest(
        bars.frame(),
        SignalStrategy,
        cash=cash,
        commission=(fixed_fee, commission),
        spread=0.0,
        margin=1.0,
        trade_on_close=False,
        hedging=False,
        exclusive_orders=True,
        finalize_trades=False,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = bt.run()
    cancelled = [str(w.message) for w in caught if "cancel" in str(w.message)]
    assert not cancelled, cancelled
    for d in log["lot_distances"]:
        assert d > MIN_LOT_DISTANCE, f"a whole-unit size sits on a lot boundary ({d:.3e})"
    peer = stats._trades.reset_index(drop=True)
    rows = list(peer.itertuples(index=False))
    trades = []
    for k, r in enumerate(rows):
        long_ = r.Size > 0
        size = float(abs(r.Size))
        t = int(r.ExitBar)
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        if nxt is not None and int(nxt.EntryBar) == t and t in log["signal_exits"]:
            reason = "reverse"
        elif t in log["signal_exits"] and r.ExitPrice == bars.open[t]:
            reason = "signal"
        else:
            loss_side = (r.ExitPrice < r.EntryPrice) if long_ else (r.ExitPrice > r.EntryPrice)
            reason = "stop_loss" if loss_side else "take_profit"
        entry_fee = fixed_fee + size * float(r.EntryPrice) * commission
        trades.append(
            PeerTrade(
                entry_index=int(r.EntryBar),
                exit_index=t,
                entry_price=float(r.EntryPrice),
                exit_price=float(r.ExitPrice),
                size=size,
                pnl=float(r.PnL),
                direction="long" if long_ else "short",
                exit_reason=reason,
                entry_cost=size * float(r.EntryPrice) + entry_fee,
            )
        )
    equity = stats._equity_curve["Equity"].to_numpy(dtype=float)
    return PeerRun(
        trades=trades,
        equity=equity,
        total_return=float(equity[-1] / cash - 1.0),
        open_count=len(stats._strategy.trades),
        raw=stats,
        notes=[f"bracket checks: {log['bracket_checks']}"],
    )


# --------------------------------------------------------------------------------------------
# Comparisons
# --------------------------------------------------------------------------------------------


def assert_trade_matches(ours: Any, theirs: PeerTrade, what: str) -> None:
    assert ours.entry_index == theirs.entry_index, f"{what} entry bar"
    assert ours.exit_index == theirs.exit_index, f"{what} exit bar"
    assert ours.direction == theirs.direction, f"{what} direction"
    assert ours.exit_reason == theirs.exit_reason, (
        f"{what} exit reason: ours {ours.exit_reason}, peer {theirs.exit_reason}"
    )
    close_rel(ours.entry_price, theirs.entry_price, f"{what} entry price")
    close_rel(ours.exit_price, theirs.exit_price, f"{what} exit price")
    close_rel(ours.size, theirs.size, f"{what} size")
    close_rel(ours.pnl, theirs.pnl, f"{what} pnl")
    close_rel(ours.return_pct, theirs.pnl / theirs.entry_cost, f"{what} return_pct")


def assert_matches(result: Any, peer: PeerRun, initial_capital: float, who: str) -> dict:
    """Same closed trades, equity curve and total return, to REL_TOL. Returns counts."""
    trades = list(result.trades)
    assert len(trades) == len(peer.trades), (
        f"{who}: closed trades ours {len(trades)}, peer {len(peer.trades)}; first difference "
        f"at {first_difference(trades, peer.trades)}"
    )
    for k, (ours, theirs) in enumerate(zip(trades, peer.trades)):
        assert_trade_matches(ours, theirs, f"{who} trade {k}")
    equity = np.asarray(list(result.equity_curve), dtype=float)
    assert equity.shape == peer.equity.shape
    for t in range(len(equity)):
        close_rel(equity[t], peer.equity[t], f"{who} equity[{t}]")
    close_rel(result.total_return, peer.total_return, f"{who} total_return")
    close_rel(result.total_return, equity[-1] / initial_capital - 1.0, f"{who} total_return")
    return reason_counts(trades)


def first_difference(ours: Sequence[Any], theirs: Sequence[PeerTrade]) -> Optional[int]:
    """Index of the first trade that differs (bars, direction, reason or amounts); None if
    every trade of the shorter list matches."""
    for k, (a, b) in enumerate(zip(ours, theirs)):
        try:
            assert_trade_matches(a, b, f"trade {k}")
        except AssertionError:
            return k
    return None if len(ours) == len(theirs) else min(len(ours), len(theirs))


def reason_counts(trades: Sequence[Any]) -> dict:
    counts: dict = {}
    for t in trades:
        key = (t.direction, t.exit_reason)
        counts[key] = counts.get(key, 0) + 1
    return counts


def assert_stop_decisions_clear(result: Any, bars: Bars, settings: dict, fill: str) -> float:
    """Every bar a position was checked, its open/low/high stays out of rounding distance of
    each active level (the levels recomputed from our trades, CONVENTIONS step 2). Returns the
    closest relative distance seen."""
    sl = settings.get("stop_loss")
    tp = settings.get("take_profit")
    tr = settings.get("trailing_stop")
    closest = math.inf
    for trade in result.trades:
        long_ = trade.direction == "long"
        best = trade.entry_price
        # fill="close": the entry bar is not checked; next_open: it is, without its open.
        first = trade.entry_index + 1 if fill == "close" else trade.entry_index
        for t in range(first, trade.exit_index + 1):
            levels = []
            if sl is not None:
                levels.append(trade.entry_price * ((1.0 - sl) if long_ else (1.0 + sl)))
            if tr is not None:
                levels.append(best * ((1.0 - tr) if long_ else (1.0 + tr)))
            if tp is not None:
                levels.append(trade.entry_price * ((1.0 + tp) if long_ else (1.0 - tp)))
            prices = (bars.low[t], bars.high[t])
            if t != trade.entry_index:
                prices += (bars.open[t],)
            for level in levels:
                for price in prices:
                    gap = abs(price - level) / level
                    closest = min(closest, gap)
                    assert gap > MIN_STOP_GAP, f"bar {t}: a price within {gap:.1e} of a stop"
            best = max(best, bars.high[t]) if long_ else min(best, bars.low[t])
    return closest
