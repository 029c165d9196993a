"""Coverage and omission: the facts, figures and names each source includes or leaves out.

:func:`extract_items` finds *items* in every sentence and gives each a normalized key so the
same fact matches across sources; :func:`coverage_matrix` lays them out item × source and
flags what only one source reports and what a source omits that most others carry.

Items (``kind``):

* ``money`` — a currency sign or word with a number and scale: "$94.8 billion", "US$ 94.8bn",
  "94.8 billion dollars" all become ``money:USD:9.48e+10`` ("$" is read as US dollars);
* ``percent`` — "78%", "78 percent", "78 per cent" → ``percent:78`` (the thing measured is
  not part of the key: check the evidence);
* ``count`` — a number with a scale word and/or the noun it counts: "650,000 visitors" →
  ``count:650000 visitor``, "2,100 years" → ``count:2100 year``, "1.2 million tons";
* ``date`` — "June 16", "16 June 2025", "June 2025" → ``date:2025-06-16`` / ``date:06-16`` /
  ``date:2025-06``; ``year`` — a bare year 1800–2100 ("in 2013") → ``year:2013``;
* ``entity`` — a name: a run of ≥ 2 capitalized words (inner "of", "and", "for", "on", "the"
  allowed, leading stopwords dropped: "the Trans-Caspian International Transport Route"), a
  multi-word term of the phrase list, or an acronym (defined as "Belt and Road Initiative
  (BRI)" anywhere in the corpus → BRI counts as the long form);
* ``actor`` — any mention of an actor of the actor table (:mod:`framelens.lenses.actors`).

Not items: numbers without a unit, scale, currency or percent sign; numbers written in words
("five countries"); ordinals. Keys are exact after normalization: "$94.8 billion" and
"nearly $95 billion" are different items.
"""

from __future__ import annotations

import re
from typing import Sequence, TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.lenses.actors import find_mentions, resolve
from framelens.text.tagging import pos_tags
from framelens.text.tokens import column_values, lemmatize

__all__ = ["extract_items", "coverage_matrix", "coverage_evidence", "ITEM_COLUMNS", "parse_number"]

ITEM_COLUMNS = ["item", "kind", "label", "value", "unit", "sent_id", "doc_id", "source", "start", "end", "text"]

_NUM_TOKEN = re.compile(r"^(?P<cur>[$€£¥])?(?P<num>\d+(?:[.,]\d+)*)(?P<suf>%|[A-Za-z]+)?(?:-(?P<hyph>[A-Za-z][\w-]*))?$")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mln": 1e6, "bln": 1e9,
           "mn": 1e6, "bn": 1e9, "tn": 1e12, "k": 1e3, "m": 1e6, "b": 1e9}
_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mln": 1e6, "bln": 1e9,
                "mn": 1e6, "bn": 1e9, "tn": 1e12}
_CUR_SIGN = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_CUR_WORDS = {"dollar": "USD", "dollars": "USD", "usd": "USD", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY",
              "cny": "CNY", "euro": "EUR", "euros": "EUR", "eur": "EUR", "tenge": "KZT", "kzt": "KZT",
              "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB", "rub": "RUB", "yen": "JPY",
              "rupee": "INR", "rupees": "INR", "som": "KGS", "sum": "UZS"}
_CUR_PREFIX = {"us": "USD", "u.s.": "USD", "usd": "USD", "rmb": "CNY", "cny": "CNY", "eur": "EUR"}
_MONTHS = {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                            "august", "september", "october", "november", "december"])}
_MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                "oct": 10, "nov": 11, "dec": 12})
_ORDINAL = {"st", "nd", "rd", "th"}
_CONNECT = {"of", "and", "for", "on", "the", "de", "&", "to"}
_SKIP_BEFORE_UNIT = ("JJ", "JJR", "JJS", "VBN", "VBG", "NNP", "NNPS")


