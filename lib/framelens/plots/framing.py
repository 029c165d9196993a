"""Figures for the framing lens: salience heatmap, certainty/promotional rates, coverage matrix.

Each function takes the DataFrame a :mod:`framelens.framing` function returned and gives back
a matplotlib Figure (the caller saves it with :func:`framelens.report.save_figure`).
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from . import source_colors

__all__ = ["salience_heatmap", "certainty_bars", "coverage_plot", "prominence_bars"]


def salience_heatmap(salience: pd.DataFrame, *, frames: Sequence[str] | None = None,
                     family: str | Sequence[str] | None = None, title: str | None = None):
    """Source × frame heatmap of the share of sentences carrying each frame; every cell is
    annotated with the share and the number of sentences (n) behind it."""
    d = salience
    if family is not None:
        fams = [family] if isinstance(family, str) else list(family)
        d = d[d["family"].isin(fams)]
    if frames is not None:
        d = d[d["frame"].isin(list(frames))]
    srcs = list(pd.unique(d["source"]))
    frs = list(pd.unique(d["frame"]))
    names = dict(zip(d["frame"], d["name"]))
    labels = dict(zip(d["source"], d["label"]))
    share = d.pivot(index="source", columns="frame", values="share").reindex(index=srcs, columns=frs)
    k = d.pivot(index="source", columns="frame", values="sentences").reindex(index=srcs, columns=frs)
    nsent = d.drop_duplicates("source").set_index("source")["n_sentences"].reindex(srcs)
    fig, ax = plt.subplots(figsize=(max(6, 0.62 * len(frs) + 2.5), max(2.5, 0.55 * len(srcs) + 1.8)))
    vmax = max(float(np.nanmax(share.to_numpy())) if share.size else 0.0, 0.05)
    im = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
    for i in range(len(srcs)):
        for j in range(len(frs)):
            v = share.iat[i, j]
            if np.isnan(v):
                continue
            ax.text(j, i, f"{v:.0%}\nn={int(k.iat[i, j])}", ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 * vmax else "black")
    ax.set_xticks(range(len(frs)), [names[f] for f in frs], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(srcs)), [f"{labels[s]} ({int(nsent[s])} sent.)" for s in srcs])
    ax.set_xlabel("Frame")
    ax.set_ylabel("Source (sentences)")
    ax.grid(False)
    ax.set_title(title or "Share of sentences carrying each frame")
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, label="share of sentences")
    fig.tight_layout()
    return fig


def certainty_bars(certainty: pd.DataFrame, *, sources: Sequence[str] | None = None, title: str | None = None):
    """Hedges, boosters, promotional words and superlatives per 1,000 words: one bar per
    source (its colour) in each measure group, with the bootstrap interval as error bars and
    the count above each bar."""
    d = certainty
    srcs = list(pd.unique(d["source"]))
    colors = source_colors(list(sources) if sources is not None else srcs)
    labels = dict(zip(d["source"], d["label"]))
    measures = list(pd.unique(d["measure"]))
    width = 0.8 / max(len(srcs), 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(measures) + 0.25 * len(srcs) * len(measures)), 4))
    for k, s in enumerate(srcs):
        r = d[d["source"] == s].set_index("measure").reindex(measures)
        x = np.arange(len(measures)) - 0.4 + width * (k + 0.5)
        y = r["per_1000_words"].to_numpy(dtype=float)
        err = np.vstack([np.clip(y - r["ci_low"].to_numpy(dtype=float), 0, None),
                         np.clip(r["ci_high"].to_numpy(dtype=float) - y, 0, None)])
        ax.bar(x, y, width, color=colors.get(s, "grey"), label=labels.get(s, s), yerr=err, capsize=2,
               error_kw={"elinewidth": 0.8, "alpha": 0.7})
        for xi, yi, c in zip(x, y, r["count"].to_numpy()):
            ax.text(xi, yi, f"{int(c)}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(measures)), [m.capitalize() for m in measures])
    ax.set_ylabel("per 1,000 words")
    ax.set_xlabel("Measure (number above bar = count)")
    ax.set_title(title or "Certainty and promotional intensity per source")
    ax.legend(fontsize=8, frameon=False, ncol=min(len(srcs), 3))
    fig.tight_layout()
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
                  max_items: int = 40, title: str | None = None):
    """Item × source grid: a filled cell (source colour) when the source carries the item,
    with the count; items only one source reports are highlighted (orange label, ★), and an
    ``×`` marks a source that omits an item most others carry. At most ``max_items`` rows:
    omitted items first, then unique items, then the most widely carried."""
    srcs = list(sources)
    labels = labels or {s: s for s in srcs}
    colors = source_colors(srcs)
    m = _select_items(matrix, max_items)
    fig, ax = plt.subplots(figsize=(max(5, 1.1 * len(srcs) + 4.5), max(2.5, 0.28 * len(m) + 1.5)))
    for i, (_, row) in enumerate(m.iterrows()):
        omitted = {x.strip() for x in str(row["omitted_by"]).split(",") if x.strip()}
        for j, s in enumerate(srcs):
            c = int(row.get(s, 0))
            if c > 0:
                ax.add_patch(Rectangle((j - 0.45, i - 0.4), 0.9, 0.8, color=colors[s], alpha=0.75))
                ax.text(j, i, str(c), ha="center", va="center", fontsize=7, color="white")
            elif s in omitted:
                ax.text(j, i, "×", ha="center", va="center", fontsize=10, color="#D55E00")
    ylab = [(("★ " if r["unique_to"] else "") + str(r["label"])[:45] + f"  [{r['kind']}]") for _, r in m.iterrows()]
    ax.set_xlim(-0.5, len(srcs) - 0.5)
    ax.set_ylim(len(m) - 0.5, -0.5)
    ax.set_xticks(range(len(srcs)), [labels.get(s, s) for s in srcs], rotation=30, ha="right")
    ax.set_yticks(range(len(m)), ylab, fontsize=7)
    for t, (_, r) in zip(ax.get_yticklabels(), m.iterrows()):
        if r["unique_to"]:
            t.set_color("#D55E00")
            t.set_fontweight("bold")
    ax.grid(False)
    ax.set_xlabel("Source")
    ax.set_ylabel("Item (★ = only one source; × = omitted where most others carry it)")
    ax.set_title(title or f"What each source reports ({len(m)} of {len(matrix)} items)")
    fig.tight_layout()
    return fig


def prominence_bars(prominence: pd.DataFrame, *, sources: Sequence[str] | None = None, labels: dict[str, str] | None = None,
                    top: int = 8, title: str | None = None):
    """Share of actor mentions for the ``top`` actors overall, one bar per source (its colour)."""
    d = prominence
    srcs = list(sources) if sources is not None else list(pd.unique(d["source"]))
    colors = source_colors(srcs)
    labels = labels or {s: s for s in srcs}
    actors = d.groupby("actor")["mentions"].sum().sort_values(ascending=False).head(top).index.tolist()
    width = 0.8 / max(len(srcs), 1)
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(actors) + 2), 4))
    for k, s in enumerate(srcs):
        r = d[d["source"] == s].set_index("actor").reindex(actors)
        x = np.arange(len(actors)) - 0.4 + width * (k + 0.5)
        ax.bar(x, r["share"].fillna(0).to_numpy(), width, color=colors[s], label=labels.get(s, s))
    ax.set_xticks(range(len(actors)), actors, rotation=30, ha="right")
    ax.set_ylabel("share of the source's actor mentions")
    ax.set_xlabel("Actor")
    ax.set_title(title or "Actor prominence per source")
    ax.legend(fontsize=8, frameon=False, ncol=min(len(srcs), 3))
    fig.tight_layout()
    return fig
