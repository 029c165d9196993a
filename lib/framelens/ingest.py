"""Input at scale: streaming readers, and the corpus written as Parquet partitions of the lens store.

Readers (:func:`read_batches`) give the documents of a corpus in batches, never the whole raw
corpus at once:

* Parquet (``.parquet``): a ``text`` column (string) plus metadata columns (``id``, ``source``,
  ``outlet``, ``title``, ``published``, ...), read with pyarrow ``iter_batches``;
* JSON Lines (``.jsonl``, ``.ndjson``, gzip'd ``.jsonl.gz`` / ``.ndjson.gz``) and CSV (``.csv``,
  ``.csv.gz``), streamed line by line;
* a folder (with or without ``sources.csv``) or a ``.txt`` file, as :func:`framelens.load_corpus`
  reads them (these are read whole: a folder of text files is a small corpus).

Bad input gives a one-line :class:`~framelens.errors.FramelensError` naming the file and the line
(JSONL, CSV) or the row (Parquet, counted from 1): ``corpus.parquet: row 7: 'text' is empty``.

:func:`ingest` processes the batches (clean, segment, tokenize: :func:`framelens.corpus.process_chunk`)
as *map* steps on an execution engine (:mod:`framelens.engine`: serial, a process pool or Dask)
and writes each batch's tables — paragraphs, sentences, tokens, terms, audit — as one partition of
the store's corpus folder; the documents' metadata is one table. Proper-name collocations need
corpus-wide counts: each partition's word counts are mapped, merged (reduce), then each
partition's candidate pair counts are mapped and merged, the collocations decided, and only then
each partition's terms are built (a third map). The result equals :func:`framelens.load_corpus`
on the same input, table for table (a test checks it).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from .errors import FramelensError, fail

#: Documents per partition (and per batch read).
PARTITION_DOCUMENTS = 1000
TABLE_SUFFIXES = (".parquet", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".csv", ".csv.gz")


def corpus_format(path: Path) -> str:
    """``folder``, ``txt``, ``parquet``, ``jsonl`` or ``csv`` (gzip'd or not), else an error."""
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    for suffix, kind in ((".parquet", "parquet"), (".jsonl.gz", "jsonl"), (".ndjson.gz", "jsonl"),
                         (".csv.gz", "csv"), (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"),
                         (".txt", "txt")):
        if name.endswith(suffix):
            return kind
    raise fail(path, "unsupported corpus: give a folder of .txt files (optionally with sources.csv), a .parquet, "
                     ".csv, .csv.gz, .jsonl, .jsonl.gz or a .txt file")


# ---------------------------------------------------------------------------------------------
# streaming readers: each yields (where, row) with where = line or row number


def _open_text(path: Path):
    """A text stream of ``path`` (gzip'd when its name ends in .gz): UTF-8 (a BOM is skipped), or
    UTF-16/32 announced by a byte-order mark."""
    from . import corpus as C
    from .corpus import detect_encoding

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4)
        if not head:
            raise fail(path, "empty file")
        codec, _, bom = detect_encoding(head)
        raw = opener(path, "rb")
        raw.read(bom)
    except gzip.BadGzipFile:
        raise fail(path, "not a gzip file (the name ends in .gz)") from None
    except EOFError:
        raise fail(path, "truncated gzip file") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror or exc})") from None
    if codec != "utf-8":
        if not path.name.lower().endswith(".gz"):  # UTF-16/32 (rare): read whole, with the loader's messages
            raw.close()
            return io.StringIO(C.read_text_file(path), newline="")
        return io.TextIOWrapper(raw, encoding=codec, newline="")
    return _Utf8Lines(raw, path)


class _Utf8Lines:
    """Lines of a UTF-8 byte stream decoded one at a time, so an undecodable byte is reported on
    its own line (a buffered decoder would fail a whole block ahead)."""

    def __init__(self, raw, path: Path):
        self.raw, self.path, self.line = raw, path, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            data = self.raw.readline()
        except gzip.BadGzipFile:
            raise fail(self.path, "not a gzip file (the name ends in .gz)") from None
        except EOFError:
            raise fail(self.path, f"truncated gzip file (after line {self.line})") from None
        except OSError as exc:
            raise fail(self.path, f"cannot be read ({exc.strerror or exc})") from None
        if not data:
            raise StopIteration
        self.line += 1
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(self.path, f"not UTF-8 text (undecodable byte 0x{data[exc.start]:02x})", line=self.line) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.raw.close()


