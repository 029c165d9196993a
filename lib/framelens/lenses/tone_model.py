"""Tone toward a target mention in news: a news-evaluation lexicon layered on VADER, three rules,
and a small linear model that combines them.

Used by :func:`framelens.lenses.sentiment.target_sentiment` and
:func:`framelens.lenses.sentiment.actor_sentiment` (``method='news'``, the default).

What it reads (one *mention* = a target's character span in a sentence):

* **The news lexicon** (``data/news_lexicon.toml``, :func:`load_lexicon`): attack and praise verbs
  ("blasted", "touted"), misconduct and merit verbs, scandal and merit nouns ("gaffe",
  "credentials"), evaluative adjectives ("dismissive", "principled"), added to VADER's lexicon
  (Hutto & Gilbert 2014) so that VADER's rules (negation, intensifiers, "but") apply to them.
* **Rule 1 — a verb carries its tone to its object**: "X blasted Y" is negative for Y, "Y was
  praised by X" positive for Y (:func:`verb_roles`). The same verb with the target as its
  subject is a separate feature ("X blasted Y": the attacker).
* **Rule 2 — the target's own reported words are not tone toward it**: in "Clinton said the plan
  is a disaster" the words after *said* are Clinton's, so they are left out of the context scored
  for Clinton (:func:`own_speech`); their tone is a separate feature of small weight.
* **Rule 3 — negation has a scope**: a negator (*not, no, never, n't, without, hardly, fail to, ...*)
  reverses the evaluative words after it up to the end of its clause (a comma, a semicolon, *but*,
  *and*, *which* ...) — the scope of negation, after Councill, McDonald & Velikovich (2010), "What's
  great and what's not: learning to classify the scope of negation for improved sentiment
  analysis" — not only the three words VADER looks back (:func:`scoped_valence`).

**The model** (:class:`ToneModel`, ``data/tone_model.json``): multinomial logistic regression over
the :data:`FEATURES` of a mention (VADER on the clause, the same with the news lexicon, the
scoped lexicon sums, the rule features, the whole sentence), fitted with numpy/scipy (L-BFGS, L2
penalty) on the training split of NewsMTSC (Hamborg & Donnay 2021, EACL; MIT licence; 8,739
labelled target mentions in news sentences). Only the 3 × (len(FEATURES) + 1) weights ship, not
the data. ``python -m tools.train_tone_model --newsmtsc PATH`` (a harness beside the package, in a
checkout) re-fits it and prints the cross-validated macro-F1 (folds grouped by article, so no article is in
both parts).

Caveats: a lexicon and a dozen features are not a reader. The model knows nothing about the topic,
irony or what the reader already thinks of an actor; it reads valence near a name and a few
grammatical patterns. Trained neural models reach macro-F1 ≈ 0.83 on NewsMTSC; this reaches
about 0.6 (see the report's validation section). Read the evidence sentences.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from framelens.errors import fail, parse_toml
from framelens.lenses.context import (clause_boundaries, mention_context, new_vader, pattern_lexicon,
                                      vader_analyzer, vader_words)

CLASSES = ("negative", "neutral", "positive")
FEATURES = (
    "vader_clause",      # VADER compound of the clause around the mention (the previous method)
    "news_clause",       # the same with the news lexicon, the target's own speech left out
    "scoped_pos",        # sum of positive valences in that clause, negation scope applied (/4)
    "scoped_neg",        # minus the sum of negative valences, same (/4)
    "object_tone",       # valence of attack/praise verbs whose object (or passive subject) is the target (/2)
    "agent_tone",        # valence of attack/praise verbs whose subject is the target (/2)
    "sentence_news",     # VADER compound (news lexicon) of the sentence without the mention and without
                         # the parts that belong to other targets (beyond a "but", ";" ...)
    "speaker",           # 1 when the sentence reports the target's own words
    "speech_tone",       # VADER compound (news lexicon) of those words
    "polar_clause",      # |news_clause|: how evaluative the clause is, whatever the sign
    "sentence_pos",      # VADER's positive share of the sentence (news lexicon)
    "sentence_neg",      # VADER's negative share of the sentence
    "clause_pos",        # VADER's positive share of the clause
    "clause_neg",        # VADER's negative share of the clause
    "pattern_sentence",  # Pattern polarity of the sentence (De Smedt & Daelemans 2012)
    "subjective_sentence",  # Pattern subjectivity of the sentence
    "pattern_clause",    # Pattern polarity of the clause
    "subjective_clause",  # Pattern subjectivity of the clause
    "pronoun",           # 1 when the mention is a pronoun (he, she, they, ...)
    "position",          # where the mention starts in the sentence (0 = first character, 1 = last)
    "quoted",            # 1 when the sentence contains quotation marks
    "length",            # log(1 + words in the sentence)
    "near_pos",          # positive valence near the mention, weighted exp(-distance / 3 words) (/2)
    "near_neg",          # negative valence near the mention, same (/2)
    "far_pos",           # the same with exp(-distance / 8 words)
    "far_neg",
)
_PRONOUNS = frozenset("he she him her his hers they them their theirs i me my we us our you your it its "
                      "himself herself themselves".split())

# ------------------------------------------------------------------------------ lexicon
_LIST_KEYS = {"pos", "valence", "role", "words", "override"}
_POS = ("verb", "noun", "adj")
_WORD_OK = re.compile(r"^[a-z][a-z'-]*[a-z]$")
_IRREGULAR = {"lead": ["led"], "beat": ["beaten"], "win": ["won"], "steal": ["stole", "stolen"], "flee": ["fled"],
              "lose": ["lost"], "mislead": ["misled"], "overcome": ["overcame"], "lie": ["lied", "lying"],
              "quit": ["quit"], "rid": ["rid"], "undo": ["undid", "undone"], "forsake": ["forsook", "forsaken"]}


def default_lexicon_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "news_lexicon.toml"))


def default_model_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "tone_model.json"))


def inflections(lemma: str, pos: str) -> list[str]:
    """The forms matched for a lexicon entry: verbs get -s, -ed and -ing (with the usual spelling
    changes: *slam → slammed, slamming*, *decry → decries, decried*, *berate → berated, berating*),
    nouns their plural, adjectives only themselves. Irregular verbs add their forms (*lose → lost*)."""
    w = lemma
    out = [w]
    if pos == "adj":
        return out
    vowels = "aeiou"
    if w.endswith(("s", "x", "z", "ch", "sh")):
        plural = w + "es"
    elif w.endswith("y") and len(w) > 1 and w[-2] not in vowels:
        plural = w[:-1] + "ies"
    else:
        plural = w + "s"
    out.append(plural)
    if pos == "noun":
        if w.endswith("o") and w[-2:-1] not in vowels:
            out.append(w + "es")
        return out
    # verbs
    one_syllable = len(re.findall(r"[aeiouy]+", w)) == 1
    cvc = (len(w) >= 3 and w[-1] not in vowels + "wxy" and w[-2] in vowels and w[-3] not in vowels)
    if w.endswith("ie"):
        past, ing = w + "d", w[:-2] + "ying"
    elif w.endswith("ee"):
        past, ing = w + "d", w + "ing"
    elif w.endswith("e"):
        past, ing = w + "d", w[:-1] + "ing"
    elif w.endswith("y") and w[-2] not in vowels:
        past, ing = w[:-1] + "ied", w + "ing"
    elif cvc and one_syllable:
        past, ing = w + w[-1] + "ed", w + w[-1] + "ing"
    else:
        past, ing = w + "ed", w + "ing"
    out += [past, ing] + _IRREGULAR.get(w, [])
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class NewsLexicon:
    """A loaded news lexicon: ``valence`` (every matched form → VADER valence), ``role`` (forms of
    verbs whose object receives their tone → valence), ``lemma`` and ``list`` (form → entry and
    list name), ``path``."""
    valence: dict
    role: dict
    lemma: dict
    list: dict
    path: str

    def table(self):
        """The lexicon as a table: ``list, lemma, pos, valence, role, forms``."""
        import pandas as pd

        rows: dict[tuple, dict] = {}
        for form, lem in self.lemma.items():
            key = (self.list[form], lem)
            r = rows.setdefault(key, {"list": key[0], "lemma": lem, "valence": self.valence[form],
                                      "role": "object" if form in self.role else "", "forms": []})
            r["forms"].append(form)
        out = pd.DataFrame(list(rows.values()), columns=["list", "lemma", "valence", "role", "forms"])
        out["forms"] = out["forms"].map(", ".join)
        return out


def load_lexicon(path: str | Path | None = None) -> NewsLexicon:
    """Read and validate a news lexicon (TOML; ``None`` = the packaged ``data/news_lexicon.toml``).

    Errors name the file and line: an unknown key, a missing ``pos``/``valence``/``words``, a
    valence outside −4..4, a malformed word, a word twice in one list, an override for a word the
    list does not have. A word in two lists keeps the valence of the first.
    """
    p = Path(path) if path is not None else default_lexicon_path()
    if not p.exists():
        raise fail(p, "news lexicon not found")
    return _load_lexicon(str(p.resolve()), p.stat().st_mtime_ns, str(path) if path is not None else str(p))


@lru_cache(maxsize=8)
def _load_lexicon(path: str, _mtime: int, display: str) -> NewsLexicon:
    text = Path(path).read_text(encoding="utf-8")
    data = parse_toml(text, display)

    def line_of(needle: str, start: int = 0) -> int | None:
        pos = text.find(needle, start)
        return None if pos < 0 else text.count("\n", 0, pos) + 1

    if not data:
        raise fail(display, "no word lists")
    valence: dict[str, float] = {}
    role: dict[str, float] = {}
    lemma: dict[str, str] = {}
    lst: dict[str, str] = {}
    for name, block in data.items():
        at = text.find(f"[{name}]")
        bline = line_of(f"[{name}]") or 1
        if not isinstance(block, dict):
            raise fail(display, f"{name!r} must be a table ([{name}])", line=line_of(name))
        for k in block:
            if k not in _LIST_KEYS:
                raise fail(display, f"[{name}]: unknown key {k!r} (allowed: {', '.join(sorted(_LIST_KEYS))})",
                           line=line_of(f"{k} ", at) or bline)
        for k in ("pos", "valence", "words"):
            if k not in block:
                raise fail(display, f"[{name}] is missing {k!r}", line=bline)
        pos = block["pos"]
        if pos not in _POS:
            raise fail(display, f"[{name}]: pos must be one of {', '.join(_POS)}", line=line_of("pos", at) or bline)
        val = block["valence"]
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not -4 <= val <= 4:
            raise fail(display, f"[{name}]: valence must be a number from -4 to 4", line=line_of("valence", at) or bline)
        rl = block.get("role", "")
        if rl not in ("", "object"):
            raise fail(display, f"[{name}]: role must be \"object\" or \"\"", line=line_of("role", at) or bline)
        words = block["words"]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise fail(display, f"[{name}]: words must be a non-empty list of strings", line=line_of("words", at) or bline)
        seen: set[str] = set()
        for w in words:
            if not _WORD_OK.match(w):
                raise fail(display, f"[{name}]: bad word {w!r} (lower-case letters, '-' or ''' inside)",
                           line=line_of(f'"{w}"', at) or bline)
            if w in seen:
                raise fail(display, f"[{name}]: {w!r} is listed twice", line=line_of(f'"{w}"', at) or bline)
            seen.add(w)
        over = block.get("override", {})
        if not isinstance(over, dict):
            raise fail(display, f"[{name}]: override must be a table ([{name}.override])", line=bline)
        oat = text.find(f"[{name}.override]")
        for w, v in over.items():
            if w not in seen:
                raise fail(display, f"[{name}.override]: {w!r} is not a word of [{name}]",
                           line=line_of(f"{w} =", oat) or line_of(f"[{name}.override]") or bline)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -4 <= v <= 4:
                raise fail(display, f"[{name}.override]: {w!r} must be a number from -4 to 4",
                           line=line_of(f"{w} =", oat) or bline)
        for w in words:
            v = float(over.get(w, val))
            for form in inflections(w, pos):
                if form in valence:
                    continue
                valence[form], lemma[form], lst[form] = v, w, name
                if rl == "object":
                    role[form] = v
    return NewsLexicon(valence, role, lemma, lst, display)


# ------------------------------------------------------------------------------ VADER with the lexicon
@lru_cache(maxsize=4)
def _analyzer(lex_path: str):

    a = new_vader()  # VADER's analyzer (its emoji pass skipped where it changes nothing)
    lex = load_lexicon(None if lex_path == "" else lex_path)
    a.lexicon = {**a.lexicon, **lex.valence}
    return a


def news_vader(lexicon: NewsLexicon | None = None):
    """A VADER analyzer whose lexicon is VADER's own plus the news lexicon's words."""
    return _analyzer("" if lexicon is None else lexicon.path)


@lru_cache(maxsize=8)
def _news_words(lex_path: str) -> frozenset:
    """The words whose valence the news lexicon adds to VADER's or changes."""
    plain = _vader_plain().lexicon
    return frozenset(w for w, v in _analyzer(lex_path).lexicon.items() if plain.get(w) != v)


