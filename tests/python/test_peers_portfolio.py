"""Portfolios against vectorbt (issue 10, item 6; SPEC part 10).

vectorbt ``Portfolio.from_signals`` on a frame of closes (every asset on one common calendar)
with ``group_by=True, cash_sharing=True, call_seq="auto"``, ``size_type="percent"``,
``price=close`` (our ``fill="close"``) and ``fees`` (our ``commission_rate``), against our
``run_portfolio`` with the same strategy tree, on both backends. The signals are computed
with ``quant_backtest.indicators`` (the bits our engine evaluates) and handed to vectorbt.
Asserted: the same closed trades (symbol, entry and exit bar, prices, size, pnl, return), the
same equity curve and total return, to 1e-9 relative.

Long only, sizes 0.2 to 0.9 of the cash, 3 to 20 assets, two universes (the sample universe
cut to its common dates; sample assets of equal length), two strategies (SMA/SMA and EMA/SMA
crossovers), with and without a stop loss, a take profit, both, a trailing stop, a fixed fee
and slippage: all agree. Where the rules part, ``peer_portfolio_helpers`` says exactly how
and the cases are left out of the matching tests; two of them are asserted here:

* ``size=1.0`` with several assets agrees: free cash at most 1e-9 of the capital is rounding
  dust, and an entry finding only that does nothing (vectorbt's cash is exactly 0 there)
  (``test_all_in_matches_vectorbt``).
* Shorts are sized from the free cash (the cash less every open short's proceeds and
  basis), as vectorbt's; but on a bar where one asset covers and another opens a short,
  vectorbt's call sequence puts the new short first and ours exits first, so they agree up
  to the first such bar (``test_shorts_size_from_free_cash_as_vectorbt``).
* Reversals with percent sizes (vectorbt refuses them), ``max_positions`` and assets on
  different calendars (vectorbt has no such rule): not compared here.

The peers are required: a missing vectorbt is an error, never a skip.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer_portfolio_helpers as pph  # noqa: E402
import peer_strategy_helpers as psh  # noqa: E402
from quant_backtest import generate_sample_universe  # noqa: E402
from quant_backtest import strategy as qs  # noqa: E402

CASH = 100_000.0
COMMISSION = 0.001
FAST, SLOW = 10, 30


def sample_universe(count: int, seed: int):
    """The sample universe (assets start on different days) cut to its common dates."""
    return pph.on_common_calendar(generate_sample_universe(count, 900, seed=seed))


UNIVERSES = {
    "sample3": lambda: sample_universe(3, 11),
    "sample8": lambda: sample_universe(8, 5),
    "sample20": lambda: sample_universe(20, 11),
    "equal5": lambda: pph.equal_length_universe(5, 700, 40),
    "equal12": lambda: pph.equal_length_universe(12, 500, 90),
}

STRATEGIES = {
    "sma_cross": (lambda: qs.sma_cross(FAST, SLOW), pph.sma_pair(FAST, SLOW)),
    "ema_over_sma": (
        lambda: qs.Strategy(
            entry=qs.ema(12).crosses_above(qs.sma(40)), exit=qs.ema(12).crosses_below(qs.sma(40))
        ),
        pph.ema_sma_pair(12, 40),
    ),
}


def ours_and_peer(engine, universe, strategy_name, size, **stops):
    """Our run and vectorbt's on the same signals; ``stops`` in our names."""
    make_tree, (fast, slow) = STRATEGIES[strategy_name]
    entries, exits = pph.signal_frames(universe, fast, slow)
    assert entries.to_numpy().sum() >= 3 * len(universe), "too few entries to mean anything"
    fixed_fee = stops.pop("fixed_fee", 0.0)
    slippage = stops.pop("slippage", 0.0)
    settings = {
        "fill": "close",
        "initial_capital": CASH,
        "commission_rate": COMMISSION,
        "fixed_fee": fixed_fee,
        "slippage": slippage,
        "size": size,
        **stops,
    }
    result = engine.run_portfolio(universe, make_tree(), **settings)
    trail = stops.get("trailing_stop")
    peer = pph.run_vectorbt_portfolio(
        universe,
        entries,
        exits,
        init_cash=CASH,
        size=size,
        fees=COMMISSION,
        fixed_fees=fixed_fee,
        slippage=slippage,
        sl_stop=trail if trail is not None else stops.get("stop_loss"),
        sl_trail=trail is not None,
        tp_stop=stops.get("take_profit"),
    )
    return result, peer, settings


def assert_stops_clear(result, universe, settings):
    """No stop decision of any asset sits within rounding distance of its level."""
    for asset in universe:
        mine = SimpleNamespace(trades=[t for t in result.trades if t.symbol == asset.symbol])
        psh.assert_stop_decisions_clear(mine, psh.bars_of(asset), settings, "close")


def reason_counts(result):
    counts: dict = {}
    for t in result.trades:
        counts[t.exit_reason] = counts.get(t.exit_reason, 0) + 1
    return counts


def used_shared_cash(result):
    """Some entry was sized from cash that other assets' positions had already drawn on: at
    least two positions open together on some bar."""
    values = np.array([np.asarray(v) for v in result.position_values.values()])
    return int((values != 0).sum(axis=0).max()) >= 2


