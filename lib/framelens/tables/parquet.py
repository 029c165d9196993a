"""Parquet tables: how a DataFrame is written and read (nested cells, metadata), a corpus' partitions
on disk, and the folder manifests. Every layer above reads stored tables through this module.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
import numpy as np
import pandas as pd
from framelens.errors import FramelensError
from framelens import __version__
from framelens.read import corpus as C
from framelens.read.corpus import Corpus, remap_units
from framelens.text import tokens as tok
from framelens.text.tokens import concat_tables


SCHEMA_VERSION = 1


MANIFEST = "manifest.json"


CORPUS_TABLES = ("documents", "paragraphs", "sentences", "tokens", "terms", "audit")


def _version() -> str:
    return __version__


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


def write_piece(df: pd.DataFrame, folder: str | os.PathLike, table: str, name: str) -> dict[str, Any]:
    """Write one piece of a partitioned table (``folder/<table>/<name>.parquet``, atomically) and
    return its entry as a part's manifest lists it (``file`` relative to ``folder``, plus how
    :func:`write_table` encoded it): what a map step or a reduce writing a table in pieces returns."""
    where = Path(folder) / table
    where.mkdir(parents=True, exist_ok=True)
    tmp = where / f".{name}.{os.getpid()}.tmp"
    meta = write_table(df, tmp)
    os.replace(tmp, where / f"{name}.parquet")
    return {**meta, "file": f"{table}/{name}.parquet"}


def read_table(path: Path, meta: Mapping[str, Any] | None = None, *, columns: Sequence[str] | None = None,
               filters=None, categories: Sequence[str] = ()) -> pd.DataFrame:
    """Read a table written by :func:`write_table`; errors become :class:`FramelensError`. ``filters``:
    row filters pushed down to Parquet (:func:`pyarrow.parquet.read_table`'s; the manifest's row
    count is then not checked). ``categories``: text columns to read as pandas categoricals
    (decoded once per distinct value: for a reduce over millions of rows with few distinct labels,
    several times lighter than a text column; the values are the same)."""
    import pyarrow.parquet as pq

    meta = dict(meta or {})
    if filters is not None:
        meta.pop("rows", None)
    try:
        dictionary = _text_columns(path, categories) if categories else None
        table = pq.read_table(path, columns=list(columns) if columns is not None else None, filters=filters,
                              read_dictionary=dictionary)
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


def _text_columns(path: Path, names: Sequence[str]) -> list[str]:
    """Those of ``names`` that the Parquet file at ``path`` stores as text (an empty partition's
    column may be typed otherwise, and is read as it is)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    return [n for n in names if n in schema.names
            and (pa.types.is_string(schema.field(n).type) or pa.types.is_large_string(schema.field(n).type))]


def read_parts(files: Sequence[tuple[Path, Mapping[str, Any]]], *, columns: Sequence[str] | None = None,
               doc_ids: Iterable[str] | None = None, categories: Sequence[str] = ()) -> Iterator[pd.DataFrame]:
    """Tables written per partition, read one at a time in order (only ``columns``, only the rows
    of ``doc_ids``; ``categories``: see :func:`read_table`)."""
    keep = set(map(str, doc_ids)) if doc_ids is not None else None
    for path, meta in files:
        m = {k: v for k, v in meta.items() if k not in ("rows", "file")} if (columns or keep) else meta
        df = read_table(path, m, columns=columns, filters=_doc_filter(path, keep), categories=categories)
        if keep is not None and "doc_id" in df.columns:
            df = df[df["doc_id"].astype(str).isin(keep).to_numpy()]
        yield df


def _doc_filter(path: Path, keep: set[str] | None):
    """The Parquet row filter keeping the rows of documents ``keep`` (``None``: no filter, or a
    file without a string ``doc_id`` column, which is then filtered after reading)."""
    if not keep:  # no document (or none asked): nothing to push down
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        field = pq.read_schema(path).field("doc_id")
    except (KeyError, OSError, ValueError, pa.ArrowException):
        return None
    if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
            or (pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type))):
        return None
    return [("doc_id", "in", sorted(keep))]


def read_where(path: Path, meta: Mapping[str, Any], *, columns: Sequence[str] | None = None,
               where: Mapping[str, Any] | None = None, doc_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """One stored file's rows whose columns equal ``where``'s values (and, given ``doc_ids``, of those
    documents), only ``columns``: the filters pushed down to Parquet, so no other row is decoded; a
    column Parquet cannot compare (one without a typed row) is cut after reading."""
    meta = {k: v for k, v in meta.items() if k not in ("rows", "file")}
    where = dict(where or {})
    keep = None if doc_ids is None else {str(d) for d in doc_ids}
    filters = [(c, "==", v) for c, v in where.items()] + ([("doc_id", "in", sorted(keep))] if keep is not None else [])
    try:
        return read_table(path, meta, columns=columns, filters=filters or None)
    except FramelensError:
        df = read_table(path, meta, columns=None)
        mask = np.ones(len(df), dtype=bool)
        for c, v in where.items():
            mask &= (df[c] == v).to_numpy()
        if keep is not None:
            mask &= df["doc_id"].astype(str).isin(keep).to_numpy()
        df = df[mask]
        return (df if columns is None else df[list(columns)]).reset_index(drop=True)


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

    def __contains__(self, name: object) -> bool:  # from the manifest: no table read
        return name in self.manifest["tables"]

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

    def top(self, name: str, n: int, *, columns: Sequence[str] | None = None,
            where: Mapping[str, Any] | None = None, sort: Sequence[str] = (),
            ascending: bool | Sequence[bool] = True) -> tuple[pd.DataFrame, int]:
        """The first ``n`` rows of table ``name`` — only those whose columns equal ``where``'s values,
        ordered by ``sort`` (a stable sort: ties keep the stored order; no sort: the stored order) —
        and how many rows match in all. The same rows as ``df[mask].sort_values(sort,
        kind="stable").head(n)[columns]`` of the whole table, read one stored partition at a time
        (the filters pushed down to Parquet), holding at most ``n`` rows and one partition: what a
        report shows of a table too long to hold (the CSV has it all)."""
        sort = list(sort)
        asc = [ascending] * len(sort) if isinstance(ascending, bool) else list(ascending)
        want = list(columns) if columns is not None else None
        read = None if want is None else list(dict.fromkeys([*want, *sort, *(where or {})]))
        best, total = None, 0
        for k, (path, meta) in enumerate(self.files(name)):
            df = read_where(path, meta, columns=read, where=where)
            total += len(df)
            df = df.assign(_f=k, _r=np.arange(len(df)))
            best = df if best is None else pd.concat([best, df], ignore_index=True)
            if sort:
                best = best.sort_values([*sort, "_f", "_r"], ascending=[*asc, True, True], kind="stable")
            best = best.head(max(0, int(n)))
        if best is None:
            best = pd.DataFrame(columns=want if want is not None else self.columns(name))
        out = best.drop(columns=["_f", "_r"], errors="ignore")
        return (out if want is None else out[want]).reset_index(drop=True), total

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
    """One stored partition as a small :class:`~framelens.read.corpus.Corpus` (its documents and their
    rows of every table; tokens and terms read when first used)."""
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
