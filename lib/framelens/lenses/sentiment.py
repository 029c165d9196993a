"""The sentiment lens: tone by source, by position in the article and toward each actor.

What a score is — and is not
----------------------------
Both methods are *lexicons*: they add up the prior valence of the words in a sentence
(with rules for negation, intensifiers, "but", punctuation). A score measures the **valence
of the words** an article uses, not the outlet's stance: a report that quotes a furious
critic scores negative even if the outlet agrees with no one, and a plain statement of
bad news ("the quake killed 40 people") scores negative although it takes no side.

* VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment
  Analysis of Social Media Text", ICWSM) through the ``vaderSentiment`` package, which ships
  its lexicon. ``vader_compound`` is a normalized sum in [-1, 1]; ``vader_pos/neu/neg`` are
  the shares of the text that are positive, neutral and negative.
* TextBlob's ``PatternAnalyzer`` — the sentiment lexicon of Pattern (De Smedt & Daelemans
  2012, "Pattern for Python", JMLR 13): mostly adjectives, so news verbs ("condemned",
  "praised") are invisible to it. ``textblob_polarity`` in [-1, 1] and
  ``textblob_subjectivity`` in [0, 1] (0 = factual wording, 1 = opinionated wording).

Scores are computed per sentence and aggregated (means and shares); never score a whole
article in one call — VADER's compound saturates towards ±1 on long texts.

Labels: a sentence (or a mention) is *positive* when its score is ≥ +0.05, *negative* when
≤ −0.05, *neutral* otherwise — the thresholds Hutto & Gilbert recommend for the compound
score, used for TextBlob polarity as well (:data:`THRESHOLD`).

Sentiment toward an actor (:func:`target_sentiment`, :func:`actor_sentiment`) reads the news
language around one mention (``method='news'``, :mod:`framelens.lenses.tone_model`): a news-evaluation
lexicon layered on VADER (attack and praise verbs, scandal and merit nouns, evaluative
adjectives), three rules (a verb carries its tone to its object; the target's own reported words
are not tone toward it; negation has a scope) and a small linear model fitted on the NewsMTSC
training split (Hamborg & Donnay 2021). The older clause-scoped lexicon scores (``method='vader'``
or ``'textblob'``: the clause around the mention without the name, after the target-dependent
sentiment idea of Jiang et al. 2011, "Target-dependent Twitter Sentiment Classification", ACL)
remain available and are kept as columns. Over many mentions, :func:`actor_sentiment` gives a
``stance`` only where the interval of the mean clears a "no clear stance" band fitted on NewsMTSC
(:func:`evidence_stance`); :func:`compare_outlets`, :func:`baseline_tone` and
:func:`compare_to_rest` compare tone toward an actor between outlets, against an outlet's own
baseline and against the rest, with cluster-bootstrap intervals and "cannot tell".
"""

from __future__ import annotations

import math
import os
from typing import Iterable, Mapping, NamedTuple, Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.errors import FramelensError
from framelens.lenses.stats import (
    binned_spearman,
    cluster_bootstrap,
    cluster_permutation_test,
    group_bootstrap,
    holm,
    N_PERMUTATIONS,
    N_RESAMPLES,
    paired_ratio_bootstrap_diff,
    percentile_interval,
    permutation_method,
    permutation_test,
    ratio_difference,
    ratio_resamples,
)

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.lenses.context import _segments, clause_boundaries, mention_context, new_vader, pattern_lexicon, target_context, vader_analyzer  # noqa: F401  (moved; re-exported)
from framelens.core.engine import pool as make_pool
from framelens.lenses.actors import find_mentions, find_mentions_in_text, resolve
from framelens.lenses.tone_model import interval_stance, load_lexicon, load_model, mention_features, NewsLexicon

THRESHOLD = 0.05
"""Scores ≥ +THRESHOLD are positive, ≤ −THRESHOLD negative, otherwise neutral."""

SCORE_COLUMNS = [
    "vader_compound",
    "vader_pos",
    "vader_neu",
    "vader_neg",
    "textblob_polarity",
    "textblob_subjectivity",
]
METHODS = {"vader": "vader_compound", "textblob": "textblob_polarity"}
TARGET_METHODS = ("news", "vader", "textblob")
"""Methods for tone toward a target: the news model (default) and the two clause-scoped lexicons."""
METHOD_NAMES = {"vader_compound": "VADER compound", "textblob_polarity": "TextBlob polarity",
                "textblob_subjectivity": "TextBlob subjectivity"}

# ----------------------------------------------------------------------------- scoring


