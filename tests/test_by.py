"""Comparing by any column or period (``--by``): units, members, left-out articles, the store."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from framelens.run import runner
from framelens.store import lens_store as store
from framelens.errors import FramelensError

GROUPED = Path(__file__).resolve().parent / "fixtures" / "grouped"


@pytest.fixture(scope="module")
def grouped():
    import framelens as fl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fl.load_corpus(GROUPED)


def test_by_group_counts_members_and_the_article_without_a_group(grouped):
    g = grouped.by("group")
    assert g.sources == ["left", "right"] and g.unit == "group"
    assert g.left_out == ["n1"]  # Neutral Wire has no group: counted, named, left out
    assert any("1 of 7 articles have no group value" in w and "(n1)" in w for w in g.warnings)
    assert g.documents.groupby("source").size().to_dict() == {"left": 3, "right": 3}
    assert g.sentences.groupby("source").size().to_dict() == {"left": 9, "right": 9}
    assert set(g.tokens["source"].astype(str)) == {"left", "right"}
    assert g.labels == {"left": "left", "right": "right"}  # groups are named as groups
    assert g.documents.set_index("doc_id").loc["r3", "source_original"] == "heritage"
    members = {r["source"]: r["members"] for r in runner.corpus_sources(g)}
    assert members["left"] == [{"outlet": "Left Daily", "n_documents": 2}, {"outlet": "Progress Weekly", "n_documents": 1}]
    assert members["right"] == [{"outlet": "Right Post", "n_documents": 2}, {"outlet": "Heritage Herald", "n_documents": 1}]


def test_by_outlet_and_by_period(grouped):
    o = grouped.by("outlet")
    assert o.documents.groupby("source").size().to_dict() == {
        "Heritage Herald": 1, "Left Daily": 2, "Neutral Wire": 1, "Progress Weekly": 1, "Right Post": 2}
    assert o.label("Left Daily") == "Left Daily" and o.left_out == []
    m = grouped.by("month")
    assert m.sources == ["2025-01", "2025-02", "2025-03"] and m.left_out == ["r3"]  # undated
    assert m.documents.groupby("source")["doc_id"].apply(sorted).to_dict() == {
        "2025-01": ["l1", "r1"], "2025-02": ["l2", "l3"], "2025-03": ["n1", "r2"]}
    w = grouped.by("week")  # r2 is known only to the month: it has no week
    assert w.sources == ["2025-W02", "2025-W03", "2025-W06", "2025-W08", "2025-W11"]
    assert sorted(w.left_out) == ["r2", "r3"]
    assert grouped.by("source") is grouped and grouped.by("") is grouped
    with pytest.raises(FramelensError, match=r"by: no column 'bias' in the corpus \(compare by one of: .*group.*month"):
        grouped.by("bias")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_keys_and_tables_follow_the_unit(tmp_path):
    s = store.LensStore(tmp_path / "st", GROUPED, by="group")
    plain = store.LensStore(tmp_path / "st", GROUPED)
    assert s.part_key("sentiment", {}) != plain.part_key("sentiment", {})
    iv = s.part("sentiment", n_resamples=200, n_permutations=200)["intervals"]
    assert iv["source"].tolist() == ["left", "right"] and iv["n"].tolist() == [9, 9]
    fresh = store.LensStore(tmp_path / "st", GROUPED, by="group")  # a report reading the stored part
    assert fresh.part("sentiment", n_resamples=200, n_permutations=200)["intervals"].equals(iv)
    assert fresh.corpus.sources == ["left", "right"] and not isinstance(fresh.corpus.__dict__["_tokens"], type(iv))
    sel = store.LensStore(tmp_path / "st", GROUPED, by="outlet", sources=["Right Post"])
    assert sel.corpus.sources == ["Right Post"] and len(sel.corpus.documents) == 2
    assert set(sel.corpus.terms["source"].astype(str)) == {"Right Post"}


@pytest.mark.notebook
def test_run_by_group_makes_a_profile_per_group_and_says_what_is_compared(tmp_path):
    from tests.test_runner import PARAMS, make_notebook

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    params = PARAMS + 'by = "source"  # str: unit\nstore = ""  # str: store\nsource_id = ""  # str: the unit\n'
    make_notebook(nbs / "per.ipynb", [
        "import framelens as fl\nlens = fl.open_store(corpus, store=store, by=by, output_dir=output_dir)",
        "fl.report.headline(f'{source_id}: {len(lens.corpus.select([source_id]).documents)} articles', "
        "report='per_' + source_id, output_dir=output_dir)"], params=params)
    reg = [runner.Notebook("per", "per.ipynb", per_source=True)]
    summary = runner.run_suite(GROUPED, tmp_path / "out", registry=reg, notebooks_dir=nbs, progress=None, by="group")
    assert [r.headline for r in summary.results] == ["left: 3 articles", "right: 3 articles"]
    prov = json.loads((tmp_path / "out" / "provenance.json").read_text(encoding="utf-8"))
    assert prov["by"] == "group" and [s["source"] for s in prov["sources"]] == ["left", "right"]
    assert any("no group value" in w for w in prov["corpus"]["warnings"])
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Compared by <code>group</code>" in index and "Left Daily (2), Progress Weekly (1)" in index
    with pytest.raises(FramelensError, match="by: no column 'bias'"):
        runner.run_suite(GROUPED, tmp_path / "out2", registry=reg, notebooks_dir=nbs, progress=None, by="bias")
