"""Figures stay bounded and legible whatever the corpus: at most a few dozen rows (the largest
sources, then one pooled "others" row with hand-checked numbers), titles that count instead of
listing, and colours that stay apart past a dozen sources (issue 9 item 9, issue 13)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from framelens.core import palette  # noqa: E402
from framelens.report.plots import corpus as corpus_plots  # noqa: E402
from framelens.report.plots import framing as framing_plots  # noqa: E402
from framelens.report.plots import limits  # noqa: E402
from framelens.report.plots import sentiment as sentiment_plots  # noqa: E402
from framelens.report.plots import synthesis as synthesis_plots  # noqa: E402
from framelens.report.plots import vocabulary as vocab_plots  # noqa: E402
from framelens.lenses.synthesis import CombinedSimilarity  # noqa: E402

#: 3,000 sources, source i with i + 1 sentences: the 30 largest are the last 30.
MANY = [f"s{i:04d}" for i in range(3000)]
SIZES = {s: float(i + 1) for i, s in enumerate(MANY)}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture()
def many_registered():
    """The 3,000 units as a corpus gives them (``corpus.sources``): a list carrying its palette."""
    return palette.Units(MANY, palette.Palette(MANY, SIZES))


def size(fig) -> tuple[float, float]:
    w, h = fig.get_size_inches()
    return float(w), float(h)


def ylabels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


# ------------------------------------------------------------------ palette and ranking


def test_palette_has_twelve_distinct_colours_then_changes_marker_hatch_and_line():
    assert len(palette.COLORS) == len(set(palette.COLORS)) == 12
    assert palette.OTHERS_COLOR not in palette.COLORS
    assert palette.style_at(0) == palette.SourceStyle("#0072B2", "o", "", "-")
    assert palette.style_at(11).color == "#44AA99"
    assert palette.style_at(12) == palette.SourceStyle("#0072B2", "s", "////", "--")
    assert palette.style_at(25) == palette.SourceStyle("#E69F00", "^", "....", ":")
    pairs = {(palette.style_at(i).color, palette.style_at(i).marker) for i in range(96)}
    assert len(pairs) == 96  # colour and marker together tell 96 sources apart


def test_a_source_keeps_its_style_in_any_selection():
    pal = palette.Palette(MANY[:40], {s: 1.0 for s in MANY[:40]})
    assert palette.source_styles(["s0013", "s0030"], pal) == {"s0013": palette.style_at(13), "s0030": palette.style_at(30)}
    assert palette.source_colors(["s0025"], pal) == {"s0025": palette.COLORS[1]}
    assert palette.source_markers(palette.Units(["s0025"], pal)) == {"s0025": "^"}  # carried by the list
    # unknown sources, or no palette: positions in the list given
    assert palette.source_colors(["x", "y"], pal) == {"x": palette.COLORS[0], "y": palette.COLORS[1]}
    assert palette.source_colors(["s0025"]) == {"s0025": palette.COLORS[0]}


def test_top_sources_by_registered_sentences_else_by_weights(many_registered):
    pal = many_registered.palette
    shown, rest = limits.top_sources(["s0001", "s0005", "s0003", "s0004"], top=2, palette=pal)
    assert shown == ["s0005", "s0004"] and rest == ["s0003", "s0001"]  # shown in the order given
    assert limits.basis(["s0001"], "rows", pal) == "sentences"
    assert limits.basis(["s0001"], "rows") == "rows"  # no palette given or carried
    # not registered: the weights given; ties keep the order given
    shown, rest = limits.top_sources(["a", "b", "c", "d"], top=2, weights={"a": 1, "b": 5, "c": 1, "d": 1})
    assert shown == ["a", "b"] and rest == ["c", "d"]
    assert limits.basis(["a"], "rows") == "rows"
    assert limits.top_sources(["a", "b"], top=None) == (["a", "b"], [])
    assert limits.others_label(["a"]) == "others (1 source)"
    assert limits.shown_note(["a", "b"], ["c", "d", "e"]) == (
        "the 2 largest of 5 sources (by sentences); the other 3 pooled as 'others'; every source is in the CSV")
    assert limits.shown_note(["a"], []) == ""


def test_a_loaded_corpus_holds_its_palette_and_its_units_carry_it(mini_corpus):
    w = palette.registered_weights(mini_corpus.sources)
    assert w == mini_corpus.documents.groupby("source")["n_sentences"].sum().astype(float).to_dict()
    pal = mini_corpus.palette
    assert palette.palette_of(mini_corpus.sources) is palette.palette_of(mini_corpus.labels) is pal
    assert palette.palette_of(mini_corpus.colors) is pal and mini_corpus.palette is pal  # computed once
    last = mini_corpus.sources[-1]
    sub = mini_corpus.select([last])
    assert sub.colors[last] == mini_corpus.colors[last] == palette.style_at(len(mini_corpus.sources) - 1).color
    assert palette.source_colors(sub.sources) == {last: mini_corpus.colors[last]}  # a selection keeps its colour
    assert not hasattr(palette, "_REGISTERED") and not hasattr(palette, "register_sources")  # no module state


# ------------------------------------------------------------------ the corpus overview


def _timeline_table(n: int, *, sources: list[str] | None = None, dated: bool = True) -> pd.DataFrame:
    srcs = sources or [f"s{i:04d}" for i in range(n)]
    start = pd.to_datetime([f"2025-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}" for i in range(n)]) if dated else pd.NaT
    tl = pd.DataFrame({"doc_id": [f"a{i:05d}" for i in range(n)], "source": [srcs[i % len(srcs)] for i in range(n)],
                       "event": "", "start": start, "precision": "day" if dated else "unknown"})
    tl["label"] = tl["source"].str.upper()
    tl["end"] = tl["start"]
    return tl


def test_timeline_of_2712_undated_articles_is_one_small_message():
    tl = _timeline_table(2712, sources=[f"o{i}" for i in range(8)], dated=False)
    fig = corpus_plots.timeline(tl)
    assert size(fig) == (9.0, 2.4)
    words = " ".join(texts(fig))
    assert "none of the 2,712 articles in 8 sources has one" in words and "a00001" not in words


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_timeline_of_3000_sources_shows_the_30_largest_and_others(many_registered):
    tl = _timeline_table(3000, sources=MANY)
    tl.loc[tl["source"].isin(["s0000", "s2999"]), ["start", "end"]] = pd.NaT  # two undated
    fig = corpus_plots.timeline(tl, sources=many_registered)
    ax = fig.axes[0]
    labels = ylabels(ax)
    assert len(labels) == 31
    assert labels[0] == "S2970 (n=1)" and labels[-1] == "others (2970 sources) (n=2,970)"
    w, h = size(fig)
    assert w <= 10 and h <= 16
    assert "(3,000 articles, 2,998 dated, 2 with no date (counted at the right))" in ax.get_title()
    assert sorted(t for t in texts(fig) if "undated" in t) == [" 1 undated", " 1 undated"]  # s2999 and the others


def test_timeline_of_a_few_articles_names_the_undated_ones_and_counts_many():
    tl = _timeline_table(6)
    tl.loc[5, ["start", "end"]] = pd.NaT
    fig = corpus_plots.timeline(tl)
    assert ylabels(fig.axes[0])[0] == "S0000 (a00000)" and len(ylabels(fig.axes[0])) == 5
    assert fig.axes[0].get_title().endswith("(date unknown: S0005 (a00005))")
    tl = _timeline_table(30)
    tl.loc[10:, ["start", "end"]] = pd.NaT
    fig = corpus_plots.timeline(tl)
    assert fig.axes[0].get_title().endswith("(date unknown: 20 articles with no date)")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_lengths_beyond_40_articles_are_boxes_per_source(many_registered):
    lt = pd.DataFrame({"doc_id": [f"a{i}" for i in range(3000)], "source": MANY, "label": MANY,
                       "n_words": np.arange(3000) + 100, "n_sentences": np.arange(3000) % 20 + 1})
    fig = corpus_plots.lengths(lt, sources=many_registered)
    labels = ylabels(fig.axes[0])
    assert len(labels) == 31 and labels[-1] == "others (2970 sources) (n=2,970)"
    assert size(fig)[1] <= 16
    few = corpus_plots.lengths(lt.head(5), sources=many_registered)
    assert len(ylabels(few.axes[0])) == 5  # a few articles: one bar each


def test_audit_beyond_40_articles_sums_per_rule():
    summary = pd.DataFrame({"doc_id": [f"a{i}" for i in range(100)] + ["a0"], "rule": ["byline"] * 100 + ["caption"],
                            "spans": 1, "characters": [10] * 100 + [7]})
    fig = corpus_plots.audit(summary)
    assert ylabels(fig.axes[0]) == ["byline", "caption"]
    assert " 1,000 characters · 100 spans in 100 articles" in texts(fig)
    assert size(fig)[1] < 3


# ------------------------------------------------------------------ lens figures at 3,000 sources


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_sentiment_distribution_pools_the_others(many_registered):
    scores = pd.DataFrame({"source": MANY, "label": MANY, "vader_compound": np.linspace(-1, 1, 3000)})
    fig = sentiment_plots.distribution(scores, sources=many_registered)
    ax = fig.axes[0]
    labels = ylabels(ax)
    assert len(labels) == 31 and labels[0] == "s2970 (n = 1)" and labels[-1] == "others (2970 sources) (n = 2,970)"
    others_mean = float(np.linspace(-1, 1, 3000)[:2970].mean())
    diamonds = [ln for ln in ax.get_lines() if ln.get_marker() == "D" and ln.get_ydata()[0] == pytest.approx(0.34)]
    assert diamonds and diamonds[0].get_xdata()[0] == pytest.approx(others_mean)
    assert size(fig)[1] <= 18


def test_sentence_points_past_the_cap_are_a_random_sample_and_the_figures_say_so(monkeypatch):
    # 2 sources of 40 and 8 sentences; caps of 10 points a row and 12 in the scatter: the rows
    # and the scatter draw samples (distinct sentences, none invented), while boxes, n, means
    # and r stay over every sentence, and the figures say what was drawn
    monkeypatch.setattr(sentiment_plots, "POINTS_PER_ROW", 10)
    monkeypatch.setattr(sentiment_plots, "SCATTER_POINTS", 12)
    v = np.round(np.linspace(-0.9, 0.9, 48), 4)
    scores = pd.DataFrame({"source": ["a"] * 40 + ["b"] * 8, "label": ["A"] * 40 + ["B"] * 8,
                           "vader_compound": v, "textblob_polarity": -v / 2})
    fig = sentiment_plots.distribution(scores, sources=["a", "b"])
    ax = fig.axes[0]
    assert ylabels(ax) == ["A\n(n = 40)", "B\n(n = 8)"]
    pts = {round(float(np.mean(c.get_offsets()[:, 1]))): c.get_offsets()[:, 0] for c in ax.collections if len(c.get_offsets()) > 1}
    assert len(pts[1]) == 10 and len(set(pts[1])) == 10 and set(pts[1]) <= set(v[:40])  # a (top row): 10 of 40
    assert sorted(pts[0]) == sorted(v[40:])  # b: all 8
    medians = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_color() == "0.35" and len(set(ln.get_ydata())) == 2
               and len(set(ln.get_xdata())) == 1]
    assert float(np.median(v[:40])) in [pytest.approx(m) for m in medians]  # a's box is over all 40
    assert any("points: a random 10 of a row's sentences where it has more (box, mean and n: all)" in t for t in texts(fig))
    fig = sentiment_plots.method_scatter(scores, sources=["a", "b"])
    ax = fig.axes[0]
    drawn = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert len(drawn) == 12 and len(set(drawn)) == 12 and set(drawn) <= set(v)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A (n = 40)", "B (n = 8)"]
    assert ax.get_title().endswith("Pearson r = -1.00 over 48 sentences (12 drawn at random)")
    plt.close("all")
    # under the caps nothing is sampled or said
    monkeypatch.setattr(sentiment_plots, "POINTS_PER_ROW", 40)
    monkeypatch.setattr(sentiment_plots, "SCATTER_POINTS", 48)
    assert not any("points: a random" in t for t in texts(sentiment_plots.distribution(scores, sources=["a", "b"])))
    assert "drawn at random" not in sentiment_plots.method_scatter(scores, sources=["a", "b"]).axes[0].get_title()
    plt.close("all")


def test_subjectivity_others_bar_is_the_sentence_weighted_mean():
    table = pd.DataFrame({"source": ["a", "b", "c", "d"], "label": ["A", "B", "C", "D"], "n": [10, 30, 20, 5],
                          "mean": [0.2, 0.5, 0.4, 0.8], "ci_low": 0.1, "ci_high": 0.9})
    fig = sentiment_plots.subjectivity(table, sources=["a", "b", "c", "d"], max_sources=2)
    ax = fig.axes[0]
    assert ylabels(ax) == ["B\n(n = 30)", "C\n(n = 20)", "others (2 sources)\n(n = 15)"]  # top to bottom
    widths = {round(p.get_y() + p.get_height() / 2): p.get_width() for p in ax.patches}
    assert widths[0] == pytest.approx((10 * 0.2 + 5 * 0.8) / 15)  # a and d pooled: 0.4
    assert widths[2] == pytest.approx(0.5)


def test_actor_heatmap_others_row_is_the_mention_weighted_mean():
    table = pd.DataFrame({"source": ["s1", "s2", "s3"], "label": ["S1", "S2", "S3"], "actor": "X",
                          "n": [5, 3, 1], "mean": [0.5, -0.2, 0.8]})
    fig = sentiment_plots.actor_heatmap(table, max_sources=1)
    assert ylabels(fig.axes[0]) == ["S1", "others (2 sources)"]
    assert "+0.05\nn=4" in texts(fig)  # (3 × −0.2 + 1 × 0.8) / 4


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_arc_and_scatter_legends_stay_short(many_registered):
    arc = pd.DataFrame({"source": np.repeat(MANY, 2), "label": np.repeat(MANY, 2), "bin": [0, 1] * 3000,
                        "position": [0.25, 0.75] * 3000, "n": 1, "mean": 0.1, "smoothed": 0.1})
    fig = sentiment_plots.arc(arc, sources=many_registered)
    assert len(fig.axes[0].get_legend().get_texts()) == 13
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "others (2988 sources) (n = 5,976)"
    assert size(fig) == (11.0, 5.5)
    scores = pd.DataFrame({"source": MANY, "label": MANY, "vader_compound": 0.1, "textblob_polarity": 0.2})
    fig = sentiment_plots.method_scatter(scores, sources=many_registered)
    assert len(fig.axes[0].get_legend().get_texts()) == 13 and size(fig) == (9.5, 6.0)


def test_salience_heatmap_pools_the_others_sentences():
    d = pd.DataFrame({"source": ["s1", "s2", "s3"], "label": ["S1", "S2", "S3"], "frame": "f", "name": "Frame F",
                      "sentences": [10, 20, 3], "n_sentences": [100, 50, 30], "share": [0.1, 0.4, 0.1]})
    fig = framing_plots.salience_heatmap(d, max_sources=1)
    assert ylabels(fig.axes[0]) == ["S1 (100 sent.)", "others (2 sources) (80 sent.)"]
    assert "29%\nn=23" in texts(fig)  # 23 / 80 = 28.75%


def test_certainty_and_prominence_pool_counts():
    c = pd.DataFrame({"source": ["a", "b", "c"], "label": ["A", "B", "C"], "measure": "hedges", "count": [50, 2, 6],
                      "words": [10000, 1000, 3000], "per_1000_words": [5.0, 2.0, 2.0], "ci_low": 1.0, "ci_high": 9.0})
    fig = framing_plots.certainty_bars(c, sources=["a", "b", "c"], max_sources=1)
    heights = sorted(round(p.get_height(), 6) for p in fig.axes[0].patches)
    assert heights == [2.0, 5.0]  # others: (2 + 6) / 4,000 words × 1,000
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["A", "others (2 sources)"]
    p = pd.DataFrame({"source": ["a", "a", "b", "b", "c"], "actor": ["X", "Y", "X", "Y", "X"],
                      "mentions": [8, 2, 1, 3, 4], "share": [0.8, 0.2, 0.25, 0.75, 1.0]})
    fig = framing_plots.prominence_bars(p, sources=["a", "b", "c"], max_sources=1)
    bars = [(round(b.get_x() + b.get_width() / 2), round(b.get_height(), 4)) for b in fig.axes[0].patches]
    assert sorted(bars) == [(0, 0.625), (0, 0.8), (1, 0.2), (1, 0.375)]  # others: X 5/8, Y 3/8


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_coverage_grid_keeps_20_source_columns_and_counts_the_others(many_registered):
    m = pd.DataFrame({"item": ["i1", "i2"], "kind": "entity", "label": ["One", "Two"], "n_sources": [3000, 2],
                      "unique_to": "", "omitted_by": "", "evidence": ""})
    counts = pd.DataFrame({s: [1, 1 if s in ("s0000", "s2999") else 0] for s in MANY})
    m = pd.concat([m, counts], axis=1)
    fig = framing_plots.coverage_plot(m, many_registered)
    ax = fig.axes[0]
    assert len(ax.get_xticklabels()) == 21 and ax.get_xticklabels()[-1].get_text() == "others (2980 sources)"
    assert "2980/2980" in texts(fig) and "1/2980" in texts(fig)  # i2: s0000 is among the others
    assert size(fig)[0] <= 21


def test_naming_pools_the_others_mentions():
    d = pd.DataFrame({"referent": "r", "variant": ["v1", "v2", "v1", "v2", "v1"],
                      "source": ["a", "a", "b", "b", "c"], "label": ["A", "A", "B", "B", "C"], "count": [9, 1, 1, 1, 2]})
    fig = vocab_plots.naming(d, "r", sources=["a", "b", "c"], max_sources=1)
    assert ylabels(fig.axes[0]) == ["A (n=10)", "others (2 sources) (n=4)"]
    widths = sorted(round(p.get_width(), 4) for p in fig.axes[0].patches)
    assert widths == [0.1, 0.25, 0.75, 0.9]  # others: v1 3 of 4, v2 1 of 4


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_vocabulary_figures_bounded(many_registered):
    srcs = MANY[-50:]
    div = pd.DataFrame({"source": srcs, "label": srcs, "n_tokens": 1000, "mtld": 80.0, "mattr": 0.7, "window": 50,
                        "short_for_window": False, "ttr": 0.4})
    fig = vocab_plots.diversity(div, sources=many_registered)
    assert len(ylabels(fig.axes[0])) == 30 and size(fig)[1] <= 17
    dist = pd.DataFrame({"source": np.repeat(srcs, 3), "label": np.repeat(srcs, 3), "term": ["t1", "t2", "t3"] * 50,
                         "z": 2.0, "count": 5, "count_rest": 1})
    fig = vocab_plots.distinctive_terms(dist, sources=many_registered, top=100)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 12 and panels[0].get_title() == "s2988" and size(fig)[1] <= 22
    assert len(panels[0].get_yticklabels()) == 3  # its three terms (at most 15 drawn)
    sim = pd.DataFrame(np.full((50, 50), 0.5), index=srcs, columns=srcs)
    fig = vocab_plots.similarity_heatmap(sim, palette=many_registered.palette)
    assert len(ylabels(fig.axes[0])) == 20 and max(size(fig)) <= 18
    assert "the 20 largest of 50 sources (by sentences)" in fig.axes[0].get_title()


def _combined(srcs: list[str]) -> CombinedSimilarity:
    rng = np.random.default_rng(0)
    m = rng.uniform(0, 1, (len(srcs), len(srcs)))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 0)
    d = pd.DataFrame(m, index=srcs, columns=srcs)
    return CombinedSimilarity(d, {"vocabulary": d}, {"vocabulary": d, "sentiment": d, "framing": d}, pd.DataFrame(),
                              None, list(srcs), "minmax")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_synthesis_figures_bounded(many_registered):
    srcs = MANY[-60:]
    sim = _combined(srcs)
    fig = synthesis_plots.similarity_heatmap(sim, labels=palette.UnitMap({s: s for s in srcs}, many_registered.palette))
    heat = fig.axes[1]
    assert sorted(ylabels(heat)) == sorted(srcs[-20:]) and max(size(fig)) <= 17
    fig = synthesis_plots.lens_heatmaps(sim)
    assert max(size(fig)) <= 16
    assert sum(1 for ax in fig.axes if ax.get_title() in ("vocabulary", "sentiment", "framing", "combined")) == 4
    measures = pd.DataFrame({"source": np.repeat(srcs, 2), "label": np.repeat(srcs, 2),
                             "measure": ["Mean tone", "Hedges per 1,000 words"] * 60, "value": 0.1,
                             "ci_low": 0.0, "ci_high": 0.2, "n": 20})
    fig = synthesis_plots.profile_multiples(measures, sources=many_registered, highlight=srcs[0])
    labels = ylabels(fig.axes[0])
    assert len(labels) == 30 and srcs[0] in labels and srcs[-1] in labels and srcs[30] not in labels
    assert size(fig)[1] <= 12


def test_profile_strips_rank_the_source_among_every_source():
    """Ranks by hand: tone a 0.1, b 0.3, c no value, d 0.3 → a is third of three (two above it),
    d first (tied with b), median 0.3; a has no hedges value (rank 0). Every other source with a
    value is one grey tick, however many sources there are; the size depends on the measures only."""
    nan = float("nan")
    measures = pd.DataFrame({"source": ["a", "b", "c", "d", "b", "c", "d"],
                             "measure": ["Mean tone"] * 4 + ["Hedges per 1,000 words"] * 3,
                             "value": [0.1, 0.3, nan, 0.3, 4.0, 2.0, 6.0], "ci_low": [0.0, 0.2, nan, 0.1, 3, 1, 5],
                             "ci_high": [0.2, 0.4, nan, 0.5, 5, 3, 7], "n": [12, 30, 0, 8, 40, 20, 9]})
    r = synthesis_plots.strip_ranks(measures, "a").set_index("measure")
    assert r.loc["Mean tone", ["rank", "of", "n"]].tolist() == [3, 3, 12]
    assert r.loc["Mean tone", "median"] == pytest.approx(0.3)
    assert r.loc["Hedges per 1,000 words", "rank"] == 0 and np.isnan(r.loc["Hedges per 1,000 words", "value"])
    assert r.loc["Hedges per 1,000 words", "median"] == pytest.approx(4.0)
    d = synthesis_plots.strip_ranks(measures, "d").set_index("measure")
    assert d["rank"].tolist() == [1, 1] and d["of"].tolist() == [3, 3]
    fig = synthesis_plots.profile_strips(measures, "a", label="Source A")
    tone, hedges = fig.axes
    assert tone.collections[0].get_offsets()[:, 0].tolist() == [0.3, 0.3]  # b and d; c has no value
    assert len(hedges.collections[0].get_offsets()) == 3
    assert "rank 3 of 3  ·  n=12" in texts(fig) and "no value" in texts(fig)
    many = pd.DataFrame({"source": [f"s{k}" for k in range(500)], "measure": "Mean tone",
                         "value": np.linspace(-1, 1, 500), "ci_low": -1.0, "ci_high": 1.0, "n": 50})
    fig2 = synthesis_plots.profile_strips(many, "s0")
    assert len(fig2.axes[0].collections[0].get_offsets()) == 499 and size(fig2) == size(synthesis_plots.profile_strips(
        many.head(3), "s0"))
    assert "rank 500 of 500  ·  n=50" in texts(fig2)
    plt.close("all")


def test_old_calls_on_a_few_sources_are_unchanged(seed_corpus):
    """Five sources: every source drawn, no 'others', no note."""
    from framelens.lenses import sentiment

    scores = sentiment.sentence_scores(seed_corpus)
    fig = sentiment_plots.distribution(scores, sources=seed_corpus.sources)
    assert len(ylabels(fig.axes[0])) == 5 and not any("others" in t for t in texts(fig))
    assert size(fig) == (8.5, 1.2 + 0.75 * 5)


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_per_article_overview_figures_stay_under_17_inches_at_40_articles():
    tl = _timeline_table(40)
    lt = pd.DataFrame({"doc_id": tl["doc_id"], "source": tl["source"], "label": tl["label"], "n_words": 100,
                       "n_sentences": 5})
    summary = pd.DataFrame({"doc_id": tl["doc_id"], "rule": "byline", "spans": 1, "characters": 9})
    for fig in (corpus_plots.timeline(tl), corpus_plots.lengths(lt), corpus_plots.audit(summary)):
        assert len(ylabels(fig.axes[0])) == 40 and size(fig)[1] <= 17
