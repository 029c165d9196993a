"""The vocabulary lens: which words and names each source chooses.

Pure functions on token lists (:func:`ttr`, :func:`mtld`, :func:`mattr`, :func:`syllables`,
:func:`flesch_reading_ease`, :func:`log_odds_z`, :func:`g2`, :func:`log_ratio`) and corpus-level
functions that take a :class:`framelens.Corpus` (its ``terms``, ``tokens`` and ``sentences`` tables)
and return tidy DataFrames, always grouped by ``source`` (a source may hold many documents):

* :func:`size_and_style` – tokens, types, sentences, sentence length, stopword share, Flesch.
* :func:`lexical_diversity` – MTLD and MATTR per source (TTR only for contrast).
* :func:`distinctive_terms` – one source versus all the others pooled: log-odds ratio with an
  informative Dirichlet prior (z-score) and Dunning's G² with the log ratio effect size.
* :func:`shared_and_unique`, :func:`similarity` – overlap of vocabularies between sources.
* :func:`naming_choices`, :func:`naming_table`, :func:`variant_candidates` – how each source names
  the same referent.
* :func:`collocations` – adjacent content-word pairs scored by PMI and log-likelihood.
* :func:`kwic` – keyword-in-context lines bounded by the sentence, with doc_id / sent_id.
* :func:`headline` – one sentence summing up the lens.

Every table carries ``source`` and, where a number comes from particular sentences,
``example_sent_ids`` (``"; "``-separated sent ids) so that ``corpus.evidence(ids)`` shows the text.
"""

from __future__ import annotations

import re
import warnings
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.errors import FramelensError, FramelensWarning, parse_toml

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
    from scipy import sparse
from framelens.tables.mapreduce import PartialTables, fold, reduction
from framelens.tables.parquet import concat_frames
from framelens.text.tagging import pos_tags

__all__ = [
    "ttr",
    "mtld",
    "mattr",
    "syllables",
    "flesch_reading_ease",
    "log_odds_z",
    "g2",
    "log_ratio",
    "size_and_style",
    "lexical_diversity",
    "distinctive_terms",
    "shared_and_unique",
    "similarity",
    "load_referents",
    "naming_choices",
    "naming_table",
    "variant_candidates",
    "naming_pairs",
    "discovered_referents",
    "kwic_terms",
    "collocations",
    "kwic",
    "term_evidence",
    "top_terms",
    "most_varied_referent",
    "similarity_pairs",
    "shared_unique_summary",
    "headline",
]

EXAMPLE_SEP = "; "
_N_EXAMPLES = 3

# ---------------------------------------------------------------------------------------------
# Pure functions on token lists
# ---------------------------------------------------------------------------------------------


def ttr(tokens: Sequence[str]) -> float:
    """Type–token ratio: distinct tokens / tokens (NaN for an empty text).

    Caveat: TTR falls as a text gets longer (more words, more repeats), so it cannot compare
    texts of different lengths; use :func:`mtld` or :func:`mattr` for that.
    """
    n = len(tokens)
    return len(set(tokens)) / n if n else float("nan")


def _mtld_pass(tokens: Sequence[str], threshold: float) -> float:
    """Number of MTLD factors in one direction (full factors + the partial factor)."""
    factors = 0.0
    types: set[str] = set()
    count = 0
    current = 1.0
    for tok in tokens:
        count += 1
        types.add(tok)
        current = len(types) / count
        if current <= threshold:
            factors += 1.0
            types = set()
            count = 0
            current = 1.0
    # partial factor for the unfinished segment: how far its TTR got towards the threshold
    factors += (1.0 - current) / (1.0 - threshold)
    return factors


def mtld(tokens: Sequence[str], *, threshold: float = 0.72) -> float:
    """Measure of Textual Lexical Diversity (McCarthy & Jarvis 2010).

    Reads the text token by token keeping the running type–token ratio (TTR) of the current
    segment; each time it falls to ``threshold`` (0.72) or below, one *factor* is counted and a
    new segment starts. The unfinished last segment adds a partial factor
    ``(1 - TTR_rest) / (1 - 0.72)``. MTLD = tokens / factors, computed forwards and backwards and
    averaged. Roughly: the mean length of a stretch of text before vocabulary starts repeating
    itself; higher means more varied vocabulary. Unlike TTR it is largely independent of text
    length, but it is unstable below ~100 tokens.

    Tokens are compared as given (pass lower-cased word tokens). Returns NaN when the text is
    empty or never repeats a word (no factor can be measured).
    """
    toks = list(tokens)
    n = len(toks)
    if n == 0:
        return float("nan")
    values = []
    for seq in (toks, toks[::-1]):
        f = _mtld_pass(seq, threshold)
        values.append(n / f if f > 0 else float("nan"))
    return float(np.mean(values))


def mattr(tokens: Sequence[str], window: int = 50) -> float:
    """Moving-average type–token ratio (Covington & McFall 2010).

    The TTR of every window of ``window`` consecutive tokens, averaged over all
    ``n - window + 1`` windows. Independent of text length as long as the text is longer than the
    window; the value depends on the window, so always state it. For a text shorter than the
    window the result is the plain TTR of the whole text (flagged by :func:`lexical_diversity`).

    Computed in O(n) with numpy: token j adds one type to every window that starts after the
    previous occurrence of the same token and at or before j.
    """
    if window < 1:
        raise FramelensError(f"mattr: window must be >= 1, got {window}")
    toks = list(tokens)
    if not toks:
        return float("nan")
    if len(toks) <= window:
        return ttr(toks)
    return _mattr_codes(pd.factorize(pd.Series(toks, dtype=object))[0], window)


def _mattr_codes(codes: np.ndarray, window: int) -> float:
    """MATTR on integer token codes (see :func:`mattr`)."""
    n = len(codes)
    if n == 0:
        return float("nan")
    if n <= window:
        return len(_unique(codes)) / n
    idx = np.arange(n)
    # previous position of the same token (-1 if none)
    order = np.lexsort((idx, codes))
    prev = np.full(n, -1)
    same = codes[order][1:] == codes[order][:-1]
    prev[order[1:][same]] = order[:-1][same]
    n_windows = n - window + 1
    lo = np.maximum(prev + 1, idx - window + 1)
    hi = np.minimum(idx, n_windows - 1)
    ok = lo <= hi
    diff = np.bincount(lo[ok], minlength=n_windows + 1) - np.bincount(hi[ok] + 1, minlength=n_windows + 1)
    types_per_window = np.cumsum(diff)[:n_windows]
    return float(types_per_window.mean() / window)


_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Offline heuristic syllable count for an English word (no dictionary needed).

    Counts vowel groups (a, e, i, o, u, y), then drops a silent final ``e`` (not in ``-le``), a
    silent ``-ed`` (not after t, d or a vowel) and a silent ``-es`` (not after s, x, z, ch, sh, g, c); at
    least 1. A token without letters counts one syllable per digit (``2013`` → 4, a rough
    reading of a number). Accuracy is about 85–90 % on running news English, enough for a
    readability score but not for per-word claims.
    """
    w = word.lower()
    letters = re.sub(r"[^a-z]", "", w)
    if not letters:
        digits = sum(c.isdigit() for c in w)
        return max(1, digits) if digits else 0
    count = len(_VOWELS.findall(letters))
    if len(letters) > 2:
        if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")) and count > 1:
            count -= 1
        elif letters.endswith("le") and len(letters) > 2 and letters[-3] in "aeiouy" and count > 1:
            count -= 1
        elif letters.endswith("ed") and letters[-3] not in "aeiouytd" and count > 1:
            count -= 1
        elif letters.endswith("es") and count > 1 and not (
            letters[-3] in "sxzgc" or letters.endswith(("ches", "shes"))
        ):
            count -= 1
    return max(1, count)


def flesch_reading_ease(n_words: float, n_sentences: float, n_syllables: float) -> float:
    """Flesch (1948) reading ease: 206.835 − 1.015·(words/sentence) − 84.6·(syllables/word).

    Higher is easier: 60–70 plain English, 30–50 college level, below 30 academic/very dense.
    Syllables come from the heuristic :func:`syllables`. A surface measure: long sentences and
    long words lower it, meaning is ignored.
    """
    if n_words <= 0 or n_sentences <= 0:
        return float("nan")
    return 206.835 - 1.015 * (n_words / n_sentences) - 84.6 * (n_syllables / n_words)


def log_odds_z(
    y_i: np.ndarray | float,
    n_i: np.ndarray | float,
    y_j: np.ndarray | float,
    n_j: np.ndarray | float,
    alpha_w: np.ndarray | float,
    alpha_0: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio with an informative Dirichlet prior and its z-score (Monroe, Colaresi &
    Quinn 2008, eq. 16–22).

    ``y_i, y_j``: counts of a word in group i and group j; ``n_i, n_j``: group totals;
    ``alpha_w``: prior pseudo-count of the word, ``alpha_0``: sum of the prior over the vocabulary.

        δ = log((y_i+α_w)/(n_i+α_0−y_i−α_w)) − log((y_j+α_w)/(n_j+α_0−y_j−α_w))
        σ² ≈ 1/(y_i+α_w) + 1/(y_j+α_w);   z = δ/σ

    Returns ``(delta, z)``. Positive z: the word is more typical of group i.
    """
    y_i, n_i, y_j, n_j, a = (np.asarray(v, dtype=float) for v in (y_i, n_i, y_j, n_j, alpha_w))
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_i + a) / (n_i + alpha_0 - y_i - a)) - np.log((y_j + a) / (n_j + alpha_0 - y_j - a))
        z = delta / np.sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a))
    return delta, z


def g2(a, b, c, d) -> np.ndarray:
    """Dunning's (1993) log-likelihood G² for the 2×2 table [[a, b], [c, d]].

    For keyness: ``a`` = count of the term in the target, ``b`` = in the reference,
    ``c`` = other tokens in the target, ``d`` = other tokens in the reference.
    G² = 2·Σ O·ln(O/E) with E from the margins; ~χ²(1) under independence (3.84 ↔ p = .05,
    10.83 ↔ p = .001). Equals ``scipy.stats.chi2_contingency(t, correction=False,
    lambda_="log-likelihood")``. G² measures evidence, not size: pair it with :func:`log_ratio`.
    """
    from scipy.special import xlogy  # scipy loads when first used (a light import)
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    n = a + b + c + d
    r1, r2 = a + b, c + d
    c1, c2 = a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 2.0 * (
            xlogy(a, a / (r1 * c1 / n))
            + xlogy(b, b / (r1 * c2 / n))
            + xlogy(c, c / (r2 * c1 / n))
            + xlogy(d, d / (r2 * c2 / n))
        )
    return np.where(n > 0, out, np.nan)


def log_ratio(a, n1, b, n2) -> np.ndarray:
    """Hardie's (2014) Log Ratio effect size: log2 of the ratio of relative frequencies.

    ``log2((a/n1)/(b/n2))``; +1 means twice as frequent in the target, −1 half as frequent.
    A zero count is replaced by 0.5 (Hardie's convention) so the value stays finite.
    """
    a, n1, b, n2 = (np.asarray(v, dtype=float) for v in (a, n1, b, n2))
    a = np.where(a == 0, 0.5, a)
    b = np.where(b == 0, 0.5, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2((a / n1) / (b / n2))


def _unique(a: np.ndarray, *, return_counts: bool = False):
    """Sorted unique values of an int array (and their counts), by sorting: numpy 2's hash-based
    ``np.unique`` is an order of magnitude slower on millions of int64 keys."""
    a = np.sort(np.asarray(a), kind="stable")
    if len(a) == 0:
        return (a, np.zeros(0, dtype=np.int64)) if return_counts else a
    first = np.r_[True, a[1:] != a[:-1]]
    u = a[first]
    if not return_counts:
        return u
    return u, np.diff(np.r_[np.flatnonzero(first), len(a)])


def _cosine_matrix(m: sparse.spmatrix) -> np.ndarray:
    from scipy import sparse  # scipy loads when first used (a light import)
    m = sparse.csr_matrix(m, dtype=float)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    dot = (m @ m.T).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        return dot / np.outer(norms, norms)


def _jaccard_matrix(m: sparse.spmatrix) -> np.ndarray:
    from scipy import sparse  # scipy loads when first used (a light import)
    b = sparse.csr_matrix((m > 0).astype(float))
    inter = (b @ b.T).toarray()
    size = np.asarray(b.sum(axis=1)).ravel()
    union = size[:, None] + size[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, np.nan)


def tfidf_matrix(counts: sparse.spmatrix) -> sparse.csr_matrix:
    """TF-IDF weights for a (units × terms) count matrix: raw tf × smoothed idf.

    idf = ln((1+N)/(1+df)) + 1 (the scikit-learn default), so a term used by every unit keeps
    weight 1 instead of vanishing — with a handful of sources, zeroing shared words would leave
    too little to compare.
    """
    from scipy import sparse  # scipy loads when first used (a light import)
    m = sparse.csr_matrix(counts, dtype=float)
    n = m.shape[0]
    df = np.asarray((m > 0).sum(axis=0)).ravel()
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return sparse.csr_matrix(m.multiply(idf[None, :]))


# ---------------------------------------------------------------------------------------------
# Helpers on corpus tables
# ---------------------------------------------------------------------------------------------


def _sources(corpus: CorpusLike) -> list[str]:
    return list(corpus.sources)


def _labels(corpus: CorpusLike) -> dict[str, str]:
    return corpus.labels


def _examples(rows: pd.DataFrame, keys: list[str], n: int = _N_EXAMPLES) -> pd.DataFrame:
    """First ``n`` distinct sent_ids per key (in row order) joined with EXAMPLE_SEP (vectorized)."""
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "example_sent_ids"])
    r = rows[[*keys, "sent_id"]].drop_duplicates()
    gid = r.groupby(keys, sort=False).ngroup().to_numpy()
    rank = r.groupby(keys, sort=False).cumcount().to_numpy()
    first = r[rank == 0][keys].reset_index(drop=True)
    first["example_sent_ids"] = _join_ranked(gid, rank, r["sent_id"].astype(str).to_numpy(dtype=object), len(first), n)
    return first


def _join_ranked(gid: np.ndarray, rank: np.ndarray, values: np.ndarray, n_groups: int, n: int) -> np.ndarray:
    """For groups 0..n_groups-1, join the values of rank 0..n-1 with EXAMPLE_SEP (vectorized)."""
    out = np.full(n_groups, "", dtype=object)
    for k in range(n):  # n is 3: a loop over ranks, not over rows
        sel = rank == k
        if not sel.any():
            break
        add = values[sel] if k == 0 else EXAMPLE_SEP + values[sel]
        out[gid[sel]] = out[gid[sel]] + add
    return out


