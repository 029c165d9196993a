"""The lens store: compute once, render many.

Every lens table a report shows is computed once, by :func:`framelens.compute.compute` (or on
first use), and kept on disk as Parquet; the notebooks read it and only select, sort, draw and
explain. A store is a folder::

    <store>/
      framelens-store.json                 marks the folder as a lens store (schema version)
      corpus-<key>/                        the corpus: its manifest and documents (metadata) table,
        manifest.json                      then one folder per partition (runs of 1,000 documents)
        documents.parquet                  holding their documents, paragraphs, sentences, tokens,
        partitions/p00000/*.parquet        terms and audit (see framelens.ingest)
        <part>-<key>/                      one folder per lens part and option set
          manifest.json                    (vocabulary, sentiment, framing, synthesis, profile)
          *.parquet                        a part's tables; per-sentence / per-document tables of
          <table>/p00000.parquet           the map/reduce parts are kept per partition

Partitions. The corpus is stored, and the map/reduce parts (:mod:`framelens.parts`: vocabulary,
sentiment, framing) are computed, one partition at a time: each map step reads one partition
folder (so only a path travels to a worker, e.g. on Dask) and writes its row tables beside the
part; the reduce merges the map steps' small partials here. :meth:`Tables.scan` reads a
partitioned table's columns or documents without reading all of it; :meth:`LensStore.evidence`
fetches sentences by id from the partitions holding them.

Keys. A corpus folder's key is the SHA-256 of the input files' bytes — exactly the files the loader
reads (:func:`input_files`: the one file; a folder's ``.txt`` files, hidden ones included; or
``sources.csv`` and the files it names) —, the loader's configuration files (stopwords, phrases),
the *code fingerprint*, the framelens version and :data:`SCHEMA_VERSION`. A part's key adds the
part's name and manual version (``Part.version``, kept as an extra salt: bump it to force a
recomputation without a code change), its options (with defaults filled in), the content of the
configuration files it reads (codebook, actors, markers, referents: the file's bytes, not its
name), the source selection and the keys of the parts it is built from.

The code fingerprint (:func:`code_fingerprint`) is one SHA-256 over every ``.py`` file of the
framelens package and every file of its ``data/`` folder (lexicons such as
``data/news_lexicon.toml``, the codebook, the tone model's weights ``data/tone_model.json``, ...).
This is the simple, safe choice: any change to the package's code or packaged data gives every
corpus and part a new key (an edit to, say, the site's CSS recomputes the tables too, which costs
time but never serves a stale number; tracking each part's transitive imports would save that
time but miss code reached dynamically). So any change to the text, an option, a configuration
file, the code or the packaged data gives a new key, and an existing folder is never stale: it is
reused as it is. Folders are written under a temporary name and renamed into place when complete,
so a folder with a manifest is whole; two processes computing the same part at once both succeed
(the first rename wins).

Tables are tidy, typed Parquet files (pyarrow). Cells holding lists, tuples or sets of one scalar
type (e.g. the sentence ids behind a number) are stored as native Arrow ``list<...>`` columns, so
reading decodes no text (and a reader that asks for other columns never touches them); other
nested cells (dicts, lists of lists, mixed items) are stored as JSON text. Both are restored on
reading as the Python values written (lists, tuples, dicts); a non-default
index is stored as columns and restored. The manifest records, per table, its rows, columns and
how it was encoded; a missing, truncated or altered file gives a :class:`FramelensError` naming
it, never a traceback. Parquet holds data only: unlike the pickle caches this replaces, reading a
store runs no code.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd

from .errors import FramelensError

SCHEMA_VERSION = 1
STORE_FILE = "framelens-store.json"
MANIFEST = "manifest.json"
CORPUS_TABLES = ("documents", "paragraphs", "sentences", "tokens", "terms", "audit")
STORE_ENV = "FRAMELENS_STORE"


# ---------------------------------------------------------------------------------------------
# hashing


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_inputs(corpus: str | os.PathLike) -> dict[str, Any]:
    """SHA-256 of every input file the loader reads (:func:`framelens.corpus.input_files`: the
    manifest and the files it names, a folder's ``.txt`` files, or the table file), and one digest
    over them all (paths and contents)."""
    from .corpus import input_files

    files, base = input_files(corpus)
    rows = [{"path": p.relative_to(base).as_posix(), "bytes": p.stat().st_size, "sha256": file_sha256(p)}
            for p in files]
    digest = hashlib.sha256("".join(f"{r['path']}\0{r['sha256']}\n" for r in rows).encode()).hexdigest()
    return {"files": rows, "digest": digest}


#: The framelens package whose code and data files are fingerprinted (:func:`code_fingerprint`).
CODE_ROOT = Path(__file__).resolve().parent


def fingerprint_files(root: Path | None = None) -> list[Path]:
    """What :func:`code_fingerprint` hashes: every ``.py`` file of the package at ``root``
    (default :data:`CODE_ROOT`; sub-packages included) and every file of its ``data/`` folder."""
    root = Path(root or CODE_ROOT)
    code = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]
    data = [p for p in (root / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts] \
        if (root / "data").is_dir() else []
    return sorted(set(code) | set(data))


def code_fingerprint(root: Path | None = None) -> str:
    """SHA-256 over the relative paths and bytes of :func:`fingerprint_files`: the framelens code
    and packaged data (lexicons, codebook, the tone model's weights) that compute every stored
    table. Any change to them gives every corpus and part folder a new key. (Hashing them all
    takes a few milliseconds: computed afresh for every store opened, never cached.)"""
    root = Path(root or CODE_ROOT)
    h = hashlib.sha256()
    for p in fingerprint_files(root):
        h.update(f"{p.relative_to(root).as_posix()}\0{file_sha256(p)}\n".encode())
    return h.hexdigest()


def digest(*parts: Any) -> str:
    """A stable SHA-256 of JSON-able values."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _version() -> str:
    from . import __version__

    return __version__


# ---------------------------------------------------------------------------------------------
# tables <-> Parquet


def _is_nested(v: Any) -> bool:
    return isinstance(v, (list, tuple, dict, set, frozenset))


def _json_cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (set, frozenset)):
        v = sorted(v, key=str)
    return json.dumps(v, ensure_ascii=False, default=str)


def _plain(v: Any) -> Any:
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


#: Python scalar types a list cell may hold to be stored as an Arrow ``list<...>`` column.
_ARROW_ITEM = {str: "string", int: "int64", float: "float64", bool: "bool_"}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _arrow_list_type(vals: Sequence[Any]):
    """The Arrow ``list<T>`` type for a column whose cells are all lists/tuples/sets (or missing)
    of one scalar type ``T`` (str, int, float or bool), else ``None`` (the column is kept as
    JSON text). Lists of lists, dicts or mixed item types stay JSON, so that reading gives back
    exactly the values written."""
    import pyarrow as pa

    kinds: set[type] = set()
    for v in vals:
        if _missing(v):
            continue
        if not isinstance(v, (list, tuple, set, frozenset)):
            return None
        for x in v:
            t = type(x)
            if t not in _ARROW_ITEM:
                return None
            kinds.add(t)
            if len(kinds) > 1:
                return None
    item = _ARROW_ITEM[kinds.pop()] if kinds else "string"
    return pa.list_(getattr(pa, item)())


def _list_cell(v: Any) -> Any:
    if _missing(v):
        return None
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=str)
    return list(v)


def write_table(df: pd.DataFrame, path: Path) -> dict[str, Any]:
    """Write ``df`` as Parquet at ``path``; return how it was encoded (for :func:`read_table`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{path.name}: expected a DataFrame, got {type(df).__name__}")
    meta: dict[str, Any] = {"rows": int(len(df)), "json": [], "tuple": [], "text": [], "index": None,
                            "columns_name": df.columns.name, "arrow_list": []}
    lists: dict[str, tuple[Any, list]] = {}  # column → (Arrow list type, cells): set into the table below
    out = df
    if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1 or df.index.name:
        names = [n if n is not None else f"__index_{i}__" for i, n in enumerate(df.index.names)]
        if len(set(names) & set(map(str, df.columns))):
            names = [f"__index_{i}__" for i in range(len(names))]
        meta["index"] = names
        out = df.copy()
        out.index = out.index.set_names(names)
        out = out.reset_index()
    else:
        out = df.copy(deep=False)
    out.attrs = {}  # attrs (e.g. a table's origin) are not data: parts record them in their manifest
    if not all(isinstance(c, str) for c in out.columns):
        meta["column_types"] = {str(c): type(c).__name__ for c in out.columns}
        out.columns = [str(c) for c in out.columns]
    for col in out.columns:
        s = out[col]
        if s.dtype == object:
            vals = s.tolist()
            if any(_is_nested(v) for v in vals):
                if all(isinstance(v, tuple) or v is None or (isinstance(v, float) and v != v) for v in vals):
                    meta["tuple"].append(col)
                typ = _arrow_list_type(vals)
                if typ is not None:  # a native Arrow list column: read back without decoding text
                    meta["arrow_list"].append(col)
                    lists[col] = (typ, [_list_cell(v) for v in vals])
                    out[col] = None
                else:
                    meta["json"].append(col)
                    out[col] = [_json_cell(v) for v in vals]
            elif len({type(v) for v in vals if v is not None and not (isinstance(v, float) and v != v)}) > 1:
                meta["text"].append(col)  # mixed types: kept as text
                out[col] = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in vals]
            else:
                meta.setdefault("object", []).append(col)  # read back as object, as written
    table = pa.Table.from_pandas(out, preserve_index=False)
    for col, (typ, cells) in lists.items():
        i = table.column_names.index(col)
        table = table.set_column(i, pa.field(col, typ), pa.array(cells, type=typ))
    pq.write_table(table, path, compression="zstd")
    return meta


def read_table(path: Path, meta: Mapping[str, Any] | None = None, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table`; errors become :class:`FramelensError`."""
    import pyarrow.parquet as pq

    meta = dict(meta or {})
    try:
        table = pq.read_table(path, columns=list(columns) if columns is not None else None)
        nested = [c for c in meta.get("arrow_list", []) if c in table.column_names]
        cells = {c: table.column(c).to_pylist() for c in nested}  # Python lists, as written
        positions = {c: table.column_names.index(c) for c in nested}
        df = (table.drop_columns(nested) if nested else table).to_pandas()
    except FileNotFoundError:
        raise FramelensError(f"{path}: missing from the lens store (delete the store folder to recompute)") from None
    except Exception as exc:  # truncated or not Parquet
        raise FramelensError(f"{path}: unreadable lens-store table ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}); delete the store folder to recompute") from None
    if "rows" in meta and len(df) != meta["rows"]:
        raise FramelensError(f"{path}: holds {len(df)} rows, its manifest says {meta['rows']}; "
                             "delete the store folder to recompute")
    tuples = set(meta.get("tuple", []))
    for col in sorted(nested, key=positions.get):
        vals = cells[col] if col not in tuples else [None if v is None else tuple(v) for v in cells[col]]
        df.insert(positions[col], col, pd.Series(vals, index=df.index, dtype=object))
    for col in meta.get("json", []):
        if col in df.columns:
            loads = (lambda v: None if not isinstance(v, str) else tuple(_plain(json.loads(v)))) if col in tuples \
                else (lambda v: None if not isinstance(v, str) else _plain(json.loads(v)))
            df[col] = pd.Series([loads(v) for v in df[col].tolist()], index=df.index, dtype=object)
    for col in meta.get("object", []):
        if col in df.columns and df[col].dtype != object:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    types = meta.get("column_types")
    if types:
        conv = {"int": int, "float": float, "str": str}
        df.columns = [conv.get(types.get(c, "str"), str)(c) if types.get(c) in conv else c for c in df.columns]
    index = meta.get("index")
    if index and all(n in df.columns for n in index):
        df = df.set_index(index)
        df.index = df.index.set_names([None if str(n).startswith("__index_") else n for n in index])
    if meta.get("columns_name") is not None:
        df.columns.name = meta["columns_name"]
    return df


