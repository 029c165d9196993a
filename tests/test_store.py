"""The lens store: Parquet round trips, keys that follow content and options, clear errors for a
damaged store, a corpus read lazily, and a light ``import framelens``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from framelens.read import corpus as corpus_mod
from framelens.store import parts
from framelens.store import lens_store as store
from framelens.errors import FramelensError
import framelens


@pytest.fixture()
def lens(tmp_path, tiny_corpus_dir):
    return store.LensStore(tmp_path / "store", tiny_corpus_dir)


# ------------------------------------------------------------------ tables <-> Parquet


def test_table_round_trip_keeps_nested_cells_index_and_types(tmp_path):
    df = pd.DataFrame({
        "sent_ids": [["a:s1", "a:s2"], [], None],
        "aliases": [("China", "Beijing"), ("EU",), ("UN",)],
        "mixed": [1, "two", None],
        "n": np.array([1, 2, 3], dtype=np.int32),
        "x": [0.5, np.nan, 2.0],
        "cat": pd.Categorical(["p", "q", "p"]),
        "when": pd.to_datetime(["2025-06-01", None, "2024-07-03"]),
    }, index=pd.Index(["r1", "r2", "r3"], name="source"))
    meta = store.write_table(df, tmp_path / "t.parquet")
    assert meta["arrow_list"] == ["sent_ids", "aliases"] and meta["json"] == []
    assert meta["tuple"] == ["aliases"] and meta["text"] == ["mixed"]
    back = store.read_table(tmp_path / "t.parquet", meta)
    assert back.index.name == "source" and back.index.tolist() == ["r1", "r2", "r3"]
    assert back["sent_ids"].tolist() == [["a:s1", "a:s2"], [], None]
    assert back["aliases"].tolist() == [("China", "Beijing"), ("EU",), ("UN",)]
    assert back["mixed"].tolist()[:2] == ["1", "two"] and pd.isna(back["mixed"].iloc[2])
    assert back["n"].dtype == np.int32 and isinstance(back["cat"].dtype, pd.CategoricalDtype)
    assert back["x"].iloc[0] == 0.5 and np.isnan(back["x"].iloc[1])
    assert back["when"].iloc[2] == pd.Timestamp("2024-07-03") and pd.isna(back["when"].iloc[1])
    # list columns are native Arrow lists (no JSON text in the file)
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(tmp_path / "t.parquet")
    assert pa.types.is_list(schema.field("sent_ids").type) and schema.field("sent_ids").type.value_type == pa.string()
    assert pa.types.is_list(schema.field("aliases").type)
    # only some columns: the list column comes back in its place, as Python values
    part = store.read_table(tmp_path / "t.parquet", {k: v for k, v in meta.items() if k != "rows"},
                            columns=["n", "aliases", "x"])
    assert list(part.columns) == ["n", "aliases", "x"] and part["aliases"].tolist()[1] == ("EU",)
    # a square matrix with a named index (similarity tables)
    sim = pd.DataFrame([[0.0, 0.25], [0.25, 0.0]], index=pd.Index(["a", "b"], name="source"), columns=["a", "b"])
    pd.testing.assert_frame_equal(store.read_table(tmp_path / "s.parquet", store.write_table(sim, tmp_path / "s.parquet")), sim)


def test_nested_cells_that_arrow_cannot_hold_as_one_list_type_stay_json(tmp_path):
    df = pd.DataFrame({
        "ints": [[1, 2], [3], None],                       # list<int64>
        "floats": [(0.5, 1.0), (), (2.0,)],                # tuples of floats
        "flags": [[True], [False, True], []],              # list<bool>
        "ids": [{"b", "a"}, set(), {"c"}],                 # sets: sorted lists
        "mixed": [[1, 0.5], [2], []],                      # int and float items: JSON keeps 1 an int
        "dicts": [{"a": 1}, {"b": [1, 2]}, None],          # dicts: JSON
        "deep": [[["x"]], [], None],                       # lists of lists: JSON
    })
    meta = store.write_table(df, tmp_path / "n.parquet")
    assert meta["arrow_list"] == ["ints", "floats", "flags", "ids"]
    assert meta["json"] == ["mixed", "dicts", "deep"] and meta["tuple"] == ["floats"]
    back = store.read_table(tmp_path / "n.parquet", meta)
    assert back["ints"].tolist() == [[1, 2], [3], None]
    assert back["floats"].tolist() == [(0.5, 1.0), (), (2.0,)]
    assert back["flags"].tolist() == [[True], [False, True], []]
    assert back["ids"].tolist() == [["a", "b"], [], ["c"]]
    assert back["mixed"].tolist() == [[1, 0.5], [2], []] and type(back["mixed"].iloc[0][0]) is int
    assert back["dicts"].tolist() == [{"a": 1}, {"b": [1, 2]}, None]
    assert back["deep"].tolist() == [[["x"]], [], None]
    assert list(back.columns) == list(df.columns)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_every_stored_table_equals_the_computed_one(lens):
    corp = lens.corpus
    for name in ("vocabulary", "sentiment", "framing"):
        computed = parts.compute_in_memory(name, corp, {"n_resamples": 200} if name != "vocabulary" else {})
        stored = lens.part(name, **({"n_resamples": 200} if name != "vocabulary" else {}))
        assert set(stored) == set(computed)
        for table, df in computed.items():
            pd.testing.assert_frame_equal(stored[table], df, obj=f"{name}.{table}")
    import framelens as fl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = fl.load_corpus(lens.corpus_path)
    for table in store.CORPUS_TABLES:
        pd.testing.assert_frame_equal(getattr(store.read_corpus(lens.corpus_dir), table), getattr(fresh, table))


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_synthesis_and_profile_parts_are_built_from_the_stored_lenses(lens):
    from framelens.lenses import synthesis

    syn = lens.part("synthesis", n_resamples=200, n_permutations=200)
    sim = synthesis.similarity_from_tables(syn)
    assert sim.distance.shape == (3, 3) and sim.order and set(sim.pairs["a"]) | set(sim.pairs["b"]) == {"alpha", "beta", "gamma"}
    prof = lens.part("profile", source_id="gamma", n_resamples=200, n_permutations=200)
    assert set(prof) >= {"metadata", "overview", "tone", "frames"}
    assert prof["metadata"]["doc_id"].tolist() == ["gamma"]
    # the profile was built on the same lens parts (no second sentiment part)
    assert len(list(lens.corpus_dir.glob("sentiment-*"))) == 1


# ------------------------------------------------------------------ keys


def test_keys_follow_options_and_configuration_content_not_paths(lens, tmp_path):
    from framelens.config import default_path

    k0 = lens.part_key("framing", {})
    assert lens.part_key("framing", {"n_resamples": 2000, "codebook": ""}) == k0  # defaults filled in
    assert lens.part_key("framing", {"seed": 1}) != k0
    copy = tmp_path / "same_codebook.toml"
    copy.write_bytes(default_path("codebook").read_bytes())
    assert lens.part_key("framing", {"codebook": str(copy)}) == k0  # same content, other path
    copy.write_bytes(default_path("codebook").read_bytes() + b"\n# an analyst's comment\n")
    assert lens.part_key("framing", {"codebook": str(copy)}) != k0  # one byte more: recomputed
    # the profile and the synthesis carry the lens options they are built from
    assert lens.part_key("synthesis", {"seed": 1}) != lens.part_key("synthesis", {})
    assert lens.part_key("profile", {"source_id": "alpha"}) != lens.part_key("profile", {"source_id": "beta"})
    with pytest.raises(FramelensError, match="framing has no option 'bogus'"):
        lens.part_key("framing", {"bogus": 1})
    with pytest.raises(FramelensError, match="no part 'nope'"):
        lens.part("nope")
    # a selection of sources is another corpus
    other = store.LensStore(lens.root, lens.corpus_path, sources=["alpha", "beta"])
    assert other.part_key("framing", {}) != k0 and other.corpus_key == lens.corpus_key
    assert other.corpus.sources == ["alpha", "beta"]


def test_changed_input_text_gives_a_new_corpus_key(tmp_path, tiny_corpus_dir):
    a = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    f = next(p for p in tiny_corpus_dir.glob("*.txt"))
    f.write_text(f.read_text(encoding="utf-8") + " One more sentence here.", encoding="utf-8")
    b = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    assert a.corpus_key != b.corpus_key


def _package_copy(tmp_path, monkeypatch):
    """A copy of the framelens package's code and data, fingerprinted instead of the real one."""
    import shutil

    pkg = tmp_path / "pkg"
    shutil.copytree(store.CODE_ROOT, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store, "CODE_ROOT", pkg)
    return pkg


@pytest.mark.parametrize("changed", ["lenses/sentiment.py", "lenses/framing.py", "data/news_lexicon.toml", "data/tone_model.json"])
def test_a_change_to_lens_code_or_packaged_data_gives_new_keys(tmp_path, tiny_corpus_dir, monkeypatch, changed):
    pkg = _package_copy(tmp_path, monkeypatch)
    names = ("vocabulary", "sentiment", "framing", "synthesis")
    before = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    keys = {n: before.part_key(n, {}) for n in names}
    f = pkg / changed
    original = f.read_bytes()
    f.write_bytes(original + b"\n")  # one byte more, e.g. a new lexicon entry or a changed rule
    after = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    assert after.code != before.code and after.corpus_key != before.corpus_key
    assert all(after.part_key(n, {}) != keys[n] for n in names)  # every part is recomputed, none reused
    assert not after.has_part("sentiment") and not after.has_part("framing")
    f.write_bytes(original)  # back as it was: the old folders are valid again
    again = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    assert again.corpus_key == before.corpus_key and {n: again.part_key(n, {}) for n in names} == keys


def test_keys_are_stable_when_nothing_changes(tmp_path, tiny_corpus_dir, monkeypatch):
    import os

    pkg = _package_copy(tmp_path, monkeypatch)
    a = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    for p in [pkg / "lenses" / "sentiment.py", pkg / "data" / "news_lexicon.toml", *tiny_corpus_dir.iterdir()]:
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))  # touched, same bytes
    b = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    assert (a.code, a.corpus_key, a.part_key("framing", {})) == (b.code, b.corpus_key, b.part_key("framing", {}))
    assert len(a.code) == 64 and store.code_fingerprint(pkg) == a.code


