"""Map/reduce over a corpus' partitions: :func:`split_corpus`, :func:`reduction` and the
:class:`Reduction` a lens's reduce reads (partials concatenated in corpus order, row tables read back
partition by partition). The lenses' whole-corpus functions run through it (one path).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence
import pandas as pd
from framelens.read.corpus import Corpus
from framelens.tables.parquet import concat_frames, read_parts
from framelens.text.tokens import release_memory


def split_corpus(corpus, partitions: int) -> list:
    """The corpus cut into ``partitions`` runs of consecutive documents (for tests of partition
    invariance and for in-memory map/reduce)."""
    n = max(1, int(partitions))
    if n == 1:
        return [corpus]
    import numpy as np

    ids = corpus.documents["doc_id"].astype(str).tolist()
    bounds = np.linspace(0, len(ids), n + 1).round().astype(int)
    return [c for a, b in zip(bounds[:-1], bounds[1:]) if b > a
            for c in [_documents_subset(corpus, set(ids[a:b]))]]


def _documents_subset(corpus, keep: set):

    def f(df):
        if not isinstance(df, pd.DataFrame):
            df = df()
        out = df[df["doc_id"].astype(str).isin(keep).to_numpy()].reset_index(drop=True)
        for c in out.columns:
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                out[c] = out[c].cat.remove_unused_categories()
        return out

    out = Corpus(documents=f(corpus.documents), paragraphs=f(corpus.paragraphs), sentences=f(corpus.sentences),
                 tokens=f(corpus.tokens), terms=f(corpus.terms), audit=f(corpus.audit), warnings=list(corpus.warnings),
                 path=corpus.path, stopwords=corpus.stopwords, phrases=corpus.phrases,
                 all_sources=list(corpus.all_sources))
    out.unit = corpus.unit
    return out


def reduction(corpus, map_fn: Callable[[Any], Mapping[str, pd.DataFrame]], *, row_tables: Sequence[str] = (),
              partitions: int = 1) -> "Reduction":
    """``map_fn`` (a partition → named tables) over the corpus cut into ``partitions`` runs of
    documents, as the :class:`Reduction` a reduce reads: what the lenses' whole-corpus functions
    run, so they are the very map and reduce of the lens store (one path). The tables named in
    ``row_tables`` are row tables, the others partials."""
    outs = []
    for piece in split_corpus(corpus, partitions):
        out = dict(map_fn(piece))
        outs.append(({t: out.pop(t) for t in row_tables if t in out}, out))
    return Reduction("memory", [o[1] for o in outs], {t: [o[0][t] for o in outs if t in o[0]] for t in row_tables},
                     corpus)


class SpilledPartials(Mapping):
    """One partition's partial tables kept on disk, one file per table, each read back when a
    reduce asks for it (and not kept): so the process reducing holds one partition's partials at
    a time, not every partition's, whatever the corpus size. Made by :func:`spill_partials`.

    The files are a private scratch copy, written and read by the same process and removed with
    their folder after the reduce (never a store table): pickle gives back exactly the frames
    the map returned (dtypes, categories and their order), so the reduce's tables are the same."""
    def __init__(self, folder: str | os.PathLike, names: Sequence[str]):
        self.folder = Path(folder)
        self._names = list(names)

    def __getitem__(self, key: str):
        if key not in self._names:
            raise KeyError(key)
        with open(self.folder / f"{self._names.index(key)}.pkl", "rb") as fh:
            return pickle.load(fh)

    def __contains__(self, key: object) -> bool:  # without reading the table
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def spill_partials(partials: Mapping[str, Any], folder: str | os.PathLike) -> SpilledPartials:
    """``partials`` (one partition's map output, name → table) written into ``folder`` (created),
    as a :class:`SpilledPartials` that reads each table back on access."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(partials)
    for i, k in enumerate(names):
        with open(folder / f"{i}.pkl", "wb") as fh:
            pickle.dump(partials[k], fh, protocol=pickle.HIGHEST_PROTOCOL)
    return SpilledPartials(folder, names)


class PartialTables(Sequence):
    """One partial table (``key``) of every partition that has it, in corpus order, read when asked
    for: a reduce can pass over the partitions twice (counts first, then the evidence of what it
    kept) without holding every partition's table at once (a spilled partition's is read from disk
    at each access, and not kept)."""
    def __init__(self, partials: Sequence[Mapping[str, Any]], key: str):
        self._partials = [p for p in partials if key in p]
        self.key = key

    def __len__(self) -> int:
        return len(self._partials)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [p[self.key] for p in self._partials[i]]
        return self._partials[i][self.key]


#: :func:`fold` merges once at least this many rows wait (fewer merges of small tables).
FOLD_ROWS = 1 << 20


def fold(items, merge: Callable[[list], Any], *, size: Callable[[Any], int] = len, share: float = 1.0,
         min_size: int | None = None):
    """``merge`` of every item of ``items``, folded into a running result as they come: whenever the
    items waiting reach ``share`` × the result's size (and at least ``min_size``, default
    :data:`FOLD_ROWS`), ``merge([result, *waiting])`` replaces the result. For a ``merge`` that sums
    rows by key and keeps first occurrences (merging merged pieces, in order, gives the same as merging
    everything at once): the process holds about the result and its size again (``share``), not every
    item at once. Empty items are skipped; ``None`` when there is none."""
    floor = FOLD_ROWS if min_size is None else min_size
    run, waiting, n_waiting = None, [], 0
    for item in items:
        k = size(item)
        if not k:
            continue
        waiting.append(item)
        n_waiting += k
        if n_waiting >= max(0 if run is None else share * size(run), floor):
            run = merge(([] if run is None else [run]) + waiting)
            waiting, n_waiting = [], 0
            release_memory()  # the merge's scratch memory handed back before the next pieces come
    if waiting:
        run = merge(([] if run is None else [run]) + waiting)
        release_memory()
    return run


class Reduction:
    """What a part's reduce sees: ``partial(name)`` — one of the maps' partial tables, all
    partitions concatenated in corpus order (merging is concatenation, then sums or other
    associative reductions done by the reduce, so any partitioning gives the same tables);
    ``rows(table, columns=, doc_ids=)`` — a row table the maps wrote, read back (only some
    columns, only some documents: e.g. the sentences of a single-document unit, or evidence);
    ``documents`` / ``sources`` / ``labels`` — the corpus view compared (every document's
    metadata, the units in corpus order, their display names)."""
    def __init__(self, name: str, partials: Sequence[Mapping[str, pd.DataFrame]],
                 rows: Mapping[str, Any], view):
        self.name = name
        self._partials = list(partials)
        self._rows = rows
        self.view = view
        self.documents = view.documents
        self.sources = list(view.sources)
        self.labels = dict(view.labels)

    fetch = None  # sent_ids → DataFrame with sent_id and text (the store sets it; else the view's sentences)
    load_partitions = None  # → an iterator over the view's partitions, text included (the store sets it)
    load_whole = None  # → the whole corpus view (the store sets it; else the view itself)
    progress = None  # a framelens.core.progress.Progress for a long reduce's own steps (the store sets it)

    def whole(self):
        """The whole corpus view, text and tokens included: for the few tables that are not
        map/reduce yet (they cost the memory of the whole corpus)."""
        return self.load_whole() if self.load_whole is not None else self.view

    def each_partition(self):
        """The corpus view's partitions, text included, one at a time (in corpus order): for a
        second pass that needs what the first reduce found (memory: one partition)."""
        if self.load_partitions is not None:
            yield from self.load_partitions()
        else:
            yield self.view

    def partials_list(self) -> list[Mapping[str, pd.DataFrame]]:
        """Every partition's partials, in corpus order (for merges that need partition boundaries)."""
        return self._partials

    def folded(self, key: str, merge) -> pd.DataFrame:
        """``merge(partial(key))`` — for a ``merge`` that sums rows by key and keeps first
        occurrences (so that merging merged pieces, in corpus order, gives the same table) —
        computed by folding the partitions' tables into a running merge whenever the waiting rows
        outgrow it: this process holds about the merged table and its size again, not every
        partition's rows at once (at 100 k articles, tens of millions of (unit, term) rows)."""
        run = fold((p[key] for p in self._partials if key in p), lambda pieces: merge(concat_frames(pieces)))
        return merge(self.partial(key)) if run is None else run

    def fetch_text(self, sent_ids: Sequence[str]) -> dict[str, str]:
        """The text of a few sentences (evidence), by id."""
        if self.fetch is not None:
            ev = self.fetch(list(sent_ids))
        else:
            s = self.view.sentences
            ev = s[s["sent_id"].astype(str).isin(set(map(str, sent_ids)))]
        return dict(zip(ev["sent_id"].astype(str), ev["text"]))

    def partial(self, key: str) -> pd.DataFrame:

        return concat_frames([p[key] for p in self._partials if key in p])

    def row_parts(self, table: str, *, columns: Sequence[str] | None = None, doc_ids=None,
                  categories: Sequence[str] = ()):
        """A row table the maps wrote, one partition at a time in corpus order (only ``columns``,
        only the rows of ``doc_ids``): for reduces that fold partition by partition, so the
        client never holds the whole table. ``categories``: text columns read from disk as
        categoricals (:func:`framelens.tables.parquet.read_table`)."""
        src = self._rows.get(table) or []
        if not src:
            return
        if isinstance(src[0], pd.DataFrame):
            keep = set(map(str, doc_ids)) if doc_ids is not None else None
            for df in src:
                if keep is not None:
                    df = df[df["doc_id"].astype(str).isin(keep).to_numpy()]
                yield df[list(columns)] if columns is not None else df
        else:
            yield from read_parts(src, columns=columns, doc_ids=doc_ids, categories=categories)

    def rows(self, table: str, *, columns: Sequence[str] | None = None, doc_ids=None,
             categories: Sequence[str] = ()) -> pd.DataFrame:
        """A row table the maps wrote, whole (see :meth:`row_parts`)."""
        return concat_frames(list(self.row_parts(table, columns=columns, doc_ids=doc_ids, categories=categories)))
