"""Run the real peers (vectorbt, backtesting.py) and hold our results against them.

Used by ``test_peers.py``. Nothing here knows which engine produced a result: a result is
anything with ``.trades`` (objects with entry_index, exit_index, entry_date, exit_date,
entry_price, exit_price, size, pnl, return_pct, bars_held), ``.equity_curve`` and
``.total_return``, as SPEC.md describes. So the same checks run on the Rust backend, on the
pure-Python fallback, and on any throwaway reference one wants to validate the harness with.

Tolerance: 1e-9 relative (``math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)``), never looser.
Where a peer's semantics differ from ours (see the notes on each function), the data must sit
where the two agree, and we *assert* that it does instead of widening the tolerance.

What the peers do, read from their sources (vectorbt 1.2.0, backtesting.py 0.6.6):

SMA
  * ours: Neumaier-compensated rolling sum / p (CONVENTIONS.md), defined from ``t = p-1``.
  * vectorbt ``MA`` (``generic/nb.py::rolling_mean_1d_nb``, ``minp=window``): a running
    *uncompensated* cumulative sum, ``(cumsum[t] - cumsum[t-p]) / p``; NaN before ``p-1``.
  * backtesting.py's ``SMA`` (``backtesting/test/__init__.py``): pandas
    ``Series.rolling(n).mean()``; NaN before ``p-1``.
  Same definition, different rounding (a few 1e-14 relative on these series), so a comparison
  ``fast > slow`` can only disagree where ``|fast - slow|`` is at rounding level. We assert that
  the gap never gets near that (``MIN_SMA_GAP``, relative to the slow SMA).

Crossovers
  * ours (SPEC): up at ``t >= slow``: ``fast[t-1] < slow[t-1] and fast[t] > slow[t]``; down the
    mirror. Strict on both bars.
  * backtesting.py ``lib.crossover(a, b)``: ``a[-2] < b[-2] and a[-1] > b[-1]``: the same.
  * vectorbt ``crossed_above_1d_nb``: fires at the first bar with ``a > b`` after *some* bar with
    ``a < b``; a bar with ``a == b`` resets the "crossed ago" counter but not "was below". So
    below, equal, above fires at "above" (ours: no), and above, equal, above fires too (ours: no).
    The two agree exactly when ``fast != slow`` on every bar where both are defined; we assert
    that, and that vectorbt's signals equal the strict rule bar for bar.

First signal bar
  * ours: ``t >= slow_period`` (the first bar with a defined previous slow SMA).
  * vectorbt: the slow MA is NaN before ``slow-1``, and at ``slow-1`` "was below" is still False,
    so its first possible signal is also ``slow``.
  * backtesting.py: ``Backtest.run`` starts calling ``Strategy.next`` at bar
    ``1 + warmup`` where warmup = first non-NaN bar of the laggiest indicator = ``slow-1``,
    i.e. also ``slow``. We record and assert it.

Sizing and commissions
  * ours: ``q = cash / (price * (1 + c))``, floored to ``lot_size`` when > 0; buying costs
    ``q * price * (1 + c)``; selling returns ``q * price * (1 - c)``.
  * vectorbt ``buy_nb`` with ``size=np.inf``: the request exceeds the cash, so
    ``max_req_cash = cash / (1 + fees)``, ``size = max_req_cash / price``, ``fees = cash -
    max_req_cash`` and the cash goes to exactly 0. ``sell_nb``: ``size * price - size * price *
    fees``. The same amounts, rounded in a different order (ulps).
  * backtesting.py: a fractional ``size`` (the default ``buy()`` passes ``1 - 2**-52``, shown as
    ``.9999``) becomes ``int(margin_available * size // (price + commission(size, price) /
    size))`` units, margin_available being the equity (= cash when flat, margin=1). An integer
    ``size`` is taken as is (cancelled if ``size * (price + price * c)`` exceeds the cash). The
    commission ``|size| * price * c`` is taken from the cash at entry and again at exit; a closed
    trade's PnL is ``size * (exit - entry) - both commissions``. Ours and theirs are the same
    floor of the same quotient except within ~1e-15 relative of an integer; we assert that each
    of our buys is far from such a boundary (``MIN_LOT_DISTANCE``).

Equity
  * ours: ``cash + size * close[t]``, no exit commission.
  * vectorbt ``Portfolio.value()``: ``cash + position * close``: the same.
  * backtesting.py: ``cash + size * (close - entry_price)`` where its cash has only been charged
    the commission at entry: the same amount. Bars before the first ``next`` are back-filled
    with the initial cash (ours: the initial cash, nothing happened yet).
  Open positions at the end: ours keep them out of ``trades`` but in the equity. vectorbt lists
  them with status Open (we drop those); backtesting.py with ``finalize_trades=False`` keeps them
  in ``Strategy.trades``, not in ``_trades``.

Trade return
  ours ``return_pct = pnl / (size * entry_price * (1 + c))`` (the full cost, a fraction);
  vectorbt's ``return`` is ``pnl / (size * entry_price)`` (fees left out of the base) and
  backtesting.py's ``ReturnPct`` is ``(exit / entry - 1) - commissions / (size * entry)``. So we
  compare ours with ``peer_pnl / (peer_size * peer_entry_price + peer_entry_commission)``.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, List, Sequence

import numpy as np
import pandas as pd

REL_TOL = 1e-9
# |fast - slow| / slow must stay above this on every bar where both SMAs exist. The SMAs of
# different summation orders differ by ~1e-14 relative here, so 1e-9 leaves 5 orders of margin
# for a strict comparison to come out the same in every implementation.
MIN_SMA_GAP = 1e-9
# Each whole-share buy's unrounded quantity must be at least this far (relative) from an
# integer, so that rounding differences in cash or price*(1+c) cannot change the floor.
MIN_LOT_DISTANCE = 1e-9


def close_rel(a: float, b: float, what: str = "") -> float:
    """Assert ``a`` equals ``b`` to REL_TOL relative; return the relative difference."""
    a = float(a)
    b = float(b)
    assert math.isfinite(a) and math.isfinite(b), f"{what}: {a!r} vs {b!r}"
    assert math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0), (
        f"{what}: ours {a!r} != peer {b!r} (relative difference "
        f"{abs(a - b) / max(abs(a), abs(b)):.3e} > {REL_TOL})"
    )
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))


def _ts(value: Any) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_convert(None) if t.tzinfo is not None else t


def strict_crosses(fast: np.ndarray, slow: np.ndarray, slow_period: int):
    """SPEC's strict crossover rule on given SMA arrays: (up, down) boolean arrays."""
    n = len(fast)
    up = np.zeros(n, dtype=bool)
    down = np.zeros(n, dtype=bool)
    for t in range(slow_period, n):
        up[t] = fast[t - 1] < slow[t - 1] and fast[t] > slow[t]
        down[t] = fast[t - 1] > slow[t - 1] and fast[t] < slow[t]
    return up, down


def assert_sma_like_ours(sma: np.ndarray, close: np.ndarray, period: int, who: str) -> None:
    """The peer's SMA is NaN exactly before ``period-1`` and the window mean after it."""
    sma = np.asarray(sma, dtype=float)
    assert np.isnan(sma[: period - 1]).all(), f"{who} SMA({period}) defined before bar {period - 1}"
    assert np.isfinite(sma[period - 1 :]).all(), (
        f"{who} SMA({period}) undefined from bar {period - 1}"
    )
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(close, dtype=float), period)
    exact = np.array([math.fsum(w) / period for w in windows])
    rel = np.max(np.abs(sma[period - 1 :] - exact) / exact)
    # Not the 1e-9 of results: this only shows both are the same mean up to summation rounding.
    assert rel < 1e-12, f"{who} SMA({period}) is not the window mean (max rel diff {rel:.3e})"


def assert_no_near_ties(fast: np.ndarray, slow: np.ndarray, slow_period: int, who: str) -> float:
    """No bar with fast == slow (or within rounding of it): strictness cannot matter here."""
    f = np.asarray(fast[slow_period - 1 :], dtype=float)
    s = np.asarray(slow[slow_period - 1 :], dtype=float)
    gap = np.abs(f - s) / s
    i = int(np.argmin(gap))
    assert gap[i] > MIN_SMA_GAP, (
        f"{who}: fast and slow SMA nearly tie at bar {i + slow_period - 1} "
        f"(relative gap {gap[i]:.3e}); pick data where the crossover semantics agree"
    )
    return float(gap[i])


