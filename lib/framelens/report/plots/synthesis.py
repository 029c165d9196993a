"""Figures for the synthesis and the source profiles.

* :func:`similarity_heatmap` — combined source × source distance with the average-linkage
  dendrogram above it (from :func:`framelens.lenses.synthesis.combined_similarity`).
* :func:`lens_heatmaps` — the normalised distance of each lens next to the combined one.
* :func:`profile_multiples` — small multiples: one panel per key measure, one dot per source
  with its 95% interval and n (from :func:`framelens.lenses.synthesis.key_measures`); ``highlight``
  greys out every source but one (used on the per-source profile pages).
* :func:`profile_strips` — one source among all the others on the same key measures: a row per
  measure, a grey tick per other source, this source's estimate and 95% interval in colour, its
  rank and n beside it (the per-source profile pages; every source is placed, however many).
* :func:`profile_figure` — one source against the rest: tone, frames and certainty rates
  (from :func:`framelens.lenses.profile.source_profile`).

Every figure is bounded whatever the number of sources: the matrices show the largest
:data:`~framelens.report.plots.limits.MAX_MATRIX` sources (re-clustered among themselves), the small
multiples the largest :data:`~framelens.report.plots.limits.MAX_SOURCES` (plus the highlighted one); a
note counts the others, and the full tables are in the CSV files.
"""

from __future__ import annotations

import math
import textwrap
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from framelens.core.palette import Palette, palette_of, source_styles
from framelens.report.plots import source_colors
from framelens.report.plots.limits import MAX_MATRIX, MAX_PANELS, MAX_SOURCES, basis, row_height, shown_note, top_sources

__all__ = ["similarity_heatmap", "lens_heatmaps", "profile_multiples", "profile_strips", "profile_figure"]

_REST = "#9a9a9a"


def _message(title: str, msg: str):
    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, msg, ha="center", va="center", transform=ax.transAxes, wrap=True)
    return fig


def _subset(sim, max_sources: int, palette: Palette | None = None):
    """``(shown, rest, linkage, order)``: the largest ``max_sources`` sources of ``sim`` and their
    average-linkage clustering among themselves (the full one when nothing is left out)."""
    srcs = list(sim.distance.index)
    shown, rest = top_sources(srcs, top=max_sources, palette=palette)
    if not rest:
        return shown, rest, sim.linkage, list(sim.order)
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    m = sim.distance.reindex(index=shown, columns=shown).to_numpy(dtype=float, copy=True)
    m = np.where(np.isnan(m), np.nanmax(m) if np.isfinite(m).any() else 1.0, m)
    m = (m + m.T) / 2
    np.fill_diagonal(m, 0.0)
    link = linkage(squareform(m, checks=False), method="average")
    return shown, rest, link, [shown[i] for i in leaves_list(link)]


def similarity_heatmap(sim, *, labels: Mapping[str, str] | None = None, title: str | None = None,
                       max_sources: int = MAX_MATRIX, palette: Palette | None = None):
    """Combined distance between sources (0 = most alike pair, 1 = least alike), rows and
    columns in dendrogram order, each cell annotated; average-linkage dendrogram on top. At most
    ``max_sources`` sources (the largest, clustered among themselves); the full matrix and every
    pair are in the CSV."""
    title = title or "Which sources resemble each other (vocabulary, tone and framing combined)"
    d = sim.distance
    srcs = list(d.index)
    if len(srcs) < 2:
        return _message(title, "Comparisons need at least two sources.")
    from scipy.cluster.hierarchy import dendrogram

    pal = palette or palette_of(labels)
    labels = dict(labels or {})
    shown, rest, link, order = _subset(sim, max_sources, pal)
    if rest:
        title += "\n(" + shown_note(shown, rest, by=basis(srcs, "corpus order", pal), pooled=False) + ")"
    m = d.reindex(index=order, columns=order).to_numpy(dtype=float)
    n = len(order)
    size = max(4.5, (0.8 if n <= 12 else 0.6) * n + 2.5)
    fig = plt.figure(figsize=(size + 1.2, size + 1.0))
    gs = fig.add_gridspec(2, 2, height_ratios=[1, 3.2], width_ratios=[20, 1], hspace=0.04, wspace=0.05)
    ax_d = fig.add_subplot(gs[0, 0])
    ax = fig.add_subplot(gs[1, 0])
    cax = fig.add_subplot(gs[1, 1])
    dendrogram(link, ax=ax_d, no_labels=True, color_threshold=0, above_threshold_color="0.3")
    ax_d.set_xlim(0, 10 * n)
    ax_d.set_xticks([])
    ax_d.grid(False)
    ax_d.spines[["top", "right", "bottom"]].set_visible(False)
    ax_d.set_ylabel("merge\ndistance", fontsize=8)
    ax_d.set_title(title, fontsize=12 if not rest else 10)
    m = m.copy()
    np.fill_diagonal(m, np.nan)  # a source against itself: left blank
    cmap = plt.get_cmap("viridis_r").with_extremes(bad="white")
    im = ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for i in range(n):
        for j in range(n):
            if i == j or np.isnan(m[i, j]):
                continue
            ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=8 if n <= 12 else 6.5,
                    color="white" if m[i, j] > 0.55 else "black")
    names = [labels.get(s, s) for s in order]
    ax.set_xticks(range(n), names, rotation=35, ha="right")
    ax.set_yticks(range(n), names)
    lenses = ", ".join(sim.per_lens)
    ax.set_xlabel(f"Source\n(average of {len(sim.per_lens)} normalised lens distances: {lenses}; "
                  f"{len(srcs)} sources — descriptive, no test)", fontsize=9)
    ax.set_ylabel("Source")
    ax.grid(False)
    fig.colorbar(im, cax=cax, label="combined distance (0 alike … 1 unlike)")
    return fig


