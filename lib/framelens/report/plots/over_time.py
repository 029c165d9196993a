"""Figures for change over time (from the tables of :func:`framelens.lenses.over_time.over_time`).

* :func:`tone` — mean tone per period, one line per unit, with 95% intervals.
* :func:`frames` / :func:`actors` — small multiples: one panel per leading frame (per actor),
  period on x, one line per unit, the share of sentences with 95% intervals.
* :func:`terms` — the terms that rise, their rate per 1,000 terms in every period (heatmap).

Every figure is bounded: at most ``max_units`` units are drawn (the rest pooled as one grey
"others" line, computed as such by the library, intervals included), at most nine panels and
:data:`MAX_TERMS` terms. The pooled line of every unit together is dashed black. Hollow points
mark cells with fewer than :data:`framelens.lenses.over_time.MIN_N` sentences, with their n written
beside them when the panel has few points. With one period (or none) the figure says there is
nothing to show, and why.
"""

from __future__ import annotations

import math
import textwrap
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from framelens.lenses.over_time import ALL, MIN_N, OTHERS, SEP, unit_names
from framelens.core.palette import OTHERS_COLOR, SourceStyle, palette_of, source_styles

__all__ = ["tone", "frames", "actors", "terms"]

MAX_PANELS = 9
MAX_TERMS = 30
_ANNOTATE_POINTS = 40  # write n beside small cells when a panel has at most this many points


def _message(title: str, msg: str):
    fig, ax = plt.subplots(figsize=(8, 2.2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, "\n".join(textwrap.wrap(msg, 95)), ha="center", va="center", transform=ax.transAxes,
            fontsize=9)
    return fig


def _nothing(status: pd.DataFrame, title: str):
    """The 'nothing to show' figure, or None when there is something to show."""
    if status is None or status.empty:
        return _message(title, "No over-time table.")
    r = status.iloc[0]
    if bool(r["nothing_to_show"]):
        return _message(title, str(r["message"]).split(" Left out:")[0])
    return None


def _periods(status: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    ps = [p for p in str(status.iloc[0]["periods"]).split(SEP) if p]
    seen = set(table["period"]) if len(table) else set()
    return ps if seen <= set(ps) else sorted(seen | set(ps))


def _units(status: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    drawn = [u for u in str(status.iloc[0]["units_drawn"]).split(SEP) if u]
    present = set(table.loc[table["row"] != "all", "source"]) if len(table) else set()
    out = [u for u in drawn if u in present]
    if OTHERS in present:
        out.append(OTHERS)
    return out


def _styles(units: Sequence[str], colors: Mapping[str, str] | None) -> dict[str, SourceStyle]:
    """Each unit's colour, marker and line style (the house palette: the same in every figure;
    ``colors`` overrides the colour; a corpus's ``colors`` carries its palette); the pooled others in grey."""
    real = [u for u in units if u != OTHERS]
    styles = source_styles(real, palette_of(colors))
    out = {u: styles[u]._replace(color=(colors or {}).get(u, styles[u].color)) for u in real}
    out[OTHERS] = SourceStyle(OTHERS_COLOR, "o", "", "-")
    return out


def _ticks(ax, periods: Sequence[str]) -> None:
    n = len(periods)
    step = max(1, math.ceil(n / 12))
    ax.set_xticks(range(0, n, step))
    ax.set_xticklabels([periods[i] for i in range(0, n, step)], rotation=45 if n > 4 or len(periods[0]) > 7 else 0,
                       ha="right" if n > 4 or len(periods[0]) > 7 else "center", fontsize=8)
    ax.set_xlim(-0.6, n - 0.4)


def _panel(ax, df: pd.DataFrame, periods: Sequence[str], units: Sequence[str], styles: Mapping[str, SourceStyle], *,
           value: str, show_all: bool, min_n: int) -> None:
    xpos = {p: i for i, p in enumerate(periods)}
    k = len(units)
    width = min(0.08, 0.6 / max(1, k))
    n_points = int(df["source"].isin(units).sum())
    for i, u in enumerate(units):
        g = df[df["source"] == u].sort_values("period")
        if g.empty:
            continue
        x = g["period"].map(xpos).to_numpy(dtype=float) + (i - (k - 1) / 2) * width
        y = g[value].to_numpy(dtype=float)
        lo = np.clip(y - g["ci_low"].to_numpy(dtype=float), 0, None)
        hi = np.clip(g["ci_high"].to_numpy(dtype=float) - y, 0, None)
        n = g["n_sentences"].to_numpy(dtype=int)
        st = styles[u]
        c = st.color
        ax.plot(x, y, color=c, lw=1.6, ls=st.linestyle, alpha=0.9, zorder=2)
        ax.errorbar(x, y, yerr=[lo, hi], fmt="none", ecolor=c, elinewidth=1, capsize=2, alpha=0.7, zorder=2)
        small = n < min_n
        ax.scatter(x[~small], y[~small], s=24, color=c, marker=st.marker, zorder=3)
        ax.scatter(x[small], y[small], s=28, facecolor="white", edgecolor=c, marker=st.marker, linewidth=1.3,
                   zorder=3)
        if n_points <= _ANNOTATE_POINTS:
            for xx, yy, nn in zip(x[small], y[small], n[small]):
                ax.annotate(f"n={nn}", (xx, yy), xytext=(3, 3), textcoords="offset points", fontsize=7, color=c)
    if show_all and k > 1:
        g = df[df["row"] == "all"].sort_values("period")
        if len(g):
            ax.plot(g["period"].map(xpos), g[value], color="black", lw=1.2, ls="--", alpha=0.8, zorder=4)
    _ticks(ax, periods)


_LEGEND_COLUMNS = 4


def _legend_space(units: Sequence[str], show_all: bool) -> float:
    """Inches below the axes for the legend (one line per four entries)."""
    n = len(units) + (1 if show_all and len(units) > 1 else 0) + 1
    return 0.25 * math.ceil(n / _LEGEND_COLUMNS) + 0.2


def _legend(fig, units: Sequence[str], labels: Mapping[str, str], styles: Mapping[str, SourceStyle], *,
            show_all: bool, min_n: int) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=styles[u].color, marker=styles[u].marker, ls=styles[u].linestyle, lw=1.6,
                      label=labels.get(u, u)) for u in units]
    if show_all and len(units) > 1:
        handles.append(Line2D([], [], color="black", ls="--", lw=1.2, label="all units (pooled)"))
    handles.append(Line2D([], [], color="0.4", marker="o", markerfacecolor="white", lw=0,
                          label=f"fewer than {min_n} sentences"))
    fig.legend(handles=handles, loc="lower center", ncol=min(_LEGEND_COLUMNS, len(handles)), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))


