"""Side by side: the 50x50 SMA sweep with a 3 % stop loss, close fills, on 2,520 sample bars,
in our engine and in vectorbt 1.2.0 (issue 8, "Speed and memory").

    PYTHONPATH=python .venv/bin/python benches/bench_vectorbt_stops.py [--repeat 5]

Ours: ``engine.sweep(data, qs.sma_cross(), {"fast": 2..51, "slow": 52..248 step 4},
fill="close", stop_loss=0.03)`` (defaults: 100,000 cash, commission 0.001, all in).
vectorbt: ``MA.run`` over the windows, ``crossed_above`` / ``crossed_below`` on the 2,500
(fast, slow) column pairs, one ``Portfolio.from_signals(..., sl_stop=0.03)`` with every column
(``price=close``, ``fees=0.001``, ``size=inf``, ``stop_entry_price="fillprice"``, which with
no slippage is the close). Prints the first call (vectorbt: numba compile or on-disk cache
load included; ours: first call of the process) and the best of ``--repeat`` later calls, the
speed-up, and the largest relative difference of the total returns over the pairs where the
two rules agree: pairs whose fast and slow SMA come within 1e-9 relative on some bar are left
out (vectorbt's cumsum SMA and its tie rule can decide those differently), and counted.
Not a test: figures only.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

FAST = list(range(2, 52))
SLOW = list(range(52, 250, 4))
STOP = 0.03
COMMISSION = 0.001
CASH = 100_000.0
NEAR_TIE = 1e-9


def vectorbt_sweep(close: pd.Series, open_: pd.Series, high: pd.Series, low: pd.Series):
    import vectorbt as vbt

    ma = vbt.MA.run(close, window=FAST + SLOW).ma.to_numpy()
    by_window = {w: ma[:, i] for i, w in enumerate(FAST + SLOW)}
    columns = pd.MultiIndex.from_tuples(
        [(f, s) for f in FAST for s in SLOW], names=["fast", "slow"]
    )
    fast = pd.DataFrame(
        np.column_stack([by_window[f] for f, _ in columns]), index=close.index, columns=columns
    )
    slow = pd.DataFrame(
        np.column_stack([by_window[s] for _, s in columns]), index=close.index, columns=columns
    )
    entries = fast.vbt.crossed_above(slow)
    exits = fast.vbt.crossed_below(slow)
    pf = vbt.Portfolio.from_signals(
        close,
        entries,
        exits,
        price=close,
        open=open_,
        high=high,
        low=low,
        sl_stop=STOP,
        stop_entry_price="fillprice",
        stop_exit_price="stoplimit",
        direction="longonly",
        accumulate=False,
        size=np.inf,
        size_type="amount",
        fees=COMMISSION,
        init_cash=CASH,
        freq="1D",
        engine="numba",
    )
    returns = pf.total_return()
    return returns, fast, slow


def near_tie_pairs(fast: pd.DataFrame, slow: pd.DataFrame) -> np.ndarray:
    f = fast.to_numpy()
    s = slow.to_numpy()
    with np.errstate(invalid="ignore"):
        gap = np.abs(f - s) / s
    gap = np.where(np.isnan(gap), np.inf, gap)
    return gap.min(axis=0) <= NEAR_TIE


def timed(fn, repeat: int):
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, first, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from quant_backtest import RustEngine, generate_sample_data

    data = generate_sample_data("S", 2520, 100.0, 42)
    index = pd.DatetimeIndex(pd.to_datetime(list(data.dates)))
    close = pd.Series(np.asarray(data.close, dtype=float), index=index)
    open_ = pd.Series(np.asarray(data.open, dtype=float), index=index)
    high = pd.Series(np.asarray(data.high, dtype=float), index=index)
    low = pd.Series(np.asarray(data.low, dtype=float), index=index)
    pairs = len(FAST) * len(SLOW)
    print(f"{pairs} pairs (fast 2..51, slow 52..248 step 4), {len(close)} bars, stop_loss={STOP}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        (vbt_returns, fast, slow), vbt_first, vbt_best = timed(
            lambda: vectorbt_sweep(close, open_, high, low), args.repeat
        )
    print(f"vectorbt 1.2.0: first call {vbt_first * 1e3:9.1f} ms (numba compile/cache load incl.)")
    print(f"vectorbt 1.2.0: best of {args.repeat}  {vbt_best * 1e3:9.1f} ms (compiled)")

    engine = RustEngine()
    if not hasattr(engine, "sweep"):
        print("ours: RustEngine.sweep is not available in this build")
        return 1
    from quant_backtest import strategy as qs

    grid = {"fast": FAST, "slow": SLOW}
    table, our_first, our_best = timed(
        lambda: engine.sweep(data, qs.sma_cross(), grid, fill="close", stop_loss=STOP),
        args.repeat,
    )
    backend = getattr(engine, "backend", "?")
    print(f"ours ({backend}):   first call {our_first * 1e3:9.1f} ms")
    print(f"ours ({backend}):   best of {args.repeat}  {our_best * 1e3:9.1f} ms")
    print(
        f"speed-up (best vs best): {vbt_best / our_best:8.1f}x; first calls: "
        f"{vbt_first / our_first:8.1f}x"
    )

    ours_by_pair = {
        (int(f), int(s)): float(r)
        for f, s, r in zip(table["fast"], table["slow"], table["total_return"])
    }
    assert len(ours_by_pair) == pairs, f"sweep returned {len(ours_by_pair)} rows"
    tie = near_tie_pairs(fast, slow)
    worst = 0.0
    worst_pair = None
    for (f, s), theirs, tied in zip(vbt_returns.index, vbt_returns.to_numpy(), tie):
        if tied:
            continue
        mine = ours_by_pair[(int(f), int(s))]
        denom = max(abs(mine), abs(theirs), 1e-300)
        d = abs(mine - theirs) / denom
        if d > worst:
            worst, worst_pair = d, (int(f), int(s))
    print(
        f"total_return, {pairs - int(tie.sum())} pairs compared ({int(tie.sum())} left out for "
        f"an SMA near-tie): max relative difference {worst:.3e} at {worst_pair}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