def _stream_errors(path: Path, where: int, exc: BaseException) -> FramelensError:
    if isinstance(exc, UnicodeDecodeError):
        return fail(path, f"not UTF-8 text (undecodable byte 0x{exc.object[exc.start]:02x})", line=where)
    if isinstance(exc, gzip.BadGzipFile):
        return fail(path, "not a gzip file (the name ends in .gz)")
    if isinstance(exc, EOFError):
        return fail(path, f"truncated gzip file (after line {where - 1})")
    if isinstance(exc, OSError):
        return fail(path, f"cannot be read ({exc.strerror or exc})")
    raise exc


def _jsonl_rows(path: Path, text_column: str) -> Iterator[tuple[int, dict]]:
    from .corpus import JSON_TYPES

    lineno = 0
    with _open_text(path) as fh:
        it = iter(fh)
        while True:
            try:
                line = next(it)
            except StopIteration:
                break
            except (UnicodeDecodeError, OSError, EOFError) as exc:
                raise _stream_errors(path, lineno + 1, exc) from None
            lineno += 1
            if not line.strip():
                continue
            if "\x00" in line:
                raise fail(path, "binary data, not text (a NUL character)", line=lineno)
            try:
                obj = json.loads(line.rstrip("\r\n"))  # as the loader's splitlines: a newline is no JSON
            except json.JSONDecodeError as exc:
                raise fail(path, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})",
                           line=lineno) from None
            if not isinstance(obj, dict):
                raise fail(path, "each line must be a JSON object", line=lineno)
            row = {}
            for k, v in obj.items():
                k = str(k).strip()
                if k == text_column and v is not None and not isinstance(v, str):
                    raise fail(path, f"{text_column!r} must be a string, found "
                                     f"{JSON_TYPES.get(type(v), type(v).__name__)} ({json.dumps(v)[:40]})", line=lineno)
                row[k] = "" if v is None else (v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list))
                                               else str(v))
            yield lineno, row


def _csv_rows(path: Path, text_column: str) -> Iterator[tuple[int, dict]]:
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise fail(path, "empty file") from None
        except csv.Error as exc:
            raise fail(path, f"not valid CSV ({exc})", line=1) from None
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            raise _stream_errors(path, 1, exc) from None
        header = [h.strip().lstrip("\ufeff") for h in header]
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            raise fail(path, f"column {dup!r} appears twice in the header", line=1)
        if text_column not in header:
            raise fail(path, f"no {text_column!r} column (found: {', '.join(header) or 'none'})")
        yield 0, {"__header__": header}
        prev_end = reader.line_num
        while True:
            start = prev_end + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise fail(path, f"not valid CSV ({exc})", line=start) from None
            except (UnicodeDecodeError, OSError, EOFError) as exc:
                raise _stream_errors(path, start, exc) from None
            prev_end = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise fail(path, f"expected {len(header)} fields, found {len(values)}", line=start)
            if any("\x00" in v for v in values):
                raise fail(path, "binary data, not text (a NUL character)", line=start)
            yield start, dict(zip(header, (v.strip() if k != text_column else v for k, v in zip(header, values))))


def _parquet_rows(path: Path, text_column: str, batch: int) -> Iterator[tuple[int, dict]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise fail(path, f"not a Parquet file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    schema = pf.schema_arrow
    if text_column not in schema.names:
        raise fail(path, f"no {text_column!r} column (found: {', '.join(schema.names) or 'none'})")
    t = schema.field(text_column).type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
            or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))):
        raise fail(path, f"column {text_column!r} must hold text (strings), found {t}")
    yield 0, {"__header__": list(schema.names)}
    row = 0
    try:
        for rb in pf.iter_batches(batch_size=batch):
            for rec in rb.to_pylist():
                row += 1
                out = {}
                for k, v in rec.items():
                    if v is None:
                        out[k] = ""
                    elif isinstance(v, str):
                        out[k] = v if k == text_column else v.strip()
                    elif hasattr(v, "isoformat"):
                        out[k] = v.isoformat()
                    elif isinstance(v, (dict, list)):
                        out[k] = json.dumps(v, default=str)
                    else:
                        out[k] = str(v)
                yield row, out
    except FramelensError:
        raise
    except Exception as exc:  # a damaged file found while reading
        raise fail(path, f"row {row + 1}: unreadable Parquet data ({type(exc).__name__})") from None


def read_batches(path: str | os.PathLike, *, text_column: str = "text", batch_documents: int = PARTITION_DOCUMENTS,
                 warn: list[str] | None = None) -> Iterator[list[dict]]:
    """The documents of the corpus at ``path`` in batches of ``batch_documents``: each a dict with
    ``doc_id``, ``file``, ``raw`` (the text), the metadata columns, ``_line`` and ``_display``
    (where it came from) — what :func:`framelens.corpus.prepare_batch` takes. Ids are checked
    across batches (a duplicate names both lines). Warnings are appended to ``warn``."""
    from . import corpus as C

    path = Path(path).expanduser()
    warn = [] if warn is None else warn
    if not path.exists():
        raise fail(path, "no such file or folder")
    kind = corpus_format(path)
    batch_documents = max(1, int(batch_documents))
    if kind in ("folder", "txt"):
        if kind == "folder":
            docs = C.docs_from_manifest(path, warn) if (path / C.MANIFEST).is_file() else C.docs_from_folder(path, warn)
        else:
            docs = [{"doc_id": re.sub(r"[^A-Za-z0-9_.\-]+", "_", path.stem) or "doc1", "file": path.name,
                     "raw": C.read_text_file(path), "_line": None, "_display": str(path)}]
        for a in range(0, len(docs), batch_documents):
            yield docs[a:a + batch_documents]
        return
    display = str(path)
    rows = (_parquet_rows(path, text_column, batch_documents) if kind == "parquet"
            else _csv_rows(path, text_column) if kind == "csv" else _jsonl_rows(path, text_column))
    seen: dict[str, int | None] = {}
    header: dict[str, None] = {}
    batch: list[dict] = []
    n = 0
    unit = "row" if kind == "parquet" else "line"
    for where, row in rows:
        if "__header__" in row:
            for h in row["__header__"]:
                header.setdefault(h, None)
            continue
        for k in row:
            header.setdefault(k, None)
        n += 1
        doc_id = str(row.get("id", "")).strip() or f"doc{n:03d}"
        line = where if unit == "line" else None
        shown = display if unit == "line" else f"{display}: row {where}"
        if unit == "line":
            C.check_id(doc_id, display, line, seen)
        else:
            _check_row_id(doc_id, display, where, seen)
        text = row.get(text_column, "")
        if not isinstance(text, str) or not text.strip():
            if kind == "jsonl" and text_column not in header:  # no record so far has the field: does any?
                for _, later in rows:
                    for k in later:
                        header.setdefault(k, None)
                    if text_column in later:
                        break
                else:
                    raise fail(display, f"no {text_column!r} field (found: {', '.join(header) or 'none'})")
            if unit == "line":
                raise fail(display, f"row {doc_id!r} has an empty {text_column!r}", line=line)
            raise FramelensError(f"{shown}: {doc_id!r} has an empty {text_column!r}")
        batch.append({**row, "doc_id": doc_id, "file": row.get("file", ""), "raw": text, "_line": where,
                      "_display": display})
        if len(batch) >= batch_documents:
            yield batch
            batch = []
    if kind == "jsonl" and text_column not in header and n:
        raise fail(display, f"no {text_column!r} field (found: {', '.join(header) or 'none'})")
    if not n and not batch:
        raise fail(display, "no records" if kind == "jsonl" else "no rows")
    C.warn_unknown_columns(list(header), display, warn)
    if batch:
        yield batch


