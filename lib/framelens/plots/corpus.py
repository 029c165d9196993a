"""Figures for the corpus overview: publication timeline, lengths, cleaning audit."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from . import source_colors


def timeline(tl: pd.DataFrame, *, sources: list[str] | None = None):
    """Publication dates per article; a month-precision date is drawn as a bar across the month.

    ``tl`` comes from :func:`framelens.overview.timeline`. Articles with unknown dates are listed
    in the title rather than silently dropped.
    """
    colors = source_colors(sources or list(dict.fromkeys(tl["source"])))
    known = tl.dropna(subset=["start"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.6 * max(len(tl), 2) + 1.4))
    for i, r in known.iterrows():
        c = colors.get(r["source"], "grey")
        if r["precision"] == "day":
            ax.plot([r["start"]], [i], "o", color=c, ms=9)
        else:
            ax.barh(i, (r["end"] - r["start"]).days + 1, left=r["start"], height=0.35, color=c, alpha=0.45,
                    edgecolor=c)
        ax.annotate(f"  {r['event'] or ''}", (r["end"] if r["precision"] != "day" else r["start"], i),
                    va="center", fontsize=8, color="#444")
    ax.set_yticks(range(len(known)), [f"{r.label} ({r.doc_id})" for r in known.itertuples()])
    ax.invert_yaxis()
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlabel("Publication date (dot: exact day; bar: only the month is known)")
    title = "When each article was published"
    unknown = tl[tl["start"].isna()]
    if len(unknown):
        title += f"\n(date unknown: {', '.join(unknown['label'])})"
    ax.set_title(title)
    if len(known):
        lo, hi = known["start"].min(), known["end"].max()
        pad = max(pd.Timedelta(days=20), (hi - lo) * 0.25)
        ax.set_xlim(lo - pad, hi + pad * 2.5)
    fig.tight_layout()
    return fig


def lengths(lt: pd.DataFrame, *, sources: list[str] | None = None):
    """Words and sentences per article after cleaning (from :func:`framelens.overview.lengths`)."""
    colors = source_colors(sources or list(dict.fromkeys(lt["source"])))
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.5 * max(len(lt), 2) + 1.5), sharey=True)
    labels = [f"{r.label} ({r.doc_id})" for r in lt.itertuples()]
    for ax, col, name in [(axes[0], "n_words", "Words"), (axes[1], "n_sentences", "Sentences")]:
        ax.barh(labels, lt[col], color=[colors.get(s, "grey") for s in lt["source"]])
        for y, v in enumerate(lt[col]):
            ax.annotate(f" {int(v):,}", (v, y), va="center", fontsize=8)
        ax.set_xlabel(f"{name} after cleaning")
        ax.set_title(f"{name} per article")
    axes[0].invert_yaxis()
    fig.tight_layout()
    return fig


def audit(summary: pd.DataFrame, labels: dict[str, str] | None = None):
    """Characters removed per article, stacked by cleaning rule (from ``overview.audit_summary``)."""
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(summary["doc_id"].nunique(), 2) + 1.6))
    if summary.empty:
        ax.set_title("Cleaning removed nothing")
        ax.axis("off")
        return fig
    pivot = summary.pivot_table(index="doc_id", columns="rule", values="characters", aggfunc="sum", fill_value=0,
                                sort=False)
    names = [f"{(labels or {}).get(d, d)} ({d})" for d in pivot.index]
    left = pd.Series(0, index=pivot.index, dtype=float)
    cmap = plt.get_cmap("tab20")
    for k, rule in enumerate(pivot.columns):
        ax.barh(names, pivot[rule], left=left, label=rule, color=cmap(k % 20))
        left += pivot[rule]
    ax.invert_yaxis()
    ax.set_xlabel("Characters removed")
    ax.set_title("What cleaning removed from each article, by rule")
    ax.legend(title="rule", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig
