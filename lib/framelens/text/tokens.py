"""Words: tokens, lemmas, stopwords, multi-word phrases, n-grams and collocations (offline).

Everything here works without downloaded data (no NLTK corpora, no WordNet).

Tokenization (:func:`tokenize`) is one compiled regular expression; choices:

* words keep internal hyphens and apostrophes: ``China-Kazakhstan``, ``Xi'an``, ``don't`` stay
  one token (we do NOT split ``do`` + ``n't`` as the Penn Treebank does: negated auxiliaries are
  stopwords either way, and a kept form is easier to read in a keyword-in-context view);
* the possessive / clitic ``'s`` is split off as its own token (``Kazakhstan`` + ``'s``), so a name
  is counted the same with or without the possessive (``it's`` becomes ``it`` + ``'s`` as well);
* numbers stay whole with their decimals, thousands separators, currency sign, percent sign and
  a unit/ordinal suffix: ``$94.8``, ``650,000``, ``78%``, ``1.2m``, ``2nd``, ``1990s``;
* dotted abbreviations stay whole: ``U.S.``, ``e.g.``; URLs and e-mail addresses stay whole;
* every other non-space character is a punctuation token (``...`` is one token).

Lemmas (:func:`lemmatize`) come from simplemma (Barbaresi 2023), a dictionary-based lemmatizer
whose English data ships inside the wheel: it needs no POS tagger and no download (WordNet, which
NLTK's lemmatizer needs, is unavailable offline).  Without POS it picks the most frequent reading,
so a few news nouns that look like verb forms are fixed by :data:`LEMMA_OVERRIDES`
(``meeting`` stays ``meeting``, ``media`` stays ``media``), and all-capital acronyms keep their
lower-case form (``US`` -> ``us``, not the pronoun lemma ``we``).  Lemmas are lower-case, so
proper nouns get their case-insensitive form (``Kazakhstan`` -> ``kazakhstan``).

Multi-word terms (:func:`build_token_tables`): names from an editable phrase list
(``data/phrases.toml``) plus, optionally, statistically detected proper-noun collocations
(Dunning 1993 log-likelihood ratio, via NLTK's data-free ``BigramCollocationFinder``).
"""
from __future__ import annotations

import itertools
import math
from array import array
import re
import sys
import tomllib
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from framelens.errors import FramelensError

