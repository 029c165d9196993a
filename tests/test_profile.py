"""framelens.lenses.profile: one source against the rest (known answers on constructed tables and on
the mini fixture), plus one run of the profile notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binomtest, fisher_exact

from framelens import FramelensError
from framelens.lenses import profile
import framelens

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mini_lenses(mini_corpus):
    return framelens.lens_tables(mini_corpus, n_resamples=200, n_permutations=500)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_unknown_source_id(mini_corpus, mini_lenses):
    with pytest.raises(FramelensError) as e:
        profile.source_profile(mini_corpus, "nope", lenses=mini_lenses)
    assert str(e.value) == "source_id: unknown source 'nope' (available: alpha, beta, gamma)"


def test_slug():
    assert profile.slug("cgtn") == "cgtn"
    assert profile.slug("Le Monde / FR") == "Le-Monde-FR-07e03f7b"  # + 8 hex of its SHA-1: unique per id
    assert profile.slug("///") == "source-c64b8480"


def _tables():
    """Hand-built lens tables for three sources A, B, C."""
    sal = pd.DataFrame({
        "source": ["A", "A", "B", "B", "C", "C"], "label": ["Alpha", "Alpha", "Beta", "Beta", "Gamma", "Gamma"],
        "frame": ["econ", "conf"] * 3, "name": ["Economic", "Conflict"] * 3, "family": ["policy", "generic"] * 3,
        "sentences": [3, 0, 1, 2, 0, 6], "n_sentences": [10, 10, 10, 10, 20, 20],
        "share": [0.3, 0.0, 0.1, 0.2, 0.0, 0.3], "ci_low": [0.1, 0, 0, 0, 0, 0.1], "ci_high": [0.6, 0, 0.3, 0.5, 0, 0.5],
        "hits": [3, 0, 1, 2, 0, 6], "words": [100, 100, 100, 100, 200, 200], "per_1000_words": [30, 0, 10, 20, 0, 30],
    })
    cert = pd.DataFrame({
        "source": ["A", "B", "C"], "label": ["Alpha", "Beta", "Gamma"], "measure": ["hedges"] * 3,
        "count": [4, 1, 1], "words": [1000, 500, 500], "per_1000_words": [4.0, 2.0, 2.0],
        "ci_low": [1.0, 0.0, 0.0], "ci_high": [8.0, 6.0, 6.0], "sentences": [4, 1, 1], "unit": ["sentence"] * 3,
    })
    fe = pd.DataFrame({"source": ["A"], "frame": ["econ"], "rank": [1], "sent_id": ["A:s1"], "hits": [2],
                       "cues": ["trade; economy"], "text": ["Trade and the economy grew."]})
    cev = pd.DataFrame({"sent_id": ["A:s2"], "source": ["A"], "label": ["Alpha"], "measure": ["hedges"], "n": [2],
                        "markers": ["may; could"], "text": ["It may or could happen."]})
    return {"salience": sal, "certainty": cert, "frame_evidence": fe, "certainty_evidence": cev}


def test_frames_against_the_rest_known_answer():
    t = profile._frames(_tables(), "A", min_n=10)
    econ = t.set_index("frame").loc["econ"]
    # the rest: B 1 of 10 and C 0 of 20 sentences -> 1 / 30
    assert econ["sentences_rest"] == 1 and econ["n_sentences_rest"] == 30
    assert econ["share_rest"] == pytest.approx(1 / 30)
    assert econ["difference"] == pytest.approx(0.3 - 1 / 30)
    assert econ["p"] == pytest.approx(fisher_exact([[3, 7], [1, 29]]).pvalue)
    assert econ["sent_id"] == "A:s1" and econ["text"] == "Trade and the economy grew."
    assert list(t["frame"]) == ["econ", "conf"]  # A's most salient first; conf kept (carried elsewhere)


def test_certainty_against_the_rest_known_answer():
    c = profile._certainty(_tables(), "A").iloc[0]
    assert c["count_rest"] == 2 and c["words_rest"] == 1000
    assert c["per_1000_rest"] == pytest.approx(2.0)
    assert c["ratio"] == pytest.approx(2.0)
    assert c["p"] == pytest.approx(binomtest(4, 6, 0.5).pvalue)
    assert c["markers"] == "may; could" and c["sent_id"] == "A:s2"


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_profile_on_mini(mini_corpus, mini_lenses):
    p = profile.source_profile(mini_corpus, "beta", lenses=mini_lenses, n_resamples=200, n_permutations=500)
    assert set(p) == set(profile.PROFILE_KEYS)
    meta = p["metadata"].iloc[0]
    assert meta["label"] == "Beta Review" and meta["published"] == "2025-03" and meta["genre"] == "opinion"
    tone = p["tone"].set_index(["method", "who"])
    # 4 sentences in beta, 4 + 4 in the others
    assert tone.loc[("VADER compound", "Beta Review"), "n"] == 4
    assert tone.loc[("VADER compound", "all other sources"), "n"] == 8
    sc = mini_lenses["scores"]
    assert tone.loc[("VADER compound", "Beta Review"), "mean"] == pytest.approx(
        sc.loc[sc["source"] == "beta", "vader_compound"].mean())
    test = p["tone_test"].iloc[0]
    assert test["verdict"].startswith("too few sentences to tell")
    # the critical article reads more negative than the rest
    assert test["diff"] < 0
    # the one money item beta lacks: $2.5 billion is carried by alpha and gamma
    om = p["omitted_items"]
    assert "money:USD:2.5e+09" in set(om["item"])
    row = om.set_index("item").loc["money:USD:2.5e+09"]
    assert row["carried_by"] == "Alpha Daily, Gamma Wire" and row["sent_id"].startswith(("alpha:", "gamma:"))
    # every unique item is beta's and carries its sentence
    u = p["unique_items"]
    assert len(u) and u["sent_id"].str.startswith("beta:").all() and (u["text"] != "").all()
    h = profile.headline(p)
    assert h.startswith("Beta Review (4 sentences): mean tone -")
    assert "too few sentences to tell" in h


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_profile_one_source(mini_corpus):
    one = mini_corpus.select(["alpha"])
    p = profile.source_profile(one, "alpha", lenses=framelens.lens_tables(one, n_resamples=100, n_permutations=100),
                               n_resamples=100, n_permutations=100)
    assert p["tone_test"]["verdict"].iloc[0] == "comparison needs at least two sources"
    assert "comparisons need at least two sources" in profile.headline(p)
    assert p["unique_items"].empty


def test_headline_from_hand_built_profile():
    prof = {
        "metadata": pd.DataFrame({"label": ["Alpha"], "n_sentences": [40]}),
        "tone_test": pd.DataFrame({"method": ["VADER compound"], "n_source": [40], "n_rest": [60], "diff": [0.2],
                                   "p": [0.004], "verdict": ["Alpha is more positive in wording than the other sources"]}),
        "tone": pd.DataFrame({"method": ["VADER compound"] * 2, "who": ["Alpha", "all other sources"],
                              "n": [40, 60], "mean": [0.5, 0.3], "ci_low": [0.4, 0.2], "ci_high": [0.6, 0.4]}),
        "frames": pd.DataFrame({"frame": ["econ"], "name": ["Economic"], "sentences": [12], "n_sentences": [40],
                                "share": [0.3], "share_rest": [0.1], "difference": [0.2], "p": [0.5]}),
        "distinctive": pd.DataFrame({"term": ["rail"], "z": [3.25]}),
        "unique_items": pd.DataFrame({"item": ["a", "b"]}),
    }
    assert profile.headline(prof) == (
        "Alpha (40 sentences): mean tone +0.50 against +0.30 for the other sources (VADER compound; more positive "
        "than the others, p = 0.004); its most salient frame is economic (30% of its sentences against 10% elsewhere); "
        "its most distinctive term is 'rail' (z = 3.2); 2 coverage items appear only here.")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_export_profile(tmp_path, mini_corpus, mini_lenses):
    p = profile.source_profile(mini_corpus, "gamma", lenses=mini_lenses, n_resamples=100, n_permutations=100)
    paths = framelens.report.export_profile(p, "gamma", tmp_path)
    assert {x.name for x in paths} == {f"profile_gamma_{k}.csv" for k in profile.PROFILE_KEYS}


@pytest.mark.notebook
def test_profile_notebook_on_mini(mini_dir, tmp_path):
    from framelens.run.runner import execute_notebook

    out = tmp_path / "out"
    execute_notebook(str(ROOT / "notebooks" / "05_source_profile.ipynb"), str(tmp_path / "05.ipynb"),
                        parameters={"corpus": str(mini_dir), "output_dir": str(out), "source_id": "gamma",
                                    "n_resamples": 200, "n_permutations": 500}, cwd=ROOT / "notebooks")
    head = json.loads((out / "findings" / "05_source_profile_gamma.json").read_text())["headline"]
    assert head.startswith("Gamma Wire (4 sentences): mean tone +")
    assert (out / "figures" / "profile_gamma.png").stat().st_size > 10_000
    assert (out / "figures" / "profile_gamma_measures.png").is_file()
    uniq = pd.read_csv(out / "tables" / "profile_gamma_unique_items.csv")
    assert uniq["sent_id"].str.startswith("gamma:").all()
    cert = pd.read_csv(out / "tables" / "profile_gamma_certainty.csv").set_index("measure")
    assert cert.loc["promotional", "count"] >= 3  # landmark, historic, milestone, unprecedented ...
    nb = json.loads((tmp_path / "05.ipynb").read_text())
    text = json.dumps(nb)
    assert "Gamma Wire" in text and "Items only this source reports" in text


def test_with_texts_fetches_exactly_the_quoted_sentences_once():
    calls = []

    def fetch(ids):
        calls.append(sorted(ids))
        return {"a:s1": "One.", "b:s0": "Two.", "c:s2": "Three."}

    def build(t):
        return [t.get("a:s1", ""), pd.Series(["b:s0", "b:s0"]).map(t).fillna("").tolist(), "c:s2" in t]

    assert profile.with_texts(build, fetch) == ["One.", ["Two.", "Two."], True]
    assert calls == [["a:s1", "b:s0", "c:s2"]]  # one fetch, of the ids asked for, nothing else
    assert profile.with_texts(lambda t: 42, fetch) == 42 and len(calls) == 1  # nothing quoted: nothing read


def test_title_gives_article_count_and_date_range(tmp_path):
    from tests.conftest import corpus_from_texts

    body = "Headline {}\n\nThe council met on Monday and agreed a new budget for the schools of the town.\n"
    corp = corpus_from_texts(tmp_path, {f"d{i}": body.format(i) for i in range(5)}, manifest="""
        id,file,source,published,genre
        d0,d0.txt,wire,2025-03,news
        d1,d1.txt,wire,2025-01-15,news
        d2,d2.txt,wire,,opinion
        d3,d3.txt,wire,2025-02-01,news
        d4,d4.txt,other,2024-12-01,news
    """)
    md = profile.title(corp, "wire").data.replace("\\", "")  # the Markdown escapes dropped
    assert md.splitlines()[-1] == "4 articles · 2025-01-15 to 2025-03 (1 undated) · news; opinion · 1 other source in the corpus"
    assert profile.title(corp, "other").data.replace("\\", "").splitlines()[-1] == "2024-12-01 · news · 1 other source in the corpus"
    by_genre = corp.by("genre")  # units are genres: the heading counts genres
    assert profile.title(by_genre, "news").data.replace("\\", "").splitlines()[-1] == (
        "4 articles · 2024-12-01 to 2025-03 · news · 1 other genre in the corpus")
    assert profile._unit_noun("group", 2) == "groups" and profile._unit_noun("bias", 3) == "biases"


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_tone_against_the_rest_resamples_documents(mini_corpus, mini_lenses):
    """The source's interval is report 03's (the same resampling and seed); the rest's is the cluster
    bootstrap over the other sources' documents; the test relabels documents."""
    from framelens.lenses import stats

    p = profile.source_profile(mini_corpus, "beta", lenses=mini_lenses, n_resamples=200, n_permutations=500)
    tone = p["tone"].set_index(["method", "who"])
    iv = mini_lenses["intervals"].set_index("source").loc["beta"]
    own = tone.loc[("VADER compound", "Beta Review")]
    assert (own["mean"], own["ci_low"], own["ci_high"]) == pytest.approx((iv["mean"], iv["ci_low"], iv["ci_high"]))
    sc = mini_lenses["scores"]
    rest = sc[sc["source"] != "beta"].groupby("doc_id", sort=False)["vader_compound"].agg(["sum", "size"])
    want = stats.cluster_bootstrap(rest["sum"], rest["size"], n_resamples=200, seed=0)
    got = tone.loc[("VADER compound", "all other sources")]
    assert (got["mean"], got["ci_low"], got["ci_high"]) == pytest.approx(want)
    beta = sc.loc[sc["source"] == "beta", "vader_compound"].to_numpy()  # one article: its sentences are the units
    test = p["tone_test"].set_index("method").loc["VADER compound"]
    d, pv = stats.cluster_permutation_test(beta, [1.0] * len(beta), rest["sum"], rest["size"], n_permutations=500)
    assert (test["diff"], test["p"]) == pytest.approx((d, pv)) and test["test"] == "exact (documents)"  # C(6, 4) = 15 relabellings


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_actor_tone_against_the_rest_known_answer(mini_corpus, mini_lenses):
    from framelens.lenses import stats

    p = profile.source_profile(mini_corpus, "gamma", lenses=mini_lenses, n_resamples=200, n_permutations=100)
    at = p["actor_tone"]
    m = mini_lenses["actor_mentions"]
    assert len(at) and list(at.columns) == profile.ACTOR_TONE_COLUMNS
    for r in at.itertuples(index=False):
        rest = m[(m["source"] != "gamma") & (m["actor"] == r.actor)]
        own = m[(m["source"] == "gamma") & (m["actor"] == r.actor)]
        assert r.n_rest == len(rest)
        if len(rest):
            assert r.mean_rest == pytest.approx(rest["score"].mean())
            assert r.diff == pytest.approx(own["score"].mean() - rest["score"].mean())
    # one row by hand: gamma is one article (its mentions are the units), the rest two (documents,
    # a document not naming the actor counting 0)
    r = at.iloc[0]
    own = m[(m["source"] == "gamma") & (m["actor"] == r["actor"])]
    docs = [d for d in mini_corpus.documents["doc_id"] if d != "gamma"]
    rest = m[(m["source"] != "gamma") & (m["actor"] == r["actor"])].groupby("doc_id")["score"].agg(["sum", "size"])
    rest = rest.reindex(docs).fillna(0)
    want = stats.ratio_bootstrap_diff(own["score"], [1.0] * len(own), rest["sum"], rest["size"], n_resamples=200,
                                      seed=0, with_b=True)
    assert (r["diff"], r["diff_low"], r["diff_high"], r["ci_low_rest"], r["ci_high_rest"]) == \
        pytest.approx(tuple(float(x[0]) for x in want))


@pytest.mark.slow  # a lens store (no kernel)
def test_stored_profile_equals_the_profile_in_memory(mini_dir, mini_corpus, tmp_path):
    """The profile part (stored lens tables read with column and row filters, quoted sentences fetched
    by id) gives the very tables of source_profile on the lens tables in memory."""
    from framelens.store import lens_store

    opts = {"n_resamples": 200, "n_permutations": 300}
    lens = lens_store.LensStore(tmp_path / "store", mini_dir)
    for s in ("alpha", "gamma"):
        stored = lens.part("profile", source_id=s, **opts)
        mem = profile.source_profile(mini_corpus, s, lenses=framelens.lens_tables(mini_corpus, **opts), **opts)
        for k in profile.PROFILE_KEYS:
            pd.testing.assert_frame_equal(stored[k].reset_index(drop=True), mem[k].reset_index(drop=True),
                                          check_dtype=False, obj=f"{s} {k}")
