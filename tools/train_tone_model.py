"""Training and cross-validation of framelens' news tone model: ``python -m tools.train_tone_model``.

A harness beside the package, not in it (the installed ``framelens`` never imports it): run it from
a checkout. It reads the training split of NewsMTSC (Hamborg & Donnay 2021, EACL; MIT licence;
not shipped: ``--newsmtsc PATH`` or ``$FRAMELENS_NEWSMTSC``), computes the features the runtime
computes (:func:`framelens.lenses.tone_model.mention_features`), cross-validates the model with folds
grouped by article (:func:`cross_validate`), fits it on the whole split (:func:`fit`), calibrates
the stance rules (:func:`calibrate_band`, :func:`calibrate_interval`) and, with ``--fit``, writes the
weights that :func:`framelens.lenses.tone_model.load_model` reads (default: the package's
``data/tone_model.json``). ``--check-lexicon`` lists how the news lexicon's words are used near
labelled targets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from framelens.errors import FramelensError, fail
from framelens.lenses.tone_model import (CLASSES, FEATURES, STANCE_M, STANCE_S0, NewsLexicon, ToneModel, _blank,
                                  _vader_plain, default_model_path, interval_stance, load_lexicon,
                                  mention_features, save_model, tokens)

REPO = Path(__file__).resolve().parents[1]


def newsmtsc_path() -> Path | None:
    """The NewsMTSC training split: ``$FRAMELENS_NEWSMTSC``, else ``../shared/data/newsmtsc-train``
    beside the checkout; ``None`` when neither exists."""
    env = os.environ.get("FRAMELENS_NEWSMTSC")
    cands = [Path(env)] if env else []
    cands += [REPO.parent / "shared" / "data" / "newsmtsc-train" / "train.jsonl"]
    for c in cands:
        if c.is_dir():
            c = c / "train.jsonl"
        if c.exists():
            return c
    return None


# ------------------------------------------------------------------------------ fitting
def fit(X: np.ndarray, y: Sequence[str], W: Sequence[dict] | None = None, *, l2: float = 1.0,
        l2_words: float = 10.0, min_count: int = 3, classes: Sequence[str] = CLASSES,
        features: Sequence[str] = FEATURES, class_weight: str | None = "balanced") -> ToneModel:
    """Fit the model by penalized maximum likelihood (L-BFGS, scipy).

    ``l2`` is the penalty on the feature coefficients, ``l2_words`` on the word weights (words
    seen in fewer than ``min_count`` training mentions get none); intercepts are not penalized.
    ``class_weight='balanced'`` weighs each class by the inverse of its frequency, as the
    measure of success is macro-F1."""
    from scipy import sparse
    from scipy.optimize import minimize

    X = np.asarray(X, dtype=float)
    yi = np.array([list(classes).index(c) for c in y])
    n, d = X.shape
    k = len(classes)
    mean = X.mean(0)
    scale = X.std(0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    vocab: list[str] = []
    if W is not None:
        cnt: dict[str, int] = {}
        for c in W:
            for w in c:
                cnt[w] = cnt.get(w, 0) + 1
        vocab = sorted(w for w, m in cnt.items() if m >= min_count)
    idx = {w: i for i, w in enumerate(vocab)}
    v = len(vocab)
    if v:
        r, c_, val = [], [], []
        for i, cw in enumerate(W):
            for w, m in cw.items():
                j = idx.get(w)
                if j is not None:
                    r.append(i)
                    c_.append(j)
                    val.append(float(m))
        S = sparse.csr_matrix((val, (r, c_)), shape=(n, v))
    else:
        S = None
    Y = np.eye(k)[yi]
    w_row = (1.0 / (k * np.maximum(Y.mean(0), 1e-9)))[yi] if class_weight == "balanced" else np.ones(n)

    def unpack(theta):
        return theta[: k * d].reshape(k, d), theta[k * d: k * d + k * v].reshape(k, v), theta[k * d + k * v:]

    def loss(theta):
        Wd, Ws, b = unpack(theta)
        z = Z @ Wd.T + b
        if v:
            z = z + S @ Ws.T
        z -= z.max(1, keepdims=True)
        lse = np.log(np.exp(z).sum(1))
        ll = (w_row * ((Y * z).sum(1) - lse)).sum()
        G = w_row[:, None] * (np.exp(z - lse[:, None]) - Y)
        gWd = G.T @ Z + l2 * Wd
        gWs = np.asarray((S.T @ G).T) + l2_words * Ws if v else np.zeros((k, 0))
        f = -ll + 0.5 * l2 * (Wd ** 2).sum() + 0.5 * l2_words * (Ws ** 2).sum()
        return f, np.concatenate([gWd.ravel(), gWs.ravel(), G.sum(0)])

    res = minimize(loss, np.zeros(k * d + k * v + k), jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    Wd, Ws, b = unpack(res.x)
    words = {w: Ws[:, i].copy() for w, i in idx.items()}
    return ToneModel(tuple(features), tuple(classes), mean, scale, Wd, b, words,
                     {"l2": l2, "l2_words": l2_words, "min_count": min_count, "class_weight": class_weight,
                      "n_training_mentions": int(n), "n_words": v})


# ------------------------------------------------------------------------------ NewsMTSC
_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def _gid_fields(gid: str) -> tuple[list[str], int]:
    """The ``_``-separated fields of a NewsMTSC id before the mention's span, and how many of them
    name the article: ``allsides_<article>_<outlet>_<sentence>_<target>`` (2) or
    ``polusa_v1_<article>_<x>_<sentence>_<target>`` (3)."""
    head = gid.rsplit("_", 2)[0].split("_")
    return head, (3 if head[0] == "polusa" else 2)


def newsmtsc_article(gid: str) -> str:
    """The article of a NewsMTSC id: ``allsides_1000`` of ``allsides_1000_401_25_…``,
    ``polusa_v1_18421313`` of ``polusa_v1_18421313_-1_12_…`` (the grouping unit for
    cross-validation and for article-level stance)."""
    head, k = _gid_fields(gid)
    return "_".join(head[:k])


def newsmtsc_target(gid: str) -> str:
    """The annotated entity's name in a NewsMTSC id (``Reality Leigh Winner`` of
    ``allsides_1000_401_25_Reality Leigh Winner_0_6``)."""
    head, k = _gid_fields(gid)
    return "_".join(head[k + 2:]).strip(" ’'\"“”—-")


def read_newsmtsc(path: str | Path):
    """The NewsMTSC jsonl as a table: one row per target mention: ``article, sentence, start, end,
    mention, label, others`` (the spans of the sentence's other targets), ``target`` (the
    annotated entity's name, from the record id). ``article`` is the
    source and article number of ``primary_gid`` (e.g. ``allsides_1000``), the grouping unit for
    cross-validation."""
    import pandas as pd

    p = Path(path)
    if p.is_dir():
        p = p / "train.jsonl"
    if not p.exists():
        raise fail(path, "NewsMTSC file not found")
    rows = []
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
                s = r["sentence_normalized"]
                art = newsmtsc_article(r["primary_gid"])
                spans = [(int(t["from"]), int(t["to"])) for t in r["targets"]]
                for t in r["targets"]:
                    target = newsmtsc_target(t["Input.gid"])
                    rows.append((art, s, int(t["from"]), int(t["to"]), t["mention"],
                                 _POLARITY[float(t["polarity"])],
                                 [sp for sp in spans if sp != (int(t["from"]), int(t["to"]))], target))
            except (ValueError, KeyError, TypeError) as exc:
                raise fail(p, f"not a NewsMTSC record ({exc})", line=n) from None
    return pd.DataFrame(rows, columns=["article", "sentence", "start", "end", "mention", "label", "others", "target"])


def feature_matrix(df, *, lexicon: NewsLexicon | None = None) -> tuple[np.ndarray, list[dict]]:
    """:func:`mention_features` for every row of a mentions table (``sentence, start, end, others``):
    the feature matrix and the list of word counts."""
    xs, ws = [], []
    lexicon = lexicon if lexicon is not None else load_lexicon()
    for s, a, b, o in zip(df["sentence"], df["start"], df["end"], df["others"]):
        x, w = mention_features(s, a, b, others=o, lexicon=lexicon)
        xs.append(x)
        ws.append(w)
    return np.vstack(xs) if xs else np.zeros((0, len(FEATURES))), ws


def group_folds(groups: Sequence[str], folds: int, seed: int = 0) -> np.ndarray:
    """Fold number of each row, whole groups (articles) assigned to folds at random (seeded)."""
    uniq = np.array(sorted(set(groups)))
    rng = np.random.default_rng(seed)
    fold_of = {g: int(i % folds) for i, g in enumerate(uniq[rng.permutation(len(uniq))])}
    return np.array([fold_of[g] for g in groups])


def macro_f1(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str] = CLASSES) -> float:
    """Mean over ``classes`` of each class's F1."""
    out = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        fp = sum(g != c and p == c for g, p in zip(gold, pred))
        fn = sum(g == c and p != c for g, p in zip(gold, pred))
        out.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(out))


