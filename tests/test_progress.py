"""Progress that tells time: phases with items done out of the total, one line per phase off a
terminal, bars on one, timings recorded even when quiet."""

from __future__ import annotations

import io
import queue
import re

import pytest

from framelens.run import cli
from framelens.store import parts
from framelens.run import runner
from framelens.core.progress import Progress, QueueReporter, as_progress
import framelens


def test_off_a_terminal_each_phase_is_one_line_with_items_and_duration():
    lines: list[str] = []
    p = Progress(lines.append, stream=io.StringIO())  # a StringIO is not a terminal: no bars
    assert not p.bars
    with p.phase("sentiment map", 3, "partitions"):
        p.advance("sentiment map")
        p.advance("sentiment map", 2)
        p("framelens: a line of its own")
    with p.phase("articles", None, ""):
        pass
    assert lines[0] == "framelens: a line of its own"
    assert re.fullmatch(r"framelens: sentiment map: 3/3 partitions in \d+\.\d s", lines[1])
    assert re.fullmatch(r"framelens: articles: \d+\.\d s", lines[2]) and len(lines) == 3
    assert [(t["phase"], t["done"], t["total"]) for t in p.timings] == [("sentiment map", 3, 3), ("articles", 0, None)]


def test_quiet_records_timings_and_an_error_phase_prints_nothing():
    p = as_progress(None)
    with p.phase("ingest", 2):
        p.advance("ingest")
    assert p.timings[0]["phase"] == "ingest" and p.timings[0]["done"] == 1 and p.timings[0]["total"] == 2
    lines: list[str] = []
    q = Progress(lines.append, bars=False)
    with pytest.raises(ValueError):
        with q.phase("load", None, ""):
            raise ValueError("bad corpus")
    assert lines == [] and q.timings[0]["phase"] == "load"  # the error message is the line to read
    assert as_progress(False).say is None and as_progress(q) is q


def test_on_a_terminal_a_bar_shows_items_of_the_total_and_lines_go_above_it():
    out = io.StringIO()
    lines: list[str] = []
    p = Progress(lines.append, bars=True, stream=out)
    with p.phase("framing map", 4, "partitions"):
        p.advance("framing map", 3)
        p("framelens: note")
        p.advance("framing map")
    text = out.getvalue()
    assert "framing map" in text and "4/4" in text and "framelens: note" in text
    assert lines == []  # no summary lines under a bar
    assert p.timings[0]["done"] == 4


def test_events_from_a_worker_reach_the_parent_through_a_queue():
    lines: list[str] = []
    p = Progress(lines.append, bars=False)
    q: queue.Queue = queue.Queue()
    w = QueueReporter(q)
    with p.drain(q):
        with w.phase("vocabulary map", 2, "partitions"):
            w.advance("vocabulary map")
            w.advance("vocabulary map")
        w("framelens: from the worker")
    assert lines[0] == "framelens: vocabulary map: 2/2 partitions in " + lines[0].rsplit(" in ", 1)[1]
    assert lines[1] == "framelens: from the worker"
    assert p.timings[0]["done"] == 2


def test_quiet_flag_reaches_the_runner(monkeypatch, tmp_path):
    seen = {}

    class Summary:
        out, results, failed, provenance = tmp_path, [], [], {"duration_s": 0.0}

    def fake_run_suite(*args, **kwargs):
        seen["progress"] = kwargs["progress"]
        return Summary()

    monkeypatch.setattr(runner, "run_suite", fake_run_suite)
    monkeypatch.setattr("signal.signal", lambda *a: None)  # cmd_run's SIGTERM handler: not in pytest
    assert cli.main(["run", "--quiet", "--out", str(tmp_path / "o")]) == 0
    assert seen["progress"] is None
    assert cli.main(["run", "--out", str(tmp_path / "o")]) == 0
    assert seen["progress"] is True  # stderr: bars on a terminal, else one line per phase


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_compute_reports_each_partition_of_the_map_steps(tmp_path, tiny_corpus_dir):
    p = Progress(None)
    assert framelens.compute(tiny_corpus_dir, store=tmp_path / "s", progress=p,
                         requests=[("sentiment", {"n_resamples": 200})]) == []
    got = {t["phase"]: (t["done"], t["total"]) for t in p.timings}
    assert got["ingest"] == (1, 1) and got["sentiment map"] == (1, 1)
    assert {"sentiment reduce", "part actors", "part sentiment"} <= set(got)
    p2 = Progress(None)
    framelens.compute(tiny_corpus_dir, store=tmp_path / "s", progress=p2, requests=[("sentiment", {"n_resamples": 200})])
    assert p2.timings == []  # everything was in the store


def test_a_detail_phase_says_nothing_unless_it_is_long(monkeypatch):
    from framelens.core import progress

    lines: list[str] = []
    p = Progress(lines.append, bars=False)
    q: queue.Queue = queue.Queue()
    w = QueueReporter(q)
    with p.drain(q):
        with w.phase("reuse: aligning document pairs", 2, "tasks", detail=True):  # from a worker
            w.advance("reuse: aligning document pairs", 2)
    with p.phase("reuse: tables", None, "", detail=True):
        pass
    assert lines == []  # each took far less than DETAIL_SECONDS
    assert [(t["phase"], t["done"], t["total"]) for t in p.timings] == [
        ("reuse: aligning document pairs", 2, 2), ("reuse: tables", 0, None)]
    monkeypatch.setattr(progress, "DETAIL_SECONDS", 0.0)
    with p.phase("reuse: aligning document pairs", 3, "tasks", detail=True):
        p.advance("reuse: aligning document pairs", 3)
    assert re.fullmatch(r"framelens: reuse: aligning document pairs: 3/3 tasks in \d+\.\d s", lines[0])
