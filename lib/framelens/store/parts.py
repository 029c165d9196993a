"""The lens parts: what the lens store (:mod:`framelens.store.lens_store`) computes, with which options;
and :func:`compute`, which computes them once for a corpus.

The lens tables are grouped into *parts*, one per lens plus the synthesis and the per-source
profiles. Each part is a function of the corpus (and of the parts it is built from) with named
options; the store keys a part by exactly those options, the configuration files among them
(by content) and the corpus, so each part is computed once per option set and reused by every
report that reads it. Sentiment, framing and over-time are built on the stored actor table, so
every actor measure uses the very same actors.

========== ======================================================== =============================
part       tables                                                    options
========== ======================================================== =============================
actors     the actor table every actor measure uses: yours, or the   actors
           packaged countries/organisations + discovered actors
vocabulary size and style, diversity, distinctive terms, shared      min_count, prior_strength,
           and unique words, similarity, naming choices, name        mattr_window,
           variants, naming pairs, collocations                      collocation_min_count,
                                                                     referents
sentiment  sentence scores, aggregates, intervals, pairwise tests,   seed, n_resamples,
           arc, tone toward actors, subjectivity, method agreement   n_permutations, arc_bins,
                                                                     arc_smooth, actors
framing    codebook, salience (generic, Entman, policy, foreign-policy   seed, n_resamples, codebook,
           frames), Semetko & Valkenburg question hits, article      markers, actors, min_hits
           frame scores, frame evidence, co-occurrence, actor
           prominence, agency, quotations, certainty, coverage
synthesis  key measures, lens table, combined similarity, findings   the three lenses' options +
                                                                     similarity_lenses, normalise
profile    one source against the rest (one folder per source)       the lenses' options +
                                                                     source_id, top
reuse      shared passages, their edits and direction, boilerplate,  min_words, min_similarity, ...
           near-duplicates, the reused share of each article
dating     each article's period, what is left out (documents only) period, max_units
over_time  status (period, left-out articles), dating, tone, leading  period, seed, n_resamples,
           frames, actors' prominence per period × unit; terms       codebook, actors, min_hits, top,
           rising and falling per period, their rates                top_terms, min_count,
                                                                     prior_strength, terms_by, max_units
========== ======================================================== =============================

At scale, the actors, vocabulary, sentiment and framing parts are *map/reduce* parts (:class:`Part`'s
``map`` / ``reduce``): the map runs on one corpus partition of the store (on the engine of
:mod:`framelens.core.engine`: here, a process pool or Dask) and returns per-document / per-sentence
rows without text (written per partition) and small partials (counts, sums); the reduce merges
them here. Any partitioning gives the same tables (tests check 1, 3 and 16 partitions). There is
one path: the lenses' whole-corpus functions (``vocabulary.distinctive_terms(corpus)``,
``sentiment.source_intervals(scores)``, ``framing.frame_salience(corpus)``, ``actors.discover``,
``reuse.shared_passages``, ...) are the same maps over the corpus as one partition
(:func:`reduction`) followed by the same reduces, and a part computed without a store is its map
and reduce on one partition. Vocabulary's naming tables and collocations come from the maps'
counts (the naming choices count the variants in a second pass, one partition at a time);
``over_time`` maps with each article's period from the ``dating`` part (documents only); ``reuse``
runs its verification and alignment tasks on the engine; ``overview`` (report 01, ``framelens
check``) merges per-partition summaries; ``synthesis`` and ``profile`` read the stored lens tables
and fetch quoted sentences by id. Not map/reduce yet: the store with ``own_text`` /
``drop_near_duplicates`` (the text prepared corpus-wide).

What stays in the notebooks is presentation: choosing the top rows, sorting, drawing and
explaining. :func:`compute` computes the parts for a corpus (the runner calls it before any
notebook starts, with ``workers`` processes for independent parts); a notebook that finds a part
missing computes it with the same functions.
"""

from __future__ import annotations

import os
from pathlib import Path
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from framelens.errors import FramelensError
from framelens.lenses.stats import N_PERMUTATIONS, N_RESAMPLES
from framelens.tables.mapreduce import PartialTables, Reduction, reduction, split_corpus  # noqa: F401  (moved; re-exported)
from framelens.lenses import actors, framing, over_time, overview, profile, reuse, sentiment, synthesis, vocabulary
from framelens.lenses.validation import failure_modes
from framelens.read.corpus import unit_values
from framelens.store import parts
from framelens.tables.parquet import (concat_frames, read_partition, read_parts, read_table, read_where, write_piece,
                                      write_table)
