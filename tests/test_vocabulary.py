"""Tests for framelens.lenses.vocabulary: known answers computed by hand, then corpus-level checks.

The small-corpus tests build the Corpus tables directly (schema of CONTRACT.md) with a plain
regex tokenizer, so they check this module's arithmetic independently of the loader.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from conftest import SEEDS, corpus_from_texts
from framelens.lenses import vocabulary as voc
from framelens.errors import FramelensError

from conftest import corpus_from_tables as make_corpus



# --------------------------------------------------------------------------- pure functions


def test_log_odds_z_two_word_example():
    # group i: a=3, b=1 (n=4); group j: a=1, b=3 (n=4); prior alpha_0=2 from pooled counts
    # (a: 4/8, b: 4/8) -> alpha_a = 1. delta = ln((3+1)/(4+2-3-1)) - ln((1+1)/(4+2-1-1))
    # = ln 2 - ln 0.5 = 2 ln 2; var = 1/4 + 1/2 = 0.75; z = 1.386294 / 0.866025 = 1.600755
    delta, z = voc.log_odds_z(3, 4, 1, 4, 1.0, 2.0)
    assert delta == pytest.approx(2 * math.log(2))
    assert z == pytest.approx(1.6007548, abs=1e-6)
    # b is the mirror image
    _, zb = voc.log_odds_z(1, 4, 3, 4, 1.0, 2.0)
    assert zb == pytest.approx(-1.6007548, abs=1e-6)


def test_g2_matches_scipy_and_hand_value():
    # [[3,1],[1,3]]: E = 2 everywhere, G2 = 2*(6 ln 1.5 - 2 ln 2) = 2.092993
    assert float(voc.g2(3, 1, 1, 3)) == pytest.approx(2.0929926, abs=1e-6)
    for t in ([[10, 3], [200, 500]], [[1, 40], [99, 60]], [[0, 5], [30, 20]]):
        t = np.array(t)
        ref = chi2_contingency(t, correction=False, lambda_="log-likelihood")[0]
        assert float(voc.g2(t[0, 0], t[0, 1], t[1, 0], t[1, 1])) == pytest.approx(ref, rel=1e-9)


def test_log_ratio_hardie():
    assert float(voc.log_ratio(3, 4, 1, 4)) == pytest.approx(math.log2(3))
    # zero in the reference is replaced by 0.5: log2((2/10)/(0.5/10)) = 2
    assert float(voc.log_ratio(2, 10, 0, 10)) == pytest.approx(2.0)


def test_mtld_constructed_sequence_with_partial_factor():
    toks = list("aabcdb")
    # forward: a(1) a(1/2 <= .72 -> factor 1, reset) b c d (1) b (3/4 = .75): partial (1-.75)/.28
    fwd = 6 / (1 + 0.25 / 0.28)
    # backward b d c b a a: b d c (1) b (.75) a (.8) a (4/6 <= .72 -> factor 1), nothing left -> 6/1
    bwd = 6 / 1
    assert voc.mtld(toks) == pytest.approx((fwd + bwd) / 2)  # 4.584906
    assert voc.mtld(toks) == pytest.approx(4.5849057, abs=1e-6)
    assert voc.mtld(list("abababab")) == pytest.approx(4.0)  # factors close at tokens 3 and 6 both ways
    assert math.isnan(voc.mtld([]))
    assert math.isnan(voc.mtld(list("abcd")))  # never repeats: no factor


def test_mattr_short_text_and_window():
    # windows of 3 over "the cat the dog the": 2/3, 3/3, 2/3 -> 7/9
    assert voc.mattr("the cat the dog the".split(), 3) == pytest.approx(7 / 9)
    assert voc.mattr("a b a c".split(), 3) == pytest.approx((2 / 3 + 1) / 2)
    assert voc.mattr("a b a c".split(), 2) == pytest.approx(1.0)
    # shorter than the window: plain TTR
    assert voc.mattr("a a b".split(), 50) == pytest.approx(2 / 3)
    with pytest.raises(FramelensError):
        voc.mattr(["a"], 0)


def test_mattr_matches_naive_on_random_text():
    rng = np.random.default_rng(1)
    toks = [f"w{x}" for x in rng.integers(0, 30, 400)]
    w = 25
    naive = np.mean([len(set(toks[i:i + w])) / w for i in range(len(toks) - w + 1)])
    assert voc.mattr(toks, w) == pytest.approx(naive)


def test_ttr_syllables_flesch():
    assert voc.ttr("a b a".split()) == pytest.approx(2 / 3)
    expected = {"the": 1, "table": 2, "make": 1, "beautiful": 3, "walked": 1, "agreed": 2, "changes": 2,
                "times": 1, "strengthening": 3, "2013": 4}
    assert {w: voc.syllables(w) for w in expected} == expected
    # 6 words, 2 sentences, 6 syllables: 206.835 - 1.015*3 - 84.6*1 = 119.19
    assert voc.flesch_reading_ease(6, 2, 6) == pytest.approx(119.19)
    assert math.isnan(voc.flesch_reading_ease(0, 0, 0))


# --------------------------------------------------------------------------- small corpora

TWO = [("d1", "x", "Alpha beta."), ("d2", "y", "Alpha gamma.")]


def test_similarity_cosine_and_jaccard_two_docs():
    c = make_corpus(TWO)
    j = voc.similarity(c, "jaccard")
    assert j.loc["x", "y"] == pytest.approx(1 / 3)  # {alpha} / {alpha, beta, gamma}
    assert j.loc["x", "x"] == pytest.approx(1.0)
    cos = voc.similarity(c, "tfidf_cosine")
    # idf(alpha) = ln(3/3)+1 = 1, idf(beta) = idf(gamma) = ln(3/2)+1 = 1.405465
    # cos = 1 / (1 + 1.405465^2) = 0.336097
    assert cos.loc["x", "y"] == pytest.approx(1 / (1 + (math.log(1.5) + 1) ** 2))
    assert cos.loc["x", "y"] == pytest.approx(0.336097, abs=1e-6)
    assert voc.similarity(c, "cosine").loc["x", "y"] == pytest.approx(0.5)  # raw counts
    with pytest.raises(FramelensError):
        voc.similarity(c, "euclid")


def test_distinctive_terms_one_vs_rest_pools_documents_by_source():
    # source x = two documents (a a a b), source y = one document (a b b b)
    c = make_corpus([("d1", "x", "Alpha alpha beta."), ("d2", "x", "Alpha."), ("d3", "y", "Alpha beta beta beta.")])
    d = voc.distinctive_terms(c, min_count=1, prior_strength=2.0, include_phrases=False)
    row = d[(d.source == "x") & (d.term == "alpha")].iloc[0]
    assert row["count"] == 3 and row["count_rest"] == 1
    assert row["z"] == pytest.approx(1.6007548, abs=1e-6)
    assert row["g2"] == pytest.approx(2.0929926, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(math.log2(3))
    assert row["rate_per_1000"] == pytest.approx(750.0)
    assert row["n_docs"] == 2
    assert row["example_sent_ids"] == "d1:s0; d2:s0"
    # per source sorted by z: y's top term is beta
    assert d[d.source == "y"].iloc[0]["term"] == "beta"
    assert list(d.columns[:3]) == ["source", "label", "term"]
    assert {"source", "term", "count", "z", "g2", "log_ratio"} <= set(d.columns)


def test_distinctive_terms_skips_stopwords_min_count_top_and_bigrams():
    c = make_corpus([
        ("d1", "x", "The energy cooperation grew. The energy cooperation of the region grew."),
        ("d2", "y", "The security talks ended. The security talks, energy aside, ended."),
    ])
    d = voc.distinctive_terms(c, min_count=2, prior_strength=10.0)
    assert "the" not in set(d.term)
    assert (d["count"] >= 2).all()
    big = d[d.kind == "bigram"]
    assert "energy cooperation" in set(big[big.source == "x"].term)
    assert "security talks" in set(big[big.source == "y"].term)
    # comma breaks adjacency: no "talks energy" pair
    assert "talks energy" not in set(voc._bigrams(c.terms).term)
    top = voc.distinctive_terms(c, min_count=1, top=1, include_bigrams=False)
    assert top.groupby("source").size().max() == 1


def test_distinctive_terms_single_source_warns():
    c = make_corpus([("d1", "x", "Alpha beta alpha.")])
    with pytest.warns(UserWarning):
        d = voc.distinctive_terms(c, min_count=1, include_bigrams=False)
    assert d["z"].isna().all() and len(d) == 2


def test_kwic_is_bounded_by_the_sentence():
    c = make_corpus([("d1", "x", "Talks began in Astana. China's leader met Kazakh officials there. Next day China left.")])
    k = voc.kwic(c, ["china"], width=10)
    assert len(k) == 2
    first = k.iloc[0]
    assert first["sent_id"] == "d1:s1" and first["doc_id"] == "d1"
    assert first["left"] == ""  # starts the sentence: nothing from the previous one
    assert first["match"] == "China"
    assert first["right"] == "'s leader …"  # 10 characters, then cut
    second = k.iloc[1]
    assert second["left"] == "Next day " and second["right"] == " left."  # ends at the sentence end
    assert (second["start"], second["end"]) == (9, 14)
    assert voc.kwic(c, ["chin"]).empty  # whole words only
    assert len(voc.kwic(c, "kazakh officials")) == 1


def test_size_and_style_and_lexical_diversity():
    c = make_corpus([("d1", "x", "The cat sat. The dog ran."), ("d2", "y", "Alpha beta gamma alpha.")])
    s = voc.size_and_style(c).set_index("source")
    assert s.loc["x", "n_tokens"] == 6 and s.loc["x", "n_sentences"] == 2
    assert s.loc["x", "n_types"] == 5 and s.loc["x", "stopword_share"] == pytest.approx(2 / 6)
    assert s.loc["x", "flesch_reading_ease"] == pytest.approx(119.19)
    with pytest.warns(UserWarning, match="shorter than the MATTR window"):
        ld = voc.lexical_diversity(c, window=5).set_index("source")
    assert ld.loc["y", "mattr"] == pytest.approx(3 / 4)  # shorter than window: TTR
    assert bool(ld.loc["y", "short_for_window"]) and not bool(ld.loc["x", "short_for_window"])
    # x: "the cat sat the dog ran", windows of 5: 4/5, 5/5 -> 0.9
    assert ld.loc["x", "mattr"] == pytest.approx(0.9)


def test_naming_choices_counts_zeros_and_longest_match(tmp_path):
    ref = tmp_path / "ref.toml"
    ref.write_text(
        '[[referent]]\nname = "Initiative"\nvariants = ["Belt and Road Initiative", "Belt and Road", "BRI"]\n'
        '[[referent]]\nname = "Nowhere"\nvariants = ["Atlantis"]\n',
        encoding="utf-8",
    )
    c = make_corpus([
        ("d1", "x", "The Belt and Road Initiative (BRI) grew. The belt and road grew."),
        ("d2", "y", "The BRI grew. The bri word is lower case."),
    ])
    n = voc.naming_choices(c, ref).set_index(["variant", "source"])
    assert n.loc[("Belt and Road Initiative", "x"), "count"] == 1
    assert n.loc[("Belt and Road", "x"), "count"] == 1  # not double-counted inside the longer name
    assert n.loc[("BRI", "x"), "count"] == 1
    assert n.loc[("BRI", "y"), "count"] == 1  # case-sensitive acronym: 'bri' does not count
    assert n.loc[("Atlantis", "y"), "count"] == 0
    assert n.loc[("BRI", "y"), "share"] == pytest.approx(1.0)
    assert n.loc[("BRI", "y"), "example_sent_ids"] == "d2:s0"
    wide = voc.naming_table(voc.naming_choices(c, ref))
    assert "Nowhere" not in set(wide.referent) and list(wide.columns[-1:]) == ["total"]
    assert (wide["total"] > 0).all()


def test_load_referents_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[referent]]\nname = "A"\nvariants = ["x"]\n[[referent]]\nname = "B"\nvariants = ["x"]\n')
    with pytest.raises(FramelensError, match="given to both"):
        voc.load_referents(bad)
    with pytest.raises(FramelensError, match="not found"):
        voc.load_referents(tmp_path / "missing.toml")
    default = voc.load_referents()
    assert len(default) > 30 and default["variant"].is_unique
    # the packaged referents are general news choices, not the demo event's
    assert {"climate", "people moving", "government"} <= set(default["referent"])
    assert not default["variant"].isin(["Xi Jinping", "Belt and Road", "partnership"]).any()


def test_collocations_pmi_llr_by_hand():
    c = make_corpus([("d1", "x", "Red wine flows. Red wine stays. Blue sky rises. Red sky glows.")])
    col = voc.collocations(c, min_count=2, by_source=True).set_index("collocation")
    # content bigrams: red wine x2, wine flows, wine stays, blue sky, sky rises, red sky, sky glows (N=8)
    # red wine: n_xy=2, n(red.)=3, n(.wine)=2: pmi = log2(2*8/(3*2)) = log2(8/3)
    r = col.loc["red wine"]
    assert r["count"] == 2
    assert r["pmi"] == pytest.approx(math.log2(8 / 3))
    ref = chi2_contingency(np.array([[2, 1], [0, 5]]), correction=False, lambda_="log-likelihood")[0]
    assert r["llr"] == pytest.approx(ref)
    assert r["example_sent_ids"] == "d1:s0; d1:s1"


def test_shared_and_unique_and_headline():
    c = make_corpus([("d1", "x", "Alpha beta beta."), ("d2", "y", "Alpha gamma."), ("d3", "z", "Alpha delta.")])
    t = voc.shared_and_unique(c).set_index("term")
    assert t.loc["alpha", "status"] == "all" and t.loc["alpha", "n_sources"] == 3
    assert t.loc["beta", "status"] == "unique" and t.loc["beta", "only_source"] == "x" and t.loc["beta", "x"] == 2
    summ = voc.shared_unique_summary(voc.shared_and_unique(c)).set_index("source")
    assert summ.loc["x", "n_unique"] == 1 and summ.loc["x", "n_shared_by_all"] == 1
    h = voc.headline({"size_style": voc.size_and_style(c), "distinctive": voc.distinctive_terms(c, min_count=1), "similarity_tfidf_cosine": voc.similarity(c)}, corpus=c)
    assert h.startswith("Most distinctive") and h.endswith(".") and "\n" not in h
    assert "X 'beta'" in h and "least alike: X and Z" in h


# --------------------------------------------------------------------------- seeds (loader + lens)


def test_seed_corpus_distinctive_terms_and_similarity(seed_corpus):
    c = seed_corpus
    d = voc.distinctive_terms(c, min_count=3)
    assert set(d["source"]) == set(c.sources)
    assert not d["term"].isin(list(c.stopwords)).any()
    top = voc.top_terms(d, top=10)
    # Switch TV's news report of the arrival: 'expected' is used 5 times there and never elsewhere
    sw = top[top.source == "switchtv"].set_index("term")
    assert "expected" in sw.index and sw.loc["expected", "count_rest"] == 0
    # every example sentence really contains the term
    row = sw.loc["expected"]
    ev = c.evidence(row["example_sent_ids"].split("; "))
    assert ev["text"].str.lower().str.contains("expected").all()
    sim = voc.similarity(c)
    assert sim.shape == (5, 5) and np.allclose(np.diag(sim), 1.0)
    assert ((sim.to_numpy() > 0) & (sim.to_numpy() <= 1 + 1e-12)).all()
    assert np.allclose(sim.to_numpy(), sim.to_numpy().T)


def test_seed_corpus_naming_and_kwic(seed_corpus):
    n = voc.naming_choices(seed_corpus, SEEDS / "referents.toml")   # the seeds' own referent table
    bri = n[(n.referent == "Belt and Road Initiative")].groupby("variant")["count"].sum()
    assert bri["BRI"] >= 1 and bri["Belt and Road Initiative"] >= 1
    k = voc.kwic(seed_corpus, ["influence"], width=40)
    assert len(k) >= 3
    sents = seed_corpus.sentences.set_index("sent_id")["text"]
    for _, r in k.iterrows():  # each line lies inside its own sentence
        text = sents[r["sent_id"]]
        assert text[r["start"]:r["end"]].lower() == "influence"
        assert r["left"].lstrip("…") == text[max(0, r["start"] - 40):r["start"]]


@pytest.mark.notebook
def test_notebook_02_runs_on_mini_fixture(tmp_path, mini_dir):
    import json
    from pathlib import Path

    from framelens.run.runner import execute_notebook

    nb_dir = Path(__file__).resolve().parents[1] / "notebooks"
    out = tmp_path / "out"
    execute_notebook(
        str(nb_dir / "02_vocabulary.ipynb"),
        str(tmp_path / "02.ipynb"),
        parameters={"corpus": str(mini_dir), "output_dir": str(out), "min_count": 1, "kwic_terms": ["rail"]},
        cwd=str(nb_dir)
    )
    dist = pd.read_csv(out / "tables" / "vocabulary_distinctive_terms.csv")
    assert "critics" in set(dist[dist.source == "beta"].term)  # only the critical opinion piece has it
    kw = pd.read_csv(out / "tables" / "vocabulary_kwic.csv")
    assert set(kw["sent_id"]) == {"alpha:s0", "beta:s0"} and (kw["match"].str.lower() == "rail").all()
    for fig in ("vocabulary_distinctive_terms", "vocabulary_similarity", "vocabulary_diversity"):
        assert (out / "figures" / f"{fig}.png").stat().st_size > 1000
    headline = json.loads((out / "findings" / "02_vocabulary.json").read_text())["headline"]
    assert "Beta Review 'critics'" in headline


# ------------------------------------------------------------------ naming pairs, KWIC defaults

NAMING_DOCS = {
    # two outlets name one policy differently; the contexts around both names are alike
    "red1": "The governor signed the vaccine mandate on Monday. Parents said the vaccine mandate hurts schools. "
            "Critics of the vaccine mandate plan a lawsuit.",
    "red2": "Lawmakers debated the vaccine mandate for schools. The governor defended the vaccine mandate.",
    "blue1": "The governor signed the vaccine requirement on Monday. Parents said the vaccine requirement protects schools. "
             "Doctors praised the vaccine requirement.",
    "blue2": "Lawmakers debated the vaccine requirement for schools. The governor defended the vaccine requirement.",
}


def _naming_corpus(tmp_path):
    d = tmp_path / "n"
    d.mkdir()
    rows = ["id,file,source"]
    for k, text in NAMING_DOCS.items():
        (d / f"{k}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{k},{k}.txt,{k[:-1]}")
    (d / "sources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    import warnings

    import framelens as fl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fl.load_corpus(d)


def test_naming_pairs_same_contexts_different_sources(tmp_path):
    c = _naming_corpus(tmp_path)
    pairs = voc.naming_pairs(c, min_count=3)
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert {row["term_a"], row["term_b"]} == {"vaccine mandate", "vaccine requirement"}
    assert {row["count_a"], row["count_b"]} == {5, 5}
    # G2 of [[5, 0], [0, 5]] (sources blue, red): 2 * (5 ln 2 + 5 ln 2) = 20 ln 2
    assert row["g2"] == pytest.approx(20 * math.log(2)) and row["p"] < 0.001
    assert row["similarity"] >= 0.3
    ids = row["example_sent_ids_a"].split("; ")
    assert all(i.split(":")[0] in NAMING_DOCS for i in ids)
    # the pair becomes a referent of the default naming table, counted per source
    n = voc.naming_choices(c, pairs=pairs)
    found = n[n["group"] == "found in the corpus"].set_index(["variant", "source"])["count"]
    assert found[("vaccine mandate", "red")] == 5 and found[("vaccine mandate", "blue")] == 0
    assert found[("vaccine requirement", "blue")] == 5
    # a referent table of your own takes precedence: nothing is added
    own = voc.load_referents()
    assert "found in the corpus" not in set(voc.naming_choices(c, own)["group"])


def test_naming_pairs_need_different_sources(tmp_path):
    # the same two names, each used by both outlets alike: not a naming choice
    docs = {"a": "The vaccine mandate passed. The vaccine requirement passed. Parents fought the vaccine mandate. "
                 "Parents fought the vaccine requirement. Schools want the vaccine mandate. Schools want the vaccine requirement."}
    c = corpus_from_texts(tmp_path, {**docs, "b": docs["a"]})
    assert voc.naming_pairs(c, min_count=3).empty


def test_kwic_terms_default_to_each_sources_distinctive_terms():
    dist = pd.DataFrame({"source": ["a", "a", "a", "b", "b"], "term": ["mandate", "freedom", "the", "requirement", "mandate"],
                         "z": [3.0, 2.0, -1.0, 2.5, 0.5], "kind": ["word", "word", "word", "word", "word"]})
    assert voc.kwic_terms(dist, per_source=2) == ["mandate", "freedom", "requirement"]


def test_shared_and_unique_without_wide_columns_gives_the_same_summary(monkeypatch):
    c = make_corpus([("d1", "x", "Alpha beta beta."), ("d2", "y", "Alpha gamma."), ("d3", "z", "Alpha delta delta.")])
    wide = voc.shared_and_unique(c)
    monkeypatch.setattr(voc, "WIDE_MAX_SOURCES", 2)  # as with many sources: no count column per source
    monkeypatch.setattr(voc, "LIST_MAX_SOURCES", 2)
    narrow = voc.shared_and_unique(c)
    assert {"x", "y", "z"} & set(narrow.columns) == set() and "x" in wide.columns
    assert narrow.set_index("term").loc["alpha", "sources"] == "(3 sources)"
    assert narrow.set_index("term").loc["delta", "only_source"] == "z"
    a = voc.shared_unique_summary(wide, c).set_index("source")
    b = voc.shared_unique_summary(narrow, c).set_index("source")
    pd.testing.assert_frame_equal(a, b)
    assert b.loc["z", "top_unique"] == "delta" and b.loc["x", "n_types"] == 2
    with pytest.raises(FramelensError, match="pass the corpus"):
        voc.shared_unique_summary(narrow)


# ------------------------------------------------------------------ naming and collocations: map / reduce

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """100 generated articles from 6 outlets (distinct sentences), as the benchmark makes them."""
    import warnings

    import framelens as fl
    from benchmarks.bench import generate_corpus

    path = tmp_path_factory.mktemp("gen") / "c.jsonl"
    generate_corpus(path, 100, n_sources=6, seed=3, months=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fl.load_corpus(path)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_naming_and_collocation_tables_are_equal_for_any_partitioning(generated):
    """Each table is a map over runs of documents (text-free counts) and a reduce: 1, 3 and 16
    partitions give the same table as the whole-corpus function."""
    from framelens.tables.mapreduce import split_corpus

    c = generated
    src, lab = c.sources, c.labels
    loose = {"weighting": "ppmi", "min_similarity": 0.1, "top": None}
    whole = {"pairs": voc.naming_pairs(c), "pairs_loose": voc.naming_pairs(c, **loose),
             "variants": voc.variant_candidates(c), "variants_wide": voc.variant_candidates(c, wide=True),
             "collocations": voc.collocations(c), "collocations_pooled": voc.collocations(c, by_source=False, top=5)}
    whole["naming"] = voc.naming_choices(c, pairs=whole["pairs_loose"])
    assert len(whole["pairs_loose"]) >= 5 and (whole["naming"]["group"] == "found in the corpus").any()
    ref = voc.naming_referents(None, whole["pairs_loose"])
    for k in (1, 3, 16):
        pieces = split_corpus(c, k)
        assert len(pieces) == k
        pc = [voc.naming_pair_counts(p) for p in pieces]
        vc = [voc.variant_counts(p) for p in pieces]
        got = {"pairs": voc.naming_pairs_from_counts(pc, src, lab), "pairs_loose": voc.naming_pairs_from_counts(pc, src, lab, **loose),
               "variants": voc.variant_candidates_from_counts(vc, src, lab),
               "variants_wide": voc.variant_candidates_from_counts(vc, src, lab, wide=True),
               "collocations": voc.collocations_from_counts([voc.collocation_counts(p) for p in pieces], src, lab),
               "collocations_pooled": voc.collocations_from_counts(
                   [voc.collocation_counts(p, by_source=False) for p in pieces], ["all"], {"all": "all sources"}, top=5),
               "naming": voc.naming_choices_from_counts([voc.naming_counts(p, ref) for p in pieces], ref, src, lab)}
        for name, df in whole.items():
            pd.testing.assert_frame_equal(got[name], df, obj=f"{name} (k={k})")


def test_naming_and_collocation_counts_add_up_across_partitions(tmp_path):
    from framelens.tables.mapreduce import split_corpus

    c = _naming_corpus(tmp_path)
    pieces = split_corpus(c, 4)  # one article each: red1, red2, blue1, blue2
    pc = [voc.naming_pair_counts(p) for p in pieces]
    units = pd.concat([p["naming_units"] for p in pc])
    # "vaccine mandate": 3 times in red1, 2 in red2 (5, as the whole-corpus test counts), never with the other name
    assert units[units["unit"] == "vaccine mandate"]["count"].tolist() == [3, 2]
    together = pd.concat([p["naming_together"] for p in pc])
    assert not ((together["unit_a"] == "vaccine mandate") & (together["unit_b"] == "vaccine requirement")).any()
    for p in pc:
        assert not {"text", "norm"} & {col for df in p.values() for col in df.columns}
    pairs = voc.naming_pairs_from_counts(pc, c.sources, c.labels)
    pd.testing.assert_frame_equal(pairs, voc.naming_pairs(c, min_count=3))
    assert pairs.loc[0, "g2"] == pytest.approx(20 * math.log(2))
    col = pd.concat([voc.collocation_counts(p) for p in pieces])
    vm = col[(col["w1"] == "vaccine") & (col["w2"] == "mandate")]
    assert vm["count"].tolist() == [3, 2] and vm["n_docs"].tolist() == [1, 1]
    merged = voc.collocations_from_counts([voc.collocation_counts(p) for p in pieces], c.sources, c.labels, min_count=1)
    row = merged[(merged["source"] == "red") & (merged["collocation"] == "vaccine mandate")].iloc[0]
    assert (row["count"], row["n_docs"], row["example_sent_ids"]) == (5, 2, "red1:s0; red1:s1; red1:s2")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_builds_the_naming_tables_from_its_partitions(tmp_path, monkeypatch):
    from framelens.store import ingest
    from framelens.store import parts
    from framelens.store import lens_store as store

    c = _naming_corpus(tmp_path)
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 1)
    lens = store.LensStore(tmp_path / "st", c.path)
    T = lens.part("vocabulary", collocation_min_count=1)
    assert len(lens.partitions()) == 4 and lens._loaded is None  # the whole corpus was never loaded
    opts = parts.resolve_options("vocabulary", {"collocation_min_count": 1})
    whole, _ = parts.PARTS["vocabulary"].compute(c, {k: opts[k] for k in parts.PARTS["vocabulary"].all_options()}, {})
    for name in ("naming_pairs", "naming", "variant_candidates", "variant_candidates_wide", "collocations"):
        pd.testing.assert_frame_equal(T[name], whole[name], obj=name, check_dtype=False)
    assert len(T["naming_pairs"]) == 1


def test_kwic_in_parts_equals_kwic_on_the_whole_and_caps_per_source(seed_corpus):
    """The concordance read one partition at a time (as report 02 reads the store) is the whole
    corpus's, line for line; ``per_source`` keeps the first n lines of each term and source."""
    from framelens.store import parts

    terms = ["Kazakhstan", "China"]
    whole = voc.kwic(seed_corpus, terms)
    pieces = parts.split_corpus(seed_corpus, 3)
    assert len(pieces) == 3
    pd.testing.assert_frame_equal(voc.kwic(iter(pieces), terms), whole)
    capped = voc.kwic(iter(pieces), terms, per_source=2)
    expected = whole[whole.groupby(["term", "source"]).cumcount() < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(capped, expected)
    assert capped.groupby(["term", "source"]).size().max() == 2 < whole.groupby(["term", "source"]).size().max()
    pd.testing.assert_frame_equal(voc.kwic(seed_corpus, terms, per_source=2), expected)


def test_kwic_literal_pre_test_gives_the_lines_of_the_pattern_alone(monkeypatch, seed_corpus):
    """The concordance searches with each term's pattern only the sentences holding a literal of
    it (case folded as Python's re does, e.g. the dotted capital I, the long s): the same lines as
    searching every sentence, ignoring case or not."""
    c = make_corpus([
        ("a", "s1", "ISTANBUL and İstanbul grew. The ſtate of Istanbul's co–operation with Beijing-based firms."),
        ("b", "s2", "CO-OPERATION in the EU’s plan; the eu and the EU. A naïve NAÏVE view of \u212aelvin scales."),
        ("c", "s1", "Nothing to see. State, state, STATE."),
    ])
    terms = ["istanbul", "state", "co-operation", "beijing", "EU", "the eu", "naïve", "kelvin", "Istanbul"]
    fast = {cs: voc.kwic(c, terms, case_sensitive=cs) for cs in (False, True)}
    seeds_fast = voc.kwic(seed_corpus, ["china", "Kazakhstan", "belt and road", "co-operation"])
    monkeypatch.setattr(voc, "_kwic_key", lambda term, case_sensitive=False: None)  # search every sentence
    for cs in (False, True):
        pd.testing.assert_frame_equal(fast[cs], voc.kwic(c, terms, case_sensitive=cs))
    pd.testing.assert_frame_equal(seeds_fast, voc.kwic(seed_corpus, ["china", "Kazakhstan", "belt and road", "co-operation"]))
    assert len(fast[False]) > len(fast[True]) > 0 and len(seeds_fast) > 10
    assert set(fast[False]["match"]) >= {"İstanbul", "ſtate", "STATE", "EU", "\u212aelvin"}


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_term_counts_folded_partition_by_partition_give_the_same_tables(generated, monkeypatch):
    """The reduce merges the (unit, term) and (unit, bigram) counts into a running table as the
    partitions come (Reduction.folded): merging after every partition gives the tables of one merge."""
    from framelens.store import parts
    from framelens.tables import mapreduce

    opts = parts.resolve_options("vocabulary", {})
    once, _ = parts.compute_part("vocabulary", generated, opts, {}, partitions=16)
    monkeypatch.setattr(mapreduce, "FOLD_ROWS", 1)  # a merge after every partition
    folded, _ = parts.compute_part("vocabulary", generated, opts, {}, partitions=16)
    whole, _ = parts.compute_part("vocabulary", generated, opts, {}, partitions=1)
    for name in once:
        pd.testing.assert_frame_equal(folded[name], once[name], obj=name)
        pd.testing.assert_frame_equal(whole[name], once[name], obj=name)


def test_bigram_codes_follow_first_appearance_in_the_corpus():
    """Bigrams are numbered as the partitions come, each partition's new ones in their order of first
    appearance there ("order"), whatever the order of its rows; a bigram seen before keeps its code."""
    from framelens.text.tokens import grow_codes

    words = pd.Index([], dtype="str")
    codes, words = grow_codes(voc._in_first_order(pd.Series(["b c", "a b", "b c"]), np.array([1, 0, 1])), words)
    assert codes.tolist() == [1, 0, 1]
    codes, words = grow_codes(voc._in_first_order(pd.Series(["x y", "b c", "w z"]), np.array([5, 0, 2])), words)
    assert codes.tolist() == [3, 1, 2] and list(words) == ["a b", "b c", "w z", "x y"]
    codes, words = grow_codes(voc._in_first_order(pd.Series(["a b"]), np.array([0])), words)
    assert codes.tolist() == [0] and len(words) == 4


def test_merge_pair_counts_and_group_sums_by_hand():
    # (unit, pair, count, n_docs, first occurrence): (0, 5) seen in both pieces, (1, 5) and (0, 7) once
    a = (np.array([0, 1, 0]), np.array([5, 5, 7]), np.array([1, 2, 3]), np.array([1, 1, 1]), np.array([0, 1, 2]))
    b = (np.array([0]), np.array([5]), np.array([4]), np.array([2]), np.array([10]))
    s, pair, cnt, nd, first = voc._merge_pair_counts([a, b])
    assert s.tolist() == [0, 1, 0] and pair.tolist() == [5, 5, 7]  # by pair, then unit
    assert cnt.tolist() == [5, 2, 3] and nd.tolist() == [3, 1, 1] and first.tolist() == [0, 1, 2]
    # each row's total over the rows of its key: keys 4, 9, 4, 4 → 1 + 3 + 6, 2
    assert voc._group_sums(np.array([4, 9, 4, 4]), np.array([1, 2, 3, 6])).tolist() == [10.0, 2.0, 10.0, 10.0]