# ---------------------------------------------------------------------------------------------
# folders of tables


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        man = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FramelensError(f"{folder}: lens-store folder without {MANIFEST} (delete it to recompute)") from None
    except (OSError, ValueError) as exc:
        raise FramelensError(f"{folder / MANIFEST}: unreadable lens-store manifest ({exc}); "
                             "delete the folder to recompute") from None
    if not isinstance(man, dict) or man.get("schema") != SCHEMA_VERSION or not isinstance(man.get("tables"), dict):
        raise FramelensError(f"{folder / MANIFEST}: not a lens-store manifest of schema {SCHEMA_VERSION}; "
                             "delete the folder to recompute")
    return man


def read_parts(files: Sequence[tuple[Path, Mapping[str, Any]]], *, columns: Sequence[str] | None = None,
               doc_ids: Iterable[str] | None = None) -> Iterator[pd.DataFrame]:
    """Tables written per partition, read one at a time in order (only ``columns``, only the rows
    of ``doc_ids``)."""
    keep = set(map(str, doc_ids)) if doc_ids is not None else None
    for path, meta in files:
        m = {k: v for k, v in meta.items() if k not in ("rows", "file")} if (columns or keep) else meta
        df = read_table(path, m, columns=columns)
        if keep is not None and "doc_id" in df.columns:
            df = df[df["doc_id"].astype(str).isin(keep).to_numpy()]
        yield df


