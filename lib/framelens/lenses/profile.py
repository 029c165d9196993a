"""One source against the rest: a profile page built from the three lenses.

:func:`lens_tables` computes every lens table the profile and the synthesis need, once per
corpus (pass the result around as ``lenses=`` so nothing is computed twice).
:func:`source_profile` then reads one source off those tables and sets it against all the
other sources pooled ("the rest"):

* ``metadata`` — outlet, title, author, date, genre, event, notes of each of its documents;
* ``overview`` — the key measures at a glance: value for the source, value for the rest,
  uncertainty and a plain verdict;
* ``distinctive`` — its most distinctive terms (log-odds z with an informative Dirichlet prior,
  Monroe, Colaresi & Quinn 2008, from :func:`framelens.lenses.vocabulary.distinctive_terms`) with an
  evidence sentence each; ``naming`` — how it names the referents it mentions, beside the
  others' choices;
* ``tone`` / ``tone_test`` — mean sentence tone (VADER, Hutto & Gilbert 2014; TextBlob/Pattern)
  with a percentile cluster-bootstrap interval over articles for the source and for the rest
  (Field & Welsh 2007; a side of one article: its sentences — the rule of report 03's intervals),
  and a two-sided permutation test of the difference that relabels whole articles (exact when
  small, the normal approximation to the permutation distribution when both sides have many
  articles; ``test`` says which); all from per-document sums, so the cost follows articles, not
  sentences; ``tone_evidence`` — its most positive and most negative sentences; ``actor_tone`` —
  tone toward each actor it mentions, beside the same actor in the other sources (the rest's
  interval and the difference's from resampling articles);
* ``frames`` — share of its sentences carrying each frame of the codebook against the rest's
  share, with Fisher's exact test (frames from :mod:`framelens.lenses.framing`);
* ``certainty`` — hedges, boosters (Hyland 2005), promotional words and superlatives per
  1,000 words against the rest, with the exact conditional test for two Poisson rates
  (a binomial test of the source's share of all markers given its share of the words);
* ``unique_items`` — coverage items (facts, figures, names) only this source reports;
  ``omitted_items`` — items most other sources carry that this one leaves out (needs ≥ 3
  sources, as in :func:`framelens.lenses.coverage.coverage_matrix`).

Every row that rests on particular sentences carries ``sent_id`` and the sentence ``text``.

Caveats. "The rest" pools sentences of all other sources, so a long article weighs more than
a short one; tone intervals and tests resample and relabel whole articles (sentences of one
article are not independent), but the frame and marker tests count sentences and words, so
their p-values are optimistic; with fewer than :data:`MIN_N` sentences (or markers, or mentions) a comparison is
flagged as too small to judge. A single-source corpus gives the source's own numbers and
says that comparisons need two sources.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Mapping, Sequence, TypeVar, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.core import fmt
from framelens.errors import FramelensError, Unavailable
from framelens.lenses.stats import (N_PERMUTATIONS, N_RESAMPLES, cluster_bootstrap, cluster_permutation_test, fisher_p,
                                    permutation_method, permutation_test, rate_p, ratio_bootstrap_diff)

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.lenses import reuse
from framelens.tables.parquet import concat_frames, read_table
from framelens.lenses.sentiment import evidence_stance, extremes, METHOD_NAMES, stance

__all__ = [
    "MIN_N",
    "check_source",
    "slug",
    "source_profile",
    "headline",
    "title",
]

MIN_N = 10
"""Fewer sentences / mentions / markers than this: the comparison is flagged as too small."""
ALPHA = 0.05

PROFILE_KEYS = (
    "metadata", "overview", "distinctive", "naming", "tone", "tone_test", "tone_evidence", "actor_tone",
    "frames", "entman", "certainty", "unique_items", "omitted_items",
)


def need_lenses(lenses):
    """The lens tables a profile or the synthesis reads: given by the caller (the lens store's, or
    :func:`framelens.lens_tables` computed in memory)."""
    if lenses is None:
        raise FramelensError("lenses: not given: pass lenses=framelens.lens_tables(corpus) (computed in memory) "
                             "or the lens store's tables")
    return lenses


def frame_evidence_table(carried: pd.DataFrame, sentences: pd.DataFrame, k: int = 2) -> pd.DataFrame:
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
# Evidence text, fetched by id (never the whole corpus's sentences)
# ---------------------------------------------------------------------------------------------
#: ``ids → {sent_id: text}``: where the profile and the synthesis get the text of their evidence.
_T = TypeVar("_T")
TextFetcher = Callable[[Sequence[str]], Mapping[str, str]]


class _Asked(dict):
    """An empty ``sent_id → text`` mapping that remembers every id asked for (``[]``, ``get``,
    ``in``, ``Series.map``)."""
    def __init__(self):
        super().__init__()
        self.asked: dict[str, None] = {}

    def __missing__(self, key):
        self.asked[key] = None
        return ""

    def get(self, key, default=None):
        self.asked[key] = None
        return default

    def __contains__(self, key) -> bool:
        self.asked[key] = None
        return False


def corpus_texts(corpus: CorpusLike) -> TextFetcher:
    """A :data:`TextFetcher` reading a loaded corpus's sentence table."""
    def fetch(ids: Sequence[str]) -> dict[str, str]:
        s = corpus.sentences
        sel = s[s["sent_id"].astype(str).isin(set(map(str, ids))).to_numpy()]
        return dict(zip(sel["sent_id"].astype(str), sel["text"]))
    return fetch