@pytest.mark.notebook  # a child process (make test-fast skips it)
def test_keys_are_the_same_in_another_process(tmp_path, tiny_corpus_dir):
    lens = store.LensStore(tmp_path / "s", tiny_corpus_dir)
    code = ("import sys; from framelens import store\n"
            "l = store.LensStore(sys.argv[1], sys.argv[2])\n"
            "print(l.corpus_key, l.part_key('sentiment', {}), l.part_key('over_time', {}))\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s"), str(tiny_corpus_dir)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [lens.corpus_key, lens.part_key("sentiment", {}), lens.part_key("over_time", {})]


def test_a_hidden_corpus_file_the_loader_reads_is_in_the_key(tmp_path):
    import framelens as fl

    d = tmp_path / "c"
    d.mkdir()
    (d / "a.txt").write_text("Alpha Times\n\nThe minister praised the deal on Monday.\n", encoding="utf-8")
    (d / ".b.txt").write_text("Beta Post\n\nCritics attacked the deal on Tuesday.\n", encoding="utf-8")
    (d / "notes.md").write_text("not read by the loader\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(fl.load_corpus(d).documents) == 2  # the hidden .b.txt is read
    assert [p.name for p in corpus_mod.input_files(d)[0]] == [".b.txt", "a.txt"]  # what the loader reads
    k0 = store.LensStore(tmp_path / "s", d).corpus_key
    (d / "notes.md").write_text("edited\n", encoding="utf-8")
    assert store.LensStore(tmp_path / "s", d).corpus_key == k0  # a file the loader never reads
    (d / ".b.txt").write_text("Beta Post\n\nCritics praised the deal on Tuesday.\n", encoding="utf-8")
    lens = store.LensStore(tmp_path / "s", d)
    assert lens.corpus_key != k0 and ".b.txt" in [r["path"] for r in lens.inputs["files"]]


def test_manifest_corpus_keys_the_manifest_and_the_files_it_names(tmp_path):
    d = tmp_path / "c"
    (d / ".texts").mkdir(parents=True)
    (d / ".texts" / "a.txt").write_text("The minister praised the deal.\n", encoding="utf-8")
    (d / "b.txt").write_text("Critics attacked the deal.\n", encoding="utf-8")
    (d / "unlisted.txt").write_text("Not in the manifest.\n", encoding="utf-8")
    (d / "sources.csv").write_text("id,file,source\na,.texts/a.txt,alpha\nb,b.txt,beta\n", encoding="utf-8")
    assert [p.relative_to(d).as_posix() for p in corpus_mod.input_files(d)[0]] == [".texts/a.txt", "b.txt", "sources.csv"]
    k0 = store.hash_inputs(d)["digest"]
    (d / "unlisted.txt").write_text("Changed, still not read.\n", encoding="utf-8")
    assert store.hash_inputs(d)["digest"] == k0
    (d / ".texts" / "a.txt").write_text("The minister attacked the deal.\n", encoding="utf-8")
    assert store.hash_inputs(d)["digest"] != k0


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_a_changed_option_or_codebook_adds_a_folder_and_reuses_the_rest(lens, tmp_path):
    from framelens.config import default_path

    lens.part("framing", n_resamples=200)
    lens.part("framing", n_resamples=200)
    assert len(list(lens.corpus_dir.glob("framing-*"))) == 1
    cb = tmp_path / "cb.toml"
    cb.write_bytes(default_path("codebook").read_bytes().replace(b'id = "conflict"', b'id = "clash"', 1))
    t = lens.part("framing", n_resamples=200, codebook=str(cb))
    assert len(list(lens.corpus_dir.glob("framing-*"))) == 2
    assert "clash" in set(t["salience"]["frame"]) and "conflict" not in set(t["salience"]["frame"])
    assert t.options["codebook"] == str(cb) and t.manifest["configs"]["codebook"] != ""


# ------------------------------------------------------------------ damage gives one clear error


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_a_damaged_store_gives_a_clear_error(lens):
    t = lens.part("sentiment", n_resamples=200)
    folder = t.folder
    table = folder / "intervals.parquet"
    table.write_bytes(table.read_bytes()[:40])  # truncated
    fresh = store.LensStore(lens.root, lens.corpus_path)
    with pytest.raises(FramelensError, match=r"intervals.parquet: unreadable lens-store table .*delete the store folder"):
        fresh.part("sentiment", n_resamples=200)["intervals"]
    (folder / "arc.parquet").unlink()
    with pytest.raises(FramelensError, match=r"arc.parquet: missing from the lens store"):
        fresh.part("sentiment", n_resamples=200)["arc"]
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FramelensError, match=r"manifest.json: unreadable lens-store manifest"):
        store.LensStore(lens.root, lens.corpus_path).part("sentiment", n_resamples=200)["pairwise"]
    (folder / "manifest.json").write_text(json.dumps({"schema": 999, "tables": {}}), encoding="utf-8")
    with pytest.raises(FramelensError, match=r"not a lens-store manifest of schema 1"):
        store.Tables(folder)


