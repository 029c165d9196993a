"""The lens parts: what the lens store (:mod:`framelens.store`) computes, with which options;
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
:mod:`framelens.engine`: here, a process pool or Dask) and returns per-document / per-sentence
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
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from .errors import FramelensError

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Part:
    """A group of lens tables computed together. ``options``: name → default; ``configs``: the
    options that name configuration files (hashed by content); ``needs``: parts it is built from
    (their options are part of its own). ``version``: a manual salt of the part's store key, no
    longer needed after a code change (the key holds a fingerprint of the package's code and data,
    :func:`framelens.store.code_fingerprint`); bump it only to force a recomputation."""

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
    from . import vocabulary

    out = vocabulary.vocabulary_map(corpus, window=opts["mattr_window"])
    # the naming and collocation partials (text-free counts, merged by the reduce)
    out["collocation_counts"] = vocabulary.collocation_counts(corpus)
    out.update(vocabulary.naming_pair_counts(corpus))
    out.update(vocabulary.variant_counts(corpus))
    return out


def vocabulary_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The vocabulary part from merged counts (the naming tables and collocations: :func:`naming_reduce`)."""
    from . import vocabulary

    size = red.documents.groupby("source", sort=False)["n_sentences"].sum()
    order = sorted(range(len(red.sources)), key=lambda i: (-int(size.get(red.sources[i], 0)), i))
    keep = {red.sources[i] for i in order[:MAX_SIMILARITY_UNITS]}
    sim_units = [s for s in red.sources if s in keep]
    note = (f"among the {MAX_SIMILARITY_UNITS} largest of {len(red.sources)} units (by sentences); the others are "
            "in every per-unit table") if len(red.sources) > MAX_SIMILARITY_UNITS else ""
    merged = vocabulary.vocabulary_reduce(red, min_count=opts["min_count"], prior_strength=opts["prior_strength"],
                                          window=opts["mattr_window"], similarity_units=sim_units)
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
    from . import vocabulary

    parts = red.partials_list()
    pairs = vocabulary.naming_pairs_from_counts(parts, red.sources, red.labels)
    ref = vocabulary.naming_referents(opts["referents"] or None, pairs)
    counts = [vocabulary.naming_counts(piece, ref) for piece in red.each_partition()]
    variants = {f"variant_candidates{'_wide' * wide}": vocabulary.variant_candidates_from_counts(
        parts, red.sources, red.labels, wide=wide) for wide in (False, True)}
    return {"naming_pairs": pairs, "naming": vocabulary.naming_choices_from_counts(counts, ref, red.sources, red.labels),
            **variants,
            "collocations": vocabulary.collocations_from_counts(
                [p["collocation_counts"] for p in parts if "collocation_counts" in p], red.sources, red.labels,
                min_count=opts["collocation_min_count"])}


def actors_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The actor table every actor-based measure uses (:func:`framelens.actors.resolve`): the
    user's table, or the packaged countries and organisations plus the actors discovered in the
    corpus. Stored once, so sentiment and framing read the very same table."""
    from . import actors

    return _actors_tables(actors.resolve(corpus, _given_actors(opts)))


def _given_actors(opts: Mapping[str, Any]):
    given = opts["actors"]
    return "" if given is None or (isinstance(given, str) and not given.strip()) else given


def _actors_tables(table: pd.DataFrame) -> tuple[Tables, dict]:
    from . import actors

    info = {"note": actors.describe(table), "origin": table.attrs.get("origin", "given")}
    return {"table": table.reset_index(drop=True), "discovered": actors.discovered(table).reset_index(drop=True)}, info


def actors_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    """Actor discovery's map (:func:`framelens.actors.discovery_map`); nothing when a table is given."""
    from . import actors

    given = _given_actors(opts)
    if not (isinstance(given, str) and given == ""):
        return {"name_candidates": pd.DataFrame(columns=actors.CANDIDATE_COLUMNS),
                "group_candidates": pd.DataFrame(columns=actors.GROUP_COLUMNS),
                "group_occurrences": pd.DataFrame(columns=actors.GROUP_COLUMNS)}
    return actors.discovery_map(corpus)


