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

Direction: where both documents have a ``published`` date, the earlier one is ``doc_a`` and named
in ``first``; dates are compared at the coarser of the two precisions (a known day against a known
month only orders them when the months differ). Publication order is not proof of copying (both may
copy a third text); passages shared by three or more sources (:func:`common_origin`) probably come
from a common origin such as a wire story, a release or an official readout.

Caveats: the similarity is lexical (a paraphrase that changes most words is not reuse here); a
sentence shorter than :data:`MIN_INDEX_WORDS` words never seeds a match (it can still join a passage
next to a longer one); MinHash-LSH is probabilistic: a pair just above ``min_similarity`` but with a
low word-set resemblance may be missed in LSH mode (rare at 20% edits, see ``framelens.bench``).

Entry points: :func:`analyze` (everything, cached per corpus and options), :func:`shared_passages`,
:func:`passage_edits`, :func:`boilerplate`, :func:`document_reuse`, :func:`pair_reuse`,
:func:`unit_matrix`, :func:`common_origin`, :func:`near_duplicates`, :func:`drop_near_duplicates`,
:func:`reused_mask`, :func:`own_text`, :func:`summary`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Mapping, TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import FramelensError

if TYPE_CHECKING:  # annotations only: no import cost
    from .corpus import CorpusLike

