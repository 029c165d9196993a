"""How well framelens' measures agree with human labels: ``python -m tools.validate``.

Every figure the framing and sentiment reports quote about validity is computed here, from data
anyone can re-run:

* **Generic frames** (Semetko & Valkenburg 2000) and **Entman's (1993) framing functions**:
  precision, recall and F1 per frame on hand-labelled sentences, and the AUC of ranking articles
  by :func:`framelens.lenses.framing.document_frames` ``score`` against hand-coded article-level frames
  (an article carries a frame when it answers "yes" to at least one of the frame's questions).
  Sets: ``tests/fixtures/unseen`` (11 articles, sentence frames in its ``gold.json``) and
  ``tests/fixtures/labelled`` (14 articles on climate, health, elections, crime, courts, ...;
  7 ``dev``, 7 held-out ``test``), both written and labelled by hand for framelens.
* **Voice**: precision and recall of the speakers :func:`framelens.lenses.agency.quotations` names,
  against the hand-labelled speaker of every sentence of both sets.
* **Stance toward an article's main entity**: accuracy and macro-F1 of the ``stance`` column of
  :func:`framelens.lenses.sentiment.actor_sentiment` (before: the sign of the mean with ±0.05).
* **Tone toward a target mention**: macro-F1 on the training split of NewsMTSC (Hamborg &
  Donnay 2021), cross-validated with folds grouped by article (no article in both the fitting
  and the scoring part). The data are not shipped: pass ``--newsmtsc PATH`` or set
  ``FRAMELENS_NEWSMTSC``; without it that part is skipped.

A harness beside the package, not in it (the installed ``framelens`` never imports it): run it from
a checkout. ``--fixtures DIR`` names the labelled sets' folder (default: the checkout's
``tests/fixtures``); ``--write`` stores the summary as the package's ``data/validity.json``, which
the reports show through :func:`framelens.lenses.validation.validity`.

AUC is the Mann–Whitney probability that a labelled-positive unit outranks a negative one (ties
count one half). With 25 articles an AUC moves by ~0.01 per swapped pair: read differences
smaller than ~0.05 as noise.
"""

from __future__ import annotations

import argparse
import json
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from framelens.lenses.validation import GENERIC, SUMMARY_COLUMNS, failure_modes, validity_path

from tools.train_tone_model import macro_f1, newsmtsc_path  # one macro-F1 (classes: the three stances)

REPO = Path(__file__).resolve().parents[1]
ENTMAN = ("problem_definition", "causal_interpretation", "moral_evaluation", "treatment_recommendation")
QUESTION_FRAME = {"R": "responsibility", "H": "human_interest", "C": "conflict", "M": "morality",
                  "E": "economic_consequences"}
# Semetko & Valkenburg's questions a text can answer (H5 asks about pictures)
TEXT_QUESTIONS = {"R": 5, "H": 4, "C": 4, "M": 3, "E": 3}
STANCES = ("negative", "neutral", "positive")


def fixtures_dir() -> Path:
    """The default folder of the labelled sets (``--fixtures``): the checkout's ``tests/fixtures``
    (they are not installed with the package)."""
    return REPO / "tests" / "fixtures"


# ------------------------------------------------------------------------------ the labelled sets
@lru_cache(maxsize=4)
def _corpus(folder: str):
    from framelens import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(folder)


def corpora(fixtures: str | Path | None = None, *, fresh: bool = True) -> dict:
    """``{"unseen": Corpus, "labelled": Corpus, "fresh": Corpus}`` of the hand-labelled fixture
    folders (``fresh`` — written after the methods were frozen — when present and asked for)."""
    f = Path(fixtures) if fixtures else fixtures_dir()
    out = {"unseen": _corpus(str(f / "unseen")), "labelled": _corpus(str(f / "labelled"))}
    if fresh and (f / "fresh_frames" / "gold.json").exists():
        out["fresh"] = _corpus(str(f / "fresh_frames"))
    return out


def _gold(fixtures: Path) -> tuple[dict, dict]:
    unseen = json.loads((fixtures / "unseen" / "gold.json").read_text(encoding="utf-8"))
    lab = json.loads((fixtures / "labelled" / "gold.json").read_text(encoding="utf-8"))
    return unseen, lab


