"""Figures for the framing lens: salience heatmap, certainty/promotional rates, coverage matrix.

Each function takes the DataFrame a :mod:`framelens.lenses.framing` function returned and gives back
a matplotlib Figure (the caller saves it with :func:`framelens.report.show.save_figure`). Every figure
is bounded whatever the number of sources: the largest sources (:mod:`framelens.report.plots.limits`) and
one grey "others" row, bar or column pooling the rest (their counts added, so shares and rates
are exact; pooled rows have no interval).
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from framelens.core.palette import OTHERS_COLOR, Palette, palette_of, source_styles
from framelens.report.plots import source_colors
from framelens.report.plots.limits import MAX_MATRIX, MAX_PANELS, MAX_SOURCES, basis, others_label, row_height, shown_note, top_sources


def _order(present: list, sources: Sequence[str] | None) -> list:
    if sources is None:
        return present
    have = set(present)
    return [s for s in sources if s in have] + [s for s in present if s not in set(sources)]


def _note(fig, shown, rest, fallback: str, palette: Palette | None = None) -> float:
    """The "largest N of M" note at the bottom; returns the margin (fraction of the height)."""
    text = shown_note(shown, rest, by=basis(list(shown) + list(rest), fallback, palette))
    if not text:
        return 0.0
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=8, color="0.35")
    return 0.22 / fig.get_size_inches()[1]

__all__ = ["salience_heatmap", "certainty_bars", "coverage_plot", "prominence_bars"]

#: The key of the pooled "others" row (never a source id: ids cannot contain spaces).
OTHERS_KEY = " others"


def salience_heatmap(salience: pd.DataFrame, *, frames: Sequence[str] | None = None,
                     family: str | Sequence[str] | None = None, title: str | None = None,
                     sources: Sequence[str] | None = None, max_sources: int = MAX_SOURCES,
                     palette: Palette | None = None):
    """Source × frame heatmap of the share of sentences carrying each frame; every cell is
    annotated with the share and the number of sentences (n) behind it. At most ``max_sources``
    rows (the largest sources), then an "others" row: the others' sentences pooled."""
    d = salience
    if family is not None:
        fams = [family] if isinstance(family, str) else list(family)
        d = d[d["family"].isin(fams)]
    if frames is not None:
        d = d[d["frame"].isin(list(frames))]
    sizes = d.drop_duplicates("source").set_index("source")["n_sentences"].to_dict()
    pal = palette or palette_of(sources)
    shown, rest = top_sources(_order(list(pd.unique(d["source"])), sources), top=max_sources, weights=sizes, palette=pal)
    if rest:
        o = d[d["source"].isin(rest)].groupby(["frame"], sort=False).agg(
            name=("name", "first"), sentences=("sentences", "sum")).reset_index()
        n_rest = int(sum(sizes[s] for s in rest))
        o = o.assign(source=OTHERS_KEY, label=others_label(rest), n_sentences=n_rest,
                     share=o["sentences"] / n_rest if n_rest else np.nan)
        d = pd.concat([d[d["source"].isin(shown)], o], ignore_index=True)
    srcs = list(shown) + ([OTHERS_KEY] if rest else [])
    frs = list(pd.unique(d["frame"]))
    names = dict(zip(d["frame"], d["name"]))
    labels = dict(zip(d["source"], d["label"]))
    share = d.pivot(index="source", columns="frame", values="share").reindex(index=srcs, columns=frs)
    k = d.pivot(index="source", columns="frame", values="sentences").reindex(index=srcs, columns=frs)
    nsent = d.drop_duplicates("source").set_index("source")["n_sentences"].reindex(srcs)
    fig, ax = plt.subplots(figsize=(max(6, 0.62 * len(frs) + 2.5),
                                    max(2.5, row_height(len(srcs), small=0.55, large=0.45) * len(srcs) + 1.8)))
    vmax = max(float(np.nanmax(share.to_numpy())) if share.size else 0.0, 0.05)
    im = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
    for i in range(len(srcs)):
        for j in range(len(frs)):
            v = share.iat[i, j]
            if np.isnan(v):
                continue
            ax.text(j, i, f"{v:.0%}\nn={int(k.iat[i, j]):,}", ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 * vmax else "black")
    ax.set_xticks(range(len(frs)), [names[f] for f in frs], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(srcs)), [f"{labels[s]} ({int(nsent[s]):,} sent.)" for s in srcs])
    ax.set_xlabel("Frame")
    ax.set_ylabel("Source (sentences)")
    ax.grid(False)
    ax.set_title(title or "Share of sentences carrying each frame")
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, label="share of sentences")
    margin = _note(fig, shown, rest, "sentences", pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def certainty_bars(certainty: pd.DataFrame, *, sources: Sequence[str] | None = None, title: str | None = None,
                   max_sources: int = MAX_PANELS, palette: Palette | None = None):
    """Hedges, boosters, promotional words and superlatives per 1,000 words: one bar per
    source (its colour) in each measure group, with the bootstrap interval as error bars and
    the count above each bar. At most ``max_sources`` bars per group (the largest sources), then
    an "others" bar: the others' markers over their words (no interval)."""
    d = certainty
    present = list(pd.unique(d["source"]))
    pal = palette or palette_of(sources)
    styles = source_styles(list(sources) if sources is not None else present, pal)
    colors = {k: v.color for k, v in styles.items()}
    words = d.drop_duplicates("source").set_index("source")["words"].to_dict() if "words" in d.columns else None
    srcs, rest = top_sources(_order(present, sources), top=max_sources, weights=words, palette=pal)
    labels = dict(zip(d["source"], d["label"]))
    if rest:
        o = d[d["source"].isin(rest)].groupby("measure", sort=False).agg(count=("count", "sum")).reset_index()
        n_words = float(sum(words[s] for s in rest)) if words else np.nan
        o = o.assign(source=OTHERS_KEY, per_1000_words=o["count"] / n_words * 1000 if n_words else np.nan,
                     ci_low=np.nan, ci_high=np.nan)
        d = pd.concat([d[d["source"].isin(srcs)], o], ignore_index=True)
        labels[OTHERS_KEY] = others_label(rest)
        colors[OTHERS_KEY] = OTHERS_COLOR
    shown = list(srcs)
    srcs = shown + ([OTHERS_KEY] if rest else [])
    measures = list(pd.unique(d["measure"]))
    width = 0.8 / max(len(srcs), 1)
    per_bar = 0.25 if len(srcs) <= 6 else 0.14
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(measures) + per_bar * len(srcs) * len(measures)) + (2.5 if len(srcs) > 6 else 0),
                                    5 if len(srcs) > 6 else 4))
    for k, s in enumerate(srcs):
        r = d[d["source"] == s].set_index("measure").reindex(measures)
        x = np.arange(len(measures)) - 0.4 + width * (k + 0.5)
        y = r["per_1000_words"].to_numpy(dtype=float)
        err = np.vstack([np.clip(y - r["ci_low"].to_numpy(dtype=float), 0, None),
                         np.clip(r["ci_high"].to_numpy(dtype=float) - y, 0, None)])
        st = styles.get(s)
        ax.bar(x, y, width, color=colors.get(s, "grey"), label=labels.get(s, s), yerr=np.nan_to_num(err), capsize=2,
               error_kw={"elinewidth": 0.8, "alpha": 0.7}, hatch=st.hatch if st else "", edgecolor="white", lw=0)
        for xi, yi, c in zip(x, y, r["count"].to_numpy()):
            if not pd.isna(c):
                ax.text(xi, 0 if pd.isna(yi) else yi, f"{int(c)}", ha="center", va="bottom",
                        fontsize=7 if len(srcs) <= 6 else 6, rotation=0 if len(srcs) <= 8 else 90)
    ax.set_xticks(range(len(measures)), [m.capitalize() for m in measures])
    ax.set_ylabel("per 1,000 words")
    ax.set_xlabel("Measure (number above bar = count)")
    ax.set_title(title or "Certainty and promotional intensity per source")
    if len(srcs) > 6:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(fontsize=8, frameon=False, ncol=min(len(srcs), 3))
    margin = _note(fig, shown, rest, "words", pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig


def _select_items(matrix: pd.DataFrame, max_items: int) -> pd.DataFrame:
    if len(matrix) <= max_items:
        return matrix
    om = matrix[matrix["omitted_by"] != ""]
    uni = matrix[matrix["unique_to"] != ""]
    rest = matrix[(matrix["omitted_by"] == "") & (matrix["unique_to"] == "")]
    third = max_items // 3
    pick = pd.concat([om.head(third), uni[uni["kind"] != "actor"].head(third)])
    pick = pd.concat([pick, rest.head(max_items - len(pick))])
    if len(pick) < max_items:
        pick = pd.concat([pick, matrix.drop(pick.index).head(max_items - len(pick))])
    return matrix.loc[sorted(pick.index)]


def coverage_plot(matrix: pd.DataFrame, sources: Sequence[str], *, labels: dict[str, str] | None = None,
                  max_items: int = 40, title: str | None = None, max_sources: int = MAX_MATRIX,
                  palette: Palette | None = None):
    """Item × source grid: a filled cell (source colour) when the source carries the item,
    with the count; items only one source reports are highlighted (orange label, ★), and an
    ``×`` marks a source that omits an item most others carry. At most ``max_items`` rows:
    omitted items first, then unique items, then the most widely carried. At most
    ``max_sources`` source columns (the largest), then an "others" column: how many of the
    other sources carry the item ("k/n")."""
    pal = palette or palette_of(sources, labels)
    all_srcs = list(sources)
    srcs, rest = top_sources(all_srcs, top=max_sources, palette=pal)
    labels = labels or {s: s for s in all_srcs}
    colors = source_colors(all_srcs, pal)
    m = _select_items(matrix, max_items)
    ncol = len(srcs) + bool(rest)
    fig, ax = plt.subplots(figsize=(max(5, (1.1 if ncol <= 12 else 0.75) * ncol + 4.5), max(2.5, 0.28 * len(m) + 1.5)))
    for i, (_, row) in enumerate(m.iterrows()):
        omitted = {x.strip() for x in str(row["omitted_by"]).split(",") if x.strip()}
        for j, s in enumerate(srcs):
            c = int(row.get(s, 0))
            if c > 0:
                ax.add_patch(Rectangle((j - 0.45, i - 0.4), 0.9, 0.8, color=colors[s], alpha=0.75))
                ax.text(j, i, str(c), ha="center", va="center", fontsize=7, color="white")
            elif s in omitted:
                ax.text(j, i, "×", ha="center", va="center", fontsize=10, color="#D55E00")
        if rest:
            k = int(sum(int(row.get(s, 0) or 0) > 0 for s in rest))
            ax.add_patch(Rectangle((len(srcs) - 0.45, i - 0.4), 0.9, 0.8, color=OTHERS_COLOR, alpha=0.2 + 0.6 * k / len(rest)))
            ax.text(len(srcs), i, f"{k}/{len(rest)}", ha="center", va="center", fontsize=6.5, color="black")
    ylab = [(("★ " if r["unique_to"] else "") + str(r["label"])[:45] + f"  [{r['kind']}]") for _, r in m.iterrows()]
    ax.set_xlim(-0.5, ncol - 0.5)
    ax.set_ylim(len(m) - 0.5, -0.5)
    ax.set_xticks(range(ncol), [labels.get(s, s) for s in srcs] + ([others_label(rest)] if rest else []),
                  rotation=30 if ncol <= 12 else 60, ha="right", fontsize=10 if ncol <= 12 else 8)
    ax.set_yticks(range(len(m)), ylab, fontsize=7)
    for t, (_, r) in zip(ax.get_yticklabels(), m.iterrows()):
        if r["unique_to"]:
            t.set_color("#D55E00")
            t.set_fontweight("bold")
    ax.grid(False)
    ax.set_xlabel("Source")
    ax.set_ylabel("Item (★ = only one source; × = omitted where most others carry it)")
    ax.set_title(title or f"What each source reports ({len(m)} of {len(matrix)} items)")
    if rest:
        fig.text(0.01, 0.005, f"the {len(srcs)} largest of {len(all_srcs):,} sources (by {basis(all_srcs, 'corpus order', pal)}); "
                              f"the '{others_label(rest)}' column counts how many of the others carry each item; "
                              "every source is in the CSV", ha="left", va="bottom", fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.25 / fig.get_size_inches()[1] if rest else 0, 1, 1))
    return fig