def _tone3(x: float, t: float = 0.05) -> str:
    return "positive" if x >= t else "negative" if x <= -t else "neutral"


def cross_validated_predictions(X: np.ndarray, W: Sequence[dict], y: Sequence[str], groups: Sequence[str], *,
                                folds: int = 5, seed: int = 0, **fit_options) -> tuple[list[str], np.ndarray]:
    """Out-of-fold predictions and scores: each fold is scored by a model fitted on the others
    (folds grouped by ``groups``)."""
    fold = group_folds(list(groups), folds, seed)
    pred = [""] * len(y)
    score = np.zeros(len(y))
    for f in range(folds):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        m = fit(X[tr], [y[i] for i in tr], [W[i] for i in tr], **fit_options)
        Wt = [W[i] for i in te]
        for i, p, sc in zip(te, m.predict(X[te], Wt), m.score(X[te], Wt)):
            pred[i], score[i] = p, sc
    return pred, score


def cross_validate(path: str | Path, *, folds: int = 5, seed: int = 0, lexicon: NewsLexicon | None = None,
                   features=None, **fit_options):
    """Cross-validated figures on NewsMTSC (folds grouped by article, so no article is in both the
    fitting and the scoring part): one row per method — whole-sentence VADER, the clause-scoped
    VADER (framelens' previous method), the news model with the features only, and the news model
    (fitted on the other folds each time) — with ``macro_f1, accuracy`` and F1 per class."""
    import pandas as pd

    df = read_newsmtsc(path)
    X, W = feature_matrix(df, lexicon=lexicon) if features is None else features
    y = df["label"].tolist()
    groups = df["article"].tolist()
    pred, oof = cross_validated_predictions(X, W, y, groups, folds=folds, seed=seed, **fit_options)
    pred_nw, _ = cross_validated_predictions(X, [{} for _ in W], y, groups, folds=folds, seed=seed, **fit_options)
    plain = _vader_plain()
    sent = [_tone3(plain.polarity_scores(s)["compound"]) for s in df["sentence"]]
    clause = [_tone3(x) for x in X[:, FEATURES.index("vader_clause")]]
    rows = []
    for name, p in (("whole-sentence VADER (±0.05)", sent), ("clause VADER (±0.05), before", clause),
                    ("news model without word weights", pred_nw), ("news model (features + word weights)", pred)):
        row = {"method": name, "n": len(y), "macro_f1": macro_f1(y, p),
               "accuracy": float(np.mean([a == b for a, b in zip(y, p)]))}
        for c in CLASSES:
            tp = sum(a == c and b == c for a, b in zip(y, p))
            fp = sum(a != c and b == c for a, b in zip(y, p))
            fn = sum(a == c and b != c for a, b in zip(y, p))
            row[f"f1_{c}"] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["oof_score"] = oof  # the news model's out-of-fold scores, for calibrating the stance band
    return out


