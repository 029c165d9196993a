"""The synthesis: how the sources differ on each lens, which resemble each other, and the key
findings as generated sentences with their evidence and uncertainty.

* :func:`lens_table` — one row per source: size, top distinctive terms, mean tone with its
  bootstrap interval, dominant frame with its share, hedges / boosters / promotional words per
  1,000 words, and the coverage items only that source reports.
* :func:`key_measures` — the same measures in long form with intervals (for the small-multiples
  figure :func:`framelens.report.plots.synthesis.profile_multiples`).
* :func:`lens_distances`, :func:`normalise_distance`, :func:`combine_distances`,
  :func:`combined_similarity` — one source × source distance matrix per lens, each normalised
  to [0, 1] over the pairs (min–max or rank) and averaged; clustered with average linkage
  (UPGMA; Sokal & Michener 1958) for a dendrogram. The lenses:

  - ``vocabulary``: 1 − cosine similarity of TF-IDF vectors of content terms
    (:func:`framelens.lenses.vocabulary.similarity`; Salton & Buckley 1988);
  - ``sentiment``: Wasserstein-1 ("earth mover's") distance between the two sources'
    distributions of sentence tone (VADER compound) — 0 when their sentences are toned alike;
  - ``framing``: Jensen–Shannon distance (base 2, in [0, 1]; Lin 1991) between the sources'
    frame profiles (the share of sentences carrying each frame, rescaled to sum to 1);
  - ``coverage`` (optional): Jaccard distance between the sets of coverage items.

  With few sources this is descriptive: there is no test, and with two sources there is a
  single pair (normalised to 0.5) so nothing can be ranked.
* :func:`key_findings` — sentences generated from the tables (never written by hand), each
  with ``evidence`` (quoted sentences with their sent_id), ``uncertainty`` (intervals, p, n;
  n below :data:`framelens.lenses.profile.MIN_N` is flagged as too small) and ``sent_ids``.
  :func:`findings_from_tables` is the same on plain tables (no corpus needed).
* :func:`headline` — one sentence for the index page.

Every function accepts the tables of :func:`framelens.lens_tables` as ``lenses=`` so a
notebook computes each lens once.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

from framelens.errors import FramelensError, Unavailable
from framelens.core import fmt
from framelens.lenses.profile import MIN_N, TextFetcher, corpus_texts, need_lenses, with_texts
from framelens.lenses.stats import fisher_p, rate_p

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.lenses import reuse

__all__ = [
    "LENSES",
    "DEFAULT_LENSES",
    "lens_table",
    "key_measures",
    "lens_distances",
    "normalise_distance",
    "combine_distances",
    "CombinedSimilarity",
    "combined_similarity",
    "findings_from_tables",
    "key_findings",
    "headline",
    "notice",
    "display_table",
    "needs_two",
]

LENSES = ("vocabulary", "sentiment", "framing", "coverage")
DEFAULT_LENSES = ("vocabulary", "sentiment", "framing")
LENS_NAMES = {"vocabulary": "vocabulary (TF-IDF cosine distance)",
              "sentiment": "tone (Wasserstein distance of sentence VADER scores)",
              "framing": "framing (Jensen–Shannon distance of frame profiles)",
              "coverage": "coverage (Jaccard distance of item sets)"}
FINDING_COLUMNS = ["finding", "lens", "evidence", "uncertainty", "sent_ids"]


def _lenses(corpus: CorpusLike, lenses, **options) -> Mapping[str, pd.DataFrame]:
    return need_lenses(lenses)


def needs_two(corpus: CorpusLike) -> str | None:
    """The message to show when the corpus has fewer than two sources, else None."""
    n = len(corpus.sources)
    if n >= 2:
        return None
    if n == 0:
        return "The corpus has no sources: nothing to compare."
    return (f"Comparisons need at least two sources; this corpus has one ({corpus.label(corpus.sources[0])}). "
            "The tables below describe it alone.")


# ---------------------------------------------------------------------------------------------
# Source × measure table
# ---------------------------------------------------------------------------------------------
def lens_table(corpus: CorpusLike, *, lenses: Mapping[str, pd.DataFrame] | None = None, top_terms: int = 3,
               n_examples: int = 3, **options) -> pd.DataFrame:
    """One row per source, the lenses side by side.

    Columns: ``source, label, n_documents, n_sentences, n_words, distinctive_terms`` (the
    ``top_terms`` highest log-odds z, with z), ``tone_mean, tone_ci_low, tone_ci_high`` (mean VADER
    compound per sentence, 95% bootstrap interval), ``dominant_frame, dominant_frame_share,
    dominant_frame_ci_low, dominant_frame_ci_high``, ``hedges_per_1000, boosters_per_1000,
    promotional_per_1000`` (each with ``_ci_low`` / ``_ci_high``), ``unique_items`` (how many
    coverage items only this source reports) and ``unique_examples``.
    """
    L = _lenses(corpus, lenses, **options)
    rows = []
    labels = corpus.labels
    empty = pd.DataFrame()

    def by_source(df: pd.DataFrame) -> dict:  # one pass per table, whatever the number of sources
        return {k: g for k, g in df.groupby(df["source"].astype(str), sort=False)} if len(df) else {}

    docs = by_source(corpus.documents)
    dist = L["distinctive"]
    dist = by_source(dist[dist["z"] > 0])
    iv = L["intervals"].set_index("source") if len(L["intervals"]) else pd.DataFrame()
    sal = L["salience"]
    sal = by_source(sal[sal["sentences"] > 0])
    cert = by_source(L["certainty"])
    cov = L["coverage"]
    uniq = {k: g for k, g in cov.groupby("unique_to", sort=False)} if len(cov) else {}
    for s in corpus.sources:  # one row per source, each read off its own group
        d = docs.get(str(s), empty)
        row = {"source": s, "label": labels.get(s, s), "n_documents": len(d),
               "n_sentences": int(d["n_sentences"].sum()) if len(d) else 0,
               "n_words": int(d["n_words"].sum()) if len(d) else 0}
        ds = dist.get(str(s), empty)
        ds = ds.sort_values("z", ascending=False, kind="stable").head(top_terms) if len(ds) else ds
        row["distinctive_terms"] = ", ".join(f"{t} ({z:.1f})" for t, z in zip(ds["term"], ds["z"])) if len(ds) else ""
        if s in iv.index:
            r = iv.loc[s]
            row.update(tone_mean=r["mean"], tone_ci_low=r["ci_low"], tone_ci_high=r["ci_high"])
        else:
            row.update(tone_mean=np.nan, tone_ci_low=np.nan, tone_ci_high=np.nan)
        f = sal.get(str(s), empty)
        if len(f):
            f = f.sort_values(["share", "per_1000_words"], ascending=False, kind="stable").iloc[0]
            row.update(dominant_frame=f["name"], dominant_frame_share=f["share"], dominant_frame_ci_low=f["ci_low"],
                       dominant_frame_ci_high=f["ci_high"])
        else:
            row.update(dominant_frame="", dominant_frame_share=np.nan, dominant_frame_ci_low=np.nan,
                       dominant_frame_ci_high=np.nan)
        cs = cert.get(str(s), empty)
        for m in ("hedges", "boosters", "promotional"):
            c = cs[cs["measure"] == m] if len(cs) else cs
            if len(c):
                row.update({f"{m}_per_1000": c["per_1000_words"].iloc[0], f"{m}_ci_low": c["ci_low"].iloc[0],
                            f"{m}_ci_high": c["ci_high"].iloc[0]})
            else:
                row.update({f"{m}_per_1000": np.nan, f"{m}_ci_low": np.nan, f"{m}_ci_high": np.nan})
        u = uniq.get(s, empty)
        row["unique_items"] = len(u)
        row["unique_examples"] = ", ".join(u["label"].astype(str).head(n_examples)) if len(u) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """A compact, readable version of :func:`lens_table` (intervals as text) for showing."""
    def ci(m, lo, hi, fmt):
        return [("–" if pd.isna(a) else f"{fmt.format(a)} ({fmt.format(b)} to {fmt.format(c)})")
                for a, b, c in zip(table[m], table[lo], table[hi])]

    out = pd.DataFrame({
        "source": table["label"],
        "sentences": table["n_sentences"],
        "distinctive terms (z)": table["distinctive_terms"],
        "mean tone, VADER (95% CI)": ci("tone_mean", "tone_ci_low", "tone_ci_high", "{:+.2f}"),
        "dominant frame": table["dominant_frame"],
        "its share (95% CI)": ci("dominant_frame_share", "dominant_frame_ci_low", "dominant_frame_ci_high", "{:.0%}"),
        "hedges /1,000 words": ci("hedges_per_1000", "hedges_ci_low", "hedges_ci_high", "{:.1f}"),
        "boosters /1,000 words": ci("boosters_per_1000", "boosters_ci_low", "boosters_ci_high", "{:.1f}"),
        "promotional /1,000 words": ci("promotional_per_1000", "promotional_ci_low", "promotional_ci_high", "{:.1f}"),
        "unique items": [f"{n}" + (f" (e.g. {e})" if e else "") for n, e in zip(table["unique_items"], table["unique_examples"])],
    })
    return out


def key_measures(corpus: CorpusLike, *, lenses: Mapping[str, pd.DataFrame] | None = None, **options) -> pd.DataFrame:
    """Key measures per source in long form, each with a 95% interval and its n:
    ``source, label, measure, value, ci_low, ci_high, n, unit``.

    Measures: mean sentence tone (VADER); the share of sentences carrying the frame most salient
    in the corpus as a whole and the frame whose share varies most between sources; hedges,
    boosters and promotional words per 1,000 words (n = markers counted; for shares and tone n is
    the source's sentences).
    """
    L = _lenses(corpus, lenses, **options)
    labels = corpus.labels
    parts = []
    iv = L["intervals"]
    if len(iv):
        parts.append(pd.DataFrame({"source": iv["source"], "measure": "Mean tone per sentence (VADER)", "value": iv["mean"],
                                   "ci_low": iv["ci_low"], "ci_high": iv["ci_high"], "n": iv["n"], "unit": "sentences"}))
    sal = L["salience"]
    if len(sal) and sal["sentences"].sum() > 0:
        tot = sal.groupby("frame", sort=False)["sentences"].sum()
        top = tot.idxmax()
        spread = sal.groupby("frame", sort=False)["share"].agg(lambda x: x.max() - x.min())
        var = spread.drop(top).idxmax() if len(spread) > 1 and len(sal["source"].unique()) > 1 else None
        for fr in [top] + ([var] if var is not None and spread[var] > 0 else []):
            f = sal[sal["frame"] == fr]
            parts.append(pd.DataFrame({"source": f["source"], "measure": f"Share of sentences: {f['name'].iloc[0]}",
                                       "value": f["share"], "ci_low": f["ci_low"], "ci_high": f["ci_high"],
                                       "n": f["n_sentences"], "unit": "sentences"}))
    cert = L["certainty"]
    for m in ("hedges", "boosters", "promotional"):
        c = cert[cert["measure"] == m]
        if len(c):
            parts.append(pd.DataFrame({"source": c["source"], "measure": f"{m.capitalize()} per 1,000 words",
                                       "value": c["per_1000_words"], "ci_low": c["ci_low"], "ci_high": c["ci_high"],
                                       "n": c["count"], "unit": "markers"}))
    if not parts:
        return pd.DataFrame(columns=["source", "label", "measure", "value", "ci_low", "ci_high", "n", "unit"])
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "label", out["source"].map(labels))
    return out


# ---------------------------------------------------------------------------------------------
# Combined similarity
# ---------------------------------------------------------------------------------------------
def _square(values: np.ndarray, sources: Sequence[str]) -> pd.DataFrame:
    v = np.asarray(values, dtype=float)
    np.fill_diagonal(v, 0.0)
    return pd.DataFrame(v, index=pd.Index(list(sources), name="source"), columns=list(sources))


def _wasserstein_matrix(scores: pd.DataFrame, sources: Sequence[str], value: str = "vader_compound") -> np.ndarray:
    from scipy.stats import wasserstein_distance

    vals = {s: g[value].dropna().to_numpy(dtype=float) for s, g in scores.groupby("source", sort=False)}
    n = len(sources)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a, b = vals.get(sources[i], np.array([])), vals.get(sources[j], np.array([]))
            out[i, j] = out[j, i] = wasserstein_distance(a, b) if a.size and b.size else np.nan
    return out


def _js_matrix(salience: pd.DataFrame, sources: Sequence[str]) -> np.ndarray:
    from scipy.spatial.distance import jensenshannon

    p = salience.pivot_table(index="source", columns="frame", values="share", aggfunc="sum", sort=False)
    p = p.reindex(list(sources)).fillna(0.0).to_numpy(dtype=float)
    n = len(sources)
    out = np.zeros((n, n))
    tot = p.sum(axis=1)
    for i in range(n):
        for j in range(i + 1, n):
            if tot[i] == 0 and tot[j] == 0:
                d = 0.0
            elif tot[i] == 0 or tot[j] == 0:
                d = 1.0  # one source carries no frame at all: as far apart as can be
            else:
                d = float(jensenshannon(p[i] / tot[i], p[j] / tot[j], base=2))
            out[i, j] = out[j, i] = d
    return out


def _jaccard_items(coverage: pd.DataFrame, sources: Sequence[str]) -> np.ndarray:
    n = len(sources)
    out = np.zeros((n, n))
    if coverage.empty:
        return out * np.nan
    pres = coverage.reindex(columns=list(sources), fill_value=0).to_numpy() > 0
    for i in range(n):
        for j in range(i + 1, n):
            union = np.sum(pres[:, i] | pres[:, j])
            out[i, j] = out[j, i] = 1 - np.sum(pres[:, i] & pres[:, j]) / union if union else np.nan
    return out


def lens_distances(corpus: CorpusLike, *, lenses: Mapping[str, pd.DataFrame] | None = None,
                   include: Sequence[str] = DEFAULT_LENSES, **options) -> dict[str, pd.DataFrame]:
    """One square source × source distance matrix per lens in ``include`` (raw units; see the
    module docstring): ``{"vocabulary": ..., "sentiment": ..., "framing": ..., "coverage": ...}``."""
    bad = [x for x in include if x not in LENSES]
    if bad:
        raise FramelensError(f"lenses: unknown lens {bad[0]!r} (available: {', '.join(LENSES)})")
    L = _lenses(corpus, lenses, **options)
    srcs = list(corpus.sources)
    out = {}
    for lens in include:
        if lens == "vocabulary":
            sim = L["vocab_similarity"].reindex(index=srcs, columns=srcs).to_numpy(dtype=float)
            d = np.clip(1.0 - sim, 0.0, None)
        elif lens == "sentiment":
            scores = L.scan("scores", columns=["source", "vader_compound"]) if hasattr(L, "scan") else L["scores"]
            d = _wasserstein_matrix(scores, srcs)  # (from the store: two columns of the sentences, not every score)
        elif lens == "framing":
            d = _js_matrix(L["salience"], srcs)
        else:
            d = _jaccard_items(L["coverage"], srcs)
        out[lens] = _square(d, srcs)
    return out


def normalise_distance(dist: pd.DataFrame, method: str = "minmax") -> pd.DataFrame:
    """Rescale the off-diagonal distances of a square matrix to [0, 1] so lenses in different
    units can be averaged; the diagonal stays 0 and NaN stays NaN.

    ``"minmax"``: (d − min) / (max − min) over the pairs. ``"rank"``: the pairs' ranks (ties
    share their average rank) mapped to (rank − 1) / (pairs − 1). When all pairs are equal (or
    there is a single pair) every pair gets 0.5: the lens cannot tell pairs apart.
    """
    if method not in {"minmax", "rank"}:
        raise FramelensError(f"normalise: method must be 'minmax' or 'rank', got {method!r}")
    from scipy.stats import rankdata

    d = dist.to_numpy(dtype=float).copy()
    n = d.shape[0]
    iu = np.triu_indices(n, k=1)
    vals = d[iu]
    ok = ~np.isnan(vals)
    new = np.full(vals.shape, np.nan)
    if ok.sum() >= 1:
        v = vals[ok]
        if method == "rank":
            v = rankdata(v, method="average")
        lo, hi = float(np.min(v)), float(np.max(v))
        new[ok] = 0.5 if hi - lo <= 1e-12 else (v - lo) / (hi - lo)
    out = np.zeros((n, n))
    out[iu] = new
    out[(iu[1], iu[0])] = new
    return pd.DataFrame(out, index=dist.index, columns=dist.columns)


def combine_distances(dists: Mapping[str, pd.DataFrame], *, method: str = "minmax",
                      weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Average of the normalised per-lens distance matrices (:func:`normalise_distance`),
    optionally weighted; a pair missing in one lens (NaN) is averaged over the others."""
    if not dists:
        raise FramelensError("combine_distances: no lens distances to combine")
    first = next(iter(dists.values()))
    num = np.zeros(first.shape)
    den = np.zeros(first.shape)
    for lens, d in dists.items():
        w = 1.0 if weights is None else float(weights.get(lens, 0.0))
        nd = normalise_distance(d.reindex(index=first.index, columns=first.columns), method).to_numpy()
        ok = ~np.isnan(nd)
        num += np.where(ok, nd * w, 0.0)
        den += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        comb = num / den
    np.fill_diagonal(comb, 0.0)
    return pd.DataFrame(comb, index=first.index, columns=first.columns)


