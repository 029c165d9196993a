"""The corpus at a glance: sources, dates, lengths and what cleaning removed.

Functions used by ``notebooks/01_corpus_overview.ipynb``; each takes a :class:`~framelens.Corpus`
and returns a DataFrame (or a sentence for the index page). Per-article tables
(:func:`sources_table`, :func:`timeline`, :func:`lengths`) grow with the corpus and go to the CSV
files; the per-source tables (:func:`source_summary`, :func:`dates_summary`) stay readable at
thousands of articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .cleaning import RULES

if TYPE_CHECKING:  # annotations only: no import cost
    from .corpus import CorpusLike


def sources_table(corpus: CorpusLike) -> pd.DataFrame:
    """One row per document: the manifest metadata an analyst reads first."""
    d = corpus.documents
    out = pd.DataFrame({
        "source": d["source"], "outlet": d["label"], "title": d["title"], "author": d["author"],
        "published": [date_label(ts, p) for ts, p in zip(d["published"], d["published_precision"])],
        "genre": d["genre"], "event": d["event"], "notes": d["notes"],
    })
    return out


def date_label(ts, precision: str) -> str:
    """A publication date written to its known precision: 2025-06-16, 2025-06 (day unknown), unknown."""
    if pd.isna(ts):
        return "unknown"
    return {"day": ts.strftime("%Y-%m-%d"), "month": ts.strftime("%Y-%m") + " (day unknown)",
            "year": ts.strftime("%Y") + " (month unknown)"}.get(precision, ts.strftime("%Y-%m-%d"))


def timeline(corpus: CorpusLike) -> pd.DataFrame:
    """Publication dates as intervals: a known day is one day; a known month spans the month.

    Columns ``doc_id, source, label, event, start, end, precision`` (NaT when unknown).
    """
    d = corpus.documents
    start = d["published"]
    end = [
        ts + (pd.offsets.MonthEnd(0) if p == "month" else pd.offsets.YearEnd(0) if p == "year" else pd.Timedelta(0))
        if not pd.isna(ts) else pd.NaT
        for ts, p in zip(start, d["published_precision"])
    ]
    return pd.DataFrame({"doc_id": d["doc_id"], "source": d["source"], "label": d["label"], "event": d["event"],
                         "start": start, "end": pd.to_datetime(pd.Series(end, dtype="datetime64[ns]")),
                         "precision": d["published_precision"].replace("", "unknown")})


def source_summary(corpus: CorpusLike) -> pd.DataFrame:
    """One row per source, largest first (by sentences, ties in corpus order, as the figures and
    the per-source profiles rank them): ``source, label, articles, sentences, words`` (after
    cleaning), ``median_words`` per article, and the dates — ``dated_day`` (exact day known),
    ``dated_month`` (only the month or year known), ``undated``, ``first`` and ``last`` (as
    precise as known)."""
    d = corpus.documents
    cols = ["source", "label", "articles", "sentences", "words", "median_words", "dated_day", "dated_month",
            "undated", "first", "last"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    prec = d["published_precision"].fillna("")
    g = d.assign(_day=prec.eq("day"), _month=prec.isin(["month", "year"]), _none=d["published"].isna())
    out = g.groupby("source", sort=False).agg(
        label=("label", "first"), articles=("doc_id", "size"), sentences=("n_sentences", "sum"),
        words=("n_words", "sum"), median_words=("n_words", "median"), dated_day=("_day", "sum"),
        dated_month=("_month", "sum"), undated=("_none", "sum"),
    ).reset_index()
    first, last = {}, {}
    dated = d.dropna(subset=["published"])
    for src, grp in dated.groupby("source", sort=False):
        lo, hi = grp["published"].idxmin(), grp["published"].idxmax()
        first[src] = date_label(dated.at[lo, "published"], dated.at[lo, "published_precision"])
        last[src] = date_label(dated.at[hi, "published"], dated.at[hi, "published_precision"])
    out["first"] = out["source"].map(first).fillna("unknown")
    out["last"] = out["source"].map(last).fillna("unknown")
    out["median_words"] = out["median_words"].round(0).astype(int)
    for c in ("articles", "sentences", "words", "dated_day", "dated_month", "undated"):
        out[c] = out[c].astype(int)
    out = out.sort_values("sentences", ascending=False, kind="stable")  # ties keep corpus order
    return out[cols].reset_index(drop=True)


def dates_summary(corpus: CorpusLike) -> pd.DataFrame:
    """How precisely the articles are dated: ``precision`` (exact day, month only, year only,
    unknown) and the number of ``articles``; rows with no article are left out. The articles
    with no date are counted here and listed in :func:`undated`."""
    prec = corpus.documents["published_precision"].fillna("").replace("", "unknown")
    names = {"day": "exact day", "month": "month only", "year": "year only", "unknown": "unknown (no date)"}
    counts = prec.value_counts()
    rows = [(names[k], int(counts[k])) for k in names if counts.get(k, 0)]
    return pd.DataFrame(rows, columns=["precision", "articles"])


def undated(corpus: CorpusLike) -> pd.DataFrame:
    """The articles with no publication date: ``doc_id, source, label, title``."""
    d = corpus.documents
    return d.loc[d["published"].isna(), ["doc_id", "source", "label", "title"]].reset_index(drop=True)


def load_warnings(corpus: CorpusLike) -> pd.DataFrame:
    """The loader's warnings, one per row (a table, so a corpus with thousands of them stays
    readable: the report shows the first rows, the CSV all)."""
    return pd.DataFrame({"warning": [str(w) for w in corpus.warnings]}, dtype=object)


def lengths(corpus: CorpusLike) -> pd.DataFrame:
    """Words, sentences and paragraphs per document after cleaning, with mean sentence length."""
    d = corpus.documents
    out = d[["doc_id", "source", "label", "n_words", "n_sentences", "n_paragraphs"]].copy()
    out["words_per_sentence"] = (out["n_words"] / out["n_sentences"].where(out["n_sentences"] > 0)).round(1)
    heads = corpus.paragraphs[corpus.paragraphs["kind"] == "heading"].groupby("doc_id").size()
    out["n_headings"] = out["doc_id"].map(heads).fillna(0).astype(int)
    return out


def audit_table(corpus: CorpusLike) -> pd.DataFrame:
    """Every span removed by cleaning: document, rule (with its description), line and text."""
    a = corpus.audit.copy()
    a.insert(1, "label", a["doc_id"].map(dict(zip(corpus.documents["doc_id"], corpus.documents["label"]))))
    a["why"] = a["rule"].map(RULES).fillna("")
    return a[["doc_id", "label", "rule", "line", "text", "why"]]


def audit_summary(corpus: CorpusLike) -> pd.DataFrame:
    """Removed spans per document and rule (counts of spans and characters)."""
    a = corpus.audit
    if a.empty:
        return pd.DataFrame(columns=["doc_id", "rule", "spans", "characters"])
    g = a.assign(characters=a["text"].str.len()).groupby(["doc_id", "rule"], sort=False)
    return g.agg(spans=("text", "size"), characters=("characters", "sum")).reset_index()


def rules_table() -> pd.DataFrame:
    """The cleaning rules and what each removes."""
    return pd.DataFrame({"rule": list(RULES), "removes": list(RULES.values())})


def headline(corpus: CorpusLike) -> str:
    """One sentence describing the corpus, for the index page."""
    d = corpus.documents
    n_docs, n_src = len(d), d["source"].nunique()
    words = d["n_words"]
    parts = [f"{n_docs} article{'s' if n_docs != 1 else ''} from {n_src} source{'s' if n_src != 1 else ''}, "
             f"{int(words.sum()):,} words after cleaning"]
    if n_docs > 1 and words.min() > 0:
        parts.append(f"lengths differ {words.max() / words.min():.1f}-fold ({int(words.min()):,}–{int(words.max()):,} words)")
    events = [e for e in d["event"].unique() if e]
    if len(events) > 1:
        parts.append(f"they cover {len(events)} different events")
    parts.append(f"cleaning removed {len(corpus.audit)} span{'s' if len(corpus.audit) != 1 else ''} of page furniture")
    return "; ".join(parts) + "."
