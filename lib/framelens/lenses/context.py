"""The context of a mention inside its sentence (clauses, windows) and the lexicon scorers
(VADER, TextBlob/pattern) the sentence tone and the actor-mention tone model share.
"""

from __future__ import annotations

import re
import string
from typing import Sequence, TYPE_CHECKING
from framelens.errors import FramelensError
if TYPE_CHECKING:  # annotations only: no import cost
    pass
from functools import lru_cache as _lru_cache
from framelens.lenses.actors import find_mentions_in_text


_VADER = None


_PATTERN = None


def vader_analyzer():
    """The VADER analyzer, created once per process (loading the lexicon takes ~0.1 s)."""
    global _VADER
    if _VADER is None:
        _VADER = new_vader()
    return _VADER


_VADER_CLASS = None
_PUNCT = string.punctuation


def new_vader():
    """A new ``vaderSentiment`` analyzer whose ``polarity_scores`` skips VADER's character-by-
    character emoji pass (a string rebuilt one character at a time, ~18% of its run time) when the
    text holds no emoji character — the pass would return the text unchanged —, then runs VADER's
    own steps, line for line. Texts with an emoji go to VADER's method itself. A test checks the
    scores equal ``SentimentIntensityAnalyzer().polarity_scores``."""
    global _VADER_CLASS
    if _VADER_CLASS is None:
        from vaderSentiment import vaderSentiment as vs

        base = vs.SentimentIntensityAnalyzer

        class FastVader(base):
            def polarity_scores(self, text):
                if not isinstance(text, str) or not self.emojis.keys().isdisjoint(text):
                    return base.polarity_scores(self, text)
                text = text.strip()
                words = vader_words(text)
                cap_diff = vs.allcap_differential(words)
                lower = [w.lower() for w in words]
                lexicon, booster, last = self.lexicon, vs.BOOSTER_DICT, len(words) - 1
                sentiments = []
                for i, low in enumerate(lower):
                    if low in booster or low not in lexicon or (i < last and low == "kind" and lower[i + 1] == "of"):
                        sentiments.append(0)  # what VADER appends for a word it does not score
                    else:
                        sentiments.append(_lexicon_valence(lexicon, cap_diff, words, lower, i, vs))
                sentiments = self._but_check(words, sentiments)
                return self.score_valence(sentiments, text)

        _VADER_CLASS = FastVader
    return _VADER_CLASS()


def vader_words(text: str) -> list[str]:
    """The words VADER scores in ``text`` (``SentiText.words_and_emoticons``): split at white
    space, leading and trailing punctuation stripped unless that leaves two characters or fewer
    (an emoticon)."""
    return [w if len(t := w.strip(_PUNCT)) <= 2 else t for w in text.split()]


def _lexicon_valence(lexicon, cap_diff, words, lower, i, vs):
    """VADER's valence of the lexicon word ``words[i]`` (``SentimentIntensityAnalyzer.
    sentiment_valence`` with its negation, idiom and "least" checks), reading the lowercased words
    ``lower`` computed once per text where VADER lowercases the whole text again for every check
    of every lexicon word. Same rules, same order, same numbers."""
    low = lower[i]
    valence = lexicon[low]
    if low == "no" and i != len(words) - 1 and lower[i + 1] in lexicon:
        valence = 0.0  # "no" negates the next lexicon word instead of scoring itself
    if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") \
            or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")):
        valence = lexicon[low] * vs.N_SCALAR
    if words[i].isupper() and cap_diff:
        valence = valence + vs.C_INCR if valence > 0 else valence - vs.C_INCR
    for k in range(3):  # the three words before it: boosters (damped with distance), negations, idioms
        if i > k and lower[i - k - 1] not in lexicon:
            s = vs.scalar_inc_dec(words[i - k - 1], valence, cap_diff)
            if s != 0 and k:
                s = s * (0.95 if k == 1 else 0.9)
            valence = _negation(valence + s, lower, k, i, vs)
            if k == 2:
                valence = _idioms(valence, lower, i, vs)
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * vs.N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * vs.N_SCALAR
    return valence


def _negated(word: str, vs) -> bool:
    """``vaderSentiment.negated([word])``: a negation word, or a word with "n't"."""
    global _NEGATE
    if _NEGATE is None:
        _NEGATE = frozenset(vs.NEGATE)
    word = word.lower()
    return word in _NEGATE or "n't" in word


_NEGATE = None


