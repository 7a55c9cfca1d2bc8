"""Sweeps, ``optimize`` and walk-forwards on real distributed engines, on loopback (SPEC part
12): a process pool, a dask ``LocalCluster`` with 2 worker processes (as a ``Client`` and as
its ``get_executor()``), and a local Ray (``ray.init(num_cpus=2)``, as the module and as a
``RayExecutor``). Every answer equals the same call on one machine, bit for bit; a dask
worker killed mid-sweep still gives the complete answer; progress reports every row; an
interrupt cancels what is left; a worker's ``BacktestError`` comes back as itself; an executor
of an unknown kind is refused by name."""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import signal
import struct
import time
from typing import Any, Iterator

import distributed as distributed_dask  # requirements-dev.txt: the setup installs it
import pytest
import ray

import quant_backtest as qb
from quant_backtest import BacktestError, RustEngine, distributed
from quant_backtest import strategy as qs


def bits(x: Any) -> Any:
    if hasattr(x, "tolist"):
        return bits(x.tolist())
    if isinstance(x, float):
        return "nan" if math.isnan(x) else struct.pack("<d", x)
    if isinstance(x, dict):
        return tuple((k, bits(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return tuple(bits(v) for v in x)
    return x


def columns_bits(columns: dict) -> Any:
    """Columns by their values' bits and their dtypes (an int column must stay int)."""
    return tuple((k, str(getattr(v, "dtype", type(v))), bits(v)) for k, v in columns.items())


def walk_bits(r: qb.WalkForwardResult) -> Any:
    d = r.to_dict()
    d.pop("execution_time_ms")
    return bits(d)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    cluster = distributed_dask.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed_dask.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def ray_started() -> Iterator[Any]:
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def process_pool() -> Iterator[cf.ProcessPoolExecutor]:
    with cf.ProcessPoolExecutor(2) as pool:
        yield pool


@pytest.fixture(
    params=["process_pool", "dask_client", "dask_executor", "ray_module", "ray_executor"]
)
def executor(request: pytest.FixtureRequest) -> Any:
    kind = request.param
    if kind == "process_pool":
        return request.getfixturevalue("process_pool")
    if kind.startswith("dask"):
        client = request.getfixturevalue("dask_client")
        return client if kind == "dask_client" else client.get_executor()
    request.getfixturevalue("ray_started")
    return ray if kind == "ray_module" else distributed.RayExecutor(num_cpus=1)


SMA = qs.sma_cross(qs.param("fast"), qs.param("slow"))
PARAMS = {"fast": [2, 4, 6, 9, 13], "slow": [15, 25, 40]}


def test_sweep_optimize_and_walk_forward_equal_one_machine(
    engine: RustEngine, executor: Any
) -> None:
    bars = 900 if engine.backend == "rust" else 320
    md = qb.generate_sample_data("D", bars, 100.0, seed=6)
    settings = {"stop_loss": 0.05, "commission_rate": 0.001}
    local = engine.sweep(md, SMA, PARAMS, as_frame=False, **settings)
    there = engine.sweep(md, SMA, PARAMS, as_frame=False, executor=executor, **settings)
    assert columns_bits(there) == columns_bits(local)
    keep = lambda c: c["slow"] - c["fast"] > 10  # noqa: E731 - a Python constraint travels as rows
    local = engine.sweep(md, SMA, PARAMS, keep, as_frame=False)
    there = engine.sweep(md, SMA, PARAMS, keep, as_frame=False, executor=executor)
    assert columns_bits(there) == columns_bits(local)
    best, result = engine.optimize(md, SMA, PARAMS, maximize="total_return", executor=executor)
    assert (best, bits(result.equity_curve)) == (
        engine.optimize(md, SMA, PARAMS, maximize="total_return")[0],
        bits(engine.optimize(md, SMA, PARAMS, maximize="total_return")[1].equity_curve),
    )
    train, test = (300, 150) if engine.backend == "rust" else (120, 60)
    kw = {"train": train, "test": test, "anchored": True, **settings}
    local_walk = engine.walk_forward(md, SMA, PARAMS, **kw)
    there_walk = engine.walk_forward(md, SMA, PARAMS, executor=executor, **kw)
    assert walk_bits(there_walk) == walk_bits(local_walk)
    assert there_walk.combinations == local_walk.combinations == 15
    assert len({tuple(p.items()) for p in local_walk.params}) >= 1


def test_a_universe_sweeps_optimizes_and_walks_as_on_one_machine(
    engine: RustEngine, executor: Any
) -> None:
    """The universe travels once (every asset's columns), each chunk's rows are portfolio
    runs there, and the answer is the local one bit for bit."""
    days = 500 if engine.backend == "rust" else 200
    u = qb.generate_sample_universe(["AAA", "BBB", "CCC"], days, seed=3)
    settings = {"max_positions": 2, "stop_loss": 0.04, "commission_rate": 0.001}
    local = engine.sweep(u, SMA, PARAMS, as_frame=False, **settings)
    there = engine.sweep(u, SMA, PARAMS, as_frame=False, executor=executor, **settings)
    assert columns_bits(there) == columns_bits(local)
    best, result = engine.optimize(u, SMA, PARAMS, executor=executor, **settings)
    best_here, result_here = engine.optimize(u, SMA, PARAMS, **settings)
    assert (best, bits(result.equity_curve)) == (best_here, bits(result_here.equity_curve))
    train, test = (200, 100) if engine.backend == "rust" else (80, 40)
    kw = {"train": train, "test": test, **settings}
    local_walk = engine.walk_forward(u, SMA, PARAMS, **kw)
    there_walk = engine.walk_forward(u, SMA, PARAMS, executor=executor, **kw)
    assert walk_bits(there_walk) == walk_bits(local_walk)
    assert {t.symbol for t in there_walk.trades} <= set(u.symbols) and there_walk.trades


def test_progress_reports_every_row(dask_client: Any) -> None:
    md = qb.generate_sample_data("D", 600, 100.0, seed=2)
    seen: list[tuple[int, int]] = []
    qb.RustEngine().sweep(
        md, SMA, PARAMS, executor=dask_client, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (15, 15)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= 2
    # No executor: the chunks run here, reporting as they go.
    seen.clear()
    qb.RustEngine().sweep(md, SMA, PARAMS, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (15, 15) and len(seen) >= 2
    seen.clear()
    engine = qb.RustEngine()
    walked = engine.walk_forward(
        md, SMA, PARAMS, train=200, test=100, progress=lambda d, t: seen.append((d, t))
    )
    assert walk_bits(walked) == walk_bits(engine.walk_forward(md, SMA, PARAMS, train=200, test=100))
    assert seen[-1] == (15, 15)
    with pytest.raises(BacktestError, match="progress must be True, False, None or a callable"):
        qb.RustEngine().sweep(md, SMA, PARAMS, progress="yes")


def test_a_worker_killed_mid_sweep_still_gives_the_whole_answer(
    dask_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import require_native

    require_native()
    # The most chunks (two per worker): when the first comes back, another is still running
    # or queued on a worker, whatever the machine's speed.
    monkeypatch.setattr(distributed._Runner, "min_chunk_work", 1)
    engine = RustEngine(use_rust=True)
    # Chunks of ~0.1 s each: the first back leaves the others running.
    md = qb.generate_sample_data("D", 60_000, 100.0, seed=9)
    params = {"fast": list(range(2, 42)), "slow": list(range(50, 250, 4))}
    local = engine.sweep(md, SMA, params, as_frame=False)
    pids = dask_client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        # On the first chunk back, a worker still running a chunk is killed: that chunk is
        # lost and must run again.
        busy = [w for w, keys in dask_client.processing().items() if keys]
        if not killed and busy:
            pid = pids[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    there = engine.sweep(md, SMA, params, as_frame=False, executor=dask_client, progress=kill_one)
    assert killed
    assert columns_bits(there) == columns_bits(local)
    # The nanny brings the worker back: the cluster has two again.
    deadline = time.monotonic() + 30
    while len(dask_client.nthreads()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(dask_client.nthreads()) == 2


def test_an_interrupt_cancels_the_chunks_left(dask_client: Any) -> None:
    md = qb.generate_sample_data("D", 20_000, 100.0, seed=4)
    params = {"fast": list(range(2, 42, 2)), "slow": list(range(50, 250, 10))}

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        qb.RustEngine().sweep(md, SMA, params, executor=dask_client, progress=interrupt)
    # Nothing of that sweep is left on the cluster (its tasks cancelled, its bars released).
    deadline = time.monotonic() + 30
    left = None
    while time.monotonic() < deadline:
        left = dask_client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        if left == 0:
            break
        time.sleep(0.2)
    assert left == 0


def test_a_workers_error_comes_back_as_itself(dask_client: Any, ray_started: Any) -> None:
    md = qb.generate_sample_data("D", 200, 100.0, seed=1)
    payload = distributed._payload(md)
    task = {
        "backend": "rust" if RustEngine().backend != "python" else "python",
        "request": {"tree": SMA.to_dict(), "params": PARAMS, "settings": {}, "constraint": None},
        "names": ["fast", "slow"],
        "rows": [[0, 20]],
        "threads": 1,
    }
    message = "entry.crosses_above[0].period must be an integer >= 1, got 0"
    with pytest.raises(BacktestError) as info:
        dask_client.submit(distributed._sweep_chunk, payload, task, pure=False).result()
    assert (str(info.value), info.value.code) == (message, "invalid_strategy")
    try:
        ray.get(ray.remote(distributed._sweep_chunk).remote(payload, task))
    except Exception as e:  # noqa: BLE001 - Ray wraps it; the adapter unwraps it
        err = distributed._unwrapped(e)
    assert isinstance(err, BacktestError) and (str(err), err.code) == (message, "invalid_strategy")


def test_bad_executors_and_requests_are_refused_before_any_work(process_pool: Any) -> None:
    md = qb.generate_sample_data("D", 200, 100.0, seed=1)
    with pytest.raises(BacktestError) as info:
        qb.RustEngine().sweep(md, SMA, PARAMS, executor="localhost:8786")
    assert str(info.value) == f"executor must be {distributed.ACCEPTED}; got builtins.str"
    assert info.value.code == "invalid_parameter"
    with pytest.raises(BacktestError, match=r"^params\['fast'\] is empty$"):
        qb.RustEngine().sweep(md, SMA, {"fast": [], "slow": [3]}, executor=process_pool)
    with pytest.raises(BacktestError, match="the first window needs 400 bars"):
        qb.RustEngine().walk_forward(md, SMA, PARAMS, train=300, test=100, executor=process_pool)
    u = qb.generate_sample_universe(2, 100, seed=1)
    with pytest.raises(BacktestError, match="the first window needs 400 bars"):
        qb.RustEngine().walk_forward(u, SMA, PARAMS, train=300, test=100, executor=process_pool)
    with pytest.raises(BacktestError, match="max_positions must be an integer >= 1, got 0"):
        qb.RustEngine().sweep(u, SMA, PARAMS, executor=process_pool, max_positions=0)