def prominence_bars(prominence: pd.DataFrame, *, sources: Sequence[str] | None = None, labels: dict[str, str] | None = None,
                    top: int = 8, title: str | None = None, max_sources: int = MAX_PANELS,
                    palette: Palette | None = None):
    """Share of actor mentions for the ``top`` actors overall, one bar per source (its colour).
    At most ``max_sources`` bars per actor (the largest sources), then an "others" bar: the
    others' mentions of the actor over all their actor mentions."""
    d = prominence
    pal = palette or palette_of(sources, labels)
    all_srcs = list(sources) if sources is not None else list(pd.unique(d["source"]))
    styles = source_styles(all_srcs, pal)
    labels = dict(labels or {s: s for s in all_srcs})
    totals = d.groupby("source", sort=False)["mentions"].sum()
    srcs, rest = top_sources(all_srcs, top=max_sources, weights=totals.to_dict(), palette=pal)
    actors = d.groupby("actor")["mentions"].sum().sort_values(ascending=False).head(top).index.tolist()
    bars = list(srcs) + ([OTHERS_KEY] if rest else [])
    width = 0.8 / max(len(bars), 1)
    legend_out = len(bars) > 6
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(actors) + 2, 0.12 * len(bars) * len(actors) + 2)
                                    + (2.5 if legend_out else 0), 4.5 if legend_out else 4))
    for k, s in enumerate(bars):
        x = np.arange(len(actors)) - 0.4 + width * (k + 0.5)
        if s == OTHERS_KEY:
            o = d[d["source"].isin(rest)]
            total = float(o["mentions"].sum())
            share = o.groupby("actor")["mentions"].sum().reindex(actors).fillna(0) / total if total else 0 * x
            ax.bar(x, np.asarray(share, dtype=float), width, color=OTHERS_COLOR, label=others_label(rest))
            continue
        r = d[d["source"] == s].set_index("actor").reindex(actors)
        st = styles[s]
        ax.bar(x, r["share"].fillna(0).to_numpy(), width, color=st.color, label=labels.get(s, s), hatch=st.hatch,
               edgecolor="white", lw=0)
    ax.set_xticks(range(len(actors)), actors, rotation=30, ha="right")
    ax.set_ylabel("share of the source's actor mentions")
    ax.set_xlabel("Actor")
    ax.set_title(title or "Actor prominence per source")
    if legend_out:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(fontsize=8, frameon=False, ncol=min(len(bars), 3))
    margin = _note(fig, srcs, rest, "actor mentions", pal)
    fig.tight_layout(rect=(0, margin, 1, 1))
    return fig