def parse_number(tok: str) -> tuple[float, str | None, str | None, str | None] | None:
    """``(value, currency, suffix, hyphen_unit)`` for a number token, or None.

    >>> parse_number("$94.8")
    (94.8, 'USD', None, None)
    >>> parse_number("650,000")[0], parse_number("78%")[2]
    (650000.0, '%')
    """
    m = _NUM_TOKEN.match(tok)
    if not m:
        return None
    num = m.group("num")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
        value = float(num.replace(",", ""))
    elif re.fullmatch(r"\d+(?:\.\d+)?", num):
        value = float(num)
    elif re.fullmatch(r"\d+,\d+", num):  # decimal comma
        value = float(num.replace(",", "."))
    else:
        return None
    suf = m.group("suf")
    return value, _CUR_SIGN.get(m.group("cur") or ""), suf.lower() if suf else None, (m.group("hyph") or "").split("-")[0].lower() or None


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _norm_name(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"'s$", "", s.strip())
    s = re.sub(r"^(the|a|an)\s+", "", s.lower())
    return re.sub(r"\s+", " ", s).strip()


def _sentence_items(toks, lows, lemmas, tags, starts, ends, is_stop, text, covered, acr_map, *,
                    may: tuple[bool, bool, bool, bool] = (True, True, True, True)) -> list[tuple]:
    """Items in one sentence: (item, kind, label, value, unit, start, end, surface). ``may``: whether
    the sentence can hold a date, a number, a name, an acronym (:func:`_may_hold`); a kind it cannot
    hold is not looked for (its rules would find nothing)."""
    used = np.zeros(len(toks), dtype=bool)
    return ((_date_items(toks, lows, starts, ends, text, used) if may[0] else [])  # dates first: they consume their numbers
            + (_number_items(toks, lows, lemmas, tags, starts, ends, text, used) if may[1] else [])
            + (_name_items(toks, lows, starts, ends, is_stop, text, covered) if may[2] else [])
            + (_acronym_items(toks, starts, ends, covered, acr_map) if may[3] else []))


def _may_hold(toks: list[str], lows: list[str], bounds: np.ndarray) -> np.ndarray:
    """Per sentence (``bounds``: first token rows and the end), whether it can hold a date (a
    capitalized month name), a number (a token opening with a digit or a currency sign), a name
    (a capitalized word followed by another, or by a connector and a capitalized token: the first
    step of a name run in :func:`_name_items`) or an acronym (a token of 2–6 capital letters): the
    tokens each rule of :func:`_sentence_items` starts from, tested once per distinct token."""
    n = len(toks)
    if n == 0:
        return np.zeros((0, 4), dtype=bool)
    tc, tv = pd.factorize(pd.Series(toks, dtype=object))
    lc, lv = pd.factorize(pd.Series(lows, dtype=object))
    upper = np.array([t[:1].isupper() for t in tv], dtype=bool)[tc]
    cap_word = np.array([t[:1].isupper() and any(c.isalpha() for c in t) for t in tv], dtype=bool)[tc]
    connector = np.array([w in _CONNECT for w in lv], dtype=bool)[lc]
    sent = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    same1 = np.r_[sent[1:] == sent[:-1], [False]]  # the next token is in the same sentence
    same2 = np.r_[sent[2:] == sent[:-2], [False, False]]  # and the one after it
    name_start = cap_word & ((np.r_[cap_word[1:], [False]] & same1)
                             | (np.r_[connector[1:], [False]] & np.r_[upper[2:], [False, False]] & same2))
    month = np.array([_MONTHS.get(w.rstrip(".")) is not None for w in lv], dtype=bool)[lc]
    number = np.array([t[:1].isdigit() or t[:1] in _CUR_SIGN for t in tv], dtype=bool)[tc]
    acronym = np.array([2 <= len(t) <= 6 and t.isupper() and t.isalpha() for t in tv], dtype=bool)[tc]
    starts = np.asarray(bounds[:-1], dtype=np.int64)
    count = lambda flags: np.add.reduceat(flags.astype(np.int64), starts)  # noqa: E731
    return np.column_stack([count(month & upper) > 0, count(number) > 0, count(name_start) > 0, count(acronym) > 0])


