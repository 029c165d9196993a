"""Change over time: each lens's key measures per period and comparison unit, with intervals and n.

A corpus compared by a unit (``source``, ``group``, ``outlet``, … see
:meth:`framelens.read.corpus.Corpus.by`) is split into publication periods (day, week or month) and,
for every period × unit, four measures are given with their n and a 95% interval:

* :func:`tone_over_time` — mean VADER compound per sentence (Hutto & Gilbert 2014), the score of
  the sentiment lens (:func:`framelens.lenses.sentiment.sentence_scores`);
* :func:`frames_over_time` — the leading frames: the share of sentences carrying each of the
  ``top`` frames most carried over the whole dated corpus (codebook cues,
  :func:`framelens.lenses.framing.frame_matches`; framing as selection and salience, Entman 1993);
* :func:`actors_over_time` — the actors' prominence: the share of sentences mentioning each of
  the ``top`` actors most mentioned (:func:`framelens.lenses.actors.find_mentions` with the actor table);
* :func:`terms_over_time` — the distinctive terms that rise and fall: each period against all
  other periods, by the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
  Quinn 2008, :func:`framelens.lenses.vocabulary.log_odds_z`).

The period
----------
:func:`choose_period` takes the ``period`` parameter (``day``, ``week``, ``month`` or ``year``)
or, with ``auto``, derives it from the span of the dated articles (a date known only to the
month spans that month): a span of at most 31 days → ``day``, at most 26 weeks (182 days) →
``week``, longer → ``month``. A period can hold only articles dated at least that finely (an
article known only to the month has no day or week); when fewer than half of the dated
articles could be placed at the period the span suggests, the next coarser period is taken
(day → week → month → year) until at least half are placed. Periods are labelled as
:func:`framelens.read.corpus.period_values` labels them (2025-06-16, ISO week 2025-W25, 2025-06,
2025).

Undated articles, and articles dated more coarsely than the period, are counted, named and
left out (:func:`date_documents`, the ``status`` table); so are articles without a value of the
comparison unit (:meth:`Corpus.by`). With fewer than two periods there is nothing to show over
time: :func:`over_time` then returns empty measure tables and a ``status`` whose ``message``
says so and why.

Intervals
---------
A percentile bootstrap (Efron & Tibshirani 1993) of a ratio (sum over resampled units of the
numerator / of the sentences): when a cell (period × unit) holds two or more articles the
articles are resampled (a cluster bootstrap — sentences of one article are not independent),
otherwise its sentences are (the ``resampled`` column says which). Every cell is resampled with
the same ``seed``, so its interval does not depend on the other cells. A cell with one sentence
has a zero-width interval; read ``n_sentences`` and ``n_documents`` beside every number.

Besides each unit, every period has a pooled row (unit ``(all)``: every unit together) and,
when there are more than ``max_units`` units, a row pooling the units beyond the ``max_units``
largest by sentences (unit ``(others)``), so a figure stays legible at 40+ units. The column
``row`` says which a row is (``unit``, ``others``, ``all``); ``drawn`` marks the rows a figure
draws as lines (the units it draws are listed in ``status.units_drawn``).

Caveats: a period's measure mixes what was covered with who covered it — when the outlets
publishing differ from one period to the next, a pooled change may only reflect that; compare
a unit with itself across periods. A lexicon score is the valence of the words, not a stance;
a frame share counts cue words, not meanings. Read the evidence sentences (``example_sent_ids``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.errors import FramelensError
from framelens.lenses.stats import N_RESAMPLES, ratio_bootstrap
from framelens.tables import mapreduce
from framelens.text.tokens import grow_codes

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.core.fmt import markdown_safe
from framelens.lenses import framing, sentiment
from framelens.lenses.actors import find_mentions, load_actors
from framelens.lenses.vocabulary import log_odds_z
from framelens.read.corpus import period_values

#: periods a report can be split into (``auto``: chosen from the span, see :func:`choose_period`)
PERIOD_CHOICES = ("auto", "day", "week", "month", "year")
_ORDER = ("day", "week", "month", "year")
#: the span rule of ``period="auto"``: (longest span in days, period)
SPAN_RULE = ((31, "day"), (182, "week"))
ALL = "(all)"
OTHERS = "(others)"
#: cells with fewer sentences are marked in the figures (hollow points with their n)
MIN_N = 10
EXAMPLES = 3
SEP = "; "

STATUS_COLUMNS = ["period", "period_reason", "n_periods", "first", "last", "periods", "n_documents", "n_placed",
                  "n_undated", "n_coarser", "n_no_unit", "undated_ids", "coarser_ids", "no_unit_ids",
                  "n_units", "units_drawn", "nothing_to_show", "message"]
DATING_COLUMNS = ["doc_id", "source", "label", "published", "precision", "period", "status", "n_sentences"]
_CELL = ["period", "source", "label", "row", "drawn"]
TONE_COLUMNS = [*_CELL, "n_documents", "n_sentences", "mean", "ci_low", "ci_high", "resampled", "n_resampled",
                "most_positive", "most_negative"]
FRAME_COLUMNS = [*_CELL, "frame", "name", "sentences", "n_sentences", "n_documents", "share", "ci_low", "ci_high",
                 "resampled", "n_resampled", "example_sent_ids"]
ACTOR_COLUMNS = [*_CELL, "actor", "actor_kind", "sentences", "mentions", "n_sentences", "n_documents", "share",
                 "ci_low", "ci_high", "resampled", "n_resampled", "example_sent_ids"]
TERM_COLUMNS = ["period", "within", "direction", "rank", "term", "kind", "count", "n_terms", "rate_per_1000",
                "count_rest", "rate_rest_per_1000", "delta", "z", "n_docs", "by_unit", "example_sent_ids"]
RATE_COLUMNS = ["term", "period", "count", "n_terms", "rate_per_1000"]


# ---------------------------------------------------------------------------------------------
# periods


def _check_period(period: str) -> str:
    p = str(period or "auto").strip().lower()
    if p not in PERIOD_CHOICES:
        raise FramelensError(f"period: {period!r} is not a period ({', '.join(PERIOD_CHOICES)})")
    return p


def _date_bounds(documents: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest day each dated document may have been published (a date known only
    to the month spans the month; to the year, the year)."""
    ts = pd.to_datetime(documents["published"])
    prec = documents.get("published_precision", pd.Series("day", index=documents.index)).fillna("day").astype(str)
    start = ts.copy()
    end = ts.copy()
    month = prec.eq("month") & ts.notna()
    year = prec.eq("year") & ts.notna()
    end[month] = ts[month] + pd.offsets.MonthEnd(0)
    end[year] = ts[year] + pd.offsets.YearEnd(0)
    return start, end


def placed_share(documents: pd.DataFrame, period: str) -> tuple[int, int]:
    """``(placed, dated)``: how many dated documents have a value at ``period``."""
    dated = int(pd.to_datetime(documents["published"]).notna().sum())
    placed = int((period_values(documents, period) != "").sum()) if len(documents) else 0
    return placed, dated


def choose_period(documents: pd.DataFrame, period: str = "auto") -> tuple[str, str]:
    """The period to split a corpus into, and why: ``(period, reason)``.

    ``period`` other than ``auto`` is taken as given. ``auto``: the span of the dated documents
    (first possible to last possible day) gives ``day`` up to 31 days, ``week`` up to 26 weeks
    (182 days), ``month`` beyond (:data:`SPAN_RULE`); then, while fewer than half of the dated
    documents are dated finely enough to be placed at that period, the next coarser period is
    taken (day → week → month → year). No dated document: ``month``.
    """
    p = _check_period(period)
    if p != "auto":
        return p, "set by the period parameter"
    start, end = _date_bounds(documents)
    if start.notna().sum() == 0:
        return "month", "no article is dated"
    first, last = start.min(), end.max()
    days = int((last - first).days) + 1
    chosen = next((name for limit, name in SPAN_RULE if days <= limit), "month")
    span = f"the dated articles span {days} day{'s' * (days != 1)} ({first:%Y-%m-%d} to {last:%Y-%m-%d})"
    rule = {"day": "at most 31 days: days", "week": "at most 26 weeks: weeks", "month": "more than 26 weeks: months"}
    reason = f"{span}; {rule[chosen]}"
    placed, dated = placed_share(documents, chosen)
    first_choice = chosen
    while 2 * placed < dated and chosen != "year":
        chosen = _ORDER[_ORDER.index(chosen) + 1]
        placed, dated = placed_share(documents, chosen)
    if chosen != first_choice:
        p0, _ = placed_share(documents, first_choice)
        reason += (f"; but only {p0:,} of {dated:,} dated articles {'is' if p0 == 1 else 'are'} dated to the "
                   f"{_unit_word(first_choice)}, so {chosen}s ({placed:,} of {dated:,} placed)")
    return chosen, reason


def _unit_word(period: str) -> str:
    return {"day": "day", "week": "day", "month": "month", "year": "year"}[period]


