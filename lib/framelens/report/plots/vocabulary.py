"""Figures of the vocabulary lens. Each function takes a DataFrame from
:mod:`framelens.lenses.vocabulary` and returns a matplotlib Figure (not shown, not saved).

Pass ``sources=corpus.sources`` (the full ordered list) so each source keeps its colour from
:func:`framelens.report.plots.source_colors` in every figure. Every figure is bounded whatever the number
of sources: the largest sources (:mod:`framelens.report.plots.limits`), the others pooled where pooling is
exact, else counted in a note; the full tables are in the CSV files.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from framelens.core.palette import Palette, palette_of, source_styles
from framelens.report.plots import source_colors
from framelens.report.plots.limits import MAX_MATRIX, MAX_PANELS, MAX_SOURCES, basis, others_label, row_height, shown_note, top_sources

GREY = "#9ca3af"
#: Terms drawn per panel at most (the table lists as many as asked).
MAX_TERMS = 15


def _order(df: pd.DataFrame, sources: list[str] | None) -> list[str]:
    present = list(pd.unique(df["source"]))
    if sources is None:
        return present
    return [s for s in sources if s in set(present)]


def _labels(df: pd.DataFrame) -> dict[str, str]:
    if "label" in df.columns:
        return dict(zip(df["source"], df["label"].astype(str)))
    return {s: s for s in df["source"]}


def distinctive_terms(
    dist: pd.DataFrame,
    *,
    sources: list[str] | None = None,
    top: int = 10,
    ncols: int = 3,
    title: str = "Most distinctive terms of each source (vs. all other sources)",
    max_sources: int = MAX_PANELS,
    palette: Palette | None = None,
):
    """One panel per source: horizontal bars of the log-odds z-score of its ``top`` most
    over-represented terms (Monroe et al. 2008), each bar annotated with the term's count in the
    source and in the rest ("n=7 vs 1"). At most ``max_sources`` panels (the largest sources) and
    :data:`MAX_TERMS` terms per panel; a note counts the sources left out."""
    pal = palette or palette_of(sources)
    colors = source_colors(sources or list(pd.unique(dist["source"])), pal)
    order = _order(dist, sources)
    order, rest = top_sources(order, top=max_sources, weights=dist.groupby("source")["count"].sum().to_dict(), palette=pal)
    top = max(1, min(int(top), MAX_TERMS))
    labels = _labels(dist)
    n = max(1, len(order))
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    per_term = 0.32 if top <= 10 else 0.25
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, per_term * top * nrows + 1.4 * nrows + 0.6), squeeze=False)
    xmax = float(np.nanmax(dist["z"].to_numpy(dtype=float))) if len(dist) and dist["z"].notna().any() else 1.0
    for ax, src in zip(axes.flat, order):
        d = dist[(dist["source"] == src) & (dist["z"] > 0)].sort_values("z", ascending=False).head(top)
        d = d.iloc[::-1]
        y = np.arange(len(d))
        ax.barh(y, d["z"], color=colors.get(src, "#333333"), alpha=0.85)
        ax.set_yticks(y, [textwrap.shorten(t, 28, placeholder="…") for t in d["term"]], fontsize=8.5)
        for yi, (z, c, cr) in enumerate(zip(d["z"], d["count"], d["count_rest"])):
            ax.text(z + xmax * 0.02, yi, f"n={c} vs {cr}", va="center", fontsize=7.5, color="#374151")
        ax.set_xlim(0, xmax * 1.45)
        ax.set_title(labels.get(src, src), fontsize=10.5)
        ax.set_xlabel("log-odds z (higher = more typical of this source)", fontsize=8.5)
        ax.grid(axis="y", visible=False)
        if d.empty:
            ax.text(0.5, 0.5, "no term reached the minimum count", ha="center", va="center", transform=ax.transAxes, fontsize=8)
    for ax in list(axes.flat)[len(order):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    note = "n = count in this source vs. in all other sources together"
    if rest:
        note += "\n" + shown_note(order, rest, by=basis(order + rest, "term counts", pal), pooled=False)
    fig.text(0.5, 0.005, note, ha="center", fontsize=8, color="#4b5563")
    fig.tight_layout(rect=(0, 0.035 if rest else 0.02, 1, 0.97))
    return fig


def similarity_heatmap(
    sim: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    title: str = "How alike are the vocabularies? (TF-IDF cosine)",
    cmap: str = "Blues",
    max_sources: int = MAX_MATRIX,
    palette: Palette | None = None,
):
    """Heatmap of a square source × source similarity matrix with the value in every cell.
    ``labels`` maps source ids to display names (default: the index as is). At most
    ``max_sources`` sources (the largest); the full matrix is in the CSV."""
    pal = palette or palette_of(labels)
    shown, rest = top_sources(list(sim.index), top=max_sources, palette=pal)
    if rest:
        sim = sim.loc[shown, shown]
        title += "\n(" + shown_note(shown, rest, by=basis(shown + rest, "corpus order", pal), pooled=False) + ")"
    names = [labels.get(s, s) if labels else s for s in sim.index]
    vals = sim.to_numpy(dtype=float)
    n = len(names)
    cell = 1.1 if n <= 12 else 0.75
    fig, ax = plt.subplots(figsize=(cell * n + 3, cell * 0.82 * n + 2))
    off = vals[~np.eye(n, dtype=bool)] if n > 1 else vals.ravel()
    vmax = float(np.nanmax(off)) if off.size and np.isfinite(off).any() else 1.0
    im = ax.imshow(np.where(np.eye(n, dtype=bool), np.nan, vals), cmap=cmap, vmin=0, vmax=max(vmax, 1e-9))
    for i in range(n):
        for j in range(n):
            v = vals[i, j]
            txt = "–" if i == j else (f"{v:.2f}" if np.isfinite(v) else "n/a")
            dark = np.isfinite(v) and i != j and v > 0.6 * vmax
            ax.text(j, i, txt, ha="center", va="center", fontsize=9 if n <= 12 else 7,
                    color="white" if dark else "#111827")
    ax.set_xticks(range(n), names, rotation=35, ha="right")
    ax.set_yticks(range(n), names)
    ax.grid(False)
    ax.set_title(title, fontsize=12 if not rest else 10)
    ax.set_xlabel("source")
    ax.set_ylabel("source")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="similarity (0 = no overlap, 1 = identical)")
    fig.tight_layout()
    return fig


def diversity(
    div: pd.DataFrame,
    *,
    sources: list[str] | None = None,
    title: str = "Lexical diversity per source",
    max_sources: int = MAX_SOURCES,
    palette: Palette | None = None,
):
    """Three panels: MTLD and MATTR (length-robust, in source colours) and raw TTR in grey with
    the caveat that it falls with text length; bars annotated with the number of word tokens.
    Sources whose texts are shorter than the MATTR window are marked with "*". At most
    ``max_sources`` sources (the largest; diversity cannot be pooled, so the rest are counted)."""
    pal = palette or palette_of(sources)
    order = _order(div, sources)
    order, rest = top_sources(order, top=max_sources, weights=dict(zip(div["source"], div["n_tokens"])), palette=pal)
    styles = source_styles(sources or list(pd.unique(div["source"])), pal)
    colors = {s: st.color for s, st in styles.items()}
    d = div.set_index("source").loc[order]
    labels = [str(l) + ("*" if bool(s) else "") for l, s in zip(d["label"], d["short_for_window"])]
    window = int(d["window"].iloc[0]) if len(d) else 0
    fig, axes = plt.subplots(1, 3, figsize=(13, row_height(len(order), small=0.5, large=0.45) * len(order) + 2.6),
                             sharey=True)
    y = np.arange(len(order))
    panels = [
        ("mtld", "MTLD (McCarthy & Jarvis 2010)\nmean run of text before words repeat", [colors[s] for s in order], 1.0),
        ("mattr", f"MATTR, window {window} tokens\n(Covington & McFall 2010)", [colors[s] for s in order], 1.0),
        ("ttr", "raw type–token ratio (for contrast only)\nfalls as texts get longer", [GREY] * len(order), 0.7),
    ]
    for ax, (col, ttl, cols, alpha) in zip(axes, panels):
        vals = d[col].to_numpy(dtype=float)
        hatches = [styles[s].hatch if s in styles and col != "ttr" else "" for s in order]
        ax.barh(y, np.nan_to_num(vals), color=cols, alpha=alpha, hatch=hatches, edgecolor="white", lw=0)
        top = np.nanmax(vals) if np.isfinite(vals).any() else 1.0
        for yi, (v, n) in enumerate(zip(vals, d["n_tokens"])):
            ax.text((v if np.isfinite(v) else 0) + top * 0.02, yi, f"{v:.2f}" if col != "mtld" else f"{v:.0f}", va="center", fontsize=8)
        ax.set_xlim(0, top * 1.25)
        ax.set_title(ttl, fontsize=9.5, color="#6b7280" if col == "ttr" else "#111827")
        ax.set_xlabel(col.upper())
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, [f"{l}\n(n={n:,} words)" for l, n in zip(labels, d["n_tokens"])], fontsize=8.5)
    axes[0].invert_yaxis()
    note = "TTR is not comparable across texts of different length"
    if d["short_for_window"].any():
        note += f"; * = a text shorter than the {window}-token window (its MATTR is a plain TTR)"
    if rest:
        note += "\n" + shown_note(order, rest, by=basis(order + rest, "words", pal), pooled=False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.text(0.5, 0.005, note, ha="center", fontsize=8, color="#4b5563")
    fig.tight_layout(rect=(0, 0.05 if rest else 0.03, 1, 0.95))
    return fig


def naming(
    naming_long: pd.DataFrame,
    referent: str,
    *,
    sources: list[str] | None = None,
    title: str | None = None,
    max_sources: int = MAX_SOURCES,
    palette: Palette | None = None,
):
    """Stacked horizontal bars for one referent: per source, the share of each variant among its
    mentions of the referent (n mentions annotated). At most ``max_sources`` sources (the
    largest); the mentions of the others are pooled in one "others" bar."""
    d = naming_long[naming_long["referent"] == referent]
    pal = palette or palette_of(sources)
    order = _order(d, sources)
    order, rest = top_sources(order, top=max_sources, weights=d.groupby("source")["count"].sum().to_dict(), palette=pal)
    piv = d.pivot_table(index="source", columns="variant", values="count", aggfunc="sum")
    pooled = piv.reindex(rest).fillna(0).sum(axis=0)
    piv = piv.reindex(order).fillna(0)
    if rest:
        piv.loc[others_label(rest)] = pooled
        order = order + [others_label(rest)]
    piv = piv.reindex(columns=list(pd.unique(d["variant"])))  # the referent table's order
    piv = piv.loc[:, piv.sum(axis=0) > 0]
    labels = _labels(d)
    totals = piv.sum(axis=1)
    share = piv.div(totals.replace(0, np.nan), axis=0).fillna(0)
    fig, ax = plt.subplots(figsize=(9, row_height(len(order), small=0.5, large=0.4) * len(order) + 2))
    left = np.zeros(len(order))
    cmap = plt.get_cmap("tab20")
    for k, var in enumerate(share.columns):
        ax.barh(range(len(order)), share[var], left=left, color=cmap(k % 20), label=var)
        left += share[var].to_numpy()
    ax.set_yticks(range(len(order)), [f"{labels.get(s, s)} (n={int(totals[s])})" for s in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the source's mentions")
    ax.set_title(title or f"How each source names: {referent}")
    if rest:
        fig.text(0.01, 0.005, shown_note(order[:-1], rest, by=basis(order[:-1] + rest, "mentions", pal)),
                 fontsize=8, color="0.35")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