def _labels(table: pd.DataFrame) -> dict[str, str]:
    units = table[table["row"] == "unit"]
    names = unit_names(dict(zip(units["source"], units["label"])))
    others = table[table["row"] == "others"]
    return {**names, **dict(zip(others["source"], others["label"]))}


def _period_word(status: pd.DataFrame) -> str:
    return str(status.iloc[0]["period"])


def tone(table: pd.DataFrame, status: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
         show_all: bool = True, min_n: int = MIN_N, value_label: str = "VADER compound"):
    """Mean sentence tone per period, one line per unit (the ``max_units`` largest and
    "others"), with 95% intervals; dashed: all units pooled. Grey band: neutral (±0.05)."""
    title = "Tone over time"
    none = _nothing(status, title)
    if none is not None:
        return none
    if table.empty:
        return _message(title, "No sentence falls in a period.")
    periods, units = _periods(status, table), _units(status, table)
    cols = _styles(units, colors)
    space = _legend_space(units, show_all)
    height = 4.2 + space
    fig, ax = plt.subplots(figsize=(min(12, max(7, 0.45 * len(periods) + 4)), height))
    ax.axhspan(-0.05, 0.05, color="0.92", zorder=0, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, zorder=0)
    _panel(ax, table, periods, units, cols, value="mean", show_all=show_all, min_n=min_n)
    ax.set_xlabel(_period_word(status))
    ax.set_ylabel(f"Mean {value_label} per sentence")
    ax.set_title(title)
    _legend(fig, units, _labels(table), cols, show_all=show_all, min_n=min_n)
    fig.tight_layout(rect=(0, space / height, 1, 1))
    return fig


