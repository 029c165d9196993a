"""Reading a corpus from disk: a folder of text files (with or without ``sources.csv``), a CSV,
JSON Lines or Parquet table; encodings, ids, dates, reserved and unknown columns, every input file
the loader reads.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Iterator

import pandas as pd
from framelens.errors import FramelensError, fail


MANIFEST = "sources.csv"


REQUIRED_MANIFEST_COLUMNS = ("id", "file")


KNOWN_COLUMNS = (
    "id", "file", "source", "source_label", "outlet", "title", "author", "published", "url", "genre", "event", "notes", "text",
    "language",
)


DOC_COLUMNS = [
    "doc_id", "source", "label", "title", "outlet", "author", "published", "published_precision", "url",
    "genre", "event", "notes", "file", "n_paragraphs", "n_sentences", "n_words", "english_share",
]


ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


#: longest id: ids name files (an article's page, its tables), and file names stop at 255 bytes
MAX_ID_CHARS = 100


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# --------------------------------------------------------------------------------------------
# Reading input safely
# --------------------------------------------------------------------------------------------
#: Byte-order marks and the encoding each announces (UTF-32 before UTF-16: ``FF FE 00 00`` starts
#: with the UTF-16 little-endian mark).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
)


def detect_encoding(data: bytes) -> tuple[str, str, int]:
    """``(codec, name, BOM length)`` of ``data``: the encoding its byte-order mark announces, else UTF-8."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    return "utf-8", "UTF-8", 0


def _looks_like_utf16(data: bytes) -> bool:
    """NUL bytes in every other position of the start: UTF-16 text written without a byte-order mark."""
    head = data[:1000]
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return (even.count(0) > 0.8 * len(even) and odd.count(0) == 0) or (odd.count(0) > 0.8 * len(odd) and even.count(0) == 0)


def read_text_file(path: Path, *, display: str | None = None) -> str:
    """Read a text file, refusing empty, binary and undecodable files with a clear message.

    UTF-8 (with or without a byte-order mark); UTF-16 and UTF-32 when the file starts with their
    byte-order mark (as Windows tools write them). Every text the loader reads (a folder's
    ``.txt`` files, the manifest, the files it names, a ``.csv`` or ``.jsonl`` corpus) comes
    through here. Offsets in messages count bytes from the start of the file.
    """
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
    codec, enc, bom = detect_encoding(data)
    if codec == "utf-8":
        nul = data.find(b"\x00")
        if nul >= 0:
            hint = ("; UTF-16 text without a byte-order mark? save it as UTF-8" if _looks_like_utf16(data) else "")
            raise fail(name, f"binary file, not text (NUL byte at offset {nul}{hint})")
    try:
        text = data[bom:].decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
        if codec == "utf-8":
            raise fail(name, f"not UTF-8 text (undecodable byte 0x{data[offset]:02x} at offset {offset})") from None
        raise fail(name, f"not {enc} text despite its byte-order mark ({exc.reason} at offset {offset})") from None
    if codec != "utf-8":
        nul = text.find("\x00")
        if nul >= 0:
            offset = bom + len(text[:nul].encode(codec))
            raise fail(name, f"binary file, not text (NUL character at offset {offset})")
    if not text.strip():
        raise fail(name, "contains only whitespace")
    return text


