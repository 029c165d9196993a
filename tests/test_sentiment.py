"""Known-answer tests for the sentiment lens (framelens.lenses.sentiment, framelens.report.plots.sentiment)."""

from __future__ import annotations


import math

import numpy as np
import pandas as pd
import pytest

from framelens.lenses import sentiment as st
from framelens.errors import FramelensError


# --------------------------------------------------------------------------- scoring

def test_negation_and_intensifiers_move_both_methods():
    s = st.score_texts(["good", "not good", "very good"])
    for col in ("vader_compound", "textblob_polarity"):
        good, not_good, very_good = s[col]
        assert not_good < 0 < good, col
        assert very_good > good, col
    # published lexicon values: VADER 'good' = 1.9 -> compound 0.4404; Pattern 'good' = 0.7, 'not good' = -0.35
    assert s["vader_compound"][0] == pytest.approx(0.4404)
    assert s["textblob_polarity"][0] == pytest.approx(0.7)
    assert s["textblob_polarity"][1] == pytest.approx(-0.35)
    assert s["textblob_polarity"][2] == pytest.approx(0.91)


def test_score_texts_aligned_deduplicated_and_empty():
    s = st.score_texts(["The deal is good.", "", "A terrible failure.", "The deal is good.", None])
    assert list(s.columns) == st.SCORE_COLUMNS
    assert len(s) == 5
    assert s.iloc[0].tolist() == s.iloc[3].tolist()
    assert s.iloc[1].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert s.iloc[4].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert s["vader_compound"][2] < -0.05
    assert st.score_texts([]).shape == (0, 6)


@pytest.mark.notebook  # starts a process (make test-fast skips it)
def test_process_pool_gives_same_scores():
    texts = [f"Sentence {i} is {'good' if i % 2 else 'awful'} news." for i in range(40)]
    one = st.score_texts(texts, workers=1)
    two = st.score_texts(texts, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_tone_thresholds():
    assert [st.tone(x) for x in (0.05, 0.0499, -0.0499, -0.05, float("nan"))] == [
        "positive", "neutral", "neutral", "negative", "neutral"]


# ------------------------------------------------------------------------ aggregation

def _hand_scores() -> pd.DataFrame:
    return pd.DataFrame({
        "sent_id": [f"d{i}" for i in range(7)],
        "doc_id": ["a1", "a1", "a2", "a2", "b1", "b1", "b1"],
        "para_id": ["a1:p0", "a1:p0", "a2:p0", "a2:p1", "b1:p0", "b1:p0", "b1:p1"],
        "source": ["A", "A", "A", "A", "B", "B", "B"],
        "label": ["Outlet A"] * 4 + ["Outlet B"] * 3,
        "text": ["s0", "s1", "s2", "s3", "s4", "s5", "s6"],
        "position": [0.0, 1.0, 0.0, 1.0, 0.0, 0.5, 1.0],
        "vader_compound": [0.5, -0.5, 0.0, 0.05, -0.05, -0.3, 0.6],
        "textblob_polarity": [0.2, 0.0, 0.0, 0.1, -0.4, 0.0, 0.3],
        "textblob_subjectivity": [0.4, 0.0, 0.2, 0.6, 1.0, 0.0, 0.5],
    })


def test_aggregate_by_source_hand_computed():
    agg = st.aggregate(_hand_scores()).set_index("source")
    a, b = agg.loc["A"], agg.loc["B"]
    assert a["label"] == "Outlet A" and a["n"] == 4 and b["n"] == 3
    assert a["vader_mean"] == pytest.approx(0.0125)            # (0.5 - 0.5 + 0 + 0.05) / 4
    assert a["vader_share_pos"] == pytest.approx(0.5)          # 0.5 and 0.05 (threshold inclusive)
    assert a["vader_share_neg"] == pytest.approx(0.25)
    assert a["vader_share_neu"] == pytest.approx(0.25)
    assert b["vader_mean"] == pytest.approx((-0.05 - 0.3 + 0.6) / 3)
    assert b["vader_share_neg"] == pytest.approx(2 / 3)        # -0.05 counts as negative
    assert a["textblob_mean"] == pytest.approx(0.075)
    assert a["textblob_share_pos"] == pytest.approx(0.5)
    assert b["textblob_share_neu"] == pytest.approx(1 / 3)
    assert b["subjectivity_mean"] == pytest.approx(0.5)


def test_aggregate_by_doc_and_paragraph():
    d = st.aggregate(_hand_scores(), by=("doc_id",)).set_index("doc_id")
    assert d.loc["a2", "vader_mean"] == pytest.approx(0.025)
    assert d.loc["b1", "n"] == 3
    p = st.aggregate(_hand_scores(), by="para_id").set_index("para_id")
    assert p.loc["a1:p0", "vader_mean"] == pytest.approx(0.0)
    assert p.loc["b1:p1", "vader_share_pos"] == 1.0
    with pytest.raises(FramelensError):
        st.aggregate(_hand_scores(), by="nope")


def test_source_intervals_reproducible_and_contain_mean():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"source": ["A"] * 30 + ["B"] * 20, "label": ["A"] * 30 + ["B"] * 20,
                       "vader_compound": np.r_[rng.normal(0.3, 0.2, 30), rng.normal(-0.1, 0.2, 20)]})
    one = st.source_intervals(df, n_resamples=500, seed=3)
    two = st.source_intervals(df, n_resamples=500, seed=3)
    pd.testing.assert_frame_equal(one, two)
    for r in one.itertuples():
        assert r.ci_low < r.mean < r.ci_high
    assert one.set_index("source").loc["A", "mean"] == pytest.approx(df["vader_compound"][:30].mean())
    assert one["n"].tolist() == [30, 20]


def test_pairwise_tests_known_p_values_and_verdicts():
    same = pd.DataFrame({"source": ["A"] * 3 + ["B"] * 3, "vader_compound": [0.1, 0.2, 0.3] * 2})
    t = st.pairwise_tests(same, n_permutations=100)
    assert t["p"].iloc[0] == pytest.approx(1.0)
    assert t["verdict"].iloc[0].startswith("cannot tell apart")
    # fully separated: of the C(6,3) = 20 relabellings only the observed one and its mirror
    # reach |diff| = 3 -> exact two-sided p = 2/20
    sep = pd.DataFrame({"source": ["A"] * 3 + ["B"] * 3, "vader_compound": [1, 2, 3, 4, 5, 6]})
    t = st.pairwise_tests(sep, n_permutations=100)
    assert t["diff"].iloc[0] == pytest.approx(-3.0)
    assert t["p"].iloc[0] == pytest.approx(0.1)
    assert "too few sentences" in t["verdict"].iloc[0]
    big = pd.DataFrame({"source": ["A"] * 12 + ["B"] * 12, "label": ["Alpha"] * 12 + ["Beta"] * 12,
                        "vader_compound": [0.5 + 0.01 * i for i in range(12)] + [-0.5 - 0.01 * i for i in range(12)]})
    t = st.pairwise_tests(big, n_permutations=999, seed=0)
    assert t["p"].iloc[0] == pytest.approx(1 / 1000)             # Monte Carlo floor (count + 1)/(n + 1)
    assert t["verdict"].iloc[0].startswith("Alpha more positive than Beta")
    assert st.pairwise_tests(big[big.source == "A"]).empty      # one source: nothing to compare


def test_method_agreement_and_disagreements():
    df = pd.DataFrame({"sent_id": list("abcdef"), "source": ["A"] * 3 + ["B"] * 3, "text": list("abcdef"),
                       "vader_compound": [0.1, 0.2, 0.3, 0.1, 0.2, 0.9],
                       "textblob_polarity": [0.2, 0.4, 0.6, 0.3, 0.2, 0.1]})
    m = st.method_agreement(df).set_index("source")
    assert m.loc["A", "pearson"] == pytest.approx(1.0)
    assert m.loc["A", "spearman"] == pytest.approx(1.0)
    assert m.loc["B", "spearman"] == pytest.approx(-1.0)
    assert m.loc["all", "n"] == 6
    assert m.loc["A", "same_label_share"] == pytest.approx(1.0)
    d = st.disagreements(df, top=2)
    assert d["sent_id"].iloc[0] == "f"                           # highest VADER, lowest TextBlob
    assert d["gap"].iloc[0] > 0 and len(d) == 2


def test_largest_positions_are_a_stable_descending_sort_cut():
    v = np.array([1.0, 3.0, 3.0, np.nan, 2.0, 3.0])
    assert st._largest(v, 2).tolist() == [1, 2]          # ties in table order
    assert st._largest(v, 4).tolist() == [1, 2, 5, 4]
    assert st._largest(v, 10).tolist() == [1, 2, 5, 4, 0, 3]  # NaN last
    assert st._largest(v, 0).tolist() == []


def test_disagreements_are_the_first_rows_of_a_stable_sort_by_gap(seed_scores):
    # the gap of every sentence, then a stable sort of the whole table (what the function did
    # before it picked the rows without sorting), on the seeds with many tied gaps
    df = seed_scores.drop(columns=["text"]).assign(vader_compound=lambda d: d["vader_compound"].round(1),
                                                   textblob_polarity=lambda d: d["textblob_polarity"].round(1))
    full = df.assign(gap=st._z(df["vader_compound"]) - st._z(df["textblob_polarity"]))
    full = full.assign(_abs=full["gap"].abs()).sort_values("_abs", ascending=False, kind="stable")
    for top in (1, 10, 37):
        want = full.head(top)[["sent_id", "source", "label", "vader_compound", "textblob_polarity", "gap"]]
        pd.testing.assert_frame_equal(st.disagreements(df, top=top), want.reset_index(drop=True))
    assert full["_abs"].head(40).duplicated().sum() > 5  # the ties are there


def test_arc_bins_and_smoothing_hand_computed():
    df = pd.DataFrame({"source": ["A"] * 5, "position": [0.0, 0.25, 0.5, 0.75, 1.0],
                       "vader_compound": [0.1, 0.3, -0.2, 0.0, 0.5]})
    a = st.arc(df, bins=2, smooth=1)
    assert a["n"].tolist() == [2, 3]                             # 1.0 falls in the last bin
    assert a["mean"].tolist() == pytest.approx([0.2, 0.1])
    assert a["smoothed"].tolist() == pytest.approx([0.2, 0.1])
    assert a["position"].tolist() == [0.25, 0.75]
    a4 = st.arc(df, bins=4, smooth=3)                           # bins: [.1], [.3], [-.2], [0, .5]
    assert a4["n"].tolist() == [1, 1, 1, 2]
    assert a4["smoothed"].tolist() == pytest.approx([0.2, 0.2 / 3, 0.6 / 4, 0.3 / 3])


def test_extremes_only_right_sign():
    df = _hand_scores()
    e = st.extremes(df, top=1)
    a = e[e.source == "A"].set_index("kind")
    assert a.loc["most positive", "sent_id"] == "d0" and a.loc["most negative", "sent_id"] == "d1"
    b = e[e.source == "B"].set_index("kind")
    assert b.loc["most negative", "sent_id"] == "d5"
    only_pos = df.assign(vader_compound=df["vader_compound"].abs())
    assert (st.extremes(only_pos, top=2)["kind"] == "most positive").all()


def test_subjectivity_table_and_evidence():
    t = st.subjectivity(_hand_scores(), top=1, n_resamples=200).set_index("source")
    assert t.loc["A", "mean"] == pytest.approx(0.3)
    assert t.loc["A", "share_subjective"] == pytest.approx(0.25)   # only 0.6 > 0.5
    assert t.loc["B", "evidence"] == "d4"


def test_headline_from_tables():
    iv = pd.DataFrame({"source": ["a", "b"], "label": ["Alpha", "Beta"], "method": ["VADER compound"] * 2,
                       "n": [12, 8], "mean": [0.30, -0.10], "ci_low": [0.2, -0.3], "ci_high": [0.4, 0.1]})
    tests = pd.DataFrame({"verdict": ["cannot tell apart (too few sentences: n = 12 and 8)"]})
    h = st.headline({"intervals": iv, "pairwise": tests})
    assert h.startswith("Mean sentence tone (VADER compound) ranges from -0.10 for Beta")
    assert "+0.30 for Alpha" in h and "no pair of the 2 sources can be told apart" in h
    assert "needs at least two sources" in st.headline({"intervals": iv.iloc[:1]})


# --------------------------------------------------------------- target sentiment

@pytest.mark.parametrize("method", ["news", "vader"])
def test_china_praised_russia_condemned(method):
    s = "China praised the deal but Russia condemned it"
    china = st.target_sentiment(s, 0, 5, others=[(27, 33)], method=method)
    russia = st.target_sentiment(s, 27, 33, others=[(0, 5)], method=method)
    assert china[1] == "positive" and china[0] > 0.05
    assert russia[1] == "negative" and russia[0] < -0.05
    # same answer when the other mention is found with the packaged actor table
    assert st.target_sentiment(s, 0, 5, method=method) == china


@pytest.mark.parametrize("sentence, alias, context, label", [
    ("China praised the deal and Russia condemned it.", "Russia", "condemned it.", "negative"),
    ("China praised the deal and Russia condemned it.", "China", "praised the deal and", "positive"),
    ("Although Russia has criticized the project, Kazakhstan welcomed it warmly.", "Russia",
     "has criticized the project", "negative"),
    ("Although Russia has criticized the project, Kazakhstan welcomed it warmly.", "Kazakhstan",
     "welcomed it warmly.", "positive"),
    ("Washington warned of serious risks, while Beijing hailed a new era of cooperation.", "Washington",
     "warned of serious risks", "negative"),
    ("The EU's sanctions have hurt trade; China's investment has boosted growth.", "EU",
     "The sanctions have hurt trade", "negative"),
    ("The EU's sanctions have hurt trade; China's investment has boosted growth.", "China",
     "investment has boosted growth.", "positive"),
    ("China praised the deal despite Russia's angry objections.", "Russia", "angry objections.", "negative"),
    ("China and Russia praised the deal.", "China", "and praised the deal.", "positive"),   # shared predicate
    ("Kazakhstan thanked China.", "China", "thanked .", "positive"),                       # object of praise
    ("The summit, which critics called a failure, was attended by Xi.", "Xi", "was attended by .", "neutral"),
])
def test_target_windows(sentence, alias, context, label):
    start = sentence.index(alias)
    end = start + len(alias)
    assert st.target_context(sentence, start, end) == context
    assert st.target_sentiment(sentence, start, end, method="vader")[1] == label


def test_target_excludes_alias_words_and_window_scope():
    # 'Joy' would be positive if the name were scored; with no other words the score is 0
    s = "Joy Smith arrived."
    assert st.target_sentiment(s, 0, 9, method="vader", others=[])[0] == 0.0
    s = "Officials said the excellent new railway links Kazakhstan with ports in the east, a ruinous idea."
    k = s.index("Kazakhstan")
    w = st.target_context(s, k, k + 10, others=[], scope="window", window=2)
    assert w == "railway links with ports"
    assert st.target_sentiment(s, k, k + 10, method="textblob", others=[])[1] == "positive"  # clause
    with pytest.raises(FramelensError):
        st.target_sentiment(s, 5, 500)
    with pytest.raises(FramelensError):
        st.target_sentiment(s, 0, 3, method="bert")


def test_alias_possessives_found_and_removed():
    from framelens.lenses.actors import find_mentions_in_text

    s = "China's loans and Kazakhstan’s reforms were praised, CHINA'S critics said."
    hits = find_mentions_in_text(s)
    assert [(a, s[b:e]) for a, b, e in hits] == [("China", "China"), ("Kazakhstan", "Kazakhstan"), ("China", "CHINA")]
    for _a, b, e in hits:
        ctx = st.target_context(s, b, e)
        assert "'s" not in ctx and "’s" not in ctx and "China" not in ctx
    from framelens.lenses.actors import find_mentions

    table = find_mentions(pd.DataFrame({"sent_id": ["x:s0"], "doc_id": ["x"], "source": ["x"], "text": [s]}))
    assert table["actor"].tolist() == ["China", "Kazakhstan", "China"]
    assert table["possessive"].tolist() == [True, True, True]
    assert st.target_context(s, 0, 5) == "loans and"
    k = s.index("Kazakhstan")
    # scored words "reforms were praised": VADER praised = 2.2 -> compound 2.2 / sqrt(2.2**2 + 15) = 0.4939
    assert st.target_sentiment(s, k, k + 10, method="vader") == (pytest.approx(0.4939), "positive")


# ---------------------------------------------------------------- seeds end to end

@pytest.fixture(scope="module")
def seed_scores(seed_corpus):
    return st.sentence_scores(seed_corpus)


