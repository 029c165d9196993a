"""Offline, rule-based English sentence splitter.

``split_sentences(text)`` returns ``(start, end)`` character spans into ``text``
(surrounding whitespace stripped).  It needs no downloaded model: NLTK's
pre-trained Punkt data is not available on this machine kind, and an untrained
Punkt splitter breaks "Mr." and "e.g.".  The rules below are the usual ones of
rule-based splitters (cf. Kiss & Strunk 2006 for the abbreviation / initial /
ordinal cues that Punkt learns; here they are supplied as lists):

1. A line break always ends a sentence: headings and list items without final
   punctuation are sentences of their own.  Blank lines are ignored.
2. Inside a line, a boundary candidate is a run of ``.``, ``!``, ``?`` or ``…``
   followed by optional closing quotes/brackets and then whitespace.  Dots
   without following whitespace never split (``$94.8``, ``3.5%``, ``U.S.-led``,
   URLs and e-mail addresses).
3. The candidate is accepted only when the next character is not lower-case
   (an upper-case letter, a digit, an opening quote or bracket, a symbol).
4. A period after a word from :data:`NEVER_FINAL` (titles such as Mr., Dr.,
   Gen.; months; e.g., i.e., vs., cf., approx.) never ends a sentence.  After
   :data:`NUMBER_PREFIXES` (No., Vol., p., pp., Art., Fig.) it does not end a
   sentence when a digit follows.
5. A period after a word from :data:`MAYBE_FINAL` (U.S., U.K., Inc., Ltd.,
   Jr., etc. ...) or after a single-letter initial (``J.``,
   ``Kassym-J.``) ends a sentence only when the next word is a capitalised
   common sentence opener (``The``, ``It``, ``He``, ``But`` ... see
   :data:`SENTENCE_STARTERS`).  So ``the U.S. and the EU, Japan, etc. The
   format ...`` splits before ``The`` while ``U.S. President Biden`` and
   ``J. R. R. Tolkien`` do not split.  Documented choice: ``etc.`` is treated
   like ``U.S.``.  After ``a.m.`` / ``p.m.`` any capitalised word ends the
   sentence except a day, month or time zone (``2 a.m. Monday``, ``9 a.m. EST``).
6. A lone number at the start of a line followed by a period (``1. First``) is
   a list marker, not a sentence.

Known limits: a sentence ending in an abbreviation followed by a name
(``... in the U.S. Biden said``) stays joined; a lower-case sentence start
after ``?``/``!`` is joined to the previous sentence.
"""
from __future__ import annotations

import re

__all__ = [
    "split_sentences",
    "sentences",
    "NEVER_FINAL",
    "MAYBE_FINAL",
    "NUMBER_PREFIXES",
    "SENTENCE_STARTERS",
]

#: Abbreviations (lower-case, without the final dot) after which a period never
#: ends a sentence.
NEVER_FINAL: frozenset[str] = frozenset(
    """
    mr mrs ms mx dr prof st gen col lt maj capt cpt sgt adm cmdr gov sen rep
    pres hon rev fr messrs mme mlle rt supt insp det atty amb sec
    e.g i.e cf vs v viz al approx ca est dept univ assn ave blvd rd mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """.split()
)

#: Abbreviations that may also end a sentence (see rule 5 in the module doc).
MAYBE_FINAL: frozenset[str] = frozenset(
    """
    u.s u.k u.n e.u u.s.a u.a.e p.r.c d.c u.s.s.r n.y l.a
    inc ltd co corp plc llc bros jr sr etc a.m p.m esq
    """.split()
)

#: Abbreviations that never end a sentence when a digit follows (No. 5, p. 12).
NUMBER_PREFIXES: frozenset[str] = frozenset(
    "no nos vol vols p pp art arts fig figs ch para nr op".split()
)

#: Capitalised words that typically open a sentence; used to decide whether a
#: sentence ends after an ambiguous abbreviation or initial.
SENTENCE_STARTERS: frozenset[str] = frozenset(
    """
    a an the this that these those it its he she they we i you his her their
    our my there here but and or so yet however meanwhile moreover furthermore
    in on at for from with as after before when while if although though
    since because despite during by to of what who why how where which
    some many most all both each several no not one two three its
    """.split()
)