def concat_parts(files: Sequence[tuple[Path, Mapping[str, Any]]], *, columns: Sequence[str] | None = None,
                 doc_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Tables written per partition, concatenated in order (empty ones skipped unless all are)."""
    return concat_frames(list(read_parts(files, columns=columns, doc_ids=doc_ids)))


def concat_frames(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat`` of per-partition tables: empty ones are skipped (so a partition without rows
    does not change the dtypes), categoricals are unioned (sorted), the index renumbered."""
    from pandas.api.types import union_categoricals

    full = [f for f in frames if len(f)]
    if not full:
        return frames[0].reset_index(drop=True) if frames else pd.DataFrame()
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    cols = {}
    for c in full[0].columns:
        pieces = [f[c] for f in full]
        if all(isinstance(x.dtype, pd.CategoricalDtype) for x in pieces):
            cols[c] = pd.Series(union_categoricals([x.array for x in pieces], sort_categories=True))
        else:
            cols[c] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(cols, columns=full[0].columns)


class Tables(Mapping):
    """The tables of one stored folder (a part or the corpus), read on first access and kept.

    ``tables["intervals"]`` is a DataFrame; ``tables.options`` the options it was computed with;
    ``tables.key`` its key; ``tables.folder`` where it lives.
    """

    def __init__(self, folder: Path, manifest: dict[str, Any] | None = None):
        self.folder = Path(folder)
        self.manifest = manifest if manifest is not None else _read_manifest(self.folder)
        self._cache: dict[str, pd.DataFrame] = {}

    @property
    def key(self) -> str:
        return str(self.manifest.get("key", ""))

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.manifest.get("options", {}))

    @property
    def info(self) -> dict[str, Any]:
        """Extra values the part recorded (e.g. which actor table was used)."""
        return dict(self.manifest.get("info", {}))

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            tables = self.manifest["tables"]
            if name not in tables:
                raise KeyError(f"{name!r} is not a table of {self.folder.name} (tables: {', '.join(tables)})")
            if "parts" in tables[name]:
                self._cache[name] = self.scan(name)
            else:
                self._cache[name] = read_table(self.folder / f"{name}.parquet", tables[name])
        return self._cache[name]

    def is_partitioned(self, name: str) -> bool:
        """Whether table ``name`` is stored as one file per corpus partition (a per-sentence or
        per-document table written by the map steps): read it with :meth:`scan` to choose columns
        or documents rather than all of it."""
        return "parts" in self.manifest["tables"].get(name, {})

    def files(self, name: str) -> list[tuple[Path, dict[str, Any]]]:
        """The Parquet file(s) of table ``name`` with how each was encoded: one per partition for a
        partitioned table, else one."""
        entry = self.manifest["tables"][name]
        if "parts" in entry:
            return [(self.folder / e["file"], e) for e in entry["parts"]]
        return [(self.folder / f"{name}.parquet", entry)]

    def columns(self, name: str) -> list[str]:
        """The columns of table ``name``, from its Parquet schema (no row is read)."""
        import pyarrow.parquet as pq

        path, meta = self.files(name)[0] if self.files(name) else (None, {})
        if path is None:
            return []
        cols = pq.read_schema(path).names
        index = meta.get("index") or []
        return [c for c in cols if c not in index]

    def scan(self, name: str, *, columns: Sequence[str] | None = None,
             doc_ids: Iterable[str] | None = None, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """Table ``name`` read partition by partition (only ``columns``, or all but ``exclude``;
        only the rows of ``doc_ids``), concatenated in corpus order. Not cached. A column not
        read is never decoded: ``scan("sentences", exclude=["text"])`` reads the scores without
        the sentences' text."""
        if exclude:
            drop = set(exclude)
            columns = [c for c in (columns if columns is not None else self.columns(name)) if c not in drop]
        entry = self.manifest["tables"][name]
        if "parts" not in entry:
            df = read_table(self.folder / f"{name}.parquet", entry, columns=columns)
            return df if doc_ids is None else df[df["doc_id"].astype(str).isin(set(doc_ids))].reset_index(drop=True)
        return concat_parts([(self.folder / e["file"], e) for e in entry["parts"]], columns=columns, doc_ids=doc_ids)

    def only(self, columns: Mapping[str, Sequence[str] | None]) -> "Tables":
        """These tables as a reader that needs only some columns sees them: table ``name`` is read
        with only ``columns[name]`` (``None``: whole); a table not named is an empty table with its
        columns (no row read). For a function known to touch only those columns (a test checks
        it against the whole tables), so that a page does not read what it does not show."""
        return _OnlyTables(self, columns)

    def __iter__(self) -> Iterator[str]:
        return iter(self.manifest["tables"])

    def __len__(self) -> int:
        return len(self.manifest["tables"])

    def __repr__(self) -> str:
        return f"<Tables {self.folder.name}: {', '.join(self)}>"


class _OnlyTables(Tables):
    """:meth:`Tables.only`: the named tables read with only the named columns, the others empty."""

    def __init__(self, base: Tables, columns: Mapping[str, Sequence[str] | None]):
        super().__init__(base.folder, base.manifest)
        self._only = {k: (list(v) if v is not None else None) for k, v in columns.items()}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.manifest["tables"]:
            return super().__getitem__(name)  # the KeyError naming the tables
        if name not in self._cache:
            if name not in self._only:
                self._cache[name] = pd.DataFrame(columns=self.columns(name))
            elif self._only[name] is None:
                return super().__getitem__(name)
            else:
                self._cache[name] = self.scan(name, columns=self._only[name])
        return self._cache[name]


def temp_folder(dest: Path) -> Path:
    """A temporary sibling of ``dest`` to fill and pass to :func:`write_folder`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".tmp-{dest.name}-{os.getpid()}-", dir=dest.parent))


def write_folder(dest: Path, tables: Mapping[str, pd.DataFrame], manifest: dict[str, Any], *,
                 tmp: Path | None = None, partitioned: Mapping[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write ``tables`` and their manifest into ``dest`` atomically (a temporary sibling folder
    renamed into place). If ``dest`` appeared meanwhile (another process), it is kept.

    ``tmp``: the temporary folder to use (already holding files, e.g. the tables the map steps
    wrote per partition); ``partitioned``: those tables, name → one entry per partition
    (``file`` relative to the folder, plus how :func:`write_table` encoded it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp if tmp is not None else temp_folder(dest)
    try:
        metas: dict[str, Any] = {name: {"parts": list(entries), "rows": int(sum(e.get("rows", 0) for e in entries))}
                                 for name, entries in (partitioned or {}).items()}
        for name, df in tables.items():
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                raise ValueError(f"invalid table name {name!r}")
            metas[name] = write_table(df, tmp / f"{name}.parquet")
        man = {**manifest, "schema": SCHEMA_VERSION, "framelens": _version(), "tables": metas,
               "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()}
        (tmp / MANIFEST).write_text(json.dumps(man, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        try:
            os.replace(tmp, dest)
        except OSError:
            if not (dest / MANIFEST).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


# ---------------------------------------------------------------------------------------------
# the store


def default_store(output_dir: str | os.PathLike | None = None) -> Path:
    """Where a notebook keeps its store when none is given: ``$FRAMELENS_STORE`` if set, else
    ``<output_dir>/.store``."""
    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(output_dir or "outputs") / ".store"


def _check_root(root: Path) -> None:
    mark = root / STORE_FILE
    if root.exists():
        if not root.is_dir():
            raise FramelensError(f"{root}: the lens store must be a folder")
        if mark.is_file():
            try:
                info = json.loads(mark.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise FramelensError(f"{mark}: unreadable lens-store marker; delete the store folder") from None
            if info.get("schema") != SCHEMA_VERSION:
                raise FramelensError(f"{root}: a lens store of schema {info.get('schema')!r}, this framelens "
                                     f"writes schema {SCHEMA_VERSION}; choose another --store folder or delete it")
            return
        if any(p for p in root.iterdir() if not p.name.startswith(".")):
            raise FramelensError(f"{root}: not a lens store (no {STORE_FILE}) and not empty; choose a new or empty folder")
    root.mkdir(parents=True, exist_ok=True)
    mark.write_text(json.dumps({"kind": "framelens lens store", "schema": SCHEMA_VERSION}) + "\n", encoding="utf-8")


class LensStore:
    """A lens store for one corpus (and an optional selection of its sources).

    >>> lens = LensStore("outputs/.store", "seeds")        # doctest: +SKIP
    >>> lens.corpus                                          # read from the store (loaded once)
    >>> lens.part("sentiment", n_resamples=2000)["intervals"]  # computed on first use

    ``corpus`` is a corpus path (folder or file). ``sources``: the source ids analysed (empty:
    all). A part that is not in the store is computed, written, then read.
    """

    def __init__(self, root: str | os.PathLike, corpus: str | os.PathLike, *, sources: Sequence[str] = (),
                 by: str | None = "source", own_text: bool = False, drop_near_duplicates: bool = False,
                 loaded=None, inputs: dict[str, Any] | None = None, engine=None):
        self.root = Path(root).expanduser().resolve()
        self.corpus_path = Path(corpus).expanduser().resolve()
        if not self.corpus_path.exists():
            raise FramelensError(f"{self.corpus_path}: no such file or folder")
        _check_root(self.root)
        self.sources = sorted({str(s) for s in (sources or [])})
        self.by = str(by or "source")
        self.own_text, self.drop_near_duplicates = bool(own_text), bool(drop_near_duplicates)
        self.inputs = inputs or hash_inputs(self.corpus_path)
        self.code = code_fingerprint()
        self.corpus_key = digest("corpus", SCHEMA_VERSION, _version(), self.inputs["digest"],
                                 _loader_config_digests(), self.code)[:20]
        self.corpus_dir = self.root / f"corpus-{self.corpus_key}"
        self._loaded = loaded
        self._base = None
        self._corpus = None
        self._parts: dict[str, Tables] = {}
        self._view = None
        self.engine = engine  # where map steps run (framelens.engine.get_engine); None: here
        self.progress = None  # a framelens.progress.Progress told of each map step (None: nothing)

    @property
    def view_corpus(self):
        """The documents of the corpus view (unit ``by``, selection ``sources``) without reading any
        text table: what a reduce needs to order and name the units."""
        if self._view is None:
            if self._loaded is not None:
                self._view = self.base_corpus
            else:
                from .corpus import documents_only

                if not self.has_corpus():
                    self.ingest(engine=self.engine)
                man = _read_manifest(self.corpus_dir)
                if "partitions" not in man:
                    self._view = self.base_corpus
                else:
                    docs = read_table(self.corpus_dir / "documents.parquet", man["tables"]["documents"])
                    base = documents_only(docs, all_sources=man.get("all_sources", []),
                                          warnings=man.get("warnings", []), path=self.corpus_path)
                    self._view = base.by(self.by).select(self.sources)
        return self._view

    # -- the corpus
    def has_corpus(self) -> bool:
        return (self.corpus_dir / MANIFEST).is_file()

    def put_corpus(self, corp) -> None:
        """Store an already loaded corpus (the runner loads it once to validate the input)."""
        if not self.has_corpus():
            write_corpus(corp, self.corpus_dir, key=self.corpus_key, inputs=self.inputs)

    def ingest(self, *, engine=None, workers: int = 1, progress=None, timings: dict | None = None) -> None:
        """Read the input in batches and store it as Parquet partitions (:func:`framelens.ingest.ingest`),
        the map steps on ``engine`` (see :func:`framelens.engine.get_engine`). Nothing to do when
        the corpus is stored already."""
        if self.has_corpus():
            return
        from .ingest import ingest

        ingest(self.corpus_path, self.corpus_dir, key=self.corpus_key, inputs=self.inputs, engine=engine,
               workers=workers, progress=progress, timings=timings)

    def partitions(self) -> list[Path]:
        """The folders of the stored corpus's partitions (the unit of every map step)."""
        if not self.has_corpus():
            self.ingest()
        return partition_dirs(self.corpus_dir)

    def text_parts(self) -> Iterator[Any]:
        """The corpus view with its text, one stored partition at a time (unit ``by``, selection
        ``sources``, the units' corpus-wide names): what reads text at any corpus size, such as a
        concordance. With ``own_text`` / ``drop_near_duplicates`` (text prepared corpus-wide by
        report 08's reuse) it is the prepared corpus, whole."""
        from .parts import view_partition

        if self.own_text or self.drop_near_duplicates or self._loaded is not None:
            yield self.corpus
            return
        view = {"by": self.by, "sources": self.sources, "labels": self.view_corpus.labels}
        for pdir in self.partitions():
            part = view_partition(read_partition(pdir), view)
            if part is not None:
                yield part

    @property
    def full_corpus(self):
        """The whole corpus, as stored (loaded from the input files the first time)."""
        if self._loaded is None:
            if not self.has_corpus():
                self.ingest()
            self._loaded = read_corpus(self.corpus_dir, path=self.corpus_path)
        return self._loaded

    @property
    def base_corpus(self):
        """The stored corpus compared by ``by`` (see :meth:`Corpus.by`) and restricted to
        ``sources`` (values of that unit), with all its text."""
        if self._base is None:
            self._base = self.full_corpus.by(self.by).select(self.sources)
        return self._base

    @property
    def corpus(self):
        """The corpus analysed: :attr:`base_corpus`, with one article per near-duplicate cluster
        (``drop_near_duplicates``) and without text shared with other sources or boilerplate
        (``own_text``), as found by the stored ``reuse`` part (:func:`framelens.reuse.prepare`)."""
        if self._corpus is None:
            base = self.base_corpus
            if self.own_text or self.drop_near_duplicates:
                from . import reuse

                result = reuse.from_tables(self.part("reuse"))
                base = reuse.prepare(base, own_text=self.own_text, drop_near_duplicates=self.drop_near_duplicates,
                                     result=result)
            self._corpus = base
        return self._corpus

    def _variant(self, name: str) -> list:
        """What besides the options distinguishes this store's tables: the unit and the text."""
        out = [] if self.by == "source" else ["by", self.by]  # keys of the default view stay as they were
        if name != "reuse" and (self.own_text or self.drop_near_duplicates):
            out += ["text", self.own_text, self.drop_near_duplicates]
        return out

    # -- parts
    def part_key(self, name: str, options: Mapping[str, Any]) -> str:
        from .parts import PARTS, resolve_options

        part = PARTS[name]
        opts = resolve_options(name, options)
        configs = {k: _config_digest(k, opts.get(k)) for k in part.configs}
        needs = {n: self.part_key(n, {k: v for k, v in opts.items() if k in PARTS[n].all_options()})
                 for n in part.needs}
        return digest(name, part.version, SCHEMA_VERSION, _version(), self.code, self.corpus_key, self.sources,
                      *self._variant(name),
                      {k: v for k, v in opts.items() if k not in part.configs}, configs, needs)[:20]

    def part_dir(self, name: str, options: Mapping[str, Any]) -> Path:
        return self.corpus_dir / f"{name}-{self.part_key(name, options)}"

    def has_part(self, name: str, **options: Any) -> bool:
        return (self.part_dir(name, options) / MANIFEST).is_file()

    def part(self, name: str, **options: Any) -> Tables:
        """The tables of lens part ``name`` computed with ``options`` (defaults filled in),
        computed and stored first if missing. Unknown part or option names are errors."""
        from .parts import PARTS, compute_part, resolve_options

        if name not in PARTS:
            raise FramelensError(f"lens store: no part {name!r} (parts: {', '.join(PARTS)})")
        opts = resolve_options(name, options)
        folder = self.part_dir(name, opts)
        key = folder.name
        if key in self._parts:
            return self._parts[key]
        if not (folder / MANIFEST).is_file():
            needs = {n: self.part(n, **{k: v for k, v in opts.items() if k in PARTS[n].all_options()})
                     for n in PARTS[name].needs}
            tmp, partitioned = None, None
            if name == "actors" and isinstance(opts.get("actors"), str) and opts["actors"].strip():
                tables, info = compute_part(name, self.view_corpus, opts, needs)  # your table: no text read
            elif PARTS[name].map is not None and (name == "reuse" or not (self.own_text or self.drop_near_duplicates)):
                tables, info, tmp, partitioned = self._map_reduce(name, opts, needs, folder)
            elif (name in ("synthesis", "profile") or PARTS[name].documents_only) \
                    and not (self.own_text or self.drop_near_duplicates):
                tables, info = compute_part(name, self.view_corpus, opts, needs)  # stored tables or metadata: no text read
            else:
                tables, info = compute_part(name, self.base_corpus if name == "reuse" else self.corpus, opts, needs)
            write_folder(folder, tables, {"kind": "part", "part": name, "key": key, "options": _jsonable(opts),
                                          "sources": self.sources, "by": self.by, "own_text": self.own_text,
                                          "drop_near_duplicates": self.drop_near_duplicates,
                                          "corpus_key": self.corpus_key,
                                          "configs": {k: _config_digest(k, opts.get(k)) for k in PARTS[name].configs},
                                          "info": _jsonable(info)}, tmp=tmp, partitioned=partitioned)
        self._parts[key] = Tables(folder)
        return self._parts[key]

    def _map_reduce(self, name: str, opts: Mapping[str, Any], needs: Mapping[str, Any], folder: Path):
        """Part ``name`` as map steps over the stored corpus partitions (on :attr:`engine`) and a
        reduce here; the maps write the part's row tables into the part's temporary folder."""
        from .engine import auto_engine, get_engine
        from .parts import PARTS, Computed, Reduction, map_partition, view_partition
        from .progress import Progress

        part = PARTS[name]
        view_c = self.view_corpus
        view = {"by": self.by, "sources": self.sources, "labels": view_c.labels}
        small = {n: Computed({t: needs[n][t] for t in needs[n] if t not in PARTS[n].row_tables},  # rows stay on disk
                             getattr(needs[n], "info", {})) for n in needs}
        tmp = temp_folder(folder)
        own = None  # an engine made here (none given: a pool when there is more than one partition's work)
        try:
            dirs = self.partitions()
            docs = view_c.documents
            eng = get_engine(self.engine) if self.engine is not None else (own := auto_engine(
                partitions=len(dirs), sentences=int(docs["n_sentences"].sum()) if "n_sentences" in docs else 0))
            tasks = [(str(p), view, name, dict(opts), small, str(tmp)) for p in dirs]
            prog = self.progress if self.progress is not None else Progress(None)  # None: silent
            outs = []
            with prog.phase(f"{name} map", len(tasks), "partitions"):
                for out in eng.imap(map_partition, tasks, label=name):
                    outs.append(out)
                    prog.advance(f"{name} map")
            entries = {t: [e for o in outs for e in o["rows"].get(t, [])] for t in part.row_tables}
            red = Reduction(name, [o["partials"] for o in outs],
                            {t: [(tmp / e["file"], e) for e in entries[t]] for t in part.row_tables}, view_c)
            red.fetch = lambda ids: fetch_sentences(self, ids)  # noqa: E731
            red.load_whole = lambda: self.corpus  # noqa: E731
            red.engine, red.partitions = eng, [str(p) for p in dirs]  # for reduces that run tasks (reuse)
            red.load_partitions = lambda: (c for c in (view_partition(read_partition(p), view)  # noqa: E731
                                                       for p in self.partitions()) if c is not None)
            with prog.phase(f"{name} reduce", None, ""):
                tables, info = part.reduce(red, dict(opts), needs)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if own is not None:
                own.close()
        return tables, info, tmp, entries

    def with_text(self, table: pd.DataFrame, *, after: str = "sent_id") -> pd.DataFrame:
        """``table`` (rows with a ``sent_id``, e.g. the few sentences a report shows, picked from
        scores read without their text) with each sentence's ``text`` inserted after column
        ``after``: fetched by id from the stored partitions holding them (:meth:`evidence`)."""
        out = table.drop(columns=["text"], errors="ignore").copy()
        ids = out["sent_id"].astype(str).tolist() if len(out) else []
        found = self.evidence(ids) if ids else pd.DataFrame(columns=["sent_id", "text"])
        text = dict(zip(found["sent_id"].astype(str), found["text"]))
        out.insert(list(out.columns).index(after) + 1, "text",
                   pd.Series([text.get(i) for i in ids], index=out.index, dtype=found["text"].dtype))
        return out

    def evidence(self, sent_ids: Iterable[str]) -> pd.DataFrame:
        """The sentences behind a number, fetched by id from the stored corpus partitions (only
        the partitions holding them are read, and only their sentence tables)."""
        ids = list(dict.fromkeys(str(s) for s in sent_ids))
        if self._corpus is not None or self._loaded is not None:
            return self.corpus.evidence(ids)
        return fetch_sentences(self, ids)

    def __repr__(self) -> str:
        return (f"<LensStore {self.root} corpus-{self.corpus_key}{'' if self.by == 'source' else ' by=' + self.by}"
                f"{' sources=' + ','.join(self.sources) if self.sources else ''}>")


def fetch_sentences(lens: "LensStore", sent_ids: Sequence[str]) -> pd.DataFrame:
    """``sent_id, doc_id, source, label, text`` of the sentences ``sent_ids`` (in that order),
    read from the stored partitions that hold their documents."""
    view = lens.view_corpus
    docs = view.documents
    where: dict[str, int] = {}
    dirs = lens.partitions()
    wanted = {s.rsplit(":s", 1)[0] for s in sent_ids}
    unit_of = dict(zip(docs["doc_id"].astype(str), docs["source"]))
    for k, d in enumerate(dirs):
        ids = read_table(d / "documents.parquet", None, columns=["doc_id"])["doc_id"].astype(str)
        for i in set(ids) & wanted:
            where[i] = k
    frames = []
    for k in sorted(set(where.values())):
        s = read_table(dirs[k] / "sentences.parquet", {}, columns=["sent_id", "doc_id", "source", "text"])
        frames.append(s[s["sent_id"].isin(set(sent_ids))])
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["sent_id", "doc_id", "source", "text"])
    found = found.set_index("sent_id")
    missing = [i for i in sent_ids if i not in found.index]
    if missing:
        raise FramelensError(f"evidence: unknown sent_id {missing[0]!r}")
    out = found.loc[list(sent_ids), ["doc_id", "source", "text"]].reset_index()
    out["source"] = out["doc_id"].astype(str).map(unit_of).fillna(out["source"])
    out.insert(3, "label", out["source"].map(view.labels))
    return out