from framelens.text.tokens import release_memory

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Part:
    """A group of lens tables computed together. ``options``: name → default; ``configs``: the
    options that name configuration files (hashed by content); ``needs``: parts it is built from
    (their options are part of its own). ``version``: a manual salt of the part's store key, no
    longer needed after a code change (the key holds a fingerprint of the package's code and data,
    :func:`framelens.store.lens_store.code_fingerprint`); bump it only to force a recomputation."""
    name: str
    version: int
    options: Mapping[str, Any]
    compute: Callable[..., tuple[Tables, dict]]
    configs: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: map/reduce form (see :class:`Reduction`): ``map(corpus, opts, needs)`` on one corpus
    #: partition returns named DataFrames — the ``row_tables`` (per-sentence or per-document
    #: rows, written per partition and concatenated in corpus order) and small text-free partials;
    #: ``reduce(reduction, opts, needs)`` merges the partials into the part's other tables.
    map: Callable[..., dict] | None = None
    reduce: Callable[..., tuple[Tables, dict]] | None = None
    row_tables: tuple[str, ...] = ()
    #: computed from the documents' metadata alone (the store passes its documents-only view)
    documents_only: bool = False

    def all_options(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in self.needs:
            out.update(PARTS[n].all_options())
        out.update(self.options)
        return out


# ---------------------------------------------------------------------------------------------
# the parts


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")  # one-source corpora: the lenses warn; the notebooks say it once
    return ctx


#: Pairwise comparisons (tests between sources, similarity matrices) are made among at most this
#: many units — the largest by sentences, as the figures and profiles pick them — so their number
#: (n² / 2) stays bounded whatever the corpus; every per-unit table still covers every unit.
MAX_PAIRWISE_UNITS = 30
MAX_SIMILARITY_UNITS = 60


def largest_units(corpus, n: int) -> list[str]:
    """The ``n`` units with most sentences (ties in corpus order)."""
    size = corpus.documents.groupby("source", sort=False)["n_sentences"].sum()  # no text table read
    order = sorted(range(len(corpus.sources)), key=lambda i: (-int(size.get(corpus.sources[i], 0)), i))
    keep = {corpus.sources[i] for i in order[:n]}
    return [s for s in corpus.sources if s in keep]


def _bounded(corpus, n: int):
    """The corpus itself, or its ``n`` largest units when it has more (and a note saying so)."""
    if len(corpus.sources) <= n:
        return corpus, ""
    return corpus.select(largest_units(corpus, n)), (
        f"among the {n} largest of {len(corpus.sources)} units (by sentences); the others are in every "
        "per-unit table")


def vocabulary_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The vocabulary part on the corpus as one partition: its map and reduce (one path)."""
    return compute_part("vocabulary", corpus, opts, needs, partitions=1)


def vocabulary_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:

    out = vocabulary.vocabulary_map(corpus, window=opts["mattr_window"])
    # the naming and collocation partials (text-free counts, merged by the reduce)
    out["collocation_counts"] = vocabulary.collocation_counts(corpus)
    out.update(vocabulary.naming_pair_counts(corpus))
    out.update(vocabulary.variant_counts(corpus))
    return out


def vocabulary_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The vocabulary part from merged counts (the naming tables and collocations: :func:`naming_reduce`)."""
    size = red.documents.groupby("source", sort=False)["n_sentences"].sum()
    order = sorted(range(len(red.sources)), key=lambda i: (-int(size.get(red.sources[i], 0)), i))
    keep = {red.sources[i] for i in order[:MAX_SIMILARITY_UNITS]}
    sim_units = [s for s in red.sources if s in keep]
    note = (f"among the {MAX_SIMILARITY_UNITS} largest of {len(red.sources)} units (by sentences); the others are "
            "in every per-unit table") if len(red.sources) > MAX_SIMILARITY_UNITS else ""
    merged = vocabulary.vocabulary_reduce(red, min_count=opts["min_count"], prior_strength=opts["prior_strength"],
                                          window=opts["mattr_window"], similarity_units=sim_units)
    out_dir = getattr(red, "out_dir", None)
    if out_dir is not None:  # the largest tables written now (one piece each), not held through the naming step
        for name in ("distinctive", "shared_unique"):
            merged[name] = [write_piece(merged[name], out_dir, name, "p00000")]
    release_memory()  # the merges' scratch memory handed back before the naming tables
    ctx = _quiet()
    try:
        whole = naming_reduce(red, opts)
    finally:
        ctx.__exit__(None, None, None)
    tables = {**merged, **whole}
    order = ["size_style", "diversity", "distinctive", "shared_unique", "shared_unique_summary",
             "similarity_tfidf_cosine", "similarity_jaccard", "naming_pairs", "naming", "variant_candidates",
             "variant_candidates_wide", "collocations"]
    return {k: tables[k] for k in order}, {"similarity_note": note}


def naming_reduce(red, opts: Mapping[str, Any]) -> Tables:
    """The vocabulary part's naming tables and collocations from the maps' merged counts; the
    naming choices count the referent table's variants (the packaged one plus the pairs found)
    in a second pass over the partitions, one at a time (:meth:`Reduction.each_partition`)."""
    parts = red.partials_list()
    pairs = vocabulary.naming_pairs_from_counts(parts, red.sources, red.labels)
    ref = vocabulary.naming_referents(opts["referents"] or None, pairs)
    naming = vocabulary.naming_choices_from_counts([vocabulary.naming_counts(piece, ref) for piece in red.each_partition()],
                                                   ref, red.sources, red.labels)
    release_memory()  # each step's scratch memory handed back before the next (the largest scratch first)
    collocations = vocabulary.collocations_from_counts(PartialTables(parts, "collocation_counts"), red.sources,
                                                       red.labels, min_count=opts["collocation_min_count"])
    release_memory()
    variants = vocabulary.VariantMatrix.of(parts, red.sources)  # once: both tables from it
    return {"naming_pairs": pairs, "naming": naming, "variant_candidates": variants.long(red.labels),
            "variant_candidates_wide": variants.wide(red.labels), "collocations": collocations}


def actors_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The actor table every actor-based measure uses (:func:`framelens.lenses.actors.resolve`): the
    user's table, or the packaged countries and organisations plus the actors discovered in the
    corpus. Stored once, so sentiment and framing read the very same table."""
    return _actors_tables(actors.resolve(corpus, _given_actors(opts)))


def _given_actors(opts: Mapping[str, Any]):
    given = opts["actors"]
    return "" if given is None or (isinstance(given, str) and not given.strip()) else given


def _actors_tables(table: pd.DataFrame) -> tuple[Tables, dict]:
    info = {"note": actors.describe(table), "origin": table.attrs.get("origin", "given")}
    return {"table": table.reset_index(drop=True), "discovered": actors.discovered(table).reset_index(drop=True)}, info


def actors_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    """Actor discovery's map (:func:`framelens.lenses.actors.discovery_map`); nothing when a table is given."""
    given = _given_actors(opts)
    if not (isinstance(given, str) and given == ""):
        return {"name_candidates": pd.DataFrame(columns=actors.CANDIDATE_COLUMNS),
                "group_candidates": pd.DataFrame(columns=actors.GROUP_COLUMNS),
                "group_occurrences": pd.DataFrame(columns=actors.GROUP_COLUMNS)}
    return actors.discovery_map(corpus)


def actors_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The actor table from the maps' candidates and counts, read one partition at a time
    (:func:`framelens.lenses.actors.discovery_reduce`), or the given table."""
    given = _given_actors(opts)
    if not (isinstance(given, str) and given == ""):
        return _actors_tables(actors.resolve(red.view, given))
    found = actors.discovery_reduce(
        red.partials_list(), lambda: zip(*(red.row_parts(t) for t in PARTS["actors"].row_tables)),
        top=actors.DEFAULT_TOP, min_mentions=2, known=actors.load_actors())
    return _actors_tables(actors.with_packaged(found))


def _actor_table(needs: Mapping[str, Any]) -> pd.DataFrame:
    table = needs["actors"]["table"]
    return table


def sentiment_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The sentiment part on the corpus as one partition: its map and reduce (one path)."""
    return compute_part("sentiment", corpus, opts, needs, partitions=1)


def sentiment_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:

    return sentiment.sentiment_map(corpus, _actor_table(needs), arc_bins=opts["arc_bins"])


def sentiment_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:

    out = sentiment.sentiment_reduce(red, seed=opts["seed"], n_resamples=opts["n_resamples"],
                                     n_permutations=opts["n_permutations"], arc_bins=opts["arc_bins"],
                                     arc_smooth=opts["arc_smooth"], pairwise_units=MAX_PAIRWISE_UNITS)
    n = len(red.sources)
    note = (f"among the {MAX_PAIRWISE_UNITS} largest of {n} units (by sentences); the others are in every "
            "per-unit table") if n > MAX_PAIRWISE_UNITS else ""
    order = ["intervals", "by_source", "pairwise", "arc", "actors", "subjectivity", "method_agreement", "extremes",
             "most_subjective", "actor_comparison", "actor_baseline"]
    tables = {k: out[k] for k in order}
    tables["failure_modes"] = failure_modes("sentiment")  # run once here, where the scorers are loaded, not in a kernel
    return tables, {"actors_note": needs["actors"].info.get("note", ""), "pairwise_note": note,
                    "resampling": "documents of a unit with several, else its sentences"}


#: evidence sentences kept per source × frame and per source × certainty measure
EVIDENCE_PER_CELL = 5


def framing_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The framing part on the corpus as one partition: its map and reduce (one path)."""
    return compute_part("framing", corpus, opts, needs, partitions=1)


def framing_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:

    return framing.framing_map(corpus, framing.load_codebook(opts["codebook"] or None),
                               framing.load_markers(opts["markers"] or None), _actor_table(needs),
                               min_hits=opts["min_hits"], top=EVIDENCE_PER_CELL)


def framing_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:

    out = framing.framing_reduce(red, framing.load_codebook(opts["codebook"] or None),
                                 framing.load_markers(opts["markers"] or None), _actor_table(needs),
                                 n_resamples=opts["n_resamples"], seed=opts["seed"], top=EVIDENCE_PER_CELL)
    out["actors_discovered"] = needs["actors"]["discovered"]
    out["failure_modes"] = failure_modes("framing")  # run once here, where the tagger is loaded, not in a kernel
    return out, {"actors_note": needs["actors"].info.get("note", "")}


def lens_dict(vocabulary: Mapping[str, pd.DataFrame], sentiment: Mapping[str, pd.DataFrame],
              framing: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The stored lens tables under the names the profiles and the synthesis read
    (see :func:`framelens.lenses.profile.source_profile`)."""
    return {
        "distinctive": vocabulary["distinctive"], "vocab_similarity": vocabulary["similarity_tfidf_cosine"],
        "naming": vocabulary["naming"], "scores": sentiment["sentences"], "intervals": sentiment["intervals"],
        "pairwise": sentiment["pairwise"], "actor_table": sentiment["actors"],
        "actor_mentions": sentiment["actor_mentions"], "by_document": sentiment["by_document"],
        "salience": framing["salience"],
        "frame_evidence": framing["frame_evidence"], "certainty": framing["certainty"],
        "certainty_evidence": framing["certainty_evidence"], "items": framing["items"],
        "coverage": framing["coverage"],
    }


class _LazyLenses(Mapping):
    """The lens dict, each table read from the store only when a function asks for it."""
    _MAP = {"distinctive": ("vocabulary", "distinctive"), "vocab_similarity": ("vocabulary", "similarity_tfidf_cosine"),
            "naming": ("vocabulary", "naming"), "scores": ("sentiment", "sentences"),
            "intervals": ("sentiment", "intervals"), "pairwise": ("sentiment", "pairwise"),
            "actor_table": ("sentiment", "actors"), "actor_mentions": ("sentiment", "actor_mentions"),
            "by_document": ("sentiment", "by_document"), "salience": ("framing", "salience"), "frame_evidence": ("framing", "frame_evidence"),
            "certainty": ("framing", "certainty"), "certainty_evidence": ("framing", "certainty_evidence"),
            "items": ("framing", "items"), "coverage": ("framing", "coverage")}

    def __init__(self, needs: Mapping[str, Mapping[str, pd.DataFrame]]):
        self.needs = needs

    def __getitem__(self, key: str) -> pd.DataFrame:
        part, table = self._MAP[key]
        stored = self.needs[part]
        if key == "scores" and hasattr(stored, "scan") and stored.is_partitioned(table):
            return _scores_without_text(stored, table)  # per-sentence numbers; the text is fetched by id
        return stored[table]

    def __iter__(self):
        return iter(self._MAP)

    def __len__(self) -> int:
        return len(self._MAP)

    def __contains__(self, key: object) -> bool:  # whether the table is there, without reading it
        if key not in self._MAP:
            return False
        part, table = self._MAP[key]
        return part in self.needs and table in self.needs[part]

    def scan(self, key: str, *, columns=None, doc_ids=None, where: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Table ``key`` with only ``columns``, only the rows of ``doc_ids`` and only the rows whose
        columns equal ``where``'s values, read so from the store (the filters pushed down to Parquet:
        nothing else is decoded); from a table in memory, cut."""
        part, table = self._MAP[key]
        stored = self.needs[part]
        if where and hasattr(stored, "files"):
            return _read_where(stored, table, dict(where), columns, doc_ids)
        if hasattr(stored, "scan"):
            return stored.scan(table, columns=columns, doc_ids=doc_ids)
        df = stored[table]
        if doc_ids is not None:
            df = df[df["doc_id"].astype(str).isin(set(map(str, doc_ids))).to_numpy()]
        for c, v in (where or {}).items():
            df = df[(df[c] == v).to_numpy()]
        return (df if columns is None else df[list(columns)]).reset_index(drop=True)

    def columns(self, key: str) -> list[str]:
        """The columns of table ``key`` (from the store's schema: no row read)."""
        part, table = self._MAP[key]
        stored = self.needs[part]
        return list(stored.columns(table)) if hasattr(stored, "columns") else list(stored[table].columns)


def _read_where(stored, table: str, where: dict, columns, doc_ids) -> pd.DataFrame:
    """:meth:`_LazyLenses.scan` of a stored table with equality filters, read by Parquet file by file
    (:func:`framelens.tables.parquet.read_where`)."""
    return concat_frames([read_where(path, meta, columns=columns, where=where, doc_ids=doc_ids)
                          for path, meta in stored.files(table)]).reset_index(drop=True)


def _scores_without_text(stored, table: str) -> pd.DataFrame:
    """A stored per-sentence score table read partition by partition without its ``text``."""
    entry = stored.manifest["tables"][table]
    first = entry["parts"][0] if entry["parts"] else None
    cols = None
    if first is not None:
        import pyarrow.parquet as pq

        cols = [c for c in pq.read_schema(stored.folder / first["file"]).names if c != "text"]
    if cols is None:
        return read_table(stored.folder / f"{table}.parquet", entry) if "parts" not in entry else stored.scan(table)
    return stored.scan(table, columns=cols)


def stored_texts(needs: Mapping[str, Any]):
    """A :data:`framelens.lenses.profile.TextFetcher` reading the stored per-sentence sentiment table one
    partition at a time (only ``sent_id`` and ``text``, only the rows asked for); ``None`` when
    the lens tables are in memory (the corpus's own sentence table is then used)."""
    sent = needs.get("sentiment")
    if sent is None or not hasattr(sent, "scan") or not sent.is_partitioned("sentences"):
        return None

    def fetch(ids) -> dict[str, str]:

        want = set(map(str, ids))
        docs = {i.rsplit(":s", 1)[0] for i in want}
        found: dict[str, str] = {}
        entry = sent.manifest["tables"]["sentences"]
        for df in read_parts([(sent.folder / e["file"], e) for e in entry["parts"]],
                             columns=["sent_id", "doc_id", "text"], doc_ids=docs):
            df = df[df["sent_id"].astype(str).isin(want).to_numpy()]
            found.update(zip(df["sent_id"].astype(str), df["text"]))
            if len(found) == len(want):
                break
        return found

    return fetch


def synthesis_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:

    lenses = _LazyLenses(needs)
    sim_corpus, sim_note = _bounded(corpus, MAX_SIMILARITY_UNITS)
    ctx = _quiet()
    try:
        sim = synthesis.combined_similarity(sim_corpus, lenses=lenses, include=list(opts["similarity_lenses"]),
                                            method=opts["normalise"])
        out = {
            "findings": synthesis.key_findings(corpus, lenses=lenses, similarity=sim, texts=stored_texts(needs)),
            "lens_table": synthesis.lens_table(corpus, lenses=lenses),
            "key_measures": synthesis.key_measures(corpus, lenses=lenses),
            **synthesis.similarity_tables(sim),
        }
    finally:
        ctx.__exit__(None, None, None)
    return out, {"similarity_note": sim_note}


def profile_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:

    lenses = _LazyLenses(needs)
    source = opts["source_id"]
    profile.check_source(corpus, source)
    ctx = _quiet()
    try:
        prof = profile.source_profile(corpus, source, lenses=lenses, seed=opts["seed"],
                                      n_resamples=opts["n_resamples"], n_permutations=opts["n_permutations"],
                                      top=opts["top"], texts=stored_texts(needs))
    finally:
        ctx.__exit__(None, None, None)
    return dict(prof), {}


def reuse_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """Shared passages, boilerplate and near-duplicates (:func:`framelens.lenses.reuse.analyze`), always on
    the whole text (never on "own text only", which it defines)."""
    result = reuse.analyze(corpus, **{k: opts[k] for k in REUSE_OPTIONS})
    return reuse.to_tables(result)


def reuse_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    """Units without text, MinHash signatures and LSH band keys of one partition (:func:`framelens.lenses.reuse.reuse_map`)."""
    return reuse.reuse_map(corpus, **{k: opts[k] for k in REUSE_OPTIONS})


def reuse_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """Candidates grouped by band key, sentence pairs verified and document pairs aligned as tasks
    on the store's engine, each reading only its documents (:func:`framelens.lenses.reuse.reuse_reduce`)."""
    tables, info = reuse.reduce_tables(red, out_dir=getattr(red, "out_dir", None),
                                       **{k: opts[k] for k in REUSE_OPTIONS})  # in pieces in the store
    return tables, {k: info[k] for k in ("sources", "labels", "options", "stats")}


REUSE_OPTIONS = {"min_words": 10, "min_similarity": 0.6, "min_single_similarity": 0.75, "near_duplicate_share": 0.8,
                 "boilerplate_min_docs": 3, "seed": 0}


def over_time_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    ctx = _quiet()
    try:
        out = over_time.over_time(corpus, period=opts["period"], seed=opts["seed"], n_resamples=opts["n_resamples"],
                                  codebook=opts["codebook"] or None, actors=_actor_table(needs),
                                  min_hits=opts["min_hits"], top=opts["top"], top_terms=opts["top_terms"],
                                  min_count=opts["min_count"], prior_strength=opts["prior_strength"],
                                  terms_by=opts["terms_by"], max_units=opts["max_units"])
    finally:
        ctx.__exit__(None, None, None)
    st = out["status"].iloc[0]
    return out, {"period": st["period"], "n_periods": int(st["n_periods"]), "message": st["message"]}


def overview_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    """The corpus at a glance, map step: :func:`framelens.lenses.overview.partition_summary`."""
    return overview.partition_summary(corpus)


def overview_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The corpus at a glance, reduce: :func:`framelens.lenses.overview.merge_summaries`."""
    return overview.summary_tables(overview.merge_summaries(red.partials_list())), {}


def overview_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    return compute_part("overview", corpus, opts, needs)


def dating_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """Each article's period and what is left out (:func:`framelens.lenses.over_time.dating_tables`),
    from the documents alone (the store passes its documents-only view): what the over-time maps
    need before they run."""
    return over_time.dating_tables(corpus, period=opts["period"], max_units=opts["max_units"]), {}


def over_time_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    d = needs["dating"]
    if bool(d["status"]["nothing_to_show"].iloc[0]):
        return {}
    ctx = _quiet()
    try:
        # tone and frames come from the sentiment and framing parts' stored rows (over_time_reduce)
        return over_time.over_time_map(corpus, d["dating"], measures=("actors", "terms"),
                                       actors=_actor_table(needs), min_hits=opts["min_hits"])
    finally:
        ctx.__exit__(None, None, None)


def _columns(stored, table: str, columns: Sequence[str]) -> pd.DataFrame:
    """Only ``columns`` of a part's table: read partition by partition from the store (a stored
    part), or taken from the table in memory."""
    if hasattr(stored, "scan"):
        return stored.scan(table, columns=list(columns))
    return stored[table][list(columns)]


def _carried(framing_part) -> pd.DataFrame:
    """``sent_id, frame`` of every sentence carrying a frame, from the framing part's
    ``sentence_frames`` rows (``carried`` = 1)."""
    if hasattr(framing_part, "files"):  # the filter read by Parquet: the other rows are never decoded
        return _read_where(framing_part, "sentence_frames", {"carried": 1}, ["sent_id", "frame"], None)
    sf = _columns(framing_part, "sentence_frames", ["sent_id", "frame", "carried"])
    return sf.loc[sf["carried"].to_numpy() == 1, ["sent_id", "frame"]].reset_index(drop=True)


def _stored_rows(red, needs: Mapping[str, Any]):
    """``k`` → the sentiment part's scores (``sent_id, vader_compound``) and the framing part's carried
    frames (``sent_id, frame``) of the ``k``-th partition of ``red``: read from the files that
    partition's maps wrote (stored parts: one partition's rows at a time, the carried filter pushed
    down to Parquet), else the whole tables (parts in memory)."""
    sent, fr = needs["sentiment"], needs["framing"]
    names = [Path(p).name for p in (getattr(red, "partitions", None) or [])]
    if hasattr(sent, "files") and hasattr(fr, "files") and len(names) == len(red.partials_list()):
        scores = {Path(p).stem: (p, m) for p, m in sent.files("sentences")}
        frames = {Path(p).stem: (p, m) for p, m in fr.files("sentence_frames")}

        def read(k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
            sc, ca = scores.get(names[k]), frames.get(names[k])
            return (read_where(*sc, columns=["sent_id", "vader_compound"]) if sc is not None
                    else pd.DataFrame(columns=["sent_id", "vader_compound"]),
                    read_where(*ca, columns=["sent_id", "frame"], where={"carried": 1}) if ca is not None
                    else pd.DataFrame(columns=["sent_id", "frame"]))
        return read
    whole = (_columns(sent, "sentences", ["sent_id", "vader_compound"]), _carried(fr))
    return lambda k: whole


def over_time_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The over-time part from the maps' text-free partials (:func:`framelens.lenses.over_time.over_time_reduce`)."""
    d = needs["dating"]
    st = d["status"]
    out = {"status": st, "dating": d["dating"]}
    if bool(st["nothing_to_show"].iloc[0]):
        out.update(over_time.empty_tables())
    else:
        partials = over_time.with_stored_measures(red.partials_list(), _stored_rows(red, needs))
        out.update(over_time.over_time_reduce(
            partials, d["dating"], seed=opts["seed"], n_resamples=opts["n_resamples"],
            codebook=opts["codebook"] or None, actors=_actor_table(needs), top=opts["top"],
            top_terms=opts["top_terms"], min_count=opts["min_count"], prior_strength=opts["prior_strength"],
            terms_by=opts["terms_by"], max_units=opts["max_units"]))
    r = st.iloc[0]
    return out, {"period": r["period"], "n_periods": int(r["n_periods"]), "message": r["message"]}