def lens_heatmaps(sim, *, labels: Mapping[str, str] | None = None, title: str | None = None,
                  max_sources: int = MAX_PANELS, palette: Palette | None = None):
    """One small heatmap per lens (normalised distance, 0–1) and the combined one, same order,
    so the reader sees where the lenses agree. At most ``max_sources`` sources (the largest);
    beyond 8 sources the heatmaps are laid out two per row."""
    title = title or "Distance between sources on each lens (normalised over the pairs)"
    srcs = list(sim.distance.index)
    if len(srcs) < 2:
        return _message(title, "Comparisons need at least two sources.")
    pal = palette or palette_of(labels)
    labels = dict(labels or {})
    shown, rest, _link, order = _subset(sim, max_sources, pal)
    if rest:
        title += "\n(" + shown_note(shown, rest, by=basis(srcs, "corpus order", pal), pooled=False) + ")"
    mats = {**{k: v for k, v in sim.normalised.items()}, "combined": sim.distance}
    k = len(mats)
    n = len(order)
    cell = max(2.4, 0.45 * n + 1.2)
    ncols = k if n <= 8 else min(k, 2)
    nrows = math.ceil(k / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols + 1, (cell + 1.3) * nrows if nrows == 1
                                                     else (cell + 0.9) * nrows + 0.4), squeeze=False)
    for ax in list(axes.flat)[k:]:
        ax.set_axis_off()
    names = [labels.get(s, s) for s in order]
    im = None
    first_col = {id(row[0]) for row in axes}
    for ax, (lens, mat) in zip(axes.flat, mats.items()):
        m = mat.reindex(index=order, columns=order).to_numpy(dtype=float).copy()
        np.fill_diagonal(m, np.nan)
        cmap = plt.get_cmap("viridis_r").with_extremes(bad="white")
        im = ax.imshow(m, cmap=cmap, vmin=0, vmax=1)
        if n <= 8:
            for i in range(n):
                for j in range(n):
                    if i != j and not np.isnan(m[i, j]):
                        ax.text(j, i, f"{m[i, j]:.1f}", ha="center", va="center", fontsize=7,
                                color="white" if m[i, j] > 0.55 else "black")
        ax.set_title(lens, fontsize=10)
        ax.set_xticks(range(n), names, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(n), names if id(ax) in first_col else [""] * n, fontsize=7)
        ax.grid(False)
        ax.set_xlabel("Source", fontsize=8)
    for row in axes:
        row[0].set_ylabel("Source", fontsize=8)
    fig.colorbar(im, ax=list(axes.flat), fraction=0.02, pad=0.02, label="distance (0 … 1)")
    fig.suptitle(title, fontweight="bold", fontsize=12 if not rest else 10)
    return fig