def open_store(corpus: str | os.PathLike, *, store: str | os.PathLike | None = None,
               sources: Sequence[str] = (), by: str | None = "source", own_text: bool = False,
               drop_near_duplicates: bool = False, output_dir: str | os.PathLike | None = None) -> LensStore:
    """The lens store a notebook reads: ``store`` (a folder; empty: :func:`default_store`) for
    ``corpus`` compared by ``by`` (``source``, a manifest column, or a period), restricted to
    ``sources``, optionally on each outlet's own text only (``own_text``) and with one article per
    near-duplicate cluster (``drop_near_duplicates``). Parts are computed on first use when
    missing, so a notebook opened in JupyterLab runs top to bottom on its own."""
    root = Path(store).expanduser() if store else default_store(output_dir)
    return LensStore(root, corpus, sources=sources, by=by, own_text=own_text,
                     drop_near_duplicates=drop_near_duplicates)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _config_digest(kind: str, value: Any) -> str:
    """The content digest of a configuration file option (path or empty: the packaged file)."""
    from . import config

    if value is None or value == "":
        return config.file_digest(None, kind)
    if isinstance(value, (str, os.PathLike)):
        p = Path(value).expanduser()
        if not p.is_file():
            raise FramelensError(f"{kind}={value}: no such file ({p.resolve()})")
        return config.file_digest(p)
    return digest(repr(value))


