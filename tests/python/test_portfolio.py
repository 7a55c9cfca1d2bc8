"""Portfolios from Python (SPEC part 10) on both backends: the Universe's forms and rules, the
sample universe, and the engines against each other (the golden cases are in
test_golden_portfolios.py, the peers in test_peers_portfolio.py)."""

from __future__ import annotations

import asyncio
import os
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quant_backtest as qb
from conftest import ENV_VAR, require_native
from quant_backtest import strategy as qs

pd = pytest.importorskip("pandas")


def closes_of(u: qb.Universe) -> dict:
    return {a.symbol: list(a.close) for a in u}


def test_universe_forms_agree(backend: str) -> None:
    u = qb.generate_sample_universe(3, days=60, seed=4)
    by_list = qb.Universe(list(u))
    by_dict = qb.Universe({a.symbol: a.to_pandas() for a in u})
    long = pd.concat([a.to_pandas().assign(symbol=a.symbol).reset_index() for a in u])
    by_long = qb.Universe.from_pandas(long)
    for other in (by_list, by_dict, by_long):
        assert other.symbols == ("S01", "S02", "S03")
        assert other.dates == u.dates
        assert closes_of(other) == closes_of(u)
    assert len(u) == 3 and [a.symbol for a in u] == ["S01", "S02", "S03"]
    assert u["S02"] is u[1] and "S02" in u and "S9" not in u
    with pytest.raises(KeyError, match="no asset 'S9'"):
        u["S9"]
    assert pickle.loads(pickle.dumps(u)) == u
    assert repr(u).startswith("Universe(['S01', 'S02', 'S03'], bars=60, 2020-01-01")


def test_sample_universe_starts_differ_and_repeats(backend: str) -> None:
    u = qb.generate_sample_universe(["X", "Y", "Z", "W"], days=90, seed=11)
    assert [len(a) for a in u][0] == 90 and len(u.dates) == 90
    assert len({a.dates[0] for a in u}) > 1  # the others start later
    assert closes_of(qb.generate_sample_universe(["X", "Y", "Z", "W"], days=90, seed=11)) == (
        closes_of(u)
    )
    assert qb.generate_sample_universe(12, days=5, seed=1).symbols[-1] == "S12"


def test_sample_universe_same_bits_on_both_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    require_native()
    made = {}
    for name in ("rust", "python"):
        monkeypatch.setenv(ENV_VAR, name)
        u = qb.generate_sample_universe(5, days=120, seed=99)
        made[name] = [(a.symbol, list(a.dates), list(a.open), list(a.volume)) for a in u]
    assert made["rust"] == made["python"]


def test_bad_row_of_one_asset_names_the_symbol(backend: str) -> None:
    u = qb.generate_sample_universe(2, days=10, seed=1)
    frame = u["S02"].to_pandas()
    frame.iloc[4, frame.columns.get_loc("high")] = -1.0
    with pytest.raises(qb.BacktestError) as info:
        qb.Universe({"S01": u["S01"], "BAD": frame})
    assert str(info.value) == "asset 'BAD': high at row 4 must be a finite number > 0, got -1.0"
    assert info.value.code == "invalid_market_data"
    with pytest.raises(qb.BacktestError, match="asset 'X' is MarketData of symbol 'S01'"):
        qb.Universe({"X": u["S01"]})
    with pytest.raises(qb.BacktestError, match="missing the symbol column 'ticker'"):
        qb.Universe.from_pandas(frame.reset_index(), symbol="ticker")


def test_one_asset_universe_is_run_backtest(engine: qb.RustEngine) -> None:
    data = qb.generate_sample_data("ONE", days=400, seed=8)
    for strategy, s in (
        (qs.sma_cross(5, 20), {}),
        (qs.rsi_reversion(), {"fill": "close", "stop_loss": 0.03}),
        (qs.sma_cross(3, 12), {"trailing_stop": 0.04, "fixed_fee": 1.0, "lot_size": 1.0}),
    ):
        single = engine.run_backtest(data, strategy, **s)
        p = engine.run_portfolio([data], strategy, **s)
        assert list(p.equity_curve) == list(single.equity_curve)
        assert [t[1:] for t in p.trades] == list(single.trades)
        assert p.total_return == single.total_return
        assert p.sharpe_ratio == single.sharpe_ratio
        assert p.max_drawdown_duration == single.max_drawdown_duration