def _negation(valence, lower, k, i, vs):
    """``SentimentIntensityAnalyzer._negation_check`` for the word ``k + 1`` places before ``i``."""
    before = lower[i - k - 1]
    if k == 1:
        if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
            return valence * 1.25
        if lower[i - 2] == "without" and lower[i - 1] == "doubt":
            return valence
    elif k == 2:
        if lower[i - 3] == "never" and lower[i - 2] in ("so", "this") or lower[i - 1] in ("so", "this"):
            return valence * 1.25
        if lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            return valence
    return valence * vs.N_SCALAR if _negated(before, vs) else valence


def _idioms(valence, lower, i, vs):
    """``SentimentIntensityAnalyzer._special_idioms_check`` on the lowercased words."""
    special, booster = vs.SPECIAL_CASES, vs.BOOSTER_DICT
    w3, w2, w1, w0 = lower[i - 3], lower[i - 2], lower[i - 1], lower[i]
    threetwoone, threetwo, twoone = f"{w3} {w2} {w1}", f"{w3} {w2}", f"{w2} {w1}"
    for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(lower) - 1 > i and f"{w0} {lower[i + 1]}" in special:
        valence = special[f"{w0} {lower[i + 1]}"]
    if len(lower) - 1 > i + 1 and f"{w0} {lower[i + 1]} {lower[i + 2]}" in special:
        valence = special[f"{w0} {lower[i + 1]} {lower[i + 2]}"]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


def pattern_lexicon():
    """TextBlob's Pattern sentiment lexicon (the callable behind ``PatternAnalyzer.analyze``).

    ``PatternAnalyzer().analyze(text)`` is ``Sentiment(*textblob.en.sentiment(text))``; it builds
    a new namedtuple *class* on every call, which halves its speed. We call the same function
    directly (on an eagerly loaded copy of its lexicon, :func:`_eager_copy`): identical numbers,
    no corpora needed.
    """
    global _PATTERN
    if _PATTERN is None:
        from textblob.en import sentiment as pattern_sentiment

        pattern_sentiment("good")  # load the lexicon now (it is a lazy dict)
        _PATTERN = _eager_copy(pattern_sentiment)
    return _PATTERN


def _pattern_tokenizer(original=None):
    """Pattern's own tokenizer (``textblob._text.find_tokens``, which the sentiment lexicon
    calls through ``parser.find_tokens``: ``original``) with its defaults, made faster
    without changing a token: the contraction replacements are literal strings (``str.replace``
    instead of one ``re.sub`` each, which looks its pattern up in ``re``'s cache every call), the
    regular expressions are compiled once, and a token with no punctuation at either end — nearly
    every word — skips the punctuation-splitting loops (which would leave it unchanged). The
    sentence grouping, sarcasm and emoticon steps are Pattern's, line for line. A test checks the
    output equals ``find_tokens`` on every sentence of the fixture corpora and on edge cases.
    The three steps are :func:`_pattern_normaliser`, :func:`_pattern_punctuation_splitter` and
    :func:`_pattern_sentence_grouper`."""
    from textblob import _text as pt

    replace = pt.replacements
    if any(re.escape(a) != a or "\\" in b for a, b in replace.items()):  # pragma: no cover - not literal
        return pt.find_tokens
    lead = frozenset(pt.PUNCTUATION.replace(".", ""))
    trail = lead | {"."}
    token_re = pt.TOKEN
    normalise = _pattern_normaliser(pt)
    split_punctuation = _pattern_punctuation_splitter(pt)
    group = _pattern_sentence_grouper(pt)

    def find_tokens(string, **_kw):
        if _kw or not isinstance(string, str):  # pragma: no cover - only the defaults are sped up
            return (original or pt.find_tokens)(string, **_kw)
        tokens = []
        append = tokens.append
        for t in token_re.findall(normalise(string) + " "):
            if t[0] not in lead and t[-1] not in trail:
                append(t)
            else:
                split_punctuation(t, tokens)
        return group(tokens)

    return find_tokens


def _pattern_normaliser(pt):
    """Pattern's text clean-up before tokenizing (``pt``: ``textblob._text``): the contraction
    replacements (literal, by ``str.replace``), spaces around quotes, paragraph breaks as the
    end-of-sentence marker and runs of white space as one space."""
    pairs = list(pt.replacements.items())
    eos = pt.EOS
    linebreak = re.compile(r"\n{2,}")
    spaces = re.compile(r"\s+")

    def normalise(string: str) -> str:
        for a, b in pairs:
            if a in string:
                string = string.replace(a, b)
        string = (string.replace("“", " “ ").replace("”", " ” ").replace("‘", " ‘ ").replace("’", " ’ ")
                  .replace("'", " ' ").replace('"', ' " '))
        string = string.replace("\r\n", "\n")
        if "\n\n" in string:
            string = linebreak.sub(" %s " % eos, string)
        return spaces.sub(" ", string)

    return normalise


