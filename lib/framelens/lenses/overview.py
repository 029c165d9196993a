"""The corpus at a glance: sources, dates, lengths and what cleaning removed.

Functions used by ``notebooks/01_corpus_overview.ipynb``; each takes a :class:`~framelens.Corpus`
and returns a DataFrame (or a sentence for the index page). Per-article tables
(:func:`sources_table`, :func:`timeline`, :func:`lengths`) grow with the corpus and go to the CSV
files; the per-source tables (:func:`source_summary`, :func:`dates_summary`) stay readable at
thousands of articles.

At scale the overview is a map/reduce like every measure: :func:`partition_summary` maps one
corpus partition to per-document rows without text (metadata, lengths, headings and spans
removed), audit counts and totals; :func:`merge_summaries` concatenates and sums them into a
:class:`CorpusSummary`, which every function here takes in place of a corpus. The lens store keeps
it as the ``overview`` part (:func:`from_store`); ``framelens check`` computes it batch by batch
from the input (:func:`check`). Neither ever holds the corpus's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import pandas as pd

from framelens.text.cleaning import RULES
from framelens.read.corpus import UnitNames

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.core.engine import get_engine
from framelens.errors import fail
from framelens.read import corpus as C
from framelens.read.stream import PARTITION_DOCUMENTS, read_batches
from framelens.tables.parquet import concat_frames, read_parts
from framelens.text import tokens as tok
from framelens.text.tokens import release_memory


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
    if "n_headings" in d.columns:
        out["n_headings"] = d["n_headings"].astype(int).to_numpy()
    else:
        heads = corpus.paragraphs[corpus.paragraphs["kind"] == "heading"].groupby("doc_id").size()
        out["n_headings"] = out["doc_id"].map(heads).fillna(0).astype(int)
    return out


def audit_table(corpus: CorpusLike, *, limit: int | None = None) -> pd.DataFrame:
    """Every span removed by cleaning: document, rule (with its description), line and text
    (the first ``limit`` spans in corpus order when given; a :class:`CorpusSummary` reads only
    the partitions needed)."""
    if isinstance(corpus, CorpusSummary):
        a = corpus.rows("audit", limit=limit)
    else:
        a = corpus.audit if limit is None else corpus.audit.head(limit)
        a = a.copy()
    a.insert(1, "label", a["doc_id"].map(dict(zip(corpus.documents["doc_id"], corpus.documents["label"]))))
    a["why"] = a["rule"].map(RULES).fillna("")
    return a[["doc_id", "label", "rule", "line", "text", "why"]]


def audit_summary(corpus: CorpusLike) -> pd.DataFrame:
    """Removed spans per document and rule (counts of spans and characters)."""
    if isinstance(corpus, CorpusSummary):
        return corpus.audit_counts.reset_index(drop=True)
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
    parts = [f"{n_docs:,} article{'s' if n_docs != 1 else ''} from {n_src:,} source{'s' if n_src != 1 else ''}, "
             f"{int(words.sum()):,} words after cleaning"]
    if n_docs > 1 and words.min() > 0:
        parts.append(f"lengths differ {words.max() / words.min():.1f}-fold ({int(words.min()):,}–{int(words.max()):,} words)")
    events = [e for e in d["event"].unique() if e]
    if len(events) > 1:
        parts.append(f"they cover {len(events)} different events")
    n_removed = corpus.totals["audit_spans"] if isinstance(corpus, CorpusSummary) else len(corpus.audit)
    parts.append(f"cleaning removed {n_removed} span{'s' if n_removed != 1 else ''} of page furniture")
    return "; ".join(parts) + "."


def headings(corpus: CorpusLike, *, limit: int | None = None) -> pd.DataFrame:
    """The section headings: ``doc_id, para_id, text`` (the first ``limit`` in corpus order)."""
    if isinstance(corpus, CorpusSummary):
        return corpus.rows("headings", limit=limit)
    p = corpus.paragraphs
    out = p.loc[p["kind"] == "heading", ["doc_id", "para_id", "text"]].reset_index(drop=True)
    return out if limit is None else out.head(limit)


# ---------------------------------------------------------------------------------------------
# the corpus summary as map/reduce

#: The totals a summary sums over partitions.
TOTALS = ("documents", "paragraphs", "sentences", "tokens", "audit_spans", "audit_characters")
#: Row tables a partition summary keeps (text of headings and removed spans), read back a few at a time.
SUMMARY_ROWS = ("headings", "audit")


def text_counts(paragraphs: pd.DataFrame, sentences: pd.DataFrame, n_tokens: int, audit: pd.DataFrame,
                doc_ids: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The map step's counts of one partition's text tables: per document (``doc_ids``, in that
    order) its headings and removed spans and characters (``per_document``), spans and characters
    per document and rule (``audit_counts``), the one-row ``totals`` (without ``documents``) and
    the row tables ``headings`` and ``audit``."""
    heads = paragraphs[paragraphs["kind"] == "heading"]
    chars = audit["text"].astype(str).str.len()
    ids = pd.Index([str(i) for i in doc_ids])
    per = pd.DataFrame({"doc_id": ids,
                        "n_headings": heads["doc_id"].astype(str).value_counts().reindex(ids, fill_value=0).to_numpy(),
                        "n_removed": audit["doc_id"].astype(str).value_counts().reindex(ids, fill_value=0).to_numpy()})
    per["removed_characters"] = (chars.groupby(audit["doc_id"].astype(str).to_numpy()).sum()
                                 .reindex(ids, fill_value=0).to_numpy() if len(audit) else 0)
    if len(audit):
        ac = (audit.assign(characters=chars.to_numpy()).groupby(["doc_id", "rule"], sort=False)
              .agg(spans=("text", "size"), characters=("characters", "sum")).reset_index())
    else:
        ac = pd.DataFrame(columns=["doc_id", "rule", "spans", "characters"])
    totals = pd.DataFrame([{"paragraphs": int(len(paragraphs)), "sentences": int(len(sentences)),
                            "tokens": int(n_tokens), "audit_spans": int(len(audit)),
                            "audit_characters": int(chars.sum()) if len(audit) else 0}])
    return {"per_document": per, "audit_counts": ac.astype({"spans": int, "characters": int}), "totals": totals,
            "headings": heads[["doc_id", "para_id", "text"]].reset_index(drop=True),
            "audit": audit[["doc_id", "rule", "line", "text"]].reset_index(drop=True)}


def partition_summary(corpus: CorpusLike) -> dict[str, pd.DataFrame]:
    """The map step of the overview on one partition (a :class:`~framelens.Corpus`): ``documents``
    (its documents' rows, no text, with ``n_headings``, ``n_removed``, ``removed_characters``),
    ``audit_counts``, ``totals`` (one row) and the row tables ``headings`` and ``audit``."""
    d = corpus.documents
    out = text_counts(corpus.paragraphs, corpus.sentences, len(corpus.tokens), corpus.audit,
                      d["doc_id"].astype(str).tolist())
    per = out.pop("per_document")
    out["documents"] = with_counts(d, per)
    out["totals"].insert(0, "documents", len(d))
    return out


def with_counts(documents: pd.DataFrame, per_document: pd.DataFrame) -> pd.DataFrame:
    """``documents`` with the per-document counts of :func:`text_counts` (rows in the same order)."""
    out = documents.reset_index(drop=True).copy()
    for c in ("n_headings", "n_removed", "removed_characters"):
        out[c] = per_document[c].astype(int).to_numpy()
    return out


class CorpusSummary(UnitNames):
    """A corpus as the overview sees it, without its text: ``documents`` (one row per document,
    with its lengths, headings and removed spans), ``audit_counts`` (spans and characters per
    document and rule), ``totals`` (documents, paragraphs, sentences, tokens, audit spans and
    characters), the loader's ``warnings``; ``sources``, ``labels``, ``colors`` as on a corpus.
    The headings and removed spans (text) are read a few at a time with :meth:`rows`."""
    def __init__(self, documents: pd.DataFrame, audit_counts: pd.DataFrame, totals: dict[str, int], *,
                 warnings: Iterable[str] = (), all_sources: Sequence[str] = (), rows: dict[str, Any] | None = None,
                 path=None):
        self.documents = documents.reset_index(drop=True)
        self.audit_counts = audit_counts.reset_index(drop=True)
        self.totals = {k: int(totals.get(k, 0)) for k in TOTALS}
        self.warnings = list(warnings)
        self.all_sources = list(all_sources) or list(dict.fromkeys(self.documents["source"].tolist()))
        self._rows = rows or {}
        self.path = path

    def rows(self, table: str, *, limit: int | None = None) -> pd.DataFrame:
        """Row table ``headings`` or ``audit``, partition by partition, stopping after ``limit`` rows."""
        frames, n = [], 0
        for df in self._rows.get(table, lambda: iter(()))():
            if limit is not None:
                df = df.head(limit - n)
            frames.append(df.reset_index(drop=True))
            n += len(df)
            if limit is not None and n >= limit:
                break
        cols = {"headings": ["doc_id", "para_id", "text"], "audit": ["doc_id", "rule", "line", "text"]}[table]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)

    def __len__(self) -> int:
        return len(self.documents)

    def __eq__(self, other) -> bool:  # the same summary, whatever the partitioning
        return (isinstance(other, CorpusSummary) and self.totals == other.totals and self.warnings == other.warnings
                and self.documents.equals(other.documents) and self.audit_counts.equals(other.audit_counts))

    def _repr_markdown_(self) -> str:
        import html

        d, t = self.documents, self.totals
        where = html.escape(self.path.name if self.path is not None else "corpus")
        return (f"**Corpus** `{where}`: {len(d):,} article{'s' if len(d) != 1 else ''} from "
                f"{len(self.sources):,} source{'s' if len(self.sources) != 1 else ''} · "
                f"{t['sentences']:,} sentences · {int(d['n_words'].sum()):,} words after cleaning")


