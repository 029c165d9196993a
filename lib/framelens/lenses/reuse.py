"""Shared passages: which sources reuse the same text, what they changed, and who had it first.

News corpora hold much shared text: wire copy republished with light edits, press releases and
official readouts repeated word for word, aggregators reposting other outlets. Two outlets'
"choices" may then be one text. This module finds the passages that documents of *different
sources* (comparison units) share, aligns them sentence by sentence, lists the words each copy
added, removed or replaced, says who published first where the dates tell, and separates
boilerplate (a disclaimer, a footer) from reuse of content.

Method, in four steps:

1. **Sentences as sets of words.** Every body sentence and every span the cleaner removed
   (``corpus.audit``: disclaimers, calls to action, bios ...) becomes a sequence of lower-cased
   words (the corpus tokenizer's word tokens).
2. **Candidate pairs: MinHash-LSH.** Each sentence's *word set* (word 1-shingles) gets a MinHash
   signature of ``bands × rows`` values (Broder 1997: the share of equal values estimates the
   resemblance, Jaccard's |A ∩ B| / |A ∪ B|); the signatures are cut into ``bands`` bands of
   ``rows`` values and sentences that agree on a whole band land in the same bucket (locality-
   sensitive hashing, Indyk & Motwani 1998; banding as in Leskovec, Rajaraman & Ullman, *Mining
   of Massive Datasets*, ch. 3). Two sentences with resemblance ``s`` become a candidate with
   probability ``1 − (1 − s^rows)^bands``; the default 20 × 5 gives 0.97 at s = 0.7 (typical of a
   sentence with a fifth of its words replaced), 0.92 at s = 0.65, and 0.006 at s = 0.2 (two
   unrelated sentences on one topic), so the cost grows with the corpus, not with the number of
   sentence pairs; a passage of two or more sentences is missed only if all its sentences are. The signatures are
   exactly those of ``datasketch.MinHash`` (scheme ``affine32``, ``sha1_hash32`` of each word;
   computed vectorized over all sentences, a test checks they are equal). Small corpora
   (``candidates="auto"`` with at most :data:`EXACT_LIMIT` sentences) compare every pair instead.
3. **Verification and alignment.** Each candidate is scored with the normalized Indel similarity
   over *words* (rapidfuzz, Bachmann 2021: ``2·LCS / (len_a + len_b)``, LCS = the longest common
   word subsequence, Hunt & Szymanski 1977; bit-parallel, Hyyrö 2004), kept at ``min_similarity``
   or more. Each pair of documents joined by a verified pair of content sentences is then aligned
   completely: every sentence of one against every sentence of the other
   (``rapidfuzz.process.cdist``), the best one-to-one matches kept, and matches that are adjacent in
   both documents (up to ``max_gap`` skipped sentences, in any order) form one **passage**. A
   passage needs ``min_words`` words in common, and a passage of a single sentence pair needs a
   similarity of ``min_single_similarity`` (two adjacent chance matches do not happen; one short
   one does, in a large corpus). Inside each aligned sentence pair, the word-level edit script
   (Levenshtein 1966; rapidfuzz's opcodes) gives the words **added, removed or replaced**: where a
   copy is reframed.
4. **Boilerplate vs. content.** Text is **boilerplate** when spans the cleaner removed as page
   furniture in two documents match (its rule names the kind: ``disclaimer``, ``call_to_action``
   ...), with any sentence matching them near-verbatim (similarity ≥ :data:`REPEAT_SIMILARITY`: the
   cleaner missed it there), or when one source repeats a sentence near-verbatim in
   ``boilerplate_min_docs`` or more of its documents, at least ``boilerplate_min_share`` of them,
   that are otherwise different (estimated resemblance of their word sets below 0.5: updates of one
   story are not boilerplate). Boilerplate is reported
   apart (:func:`boilerplate`) and never counted as shared content.

Map/reduce (one implementation, whatever the corpus size): :func:`reuse_map` runs on one corpus
partition (a run of whole documents) and returns its units *without text* (ids, source, words,
removed-span rule), the LSH band keys of its indexed sentences and each document's MinHash signature;
:func:`reuse_reduce` concatenates them in corpus order, groups candidate pairs by band key across
partitions (buckets bounded by :data:`MAX_BUCKET`; the bands merged one after another, so memory
follows the distinct pairs), then verifies the sentence pairs and aligns the document pairs as
*tasks* on an engine (:mod:`framelens.core.engine`: this process, a process pool or Dask), one task per
pair of *tiles* that actually share candidates, made as the engine takes them: a tile is a run of
consecutive *task blocks* (each at most :data:`TASK_DOCUMENTS` documents of one partition), one block
while the corpus has few, up to :data:`TILE_BLOCKS` on a large corpus, so that the tasks per round
stay about :data:`TILES` squared over two instead of growing with the square of the corpus. Each
block's units (words, text) are built once per reduce (:class:`_Blocks`: from the lens store's
partition folders into a scratch folder in the store, or from the corpus in memory) and shared by
the verification, alignment and text rounds; a task holds at most two tiles' blocks (a process
keeps the last :data:`BLOCK_CACHE_SIZE`), and each
document pair is aligned seeing only its two documents (:func:`align_pair`). Word similarities
compare words, never ids, so any partitioning gives the same tables (tests check 1, 3 and 16
partitions, and blocks across partitions). :func:`analyze` is that map over the corpus's partitions
(``partitions``, default 1) and that reduce; the lens store's ``reuse`` part is the same over its
stored partitions. The reduce holds per-sentence metadata, band keys, the candidate and then the
verified pairs (as int32/float64 arrays), and the passages found (as columns), never the corpus's
text. In the lens store, the passages and their edits are not even held as columns: each alignment
task writes its rows to a scratch folder, cut by piece of :data:`PIECE_PAIRS` document pairs, and
the reduce writes the two tables one piece at a time (:func:`reduce_tables`; the store reads them
back as one table, the same rows in the same order). Its tasks run on the store's engine, or on a
pool of their own when the store computes this part in a worker beside other parts
(:func:`_task_engine`).

Direction: where both documents have a ``published`` date, the earlier one is ``doc_a`` and named
in ``first``; dates are compared at the coarser of the two precisions (a known day against a known
month only orders them when the months differ). Publication order is not proof of copying (both may
copy a third text); passages shared by three or more sources (:func:`common_origin`) probably come
from a common origin such as a wire story, a release or an official readout.

Caveats: the similarity is lexical (a paraphrase that changes most words is not reuse here); a
sentence shorter than :data:`MIN_INDEX_WORDS` words never seeds a match (it can still join a passage
next to a longer one); MinHash-LSH is probabilistic: a pair just above ``min_similarity`` but with a
low word-set resemblance may be missed in LSH mode (rare at 20% edits, see ``benchmarks/bench.py``).

Entry points: :func:`analyze` (everything, cached per corpus and options; :func:`reuse_map` and
:func:`reuse_reduce` are its two steps), :func:`shared_passages`,
:func:`passage_edits`, :func:`boilerplate`, :func:`document_reuse`, :func:`pair_reuse`,
:func:`unit_matrix`, :func:`common_origin`, :func:`near_duplicates`, :func:`drop_near_duplicates`,
:func:`reused_mask`, :func:`own_text`, :func:`summary`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, Mapping, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.errors import FramelensError, Unavailable

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.core.engine import Engine, get_engine
from framelens.core.progress import Progress
from framelens.core.fmt import markdown_safe
from framelens.read.corpus import Corpus
from framelens.tables.mapreduce import Reduction, fold, split_corpus
from framelens.tables.parquet import concat_frames, read_partition_rows, read_table
from framelens.text import tokens as tok
from framelens.text.cleaning import normalize
from framelens.text.sentences import split_sentences
from framelens.text.tokens import release_memory

#: Sentences with fewer words never seed a candidate pair (they may still join a passage).
MIN_INDEX_WORDS = 5
#: ``candidates="auto"`` compares every pair of sentences up to this many sentences, else uses LSH.
EXACT_LIMIT = 4000
#: LSH buckets larger than this are linked as a star (each member with the first one), not
#: pairwise, so a footer repeated in thousands of documents costs linear time.
MAX_BUCKET = 64
#: Documents linked to one star centre (a sentence of an over-full bucket) are aligned pair by pair
#: up to this many; a larger cluster (a sentence template in thousands of documents) is aligned
#: with the centre's document only — the pairs would grow with the square of the cluster
#: (20,000 documents: 200 million pairs), the star grows linearly. Counted in the reduce's stats.
MAX_CLIQUE_DOCUMENTS = 200
#: Each article is aligned with at most this many partner articles — those it shares the most
#: sentences with (a pair is kept when either article counts the other among its own): the
#: alignments then grow with the corpus, not with the square of a cluster of similar articles.
#: Counted in the reduce's stats (pairs found and aligned).
MAX_PARTNERS = 50
#: The LSH candidate pairs are made and verified in shards of about this many bucket pairs (by
#: their first sentence), so the reduce holds one shard's candidates and the verified pairs, never
#: every candidate at once (20 million at 30,000 generated articles).
SHARD_PAIRS = 4_000_000
#: Task blocks are runs of at most this many consecutive documents of one partition; each block's
#: units are built once per reduce and read by the tasks that need them.
TASK_DOCUMENTS = 500
#: A verification or alignment task covers the pairs between two *tiles* of consecutive blocks: one
#: block per tile while a corpus has at most :data:`TILES` blocks, then as many as keep the tiles
#: about that many, up to this many blocks (a task then reads at most 2 × 4 × 500 documents, about
#: 250 MB). Tasks per round grow with the square of the tiles, not of the blocks: 100,000 articles
#: (200 blocks) make 1,275 tasks per round instead of 20,100, each worth reading its blocks for.
TILE_BLOCKS = 4
#: The number of tiles the reduce aims at (see :data:`TILE_BLOCKS`).
TILES = 24
#: The "repeated by one source" rule looks at near-verbatim repeats only (word similarity ≥ this).
REPEAT_SIMILARITY = 0.8
#: Two documents with estimated word-set resemblance at or above this count as one for the
#: "repeated by one source" boilerplate rule (updates of one story are not boilerplate).
SAME_STORY_RESEMBLANCE = 0.5

PASSAGE_COLUMNS = [
    "passage_id", "doc_a", "doc_b", "source_a", "source_b", "sent_ids_a", "sent_ids_b", "words", "words_b",
    "similarity", "first", "published_a", "published_b", "reordered", "gap_sent_ids_a", "gap_sent_ids_b",
    "n_added", "n_removed", "n_replaced", "added", "removed", "replaced", "group", "units_sharing",
    "text_a", "text_b",
]
EDIT_COLUMNS = ["passage_id", "sent_id_a", "sent_id_b", "op", "text_a", "text_b"]
BOILERPLATE_COLUMNS = [
    "cluster", "kind", "rules", "sources", "n_sources", "n_documents", "n_sentences", "words",
    "min_similarity", "text", "sent_ids",
]
DOCUMENT_COLUMNS = [
    "doc_id", "source", "words", "boilerplate_words", "reused_words", "reused_share", "partners",
    "first_in", "later_in", "near_duplicate_cluster", "keep",
]
PAIR_COLUMNS = [
    "doc_a", "doc_b", "source_a", "source_b", "same_source", "passages", "words_a", "words_b", "share_a",
    "share_b", "first", "near_duplicate",
]
ORIGIN_COLUMNS = [
    "group", "n_units", "units", "n_documents", "documents", "first", "words", "text", "sent_ids",
]
NEAR_DUPLICATE_COLUMNS = ["cluster", "doc_id", "source", "published", "words", "keep", "kept_doc"]


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------
@dataclass
class Reuse:
    """Everything :func:`analyze` found, as tables (see the ``*_COLUMNS`` lists).

    ``passages``: one row per aligned passage between documents of *different* sources (content
    only). ``edits``: the word-level edits inside each passage (one row per edit). ``boilerplate``:
    clusters of shared boilerplate. ``documents``: per document, how much of it is reused.
    ``pairs``: per pair of documents (same source included) sharing passages. ``origins``: passages
    shared by three or more sources. ``near_duplicates``: clusters of near-duplicate documents.
    ``sentences``: per sentence (body ``s`` ids and removed ``a`` ids), its cluster and flags.
    ``options`` and ``stats`` (method, counts) say how it was computed.
    """
    passages: pd.DataFrame
    edits: pd.DataFrame
    boilerplate: pd.DataFrame
    documents: pd.DataFrame
    pairs: pd.DataFrame
    origins: pd.DataFrame
    near_duplicates: pd.DataFrame
    sentences: pd.DataFrame
    sources: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<Reuse {len(self.passages)} shared passages, {len(self.boilerplate)} boilerplate clusters, "
                f"{int(self.near_duplicates['cluster'].nunique()) if len(self.near_duplicates) else 0} "
                f"near-duplicate clusters; {self.stats.get('method', '?')}>")


# --------------------------------------------------------------------------------------------
# Options and cache
# --------------------------------------------------------------------------------------------
_DEFAULTS: dict[str, Any] = dict(
    min_words=10, min_similarity=0.6, min_single_similarity=0.75, candidates="auto", bands=20, rows=5, max_gap=1,
    boilerplate_min_docs=3, boilerplate_min_share=0.05, near_duplicate_share=0.8, seed=0, workers=1,
)


def _options(**kw) -> dict:
    unknown = [k for k in kw if k not in _DEFAULTS]
    if unknown:
        raise FramelensError(f"reuse: unknown option {unknown[0]!r} (known: {', '.join(_DEFAULTS)})")
    o = {**_DEFAULTS, **{k: v for k, v in kw.items() if v is not None}}

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise FramelensError(f"reuse: {what}")

    for k in ("min_words", "bands", "rows", "max_gap", "boilerplate_min_docs", "seed", "workers"):
        need(isinstance(o[k], (int, np.integer)) and not isinstance(o[k], bool), f"{k} must be an integer, got {o[k]!r}")
    need(o["min_words"] >= 1, f"min_words must be at least 1, got {o['min_words']}")
    need(o["bands"] >= 1 and o["rows"] >= 1, "bands and rows must be at least 1")
    need(o["max_gap"] >= 0, f"max_gap must be 0 or more, got {o['max_gap']}")
    need(o["boilerplate_min_docs"] >= 2, f"boilerplate_min_docs must be at least 2, got {o['boilerplate_min_docs']}")
    need(o["workers"] >= 1 or o["workers"] == -1, f"workers must be at least 1 (or -1: all cores), got {o['workers']}")
    for k in ("min_similarity", "min_single_similarity", "near_duplicate_share", "boilerplate_min_share"):
        v = o[k]
        need(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < float(v) <= 1,
             f"{k} must be a number in (0, 1], got {v!r}")
        o[k] = float(v)
    need(o["candidates"] in ("auto", "lsh", "all"), f"candidates must be 'auto', 'lsh' or 'all', got {o['candidates']!r}")
    return o


def analyze(corpus: CorpusLike, *, min_words: int = 10, min_similarity: float = 0.6, min_single_similarity: float = 0.75,
            candidates: str = "auto",
            bands: int = 20, rows: int = 5, max_gap: int = 1, boilerplate_min_docs: int = 3,
            boilerplate_min_share: float = 0.05, near_duplicate_share: float = 0.8, seed: int = 0,
            workers: int = 1, partitions: int = 1, engine=None) -> Reuse:
    """Find shared passages, boilerplate and near-duplicates in ``corpus`` (see the module doc).

    ``min_words``: a passage needs at least this many words in common (the longest common word
    subsequence of its aligned sentences). ``min_similarity``: least word-level similarity
    (``2·LCS / (len_a + len_b)``) of two aligned sentences; 0.6 keeps sentences with about a third
    of their words edited and rejects almost all unrelated sentences on one topic (which score
    0.1–0.45). ``min_single_similarity``: a passage of *one* sentence pair needs this much (0.75):
    in a large corpus some unrelated short sentences reach 0.6 by chance, two adjacent ones do not. ``candidates``: ``"lsh"`` (MinHash-LSH), ``"all"`` (every
    pair of sentences) or ``"auto"`` (all pairs up to :data:`EXACT_LIMIT` sentences).
    ``bands`` × ``rows``: the LSH banding (``bands·rows`` MinHash values per sentence).
    ``max_gap``: sentences that may be skipped inside a passage. ``boilerplate_min_docs`` and
    ``boilerplate_min_share``: a sentence one source repeats near-verbatim in at least this many of
    its documents (that are otherwise different), and in at least this share of them, is boilerplate
    (the share keeps chance repeats of a formulaic sentence in a large archive out).
    ``near_duplicate_share``: two documents are near-duplicates when this share of *both* is
    aligned. ``seed``: the MinHash permutations. ``workers``: threads for rapidfuzz.

    Computed as the lens store computes it: :func:`reuse_map` over the corpus cut into
    ``partitions`` runs of documents, then :func:`reuse_reduce`, its tasks on ``engine`` (a
    :class:`framelens.core.engine.Engine` or a name for :func:`framelens.core.engine.get_engine`; default: this
    process). Neither changes the result. With neither given, the result is cached for this corpus
    object and these options.
    """
    o = _options(min_words=min_words, min_similarity=min_similarity, min_single_similarity=min_single_similarity,
                 candidates=candidates, bands=bands,
                 rows=rows, max_gap=max_gap, boilerplate_min_docs=boilerplate_min_docs,
                 boilerplate_min_share=boilerplate_min_share,
                 near_duplicate_share=near_duplicate_share, seed=seed, workers=workers)
    if partitions != 1 or engine is not None:  # a computation asked for as such: not cached
        return _analyze(corpus, o, partitions=partitions, engine=engine)
    held = corpus.lens_cache("reuse") if hasattr(corpus, "lens_cache") else {}  # see Corpus.lens_cache
    opts_key = tuple(sorted(o.items()))
    if opts_key in held:
        return held[opts_key]
    res = _analyze(corpus, o, partitions=partitions, engine=engine)
    held[opts_key] = res
    return res


def _result(obj, **kw) -> Reuse:
    if isinstance(obj, Reuse):
        if any(v is not None for v in kw.values()):
            raise FramelensError("reuse: options apply to a corpus, not to an already computed Reuse result")
        return obj
    if not hasattr(obj, "sentences") or not hasattr(obj, "documents"):
        raise FramelensError(f"reuse: expected a Corpus or a Reuse result, got {type(obj).__name__}")
    return analyze(obj, **_options(**{k: v for k, v in kw.items() if v is not None}))


# --------------------------------------------------------------------------------------------
# Step 1: sentences as word sequences
# --------------------------------------------------------------------------------------------
@dataclass
class _Units:
    table: pd.DataFrame        # sent_id, doc_id, source, seg (0 body, 1 removed), index, rule, text, doc_i
    offsets: np.ndarray        # word offsets per unit (len n + 1)
    ids: np.ndarray            # word ids (int64), concatenated
    surface: np.ndarray        # surface form of each word (object), concatenated
    vocab: np.ndarray          # lower-cased word of each id (object)
    strings: list              # one str per unit, one character per word (for rapidfuzz)
    n_docs: int = 0            # documents in the table's corpus (units of others have doc_i = n_docs)

    @property
    def n(self) -> int:
        return len(self.table)

    def words(self, u: int) -> np.ndarray:
        return self.surface[self.offsets[u]:self.offsets[u + 1]]


def _codepoints(ids: np.ndarray) -> np.ndarray:
    """Word ids as Unicode code points (surrogates skipped) so rapidfuzz compares words as characters."""
    span = 0x10FFFF - 0x800 - 0x20
    cp = ids % span + 0x20
    return np.where(cp >= 0xD800, cp + 0x800, cp).astype("<u4")


def _removed_units(corpus: CorpusLike) -> pd.DataFrame:

    rows = []
    audit = corpus.audit
    src = dict(zip(corpus.documents["doc_id"], corpus.documents["source"]))
    count: dict[str, int] = {}
    seq = 0
    for doc_id, rule, text in zip(audit["doc_id"], audit["rule"], audit["text"]):
        text = str(text)
        k = count.get(doc_id, 0)  # the k-th span removed from this document (audit order)
        count[doc_id] = k + 1
        pieces = [text[s:e].strip() for s, e in (split_sentences(text) or [(0, len(text))])]
        pieces = [x for x in pieces if x]
        for j, piece in enumerate(pieces):
            sid = f"{doc_id}:a{k}" if len(pieces) == 1 else f"{doc_id}:a{k}.{j}"
            rows.append((sid, doc_id, src.get(doc_id, doc_id), 1, seq, str(rule), piece, normalize(piece)))
            seq += 1
    return pd.DataFrame(rows, columns=["sent_id", "doc_id", "source", "seg", "index", "rule", "text", "norm"])


def _units(corpus: CorpusLike) -> _Units:

    docs = corpus.documents
    doc_order = {d: i for i, d in enumerate(docs["doc_id"])}
    s = corpus.sentences
    body = pd.DataFrame({
        "sent_id": s["sent_id"].astype(str).to_numpy(dtype=object), "doc_id": s["doc_id"].astype(str).to_numpy(dtype=object),
        "source": s["source"].astype(str).to_numpy(dtype=object), "seg": 0,
        "index": s["sent_index"].to_numpy(dtype=np.int64), "rule": "", "text": s["text"].astype(str).to_numpy(dtype=object),
    })
    removed = _removed_units(corpus)
    table = pd.concat([body, removed.drop(columns="norm")], ignore_index=True)
    table["doc_i"] = table["doc_id"].map(doc_order).fillna(len(doc_order)).astype(np.int64)
    table = table.sort_values(["doc_i", "seg", "index"], kind="stable").reset_index(drop=True)
    n = len(table)
    pos = pd.Index(table["sent_id"])

    # word tokens: the corpus's own tokens for body sentences, the same tokenizer for removed spans
    def unit_of(ids: pd.Series) -> np.ndarray:
        if isinstance(ids.dtype, pd.CategoricalDtype):  # map the categories once, then the codes
            per_cat = pos.get_indexer(ids.cat.categories.astype(str))
            codes = ids.cat.codes.to_numpy()
            return np.where(codes >= 0, per_cat[codes], -1)
        return pos.get_indexer(ids.astype(str))

    parts = []
    t = corpus.tokens
    if len(t):
        w = t[t["is_word"].to_numpy(dtype=bool)]
        parts.append((unit_of(w["sent_id"]), w["lower"].to_numpy(dtype=object), w["token"].to_numpy(dtype=object)))
    if len(removed):  # the corpus tokenizer, word tokens only (as the loader's ``is_word``)
        rows = [(k, tk) for k, norm in zip(pos.get_indexer(removed["sent_id"]).tolist(), removed["norm"])
                for tk, _, _ in tok.tokenize(str(norm)) if any(c.isalnum() for c in tk)]
        parts.append((np.asarray([k for k, _ in rows], dtype=np.int64),
                      np.asarray([tk.lower().replace("’", "'") for _, tk in rows], dtype=object),
                      np.asarray([tk for _, tk in rows], dtype=object)))
    if parts:
        unit = np.concatenate([p[0] for p in parts])
        low = np.concatenate([p[1] for p in parts])
        sur = np.concatenate([p[2] for p in parts])
        keep = unit >= 0
        unit, low, sur = unit[keep], low[keep], sur[keep]
        if len(unit) > 1 and not (np.diff(unit) >= 0).all():
            order = np.argsort(unit, kind="stable")
            unit, low, sur = unit[order], low[order], sur[order]
        codes, vocab = pd.factorize(low)
        ids = codes.astype(np.int64)
        vocab = np.asarray(vocab, dtype=object)
    else:
        unit = np.zeros(0, dtype=np.int64)
        ids = np.zeros(0, dtype=np.int64)
        sur = np.zeros(0, dtype=object)
        vocab = np.zeros(0, dtype=object)
    counts = np.bincount(unit, minlength=n) if n else np.zeros(0, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    table["words"] = counts.astype(np.int64)
    if len(ids):
        big = _codepoints(ids).tobytes().decode("utf-32-le")
        strings = [big[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    else:
        strings = [""] * n
    return _Units(table=table, offsets=offsets, ids=ids, surface=sur, vocab=vocab, strings=strings,
                  n_docs=len(doc_order))


# --------------------------------------------------------------------------------------------
# Step 2: MinHash signatures and LSH candidates
# --------------------------------------------------------------------------------------------
def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix for the ``affine32`` scheme)."""
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def word_hashes(words) -> np.ndarray:
    """``datasketch.hashfunc.sha1_hash32`` of each word's UTF-8 bytes (uint32)."""
    from datasketch.hashfunc import sha1_hash32

    return np.fromiter((sha1_hash32(str(w).encode("utf-8")) for w in words), dtype=np.uint32, count=len(words))


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutation parameters ``(a, b)`` of ``datasketch.MinHash(num_perm, seed, scheme='affine32')``."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def signatures(set_offsets: np.ndarray, hashes: np.ndarray, *, num_perm: int, seed: int = 0,
               chunk: int = 1 << 16) -> np.ndarray:
    """MinHash signatures (``n_sets × num_perm`` uint32) of many sets at once.

    Set ``k`` holds the (already hashed, uint32) elements ``hashes[set_offsets[k]:set_offsets[k+1]]``;
    an empty set gets the all-``2^32−1`` signature. The values equal those of
    ``datasketch.MinHash(num_perm, seed=seed, scheme='affine32')`` updated with the same elements
    and ``hashfunc`` returning those hashes (Broder 1997), computed in vectorized chunks.
    """
    a, b = permutations(num_perm, seed)
    n = len(set_offsets) - 1
    out = np.full((n, num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    if n == 0 or len(hashes) == 0:
        return out
    hv = _fmix32(hashes)
    sizes = np.diff(set_offsets)
    nonempty = np.flatnonzero(sizes > 0)
    start = 0
    while start < len(nonempty):
        # take whole sets until about `chunk` elements
        first = set_offsets[nonempty[start]]
        limit = first + chunk
        stop = int(np.searchsorted(set_offsets[nonempty + 1], limit, side="right"))
        stop = max(stop, start + 1)
        sets = nonempty[start:stop]
        lo, hi = set_offsets[sets[0]], set_offsets[sets[-1] + 1]
        with np.errstate(over="ignore"):
            phv = hv[lo:hi, None] * a[None, :] + b[None, :]
        out[sets] = np.minimum.reduceat(phv, set_offsets[sets] - lo, axis=0)
        start = stop
    return out


def _band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (sentence, band): the band's ``rows`` values mixed into 64 bits."""
    n = sig.shape[0]
    keys = np.empty((bands, n), dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for k in range(bands):
            h = np.full(n, np.uint64(k + 1) * np.uint64(0xC2B2AE3D27D4EB4F), dtype=np.uint64)
            for r in range(rows):
                h = (h ^ sig[:, k * rows + r].astype(np.uint64)) * mult
                h ^= h >> np.uint64(29)
            keys[k] = h
    return keys


def _bucket_pairs(keys: np.ndarray, members: np.ndarray, *, cap: int = MAX_BUCKET,
                  with_star: bool = False) -> tuple[np.ndarray, ...]:
    """Pairs ``(i, j)`` of ``members`` sharing a key: all pairs in buckets of at most ``cap``; above,
    a star (``i`` = the bucket's first member). ``with_star``: also a boolean array, True for star links."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64)) + ((np.zeros(0, bool),) if with_star else ())
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    m = members[order]
    new = np.empty(len(k), dtype=bool)
    if not len(k):
        return empty
    new[0] = True
    new[1:] = k[1:] != k[:-1]
    gid = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(k)))
    size_of = sizes[gid]
    multi = size_of > 1
    if not multi.any():
        return empty
    gid, m, size_of = gid[multi], m[multi], size_of[multi]
    out_i, out_j, out_s = [], [], []
    small = size_of <= cap
    gs, ms = gid[small], m[small]
    for off in range(1, cap):
        if off >= len(gs):
            break
        same = gs[:-off] == gs[off:]
        if not same.any():
            break
        out_i.append(ms[:-off][same])
        out_j.append(ms[off:][same])
        out_s.append(np.zeros(int(same.sum()), dtype=bool))
    if (~small).any():
        gb, mb = gid[~small], m[~small]
        first = np.empty(len(gb), dtype=bool)
        first[0] = True
        first[1:] = gb[1:] != gb[:-1]
        head = mb[np.flatnonzero(first)[np.cumsum(first) - 1]]
        out_i.append(head[~first])
        out_j.append(mb[~first])
        out_s.append(np.ones(int((~first).sum()), dtype=bool))
    if not out_i:
        return empty
    res = (np.concatenate(out_i).astype(np.int64), np.concatenate(out_j).astype(np.int64))
    return res + ((np.concatenate(out_s),) if with_star else ())


def _set_elements(units: _Units, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The word ids of each unit in ``which``: (offsets, ids). A word repeated in a sentence stays
    repeated: the minimum over a set's hashes does not change, so no deduplication is needed."""
    off = units.offsets
    lens = off[which + 1] - off[which]
    new_off = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    pos = np.arange(int(new_off[-1]), dtype=np.int64) + np.repeat(off[which] - new_off[:-1], lens)
    return new_off, units.ids[pos]


def _doc_signatures(sig: np.ndarray, doc_of: np.ndarray, n_docs: int) -> np.ndarray:
    """MinHash of each document's word set: the element-wise minimum of its sentences' signatures."""
    out = np.full((n_docs, sig.shape[1]), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    if len(doc_of):
        order = np.argsort(doc_of, kind="stable")
        d = doc_of[order]
        starts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        out[d[starts]] = np.minimum.reduceat(sig[order], starts, axis=0)
    return out


# --------------------------------------------------------------------------------------------
# Step 3: candidate and verified sentence pairs
# --------------------------------------------------------------------------------------------
def _similarity_pairs(units: _Units, i: np.ndarray, j: np.ndarray, workers: int) -> np.ndarray:
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cpdist

    if not len(i):
        return np.zeros(0, dtype=np.float64)
    s = units.strings
    return np.asarray(cpdist([s[k] for k in i.tolist()], [s[k] for k in j.tolist()],
                             scorer=Indel.normalized_similarity, workers=workers), dtype=np.float64)


def _first_of_pairs(keys: np.ndarray, *, cap: int = MAX_BUCKET) -> np.ndarray:
    """For each position of ``keys``: in how many of :func:`_bucket_pairs`' pairs (``members`` = the
    positions) it is the first (smaller) one, counted from the bucket sizes without making the pairs:
    in a bucket of ``s ≤ cap`` members, the ``r``-th smallest is first in ``s − 1 − r`` pairs; in a
    larger bucket (a star) its first member is first in all ``s − 1``, the others in none."""
    out = np.zeros(len(keys), dtype=np.int64)
    if not len(keys):
        return out
    order = np.argsort(keys, kind="stable")  # a bucket's members in ascending position
    k = keys[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    size_of = np.repeat(sizes, sizes)
    rank = np.arange(len(k)) - np.repeat(starts, sizes)
    out[order] = np.where(size_of <= cap, size_of - 1 - rank, np.where(rank == 0, size_of - 1, 0))
    return out


def _lsh_shards(keys: "np.ndarray | _BandKeys", *, limit: int) -> list[tuple[int, int]]:
    """Ranges ``[lo, hi)`` of indexed-unit positions that cut the LSH candidate pairs (by the pair's
    first unit) into shards of at most about ``limit`` bucket pairs, counted over every band before
    the pairs are made unique (so a shard holds fewer distinct pairs); one range when all fit."""
    n_idx = keys.shape[1]
    if not n_idx:
        return [(0, 0)]
    bins = max(1, min(n_idx, 4096))
    width = -(-n_idx // bins)
    per_bin = np.zeros(-(-n_idx // width), dtype=np.int64)
    for k in range(keys.shape[0]):
        first = _first_of_pairs(keys[k], cap=MAX_BUCKET)
        per_bin += np.bincount(np.arange(n_idx) // width, weights=first, minlength=len(per_bin)).astype(np.int64)
    if per_bin.sum() <= limit:
        return [(0, n_idx)]
    out, lo, acc = [], 0, 0
    for b, c in enumerate(per_bin.tolist()):
        if acc and acc + c > limit:
            out.append((lo, b * width))
            lo, acc = b * width, 0
        acc += c
    out.append((lo, n_idx))
    return out


def _lsh_candidates(keys: "np.ndarray | _BandKeys", idx: np.ndarray, doc_of: np.ndarray, n: int,
                    shard: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs ``(i, j, head)`` (``i < j``, different documents, each pair once) of the units
    ``idx`` from their LSH band keys (``bands × len(idx)``, one band at a time); ``head`` is the star
    centre of a pair linked through an over-full bucket (-1 for ordinary pairs). ``shard``: only the
    pairs whose first unit is at a position of ``idx`` in ``[lo, hi)`` (see :func:`_lsh_shards`)."""
    star_key: list[np.ndarray] = []  # pairs linked through an over-full bucket, with its centre (few)
    star_head: list[np.ndarray] = []

    def ordinary():  # each band's ordinary pairs (i * n + j); the star pairs aside
        for k in range(keys.shape[0]):
            band, members = _shard_buckets(keys[k], shard)
            a, b, st = _bucket_pairs(band, members, cap=MAX_BUCKET, with_star=True)
            if shard is not None:
                mine = np.minimum(a, b)
                mine = (mine >= shard[0]) & (mine < shard[1])
                a, b, st = a[mine], b[mine], st[mine]
                del mine
            i, j = idx[np.minimum(a, b)], idx[np.maximum(a, b)]
            keep = doc_of[i] != doc_of[j]
            key = i * np.int64(n) + j
            star_key.append(key[keep & st])
            star_head.append(idx[a][keep & st])
            yield key[keep & ~st]

    # one band at a time, merged as they come: memory follows the distinct pairs (unique, sorted)
    run = fold(ordinary(), lambda pieces: _sorted_unique(np.concatenate(pieces)))
    run = np.zeros(0, np.int64) if run is None else run
    # per pair, a star link (its largest centre) wins over an ordinary link (head -1)
    sk, sh = np.concatenate(star_key), np.concatenate(star_head)
    if len(sk):
        order = np.lexsort((-sh, sk))
        sk, sh = sk[order], sh[order]
        first = np.r_[True, sk[1:] != sk[:-1]]
        sk, sh = sk[first], sh[first]
        run = _sorted_unique(np.concatenate([run, sk]))
    head = np.full(len(run), -1, dtype=np.int32 if n < 2**31 else np.int64)
    if len(sk):
        head[np.searchsorted(run, sk)] = sh
    small = np.int32 if n < 2**31 else np.int64  # unit positions: half the memory of every candidate pair
    return (run // n).astype(small), (run % n).astype(small), head


def _shard_buckets(band: np.ndarray, shard: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """One band's keys and their positions, kept whole (``shard`` ``None`` or every position) or
    only for the buckets with a member at a position in ``[lo, hi)``: whole buckets, in position
    order, so that :func:`_bucket_pairs` makes the same pairs (and star centres) for them while
    sorting only those keys (25 shards at 100,000 articles: each had sorted every key of every band)."""
    if shard is None or (shard[0] <= 0 and shard[1] >= len(band)):
        return band, np.arange(len(band), dtype=np.int64)
    touched = pd.Index(band[shard[0]:shard[1]]).unique()
    keep = np.flatnonzero(touched.get_indexer(band) >= 0)
    return band[keep], keep


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` of an array we own (sorted in place: one copy less)."""
    a.sort()
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


# --------------------------------------------------------------------------------------------
# Step 4: alignment of document pairs into passages
# --------------------------------------------------------------------------------------------
def _date_key(ts, precision: str) -> tuple[int, tuple] | None:
    if pd.isna(ts):
        return None
    rank = {"year": 1, "month": 2, "day": 3}.get(str(precision or "day"), 3)
    return rank, (ts.year, ts.month, ts.day)


def _earlier(ka, kb) -> int:
    """-1 if ``ka`` is strictly earlier, 1 if ``kb`` is, 0 if unknown or the same at the coarser precision."""
    if ka is None or kb is None:
        return 0
    rank = min(ka[0], kb[0])
    a, b = ka[1][:rank], kb[1][:rank]
    return -1 if a < b else 1 if b < a else 0


def _date_label(ts, precision: str) -> str:
    """A date written to its known precision (``2025-06`` when only the month is known)."""
    if pd.isna(ts):
        return ""
    return ts.strftime({"year": "%Y", "month": "%Y-%m"}.get(str(precision), "%Y-%m-%d"))


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the pairs ``(i, j)``: one label per node,
    numbered in the order of each component's first node."""
    return _components_of(n, [(i, j)])


def _components_of(n: int, chunks) -> np.ndarray:
    """:func:`_components` of the pairs given chunk by chunk (``(i, j)`` arrays): each chunk's pairs
    join the components found so far (memory: the labels and one chunk), the labels then numbered
    in the order of each component's first node — the same labels as for all pairs at once."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not n:
        return np.zeros(0, dtype=np.int64)
    lab = None
    for i, j in chunks:
        if not len(i) and lab is not None:
            continue
        a, b = (i, j) if lab is None else (lab[i], lab[j])
        g = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
        comp = connected_components(g, directed=False)[1].astype(np.int64)
        lab = comp if lab is None else comp[lab]
    if lab is None:
        return np.arange(n, dtype=np.int64)
    # number the components by their first node (as one connected_components over every pair does)
    first = np.full(int(lab.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, lab, np.arange(n, dtype=np.int64))
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[lab]


def _members(labels: np.ndarray) -> dict[int, np.ndarray]:
    """Positions of each label value, in increasing order (one stable sort)."""
    if not len(labels):
        return {}
    order = np.argsort(labels, kind="stable")
    lab = labels[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    ends = np.r_[starts[1:], len(lab)]
    return {int(lab[s]): order[s:e] for s, e in zip(starts.tolist(), ends.tolist())}


def _greedy_matches(i: np.ndarray, j: np.ndarray, sim: np.ndarray) -> list[tuple[int, int, float]]:
    """Best one-to-one matches: by similarity (highest first), ties by ``i`` then ``j``."""
    used_i, used_j, out = set(), set(), []
    for neg, a, b in sorted(zip((-sim).tolist(), i.tolist(), j.tolist())):  # a few items: no numpy sort
        if a in used_i or b in used_j:
            continue
        used_i.add(a)
        used_j.add(b)
        out.append((a, b, -neg))
    return out


def _link(matches: list[tuple[int, int, float]], gap: int) -> list[list[tuple[int, int, float]]]:
    """Group matches adjacent in both documents (|Δi|, |Δj| ≤ 1 + gap) into passages."""
    matches = sorted(matches)
    parent = list(range(len(matches)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    reach = 1 + gap
    for x in range(len(matches)):
        ix, jx, _ = matches[x]
        for y in range(x + 1, len(matches)):
            iy, jy, _ = matches[y]
            if iy - ix > reach:
                break
            if abs(jy - jx) <= reach:
                parent[find(y)] = find(x)
    groups: dict[int, list] = {}
    for x in range(len(matches)):
        groups.setdefault(find(x), []).append(matches[x])
    return list(groups.values())


def _edit_ops(A: "_Doc", a: int, B: "_Doc", b: int) -> list[tuple[str, str, str]]:
    from rapidfuzz.distance import Levenshtein

    wa, wb = A.surface[a], B.surface[b]
    out = []
    for op in Levenshtein.opcodes(A.strings[a], B.strings[b]):
        if op.tag == "equal":
            continue
        ta = " ".join(wa[op.src_start:op.src_end])
        tb = " ".join(wb[op.dest_start:op.dest_end])
        kind = {"replace": "replaced", "delete": "removed", "insert": "added"}[op.tag]
        out.append((kind, ta, tb))
    return out


# --------------------------------------------------------------------------------------------
# Map: one corpus partition → its units without text, MinHash signatures, LSH band keys
# --------------------------------------------------------------------------------------------
def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def reuse_map(corpus: CorpusLike, **options) -> dict[str, pd.DataFrame]:
    """The map step of :func:`analyze` on one corpus partition (a run of whole documents), without text:

    ``units``: every unit (body sentence, or sentence of a span the cleaner removed) in corpus order:
    ``sent_id, doc_id, source, seg`` (0 body, 1 removed), ``rule``, ``words``, ``indexed`` (it seeds
    candidates: :data:`MIN_INDEX_WORDS` words or more); ``keys``: the LSH band keys of the indexed
    units (one uint64 column per band, rows in unit order); ``doc_sigs``: each document's MinHash
    signature (the minimum over its indexed sentences: its word set); ``timing``: seconds.
    Any partitioning gives the same tables after :func:`reuse_reduce` (word hashes and signatures
    depend on the words only)."""
    import time

    o = _options(**options)
    t0 = time.perf_counter()
    units = _units(corpus)
    U = units.table
    doc_ids = corpus.documents["doc_id"].astype(str).to_numpy(dtype=object)
    doc_of = U["doc_i"].to_numpy(dtype=np.int64)
    words = U["words"].to_numpy(dtype=np.int64)
    indexed = (words >= MIN_INDEX_WORDS) & (doc_of < len(doc_ids))
    idx = np.flatnonzero(indexed)
    t1 = time.perf_counter()
    num_perm = o["bands"] * o["rows"]
    vocab_hash = word_hashes(units.vocab) if len(units.vocab) else np.zeros(0, np.uint32)
    set_off, set_ids = _set_elements(units, idx) if len(idx) else (np.zeros(1, np.int64), np.zeros(0, np.int64))
    sig = signatures(set_off, vocab_hash[set_ids], num_perm=num_perm, seed=o["seed"])
    keys = _band_keys(sig, o["bands"], o["rows"])
    doc_sig = pd.DataFrame(_doc_signatures(sig, doc_of[idx], len(doc_ids)), columns=[f"s{k}" for k in range(num_perm)])
    doc_sig.insert(0, "doc_id", doc_ids)
    meta = pd.DataFrame({"sent_id": U["sent_id"].to_numpy(dtype=object), "doc_id": U["doc_id"].to_numpy(dtype=object),
                         "source": U["source"].to_numpy(dtype=object), "seg": U["seg"].to_numpy(dtype=np.int8),
                         "rule": U["rule"].to_numpy(dtype=object), "words": words, "indexed": indexed})
    return {"units": meta, "keys": pd.DataFrame(keys.T, columns=[f"b{k}" for k in range(o["bands"])]),
            "doc_sigs": doc_sig, "timing": pd.DataFrame({"seconds_prepare": [t1 - t0],
                                                         "seconds_signatures": [time.perf_counter() - t1]})}


# --------------------------------------------------------------------------------------------
# Reading the units of a few documents (what a task sees)
# --------------------------------------------------------------------------------------------
_TOKEN_COLUMNS = ("doc_id", "sent_id", "is_word", "lower", "token")
_SENTENCE_COLUMNS = ("sent_id", "doc_id", "source", "sent_index", "text")


def _doc_tables(corpus, keep: set) -> SimpleNamespace:
    """The tables :func:`_units` reads (documents, sentences, tokens, audit), only the documents ``keep``."""
    def f(df: pd.DataFrame, cols=None) -> pd.DataFrame:
        if cols is not None:
            df = df[[c for c in cols if c in df.columns]]
        m = df["doc_id"].isin(keep).to_numpy()
        return df if m.all() else df[m].reset_index(drop=True)

    return SimpleNamespace(documents=f(corpus.documents), sentences=f(corpus.sentences, _SENTENCE_COLUMNS),
                           tokens=f(corpus.tokens, _TOKEN_COLUMNS), audit=f(corpus.audit))


class _Reader:
    """Where a task reads the units of some documents: the lens store's partition folders (read in
    the task, by document id), or the corpus in memory (the documents cut out here)."""
    def __init__(self, dirs: list[str] | None, corpus=None):
        self.dirs, self.corpus = dirs, corpus

    def where(self, parts, doc_ids) -> tuple:
        keep = sorted({str(d) for d in doc_ids})
        if self.dirs is not None:
            return ("store", [self.dirs[k] for k in sorted({int(p) for p in parts})], keep)
        return ("memory", _doc_tables(self.corpus, set(keep)), keep)


def read_units(where: tuple) -> _Units:
    """The units (words, text) of the documents a task names (see :class:`_Reader`), and no others;
    or (``("blocks", specs)``) of the task blocks it names, each built once per reduce and shared by
    every round (see :class:`_Blocks`)."""
    if where[0] == "blocks":
        return _merge_units([_block_units(spec) for spec in where[1]])
    kind, src, keep = where
    if kind == "memory":
        return _units(src)

    cols = {"documents": ("doc_id", "source"), "sentences": _SENTENCE_COLUMNS, "tokens": _TOKEN_COLUMNS,
            "audit": ("doc_id", "rule", "text")}
    pieces = [SimpleNamespace(**{t: read_partition_rows(Path(p), t, columns=c, doc_ids=keep) for t, c in cols.items()})
              for p in src]
    if len(pieces) == 1:
        return _units(pieces[0])
    return _units(SimpleNamespace(**{t: concat_frames([getattr(x, t) for x in pieces])
                                     for t in ("documents", "sentences", "tokens", "audit")}))


#: Task blocks' units a process keeps (a task reads two tiles; tasks come ordered by their first tile).
BLOCK_CACHE_SIZE = 2 * TILE_BLOCKS
_BLOCKS: dict[str, _Units] = {}  # path of a block's units file → its units (most recently used last)


def _block_units(spec: tuple) -> _Units:
    """One task block's units: ``("inline", units)`` (shipped in the task) or ``("file", path)``
    (written once by :func:`_build_block_task`; the last :data:`BLOCK_CACHE_SIZE` read are kept
    in this process, those of another reduce's folder are forgotten)."""
    import pickle

    kind, src = spec
    if kind == "inline":
        return src
    hit = _BLOCKS.pop(src, None)
    if hit is None:
        folder = str(Path(src).parent)
        for k in [k for k in _BLOCKS if str(Path(k).parent) != folder]:
            del _BLOCKS[k]
        with open(src, "rb") as f:
            hit = pickle.load(f)
    _BLOCKS[src] = hit
    while len(_BLOCKS) > BLOCK_CACHE_SIZE:
        del _BLOCKS[next(iter(_BLOCKS))]
    return hit


def _build_block_task(task: tuple) -> str:
    """Build one task block's units from its documents (see :class:`_Reader`) and write them to ``path``."""
    import os
    import pickle

    where, path = task
    units = read_units(where)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(units, f, protocol=5)
    os.replace(tmp, path)
    return path


def _merge_units(blocks: list[_Units]) -> _Units:
    """The units of several task blocks as one (what :func:`_units` gives for their documents read
    together): tables and words concatenated in block order, word ids of one shared vocabulary
    (words compare as characters, so only equality of ids matters)."""
    if len(blocks) == 1:
        return blocks[0]
    n_docs = sum(b.n_docs for b in blocks)
    tables, at = [], 0
    for b in blocks:
        t = b.table.copy()
        d = t["doc_i"].to_numpy(dtype=np.int64)
        t["doc_i"] = np.where(d < b.n_docs, d + at, n_docs)
        tables.append(t)
        at += b.n_docs
    table = pd.concat(tables, ignore_index=True)
    codes, vocab = pd.factorize(np.concatenate([b.vocab for b in blocks]) if blocks else np.zeros(0, object))
    starts = np.cumsum([0] + [len(b.vocab) for b in blocks])
    ids = np.concatenate([codes[s + b.ids].astype(np.int64) for s, b in zip(starts[:-1].tolist(), blocks)])
    lens = np.concatenate([np.diff(b.offsets) for b in blocks])
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    if len(ids):
        big = _codepoints(ids).tobytes().decode("utf-32-le")
        strings = [big[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    else:
        strings = [""] * len(table)
    return _Units(table=table, offsets=offsets, ids=ids, surface=np.concatenate([b.surface for b in blocks]),
                  vocab=np.asarray(vocab, dtype=object), strings=strings, n_docs=n_docs)


class _Blocks:
    """The task blocks' units, each built once per reduce and shared by the verification, alignment
    and text rounds: written by tasks to files in a scratch folder when the text is read from the
    lens store's partition folders (inside the store: every worker that reads the store reads them),
    else (the corpus in memory, already in this process) built here and shipped with each task."""
    def __init__(self, g: "_Global"):
        import tempfile

        self.g = g
        self.files = g.reader.dirs is not None
        self.built: dict[int, tuple] = {}
        self.folder = None
        if self.files:
            base = Path(g.reader.dirs[0]).parent.parent if g.reader.dirs else None
            try:
                self.folder = tempfile.mkdtemp(prefix=".reuse-blocks-", dir=base)
            except OSError:  # a read-only store: the system's temporary folder
                self.folder = tempfile.mkdtemp(prefix="framelens-reuse-blocks-")
        self.docs_of = _members(g.doc_block[:g.n_docs]) if g.n_docs else {}

    def _where(self, b: int) -> tuple:
        d = self.docs_of[b]
        return self.g.reader.where(self.g.doc_part[d].tolist(), [self.g.doc_ids[k] for k in d.tolist()])

    def ensure(self, blocks, eng) -> None:
        """Build the units of the ``blocks`` not built yet (files: one task per block, on ``eng``)."""
        todo = [b for b in np.unique(np.asarray(blocks, dtype=np.int64)).tolist() if b not in self.built]
        if not todo:
            return
        if not self.files:
            for b in todo:
                self.built[b] = ("inline", read_units(self._where(b)))
            return
        tasks = [(self._where(b), str(Path(self.folder) / f"block{b:06d}.pkl")) for b in todo]
        self.g.tasks += len(tasks)
        for b, path in zip(todo, eng.imap(_build_block_task, tasks, label="reuse-units")):
            self.built[b] = ("file", path)

    def where(self, blocks) -> tuple:
        """A task's reading instructions: the units of ``blocks`` (built by :meth:`ensure`)."""
        return ("blocks", [self.built[int(b)] for b in sorted(set(int(x) for x in blocks))])

    def close(self) -> None:
        import shutil

        self.built.clear()
        for k in [k for k in _BLOCKS if self.folder and str(Path(k).parent) == self.folder]:
            del _BLOCKS[k]
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class _Doc:
    """The content units of one document, as an alignment task sees them."""
    doc_id: str
    sent_ids: np.ndarray
    words: np.ndarray
    strings: list
    surface: list
    texts: np.ndarray
    offsets: np.ndarray | None = None  # each unit's rank among all of the document's units (its corpus
    # position minus the document's first: how a task names units without their ids, see _positions)

    @property
    def word_list(self) -> list:
        """``words`` as a list of ints (cheaper to index one at a time)."""
        wl = self.__dict__.get("_word_list")
        if wl is None:
            wl = self.__dict__["_word_list"] = self.words.tolist()
        return wl


def _doc_units(units: _Units, skip: set) -> dict[str, _Doc]:
    """Each document's content units (body sentences not in ``skip``, the boilerplate), in order."""
    T = units.table
    content = ((T["seg"].to_numpy() == 0) & ~T["sent_id"].isin(skip).to_numpy()
               & (T["doc_i"].to_numpy() < units.n_docs))
    cu = np.flatnonzero(content)
    out: dict[str, _Doc] = {}
    if not len(cu):
        return out
    dd = T["doc_id"].to_numpy(dtype=object)[cu]
    sids, texts = T["sent_id"].to_numpy(dtype=object), T["text"].to_numpy(dtype=object)
    words = T["words"].to_numpy(dtype=np.int64)
    doc_i = T["doc_i"].to_numpy(dtype=np.int64)  # a document's units are consecutive: the first row of its run
    at = np.arange(len(doc_i))
    first_row = np.maximum.accumulate(np.where(np.r_[True, doc_i[1:] != doc_i[:-1]], at, 0))[cu]
    starts = np.flatnonzero(np.r_[True, dd[1:] != dd[:-1]])
    for s_, e_ in zip(starts.tolist(), np.r_[starts[1:], len(cu)].tolist()):
        u = cu[s_:e_]
        out[str(dd[s_])] = _Doc(str(dd[s_]), sids[u], words[u], [units.strings[k] for k in u.tolist()],
                                [units.words(k) for k in u.tolist()], texts[u], u - first_row[s_])
    return out


# --------------------------------------------------------------------------------------------
# Tasks (run on the engine): verify sentence pairs, align document pairs
# --------------------------------------------------------------------------------------------
def _verify_task(task: tuple):
    """Word similarity of named sentence pairs (``"pairs"``), or of every pair between two lists of
    sentences above ``min_similarity`` (``"all"``: positions and similarities)."""
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cdist

    mode, where, a, b, o = task
    units = read_units(where)
    pos = pd.Index(units.table["sent_id"])
    ia, ib = pos.get_indexer(a), pos.get_indexer(b)
    if mode == "pairs":
        return _similarity_pairs(units, ia, ib, o["workers"])
    s = units.strings
    m = cdist([s[k] for k in ia.tolist()], [s[k] for k in ib.tolist()], scorer=Indel.normalized_similarity,
              score_cutoff=o["min_similarity"], workers=o["workers"], dtype=np.float32)
    if mode == "same":
        m = np.triu(m, 1)
    x, y = np.nonzero(m >= o["min_similarity"])
    return x, y, m[x, y].astype(np.float64)


def _align_task(task: tuple) -> list[list[tuple[dict, list]]]:
    """Align document pairs ``(doc_a, doc_b, known)``: each pair sees only its two documents."""
    where, pairs, skip, o = task
    return _align_docs(_doc_units(read_units(where), set(skip)), pairs, o)


def _align_docs(docs: dict[str, _Doc], pairs: list, o: Mapping[str, Any]) -> list[list[tuple[dict, list]]]:
    sims = _similarities(docs, pairs, o)
    return [align_pair(docs.get(x), docs.get(y), known, o, sims=sims.get((x, y))) for x, y, known in pairs]


def _similarities(docs: dict[str, _Doc], pairs: list, o: Mapping[str, Any]) -> dict[tuple, np.ndarray]:
    """The sentence similarity matrix of each pair, one ``cdist`` per first document against all its
    partners (the same numbers as one call per pair, at a fraction of the calls)."""
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cdist

    by_first: dict[str, list[str]] = {}
    for x, y, _known in pairs:
        if x in docs and y in docs:
            by_first.setdefault(x, []).append(y)
    out = {}
    for x, ys in by_first.items():
        m = cdist(docs[x].strings, [s for y in ys for s in docs[y].strings], scorer=Indel.normalized_similarity,
                  score_cutoff=o["min_similarity"], workers=o["workers"], dtype=np.float32)
        at = np.cumsum([0] + [len(docs[y].strings) for y in ys])
        out.update({(x, y): m[:, a:b] for y, a, b in zip(ys, at[:-1], at[1:])})
    return out


def align_pair(A: _Doc | None, B: _Doc | None, known: bool, o: Mapping[str, Any], *,
               sims: np.ndarray | None = None) -> list[tuple[dict, list]]:
    """The passages two documents share: every content sentence of ``A`` against every one of ``B``
    (``sims``: that similarity matrix, when already computed), the best one-to-one matches kept,
    adjacent ones linked (see the module doc). One ``(passage, edits)`` per passage, without its id
    (given in corpus order by the reduce)."""
    if A is None or B is None:
        return []
    if sims is None:
        from rapidfuzz.distance import Indel
        from rapidfuzz.process import cdist

        sims = cdist(A.strings, B.strings, scorer=Indel.normalized_similarity, score_cutoff=o["min_similarity"],
                     workers=o["workers"], dtype=np.float32)
    m = sims
    ai, bi = np.nonzero(m >= o["min_similarity"])
    if not len(ai):
        return []
    if len(ai) == 1:  # one match: one group (what the greedy matching and the linking give)
        groups = [[(int(ai[0]), int(bi[0]), float(m[ai[0], bi[0]]))]]
    else:
        vals = m[ai, bi].astype(np.float64)
        # no group can reach min_words when all the matches together cannot (see _passage)
        wa, wb = A.word_list, B.word_list
        if sum((v + _MARGIN) * (wa[a] + wb[b]) for a, b, v in zip(ai.tolist(), bi.tolist(), vals.tolist())) \
                < 2 * o["min_words"]:
            return []
        groups = _link(_greedy_matches(ai, bi, vals), o["max_gap"])
    out = []
    for group in groups:
        p = _passage(A, B, group, known, o)
        if p is not None:
            out.append(p)
    return out


#: Safety margin of the cheap rejections in :func:`_passage` (float32 similarities err by < 1e-7).
_MARGIN = 1e-6


def _passage(A: _Doc, B: _Doc, group: list, known: bool, o: Mapping[str, Any]) -> tuple[dict, list] | None:
    wa_, wb_ = A.word_list, B.word_list
    # cheap rejections first: a match's similarity (its third value, from the float32 matrix, within
    # 1e-7 of the exact one) gives its common words, 2·LCS = similarity · (len_a + len_b)
    if len(group) == 1 and group[0][2] < o["min_single_similarity"] - _MARGIN:
        return None
    if sum((p[2] + _MARGIN) * (wa_[p[0]] + wb_[p[1]]) for p in group) < 2 * o["min_words"]:
        return None
    from rapidfuzz.distance import Indel

    pairs_u = [(p[0], p[1]) for p in sorted(group)]
    lcs = sum((wa_[a] + wb_[b] - Indel.distance(A.strings[a], B.strings[b])) / 2 for a, b in pairs_u)
    sim = 2 * lcs / max(1, sum(wa_[a] + wb_[b] for a, b in pairs_u))
    if lcs < o["min_words"] or (len(pairs_u) == 1 and sim < o["min_single_similarity"]):
        return None
    ga = sorted(p[0] for p in group)
    gb = sorted(p[1] for p in group)
    j_in_i_order = [p[1] for p in sorted(group)]
    reordered = any(b2 < b1 for b1, b2 in zip(j_in_i_order, j_in_i_order[1:]))
    gap_a = [k for k in range(ga[0], ga[-1] + 1) if k not in set(ga)]
    gap_b = [k for k in range(gb[0], gb[-1] + 1) if k not in set(gb)]
    mine = [(A.sent_ids[a], B.sent_ids[b], kind, ta, tb) for a, b in pairs_u for kind, ta, tb in _edit_ops(A, a, B, b)]
    mine += [(A.sent_ids[k], "", "removed", A.texts[k], "") for k in gap_a]
    mine += [("", B.sent_ids[k], "added", "", B.texts[k]) for k in gap_b]
    row = {
        "doc_a": A.doc_id, "doc_b": B.doc_id, "sent_ids_a": tuple(A.sent_ids[ga]), "sent_ids_b": tuple(B.sent_ids[gb]),
        "words": int(A.words[ga].sum()), "words_b": int(B.words[gb].sum()), "similarity": round(float(sim), 4),
        "first": A.doc_id if known else "", "reordered": bool(reordered),
        "gap_sent_ids_a": tuple(A.sent_ids[k] for k in gap_a), "gap_sent_ids_b": tuple(B.sent_ids[k] for k in gap_b),
        "n_added": sum(len(e[4].split()) for e in mine if e[2] == "added"),
        "n_removed": sum(len(e[3].split()) for e in mine if e[2] == "removed"),
        "n_replaced": sum(len(e[3].split()) for e in mine if e[2] == "replaced"),
        "added": "; ".join(e[4] for e in mine if e[2] == "added"),
        "removed": "; ".join(e[3] for e in mine if e[2] == "removed"),
        "replaced": "; ".join(f"{e[3]} → {e[4]}" for e in mine if e[2] == "replaced"),
        "text_a": " ".join(A.texts[ga]), "text_b": " ".join(B.texts[gb]),
    }
    return row, mine


def _texts_task(task: tuple) -> list[str]:
    where, sent_ids = task
    T = read_units(where).table
    return T.set_index("sent_id").loc[list(sent_ids), "text"].tolist()


# --------------------------------------------------------------------------------------------
# Reduce: the corpus's units (no text), candidates, boilerplate, tasks, tables
# --------------------------------------------------------------------------------------------
class _Ids:
    """Every unit's sentence id by position, kept as the id column itself (Arrow strings when the
    partials are): a Python string is made only for the positions a task or a table asks for
    (``ids[positions]``, an object array), not for all the corpus's sentences at once."""

    def __init__(self, column: pd.Series):
        column = column.reset_index(drop=True)
        data = getattr(column.array, "_pa_array", None)
        if data is not None and data.num_chunks > 1 and data.nbytes < 2**30:  # one chunk: a take from
            # many chunks joins them all first (13 ms per take of 2.2 million ids in 100 chunks, 0.1 ms in one)
            import pyarrow as pa

            column = pd.Series(type(column.array)(pa.chunked_array([data.combine_chunks()])), name=column.name)
        self.column = column

    def __getitem__(self, positions) -> np.ndarray:
        at = np.asarray(positions)
        at = np.flatnonzero(at) if at.dtype == bool else at.astype(np.int64, copy=False)
        return self.column.take(at).to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.column)


@dataclass
class _Global:
    """What the reduce holds: every unit's metadata in corpus order (no text), the documents, the
    band keys of the indexed units and each document's signature, and where to read text. ``U``,
    the gathered units, becomes arrays (``doc_of``, ``words``, ``removed``, ``idx``, ``sent_ids``)
    and, kept as a frame, only each unit's ``doc_id``, ``source`` and ``rule`` as categories."""
    U: pd.DataFrame
    docs: pd.DataFrame
    keys: "np.ndarray | _BandKeys"
    doc_sig: np.ndarray
    doc_part: np.ndarray
    reader: _Reader
    timing: dict
    progress: Any = None  # the run's Progress (set by the reduce): its steps, tasks done out of the total
    labels: dict = field(default_factory=dict)  # each source's display name (set by the reduce)

    def __post_init__(self):
        self.doc_ids = self.docs["doc_id"].astype(str).tolist()
        self.n_docs = len(self.doc_ids)
        self.doc_source = self.docs["source"].astype(str).tolist()
        U = self.U
        self.n = len(U)
        self.doc_of = np.array(U["doc_i"], dtype=np.int64)  # copies: nothing left holding the gathered frame
        self.words = np.array(U["words"], dtype=np.int64)
        self.removed = U["seg"].to_numpy() == 1
        self.idx = np.flatnonzero(U["indexed"].to_numpy(dtype=bool))
        self.sent_ids = _Ids(U["sent_id"])
        # what the later steps read of the frame, each unit's document, source and removal rule, as
        # categories: codes instead of a string per unit (2.2 million units at 100,000 articles), and
        # a unit's source looked up without a Python string made for every unit
        self.U = pd.DataFrame({c: U[c].astype("category") for c in ("doc_id", "source", "rule")})
        del U
        # task blocks: runs of at most TASK_DOCUMENTS documents inside one partition
        first = np.r_[True, self.doc_part[1:] != self.doc_part[:-1]] if len(self.doc_part) else np.zeros(0, bool)
        start = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0)) if len(first) else first
        rank = np.arange(len(first)) - start
        self.doc_block = np.unique(np.c_[self.doc_part, rank // TASK_DOCUMENTS], axis=0, return_inverse=True)[1] \
            .reshape(-1).astype(np.int64) if len(first) else np.zeros(0, np.int64)
        self.block = self.doc_block[self.doc_of].astype(np.int32)  # of each unit
        n_blocks = int(self.doc_block.max()) + 1 if len(self.doc_block) else 0
        self.tile = min(TILE_BLOCKS, max(1, -(-n_blocks // TILES)))  # blocks per tile (see TILE_BLOCKS)
        self.tasks = 0  # tasks run on the engine
        prec = self.docs["published_precision"] if "published_precision" in self.docs else [""] * self.n_docs
        self.dkeys = [_date_key(ts, p) for ts, p in zip(self.docs["published"], prec)]
        self.pub_label = [_date_label(ts, p) for ts, p in zip(self.docs["published"], prec)]
        self.blocks: _Blocks | None = None  # set by the reduce

    def where(self, units: np.ndarray) -> tuple:
        """A task's reading instructions for the documents of ``units``: their task blocks' units
        (built by ``self.blocks.ensure`` before the round)."""
        return self.blocks.where(np.unique(self.block[units]))


def _gather(red, o: dict, folder: str | None = None) -> _Global:
    """The maps' partials, concatenated in corpus order (partition ``k`` of every unit kept); the
    band keys written to a file in ``folder`` when one is given (:func:`_band_keys_of`)."""
    parts = red.partials_list()
    num_perm = o["bands"] * o["rows"]
    metas, sigs, timing = [], [], {"seconds_prepare": 0.0, "seconds_signatures": 0.0}
    for k, p in enumerate(parts):
        if "units" not in p:
            continue
        metas.append(p["units"].assign(part=k))
        sigs.append(p["doc_sigs"].assign(part=k))
        for c in timing:
            timing[c] += float(p["timing"][c].sum())
    cols = ["sent_id", "doc_id", "source", "seg", "rule", "words", "indexed", "part"]
    U = pd.concat(metas, ignore_index=True) if metas else pd.DataFrame({c: [] for c in cols})
    U["krow"] = -1
    ind = U["indexed"].to_numpy(dtype=bool)
    U.loc[ind, "krow"] = np.arange(int(ind.sum()))
    docs = red.documents.reset_index(drop=True)
    pos = {d: i for i, d in enumerate(docs["doc_id"].astype(str))}
    U["doc_i"] = U["doc_id"].astype(str).map(pos).fillna(len(pos)).astype(np.int64)
    d = U["doc_i"].to_numpy()
    if len(d) > 1 and not (np.diff(d) >= 0).all():  # a unit of an unknown document: last, as in one partition
        U = U.iloc[np.argsort(d, kind="stable")].reset_index(drop=True)
    krow = U["krow"].to_numpy()
    keys_t = _band_keys_of(parts, krow[krow >= 0], o["bands"], folder)
    doc_sig = np.full((len(pos) + 1, num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    doc_part = np.zeros(len(pos) + 1, dtype=np.int64)
    for s in sigs:
        at = s["doc_id"].astype(str).map(pos)
        ok = at.notna().to_numpy()
        rows = at[ok].astype(np.int64).to_numpy()
        doc_sig[rows] = s.loc[ok, [f"s{k}" for k in range(num_perm)]].to_numpy(dtype=np.uint32)
        doc_part[rows] = s.loc[ok, "part"].to_numpy()
    dirs = getattr(red, "partitions", None)
    reader = _Reader(list(dirs), None) if dirs is not None else _Reader(None, red.whole())
    del metas, sigs  # merged above (the partials themselves are read from disk on access)
    return _Global(U=U.drop(columns="krow"), docs=docs, keys=keys_t, doc_sig=doc_sig, doc_part=doc_part,
                   reader=reader, timing=timing)


class _BandKeys:
    """The indexed units' LSH band keys (``bands × units``, uint64) in a file, band after band, read
    one band at a time (``keys[k]``, a fresh array): what :func:`_lsh_shards` and
    :func:`_lsh_candidates` need of an array of band keys. Only the candidate step reads them, band
    by band; held whole, they were the largest thing the reduce kept (336 MB at 100,000 articles,
    20 bands of 2.2 million keys)."""

    def __init__(self, path: str, bands: int, n: int):
        self.path, self.shape = path, (bands, n)

    def __getitem__(self, k: int) -> np.ndarray:
        n = self.shape[1]
        return np.fromfile(self.path, dtype=np.uint64, count=n, offset=int(k) * n * 8) if n else np.zeros(0, np.uint64)

    def close(self) -> None:
        try:
            os.remove(self.path)
        except OSError:
            pass


def _band_keys_of(parts, order: np.ndarray, bands: int, folder: str | None = None) -> "np.ndarray | _BandKeys":
    """The indexed units' band keys (``bands × units``) in ``order`` (positions in the partitions'
    concatenated keys), filled one partition at a time: never a second copy of every key. Given
    ``folder`` (and the keys in order, the usual case), written to a file there band after band
    instead (:class:`_BandKeys`): the reduce then never holds them."""
    in_order = bool(len(order) == 0 or (order == np.arange(len(order))).all())
    if folder is not None and in_order:
        return _band_keys_file(parts, len(order), bands, os.path.join(folder, "band-keys.u64"))
    out = np.empty((bands, len(order)), dtype=np.uint64)
    if not in_order:  # (a unit of an unknown document moved last): positions mapped back
        where = np.empty(len(order), dtype=np.int64)
        where[order] = np.arange(len(order))
    for at, k in _partition_keys(parts, bands):
        if in_order:
            out[:, at:at + len(k)] = k.T
        else:
            out[:, where[at:at + len(k)]] = k.T
    return out


def _partition_keys(parts, bands: int) -> Iterator[tuple[int, np.ndarray]]:
    """Each partition's band keys (``units × bands``) with the position of its first indexed unit
    in the partitions' concatenated keys."""
    at = 0
    for p in parts:
        if "units" not in p:
            continue
        k = p["keys"].to_numpy(dtype=np.uint64).reshape(-1, bands)
        yield at, k
        at += len(k)


def _band_keys_file(parts, n: int, bands: int, path: str) -> _BandKeys:
    """:func:`_band_keys_of` written to ``path``: band ``k`` at ``k × n`` keys, each partition's
    slice of every band written where it goes."""
    with open(path, "wb") as f:
        f.truncate(bands * n * 8)
    fd = os.open(path, os.O_WRONLY)
    try:
        for at, k in _partition_keys(parts, bands):
            for b in range(bands):
                os.pwrite(fd, np.ascontiguousarray(k[:, b]).tobytes(), (b * n + at) * 8)
    finally:
        os.close(fd)
    return _BandKeys(path, bands, n)


def _partition_groups(pa: np.ndarray, pb: np.ndarray, tile: int = 1) -> list[np.ndarray]:
    """Positions of the pairs grouped by their (unordered) pair of tiles of ``tile`` consecutive task
    blocks (``pa``, ``pb``: each pair's blocks), in a fixed order (by first tile, then second)."""
    if not len(pa):
        return []
    pa, pb = pa // tile, pb // tile
    span = np.int64(max(int(pa.max()), int(pb.max())) + 1)
    key = np.minimum(pa, pb).astype(np.int64) * span + np.maximum(pa, pb)
    return list(_members(key).values())


class _Pairs:
    """The verified sentence pairs ``(i, j, similarity, head)`` in ``(i, j)`` order, in chunks (one
    per shard of candidates): held here, or — given ``folder`` — each chunk written there as it is
    verified and read back one at a time by :meth:`chunks` (the reduce never holds them all: a
    billion bytes at 100,000 articles)."""

    def __init__(self, folder: str | None = None):
        self.folder = folder
        self._held: list[tuple[np.ndarray, ...]] = []
        self._files: list[str] = []
        self.n = 0

    def add(self, i: np.ndarray, j: np.ndarray, s: np.ndarray, head: np.ndarray) -> None:
        self.n += len(i)
        if self.folder is None:
            self._held.append((i, j, s, head))
            return
        path = os.path.join(self.folder, f"verified-{len(self._files):05d}.npz")
        np.savez(path, i=i, j=j, s=s, head=head)
        self._files.append(path)

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        yield from self._held
        for path in self._files:
            with np.load(path) as z:
                yield z["i"], z["j"], z["s"], z["head"]

    def __len__(self) -> int:
        return self.n


def _verified(g: _Global, o: dict, eng, stats: dict, spill: str | None = None) -> _Pairs:
    """Verified sentence pairs ``(i, j, similarity, head)``, sorted by ``(i, j)`` (see :class:`_Pairs`;
    ``spill``: its folder): LSH candidates checked by tasks, or every pair of indexed sentences
    compared (``candidates="all"``)."""
    pairs = _Pairs(spill)
    method = o["candidates"]
    n_idx = len(g.idx)
    if method == "auto":
        method = "all" if n_idx <= EXACT_LIMIT else "lsh"
    if method == "all":
        i, j, s = _verify_all(g, o, eng)
        head = np.full(len(i), -1, dtype=np.int64)
        stats["candidate_pairs"] = int(n_idx * (n_idx - 1) // 2)
        stats["method"] = f"every pair of {n_idx:,} sentences compared"
    else:
        shards = _lsh_shards(g.keys, limit=SHARD_PAIRS)
        stats["candidate_pairs"] = 0
        for k, shard in enumerate(shards):  # the candidates of one shard at a time: only the verified pairs are kept
            i, j, head = _lsh_candidates(g.keys, g.idx, g.doc_of, max(g.n, 1), shard if len(shards) > 1 else None)
            stats["candidate_pairs"] += int(len(i))
            step = "reuse: verifying candidate sentence pairs" + (f" (shard {k + 1} of {len(shards)})"
                                                                    if len(shards) > 1 else "")
            s = _verify_candidates(g, i, j, o, eng, step=step)
            ok = s >= o["min_similarity"]
            i, j, s, head = i[ok], j[ok], s[ok], head[ok]
            order = np.lexsort((j, i))
            pairs.add(i[order], j[order], s[order], head[order])
            del i, j, s, head, ok, order
        stats["candidate_shards"] = len(shards)
        stats["method"] = (f"MinHash-LSH over word sets ({o['bands']} bands × {o['rows']} rows = "
                           f"{o['bands'] * o['rows']} permutations, {n_idx:,} sentences indexed)")
        return pairs  # shards follow the first unit: their pairs, each sorted, are in (i, j) order one after another
    order = np.lexsort((j, i))
    pairs.add(i[order], j[order], s[order], head[order])
    return pairs


def _verify_candidates(g: _Global, i: np.ndarray, j: np.ndarray, o: dict, eng,
                       step: str = "reuse: verifying candidate sentence pairs") -> np.ndarray:
    """The word similarity of each candidate pair ``(i[k], j[k])``, computed by tasks grouped by
    their pair of tiles (each reading only its tiles' block units); progress as ``step``, in tasks."""
    s = np.zeros(len(i), dtype=np.float64)
    groups = _partition_groups(g.block[i], g.block[j], g.tile)
    g.blocks.ensure(np.r_[g.block[i], g.block[j]], eng)
    tasks = (("pairs", g.where(np.r_[i[k], j[k]]), g.sent_ids[i[k]].tolist(), g.sent_ids[j[k]].tolist(), o)
             for k in groups)  # made as the engine takes them: never all candidates' ids at once
    g.tasks += len(groups)
    with g.progress.phase(step, len(groups), "tasks", detail=True):
        for k, sims in zip(groups, eng.imap(_verify_task, tasks, label="reuse-verify")):
            s[k] = sims
            g.progress.advance(step)
    return s


def _verify_all(g: _Global, o: dict, eng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    by_part = _members(g.block[g.idx])
    keys = sorted(by_part)
    plan = [(p, q) for a, p in enumerate(keys) for q in keys[a:]]
    g.blocks.ensure(keys, eng)
    tasks = (("same" if p == q else "cross", g.where(np.r_[g.idx[by_part[p]], g.idx[by_part[q]]]),
              g.sent_ids[g.idx[by_part[p]]].tolist(), g.sent_ids[g.idx[by_part[q]]].tolist(), o) for p, q in plan)
    g.tasks += len(plan)
    out_i, out_j, out_s = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    step = "reuse: comparing every pair of sentences"
    with g.progress.phase(step, len(plan), "tasks", detail=True):
        for (p, q), (x, y, s) in zip(plan, eng.imap(_verify_task, tasks, label="reuse-verify")):
            i, j = g.idx[by_part[p]][x], g.idx[by_part[q]][y]
            diff = g.doc_of[i] != g.doc_of[j]
            out_i.append(i[diff])
            out_j.append(j[diff])
            out_s.append(s[diff])
            g.progress.advance(step)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def _boilerplate_labels(g: _Global, pairs: _Pairs, o: dict) -> tuple[np.ndarray, dict]:
    """The boilerplate cluster of each unit (-1: none) and each cluster's ``(kind, rules)``, from the
    verified pairs read chunk by chunk."""
    blabel = np.full(g.n, -1, dtype=np.int64)
    kind: dict[int, tuple[str, str]] = {}
    if not len(pairs):
        return blabel, kind
    at_least = max(o["min_similarity"], REPEAT_SIMILARITY)

    def furniture():  # spans removed in two documents that match, or a sentence matching a removed
        for vi, vj, vs, _h in pairs.chunks():  # span near-verbatim (the cleaner missed it there)
            e = (g.removed[vi] & g.removed[vj]) | (vs >= at_least)
            yield vi[e], vj[e]

    cl = _components_of(g.n, furniture())
    csize = np.bincount(cl, minlength=int(cl.max()) + 1)
    hit = g.removed & (csize[cl] > 1)
    if hit.any():
        m = pd.DataFrame({"c": cl[hit], "rule": g.U["rule"].to_numpy()[hit]})
        for c, r in m.groupby("c")["rule"].agg(lambda r: ", ".join(sorted(set(r)))).items():
            kind[int(c)] = ("removed by the cleaner", r)
        flagged = np.isin(cl, np.asarray(list(kind), dtype=np.int64))
        blabel[flagged] = cl[flagged]
    strong = ((vi[vs >= at_least], vj[vs >= at_least]) for vi, vj, vs, _h in pairs.chunks())
    _repeated_by_source(g, strong, blabel, kind, o)
    return blabel, kind


def _repeated_by_source(g: _Global, strong, blabel: np.ndarray, kind: dict, o: dict) -> None:
    """Repetition by one source: near-verbatim clusters only (a footer is copied, not paraphrased;
    ``strong``: those pairs, ``(i, j)`` chunk by chunk), in ``boilerplate_min_docs`` documents that
    are otherwise different (labels ``n + cluster``)."""
    rcl = _components_of(g.n, strong)
    rsize = np.bincount(rcl, minlength=int(rcl.max()) + 1)
    cand = (rsize[rcl] >= o["boilerplate_min_docs"]) & (blabel < 0)
    if not cand.any():
        return
    m = pd.DataFrame({"c": rcl[cand], "doc": g.doc_of[cand], "source": g.U["source"].to_numpy()[cand]}
                     ).drop_duplicates(["c", "doc"])
    per = m.groupby(["c", "source"])["doc"].agg(list)
    n_of_source = g.docs.groupby("source")["doc_id"].size()
    need = {src: max(o["boilerplate_min_docs"], o["boilerplate_min_share"] * n_of_source.get(src, 0))
            for src in per.index.get_level_values("source").unique()}
    per = per[[len(dl) >= need[src] for (_c, src), dl in per.items()]]
    found: dict[int, list[tuple[str, int]]] = {}
    for (c, src), dl in per.items():
        n_distinct = _distinct_documents(g.doc_sig[np.asarray(dl, dtype=np.int64)])
        if n_distinct >= need[src]:
            found.setdefault(int(c), []).append((src, n_distinct))
    for c, who in found.items():
        kind[g.n + c] = (_repeated_kind(who, name=lambda s: g.labels.get(s, s)), "")
        blabel[(rcl == c) & (blabel < 0)] = g.n + c


def _repeated_kind(who: list[tuple[str, int]], shown: int = 4, name=str) -> str:
    """How a cluster repeated by its sources reads: each ``(source, distinct documents)`` that
    repeats it, the most documents first (a line many outlets each repeat, e.g. a common footer, is
    not one source's), each source by ``name(source)`` (its outlet name, as the report names the
    sources that share the line)."""
    if len(who) == 1:
        src, n = who[0]
        return f"repeated by one source ({name(src)}) in {n} of its documents"
    who = sorted(who, key=lambda w: (-w[1], w[0]))
    each = ", ".join(f"{name(src)} in {n}" for src, n in who[:shown]) + (", …" if len(who) > shown else "")
    return f"repeated by each of {len(who)} sources in several of its own documents ({each})"


def _distinct_documents(sigs: np.ndarray) -> int:
    """How many of the documents (their MinHash signatures, in order) are kept when each is kept
    unless its estimated resemblance (share of equal signature values) to one kept before it is at
    least :data:`SAME_STORY_RESEMBLANCE`: each compared with all those kept at once."""
    kept = np.empty_like(sigs)
    k = 0
    for row in sigs:
        if not k or not ((kept[:k] == row).mean(axis=1) >= SAME_STORY_RESEMBLANCE).any():
            kept[k] = row
            k += 1
    return k


def _doc_pairs(g: _Global, pairs: _Pairs, is_boiler, stats: dict | None = None) -> "_Oriented":
    """The document pairs to align ``(x, y, known)``, the earlier first where the dates tell: the
    documents of every verified pair of content sentences; around the centre of an over-full LSH
    bucket (linked as a star), every pair of the documents verified against that centre when they
    are at most :data:`MAX_CLIQUE_DOCUMENTS`, else each with the centre's document only (the
    verified pairs themselves); of these, the pairs where either document counts the other among its
    :data:`MAX_PARTNERS` strongest partners (most shared sentences). ``stats`` gets how many
    centres were left as stars, their documents and the document pairs found. Memory: each
    document's strongest partners so far (:class:`_TopPartners`), the star centres' documents, and
    one range of first documents' pairs (about :data:`PAIR_CHUNK`) at a time: never every distinct
    document pair (on text that shares sentences across many articles, hundreds of millions)."""
    d = g.doc_of
    span = np.int64(g.n_docs + 1)

    def content_pairs():  # each chunk's verified pairs of content sentences, as documents (smaller first)
        for vi, vj, _s, vhead in pairs.chunks():
            for at in range(0, len(vi), PAIR_CHUNK):
                a, b = vi[at:at + PAIR_CHUNK], vj[at:at + PAIR_CHUNK]
                ok = ~is_boiler[a] & ~is_boiler[b]
                dx, dy = d[a[ok]], d[b[ok]]
                yield np.minimum(dx, dy), np.maximum(dx, dy), vi, vj, vhead, at

    # one pass: how many links each first document has, and the star pairs (few)
    links = np.zeros(int(span), dtype=np.int64)
    stars: list[tuple[np.ndarray, ...]] = []
    for lo_d, _hi_d, vi, vj, vhead, at in content_pairs():
        links += np.bincount(lo_d, minlength=int(span))
        if at == 0 and (vhead >= 0).any():
            star = vhead >= 0
            stars.append((vi[star], vj[star], vhead[star]))
    si, sj, sh = (np.concatenate([s[k] for s in stars]) if stars else np.zeros(0, np.int64) for k in range(3))
    cliques = _Cliques(g, si, sj, sh, is_boiler, stats)
    del stars, si, sj, sh
    links += cliques.links(int(span))
    # then the distinct document pairs of a range of first documents at a time (about PAIR_CHUNK
    # links), each range's folded into every document's strongest partners so far
    release_memory(arrow=True)  # what the verification and the boilerplate clusters freed
    top, found = _TopPartners(MAX_PARTNERS, g.n_docs + 1), 0
    for lo, hi in _ranges(links, PAIR_CHUNK):
        def keys_in_range(lo=lo, hi=hi):
            for lo_d, hi_d, *_rest in content_pairs():
                mine = (lo_d >= lo) & (lo_d < hi)
                yield lo_d[mine] * span + hi_d[mine]

        key, shared = _merge_counts([_count_keys(keys_in_range()), _count_keys(cliques.keys(lo, hi, span))])
        found += len(key)
        top.add_keys(key, span, shared)
        del key, shared
    del links, cliques
    if stats is not None:
        stats["document_pairs_found"] = int(found)
    x, y = top.pairs()
    e = _earlier_many(g, x, y)
    later_first = e > 0  # y is strictly earlier: it goes first
    ox, oy = np.where(later_first, y, x), np.where(later_first, x, y)
    known = e != 0
    # listed by the first document, in the order each first appears (passage ids follow it)
    if len(ox):
        firsts, at = np.unique(ox, return_index=True)
        rank = np.empty(int(firsts.max()) + 1, dtype=np.int64)
        rank[firsts] = np.argsort(np.argsort(at, kind="stable"), kind="stable")
        keep = np.argsort(rank[ox], kind="stable")
        ox, oy, known = ox[keep], oy[keep], known[keep]
    return _Oriented(ox, oy, known)


#: The document-pair step reads the verified sentence pairs, and counts the document pairs, this
#: many rows at a time (what bounds its working memory beside each document's strongest partners).
PAIR_CHUNK = 4_000_000
#: Document pairs folded into the strongest partners at a time (:class:`_TopPartners`).
TOP_CHUNK = 1_000_000


class _Cliques:
    """The documents verified against each star centre with at most :data:`MAX_CLIQUE_DOCUMENTS`
    documents (``stats``: how many centres and documents are above it), whose every pair of
    documents is a document pair (counted once per centre linking it): made for a range of first
    documents at a time (:meth:`keys`), never all at once."""

    def __init__(self, g: _Global, vi, vj, vhead, is_boiler, stats: dict | None):
        d = g.doc_of
        star = (vhead >= 0) & ~is_boiler[vi] & ~is_boiler[vj] if len(vi) else np.zeros(0, dtype=bool)
        other = np.where(vi[star] == vhead[star], vj[star], vi[star])
        cd = pd.DataFrame({"c": np.r_[vhead[star], vhead[star]], "d": np.r_[d[vhead[star]], d[other]]})
        del star, other
        cd = cd.drop_duplicates()
        size = cd.groupby("c", sort=False)["d"].transform("size").to_numpy()
        big = size > MAX_CLIQUE_DOCUMENTS
        if stats is not None and len(cd):
            stats["star_clusters"] = int(cd.loc[big, "c"].nunique())
            stats["star_cluster_documents"] = int(cd.loc[big, "d"].nunique())
        c, dd = cd["c"].to_numpy()[~big], cd["d"].to_numpy()[~big]
        del cd, size, big
        order = np.lexsort((dd, c))  # by centre, its documents in order
        c, self.d = c[order], dd[order].astype(np.int64)
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else np.zeros(0, np.int64)
        bounds = np.r_[starts, len(c)].astype(np.int64)
        # the documents after each row in its centre: the pairs where the row's document is the smaller
        self.after = np.repeat(bounds[1:], np.diff(bounds)) - np.arange(len(c), dtype=np.int64) - 1
        self.by_doc = np.argsort(self.d, kind="stable")
        self.sorted_doc = self.d[self.by_doc]

    def links(self, n: int) -> np.ndarray:
        """How many pairs each document is the smaller document of (once per centre)."""
        return np.bincount(self.d, weights=self.after, minlength=n).astype(np.int64)

    def keys(self, lo: int, hi: int, span: np.int64):
        """The pair keys (``x * span + y``) whose smaller document is in ``[lo, hi)``, about
        :data:`PAIR_CHUNK` at a time."""
        a, b = np.searchsorted(self.sorted_doc, [lo, hi])
        rows = self.by_doc[a:b]
        rows = rows[self.after[rows] > 0]
        cnt = self.after[rows]
        for ra, rb in _ranges(cnt, PAIR_CHUNK):
            r, k = rows[ra:rb], cnt[ra:rb]
            total = int(k.sum())
            first = np.repeat(r + 1 - np.r_[0, np.cumsum(k)[:-1]], k)  # row r pairs with rows r+1 … its centre's last
            yield np.repeat(self.d[r], k) * span + self.d[first + np.arange(total, dtype=np.int64)]


class _TopPartners:
    """Each document's ``k`` strongest partners among the document pairs added so far (most shared
    sentences, then the first partner in corpus order: :func:`_partner_rank`); each pair is added
    once. :meth:`pairs`: the pairs where either document counts the other among its ``k``
    strongest — every pair when no document has more than ``k`` partners. Memory: at most ``k``
    rows per document."""

    def __init__(self, k: int, n_docs: int = 2**31 - 1):
        self.k = k
        self.dtype = np.int32 if n_docs < 2**31 - 1 else np.int64  # (shared counts are capped to it)
        self.a = self.b = self.s = np.zeros(0, self.dtype)

    def add(self, x: np.ndarray, y: np.ndarray, shared: np.ndarray) -> None:
        """Fold pairs in, :data:`TOP_CHUNK` at a time (what bounds the sort beside the kept rows)."""
        for at in range(0, len(x), TOP_CHUNK):
            self._fold(x[at:at + TOP_CHUNK], y[at:at + TOP_CHUNK], shared[at:at + TOP_CHUNK])

    def add_keys(self, key: np.ndarray, span: np.int64, shared: np.ndarray) -> None:
        """:meth:`add` of the pairs ``(key // span, key % span)``, split a chunk at a time (never two
        more arrays of every key)."""
        for at in range(0, len(key), TOP_CHUNK):
            k = key[at:at + TOP_CHUNK]
            self._fold(k // span, k % span, shared[at:at + TOP_CHUNK])

    def _fold(self, x: np.ndarray, y: np.ndarray, shared: np.ndarray) -> None:
        xx, yy = x.astype(self.dtype), y.astype(self.dtype)
        ss = np.minimum(shared, np.iinfo(self.dtype).max).astype(self.dtype)
        a, b, s = np.r_[self.a, xx, yy], np.r_[self.b, yy, xx], np.r_[self.s, ss, ss]
        del xx, yy, ss
        keep = _partner_rank(a, b, s) < self.k
        self.a, self.b, self.s = a[keep], b[keep], s[keep]

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The kept pairs ``(x, y)``, ``x < y``, sorted."""
        lo, hi = np.minimum(self.a, self.b).astype(np.int64), np.maximum(self.a, self.b).astype(np.int64)
        span = np.int64(int(hi.max()) + 1) if len(hi) else np.int64(1)
        key = _sorted_unique(lo * span + hi)
        return key // span, key % span


def _ranges(weights: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[lo, hi)`` of positions covering ``weights`` (at least one position each),
    each summing to about ``limit`` at most (a single heavier position is a range of its own)."""
    n = len(weights)
    ends = np.cumsum(weights)
    out, lo = [], 0
    while lo < n:
        hi = min(n, max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + limit, side="right"))))
        out.append((lo, hi))
        lo = hi
    return out


def _count_keys(chunks) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of the int64 arrays ``chunks`` (sorted) and how often each occurs in all of
    them: each chunk counted as it comes, merged into the running counts whenever the waiting ones
    outgrow them (:func:`framelens.tables.mapreduce.fold`; memory: about twice the distinct values)."""
    run = fold((np.unique(chunk, return_counts=True) for chunk in chunks), _merge_counts, size=lambda kc: len(kc[0]))
    return run if run is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    parts = [p for p in parts if len(p[0])]
    if len(parts) <= 1:
        return parts[0] if parts else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    k = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    order = np.argsort(k, kind="stable")
    k, c = k[order], c[order]
    del order
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return k[starts], np.add.reduceat(c, starts)


def _partner_rank(a: np.ndarray, b: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Per row ``(a, b)``, the rank of ``b`` among the partners of ``a`` (every row with that ``a``):
    most shared sentences first, then the first partner in corpus order (0 = its strongest)."""
    if not len(a):
        return np.zeros(0, np.int64)
    order = np.lexsort((b, -shared, a))
    sa = a[order]
    first = np.r_[True, sa[1:] != sa[:-1]]
    del sa
    at = np.arange(len(a), dtype=a.dtype)
    rank = np.empty(len(a), a.dtype)
    rank[order] = at - np.maximum.accumulate(np.where(first, at, 0))
    return rank


@dataclass
class _Oriented:
    """Document pairs to align: ``x`` first (the earlier where the dates tell), ``known`` (the order is known)."""
    x: np.ndarray
    y: np.ndarray
    known: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, q: int) -> tuple[int, int, bool]:
        return int(self.x[q]), int(self.y[q]), bool(self.known[q])


def _earlier_many(g: _Global, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`_earlier` of the documents ``x`` and ``y``, pair by pair (vectorized)."""
    if not hasattr(g, "_date_arrays"):
        rank = np.asarray([k[0] if k is not None else 0 for k in g.dkeys] + [0], dtype=np.int64)
        ymd = np.asarray([k[1] if k is not None else (0, 0, 0) for k in g.dkeys] + [(0, 0, 0)], dtype=np.int64)
        g._date_arrays = (rank, ymd.reshape(-1, 3))
    rank, ymd = g._date_arrays
    out = np.zeros(len(x), dtype=np.int64)
    for lo in range(0, len(x), TOP_CHUNK):  # a chunk at a time: a few temporary arrays of one chunk
        xs, ys = x[lo:lo + TOP_CHUNK], y[lo:lo + TOP_CHUNK]
        r = np.minimum(rank[xs], rank[ys])

        def at(d, r=r):
            v = ymd[d]
            return v[:, 0] * 10000 + np.where(r >= 2, v[:, 1], 0) * 100 + np.where(r >= 3, v[:, 2], 0)

        out[lo:lo + TOP_CHUNK] = np.where(r == 0, 0, np.sign(at(xs) - at(ys)))
    return out


def _align(g: _Global, oriented: "_Oriented", is_boiler: np.ndarray, o: dict, eng,
           spill: str | None = None) -> "_Passages":
    """Align the document pairs as tasks (grouped by their pair of tiles, made as the engine
    takes them); passages numbered in the order of ``oriented``. Each task's passages are kept as
    columns as they arrive (the reduce never holds one object per passage). ``spill``: a folder
    where each task writes its passages and edits itself, cut by piece of :data:`PIECE_PAIRS`
    document pairs (see :func:`_spill_chunk`), returning only the columns the reduce needs: the
    reduce never holds the passages' text (:func:`_write_pieces` writes the tables from there)."""
    if not len(oriented):
        return _Passages.of(g, oriented, [], [])
    x, y, known = oriented.x, oriented.y, oriented.known
    skip_body = is_boiler & ~g.removed
    groups = _partition_groups(g.doc_block[x], g.doc_block[y], g.tile)
    g.blocks.ensure(np.r_[g.doc_block[x], g.doc_block[y]], eng)
    skip_units = np.flatnonzero(skip_body)
    skip_doc = g.doc_of[skip_units]  # (units are in corpus order: their documents ascend)

    def task(k):
        docs = np.unique(np.r_[x[k], y[k]])
        lo, hi = np.searchsorted(skip_doc, docs), np.searchsorted(skip_doc, docs, side="right")
        units = skip_units[np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist())] or [[]])
                           .astype(np.int64)]
        return (g.blocks.where(g.doc_block[docs]),
                [(g.doc_ids[a], g.doc_ids[b], bool(kn)) for a, b, kn in zip(x[k].tolist(), y[k].tolist(), known[k])],
                g.sent_ids[units].tolist(), o, cross[k].tolist(),
                {g.doc_ids[d]: (int(doc_start[d]), int(doc_start[d + 1] - doc_start[d])) for d in docs.tolist()},
                None if spill is None else (spill, next(n_spill), k, PIECE_PAIRS))

    import itertools

    n_spill = itertools.count()
    g.tasks += len(groups)
    chunks, edit_chunks = [], []
    src = np.asarray(g.doc_source, dtype=object)
    cross = src[x] != src[y]  # the edits of passages inside one source are never shown: not kept
    doc_start = np.searchsorted(g.doc_of, np.arange(g.n_docs + 1))  # each document's first unit
    step = "reuse: aligning document pairs"
    with g.progress.phase(step, len(groups), "tasks", detail=True):
        for n_task, (k, (c, e, mem)) in enumerate(zip(groups, eng.imap(_align_chunk_task, (task(k) for k in groups),
                                                                         label="reuse-align"))):
            if n_task % 16 == 15:
                release_memory(arrow=True)
            if c is not None:
                c.insert(0, "_q", k[c.pop("_li").to_numpy(dtype=np.int64)])
                chunks.append((c, mem))
            if e is not None:
                e.insert(0, "_q", k[e.pop("_li").to_numpy(dtype=np.int64)])
                edit_chunks.append(e)
            g.progress.advance(step)
    return _Passages.of(g, oriented, chunks, edit_chunks)


#: Tuple columns of the passages (sentence ids), carried packed as one string per cell until the
#: tables are made (compact columns instead of a Python tuple and strings per cell).
_TUPLE_COLUMNS = ("sent_ids_a", "sent_ids_b", "gap_sent_ids_a", "gap_sent_ids_b")
_SEP = "\x1f"


def _pack(tuples: list) -> list:
    """Tuples of ids as one string each (joined by U+001F); the tuples themselves when an id is
    empty or holds that character (:func:`_unpack` reads both)."""
    out = []
    for t in tuples:
        if any(not v or _SEP in v for v in t):
            return tuples
        out.append(_SEP.join(t))
    return out


def _unpack(v) -> tuple:
    return v if isinstance(v, tuple) else (tuple(v.split(_SEP)) if v else ())


def _align_chunk_task(task: tuple) -> tuple[pd.DataFrame | None, pd.DataFrame | None, tuple | None]:
    """:func:`_align_task` on ``task[:4]``, its passages returned as columns (``_li``: the pair's
    position in the task, ``_k``: the passage's rank in its pair, ``_na``/``_nb``: its units on
    each side; sentence ids packed, see :func:`_pack`), the edits of the pairs flagged in
    ``task[4]`` (pairs of different sources), and the passages' units as corpus positions (``ua``,
    ``ub``: each side's concatenated in passage order; ``task[5]``: each document's first position
    and number of units in the corpus, see :func:`_positions`), so that the reduce never looks up
    sentence ids."""
    where, pairs, skip, o, keep_edits, starts = task[:6]
    units = read_units(where)
    docs = _doc_units(units, set(skip))
    res = _align_docs(docs, pairs, o)
    at = _positions(units, docs, starts)
    rows, li, kk, eds = [], [], [], []
    for q, r in enumerate(res):
        for n_, (row, mine) in enumerate(r):
            rows.append(row)
            li.append(q)
            kk.append(n_)
            if keep_edits[q]:
                eds.extend((q, n_, *e) for e in mine)
    c = e = mem = None
    if rows:
        c = pd.DataFrame(rows, columns=[c_ for c_ in PASSAGE_COLUMNS if c_ not in _ADDED_COLUMNS])
        mem = tuple(np.asarray([at[s_] for t in c[col].tolist() for s_ in t], dtype=np.int64)
                    for col in ("sent_ids_a", "sent_ids_b"))
        for col in _TUPLE_COLUMNS:
            v = _pack(c[col].tolist())
            c[col] = pd.Series(v, dtype=object) if isinstance(v[0], tuple) else pd.Series(v, dtype="str")
        c.insert(0, "_nb", np.asarray([len(r_["sent_ids_b"]) for r_ in rows], dtype=np.int64))
        c.insert(0, "_na", np.asarray([len(r_["sent_ids_a"]) for r_ in rows], dtype=np.int64))
        c.insert(0, "_k", np.asarray(kk, dtype=np.int64))
        c.insert(0, "_li", np.asarray(li, dtype=np.int64))
    if eds:
        e = pd.DataFrame(eds, columns=["_li", "_k", *EDIT_COLUMNS[1:]])
    if len(task) > 6 and task[6] is not None:
        return (*_spill_chunk(c, e, *task[6]), mem)
    return c, e, mem


def _positions(units: _Units, docs: dict[str, _Doc], starts: Mapping[str, tuple[int, int]]) -> dict:
    """Each content unit's position in the corpus (sentence id → position), from its document's
    first position and the unit's rank in the document (``starts``: document id → (first position,
    number of units) in the reduce's corpus order, which sorts a document's units as the task's
    table does)."""
    n_of = units.table["doc_id"].value_counts()
    out = {}
    for d, (first, n) in starts.items():
        doc = docs.get(d)
        if doc is None:  # (no content unit)
            continue
        if int(n_of.get(d, 0)) != n:
            raise RuntimeError(f"reuse: document {d} has {int(n_of.get(d, 0))} units in a task, {n} in the reduce")
        out.update(zip(doc.sent_ids.tolist(), (first + doc.offsets).tolist()))
    return out


#: The passages and edits tables of the lens store are written in pieces, each holding the passages
#: of this many consecutive document pairs (in passage order): what bounds the memory of writing them.
PIECE_PAIRS = 100_000
#: Columns of the passages the reduce needs (the rest, text included, stays in the spill files).
_LIGHT_COLUMNS = ("_li", "_k", "_na", "_nb")


def _spill_chunk(c: pd.DataFrame | None, e: pd.DataFrame | None, folder: str, n_task: int, qs: np.ndarray,
                 per_piece: int) -> tuple[pd.DataFrame | None, None]:
    """In an alignment task: write its passages and edits (with ``_q``, the pair's position in the
    passage order ``qs``) to ``folder``, one file per piece (``p<piece>-t<task>.pkl``, edits
    ``e<piece>-...``), and return only the passages' :data:`_LIGHT_COLUMNS`."""
    import os
    import pickle

    def put(df: pd.DataFrame, kind: str) -> None:
        q = np.asarray(qs, dtype=np.int64)[df.pop("_li").to_numpy(dtype=np.int64)]
        df.insert(0, "_q", q)
        piece = q // per_piece
        for r in np.unique(piece).tolist():
            where = _piece_folder(folder, kind, r)
            where.mkdir(exist_ok=True)
            path = where / f"t{n_task:06d}.pkl"
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                pickle.dump(df[piece == r].reset_index(drop=True), f, protocol=5)
            os.replace(tmp, path)

    light = None
    if c is not None:
        light = c[list(_LIGHT_COLUMNS)].copy()
        put(c, "p")
    if e is not None:
        put(e, "e")
    return light, None


def _piece_folder(folder, kind: str, r: int) -> Path:
    """Where the alignment tasks write their ``kind`` ("p" passages, "e" edits) rows of piece ``r``:
    one folder per piece, so that writing a piece lists only its own files (a 100,000-article corpus
    makes about a million)."""
    return Path(folder) / f"{kind}{r:05d}"


def _piece_files(folder, kind: str, r: int) -> list:
    """The spill files of piece ``r``, in task order (see :func:`_spill_chunk`)."""
    where = _piece_folder(folder, kind, r)
    return sorted(str(where / n) for n in os.listdir(where) if n.endswith(".pkl")) if where.is_dir() else []


def _arrival_order(chunks: list) -> np.ndarray:
    """The order that sorts the rows of ``chunks`` (DataFrames with integer ``_q``, ``_k``), taken
    one after the other, by ``(_q, _k)`` (stable: rows with equal keys keep their order)."""
    if not chunks:
        return np.zeros(0, np.int64)
    q = np.concatenate([c["_q"].to_numpy(dtype=np.int64) for c in chunks])
    k = np.concatenate([c["_k"].to_numpy(dtype=np.int64) for c in chunks])
    return np.lexsort((k, q))


def _concat_sorted(chunks: list, columns: list, order: np.ndarray | None = None) -> pd.DataFrame:
    """The chunks (DataFrames with integer ``_q``, ``_k`` first) as one, rows sorted by ``(_q, _k)``
    (:func:`_arrival_order`, or ``order`` when the caller has it), built one column at a time and
    emptying the chunks as it goes (the memory of one copy plus one column, not two copies)."""
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    order = _arrival_order(chunks) if order is None else order
    out = {}
    for col in columns:
        parts = [c.pop(col) for c in chunks]
        out[col] = pd.concat(parts, ignore_index=True).take(order).reset_index(drop=True)
        del parts
        release_memory(arrow=True)
    chunks.clear()
    return pd.DataFrame(out, columns=columns)


#: Passage columns taken from each passage's documents (:meth:`_Passages.column`).
_DOC_COLUMNS = ("source_a", "source_b", "published_a", "published_b")
#: Passage columns the reduce adds (the alignment tasks give the others).
_ADDED_COLUMNS = ("passage_id", "source_a", "source_b", "published_a", "published_b", "group", "units_sharing")


@dataclass
class _Passages:
    """Every aligned passage (same source included), as columns in passage order: ``df`` (the
    passage columns but ``passage_id`` (see :meth:`ids`), ``group`` and ``units_sharing``, plus
    ``_x``, ``_y`` document positions and ``_known``), ``edits`` (with ``_p``, the passage's row),
    and each passage's units: ``mem_p`` (its row), ``mem_u`` (the unit's position in the corpus),
    ``mem_b`` (True: on the ``doc_b`` side)."""
    df: pd.DataFrame
    edits: pd.DataFrame
    mem_p: np.ndarray
    mem_u: np.ndarray
    mem_b: np.ndarray
    q: np.ndarray | None = None  # each passage's document pair (its position in the passage order)
    doc_ids: np.ndarray | None = None  # the corpus's document ids (object array), for :meth:`ids`
    doc_source: np.ndarray | None = None  # each document's source, then "" (object array), for :meth:`column`
    doc_published: np.ndarray | None = None  # each document's date label, then ""

    @classmethod
    def of(cls, g: _Global, oriented: "_Oriented", chunks: list, edit_chunks: list) -> "_Passages":
        """From the alignment tasks' ``chunks`` (``(columns, (ua, ub))``, see :func:`_align_chunk_task`)
        as they arrived, and their edits."""
        frames = [c for c, _ in chunks]
        row_cols = [c for c in PASSAGE_COLUMNS if c not in _ADDED_COLUMNS
                    and (not frames or c in frames[0].columns)]  # (spilled: the light columns only)

        def cat(col):
            return np.concatenate([f[col].to_numpy(dtype=np.int64) for f in frames]) if frames else np.zeros(0, np.int64)

        na, nb = cat("_na"), cat("_nb")
        ua = np.concatenate([m[0] for _, m in chunks]) if chunks else np.zeros(0, np.int64)
        ub = np.concatenate([m[1] for _, m in chunks]) if chunks else np.zeros(0, np.int64)
        chunks.clear()
        arrived = _arrival_order(frames)
        row_of = np.empty(len(arrived), dtype=np.int64)
        row_of[arrived] = np.arange(len(arrived), dtype=np.int64)  # each arrived row's row in df
        df = _concat_sorted(frames, ["_q", "_k", *row_cols], arrived)
        q = df["_q"].to_numpy(dtype=np.int64)
        xs, ys = oriented.x[q].astype(np.int64), oriented.y[q].astype(np.int64)
        df["_x"], df["_y"], df["_known"] = xs, ys, oriented.known[q].astype(bool)
        # each passage's units, side a then side b, in the order the task listed them
        mem_p = np.r_[np.repeat(row_of, na), np.repeat(row_of, nb)]
        mem_u = np.r_[ua, ub].astype(np.int64)
        mem_b = np.r_[np.zeros(len(ua), bool), np.ones(len(ub), bool)]
        del ua, ub, row_of
        order = np.argsort(mem_p, kind="stable")  # by passage, side a first
        P = cls(df, None, mem_p[order], mem_u[order], mem_b[order], q, np.asarray(g.doc_ids, dtype=object),
                np.asarray(g.doc_source + [""], dtype=object), np.asarray(g.pub_label + [""], dtype=object))
        if edit_chunks:
            e = _concat_sorted(edit_chunks, ["_q", "_k", *EDIT_COLUMNS[1:]])  # by passage, in each in order
            at = pd.MultiIndex.from_arrays([df["_q"], df["_k"]]).get_indexer(pd.MultiIndex.from_arrays([e["_q"], e["_k"]]))
            e = e.drop(columns=["_q", "_k"])
            e.insert(0, "_p", at.astype(np.int64))
            e.insert(1, "passage_id", P.ids()[at])
        else:
            e = pd.DataFrame({c: pd.Series(dtype=object) for c in ["_p", *EDIT_COLUMNS]})
        P.edits = e
        P.df = df.drop(columns=["_q", "_k"])
        return P

    def column(self, name: str, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """``source_a``, ``source_b``, ``published_a`` or ``published_b`` of the passages ``lo`` to
        ``hi``, from their documents (object arrays pointing at the documents' own strings: the reduce
        never makes a string per passage)."""
        side = self.df["_x" if name.endswith("_a") else "_y"].to_numpy(dtype=np.int64)[lo:hi]
        return (self.doc_source if name.startswith("source") else self.doc_published)[side]

    def source_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each passage's two sources as integers (one per source)."""
        code = pd.factorize(self.doc_source)[0]
        return code[self.df["_x"].to_numpy(dtype=np.int64)], code[self.df["_y"].to_numpy(dtype=np.int64)]

    def ids(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """The ids of the passages ``lo`` to ``hi`` (``doc_a~doc_b#n``, ``n`` the passage's row),
        made for the rows asked for only (the reduce never holds every passage's id)."""
        hi = len(self.df) if hi is None else hi
        a = self.doc_ids[self.df["_x"].to_numpy(dtype=np.int64)[lo:hi]].tolist()
        b = self.doc_ids[self.df["_y"].to_numpy(dtype=np.int64)[lo:hi]].tolist()
        return np.asarray([f"{x}~{y}#{n}" for n, x, y in zip(range(lo, hi), a, b)], dtype=object)

    def first_a(self) -> np.ndarray:
        """The first unit of each passage's ``doc_a`` side."""
        n = len(self.df)
        out = np.full(n, -1, dtype=np.int64)
        a = ~self.mem_b
        p, u = self.mem_p[a], self.mem_u[a]
        if len(p):
            first = np.r_[True, p[1:] != p[:-1]]
            out[p[first]] = u[first]
        return out


def _unit_texts(g: _Global, units, eng) -> dict[int, str]:
    """The text of a few units (a table's examples), read by tasks from their documents."""
    want = np.unique(np.asarray(list(units), dtype=np.int64))
    if not len(want):
        return {}
    groups = list(_members(g.block[want] // g.tile).values())
    g.blocks.ensure(g.block[want], eng)
    tasks = [(g.where(want[k]), g.sent_ids[want[k]].tolist()) for k in groups]
    g.tasks += len(tasks)
    out: dict[int, str] = {}
    for k, texts in zip(groups, eng.imap(_texts_task, tasks, label="reuse-texts")):
        out.update(zip(want[k].tolist(), texts))
    return out


def _passage_groups(g: _Global, P: "_Passages", codes: tuple[np.ndarray, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Groups of passages that share sentences (common origin): ``pgroup`` (each unit's component),
    ``n_units`` (each group's number of sources), ``dense_of`` (a component's group, -1: none),
    and each passage's ``group`` (numbered in the order passages are listed) and ``units_sharing``
    (sources in its group; ``codes``: each passage's two sources, :meth:`_Passages.source_codes`).
    Arrays only: no Python object per passage or group (millions at 100,000 articles)."""
    # every sentence of a passage joins the group of its first sentence (passages sharing a sentence merge)
    first_a = P.first_a()
    pgroup = _components(g.n, first_a[P.mem_p], P.mem_u)
    n = len(P.df)
    comp = pgroup[first_a] if n else np.zeros(0, np.int64)
    labels, first, inv = np.unique(comp, return_index=True, return_inverse=True)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(labels), dtype=np.int64)
    gid = rank[inv.reshape(-1)] if n else np.zeros(0, np.int64)
    dense_of = np.full(int(pgroup.max()) + 1 if len(pgroup) else 0, -1, dtype=np.int64)
    dense_of[labels] = rank
    sa, sb = (np.asarray(v, dtype=np.int64) for v in codes)
    n_src = np.int64(int(max(sa.max(), sb.max())) + 1) if n else np.int64(1)
    seen = np.unique(np.r_[gid * n_src + sa, gid * n_src + sb])  # each (group, source) once
    n_units = np.bincount(seen // n_src, minlength=len(labels)).astype(np.int64)
    return pgroup, n_units, dense_of, gid, n_units[gid]


def _pair_table(g: _Global, P: "_Passages", content_words: np.ndarray, o: dict) -> tuple[pd.DataFrame, list]:
    """Pairs of documents (same source included) sharing passages, with the shares of content words."""
    df = P.df
    if not len(df):
        return _empty(PAIR_COLUMNS), []
    xs, ys = df["_x"].to_numpy(dtype=np.int64), df["_y"].to_numpy(dtype=np.int64)
    # passages of one document pair are consecutive (each pair aligned once): one row per run
    new = np.r_[True, (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])]
    pair_of = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    n_pairs = len(starts)
    # each (pair, side, unit) once: one integer key, made unique by a sort, a range of pairs at a time
    # (the passages' units are in passage order, so each pair's are consecutive)
    span = np.int64(max(g.n, 1))
    wa = np.zeros(n_pairs, dtype=np.int64)
    wb = np.zeros(n_pairs, dtype=np.int64)
    bound = np.searchsorted(P.mem_p, np.r_[starts, len(df)])  # each pair's first row of the units
    for plo, phi in _ranges(np.diff(bound), PAIR_CHUNK):
        lo, hi = bound[plo], bound[phi]
        key = np.unique((pair_of[P.mem_p[lo:hi]] * 2 + P.mem_b[lo:hi]) * span + P.mem_u[lo:hi])
        u, side = key % span, key // span
        pr, isb = side // 2, (side % 2).astype(bool)
        del key, side
        w = g.words[u]
        np.add.at(wa, pr[~isb], w[~isb])
        np.add.at(wb, pr[isb], w[isb])
        del u, pr, isb, w
    x, y = xs[starts], ys[starts]
    cx, cy = content_words[x], content_words[y]
    with np.errstate(divide="ignore", invalid="ignore"):
        sa = np.where(cx > 0, wa / np.where(cx > 0, cx, 1), 0.0)
        sb = np.where(cy > 0, wb / np.where(cy > 0, cy, 1), 0.0)
    ids = np.asarray(g.doc_ids, dtype=object)
    src = np.asarray(g.doc_source, dtype=object)
    known = df["_known"].to_numpy(dtype=bool)[starts]
    near = np.minimum(sa, sb) >= o["near_duplicate_share"]
    out = pd.DataFrame({
        "doc_a": ids[x], "doc_b": ids[y], "source_a": src[x], "source_b": src[y], "same_source": src[x] == src[y],
        "passages": np.bincount(pair_of, minlength=n_pairs).astype(np.int64), "words_a": wa, "words_b": wb,
        "share_a": np.round(sa, 4), "share_b": np.round(sb, 4), "first": np.where(known, ids[x], ""),
        "near_duplicate": near,
    }, columns=PAIR_COLUMNS)
    out["same_source"] = out["same_source"].astype(bool)
    nd = [{"doc_a": a, "doc_b": b, "near_duplicate": True} for a, b in zip(ids[x][near].tolist(), ids[y][near].tolist())]
    out = out.sort_values(["same_source", "share_a", "doc_a", "doc_b"], ascending=[True, False, True, True]
                          ).reset_index(drop=True)
    return out, nd


def _near_duplicate_table(g: _Global, pair_list: list, content_words: np.ndarray) -> tuple[pd.DataFrame, dict, dict]:
    """Clusters of near-duplicate documents; the kept one is the earliest known date, then corpus order."""
    doc_pos = {d: i for i, d in enumerate(g.doc_ids)}
    nd = [(doc_pos[r["doc_a"]], doc_pos[r["doc_b"]]) for r in pair_list if r["near_duplicate"]]
    rows, cluster_of, keep_of = [], {}, {}
    if nd:
        dc = _components(g.n_docs, np.asarray([a for a, _ in nd]), np.asarray([b for _, b in nd]))
        members: dict[int, list[int]] = {}
        for a, _b in nd:
            members.setdefault(int(dc[a]), [])
        for d in range(g.n_docs):
            if int(dc[d]) in members:
                members[int(dc[d])].append(d)

        def sort_key(d):
            kd = g.dkeys[d]
            return (0, kd[1][:kd[0]], d) if kd is not None else (1, (), d)

        for k, (_c, ms) in enumerate(sorted(members.items(), key=lambda kv: kv[1][0])):
            kept = sorted(ms, key=sort_key)[0]
            for d in ms:
                cluster_of[d] = k
                keep_of[d] = d == kept
                rows.append({"cluster": k, "doc_id": g.doc_ids[d], "source": g.doc_source[d],
                             "published": g.pub_label[d], "words": int(content_words[d]), "keep": d == kept,
                             "kept_doc": g.doc_ids[kept]})
    df = pd.DataFrame(rows, columns=NEAR_DUPLICATE_COLUMNS) if rows else _empty(NEAR_DUPLICATE_COLUMNS)
    return df, cluster_of, keep_of


def _document_table(g: _Global, P: "_Passages", cross: np.ndarray, content_words, boiler_words, cluster_of,
                    keep_of) -> pd.DataFrame:
    """Per document: the share of its content words reused by other sources, partners, direction."""
    first_in = np.zeros(g.n_docs + 1, dtype=np.int64)
    later_in = np.zeros(g.n_docs + 1, dtype=np.int64)
    reused_words = np.zeros(g.n_docs + 1, dtype=np.int64)
    n_partners = np.zeros(g.n_docs + 1, dtype=np.int64)
    has = np.zeros(g.n_docs + 1, dtype=bool)
    if cross.any():
        df = P.df
        xs, ys = df["_x"].to_numpy(dtype=np.int64)[cross], df["_y"].to_numpy(dtype=np.int64)[cross]
        kn = df["_known"].to_numpy(dtype=bool)[cross]
        np.add.at(first_in, xs[kn], 1)
        np.add.at(later_in, ys[kn], 1)
        u = np.unique(P.mem_u[cross[P.mem_p]])  # a passage's units on side a are doc_a's, on side b doc_b's
        np.add.at(reused_words, g.doc_of[u], g.words[u])
        has[xs] = True
        has[ys] = True
        pp = np.unique(np.c_[np.r_[xs, ys], np.r_[ys, xs]], axis=0)
        np.add.at(n_partners, pp[:, 0], 1)
    rows = []
    for d in range(g.n_docs):
        rw = int(reused_words[d]) if has[d] else 0
        rows.append({
            "doc_id": g.doc_ids[d], "source": g.doc_source[d], "words": int(content_words[d]),
            "boilerplate_words": int(boiler_words[d]), "reused_words": rw,
            "reused_share": round(rw / content_words[d], 4) if content_words[d] else 0.0,
            "partners": int(n_partners[d]), "first_in": int(first_in[d]), "later_in": int(later_in[d]),
            "near_duplicate_cluster": cluster_of.get(d, -1), "keep": keep_of.get(d, True),
        })
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)


def _boilerplate_similarity(blabel: np.ndarray, pairs: _Pairs) -> pd.Series:
    """The least similarity of a verified pair inside each boilerplate cluster (by cluster label),
    the verified pairs read chunk by chunk."""
    least: list[pd.Series] = []
    for vi, vj, vs, _h in pairs.chunks():
        same = (blabel[vi] == blabel[vj]) & (blabel[vi] >= 0)
        if same.any():
            least.append(pd.Series(vs[same]).groupby(blabel[vi][same]).min())
    return pd.concat(least).groupby(level=0).min() if least else pd.Series(dtype=float)


def _boilerplate_table(g: _Global, blabel, kind: dict, min_sim: pd.Series, eng) -> tuple[pd.DataFrame, dict]:
    """Boilerplate clusters (members of each via one sort), numbered by their first unit; the text
    shown is the longest member's (``min_sim``: :func:`_boilerplate_similarity`)."""
    if not kind:
        return _empty(BOILERPLATE_COLUMNS), {}
    members_of = _members(blabel)
    ordered = sorted(kind, key=lambda c: members_of[c][0])
    longest = {c: members_of[c][np.argmax(g.words[members_of[c]])] for c in ordered}
    texts = _unit_texts(g, longest.values(), eng)
    src = g.U["source"].to_numpy()
    rows = []
    for k, c in enumerate(ordered):
        mem = members_of[c]
        srcs = list(dict.fromkeys(src[mem].tolist()))
        rows.append({
            "cluster": k, "kind": kind[c][0], "rules": kind[c][1], "sources": ", ".join(srcs), "n_sources": len(srcs),
            "n_documents": int(len(np.unique(g.doc_of[mem]))), "n_sentences": int(len(mem)),
            "words": int(np.median(g.words[mem])), "min_similarity": round(float(min_sim.get(c, np.nan)), 4),
            "text": texts[int(longest[c])], "sent_ids": tuple(g.sent_ids[mem]),
        })
    return pd.DataFrame(rows, columns=BOILERPLATE_COLUMNS), {c: k for k, c in enumerate(ordered)}


def _origin_table(g: _Global, pgroup, n_units: np.ndarray, dense_of: np.ndarray, eng) -> pd.DataFrame:
    """Passage groups shared by 3+ sources; ``first`` when every date is known and one is earliest
    (``pgroup``, ``n_units``, ``dense_of``: :func:`_passage_groups`)."""
    wide = n_units >= 3
    if not wide.any():
        return _empty(ORIGIN_COLUMNS)
    group = dense_of[pgroup]  # each unit's passage group (-1: none)
    sel = np.flatnonzero(group >= 0)
    sel = sel[wide[group[sel]]]  # the units of the groups shared by 3+ sources
    group_members = {gid: sel[at] for gid, at in _members(group[sel]).items()}
    doc_pos = {d: i for i, d in enumerate(g.doc_ids)}
    rows, reps = [], []
    for gid in np.flatnonzero(wide).tolist():
        mem = group_members[gid]
        mdocs = sorted(set(g.doc_of[mem].tolist()))
        first = ""
        if all(g.dkeys[d] is not None for d in mdocs):
            earliest = [d for d in mdocs if all(_earlier(g.dkeys[d], g.dkeys[e]) < 0 for e in mdocs if e != d)]
            first = g.doc_ids[earliest[0]] if earliest else ""
        rep = doc_pos[first] if first else mdocs[0]
        rep_units = mem[g.doc_of[mem] == rep]
        reps.append(rep_units)
        rows.append({
            "group": gid, "n_units": int(n_units[gid]),
            "units": ", ".join(dict.fromkeys(g.doc_source[d] for d in mdocs)), "n_documents": len(mdocs),
            "documents": ", ".join(g.doc_ids[d] for d in mdocs), "first": first,
            "words": int(g.words[rep_units].sum()), "text": "", "sent_ids": tuple(g.sent_ids[mem]),
        })
    texts = _unit_texts(g, np.concatenate(reps), eng)
    for row, rep_units in zip(rows, reps):
        row["text"] = " ".join(texts[int(u)] for u in rep_units.tolist())
    return pd.DataFrame(rows, columns=ORIGIN_COLUMNS).sort_values(["n_units", "words"], ascending=False
                                                                  ).reset_index(drop=True)


def _decoded(column: pd.Series) -> pd.Series:
    """A categorical column of :attr:`_Global.U` as the gather read it (its categories' dtype)."""
    return column.astype(column.cat.categories.dtype).reset_index(drop=True)


def _sentence_table(g: _Global, P: "_Passages", cross: np.ndarray, is_boiler, blabel, cluster_index: dict) -> pd.DataFrame:
    """Per unit: removed by the cleaner, boilerplate (and its cluster), reused, and on which side."""
    reused_any = np.zeros(g.n, dtype=bool)
    first_side = np.zeros(g.n, dtype=bool)
    later_side = np.zeros(g.n, dtype=bool)
    c = cross[P.mem_p] if len(P.mem_p) else np.zeros(0, bool)
    u, b = P.mem_u[c], P.mem_b[c]
    kn = P.df["_known"].to_numpy(dtype=bool)[P.mem_p[c]] if c.any() else np.zeros(0, bool)
    reused_any[u] = True
    later_side[u[b]] = True
    first_side[u[~b & kn]] = True
    later_side[u[~b & ~kn]] = True
    top = max([int(blabel.max()) if len(blabel) else -1, *map(int, cluster_index)])
    lookup = np.full(top + 2, -1, dtype=np.int64)  # cluster label → its index (the last entry: none)
    for c, k in cluster_index.items():
        lookup[int(c)] = k
    return pd.DataFrame({  # the id columns as the gather read them (Arrow strings): no Python string per unit
        "sent_id": g.sent_ids.column, "doc_id": _decoded(g.U["doc_id"]), "source": _decoded(g.U["source"]),
        "removed_by_cleaner": g.removed, "words": g.words, "boilerplate": is_boiler,
        "boilerplate_cluster": lookup[np.where(blabel >= 0, blabel, -1)],
        "reused": reused_any, "reused_later_copy": reused_any & later_side,
        "reused_only_as_first": reused_any & first_side & ~later_side,
    })


def reuse_reduce(red, *, engine=None, **options) -> Reuse:
    """The reduce step of :func:`analyze`: the partitions' partials (see :func:`reuse_map`) merged in
    corpus order, candidate pairs grouped by band key across partitions (buckets bounded by
    :data:`MAX_BUCKET`), then the sentence pairs verified and the document pairs aligned as tasks
    on ``engine`` (a :class:`framelens.core.engine.Engine`; default: the one the lens store gives
    ``red``, else this process), each reading only the documents it names."""
    tables, info = reduce_tables(red, engine=engine, **options)
    return Reuse(**tables, **info)


def reduce_tables(red, *, engine=None, out_dir: str | None = None, **options) -> tuple[dict[str, Any], dict]:
    """:func:`reuse_reduce` as the lens store keeps it: the tables (``REUSE_TABLES``) and the values
    they do not hold (sources, labels, options, stats). ``out_dir`` (a folder the tasks can write
    to, e.g. the lens store's part folder being written): the alignment tasks write the passages and
    their edits there themselves and the reduce writes those two tables in pieces
    (``out_dir/passages/p<piece>.parquet``, ``out_dir/edits/...``; :func:`_write_pieces`), given
    back as lists of the pieces' entries instead of DataFrames: no process holds them whole.

    When the lens store chose the engine (``red.auto_engine``) and it runs here because this
    process is a pool worker itself (a part computed beside others), the tasks still get a pool on
    the machine's cores (:func:`_task_engine`): the alignment is most of the part's time."""
    import tempfile
    import time

    o = _options(**options)
    spec = engine if engine is not None else getattr(red, "engine", None)
    base = get_engine(spec)
    own = _task_engine(red, base) if engine is None else None
    eng = own if own is not None else base
    spill = tempfile.mkdtemp(prefix=".reuse-spill-", dir=out_dir) if out_dir is not None else None
    try:
        release_memory(arrow=True)  # what the maps freed here (a store computing this part alone ran them in this process)
        t0 = time.perf_counter()
        g = _gather(red, o, spill)
        g.progress = getattr(red, "progress", None) or Progress(None)  # none given: silent
        g.labels = dict(red.labels)
        release_memory(arrow=True)  # the partials' frames the gather read and dropped
        g.blocks = _Blocks(g)
        stats: dict[str, Any] = {"sentences": int((~g.removed).sum()), "removed_spans": int(g.removed.sum()),
                                 **g.timing, "partitions": int(len(red.partials_list()))}
        pairs = _verified(g, o, eng, stats, spill=spill)
        if isinstance(g.keys, _BandKeys):
            g.keys.close()
        g.keys = np.zeros((0, 0), np.uint64)  # the band keys: only the candidates needed them
        stats["verified_pairs"] = int(len(pairs))
        t1 = time.perf_counter()
        stats["seconds_candidates"] = t1 - t0
        stats["peak_mb_candidates"] = _peak_mb()
        with g.progress.phase("reuse: boilerplate and document pairs", None, "", detail=True):
            blabel, kind = _boilerplate_labels(g, pairs, o)
            is_boiler = (blabel >= 0) | g.removed  # removed spans are never content
            oriented = _doc_pairs(g, pairs, is_boiler, stats)
            stats["document_pairs_aligned"] = len(oriented)
            min_sim = _boilerplate_similarity(blabel, pairs)
        del pairs  # the verified pairs are not needed past this point
        release_memory(arrow=True)
        t2 = time.perf_counter()
        stats["seconds_clusters"] = t2 - t1
        stats["peak_mb_clusters"] = _peak_mb()
        passages = _align(g, oriented, is_boiler, o, eng, spill=spill)
        t3 = time.perf_counter()
        stats["seconds_alignment"] = t3 - t2
        stats["peak_mb_alignment"] = _peak_mb()
        with g.progress.phase("reuse: tables", None, "", detail=True):
            tables = _tables(g, passages, blabel, kind, min_sim, is_boiler, o, eng, spill=spill, out_dir=out_dir)
    finally:
        if "g" in locals() and g.blocks is not None:
            g.blocks.close()
        if own is not None:
            own.close()
        if spec is not None and not isinstance(spec, Engine):
            base.close()
        if spill is not None:
            import shutil

            shutil.rmtree(spill, ignore_errors=True)
    stats["tasks"] = g.tasks
    stats["task_engine"] = eng.describe()
    stats["peak_mb_tables"] = _peak_mb()
    stats["seconds_tables"] = time.perf_counter() - t3
    stats["seconds"] = time.perf_counter() - t0 + g.timing["seconds_prepare"] + g.timing["seconds_signatures"]
    stats = {k: (float(v) if isinstance(v, np.floating) else int(v) if isinstance(v, np.integer) else v)
             for k, v in stats.items()}
    return tables, {"sources": list(red.sources), "labels": dict(red.labels), "options": dict(o), "stats": stats}


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (what each stage of the reduce reached)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _task_engine(red, eng: Engine) -> Engine | None:
    """A pool for the reduce's tasks when the lens store chose the engine (``red.auto_engine``)
    and found a serial one only because this process is a pool worker (the part computed beside
    others: "no pool inside a pool" would leave a core idle for the whole alignment), the machine
    has more than one core and the corpus is large; else ``None`` (the given engine)."""
    from framelens.core.engine import PARALLEL_SENTENCES, available_cores, parallel_workers

    if not getattr(red, "auto_engine", False) or eng.workers > 1 or eng.name != "serial":
        return None
    docs = red.documents
    sentences = int(docs["n_sentences"].sum()) if "n_sentences" in docs else 0
    n = parallel_workers(None, sentences=sentences, in_worker=False)
    if n <= 1 or sentences < 4 * PARALLEL_SENTENCES or available_cores() <= 1:
        return None
    return get_engine("processes", workers=n)


def _tables(g: _Global, P: "_Passages", blabel, kind, min_sim, is_boiler, o, eng, spill: str | None = None,
            out_dir: str | None = None) -> dict[str, Any]:
    body = ~g.removed & (g.doc_of < g.n_docs)
    content = ~is_boiler & body
    content_words = np.zeros(g.n_docs + 1, dtype=np.int64)
    np.add.at(content_words, g.doc_of[content], g.words[content])
    boiler_words = np.zeros(g.n_docs + 1, dtype=np.int64)
    bw = is_boiler & ~g.removed
    np.add.at(boiler_words, g.doc_of[bw], g.words[bw])
    codes = P.source_codes()
    cross = codes[0] != codes[1]
    pgroup, n_units, dense_of, gid, sharing = _passage_groups(g, P, codes)
    del codes
    pairs_df, pair_list = _pair_table(g, P, content_words, o)
    near_df, cluster_of, keep_of = _near_duplicate_table(g, pair_list, content_words)
    if spill is not None:  # the text is in the spill files: the tables written from there, in pieces
        passages_df, edits_df = _write_pieces(P, gid, sharing, cross, spill, out_dir)
        P.df = P.df[["_x", "_y", "_known"]]
    else:
        passages_df, edits_df = _passage_tables(P, gid, sharing, cross)
    boiler_df, cluster_index = _boilerplate_table(g, blabel, kind, min_sim, eng)
    return {"passages": passages_df, "edits": edits_df, "boilerplate": boiler_df,
            "documents": _document_table(g, P, cross, content_words, boiler_words, cluster_of, keep_of),
            "pairs": pairs_df, "origins": _origin_table(g, pgroup, n_units, dense_of, eng),
            "near_duplicates": near_df, "sentences": _sentence_table(g, P, cross, is_boiler, blabel, cluster_index)}


def _passage_tables(P: "_Passages", gid: np.ndarray, sharing: np.ndarray, cross: np.ndarray
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The passages (between sources) and their edits, as two tables, from ``P`` (which keeps only
    the columns the other tables need)."""
    if cross.any():  # column by column, each dropped from P.df once copied: the text is never held twice
        P.df["passage_id"], P.df["group"], P.df["units_sharing"] = P.ids(), gid, sharing
        for c in _DOC_COLUMNS:
            P.df[c] = P.column(c)
        out = {}
        for col in PASSAGE_COLUMNS:
            c = P.df.pop(col)[cross].reset_index(drop=True)
            out[col] = pd.Series([_unpack(v) for v in c.tolist()], dtype=object) if col in _TUPLE_COLUMNS else c
            del c
            release_memory(arrow=True)
        passages_df = pd.DataFrame(out, columns=PASSAGE_COLUMNS)
        del out
    else:
        passages_df = _empty(PASSAGE_COLUMNS)
    P.df = P.df[["_x", "_y", "_known"]]
    release_memory(arrow=True)
    e, P.edits = P.edits, None
    keep = cross[e["_p"].to_numpy(dtype=np.int64)] if len(e) else np.zeros(0, dtype=bool)
    if keep.all():  # (the edits of passages inside one source were never kept)
        edits_df = e[EDIT_COLUMNS] if len(e) else _empty(EDIT_COLUMNS)
    else:
        edits_df = e[keep][EDIT_COLUMNS].reset_index(drop=True) if keep.any() else _empty(EDIT_COLUMNS)
    return passages_df, edits_df


def _read_spill(files: list) -> pd.DataFrame | None:
    """The spill files of one piece (see :func:`_spill_chunk`), rows sorted by ``(_q, _k)`` (stable:
    the edits of one passage keep their order), each file removed once read."""
    import os
    import pickle

    frames = []
    for f in files:
        with open(f, "rb") as fh:
            frames.append(pickle.load(fh))
        os.remove(f)
    if not frames:
        return None
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    del frames
    order = np.lexsort((df["_k"].to_numpy(dtype=np.int64), df["_q"].to_numpy(dtype=np.int64)))
    return df.take(order).reset_index(drop=True)


def _write_pieces(P: "_Passages", gid: np.ndarray, sharing: np.ndarray, cross: np.ndarray, spill: str,
                  out_dir: str) -> tuple[list, list]:
    """The passages and edits tables written in pieces (``out_dir/passages/p<piece>.parquet``, the
    passages of :data:`PIECE_PAIRS` consecutive document pairs each; ``edits`` alike) from the
    tasks' spill files, one piece in memory at a time: the same rows, in the same order, as
    :func:`_passage_tables` gives whole. Returns the pieces' entries (as the lens store's
    partitioned tables list them: ``file`` plus how it was encoded); an empty table is one empty piece."""
    from framelens.tables.parquet import write_piece

    folder = Path(spill)
    q = P.q if P.q is not None else np.zeros(0, np.int64)
    n_pieces = int(q[-1]) // PIECE_PAIRS + 1 if len(q) else 0
    bounds = np.searchsorted(q, np.arange(n_pieces + 1, dtype=np.int64) * PIECE_PAIRS)
    out_p, out_e = [], []
    for r in range(n_pieces):
        lo, hi = int(bounds[r]), int(bounds[r + 1])
        rows = _read_spill(_piece_files(folder, "p", r))
        n = 0 if rows is None else len(rows)
        if n != hi - lo:
            raise RuntimeError(f"reuse: piece {r} of the passages holds {n} rows, {hi - lo} expected")
        if not n:
            continue
        keys = pd.MultiIndex.from_arrays([rows.pop("_q"), rows.pop("_k")])
        pid = P.ids(lo, hi)
        rows["passage_id"] = pid
        for c in _DOC_COLUMNS:
            rows[c] = P.column(c, lo, hi)
        rows["group"], rows["units_sharing"] = gid[lo:hi], sharing[lo:hi]
        keep = cross[lo:hi]
        rows = rows[keep].reset_index(drop=True) if not keep.all() else rows
        for c in _TUPLE_COLUMNS:
            rows[c] = pd.Series([_unpack(v) for v in rows[c].tolist()], dtype=object)
        if len(rows):
            out_p.append(write_piece(rows[PASSAGE_COLUMNS], out_dir, "passages", f"p{r:05d}"))
        del rows
        e = _read_spill(_piece_files(folder, "e", r))
        if e is not None and len(e):
            at = keys.get_indexer(pd.MultiIndex.from_arrays([e.pop("_q"), e.pop("_k")]))
            e.insert(0, "passage_id", pid[at])
            e = e[cross[lo:hi][at]].reset_index(drop=True)  # (the edits of passages inside one source were never kept)
            if len(e):
                out_e.append(write_piece(e[EDIT_COLUMNS], out_dir, "edits", f"p{r:05d}"))
        del e
        release_memory(arrow=True)
    if not out_p:
        out_p.append(write_piece(_empty(PASSAGE_COLUMNS), out_dir, "passages", "p00000"))
    if not out_e:
        out_e.append(write_piece(_empty(EDIT_COLUMNS), out_dir, "edits", "p00000"))
    return out_p, out_e


def _map_task(task: tuple) -> dict[str, pd.DataFrame]:
    piece, o = task
    return reuse_map(piece, **o)


def _analyze(corpus: CorpusLike, o: dict, *, partitions: int = 1, engine=None) -> Reuse:
    """:func:`reuse_map` over the corpus cut into ``partitions`` runs of documents, then :func:`reuse_reduce`."""
    eng = get_engine(engine)
    try:
        pieces = split_corpus(corpus, partitions)
        partials = list(eng.imap(_map_task, [(p, o) for p in pieces], label="reuse-map"))
        return reuse_reduce(Reduction("reuse", partials, {}, corpus), engine=eng, **o)
    finally:
        if engine is not None and not isinstance(engine, Engine):
            eng.close()


# --------------------------------------------------------------------------------------------
# Public views
# --------------------------------------------------------------------------------------------
def shared_passages(corpus: CorpusLike, *, min_words: int | None = None, min_similarity: float | None = None, **options
                    ) -> pd.DataFrame:
    """One row per aligned passage between documents of different sources (content, not boilerplate).

    Columns: ``doc_a, doc_b, source_a, source_b, sent_ids_a, sent_ids_b, words`` (words of the
    passage in ``doc_a``), ``words_b``, ``similarity`` (``2·LCS / (len_a + len_b)`` over the aligned
    sentences' words), ``first`` (``doc_a`` when its date is strictly earlier, else empty: ``doc_a``
    is always the earlier one when the dates tell), ``reordered`` (sentences in another order),
    ``gap_sent_ids_a/b`` (whole sentences cut or inserted inside the passage), the edits
    (``added``, ``removed``, ``replaced``: words ``doc_b`` added, removed, replaced relative to
    ``doc_a``, and their counts), ``group`` / ``units_sharing`` (the passage's group of sources:
    three or more suggest a common origin) and both texts. ``corpus`` may be a Corpus or a
    :class:`Reuse`; ``options`` are those of :func:`analyze`.
    """
    return _result(corpus, min_words=min_words, min_similarity=min_similarity, **options).passages


def passage_edits(corpus: CorpusLike, **options) -> pd.DataFrame:
    """The word-level edits inside shared passages: ``passage_id, sent_id_a, sent_id_b, op`` (added,
    removed, replaced: what ``doc_b`` changed relative to ``doc_a``), ``text_a, text_b``."""
    return _result(corpus, **options).edits


def boilerplate(corpus: CorpusLike, **options) -> pd.DataFrame:
    """Shared boilerplate, one row per cluster of near-identical sentences: ``kind`` (removed by the
    cleaner, with its ``rules``, or repeated by one source in several different documents),
    ``sources``, counts, the least similarity inside the cluster, a ``text`` and the ``sent_ids``
    (``doc:aK`` = the K-th span, from 0, the cleaner removed from ``doc``, in ``corpus.audit`` order;
    ``doc:aK.J`` = its J-th sentence when the span holds several)."""
    return _result(corpus, **options).boilerplate


def document_reuse(corpus: CorpusLike, **options) -> pd.DataFrame:
    """Per document: content ``words`` (boilerplate excluded), ``boilerplate_words``, ``reused_words``
    and ``reused_share`` (shared with documents of other sources), the number of ``partners``,
    passages where it is the earlier (``first_in``) or later (``later_in``) copy, and its
    near-duplicate cluster (-1: none) with ``keep`` (False: a near-duplicate of a kept document)."""
    return _result(corpus, **options).documents


def pair_reuse(corpus: CorpusLike, **options) -> pd.DataFrame:
    """Per pair of documents sharing passages (same source included): passages, words and the share
    of each document's content words that is aligned, ``first``, ``near_duplicate``."""
    return _result(corpus, **options).pairs


def unit_matrix(corpus: CorpusLike, *, directed: bool = False, **options) -> pd.DataFrame:
    """Source × source matrix of reused words (rows and columns: every source).

    Undirected: cell (s, t) = words of source s's documents found in passages shared with source t.
    ``directed=True``: only passages whose order is known; cell (s, t) = words of the later copy in t
    taken from source s's earlier text (rows publish first).
    """
    r = _result(corpus, **options)
    srcs = list(r.sources)
    m = pd.DataFrame(0, index=pd.Index(srcs, name="source"), columns=pd.Index(srcs, name="shared_with"), dtype=np.int64)
    p = r.passages
    if len(p):
        if directed:
            k = p[p["first"] != ""]
            for (a, b), w in k.groupby(["source_a", "source_b"])["words_b"].sum().items():
                m.loc[a, b] += int(w)
        else:
            for (a, b), w in p.groupby(["source_a", "source_b"])["words"].sum().items():
                m.loc[a, b] += int(w)
            for (a, b), w in p.groupby(["source_a", "source_b"])["words_b"].sum().items():
                m.loc[b, a] += int(w)
    return m


def common_origin(corpus: CorpusLike, *, min_units: int = 3, **options) -> pd.DataFrame:
    """Passages shared by ``min_units`` or more sources (at least 3 by construction): likely one origin
    (a wire story, a press release, an official readout). ``first``: the earliest document when every
    date is known and one is strictly earliest, else empty."""
    o = _result(corpus, **options).origins
    return o[o["n_units"] >= min_units].reset_index(drop=True) if len(o) else o


def near_duplicates(corpus: CorpusLike, *, threshold: float | None = None, **options) -> pd.DataFrame:
    """Clusters of near-duplicate documents (same source included): two documents are near-duplicates
    when at least ``threshold`` (default ``near_duplicate_share`` = 0.8) of the content words of both
    lie in shared passages. One row per document: ``cluster``, ``keep`` (the earliest published, else
    the first in corpus order) and ``kept_doc``. Near-duplicates inflate frequency statistics."""
    if threshold is not None:
        options["near_duplicate_share"] = threshold
    return _result(corpus, **options).near_duplicates


def stored_near_duplicates(tables) -> "pd.DataFrame | Unavailable":
    """:func:`near_duplicates` from the stored reuse part's ``tables``
    (:class:`framelens.store.lens_store.Tables`), reading only that table; an
    :class:`framelens.errors.Unavailable` (the part failed) is given back as it is."""
    if isinstance(tables, Unavailable):
        return tables
    return near_duplicates(from_tables(tables.only({"near_duplicates": None}) if hasattr(tables, "only") else tables))


def _drop(corpus: CorpusLike, *, docs: set | None = None, sents: set | None = None):
    """A corpus without the given documents and/or sentences (tables filtered, counts recomputed)."""
    def f(df: pd.DataFrame) -> pd.DataFrame:
        keep = np.ones(len(df), dtype=bool)
        if docs and "doc_id" in df.columns:
            keep &= ~df["doc_id"].astype(str).isin(docs).to_numpy()
        if sents and "sent_id" in df.columns:
            keep &= ~df["sent_id"].astype(str).isin(sents).to_numpy()
        out = df[keep].reset_index(drop=True)
        for c in out.columns:
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                out[c] = out[c].cat.remove_unused_categories()
        return out

    sentences = f(corpus.sentences)
    paragraphs = f(corpus.paragraphs)
    if sents:
        alive = set(sentences["para_id"].astype(str))
        paragraphs = paragraphs[(paragraphs["kind"] != "body") | paragraphs["para_id"].astype(str).isin(alive)
                                ].reset_index(drop=True)
    documents = f(corpus.documents)
    if sents:
        documents = documents.copy()
        g = sentences.groupby("doc_id", sort=False)["n_words"]
        documents["n_sentences"] = documents["doc_id"].map(g.size()).fillna(0).astype(int)
        documents["n_words"] = documents["doc_id"].map(g.sum()).fillna(0).astype(int)
        documents["n_paragraphs"] = documents["doc_id"].map(
            paragraphs[paragraphs["kind"] == "body"].groupby("doc_id").size()).fillna(0).astype(int)
    return Corpus(
        documents=documents, paragraphs=paragraphs, sentences=sentences, tokens=f(corpus.tokens),
        terms=f(corpus.terms), audit=f(corpus.audit), warnings=list(corpus.warnings), path=corpus.path,
        stopwords=corpus.stopwords, phrases=corpus.phrases, all_sources=list(corpus.all_sources),
    )


def drop_near_duplicates(corpus: CorpusLike, *, result: Reuse | None = None, **options):
    """The corpus with one document per near-duplicate cluster (the ``keep`` one of
    :func:`near_duplicates`); the corpus itself is returned when there are none. ``result``: an
    already computed :class:`Reuse` for this corpus (e.g. from the lens store)."""
    nd = near_duplicates(result if result is not None else corpus, **options)
    gone = set(nd.loc[~nd["keep"].astype(bool), "doc_id"]) if len(nd) else set()
    return _drop(corpus, docs=gone) if gone else corpus


def reused_mask(corpus: CorpusLike, *, boilerplate: bool = True, keep_first: bool = False, **options) -> pd.Series:
    """Boolean per body sentence (index ``sent_id``, in the corpus's order): True for text the outlet
    did not write itself — sentences in passages shared with other sources, and (``boilerplate``)
    shared boilerplate. ``keep_first=True`` keeps a shared sentence in the document that published it
    strictly first (it is only masked in later copies and where the order is unknown)."""
    r = _result(corpus, **options)
    s = r.sentences[~r.sentences["removed_by_cleaner"].astype(bool)]
    mask = (s["reused_later_copy"] if keep_first else s["reused"]).astype(bool)
    if boilerplate:
        mask = mask | s["boilerplate"].astype(bool)
    out = pd.Series(mask.to_numpy(), index=pd.Index(s["sent_id"], name="sent_id"), name="not_own_text")
    if isinstance(corpus, Reuse):
        return out
    return out.reindex(corpus.sentences["sent_id"].astype(str)).fillna(False).astype(bool)


def own_text(corpus: CorpusLike, *, boilerplate: bool = True, keep_first: bool = False, result: Reuse | None = None,
             **options):
    """"Compare only what each outlet wrote itself": the corpus without the sentences of
    :func:`reused_mask` (sentences, tokens, terms and emptied paragraphs dropped; document counts
    recomputed). Pass the result to the vocabulary, sentiment and framing functions. The corpus itself
    is returned when nothing is shared. ``result``: an already computed :class:`Reuse` for this
    corpus (e.g. from the lens store)."""
    if not hasattr(corpus, "sentences"):
        raise FramelensError("reuse: own_text needs the Corpus, not a Reuse result")
    if result is not None:
        mask = reused_mask(result, boilerplate=boilerplate, keep_first=keep_first)
        mask = mask.reindex(corpus.sentences["sent_id"].astype(str)).fillna(False).astype(bool)
    else:
        mask = reused_mask(corpus, boilerplate=boilerplate, keep_first=keep_first, **options)
    gone = set(mask.index[mask.to_numpy()])
    if not gone:
        return corpus
    out = _drop(corpus, sents=gone)
    out.warnings.append(f"reuse: {len(gone)} sentence(s) shared with other sources or boilerplate left out (own text only)")
    return out


def summary(corpus: CorpusLike, **options) -> str:
    """What the reuse analysis found, in plain words (Markdown), saying so plainly when nothing is shared."""
    r = _result(corpus, **options)
    lab = r.labels

    def name(s: str) -> str:
        return lab.get(s, s)

    o = r.options
    paras = []
    p = r.passages
    if not len(p):
        paras.append(f"**No passage is shared between sources**: no two documents of different sources share "
                     f"{o['min_words']}+ words of sentences with word similarity ≥ {o['min_similarity']:.2f}.")
    else:
        pairs = p.groupby(["source_a", "source_b"]).agg(passages=("passage_id", "size"), words=("words", "sum"))
        items = [f"- {name(a)} ↔ {name(b)}: {int(row['passages']):,} passage(s), {int(row['words']):,} words"
                 for (a, b), row in pairs.sort_values("words", ascending=False).head(5).iterrows()]
        d = r.documents[r.documents["reused_share"] > 0].sort_values("reused_share", ascending=False).head(3)
        items += [f"- `{row.doc_id}` ({name(row.source)}): {row.reused_share:.0%} of its words are shared"
                  for row in d.itertuples()]
        edited = int(((p["n_added"] + p["n_removed"] + p["n_replaced"]) > 0).sum())
        items.append(f"- {edited:,} of the {len(p):,} passages were edited (words added, removed or replaced); "
                     f"{int((p['first'] != '').sum()):,} have a known publication order.")
        if len(r.origins):
            items.append(f"- {len(r.origins):,} passage group(s) are shared by three or more sources "
                         "(likely a common origin: a wire story, a release, a readout).")
        paras.append(f"**{len(p):,} shared passage{'s' if len(p) != 1 else ''}** between {len(pairs):,} "
                     f"pair{'s' if len(pairs) != 1 else ''} of sources ({int(p['words'].sum()):,} words; "
                     f"median similarity {p['similarity'].median():.2f}).\n\n" + "\n".join(items))
    b = r.boilerplate
    shown_b = 3  # a long archive can hold hundreds of clusters: the largest few, then the count
    for row in b.sort_values(["n_documents", "words"], ascending=False, kind="stable").head(shown_b).itertuples():
        what = f"{row.rules} (removed by the cleaner)" if row.rules else row.kind
        paras.append(f"**Boilerplate, not reuse:** {what}, shared by "
                     f"{', '.join(name(s) for s in row.sources.split(', '))} ({row.n_documents:,} documents, "
                     f"similarity ≥ {row.min_similarity:.2f}): {_quoted(_short(row.text))}")
    if len(b) > shown_b:
        paras.append(f"… and {len(b) - shown_b:,} more boilerplate cluster(s), all listed in report 08 "
                     "(they are not counted as reuse).")
    if not len(b):
        paras.append("No shared boilerplate.")
    k = r.near_duplicates
    if len(k):
        n_cl, n_docs, n_drop = k["cluster"].nunique(), len(k), int((~k["keep"].astype(bool)).sum())
        paras.append(f"**Near-duplicates:** {n_docs:,} articles fall into {n_cl:,} group{'s' if n_cl != 1 else ''} "
                     f"of near-identical articles; keeping one article per group would drop {n_drop:,} "
                     "(`--param drop_near_duplicates=True`).")
    else:
        paras.append("No near-duplicate documents.")

    return markdown_safe("\n\n".join(paras))  # outlet names and article text may hold markup


def headline(tables, **options) -> str:
    """One line for the index page, from the reuse tables (the lens store's ``reuse`` part), a
    :class:`Reuse` result, or a corpus (analysed with ``options``). The same contract as every
    lens's ``headline(tables)``."""
    if hasattr(tables, "only"):  # the lens store's tables: only the columns used (not `in`: it reads the table)
        tables = from_store(tables)
    elif isinstance(tables, Mapping) and "passages" in tables:
        tables = from_tables(tables)
    r = _result(tables, **options)
    lab = r.labels
    p = r.passages
    b = r.boilerplate
    if len(p):
        n_pairs = len(p.groupby(["source_a", "source_b"]))
        head = f"{len(p):,} passage(s) shared between {n_pairs:,} pair(s) of sources ({int(p['words'].sum()):,} words)"
    else:
        head = "No passage is shared between sources"
    if len(b):
        kinds = "; ".join(f"{row.rules or 'repeated text'} ({', '.join(lab.get(s, s) for s in row.sources.split(', '))})"
                          for row in b.head(3).itertuples())
        head += f"; shared boilerplate reported apart: {kinds}"
    return head + "."


def _quoted(text: str) -> str:
    """``text`` in quotation marks, unless it is a quotation already (it opens with one): a quoted
    sentence is shown as written, not inside a second pair of marks."""
    return text if text[:1] in "\"“'‘«" else f"“{text}”"


def _short(text: str, n: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# --------------------------------------------------------------------------------------------
# Views for the report
# --------------------------------------------------------------------------------------------
def flat(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a reuse table with tuple cells (sentence ids) written as ``"a:s1, a:s2"`` (for CSV and display)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and len(out) and out[c].map(lambda v: isinstance(v, tuple)).any():
            out[c] = out[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, tuple) else v)
    return out


def passages_view(corpus: CorpusLike, **options) -> pd.DataFrame:
    """The shared passages to read: who shares with whom (outlet names), the sentence ids on both
    sides, words, similarity, who was first, the edit counts and the earlier text."""
    r = _result(corpus, **options)
    return _view(r.passages, r.labels)


def stored_passages_view(tables, *, max_rows: int = 50, max_embed: int = 2000) -> pd.DataFrame:
    """The first rows of :func:`passages_view` (longest first) of the lens store's reuse part: as
    many as :func:`framelens.report.show.show_table` with ``max_rows`` and ``max_embed`` puts in
    a page (the larger of the two). Reads the passages' words and ids piece by piece, then only
    the rows shown."""
    rows = max(int(max_rows), int(max_embed))
    best = pd.DataFrame({"words": pd.Series([], dtype=np.int64), "passage_id": pd.Series([], dtype=object),
                         "_f": pd.Series([], dtype=np.int64)})
    files = tables.files("passages")
    for i, (f, meta) in enumerate(files):  # the top rows so far, merged with one piece's small columns
        d = read_table(f, meta, columns=["words", "passage_id"]).assign(_f=i)
        best = pd.concat([best, d], ignore_index=True) if len(best) else d
        best = best.sort_values(["words", "passage_id"], ascending=[False, True]).head(rows)
    picked = [read_table(f, meta, filters=[("passage_id", "in", ids)])
              for i, (f, meta) in enumerate(files)
              if (ids := best.loc[best["_f"] == i, "passage_id"].astype(str).tolist())]
    p = pd.concat(picked, ignore_index=True) if picked else tables.scan("passages", columns=PASSAGE_COLUMNS).head(0)
    return _view(p, dict(tables.info.get("labels", {})))


def stored_rows(tables, name: str) -> int:
    """The number of rows of stored table ``name`` (from the lens store's manifest: none is read)."""
    return int(sum(meta.get("rows", 0) for _, meta in tables.files(name)))


def stored_head(tables, name: str, *, max_rows: int = 50, max_embed: int = 2000) -> pd.DataFrame:
    """The first rows of stored table ``name`` (e.g. the edits, millions of rows in pieces), as
    many as :func:`framelens.report.show.show_table` puts in a page (see
    :func:`stored_passages_view`), reading its pieces in order until there are enough."""
    rows = max(int(max_rows), int(max_embed))
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, n = [], 0
    for f, meta in tables.files(name):
        if n >= rows:
            break
        plain = not any(meta.get(k) for k in ("json", "tuple", "arrow_list", "object", "index", "column_types"))
        if plain:  # read only the first rows of the piece
            batches = pq.ParquetFile(f).iter_batches(batch_size=max(1, rows - n))
            first = next(batches, None)
            d = pa.Table.from_batches([first]).to_pandas() if first is not None else read_table(f, meta).head(0)
        else:
            d = read_table(f, meta).head(rows - n)
        out.append(d)
        n += len(d)
    return pd.concat(out, ignore_index=True).head(rows) if len(out) > 1 else out[0] if out else pd.DataFrame()


def _view(passages: pd.DataFrame, lab: Mapping) -> pd.DataFrame:
    p = flat(passages)
    out = pd.DataFrame({
        "passage": p["passage_id"], "earlier or listed first": p["source_a"].map(lambda s: lab.get(s, s)),
        "doc_a": p["doc_a"], "sentences_a": p["sent_ids_a"], "other": p["source_b"].map(lambda s: lab.get(s, s)),
        "doc_b": p["doc_b"], "sentences_b": p["sent_ids_b"], "words": p["words"], "similarity": p["similarity"],
        "first": p["first"], "reordered": p["reordered"], "added": p["n_added"], "removed": p["n_removed"],
        "replaced": p["n_replaced"], "sources sharing": p["units_sharing"], "text_a": p["text_a"],
    })
    return out.sort_values(["words", "passage"], ascending=[False, True]).reset_index(drop=True)


def facts(corpus: CorpusLike, **options) -> pd.DataFrame:
    """How the analysis ran: method, counts and options, as ``measure, value`` rows."""
    r = _result(corpus, **options)
    st, o = r.stats, r.options
    rows = [
        ("candidate method", st.get("method", "")),
        ("body sentences", f"{st.get('sentences', 0):,}"),
        ("spans removed by the cleaner (compared for boilerplate)", f"{st.get('removed_spans', 0):,}"),
        ("candidate sentence pairs", f"{st.get('candidate_pairs', 0):,}"),
        (f"verified sentence pairs (similarity ≥ {o['min_similarity']:.2f})", f"{st.get('verified_pairs', 0):,}"),
        ("document pairs aligned", _aligned_fact(st)),
        ("shared passages between sources", f"{len(r.passages):,}"),
        ("boilerplate clusters", f"{len(r.boilerplate):,}"),
        ("near-duplicate documents", f"{len(r.near_duplicates):,}"),
        ("least words in common per passage (min_words)", str(o["min_words"])),
        ("least similarity of a one-sentence passage", f"{o['min_single_similarity']:.2f}"),
        ("seconds", f"{st.get('seconds', 0):.2f}"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def _aligned_fact(st: Mapping[str, Any]) -> str:
    """The "document pairs aligned" value of :func:`facts`, with the bounds that were reached."""
    n = st.get("document_pairs_aligned", 0)
    found = st.get("document_pairs_found", n)
    text = f"{n:,}"
    bounds = []
    if found > n:
        text += f" of {found:,} found"
        bounds.append(f"each article with at most the {MAX_PARTNERS} articles it shares the most sentences with")
    if st.get("star_clusters"):
        bounds.append(f"the {st['star_cluster_documents']:,} articles of {st['star_clusters']:,} sentence(s) found in "
                      f"more than {MAX_CLIQUE_DOCUMENTS} articles each with the sentence's first article only")
    return text + (": " + "; ".join(bounds) if bounds else "")


def own_text_summary(corpus: CorpusLike, *, boilerplate: bool = True, keep_first: bool = False, **options) -> pd.DataFrame:
    """Per source: body sentences, how many :func:`own_text` would leave out (shared with other
    sources or boilerplate) and the share kept."""
    r = _result(corpus, **options)
    s = r.sentences[~r.sentences["removed_by_cleaner"].astype(bool)]
    mask = reused_mask(r, boilerplate=boilerplate, keep_first=keep_first)
    t = pd.DataFrame({"source": s["source"].to_numpy(), "left_out": mask.to_numpy()})
    g = t.groupby("source", sort=False).agg(sentences=("left_out", "size"), left_out=("left_out", "sum"))
    g = g.reindex(r.sources, fill_value=0).reset_index()
    g.insert(1, "outlet", g["source"].map(lambda x: r.labels.get(x, x)))
    g["own_share"] = (1 - g["left_out"] / g["sentences"].where(g["sentences"] > 0)).round(3)
    return g


def prepare(corpus: CorpusLike, *, own_text: bool = False, drop_near_duplicates: bool = False, keep_first: bool = False,
            result: Reuse | None = None, **options):
    """The corpus a lens should analyse, in one call for a notebook's setup cell.

    ``drop_near_duplicates``: keep one document per near-duplicate cluster (:func:`drop_near_duplicates`).
    ``own_text``: then leave out text shared with other sources and shared boilerplate
    (:func:`own_text`; ``keep_first`` keeps shared text in the document that published it first).
    Both False: the corpus itself, unchanged (nothing is computed)."""
    out = corpus
    if drop_near_duplicates:
        out = globals()["drop_near_duplicates"](out, result=result, **options)
    if own_text:
        out = globals()["own_text"](out, keep_first=keep_first, result=result, **options)
    return out


# --------------------------------------------------------------------------------------------
# The lens store: a Reuse result as tables and back
# --------------------------------------------------------------------------------------------
REUSE_TABLES = ("passages", "edits", "boilerplate", "documents", "pairs", "origins", "near_duplicates", "sentences")


def to_tables(result: Reuse) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """A :class:`Reuse` result as tables plus the values the tables do not hold (sources, labels,
    options, stats), for the lens store; :func:`from_tables` is the inverse."""
    tables = {name: getattr(result, name) for name in REUSE_TABLES}
    info = {"sources": list(result.sources), "labels": dict(result.labels), "options": dict(result.options),
            "stats": {k: (float(v) if isinstance(v, (np.floating,)) else int(v) if isinstance(v, np.integer) else v)
                      for k, v in result.stats.items()}}
    return tables, info


#: What :func:`from_store` reads of the stored tables (``None``: whole; a table not named: empty).
STORED_COLUMNS: dict[str, list | None] = {
    "passages": ["passage_id", "source_a", "source_b", "words", "words_b", "similarity", "first",
                 "n_added", "n_removed", "n_replaced"],
    "boilerplate": None, "documents": None, "origins": None, "near_duplicates": None,
    "sentences": ["sent_id", "source", "removed_by_cleaner", "reused", "reused_later_copy", "boilerplate"],
}


def from_store(tables) -> Reuse:
    """:func:`from_tables` of the lens store's reuse part reading only what :func:`summary`,
    :func:`facts`, :func:`unit_matrix`, :func:`common_origin`, :func:`document_reuse`,
    :func:`near_duplicates`, :func:`own_text_summary` and :func:`headline` use
    (:data:`STORED_COLUMNS`): the passages without their text and sentence ids, neither the edits
    nor the document pairs. Show the passages with :func:`stored_passages_view`."""
    return from_tables(tables.only(STORED_COLUMNS))


def from_tables(tables: Mapping[str, pd.DataFrame], info: Mapping[str, Any] | None = None) -> Reuse:
    """The :class:`Reuse` result stored by :func:`to_tables` (``info`` defaults to ``tables.info``,
    as the lens store's tables carry it)."""
    info = dict(info if info is not None else getattr(tables, "info", {}))
    return Reuse(**{name: tables[name] for name in REUSE_TABLES}, sources=list(info.get("sources", [])),
                 labels=dict(info.get("labels", {})), options=dict(info.get("options", {})),
                 stats=dict(info.get("stats", {})))


def source_note(result: Reuse, source: str) -> str:
    """What one source shares with others, in one or two plain sentences (Markdown), for its
    profile page: passages and words shared, with whom, who published first, and the share of its
    own articles that is reused; says plainly when it shares nothing."""
    lab = result.labels
    name = lab.get(source, source)
    p = result.passages
    mine = p[(p["source_a"] == source) | (p["source_b"] == source)] if len(p) else p
    b = result.boilerplate
    boiler = b[b["sources"].astype(str).str.split(", ").map(lambda xs: source in xs)] if len(b) else b
    if not len(mine):
        text = (f"**Shared text:** {name} shares no passage with another source (at least "
                f"{result.options.get('min_words', 10)} words in common); its wording here is its own.")
    else:
        other = mine.apply(lambda r: r["source_b"] if r["source_a"] == source else r["source_a"], axis=1)
        by = mine.assign(other=other).groupby("other")["words"].agg(["size", "sum"]).sort_values("sum", ascending=False)
        partners = "; ".join(f"{lab.get(o, o)} ({int(row['size']):,} passage(s), {int(row['sum']):,} words)"
                             for o, row in by.head(4).iterrows())
        d = result.documents[result.documents["source"] == source]
        share = float((d["reused_share"] * d["words"]).sum() / d["words"].sum()) if len(d) and d["words"].sum() else 0.0
        text = (f"**Shared text:** {name} shares {len(mine):,} passage(s) with other sources: {partners}. "
                f"{share:.0%} of its words are in shared passages (see report 08 for the passages and what was edited).")
    if len(boiler):
        text += f" Shared boilerplate (reported apart, not counted as reuse): {len(boiler):,} cluster(s)."

    return markdown_safe(text)  # outlet names may hold markup