def period_range(periods: Sequence[str], period: str, *, limit: int = 500) -> list[str]:
    """Every period from the first to the last of ``periods`` (labels as
    :func:`framelens.read.corpus.period_values` writes them), empty ones included, so a figure's x axis
    shows time evenly; more than ``limit`` periods: only those given."""
    ps = sorted(set(p for p in periods if p))
    if len(ps) < 2:
        return ps
    if period == "week":
        def start(label: str) -> pd.Timestamp:
            y, w = label.split("-W")
            return pd.Timestamp.fromisocalendar(int(y), int(w), 1)

        rng = pd.period_range(start(ps[0]), start(ps[-1]), freq="W-SUN")
        if len(rng) > limit:
            return ps
        out = []
        for p in rng:
            iso = p.start_time.isocalendar()
            out.append(f"{iso[0]:04d}-W{iso[1]:02d}")
        return out
    freq = {"day": "D", "month": "M", "year": "Y"}[period]
    rng = pd.period_range(ps[0], ps[-1], freq=freq)
    if len(rng) > limit:
        return ps
    fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[period]
    return [p.strftime(fmt) for p in rng]


def _shown_date(ts, precision: str) -> str:
    if ts is None or pd.isna(ts):
        return ""
    return ts.strftime({"month": "%Y-%m", "year": "%Y"}.get(precision, "%Y-%m-%d"))


