"""A live run's push from Python, and its memory (issue 11, "Speed"; figures only, never
asserted).

    PYTHONPATH=python .venv/bin/python benches/bench_live.py [--bars 100000] [--repeat 5]

Strategy: ``sma_cross(10, 30)`` with a 5 % stop loss (two indicators), ``equity_curve=False``.
Bars: ``generate_sample_data`` rows as ``Bar`` tuples made beforehand; the time is the loop
``for bar in bars: live.push(bar)`` per bar (the Python layer's reading of the bar, the call,
the events list), best and median of ``--repeat`` runs, on the native engine and on the
pure-Python one. Memory: the process's RSS after pushing ``--bars`` bars, then after as many
again, with and without the equity curve: the growth per bar (the kept non-zero returns are
the one part of the state that grows without the curve; 8 bytes per bar that moved the equity).
"""

from __future__ import annotations

import argparse
import statistics
import time

import quant_backtest as qb
from quant_backtest import Bar
from quant_backtest import strategy as qs


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def bars_of(n: int, seed: int = 42) -> list[Bar]:
    d = qb.generate_sample_data("LIVE", days=n, seed=seed)
    return [Bar(*r) for r in zip(d.dates, d.open, d.high, d.low, d.close, d.volume)]


def time_push(engine: qb.RustEngine, bars: list[Bar], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        live = engine.live(qs.sma_cross(10, 30), stop_loss=0.05, equity_curve=False)
        push = live.push
        t0 = time.perf_counter()
        for bar in bars:
            push(bar)
        out.append((time.perf_counter() - t0) / len(bars) * 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    bars = bars_of(args.bars)
    for use_rust, n in ((True, args.bars), (False, min(args.bars, 20_000))):
        engine = qb.RustEngine(use_rust=use_rust)
        us = time_push(engine, bars[:n], args.repeat if use_rust else 2)
        print(
            f"{engine.backend:>6}: push {min(us):.2f} µs best, {statistics.median(us):.2f} µs "
            f"median ({n:,} bars, sma_cross 10/30 + stop)"
        )
    engine = qb.RustEngine()
    more = bars_of(2 * args.bars, seed=7)
    for curve in (False, True):
        live = engine.live(qs.sma_cross(10, 30), stop_loss=0.05, equity_curve=curve)
        for bar in more[: args.bars]:
            live.push(bar)
        before = rss_bytes()
        for bar in more[args.bars :]:
            live.push(bar)
        grown = rss_bytes() - before
        r = live.result()
        print(
            f"equity_curve={curve}: RSS +{grown / 2**20:.2f} MiB over {args.bars:,} more bars "
            f"({grown / args.bars:.1f} B/bar); {r.trade_count} trades, exposure {r.exposure:.2f}"
        )


if __name__ == "__main__":
    main()