_VOCAB = {"min_count": 3, "prior_strength": 500.0, "mattr_window": 50, "collocation_min_count": 3, "referents": ""}
_SENT = {"seed": 0, "n_resamples": N_RESAMPLES, "n_permutations": N_PERMUTATIONS, "arc_bins": 10, "arc_smooth": 3, "actors": ""}
_FRAME = {"seed": 0, "n_resamples": N_RESAMPLES, "codebook": "", "markers": "", "actors": "", "min_hits": 1}

#: The parts of the lens store, in the order they are computed.
PARTS: dict[str, Part] = {
    "actors": Part("actors", 2, {"actors": ""}, actors_part, configs=("actors",),
                   description="the actor table: yours, or packaged countries/organisations + discovered actors",
                   map=actors_map, reduce=actors_reduce, row_tables=("name_candidates", "group_candidates", "group_occurrences")),
    "vocabulary": Part("vocabulary", 3, _VOCAB, vocabulary_part, configs=("referents",),
                       description="which words and names each source chooses",
                       map=vocabulary_map, reduce=vocabulary_reduce),
    "sentiment": Part("sentiment", 4, {k: v for k, v in _SENT.items() if k != "actors"}, sentiment_part,
                      needs=("actors",), description="the tone of each source's sentences, and toward each actor",
                      map=sentiment_map, reduce=sentiment_reduce,
                      row_tables=("sentences", "by_document", "by_paragraph", "actor_mentions")),
    "framing": Part("framing", 5, {k: v for k, v in _FRAME.items() if k != "actors"}, framing_part,
                    configs=("codebook", "markers"), needs=("actors",),
                    description="frames, actors and their verbs, voices, certainty, coverage",
                    map=framing_map, reduce=framing_reduce,
                    row_tables=("document_frames", "agency", "quotations", "items", "sentence_stats",
                                "sentence_frames", "sentence_markers")),
    "synthesis": Part("synthesis", 1, {"similarity_lenses": ["vocabulary", "sentiment", "framing"],
                                       "normalise": "minmax"}, synthesis_part,
                      needs=("vocabulary", "sentiment", "framing"),
                      description="how the sources differ across the lenses"),
    "profile": Part("profile", 2, {"source_id": "", "top": 10}, profile_part,
                    needs=("vocabulary", "sentiment", "framing"),
                    description="one source against the rest"),
    "reuse": Part("reuse", 2, REUSE_OPTIONS, reuse_part,
                  description="shared passages between sources, boilerplate, near-duplicate articles",
                  map=reuse_map, reduce=reuse_reduce),
    "dating": Part("dating", 1, {"period": "auto", "max_units": 8}, dating_part,
                   description="each article's period (documents only)", documents_only=True),
    "over_time": Part("over_time", 3, {"period": "auto", "seed": 0, "n_resamples": N_RESAMPLES, "codebook": "",
                                       "min_hits": 1, "top": 5, "top_terms": 8, "min_count": 3,
                                       "prior_strength": 500.0, "terms_by": "pooled", "max_units": 8},
                      over_time_part, configs=("codebook",), needs=("actors", "dating", "sentiment", "framing"),
                      description="tone, leading frames, rising and falling terms and actors per period",
                      map=over_time_map, reduce=over_time_reduce),
    "overview": Part("overview", 1, {}, overview_part, description="the corpus at a glance: documents, lengths, "
                     "dates, headings and what cleaning removed (no text held)", map=overview_map,
                     reduce=overview_reduce, row_tables=("headings", "audit")),
}