class _Encoded:
    """The corpus ``terms`` table as integer codes (built once per call; all hot paths use ints)."""
    def __init__(self, corpus, *, unit: str = "term"):
        t = corpus.terms
        self.sources = _sources(corpus)
        self.src = pd.Categorical(t["source"], categories=self.sources).codes.astype(np.int64)
        col = t["lemma"] if unit == "lemma" else t["term"]
        self.term, vocab = pd.factorize(col, use_na_sentinel=False)
        self.term = self.term.astype(np.int64)
        self.vocab = np.asarray(vocab, dtype=object).astype(str).astype(object)
        self.sent, sent_ids = pd.factorize(t["sent_id"], use_na_sentinel=False)
        self.sent = self.sent.astype(np.int64)
        self.sent_ids = np.asarray(sent_ids, dtype=object)
        self.doc, _ = pd.factorize(t["doc_id"], use_na_sentinel=False)
        self.doc = self.doc.astype(np.int64)
        self.is_stop = t["is_stop"].to_numpy(dtype=bool)
        self.is_phrase = t["is_phrase"].to_numpy(dtype=bool)
        self.start = t["start"].to_numpy(dtype=np.int64)
        self.end = t["end"].to_numpy(dtype=np.int64)
        V = len(self.vocab)
        self.term_is_stop = np.zeros(V, dtype=bool)
        self.term_is_stop[self.term[self.is_stop]] = True
        self.term_is_phrase = np.zeros(V, dtype=bool)
        self.term_is_phrase[self.term[self.is_phrase]] = True

    def bigrams(self, *, max_gap: int = 1):
        """Adjacent content-term pairs within a sentence -> (row index of first element, t1, t2).

        Two consecutive terms of the same sentence form a bigram when neither is a stopword and
        they are separated by at most ``max_gap`` characters (a space or a hyphen; a comma and a
        space, i.e. punctuation, breaks the pair, and so does a stopword since it is a term).
        Multi-word names from the phrase list are single terms and count as one element.
        """
        ok = (
            (self.sent[1:] == self.sent[:-1])
            & ~self.is_stop[1:]
            & ~self.is_stop[:-1]
            & ((self.start[1:] - self.end[:-1]) <= max_gap)
        )
        rows = np.flatnonzero(ok)
        return rows, self.term[rows], self.term[rows + 1]


def _bigrams(terms: pd.DataFrame, *, max_gap: int = 1) -> pd.DataFrame:
    """Adjacent content-term pairs as a table ``sent_id, doc_id, source, w1, w2, term`` (see
    :meth:`_Encoded.bigrams` for the rule)."""
    ok = (
        (terms["sent_id"].to_numpy()[1:] == terms["sent_id"].to_numpy()[:-1])
        & ~terms["is_stop"].to_numpy(dtype=bool)[1:]
        & ~terms["is_stop"].to_numpy(dtype=bool)[:-1]
        & ((terms["start"].to_numpy()[1:] - terms["end"].to_numpy()[:-1]) <= max_gap)
    )
    rows = np.flatnonzero(ok)
    b = terms.iloc[rows][["sent_id", "doc_id", "source"]].reset_index(drop=True)
    b["w1"] = terms["term"].to_numpy()[rows].astype(str)
    b["w2"] = terms["term"].to_numpy()[rows + 1].astype(str)
    b["term"] = b["w1"] + " " + b["w2"]
    return b


def _group_evidence(key: np.ndarray, doc: np.ndarray, sent: np.ndarray, kept: np.ndarray, sent_ids: np.ndarray):
    """For each key in ``kept`` (int64 codes): number of distinct documents and the first
    _N_EXAMPLES sent_ids (corpus order), from unit rows with codes ``key``, ``doc``, ``sent``."""
    kept = np.asarray(kept, dtype=np.int64)
    order = np.argsort(kept, kind="stable")
    ks = kept[order]
    mask = np.isin(key, ks)
    k, d, s = key[mask], doc[mask], sent[mask]
    pos = order[np.searchsorted(ks, k)]  # row in `kept` for each unit row
    nd = int(d.max()) + 1 if len(d) else 1
    kd = _unique(pos.astype(np.int64) * nd + d)
    n_docs = np.bincount(kd // nd, minlength=len(kept))
    ns = int(s.max()) + 1 if len(s) else 1
    ks_ = _unique(pos.astype(np.int64) * ns + s)  # sorted: by kept row, then sentence (corpus order)
    g = ks_ // ns
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if len(g) else np.array([], dtype=int)
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)])) if len(g) else np.array([], dtype=int)
    keep = rank < _N_EXAMPLES
    ex = _join_ranked(g[keep], rank[keep], sent_ids[ks_[keep] % ns], len(kept), _N_EXAMPLES)
    return n_docs, ex


def _warn(msg: str) -> None:
    warnings.warn(msg, FramelensWarning, stacklevel=3)


# ---------------------------------------------------------------------------------------------
# Size, style, diversity
# ---------------------------------------------------------------------------------------------


def size_and_style(corpus: CorpusLike) -> pd.DataFrame:
    """Size and surface style of each source.

    Columns: ``source, label, n_docs, n_sentences, n_tokens`` (word tokens: containing a letter or
    digit), ``n_types`` (distinct lower-cased word tokens), ``mean_sentence_length`` (word tokens
    per body sentence), ``stopword_share`` (share of word tokens on the stopword list),
    ``mean_word_length`` (characters), ``syllables_per_word``, ``flesch_reading_ease``
    (Flesch 1948, heuristic syllables; see :func:`flesch_reading_ease`) and ``ttr`` (shown only
    for contrast: it falls with length).

    Vectorized: syllables are counted once per distinct word type, not per token.
    """
    return _size_style_from(_whole(corpus, _size_map))


def lexical_diversity(corpus: CorpusLike, *, window: int = 50, threshold: float = 0.72) -> pd.DataFrame:
    """Length-robust lexical diversity per source: MTLD and MATTR (TTR only for contrast).

    Each document's lower-cased word tokens (in reading order, body sentences) are scored
    separately — diversity is a property of a text, so documents are not glued together — and a
    source's value is the token-weighted mean over its documents.

    Columns: ``source, label, n_docs, n_tokens, mtld`` (McCarthy & Jarvis 2010, threshold 0.72,
    forward/backward mean), ``mattr`` (Covington & McFall 2010, ``window`` tokens), ``window``,
    ``n_short_docs`` (documents shorter than the window: their MATTR is their plain TTR, not
    comparable), ``short_for_window`` (True if any), ``ttr`` (type–token ratio of the source's
    pooled tokens; it falls with length, compare only texts of equal size), ``mtld_unstable``
    (True when a document has < 100 tokens, where MTLD is unreliable).
    """
    red = _whole(corpus, lambda c: {**_diversity_map(c, window=window, threshold=threshold), **_size_map(c)})
    out = _diversity_from(red, window=window)
    if out["short_for_window"].any():
        short = ", ".join(out.loc[out["short_for_window"], "source"].astype(str))
        _warn(f"lexical_diversity: texts shorter than the MATTR window ({window} tokens) in: {short}; their MATTR is a plain TTR")
    return out


# ---------------------------------------------------------------------------------------------
# Distinctive vocabulary
# ---------------------------------------------------------------------------------------------

_DISTINCT_COLS = [
    "source", "label", "term", "kind", "count", "count_rest", "rate_per_1000", "rate_rest_per_1000",
    "delta", "z", "g2", "p_g2", "log_ratio", "n_docs", "example_sent_ids",
]


def distinctive_terms(
    corpus,
    *,
    min_count: int = 3,
    prior_strength: float = 500.0,
    top: int | None = None,
    include_phrases: bool = True,
    include_bigrams: bool | None = None,
    unit: str = "term",
) -> pd.DataFrame:
    """Distinctive vocabulary of each source against all other sources pooled.

    Two statistics, each from the same one-vs-rest 2×2 counts:

    * ``z``: the log-odds ratio with an informative Dirichlet prior, divided by its standard
      error (Monroe, Colaresi & Quinn 2008, "Fightin' Words", Political Analysis 16). The prior is
      the whole corpus's word distribution scaled to ``prior_strength`` pseudo-tokens
      (α_w = prior_strength · f_w / N), which shrinks rare words towards "not distinctive".
      |z| > 1.96 ≈ p < .05 for one word taken alone (no correction for the thousands of words
      tested: read z as a ranking, not a test). A larger ``prior_strength`` shrinks more; it
      matters for small corpora only.
    * ``g2``: Dunning's (1993) log-likelihood G² (``p_g2`` from χ²(1), same caveat) with the effect
      size ``log_ratio`` (Hardie 2014: log2 of the ratio of rates, +1 = twice as frequent; a zero
      count in the rest is taken as 0.5).

    Units: the corpus ``terms`` (words with the phrase-list names merged, e.g. ``xi jinping``,
    ``kind='phrase'``); stopwords are counted in the totals but never reported. With
    ``include_phrases`` (default) the table also scores bigrams of adjacent content terms
    (``kind='bigram'``) against the bigram totals — a separate vocabulary, so no token is counted
    twice within one test; ``include_bigrams`` controls that separately; ``include_phrases=False``
    drops phrase terms too. ``unit='lemma'`` pools inflections.

    Rows: every (source, term) the source uses at least ``min_count`` times, ordered by source
    then z descending (negative z = used less than the rest). ``top`` keeps only the ``top``
    highest positive z per source (words, phrases and bigrams together). Columns: ``source,
    label, term, kind ('word'|'phrase'|'bigram'), count, count_rest, rate_per_1000,
    rate_rest_per_1000, delta`` (log-odds), ``z, g2, p_g2, log_ratio, n_docs`` (documents of
    the source using the term: a term from one document of many is less characteristic of the
    source) and ``example_sent_ids`` (first three sentences, for ``corpus.evidence``).

    Needs at least two sources; with one, statistics are NaN and a warning is given.
    Vectorized on integer codes (no Python loop over tokens).
    """
    if unit not in {"term", "lemma"}:
        raise FramelensError(f"distinctive_terms: unit must be 'term' or 'lemma', got {unit!r}")
    if include_bigrams is None:
        include_bigrams = include_phrases
    sources = _sources(corpus)
    if len(sources) < 2:
        _warn("distinctive_terms: needs at least two sources to compare; statistics are NaN")
    if corpus.terms.empty:
        return pd.DataFrame(columns=_DISTINCT_COLS)
    red = _whole(corpus, lambda c: _terms_map(c, unit=unit))
    return _distinctive_from(red, min_count=min_count, prior_strength=prior_strength, top=top,
                             include_phrases=include_phrases, include_bigrams=include_bigrams)