def _date_items(toks, lows, starts, ends, text, used) -> list[tuple]:
    """Dates ("March 3, 2024", "3 March", "May 2023"); their tokens are marked ``used``."""
    n = len(toks)
    out = []
    for i in range(n):
        mo = _MONTHS.get(lows[i].rstrip("."))
        if mo is None or not toks[i][:1].isupper() or used[i]:
            continue
        if lows[i] in ("may", "march") and not (i + 1 < n and re.fullmatch(r"\d{1,4}", toks[i + 1]) or i > 0 and re.fullmatch(r"\d{1,2}", toks[i - 1])):
            continue
        day = year = None
        a, b = i, i + 1
        if i + 1 < n and re.fullmatch(r"\d{1,2}", toks[i + 1]) and 1 <= int(toks[i + 1]) <= 31:
            day, b = int(toks[i + 1]), i + 2
            if b + 1 < n and toks[b] == "," and re.fullmatch(r"(18|19|20)\d\d", toks[b + 1]):
                year, b = int(toks[b + 1]), b + 2
        elif i + 1 < n and re.fullmatch(r"(18|19|20)\d\d", toks[i + 1]):
            year, b = int(toks[i + 1]), i + 2
        if day is None and i > 0 and re.fullmatch(r"\d{1,2}", toks[i - 1]) and 1 <= int(toks[i - 1]) <= 31 and not used[i - 1]:
            day, a = int(toks[i - 1]), i - 1
            if year is None and i + 1 < n and re.fullmatch(r"(18|19|20)\d\d", toks[i + 1]):
                year, b = int(toks[i + 1]), i + 2
        if day is None and year is None:
            continue
        key = f"date:{year if year else ''}{'-' if year else '--'}{mo:02d}" + (f"-{day:02d}" if day else "")
        if year and not day:
            key = f"date:{year}-{mo:02d}"
        used[a:b] = True
        out.append((key, "date", text[starts[a]:ends[b - 1]], np.nan, "", starts[a], ends[b - 1]))
    return out


def _number_items(toks, lows, lemmas, tags, starts, ends, text, used) -> list[tuple]:
    """Money, percentages, counts with a unit and years among the tokens not ``used``."""
    n = len(toks)
    out = []
    for i in range(n):
        if used[i] or not toks[i][:1].isdigit() and toks[i][:1] not in _CUR_SIGN:
            continue
        p = parse_number(toks[i])
        if p is None or i > 0 and toks[i - 1] in ("+", "/", "#") or i > 0 and re.fullmatch(r"[A-Za-z]+\d*", toks[i - 1]) and ends[i - 1] == starts[i] \
                and lows[i - 1] not in _CUR_PREFIX:
            continue
        value, cur, suf, hyph = p
        a, j = i, i + 1
        if cur is None and i > 0 and lows[i - 1] in _CUR_PREFIX and not used[i - 1]:
            cur, a = _CUR_PREFIX[lows[i - 1]], i - 1
        if cur is not None and i > 0 and lows[i - 1] in ("us", "u.s.") and a == i:
            a = i - 1
        percent = suf == "%"
        unit = ""
        if suf in _ORDINAL:
            continue
        if suf and suf != "%":
            if suf in _SCALES:
                value *= _SCALES[suf]
            elif suf == "s" and re.fullmatch(r"(18|19|20)\d0", toks[i][:-1]):
                out.append((f"year:{toks[i].lower()}", "year", toks[i], float(toks[i][:-1]), "", starts[i], ends[i]))
                used[i] = True
                continue
            else:
                unit = lemmatize(suf)
        if hyph:
            unit = lemmatize(hyph)
        scaled = False
        if not percent and j < n and lows[j] in _SCALE_WORDS:
            value *= _SCALE_WORDS[lows[j]]
            j += 1
            scaled = True
        if not percent and j < n and lows[j] in ("percent", "pct"):
            percent, j = True, j + 1
        elif not percent and j + 1 < n and lows[j] == "per" and lows[j + 1] == "cent":
            percent, j = True, j + 2
        if cur is None and not percent and j < n and lows[j] in _CUR_WORDS:
            cur, j = _CUR_WORDS[lows[j]], j + 1
        raw = toks[i]
        is_year = (cur is None and not percent and not scaled and not unit and re.fullmatch(r"\d{4}", raw)
                   and 1800 <= int(raw) <= 2100)
        if is_year:
            out.append((f"year:{raw}", "year", raw, float(raw), "", starts[i], ends[i]))
            used[i] = True
            continue
        if cur is None and not percent and not unit:
            k, skipped = j, 0
            while k < n and skipped < 2 and tags[k] in _SKIP_BEFORE_UNIT and not lows[k] in ("of",):
                k, skipped = k + 1, skipped + 1
            if k < n and tags[k] in ("NN", "NNS") and any(c.isalpha() for c in lows[k]):
                unit = lemmas[k]
                j = k + 1
        used[a:j] = True
        surface = text[starts[a]:ends[j - 1]]
        if cur is not None:
            out.append((f"money:{cur}:{_fmt(value)}", "money", surface, value, cur, starts[a], ends[j - 1]))
        elif percent:
            out.append((f"percent:{_fmt(value)}", "percent", surface, value, "%", starts[a], ends[j - 1]))
        elif unit or scaled:
            out.append((f"count:{_fmt(value)} {unit}".rstrip(), "count", surface, value, unit, starts[a], ends[j - 1]))
    return out


def _name_items(toks, lows, starts, ends, is_stop, text, covered) -> list[tuple]:
    """Names: runs of two or more capitalized words that are not an actor's (``covered``) or a date."""
    n = len(toks)
    out = []
    i = 0
    while i < n:
        if not (toks[i][:1].isupper() and any(c.isalpha() for c in toks[i])):
            i += 1
            continue
        k = i
        last_cap = i
        while k + 1 < n:
            t = toks[k + 1]
            if t[:1].isupper() and any(c.isalpha() for c in t):
                k += 1
                last_cap = k
            elif lows[k + 1] in _CONNECT and k + 2 < n and toks[k + 2][:1].isupper() and not (
                    lows[k + 1] in ("and", "&") and sum(toks[x][:1].isupper() for x in range(i, k + 1)) >= 2):
                k += 1
            else:
                break
        a, b = i, last_cap + 1
        while a < b and (is_stop[a] or lows[a] in _CONNECT):
            a += 1
        caps = [x for x in range(a, b) if toks[x][:1].isupper()]
        i = last_cap + 1
        if len(caps) < 2 or any(_MONTHS.get(lows[x].rstrip(".")) for x in caps):
            continue
        if all(covered[x] for x in caps) or covered[caps[-1]]:
            continue  # the name is an actor (with a title): counted as an actor item
        surface = text[starts[a]:ends[b - 1]]
        key = _norm_name(surface)
        out.append((f"entity:{key}", "entity", surface, np.nan, "", starts[a], ends[b - 1]))
    return out


def _acronym_items(toks, starts, ends, covered, acr_map) -> list[tuple]:
    """Acronyms (2–6 capitals) not covered by an actor, keyed by their expansion where known."""
    n = len(toks)
    out = []
    for i in range(n):
        t = toks[i]
        if 2 <= len(t) <= 6 and t.isupper() and t.isalpha() and not covered[i]:
            key = acr_map.get(t, t.lower())
            out.append((f"entity:{key}", "entity", t, np.nan, "", starts[i], ends[i]))
    return out


def _acronyms(sentences: pd.DataFrame) -> dict[str, str]:
    """Acronyms defined in the corpus: 'Belt and Road Initiative (BRI)' → {'BRI': 'belt and road initiative'}."""
    out: dict[str, str] = {}
    pat = re.compile(r"((?:[A-Z][\w'-]*\s+(?:(?:of|and|for|on|the)\s+)*){1,8})\(([A-Z]{2,6})\)")
    for text in sentences["norm"].tolist():
        for m in pat.finditer(text):
            words = m.group(1).split()
            acr = m.group(2)
            caps = [w for w in words if w[:1].isupper()]
            # take the shortest tail of the name whose initials spell the acronym
            for s in range(len(words)):
                tail = words[s:]
                ini = "".join(w[0] for w in tail if w[:1].isupper())
                if ini == acr and tail[0][:1].isupper():
                    out.setdefault(acr, _norm_name(" ".join(tail)))
                    break
            else:
                if caps:
                    out.setdefault(acr, _norm_name(" ".join(words)))
    return out


def extract_items(corpus: CorpusLike, actors: pd.DataFrame | None = None, *, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """Every fact-like item in every sentence (see the module docstring for the kinds).

    Returns ``item`` (normalized key: the same fact in two sources has the same key),
    ``kind, label`` (as written), ``value``, ``unit``, ``sent_id, doc_id, source``, ``start, end``
    (span in the sentence text) and ``text`` (the sentence).
    """
    tokens = corpus.tokens
    tags = pos_tags(corpus)
    sents = corpus.sentences
    ment = find_mentions(sents, resolve(corpus, actors))
    ment_by_sent: dict[str, list[tuple[int, int]]] = {}
    for sid, s, e in zip(ment["sent_id"].tolist(), ment["start"].tolist(), ment["end"].tolist()):
        ment_by_sent.setdefault(sid, []).append((int(s), int(e)))
    acr = _acronyms(sents)
    meta = dict(zip(sents["sent_id"].tolist(), zip(sents["doc_id"].tolist(), sents["source"].tolist(), sents["text"].tolist())))
    sid = column_values(tokens, "sent_id")
    bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True]) if len(sid) else np.array([0])
    toks = column_values(tokens, "token").tolist()
    lows = column_values(tokens, "lower").tolist()
    lem = column_values(tokens, "lemma").tolist()
    st = tokens["start"].to_numpy()
    en = tokens["end"].to_numpy()
    stop = tokens["is_stop"].to_numpy(dtype=bool) if "is_stop" in tokens else np.zeros(len(tokens), dtype=bool)
    rows = []
    may = _may_hold(toks, lows, bounds).tolist()
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        s_id = sid[a]
        doc, src, text = meta[s_id]
        spans = ment_by_sent.get(s_id, [])
        cov = np.zeros(b - a, dtype=bool)  # tokens inside an actor mention
        for ms, me in spans:
            cov |= (ms <= st[a:b]) & (en[a:b] <= me)
        for key, kind, label, value, unit, s0, e0 in _sentence_items(
                toks[a:b], lows[a:b], lem[a:b], list(tags[a:b]), st[a:b], en[a:b], stop[a:b], text, cov, acr,
                may=tuple(may[k])):
            rows.append((key, kind, label, value, unit, s_id, doc, src, int(s0), int(e0), text))
    for s_id, doc, src, actor, s0, e0 in zip(ment["sent_id"].tolist(), ment["doc_id"].tolist(), ment["source"].tolist(), ment["actor"].tolist(), ment["start"].tolist(), ment["end"].tolist()):
        rows.append((f"actor:{actor}", "actor", actor, np.nan, "", s_id, doc, src, int(s0), int(e0), meta[s_id][2]))
    out = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    if kinds is not None:
        out = out[out["kind"].isin(list(kinds))]
    order = pd.Series(np.arange(len(sents)), index=sents["sent_id"].to_numpy())
    out = out.assign(_o=out["sent_id"].map(order)).sort_values(["_o", "start"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


COVERAGE_COUNT_COLUMNS = ["item", "source", "kind", "n", "sent_id"]
COVERAGE_LABEL_COLUMNS = ["item", "label", "n"]


def coverage_counts(items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The mergeable counts behind :func:`coverage_matrix`: per ``item, source`` its ``kind``,
    count ``n`` and first ``sent_id``; per ``item, label`` (surface form) its count; both in
    order of first appearance. Counts of consecutive parts of a corpus merge with
    :func:`merge_coverage_counts` into the counts of the whole."""
    if items.empty:
        return pd.DataFrame(columns=COVERAGE_COUNT_COLUMNS), pd.DataFrame(columns=COVERAGE_LABEL_COLUMNS)
    it = items.astype({"item": str, "source": str, "sent_id": str})
    c = it.groupby(["item", "source"], sort=False).agg(kind=("kind", "first"), n=("kind", "size"),
                                                      sent_id=("sent_id", "first")).reset_index()
    lab = it.groupby(["item", "label"], sort=False).size().rename("n").reset_index()
    return c[COVERAGE_COUNT_COLUMNS], lab[COVERAGE_LABEL_COLUMNS]


def merge_coverage_counts(parts: Sequence[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge :func:`coverage_counts` of consecutive corpus parts, in corpus order: counts add,
    the first ``sent_id`` and ``kind`` are the earliest part's."""
    cs = [c for c, _ in parts if len(c)]
    ls = [lab for _, lab in parts if len(lab)]
    if not cs:
        return pd.DataFrame(columns=COVERAGE_COUNT_COLUMNS), pd.DataFrame(columns=COVERAGE_LABEL_COLUMNS)
    c = pd.concat(cs, ignore_index=True).groupby(["item", "source"], sort=False).agg(
        kind=("kind", "first"), n=("n", "sum"), sent_id=("sent_id", "first")).reset_index()
    lab = pd.concat(ls, ignore_index=True).groupby(["item", "label"], sort=False)["n"].sum().reset_index()
    return c[COVERAGE_COUNT_COLUMNS], lab[COVERAGE_LABEL_COLUMNS]


def coverage_matrix(items: pd.DataFrame | None, sources: Sequence[str] | None = None, *, most: float = 0.5,
                    kinds: Sequence[str] | None = None, counts: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Item × source matrix of how often each source carries each item.

    One row per item: ``item, kind, label`` (the most common surface form; a tie goes to the
    form seen first), one count column per source (``sources`` in order; pass ``corpus.sources``
    so sources with no items appear), ``n_sources`` (sources carrying it), ``unique_to`` (the
    one source carrying it, when ≥ 2 sources), ``omitted_by`` (sources that lack an item carried
    by more than ``most`` of the *other* sources and by at least two; needs ≥ 3 sources) and
    ``evidence`` (the first ``sent_id`` per carrying source). Sorted: widely carried first.
    ``counts``: the items' :func:`coverage_counts` when already made (``items`` is then not
    read), e.g. merged from a corpus's partitions.
    """
    if counts is None:
        c, labc = coverage_counts(items if kinds is None else items[items["kind"].isin(list(kinds))])
    else:
        c, labc = counts
        if kinds is not None and len(c):
            c = c[c["kind"].isin(list(kinds))]
            labc = labc[labc["item"].isin(set(c["item"]))]
    srcs = list(sources) if sources is not None else list(pd.unique(c["source"]))
    base = ["item", "kind", "label"]
    tail = ["n_sources", "unique_to", "omitted_by", "evidence"]
    if c.empty:
        return pd.DataFrame(columns=base + srcs + tail)
    import pyarrow as pa

    ic, names_i, kind, nsrc, order, mat = _counts_in_order(c, srcs)
    S, NI = mat.shape[1], len(order)
    take = pa.array(order)
    out = pd.DataFrame(mat, columns=srcs, copy=False)
    out.insert(0, "item", pd.Series(names_i.take(take), dtype="str"))
    out.insert(1, "kind", pd.Series(kind.take(take), dtype="str"))
    out.insert(2, "label", pd.Series(_labels(labc, names_i).take(take), dtype="str"))
    evidence = _joined_per_code(_arrow(c["sent_id"]), ic, NI, "; ")
    del ic
    out["n_sources"] = nsrc
    present = mat > 0
    names = np.asarray(srcs, dtype=object)
    alone = (nsrc == 1) if S >= 2 else np.zeros(NI, dtype=bool)
    unique_to = np.full(NI, "", dtype=object)
    unique_to[alone] = names[present[alone].argmax(axis=1)]  # the one source carrying it
    out["unique_to"] = unique_to
    # omitted: carried by at least two sources and by more than ``most`` of the others (strings made
    # for those items only: at 100,000 articles, a few thousand of 390,000 items)
    omitted = np.full(NI, "", dtype=object)
    if S >= 3:
        for r in np.flatnonzero((nsrc >= 2) & (nsrc / (S - 1) > most)):
            omitted[r] = ", ".join(names[~present[r]])
    del present
    out["omitted_by"] = omitted
    out["evidence"] = pd.Series(evidence.take(take), dtype="str")  # the first sent_id per carrying source
    return out


#: the order of item kinds in the coverage matrix (any other kind after them)
KIND_ORDER = ["money", "percent", "count", "date", "year", "entity", "actor"]


def _counts_in_order(c: pd.DataFrame, srcs: list):
    """The item × source counts of :func:`coverage_counts` rows ``c`` as one dense matrix whose
    rows are in the coverage matrix's order: ``(codes, items, kinds, n_sources, order, matrix)``,
    where ``codes`` number each row's item in sorted order, ``items`` and ``kinds`` (each item's
    first row's kind) are Arrow arrays in code order, and ``order`` takes code order to row order
    (``n_sources`` and ``matrix`` are in row order already).

    Strings stay Arrow arrays (no Python string per row), the counts are summed on integer keys
    and laid into the matrix once the rows' order is known: at 100,000 generated articles
    (390,000 items × 40 sources) one 125 MB matrix, where unstacking, reindexing and sorting a
    frame of it made four."""
    import pyarrow as pa

    ic, names_i = _sorted_codes(_arrow(c["item"]))
    S, NI = len(srcs), len(names_i)
    sc = _index_in(_arrow(c["source"]), srcs)
    keep = sc >= 0  # a source not asked for is not a column (its items keep their row)
    key, inv = np.unique(ic[keep] * max(S, 1) + sc[keep], return_inverse=True)
    val = np.zeros(len(key), dtype=np.int64)
    np.add.at(val, inv, c["n"].to_numpy(dtype=np.int64)[keep])
    row, col = key // max(S, 1), key % max(S, 1)
    nsrc = np.bincount(row, weights=val > 0, minlength=NI).astype(np.int64)
    total = np.bincount(row, weights=val, minlength=NI)
    kind = _arrow(c["kind"]).take(pa.array(np.unique(ic, return_index=True)[1]))
    kord = _index_in(kind, KIND_ORDER)
    kord[kord < 0] = len(KIND_ORDER)
    order = np.lexsort((np.arange(NI), -total, kord, -nsrc))  # widely carried first, then kind, count, item
    rank = np.empty(NI, dtype=np.int64)
    rank[order] = np.arange(NI)
    mat = np.zeros((NI, S), dtype=np.int64)
    mat[rank[row], col] = val
    return ic, names_i, kind, nsrc[order], order, mat


def _labels(labc: pd.DataFrame, names_i):
    """Each item's label (Arrow, in the order of ``names_i``; null for an item without one): its
    most common surface form in ``labc`` (``item, label, n``), a tie to the form seen first."""
    import pyarrow as pa

    li = _index_in(_arrow(labc["item"]), names_i)
    pick = np.lexsort((np.arange(len(li)), -labc["n"].to_numpy(), li))
    first = pick[np.r_[True, li[pick][1:] != li[pick][:-1]]] if len(pick) else pick
    first = first[li[first] >= 0]
    at = np.full(len(names_i), -1, dtype=np.int64)
    at[li[first]] = first
    return _arrow(labc["label"]).take(pa.array(at, mask=at < 0))


def _joined_per_code(values, codes: np.ndarray, n: int, sep: str):
    """The strings ``values`` joined with ``sep`` per code ``0 … n-1``, in their order (Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    grouped = values.take(pa.array(np.argsort(codes, kind="stable")))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes, minlength=n), out=offsets[1:])
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), grouped), pa.scalar(sep, grouped.type))


def _arrow(values):
    """``values`` (a column of strings) as one Arrow large-string array: no copy for pandas'
    Arrow-backed strings."""
    import pyarrow as pa

    a = pa.array(values) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    return a if a.type == pa.large_string() else a.cast(pa.large_string())


def _sorted_codes(a) -> tuple[np.ndarray, "pa.Array"]:
    """Codes of the strings ``a``, numbered in sorted order (Unicode code point order, as Python
    sorts strings), and the distinct strings in that order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = a.dictionary_encode()
    srt = pc.array_sort_indices(enc.dictionary).to_numpy()
    rank = np.empty(len(srt), dtype=np.int64)
    rank[srt] = np.arange(len(srt))
    return rank[enc.indices.to_numpy(zero_copy_only=False)], enc.dictionary.take(pa.array(srt))


def _index_in(a, values) -> np.ndarray:
    """Position of each string of ``a`` in ``values`` (strings), -1 where absent."""
    import pyarrow as pa
    import pyarrow.compute as pc

    known = values if isinstance(values, pa.Array) else pa.array([str(v) for v in values], pa.large_string())
    found = pc.index_in(a, value_set=_arrow(known))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def coverage_evidence(items: pd.DataFrame, item: str, source: str | None = None, *, top: int = 3) -> pd.DataFrame:
    """Sentences behind one item (optionally one source): ``item, source, sent_id, label, text``."""
    d = items[items["item"] == item]
    if source is not None:
        d = d[d["source"] == source]
    return d.drop_duplicates("sent_id").head(top)[["item", "source", "sent_id", "label", "text"]].reset_index(drop=True)
