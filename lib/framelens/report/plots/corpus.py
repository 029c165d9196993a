"""Figures for the corpus overview: publication timeline, lengths, cleaning audit.

Each figure has a bounded size whatever the corpus. Up to :data:`~framelens.report.plots.limits.MAX_ARTICLES`
articles it draws one row per article; beyond that one row per source — the
:data:`~framelens.report.plots.limits.MAX_SOURCES` largest, then one grey row pooling the others — with
the distribution of its articles (dates, lengths) and the count of undated ones. The audit figure
then sums the removed characters per cleaning rule.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from framelens.core.palette import OTHERS_COLOR, Palette, palette_of, source_styles
from framelens.report.plots.limits import MAX_ARTICLES, MAX_SOURCES, others_label, shown_note, top_sources

#: Undated articles named in a title at most; beyond, they are counted.
MAX_NAMED = 5


def _row_height(n: int) -> float:
    return 0.6 if n <= 12 else 0.38


def _message(title: str, msg: str, *, size=(9, 2.4)):
    fig, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, msg, ha="center", va="center", transform=ax.transAxes, wrap=True)
    return fig


def _units(df: pd.DataFrame, sources: list[str] | None, top: int | None, palette: Palette | None = None):
    """Rows of a per-source figure: ``(rows, rest, styles, names)``; ``rows`` holds the shown
    source ids, then ``None`` for the pooled others when some were left out."""
    pal = palette or palette_of(sources)
    present = list(dict.fromkeys(df["source"]))
    order = [s for s in (sources or present) if s in set(present)] + [s for s in present if s not in set(sources or present)]
    shown, rest = top_sources(order, top=top, weights=df.groupby("source", sort=False).size().to_dict(), palette=pal)
    styles = source_styles(sources or present, pal)
    labels = dict(zip(df["source"], df["label"].astype(str))) if "label" in df.columns else {}
    names = {s: labels.get(s, s) for s in shown}
    rows = list(shown) + ([None] if rest else [])
    return rows, rest, styles, names


def _date_axis(ax, lo, hi) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    if lo is not None:
        pad = max(pd.Timedelta(days=20), (hi - lo) * 0.1)
        ax.set_xlim(lo - pad, hi + pad)


def timeline(tl: pd.DataFrame, *, sources: list[str] | None = None, max_articles: int = MAX_ARTICLES,
             top: int = MAX_SOURCES, palette: Palette | None = None):
    """Publication dates; a month-precision date is drawn as a bar across the month.

    ``tl`` comes from :func:`framelens.lenses.overview.timeline`. Up to ``max_articles`` articles: one row
    per article (dot: exact day; bar: only the month or year known), the undated ones named in the
    title (counted when more than a few). More articles: one row per source (the ``top`` largest,
    then "others"), each article a dot (or a bar across its month) jittered within the row, the
    number of articles and of undated ones beside the row.
    """
    if len(tl) > max_articles:
        return _timeline_by_source(tl, sources=sources, top=top, palette=palette)
    title = "When each article was published"
    styles = source_styles(sources or list(dict.fromkeys(tl["source"])), palette or palette_of(sources))
    known = tl.dropna(subset=["start"]).reset_index(drop=True)
    unknown = tl[tl["start"].isna()]
    if not len(known):
        return _message(title, f"No publication dates: {_undated_text(unknown)}.")
    fig, ax = plt.subplots(figsize=(9, _row_height(len(known)) * max(len(known), 2) + 1.4))
    for i, r in known.iterrows():
        st = styles.get(r["source"])
        c = st.color if st else "grey"
        if r["precision"] == "day":
            ax.plot([r["start"]], [i], st.marker if st else "o", color=c, ms=9)
        else:
            ax.barh(i, (r["end"] - r["start"]).days + 1, left=r["start"], height=0.35, color=c, alpha=0.45,
                    edgecolor=c, hatch=st.hatch if st else "")
        ax.annotate(f"  {r['event'] or ''}", (r["end"] if r["precision"] != "day" else r["start"], i),
                    va="center", fontsize=8, color="#444")
    ax.set_yticks(range(len(known)), [f"{r.label} ({r.doc_id})" for r in known.itertuples()])
    ax.invert_yaxis()
    ax.set_xlabel("Publication date (dot: exact day; bar: only the month is known)")
    if len(unknown):
        title += f"\n(date unknown: {_undated_text(unknown)})"
    ax.set_title(title)
    lo, hi = known["start"].min(), known["end"].max()
    _date_axis(ax, None, None)
    pad = max(pd.Timedelta(days=20), (hi - lo) * 0.25)
    ax.set_xlim(lo - pad, hi + pad * 2.5)
    fig.tight_layout()
    return fig


def _undated_text(unknown: pd.DataFrame) -> str:
    n = len(unknown)
    if 0 < n <= MAX_NAMED:
        return ", ".join(f"{r.label} ({r.doc_id})" if r.label != r.doc_id else str(r.doc_id)
                         for r in unknown.itertuples())
    return f"{n:,} article{'s' if n != 1 else ''} with no date"


def _timeline_by_source(tl: pd.DataFrame, *, sources: list[str] | None, top: int, palette: Palette | None = None):
    rows, rest, styles, names = _units(tl, sources, top, palette)
    known = tl.dropna(subset=["start"])
    n_undated = int(tl["start"].isna().sum())
    title = "When the articles were published, per source"
    if known.empty:
        return _message(title, f"No publication dates: none of the {len(tl):,} articles in "
                               f"{tl['source'].nunique():,} sources has one.")
    y_of = {s: i for i, s in enumerate(rows)}
    others = set(rest)
    ypos = known["source"].map(lambda s: y_of[None] if s in others else y_of.get(s, np.nan)).to_numpy(float)
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-0.3, 0.3, len(known))
    fig, ax = plt.subplots(figsize=(10, _row_height(len(rows)) * max(len(rows), 2) + 1.8))
    alpha = float(np.clip(30 / max(known.groupby("source").size().max(), 1), 0.15, 0.9))
    for s in rows:
        sel = known["source"].isin(rest) if s is None else known["source"].eq(s)
        g = known[sel]
        if g.empty:
            continue
        y = ypos[sel.to_numpy()] + jitter[sel.to_numpy()]
        st = styles.get(s) if s is not None else None
        c = st.color if st else OTHERS_COLOR
        day = g["precision"].eq("day").to_numpy()
        ax.scatter(g.loc[day, "start"], y[day], s=14, color=c, alpha=alpha, marker=st.marker if st else "o",
                   edgecolor="none")
        if (~day).any():
            ax.hlines(y[~day], g.loc[~day, "start"], g.loc[~day, "end"], color=c, alpha=min(1.0, alpha + 0.1), lw=2)
    counts = tl.groupby("source", sort=False).size()
    undated = tl[tl["start"].isna()].groupby("source", sort=False).size()
    labels = []
    for s in rows:
        members = rest if s is None else [s]
        n = int(counts.reindex(members).sum())
        u = int(undated.reindex(members).fillna(0).sum())
        name = others_label(rest) if s is None else names[s]
        labels.append(f"{name} (n={n:,})")
        ax.annotate(f" {u:,} undated" if u else "", (1.0, y_of[s]), xycoords=("axes fraction", "data"),
                    va="center", fontsize=8, color="#b00020")
    ax.set_yticks(range(len(rows)), labels, fontsize=8.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    _date_axis(ax, known["start"].min(), known["end"].max())
    ax.set_xlabel("Publication date (dot: an article with its exact day; line: only its month or year is known)")
    note = shown_note([s for s in rows if s is not None], rest, noun="source")
    sub = f"{len(tl):,} articles, {len(known):,} dated" + (f", {n_undated:,} with no date (counted at the right)"
                                                           if n_undated else "")
    ax.set_title(f"{title}\n({sub})", fontsize=11)
    if note:
        fig.text(0.01, 0.005, note, fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.03 if note else 0, 1, 1))
    return fig


def lengths(lt: pd.DataFrame, *, sources: list[str] | None = None, max_articles: int = MAX_ARTICLES,
            top: int = MAX_SOURCES, palette: Palette | None = None):
    """Words and sentences per article after cleaning (from :func:`framelens.lenses.overview.lengths`).

    Up to ``max_articles`` articles: one bar per article. More: per source (the ``top`` largest,
    then "others"), a box of its articles' lengths (quartiles, whiskers to 1.5 IQR) with the median
    and the number of articles."""
    if len(lt) > max_articles:
        return _lengths_by_source(lt, sources=sources, top=top, palette=palette)
    styles = source_styles(sources or list(dict.fromkeys(lt["source"])), palette or palette_of(sources))
    fig, axes = plt.subplots(1, 2, figsize=(10, (0.5 if len(lt) <= 12 else 0.35) * max(len(lt), 2) + 1.5), sharey=True)
    labels = [f"{r.label} ({r.doc_id})" for r in lt.itertuples()]
    for ax, col, name in [(axes[0], "n_words", "Words"), (axes[1], "n_sentences", "Sentences")]:
        st = [styles.get(s) for s in lt["source"]]
        ax.barh(labels, lt[col], color=[s.color if s else "grey" for s in st],
                hatch=[s.hatch if s else "" for s in st], edgecolor="white", lw=0)
        for y, v in enumerate(lt[col]):
            ax.annotate(f" {int(v):,}", (v, y), va="center", fontsize=8)
        ax.set_xlabel(f"{name} after cleaning")
        ax.set_title(f"{name} per article")
    axes[0].invert_yaxis()
    fig.tight_layout()
    return fig


def _lengths_by_source(lt: pd.DataFrame, *, sources: list[str] | None, top: int, palette: Palette | None = None):
    rows, rest, styles, names = _units(lt, sources, top, palette)
    fig, axes = plt.subplots(1, 2, figsize=(11, _row_height(len(rows)) * max(len(rows), 2) + 1.9), sharey=True)
    groups = [lt[lt["source"].isin(rest)] if s is None else lt[lt["source"].eq(s)] for s in rows]
    colors = [styles[s].color if s is not None and s in styles else OTHERS_COLOR for s in rows]
    for ax, col, name in [(axes[0], "n_words", "Words"), (axes[1], "n_sentences", "Sentences")]:
        data = [g[col].to_numpy(dtype=float) for g in groups]
        bp = ax.boxplot(data, positions=range(len(rows)), orientation="horizontal", widths=0.6, showfliers=True,
                        patch_artist=True, manage_ticks=False,
                        flierprops=dict(marker=".", markersize=3, alpha=0.4, markeredgecolor="0.4"),
                        medianprops=dict(color="black"))
        for patch, c in zip(bp["boxes"], colors):
            patch.set_facecolor(c)
            patch.set_alpha(0.75)
        top_v = max((float(np.max(x)) for x in data if len(x)), default=1.0)
        for y, x in enumerate(data):
            if len(x):
                ax.annotate(f" median {np.median(x):,.0f}", (1.0, y), xycoords=("axes fraction", "data"), va="center",
                            fontsize=7.5, color="0.3")
        ax.set_xlim(0, top_v * 1.05)
        ax.set_xlabel(f"{name} per article after cleaning")
        ax.set_title(f"{name} per article, by source", fontsize=11)
        ax.grid(axis="y", visible=False)
    labels = [f"{others_label(rest) if s is None else names[s]} (n={len(g):,})" for s, g in zip(rows, groups)]
    axes[0].set_yticks(range(len(rows)), labels, fontsize=8.5)
    axes[0].set_ylim(len(rows) - 0.5, -0.5)
    note = shown_note([s for s in rows if s is not None], rest)
    note = (note + " · " if note else "") + f"{len(lt):,} articles; box = quartiles, line = median, dots = outliers"
    fig.text(0.01, 0.005, note, fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1), w_pad=6)
    return fig


def audit(summary: pd.DataFrame, labels: dict[str, str] | None = None, *, max_articles: int = MAX_ARTICLES):
    """Characters removed per article, stacked by cleaning rule (from ``overview.audit_summary``).

    ``labels`` maps a doc_id (or a source id equal to it) to its display name. With more than
    ``max_articles`` articles: characters removed per rule over the whole corpus, with the number
    of articles each rule touched (one row per rule, so the size does not grow with the corpus)."""
    if summary.empty:
        fig, ax = plt.subplots(figsize=(9, 2.1))
        ax.set_title("Cleaning removed nothing")
        ax.axis("off")
        return fig
    if summary["doc_id"].nunique() > max_articles:
        return _audit_by_rule(summary)
    n = summary["doc_id"].nunique()
    fig, ax = plt.subplots(figsize=(9, (0.5 if n <= 12 else 0.35) * max(n, 2) + 1.6))
    pivot = summary.pivot_table(index="doc_id", columns="rule", values="characters", aggfunc="sum", fill_value=0,
                                sort=False)
    names = [f"{(labels or {}).get(d, d)} ({d})" if (labels or {}).get(d, d) != d else str(d) for d in pivot.index]
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


def _audit_by_rule(summary: pd.DataFrame):
    g = summary.groupby("rule", sort=False).agg(characters=("characters", "sum"), spans=("spans", "sum"),
                                                 articles=("doc_id", "nunique"))
    g = g.sort_values("characters", ascending=False, kind="stable")
    fig, ax = plt.subplots(figsize=(9, 0.42 * max(len(g), 2) + 1.6))
    cmap = plt.get_cmap("tab20")
    y = np.arange(len(g))
    ax.barh(y, g["characters"], color=[cmap(k % 20) for k in range(len(g))])
    for yi, (c, sp, a) in enumerate(zip(g["characters"], g["spans"], g["articles"])):
        ax.annotate(f" {int(c):,} characters · {int(sp):,} spans in {int(a):,} articles", (c, yi), va="center",
                    fontsize=8)
    ax.set_yticks(y, list(g.index))
    ax.set_ylim(len(g) - 0.5, -0.5)
    ax.set_xlim(0, float(g["characters"].max()) * 1.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Characters removed, all articles")
    ax.set_ylabel("Cleaning rule")
    ax.set_title(f"What cleaning removed, by rule ({summary['doc_id'].nunique():,} articles touched; "
                 "every span in the audit table)", fontsize=11)
    fig.tight_layout()
    return fig