def _dots_and_intervals(ax, d: pd.DataFrame, srcs: Sequence[str], y, *, colors, styles, highlight) -> None:
    """One panel of :func:`profile_multiples`: each source's estimate (a dot in its marker), its 95%
    interval (one line collection) and its n, the highlighted source in colour, the others grey."""
    bars: list[tuple] = []  # (y, low, high, colour): one collection per panel
    dots: dict[str, list[tuple]] = {}  # marker → (x, y, colour): one scatter per marker
    for yi, s in zip(y, srcs):
        r = d.loc[s]
        if pd.isna(r["value"]):
            continue
        c = colors.get(s, "0.3") if (highlight is None or s == highlight) else "#c4c4c4"
        lo, hi = r["ci_low"], r["ci_high"]
        if not (pd.isna(lo) or pd.isna(hi)):
            bars.append((yi, lo, hi, c))
        st = styles.get(s)
        mk = st.marker if st is not None and (highlight is None or s == highlight) else "o"
        dots.setdefault(mk, []).append((r["value"], yi, c))
        nn = int(r["n"]) if not pd.isna(r["n"]) else 0
        ax.annotate(f"n={nn}", (1.0, yi), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7,
                    color="#b00020" if nn < 10 else "0.4")
    if bars:
        yy, lo, hi, cc = zip(*bars)
        ax.hlines(yy, lo, hi, colors=cc, lw=2.2, zorder=2).set_capstyle("round")
    size = (7 if len(srcs) <= 12 else 5.5) ** 2
    for mk, pts in dots.items():
        xs, yy, cc = zip(*pts)
        ax.scatter(xs, yy, marker=mk, c=list(cc), s=size, zorder=3, edgecolors="white", linewidths=0.8)


def profile_multiples(measures: pd.DataFrame, *, sources: Sequence[str] | None = None,
                      colors: Mapping[str, str] | None = None, highlight: str | None = None,
                      title: str | None = None, ncols: int = 3, max_sources: int = MAX_SOURCES,
                      palette: Palette | None = None):
    """Small multiples comparing sources on the key measures (one panel each): a dot per source
    with its 95% interval, n beside it. ``measures``: :func:`framelens.lenses.synthesis.key_measures`.
    ``highlight``: draw this source in its colour and the others in grey. At most
    ``max_sources`` sources (the largest, and the highlighted one); a note counts the others."""
    title = title or "Sources compared on key measures (dot = estimate, bar = 95% interval)"
    if measures is None or measures.empty:
        return _message(title, "No measures to compare.")
    all_srcs = list(sources) if sources is not None else list(pd.unique(measures["source"]))
    have = set(measures["source"])
    srcs = [s for s in all_srcs if s in have]
    pal = palette or palette_of(sources, colors)
    styles = source_styles(all_srcs, pal)
    sizes = measures.groupby("source", sort=False)["n"].max().to_dict()
    shown, rest = top_sources(srcs, top=max_sources, weights=sizes, palette=pal)
    if highlight in rest:  # the profiled source is always drawn
        shown, rest = top_sources(srcs, top=max_sources - 1, weights=sizes, palette=pal)
        shown = [s for s in srcs if s in set(shown) | {highlight}]
        rest = [s for s in rest if s != highlight]
    srcs = shown
    colors = dict(colors or source_colors(all_srcs, pal))
    labels = dict(zip(measures["source"], measures["label"]))
    names = list(pd.unique(measures["measure"]))
    ncols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / ncols)
    h = max(2.2, row_height(len(srcs), small=0.42, large=0.25) * len(srcs) + 1.2)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols, h * nrows + 0.6), squeeze=False)
    y = np.arange(len(srcs))[::-1]
    for k, name in enumerate(names):
        ax = axes[k // ncols][k % ncols]
        d = measures[measures["measure"] == name].set_index("source").reindex(srcs)
        _dots_and_intervals(ax, d, srcs, y, colors=colors, styles=styles, highlight=highlight)
        if "tone" in name.lower():
            ax.axvline(0, color="0.6", lw=0.8, zorder=1)
        if k % ncols == 0:
            ax.set_yticks(y, [labels.get(s, s) for s in srcs], fontsize=8)
        else:  # the names once per row of panels: no empty labels to lay out and draw
            ax.set_yticks(y)
            ax.tick_params(axis="y", labelleft=False)
        ax.set_ylim(-0.6, len(srcs) - 0.4)
        ax.set_title(textwrap.fill(name, 38), fontsize=9.5)
        pct = "share" in name.lower()
        ax.set_xlabel("share of sentences" if pct else ("VADER compound (−1 … +1)" if "tone" in name.lower() else "per 1,000 words"),
                      fontsize=8)
        if pct:
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_ylabel("Source" if k % ncols == 0 else "", fontsize=8)
    for k in range(len(names), nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    fig.suptitle(title, fontweight="bold")
    note = ("n: sentences of the source (tone, frame shares), markers counted (rates); "
            "red n < 10: too small to judge.")
    if rest:
        note += "\n" + shown_note(srcs, rest, by=basis(srcs + rest, "n", pal), pooled=False)
    fig.text(0.01, 0.0, note, fontsize=7.5, color="0.35")
    height = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, (0.2 if not rest else 0.36) / height, 1, 1 - 0.3 / height), w_pad=2.5)
    return fig


def strip_ranks(measures: pd.DataFrame, source: str) -> pd.DataFrame:
    """For each measure of ``measures`` (:func:`framelens.lenses.synthesis.key_measures`): the
    source's value, interval and n, its rank among the sources with a value (1 = highest; ties
    share the best rank), how many sources have one, and their median. One row per measure, in the
    table's order; a measure the source has no value for keeps NaN and rank 0."""
    rows = []
    for name, d in measures.groupby("measure", sort=False):
        vals = d["value"].to_numpy(dtype=float)
        vals = vals[~np.isnan(vals)]
        own = d[d["source"] == source]
        v = float(own["value"].iloc[0]) if len(own) else float("nan")
        rank = int((vals > v).sum()) + 1 if not math.isnan(v) else 0
        rows.append({"measure": name, "value": v,
                     "ci_low": float(own["ci_low"].iloc[0]) if len(own) else float("nan"),
                     "ci_high": float(own["ci_high"].iloc[0]) if len(own) else float("nan"),
                     "n": int(own["n"].iloc[0]) if len(own) and not pd.isna(own["n"].iloc[0]) else 0,
                     "rank": rank, "of": int(len(vals)),
                     "median": float(np.median(vals)) if len(vals) else float("nan")})
    return pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high", "n", "rank", "of", "median"])


def profile_strips(measures: pd.DataFrame, source: str, *, color: str = "#0072B2", label: str | None = None,
                   title: str | None = None):
    """Where one source sits among all the sources on the key measures: one row per measure, a
    grey tick for every other source's estimate, a dark line at the median of all sources, and
    this source's estimate (dot) with its 95% interval in ``color``; its rank (1 = highest) and n
    at the right, red when n < 10. Every source is placed, however many there are: the figure's
    size depends only on the number of measures (the full comparison, source by source with
    intervals, is :func:`profile_multiples`)."""
    label = label or source
    title = title or f"{label} among all sources on the key measures"
    if measures is None or measures.empty:
        return _message(title, "No measures to compare.")
    ranks = strip_ranks(measures, source)
    n = len(ranks)
    fig, axes = plt.subplots(n, 1, figsize=(9, 0.62 * n + 1.3), squeeze=False, gridspec_kw=_strip_grid(n))
    for ax, (name, d), r in zip(axes[:, 0], measures.groupby("measure", sort=False), ranks.itertuples()):
        others = d.loc[d["source"] != source, "value"].to_numpy(dtype=float)
        others = others[~np.isnan(others)]
        ax.scatter(others, np.zeros(len(others)), marker="|", s=160, color="#b5b5b5", linewidths=1.4, zorder=2)
        if not math.isnan(r.median):
            ax.axvline(r.median, color="0.15", lw=1.3, zorder=2.5)
        if not math.isnan(r.value):
            if not (math.isnan(r.ci_low) or math.isnan(r.ci_high)):
                ax.hlines(0, r.ci_low, r.ci_high, colors=color, lw=3, zorder=3).set_capstyle("round")
            ax.scatter([r.value], [0], s=60, color=color, edgecolors="white", linewidths=0.9, zorder=4)
            side = f"rank {r.rank} of {r.of:,}  ·  n={r.n:,}"
        else:
            side = "no value"
        ax.annotate(side, (1.0, 0.5), xycoords="axes fraction", xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=8, color="#b00020" if r.n < 10 else "0.3")
        ax.set_title(name, fontsize=9, loc="left", pad=2)
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        for side_name in ("left", "right", "top"):
            ax.spines[side_name].set_visible(False)
        if "share" in name.lower():
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.tick_params(axis="x", labelsize=7.5)
    fig.suptitle(title, fontweight="bold", fontsize=11, y=1 - 0.1 / (0.62 * n + 1.3))
    fig.text(0.01, 0.005, "grey tick: another source's estimate; dark line: median of all sources; dot and bar: this "
             "source with its 95% interval.\nrank 1 = highest; n: sentences (tone, frame shares) or markers "
             "counted (rates); red n < 10: too small to judge.", fontsize=7.5, color="0.35")
    return fig


def _strip_grid(n: int, *, width: float = 9.0) -> dict[str, float]:
    """The strips' fixed layout, in inches turned into figure fractions: every row's text has a
    known height (its title above, 9 pt; its tick labels below, 7.5 pt), so the rows are placed
    without ``tight_layout``, which measured every label once more (a third of the figure's
    time at 40 sources). From the top: the title (0.55 in, with the first row's title), the rows
    (0.42 in between them for the tick labels and the next title), the last row's tick labels and
    the two-line legend (0.62 in); 0.3 in on the left for a first tick label, the rank and n on
    the right."""
    height = 0.62 * n + 1.3
    top, bottom, gap = 0.55, 0.62, 0.42
    axis = (height - top - bottom - gap * (n - 1)) / n
    return {"left": 0.3 / width, "right": 1 - 1.6 / width, "top": 1 - top / height, "bottom": bottom / height,
            "hspace": gap / axis}