class CombinedSimilarity(NamedTuple):
    """``distance``: combined distance (0 = most alike pair … 1 = least alike, diagonal 0);
    ``per_lens``: raw distance per lens; ``normalised``: the same rescaled to [0, 1];
    ``pairs``: one row per pair (most alike first); ``linkage``: the scipy average-linkage
    matrix (None with fewer than two sources); ``order``: sources in dendrogram leaf order."""
    distance: pd.DataFrame
    per_lens: dict
    normalised: dict
    pairs: pd.DataFrame
    linkage: np.ndarray | None
    order: list
    method: str


def combined_similarity(corpus: CorpusLike, *, lenses: Mapping[str, pd.DataFrame] | None = None,
                        include: Sequence[str] = DEFAULT_LENSES, method: str = "minmax",
                        weights: Mapping[str, float] | None = None, linkage_method: str = "average",
                        **options) -> CombinedSimilarity:
    """Which sources resemble each other across the lenses (see the module docstring).

    The ``pairs`` table has ``a, b, label_a, label_b``, the raw distance of each lens, the
    normalised one (``<lens>_norm``), ``combined`` and ``rank`` (1 = most alike). Descriptive:
    no test; with two sources there is one pair and nothing to rank.
    """
    per = lens_distances(corpus, lenses=lenses, include=include, **options)
    srcs = list(corpus.sources)
    normed = {k: normalise_distance(v, method) for k, v in per.items()}
    comb = combine_distances(per, method=method, weights=weights)
    labels = corpus.labels
    iu = np.triu_indices(len(srcs), k=1)
    pairs = pd.DataFrame({"a": [srcs[i] for i in iu[0]], "b": [srcs[j] for j in iu[1]]})
    pairs["label_a"] = pairs["a"].map(labels)
    pairs["label_b"] = pairs["b"].map(labels)
    for k in per:
        pairs[k] = per[k].to_numpy()[iu]
    for k in per:
        pairs[f"{k}_norm"] = normed[k].to_numpy()[iu]
    pairs["combined"] = comb.to_numpy()[iu]
    pairs = pairs.sort_values("combined", kind="stable").reset_index(drop=True)
    pairs["rank"] = np.arange(1, len(pairs) + 1)
    link, order = None, srcs
    if len(srcs) >= 2:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform

        m = comb.to_numpy(copy=True)
        m = np.where(np.isnan(m), np.nanmax(m) if np.isfinite(m).any() else 1.0, m)
        m = (m + m.T) / 2
        np.fill_diagonal(m, 0.0)
        link = linkage(squareform(m, checks=False), method=linkage_method)
        order = [srcs[i] for i in leaves_list(link)]
    return CombinedSimilarity(comb, per, normed, pairs, link, order, method)