def with_texts(build: Callable[[Mapping[str, str]], _T], texts: TextFetcher) -> _T:
    """``build(texts)`` where ``texts`` holds exactly the sentences ``build`` quotes: a first pass
    records the ids it asks for, they are fetched in one go (from the corpus, or from the lens
    store one partition at a time), and the second pass gets their text."""
    asked = _Asked()
    build(asked)
    return build(dict(texts(list(asked.asked))) if asked.asked else {})


# ---------------------------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------------------------
def check_source(corpus: CorpusLike, source_id: str) -> str:
    """``source_id`` if it is a source of ``corpus``, else a FramelensError naming the sources."""
    if source_id not in corpus.sources:
        raise FramelensError(
            f"source_id: unknown source {source_id!r} (available: {', '.join(map(str, corpus.sources))})")
    return source_id


#: longest readable part of a per-source file name (a long id is cut and told apart by its hash)
SLUG_CHARS = 60


def slug(source_id: str) -> str:
    """A file-name-safe form of a source id, unique per id: an id that is already safe (letters,
    digits, ``_ . -``, not too long) is used as it is; any other id gets its safe form followed by
    8 hex digits of its SHA-1, so ``+src`` and ``-src``, or two outlets named in Chinese, never
    write the same profile tables and findings."""
    import hashlib

    text = str(source_id)
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    if s == text and 0 < len(s) <= SLUG_CHARS:
        return s
    return f"{s[:SLUG_CHARS].rstrip('-.') or 'source'}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def _date(ts, precision: str) -> str:
    if ts is None or pd.isna(ts):
        return ""
    ts = pd.Timestamp(ts)
    return {"year": ts.strftime("%Y"), "month": ts.strftime("%Y-%m")}.get(precision, ts.strftime("%Y-%m-%d"))


def _metadata(corpus: CorpusLike, s: str) -> pd.DataFrame:
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
    d = _rows(L, "distinctive", where={"source": s})  # its own rows only
    if d["z"].notna().any():
        d = d[d["z"] > 0].sort_values("z", ascending=False, kind="stable")
    else:  # one source: no comparison, show the most frequent terms
        d = d.sort_values("count", ascending=False, kind="stable")
    d = d.head(top).copy()
    d["sent_id"] = d["example_sent_ids"].map(fmt.first_id)
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
    out["sent_id"] = [fmt.first_id(a) or fmt.first_id(b) for a, b in zip(ex, exr)]
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
        return f"cannot tell apart from the other sources ({fmt.p_value(p)})"
    word = "more positive" if diff > 0 else "more negative"
    return f"{label} is {word} in wording than the other sources (difference {diff:+.2f}, {fmt.p_value(p)})"


