"""The map/reduce plumbing's memory bounds (issue 20): a store's reduce reads each partition's
partials back from disk, one table at a time, instead of holding every partition's."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pandas as pd
import pytest

from framelens.store import ingest
from framelens.store import lens_store as store
from framelens.store import parts
from framelens.tables import mapreduce
from framelens.tables.mapreduce import SpilledPartials, spill_partials

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_spilled_partials_give_back_the_very_frames_and_read_only_what_is_asked(tmp_path):
    cats = pd.Categorical(["b", "a", "b"], categories=["b", "a", "z"])  # unused category, not sorted
    t = pd.DataFrame({"unit": cats, "n": pd.array([3, 1, 2], dtype="int32"), "ex": ["x:s1", None, "y:s2"]})
    u = pd.DataFrame({"lemma": ["rail", "deal"]})
    sp = spill_partials({"t": t, "u": u}, tmp_path / "p00000")
    assert isinstance(sp, SpilledPartials) and list(sp) == ["t", "u"] and len(sp) == 2
    pd.testing.assert_frame_equal(sp["t"], t)  # dtypes, categories and their order kept
    assert list(sp["t"]["unit"].cat.categories) == ["b", "a", "z"]
    pd.testing.assert_frame_equal(sp.get("u"), u)
    assert sp.get("nothing") is None and "nothing" not in sp
    with pytest.raises(KeyError):
        sp["nothing"]
    for f in (tmp_path / "p00000").iterdir():
        f.unlink()
    assert "t" in sp  # membership reads no file
    # what a reduce reads is the same as from the frames in memory
    red = mapreduce.Reduction("x", [sp, {"t": t}], {}, _DummyView())
    assert red.partials_list()[0] is sp


def test_partial_tables_read_each_partition_on_access_and_skip_those_without_it(tmp_path):
    a = pd.DataFrame({"n": [1, 2]})
    b = pd.DataFrame({"n": [5]})
    sp = spill_partials({"t": a}, tmp_path / "p0")
    seq = mapreduce.PartialTables([sp, {"u": b}, {"t": b}], "t")  # the middle partition has no "t"
    assert len(seq) == 2
    assert [f["n"].tolist() for f in seq] == [[1, 2], [5]]
    assert [f["n"].tolist() for f in seq] == [[1, 2], [5]]  # a second pass reads them again
    assert seq[0] is not seq[0]  # not kept: read from disk at each access
    assert [f["n"].tolist() for f in seq[1:]] == [[5]]


class _DummyView:
    documents = pd.DataFrame({"doc_id": [], "source": []})
    sources: list = []
    labels: dict = {}


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_reduce_reads_spilled_partials_and_removes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 2)
    seen = []
    part = parts.PARTS["overview"]

    def reduce(red, opts, needs):
        seen.append([type(p).__name__ for p in red.partials_list()])
        seen.append(sorted(p.name for p in lens.corpus_dir.iterdir() if "-partials" in p.name))
        return part.reduce(red, opts, needs)

    monkeypatch.setitem(parts.PARTS, "overview", dataclasses.replace(part, reduce=reduce))
    lens = store.LensStore(tmp_path / "s", SEEDS)
    got = lens.part("overview")
    assert len(lens.partitions()) == 3
    assert seen[0] == ["SpilledPartials"] * 3  # every partition's partials on disk during the reduce
    assert len(seen[1]) == 1  # one spill folder, beside the part's temporary folder
    assert not [p for p in lens.corpus_dir.iterdir() if "-partials" in p.name]  # removed after the reduce
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import framelens

        memory = parts.compute_in_memory("overview", framelens.load_corpus(SEEDS))
    for name in ("documents", "audit_counts", "totals"):
        pd.testing.assert_frame_equal(got[name], memory[name], obj=name, check_dtype=False)


def test_fold_merges_when_the_waiting_items_outgrow_the_result():
    calls = []

    def merge(pieces):
        calls.append([len(p) for p in pieces])
        return [x for p in pieces for x in p]

    items = [[1] * 3, [], [2] * 2, [3] * 5, [4]]
    out = mapreduce.fold(items, merge, min_size=4)
    # 3 waits (< 4); the empty item is skipped; 3 + 2 ≥ 4: merged (5); 5 ≥ 5: merged (10); 1 waits to the end
    assert calls == [[3, 2], [5, 5], [10, 1]] and out == [1] * 3 + [2] * 2 + [3] * 5 + [4]
    calls.clear()
    mapreduce.fold([[0] * 4, [1], [2], [3] * 3], merge, share=0.5, min_size=1)
    assert calls == [[4], [4, 1, 1], [6, 3]]  # a fold once the waiting items reach half the result
    assert mapreduce.fold([[], []], merge) is None and calls == [[4], [4, 1, 1], [6, 3]]
