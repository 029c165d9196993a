"""Change over time (framelens.lenses.over_time, the over_time store part, notebook 07): hand-computed answers
on the grouped fixture (7 articles, groups left/right, 5 outlets, Jan–Mar 2025, r3 undated, r2 known only
to the month, n1 without a group) and the seeds' single-visit subset (one month: nothing to show)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framelens.lenses import over_time as ot
from framelens.errors import FramelensError

HERE = Path(__file__).resolve().parent
GROUPED = HERE / "fixtures" / "grouped"
ACTORS = HERE / "fixtures" / "grouped_actors.toml"
SINGLE_VISIT = ["writerdog", "cgtn", "astanatimes", "switchtv"]  # the four 2025-06 seed articles

CODEBOOK = """
[[frame]]
id = "cost"
name = "Cost"
definition = "money and what things cost"
cues = ["cost", "costly", "tax", "spending", "budget"]

[[frame]]
id = "praise"
name = "Praise"
definition = "approval of a decision"
cues = ["praise", "welcome"]
"""

# VADER compound of each body sentence of the fixture (vaderSentiment, as sentiment.sentence_scores gives it)
VADER = {"l1": [0.4215, 0.8126, 0.3612], "l2": [0.0516, 0.0, 0.4939], "l3": [0.5106, -0.4767, 0.4404],
         "r1": [-0.4770, -0.2732, -0.2960], "r2": [-0.4404, 0.0, -0.4767]}


@pytest.fixture(scope="module")
def grouped():
    import framelens as fl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fl.load_corpus(GROUPED)


@pytest.fixture(scope="module")
def by_group(grouped):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return grouped.by("group")


def _docs(rows):
    return pd.DataFrame(rows, columns=["doc_id", "source", "published", "published_precision"]).assign(
        published=lambda d: pd.to_datetime(d["published"]), n_sentences=3, label=lambda d: d["source"])


# --------------------------------------------------------------------------------------- periods

def test_the_period_follows_from_the_span():
    def period(first, last):
        return ot.choose_period(_docs([("a", "x", first, "day"), ("b", "x", last, "day")]))[0]

    assert period("2025-01-01", "2025-01-31") == "day"      # 31 days
    assert period("2025-01-01", "2025-02-01") == "week"     # 32 days
    assert period("2025-01-01", "2025-07-01") == "week"     # 182 days = 26 weeks
    assert period("2025-01-01", "2025-07-02") == "month"    # 183 days
    assert ot.choose_period(_docs([("a", "x", None, "")]))[0] == "month"
    assert ot.choose_period(_docs([("a", "x", "2025-01-01", "day")]), "week") == ("week", "set by the period parameter")
    with pytest.raises(FramelensError, match=r"^period: 'fortnight' is not a period \(auto, day, week, month, year\)$"):
        ot.choose_period(_docs([]), "fortnight")


def test_a_month_only_date_spans_its_month_and_coarse_dates_coarsen_the_period(grouped, seed_corpus):
    # grouped: 2025-01-09 … r2 "2025-03" (to 2025-03-31) = 82 days → weeks; 5 of 6 dated articles have a day
    p, why = ot.choose_period(grouped.documents)
    assert p == "week" and "82 days (2025-01-09 to 2025-03-31)" in why
    # single visit: 2025-06-01 … 2025-06-30 → days, but 3 of the 4 are known only to the month → months
    p, why = ot.choose_period(seed_corpus.select(SINGLE_VISIT).documents)
    assert p == "month"
    assert why == ("the dated articles span 30 days (2025-06-01 to 2025-06-30); at most 31 days: days; but only 1 of "
                   "4 dated articles is dated to the day, so months (4 of 4 placed)")


def test_articles_are_placed_counted_and_left_out(grouped, by_group):
    d = ot.date_documents(grouped.documents, "week")
    got = dict(zip(d["doc_id"], zip(d["period"], d["status"], d["published"])))
    assert got == {"l1": ("2025-W03", "placed", "2025-01-14"), "l2": ("2025-W06", "placed", "2025-02-03"),
                   "l3": ("2025-W08", "placed", "2025-02-20"), "r1": ("2025-W02", "placed", "2025-01-09"),
                   "r2": ("", "coarser", "2025-03"), "r3": ("", "undated", ""), "n1": ("2025-W11", "placed", "2025-03-11")}
    d = ot.date_documents(by_group.documents, "month")
    st = ot.status_table(by_group, d, "month", "set by the period parameter").iloc[0]
    assert (st["n_periods"], st["first"], st["last"], st["n_documents"], st["n_placed"]) == (3, "2025-01", "2025-03", 6, 5)
    assert (st["n_undated"], st["undated_ids"], st["n_coarser"], st["n_no_unit"], st["no_unit_ids"]) == (1, "r3", 0, 1, "n1")
    assert st["message"] == ("3 months from 2025-01 to 2025-03: 5 of 6 articles placed. "
                             "Left out: 1 undated (r3); 1 without a group value (n1).")
    assert not st["nothing_to_show"]
    assert ot.period_range(["2025-W02", "2025-W08", "2025-W03"], "week") == [
        "2025-W02", "2025-W03", "2025-W04", "2025-W05", "2025-W06", "2025-W07", "2025-W08"]
    assert ot.period_range(["2024-12", "2025-02"], "month") == ["2024-12", "2025-01", "2025-02"]
    assert ot.period_range(["2024-12-30", "2025-01-01"], "day") == ["2024-12-30", "2024-12-31", "2025-01-01"]
    assert ot.period_range(["2020-W53", "2021-W01"], "week") == ["2020-W53", "2021-W01"]


# --------------------------------------------------------------------------------------- measures

def test_tone_per_month_and_group_by_hand(by_group):
    from framelens.lenses import sentiment

    scores = sentiment.sentence_scores(by_group)
    assert dict(zip(scores["sent_id"], scores["vader_compound"].round(4))) == {
        f"{d}:s{i}": v for d, vs in VADER.items() for i, v in enumerate(vs)} | {f"r3:s{i}": v for i, v in
                                                                                enumerate([-0.4019, -0.2732, 0.0])}
    d = ot.date_documents(by_group.documents, "month")
    t = ot.tone_over_time(scores, d, n_resamples=2000, seed=0).set_index(["period", "source"])
    mean = lambda *docs: np.mean([v for doc in docs for v in VADER[doc]])  # noqa: E731
    expect = {("2025-01", "left"): (mean("l1"), 3, 1, "sentence"), ("2025-01", "right"): (mean("r1"), 3, 1, "sentence"),
              ("2025-01", "(all)"): (mean("l1", "r1"), 6, 2, "document"),
              ("2025-02", "left"): (mean("l2", "l3"), 6, 2, "document"), ("2025-02", "(all)"): (mean("l2", "l3"), 6, 2, "document"),
              ("2025-03", "right"): (mean("r2"), 3, 1, "sentence"), ("2025-03", "(all)"): (mean("r2"), 3, 1, "sentence")}
    assert list(t.index) == list(expect)  # r3 (undated) and n1 (no group) are in no cell
    for key, (m, n, nd, unit) in expect.items():
        row = t.loc[key]
        assert row["mean"] == pytest.approx(m, abs=1e-4), key
        assert (row["n_sentences"], row["n_documents"], row["resampled"]) == (n, nd, unit), key
    assert t.loc[("2025-01", "left"), "mean"] == pytest.approx(0.531767, abs=1e-5)  # (0.4215+0.8126+0.3612)/3
    assert t.loc[("2025-02", "left"), "mean"] == pytest.approx(1.0198 / 6, abs=1e-5)
    # two articles resampled: the means of (l3, l3) = 0.4743/3 and (l2, l2) = 0.5455/3 bound the 95% interval
    assert t.loc[("2025-02", "left"), "ci_low"] == pytest.approx(0.4743 / 3, abs=1e-4)
    assert t.loc[("2025-02", "left"), "ci_high"] == pytest.approx(0.5455 / 3, abs=1e-4)
    # one article: its three sentences are resampled; a resample of three copies of the lowest (highest)
    # sentence has probability 1/27 = 3.7% > 2.5%, so the 95% interval runs from that sentence to that one
    lo, hi = t.loc[("2025-01", "right"), ["ci_low", "ci_high"]]
    assert (lo, hi) == (pytest.approx(-0.4770), pytest.approx(-0.2732))
    assert (t.loc[("2025-01", "left"), "most_positive"], t.loc[("2025-01", "right"), "most_negative"]) == ("l1:s1", "r1:s0")
    assert t.loc[("2025-01", "left"), "most_negative"] == ""  # no negative sentence
    again = ot.tone_over_time(scores, d, n_resamples=2000, seed=0)
    pd.testing.assert_frame_equal(again, t.reset_index()[again.columns])  # seeded


def test_leading_frames_and_actors_by_hand(by_group, tmp_path):
    cb = tmp_path / "cb.toml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    d = ot.date_documents(by_group.documents, "month")
    f = ot.frames_over_time(by_group, d, str(cb), top=2, n_resamples=200)
    # cost: l1:s2 "the cost", r1 "costly" / "taxes" / "budget", r2:s0 "spending"; praise: l1:s1, l1:s2 "welcomed", l2:s0, l2:s2
    assert list(dict.fromkeys(f["frame"])) == ["cost", "praise"]  # cost is carried by 5 dated sentences, praise by 4
    got = {(r.period, r.source, r.frame): (r.sentences, r.n_sentences, r.example_sent_ids) for r in f.itertuples()}
    assert got[("2025-01", "left", "cost")] == (1, 3, "l1:s2")
    assert got[("2025-01", "left", "praise")] == (2, 3, "l1:s1; l1:s2")
    assert got[("2025-01", "right", "cost")] == (3, 3, "r1:s0; r1:s1; r1:s2")
    assert got[("2025-01", "(all)", "cost")] == (4, 6, "l1:s2; r1:s0; r1:s1")
    assert got[("2025-02", "left", "praise")] == (2, 6, "l2:s0; l2:s2")
    assert got[("2025-03", "right", "cost")] == (1, 3, "r2:s0")
    assert f.loc[(f["period"] == "2025-01") & (f["source"] == "right") & (f["frame"] == "cost"), "share"].item() == 1.0
    # a cell of one article resamples its three sentences: r1 carries cost in all three and praise in
    # none → [1, 1] and [0, 0]; l1 carries cost in one of three → bounded by the resamples of three
    # non-carrying (8/27) and of three carrying sentences (1/27 = 3.7% > 2.5%) → [0, 1]
    iv = {(r.period, r.source, r.frame): (r.resampled, r.n_resampled, r.ci_low, r.ci_high) for r in f.itertuples()}
    assert iv[("2025-01", "right", "cost")] == ("sentence", 3, 1.0, 1.0)
    assert iv[("2025-01", "right", "praise")] == ("sentence", 3, 0.0, 0.0)
    assert iv[("2025-01", "left", "cost")] == ("sentence", 3, 0.0, 1.0)

    a = ot.actors_over_time(by_group, d, str(ACTORS), top=2, n_resamples=200)
    # Transit agency: l2:s0, l2:s1, r2:s0, r2:s1 (4 sentences); City council: l1:s0, r1:s0; Mayor: l1:s2, r1:s2 (tie: table order)
    assert list(dict.fromkeys(a["actor"])) == ["Transit agency", "City council"]
    got = {(r.period, r.source, r.actor): (r.sentences, r.mentions, r.n_sentences, round(r.share, 4)) for r in a.itertuples()}
    assert got[("2025-02", "left", "Transit agency")] == (2, 2, 6, round(2 / 6, 4))
    assert got[("2025-03", "right", "Transit agency")] == (2, 2, 3, round(2 / 3, 4))
    assert got[("2025-01", "(all)", "City council")] == (2, 2, 6, round(2 / 6, 4))
    assert got[("2025-01", "left", "Transit agency")] == (0, 0, 3, 0.0)


def test_terms_rise_and_fall_by_log_odds_by_hand(by_group):
    from framelens.lenses.vocabulary import log_odds_z

    d = ot.date_documents(by_group.documents, "month")
    t = ot.terms_over_time(by_group, d, top=3, min_count=2, prior_strength=500.0)
    row = t[(t["period"] == "2025-03") & (t["term"] == "agency")].iloc[0]
    # 2025-03 is r2 alone: 27 terms (11 + 9 + 7 words), "agency" twice; the other months: 67 + 59 = 126 terms, "agency" twice (l2)
    assert (row["direction"], row["rank"], row["count"], row["n_terms"], row["count_rest"]) == ("rises", 1, 2, 27, 2)
    assert row["rate_per_1000"] == pytest.approx(1000 * 2 / 27)
    a_w = 500.0 * 4 / (27 + 126)
    delta = np.log((2 + a_w) / (27 + 500 - 2 - a_w)) - np.log((2 + a_w) / (126 + 500 - 2 - a_w))
    assert row["delta"] == pytest.approx(delta)
    assert row["z"] == pytest.approx(delta / np.sqrt(2 / (2 + a_w)))
    assert row["z"] == pytest.approx(log_odds_z(2, 27, 2, 126, a_w, 500.0)[1])
    assert (row["by_unit"], row["example_sent_ids"], row["within"]) == ("right 2", "r2:s0; r2:s1", "(all)")
    falls = t[(t["period"] == "2025-01") & (t["direction"] == "falls")]
    assert falls["term"].iloc[0] == "agency" and falls["count"].iloc[0] == 0  # absent in January: evidence from the rest
    assert falls["example_sent_ids"].iloc[0] == "l2:s0; l2:s1; r2:s0"
    per_unit = ot.terms_over_time(by_group, d, top=3, min_count=2, within="unit")
    assert set(per_unit["within"]) <= {"left", "right"}
    with pytest.raises(FramelensError, match="^terms_by: 'outlet' is not one of pooled, unit$"):
        ot.terms_over_time(by_group, d, within="outlet")


def test_units_sharing_a_label_are_told_apart():
    assert ot.unit_names({"a": "Left Daily", "b": "Left Daily", "c": "Right Post", "Left Daily": "Left Daily"}) == {
        "a": "Left Daily (a)", "b": "Left Daily (b)", "c": "Right Post", "Left Daily": "Left Daily"}


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_many_units_are_drawn_as_the_largest_and_others(grouped):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_outlet = grouped.by("outlet")
    res = ot.over_time(by_outlet, period="month", max_units=2, n_resamples=100, actors=str(ACTORS))
    st = res["status"].iloc[0]
    # 6 sentences each (2 articles): Left Daily and Right Post; Progress Weekly (l3) and Neutral Wire (n1) are "others"
    assert st["units_drawn"] == "Left Daily; Right Post" and st["n_units"] == 5
    tone = res["tone"]
    others = tone[tone["source"] == "(others)"]
    assert others["period"].tolist() == ["2025-02", "2025-03"] and others["n_sentences"].tolist() == [3, 3]
    assert set(others["label"]) == {"others (2 units)"} and others["drawn"].all()
    assert tone.loc[tone["source"] == "Progress Weekly", "drawn"].tolist() == [False]
    assert others["mean"].iloc[0] == pytest.approx(np.mean(VADER["l3"]), abs=1e-4)


def test_one_period_and_no_period_say_there_is_nothing_to_show(seed_corpus, grouped):
    res = ot.over_time(seed_corpus.select(SINGLE_VISIT), n_resamples=50)
    st = res["status"].iloc[0]
    assert st["nothing_to_show"] and st["n_periods"] == 1 and st["periods"] == "2025-06"
    assert st["message"] == ("One period: nothing to show over time — all 4 placed articles fall in the same month, "
                             "2025-06, so no measure can change; a change over time needs articles from at least two "
                             "periods. A finer period cannot help: only 1 of 4 articles is dated to the day.")
    assert all(res[k].empty for k in ("tone", "frames", "actors", "terms", "term_rates"))
    assert ot.headline(res).startswith("One period: nothing to show over time")
    assert ot.describe(res["status"]).startswith("**Nothing to show over time.** One period: all 4 placed articles fall")
    # by day, only switchtv is placed: still one period, and three articles are left out as coarser
    day = ot.over_time(seed_corpus.select(SINGLE_VISIT), period="day", n_resamples=50)["status"].iloc[0]
    assert (day["n_periods"], day["n_coarser"], day["first"]) == (1, 3, "2025-06-16")
    assert "Left out: 3 dated less precisely than the day (writerdog, cgtn, astanatimes)." in day["message"]
    week = ot.over_time(grouped.select(["leftdaily"]), period="month", n_resamples=50)["status"].iloc[0]
    assert week["n_periods"] == 2  # l1 in January, l2 in February
    one = ot.over_time(grouped.select(["progress"]), period="month", n_resamples=50)["status"].iloc[0]
    assert one["message"] == ("One period: nothing to show over time — the one placed article falls in the same month, "
                              "2025-02, so no measure can change; a change over time needs articles from at least two "
                              "periods. Set the period parameter to day or week to split it more finely.")
    none = ot.over_time(grouped.select(["heritage"]), n_resamples=50)["status"].iloc[0]
    assert none["nothing_to_show"] and none["message"].startswith("No period: nothing to show over time — no article is dated.")
    none_status = ot.over_time(grouped.select(["heritage"]), n_resamples=50)["status"]
    assert ot.describe(none_status).startswith("**Nothing to show over time.** No period: no article is dated.")
    assert "Period: **" not in ot.describe(none_status)  # no period was used, none is named


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_whole_corpus_and_its_figures(by_group, seed_corpus):
    from framelens.report.plots import over_time as plots

    res = ot.over_time(by_group, period="month", actors=str(ACTORS), n_resamples=100, min_count=2)
    assert ot.headline(res) == ("3 months from 2025-01 to 2025-03 (5 of 6 articles placed); mean tone (all units) "
                                "+0.09 in 2025-01 (n=6) and -0.31 in 2025-03 (n=3); the leading frame, Economic "
                                "consequences, carried by 67% of sentences in 2025-01 and 67% in 2025-03; "
                                "1 undated article left out.")
    rates = res["term_rates"].set_index(["term", "period"])
    assert rates.loc[("agency", "2025-03"), "count"] == 2 and rates.loc[("agency", "2025-01"), "count"] == 0
    for fig in (plots.tone(res["tone"], res["status"], colors=by_group.colors),
                plots.frames(res["frames"], res["status"]), plots.actors(res["actors"], res["status"]),
                plots.terms(res["terms"], res["term_rates"], res["status"])):
        assert fig.axes and fig.axes[0].get_title() or fig._suptitle is not None
    one = ot.over_time(seed_corpus.select(SINGLE_VISIT), n_resamples=50)
    fig = plots.tone(one["tone"], one["status"])
    assert "One period" in " ".join(t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(FramelensError, match="^max_units: must be at least 1, got 0$"):
        ot.over_time(by_group, max_units=0)


# --------------------------------------------------------------------------------------- map / reduce

@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
@pytest.mark.parametrize("fold_rows", [None, 1])  # 1: the term counts folded after every partition
def test_any_partitioning_gives_the_same_over_time_tables(grouped, fold_rows, monkeypatch):
    """The part's map runs on runs of documents and its reduce merges text-free partials: 1, 3 and 16
    partitions (more than the 7 articles: one each) give the whole-corpus function's tables, for the
    pooled and the per-unit terms and with an (others) row."""
    from framelens.store import parts
    from framelens.tables import mapreduce

    if fold_rows:
        monkeypatch.setattr(mapreduce, "FOLD_ROWS", fold_rows)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for corp, extra in ((grouped.by("group"), {"min_count": 2}),
                            (grouped.by("outlet"), {"terms_by": "unit", "max_units": 2, "min_count": 2})):
            acts = parts.compute_in_memory("actors", corp, {"actors": str(ACTORS)})
            opts = parts.resolve_options("over_time", {"period": "month", "n_resamples": 200, "actors": str(ACTORS),
                                                       **extra})
            dating = parts.compute_in_memory("dating", corp, {"period": "month", "max_units": opts["max_units"]})
            whole = ot.over_time(corp, period="month", n_resamples=200, actors=str(ACTORS), **extra)
            assert len(whole["terms"]) and len(whole["actors"]) and len(whole["frames"])
            # tone and frames come from the sentiment and framing parts (computed once, not again here)
            shared = {n: parts.compute_in_memory(n, corp, {k: v for k, v in opts.items()
                                                            if k in parts.PARTS[n].all_options()})
                      for n in ("sentiment", "framing")}
            for k in (1, 3, 16):
                got, info = parts.compute_part("over_time", corp, opts, {"actors": acts, "dating": dating, **shared},
                                               partitions=k)
                assert list(got) == list(whole) and info["n_periods"] == 3
                for name, df in whole.items():
                    pd.testing.assert_frame_equal(got[name], df, obj=f"{name} (k={k})")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_map_keeps_no_text_and_the_reduce_adds_counts_across_partitions(by_group):
    from framelens.store import parts

    d = ot.date_documents(by_group.documents, "month")
    pieces = [ot.over_time_map(p, d, actors=str(ACTORS)) for p in parts.split_corpus(by_group, 3)]
    for piece in pieces:
        for name, df in piece.items():
            assert not {"text", "norm"} & set(df.columns), name
    # "agency" in 2025-03 (right: r2:s0, r2:s1) and 2025-02 (left: l2:s0, l2:s1), as the hand-computed terms test
    terms = pd.concat([p["terms"] for p in pieces])
    agency = terms[terms["term"] == "agency"].set_index(["period", "source"])["count"].to_dict()
    assert agency == {("2025-02", "left"): 2, ("2025-03", "right"): 2}
    totals = pd.concat([p["term_totals"] for p in pieces]).groupby("period")["n_terms"].sum()
    assert totals["2025-03"] == 27 and totals.drop("2025-03").sum() == 126  # as in the log-odds test
    merged = ot.over_time_reduce(pieces, d, actors=str(ACTORS), min_count=2, n_resamples=200)
    row = merged["terms"][(merged["terms"]["period"] == "2025-03") & (merged["terms"]["term"] == "agency")].iloc[0]
    assert (row["count"], row["n_terms"], row["count_rest"], row["example_sent_ids"]) == (2, 27, 2, "r2:s0; r2:s1")


# --------------------------------------------------------------------------------------- store, runner, notebook

@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_part_round_trips_and_keys_its_options(tmp_path):
    from framelens.store import lens_store as store

    lens = store.LensStore(tmp_path / "st", GROUPED, by="group")
    T = lens.part("over_time", period="month", n_resamples=200, actors=str(ACTORS))
    assert T["status"]["message"].item().startswith("3 months from 2025-01 to 2025-03")
    assert T.info["period"] == "month" and T.info["n_periods"] == 3
    assert T["tone"].set_index(["period", "source"]).loc[("2025-02", "left"), "n_sentences"] == 6
    assert lens.part_key("over_time", {"period": "month"}) != lens.part_key("over_time", {"period": "week"})
    one = store.LensStore(tmp_path / "st", HERE.parent / "seeds", sources=SINGLE_VISIT).part("over_time", n_resamples=50)
    assert one["status"]["nothing_to_show"].item() and one["tone"].empty and list(one["tone"].columns) == ot.TONE_COLUMNS
    with pytest.raises(FramelensError, match="^period: 'fortnight' is not a period"):
        lens.part("over_time", period="fortnight")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_computes_over_time_on_its_partitions(tmp_path, by_group, monkeypatch):
    from framelens.store import ingest
    from framelens.store import lens_store as store

    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 2)
    lens = store.LensStore(tmp_path / "p", GROUPED, by="group")
    T = lens.part("over_time", period="month", n_resamples=200, actors=str(ACTORS), min_count=2)
    assert len(lens.partitions()) == 4 and lens._loaded is None  # the whole corpus was never loaded
    whole = ot.over_time(by_group, period="month", n_resamples=200, actors=str(ACTORS), min_count=2)
    for name, df in whole.items():
        pd.testing.assert_frame_equal(T[name], df, obj=name, check_dtype=False)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.notebook
def test_notebook_07_on_the_dated_fixture_and_on_one_period(tmp_path, seeds_dir):
    from framelens.run import runner

    reg = [nb for nb in runner.NOTEBOOKS if nb.name == "07_over_time"]
    assert reg and reg[0].parts == ("over_time",)
    summary = runner.run_suite(GROUPED, tmp_path / "out", registry=reg, only=["07"], by="group", progress=None,
                               params=["period=month", "n_resamples=200", f"actors={ACTORS}"])
    assert summary.ok, [(r.name, r.error) for r in summary.failed]
    page = (tmp_path / "out" / summary.results[0].report).read_text(encoding="utf-8")
    text = _text(page)
    assert "3 months from 2025-01 to 2025-03: 5 of 6 articles placed. Left out: 1 undated (r3); 1 without a group value (n1)." in text
    assert summary.results[0].headline.startswith("3 months from 2025-01 to 2025-03 (5 of 6 articles placed)")
    assert 'href="../articles/r2.html#s0"' in page  # evidence ids link to the sentence
    for fig in ("over_time_tone", "over_time_frames", "over_time_terms", "over_time_actors"):
        assert (tmp_path / "out" / "figures" / f"{fig}.png").is_file()
    tone = pd.read_csv(tmp_path / "out" / "tables" / "over_time_tone.csv")
    left = tone[(tone["period"] == "2025-01") & (tone["source"] == "left")].iloc[0]
    assert left["mean"] == pytest.approx(0.531767, abs=1e-5) and left["n_sentences"] == 3

    summary = runner.run_suite(seeds_dir, tmp_path / "one", registry=reg, only=["07"], progress=None,
                               params=[(None, "sources", SINGLE_VISIT), "n_resamples=50"])
    assert summary.ok, [(r.name, r.error) for r in summary.failed]
    text = _text((tmp_path / "one" / summary.results[0].report).read_text(encoding="utf-8"))
    assert "Nothing to show over time. One period: all 4 placed articles fall in the same month, 2025-06" in text
    assert "only 1 of 4 articles is dated to the day" in text
    assert summary.results[0].headline.startswith("One period: nothing to show over time")


def test_per_document_aggregates_by_hand():
    # two articles, each alone in its cell: a (unit X, three sentences), b (unit Y, two sentences)
    sentences = pd.DataFrame({"sent_id": ["a:s0", "a:s1", "a:s2", "b:s0", "b:s1"], "doc_id": ["a"] * 3 + ["b"] * 2,
                              "source": ["X"] * 3 + ["Y"] * 2, "vader_compound": [0.5, -0.2, 0.5, 0.0, 0.1],
                              "period": ["2025-01"] * 5}).astype({"doc_id": "category", "source": "category"})
    hits = pd.DataFrame({"row": [0, 1, 2, 2, 3, 3], "frame": ["f2", "f1", "f1", "f2", "f1", "f1"]})
    dating = pd.DataFrame({"doc_id": ["a", "b"], "source": ["X", "Y"], "label": ["X", "Y"], "status": "placed",
                           "n_sentences": [3, 2], "period": "2025-01"})
    p = ot._Placed([{"sentences": sentences, "frame_hits": hits}], dating, max_units=8, value="vader_compound",
                   frames=lambda counts: ot.leading(counts, 5))
    assert p.keys["frame"] == ["f1", "f2"]  # f1 carried by rows 1, 2, 3; f2 by rows 0, 2
    agg = p.hits["frame"]
    np.testing.assert_array_equal(agg["carry"], [[2, 2], [1, 0]])  # b:s0 carries f1 once (the pair repeats)
    np.testing.assert_array_equal(agg["mentions"], [[2, 2], [2, 0]])
    assert agg["examples"] == {(0, 0): ["a:s1", "a:s2"], (0, 1): ["a:s0", "a:s2"], (1, 0): ["b:s0"]}
    # alone in their cells: the per-sentence indicators (rows: the article's sentences; columns f1, f2)
    np.testing.assert_array_equal(p.alone[0]["frame"], [[0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(p.alone[1]["frame"], [[1, 0], [0, 0]])
    np.testing.assert_allclose(p.tone["sum"], [0.8, 0.1])
    assert list(p.tone["max_id"]) == ["a:s0", "b:s1"] and list(p.tone["min_id"]) == ["a:s1", "b:s0"]
    np.testing.assert_array_equal(p.alone[0]["tone"], [0.5, -0.2, 0.5])
    assert [(g["source"], list(g["idx"])) for g in p.cells] == [("X", [0]), ("Y", [1]), ("(all)", [0, 1])]


def test_fold_terms_merges_examples_of_keys_seen_in_several_rows_by_hand():
    # key (p=0, u=0, t=1) appears in three rows (merged first, then two partitions): its first three
    # valid positions read row after row are 1, 2, 3; key (0, 0, 2) is in one row only and keeps it;
    # key (1, 0, 1) has two rows with no valid position in the first
    c = pd.DataFrame({"p": [0, 0, 1, 0, 1, 0], "u": [0, 0, 0, 0, 0, 0], "t": [1, 2, 1, 1, 1, 1],
                      "count": [2, 5, 1, 3, 4, 1], "n_docs": [1, 2, 1, 2, 3, 1],
                      "e0": [1, 7, -1, 3, 8, 11], "e1": [2, -1, -1, 4, 9, -1], "e2": [-1, -1, -1, 6, -1, -1]})
    out = ot._fold_terms(c).sort_values(["p", "t"]).reset_index(drop=True)
    assert out[["p", "u", "t"]].values.tolist() == [[0, 0, 1], [0, 0, 2], [1, 0, 1]]
    assert out["count"].tolist() == [2 + 3 + 1, 5, 1 + 4]
    assert out["n_docs"].tolist() == [1 + 2 + 1, 2, 1 + 3]
    assert out[["e0", "e1", "e2"]].values.tolist() == [[1, 2, 3], [7, -1, -1], [8, 9, -1]]


def test_counts_in_the_status_message_have_thousands_separators():
    # an analyst reads "1,200 of 1,500", not "1200 of 1500", at the scale of a real archive
    from types import SimpleNamespace

    n, placed = 1_500, 1_200
    dating = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)],
                           "status": ["placed"] * placed + ["undated"] * (n - placed),
                           "period": ["2025-01"] * 700 + ["2025-02"] * 500 + [""] * (n - placed),
                           "precision": ["day"] * placed + [""] * (n - placed), "source": ["a", "b"] * (n // 2),
                           "n_sentences": 20})
    st = ot.status_table(SimpleNamespace(left_out=[], unit="source"), dating, "month", "set by hand").iloc[0]
    assert st["message"].startswith("2 months from 2025-01 to 2025-02: 1,200 of 1,500 articles placed. Left out: 300 "
                                    "undated (")
    assert (st["n_placed"], st["n_documents"], st["n_undated"]) == (1_200, 1_500, 300)
