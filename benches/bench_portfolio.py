"""Side by side: a 100-asset x 2,520-bar portfolio with shared cash, in our engine and in
vectorbt 1.2.0 (issue 10, "Speed and memory"; figures only, never asserted).

    PYTHONPATH=python .venv/bin/python benches/bench_portfolio.py [--repeat 7] [--assets 100]

Universe: ``generate_sample_data`` assets of equal length (one common calendar: what
vectorbt's frame of closes takes). Strategy: ``sma_cross(10, 50)``, ``fill="close"``,
``size=0.1`` of the cash at each entry, commission 0.001, a 5 % stop loss.

* ours: ``RustEngine().run_portfolio(universe, strategy, ...)``: indicators, signals, the
  run and the Python result (trades, per-asset position values) included.
* vectorbt, signals excluded: ``Portfolio.from_signals(close, entries, exits,
  group_by=True, cash_sharing=True, call_seq="auto", size_type="percent", ...)`` on our
  precomputed signals, then ``total_return()`` (vectorbt is lazy: that is what makes it
  produce the portfolio's value).
* vectorbt, signals included: ``MA.run`` for both windows, ``crossed_above/below``, then
  the same.

vectorbt is timed after a warm-up call (numba compile or cache load excluded); ours too
(the universe's native copy is made once and kept). Best and median of ``--repeat`` calls.
Peak memory of one run: each engine in a fresh subprocess, after a warm-up on a small
universe, as the growth of the process's peak RSS (``VmHWM``, reset to the current RSS
before the run) and tracemalloc's peak (Python and numpy allocations only: it cannot see
Rust's own heap).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

BARS = 2520
FAST, SLOW = 10, 50
SIZE = 0.1
COMMISSION = 0.001
STOP = 0.05
CASH = 100_000.0


def universe_of(assets: int, bars: int):
    from quant_backtest import Universe, generate_sample_data

    return Universe(
        [
            generate_sample_data(f"A{k:03d}", days=bars, start_price=20.0 + k, seed=1000 + k)
            for k in range(assets)
        ]
    )


def frames(universe):
    index = pd.DatetimeIndex(pd.to_datetime(list(universe.dates)))

    def frame(column: str) -> pd.DataFrame:
        cols = {a.symbol: np.asarray(getattr(a, column), dtype=float) for a in universe}
        return pd.DataFrame(cols, index=index)

    return {c: frame(c) for c in ("open", "high", "low", "close")}


def our_signals(universe, index):
    """SPEC's crossover of our SMAs (quant_backtest.indicators): the bits our engine uses."""
    from quant_backtest import indicators as ta

    up, down = {}, {}
    for a in universe:
        c = np.asarray(a.close, dtype=float)
        f, s = ta.sma(c, FAST), ta.sma(c, SLOW)
        u = np.zeros(len(c), dtype=bool)
        d = np.zeros(len(c), dtype=bool)
        with np.errstate(invalid="ignore"):
            u[1:] = (f[:-1] < s[:-1]) & (f[1:] > s[1:])
            d[1:] = (f[:-1] > s[:-1]) & (f[1:] < s[1:])
        up[a.symbol], down[a.symbol] = u, d
    return pd.DataFrame(up, index=index), pd.DataFrame(down, index=index)


def run_ours(engine, universe):
    from quant_backtest import strategy as qs

    return engine.run_portfolio(
        universe,
        qs.sma_cross(FAST, SLOW),
        fill="close",
        initial_capital=CASH,
        commission_rate=COMMISSION,
        size=SIZE,
        stop_loss=STOP,
    )


def run_vectorbt(f, entries, exits):
    import vectorbt as vbt

    pf = vbt.Portfolio.from_signals(
        f["close"],
        entries,
        exits,
        open=f["open"],
        high=f["high"],
        low=f["low"],
        price=f["close"],
        group_by=True,
        cash_sharing=True,
        call_seq="auto",
        size=SIZE,
        size_type="percent",
        fees=COMMISSION,
        sl_stop=STOP,
        stop_entry_price="fillprice",
        stop_exit_price="stoplimit",
        accumulate=False,
        size_granularity=np.nan,
        init_cash=CASH,
        freq="1D",
    )
    return pf, float(pf.total_return())


def vectorbt_signals(close: pd.DataFrame):
    import vectorbt as vbt

    fast = vbt.MA.run(close, window=FAST).ma
    slow = vbt.MA.run(close, window=SLOW).ma
    fast.columns = close.columns
    slow.columns = close.columns
    return fast.vbt.crossed_above(slow), fast.vbt.crossed_below(slow)