# --------------------------------------------------------------------------------------------
# vectorbt
# --------------------------------------------------------------------------------------------


@dataclass
class VectorbtRun:
    close: pd.Series
    fast_ma: np.ndarray
    slow_ma: np.ndarray
    entries: np.ndarray
    exits: np.ndarray
    closed: pd.DataFrame  # vectorbt trade records with status Closed
    open_count: int
    value: np.ndarray
    total_return: float
    min_gap: float = 0.0
    seconds: float = 0.0


def run_vectorbt(
    close: pd.Series, fast_period: int, slow_period: int, commission: float, init_cash: float
) -> VectorbtRun:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # numba's own (Pending)DeprecationWarnings while it compiles vectorbt's kernels on a
        # cold cache: about the peer's code, not about the numbers compared here.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import vectorbt as vbt
        from vectorbt.portfolio.enums import TradeStatus

        fast, slow, entries, exits, pf = _vectorbt_portfolio(
            vbt, close, fast_period, slow_period, commission, init_cash
        )
        rec = pf.trades.records
        value = np.asarray(pf.value(), dtype=float)
        total_return = float(pf.total_return())
    seconds = time.perf_counter() - t0
    closed = rec[rec["status"] == TradeStatus.Closed].reset_index(drop=True)
    return VectorbtRun(
        close=close,
        fast_ma=np.asarray(fast.ma, dtype=float),
        slow_ma=np.asarray(slow.ma, dtype=float),
        entries=np.asarray(entries, dtype=bool),
        exits=np.asarray(exits, dtype=bool),
        closed=closed,
        open_count=int((rec["status"] == TradeStatus.Open).sum()),
        value=value,
        total_return=total_return,
        seconds=seconds,
    )


def _vectorbt_portfolio(vbt, close, fast_period, slow_period, commission, init_cash):
    fast = vbt.MA.run(close, fast_period)  # simple MA (ewm=False): rolling mean, minp=window
    slow = vbt.MA.run(close, slow_period)
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    pf = vbt.Portfolio.from_signals(
        close,
        entries,
        exits,
        # Fill at close[t] of the signal bar: our fill="close".
        price=close,
        # entries open a long, exits only close it; never a short: our long-only engine.
        direction="longonly",
        # An entry while long (or exit while flat) is ignored: ours buys only when flat.
        accumulate=False,
        # size=inf, in units: "as much as the cash allows". buy_nb then sizes
        # (cash / (1 + fees)) / price and spends all the cash, fees included: our
        # cash / (price * (1 + c)) with lot_size=0.
        size=np.inf,
        size_type="amount",
        # Proportional fee on each side, nothing fixed, no slippage: our commission_rate.
        fees=commission,
        fixed_fees=0.0,
        slippage=0.0,
        # No rounding of the size: our lot_size=0 (fractional).
        size_granularity=np.nan,
        # The cash check is on the whole account; no locking: ours has nothing else to lock.
        lock_cash=False,
        init_cash=init_cash,
        # Only for vectorbt's annualised stats; it changes no order, trade or value.
        freq="1D",
        # The numba simulator whose source we read (vectorbt-rust, if ever installed, is
        # not the code these notes describe).
        engine="numba",
    )
    return fast, slow, entries, exits, pf