def _read_csv_records(path: Path, display: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Rows of a CSV file as ``(line number, row)``; header names stripped."""
    header, rows = csv_records(io.StringIO(read_text_file(path, display=display), newline=""), display)
    return header, list(rows)


def csv_records(fh, display, *, text_column: str = "text", io_error=None
                ) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """The header of the CSV text stream ``fh`` (names stripped, a BOM dropped, each name once) and
    its rows as ``(line number of the row's first line, row)``, read as they are asked for: blank
    rows skipped, values stripped except ``text_column``'s. A malformed row, a row with the wrong
    number of fields or a NUL character is an error naming ``display`` and the line;
    ``io_error(line, exc)`` makes the error for a stream that fails to read or decode."""
    reader = csv.reader(fh)

    def next_values(line: int) -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise fail(display, f"not valid CSV ({exc})", line=line) from None
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            if io_error is None:
                raise
            raise io_error(line, exc) from None

    header = next_values(1)
    if header is None:
        raise fail(display, "empty file")
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise fail(display, f"column {dup!r} appears twice in the header", line=1)

    def rows() -> Iterator[tuple[int, dict]]:
        prev_end = reader.line_num
        while True:
            start = prev_end + 1
            values = next_values(start)
            if values is None:
                return
            prev_end = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise fail(display, f"expected {len(header)} fields, found {len(values)}", line=start)
            if any("\x00" in v for v in values):
                raise fail(display, "binary data, not text (a NUL character)", line=start)
            yield start, dict(zip(header, (v.strip() if k != text_column else v for k, v in zip(header, values))))

    return header, rows()


JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}


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
def check_id(doc_id: str, display: str, line: int | None, seen: dict[str, int | None]) -> None:
    if not doc_id:
        raise fail(display, "empty id", line=line)
    if not ID_RE.match(doc_id):
        raise fail(display, f"id {doc_id!r} may only contain letters, digits, '_', '-' and '.'", line=line)
    if len(doc_id) > MAX_ID_CHARS:
        raise fail(display, f"id {doc_id[:20]!r}… is {len(doc_id)} characters long; at most {MAX_ID_CHARS} "
                            "(ids name the article's files)", line=line)
    if doc_id in seen:
        first = seen[doc_id]
        where = f" (first on line {first})" if first else ""
        raise fail(display, f"duplicate id {doc_id!r}{where}", line=line)
    seen[doc_id] = line


#: Column names framelens computes for each document (or uses inside the loader): a manifest or
#: table column with one of these names would replace the computed value, so it is refused.
RESERVED_COLUMNS = tuple(dict.fromkeys(
    [c for c in DOC_COLUMNS if c not in KNOWN_COLUMNS] + ["source_original", "raw", "latin_share"]))


def check_reserved_columns(header: list[str], display: str) -> None:
    """Refuse metadata columns named like a computed field (``n_words``, ``published_precision``,
    ...: :data:`RESERVED_COLUMNS`) or starting with ``_`` (the loader's own), naming them."""
    bad = [h for h in header if h in RESERVED_COLUMNS or str(h).startswith("_")]
    if bad:
        raise fail(display, f"column(s) {', '.join(repr(b) for b in bad)} have names framelens computes or uses "
                            f"itself; rename them (reserved: {', '.join(RESERVED_COLUMNS)}, and any name "
                            "starting with '_')", line=1 if str(display).lower().endswith((".csv", ".csv.gz")) else None)


#: Metadata columns the README names for ``--by`` (kept as metadata like any other, without the
#: typo warning).
DOCUMENTED_METADATA = ("group",)


def warn_unknown_columns(header: list[str], display: str, warn: list[str]) -> None:
    check_reserved_columns(header, display)
    extra = [h for h in header if h not in KNOWN_COLUMNS and h not in DOCUMENTED_METADATA]
    if extra:
        warn.append(f"{display}: unknown column(s) {', '.join(repr(e) for e in extra)} kept as metadata")


def docs_from_manifest(folder: Path, warn: list[str]) -> list[dict]:
    manifest = folder / MANIFEST
    display = str(manifest)
    header, rows = _read_csv_records(manifest, display)
    missing = [c for c in REQUIRED_MANIFEST_COLUMNS if c not in header]
    if missing:
        raise fail(display, f"missing required column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'})", line=1)
    if not rows:
        raise fail(display, "no rows")
    warn_unknown_columns(header, display, warn)
    root = folder.resolve()
    docs, seen = [], {}
    for line, row in rows:
        doc_id = row["id"].strip()
        check_id(doc_id, display, line, seen)
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


def input_files(path: str | os.PathLike) -> tuple[list[Path], Path]:
    """The files the loader reads for the corpus at ``path``, and the folder their names are
    relative to: a table file itself; a folder's ``sources.csv`` and the files its rows name
    (inside the folder); else the folder's ``.txt`` files. Nothing else in the folder — a stray
    file, a link to ``/etc/hostname`` — is read, hashed or listed."""
    path = Path(path)
    if not path.is_dir():
        return [path], path.parent
    root = path.resolve()
    manifest = path / MANIFEST
    if manifest.is_file():
        files = [manifest]
        try:
            _, rows = _read_csv_records(manifest, str(manifest))
        except FramelensError:
            rows = []
        for _, row in rows:
            rel = str(row.get("file") or "").strip()
            target = path / rel
            if rel and not Path(rel).is_absolute() and target.resolve().is_relative_to(root) and target.is_file():
                files.append(Path(os.path.normpath(target)))
    else:
        files = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt"
                 and p.resolve().is_relative_to(root)]
    return sorted(dict.fromkeys(files)), path


def docs_from_folder(folder: Path, warn: list[str]) -> list[dict]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    if not files:
        raise fail(folder, f"no {MANIFEST} and no .txt files in this folder")
    root = folder.resolve()
    docs, seen = [], {}
    for p in files:
        if not p.resolve().is_relative_to(root):  # a link to a file elsewhere, as in manifest mode
            raise fail(p, "is a link to a file outside the corpus folder")
        doc_id = p.stem
        if not ID_RE.match(doc_id):
            doc_id = re.sub(r"[^A-Za-z0-9_.\-]+", "_", doc_id).strip("_.-") or f"doc{len(docs)}"
        check_id(doc_id, str(p), None, seen)
        docs.append({"doc_id": doc_id, "file": p.name, "raw": read_text_file(p), "_line": None, "_display": str(p)})
    return docs
