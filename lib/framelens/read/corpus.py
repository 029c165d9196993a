"""Loading any corpus into one :class:`Corpus` of tidy tables.

``load_corpus(path)`` accepts

(a) a folder with a ``sources.csv`` manifest (columns ``id`` and ``file`` required; ``source``,
    ``outlet``, ``title``, ``author``, ``published``, ``url``, ``genre``, ``event``, ``notes``
    optional; any other column is kept as metadata, with a warning),
(b) a folder of ``.txt`` files without a manifest (id = file stem),
(c) a ``.csv`` or ``.jsonl`` file with a ``text`` column and optional metadata columns.

Every document then goes through the same per-document steps (a pure function of one
document, so large corpora can be processed in a pool): cleaning with an audit trail
(:mod:`framelens.text.cleaning`), paragraphs and headings, sentence splitting
(:mod:`framelens.text.sentences`), and tokenization with lemmas, stopwords and multi-word terms
(:mod:`framelens.text.tokens`).

Scale: documents are processed in chunks (:data:`CHUNK_DOCUMENTS`; :func:`process_chunk`, a
pure function of its documents, in a process pool with ``workers > 1``), so no corpus-wide list
of Python objects is ever built; the corpus-wide proper-name collocations are decided from
counts merged over the chunks (two passes: word counts, then pair counts of candidate words),
then each chunk's terms are built. Offsets are int32; the id columns of ``tokens`` and ``terms``
are categoricals and their strings are shared objects (10 million tokens ≈ 0.5 GB).

A loaded corpus is kept as Parquet in the lens store (:mod:`framelens.store.lens_store`), so the report
runner loads it once and every notebook reads it back.

Bad input raises :class:`~framelens.errors.FramelensError` with a one-line message naming the
file (and the line where it helps). Input files are only read, never written.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol, Sequence

import numpy as np
import pandas as pd

from framelens.text import cleaning, sentences as sentsplit, tokens as tok
from framelens.errors import FramelensError, FramelensWarning, fail
from framelens.text.tokens import release_memory
from framelens.core.palette import Palette, source_colors, UnitMap, Units
from framelens.read.files import DOCUMENTED_METADATA, DOC_COLUMNS, ID_RE, JSON_TYPES, KNOWN_COLUMNS, MANIFEST, MAX_ID_CHARS, REQUIRED_MANIFEST_COLUMNS, RESERVED_COLUMNS, _parse_date, check_id, check_reserved_columns, detect_encoding, docs_from_folder, docs_from_manifest, input_files, read_text_file, warn_unknown_columns  # noqa: F401  (moved; re-exported)
from framelens.core.engine import pool as make_pool
from framelens.read.stream import read_batches

PARA_COLUMNS = ["para_id", "doc_id", "source", "para_index", "kind", "heading", "text", "norm", "line"]
SENT_COLUMNS = [
    "sent_id", "doc_id", "source", "para_id", "sent_index", "position", "heading", "text", "norm", "n_words",
]
AUDIT_COLUMNS = ["doc_id", "rule", "line", "text"]
ENGLISH_WARNING_THRESHOLD = 0.5


# --------------------------------------------------------------------------------------------
# The Corpus
# --------------------------------------------------------------------------------------------
class CorpusLike(Protocol):
    """What every lens function needs of a corpus (a :class:`Corpus`, or one read from the lens
    store): its tidy tables and its sources with their display names."""
    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    terms: pd.DataFrame
    audit: pd.DataFrame
    stopwords: frozenset

    @property
    def sources(self) -> list[str]: ...

    @property
    def labels(self) -> dict[str, str]: ...

    def label(self, source: str) -> str: ...

    def evidence(self, sent_ids: Iterable[str]) -> pd.DataFrame: ...


class UnitNames:
    """The units of a table of ``documents`` (``source``, ``label``) and of ``all_sources``: their
    ids in document order, display names and colours — shared by :class:`Corpus` and the
    overview's text-free summary."""
    documents: pd.DataFrame
    all_sources: list

    @property
    def palette(self) -> Palette:
        """Colours by position in the whole loaded corpus (``all_sources``), sizes (sentences) for
        the top N of a figure: computed once per set of units, held here (see :mod:`framelens.core.palette`)."""
        held = self.__dict__.get("_palette")  # (units, documents table, palette)
        if held is None or held[1] is not self.documents or held[0] != tuple(self.all_sources):
            d = self.documents
            if not len(d):
                weights = {}
            elif "n_sentences" in d.columns:
                weights = d.groupby("source", sort=False)["n_sentences"].sum()
            else:
                weights = d.groupby("source", sort=False).size()
            pal = Palette(self.all_sources, {s: float(w) for s, w in dict(weights).items()})
            held = self.__dict__["_palette"] = (tuple(self.all_sources), d, pal)
        return held[2]

    @property
    def colors(self) -> dict[str, str]:
        """One colour per source, fixed over the whole loaded corpus (so a selection keeps its colours)."""
        return UnitMap(source_colors(self.all_sources, self.palette), self.palette)

    @property
    def sources(self) -> list[str]:
        """Source ids in document order (each once), carrying the corpus's :attr:`palette`."""
        return Units(dict.fromkeys(self.documents["source"].tolist()), self.palette)

    @property
    def labels(self) -> dict[str, str]:
        """Display name (outlet) of each source, carrying the corpus's :attr:`palette`."""
        first = self.documents.drop_duplicates("source")
        return UnitMap(dict(zip(first["source"], first["label"])), self.palette)

    def label(self, source: str) -> str:
        return self.labels.get(source, source)