def test_the_store_folder_must_be_a_store_or_empty(tmp_path, tiny_corpus_dir):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(FramelensError, match=r"busy: not a lens store .* choose a new or empty folder"):
        store.LensStore(busy, tiny_corpus_dir)
    assert (busy / "thesis.docx").read_text(encoding="utf-8") == "mine"
    old = tmp_path / "old"
    old.mkdir()
    (old / store.STORE_FILE).write_text(json.dumps({"schema": 0}), encoding="utf-8")
    with pytest.raises(FramelensError, match="a lens store of schema 0"):
        store.LensStore(old, tiny_corpus_dir)
    with pytest.raises(FramelensError, match="no such file or folder"):
        store.LensStore(tmp_path / "s", tmp_path / "no-corpus")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_two_writers_of_one_part_both_succeed(lens):
    """Two processes computing the same part: the first rename wins, the other keeps it."""
    t = lens.part("sentiment", n_resamples=200)
    again = store.write_folder(t.folder, {"x": pd.DataFrame({"a": [1]})}, {"kind": "part", "key": "k"})
    assert again == t.folder and "intervals" in store.Tables(t.folder)  # the existing folder is kept
    assert not list(lens.corpus_dir.glob(".tmp-*"))


# ------------------------------------------------------------------ the corpus, read lazily


def test_the_stored_corpus_reads_tokens_only_when_used(lens):
    corp = store.read_corpus(lens.full_corpus and lens.corpus_dir)
    assert "_tokens" in corp.__dict__ and not isinstance(corp.__dict__["_tokens"], pd.DataFrame)
    sub = corp.select(["alpha"])
    assert not isinstance(sub.__dict__["_tokens"], pd.DataFrame)  # still not read
    assert set(sub.tokens["source"].astype(str)) == {"alpha"} and set(sub.terms["source"].astype(str)) == {"alpha"}
    assert isinstance(sub.__dict__["_tokens"], pd.DataFrame)
    assert sub.sources == ["alpha"] and sub.colors["alpha"] == corp.colors["alpha"]
    assert corp.evidence(["alpha:s0"])["text"].iloc[0] == lens.corpus.sentences.set_index("sent_id").loc["alpha:s0", "text"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_compute_reports_what_it_did_and_skips_what_is_there(tmp_path, tiny_corpus_dir):
    lines: list[str] = []
    failures = framelens.compute(tiny_corpus_dir, store=tmp_path / "s", progress=lines.append,
                             requests=[("synthesis", {"n_resamples": 200, "n_permutations": 200})])
    assert failures == []
    names = [ln.split(": ")[2].split(" ")[0] for ln in lines if ln.count(": ") >= 2 and "(" in ln]
    assert names == ["vocabulary", "actors", "sentiment", "framing", "synthesis"]
    lines.clear()
    assert framelens.compute(tiny_corpus_dir, store=tmp_path / "s", progress=lines.append,
                         requests=[("synthesis", {"n_resamples": 200, "n_permutations": 200})]) == []
    assert lines == []  # everything was in the store


# ------------------------------------------------------------------ a light import


@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_import_framelens_loads_no_lens_machinery():
    code = ("import sys, framelens\n"
            "heavy = [m for m in ('matplotlib', 'scipy', 'nltk', 'textblob', 'vaderSentiment', 'simplemma', "
            "'framelens.read.corpus', 'framelens.lenses.sentiment', 'nbformat', 'papermill') if m in sys.modules]\n"
            "print(','.join(heavy))\n"
            "framelens.open_store, framelens.load_corpus, framelens.report.show\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "" and out[1] == "ok"


def test_rows_of_an_empty_partition_table_are_read_by_doc_id(tmp_path):
    """An empty audit table (nothing removed) stores doc_id with Arrow's null type; reading its rows
    for some documents gives no rows instead of an 'unreadable table' error (report 01 on a corpus
    with no page furniture failed in the reuse part)."""
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "rule": pd.Series([], dtype=object)})
    store.write_table(empty, tmp_path / "audit.parquet")
    out = store.read_partition_rows(tmp_path, "audit", columns=("doc_id", "rule"), doc_ids=["a", "b"])
    assert len(out) == 0 and list(out.columns) == ["doc_id", "rule"]
    rows = pd.DataFrame({"doc_id": ["a", "b", "c"], "rule": ["x", "y", "z"]})
    store.write_table(rows, tmp_path / "sentences.parquet")
    got = store.read_partition_rows(tmp_path, "sentences", doc_ids=["c", "a"])
    assert got["doc_id"].tolist() == ["a", "c"] and got["rule"].tolist() == ["x", "z"]