def labelled_sentences(fixtures: str | Path | None = None) -> pd.DataFrame:
    """One row per hand-labelled sentence: ``set, doc_id, split, sent_id, text, frames, entman,
    speaker`` (``entman`` is None for the unseen set, which has no Entman labels). ``sent_id`` is
    the corpus' id of the same sentence (checked to have the same text)."""
    f = Path(fixtures) if fixtures else fixtures_dir()
    unseen, lab = _gold(f)
    corp = corpora(f)
    rows = []
    for doc, g in unseen.items():
        speakers = lab["unseen"].get(doc, {}).get("speakers", [None] * len(g["sentences"]))
        for (text, frames), sp in zip(g["sentences"], speakers):
            rows.append(("unseen", doc, "dev", text, tuple(frames), None, sp))
    for doc, g in lab["articles"].items():
        for s in g["sentences"]:
            rows.append(("labelled", doc, g["split"], s["text"], tuple(s["frames"]), tuple(s["entman"]), s["speaker"]))
    df = pd.DataFrame(rows, columns=["set", "doc_id", "split", "text", "frames", "entman", "speaker"])
    ids = []
    for (st, doc), g in df.groupby(["set", "doc_id"], sort=False):
        s = corp[st].sentences
        got = s.loc[s["doc_id"] == doc, ["sent_id", "text"]]
        if got["text"].tolist() != g["text"].tolist():
            from framelens.errors import FramelensError

            raise FramelensError(f"{st}/{doc}: the corpus' sentences differ from the labelled ones")
        ids += got["sent_id"].tolist()
    df.insert(3, "sent_id", ids)
    return df


def labelled_articles(fixtures: str | Path | None = None) -> pd.DataFrame:
    """One row per labelled article: ``set, doc_id, split, main_entity, stance, questions``, one
    0/1 column per generic frame and ``n_<frame>``, the number of its questions answered yes.

    An article *carries* a frame (1) when it answers yes to more than half of the frame's questions
    that a text can answer (responsibility 3 of 5, human interest 3 of 4 — the fifth is about
    pictures —, conflict 3 of 4, morality 2 of 3, economic consequences 2 of 3). Nearly every
    news article answers at least one question of most frames, so "any yes" would label almost
    every article positive and leave nothing to rank."""
    f = Path(fixtures) if fixtures else fixtures_dir()
    unseen, lab = _gold(f)
    rows = []
    for doc, g in lab["unseen"].items():
        rows.append(("unseen", doc, "dev", g["main_entity"], g["stance"], tuple(g["questions"])))
    for doc, g in lab["articles"].items():
        rows.append(("labelled", doc, g["split"], g["main_entity"], g["stance"], tuple(g["questions"])))
    fresh = f / "fresh_frames" / "gold.json"
    if fresh.exists():
        for doc, g in json.loads(fresh.read_text(encoding="utf-8"))["articles"].items():
            rows.append(("fresh", doc, "fresh", g["main_entity"], g["stance"], tuple(g["questions"])))
    df = pd.DataFrame(rows, columns=["set", "doc_id", "split", "main_entity", "stance", "questions"])
    for k, fr in QUESTION_FRAME.items():
        n = [sum(q.startswith(k) for q in qs) for qs in df["questions"]]
        df[f"n_{fr}"] = n
        df[fr] = [int(x > TEXT_QUESTIONS[k] / 2) for x in n]
    return df


# ------------------------------------------------------------------------------ measures
def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Mann–Whitney AUC: P(score of a positive > score of a negative), ties count 1/2. NaN when a
    class is missing."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    gt = (pos[:, None] > neg[None, :]).sum()
    eq = (pos[:, None] == neg[None, :]).sum()
    return float((gt + 0.5 * eq) / (len(pos) * len(neg)))


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = pd.Series(a).rank().to_numpy(), pd.Series(b).rank().to_numpy()
    if len(a) < 3 or ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return p, r, f


def _splits(df: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``all`` (framelens' own sets: dev + test), ``dev``, ``test`` and, when present, ``fresh``
    (written after the methods were frozen)."""
    out = [("all", df[df["split"] != "fresh"]), ("dev", df[df["split"] == "dev"]), ("test", df[df["split"] == "test"])]
    if (df["split"] == "fresh").any():
        out.append(("fresh", df[df["split"] == "fresh"]))
    return out


def auc_interval(scores: Sequence[float], labels: Sequence[int], *, n_resamples: int = 1000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float, float]:
    """``(auc, low, high)``: :func:`auc` with a percentile bootstrap interval that resamples the
    positives and the negatives separately (stratified, so both classes stay present)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    a = auc(s, y)
    pos, neg = s[y == 1], s[y == 0]
    if np.isnan(a):
        return a, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    P = pos[rng.integers(0, len(pos), size=(n_resamples, len(pos)))]
    N = neg[rng.integers(0, len(neg), size=(n_resamples, len(neg)))]
    gt = (P[:, :, None] > N[:, None, :]).sum(axis=(1, 2))
    eq = (P[:, :, None] == N[:, None, :]).sum(axis=(1, 2))
    boots = (gt + 0.5 * eq) / (len(pos) * len(neg))
    lo, hi = np.quantile(boots, [(1 - level) / 2, 1 - (1 - level) / 2])
    return a, float(lo), float(hi)


def mean_auc_interval(scores: np.ndarray, labels: np.ndarray, *, n_resamples: int = 1000, level: float = 0.95,
                      seed: int = 0) -> tuple[float, float, float]:
    """Mean AUC over frames (columns of ``scores`` / ``labels``, one row per article) with a
    bootstrap interval that resamples articles (a frame without both classes in a resample is
    left out of that resample's mean)."""
    S, Y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int)
    est = float(np.nanmean([auc(S[:, j], Y[:, j]) for j in range(S.shape[1])]))
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_resamples):
        i = rng.integers(0, len(S), size=len(S))
        vals = [auc(S[i, j], Y[i, j]) for j in range(S.shape[1])]
        vals = [v for v in vals if not np.isnan(v)]
        if vals:
            boots.append(np.mean(vals))
    lo, hi = np.quantile(boots, [(1 - level) / 2, 1 - (1 - level) / 2]) if boots else (np.nan, np.nan)
    return est, float(lo), float(hi)