# ---------------------------------------------------------------------------------------------
# Key findings
# ---------------------------------------------------------------------------------------------
def _ev(ids: Sequence[str], texts: Mapping[str, str]) -> tuple[str, str]:
    ids = [i for i in dict.fromkeys(ids) if i]
    ev = " / ".join(f"[{i}] \u201c{fmt.quote(texts.get(i, ''))}\u201d" for i in ids if texts.get(i))
    return ev, "; ".join(ids)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _f_similarity(sim: CombinedSimilarity | None, labels, n_sources: int) -> list[dict]:
    if sim is None or sim.pairs.empty:
        return []
    lens_list = list(sim.per_lens)
    names = ", ".join(lens_list[:-1]) + (" and " if len(lens_list) > 1 else "") + lens_list[-1]
    p = sim.pairs.iloc[0]
    raw = "; ".join(f"{k} {p[k]:.2f}" for k in lens_list if not pd.isna(p[k]))
    if n_sources == 2:
        return [{"finding": f"With two sources there is a single pair ({p['label_a']} and {p['label_b']}): "
                            f"their distances ({raw}) cannot be ranked against other pairs.",
                 "lens": "combined", "evidence": f"raw distances: {raw}",
                 "uncertainty": "descriptive; needs at least three sources to say who resembles whom", "sent_ids": ""}]
    d = sim.distance
    mean_d = d.sum(axis=1) / (len(d) - 1)
    out_src = mean_d.idxmax()
    ranks = {k: int(sim.pairs[k].rank(method="min").iloc[0]) for k in lens_list if not pd.isna(p[k])}
    rank_txt = ", ".join(f"{_ordinal(r)} on {k}" for k, r in ranks.items())
    far = sim.pairs.iloc[-1]
    text = (f"Across {names}, {p['label_a']} and {p['label_b']} are the most alike pair "
            f"(combined distance {p['combined']:.2f} on a 0–1 scale; of {len(sim.pairs)} pairs they rank {rank_txt}), "
            f"{far['label_a']} and {far['label_b']} the least alike ({far['combined']:.2f}), "
            f"and {labels.get(out_src, out_src)} stands furthest from the others on average ({mean_d[out_src]:.2f}).")
    ev = (f"most alike pair, raw distances: {raw}; least alike pair: "
          + "; ".join(f"{k} {far[k]:.2f}" for k in lens_list if not pd.isna(far[k])))
    return [{"finding": text, "lens": "combined", "evidence": ev,
             "uncertainty": f"descriptive, no test: {n_sources} sources, {len(sim.pairs)} pairs; each lens normalised "
                            f"({sim.method}) over the pairs, so one more article can reorder close pairs",
             "sent_ids": ""}]