@pytest.mark.notebook  # computes the sentiment part
def test_scores_read_without_text_give_the_rows_reports_show_and_the_same_csv(tmp_path, tiny_corpus_dir, monkeypatch):
    """Report 03 reads the per-sentence scores without their text, picks the rows it shows, then
    fetches their text; and writes the full table's CSV one partition at a time. Both equal the
    whole-table path."""
    from framelens.store import ingest
    from framelens.report import show as report
    from framelens.lenses import sentiment

    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 2)
    lens = store.LensStore(tmp_path / "store", tiny_corpus_dir)
    S = lens.part("sentiment", n_resamples=50, n_permutations=50)
    assert S.is_partitioned("sentences") and len(S.files("sentences")) >= 2
    full = S["sentences"]
    light = S.scan("sentences", exclude=["text"])
    assert "text" not in light.columns and len(light) == len(full) > 10
    assert S.columns("sentences") == list(full.columns)
    for top in (1, 3, 7):
        pd.testing.assert_frame_equal(lens.with_text(sentiment.extremes(light, top=top)),
                                      sentiment.extremes(full, top=top))
        pd.testing.assert_frame_equal(lens.with_text(sentiment.most_subjective(light, top=top)),
                                      sentiment.most_subjective(full, top=top))
        pd.testing.assert_frame_equal(lens.with_text(sentiment.disagreements(light, top=top), after="label"),
                                      sentiment.disagreements(full, top=top))
    streamed = report.export_stored(S, "sentences", "streamed", tmp_path / "out")
    whole = report.export_table(full, "whole", tmp_path / "out")
    assert streamed.read_bytes() == whole.read_bytes() and len(whole.read_text(encoding="utf-8").splitlines()) > len(full)


def test_rows_of_some_documents_are_filtered_in_parquet(tmp_path, monkeypatch):
    """read_parts(doc_ids=) pushes the filter down to Parquet: the same rows as reading all and cutting
    in pandas; a table whose doc_id column has no type (no row) is read as it is."""
    from framelens.tables.parquet import concat_parts, read_parts, write_table

    a = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "x": [1.0, 2.0, 3.0], "lists": [["a"], [], ["b", "c"]]})
    b = pd.DataFrame({"doc_id": ["d3", "d2"], "x": [4.0, 5.0], "lists": [["d"], ["e"]]})
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "x": pd.Series([], dtype=float),
                          "lists": pd.Series([], dtype=object)})
    files = [(tmp_path / f"{i}.parquet", write_table(df, tmp_path / f"{i}.parquet")) for i, df in enumerate((a, empty, b))]
    got = concat_parts(files, doc_ids=["d2"])
    assert got["x"].tolist() == [3.0, 5.0] and got["lists"].tolist() == [["b", "c"], ["e"]]
    assert [len(df) for df in read_parts(files, columns=["doc_id", "x"], doc_ids={"d1", "d3"})] == [2, 0, 1]
    assert concat_parts(files, doc_ids=[]).empty
    import pyarrow.parquet as pq

    seen, real = [], pq.read_table
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: seen.append(k.get("filters")) or real(*a, **k))
    concat_parts(files, doc_ids=["d2"])
    assert seen == [[("doc_id", "in", ["d2"])], None, [("doc_id", "in", ["d2"])]]  # the typed files filtered in Parquet


def test_text_columns_read_as_categoricals_have_the_same_values(tmp_path):
    """read_parts(categories=): the text columns named come back as categoricals, unioned across
    partitions (sorted categories); a number column named, a column absent and an empty partition's
    untyped column are read as they are; the values equal a plain read."""
    from framelens.tables.parquet import concat_frames, read_parts, write_table

    a = pd.DataFrame({"source": ["s2", "s1", "s2"], "tone": ["neutral", "positive", None], "x": [1.0, 2.0, 3.0]})
    b = pd.DataFrame({"source": ["s3", "s1"], "tone": ["negative", "neutral"], "x": [4.0, 5.0]})
    empty = pd.DataFrame({"source": pd.Series([], dtype=object), "tone": pd.Series([], dtype=object),
                          "x": pd.Series([], dtype=float)})
    files = [(tmp_path / f"{i}.parquet", write_table(df, tmp_path / f"{i}.parquet")) for i, df in enumerate((a, empty, b))]
    plain = concat_frames(list(read_parts(files)))
    cats = concat_frames(list(read_parts(files, categories=("source", "tone", "x", "absent"))))
    assert isinstance(cats["source"].dtype, pd.CategoricalDtype) and isinstance(cats["tone"].dtype, pd.CategoricalDtype)
    assert list(cats["source"].cat.categories) == ["s1", "s2", "s3"] and cats["x"].dtype == float
    assert cats["source"].tolist() == plain["source"].tolist() == ["s2", "s1", "s2", "s3", "s1"]
    assert cats["tone"].tolist()[:2] == ["neutral", "positive"] and pd.isna(cats["tone"].iloc[2])
    assert cats["tone"].tolist()[3:] == plain["tone"].tolist()[3:] == ["negative", "neutral"]