def assert_vectorbt_semantics_agree(run: VectorbtRun, fast_period: int, slow_period: int) -> None:
    """Make sure the data sits where vectorbt's rules and SPEC's give the same signals."""
    close = run.close.to_numpy(dtype=float)
    assert_sma_like_ours(run.fast_ma, close, fast_period, "vectorbt MA")
    assert_sma_like_ours(run.slow_ma, close, slow_period, "vectorbt MA")
    # vectorbt's crossed_above differs from the strict rule only around exact ties.
    assert not np.any(run.fast_ma[slow_period - 1 :] == run.slow_ma[slow_period - 1 :])
    run.min_gap = assert_no_near_ties(run.fast_ma, run.slow_ma, slow_period, "vectorbt MA")
    up, down = strict_crosses(run.fast_ma, run.slow_ma, slow_period)
    assert np.array_equal(run.entries, up), "vectorbt crossed_above != SPEC strict cross up"
    assert np.array_equal(run.exits, down), "vectorbt crossed_below != SPEC strict cross down"
    assert not np.any(run.entries[:slow_period] | run.exits[:slow_period])
    assert not np.any(run.entries & run.exits)
    assert run.entries.sum() >= 5 and run.exits.sum() >= 5, "too few crosses to mean anything"


def assert_matches_vectorbt(
    result: Any, run: VectorbtRun, dates: Sequence[str], commission: float, initial_capital: float
) -> dict:
    """Our fill="close" result against vectorbt's portfolio. Returns the max relative diffs."""
    trades = list(result.trades)
    closed = run.closed
    assert len(trades) == len(closed), (
        f"closed trades: ours {len(trades)}, vectorbt {len(closed)} "
        f"(ours entries {[t.entry_index for t in trades]}, vectorbt {closed['entry_idx'].tolist()})"
    )
    assert len(trades) >= 5
    index = run.close.index
    diffs = {"size": 0.0, "pnl": 0.0, "return_pct": 0.0, "equity": 0.0}
    for k, (ours, theirs) in enumerate(zip(trades, closed.itertuples(index=False))):
        w = f"trade {k}"
        assert ours.entry_index == theirs.entry_idx, f"{w} entry bar"
        assert ours.exit_index == theirs.exit_idx, f"{w} exit bar"
        assert ours.bars_held == theirs.exit_idx - theirs.entry_idx, f"{w} bars_held"
        assert _ts(ours.entry_date) == _ts(index[theirs.entry_idx]) == _ts(dates[ours.entry_index])
        assert _ts(ours.exit_date) == _ts(index[theirs.exit_idx]) == _ts(dates[ours.exit_index])
        # Both fill at the bar's close, unadjusted (slippage 0): bit-equal.
        assert ours.entry_price == theirs.entry_price, f"{w} entry price"
        assert ours.exit_price == theirs.exit_price, f"{w} exit price"
        diffs["size"] = max(diffs["size"], close_rel(ours.size, theirs.size, f"{w} size"))
        diffs["pnl"] = max(diffs["pnl"], close_rel(ours.pnl, theirs.pnl, f"{w} pnl"))
        base = theirs.size * theirs.entry_price + theirs.entry_fees
        diffs["return_pct"] = max(
            diffs["return_pct"], close_rel(ours.return_pct, theirs.pnl / base, f"{w} return_pct")
        )
        # And vectorbt counted the fee the way we do: c * size * price on each side.
        close_rel(theirs.entry_fees, commission * theirs.size * theirs.entry_price, f"{w} fee")
        close_rel(theirs.exit_fees, commission * theirs.size * theirs.exit_price, f"{w} fee")
    equity = np.asarray(list(result.equity_curve), dtype=float)
    assert equity.shape == run.value.shape
    for t in range(len(equity)):
        diffs["equity"] = max(diffs["equity"], close_rel(equity[t], run.value[t], f"equity[{t}]"))
    diffs["total_return"] = close_rel(result.total_return, run.total_return, "total_return")
    close_rel(result.total_return, equity[-1] / initial_capital - 1.0, "total_return vs equity")
    return diffs