def proportion(k: int, n: int) -> tuple[float, float, float]:
    """``(k / n, low, high)`` with the Wilson 95% interval (:func:`framelens.lenses.stats.wilson_interval`)."""
    from framelens.lenses.stats import wilson_interval

    lo, hi = wilson_interval(int(k), int(n))
    return (k / n if n else float("nan")), lo, hi


def sentence_frames(codebook=None, *, frames: Sequence[str] = GENERIC, column: str = "frames",
                    fixtures: str | Path | None = None) -> pd.DataFrame:
    """Precision, recall, F1 and sentence-level AUC (score = cue hits in the sentence) of each frame
    against the hand labels: ``split, frame, n_true, n_pred, tp, precision, recall, f1, auc``.
    ``column='entman'`` scores Entman's functions on the sentences that have those labels."""
    from framelens.lenses.framing import frame_matches, load_codebook

    cb = load_codebook(codebook) if not hasattr(codebook, "frames") else codebook
    sents = labelled_sentences(fixtures)
    sents = sents[sents[column].notna()]
    hits = {}
    for st, corp in corpora(fixtures).items():
        _, occ = frame_matches(corp, cb)
        for (sid, fr), n in occ.groupby(["sent_id", "frame"]).size().items():
            hits[(st, sid, fr)] = n
    carried = {}
    for st, corp in corpora(fixtures).items():
        c, _ = frame_matches(corp, cb)
        for sid, fr in zip(c["sent_id"], c["frame"]):
            carried[(st, sid, fr)] = True
    rows = []
    for split, d in _splits(sents):
        for fr in frames:
            if fr not in cb.ids:
                continue
            y = np.array([fr in t for t in d[column]], dtype=int)
            pred = np.array([carried.get((s, i, fr), False) for s, i in zip(d["set"], d["sent_id"])], dtype=int)
            sc = [hits.get((s, i, fr), 0) for s, i in zip(d["set"], d["sent_id"])]
            tp = int((y & pred).sum())
            p, r, f = prf(tp, int(((1 - y) & pred).sum()), int((y & (1 - pred)).sum()))
            _, p_lo, p_hi = proportion(tp, int(pred.sum()))
            _, r_lo, r_hi = proportion(tp, int(y.sum()))
            rows.append({"split": split, "frame": fr, "n_sentences": len(d), "n_true": int(y.sum()),
                         "n_pred": int(pred.sum()), "tp": tp, "precision": p, "precision_low": p_lo,
                         "precision_high": p_hi, "recall": r, "recall_low": r_lo, "recall_high": r_hi, "f1": f,
                         "auc": auc(sc, y)})
    return pd.DataFrame(rows)


ARTICLE_SCORES = ("score", "hits", "weighted", "distinct_cues", "sentences", "share", "questions_answered",
                  "per_1000_words")


def article_frames(codebook=None, *, scores: Sequence[str] = ARTICLE_SCORES,
                   fixtures: str | Path | None = None) -> pd.DataFrame:
    """AUC of ranking the labelled articles by each candidate score of
    :func:`framelens.lenses.framing.document_frames` against the hand-coded article frames:
    ``split, frame, n_articles, n_true, <one AUC column per score>`` (plus a ``mean`` row), and
    ``rho``: Spearman's correlation of ``score`` with the number of the frame's questions answered
    yes (a graded check that needs no cut-off)."""
    from framelens.lenses.framing import document_frames, load_codebook

    cb = load_codebook(codebook) if not hasattr(codebook, "frames") else codebook
    arts = labelled_articles(fixtures)
    parts = []
    for st, corp in corpora(fixtures).items():
        d = document_frames(corp, cb)
        parts.append(d.rename(columns={"questions": "questions_answered"}).assign(
            set=st, per_1000_words=1000 * d["hits"] / d["words"].clip(lower=1)))
    df = pd.concat(parts, ignore_index=True)
    rows = []
    for split, a in _splits(arts):
        per, mats = [], []
        for fr in GENERIC:
            if fr not in cb.ids:
                continue
            m = a.merge(df[df["frame"] == fr], on=["set", "doc_id"], how="left")
            row = {"split": split, "frame": fr, "n_articles": len(m), "n_true": int(m[fr].sum())}
            for s in scores:
                if s in m.columns:
                    row[s] = auc(m[s].fillna(0).to_numpy(), m[fr].to_numpy())
            row["rho"] = _spearman(m["score"].fillna(0).to_numpy(), m[f"n_{fr}"].to_numpy())
            _, row["score_low"], row["score_high"] = auc_interval(m["score"].fillna(0).to_numpy(), m[fr].to_numpy())
            per.append(row)
            mats.append((m["score"].fillna(0).to_numpy(), m[fr].to_numpy()))
        rows += per
        mean = {"split": split, "frame": "mean", "n_articles": len(a), "n_true": np.nan}
        for s in [*scores, "rho"]:
            vals = [r[s] for r in per if s in r and not np.isnan(r[s])]
            mean[s] = float(np.mean(vals)) if vals else np.nan
        if mats:
            _, mean["score_low"], mean["score_high"] = mean_auc_interval(
                np.column_stack([x for x, _ in mats]), np.column_stack([y for _, y in mats]), n_resamples=500)
        rows.append(mean)
    return pd.DataFrame(rows)