def top_terms(dist: pd.DataFrame, *, top: int = 10, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``top`` most over-represented rows (highest positive z) per source of a
    :func:`distinctive_terms` table, optionally only some ``kinds`` ('word', 'phrase', 'bigram')."""
    d = dist if kinds is None else dist[dist["kind"].isin(list(kinds))]
    d = d[d["z"] > 0].sort_values("z", ascending=False, kind="stable")
    d = d[d.groupby("source", sort=False).cumcount() < top]
    order = {s: i for i, s in enumerate(pd.unique(dist["source"]))}
    d = d.assign(_o=d["source"].map(order)).sort_values(["_o", "z"], ascending=[True, False], kind="stable")
    return d.drop(columns="_o").reset_index(drop=True)


def term_evidence(corpus: CorpusLike, source: str, term: str, *, n: int | None = None) -> pd.DataFrame:
    """The sentences of ``source`` that contain ``term`` (a term or a bigram of adjacent terms):
    ``corpus.evidence`` rows (sent_id, source, label, text), in corpus order."""
    t = corpus.terms
    t = t[t["source"] == source]
    ids = t.loc[t["term"] == term, "sent_id"]
    if " " in term and ids.empty:
        b = _bigrams(t)
        ids = b.loc[b["term"] == term, "sent_id"]
    ids = list(pd.unique(ids))
    if n is not None:
        ids = ids[:n]
    return corpus.evidence(ids)


# ---------------------------------------------------------------------------------------------
# Shared / unique vocabulary and similarity
# ---------------------------------------------------------------------------------------------


#: Above this many sources the term table has no count column per source (the ``sources`` column
#: and :func:`shared_unique_summary` say who uses what), so it stays one row per term whatever S.
WIDE_MAX_SOURCES = 40
#: A term used by more sources than this lists their number instead of their names.
LIST_MAX_SOURCES = 12


def shared_and_unique(corpus: CorpusLike, *, min_count: int = 1) -> pd.DataFrame:
    """Which content terms are shared by every source and which only one source uses.

    A source "uses" a term when it occurs at least ``min_count`` times in it (stopwords
    excluded). One row per term: ``term, n_sources, status`` (``'all'`` = used by every source,
    ``'unique'`` = used by exactly one, ``'some'`` otherwise; with one source everything is
    ``'all'``), ``sources`` (the sources using it, ``"; "``-separated; beyond
    :data:`LIST_MAX_SOURCES` their number), ``only_source`` (the source for unique terms, else
    empty), ``total_count``, then — up to :data:`WIDE_MAX_SOURCES` sources — one count column per
    source. Sorted by status (all, unique, some) then total count. Computed on the sparse
    source × term count matrix, so its cost grows with the number of (source, term) pairs used.
    Caveat: a longer source has more unique terms simply because it has more words; compare with
    :func:`size_and_style`. Summarise with :func:`shared_unique_summary`.
    """
    m, sources, vocab = _content_matrix(_whole(corpus, _terms_map))
    return _shared_from_matrix(m, sources, vocab, min_count=min_count)


def shared_unique_summary(table: pd.DataFrame, corpus=None, *, min_count: int = 1) -> pd.DataFrame:
    """Per source: number of content term types, how many are unique to it, how many are shared
    by all sources, and its top unique terms by count. From the count columns of
    :func:`shared_and_unique`'s table, or — when the table has none (many sources) — from
    ``corpus`` with the same ``min_count``."""
    from scipy import sparse  # scipy loads when first used (a light import)
    meta = {"term", "n_sources", "status", "sources", "only_source", "total_count"}
    cols = [c for c in table.columns if c not in meta]
    if cols:
        out = _summary_from_matrix(sparse.csr_matrix(table[cols].to_numpy(dtype=float).T), cols, table["term"].to_numpy(),
                                   status=table["status"].to_numpy())
    elif corpus is not None:
        out = _summary_from_matrix(*_content_matrix(_whole(corpus, _terms_map)), min_count=min_count)
    else:
        raise FramelensError("shared_unique_summary: the table has no count column per source; pass the corpus")
    if corpus is not None:
        out.insert(1, "label", out["source"].map(_labels(corpus)))
    return out


def similarity(corpus: CorpusLike, method: str = "tfidf_cosine", *, labels: bool = False) -> pd.DataFrame:
    """Source-by-source similarity of vocabularies, a square DataFrame (index = columns = sources).

    * ``'tfidf_cosine'``: cosine of TF-IDF vectors of content-term counts, one vector per source
      (all its documents pooled). tf = raw count, idf = ln((1+N)/(1+df)) + 1 over the N sources
      (Salton & Buckley 1988; smoothed idf as in scikit-learn). 1 = same relative word use.
    * ``'jaccard'``: |A∩B| / |A∪B| of the sets of content terms (Jaccard 1912). Sensitive to
      length: a long text has many terms a short one cannot share.

    Stopwords are excluded. The diagonal is 1. ``labels=True`` uses display labels as names.
    """
    if method not in {"tfidf_cosine", "jaccard", "cosine"}:
        raise FramelensError(f"similarity: method must be 'tfidf_cosine' or 'jaccard', got {method!r}")
    m, sources, _ = _content_matrix(_whole(corpus, _terms_map))
    names = [_labels(corpus)[s] for s in sources] if labels else sources
    return pd.DataFrame(_similarity_matrix(m, method), index=pd.Index(names, name="source"), columns=names)


def similarity_pairs(sim: pd.DataFrame) -> pd.DataFrame:
    """Long form of a similarity matrix: one row per unordered pair ``a, b, similarity``,
    most similar first."""
    names = list(sim.index)
    iu = np.triu_indices(len(names), k=1)
    vals = sim.to_numpy()[iu]
    out = pd.DataFrame({"a": np.array(names, dtype=object)[iu[0]], "b": np.array(names, dtype=object)[iu[1]], "similarity": vals})
    return out.sort_values("similarity", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Naming choices
# ---------------------------------------------------------------------------------------------


def default_referents_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "referents.toml"))


# the same matching rules as the actor table: short and all-capital variants are case-sensitive,
# and variants are compared on normalized text (curly quotes and dashes made plain)
from framelens.lenses.actors import case_sensitive as _case_sensitive  # noqa: E402
from framelens.text.cleaning import normalize as _plain  # noqa: E402
from framelens.text.tokens import grow_codes, release_memory, trie_regex  # noqa: E402


def load_referents(path: str | Path | None = None) -> pd.DataFrame:
    """Load the referent → variants table (TOML) as ``referent, group, variant, case_sensitive``.

    Format (see ``data/referents.toml``)::

        [[referent]]
        name = "China"            # what is being named
        group = "actor"           # optional free label for grouping in reports
        variants = ["China", "Beijing", "Chinese side", "PRC"]

    Variants are matched whole-word on the normalized sentence text; a variant of three
    characters or fewer or written in capitals (``US``, ``BRI``) is case-sensitive, others
    ignore case. A variant may belong to one referent only. Errors name the file.
    """
    p = Path(path) if path is not None else default_referents_path()
    if not p.exists():
        raise FramelensError(f"{p}: referents file not found")
    data = parse_toml(p.read_text(encoding="utf-8"), p)
    extra = set(data) - {"referent"}
    if extra:
        raise FramelensError(f"{p}: unknown key {sorted(extra)[0]!r} (expected [[referent]] blocks)")
    blocks = data.get("referent")
    if not isinstance(blocks, list) or not blocks:
        raise FramelensError(f"{p}: no [[referent]] entries")
    rows, seen, names = [], {}, set()
    for i, b in enumerate(blocks, 1):
        if not isinstance(b, dict):
            raise FramelensError(f"{p}: referent #{i} is not a table")
        unknown = set(b) - {"name", "group", "variants"}
        if unknown:
            raise FramelensError(f"{p}: referent #{i}: unknown key {sorted(unknown)[0]!r}")
        name = b.get("name")
        if not isinstance(name, str) or not name.strip():
            raise FramelensError(f"{p}: referent #{i} has no name")
        if name in names:
            raise FramelensError(f"{p}: referent {name!r} is listed twice")
        names.add(name)
        variants = b.get("variants")
        if not isinstance(variants, list) or not variants or not all(isinstance(v, str) and v.strip() for v in variants):
            raise FramelensError(f"{p}: referent {name!r}: 'variants' must be a non-empty list of strings")
        group = b.get("group", "")
        if not isinstance(group, str):
            raise FramelensError(f"{p}: referent {name!r}: 'group' must be a string")
        for v in variants:
            v = " ".join(_plain(v).split())
            key = v.lower()
            if key in seen:
                raise FramelensError(f"{p}: variant {v!r} is given to both {seen[key]!r} and {name!r}")
            seen[key] = name
            rows.append({"referent": name, "group": group, "variant": v, "case_sensitive": _case_sensitive(v)})
    return pd.DataFrame(rows)


def _variant_regex(variants: Iterable[str]) -> str:
    # the look-ahead lets the engine skip quickly to positions that can start a word
    return r"(?i)(?=[\w.])(?<![\w])(" + trie_regex({v.lower() for v in variants}, flexible=True) + r")(?![\w])"


def _find_variants(sentences: pd.DataFrame, ref: pd.DataFrame, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """All non-overlapping variant matches (longest first) -> sent_id, doc_id, source, variant.

    Matching ignores case; a match of a case-sensitive variant (``US``, ``BRI``) written in
    another case (``us``) is then dropped."""
    cols = ["sent_id", "doc_id", "source", "variant"]
    if ref.empty or sentences.empty:
        return pd.DataFrame(columns=cols)
    rx = re.compile(_variant_regex(ref["variant"]))
    if tokens is not None and len(tokens):
        # cheap prefilter on the token table: only sentences holding a token that can start a
        # variant (compared on the leading run of word characters, so tokenizer details such as
        # "Kassym-Jomart" vs "Kassym", "-", "Jomart" do not matter) go through the regex
        lead = re.compile(r"\w+")
        firsts = {m.group() for v in ref["variant"] if (m := lead.match(v.split()[0].lower()))}
        types = pd.Series(pd.unique(tokens["lower"].astype(str)), dtype=object)
        runs = types.str.extract(r"^(\w+)", expand=False)
        flagged = set(types[runs.isin(firsts).to_numpy(dtype=bool)])
        cand = pd.unique(tokens.loc[tokens["lower"].isin(flagged).to_numpy(dtype=bool), "sent_id"])
        sentences = sentences[sentences["sent_id"].isin(cand).to_numpy(dtype=bool)]
        if sentences.empty:
            return pd.DataFrame(columns=cols)
    text = sentences["norm"] if "norm" in sentences.columns else sentences["text"].map(_plain)
    text = pd.Series(text.astype(str).to_numpy(dtype=object), index=sentences.index)
    m = text.str.extractall(rx)
    if m.empty:
        return pd.DataFrame(columns=cols)
    hit = pd.Series(m[0].astype(str).to_numpy(dtype=object)).str.split().str.join(" ").str.replace("\u2013", "-").str.replace("\u2014", "-")
    by_lower = dict(zip(ref["variant"].str.lower(), zip(ref["variant"], ref["case_sensitive"])))
    info = hit.str.lower().map(by_lower)
    variant = info.str[0]
    cs = info.str[1].fillna(False).astype(bool)
    ok = variant.notna() & (~cs | (hit == variant))
    pos = m.index.get_level_values(0)[ok.to_numpy()]
    return pd.DataFrame(
        {
            "sent_id": sentences.loc[pos, "sent_id"].to_numpy(),
            "doc_id": sentences.loc[pos, "doc_id"].to_numpy(),
            "source": sentences.loc[pos, "source"].to_numpy(),
            "variant": variant[ok].to_numpy(),
        }
    )


def naming_choices(corpus: CorpusLike, referents: str | Path | pd.DataFrame | None = None, *,
                   pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """How each source names the same referent: counts per referent × variant × source.

    ``referents``: your referent table — a path to a TOML file or a DataFrame from
    :func:`load_referents` — which takes precedence (only it is counted). None or ``""``: the
    packaged general referents (``data/referents.toml``: government/regime, protesters/rioters,
    migrants/illegal immigrants, climate change/climate crisis …) **plus** the naming pairs found
    in the corpus itself (:func:`naming_pairs`, or the ``pairs`` already computed; variants the
    packaged table already lists are left to it), grouped as "found in the corpus". Matching:
    whole words on the normalized sentence text (body sentences), longest variant first so
    "illegal immigrants" is not also counted as "immigrants"; see :func:`load_referents` for
    case rules.

    Returns every referent × variant × source (zeros included, so a referent absent from the
    corpus shows zero rows rather than disappearing): ``referent, group, variant, source, label,
    count, share`` (of the source's mentions of this referent, NaN if none),
    ``per_1000_words`` (per 1000 word tokens of the source), ``example_sent_ids``.

    Computed as a map over the corpus's document partitions (:func:`naming_counts`: matches
    per variant × source and words per source, no text) and a reduce
    (:func:`naming_choices_from_counts`), once the referent table is known
    (:func:`naming_referents`).
    """
    need_pairs = not isinstance(referents, pd.DataFrame) and not referents and pairs is None
    ref = naming_referents(referents, naming_pairs(corpus) if need_pairs else pairs)
    return naming_choices_from_counts([naming_counts(corpus, ref)], ref, _sources(corpus), _labels(corpus))


def naming_referents(referents: str | Path | pd.DataFrame | None = None,
                     pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The referent table :func:`naming_choices` counts: yours (``referents``), or the packaged
    one plus the variants of the naming ``pairs`` found in the corpus that it does not list."""
    if isinstance(referents, pd.DataFrame):
        return referents
    if referents:
        return load_referents(referents)
    ref = load_referents()
    if pairs is None:
        return ref
    found = discovered_referents(pairs)
    found = found[~found["variant"].str.lower().isin(set(ref["variant"].str.lower()))]
    found = found[found.groupby("referent")["variant"].transform("size") >= 2]
    return pd.concat([ref, found], ignore_index=True)


def naming_counts(corpus: CorpusLike, ref: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The map step of :func:`naming_choices` on one partition: ``naming_hits`` (``variant,
    source, count, ex`` — the first sent_ids) and ``naming_words`` (``source, n_words``)."""
    hits = _find_variants(corpus.sentences, ref, corpus.tokens)
    g = hits.groupby(["variant", "source"], sort=False)
    counts = g.size().rename("count").reset_index()
    ex = _examples(hits, ["variant", "source"])
    counts = counts.merge(ex.rename(columns={"example_sent_ids": "ex"}), on=["variant", "source"], how="left") \
        if len(counts) else pd.DataFrame(columns=["variant", "source", "count", "ex"])
    tok = corpus.tokens
    words = tok[tok["is_word"].astype(bool)].groupby("source", observed=True).size().rename("n_words").reset_index()
    words["source"] = words["source"].astype(str)
    return {"naming_hits": counts, "naming_words": words}


def naming_choices_from_counts(parts: Sequence[Mapping[str, pd.DataFrame]], ref: pd.DataFrame,
                               sources: Sequence[str], labels: Mapping[str, str]) -> pd.DataFrame:
    """The reduce step of :func:`naming_choices`: the partitions' :func:`naming_counts` merged."""
    sources = list(sources)
    hits = _cat(parts, "naming_hits")
    if len(hits):
        g = hits.groupby(["variant", "source"], sort=False)
        merged = g["count"].sum().to_frame()
        merged["example_sent_ids"] = g["ex"].agg(lambda v: EXAMPLE_SEP.join(
            [x for s in v for x in str(s).split(EXAMPLE_SEP) if x][:_N_EXAMPLES]))
        merged = merged.reset_index()
    else:
        merged = pd.DataFrame(columns=["variant", "source", "count", "example_sent_ids"])
    grid = ref[["referent", "group", "variant"]].merge(pd.DataFrame({"source": sources}), how="cross")
    grid = grid.merge(merged[["variant", "source", "count"]], on=["variant", "source"], how="left")
    grid["count"] = grid["count"].fillna(0).astype(int)
    tot = grid.groupby(["referent", "source"], sort=False)["count"].transform("sum")
    grid["share"] = grid["count"] / tot.replace(0, np.nan)
    words = _cat(parts, "naming_words")
    nw = words.groupby("source")["n_words"].sum().reindex(sources) if len(words) else pd.Series(np.nan, index=sources)
    grid["per_1000_words"] = 1000.0 * grid["count"] / grid["source"].map(nw).replace(0, np.nan)
    grid = grid.merge(merged[["variant", "source", "example_sent_ids"]], on=["variant", "source"], how="left")
    grid["example_sent_ids"] = grid["example_sent_ids"].fillna("")
    grid.insert(4, "label", grid["source"].map(dict(labels)))
    return grid[["referent", "group", "variant", "source", "label", "count", "share", "per_1000_words", "example_sent_ids"]]


def naming_table(naming: pd.DataFrame, *, drop_empty: bool = True, labels: bool = True) -> pd.DataFrame:
    """Wide view of :func:`naming_choices`: one row per referent × variant, one count column per
    source (named by label), plus ``total``. ``drop_empty`` drops variants no source uses (the
    long table from :func:`naming_choices` keeps them, with zeros)."""
    col = "label" if labels else "source"
    order = list(pd.unique(naming[col]))
    wide = naming.pivot_table(index=["referent", "variant"], columns=col, values="count", aggfunc="sum", sort=False)
    wide = wide.reindex(columns=order).fillna(0).astype(int)
    wide["total"] = wide.sum(axis=1)
    if drop_empty:
        wide = wide[wide["total"] > 0]
    wide.columns.name = None
    return wide.reset_index()


def most_varied_referent(naming: pd.DataFrame) -> str | None:
    """The referent whose naming varies most: among referents mentioned by at least two sources
    (if any), the one named with the most different variants, ties broken by mentions (None if
    nothing is mentioned)."""
    used = naming[naming["count"] > 0]
    if used.empty:
        return None
    g = used.groupby("referent", sort=False).agg(
        n_variants=("variant", "nunique"), n=("count", "sum"), n_sources=("source", "nunique")
    )
    multi = g[g["n_sources"] >= 2]
    g = multi if not multi.empty else g
    return str(g.sort_values(["n_variants", "n"], ascending=False, kind="stable").index[0])


def variant_candidates(corpus: CorpusLike, *, min_count: int = 2, wide: bool = False) -> pd.DataFrame:
    """Naming variants found automatically (no table needed), for review — not proof of aliasing.

    Works on *proper-noun terms*: single (non-phrase, non-stopword) terms written with a capital
    initial somewhere other than the start of a sentence. Three cheap, general signals:

    * ``acronym``: a capitalized name followed by a parenthesized acronym of its initials,
      "Belt and Road Initiative (BRI)" → BRI (function words inside the name are skipped).
    * ``name part``: a proper-noun term that is the first or last word of a multi-word name term
      (phrase list or detected names), e.g. "Xi" ↔ "xi jinping", "Tokayev" ↔
      "kassym-jomart tokayev": the short form a source uses instead of the full name.
    * ``shared stem``: two proper-noun terms (≥ 4 letters) sharing their first 4 letters, e.g.
      "Kazakhstan" / "Kazakh", "China" / "Chinese"; stems shared by more than 6 words are
      skipped as too generic.

    Long form (default): ``name, variant, kind, source, label, name_count, count`` — per source,
    how often the full name and the variant (as a stand-alone term) occur. Only pairs whose
    variant occurs ≥ ``min_count`` times in the corpus. ``wide=True``: one row per
    ``name, variant, kind`` with one ``"variant/name"`` count column per source label.

    Computed as a map over the corpus's document partitions (:func:`variant_counts`: the
    acronyms defined, the name terms, the proper-noun terms and term counts; no text) and a
    reduce (:func:`variant_candidates_from_counts`).
    """
    return variant_candidates_from_counts([variant_counts(corpus)], _sources(corpus), _labels(corpus),
                                          min_count=min_count, wide=wide)


def variant_counts(corpus: CorpusLike) -> dict[str, pd.DataFrame]:
    """The map step of :func:`variant_candidates` on one partition: ``variant_acronyms``
    (``name, variant``: acronyms defined in the text), ``variant_names`` (multi-word name
    terms), ``variant_proper`` (proper-noun terms) and ``variant_terms`` (``term, source,
    count``)."""
    terms = corpus.terms
    tok = corpus.tokens
    # proper-noun terms: surface starts with a capital, not sentence-initial
    single = terms.loc[~terms["is_phrase"].astype(bool) & ~terms["is_stop"].astype(bool), ["sent_id", "source", "term", "start"]]
    surf = tok[["sent_id", "start", "token", "i"]]
    proper = single.merge(surf, on=["sent_id", "start"], how="inner")
    proper = proper[(proper["i"] > 0) & proper["token"].astype(str).str.match(r"^[A-Z]")]
    cand: list[tuple[str, str]] = []
    # acronyms defined in the text (loop over the few matches, not over tokens)
    sents = corpus.sentences
    text = pd.Series(sents["norm"].astype(str).to_numpy(dtype=object), index=sents.index)
    acr = text.str.extractall(r"((?:[A-Z][\w'-]*\s+(?:(?:and|of|for|the|de|&)\s+)*){1,8})\(([A-Z]{2,8})\)") \
        if len(text) else pd.DataFrame()
    for name, ac in set(map(tuple, acr.to_numpy().tolist())) if not acr.empty else ():
        words = name.split()
        for k in range(1, len(words) + 1):
            part = words[-k:]
            if part[0][0].isupper() and "".join(w[0] for w in part if w[0].isupper()) == ac:
                cand.append((" ".join(part).lower(), ac.lower()))
                break
    counts = terms.groupby(["term", "source"], sort=False, observed=True).size().rename("count").reset_index()
    return {"variant_acronyms": pd.DataFrame(sorted(set(cand)), columns=["name", "variant"]),
            "variant_names": pd.DataFrame({"term": terms.loc[terms["is_phrase"].astype(bool), "term"].astype(str).unique()}),
            "variant_proper": pd.DataFrame({"term": proper["term"].astype(str).unique()}),
            "variant_terms": pd.DataFrame({"term": counts["term"].astype(str).to_numpy(dtype=object),
                                           "source": counts["source"].astype(str).to_numpy(dtype=object),
                                           "count": counts["count"].to_numpy(dtype=np.int64)})}


def variant_candidates_from_counts(parts: Sequence[Mapping[str, pd.DataFrame]], sources: Sequence[str],
                                   labels: Mapping[str, str], *, min_count: int = 2, wide: bool = False) -> pd.DataFrame:
    """The reduce step of :func:`variant_candidates`: the partitions' :func:`variant_counts` merged."""
    m = VariantMatrix.of(parts, sources, min_count=min_count)
    return m.wide(labels) if wide else m.long(labels)


_VARIANT_COLUMNS = ["name", "variant", "kind", "source", "label", "name_count", "count"]


class VariantMatrix:
    """The variant candidates (``c``: ``name, variant, kind``, in the order of the tables) and, per
    candidate × source, how often the variant (``count``) and the full name (``name_count``) occur:
    what both tables of :func:`variant_candidates` show, built once (the reduce writes both)."""

    def __init__(self, c: pd.DataFrame, count: np.ndarray, name_count: np.ndarray, sources: Sequence[str]):
        self.c, self.count, self.name_count, self.sources = c, count, name_count, list(sources)

    @classmethod
    def of(cls, parts: Sequence[Mapping[str, pd.DataFrame]], sources: Sequence[str], *, min_count: int = 2
           ) -> "VariantMatrix":
        sources = list(sources)
        c = _variant_pairs(parts)
        if c is None:
            return cls(pd.DataFrame(columns=["name", "variant", "kind"]), np.zeros((0, len(sources)), np.int64),
                       np.zeros((0, len(sources)), np.int64), sources)
        # the counts of the candidates' terms only, per source, summed as the partitions come
        need = pd.Index(pd.unique(np.r_[c["name"].to_numpy(dtype=object), c["variant"].to_numpy(dtype=object)]))
        sidx = {src: i for i, src in enumerate(sources)}
        m = np.zeros((len(need), len(sources)), dtype=np.int64)
        for p in parts:
            f = p.get("variant_terms")
            if f is None or not len(f):
                continue
            t = need.get_indexer(pd.Index(f["term"]))
            u = f["source"].map(sidx).to_numpy(dtype=float, na_value=np.nan)
            ok = (t >= 0) & ~np.isnan(u)
            np.add.at(m, (t[ok], u[ok].astype(np.int64)), f["count"].to_numpy(dtype=np.int64)[ok])
        count, name_count = m[need.get_indexer(c["variant"])], m[need.get_indexer(c["name"])]  # candidates × sources
        keep = count.sum(axis=1) >= min_count
        kind_order = {"acronym": 0, "name part": 1, "shared stem": 2}
        c = c[keep].assign(_k=lambda d: d["kind"].map(kind_order), _row=np.flatnonzero(keep))
        c = c.sort_values(["_k", "name", "variant"], kind="stable")
        rows = c["_row"].to_numpy()
        return cls(c[["name", "variant", "kind"]].reset_index(drop=True), count[rows], name_count[rows], sources)

    def long(self, labels: Mapping[str, str]) -> pd.DataFrame:
        """One row per candidate × source (each candidate's sources in order), the repeated strings
        taken from Arrow arrays of the distinct ones (no Python string per row)."""
        import pyarrow as pa

        n_c, n_src = len(self.c), len(self.sources)
        if not n_c:
            return pd.DataFrame(columns=_VARIANT_COLUMNS)
        per_c = pa.array(np.repeat(np.arange(n_c, dtype=np.int32), n_src))
        per_s = pa.array(np.tile(np.arange(n_src, dtype=np.int32), n_c))

        def col(values, at):
            return pd.array(pa.array(list(values), pa.string()).take(at), dtype="str")

        return pd.DataFrame({"name": col(self.c["name"], per_c), "variant": col(self.c["variant"], per_c),
                             "kind": col(self.c["kind"], per_c), "source": col(self.sources, per_s),
                             "label": col([labels.get(x) for x in self.sources], per_s),
                             "name_count": self.name_count.ravel(), "count": self.count.ravel()},
                            columns=_VARIANT_COLUMNS)

    def wide(self, labels: Mapping[str, str]) -> pd.DataFrame:
        """One row per ``name, variant, kind``, one ``"variant/name"`` count column per source label."""
        out = self.c[["name", "variant", "kind"]].reset_index(drop=True)
        for j, src in enumerate(self.sources):
            out[labels[src]] = (pd.Series(self.count[:, j]).astype("str") + "/"
                                + pd.Series(self.name_count[:, j]).astype("str"))
        return out


def _variant_pairs(parts: Sequence[Mapping[str, pd.DataFrame]]) -> pd.DataFrame | None:
    """The candidate pairs ``name, variant, kind`` (distinct, a name never its own variant) from the
    partitions' acronyms, name terms and proper-noun terms; ``None`` when there are none."""
    cand: list[tuple[str, str, str]] = []
    acr = _cat(parts, "variant_acronyms")
    if len(acr):
        cand.extend(zip(acr["name"], acr["variant"], ["acronym"] * len(acr)))
    proper = _distinct(parts, "variant_proper", "term")
    proper_types = pd.Index(pd.unique(proper["term"]) if len(proper) else [])
    # parts of multi-word names used alone
    nm = _distinct(parts, "variant_names", "term")
    names = pd.Series(pd.unique(nm["term"]) if len(nm) else [], dtype=object)
    if len(names):
        split = names.str.split()
        ends = pd.DataFrame({"name": names, "first": split.str[0], "last": split.str[-1], "n": split.str.len()})
        ends = ends[ends["n"] >= 2]
        for col in ("first", "last"):
            hit = ends[ends[col].isin(proper_types)]
            cand.extend(zip(hit["name"], hit[col], ["name part"] * len(hit)))
    # shared stems among proper-noun terms
    pt = pd.Series(proper_types, dtype=object)
    pt = pt[(pt.str.len() >= 4) & ~pt.str.contains("-", regex=False)] if len(pt) else pt
    if len(pt):
        st = pd.DataFrame({"w": pt.to_numpy(), "stem": pt.str[:4].to_numpy()})
        st = st[st.groupby("stem")["w"].transform("size").between(2, 6)]
        pairs = st.merge(st, on="stem")
        pairs = pairs[pairs["w_x"] < pairs["w_y"]]
        cand.extend(zip(pairs["w_x"], pairs["w_y"], ["shared stem"] * len(pairs)))
    if not cand:
        return None
    c = pd.DataFrame(cand, columns=["name", "variant", "kind"]).drop_duplicates()
    return c[c["name"] != c["variant"]]


NAMING_PAIR_COLUMNS = ["term_a", "term_b", "similarity", "count_a", "count_b", "g2", "p", "by_source",
                       "shared_contexts", "example_sent_ids_a", "example_sent_ids_b"]


def _term_tags(corpus: CorpusLike) -> np.ndarray:
    """The Penn tag of each row of ``corpus.terms`` (its first token's; "" for none)."""
    tok = corpus.tokens
    tags = pos_tags(corpus)
    key = pd.MultiIndex.from_arrays([tok["sent_id"].astype(str), tok["start"].astype(np.int64)])
    lookup = pd.Series(np.asarray(tags, dtype=object), index=key)
    lookup = lookup[~lookup.index.duplicated()]
    t = corpus.terms
    want = pd.MultiIndex.from_arrays([t["sent_id"].astype(str), t["start"].astype(np.int64)])
    return lookup.reindex(want).fillna("").to_numpy(dtype=object)


def _multiword_units(corpus: CorpusLike, e: "_Encoded"):
    """Occurrences of multi-word *common-noun* terms: adjacent content-term pairs whose words are
    tagged adjective or common noun and whose last word is a noun ("climate crisis",
    "undocumented immigrants"); names (proper nouns) are the actor table's business.

    Returns (unit codes, unit strings, first term row, last term row) per occurrence."""
    rows, t1, t2 = e.bigrams()
    tags = _term_tags(corpus)
    common = np.isin(tags, ["JJ", "NN", "NNS", "VBG", "VBN"])
    noun = np.isin(tags, ["NN", "NNS"])
    ok = common[rows] & noun[rows + 1] & ~e.is_phrase[rows] & ~e.is_phrase[rows + 1]
    rows, t1, t2 = rows[ok], t1[ok], t2[ok]
    bi = np.char.add(np.char.add(e.vocab[t1].astype(str), " "), e.vocab[t2].astype(str)) if len(rows) else np.array([], dtype=str)
    strings = bi.astype(object)
    first = rows.astype(np.int64)
    last = (rows + 1).astype(np.int64)
    codes, uniq = pd.factorize(strings)
    return codes.astype(np.int64), np.asarray(uniq, dtype=object), first, last


def naming_pairs(corpus: CorpusLike, *, min_count: int = 3, min_similarity: float = 0.3, window: int = 20,
                 top: int | None = 20, max_units: int = 2000, weighting: str = "count",
                 max_p: float = 0.05) -> pd.DataFrame:
    """Ways the sources name the same thing, found in the corpus itself (no table).

    Candidates are multi-word common-noun terms (adjacent content words tagged adjective or
    noun, ending in a noun: "climate crisis", "undocumented immigrants", "vaccine mandate") used
    at least ``min_count`` times. Each is described by the content words (lemmas) within
    ``window`` words of it in the same sentence (``weighting="count"``: raw co-occurrence counts,
    robust on a few dozen articles; ``"ppmi"``: positive pointwise mutual information, Church &
    Hanks 1990, Bullinaria & Levy 2007, better on thousands); two terms are *near-synonymous
    candidates* when the cosine of their context vectors is at least ``min_similarity`` — they
    occur in the same contexts (the distributional hypothesis, Harris 1954) — they do not
    overlap in the text and they rarely share a sentence (names for one thing substitute for
    each other).

    Their use across sources is compared with Dunning's G² on the 2 × sources table of counts
    (``g2``, ``p`` from χ² with sources − 1 df): a high G² means the sources choose between the
    two names ("climate crisis" in one outlet, "climate change" in another). Pairs with
    ``p <= max_p`` are ranked by G², each term in at most one pair, the first ``top`` kept.

    Returns :data:`NAMING_PAIR_COLUMNS`: ``by_source`` reads "source a/b; …" (counts of each
    term), ``shared_contexts`` the context words that weigh most in both, and the example
    sent_ids of each term. Caveats: distributional similarity on a small corpus is noisy and
    also pairs *related* terms (antonyms, co-hyponyms: "vaccine mandate" and "vaccine
    exemption"); read the example sentences before treating a pair as two names for one thing.
    ``max_units``: only the most frequent multi-word terms are compared (bounded memory).

    Computed as a map over the corpus's document partitions (:func:`naming_pair_counts`: unit,
    context and co-occurrence counts, no text) and a reduce (:func:`naming_pairs_from_counts`).
    """
    return naming_pairs_from_counts([naming_pair_counts(corpus, window=window)], _sources(corpus), _labels(corpus),
                                    min_count=min_count, min_similarity=min_similarity, top=top,
                                    max_units=max_units, weighting=weighting, max_p=max_p)


def naming_pair_counts(corpus: CorpusLike, *, window: int = 20) -> dict[str, pd.DataFrame]:
    """The map step of :func:`naming_pairs` on one partition (text-free, mergeable):
    ``naming_units`` (each multi-word common-noun term in order of first occurrence: ``unit,
    count, n_sentences, ex`` — its first sent_ids), ``naming_by_source`` (``unit, source,
    count``), ``naming_contexts`` (``unit, lemma, count``: context lemmas within ``window``
    terms), ``naming_together`` (``unit_a, unit_b, n``: sentences holding both) and
    ``naming_lemmas`` (every lemma, in order of first occurrence: the column order of the
    context matrix)."""
    out = {"naming_units": pd.DataFrame(columns=["unit", "count", "n_sentences", "ex"]),
           "naming_by_source": pd.DataFrame(columns=["unit", "source", "count"]),
           "naming_contexts": pd.DataFrame(columns=["unit", "lemma", "count"]),
           "naming_together": pd.DataFrame(columns=["unit_a", "unit_b", "n"]),
           "naming_lemmas": pd.DataFrame(columns=["lemma"])}
    if corpus.terms.empty:
        return out
    e = _Encoded(corpus)
    lem = _Encoded(corpus, unit="lemma")
    out["naming_lemmas"] = pd.DataFrame({"lemma": lem.vocab})
    u, units, f, l = _multiword_units(corpus, e)
    if not len(u):
        return out
    U = len(units)
    counts = np.bincount(u, minlength=U)
    us = _unique(u * (len(e.sent_ids) + 1) + e.sent[f])  # (unit, sentence) pairs, sorted
    su, ss = us // (len(e.sent_ids) + 1), us % (len(e.sent_ids) + 1)
    n_sent = np.bincount(su, minlength=U)
    _nd, ex = _group_evidence(u, e.doc[f], e.sent[f], np.arange(U, dtype=np.int64), e.sent_ids)
    out["naming_units"] = pd.DataFrame({"unit": units.astype(str).astype(object), "count": counts.astype(np.int64),
                                        "n_sentences": n_sent.astype(np.int64), "ex": ex})
    src = e.src[f]
    ok = src >= 0
    S = max(len(e.sources), 1)
    bk, bn = _unique(u[ok] * S + src[ok], return_counts=True)
    out["naming_by_source"] = pd.DataFrame({"unit": pd.Categorical(units[bk // S].astype(str)),
                                            "source": pd.Categorical(np.asarray(e.sources, dtype=object)[bk % S]),
                                            "count": bn.astype(np.int32)})
    # context words: content lemmas within `window` terms, same sentence, outside the unit
    n = len(e.term)
    ctx_u, ctx_w = [], []
    for d in range(1, window + 1):
        for base, j in ((f, f - d), (l, l + d)):
            okj = (j >= 0) & (j < n)
            jj = np.where(okj, j, 0)
            okj &= (e.sent[jj] == e.sent[base]) & ~e.is_stop[jj]
            ctx_u.append(u[okj])
            ctx_w.append(lem.term[jj[okj]])
    cu, cw = np.concatenate(ctx_u), np.concatenate(ctx_w)
    W = max(len(lem.vocab), 1)
    ck, cn = _unique(cu * W + cw, return_counts=True)
    unit_cats = pd.Index(units.astype(str), dtype=object)
    out["naming_contexts"] = pd.DataFrame({"unit": pd.Categorical.from_codes(ck // W, categories=unit_cats),
                                           "lemma": pd.Categorical.from_codes(ck % W, categories=pd.Index(lem.vocab)),
                                           "count": cn.astype(np.int32)})
    # sentences holding two units: the pairs of distinct units of each sentence
    order = np.lexsort((su, ss))
    s_sorted, u_sorted = ss[order], su[order]
    a_list, b_list = [], []
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(s_sorted)])
    for k in range(2, int(sizes.max()) + 1 if len(sizes) else 0):  # a loop over group sizes, not sentences
        grp = starts[sizes == k]
        if not len(grp):
            continue
        members = u_sorted[grp[:, None] + np.arange(k)]
        for i in range(k):
            for j in range(i + 1, k):
                a_list.append(members[:, i])
                b_list.append(members[:, j])
    if a_list:
        a, b = np.concatenate(a_list), np.concatenate(b_list)
        na, nb = units[a].astype(str), units[b].astype(str)
        lo, hi = np.where(na < nb, na, nb), np.where(na < nb, nb, na)
        tog = pd.DataFrame({"unit_a": lo.astype(object), "unit_b": hi.astype(object)})
        tog = tog.groupby(["unit_a", "unit_b"], sort=False).size().rename("n").reset_index()
        out["naming_together"] = tog.astype({"unit_a": "category", "unit_b": "category", "n": np.int32})
    return out


def _distinct(parts: Sequence[Mapping[str, pd.DataFrame]], key: str, column: str) -> pd.DataFrame:
    """One partial of every partition, each ``column`` value once in order of first appearance,
    folded as the partitions come (not every partition's rows at once)."""
    out = fold((p[key] for p in parts if key in p),
               lambda pieces: pd.concat(pieces, ignore_index=True).drop_duplicates(column).reset_index(drop=True))
    return out if out is not None else pd.DataFrame()


def _cat(parts: Sequence[Mapping[str, pd.DataFrame]], key: str) -> pd.DataFrame:
    frames = [p[key] for p in parts if key in p and len(p[key])]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _kept_rows(parts: Sequence[Mapping[str, pd.DataFrame]], key: str, column: str, kept: pd.Index | None, *,
               by: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
    """One partial's rows whose ``column`` is in ``kept`` (``None``: every row), categories made plain
    values, summed per ``by`` (columns ``sums``; groups in order of first appearance), folded as
    the partitions come: the reduce holds the distinct groups, not every partition's rows."""
    def rows():
        for p in parts:
            f = p.get(key)
            if f is None or not len(f):
                continue
            if kept is not None:
                f = f[f[column].isin(kept).to_numpy(dtype=bool)]
            yield f.astype({c: object for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)})

    out = fold(rows(), lambda pieces: pd.concat(pieces, ignore_index=True).groupby(list(by), sort=False)[
        list(sums)].sum().reset_index())
    return out if out is not None else pd.DataFrame()


def _first_ids(cells_by_partition, n_keys: int) -> np.ndarray:
    """The first :data:`_N_EXAMPLES` example ids (corpus order) of each of ``n_keys`` keys, joined:
    ``cells_by_partition`` yields, partition by partition in corpus order, each row's key (its
    position among the keys, -1 for none) and its ``ex`` cell. A key's cells are read only until it
    has its ids, and no partition is read once every key has them (the generator is not advanced),
    so the reduce never holds every row's ids."""
    got: list[list[str]] = [[] for _ in range(n_keys)]
    short = np.ones(n_keys, dtype=bool)
    for at, ex in cells_by_partition if n_keys else ():
        mine = np.flatnonzero(at >= 0)
        mine = mine[short[at[mine]]]
        for k, cell in zip(at[mine].tolist(), ex[mine].tolist()):
            have = got[k]
            if len(have) < _N_EXAMPLES:
                have.extend(x for x in str(cell).split(EXAMPLE_SEP) if x)
                if len(have) >= _N_EXAMPLES:
                    short[k] = False
        if not short.any():
            break
    return np.array([EXAMPLE_SEP.join(g[:_N_EXAMPLES]) for g in got], dtype=object)


def naming_pairs_from_counts(parts: Sequence[Mapping[str, pd.DataFrame]], sources: Sequence[str],
                             labels: Mapping[str, str], *, min_count: int = 3, min_similarity: float = 0.3,
                             top: int | None = 20, max_units: int = 2000, weighting: str = "count",
                             max_p: float = 0.05) -> pd.DataFrame:
    """The reduce step of :func:`naming_pairs`: the partitions' :func:`naming_pair_counts` (in
    corpus order) merged, then compared."""
    cols = NAMING_PAIR_COLUMNS
    ut = _kept_rows(parts, "naming_units", "unit", None, by=["unit"], sums=["count", "n_sentences"])
    if not len(ut):
        return pd.DataFrame(columns=cols)
    counts = ut["count"].to_numpy(dtype=np.int64)  # units in order of first occurrence in the corpus
    n_sent = ut["n_sentences"].to_numpy(dtype=np.int64)
    units = ut["unit"].to_numpy(dtype=object)
    keep = np.flatnonzero(counts >= min_count)
    if len(keep) < 2:
        return pd.DataFrame(columns=cols)
    keep = keep[np.argsort(-counts[keep], kind="stable")][:max_units]
    names = units[keep].astype(str)
    kidx = pd.Series(np.arange(len(keep)), index=names)
    lemmas = _distinct(parts, "naming_lemmas", "lemma")
    lemmas = pd.unique(lemmas["lemma"].astype(str).to_numpy(dtype=object)) if len(lemmas) else np.array([], dtype=object)
    ctx = _kept_rows(parts, "naming_contexts", "unit", kidx.index, by=["unit", "lemma"], sums=["count"])
    if not len(ctx):
        return pd.DataFrame(columns=cols)
    ppmi, sim = _context_similarity(ctx, kidx, lemmas, weighting=weighting)
    cand = _naming_candidates(parts, names, kidx, sim, n_sent[keep], min_similarity=min_similarity)
    if not cand:
        return pd.DataFrame(columns=cols)
    sources = list(sources)
    by = _unit_counts_by_source(parts, kidx, sources)
    chosen = _choose_pairs(_g2_ranked(cand, by, sim), max_p=max_p, top=top)
    shown = pd.Index(list(dict.fromkeys(names[k] for a, b, *_ in chosen for k in (a, b))))
    ex_of = pd.Series(_first_ids(_unit_cells(parts, shown), len(shown)), index=shown)
    wv = ppmi.toarray() if ppmi.shape[0] * ppmi.shape[1] <= 5_000_000 else None
    out = []
    for a, b, s, g2v, p in chosen:
        if wv is not None:
            both = np.minimum(wv[a], wv[b])
            shared = [str(lemmas[k]) for k in np.argsort(-both)[:5] if both[k] > 0]
        else:
            shared = []
        by_src = "; ".join(f"{labels.get(sources[k], sources[k])} {by[a, k]}/{by[b, k]}" for k in range(len(sources))
                           if by[a, k] or by[b, k])
        out.append({"term_a": names[a], "term_b": names[b], "similarity": s, "count_a": int(counts[keep[a]]),
                    "count_b": int(counts[keep[b]]), "g2": g2v, "p": p, "by_source": by_src,
                    "shared_contexts": ", ".join(shared), "example_sent_ids_a": ex_of[names[a]],
                    "example_sent_ids_b": ex_of[names[b]]})
    return pd.DataFrame(out, columns=cols)


def _unit_cells(parts, shown: pd.Index):
    """For :func:`_first_ids`: each partition's ``naming_units`` rows as units ``shown`` and example cells."""
    for p in parts:
        f = p.get("naming_units")
        if f is not None and len(f):
            yield shown.get_indexer(f["unit"].astype(object).to_numpy(dtype=object)), f["ex"].to_numpy(dtype=object)


def _context_similarity(ctx: pd.DataFrame, kidx: pd.Series, lemmas, *, weighting: str):
    """The units × context-lemma matrix of :func:`naming_pairs_from_counts` (raw counts, or PPMI
    with ``weighting="ppmi"``) and the units' cosine similarity (diagonal 0)."""
    from scipy import sparse  # scipy loads when first used (a light import)
    U, W = len(kidx), len(lemmas)
    widx = pd.Series(np.arange(W), index=lemmas)
    m = sparse.csr_matrix((ctx["count"].to_numpy(dtype=float),
                           (kidx.reindex(ctx["unit"]).to_numpy(dtype=np.int64),
                            widx.reindex(ctx["lemma"].astype(str)).to_numpy(dtype=np.int64))), shape=(U, W))
    m.sum_duplicates()
    # PPMI
    total = m.sum()
    rs = np.asarray(m.sum(axis=1)).ravel()
    cs = np.asarray(m.sum(axis=0)).ravel()
    coo = m.tocoo()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(coo.data * total / (rs[coo.row] * cs[coo.col]))
    pmi = np.where(pmi > 0, pmi, 0.0)
    ppmi = sparse.csr_matrix((pmi if weighting == "ppmi" else coo.data, (coo.row, coo.col)), shape=(U, W))
    ppmi.eliminate_zeros()
    sim = _cosine_matrix(ppmi)
    np.fill_diagonal(sim, 0.0)
    return ppmi, sim


def _naming_candidates(parts, names, kidx: pd.Series, sim: np.ndarray, n_kept: np.ndarray, *,
                       min_similarity: float) -> list[tuple[int, int]]:
    """Pairs of units used in similar contexts that may name the same thing: not overlapping in the
    text, not one inside the other, and not mostly in the same sentences."""
    words = [set(x.split()) for x in names]
    # overlapping in the text ("climate change" / "change policy") is not naming the same thing
    firsts = [x.split()[0] for x in names]
    lasts = [x.split()[-1] for x in names]
    ia, ib = np.nonzero(np.triu(sim >= min_similarity, k=1))
    tog = _kept_rows(parts, "naming_together", "unit_a", kidx.index, by=["unit_a", "unit_b"], sums=["n"])
    tog = tog[tog["unit_b"].isin(kidx.index)] if len(tog) else tog
    together = dict(zip(zip(tog["unit_a"], tog["unit_b"]), tog["n"])) if len(tog) else {}  # summed per pair
    cand = []
    for a, b in zip(ia.tolist(), ib.tolist()):
        if lasts[a] == firsts[b] or lasts[b] == firsts[a] or words[a] >= words[b] or words[b] >= words[a]:
            continue
        both = together.get((min(names[a], names[b]), max(names[a], names[b])), 0)
        if both * 2 > min(n_kept[a], n_kept[b]):
            continue  # mostly in the same sentences: used together, not instead of each other
        cand.append((a, b))
    return cand


def _unit_counts_by_source(parts, kidx: pd.Series, sources: list) -> np.ndarray:
    """Occurrences of each compared unit (rows, as in ``kidx``) in each source (columns)."""
    by = np.zeros((len(kidx), len(sources)), dtype=np.int64)
    bs = _kept_rows(parts, "naming_by_source", "unit", kidx.index, by=["unit", "source"], sums=["count"])
    if len(bs):
        sidx = {s: i for i, s in enumerate(sources)}
        bs = bs[bs["unit"].isin(kidx.index) & bs["source"].isin(sidx)]
        np.add.at(by, (kidx.reindex(bs["unit"]).to_numpy(dtype=np.int64), bs["source"].map(sidx).to_numpy(dtype=np.int64)),
                  bs["count"].to_numpy(dtype=np.int64))
    return by


def _g2_ranked(cand: list[tuple[int, int]], by: np.ndarray, sim: np.ndarray) -> list[tuple]:
    """``(a, b, similarity, G², p)`` per candidate pair, the sources' choice between the two terms
    tested with the G² log-likelihood ratio (Dunning 1993); strongest difference first."""
    from scipy.special import xlogy  # scipy loads when first used (a light import)
    from scipy.stats import chi2 as _chi2

    g2s, dfs = np.zeros(len(cand)), np.zeros(len(cand), dtype=np.int64)
    for i, (a, b) in enumerate(cand):
        t = np.vstack([by[a], by[b]]).astype(float)
        t = t[:, t.sum(axis=0) > 0]
        if t.shape[1] >= 2:
            exp = t.sum(axis=1, keepdims=True) * t.sum(axis=0, keepdims=True) / t.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                g2s[i] = float(2.0 * np.nansum(xlogy(t, t / exp)))
            dfs[i] = t.shape[1] - 1
    ps = np.ones(len(cand))
    tested = dfs > 0
    if tested.any():  # one call for every pair: scipy's sf costs ~0.1 ms a call
        ps[tested] = _chi2.sf(g2s[tested], dfs[tested])
    rows = [(a, b, float(sim[a, b]), float(g2v), float(p)) for (a, b), g2v, p in zip(cand, g2s, ps)]
    rows.sort(key=lambda r: (-r[3], -r[2]))
    return rows


def _choose_pairs(rows: list[tuple], *, max_p: float, top: int | None) -> list[tuple]:
    """The ranked pairs with ``p <= max_p``, each unit in one pair at most, the first ``top``."""
    used: set[int] = set()
    chosen = []
    for a, b, s, g2v, p in rows:
        if a in used or b in used or p > max_p:
            continue
        used.update((a, b))
        chosen.append((a, b, s, g2v, p))
        if top is not None and len(chosen) >= top:
            break
    return chosen


def discovered_referents(pairs: pd.DataFrame) -> pd.DataFrame:
    """Naming pairs from :func:`naming_pairs` as a referent table (``referent`` = "a / b",
    ``group`` = "found in the corpus"), for :func:`naming_choices`."""
    rows = []
    for a, b in zip(pairs["term_a"], pairs["term_b"]):
        name = f"{a} / {b}"
        for v in (a, b):
            rows.append({"referent": name, "group": "found in the corpus", "variant": v, "case_sensitive": False})
    return pd.DataFrame(rows, columns=["referent", "group", "variant", "case_sensitive"])


# ---------------------------------------------------------------------------------------------
# Collocations and concordances
# ---------------------------------------------------------------------------------------------


def collocations(corpus: CorpusLike, *, min_count: int = 3, by_source: bool = True, top: int | None = None) -> pd.DataFrame:
    """Collocations: adjacent content-term pairs scored by PMI and log-likelihood.

    Pairs are two consecutive content terms of one sentence with no punctuation or stopword
    between them (the bigram rule of :func:`distinctive_terms`). For each pair x y, with bigram
    marginals n(x·) (x first), n(·y) (y second) and N bigrams (per source if ``by_source``,
    else pooled over the corpus):

    * ``pmi`` = log2(n(xy)·N / (n(x·)·n(·y))) (Church & Hanks 1990): how much more often the
      pair occurs than chance; inflated for rare pairs, hence ``min_count``.
    * ``llr``: Dunning's (1993) G² for the 2×2 table [[n(xy), n(x·)−n(xy)], [n(·y)−n(xy),
      N−n(x·)−n(·y)+n(xy)]]: evidence that the pair is not chance (≥ 10.83 ↔ p < .001).

    Returns ``source, label, collocation, w1, w2, count, pmi, llr, n_docs, example_sent_ids``
    (``source='all'`` when pooled), pairs with ``count >= min_count``, sorted by llr within
    source; ``top`` keeps the best ``top`` per source.

    Computed as a map over the corpus's document partitions (:func:`collocation_counts`: pair
    counts per source, without text) and a reduce (:func:`collocations_from_counts`), the path
    the lens store runs on every partition; here the whole corpus is one partition.
    """
    counts = collocation_counts(corpus, by_source=by_source)
    return collocations_from_counts([counts], _sources(corpus) if by_source else ["all"],
                                    _labels(corpus) if by_source else {"all": "all sources"},
                                    min_count=min_count, top=top)


COLLOCATION_COLUMNS = ["source", "label", "collocation", "w1", "w2", "count", "pmi", "llr", "n_docs", "example_sent_ids"]


def collocation_counts(corpus: CorpusLike, *, by_source: bool = True) -> pd.DataFrame:
    """The map step of :func:`collocations` on one partition: ``source, w1, w2, count, n_docs,
    ex`` per source (``"all"`` when not ``by_source``) × adjacent content-term pair, rows in the
    order of each pair's first occurrence; ``ex``: the pair's first sent_ids (corpus order)."""
    cols = ["source", "w1", "w2", "count", "n_docs", "ex"]
    if corpus.terms.empty:
        return pd.DataFrame(columns=cols)
    e = _Encoded(corpus)
    rows, t1, t2 = e.bigrams()
    src = e.src[rows] if by_source else np.zeros(len(rows), dtype=np.int64)
    okr = src >= 0
    rows, t1, t2, src = rows[okr], t1[okr], t2[okr], src[okr]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    V = len(e.vocab)
    S = len(e.sources) if by_source else 1
    pcode, pairs = pd.factorize(t1 * V + t2)  # pairs in order of first occurrence
    pcode = pcode.astype(np.int64)
    pairs = np.asarray(pairs, dtype=np.int64)
    key = pcode * S + src  # sorted: by first occurrence of the pair, then source
    uk, cnt = _unique(key, return_counts=True)
    n_docs, ex = _group_evidence(key, e.doc[rows], e.sent[rows], uk, e.sent_ids)
    p, s = uk // S, uk % S
    names = np.asarray(e.sources, dtype=object) if by_source else np.array(["all"], dtype=object)
    return pd.DataFrame({"source": pd.Categorical.from_codes(s, categories=pd.Index(names)),
                         "w1": pd.Categorical(e.vocab[pairs[p] // V]), "w2": pd.Categorical(e.vocab[pairs[p] % V]),
                         "count": cnt.astype(np.int32), "n_docs": n_docs.astype(np.int32), "ex": ex})



def collocations_from_counts(parts: Sequence[pd.DataFrame], sources: Sequence[str], labels: Mapping[str, str], *,
                             min_count: int = 3, top: int | None = None) -> pd.DataFrame:
    """The reduce step of :func:`collocations`: the partitions' :func:`collocation_counts` (in
    corpus order) summed, then scored. ``sources``: the units in order (``["all"]`` pooled).
    Words become integer codes partition by partition; the examples are read in a second pass over
    ``parts`` (a sequence read twice: :class:`framelens.tables.mapreduce.PartialTables` reads a
    spilled partition's table at each access), only for the pairs kept, so the reduce never holds
    every row's example ids."""
    cols = COLLOCATION_COLUMNS
    sidx = {s: i for i, s in enumerate(sources)}
    S = len(sources)
    words = pd.Index([], dtype=object)
    W = np.int64(1 << 31)  # a pair of word codes as one number: w1 * W + w2

    def counted(f):  # a partition's rows of the units compared
        src = f["source"].astype(object).map(sidx)
        ok = src.notna().to_numpy()
        return f[ok], src[ok].to_numpy(dtype=np.int64)

    def coded():  # the counts first: the examples only of the pairs kept (second pass)
        nonlocal words
        at = 0  # each row's ordinal in the corpus's rows: where a (unit, pair) first appears
        for f in parts:
            if not len(f):
                continue
            f, src = counted(f)
            if not len(f):
                continue
            w1, words = grow_codes(f["w1"], words)
            w2, words = grow_codes(f["w2"], words)
            yield (src, w1 * W + w2, f["count"].to_numpy(np.int64), f["n_docs"].to_numpy(np.int64),
                   np.arange(at, at + len(f), dtype=np.int64))
            at += len(f)

    m = fold(coded(), _merge_pair_counts, size=lambda t: len(t[0]))
    if m is None:
        return pd.DataFrame(columns=cols)
    s, pair, cnt, n_docs, first = m  # sorted by pair, then unit
    del m
    # pairs ranked by their first occurrence in the corpus; rows by unit, then that rank
    new_pair = np.r_[True, pair[1:] != pair[:-1]]
    starts = np.flatnonzero(new_pair)
    rank = np.empty(len(starts), dtype=np.int64)
    rank[np.argsort(np.minimum.reduceat(first, starts), kind="stable")] = np.arange(len(starts))
    del first
    P = len(starts)
    order = np.argsort(s * P + np.repeat(rank, np.diff(np.r_[starts, len(pair)])), kind="stable")
    del new_pair, starts, rank
    s, pair, cnt, n_docs = s[order], pair[order], cnt[order], n_docs[order]
    del order
    w1c, w2c = pair // W, pair % W
    nw = np.int64(max(len(words), 1))
    nx = _group_sums(s * nw + w1c, cnt)  # the unit's count of pairs starting with w1
    ny = _group_sums(s * nw + w2c, cnt)
    nn = np.bincount(s, weights=cnt, minlength=S)[s].astype(float)
    kept = cnt >= min_count  # scored on every pair's margins, kept from here on
    s, pair, cnt, n_docs, w1c, w2c, nx, ny, nn = (v[kept] for v in (s, pair, cnt, n_docs, w1c, w2c, nx, ny, nn))
    a = cnt.astype(float)
    out = pd.DataFrame({"s": s, "g": np.arange(len(s)), "w1c": w1c, "w2c": w2c, "count": cnt, "n_docs": n_docs})
    out["pmi"] = np.log2(a * nn / (nx * ny))
    out["llr"] = g2(a, nx - a, ny - a, nn - nx - ny + a)
    out = out.sort_values(["s", "llr", "count"], ascending=[True, False, False], kind="stable")
    if top is not None:
        out = out[out.groupby("s", sort=False).cumcount() < top]
    out = out.copy()
    g = out["g"].to_numpy()
    need = pd.MultiIndex.from_arrays([s[g], pair[g]])
    ex = _kept_examples(parts, counted, need, words, W) if len(g) else pd.Series(dtype=object)
    out["example_sent_ids"] = ex.reindex(np.arange(len(g))).to_numpy(dtype=object)
    vocab = np.asarray(words, dtype=object)
    out["w1"] = vocab[out["w1c"].to_numpy()] if len(out) else np.array([], dtype=object)
    out["w2"] = vocab[out["w2c"].to_numpy()] if len(out) else np.array([], dtype=object)
    out["collocation"] = out["w1"] + " " + out["w2"]
    names = np.asarray(list(sources), dtype=object)
    out["source"] = names[out["s"].to_numpy()] if len(out) else np.array([], dtype=object)
    out["label"] = out["source"].map(dict(labels))
    return out[cols].reset_index(drop=True)


def _merge_pair_counts(pieces: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """Rows ``(unit, pair, count, n_docs, first)`` summed per (unit, pair) (``first``: the least),
    sorted by pair, then unit: the fold of :func:`collocations_from_counts` (integer keys only)."""
    s, pair, cnt, nd, first = (np.concatenate([p[k] for p in pieces]) for k in range(5))
    order = np.lexsort((s, pair))
    s, pair = s[order], pair[order]
    starts = np.flatnonzero(np.r_[True, (pair[1:] != pair[:-1]) | (s[1:] != s[:-1])])
    return (s[starts], pair[starts], np.add.reduceat(cnt[order], starts), np.add.reduceat(nd[order], starts),
            np.minimum.reduceat(first[order], starts))


def _group_sums(key: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each row's total of ``values`` over the rows of its ``key`` (a groupby transform, one sort)."""
    _, inv = np.unique(key, return_inverse=True)
    return np.bincount(inv.reshape(-1), weights=values)[inv.reshape(-1)].astype(float)


def _kept_examples(parts: Sequence[pd.DataFrame], counted, need: pd.MultiIndex, words: pd.Index, W) -> pd.Series:
    """The first three example ids (corpus order) of each ``(unit, pair)`` of ``need`` (pair: word codes
    ``w1 * W + w2`` in ``words``), indexed by its position in ``need``: read partition by partition
    from the ``ex`` cells of the partitions' tables ``parts`` (each restricted by ``counted``)."""
    def cells():
        for f in parts:
            f, src = counted(f)
            if len(f):
                w1, w2 = (words.get_indexer(f[c].astype(str).to_numpy(dtype=object)).astype(np.int64) for c in ("w1", "w2"))
                yield need.get_indexer(pd.MultiIndex.from_arrays([src, w1 * W + w2])), f["ex"].to_numpy(dtype=object)

    return pd.Series(_first_ids(cells(), len(need)))


def kwic_terms(distinctive: pd.DataFrame, *, per_source: int = 2, kinds: Sequence[str] = ("word", "phrase")) -> list[str]:
    """Default concordance terms: each source's ``per_source`` most distinctive terms (highest
    log-odds z among positive ones, :func:`distinctive_terms`), in source order, without
    repeats — so the concordance shows the words that set each source apart, whatever the topic."""
    d = distinctive[distinctive["kind"].isin(list(kinds)) & (distinctive["z"] > 0)] if "kind" in distinctive.columns \
        else distinctive[distinctive["z"] > 0]
    out: list[str] = []
    for _src, g in d.groupby("source", sort=False):
        for term in g.sort_values("z", ascending=False, kind="stable")["term"].head(per_source):
            if term not in out:
                out.append(str(term))
    return out


def _term_regex(term: str) -> str:
    words = _plain(term).split()
    body = r"\s+".join(re.escape(w) for w in words)
    body = body.replace(r"\-", r"[-\u2013\u2014]")
    return r"(?<![\w])" + body + r"(?![\w])"


#: non-ASCII letters that Python's case-insensitive ``re`` matches to an ASCII letter (besides the
#: Kelvin sign, which ``str.lower`` maps already): folded so a literal pre-test never misses a match
_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s"}


def _kwic_key(term: str, case_sensitive: bool = False) -> str | None:
    """A literal that every case-insensitive match of ``term``'s concordance pattern
    (:func:`_term_regex`) contains, in the lower case of a sentence folded with :data:`_FOLD`:
    the longest dash-free piece of its words when it is plain ASCII (else ``None``: no pre-test).
    A sentence without it cannot match, so only the others are searched with the pattern."""
    pieces = [p for w in _plain(term).split() for p in w.split("-") if p]
    if not pieces:
        return None
    key = max(pieces, key=len)
    if case_sensitive:
        return key
    return key.lower() if key.isascii() else None


def kwic(corpus: CorpusLike | Iterable[CorpusLike], terms: str | Sequence[str], *, width: int = 60,
         case_sensitive: bool = False, per_source: int | None = None) -> pd.DataFrame:
    """Keyword-in-context concordance bounded by the sentence.

    Each whole-word (or whole-phrase) occurrence of each of ``terms`` in the body sentences gives
    one line: ``term, source, label, doc_id, sent_id, left, match, right, start, end`` where
    ``left``/``right`` are at most ``width`` characters of the same sentence (never crossing into
    the next; a cut is marked with "…"), ``match`` is the text as written, and ``start``/``end``
    are character offsets in the sentence text. Matching ignores case (unless
    ``case_sensitive``) and treats curly/straight quotes and dashes alike; a possessive
    ("China's") matches "China". Lines are in corpus order.

    ``corpus`` may also be the corpus in parts (e.g. :meth:`framelens.store.lens_store.LensStore.text_parts`,
    one stored partition at a time): the lines of each part, in order, so only one part's text is
    in memory. ``per_source``: keep at most this many lines per term and source (the first in
    corpus order), so the table stays readable and bounded at any corpus size.
    """
    if isinstance(terms, str):
        terms = [terms]
    cols = ["term", "source", "label", "doc_id", "sent_id", "left", "match", "right", "start", "end"]
    terms = [t for t in terms if str(t).strip()]
    if not terms:
        return pd.DataFrame(columns=cols)
    if not hasattr(corpus, "sentences"):  # the corpus in parts: the same concordance, part by part
        out, seen = [], {}
        for part in corpus:
            lines = kwic(part, terms, width=width, case_sensitive=case_sensitive)
            if per_source is not None and len(lines):
                rank = lines.groupby(["term", "source"], sort=False).cumcount() + \
                    lines.set_index(["term", "source"]).index.map(lambda k: seen.get(k, 0)).to_numpy()
                lines = lines[rank.to_numpy() < per_source]
                for k, n in lines.groupby(["term", "source"], sort=False).size().items():
                    seen[k] = seen.get(k, 0) + int(n)
            out.append(lines)
        out = [o for o in out if len(o)]
        if not out:
            return pd.DataFrame(columns=cols)
        out = pd.concat(out, ignore_index=True)  # term by term (as on the whole), parts in corpus order
        order = out["term"].map({t: i for i, t in enumerate(terms)}).to_numpy()
        return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    sents = corpus.sentences
    norm = pd.Series((sents["norm"] if "norm" in sents.columns else sents["text"].map(_plain)).astype(str).to_numpy(dtype=object), index=sents.index)
    labels = _labels(corpus)
    flags = 0 if case_sensitive else re.IGNORECASE
    rows = []
    folded = None
    for term in terms:
        rx = re.compile(_term_regex(term), flags)
        key = _kwic_key(term, case_sensitive)  # a literal every match holds: only those sentences are searched
        if key is None:
            has = norm.str.contains(rx, regex=True).to_numpy(dtype=bool)
        else:
            if folded is None:
                folded = norm.tolist() if case_sensitive else [str(t).translate(_FOLD).lower() for t in norm.tolist()]
            has = np.fromiter((key in f for f in folded), dtype=bool, count=len(folded))
            if has.any():
                has[has] = norm[has].str.contains(rx, regex=True).to_numpy(dtype=bool)
        has = pd.Series(has, index=norm.index)
        sub = sents[has.to_numpy(dtype=bool)]
        for sid, did, src, txt, nm in zip(sub["sent_id"], sub["doc_id"], sub["source"], sub["text"].astype(str), norm[has.to_numpy(dtype=bool)]):
            for mm in rx.finditer(nm):
                s, e = mm.span()
                lo, hi = max(0, s - width), min(len(txt), e + width)
                left = txt[lo:s]
                right = txt[e:hi]
                rows.append(
                    {
                        "term": term, "source": src, "label": labels.get(src, src), "doc_id": did, "sent_id": sid,
                        "left": ("…" if lo > 0 else "") + left, "match": txt[s:e],
                        "right": right + ("…" if hi < len(txt) else ""), "start": s, "end": e,
                    }
                )
    out = pd.DataFrame(rows, columns=cols)
    if per_source is not None and len(out):
        out = out[out.groupby(["term", "source"], sort=False).cumcount().to_numpy() < per_source].reset_index(drop=True)
    return out


# ---------------------------------------------------------------------------------------------
# Headline
# ---------------------------------------------------------------------------------------------


def headline(tables: Mapping[str, pd.DataFrame], *, corpus=None) -> str:
    """One sentence summing up the lens, written from the vocabulary tables (the lens store's
    ``vocabulary`` part, or any mapping with ``size_style`` (:func:`size_and_style`),
    ``distinctive`` (:func:`distinctive_terms`) and ``similarity_tfidf_cosine``
    (:func:`similarity`)): each source's most distinctive word (highest log-odds z) and the most /
    least similar pair of sources by TF-IDF cosine. ``corpus``: for the sources' names (else the
    ``label`` column of ``size_style``). The same contract as every lens's ``headline(tables)``."""
    style = tables["size_style"]
    sources = list(style["source"])
    labels = corpus.labels if corpus is not None else dict(zip(style["source"], style.get("label", style["source"])))
    labels = {s: labels.get(s, s) for s in sources}
    if len(sources) < 2:
        if not sources:
            return "The corpus is empty: no vocabulary to compare."
        return (f"Only one source ({labels[sources[0]]}, {int(style['n_tokens'].iloc[0])} words): vocabulary "
                "comparisons need at least two sources.")
    distinctive = tables["distinctive"]
    sim = tables["similarity_tfidf_cosine"]
    d = distinctive[(distinctive["kind"] != "bigram") & (distinctive["z"] > 0)]
    top = d.sort_values("z", ascending=False, kind="stable").drop_duplicates("source")
    top = top.set_index("source").reindex([s for s in sources if s in set(top["source"])])
    bits = [f"{labels[s]} '{r['term']}' (z={r['z']:.1f})" for s, r in top.head(6).iterrows()]
    parts = []
    if bits:
        parts.append("Most distinctive word per source: " + "; ".join(bits) + ("; …" if len(top) > 6 else ""))
    pairs = similarity_pairs(sim).dropna()
    if not pairs.empty:
        hi, lo = pairs.iloc[0], pairs.iloc[-1]
        name = lambda x: labels.get(x, x)  # noqa: E731
        parts.append(
            f"most alike: {name(hi['a'])} and {name(hi['b'])} (TF-IDF cosine {hi['similarity']:.2f}), "
            f"least alike: {name(lo['a'])} and {name(lo['b'])} ({lo['similarity']:.2f})"
        )
    if not parts:
        return "No distinctive vocabulary met the minimum count."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# map / reduce: the one implementation of the vocabulary measures
#
# The maps run on one partition and return count tables: :func:`_terms_map` — per (source, term)
# the count (all occurrences and content-word occurrences), the documents using it and its first
# example sentences; the same per (source, bigram of adjacent content terms); the terms in order
# of first appearance with their stopword / phrase flags; :func:`_size_map` — per source the word
# tokens, stopwords, characters and syllables, and the distinct (source, word type) pairs;
# :func:`_diversity_map` — per document MTLD and MATTR. The reduces (``_*_from``) sum them
# (documents are disjoint across partitions, so document counts add; examples keep the first
# three in corpus order). :func:`size_and_style`, :func:`lexical_diversity`,
# :func:`distinctive_terms`, :func:`shared_and_unique`, :func:`shared_unique_summary` and
# :func:`similarity` are these maps over the corpus as one partition followed by these reduces
# (:func:`_whole`); ``vocabulary_map`` / ``vocabulary_reduce`` run them over the lens store's
# partitions, so any partitioning gives the same tables. Vocabulary bound: the merged tables hold
# one row per distinct (source, term) and (source, bigram) pair used — they grow with the
# vocabulary of each source (Heaps' law: roughly with the square root of its size), not with the
# number of tokens; nothing is pruned, so the statistics are exact. The naming tables
# and ``collocations`` have their own maps and reduces (:func:`naming_pair_counts`,
# :func:`naming_counts`, :func:`variant_counts`, :func:`collocation_counts`).


def _whole(corpus, map_fn):
    """``map_fn`` over the corpus as one partition, ready for a reduce (the same map and reduce
    as the lens store's)."""
    return reduction(corpus, map_fn)


def _document_diversity(corpus, *, window: int = 50, threshold: float = 0.72) -> pd.DataFrame:
    """MTLD and MATTR of each document (what :func:`lexical_diversity` averages per source)."""
    tok = corpus.tokens
    w = tok[tok["is_word"].astype(bool)]
    rows = []
    doc_src = corpus.documents[["doc_id", "source"]]
    codes = pd.factorize(w["lower"], use_na_sentinel=False)[0]
    dcode = pd.Categorical(w["doc_id"], categories=list(doc_src["doc_id"])).codes
    order = np.argsort(dcode, kind="stable")  # tokens of each document, in reading order
    codes = codes[order]
    bounds = np.r_[0, np.cumsum(np.bincount(dcode[dcode >= 0], minlength=len(doc_src)))]
    codes = codes[len(codes) - bounds[-1]:] if bounds[-1] < len(codes) else codes  # drop tokens of unknown docs
    for k, (doc_id, source) in enumerate(zip(doc_src["doc_id"], doc_src["source"])):  # per document, not per token
        seg = codes[bounds[k]:bounds[k + 1]]
        n = len(seg)
        rows.append({"source": source, "doc_id": doc_id, "n_tokens": n, "mtld": mtld(seg.tolist(), threshold=threshold),
                     "mattr": _mattr_codes(seg, window), "short": n < window, "unstable": n < 100})
    return pd.DataFrame(rows, columns=["source", "doc_id", "n_tokens", "mtld", "mattr", "short", "unstable"])


def _pair_counts(e: "_Encoded", src: np.ndarray, unit: np.ndarray, names: np.ndarray, rows: np.ndarray,
                 content: np.ndarray | None = None, *, order: bool = False) -> pd.DataFrame:
    """Per (source, unit) of the given occurrence rows: count, content count, documents, examples;
    with ``order``, also each unit's code as column ``order`` (its rank of first appearance, when
    the codes number the units in that order)."""
    sources = np.asarray(e.sources, dtype=object)
    U = max(len(names), 1)
    key = src * U + unit
    uniq, cnt = _unique(key, return_counts=True)
    if not len(uniq):
        return pd.DataFrame(columns=["source", "term", "count", "content", "n_docs", "ex"])
    n_docs, ex = _group_evidence(key, e.doc[rows], e.sent[rows], uniq, e.sent_ids)
    out = pd.DataFrame({"source": sources[uniq // U], "term": names[uniq % U], "count": cnt.astype(np.int64),
                        "n_docs": n_docs.astype(np.int64), "ex": ex})
    if content is not None:
        cu, cc = _unique(key[content], return_counts=True)
        out["content"] = pd.Series(cc, index=cu).reindex(uniq).fillna(0).astype(np.int64).to_numpy()
    else:
        out["content"] = out["count"]
    if order:
        out["order"] = (uniq % U).astype(np.int64)
    return out[["source", "term", "count", "content", "n_docs", "ex", *(["order"] if order else [])]]


def _terms_map(corpus, *, unit: str = "term") -> dict[str, pd.DataFrame]:
    """Term and bigram counts of one partition (see the section comment)."""
    out: dict[str, pd.DataFrame] = {}
    if corpus.terms.empty:
        return out
    e = _Encoded(corpus, unit=unit)
    rows = np.flatnonzero(e.src >= 0)
    out["vocab"] = pd.DataFrame({"term": e.vocab, "is_stop": e.term_is_stop, "is_phrase": e.term_is_phrase})
    out["terms"] = _pair_counts(e, e.src[rows], e.term[rows], e.vocab, rows, content=~e.is_stop[rows])
    brows, _, _ = e.bigrams()
    brows = brows[e.src[brows] >= 0]
    if len(brows):
        pair = e.term[brows] * len(e.vocab) + e.term[brows + 1]
        bcode, bpairs = pd.factorize(pair)
        bp = np.asarray(bpairs, dtype=np.int64)
        names = (e.vocab[bp // len(e.vocab)].astype(str).astype(object) + " "
                 + e.vocab[bp % len(e.vocab)].astype(str).astype(object))
        out["bigrams"] = _pair_counts(e, e.src[brows], bcode.astype(np.int64), names, brows, order=True)
    return out


def _size_map(corpus) -> dict[str, pd.DataFrame]:
    """Per source: word tokens, stopwords, characters, syllables; distinct (source, word type)."""
    tok = corpus.tokens
    w = tok[tok["is_word"].to_numpy(dtype=bool)]
    codes, types = pd.factorize(w["lower"], use_na_sentinel=False)
    types = pd.Series(np.asarray(types, dtype=object)).astype(str)
    syl = np.array([syllables(x) for x in types], dtype=float)  # once per distinct type
    tlen = types.str.len().to_numpy(dtype=float)
    src = w["source"].astype(str).to_numpy()
    size = pd.DataFrame({"source": src, "n_tokens": 1, "n_stop": w["is_stop"].to_numpy(dtype=bool).astype(int),
                         "chars": tlen[codes], "syllables": syl[codes]})
    return {"size": size.groupby("source", sort=False).sum().reset_index(),
            "types": pd.DataFrame({"source": src, "type": types.to_numpy()[codes]}).drop_duplicates().reset_index(drop=True)}


def _diversity_map(corpus, *, window: int = 50, threshold: float = 0.72) -> dict[str, pd.DataFrame]:
    return {"diversity_docs": _document_diversity(corpus, window=window, threshold=threshold)}


def vocabulary_map(corpus, *, window: int = 50) -> dict[str, pd.DataFrame]:
    """The map step of the vocabulary lens on one partition (see the section comment)."""
    return {**_terms_map(corpus), **_size_map(corpus), **_diversity_map(corpus, window=window)}


def _first_order(red) -> pd.DataFrame:
    """The partitions' vocabularies (with stopword and phrase flags) as one, each term once in order
    of first appearance (a flag set in any partition), folded as the partitions come: the process
    holds the distinct terms, not every partition's list. (The bigrams are numbered as their
    counts are merged: :func:`_bigram_counts`.)"""
    v = fold((p["vocab"] for p in red.partials_list() if "vocab" in p), lambda pieces: concat_frames(pieces).groupby(
        "term", sort=False)[["is_stop", "is_phrase"]].any().reset_index())
    return v if v is not None and len(v) else pd.DataFrame(columns=["term", "is_stop", "is_phrase"])


def _merge_pairs(df: pd.DataFrame) -> pd.DataFrame:
    """Sum count tables of several partitions per (source, term), rows in order of first appearance
    (the examples are not merged here: :func:`_merged_pairs` reads them for the rows it keeps)."""
    if not len(df):
        return df.drop(columns=["ex"], errors="ignore")
    return df.groupby(["source", "term"], sort=False, observed=True)[["count", "content", "n_docs"]].sum().reset_index()


def _in_first_order(terms: pd.Series, order: np.ndarray) -> pd.Series:
    """``terms`` (one partition's rows; ``order``: each row's rank of first appearance in the
    partition) as a categorical whose categories come in that order, so that
    :func:`~framelens.text.tokens.grow_codes` numbers the new ones in order of first appearance."""
    cats = terms.iloc[np.argsort(order, kind="stable")].unique()
    return pd.Series(pd.Categorical(terms, categories=cats))


#: Bit position of the unit in a (unit, bigram code) key of :func:`_bigram_counts`.
_UNIT_SHIFT = 40


def _bigram_counts(red, sidx: Mapping[str, int], *, examples_from: int) -> tuple[pd.DataFrame, pd.Index]:
    """The partitions' (unit, bigram) counts merged, for the units of ``sidx``: ``s`` (the unit's
    position), ``t`` (the bigram's code: bigrams numbered in order of first appearance in the corpus,
    :func:`_in_first_order`), ``count``, ``n_docs`` and ``ex`` (the first three example sentences, in a
    second pass, only for the rows counted at least ``examples_from`` times), and the bigrams by
    code. The fold merges integer keys (each bigram's string is held once, in the growing index):
    at 100,000 articles, millions of rows."""
    words = pd.Index([], dtype="str")  # the bigrams by code, grown as the partitions come
    parts = PartialTables(red.partials_list(), "bigrams")

    def units(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # the rows of units compared, their positions
        s = f["source"].map(sidx).to_numpy(dtype=float, na_value=np.nan)
        mine = ~np.isnan(s)
        return mine, s[mine].astype(np.int64)

    def coded():
        nonlocal words
        for f in parts:
            if not len(f):
                continue
            mine, s = units(f)
            t, words = grow_codes(_in_first_order(f["term"][mine], f["order"].to_numpy(dtype=np.int64)[mine]), words)
            yield pd.DataFrame({"key": (s << _UNIT_SHIFT) + t, "count": f["count"].to_numpy(dtype=np.int64)[mine],
                                "n_docs": f["n_docs"].to_numpy(dtype=np.int64)[mine]})

    merged = fold(coded(), lambda pieces: pd.concat(pieces, ignore_index=True).groupby(
        "key", sort=False)[["count", "n_docs"]].sum().reset_index())
    if merged is None or not len(merged):
        return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in ("s", "t", "count", "n_docs")}).assign(
            ex=pd.Series(dtype=object)), words
    key = merged["key"].to_numpy()
    shown = merged["count"].to_numpy() >= examples_from
    need = pd.Index(key[shown])

    def cells():
        for f in parts:
            if len(f):
                mine, s = units(f)
                k = np.full(len(f), -1, dtype=np.int64)
                k[mine] = (s << _UNIT_SHIFT) + words.get_indexer(pd.Index(f["term"][mine]))
                yield need.get_indexer(k), f["ex"].to_numpy(dtype=object)

    ex = np.full(len(merged), "", dtype=object)
    ex[shown] = _first_ids(cells(), len(need))
    out = pd.DataFrame({"s": key >> _UNIT_SHIFT, "t": key & ((1 << _UNIT_SHIFT) - 1),
                        "count": merged["count"].to_numpy(), "n_docs": merged["n_docs"].to_numpy(), "ex": ex})
    return out, words


def _merged_pairs(red, key: str, *, examples_from: int) -> pd.DataFrame:
    """The partitions' (source, term) count tables ``key`` (``terms``; the bigrams: :func:`_bigram_counts`) merged:
    ``count, content, n_docs`` summed, rows in order of first appearance, folded as the partitions
    come (:meth:`Reduction.folded`); ``ex``, the first three example sentences in corpus order, only
    for the rows counted at least ``examples_from`` times (the rows a table reports; '' for the
    others), read in a second pass over the partitions: the merge never carries every row's ids."""
    merged = red.folded(key, _merge_pairs)
    if not len(merged):
        return merged.assign(ex=pd.Series(dtype=object))
    shown = merged["count"].to_numpy() >= examples_from  # (Python strings only for these rows)
    need = pd.MultiIndex.from_arrays([merged["source"][shown].to_numpy(dtype=object),
                                      merged["term"][shown].to_numpy(dtype=object)])

    def cells():
        for f in PartialTables(red.partials_list(), key):
            if len(f):
                yield (need.get_indexer(pd.MultiIndex.from_arrays([f["source"].astype(object).to_numpy(),
                                                                   f["term"].astype(object).to_numpy()])),
                       f["ex"].to_numpy(dtype=object))

    ex = np.full(len(merged), "", dtype=object)
    ex[shown] = _first_ids(cells(), len(need))
    return merged.assign(ex=ex)


def _keyness_counts(s: np.ndarray, t: np.ndarray, cnt: np.ndarray, n_src: int, n_terms: int, *,
                    prior_strength: float, min_count: int = 0) -> pd.DataFrame:
    """One-vs-rest keyness for every (source, term) row of counts (codes in, codes out), reported
    for the rows counted at least ``min_count`` times (the totals count every row)."""
    from scipy.special import erfc  # scipy loads when first used (a light import)
    totals = np.bincount(s, weights=cnt, minlength=n_src)
    term_tot = np.bincount(t, weights=cnt, minlength=n_terms)
    if min_count > 0:
        shown = cnt >= min_count
        s, t, cnt = s[shown], t[shown], cnt[shown]
    key = s.astype(np.int64) * n_terms + t.astype(np.int64)
    order = np.argsort(key, kind="stable")
    key, s, t, cnt = key[order], s[order], t[order], cnt[order]
    N = float(totals.sum())
    a = cnt.astype(float)
    n_i = totals[s]
    b = term_tot[t] - a
    n_j = N - n_i
    delta, z = log_odds_z(a, n_i, b, n_j, prior_strength * term_tot[t] / N, prior_strength)
    out = pd.DataFrame({"s": s, "t": t, "key": key, "count": cnt.astype(np.int64), "count_rest": b.astype(np.int64)})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_per_1000"] = 1000.0 * a / n_i
        out["rate_rest_per_1000"] = 1000.0 * b / n_j
        out["delta"] = delta
        out["z"] = z
        out["g2"] = g2(a, b, n_i - a, n_j - b)
        out["p_g2"] = erfc(np.sqrt(out["g2"].to_numpy() / 2.0))  # chi2(1) survival function
        out["log_ratio"] = log_ratio(a, n_i, b, n_j)
    if n_src < 2:
        for col in ("delta", "z", "g2", "p_g2", "log_ratio", "rate_rest_per_1000"):
            out[col] = np.nan
    return out


def _size_style_from(red) -> pd.DataFrame:
    """:func:`size_and_style` from the size map's sums."""
    sources, labels, docs = list(red.sources), red.labels, red.documents
    size = red.partial("size")
    size = size.groupby("source", sort=False).sum() if len(size) else pd.DataFrame(
        columns=["n_tokens", "n_stop", "chars", "syllables"])
    n_types = _n_types(red)
    st = pd.DataFrame(index=pd.Index(sources))
    n_tok = size["n_tokens"].reindex(sources).fillna(0).astype(int)
    sents = docs.groupby("source", sort=False)["n_sentences"].sum().reindex(sources).fillna(0).astype(int)
    ndocs = docs.groupby("source", sort=False).size().reindex(sources).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        st["n_docs"] = ndocs.to_numpy()
        st["n_sentences"] = sents.to_numpy()
        st["n_tokens"] = n_tok.to_numpy()
        st["n_types"] = n_types.reindex(sources).fillna(0).astype(int).to_numpy()
        nt = n_tok.to_numpy(dtype=float)
        st["stopword_share"] = size["n_stop"].reindex(sources).to_numpy(dtype=float) / nt
        st["mean_word_length"] = size["chars"].reindex(sources).to_numpy(dtype=float) / nt
        syl = size["syllables"].reindex(sources).fillna(0).to_numpy(dtype=float)
        st["mean_sentence_length"] = st["n_tokens"] / st["n_sentences"].replace(0, np.nan)
        st["syllables_per_word"] = syl / st["n_tokens"].replace(0, np.nan)
    st["flesch_reading_ease"] = [flesch_reading_ease(a, b, c) for a, b, c in zip(st["n_tokens"], st["n_sentences"], syl)]
    st["ttr"] = st["n_types"] / st["n_tokens"].replace(0, np.nan)
    st = st.rename_axis("source").reset_index()
    st.insert(1, "label", st["source"].map(labels))
    return st[["source", "label", "n_docs", "n_sentences", "n_tokens", "n_types", "mean_sentence_length",
               "stopword_share", "mean_word_length", "syllables_per_word", "flesch_reading_ease", "ttr"]]


def _n_types(red) -> pd.Series:
    types = red.partial("types")
    return types.drop_duplicates().groupby("source").size() if len(types) else pd.Series(dtype=int)


def _diversity_from(red, *, window: int = 50) -> pd.DataFrame:
    """:func:`lexical_diversity` from the per-document scores: token-weighted per source."""
    sources = list(red.sources)
    d = red.partial("diversity_docs")
    if not len(d):
        d = pd.DataFrame(columns=["source", "doc_id", "n_tokens", "mtld", "mattr", "short", "unstable"])

    def wmean(col: str) -> pd.Series:
        ok = d[col].notna() & (d["n_tokens"] > 0)
        num = (d[col].where(ok, 0.0) * d["n_tokens"].where(ok, 0)).groupby(d["source"], sort=False).sum()
        den = d["n_tokens"].where(ok, 0).groupby(d["source"], sort=False).sum()
        return (num / den.replace(0, np.nan)).reindex(sources)

    g = d.groupby("source", sort=False)
    div = pd.DataFrame({"source": sources,
                        "n_docs": g.size().reindex(sources).fillna(0).astype(int).to_numpy(),
                        "n_tokens": g["n_tokens"].sum().reindex(sources).fillna(0).astype(int).to_numpy(),
                        "mtld": wmean("mtld").to_numpy(), "mattr": wmean("mattr").to_numpy(), "window": window,
                        "n_short_docs": g["short"].sum().reindex(sources).fillna(0).astype(int).to_numpy()})
    div["short_for_window"] = div["n_short_docs"] > 0
    div["ttr"] = _n_types(red).reindex(sources).to_numpy() / div["n_tokens"].replace(0, np.nan).to_numpy()
    div["mtld_unstable"] = g["unstable"].any().reindex(sources).fillna(True).astype(bool).to_numpy()
    div.insert(1, "label", div["source"].map(red.labels))
    return div


def _distinctive_from(red, terms: pd.DataFrame | None = None, *, min_count: int = 3, prior_strength: float = 500.0,
                      top: int | None = None, include_phrases: bool = True, include_bigrams: bool = True) -> pd.DataFrame:
    """:func:`distinctive_terms` from the term map's merged counts (``terms``: already merged)."""
    sources, labels = list(red.sources), red.labels
    S = len(sources)
    sidx = {s: i for i, s in enumerate(sources)}
    terms = _merged_pairs(red, "terms", examples_from=min_count) if terms is None else terms
    if not len(terms):
        return pd.DataFrame(columns=_DISTINCT_COLS)
    vocab = _first_order(red)
    V = len(vocab)
    is_stop = vocab["is_stop"].to_numpy(dtype=bool)
    is_phrase = vocab["is_phrase"].to_numpy(dtype=bool)
    mine = terms["source"].isin(sidx).to_numpy()
    tm = terms if mine.all() else terms[mine]  # (no copy when every unit is compared)
    t_ = pd.Index(vocab["term"].to_numpy()).get_indexer(tm["term"].to_numpy()).astype(np.int64)
    if not include_phrases:  # phrase terms leave the counts and the totals
        tm, t_ = tm[~is_phrase[t_]], t_[~is_phrase[t_]]
    s_ = tm["source"].map(sidx).to_numpy(dtype=np.int64)
    k = _keyness_counts(s_, t_, tm["count"].to_numpy(), S, V, prior_strength=prior_strength, min_count=min_count)
    shown = tm["count"].to_numpy() >= min_count  # the rows reported (the totals count every row)
    meta = pd.DataFrame({"key": s_[shown] * V + t_[shown], "n_docs": tm["n_docs"].to_numpy()[shown],
                         "ex": tm["ex"].to_numpy()[shown]})
    k = k[~is_stop[k["t"].to_numpy()]]
    k["kind"] = np.where(is_phrase[k["t"].to_numpy()], "phrase", "word")
    k["term"] = vocab["term"].to_numpy()[k["t"].to_numpy()] if len(k) else np.array([], dtype=object)
    parts = [(k, meta)]
    bi, bnames = _bigram_counts(red, sidx, examples_from=min_count) if include_bigrams else (pd.DataFrame(), None)
    if len(bi):
        nb = len(bnames)
        bs, bt = bi["s"].to_numpy(), bi["t"].to_numpy()
        kb = _keyness_counts(bs, bt, bi["count"].to_numpy(), S, nb, prior_strength=prior_strength, min_count=min_count)
        kb["kind"] = "bigram"
        kb["term"] = np.asarray(bnames.take(kb["t"].to_numpy()), dtype=object) if len(kb) else np.array([], dtype=object)
        shown = bi["count"].to_numpy() >= min_count
        parts.append((kb, pd.DataFrame({"key": bs[shown] * nb + bt[shown], "n_docs": bi["n_docs"].to_numpy()[shown],
                                        "ex": bi["ex"].to_numpy()[shown]})))
        del bi, bs, bt, bnames, shown
        release_memory()
    res = []
    for kk, mm in parts:
        kk = kk[kk["count"] >= min_count]
        if top is not None:
            kk = kk[kk["z"].gt(0) | kk["z"].isna()]
            kk = kk.sort_values(["s", "z"], ascending=[True, False], kind="stable")
            kk = kk[kk.groupby("s", sort=False).cumcount() < top]
        kk = kk.copy()
        mm = mm.set_index("key")
        kk["n_docs"] = mm["n_docs"].reindex(kk["key"]).to_numpy()
        kk["example_sent_ids"] = mm["ex"].reindex(kk["key"]).to_numpy()
        res.append(kk)
    dist = pd.concat(res, ignore_index=True)
    dist = dist.sort_values(["s", "z", "count"], ascending=[True, False, False], kind="stable")
    if top is not None:
        dist = dist[dist.groupby("s", sort=False).cumcount() < top]
    dist["source"] = np.asarray(sources, dtype=object)[dist["s"].to_numpy()] if len(dist) else np.array([], dtype=object)
    dist["label"] = dist["source"].map(labels)
    return dist[_DISTINCT_COLS].reset_index(drop=True)


def _content_matrix(red, terms: pd.DataFrame | None = None) -> tuple[sparse.csr_matrix, list[str], pd.Index]:
    """The source × content-term count matrix (stopwords excluded) from the term map's counts:
    rows in the order of ``red.sources``, columns in order of first appearance."""
    from scipy import sparse  # scipy loads when first used (a light import)
    sources = list(red.sources)
    sidx = {s: i for i, s in enumerate(sources)}
    terms = red.folded("terms", _merge_pairs) if terms is None else terms  # the counts (no examples needed)
    content = terms[(terms["content"] > 0) & terms["source"].isin(sidx)] if len(terms) else terms
    cv, cvocab = pd.factorize(content["term"]) if len(content) else (np.zeros(0, dtype=np.int64), [])
    m = sparse.csr_matrix((content["content"].to_numpy(dtype=float) if len(content) else np.zeros(0),
                           (content["source"].map(sidx).to_numpy(dtype=np.int64) if len(content) else np.zeros(0, dtype=np.int64),
                            cv)), shape=(len(sources), len(cvocab)))
    return m, sources, pd.Index(cvocab)


def _similarity_matrix(m, method: str) -> np.ndarray:
    if method == "jaccard":
        return _jaccard_matrix(m)
    if method == "cosine":
        return _cosine_matrix(m)
    return _cosine_matrix(tfidf_matrix(m))


def vocabulary_reduce(red, *, min_count: int = 3, prior_strength: float = 500.0, window: int = 50,
                      similarity_units: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The reduce step of the vocabulary lens: ``size_style, diversity, distinctive,
    shared_unique, shared_unique_summary, similarity_tfidf_cosine, similarity_jaccard`` from the
    maps' merged count tables (see the section comment)."""
    sources = list(red.sources)
    terms = _merged_pairs(red, "terms", examples_from=min_count)
    out = {"size_style": _size_style_from(red), "diversity": _diversity_from(red, window=window),
           "distinctive": _distinctive_from(red, terms, min_count=min_count, prior_strength=prior_strength)}
    m, _, cvocab = _content_matrix(red, terms)
    out["shared_unique"] = _shared_from_matrix(m, sources, cvocab)
    summary = shared_unique_summary(out["shared_unique"]) if len(sources) <= WIDE_MAX_SOURCES else \
        _summary_from_matrix(m, sources, cvocab)
    summary.insert(1, "label", summary["source"].map(red.labels))
    out["shared_unique_summary"] = summary
    keep = similarity_units if similarity_units is not None else sources
    sidx = {s: i for i, s in enumerate(sources)}
    sub = m[[sidx[s] for s in keep]]
    for name, method in (("similarity_tfidf_cosine", "tfidf_cosine"), ("similarity_jaccard", "jaccard")):
        out[name] = pd.DataFrame(_similarity_matrix(sub, method), index=pd.Index(list(keep), name="source"),
                                 columns=list(keep))
    return out


def _shared_from_matrix(m, sources, vocab, *, min_count: int = 1) -> pd.DataFrame:
    """:func:`shared_and_unique` from a source × term count matrix."""
    used = (m >= min_count).astype(np.int8).tocsc()
    n_src = np.asarray(used.sum(axis=0)).ravel()
    total = np.asarray(m.sum(axis=0)).ravel().astype(int)
    keep = np.flatnonzero(n_src > 0)
    S = len(sources)
    status = np.where(n_src[keep] == S, "all", np.where(n_src[keep] == 1, "unique", "some"))
    src_arr = np.array(sources, dtype=object)
    names = []
    for j in keep:
        rows = used.indices[used.indptr[j]:used.indptr[j + 1]]
        names.append(EXAMPLE_SEP.join(src_arr[np.sort(rows)]) if len(rows) <= LIST_MAX_SOURCES else f"({len(rows)} sources)")
    out = pd.DataFrame({"term": np.asarray(vocab)[keep], "n_sources": n_src[keep].astype(int), "status": status,
                        "sources": names, "total_count": total[keep]})
    out.insert(4, "only_source", np.where(out["status"] == "unique", out["sources"], ""))
    if S <= WIDE_MAX_SOURCES:
        dense = m[:, keep].toarray().astype(int)
        for i, src in enumerate(sources):
            out[src] = dense[i]
    order = {"all": 0, "unique": 1, "some": 2}
    out = out.assign(_o=out["status"].map(order)).sort_values(["_o", "total_count", "term"],
                                                              ascending=[True, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def _summary_from_matrix(m, sources, vocab, *, min_count: int = 1, status: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`shared_unique_summary` from a source × term count matrix (``status``: each term's,
    when already known; else from the sources using it at least ``min_count`` times)."""
    from scipy import sparse  # scipy loads when first used (a light import)
    counts = sparse.csr_matrix(m)
    used = sparse.csr_matrix(counts >= min_count)
    if status is None:
        n_src = np.asarray(used.sum(axis=0)).ravel()
        status = np.where(n_src == len(sources), "all", np.where(n_src == 1, "unique", "none"))
        status = np.where((n_src > 1) & (n_src < len(sources)), "some", status)
    vocab = np.asarray(vocab)
    is_unique, is_all = status == "unique", status == "all"
    rows = []
    for i, src in enumerate(sources):
        idx = used.indices[used.indptr[i]:used.indptr[i + 1]]
        u = idx[is_unique[idx]]
        c = np.asarray(counts[i, u].todense()).ravel() if len(u) else np.array([])
        top = [str(vocab[k]) for k in u[np.lexsort((vocab[u].astype(str), -c))][:8]] if len(u) else []
        rows.append({"source": src, "n_types": int(len(idx)), "n_unique": int(len(u)),
                     "share_unique": len(u) / len(idx) if len(idx) else np.nan,
                     "n_shared_by_all": int(is_all[idx].sum()), "top_unique": ", ".join(top)})
    return pd.DataFrame(rows, columns=["source", "n_types", "n_unique", "share_unique", "n_shared_by_all", "top_unique"])
