"""The corpus overview functions (report 01) and manifest warnings."""

import pandas as pd
import pytest

from framelens import FramelensWarning, load_corpus
from framelens.lenses import overview


def test_date_label_precision():
    assert overview.date_label(pd.Timestamp("2025-06-16"), "day") == "2025-06-16"
    assert overview.date_label(pd.Timestamp("2025-06-01"), "month") == "2025-06 (day unknown)"
    assert overview.date_label(pd.Timestamp("2025-01-01"), "year") == "2025 (month unknown)"
    assert overview.date_label(pd.NaT, "") == "unknown"


def test_timeline_spans_the_known_month(mini_corpus):
    tl = overview.timeline(mini_corpus).set_index("doc_id")
    assert tl.loc["alpha", "start"] == tl.loc["alpha", "end"] == pd.Timestamp("2025-03-02")
    assert tl.loc["beta", "start"] == pd.Timestamp("2025-03-01")
    assert tl.loc["beta", "end"] == pd.Timestamp("2025-03-31")
    assert tl.loc["beta", "precision"] == "month"


def test_lengths_and_headline_on_the_mini_corpus(mini_corpus):
    lt = overview.lengths(mini_corpus).set_index("doc_id")
    # beta has one heading ("Background") kept as structure
    assert lt.loc["beta", "n_headings"] == 1
    assert lt.loc["alpha", "n_sentences"] == 4
    assert (lt["words_per_sentence"] == (lt["n_words"] / lt["n_sentences"]).round(1)).all()
    h = overview.headline(mini_corpus)
    assert h.startswith("3 articles from 3 sources")


def test_audit_names_rule_and_reason(mini_corpus):
    a = overview.audit_table(mini_corpus)
    rules = dict(zip(a["doc_id"] + ":" + a["rule"], a["text"]))
    assert rules["alpha:byline"] == "Jane Roe"
    assert rules["alpha:call_to_action"] == "Follow us on Telegram for the latest news!"
    assert rules["gamma:shortcode"] == '[adinserter block="3"]'
    assert a["why"].str.len().gt(0).all()
    s = overview.audit_summary(mini_corpus)
    assert s.set_index(["doc_id", "rule"]).loc[("gamma", "shortcode"), "characters"] == len('[adinserter block="3"]')


def test_unknown_manifest_column_is_kept_with_a_warning(tiny_corpus_dir):
    m = tiny_corpus_dir / "sources.csv"
    lines = m.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",desk"] + [ln + f",desk{i}" for i, ln in enumerate(lines[1:])]
    m.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(FramelensWarning, match="unknown column\\(s\\) 'desk' kept as metadata"):
        c = load_corpus(tiny_corpus_dir)
    assert c.documents["desk"].tolist() == ["desk0", "desk1", "desk2"]


# ---------------------------------------------------------------- per-source tables (legible at any size)


def _dated_corpus(tmp_path):
    rows = [("a1", "s1", "2025-03-02"), ("a2", "s1", "2025-04"), ("a3", "s1", ""), ("b1", "s2", ""),
            ("c1", "s3", "2024-01-15"), ("c2", "s3", "2025-02-01")]
    texts = {"a1": "One. Two. Three.", "a2": "One. Two.", "a3": "One.", "b1": "One. Two. Three. Four. Five. Six. Seven.",
             "c1": "One. Two. Three.", "c2": "One. Two. Three."}
    lines = ["id,source,published,text"] + [f'{i},{s},{p},"{texts[i]}"' for i, s, p in rows]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(path)


def test_source_summary_counts_articles_sizes_and_dates(tmp_path):
    c = _dated_corpus(tmp_path)
    s = overview.source_summary(c)
    # largest first by sentences: s2 (7), then s1 and s3 (6 each) in corpus order
    assert s["source"].tolist() == ["s2", "s1", "s3"]
    r = s.set_index("source")
    assert r.loc["s1", ["articles", "sentences", "dated_day", "dated_month", "undated"]].tolist() == [3, 6, 1, 1, 1]
    assert (r.loc["s1", "first"], r.loc["s1", "last"]) == ("2025-03-02", "2025-04 (day unknown)")
    assert (r.loc["s2", "first"], r.loc["s2", "undated"]) == ("unknown", 1)
    assert (r.loc["s3", "first"], r.loc["s3", "last"]) == ("2024-01-15", "2025-02-01")
    assert r.loc["s1", "median_words"] == 2  # articles of 3, 2 and 1 words


def test_dates_summary_and_undated_list(tmp_path):
    c = _dated_corpus(tmp_path)
    d = overview.dates_summary(c)
    assert d.values.tolist() == [["exact day", 3], ["month only", 1], ["unknown (no date)", 2]]
    assert overview.undated(c)["doc_id"].tolist() == ["a3", "b1"]


def test_load_warnings_is_a_table(mini_corpus):
    w = overview.load_warnings(mini_corpus)
    assert list(w.columns) == ["warning"] and w["warning"].tolist() == list(mini_corpus.warnings)


def test_selecting_an_unknown_source_lists_a_dozen_at_most(tmp_path):
    from framelens import FramelensError
    from conftest import corpus_from_texts

    c = corpus_from_texts(tmp_path, {f"s{i:02d}": "A short text. It has two sentences." for i in range(20)})
    with pytest.raises(FramelensError) as e:
        c.select(["nope"])
    assert str(e.value) == ("sources: unknown source 'nope' (available: s00, s01, s02, s03, s04, s05, s06, s07, "
                            "s08, s09, s10, s11, ... (8 more))")


@pytest.mark.notebook
def test_overview_notebook_on_45_sources_draws_bounded_figures(tmp_path):
    """01 on 60 articles from 45 sources (5 undated): per-source figures of bounded size, the
    per-source table cut at 30 rows, the undated articles counted and listed in the CSV."""
    import json

    from PIL import Image

    from framelens.run import runner

    words = ["harbour", "council", "budget", "river", "school", "market", "railway", "clinic", "farm", "bridge"]
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(60):
            src = f"outlet{i % 45:02d}"
            text = (f"The {words[i % 10]} plan number {i} was debated on Monday. "
                    f"Officials said the {words[(i + 3) % 10]} would open in {2000 + i}.")
            row = {"id": f"a{i:03d}", "source": src, "text": text}
            if i >= 5:
                row["published"] = f"2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}"
            f.write(json.dumps(row) + "\n")
    out = tmp_path / "out"
    summary = runner.run_suite(path, out, only=["01"], progress=None)
    assert summary.ok, [(r.name, r.error) for r in summary.failed]
    for name in ("corpus_timeline", "corpus_lengths", "corpus_audit"):
        w, h = Image.open(out / "figures" / f"{name}.png").size
        assert w <= 1400 and h <= 2000, (name, w, h)  # 120 dpi: at most ~12 × 17 inches
    table = (out / "tables" / "corpus_source_summary.csv").read_text(encoding="utf-8").splitlines()
    assert len(table) == 46 and table[0].startswith("source,label,articles,sentences")
    assert len((out / "tables" / "corpus_undated.csv").read_text(encoding="utf-8").splitlines()) == 6
    html = (out / summary.results[0].report).read_text(encoding="utf-8")
    assert "Articles per source, largest first" in html and "(first 30 of 45 rows; all in the CSV)" in html
    assert "unknown (no date)" in html


# ------------------------------------------------------------------ the summary as map/reduce


def _jsonl_corpus(tmp_path, n: int = 17):
    """``n`` articles (4 outlets, some dated, some with a byline and a heading cleaning handles)."""
    import json

    rows = []
    for k in range(n):
        body = (f"Report {k}\n\nBy Staff Writer\n\nThe council met on day {k}. It voted {k % 3} times.\n\n"
                + ("Background\n\nThe plan dates back years. Critics objected.\n" if k % 4 == 0 else "")
                + ("Follow us on Telegram for the latest news!\n" if k % 5 == 0 else ""))
        rows.append({"id": f"a{k:02d}", "source": f"s{k % 4}", "outlet": f"Outlet {k % 4}", "text": body,
                     "published": f"2025-03-{1 + k % 28:02d}" if k % 3 else ""})
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_check_summary_is_the_same_for_1_3_and_16_partitions_and_equals_the_loaded_corpus(tmp_path):
    import warnings

    path = _jsonl_corpus(tmp_path)
    one, three, sixteen = (overview.check(path, batch_documents=b) for b in (17, 6, 1))
    assert one == three == sixteen  # documents, audit counts, totals and warnings
    assert len(sixteen.documents) == 17
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(path)
    assert one.totals == {"documents": 17, "paragraphs": len(corp.paragraphs), "sentences": len(corp.sentences),
                          "tokens": len(corp.tokens), "audit_spans": len(corp.audit),
                          "audit_characters": int(corp.audit["text"].str.len().sum())}
    # hand count: a byline in each of the 17, a call to action in a00, a05, a10, a15; headings in a00, a04, a08, a12, a16
    assert one.totals["audit_spans"] == 17 + 4
    assert one.documents.set_index("doc_id")["n_headings"].loc[["a00", "a01", "a04"]].tolist() == [1, 0, 1]
    assert one.documents.set_index("doc_id")["n_removed"].loc[["a00", "a01", "a05"]].tolist() == [2, 1, 2]
    for f in (overview.source_summary, overview.lengths, overview.dates_summary, overview.undated,
              overview.sources_table, overview.timeline, overview.audit_summary):
        pd.testing.assert_frame_equal(f(sixteen), f(corp), check_dtype=False)
    assert overview.headline(sixteen) == overview.headline(corp)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_stored_overview_part_equals_the_check_and_reads_rows_a_few_at_a_time(tmp_path):
    import warnings

    from framelens.store.lens_store import LensStore
    from framelens.tables.parquet import partition_dirs, write_corpus

    path = _jsonl_corpus(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(path)
    lens = LensStore(tmp_path / "store", path)
    write_corpus(corp, lens.corpus_dir, key=lens.corpus_key, inputs=lens.inputs, partition_documents=5)
    assert len(partition_dirs(lens.corpus_dir)) == 4
    stored = overview.from_store(lens)  # the overview part: one map step per stored partition
    assert stored == overview.check(path)
    pd.testing.assert_frame_equal(overview.audit_table(stored), overview.audit_table(corp), check_dtype=False)
    pd.testing.assert_frame_equal(overview.audit_table(stored, limit=3), overview.audit_table(corp).head(3),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(overview.headings(stored), overview.headings(corp), check_dtype=False)
    assert overview.headings(stored)["doc_id"].tolist() == ["a00", "a04", "a08", "a12", "a16"]