# ------------------------------------------------------------------------------ stance band
NEUTRAL_SHARE = 0.76
"""Share of news articles that take no clear stance toward their main entity, used to reweight
the calibration groups (the maintainers' held-out news set: always answering "neutral" is right
for 76% of its articles)."""


def target_key(name: str) -> str:
    """The key that makes two mentions "the same target" across NewsMTSC articles: the last word
    of the annotated name, lower-cased (``President Donald Trump``, ``Mr. Trump`` → ``trump``).
    Crude (two Bushes share a key) but it needs no actor table."""
    import re

    w = re.findall(r"[A-Za-z][A-Za-z'’-]*", name or "")
    return w[-1].lower().strip("'’") if w else (name or "").lower()


def entity_groups(df, scores: np.ndarray, *, min_mentions: int = 2):
    """Mentions of the same target (:func:`target_key`) in the same article, as a table:
    ``article, target, n, gold`` (``positive`` / ``negative`` when at least two thirds of the
    group's mentions carry that label, else ``neutral``), ``gold_mean`` (the mean annotated
    polarity, −1 / 0 / +1 per mention), ``mean`` and ``sd`` (mean and standard deviation of
    ``scores`` over the group; sd 0 for one mention)."""
    import pandas as pd

    d = df.assign(_score=scores, _key=[target_key(t) for t in df["target"]],
                  _g=df["label"].map({"negative": -1.0, "neutral": 0.0, "positive": 1.0}))
    rows = []
    for (art, tgt), g in d.groupby(["article", "_key"], sort=False):
        n = len(g)
        if n < min_mentions:
            continue
        c = g["label"].value_counts()
        gold = ("positive" if c.get("positive", 0) >= 2 * n / 3 else
                "negative" if c.get("negative", 0) >= 2 * n / 3 else "neutral")
        sc = g["_score"].to_numpy(dtype=float)
        rows.append((art, tgt, n, gold, float(g["_g"].mean()), float(sc.mean()),
                     float(sc.std(ddof=1)) if n > 1 else 0.0))
    return pd.DataFrame(rows, columns=["article", "target", "n", "gold", "gold_mean", "mean", "sd"])


