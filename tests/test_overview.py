"""The corpus overview functions (report 01) and manifest warnings."""

import pandas as pd
import pytest

from framelens import FramelensWarning, load_corpus, overview


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
