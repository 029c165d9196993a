"""Loading any corpus into one :class:`Corpus` of tidy tables.

``load_corpus(path)`` accepts

(a) a folder with a ``sources.csv`` manifest (columns ``id`` and ``file`` required; ``source``,
    ``outlet``, ``title``, ``author``, ``published``, ``url``, ``genre``, ``event``, ``notes``
    optional; any other column is kept as metadata, with a warning),
(b) a folder of ``.txt`` files without a manifest (id = file stem),
(c) a ``.csv`` or ``.jsonl`` file with a ``text`` column and optional metadata columns.

Every document then goes through the same per-document steps (a pure function of one
document, so large corpora can be processed in a pool): cleaning with an audit trail
(:mod:`framelens.cleaning`), paragraphs and headings, sentence splitting
(:mod:`framelens.sentences`), and tokenization with lemmas, stopwords and multi-word terms
(:mod:`framelens.tokens`).

Bad input raises :class:`~framelens.errors.FramelensError` with a one-line message naming the
file (and the line where it helps). Input files are only read, never written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from . import cleaning, sentences as sentsplit, tokens as tok
from .errors import FramelensError, FramelensWarning, fail
from .palette import register_sources

MANIFEST = "sources.csv"
REQUIRED_MANIFEST_COLUMNS = ("id", "file")
KNOWN_COLUMNS = (
    "id", "file", "source", "outlet", "title", "author", "published", "url", "genre", "event", "notes", "text",
    "language",
)
DOC_COLUMNS = [
    "doc_id", "source", "label", "title", "outlet", "author", "published", "published_precision", "url",
    "genre", "event", "notes", "file", "n_paragraphs", "n_sentences", "n_words", "english_share",
]
PARA_COLUMNS = ["para_id", "doc_id", "source", "para_index", "kind", "heading", "text", "norm", "line"]
SENT_COLUMNS = [
    "sent_id", "doc_id", "source", "para_id", "sent_index", "position", "heading", "text", "norm", "n_words",
]
AUDIT_COLUMNS = ["doc_id", "rule", "line", "text"]
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ENGLISH_WARNING_THRESHOLD = 0.5


# --------------------------------------------------------------------------------------------
# The Corpus
# --------------------------------------------------------------------------------------------
@dataclass
class Corpus:
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

    def __post_init__(self):
        if not self.all_sources:
            self.all_sources = list(dict.fromkeys(self.documents["source"].tolist()))
        register_sources(self.all_sources)

    @property
    def colors(self) -> dict[str, str]:
        """One colour per source, fixed over the whole loaded corpus (so a selection keeps its colours)."""
        from .palette import source_colors

        return source_colors(self.all_sources)

    @property
    def sources(self) -> list[str]:
        """Source ids in document order (each once)."""
        return list(dict.fromkeys(self.documents["source"].tolist()))

    @property
    def labels(self) -> dict[str, str]:
        """Display name (outlet) of each source."""
        first = self.documents.drop_duplicates("source")
        return dict(zip(first["source"], first["label"]))

    def label(self, source: str) -> str:
        return self.labels.get(source, source)

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return (
            f"<Corpus {len(self.documents)} documents, {len(self.sources)} sources, "
            f"{len(self.sentences)} sentences, {len(self.tokens)} tokens>"
        )

    def _repr_markdown_(self) -> str:
        import html

        d = self.documents
        where = html.escape(self.path.name if self.path is not None else "memory")
        return (f"**Corpus** `{where}`: {len(d)} article{'s' if len(d) != 1 else ''} from "
                f"{len(self.sources)} source{'s' if len(self.sources) != 1 else ''} · "
                f"{len(self.sentences):,} sentences · {int(d['n_words'].sum()):,} words after cleaning")

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
            raise FramelensError(
                f"sources: unknown source {unknown[0]!r} (available: {', '.join(self.sources)})"
            )
        keep = set(sources)

        def f(df: pd.DataFrame) -> pd.DataFrame:
            if "source" in df.columns:
                return df[df["source"].isin(keep)].reset_index(drop=True)
            return df[df["doc_id"].isin(set(self.documents.loc[self.documents["source"].isin(keep), "doc_id"]))]

        return Corpus(
            documents=f(self.documents), paragraphs=f(self.paragraphs), sentences=f(self.sentences),
            tokens=f(self.tokens), terms=f(self.terms), audit=f(self.audit).reset_index(drop=True),
            warnings=list(self.warnings), path=self.path, stopwords=self.stopwords, phrases=self.phrases,
            all_sources=list(self.all_sources),
        )


# --------------------------------------------------------------------------------------------
# Reading input safely
# --------------------------------------------------------------------------------------------
def read_text_file(path: Path, *, display: str | None = None) -> str:
    """Read a UTF-8 text file, refusing empty, binary and undecodable files with a clear message."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise fail(name, "is a folder, expected a text file") from None
    except PermissionError:
        raise fail(name, "permission denied") from None
    except OSError as exc:
        raise fail(name, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise fail(name, "empty file")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise fail(name, f"binary file, not text (NUL byte at offset {nul})")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
        raise fail(name, f"not UTF-8 text (undecodable byte 0x{data[offset]:02x} at offset {offset})") from None
    if not text.strip():
        raise fail(name, "contains only whitespace")
    return text


def _read_csv_records(path: Path, display: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Rows of a CSV file as ``(line number, row)``; header names stripped."""
    text = read_text_file(path, display=display)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise fail(display, "empty file") from None
    except csv.Error as exc:
        raise fail(display, f"not valid CSV ({exc})", line=1) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise fail(display, f"column {dup!r} appears twice in the header", line=1)
    rows = []
    prev_end = reader.line_num
    while True:
        start = prev_end + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise fail(display, f"not valid CSV ({exc})", line=start) from None
        prev_end = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise fail(display, f"expected {len(header)} fields, found {len(values)}", line=start)
        rows.append((start, dict(zip(header, (v.strip() if k != "text" else v for k, v in zip(header, values))))))
    return header, rows


def _read_jsonl_records(path: Path, display: str) -> tuple[list[str], list[tuple[int, dict]]]:
    text = read_text_file(path, display=display)
    rows, header = [], {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise fail(display, f"not valid JSON ({exc.msg} at column {exc.colno})", line=lineno) from None
        if not isinstance(obj, dict):
            raise fail(display, "each line must be a JSON object", line=lineno)
        row = {}
        for k, v in obj.items():
            k = str(k).strip()
            header.setdefault(k, None)
            row[k] = "" if v is None else (v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v))
        rows.append((lineno, row))
    if not rows:
        raise fail(display, "no records")
    return list(header), rows


def _parse_date(value: str, *, display: str, line: int, warn: list[str]) -> tuple[pd.Timestamp, str]:
    value = (value or "").strip()
    if not value:
        return pd.NaT, ""
    m = _DATE_RE.match(value[:10]) if len(value) in (4, 7, 10) or "T" in value else None
    if m:
        y, mo, d = m.groups()
        try:
            ts = pd.Timestamp(int(y), int(mo or 1), int(d or 1))
            return ts, "day" if d else "month" if mo else "year"
        except ValueError:
            pass
    warn.append(f"{display}:{line}: published date {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD); left empty")
    return pd.NaT, ""


# --------------------------------------------------------------------------------------------
# Collecting raw documents
# --------------------------------------------------------------------------------------------
def _check_id(doc_id: str, display: str, line: int | None, seen: dict[str, int | None]) -> None:
    if not doc_id:
        raise fail(display, "empty id", line=line)
    if not _ID_RE.match(doc_id):
        raise fail(display, f"id {doc_id!r} may only contain letters, digits, '_', '-' and '.'", line=line)
    if doc_id in seen:
        first = seen[doc_id]
        where = f" (first on line {first})" if first else ""
        raise fail(display, f"duplicate id {doc_id!r}{where}", line=line)
    seen[doc_id] = line


def _unknown_columns(header: list[str], display: str, warn: list[str]) -> None:
    extra = [h for h in header if h not in KNOWN_COLUMNS]
    if extra:
        warn.append(f"{display}: unknown column(s) {', '.join(repr(e) for e in extra)} kept as metadata")


def _from_manifest(folder: Path, warn: list[str]) -> list[dict]:
    manifest = folder / MANIFEST
    display = str(manifest)
    header, rows = _read_csv_records(manifest, display)
    missing = [c for c in REQUIRED_MANIFEST_COLUMNS if c not in header]
    if missing:
        raise fail(display, f"missing required column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'})", line=1)
    if not rows:
        raise fail(display, "no rows")
    _unknown_columns(header, display, warn)
    root = folder.resolve()
    docs, seen = [], {}
    for line, row in rows:
        doc_id = row["id"].strip()
        _check_id(doc_id, display, line, seen)
        rel = row["file"].strip()
        if not rel:
            raise fail(display, f"row {doc_id!r} has no file", line=line)
        target = (folder / rel).resolve()
        if Path(rel).is_absolute() or not target.is_relative_to(root):
            raise fail(display, f"file {rel!r} is outside the corpus folder", line=line)
        if not target.is_file():
            raise fail(display, f"file {rel!r} not found", line=line)
        text = read_text_file(target, display=str(folder / rel))
        docs.append({**row, "doc_id": doc_id, "file": rel, "raw": text, "_line": line, "_display": display})
    return docs


def _from_folder(folder: Path, warn: list[str]) -> list[dict]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    if not files:
        raise fail(folder, f"no {MANIFEST} and no .txt files in this folder")
    docs, seen = [], {}
    for p in files:
        doc_id = p.stem
        if not _ID_RE.match(doc_id):
            doc_id = re.sub(r"[^A-Za-z0-9_.\-]+", "_", doc_id).strip("_.-") or f"doc{len(docs)}"
        _check_id(doc_id, str(p), None, seen)
        docs.append({"doc_id": doc_id, "file": p.name, "raw": read_text_file(p), "_line": None, "_display": str(p)})
    return docs


def _from_table(path: Path, warn: list[str], text_column: str) -> list[dict]:
    display = str(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        header, rows = _read_jsonl_records(path, display)
        what = "field"
    else:
        header, rows = _read_csv_records(path, display)
        what = "column"
    if text_column not in header:
        raise fail(display, f"no {text_column!r} {what} (found: {', '.join(header) or 'none'})")
    if not rows:
        raise fail(display, "no rows")
    _unknown_columns(header, display, warn)
    docs, seen = [], {}
    for n, (line, row) in enumerate(rows):
        doc_id = str(row.get("id", "")).strip() or f"doc{n + 1:03d}"
        _check_id(doc_id, display, line, seen)
        text = row.get(text_column, "")
        if not isinstance(text, str) or not text.strip():
            raise fail(display, f"row {doc_id!r} has an empty {text_column!r}", line=line)
        docs.append({**row, "doc_id": doc_id, "file": row.get("file", ""), "raw": text, "_line": line, "_display": display})
    return docs


# --------------------------------------------------------------------------------------------
# Per-document processing (a pure function of one document)
# --------------------------------------------------------------------------------------------
def process_document(doc_id: str, source: str, raw: str, title: str | None = None, author: str | None = None) -> dict:
    """Clean, structure and split one document. Returns plain lists (picklable, mergeable)."""
    cleaned = cleaning.clean_text(raw, title=title or None, author=author or None)
    paras, sents, audit = [], [], []
    for r in cleaned.removed:
        audit.append((doc_id, r.rule, r.line, r.text))
    heading = ""
    k = 0
    for block in cleaned.blocks:
        if block.kind == "title":
            continue
        para_id = f"{doc_id}:p{k}"
        if block.kind == "heading":
            heading = block.text
            paras.append((para_id, doc_id, source, k, "heading", block.text, block.text, cleaning.normalize(block.text), block.line))
            k += 1
            continue
        paras.append((para_id, doc_id, source, k, "body", heading, block.text, cleaning.normalize(block.text), block.line))
        k += 1
        for s, e in sentsplit.split_sentences(block.text):
            text = block.text[s:e]
            sents.append([doc_id, source, para_id, heading, text, cleaning.normalize(text)])
    n = len(sents)
    rows = []
    for i, (did, src, pid, head, text, norm) in enumerate(sents):
        rows.append((f"{doc_id}:s{i}", did, src, pid, i, (i / (n - 1)) if n > 1 else 0.0, head, text, norm))
    body = "\n".join(b.text for b in cleaned.blocks if b.kind != "title")
    return {
        "title": cleaned.title or "",
        "paragraphs": paras,
        "sentences": rows,
        "audit": audit,
        "english_share": cleaning.english_share(body) if body.strip() else 1.0,
        "latin_share": cleaning.latin_share(body),
        "n_raw_words": len(body.split()),
    }


def _process_args(args):
    return process_document(*args)


def load_corpus(
    path: str | Path,
    *,
    text_column: str = "text",
    stopwords: str | Path | None = None,
    phrases: str | Path | None = None,
    collocations: bool = True,
    workers: int = 1,
) -> Corpus:
    """Load a corpus from a folder (with or without ``sources.csv``) or a ``.csv`` / ``.jsonl`` file.

    ``stopwords`` and ``phrases`` replace the packaged lists (``data/stopwords.txt``,
    ``data/phrases.toml``). ``collocations`` also merges statistically detected proper-name
    bigrams into single terms. ``workers > 1`` processes documents in a process pool.
    Warnings (one document, text that looks non-English, unknown manifest columns) are
    emitted as :class:`~framelens.errors.FramelensWarning` and kept in ``corpus.warnings``.
    """
    if path is None or str(path).strip() == "":
        raise FramelensError("corpus: no path given")
    path = Path(path).expanduser()
    if not path.exists():
        raise fail(path, "no such file or folder")
    warn: list[str] = []
    if path.is_dir():
        raw_docs = _from_manifest(path, warn) if (path / MANIFEST).is_file() else _from_folder(path, warn)
    elif path.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
        raw_docs = _from_table(path, warn, text_column)
    elif path.suffix.lower() == ".txt":
        raw_docs = [{"doc_id": re.sub(r"[^A-Za-z0-9_.\-]+", "_", path.stem) or "doc1", "file": path.name,
                     "raw": read_text_file(path), "_line": None, "_display": str(path)}]
    else:
        raise fail(path, "unsupported corpus: give a folder of .txt files (optionally with sources.csv), a .csv, a .jsonl or a .txt file")

    stop = tok.load_stopwords(stopwords)
    phrase_list = tok.load_phrases(phrases)

    meta_rows = []
    for d in raw_docs:
        published, precision = _parse_date(str(d.get("published", "") or ""), display=d["_display"], line=d["_line"] or 0, warn=warn)
        source = str(d.get("source", "") or "").strip() or d["doc_id"]
        meta_rows.append((d, source, published, precision))

    args = [(d["doc_id"], source, d["raw"], str(d.get("title", "") or ""), str(d.get("author", "") or ""))
            for d, source, _, _ in meta_rows]
    if workers > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_process_args, args, chunksize=max(1, len(args) // (workers * 4))))
    else:
        results = [process_document(*a) for a in args]

    paragraphs = pd.DataFrame([r for res in results for r in res["paragraphs"]], columns=PARA_COLUMNS)
    sentences = pd.DataFrame([r for res in results for r in res["sentences"]], columns=SENT_COLUMNS[:-1])
    audit = pd.DataFrame([r for res in results for r in res["audit"]], columns=AUDIT_COLUMNS)

    tokens, terms = tok.build_token_tables(sentences, stopwords=stop, phrases=phrase_list, collocations=collocations)
    words_per_sent = tokens.loc[tokens["is_word"]].groupby("sent_id", sort=False).size()
    sentences["n_words"] = sentences["sent_id"].map(words_per_sent).fillna(0).astype(int)

    doc_rows = []
    for (d, source, published, precision), res in zip(meta_rows, results):
        title = str(d.get("title", "") or "").strip() or res["title"]
        outlet = str(d.get("outlet", "") or "").strip()
        extra = {k: v for k, v in d.items() if k not in KNOWN_COLUMNS and not k.startswith("_") and k not in ("doc_id", "raw")}
        doc_rows.append({
            "doc_id": d["doc_id"], "source": source, "label": outlet or source, "title": title, "outlet": outlet,
            "author": str(d.get("author", "") or ""), "published": published, "published_precision": precision,
            "url": str(d.get("url", "") or ""), "genre": str(d.get("genre", "") or ""),
            "event": str(d.get("event", "") or ""), "notes": str(d.get("notes", "") or ""),
            "file": str(d.get("file", "") or ""), "english_share": round(float(res["english_share"]), 3), **extra,
        })
        # short texts have too few function words to judge; non-Latin script is clear at any length
        if res["english_share"] < ENGLISH_WARNING_THRESHOLD and (res["n_raw_words"] >= 30 or res["latin_share"] < 0.5):
            warn.append(f"{d['_display']}: text of {d['doc_id']!r} does not look like English "
                        f"(English share {res['english_share']:.2f}); the lexicons are English-only")
        if not res["sentences"]:
            warn.append(f"{d['_display']}: no body sentences left in {d['doc_id']!r} after cleaning")
    documents = pd.DataFrame(doc_rows)
    documents["published"] = pd.to_datetime(documents["published"])
    documents["n_paragraphs"] = documents["doc_id"].map(
        paragraphs[paragraphs["kind"] == "body"].groupby("doc_id").size()).fillna(0).astype(int)
    documents["n_sentences"] = documents["doc_id"].map(sentences.groupby("doc_id").size()).fillna(0).astype(int)
    documents["n_words"] = documents["doc_id"].map(sentences.groupby("doc_id")["n_words"].sum()).fillna(0).astype(int)
    cols = DOC_COLUMNS + [c for c in documents.columns if c not in DOC_COLUMNS]
    documents = documents[cols]

    if len(documents) == 1:
        warn.append(f"{path}: only one document; comparisons between sources need at least two")
    elif documents["source"].nunique() == 1:
        warn.append(f"{path}: all documents belong to one source; comparisons between sources need at least two")
    for w in warn:
        warnings.warn(w, FramelensWarning, stacklevel=2)
    return Corpus(
        documents=documents, paragraphs=paragraphs, sentences=sentences, tokens=tokens, terms=terms,
        audit=audit, warnings=warn, path=path, stopwords=stop, phrases=phrase_list,
    )
