"""The lens store: compute once, render many.

Every lens table a report shows is computed once, by :func:`framelens.store.compute.compute` (or on
first use), and kept on disk as Parquet; the notebooks read it and only select, sort, draw and
explain. A store is a folder::

    <store>/
      framelens-store.json                 marks the folder as a lens store (schema version)
      corpus-<key>/                        the corpus: its manifest and documents (metadata) table,
        manifest.json                      then one folder per partition (runs of 1,000 documents)
        documents.parquet                  holding their documents, paragraphs, sentences, tokens,
        partitions/p00000/*.parquet        terms and audit (see framelens.store.ingest)
        <part>-<key>/                      one folder per lens part and option set
          manifest.json                    (vocabulary, sentiment, framing, synthesis, profile)
          *.parquet                        a part's tables; per-sentence / per-document tables of
          <table>/p00000.parquet           the map/reduce parts are kept per partition

Partitions. The corpus is stored, and the map/reduce parts (:mod:`framelens.store.parts`: vocabulary,
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

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd

from framelens.errors import FramelensError, PartFailed, Unavailable
from framelens.tables.parquet import CORPUS_TABLES, MANIFEST, PARTITIONS, PARTITION_DOCUMENTS, PARTITION_TABLES, SCHEMA_VERSION, Tables, _read_manifest, _version, concat_frames, concat_parts, partition_dirs, read_corpus, read_partition, read_partition_rows, read_parts, read_table, temp_folder, write_corpus, write_folder, write_partitioned_manifest, write_table  # noqa: F401  (moved; re-exported)
from framelens import config
from framelens.core.engine import auto_engine, get_engine
from framelens.core.progress import Progress
from framelens.lenses import reuse
from framelens.read.corpus import documents_only
from framelens.read.files import input_files
from framelens.store.ingest import ingest, ingest_engine
from framelens.store.parts import compute_part, Computed, map_partition, PARTS, resolve_options, view_partition
from framelens.tables.mapreduce import Reduction, spill_partials

STORE_FILE = "framelens-store.json"
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
    """SHA-256 of every input file the loader reads (:func:`framelens.read.corpus.input_files`: the
    manifest and the files it names, a folder's ``.txt`` files, or the table file), and one digest
    over them all (paths and contents)."""
    files, base = input_files(corpus)
    rows = [{"path": p.relative_to(base).as_posix(), "bytes": p.stat().st_size, "sha256": file_sha256(p)}
            for p in files]
    digest = hashlib.sha256("".join(f"{r['path']}\0{r['sha256']}\n" for r in rows).encode()).hexdigest()
    return {"files": rows, "digest": digest}


#: The framelens package whose code and data files are fingerprinted (:func:`code_fingerprint`).
CODE_ROOT = Path(__file__).resolve().parent.parent


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
        self.engine = engine  # where map steps run (framelens.core.engine.get_engine); None: here
        self.progress = None  # a framelens.core.progress.Progress told of each map step (None: nothing)

    @property
    def view_corpus(self):
        """The documents of the corpus view (unit ``by``, selection ``sources``) without reading any
        text table: what a reduce needs to order and name the units."""
        if self._view is None:
            if self._loaded is not None:
                self._view = self.base_corpus
            else:

                if not self.has_corpus():
                    self.ingest()
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

    def ingest(self, *, engine=None, workers: int | None = None, progress=None, timings: dict | None = None) -> None:
        """Read the input in batches and store it as Parquet partitions (:func:`framelens.store.ingest.ingest`),
        the map steps on ``engine`` (see :func:`framelens.core.engine.get_engine`); none given, on the
        store's engine, else as :func:`framelens.store.ingest.ingest_engine` decides (a pool of
        ``workers`` processes for a large input). Nothing to do when the corpus is stored already."""
        if self.has_corpus():
            return
        own = None
        if engine is None:
            engine = self.engine if self.engine is not None else (own := ingest_engine(self.inputs, workers))
        try:
            ingest(self.corpus_path, self.corpus_dir, key=self.corpus_key, inputs=self.inputs, engine=engine,
                   progress=progress, timings=timings)
        finally:
            if own is not None:
                own.close()

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
        (``own_text``), as found by the stored ``reuse`` part (:func:`framelens.lenses.reuse.prepare`)."""
        if self._corpus is None:
            base = self.base_corpus
            if self.own_text or self.drop_near_duplicates:

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

    def _failure_file(self, name: str, options: Mapping[str, Any]) -> Path:
        folder = self.part_dir(name, options)
        return folder.with_name(folder.name + ".failed")

    def mark_failed(self, name: str, options: Mapping[str, Any], reason: str) -> None:
        """Record that computing part ``name`` failed (``reason``): a report that needs it then
        says so at once instead of computing it again in its own kernel (where it would fail
        again, e.g. out of memory). :meth:`clear_failure` (``framelens run`` does it before each
        try) lets it be computed again."""
        try:
            self._failure_file(name, options).write_text(reason, encoding="utf-8")
        except OSError:  # a read-only store: the report will try, and say why it failed
            pass

    def clear_failure(self, name: str, options: Mapping[str, Any]) -> None:
        try:
            self._failure_file(name, options).unlink(missing_ok=True)
        except OSError:
            pass

    def part(self, name: str, **options: Any) -> Tables:
        """The tables of lens part ``name`` computed with ``options`` (defaults filled in),
        computed and stored first if missing. Unknown part or option names are errors."""
        if name not in PARTS:
            raise FramelensError(f"lens store: no part {name!r} (parts: {', '.join(PARTS)})")
        opts = resolve_options(name, options)
        folder = self.part_dir(name, opts)
        key = folder.name
        if key in self._parts:
            return self._parts[key]
        if not (folder / MANIFEST).is_file():
            failed = self._failure_file(name, opts)
            if failed.is_file():
                reason = failed.read_text(encoding="utf-8", errors="replace").strip()
                raise PartFailed(f"lens store: the {name} part failed when the store was computed ({reason}); "
                                 "run `framelens run` again to retry it")
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

    def optional_part(self, name: str, **options: Any) -> "Tables | Unavailable":
        """:meth:`part`, or — when the part (or one it is built from) failed when the store was
        computed — an :class:`framelens.errors.Unavailable` holding the reason, for a report
        section that can be left out while the rest of the report is made."""
        try:
            return self.part(name, **options)
        except PartFailed as exc:
            return Unavailable(name, str(exc).removeprefix("lens store: "))

    def _map_reduce(self, name: str, opts: Mapping[str, Any], needs: Mapping[str, Any], folder: Path):
        """Part ``name`` as map steps over the stored corpus partitions (on :attr:`engine`) and a
        reduce here; the maps write the part's row tables into the part's temporary folder."""
        part = PARTS[name]
        view_c = self.view_corpus
        view = {"by": self.by, "sources": self.sources, "labels": view_c.labels}
        small = {n: Computed({t: needs[n][t] for t in needs[n] if t not in PARTS[n].row_tables},  # rows stay on disk
                             getattr(needs[n], "info", {})) for n in needs}
        tmp = temp_folder(folder)
        spill = temp_folder(folder.with_name(f"{folder.name}-partials"))  # removed after the reduce
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
                for k, out in enumerate(eng.imap(map_partition, tasks, label=name)):
                    # each partition's partials go to disk as they arrive: this process holds one
                    # partition's at a time, the reduce reads them back one table at a time
                    outs.append({"rows": out["rows"], "partials": spill_partials(out["partials"], spill / f"{k:05d}")})
                    del out
                    prog.advance(f"{name} map")
            if own is not None and own.name == "processes" and own.workers == 1:
                own.close()  # the maps' child process (auto_engine, a part beside others): what they loaded goes with it
                eng = get_engine(None)  # the reduce sees what it would have seen here (reuse then pools its tasks)
            entries = {t: [e for o in outs for e in o["rows"].get(t, [])] for t in part.row_tables}
            red = Reduction(name, [o["partials"] for o in outs],
                            {t: [(tmp / e["file"], e) for e in entries[t]] for t in part.row_tables}, view_c)
            red.fetch = lambda ids: fetch_sentences(self, ids)  # noqa: E731
            red.load_whole = lambda: self.corpus  # noqa: E731
            red.engine, red.partitions = eng, [str(p) for p in dirs]  # for reduces that run tasks (reuse)
            red.progress = prog  # for reduces whose own steps are long (reuse: its tasks done out of the total)
            red.auto_engine, red.out_dir = own is not None, str(tmp)  # (engine chosen here; where pieces go)
            red.load_partitions = lambda: (c for c in (view_partition(read_partition(p), view)  # noqa: E731
                                                       for p in self.partitions()) if c is not None)
            with prog.phase(f"{name} reduce", None, ""):
                tables, info = part.reduce(red, dict(opts), needs)
            # tables the reduce wrote in pieces (lists of their entries, see tables.parquet.write_piece)
            entries.update({t: tables.pop(t) for t in [t for t, v in tables.items() if isinstance(v, list)]})
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(spill, ignore_errors=True)
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
    if value is None or value == "":
        return config.file_digest(None, kind)
    if isinstance(value, (str, os.PathLike)):
        p = Path(value).expanduser()
        if not p.is_file():
            raise FramelensError(f"{kind}={value}: no such file ({p.resolve()})")
        return config.file_digest(p)
    return digest(repr(value))


def _loader_config_digests() -> dict[str, str]:
    return {k: config.file_digest(None, k) for k in ("stopwords", "phrases")}