def _source_scores(L, source: str) -> pd.DataFrame:
    """One source's sentence scores (``sent_id, source, vader_compound``, in corpus order): from the
    lens store only its rows are read (the filter pushed down to Parquet), not every sentence's."""
    cols = ["sent_id", "source", "vader_compound"]
    if hasattr(L, "scan"):
        return L.scan("scores", columns=cols, where={"source": source})
    sc = L["scores"]
    return sc.loc[(sc["source"] == source).to_numpy(), cols]


def _f_tone(iv: pd.DataFrame, pw: pd.DataFrame, scores_of, labels, texts, min_n: int) -> list[dict]:
    """The tone finding; ``scores_of(source)``: that source's sentence scores."""
    iv = iv.dropna(subset=["mean"])
    if len(iv) < 2:
        return []
    iv = iv.sort_values("mean", kind="stable")
    lo, hi = iv.iloc[0], iv.iloc[-1]
    lab_lo, lab_hi = labels.get(lo["source"], lo["source"]), labels.get(hi["source"], hi["source"])
    row = pw[((pw["a"] == hi["source"]) & (pw["b"] == lo["source"])) | ((pw["a"] == lo["source"]) & (pw["b"] == hi["source"]))] \
        if pw is not None and len(pw) else pd.DataFrame()
    n_clear = int((~pw["verdict"].astype(str).str.startswith("cannot")).sum()) if pw is not None and len(pw) else 0
    small = min(int(lo["n"]), int(hi["n"])) < min_n
    if small:
        verdict = "too few sentences to tell them apart"
    elif len(row) and not str(row["verdict"].iloc[0]).startswith("cannot"):
        verdict = "a difference beyond chance"
    else:
        verdict = "but the two cannot be told apart beyond chance"
    text = (f"Sentence tone is most positive in {lab_hi} (mean VADER {hi['mean']:+.2f}) and least positive in {lab_lo} "
            f"({lo['mean']:+.2f}), {verdict}; {n_clear} of {len(pw) if pw is not None else 0} source pairs differ "
            f"after Holm correction.")
    unc = [f"{lab_hi}: {fmt.interval(hi['ci_low'], hi['ci_high'], missing='no interval')}, {fmt.small_n(int(hi['n']), min_n, unit='sentences')}",
           f"{lab_lo}: {fmt.interval(lo['ci_low'], lo['ci_high'], missing='no interval')}, {fmt.small_n(int(lo['n']), min_n, unit='sentences')}"]
    if len(row):
        unc.append(f"permutation {fmt.p_value(float(row['p'].iloc[0]))}, Holm-corrected {fmt.p_value(float(row['p_holm'].iloc[0]))}")
    top = scores_of(hi["source"]).sort_values("vader_compound", ascending=False, kind="stable").head(1)
    bot = scores_of(lo["source"]).sort_values("vader_compound", ascending=True, kind="stable").head(1)
    ids = list(top["sent_id"]) + list(bot["sent_id"])
    ev, sids = _ev(ids, texts)
    return [{"finding": text, "lens": "sentiment", "evidence": ev, "uncertainty": "; ".join(unc), "sent_ids": sids}]


