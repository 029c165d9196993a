"""framelens.lenses.synthesis: normalising and combining distances, per-lens distances, generated
findings (known answers on hand-built tables), one-source behaviour, and one notebook run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framelens import FramelensError
from framelens.lenses import profile
from framelens.lenses import synthesis
import framelens

ROOT = Path(__file__).resolve().parents[1]
S3 = ["a", "b", "c"]


def _sq(ab, ac, bc):
    return pd.DataFrame([[0, ab, ac], [ab, 0, bc], [ac, bc, 0]], index=S3, columns=S3, dtype=float)


@pytest.fixture(scope="module")
def mini_lenses(mini_corpus):
    return framelens.lens_tables(mini_corpus, n_resamples=200, n_permutations=500)


def test_normalise_minmax_and_rank():
    d = _sq(1.0, 3.0, 2.0)
    n = synthesis.normalise_distance(d, "minmax")
    assert n.loc["a", "b"] == 0.0 and n.loc["a", "c"] == 1.0 and n.loc["b", "c"] == 0.5
    assert n.loc["c", "a"] == 1.0 and np.all(np.diag(n.to_numpy()) == 0)
    r = synthesis.normalise_distance(_sq(1.0, 3.0, 3.0), "rank")  # ranks 1, 2.5, 2.5 -> 0, 1, 1
    assert (r.loc["a", "b"], r.loc["a", "c"], r.loc["b", "c"]) == (0.0, 1.0, 1.0)
    # no spread (or a single pair): every pair is 0.5, the lens cannot tell pairs apart
    assert synthesis.normalise_distance(_sq(2.0, 2.0, 2.0)).loc["a", "c"] == 0.5
    two = pd.DataFrame([[0, 0.3], [0.3, 0]], index=["a", "b"], columns=["a", "b"])
    assert synthesis.normalise_distance(two).loc["a", "b"] == 0.5
    with pytest.raises(FramelensError):
        synthesis.normalise_distance(d, "zscore")


def test_combine_distances_average_weights_and_nan():
    d1 = _sq(1.0, 3.0, 2.0)      # -> 0, 1, 0.5
    d2 = _sq(10.0, 10.0, 20.0)   # -> 0, 0, 1
    c = synthesis.combine_distances({"x": d1, "y": d2})
    assert (c.loc["a", "b"], c.loc["a", "c"], c.loc["b", "c"]) == pytest.approx((0.0, 0.5, 0.75))
    w = synthesis.combine_distances({"x": d1, "y": d2}, weights={"x": 3, "y": 1})
    assert (w.loc["a", "c"], w.loc["b", "c"]) == pytest.approx((0.75, 0.625))
    d3 = _sq(np.nan, 5.0, 1.0)   # -> nan, 1, 0 : a–b averaged over x and y only
    n = synthesis.combine_distances({"x": d1, "y": d2, "z": d3})
    assert n.loc["a", "b"] == pytest.approx(0.0)
    assert n.loc["a", "c"] == pytest.approx((1 + 0 + 1) / 3)
    assert n.loc["b", "c"] == pytest.approx((0.5 + 1 + 0) / 3)


def test_lens_distance_building_blocks():
    sal = pd.DataFrame({"source": ["a", "a", "b", "b", "c", "c"], "frame": ["f", "g"] * 3,
                        "share": [0.4, 0.0, 0.0, 0.2, 0.1, 0.1]})
    js = synthesis._js_matrix(sal, S3)
    assert js[0, 1] == pytest.approx(1.0)          # disjoint frame profiles
    assert js[1, 2] == pytest.approx(js[0, 2])     # (0, 1) and (1, 0) are equally far from (0.5, 0.5)
    assert 0 < js[0, 2] < 1
    zero = pd.DataFrame({"source": ["a", "b"], "frame": ["f", "f"], "share": [0.0, 0.3]})
    assert synthesis._js_matrix(zero, ["a", "b"])[0, 1] == 1.0
    same = pd.DataFrame({"source": ["a", "b"], "frame": ["f", "f"], "share": [0.2, 0.6]})
    assert synthesis._js_matrix(same, ["a", "b"])[0, 1] == pytest.approx(0.0)
    scores = pd.DataFrame({"source": ["a", "a", "b", "b"], "vader_compound": [0.0, 0.0, 1.0, 1.0]})
    assert synthesis._wasserstein_matrix(scores, ["a", "b"])[0, 1] == pytest.approx(1.0)
    cov = pd.DataFrame({"item": ["x", "y", "z"], "a": [1, 1, 0], "b": [1, 0, 1]})
    assert synthesis._jaccard_items(cov, ["a", "b"])[0, 1] == pytest.approx(1 - 1 / 3)


def test_js_partial_overlap_known_answer():
    # p = (1, 0), q = (0.5, 0.5): m = (0.75, 0.25)
    sal = pd.DataFrame({"source": ["a", "a", "b", "b"], "frame": ["f", "g"] * 2, "share": [0.2, 0.0, 0.3, 0.3]})
    kl_pm = np.log2(1 / 0.75)
    kl_qm = 0.5 * np.log2(0.5 / 0.75) + 0.5 * np.log2(0.5 / 0.25)
    expected = math.sqrt(0.5 * kl_pm + 0.5 * kl_qm)
    assert synthesis._js_matrix(sal, ["a", "b"])[0, 1] == pytest.approx(expected)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_combined_similarity_on_mini(mini_corpus, mini_lenses):
    sim = synthesis.combined_similarity(mini_corpus, lenses=mini_lenses)
    assert list(sim.per_lens) == ["vocabulary", "sentiment", "framing"]
    assert len(sim.pairs) == 3 and list(sim.pairs["rank"]) == [1, 2, 3]
    assert sim.linkage.shape == (2, 4) and sorted(sim.order) == ["alpha", "beta", "gamma"]
    d = sim.distance.to_numpy()
    assert np.allclose(np.diag(d), 0) and np.allclose(d, d.T) and (d >= 0).all() and (d <= 1).all()
    # the critical opinion piece (beta) is in the least alike pair and furthest from the rest
    last = sim.pairs.iloc[-1]
    assert "beta" in (last["a"], last["b"])
    assert sim.distance.sum(axis=1).idxmax() == "beta"
    with pytest.raises(FramelensError):
        synthesis.combined_similarity(mini_corpus, lenses=mini_lenses, include=["vibes"])


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_lens_table_and_key_measures_on_mini(mini_corpus, mini_lenses):
    t = synthesis.lens_table(mini_corpus, lenses=mini_lenses)
    assert list(t["source"]) == ["alpha", "beta", "gamma"]
    assert list(t["n_sentences"]) == [4, 4, 4]
    g = t.set_index("source").loc["gamma"]
    assert g["promotional_per_1000"] > 0 and g["tone_ci_low"] <= g["tone_mean"] <= g["tone_ci_high"]
    iv = mini_lenses["intervals"].set_index("source")
    assert g["tone_mean"] == pytest.approx(iv.loc["gamma", "mean"])
    shown = synthesis.display_table(t)
    assert shown.loc[0, "source"] == "Alpha Daily"
    m = synthesis.key_measures(mini_corpus, lenses=mini_lenses)
    assert {"Mean tone per sentence (VADER)", "Promotional per 1,000 words"} <= set(m["measure"])


def _hand_tables():
    texts = {"a:s0": "A fine and glorious day.", "b:s3": "A grim loss.", "a:s1": "A landmark, historic deal."}
    iv = pd.DataFrame({"source": ["a", "b"], "label": ["Alpha", "Beta"], "method": ["VADER compound"] * 2,
                       "n": [12, 5], "mean": [0.5, -0.1], "ci_low": [0.4, -0.2], "ci_high": [0.6, 0.0]})
    pw = pd.DataFrame({"a": ["a"], "b": ["b"], "label_a": ["Alpha"], "label_b": ["Beta"], "n_a": [12], "n_b": [5],
                       "diff": [0.6], "p": [0.01], "p_holm": [0.01],
                       "verdict": ["cannot tell apart (too few sentences: n = 12 and 5)"]})
    scores = pd.DataFrame({"sent_id": ["a:s0", "a:s1", "b:s3"], "source": ["a", "a", "b"],
                           "vader_compound": [0.8, 0.2, -0.6]})
    cert = pd.DataFrame({"source": ["a", "b"], "label": ["Alpha", "Beta"], "measure": ["promotional"] * 2,
                         "count": [12, 0], "words": [1000, 800], "per_1000_words": [12.0, 0.0],
                         "ci_low": [6.0, 0.0], "ci_high": [18.0, 0.0]})
    cev = pd.DataFrame({"sent_id": ["a:s1"], "source": ["a"], "label": ["Alpha"], "measure": ["promotional"],
                        "n": [2], "markers": ["landmark; historic"], "text": [texts["a:s1"]]})
    return {"intervals": iv, "pairwise": pw, "scores": scores, "certainty": cert, "certainty_evidence": cev}, texts


def test_findings_text_from_hand_built_tables():
    tables, texts = _hand_tables()
    f = synthesis.findings_from_tables(tables, labels={"a": "Alpha", "b": "Beta"}, texts=texts)
    assert list(f.columns) == ["finding", "lens", "evidence", "uncertainty", "sent_ids"]
    tone = f[f["lens"] == "sentiment"].iloc[0]
    assert tone["finding"] == ("Sentence tone is most positive in Alpha (mean VADER +0.50) and least positive in Beta "
                               "(-0.10), too few sentences to tell them apart; 0 of 1 source pairs differ after Holm "
                               "correction.")
    assert tone["uncertainty"] == ("Alpha: 95% CI +0.40 to +0.60, n = 12 sentences; Beta: 95% CI -0.20 to +0.00, "
                                   "n = 5 sentences < 10: too small to judge; permutation p = 0.01, Holm-corrected p = 0.01")
    assert tone["sent_ids"] == "a:s0; b:s3"
    assert tone["evidence"] == "[a:s0] \u201cA fine and glorious day.\u201d / [b:s3] \u201cA grim loss.\u201d"
    promo = f[f["lens"] == "framing (certainty)"].iloc[0]
    assert promo["finding"] == ("Alpha uses the most promotional vocabulary: 12.0 per 1,000 words (12 in 1000 words) "
                                "against 0.0 in Beta (0 in 800 words).")
    assert promo["sent_ids"] == "a:s1" and "(markers: landmark; historic)" in promo["evidence"]
    assert "exact rate test p < 0.001" in promo["uncertainty"] and "too small" not in promo["uncertainty"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_findings_one_source_and_headline(mini_corpus):
    one = mini_corpus.select(["beta"])
    f = synthesis.key_findings(one)
    assert len(f) == 1
    assert f.iloc[0]["finding"] == "Comparisons need at least two sources; this corpus has 1 (Beta Review)."
    assert synthesis.headline({"findings": f}) == f.iloc[0]["finding"]
    sim = synthesis.combined_similarity(one, lenses=framelens.lens_tables(one, n_resamples=50, n_permutations=50))
    assert sim.pairs.empty and sim.linkage is None
    assert "at least two sources" in synthesis.needs_two(one)
    assert synthesis.needs_two(mini_corpus) is None


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_key_findings_on_mini(mini_corpus, mini_lenses):
    sim = synthesis.combined_similarity(mini_corpus, lenses=mini_lenses)
    f = synthesis.key_findings(mini_corpus, lenses=mini_lenses, similarity=sim)
    assert f.iloc[0]["lens"] == "combined"
    assert synthesis.headline({"findings": f}) == f.iloc[0]["finding"]
    assert "Beta Review stands furthest from the others" in f.iloc[0]["finding"]
    # every sent_id cited exists, and its sentence is quoted in the evidence
    sents = set(mini_corpus.sentences["sent_id"])
    for ids, ev in zip(f["sent_ids"], f["evidence"]):
        for i in filter(None, ids.split("; ")):
            assert i in sents and f"[{i}]" in ev
    # four sentences per source: every tone / frame finding says it is too small to judge
    assert f[f["lens"].isin(["sentiment", "framing"])]["uncertainty"].str.contains("too small to judge").all()
    om = f[f["finding"].str.contains("but not in")]
    assert len(om) == 1 and "Beta Review" in om.iloc[0]["finding"]


@pytest.mark.notebook
def test_synthesis_notebook_on_mini(mini_dir, tmp_path):
    from framelens.run.runner import execute_notebook

    out = tmp_path / "out"
    execute_notebook(str(ROOT / "notebooks" / "06_synthesis.ipynb"), str(tmp_path / "06.ipynb"),
                        parameters={"corpus": str(mini_dir), "output_dir": str(out), "n_resamples": 200,
                                    "n_permutations": 500}, cwd=ROOT / "notebooks")
    head = json.loads((out / "findings" / "06_synthesis.json").read_text())["headline"]
    assert head.startswith("Across vocabulary, sentiment and framing,") and "Beta Review" in head
    findings = pd.read_csv(out / "tables" / "synthesis_findings.csv", keep_default_na=False)
    assert len(findings) >= 5 and set(findings["lens"]) >= {"combined", "sentiment", "framing", "coverage"}
    pairs = pd.read_csv(out / "tables" / "synthesis_similarity_pairs.csv")
    assert len(pairs) == 3
    for name in ("synthesis_similarity", "synthesis_lens_distances", "synthesis_profiles"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
    text = json.dumps(json.loads((tmp_path / "06.ipynb").read_text()))
    assert "Key findings" in text and "Gamma Wire" in text


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_stored_synthesis_and_profile_equal_the_in_memory_path_without_reading_the_corpus(mini_dir, tmp_path,
                                                                                           monkeypatch):
    """The store computes the synthesis and a profile from the stored lens tables and the
    documents table, fetching only the quoted sentences by id: the same tables as the in-memory
    path on the loaded corpus, and the store never loads the corpus's text."""
    import warnings

    from framelens import load_corpus
    from framelens.store.parts import compute_in_memory
    from framelens.store.lens_store import LensStore

    opts = {"seed": 1, "n_resamples": 50, "n_permutations": 50}
    first = LensStore(tmp_path / "store", mini_dir)
    for name in ("vocabulary", "sentiment", "framing"):  # the lens parts (theirs to keep off the whole corpus)
        first.part(name, **({"seed": 1, "n_resamples": 50} if name == "framing" else opts if name == "sentiment" else {}))
    lens = LensStore(tmp_path / "store", mini_dir)

    def every_score(*args):  # the tone finding reads its two sources' scores, not every sentence's
        raise AssertionError("the synthesis read the whole sentence-score table")

    monkeypatch.setattr("framelens.store.parts._scores_without_text", every_score)
    stored = {"synthesis": lens.part("synthesis", **opts), "profile": lens.part("profile", source_id="beta", **opts)}
    assert lens._loaded is None and lens._corpus is None and lens._base is None  # no whole-corpus read
    assert "sentiment" in set(stored["synthesis"]["findings"]["lens"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(mini_dir)
    for name, extra in (("synthesis", {}), ("profile", {"source_id": "beta"})):
        mem = compute_in_memory(name, corp, {**opts, **extra})
        assert set(mem) == set(stored[name])
        for t in mem:
            pd.testing.assert_frame_equal(stored[name][t].reset_index(drop=True), mem[t].reset_index(drop=True),
                                          check_dtype=False, obj=f"{name}.{t}")
    quoted = stored["profile"]["tone_evidence"]
    assert len(quoted) and quoted["text"].str.len().gt(0).all()  # evidence text fetched by id
    assert stored["synthesis"]["findings"]["evidence"].str.contains("\u201c").any()
