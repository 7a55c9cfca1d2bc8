"""Sweeps, ``optimize`` and walk-forwards on a distributed engine you already have (SPEC
part 12): ``engine.sweep(..., executor=client)``.

Accepted executors: a ``concurrent.futures.Executor`` (a ``ProcessPoolExecutor``, or dask's
``Client.get_executor()``), a ``dask.distributed.Client``, the ``ray`` module (once
``ray.init()`` has run) or :class:`RayExecutor`. How it runs:

* The bars (one asset's, or a ``Universe``'s: every asset's columns) travel once per worker
  where the engine can keep them there: dask ``scatter``
  (broadcast to every worker), ``ray.put`` (one object in the object store). A plain
  ``Executor`` has no such store: the bars go with each chunk (a chunk per worker or two).
* The combinations are split, in sweep order, into chunks (two per worker), each run by the
  worker's engine (the native engine's threads: as many as the worker has, one per Ray task
  unless :class:`RayExecutor` asks for more); the rows come back in sweep order, each row the
  same bits as on one machine.
* A walk-forward sends its train sweeps: each chunk returns its best combination per window
  and its score; the best of the bests (ties to the first chunk, as one sweep's ties go to the
  first row) are then walked here, which gives exactly the one-machine answer.
* ``progress=True`` shows a tqdm bar (a line on stderr without tqdm), or pass a callable
  ``(done_rows, total_rows)``. An exception in the caller while waiting (Ctrl-C is a
  ``KeyboardInterrupt``) cancels the chunks not finished. A worker's ``BacktestError``
  comes back as itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import math
import os
import sys
from dataclasses import replace
from typing import Any, Callable, Iterator, Optional, Sequence, Union

from ._data import COLUMNS, MarketData
from ._errors import BacktestError
from .universe import Universe

ACCEPTED = (
    "a concurrent.futures.Executor (a ProcessPoolExecutor, or dask's Client.get_executor()), "
    "a dask.distributed.Client, the ray module (after ray.init()) or "
    "quant_backtest.distributed.RayExecutor(...)"
)
CHUNKS_PER_WORKER = 2
# Rows x bars below which a remote chunk is not split further: about 0.1 s of one core on an
# SMA cross. Each chunk costs a task round trip and its indicators again, so a short sweep
# runs one chunk per worker; a long one two, for balance and for a cheaper rerun of a lost one.
MIN_CHUNK_WORK = 40_000_000

# -- what the workers run ------------------------------------------------------------------

_BARS: dict[str, Union[MarketData, Universe]] = {}


def _columns(md: MarketData) -> dict:
    """One asset's columns as they pickle fastest: the dates joined into one text, the values
    as the arrays MarketData holds (numpy's buffers; tuples without numpy). A list of floats
    pickles one object per value: four times slower to scatter (benches/bench_distributed.py)."""
    return {"dates": "\n".join(md.dates), **{f: getattr(md, f) for f in COLUMNS}}


def _asset(columns: dict, symbol: str) -> MarketData:
    return MarketData(symbol, columns["dates"].split("\n"), *(columns[f] for f in COLUMNS))


def _bar_count(data: Union[MarketData, Universe]) -> int:
    """Bars a row runs on: one asset's, or every asset's own bars together."""
    return sum(len(a) for a in data) if isinstance(data, Universe) else len(data)


def _payload(data: Union[MarketData, Universe]) -> dict:
    """The bars for the workers: one asset's columns, or every asset's."""
    if isinstance(data, Universe):
        digest = hashlib.sha256("\n".join(a.fingerprint for a in data).encode()).hexdigest()
        assets = [{"symbol": a.symbol, "columns": _columns(a)} for a in data]
        return {"fingerprint": f"universe:{digest}", "assets": assets}
    return {"fingerprint": data.fingerprint, "symbol": data.symbol, "columns": _columns(data)}


def _bars_of(payload: dict) -> Union[MarketData, Universe]:
    """The bars a payload carries, made once per worker process (kept by fingerprint); the
    caller's own bars when the chunks run here."""
    if "data" in payload:
        return payload["data"]
    key = payload["fingerprint"]
    bars = _BARS.get(key)
    if bars is None:
        if len(_BARS) >= 8:
            _BARS.clear()
        if "assets" in payload:
            bars = Universe([_asset(a["columns"], a["symbol"]) for a in payload["assets"]])
        else:
            bars = _asset(payload["columns"], payload["symbol"])
        _BARS[key] = bars
    return bars


def _engine(backend: str) -> Any:
    from ._engine import RustEngine

    return RustEngine(use_rust=backend != "python")


def _request(payload: dict, request: dict, names: list[str], rows: list[list]) -> Any:
    from ._engine import _SweepRequest

    return _SweepRequest(_bars_of(payload), names=names, rows=rows, **request)


def _sweep_chunk(payload: dict, task: dict) -> dict[str, Any]:
    """One chunk of a sweep's rows: its columns as the worker's sweep gives them (numpy
    arrays, which pickle as buffers; lists without numpy)."""
    engine = _engine(task["backend"])
    r = _request(payload, task["request"], task["names"], task["rows"])
    return dict(engine._sweep_columns(r, task["threads"]))


def _joined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The chunks' columns one after another, each column's type as one sweep gives it."""
    from ._engine import _typed_columns

    names = list(parts[0])
    if all(hasattr(p[k], "dtype") for p in parts for k in names):
        import numpy as np

        return {k: np.concatenate([p[k] for p in parts]) for k in names}
    lists = {k: [x for p in parts for x in _plain_list(p[k])] for k in names}
    return _typed_columns(lists)


def _plain_list(column: Any) -> list:
    return column.tolist() if hasattr(column, "tolist") else list(column)


def _walk_chunk(payload: dict, task: dict) -> list[tuple[int, Optional[float]]]:
    """One chunk of a walk-forward's combinations: per window, its best row (an index in
    the chunk) and that row's train score."""
    engine = _engine(task["backend"])
    r = _request(payload, task["request"], task["names"], task["rows"])
    out = engine._walk_output(r, task["options"], task["threads"])
    maximize = out["maximize"]
    names, rows = task["names"], task["rows"]
    best = []
    for w in out["windows"]:
        chosen = [w["params"][n] for n in names]
        best.append((rows.index(chosen), w["in_sample"][maximize]))
    return best


# -- the executors ---------------------------------------------------------------------------


class RayExecutor(cf.Executor):
    """A ``concurrent.futures.Executor`` on Ray: ``submit`` runs a Ray task (``num_cpus``
    each; the native engine then uses that many threads). ``address`` and ``init`` go to
    ``ray.init()`` when Ray is not started yet (``address="ray://host:10001"`` for a
    cluster); otherwise the running Ray is used."""

    def __init__(self, address: Optional[str] = None, num_cpus: int = 1, **init: Any) -> None:
        import ray

        if not ray.is_initialized():
            ray.init(address=address, **init)
        self.num_cpus = num_cpus
        self._remote: dict[Callable, Any] = {}

    def remote(self, fn: Callable) -> Any:
        """``fn`` as a Ray remote function with this executor's options (made once)."""
        import ray

        if fn not in self._remote:
            self._remote[fn] = ray.remote(num_cpus=self.num_cpus)(fn)
        return self._remote[fn]

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        return self.remote(fn).remote(*args, **kwargs).future()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Ray stays up (it may serve others); ``ray.shutdown()`` stops it."""


class _Runner:
    """Chunks on one kind of executor: how many workers and threads, how the bars are
    shared, how tasks are started, waited for and cancelled."""

    workers = 1
    min_chunk_work = MIN_CHUNK_WORK
    threads: Optional[int] = None

    def share(self, payload: dict) -> Any:
        return payload

    def start(self, fn: Callable, shared: Any, task: dict) -> Any:
        raise NotImplementedError

    def finished(self, pending: list) -> Iterator[Any]:
        """Yields tasks of ``pending`` as they finish."""
        raise NotImplementedError

    def result(self, handle: Any) -> Any:
        return handle.result()

    def cancel(self, pending: Sequence[Any]) -> None:
        for h in pending:
            h.cancel()


class _Here(_Runner):
    """No executor (progress only): the chunks in turn, on this engine's threads."""

    min_chunk_work = 0  # no round trip: chunks only for the progress reports

    def start(self, fn: Callable, shared: Any, task: dict) -> Any:
        return (fn, shared, task)

    def finished(self, pending: list) -> Iterator[Any]:
        yield from list(pending)

    def result(self, handle: Any) -> Any:
        fn, shared, task = handle
        return fn(shared, task)

    def cancel(self, pending: Sequence[Any]) -> None:
        pass