def _f_actor(actors: pd.DataFrame, labels, texts, min_n: int, min_mentions: int = 3) -> list[dict]:
    if actors is None or actors.empty:
        return []
    a = actors[actors["n"] >= min_mentions]
    g = a.groupby("actor", sort=False)["mean"]
    spread = (g.max() - g.min())[g.size() >= 2]
    if spread.empty:
        return []
    who = spread.idxmax()
    cell = a[a["actor"] == who].sort_values("mean", kind="stable")
    lo, hi = cell.iloc[0], cell.iloc[-1]
    lab_lo, lab_hi = labels.get(lo["source"], lo["source"]), labels.get(hi["source"], hi["source"])
    overlap = not (lo["ci_high"] < hi["ci_low"])
    text = (f"Tone toward {who} differs most between sources: {hi['mean']:+.2f} in {lab_hi} against {lo['mean']:+.2f} "
            f"in {lab_lo} (mean news tone of its mentions, P(positive) − P(negative) of framelens' news model; "
            f"stance: {hi.get('stance', 'n/a')} in {lab_hi}, {lo.get('stance', 'n/a')} in {lab_lo})"
            + ("; the intervals overlap, so this may be chance." if overlap else "; the intervals do not overlap."))
    unc = (f"{lab_hi}: {fmt.interval(hi['ci_low'], hi['ci_high'], missing='no interval')}, {fmt.small_n(int(hi['n']), min_n, 'n mentions')}; "
           f"{lab_lo}: {fmt.interval(lo['ci_low'], lo['ci_high'], missing='no interval')}, {fmt.small_n(int(lo['n']), min_n, 'n mentions')}; "
           f"cells with fewer than {min_mentions} mentions left out")
    ev, sids = _ev([fmt.first_id(hi["evidence"]), fmt.first_id(lo["evidence"])], texts)
    return [{"finding": text, "lens": "sentiment", "evidence": ev, "uncertainty": unc, "sent_ids": sids}]


def _frame_ev(fe: pd.DataFrame, source: str, frame: str) -> str:
    if fe is None or fe.empty:
        return ""
    r = fe[(fe["source"] == source) & (fe["frame"] == frame)]
    return str(r["sent_id"].iloc[0]) if len(r) else ""