def _pattern_punctuation_splitter(pt):
    """Pattern's punctuation splitting of one token ``t`` (leading punctuation, then trailing
    punctuation, ellipses and full stops that do not end an abbreviation), appending the pieces
    to ``tokens`` in Pattern's order."""
    replace = pt.replacements
    punctuation = tuple(pt.PUNCTUATION.replace(".", ""))
    trail_t = punctuation + (".",)
    abbreviations = pt.ABBREVIATIONS
    abbr1, abbr2, abbr3 = pt.RE_ABBR1, pt.RE_ABBR2, pt.RE_ABBR3

    def split_punctuation(t: str, tokens: list) -> None:
        append = tokens.append
        tail = []
        while t.startswith(punctuation) and t not in replace:
            if t.startswith(punctuation):
                append(t[0])
                t = t[1:]
        while t.endswith(trail_t) and t not in replace:
            if t.endswith(punctuation):
                tail.append(t[-1])
                t = t[:-1]
            if t.endswith("..."):
                tail.append("...")
                t = t[:-3].rstrip(".")
            if t.endswith("."):
                if (t in abbreviations or abbr1.match(t) is not None or abbr2.match(t) is not None
                        or abbr3.match(t) is not None):
                    break
                else:
                    tail.append(t[-1])
                    t = t[:-1]
        if t != "":
            append(t)
        tokens.extend(reversed(tail))

    return split_punctuation


def _pattern_sentence_grouper(pt):
    """Pattern's sentence grouping of a token list (breaks at end punctuation, closing quotes and
    brackets kept with their sentence, balanced quotes respected), then its sarcasm and emoticon
    rewrites: the list of sentences, tokens joined by spaces."""
    eos = pt.EOS
    sarcasm, emoticons = pt.RE_SARCASM, pt.RE_EMOTICONS
    breaks = ("...", ".", "!", "?", eos)
    closers = ("'", '"', "”", "’", "...", ".", "!", "?", ")", eos)

    def emo(m):
        return m.group(1).replace(" ", "") + m.group(2)

    def group(tokens: list) -> list[str]:
        sentences, i, j = [[]], 0, 0
        while j < len(tokens):
            if tokens[j] in breaks:
                while j < len(tokens) and tokens[j] in closers:
                    if tokens[j] in ("'", '"') and sentences[-1].count(tokens[j]) % 2 == 0:
                        break  # Balanced quotes.
                    j += 1
                sentences[-1].extend(t for t in tokens[i:j] if t != eos)
                sentences.append([])
                i = j
            j += 1
        sentences[-1].extend(tokens[i:j])
        return [emoticons.sub(emo, sarcasm.sub("(!)", " ".join(s))) for s in sentences if len(s) > 0]

    return group


def _pattern_call(original):
    """Pattern's ``Sentiment.__call__`` for a plain string with the default options: the words
    of its tokenizer, lowercased, assessed (``assessments``) and averaged with weight 1, as Pattern
    does; a text with no word of the lexicon, no emoticon and no "(!)" has no assessment, so it
    scores (0.0, 0.0) without the assessment pass. Anything else goes to ``original``."""
    from textblob._text import EMOTICONS, Score

    marks = frozenset({"(!)", *(e.lower() for faces in EMOTICONS.values() for e in faces)})  # assessed too

    def call(self, s, negation=True, **kwargs):
        if kwargs or type(s) is not str:
            return original(self, s, negation, **kwargs)
        words = [w.lower() for w in " ".join(self.tokenizer(s)).split()]
        if not any(w in self or w in marks for w in words):
            return Score(polarity=0.0, subjectivity=0.0, assessments=[])
        a = self.assessments(((w, None) for w in words), negation)
        return Score(polarity=_average([x[1] for x in a]), subjectivity=_average([x[2] for x in a]), assessments=a)

    return call


def _average(scores) -> float:
    """Pattern's ``avg`` with weight 1 (the same sum, in the same order)."""
    s, n = 0, 0
    for score in scores:
        s += 1 * score
        n += 1
    return s / float(n or 1)


def _eager_copy(lazy):
    """A copy of Pattern's loaded lexicon whose lookups are plain dict lookups.

    Pattern's lexicon is a ``lazydict``: every ``word in lexicon`` / ``lexicon[word]`` goes through a
    Python-level "is it loaded yet?" wrapper, ~20-30% of its run time. Once loaded, a subclass that
    maps those operations straight to ``dict`` gives the same answers faster (a test checks the
    numbers equal ``PatternAnalyzer().analyze``). Falls back to the original on any surprise.
    """
    try:
        cls = type(lazy)
        fast_cls = type("EagerSentiment", (cls,), {"__contains__": dict.__contains__,
                                                   "__getitem__": dict.__getitem__, "get": dict.get,
                                                   "__call__": _pattern_call(cls.__call__)})
        fast = fast_cls.__new__(fast_cls)
        fast.__dict__.update(lazy.__dict__)
        from textblob import _text as pt

        if getattr(fast.tokenizer, "__func__", None) is pt.Parser.find_tokens:  # ``parser.find_tokens``
            fast.tokenizer = _pattern_tokenizer(fast.tokenizer)
        dict.update(fast, dict.items(lazy))
        if tuple(fast("not a very good idea!"))[:2] != tuple(lazy("not a very good idea!"))[:2]:
            return lazy
        return fast
    except Exception:  # pragma: no cover - a future textblob may change its internals
        return lazy


# Clause boundaries. Strong ones separate statements that may have opposite tone (contrast,
# concession, a new statement after ; or :); weak ones (commas, brackets, dashes, relative
# pronouns) separate parts of one statement and may be crossed when a clause is too short.
_STRONG_RE = re.compile(
    r"[;:](?!\d)"
    r"|(?:^|(?<=[\s,;(]))(?:but|whereas|although|though|however|while|whilst|despite|unlike|"
    r"nevertheless|nonetheless|even\s+as|even\s+though|in\s+contrast|on\s+the\s+other\s+hand)(?=\W|$)"
    r"|(?:^|(?<=[,;]))\s*(?:and\s+)?yet(?=\W|$)",
    re.IGNORECASE,
)


_WEAK_RE = re.compile(
    r",(?!\d)|[()\[\]]|\s-{1,2}\s|[\u2013\u2014]|(?:^|(?<=\s))(?:who|whom|whose|which)(?=\W|$)",
    re.IGNORECASE,
)


_WORD_RE = re.compile(r"[A-Za-z0-9][\w'’-]*")


_POSSESSIVE_RE = re.compile(r"['’](?:s(?![A-Za-z]))?")


# Words that say nothing about anyone: they do not count towards a clause being long enough.
_LIGHT = frozenset(
    "a an the and or nor of to in on at by for with from as its their his her our this that these those "
    "is are was were be been has have had it s also both who whom whose which".split()
)


def clause_boundaries(text: str) -> list[tuple[int, int, int]]:
    """Sorted, merged gaps (start, end, strength) where 2 = strong, 1 = weak."""
    return list(_boundaries(text))


def _segments(text: str) -> list[tuple[int, int, int, int]]:
    """Clauses as (start, end, strength of left boundary, strength of right boundary)."""
    return list(_segments_of(text))


# A sentence's clauses are asked for by its contexts and again by the tone model's features of
# each of its mentions: computed once per distinct text (a bounded cache, results immutable).
@_lru_cache(maxsize=8192)
def _boundaries(text: str) -> tuple[tuple[int, int, int], ...]:
    gaps = [(m.start(), m.end(), 2) for m in _STRONG_RE.finditer(text) if m.end() > m.start()]
    gaps += [(m.start(), m.end(), 1) for m in _WEAK_RE.finditer(text) if m.end() > m.start()]
    gaps.sort()
    merged: list[list[int]] = []
    for s, e, k in gaps:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] = max(merged[-1][2], k)
        else:
            merged.append([s, e, k])
    return tuple(tuple(g) for g in merged)


@_lru_cache(maxsize=8192)
def _segments_of(text: str) -> tuple[tuple[int, int, int, int], ...]:
    segs, pos, left = [], 0, 2
    for s, e, k in _boundaries(text):
        segs.append((pos, s, left, k))
        pos, left = e, k
    segs.append((pos, len(text), left, 2))
    return tuple(segs)


def _span_end(text: str, end: int) -> int:
    """End of a mention including a possessive 's / ’s / s' after it."""
    m = _POSSESSIVE_RE.match(text, end)
    return m.end() if m else end


def _keep(text: str, lo: int, hi: int, cut: list[tuple[int, int]]) -> str:
    """text[lo:hi] without the spans in ``cut``, pieces joined by a space."""
    pieces, pos = [], lo
    for s, e in sorted(cut):
        if e <= lo or s >= hi:
            continue
        if s > pos:
            pieces.append(text[pos:s])
        pos = max(pos, e)
    if pos < hi:
        pieces.append(text[pos:hi])
    return " ".join(p.strip() for p in pieces if p.strip())


def _n_content(words: str) -> int:
    return sum(1 for w in _WORD_RE.findall(words) if w.lower().strip("'’") not in _LIGHT)


def target_context(sentence: str, start: int, end: int, *, others: Sequence[tuple[int, int]] | None = None,
                   scope: str = "clause", window: int = 6, min_words: int = 1) -> str:
    """The words that speak about the mention ``sentence[start:end]``, without the mention.

    ``scope='clause'`` (default):

    1. Split the sentence into clauses at ``; :`` and contrast/concession words (*but, while,
       whereas, although, though, however, yet, despite, unlike* …: strong boundaries) and at
       commas, brackets, spaced dashes and relative pronouns (*who, which, whose, whom*: weak).
    2. Take the clause holding the mention; if it has fewer than ``min_words`` content words
       (words other than names and function words), join the next clause across a weak boundary, else
       the previous one (at most twice) — "Tokayev, who praised …" reaches the relative clause.
    3. Inside the clause, other actor mentions (``others``: their spans) split it further: a
       mention owns the words after it up to the next mention (English puts the predicate after
       the subject), and the first mention also owns the words before it. If that leaves fewer
       than ``min_words`` content words ("China and Russia praised …", "Kazakhstan thanked
       China") the whole clause is used, minus all mentions.

    ``scope='window'``: the ``window`` words on each side of the mention, minus all mentions.
    The mention's own words and a possessive ('s) after it are always removed, so a name's
    own valence never counts. ``others=None`` finds other mentions with the default actor table.
    """
    if not (0 <= start < end <= len(sentence)):
        raise FramelensError(f"target_sentiment: span [{start}, {end}) is outside the sentence (length {len(sentence)})")
    if scope not in ("clause", "window"):
        raise FramelensError(f"target_sentiment: scope must be 'clause' or 'window', got {scope!r}")
    if others is None:
        try:

            others = [(s, e) for _a, s, e in find_mentions_in_text(sentence)]
        except FramelensError:
            others = []
    return mention_context(sentence, start, end, others, None, scope, window, min_words)


def mention_context(sentence: str, start: int, end: int, others, segs, scope: str, window: int, min_words: int) -> str:
    """:func:`target_context` without the checks; ``segs`` = ``_segments(sentence)`` if known."""
    own = (start, _span_end(sentence, end))
    other_spans = sorted((s, _span_end(sentence, e)) for s, e in others if e <= start or s >= end)
    all_cut = [own, *other_spans]

    if scope == "window":
        before = list(_WORD_RE.finditer(sentence, 0, start))
        after = list(_WORD_RE.finditer(sentence, own[1]))
        lo = before[-window].start() if window and len(before) >= window else (0 if window else start)
        hi = after[window - 1].end() if window and len(after) >= window else (len(sentence) if window else own[1])
        return _keep(sentence, lo, hi, all_cut)

    if segs is None:
        segs = _segments(sentence)
    i = next((k for k, (s, e, _l, _r) in enumerate(segs) if s <= start < e), None)
    if i is None:  # mention inside a boundary (e.g. 'Which' as a name): next clause
        i = next((k for k, (s, _e, _l, _r) in enumerate(segs) if s >= start), len(segs) - 1)
    lo_i = hi_i = i
    for _ in range(2):
        clause = _keep(sentence, segs[lo_i][0], segs[hi_i][1], all_cut)
        if _n_content(clause) >= min_words:
            break
        if segs[hi_i][3] == 1 and hi_i + 1 < len(segs):
            hi_i += 1
        elif segs[lo_i][2] == 1 and lo_i > 0:
            lo_i -= 1
        else:
            break
    c_lo, c_hi = segs[lo_i][0], segs[hi_i][1]
    inside = sorted([sp for sp in other_spans if c_lo <= sp[0] < c_hi] + [own])
    k = inside.index(own)
    r_lo = c_lo if k == 0 else own[0]
    r_hi = inside[k + 1][0] if k + 1 < len(inside) else c_hi
    region = _keep(sentence, r_lo, r_hi, all_cut)
    if _n_content(region) >= min_words:
        return region
    return _keep(sentence, c_lo, c_hi, all_cut)