def present_f1(codebook=None, *, fixtures: str | Path | None = None) -> pd.DataFrame:
    """The yes/no ``present`` column of :func:`framelens.lenses.framing.document_frames` against the
    hand-coded article frames: ``split, frame, n_articles, n_true, n_present, precision, recall,
    f1`` (with Wilson intervals for precision and recall) and ``f1_always_yes`` (answering yes for
    every article), plus a ``mean`` row per split."""
    from framelens.lenses.framing import document_frames, load_codebook

    cb = load_codebook(codebook) if not hasattr(codebook, "frames") else codebook
    arts = labelled_articles(fixtures)
    df = pd.concat([document_frames(c, cb).assign(set=st) for st, c in corpora(fixtures).items()], ignore_index=True)
    rows = []
    for split, a in _splits(arts):
        per = []
        for fr in GENERIC:
            if fr not in cb.ids:
                continue
            m = a.merge(df[df["frame"] == fr], on=["set", "doc_id"], how="left")
            y = m[fr].to_numpy().astype(bool)
            pr = m["present"].fillna(False).to_numpy().astype(bool)
            tp, fp, fn = int((y & pr).sum()), int((~y & pr).sum()), int((y & ~pr).sum())
            p, r, f = prf(tp, fp, fn)
            _, p_lo, p_hi = proportion(tp, tp + fp)
            _, r_lo, r_hi = proportion(tp, tp + fn)
            yes = 2 * y.sum() / (2 * y.sum() + (~y).sum()) if y.sum() else 0.0
            per.append({"split": split, "frame": fr, "n_articles": len(m), "n_true": int(y.sum()),
                        "n_present": int(pr.sum()), "precision": p, "precision_low": p_lo, "precision_high": p_hi,
                        "recall": r, "recall_low": r_lo, "recall_high": r_hi, "f1": f, "f1_always_yes": float(yes)})
        rows += per
        if per:
            rows.append({"split": split, "frame": "mean", "n_articles": len(a),
                         "f1": float(np.mean([x["f1"] for x in per])),
                         "f1_always_yes": float(np.mean([x["f1_always_yes"] for x in per]))})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ voice
_SPEAKER_LIGHT = frozenset("the a an of his her its their our and to in for with from by this that these those".split())


def _words(s: str) -> set[str]:
    import re

    return {w for w in re.findall(r"[a-z0-9]+", (s or "").lower()) if w not in _SPEAKER_LIGHT}


def speaker_match(pred: str, gold: str) -> bool:
    """A predicted speaker matches the labelled one when they share a content word (``"Teresa
    Ribera"`` ~ ``"Competition commissioner Teresa Ribera"``; ``"she"`` ~ ``"she"``)."""
    return bool(_words(pred) & _words(gold))


def speakers(*, fixtures: str | Path | None = None, require_person: bool = True) -> pd.DataFrame:
    """Precision and recall of quotation speakers per sentence: ``split, n_sentences, n_gold,
    n_pred, tp, precision, recall, f1``. A sentence's predicted speaker is the speaker of its first
    direct quote or paraphrase in :func:`framelens.lenses.agency.quotations`; it is right when it matches
    the labelled speaker (:func:`speaker_match`)."""
    from framelens.lenses.actors import load_actors
    from framelens.lenses.agency import quotations

    f = Path(fixtures) if fixtures else fixtures_dir()
    actors = load_actors(f / "labelled" / "actors.toml")
    sents = labelled_sentences(fixtures)
    pred = {}
    for st, corp in corpora(fixtures).items():
        kw = {} if require_person else {"require_person": False}
        try:
            q = quotations(corp, actors, **kw)
        except TypeError:  # an older quotations() without the option
            q = quotations(corp, actors)
        q = q[q["kind"].isin(["direct", "paraphrase"]) & (q["speaker"] != "")]
        for sid, sp in zip(q["sent_id"], q["speaker"]):
            pred.setdefault((st, sid), sp)
    sents = sents.assign(pred=[pred.get((s, i), "") for s, i in zip(sents["set"], sents["sent_id"])])
    sents = sents[sents["speaker"].notna()]
    rows = []
    for split, d in _splits(sents):
        g, p = d["speaker"].tolist(), d["pred"].tolist()
        tp = sum(bool(a) and bool(b) and speaker_match(b, a) for a, b in zip(g, p))
        fp = sum(bool(b) and not (bool(a) and speaker_match(b, a)) for a, b in zip(g, p))
        fn = sum(bool(a) and not (bool(b) and speaker_match(b, a)) for a, b in zip(g, p))
        pr, rc, f1 = prf(tp, fp, fn)
        rows.append({"split": split, "n_sentences": len(d), "n_gold": sum(map(bool, g)), "n_pred": sum(map(bool, p)),
                     "tp": tp, "precision": pr, "recall": rc, "f1": f1})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ stance