@dataclass
class Corpus(UnitNames):
    """A loaded corpus: tidy tables keyed by ``doc_id`` / ``para_id`` / ``sent_id``.

    ``documents``, ``paragraphs``, ``sentences`` (body sentences only; titles and headings are
    structure), ``tokens`` (one row per token), ``terms`` (words with multi-word names merged,
    the unit of vocabulary counts) and ``audit`` (every span the cleaner removed, with its rule).
    ``source`` is the comparison unit; a source may hold several documents.
    """
    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    terms: pd.DataFrame
    audit: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None
    stopwords: frozenset = frozenset()
    phrases: list = field(default_factory=list)
    all_sources: list = field(default_factory=list)
    unit: str = "source"  # the comparison unit: "source", or the column given to :meth:`by`
    left_out: list = field(default_factory=list)  # doc ids without a value of ``unit`` (see :meth:`by`)

    def __post_init__(self):
        if not self.all_sources:
            self.all_sources = list(dict.fromkeys(self.documents["source"].tolist()))

    def lens_cache(self, name: str) -> dict:
        """A cache the lenses keep on this corpus (its cue matches, marker hits, POS tags, resolved
        actor table, reuse results), made on first use. It lives and dies with the corpus, is never
        pickled, and :meth:`release_caches` empties it (a worker mapping many partitions releases
        each one's before the next)."""
        return self.__dict__.setdefault("_lens_caches", {}).setdefault(name, {})

    def release_caches(self) -> None:
        """Forget everything the lenses cached on this corpus (see :meth:`lens_cache`)."""
        self.__dict__.pop("_lens_caches", None)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_lens_caches", None)  # caches stay in their process
        return state

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def text_loaded(self) -> bool:
        """False for a documents-only view (:func:`documents_only`): its text tables are empty and
        its sizes come from the documents table."""
        return len(self.sentences) > 0 or "n_sentences" not in self.documents.columns \
            or int(self.documents["n_sentences"].sum()) == 0

    @property
    def n_sentences(self) -> int:
        """Sentences analysed, also for a documents-only view."""
        return len(self.sentences) if self.text_loaded else int(self.documents["n_sentences"].sum())

    def __repr__(self) -> str:
        if not self.text_loaded:
            return (f"<Corpus {len(self.documents)} documents, {len(self.sources)} sources, "
                    f"{self.n_sentences} sentences (documents only: the text stays in the lens store)>")
        return (
            f"<Corpus {len(self.documents)} documents, {len(self.sources)} sources, "
            f"{len(self.sentences)} sentences, {len(self.tokens)} tokens>"
        )

    def _repr_markdown_(self) -> str:
        import html

        d = self.documents
        where = html.escape(self.path.name if self.path is not None else "memory")
        return (f"**Corpus** `{where}`: {len(d):,} article{'s' if len(d) != 1 else ''} from "
                f"{len(self.sources):,} source{'s' if len(self.sources) != 1 else ''} · "
                f"{self.n_sentences:,} sentences · {int(d['n_words'].sum()):,} words after cleaning")

    def evidence(self, sent_ids: Iterable[str]) -> pd.DataFrame:
        """The sentences behind a number: ``sent_id, doc_id, source, label, text``, in the order given."""
        ids = [s for s in dict.fromkeys(sent_ids)]
        s = self.sentences.set_index("sent_id")
        missing = [i for i in ids if i not in s.index]
        if missing:
            raise FramelensError(f"evidence: unknown sent_id {missing[0]!r}")
        out = s.loc[ids, ["doc_id", "source", "text"]].reset_index()
        out.insert(3, "label", out["source"].map(self.labels))
        return out

    def select(self, sources: Sequence[str] | None) -> "Corpus":
        """A corpus restricted to ``sources`` (ids); an empty selection means all sources."""
        if not sources:
            return self
        if isinstance(sources, str):
            sources = [sources]
        unknown = [s for s in sources if s not in self.sources]
        if unknown:
            have = self.sources
            listed = ", ".join(have[:12]) + (f", ... ({len(have) - 12} more)" if len(have) > 12 else "")
            raise FramelensError(f"sources: unknown source {unknown[0]!r} (available: {listed})")
        keep = set(sources)

        def f(df):
            if _is_lazy(df):  # a table not read yet from the lens store: restrict when read
                return df.restricted(sorted(keep))
            return _restrict(df)

        def _restrict(df: pd.DataFrame) -> pd.DataFrame:
            if "source" in df.columns:
                out = df[df["source"].isin(keep)].reset_index(drop=True)
            else:
                out = df[df["doc_id"].isin(set(self.documents.loc[self.documents["source"].isin(keep), "doc_id"]))]
            for c in out.columns:  # categorical ids (tokens, terms): only the selected values remain
                if isinstance(out[c].dtype, pd.CategoricalDtype):
                    out[c] = out[c].cat.remove_unused_categories()
            return out

        return Corpus(
            documents=f(self.documents), paragraphs=f(self.paragraphs), sentences=f(self.sentences),
            tokens=f(self.__dict__["_tokens"]), terms=f(self.__dict__["_terms"]),
            audit=f(self.audit).reset_index(drop=True),
            warnings=list(self.warnings), path=self.path, stopwords=self.stopwords, phrases=self.phrases,
            all_sources=list(self.all_sources),
        )

    def by(self, column: str | None) -> "Corpus":
        """The same corpus compared by another unit: ``source`` in every table becomes the value of
        ``column`` for each document — a manifest column (``outlet``, ``genre``, your own
        ``group``) or a period derived from ``published`` (``day``, ``week``, ``month``, ``year``;
        see :func:`period_values`). ``None``, ``""`` or ``"source"``: this corpus.

        Articles with an empty value are left out, counted in ``corpus.left_out`` and named in a
        warning (kept in ``corpus.warnings``), never dropped silently. Units are named as
        :func:`unit_labels` says (a unit grouping several outlets by its value).
        """
        if not column or column == "source":
            return self
        values = unit_values(self.documents, column)
        docs = self.documents.assign(source_original=self.documents["source"], source=values)
        keep = values != ""
        left = docs.loc[~keep, "doc_id"].astype(str).tolist()
        if len(docs) and not keep.any():
            what = (f"a usable publication date for a {column} (published: YYYY-MM-DD"
                    + (", or YYYY-MM" if column in ("month", "year") else "") + (", or YYYY" if column == "year" else "")
                    + ")") if column in PERIODS else f"a {column} value"
            raise FramelensError(f"by {column}: no article has {what}; nothing to compare")
        docs = docs[keep].reset_index(drop=True)
        if column in PERIODS:  # periods in time order
            docs = docs.sort_values("source", kind="stable").reset_index(drop=True)
        docs["label"] = unit_labels(docs, "source")
        unit_of = dict(zip(docs["doc_id"].astype(str), docs["source"]))
        warns = list(self.warnings)
        if left:
            shown = ", ".join(left[:5]) + (f", … ({len(left)} in all)" if len(left) > 5 else "")
            warns.append(f"by {column}: {len(left)} of {len(self.documents)} articles have no {column} value and "
                         f"are left out of the comparison ({shown})")

        def f(df):
            if _is_lazy(df):
                return df.remapped(unit_of)
            return remap_units(df, unit_of)

        units = list(dict.fromkeys(docs["source"].tolist()))
        out = Corpus(
            documents=docs, paragraphs=f(self.paragraphs), sentences=f(self.sentences),
            tokens=f(self.__dict__["_tokens"]), terms=f(self.__dict__["_terms"]), audit=f(self.audit),
            warnings=warns, path=self.path, stopwords=self.stopwords, phrases=self.phrases, all_sources=units,
        )
        out.unit = column
        out.left_out = left
        return out


def _is_lazy(value) -> bool:
    return not isinstance(value, pd.DataFrame) and callable(getattr(value, "restricted", None))


def _lazy_table(name: str) -> property:
    """``Corpus.tokens`` / ``Corpus.terms``: a DataFrame, or a loader (from the lens store) that
    is called the first time the table is used. A corpus read from the store for a report that
    only shows stored tables never reads its token table."""
    attr = f"_{name}"

    def get(self):
        value = self.__dict__.get(attr)
        if _is_lazy(value):
            value = value()
            self.__dict__[attr] = value
        return value

    def put(self, value) -> None:
        self.__dict__[attr] = value

    return property(get, put, doc=f"The {name} table (read from the lens store when first used).")


Corpus.tokens = _lazy_table("tokens")  # type: ignore[assignment]
Corpus.terms = _lazy_table("terms")  # type: ignore[assignment]


#: periods a corpus can be compared by (derived from ``published``)
PERIODS = ("day", "week", "month", "year")


def period_values(documents: pd.DataFrame, period: str) -> pd.Series:
    """Each document's publication period as text: ``day`` 2025-06-16, ``week`` 2025-W25 (ISO
    week), ``month`` 2025-06, ``year`` 2025. A date known only to the month has no day or week,
    one known only to the year has no month: those, and undated articles, get ``""``."""
    if period not in PERIODS:
        raise FramelensError(f"by: {period!r} is not a period ({', '.join(PERIODS)})")
    ts = pd.to_datetime(documents["published"])
    prec = documents.get("published_precision", pd.Series("day", index=documents.index)).fillna("day").astype(str)
    rank = {"day": 3, "month": 2, "year": 1}
    need = {"day": 3, "week": 3, "month": 2, "year": 1}[period]
    ok = ts.notna() & prec.map(lambda p: rank.get(p, 3) >= need)
    out = pd.Series("", index=documents.index, dtype=object)
    if ok.any():
        t = ts[ok]
        if period == "day":
            out[ok] = t.dt.strftime("%Y-%m-%d")
        elif period == "month":
            out[ok] = t.dt.strftime("%Y-%m")
        elif period == "year":
            out[ok] = t.dt.strftime("%Y")
        else:
            iso = t.dt.isocalendar()
            out[ok] = [f"{y:04d}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    return out


def unit_values(documents: pd.DataFrame, column: str) -> pd.Series:
    """The comparison unit of each document for :meth:`Corpus.by` (text; ``""`` when empty)."""
    if column in documents.columns and column not in ("published", "published_precision"):
        v = documents[column]
        return pd.Series(["" if (x is None or (isinstance(x, float) and x != x) or pd.isna(x)) else str(x).strip()
                          for x in v.tolist()], index=documents.index, dtype=object)
    if column in PERIODS:
        return period_values(documents, column)
    usable = [c for c in documents.columns if c not in ("doc_id", "label", "published", "published_precision",
                                                          "n_paragraphs", "n_sentences", "n_words", "english_share",
                                                          "file", "source_original")]
    raise FramelensError(f"by: no column {column!r} in the corpus (compare by one of: "
                         f"{', '.join(usable + list(PERIODS))})")


def remap_units(df: pd.DataFrame, unit_of: dict) -> pd.DataFrame:
    """Keep the rows of documents that have a unit, with ``source`` set to that unit."""
    if "doc_id" not in df.columns:
        return df
    ids = df["doc_id"].astype(str) if not isinstance(df["doc_id"].dtype, pd.CategoricalDtype) else df["doc_id"]
    keep = ids.astype(str).isin(set(unit_of))
    out = df[keep.to_numpy()].reset_index(drop=True)
    if "source" in out.columns:
        mapped = out["doc_id"].astype(str).map(unit_of)
        if isinstance(out["source"].dtype, pd.CategoricalDtype):
            mapped = mapped.astype("category")
            mapped = mapped.cat.reorder_categories(sorted(mapped.cat.categories))
        out["source"] = mapped.to_numpy() if not isinstance(mapped.dtype, pd.CategoricalDtype) else mapped
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].cat.remove_unused_categories()
    return out


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def unit_labels(documents: pd.DataFrame, unit: str = "source") -> pd.Series:
    """The display name of each document's comparison unit (one value per row of ``documents``).

    A unit is named by its ``source_label`` (manifest column, for the unit ``source``) when given.
    Otherwise by the outlet when the unit *is* that outlet: all its documents carry the same
    outlet, and — when some unit of the corpus groups several outlets, so units are groups — the
    unit is a single article (its id is the document's id) or its id spells the outlet (``cgtn`` /
    "CGTN", ``astana_times`` / "The Astana Times"). Otherwise the unit is named by its own value: a
    group such as ``left_bias`` is never named after one of its outlets, nor is ``right_bias``
    when the sample holds a single outlet of that group.
    """
    ids = documents[unit].astype(str)
    names: dict[str, str] = {}
    has_label = unit == "source" and "source_label" in documents.columns
    outlets = documents["outlet"].fillna("").astype(str).str.strip() if "outlet" in documents.columns else None
    doc_ids = documents["doc_id"].astype(str) if "doc_id" in documents.columns else None
    groups = ids.groupby(ids, sort=False).groups
    grouping = outlets is not None and any(outlets.loc[idx].nunique() > 1 for idx in groups.values())
    for value, idx in groups.items():
        name = ""
        if has_label:
            given = [str(v).strip() for v in documents.loc[idx, "source_label"].tolist()
                     if isinstance(v, str) and v.strip()]
            name = given[0] if given else ""
        if not name and outlets is not None:
            distinct = set(outlets.loc[idx])
            if len(distinct) == 1 and "" not in distinct:
                outlet = next(iter(distinct))
                single = doc_ids is not None and len(idx) == 1 and doc_ids.loc[idx[0]] == value
                a, b = _squash(value), _squash(outlet)
                spelled = bool(a) and bool(b) and (a == b or (min(len(a), len(b)) >= 3 and (a in b or b in a)))
                if not grouping or single or spelled:
                    name = outlet
        names[value] = name or value
    return ids.map(disambiguate_labels(names))


def disambiguate_labels(names: dict[str, str]) -> dict[str, str]:
    """Unit id → display name, with names shared by several units made unique by their id
    (two sources both called "Reuters" become "Reuters (d0)" and "Reuters (d1)"). Units are
    keyed by id everywhere; a display name is only a label, but tables and figures index by it."""
    count: dict[str, int] = {}
    for name in names.values():
        count[name] = count.get(name, 0) + 1
    out = {value: (f"{name} ({value})" if count[name] > 1 and name != value else name)
           for value, name in names.items()}
    taken = set()
    for value in sorted(out, key=lambda v: out[v] != v):  # a unit named by its own id keeps it
        label, k = out[value], 2
        while label in taken:
            label, k = f"{out[value]} ({k})", k + 1
        taken.add(label)
        out[value] = label
    return out


# Per-document processing (a pure function of one document), done in chunks of documents
# --------------------------------------------------------------------------------------------
#: Documents per chunk: the unit of work of the loader (and of its process pool). Everything a
#: chunk needs is in its arguments; the corpus-wide collocation decision merges per-chunk counts.
CHUNK_DOCUMENTS = 1000
#: Below this many documents ``workers=None`` means one process (a pool costs more than it saves).
POOL_MIN_DOCUMENTS = 2000
LOAD_STAGES = ("reading", "cleaning", "splitting", "tokenizing", "tables", "collocations", "terms", "assembling")


def process_document(doc_id: str, source: str, raw: str, title: str | None = None, author: str | None = None,
                     *, timings: dict[str, float] | None = None) -> dict:
    """Clean, structure and split one document. Returns plain lists (picklable, mergeable).

    ``timings`` (optional) accumulates the seconds spent in ``cleaning`` and ``splitting``.
    """
    t0 = time.perf_counter()
    cleaned = cleaning.clean_text(raw, title=title or None, author=author or None)
    body = "\n".join(b.text for b in cleaned.blocks if b.kind != "title")
    english = cleaning.english_share(body) if body.strip() else 1.0
    latin = cleaning.latin_share(body)
    t1 = time.perf_counter()
    paras, sents, audit = [], [], []
    for r in cleaned.removed:
        audit.append((doc_id, r.rule, r.line, r.text))
    heading = ""
    k = not_analysed = 0
    normalize = cleaning.normalize
    for block in cleaned.blocks:
        if block.kind == "title":
            continue
        para_id = f"{doc_id}:p{k}"
        if block.kind == "heading":
            heading = block.text
            paras.append((para_id, doc_id, source, k, "heading", block.text, block.text, normalize(block.text), block.line))
            k += 1
            continue
        paras.append((para_id, doc_id, source, k, "body", heading, block.text, normalize(block.text), block.line))
        k += 1
        if cleaning.latin_share(block.text) < 0.5:  # not English: kept for reading, not analysed
            not_analysed += 1
            continue
        for s, e in sentsplit.split_sentences(block.text):
            text = block.text[s:e]
            sents.append((doc_id, source, para_id, heading, text, normalize(text)))
    n = len(sents)
    rows = [(f"{doc_id}:s{i}", did, src, pid, i, (i / (n - 1)) if n > 1 else 0.0, head, text, norm)
            for i, (did, src, pid, head, text, norm) in enumerate(sents)]
    if timings is not None:
        timings["cleaning"] = timings.get("cleaning", 0.0) + (t1 - t0)
        timings["splitting"] = timings.get("splitting", 0.0) + (time.perf_counter() - t1)
    return {
        "title": cleaned.title or "",
        "paragraphs": paras,
        "sentences": rows,
        "audit": audit,
        "english_share": english,
        "latin_share": latin,
        "n_raw_words": len(body.split()),
        "n_not_analysed": not_analysed,
        "cut_chars": sum(r.end - r.start for r in cleaned.removed if r.rule == "too_long"),
    }