def _f_frames(sal: pd.DataFrame, fe: pd.DataFrame, labels, texts, min_n: int) -> list[dict]:
    if sal is None or sal.empty or sal["sentences"].sum() == 0:
        return []
    out = []
    srcs = list(pd.unique(sal["source"]))
    top = (sal[sal["sentences"] > 0].sort_values(["source", "share", "per_1000_words"], ascending=[True, False, False],
                                                 kind="stable").drop_duplicates("source"))
    counts = top["frame"].value_counts()
    dom = counts.index[0]
    rows = top[top["frame"] == dom]
    name = rows["name"].iloc[0]
    best = rows.sort_values("share", ascending=False, kind="stable").iloc[0]
    ev, sids = _ev([_frame_ev(fe, best["source"], dom)], texts)
    shares = sal[sal["frame"] == dom]
    rng = (f"{rows['share'].iloc[0]:.0%} of its sentences" if len(rows) == 1 else
           f"{rows['share'].min():.0%} to {rows['share'].max():.0%} of their sentences")
    text = (f"{name} is the most salient frame in {len(rows)} of {len(srcs)} source{'s' if len(srcs) != 1 else ''} "
            f"({rng})")
    others = top[top["frame"] != dom]
    if len(others):
        text += "; " + ", ".join(f"{labels.get(r.source, r.source)} leads with {str(r.name).lower()} ({r.share:.0%})"
                                 for r in others.head(4).itertuples(index=False))
    text += "."
    nmin = int(shares["n_sentences"].min())
    out.append({"finding": text, "lens": "framing", "evidence": ev,
                "uncertainty": f"share of sentences carrying the frame (cue words of the codebook); "
                               f"{labels.get(best['source'], best['source'])}: {fmt.interval(best['ci_low'], best['ci_high'], '{:.0%}', missing='no interval')}; "
                               f"fewest sentences in a source: {fmt.small_n(nmin, min_n, unit='sentences')}",
                "sent_ids": sids})
    if len(srcs) < 2:
        return out
    spread = sal.groupby("frame", sort=False)["share"].agg(lambda x: x.max() - x.min())
    spread = spread.drop(dom, errors="ignore")
    if spread.empty or spread.max() <= 0:
        return out
    fr = spread.idxmax()
    f = sal[sal["frame"] == fr].sort_values("share", kind="stable")
    lo, hi = f.iloc[0], f.iloc[-1]
    p = fisher_p(int(hi["sentences"]), int(hi["n_sentences"]), int(lo["sentences"]), int(lo["n_sentences"]))
    lab_lo, lab_hi = labels.get(lo["source"], lo["source"]), labels.get(hi["source"], hi["source"])
    text = (f"Sources differ most on {str(hi['name']).lower()}: {hi['share']:.0%} of sentences in {lab_hi} "
            f"({int(hi['sentences'])} of {int(hi['n_sentences'])}) against {lo['share']:.0%} in {lab_lo} "
            f"({int(lo['sentences'])} of {int(lo['n_sentences'])}).")
    ev, sids = _ev([_frame_ev(fe, hi["source"], fr)], texts)
    unc = (f"{lab_hi}: {fmt.interval(hi['ci_low'], hi['ci_high'], '{:.0%}', missing='no interval')}; {lab_lo}: {fmt.interval(lo['ci_low'], lo['ci_high'], '{:.0%}', missing='no interval')}; "
           f"Fisher exact {fmt.p_value(p)} (the frame with the widest spread of {len(spread) + 1} frames: picked after "
           f"looking, so read p as optimistic); "
           + ("" if min(int(hi["n_sentences"]), int(lo["n_sentences"])) >= min_n else
              fmt.small_n(min(int(hi['n_sentences']), int(lo['n_sentences'])), min_n, unit="sentences")))
    out.append({"finding": text, "lens": "framing", "evidence": ev, "uncertainty": unc.rstrip("; "), "sent_ids": sids})
    return out


def _f_certainty(cert: pd.DataFrame, cev: pd.DataFrame, labels, texts, min_n: int,
                 measures: Sequence[str] = ("promotional", "hedges")) -> list[dict]:
    out = []
    if cert is None or cert.empty or cert["source"].nunique() < 2:
        return out
    for m in measures:
        c = cert[cert["measure"] == m].sort_values(["per_1000_words", "count"], kind="stable")
        if len(c) < 2 or c["count"].sum() == 0:
            continue
        lo, hi = c.iloc[0], c.iloc[-1]
        p = rate_p(int(hi["count"]), float(hi["words"]), int(lo["count"]), float(lo["words"]))
        lab_lo, lab_hi = labels.get(lo["source"], lo["source"]), labels.get(hi["source"], hi["source"])
        word = {"promotional": "promotional vocabulary", "hedges": "hedges (may, could, suggest …)",
                "boosters": "boosters (clearly, certainly, will …)", "superlatives": "superlatives"}.get(m, m)
        text = (f"{lab_hi} uses the most {word}: {hi['per_1000_words']:.1f} per 1,000 words ({int(hi['count'])} in "
                f"{int(hi['words'])} words) against {lo['per_1000_words']:.1f} in {lab_lo} ({int(lo['count'])} in "
                f"{int(lo['words'])} words).")
        few = int(hi["count"]) + int(lo["count"]) < min_n
        unc = (f"{lab_hi}: {fmt.interval(hi['ci_low'], hi['ci_high'], '{:.1f}', missing='no interval')}; {lab_lo}: {fmt.interval(lo['ci_low'], lo['ci_high'], '{:.1f}', missing='no interval')}; "
               f"exact rate test {fmt.p_value(p)}"
               + (f"; only {int(hi['count']) + int(lo['count'])} markers in all (< {min_n}): too small to judge" if few else ""))
        e = cev[(cev["source"] == hi["source"]) & (cev["measure"] == m)] if cev is not None and len(cev) else pd.DataFrame()
        ids = list(e["sent_id"].head(1)) if len(e) else []
        ev, sids = _ev(ids, texts)
        if len(e):
            ev += f" (markers: {e['markers'].iloc[0]})"
        out.append({"finding": text, "lens": "framing (certainty)", "evidence": ev, "uncertainty": unc, "sent_ids": sids})
    return out


def _f_vocabulary(dist: pd.DataFrame, labels, texts, min_n: int) -> list[dict]:
    if dist is None or dist.empty or dist["z"].isna().all():
        return []
    d = dist[(dist["z"] > 0) & (dist["kind"] != "bigram")]
    if d.empty:
        return []
    per = d.sort_values("z", ascending=False, kind="stable").drop_duplicates("source")
    r = per.iloc[0]
    lab = labels.get(r["source"], r["source"])
    text = (f"The most distinctive word choice in the corpus is {lab}'s '{r['term']}' ({int(r['count'])} uses against "
            f"{int(r['count_rest'])} in all other sources together, log-odds z = {r['z']:.1f})")
    rest = per.iloc[1:5]
    if len(rest):
        text += "; the top term of the others: " + ", ".join(
            f"{labels.get(x.source, x.source)} '{x.term}' (z = {x.z:.1f})" for x in rest.itertuples(index=False))
    text += "."
    ev, sids = _ev([fmt.first_id(r["example_sent_ids"])], texts)
    unc = ("z of the log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008): a ranking, not a test "
           "(thousands of words compared; |z| > 1.96 is p < .05 for one word alone); "
           + fmt.small_n(int(r["count"]), min_n, "count"))
    return [{"finding": text, "lens": "vocabulary", "evidence": ev, "uncertainty": unc, "sent_ids": sids}]