def _multiples(table: pd.DataFrame, status: pd.DataFrame, facet: str, names: Mapping[str, str], *, title: str,
               ylabel: str, colors, show_all: bool, min_n: int):
    none = _nothing(status, title)
    if none is not None:
        return none
    if table.empty:
        return _message(title, f"No {facet} found in the dated sentences.")
    keys = list(dict.fromkeys(table[facet]))[:MAX_PANELS]
    periods, units = _periods(status, table), _units(status, table)
    cols = _styles(units, colors)
    ncols = min(3, len(keys))
    nrows = math.ceil(len(keys) / ncols)
    width = min(13, max(7, ncols * max(3.6, 0.3 * len(periods) + 2)))
    space = _legend_space(units, show_all)
    height = 2.9 * nrows + 0.6 + space
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), sharey=True, squeeze=False)
    top = float(np.nanmax(table["ci_high"].to_numpy(dtype=float))) if len(table) else 1.0
    for ax, key in zip(axes.ravel(), keys):
        _panel(ax, table[table[facet] == key], periods, units, cols, value="share", show_all=show_all, min_n=min_n)
        ax.set_title(textwrap.shorten(str(names.get(key, key)), 40), fontsize=10)
        ax.set_ylim(-0.02, min(1.0, top) * 1.08 + 0.02)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    for ax in axes.ravel()[len(keys):]:
        ax.set_axis_off()
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    fig.suptitle(title, fontweight="bold")
    _legend(fig, units, _labels(table), cols, show_all=show_all, min_n=min_n)
    fig.tight_layout(rect=(0, space / height, 1, 1))
    return fig


def frames(table: pd.DataFrame, status: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
           show_all: bool = True, min_n: int = MIN_N):
    """One panel per leading frame: the share of sentences carrying it per period, one line per
    unit, with 95% intervals."""
    names = dict(zip(table["frame"], table["name"])) if len(table) else {}
    return _multiples(table, status, "frame", names, title="The leading frames over time",
                      ylabel="Share of sentences", colors=colors, show_all=show_all, min_n=min_n)


def actors(table: pd.DataFrame, status: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
           show_all: bool = True, min_n: int = MIN_N):
    """One panel per actor: the share of sentences mentioning it per period, one line per unit,
    with 95% intervals."""
    return _multiples(table, status, "actor", {}, title="The actors' prominence over time",
                      ylabel="Share of sentences", colors=colors, show_all=show_all, min_n=min_n)


def terms(terms_table: pd.DataFrame, rates: pd.DataFrame, status: pd.DataFrame, *, max_terms: int = MAX_TERMS):
    """The terms that rise (all units pooled): each term's rate per 1,000 terms in every period
    (darker = more frequent), the count written in each cell; rows grouped by the period in
    which the term rises most, at most ``max_terms`` rows (the top-ranked of each period)."""
    title = "Terms that rise, period by period"
    none = _nothing(status, title)
    if none is not None:
        return none
    t = terms_table[(terms_table["direction"] == "rises") & (terms_table["within"] == ALL)] if len(terms_table) \
        else terms_table
    if t.empty or rates.empty:
        return _message(title, "No term is used often enough to rise (see min_count).")
    periods = sorted(rates["period"].unique())
    per_period = max(1, max_terms // max(1, len(periods)))
    best = t.sort_values(["z"], ascending=False).drop_duplicates("term")  # each term once: where it rises most
    best = best[best["rank"] <= per_period].sort_values(["period", "rank"]).head(max_terms)
    m = rates.pivot(index="term", columns="period", values="rate_per_1000").reindex(index=best["term"],
                                                                                     columns=periods)
    cnt = rates.pivot(index="term", columns="period", values="count").reindex(index=best["term"], columns=periods)
    fig, ax = plt.subplots(figsize=(min(13, max(6, 0.55 * len(periods) + 3.5)), 0.32 * len(m) + 1.9))
    im = ax.imshow(m.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0)
    if m.size <= 400:
        vmax = float(np.nanmax(m.to_numpy(dtype=float))) or 1.0
        for (i, j), c in np.ndenumerate(cnt.to_numpy()):
            ax.text(j, i, f"{int(c)}", ha="center", va="center", fontsize=7,
                    color="white" if m.iat[i, j] > 0.6 * vmax else "0.2")
    ax.set_yticks(range(len(m)))
    ax.set_yticklabels([f"{term}  (↑ {p})" for term, p in zip(best["term"], best["period"])], fontsize=8)
    _ticks(ax, periods)
    ax.grid(False)
    ax.set_xlabel(_period_word(status))
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="rate per 1,000 terms", shrink=0.8)
    fig.tight_layout()
    return fig