def scores_as_plain(text: str, lexicon: NewsLexicon | None = None) -> bool:
    """Whether :func:`news_vader` scores ``text`` exactly as VADER's own analyzer does: VADER reads
    the lexicon only for the text's own words, so a text (with no emoji, which VADER rewrites into
    words) none of whose words has a valence the news lexicon adds or changes gets the same
    numbers from both."""
    news = _news_words("" if lexicon is None else lexicon.path)
    return _vader_plain().emojis.keys().isdisjoint(text) and news.isdisjoint(w.lower() for w in vader_words(text))


def _vader_plain():

    return vader_analyzer()


# ------------------------------------------------------------------------------ tokens and rules
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*(?:n't)?|[^\sA-Za-z0-9]")
NEGATORS = frozenset("not no never n't without nor neither hardly barely scarcely none nobody nothing "
                     "cannot lack lacks lacking lacked".split())
_NEG_VERBS = frozenset("fail fails failed failing refuse refuses refused refusing".split())
_SCOPE_END = frozenset(", ; : . ! ? but and or which who whom whose while whereas although though "
                       "because since yet ( ) \" “ ” —".split())
_BE = frozenset("is are was were be been being get gets got gotten getting".split())
_AUX = frozenset("has have had also repeatedly widely publicly roundly sharply strongly openly harshly "
                 "recently previously later since then once twice again often frequently heavily "
                 "already just even further widely generally largely quickly immediately loudly "
                 "bitterly vigorously fiercely formally officially".split())
_BRIDGE = frozenset("the a an his her their its our on of for against at toward towards to with over former "
                    "then president sen senator rep representative gov governor mr mrs ms dr secretary "
                    "leader candidate nominee democratic republican presidential rival fellow speaker "
                    "chief justice attorney general house senate minority majority vice prime minister "
                    "both '".split())
REPORTING = frozenset("""said says say saying told tells tell wrote writes write argued argues argue claimed
    claims claim added adds insisted insists warned warns stated states tweeted tweets posted declared declares
    noted notes explained explains suggested suggests asserted asserts contended contends maintained maintains
    acknowledged acknowledges admitted admits announced announces replied replies responded responds testified
    testifies recalled recalls predicted predicts vowed vows promised promises pledged pledges urged urges asked
    asks described describes complained complains countered counters conceded concedes stressed stresses
    emphasized emphasised emphasizes emphasises reiterated reiterates observed observes remarked remarks
    confirmed confirms denied denies wondered wonders thinks think thought believes believe believed
    according""".split())


def tokens(text: str) -> list[tuple[str, int, int]]:
    """``(lower-case token, start, end)`` for words (with inner hyphens/apostrophes, *n't*) and
    single punctuation marks."""
    return [(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=4096)
def _sentence_tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """:func:`tokens` of a sentence, kept for its other mentions (read-only)."""
    return tuple(tokens(text))


def _span_tokens(toks, start: int, end: int) -> tuple[int, int]:
    """Token index range [a, b) overlapping the character span; (-1, -1) if none."""
    idx = [k for k, (_t, s, e) in enumerate(toks) if s < end and e > start]
    return (idx[0], idx[-1] + 1) if idx else (-1, -1)


def _negated_before(toks, k: int, window: int = 3) -> bool:
    lo = max(0, k - window)
    for j in range(k - 1, lo - 1, -1):
        w = toks[j][0]
        if w in _SCOPE_END:
            return False
        if w in NEGATORS or w.endswith("n't") or w in _NEG_VERBS:
            return True
    return False


def verb_roles(sentence: str, start: int, end: int, *, lexicon: NewsLexicon | None = None,
               toks=None) -> tuple[float, float]:
    """Rule 1: ``(object_tone, agent_tone)`` for the mention ``sentence[start:end]``.

    ``object_tone`` sums the valences of the lexicon's *object* verbs (attack and praise lists)
    whose object is the target — the target follows the verb, with only determiners, titles,
    prepositions such as *on/of/for/against* and capitalized words between ("blasted Trump",
    "criticism of the former president Obama") — or whose passive subject it is ("Obama was
    widely praised"). ``agent_tone`` sums those whose subject is the target ("Trump blasted ...",
    "... was criticized by Trump"). A negator up to three words before the verb multiplies its
    valence by −0.74 (VADER's negation factor)."""
    lex = lexicon or load_lexicon()
    toks = toks if toks is not None else tokens(sentence)
    a, b = _span_tokens(toks, start, end)
    if a < 0:
        return 0.0, 0.0
    obj = agent = 0.0
    for k, (w, _s, _e) in enumerate(toks):
        v = lex.role.get(w)
        if v is None or a <= k < b:
            continue
        if _negated_before(toks, k):
            v *= -0.74
        if k < a:
            gap = toks[k + 1:a]
            if len(gap) <= 4 and all(t in _BRIDGE or (sentence[s:e][:1].isupper() and t.isalpha())
                                     for t, s, e in gap):
                obj += v
            elif gap and gap[-1][0] == "by" and len(gap) <= 4:
                agent += v
        else:  # verb after the mention
            gap = [t for t, _s, _e in toks[b:k]]
            if len(gap) > 5 or any(t in (".", ";", ":", "!", "?", "but") for t in gap):
                continue
            if gap and gap[0] in ("'s", "'", "s"):
                gap = gap[1:]
            if any(t in _BE for t in gap) and w.endswith(("ed", "en", "d")) and all(
                    t in _BE or t in _AUX or t in NEGATORS or t.endswith("n't") for t in gap):
                obj += v
            elif all(t in _AUX or t in NEGATORS or t.endswith("n't") or t in (",", "who", "will", "would", "could",
                                                                            "did", "does", "do", "may", "might",
                                                                            "to", "should", "must", "can")
                     for t in gap):
                agent += v
    return obj, agent


def own_speech(sentence: str, start: int, end: int, *, toks=None) -> tuple[int, int] | None:
    """Rule 2: the character span of the target's own reported words, or None.

    The target is the speaker when a reporting verb (*said, told, argued, warned, according to*,
    ...) follows it within a few words of the same clause ("Clinton said the plan is a
    disaster": the words after *said*), or comes right before it ("..., said Clinton":
    the words before), or "according to <target>" ends or starts the sentence."""
    toks = toks if toks is not None else tokens(sentence)
    a, b = _span_tokens(toks, start, end)
    if a < 0:
        return None
    n = len(toks)
    # target ... said ...
    j = b
    if sentence[end:end + 1] in ("'", "’"):
        return None  # "Clinton's aide said": the aide speaks
    steps = 0
    while j < n and steps <= 6:
        w = toks[j][0]
        if w in REPORTING and w != "according":
            rest = toks[j + 1:]
            if len([t for t in rest if t[0].isalnum()]) >= 2:
                return (rest[0][1], len(sentence))
            before = toks[:a]
            if before and len([t for t in before if t[0].isalnum()]) >= 2:
                return (0, before[-1][2])
            return None
        if w in (".", ";", ":", "!", "?", "but", "and", "that"):
            break
        j += 1
        steps += 1
    # ... said <target> / according to <target>
    k = a - 1
    while k >= 0 and toks[k][0] in _BRIDGE and toks[k][0] not in ("to", "on", "for", "against"):
        k -= 1
    according = toks[k][0] == "to" and k >= 1 and toks[k - 1][0] == "according" if k >= 0 else False
    if k >= 0 and (toks[k][0] in REPORTING or according):
        kk = k - 1 if according else k
        before = toks[:kk]
        # "..., said Clinton" / '"...," said Clinton': the inverted verb follows the reported words;
        # in "Hale said Clinton is ..." Clinton is talked about, not speaking
        if not according and not (before and before[-1][0] in (",", '"', "“", "”", "'", ":")):
            return None
        if len([t for t in before if t[0].isalnum()]) >= 2:
            return (0, before[-1][2])
        after = toks[b:]
        if according and len([t for t in after if t[0].isalnum()]) >= 2:
            return (after[0][1], len(sentence))
    return None


def scoped_valence(text: str, *, lexicon: NewsLexicon | None = None) -> tuple[float, float]:
    """Rule 3: ``(positive sum, negative sum)`` of the valences (VADER + news lexicon) of the words
    of ``text``, each reversed (× −0.74) when a negator precedes it in the same clause: the scope
    runs from the negator to the next comma, semicolon, colon, *but*, *and*, relative pronoun or
    subordinator. "did not praise the plan" and "never, in twenty years, blamed him" are handled by
    the scope; "no praise" too."""
    lexd = news_vader(lexicon).lexicon
    pos = neg = 0.0
    negated = False
    for w, _s, _e in tokens(text):
        if w in _SCOPE_END:
            negated = False
            continue
        if w in NEGATORS or w.endswith("n't") or w in _NEG_VERBS:
            negated = True
            continue
        v = lexd.get(w)
        if v is None:
            continue
        if negated:
            v *= -0.74
        if v > 0:
            pos += v
        else:
            neg += v
    return pos, neg


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            chars[i] = " "
    return "".join(chars)


def _lexicon_dict(lexicon: NewsLexicon | None) -> dict:
    return news_vader(lexicon).lexicon


def evaluative_words(lexicon: NewsLexicon | None = None) -> frozenset:
    """The vocabulary the model may weigh word by word: VADER's lexicon, the news lexicon and
    Pattern's adjectives that have a polarity — evaluative words only, so no name and no
    topic word without a prior valence gets a weight."""
    return _evaluative(lexicon.path if lexicon is not None else "")


@lru_cache(maxsize=4)
def _evaluative(path: str) -> frozenset:

    words = set(_lexicon_dict(load_lexicon(path or None)))
    try:  # Pattern's words with a polarity (its lexicon also lists neutral adjectives: 'russian')
        for w, entry in dict.items(pattern_lexicon()):
            vals = entry.get(None) if isinstance(entry, dict) else None
            if w.isalpha() and vals and vals[0] != 0:
                words.add(w.lower())
    except Exception:  # pragma: no cover - Pattern's internals
        pass
    return frozenset(w for w in words if re.fullmatch(r"[a-z][a-z'-]*", w))


def _others_segments(sentence: str, start: int, end: int, others: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans of the parts of the sentence that belong to *other* targets: the pieces
    between strong boundaries (``; :``, *but, while, whereas, although, however* ...) that hold
    another mention and not this one ("China praised the deal but Russia condemned it": for
    China, "Russia condemned it")."""
    if not others:
        return []

    cuts = [(s, e) for s, e, k in clause_boundaries(sentence) if k == 2]
    out, pos = [], 0
    for s, e in cuts + [(len(sentence), len(sentence))]:
        seg = (pos, s)
        pos = e
        if seg[0] <= start < seg[1] or seg[1] <= seg[0]:
            continue
        if any(seg[0] <= o[0] < seg[1] for o in others):
            out.append(seg)
    return out


def _scoped_words(toks, skip: tuple[int, int], vocab: frozenset, lexd: dict, mask: Sequence[tuple[int, int]]):
    """Walk the tokens once: negation scope, valence by distance to the mention, and the
    evaluative words (``NOT_word`` inside a negation scope) of the whole sentence."""
    a, b = skip
    neg = False
    near_p = near_n = far_p = far_n = 0.0
    words: dict[str, int] = {}
    for k, (w, st, _en) in enumerate(toks):
        if w in _SCOPE_END:
            neg = False
            continue
        if w in NEGATORS or w.endswith("n't") or w in _NEG_VERBS:
            neg = True
            continue
        if a <= k < b or any(m0 <= st < m1 for m0, m1 in mask):
            continue
        if w in vocab:
            key = ("NOT_" if neg else "") + w
            words[key] = words.get(key, 0) + 1
        v = lexd.get(w)
        if v is None:
            continue
        if neg:
            v *= -0.74
        d = (a - k) if k < a else (k - b + 1)
        e3, e8 = math.exp(-d / 3), math.exp(-d / 8)
        if v > 0:
            near_p += v * e3
            far_p += v * e8
        else:
            near_n -= v * e3
            far_n -= v * e8
    return (near_p / 2, near_n / 2, far_p / 2, far_n / 2), words


def mention_features(sentence: str, start: int, end: int, *, others: Sequence[tuple[int, int]] = (),
                     lexicon: NewsLexicon | None = None,
                     scored: Mapping[str, Sequence[float]] | None = None,
                     context: str | None = None) -> tuple[np.ndarray, dict]:
    """The :data:`FEATURES` of one mention (a float vector in that order) and its evaluative words
    (``{word: count}`` over the sentence minus the mention, the target's own speech and the parts
    that belong to other targets; a word in a negation scope is counted as ``NOT_word``).

    ``scored``: texts already scored by :func:`framelens.lenses.sentiment.score_texts` → (VADER compound,
    Pattern polarity, Pattern subjectivity[, VADER pos, VADER neg]), e.g. the mentions' clause
    contexts; a text found there is not scored again (the same scorers on the same text: the same
    numbers), nor scored by the news VADER when it holds no word the news lexicon changes
    (:func:`scores_as_plain`). ``context``: the
    mention's clause context if already computed (``mention_context(sentence, start, end, others,
    None, "clause", 6, 1)``), not computed again."""
    lex = lexicon or load_lexicon()
    toks = _sentence_tokens(sentence)
    ta, tb = _span_tokens(toks, start, end)
    speech = own_speech(sentence, start, end, toks=toks)
    others = [o for o in others if o[1] <= start or o[0] >= end]
    ctx_plain = context if context is not None else mention_context(sentence, start, end, others, None, "clause", 6, 1)
    ctx = mention_context(_blank(sentence, [speech]), start, end, others, None, "clause", 6, 1) if speech else ctx_plain
    plain = _vader_plain()
    nv = news_vader(lexicon)
    pat = pattern_lexicon()
    empty = {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 1.0}
    known = scored.get(ctx_plain) if scored is not None and ctx_plain else None
    v_clause = (known[0] if known is not None else plain.polarity_scores(ctx_plain)["compound"]) if ctx_plain else 0.0
    known = scored.get(ctx) if scored is not None and ctx else None
    if not ctx:
        nc = empty
    elif known is not None and len(known) >= 5 and scores_as_plain(ctx, lexicon):
        nc = {"compound": known[0], "pos": known[3], "neg": known[4]}  # plain VADER's, which it equals
    else:
        nc = nv.polarity_scores(ctx)
    sp, sn = scoped_valence(ctx, lexicon=lexicon) if ctx else (0.0, 0.0)
    obj, agent = verb_roles(sentence, start, end, lexicon=lex, toks=toks)
    theirs = _others_segments(sentence, start, end, others)
    sent_text = _blank(sentence, [(start, end), *theirs])
    ns = nv.polarity_scores(sent_text)
    speech_tone = nv.polarity_scores(sentence[speech[0]:speech[1]])["compound"] if speech else 0.0
    ps = pat(sent_text)
    pc = (known[1:3] if known is not None else pat(ctx)) if ctx else (0.0, 0.0)
    dist, words = _scoped_words(toks, (ta, tb) if ta >= 0 else (0, 0), evaluative_words(lexicon),
                                _lexicon_dict(lexicon), ([speech] if speech else []) + theirs)
    n_words = sum(1 for t in toks if t[0][:1].isalnum())
    x = np.array([
        v_clause, nc["compound"], sp / 4, -sn / 4, obj / 2, agent / 2, ns["compound"], 1.0 if speech else 0.0,
        speech_tone, abs(nc["compound"]), ns["pos"], ns["neg"], nc["pos"], nc["neg"], float(ps[0]), float(ps[1]),
        float(pc[0]), float(pc[1]), 1.0 if sentence[start:end].strip().lower() in _PRONOUNS else 0.0,
        start / max(len(sentence), 1), 1.0 if ('"' in sentence or "“" in sentence) else 0.0,
        math.log1p(n_words), *dist], dtype=float)
    return x, words


# ------------------------------------------------------------------------------ the model
@dataclass
class ToneModel:
    """Multinomial logistic regression: standardized :data:`FEATURES` plus per-word weights.

    For a mention with feature vector ``x`` and evaluative words ``c`` (word → count), the score
    of class ``j`` is ``coef[j] · (x − mean) / scale + Σ_w c[w] · words[w][j] + intercept[j]``;
    probabilities are its softmax. ``words`` holds only evaluative words (VADER, the news
    lexicon, Pattern) seen at least ``min_count`` times in the training data. ``about``
    records the provenance (data, folds, figures)."""
    features: tuple[str, ...]
    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    words: dict = field(default_factory=dict)
    about: dict = field(default_factory=dict)

    def logits(self, X: np.ndarray, W: Sequence[dict] | None = None) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        z = ((X - self.mean) / self.scale) @ self.coef.T + self.intercept
        if W is not None and self.words:
            for i, c in enumerate(W):
                for w, n in c.items():
                    v = self.words.get(w)
                    if v is not None:
                        z[i] += n * v
        return z

    def proba(self, X: np.ndarray, W: Sequence[dict] | None = None) -> np.ndarray:
        """Class probabilities, one row per mention (columns in :attr:`classes` order)."""
        z = self.logits(X, W)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def score(self, X: np.ndarray, W: Sequence[dict] | None = None) -> np.ndarray:
        """P(positive) − P(negative), in [−1, 1]."""
        p = self.proba(X, W)
        return p[:, self.classes.index("positive")] - p[:, self.classes.index("negative")]

    def predict(self, X: np.ndarray, W: Sequence[dict] | None = None) -> list[str]:
        """The most probable class of each mention."""
        return [self.classes[i] for i in self.proba(X, W).argmax(axis=1)]

    def table(self):
        """The weights as a table: one row per feature and per word, one column per class."""
        import pandas as pd

        rows = [(f, "feature", *self.coef[:, k]) for k, f in enumerate(self.features)]
        rows += [(w, "word", *v) for w, v in sorted(self.words.items())]
        return pd.DataFrame(rows, columns=["name", "kind", *self.classes])

    def to_dict(self) -> dict:
        r = lambda x: round(float(x), 5)  # noqa: E731
        return {"model": "multinomial logistic regression: standardized features + evaluative-word weights",
                "features": list(self.features), "classes": list(self.classes),
                "mean": [r(x) for x in self.mean], "scale": [r(x) for x in self.scale],
                "coef": [[r(x) for x in row] for row in self.coef],
                "intercept": [r(x) for x in self.intercept],
                "words": {w: [r(x) for x in v] for w, v in sorted(self.words.items())},
                "about": self.about}


def load_model(path: str | Path | None = None) -> ToneModel:
    """Read model weights (JSON; ``None`` = the packaged ``data/tone_model.json``)."""
    p = Path(path) if path is not None else default_model_path()
    return _load_model(str(p), p.stat().st_mtime_ns if p.exists() else 0)


@lru_cache(maxsize=4)
def _load_model(path: str, _mtime: int) -> ToneModel:
    p = Path(path)
    if not p.exists():
        raise fail(path, "tone model weights not found")
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
        m = ToneModel(tuple(d["features"]), tuple(d["classes"]), np.array(d["mean"], float),
                      np.array(d["scale"], float), np.array(d["coef"], float), np.array(d["intercept"], float),
                      {w: np.array(v, float) for w, v in d.get("words", {}).items()}, d.get("about", {}))
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(path, f"not a framelens tone model ({exc})") from None
    if m.features != FEATURES:
        raise fail(path, f"the model's features {list(m.features)} differ from this framelens' {list(FEATURES)}")
    if m.coef.shape != (len(m.classes), len(m.features)) or set(m.classes) != set(CLASSES):
        raise fail(path, "weights of the wrong shape or classes")
    return m


def save_model(model: ToneModel, path: str | Path) -> None:
    Path(path).write_text(json.dumps(model.to_dict(), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------ stance interval
# (band and z fitted by tools.train_tone_model; the rule the reports apply)
STANCE_S0 = 0.33
"""Typical spread (standard deviation) of the news model's mention scores toward one target
within one NewsMTSC article (out-of-fold, groups of >= 2 mentions: 0.33): the prior spread that
keeps the interval of one or two mentions honest (:func:`stance_interval`)."""
STANCE_M = 2.0
"""Pseudo-mentions of spread :data:`STANCE_S0` pooled with a group's own spread."""


def stance_interval(mean, n, sd, *, z: float, s0: float = STANCE_S0, m: float = STANCE_M):
    """The interval ``mean ± z · se`` of a group of ``n`` mention scores with standard deviation
    ``sd``, where ``se = sqrt(((n−1)·sd² + m·s0²) / (n−1+m)) / sqrt(n)`` (the group's spread pooled
    with ``m`` pseudo-mentions of the typical spread ``s0``). Works on scalars and arrays:
    ``(low, high)``."""
    n = np.asarray(n, dtype=float)
    sd = np.nan_to_num(np.asarray(sd, dtype=float))
    spread = np.sqrt(((n - 1) * sd ** 2 + m * s0 ** 2) / np.maximum(n - 1 + m, 1e-9))
    half = z * spread / np.sqrt(np.maximum(n, 1.0))
    mean = np.asarray(mean, dtype=float)
    return mean - half, mean + half


def interval_stance(mean, n, sd, *, band: float, z: float, s0: float = STANCE_S0, m: float = STANCE_M):
    """``positive`` when the whole :func:`stance_interval` lies above ``+band``, ``negative`` when
    below ``−band``, else ``neutral`` (array in, array out)."""
    lo, hi = stance_interval(mean, n, sd, z=z, s0=s0, m=m)
    return np.where(lo > band, "positive", np.where(hi < -band, "negative", "neutral"))
