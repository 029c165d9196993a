"""Computing lens-store parts for a corpus: :func:`compute` ingests the corpus into the store,
plans every requested part and the parts they need, and runs their maps on the engine (process
pool or Dask) and their reduces in this process, reporting progress.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence
from framelens.errors import FramelensError
from framelens.tables.mapreduce import Reduction, reduction, split_corpus  # noqa: F401  (moved; re-exported)
from framelens.store.parts import PARTS, resolve_options
from framelens.core.engine import (FRESH_WORKER_PARTITIONS, DaskEngine, get_engine, parts_side_by_side, pool as make_pool, stop_pool,
                                   TickingEngine)
from framelens.core.progress import as_progress, PeakMemory, QueueReporter
from framelens.store.lens_store import LensStore
from framelens.tables.parquet import PARTITION_DOCUMENTS


def _part_worker(args) -> tuple[str, float, float | None]:
    """Compute one part in a worker process from the store on disk (returns its folder, the
    seconds it took and the worker's peak memory meanwhile, MB)."""
    root, corpus_path, sources, view, name, options, inputs, address = args

    from framelens.text.tokens import release_memory

    eng = get_engine(address) if address else None  # the run's Dask cluster: the part's maps run there
    lens = LensStore(root, corpus_path, sources=sources, inputs=inputs, engine=eng, **view)
    lens.progress = _WORKER_PROGRESS
    try:
        return _timed_part(lens, name, options)
    finally:  # the worker computes the next part from what it needs, not from this part's peak
        del lens
        if eng is not None:
            eng.close()
        release_memory(arrow=True)


def _timed_part(lens, name: str, options: Mapping[str, Any]) -> tuple[str, float, float | None]:
    """``lens.part(name, **options)``: its folder, seconds and the peak memory (MB) of this process
    while it ran (its reduce, and its maps when they run here)."""
    import time

    t0 = time.perf_counter()
    with PeakMemory() as peak:
        folder = str(lens.part(name, **options).folder)
    return folder, time.perf_counter() - t0, peak.mb


_WORKER_PROGRESS = None  # in a part worker: reports map steps to the parent (framelens.core.progress.QueueReporter)


def _init_part_worker(queue) -> None:
    global _WORKER_PROGRESS

    _WORKER_PROGRESS = QueueReporter(queue) if queue is not None else None


def compute(corpus: str | os.PathLike, *, store: str | os.PathLike, sources: Sequence[str] = (),
            by: str | None = "source", own_text: bool = False, drop_near_duplicates: bool = False, requests: Sequence[tuple[str, Mapping[str, Any]]] | None = None, workers: int = 1,
            loaded=None, inputs: Mapping[str, Any] | None = None,
            progress: Any = None, client=None, engine=None) -> list[str]:
    """Compute lens parts for the corpus at ``corpus`` into the lens store at ``store``.

    ``sources``, ``by``, ``own_text``, ``drop_near_duplicates``: the selection, the comparison
    unit (see :meth:`framelens.read.corpus.Corpus.by`) and the text analysed (see
    :func:`framelens.store.lens_store.open_store`). ``requests``: ``(part, options)`` pairs (default: the three lenses and the synthesis with
    default options). The parts they are built from come first; parts already in the store are
    reused. With ``workers`` > 1, each part starts as soon as the parts it is built from are done,
    side by side in up to that many processes, each reading the corpus from the store, or here with
    its maps on every worker (:func:`next_parts`).
    ``loaded``: the corpus already loaded (stored as is, not loaded again). ``inputs``: the
    input files' digests (:func:`framelens.store.lens_store.hash_inputs`) when already known.

    ``client`` (a ``dask.distributed.Client``) or ``engine`` (a name or address, see
    :func:`framelens.core.engine.get_engine`: ``"local"`` starts a Dask LocalCluster of ``workers``
    workers, ``"tcp://HOST:8786"`` uses a running scheduler): where the map steps run — the
    ingest of the corpus into partitions and the map/reduce parts (sentiment, ...), one task per
    partition. Each part (its reduce, or the whole of a part without maps) is computed one after
    another, each in a fresh process of this machine that reaches the cluster by its scheduler's
    address, so this process never holds a reduce (and the store must be on a path both see).
    Without them, map steps run here (``workers`` ≤ 1) or in a local process pool.

    ``progress``: ``None`` / ``False`` (the default: silent), ``True`` (progress on stderr: a bar
    per phase on a terminal, else one line per phase with its duration), a callable taking a line
    (one line per phase), or a :class:`framelens.core.progress.Progress` (which also records each
    phase's seconds in its ``timings``). Phases: the ingest (partitions), each part's map steps
    (partitions) and reduce, each part.

    Returns the failures, one line each (``part: error``); an empty list means every part is in
    the store. Bad input (corpus, configuration files) raises :class:`FramelensError`.
    """
    say = as_progress(progress)
    view = {"by": by, "own_text": own_text, "drop_near_duplicates": drop_near_duplicates}
    distributed = client is not None or engine not in (None, "", "serial", "processes")
    eng = get_engine(client if client is not None else engine, workers=workers)
    try:
        lens = LensStore(store, corpus, sources=sources, inputs=dict(inputs) if inputs else None, engine=eng, **view)
        lens.progress = say
        if loaded is not None and not lens.has_corpus():
            with say.phase("store corpus", None, ""):
                lens.put_corpus(loaded)
        # on Dask each part is computed in a fresh process of this machine, one after another (its
        # maps on the cluster, its reduce there): a process that ran every reduce kept growing
        # (2,051 MB at 10,000 articles), and memory a process once held is not handed back
        isolate = eng.address if isinstance(eng, DaskEngine) else None
        return _compute(lens, requests, workers=1 if distributed else workers, say=say, view=view, isolate=isolate)
    finally:
        if eng is not client and eng is not engine:
            eng.close()


def _ingest_partitions(lens) -> int | None:
    """How many partitions the ingest will write, when the input tells it cheaply (a folder: one
    document per text file); else ``None``."""
    files = lens.inputs.get("files", [])
    if not lens.corpus_path.is_dir() or not files:
        return None
    n = sum(1 for f in files if f["path"] != "sources.csv")
    return max(1, -(-n // PARTITION_DOCUMENTS))


def _compute(lens, requests, *, workers: int, say, view, isolate: str | None = None) -> list[str]:
    import time


    say = as_progress(say)

    missing = [(n, o) for n, o in requested_parts(lens, requests) if not lens.has_part(n, **o)]
    failures: list[str] = []
    if not missing:
        return failures
    t0 = time.perf_counter()
    if not lens.has_corpus():  # stored before the workers read it

        eng = TickingEngine(get_engine(lens.engine), lambda label: say.advance("ingest") if label == "ingest" else None)
        with say.phase("ingest", _ingest_partitions(lens), "partitions"):
            lens.ingest(engine=eng)
    failed: set[str] = set()
    _run_parts(lens, missing, workers=workers, say=say, view=view, failed=failed, failures=failures, isolate=isolate)
    done = len(missing) - len(failures)
    say(f"framelens: lens store: {done} part{'s' * (done != 1)} computed in {time.perf_counter() - t0:.1f} s")
    return failures


def requested_parts(lens, requests) -> list[tuple[str, dict]]:
    """``(part, options)`` for each requested part (default: the three lenses and the synthesis)
    and each part it is built from, its options completed, each store folder once, needs first."""
    reqs = list(requests) if requests is not None else [(n, {}) for n in ("vocabulary", "sentiment", "framing",
                                                                         "synthesis")]
    todo: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def add(name: str, opts: Mapping[str, Any]) -> None:
        for n in PARTS[name].needs:
            add(n, {k: v for k, v in opts.items() if k in PARTS[n].all_options()})
        full = resolve_options(name, opts)
        key = lens.part_dir(name, full).name
        if key not in seen:
            seen.add(key)
            todo.append((name, full))

    for name, opts in reqs:
        add(name, dict(opts))
    return todo


def next_parts(waiting: Sequence[tuple[str, dict]], running: Sequence[tuple[str, dict]], *, workers: int,
               partitions: int, failed: set[str] = frozenset()) -> tuple[str, list[tuple[str, dict]]]:
    """What to start now, from the parts ``waiting`` (needs first) while ``running`` are computed:
    ``("skip", parts)`` — parts built from a part that failed, left out; ``("here", [part])`` —
    nothing is running and the ready parts are best computed one after another, each mapping on
    every worker (:func:`framelens.core.engine.parts_side_by_side`): the first of them here;
    ``("aside", parts)`` — ready parts for the free worker processes, one part each, computed
    beside what is running; ``("wait", [])`` — nothing can start before a running part ends.

    A part is ready when no part it is built from is waiting or running. There are no levels: a
    part starts as soon as its own inputs are done, so a long part (the reuse reduce) does not hold
    back the parts that do not need it (sentiment and framing need only the actors)."""
    skip = [(n, o) for n, o in waiting if set(PARTS[n].needs) & failed]
    if skip:
        return "skip", skip
    busy = {n for n, _o in waiting} | {n for n, _o in running}
    ready = [(n, o) for n, o in waiting if not set(PARTS[n].needs) & busy]
    if not ready:
        return "wait", []
    if not running and not parts_side_by_side(workers, parts=len(ready), partitions=partitions,
                                              mapped=sum(PARTS[n].map is not None for n, _o in ready)):
        return "here", ready[:1]
    free = workers - len(running)
    return ("aside", ready[:free]) if free > 0 else ("wait", [])


def _run_parts(lens, todo: list[tuple[str, dict]], *, workers: int, say, view, failed: set[str],
               failures: list[str], isolate: str | None = None) -> None:
    """Compute the parts ``todo`` (needs first) as :func:`next_parts` plans them: here, or in up to
    ``workers`` worker processes side by side, each part starting as soon as the parts it is built
    from are done; a part that fails is added to ``failed`` and ``failures``. ``isolate`` (a Dask
    scheduler's address): a part planned "here" runs in a fresh worker process instead, its maps on
    that cluster, so that no process holds more than one part's reduce."""
    import contextlib
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    from framelens.text.tokens import release_memory

    waiting = list(todo)
    running: dict[Any, tuple[str, dict]] = {}
    partitions = len(lens.partitions())
    ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
    pool = queue = None

    def mark(n: str, o: dict):
        return lambda why: lens.mark_failed(n, o, why)

    with contextlib.ExitStack() as stack:
        while waiting or running:
            what, items = next_parts(waiting, list(running.values()), workers=workers, partitions=partitions,
                                     failed=failed)
            for n, o in items:
                waiting.remove((n, o))
                if what != "skip":
                    lens.clear_failure(n, o)  # failed before: tried again
            if what == "skip":  # and so are the parts built from them
                failed.update(n for n, _o in items)
            elif what == "here" and not isolate:
                for n, o in items:
                    _outcome(n, lambda n=n, o=o: _timed_part(lens, n, o), say=say, failed=failed,
                             failures=failures, mark=mark(n, o))
                release_memory(arrow=True)  # the next part starts from what this process needs, not this one's peak
            elif what in ("aside", "here"):
                if queue is None:  # the workers' progress drained here; the pool shut down before it ends
                    queue = ctx.Queue()
                    stack.enter_context(say.drain(queue))
                    stack.callback(lambda: pool is not None and pool.shutdown(wait=True, cancel_futures=True))
                for n, o in items:
                    args = (str(lens.root), str(lens.corpus_path), lens.sources, view, n, o, lens.inputs, isolate)
                    fut = None
                    if pool is not None:
                        try:
                            fut = pool.submit(_part_worker, args)
                        except BrokenProcessPool:  # a worker was killed (its parts failed): a new pool
                            stop_pool(pool)
                    if fut is None:
                        pool = make_pool(workers, ctx, initializer=_init_part_worker, initargs=(queue,),
                                         tasks_per_worker=1 if isolate or partitions >= FRESH_WORKER_PARTITIONS else None)
                        fut = pool.submit(_part_worker, args)
                    running[fut] = (n, o)
            elif running:  # wait
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in [f for f in running if f in done]:  # as they end (those ending together: as started)
                    n, o = running.pop(fut)
                    _outcome(n, fut.result, say=say, failed=failed, failures=failures, mark=mark(n, o))
            else:  # pragma: no cover - a part waiting for one that is neither waiting, running nor stored
                raise RuntimeError(f"lens store: cannot order the parts {[n for n, _o in waiting]}")


def _outcome(name: str, run, *, say, failed: set[str], failures: list[str], mark=None) -> None:
    """Compute one part (``run()`` → its folder, seconds and peak memory in MB or ``None``) and
    record the outcome: its time, peak memory and a progress line, or — unless the input is bad (:class:`FramelensError`, raised) — the part in
    ``failed``, a line in ``failures`` and ``mark(reason)`` (the store remembers the failure, so a
    report needing the part does not compute it again in its kernel)."""
    try:
        folder, seconds, peak_mb = run()
    except FramelensError:
        raise
    except Exception as exc:
        why = _why(exc)
        failed.add(name)
        failures.append(f"{name}: {why}")
        if mark is not None:
            mark(why)
        return
    say.record(f"part {name}", seconds, peak_mb=peak_mb)
    memory = f", peak memory {peak_mb:,.0f} MB" if peak_mb is not None else ""
    say(f"framelens: lens store: {name} ({os.path.basename(folder)}) {seconds:.1f} s{memory}")


def _why(exc: BaseException) -> str:
    """A failed part's reason in a user's words: a worker process that vanished (the system kills
    the largest process when memory runs out) is named as such, with what still happens."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return ("the process computing it was stopped from outside (on Linux usually the kernel's out-of-memory "
                "killer, which `dmesg` names); the parts and reports that do not need it are still made")
    return f"{type(exc).__name__}: {exc}"