def _check_row_id(doc_id: str, display: str, row: int, seen: dict) -> None:
    from .corpus import ID_RE, MAX_ID_CHARS

    if not ID_RE.match(doc_id):
        raise FramelensError(f"{display}: row {row}: id {doc_id!r} may only contain letters, digits, '_', '-' and '.'")
    if len(doc_id) > MAX_ID_CHARS:
        raise FramelensError(f"{display}: row {row}: id {doc_id[:20]!r}… is {len(doc_id)} characters long; "
                             f"at most {MAX_ID_CHARS} (ids name the article's files)")
    if doc_id in seen:
        raise FramelensError(f"{display}: row {row}: duplicate id {doc_id!r} (first in row {seen[doc_id]})")
    seen[doc_id] = row


# ---------------------------------------------------------------------------------------------
# the map steps (pure functions of one partition; they run on the engine's workers)


def _write(df: pd.DataFrame, path: Path) -> dict:
    """Write a table atomically (a retried task rewrites it whole)."""
    from .store import write_table

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    meta = write_table(df, tmp)
    os.replace(tmp, path)
    return meta


def map_process(task: tuple) -> dict:
    """Map 1: clean, segment and tokenize one batch; write its paragraphs, sentences, audit and
    tokens into the partition folder; return the per-document facts and the collocation counts."""
    from . import corpus as C
    from .tokens import release_memory

    folder, args, stop, collocations = task
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    res = C.process_chunk(args, stop, collocations=collocations)
    metas = {"paragraphs": _write(res["paragraphs"], folder / "paragraphs.parquet"),
             "sentences": _write(res["sentences"], folder / "sentences.parquet"),
             "audit": _write(res["audit"], folder / "audit.parquet"),
             "tokens": _write(res["tokens"].tokens, folder / "tokens.parquet")}
    out = {"docs": res["docs"], "counts": res["counts"], "metas": metas, "timings": res["timings"]}
    del res
    release_memory()
    return out


def map_pairs(task: tuple) -> Counter:
    """Map 2: counts of adjacent candidate-name pairs in one partition's tokens."""
    from .store import read_table
    from .tokens import pair_counts

    folder, proper = task
    tokens = read_table(Path(folder) / "tokens.parquet", columns=["token", "i"])
    return pair_counts(tokens, proper)


def map_terms(task: tuple) -> dict:
    """Map 3: one partition's terms (words with the corpus-wide phrases merged), written beside
    its tokens."""
    from .store import read_table
    from .tokens import release_memory, term_table

    folder, phrases, stop, metas = task
    folder = Path(folder)
    sentences = read_table(folder / "sentences.parquet", metas["sentences"])
    tokens = read_table(folder / "tokens.parquet", metas["tokens"])
    terms = term_table(sentences, tokens, phrases=phrases, stopwords=stop)
    meta = _write(terms, folder / "terms.parquet")
    del sentences, tokens, terms
    release_memory()
    return meta


# ---------------------------------------------------------------------------------------------
# ingest


