"""One source against the rest: a profile page built from the three lenses.

:func:`lens_tables` computes every lens table the profile and the synthesis need, once per
corpus (pass the result around as ``lenses=`` so nothing is computed twice).
:func:`source_profile` then reads one source off those tables and sets it against all the
other sources pooled ("the rest"):

* ``metadata`` — outlet, title, author, date, genre, event, notes of each of its documents;
* ``overview`` — the key measures at a glance: value for the source, value for the rest,
  uncertainty and a plain verdict;
* ``distinctive`` — its most distinctive terms (log-odds z with an informative Dirichlet prior,
  Monroe, Colaresi & Quinn 2008, from :func:`framelens.vocabulary.distinctive_terms`) with an
  evidence sentence each; ``naming`` — how it names the referents it mentions, beside the
  others' choices;
* ``tone`` / ``tone_test`` — mean sentence tone (VADER, Hutto & Gilbert 2014; TextBlob/Pattern)
  with a percentile bootstrap interval for the source and for the rest, and a two-sided
  permutation test of the difference (exact when small); ``tone_evidence`` — its most positive
  and most negative sentences; ``actor_tone`` — tone toward each actor it mentions, beside the
  same actor in the other sources;
* ``frames`` — share of its sentences carrying each frame of the codebook against the rest's
  share, with Fisher's exact test (frames from :mod:`framelens.framing`);
* ``certainty`` — hedges, boosters (Hyland 2005), promotional words and superlatives per
  1,000 words against the rest, with the exact conditional test for two Poisson rates
  (a binomial test of the source's share of all markers given its share of the words);
* ``unique_items`` — coverage items (facts, figures, names) only this source reports;
  ``omitted_items`` — items most other sources carry that this one leaves out (needs ≥ 3
  sources, as in :func:`framelens.coverage.coverage_matrix`).

Every row that rests on particular sentences carries ``sent_id`` and the sentence ``text``.

Caveats. "The rest" pools sentences of all other sources, so a long article weighs more than
a short one; sentences of one article are not independent, so intervals and p-values are
optimistic; with fewer than :data:`MIN_N` sentences (or markers, or mentions) a comparison is
flagged as too small to judge. A single-source corpus gives the source's own numbers and
says that comparisons need two sources.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import FramelensError

__all__ = [
    "MIN_N",
    "lens_tables",
    "check_source",
    "slug",
    "source_profile",
    "export_profile",
    "headline",
    "title",
]

MIN_N = 10
"""Fewer sentences / mentions / markers than this: the comparison is flagged as too small."""
ALPHA = 0.05
_QUOTE = 300
_BIG = 20_000_000  # values × resamples above which resampling runs in blocks (memory)

PROFILE_KEYS = (
    "metadata", "overview", "distinctive", "naming", "tone", "tone_test", "tone_evidence", "actor_tone",
    "frames", "entman", "certainty", "unique_items", "omitted_items",
)


# ---------------------------------------------------------------------------------------------
# Lens tables, computed once
# ---------------------------------------------------------------------------------------------
def lens_tables(
    corpus,
    *,
    cache: bool = True,
    seed: int = 0,
    n_resamples: int = 2000,
    n_permutations: int = 5000,
    min_count: int = 3,
    prior_strength: float = 500.0,
    codebook=None,
    markers=None,
    actors=None,
    referents=None,
    min_hits: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Every lens table the profiles and the synthesis read, computed once.

    Returns a dict of DataFrames: ``distinctive`` (:func:`vocabulary.distinctive_terms`),
    ``vocab_similarity`` (TF-IDF cosine, :func:`vocabulary.similarity`), ``naming``
    (:func:`vocabulary.naming_choices`), ``scores`` (:func:`sentiment.sentence_scores`),
    ``intervals`` (:func:`sentiment.source_intervals`), ``pairwise``
    (:func:`sentiment.pairwise_tests`), ``actor_table`` and ``actor_mentions``
    (:func:`sentiment.actor_sentiment`), ``salience`` (:func:`framing.frame_salience`),
    ``frame_evidence`` (the clearest sentences per source × frame), ``certainty``
    (:func:`framing.certainty`), ``certainty_evidence`` (sentences with the most markers per
    source × measure), ``items`` (:func:`framing.extract_items`) and ``coverage``
    (:func:`framing.coverage_matrix`).

    ``codebook``, ``markers``, ``actors``, ``referents``: a path, ``None`` or ``""`` (the packaged
    file), or an already loaded object. Randomness (bootstrap, permutations) uses ``seed``.

    The result is cached on disk when a cache folder is set (``$FRAMELENS_CACHE_DIR``, which
    ``framelens run`` sets for its notebooks): the five source profiles and the synthesis then
    compute the lens tables once. The key covers the corpus's sentences and terms, every option
    and the content of the configuration files, so any change recomputes.
    """
    options = dict(seed=seed, n_resamples=n_resamples, n_permutations=n_permutations, min_count=min_count,
                   prior_strength=prior_strength, codebook=codebook, markers=markers, actors=actors,
                   referents=referents, min_hits=min_hits)
    file = _lens_cache_file(corpus, options) if cache else None
    if file is not None:
        try:
            with open(file, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # missing or unreadable: compute and (re)write
            pass
    out = _compute_lens_tables(corpus, **options)
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except OSError:
            pass
    return out


def _lens_cache_file(corpus, options: dict):
    """``<cache>/lenses-<sha256>.pkl`` or None (no cache folder, or options that are loaded objects)."""
    from . import __version__

    try:
        from .corpus import cache_dir
    except ImportError:  # pragma: no cover - a loader without the cache
        return None
    folder = cache_dir(None)
    if folder is None:
        return None
    from importlib import resources

    h = hashlib.sha256(f"framelens {__version__} lens tables 1".encode())
    defaults = {"codebook": "codebook.toml", "markers": "stance_markers.toml", "actors": "actors.toml",
                "referents": "referents.toml"}
    for key in sorted(options):
        value = options[key]
        if key in defaults:
            if value is not None and not isinstance(value, (str, os.PathLike)):
                return None  # an object passed in: no stable key
            path = Path(value) if value else Path(str(resources.files("framelens") / "data" / defaults[key]))
            try:
                h.update(key.encode() + b"\0" + path.read_bytes())
            except OSError:
                return None
        else:
            h.update(f"{key}={value!r}\0".encode())
    for table, cols in (("documents", ["doc_id", "source", "label"]), ("sentences", ["sent_id", "source", "norm"]),
                        ("terms", ["sent_id", "term", "lemma", "is_stop"])):
        df = getattr(corpus, table)[cols]
        h.update(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes())
    return Path(folder) / f"lenses-{h.hexdigest()}.pkl"


def _compute_lens_tables(
    corpus,
    *,
    seed: int,
    n_resamples: int,
    n_permutations: int,
    min_count: int,
    prior_strength: float,
    codebook,
    markers,
    actors,
    referents,
    min_hits: int | None,
) -> dict[str, pd.DataFrame]:
    from . import framing, sentiment, vocabulary
    from .actors import load_actors

    cb = framing.load_codebook(codebook or None) if not isinstance(codebook, framing.Codebook) else codebook
    mk = markers if isinstance(markers, dict) else framing.load_markers(markers or None)
    act = actors if isinstance(actors, pd.DataFrame) else load_actors(actors or None)
    ref = referents if isinstance(referents, pd.DataFrame) else (referents or None)
    out: dict[str, pd.DataFrame] = {}
    with warnings.catch_warnings():
        # one-source corpora: the lenses warn that comparisons need two; the notebooks say so once
        warnings.simplefilter("ignore")
        out["distinctive"] = vocabulary.distinctive_terms(corpus, min_count=min_count, prior_strength=prior_strength)
        out["vocab_similarity"] = vocabulary.similarity(corpus, "tfidf_cosine")
    out["naming"] = vocabulary.naming_choices(corpus, ref)
    scores = sentiment.sentence_scores(corpus)
    out["scores"] = scores
    out["intervals"] = sentiment.source_intervals(scores, n_resamples=n_resamples, seed=seed)
    out["pairwise"] = sentiment.pairwise_tests(scores, n_permutations=n_permutations, seed=seed)
    act_sent = sentiment.actor_sentiment(corpus, act, n_resamples=n_resamples, seed=seed)
    out["actor_table"] = act_sent.table
    out["actor_mentions"] = act_sent.mentions
    out["salience"] = framing.frame_salience(corpus, cb, n_resamples=n_resamples, seed=seed, min_hits=min_hits)
    carried, _ = framing.frame_matches(corpus, cb, min_hits=min_hits)
    out["frame_evidence"] = _frame_evidence(carried, corpus.sentences)
    out["certainty"] = framing.certainty(corpus, mk, n_resamples=n_resamples, seed=seed)
    parts = [framing.certainty_evidence(corpus, m, s, 2, mk) for s in corpus.sources for m in framing.MEASURES]
    parts = [p for p in parts if len(p)]
    out["certainty_evidence"] = (pd.concat(parts, ignore_index=True) if parts else
                                 pd.DataFrame(columns=["sent_id", "source", "label", "measure", "n", "markers", "text"]))
    out["items"] = framing.extract_items(corpus, act)
    out["coverage"] = framing.coverage_matrix(out["items"], corpus.sources)
    return out


def _frame_evidence(carried: pd.DataFrame, sentences: pd.DataFrame, k: int = 2) -> pd.DataFrame:
    """The ``k`` clearest sentences per source × frame (most distinct cues, then most hits, then
    earliest), as in :func:`framing.frame_evidence` but for every cell at once."""
    cols = ["source", "frame", "rank", "sent_id", "hits", "cues", "text"]
    if carried.empty:
        return pd.DataFrame(columns=cols)
    pos = pd.Series(np.arange(len(sentences)), index=sentences["sent_id"].to_numpy())
    text = dict(zip(sentences["sent_id"], sentences["text"]))
    c = carried.assign(_d=carried["cues"].astype(str).str.count(";") + 1, _p=carried["sent_id"].map(pos))
    c = c.sort_values(["source", "frame", "_d", "hits", "_p"], ascending=[True, True, False, False, True], kind="stable")
    c = c.groupby(["source", "frame"], sort=False).head(k).copy()
    c["rank"] = c.groupby(["source", "frame"], sort=False).cumcount() + 1
    c["text"] = c["sent_id"].map(text)
    return c[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Small statistics helpers (memory-safe for large "rest" groups)
# ---------------------------------------------------------------------------------------------
def _mean_ci(values, *, n_resamples: int, seed: int, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with a percentile bootstrap interval (:func:`framelens.stats.bootstrap_ci`); in blocks
    when the index matrix would be large."""
    from .stats import bootstrap_ci

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size * n_resamples <= _BIG or x.size <= 1:
        return bootstrap_ci(x, n_resamples=n_resamples, level=level, seed=seed)
    rng = np.random.default_rng(seed)
    block = max(1, _BIG // x.size)
    boots = []
    done = 0
    while done < n_resamples:
        b = min(block, n_resamples - done)
        boots.append(x[rng.integers(0, x.size, size=(b, x.size))].mean(axis=1))
        done += b
    alpha = (1 - level) / 2
    lo, hi = np.quantile(np.concatenate(boots), [alpha, 1 - alpha])
    return float(x.mean()), float(lo), float(hi)


def _perm_test(a, b, *, n_permutations: int, seed: int) -> tuple[float, float]:
    """Two-sided permutation test of mean(a) − mean(b) (:func:`framelens.stats.permutation_test`),
    run in blocks when the groups are large."""
    from .stats import permutation_test

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    n = a.size + b.size
    if a.size == 0 or b.size == 0:
        return (math.nan, math.nan)
    if n * n_permutations <= _BIG or math.comb(n, a.size) <= n_permutations:
        return permutation_test(a, b, n_permutations=n_permutations, seed=seed)
    pooled = np.concatenate([a, b])
    total, k = pooled.sum(), a.size
    observed = a.mean() - b.mean()
    rng = np.random.default_rng(seed)
    block = max(1, _BIG // n)
    count = done = 0
    while done < n_permutations:
        m = min(block, n_permutations - done)
        perms = rng.permuted(np.tile(pooled, (m, 1)), axis=1)
        sa = perms[:, :k].sum(axis=1)
        diffs = sa / k - (total - sa) / (n - k)
        count += int(np.sum(np.abs(diffs) >= abs(observed) - 1e-12))
        done += m
    return (float(observed), (count + 1) / (n_permutations + 1))


def _fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided Fisher exact test of k1/n1 against k2/n2 (NaN if a group is empty)."""
    from scipy.stats import fisher_exact

    if n1 <= 0 or n2 <= 0:
        return math.nan
    return float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)


def _rate_p(k1: int, w1: float, k2: int, w2: float) -> float:
    """Exact conditional test of two Poisson rates k1/w1 and k2/w2: given k1 + k2 markers,
    k1 ~ Binomial(k1 + k2, w1 / (w1 + w2)) under equal rates (two-sided; 1 when no markers)."""
    from scipy.stats import binomtest

    if w1 <= 0 or w2 <= 0:
        return math.nan
    if k1 + k2 == 0:
        return 1.0
    return float(binomtest(int(k1), int(k1 + k2), w1 / (w1 + w2)).pvalue)


def _fmt_p(p: float) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _quote(text: str, n: int = _QUOTE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _first_id(ids: Any) -> str:
    """First sent_id of a '; ' or ';' separated list ('' when none)."""
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return ""
    parts = [p.strip() for p in re.split(r"[;,]\s*", str(ids)) if p.strip()]
    return parts[0] if parts else ""


# ---------------------------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------------------------
def check_source(corpus, source_id: str) -> str:
    """``source_id`` if it is a source of ``corpus``, else a FramelensError naming the sources."""
    if source_id not in corpus.sources:
        raise FramelensError(
            f"source_id: unknown source {source_id!r} (available: {', '.join(map(str, corpus.sources))})")
    return source_id


def slug(source_id: str) -> str:
    """A file-name-safe form of a source id (the runner names per-source reports the same way)."""
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(source_id)).strip("-.")
    return s or "source"


def _date(ts, precision: str) -> str:
    if ts is None or pd.isna(ts):
        return ""
    ts = pd.Timestamp(ts)
    return {"year": ts.strftime("%Y"), "month": ts.strftime("%Y-%m")}.get(precision, ts.strftime("%Y-%m-%d"))


def _metadata(corpus, s: str) -> pd.DataFrame:
    d = corpus.documents[corpus.documents["source"] == s]
    prec = d["published_precision"] if "published_precision" in d.columns else pd.Series("", index=d.index)
    out = pd.DataFrame({
        "doc_id": d["doc_id"].astype(str), "label": d["label"].astype(str), "outlet": d["outlet"].astype(str),
        "title": d["title"].astype(str), "author": d["author"].astype(str),
        "published": [_date(t, p) for t, p in zip(d["published"], prec)],
        "genre": d["genre"].astype(str), "event": d["event"].astype(str), "notes": d["notes"].astype(str),
        "url": d["url"].astype(str), "n_sentences": d["n_sentences"].astype(int), "n_words": d["n_words"].astype(int),
    })
    return out.reset_index(drop=True)


def _distinctive(L, s: str, texts: Mapping[str, str], top: int) -> pd.DataFrame:
    cols = ["term", "kind", "count", "count_rest", "rate_per_1000", "rate_rest_per_1000", "z", "sent_id", "text"]
    d = L["distinctive"]
    d = d[d["source"] == s]
    if d["z"].notna().any():
        d = d[d["z"] > 0].sort_values("z", ascending=False, kind="stable")
    else:  # one source: no comparison, show the most frequent terms
        d = d.sort_values("count", ascending=False, kind="stable")
    d = d.head(top).copy()
    d["sent_id"] = d["example_sent_ids"].map(_first_id)
    d["text"] = d["sent_id"].map(texts).fillna("")
    return d[cols].reset_index(drop=True)


def _naming(L, s: str, texts: Mapping[str, str]) -> pd.DataFrame:
    cols = ["referent", "variant", "count", "share", "count_rest", "share_rest", "sent_id", "text"]
    n = L["naming"]
    if n.empty:
        return pd.DataFrame(columns=cols)
    mine = n[n["source"] == s].set_index(["referent", "variant"])
    rest = n[n["source"] != s].groupby(["referent", "variant"], sort=False)["count"].sum()
    ex_rest = (n[(n["source"] != s) & (n["count"] > 0)].groupby(["referent", "variant"], sort=False)
               ["example_sent_ids"].first())
    out = mine[["count"]].copy()
    out["count_rest"] = rest.reindex(out.index).fillna(0).astype(int)
    out = out.reset_index()
    tot = out.groupby("referent")["count"].transform("sum")
    tot_r = out.groupby("referent")["count_rest"].transform("sum")
    # the source's own choices, plus the others' favourite variant when the source does not use it
    rest_top = out["count_rest"] == out.groupby("referent")["count_rest"].transform("max")
    out = out[(tot > 0) & ((out["count"] > 0) | (rest_top & (out["count_rest"] > 0)))].copy()
    out["share"] = out["count"] / tot[out.index]
    out["share_rest"] = out["count_rest"] / tot_r[out.index].replace(0, np.nan)
    ex = mine["example_sent_ids"].reindex(pd.MultiIndex.from_frame(out[["referent", "variant"]])).to_numpy()
    exr = ex_rest.reindex(pd.MultiIndex.from_frame(out[["referent", "variant"]])).to_numpy()
    out["sent_id"] = [_first_id(a) or _first_id(b) for a, b in zip(ex, exr)]
    out["text"] = out["sent_id"].map(texts).fillna("")
    order = out.groupby("referent")["count"].transform("sum")
    out = out.assign(_o=-order).sort_values(["_o", "referent", "count", "count_rest"], ascending=[True, True, False, False],
                                            kind="stable")
    return out[cols].reset_index(drop=True)


def _verdict_tone(label: str, diff: float, p: float, n_a: int, n_b: int, *, alpha: float, min_n: int) -> str:
    if n_b == 0:
        return "comparison needs at least two sources"
    if n_a == 0:
        return "no sentences to score"
    if min(n_a, n_b) < min_n:
        return f"too few sentences to tell (n = {n_a} and {n_b}; fewer than {min_n})"
    if not (p < alpha):
        return f"cannot tell apart from the other sources ({_fmt_p(p)})"
    word = "more positive" if diff > 0 else "more negative"
    return f"{label} is {word} in wording than the other sources (difference {diff:+.2f}, {_fmt_p(p)})"


def _tone(L, s: str, label: str, *, n_resamples: int, n_permutations: int, seed: int, alpha: float,
          min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from .sentiment import METHOD_NAMES

    sc = L["scores"]
    mine, rest = sc[sc["source"] == s], sc[sc["source"] != s]
    rows, tests = [], []
    for col in ("vader_compound", "textblob_polarity"):
        a, b = mine[col].to_numpy(dtype=float), rest[col].to_numpy(dtype=float)
        for who, x in ((label, a), ("all other sources", b)):
            m, lo, hi = _mean_ci(x, n_resamples=n_resamples, seed=seed)
            rows.append({"method": METHOD_NAMES.get(col, col), "who": who, "n": int(np.isfinite(x).sum()),
                         "mean": m, "ci_low": lo, "ci_high": hi})
        diff, p = _perm_test(a, b, n_permutations=n_permutations, seed=seed) if len(b) and len(a) else (math.nan, math.nan)
        tests.append({"method": METHOD_NAMES.get(col, col), "n_source": len(a), "n_rest": len(b), "diff": diff, "p": p,
                      "verdict": _verdict_tone(label, diff, p, len(a), len(b), alpha=alpha, min_n=min_n)})
    return pd.DataFrame(rows), pd.DataFrame(tests)


def _tone_evidence(L, s: str, k: int = 2) -> pd.DataFrame:
    from .sentiment import extremes

    sc = L["scores"]
    sc = sc[sc["source"] == s]
    cols = ["kind", "rank", "sent_id", "vader_compound", "textblob_polarity", "text"]
    if sc.empty:
        return pd.DataFrame(columns=cols)
    return extremes(sc, k=k)[cols].reset_index(drop=True)


def _actor_tone(L, s: str, texts: Mapping[str, str], *, n_resamples: int, seed: int, min_n: int) -> pd.DataFrame:
    cols = ["actor", "n", "mean", "ci_low", "ci_high", "n_rest", "mean_rest", "ci_low_rest", "ci_high_rest",
            "note", "sent_id", "text"]
    t = L["actor_table"]
    m = L["actor_mentions"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    mine = t[t["source"] == s].copy()
    rest = m[m["source"] != s]
    rows = []
    groups = rest.groupby("actor", sort=False)["score" if "score" in rest.columns else "vader"]
    vals = {a: g.to_numpy(dtype=float) for a, g in groups}
    for r in mine.itertuples(index=False):  # one row per actor the source mentions
        x = vals.get(r.actor, np.array([]))
        mr, lo, hi = _mean_ci(x, n_resamples=n_resamples, seed=seed)
        note = ""
        if r.n < min_n:
            note = f"n = {r.n} < {min_n}: too small to judge"
        sid = _first_id(r.evidence)
        rows.append({"actor": r.actor, "n": int(r.n), "mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "n_rest": int(x.size), "mean_rest": mr, "ci_low_rest": lo, "ci_high_rest": hi, "note": note,
                     "sent_id": sid, "text": texts.get(sid, "")})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


def _frames(L, s: str, *, min_n: int) -> pd.DataFrame:
    cols = ["frame", "name", "family", "sentences", "n_sentences", "share", "ci_low", "ci_high", "sentences_rest",
            "n_sentences_rest", "share_rest", "difference", "p", "sent_id", "text"]
    sal = L["salience"]
    if sal.empty:
        return pd.DataFrame(columns=cols)
    mine = sal[sal["source"] == s].copy()
    others = sal[sal["source"] != s]
    k_rest = others.groupby("frame", sort=False)["sentences"].sum()
    n_rest = int(others.drop_duplicates("source")["n_sentences"].sum())
    mine["sentences_rest"] = mine["frame"].map(k_rest).fillna(0).astype(int)
    mine["n_sentences_rest"] = n_rest
    mine["share_rest"] = mine["sentences_rest"] / n_rest if n_rest else np.nan
    mine["difference"] = mine["share"] - mine["share_rest"]
    mine["p"] = [_fisher_p(int(a), int(b), int(c), n_rest) for a, b, c in
                 zip(mine["sentences"], mine["n_sentences"], mine["sentences_rest"])]
    ev = L["frame_evidence"]
    ev = ev[(ev["source"] == s) & (ev["rank"] == 1)].set_index("frame")
    mine["sent_id"] = mine["frame"].map(ev["sent_id"]).fillna("")
    mine["text"] = mine["frame"].map(ev["text"]).fillna("")
    mine = mine[(mine["sentences"] > 0) | (mine["sentences_rest"] > 0)]
    mine = mine.sort_values(["share", "share_rest"], ascending=False, kind="stable")
    return mine[cols].reset_index(drop=True)


def _entman(frames: pd.DataFrame) -> pd.DataFrame:
    """Entman's (1993) four framing functions — problem definition, causal interpretation, moral
    evaluation, treatment recommendation — for this source against the rest: the rows of
    :func:`_frames` whose family is ``entman`` (share of sentences performing each function)."""
    return frames[frames["family"] == "entman"].reset_index(drop=True)


def _certainty(L, s: str) -> pd.DataFrame:
    cols = ["measure", "count", "words", "per_1000_words", "ci_low", "ci_high", "count_rest", "words_rest",
            "per_1000_rest", "ratio", "p", "markers", "sent_id", "text"]
    c = L["certainty"]
    if c.empty:
        return pd.DataFrame(columns=cols)
    mine = c[c["source"] == s].copy()
    others = c[c["source"] != s]
    k_rest = others.groupby("measure", sort=False)["count"].sum()
    w_rest = float(others.drop_duplicates("source")["words"].sum())
    mine["count_rest"] = mine["measure"].map(k_rest).fillna(0).astype(int)
    mine["words_rest"] = int(w_rest)
    mine["per_1000_rest"] = 1000 * mine["count_rest"] / w_rest if w_rest else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        mine["ratio"] = mine["per_1000_words"] / mine["per_1000_rest"].replace(0, np.nan)
    mine["p"] = [_rate_p(int(a), float(w), int(b), w_rest) for a, w, b in
                 zip(mine["count"], mine["words"], mine["count_rest"])]
    ev = L["certainty_evidence"]
    ev = ev[ev["source"] == s].drop_duplicates("measure").set_index("measure")
    mine["markers"] = mine["measure"].map(ev["markers"]).fillna("")
    mine["sent_id"] = mine["measure"].map(ev["sent_id"]).fillna("")
    mine["text"] = mine["measure"].map(ev["text"]).fillna("")
    return mine[cols].reset_index(drop=True)


_KIND_ORDER = {k: i for i, k in enumerate(["money", "percent", "count", "date", "year", "entity", "actor"])}


def _unique_items(L, s: str, texts: Mapping[str, str]) -> pd.DataFrame:
    cols = ["kind", "item", "label", "count", "sent_id", "text"]
    cov = L["coverage"]
    if cov.empty or s not in cov.columns:
        return pd.DataFrame(columns=cols)
    u = cov[cov["unique_to"] == s].copy()
    u["count"] = u[s].astype(int)
    u["sent_id"] = u["evidence"].map(_first_id)
    u["text"] = u["sent_id"].map(texts).fillna("")
    u = u.assign(_k=u["kind"].map(_KIND_ORDER).fillna(9)).sort_values(["_k", "count"], ascending=[True, False], kind="stable")
    return u[cols].reset_index(drop=True)


def _omitted_items(L, s: str, texts: Mapping[str, str], labels: Mapping[str, str]) -> pd.DataFrame:
    cols = ["kind", "item", "label", "n_sources", "carried_by", "sent_id", "text"]
    cov = L["coverage"]
    if cov.empty:
        return pd.DataFrame(columns=cols)
    hit = cov["omitted_by"].astype(str).map(lambda v: s in [x.strip() for x in v.split(",")])
    o = cov[hit].copy()
    srcs = [c for c in cov.columns if c in labels]
    o["carried_by"] = [", ".join(labels[c] for c in srcs if row[c] > 0) for _, row in o.iterrows()]
    o["sent_id"] = o["evidence"].map(_first_id)
    o["text"] = o["sent_id"].map(texts).fillna("")
    return o[cols].reset_index(drop=True)


def _ci_text(lo: float, hi: float, fmt: str = "{:+.2f}") -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return ""
    return f"95% CI {fmt.format(lo)} to {fmt.format(hi)}"


def _overview(label: str, tone: pd.DataFrame, tone_test: pd.DataFrame, frames: pd.DataFrame,
              certainty: pd.DataFrame, unique: pd.DataFrame, omitted: pd.DataFrame, meta: pd.DataFrame,
              n_sources: int, *, alpha: float, min_n: int) -> pd.DataFrame:
    """The key measures at a glance: ``measure, source, rest, uncertainty, verdict`` (text)."""
    rows = []
    n_s = int(meta["n_sentences"].sum())
    rows.append({"measure": "documents / sentences / words", "source": f"{len(meta)} / {n_s} / {int(meta['n_words'].sum())}",
                 "rest": "", "uncertainty": "", "verdict": "" if n_sources >= 2 else "only source in the corpus"})
    for r in tone_test.itertuples(index=False):
        t = tone[tone["method"] == r.method].set_index("who")
        a = t.loc[label] if label in t.index else None
        b = t.loc["all other sources"]
        rows.append({"measure": f"mean tone per sentence ({r.method})",
                     "source": f"{a['mean']:+.2f}" if a is not None and not math.isnan(a["mean"]) else "–",
                     "rest": f"{b['mean']:+.2f}" if not math.isnan(b["mean"]) else "–",
                     "uncertainty": "; ".join(x for x in [
                         _ci_text(a["ci_low"], a["ci_high"]) + f" (n = {int(a['n'])})" if a is not None else "",
                         (_ci_text(b["ci_low"], b["ci_high"]) + f" (n = {int(b['n'])})") if b["n"] else "",
                         f"permutation {_fmt_p(r.p)}" if not math.isnan(r.p) else ""] if x),
                     "verdict": r.verdict})
    if len(frames) and frames["sentences"].max() > 0:
        f = frames.iloc[0]
        small = f["n_sentences"] < min_n
        verdict = ("too few sentences to tell" if small else
                   "comparison needs at least two sources" if n_sources < 2 else
                   ("more salient than in the other sources" if f["difference"] > 0 else "less salient than in the other sources")
                   if f["p"] < alpha else "cannot tell apart from the other sources")
        rows.append({"measure": f"most salient frame: {f['name']} (share of sentences)",
                     "source": f"{f['share']:.0%}", "rest": f"{f['share_rest']:.0%}" if not pd.isna(f["share_rest"]) else "–",
                     "uncertainty": f"{_ci_text(f['ci_low'], f['ci_high'], '{:.0%}')} (n = {int(f['n_sentences'])}); Fisher {_fmt_p(f['p'])}",
                     "verdict": verdict})
    over = frames[(frames["difference"] > 0) & (frames["sentences"] > 0)].sort_values("p", kind="stable") if len(frames) else frames
    if n_sources >= 2 and len(over):
        f = over.iloc[0]
        small = f["n_sentences"] < min_n
        verdict = ("too few sentences to tell" if small else
                   "over-represented against the other sources" if f["p"] < alpha else
                   "cannot tell apart from the other sources")
        rows.append({"measure": f"frame most over-represented here: {f['name']} (share of sentences)",
                     "source": f"{f['share']:.0%} ({int(f['sentences'])})", "rest": f"{f['share_rest']:.0%} ({int(f['sentences_rest'])})",
                     "uncertainty": f"{_ci_text(f['ci_low'], f['ci_high'], '{:.0%}')}; Fisher {_fmt_p(f['p'])} "
                                    f"(one of {len(frames)} frames tested; not corrected)",
                     "verdict": verdict})
    for r in certainty.itertuples(index=False):
        few = r.count + r.count_rest < min_n
        verdict = ("comparison needs at least two sources" if n_sources < 2 else
                   f"too few markers to tell ({r.count} and {r.count_rest})" if few else
                   ("higher than the other sources" if r.per_1000_words > r.per_1000_rest else "lower than the other sources")
                   if r.p < alpha else "cannot tell apart from the other sources")
        rows.append({"measure": f"{r.measure} per 1,000 words", "source": f"{r.per_1000_words:.1f} ({r.count})",
                     "rest": f"{r.per_1000_rest:.1f} ({r.count_rest})" if not pd.isna(r.per_1000_rest) else "–",
                     "uncertainty": f"{_ci_text(r.ci_low, r.ci_high, '{:.1f}')}; rate test {_fmt_p(r.p)}",
                     "verdict": verdict})
    rows.append({"measure": "coverage items only this source reports", "source": str(len(unique)), "rest": "",
                 "uncertainty": "exact-match items (a paraphrase counts as different)",
                 "verdict": "" if n_sources >= 2 else "comparison needs at least two sources"})
    rows.append({"measure": "items most other sources carry that it omits", "source": str(len(omitted)), "rest": "",
                 "uncertainty": "", "verdict": "" if n_sources >= 3 else "needs at least three sources"})
    return pd.DataFrame(rows, columns=["measure", "source", "rest", "uncertainty", "verdict"])


def source_profile(
    corpus,
    source_id: str,
    *,
    lenses: Mapping[str, pd.DataFrame] | None = None,
    seed: int = 0,
    n_resamples: int = 2000,
    n_permutations: int = 5000,
    top: int = 10,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    **lens_options,
) -> dict[str, pd.DataFrame]:
    """One source set against all the other sources pooled: a dict of DataFrames with the keys
    of :data:`PROFILE_KEYS` (see the module docstring for what each holds).

    ``lenses``: the tables of :func:`lens_tables` if already computed (else they are computed
    here with ``seed``, ``n_resamples``, ``n_permutations`` and ``lens_options``, e.g.
    ``codebook=``, ``actors=``). ``top``: distinctive terms listed. ``alpha``: level of the
    plain verdicts; ``min_n``: below this many sentences (markers, mentions) a comparison is
    "too small to judge". Unknown ``source_id`` → :class:`FramelensError`.
    """
    check_source(corpus, source_id)
    L = lenses if lenses is not None else lens_tables(corpus, seed=seed, n_resamples=n_resamples,
                                                       n_permutations=n_permutations, **lens_options)
    s = source_id
    label = corpus.label(s)
    labels = corpus.labels
    texts = dict(zip(corpus.sentences["sent_id"], corpus.sentences["text"]))
    meta = _metadata(corpus, s)
    tone, tone_test = _tone(L, s, label, n_resamples=n_resamples, n_permutations=n_permutations, seed=seed,
                            alpha=alpha, min_n=min_n)
    frames = _frames(L, s, min_n=min_n)
    cert = _certainty(L, s)
    unique = _unique_items(L, s, texts)
    omitted = _omitted_items(L, s, texts, labels)
    prof = {
        "metadata": meta,
        "overview": _overview(label, tone, tone_test, frames, cert, unique, omitted, meta, len(corpus.sources),
                              alpha=alpha, min_n=min_n),
        "distinctive": _distinctive(L, s, texts, top),
        "naming": _naming(L, s, texts),
        "tone": tone,
        "tone_test": tone_test,
        "tone_evidence": _tone_evidence(L, s),
        "actor_tone": _actor_tone(L, s, texts, n_resamples=n_resamples, seed=seed, min_n=min_n),
        "frames": frames,
        "entman": _entman(frames),
        "certainty": cert,
        "unique_items": unique,
        "omitted_items": omitted,
    }
    for v in prof.values():
        v.attrs.clear()
    prof["metadata"].attrs["source"] = s
    return prof


def export_profile(profile: Mapping[str, pd.DataFrame], source_id: str, output_dir) -> list:
    """Write every table of a profile to ``<output_dir>/tables/profile_<source>_<key>.csv``."""
    from .report import export_table

    return [export_table(df, f"profile_{slug(source_id)}_{key}", output_dir) for key, df in profile.items()]


def headline(profile: Mapping[str, pd.DataFrame]) -> str:
    """One sentence on the source, written from its profile tables: tone against the rest (with
    the verdict), its most salient frame against the rest, its most distinctive term and the
    number of items only it reports."""
    meta = profile["metadata"]
    label = str(meta["label"].iloc[0]) if len(meta) else "This source"
    n = int(meta["n_sentences"].sum()) if len(meta) else 0
    parts = []
    tt = profile["tone_test"]
    tone = profile["tone"]
    if len(tt):
        r = tt.iloc[0]
        a = tone[(tone["method"] == r["method"]) & (tone["who"] != "all other sources")].iloc[0]
        b = tone[(tone["method"] == r["method"]) & (tone["who"] == "all other sources")].iloc[0]
        if r["n_rest"] == 0:
            parts.append(f"mean tone {a['mean']:+.2f} ({r['method']}); comparisons need at least two sources")
        else:
            v = r["verdict"]
            short = ("more positive than the others" if v.startswith(label) and "more positive" in v else
                     "more negative than the others" if v.startswith(label) and "more negative" in v else
                     "too few sentences to tell" if v.startswith("too few") else "no clear difference")
            parts.append(f"mean tone {a['mean']:+.2f} against {b['mean']:+.2f} for the other sources "
                         f"({r['method']}; {short}, {_fmt_p(r['p'])})")
    fr = profile["frames"]
    if len(fr) and fr["sentences"].max() > 0:
        f = fr.iloc[0]
        rest = f" against {f['share_rest']:.0%} elsewhere" if not pd.isna(f["share_rest"]) else ""
        parts.append(f"its most salient frame is {str(f['name']).lower()} ({f['share']:.0%} of its sentences{rest})")
    over = fr[(fr["difference"] > 0) & (fr["p"] < ALPHA) & (fr["n_sentences"] >= MIN_N)].sort_values("p", kind="stable") if len(fr) else fr
    if len(over) and over.iloc[0]["frame"] != fr.iloc[0]["frame"]:
        f = over.iloc[0]
        parts.append(f"{str(f['name']).lower()} is over-represented ({f['share']:.0%} against {f['share_rest']:.0%}, "
                     f"Fisher {_fmt_p(f['p'])})")
    d = profile["distinctive"]
    if len(d) and not pd.isna(d["z"].iloc[0]):
        parts.append(f"its most distinctive term is '{d['term'].iloc[0]}' (z = {d['z'].iloc[0]:.1f})")
    u = profile["unique_items"]
    if len(u):
        parts.append(f"{len(u)} coverage item{'s' if len(u) != 1 else ''} appear{'s' if len(u) == 1 else ''} only here")
    if not parts:
        return f"{label}: no sentences to profile."
    return f"{label} ({n} sentences): " + "; ".join(parts) + "."


def title(corpus, source_id: str):
    """A Markdown heading naming the profiled source (HTML-escaped) with its outlet, date and
    genre, for the top of the profile notebook."""
    import html

    from IPython.display import Markdown

    check_source(corpus, source_id)
    meta = _metadata(corpus, source_id)
    bits = [f"{len(corpus.sources) - 1} other source{'s' if len(corpus.sources) != 2 else ''} in the corpus"]
    for col in ("published", "genre", "event"):
        vals = [v for v in dict.fromkeys(meta[col]) if v]
        if vals:
            bits.insert(0, "; ".join(vals[:3]))
    return Markdown(f"## {html.escape(corpus.label(source_id))}\n\n" + html.escape(" · ".join(bits)))