def test_sentence_scores_cover_every_sentence(seed_corpus, seed_scores):
    assert seed_scores["sent_id"].tolist() == seed_corpus.sentences["sent_id"].tolist()
    assert list(seed_scores.columns) == st.SENTENCE_COLUMNS
    assert seed_scores["vader_compound"].between(-1, 1).all()
    assert seed_scores["textblob_subjectivity"].between(0, 1).all()
    one = seed_corpus.sentences.iloc[0]
    direct = st.score_texts([one["norm"]])
    assert seed_scores["vader_compound"].iloc[0] == direct["vader_compound"][0]
    agg = st.aggregate(seed_scores)
    assert agg["n"].sum() == len(seed_corpus.sentences)
    assert set(agg["source"]) == set(seed_corpus.sources)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_actor_sentiment_on_seeds(seed_corpus):
    from framelens.lenses.actors import find_mentions, resolve

    res = st.actor_sentiment(seed_corpus, n_resamples=200)
    m, t = res.mentions, res.table
    assert len(m) == len(find_mentions(seed_corpus.sentences, resolve(seed_corpus)))
    assert t["n"].sum() == len(m)
    assert m["vader"].between(-1, 1).all()
    china = t[t.actor == "China"]
    assert set(china["source"]) == set(seed_corpus.sources)       # every seed article speaks of China
    assert ((t["ci_low"] <= t["mean"] + 1e-12) & (t["mean"] <= t["ci_high"] + 1e-12)).all()
    ids = set(seed_corpus.sentences["sent_id"])
    assert all(i in ids for ev in t["evidence"] for i in ev.split(";"))
    # the mention's own words are never part of what is scored
    for alias, ctx in zip(m["alias"], m["context"]):
        assert f" {alias} " not in f" {ctx} "


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_figures_build(seed_scores):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from framelens.report.plots import sentiment as sp

    iv = st.source_intervals(seed_scores, n_resamples=100)
    figs = [sp.distribution(seed_scores, iv), sp.arc(st.arc(seed_scores)), sp.method_scatter(seed_scores)]
    table = pd.DataFrame({"source": ["a", "a", "b"], "label": ["A", "A", "B"], "actor": ["X", "Y", "X"],
                          "n": [5, 1, 4], "mean": [0.4, -0.2, 0.1]})
    hm = sp.actor_heatmap(table, min_n=3)
    hatched = [p for p in hm.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1                                       # only the n = 1 cell
    texts = {t.get_text() for t in hm.axes[0].texts}
    assert {"+0.40\nn=5", "-0.20\nn=1", "+0.10\nn=4"} <= texts
    for f in figs + [hm]:
        assert f.axes[0].get_title()
        plt.close(f)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_report_03_reads_only_the_columns_it_shows(seed_scores):
    """What report 03 computes and draws from the sentence table is the same from its SHOWN_COLUMNS
    alone as from the whole table (the figures compared as the PNG bytes they are saved as)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from framelens.report.plots import sentiment as sp

    full = seed_scores.drop(columns=["text"])
    shown = full[st.SHOWN_COLUMNS]
    assert len(shown.columns) < len(full.columns) - 5
    for f in (lambda d: st.extremes(d, top=2), st.most_subjective, lambda d: st.disagreements(d, top=10)):
        pd.testing.assert_frame_equal(f(shown), f(full))
    assert len(st.extremes(shown, top=2)) >= 8 and len(st.disagreements(shown, top=10)) == 10

    def png(draw, d) -> bytes:
        fig = draw(d)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()

    iv = st.source_intervals(full, n_resamples=50)
    for draw in (lambda d: sp.distribution(d, iv), sp.method_scatter):
        assert png(draw, shown) == png(draw, full)


# ------------------------------------------------------------------------- notebook

@pytest.mark.notebook
def test_notebook_03_on_mini_fixture(tmp_path, mini_dir):
    import json

    import nbformat
    from framelens.run.runner import execute_notebook
    from nbconvert import HTMLExporter

    root = mini_dir.parents[2]
    out = tmp_path / "out"
    executed = tmp_path / "03.ipynb"
    execute_notebook(str(root / "notebooks" / "03_sentiment.ipynb"), str(executed),
                        parameters={"corpus": str(mini_dir), "output_dir": str(out), "n_resamples": 200,
                                    "n_permutations": 200},
                        cwd=root / "notebooks")
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    # the critical opinion piece is the most negative, the promotional report the most positive
    iv = pd.read_csv(out / "tables" / "sentiment_intervals.csv").set_index("label")
    assert iv.loc["Beta Review", "mean"] < iv.loc["Alpha Daily", "mean"] < iv.loc["Gamma Wire", "mean"]
    assert iv["n"].tolist() == [4, 4, 4]
    actors = pd.read_csv(out / "tables" / "sentiment_actors.csv")
    russia = actors[actors.actor == "Russia"]
    assert russia["label"].tolist() == ["Beta Review"] and russia["mean"].iloc[0] < -0.05
    headline = json.loads((out / "findings" / "03_sentiment.json").read_text())["headline"]
    assert headline.startswith("Mean sentence tone (VADER compound) ranges from -0.47 for Beta Review")
    assert "too few sentences" in html                              # n = 4 per source: verdicts say so
    assert "Hutto &amp; Gilbert 2014" in html and "De Smedt &amp; Daelemans 2012" in html
    assert "condemned the agreement as a threat to regional stability" in html   # evidence shown
    for name in ("sentiment_by_source", "sentiment_actors", "sentiment_arc", "sentiment_methods"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5000


@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_scoring_needs_no_nltk_or_textblob_data(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    code = ("from framelens import sentiment as st; s = st.score_texts(['good', 'not good']);"
            "print(round(s['vader_compound'][0], 4), round(s['textblob_polarity'][1], 2))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0.4404", "-0.35"]


def test_textblob_scores_equal_pattern_analyzer(seed_corpus):
    from textblob.en.sentiments import PatternAnalyzer

    texts = ["not a very good idea!", "It is not bad :-)", "Really really awful (!)", "Great!!!",
             *seed_corpus.sentences["norm"].head(60)]
    ours = st.score_texts(texts)
    pa = PatternAnalyzer()
    expected = [tuple(pa.analyze(t)) for t in texts]
    assert list(zip(ours["textblob_polarity"], ours["textblob_subjectivity"])) == expected


# ---------------------------------------------------------------- news lexicon, rules and model
from framelens.lenses import tone_model as tmod  # noqa: E402
from tools import train_tone_model as train  # noqa: E402


@pytest.mark.parametrize("lemma, pos, forms", [
    ("slam", "verb", ["slam", "slams", "slammed", "slamming"]),
    ("decry", "verb", ["decry", "decries", "decried", "decrying"]),
    ("berate", "verb", ["berate", "berates", "berated", "berating"]),
    ("lie", "verb", ["lie", "lies", "lied", "lying"]),
    ("lose", "verb", ["lose", "loses", "losed", "losing", "lost"]),
    ("credential", "noun", ["credential", "credentials"]),
    ("dismissive", "adj", ["dismissive"]),
])
def test_lexicon_inflections(lemma, pos, forms):
    assert tmod.inflections(lemma, pos) == forms


def test_news_lexicon_covers_the_words_vader_misses():
    lex = tmod.load_lexicon()
    plain = st.vader_analyzer().lexicon
    for w, sign in [("blasted", -1), ("colluded", -1), ("gaffe", -1), ("dismissive", -1), ("principled", 1),
                    ("touted", 1), ("credentials", 1), ("slammed", -1), ("hailed", 1)]:
        assert np.sign(lex.valence[w]) == sign, w
    assert "blasted" not in plain and "gaffe" not in plain and "principled" not in plain
    assert lex.role["blasted"] == -2.0 and lex.role["praised"] == 2.0 and "gaffe" not in lex.role
    t = lex.table()
    assert set(t["list"]) >= {"attack_verbs", "praise_verbs", "scandal_nouns", "merit_nouns",
                              "negative_adjectives", "positive_adjectives"}
    # the news analyzer is VADER plus these words
    assert tmod.news_vader().lexicon["gaffe"] == lex.valence["gaffe"]


@pytest.mark.parametrize("body, line, why", [
    ('[a]\npos = "verb"\nvalence = -2\nwords = ["slam"]\ncolour = 1\n', 5, "unknown key 'colour'"),
    ('[a]\npos = "verb"\nwords = ["slam"]\n', 1, "missing 'valence'"),
    ('[a]\npos = "adverb"\nvalence = 1\nwords = ["x"]\n', 2, "pos must be one of"),
    ('[a]\npos = "verb"\nvalence = 9\nwords = ["slam"]\n', 3, "valence must be a number from -4 to 4"),
    ('[a]\npos = "verb"\nvalence = 1\nwords = ["slam", "Bad Word"]\n', 4, "bad word 'Bad Word'"),
    ('[a]\npos = "verb"\nvalence = 1\nwords = ["slam", "slam"]\n', 4, "'slam' is listed twice"),
    ('[a]\npos = "verb"\nvalence = 1\nwords = ["slam"]\n[a.override]\nhail = 2\n', 6, "'hail' is not a word of [a]"),
    ('[a]\npos = "verb"\nvalence = 1\nrole = "subject"\nwords = ["slam"]\n', 4, "role must be"),
])
def test_lexicon_errors_name_file_and_line(tmp_path, body, line, why):
    p = tmp_path / f"lex{abs(hash(body)) % 10000}.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(FramelensError) as e:
        tmod.load_lexicon(p)
    assert str(e.value).startswith(f"{p}:{line}: "), str(e.value)
    assert why in str(e.value)


@pytest.mark.parametrize("sentence, target, roles", [
    ("Senator Hale blasted Governor Ruiz over the budget.", "Ruiz", (-1.0, 0.0)),      # object of an attack verb
    ("Senator Hale blasted Governor Ruiz over the budget.", "Hale", (0.0, -1.0)),      # its subject
    ("Ruiz was widely praised for the reform.", "Ruiz", (1.0, 0.0)),                   # passive subject = object
    ("Ruiz was praised by Hale.", "Hale", (0.0, 1.0)),                                 # by-agent
    ("Hale did not criticize Ruiz.", "Ruiz", (-2.0 * -0.74 / 2, 0.0)),                 # negated: × -0.74
    ("The criticism of Ruiz grew.", "Ruiz", (0.0, 0.0)),                               # a noun, not in the role list
])
def test_verb_roles(sentence, target, roles):
    a = sentence.index(target)
    obj, agent = tmod.verb_roles(sentence, a, a + len(target))
    assert (obj / 2, agent / 2) == (pytest.approx(roles[0]), pytest.approx(roles[1]))


@pytest.mark.parametrize("sentence, target, speech", [
    ("Ruiz said the plan is a disaster.", "Ruiz", "the plan is a disaster."),
    ('"The plan is a disaster," Ruiz said.', "Ruiz", '"The plan is a disaster,"'),
    ("The plan is a disaster, according to Ruiz.", "Ruiz", "The plan is a disaster,"),
    ("Hale said Ruiz is a disaster.", "Ruiz", None),                                   # Ruiz is talked about
    ("Ruiz's aide said the plan failed.", "Ruiz", None),                               # the aide speaks
])
def test_own_speech(sentence, target, speech):
    a = sentence.index(target)
    got = tmod.own_speech(sentence, a, a + len(target))
    assert (sentence[got[0]:got[1]] if got else None) == speech


def test_negation_scope_runs_to_the_end_of_the_clause():
    praise = tmod.load_lexicon().valence["praised"]
    # VADER looks back three words; the scope here reaches "praised" six words after "never"
    assert tmod.scoped_valence("never once in the whole campaign praised the mayor") == (0.0, pytest.approx(-0.74 * praise))
    # a comma or "but" ends the scope
    assert tmod.scoped_valence("not now, but praised later") == (pytest.approx(praise), 0.0)
    assert tmod.scoped_valence("praised") == (pytest.approx(praise), 0.0)


@pytest.mark.parametrize("sentence, target, label", [
    ("Senator Hale blasted Governor Ruiz over the failed budget.", "Ruiz", "negative"),
    ("Governor Ruiz was praised for her principled stand on the budget.", "Ruiz", "positive"),
    ("Governor Ruiz said the plan is a disaster for the city.", "Ruiz", "neutral"),  # her words, not about her
    ("Governor Ruiz will visit the factory on Tuesday.", "Ruiz", "neutral"),
    ("The dismissive governor, Ruiz, made another gaffe.", "Ruiz", "negative"),
])
def test_news_target_sentiment_known_answers(sentence, target, label):
    a = sentence.index(target)
    score, got = st.target_sentiment(sentence, a, a + len(target), others=[])
    assert got == label
    assert -1 <= score <= 1 and (score > 0) == (label == "positive") or label == "neutral"


def test_news_model_file_and_probabilities(tmp_path):
    m = tmod.load_model()
    assert m.features == tmod.FEATURES and m.coef.shape == (3, len(tmod.FEATURES))
    assert m.about["cross_validation"]["grouped_by"] == "article"
    assert m.about["cross_validation"]["macro_f1"]["news model (features + word weights)"] >= 0.60
    x, w = tmod.mention_features("Hale blasted Ruiz.", 13, 17)
    assert x.shape == (len(tmod.FEATURES),) and x[tmod.FEATURES.index("object_tone")] == pytest.approx(-1.0)
    p = m.proba(x[None, :], [w])
    assert p.shape == (1, 3) and p.sum() == pytest.approx(1.0)
    assert m.score(x[None, :], [w])[0] == pytest.approx(p[0, 2] - p[0, 0])
    # weights round-trip through the JSON file
    out = tmp_path / "m.json"
    tmod.save_model(m, out)
    m2 = tmod.load_model(out)
    assert np.allclose(m2.proba(x[None, :], [w]), p, atol=1e-4)
    assert all(k.replace("NOT_", "") in tmod.evaluative_words() for k in m.words)   # no topic words
    bad = tmp_path / "bad.json"
    bad.write_text('{"features": ["x"]}', encoding="utf-8")
    with pytest.raises(FramelensError, match="not a framelens tone model"):
        tmod.load_model(bad)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_fit_and_cross_validation_on_a_small_file(tmp_path):
    # a hand-made NewsMTSC-format file: the pipeline runs, folds keep articles together
    import json

    recs = []
    words = {2.0: "blasted", 4.0: "met", 6.0: "praised"}
    for k in range(60):
        pol = (2.0, 4.0, 6.0)[k % 3]
        s = f"Critics {words[pol]} Ruiz on day {k}."
        recs.append({"primary_gid": f"src_{k // 2}_1_{k}_Ruiz_0_4", "sentence_normalized": s,
                     "targets": [{"Input.gid": f"src_{k // 2}_1_{k}_Ruiz_{s.index('Ruiz')}_{s.index('Ruiz') + 4}",
                                  "from": s.index("Ruiz"), "to": s.index("Ruiz") + 4, "mention": "Ruiz",
                                  "polarity": pol}]})
    p = tmp_path / "train.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    df = train.read_newsmtsc(p)
    assert len(df) == 60 and set(df["target"]) == {"Ruiz"} and df["article"].nunique() == 30
    folds = train.group_folds(df["article"].tolist(), 5, seed=0)
    assert all(len(set(folds[df["article"] == a])) == 1 for a in df["article"].unique())
    cv = train.cross_validate(p, folds=3)
    assert cv["method"].tolist()[-1] == "news model (features + word weights)"
    assert cv["macro_f1"].iloc[-1] == pytest.approx(1.0)                       # the verbs separate the classes
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sentence_normalized": "x"}\n', encoding="utf-8")
    with pytest.raises(FramelensError, match=":1: not a NewsMTSC record"):
        train.read_newsmtsc(bad)


def test_band_calibration_known_answer():
    groups = pd.DataFrame({"gold": ["neutral", "neutral", "positive", "negative"], "mean": [0.1, -0.2, 0.5, -0.6],
                           "n": [2, 2, 2, 2]})
    b, k, t = train.calibrate_band(groups, neutral_share=0.5, grid=(0.0, 0.15, 0.3, 0.7), priors=(0.0, 2.0))
    assert (b, k) == (0.3, 0.0)                          # every group right: accuracy 1, macro-F1 1 (first best)
    t0 = t[t["prior"] == 0.0].set_index("band")
    assert t0.loc[0.3, "accuracy"] == pytest.approx(1.0) and t0.loc[0.0, "accuracy"] == pytest.approx(0.5)
    # prior 2 halves the means (n = 2): 0.25 / -0.3 need the 0.15 band
    t2 = t[t["prior"] == 2.0].set_index("band")
    assert t2.loc[0.15, "accuracy"] == pytest.approx(1.0) and t2.loc[0.3, "accuracy"] == pytest.approx(0.5)


@pytest.mark.parametrize("mean, band, expected", [
    (0.31, 0.3, "positive"), (0.3, 0.3, "neutral"), (-0.31, 0.3, "negative"), (0.1, 0.05, "positive"),
    (float("nan"), 0.3, "neutral"),
])
def test_stance_band(mean, band, expected):
    assert st.stance(mean, band=band) == expected


def test_stance_prior_shrinks_few_mentions():
    # 0.3 from one mention with 3 neutral pseudo-mentions: 0.3 / 4 = 0.075, inside a 0.175 band
    assert st.stance(0.3, n=1, band=0.175, prior=3) == "neutral"
    # the same mean over ten mentions: 0.3 × 10 / 13 = 0.23
    assert st.stance(0.3, n=10, band=0.175, prior=3) == "positive"
    assert st.stance(-0.3, n=10, band=0.175, prior=3) == "negative"
    assert st.stance(0.3, n=1, band=0.175, prior=0) == "positive"


def test_stance_bands_are_calibrated_not_005():
    b = st.stance_bands()
    assert set(b) == {"news", "vader", "textblob"} and all(0.1 <= v <= 0.8 for v in b.values())
    assert b == {k: float(v) for k, v in tmod.load_model().about["stance_band"].items()}
    assert st.stance_priors() == {k: float(v) for k, v in tmod.load_model().about["stance_prior"].items()}


def test_actor_sentiment_news_columns_and_stance(tmp_path):
    from conftest import corpus_from_texts

    corp = corpus_from_texts(tmp_path, {"a": "Critics blasted Kazakhstan over the scandal. Kazakhstan denied wrongdoing. "
                                              "Kazakhstan opened a school."})
    res = st.actor_sentiment(corp, n_resamples=100)
    m, t = res.mentions, res.table
    assert list(m.columns) == st.MENTION_COLUMNS and list(t.columns) == st.ACTOR_COLUMNS
    assert np.allclose(m["p_negative"] + m["p_neutral"] + m["p_positive"], 1.0)
    assert np.allclose(m["score"], m["p_positive"] - m["p_negative"])
    assert m.loc[0, "tone"] == "negative"                                   # object of "blasted"
    row = t.iloc[0]
    assert row["n"] == 3 and row["mean"] == pytest.approx(m["score"].mean())
    assert row["share_neg"] == pytest.approx((m["tone"] == "negative").mean())
    assert row["stance"] == st.stance(row["mean"], n=3)
    assert st.actor_sentiment(corp, n_resamples=100, band=0.0, prior=0.0).table.loc[0, "stance"] == (
        "negative" if row["mean"] < 0 else "positive")
    v = st.actor_sentiment(corp, method="vader", n_resamples=100)
    assert np.allclose(v.mentions["score"], v.mentions["vader"]) and (v.mentions["context"] == m["context"]).all()


# ------------------------------------------------------------------ tone that compares (issue 22)
def test_evidence_stance_hand_computed():
    # n 4, sd 0.2: spread sqrt((3*0.04 + 2*0.33^2) / 5) = 0.2599, half 1.1 * 0.2599 / 2 = 0.143
    lo, hi = tmod.stance_interval(0.5, 4, 0.2, z=1.1)
    assert lo == pytest.approx(0.5 - 0.14296, abs=1e-4) and hi == pytest.approx(0.5 + 0.14296, abs=1e-4)
    assert st.evidence_stance(0.5, 4, 0.2, band=0.025, z=1.1) == "positive"
    assert st.evidence_stance(-0.5, 4, 0.2, band=0.025, z=1.1) == "negative"
    # one mention: spread 0.33, half 0.363 — a mean of 0.1 does not clear the band
    assert st.evidence_stance(0.1, 1, 0.0, band=0.025, z=1.1) == "neutral"
    assert st.evidence_stance(float("nan"), 3, 0.1) == "neutral"
    assert list(st.evidence_stance(np.array([0.5, 0.0]), np.array([4, 4]), np.array([0.2, 0.2]))) == ["positive", "neutral"]


def _mentions(rows):
    return pd.DataFrame(rows, columns=["doc_id", "source", "label", "actor", "score"])


def test_compare_outlets_difference_interval_and_verdict():
    m = _mentions([("a1", "A", "Outlet A", "X", 0.5), ("a1", "A", "Outlet A", "X", 0.7), ("a2", "A", "Outlet A", "X", 0.6),
                   ("b1", "B", "Outlet B", "X", -0.5), ("b2", "B", "Outlet B", "X", -0.4), ("b2", "B", "Outlet B", "X", -0.6)])
    c = st.compare_outlets(m, n_resamples=500)
    assert len(c) == 1
    r = c.iloc[0]
    assert r["diff"] == pytest.approx(0.6 - (-0.5)) and r["ci_low"] > 0
    assert r["verdict"] == "Outlet A more positive" and r["docs_a"] == 2 and r["resampled"] == "documents / documents"
    # overlapping outlets: cannot tell
    m2 = _mentions([("a1", "A", "A", "X", 0.5), ("a1", "A", "A", "X", -0.5), ("a1", "A", "A", "X", 0.1),
                    ("b1", "B", "B", "X", 0.4), ("b1", "B", "B", "X", -0.4), ("b1", "B", "B", "X", 0.0)])
    c2 = st.compare_outlets(m2, n_resamples=500)
    assert c2["verdict"].tolist() == ["cannot tell"] and c2["resampled"].iloc[0] == "mentions / mentions"
    assert st.compare_outlets(m2, min_mentions=4).empty


def test_compare_outlets_intervals_from_each_outlets_own_resamples():
    # A: two articles with mean 0.5 each, B: two with mean -0.5 each → every resample of A is 0.5 and of
    # B -0.5, so A − B is exactly [1, 1]; C: two one-mention articles 0 and 1 → its resampled mean is
    # 0, 0.5 or 1 (1/4, 1/2, 1/4), so A − C runs from -0.5 to 0.5 (a quarter of the mass at each end)
    m = _mentions([("a1", "A", "A", "X", 0.5), ("a2", "A", "A", "X", 0.4), ("a2", "A", "A", "X", 0.6),
                   ("b1", "B", "B", "X", -0.5), ("b2", "B", "B", "X", -0.5),
                   ("c1", "C", "C", "X", 0.0), ("c2", "C", "C", "X", 1.0)])
    c = st.compare_outlets(m, min_mentions=2, n_resamples=400).set_index(["a", "b"])
    assert (c.loc[("A", "B"), "ci_low"], c.loc[("A", "B"), "ci_high"]) == (pytest.approx(1.0), pytest.approx(1.0))
    assert c.loc[("A", "C"), "diff"] == pytest.approx(0.0)
    assert (c.loc[("A", "C"), "ci_low"], c.loc[("A", "C"), "ci_high"]) == (pytest.approx(-0.5), pytest.approx(0.5))
    assert c.loc[("A", "C"), "verdict"] == "cannot tell" and c.loc[("A", "B"), "verdict"] == "A more positive"


def test_baseline_tone_relative_to_the_outlet():
    m = _mentions([("a1", "A", "A", "X", -0.2), ("a1", "A", "A", "Y", -0.6), ("a2", "A", "A", "X", -0.2),
                   ("a2", "A", "A", "Y", -0.6), ("a3", "A", "A", "X", -0.2), ("a3", "A", "A", "Y", -0.6)])
    b = st.baseline_tone(m, n_resamples=300).set_index("actor")
    # A is negative toward everyone (baseline -0.4); X at -0.2 is warmer than usual
    assert b.loc["X", "baseline"] == pytest.approx(-0.4) and b.loc["X", "diff"] == pytest.approx(0.2)
    assert b.loc["X", "verdict"] == "warmer than usual" and b.loc["Y", "verdict"] == "colder than usual"


def test_compare_to_rest():
    m = _mentions([("a1", "A", "A", "X", 0.6), ("a2", "A", "A", "X", 0.7), ("b1", "B", "B", "X", -0.2),
                   ("c1", "C", "C", "X", -0.3)])
    c = st.compare_to_rest(m, "A", n_resamples=300)
    assert c["diff"].iloc[0] == pytest.approx(0.65 - (-0.25))
    assert c["verdict"].iloc[0] == "more positive than the rest"


def test_pairs_ordered_hand_computed():
    g = pd.DataFrame({"target": ["t", "t", "t", "u"], "article": ["1", "2", "3", "4"],
                      "gold_mean": [1.0, 0.0, 0.0, 1.0], "mean": [0.5, 0.1, 0.6, 0.0]})
    # pairs with different gold: (1,2) ordered, (1,3) reversed; (2,3) same gold; u alone
    assert train.pairs_ordered(g) == (0.5, 2)
    g.loc[2, "mean"] = 0.5  # a tie counts one half
    assert train.pairs_ordered(g) == (0.75, 2)


def test_newsmtsc_ids_parsed():
    assert train.newsmtsc_article("allsides_1000_401_25_Reality Leigh Winner_0_6") == "allsides_1000"
    assert train.newsmtsc_target("allsides_1000_401_25_Reality Leigh Winner_0_6") == "Reality Leigh Winner"
    assert train.newsmtsc_article('polusa_v1_18421313_-1_12_" Mr Ward_199_208') == "polusa_v1_18421313"
    assert train.newsmtsc_target('polusa_v1_18421313_-1_12_" Mr Ward_199_208') == "Mr Ward"
    assert train.target_key("President Donald Trump") == train.target_key("Mr. Trump") == "trump"


def test_pairwise_tests_of_two_large_sources_use_the_normal_approximation_over_articles():
    # 160 two-sentence articles per source: A's sentences score 0.2, B's 0. Pooled mean per sentence
    # μ = 0.1, so each article's residual is ±(0.4 − 0.2) = ±0.2: E_A = 160 × 0.2 = 32 with variance
    # 160·160/(320·319) × 320 × 0.04 = 3.2100 (Hájek 1960): z = 17.86, p ≈ 2e-71
    rows = [(f"{src}{i}", src, v) for src, v in (("A", 0.2), ("B", 0.0)) for i in range(160) for _ in range(2)]
    scores = pd.DataFrame(rows, columns=["doc_id", "source", "vader_compound"])
    t = st.pairwise_tests(scores, n_permutations=100)
    r = t.iloc[0]
    assert r["test"] == "normal approximation (documents)" and r["diff"] == pytest.approx(0.2)
    assert r["p"] == pytest.approx(2 * __import__("scipy.stats", fromlist=["norm"]).norm.sf(32 / math.sqrt(3.2100313)), rel=1e-4)


def test_mention_cells_are_numbered_in_order_of_first_mention():
    # (b, x) first, then (a, x), then (b, y); a missing actor is a value of its own
    src = st._codes(pd.Series(["b", "a", "b", "a", "a"]))
    act = st._codes(pd.Series(["x", "x", "y", "x", None]))
    assert src.tolist() == [0, 1, 0, 1, 1] and act.tolist() == [0, 0, 1, 0, 2]
    assert st._cell_codes(src, act).tolist() == [0, 1, 2, 1, 3]


def test_actor_tables_are_the_same_for_object_and_arrow_string_columns():
    # the store reads mentions back as Arrow strings, the whole-corpus path may hold Python objects:
    # the tables are built on integer codes of either. Outlet A: X in two articles (mean of 0.5,
    # 0.4 and 0.6 = 0.5), Y in one (-0.6); outlet B: X twice in one article (-0.5)
    rows = [("a1", "A", "Outlet A", "X", 0.5), ("a1", "A", "Outlet A", "Y", -0.6), ("a2", "A", "Outlet A", "X", 0.4),
            ("a2", "A", "Outlet A", "X", 0.6), ("b1", "B", "Outlet B", "X", -0.5), ("b1", "B", "Outlet B", "X", -0.5)]
    m = _mentions(rows).astype({c: object for c in ("doc_id", "source", "label", "actor")})
    m["sent_id"] = [f"{d}:s{k}" for k, (d, *_rest) in enumerate(rows)]
    m["tone"] = np.where(m["score"] > 0, "positive", "negative").astype(object)
    m["textblob"] = 0.0
    arrow = m.astype({c: "string[pyarrow]" for c in ("doc_id", "source", "label", "actor", "sent_id", "tone")})
    t_obj, t_arrow = (st._actor_table(x, 300, 0, 2, None, "news") for x in (m, arrow))
    pd.testing.assert_frame_equal(t_obj, t_arrow, check_dtype=False)
    t = t_obj.set_index(["source", "actor"])
    assert t.loc[("A", "X"), "mean"] == pytest.approx(0.5) and t.loc[("A", "X"), "n"] == 3
    assert t.loc[("B", "X"), "n_sentences"] == 2 and t.loc[("A", "Y"), "share_neg"] == 1.0
    assert t.loc[("A", "X"), "evidence"] == "a2:s3;a1:s0"  # the two strongest, strongest first
    assert list(t_obj["actor"]) == ["X", "X", "Y"]  # most mentioned actor first, outlets in corpus order
    for f in (lambda x: st.compare_outlets(x, min_mentions=2, n_resamples=300),
              lambda x: st.baseline_tone(x, min_mentions=1, n_resamples=300)):
        pd.testing.assert_frame_equal(f(m), f(arrow), check_dtype=False)