def pairs_ordered(groups, *, score: str = "mean") -> tuple[float, int]:
    """How often the scores order two articles like the annotators: over every pair of
    :func:`entity_groups` rows with the same target, different articles and different
    ``gold_mean``, the share where ``score`` differs in the same direction (ties count one half).
    Returns ``(share, n_pairs)``; NaN when there is no pair."""
    num, tot = 0.0, 0
    for _t, g in groups.groupby("target", sort=False):
        if len(g) < 2:
            continue
        gm = g["gold_mean"].to_numpy(dtype=float)
        sc = g[score].to_numpy(dtype=float)
        i, j = np.triu_indices(len(g), 1)
        keep = gm[i] != gm[j]
        d = np.sign(gm[i] - gm[j])[keep] * np.sign(sc[i] - sc[j])[keep]
        num += float((d > 0).sum() + 0.5 * (d == 0).sum())
        tot += int(keep.sum())
    return (num / tot if tot else float("nan")), tot


def shrunk_mean(mean: float, n: int, prior: float) -> float:
    """The mean of ``n`` mention scores with ``prior`` neutral (score 0) mentions added:
    ``n · mean / (n + prior)``. Few mentions need a clearer tone to show a stance."""
    return float(mean) * n / (n + prior) if n + prior > 0 else 0.0


def calibrate_band(groups, *, neutral_share: float = NEUTRAL_SHARE,
                   grid: Sequence[float] = tuple(np.round(np.arange(0.0, 0.801, 0.025), 3)),
                   priors: Sequence[float] = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)):
    """The "no clear stance" band: ``(band, prior, table)``.

    ``stance = positive if shrunk mean > band, negative if < −band, else neutral``, with the
    shrunk mean of :func:`shrunk_mean` (``prior`` neutral pseudo-mentions). The pair maximizing
    accuracy + macro-F1 over the :func:`entity_groups` is chosen, groups reweighted so that
    ``neutral_share`` of the weight is on neutral groups; ``table`` lists every pair's weighted
    accuracy and macro-F1."""
    import pandas as pd

    gold = groups["gold"].to_numpy()
    mean = groups["mean"].to_numpy(dtype=float)
    n = groups["n"].to_numpy(dtype=float) if "n" in groups.columns else np.ones(len(gold))
    f_neu = float(np.mean(gold == "neutral"))
    w = (np.where(gold == "neutral", neutral_share / f_neu, (1 - neutral_share) / (1 - f_neu))
         if 0 < f_neu < 1 else np.ones(len(gold)))
    rows = []
    for k in priors:
        x = mean * n / (n + k)
        for b in grid:
            pred = np.where(x > b, "positive", np.where(x < -b, "negative", "neutral"))
            f1s = []
            for c in CLASSES:
                tp = (w * ((gold == c) & (pred == c))).sum()
                fp = (w * ((gold != c) & (pred == c))).sum()
                fn = (w * ((gold == c) & (pred != c))).sum()
                f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
            rows.append({"prior": float(k), "band": float(b),
                         "accuracy": float((w * (pred == gold)).sum() / w.sum()), "macro_f1": float(np.mean(f1s))})
    t = pd.DataFrame(rows)
    best = t.loc[(t["accuracy"] + t["macro_f1"]).idxmax()]
    return float(best["band"]), float(best["prior"]), t


