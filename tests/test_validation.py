"""The validation harness (tools/validate.py): its measures (known answers) and the labelled sets it
reads; and what the package keeps of it (framelens.lenses.validation: the stored table, the failure modes)."""

from __future__ import annotations

import pandas as pd
import pytest

from framelens.lenses import validation

from tools import validate as v


def test_auc_known_answers():
    assert v.auc([3, 2, 1, 0], [1, 1, 0, 0]) == 1.0
    assert v.auc([0, 1, 2, 3], [1, 1, 0, 0]) == 0.0
    assert v.auc([1, 1, 1, 1], [1, 0, 1, 0]) == 0.5                      # ties count one half
    assert v.auc([2, 1, 1, 0], [1, 1, 0, 0]) == pytest.approx(0.875)     # 3.5 of 4 pairs
    assert v.auc([1, 2], [1, 1]) != v.auc([1, 2], [1, 1])                 # NaN: one class only


def test_prf_and_macro_f1_known_answers():
    assert v.prf(3, 1, 2) == (0.75, 0.6, pytest.approx(2 * 0.75 * 0.6 / 1.35))
    gold = ["negative", "neutral", "neutral", "positive"]
    pred = ["negative", "neutral", "positive", "positive"]
    # F1: negative 1, neutral 2/3, positive 2/3
    assert v.macro_f1(gold, pred) == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert v.macro_f1(["neutral"] * 4, ["neutral"] * 4) == pytest.approx(1 / 3)   # absent classes count 0


def test_speaker_match():
    assert v.speaker_match("Teresa Ribera", "Competition commissioner Teresa Ribera")
    assert v.speaker_match("she", "she") and not v.speaker_match("the court", "Lena Farouk")
    assert not v.speaker_match("", "Anne")


def test_labelled_sets_line_up_with_the_corpus():
    s = v.labelled_sentences()
    assert len(s) == 297 and s["sent_id"].is_unique                          # doc ids differ between the sets
    assert not s[["set", "sent_id"]].duplicated().any()
    assert s.groupby("set").size().to_dict() == {"labelled": 152, "unseen": 145}
    assert (s.loc[s["set"] == "labelled", "entman"].notna()).all()
    assert set(s["split"]) == {"dev", "test"}
    a = v.labelled_articles()
    assert len(a) == 45 and a["doc_id"].is_unique
    assert a.groupby("split").size().to_dict() == {"dev": 18, "test": 7, "fresh": 20}   # fresh: written after the freeze
    fresh = a[a["split"] == "fresh"]
    assert fresh["stance"].value_counts().to_dict() == {"negative": 8, "positive": 6, "neutral": 6}
    assert fresh.set_index("doc_id").loc["cartoon_rave", ["human_interest", "responsibility"]].tolist() == [0, 0]
    topics = {"climate", "health", "elections", "crime", "courts"}
    import json

    gold = json.loads((v.fixtures_dir() / "labelled" / "gold.json").read_text(encoding="utf-8"))
    assert topics <= {g["topic"] for g in gold["articles"].values()}
    # an article carries a frame when it answers more than half of the frame's text questions
    r = a.set_index("doc_id").loc["insulin"]
    assert r["n_responsibility"] == 3 and r["responsibility"] == 1
    assert r["n_morality"] == 1 and r["morality"] == 0


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_validation_report_runs(capsys):
    assert v.main(["--skip", "target", "entman"]) == 0
    out = capsys.readouterr().out
    for title in ("Generic frames, sentences", "Generic frames, articles", "Quotation speakers",
                  "Stance toward the article's main entity", "Frame present (yes/no)", "Outlet comparison on hand-labelled pairs",
                  "Known failure modes"):
        assert f"## {title}" in out


def test_stored_validity_table_gives_n_intervals_and_baselines():
    t = validation.validity()
    assert set(t.columns) == set(validation.SUMMARY_COLUMNS) and {"framing", "sentiment"} == set(t["lens"])
    assert {"own", "fresh", "NewsMTSC CV"} <= set(t["data"])
    auc = t[t["metric"].str.startswith("AUC")]
    assert (auc["n"] > 0).all() and (auc["low"] <= auc["value"]).all() and (auc["value"] <= auc["high"]).all()
    present = t[(t["measure"] == "frame present (yes/no): mean") & (t["data"] == "own")].iloc[0]
    assert present["value"] > present["baseline"]                          # beats answering yes everywhere
    assert len(validation.validity("sentiment")) + len(validation.validity("framing")) == len(t)


def test_intervals_known_answers():
    a, lo, hi = v.auc_interval([3, 2, 1, 0], [1, 1, 0, 0])
    assert (a, lo, hi) == (1.0, 1.0, 1.0)                                  # perfectly separated in every resample
    a, lo, hi = v.auc_interval([0, 2, 1, 3, 5, 4], [0, 1, 0, 1, 1, 0], n_resamples=300)
    assert lo <= a <= hi and a == pytest.approx(v.auc([0, 2, 1, 3, 5, 4], [0, 1, 0, 1, 1, 0]))
    p, lo, hi = v.proportion(8, 10)
    assert p == 0.8 and lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_failure_modes_are_computed():
    f = validation.failure_modes()
    assert {"framing", "sentiment"} <= set(f["lens"]) and f["got"].str.len().gt(0).all()
    implicit = f[f["failure"].str.startswith("implicit")].iloc[0]
    assert implicit["got"] == "no frame"                                   # the documented failure, as it is today


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_keeps_the_failure_modes_the_reports_show(mini_corpus):
    """Reports 03 and 04 read the failure modes from the lens store (run once where the scorers and
    the tagger are loaded, not in every kernel): the stored tables are the ones run here."""
    from framelens.store import parts

    acts = parts.compute_in_memory("actors", mini_corpus)
    for lens in ("sentiment", "framing"):
        opts = parts.resolve_options(lens, {"n_resamples": 50, "n_permutations": 50} if lens == "sentiment"
                                     else {"n_resamples": 50})
        stored = parts.compute_part(lens, mini_corpus, opts, {"actors": acts}, partitions=1)[0]["failure_modes"]
        fresh = validation.failure_modes(lens)
        assert set(stored["lens"]) == {lens} and len(stored) == len(fresh) > 0
        pd.testing.assert_frame_equal(stored, fresh)
    assert stored.set_index("failure").loc["implicit framing: no cue word, no frame", "got"] == "no frame"
