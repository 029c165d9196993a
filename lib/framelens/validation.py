"""How well framelens' measures agree with human labels: ``python -m framelens.validation``.

Every figure the framing and sentiment reports quote about validity is computed here, from data
anyone can re-run:

* **Generic frames** (Semetko & Valkenburg 2000) and **Entman's (1993) framing functions**:
  precision, recall and F1 per frame on hand-labelled sentences, and the AUC of ranking articles
  by :func:`framelens.framing.document_frames` ``score`` against hand-coded article-level frames
  (an article carries a frame when it answers "yes" to at least one of the frame's questions).
  Sets: ``tests/fixtures/unseen`` (11 articles, sentence frames in its ``gold.json``) and
  ``tests/fixtures/labelled`` (14 articles on climate, health, elections, crime, courts, ...;
  7 ``dev``, 7 held-out ``test``), both written and labelled by hand for framelens.
* **Voice**: precision and recall of the speakers :func:`framelens.agency.quotations` names,
  against the hand-labelled speaker of every sentence of both sets.
* **Stance toward an article's main entity**: accuracy and macro-F1 of the ``stance`` column of
  :func:`framelens.sentiment.actor_sentiment` (before: the sign of the mean with ±0.05).
* **Tone toward a target mention**: macro-F1 on the training split of NewsMTSC (Hamborg &
  Donnay 2021), cross-validated with folds grouped by article (no article in both the fitting
  and the scoring part). The data are not shipped: pass ``--newsmtsc PATH`` or set
  ``FRAMELENS_NEWSMTSC``; without it that part is skipped.

AUC is the Mann–Whitney probability that a labelled-positive unit outranks a negative one (ties
count one half). With 25 articles an AUC moves by ~0.01 per swapped pair: read differences
smaller than ~0.05 as noise.
"""

from __future__ import annotations

import argparse
import json
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

GENERIC = ("conflict", "economic_consequences", "human_interest", "morality", "responsibility")
ENTMAN = ("problem_definition", "causal_interpretation", "moral_evaluation", "treatment_recommendation")
QUESTION_FRAME = {"R": "responsibility", "H": "human_interest", "C": "conflict", "M": "morality",
                  "E": "economic_consequences"}
# Semetko & Valkenburg's questions a text can answer (H5 asks about pictures)
TEXT_QUESTIONS = {"R": 5, "H": 4, "C": 4, "M": 3, "E": 3}
STANCES = ("negative", "neutral", "positive")


def fixtures_dir() -> Path:
    """``tests/fixtures`` of a source checkout (the labelled sets are not installed with the package)."""
    return Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def newsmtsc_path() -> Path | None:
    """The NewsMTSC training split: ``$FRAMELENS_NEWSMTSC``, else ``../shared/data/newsmtsc-train``
    beside the checkout; ``None`` when neither exists."""
    env = os.environ.get("FRAMELENS_NEWSMTSC")
    cands = [Path(env)] if env else []
    root = Path(__file__).resolve().parents[2]
    cands += [root.parent / "shared" / "data" / "newsmtsc-train" / "train.jsonl"]
    for c in cands:
        if c.is_dir():
            c = c / "train.jsonl"
        if c.exists():
            return c
    return None


# ------------------------------------------------------------------------------ the labelled sets
@lru_cache(maxsize=4)
def _corpus(folder: str):
    from . import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(folder)


def corpora(fixtures: str | Path | None = None) -> dict:
    """``{"unseen": Corpus, "labelled": Corpus}`` of the two hand-labelled fixture folders."""
    f = Path(fixtures) if fixtures else fixtures_dir()
    return {"unseen": _corpus(str(f / "unseen")), "labelled": _corpus(str(f / "labelled"))}


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
            from .errors import FramelensError

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


def macro_f1(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str] = STANCES) -> float:
    """Mean F1 over ``classes`` (a class never predicted nor present counts 0)."""
    out = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        fp = sum(g != c and p == c for g, p in zip(gold, pred))
        fn = sum(g == c and p != c for g, p in zip(gold, pred))
        out.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(out))