def merge_summaries(partials: Sequence[dict[str, pd.DataFrame]], **kw) -> CorpusSummary:
    """The reduce: partition summaries (:func:`partition_summary`, in corpus order) concatenated
    and summed. ``kw``: ``warnings``, ``all_sources``, ``rows``, ``path`` (see :class:`CorpusSummary`)."""
    docs = concat_frames([p["documents"] for p in partials if "documents" in p])
    ac = [p["audit_counts"] for p in partials if "audit_counts" in p and len(p["audit_counts"])]
    audit_counts = (pd.concat(ac, ignore_index=True) if ac
                    else pd.DataFrame(columns=["doc_id", "rule", "spans", "characters"]))
    totals = {k: sum(int(p["totals"][k].sum()) for p in partials if "totals" in p) for k in TOTALS}
    return CorpusSummary(docs, audit_counts, totals, **kw)


def summary_tables(summary: CorpusSummary) -> dict[str, pd.DataFrame]:
    """The stored form of a summary's reduced tables (the lens store's ``overview`` part)."""
    return {"documents": summary.documents, "audit_counts": summary.audit_counts,
            "totals": pd.DataFrame([summary.totals])}


def from_store(lens) -> CorpusSummary:
    """The overview of the corpus a notebook reads (a :class:`~framelens.store.lens_store.LensStore`): its
    ``overview`` part, computed as map steps over the stored partitions on first use."""
    tables = lens.part("overview")
    view = lens.view_corpus

    def reader(name: str):
        def parts() -> Iterator[pd.DataFrame]:

            entry = tables.manifest["tables"][name]
            if "parts" not in entry:
                yield tables[name]
                return
            yield from read_parts([(tables.folder / e["file"], e) for e in entry["parts"]])
        return parts

    totals = tables["totals"].iloc[0].to_dict() if len(tables["totals"]) else {}
    return CorpusSummary(tables["documents"], tables["audit_counts"], totals, warnings=view.warnings,
                         all_sources=view.all_sources, rows={t: reader(t) for t in SUMMARY_ROWS},
                         path=lens.corpus_path)


def map_check(task: tuple) -> dict:
    """A map step of :func:`check`: clean, segment and tokenize one batch of documents (as the
    ingest does) and keep only its counts (:func:`text_counts`, without the row tables) and the
    per-document facts."""
    args, stop = task
    res = C.process_chunk(args, stop, collocations=False)
    ids = [a[0] for a in args]
    out = text_counts(res["paragraphs"], res["sentences"], len(res["tokens"].tokens), res["audit"], ids)
    for t in SUMMARY_ROWS:
        del out[t]
    out["docs"] = res["docs"]
    del res
    release_memory()
    return out


def check(path, *, batch_documents: int | None = None, engine: Any = None, workers: int = 1,
          text_column: str = "text") -> CorpusSummary:
    """``framelens check``: read the corpus at ``path`` in batches (:func:`framelens.store.ingest.read_batches`),
    map each batch to its summary (:func:`map_check`, on ``engine``), and merge them
    (:func:`merge_summaries`): the same summary as the lens store's ``overview`` part, for any
    batch size, without holding more than a batch of text. Bad input raises
    :class:`~framelens.errors.FramelensError`; warnings are in the summary."""
    from pathlib import Path


    warn: list[str] = []
    stop = tok.load_stopwords(None)
    metas: list = []
    path = Path(path).expanduser()

    def tasks():
        for raw in read_batches(path, text_column=text_column, batch_documents=batch_documents or PARTITION_DOCUMENTS,
                                warn=warn):
            meta_rows, args = C.prepare_batch(raw, warn)
            metas.append(meta_rows)
            yield (args, stop)

    eng = get_engine(engine, workers=workers)
    partials = []
    try:
        for k, res in enumerate(eng.imap(map_check, tasks(), label="check")):
            docs = C.documents_frame(C.document_rows(metas[k], res.pop("docs"), warn))
            metas[k] = None
            res["documents"] = with_counts(docs, res.pop("per_document"))
            res["totals"].insert(0, "documents", len(docs))
            partials.append(res)
    finally:
        if eng is not engine:
            eng.close()
    if not partials:
        raise fail(path, "no documents")
    summary = merge_summaries(partials, path=path)
    summary.documents["label"] = C.unit_labels(summary.documents, "source")
    C.corpus_warnings(summary.documents, path, warn)
    summary.warnings = list(dict.fromkeys(warn))
    summary.all_sources = summary.sources
    return summary