def calibrate_interval(groups, *, bands: Sequence[float] = tuple(np.round(np.arange(0.0, 0.601, 0.025), 3)),
                       zs: Sequence[float] = tuple(np.round(np.arange(0.0, 2.501, 0.1), 2))):
    """Fit the stance rule of :func:`interval_stance` on :func:`entity_groups`: the ``band`` and
    the interval multiplier ``z`` maximizing accuracy + macro-F1 over the groups as they come (no
    reweighting to an assumed share of neutral). Returns ``(band, z, table)``."""
    import pandas as pd

    gold = groups["gold"].tolist()
    g = np.asarray(gold)
    rows = []
    for b in bands:
        for z in zs:
            p = interval_stance(groups["mean"], groups["n"], groups["sd"], band=float(b), z=float(z))
            rows.append({"band": float(b), "z": float(z), "accuracy": float((p == g).mean()),
                         "macro_f1": macro_f1(gold, list(p))})
    t = pd.DataFrame(rows)
    best = t.loc[(t["accuracy"] + t["macro_f1"]).idxmax()]
    return float(best["band"]), float(best["z"]), t


def stance_cross_validation(groups, *, folds: int = 5, seed: int = 0):
    """Article-grouped cross-validation of the stance rules on :func:`entity_groups` (each fold
    scored with the band fitted on the others): one row per rule with ``n, accuracy, macro_f1,
    always_neutral`` — ``interval`` (:func:`interval_stance`, band and z fitted) and ``shrunk
    mean, 76% neutral`` (the previous rule, :func:`calibrate_band`)."""
    import pandas as pd

    fold = group_folds(groups["article"].tolist(), folds, seed)
    gold = groups["gold"].tolist()
    p_new = np.empty(len(groups), dtype=object)
    p_old = np.empty(len(groups), dtype=object)
    for f in range(folds):
        tr, te = groups[fold != f], groups[fold == f]
        b, z, _ = calibrate_interval(tr)
        p_new[fold == f] = interval_stance(te["mean"], te["n"], te["sd"], band=b, z=z)
        b0, k0, _ = calibrate_band(tr)
        x = te["mean"].to_numpy() * te["n"].to_numpy() / (te["n"].to_numpy() + k0)
        p_old[fold == f] = np.where(x > b0, "positive", np.where(x < -b0, "negative", "neutral"))
    rows = []
    for name, p in (("interval excludes the band (fitted)", p_new), ("shrunk mean, 76% neutral (before)", p_old)):
        rows.append({"rule": name, "n": len(gold), "accuracy": float(np.mean([a == b for a, b in zip(gold, p)])),
                     "macro_f1": macro_f1(gold, list(p)),
                     "always_neutral": float(np.mean([a == "neutral" for a in gold]))})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ lexicon check
def check_lexicon(df, *, lexicon: NewsLexicon | None = None, min_n: int = 8):
    """How the news lexicon's words are used near labelled targets: one row per lexicon entry
    with ``list, lemma, valence, n`` (mentions whose sentence holds one of its forms) and the
    shares of ``negative, neutral, positive`` labels, ``net`` = positive − negative and
    ``contradicts`` (n ≥ ``min_n`` and ``net`` of the opposite sign to the valence, beyond 0.1)."""
    import pandas as pd

    lex = lexicon or load_lexicon()
    cnt: dict[tuple, dict] = {}
    for s, a, b, lab in zip(df["sentence"], df["start"], df["end"], df["label"]):
        seen = {(lex.list[w], lex.lemma[w]) for w, _s, _e in tokens(_blank(s, [(a, b)])) if w in lex.lemma}
        for k in seen:
            cnt.setdefault(k, {c: 0 for c in CLASSES})[lab] += 1
    val = {(lex.list[f], lex.lemma[f]): lex.valence[f] for f in lex.lemma}
    rows = []
    for (lst, lem), c in cnt.items():
        n = sum(c.values())
        net = (c["positive"] - c["negative"]) / n
        v = val[(lst, lem)]
        rows.append({"list": lst, "lemma": lem, "valence": v, "n": n, **{k: c[k] / n for k in CLASSES},
                     "net": net, "contradicts": bool(n >= min_n and abs(net) > 0.1 and np.sign(net) != np.sign(v))})
    return pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ command line
