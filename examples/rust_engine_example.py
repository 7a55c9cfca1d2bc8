"""quant-backtest from Python: one function per topic of the README.

Run it with ``npm start`` (which builds what is missing), or with
``python examples/rust_engine_example.py`` once the package is installed.
Every example runs on the embedded sample data generator.
"""

from __future__ import annotations

import asyncio
import csv
import os
import tempfile
import time

from quant_backtest import (
    BacktestError,
    MarketData,
    RustEngine,
    benchmark_engine,
    create_engine,
    generate_sample_data,
    rust_engine_context,
)


def example_1_basic_usage() -> None:
    """Quick start: sample data, one backtest, the metrics and the trades."""
    print("== 1. Quick start")
    data = generate_sample_data("DEMO", days=1_000, start_price=100.0, seed=42)
    engine = RustEngine()
    result = engine.run_sma_backtest(data, fast_period=10, slow_period=30)
    info = engine.get_engine_info()
    print(f"engine: {info['backend']} {info['version']}, {info['threads']} threads")
    print(f"{data}: SMA 10/30, fill at the next open, 0.1 % commission")
    print(f"  total return      {result.total_return:+.2%}")
    print(f"  annualized return {result.annualized_return:+.2%}")
    print(f"  volatility        {result.volatility:.2%}")
    print(f"  sharpe / sortino  {result.sharpe_ratio:.3f} / {result.sortino_ratio:.3f}")
    print(f"  max drawdown      {result.max_drawdown:.2%}")
    print(f"  trades            {result.trade_count} (win rate {result.win_rate:.1f} %)")
    print(f"  took              {result.execution_time_ms:.3f} ms")
    for t in result.trades[:3]:
        print(
            f"  {t.entry_date} -> {t.exit_date}: {t.size:.2f} @ {t.entry_price:.2f} -> "
            f"{t.exit_price:.2f}, pnl {t.pnl:+.2f} ({t.return_pct:+.2%})"
        )


def example_2_data_from_csv() -> None:
    """Real data from a CSV file (date, open, high, low, close, volume), with or without pandas."""
    print("\n== 2. Data from CSV")
    sample = generate_sample_data("CSV", days=300, seed=7)
    path = os.path.join(tempfile.mkdtemp(), "bars.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Open", "High", "Low", "Close", "Volume"])
        for row in zip(
            sample.dates, sample.open, sample.high, sample.low, sample.close, sample.volume
        ):
            w.writerow([row[0], *(repr(float(x)) for x in row[1:5]), int(row[5])])
    try:
        import pandas as pd

        df = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
        data = MarketData.from_pandas(df, symbol="CSV")
        print(f"read with pandas: {data}")
    except ImportError:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        data = MarketData(
            "CSV",
            [r["Date"] for r in rows],
            *([float(r[c]) for r in rows] for c in ("Open", "High", "Low", "Close")),
            [int(r["Volume"]) for r in rows],
        )
        print(f"read with the csv module: {data}")
    result = RustEngine().run_sma_backtest(data, 5, 20, fill="close", lot_size=1)
    print(
        f"SMA 5/20, fill at the close, whole shares: {result.trade_count} trades, "
        f"total return {result.total_return:+.2%}"
    )


def example_3_parallel_grid() -> None:
    """A parameter grid on every core, and the best pairs."""
    print("\n== 3. Parallel parameter grid")
    data = generate_sample_data("GRID", days=2_520, seed=1)
    engine = RustEngine()
    fast, slow = range(5, 55, 5), range(20, 220, 20)
    start = time.perf_counter()
    results = engine.run_multiple_backtests(data, fast, slow)
    took = time.perf_counter() - start
    print(
        f"{len(results)} pairs on {data} in {took * 1000:.1f} ms "
        f"({engine.get_engine_info()['threads']} threads)"
    )
    best = sorted(results, key=lambda r: r[2].total_return, reverse=True)[:5]
    print("  fast  slow  total return  sharpe  trades")
    for f, s, r in best:
        sharpe = "   n/a" if r.sharpe_ratio is None else f"{r.sharpe_ratio:6.2f}"
        print(f"  {f:4d}  {s:4d}  {r.total_return:+11.2%}  {sharpe}  {r.trade_count:6d}")
    grid = engine.run_grid(data, range(2, 52), range(52, 249, 4))
    rows = len(grid["fast_period"])
    print(f"columnar grid: {rows} pairs, best total return {max(grid['total_return']):+.2%}")


