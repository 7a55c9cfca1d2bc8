"""Run vectorbt's grouped, cash-sharing ``Portfolio.from_signals`` on a universe and hold our
``run_portfolio`` against it (used by ``test_peers_portfolio.py``).

A universe here has every asset on one common calendar (vectorbt takes a frame of closes:
one column per asset, one row per date), so our union bar ``u`` is every asset's bar ``u``.
The signals are computed with ``quant_backtest.indicators`` and SPEC part 7's crossover rule,
so they are the bits our engine evaluates from the same strategy tree; vectorbt gets them as
boolean frames. Tolerance: 1e-9 relative (``peer_helpers.close_rel``), never looser.

What vectorbt 1.2.0 does with ``group_by=True, cash_sharing=True, call_seq="auto"``, read from
``vectorbt/portfolio/nb.py`` (``simulate_from_signals_nb``, ``buy_nb``, ``sell_nb``,
``utils/array_.py::insert_argsort_nb``), against ``src/portfolio/run.rs``:

* One bar, every column: first each column's stop (checked before any order of the bar) or
  else its signals become an order; then the orders are sorted by an approximate value,
  ascending (``insert_argsort_nb``, a stable insertion sort), and executed in that order
  against the one cash balance. Long only: an exit (a stop or a signal) is a sell, value
  ``-position * price`` < 0; an entry with ``size_type="percent"`` is ``size * cash_now`` with
  ``cash_now`` the cash before the bar, the same for every entry, so entries keep column
  order. Hence: every exit before every entry, entries in universe order, each sized from the
  cash left by the orders before it: our step order (stops, signal exits, then entries in
  universe order). The order among exits does not matter (a long exit's amount does not
  depend on the cash).
* A percent long entry: ``cash_limit = size * cash``, ``(cash_limit - F) / (1 + fees) /
  adj_price`` units: ours (``peer_strategy_helpers``). Stops, fees, fixed fees and slippage
  follow the single-asset rules there; a bar on which a stop exits takes no signal: ours.
* Equity: cash + sum of position * close (``val_price`` = the order price = the close):
  ours.

Where the rules part (left out of the matching tests; each has its own test):

* ``size=1.0`` with more than one asset: vectorbt's all-in buy spends exactly the cash
  (``fees = cash_limit - max_req_cash``, ``final_req_cash = cash_limit``), so the cash is 0
  and a later entry is rejected (``NoCashLong``). Ours spends ``q * p * (1 + c)`` with ``q =
  cash / (p * (1 + c))``, which leaves rounding dust (~1e-11 here), and a later entry buys a
  position of ~1e-13 units: a "dust trade" vectorbt does not have. With crossover signals a
  dust position never blocks a real entry (an asset's next signal after an entry is an exit),
  so the runs are the same once the dust trades are removed.
* Shorts (``direction="short_only"`` or ``"both"``) differ twice. (1) Sizing: vectorbt sizes
  a percent short from its *free cash* (``sell_nb``: the cash minus what backs open shorts:
  a short lowers the free cash by its value plus fees), ours from the cash, which a short
  *raises* by its proceeds, so with shared cash each open short enlarges the next one.
  (2) Order: a short entry is a sell (negative value), a cover a buy (positive), so vectorbt
  opens new shorts before it covers others on the same bar; ours exits first. They agree up
  to the first short opened while another asset is short.
* Reversals (``direction="both"``) with percent sizes: vectorbt refuses them (``ValueError``,
  "SizeType.Percent does not support position reversal").
* ``max_positions`` (equal slots) and assets on different calendars: vectorbt has no such
  rule; golden cases cover them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import pandas as pd

from peer_helpers import close_rel
from quant_backtest import MarketData, Universe, generate_sample_data
from quant_backtest import indicators as ta

# Below this many units a trade is rounding dust (a real entry here is hundreds of units).
DUST_SIZE = 1e-6


def on_common_calendar(universe: Universe) -> Universe:
    """Every asset cut to the dates from the latest first date on: one common calendar."""
    start = max(a.dates[0] for a in universe)
    out = []
    for a in universe:
        k = list(a.dates).index(start)
        cols = (a.open, a.high, a.low, a.close, a.volume)
        out.append(MarketData(a.symbol, list(a.dates)[k:], *(np.asarray(c)[k:] for c in cols)))
    u = Universe(out)
    assert all(len(a.dates) == len(u.dates) for a in u)
    return u


def equal_length_universe(count: int, days: int, seed: int) -> Universe:
    """``count`` sample assets of ``days`` bars from the same first day, distinct seeds."""
    return Universe(
        [
            generate_sample_data(f"A{k:02d}", days=days, start_price=20.0 + 15.0 * k, seed=seed + k)
            for k in range(count)
        ]
    )


def crosses(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SPEC part 7's ``a crosses_above b`` and ``crosses_below`` (NaN never true)."""
    up = np.zeros(len(a), dtype=bool)
    down = np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        up[1:] = (a[:-1] < b[:-1]) & (a[1:] > b[1:])
        down[1:] = (a[:-1] > b[:-1]) & (a[1:] < b[1:])
    return up, down