# ---------------------------------------------------------------------------------------------
# Reading one source's rows (column and row filters pushed down to the store when it has them)
# ---------------------------------------------------------------------------------------------
def _rows(L, key: str, *, columns: Sequence[str] | None = None, doc_ids=None,
          where: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Lens table ``key``: only ``columns``, only the rows of ``doc_ids`` and those whose columns
    equal ``where``'s values — read so from the lens store (``L.scan``: the filters are pushed down to
    Parquet, what is not asked for is never decoded), else cut from the table in memory."""
    if hasattr(L, "scan"):
        return L.scan(key, columns=columns, doc_ids=doc_ids, **({"where": where} if where else {}))
    df = L[key]
    if doc_ids is not None:
        df = df[df["doc_id"].astype(str).isin(set(map(str, doc_ids))).to_numpy()]
    for c, v in (where or {}).items():
        df = df[(df[c] == v).to_numpy()]
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    return df.reset_index(drop=True)


TONE_COLUMNS = {"vader_compound": "vader_mean", "textblob_polarity": "textblob_mean"}


def _doc_tone(L, docs: pd.DataFrame) -> pd.DataFrame:
    """Per document: ``doc_id, source, n`` (sentences) and the sum of each score of
    :data:`TONE_COLUMNS` — from the stored per-document means (``by_document``: n × mean), else
    summed from the sentence scores."""
    src = dict(zip(docs["doc_id"].astype(str), docs["source"]))
    try:
        d = _rows(L, "by_document", columns=["doc_id", "n", *TONE_COLUMNS.values()])
        n = d["n"].to_numpy(dtype=float)
        out = pd.DataFrame({"doc_id": d["doc_id"].astype(str), "n": n,
                            **{c: n * d[m].to_numpy(dtype=float) for c, m in TONE_COLUMNS.items()}})
    except KeyError:  # lens tables without the per-document rows: sum the sentences
        sc = _rows(L, "scores", columns=["doc_id", *TONE_COLUMNS])
        out = (sc.assign(doc_id=sc["doc_id"].astype(str), n=1.0).groupby("doc_id", sort=False)
               [["n", *TONE_COLUMNS]].sum().reset_index())
    out["source"] = out["doc_id"].map(src)
    return out[out["source"].notna()].reset_index(drop=True)


def _tone_units(L, docs: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """``(sums, counts)`` resampled for one side: its documents when it has several, else the
    sentences of its one document (as report 03's intervals and tests,
    :func:`framelens.lenses.sentiment.source_intervals`)."""
    if len(docs) >= 2:
        return docs[col].to_numpy(dtype=float), docs["n"].to_numpy(dtype=float)
    if len(docs) == 0:
        return np.zeros(0), np.zeros(0)
    x = _rows(L, "scores", columns=["doc_id", col], doc_ids=docs["doc_id"].tolist())[col].to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    return x, np.ones(x.size)


def _tone(L, s: str, label: str, docs: pd.DataFrame, *, n_resamples: int, n_permutations: int, seed: int,
          alpha: float, min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean sentence tone of the source and of the rest, each with a cluster-bootstrap interval
    (documents resampled; a side of one document: its sentences), and the permutation test of the
    difference that relabels whole documents (:func:`framelens.lenses.stats.cluster_permutation_test`,
    normal approximation when both sides have many documents) — all from per-document sums."""
    d = _doc_tone(L, docs)
    mine, rest = d[d["source"] == s], d[d["source"] != s]
    rows, tests = [], []
    for col in TONE_COLUMNS:
        method = METHOD_NAMES.get(col, col)
        (sa, ca), (sb, cb) = _tone_units(L, mine, col), _tone_units(L, rest, col)
        n_a, n_b = int(mine["n"].sum()), int(rest["n"].sum())
        for who, (x, c), n in ((label, (sa, ca), n_a), ("all other sources", (sb, cb), n_b)):
            m, lo, hi = cluster_bootstrap(x, c, n_resamples=n_resamples, seed=seed)
            rows.append({"method": method, "who": who, "n": n, "mean": m, "ci_low": lo, "ci_high": hi})
        diff, p, test = _tone_test(sa, ca, sb, cb, n_permutations=n_permutations, seed=seed)
        tests.append({"method": method, "n_source": n_a, "n_rest": n_b, "diff": diff, "p": p, "test": test,
                      "verdict": _verdict_tone(label, diff, p, n_a, n_b, alpha=alpha, min_n=min_n)})
    return pd.DataFrame(rows), pd.DataFrame(tests)