#: Capitalised words that continue a clock time after "a.m." / "p.m." (days, months, zones).
_TIME_FOLLOWERS: frozenset[str] = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    sat sun january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec et est edt ct cst cdt mt mst mdt pt pst pdt
    gmt utc bst cet cest eet eest ist jst kst aest aedt hkt sgt msk local eastern central pacific
    mountain atlantic
    """.split()
)

_TERMINAL = re.compile(r"""(?:\.{2,}|…|[.!?]+)["'”’»)\]}]*(?=\s)""")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"""\s*(["'“‘«(\[{]*)(\S*)""")
_INITIAL = re.compile(r"^(?:.*[-‐‑])?[A-Z]$")
_LIST_MARKER = re.compile(r"^\(?\d{1,3}$")
_STRIP_WORD = re.compile(r"^[\"'“‘«(\[{]+")
_WORD_CORE = re.compile(r"[A-Za-z0-9]+")


def _is_boundary(line: str, m: re.Match, seg_start: int) -> bool:
    """Decide whether the terminal match ``m`` in ``line`` ends a sentence."""
    end = m.end()
    nxt = _NEXT_WORD.match(line, end)
    opener, next_word = nxt.group(1), nxt.group(2)
    if not next_word and not opener:
        return True  # only whitespace follows (end of line)
    first = (opener or next_word)[0]
    if first.islower():
        return False
    punct = m.group(0).rstrip("\"'”’»)]}")
    if punct != ".":
        # ! ? ellipsis, or several dots: split (next char is not lower-case)
        return True
    wm = _WORD_BEFORE.search(line, seg_start, m.start())
    if not wm:
        return True
    word = _STRIP_WORD.sub("", wm.group(1))
    # quote/bracket before the period (He said "yes".) -> normal boundary
    low = word.lower()
    if low in NEVER_FINAL:
        return False
    starter = next_word.lower().strip("\"'“‘«(") if next_word else ""
    starter = _WORD_CORE.match(starter).group(0) if _WORD_CORE.match(starter) else starter
    is_starter = bool(next_word) and next_word[:1].isupper() and starter in SENTENCE_STARTERS
    if low in NUMBER_PREFIXES:
        return opener != "" or not next_word[:1].isdigit()
    if low in ("a.m", "p.m"):
        # "at 2 a.m. Police said ..." splits; "2 a.m. Monday", "9 a.m. EST" do not
        return is_starter or (next_word[:1].isupper() and starter.lower() not in _TIME_FOLLOWERS)
    if low in MAYBE_FINAL:
        return is_starter
    if _INITIAL.match(word):
        return is_starter
    if "." in word and len(_WORD_CORE.findall(word)) >= 2 and all(
        len(p) <= 2 for p in _WORD_CORE.findall(word)
    ):
        # other dotted abbreviations (e.g. "Ph.D", "S.A", "a.k.a") behave like MAYBE_FINAL
        return is_starter
    if _LIST_MARKER.match(word) and line[seg_start:wm.start()].strip() == "":
        return False  # "1. First item"
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` spans into ``text``.

    Spans are stripped of surrounding whitespace, never empty, in text order,
    and ``text[start:end]`` is the sentence.  See the module docstring for the
    rules.  Runs on plain strings; no models or downloads are needed.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl == -1:
            nl = n
        line = text[pos:nl]
        if line.strip():
            seg_start = 0
            for m in _TERMINAL.finditer(line):
                if m.end() <= seg_start:
                    continue
                if _is_boundary(line, m, seg_start):
                    _add(spans, line, pos, seg_start, m.end())
                    seg_start = m.end()
            _add(spans, line, pos, seg_start, len(line))
        pos = nl + 1
    return spans


def _add(spans: list[tuple[int, int]], line: str, offset: int, s: int, e: int) -> None:
    seg = line[s:e]
    stripped = seg.strip()
    if not stripped:
        return
    lead = len(seg) - len(seg.lstrip())
    s2 = offset + s + lead
    spans.append((s2, s2 + len(stripped)))


def sentences(text: str) -> list[str]:
    """Convenience: the sentence strings of :func:`split_sentences`."""
    return [text[s:e] for s, e in split_sentences(text)]
