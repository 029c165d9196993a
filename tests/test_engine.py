"""The engine's one decision: how many processes a compute runs on (issue 24, "both cores used")."""

from __future__ import annotations

import pytest

from framelens.core import engine
from framelens.core.engine import PARALLEL_SENTENCES, parallel_workers


@pytest.mark.parametrize("workers, sentences, partitions, cores, expected", [
    (2, 100, None, 2, 1),                          # the seeds: serial
    (2, PARALLEL_SENTENCES - 1, None, 2, 1),       # just below the pool's threshold
    (2, PARALLEL_SENTENCES, None, 2, 2),           # from the threshold on: both cores
    (2, 60_000, 3, 2, 2),                          # 2,712 articles: 3 partitions, both cores
    (2, 22_000, 1, 2, 1),                          # map steps over one partition: nothing to split
    (8, 60_000, 3, 2, 2),                          # never more processes than cores
    (None, 90_000, 5, 4, 4),                       # None: the machine's cores
    (None, 90_000, 3, 4, 3),                       # ... and no more than the partitions to map
    (1, 200_000, 10, 4, 1),                        # one worker asked: serial
    (4, 200_000, 10, 1, 1),                        # one core: serial
])
def test_parallel_workers_by_hand_given_sizes(workers, sentences, partitions, cores, expected):
    assert parallel_workers(workers, sentences=sentences, partitions=partitions, cores=cores,
                            in_worker=False) == expected


def test_no_pool_inside_a_pool_worker(monkeypatch):
    assert parallel_workers(2, sentences=10**6, partitions=10, cores=2, in_worker=True) == 1
    monkeypatch.setattr(engine, "_IN_POOL_WORKER", True)  # what worker_init sets in every pool worker
    assert parallel_workers(2, sentences=10**6, cores=2) == 1


def test_auto_engine_is_serial_for_small_work_and_a_pool_beyond(monkeypatch):
    monkeypatch.setattr(engine, "available_cores", lambda: 2)
    with engine.auto_engine(partitions=4, sentences=300) as small:
        assert small.name == "serial" and small.workers == 1
    eng = engine.auto_engine(partitions=3, sentences=60_000)
    try:
        assert eng.name == "processes" and eng.workers == 2    # the pool starts on first use only
    finally:
        eng.close()


@pytest.mark.parametrize("partitions, sentences, in_worker, expected", [
    (100, 2_200_000, True, ("processes", 1)),    # 100,000 articles, a part beside others: maps in a child
    (20, 440_000, True, ("processes", 1)),       # from FRESH_WORKER_PARTITIONS on
    (19, 418_000, True, ("serial", 1)),          # below: in the part's own worker, as before
    (20, PARALLEL_SENTENCES - 1, True, ("serial", 1)),  # too little work to start a process for
    (100, 2_200_000, False, ("processes", 2)),   # not in a pool worker: the pool on both cores
])
def test_auto_engine_maps_a_large_corpus_in_a_child_when_in_a_pool_worker(monkeypatch, partitions, sentences,
                                                                          in_worker, expected):
    monkeypatch.setattr(engine, "available_cores", lambda: 2)
    assert engine.FRESH_WORKER_PARTITIONS == 20
    with engine.auto_engine(partitions=partitions, sentences=sentences, in_worker=in_worker) as eng:
        assert (eng.name, eng.workers) == expected
        assert getattr(eng, "_pool", None) is None  # nothing started before the first map



@pytest.mark.parametrize("workers, parts, mapped, partitions, expected", [
    (1, 2, 2, 5, False),          # one worker: one after another, here
    (2, 1, 1, 5, False),          # one part: nothing to put beside it
    (2, 2, 2, 1, True),           # one partition: the maps cannot fill two workers, the parts can
    (2, 2, 2, 2, False),          # sentiment and framing over 2+ partitions: each map fills the pool
    (2, 2, 2, 3, False),          # (2,712 articles)
    (4, 2, 2, 3, True),           # fewer partitions than workers
    (2, 30, 0, 12, True),         # thirty profiles: whole parts, side by side
    (2, 3, 2, 12, True),          # one whole part among them
])
def test_parts_side_by_side_by_hand_given_sizes(workers, parts, mapped, partitions, expected):
    assert engine.parts_side_by_side(workers, parts=parts, mapped=mapped, partitions=partitions) is expected


# ------------------------------------------------------------------ which parts start when (no levels)
def test_next_parts_starts_each_part_when_its_own_inputs_are_done():
    """The plan of a default run by hand (needs: sentiment and framing ← actors; synthesis and the
    profiles ← vocabulary, sentiment, framing; over-time ← actors, dating, sentiment, framing)."""
    from framelens.store.compute import next_parts

    P = lambda n, **o: (n, o)  # noqa: E731
    first = [P("overview"), P("reuse"), P("vocabulary"), P("actors"), P("dating")]
    later = [P("sentiment"), P("framing"), P("synthesis"), P("over_time"), P("profile", source_id="a"),
             P("profile", source_id="b")]
    # five parts need nothing; one of them (dating) does not map: side by side, two at a time
    assert next_parts(first + later, [], workers=2, partitions=100) == ("aside", [P("overview"), P("reuse")])
    assert next_parts(first[2:] + later, [P("reuse")], workers=2, partitions=100) == ("aside", [P("vocabulary")])
    assert next_parts(first[3:] + later, [P("reuse"), P("vocabulary")], workers=2, partitions=100) == ("wait", [])
    # the actors done, sentiment starts beside the long reuse reduce (levels made it wait for reuse)
    assert next_parts(later, [P("reuse")], workers=2, partitions=100) == ("aside", [P("sentiment")])
    assert next_parts(later[1:], [P("reuse"), P("sentiment")], workers=2, partitions=100) == ("wait", [])
    # nothing running and two mapped parts over 100 partitions: one after another, each on every worker
    assert next_parts(later, [], workers=2, partitions=100) == ("here", [P("sentiment")])
    # ... but over one partition the maps cannot fill two workers: side by side
    assert next_parts(later, [], workers=2, partitions=1) == ("aside", [P("sentiment"), P("framing")])
    # synthesis and over-time wait for framing; the profiles too
    assert next_parts(later[2:], [P("framing")], workers=2, partitions=100) == ("wait", [])
    assert next_parts(later[2:], [], workers=2, partitions=100) == ("aside", [P("synthesis"), P("over_time")])
    assert next_parts(later[4:], [], workers=2, partitions=100) == ("aside", later[4:])
    # one worker: always here, in order
    assert next_parts(first + later, [], workers=1, partitions=100) == ("here", [P("overview")])
    # a failed part: what is built from it is skipped (the caller adds those to the failed ones)
    assert next_parts(later, [], workers=2, partitions=100, failed={"actors"}) == (
        "skip", [P("sentiment"), P("framing"), P("over_time")])
    rest = [P("synthesis")] + later[4:]
    assert next_parts(rest, [], workers=2, partitions=100, failed={"actors", "sentiment", "framing"}) == ("skip", rest)


@pytest.fixture
def arrow_pool(monkeypatch):
    """No Arrow pool chosen in the environment; this process's pool and variable restored after."""
    import pyarrow as pa

    before = pa.default_memory_pool()
    monkeypatch.setenv(engine.ARROW_POOL_ENV, "unset")  # so that delenv records a value to restore
    monkeypatch.delenv(engine.ARROW_POOL_ENV)
    yield pa
    pa.set_memory_pool(before)


def test_lean_arrow_memory_chooses_jemalloc_then_the_system_allocator(arrow_pool, monkeypatch):
    import os

    pa = arrow_pool
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc", "jemalloc", "system"])
    assert engine.lean_arrow_memory() == "jemalloc"
    assert pa.default_memory_pool().backend_name == "jemalloc"
    assert os.environ[engine.ARROW_POOL_ENV] == "jemalloc"  # what the workers and kernels read
    monkeypatch.delenv(engine.ARROW_POOL_ENV)
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc", "system"])  # a build without jemalloc
    assert engine.lean_arrow_memory() == "system"
    assert os.environ[engine.ARROW_POOL_ENV] == "system"
    monkeypatch.delenv(engine.ARROW_POOL_ENV)
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc"])  # nothing better: left as it is
    assert engine.lean_arrow_memory() == "system" and engine.ARROW_POOL_ENV not in os.environ


def test_lean_arrow_memory_keeps_the_pool_a_user_chose(arrow_pool, monkeypatch):
    import os

    pa = arrow_pool
    pa.set_memory_pool(pa.system_memory_pool())
    monkeypatch.setenv(engine.ARROW_POOL_ENV, "mimalloc")
    assert engine.lean_arrow_memory() == "system"  # not changed here: the variable is the user's
    assert os.environ[engine.ARROW_POOL_ENV] == "mimalloc"


WORKER_POOL_SCRIPT = """
import os


def backend(_):
    import pyarrow as pa

    return pa.default_memory_pool().backend_name, os.environ.get("ARROW_DEFAULT_MEMORY_POOL")


if __name__ == "__main__":
    from framelens.core.engine import PoolEngine

    with PoolEngine(2) as eng:  # started outside a run (as from JupyterLab): nothing chosen yet
        print(*sorted(set(eng.map(backend, range(4)))))
"""


@pytest.mark.notebook  # starts a Python process (make test-fast skips it)
def test_pool_workers_allocate_with_the_lean_pool(tmp_path):
    import os
    import subprocess
    import sys

    import pyarrow as pa

    if "jemalloc" not in pa.supported_memory_backends():
        pytest.skip("this pyarrow has no jemalloc")
    script = tmp_path / "pool.py"
    script.write_text(WORKER_POOL_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != engine.ARROW_POOL_ENV}
    got = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "('jemalloc', 'jemalloc')"  # each worker set its pool (worker_init)


def _sleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@pytest.mark.notebook  # a child process
def test_stop_pool_ends_its_manager_thread_before_it_returns():
    """A pool stopped with a task in progress (an interrupted or failed run): its processes killed,
    the task cancelled or broken, and its manager thread ended before stop_pool returns — one still
    ending at the interpreter's exit races CPython 3.11's exit hook for its wake-up pipe ("Bad file
    descriptor" traceback printed under the run's one-line error)."""
    import multiprocessing as mp
    import time

    ex = engine.pool(1, mp.get_context("forkserver"))
    assert ex.submit(_sleep, 0.0).result(timeout=60) == 0.0
    busy = ex.submit(_sleep, 60.0)
    procs, manager = list(ex._processes.values()), ex._executor_manager_thread
    assert manager.is_alive()
    t0 = time.monotonic()
    engine.stop_pool(ex, kill=True)
    assert time.monotonic() - t0 < 10
    assert not manager.is_alive()
    assert busy.done() and not any(p.is_alive() for p in procs)
    engine.stop_pool(None)  # no pool: nothing to do
