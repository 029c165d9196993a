"""One path (issue 20): every vocabulary, sentiment and framing table is one map over corpus
partitions and one associative reduce. The whole-corpus functions are that map over the corpus
as one partition plus the reduce, so (1) the lens parts give equal tables for 1, 3 and 16
partitions and (2) the public whole-corpus functions give the very tables of the parts."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framelens.lenses import framing
from framelens.store import parts
from framelens.lenses import sentiment
from framelens.lenses import vocabulary

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PARTITIONS = (1, 3, 16)  # 16 = one partition per document of the fixture


def _load(path):
    import framelens

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(path)


@pytest.fixture(scope="module")
def corp(tmp_path_factory):
    """The seed articles cut into 3 articles each (units of several documents) plus a unit of a
    single article: 16 documents."""
    seeds = _load(SEEDS)
    path = tmp_path_factory.mktemp("onepath") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        body = seeds.paragraphs[seeds.paragraphs["kind"] == "body"]
        for doc_id, g in body.groupby("doc_id", sort=False):
            for k, chunk in enumerate(np.array_split(g["text"].to_numpy(), 3)):
                fh.write(json.dumps({"id": f"{doc_id}-{k}", "source": str(g["source"].iloc[0]),
                                     "text": "\n\n".join(chunk)}) + "\n")
        g = body[body["doc_id"] == seeds.documents["doc_id"].iloc[0]]
        fh.write(json.dumps({"id": "solo", "source": "solo", "text": "\n\n".join(g["text"].tolist()[:4])}) + "\n")
    c = _load(path)
    assert len(c.documents) == 16
    return c


@pytest.fixture(scope="module")
def acts(corp):
    return parts.compute_in_memory("actors", corp)


def _by_partitions(name: str, corp, acts, options) -> dict[int, dict[str, pd.DataFrame]]:
    opts = parts.resolve_options(name, options)
    needs = {"actors": acts} if "actors" in parts.PARTS[name].needs else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {k: parts.compute_part(name, corp, opts, needs, partitions=k)[0] for k in PARTITIONS}


def _same_for_every_partitioning(got: dict[int, dict[str, pd.DataFrame]]) -> None:
    one = got[1]
    for k, tables in got.items():
        assert list(tables) == list(one)
        for table, df in one.items():
            pd.testing.assert_frame_equal(tables[table], df, obj=f"{table} ({k} partitions)")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_vocabulary_one_path(corp, acts):
    got = _by_partitions("vocabulary", corp, acts, {})
    _same_for_every_partitioning(got)
    t = got[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shared = vocabulary.shared_and_unique(corp)
        whole = {"size_style": vocabulary.size_and_style(corp), "diversity": vocabulary.lexical_diversity(corp),
                 "distinctive": vocabulary.distinctive_terms(corp), "shared_unique": shared,
                 "shared_unique_summary": vocabulary.shared_unique_summary(shared, corp),
                 "similarity_tfidf_cosine": vocabulary.similarity(corp, "tfidf_cosine"),
                 "similarity_jaccard": vocabulary.similarity(corp, "jaccard")}
    for table, df in whole.items():
        pd.testing.assert_frame_equal(t[table], df, obj=table)
    # the options the part does not use run through the same reduce, on any partitioning
    for kw in ({"top": 3}, {"include_phrases": False}, {"unit": "lemma", "min_count": 2}):
        one = vocabulary.distinctive_terms(corp, **kw)
        for k in (3, 16):
            red = parts.reduction(corp, lambda c: vocabulary._terms_map(c, unit=kw.get("unit", "term")), partitions=k)
            kk = {"min_count": 3, "include_bigrams": kw.get("include_phrases", True),
                  **{x: v for x, v in kw.items() if x != "unit"}}
            pd.testing.assert_frame_equal(vocabulary._distinctive_from(red, **kk), one, obj=f"{kw} ({k} partitions)")
    assert (vocabulary.distinctive_terms(corp, top=3).groupby("source").size() <= 3).all()


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_sentiment_one_path(corp, acts):
    small = {"n_resamples": 300, "n_permutations": 300}
    got = _by_partitions("sentiment", corp, acts, small)
    _same_for_every_partitioning(got)
    t = got[1]
    scores = sentiment.sentence_scores(corp)
    pd.testing.assert_frame_equal(t["sentences"], scores)
    whole = {"intervals": sentiment.source_intervals(scores, n_resamples=300),
             "by_source": sentiment.aggregate(scores), "pairwise": sentiment.pairwise_tests(scores, n_permutations=300),
             "arc": sentiment.arc(scores), "subjectivity": sentiment.subjectivity(scores, n_resamples=300),
             "method_agreement": sentiment.method_agreement(scores),
             "by_document": sentiment.aggregate(scores, by=("doc_id",)),
             "by_paragraph": sentiment.aggregate(scores, by=("para_id",)),
             "extremes": sentiment.extremes(scores, top=sentiment.STORED_TOP),
             "most_subjective": sentiment.most_subjective(scores, top=sentiment.STORED_TOP)}
    for table, df in whole.items():
        pd.testing.assert_frame_equal(t[table], df, obj=table)
    actor = sentiment.actor_sentiment(corp, acts["table"], n_resamples=300)
    pd.testing.assert_frame_equal(t["actors"], actor.table, obj="actors")
    # units of several documents were tested by relabelling documents
    assert set(t["pairwise"]["test"]) <= {"exact (documents)", "Monte Carlo (documents)", "normal approximation (documents)"}


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_framing_one_path(corp, acts):
    got = _by_partitions("framing", corp, acts, {"n_resamples": 300})
    _same_for_every_partitioning(got)
    t = got[1]
    cb, mk = framing.load_codebook(), framing.load_markers()
    whole = {"salience": framing.frame_salience(corp, cb, n_resamples=300),
             "document_frames": framing.document_frames(corp, cb),
             "cooccurrence": framing.frame_cooccurrence(corp, cb), "questions": framing.question_hits(corp, cb),
             "certainty": framing.certainty(corp, mk, n_resamples=300),
             "certainty_markers": framing.certainty_markers(corp, mk),
             "certainty_evidence": framing.certainty_evidence_table(corp, mk, top=parts.EVIDENCE_PER_CELL)}
    for table, df in whole.items():
        pd.testing.assert_frame_equal(t[table], df, obj=table)
    sal = t["salience"].drop_duplicates("source").set_index("source")
    assert sal.loc["cgtn", "unit"] == "document" and sal.loc["cgtn", "n_units"] == 3
    assert sal.loc["solo", "unit"] == "sentence"
    # co-occurrence per unit (not stored by the part): the same on every partitioning
    one = framing.frame_cooccurrence(corp, cb, by_source=True)
    assert len(one) and set(one["source"]) <= set(corp.sources)
    for k in (3, 16):
        red = parts.reduction(corp, lambda c: framing._frames_map(c, cb), row_tables=framing.FRAMING_ROWS, partitions=k)
        pd.testing.assert_frame_equal(framing._cooccurrence_from(red, cb.ids, by_source=True), one, obj=f"by source ({k})")
    # evidence of one frame in every unit: the top-k of the partitions' top-k's
    frame = t["salience"].sort_values("sentences", ascending=False)["frame"].iloc[0]
    ev = framing.frame_evidence(corp, frame, top=3, codebook=cb)
    assert len(ev) == 3 and (ev["frame"] == frame).all()
    red = parts.reduction(corp, lambda c: framing._frames_map(c, cb, top=3), row_tables=framing.FRAMING_ROWS,
                          partitions=16)
    pd.testing.assert_frame_equal(framing._evidence_of(red, frame, None, top=3), ev)
    ce = framing.certainty_evidence(corp, "hedges", top=3, markers=mk)
    red = parts.reduction(corp, lambda c: framing._markers_map(c, mk, top=3), row_tables=framing.FRAMING_ROWS,
                          partitions=16)
    assert len(ce) == 3 and ce["n"].is_monotonic_decreasing
    pd.testing.assert_frame_equal(framing._markers_evidence_of(red, "hedges", None, top=3), ce)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_whole_corpus_framing_functions_are_the_reduce_on_a_hand_made_corpus(tmp_path):
    """Two units, hand-counted: the whole-corpus functions and 2 / 3 partitions agree."""
    from conftest import corpus_from_texts

    c = corpus_from_texts(tmp_path, {"x1": "The costs will rise. Critics blame the government for the costs.",
                                     "x2": "The deal may help. Taxes rise.",
                                     "y1": "Officials praised the plan. It is the best plan."},
                          manifest="""
                          id,file,source
                          x1,x1.txt,x
                          x2,x2.txt,x
                          y1,y1.txt,y
                          """)
    cb, mk = framing.load_codebook(), framing.load_markers()
    sal = framing.frame_salience(c, cb, n_resamples=2000)
    cert = framing.certainty(c, mk, n_resamples=2000)
    x = cert[cert["source"] == "x"].set_index("measure")
    # hedges of x: "may" in x2 (6 words) and none in x1 (11 words): 1 per 17 words; the two
    # documents are resampled: {x1, x1} → 0, {x1, x2} → 1/17, {x2, x2} → 2/12, each end with
    # probability 1/4, so the 95% interval is [0, 1000/6]
    assert x.loc["hedges", "count"] == 1 and x.loc["hedges", "words"] == 17 and x.loc["hedges", "unit"] == "document"
    assert x.loc["hedges", "per_1000_words"] == pytest.approx(1000 / 17)
    assert x.loc["hedges", ["ci_low", "ci_high"]].tolist() == pytest.approx([0.0, 1000 / 6])
    sx = sal[sal["source"] == "x"].iloc[0]
    assert sx["n_sentences"] == 4 and sx["unit"] == "document" and sx["n_units"] == 2
    for k in (2, 3):
        red = parts.reduction(c, lambda p: framing._frames_map(p, cb), row_tables=framing.FRAMING_ROWS, partitions=k)
        pd.testing.assert_frame_equal(framing._salience_from(red, cb, n_resamples=2000), sal)
        red = parts.reduction(c, lambda p: framing._markers_map(p, mk), row_tables=framing.FRAMING_ROWS, partitions=k)
        pd.testing.assert_frame_equal(framing._certainty_from(red, n_resamples=2000), cert)