#: Sentences with fewer words never seed a candidate pair (they may still join a passage).
MIN_INDEX_WORDS = 5
#: ``candidates="auto"`` compares every pair of sentences up to this many sentences, else uses LSH.
EXACT_LIMIT = 4000
#: LSH buckets larger than this are linked as a star (each member with the first one), not
#: pairwise, so a footer repeated in thousands of documents costs linear time.
MAX_BUCKET = 64
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
_CACHE: dict[int, tuple[weakref.ref, dict]] = {}


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
            workers: int = 1) -> Reuse:
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

    The result is cached for this corpus object and these options.
    """
    o = _options(min_words=min_words, min_similarity=min_similarity, min_single_similarity=min_single_similarity,
                 candidates=candidates, bands=bands,
                 rows=rows, max_gap=max_gap, boilerplate_min_docs=boilerplate_min_docs,
                 boilerplate_min_share=boilerplate_min_share,
                 near_duplicate_share=near_duplicate_share, seed=seed, workers=workers)
    key = id(corpus)
    hit = _CACHE.get(key)
    opts_key = tuple(sorted(o.items()))
    if hit is not None and hit[0]() is corpus and opts_key in hit[1]:
        return hit[1][opts_key]
    res = _analyze(corpus, o)
    if hit is None or hit[0]() is not corpus:
        try:
            ref = weakref.ref(corpus, lambda _r, k=key: _CACHE.pop(k, None))
        except TypeError:  # not weak-referenceable: no cache
            return res
        hit = (ref, {})
        _CACHE[key] = hit
    hit[1][opts_key] = res
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
    from .cleaning import normalize
    from .sentences import split_sentences

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
    from . import tokens as tok

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
    return _Units(table=table, offsets=offsets, ids=ids, surface=sur, vocab=vocab, strings=strings)


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
# Step 3: verified sentence pairs
# --------------------------------------------------------------------------------------------
def _similarity_pairs(units: _Units, i: np.ndarray, j: np.ndarray, workers: int) -> np.ndarray:
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cpdist

    if not len(i):
        return np.zeros(0, dtype=np.float64)
    s = units.strings
    return np.asarray(cpdist([s[k] for k in i.tolist()], [s[k] for k in j.tolist()],
                             scorer=Indel.normalized_similarity, workers=workers), dtype=np.float64)


def _candidates_all(units: _Units, idx: np.ndarray, doc_of: np.ndarray, o: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cdist

    if len(idx) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    strs = [units.strings[k] for k in idx.tolist()]
    m = cdist(strs, strs, scorer=Indel.normalized_similarity, score_cutoff=o["min_similarity"],
              workers=o["workers"], dtype=np.float32)
    a, b = np.nonzero(np.triu(m, 1) >= o["min_similarity"])
    i, j = idx[a], idx[b]
    diff = doc_of[i] != doc_of[j]
    return i[diff], j[diff], m[a[diff], b[diff]].astype(np.float64)


def _candidates_lsh(units: _Units, idx: np.ndarray, sig: np.ndarray, doc_of: np.ndarray, o: dict
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Verified pairs ``(i, j, similarity, head)`` from the LSH buckets; ``head`` is the star centre of
    a pair linked through an over-full bucket (-1 for ordinary pairs)."""
    keys = _band_keys(sig, o["bands"], o["rows"])
    pi, pj, ps = [], [], []
    for k in range(o["bands"]):
        a, b, st = _bucket_pairs(keys[k], np.arange(len(idx), dtype=np.int64), cap=MAX_BUCKET, with_star=True)
        pi.append(a)
        pj.append(b)
        ps.append(st)
    a = np.concatenate(pi) if pi else np.zeros(0, np.int64)
    b = np.concatenate(pj) if pj else np.zeros(0, np.int64)
    st = np.concatenate(ps) if ps else np.zeros(0, bool)
    head = np.where(st, idx[a], -1)
    i, j = idx[np.minimum(a, b)], idx[np.maximum(a, b)]
    keep = doc_of[i] != doc_of[j]
    i, j, head = i[keep], j[keep], head[keep]
    key = i * np.int64(units.n) + j
    order = np.lexsort((-head, key))  # per pair, a star link (head >= 0) first
    key, head = key[order], head[order]
    first = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
    key, head = key[first], head[first]
    i, j = key // units.n, key % units.n
    n_candidates = len(i)
    sim = _similarity_pairs(units, i, j, o["workers"])
    ok = sim >= o["min_similarity"]
    return i[ok], j[ok], sim[ok], head[ok], n_candidates


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
    """Connected components of ``n`` nodes joined by the pairs ``(i, j)``: one label per node."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not n:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return connected_components(g, directed=False)[1].astype(np.int64)


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
    order = np.lexsort((j, i, -sim))
    used_i, used_j, out = set(), set(), []
    for k in order.tolist():
        a, b = int(i[k]), int(j[k])
        if a in used_i or b in used_j:
            continue
        used_i.add(a)
        used_j.add(b)
        out.append((a, b, float(sim[k])))
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


def _edit_ops(units: _Units, a: int, b: int) -> list[tuple[str, str, str]]:
    from rapidfuzz.distance import Levenshtein

    wa, wb = units.words(a), units.words(b)
    out = []
    for op in Levenshtein.opcodes(units.strings[a], units.strings[b]):
        if op.tag == "equal":
            continue
        ta = " ".join(wa[op.src_start:op.src_end])
        tb = " ".join(wb[op.dest_start:op.dest_end])
        kind = {"replace": "replaced", "delete": "removed", "insert": "added"}[op.tag]
        out.append((kind, ta, tb))
    return out


# --------------------------------------------------------------------------------------------
# The whole analysis
# --------------------------------------------------------------------------------------------
def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _analyze(corpus: CorpusLike, o: dict) -> Reuse:
    import time

    t0 = time.perf_counter()
    stats: dict[str, Any] = {}
    units = _units(corpus)
    U = units.table
    n = units.n
    docs = corpus.documents.reset_index(drop=True)
    doc_ids = docs["doc_id"].astype(str).tolist()
    n_docs = len(doc_ids)
    doc_source = docs["source"].astype(str).tolist()
    doc_of = U["doc_i"].to_numpy(dtype=np.int64)
    words = U["words"].to_numpy(dtype=np.int64)
    removed = U["seg"].to_numpy() == 1
    stats["sentences"] = int((~removed).sum())
    stats["removed_spans"] = int(removed.sum())
    t1 = time.perf_counter()
    stats["seconds_prepare"] = t1 - t0

    # --- candidates -------------------------------------------------------------------------
    idx = np.flatnonzero((words >= MIN_INDEX_WORDS) & (doc_of < n_docs))
    num_perm = o["bands"] * o["rows"]
    vocab_hash = word_hashes(units.vocab) if len(units.vocab) else np.zeros(0, np.uint32)
    set_off, set_ids = _set_elements(units, idx) if len(idx) else (np.zeros(1, np.int64), np.zeros(0, np.int64))
    sig = signatures(set_off, vocab_hash[set_ids], num_perm=num_perm, seed=o["seed"])
    t2 = time.perf_counter()
    stats["seconds_signatures"] = t2 - t1
    method = o["candidates"]
    if method == "auto":
        method = "all" if len(idx) <= EXACT_LIMIT else "lsh"
    if method == "all":
        vi, vj, vs = _candidates_all(units, idx, doc_of, o)
        vhead = np.full(len(vi), -1, dtype=np.int64)
        stats["candidate_pairs"] = int(len(idx) * (len(idx) - 1) // 2)
        stats["method"] = f"every pair of {len(idx):,} sentences compared"
    else:
        vi, vj, vs, vhead, nc = _candidates_lsh(units, idx, sig, doc_of, o)
        stats["candidate_pairs"] = nc
        stats["method"] = (f"MinHash-LSH over word sets ({o['bands']} bands × {o['rows']} rows = {num_perm} "
                           f"permutations, {len(idx):,} sentences indexed)")
    stats["verified_pairs"] = int(len(vi))
    t3 = time.perf_counter()
    stats["seconds_candidates"] = t3 - t2

    # --- sentence clusters, boilerplate ------------------------------------------------------
    doc_sig = _doc_signatures(sig, doc_of[idx], n_docs + 1)  # for "otherwise different documents"
    blabel = np.full(n, -1, dtype=np.int64)  # boilerplate cluster of each unit (-1: none)
    boiler_kind: dict[int, tuple[str, str]] = {}
    rule_col = U["rule"].to_numpy()
    src_col = U["source"].to_numpy()
    strong = vs >= max(o["min_similarity"], REPEAT_SIMILARITY)
    if len(vi):
        # furniture the cleaner removed: spans removed in two documents that match, or a sentence
        # matching a removed span near-verbatim (the cleaner missed it there)
        e = (removed[vi] & removed[vj]) | strong
        cl = _components(n, vi[e], vj[e])
        csize = np.bincount(cl, minlength=int(cl.max()) + 1)
        hit = removed & (csize[cl] > 1)
        if hit.any():
            m = pd.DataFrame({"c": cl[hit], "rule": rule_col[hit]})
            for c, r in m.groupby("c")["rule"].agg(lambda r: ", ".join(sorted(set(r)))).items():
                boiler_kind[int(c)] = ("removed by the cleaner", r)
            flagged = np.isin(cl, np.asarray(list(boiler_kind), dtype=np.int64))
            blabel[flagged] = cl[flagged]
        # repetition by one source: near-verbatim clusters only (a footer is copied, not paraphrased)
        rcl = _components(n, vi[strong], vj[strong])
        rsize = np.bincount(rcl, minlength=int(rcl.max()) + 1)
        cand = (rsize[rcl] >= o["boilerplate_min_docs"]) & (blabel < 0)
        if cand.any():
            m = pd.DataFrame({"c": rcl[cand], "doc": doc_of[cand], "source": src_col[cand]}).drop_duplicates(["c", "doc"])
            per = m.groupby(["c", "source"])["doc"].agg(list)
            n_of_source = docs.groupby("source")["doc_id"].size()
            need = {src: max(o["boilerplate_min_docs"], o["boilerplate_min_share"] * n_of_source.get(src, 0))
                    for src in per.index.get_level_values("source").unique()}
            per = per[[len(dl) >= need[src] for (_c, src), dl in per.items()]]
            for (c, _src), dl in per.items():
                label = n + int(c)
                if label in boiler_kind:
                    continue
                distinct: list[int] = []
                for d in dl:
                    if all(float(np.mean(doc_sig[d] == doc_sig[e])) < SAME_STORY_RESEMBLANCE for e in distinct):
                        distinct.append(d)
                if len(distinct) >= need[_src]:
                    boiler_kind[label] = (f"repeated by one source in {len(distinct)} documents", "")
                    blabel[(rcl == c) & (blabel < 0)] = label
    is_boiler = (blabel >= 0) | removed  # removed spans are never content
    t4 = time.perf_counter()
    stats["seconds_clusters"] = t4 - t3

    # --- document pairs to align -------------------------------------------------------------
    # the documents of every verified pair of content sentences; around the centre of an over-full
    # LSH bucket (linked as a star), every pair of the documents verified against that centre
    ok = ~is_boiler[vi] & ~is_boiler[vj] if len(vi) else np.zeros(0, dtype=bool)
    dp = [pd.DataFrame({"d_x": np.minimum(doc_of[vi[ok]], doc_of[vj[ok]]),
                        "d_y": np.maximum(doc_of[vi[ok]], doc_of[vj[ok]])})]
    star = ok & (vhead >= 0)
    if star.any():
        other = np.where(vi[star] == vhead[star], vj[star], vi[star])
        cd = pd.DataFrame({"c": np.r_[vhead[star], vhead[star]], "d": np.r_[doc_of[vhead[star]], doc_of[other]]})
        cd = cd.drop_duplicates()
        cd = cd.merge(cd, on="c")
        dp.append(cd.loc[cd["d_x"] < cd["d_y"], ["d_x", "d_y"]])
    pairs = pd.concat(dp, ignore_index=True).drop_duplicates()
    doc_pairs = list(zip(pairs["d_x"].tolist(), pairs["d_y"].tolist()))
    stats["document_pairs_aligned"] = len(doc_pairs)

    # orientation: the earlier document first, where the dates tell
    dkeys = [_date_key(ts, p) for ts, p in zip(docs["published"], docs.get("published_precision", [""] * n_docs))]
    oriented = []
    for x, y in sorted(doc_pairs):
        e = _earlier(dkeys[x], dkeys[y])
        oriented.append((y, x, True) if e > 0 else (x, y, e != 0))

    # content units per document, in order (body only, not boilerplate)
    content = (~is_boiler) & (U["seg"].to_numpy() == 0) & (doc_of < n_docs)
    units_of: dict[int, np.ndarray] = {}
    cu = np.flatnonzero(content)
    if len(cu):
        dd = doc_of[cu]
        starts = np.flatnonzero(np.r_[True, dd[1:] != dd[:-1]])
        for s_, e_ in zip(starts.tolist(), np.r_[starts[1:], len(cu)].tolist()):
            units_of[int(dd[s_])] = cu[s_:e_]

    from rapidfuzz.distance import Indel
    from rapidfuzz.process import cdist

    passages, edits = [], []
    match_i, match_j = [], []
    by_first: dict[int, list[tuple[int, bool]]] = {}
    for x, y, known in oriented:
        by_first.setdefault(x, []).append((y, known))
    sent_ids = U["sent_id"].to_numpy(dtype=object)
    texts = U["text"].to_numpy(dtype=object)
    pub_label = [_date_label(ts, p) for ts, p in zip(docs["published"], docs.get("published_precision", [""] * n_docs))]
    for x, partners in by_first.items():
        A = units_of.get(x)
        if A is None:
            continue
        Bs = [(y, known, units_of.get(y)) for y, known in partners]
        Bs = [b for b in Bs if b[2] is not None]
        if not Bs:
            continue
        allB = np.concatenate([b[2] for b in Bs])
        m = cdist([units.strings[k] for k in A.tolist()], [units.strings[k] for k in allB.tolist()],
                  scorer=Indel.normalized_similarity, score_cutoff=o["min_similarity"], workers=o["workers"],
                  dtype=np.float32)
        ai, bi = np.nonzero(m >= o["min_similarity"])
        if not len(ai):
            continue
        bounds = np.cumsum([0] + [len(b[2]) for b in Bs])
        which = np.searchsorted(bounds, bi, side="right") - 1
        # positions within each document's content units (so gaps count content sentences)
        pos_a = {int(u): k for k, u in enumerate(A.tolist())}
        for w in np.unique(which).tolist():
            y, known, B = Bs[w]
            sel = which == w
            gi, gj = A[ai[sel]], allB[bi[sel]]
            matches = _greedy_matches(gi, gj, m[ai[sel], bi[sel]].astype(np.float64))
            pos_b = {int(u): k for k, u in enumerate(B.tolist())}
            local = [(pos_a[a], pos_b[b], s) for a, b, s in matches]
            for group in _link(local, o["max_gap"]):
                ga = sorted(p[0] for p in group)
                gb = sorted(p[1] for p in group)
                ua, ub = A[ga], B[gb]
                wa, wb = int(words[ua].sum()), int(words[ub].sum())
                pairs_u = [(int(A[p[0]]), int(B[p[1]])) for p in sorted(group)]
                lcs = sum((words[a] + words[b] - Indel.distance(units.strings[a], units.strings[b])) / 2
                          for a, b in pairs_u)
                sim = 2 * lcs / max(1, sum(words[a] + words[b] for a, b in pairs_u))
                if lcs < o["min_words"] or (len(pairs_u) == 1 and sim < o["min_single_similarity"]):
                    continue
                j_in_i_order = [p[1] for p in sorted(group)]
                reordered = any(b2 < b1 for b1, b2 in zip(j_in_i_order, j_in_i_order[1:]))
                gap_a = [int(A[k]) for k in range(ga[0], ga[-1] + 1) if k not in set(ga)]
                gap_b = [int(B[k]) for k in range(gb[0], gb[-1] + 1) if k not in set(gb)]
                pid = f"{doc_ids[x]}~{doc_ids[y]}#{len(passages)}"
                mine = [(pid, sent_ids[a], sent_ids[b], kind, ta, tb)
                        for a, b in pairs_u for kind, ta, tb in _edit_ops(units, a, b)]
                mine += [(pid, sent_ids[k], "", "removed", texts[k], "") for k in gap_a]
                mine += [(pid, "", sent_ids[k], "added", "", texts[k]) for k in gap_b]
                edits.extend(mine)
                passages.append({
                    "passage_id": pid, "doc_a": doc_ids[x], "doc_b": doc_ids[y], "source_a": doc_source[x],
                    "source_b": doc_source[y], "sent_ids_a": tuple(sent_ids[ua]), "sent_ids_b": tuple(sent_ids[ub]),
                    "words": wa, "words_b": wb, "similarity": round(float(sim), 4),
                    "first": doc_ids[x] if known else "", "published_a": pub_label[x], "published_b": pub_label[y],
                    "reordered": bool(reordered), "gap_sent_ids_a": tuple(sent_ids[k] for k in gap_a),
                    "gap_sent_ids_b": tuple(sent_ids[k] for k in gap_b),
                    "n_added": sum(len(e[5].split()) for e in mine if e[3] == "added"),
                    "n_removed": sum(len(e[4].split()) for e in mine if e[3] == "removed"),
                    "n_replaced": sum(len(e[4].split()) for e in mine if e[3] == "replaced"),
                    "added": "; ".join(e[5] for e in mine if e[3] == "added"),
                    "removed": "; ".join(e[4] for e in mine if e[3] == "removed"),
                    "replaced": "; ".join(f"{e[4]} → {e[5]}" for e in mine if e[3] == "replaced"),
                    "_units_a": ua, "_units_b": ub, "_x": x, "_y": y, "_known": known,
                })
                # every sentence of the passage joins its group (passages sharing a sentence merge)
                for u in [*ua.tolist(), *ub.tolist()]:
                    match_i.append(int(ua[0]))
                    match_j.append(u)
    t5 = time.perf_counter()
    stats["seconds_alignment"] = t5 - t4

    # --- groups of passages that share sentences (common origin) ------------------------------
    pgroup = _components(n, np.asarray(match_i, dtype=np.int64), np.asarray(match_j, dtype=np.int64))
    group_units: dict[int, set] = {}
    dense: dict[int, int] = {}  # groups numbered 0, 1, ... in the order passages are listed
    for p in passages:
        gid = dense.setdefault(int(pgroup[p["_units_a"][0]]), len(dense))
        p["group"] = gid
        group_units.setdefault(gid, set()).update({p["source_a"], p["source_b"]})
    for p in passages:
        p["units_sharing"] = len(group_units[p["group"]])
    for p in passages:
        p["text_a"] = " ".join(texts[p["_units_a"]])
        p["text_b"] = " ".join(texts[p["_units_b"]])

    # --- tables ------------------------------------------------------------------------------
    # pairs of documents (same source included), shares of content words
    content_words = np.zeros(n_docs + 1, dtype=np.int64)
    np.add.at(content_words, doc_of[content], words[content])
    boiler_words = np.zeros(n_docs + 1, dtype=np.int64)
    bw = is_boiler & (U["seg"].to_numpy() == 0)
    np.add.at(boiler_words, doc_of[bw], words[bw])
    pair_rows = {}
    for p in passages:
        key = (p["_x"], p["_y"])
        r = pair_rows.setdefault(key, {"units_a": set(), "units_b": set(), "passages": 0, "known": p["_known"]})
        r["units_a"].update(p["_units_a"].tolist())
        r["units_b"].update(p["_units_b"].tolist())
        r["passages"] += 1
    pair_list = []
    for (x, y), r in pair_rows.items():
        wa = int(words[list(r["units_a"])].sum())
        wb = int(words[list(r["units_b"])].sum())
        sa = wa / content_words[x] if content_words[x] else 0.0
        sb = wb / content_words[y] if content_words[y] else 0.0
        pair_list.append({
            "doc_a": doc_ids[x], "doc_b": doc_ids[y], "source_a": doc_source[x], "source_b": doc_source[y],
            "same_source": doc_source[x] == doc_source[y], "passages": r["passages"], "words_a": wa, "words_b": wb,
            "share_a": round(sa, 4), "share_b": round(sb, 4), "first": doc_ids[x] if r["known"] else "",
            "near_duplicate": min(sa, sb) >= o["near_duplicate_share"],
        })
    pairs_df = pd.DataFrame(pair_list, columns=PAIR_COLUMNS) if pair_list else _empty(PAIR_COLUMNS)
    if len(pairs_df):
        pairs_df = pairs_df.sort_values(["same_source", "share_a", "doc_a", "doc_b"], ascending=[True, False, True, True]
                                        ).reset_index(drop=True)

    # near-duplicate clusters
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    nd = [(doc_pos[r["doc_a"]], doc_pos[r["doc_b"]]) for r in pair_list if r["near_duplicate"]]
    nd_rows, nd_cluster_of, keep_of = [], {}, {}
    if nd:
        dc = _components(n_docs, np.asarray([a for a, _ in nd]), np.asarray([b for _, b in nd]))
        members: dict[int, list[int]] = {}
        for a, b in nd:
            members.setdefault(int(dc[a]), [])
        for d in range(n_docs):
            if int(dc[d]) in members:
                members[int(dc[d])].append(d)
        for k, (c, ms) in enumerate(sorted(members.items(), key=lambda kv: kv[1][0])):
            def sort_key(d):
                kd = dkeys[d]
                return (0, kd[1][:kd[0]], d) if kd is not None else (1, (), d)
            # earliest known date first, then corpus order (a coarser date sorts by its known part)
            kept = sorted(ms, key=sort_key)[0]
            for d in ms:
                nd_cluster_of[d] = k
                keep_of[d] = d == kept
                nd_rows.append({"cluster": k, "doc_id": doc_ids[d], "source": doc_source[d], "published": pub_label[d],
                                "words": int(content_words[d]), "keep": d == kept, "kept_doc": doc_ids[kept]})
    near_df = pd.DataFrame(nd_rows, columns=NEAR_DUPLICATE_COLUMNS) if nd_rows else _empty(NEAR_DUPLICATE_COLUMNS)

    # passages table (different sources only)
    cross = [p for p in passages if p["source_a"] != p["source_b"]]
    passages_df = (pd.DataFrame([{c: p[c] for c in PASSAGE_COLUMNS} for p in cross], columns=PASSAGE_COLUMNS)
                   if cross else _empty(PASSAGE_COLUMNS))
    cross_ids = {p["passage_id"] for p in cross}
    edits_df = (pd.DataFrame([e for e in edits if e[0] in cross_ids], columns=EDIT_COLUMNS)
                if any(e[0] in cross_ids for e in edits) else _empty(EDIT_COLUMNS))

    # documents: share reused with other sources
    reused_units: dict[int, set] = {}
    partners: dict[int, set] = {}
    first_in = np.zeros(n_docs, dtype=np.int64)
    later_in = np.zeros(n_docs, dtype=np.int64)
    for p in cross:
        reused_units.setdefault(p["_x"], set()).update(p["_units_a"].tolist())
        reused_units.setdefault(p["_y"], set()).update(p["_units_b"].tolist())
        partners.setdefault(p["_x"], set()).add(p["_y"])
        partners.setdefault(p["_y"], set()).add(p["_x"])
        if p["_known"]:
            first_in[p["_x"]] += 1
            later_in[p["_y"]] += 1
    doc_rows = []
    for d in range(n_docs):
        rw = int(words[list(reused_units.get(d, ()))].sum()) if d in reused_units else 0
        doc_rows.append({
            "doc_id": doc_ids[d], "source": doc_source[d], "words": int(content_words[d]),
            "boilerplate_words": int(boiler_words[d]), "reused_words": rw,
            "reused_share": round(rw / content_words[d], 4) if content_words[d] else 0.0,
            "partners": len(partners.get(d, ())), "first_in": int(first_in[d]), "later_in": int(later_in[d]),
            "near_duplicate_cluster": nd_cluster_of.get(d, -1), "keep": keep_of.get(d, True),
        })
    documents_df = pd.DataFrame(doc_rows, columns=DOCUMENT_COLUMNS)

    # boilerplate clusters (members of each cluster via one sort, not a scan per cluster)
    members_of = _members(blabel)
    b_rows = []
    if boiler_kind:
        same = blabel[vi] == blabel[vj] if len(vi) else np.zeros(0, dtype=bool)
        vdf = pd.DataFrame({"c": blabel[vi][same] if len(vi) else np.zeros(0, np.int64), "s": vs[same]})
        min_sim = vdf.groupby("c")["s"].min() if len(vdf) else pd.Series(dtype=float)
        for k, (c, (kind, rules)) in enumerate(sorted(boiler_kind.items(), key=lambda kv: members_of[kv[0]][0])):
            mem = members_of[c]
            srcs = list(dict.fromkeys(U["source"].to_numpy()[mem].tolist()))
            longest = mem[np.argmax(words[mem])]
            b_rows.append({
                "cluster": k, "kind": kind, "rules": rules, "sources": ", ".join(srcs), "n_sources": len(srcs),
                "n_documents": int(len(np.unique(doc_of[mem]))), "n_sentences": int(len(mem)),
                "words": int(np.median(words[mem])), "min_similarity": round(float(min_sim.get(c, np.nan)), 4),
                "text": texts[longest], "sent_ids": tuple(sent_ids[mem]),
            })
    boiler_df = pd.DataFrame(b_rows, columns=BOILERPLATE_COLUMNS) if b_rows else _empty(BOILERPLATE_COLUMNS)
    boiler_cluster_index = {c: k for k, c in enumerate(sorted(boiler_kind, key=lambda c: members_of[c][0]))}

    # common origin: passage groups shared by 3+ sources
    o_rows = []
    group_members = {dense[g]: m for g, m in _members(pgroup).items() if g in dense} \
        if any(len(v) >= 3 for v in group_units.values()) else {}
    for gid, srcs in group_units.items():
        if len(srcs) < 3:
            continue
        mem = group_members[gid]
        mdocs = sorted(set(doc_of[mem].tolist()))
        first = ""
        known = [d for d in mdocs if dkeys[d] is not None]
        if known and len(known) == len(mdocs):
            earliest = [d for d in mdocs if all(_earlier(dkeys[d], dkeys[e]) < 0 for e in mdocs if e != d)]
            first = doc_ids[earliest[0]] if earliest else ""
        rep = doc_pos[first] if first else mdocs[0]
        rep_units = mem[doc_of[mem] == rep]
        o_rows.append({
            "group": gid, "n_units": len(srcs), "units": ", ".join(s for s in dict.fromkeys(doc_source[d] for d in mdocs)),
            "n_documents": len(mdocs), "documents": ", ".join(doc_ids[d] for d in mdocs), "first": first,
            "words": int(words[rep_units].sum()), "text": " ".join(texts[rep_units]), "sent_ids": tuple(sent_ids[mem]),
        })
    origins_df = (pd.DataFrame(o_rows, columns=ORIGIN_COLUMNS).sort_values(["n_units", "words"], ascending=False)
                  .reset_index(drop=True) if o_rows else _empty(ORIGIN_COLUMNS))

    # per sentence
    reused_any = np.zeros(n, dtype=bool)
    first_side = np.zeros(n, dtype=bool)
    for p in cross:
        reused_any[p["_units_a"]] = True
        reused_any[p["_units_b"]] = True
        if p["_known"]:
            first_side[p["_units_a"]] = True
    later_side = np.zeros(n, dtype=bool)
    for p in cross:
        later_side[p["_units_b"]] = True
        if not p["_known"]:
            later_side[p["_units_a"]] = True
    sent_df = pd.DataFrame({
        "sent_id": sent_ids, "doc_id": U["doc_id"].to_numpy(), "source": U["source"].to_numpy(),
        "removed_by_cleaner": removed, "words": words, "boilerplate": is_boiler,
        "boilerplate_cluster": [boiler_cluster_index.get(int(c), -1) for c in blabel.tolist()],
        "reused": reused_any, "reused_later_copy": reused_any & later_side,
        "reused_only_as_first": reused_any & first_side & ~later_side,
    })
    for p in passages:
        for k in ("_units_a", "_units_b", "_x", "_y", "_known"):
            p.pop(k, None)
    stats["seconds_tables"] = time.perf_counter() - t5
    stats["seconds"] = time.perf_counter() - t0
    return Reuse(passages=passages_df, edits=edits_df, boilerplate=boiler_df, documents=documents_df,
                 pairs=pairs_df, origins=origins_df, near_duplicates=near_df, sentences=sent_df,
                 sources=list(corpus.sources), labels=dict(corpus.labels), options=dict(o), stats=stats)


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


def _drop(corpus: CorpusLike, *, docs: set | None = None, sents: set | None = None):
    """A corpus without the given documents and/or sentences (tables filtered, counts recomputed)."""
    from .corpus import Corpus

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
        items = [f"- {name(a)} ↔ {name(b)}: {int(row['passages'])} passage(s), {int(row['words']):,} words"
                 for (a, b), row in pairs.sort_values("words", ascending=False).head(5).iterrows()]
        d = r.documents[r.documents["reused_share"] > 0].sort_values("reused_share", ascending=False).head(3)
        items += [f"- `{row.doc_id}` ({name(row.source)}): {row.reused_share:.0%} of its words are shared"
                  for row in d.itertuples()]
        edited = int(((p["n_added"] + p["n_removed"] + p["n_replaced"]) > 0).sum())
        items.append(f"- {edited} of the {len(p)} passages were edited (words added, removed or replaced); "
                     f"{int((p['first'] != '').sum())} have a known publication order.")
        if len(r.origins):
            items.append(f"- {len(r.origins)} passage group(s) are shared by three or more sources "
                         "(likely a common origin: a wire story, a release, a readout).")
        paras.append(f"**{len(p)} shared passage{'s' if len(p) != 1 else ''}** between {len(pairs)} "
                     f"pair{'s' if len(pairs) != 1 else ''} of sources ({int(p['words'].sum()):,} words; "
                     f"median similarity {p['similarity'].median():.2f}).\n\n" + "\n".join(items))
    b = r.boilerplate
    shown_b = 3  # a long archive can hold hundreds of clusters: the largest few, then the count
    for row in b.sort_values(["n_documents", "words"], ascending=False, kind="stable").head(shown_b).itertuples():
        what = f"{row.rules} (removed by the cleaner)" if row.rules else row.kind
        paras.append(f"**Boilerplate, not reuse:** {what}, shared by "
                     f"{', '.join(name(s) for s in row.sources.split(', '))} ({row.n_documents} documents, "
                     f"similarity ≥ {row.min_similarity:.2f}): \"{_short(row.text)}\"")
    if len(b) > shown_b:
        paras.append(f"… and {len(b) - shown_b} more boilerplate cluster(s), all listed in report 08 "
                     "(they are not counted as reuse).")
    if not len(b):
        paras.append("No shared boilerplate.")
    k = r.near_duplicates
    if len(k):
        paras.append(f"**Near-duplicates:** {k['cluster'].nunique()} cluster(s) of {len(k)} documents; "
                     f"{int((~k['keep'].astype(bool)).sum())} would be dropped to keep one per cluster.")
    else:
        paras.append("No near-duplicate documents.")
    from .fmt import markdown_safe

    return markdown_safe("\n\n".join(paras))  # outlet names and article text may hold markup


def headline(tables, **options) -> str:
    """One line for the index page, from the reuse tables (the lens store's ``reuse`` part), a
    :class:`Reuse` result, or a corpus (analysed with ``options``). The same contract as every
    lens's ``headline(tables)``."""
    if isinstance(tables, Mapping) and "passages" in tables:
        tables = from_tables(tables)
    r = _result(tables, **options)
    lab = r.labels
    p = r.passages
    b = r.boilerplate
    if len(p):
        n_pairs = len(p.groupby(["source_a", "source_b"]))
        head = f"{len(p)} passage(s) shared between {n_pairs} pair(s) of sources ({int(p['words'].sum()):,} words)"
    else:
        head = "No passage is shared between sources"
    if len(b):
        kinds = "; ".join(f"{row.rules or 'repeated text'} ({', '.join(lab.get(s, s) for s in row.sources.split(', '))})"
                          for row in b.head(3).itertuples())
        head += f"; shared boilerplate reported apart: {kinds}"
    return head + "."


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
    p = flat(r.passages)
    lab = r.labels
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
        ("document pairs aligned", f"{st.get('document_pairs_aligned', 0):,}"),
        ("shared passages between sources", f"{len(r.passages):,}"),
        ("boilerplate clusters", f"{len(r.boilerplate):,}"),
        ("near-duplicate documents", f"{len(r.near_duplicates):,}"),
        ("least words in common per passage (min_words)", str(o["min_words"])),
        ("least similarity of a one-sentence passage", f"{o['min_single_similarity']:.2f}"),
        ("seconds", f"{st.get('seconds', 0):.2f}"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


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
        partners = "; ".join(f"{lab.get(o, o)} ({int(row['size'])} passage(s), {int(row['sum']):,} words)"
                             for o, row in by.head(4).iterrows())
        d = result.documents[result.documents["source"] == source]
        share = float((d["reused_share"] * d["words"]).sum() / d["words"].sum()) if len(d) and d["words"].sum() else 0.0
        text = (f"**Shared text:** {name} shares {len(mine)} passage(s) with other sources: {partners}. "
                f"{share:.0%} of its words are in shared passages (see report 08 for the passages and what was edited).")
    if len(boiler):
        text += f" Shared boilerplate (reported apart, not counted as reuse): {len(boiler)} cluster(s)."
    from .fmt import markdown_safe

    return markdown_safe(text)  # outlet names may hold markup