def _set_actors(f: Path, st: str):
    from framelens.lenses.actors import load_actors

    own = f / st / "actors.toml"
    return load_actors(own if own.exists() else f / "labelled" / "actors.toml")


def stance(*, fixtures: str | Path | None = None) -> pd.DataFrame:
    """Article-level stance toward the main entity: ``split, n, method, accuracy`` (with its
    Wilson interval ``accuracy_low, accuracy_high``), ``macro_f1, always_neutral``. Methods:
    ``stance`` — the ``stance`` column of :func:`framelens.lenses.sentiment.actor_sentiment` (news model,
    :func:`framelens.lenses.sentiment.evidence_stance`: the interval of the mean clears a band fitted on
    NewsMTSC); ``shrunk band (before)`` — the previous rule (shrunk mean against a band calibrated
    to 76% neutral); ``vader ±0.05`` — the mean clause VADER score with ±0.05. An entity never found
    counts as neutral."""
    from framelens.lenses.sentiment import THRESHOLD, actor_sentiment, stance as stance_of, stance_priors, tone

    f = Path(fixtures) if fixtures else fixtures_dir()
    arts = labelled_articles(fixtures)
    arts = arts[arts["stance"] != ""]
    preds: dict[str, dict] = {"stance": {}, "shrunk band (before)": {}, "vader ±0.05": {}}
    for st, corp in corpora(fixtures).items():
        res = actor_sentiment(corp, _set_actors(f, st), n_resamples=200)
        for r in res.table.itertuples(index=False):
            preds["stance"][(st, r.source, r.actor)] = r.stance
            preds["shrunk band (before)"][(st, r.source, r.actor)] = stance_of(
                float(r.mean), n=int(r.n), prior=stance_priors()["news"])
        vm = res.mentions.groupby(["source", "actor"])["vader"].agg(["mean", "size"])
        for (src, act), (x, k) in vm.iterrows():
            preds["vader ±0.05"][(st, src, act)] = tone(float(x), threshold=THRESHOLD)
    rows = []
    for split, a in _splits(arts):
        gold = a["stance"].tolist()
        keys = list(zip(a["set"], a["doc_id"], a["main_entity"]))
        for name, pr in preds.items():
            p = [pr.get(k, "neutral") for k in keys]
            acc, lo, hi = proportion(sum(x == y for x, y in zip(gold, p)), len(a))
            rows.append({"split": split, "n": len(a), "method": name, "accuracy": acc, "accuracy_low": lo,
                         "accuracy_high": hi, "macro_f1": macro_f1(gold, p),
                         "always_neutral": float(np.mean([g == "neutral" for g in gold])) if len(a) else np.nan})
    return pd.DataFrame(rows)


def tone_pairs(*, fixtures: str | Path | None = None) -> pd.DataFrame:
    """Hand-labelled pairs of short texts about the same actor, one more positive toward it than
    the other (``tests/fixtures/tone_pairs.json``; set ``own`` written while the method was built,
    ``fresh`` after it was frozen): ``set, n_pairs, ordered`` (share of pairs where the mean news
    score of the actor's mentions is higher in the more positive text; ties count 1/2) with its
    Wilson interval, and ``ties``."""
    from framelens.lenses.sentiment import target_sentiment
    from framelens.text.sentences import sentences as split_sentences
    import re

    f = Path(fixtures) if fixtures else fixtures_dir()
    path = f / "tone_pairs.json"
    cols = ["set", "n_pairs", "ordered", "ordered_low", "ordered_high", "ties"]
    if not path.exists():
        return pd.DataFrame(columns=cols)
    data = json.loads(path.read_text(encoding="utf-8"))

    def mean_score(text: str, names: Sequence[str]) -> float:
        rx = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
        xs = []
        for sent in split_sentences(text):
            spans = [(m.start(), m.end()) for m in rx.finditer(sent)]
            for s_, e_ in spans:
                xs.append(target_sentiment(sent, s_, e_, others=[o for o in spans if o != (s_, e_)])[0])
        return float(np.mean(xs)) if xs else 0.0

    per: dict[str, list[float]] = {}
    for st, v in article_pairs(fixtures=fixtures).items():
        per[st] = v
    for pair in data["pairs"]:
        names = [pair["target"], *pair.get("aliases", [])]
        a, b = mean_score(pair["a"], names), mean_score(pair["b"], names)
        d = (a - b) if pair["more_positive"] == "a" else (b - a)
        per.setdefault(pair.get("set", "own"), []).append(1.0 if d > 0 else 0.5 if d == 0 else 0.0)
    rows = []
    for st, v in per.items():
        k = sum(v)
        share, lo, hi = proportion(k, len(v))
        rows.append({"set": st, "n_pairs": len(v), "ordered": share, "ordered_low": lo, "ordered_high": hi,
                     "ties": int(sum(x == 0.5 for x in v))})
    return pd.DataFrame(rows, columns=cols)