def test_result_views(engine: qb.RustEngine) -> None:
    u = qb.generate_sample_universe(3, days=200, seed=5)
    r = engine.run_portfolio(u, qs.sma_cross(5, 20), max_positions=2)
    assert r.backend == engine.backend
    assert {t.symbol for t in r.trades} <= set(u.symbols)
    assert sum(a.trade_count for a in r.assets) == r.trade_count == len(r.trades)
    frame = r.positions_frame()
    assert list(frame.columns) == ["S01", "S02", "S03", "cash", "equity"]
    assert frame["equity"].iloc[-1] == r.equity_curve[-1]
    assert (
        frame[["S01", "S02", "S03"]].sum(axis=1) + frame["cash"] - frame["equity"]
    ).abs().max() < 1e-6
    assert list(r.assets_frame().index) == ["S01", "S02", "S03"]
    assert len(r.trades_frame()) == r.trade_count
    d = r.to_dict()
    assert d["total_return"] == r.total_return and len(d["dates"]) == len(u.dates)
    again = asyncio.run(engine.run_portfolio_async(u, qs.sma_cross(5, 20), max_positions=2))
    assert again.to_dict()["equity_curve"] == d["equity_curve"]


def test_a_strategy_per_symbol(engine: qb.RustEngine) -> None:
    u = qb.generate_sample_universe(2, days=150, seed=2)
    per = {"S01": qs.sma_cross(5, 20), "S02": qs.rsi_reversion()}
    r = engine.run_portfolio(u, per, size=0.5)
    alone = engine.run_portfolio([u["S01"]], qs.sma_cross(5, 20), size=0.5)
    first = [t for t in r.trades if t.symbol == "S01"]
    # S01 enters first in universe order, so its first entry sees the whole capital, as alone.
    assert first[0][1:4] == alone.trades[0][1:4] and first[0].size == alone.trades[0].size


SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "fill": st.sampled_from(["close", "next_open"]),
        "commission_rate": st.sampled_from([0.0, 0.001, 0.003]),
        "slippage": st.sampled_from([0.0, 0.0005]),
        "stop_loss": st.sampled_from([0.02, 0.05]),
        "take_profit": st.sampled_from([0.04, 0.1]),
        "trailing_stop": st.sampled_from([0.03]),
        "fixed_fee": st.sampled_from([0.0, 2.5]),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**64 - 1),
    assets=st.integers(1, 5),
    days=st.integers(20, 160),
    fast=st.integers(2, 8),
    slow=st.integers(9, 25),
    run=SETTINGS,
    sizing=st.one_of(
        st.fixed_dictionaries({"size": st.sampled_from([0.1, 0.33, 0.5, 1.0])}),
        st.fixed_dictionaries({"max_positions": st.integers(1, 4)}),
    ),
    both=st.booleans(),
)
def test_native_and_fallback_agree(seed, assets, days, fast, slow, run, sizing, both) -> None:
    require_native()
    saved = os.environ.pop(ENV_VAR, None)
    try:
        u = qb.generate_sample_universe(assets, days=days, seed=seed)
        strategy = qs.sma_cross(fast, slow)
        if both:
            f, s_ = qs.sma(fast), qs.sma(slow)
            strategy = qs.Strategy(
                entry=f.crosses_above(s_),
                exit=f.crosses_below(s_),
                short_entry=f.crosses_below(s_),
                short_exit=f.crosses_above(s_),
                direction="both",
            )
        kw = {**run, **sizing}
        native = qb.RustEngine(use_rust=True).run_portfolio(u, strategy, **kw).to_dict()
        python = qb.RustEngine(use_rust=False).run_portfolio(u, strategy, **kw).to_dict()
    finally:
        if saved is not None:
            os.environ[ENV_VAR] = saved
    for d in (native, python):
        d.pop("execution_time_ms")
        d.pop("backend")
    assert native == python


def test_portfolio_sweep_rows_are_runs(engine: qb.RustEngine) -> None:
    u = qb.generate_sample_universe(3, days=250, seed=13)
    f, s = qs.sma(qs.param("fast")), qs.sma(qs.param("slow"))
    strat = qs.Strategy(entry=f.crosses_above(s), exit=f.crosses_below(s))
    grid = {"fast": [3, 6], "slow": [15, 25, 40]}
    cols = engine.sweep(u, strat, grid, as_frame=False, max_positions=2, stop_loss=0.05)
    assert list(cols["fast"]) == [3, 3, 3, 6, 6, 6]
    for i, (fast, slow) in enumerate(zip(cols["fast"], cols["slow"])):
        one = engine.run_portfolio(
            u, strat, params={"fast": int(fast), "slow": int(slow)}, max_positions=2, stop_loss=0.05
        )
        assert cols["total_return"][i] == one.total_return
        assert cols["trade_count"][i] == one.trade_count
    best, result = engine.optimize(u, strat, grid, maximize="total_return", max_positions=2)
    assert isinstance(result, qb.PortfolioResult) and result.params == best
    frame = asyncio.run(engine.sweep_async(u, strat, grid, max_positions=2, stop_loss=0.05))
    assert list(frame["total_return"]) == list(cols["total_return"])
    with pytest.raises(qb.BacktestError) as info:
        engine.sweep(u, {a.symbol: strat for a in u}, grid)
    assert str(info.value) == (
        "a portfolio sweep takes one strategy for every asset; a dict of strategies is for one run"
    )
    assert info.value.code == "invalid_strategy"