def _tone_test(sa, ca, sb, cb, *, n_permutations: int, seed: int) -> tuple[float, float, str]:
    """The source-against-the-rest test by report 03's rule (:func:`framelens.lenses.sentiment.pairwise_tests`):
    sentences relabelled when both sides are single sentences, else whole documents."""
    if not (ca.sum() > 0 and cb.sum() > 0):
        return math.nan, math.nan, ""
    if (ca == 1).all() and (cb == 1).all():
        diff, p = permutation_test(sa, sb, n_permutations=n_permutations, seed=seed, approximate=True)
        return diff, p, permutation_method(len(sa), len(sb), n_permutations)
    diff, p = cluster_permutation_test(sa, ca, sb, cb, n_permutations=n_permutations, seed=seed, approximate=True)
    return diff, p, f"{permutation_method(len(sa), len(sb), n_permutations)} (documents)"


def _tone_evidence(L, s: str, texts: Mapping[str, str], k: int = 2, *, doc_ids=None) -> pd.DataFrame:

    cols = ["kind", "rank", "sent_id", "vader_compound", "textblob_polarity", "text"]
    sc = _rows(L, "scores", columns=["sent_id", "doc_id", "source", "vader_compound", "textblob_polarity"],
               doc_ids=doc_ids)
    sc = sc[sc["source"] == s]
    if sc.empty:
        return pd.DataFrame(columns=cols)
    out = extremes(sc.assign(text=""), top=k)[cols].reset_index(drop=True)
    out["text"] = [texts.get(i, "") for i in out["sent_id"]]
    return out


ACTOR_TONE_COLUMNS = ["actor", "n", "mean", "ci_low", "ci_high", "stance", "n_rest", "mean_rest", "ci_low_rest",
                      "ci_high_rest", "stance_rest", "diff", "diff_low", "diff_high", "verdict", "note", "sent_id",
                      "text"]