class _Futures(_Runner):
    """A ``concurrent.futures.Executor`` (a process pool, dask's ``ClientExecutor``, ...)."""

    def __init__(self, executor: cf.Executor) -> None:
        self.executor = executor
        client = getattr(executor, "_client", None)
        if client is not None:  # dask's ClientExecutor
            nthreads = client.nthreads()
            self.workers = max(1, len(nthreads))
            self.threads = max(1, min(nthreads.values(), default=1))
        else:
            self.workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
            self.threads = 1 if isinstance(executor, cf.ProcessPoolExecutor) else None

    def start(self, fn: Callable, shared: Any, task: dict) -> Any:
        return self.executor.submit(fn, shared, task)

    def finished(self, pending: list) -> Iterator[Any]:
        yield from cf.as_completed(pending)


class _Dask(_Runner):
    """A ``dask.distributed.Client``: the bars scattered to every worker once."""

    def __init__(self, client: Any) -> None:
        self.client = client
        nthreads = client.nthreads()
        if not nthreads:
            raise BacktestError("the dask client has no workers", "invalid_parameter")
        self.workers = len(nthreads)
        self.threads = max(1, min(nthreads.values()))

    def share(self, payload: dict) -> Any:
        # In a list: a dict given to scatter is a mapping of names to scatter one by one.
        return self.client.scatter([payload], broadcast=True, hash=False)[0]

    def start(self, fn: Callable, shared: Any, task: dict) -> Any:
        return self.client.submit(fn, shared, task, pure=False)

    def finished(self, pending: list) -> Iterator[Any]:
        from distributed import as_completed

        yield from as_completed(pending)

    def cancel(self, pending: Sequence[Any]) -> None:
        self.client.cancel(list(pending))


