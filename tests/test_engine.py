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