def _loader_config_digests() -> dict[str, str]:
    from . import config

    return {k: config.file_digest(None, k) for k in ("stopwords", "phrases")}


# ---------------------------------------------------------------------------------------------
# the corpus as Parquet


class _TableLoader:
    """Reads one corpus table from the store when first needed (picklable)."""

    def __init__(self, path: Path, meta: dict[str, Any], sources: Sequence[str] | None = None):
        self.path, self.meta, self.sources = path, meta, (list(sources) if sources is not None else None)

    units: dict | None = None  # doc_id → comparison unit (Corpus.by), applied before ``sources``

    def restricted(self, sources: Sequence[str]) -> "_TableLoader":
        keep = list(sources) if self.sources is None else [s for s in self.sources if s in set(sources)]
        out = _TableLoader(self.path, self.meta, keep)
        out.units = self.units
        return out

    def remapped(self, units: dict) -> "_TableLoader":
        if self.sources is not None or self.units is not None:
            raise ValueError("compare by another unit before selecting sources")
        out = _TableLoader(self.path, self.meta)
        out.units = dict(units)
        return out

    def __call__(self) -> pd.DataFrame:
        from .corpus import remap_units

        meta = dict(self.meta)
        changed = self.sources is not None or self.units is not None
        df = read_table(self.path, {k: v for k, v in meta.items() if k != "rows"} if changed else meta)
        if self.units is not None:
            df = remap_units(df, self.units)
        if self.sources is not None:
            df = df[df["source"].isin(set(self.sources))].reset_index(drop=True)
            for c in df.columns:
                if isinstance(df[c].dtype, pd.CategoricalDtype):
                    df[c] = df[c].cat.remove_unused_categories()
        return df


