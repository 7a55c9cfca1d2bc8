"""The cost of distribution (issue 12, "Speed"; figures only, never asserted): a
2,500-combination sweep on 25,200 bars in-process against the same sweep on a dask
``LocalCluster`` of 2 worker processes (1 thread each), and the shipping of the bars.

    PYTHONPATH=python .venv/bin/python benches/bench_distributed.py \
        [--repeat 5] [--ray] [--universe 5]

* in-process: ``RustEngine().sweep(md, sma_cross(fast, slow), params)`` on every core.
* dask: the same call with ``executor=client`` (the rows in 4 chunks, 2 per worker; each
  chunk on its worker's 1 thread): the bars scattered to both workers, the chunks submitted,
  the rows gathered and joined.
* shipping: ``client.scatter([bars], broadcast=True)`` alone, and the payload's pickled size.
* ``--ray``: also on a local Ray (``ray.init(num_cpus=2)``), module executor.
* ``--universe N``: also a 400-combination portfolio sweep (fast 2..40 by 2, slow 50..240 by
  10, ``max_positions=3``) on a universe of N sample assets of 25,200 bars, in-process and
  on the cluster, with the universe's shipping (every asset's columns, one object).

Each figure is the best and the median of ``--repeat`` calls after one warm-up call. Both
answers are checked equal, bit for bit.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import time

import numpy as np

import quant_backtest as qb
from quant_backtest import distributed
from quant_backtest import strategy as qs


def timed(fn, repeat: int) -> tuple[float, float, object]:
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def same(a: dict, b: dict) -> bool:
    return all(np.array_equal(a[k], b[k], equal_nan=True) and a[k].dtype == b[k].dtype for k in a)


def ship(client: object, bars: qb.MarketData | qb.Universe, repeat: int) -> None:
    """The bars' scatter to both workers alone, and their pickled size."""
    payload = distributed._payload(bars)
    size = len(pickle.dumps(payload))
    b, m, _ = timed(lambda: client.scatter([payload], broadcast=True, hash=False)[0], repeat)
    print(
        f"ship the bars:         best {b * 1000:8.1f} ms, median {m * 1000:8.1f} ms"
        f" ({size / 1e6:.2f} MB pickled, to each of 2 workers)"
    )


def universe_sweep(client: object, engine: qb.RustEngine, strategy: object, n: int, repeat: int):
    u = qb.generate_sample_universe(n, 25_200, seed=42)
    params = {"fast": list(range(2, 42, 2)), "slow": list(range(50, 250, 10))}
    print(f"a {n}-asset universe, {len(u.dates):,} union bars, 400 combinations, max_positions=3")
    best, median, local = timed(
        lambda: engine.sweep(u, strategy, params, as_frame=False, max_positions=3), repeat
    )
    print(f"in-process:            best {best * 1000:8.1f} ms, median {median * 1000:8.1f} ms")
    ship(client, u, repeat)
    b, m, there = timed(
        lambda: engine.sweep(u, strategy, params, as_frame=False, executor=client, max_positions=3),
        repeat,
    )
    print(
        f"dask, 2 processes:     best {b * 1000:8.1f} ms, median {m * 1000:8.1f} ms"
        f" ({b / best:.2f}x in-process); equal: {same(local, there)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ray", action="store_true")
    parser.add_argument("--universe", type=int, default=0, help="also on N assets")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    md = qb.generate_sample_data("BENCH", 25_200, 100.0, seed=42)
    strategy = qs.sma_cross(qs.param("fast"), qs.param("slow"))
    params = {"fast": list(range(2, 102, 2)), "slow": list(range(105, 355, 5))}
    engine = qb.RustEngine()
    print(f"{len(md):,} bars, {50 * 50:,} combinations, {os.cpu_count()} cores")

    best, median, local = timed(
        lambda: engine.sweep(md, strategy, params, as_frame=False), args.repeat
    )
    print(f"in-process:            best {best * 1000:8.1f} ms, median {median * 1000:8.1f} ms")
    base = best

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = Client(cluster)
    try:
        ship(client, md, args.repeat)
        best, median, there = timed(
            lambda: engine.sweep(md, strategy, params, as_frame=False, executor=client), args.repeat
        )
        print(
            f"dask, 2 processes:     best {best * 1000:8.1f} ms, median {median * 1000:8.1f} ms"
            f" ({best / base:.2f}x in-process); equal: {same(local, there)}"
        )
        if args.universe:
            universe_sweep(client, engine, strategy, args.universe, args.repeat)
    finally:
        client.close()
        cluster.close()

    if args.ray:
        import ray

        ray.init(
            num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False
        )
        try:
            best, median, there = timed(
                lambda: engine.sweep(md, strategy, params, as_frame=False, executor=ray),
                args.repeat,
            )
            print(
                f"ray, 2 CPUs:           best {best * 1000:8.1f} ms, median {median * 1000:8.1f} ms"
                f" ({best / base:.2f}x in-process); equal: {same(local, there)}"
            )
        finally:
            ray.shutdown()


if __name__ == "__main__":
    main()