def _int32(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for c in columns:
        df[c] = df[c].astype(np.int32)
    return df


def process_chunk(args: Sequence[tuple], stopwords: frozenset[str], *, collocations: bool = True) -> dict:
    """Everything per-document for a chunk of documents (a pure function: run it in a pool).

    ``args``: ``(doc_id, source, raw, title, author)`` per document. Returns the chunk's
    ``paragraphs``, ``sentences`` (with ``n_words``), ``audit`` and ``tokens`` tables, per-document
    facts (``docs``), the mergeable collocation counts (``counts``, if ``collocations``) and the
    seconds per stage (``timings``).
    """
    timings: dict[str, float] = {}
    paras: list[tuple] = []
    sents: list[tuple] = []
    audit: list[tuple] = []
    docs = []
    for a in args:
        res = process_document(*a, timings=timings)
        paras.extend(res["paragraphs"])
        sents.extend(res["sentences"])
        audit.extend(res["audit"])
        docs.append({
            "title": res["title"], "english_share": res["english_share"], "latin_share": res["latin_share"],
            "n_raw_words": res["n_raw_words"], "n_sentences": len(res["sentences"]),
            "n_paragraphs": sum(1 for p in res["paragraphs"] if p[4] == "body"),
            "n_not_analysed": res["n_not_analysed"], "cut_chars": res["cut_chars"],
        })
    t = time.perf_counter()
    paragraphs = _int32(pd.DataFrame(paras, columns=PARA_COLUMNS), ["para_index"])
    sentences = _int32(pd.DataFrame(sents, columns=SENT_COLUMNS[:-1]), ["sent_index"])
    audit_df = pd.DataFrame(audit, columns=AUDIT_COLUMNS)
    del paras, sents, audit
    t2 = time.perf_counter()
    chunk = tok._token_chunk(sentences, stopwords)
    t3 = time.perf_counter()
    # words per sentence, and per document
    row = np.repeat(np.arange(len(sentences), dtype=np.int64), chunk.counts)
    words = np.bincount(row[chunk.tokens["is_word"].to_numpy(dtype=bool)], minlength=len(sentences))
    sentences["n_words"] = words.astype(np.int32)
    pos = 0
    for d in docs:
        d["n_words"] = int(words[pos:pos + d["n_sentences"]].sum())
        pos += d["n_sentences"]
    counts = tok.CollocationCounts.from_tokens(chunk.tokens) if collocations else None
    t4 = time.perf_counter()
    timings["tables"] = (t2 - t) + (t4 - t3)
    timings["tokenizing"] = t3 - t2
    return {"paragraphs": paragraphs, "sentences": sentences, "audit": audit_df, "tokens": chunk,
            "docs": docs, "counts": counts, "timings": timings}


def _process_chunk_args(a):
    out = process_chunk(*a[:2], collocations=a[2])
    release_memory()  # a pool worker keeps running: hand its chunk's scratch memory back
    return out


def _warm_up() -> None:
    """Load the lemma dictionary before forking, so the workers inherit it."""
    tok.lemmatize("tests")


def _chunk_size(n_docs: int, workers: int) -> int:
    if workers <= 1:
        return CHUNK_DOCUMENTS
    return max(1, min(CHUNK_DOCUMENTS, math.ceil(n_docs / (workers * 4))))


def _run_chunks(args: list[tuple], stop: frozenset[str], collocations: bool, workers: int) -> list[dict]:
    size = _chunk_size(len(args), workers)
    chunks = [args[a:a + size] for a in range(0, len(args), size)]
    if workers > 1 and len(chunks) > 1:
        import multiprocessing as mp

        _warm_up()
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        out = []

        with make_pool(min(workers, len(chunks)), ctx) as pool:
            for res in pool.map(_process_chunk_args, [(c, stop, collocations) for c in chunks]):
                out.append(res)
                release_memory()  # unpickling leaves scratch memory behind: hand it back
        return out
    return [process_chunk(c, stop, collocations=collocations) for c in chunks]


def load_corpus(
    path: str | Path,
    *,
    text_column: str = "text",
    stopwords: str | Path | None = None,
    phrases: str | Path | None = None,
    collocations: bool = True,
    workers: int | None = None,
    timings: dict[str, float] | None = None,
) -> Corpus:
    """Load a corpus from a folder (with or without ``sources.csv``) or a ``.csv`` / ``.jsonl`` file.

    ``stopwords`` and ``phrases`` replace the packaged lists (``data/stopwords.txt``,
    ``data/phrases.toml``). ``collocations`` also merges statistically detected proper-name
    bigrams into single terms. Documents are processed in chunks of :data:`CHUNK_DOCUMENTS`;
    ``workers > 1`` runs the chunks in a process pool (``None``: one process below
    :data:`POOL_MIN_DOCUMENTS` documents, else up to 4).
    A loaded corpus is kept, with every lens table, in the lens store (:mod:`framelens.store.lens_store`).
    ``timings`` (a dict) receives the seconds per stage (:data:`LOAD_STAGES`; for a pool, the
    per-document stages are summed over workers, ``pool_wall`` is the elapsed time).
    Warnings (one document, text that looks non-English, unknown manifest columns) are
    emitted as :class:`~framelens.errors.FramelensWarning` and kept in ``corpus.warnings``.
    """
    if path is None or str(path).strip() == "":
        raise FramelensError("corpus: no path given")
    path = Path(path).expanduser()
    if not path.exists():
        raise fail(path, "no such file or folder")
    times = timings if timings is not None else {}
    corpus = _load(path, text_column=text_column, stopwords=stopwords, phrases=phrases,
                   collocations=collocations, workers=workers, times=times)
    for w in corpus.warnings:
        warnings.warn(w, FramelensWarning, stacklevel=2)
    return corpus


def _load(path: Path, *, text_column: str, stopwords, phrases, collocations: bool, workers: int | None,
          times: dict[str, float]) -> Corpus:
    t_read = time.perf_counter()
    warn: list[str] = []
    # the reader the lens store's ingest uses (one reader of every input format, one set of messages)
    raw_docs = [d for batch in read_batches(path, text_column=text_column, warn=warn) for d in batch]

    stop = tok.load_stopwords(stopwords)
    phrase_list = tok.load_phrases(phrases)

    meta_rows, args = prepare_batch(raw_docs, warn)
    times["reading"] = time.perf_counter() - t_read
    if workers is None:
        workers = 1 if len(args) < POOL_MIN_DOCUMENTS else max(1, min(os.cpu_count() or 1, 4))
    t_pool = time.perf_counter()
    results = _run_chunks(args, stop, collocations, max(1, int(workers)))
    del args
    times["pool_wall" if workers > 1 else "chunks_wall"] = time.perf_counter() - t_pool
    for r in results:
        for k, v in r.pop("timings").items():
            times[k] = times.get(k, 0.0) + v
    big = sum(len(r["tokens"].tokens) for r in results) > 200_000
    if big:
        release_memory()

    # corpus-wide collocations from the merged per-chunk counts, then the terms of each chunk
    t = time.perf_counter()
    if collocations and any(len(r["sentences"]) for r in results):
        counts = tok.CollocationCounts.merge(r["counts"] for r in results)
        proper = counts.proper_words(stop)
        pairs: Counter = Counter()
        for r in results:
            pairs.update(tok.pair_counts(r["tokens"].tokens, proper))
        extra = tok.decide_collocations(counts, pairs)
        phrase_list_all = tok.merge_phrases(phrase_list, extra)
    else:
        phrase_list_all = list(phrase_list)
    rx = tok.phrase_regex(phrase_list_all)
    t2 = time.perf_counter()
    terms_parts = [tok._term_chunk(r["sentences"], r["tokens"], rx, stop) for r in results]
    t3 = time.perf_counter()
    times["collocations"] = times.get("collocations", 0.0) + (t2 - t)
    times["terms"] = times.get("terms", 0.0) + (t3 - t2)

    docs_info = [d for r in results for d in r["docs"]]
    paragraphs = tok.concat_tables([r.pop("paragraphs") for r in results], PARA_COLUMNS)
    sentences = tok.concat_tables([r.pop("sentences") for r in results], SENT_COLUMNS)
    audit = tok.concat_tables([r.pop("audit") for r in results], AUDIT_COLUMNS)
    tokens = tok.concat_tables([r.pop("tokens").tokens for r in results], tok.TOKEN_COLUMNS)
    del results
    if big:
        release_memory()
    terms = tok.concat_tables(terms_parts, tok.TERM_COLUMNS)
    if big:
        release_memory()

    documents = documents_frame(document_rows(meta_rows, docs_info, warn))
    documents["label"] = unit_labels(documents, "source")
    corpus_warnings(documents, path, warn)
    times["assembling"] = time.perf_counter() - t3
    return Corpus(
        documents=documents, paragraphs=paragraphs, sentences=sentences, tokens=tokens, terms=terms,
        audit=audit, warnings=warn, path=path, stopwords=stop, phrases=phrase_list,
    )


# Per-batch helpers shared by :func:`load_corpus` and the streaming ingest (:mod:`framelens.store.ingest`)
# --------------------------------------------------------------------------------------------
def prepare_batch(raw_docs: list[dict], warn: list[str]) -> tuple[list[tuple], list[tuple]]:
    """Raw documents (as the readers give them) → ``(meta_rows, args)``: per document its
    metadata, source and parsed date, and the ``(doc_id, source, raw, title, author)`` tuple
    :func:`process_chunk` takes. The text leaves the metadata (it lives on in ``args`` only)."""
    meta_rows = []
    for d in raw_docs:
        published, precision = _parse_date(str(d.get("published", "") or ""), display=d["_display"], line=d["_line"] or 0, warn=warn)
        source = sys.intern(str(d.get("source", "") or "").strip() or d["doc_id"])
        meta_rows.append((d, source, published, precision))
    args = [(d["doc_id"], source, d.pop("raw"), str(d.get("title", "") or ""), str(d.get("author", "") or ""))
            for d, source, _, _ in meta_rows]
    for d, _, _, _ in meta_rows:  # "text" is never metadata
        d.pop("text", None)
    return meta_rows, args


def document_rows(meta_rows: list[tuple], docs_info: list[dict], warn: list[str]) -> list[dict]:
    """One ``documents`` row per document from its metadata and what processing found; appends
    the per-document warnings (non-English text, no body sentence) to ``warn``."""
    doc_rows = []
    for (d, source, published, precision), res in zip(meta_rows, docs_info):
        title = str(d.get("title", "") or "").strip() or res["title"]
        outlet = str(d.get("outlet", "") or "").strip()
        extra_cols = {k: v for k, v in d.items() if k not in KNOWN_COLUMNS and not k.startswith("_") and k not in ("doc_id", "raw")}
        doc_rows.append({
            "doc_id": d["doc_id"], "source": source, "label": outlet or source, "title": title, "outlet": outlet,
            "author": str(d.get("author", "") or ""), "published": published, "published_precision": precision,
            "url": str(d.get("url", "") or ""), "genre": str(d.get("genre", "") or ""),
            "event": str(d.get("event", "") or ""), "notes": str(d.get("notes", "") or ""),
            "file": str(d.get("file", "") or ""), "english_share": round(float(res["english_share"]), 3),
            "n_paragraphs": res["n_paragraphs"], "n_sentences": res["n_sentences"], "n_words": res["n_words"],
            **({"source_label": str(d.get("source_label") or "").strip()} if "source_label" in d else {}),
            **extra_cols,
        })
        # short texts have too few function words to judge; non-Latin script is clear at any length
        if res["english_share"] < ENGLISH_WARNING_THRESHOLD and (res["n_raw_words"] >= 30 or res["latin_share"] < 0.5):
            warn.append(f"{d['_display']}: text of {d['doc_id']!r} does not look like English "
                        f"(English share {res['english_share']:.2f}); the lexicons are English-only")
        if res.get("n_not_analysed"):
            warn.append(f"{d['_display']}: {res['n_not_analysed']} paragraph(s) of {d['doc_id']!r} are not in "
                        "English (non-Latin script) and are not analysed: no sentence of them counts in any "
                        "report; they are shown on the article's page")
        if res.get("cut_chars"):
            warn.append(f"{d['_display']}: {d['doc_id']!r} is very long; only its first "
                        f"{cleaning.MAX_ARTICLE_CHARS:,} characters are analysed and {res['cut_chars']:,} are "
                        "left out: the reports lack the sentences, words, frames and shared passages of the rest, "
                        "and its page shows the analysed part")
        if not res["n_sentences"] and not res.get("n_not_analysed"):
            warn.append(f"{d['_display']}: no body sentences left in {d['doc_id']!r} after cleaning")
    return doc_rows


def documents_frame(doc_rows: list[dict]) -> pd.DataFrame:
    """The ``documents`` table of some document rows (labels are set over the whole corpus by
    the caller, with :func:`unit_labels`)."""
    documents = pd.DataFrame(doc_rows)
    documents["published"] = pd.to_datetime(documents["published"])
    for c in ("n_paragraphs", "n_sentences", "n_words"):
        documents[c] = documents[c].astype(int)
    cols = DOC_COLUMNS + [c for c in documents.columns if c not in DOC_COLUMNS]
    return documents[cols]


def corpus_warnings(documents: pd.DataFrame, path, warn: list[str]) -> None:
    """The corpus-wide warnings (one document; one source)."""
    if len(documents) == 1:
        warn.append(f"{path}: only one document; comparisons between sources need at least two")
    elif documents["source"].nunique() == 1:
        warn.append(f"{path}: all documents belong to one source; comparisons between sources need at least two")


def documents_only(documents: pd.DataFrame, *, all_sources=(), warnings=(), path: Path | None = None) -> Corpus:
    """A :class:`Corpus` of its ``documents`` table alone (every text table empty): enough to
    compare by another unit, select sources, order and name the units — without reading text."""
    def empty(cols):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})

    return Corpus(documents=documents, paragraphs=empty(PARA_COLUMNS), sentences=empty(SENT_COLUMNS),
                  tokens=empty(tok.TOKEN_COLUMNS), terms=empty(tok.TERM_COLUMNS), audit=empty(AUDIT_COLUMNS),
                  warnings=list(warnings), all_sources=list(all_sources), path=path)
