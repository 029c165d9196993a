"""Figures for the sentiment lens. Each function takes tables from ``framelens.sentiment`` and
returns a matplotlib Figure (nothing is shown or saved here; use ``report.save_figure``)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from . import source_colors

_AXIS = {
    "vader_compound": "VADER compound per sentence (−1 negative … +1 positive)",
    "textblob_polarity": "TextBlob polarity per sentence (−1 … +1)",
    "textblob_subjectivity": "TextBlob subjectivity per sentence (0 factual … 1 opinionated)",
}
_SHORT = {"vader_compound": "VADER compound", "textblob_polarity": "TextBlob polarity",
          "textblob_subjectivity": "TextBlob subjectivity"}


def _colors(df: pd.DataFrame, colors: dict | None, sources: list[str] | None = None) -> dict:
    """``colors`` if given, else the house colours for ``sources`` (pass ``corpus.sources`` so a
    source keeps its colour in every figure), else for the sources in ``df`` in order."""
    return colors or source_colors(list(sources) if sources else list(pd.unique(df["source"])))


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
                 value: str = "vader_compound", colors: dict | None = None, sources: list[str] | None = None, seed: int = 0):
    """Sentence scores per source: jittered points, a box (quartiles), the mean (diamond) and its
    bootstrap 95% interval (black bar, from ``intervals`` = ``sentiment.source_intervals``).
    The grey band is the neutral zone (|score| < 0.05). Tick labels give n sentences."""
    title = f"Tone of sentences by source ({_SHORT.get(value, value)})"
    if scores.empty:
        return _empty(title, "no sentences to score")
    colors = _colors(scores, colors, sources)
    labels = _labels(scores)
    srcs = list(pd.unique(scores["source"]))
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.75 * len(srcs)))
    rng = np.random.default_rng(seed)
    ax.axvspan(-0.05, 0.05, color="0.88", zorder=0, lw=0)
    ax.axvline(0, color="0.5", lw=0.8, zorder=0)
    ticks = []
    for i, s in enumerate(srcs):
        y = len(srcs) - 1 - i
        x = scores.loc[scores["source"] == s, value].dropna().to_numpy(dtype=float)
        ticks.append((y, f"{labels.get(s, s)}\n(n = {len(x)})"))
        if len(x) == 0:
            continue
        ax.boxplot([x], positions=[y], orientation="horizontal", widths=0.5, showfliers=False, manage_ticks=False,
                   patch_artist=True, boxprops=dict(facecolor="none", edgecolor="0.35"),
                   medianprops=dict(color="0.35"), whiskerprops=dict(color="0.35"), capprops=dict(color="0.35"))
        ax.scatter(x, y + rng.uniform(-0.18, 0.18, len(x)), s=14, alpha=0.55, color=colors.get(s, "C0"),
                   edgecolor="none", zorder=2)
        if intervals is not None and s in set(intervals["source"]):
            r = intervals[intervals["source"] == s].iloc[0]
            ax.errorbar([r["mean"]], [y + 0.34], xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
                        fmt="D", color="black", markersize=6, capsize=4, lw=1.6, zorder=3)
        else:
            ax.plot([x.mean()], [y + 0.34], "D", color="black", markersize=6, zorder=3)
    ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks])
    ax.set_ylim(-0.6, len(srcs) - 0.4)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(_AXIS.get(value, value))
    ax.set_ylabel("Source")
    ax.set_title(title)
    fig.text(0.01, 0.005, "◆ mean with bootstrap 95% interval · box = quartiles · grey band = neutral (|score| < 0.05)",
             ha="left", va="bottom", fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def arc(arc_table: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None, value_label: str = "VADER compound"):
    """Smoothed mean tone by relative position in the article, one line per source; point size
    grows with the number of sentences in the bin (hollow points: bins with fewer than 3)."""
    title = "Tone along the article"
    if arc_table.empty:
        return _empty(title, "no sentences")
    colors = _colors(arc_table, colors, sources)
    labels = _labels(arc_table)
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    ax.axhspan(-0.05, 0.05, color="0.9", zorder=0, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, zorder=0)
    for s, g in arc_table.groupby("source", sort=False):
        n = int(g["n"].sum())
        c = colors.get(s, "C0")
        ax.plot(g["position"], g["smoothed"], color=c, lw=2, label=f"{labels.get(s, s)} (n = {n})")
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
    ax.legend(fontsize=8, loc="best", frameon=False)
    fig.tight_layout()
    return fig


def actor_heatmap(table: pd.DataFrame, *, min_n: int = 3, top: int = 12, value_label: str = "VADER compound"):
    """Source × actor mean tone toward the actor, each cell annotated with its mean and n
    mentions. Cells with fewer than ``min_n`` mentions are greyed and hatched (too few to read);
    blank cells: the source never mentions the actor. ``top``: actors by total mentions."""
    title = "Tone toward actors, by source"
    if table is None or table.empty:
        return _empty(title, "no actor mentions found")
    tot = table.groupby("actor", sort=False)["n"].sum().sort_values(ascending=False, kind="stable")
    actors = list(tot.index[:top])
    t = table[table["actor"].isin(actors)]
    rows = list(pd.unique(table["label"]))
    mean = t.pivot(index="label", columns="actor", values="mean").reindex(index=rows, columns=actors)
    n = t.pivot(index="label", columns="actor", values="n").reindex(index=rows, columns=actors)
    vmax = max(0.5, float(np.nanmax(np.abs(mean.to_numpy(dtype=float)))) if mean.notna().any().any() else 0.5)
    fig, ax = plt.subplots(figsize=(1.6 + 0.95 * len(actors), 1.4 + 0.6 * len(rows)))
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
            ax.text(j, i, f"{m:+.2f}\nn={k}", ha="center", va="center", fontsize=7.5, color=color)
    ax.set_xticks(range(len(actors)), actors, rotation=35, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("Actor (mentions in body sentences)")
    ax.set_ylabel("Source")
    ax.set_title(title)
    cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(f"Mean {value_label}\n(clause around each mention)")
    fig.text(0.01, 0.005, f"Hatched grey: fewer than {min_n} mentions (too few to read) · blank: not mentioned",
             fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def method_scatter(scores: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None):
    """VADER compound against TextBlob polarity, one point per sentence, coloured by source;
    the title gives the overall Pearson correlation. Points off the diagonal are sentences the
    two lexicons read differently."""
    title = "Two lexicons, one sentence at a time"
    if scores.empty:
        return _empty(title, "no sentences")
    colors = _colors(scores, colors, sources)
    labels = _labels(scores)
    fig, ax = plt.subplots(figsize=(6.5, 6))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.plot([-1, 1], [-1, 1], color="0.75", lw=0.8, ls="--")
    for s, g in scores.groupby("source", sort=False):
        ax.scatter(g["vader_compound"], g["textblob_polarity"], s=16, alpha=0.6, color=colors.get(s, "C0"),
                   edgecolor="none", label=f"{labels.get(s, s)} (n = {len(g)})")
    a, b = scores["vader_compound"].to_numpy(float), scores["textblob_polarity"].to_numpy(float)
    r = float(np.corrcoef(a, b)[0, 1]) if len(a) > 2 and a.std() > 0 and b.std() > 0 else math.nan
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("VADER compound")
    ax.set_ylabel("TextBlob polarity")
    ax.set_title(f"{title}\nPearson r = {r:.2f} over {len(a)} sentences")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def subjectivity(table: pd.DataFrame, *, colors: dict | None = None, sources: list[str] | None = None):
    """Mean TextBlob subjectivity per source with its bootstrap 95% interval
    (table from ``sentiment.subjectivity``)."""
    title = "Opinionated wording by source (TextBlob subjectivity)"
    if table.empty:
        return _empty(title, "no sentences")
    colors = _colors(table, colors, sources)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.6 * len(table)))
    ys = np.arange(len(table))[::-1]
    for y, r in zip(ys, table.itertuples(index=False)):
        ax.barh(y, r.mean, color=colors.get(r.source, "C0"), alpha=0.8)
        ax.errorbar([r.mean], [y], xerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]], fmt="none", color="black",
                    capsize=4)
    ax.set_yticks(ys, [f"{r.label}\n(n = {r.n})" for r in table.itertuples(index=False)])
    ax.set_xlim(0, 1)
    ax.set_xlabel("Mean subjectivity per sentence (0 factual … 1 opinionated), 95% interval")
    ax.set_ylabel("Source")
    ax.set_title(title)
    fig.tight_layout()
    return fig
