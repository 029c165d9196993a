"""Figures for the sentiment lens. Each function takes tables from ``framelens.lenses.sentiment`` and
returns a matplotlib Figure (nothing is shown or saved here; use ``report.save_figure``).

Every figure is bounded whatever the number of sources: the largest sources
(:mod:`framelens.report.plots.limits`) and one grey "others" row pooling the rest (their sentences or
mentions together, so its mean is exact; it has no interval of its own)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from framelens.core.palette import OTHERS_COLOR, Palette, palette_of, source_styles
from framelens.report.plots import source_colors
from framelens.report.plots.limits import MAX_PANELS, MAX_SOURCES, basis, others_label, row_height, shown_note, top_sources

_AXIS = {
    "vader_compound": "VADER compound per sentence (−1 negative … +1 positive)",
    "textblob_polarity": "TextBlob polarity per sentence (−1 … +1)",
    "textblob_subjectivity": "TextBlob subjectivity per sentence (0 factual … 1 opinionated)",
}
_SHORT = {"vader_compound": "VADER compound", "textblob_polarity": "TextBlob polarity",
          "textblob_subjectivity": "TextBlob subjectivity"}


def _colors(df: pd.DataFrame, colors: dict | None, sources: list[str] | None = None,
            palette: Palette | None = None) -> dict:
    """``colors`` if given, else the house colours for ``sources`` (pass ``corpus.sources`` so a
    source keeps its colour in every figure), else for the sources in ``df`` in order."""
    return colors or source_colors(list(sources) if sources else list(pd.unique(df["source"])), palette)


def _styles(df: pd.DataFrame, sources: list[str] | None, palette: Palette | None = None) -> dict:
    return source_styles(list(sources) if sources else list(pd.unique(df["source"])), palette)


def _bounded(df: pd.DataFrame, sources: list[str] | None, top: int, weights: dict | None = None,
             palette: Palette | None = None):
    """``(shown, rest)`` among the sources of ``df`` (in ``sources`` order when given)."""
    present = list(pd.unique(df["source"]))
    if sources:
        have = set(present)
        present = [s for s in sources if s in have] + [s for s in present if s not in set(sources)]
    return top_sources(present, top=top, weights=weights or df.groupby("source", sort=False).size().to_dict(),
                       palette=palette)


def _note(fig, shown, rest, fallback: str, extra: str = "", palette: Palette | None = None) -> float:
    """Write the "largest N of M" note (and ``extra``) at the bottom; returns the margin it needs
    (a fraction of the figure's height, for ``tight_layout(rect=...)``)."""
    text = "\n".join(t for t in (extra, shown_note(shown, rest, by=basis(list(shown) + list(rest), fallback, palette))) if t)
    if not text:
        return 0.0
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=8, color="0.35")
    return (0.16 * (text.count("\n") + 1) + 0.06) / fig.get_size_inches()[1]


#: Points drawn per row of :func:`distribution` and in all of :func:`method_scatter`: past these, a
#: random sample (seeded, in table order) of a row's or the table's sentences is drawn, and the
#: figure says so; boxes, means, intervals, n and r are always over every sentence. More points
#: than this add nothing to the eye (they merge into a band) but seconds and hundreds of MB to
#: the figure (2.2 million sentences at 100,000 articles).
POINTS_PER_ROW = 5_000
SCATTER_POINTS = 50_000


def _sample(n: int, cap: int, rng) -> np.ndarray | None:
    """Sorted positions of a random ``cap`` of ``n`` items, or ``None`` when ``n`` ≤ ``cap`` (all
    drawn: the random generator is then not used, so small figures never change)."""
    return np.sort(rng.choice(n, size=cap, replace=False)) if n > cap else None


def _labels(df: pd.DataFrame) -> dict:
    if "label" in df.columns:
        return dict(zip(df["source"], df["label"]))
    return {s: s for s in pd.unique(df["source"])}