Indicator = Callable[[np.ndarray], np.ndarray]


def signal_frames(
    universe: Universe, fast: Indicator, slow: Indicator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per asset ``fast(close) crosses_above / crosses_below slow(close)``, as frames."""
    index = date_index(universe)
    ups, downs = {}, {}
    for a in universe:
        close = np.asarray(a.close, dtype=float)
        ups[a.symbol], downs[a.symbol] = crosses(np.asarray(fast(close)), np.asarray(slow(close)))
    return pd.DataFrame(ups, index=index), pd.DataFrame(downs, index=index)


def sma_pair(fast: int, slow: int) -> tuple[Indicator, Indicator]:
    return (lambda c: ta.sma(c, fast)), (lambda c: ta.sma(c, slow))


def ema_sma_pair(fast: int, slow: int) -> tuple[Indicator, Indicator]:
    return (lambda c: ta.ema(c, fast)), (lambda c: ta.sma(c, slow))


def date_index(universe: Universe) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(universe.dates)))


def column_frame(universe: Universe, column: str) -> pd.DataFrame:
    index = date_index(universe)
    return pd.DataFrame(
        {a.symbol: np.asarray(getattr(a, column), dtype=float) for a in universe}, index=index
    )


@dataclass
class PeerPortfolioTrade:
    symbol: str
    entry_index: int
    exit_index: int
    entry_price: float
    exit_price: float
    size: float
    pnl: float
    direction: str
    entry_cost: float  # size * entry_price + entry fees: our return's basis


@dataclass
class PeerPortfolio:
    trades: List[PeerPortfolioTrade]
    equity: np.ndarray
    total_return: float
    open_count: int
    raw: Any = None


def _nan_if_none(value: Optional[float]) -> float:
    return np.nan if value is None else float(value)


def run_vectorbt_portfolio(
    universe: Universe,
    entries: pd.DataFrame,
    exits: pd.DataFrame,
    short_entries: Optional[pd.DataFrame] = None,
    short_exits: Optional[pd.DataFrame] = None,
    *,
    init_cash: float,
    size: float,
    fees: float,
    fixed_fees: float = 0.0,
    slippage: float = 0.0,
    sl_stop: Optional[float] = None,
    tp_stop: Optional[float] = None,
    sl_trail: bool = False,
) -> PeerPortfolio:
    """One group, shared cash, ``call_seq="auto"``, percent sizes, fills at the close."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import vectorbt as vbt
        from vectorbt.portfolio.enums import TradeStatus

        close = column_frame(universe, "close")
        none = pd.DataFrame(False, index=close.index, columns=close.columns)
        pf = vbt.Portfolio.from_signals(
            close,
            entries,
            exits,
            short_entries=none if short_entries is None else short_entries,
            short_exits=none if short_exits is None else short_exits,
            open=column_frame(universe, "open"),
            high=column_frame(universe, "high"),
            low=column_frame(universe, "low"),
            price=close,  # our fill="close"
            group_by=True,
            cash_sharing=True,
            call_seq="auto",
            size=size,
            size_type="percent",
            fees=fees,
            fixed_fees=fixed_fees,
            slippage=slippage,
            sl_stop=_nan_if_none(sl_stop),
            sl_trail=sl_trail,
            tp_stop=_nan_if_none(tp_stop),
            stop_entry_price="fillprice",  # our P (the slipped fill price)
            stop_exit_price="stoplimit",
            upon_stop_exit="close",
            accumulate=False,
            upon_long_conflict="ignore",
            upon_short_conflict="ignore",
            upon_dir_conflict="ignore",
            size_granularity=np.nan,  # fractional units: our lot_size=0
            lock_cash=False,
            init_cash=init_cash,
            freq="1D",
        )
        rec = pf.trades.records
        equity = np.asarray(pf.value(), dtype=float)
        total_return = float(pf.total_return())
    symbols = list(close.columns)
    closed = rec[rec["status"] == TradeStatus.Closed]
    trades = [
        PeerPortfolioTrade(
            symbol=symbols[int(r.col)],
            entry_index=int(r.entry_idx),
            exit_index=int(r.exit_idx),
            entry_price=float(r.entry_price),
            exit_price=float(r.exit_price),
            size=float(r.size),
            pnl=float(r.pnl),
            direction="long" if int(r.direction) == 0 else "short",
            entry_cost=float(r.size * r.entry_price + r.entry_fees),
        )
        for r in closed.itertuples(index=False)
    ]
    open_count = int((rec["status"] == TradeStatus.Open).sum())
    return PeerPortfolio(trades, equity, total_return, open_count, raw=pf)


def trade_key(t: Any) -> tuple:
    return (t.symbol, t.entry_index)


def assert_trade_matches(ours: Any, theirs: PeerPortfolioTrade, what: str) -> None:
    assert (ours.symbol, ours.entry_index, ours.exit_index, ours.direction) == (
        theirs.symbol,
        theirs.entry_index,
        theirs.exit_index,
        theirs.direction,
    ), f"{what}: ours {ours}, peer {theirs}"
    close_rel(ours.entry_price, theirs.entry_price, f"{what} entry price")
    close_rel(ours.exit_price, theirs.exit_price, f"{what} exit price")
    close_rel(ours.size, theirs.size, f"{what} size")
    close_rel(ours.pnl, theirs.pnl, f"{what} pnl")
    close_rel(ours.return_pct, theirs.pnl / theirs.entry_cost, f"{what} return_pct")


def assert_trades_match(ours: Sequence[Any], theirs: Sequence[PeerPortfolioTrade], who: str):
    """The same closed trades: ours in closing order, vectorbt's per column; compared by
    (symbol, entry bar)."""
    mine = sorted(ours, key=trade_key)
    peer = sorted(theirs, key=trade_key)
    assert len(mine) == len(peer), (
        f"{who}: closed trades ours {len(mine)}, peer {len(peer)}; first difference "
        f"{first_difference(mine, peer)}"
    )
    for k, (a, b) in enumerate(zip(mine, peer)):
        assert_trade_matches(a, b, f"{who} trade {k} ({a.symbol} at {a.entry_index})")


def first_difference(mine: Sequence[Any], peer: Sequence[PeerPortfolioTrade]) -> Any:
    for a, b in zip(mine, peer):
        try:
            assert_trade_matches(a, b, "")
        except AssertionError:
            return (a, b)
    return None


def assert_portfolio_matches(result: Any, peer: PeerPortfolio, cash: float, who: str) -> None:
    """Same closed trades, equity curve and total return, to 1e-9 relative."""
    assert_trades_match(result.trades, peer.trades, who)
    exits = [t.exit_index for t in result.trades]
    assert exits == sorted(exits), f"{who}: trades not in closing order"
    equity = np.asarray(list(result.equity_curve), dtype=float)
    assert equity.shape == peer.equity.shape, who
    for t in range(len(equity)):
        close_rel(equity[t], peer.equity[t], f"{who} equity[{t}]")
    close_rel(result.total_return, peer.total_return, f"{who} total_return")
    close_rel(result.total_return, equity[-1] / cash - 1.0, f"{who} total_return")