#: The allowed range of every numeric option and notebook parameter, by name (one name means one
#: thing everywhere): ``(low, high)``, inclusive, ``None`` for no bound; a third item ``True`` makes
#: the low bound exclusive. :func:`check_range` enforces them for the store and
#: :func:`framelens.run.runner.validate_params` before any kernel starts.
RANGES: dict[str, tuple] = {
    "seed": (0, 2**32 - 1), "n_resamples": (1, None), "n_permutations": (1, None),
    "arc_bins": (1, None), "arc_smooth": (1, None), "min_count": (1, None), "prior_strength": (0, None, True),
    "mattr_window": (1, None), "collocation_min_count": (1, None), "min_hits": (1, None), "top": (1, None),
    "top_terms": (1, None), "max_units": (1, None), "min_words": (1, None), "min_similarity": (0, 1),
    "min_single_similarity": (0, 1), "near_duplicate_share": (0, 1, True), "boilerplate_min_docs": (2, None),
    # notebook-only parameters
    "min_mentions": (0, None), "top_k": (1, None), "top_frames": (1, None), "max_items": (1, None),
    "max_rows": (1, None),
}


def check_range(name: str, value: Any, shown: str | None = None) -> None:
    """A :class:`FramelensError` when ``value`` is outside the declared range of ``name`` (see
    :data:`RANGES`; names without a range, and non-numbers, pass)."""
    spec = RANGES.get(name)
    if spec is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    low, high, *rest = spec
    low_open = bool(rest and rest[0])
    bad = (value != value or (low is not None and (value <= low if low_open else value < low))
           or (high is not None and value > high))
    if bad:
        want = (f"more than {low}" if low_open else f"at least {low}") if low is not None else ""
        if high is not None:
            want = f"{want} and at most {high}" if want else f"at most {high}"
        raise FramelensError(f"{shown or name}={value!r}: must be {want}")


