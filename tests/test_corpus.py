"""The loader: seeds, the three input shapes, and every bad-input case."""

import csv
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from framelens import FramelensError, FramelensWarning, load_corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


# ---------------------------------------------------------------- the seed corpus
@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds not present")
def test_seed_files_are_byte_for_byte_copies(seeds_dir):
    originals = sorted(SHARED_SEEDS.glob("*.txt"))
    assert len(originals) == 5
    for orig in originals:
        copy = seeds_dir / orig.name
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == hashlib.sha256(orig.read_bytes()).hexdigest()


def test_sources_manifest(seeds_dir):
    rows = list(csv.DictReader(open(seeds_dir / "sources.csv", encoding="utf-8")))
    assert [r["id"] for r in rows] == ["europetoday", "writerdog", "cgtn", "astanatimes", "switchtv"]
    assert list(rows[0]) == ["id", "file", "outlet", "title", "author", "published", "url", "genre", "event", "notes"]
    assert {r["genre"] for r in rows} <= {"news", "opinion", "analysis", "commentary"}
    by = {r["id"]: r for r in rows}
    assert by["europetoday"]["published"] == "2024-07-03" and by["switchtv"]["published"] == "2025-06-16"
    assert by["cgtn"]["url"] == "" and by["cgtn"]["author"] == ""  # unknown stays empty
    for r in rows:
        assert (seeds_dir / r["file"]).is_file()


def test_seed_corpus_tables(seed_corpus):
    c = seed_corpus
    assert c.sources == ["europetoday", "writerdog", "cgtn", "astanatimes", "switchtv"]
    assert c.label("cgtn") == "CGTN"
    docs = c.documents.set_index("doc_id")
    # two different visits are visible in the dates
    assert docs.loc["europetoday", "published"] == pd.Timestamp("2024-07-03")
    assert docs.loc["cgtn", "published_precision"] == "month"
    # length differs about six-fold
    ratio = docs["n_words"].max() / docs["n_words"].min()
    assert 4 < ratio < 8
    # ids are stable and hierarchical
    assert c.sentences["sent_id"].iloc[0] == "europetoday:s0"
    assert all(p.startswith(d + ":p") for p, d in zip(c.sentences["para_id"], c.sentences["doc_id"]))
    # norm has the same length as the original text
    assert (c.sentences["text"].str.len() == c.sentences["norm"].str.len()).all()
    # every token and term points back to a sentence
    assert c.tokens["sent_id"].isin(c.sentences["sent_id"]).all()
    assert c.terms["sent_id"].isin(c.sentences["sent_id"]).all()
    # headings are structure, not sentences
    assert "Strengthening Bilateral Ties" not in set(c.sentences["text"])
    heads = c.paragraphs[c.paragraphs["kind"] == "heading"]
    assert "Strengthening Bilateral Ties" in set(heads["text"])
    # furniture is in the audit, not in the sentences
    assert not c.sentences["text"].str.contains("adinserter|Telegram channel|necessarily reflect", regex=True).any()
    assert {"shortcode", "call_to_action", "disclaimer"} <= set(c.audit["rule"])
    # multi-word names are single terms (found by collocation statistics on the corpus itself; a name
    # with a lower-case word inside, "Belt and Road Initiative", needs the seeds' own phrase list)
    terms = set(c.terms["term"])
    assert {"xi jinping", "kassym-jomart tokayev", "central asia"} <= terms


def test_evidence_and_select(seed_corpus):
    ev = seed_corpus.evidence(["cgtn:s1", "europetoday:s0"])
    assert ev["sent_id"].tolist() == ["cgtn:s1", "europetoday:s0"]
    assert ev["label"].tolist() == ["CGTN", "The Europe Today"]
    sub = seed_corpus.select(["cgtn", "switchtv"])
    assert sub.sources == ["cgtn", "switchtv"]
    assert set(sub.tokens["source"]) == {"cgtn", "switchtv"}
    assert seed_corpus.select([]) is seed_corpus
    with pytest.raises(FramelensError, match="unknown source 'nope'"):
        seed_corpus.select(["nope"])


