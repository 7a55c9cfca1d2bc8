"""Walk-forward on a universe, one body per backend, against other public calls: with rules
that read only the bar itself, every window's runs are ``run_portfolio`` on the window's own
sub-universe (each asset's bars on the window's dates, an asset without any left out); a
one-asset universe walks as the asset alone. Also the views (trades with their symbol), the
refusals, and both backends bit for bit (the golden cases are in test_golden_walks.py)."""

from __future__ import annotations

from typing import Any

import pytest

import quant_backtest as qb
from quant_backtest import BacktestError, RustEngine
from test_walk_forward import best_index, bits, combinations, part, sma_params

LEVELS = {
    "entry": {"gt": ["close", {"param": "up"}]},
    "exit": {"lt": ["close", {"param": "down"}]},
}
LEVEL_PARAMS = {"up": [101.0, 105.0], "down": [95.0, 99.0]}


def sub_universe(u: qb.Universe, dates: list[str]) -> qb.Universe:
    """Each asset's bars on ``dates``, as a universe (an asset with none left out)."""
    keep = set(dates)
    parts = []
    for md in u:
        c = md.as_lists()
        rows = [j for j, d in enumerate(c["dates"]) if d in keep]
        if rows:
            parts.append(
                qb.MarketData(
                    symbol=md.symbol,
                    **{k: [c[k][j] for j in rows] for k in ("dates", "open", "high", "low")},
                    close=[c["close"][j] for j in rows],
                    volume=[c["volume"][j] for j in rows],
                )
            )
    return qb.Universe(parts)


def three_calendars() -> qb.Universe:
    """A on every bar, B from bar 120 on, C up to bar 300: prices near 100, so that the
    levels trade."""
    a, b, c = (qb.generate_sample_data(s, 420, 100.0, seed=21 + k) for k, s in enumerate("ABC"))
    return qb.Universe([a, part(b, 120, 420), part(c, 0, 300)])


def metrics_of(r: Any) -> dict:
    return {k: r.metrics[k] for k in r.metrics}


@pytest.mark.parametrize(
    ("settings", "options"),
    [
        ({"size": 0.5}, {"train": 120, "test": 60}),
        (
            {"max_positions": 2, "fill": "close", "stop_loss": 0.04},
            {"train": 100, "test": 50, "step": 70, "anchored": True, "maximize": "total_return"},
        ),
    ],
)
def test_windows_are_portfolio_runs_on_their_own_bars(
    engine: RustEngine, settings: dict, options: dict
) -> None:
    u = three_calendars()
    r = engine.walk_forward(u, LEVELS, LEVEL_PARAMS, **options, **settings)
    combos = combinations(LEVEL_PARAMS)
    dates = list(u.dates)
    capital = 100_000.0
    stitched: list[float] = []
    assert len(r.rows) >= 3
    for w in r.rows:
        train = dates[w.train_start_index : w.train_end_index + 1]
        test = dates[w.test_start_index : w.test_end_index + 1]
        runs = [
            engine.run_portfolio(sub_universe(u, train), LEVELS, params=c, **settings)
            for c in combos
        ]
        best = best_index([run.metrics[r.maximize] for run in runs])
        assert w.params == combos[best], w.window
        assert w.in_sample == metrics_of(runs[best]), w.window
        assert list(w.in_sample_equity) == list(runs[best].equity_curve)
        assert w.start_equity == capital
        t = engine.run_portfolio(
            sub_universe(u, test),
            LEVELS,
            params=combos[best],
            **{**settings, "initial_capital": capital},
        )
        assert w.out_of_sample == metrics_of(t), w.window
        capital = t.equity_curve[-1]
        assert w.end_equity == capital
        stitched += list(t.equity_curve)
        mine = [x for x in r.trades if w.test_start_index <= x.exit_index <= w.test_end_index]
        assert [(x.symbol, x.pnl, x.exit_date) for x in mine] == [
            (x.symbol, x.pnl, x.exit_date) for x in t.trades
        ]
    assert list(r.equity_curve) == stitched
    assert len({t.symbol for t in r.trades}) >= 2


def test_a_one_asset_universe_walks_as_the_asset(engine: RustEngine) -> None:
    md = qb.generate_sample_data("ONE", 600, 100.0, seed=4)
    args = (sma_params(), {"fast": [3, 6, 10], "slow": [20, 35]})
    kw = {"train": 200, "test": 80, "stop_loss": 0.05, "direction": "long_only"}
    single = engine.walk_forward(md, *args, **kw).to_dict()
    one = engine.walk_forward(qb.Universe([md]), *args, **kw).to_dict()
    for d in (single, one):
        d.pop("execution_time_ms")
    trades = one.pop("trades")
    assert [t.pop("symbol") for t in trades] == ["ONE"] * len(trades)
    assert trades == single.pop("trades") and trades
    assert bits(one) == bits(single)


def test_the_views(engine: RustEngine) -> None:
    u = qb.generate_sample_universe(["AA", "BB"], 300, seed=3)
    r = engine.walk_forward(u, sma_params(), {"fast": [3, 8], "slow": [20]}, train=100, test=50)
    assert r.equity_dates == tuple(u.dates[100:300])
    frame = r.trades_frame()
    assert list(frame.columns)[0] == "symbol"
    assert set(frame["symbol"]) <= {"AA", "BB"} and len(frame) == r.trade_count > 0
    assert r.to_dict()["trades"][0]["symbol"] == r.trades[0].symbol
    assert list(r.windows["test_start"]) == [u.dates[100 + 50 * k] for k in range(4)]


def test_refusals(engine: RustEngine) -> None:
    u = qb.generate_sample_universe(2, 100, seed=1)
    n = len(u.dates)
    params = {"fast": [3], "slow": [10]}
    with pytest.raises(BacktestError) as info:
        engine.walk_forward(u, sma_params(), params, train=n, test=1)
    assert str(info.value) == (
        f"the first window needs {n + 1} bars (train {n} + test 1), the data has {n}"
    )
    with pytest.raises(BacktestError) as info:
        engine.walk_forward(u, {s: sma_params() for s in u.symbols}, params, train=10, test=5)
    assert info.value.code == "invalid_strategy"
    assert str(info.value).startswith("a portfolio sweep takes one strategy for every asset")
    with pytest.raises(BacktestError, match="max_positions and size cannot be combined"):
        engine.walk_forward(u, sma_params(), params, train=0, test=5, max_positions=2, size=0.5)
    with pytest.raises(BacktestError, match="^train must be an integer >= 1, got 0$"):
        engine.walk_forward(u, sma_params(), params, train=0, test=5, max_positions=2)


def test_a_callable_constraint_and_both_backends_bit_for_bit() -> None:
    from conftest import require_native

    require_native()
    u = qb.generate_sample_universe(4, 500, seed=9)
    strategy = sma_params()
    params = {"fast": [3, 5, 8], "slow": [15, 30]}
    kw: dict[str, Any] = {
        "train": 150,
        "test": 70,
        "step": 80,
        "max_positions": 2,
        "trailing_stop": 0.06,
        "constraint": lambda p: p["fast"] * 4 <= p["slow"],
    }
    native = RustEngine(use_rust=True).walk_forward(u, strategy, params, **kw).to_dict()
    python = RustEngine(use_rust=False).walk_forward(u, strategy, params, **kw).to_dict()
    assert native["combinations"] == 3
    for d in (native, python):
        d.pop("execution_time_ms")
        d.pop("backend")
    assert bits(native) == bits(python)