def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    import pandas as pd

    ap = argparse.ArgumentParser(prog="python -m tools.train_tone_model",
                                 description="Cross-validate, re-fit and calibrate the news tone model on NewsMTSC.")
    ap.add_argument("--newsmtsc", default=None, help="NewsMTSC train.jsonl (default: $FRAMELENS_NEWSMTSC or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fit", action="store_true", help="fit on the whole split, calibrate the stance band, write --out")
    ap.add_argument("--out", default=None, help="where --fit writes the weights (default: the packaged tone_model.json)")
    ap.add_argument("--check-lexicon", action="store_true", help="list how the lexicon's words are used near labelled targets")
    args = ap.parse_args(argv)
    path = Path(args.newsmtsc) if args.newsmtsc else newsmtsc_path()
    if path is None or not Path(path).exists():
        raise FramelensError("NewsMTSC train.jsonl not found: pass --newsmtsc PATH or set FRAMELENS_NEWSMTSC")
    df = read_newsmtsc(path)
    pd.set_option("display.width", 160)
    if args.check_lexicon:
        t = check_lexicon(df)
        print(t.round(2).to_string(index=False))
        print(f"\n{int(t['contradicts'].sum())} entries contradicted by their use near labelled targets")
        return 0
    X, W = feature_matrix(df)
    y = df["label"].tolist()
    cv = cross_validate(path, folds=args.folds, seed=args.seed, features=(X, W))
    print(cv.round(3).to_string(index=False))
    if not args.fit:
        return 0
    oof = cv.attrs["oof_score"]
    bands, priors, tables = {}, {}, {}
    plain = {"news": oof, "vader": X[:, FEATURES.index("vader_clause")]}
    rules = {}
    for name, sc in plain.items():
        bands[name], priors[name], tables[name] = calibrate_band(entity_groups(df, sc))
        b, z, _ = calibrate_interval(entity_groups(df, sc))
        rules[name] = {"band": b, "z": z}
    from framelens.lenses.context import mention_context as ctx_of
    from framelens.lenses.context import pattern_lexicon

    pat = pattern_lexicon()
    tb = np.array([float(pat(ctx_of(s, a, b, o, None, "clause", 6, 1))[0]) for s, a, b, o in
                   zip(df["sentence"], df["start"], df["end"], df["others"])])
    bands["textblob"], priors["textblob"], tables["textblob"] = calibrate_band(entity_groups(df, tb))
    b, z, _ = calibrate_interval(entity_groups(df, tb))
    rules["textblob"] = {"band": b, "z": z}
    model = fit(X, y, W)
    model.about.update({
        "data": "NewsMTSC training split (Hamborg & Donnay 2021, EACL; MIT licence), 8,739 target mentions; "
                "the data are not shipped, only these weights",
        "fitted_by": "python -m tools.train_tone_model --fit",
        "cross_validation": {"folds": args.folds, "grouped_by": "article", "seed": args.seed,
                             "macro_f1": {r["method"]: round(float(r["macro_f1"]), 4) for _, r in cv.iterrows()}},
        "stance_band": bands,
        "stance_prior": priors,
        "stance_rule": rules,
        "stance_rule_calibration": f"groups as for the band; stance = positive / negative when the whole interval "
                                   f"mean ± z·se lies beyond ±band, se from the group's spread pooled with "
                                   f"{STANCE_M:g} pseudo-mentions of spread {STANCE_S0}; band and z maximizing "
                                   f"accuracy + macro-F1 on the groups as they come (no reweighting)",
        "stance_band_calibration": f"mentions of one target in one article grouped (>= 2 mentions); group label = "
                                   f"the label of >= 2/3 of its mentions, else neutral; out-of-fold scores; the "
                                   f"group mean shrunk by `prior` neutral pseudo-mentions; groups reweighted to "
                                   f"{NEUTRAL_SHARE:.0%} neutral; band (0.025 grid) and prior maximizing accuracy + "
                                   f"macro-F1",
    })
    out = Path(args.out) if args.out else default_model_path()
    save_model(model, out)
    print(f"\nstance bands: {bands}, priors: {priors}\nwrote {out} ({len(model.words)} word weights)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