@pytest.mark.parametrize("universe_name", list(UNIVERSES))
@pytest.mark.parametrize("strategy_name", list(STRATEGIES))
@pytest.mark.parametrize("size", [0.2, 0.5, 0.9])
def test_long_only_matches_vectorbt(engine, universe_name, strategy_name, size):
    universe = UNIVERSES[universe_name]()
    assert 3 <= len(universe) <= 20
    result, peer, _ = ours_and_peer(engine, universe, strategy_name, size)
    pph.assert_portfolio_matches(result, peer, CASH, f"{universe_name}/{strategy_name}/{size}")
    assert len(result.trades) >= 2 * len(universe)
    assert used_shared_cash(result)
    # Every asset traded: the run is a portfolio, not one asset with bystanders.
    assert all(a.trade_count > 0 for a in result.assets)


STOP_CASES = {
    "stop_loss": ({"stop_loss": 0.03}, {"stop_loss": 20, "signal": 10}),
    "take_profit": ({"take_profit": 0.05}, {"take_profit": 20, "signal": 10}),
    "both_stops": ({"stop_loss": 0.03, "take_profit": 0.05}, {"stop_loss": 20, "take_profit": 20}),
    "trailing_stop": ({"trailing_stop": 0.04}, {"trailing_stop": 30}),
    "fixed_fee": ({"stop_loss": 0.03, "fixed_fee": 2.5}, {"stop_loss": 20, "signal": 10}),
    "slippage": ({"stop_loss": 0.03, "slippage": 0.001}, {"stop_loss": 20, "signal": 10}),
}


@pytest.mark.parametrize("case", list(STOP_CASES))
@pytest.mark.parametrize("universe_name", ["sample8", "equal12"])
def test_long_only_with_stops_and_costs_matches_vectorbt(engine, case, universe_name):
    extra, needs = STOP_CASES[case]
    universe = UNIVERSES[universe_name]()
    result, peer, settings = ours_and_peer(engine, universe, "sma_cross", 0.3, **extra)
    pph.assert_portfolio_matches(result, peer, CASH, f"{universe_name}/{case}")
    counts = reason_counts(result)
    for reason, least in needs.items():
        assert counts.get(reason, 0) >= least, f"{reason} only {counts.get(reason, 0)} times"
    assert used_shared_cash(result)
    assert_stops_clear(result, universe, settings)


def test_stop_exit_and_entries_on_one_bar_in_vectorbt_order(engine):
    """Some bar has a stop exit of one asset and an entry of another: vectorbt's sorted call
    sequence (sells first) and our step order agree there too (the match test covers it;
    this asserts the case occurs)."""
    universe = UNIVERSES["sample20"]()
    result, peer, _ = ours_and_peer(engine, universe, "sma_cross", 0.2, stop_loss=0.02)
    pph.assert_portfolio_matches(result, peer, CASH, "sample20/stop_loss")
    stop_bars = {t.exit_index for t in result.trades if t.exit_reason == "stop_loss"}
    entry_bars = {t.entry_index for t in result.trades}
    assert len(stop_bars & entry_bars) >= 5


def test_all_in_matches_vectorbt(engine):
    """``size=1.0``: the first entry takes all the cash; the rounding dust it leaves is not
    cash, so later entries do nothing until an exit returns cash (vectorbt: its cash is then
    exactly 0 and the entries are refused)."""
    universe = UNIVERSES["sample8"]()
    result, peer, _ = ours_and_peer(engine, universe, "sma_cross", 1.0)
    assert min(t.size for t in result.trades) > pph.DUST_SIZE
    pph.assert_portfolio_matches(result, peer, CASH, "sample8/size=1.0")


def test_shorts_size_from_free_cash_as_vectorbt(engine):
    """Percent shorts are sized from the free cash (the cash less every open short's proceeds
    and basis), as vectorbt's free cash: the runs agree on every trade entered before the
    first bar where one asset covers and another opens a short (vectorbt's call sequence
    sorts that new short first, ours exits first)."""
    universe = UNIVERSES["sample8"]()
    size = 0.3
    entries, exits = pph.signal_frames(universe, *pph.sma_pair(FAST, SLOW))
    fast, slow = qs.sma(FAST), qs.sma(SLOW)
    strategy = qs.Strategy(
        short_entry=fast.crosses_below(slow), short_exit=fast.crosses_above(slow)
    )
    result = engine.run_portfolio(
        universe,
        strategy,
        fill="close",
        initial_capital=CASH,
        commission_rate=COMMISSION,
        size=size,
        direction="short_only",
    )
    none = entries & False
    peer = pph.run_vectorbt_portfolio(
        universe, none, none, exits, entries, init_cash=CASH, size=size, fees=COMMISSION
    )
    covers = {t.exit_index for t in result.trades}
    clash = min((t.entry_index for t in result.trades if t.entry_index in covers), default=None)
    assert clash is not None
    mine = [t for t in result.trades if t.entry_index < clash]
    theirs = {pph.trade_key(t): t for t in peer.trades}
    # Shorts opened while others were open: sized from the free cash, and still equal.
    overlaps = [t for t in mine if any(o.entry_index < t.entry_index <= o.exit_index for o in mine)]
    assert len(overlaps) >= 2
    for t in mine:
        pph.assert_trade_matches(t, theirs[pph.trade_key(t)], "before the first clash")