def example_4_async() -> None:
    """Async runs: the engine releases the GIL, so backtests run side by side."""
    print("\n== 4. Async")
    data = generate_sample_data("ASYNC", days=5_000, seed=3)
    engine = RustEngine()

    async def main() -> None:
        pairs = [(5, 20), (10, 50), (20, 100), (50, 200)]
        results = await asyncio.gather(
            *(engine.run_sma_backtest_async(data, f, s) for f, s in pairs)
        )
        for (f, s), r in zip(pairs, results):
            print(f"  SMA {f}/{s}: {r.total_return:+.2%} in {r.trade_count} trades")

    asyncio.run(main())


def example_5_caching() -> None:
    """A cached engine: the same data (by content) and parameters come back from the cache."""
    print("\n== 5. Caching")
    engine = create_engine(use_cache=True, cache_size=64)
    for _ in range(3):
        data = generate_sample_data("CACHE", days=2_000, seed=5)  # a new, equal object each time
        engine.run_sma_backtest(data, 10, 30)
    print(f"  {engine.get_cache_stats()}")


def example_6_validation() -> None:
    """Validation: bad data is refused with the field and the row."""
    print("\n== 6. Validation")
    engine = RustEngine()
    good = generate_sample_data("OK", days=50, seed=9)
    print(f"  sample data valid: {engine.validate_data(good)}")
    bad = {
        "symbol": "BAD",
        "dates": ["2024-01-02", "2024-01-03", "2024-01-04"],
        "open": [10.0, 10.5, 10.2],
        "high": [10.6, 10.9, 10.4],
        "low": [9.9, 10.1, 10.7],
        "close": [10.4, 10.8, 10.3],
        "volume": [1000, 1200, 900],
    }
    print(f"  hand-made data valid: {engine.validate_data(bad)}")
    try:
        MarketData(**bad)
    except BacktestError as e:
        print(f"  why: {e}")


def example_7_error_handling() -> None:
    """Errors: every refusal is a BacktestError (a ValueError) that says what is wrong."""
    print("\n== 7. Error handling")
    data = generate_sample_data("ERR", days=100, seed=2)
    with rust_engine_context() as engine:
        for kwargs in (
            {"fast_period": 30, "slow_period": 10},
            {"fast_period": 10, "slow_period": 500},
            {"fast_period": 10, "slow_period": 30, "commission_rate": 1.5},
            {"fast_period": 10, "slow_period": 30, "fill": "open"},
        ):
            try:
                engine.run_sma_backtest(data, **kwargs)
            except ValueError as e:
                print(f"  {type(e).__name__}: {e}")


def example_8_benchmark() -> None:
    """The Rust engine against the pure-Python one, on the same bars."""
    print("\n== 8. Benchmark")
    data = generate_sample_data("BENCH", days=1_000, seed=42)
    b = benchmark_engine(data, 10, 30)
    if b["speedup"] is None:
        print("  only the pure-Python engine ran (no native module, or the backend forced)")
    else:
        print(
            f"  rust {b['rust_time_ms'] * 1000:.1f} us, python {b['python_time_ms']:.2f} ms: "
            f"{b['speedup']:.0f}x faster, same results: {b['results_match']}"
        )


if __name__ == "__main__":
    example_1_basic_usage()
    example_2_data_from_csv()
    example_3_parallel_grid()
    example_4_async()
    example_5_caching()
    example_6_validation()
    example_7_error_handling()
    example_8_benchmark()