class _PartsLoader(_TableLoader):
    """Reads one corpus table from every partition of a stored corpus and concatenates them."""

    def __init__(self, paths: Sequence[Path], metas: Sequence[dict[str, Any]], columns: Sequence[str],
                 sources: Sequence[str] | None = None):
        self.paths, self.metas, self.columns = list(paths), list(metas), list(columns)
        self.sources = list(sources) if sources is not None else None

    def restricted(self, sources: Sequence[str]) -> "_PartsLoader":
        keep = list(sources) if self.sources is None else [s for s in self.sources if s in set(sources)]
        out = _PartsLoader(self.paths, self.metas, self.columns, keep)
        out.units = self.units
        return out

    def remapped(self, units: dict) -> "_PartsLoader":
        if self.sources is not None or self.units is not None:
            raise ValueError("compare by another unit before selecting sources")
        out = _PartsLoader(self.paths, self.metas, self.columns)
        out.units = dict(units)
        return out

    def __call__(self) -> pd.DataFrame:
        from .corpus import remap_units
        from .tokens import concat_tables

        frames = []
        for path, meta in zip(self.paths, self.metas):
            df = read_table(path, meta)
            if self.units is not None:
                df = remap_units(df, self.units)
            if self.sources is not None:
                df = df[df["source"].isin(set(self.sources))].reset_index(drop=True)
            frames.append(df)
        out = concat_tables(frames, self.columns)
        for c in out.columns:
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                out[c] = out[c].cat.remove_unused_categories()
        return out


#: Documents per stored corpus partition (the unit of every map step).
PARTITION_DOCUMENTS = 1000
PARTITIONS = "partitions"
PARTITION_TABLES = ("paragraphs", "sentences", "tokens", "terms", "audit")


def _columns(name: str) -> list[str]:
    from . import corpus as C
    from . import tokens as tok

    return {"paragraphs": C.PARA_COLUMNS, "sentences": C.SENT_COLUMNS, "audit": C.AUDIT_COLUMNS,
            "tokens": tok.TOKEN_COLUMNS, "terms": tok.TERM_COLUMNS}[name]


