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

:func:`ingest` processes the batches (clean, segment, tokenize: :func:`framelens.read.corpus.process_chunk`)
as *map* steps on an execution engine (:mod:`framelens.core.engine`: serial, a process pool or Dask)
and writes each batch's tables — paragraphs, sentences, tokens, terms, audit — as one partition of
the store's corpus folder; the documents' metadata is one table. Proper-name collocations need
corpus-wide counts: each partition's word counts are mapped, merged (reduce), then each
partition's candidate pair counts are mapped and merged, the collocations decided, and only then
each partition's terms are built (a third map). The result equals :func:`framelens.load_corpus`
on the same input, table for table (a test checks it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from framelens.errors import fail
from framelens.read.stream import PARTITION_DOCUMENTS, TABLE_SUFFIXES, corpus_format, read_batches  # noqa: F401  (moved; re-exported)
from framelens.core.engine import PARALLEL_SENTENCES, get_engine, parallel_workers
from framelens.read import corpus as C
from framelens.tables.parquet import read_table, write_partitioned_manifest, write_table
from framelens.text import tokens as tok
from framelens.text.tokens import pair_counts, release_memory, term_table


# ---------------------------------------------------------------------------------------------
# the map steps (pure functions of one partition; they run on the engine's workers)


def _write(df: pd.DataFrame, path: Path) -> dict:
    """Write a table atomically (a retried task rewrites it whole)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    meta = write_table(df, tmp)
    os.replace(tmp, path)
    return meta


def map_process(task: tuple) -> dict:
    """Map 1: clean, segment and tokenize one batch; write its paragraphs, sentences, audit and
    tokens into the partition folder; return the per-document facts and the collocation counts."""
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
    folder, proper = task
    tokens = read_table(Path(folder) / "tokens.parquet", columns=["token", "i"])
    return pair_counts(tokens, proper)


def map_terms(task: tuple) -> dict:
    """Map 3: one partition's terms (words with the corpus-wide phrases merged), written beside
    its tokens."""
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

#: From this many input bytes on (about 1,000 news articles), an ingest given no engine maps on a
#: process pool (:func:`ingest_engine`).
PARALLEL_INGEST_BYTES = 3_000_000


def ingest_engine(inputs: dict | None, workers: int | None = None):
    """Where an ingest given no engine runs its map steps — the one rule for the command line and a
    notebook's or a script's store: a process pool of ``workers`` processes (``None``: the machine's
    cores; :func:`framelens.core.engine.parallel_workers` decides, serial inside a pool worker) for
    input files (``inputs``, as :func:`framelens.read.files.input_files` lists them) of
    :data:`PARALLEL_INGEST_BYTES` or more in all, else this process. The caller closes it."""
    size = sum(int(f.get("bytes", 0)) for f in (inputs or {}).get("files", []))
    n = parallel_workers(workers, sentences=PARALLEL_SENTENCES) if size >= PARALLEL_INGEST_BYTES else 1
    return get_engine(None, workers=n)


def ingest(path: str | os.PathLike, folder: str | os.PathLike, *, key: str = "", inputs: dict | None = None,
           engine: Any = None, workers: int = 1, text_column: str = "text", stopwords=None, phrases=None,
           collocations: bool = True, batch_documents: int | None = None,
           timings: dict[str, float] | None = None, progress=None) -> list[str]:
    """Read the corpus at ``path`` in batches and write it into the corpus folder ``folder`` of a
    lens store as Parquet partitions (see the module docstring). ``engine``: where the map steps run
    (:func:`framelens.core.engine.get_engine`: ``None`` = serial for ``workers`` ≤ 1, a name, an
    address or a ``dask.distributed.Client``). The folder appears whole or not at all (written
    under a temporary name, then renamed). Returns the loader's warnings (also in the manifest).
    """

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