def timings(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm-up: numba compile / cache load, first-call costs
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return min(runs), statistics.median(runs)


def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:  # "5" resets VmHWM to the current RSS
            f.write("5")
        return True
    except OSError:
        return False


def memory_child(which: str, assets: int, bars: int) -> None:
    """One run of ``which`` in this (fresh) process, after a warm-up on a small universe;
    prints JSON: peak RSS growth and tracemalloc peak, in MiB."""
    from quant_backtest import RustEngine

    small, big = universe_of(3, 200), universe_of(assets, bars)
    if which == "ours":
        engine = RustEngine()
        run_ours(engine, small)
        big._native_handle()  # the universe's native copy: data, not the run

        def one():
            return run_ours(engine, big)
    else:
        fs, fb = frames(small), frames(big)
        es, xs = our_signals(small, fs["close"].index)
        eb, xb = our_signals(big, fb["close"].index)
        run_vectorbt(fs, es, xs)

        def one():
            return run_vectorbt(fb, eb, xb)

    exact = reset_peak_rss()
    base = status_kb("VmRSS") if exact else status_kb("VmHWM")
    tracemalloc.start()
    out = one()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = max(0, status_kb("VmHWM") - base)
    del out
    report = {"rss_peak_growth_mib": grown / 1024, "traced_peak_mib": traced_peak / 2**20}
    report["rss_exact"] = exact
    print(json.dumps(report))


def memory_of(which: str, assets: int, bars: int) -> dict:
    cmd = [sys.executable, __file__, "--memory-child", which, "--assets", str(assets)]
    cmd += ["--bars", str(bars)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--bars", type=int, default=BARS)
    parser.add_argument("--memory-child", choices=["ours", "vectorbt"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    if args.memory_child:
        memory_child(args.memory_child, args.assets, args.bars)
        return 0

    import vectorbt as vbt

    from quant_backtest import RustEngine

    engine = RustEngine()
    if engine.backend != "rust":
        sys.exit("the native module is not installed: build it first")
    universe = universe_of(args.assets, args.bars)
    f = frames(universe)
    entries, exits = our_signals(universe, f["close"].index)
    print(
        f"{args.assets} assets x {args.bars} bars, sma_cross({FAST}, {SLOW}), size={SIZE} of "
        f"the cash, stop_loss={STOP}, commission={COMMISSION}; vectorbt {vbt.__version__}"
    )

    ours = run_ours(engine, universe)
    _, theirs = run_vectorbt(f, entries, exits)
    vb_entries, vb_exits = vectorbt_signals(f["close"])
    same_signals = bool(
        (vb_entries.to_numpy() == entries.to_numpy()).all()
        and (vb_exits.to_numpy() == exits.to_numpy()).all()
    )
    print(
        f"check: trades ours {len(ours.trades)}; total return ours {ours.total_return:.12f}, "
        f"vectorbt {theirs:.12f}; vectorbt's own signals equal ours: {same_signals}"
    )

    core_ms: list[float] = []

    def ours_call():
        core_ms.append(run_ours(engine, universe).execution_time_ms / 1e3)

    rows = [
        ("ours: run_portfolio, Python result", timings(ours_call, args.repeat)),
        ("ours: the core's execution_time_ms", (min(core_ms[1:]), statistics.median(core_ms[1:]))),
        (
            "vectorbt: from_signals (signals excl.)",
            timings(lambda: run_vectorbt(f, entries, exits), args.repeat),
        ),
        (
            "vectorbt: MA + crossed + from_signals",
            timings(lambda: run_vectorbt(f, *vectorbt_signals(f["close"])), args.repeat),
        ),
    ]
    print(f"\n{'':40} {'best ms':>10} {'median ms':>10}")
    for name, (best, median) in rows:
        print(f"{name:40} {best * 1e3:10.2f} {median * 1e3:10.2f}")
    print("(ours: indicators and signals included in both rows; the core's time leaves out the")
    print(" conversion of its result to Python objects)")
    (ours_best, _), (core_best, _) = rows[0][1], rows[1][1]
    for name, (best, _) in rows[2:]:
        print(
            f"speed-up over {name.split(': ')[1]}: {best / ours_best:.1f}x "
            f"(against the core's time: {best / core_best:.1f}x); the issue's target: 50x"
        )

    print("\npeak memory of one run (fresh process, after a warm-up):")
    print(f"{'':40} {'RSS growth MiB':>15} {'tracemalloc MiB':>16}")
    for which in ("ours", "vectorbt"):
        m = memory_of(which, args.assets, args.bars)
        exact = "" if m["rss_exact"] else " (VmHWM not resettable: an upper bound)"
        print(f"{which:40} {m['rss_peak_growth_mib']:15.1f} {m['traced_peak_mib']:16.1f}{exact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