def profile_figure(profile: Mapping[str, pd.DataFrame], *, color: str = "#0072B2", top_frames: int = 8,
                   title: str | None = None):
    """One source against all the others pooled: mean tone (both methods) with 95% intervals,
    share of sentences per frame (the ``top_frames`` most salient here or elsewhere) and
    certainty rates per 1,000 words. The source in its colour, the rest in grey."""
    meta = profile["metadata"]
    label = str(meta["label"].iloc[0]) if len(meta) else "source"
    title = title or f"{label} against the other sources"
    fig, axes = plt.subplots(1, 3, figsize=(14, max(3.6, 0.32 * top_frames + 1.8)),
                             gridspec_kw={"width_ratios": [1, 1.5, 1.2]})
    # tone
    ax = axes[0]
    tone = profile["tone"]
    methods = list(pd.unique(tone["method"]))
    for k, m in enumerate(methods):
        t = tone[tone["method"] == m]
        for off, (who, c) in zip((0.15, -0.15), ((label, color), ("all other sources", _REST))):
            r = t[t["who"] == who]
            if r.empty or r["n"].iloc[0] == 0:
                continue
            r = r.iloc[0]
            yy = len(methods) - 1 - k + off
            ax.plot([r["ci_low"], r["ci_high"]], [yy, yy], color=c, lw=2.2)
            ax.plot(r["mean"], yy, "o", color=c, ms=7, label=f"{who} (n={int(r['n'])})" if k == 0 else None)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_yticks(range(len(methods))[::-1], methods, fontsize=8)
    ax.set_xlabel("mean tone per sentence (95% CI)")
    ax.set_ylabel("Method")
    ax.set_title("Tone", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.08), frameon=False)
    # frames
    ax = axes[1]
    fr = profile["frames"].head(top_frames)
    if len(fr):
        y = np.arange(len(fr))[::-1]
        ax.barh(y + 0.2, fr["share"], 0.4, color=color, label=label)
        err = np.vstack([np.clip(fr["share"] - fr["ci_low"], 0, None), np.clip(fr["ci_high"] - fr["share"], 0, None)])
        ax.errorbar(fr["share"], y + 0.2, xerr=err, fmt="none", ecolor="0.2", elinewidth=0.8, capsize=2)
        ax.barh(y - 0.2, fr["share_rest"].fillna(0), 0.4, color=_REST, label="all other sources")
        for yi, k in zip(y, fr["sentences"]):
            ax.text(0, yi + 0.2, f" {int(k)}", va="center", fontsize=6.5, color="white" if k else "0.3")
        ax.set_yticks(y, [str(n) for n in fr["name"]], fontsize=8)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.legend(fontsize=7, loc="lower right")
    else:
        ax.text(0.5, 0.5, "no frame cues", ha="center", transform=ax.transAxes)
    n_s = int(meta["n_sentences"].sum()) if len(meta) else 0
    ax.set_xlabel(f"share of sentences carrying the frame ({label}: n = {n_s})")
    ax.set_ylabel("Frame")
    ax.set_title("Frames", fontsize=10)
    # certainty
    ax = axes[2]
    ce = profile["certainty"]
    if len(ce):
        y = np.arange(len(ce))[::-1]
        ax.barh(y + 0.2, ce["per_1000_words"], 0.4, color=color, label=label)
        err = np.vstack([np.clip(ce["per_1000_words"] - ce["ci_low"], 0, None),
                         np.clip(ce["ci_high"] - ce["per_1000_words"], 0, None)])
        ax.errorbar(ce["per_1000_words"], y + 0.2, xerr=err, fmt="none", ecolor="0.2", elinewidth=0.8, capsize=2)
        ax.barh(y - 0.2, ce["per_1000_rest"].fillna(0), 0.4, color=_REST, label="all other sources")
        for yi, v, k in zip(y, ce["per_1000_words"], ce["count"]):
            ax.text(v, yi + 0.2, f" {int(k)}", va="center", fontsize=7)
        ax.set_yticks(y, [str(m).capitalize() for m in ce["measure"]], fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    ax.set_xlabel("per 1,000 words (count beside the bar)")
    ax.set_ylabel("Marker")
    ax.set_title("Certainty and promotion", fontsize=10)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig
