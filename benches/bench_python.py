"""Python-side benchmarks (figures for closing notes; never asserted in tests).

    .venv/bin/python benches/bench_python.py            # engine figures
    .venv/bin/python benches/bench_python.py --vectorbt # also the same grid in vectorbt

Measures: a 1,000-bar backtest end to end from Python; ``benchmark_engine``'s speedup over the
pure-Python engine; the issue's 50 x 50 grid (fast 2..51, slow 52..248 step 4: 2,500 pairs)
on 25,200 bars, its time, bar-pairs per second and peak memory above the process baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def current_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # "5" resets VmHWM to the current RSS
        f.write("5")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectorbt", action="store_true", help="also time vectorbt's grid")
    args = parser.parse_args()

    import quant_backtest as qb
    from quant_backtest import strategy as qs

    engine = qb.RustEngine()
    info = engine.get_engine_info()
    print(
        f"engine {info['backend']} {info['version']}, {info['threads']} threads, "
        f"python {sys.version.split()[0]}"
    )
    if info["backend"] != "rust":
        sys.exit("the native module is not installed: build it first (npm test or pip install .)")

    data = qb.generate_sample_data("BENCH", days=1_000, seed=42)
    engine.run_sma_backtest(data, 10, 30)
    runs = [
        timeit.timeit(lambda: engine.run_sma_backtest(data, 10, 30), number=200) / 200
        for _ in range(7)
    ]
    print(
        f"1,000-bar backtest, end to end from Python: median {statistics.median(runs) * 1e6:.1f}"
        f" us, best {min(runs) * 1e6:.1f} us"
    )

    b = qb.benchmark_engine(data, 10, 30, iterations=20)
    print(
        f"benchmark_engine on 1,000 bars: rust {b['rust_time_ms'] * 1000:.1f} us, python "
        f"{b['python_time_ms']:.2f} ms, speedup {b['speedup']:.1f}x, "
        f"results match: {b['results_match']}"
    )

    big = qb.generate_sample_data("BENCH", days=25_200, seed=42)
    fast, slow = list(range(2, 52)), list(range(52, 249, 4))
    pairs = sum(1 for f in fast for s in slow if f < s)
    grid = {"fast": fast, "slow": slow}
    # A generic tree: two different indicators, a stop loss (the strategy engine's own path).
    ema, sma = qs.ema(qs.param("fast")), qs.sma(qs.param("slow"))
    generic = qs.Strategy(entry=ema.crosses_above(sma), exit=ema.crosses_below(sma))
    engine.run_grid(big, fast[:2], slow[:2])  # warm the pool
    for label, call in (
        ("run_grid (columnar)", lambda: engine.run_grid(big, fast, slow)),
        ("run_multiple_backtests", lambda: engine.run_multiple_backtests(big, fast, slow)),
        ("run_grid, max_workers=1", lambda: engine.run_grid(big, fast, slow, max_workers=1)),
        ("sma_cross sweep", lambda: engine.sweep(big, qs.sma_cross(), grid, as_frame=False)),
        (
            "generic tree sweep (ema x sma, stop_loss 3 %)",
            lambda: engine.sweep(big, generic, grid, stop_loss=0.03, as_frame=False),
        ),
    ):
        base = current_rss_mb()
        reset_peak()
        times = []
        for _ in range(5):
            start = time.perf_counter()
            out = call()
            times.append(time.perf_counter() - start)
        del out
        peak = peak_rss_mb() - base
        best = min(times)
        print(
            f"50x50 ({pairs} rows) on 25,200 bars, {label}: best {best * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms, "
            f"{pairs * 25_200 / best / 1e6:.0f} M bar-rows/s, peak +{peak:.0f} MB"
        )

    if args.vectorbt:
        import numpy as np
        import vectorbt as vbt

        close = big.to_pandas()["close"]
        base = current_rss_mb()
        reset_peak()
        start = time.perf_counter()
        fast_w = [f for f in fast for s in slow if f < s]
        slow_w = [s for f in fast for s in slow if f < s]
        fast_ma = vbt.MA.run(close, fast_w, short_name="fast")
        slow_ma = vbt.MA.run(close, slow_w, short_name="slow")
        entries = fast_ma.ma_crossed_above(slow_ma)
        exits = fast_ma.ma_crossed_below(slow_ma)
        pf = vbt.Portfolio.from_signals(
            close,
            entries,
            exits,
            price=close,
            fees=0.001,
            init_cash=100_000,
            direction="longonly",
            freq="1D",
        )
        total = pf.total_return()
        took = time.perf_counter() - start
        print(
            f"vectorbt, the same {len(total)} pairs (fill at close; includes numba compile): "
            f"{took:.1f} s, peak +{peak_rss_mb() - base:.0f} MB "
            f"(best {np.nanmax(total.values):+.2%})"
        )


if __name__ == "__main__":
    main()
