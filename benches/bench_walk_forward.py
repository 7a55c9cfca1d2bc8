"""A walk-forward of 10 windows x 400 combinations on 25,200 bars, ours against vectorbt's
equivalent (issue 12, "Speed"; figures only, never asserted).

    PYTHONPATH=python .venv/bin/python benches/bench_walk_forward.py [--repeat 3] [--universe 5]

Bars: ``generate_sample_data("BENCH", 25_200, 100.0, seed=42)``. Strategy: SMA cross, fast
in 2..40 step 2 and slow in 50..240 step 10 (20 x 20 = 400), long only, next-open fills,
commission 0.001; best by Sharpe ratio. Windows: 10 rolling windows of 5,040 train bars and
2,016 test bars (step 2,016).

* ours: ``RustEngine().walk_forward(md, sma_cross(fast, slow), params, train=5040,
  test=2016)``: every indicator once on all bars, 4,000 train runs on every core, the 10
  chosen test runs, the stitched result.
* vectorbt 1.2.0, as its walk-forward example does it: ``close.vbt.rolling_split(n=10,
  window_len=7056, set_lens=(2016,), left_to_right=False)`` gives the train and test frames;
  per split ``MA.run`` (fast and slow, 400 columns each), ``crossed_above/below``,
  ``Portfolio.from_signals`` (fees 0.001), ``sharpe_ratio()``, the best column; then the test
  frames with each split's best. (vectorbt computes each split's moving averages on that
  split's bars only, and fills at the close: not our causal, next-open walk, but the same work.)

``--universe N`` times the same walk on a universe of N sample assets
(``generate_sample_universe(N, 25_200, seed=42)``, windows counted in union bars,
``max_positions=3``): 4,000 portfolio train runs. vectorbt has no equivalent walk of a
cash-sharing group, so this one is ours alone.

Timed after a warm-up call (numba compiled); best and median of ``--repeat`` calls.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd

import quant_backtest as qb
from quant_backtest import strategy as qs

FASTS = list(range(2, 42, 2))
SLOWS = list(range(50, 250, 10))
TRAIN, TEST, WINDOWS = 5040, 2016, 10


def timed(fn, repeat: int) -> tuple[float, float, object]:
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def ours(bars: qb.MarketData | qb.Universe, **settings: object) -> qb.WalkForwardResult:
    strategy = qs.sma_cross(qs.param("fast"), qs.param("slow"))
    params = {"fast": FASTS, "slow": SLOWS}
    return qb.RustEngine().walk_forward(
        bars, strategy, params, train=TRAIN, test=TEST, commission_rate=0.001, **settings
    )


def vectorbt_walk(close: pd.Series) -> list[tuple[int, int]]:
    import vectorbt as vbt

    (train_close, _), (test_close, _) = close.vbt.rolling_split(
        n=WINDOWS, window_len=TRAIN + TEST, set_lens=(TEST,), left_to_right=False
    )
    fast = np.repeat(FASTS, len(SLOWS))
    slow = np.tile(SLOWS, len(FASTS))
    chosen = []
    for k in range(WINDOWS):
        c = train_close.iloc[:, k]
        fast_ma = vbt.MA.run(c, window=list(fast), short_name="fast")
        slow_ma = vbt.MA.run(c, window=list(slow), short_name="slow")
        entries = fast_ma.ma_crossed_above(slow_ma)
        exits = fast_ma.ma_crossed_below(slow_ma)
        pf = vbt.Portfolio.from_signals(c, entries, exits, fees=0.001, freq="1D")
        best = int(np.nanargmax(pf.sharpe_ratio().values))
        chosen.append((int(fast[best]), int(slow[best])))
    for k, (f, s) in enumerate(chosen):
        c = test_close.iloc[:, k]
        fast_ma = vbt.MA.run(c, window=f)
        slow_ma = vbt.MA.run(c, window=s)
        pf = vbt.Portfolio.from_signals(
            c,
            fast_ma.ma_crossed_above(slow_ma),
            fast_ma.ma_crossed_below(slow_ma),
            fees=0.001,
            freq="1D",
        )
        pf.total_return()
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--universe", type=int, default=0, help="also on N assets")
    args = parser.parse_args()
    if args.universe:
        u = qb.generate_sample_universe(args.universe, 25_200, seed=42)
        ub, um, ur = timed(lambda: ours(u, max_positions=3), args.repeat)
        print(
            f"ours on a {args.universe}-asset universe ({len(u.dates):,} union bars,"
            f" max_positions=3): best {ub * 1000:8.1f} ms, median {um * 1000:8.1f} ms;"
            f" {len(ur.trades)} test trades"
        )
    md = qb.generate_sample_data("BENCH", 25_200, 100.0, seed=42)
    best, median, r = timed(lambda: ours(md), args.repeat)
    print(f"{len(md):,} bars, {WINDOWS} windows x {len(FASTS) * len(SLOWS)} combinations")
    ours_chosen = [(p["fast"], p["slow"]) for p in r.params]
    print(
        f"ours:     best {best * 1000:8.1f} ms, median {median * 1000:8.1f} ms;"
        f" chosen {ours_chosen}"
    )
    close = pd.Series(md.close, index=pd.to_datetime(list(md.dates)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vb, vm, chosen = timed(lambda: vectorbt_walk(close), args.repeat)
    print(
        f"vectorbt: best {vb * 1000:8.1f} ms, median {vm * 1000:8.1f} ms ({vb / best:.1f}x ours);"
        f" chosen {chosen}"
    )


if __name__ == "__main__":
    main()