__all__ = [
    "tokenize",
    "lemmatize",
    "load_stopwords",
    "load_phrases",
    "ngrams",
    "detect_collocations",
    "proper_noun_collocations",
    "bigram_llr",
    "build_token_tables",
    "token_table",
    "term_table",
    "CollocationCounts",
    "pair_counts",
    "decide_collocations",
    "corpus_collocations",
    "merge_phrases",
    "phrase_regex",
    "concat_tables",
    "release_memory",
    "TOKEN_COLUMNS",
    "TERM_COLUMNS",
    "LEMMA_OVERRIDES",
    "TITLE_WORDS",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_STOPWORDS = DATA_DIR / "stopwords.txt"
DEFAULT_PHRASES = DATA_DIR / "phrases.toml"

TOKEN_COLUMNS = ["sent_id", "doc_id", "source", "i", "start", "end", "token", "lower", "lemma",
                 "is_word", "is_stop"]
TERM_COLUMNS = ["sent_id", "doc_id", "source", "term", "lemma", "start", "end", "is_stop",
                "is_phrase"]

# ----------------------------------------------------------------------------------- tokenize
_L = r"[^\W\d_]"          # a letter (any script)
_A = r"[^\W_]"            # a letter or digit
_JOIN = r"['’\-‐‑–]"     # joiners inside a word: apostrophes, hyphens, en dash
_TOKEN_RE = re.compile(
    rf"""
    (?P<url>(?:https?://|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'’”])
  | (?P<email>[\w.+-]+@\w[\w-]*(?:\.\w[\w-]*)+)
  | (?P<abbr>(?:{_L}\.){{2,}})
  | (?P<num>[$€£¥]?\d+(?:[.,]\d+)*(?:%|{_A}+)?(?:-{_A}+)*)
  | (?P<word>{_A}+(?:(?!['’][sS](?!{_A})){_JOIN}{_A}+)*)
  | (?P<poss>['’][sS](?!{_A}))
  | (?P<punct>\.\.\.|--|\S)
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Split ``text`` into ``(token, start, end)`` with ``text[start:end] == token``.

    >>> [t for t, _, _ in tokenize("Kazakhstan's $94.8 billion, 78% of China-Kazakhstan trade.")]
    ['Kazakhstan', "'s", '$94.8', 'billion', ',', '78%', 'of', 'China-Kazakhstan', 'trade', '.']
    """
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


# ----------------------------------------------------------------------------------- lemmas
#: Lemma exceptions applied before simplemma (lower-case form -> lemma): news nouns that a
#: POS-less dictionary lemmatizer would turn into a verb or another word.
LEMMA_OVERRIDES: dict[str, str] = {
    "meeting": "meeting", "meetings": "meeting", "media": "media", "news": "news",
    "building": "building", "buildings": "building", "funding": "funding",
    "spending": "spending", "training": "training", "briefing": "briefing",
    "briefings": "briefing", "ruling": "ruling", "rulings": "ruling", "warning": "warning",
    "warnings": "warning", "hearing": "hearing", "hearings": "hearing", "gathering": "gathering",
    "gatherings": "gathering", "understanding": "understanding", "data": "data",
    "'s": "'s", "’s": "'s", "us": "us", "u.s.": "u.s.", "politics": "politics",
    "economics": "economics", "species": "species", "series": "series", "its": "its",
}


@lru_cache(maxsize=200_000)
def lemmatize(word: str) -> str:
    """Lower-case dictionary lemma of one token (simplemma, ``lang='en'``), cached.

    ``lemmatize("countries") == "country"``, ``lemmatize("was") == "be"``,
    ``lemmatize("Kazakhstan") == "kazakhstan"``, ``lemmatize("US") == "us"``.
    Tokens without letters (numbers, punctuation) are returned lower-cased unchanged.
    Why simplemma: dictionary-based (no training, deterministic), its English data ships in the
    wheel (works offline), needs no POS tags, and is fast; WordNet is not available offline.
    Caveat: without POS, ambiguous forms get the most frequent lemma (``better`` -> ``good``).
    """
    low = word.lower()
    if low in LEMMA_OVERRIDES:
        return LEMMA_OVERRIDES[low]
    if not any(c.isalpha() for c in low):
        return low
    if len(word) > 1 and word.isupper():
        return low  # acronym: US, UN, BRICS, SCO
    if "-" in low or "'" in low or "’" in low:
        # compound: lemmatize the last element only (supply-chains -> supply-chain)
        m = re.match(r"^(.*[-'’])([^-'’]+)$", low)
        if m and m.group(2).isalpha():
            return m.group(1) + _simplemma(m.group(2))
        return low
    return _simplemma(low)


@lru_cache(maxsize=200_000)
def _simplemma(low: str) -> str:
    import simplemma

    return simplemma.lemmatize(low, lang="en").lower()


# ----------------------------------------------------------------------------------- data files
def _error(path, line, why):

    where = f"{path}:{line}" if line is not None else f"{path}"
    return FramelensError(f"{where}: {why}")


def load_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """Read a stopword file: one word per line, ``#`` starts a comment, blank lines ignored.

    Words are lower-cased and curly apostrophes normalized.  Default: the package's
    ``data/stopwords.txt`` (≈300 English function words, written for framelens; edit or replace).
    """
    p = Path(path) if path is not None else DEFAULT_STOPWORDS
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(p, None, "stopword file not found") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise _error(p, None, f"cannot read stopword file ({exc.__class__.__name__})") from None
    words = set()
    for lineno, line in enumerate(raw.splitlines(), 1):
        w = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not w:
            continue
        if any(c.isspace() for c in w):
            raise _error(p, lineno, f"one stopword per line expected, got {w!r}")
        words.add(w.lower().replace("’", "'"))
    return frozenset(words)


def load_phrases(path: str | Path | None = None) -> list[str]:
    """Read the phrase list (TOML: ``[phrases] terms = ["Xi Jinping", ...]``).

    Validates: the file parses, has a ``[phrases]`` table with a ``terms`` list of strings, each
    non-empty with at least two words (or a hyphenated compound), no duplicates (after case and
    dash normalization).  Problems raise ``FramelensError("<file>:<line>: <why>")``.
    Returns the phrases as written (order kept).
    """
    p = Path(path) if path is not None else DEFAULT_PHRASES
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(p, None, "phrase file not found") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise _error(p, None, f"cannot read phrase file ({exc.__class__.__name__})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        raise _error(p, m.group(1) if m else None, f"invalid TOML ({exc})") from None

    def line_of(needle: str) -> int | None:
        for i, line in enumerate(raw.splitlines(), 1):
            if needle in line:
                return i
        return None

    table = data.get("phrases")
    if not isinstance(table, dict):
        raise _error(p, None, "missing [phrases] table")
    terms = table.get("terms")
    if not isinstance(terms, list):
        raise _error(p, line_of("[phrases]"), "[phrases] needs a 'terms' list of strings")
    seen: dict[str, str] = {}
    out: list[str] = []
    for t in terms:
        if not isinstance(t, str):
            raise _error(p, line_of(str(t)), f"phrase must be a string, got {t!r}")
        key = _phrase_key(t)
        if not key:
            raise _error(p, line_of('""') or line_of("''"), "empty phrase")
        if " " not in key and "-" not in key:
            raise _error(p, line_of(t), f"phrase {t!r} is a single word (no phrase needed)")
        if key in seen:
            # report the line of the second occurrence
            lines = [i for i, line in enumerate(raw.splitlines(), 1) if t in line]
            raise _error(p, lines[-1] if lines else None,
                         f"duplicate phrase {t!r} (same as {seen[key]!r})")
        seen[key] = t
        out.append(t)
    return out


_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_QUOTES = str.maketrans({"’": "'", "‘": "'"})


def _phrase_key(phrase: str) -> str:
    """Canonical lower-case form of a phrase: dashes -> '-', whitespace runs -> one space."""
    return " ".join(phrase.translate(_DASHES).translate(_QUOTES).lower().split())


# ----------------------------------------------------------------------------------- n-grams
def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """Contiguous n-grams of a token list: ``ngrams(['a','b','c'], 2) == [('a','b'), ('b','c')]``."""
    if n < 1:
        raise ValueError("n must be >= 1")
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def detect_collocations(
    token_lists: Iterable[Sequence[str]],
    *,
    min_count: int = 3,
    top: int | None = 50,
    measure: str = "llr",
    stopwords: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Score adjacent word pairs as collocations; returns ``bigram, count, pmi, llr``.

    Uses NLTK's data-free ``BigramCollocationFinder`` (bigrams never cross list boundaries — pass
    one list per sentence) and ``BigramAssocMeasures``: ``llr`` is Dunning's (1993) log-likelihood
    ratio (≥ 10.83 means p < .001 under independence, χ² with 1 df), ``pmi`` the pointwise mutual
    information in bits (Church & Hanks 1990; inflated for rare pairs, hence ``min_count``).
    Pairs with a token without letters/digits, or a token in ``stopwords`` (compared lower-case),
    are dropped. Tokens are compared as given (lower-case them first for case-insensitive counts).
    ``bigram`` is the two tokens joined by a space. Sorted by ``measure`` ('llr' or 'pmi'),
    descending, then by bigram; ``top=None`` keeps all.
    """
    from nltk.collocations import BigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures

    if measure not in ("llr", "pmi"):
        raise ValueError("measure must be 'llr' or 'pmi'")
    finder = BigramCollocationFinder.from_documents([list(t) for t in token_lists])
    finder.apply_freq_filter(min_count)
    stop = stopwords or frozenset()
    finder.apply_word_filter(lambda w: w is None or not _is_word(w) or w.lower() in stop)
    cols = ["bigram", "count", "pmi", "llr"]
    if not finder.ngram_fd:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(cols, ["str", "int64", "float64", "float64"])})
    llr = dict(finder.score_ngrams(BigramAssocMeasures.likelihood_ratio))
    pmi = dict(finder.score_ngrams(BigramAssocMeasures.pmi))
    rows = [(" ".join(bg), int(finder.ngram_fd[bg]), float(pmi[bg]), float(llr[bg])) for bg in llr]
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values([measure, "bigram"], ascending=[False, True], kind="mergesort")
    if top is not None:
        df = df.head(top)
    return df.reset_index(drop=True)


def bigram_llr(n_ii: int, n_ix: int, n_xi: int, n_xx: int) -> float:
    """Dunning's (1993) log-likelihood ratio G² of a bigram's 2×2 contingency table.

    ``n_ii`` = pair count, ``n_ix``/``n_xi`` = counts of the first/second word, ``n_xx`` = number
    of tokens.  Same formula (and smoothing) as NLTK's ``BigramAssocMeasures.likelihood_ratio``
    (Manning & Schütze 5.3.4), re-implemented so that loading a corpus does not import NLTK
    (whose import pulls in scipy.stats, ~2 s).
    """
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = n_xx - n_ii - n_oi - n_io
    cont = (n_ii, n_oi, n_io, n_oo)
    n = n_ii + n_oi + n_io + n_oo
    row = (n_ii + n_io, n_oi + n_oo)   # first word present / absent
    col = (n_ii + n_oi, n_io + n_oo)   # second word present / absent
    exps = (row[0] * col[0] / n, row[1] * col[0] / n, row[0] * col[1] / n, row[1] * col[1] / n)
    return 2 * sum(o * math.log(o / (e + 1e-20) + 1e-20) for o, e in zip(cont, exps))


#: Title and honorific words never merged into a detected collocation ("President Xi" stays two
#: terms, so "xi" is counted however the name is introduced).
TITLE_WORDS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof sir madam president presidents vice premier prime minister ministers
    chairman chairwoman chair secretary general king queen prince princess emperor sheikh
    senator sen governor gov mayor ambassador envoy chancellor deputy foreign state spokesman
    spokeswoman spokesperson leader leaders commander colonel col gen lt captain officer director
    chief head pope saint st monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    """.split()
)


def proper_noun_collocations(
    token_lists: Sequence[Sequence[str]],
    *,
    min_count: int = 3,
    min_capital_share: float = 0.8,
    min_llr: float = 10.83,
    stopwords: frozenset[str] | None = None,
) -> list[str]:
    """Two-word names found statistically: returns phrases like ``'astana times'``.

    A bigram (in the surface token lists, one list per sentence) qualifies when it occurs at least
    ``min_count`` times, both words are alphabetic, neither is a stopword or a title/honorific
    (:data:`TITLE_WORDS`), each word is capitalized in ≥ ``min_capital_share`` of its
    occurrences that are not sentence-initial (at least one such occurrence needed), and its
    log-likelihood ratio is ≥ ``min_llr`` (10.83 ≈ p < .001).
    """
    stop = stopwords if stopwords is not None else load_stopwords()
    flat = [t for toks in token_lists for t in toks]
    lengths = np.asarray([len(toks) for toks in token_lists], dtype=np.int64)
    row = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    return _proper_pairs(flat, row, stop, min_count=min_count,
                         min_capital_share=min_capital_share, min_llr=min_llr)


def _proper_pairs(flat: Sequence[str], row: np.ndarray, stop: frozenset[str], *, min_count: int,
                  min_capital_share: float, min_llr: float) -> list[str]:
    """Vectorized core of :func:`proper_noun_collocations` (``row`` = sentence of each token)."""
    n = len(flat)
    if n < 2:
        return []
    uniq = {}
    for t in flat:
        if t not in uniq:
            uniq[t] = (t.lower(), t[:1].isupper())
    codes, vocab = pd.factorize(np.asarray([uniq[t][0] for t in flat], dtype=object))
    cap = np.asarray([uniq[t][1] for t in flat], dtype=bool)
    v = len(vocab)
    non_initial = np.ones(n, dtype=bool)
    non_initial[0] = False
    non_initial[1:] = row[1:] == row[:-1]
    total = np.bincount(codes[non_initial], minlength=v)
    caps = np.bincount(codes[non_initial & cap], minlength=v)
    uni = np.bincount(codes, minlength=v)
    ok_word = np.asarray([w not in stop and w not in TITLE_WORDS and w.replace("-", "").isalpha()
                          for w in vocab], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, caps / np.maximum(total, 1), 0.0)
    proper = ok_word & (total > 0) & (share >= min_capital_share)
    a, b = codes[:-1], codes[1:]
    same = row[:-1] == row[1:]
    m = same & proper[a] & proper[b]
    if not m.any():
        return []
    pair = a[m].astype(np.int64) * v + b[m]
    pu, pc = np.unique(pair, return_counts=True)
    out = []
    for code, c in zip(pu[pc >= min_count].tolist(), pc[pc >= min_count].tolist()):
        ia, ib = divmod(code, v)
        llr = bigram_llr(c, int(uni[ia]), int(uni[ib]), n)
        if llr >= min_llr:
            out.append((-llr, f"{vocab[ia]} {vocab[ib]}"))
    return [bg for _, bg in sorted(out)]


_DASH_CLASS = "[-‐‑‒–—―−]"


def trie_regex(keys: Iterable[str], *, flexible: bool = False) -> str:
    """A regex alternation of ``keys`` shaped as a character trie: the engine follows one branch
    per character instead of trying every alternative at every position (10–20x faster than a
    flat alternation of a few hundred names), and optional continuations are greedy, so the
    longest key is tried first (a longer one that fails a later check backtracks to a shorter
    one). ``flexible``: a space matches any run of whitespace and a hyphen any dash. The one
    trie builder of the package (phrases, actor aliases, naming variants)."""
    trie: dict = {}
    for k in keys:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = {}

    def piece(ch: str) -> str:
        if flexible and ch == " ":
            return r"\s+"
        if flexible and ch == "-":
            return _DASH_CLASS
        return re.escape(ch)

    def build(node: dict) -> str:
        end = "" in node
        alts = [piece(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern | None:
    keys = sorted({_phrase_key(p) for p in phrases if _phrase_key(p)})
    if not keys:
        return None
    # each alternative must end at a word boundary; with the trie, a longer phrase that fails the
    # boundary check backtracks to a shorter one
    return re.compile(r"(?<!\w)(?:" + trie_regex(keys, flexible=True) + r")(?!\w)", re.IGNORECASE)


# ----------------------------------------------------------------------------------- tables
# The corpus tables are built in chunks of sentences (``build_token_tables`` on a whole table is
# one chunk).  Per chunk: :func:`token_table` (a pure function of the chunk), the mergeable
# collocation counts (:class:`CollocationCounts`, :func:`pair_counts`), then, once the corpus-wide
# collocations are decided, :func:`term_table`.  Strings repeated on many rows (token, lower,
# lemma, and the sentence/document/source ids) point to one shared object per distinct value, and
# offsets are int32, so a 10-million-token table stays well under a gigabyte.

_STR = "str"  # pandas' default string dtype (python storage: one object pointer per row)


def _str_col(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of Python strings as a pandas ``str`` array (pointers copied, not strings)."""
    return pd.array(values, dtype=_STR)


def _texts_of(sentences: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(normalized texts, texts whose token boundaries are used) of a sentences table."""
    texts_col = "norm" if "norm" in sentences.columns else "text"
    texts = [str(t) for t in sentences[texts_col].tolist()]
    # token boundaries come from the original text when available (same length as norm): there
    # an em dash is still an em dash, so "Asia—more" splits while "Kazakhstan–China" (en dash)
    # and "China-Kazakhstan" stay one token; the surface form is taken from the normalized text.
    if texts_col == "norm" and "text" in sentences.columns:
        originals = [str(t) for t in sentences["text"].tolist()]
        originals = [o if len(o) == len(t) else t for o, t in zip(originals, texts)]
    else:
        originals = texts
    return texts, originals


#: The id columns of ``tokens`` and ``terms`` (``sent_id``, ``doc_id``, ``source``) are pandas
#: categoricals with lexically sorted categories (so sorting and ``groupby`` order are those of
#: the strings): 1–4 bytes per row instead of an 8-byte pointer. ``value_counts()`` on them lists
#: every category (zero counts included): count with ``groupby(...).size()`` or compare values.
CATEGORICAL_IDS = True
ID_COLUMNS = ("sent_id", "doc_id", "source")


def _ids_of(sentences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def col(name):
        return np.asarray([sys.intern(str(v)) for v in sentences[name].tolist()], dtype=object)

    return col("sent_id"), col("doc_id"), col("source")


def _id_col(per_sentence: np.ndarray, rows: np.ndarray):
    """The per-row id column from per-sentence values: categorical codes taken by row."""
    if not CATEGORICAL_IDS:
        return _str_col(per_sentence[rows])
    cat = pd.Categorical(per_sentence)  # categories sorted
    return pd.Categorical.from_codes(cat.codes[rows], dtype=cat.dtype)


@dataclass
class TokenChunk:
    """The tokens of one chunk of sentences plus what :func:`term_table` needs to reuse them."""
    tokens: pd.DataFrame
    counts: np.ndarray  # tokens per sentence (int64), aligned with the chunk's sentences


def _token_chunk(sentences: pd.DataFrame, stop: frozenset[str]) -> TokenChunk:
    texts, originals = _texts_of(sentences)
    n_sent = len(texts)
    counts = np.zeros(n_sent, dtype=np.int64)
    # flat int32 buffers, and one code per token into the distinct surface forms (a dict in
    # first-seen order): no per-token Python objects survive the loop
    spans = array("i")
    code_buf = array("i")
    forms: dict[str, int] = {}
    setdefault = forms.setdefault
    chain = itertools.chain.from_iterable
    finditer = _TOKEN_RE.finditer
    for k, text in enumerate(texts):
        sp = [m.span() for m in finditer(originals[k])]
        counts[k] = len(sp)
        spans.extend(chain(sp))
        code_buf.extend([setdefault(text[s:e], len(forms)) for s, e in sp])
    n_tok = len(code_buf)
    span_arr = np.frombuffer(spans, dtype=np.int32).copy() if n_tok else np.zeros(0, dtype=np.int32)
    codes = np.frombuffer(code_buf, dtype=np.int32).copy() if n_tok else np.zeros(0, dtype=np.int32)
    del spans, code_buf
    # lower/lemma/flags computed once per distinct form
    uniq = np.asarray([sys.intern(t) for t in forms], dtype=object)
    del forms
    low_u = np.asarray([sys.intern(t.lower().replace("’", "'")) for t in uniq], dtype=object)
    lem_u = np.asarray([sys.intern(lemmatize(t)) for t in uniq], dtype=object)
    word_u = np.asarray([_is_word(t) for t in uniq], dtype=bool)
    stop_u = np.asarray([w in stop for w in low_u], dtype=bool)
    sid, did, src = _ids_of(sentences)
    row = np.repeat(np.arange(n_sent, dtype=np.int64), counts)
    offs = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    idx = (np.arange(n_tok, dtype=np.int64) - offs[:-1][row]).astype(np.int32)
    tokens = pd.DataFrame({
        "sent_id": _id_col(sid, row), "doc_id": _id_col(did, row), "source": _id_col(src, row),
        "i": idx, "start": span_arr[0::2].copy(), "end": span_arr[1::2].copy(),
        "token": _str_col(uniq[codes]), "lower": _str_col(low_u[codes]), "lemma": _str_col(lem_u[codes]),
        "is_word": word_u[codes], "is_stop": stop_u[codes],
    }, columns=TOKEN_COLUMNS, copy=False)
    return TokenChunk(tokens, counts)


def token_table(sentences: pd.DataFrame, *, stopwords: frozenset[str] | None = None) -> pd.DataFrame:
    """The ``tokens`` table of a sentences table (a pure function of its rows: run it per chunk).

    Columns :data:`TOKEN_COLUMNS`; ``i``, ``start``, ``end`` are int32.
    """
    stop = load_stopwords() if stopwords is None else frozenset(stopwords)
    return _token_chunk(sentences, stop).tokens


@dataclass
class CollocationCounts:
    """Mergeable corpus counts behind :func:`proper_noun_collocations`.

    ``words``: one row per lower-case word form (index) with ``uni`` (all occurrences), ``tot``
    (occurrences that are not sentence-initial) and ``caps`` (of those, capitalized); ``n`` = all
    tokens.  Count each chunk's tokens with :meth:`from_tokens`, add the parts with
    :meth:`merge` (sums: order does not matter), then decide with :func:`decide_collocations`.
    """
    words: pd.DataFrame
    n: int

    @classmethod
    def from_tokens(cls, tokens: pd.DataFrame) -> "CollocationCounts":
        lc, vocab, cap = _lower_codes(tokens)
        noninit = tokens["i"].to_numpy() > 0
        v = len(vocab)
        words = pd.DataFrame({
            "uni": np.bincount(lc, minlength=v), "tot": np.bincount(lc[noninit], minlength=v),
            "caps": np.bincount(lc[noninit & cap], minlength=v),
        }, index=pd.Index(vocab, dtype=object)).astype(np.int64)
        return cls(words, len(tokens))

    @classmethod
    def merge(cls, parts: Iterable["CollocationCounts"]) -> "CollocationCounts":
        parts = list(parts)
        if not parts:
            return cls(pd.DataFrame({"uni": [], "tot": [], "caps": []}, dtype=np.int64,
                                    index=pd.Index([], dtype=object)), 0)
        if len(parts) == 1:
            return parts[0]
        words = pd.concat([p.words for p in parts]).groupby(level=0, sort=False).sum()
        return cls(words, sum(p.n for p in parts))

    def proper_words(self, stop: frozenset[str], *, min_capital_share: float = 0.8) -> frozenset[str]:
        """Word forms that can be part of a name: alphabetic (hyphens allowed), not a stopword or
        title, capitalized in ≥ ``min_capital_share`` of their non-initial occurrences (≥ 1)."""
        w = self.words
        vocab = w.index.tolist()
        ok = np.asarray([x not in stop and x not in TITLE_WORDS and x.replace("-", "").isalpha()
                         for x in vocab], dtype=bool)
        tot, caps = w["tot"].to_numpy(), w["caps"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(tot > 0, caps / np.maximum(tot, 1), 0.0)
        keep = ok & (tot > 0) & (share >= min_capital_share)
        return frozenset(x for x, k in zip(vocab, keep.tolist()) if k)


def _lower_codes(tokens: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per token: code of its lower-case form (``str.lower`` of the surface), the forms, and
    whether the surface is capitalized."""
    codes, uniq = pd.factorize(tokens["token"].to_numpy(dtype=object))
    low = np.asarray([t.lower() for t in uniq], dtype=object)
    cap_u = np.asarray([t[:1].isupper() for t in uniq], dtype=bool)
    lcodes, vocab = pd.factorize(low)
    if len(uniq) == 0:
        return np.zeros(0, dtype=np.int64), np.asarray([], dtype=object), np.zeros(0, dtype=bool)
    return lcodes[codes].astype(np.int64), np.asarray(vocab, dtype=object), cap_u[codes]


def pair_counts(tokens: pd.DataFrame, proper: frozenset[str]) -> Counter:
    """Counts of adjacent (same-sentence) lower-case word pairs whose two words are both in
    ``proper`` — one mergeable part per chunk (add the Counters)."""
    out: Counter = Counter()
    if len(tokens) < 2 or not proper:
        return out
    lc, vocab, _ = _lower_codes(tokens)
    is_prop = np.asarray([w in proper for w in vocab], dtype=bool)[lc]
    i = tokens["i"].to_numpy().astype(np.int64)
    m = (i[1:] == i[:-1] + 1) & is_prop[:-1] & is_prop[1:]
    if not m.any():
        return out
    v = len(vocab)
    pair = lc[:-1][m] * v + lc[1:][m]
    pu, pc = np.unique(pair, return_counts=True)
    for code, c in zip(pu.tolist(), pc.tolist()):
        a, b = divmod(code, v)
        out[(vocab[a], vocab[b])] += c
    return out


def decide_collocations(counts: CollocationCounts, pairs: Counter, *, min_count: int = 3,
                        min_llr: float = 10.83) -> list[str]:
    """The merged counts → the two-word names (``'astana times'``), strongest LLR first.

    Same decision as :func:`proper_noun_collocations` on the whole corpus at once.
    """
    if counts.n < 2:
        return []
    uni = counts.words["uni"]
    out = []
    for (a, b), c in pairs.items():
        if c < min_count:
            continue
        llr = bigram_llr(int(c), int(uni[a]), int(uni[b]), int(counts.n))
        if llr >= min_llr:
            out.append((-llr, f"{a} {b}"))
    return [bg for _, bg in sorted(out)]


def corpus_collocations(token_parts: Sequence[pd.DataFrame], *, stopwords: frozenset[str],
                        min_count: int = 3, min_capital_share: float = 0.8,
                        min_llr: float = 10.83) -> list[str]:
    """Proper-noun collocations over several token tables (chunks of one corpus), two passes:
    word counts per chunk → merged → which words can be names → pair counts per chunk → merged
    → Dunning's LLR.  Equal to :func:`proper_noun_collocations` on the concatenated tokens."""
    counts = CollocationCounts.merge(CollocationCounts.from_tokens(t) for t in token_parts)
    proper = counts.proper_words(stopwords, min_capital_share=min_capital_share)
    pairs: Counter = Counter()
    for t in token_parts:
        pairs.update(pair_counts(t, proper))
    return decide_collocations(counts, pairs, min_count=min_count, min_llr=min_llr)


def merge_phrases(phrases: Sequence[str], collocations: Sequence[str]) -> list[str]:
    """The phrase list extended by detected collocations not already inside a listed phrase."""
    known = [f" {_phrase_key(p)} " for p in phrases]
    return list(phrases) + [b for b in collocations if not any(f" {b} " in k for k in known)]


def phrase_regex(phrases: Iterable[str]) -> re.Pattern | None:
    """The compiled matcher for a phrase list (None for an empty list)."""
    return _phrase_regex(phrases)


def _term_chunk(sentences: pd.DataFrame, chunk: TokenChunk, rx: re.Pattern | None,
                stop: frozenset[str]) -> pd.DataFrame:
    texts, _ = _texts_of(sentences)
    tokens, counts = chunk.tokens, chunk.counts
    n_tok = len(tokens)
    row_arr = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
    offs = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    st_arr = tokens["start"].to_numpy()
    en_arr = tokens["end"].to_numpy()
    isword_arr = tokens["is_word"].to_numpy(dtype=bool)
    covered = np.zeros(n_tok, dtype=bool)
    x_row: list[int] = []
    x_term: list[str] = []
    x_lemma: list[str] = []
    x_s: list[int] = []
    x_e: list[int] = []
    x_stop: list[bool] = []
    x_phr: list[bool] = []
    if rx is not None:
        search = rx.search
        for k, text in enumerate(texts):
            if search(text) is None:  # most sentences hold no phrase: one C-level scan
                continue
            for m in rx.finditer(text):
                ms, me = m.span()
                term = sys.intern(_phrase_key(m.group()))
                x_row.append(k); x_term.append(term); x_lemma.append(term)
                x_s.append(ms); x_e.append(me); x_stop.append(False); x_phr.append(True)
                lo, hi = int(offs[k]), int(offs[k + 1])
                j0 = lo + int(np.searchsorted(en_arr[lo:hi], ms, side="right"))
                for j in range(j0, hi):
                    s, e = int(st_arr[j]), int(en_arr[j])
                    if s >= me:
                        break
                    covered[j] = True
                    if not isword_arr[j]:
                        continue
                    # the part of a hyphenated token outside the phrase is its own term
                    for ps, pe in ((s, min(e, ms)), (max(s, me), e)):
                        if pe <= ps:
                            continue
                        frag = text[ps:pe].strip("-'’ ")
                        if not frag or not _is_word(frag):
                            continue
                        off = text.index(frag, ps)
                        fl = sys.intern(frag.lower())
                        x_row.append(k); x_term.append(fl); x_lemma.append(sys.intern(lemmatize(frag)))
                        x_s.append(off); x_e.append(off + len(frag)); x_stop.append(fl in stop)
                        x_phr.append(False)
    keep = isword_arr & ~covered
    obj = lambda xs: np.asarray(xs, dtype=object) if xs else np.zeros(0, dtype=object)  # noqa: E731
    rows = np.concatenate([row_arr[keep], np.asarray(x_row, dtype=np.int64)])
    t_term = np.concatenate([tokens["lower"].to_numpy(dtype=object)[keep], obj(x_term)])
    t_lemma = np.concatenate([tokens["lemma"].to_numpy(dtype=object)[keep], obj(x_lemma)])
    t_s = np.concatenate([st_arr[keep], np.asarray(x_s, dtype=np.int32)]).astype(np.int32)
    t_e = np.concatenate([en_arr[keep], np.asarray(x_e, dtype=np.int32)]).astype(np.int32)
    t_stop = np.concatenate([tokens["is_stop"].to_numpy(dtype=bool)[keep], np.asarray(x_stop, dtype=bool)])
    t_phr = np.concatenate([np.zeros(int(keep.sum()), dtype=bool), np.asarray(x_phr, dtype=bool)])
    order = np.lexsort((t_s, rows))
    rows = rows[order]
    sid, did, src = _ids_of(sentences)
    return pd.DataFrame({
        "sent_id": _id_col(sid, rows), "doc_id": _id_col(did, rows), "source": _id_col(src, rows),
        "term": _str_col(t_term[order]), "lemma": _str_col(t_lemma[order]),
        "start": t_s[order], "end": t_e[order],
        "is_stop": t_stop[order], "is_phrase": t_phr[order],
    }, columns=TERM_COLUMNS, copy=False)


def term_table(sentences: pd.DataFrame, tokens: pd.DataFrame, *, phrases: Sequence[str] | None = None,
               stopwords: frozenset[str] | None = None) -> pd.DataFrame:
    """The ``terms`` table of a sentences table and its ``tokens`` (see :func:`build_token_tables`;
    ``phrases`` is the full list to merge, collocations included).  Per chunk, like
    :func:`token_table`."""
    stop = load_stopwords() if stopwords is None else frozenset(stopwords)
    rx = _phrase_regex(load_phrases() if phrases is None else phrases)
    sid = tokens["sent_id"].to_numpy(dtype=object)
    ids = sentences["sent_id"].astype(str).tolist()
    pos = {s: k for k, s in enumerate(ids)}
    counts = np.bincount(np.asarray([pos[s] for s in sid], dtype=np.int64), minlength=len(ids)) \
        if len(sid) else np.zeros(len(ids), dtype=np.int64)
    return _term_chunk(sentences, TokenChunk(tokens, counts), rx, stop)


#: ``column_values``: the arrays made so far, by the id of the column's own array (see there)
_VALUES: dict[int, tuple[Any, np.ndarray]] = {}


def column_values(table: pd.DataFrame, col: str) -> np.ndarray:
    """``table[col].to_numpy()`` (Python strings, for a text or categorical column), made once
    while the column lives and then shared, read-only, by every lens that reads it.

    The framing map read the same columns of a partition's token table (500,000 rows: ids, token,
    lower, lemma) about 25 times over, each a conversion from Arrow or a categorical of
    50-100 ms. The array is kept by the identity of the column's own array (the same object for as
    long as the table holds it; a column set anew is a new array) and dropped when that array is
    freed (a weak reference), so it never outlives its table. Number columns are not kept: they
    convert without a copy."""
    arr = table[col].array
    key = id(arr)
    held = _VALUES.get(key)
    if held is not None and held[0]() is arr:
        return held[1]
    out = _distinct_shared(table[col])
    if out.dtype != object:
        return out
    try:
        ref = weakref.ref(arr, lambda _r, k=key: _VALUES.pop(k, None))
    except TypeError:  # pragma: no cover - an array type without weak references
        return out
    out.flags.writeable = False
    _VALUES[key] = (ref, out)
    return out


def _distinct_shared(column: pd.Series) -> np.ndarray:
    """``column.to_numpy()``; for a text column, with one Python string per distinct value (a token
    table repeats its words: 500,000 rows hold about 20,000 distinct), so the array costs 8 bytes a
    row instead of a new string object (about 55 bytes) for each."""
    if not isinstance(column.dtype, pd.StringDtype):  # numbers, categoricals (already shared), objects
        return column.to_numpy()
    codes, uniques = pd.factorize(column)
    if len(codes) and codes.min() < 0:  # missing values: as to_numpy gives them
        return column.to_numpy()
    return np.asarray(uniques, dtype=object)[codes] if len(codes) else column.to_numpy()


def release_memory(*, arrow: bool = False) -> None:
    """Hand freed heap memory back to the operating system (glibc ``malloc_trim``).

    Loading a large corpus frees many chunk-sized arrays; glibc keeps such memory resident
    for reuse, so without this the process's footprint stays at its high-water mark. A no-op
    where glibc is not available. ``arrow``: also Arrow's memory pool, which keeps freed buffers
    (text columns) for reuse.
    """
    global _TRIM
    if arrow:
        try:
            import pyarrow as pa

            pa.default_memory_pool().release_unused()
        except Exception:  # an older pyarrow or another pool: nothing to release
            pass
    if _TRIM is None:
        _TRIM = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):
                _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None


def concat_tables(parts: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """Concatenate chunk tables column by column, releasing each chunk's column as it goes (so the
    peak is one column more than the result, not twice the result).  Empties ``parts``."""
    if len(parts) == 1:
        return parts.pop().reset_index(drop=True)
    cols: dict[str, Any] = {}
    big = sum(len(p) for p in parts) > 500_000
    for c in columns:
        pieces = [p[c] for p in parts]
        for p in parts:
            del p[c]
        if pieces and all(isinstance(x.dtype, pd.CategoricalDtype) for x in pieces):
            # categories stay sorted (sorting by the column = sorting by its strings)
            cols[c] = pd.Series(union_categoricals([x.array for x in pieces], sort_categories=True), copy=False)
        else:
            cols[c] = pd.concat(pieces, ignore_index=True) if pieces else pd.Series([], dtype=object)
        del pieces
        if big:
            release_memory()  # the chunks' column is freed: give it back before the next one
    parts.clear()
    return pd.DataFrame(cols, columns=list(columns), copy=False)


def build_token_tables(
    sentences: pd.DataFrame,
    *,
    stopwords: frozenset[str] | None = None,
    phrases: Sequence[str] | None = None,
    collocations: bool = True,
    chunk_size: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the corpus ``tokens`` and ``terms`` tables from a ``sentences`` table.

    Input columns: ``sent_id, doc_id, source, norm`` (``norm`` = normalized text, same length as
    ``text``; if absent, ``text`` is used).  Offsets are into the sentence text.

    ``tokens``: one row per token (:func:`tokenize`) with ``i, start, end, token, lower, lemma,
    is_word`` (has a letter or digit) and ``is_stop`` (lower form in ``stopwords``).

    ``terms``: the counting unit.  Every word token is a term (lower-case; lemma from
    :func:`lemmatize`), except that runs matching a phrase become ONE term: phrases from
    ``phrases`` (default ``data/phrases.toml``) matched case-insensitively, longest first, with all
    dashes treated alike; the term is the phrase's canonical lower-case form with single spaces
    (``'china-central asia summit'``), ``lemma`` = term, ``is_phrase`` True, ``is_stop`` False.
    A possessive ``'s`` after a phrase stays a separate (stopword) term.  If a phrase match starts
    or ends inside a hyphenated token (``Sino-Central Asia``), the rest of that token
    (``sino``) is its own term.  With ``collocations=True`` the proper-noun bigrams found by
    :func:`proper_noun_collocations` over the whole input (count ≥ 3, both words capitalized in
    ≥ 80 % of their non-initial occurrences, LLR ≥ 10.83, no titles/stopwords) are merged the
    same way — so on a larger corpus more names become terms.  Punctuation is not a term.

    ``chunk_size`` (sentences) builds the tables chunk by chunk — same result, less memory: the
    collocation counts are merged across chunks before any term is built.
    """
    stop = load_stopwords() if stopwords is None else frozenset(stopwords)
    phrase_list = list(load_phrases() if phrases is None else phrases)
    n = len(sentences)
    size = max(1, int(chunk_size)) if chunk_size else max(n, 1)
    parts = [sentences.iloc[a:a + size] for a in range(0, n, size)] or [sentences]
    chunks = [_token_chunk(p, stop) for p in parts]
    if collocations and n:
        extra = corpus_collocations([c.tokens for c in chunks], stopwords=stop)
        phrase_list = merge_phrases(phrase_list, extra)
    rx = _phrase_regex(phrase_list)
    terms = [_term_chunk(p, c, rx, stop) for p, c in zip(parts, chunks)]
    tokens = [c.tokens for c in chunks]
    del chunks
    return concat_tables(tokens, TOKEN_COLUMNS), concat_tables(terms, TERM_COLUMNS)


def grow_codes(col: pd.Series, index: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``col``'s values in a growing ``index`` of values (values not yet in it are
    appended): how partition-wise count tables are put on one shared code space in a reduce."""
    cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype(str).astype("category")
    cats = pd.Index(cat.cat.categories.astype(str))  # (the values' own string type: Arrow strings stay Arrow)
    at = index.get_indexer(cats)  # one lookup; the new values take the next codes, in category order
    new = at < 0
    if new.any():
        index = index.append(cats[new])
        at[new] = np.arange(len(index) - int(new.sum()), len(index))
    return at[cat.cat.codes.to_numpy()].astype(np.int64), index