def article_pairs(*, fixtures: str | Path | None = None) -> dict[str, list[float]]:
    """Pairs of labelled articles on the same ``event`` (the manifest's column) with the same main
    entity and a different hand-labelled stance toward it (negative < neutral < positive): for
    each set, one value per pair — 1 when the ``mean`` of :func:`framelens.lenses.sentiment.actor_sentiment`
    orders them like the labels, 0.5 for a tie (an entity never found scores 0), else 0. Key:
    ``"<set> articles"``."""
    from framelens.lenses.sentiment import actor_sentiment

    f = Path(fixtures) if fixtures else fixtures_dir()
    arts = labelled_articles(fixtures)
    rank = {"negative": 0, "neutral": 1, "positive": 2}
    out: dict[str, list[float]] = {}
    for st, corp in corpora(fixtures).items():
        docs = corp.documents
        if "event" not in docs.columns:
            continue
        a = arts[(arts["set"] == st) & (arts["stance"] != "")].merge(docs[["doc_id", "event"]], on="doc_id")
        a = a[a["event"].fillna("").astype(str) != ""]
        if a.empty:
            continue
        t = actor_sentiment(corp, _set_actors(f, st), n_resamples=50).table
        mean = {(r.source, r.actor): r.mean for r in t.itertuples(index=False)}
        for _e, g in a.groupby(["event", "main_entity"], sort=False):
            rows = list(g.itertuples(index=False))
            for i in range(len(rows)):
                for j in range(i + 1, len(rows)):
                    x, y = rows[i], rows[j]
                    if x.stance == y.stance:
                        continue
                    d = (rank[x.stance] - rank[y.stance]) * (mean.get((x.doc_id, x.main_entity), 0.0)
                                                             - mean.get((y.doc_id, y.main_entity), 0.0))
                    out.setdefault(f"{st} articles", []).append(1.0 if d > 0 else 0.5 if d == 0 else 0.0)
    return out


def _macro_f1_interval(gold: Sequence[str], pred: Sequence[str], groups: Sequence[str], *, n_resamples: int = 300,
                       seed: int = 0) -> tuple[float, float, float]:
    """Macro-F1 with a bootstrap interval that resamples groups (articles)."""
    cls = {c: i for i, c in enumerate(STANCES)}
    g = np.array([cls[x] for x in gold])
    p = np.array([cls[x] for x in pred])
    codes, uniq = pd.factorize(pd.Series(list(groups)))
    k = len(uniq)
    # per group confusion counts: tp, fp, fn per class
    cnt = np.zeros((k, 3, 3))
    for c in range(3):
        np.add.at(cnt[:, c, 0], codes, (g == c) & (p == c))
        np.add.at(cnt[:, c, 1], codes, (g != c) & (p == c))
        np.add.at(cnt[:, c, 2], codes, (g == c) & (p != c))

    def mf1(t):
        tp, fp, fn = t[..., 0], t[..., 1], t[..., 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        return f.mean(axis=-1)

    est = float(mf1(cnt.sum(axis=0)))
    rng = np.random.default_rng(seed)
    boots = np.array([mf1(cnt[rng.integers(0, k, size=k)].sum(axis=0)) for _ in range(n_resamples)])
    lo, hi = np.quantile(boots, [0.025, 0.975])
    return est, float(lo), float(hi)


def _pairs_interval(groups: pd.DataFrame, *, n_resamples: int = 300, seed: int = 0) -> tuple[float, float, float, int]:
    """:func:`tools.train_tone_model.pairs_ordered` with a bootstrap interval that resamples targets."""
    from tools.train_tone_model import pairs_ordered

    est, n = pairs_ordered(groups)
    per = []
    for _t, g in groups.groupby("target", sort=False):
        sh, k = pairs_ordered(g)
        if k:
            per.append((sh * k, k))
    if not per:
        return est, float("nan"), float("nan"), n
    num, den = np.array(per).T
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(per), size=(n_resamples, len(per)))
    boots = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    lo, hi = np.quantile(boots, [0.025, 0.975])
    return est, float(lo), float(hi), n