def _actor_units(m: pd.DataFrame, docs: pd.DataFrame, acts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One side's resampling units × actors: ``(sums, counts)`` of the mention scores per unit and
    actor (sparse matrices: at 100,000 articles dense ones held gigabytes) — its documents (every one, a document not naming an actor counts 0 for it) when it has
    several, else its mentions."""
    col = {a: i for i, a in enumerate(acts)}
    m = m[m["actor"].isin(col)]
    if len(docs) >= 2:
        row = {d: i for i, d in enumerate(docs["doc_id"].astype(str))}
        r = m["doc_id"].astype(str).map(row).to_numpy()
        ok = ~pd.isna(r)
        r, n_units = r[ok].astype(int), len(row)
        m = m[ok]
    else:
        r, n_units = np.arange(len(m)), len(m)
    c = m["actor"].map(col).to_numpy(dtype=int)
    # sparse (CSR): a unit names few of the actors; sums taken in the mentions' order, as np.add.at does
    from scipy.sparse import csr_matrix

    cell, at = np.unique(r.astype(np.int64) * max(1, len(acts)) + c, return_inverse=True)
    at = at.reshape(-1)
    shape = (n_units, len(acts))
    rows, cols = cell // max(1, len(acts)), cell % max(1, len(acts))
    sums = csr_matrix((np.bincount(at, weights=m["score"].to_numpy(dtype=float), minlength=len(cell)), (rows, cols)),
                      shape=shape)
    counts = csr_matrix((np.bincount(at, minlength=len(cell)).astype(float), (rows, cols)), shape=shape)
    return sums, counts


def _actor_tone(L, s: str, docs: pd.DataFrame, *, n_resamples: int, seed: int, min_n: int) -> pd.DataFrame:
    """Tone toward each actor the source mentions (its row of the actor table) beside the same actor
    in the rest: the rest's mean with a cluster-bootstrap interval over its documents, and the
    difference with the interval of the unpaired cluster bootstrap (both sides' documents
    resampled independently; :func:`framelens.lenses.stats.ratio_bootstrap_diff`). Without the
    text (``sent_id`` only)."""
    t = L["actor_table"]
    if t.empty:
        return pd.DataFrame(columns=ACTOR_TONE_COLUMNS)
    mine = t[t["source"] == s].reset_index(drop=True)
    cols = ["doc_id", "source", "actor", "score"]
    m = _rows(L, "actor_mentions", columns=cols if "doc_id" in _columns(L, "actor_mentions") else None)
    if "score" not in m.columns:
        m = m.rename(columns={"vader": "score"})
    acts = [str(a) for a in mine["actor"]]
    rest = m[(m["source"] != s) & m["actor"].isin(set(acts))]
    g = rest.groupby("actor", sort=False)["score"]
    n_r, mean_r, sd_r = g.size(), g.mean(), g.std(ddof=1)
    own_docs, rest_docs = docs[docs["source"] == s], docs[docs["source"] != s]
    if "doc_id" in m.columns and len(acts):
        a_units = _actor_units(m[m["source"] == s], own_docs, acts)
        b_units = _actor_units(rest, rest_docs, acts)
        diff, lo, hi, rlo, rhi = ratio_bootstrap_diff(*a_units, *b_units, n_resamples=n_resamples, seed=seed,
                                                      with_b=True)
    else:
        diff = lo = hi = rlo = rhi = np.full(len(acts), np.nan)
    out = pd.DataFrame({"actor": mine["actor"], "n": mine["n"].astype(int), "mean": mine["mean"],
                        "ci_low": mine["ci_low"], "ci_high": mine["ci_high"]})
    out["stance"] = [getattr(r, "stance", None) or stance(r.mean, n=int(r.n)) for r in mine.itertuples(index=False)]
    out["n_rest"] = [int(n_r.get(a, 0)) for a in acts]
    out["mean_rest"] = [float(mean_r.get(a, math.nan)) for a in acts]
    out["ci_low_rest"], out["ci_high_rest"] = rlo, rhi
    out["stance_rest"] = [evidence_stance(float(mean_r[a]), int(n_r[a]), float(np.nan_to_num(sd_r[a])))
                          if a in n_r.index else "" for a in acts]
    out["diff"], out["diff_low"], out["diff_high"] = diff, lo, hi
    out["verdict"] = [None if not np.isfinite(d) else "more positive than the rest" if a > 0 else
                      "more negative than the rest" if b < 0 else "cannot tell" for d, a, b in zip(diff, lo, hi)]
    out["note"] = [f"n = {k} < {min_n}: too small to judge" if k < min_n else "" for k in out["n"]]
    out["sent_id"] = [fmt.first_id(e) for e in mine["evidence"]]
    out["text"] = ""
    return out[ACTOR_TONE_COLUMNS].sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


def _columns(L, key: str) -> list[str]:
    if hasattr(L, "columns"):
        return list(L.columns(key))
    return list(L[key].columns)


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
    mine["p"] = [fisher_p(int(a), int(b), int(c), n_rest) for a, b, c in
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
    mine["p"] = [rate_p(int(a), float(w), int(b), w_rest) for a, w, b in
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
    u["sent_id"] = u["evidence"].map(fmt.first_id)
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
    o["sent_id"] = o["evidence"].map(fmt.first_id)
    o["text"] = o["sent_id"].map(texts).fillna("")
    return o[cols].reset_index(drop=True)


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
                         fmt.interval(a["ci_low"], a["ci_high"]) + f" (n = {int(a['n'])})" if a is not None else "",
                         (fmt.interval(b["ci_low"], b["ci_high"]) + f" (n = {int(b['n'])})") if b["n"] else "",
                         f"permutation {fmt.p_value(r.p)}" if not math.isnan(r.p) else ""] if x),
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
                     "uncertainty": f"{fmt.interval(f['ci_low'], f['ci_high'], '{:.0%}')} (n = {int(f['n_sentences'])}); Fisher {fmt.p_value(f['p'])}",
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
                     "uncertainty": f"{fmt.interval(f['ci_low'], f['ci_high'], '{:.0%}')}; Fisher {fmt.p_value(f['p'])} "
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
                     "uncertainty": f"{fmt.interval(r.ci_low, r.ci_high, '{:.1f}')}; rate test {fmt.p_value(r.p)}",
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
    n_resamples: int = N_RESAMPLES,
    n_permutations: int = N_PERMUTATIONS,
    top: int = 10,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    texts: TextFetcher | None = None,
    **lens_options,
) -> dict[str, pd.DataFrame]:
    """One source set against all the other sources pooled: a dict of DataFrames with the keys
    of :data:`PROFILE_KEYS` (see the module docstring for what each holds).

    ``lenses``: the tables of :func:`lens_tables` if already computed (else they are computed
    here with ``seed``, ``n_resamples``, ``n_permutations`` and ``lens_options``, e.g.
    ``codebook=``, ``actors=``). ``top``: distinctive terms listed. ``alpha``: level of the
    plain verdicts; ``min_n``: below this many sentences (markers, mentions) a comparison is
    "too small to judge". ``texts``: where the quoted sentences' text comes from (a
    :data:`TextFetcher`; default: the corpus's sentence table) — only those sentences are read.
    Unknown ``source_id`` → :class:`FramelensError`.
    """
    check_source(corpus, source_id)
    L = need_lenses(lenses)
    s = source_id
    label = corpus.label(s)
    labels = corpus.labels
    meta = _metadata(corpus, s)
    docs = corpus.documents[["doc_id", "source"]].assign(doc_id=lambda d: d["doc_id"].astype(str))
    own_ids = docs.loc[docs["source"] == s, "doc_id"].tolist()
    tone, tone_test = _tone(L, s, label, docs, n_resamples=n_resamples, n_permutations=n_permutations, seed=seed,
                            alpha=alpha, min_n=min_n)
    frames = _frames(L, s, min_n=min_n)
    cert = _certainty(L, s)
    actor_tone = _actor_tone(L, s, docs, n_resamples=n_resamples, seed=seed, min_n=min_n)  # numbers once,
    tone_ev = _tone_evidence(L, s, {}, doc_ids=own_ids)  # text added below
    quoted = with_texts(lambda t: {
        "unique_items": _unique_items(L, s, t), "omitted_items": _omitted_items(L, s, t, labels),
        "distinctive": _distinctive(L, s, t, top), "naming": _naming(L, s, t),
        "tone_evidence": tone_ev.assign(text=[t.get(i, "") for i in tone_ev["sent_id"]]),
        "actor_tone": actor_tone.assign(text=[t.get(i, "") for i in actor_tone["sent_id"]]),
    }, texts or corpus_texts(corpus))
    unique, omitted = quoted["unique_items"], quoted["omitted_items"]
    prof = {
        "metadata": meta,
        "overview": _overview(label, tone, tone_test, frames, cert, unique, omitted, meta, len(corpus.sources),
                              alpha=alpha, min_n=min_n),
        "distinctive": quoted["distinctive"],
        "naming": quoted["naming"],
        "tone": tone,
        "tone_test": tone_test,
        "tone_evidence": quoted["tone_evidence"],
        "actor_tone": quoted["actor_tone"],
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
                         f"({r['method']}; {short}, {fmt.p_value(r['p'])})")
    fr = profile["frames"]
    if len(fr) and fr["sentences"].max() > 0:
        f = fr.iloc[0]
        rest = f" against {f['share_rest']:.0%} elsewhere" if not pd.isna(f["share_rest"]) else ""
        parts.append(f"its most salient frame is {str(f['name']).lower()} ({f['share']:.0%} of its sentences{rest})")
    over = fr[(fr["difference"] > 0) & (fr["p"] < ALPHA) & (fr["n_sentences"] >= MIN_N)].sort_values("p", kind="stable") if len(fr) else fr
    if len(over) and over.iloc[0]["frame"] != fr.iloc[0]["frame"]:
        f = over.iloc[0]
        parts.append(f"{str(f['name']).lower()} is over-represented ({f['share']:.0%} against {f['share_rest']:.0%}, "
                     f"Fisher {fmt.p_value(f['p'])})")
    d = profile["distinctive"]
    if len(d) and not pd.isna(d["z"].iloc[0]):
        parts.append(f"its most distinctive term is '{d['term'].iloc[0]}' (z = {d['z'].iloc[0]:.1f})")
    u = profile["unique_items"]
    if len(u):
        parts.append(f"{len(u):,} coverage item{'s' if len(u) != 1 else ''} appear{'s' if len(u) == 1 else ''} only here")
    if not parts:
        return f"{label}: no sentences to profile."
    return f"{label} ({int(n):,} sentences): " + "; ".join(parts) + "."


def _unit_noun(unit: str, n: int) -> str:
    """The comparison unit as a noun for ``n`` of them: "source(s)", or with ``--by group``
    "group(s)", ``--by month`` "month(s)"."""
    unit = str(unit or "source").replace("_", " ")
    if n == 1:
        return unit
    return unit + ("es" if unit.endswith(("s", "x", "z", "ch", "sh")) else "s")


def title(corpus: CorpusLike, source_id: str):
    """A Markdown heading naming the profiled source (HTML-escaped) with its outlet, date and
    genre, for the top of the profile notebook."""
    from IPython.display import Markdown

    check_source(corpus, source_id)
    meta = _metadata(corpus, source_id)
    bits = [f"{len(meta)} article{'s' if len(meta) != 1 else ''}"] if len(meta) > 1 else []
    dates = sorted(v for v in meta["published"] if v)  # ISO dates and prefixes sort in time order
    if dates:
        undated = len(meta) - len(dates)
        bits.append((dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}")
                    + (f" ({undated} undated)" if undated else ""))
    for col in ("genre", "event"):
        vals = [v for v in dict.fromkeys(meta[col]) if v]
        if vals:
            bits.append("; ".join(vals[:3]) + (f" and {len(vals) - 3} more" if len(vals) > 3 else ""))
    bits.append(f"{len(corpus.sources) - 1} other {_unit_noun(getattr(corpus, 'unit', 'source'), len(corpus.sources) - 1)}"
                " in the corpus")
    return Markdown(f"## {fmt.md_text(corpus.label(source_id))}\n\n" + fmt.md_text(" · ".join(bits)))


#: the columns of the stored reuse tables that :func:`reuse_note` reads (those
#: :func:`framelens.lenses.reuse.source_note` uses): a profile page reads nothing else of them
REUSE_NOTE_COLUMNS: dict[str, list[str]] = {"passages": ["source_a", "source_b", "words"],
                                            "boilerplate": ["sources"],
                                            "documents": ["source", "reused_share", "words"]}


def reuse_note(tables, source_id: str) -> str:
    """:func:`framelens.lenses.reuse.source_note` for one source from the stored reuse part's ``tables``
    (:class:`framelens.store.lens_store.Tables`), reading only :data:`REUSE_NOTE_COLUMNS` — not the passages'
    text, edits or per-sentence rows (at 10 k articles the largest tables of the store) — and only the
    source's own rows of passages and documents (:func:`_reuse_rows`: the filters are pushed down to
    Parquet); the same note as from the whole tables. ``tables`` may also be any mapping of the whole
    tables. An :class:`framelens.errors.Unavailable` (the part failed) gives its reason."""
    if isinstance(tables, Unavailable):
        return f"*Shared passages: {tables.clause()}*"
    if hasattr(tables, "files") and hasattr(tables, "info"):
        return reuse.source_note(reuse.from_tables(_reuse_rows(tables, source_id), tables.info), source_id)
    view = tables.only(REUSE_NOTE_COLUMNS) if hasattr(tables, "only") else tables
    return reuse.source_note(reuse.from_tables(view), source_id)


def _reuse_rows(tables, source_id: str) -> dict[str, pd.DataFrame]:
    """The stored reuse tables as :func:`reuse_note` needs them: :data:`REUSE_NOTE_COLUMNS` only, the
    passages the source is a side of and its own documents only (row filters read by Parquet), the
    other tables empty with their columns."""
    s = str(source_id)
    filters = {"passages": [[("source_a", "==", s)], [("source_b", "==", s)]], "documents": [("source", "==", s)]}
    out: dict[str, pd.DataFrame] = {}
    for name in tables:
        if name not in REUSE_NOTE_COLUMNS:
            out[name] = pd.DataFrame(columns=tables.columns(name))
            continue
        frames = []
        for path, meta in tables.files(name):
            meta = {k: v for k, v in meta.items() if k not in ("rows", "file")}
            try:
                frames.append(read_table(path, meta, columns=REUSE_NOTE_COLUMNS[name], filters=filters.get(name)))
            except FramelensError:  # a column Parquet cannot compare (e.g. no row to type it): cut after
                frames.append(read_table(path, meta, columns=REUSE_NOTE_COLUMNS[name]))
        out[name] = concat_frames(frames)
    return out