def actors_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The actor table from the maps' candidates and counts, read one partition at a time
    (:func:`framelens.actors.discovery_reduce`), or the given table."""
    from . import actors

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
    from . import sentiment

    return sentiment.sentiment_map(corpus, _actor_table(needs), arc_bins=opts["arc_bins"])


def sentiment_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    from . import sentiment

    out = sentiment.sentiment_reduce(red, seed=opts["seed"], n_resamples=opts["n_resamples"],
                                     n_permutations=opts["n_permutations"], arc_bins=opts["arc_bins"],
                                     arc_smooth=opts["arc_smooth"], pairwise_units=MAX_PAIRWISE_UNITS)
    n = len(red.sources)
    note = (f"among the {MAX_PAIRWISE_UNITS} largest of {n} units (by sentences); the others are in every "
            "per-unit table") if n > MAX_PAIRWISE_UNITS else ""
    order = ["intervals", "by_source", "pairwise", "arc", "actors", "subjectivity", "method_agreement", "extremes",
             "most_subjective", "actor_comparison", "actor_baseline"]
    return {k: out[k] for k in order}, {"actors_note": needs["actors"].info.get("note", ""), "pairwise_note": note,
                                        "resampling": "documents of a unit with several, else its sentences"}


#: evidence sentences kept per source × frame and per source × certainty measure
EVIDENCE_PER_CELL = 5


def framing_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The framing part on the corpus as one partition: its map and reduce (one path)."""
    return compute_part("framing", corpus, opts, needs, partitions=1)


def framing_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    from . import framing

    return framing.framing_map(corpus, framing.load_codebook(opts["codebook"] or None),
                               framing.load_markers(opts["markers"] or None), _actor_table(needs),
                               min_hits=opts["min_hits"], top=EVIDENCE_PER_CELL)


def framing_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    from . import framing

    out = framing.framing_reduce(red, framing.load_codebook(opts["codebook"] or None),
                                 framing.load_markers(opts["markers"] or None), _actor_table(needs),
                                 n_resamples=opts["n_resamples"], seed=opts["seed"], top=EVIDENCE_PER_CELL)
    out["actors_discovered"] = needs["actors"]["discovered"]
    return out, {"actors_note": needs["actors"].info.get("note", "")}