def _score_one(text: str) -> tuple[float, float, float, float, float, float]:
    if not text or not text.strip():
        return (0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    v = vader_analyzer().polarity_scores(text)
    p = pattern_lexicon()(text)
    return (v["compound"], v["pos"], v["neu"], v["neg"], float(p[0]), float(p[1]))


def _score_many(texts: Sequence[str]) -> list[tuple[float, ...]]:
    return [_score_one(t) for t in texts]


_POOL_MIN = 20_000  # unique texts: below this a process pool costs more than it saves


def score_texts(texts: Iterable[str], *, workers: int | None = None) -> pd.DataFrame:
    """Score each text (normally one sentence) with VADER and TextBlob/Pattern.

    Returns a DataFrame aligned with ``texts`` (same length and order, RangeIndex) with
    :data:`SCORE_COLUMNS`. Identical texts are scored once. ``workers``: number of processes
    (``None`` = one process below 20,000 distinct texts, else all CPUs; ``1`` = never a pool).
    Empty texts score 0 (neutral). Pass sentences, not whole articles (VADER saturates).
    """
    texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
    if not texts:
        return pd.DataFrame({c: pd.Series([], dtype=float) for c in SCORE_COLUMNS})
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    uniq = list(uniques)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(uniq) >= _POOL_MIN else 1
    workers = max(1, int(workers))
    vader_analyzer(), pattern_lexicon()  # load lexicons before forking so children inherit them
    if workers == 1 or len(uniq) < 2 * workers:
        rows = _score_many(uniq)
    else:
        rows = _score_in_pool(uniq, workers)
    arr = np.asarray(rows, dtype=float).reshape(len(uniq), len(SCORE_COLUMNS))[codes]
    return pd.DataFrame(arr, columns=SCORE_COLUMNS)


def _score_in_pool(texts: list[str], workers: int) -> list[tuple[float, ...]]:
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    n_chunks = workers * 4
    size = math.ceil(len(texts) / n_chunks)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    out: list[tuple[float, ...]] = []

    with make_pool(workers, ctx) as ex:
        for part in ex.map(_score_many, chunks):
            out.extend(part)
    return out


def tone(score: float, *, threshold: float = THRESHOLD) -> str:
    """'positive' if score ≥ threshold, 'negative' if ≤ −threshold, else 'neutral'."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "neutral"
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


# --------------------------------------------------------------------- sentence table

SENTENCE_COLUMNS = ["sent_id", "doc_id", "source", "label", "para_id", "sent_index", "position",
                    "text", "n_words", *SCORE_COLUMNS]
#: the columns of the sentence table report 03 reads (its figures, the extremes, the most subjective
#: sentences and the disagreements take nothing else; the text is fetched by id for the rows shown):
#: at 100,000 articles, 2.2 M rows of six columns instead of thirteen
SHOWN_COLUMNS = ["sent_id", "source", "label", "vader_compound", "textblob_polarity", "textblob_subjectivity"]


def _labels(corpus: CorpusLike) -> dict[str, str]:
    return corpus.labels


def sentence_scores(corpus: CorpusLike, *, workers: int | None = None) -> pd.DataFrame:
    """Every body sentence of ``corpus`` with both methods' scores.

    Columns: ``sent_id, doc_id, source, label (outlet), para_id, sent_index, position (0..1 in
    its document), text, n_words`` and :data:`SCORE_COLUMNS`. The normalized text (plain
    quotes and dashes, so negations like "don’t" are recognized) is what is scored.
    """
    s = corpus.sentences
    scores = score_texts(s["norm"].tolist(), workers=workers)
    out = s[["sent_id", "doc_id", "source", "para_id", "sent_index", "position", "text", "n_words"]].reset_index(drop=True)
    out.insert(3, "label", out["source"].map(_labels(corpus)).fillna(out["source"]))
    for c in SCORE_COLUMNS:
        out[c] = scores[c].to_numpy()
    return out[SENTENCE_COLUMNS]


def _check(scores: pd.DataFrame, needed: Iterable[str], what: str) -> None:
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise FramelensError(f"{what}: scores table lacks column(s) {', '.join(missing)} "
                             "(pass the table from sentiment.sentence_scores)")


def _value(value: str) -> str:
    return METHODS.get(value, value)


# ----------------------------------------------------------------------- aggregation

AGG_COLUMNS = ["n", "vader_mean", "vader_share_pos", "vader_share_neu", "vader_share_neg", "textblob_mean",
               "textblob_share_pos", "textblob_share_neu", "textblob_share_neg", "subjectivity_mean"]
#: what every sentiment table is summed from, per sentence (then per document, unit, partition)
SUM_COLUMNS = ["n", "v_sum", "v_pos", "v_neg", "t_sum", "t_pos", "t_neg", "s_sum", "s_subj", "vv", "tt", "vt", "same"]


def _sentence_sums(scores: pd.DataFrame, *, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Per sentence (rows of ``scores``, index reset): the summable columns of :data:`SUM_COLUMNS`
    — 1, the scores, positive / negative indicators, subjective indicator, squares and products
    of the two lexicons' scores, same-class indicator. Sums of them over any group are the
    mergeable partials of every sentiment table."""
    n = len(scores)
    a = scores["vader_compound"].to_numpy(dtype=float)
    b = scores["textblob_polarity"].to_numpy(dtype=float)
    sub = (scores["textblob_subjectivity"].to_numpy(dtype=float) if "textblob_subjectivity" in scores.columns
           else np.full(n, np.nan))
    return pd.DataFrame({
        "n": np.ones(n, dtype=np.int64), "v_sum": a, "v_pos": (a >= threshold).astype(int),
        "v_neg": (a <= -threshold).astype(int), "t_sum": b, "t_pos": (b >= threshold).astype(int),
        "t_neg": (b <= -threshold).astype(int), "s_sum": sub, "s_subj": (sub > SUBJECTIVE).astype(int),
        "vv": a * a, "tt": b * b, "vt": a * b, "same": (_classes(a, threshold) == _classes(b, threshold)).astype(int)})


def _means(g: pd.DataFrame) -> pd.DataFrame:
    """:func:`aggregate`'s columns from summed :data:`SUM_COLUMNS` (one row per group)."""
    N = g["n"].to_numpy(dtype=float)
    out = pd.DataFrame({"n": g["n"].to_numpy().astype(int)}, index=g.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, p in (("vader", "v"), ("textblob", "t")):
            out[f"{name}_mean"] = g[f"{p}_sum"].to_numpy(dtype=float) / N
            pos_, neg_ = g[f"{p}_pos"].to_numpy() / N, g[f"{p}_neg"].to_numpy() / N
            out[f"{name}_share_pos"], out[f"{name}_share_neu"], out[f"{name}_share_neg"] = pos_, 1.0 - pos_ - neg_, neg_
        out["subjectivity_mean"] = g["s_sum"].to_numpy(dtype=float) / N
    return out[AGG_COLUMNS]


def aggregate(scores: pd.DataFrame, by: str | Sequence[str] = ("source",), *,
              threshold: float = THRESHOLD) -> pd.DataFrame:
    """Sentence scores aggregated to paragraphs, documents or sources.

    ``by`` is ``('source',)``, ``('doc_id',)``, ``('para_id',)`` or any column list. Per group:
    ``n`` sentences; for VADER and TextBlob the mean and the shares of positive / neutral /
    negative sentences (score ≥ +threshold / in between / ≤ −threshold, default 0.05);
    mean subjectivity. A ``label`` (outlet) column is kept when present and constant per group.
    Computed from summed partials (:func:`_sentence_sums`), as the lens store's reduce does.
    """
    by = [by] if isinstance(by, str) else list(by)
    _check(scores, [*by, "vader_compound", "textblob_polarity", "textblob_subjectivity"], "aggregate")
    keep_label = "label" in scores.columns and "label" not in by
    keys = scores[by + (["label"] if keep_label else [])].reset_index(drop=True)
    g = pd.concat([keys, _sentence_sums(scores, threshold=threshold)], axis=1).groupby(by, sort=False)
    out = _means(g[SUM_COLUMNS].sum())
    if keep_label:
        out.insert(0, "label", g["label"].first())
    return out.reset_index()


def _score_units(scores: pd.DataFrame, value: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per unit: ``(sums, counts)`` of what is resampled for ``value`` — its documents when it has
    several, else its sentences (a table without ``doc_id``: every sentence is a document)."""
    doc = (scores["doc_id"].astype(str).to_numpy() if "doc_id" in scores.columns
           else np.arange(len(scores)).astype(str))
    d = pd.DataFrame({"doc_id": doc, "source": scores["source"].to_numpy(), "x": scores[value].to_numpy(dtype=float),
                      "n": 1})
    doc_sums = d.groupby("doc_id", sort=False).agg(source=("source", "first"), x=("x", "sum"), n=("n", "sum")).reset_index()
    units = _resampling(doc_sums, d, {"m": ("x", "x")})
    return {s: u["m"] for s, u in units.items()}


def source_intervals(scores: pd.DataFrame, *, value: str = "vader_compound", n_resamples: int = N_RESAMPLES,
                     level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Each source's mean sentence score with a percentile bootstrap interval.

    Returns ``source, label, method, n, mean, ci_low, ci_high``. The *documents* of a source with
    several are resampled (a cluster bootstrap, :func:`framelens.lenses.stats.cluster_bootstrap`:
    sentences of one article are not independent), the sentences of a source with one document
    (or of a table without ``doc_id``); seeded. The same function as the lens store's reduce. With
    few sentences or documents the interval is wide, and with one sentence it has zero width —
    read n beside it.
    """
    value = _value(value)
    _check(scores, ["source", value], "source_intervals")
    order = list(pd.unique(scores["source"]))
    n = scores.groupby("source", sort=False).size()
    return _intervals_from(_score_units(scores, value), n, order, _label_map(scores), METHOD_NAMES.get(value, value),
                           n_resamples=n_resamples, level=level, seed=seed)


def _intervals_from(units, n, order, labels, method: str, *, n_resamples: int, level: float = 0.95,
                    seed: int) -> pd.DataFrame:

    rows = []
    for s in order:
        est, lo, hi = cluster_bootstrap(*units[s], n_resamples=n_resamples, level=level, seed=seed)
        rows.append({"source": s, "label": labels.get(s, s), "method": method, "n": int(n[s]), "mean": est,
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["source", "label", "method", "n", "mean", "ci_low", "ci_high"])


def _label_map(df: pd.DataFrame) -> dict:
    if "label" in df.columns:
        return dict(zip(df["source"], df["label"]))
    return {s: s for s in df["source"].unique()}


MIN_N = 10
"""Fewer sentences than this in either source: the pair is reported as "cannot tell apart"."""

PAIRWISE_COLUMNS = ["a", "b", "label_a", "label_b", "n_a", "n_b", "diff", "p", "test", "p_holm", "verdict"]


def pairwise_tests(scores: pd.DataFrame, *, value: str = "vader_compound", n_permutations: int = N_PERMUTATIONS,
                   seed: int = 0, alpha: float = 0.05, min_n: int = MIN_N) -> pd.DataFrame:
    """Permutation test of the difference in mean sentence score for every pair of sources.

    Returns ``a, b, label_a, label_b, n_a, n_b, diff (mean a − mean b), p, test, p_holm, verdict``.
    Two sources of one document each (or a table without ``doc_id``): their sentences are
    relabelled, and ``test`` says how p was found — exact (every relabelling), Monte Carlo
    (``n_permutations`` random relabellings) or, for two large sources, the normal approximation
    to the permutation distribution (:func:`framelens.lenses.stats.permutation_test`). Otherwise whole
    documents are relabelled (:func:`framelens.lenses.stats.cluster_permutation_test`; ``exact
    (documents)`` / ``Monte Carlo (documents)``, or ``normal approximation (documents)`` when both
    hold at least 30 documents and 300 together: its cost does not grow with the relabellings).
    ``p_holm`` is Holm-corrected over all pairs; the
    plain-language ``verdict`` uses it: a pair differs only when p_holm < alpha and both sources
    have at least ``min_n`` sentences, otherwise "cannot tell apart". One source gives an empty
    table (a comparison needs two). The same function as the lens store's reduce.
    """
    value = _value(value)
    _check(scores, ["source", value], "pairwise_tests")
    order = list(pd.unique(scores["source"]))
    n = scores.groupby("source", sort=False).size()
    return _pairwise_from(_score_units(scores, value) if len(order) >= 2 else {}, n, order, _label_map(scores),
                          n_permutations=n_permutations, seed=seed, alpha=alpha, min_n=min_n)


def _pairwise_from(units, n, chosen, labels, *, n_permutations: int, seed: int, alpha: float = 0.05,
                   min_n: int = MIN_N) -> pd.DataFrame:

    if len(chosen) < 2:
        return pd.DataFrame(columns=PAIRWISE_COLUMNS)
    prow = []
    for i, a_ in enumerate(chosen):
        for b_ in chosen[i + 1:]:
            (sa, ca), (sb, cb) = units[a_], units[b_]
            if (ca == 1).all() and (cb == 1).all():  # sentences (two single-article units)
                diff, p = permutation_test(sa, sb, n_permutations=n_permutations, seed=seed, approximate=True)
                test = permutation_method(len(sa), len(sb), n_permutations)
            else:  # whole documents relabelled (the normal approximation for two large groups, as in the profiles)
                diff, p = cluster_permutation_test(sa, ca, sb, cb, n_permutations=n_permutations, seed=seed,
                                                   approximate=True)
                test = f"{permutation_method(len(sa), len(sb), n_permutations)} (documents)"
            prow.append({"a": a_, "b": b_, "n_a": int(n[a_]), "n_b": int(n[b_]), "diff": diff, "p": p, "test": test})
    pairwise = pd.DataFrame(prow, columns=["a", "b", "n_a", "n_b", "diff", "p", "test"])
    pairwise["p_holm"] = holm(pairwise["p"].to_numpy())
    pairwise["label_a"] = pairwise["a"].map(labels)
    pairwise["label_b"] = pairwise["b"].map(labels)
    pairwise["verdict"] = [_verdict(r, alpha, min_n) for r in pairwise.itertuples(index=False)]
    return pairwise[PAIRWISE_COLUMNS]


def _verdict(r, alpha: float, min_n: int) -> str:
    if min(r.n_a, r.n_b) < min_n:
        return f"cannot tell apart (too few sentences: n = {r.n_a} and {r.n_b})"
    if not (r.p_holm < alpha):
        return f"cannot tell apart (p = {r.p_holm:.2f} after Holm correction)"
    hi, lo = (r.label_a, r.label_b) if r.diff > 0 else (r.label_b, r.label_a)
    return f"{hi} more positive than {lo} (difference {abs(r.diff):.2f}, p = {r.p_holm:.3f})"


# ---------------------------------------------------------------- method agreement

def method_agreement(scores: pd.DataFrame) -> pd.DataFrame:
    """How far the two lexicons agree, sentence by sentence.

    Returns ``source, label, n, pearson, spearman, same_label_share`` per source plus a final
    row ``source='all'`` over every sentence. Correlations are NaN when a source has fewer
    than 3 sentences or one method is constant. ``same_label_share`` is the share of
    sentences that both methods put in the same positive/neutral/negative class. Pearson's
    coefficient comes from sums (exact); Spearman's from a joint histogram of the two scores
    (:data:`AGREEMENT_BINS` bins, mid-ranks: :func:`framelens.lenses.stats.binned_spearman`): scores
    closer than 0.005 count as tied, so it can differ from the exact coefficient by about 0.02.
    The same function as the lens store's reduce.
    """
    _check(scores, ["source", "vader_compound", "textblob_polarity"], "method_agreement")
    order = list(pd.unique(scores["source"]))
    sums = pd.concat([scores[["source"]].reset_index(drop=True), _sentence_sums(scores)], axis=1)
    src = sums.groupby("source", sort=False)[SUM_COLUMNS].sum()
    return _agreement_from(src, _agreement_hist(scores), order, _label_map(scores))


def _agreement_hist(scores: pd.DataFrame) -> pd.DataFrame:
    """The joint histogram of the two lexicons' scores per unit: ``source, ia, ib, count``."""
    hist = pd.DataFrame({"source": scores["source"].to_numpy(),
                         "ia": _bin_scores(scores["vader_compound"].to_numpy(dtype=float)),
                         "ib": _bin_scores(scores["textblob_polarity"].to_numpy(dtype=float))})
    return hist.groupby(["source", "ia", "ib"], sort=False).size().rename("count").reset_index()


def _agreement_from(src: pd.DataFrame, hist: pd.DataFrame, order, labels) -> pd.DataFrame:

    mats: dict[str, np.ndarray] = {}
    if len(hist):
        h = hist.groupby(["source", "ia", "ib"], sort=False)["count"].sum().reset_index()
        for s, gg in h.groupby("source", sort=False):
            m = np.zeros((AGREEMENT_BINS, AGREEMENT_BINS))
            np.add.at(m, (gg["ia"].to_numpy(), gg["ib"].to_numpy()), gg["count"].to_numpy())
            mats[s] = m
    arows = []
    for s, r in [(s, src.loc[s]) for s in order] + [("all", src.sum() if len(src) else None)]:
        if r is None:
            continue
        N = float(r["n"])
        pear = math.nan
        if N >= 3:
            ma, mb = r["v_sum"] / N, r["t_sum"] / N
            va, vb = r["vv"] / N - ma * ma, r["tt"] / N - mb * mb
            if va > 1e-15 and vb > 1e-15:
                pear = float(max(-1.0, min(1.0, (r["vt"] / N - ma * mb) / math.sqrt(va * vb))))
        m = mats.get(s) if s != "all" else (sum(mats.values()) if mats else None)
        arows.append({"source": s, "label": labels.get(s, "all sources") if s != "all" else "all sources",
                      "n": int(N), "pearson": pear,
                      "spearman": binned_spearman(m) if m is not None and not math.isnan(pear) else math.nan,
                      "same_label_share": float(r["same"] / N) if N else math.nan})
    return pd.DataFrame(arows, columns=["source", "label", "n", "pearson", "spearman", "same_label_share"])


def _classes(x: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    return np.where(x >= threshold, 1, np.where(x <= -threshold, -1, 0))


def disagreements(scores: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """The sentences where VADER and TextBlob disagree most.

    Each method's scores are standardized over all sentences (z-scores) and sentences are
    ranked by ``|z(vader) − z(textblob)|``. Returns ``sent_id, source, label, text,
    vader_compound, textblob_polarity, gap`` (gap = z(vader) − z(textblob); positive means VADER
    reads the sentence more positively than TextBlob).
    """
    _check(scores, ["sent_id", "source", "vader_compound", "textblob_polarity"], "disagreements")
    cols = ["sent_id", "source", "label", "text", "vader_compound", "textblob_polarity", "gap"]
    cols = [c for c in cols if c != "text" or "text" in scores.columns]  # scores read without text: added after
    if len(scores) < 2:
        return pd.DataFrame(columns=cols)
    gap = (_z(scores["vader_compound"]) - _z(scores["textblob_polarity"])).to_numpy()
    rows = _largest(np.abs(gap), top)  # the rows a stable sort of the whole table would put first
    df = scores.iloc[rows][[c for c in cols if c in scores.columns]].copy()
    if "label" not in df.columns:
        df["label"] = df["source"]
    df["gap"] = gap[rows]
    return df[cols].reset_index(drop=True)


def _largest(values: np.ndarray, top: int) -> np.ndarray:
    """Positions of the ``top`` largest ``values``, largest first, ties in their order: the first
    ``top`` rows of a stable descending sort, found without sorting every value (a per-sentence
    table has 2.2 million rows at 100,000 articles). NaN counts as the smallest."""
    top = max(0, int(top))
    v = np.where(np.isnan(values), -np.inf, values)
    if top >= len(v):
        cand = np.arange(len(v))
    elif top == 0:
        return np.zeros(0, dtype=np.int64)
    else:
        cut = np.partition(v, len(v) - top)[len(v) - top]  # the top-th largest value
        cand = np.flatnonzero(v >= cut)  # it and every tie of it, in table order
    return cand[np.argsort(-v[cand], kind="stable")][:top]


def _z(s: pd.Series) -> pd.Series:
    sd = s.std(ddof=0)
    return (s - s.mean()) / sd if sd > 0 else s * 0.0


# ------------------------------------------------------------------------------ arc

def arc(scores: pd.DataFrame, *, value: str = "vader_compound", bins: int = 10, smooth: int = 3) -> pd.DataFrame:
    """Tone along the article: mean score by relative position (0 = first sentence, 1 = last).

    Positions are cut into ``bins`` equal bins; per source and bin: ``n`` sentences, ``mean``
    and ``smoothed`` = n-weighted moving average over ``smooth`` neighbouring bins (centred;
    1 or 0 = no smoothing). Documents of different lengths are aligned by relative position, so
    a bin of a short article may hold one sentence — read n. Empty bins have n = 0 and mean NaN.
    Returns ``source, label, bin, position (bin centre), n, mean, smoothed``. Built from sums per
    unit × bin (:func:`_arc_sums`), as the lens store's reduce does.
    """
    value = _value(value)
    _check(scores, ["source", "position", value], "arc")
    if bins < 1:
        raise FramelensError(f"arc: bins must be at least 1, got {bins}")
    return _arc_from(_arc_sums(scores, value=value, bins=bins), list(pd.unique(scores["source"])),
                     _label_map(scores), bins=bins, smooth=smooth)


def _arc_sums(scores: pd.DataFrame, *, value: str = "vader_compound", bins: int = 10) -> pd.DataFrame:
    """The arc's partial: ``source, bin, size, sum`` of ``value`` per unit × position bin."""
    bins = max(1, int(bins))
    df = pd.DataFrame({"source": scores["source"].to_numpy(),
                       "bin": np.minimum((scores["position"].to_numpy(dtype=float) * bins).astype(int), bins - 1),
                       "v": scores[value].to_numpy(dtype=float)})
    return df.groupby(["source", "bin"], sort=False)["v"].agg(["size", "sum"]).reset_index()


def _arc_from(arc_sums: pd.DataFrame, order, labels, *, bins: int, smooth: int) -> pd.DataFrame:
    bins = max(1, int(bins))
    g = (arc_sums.groupby(["source", "bin"], sort=False)[["size", "sum"]].sum().reset_index()
         if len(arc_sums) else pd.DataFrame(columns=["source", "bin", "size", "sum"]))
    full = pd.MultiIndex.from_product([order, range(bins)], names=["source", "bin"]).to_frame(index=False)
    out = full.merge(g, on=["source", "bin"], how="left").fillna({"size": 0, "sum": 0.0})
    out["n"] = out["size"].astype(int)
    out["mean"] = np.where(out["n"] > 0, out["sum"] / out["n"].where(out["n"] > 0, 1), np.nan)
    w = max(1, int(smooth or 1))
    roll = lambda s_: s_.rolling(w, center=True, min_periods=1).sum()  # noqa: E731
    num = out.groupby("source", sort=False)["sum"].transform(roll)
    den = out.groupby("source", sort=False)["n"].transform(roll)
    out["smoothed"] = np.where(den > 0, num / den.where(den > 0, 1), np.nan)
    out["position"] = (out["bin"] + 0.5) / bins
    out["label"] = out["source"].map(labels)
    return out[["source", "label", "bin", "position", "n", "mean", "smoothed"]]


# ---------------------------------------------------------------- extremes, subjectivity

def extremes(scores: pd.DataFrame, *, top: int = 2, value: str = "vader_compound") -> pd.DataFrame:
    """The ``top`` most positive and ``top`` most negative sentences of each source.

    Only sentences on the right side of zero qualify (a source with no negative sentence shows
    no "most negative" row). Returns ``source, label, kind, rank, sent_id, text, vader_compound,
    textblob_polarity`` (``text`` when ``scores`` has it; a report reads the scores without their
    text and adds it to the rows shown with :meth:`framelens.store.lens_store.LensStore.with_text`).
    """
    value = _value(value)
    _check(scores, ["sent_id", "source", value], "extremes")
    cols = ["source", "label", "kind", "rank", "sent_id", "text", "vader_compound", "textblob_polarity"]
    cols = [c for c in cols if c != "text" or "text" in scores.columns]  # scores read without text: added after
    df = scores.copy()
    if "label" not in df.columns:
        df["label"] = df["source"]
    parts = []
    for kind, sign in (("most positive", 1), ("most negative", -1)):
        d = df[df[value] * sign > 0].sort_values(value, ascending=sign < 0, kind="stable")
        d = d.groupby("source", sort=False).head(top).copy()
        d["kind"] = kind
        d["rank"] = d.groupby("source", sort=False).cumcount() + 1
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    order = {s: i for i, s in enumerate(pd.unique(scores["source"]))}
    out = out.sort_values(["source", "kind", "rank"], key=lambda c: c.map(order) if c.name == "source" else c,
                          kind="stable")
    return out[cols].reset_index(drop=True)


SUBJECTIVE = 0.5
"""A sentence with TextBlob subjectivity above this is counted as subjective wording."""


def subjectivity(scores_or_corpus, *, top: int = 3, n_resamples: int = N_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Subjective wording per source (TextBlob/Pattern subjectivity, 0 factual … 1 opinionated).

    Accepts the table from :func:`sentence_scores` or a Corpus. Returns ``source, label, n,
    mean, ci_low, ci_high`` (resampling documents when a source has several, as
    :func:`source_intervals`), ``share_subjective`` (share of sentences above 0.5) and
    ``evidence`` (the ``top`` most subjective sent_ids, ';'-separated). See
    :func:`most_subjective` for the sentences themselves. Subjectivity measures opinion-laden
    *words* (adjectives such as "significant", "great"), not whether the outlet editorializes.
    The same function as the lens store's reduce.
    """
    scores = _as_scores(scores_or_corpus)
    _check(scores, ["sent_id", "source", "textblob_subjectivity"], "subjectivity")
    order = list(pd.unique(scores["source"]))
    sub = scores["textblob_subjectivity"].to_numpy(dtype=float)
    src = pd.DataFrame({"source": scores["source"].to_numpy(), "n": 1, "s_subj": (sub > SUBJECTIVE).astype(int)}
                       ).groupby("source", sort=False).sum()
    return _subjectivity_from(_score_units(scores, "textblob_subjectivity"), src, _subjective_top(scores, top),
                              order, _label_map(scores), top=top, n_resamples=n_resamples, seed=seed)


def _subjective_top(scores: pd.DataFrame, top: int) -> pd.DataFrame:
    """The partial behind ``evidence``: the ``top`` most subjective sentences per unit."""
    best = scores[scores["textblob_subjectivity"] > 0].sort_values("textblob_subjectivity", ascending=False,
                                                                   kind="stable")
    return best.groupby("source", sort=False).head(top)[["source", "sent_id", "textblob_subjectivity"]].reset_index(drop=True)


def _subjectivity_from(units, src: pd.DataFrame, best: pd.DataFrame, order, labels, *, top: int, n_resamples: int,
                       seed: int) -> pd.DataFrame:

    if len(best):
        best = best.sort_values("textblob_subjectivity", ascending=False, kind="stable").groupby("source", sort=False).head(top)
        ev = best.groupby("source", sort=False)["sent_id"].agg(lambda x: ";".join(map(str, x)))
    else:
        ev = pd.Series(dtype=object)
    srows = []
    for s in order:
        n = int(src.loc[s, "n"])
        est, lo, hi = cluster_bootstrap(*units[s], n_resamples=n_resamples, seed=seed)
        srows.append({"source": s, "label": labels.get(s, s), "n": n, "mean": est, "ci_low": lo, "ci_high": hi,
                      "share_subjective": float(src.loc[s, "s_subj"] / n) if n else np.nan,
                      "evidence": ev.get(s, "")})
    return pd.DataFrame(srows, columns=["source", "label", "n", "mean", "ci_low", "ci_high", "share_subjective",
                                        "evidence"])


def most_subjective(scores_or_corpus, *, top: int = 3) -> pd.DataFrame:
    """The ``top`` most subjective sentences of each source: ``source, label, rank, sent_id, text,
    textblob_subjectivity, textblob_polarity, vader_compound``."""
    scores = _as_scores(scores_or_corpus)
    df = scores.copy()
    if "label" not in df.columns:
        df["label"] = df["source"]
    df = df[df["textblob_subjectivity"] > 0].sort_values("textblob_subjectivity", ascending=False, kind="stable")
    df = df.groupby("source", sort=False).head(top).copy()
    df["rank"] = df.groupby("source", sort=False).cumcount() + 1
    order = {s: i for i, s in enumerate(pd.unique(scores["source"]))}
    df = df.sort_values(["source", "rank"], key=lambda c: c.map(order) if c.name == "source" else c, kind="stable")
    return df[[c for c in ["source", "label", "rank", "sent_id", "text", "textblob_subjectivity", "textblob_polarity",
                           "vader_compound"] if c != "text" or c in df.columns]].reset_index(drop=True)


def shown_extremes(stored, scores: pd.DataFrame, *, top: int = 2) -> pd.DataFrame:
    """:func:`extremes` of ``scores`` (``top`` per unit), read from the sentiment part's stored
    ``extremes`` table (``stored``: the part's tables) when ``top`` ≤ :data:`STORED_TOP`: that table
    is :func:`extremes` of every sentence with :data:`STORED_TOP` per unit, so its first ``top`` per
    unit are the same rows, and no sort of the whole per-sentence table is needed."""
    return _like(extremes(stored["extremes"] if top <= STORED_TOP else scores, top=top), scores)


def shown_most_subjective(stored, scores: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """:func:`most_subjective` of ``scores``, from the stored ``most_subjective`` table when
    ``top`` ≤ :data:`STORED_TOP` (as :func:`shown_extremes`)."""
    return _like(most_subjective(stored["most_subjective"] if top <= STORED_TOP else scores, top=top), scores)


def _like(rows: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``rows`` without ``text`` when ``scores`` has none (the stored tables keep it): the same
    columns as from ``scores`` itself."""
    return rows if "text" in scores.columns else rows.drop(columns=["text"], errors="ignore")


def _as_scores(x) -> pd.DataFrame:
    if isinstance(x, pd.DataFrame):
        return x
    if hasattr(x, "sentences") and hasattr(x, "sources"):
        return sentence_scores(x)
    raise FramelensError(f"sentiment: expected a Corpus or a sentence-scores table, got {type(x).__name__}")


# ------------------------------------------------------------ sentiment toward a target


def _score_context(text: str, method: str) -> float:
    if not text:
        return 0.0
    if method == "vader":
        return float(vader_analyzer().polarity_scores(text)["compound"])
    return float(pattern_lexicon()(text)[0])


def target_sentiment(sentence: str, start: int, end: int, *, method: str = "news",
                     others: Sequence[tuple[int, int]] | None = None, scope: str = "clause",
                     window: int = 6, threshold: float = THRESHOLD, lexicon=None) -> tuple[float, str]:
    """Sentiment toward the mention at ``sentence[start:end]``: ``(score in [-1, 1], label)``.

    ``method='news'`` (default): the news model of :mod:`framelens.lenses.tone_model` — a news-evaluation
    lexicon layered on VADER, three rules (a verb whose object is the target carries its tone to
    it: "X blasted Y" is negative for Y; the target's own reported words are not tone toward it:
    in "Clinton said the plan is a disaster" the disaster is the plan's; negation reverses the
    evaluative words up to the end of its clause) and a linear model over those features fitted on
    NewsMTSC (Hamborg & Donnay 2021). ``score`` = P(positive) − P(negative); ``label`` = the most
    probable of negative / neutral / positive (``threshold`` is not used). Cross-validated
    macro-F1 on NewsMTSC ≈ 0.62, against 0.53 for the clause-scoped VADER below.

    ``method='vader'`` / ``'textblob'``: the lexicon score of :func:`target_context` — the clause
    that speaks about this mention (or a token window, ``scope='window'``), without the mention's
    own words — by VADER compound (Hutto & Gilbert 2014) or Pattern polarity; label: positive
    ≥ +``threshold``, negative ≤ −``threshold``, else neutral. "China praised the deal but Russia
    condemned it" → China positive ("praised the deal"), Russia negative ("condemned it").

    ``others``: spans of other actor mentions in the sentence (they split the clause between
    actors); ``None`` finds them with the default actor table. ``lexicon``: your own news lexicon
    (a path or :func:`framelens.lenses.tone_model.load_lexicon` result; the weights were fitted with the
    packaged one). Both methods read the valence of
    words near a name and a few grammatical patterns, which is often — not always — tone *toward*
    that actor. Read the evidence sentences.
    """
    if method not in TARGET_METHODS:
        raise FramelensError(f"target_sentiment: method must be one of {', '.join(TARGET_METHODS)}, got {method!r}")
    if method == "news":
        if not (0 <= start < end <= len(sentence)):
            raise FramelensError(f"target_sentiment: span [{start}, {end}) is outside the sentence (length {len(sentence)})")

        lex = _news_lexicon(lexicon)
        x, w = mention_features(sentence, start, end, others=_default_others(sentence) if others is None else others,
                                lexicon=lex)
        model = load_model()
        p = model.proba(x[None, :], [w])[0]
        score = float(p[model.classes.index("positive")] - p[model.classes.index("negative")])
        return score, model.classes[int(p.argmax())]
    ctx = target_context(sentence, start, end, others=others, scope=scope, window=window)
    score = _score_context(ctx, method)
    return score, tone(score, threshold=threshold)


def _news_lexicon(lexicon):
    if lexicon is None or lexicon == "":
        return None

    return lexicon if isinstance(lexicon, NewsLexicon) else load_lexicon(lexicon)


def _default_others(sentence: str) -> list[tuple[int, int]]:
    try:

        return [(s, e) for _a, s, e in find_mentions_in_text(sentence)]
    except FramelensError:
        return []


# ---------------------------------------------------------------- actor sentiment

class ActorSentiment(NamedTuple):
    """``mentions``: one row per mention; ``table``: the source × actor aggregate."""
    mentions: pd.DataFrame
    table: pd.DataFrame


MENTION_COLUMNS = ["sent_id", "doc_id", "source", "label", "actor", "kind", "alias", "start", "end",
                   "context", "score", "tone", "p_negative", "p_neutral", "p_positive", "vader", "textblob", "text"]
ACTOR_COLUMNS = ["source", "label", "actor", "n", "n_sentences", "mean", "ci_low", "ci_high", "stance",
                 "share_pos", "share_neg", "textblob_mean", "evidence"]

STANCE_BANDS = {"news": 0.30, "vader": 0.25, "textblob": 0.15}
"""Half-widths of the "no clear stance" band around 0 for each method (see :func:`stance`).
Fallbacks: the packaged model file carries the calibrated values, which take precedence."""
STANCE_PRIORS = {"news": 0.0, "vader": 0.0, "textblob": 0.0}
"""Neutral pseudo-mentions added before the band is applied (see :func:`stance`); fallbacks."""


def stance_bands() -> dict[str, float]:
    """The calibrated bands: those stored with the packaged tone model, else :data:`STANCE_BANDS`."""
    return _stance_setting("stance_band", STANCE_BANDS)


def stance_priors() -> dict[str, float]:
    """The calibrated priors: those stored with the packaged tone model, else :data:`STANCE_PRIORS`."""
    return _stance_setting("stance_prior", STANCE_PRIORS)


def _stance_setting(key: str, default: dict) -> dict[str, float]:
    try:

        got = load_model().about.get(key, {})
    except FramelensError:  # pragma: no cover - a broken model file is reported elsewhere
        got = {}
    return {**default, **{k: float(v) for k, v in got.items() if k in default}}


STANCE_RULES = {"news": {"band": 0.025, "z": 1.1}, "vader": {"band": 0.1, "z": 0.6},
                "textblob": {"band": 0.025, "z": 0.5}}
"""Fallbacks of the evidence rule of :func:`evidence_stance` (the packaged model file carries the
calibrated values, which take precedence)."""


def stance_rules() -> dict[str, dict[str, float]]:
    """The calibrated ``{"band", "z"}`` of :func:`evidence_stance` per method."""
    try:

        got = load_model().about.get("stance_rule", {})
    except FramelensError:  # pragma: no cover - a broken model file is reported elsewhere
        got = {}
    return {k: {**v, **{kk: float(vv) for kk, vv in got.get(k, {}).items()}} for k, v in STANCE_RULES.items()}


def evidence_stance(mean, n, sd, *, method: str = "news", band: float | None = None, z: float | None = None):
    """The stance the mentions support: ``positive`` when the whole interval ``mean ± z·se`` lies
    above ``+band``, ``negative`` when it lies below ``−band``, else ``neutral`` ("no clear
    stance": the mentions do not support a label). ``se`` is the standard error of the mean of
    ``n`` mention scores with standard deviation ``sd``, the spread pooled with 2 pseudo-mentions of
    the typical within-article spread (0.33 for the news model) so that one or two mentions never
    make a narrow interval (:func:`framelens.lenses.tone_model.stance_interval`). Scalars or arrays.

    ``band`` and ``z`` (:func:`stance_rules`) were fitted together on the NewsMTSC training split
    (Hamborg & Donnay 2021): the mentions of one target in one article grouped (≥ 2 mentions), a
    group labelled positive / negative when ≥ 2/3 of its mentions carry that label, out-of-fold
    scores, the pair maximizing accuracy + macro-F1 over the groups as they come — no assumed
    share of neutral. Article-grouped 5-fold cross-validation (1,182 groups): accuracy 0.63,
    macro-F1 0.60, against 0.62 / 0.54 for the previous shrunk-mean band and 0.53 for always
    "neutral". ``python -m tools.train_tone_model --fit`` re-runs it."""
    r = stance_rules()[method]
    out = interval_stance(np.asarray(mean, dtype=float), n, sd, band=r["band"] if band is None else float(band),
                          z=r["z"] if z is None else float(z))
    out = np.where(np.isnan(np.asarray(mean, dtype=float)), "neutral", out)
    return str(out) if out.ndim == 0 else out


def stance(mean: float, *, n: int | None = None, method: str = "news", band: float | None = None,
           prior: float | None = None) -> str:
    """The stance ``n`` mentions with mean score ``mean`` show toward an actor: ``positive`` when
    the shrunk mean ``n · mean / (n + prior)`` is above ``+band``, ``negative`` below ``−band``,
    ``neutral`` (no clear stance) in between; NaN → neutral. Without ``n`` the mean itself is used.

    Why a band and not ±0.05: a mean over many mentions is almost never that close to 0, so ±0.05
    calls nearly every actor positive or negative, while most news articles take no clear stance
    toward the actors they cover. Why a prior: one or two strongly worded mentions are weak evidence
    of an article's stance, so ``prior`` neutral pseudo-mentions pull small counts toward 0.
    ``band`` and ``prior`` (:func:`stance_bands`, :func:`stance_priors`) were calibrated together
    on the NewsMTSC training split (Hamborg & Donnay 2021): mentions of the same target in the
    same article were grouped (≥ 2 mentions), each group labelled positive or negative when at
    least two thirds of its mentions carry that label (else neutral), the out-of-fold scores of
    the news model averaged, and the pair chosen that maximizes accuracy + macro-F1 with groups
    reweighted so that three in four show no clear stance — the share of neutral main-entity
    stance in held-out news articles. ``python -m tools.train_tone_model --fit`` re-runs it."""
    b = stance_bands()[method] if band is None else band
    k = stance_priors()[method] if prior is None else prior
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "neutral"
    x = mean * n / (n + k) if n is not None and n + k > 0 else mean
    if x > b:
        return "positive"
    if x < -b:
        return "negative"
    return "neutral"


def actor_sentiment(corpus: CorpusLike, actors=None, *, method: str = "news", scope: str = "clause",
                    n_resamples: int = 1000, seed: int = 0, n_evidence: int = 3,
                    workers: int | None = None, band: float | None = None, prior: float | None = None,
                    lexicon=None) -> ActorSentiment:
    """Tone toward each actor, per mention and per source × actor.

    ``actors``: None or "" (packaged countries and organisations plus the actors discovered in
    the corpus, :func:`framelens.lenses.actors.resolve`), a path to an actor TOML file, or a table from
    ``framelens.lenses.actors.load_actors``. Each mention found by ``framelens.lenses.actors.find_mentions``
    is scored by :func:`target_sentiment` with every method (other mentions in the sentence split
    its clause); ``method`` chooses the one behind ``score``, ``tone`` and the table.

    ``mentions`` (:data:`MENTION_COLUMNS`): ``context`` (the clause the lexicon methods score),
    ``score`` and ``tone`` of ``method`` — for ``'news'`` the score is P(positive) − P(negative)
    and the tone the most probable class, with ``p_negative, p_neutral, p_positive`` —, and the
    clause scores ``vader`` and ``textblob``.

    ``table`` (:data:`ACTOR_COLUMNS`): ``source, label, actor, n`` (mentions), ``n_sentences``,
    ``mean`` score with a bootstrap interval over mentions (``ci_low, ci_high``), ``stance`` —
    negative / neutral / positive only where the mentions support it: the interval of the mean
    lies wholly beyond a "no clear stance" band, both fitted on NewsMTSC (:func:`evidence_stance`;
    ``band`` overrides the calibrated band; ``prior`` selects the previous shrunk-mean rule,
    :func:`stance`) —, ``share_pos`` and ``share_neg`` (shares of the
    mentions whose tone is positive / negative), ``textblob_mean`` and ``evidence`` (the sent_ids
    of the ``n_evidence`` most strongly scored mentions, ';'-separated). Actors mentioned only in
    titles or headings are not counted (only body sentences are scored). ``workers``: processes
    for the lexicon scores (as in :func:`score_texts`); ``lexicon``: your own news lexicon (path,
    "" = the packaged one). Caveat: the mentions of one article are
    not independent, so the interval is optimistic for an actor covered by one article.
    """

    if method not in TARGET_METHODS:
        raise FramelensError(f"actor_sentiment: method must be one of {', '.join(TARGET_METHODS)}, got {method!r}")
    actors = resolve(corpus, actors)  # "" or None: packaged countries/organisations + discovered actors
    sents = corpus.sentences
    found = find_mentions(sents[["sent_id", "doc_id", "source", "text"]], actors)
    labels = _labels(corpus)
    if found.empty:
        return ActorSentiment(pd.DataFrame(columns=MENTION_COLUMNS), pd.DataFrame(columns=ACTOR_COLUMNS))
    norm = dict(zip(sents["sent_id"], sents["norm"]))
    raw = dict(zip(sents["sent_id"], sents["text"]))
    ids, starts, ends = found["sent_id"].tolist(), found["start"].tolist(), found["end"].tolist()
    spans = _mention_spans(ids, starts, ends)
    contexts = _mention_contexts(ids, spans, norm, scope)
    ctx_scores = score_texts(contexts, workers=workers)  # identical contexts scored once
    vs = ctx_scores["vader_compound"].to_numpy(dtype=float)
    ts = ctx_scores["textblob_polarity"].to_numpy(dtype=float)
    scored = dict(zip(contexts, zip(vs.tolist(), ts.tolist(), ctx_scores["textblob_subjectivity"].tolist(),
                                    ctx_scores["vader_pos"].tolist(), ctx_scores["vader_neg"].tolist())))
    probs = _news_probabilities(ids, starts, ends, norm, spans, _news_lexicon(lexicon), scored=scored,
                                contexts=contexts if scope == "clause" else None)
    m = _mention_frame(found, labels, contexts, probs, vs, ts, raw, method)
    b = None if band is None else float(band)
    return ActorSentiment(m, _actor_table(m, n_resamples, seed, n_evidence, b, method, prior))


def _mention_spans(ids, starts, ends) -> dict[str, list[tuple[int, int]]]:
    """The ``(start, end)`` spans of the mentions in each sentence, in mention order."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for sid, s, e in zip(ids, starts, ends):
        spans.setdefault(sid, []).append((int(s), int(e)))
    return spans


def _mention_contexts(ids, spans: dict[str, list[tuple[int, int]]], norm: dict[str, str], scope: str) -> list[str]:
    """The context (:func:`mention_context`, the other mentions of the sentence splitting its
    clause) of every mention, aligned with ``ids``."""
    # contexts depend only on the sentence text and its mention spans: compute once per distinct pair
    cache: dict[tuple[str, tuple], list[str]] = {}
    by_sentence: dict[str, list[str]] = {}
    for sid, sp in spans.items():
        text = norm[sid]
        key = (text, tuple(sp))
        if key not in cache:
            segs = _segments(text) if scope == "clause" else None
            cache[key] = [mention_context(text, s, e, [o for o in sp if o != (s, e)], segs, scope, 6, 1) for s, e in sp]
        by_sentence[sid] = cache[key]
    pos: dict[str, int] = {}
    contexts = []
    for sid in ids:
        k = pos.get(sid, 0)
        contexts.append(by_sentence[sid][k])
        pos[sid] = k + 1
    return contexts


def _mention_frame(found: pd.DataFrame, labels: dict[str, str], contexts: list[str], probs: np.ndarray,
                   vs: np.ndarray, ts: np.ndarray, raw: dict[str, str], method: str) -> pd.DataFrame:
    """The ``mentions`` table of :func:`actor_sentiment` (:data:`MENTION_COLUMNS`): the found
    mentions with their label, context, news probabilities, lexicon scores, and the ``score``
    and ``tone`` of ``method``."""
    news = probs[:, 2] - probs[:, 0]
    m = found.copy()
    m.insert(3, "label", m["source"].map(labels).fillna(m["source"]))
    m["context"] = contexts
    m["p_negative"], m["p_neutral"], m["p_positive"] = probs[:, 0], probs[:, 1], probs[:, 2]
    m["vader"] = vs
    m["textblob"] = ts
    if method == "news":
        m["score"] = news
        m["tone"] = [("negative", "neutral", "positive")[i] for i in probs.argmax(axis=1)]
    else:
        m["score"] = vs if method == "vader" else ts
        m["tone"] = [tone(x) for x in m["score"]]
    m["text"] = m["sent_id"].map(raw)
    return m[MENTION_COLUMNS]


def _news_probabilities(ids, starts, ends, norm, spans, lexicon=None, *, scored=None, contexts=None) -> np.ndarray:
    """P(negative), P(neutral), P(positive) of every mention under the news model (rows in the
    order of ``ids``), one feature pass per distinct (sentence, span, other spans). ``scored``:
    texts already scored (text → VADER compound, Pattern polarity and subjectivity, VADER pos and neg), not scored
    again by the features; ``contexts``: the mentions' clause contexts (aligned with ``ids``)."""
    model = load_model()
    lexicon = lexicon if lexicon is not None else load_lexicon()
    order = [model.classes.index(c) for c in ("negative", "neutral", "positive")]
    row: dict[tuple, int] = {}  # distinct (sentence, span, other spans) → its row of features
    rows = np.zeros(len(ids), dtype=np.int64)
    xs, ws = [], []
    for i, (sid, s, e) in enumerate(zip(ids, starts, ends)):
        text = norm[sid]
        others = tuple(o for o in spans[sid] if o != (int(s), int(e)))
        key = (text, int(s), int(e), others)
        if key not in row:
            x, w = mention_features(text, int(s), int(e), others=list(others), lexicon=lexicon, scored=scored,
                                    context=contexts[i] if contexts is not None else None)
            row[key] = len(xs)
            xs.append(x)
            ws.append(w)
        rows[i] = row[key]
    if not xs:
        return np.zeros((0, 3))
    return model.proba(np.vstack(xs), ws)[:, order][rows]  # one product for all mentions


def _codes(col: pd.Series) -> np.ndarray:
    """Each row's value of ``col`` as an integer, numbered in order of first appearance (a missing
    value is a value of its own), as ``groupby(sort=False, dropna=False)`` numbers its groups."""
    return pd.factorize(col, sort=False, use_na_sentinel=False)[0].astype(np.int64)


def _cell_codes(*codes: np.ndarray) -> np.ndarray:
    """Each row's combination of several :func:`_codes`, numbered in order of first appearance:
    the groups of ``groupby([...], sort=False)``, as integers (the mention tables' grouping runs on
    these, not on their strings: at 100,000 articles, 1.7 M mentions)."""
    key = codes[0]
    for c in codes[1:]:
        key = pd.factorize(key * (int(c.max()) + 1 if len(c) else 1) + c, sort=False)[0].astype(np.int64)
    return key


def _actor_table(m: pd.DataFrame, n_resamples: int, seed: int, n_evidence: int, band: float | None,
                 method: str, prior: float | None = None) -> pd.DataFrame:
    """The source × actor table of mentions ``m``: mean score with its interval, shares, evidence
    and stance per cell, computed on integer cell codes (:func:`_cell_codes`)."""
    g = _cell_codes(_codes(m["source"]), _codes(m["actor"]))  # cells 0, 1, ... in order of first mention
    first = np.unique(g, return_index=True)[1]  # each cell's first mention
    x = m["score"].to_numpy(dtype=float)
    sid = pd.factorize(m["sent_id"], sort=False)[0]  # a missing id: -1
    t = group_bootstrap(pd.DataFrame({"g": g, "score": x}), "score", "g", n_resamples=n_resamples, seed=seed)
    tone = m["tone"]
    f = pd.DataFrame({"g": g, "score": x, "textblob": m["textblob"].to_numpy(dtype=float),
                      "_pos": tone.eq("positive").to_numpy(dtype=bool, na_value=False).astype(float),
                      "_neg": tone.eq("negative").to_numpy(dtype=bool, na_value=False).astype(float)})
    by = f.groupby("g", sort=False)
    extra = by.agg(share_pos=("_pos", "mean"), share_neg=("_neg", "mean"), textblob_mean=("textblob", "mean"))
    sd = by["score"].std(ddof=1)
    n_sent = pd.Series(np.where(sid >= 0, sid, np.nan)).groupby(g, sort=False).nunique()
    label = m["label"].reset_index(drop=True).groupby(g, sort=False).first()
    ev = (pd.DataFrame({"g": g, "sid": sid, "_a": np.abs(x)}).sort_values("_a", ascending=False, kind="stable")
          .drop_duplicates(["g", "sid"]).groupby("g", sort=False).head(n_evidence))
    ids = m["sent_id"].take(ev.index.to_numpy()).to_numpy(dtype=object)
    evidence = pd.Series(ids, index=ev["g"].to_numpy()).groupby(level=0, sort=False).agg(";".join)
    cells = t["g"].to_numpy()
    out = pd.DataFrame({"source": m["source"].take(first[cells]).to_numpy(dtype=object),
                        "actor": m["actor"].take(first[cells]).to_numpy(dtype=object)})
    for c in ("n", "mean", "ci_low", "ci_high"):
        out[c] = t[c].to_numpy()
    out["label"] = label.reindex(cells).to_numpy(dtype=object)
    out["n_sentences"] = n_sent.reindex(cells).to_numpy()
    for c in ("share_pos", "share_neg", "textblob_mean"):
        out[c] = extra[c].reindex(cells).to_numpy()
    out["evidence"] = evidence.reindex(cells).to_numpy(dtype=object)
    out["stance"] = _stances(out, sd.reindex(cells).to_numpy(dtype=float), method=method, band=band, prior=prior)
    out = out.sort_values(["actor", "source"], kind="stable")
    # order: actors by total mentions (most discussed first), sources in corpus order
    src_order = {s: i for i, s in enumerate(pd.unique(m["source"]))}
    act_order = m["actor"].value_counts()
    out = out.assign(_a=-out["actor"].map(act_order), _s=out["source"].map(src_order))
    out = out.sort_values(["_a", "actor", "_s"], kind="stable")
    return out[ACTOR_COLUMNS].reset_index(drop=True)


def table_stance(table: pd.DataFrame, mentions: pd.DataFrame, *, method: str = "news", band: float | None = None,
                 prior: float | None = None) -> list[str]:
    """The ``stance`` column of a source × actor table (``source, actor, mean, n``) from its
    ``mentions`` (``source, actor, score``): :func:`evidence_stance` on each cell's mean, count
    and spread; with ``prior`` set, the previous rule (:func:`stance`, shrunk mean against
    ``band``)."""
    sd = None
    if prior is None:
        by_cell = mentions.groupby(["source", "actor"], sort=False)["score"].std(ddof=1)
        sd = [by_cell.get((a, b), 0.0) for a, b in zip(table["source"], table["actor"])]
    return _stances(table, sd, method=method, band=band, prior=prior)


def _stances(table: pd.DataFrame, sd, *, method: str, band: float | None, prior: float | None) -> list[str]:
    """:func:`table_stance` from each cell's standard deviation ``sd`` (NaN: 0)."""
    if prior is not None:
        b = stance_bands()[method] if band is None else band
        return [stance(x, n=int(k), method=method, band=b, prior=prior) for x, k in zip(table["mean"], table["n"])]
    got = evidence_stance(table["mean"].to_numpy(dtype=float), table["n"].to_numpy(dtype=float),
                          np.nan_to_num(np.asarray(sd, dtype=float)), method=method, band=band)
    return list(np.atleast_1d(got))


COMPARE_COLUMNS = ["actor", "a", "b", "label_a", "label_b", "n_a", "n_b", "docs_a", "docs_b", "mean_a", "mean_b",
                   "diff", "ci_low", "ci_high", "verdict", "resampled"]
BASELINE_COLUMNS = ["source", "label", "actor", "n", "docs", "mean", "baseline", "diff", "ci_low", "ci_high",
                    "verdict", "resampled"]


def _cells_by_actor(mentions: pd.DataFrame, min_mentions: int, value: str = "score") -> dict[str, dict[str, tuple]]:
    """``{actor: {source: ((sums, counts, resampled), (n, docs, mean))}}`` for every actor × source
    cell with ≥ ``min_mentions`` mentions: its resampling units (per-document sums and counts, or
    the mentions themselves when all come from one document; ``resampled`` says which) and the cell's
    mention count, document count and mean, from two grouped passes over all mentions (on integer
    codes, :func:`_cell_codes`) rather than one per cell."""
    if mentions.empty:
        return {}
    cell = _cell_codes(_codes(mentions["actor"]), _codes(mentions["source"]))
    doc = _cell_codes(cell, _codes(mentions["doc_id"]))  # each (actor, source, document)
    x = mentions[value].to_numpy(dtype=float)
    per_doc = pd.Series(x).groupby(doc, sort=False).agg(["sum", "size"])  # documents in order of first mention
    doc_cell = cell[np.unique(doc, return_index=True)[1]]  # each document group's cell
    doc_rows = pd.Series(np.arange(len(doc_cell))).groupby(doc_cell, sort=False).indices
    dsum, dsize = per_doc["sum"].to_numpy(dtype=float), per_doc["size"].to_numpy(dtype=float)
    first = np.unique(cell, return_index=True)[1]
    act = mentions["actor"].take(first).to_numpy(dtype=object)
    src = mentions["source"].take(first).to_numpy(dtype=object)
    out: dict[str, dict[str, tuple]] = {}
    for c, idx in pd.Series(np.arange(len(cell))).groupby(cell, sort=False).indices.items():
        if len(idx) < min_mentions:
            continue
        docs = doc_rows[c]
        units = ((dsum[docs], dsize[docs], "documents") if len(docs) >= 2
                 else (x[idx], np.ones(len(idx)), "mentions"))
        vals = x[idx]
        mean = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        out.setdefault(act[c], {})[src[c]] = (units, (len(idx), len(docs), mean))
    return out


def _top_actors(mentions: pd.DataFrame, top: int | None, actors: Sequence[str] | None) -> list[str]:
    if actors is not None:
        present = set(mentions["actor"].unique())  # once, not once per actor
        return [a for a in actors if a in present]
    vc = mentions["actor"].value_counts(sort=True)
    order = list(vc.index)
    return order[:top] if top else order


def _source_labels(mentions: pd.DataFrame) -> dict:
    """Each source's display label (its last mention's, as ``dict(zip(source, label))``)."""
    if "label" not in mentions.columns:
        return {}
    last = mentions[["source", "label"]].drop_duplicates("source", keep="last")
    return dict(zip(last["source"], last["label"]))


def compare_outlets(mentions: pd.DataFrame, *, actors: Sequence[str] | None = None, top: int | None = 12,
                    min_mentions: int = 3, n_resamples: int = N_RESAMPLES, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Tone toward the same actor compared between outlets: one row per actor and pair of
    sources that each have ≥ ``min_mentions`` mentions of it (:data:`COMPARE_COLUMNS`).

    ``mentions``: the ``mentions`` of :func:`actor_sentiment` (``doc_id, source, label, actor,
    score``). ``diff`` = ``mean_a − mean_b``, the difference of the mean mention scores (the
    ``mean`` of the actor table), with a ``level`` percentile interval from a cluster bootstrap
    that resamples each outlet's *documents* (mentions of one article are not independent; each
    outlet's resamples drawn once, with its own stream, :func:`framelens.lenses.stats.ratio_resamples`,
    and the pair's differences read as a percentile interval; an outlet with one article resamples its
    mentions, which is optimistic). ``verdict``: "<label_a> more positive" or "<label_b> more
    positive" when the interval excludes 0, else "cannot tell". ``resampled`` says what was
    resampled on each side ("mentions" for a one-article outlet: read its interval as too narrow).
    ``actors``: the actors to
    compare (default: the ``top`` most mentioned). Validation (``python -m tools.validate``):
    on NewsMTSC, pairs of articles whose annotated tone toward the same target differs are ordered
    like the annotators in 0.75 of 15,026 pairs."""
    if mentions is None or mentions.empty:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    labels = _source_labels(mentions)
    src_order = {s: i for i, s in enumerate(pd.unique(mentions["source"]))}
    keep = _top_actors(mentions, top, actors)
    m = mentions[["actor", "source", "doc_id", "score"]][mentions["actor"].isin(keep).to_numpy()]
    cells = _cells_by_actor(m, min_mentions)
    rows = []
    for k, act in enumerate(keep):
        cell = cells.get(act, {})
        srcs = sorted(cell, key=src_order.__getitem__)
        # each outlet's resampled means drawn once (its own stream), for every pair it is in
        boots = {src: ratio_resamples(cell[src][0][0], cell[src][0][1], n_resamples=n_resamples,
                                      seed=[seed, k, src_order[src]])[:, 0] for src in srcs}
        for i, a in enumerate(srcs):
            (sa, ca, ua), (na, da, ma) = cell[a]
            for b in srcs[i + 1:]:
                (sb, cb, ub), (nb, db, mb) = cell[b]
                d = ratio_difference(sa, ca, sb, cb)
                lo, hi = (math.nan, math.nan) if math.isnan(d) else (
                    float(v[0]) for v in percentile_interval(boots[a] - boots[b], level=level))
                la, lb = labels.get(a, a), labels.get(b, b)
                verdict = (f"{la} more positive" if lo > 0 else f"{lb} more positive" if hi < 0 else "cannot tell")
                rows.append({"actor": act, "a": a, "b": b, "label_a": la, "label_b": lb, "n_a": na, "n_b": nb,
                             "docs_a": da, "docs_b": db, "mean_a": ma, "mean_b": mb, "diff": d, "ci_low": lo,
                             "ci_high": hi, "verdict": verdict, "resampled": f"{ua} / {ub}"})
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def compare_to_rest(mentions: pd.DataFrame, source: str, *, min_mentions: int = 1, n_resamples: int = N_RESAMPLES,
                    level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """:func:`compare_outlets` of one ``source`` against all other sources pooled, for every actor
    it mentions: ``actor, diff`` (source − rest), ``diff_low, diff_high`` (cluster bootstrap
    interval) and ``verdict`` ("more positive than the rest", "more negative than the rest" or
    "cannot tell")."""
    cols = ["actor", "diff", "diff_low", "diff_high", "verdict"]
    if mentions is None or mentions.empty or source not in set(mentions["source"]):
        return pd.DataFrame(columns=cols)
    mine = mentions["source"] == source
    m = pd.concat([mentions[mine], mentions[~mine].assign(source="\x00rest")], ignore_index=True)
    m = m.assign(label=np.where(m["source"] == source, "a", "b"))
    acts = list(pd.unique(mentions.loc[mine, "actor"]))
    c = compare_outlets(m, actors=acts, top=None, min_mentions=min_mentions, n_resamples=n_resamples, level=level,
                        seed=seed)
    c = c.assign(verdict=c["verdict"].map({"a more positive": "more positive than the rest",
                                           "b more positive": "more negative than the rest"}).fillna("cannot tell"))
    return c.rename(columns={"ci_low": "diff_low", "ci_high": "diff_high"})[cols].reset_index(drop=True)


def baseline_tone(mentions: pd.DataFrame, *, actors: Sequence[str] | None = None, top: int | None = 12,
                  min_mentions: int = 3, n_resamples: int = N_RESAMPLES, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Tone toward an actor relative to the outlet's own baseline: one row per source × actor
    with ≥ ``min_mentions`` mentions (:data:`BASELINE_COLUMNS`). ``baseline`` is the outlet's mean
    score over its mentions of *all* actors; ``diff`` = ``mean − baseline``, with a ``level``
    interval from a paired cluster bootstrap over the outlet's documents (the same draw of
    articles for both means; its mentions when it has one article). ``verdict``: "warmer than
    usual" / "colder than usual" when the interval excludes 0, else "cannot tell". Reads an
    outlet's house style out of the comparison: an outlet that is negative toward everyone is
    not singled out for being negative toward one actor."""

    if mentions is None or mentions.empty:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    labels = _source_labels(mentions)
    keep = _top_actors(mentions, top, actors)
    src_code = _codes(mentions["source"])
    act_code, act_names = pd.factorize(mentions["actor"], sort=False, use_na_sentinel=False)
    code_of = {a: k for k, a in enumerate(act_names)}
    doc_code = _codes(mentions["doc_id"])
    score = mentions["score"].to_numpy(dtype=float)
    first = np.unique(src_code, return_index=True)[1]
    sources = mentions["source"].take(first).to_numpy(dtype=object)
    rows = []
    for k, at in pd.Series(np.arange(len(src_code))).groupby(src_code, sort=False).indices.items():
        src = sources[k]
        doc = pd.factorize(doc_code[at], sort=False)[0]  # the outlet's documents in order of first mention
        multi = doc.max() >= 1
        x, actor = score[at], act_code[at]
        is_a = {act: actor == code_of.get(act, -1) for act in keep}
        acts = [act for act in keep if is_a[act].sum() >= min_mentions]
        if not acts:
            continue
        hit = np.column_stack([is_a[act] for act in acts]).astype(float)  # mentions × actors kept
        if multi:  # per document: each actor's sum and count, and the outlet's over all actors
            per_doc = np.zeros((doc.max() + 1, 2 * len(acts) + 2))
            np.add.at(per_doc, doc, np.c_[x[:, None] * hit, hit, x, np.ones(len(x))])
            s1, c1 = per_doc[:, :len(acts)], per_doc[:, len(acts):2 * len(acts)]
            s2, c2 = per_doc[:, -2], per_doc[:, -1]
        else:
            s1, c1, s2, c2 = x[:, None] * hit, hit, x, np.ones(len(x))
        # every actor of the outlet from the same draws of its documents (the draws do not depend on
        # how many actors are compared)
        diff, lo, hi = paired_ratio_bootstrap_diff(s1, c1, s2, c2, n_resamples=n_resamples, level=level, seed=seed)
        for c, act in enumerate(acts):
            a = is_a[act]
            rows.append({"source": src, "label": labels.get(src, src), "actor": act, "n": int(a.sum()),
                         "docs": int(np.unique(doc[a]).size), "mean": float(x[a].mean()),
                         "baseline": float(x.mean()), "diff": float(diff[c]), "ci_low": float(lo[c]),
                         "ci_high": float(hi[c]),
                         "verdict": "warmer than usual" if lo[c] > 0 else "colder than usual" if hi[c] < 0 else "cannot tell",
                         "resampled": "documents" if multi else "mentions"})
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)


# ------------------------------------------------------------------------ headline

def headline(tables: Mapping[str, pd.DataFrame], *, min_mentions: int = 3) -> str:
    """One sentence summarizing the tone comparison, generated from the sentiment tables (the
    lens store's ``sentiment`` part, or any mapping with these names): ``intervals``
    (:func:`source_intervals`), optionally ``pairwise`` (:func:`pairwise_tests`) and ``actors``
    (the ``table`` of :func:`actor_sentiment`: adds the actor with the widest spread of tone across
    sources among cells with at least ``min_mentions`` mentions). The same contract as every lens's
    ``headline(tables)``.
    """
    intervals = tables["intervals"]
    tests = tables["pairwise"] if "pairwise" in tables else None
    actors = tables["actors"] if "actors" in tables else None
    if intervals is None or intervals.empty:
        return "No sentences to score: the corpus has no body text."
    iv = intervals.dropna(subset=["mean"]).sort_values("mean", kind="stable")
    method = iv["method"].iloc[0] if "method" in iv.columns else "VADER compound"
    if len(iv) == 1:
        r = iv.iloc[0]
        return (f"{r['label']} averages {r['mean']:+.2f} {method} per sentence (95% CI {r['ci_low']:+.2f} to "
                f"{r['ci_high']:+.2f}, n = {r['n']}); comparing tone needs at least two sources.")
    lo, hi = iv.iloc[0], iv.iloc[-1]
    text = (f"Mean sentence tone ({method}) ranges from {lo['mean']:+.2f} for {lo['label']} "
            f"(95% CI {lo['ci_low']:+.2f} to {lo['ci_high']:+.2f}) to {hi['mean']:+.2f} for {hi['label']} "
            f"({hi['ci_low']:+.2f} to {hi['ci_high']:+.2f})")
    if tests is not None and len(tests):
        clear = int((~tests["verdict"].str.startswith("cannot")).sum())
        if clear == 0:
            text += f", but no pair of the {len(iv)} sources can be told apart with these sentences"
        else:
            text += f"; {clear} of {len(tests)} source pairs differ beyond chance"
    if actors is not None and len(actors):
        a = actors[actors["n"] >= min_mentions]
        spread = a.groupby("actor")["mean"].agg(lambda x: x.max() - x.min() if len(x) > 1 else np.nan).dropna()
        if len(spread):
            who = spread.idxmax()
            cell = a[a["actor"] == who].sort_values("mean")
            text += (f"; tone toward {who} differs most, from {cell['mean'].iloc[0]:+.2f} "
                     f"({cell['label'].iloc[0]}) to {cell['mean'].iloc[-1]:+.2f} ({cell['label'].iloc[-1]})")
    return text + "."


# ---------------------------------------------------------------------------------------------
# map / reduce: the one implementation of the sentiment tables
#
# ``sentiment_map`` runs on one partition and returns its row tables (the sentence scores, the
# actor mentions and the per-document / per-paragraph aggregates: each row depends on its own
# document only) and small text-free partials: per-document sums (:func:`_sentence_sums`: n,
# Σ score, Σ score², counts of positive / negative / subjective sentences, Σ vader·textblob),
# per unit × position-bin sums (:func:`_arc_sums`), the most subjective sentence ids, and a joint
# histogram of the two lexicons' scores (:func:`_agreement_hist`). ``sentiment_reduce`` merges
# them (sums and concatenation in corpus order: any partitioning gives the same tables) with the
# very functions the whole-table functions use — :func:`aggregate`, :func:`source_intervals`,
# :func:`pairwise_tests`, :func:`arc`, :func:`subjectivity` and :func:`method_agreement` compute
# the same partials from a scores table and call the same ``_*_from`` reduce, so there is one
# path:
# * intervals and tests (``intervals``, ``subjectivity``'s interval, ``pairwise``) resample the
#   *documents* of a unit that holds several (a cluster bootstrap / cluster permutation test from
#   per-document sums, :func:`framelens.lenses.stats.cluster_bootstrap`), and the sentences of a unit
#   with one document (``pairwise``'s ``test`` then says exact, Monte Carlo or normal
#   approximation; ``exact (documents)`` / ``Monte Carlo (documents)`` / ``normal approximation
#   (documents)`` when documents were relabelled). The estimate (the mean over sentences) never changes; the interval of a
#   many-article unit is the honest, wider one (sentences of an article are not independent);
# * ``method_agreement``'s Spearman coefficient comes from a joint histogram of the two scores
#   (401 bins per score, mid-ranks; :func:`framelens.lenses.stats.binned_spearman`): scores closer than
#   0.005 count as tied, so it differs from the exact coefficient by up to about 0.02 on the seed
#   articles (36-60 sentences each); the Pearson coefficient is exact.

AGREEMENT_BINS = 401
#: sentences kept per unit in the stored ``extremes`` and ``most_subjective`` tables (a report
#: shows the first few: it never needs the per-sentence table)
STORED_TOP = 5


def _bin_scores(x: np.ndarray, bins: int = AGREEMENT_BINS) -> np.ndarray:
    return np.clip(np.rint((np.asarray(x, dtype=float) + 1.0) / 2.0 * (bins - 1)), 0, bins - 1).astype(np.int64)


def sentiment_map(corpus, actors=None, *, arc_bins: int = 10, top: int = 3) -> dict[str, pd.DataFrame]:
    """The map step of the sentiment lens on one corpus partition (see the section comment):
    row tables ``sentences``, ``actor_mentions``, ``by_document``, ``by_paragraph``; partials
    ``doc_sums``, ``arc_sums``, ``subjective_top``, ``agreement``, ``extremes_top``,
    ``subjective_rows``."""
    scores = sentence_scores(corpus, workers=1)
    mentions = actor_sentiment(corpus, actors, n_resamples=1, workers=1).mentions
    parts = pd.concat([pd.DataFrame({"doc_id": scores["doc_id"].astype(str).to_numpy(),
                                     "source": scores["source"].astype(str).to_numpy()}), _sentence_sums(scores)], axis=1)
    doc_sums = parts.groupby("doc_id", sort=False).agg(
        source=("source", "first"), **{c: (c, "sum") for c in SUM_COLUMNS}).reset_index()
    plain = scores.assign(source=scores["source"].astype(str))
    return {"sentences": scores, "actor_mentions": mentions,
            "extremes_top": extremes(scores, top=STORED_TOP), "subjective_rows": most_subjective(scores, top=STORED_TOP),
            "by_document": aggregate(scores, by=("doc_id",)), "by_paragraph": aggregate(scores, by=("para_id",)),
            "doc_sums": doc_sums, "arc_sums": _arc_sums(plain, bins=arc_bins), "subjective_top": _subjective_top(plain, top),
            "agreement": _agreement_hist(plain)}


def _resampling(doc_sums: pd.DataFrame, rows: pd.DataFrame | None,
                measures: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, tuple]]:
    """Per unit and measure (``name → (sum column of doc_sums, value column of rows)``):
    ``(sums, counts)`` of what is resampled — its documents when it has several, else the
    sentences of its one document (from ``rows``: sentence rows with ``doc_id``)."""
    by_doc = {str(d): g for d, g in rows.groupby("doc_id", sort=False)} if rows is not None and len(rows) else {}
    out: dict[str, dict[str, tuple]] = {}
    for src, g in doc_sums.groupby("source", sort=False):
        if len(g) >= 2:
            out[src] = {m: (g[sc].to_numpy(dtype=float), g["n"].to_numpy(dtype=float)) for m, (sc, _) in measures.items()}
        else:
            r = by_doc.get(str(g["doc_id"].iloc[0]))
            out[src] = {m: ((r[vc].to_numpy(dtype=float) if r is not None else np.zeros(0)),
                            np.ones(len(r) if r is not None else 0)) for m, (_, vc) in measures.items()}
    return out


def sentiment_reduce(red, *, actors_needed: bool = True, seed: int = 0, n_resamples: int = N_RESAMPLES,
                     n_permutations: int = N_PERMUTATIONS, arc_bins: int = 10, arc_smooth: int = 3,
                     pairwise_units: int | None = None, top: int = 3) -> dict[str, pd.DataFrame]:
    """The reduce step of the sentiment lens: the partials of every partition (``red``, a
    :class:`framelens.store.parts.Reduction`) → ``intervals, by_source, pairwise, arc, actors,
    subjectivity, method_agreement, extremes, most_subjective`` (see the section comment for what
    is exact) — with the same functions as :func:`source_intervals`, :func:`aggregate`,
    :func:`pairwise_tests`, :func:`arc`, :func:`subjectivity` and :func:`method_agreement`."""
    labels = red.labels
    doc = red.partial("doc_sums")
    if not len(doc):
        doc = pd.DataFrame(columns=["doc_id", "source", *SUM_COLUMNS])
    order = list(pd.unique(doc["source"]))
    n_docs = doc.groupby("source", sort=False)["doc_id"].size()
    single = doc[doc["source"].map(n_docs) == 1]["doc_id"].tolist()
    values = {"vader": ("v_sum", "vader_compound"), "subjectivity": ("s_sum", "textblob_subjectivity")}
    rows = red.rows("sentences", columns=["doc_id", *[v for _, v in values.values()]], doc_ids=single) if single else None
    units = _resampling(doc, rows, values)
    src = doc.drop(columns=["doc_id"]).groupby("source", sort=False)[SUM_COLUMNS].sum()
    n = src["n"].astype(int) if len(src) else pd.Series(dtype=int)
    vader = {s: u["vader"] for s, u in units.items()}

    intervals = _intervals_from(vader, n, order, labels, METHOD_NAMES["vader_compound"], n_resamples=n_resamples,
                                seed=seed)
    by_source = _means(src.reindex(order)).reset_index(drop=True) if order else pd.DataFrame(columns=AGG_COLUMNS)
    by_source.insert(0, "label", [labels.get(s, s) for s in order])
    by_source.insert(0, "source", order)
    # pairwise tests among the largest units (by sentences), in corpus order
    limit = pairwise_units or len(order)
    size_rank = sorted(range(len(red.sources)), key=lambda i: (-int(n.get(red.sources[i], 0)), i))
    keep = {red.sources[i] for i in size_rank[:limit]}
    pairwise = _pairwise_from(vader, n, [s for s in order if s in keep], labels, n_permutations=n_permutations,
                              seed=seed)
    arc_table = _arc_from(red.partial("arc_sums"), order, labels, bins=arc_bins, smooth=arc_smooth)
    subj = _subjectivity_from({s: u["subjectivity"] for s, u in units.items()}, src, red.partial("subjective_top"),
                              order, labels, top=top, n_resamples=n_resamples, seed=seed)
    agreement = _agreement_from(src, red.partial("agreement"), order, labels)

    ext = red.partial("extremes_top")
    ext = extremes(ext, top=STORED_TOP) if len(ext) else ext
    if len(ext):  # corpus order of the units (a unit's first partition may come later)
        ext = ext.assign(_o=ext["source"].map({s_: i for i, s_ in enumerate(order)})).sort_values(
            ["_o", "kind", "rank"], kind="stable").drop(columns="_o").reset_index(drop=True)
    subj_rows = red.partial("subjective_rows")
    if len(subj_rows):
        subj_rows = most_subjective(subj_rows, top=STORED_TOP)
        subj_rows = subj_rows.assign(_o=subj_rows["source"].map({s_: i for i, s_ in enumerate(order)})).sort_values(
            ["_o", "rank"], kind="stable").drop(columns="_o").reset_index(drop=True)
    out_tables = {"intervals": intervals, "by_source": by_source, "pairwise": pairwise, "arc": arc_table,
                  "subjectivity": subj, "method_agreement": agreement, "extremes": ext, "most_subjective": subj_rows}
    if actors_needed:
        # the labels as categoricals (1.7 M mentions at 100,000 articles: 146 MB less at the peak)
        m = red.rows("actor_mentions", columns=["sent_id", "doc_id", "source", "label", "actor", "score", "tone",
                                                "textblob"], categories=("doc_id", "source", "label", "actor", "tone"))
        out_tables["actors"] = (pd.DataFrame(columns=ACTOR_COLUMNS) if m.empty else
                                _actor_table(m, n_resamples, seed, 3, None, "news", None))
        out_tables["actor_comparison"] = compare_outlets(m, n_resamples=n_resamples, seed=seed)
        out_tables["actor_baseline"] = baseline_tone(m, n_resamples=n_resamples, seed=seed)
    return out_tables