def newsmtsc_tone(path: str | Path, *, folds: int = 5, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The tone figures on the NewsMTSC training split, all cross-validated with folds grouped by
    article: ``mentions`` (:func:`tools.train_tone_model.cross_validate` with a 95% interval of the
    news model's macro-F1, articles resampled), ``stance`` (the stance rules on the mentions of one
    target in one article, :func:`tools.train_tone_model.stance_cross_validation`) and ``pairs``
    (outlet comparison: pairs of articles whose annotated mean tone toward the same target
    differs, share ordered like the annotators, ties 1/2, with an interval resampling targets —
    groups of ≥ 2 mentions and of any size)."""
    from framelens.lenses.tone_model import FEATURES

    from tools.train_tone_model import (cross_validate, cross_validated_predictions, entity_groups, feature_matrix,
                                        read_newsmtsc, stance_cross_validation)

    df = read_newsmtsc(path)
    X, W = feature_matrix(df)
    cv = cross_validate(path, folds=folds, seed=seed, features=(X, W))
    oof = cv.attrs["oof_score"]
    # out-of-fold predictions of the news model (the class with the highest probability)
    pred, _ = cross_validated_predictions(X, W, df["label"].tolist(), df["article"].tolist(), folds=folds, seed=seed)
    est, lo, hi = _macro_f1_interval(df["label"].tolist(), pred, df["article"].tolist())
    cv = cv.assign(macro_f1_low=np.nan, macro_f1_high=np.nan)
    last = cv.index[cv["method"].str.startswith("news model (")]
    cv.loc[last, "macro_f1_low"], cv.loc[last, "macro_f1_high"] = lo, hi
    g_news = entity_groups(df, oof)
    st = stance_cross_validation(g_news, folds=folds, seed=seed)
    rows = []
    for name, sc in (("news model", oof), ("clause VADER", X[:, FEATURES.index("vader_clause")])):
        for k in (2, 1):
            share, plo, phi, n = _pairs_interval(entity_groups(df, sc, min_mentions=k))
            rows.append({"method": name, "mentions_per_article": f">= {k}", "n_pairs": n, "ordered": share,
                         "ordered_low": plo, "ordered_high": phi})
    return {"mentions": cv, "stance": st, "pairs": pd.DataFrame(rows)}


# ------------------------------------------------------------------------------ summary
def summary(*, newsmtsc: str | Path | None = None, codebook=None, folds: int = 5,
            fixtures: str | Path | None = None) -> pd.DataFrame:
    """Every validity figure in one table (:data:`SUMMARY_COLUMNS`): the measure, the data, n,
    the metric with its 95% interval and the baseline it must beat. ``data``: ``own`` (framelens'
    sets used while building), ``fresh`` (written after the methods were frozen), ``NewsMTSC CV``.
    ``python -m tools.validate --write`` stores it as ``data/validity.json``, which the
    reports show (:func:`framelens.lenses.validation.validity`)."""
    rows = []
    name = {"all": "own", "dev": "own dev", "test": "own test", "fresh": "fresh"}
    af = article_frames(codebook, fixtures=fixtures)
    for r in af[af["split"].isin(["all", "fresh"])].itertuples(index=False):
        rows.append(("framing", f"frame ranking: {r.frame}", name[r.split], r.n_articles, "AUC (cue hits)", r.score,
                     getattr(r, "score_low", np.nan), getattr(r, "score_high", np.nan), 0.5,
                     f"weighted by position: {r.weighted:.3f}"))
    pf = present_f1(codebook, fixtures=fixtures)
    for r in pf[pf["split"].isin(["all", "fresh"])].itertuples(index=False):
        if r.frame == "mean":
            rows.append(("framing", "frame present (yes/no): mean", name[r.split], r.n_articles, "F1", r.f1,
                         np.nan, np.nan, r.f1_always_yes, "baseline: answer yes for every article"))
        else:
            rows.append(("framing", f"frame present: {r.frame}", name[r.split], r.n_articles, "precision",
                         r.precision, r.precision_low, r.precision_high, np.nan, f"recall {r.recall:.2f} "
                         f"[{r.recall_low:.2f}, {r.recall_high:.2f}], F1 {r.f1:.2f}"))
    sf = sentence_frames(codebook, fixtures=fixtures)
    for r in sf[sf["split"] == "all"].itertuples(index=False):
        rows.append(("framing", f"sentence frame: {r.frame}", "own", r.n_sentences, "precision", r.precision,
                     r.precision_low, r.precision_high, np.nan,
                     f"recall {r.recall:.2f} [{r.recall_low:.2f}, {r.recall_high:.2f}]"))
    st = stance(fixtures=fixtures)
    for r in st[st["split"].isin(["all", "fresh"])].itertuples(index=False):
        rows.append(("sentiment", f"stance toward the main entity: {r.method}", name[r.split], r.n, "accuracy",
                     r.accuracy, r.accuracy_low, r.accuracy_high, r.always_neutral,
                     f"macro-F1 {r.macro_f1:.2f}; baseline: always neutral"))
    tp = tone_pairs(fixtures=fixtures)
    for r in tp.itertuples(index=False):
        rows.append(("sentiment", "outlet comparison: hand-labelled pairs", r.set, r.n_pairs, "share ordered",
                     r.ordered, r.ordered_low, r.ordered_high, 0.5, f"{r.ties} ties"))
    path = Path(newsmtsc) if newsmtsc else newsmtsc_path()
    if path is not None and Path(path).exists():
        t = newsmtsc_tone(path, folds=folds)
        for r in t["mentions"].itertuples(index=False):
            rows.append(("sentiment", f"tone toward a target mention: {r.method}", "NewsMTSC CV", r.n, "macro-F1",
                         r.macro_f1, r.macro_f1_low, r.macro_f1_high, np.nan, f"accuracy {r.accuracy:.2f}"))
        for r in t["stance"].itertuples(index=False):
            rows.append(("sentiment", f"stance of an article toward a target: {r.rule}", "NewsMTSC CV", r.n,
                         "accuracy", r.accuracy, np.nan, np.nan, r.always_neutral, f"macro-F1 {r.macro_f1:.2f}"))
        for r in t["pairs"].itertuples(index=False):
            rows.append(("sentiment", f"outlet comparison, article pairs ({r.mentions_per_article} mentions): "
                         f"{r.method}", "NewsMTSC CV", r.n_pairs, "share ordered", r.ordered, r.ordered_low,
                         r.ordered_high, 0.5, "ties count 1/2"))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


# ------------------------------------------------------------------------------ report
def _show(title: str, df: pd.DataFrame) -> None:
    print(f"\n## {title}\n")
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.precision", 3):
        print(df.to_string(index=False))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.validate", description=__doc__.split("\n")[0])
    ap.add_argument("--codebook", default=None, help="codebook to validate (default: the packaged one)")
    ap.add_argument("--fixtures", default=str(fixtures_dir()),
                    help="folder of the labelled sets: unseen/, labelled/, fresh_frames/, tone_pairs.json "
                         "(default: the checkout's tests/fixtures)")
    ap.add_argument("--newsmtsc", default=None, help="NewsMTSC train.jsonl (default: $FRAMELENS_NEWSMTSC or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds for NewsMTSC")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["frames", "entman", "voice", "stance", "target", "failures"])
    ap.add_argument("--write", action="store_true",
                    help="write the summary table to the package's data/validity.json (shown by the reports)")
    args = ap.parse_args(argv)
    fx = args.fixtures
    if args.write:
        out = summary(newsmtsc=args.newsmtsc, codebook=args.codebook, folds=args.folds, fixtures=args.fixtures)
        rows = json.loads(out.round(4).to_json(orient="records", force_ascii=False))
        validity_path().write_text(json.dumps(rows, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        _show("Validity summary (written to data/validity.json)", out)
        return 0
    if "frames" not in args.skip:
        _show("Generic frames, sentences (precision / recall with Wilson 95% intervals, AUC of cue hits)",
              sentence_frames(args.codebook, fixtures=fx).query("split != 'all'"))
        _show("Generic frames, articles (AUC of each ranking score; score_low/high: bootstrap 95% interval)",
              article_frames(args.codebook, fixtures=fx))
        _show("Frame present (yes/no) against the hand-coded article frames", present_f1(args.codebook, fixtures=fx))
    if "entman" not in args.skip:
        _show("Entman's framing functions, sentences", sentence_frames(args.codebook, frames=ENTMAN, column="entman",
                                                                  fixtures=fx))
    if "voice" not in args.skip:
        _show("Quotation speakers (person or organization)", speakers(fixtures=fx))
    if "stance" not in args.skip:
        _show("Stance toward the article's main entity (accuracy with Wilson 95% interval)", stance(fixtures=fx))
        _show("Outlet comparison on hand-labelled pairs", tone_pairs(fixtures=fx))
    if "target" not in args.skip:
        path = Path(args.newsmtsc) if args.newsmtsc else newsmtsc_path()
        if path is None or not path.exists():
            print("\n## Tone toward a target mention\n\nskipped: NewsMTSC train.jsonl not found "
                  "(--newsmtsc PATH or FRAMELENS_NEWSMTSC)")
        else:
            t = newsmtsc_tone(path, folds=args.folds)
            _show(f"Tone toward a target mention: NewsMTSC train, {args.folds}-fold CV grouped by article",
                  t["mentions"])
            _show("Stance of an article toward a target (NewsMTSC, mentions grouped by article, CV)", t["stance"])
            _show("Outlet comparison: pairs of articles whose annotated tone toward the same target differs "
                  "(NewsMTSC, CV)", t["pairs"])
    if "failures" not in args.skip:
        _show("Known failure modes (each example run now)", failure_modes())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