def test_a_part_whose_worker_vanished_is_named_in_plain_words():
    from concurrent.futures.process import BrokenProcessPool

    from framelens.store import compute as comp

    def run():
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    failed, failures, lines = set(), [], []
    say = type("Say", (), {"record": lambda self, *a, **k: None, "__call__": lambda self, line: lines.append(line)})()
    comp._outcome("reuse", run, say=say, failed=failed, failures=failures)
    assert failed == {"reuse"} and lines == []
    assert failures == ["reuse: the process computing it was stopped from outside (on Linux usually the kernel's "
                        "out-of-memory killer, which `dmesg` names); the parts and reports that do not need it are "
                        "still made"]
    comp._outcome("vocabulary", lambda: ("/x/vocabulary-1", 2.5, 812.4), say=say, failed=failed, failures=failures)
    comp._outcome("framing", lambda: ("/x/framing-1", 1.25, None), say=say, failed=failed, failures=failures)
    assert lines == ["framelens: lens store: vocabulary (vocabulary-1) 2.5 s, peak memory 812 MB",
                     "framelens: lens store: framing (framing-1) 1.2 s"] and failed == {"reuse"}


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc (Linux)")
def test_a_section_whose_part_failed_shows_why_and_writes_no_csv(tmp_path):
    from framelens.errors import Unavailable
    from framelens.lenses import profile, reuse, synthesis
    from framelens.report import show

    gone = Unavailable("reuse", "the reuse part failed when the store was computed (MemoryError: no room)")
    html = show.show_table(reuse.stored_near_duplicates(gone), caption="Near-duplicate articles")._repr_html_()
    assert html == ('<p class="fl-empty"><b>Near-duplicate articles</b>: not available in this run: the reuse part '
                    'failed when the store was computed (MemoryError: no room).</p>')
    assert show.export_table(gone, "corpus_near_duplicates", tmp_path) is None and not (tmp_path / "tables").exists()
    note = ("*Shared passages: not available in this run: the reuse part failed when the store was computed "
            "(MemoryError: no room).*")
    assert profile.reuse_note(gone, "cgtn") == note and synthesis.reuse_summary(gone) == note


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_peak_memory_sees_a_block_allocation_the_process_frees_again():
    import time

    from framelens.core.progress import PeakMemory, Progress

    before = PeakMemory.rss_mb()
    with PeakMemory(interval=0.01) as peak:
        block = np.ones(300 * 2**20 // 8)  # 300 MB, touched
        time.sleep(0.1)
        del block
    after = PeakMemory.rss_mb()
    assert peak.mb - before >= 290 and after - before < 100  # seen at its height, gone after
    say = Progress(None)
    say.record("part x", 1.0, peak_mb=peak.mb)
    say.record("part y", 2.0)
    assert say.timings[0]["peak_mb"] == round(peak.mb) and "peak_mb" not in say.timings[1]


def test_a_failed_part_is_remembered_until_the_next_run(tmp_path, tiny_corpus_dir, monkeypatch):
    """A part that fails in the store phase is marked: a report opening the store gets a clear
    error at once instead of computing it again in its kernel; the next compute tries again."""
    import dataclasses

    from framelens.store import lens_store, parts

    def boom(corpus, opts, needs):
        raise MemoryError("no room")

    good = parts.PARTS["dating"]
    monkeypatch.setitem(parts.PARTS, "dating", dataclasses.replace(good, compute=boom))
    store = tmp_path / "s"
    assert framelens.compute(tiny_corpus_dir, store=store, requests=[("dating", {})]) == ["dating: MemoryError: no room"]
    lens = lens_store.LensStore(store, tiny_corpus_dir)
    from framelens.errors import PartFailed

    with pytest.raises(PartFailed) as exc:  # a FramelensError: one line, exit 2 from the command line
        lens.part("dating")
    assert str(exc.value) == ("lens store: the dating part failed when the store was computed (MemoryError: no room); "
                              "run `framelens run` again to retry it")
    gone = lens.optional_part("dating")  # a report section that can be left out: the reason instead
    assert not gone and gone.part == "dating"
    assert gone.text() == ("Not available in this run: the dating part failed when the store was computed (MemoryError: "
                           "no room); run `framelens run` again to retry it.")
    monkeypatch.setitem(parts.PARTS, "dating", good)  # fixed: the next compute tries again and succeeds
    assert framelens.compute(tiny_corpus_dir, store=store, requests=[("dating", {})]) == []
    assert lens_store.LensStore(store, tiny_corpus_dir).has_part("dating")
    assert not list(store.rglob("*.failed"))


@pytest.mark.notebook
def test_reports_that_show_reuse_in_one_section_are_made_when_reuse_failed(tmp_path, tiny_corpus_dir, monkeypatch):
    """A reuse part that fails in the store phase costs the overview, the profiles and the
    synthesis one section each (its reason shown there), not the whole report; report 08, which
    is about reuse, fails and the run says so."""
    import dataclasses

    from framelens.run import runner

    def boom(*a, **k):
        raise MemoryError("no room")

    good = parts.PARTS["reuse"]
    monkeypatch.setitem(parts.PARTS, "reuse", dataclasses.replace(good, compute=boom, map=boom, reduce=boom))
    out = tmp_path / "site"
    summary = runner.run_suite(tiny_corpus_dir, out, only=["01", "05", "06", "08"], profiles=1, progress=None)
    status = {r.notebook: r.status for r in summary.results}
    assert status == {"01_corpus_overview": "ok", "05_source_profile": "ok", "06_synthesis": "ok", "08_reuse": "failed"}
    why = "the reuse part failed when the store was computed (MemoryError: no room)"
    assert f"Near-duplicate articles (one cluster per group of copies)</b>: not available in this run: {why}" in \
        (out / "reports" / "01_corpus_overview.html").read_text(encoding="utf-8")
    synth = (out / "reports" / "06_synthesis.html").read_text(encoding="utf-8")
    assert f"Shared passages: not available in this run: {why}" in synth
    profile_page = next((out / "reports").glob("05_*.html")).read_text(encoding="utf-8")
    assert f"Shared passages: not available in this run: {why}" in profile_page
    assert not (out / "tables" / "corpus_near_duplicates.csv").exists()


def _pieces(tmp_path, frames):
    """A stored folder with table ``t`` written in pieces (one per frame) and ``small`` whole."""
    from framelens.tables import parquet as pqt

    tmp = pqt.temp_folder(tmp_path / "part")
    entries = [pqt.write_piece(df, tmp, "t", f"p{k}") for k, df in enumerate(frames)]
    return pqt.Tables(pqt.write_folder(tmp_path / "part", {"small": frames[0]}, {"kind": "part"}, tmp=tmp,
                                       partitioned={"t": entries}))


def test_the_top_rows_of_a_stored_table_read_piece_by_piece(tmp_path):
    a = pd.DataFrame({"doc": ["a1", "a2", "a3"], "fam": ["g", "x", "g"], "score": [2, 9, 5], "text": ["p", "q", "r"]})
    b = pd.DataFrame({"doc": ["b1", "b2"], "fam": ["g", "g"], "score": [5, 7], "text": ["s", "t"]})
    t = _pieces(tmp_path, [a, b])
    # generic rows: a1 2, a3 5, b1 5, b2 7; by score descending, ties in stored order: b2, a3, b1, a1
    view, n = t.top("t", 3, columns=["doc", "score"], where={"fam": "g"}, sort=["score"], ascending=False)
    assert view.to_dict("list") == {"doc": ["b2", "a3", "b1"], "score": [7, 5, 5]} and n == 4
    whole = pd.concat([a, b], ignore_index=True)
    expect = whole[whole["fam"] == "g"].sort_values("score", ascending=False, kind="stable").head(3)
    assert view["doc"].tolist() == expect["doc"].tolist()
    view, n = t.top("t", 2)  # no sort: the stored order, every column
    assert view["doc"].tolist() == ["a1", "a2"] and list(view.columns) == ["doc", "fam", "score", "text"] and n == 5
    view, n = t.top("t", 5, where={"fam": "none"}, columns=["doc"])
    assert view.empty and list(view.columns) == ["doc"] and n == 0


def test_show_stored_counts_every_row_and_holds_only_the_shown(tmp_path):
    from framelens.report import show

    frames = [pd.DataFrame({"doc": [f"d{k}-{i}" for i in range(30)], "score": range(30)}) for k in range(3)]
    t = _pieces(tmp_path, frames)
    html = show.show_stored(t, "t", caption="Scores", max_rows=5, max_embed=10, sort=["score"],
                            ascending=False).to_html()
    assert "(first 5 of 90 rows; all in the CSV)" in html and "the first 10 of 90 rows are in this page" in html
    assert html.index("d0-29") < html.index("d1-29") < html.index("d2-29") < html.index("d0-28")
    assert "d0-26" in html and "d1-26" not in html  # 10 rows read: 29, 28, 27 of each piece, then d0-26


def test_parts_after_a_killed_part_worker_get_a_new_pool(monkeypatch):
    """A part worker killed (the out-of-memory killer) breaks its pool: the part it ran fails in
    plain words, and the parts started after it go to a new pool instead of failing too."""
    import contextlib
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from framelens.store import compute as comp

    pools = []

    submitted_args: list = []

    class Pool:
        def __init__(self, *a, **k):
            self.broken, self.submitted, self.tasks_per_worker = False, [], k.get("tasks_per_worker")
            pools.append(self)

        def submit(self, fn, args):
            submitted_args.append(args)
            if self.broken:
                raise BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore")
            name, fut = args[4], Future()
            self.submitted.append(name)
            if name == "reuse":
                self.broken = True
                fut.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
            else:
                fut.set_result((f"/store/{name}-1", 1.0, 100.0))
            return fut

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    class Lens:
        root, corpus_path, sources, inputs = "/store", "/corpus", (), {}
        marked: list = []
        n_partitions = 1  # one partition: the parts go side by side

        def partitions(self):
            return [f"p{k}" for k in range(self.n_partitions)]

        def clear_failure(self, n, o):
            pass

        def mark_failed(self, n, o, why):
            self.marked.append(n)

    lines = []
    say = type("Say", (), {"record": lambda self, *a, **k: None, "__call__": lambda self, line: lines.append(line),
                           "drain": lambda self, q: contextlib.nullcontext()})()
    monkeypatch.setattr(comp, "make_pool", Pool)
    monkeypatch.setattr(comp, "_timed_part", lambda lens, n, o: (f"/store/{n}-1", 2.0, 50.0))  # a part run here
    failed, failures = set(), []
    todo = [("reuse", {}), ("vocabulary", {}), ("actors", {}), ("sentiment", {}), ("framing", {})]
    comp._run_parts(Lens(), todo, workers=2, say=say, view={}, failed=failed, failures=failures)
    assert [p.submitted for p in pools] == [["reuse"], ["vocabulary", "sentiment", "framing"]]
    assert failed == {"reuse"} and Lens.marked == ["reuse"] and failures[0].startswith("reuse: the process computing it")
    assert lines == ["framelens: lens store: vocabulary (vocabulary-1) 1.0 s, peak memory 100 MB",
                     "framelens: lens store: actors (actors-1) 2.0 s, peak memory 50 MB",  # alone: here
                     "framelens: lens store: sentiment (sentiment-1) 1.0 s, peak memory 100 MB",
                     "framelens: lens store: framing (framing-1) 1.0 s, peak memory 100 MB"]
    assert [p.tasks_per_worker for p in pools] == [None, None]  # a small corpus: the workers are reused
    # from FRESH_WORKER_PARTITIONS partitions on, each part gets a fresh worker process
    big = Lens()
    big.n_partitions = comp.FRESH_WORKER_PARTITIONS
    profiles = [("profile", {"source_id": s}) for s in "abc"]
    comp._run_parts(big, profiles, workers=2, say=say, view={}, failed=set(), failures=[])
    # two beside each other; the third, alone once they are done, here
    assert pools[-1].submitted == ["profile"] * 2 and pools[-1].tasks_per_worker == 1
    # on Dask (isolate: the scheduler's address) the parts go one at a time, never here: each in a
    # fresh process (one task per worker) told the address, so its maps run on the cluster
    lines.clear()
    submitted_args.clear()
    n_pools = len(pools)
    comp._run_parts(Lens(), [("vocabulary", {}), ("actors", {}), ("sentiment", {})], workers=1, say=say, view={},
                    failed=set(), failures=[], isolate="tcp://10.0.0.1:8786")
    assert [p.submitted for p in pools[n_pools:]] == [["vocabulary", "actors", "sentiment"]]
    assert pools[-1].tasks_per_worker == 1 and {a[-1] for a in submitted_args} == {"tcp://10.0.0.1:8786"}
    assert [ln.split(" (")[0] for ln in lines] == ["framelens: lens store: vocabulary", "framelens: lens store: actors",
                                                   "framelens: lens store: sentiment"]
    assert all("1.0 s" in ln for ln in lines)  # all from the pool: none computed here (2.0 s)


def test_an_ingest_given_no_engine_maps_on_a_pool_when_the_input_is_large(monkeypatch, tmp_path):
    """One rule (store.ingest.ingest_engine) for the command line's ingest and a notebook's or a
    script's store: a pool on the machine's cores from PARALLEL_INGEST_BYTES of input files on, else
    serial; serial inside a pool worker; the store's own engine when it has one."""
    from framelens.core import engine as E
    from framelens.store import ingest as I
    from framelens.store import lens_store as S

    monkeypatch.setattr(E, "available_cores", lambda: 2)
    big = {"files": [{"path": "a.jsonl", "bytes": 2_000_000}, {"path": "b.jsonl", "bytes": 1_000_000}]}
    small = {"files": [{"path": "a.jsonl", "bytes": I.PARALLEL_INGEST_BYTES - 1}]}
    eng = I.ingest_engine(big)
    assert isinstance(eng, E.PoolEngine) and eng.workers == 2 and eng._pool is None  # no process started yet
    assert type(I.ingest_engine(small)) is E.Engine and type(I.ingest_engine(big, 1)) is E.Engine
    assert I.ingest_engine(big, 8).workers == 2  # at most the machine's cores
    monkeypatch.setattr(E, "_IN_POOL_WORKER", True)
    assert type(I.ingest_engine(big)) is E.Engine

    seen = []

    class Fake:
        closed = False

        def close(self):
            self.closed = True

    made = Fake()
    monkeypatch.setattr(S, "ingest_engine", lambda inputs, workers: seen.append(("made", inputs, workers)) or made)
    monkeypatch.setattr(S, "ingest", lambda *a, engine=None, **k: seen.append(("ingest", engine)))
    (tmp_path / "c.txt").write_text("One sentence here.", encoding="utf-8")
    lens = S.LensStore(tmp_path / "store", tmp_path)
    lens.ingest()
    assert seen == [("made", lens.inputs, None), ("ingest", made)] and made.closed  # made here, closed after
    seen.clear()
    mine = Fake()
    S.LensStore(tmp_path / "store", tmp_path, engine=mine).ingest()
    assert seen == [("ingest", mine)] and not mine.closed  # the store's engine: used, left open