def _empty(title: str, msg: str):
    fig, ax = plt.subplots(figsize=(7, 2.5))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, msg, ha="center", va="center", transform=ax.transAxes)
    return fig


def distribution(scores: pd.DataFrame, intervals: pd.DataFrame | None = None, *,
                 value: str = "vader_compound", colors: dict | None = None, sources: list[str] | None = None, seed: int = 0,
                 max_sources: int = MAX_SOURCES, palette: Palette | None = None):
    """Sentence scores per source: jittered points, a box (quartiles), the mean (diamond) and its
    bootstrap 95% interval (black bar, from ``intervals`` = ``sentiment.source_intervals``).
    The grey band is the neutral zone (|score| < 0.05). Tick labels give n sentences. At most
    ``max_sources`` rows (the largest sources), then one "others" row pooling the rest's sentences."""
    title = f"Tone of sentences by source ({_SHORT.get(value, value)})"
    if scores.empty:
        return _empty(title, "no sentences to score")
    pal = palette or palette_of(sources, colors)
    colors = _colors(scores, colors, sources, pal)
    styles = _styles(scores, sources, pal)
    labels = _labels(scores)
    shown, rest = _bounded(scores, sources, max_sources, palette=pal)
    srcs = shown + ([None] if rest else [])
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + row_height(len(srcs), small=0.75, large=0.5) * len(srcs)))
    rng = np.random.default_rng(seed)
    ax.axvspan(-0.05, 0.05, color="0.88", zorder=0, lw=0)
    ax.axvline(0, color="0.5", lw=0.8, zorder=0)
    ticks = []
    small = len(srcs) > 12
    at = scores.groupby("source", sort=False, observed=True).indices  # each source's rows, in one pass
    values = scores[value].to_numpy(dtype=float)
    none = np.zeros(0, dtype=np.int64)
    sampled = False
    for i, s in enumerate(srcs):
        y = len(srcs) - 1 - i
        rows = np.sort(np.concatenate([at.get(r, none) for r in rest])) if s is None else at.get(s, none)
        x = values[rows]
        x = x[~np.isnan(x)]
        name = others_label(rest) if s is None else labels.get(s, s)
        ticks.append((y, f"{name} (n = {len(x):,})" if small else f"{name}\n(n = {len(x):,})"))
        if len(x) == 0:
            continue
        ax.boxplot([x], positions=[y], orientation="horizontal", widths=0.5, showfliers=False, manage_ticks=False,
                   patch_artist=True, boxprops=dict(facecolor="none", edgecolor="0.35"),
                   medianprops=dict(color="0.35"), whiskerprops=dict(color="0.35"), capprops=dict(color="0.35"))
        st = styles.get(s)
        pick = _sample(len(x), POINTS_PER_ROW, rng)
        drawn = x if pick is None else x[pick]
        sampled |= pick is not None
        alpha = float(np.clip(60 / np.sqrt(len(drawn)), 0.08, 0.55))
        ax.scatter(drawn, y + rng.uniform(-0.18, 0.18, len(drawn)), s=14 if not small else 9, alpha=alpha,
                   color=OTHERS_COLOR if s is None else colors.get(s, "C0"),
                   marker=st.marker if st is not None and s is not None else "o", edgecolor="none", zorder=2)
        if s is None:
            ax.plot([x.mean()], [y + 0.34], "D", color="black", markersize=6, zorder=3)
        elif intervals is not None and s in set(intervals["source"]):
            r = intervals[intervals["source"] == s].iloc[0]
            ax.errorbar([r["mean"]], [y + 0.34], xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
                        fmt="D", color="black", markersize=6, capsize=4, lw=1.6, zorder=3)
        else:
            ax.plot([x.mean()], [y + 0.34], "D", color="black", markersize=6, zorder=3)
    ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks], fontsize=8.5 if small else 10)
    ax.set_ylim(-0.6, len(srcs) - 0.4)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(_AXIS.get(value, value))
    ax.set_ylabel("Source")
    ax.set_title(title)
    margin = _note(fig, shown, rest, "sentences", "◆ mean with bootstrap 95% interval" + (" (others: mean only)" if rest else "")
                   + " · box = quartiles · grey band = neutral (|score| < 0.05)"
                   + (f"\npoints: a random {POINTS_PER_ROW:,} of a row's sentences where it has more (box, mean and n: all)"
                      if sampled else ""), palette=pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def arc(arc_table: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None, value_label: str = "VADER compound",
        max_sources: int = MAX_PANELS, palette: Palette | None = None):
    """Smoothed mean tone by relative position in the article, one line per source; point size
    grows with the number of sentences in the bin (hollow points: bins with fewer than 3). At most
    ``max_sources`` lines (the largest sources); the others' sentences are pooled into one grey
    dotted line of their mean per bin (not smoothed)."""
    title = "Tone along the article"
    if arc_table.empty:
        return _empty(title, "no sentences")
    pal = palette or palette_of(sources, colors)
    colors = _colors(arc_table, colors, sources, pal)
    styles = _styles(arc_table, sources, pal)
    labels = _labels(arc_table)
    shown, rest = _bounded(arc_table, sources, max_sources, arc_table.groupby("source", sort=False)["n"].sum().to_dict(),
                           palette=pal)
    legend_out = len(shown) + bool(rest) > 6
    fig, ax = plt.subplots(figsize=(11 if legend_out else 8.5, 4.5 if len(shown) <= 8 else 5.5))
    ax.axhspan(-0.05, 0.05, color="0.9", zorder=0, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, zorder=0)
    if rest:
        o = arc_table[arc_table["source"].isin(rest)].assign(w=lambda t: t["mean"].fillna(0) * t["n"])
        o = o.groupby("position", sort=True).agg(n=("n", "sum"), w=("w", "sum")).reset_index()
        o = o[o["n"] > 0]
        ax.plot(o["position"], o["w"] / o["n"], color=OTHERS_COLOR, lw=2, ls=":",
                label=f"{others_label(rest)} (n = {int(o['n'].sum()):,})", zorder=1)
    keep = set(shown)
    for s, g in arc_table[arc_table["source"].isin(keep)].groupby("source", sort=False):
        n = int(g["n"].sum())
        c = colors.get(s, "C0")
        st = styles.get(s)
        ax.plot(g["position"], g["smoothed"], color=c, lw=2, ls=st.linestyle if st else "-",
                label=f"{labels.get(s, s)} (n = {n:,})")
        ok = g["n"] > 0
        small = g["n"] < 3
        ax.scatter(g.loc[ok & ~small, "position"], g.loc[ok & ~small, "mean"], s=8 + 4 * g.loc[ok & ~small, "n"],
                   color=c, alpha=0.5, edgecolor="none")
        ax.scatter(g.loc[ok & small, "position"], g.loc[ok & small, "mean"], s=18, facecolor="none",
                   edgecolor=c, alpha=0.7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Relative position in the article (0 = first sentence, 1 = last)")
    ax.set_ylabel(f"Mean {value_label} (line: smoothed)")
    ax.set_title(title)
    if legend_out:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.legend(fontsize=8, loc="best", frameon=False)
    margin = _note(fig, shown, rest, "sentences", palette=pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def actor_heatmap(table: pd.DataFrame, *, min_n: int = 3, top: int = 12, value_label: str = "VADER compound",
                  sources: list[str] | None = None, max_sources: int = MAX_SOURCES, palette: Palette | None = None):
    """Source × actor mean tone toward the actor, each cell annotated with its mean and n
    mentions. Cells with fewer than ``min_n`` mentions are greyed and hatched (too few to read);
    blank cells: the source never mentions the actor. ``top``: actors by total mentions. At most
    ``max_sources`` rows (the largest sources), then an "others" row: the others' mentions pooled
    (its mean is the mention-weighted mean of theirs)."""
    title = "Tone toward actors, by source"
    if table is None or table.empty:
        return _empty(title, "no actor mentions found")
    tot = table.groupby("actor", sort=False)["n"].sum().sort_values(ascending=False, kind="stable")
    actors = list(tot.index[:top])
    shown, rest = ([], [])
    pal = palette or palette_of(sources)
    if "source" in table.columns:
        shown, rest = _bounded(table, sources, max_sources, table.groupby("source", sort=False)["n"].sum().to_dict(),
                               palette=pal)
    if rest:
        o = table[table["source"].isin(rest) & table["actor"].isin(actors)].assign(w=lambda d: d["mean"] * d["n"])
        o = o.groupby("actor", sort=False).agg(n=("n", "sum"), w=("w", "sum")).reset_index()
        o = o.assign(mean=o["w"] / o["n"], label=others_label(rest), source=None)[["source", "label", "actor", "n", "mean"]]
        table = pd.concat([table[table["source"].isin(shown)], o], ignore_index=True)
    t = table[table["actor"].isin(actors)]
    rows = list(pd.unique(table["label"]))
    mean = t.pivot(index="label", columns="actor", values="mean").reindex(index=rows, columns=actors)
    n = t.pivot(index="label", columns="actor", values="n").reindex(index=rows, columns=actors)
    vmax = max(0.5, float(np.nanmax(np.abs(mean.to_numpy(dtype=float)))) if mean.notna().any().any() else 0.5)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 + 0.95 * len(actors)), 1.4 + row_height(len(rows), large=0.45) * len(rows)))
    im = ax.imshow(mean.to_numpy(dtype=float), cmap="RdBu", vmin=-vmax, vmax=vmax, aspect="auto")
    ax.grid(False)
    for i in range(len(rows)):
        for j in range(len(actors)):
            k = n.iat[i, j]
            if pd.isna(k):
                continue
            k, m = int(k), float(mean.iat[i, j])
            if k < min_n:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.85", edgecolor="0.6",
                                       hatch="///", lw=0))
                color = "0.3"
            else:
                color = "white" if abs(m) > 0.6 * vmax else "black"
            ax.text(j, i, f"{m:+.2f}\nn={k:,}", ha="center", va="center", fontsize=7.5, color=color)
    ax.set_xticks(range(len(actors)), actors, rotation=35, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("Actor (mentions in body sentences)")
    ax.set_ylabel("Source")
    ax.set_title(title)
    cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(f"Mean {value_label}\nof the mentions")
    margin = _note(fig, shown, rest, "mentions",
                   f"Hatched grey: fewer than {min_n} mentions (too few to read) · blank: not mentioned", palette=pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def method_scatter(scores: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None,
                   max_sources: int = MAX_PANELS, palette: Palette | None = None, seed: int = 0):
    """VADER compound against TextBlob polarity, one point per sentence, coloured by source;
    the title gives the overall Pearson correlation. Points off the diagonal are sentences the
    two lexicons read differently. At most ``max_sources`` sources in colour (the largest), the
    others' sentences in grey. Past :data:`SCATTER_POINTS` sentences, a random sample of that many
    (``seed``) is drawn, and the title says so; r and each legend's n are over every sentence."""
    title = "Two lexicons, one sentence at a time"
    if scores.empty:
        return _empty(title, "no sentences")
    pal = palette or palette_of(sources, colors)
    colors = _colors(scores, colors, sources, pal)
    styles = _styles(scores, sources, pal)
    labels = _labels(scores)
    shown, rest = _bounded(scores, sources, max_sources, palette=pal)
    legend_out = len(shown) + bool(rest) > 6
    fig, ax = plt.subplots(figsize=(9.5 if legend_out else 6.5, 6))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.plot([-1, 1], [-1, 1], color="0.75", lw=0.8, ls="--")
    pick = _sample(len(scores), SCATTER_POINTS, np.random.default_rng(seed))
    drawn = scores if pick is None else scores.iloc[pick]
    n_of = scores.groupby("source", sort=False, observed=True).size()  # the legend's n: every sentence
    alpha = float(np.clip(40 / np.sqrt(len(drawn)), 0.1, 0.6))
    if rest:
        g = drawn[drawn["source"].isin(rest)]
        ax.scatter(g["vader_compound"], g["textblob_polarity"], s=10, alpha=alpha, color=OTHERS_COLOR,
                   edgecolor="none", label=f"{others_label(rest)} (n = {int(n_of.reindex(rest).sum()):,})")
    keep = set(shown)
    for s, g in drawn[drawn["source"].isin(keep)].groupby("source", sort=False):
        st = styles.get(s)
        ax.scatter(g["vader_compound"], g["textblob_polarity"], s=16, alpha=max(alpha, 0.3), color=colors.get(s, "C0"),
                   marker=st.marker if st else "o", edgecolor="none", label=f"{labels.get(s, s)} (n = {int(n_of[s]):,})")
    a, b = scores["vader_compound"].to_numpy(float), scores["textblob_polarity"].to_numpy(float)
    r = float(np.corrcoef(a, b)[0, 1]) if len(a) > 2 and a.std() > 0 and b.std() > 0 else math.nan
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("VADER compound")
    ax.set_ylabel("TextBlob polarity")
    ax.set_title(f"{title}\nPearson r = {r:.2f} over {len(a):,} sentences"
                 + ("" if pick is None else f" ({len(drawn):,} drawn at random)"))
    if legend_out:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, markerscale=1.5)
    else:
        ax.legend(fontsize=8, loc="upper left", frameon=False)
    margin = _note(fig, shown, rest, "sentences", palette=pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def subjectivity(table: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None,
                 max_sources: int = MAX_SOURCES, palette: Palette | None = None):
    """Mean TextBlob subjectivity per source with its bootstrap 95% interval
    (table from ``sentiment.subjectivity``). At most ``max_sources`` bars (the largest sources),
    then an "others" bar: the sentence-weighted mean of the rest (no interval)."""
    title = "Opinionated wording by source (TextBlob subjectivity)"
    if table.empty:
        return _empty(title, "no sentences")
    pal = palette or palette_of(sources, colors)
    colors = _colors(table, colors, sources, pal)
    styles = _styles(table, sources, pal)
    shown, rest = _bounded(table, sources, max_sources, dict(zip(table["source"], table["n"])), palette=pal)
    t = table.set_index("source").loc[shown].reset_index()
    if rest:
        o = table[table["source"].isin(rest)]
        n = int(o["n"].sum())
        mean = float((o["mean"] * o["n"]).sum() / n) if n else float("nan")
        t = pd.concat([t, pd.DataFrame([{"source": None, "label": others_label(rest), "n": n, "mean": mean,
                                          "ci_low": np.nan, "ci_high": np.nan}])], ignore_index=True)
    small = len(t) > 12
    fig, ax = plt.subplots(figsize=(8, 1.2 + row_height(len(t), large=0.4) * len(t)))
    ys = np.arange(len(t))[::-1]
    for y, r in zip(ys, t.itertuples(index=False)):
        st = styles.get(r.source) if r.source is not None else None
        ax.barh(y, r.mean, color=OTHERS_COLOR if r.source is None else colors.get(r.source, "C0"), alpha=0.8,
                hatch=st.hatch if st else "", edgecolor="white", lw=0)
        if not (pd.isna(r.ci_low) or pd.isna(r.ci_high)):
            ax.errorbar([r.mean], [y], xerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]], fmt="none", color="black",
                        capsize=4)
    ax.set_yticks(ys, [f"{r.label} (n = {r.n:,})" if small else f"{r.label}\n(n = {r.n:,})" for r in t.itertuples(index=False)],
                  fontsize=8.5 if small else 10)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Mean subjectivity per sentence (0 factual … 1 opinionated), 95% interval")
    ax.set_ylabel("Source")
    ax.set_title(title)
    margin = _note(fig, shown, rest, "sentences", palette=pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig
