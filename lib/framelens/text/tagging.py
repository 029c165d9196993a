"""Part-of-speech tags and chunks of tokenized sentences (pattern's tagger, offline), and the
subject–verb pairs of a tagged sentence: the text layer the actor, agency, coverage and vocabulary
lenses share.
"""

from __future__ import annotations

import re
from typing import Sequence, TYPE_CHECKING
import numpy as np
import pandas as pd
if TYPE_CHECKING:  # annotations only: no import cost
    pass
from framelens.text.tokens import column_values, lemmatize


#: The chunk grammar (NLTK ``RegexpParser`` syntax); :func:`chunk` runs its regex equivalent.
GRAMMAR = r"""
NP: {<DT|PDT|PRP\$|CD>*<JJ.*|NN.*|CD>*<NN.*|PRP|CD>}
NP: {<NP><POS><NP>}
VG: {<TO>?<MD>?<RB.*>*<VB.*>(<RB.*|VB.*>)*<RP>?}
"""


# one character per Penn tag for the regex chunker
_CODE = {"NN": "N", "NNS": "N", "NNP": "N", "NNPS": "N", "PRP": "P", "PRP$": "h", "DT": "D",
         "PDT": "D", "CD": "C", "JJ": "J", "JJR": "J", "JJS": "J", "MD": "M", "RB": "R",
         "RBR": "R", "RBS": "R", "TO": "T", "POS": "O", "VB": "V", "VBD": "V", "VBG": "V",
         "VBN": "V", "VBP": "V", "VBZ": "V"}


_NP1 = r"[DhC]*[JNC]*[NPC]"


_NP_RE = re.compile(rf"{_NP1}(?:O{_NP1})*")


_VG_RE = re.compile(r"T?M?R*V[RV]*")


_NEG = {"not", "n't", "never"}


_DO_AUX = {"do", "does", "did", "don't", "doesn't", "didn't"}


_BE_GET = {"be", "get"}


_PRONOUNS_PERSON = {"he", "she", "him", "her"}


_DEFAULT_REPORTING = ("say", "tell", "note", "stress", "state", "add", "announce", "claim",
                      "declare", "emphasize", "emphasise", "underline", "underscore", "pledge",
                      "vow", "promise", "insist", "argue", "explain", "warn", "acknowledge",
                      "admit", "affirm", "assert", "reiterate", "remark", "confirm", "deny",
                      "reply", "write", "propose", "observe", "recall", "comment", "describe",
                      "highlight", "express", "accuse", "criticize", "criticise", "blame", "urge",
                      "call", "complain", "estimate", "respond", "testify", "suggest", "predict",
                      "concede", "counter", "ask", "disagree", "hail", "praise", "condemn", "caution")


REPORTING_VERBS = frozenset(_DEFAULT_REPORTING)


# ------------------------------------------------------------------------------ tagging
_NUMLIKE = re.compile(r"\d")


def _tokens_of(obj) -> pd.DataFrame:
    return obj.tokens if hasattr(obj, "tokens") and not isinstance(obj, pd.DataFrame) else obj


def _tag_batch(sents: list[list[str]]) -> list[list[str]]:
    """Tag pre-tokenized sentences with pattern's tagger (lexicon + morphology + context rules),
    calling its ``find_tags`` on each token list directly (no string round trip)."""
    from textblob.en import parser

    out = []
    for s in sents:
        tagged = [t for _, t in parser.find_tags(list(s))] if s else []
        out.append((tagged + ["NN"] * len(s))[: len(s)])
    return out


def _safe(tok: str) -> str:
    if _NUMLIKE.search(tok):
        return "1" if not any(c.isalpha() for c in tok) or tok[:1] in "$€£¥" else tok.replace(" ", "")
    return tok.replace(" ", "_") or "_"


def _fix_tags(lower: list[str], tags: list[str]) -> list[str]:
    """Small, general corrections to pattern's tags (documented in :func:`pos_tags`)."""
    n = len(tags)
    # only the tokens a rule can touch, in order (the rules read and write the same positions as
    # a pass over every token would: untouched tokens are never rewritten)
    for i in [i for i, w in enumerate(lower) if w == "will" or w == "may" or w.endswith("n't")]:
        w, t = lower[i], tags[i]
        if w.endswith("n't") and len(w) > 3:
            tags[i] = "MD" if w[:-3] in ("can", "could", "wo", "would", "should", "must", "might", "ca", "sha") else "VBD"
        elif w == "will" and t == "MD" and (i + 1 < n and lower[i + 1] == "of" or i > 0 and tags[i - 1] in ("DT", "JJ", "PRP$", "POS")):
            tags[i] = "NN"
        elif w in ("may", "will") and t == "MD" and i + 1 < n and tags[i + 1] == "CD":
            tags[i] = "NNP"
    # a rewrite below only ever makes a tag "VB": the positions of MD tags do not change
    for i in [i for i in range(n - 1) if tags[i] == "MD" or lower[i] in _DO_AUX]:
        j = i + 1
        while j < n and tags[j] in ("RB", "RBR"):
            j += 1
        if j < n and tags[j] in ("NN", "VBP", "NNS") and lower[j].isalpha() and tags[j] != "NNS":
            tags[j] = "VB"
    return tags


def pos_tags(corpus_or_tokens, *, batch: int = 2000) -> np.ndarray:
    """Penn tags aligned with the rows of ``corpus.tokens`` (an object array), cached.

    Each sentence is tagged once, on the corpus' own tokens (numbers are replaced by a
    placeholder the tagger tags CD). Corrections applied afterwards: ``didn't``-style forms are
    auxiliaries (VBD, or MD for modals); *will* after a determiner/adjective or before *of* is a
    noun ("the will of the people"); *may*/*will* before a number is a month/noun; the word
    right after a modal is a base verb ("will act").
    """
    tokens = _tokens_of(corpus_or_tokens)
    # cached on the corpus (Corpus.lens_cache), for its current tokens; a bare table is not cached
    held = corpus_or_tokens.lens_cache("pos_tags") if hasattr(corpus_or_tokens, "lens_cache") else {}
    hit = held.get("tags")
    if hit is not None and hit[0] is tokens:
        return hit[1]
    toks = column_values(tokens, "token" if "token" in tokens else "lower").tolist()
    lower = column_values(tokens, "lower").tolist()
    sid = column_values(tokens, "sent_id")
    bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True]) if len(sid) else np.array([0])
    spans = list(zip(bounds[:-1], bounds[1:]))
    out: list[str] = []
    safe: dict[str, str] = {}  # each distinct token made safe once
    for b in range(0, len(spans), batch):
        chunk_spans = spans[b:b + batch]
        sents = [[safe[t] if t in safe else safe.setdefault(t, _safe(t)) for t in toks[a:e]] for a, e in chunk_spans]
        for (a, e), tg in zip(chunk_spans, _tag_batch(sents)):
            out.extend(_fix_tags(lower[a:e], list(tg)))
    arr = np.array(out, dtype=object)
    held["tags"] = (tokens, arr)
    return arr


# ------------------------------------------------------------------------------ chunking
def _codes(tags: Sequence[str], lower: Sequence[str]) -> str:
    code = _CODE.get
    return "".join([code(t) or _OTHER_CODE.get(t) or (("W" if w == "that" else "I") if t == "IN" else "x")
                    for t, w in zip(tags, lower)])


# the single-token codes of the tags without a chunk code (IN: "W" for *that*, else "I")
_OTHER_CODE = {"WP": "W", "WDT": "W", "CC": "A", ",": ","}


def chunk(tags: Sequence[str], lower: Sequence[str] | None = None) -> list[tuple[str, int, int]]:
    """Chunks of one tagged sentence: ``(kind, start, stop)`` token ranges, kind ``NP``, ``VG``
    or the single-token code (``,`` comma, ``A`` conjunction, ``W`` wh-word/that, ``I``
    preposition, ``x`` other) — the chunks of :data:`GRAMMAR`."""
    lower = lower if lower is not None else [""] * len(tags)
    s = _codes(tags, lower)
    spans: list[tuple[str, int, int]] = []
    taken = [False] * len(s)
    pieces, pos = [], 0
    for m in _NP_RE.finditer(s):
        a, b = m.span()
        spans.append(("NP", a, b))
        taken[a:b] = [True] * (b - a)
        pieces += [s[pos:a], "#" * (b - a)]
        pos = b
    # verb groups on what is left
    masked = "".join(pieces) + s[pos:] if pieces else s
    for m in _VG_RE.finditer(masked):
        a, b = m.span()
        spans.append(("VG", a, b))
        taken[a:b] = [True] * (b - a)
    spans += [(ch, i, i + 1) for i, (ch, t) in enumerate(zip(s, taken)) if not t]
    spans.sort(key=lambda x: x[1])
    return spans


# ------------------------------------------------------------------------------ agency
AGENCY_COLUMNS = ["sent_id", "doc_id", "source", "subject", "actor", "via", "verb", "verb_text",
                  "voice", "role", "negated", "modal", "clause", "verb_i", "subject_i", "subject_n"]


def _vg_info(a: int, b: int, lower, lemma, tags):
    idx = list(range(a, b))
    verbs = [i for i in idx if tags[i].startswith("VB")]
    if not verbs:
        return None
    main = verbs[-1]
    infinitive = tags[a] == "TO"
    modal = next((lower[i] for i in idx if tags[i] == "MD"), "")
    negated = any(lower[i] in _NEG or lower[i].endswith("n't") for i in idx)
    passive = False
    if tags[main] in ("VBN", "VBD") and lemma[main] not in ("be", "have", "do", "get"):
        passive = any(lemma[i] in _BE_GET or lower[i] in ("wasn't", "weren't", "isn't", "aren't")
                      for i in verbs[:-1])
    # the lemma of the main verb; an n't-aux alone ("didn't") is 'do'
    return {"main": main, "infinitive": infinitive, "modal": modal, "negated": negated,
            "passive": passive}


def subject_verbs(tokens: Sequence[str], tags: Sequence[str], lemmas: Sequence[str] | None = None) -> list[dict]:
    """Subject–verb pairs of one tagged sentence (token lists), without actor resolution.

    Returns dicts with ``subject`` (token range ``(start, stop)``), ``verb`` (lemma), ``verb_i``,
    ``voice``, ``role``, ``negated``, ``modal``, ``clause``. Used by :func:`agency`.
    """
    lower = [t.lower() for t in tokens]
    lemma = [l.lower() for l in lemmas] if lemmas is not None else [lemmatize(t) for t in tokens]
    tags = list(tags)
    items = chunk(tags, lower)
    rows: list[dict] = []
    last_subjects: list[tuple[int, int]] | None = None
    last_vg_item = -2

    def np_chain_before(j: int) -> list[tuple[int, int]]:
        """NP at item j plus NPs coordinated before it with 'and'/'or' (commas allowed), unless
        the chain follows a verb or a preposition (then only the nearest NP is the subject)."""
        chain = [(items[j][1], items[j][2])]
        k, saw_and = j - 1, False
        while k >= 1 and items[k - 1][0] == "NP" and (
                items[k][0] == "," or items[k][0] == "A" and lower[items[k][1]] in ("and", "or")):
            saw_and = saw_and or items[k][0] == "A"
            chain.insert(0, (items[k - 1][1], items[k - 1][2]))
            k -= 2
        if len(chain) > 1:
            before = items[k][0] if k >= 0 else None
            if before in ("VG", "I") or not saw_and:
                chain = chain[-1:]
        return chain

    for n, (kind, a, b) in enumerate(items):
        if kind != "VG":
            continue
        info = _vg_info(a, b, lower, lemma, tags)
        if info is None:
            continue
        subjects: list[tuple[int, int]] | None = None
        clause = "main"
        prev = items[n - 1][0] if n >= 1 else None
        if info["infinitive"]:
            if last_subjects and last_vg_item == n - 1:
                subjects, clause = last_subjects, "infinitive"
        elif prev == "NP":
            subjects = np_chain_before(n - 1)
        elif prev == "W" and n >= 2 and (items[n - 2][0] == "NP" or items[n - 2][0] == "," and n >= 3 and items[n - 3][0] == "NP"):
            j = n - 2 if items[n - 2][0] == "NP" else n - 3
            subjects, clause = [(items[j][1], items[j][2])], "relative"
        elif prev == "," and n >= 4 and items[n - 2][0] == "NP" and items[n - 3][0] == "," and items[n - 4][0] == "NP" \
                and (n < 5 or items[n - 5][0] not in (",", "A")):
            subjects, clause = [(items[n - 4][1], items[n - 4][2])], "appositive"
        elif lemma[info["main"]] in REPORTING_VERBS and n + 1 < len(items) and items[n + 1][0] == "NP" \
                and prev in (",", "x", None) and (n + 2 >= len(items) or items[n + 2][0] in ("x", ",")):
            subjects, clause = [(items[n + 1][1], items[n + 1][2])], "inverted"
        elif prev in ("A", ",") and last_subjects:
            subjects, clause = last_subjects, "coordinated"
        main = info["main"]
        base = {"verb": lemma[main], "verb_i": main, "verb_text": " ".join(tokens[a:b]),
                "negated": info["negated"], "modal": info["modal"], "clause": clause}
        if subjects:
            for s in subjects:
                rows.append({**base, "subject": s, "voice": "passive" if info["passive"] else "active",
                             "role": "patient" if info["passive"] else "agent"})
            last_subjects = subjects
        last_vg_item = n
        if info["passive"] and n + 2 < len(items) and items[n + 1][0] == "I" and lower[items[n + 1][1]] == "by" and items[n + 2][0] == "NP":
            k = n + 2
            agents = [(items[k][1], items[k][2])]
            while k + 2 < len(items) and items[k + 1][0] in (",", "A") and items[k + 2][0] == "NP":
                k += 2
                agents.append((items[k][1], items[k][2]))
            for s in agents:
                rows.append({**base, "subject": s, "voice": "passive", "role": "agent", "clause": "by-agent"})
    return rows
