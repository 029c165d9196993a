"""Reading a corpus as a stream of batches of documents (one batch in memory at a time), from
the same files :mod:`framelens.read.files` reads.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from pathlib import Path
from typing import Iterator
from framelens.errors import FramelensError, fail
from framelens.read import files as C
from framelens.read.files import detect_encoding, ID_RE, JSON_TYPES, MAX_ID_CHARS


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


def _open_text(path: Path):
    """A text stream of ``path`` (gzip'd when its name ends in .gz): UTF-8 (a BOM is skipped), or
    UTF-16/32 announced by a byte-order mark."""
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
        header, rows = C.csv_records(fh, path, text_column=text_column,
                                     io_error=lambda line, exc: _stream_errors(path, line, exc))
        if text_column not in header:
            raise fail(path, f"no {text_column!r} column (found: {', '.join(header) or 'none'})")
        yield 0, {"__header__": header}
        yield from rows


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
    (where it came from) — what :func:`framelens.read.corpus.prepare_batch` takes. Ids are checked
    across batches (a duplicate names both lines). Warnings are appended to ``warn``."""

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
    if not ID_RE.match(doc_id):
        raise FramelensError(f"{display}: row {row}: id {doc_id!r} may only contain letters, digits, '_', '-' and '.'")
    if len(doc_id) > MAX_ID_CHARS:
        raise FramelensError(f"{display}: row {row}: id {doc_id[:20]!r}… is {len(doc_id)} characters long; "
                             f"at most {MAX_ID_CHARS} (ids name the article's files)")
    if doc_id in seen:
        raise FramelensError(f"{display}: row {row}: duplicate id {doc_id!r} (first in row {seen[doc_id]})")
    seen[doc_id] = row