def lens_dict(vocabulary: Mapping[str, pd.DataFrame], sentiment: Mapping[str, pd.DataFrame],
              framing: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The stored lens tables under the names the profiles and the synthesis read
    (see :func:`framelens.profile.source_profile`)."""
    return {
        "distinctive": vocabulary["distinctive"], "vocab_similarity": vocabulary["similarity_tfidf_cosine"],
        "naming": vocabulary["naming"], "scores": sentiment["sentences"], "intervals": sentiment["intervals"],
        "pairwise": sentiment["pairwise"], "actor_table": sentiment["actors"],
        "actor_mentions": sentiment["actor_mentions"], "salience": framing["salience"],
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
            "salience": ("framing", "salience"), "frame_evidence": ("framing", "frame_evidence"),
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


def _scores_without_text(stored, table: str) -> pd.DataFrame:
    """A stored per-sentence score table read partition by partition without its ``text``."""
    from .store import read_table

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
    """A :data:`framelens.profile.TextFetcher` reading the stored per-sentence sentiment table one
    partition at a time (only ``sent_id`` and ``text``, only the rows asked for); ``None`` when
    the lens tables are in memory (the corpus's own sentence table is then used)."""
    sent = needs.get("sentiment")
    if sent is None or not hasattr(sent, "scan") or not sent.is_partitioned("sentences"):
        return None

    def fetch(ids) -> dict[str, str]:
        from .store import read_parts

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
    from . import synthesis

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
    from . import profile

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
    """Shared passages, boilerplate and near-duplicates (:func:`framelens.reuse.analyze`), always on
    the whole text (never on "own text only", which it defines)."""
    from . import reuse

    result = reuse.analyze(corpus, **{k: opts[k] for k in REUSE_OPTIONS})
    return reuse.to_tables(result)


def reuse_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    """Units without text, MinHash signatures and LSH band keys of one partition (:func:`framelens.reuse.reuse_map`)."""
    from . import reuse

    return reuse.reuse_map(corpus, **{k: opts[k] for k in REUSE_OPTIONS})


def reuse_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """Candidates grouped by band key, sentence pairs verified and document pairs aligned as tasks
    on the store's engine, each reading only its documents (:func:`framelens.reuse.reuse_reduce`)."""
    from . import reuse

    return reuse.to_tables(reuse.reuse_reduce(red, **{k: opts[k] for k in REUSE_OPTIONS}))


REUSE_OPTIONS = {"min_words": 10, "min_similarity": 0.6, "min_single_similarity": 0.75, "near_duplicate_share": 0.8,
                 "boilerplate_min_docs": 3, "seed": 0}


def over_time_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    from . import over_time

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
    """The corpus at a glance, map step: :func:`framelens.overview.partition_summary`."""
    from . import overview

    return overview.partition_summary(corpus)


def overview_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The corpus at a glance, reduce: :func:`framelens.overview.merge_summaries`."""
    from . import overview

    return overview.summary_tables(overview.merge_summaries(red.partials_list())), {}


def overview_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    return compute_part("overview", corpus, opts, needs)


def dating_part(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """Each article's period and what is left out (:func:`framelens.over_time.dating_tables`),
    from the documents alone (the store passes its documents-only view): what the over-time maps
    need before they run."""
    from . import over_time

    return over_time.dating_tables(corpus, period=opts["period"], max_units=opts["max_units"]), {}


def over_time_map(corpus, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> dict:
    from . import over_time

    d = needs["dating"]
    if bool(d["status"]["nothing_to_show"].iloc[0]):
        return {}
    ctx = _quiet()
    try:
        return over_time.over_time_map(corpus, d["dating"], codebook=opts["codebook"] or None,
                                       actors=_actor_table(needs), min_hits=opts["min_hits"])
    finally:
        ctx.__exit__(None, None, None)


def over_time_reduce(red, opts: Mapping[str, Any], needs: Mapping[str, Any]) -> tuple[Tables, dict]:
    """The over-time part from the maps' text-free partials (:func:`framelens.over_time.over_time_reduce`)."""
    from . import over_time

    d = needs["dating"]
    st = d["status"]
    out = {"status": st, "dating": d["dating"]}
    if bool(st["nothing_to_show"].iloc[0]):
        out.update(over_time.empty_tables())
    else:
        out.update(over_time.over_time_reduce(
            red.partials_list(), d["dating"], seed=opts["seed"], n_resamples=opts["n_resamples"],
            codebook=opts["codebook"] or None, actors=_actor_table(needs), top=opts["top"],
            top_terms=opts["top_terms"], min_count=opts["min_count"], prior_strength=opts["prior_strength"],
            terms_by=opts["terms_by"], max_units=opts["max_units"]))
    r = st.iloc[0]
    return out, {"period": r["period"], "n_periods": int(r["n_periods"]), "message": r["message"]}


_VOCAB = {"min_count": 3, "prior_strength": 500.0, "mattr_window": 50, "collocation_min_count": 3, "referents": ""}
_SENT = {"seed": 0, "n_resamples": 2000, "n_permutations": 5000, "arc_bins": 10, "arc_smooth": 3, "actors": ""}
_FRAME = {"seed": 0, "n_resamples": 2000, "codebook": "", "markers": "", "actors": "", "min_hits": 1}

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
    "over_time": Part("over_time", 3, {"period": "auto", "seed": 0, "n_resamples": 2000, "codebook": "",
                                       "min_hits": 1, "top": 5, "top_terms": 8, "min_count": 3,
                                       "prior_strength": 500.0, "terms_by": "pooled", "max_units": 8},
                      over_time_part, configs=("codebook",), needs=("actors", "dating"),
                      description="tone, leading frames, rising and falling terms and actors per period",
                      map=over_time_map, reduce=over_time_reduce),
    "overview": Part("overview", 1, {}, overview_part, description="the corpus at a glance: documents, lengths, "
                     "dates, headings and what cleaning removed (no text held)", map=overview_map,
                     reduce=overview_reduce, row_tables=("headings", "audit")),
}


#: The allowed range of every numeric option and notebook parameter, by name (one name means one
#: thing everywhere): ``(low, high)``, inclusive, ``None`` for no bound; a third item ``True`` makes
#: the low bound exclusive. :func:`check_range` enforces them for the store and
#: :func:`framelens.runner.validate_params` before any kernel starts.
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


def depth(name: str) -> int:
    """0 for a part built from the corpus alone, else 1 + the depth of its deepest need."""
    return 0 if not PARTS[name].needs else 1 + max(depth(n) for n in PARTS[name].needs)


def part_options(name: str) -> dict[str, Any]:
    """Every option of a part (its own and those of the parts it is built from), with defaults."""
    if name not in PARTS:
        raise FramelensError(f"lens store: no part {name!r} (parts: {', '.join(PARTS)})")
    return PARTS[name].all_options()


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
    from .corpus import Corpus

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


def _map_one(name: str, corpus, opts: Mapping[str, Any], needs) -> dict:
    part = PARTS[name]
    ctx = _quiet()
    try:
        out = dict(part.map(corpus, opts, needs))
    finally:
        ctx.__exit__(None, None, None)
    rows = {t: out.pop(t) for t in part.row_tables}
    return {"rows": rows, "partials": out}


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

    def fetch_text(self, sent_ids: Sequence[str]) -> dict[str, str]:
        """The text of a few sentences (evidence), by id."""
        if self.fetch is not None:
            ev = self.fetch(list(sent_ids))
        else:
            s = self.view.sentences
            ev = s[s["sent_id"].astype(str).isin(set(map(str, sent_ids)))]
        return dict(zip(ev["sent_id"].astype(str), ev["text"]))

    def partial(self, key: str) -> pd.DataFrame:
        from .store import concat_frames

        return concat_frames([p[key] for p in self._partials if key in p])

    def row_parts(self, table: str, *, columns: Sequence[str] | None = None, doc_ids=None):
        """A row table the maps wrote, one partition at a time in corpus order (only ``columns``,
        only the rows of ``doc_ids``): for reduces that fold partition by partition, so the
        client never holds the whole table."""
        from .store import read_parts

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
            yield from read_parts(src, columns=columns, doc_ids=doc_ids)

    def rows(self, table: str, *, columns: Sequence[str] | None = None, doc_ids=None) -> pd.DataFrame:
        """A row table the maps wrote, whole (see :meth:`row_parts`)."""
        from .store import concat_frames

        return concat_frames(list(self.row_parts(table, columns=columns, doc_ids=doc_ids)))


def map_partition(task: tuple) -> dict:
    """A map step as the engine runs it: read one stored partition, view it as the store does
    (unit, selection, labels), run part ``name``'s map, write its row tables into ``out_dir``
    (one file per partition), return the partials and where the rows are."""
    from pathlib import Path

    from .store import read_partition, write_table
    from .tokens import release_memory

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
    del corp, out["rows"]
    _release_caches()
    release_memory()
    return {"rows": rows, "partials": out["partials"]}


def _release_caches() -> None:
    """Forget what the lenses cache per corpus object (cue matches, marker hits, POS tags, actor
    tables and matchers): a worker maps many partitions, each a new corpus, and these caches —
    made for one long-lived corpus — would otherwise keep every partition's results alive."""
    import sys

    for module, names in (("framelens.framing", ("_MATCH_CACHE", "_MARKER_CACHE")),
                          ("framelens.agency", ("_TAG_CACHE",)), ("framelens.actors", ("_RESOLVED", "_MATCHERS")),
                          ("framelens.reuse", ("_CACHE", "_BLOCKS"))):
        mod = sys.modules.get(module)
        for name in names:
            cache = getattr(mod, name, None) if mod is not None else None
            if isinstance(cache, dict):
                cache.clear()


def view_partition(corp, view: Mapping[str, Any]):
    """One partition compared by ``view['by']`` and restricted to ``view['sources']`` (units
    absent from it are simply absent), with the units' corpus-wide display names. ``None`` when
    none of its documents is in the view."""
    by = view.get("by") or "source"
    if by != "source":
        import warnings

        from .corpus import unit_values

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


def _part_worker(args) -> tuple[str, float]:
    """Compute one part in a worker process from the store on disk (returns its folder and the
    seconds it took)."""
    import time

    root, corpus_path, sources, view, name, options, inputs = args
    from .store import LensStore

    t0 = time.perf_counter()
    lens = LensStore(root, corpus_path, sources=sources, inputs=inputs, **view)
    lens.progress = _WORKER_PROGRESS
    return str(lens.part(name, **options).folder), time.perf_counter() - t0


_WORKER_PROGRESS = None  # in a part worker: reports map steps to the parent (framelens.progress.QueueReporter)


def _init_part_worker(queue) -> None:
    global _WORKER_PROGRESS
    from .progress import QueueReporter

    _WORKER_PROGRESS = QueueReporter(queue) if queue is not None else None


def compute(corpus: str | os.PathLike, *, store: str | os.PathLike, sources: Sequence[str] = (),
            by: str | None = "source", own_text: bool = False, drop_near_duplicates: bool = False, requests: Sequence[tuple[str, Mapping[str, Any]]] | None = None, workers: int = 1,
            loaded=None, inputs: Mapping[str, Any] | None = None,
            progress: Any = None, client=None, engine=None) -> list[str]:
    """Compute lens parts for the corpus at ``corpus`` into the lens store at ``store``.

    ``sources``, ``by``, ``own_text``, ``drop_near_duplicates``: the selection, the comparison
    unit (see :meth:`framelens.corpus.Corpus.by`) and the text analysed (see
    :func:`framelens.store.open_store`). ``requests``: ``(part, options)`` pairs (default: the three lenses and the synthesis with
    default options). The parts they are built from come first; parts already in the store are
    reused. With ``workers`` > 1, independent parts (the three lenses, then the synthesis and the
    profiles) are computed in that many processes, each reading the corpus from the store.
    ``loaded``: the corpus already loaded (stored as is, not loaded again). ``inputs``: the
    input files' digests (:func:`framelens.store.hash_inputs`) when already known.

    ``client`` (a ``dask.distributed.Client``) or ``engine`` (a name or address, see
    :func:`framelens.engine.get_engine`: ``"local"`` starts a Dask LocalCluster of ``workers``
    workers, ``"tcp://HOST:8786"`` uses a running scheduler): where the map steps run — the
    ingest of the corpus into partitions and the map/reduce parts (sentiment, ...), one task per
    partition; their reduce runs here. Then every other part is computed here, one after another.
    Without them, map steps run here (``workers`` ≤ 1) or in a local process pool.

    ``progress``: ``None`` / ``False`` (the default: silent), ``True`` (progress on stderr: a bar
    per phase on a terminal, else one line per phase with its duration), a callable taking a line
    (one line per phase), or a :class:`framelens.progress.Progress` (which also records each
    phase's seconds in its ``timings``). Phases: the ingest (partitions), each part's map steps
    (partitions) and reduce, each part.

    Returns the failures, one line each (``part: error``); an empty list means every part is in
    the store. Bad input (corpus, configuration files) raises :class:`FramelensError`.
    """
    from .store import LensStore

    from .engine import get_engine
    from .progress import as_progress

    say = as_progress(progress)
    view = {"by": by, "own_text": own_text, "drop_near_duplicates": drop_near_duplicates}
    distributed = client is not None or engine not in (None, "", "serial", "processes")
    eng = get_engine(client if client is not None else engine, workers=workers)
    try:
        lens = LensStore(store, corpus, sources=sources, inputs=dict(inputs) if inputs else None, engine=eng, **view)
        lens.progress = say
        if loaded is not None and not lens.has_corpus():
            with say.phase("store corpus", None, ""):
                lens.put_corpus(loaded)
        return _compute(lens, requests, workers=1 if distributed else workers, say=say, view=view)
    finally:
        if eng is not client and eng is not engine:
            eng.close()


def _ingest_partitions(lens) -> int | None:
    """How many partitions the ingest will write, when the input tells it cheaply (a folder: one
    document per text file); else ``None``."""
    from .store import PARTITION_DOCUMENTS

    files = lens.inputs.get("files", [])
    if not lens.corpus_path.is_dir() or not files:
        return None
    n = sum(1 for f in files if f["path"] != "sources.csv")
    return max(1, -(-n // PARTITION_DOCUMENTS))


def _compute(lens, requests, *, workers: int, say, view) -> list[str]:
    import time

    from .progress import as_progress

    say = as_progress(say)

    reqs = list(requests) if requests is not None else [(n, {}) for n in ("vocabulary", "sentiment", "framing",
                                                                         "synthesis")]
    todo: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def add(name: str, opts: Mapping[str, Any]) -> None:
        for n in PARTS[name].needs:
            add(n, {k: v for k, v in opts.items() if k in PARTS[n].all_options()})
        full = resolve_options(name, opts)
        key = lens.part_dir(name, full).name
        if key not in seen:
            seen.add(key)
            todo.append((name, full))

    for name, opts in reqs:
        add(name, dict(opts))
    missing = [(n, o) for n, o in todo if not lens.has_part(n, **o)]
    failures: list[str] = []
    if not missing:
        return failures
    t0 = time.perf_counter()
    if not lens.has_corpus():  # stored before the workers read it
        from .engine import TickingEngine, get_engine

        eng = TickingEngine(get_engine(lens.engine), lambda label: say.advance("ingest") if label == "ingest" else None)
        with say.phase("ingest", _ingest_partitions(lens), "partitions"):
            lens.ingest(engine=eng)
    levels: list[list[tuple[str, dict]]] = []
    for item in missing:  # a part goes one level after the deepest part it is built from
        d = depth(item[0])
        while len(levels) <= d:
            levels.append([])
        levels[d].append(item)
    failed: set[str] = set()
    for level in levels:
        level = [(n, o) for n, o in level if not (set(PARTS[n].needs) & failed)]
        if workers > 1 and len(level) > 1:
            import multiprocessing as mp

            ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
            args = [(str(lens.root), str(lens.corpus_path), lens.sources, view, n, o, lens.inputs)
                    for n, o in level]
            from .engine import pool as make_pool

            queue = ctx.Queue()
            with say.drain(queue), make_pool(min(workers, len(level)), ctx, initializer=_init_part_worker,
                                             initargs=(queue,)) as pool:
                futures = [pool.submit(_part_worker, a) for a in args]
                for (n, o), fut in zip(level, futures):
                    try:
                        folder, seconds = fut.result()  # its own seconds (parts run side by side)
                        say.record(f"part {n}", seconds)
                        say(f"framelens: lens store: {n} ({os.path.basename(folder)}) {seconds:.1f} s")
                    except FramelensError:
                        raise
                    except Exception as exc:
                        failed.add(n)
                        failures.append(f"{n}: {type(exc).__name__}: {exc}")
        else:
            for n, o in level:
                try:
                    t_part = time.perf_counter()
                    folder = lens.part(n, **o).folder.name
                    seconds = time.perf_counter() - t_part
                    say.record(f"part {n}", seconds)
                    say(f"framelens: lens store: {n} ({folder}) {seconds:.1f} s")
                except FramelensError:
                    raise
                except Exception as exc:
                    failed.add(n)
                    failures.append(f"{n}: {type(exc).__name__}: {exc}")
    done = len(missing) - len(failures)
    say(f"framelens: lens store: {done} part{'s' * (done != 1)} computed in {time.perf_counter() - t0:.1f} s")
    return failures