def part_options(name: str) -> dict[str, Any]:
    """Every option of a part (its own and those of the parts it is built from), with defaults."""
    if name not in PARTS:
        raise FramelensError(f"lens store: no part {name!r} (parts: {', '.join(PARTS)})")
    return PARTS[name].all_options()


def option_types() -> dict[str, type]:
    """The type of every part option, by name: the type of its default in :data:`PARTS` (one name
    means one thing in every part). The notebooks' ``parameters`` cells declare the same defaults
    and types (a test checks), and the CLI checks a ``--param`` value against this type before any
    kernel starts (:func:`framelens.run.runner.validate_params`)."""
    out: dict[str, type] = {}
    for part in PARTS.values():
        for k, v in part.options.items():
            out.setdefault(k, type(v))
    return out


def _closure(name: str) -> list[str]:
    out = [name]
    for n in PARTS[name].needs:
        out += [x for x in _closure(n) if x not in out]
    return out


def resolve_options(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` completed with the part's defaults; an unknown name is an error. Paths of
    configuration files are made absolute (a relative path means the caller's folder)."""
    allowed = part_options(name)
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise FramelensError(f"lens store: {name} has no option {unknown[0]!r} (options: {', '.join(allowed)})")
    out = {**allowed, **{k: v for k, v in options.items() if v is not None}}
    for k, v in out.items():
        check_range(k, v)
    configs = {c for n in _closure(name) for c in PARTS[n].configs}
    for k in configs:
        if isinstance(out.get(k), (str, os.PathLike)) and str(out[k]).strip():
            out[k] = os.path.abspath(os.path.expanduser(str(out[k])))
    if "similarity_lenses" in out:
        out["similarity_lenses"] = list(out["similarity_lenses"])
    return out


class Computed(dict):
    """A part's tables held in memory (name → DataFrame) with the ``info`` it recorded: what
    :func:`compute_part` gives parts built on it when there is no store."""
    def __init__(self, tables: Mapping[str, pd.DataFrame], info: Mapping[str, Any] | None = None):
        super().__init__(tables)
        self.info = dict(info or {})


def compute_in_memory(name: str, corpus, options: Mapping[str, Any] | None = None) -> Computed:
    """Part ``name`` and the parts it is built from, computed in memory (no store)."""
    opts = resolve_options(name, options or {})
    needs = {n: compute_in_memory(n, corpus, {k: v for k, v in opts.items() if k in PARTS[n].all_options()})
             for n in PARTS[name].needs}
    tables, info = compute_part(name, corpus, opts, needs)
    return Computed(tables, info)


def compute_part(name: str, corpus, options: Mapping[str, Any],
                 needs: Mapping[str, Mapping[str, pd.DataFrame]], *, partitions: int = 1) -> tuple[Tables, dict]:
    """Run one part's computation (no storage). A map/reduce part runs its map on the corpus cut
    into ``partitions`` runs of documents (1: the whole corpus as one partition), then its reduce."""
    part = PARTS[name]
    own = {k: options[k] for k in part.all_options()}
    if part.map is None:
        tables, info = part.compute(corpus, own, needs)
        return {k: v for k, v in tables.items()}, info
    pieces = split_corpus(corpus, partitions)
    outs = [_map_one(name, piece, own, needs) for piece in pieces]
    red = Reduction(name, [o["partials"] for o in outs],
                    {t: [o["rows"][t] for o in outs] for t in part.row_tables}, corpus)
    red.load_partitions = lambda: iter(pieces)  # noqa: E731
    tables, info = part.reduce(red, own, needs)
    rows = {t: red.rows(t) for t in part.row_tables}
    return {**rows, **tables}, info


# ---------------------------------------------------------------------------------------------
# map / reduce


def _map_one(name: str, corpus, opts: Mapping[str, Any], needs) -> dict:
    part = PARTS[name]
    ctx = _quiet()
    try:
        out = dict(part.map(corpus, opts, needs))
    finally:
        ctx.__exit__(None, None, None)
    rows = {t: out.pop(t) for t in part.row_tables}
    return {"rows": rows, "partials": out}


def map_partition(task: tuple) -> dict:
    """A map step as the engine runs it: read one stored partition, view it as the store does
    (unit, selection, labels), run part ``name``'s map, write its row tables into ``out_dir``
    (one file per partition), return the partials and where the rows are."""
    from pathlib import Path


    pdir, view, name, opts, needs, out_dir = task
    pdir = Path(pdir)
    corp = view_partition(read_partition(pdir), view)
    part = PARTS[name]
    if corp is None:
        return {"rows": {t: [] for t in part.row_tables}, "partials": {}}
    out = _map_one(name, corp, opts, needs)
    rows = {}
    for t, df in out["rows"].items():
        folder = Path(out_dir) / t
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{pdir.name}.parquet"
        tmp = folder / f".{pdir.name}.{os.getpid()}.tmp"
        meta = write_table(df, tmp)
        os.replace(tmp, path)
        rows[t] = [{**meta, "file": f"{t}/{pdir.name}.parquet"}]
    corp.release_caches()  # a worker maps many partitions: what the lenses cached on this one goes with it
    del corp, out["rows"]
    release_memory()
    return {"rows": rows, "partials": out["partials"]}


def view_partition(corp, view: Mapping[str, Any]):
    """One partition compared by ``view['by']`` and restricted to ``view['sources']`` (units
    absent from it are simply absent), with the units' corpus-wide display names. ``None`` when
    none of its documents is in the view."""
    by = view.get("by") or "source"
    if by != "source":
        import warnings


        if not (unit_values(corp.documents, by) != "").any():
            return None  # no document of this partition has a value: its units are simply absent

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            corp = corp.by(by)
    sources = view.get("sources") or []
    if sources:
        present = [s for s in corp.sources if s in set(sources)]
        if not present:
            return None
        corp = corp.select(present)
    if not len(corp.documents):
        return None
    labels = view.get("labels") or {}
    if labels:
        corp.documents["label"] = corp.documents["source"].map(labels).fillna(corp.documents["label"])
    return corp


def options_for(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The options of part ``name`` found among a notebook's parameters (the rest: defaults)."""
    allowed = part_options(name)
    return {k: params[k] for k in allowed if k in params}


# ---------------------------------------------------------------------------------------------
# Lens tables, computed once
# ---------------------------------------------------------------------------------------------
def lens_tables(
    corpus,
    *,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
    n_permutations: int = N_PERMUTATIONS,
    min_count: int = 3,
    prior_strength: float = 500.0,
    codebook=None,
    markers=None,
    actors=None,
    referents=None,
    min_hits: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Every lens table the profiles and the synthesis read, computed in memory (no store).

    The reports read the same tables from the lens store (:mod:`framelens.store.lens_store`), where they
    are computed once per corpus and option set; this function is for use in Python. Returns a
    dict of DataFrames: ``distinctive`` (:func:`vocabulary.distinctive_terms`),
    ``vocab_similarity`` (TF-IDF cosine), ``naming``, ``scores``
    (:func:`sentiment.sentence_scores`), ``intervals``, ``pairwise``, ``actor_table`` and
    ``actor_mentions`` (:func:`sentiment.actor_sentiment`), ``salience``, ``frame_evidence`` (the
    clearest sentences per source × frame), ``certainty``, ``certainty_evidence``, ``items`` and
    ``coverage``. ``codebook``, ``markers``, ``actors``, ``referents``: a path, or ``None`` /
    ``""`` for the packaged file. Randomness (bootstrap, permutations) uses ``seed``.
    """
    voc = parts.compute_in_memory("vocabulary", corpus, {"min_count": min_count, "prior_strength": prior_strength,
                                                         "referents": referents or ""})
    sent = parts.compute_in_memory("sentiment", corpus, {"seed": seed, "n_resamples": n_resamples,
                                                        "n_permutations": n_permutations, "actors": actors or ""})
    fr = parts.compute_in_memory("framing", corpus, {"seed": seed, "n_resamples": n_resamples,
                                                    "codebook": codebook or "", "markers": markers or "",
                                                    "actors": actors or "", "min_hits": min_hits or 1})
    return parts.lens_dict(voc, sent, fr)