def date_documents(documents: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each document's period: ``doc_id, source`` (the comparison unit), ``label, published``
    (as known: 2025-01-14, or 2025-03 when only the month is known), ``precision, period``
    (empty when not placed), ``status`` (``placed``, ``undated``, or ``coarser`` — dated less
    finely than the period, so left out) and ``n_sentences``."""
    p = _check_period(period)
    if p == "auto":
        raise FramelensError("period: choose a period first (see over_time.choose_period)")
    d = documents
    ts = pd.to_datetime(d["published"])
    prec = d.get("published_precision", pd.Series("", index=d.index)).fillna("").astype(str)
    per = period_values(d, p) if len(d) else pd.Series([], dtype=object)
    status = np.where(ts.isna(), "undated", np.where(per.eq(""), "coarser", "placed"))
    out = pd.DataFrame({
        "doc_id": d["doc_id"].astype(str).to_numpy(),
        "source": d["source"].astype(str).to_numpy(),
        "label": (d["label"] if "label" in d.columns else d["source"]).astype(str).to_numpy(),
        "published": [_shown_date(t, q) for t, q in zip(ts, prec)],
        "precision": np.where(ts.isna(), "", prec.to_numpy()),
        "period": per.astype(str).to_numpy(),
        "status": status,
        "n_sentences": (d["n_sentences"] if "n_sentences" in d.columns else pd.Series(0, index=d.index))
        .fillna(0).astype(int).to_numpy(),
    })
    return out[DATING_COLUMNS]


# ---------------------------------------------------------------------------------------------
# cells: period × unit, pooled units, intervals


def top_units(dating: pd.DataFrame, max_units: int) -> list[str]:
    """The ``max_units`` units with most sentences among the placed documents (ties: corpus
    order). The others are pooled as ``(others)`` in the tables and figures."""
    placed = dating[dating["status"] == "placed"]
    order = list(dict.fromkeys(dating["source"]))
    size = placed.groupby("source", sort=False)["n_sentences"].sum()
    ranked = sorted(size.index, key=lambda u: (-int(size[u]), order.index(u)))
    return ranked[:max(0, int(max_units))]


def _groups(docs: pd.DataFrame, labels: Mapping[str, str], top: Sequence[str]) -> list[dict]:
    """The cells: each (period, unit); each period pooled over every unit ``(all)`` and, when
    there are more units than are drawn, over the undrawn ones ``(others)``. ``docs``: the placed
    documents in corpus order (``source, period``); each cell's ``idx`` are its documents' rows."""
    out = []
    top_set = set(top)
    unit_order = {u: i for i, u in enumerate(dict.fromkeys(docs["source"]))}
    per_idx = docs.groupby("period", sort=True).indices
    cell_idx = docs.groupby(["period", "source"], sort=False).indices
    n_others = len(set(docs["source"]) - top_set)
    for p in sorted(per_idx):
        cells = sorted(((u, idx) for (pp, u), idx in cell_idx.items() if pp == p), key=lambda t: unit_order[t[0]])
        for u, idx in cells:
            out.append({"period": p, "source": u, "label": labels.get(u, u), "row": "unit",
                        "drawn": u in top_set, "idx": idx})
        if n_others > 0:
            idx = np.concatenate([idx for u, idx in cells if u not in top_set] or [np.array([], dtype=int)])
            if len(idx):
                out.append({"period": p, "source": OTHERS, "label": f"others ({n_others} unit{'s' * (n_others != 1)})", "row": "others",
                            "drawn": True, "idx": np.sort(idx)})
        out.append({"period": p, "source": ALL, "label": "all units", "row": "all", "drawn": False,
                    "idx": per_idx[p]})
    return out


def _cell_stats(num: np.ndarray, den: np.ndarray, idx: np.ndarray, alone, *, n_resamples: int, level: float,
                seed: int) -> dict[str, Any]:
    """Estimate and interval of the ratios ``Σ num / Σ den`` over the cell's documents ``idx``
    (per-document sums of each column, and sentences), resampling the documents when the cell holds
    two or more; otherwise its sentences (``alone(doc)``: the document's per-sentence values)."""
    if len(idx) >= 2:
        unit, nu = "document", len(idx)
        n, d = num[idx], den[idx].astype(float)
        est = n.sum(0) / d.sum()
    else:
        v = alone(int(idx[0]))
        unit, nu = "sentence", len(v)
        n, d = v, np.ones(len(v))
        est = v.mean(0) if len(v) else np.full(v.shape[1], np.nan)
    _, lo, hi = ratio_bootstrap(n, d, n_resamples=n_resamples, level=level, seed=seed)
    return {"est": est, "lo": lo, "hi": hi, "resampled": unit, "n_resampled": nu, "n_documents": len(idx),
            "n_sentences": int(den[idx].sum())}


def _placed_sentences(sentences: pd.DataFrame, dating: pd.DataFrame) -> pd.DataFrame:
    period_of = dict(zip(dating.loc[dating["status"] == "placed", "doc_id"],
                         dating.loc[dating["status"] == "placed", "period"]))
    s = sentences.assign(doc_id=sentences["doc_id"].astype(str), source=sentences["source"].astype(str))
    s = s.assign(period=s["doc_id"].map(period_of))
    return s[s["period"].notna()].reset_index(drop=True)


def unit_names(labels: Mapping[str, str]) -> dict[str, str]:
    """How figures and lists name each unit: its label, or ``label (unit)`` when several units
    share that label (e.g. two groups of articles from one outlet)."""
    count: dict[str, int] = {}
    for lab in labels.values():
        count[lab] = count.get(lab, 0) + 1
    return {u: (lab if count[lab] == 1 or lab == u else f"{lab} ({u})") for u, lab in labels.items()}


def _examples(sent_ids: np.ndarray, k: int = EXAMPLES) -> str:
    return SEP.join(map(str, list(sent_ids)[:k]))


# ---------------------------------------------------------------------------------------------
# the measures


def tone_over_time(scores: pd.DataFrame, dating: pd.DataFrame, *, value: str = "vader_compound",
                   n_resamples: int = N_RESAMPLES, level: float = 0.95, seed: int = 0, max_units: int = 8) -> pd.DataFrame:
    """Tone per period × unit: the mean sentence score (VADER compound by default, as
    :func:`framelens.lenses.sentiment.sentence_scores` gives it; Hutto & Gilbert 2014) with a bootstrap
    95% interval (see the module's notes), ``n_documents`` and ``n_sentences``, and the ids of the
    cell's most positive and most negative sentence (evidence). One row per cell, plus the
    pooled ``(all)`` (and ``(others)``) rows of each period. Periods in time order."""
    if value not in scores.columns:
        raise FramelensError(f"tone_over_time: scores table lacks column {value!r} "
                             "(pass the table from sentiment.sentence_scores)")
    part = {"sentences": _placed_sentences(scores[["sent_id", "doc_id", "source", value]], dating)}
    return _tone_cells(_Placed([part], dating, max_units=max_units, value=value), n_resamples=n_resamples,
                       level=level, seed=seed)


def _tone_cells(placed: "_Placed", *, n_resamples: int, level: float, seed: int) -> pd.DataFrame:
    """:func:`tone_over_time` from the placed documents' tone sums (:class:`_Placed`, its cells): the reduce step."""
    if not placed.has_tone:
        return pd.DataFrame(columns=TONE_COLUMNS)
    t = placed.tone
    rows = []
    for g in placed.cells:
        g = dict(g)
        idx = g.pop("idx")
        st = _cell_stats(t["sum"][:, None], placed.n, idx, lambda d: placed.alone[d]["tone"][:, None],
                         n_resamples=n_resamples, level=level, seed=seed)
        clean = not t["nan"][idx].any()  # a missing score: no extreme sentence (as a mean over NaN)
        hi_j, lo_j = int(np.argmax(t["max"][idx])), int(np.argmin(t["min"][idx]))
        rows.append({**g, "n_documents": st["n_documents"], "n_sentences": st["n_sentences"], "mean": st["est"][0],
                     "ci_low": st["lo"][0], "ci_high": st["hi"][0], "resampled": st["resampled"],
                     "n_resampled": st["n_resampled"],
                     "most_positive": t["max_id"][idx[hi_j]] if clean and t["max"][idx[hi_j]] > 0 else "",
                     "most_negative": t["min_id"][idx[lo_j]] if clean and t["min"][idx[lo_j]] < 0 else ""})
    return pd.DataFrame(rows, columns=TONE_COLUMNS)


def _indicator_cells(placed: "_Placed", kind: str, *, n_resamples: int, level: float, seed: int,
                     extra: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    """Share of sentences carrying each leading ``kind`` (frame or actor: :class:`_Placed`'s
    ``keys[kind]`` and their aggregates) per cell."""
    agg, keys = placed.hits[kind], placed.keys[kind]
    rows = []
    for g in placed.cells:
        g = dict(g)
        idx = g.pop("idx")
        st = _cell_stats(agg["carry"], placed.n, idx, lambda d: placed.alone[d][kind],
                         n_resamples=n_resamples, level=level, seed=seed)
        for k, name in enumerate(keys):
            rows.append({**g, kind: name, **extra.get(name, {}), "sentences": int(agg["carry"][idx, k].sum()),
                         "mentions": int(agg["mentions"][idx, k].sum()), "n_sentences": st["n_sentences"],
                         "n_documents": st["n_documents"], "share": st["est"][k], "ci_low": st["lo"][k],
                         "ci_high": st["hi"][k], "resampled": st["resampled"], "n_resampled": st["n_resampled"],
                         "example_sent_ids": _examples([e for d in idx for e in agg["examples"].get((int(d), k), ())])})
    return rows


def leading(counts: pd.Series, top: int) -> list[str]:
    """The ``top`` keys with the largest counts (ties: first seen), counts above zero only."""
    c = counts[counts > 0]
    order = {k: i for i, k in enumerate(c.index)}
    return sorted(c.index, key=lambda k: (-int(c[k]), order[k]))[:max(0, int(top))]


def frames_over_time(corpus: CorpusLike, dating: pd.DataFrame, codebook=None, *, top: int = 5, min_hits: int | None = 1,
                     n_resamples: int = N_RESAMPLES, level: float = 0.95, seed: int = 0, max_units: int = 8) -> pd.DataFrame:
    """The leading frames per period × unit: for the ``top`` frames carried by most sentences over
    the whole dated corpus (the codebook's cue words, :func:`framelens.lenses.framing.frame_matches`,
    a sentence carries a frame with ≥ ``min_hits`` cue hits), the share of the cell's sentences
    carrying each, with a bootstrap 95% interval, ``sentences`` (carrying) and ``n_sentences``,
    and up to three carrying sentences (``example_sent_ids``). Frames in order of overall
    salience; the same frames in every period, so a frame can be followed over time."""
    part = over_time_map(corpus, dating, measures=("frames",), codebook=codebook, min_hits=min_hits)
    placed = _Placed([part], dating, max_units=max_units, frames=_leading_frames(codebook, top))
    return _frame_cells(placed, codebook, n_resamples=n_resamples, level=level, seed=seed)


def _codebook(codebook):

    return framing.load_codebook(codebook) if not hasattr(codebook, "frames") else codebook


def _leading_frames(codebook, top: int):
    """Counts of sentences carrying each frame → the ``top`` frames carried most (codebook order on ties)."""
    cb = _codebook(codebook)
    return lambda counts: leading(counts.reindex(cb.ids).fillna(0), top)


def _frame_cells(placed: "_Placed", codebook, *, n_resamples: int, level: float, seed: int) -> pd.DataFrame:
    """:func:`frames_over_time` from the placed documents' frame aggregates (the reduce step)."""
    frames = placed.keys.get("frame")
    if not frames or placed.docs.empty:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    info = {f.id: {"name": f.name} for f in _codebook(codebook).frames}
    rows = _indicator_cells(placed, "frame", n_resamples=n_resamples, level=level, seed=seed, extra=info)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def actors_over_time(corpus: CorpusLike, dating: pd.DataFrame, actors=None, *, top: int = 5, n_resamples: int = N_RESAMPLES,
                     level: float = 0.95, seed: int = 0, max_units: int = 8) -> pd.DataFrame:
    """The actors' prominence per period × unit: for the ``top`` actors mentioned in most
    sentences over the whole dated corpus (the actor table's aliases,
    :func:`framelens.lenses.actors.find_mentions`), the share of the cell's sentences mentioning each,
    with a bootstrap 95% interval, ``sentences`` (mentioning), ``mentions`` and ``n_sentences``,
    and up to three mentioning sentences (``example_sent_ids``). ``actors``: a table from
    :func:`framelens.lenses.actors.load_actors`, a path, or None (the packaged table)."""
    part = over_time_map(corpus, dating, measures=("actors",), actors=actors)
    placed = _Placed([part], dating, max_units=max_units, actors=_leading_actors(actors, top))
    return _actor_cells(placed, actors, n_resamples=n_resamples, level=level, seed=seed)


def _actor_table(actors) -> pd.DataFrame:

    return actors if isinstance(actors, pd.DataFrame) else load_actors(actors or None)


def _leading_actors(actors, top: int):
    """Counts of sentences mentioning each actor → the ``top`` actors mentioned most (table order on ties)."""
    order = list(dict.fromkeys(_actor_table(actors)["actor"]))
    return lambda counts: leading(counts.reindex(order).fillna(0), top)


def _actor_cells(placed: "_Placed", actors, *, n_resamples: int, level: float, seed: int) -> pd.DataFrame:
    """:func:`actors_over_time` from the placed documents' actor aggregates (the reduce step)."""
    names = placed.keys.get("actor")
    if not names or placed.docs.empty:
        return pd.DataFrame(columns=ACTOR_COLUMNS)
    table = _actor_table(actors)
    kinds = dict(zip(table["actor"], table["kind"]))
    rows = _indicator_cells(placed, "actor", n_resamples=n_resamples, level=level, seed=seed,
                            extra={a: {"actor_kind": kinds.get(a, "")} for a in names})
    return pd.DataFrame(rows, columns=ACTOR_COLUMNS)


_HITS = {"frame": "frame_hits", "actor": "actor_hits"}


class _Placed:
    """The placed sentences of every partition's partials (``sentences``: ``sent_id, doc_id,
    source, period`` and, for tone, ``value``; ``frame_hits``: ``row, frame``; ``actor_hits``:
    ``row, actor, n``; rows index the partition's sentences), reduced one partition at a time to
    what the cells need (so the reduce never holds every sentence):

    * ``docs`` — the placed documents with sentences, in corpus order (``doc_id, source, period``)
      and ``n``, their sentences;
    * ``tone`` — per document the sum of ``value`` (in sentence order: the same sums as over the
      sentences), whether a value is missing, and the most positive and most negative sentence;
    * ``hits[kind]`` — per document × leading key (``keys[kind]``, chosen by ``frames`` /
      ``actors`` from the sentences carrying each key over all partitions): the sentences
      carrying it, the mentions, and the first three carrying sentences (``examples``);
    * ``alone`` — per-sentence values, only for the documents alone in a cell (whose interval
      resamples sentences).

    Two passes over the partitions: the documents and the key counts, then the aggregates."""

    def __init__(self, partials: Sequence[Mapping[str, pd.DataFrame]], dating: pd.DataFrame, *, max_units: int,
                 value: str | None = None, frames=None, actors=None):
        pick = {"frame": frames, "actor": actors}
        docs, counts, seen = [], {k: [] for k in _HITS}, {k: False for k in _HITS}
        for p in partials:
            s = p.get("sentences")
            if s is None or not len(s):
                continue
            codes, uniq, first = self._documents(s)
            docs.append(pd.DataFrame({"doc_id": uniq, "source": s["source"].astype(str).to_numpy(dtype=object)[first],
                                      "period": s["period"].astype(str).to_numpy(dtype=object)[first],
                                      "n": np.bincount(codes, minlength=len(uniq))}))
            for kind, name in _HITS.items():
                h = p.get(name)
                if pick[kind] is not None and h is not None:
                    seen[kind] = True
                    if len(h):
                        u = h[["row", kind]].astype({kind: object}).drop_duplicates()
                        counts[kind].append(u[kind].value_counts(sort=False))
        self.docs = pd.concat(docs, ignore_index=True) if docs else pd.DataFrame(columns=["doc_id", "source", "period", "n"])
        self.n = self.docs["n"].to_numpy(dtype=np.int64)
        self.keys = {kind: (pick[kind](pd.concat(counts[kind]).groupby(level=0).sum() if counts[kind]
                                       else pd.Series(dtype=float)) if seen[kind] else None) for kind in _HITS}
        labels = dict(zip(dating["source"], dating["label"]))
        self.cells = _groups(self.docs, labels, top_units(dating, max_units)) if len(self.docs) else []
        lonely = {int(g["idx"][0]) for g in self.cells if len(g["idx"]) == 1}
        self.has_tone = value is not None and len(self.docs) > 0
        self._aggregate(partials, value if self.has_tone else None, lonely)

    @staticmethod
    def _documents(s: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each sentence's document as a code (documents in order of appearance), the documents and
        each one's first sentence."""
        codes, uniq = pd.factorize(s["doc_id"].astype(str).to_numpy(dtype=object))
        _, first = np.unique(codes, return_index=True)
        return codes.astype(np.int64), np.asarray(uniq, dtype=object), first

    def _aggregate(self, partials, value: str | None, lonely: set[int]) -> None:
        D = len(self.docs)
        if value is not None:
            self.tone = {"sum": np.zeros(D), "nan": np.zeros(D, dtype=bool), "max": np.zeros(D), "min": np.zeros(D),
                         "max_id": np.full(D, "", dtype=object), "min_id": np.full(D, "", dtype=object)}
        self.hits = {kind: {"carry": np.zeros((D, len(keys))), "mentions": np.zeros((D, len(keys))), "examples": {}}
                     for kind, keys in self.keys.items() if keys is not None}
        self.alone: dict[int, dict[str, np.ndarray]] = {}
        off = 0
        for p in partials:
            s = p.get("sentences")
            if s is None or not len(s):
                continue
            codes, uniq, _first = self._documents(s)
            nd = len(uniq)
            sid = s["sent_id"].astype(str).to_numpy(dtype=object)
            mine = [d for d in range(off, off + nd) if d in lonely]
            rows_of = {d: np.flatnonzero(codes == d - off) for d in mine}
            self.alone.update({d: {} for d in mine})
            if value is not None:
                v = s[value].to_numpy(dtype=float)
                self._tone(codes, v, sid, off, nd)
                for d in mine:
                    self.alone[d]["tone"] = v[rows_of[d]]
            for kind, agg in self.hits.items():
                self._hits(kind, agg, p.get(_HITS[kind]), codes, sid, off, nd, rows_of)
            off += nd

    def _tone(self, codes: np.ndarray, v: np.ndarray, sid: np.ndarray, off: int, nd: int) -> None:
        t, at = self.tone, slice(off, off + nd)
        t["sum"][at] = np.bincount(codes, weights=v, minlength=nd)  # in sentence order, as np.add.at
        t["nan"][at] = np.bincount(codes, weights=np.isnan(v), minlength=nd) > 0
        pos = np.arange(len(v))
        for name, sign in (("max", -1.0), ("min", 1.0)):  # each document's first sentence at its extreme
            order = np.lexsort((pos, sign * v, codes))
            head = order[np.searchsorted(codes[order], np.arange(nd))]
            t[name][at] = v[head]
            t[f"{name}_id"][at] = sid[head]

    def _hits(self, kind: str, agg: dict, h: pd.DataFrame | None, codes: np.ndarray, sid: np.ndarray, off: int,
              nd: int, rows_of: Mapping[int, np.ndarray]) -> None:
        keys = self.keys[kind]
        K = len(keys)
        if h is None or not len(h) or not K:
            for d in rows_of:
                self.alone[d][kind] = np.zeros((len(rows_of[d]), K))
            return
        c = h[kind].astype(object).map({k: i for i, k in enumerate(keys)}).to_numpy(dtype=float)
        r = h["row"].to_numpy(dtype=np.int64)
        ok = ~np.isnan(c)
        r, c = r[ok], c[ok].astype(np.int64)
        w = h["n"].to_numpy(dtype=float)[ok] if "n" in h.columns else np.ones(len(r))
        at = slice(off, off + nd)
        agg["mentions"][at] += np.bincount(codes[r] * K + c, weights=w, minlength=nd * K).reshape(nd, K)
        pair = np.unique(r * K + c)  # each sentence × key once: sorted by sentence
        r, c = pair // K, pair % K
        cell = codes[r] * K + c
        agg["carry"][at] += np.bincount(cell, minlength=nd * K).reshape(nd, K)
        order = np.lexsort((r, cell))  # each document × key's carrying sentences in corpus order
        cell, r, c = cell[order], r[order], c[order]
        starts = np.r_[0, np.flatnonzero(np.diff(cell)) + 1] if len(cell) else np.zeros(0, np.int64)
        rank = np.arange(len(cell)) - np.repeat(starts, np.diff(np.r_[starts, len(cell)]))
        for q, rr in zip(cell[rank < EXAMPLES].tolist(), r[rank < EXAMPLES].tolist()):
            agg["examples"].setdefault((off + q // K, q % K), []).append(sid[rr])
        for d, rows in rows_of.items():
            ind = np.zeros((len(rows), K))
            mine = codes[r] == d - off
            ind[np.searchsorted(rows, r[mine]), c[mine]] = 1
            self.alone[d][kind] = ind


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their values (as text) of a column, categorical or not."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(dtype=np.int64), np.asarray(col.cat.categories.astype(str), dtype=object)
    codes, uniq = pd.factorize(col.astype(str), sort=False)
    return codes.astype(np.int64), np.asarray(uniq, dtype=object)


class _TermCodes:
    """The corpus ``terms`` of the placed documents as integer arrays (term, period, unit) — no
    per-token strings, so a corpus of millions of tokens is counted with ``bincount``."""
    def __init__(self, corpus, dating: pd.DataFrame):
        t = corpus.terms
        placed = dating[dating["status"] == "placed"]
        self.periods = sorted(placed["period"].unique())
        pidx = {p: i for i, p in enumerate(self.periods)}
        period_of = dict(zip(placed["doc_id"].astype(str), placed["period"].map(pidx)))
        dcode, dvals = _codes(t["doc_id"])
        per_doc = np.array([period_of.get(str(v), -1) for v in dvals], dtype=np.int64)
        per_row = per_doc[dcode] if len(dcode) else np.array([], dtype=np.int64)
        keep = (dcode >= 0) & (per_row >= 0)
        self.pos = np.flatnonzero(keep)  # rows of corpus.terms
        self.period = per_row[keep]
        tcode, self.vocab = _codes(t["term"])
        self.term = tcode[keep]
        ucode, self.units = _codes(t["source"])
        self.unit = ucode[keep]
        V = len(self.vocab)
        self.stop = np.zeros(V, dtype=bool)
        self.phrase = np.zeros(V, dtype=bool)
        if len(tcode):
            self.stop[tcode] = t["is_stop"].to_numpy(dtype=bool)
            self.phrase[tcode] = t["is_phrase"].to_numpy(dtype=bool)
        self.terms = t

    def __len__(self) -> int:
        return len(self.term)


def _first_positions(rows: pd.DataFrame, k: int = EXAMPLES) -> np.ndarray:
    """The first ``k`` sentences (corpus order) among the example positions ``e0..e2`` of ``rows``."""
    pos = rows[["e0", "e1", "e2"]].to_numpy(dtype=np.int64).ravel()
    return np.unique(pos[pos >= 0])[:k]


def _ids_of(rows: list[dict], sent_ids) -> list[dict]:
    """``example_sent_ids`` of each row from its ``example_positions``, every position looked up at once."""
    every = np.unique(np.concatenate([r["example_positions"] for r in rows] or [np.zeros(0, np.int64)]))
    ids = dict(zip(every.tolist(), sent_ids[every].tolist())) if len(every) else {}
    for r in rows:
        r["example_sent_ids"] = SEP.join(str(ids[q]) for q in r.pop("example_positions").tolist())
    return rows


def _period_keyness(c: pd.DataFrame, totals: np.ndarray, within: str, *, periods: Sequence[str], vocab: np.ndarray,
                    stop: np.ndarray, phrase: np.ndarray, units: np.ndarray, sent_ids: np.ndarray, top: int,
                    min_count: int, prior_strength: float, labels: Mapping[str, str]) -> list[dict]:
    """Each period against the other periods, from the merged counts ``c`` (``p, u, t, count,
    n_docs, e0..e2``: period × unit × term codes; the example positions index ``sent_ids``) and
    the terms per period ``totals`` (stopwords included): the ``top`` rises and falls of every period."""
    from scipy import sparse


    P, V = len(periods), len(vocab)
    totals = np.asarray(totals, dtype=float)
    present = np.flatnonzero(totals > 0)
    if len(present) < 2:
        return []
    c = c[~stop[c["t"].to_numpy()]]
    mat = sparse.csc_matrix((c["count"].to_numpy(dtype=float), (c["t"].to_numpy(), c["p"].to_numpy())), shape=(V, P))
    f_w = np.asarray(mat.sum(axis=1)).ravel()
    cand = np.flatnonzero(f_w >= max(1, min_count))
    if not len(cand):
        return []
    N = float(totals.sum())
    alpha_w = prior_strength * f_w[cand] / N
    names = vocab[cand]
    chosen = []
    for p in present:
        y_i = mat[:, p].toarray().ravel()[cand]
        n_i = totals[p]
        y_j = f_w[cand] - y_i
        delta, z = log_odds_z(y_i, n_i, y_j, N - n_i, alpha_w, prior_strength)
        up = np.flatnonzero(z > 0)
        down = np.flatnonzero(z < 0)
        up = up[np.lexsort((names[up], -y_i[up], -z[up]))][:top]
        down = down[np.lexsort((names[down], -y_j[down], z[down]))][:top]
        for direction, picks in (("rises", up), ("falls", down)):
            for rank, k in enumerate(picks, 1):
                chosen.append((p, direction, rank, k, y_i[k], n_i, y_j[k], delta[k], z[k]))
    if not chosen:
        return []
    # evidence: only the rows of the chosen terms
    picked = cand[np.unique([ch[3] for ch in chosen])]
    ev = c[np.isin(c["t"].to_numpy(), picked)]
    by_term = {int(t): g for t, g in ev.groupby("t", sort=False)}
    rows = []
    for p, direction, rank, k, y, n_i, y_rest, d, z in chosen:
        code = int(cand[k])
        mine = by_term[code]
        per = mine["p"].to_numpy()
        here, there = mine[per == p], mine[per != p]
        g = here.assign(first=here[["e0", "e1", "e2"]].where(here[["e0", "e1", "e2"]] >= 0).min(axis=1)) \
            .groupby("u", sort=False).agg(count=("count", "sum"), first=("first", "min"))
        units_used = g.sort_values(["count", "first"], ascending=[False, True], kind="stable")["count"]
        n_j = N - n_i
        rows.append({"period": periods[p], "within": within, "direction": direction, "rank": rank,
                     "term": str(vocab[code]), "kind": "phrase" if phrase[code] else "word",
                     "count": int(y), "n_terms": int(n_i), "rate_per_1000": 1000 * y / n_i,
                     "count_rest": int(y_rest), "rate_rest_per_1000": 1000 * y_rest / n_j if n_j else np.nan,
                     "delta": float(d), "z": float(z), "n_docs": int(here["n_docs"].sum()),
                     "by_unit": _by_unit(units_used, units, labels),
                     "example_positions": _first_positions(here if direction == "rises" else there)})
    return _ids_of(rows, sent_ids)


def _by_unit(counts: pd.Series, units: np.ndarray, labels: Mapping[str, str], k: int = 5) -> str:
    """``name count`` of the ``k`` units using a term most (then how many others)."""
    shown = [f"{labels.get(str(units[u]), str(units[u]))} {int(c)}" for u, c in counts.head(k).items()]
    if len(counts) > k:
        shown.append(f"… {len(counts) - k} more unit{'s' * (len(counts) - k != 1)}")
    return SEP.join(shown)


def terms_over_time(corpus: CorpusLike, dating: pd.DataFrame, *, top: int = 8, min_count: int = 3, prior_strength: float = 500.0,
                    within: str = "pooled") -> pd.DataFrame:
    """The distinctive terms that rise and fall: each period against all other periods.

    The statistic is the log-odds ratio with an informative Dirichlet prior, as a z-score
    (Monroe, Colaresi & Quinn 2008; :func:`framelens.lenses.vocabulary.log_odds_z`): the prior is the
    distribution of the dated text over all periods, scaled to ``prior_strength`` pseudo-terms,
    which shrinks rare terms towards "no change". ``rises``: the ``top`` terms most
    over-represented in the period (highest z); ``falls``: the ``top`` most under-represented
    (lowest z; the evidence then comes from the other periods). Terms used fewer than
    ``min_count`` times in all are skipped; stopwords count in the totals but are not reported.
    Read z as a ranking: |z| > 1.96 is notable for one term taken alone, with no correction for
    the many terms tested. The units are the corpus ``terms`` (words, with the phrase list's
    names merged, ``kind='phrase'``), as in the vocabulary lens.

    ``within="pooled"`` (default) compares the periods of all units together (``within`` =
    ``(all)``): a unit's articles in one period are usually too few words for a stable
    per-unit ranking, the question "how did the coverage's wording move" is about the whole
    corpus, and differences between units are the vocabulary lens's job. ``by_unit`` says which
    units used the term in the period. ``within="unit"``: each unit's periods against each other.

    Computed from period × unit × term counts (:func:`over_time_map` on each partition, merged by
    :func:`over_time_reduce`), so no process needs the whole corpus's terms.
    """
    if within not in ("pooled", "unit"):
        raise FramelensError(f"terms_by: {within!r} is not one of pooled, unit")
    part = over_time_map(corpus, dating, measures=("terms",))
    coded, sent_ids = _merged_terms([part], dating)
    return _terms_cells(coded, sent_ids, dating, top=top, min_count=min_count, prior_strength=prior_strength,
                        within=within)


def _terms_cells(coded, sent_ids: np.ndarray, dating: pd.DataFrame, *, top: int, min_count: int,
                 prior_strength: float, within: str) -> pd.DataFrame:
    """:func:`terms_over_time` from the merged period × unit × term counts (:func:`_merged_terms`;
    the reduce step)."""
    if within not in ("pooled", "unit"):
        raise FramelensError(f"terms_by: {within!r} is not one of pooled, unit")
    if coded is None:
        return pd.DataFrame(columns=TERM_COLUMNS)
    cc, tot, periods, vocab, stop, phrase, units = coded
    labels = unit_names(dict(zip(dating["source"], dating["label"])))
    kw = {"periods": periods, "vocab": vocab, "stop": stop, "phrase": phrase, "units": units, "sent_ids": sent_ids,
          "top": top, "min_count": min_count, "prior_strength": prior_strength, "labels": labels}
    rows = []
    if within == "pooled":
        rows = _period_keyness(cc, tot.sum(axis=1), ALL, **kw)
    else:
        order = list(dict.fromkeys(dating["source"]))
        used = np.unique(cc["u"].to_numpy())
        for u in sorted(used, key=lambda k: order.index(str(units[k])) if str(units[k]) in order else 0):
            rows += _period_keyness(cc[cc["u"].to_numpy() == u], tot[:, u], str(units[u]), **kw)
    return pd.DataFrame(rows, columns=TERM_COLUMNS)


def term_rates(corpus: CorpusLike, dating: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """``term, period, count, n_terms, rate_per_1000`` of each of ``terms`` in every period (all
    units together; periods without the term included, count 0): the trajectory behind a
    rise or a fall."""
    part = over_time_map(corpus, dating, measures=("terms",))
    return _rates_cells(_merged_terms([part], dating)[0], terms)


def _rates_cells(coded, terms: Sequence[str]) -> pd.DataFrame:
    """:func:`term_rates` from the merged counts (:func:`_merged_terms`; the reduce step)."""
    terms = list(dict.fromkeys(terms))
    if coded is None or not terms:
        return pd.DataFrame(columns=RATE_COLUMNS)
    cc, tot, periods, vocab, _stop, _phrase, _units = coded
    P = len(periods)
    totals_p = tot.sum(axis=1).astype(np.int64)
    code = {str(v): i for i, v in enumerate(vocab)}
    rows = []
    for term in terms:
        k = code.get(term, -1)
        counts = np.zeros(P, dtype=np.int64)
        if k >= 0:
            sel = cc[cc["t"].to_numpy() == k]
            np.add.at(counts, sel["p"].to_numpy(), sel["count"].to_numpy())
        for p in range(P):
            if totals_p[p]:
                rows.append({"term": term, "period": periods[p], "count": int(counts[p]), "n_terms": int(totals_p[p]),
                             "rate_per_1000": 1000 * counts[p] / totals_p[p]})
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


# ---------------------------------------------------------------------------------------------
# map / reduce: what one partition of documents contributes, and the tables from the merged parts
#
# The map (:func:`over_time_map`) runs on one partition with the dating of the whole corpus (a
# table of documents, no text) and returns text-free partials: the placed sentences (ids, unit,
# period, tone), the sentence × frame and sentence × actor hits, and period × unit × term counts
# with each key's first three sentences (as positions in the partition's sentence rows). The
# reduce (:func:`over_time_reduce`) concatenates them in corpus order — document partitions are
# disjoint, so counts add up and the first sentences of a key are the first of its partitions'
# — and computes the cells exactly as on the whole corpus: any partitioning gives the same tables.

MEASURES = ("tone", "frames", "actors", "terms")
_TERM_COUNT_COLUMNS = ["period", "source", "term", "count", "n_docs", "e0", "e1", "e2", "is_stop", "is_phrase"]


def _first_three(g: np.ndarray, pos: np.ndarray, n: int) -> np.ndarray:
    """``(n, 3)`` array of the first three ``pos`` of each group ``g`` (``g`` sorted, then ``pos``
    within a group; -1 where a group has fewer): the example sentences kept per key."""
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if len(g) else np.array([], dtype=np.int64)
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)])) if len(g) else g
    ex = np.full((n, 3), -1, dtype=np.int64)
    keep = rank < 3
    ex[g[keep], rank[keep]] = pos[keep]
    return ex


def _term_counts(corpus: CorpusLike, dating: pd.DataFrame, s: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Period × unit × term counts of one partition's placed documents (``terms``: count, number
    of documents, the first three sentences as positions in ``s``; stopwords kept, flagged) and
    the terms per period × unit (``term_totals``, stopwords included)."""
    tc = _TermCodes(corpus, dating)
    if not len(tc):
        return {"terms": pd.DataFrame(columns=_TERM_COUNT_COLUMNS),
                "term_totals": pd.DataFrame(columns=["period", "source", "n_terms"])}
    P, U, V = len(tc.periods), len(tc.units), len(tc.vocab)
    periods = np.asarray(tc.periods, dtype=object)
    cell = tc.period * U + tc.unit
    ck, cn = np.unique(cell, return_counts=True)
    totals = pd.DataFrame({"period": periods[ck // U], "source": tc.units[ck % U], "n_terms": cn.astype(np.int64)})
    key = cell * V + tc.term
    uk, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    inv = inv.astype(np.int64).ravel()
    dcode, _ = _codes(tc.terms["doc_id"])
    doc = dcode[tc.pos]
    nd = int(doc.max()) + 1 if len(doc) else 1
    n_docs = np.bincount(np.unique(inv * nd + doc) // nd, minlength=len(uk))
    scode, svals = _codes(tc.terms["sent_id"])
    where = pd.Index(s["sent_id"].astype(str)).get_indexer(pd.Index(svals.astype(str)))
    spos = where[scode[tc.pos]].astype(np.int64)
    ok = spos >= 0
    ns = len(s) + 1
    pairs = np.unique(inv[ok] * ns + spos[ok])  # sorted: by key, then sentence (corpus order)
    ex = _first_three(pairs // ns, pairs % ns, len(uk))
    t = uk % V
    cat = pd.Categorical.from_codes
    out = pd.DataFrame({"period": cat(uk // (U * V), categories=pd.Index(periods)),
                        "source": cat((uk // V) % U, categories=pd.Index(tc.units)),
                        "term": cat(t, categories=pd.Index(tc.vocab)),
                        "count": cnt.astype(np.int32), "n_docs": n_docs.astype(np.int32),
                        "e0": ex[:, 0].astype(np.int32), "e1": ex[:, 1].astype(np.int32),
                        "e2": ex[:, 2].astype(np.int32), "is_stop": tc.stop[t], "is_phrase": tc.phrase[t]})
    return {"terms": out, "term_totals": totals}


def over_time_map(corpus: CorpusLike, dating: pd.DataFrame, *, measures: Sequence[str] = MEASURES,
                  scores: pd.DataFrame | None = None, value: str = "vader_compound", codebook=None, actors=None,
                  min_hits: int | None = 1) -> dict[str, pd.DataFrame]:
    """The map step on one partition of documents, dated by ``dating`` (:func:`date_documents`
    on the whole corpus). Returns text-free partials: ``sentences`` (every placed sentence:
    ``sent_id, doc_id, source, period`` and, for ``tone``, ``value`` — from ``scores`` if given,
    else :func:`framelens.lenses.sentiment.sentence_scores` of the partition), ``frame_hits``
    (``row, frame``: the sentences carrying each frame, as rows of ``sentences``), ``actor_hits``
    (``row, actor, n``: mentions per sentence), ``terms`` and ``term_totals`` (see
    :func:`_term_counts`)."""
    out: dict[str, pd.DataFrame] = {}
    if "tone" in measures:

        sc = scores if scores is not None else sentiment.sentence_scores(corpus)
        if value not in sc.columns:
            raise FramelensError(f"tone_over_time: scores table lacks column {value!r} "
                                 "(pass the table from sentiment.sentence_scores)")
        s = _placed_sentences(sc[["sent_id", "doc_id", "source", value]], dating)
    else:
        s = _placed_sentences(corpus.sentences[["sent_id", "doc_id", "source"]], dating)
    out["sentences"] = s.astype({c: "category" for c in ("doc_id", "source", "period")})
    row_of = pd.Series(np.arange(len(s), dtype=np.int32), index=s["sent_id"].astype(str).to_numpy())
    if "frames" in measures:

        cb = _codebook(codebook)
        if len(s):
            carried, _ = framing.frame_matches(corpus, cb, min_hits=min_hits)
            out["frame_hits"] = _frame_hits(carried, row_of)
    if "actors" in measures:

        table = _actor_table(actors)
        if len(s):
            ment = find_mentions(_placed_sentences(corpus.sentences, dating), table)
            hits = (ment.groupby(["sent_id", "actor"], sort=False).size().rename("n").reset_index()
                    if len(ment) else pd.DataFrame(columns=["sent_id", "actor", "n"]))
            out["actor_hits"] = pd.DataFrame({"row": row_of.reindex(hits["sent_id"].astype(str)).to_numpy(dtype=np.int32),
                                              "actor": pd.Categorical(hits["actor"].astype(str)),
                                              "n": hits["n"].to_numpy(dtype=np.int32)})
    if "terms" in measures:
        out.update(_term_counts(corpus, dating, s))
    return out


def _fold_terms(c: pd.DataFrame) -> pd.DataFrame:
    """Rows of one (period, unit, term) key merged: counts and documents summed, the first three
    example positions kept. ``c`` holds the merged rows first, then each partition's in corpus order,
    and a row's positions are ascending and corpus-wide: so a key's valid positions, read row after
    row, ascend, and the first three read are the three earliest (no sort of the positions)."""
    p, u, t = (c[k].to_numpy(np.int32) for k in ("p", "u", "t"))
    key = (p.astype(np.int64) * (int(u.max()) + 1) + u) * (int(t.max()) + 1) + t
    order = np.argsort(key, kind="stable")  # a key's rows together, in the order of ``c``
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, np.int64)
    del key
    head = order[starts]
    out = pd.DataFrame({"p": p[head], "u": u[head], "t": t[head]})
    del p, u, t, head
    out["count"] = np.add.reduceat(c["count"].to_numpy(np.int64)[order], starts) if len(starts) else np.zeros(0, np.int64)
    out["n_docs"] = (np.add.reduceat(c["n_docs"].to_numpy(np.int64)[order], starts) if len(starts)
                     else np.zeros(0, np.int64)).astype(np.int32)
    E = c[["e0", "e1", "e2"]].to_numpy(np.int32)
    ex = E[order[starts]]  # a key of one row: that row's positions (most keys, in one partition only)
    sizes = np.diff(np.r_[starts, len(order)])
    multi = np.flatnonzero(sizes > 1)
    if len(multi):  # the keys of several rows: their first three valid positions, read row after row
        n_m = sizes[multi]
        off = np.r_[0, np.cumsum(n_m)[:-1]]  # each key's first row among the rows of these keys
        at = np.repeat(starts[multi] - off, n_m) + np.arange(int(n_m.sum()))
        pos = E[order[at]].ravel()  # a key's rows together, in the order of ``c``
        del at
        valid = pos >= 0
        small = np.int32 if len(pos) < 2**31 else np.int64  # counters of positions: half the memory
        seen = np.cumsum(valid, dtype=small)  # valid positions up to here
        bounds = off * 3
        before = np.where(bounds > 0, seen[np.maximum(bounds - 1, 0)], 0).astype(small)  # valid positions before each key
        group = np.repeat(np.arange(len(multi), dtype=small), n_m * 3)
        rank = seen - 1 - before[group]
        del seen, before
        keep = valid & (rank < 3)
        del valid
        sub = np.full((len(multi), 3), -1, dtype=np.int32)
        sub[group[keep], rank[keep]] = pos[keep]
        ex[multi] = sub
    del order, E
    out["e0"], out["e1"], out["e2"] = ex[:, 0], ex[:, 1], ex[:, 2]
    return out


def _merged_terms(partials: Sequence[Mapping[str, pd.DataFrame]], dating: pd.DataFrame):
    """The partitions' term counts merged, partition by partition, into integer codes (``c``:
    ``p, u, t, count, n_docs, e0..e2`` with corpus-wide example positions; ``tot``: terms per
    period × unit; ``periods, vocab, stop, phrase, units``) and the placed sentences' ids the
    positions index (:class:`_SentenceIds`, read on demand). ``(None, ids)`` when there are no terms."""
    placed = dating[dating["status"] == "placed"]
    periods = sorted(placed["period"].unique())
    pidx = pd.Index(periods, dtype=object)
    vocab = pd.Index([], dtype=object)
    units = pd.Index([], dtype=object)
    tots, ids, offset = [], [], 0
    stop, phrase = np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)  # per vocabulary code

    def coded():  # each partition's term counts as integer codes, corpus-wide example positions
        nonlocal vocab, units, stop, phrase, offset
        for part in partials:
            s = part.get("sentences")
            n = 0 if s is None else len(s)
            t = part.get("terms")
            if t is not None and len(t):
                tc, vocab = grow_codes(t["term"], vocab)
                uc, units = grow_codes(t["source"], units)
                pc, _ = grow_codes(t["period"], pidx)
                frame = pd.DataFrame({"p": pc.astype(np.int32), "u": uc.astype(np.int32), "t": tc.astype(np.int32),
                                      "count": t["count"].to_numpy(np.int64),
                                      "n_docs": t["n_docs"].to_numpy(np.int32)})
                for col in ("e0", "e1", "e2"):  # corpus-wide sentence positions (fewer than 2**31 sentences)
                    v = t[col].to_numpy(dtype=np.int64)
                    frame[col] = np.where(v >= 0, v + offset, -1).astype(np.int32)
                stop, phrase = (np.r_[f, np.zeros(len(vocab) - len(f), dtype=bool)] for f in (stop, phrase))
                stop[tc] = t["is_stop"].to_numpy(dtype=bool)
                phrase[tc] = t["is_phrase"].to_numpy(dtype=bool)
                yield frame
            tt = part.get("term_totals")
            if tt is not None and len(tt):
                uc, units = grow_codes(tt["source"], units)
                pc, _ = grow_codes(tt["period"], pidx)
                tots.append((pc, uc, tt["n_terms"].to_numpy(dtype=float)))
            if n:
                ids.append((part, offset, n))
            offset += n

    # folded when the waiting rows reach a quarter of the merged ones: a few folds, not one per
    # partition, holding at most a quarter more rows than the merged table
    merged = mapreduce.fold(coded(), lambda pieces: _fold_terms(pd.concat(pieces, ignore_index=True)), share=0.25)
    sent_ids = _SentenceIds(ids)
    if merged is None or not periods:
        return None, sent_ids
    stop, phrase = (np.r_[f, np.zeros(len(vocab) - len(f), dtype=bool)] for f in (stop, phrase))
    tot = np.zeros((len(periods), len(units)))
    for pc, uc, v in tots:
        np.add.at(tot, (pc, uc), v)
    vocab_arr = np.asarray(vocab, dtype=object)
    return (merged, tot, periods, vocab_arr, stop, phrase, np.asarray(units, dtype=object)), sent_ids


class _SentenceIds:
    """The placed sentences' ids by corpus-wide position (``parts``: each partition's partials, its
    first position and its number of sentences), read from the partitions holding the positions
    asked for: the reduce keeps positions, and only the few example ids shown are ever made."""
    def __init__(self, parts: Sequence[tuple[Mapping[str, pd.DataFrame], int, int]]):
        self._parts = list(parts)
        self._starts = np.array([o for _p, o, _n in self._parts], dtype=np.int64)

    def __len__(self) -> int:
        return int(sum(n for _p, _o, n in self._parts))

    def __getitem__(self, pos) -> np.ndarray:
        pos = np.asarray(pos, dtype=np.int64).ravel()
        out = np.empty(len(pos), dtype=object)
        which = np.searchsorted(self._starts, pos, side="right") - 1
        for k in np.unique(which).tolist():
            part, start, _n = self._parts[k]
            ids = part["sentences"]["sent_id"].astype(str).to_numpy(dtype=object)
            out[which == k] = ids[pos[which == k] - start]
        return out


def _frame_hits(carried: pd.DataFrame, row_of: pd.Series) -> pd.DataFrame:
    """``row, frame`` of the placed sentences carrying a frame: ``carried`` (``sent_id, frame``)
    restricted to the sentences of ``row_of`` (``sent_id`` → row of the partial's ``sentences``)."""
    carried = carried[carried["sent_id"].astype(str).isin(row_of.index)]
    hits = carried[["sent_id", "frame"]].drop_duplicates()
    return pd.DataFrame({"row": row_of.reindex(hits["sent_id"].astype(str)).to_numpy(dtype=np.int32),
                         "frame": hits["frame"].astype("category").to_numpy()})


def with_stored_measures(partials: Sequence[Mapping[str, pd.DataFrame]],
                         stored_rows: Callable[[int], tuple[pd.DataFrame, pd.DataFrame]], *,
                         value: str = "vader_compound") -> list[Mapping[str, pd.DataFrame]]:
    """The partials of an :func:`over_time_map` run without ``tone`` and ``frames`` (measures
    ``("actors", "terms")``), completed from what the sentiment and framing parts already computed
    for the same sentences, instead of scoring and matching every sentence a second time.
    ``stored_rows(k)`` gives, for the ``k``-th partition, ``scores`` (``sent_id`` and ``value``: the
    sentiment part's per-sentence scores) and ``carried`` (``sent_id, frame``: the framing part's
    sentences carrying a frame, at the same codebook and ``min_hits``) — the rows its maps wrote, or
    whole tables, of which only the partition's sentences are used. ``scores`` adds ``value`` to the
    partition's ``sentences`` (NaN where a sentence has none); ``carried`` gives its ``frame_hits``
    (``row, frame``, in the order of ``carried``, each pair once). Each partition is completed when
    the reduce asks for it (:class:`_Completed`), one at a time, and the other partials (terms, actor
    hits) are not copied: a spilled partition's are read when the reduce asks for them."""
    return [_Completed(p, k, stored_rows, value) if "sentences" in p else p for k, p in enumerate(partials)]


class _Completed(Mapping):
    """One partition's partials with ``sentences`` and ``frame_hits`` completed from the stored
    measures (:func:`with_stored_measures`), made when asked for and not kept: the reduce reads each
    partition a few times, one at a time, instead of holding every partition's sentences."""
    _OWN = ("sentences", "frame_hits")

    def __init__(self, base: Mapping[str, pd.DataFrame], k: int, stored_rows, value: str):
        self._base, self._k, self._rows, self._value = base, k, stored_rows, value
        self._other: tuple[str, pd.DataFrame] | None = None  # the half of the last pair not yet asked for

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._OWN:
            return self._base[key]
        if self._other is not None and self._other[0] == key:
            out, self._other = self._other[1], None
            return out
        made = dict(zip(self._OWN, self._complete()))
        other = next(k for k in self._OWN if k != key)
        self._other = (other, made[other])
        return made[key]

    def __iter__(self):
        return iter(dict.fromkeys([*self._base, *self._OWN]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._base, *self._OWN]))

    def __contains__(self, key: object) -> bool:
        return key in self._OWN or key in self._base

    def _complete(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        s = self._base["sentences"]
        scores, carried = self._rows(self._k)
        ids = pd.Index(s["sent_id"].astype(str).to_numpy(dtype=object))
        vals = np.full(len(ids), np.nan)
        at = ids.get_indexer(scores["sent_id"].astype(str).to_numpy(dtype=object))
        found = at >= 0
        vals[at[found]] = scores[self._value].to_numpy(dtype=float)[found]
        rows = ids.get_indexer(carried["sent_id"].astype(str).to_numpy(dtype=object))
        hits = pd.DataFrame({"row": rows, "frame": carried["frame"].to_numpy(dtype=object)})[rows >= 0]
        hits = hits[~hits.duplicated().to_numpy()]
        return (s.assign(**{self._value: vals})[["sent_id", "doc_id", "source", self._value, "period"]],
                pd.DataFrame({"row": hits["row"].to_numpy(dtype=np.int32), "frame": hits["frame"].to_numpy(dtype=object)}))


def over_time_reduce(partials: Sequence[Mapping[str, pd.DataFrame]], dating: pd.DataFrame, *, seed: int = 0,
                     n_resamples: int = N_RESAMPLES, level: float = 0.95, codebook=None, actors=None, top: int = 5,
                     top_terms: int = 8, min_count: int = 3, prior_strength: float = 500.0, terms_by: str = "pooled",
                     max_units: int = 8, value: str = "vader_compound") -> dict[str, pd.DataFrame]:
    """The reduce step: ``tone, frames, actors, terms, term_rates`` from the partitions'
    :func:`over_time_map` partials (in corpus order)."""
    kw = {"n_resamples": n_resamples, "level": level, "seed": seed}
    placed = _Placed(partials, dating, max_units=max_units, value=value, frames=_leading_frames(codebook, top),
                     actors=_leading_actors(actors, top))
    out = {"tone": _tone_cells(placed, **kw), "frames": _frame_cells(placed, codebook, **kw),
           "actors": _actor_cells(placed, actors, **kw)}
    del placed
    coded, sent_ids = _merged_terms(partials, dating)
    terms = _terms_cells(coded, sent_ids, dating, top=top_terms, min_count=min_count,
                         prior_strength=prior_strength, within=terms_by)
    out["terms"] = terms
    rising = terms.loc[(terms["direction"] == "rises") & (terms["within"] == ALL), "term"] if len(terms) else []
    out["term_rates"] = _rates_cells(coded, list(dict.fromkeys(rising)))
    return out


# ---------------------------------------------------------------------------------------------
# everything at once (the lens-store part)


def status_table(corpus: CorpusLike, dating: pd.DataFrame, period: str, reason: str, *, max_units: int = 8) -> pd.DataFrame:
    """One row saying what was split into which periods, what was left out and whether there is
    anything to show (``nothing_to_show``, with the ``message`` a report states)."""
    placed = dating[dating["status"] == "placed"]
    periods = sorted(placed["period"].unique())
    undated = dating.loc[dating["status"] == "undated", "doc_id"].tolist()
    coarser = dating.loc[dating["status"] == "coarser", "doc_id"].tolist()
    no_unit = [str(x) for x in getattr(corpus, "left_out", [])]
    unit = getattr(corpus, "unit", "source") or "source"
    n = len(dating)
    word = {"day": "day", "week": "week", "month": "month", "year": "year"}[period]
    if not len(placed):
        nothing = True
        why = ("no article is dated" if not len(dating) or len(undated) == n
               else f"no article is dated to the {_unit_word(period)}")
        message = f"No period: nothing to show over time — {why}."
    elif len(periods) == 1:
        nothing = True
        who = f"all {len(placed):,} placed articles fall" if len(placed) > 1 else "the one placed article falls"
        message = (f"One period: nothing to show over time — {who} in the same {word}, {periods[0]}, "
                   "so no measure can change; a change over time needs articles from at least two periods.")
        if period != "day":
            to_day = int((dating["precision"] == "day").sum())
            finer = " or ".join(p for p in ("day", "week", "month") if _ORDER.index(p) < _ORDER.index(period))
            message += (f" A finer period cannot help: only {to_day:,} of {len(placed):,} articles "
                        f"{'is' if to_day == 1 else 'are'} dated to the day." if to_day < len(placed)
                        else f" Set the period parameter to {finer} to split it more finely.")
    else:
        nothing = False
        message = (f"{len(periods)} {word}s from {periods[0]} to {periods[-1]}: {len(placed):,} of {n:,} articles "
                   f"placed.")
    left = []
    if undated:
        left.append(f"{len(undated):,} undated ({_names(undated)})")
    if coarser:
        left.append(f"{len(coarser):,} dated less precisely than the {word} ({_names(coarser)})")
    if no_unit:
        left.append(f"{len(no_unit):,} without a {unit} value ({_names(no_unit)})")
    if left:
        message += " Left out: " + "; ".join(left) + "."
    if unit in _ORDER:
        message += f" Note: the comparison unit is itself a period ({unit}); compare by source or a group instead."
    drawn = top_units(dating, max_units)
    row = {"period": period, "period_reason": reason, "n_periods": len(periods),
           "first": periods[0] if periods else "", "last": periods[-1] if periods else "",
           "periods": SEP.join(period_range(periods, period)), "n_documents": n, "n_placed": len(placed),
           "n_undated": len(undated), "n_coarser": len(coarser), "n_no_unit": len(no_unit),
           "undated_ids": SEP.join(undated), "coarser_ids": SEP.join(coarser), "no_unit_ids": SEP.join(no_unit),
           "n_units": int(dating["source"].nunique()), "units_drawn": SEP.join(drawn),
           "nothing_to_show": nothing, "message": message}
    return pd.DataFrame([row], columns=STATUS_COLUMNS)


def _names(ids: Sequence[str], k: int = 5) -> str:
    ids = list(ids)
    return ", ".join(ids[:k]) + (f", … ({len(ids)} in all)" if len(ids) > k else "")


def over_time(corpus: CorpusLike, *, period: str = "auto", seed: int = 0, n_resamples: int = N_RESAMPLES, level: float = 0.95,
              codebook=None, actors=None, min_hits: int | None = 1, top: int = 5, top_terms: int = 8,
              min_count: int = 3, prior_strength: float = 500.0, terms_by: str = "pooled", max_units: int = 8,
              scores: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every over-time table of ``corpus`` (compared by its unit): ``status`` (one row: the
    period, why, what was left out, the ``message``), ``dating`` (each article's period),
    ``tone``, ``frames``, ``actors``, ``terms`` and ``term_rates`` (see the functions of the same
    names). With fewer than two periods the measure tables are empty and ``status`` says why.
    ``scores``: the sentence scores when already computed."""
    out = dating_tables(corpus, period=period, max_units=max_units)
    if bool(out["status"]["nothing_to_show"].iloc[0]):
        return {**out, **empty_tables()}
    part = over_time_map(corpus, out["dating"], scores=scores, codebook=codebook, actors=actors, min_hits=min_hits)
    return {**out, **over_time_reduce([part], out["dating"], seed=seed, n_resamples=n_resamples, level=level,
                                      codebook=codebook, actors=actors, top=top, top_terms=top_terms,
                                      min_count=min_count, prior_strength=prior_strength, terms_by=terms_by,
                                      max_units=max_units)}


def dating_tables(corpus: CorpusLike, *, period: str = "auto", max_units: int = 8) -> dict[str, pd.DataFrame]:
    """``status`` and ``dating`` of a corpus (its documents only: no text is read): the period
    chosen (:func:`choose_period`), each article's period, and what is left out."""
    if int(max_units) < 1:
        raise FramelensError(f"max_units: must be at least 1, got {max_units}")
    p, reason = choose_period(corpus.documents, period)
    dating = date_documents(corpus.documents, p)
    return {"status": status_table(corpus, dating, p, reason, max_units=max_units), "dating": dating}


def empty_tables() -> dict[str, pd.DataFrame]:
    """The measure tables of a corpus with nothing to show over time (no rows, their columns)."""
    return {k: pd.DataFrame(columns=c) for k, c in (("tone", TONE_COLUMNS), ("frames", FRAME_COLUMNS),
                                                    ("actors", ACTOR_COLUMNS), ("terms", TERM_COLUMNS),
                                                    ("term_rates", RATE_COLUMNS))}


# ---------------------------------------------------------------------------------------------
# words for the report


def describe(status: pd.DataFrame) -> str:
    """The report's statement of what is shown (Markdown): the periods and why, what was left
    out, or — with one period — that there is nothing to show, and why."""
    r = status.iloc[0]
    msg, head = str(r["message"]), ""
    if bool(r["nothing_to_show"]):  # said once, in bold: "No period: no article is dated."
        msg, head = msg.replace(": nothing to show over time — ", ": ", 1), "**Nothing to show over time.** "
    if int(r["n_placed"]) == 0:  # no period was used: naming one would only repeat the message
        return markdown_safe(f"{head}{msg}")
    return markdown_safe(f"{head}{msg} Period: **{r['period']}** ({r['period_reason']}).")


def headline(tables: Mapping[str, pd.DataFrame]) -> str:
    """One sentence for the index: the periods, and the largest change of pooled tone and of the
    leading frame between the first and the last period (or why there is nothing to show)."""
    st = tables["status"].iloc[0]
    if bool(st["nothing_to_show"]):
        return str(st["message"]).split(" Left out:")[0]
    parts = [f"{st['n_periods']} {st['period']}s from {st['first']} to {st['last']} "
             f"({int(st['n_placed']):,} of {int(st['n_documents']):,} articles placed)"]
    tone = tables["tone"]
    pooled = tone[tone["row"] == "all"] if len(tone) else tone
    if len(pooled) >= 2:
        a, b = pooled.iloc[0], pooled.iloc[-1]
        parts.append(f"mean tone (all units) {_signed(a['mean'])} in {a['period']} (n={int(a['n_sentences']):,}) and "
                     f"{_signed(b['mean'])} in {b['period']} (n={int(b['n_sentences']):,})")
    fr = tables["frames"]
    if len(fr):
        f0 = fr["frame"].iloc[0]
        pf = fr[(fr["row"] == "all") & (fr["frame"] == f0)]
        if len(pf) >= 2:
            parts.append(f"the leading frame, {pf['name'].iloc[0]}, carried by {pf['share'].iloc[0]:.0%} of "
                         f"sentences in {pf['period'].iloc[0]} and {pf['share'].iloc[-1]:.0%} in {pf['period'].iloc[-1]}")
    undated, coarser = int(st["n_undated"]), int(st["n_coarser"])
    if undated:
        parts.append(f"{undated} undated article{'s' * (undated != 1)} left out")
    if coarser:
        parts.append(f"{coarser} article{'s' * (coarser != 1)} dated less precisely than the {st['period']} left out")
    return "; ".join(parts) + "."


def _signed(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.2f}"