def _f_naming(naming: pd.DataFrame, labels, texts, min_n: int) -> list[dict]:
    if naming is None or naming.empty:
        return []
    used = naming[naming["count"] > 0]
    if used.empty:
        return []
    g = used.groupby("referent", sort=False).agg(n_variants=("variant", "nunique"), n=("count", "sum"),
                                                   n_sources=("source", "nunique"))
    # a referent several sources name, with different preferred names
    pref = used.sort_values("count", ascending=False, kind="stable").drop_duplicates(["referent", "source"])
    n_pref = pref.groupby("referent")["variant"].nunique()
    g["n_pref"] = n_pref.reindex(g.index).fillna(0)
    g = g[g["n_sources"] >= 2]
    if g.empty:
        return []
    who = g.sort_values(["n_pref", "n_variants", "n"], ascending=False, kind="stable").index[0]
    p = pref[pref["referent"] == who]
    tot = used[used["referent"] == who].groupby("source")["count"].sum()
    src_order = list(dict.fromkeys(naming["source"]))
    p = p.assign(_o=p["source"].map({s: i for i, s in enumerate(src_order)})).sort_values("_o")
    bits = [f"{labels.get(r.source, r.source)} '{r.variant}' ({int(r.count)} of {int(tot[r.source])})"
            for r in p.head(5).itertuples(index=False)]
    text = (f"Sources name {who} in {int(g.loc[who, 'n_variants'])} ways; the usual name: " + ", ".join(bits)
            + ("; …" if len(p) > 5 else "") + ".")
    ids = [fmt.first_id(x) for x in p["example_sent_ids"].head(2)]
    ev, sids = _ev(ids, texts)
    nmin = int(tot.min())
    return [{"finding": text, "lens": "vocabulary (naming)", "evidence": ev,
             "uncertainty": f"counts of name variants (referent table); fewest mentions in a source: {fmt.small_n(nmin, min_n)}",
             "sent_ids": sids}]


def _f_coverage(cov: pd.DataFrame, labels, texts, n_sources: int, words: Mapping[str, int]) -> list[dict]:
    out = []
    if cov is None or cov.empty or n_sources < 2:
        return out
    u = cov[cov["unique_to"] != ""]
    if len(u):
        cnt = u["unique_to"].value_counts()
        s = cnt.index[0]
        ex = u[u["unique_to"] == s]
        kinds = ex.assign(_k=ex["kind"].map({k: i for i, k in enumerate(["money", "percent", "count", "date", "year", "entity", "actor"])}))
        ex = kinds.sort_values("_k", kind="stable")
        lab = labels.get(s, s)
        others = ", ".join(f"{labels.get(k, k)} {v}" for k, v in cnt.iloc[1:5].items())
        text = (f"{lab} reports the most facts no other source carries: {int(cnt.iloc[0])} items, e.g. "
                + ", ".join(ex["label"].astype(str).head(4)) + (f" (next: {others})" if others else "") + ".")
        ids = [fmt.first_id(x) for x in ex["evidence"].head(2)]
        ev, sids = _ev(ids, texts)
        out.append({"finding": text, "lens": "coverage", "evidence": ev,
                    "uncertainty": f"exact-match items (numbers, dates, names): a paraphrase or a rounded number counts as "
                                   f"different; longer articles carry more ({lab}: {words.get(s, 0)} words)",
                    "sent_ids": sids})
    if n_sources >= 3:
        o = cov[cov["omitted_by"].astype(str) != ""]
        if len(o):
            r = o.iloc[0]  # sorted: most widely carried first
            missing = [x.strip() for x in str(r["omitted_by"]).split(",") if x.strip()]
            text = (f"{r['label']} ({r['kind']}) appears in {int(r['n_sources'])} of {n_sources} sources but not in "
                    + ", ".join(labels.get(m, m) for m in missing) + f"; {len(o)} such omission{'s' if len(o) != 1 else ''} in all.")
            ids = [x.strip() for x in str(r["evidence"]).split(";")][:2]
            ev, sids = _ev(ids, texts)
            out.append({"finding": text, "lens": "coverage", "evidence": ev,
                        "uncertainty": "absence of an exact-match item: the source may say it in other words; "
                                       "an item counts as widely carried when more than half of the other sources (and at least two) have it",
                        "sent_ids": sids})
    return out