class _Ray(_Runner):
    """Ray (the module, or a :class:`RayExecutor`): the bars in the object store once."""

    def __init__(self, executor: Optional[RayExecutor]) -> None:
        import ray

        if not ray.is_initialized():
            raise BacktestError(
                "executor=ray needs a running Ray: call ray.init() first", "invalid_parameter"
            )
        self.ray = ray
        self.executor = executor or RayExecutor()
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.threads = self.executor.num_cpus
        self.workers = max(1, cpus // max(1, self.threads))

    def share(self, payload: dict) -> Any:
        return self.ray.put(payload)

    def start(self, fn: Callable, shared: Any, task: dict) -> Any:
        return self.executor.remote(fn).remote(shared, task)

    def finished(self, pending: list) -> Iterator[Any]:
        left = list(pending)
        while left:
            done, left = self.ray.wait(left, num_returns=1)
            yield done[0]

    def result(self, handle: Any) -> Any:
        return self.ray.get(handle)

    def cancel(self, pending: Sequence[Any]) -> None:
        for ref in pending:
            self.ray.cancel(ref, force=True)


def runner_for(executor: Any) -> _Runner:
    """The runner of ``executor`` (``None``: here), or a clear error for an unknown kind."""
    if executor is None:
        return _Here()
    if isinstance(executor, RayExecutor):
        return _Ray(executor)
    if getattr(executor, "__name__", None) == "ray" and hasattr(executor, "remote"):
        return _Ray(None)
    if isinstance(executor, cf.Executor):
        return _Futures(executor)
    kind = type(executor)
    if kind.__name__ == "Client" and kind.__module__.startswith("distributed"):
        return _Dask(executor)
    raise BacktestError(
        f"executor must be {ACCEPTED}; got {kind.__module__}.{kind.__qualname__}",
        "invalid_parameter",
    )


# -- progress --------------------------------------------------------------------------------


class _Progress:
    """Reports rows done: to a callable, a tqdm bar, or a line on stderr."""

    def __init__(self, progress: Any, total: int, what: str) -> None:
        self.total, self.done = total, 0
        self.call: Optional[Callable[[int, int], Any]] = None
        self.bar: Any = None
        if progress is None or progress is False:
            return
        if callable(progress):
            self.call = progress
        elif progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.call = lambda done, total: print(
                    f"\r{what}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr
                )
            else:
                self.bar = tqdm(total=total, desc=what, unit="row")
        else:
            raise BacktestError(
                f"progress must be True, False, None or a callable (done, total), got {progress!r}",
                "invalid_parameter",
            )

    def add(self, rows: int) -> None:
        self.done += rows
        if self.bar is not None:
            self.bar.update(rows)
        if self.call is not None:
            self.call(self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- the calls -------------------------------------------------------------------------------


def _unwrapped(e: BaseException) -> BaseException:
    """A worker's own exception from an engine's wrapper of it (Ray's ``RayTaskError``)."""
    cause = getattr(e, "cause", None)
    return cause if isinstance(cause, BaseException) else e


def _run_chunks(
    engine: Any,
    r: Any,
    fn: Callable,
    extra: dict,
    max_workers: Any,
    executor: Any,
    progress: Any,
    what: str,
) -> tuple[list[str], list[list], list[tuple[int, int, Any]]]:
    """Runs ``fn`` on chunks of request ``r``'s rows; returns the names, the rows and each
    chunk's (first row, row count, result) in sweep order."""
    runner = runner_for(executor)
    names, rows = engine._sweep_rows(r)
    work = len(rows) * _bar_count(r.data)
    most = runner.workers * CHUNKS_PER_WORKER
    count = min(most, max(runner.workers, work // max(1, runner.min_chunk_work)))
    size = max(1, math.ceil(len(rows) / count))
    spans = [(i, min(size, len(rows) - i)) for i in range(0, len(rows), size)]
    payload = {"data": r.data} if isinstance(runner, _Here) else _payload(r.data)
    threads = max_workers if max_workers is not None else runner.threads
    base = {
        "backend": engine.backend if engine.backend == "python" else "rust",
        "request": {"tree": r.tree, "params": r.params, "settings": r.settings, "constraint": None},
        "names": names,
        "threads": threads,
        **extra,
    }
    report = _Progress(progress, len(rows), what)
    spans_of: dict[int, tuple[int, int]] = {}  # by id(handle): some handles are unhashable
    out: dict[int, Any] = {}
    pending: list = []
    try:
        shared = runner.share(payload)
        for start, count in spans:
            task = {**base, "rows": rows[start : start + count]}
            handle = runner.start(fn, shared, task)
            spans_of[id(handle)] = (start, count)
            pending.append(handle)
        for handle in runner.finished(pending):
            start, count = spans_of[id(handle)]
            try:
                out[start] = runner.result(handle)
            except BaseException as e:  # noqa: BLE001 - a worker's error, or the caller's interrupt
                raise _unwrapped(e) from None
            pending = [h for h in pending if h is not handle]
            report.add(count)
    except BaseException:
        runner.cancel(pending)
        raise
    finally:
        report.close()
    return names, rows, [(start, count, out[start]) for start, count in spans]


def sweep_columns(
    engine: Any, r: Any, max_workers: Any, executor: Any, progress: Any
) -> dict[str, Any]:
    """A sweep's columns, its rows run in chunks on ``executor``: the local sweep's, bit for bit
    (each column's type as the local sweep gives it)."""
    if isinstance(r.data, Universe):
        # A portfolio's own settings (max_positions) do not choose the rows: one row run here
        # checks them, before any bars travel.
        names, rows = engine._sweep_rows(r)
        engine._sweep_columns(replace(r, names=names, rows=rows[:1]), 1)
    names, _, chunks = _run_chunks(
        engine, r, _sweep_chunk, {}, max_workers, executor, progress, "sweep"
    )
    return _joined([part for _, _, part in chunks])


def walk_forward_output(
    engine: Any, r: Any, options: dict, max_workers: Any, executor: Any, progress: Any
) -> dict:
    """A walk-forward's output, its train sweeps run in chunks on ``executor``; then the
    chosen combinations walked here (the one-machine answer, bit for bit)."""
    names, rows = engine._sweep_rows(r)
    # The options and windows checked here first (one combination), before any bars travel.
    engine._walk_output(replace(r, names=names, rows=rows[:1]), options, max_workers)
    _, _, chunks = _run_chunks(
        engine,
        r,
        _walk_chunk,
        {"options": options},
        max_workers,
        executor,
        progress,
        "walk-forward",
    )
    chosen: set[int] = set()
    for w in range(len(chunks[0][2])):
        best: Optional[tuple[int, float]] = None
        for start, _, bests in chunks:
            index, score = bests[w]
            score = math.nan if score is None else float(score)
            if not math.isnan(score) and (best is None or score > best[1]):
                best = (start + index, score)
        chosen.add(best[0] if best is not None else 0)
    kept = [rows[i] for i in sorted(chosen)]
    out = engine._walk_output(replace(r, names=names, rows=kept), options, max_workers)
    out["combinations"] = len(rows)
    return out