def write_partitioned_manifest(folder: Path, documents: pd.DataFrame, partitions: Sequence[str],
                               metas: Sequence[dict[str, Any]], *, key: str, inputs: dict[str, Any], path,
                               warnings: Sequence[str], stopwords, phrases, all_sources=None) -> None:
    """Finish a partitioned corpus folder whose partitions' tables are written: each partition's
    documents and manifest, then the corpus's documents table and manifest."""
    start = 0
    for name, meta in zip(partitions, metas):
        pdir = folder / PARTITIONS / name
        m = {k: v for k, v in meta.items() if k != "n_documents"}
        end = start + int(meta["n_documents"])  # a partition holds a contiguous run of documents
        m["documents"] = write_table(documents.iloc[start:end].reset_index(drop=True), pdir / "documents.parquet")
        start = end
        (pdir / MANIFEST).write_text(json.dumps({"kind": "partition", "schema": SCHEMA_VERSION, "tables": m},
                                                indent=1, default=str), encoding="utf-8")
    dmeta = write_table(documents, folder / "documents.parquet")
    man = {"kind": "corpus", "key": key, "path": str(path) if path else "", "inputs": inputs,
           "warnings": list(warnings), "stopwords": sorted(stopwords), "phrases": list(phrases),
           "all_sources": [str(s) for s in (all_sources or list(dict.fromkeys(documents["source"].tolist())))],
           "partitions": list(partitions), "schema": SCHEMA_VERSION, "framelens": _version(),
           "tables": {"documents": dmeta},
           "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()}
    (folder / MANIFEST).write_text(json.dumps(man, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def write_corpus(corp, folder: Path, *, key: str, inputs: dict[str, Any],
                 partition_documents: int = PARTITION_DOCUMENTS) -> Path:
    """Store a loaded corpus as a partitioned corpus folder (runs of ``partition_documents``
    documents), atomically."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-{os.getpid()}-", dir=folder.parent))
    try:
        docs = corp.documents
        ids = docs["doc_id"].astype(str).tolist()
        names, metas = [], []
        tables = {t: getattr(corp, t) for t in PARTITION_TABLES}
        doc_cols = {t: tables[t]["doc_id"].astype(str).to_numpy() for t in PARTITION_TABLES}
        size = max(1, int(partition_documents))
        for k, a in enumerate(range(0, max(len(ids), 1), size)):
            keep = set(ids[a:a + size])
            name = f"p{k:05d}"
            pdir = tmp / PARTITIONS / name
            pdir.mkdir(parents=True)
            meta: dict[str, Any] = {"n_documents": len(ids[a:a + size])}
            for t in PARTITION_TABLES:
                df = tables[t]
                mask = pd.Series(doc_cols[t]).isin(keep).to_numpy()
                part = df[mask].reset_index(drop=True)
                for c in part.columns:
                    if isinstance(part[c].dtype, pd.CategoricalDtype):
                        part[c] = part[c].cat.remove_unused_categories()
                meta[t] = write_table(part, pdir / f"{t}.parquet")
            names.append(name)
            metas.append(meta)
        write_partitioned_manifest(tmp, docs, names, metas, key=key, inputs=inputs, path=corp.path,
                                   warnings=corp.warnings, stopwords=corp.stopwords, phrases=corp.phrases,
                                   all_sources=corp.all_sources)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / MANIFEST).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def partition_dirs(folder: Path) -> list[Path]:
    """The partition folders of a stored corpus, in document order."""
    man = _read_manifest(folder)
    return [folder / PARTITIONS / p for p in man.get("partitions", [])]


def read_partition(pdir: Path, tables: Sequence[str] = ("documents", *PARTITION_TABLES)):
    """One stored partition as a small :class:`~framelens.corpus.Corpus` (its documents and their
    rows of every table; tokens and terms read when first used)."""
    from .corpus import Corpus

    man = _read_manifest(pdir)
    t = man["tables"]
    eager = {n: read_table(pdir / f"{n}.parquet", t[n]) for n in ("documents", "paragraphs", "sentences", "audit")}
    return Corpus(documents=eager["documents"], paragraphs=eager["paragraphs"], sentences=eager["sentences"],
                  tokens=_TableLoader(pdir / "tokens.parquet", t["tokens"]),
                  terms=_TableLoader(pdir / "terms.parquet", t["terms"]), audit=eager["audit"],
                  path=pdir)


def read_partition_rows(pdir: Path, table: str, *, columns: Sequence[str] | None = None,
                        doc_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """One table of a stored partition, only ``columns`` and only the rows of ``doc_ids`` (filtered
    while reading: the other documents' rows are never materialised)."""
    import pyarrow.parquet as pq

    import pyarrow as pa

    path = Path(pdir) / f"{table}.parquet"
    filters = [("doc_id", "in", sorted({str(d) for d in doc_ids}))] if doc_ids is not None else None
    try:
        if filters is not None and pq.read_schema(path).field("doc_id").type == pa.null():
            filters = None  # an empty table (no value to type the column): nothing to filter
        df = pq.read_table(path, columns=list(columns) if columns is not None else None, filters=filters).to_pandas()
    except FileNotFoundError:
        raise FramelensError(f"{path}: missing from the lens store (delete the store folder to recompute)") from None
    except Exception as exc:  # truncated or not Parquet
        raise FramelensError(f"{path}: unreadable lens-store table ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}); delete the store folder to recompute") from None
    return df.reset_index(drop=True)


def read_corpus(folder: Path, *, path: Path | None = None):
    """The corpus stored in ``folder``: documents, paragraphs, sentences and audit are read now
    (every partition, concatenated), tokens and terms when first used."""
    from .corpus import Corpus
    from .tokens import concat_tables

    man = _read_manifest(folder)
    if man.get("kind") != "corpus":
        raise FramelensError(f"{folder}: not a stored corpus")
    if "partitions" not in man:
        return _read_whole_corpus(folder, man, path=path)
    documents = read_table(folder / "documents.parquet", man["tables"].get("documents"))
    dirs = [folder / PARTITIONS / p for p in man["partitions"]]
    pm = [_read_manifest(d)["tables"] for d in dirs]
    eager = {}
    for t in ("paragraphs", "sentences", "audit"):
        eager[t] = concat_tables([read_table(d / f"{t}.parquet", m[t]) for d, m in zip(dirs, pm)], _columns(t))
    return Corpus(
        documents=documents, paragraphs=eager["paragraphs"], sentences=eager["sentences"],
        tokens=_PartsLoader([d / "tokens.parquet" for d in dirs], [m["tokens"] for m in pm], _columns("tokens")),
        terms=_PartsLoader([d / "terms.parquet" for d in dirs], [m["terms"] for m in pm], _columns("terms")),
        audit=eager["audit"], warnings=list(man.get("warnings", [])), path=path or Path(man.get("path") or folder),
        stopwords=frozenset(man.get("stopwords", [])), phrases=list(man.get("phrases", [])),
        all_sources=list(man.get("all_sources", [])),
    )


def _read_whole_corpus(folder: Path, man: dict, *, path: Path | None = None):
    """A corpus folder written whole (one table each): still readable."""
    from .corpus import Corpus

    tables = man["tables"]
    missing = [t for t in CORPUS_TABLES if t not in tables]
    if missing:
        raise FramelensError(f"{folder / MANIFEST}: lists no table {missing[0]!r}; delete the folder to recompute")
    eager = {t: read_table(folder / f"{t}.parquet", tables[t]) for t in ("documents", "paragraphs", "sentences", "audit")}
    return Corpus(
        documents=eager["documents"], paragraphs=eager["paragraphs"], sentences=eager["sentences"],
        tokens=_TableLoader(folder / "tokens.parquet", tables["tokens"]),
        terms=_TableLoader(folder / "terms.parquet", tables["terms"]),
        audit=eager["audit"], warnings=list(man.get("warnings", [])), path=path or Path(man.get("path") or folder),
        stopwords=frozenset(man.get("stopwords", [])), phrases=list(man.get("phrases", [])),
        all_sources=list(man.get("all_sources", [])),
    )