def findings_from_tables(lenses: Mapping[str, pd.DataFrame], *, labels: Mapping[str, str],
                         texts: Mapping[str, str], similarity: CombinedSimilarity | None = None,
                         words: Mapping[str, int] | None = None, min_n: int = MIN_N,
                         min_mentions: int = 3) -> pd.DataFrame:
    """Key findings generated from the lens tables (see :func:`key_findings`), without a corpus:
    ``labels`` maps source → display name, ``texts`` sent_id → sentence text. A table missing
    from ``lenses`` simply yields no finding on that lens."""
    L = lenses
    srcs = list(labels)
    n_sources = len(srcs)
    if n_sources < 2:
        name = labels[srcs[0]] if srcs else "none"
        return pd.DataFrame([{"finding": f"Comparisons need at least two sources; this corpus has {n_sources} ({name}).",
                              "lens": "all", "evidence": "", "uncertainty": "", "sent_ids": ""}], columns=FINDING_COLUMNS)
    g = L.get
    rows: list[dict] = []
    rows += _f_similarity(similarity, labels, n_sources)
    if g("intervals") is not None and ("scores" in L if hasattr(L, "scan") else g("scores") is not None):
        rows += _f_tone(g("intervals"), g("pairwise"), lambda s: _source_scores(L, s), labels, texts, min_n)
    rows += _f_frames(g("salience"), g("frame_evidence"), labels, texts, min_n)
    rows += _f_actor(g("actor_table"), labels, texts, min_n, min_mentions)
    rows += _f_certainty(g("certainty"), g("certainty_evidence"), labels, texts, min_n)
    rows += _f_vocabulary(g("distinctive"), labels, texts, min_n)
    rows += _f_naming(g("naming"), labels, texts, min_n)
    rows += _f_coverage(g("coverage"), labels, texts, n_sources, words or {})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def key_findings(corpus: CorpusLike, *, lenses: Mapping[str, pd.DataFrame] | None = None,
                 similarity: CombinedSimilarity | None = None, min_n: int = MIN_N, min_mentions: int = 3,
                 texts: TextFetcher | None = None, **options) -> pd.DataFrame:
    """The key findings, one row each: ``finding`` (a sentence generated from the tables),
    ``lens``, ``evidence`` (quoted sentences with their sent_id, or the numbers behind a
    descriptive finding), ``uncertainty`` (intervals, p-values and n; an n below ``min_n`` is
    flagged "too small to judge") and ``sent_ids`` ("; "-separated, for ``corpus.evidence``).

    Findings: which sources resemble each other (needs ``similarity``, from
    :func:`combined_similarity`); the tone range and whether it is beyond chance; the most
    common dominant frame and the frame that differs most; tone toward the actor that differs
    most; promotional and hedging rates; the most distinctive word; naming; coverage only one
    source has and what most carry but some omit. With one source: a single row saying that
    comparisons need two. ``texts``: where the quoted sentences come from (see
    :func:`framelens.lenses.profile.with_texts`; default: the corpus's sentence table).
    """
    L = None
    if len(corpus.sources) >= 2:
        L = _lenses(corpus, lenses, **options)
    words = corpus.documents.groupby("source")["n_words"].sum().to_dict()
    labels = corpus.labels
    return with_texts(lambda t: findings_from_tables(L or {}, labels=labels, texts=t, similarity=similarity,
                                                     words=words, min_n=min_n, min_mentions=min_mentions),
                      texts or corpus_texts(corpus))


def headline(tables: Mapping[str, pd.DataFrame]) -> str:
    """One sentence for the index page from the synthesis tables' ``findings`` (:func:`key_findings`):
    the resemblance finding when there is one, else the first finding. The same contract as every
    lens's ``headline(tables)``."""
    findings = tables["findings"]
    if findings is None or findings.empty:
        return "No findings: the corpus has nothing to compare."
    comb = findings[findings["lens"] == "combined"]
    first = comb.iloc[0] if len(comb) else findings.iloc[0]
    return str(first["finding"])


def notice(corpus: CorpusLike):
    """A Markdown note for the notebook when the corpus has fewer than two sources (else None,
    which displays nothing)."""
    msg = needs_two(corpus)
    if msg is None:
        return None
    import html

    from IPython.display import Markdown

    return Markdown(f"> **Note.** {html.escape(msg)}")


# ---------------------------------------------------------------------------------------------
# Storing the combined similarity (lens store)
# ---------------------------------------------------------------------------------------------
def similarity_tables(sim: CombinedSimilarity) -> dict[str, pd.DataFrame]:
    """A :class:`CombinedSimilarity` as tables (for the lens store); inverse of
    :func:`similarity_from_tables`."""
    tables = {"similarity_distance": sim.distance, "similarity_pairs": sim.pairs}
    for k, v in sim.per_lens.items():
        tables[f"similarity_lens_{k}"] = v
    for k, v in sim.normalised.items():
        tables[f"similarity_norm_{k}"] = v
    link = sim.linkage if sim.linkage is not None else np.zeros((0, 4))
    tables["similarity_linkage"] = pd.DataFrame(np.asarray(link, dtype=float), columns=["a", "b", "distance", "size"])
    tables["similarity_order"] = pd.DataFrame({"source": [str(s) for s in sim.order],
                                               "method": [sim.method] * len(sim.order)})
    return tables


def similarity_from_tables(tables: Mapping[str, pd.DataFrame]) -> CombinedSimilarity:
    """The :class:`CombinedSimilarity` stored by :func:`similarity_tables`."""
    per = {k[len("similarity_lens_"):]: tables[k] for k in tables if k.startswith("similarity_lens_")}
    normed = {k[len("similarity_norm_"):]: tables[k] for k in tables if k.startswith("similarity_norm_")}
    link = tables["similarity_linkage"].to_numpy(dtype=float)
    order = tables["similarity_order"]
    method = str(order["method"].iloc[0]) if len(order) else "minmax"
    return CombinedSimilarity(tables["similarity_distance"], per, normed, tables["similarity_pairs"],
                              link if len(link) else None, order["source"].tolist(), method)


#: what :func:`reuse_summary` reads of the stored reuse tables (those :func:`framelens.lenses.reuse.summary`
#: uses): the passages without their text, the small tables whole; edits and per-sentence rows not at all
REUSE_SUMMARY_COLUMNS: dict = {"passages": ["passage_id", "source_a", "source_b", "words", "similarity", "first",
                                            "n_added", "n_removed", "n_replaced"],
                               "documents": None, "boilerplate": None, "origins": None, "near_duplicates": None}


def reuse_summary(tables) -> str:
    """:func:`framelens.lenses.reuse.summary` from the stored reuse part's ``tables``
    (:class:`framelens.store.lens_store.Tables`), reading only :data:`REUSE_SUMMARY_COLUMNS`: the same text as
    from the whole tables. ``tables`` may also be any mapping of the whole tables. An
    :class:`framelens.errors.Unavailable` (the part failed) gives its reason."""
    if isinstance(tables, Unavailable):
        return f"*Shared passages: {tables.clause()}*"
    view = tables.only(REUSE_SUMMARY_COLUMNS) if hasattr(tables, "only") else tables
    return reuse.summary(reuse.from_tables(view))