def test_no_nltk_data_needed(tmp_path, monkeypatch, seeds_dir):
    import nltk

    empty = tmp_path / "nltk_data"
    empty.mkdir()
    monkeypatch.setenv("NLTK_DATA", str(empty))
    monkeypatch.setattr(nltk.data, "path", [str(empty)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = load_corpus(seeds_dir)
    assert len(c.sentences) > 100 and len(c.tokens) > 5000


# ---------------------------------------------------------------- other input shapes
def test_folder_without_manifest(tmp_path):
    (tmp_path / "b-story.txt").write_text("Second story here. It has two sentences.\n", encoding="utf-8")
    (tmp_path / "a story.txt").write_text("First story here.\n", encoding="utf-8")
    c = load_corpus(tmp_path)
    assert c.documents["doc_id"].tolist() == ["a_story", "b-story"]
    assert c.documents["n_sentences"].tolist() == [1, 2]
    assert c.documents["source"].tolist() == c.documents["doc_id"].tolist()


def test_csv_and_jsonl_with_metadata_and_sources(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text('id,source,outlet,text,topic\nx1,s1,Outlet One,"Hello world. Bye now.",t\nx2,s1,Outlet One,Another text here.,t\n'
                 'x3,s2,Outlet Two,"Multi\nline text.",u\n', encoding="utf-8")
    with pytest.warns(FramelensWarning, match="unknown column"):
        c = load_corpus(p)
    assert c.sources == ["s1", "s2"] and c.label("s2") == "Outlet Two"
    assert c.documents["topic"].tolist() == ["t", "t", "u"]
    assert c.documents.set_index("doc_id").loc["x1", "n_sentences"] == 2
    j = tmp_path / "c.jsonl"
    j.write_text(json.dumps({"text": "One doc. Two sentences."}) + "\n" + json.dumps({"text": "Another doc."}) + "\n", encoding="utf-8")
    c2 = load_corpus(j)
    assert c2.documents["doc_id"].tolist() == ["doc001", "doc002"]


def test_input_files_are_not_modified(tiny_corpus_dir):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tiny_corpus_dir.iterdir()}
    load_corpus(tiny_corpus_dir)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tiny_corpus_dir.iterdir()}
    assert before == after


# ---------------------------------------------------------------- bad input: errors
def _err(path, **kw) -> str:
    with pytest.raises(FramelensError) as e:
        load_corpus(path, **kw)
    return str(e.value)


def test_missing_path(tmp_path):
    assert _err(tmp_path / "nope") == f"{tmp_path / 'nope'}: no such file or folder"


def test_empty_and_whitespace_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    assert _err(tmp_path) == f"{tmp_path / 'a.txt'}: empty file"
    (tmp_path / "a.txt").write_bytes(b" \n\t\n")
    assert _err(tmp_path) == f"{tmp_path / 'a.txt'}: contains only whitespace"


def test_binary_and_undecodable(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"PK\x03\x04\x00\x00rest")
    assert _err(tmp_path) == f"{tmp_path / 'a.txt'}: binary file, not text (NUL byte at offset 4)"
    (tmp_path / "a.txt").write_bytes("Caf\u00e9 ok. ".encode("utf-8") + b"bad \xff byte")
    assert _err(tmp_path) == f"{tmp_path / 'a.txt'}: not UTF-8 text (undecodable byte 0xff at offset 14)"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom_are_decoded_everywhere(tiny_corpus_dir, codec):
    """A BOM-marked UTF-16/32 file reads as its UTF-8 twin: a folder's .txt, the manifest, the
    files it names, a CSV and a JSONL corpus."""
    def recode(path: Path) -> None:
        path.write_bytes("\ufeff".encode(codec) + path.read_text(encoding="utf-8").encode(codec))

    ref = load_corpus(tiny_corpus_dir)
    for f in tiny_corpus_dir.iterdir():  # the manifest and every article
        recode(f)
    c = load_corpus(tiny_corpus_dir)
    pd.testing.assert_frame_equal(c.sentences, ref.sentences)
    assert c.documents["outlet"].tolist() == ref.documents["outlet"].tolist()
    folder = tiny_corpus_dir.parent / "plain"
    folder.mkdir()
    (folder / "a.txt").write_bytes("\ufeffCaf\u00e9 talks went well. The minister agreed.".encode(codec))
    (folder / "b.txt").write_text("Caf\u00e9 talks went well. The minister agreed.", encoding="utf-8")
    c = load_corpus(folder)
    assert c.sentences["text"].tolist() == ["Caf\u00e9 talks went well.", "The minister agreed."] * 2
    table = tiny_corpus_dir.parent / "t.csv"
    table.write_text("id,source,text\nx,s1,Caf\u00e9 talks went well.\ny,s2,Another short text.\n", encoding="utf-8")
    recode(table)
    assert load_corpus(table).sentences["text"].tolist() == ["Caf\u00e9 talks went well.", "Another short text."]
    lines = tiny_corpus_dir.parent / "t.jsonl"
    lines.write_text('{"id": "x", "text": "Caf\u00e9 talks went well."}\n{"id": "y", "text": "Two."}\n', encoding="utf-8")
    recode(lines)
    assert load_corpus(lines).documents["doc_id"].tolist() == ["x", "y"]


def test_broken_utf16_and_utf16_without_bom_are_named(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(b"\xff\xfe" + "hi there".encode("utf-16-le") + b"\x00")  # 19 bytes: one byte short
    assert _err(tmp_path) == f"{f}: not UTF-16 text despite its byte-order mark (truncated data at offset 18)"
    f.write_bytes(b"\xff\xfe" + "hi\x00there".encode("utf-16-le"))  # a NUL character: binary
    assert _err(tmp_path) == f"{f}: binary file, not text (NUL character at offset 6)"
    f.write_bytes("hello world".encode("utf-16-le"))  # no BOM: NUL at offset 1, with a hint
    assert _err(tmp_path) == (f"{f}: binary file, not text (NUL byte at offset 1; UTF-16 text without a "
                              "byte-order mark? save it as UTF-8)")


@pytest.mark.parametrize("value,kind", [(42, "a number (42)"), (1.5, "a number (1.5)"), ([1, 2], "an array ([1, 2])"),
                                        ({"a": 1}, 'an object ({"a": 1})'), (True, "a boolean (true)")])
def test_jsonl_text_that_is_not_a_string_is_an_error(tmp_path, value, kind):
    j = tmp_path / "c.jsonl"
    j.write_text(json.dumps({"text": "Fine text."}) + "\n\n" + json.dumps({"id": "x", "text": value}) + "\n",
                 encoding="utf-8")
    assert _err(j) == f"{j}:3: 'text' must be a string, found {kind}"
    j.write_text(json.dumps({"body": value, "text": "Fine text."}) + "\n", encoding="utf-8")
    assert _err(j, text_column="body") == f"{j}:1: 'body' must be a string, found {kind}"
    with warnings.catch_warnings():  # 'body' is an unknown column; one document
        warnings.simplefilter("ignore")
        body = load_corpus(j).documents["body"].tolist()
    assert body == [json.dumps(value) if isinstance(value, (list, dict)) else str(value)]  # other fields: metadata


def test_jsonl_syntax_error_says_at_once(tmp_path):
    j = tmp_path / "c.jsonl"
    j.write_text('{"text": "abc\n', encoding="utf-8")
    assert _err(j) == f"{j}:1: not valid JSON (Unterminated string starting at column 10)"
    j.write_text('{"text": "a\tb"}\n', encoding="utf-8")
    msg = _err(j)  # the C scanner and the pure-Python one word this differently
    assert msg.startswith(f"{j}:1: not valid JSON (Invalid control character") and msg.endswith(" at column 12)")
    assert " at at " not in msg


def test_folder_txt_link_outside_the_folder_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First story here. It is fine.", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("Outside text.", encoding="utf-8")
    (corpus / "b.txt").symlink_to(tmp_path / "secret.txt")
    assert _err(corpus) == f"{corpus / 'b.txt'}: is a link to a file outside the corpus folder"
    (corpus / "b.txt").unlink()
    (corpus / "b.txt").symlink_to(corpus / "a.txt")  # a link inside the folder is an ordinary file
    assert load_corpus(corpus).documents["doc_id"].tolist() == ["a", "b"]


def test_manifest_row_missing_file(tiny_corpus_dir):
    (tiny_corpus_dir / "beta.txt").unlink()
    assert _err(tiny_corpus_dir) == f"{tiny_corpus_dir / 'sources.csv'}:3: file 'beta.txt' not found"


def test_manifest_duplicate_ids(tiny_corpus_dir):
    m = tiny_corpus_dir / "sources.csv"
    m.write_text(m.read_text(encoding="utf-8").replace("gamma,gamma.txt", "alpha,gamma.txt"), encoding="utf-8")
    assert _err(tiny_corpus_dir) == f"{m}:4: duplicate id 'alpha' (first on line 2)"


def test_manifest_path_escaping_folder(tiny_corpus_dir):
    m = tiny_corpus_dir / "sources.csv"
    (tiny_corpus_dir.parent / "outside.txt").write_text("Outside text.", encoding="utf-8")
    m.write_text(m.read_text(encoding="utf-8").replace("beta.txt", "../outside.txt"), encoding="utf-8")
    assert _err(tiny_corpus_dir) == f"{m}:3: file '../outside.txt' is outside the corpus folder"


def test_manifest_missing_required_columns(tiny_corpus_dir):
    m = tiny_corpus_dir / "sources.csv"
    m.write_text("id,outlet\nalpha,Alpha\n", encoding="utf-8")
    assert _err(tiny_corpus_dir) == f"{m}:1: missing required column(s) file (found: id, outlet)"


def test_csv_and_jsonl_without_text(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,body\n1,hello\n", encoding="utf-8")
    assert _err(p) == f"{p}: no 'text' column (found: id, body)"
    j = tmp_path / "c.jsonl"
    j.write_text('{"body": "hello"}\n', encoding="utf-8")
    assert _err(j) == f"{j}: no 'text' field (found: body)"
    j.write_text('{"text": "hello"}\n{"text": \n', encoding="utf-8")
    assert _err(j).startswith(f"{j}:2: not valid JSON")


def test_csv_row_with_empty_text_names_line(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text('id,text\na,"Fine text."\nb,"  "\n', encoding="utf-8")
    assert _err(p) == f"{p}:3: row 'b' has an empty 'text'"


def test_unsupported_file_type(tmp_path):
    p = tmp_path / "c.pdf"
    p.write_bytes(b"%PDF")
    assert "unsupported corpus" in _err(p)


# ---------------------------------------------------------------- bad input: warnings
def test_single_document_warns(tmp_path):
    (tmp_path / "only.txt").write_text("Just one article. It is short.\n", encoding="utf-8")
    with pytest.warns(FramelensWarning, match="only one document; comparisons between sources need at least two"):
        c = load_corpus(tmp_path)
    assert any("only one document" in w for w in c.warnings)


def test_non_english_text_warns(tmp_path):
    (tmp_path / "a.txt").write_text("This is an English article about trade and the economy.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Это статья на русском языке о торговле и экономике. Она длинная.\n", encoding="utf-8")
    with pytest.warns(FramelensWarning) as record:
        load_corpus(tmp_path)
    messages = [str(w.message) for w in record]
    assert any("does not look like English" in m for m in messages)
    # the Cyrillic paragraph is also named as left out of every count (it is shown on the article's page)
    assert any("1 paragraph(s) of 'b' are not in English (non-Latin script) and are not analysed" in m for m in messages)


# ---------------------------------------------------------------- loading at scale: chunks, pool, dtypes
TABLES = ("documents", "paragraphs", "sentences", "tokens", "terms", "audit")


def _quiet_load(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(path, **kw)


def assert_same_corpus(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.warnings == b.warnings


@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_chunked_and_pooled_loads_equal_the_one_chunk_load(seeds_dir, monkeypatch, seed_corpus):
    from framelens.read import corpus as corpus_mod

    one = _quiet_load(seeds_dir)
    assert_same_corpus(one, seed_corpus)
    monkeypatch.setattr(corpus_mod, "CHUNK_DOCUMENTS", 2)  # 5 seed documents: chunks of 2, 2, 1
    chunked = _quiet_load(seeds_dir, workers=1)
    assert_same_corpus(one, chunked)
    pooled = _quiet_load(seeds_dir, workers=2)  # 2 processes
    assert_same_corpus(one, pooled)
    # collocations are decided on corpus-wide counts: a name split over chunks is still found
    assert (chunked.terms["is_phrase"]).sum() == (one.terms["is_phrase"]).sum() > 0


def test_compact_dtypes(seed_corpus):
    t, m, s = seed_corpus.tokens, seed_corpus.terms, seed_corpus.sentences
    for df, cols in ((t, ("i", "start", "end")), (m, ("start", "end")), (s, ("sent_index", "n_words"))):
        for c in cols:
            assert df[c].dtype == "int32", (c, df[c].dtype)
    # ids of the big tables are categoricals with sorted categories: sorting = sorting the strings
    for df in (t, m):
        for c in ("sent_id", "doc_id", "source"):
            assert isinstance(df[c].dtype, pd.CategoricalDtype)
            cats = df[c].cat.categories.tolist()
            assert cats == sorted(cats)
    assert t.groupby("source").size().index.tolist() == sorted(seed_corpus.sources)
    assert t["token"].dtype == "str" and t["lemma"].dtype == "str"
    if t["lower"].dtype.storage == "python":
        # one string object per distinct token form, whatever the row
        the = t.loc[t["lower"] == "the", "lower"].tolist()
        assert len(the) > 100 and len({id(x) for x in the}) == 1
    else:  # Arrow strings: one buffer per column, no Python object per row
        assert t["lower"].dtype.storage == "pyarrow"


def test_select_drops_unused_categories(seed_corpus):
    sub = seed_corpus.select(["cgtn"])
    assert sub.tokens["source"].value_counts().to_dict() == {"cgtn": len(sub.tokens)}
    assert set(sub.terms["sent_id"].cat.categories) == set(sub.sentences["sent_id"])


def test_load_timings_cover_the_stages(seeds_dir):
    from framelens.read.corpus import LOAD_STAGES

    times: dict = {}
    _quiet_load(seeds_dir, timings=times)
    assert set(LOAD_STAGES) <= set(times)
    assert all(v >= 0 for v in times.values())




def test_a_documents_only_view_counts_its_sentences_from_the_documents_table(seed_corpus):
    """What notebooks 03, 04 and 07 show: a view without text still says how many sentences the
    corpus has (the seeds: 208), never '0 sentences'."""
    from framelens.read.corpus import documents_only

    view = documents_only(seed_corpus.documents, path=seed_corpus.path)
    assert len(view.sentences) == 0 and not view.text_loaded and seed_corpus.text_loaded
    assert view.n_sentences == seed_corpus.n_sentences == len(seed_corpus.sentences) == 208
    assert repr(view).startswith("<Corpus 5 documents, 5 sources, 208 sentences (documents only")
    assert " · 208 sentences · " in view._repr_markdown_() and "`seeds`" in view._repr_markdown_()


def test_the_documented_group_column_is_metadata_without_a_typo_warning(tmp_path):
    """`group` is the column the README names for `--by group`: kept as metadata like `topic`, but
    only `topic` gets the 'unknown column' warning (a run by group said its own column was unknown)."""
    p = tmp_path / "c.csv"
    p.write_text("id,source,group,topic,text\nx1,s1,left,t,Hello world.\nx2,s2,right,u,Another text.\n",
                 encoding="utf-8")
    with pytest.warns(FramelensWarning) as caught:
        c = load_corpus(p)
    messages = [str(w.message) for w in caught if "unknown column" in str(w.message)]
    assert messages == [f"{p}: unknown column(s) 'topic' kept as metadata"]
    assert c.documents["group"].tolist() == ["left", "right"] and c.by("group").sources == ["left", "right"]
