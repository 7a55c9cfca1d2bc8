"""The public API, one test body per feature, run on both backends (the ``backend`` / ``engine``
fixtures of conftest.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import threading

import numpy as np
import pandas as pd
import pytest

import quant_backtest as qb
from conftest import ENV_VAR
from quant_backtest import (
    BacktestError,
    BacktestResult,
    CachedRustEngine,
    MarketData,
    RustEngine,
    Trade,
    benchmark_engine,
    create_engine,
    generate_sample_data,
    rust_engine_context,
)
from quant_backtest._result import SEED_METRIC_NAMES as METRIC_NAMES
from quant_backtest._result import TRADE_FIELDS

GRID_COLUMNS = ["fast_period", "slow_period", *METRIC_NAMES]

# Six valid bars, small enough to write by hand.
DATES = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"]
OPEN = [10.0, 10.1, 10.4, 10.3, 10.9, 11.0]
HIGH = [10.2, 10.6, 10.5, 10.9, 11.2, 11.4]
LOW = [9.8, 10.0, 10.1, 10.2, 10.8, 10.7]
CLOSE = [10.0, 10.5, 10.2, 10.8, 11.0, 10.9]
VOLUME = [1000, 1100, 1200, 1300, 1400, 1500]


def sample(days: int = 400, seed: int = 42, symbol: str = "API") -> MarketData:
    return generate_sample_data(symbol, days=days, start_price=100.0, seed=seed)


def metrics(result: BacktestResult) -> tuple:
    return tuple(getattr(result, name) for name in METRIC_NAMES)


def same_metrics(a: BacktestResult, b: BacktestResult) -> bool:
    return metrics(a) == metrics(b)


def equity(result: BacktestResult) -> list[float]:
    return [float(x) for x in result.equity_curve]


def assert_same_run(a: BacktestResult, b: BacktestResult) -> None:
    assert a.trades == b.trades
    assert equity(a) == equity(b)
    assert metrics(a) == metrics(b)


def small_frame(**renames: str) -> pd.DataFrame:
    df = pd.DataFrame(
        {"date": DATES, "open": OPEN, "high": HIGH, "low": LOW, "close": CLOSE, "volume": VOLUME}
    )
    return df.rename(columns=renames)


# -- MarketData -----------------------------------------------------------------------------


def test_market_data_from_lists_tuples_numpy_and_series(backend):
    from_lists = MarketData("S", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    from_tuples = MarketData(
        "S", tuple(DATES), tuple(OPEN), tuple(HIGH), tuple(LOW), tuple(CLOSE), tuple(VOLUME)
    )
    from_numpy = MarketData(
        "S",
        np.array(DATES),
        np.array(OPEN),
        np.array(HIGH, dtype=np.float64),
        np.array(LOW),
        np.array(CLOSE),
        np.array(VOLUME, dtype=np.int64),
    )
    from_series = MarketData(
        "S",
        pd.Series(DATES),
        pd.Series(OPEN),
        pd.Series(HIGH),
        pd.Series(LOW),
        pd.Series(CLOSE),
        pd.Series(VOLUME),
    )
    for md in (from_lists, from_tuples, from_numpy, from_series):
        assert len(md) == 6
        assert md.symbol == "S"
        assert list(md.dates) == DATES
        assert [float(x) for x in md.open] == OPEN
        assert [float(x) for x in md.close] == CLOSE
        assert [float(x) for x in md.volume] == [float(v) for v in VOLUME]
        assert md == from_lists
    assert "bars=6" in repr(from_lists)


def test_market_data_columns_are_read_only_and_private(backend):
    source = np.array(CLOSE)
    md = MarketData("S", DATES, OPEN, HIGH, LOW, source, VOLUME)
    for name in ("open", "high", "low", "close", "volume"):
        column = getattr(md, name)
        assert isinstance(column, np.ndarray)
        assert column.dtype == np.float64
        assert not column.flags.writeable
        with pytest.raises(ValueError):
            column[0] = 1.0
    source[0] = 999.0  # the caller's array is not the engine's
    assert float(md.close[0]) == CLOSE[0]
    assert md == MarketData("S", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)


def test_market_data_equality_and_fingerprint_by_content(backend):
    a = MarketData("S", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    b = MarketData("S", list(DATES), list(OPEN), list(HIGH), list(LOW), list(CLOSE), VOLUME)
    assert a is not b
    assert a == b
    assert hash(a) == hash(b)
    assert a.fingerprint == b.fingerprint
    assert len({a, b}) == 1
    other_close = list(CLOSE)
    other_close[-1] = 10.95
    c = MarketData("S", DATES, OPEN, HIGH, LOW, other_close, VOLUME)
    assert c != a and c.fingerprint != a.fingerprint
    d = MarketData("T", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    assert d != a
    assert a != "not market data"


def test_market_data_refuses_bad_input_with_field_and_row(backend):
    bad_close = list(CLOSE)
    bad_close[3] = float("nan")
    with pytest.raises(
        BacktestError, match=r"^close at row 3 must be a finite number > 0, got NaN$"
    ):
        MarketData("S", DATES, OPEN, HIGH, LOW, bad_close, VOLUME)
    with pytest.raises(ValueError, match="market data is empty"):
        MarketData("S", [], [], [], [], [], [])
    with pytest.raises(BacktestError, match=r"^open has 5 rows but dates has 6 rows$"):
        MarketData("S", DATES, OPEN[:5], HIGH, LOW, CLOSE, VOLUME)


def test_from_pandas_lowercase_with_date_column(backend):
    df = small_frame()
    md = MarketData.from_pandas(df, symbol="LOW")
    assert md == MarketData("LOW", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    df.attrs["symbol"] = "ATTR"
    assert MarketData.from_pandas(df).symbol == "ATTR"
    assert MarketData.from_pandas(small_frame()).symbol == "UNKNOWN"


def test_from_pandas_uppercase_with_datetime_index(backend):
    df = small_frame(open="Open", high="High", low="Low", close="Close", volume="Volume")
    df.index = pd.DatetimeIndex(df.pop("date"))
    md = MarketData.from_pandas(df, symbol="UP")
    assert md == MarketData("UP", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    assert list(md.dates) == DATES


def test_from_pandas_datetime_date_column(backend):
    df = small_frame(date="Date")
    df["Date"] = pd.to_datetime(df["Date"])
    md = MarketData.from_pandas(df, symbol="DT")
    assert list(md.dates) == DATES


@pytest.mark.parametrize("missing", ["volume", "close", "open"])
def test_from_pandas_missing_column_is_named(backend, missing):
    df = small_frame().drop(columns=[missing])
    with pytest.raises(BacktestError, match=f"missing column '{missing}'"):
        MarketData.from_pandas(df)


def test_from_pandas_without_dates_is_refused(backend):
    df = small_frame().drop(columns=["date"])
    with pytest.raises(BacktestError, match="missing column 'date'"):
        MarketData.from_pandas(df)


def test_to_pandas_round_trip(backend):
    md = sample(days=120, seed=7, symbol="RT")
    df = md.to_pandas()
    assert isinstance(df.index, pd.DatetimeIndex)
    assert df.index.name == "date"
    assert list(df.columns) == ["open", "high", "low", "close", "volume"]
    assert df["volume"].dtype == np.int64
    assert df.attrs["symbol"] == "RT"
    assert len(df) == len(md) == 120
    back = MarketData.from_pandas(df)
    assert back == md
    assert back.symbol == "RT"
    assert list(back.dates) == list(md.dates)
    assert [x.hex() for x in back.close.tolist()] == [x.hex() for x in md.close.tolist()]


def test_dataframe_goes_straight_into_a_backtest(engine):
    md = sample(days=300, seed=3)
    df = md.to_pandas()
    from_df = engine.run_sma_backtest(df, 5, 20)
    from_md = engine.run_sma_backtest(md, 5, 20)
    assert_same_run(from_df, from_md)
    assert engine.validate_data(df) is True
    grid = engine.run_multiple_backtests(df, [5], [20])
    assert metrics(grid[0][2]) == metrics(from_md)


# -- results --------------------------------------------------------------------------------


def test_backtest_result_fields_and_to_dict(engine, backend):
    md = sample()
    r = engine.run_sma_backtest(md, 10, 30)
    assert isinstance(r, BacktestResult)
    assert r.backend == backend
    assert (r.fast_period, r.slow_period) == (10, 30)
    assert r.trade_count == len(r.trades) > 0
    assert isinstance(r.trade_count, int)
    assert len(r.equity_curve) == len(md)
    assert float(r.equity_curve[-1]) == pytest.approx(100_000.0 * (1 + r.total_return), rel=1e-12)
    assert 0.0 <= r.max_drawdown <= 1.0
    assert 0.0 <= r.win_rate <= 100.0
    assert r.volatility >= 0.0
    assert isinstance(r.sharpe_ratio, float) and isinstance(r.sortino_ratio, float)
    assert r.execution_time_ms >= 0.0
    wins = sum(1 for t in r.trades if t.pnl > 0)
    assert r.win_rate == pytest.approx(100.0 * wins / r.trade_count, rel=1e-12)

    d = r.to_dict()
    text = json.dumps(d)  # plain Python values only
    again = json.loads(text)
    assert again["fast_period"] == 10 and again["slow_period"] == 30
    assert again["backend"] == backend
    for name in METRIC_NAMES:
        assert again[name] == getattr(r, name)
    assert again["equity_curve"] == equity(r)
    assert [tuple(t.values()) for t in again["trades"]] == [tuple(t) for t in r.trades]
    assert list(again["trades"][0]) == list(TRADE_FIELDS)
    with pytest.raises(AttributeError):
        r.total_return = 1.0  # frozen


def test_trade_fields(engine):
    md = sample()
    commission = 0.001
    r = engine.run_sma_backtest(md, 10, 30, commission_rate=commission)
    assert Trade._fields == TRADE_FIELDS
    previous_exit = -1
    for t in r.trades:
        assert isinstance(t, Trade)
        assert isinstance(t.entry_index, int) and isinstance(t.exit_index, int)
        assert isinstance(t.bars_held, int)
        assert previous_exit <= t.entry_index < t.exit_index
        previous_exit = t.exit_index
        assert t.bars_held == t.exit_index - t.entry_index
        assert t.entry_date == md.dates[t.entry_index]
        assert t.exit_date == md.dates[t.exit_index]
        # next_open: both fills at the open of the bar after the signal
        assert t.entry_price == float(md.open[t.entry_index])
        assert t.exit_price == float(md.open[t.exit_index])
        assert t.size > 0
        cost = t.size * t.entry_price * (1 + commission)
        proceeds = t.size * t.exit_price * (1 - commission)
        assert t.pnl == pytest.approx(proceeds - cost, rel=1e-9)
        assert t.return_pct == pytest.approx(t.pnl / cost, rel=1e-9)
        assert t.to_dict() == dict(zip(TRADE_FIELDS, t))


def test_run_sma_backtest_defaults(engine):
    md = sample()
    default = engine.run_sma_backtest(md, 10, 30)
    explicit = engine.run_sma_backtest(
        md, 10, 30, 100_000.0, 0.001, fill="next_open", lot_size=0, periods_per_year=252
    )
    assert_same_run(default, explicit)
    assert any(t.size != math.floor(t.size) for t in default.trades)  # fractional by default
    monthly = engine.run_sma_backtest(md, 10, 30, periods_per_year=12)
    assert monthly.trades == default.trades
    assert monthly.total_return == default.total_return
    assert monthly.annualized_return != default.annualized_return
    assert monthly.volatility != default.volatility
    rich = engine.run_sma_backtest(md, 10, 30, initial_capital=1_000_000.0)
    assert float(rich.equity_curve[0]) == 1_000_000.0
    free = engine.run_sma_backtest(md, 10, 30, commission_rate=0.0)
    assert free.total_return != default.total_return


def test_fill_close(engine):
    md = sample()
    r = engine.run_sma_backtest(md, 10, 30, fill="close")
    nxt = engine.run_sma_backtest(md, 10, 30)
    assert r.trades
    for t in r.trades:
        assert t.entry_price == float(md.close[t.entry_index])
        assert t.exit_price == float(md.close[t.exit_index])
    # the same signals: every close fill is one bar before the matching next_open fill
    assert [(t.entry_index + 1, t.exit_index + 1) for t in r.trades][: len(nxt.trades)] == [
        (t.entry_index, t.exit_index) for t in nxt.trades
    ][: len(r.trades)]
    assert r.total_return != nxt.total_return
    with pytest.raises(BacktestError, match="^fill must be 'next_open' or 'close', got 'open'$"):
        engine.run_sma_backtest(md, 10, 30, fill="open")


def test_lot_size_gives_whole_lots(engine):
    md = sample()
    ones = engine.run_sma_backtest(md, 10, 30, lot_size=1)
    assert ones.trades
    for t in ones.trades:
        assert t.size == float(int(t.size)) and t.size >= 1
    lots = engine.run_sma_backtest(md, 10, 30, lot_size=100)
    assert lots.trades
    for t in lots.trades:
        assert t.size % 100 == 0 and t.size >= 100
    fractional = engine.run_sma_backtest(md, 10, 30, lot_size=0)
    for whole, frac in zip(ones.trades, fractional.trades):
        assert whole.size <= frac.size


def test_run_sma_backtest_async(engine):
    md = sample()
    params = [(5, 20), (10, 30), (20, 50), (3, 8)]

    async def one() -> BacktestResult:
        return await engine.run_sma_backtest_async(md, 10, 30, fill="close", lot_size=1)

    async def many() -> list[BacktestResult]:
        return await asyncio.gather(*(engine.run_sma_backtest_async(md, f, s) for f, s in params))

    assert_same_run(
        asyncio.run(one()), engine.run_sma_backtest(md, 10, 30, fill="close", lot_size=1)
    )
    results = asyncio.run(many())
    assert len(results) == len(params)
    for (f, s), r in zip(params, results):
        assert (r.fast_period, r.slow_period) == (f, s)
        assert_same_run(r, engine.run_sma_backtest(md, f, s))


# -- grids ----------------------------------------------------------------------------------


def test_run_multiple_backtests_order_and_equality(engine):
    md = sample(days=300)
    fasts = [20, 5, 40, 10]
    slows = [30, 10, 60]
    grid = engine.run_multiple_backtests(md, fasts, slows, commission_rate=0.002)
    expected = [(f, s) for f in fasts for s in slows if f < s]
    assert [(f, s) for f, s, _ in grid] == expected
    for f, s, r in grid:
        assert isinstance(r, BacktestResult)
        assert (r.fast_period, r.slow_period) == (f, s)
        single = engine.run_sma_backtest(md, f, s, commission_rate=0.002)
        assert metrics(r) == metrics(single), (f, s)
        assert r.trades == [] and len(r.equity_curve) == 0  # no details by default


def test_run_multiple_backtests_with_details(engine):
    md = sample(days=300)
    kwargs = dict(fill="close", lot_size=1, periods_per_year=52, initial_capital=50_000.0)
    grid = engine.run_multiple_backtests(md, [3, 8], [15, 25], include_details=True, **kwargs)
    assert len(grid) == 4
    for f, s, r in grid:
        assert_same_run(r, engine.run_sma_backtest(md, f, s, **kwargs))


def test_run_multiple_backtests_workers_agree(engine):
    md = sample(days=300)
    fasts, slows = list(range(2, 12)), list(range(5, 40, 3))
    one = engine.run_multiple_backtests(md, fasts, slows, max_workers=1)
    two = engine.run_multiple_backtests(md, fasts, slows, max_workers=2)
    default = engine.run_multiple_backtests(md, fasts, slows)
    key = [(f, s, metrics(r)) for f, s, r in one]
    assert key == [(f, s, metrics(r)) for f, s, r in two]
    assert key == [(f, s, metrics(r)) for f, s, r in default]
    with pytest.raises(BacktestError, match="^max_workers must be >= 1, got 0$"):
        engine.run_multiple_backtests(md, fasts, slows, max_workers=0)


def test_run_grid_frame_and_dict(engine):
    md = sample(days=300)
    fasts, slows = [2, 5, 30, 10], [8, 20, 40]
    frame = engine.run_grid(md, fasts, slows)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == GRID_COLUMNS
    grid = engine.run_multiple_backtests(md, fasts, slows)
    assert len(frame) == len(grid)
    for row, (f, s, r) in zip(frame.itertuples(index=False), grid):
        assert (row.fast_period, row.slow_period) == (f, s)
        for name in METRIC_NAMES:
            want = getattr(r, name)
            got = getattr(row, name)
            if want is None:
                assert math.isnan(got), name
            else:
                assert got == want, name
    assert frame["trade_count"].dtype == np.int64
    assert frame["fast_period"].dtype == np.int64

    columns = engine.run_grid(md, fasts, slows, as_frame=False)
    assert isinstance(columns, dict)
    assert list(columns) == GRID_COLUMNS
    for name in GRID_COLUMNS:
        assert np.array_equal(np.asarray(columns[name]), frame[name].to_numpy(), equal_nan=True)

    one = engine.run_grid(md, fasts, slows, max_workers=1, as_frame=False)
    for name in GRID_COLUMNS:
        assert np.array_equal(np.asarray(one[name]), frame[name].to_numpy(), equal_nan=True)


def test_run_grid_nan_where_ratio_undefined(engine):
    # Rising bars: no cross down, so some pairs never trade and keep flat equity.
    md = MarketData("FLAT", DATES, OPEN, HIGH, LOW, CLOSE, VOLUME)
    frame = engine.run_grid(md, [1, 2], [3, 6])
    grid = engine.run_multiple_backtests(md, [1, 2], [3, 6])
    flat = [i for i, (_, _, r) in enumerate(grid) if r.sharpe_ratio is None]
    assert flat, "expected a pair without variance"
    for i in flat:
        assert math.isnan(frame["sharpe_ratio"].iloc[i])
        assert math.isnan(frame["sortino_ratio"].iloc[i])


# -- validation, introspection --------------------------------------------------------------


def test_validate_data(engine):
    assert engine.validate_data(sample(days=50)) is True
    assert engine.validate_data(small_frame()) is True
    good = {"dates": DATES, "open": OPEN, "high": HIGH, "low": LOW, "close": CLOSE}
    assert engine.validate_data({**good, "volume": VOLUME}) is True
    assert engine.validate_data(good) is False  # volume missing
    bad_high = list(HIGH)
    bad_high[2] = 9.0
    assert engine.validate_data({**good, "high": bad_high, "volume": VOLUME}) is False
    assert engine.validate_data(small_frame().drop(columns=["close"])) is False
    assert engine.validate_data(42) is False


def test_is_rust_available(engine):
    available = qb._backend.native_module() is not None
    assert RustEngine.is_rust_available() is available
    assert engine.is_rust_available() is available
    if engine.backend == "rust":
        assert available


def test_get_engine_info(engine, backend):
    info = engine.get_engine_info()
    assert {"backend", "version", "threads"} <= set(info)
    assert info["backend"] == backend
    assert info["version"] == qb.__version__
    assert isinstance(info["threads"], int) and info["threads"] >= 1
    assert info["requested_by_env"] == backend
    assert engine.get_engine_info(max_workers=1)["threads"] == 1
    assert repr(engine) == f"RustEngine(backend={backend!r})"


# -- caching --------------------------------------------------------------------------------


def test_cached_engine_stats_and_hits(backend):
    engine = CachedRustEngine(use_rust=(backend == "rust"), cache_size=4)
    assert engine.backend == backend
    assert engine.get_cache_stats() == {
        "hits": 0,
        "misses": 0,
        "hit_rate": 0.0,
        "size": 0,
        "max_size": 4,
    }
    md = sample(days=200)
    first = engine.run_sma_backtest(md, 5, 20)
    second = engine.run_sma_backtest(md, 5, 20)
    assert second is first
    stats = engine.get_cache_stats()
    assert (stats["hits"], stats["misses"], stats["size"]) == (1, 1, 1)
    assert stats["hit_rate"] == 0.5
    # keyed by content: the same bars built again hit
    rebuilt = MarketData(
        md.symbol,
        list(md.dates),
        md.open.tolist(),
        md.high.tolist(),
        md.low.tolist(),
        md.close.tolist(),
        md.volume.tolist(),
    )
    assert rebuilt is not md
    assert engine.run_sma_backtest(rebuilt, 5, 20) is first
    assert engine.get_cache_stats()["hits"] == 2
    # ... and through a DataFrame too
    assert engine.run_sma_backtest(md.to_pandas(), 5, 20) is first
    # any different parameter misses
    misses = engine.get_cache_stats()["misses"]
    engine.run_sma_backtest(md, 5, 20, commission_rate=0.002)
    engine.run_sma_backtest(md, 5, 21)
    engine.run_sma_backtest(md, 5, 20, fill="close")
    assert engine.get_cache_stats()["misses"] == misses + 3
    # the uncached engine agrees
    assert_same_run(first, RustEngine(use_rust=(backend == "rust")).run_sma_backtest(md, 5, 20))
    engine.clear_cache()
    assert engine.get_cache_stats()["size"] == 0


def test_cached_engine_lru_eviction(backend):
    engine = CachedRustEngine(use_rust=(backend == "rust"), cache_size=2)
    md = sample(days=150)

    def run(slow: int) -> None:
        engine.run_sma_backtest(md, 3, slow)

    def stats() -> tuple[int, int, int]:
        s = engine.get_cache_stats()
        return s["hits"], s["misses"], s["size"]

    run(10)
    run(11)
    run(12)  # evicts 10
    assert stats() == (0, 3, 2)
    run(11)  # hit; 11 becomes the most recent
    assert stats() == (1, 3, 2)
    run(13)  # evicts 12, the least recently used
    run(11)  # still there
    assert stats() == (2, 4, 2)
    run(12)  # evicted: a miss
    run(10)  # evicted long ago: a miss
    assert stats() == (2, 6, 2)
    assert engine.get_cache_stats()["max_size"] == 2


def test_cached_engine_is_thread_safe(backend):
    engine = CachedRustEngine(use_rust=(backend == "rust"), cache_size=8)
    md = sample(days=150)
    keys = [(3, 10), (4, 12), (5, 15), (6, 20)]
    expected = {
        k: metrics(RustEngine(use_rust=(backend == "rust")).run_sma_backtest(md, *k)) for k in keys
    }
    threads_n, calls = 8, 40
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def hammer(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(calls):
                key = keys[(worker + i) % len(keys)]
                assert metrics(engine.run_sma_backtest(md, *key)) == expected[key]
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=hammer, args=(w,)) for w in range(threads_n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors
    s = engine.get_cache_stats()
    assert s["hits"] + s["misses"] == threads_n * calls
    assert s["size"] == len(keys)
    assert len(keys) <= s["misses"] <= len(keys) * threads_n
    assert s["hit_rate"] == pytest.approx(s["hits"] / (threads_n * calls))


def test_create_engine(backend):
    use_rust = backend == "rust"
    plain = create_engine(use_rust=use_rust)
    assert type(plain) is RustEngine
    assert plain.backend == backend
    cached = create_engine(use_rust=use_rust, use_cache=True, cache_size=7)
    assert isinstance(cached, CachedRustEngine)
    assert cached.backend == backend
    assert cached.get_cache_stats()["max_size"] == 7
    assert create_engine(use_rust=use_rust, use_cache=True).get_cache_stats()["max_size"] == 128


def test_rust_engine_context_closes(backend, monkeypatch):
    closed: list[RustEngine] = []
    original_close = RustEngine.close

    def spy(self: RustEngine) -> None:
        closed.append(self)
        original_close(self)

    monkeypatch.setattr(RustEngine, "close", spy)
    md = sample(days=200)
    with rust_engine_context(use_rust=(backend == "rust")) as engine:
        assert engine.backend == backend
        before = engine.run_multiple_backtests(md, [3, 5], [10, 20], max_workers=2)
        assert closed == []
    assert closed == [engine]
    # closed pools come back on the next call: the engine still works
    assert engine.get_engine_info()["backend"] == backend
    after = engine.run_multiple_backtests(md, [3, 5], [10, 20], max_workers=2)
    assert [metrics(r) for *_, r in after] == [metrics(r) for *_, r in before]

    with pytest.raises(RuntimeError, match="boom"):
        with rust_engine_context(use_rust=(backend == "rust"), use_cache=True) as cached:
            assert isinstance(cached, CachedRustEngine)
            raise RuntimeError("boom")
    assert closed == [engine, cached]

    with RustEngine(use_rust=(backend == "rust")) as plain:
        plain.run_sma_backtest(md, 3, 10)
    assert closed[-1] is plain


# -- sample data ----------------------------------------------------------------------------


def _bars(md: MarketData) -> tuple:
    return (
        md.symbol,
        tuple(md.dates),
        *(
            tuple(float(x).hex() for x in getattr(md, c))
            for c in ("open", "high", "low", "close", "volume")
        ),
    )


def test_generate_sample_data(engine, backend):
    a = generate_sample_data("SEED", days=300, start_price=50.0, seed=123)
    b = generate_sample_data("SEED", days=300, start_price=50.0, seed=123)
    assert _bars(a) == _bars(b)
    assert a == b
    c = generate_sample_data("SEED", days=300, start_price=50.0, seed=124)
    assert _bars(c) != _bars(a)
    assert len(set(c.close.tolist()) & set(a.close.tolist())) == 0
    for md in (a, c, generate_sample_data("RANDOM", days=64, seed=None)):
        assert engine.validate_data(md) is True
        o, h, lo, cl, v = (
            np.asarray(getattr(md, f)) for f in ("open", "high", "low", "close", "volume")
        )
        assert np.all(lo > 0) and np.all(lo <= np.minimum(o, cl)) and np.all(np.maximum(o, cl) <= h)
        assert np.all(v >= 1_000_000) and np.all(v < 10_000_000) and np.all(v == np.floor(v))
    assert len(generate_sample_data("RANDOM", days=64)) == 64
    assert a.symbol == "SEED"
    assert abs(float(a.open[0]) / 50.0 - 1.0) <= 0.002  # open within the gap of start_price
    # business days from 2020-01-01 (a Wednesday)
    day, expected = dt.date(2020, 1, 1), []
    while len(expected) < 300:
        if day.weekday() < 5:
            expected.append(day.isoformat())
        day += dt.timedelta(days=1)
    assert list(a.dates) == expected
    assert a.dates[:3] == ("2020-01-01", "2020-01-02", "2020-01-03")
    assert a.dates[3] == "2020-01-06"
    assert len(generate_sample_data(days=1, seed=0)) == 1
    assert generate_sample_data(seed=0).symbol == "SAMPLE"
    assert len(generate_sample_data(seed=0)) == 100


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"days": 0}, "days must be >= 1, got 0"),
        ({"days": -5}, "days must be >= 1, got -5"),
        ({"days": 2.5}, "days must be an integer, got 2.5"),
        ({"start_price": 0.0}, "start_price must be a finite number > 0, got 0.0"),
        ({"start_price": -1.0}, "start_price must be a finite number > 0, got -1.0"),
        ({"start_price": float("nan")}, "start_price must be a finite number > 0, got NaN"),
        ({"start_price": float("inf")}, "start_price must be a finite number > 0, got inf"),
        ({"seed": -1}, "seed must be an integer in [0, 2**64), got -1"),
        ({"seed": 2**64}, f"seed must be an integer in [0, 2**64), got {2**64}"),
        ({"seed": 1.5}, "seed must be an integer, got 1.5"),
    ],
)
def test_generate_sample_data_refuses_bad_arguments(engine, kwargs, message):
    args = {"symbol": "BAD", "days": 10, "start_price": 100.0, "seed": 1, **kwargs}
    with pytest.raises(BacktestError) as info:
        generate_sample_data(**args)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)
    assert len(generate_sample_data("OK", days=10, seed=1)) == 10


def test_sample_data_is_bit_identical_across_backends(monkeypatch):
    from conftest import require_native

    require_native()
    bars = {}
    for name in ("rust", "python"):
        monkeypatch.setenv(ENV_VAR, name)
        bars[name] = [
            _bars(generate_sample_data("X", days=days, start_price=price, seed=seed))
            for days, price, seed in ((500, 100.0, 0), (257, 3.25, 2**64 - 1), (31, 1e6, 987654321))
        ]
    assert bars["rust"] == bars["python"]


# -- benchmark and module-level helpers -----------------------------------------------------


def test_benchmark_engine(backend):
    md = sample(days=300)
    out = benchmark_engine(md, 5, 20, iterations=2)
    assert {
        "bars",
        "iterations",
        "rust_time_ms",
        "python_time_ms",
        "speedup",
        "results_match",
        "rust_result",
        "python_result",
    } <= set(out)
    assert out["bars"] == 300 and out["iterations"] == 2
    assert out["python_time_ms"] > 0
    assert out["python_result"].backend == "python"
    if backend == "rust":
        assert out["results_match"] is True
        assert out["rust_result"].backend == "rust"
        assert out["rust_time_ms"] > 0 and out["speedup"] > 0
        assert metrics(out["rust_result"]) == metrics(out["python_result"])
    else:  # QUANT_BACKTEST_BACKEND=python: the native side is not run
        assert out["rust_result"] is None and out["speedup"] is None
        assert out["results_match"] is None
    assert benchmark_engine(md.to_pandas(), 5, 20, iterations=1)["bars"] == 300


def test_module_level_run_sma_backtest(engine, backend):
    md = sample()
    r = qb.run_sma_backtest(md, 10, 30, 50_000.0, 0.002, fill="close", lot_size=1)
    assert r.backend == backend
    assert_same_run(
        r, engine.run_sma_backtest(md, 10, 30, 50_000.0, 0.002, fill="close", lot_size=1)
    )
    with pytest.raises(
        BacktestError, match=r"^fast_period \(30\) must be less than slow_period \(10\)$"
    ):
        qb.run_sma_backtest(md, 30, 10)


def test_errors_are_value_errors(engine):
    md = sample(days=50)
    assert issubclass(BacktestError, ValueError)
    with pytest.raises(ValueError, match=r"^slow_period \(60\) exceeds the number of bars \(50\)$"):
        engine.run_sma_backtest(md, 5, 60)
    with pytest.raises(
        BacktestError, match="^the grid has no pair with fast_period < slow_period$"
    ):
        engine.run_multiple_backtests(md, [20], [10])
    with pytest.raises(BacktestError, match="^fast_period must be an integer, got 2.0$"):
        engine.run_sma_backtest(md, 2.0, 10)
    with pytest.raises(TypeError):
        engine.run_sma_backtest([1, 2, 3], 2, 3)