# --------------------------------------------------------------------------------------------
# backtesting.py
# --------------------------------------------------------------------------------------------


@dataclass
class BacktestingRun:
    trades: pd.DataFrame  # stats._trades: closed trades only (finalize_trades=False)
    equity: np.ndarray
    final_equity: float
    open_count: int
    first_next_bar: int
    fast_sma: np.ndarray
    slow_sma: np.ndarray
    warnings: List[str] = field(default_factory=list)
    min_gap: float = 0.0
    seconds: float = 0.0


def run_backtesting(
    df: pd.DataFrame,
    fast_period: int,
    slow_period: int,
    commission: float,
    cash: float,
    sizing: str,
) -> BacktestingRun:
    """Long-only SmaCross in backtesting.py.

    ``sizing="spec"``: ``buy(size=q)`` with ``q = floor(equity / (fill_open * (1 + c)))``, SPEC's
    formula with lot_size=1, where ``fill_open`` is the next bar's open, the very price the
    broker fills a market order at (the strategy looks ahead only to size, as our engine sizes
    at the fill); equity == cash when flat. ``sizing="default"``: the stock ``buy()``
    (``size=1 - 2**-52``: ``int(equity * size // (price + price * c))``), shown to give the same
    units on this data.
    """
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover
    from backtesting.test import SMA

    assert sizing in ("spec", "default")

    class SmaCross(Strategy):
        def init(self):
            # Indicators as in backtesting.py's own SmaCross example: pandas rolling mean.
            self.sma_fast = self.I(SMA, self.data.Close, fast_period)
            self.sma_slow = self.I(SMA, self.data.Close, slow_period)
            # Full-length in init(); copied because next() sees truncated views.
            self.all_open = np.array(self.data.Open, dtype=float)
            self.first_next_bar = None

        def next(self):
            if self.first_next_bar is None:
                self.first_next_bar = len(self.data) - 1
            if not self.position and crossover(self.sma_fast, self.sma_slow):
                if sizing == "default":
                    self.buy()
                    return
                fill = len(self.data)  # market orders fill at the next bar's open
                if fill < len(self.all_open):  # a last-bar signal never fills anyway
                    q = math.floor(self.equity / (self.all_open[fill] * (1.0 + commission)))
                    if q >= 1:
                        self.buy(size=q)
            elif self.position and crossover(self.sma_slow, self.sma_fast):
                self.position.close()

    t0 = time.perf_counter()
    bt = Backtest(
        df,
        SmaCross,
        cash=cash,
        # Proportional, charged on entry and again on exit: our commission_rate.
        commission=commission,
        # The defaults, spelled out: no spread, no leverage (margin=1 so margin_available is
        # the equity, i.e. the cash when flat), market orders fill at the NEXT open
        # (trade_on_close=False: our fill="next_open"), one position (hedging=False).
        spread=0.0,
        margin=1.0,
        trade_on_close=False,
        hedging=False,
        # A new order does not auto-close the position: exits are explicit position.close().
        exclusive_orders=False,
        # An open position at the end stays open (not force-closed into the trade list), as ours.
        finalize_trades=False,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = bt.run()
    seconds = time.perf_counter() - t0
    strategy = stats._strategy
    return BacktestingRun(
        trades=stats._trades.reset_index(drop=True),
        equity=stats._equity_curve["Equity"].to_numpy(dtype=float),
        final_equity=float(stats["Equity Final [$]"]),
        open_count=len(strategy.trades),
        first_next_bar=strategy.first_next_bar,
        fast_sma=np.asarray(strategy.sma_fast, dtype=float),
        slow_sma=np.asarray(strategy.sma_slow, dtype=float),
        warnings=[str(w.message) for w in caught],
        seconds=seconds,
    )


def assert_backtesting_semantics_agree(
    run: BacktestingRun, close: np.ndarray, fast_period: int, slow_period: int
) -> None:
    assert_sma_like_ours(run.fast_sma, close, fast_period, "backtesting.py SMA")
    assert_sma_like_ours(run.slow_sma, close, slow_period, "backtesting.py SMA")
    run.min_gap = assert_no_near_ties(run.fast_sma, run.slow_sma, slow_period, "backtesting.py SMA")
    # Strategy.next() first runs at bar 1 + (slow-1): the first bar SPEC may signal on.
    assert run.first_next_bar == slow_period
    # No order was cancelled for lack of cash (that would be a sizing disagreement).
    cancelled = [w for w in run.warnings if "canceled" in w]
    assert not cancelled, cancelled


def assert_matches_backtesting(
    result: Any, run: BacktestingRun, df: pd.DataFrame, commission: float
) -> dict:
    """Our fill="next_open", lot_size=1 result against backtesting.py. Returns max rel diffs."""
    trades = list(result.trades)
    peer = run.trades
    assert len(trades) == len(peer), (
        f"closed trades: ours {len(trades)}, backtesting.py {len(peer)} "
        f"(ours entries {[t.entry_index for t in trades]}, theirs {peer['EntryBar'].tolist()})"
    )
    assert len(trades) >= 5
    equity = np.asarray(list(result.equity_curve), dtype=float)
    k_ = 1.0 + commission
    diffs = {"pnl": 0.0, "return_pct": 0.0, "equity": 0.0, "min_lot_distance": math.inf}
    for k, (ours, theirs) in enumerate(zip(trades, peer.itertuples(index=False))):
        w = f"trade {k}"
        assert ours.entry_index == theirs.EntryBar, f"{w} entry bar"
        assert ours.exit_index == theirs.ExitBar, f"{w} exit bar"
        assert ours.bars_held == theirs.ExitBar - theirs.EntryBar, f"{w} bars_held"
        assert _ts(ours.entry_date) == _ts(theirs.EntryTime) == _ts(df.index[ours.entry_index])
        assert _ts(ours.exit_date) == _ts(theirs.ExitTime) == _ts(df.index[ours.exit_index])
        # Both fill at the open of the bar after the signal, unadjusted (spread 0): bit-equal.
        assert ours.entry_price == theirs.EntryPrice == df["Open"].iloc[ours.entry_index]
        assert ours.exit_price == theirs.ExitPrice == df["Open"].iloc[ours.exit_index]
        assert ours.size == theirs.Size, f"{w} size: ours {ours.size}, backtesting.py {theirs.Size}"
        # Our cash at the buy: flat on the signal bar, so equity[signal bar] is the cash.
        cash = equity[ours.entry_index - 1]
        x = cash / (ours.entry_price * k_)
        assert math.floor(x) == ours.size
        dist = min(x - math.floor(x), math.floor(x) + 1 - x) / x
        assert dist > MIN_LOT_DISTANCE, f"{w}: the buy sits on a lot boundary ({dist:.3e})"
        diffs["min_lot_distance"] = min(diffs["min_lot_distance"], dist)
        diffs["pnl"] = max(diffs["pnl"], close_rel(ours.pnl, theirs.PnL, f"{w} pnl"))
        base = theirs.Size * theirs.EntryPrice * k_
        diffs["return_pct"] = max(
            diffs["return_pct"], close_rel(ours.return_pct, theirs.PnL / base, f"{w} return_pct")
        )
        close_rel(
            theirs.Commission,
            commission * theirs.Size * (theirs.EntryPrice + theirs.ExitPrice),
            f"{w} commission",
        )
    assert equity.shape == run.equity.shape
    for t in range(len(equity)):
        diffs["equity"] = max(diffs["equity"], close_rel(equity[t], run.equity[t], f"equity[{t}]"))
    diffs["final_equity"] = close_rel(equity[-1], run.final_equity, "final equity")
    return diffs