def _splits(df: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [("all", df), ("dev", df[df["split"] == "dev"]), ("test", df[df["split"] == "test"])]


def frame_errors(frame: str, codebook=None, *, column: str = "frames", split: str = "dev",
                 fixtures: str | Path | None = None) -> pd.DataFrame:
    """The labelled sentences of ``split`` where ``frame`` is missed (``error='missed'``) or found
    without the label (``'false'``), with the cues that matched — for reading, not for scoring."""
    from .framing import frame_matches, load_codebook

    cb = load_codebook(codebook) if not hasattr(codebook, "frames") else codebook
    sents = labelled_sentences(fixtures)
    sents = sents[sents[column].notna() & ((sents["split"] == split) if split != "all" else True)]
    cues = {}
    for st, corp in corpora(fixtures).items():
        c, _ = frame_matches(corp, cb)
        for sid, fr, cu in zip(c["sent_id"], c["frame"], c["cues"]):
            if fr == frame:
                cues[(st, sid)] = cu
    rows = []
    for st, sid, text, lab in zip(sents["set"], sents["sent_id"], sents["text"], sents[column]):
        got = (st, sid) in cues
        if got != (frame in lab):
            rows.append({"error": "false" if got else "missed", "sent_id": sid, "cues": cues.get((st, sid), ""),
                         "text": text})
    return pd.DataFrame(rows, columns=["error", "sent_id", "cues", "text"])


def sentence_frames(codebook=None, *, frames: Sequence[str] = GENERIC, column: str = "frames",
                    fixtures: str | Path | None = None) -> pd.DataFrame:
    """Precision, recall, F1 and sentence-level AUC (score = cue hits in the sentence) of each frame
    against the hand labels: ``split, frame, n_true, n_pred, tp, precision, recall, f1, auc``.
    ``column='entman'`` scores Entman's functions on the sentences that have those labels."""
    from .framing import frame_matches, load_codebook

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
            rows.append({"split": split, "frame": fr, "n_sentences": len(d), "n_true": int(y.sum()),
                         "n_pred": int(pred.sum()), "tp": tp, "precision": p, "recall": r, "f1": f,
                         "auc": auc(sc, y)})
    return pd.DataFrame(rows)


ARTICLE_SCORES = ("score", "hits", "distinct_cues", "sentences", "share", "questions_answered", "per_1000_words")


def article_frames(codebook=None, *, scores: Sequence[str] = ARTICLE_SCORES,
                   fixtures: str | Path | None = None) -> pd.DataFrame:
    """AUC of ranking the labelled articles by each candidate score of
    :func:`framelens.framing.document_frames` against the hand-coded article frames:
    ``split, frame, n_articles, n_true, <one AUC column per score>`` (plus a ``mean`` row), and
    ``rho``: Spearman's correlation of ``score`` with the number of the frame's questions answered
    yes (a graded check that needs no cut-off)."""
    from .framing import document_frames, load_codebook

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
        per = []
        for fr in GENERIC:
            if fr not in cb.ids:
                continue
            m = a.merge(df[df["frame"] == fr], on=["set", "doc_id"], how="left")
            row = {"split": split, "frame": fr, "n_articles": len(m), "n_true": int(m[fr].sum())}
            for s in scores:
                if s in m.columns:
                    row[s] = auc(m[s].fillna(0).to_numpy(), m[fr].to_numpy())
            row["rho"] = _spearman(m["score"].fillna(0).to_numpy(), m[f"n_{fr}"].to_numpy())
            per.append(row)
        rows += per
        mean = {"split": split, "frame": "mean", "n_articles": len(a), "n_true": np.nan}
        for s in [*scores, "rho"]:
            vals = [r[s] for r in per if s in r and not np.isnan(r[s])]
            mean[s] = float(np.mean(vals)) if vals else np.nan
        rows.append(mean)
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
    direct quote or paraphrase in :func:`framelens.agency.quotations`; it is right when it matches
    the labelled speaker (:func:`speaker_match`)."""
    from .actors import load_actors
    from .agency import quotations

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


def speaker_errors(*, fixtures: str | Path | None = None) -> pd.DataFrame:
    """The sentences where the predicted speaker differs from the labelled one (for reading)."""
    from .actors import load_actors
    from .agency import quotations

    f = Path(fixtures) if fixtures else fixtures_dir()
    actors = load_actors(f / "labelled" / "actors.toml")
    sents = labelled_sentences(fixtures)
    pred = {}
    for st, corp in corpora(fixtures).items():
        q = quotations(corp, actors)
        q = q[q["kind"].isin(["direct", "paraphrase"]) & (q["speaker"] != "")]
        for sid, sp in zip(q["sent_id"], q["speaker"]):
            pred.setdefault((st, sid), sp)
    sents = sents.assign(pred=[pred.get((s, i), "") for s, i in zip(sents["set"], sents["sent_id"])])
    bad = [not ((not a and not b) or (a and b and speaker_match(b, a))) for a, b in zip(sents["speaker"], sents["pred"])]
    return sents[bad][["set", "split", "sent_id", "speaker", "pred", "text"]].reset_index(drop=True)


# ------------------------------------------------------------------------------ stance
def stance(*, fixtures: str | Path | None = None) -> pd.DataFrame:
    """Article-level stance toward the main entity: ``split, n, method, accuracy, macro_f1,
    always_neutral``. Methods: ``stance`` — the ``stance`` column of
    :func:`framelens.sentiment.actor_sentiment` (news model, calibrated band); ``vader band`` —
    the mean clause VADER score with the calibrated VADER band; ``vader ±0.05`` — the mean clause
    VADER score with ±0.05 (framelens' rule before the band). An entity never found counts as
    neutral."""
    from .actors import load_actors
    from .sentiment import THRESHOLD, actor_sentiment, stance as stance_of, tone

    f = Path(fixtures) if fixtures else fixtures_dir()
    actors = load_actors(f / "labelled" / "actors.toml")
    arts = labelled_articles(fixtures)
    arts = arts[arts["stance"] != ""]
    preds: dict[str, dict] = {"stance": {}, "vader band": {}, "vader ±0.05": {}}
    for st, corp in corpora(fixtures).items():
        res = actor_sentiment(corp, actors, n_resamples=200)
        for r in res.table.itertuples(index=False):
            preds["stance"][(st, r.source, r.actor)] = r.stance
        vm = res.mentions.groupby(["source", "actor"])["vader"].agg(["mean", "size"])
        for (src, act), (x, k) in vm.iterrows():
            preds["vader ±0.05"][(st, src, act)] = tone(float(x), threshold=THRESHOLD)
            preds["vader band"][(st, src, act)] = stance_of(float(x), n=int(k), method="vader")
    rows = []
    for split, a in _splits(arts):
        gold = a["stance"].tolist()
        keys = list(zip(a["set"], a["doc_id"], a["main_entity"]))
        for name, pr in preds.items():
            p = [pr.get(k, "neutral") for k in keys]
            rows.append({"split": split, "n": len(a), "method": name,
                         "accuracy": float(np.mean([x == y for x, y in zip(gold, p)])) if len(a) else np.nan,
                         "macro_f1": macro_f1(gold, p), "always_neutral": float(np.mean([g == "neutral" for g in gold]))})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ report
def _show(title: str, df: pd.DataFrame) -> None:
    print(f"\n## {title}\n")
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.precision", 3):
        print(df.to_string(index=False))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m framelens.validation", description=__doc__.split("\n")[0])
    ap.add_argument("--codebook", default=None, help="codebook to validate (default: the packaged one)")
    ap.add_argument("--newsmtsc", default=None, help="NewsMTSC train.jsonl (default: $FRAMELENS_NEWSMTSC or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds for NewsMTSC")
    ap.add_argument("--skip", nargs="*", default=[], choices=["frames", "entman", "voice", "stance", "target"])
    args = ap.parse_args(argv)
    if "frames" not in args.skip:
        _show("Generic frames, sentences (precision / recall / AUC of cue hits)",
              sentence_frames(args.codebook).query("split != 'all'"))
        _show("Generic frames, articles (AUC of each ranking score)", article_frames(args.codebook))
    if "entman" not in args.skip:
        _show("Entman's framing functions, sentences", sentence_frames(args.codebook, frames=ENTMAN, column="entman"))
    if "voice" not in args.skip:
        _show("Quotation speakers (person or organization)", speakers())
    if "stance" not in args.skip:
        _show("Stance toward the article's main entity", stance())
    if "target" not in args.skip:
        path = Path(args.newsmtsc) if args.newsmtsc else newsmtsc_path()
        if path is None or not path.exists():
            print("\n## Tone toward a target mention\n\nskipped: NewsMTSC train.jsonl not found "
                  "(--newsmtsc PATH or FRAMELENS_NEWSMTSC)")
        else:
            from .tone_model import cross_validate

            _show(f"Tone toward a target mention: NewsMTSC train, {args.folds}-fold CV grouped by article",
                  cross_validate(path, folds=args.folds))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