def ingest(path: str | os.PathLike, folder: str | os.PathLike, *, key: str = "", inputs: dict | None = None,
           engine: Any = None, workers: int = 1, text_column: str = "text", stopwords=None, phrases=None,
           collocations: bool = True, batch_documents: int | None = None,
           timings: dict[str, float] | None = None, progress=None) -> list[str]:
    """Read the corpus at ``path`` in batches and write it into the corpus folder ``folder`` of a
    lens store as Parquet partitions (see the module docstring). ``engine``: where the map steps run
    (:func:`framelens.engine.get_engine`: ``None`` = serial for ``workers`` ≤ 1, a name, an
    address or a ``dask.distributed.Client``). The folder appears whole or not at all (written
    under a temporary name, then renamed). Returns the loader's warnings (also in the manifest).
    """
    from . import corpus as C
    from . import tokens as tok
    from .engine import get_engine
    from .store import write_partitioned_manifest

    times = timings if timings is not None else {}
    batch_documents = int(batch_documents or PARTITION_DOCUMENTS)
    say = progress or (lambda line: None)
    path = Path(path).expanduser()
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-{os.getpid()}-", dir=folder.parent))
    eng = get_engine(engine, workers=workers)
    own = eng is not engine
    stop = tok.load_stopwords(stopwords)
    phrase_list = tok.load_phrases(phrases)
    warn: list[str] = []
    try:
        t0 = time.perf_counter()
        partitions, pmetas, docs_parts, counts = _ingest_batches(
            eng, path, tmp, text_column=text_column, batch_documents=batch_documents, warn=warn, stop=stop,
            collocations=collocations, times=times, say=say)
        times["map_process_wall"] = time.perf_counter() - t0
        if not docs_parts:
            raise fail(path, "no documents")
        _ingest_terms(eng, [str(tmp / "partitions" / p) for p in partitions], pmetas, docs_parts, counts,
                      stop=stop, phrase_list=phrase_list, collocations=collocations, times=times)
        documents = pd.concat(docs_parts, ignore_index=True) if len(docs_parts) > 1 else docs_parts[0]
        del docs_parts
        documents["label"] = C.unit_labels(documents, "source")
        C.corpus_warnings(documents, path, warn)
        write_partitioned_manifest(tmp, documents, partitions, pmetas, key=key, inputs=inputs or {},
                                   path=path, warnings=warn, stopwords=stop, phrases=phrase_list)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / "manifest.json").is_file():
                raise
        times["ingest_wall"] = time.perf_counter() - t0
        return warn
    finally:
        if own:
            eng.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _ingest_batches(eng, path: Path, tmp: Path, *, text_column: str, batch_documents: int, warn: list[str],
                    stop, collocations: bool, times: dict[str, float], say):
    """:func:`ingest`'s map: each batch of documents read, processed and written as a partition
    under ``tmp`` (on the engine). Returns the partitions' names and metadata, their documents
    tables and the merged collocation counts (None without ``collocations``)."""
    from . import corpus as C
    from . import tokens as tok

    metas_rows: list[pd.DataFrame] = []
    partitions: list[str] = []
    pmetas: list[dict] = []
    counts = None
    docs_parts: list[pd.DataFrame] = []

    def tasks():
        for k, raw in enumerate(read_batches(path, text_column=text_column, batch_documents=batch_documents,
                                             warn=warn)):
            meta_rows, args = C.prepare_batch(raw, warn)
            name = f"p{k:05d}"
            partitions.append(name)
            metas_rows.append(meta_rows)
            yield (str(tmp / "partitions" / name), args, stop, collocations)

    for k, res in enumerate(eng.imap(map_process, tasks(), label="ingest")):
        meta_rows = metas_rows[k]
        metas_rows[k] = None
        docs_parts.append(C.documents_frame(C.document_rows(meta_rows, res["docs"], warn)))
        pmetas.append({**res["metas"], "n_documents": len(res["docs"])})
        for st, v in res["timings"].items():
            times[st] = times.get(st, 0.0) + v
        if collocations:
            counts = res["counts"] if counts is None else tok.CollocationCounts.merge([counts, res["counts"]])
        if (k + 1) % 10 == 0:
            say(f"framelens: ingest: {sum(len(d) for d in docs_parts):,} documents")
    return partitions, pmetas, docs_parts, counts


def _ingest_terms(eng, dirs: list[str], pmetas: list[dict], docs_parts: list[pd.DataFrame], counts, *, stop,
                  phrase_list, collocations: bool, times: dict[str, float]) -> None:
    """:func:`ingest`'s second pass: the collocations decided from the merged counts (and the
    partitions' word pairs), then each partition's terms written (``pmetas[k]["terms"]``)."""
    from . import tokens as tok

    t1 = time.perf_counter()
    phrase_all = list(phrase_list)
    n_sent = sum(int(d["n_sentences"].sum()) for d in docs_parts)
    if collocations and counts is not None and n_sent:
        proper = counts.proper_words(stop)
        pairs: Counter = Counter()
        for part in eng.imap(map_pairs, [(d, proper) for d in dirs], label="pairs"):
            pairs.update(part)
        phrase_all = tok.merge_phrases(phrase_list, tok.decide_collocations(counts, pairs))
    times["collocations"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    for m, tm in zip(pmetas, eng.imap(map_terms, [(d, phrase_all, stop, {k: v for k, v in m.items() if k != "n_documents"}) for d, m in zip(dirs, pmetas)],
                                      label="terms")):
        m["terms"] = tm
    times["terms"] = time.perf_counter() - t2
