"""The frame codebook and the cue matcher behind every frame, hedge and booster count.

A codebook (``data/codebook.toml``, or your own file) lists frames; each frame has cue words
and phrases. :func:`load_codebook` reads and validates it; :func:`match_cues` finds the cues
in text, in a tokens table or in a whole :class:`~framelens.read.corpus.Corpus`.

How a cue matches a token (case never matters; see the codebook file's header):

* ``word``    the word or any inflection of it, through the lemma (simplemma): the token
  matches when its lower-case form equals the cue or its lemma equals the cue's lemma
  (``negotiate`` ↔ negotiated / negotiating; ``negotiation`` is a different lemma);
* ``=word``   the exact lower-case form only;
* ``stem*``   any token whose lower-case form starts with the stem (≥ 3 letters);
* ``a b c``   a phrase: consecutive tokens (punctuation counts as a token), each matched
  as above, the last one may be a ``stem*``;
* ``word/MD`` additionally the token's part-of-speech tag (PatternTagger, Penn tags) must
  start with ``MD``; used by the certainty markers to tell the modal *may* from the month.
* ``<class>`` a cue class: a pattern no word list can express, matched by a compiled regular
  expression on the sentence text (``norm``) instead of on single tokens; written alone as a
  whole cue (in ``cues`` or ``exclude``). The hit covers the tokens the match overlaps and its
  ``cue`` is the class name (``<money>``). Classes (:data:`CUE_CLASSES`):

  - ``<money>`` an amount of money: a currency sign or ISO code with a number (``$94.8
    billion``, ``US$5m``, ``£40m``, ``€2bn``, ``¥300``, ``Rs 500``, ``USD 5 million``,
    ``500 EUR``), or a number with a currency word (``3.5 billion euros``, ``300 dollars``,
    ``50 cents``, ``5,000 tenge``), or a magnitude with a currency word (``millions of
    dollars``, ``9 million pounds``; ``pounds``/``won`` only after million/billion/trillion,
    as *200 pounds* is usually a weight and *won* a verb). A bare number (``94.8``,
    ``the 2024 budget``) or a percentage is not money.
  - ``<age>`` a person's age: ``86-year-old``, ``a 12-year-old boy``, ``five-year-olds``,
    ``12 years old``, ``aged 34``, ``aged between 18 and 25``, ``at the age of 70``, ``at age
    9`` (numbers 0–119 in digits or words). ``a 12-year plan`` and ``12 years ago`` are not
    ages. It cannot tell a person from a thing (``a 100-year-old bridge`` matches).

  - ``<lie_place>`` "lie" in its sense of place or position ("how many lie below the ice",
    "challenges lie ahead"), and ``<audience_kids>`` children or families as an audience ("fun
    for kids", "a children's series", "kids will love it", "family-friendly"): context
    constraints, meant for exclusions (the morality cue "lied" and the human-interest cue
    "kid" in their other sense).
  - ``<ordinary_people>`` a group of ordinary people who speak, feel or are affected
    ("residents said", "patients who", "tenants fear"); ``<person_from>`` the human-interest
    appositive (", a nurse from Swindon"); ``<kin_name>`` a kin or people word inside a name
    ("Mother Jones", "Big Brother"); ``<figure_kin>`` a relative identifying a public figure
    ("the president's eldest son"); ``<figure_age>`` an age identifying an office holder ("the
    78-year-old president"). The last three are meant for exclusions.

  Classes are found with one vectorized ``Series.str.contains`` per class over all sentences;
  only the sentences that contain a match are scanned for the spans.

Questions: a frame may list indicator questions (``[[frame.question]]``: ``id``, ``text``,
``cues``), e.g. the 20 questions with which Semetko & Valkenburg (2000) code the generic frames;
each cue answers one question of its frame, every hit carries the ``question`` it answers, and
:func:`framelens.lenses.framing.question_hits` counts hits per question.

Counting rules: within one frame, a hit inside a longer hit is not counted again (``trade
war`` is one conflict hit, not two); an exclusion phrase cancels the hits it overlaps
(``exclude_scope = "span"``) or the whole sentence (``"sentence"``). A sentence carries a frame
when it has at least ``min_hits`` hits (default 1).

Performance: matching is vectorized over the tokens table — each distinct word form is
tested once, token rows are expanded with numpy, and phrases are checked only at positions
where their first word occurs — so cost grows with the number of distinct words, not with
cues × sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from framelens.core.lazy import lazy_compile
from framelens.errors import FramelensError, fail, parse_toml
from framelens.text.tagging import pos_tags
from framelens.text.tokens import column_values, lemmatize, tokenize

__all__ = [
    "Codebook",
    "Frame",
    "Question",
    "Cue",
    "load_codebook",
    "load_cue_lists",
    "default_codebook_path",
    "match_cues",
    "match_table",
    "tokens_from_texts",
    "FAMILIES",
    "CUE_CLASSES",
]

FAMILIES = ("generic", "policy", "foreign_policy")
_TOP_KEYS = {"codebook", "frame"}
_META_KEYS = {"name", "version", "description", "min_hits"}
_FRAME_KEYS = {"id", "name", "family", "definition", "cues", "exclude", "exclude_scope",
               "min_hits", "citation", "question"}
_QUESTION_KEYS = {"id", "text", "cues"}
_REQUIRED = ("id", "name", "definition")
_QID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
_FRAME_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# one cue word: letters/digits with joiners, optional leading "=", optional trailing "*",
# optional "/TAG"; or a lone currency sign / '&'
_PART_RE = re.compile(
    r"^(?P<exact>=)?(?P<body>[$€£¥&]|[^\W_](?:[\w'’.\-&+]*[\w+])?)(?P<star>\*)?(?:/(?P<tag>[A-Z$]{2,4}))?$"
)


# ------------------------------------------------------------------------------ cue classes
_NUM = r"\d(?:[\d,.]*\d)?"                                   # 5, 94.8, 1,200, 200,000
_NUMW = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
         r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
         r"|seventeen|eighteen|nineteen)")
_AGE_N = rf"(?:(?<![\d,.])(?:1[01]\d|[1-9]?\d)(?![\d,.]\d)|(?i:\b{_NUMW}))"   # 0-119 or a number word
_MAG_LONG = r"(?i:\s?(?:million|billion|trillion|thousand|crore|lakh)s?)"
_MAG_SHORT = r"(?i:(?:bn|mn|tn|m|k|b)(?![^\W_]))"
_AMOUNT = rf"{_NUM}(?:{_MAG_LONG}|{_MAG_SHORT})?"
_SIGN = r"(?:(?:US|U\.S\.|A|AU|C|CA|NZ|HK|S|NT|Mex)?\$|[€£¥₹₽₩₺₸₴₦₱₪]|Rs\.?\s?)"
# ISO 4217 codes that are not also common abbreviations (TRY, SAR, PHP, AED, ILS, ... left out)
_ISO = (r"(?:USD|EUR|GBP|JPY|CNY|RMB|CHF|INR|RUB|KZT|AUD|CAD|NZD|HKD|SGD|KRW|BRL|MXN|ZAR|SEK|NOK|DKK"
        r"|PLN|UAH|UZS|KGS|TJS|NGN|EGP|PKR|IDR|THB|VND|MYR|CZK|HUF)")
_CUR_WORD = (r"(?:dollars?|euros?|yuan|renminbi|yen|rupees?|roubles?|rubles?|tenge|francs?|pesos?|liras?"
             r"|rand|dirhams?|riyals?|rials?|dinars?|shillings?|naira|kronor|kroner|kronur|krona|krone"
             r"|zlotys?|hryvnias?|ringgits?|rupiahs?|baht|soms?|manats?|somoni|cents|pence|pounds sterling)")
_KIN_WORDS = ("mother|father|brother|sister|son|daughter|wife|husband|mom|mum|dad|grandmother|grandfather"
              "|grandson|granddaughter|uncle|aunt|nephew|niece|cousin|child|children|kid|kids|sons|daughters"
              "|brothers|sisters|mothers|fathers|family|families|baby|grandma|grandpa|granny|stepson"
              "|stepdaughter|son-in-law|daughter-in-law|widow|parents")
_KIN = rf"(?i:(?:{_KIN_WORDS}))"
_PEOPLE = ("residents|workers|patients|tenants|renters|homeowners|shoppers|commuters|neighbours|neighbors"
           "|villagers|pensioners|parents|families|locals|passengers")
_KIN_CAP = "(?:" + "|".join(w[:1].upper() + w[1:] for w in (_KIN_WORDS + "|" + _PEOPLE).split("|")) + ")"
_KIN_ADJ = r"(?i:eldest|youngest|elder|younger|oldest|only|late|estranged|former|second|third|first|two|three|adult)"
_TITLE = (r"(?i:president|president-elect|vice president|senator|sen\.|governor|gov\.|prime minister|minister|secretary"
          r"|chancellor|king|queen|prince|princess|monarch|mayor|chairman|chairwoman|chief executive|ceo|founder"
          r"|tycoon|billionaire|mogul|leader|candidate|lawmaker|congressman|congresswoman|judge|justice|pope"
          r"|star|actor|actress|singer|rapper|striker|footballer|sprinter|champion|coach|player|celebrity)")
CUE_CLASSES: dict[str, str] = {
    "money": (
        rf"(?<![^\W_])(?:{_SIGN}\s?{_AMOUNT}"                        # $94.8 billion, £40m, €2bn, Rs 500
        rf"|(?<![A-Za-z]){_ISO}\s?{_AMOUNT}"                         # USD 5 million
        rf"|{_AMOUNT}\s?{_ISO}(?![A-Za-z])"                          # 500 EUR
        rf"|{_AMOUNT}\s(?:of\s)?(?i:{_CUR_WORD})\b"                  # 3.5 billion euros, 300 dollars
        rf"|(?i:(?:{_NUM}\s?)?(?:million|billion|trillion)s?\s(?:of\s)?(?:{_CUR_WORD}|pounds|won)\b))"
    ),
    "age": (
        rf"(?:{_AGE_N}[- ](?i:years?[- ]olds?)\b"                     # 86-year-old, 12 years old
        rf"|(?i:\baged\s(?:(?:about|around|roughly|nearly|almost|just|only|over|under|between|from)\s)?){_AGE_N}"
        rf"|(?i:\bat\s(?:the\s)?age\s(?:of\s)?){_AGE_N})"           # at the age of 70, at age 9
    ),
    # ordinary people as a group who speak, feel or are affected ("residents said", "patients who",
    # "tenants fear"): the group noun followed by a verb of saying or experiencing or by "who"
    "ordinary_people": (
        rf"(?<![\w'’-])(?i:{_PEOPLE})\s+(?:(?i:who|said|say|says|told|tell|were|are|have|had|fear|feared|worry"
        r"|worried|describe|described|recall|recalled|lost|struggle|struggled|wait|waited|face|faced))\b"
    ),
    # an ordinary person introduced by what they do and where they come from ("Jane Collins, a nurse
    # from Swindon", "a retired bus driver from Phoenix", "a 19-year-old from Syria"): the classic
    # human-interest appositive
    "person_from": r",\s+(?i:an?|one)\s+(?:[\w-]+\s+){0,3}?from\s+(?:the\s+)?[A-Z]",
    # a kin word that is part of a name or title ("Mother Jones", "Big Brother", "Sisters of Mercy",
    # "Father Christmas"): capitalized in mid-sentence, or sentence-initial before a capitalized word
    "kin_name": (
        rf"(?:(?<=[\w,;)'’”\"]\s){_KIN_CAP}\b"
        rf"|^[\"“]?{_KIN_CAP}(?=\s+(?:of\s+(?:the\s+)?)?[A-Z]))"
    ),
    # a kin word that identifies a public figure by a relative ("the president's eldest son",
    # "Senator Lee's wife", "Whitmore's eldest son"): the possessor is a title (with or without
    # a name), or a name with eldest/youngest/elder/younger/oldest
    "figure_kin": (
        rf"(?:(?:{_TITLE})(?:\s+[A-Z][\w.'’-]*)*['’]s\s+(?:{_KIN_ADJ}\s+)?{_KIN}\b"
        rf"|[A-Z][\w'’-]+['’]s\s+(?i:eldest|youngest|elder|younger|oldest)\s+{_KIN}\b)"
    ),
    # an age that identifies a public figure by office or fame ("the 78-year-old president",
    # "a 26-year-old striker")
    "figure_age": rf"{_AGE_N}[- ](?i:years?[- ]old)\s+(?:(?i:former|ex-|outgoing|incumbent|veteran)\s+)?(?:{_TITLE})\b",
    # context constraints (for exclusions): a cue word in its other sense
    # "lie" of place or position ("how many lie below the ice", "the town lies on the coast",
    # "challenges lie ahead"), not of deceit
    "lie_place": (
        r"(?i:\b(?:lie|lies|lying|lay)\s+(?:(?:just|far|deep|mostly|partly|largely|somewhere)\s+)?"
        r"(?:below|beneath|under|underneath|on|in|at|ahead|off|along|across|within|between|near|outside|inside"
        r"|behind|above|beyond|around|dormant|idle|empty|flat|still|low|down|buried|hidden|unused|fallow|north"
        r"|south|east|west)\b)"
    ),
    # children or families as the audience of a show, film, book, game or product ("fun for kids",
    # "a children's series", "kids will love the new season", "family-friendly"), not as people
    # affected by an issue
    "audience_kids": (
        r"(?i:\b(?:for|among|with)\s+(?:(?:young|younger|older|little|small)\s+)?(?:kids|children|families|the whole family)\b"
        r"|\b(?:kids|children)['’]?s?\s+(?:show|series|film|movie|book|programme|program|tv|television|cartoon|channel"
        r"|toy|toys|game|games|entertainment|menu|author|comic|animation|favourite|favorite)s?\b"
        r"|\b(?:kids|children|families)\s+(?:will|would)\s+(?:love|enjoy|adore)\b"
        r"|\bfamily[- ](?:friendly|film|films|movie|movies|entertainment|audiences?|viewing|show|comedy))"
    ),
}
"""Cue classes (``<name>`` in a codebook): regular expressions matched on the sentence text."""
_CLASS_RE = {name: lazy_compile(rx) for name, rx in CUE_CLASSES.items()}  # compiled when first used
#: a text that a class matches always contains this (a literal every branch of the class's
#: expression requires, under the same case rule): the full expression — slow where it opens
#: with a long alternation tried at every position — runs only on the texts that contain it
_CLASS_NEEDS = {
    "age": re.compile(r"(?i:years?[- ]old|age[d\s])"),   # years old / year-old / aged / at (the) age
    "figure_age": re.compile(r"(?i:years?[- ]old)"),     # year-old / years old
    # both branches: a possessive 's, an optional kin adjective (eldest, ...) and the kin word
    "figure_kin": re.compile(rf"['’]s\s+(?:{_KIN_ADJ}\s+)?{_KIN}\b"),
    "ordinary_people": re.compile(rf"(?i:{_PEOPLE})"),
    "money": re.compile(r"\d|(?i:illion)"),       # an amount (digits) or million/billion/trillion
    "audience_kids": re.compile(r"(?i:kids|children|famil)"),
    "lie_place": re.compile(r"(?i:lie|lying|lay)"),
    "kin_name": re.compile(_KIN_CAP),              # both branches: a capitalized kin or people word
}
#: a cheaper first test for ASCII texts: one of these lower-case literals is in every text (lower-cased)
#: the class matches — on ASCII text ``(?i:...)`` is ASCII case folding, which ``str.lower`` is
_CLASS_LITERALS = {
    "age": ("year", "age"),
    "figure_age": ("year",),
    "audience_kids": ("kids", "children", "famil"),
    "lie_place": ("lie", "lying", "lay"),
    "ordinary_people": tuple(_PEOPLE.split("|")),
    "money": ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "illion"),
}
_CLASS_CUE = re.compile(r"^<([^<>\s]*)>$")


class _UnknownCueClass(ValueError):
    """A ``<name>`` cue whose class does not exist (its message stands alone)."""


def _known_classes() -> str:
    return ", ".join(f"<{k}>" for k in sorted(CUE_CLASSES))


# ------------------------------------------------------------------------------ data model
@dataclass(frozen=True)
class Part:
    """One token position of a cue: how it matches (``word``, ``exact``, ``prefix``)."""
    kind: str
    value: str
    lemma: str
    tag: str | None = None


@dataclass(frozen=True)
class Cue:
    text: str                 # as written in the codebook
    frame: str
    exclude: bool
    parts: tuple[Part, ...]
    question: str = ""        # id of the codebook question the cue answers ("" = none)


@dataclass(frozen=True)
class Question:
    """One indicator question of a frame (e.g. Semetko & Valkenburg's "Does the story suggest
    solution(s) to the problem/issue?") and the cues that answer it. A question may have no
    cues (one a text cannot answer, such as a question about pictures): it is listed, not matched."""
    id: str
    text: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Frame:
    id: str
    name: str
    family: str
    definition: str
    cues: tuple[str, ...]      # every cue of the frame: its own and its questions' (file order)
    exclude: tuple[str, ...] = ()
    exclude_scope: str = "span"
    min_hits: int = 1
    citation: str = ""
    questions: tuple[Question, ...] = ()

    def question_of(self, cue: str) -> str:
        """Id of the question a cue answers ("" when the cue belongs to the frame itself)."""
        for q in self.questions:
            if cue in q.cues:
                return q.id
        return ""


@dataclass
class Codebook:
    """A validated codebook: ``frames`` in file order, plus the file it came from."""
    frames: list[Frame]
    path: str = "<codebook>"
    name: str = ""
    description: str = ""
    min_hits: int = 1

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.frames]

    def frame(self, frame_id: str) -> Frame:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise FramelensError(f"{self.path}: no frame {frame_id!r} (frames: {', '.join(self.ids)})")

    def names(self) -> dict[str, str]:
        return {f.id: f.name for f in self.frames}

    def table(self) -> pd.DataFrame:
        """The codebook as a table: ``frame, name, family, definition, n_cues, cues, exclude,
        citation, questions`` (the ids of the frame's questions, ``", "``-joined)."""
        return pd.DataFrame(
            [
                {"frame": f.id, "name": f.name, "family": f.family, "definition": f.definition,
                 "n_cues": len(f.cues), "cues": ", ".join(f.cues), "exclude": ", ".join(f.exclude),
                 "citation": f.citation, "questions": ", ".join(q.id for q in f.questions)}
                for f in self.frames
            ],
            columns=["frame", "name", "family", "definition", "n_cues", "cues", "exclude", "citation", "questions"],
        )

    def question_table(self) -> pd.DataFrame:
        """One row per question: ``frame, name, question, text, n_cues, cues`` (frames without
        questions are left out)."""
        return pd.DataFrame(
            [{"frame": f.id, "name": f.name, "question": q.id, "text": q.text, "n_cues": len(q.cues),
              "cues": ", ".join(q.cues)} for f in self.frames for q in f.questions],
            columns=["frame", "name", "question", "text", "n_cues", "cues"],
        )

    def select(self, frames: Sequence[str] | None = None, *, family: str | Sequence[str] | None = None) -> "Codebook":
        """A codebook with only the given frame ids and/or families (order kept)."""
        fams = [family] if isinstance(family, str) else family
        for fid in frames or []:
            self.frame(fid)
        keep = [f for f in self.frames if (not frames or f.id in frames) and (not fams or f.family in fams)]
        return Codebook(keep, path=self.path, name=self.name, description=self.description, min_hits=self.min_hits)

    def cues(self) -> list[Cue]:
        out = []
        for f in self.frames:
            qof = {c: q.id for q in f.questions for c in q.cues}
            out += [Cue(c, f.id, False, parse_cue(c), qof.get(c, "")) for c in f.cues]
            out += [Cue(c, f.id, True, parse_cue(c)) for c in f.exclude]
        return out


def default_codebook_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "codebook.toml"))


# ------------------------------------------------------------------------------ parsing cues
def _cue_tokens(cue: str) -> list[str]:
    """Split a cue into token strings the same way the corpus is tokenized."""
    out = []
    for piece in cue.split():
        m = re.match(r"^(.*?)((?:/[A-Z$]{2,4})?)$", piece)
        body, tag = m.group(1), m.group(2)
        pre = "=" if body.startswith("=") else ""
        body = body[1:] if pre else body
        star = body.endswith("*")
        body = body[:-1] if star else body
        toks = [t for t, _, _ in tokenize(body)] or [body]
        for k, t in enumerate(toks):
            out.append((pre if k == 0 else "") + t + ("*" if star and k == len(toks) - 1 else "") + (tag if k == len(toks) - 1 else ""))
    return out


@lru_cache(maxsize=20_000)
def parse_cue(cue: str) -> tuple[Part, ...]:
    """Parse one cue string into :class:`Part` s; raises ``ValueError(why)`` when malformed."""
    if not isinstance(cue, str) or not cue.strip():
        raise ValueError("empty cue")
    if "<" in cue or ">" in cue:
        m = _CLASS_CUE.match(cue)
        if not m:
            raise ValueError(f"bad cue {cue!r}: a cue class is written alone, as '<name>' ({_known_classes()})")
        if m.group(1) not in CUE_CLASSES:
            raise _UnknownCueClass(f"unknown cue class {cue!r} (known: {_known_classes()})")
        return (Part("class", m.group(1), m.group(1)),)
    if cue != cue.strip() or "  " in cue:
        raise ValueError(f"cue {cue!r} has stray spaces")
    if "*" in cue and (cue.count("*") > 1 or not re.sub(r"/[A-Z$]{2,4}$", "", cue).endswith("*")):
        raise ValueError(f"bad cue {cue!r}: '*' is only allowed at the end of the cue")
    parts = []
    raw_parts = _cue_tokens(cue)
    for k, p in enumerate(raw_parts):
        m = _PART_RE.match(p)
        if not m:
            raise ValueError(f"bad cue {cue!r}: {p!r} is not a word, '=word', 'stem*' or 'word/TAG'")
        body = m.group("body").lower().replace("’", "'")
        if m.group("star"):
            if m.group("exact"):
                raise ValueError(f"bad cue {cue!r}: '=' and '*' cannot be combined")
            if k != len(raw_parts) - 1:
                raise ValueError(f"bad cue {cue!r}: '*' is only allowed at the end of the cue")
            if sum(c.isalpha() for c in body) < 3:
                raise ValueError(f"bad cue {cue!r}: a stem needs at least 3 letters before '*'")
            parts.append(Part("prefix", body, body, m.group("tag")))
        elif m.group("exact"):
            parts.append(Part("exact", body, body, m.group("tag")))
        else:
            parts.append(Part("word", body, lemmatize(body), m.group("tag")))
    if "*" in cue and not cue.rstrip().split("/")[0].endswith("*"):
        raise ValueError(f"bad cue {cue!r}: '*' is only allowed at the end of the cue")
    return tuple(parts)


# ------------------------------------------------------------------------------ loading
def _line_of(text: str, needle: str, start: int = 0) -> int | None:
    pos = text.find(needle, start)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def _block_starts(text: str, header: str) -> list[int]:
    return [m.start() for m in re.finditer(rf"(?m)^[ \t]*\[\[[ \t]*{re.escape(header)}[ \t]*\]\]", text)]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a frame codebook (TOML). ``None`` = the shipped default.

    Errors (:class:`~framelens.errors.FramelensError`, ``"<file>:<line>: <why>"``): invalid
    TOML, unknown keys, missing keys, empty cue lists, malformed cues, an unknown cue class
    (``"<file>:<line>: unknown cue class '<x>' (known: <age>, <money>)"``), duplicate frame
    ids, a bad ``min_hits`` or ``exclude_scope``.
    """
    if isinstance(path, Codebook):
        return path
    p = Path(path) if path is not None else default_codebook_path()
    key = str(p.resolve()) if p.exists() else str(p)
    mtime = p.stat().st_mtime if p.exists() else 0.0
    return _load_cached(key, mtime, str(path) if path is not None else str(p))


@lru_cache(maxsize=16)
def _load_cached(key: str, mtime: float, display: str) -> Codebook:
    p = Path(key)
    if not p.exists():
        raise fail(display, "codebook not found")
    text = p.read_text(encoding="utf-8")
    return parse_codebook(text, display=display)


def parse_codebook(text: str, *, display: str = "<codebook>") -> Codebook:
    """Validate codebook TOML text (see :func:`load_codebook`)."""
    data = parse_toml(text, display)
    meta, min_hits = _parse_meta(data, text, display)
    blocks = data.get("frame")
    if not isinstance(blocks, list) or not blocks:
        raise fail(display, "no [[frame]] entries")
    starts = _block_starts(text, "frame")
    frames: list[Frame] = []
    seen: dict[str, int | None] = {}
    seen_questions: dict[str, int] = {}
    for n, block in enumerate(blocks):
        bstart = starts[n] if n < len(starts) else 0
        bend = starts[n + 1] if n + 1 < len(starts) else len(text)
        frames.append(_parse_frame(block, n, text, bstart, bend, display, min_hits, seen, seen_questions))
    return Codebook(frames, path=display, name=str(meta.get("name", "")), description=str(meta.get("description", "")),
                    min_hits=min_hits)


def _parse_meta(data: dict, text: str, display: str) -> tuple[dict, int]:
    """Validate the top-level keys and the ``[codebook]`` table: the table and its ``min_hits``."""
    for k in data:
        if k not in _TOP_KEYS:
            raise fail(display, f"unknown key {k!r} (expected [codebook] and [[frame]] blocks)",
                       line=_line_of(text, k))
    meta = data.get("codebook", {})
    if not isinstance(meta, dict):
        raise fail(display, "'codebook' must be a table", line=_line_of(text, "codebook"))
    meta_line = _line_of(text, "[codebook]") or 1
    for k in meta:
        if k not in _META_KEYS:
            raise fail(display, f"unknown key {k!r} in [codebook] (allowed: {', '.join(sorted(_META_KEYS))})",
                       line=_line_of(text, k, text.find("[codebook]")))
    min_hits = meta.get("min_hits", 1)
    if not isinstance(min_hits, int) or isinstance(min_hits, bool) or min_hits < 1:
        raise fail(display, "min_hits must be a whole number ≥ 1",
                   line=_line_of(text, "min_hits", text.find("[codebook]")) or meta_line)
    return meta, min_hits


def _parse_frame(block: dict, n: int, text: str, bstart: int, bend: int, display: str, min_hits: int,
                 seen: dict[str, int | None], seen_questions: dict[str, int]) -> Frame:
    """Validate frame #``n + 1`` (its ``[[frame]]`` block spans ``text[bstart:bend]``); ``seen``
    (frame id → line) and ``seen_questions`` (question id → line) are updated for the checks of
    uniqueness across the codebook."""
    block_line = text.count("\n", 0, bstart) + 1

    def line_for(key: str) -> int:
        m = re.search(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=", text[bstart:bend])
        return text.count("\n", 0, bstart + m.start()) + 1 if m else block_line

    for k in block:
        if k not in _FRAME_KEYS:
            raise fail(display, f"unknown key {k!r} in frame #{n + 1} (allowed: {', '.join(sorted(_FRAME_KEYS))})",
                       line=line_for(k))
    for k in _REQUIRED:
        if k not in block:
            raise fail(display, f"frame #{n + 1} ({block.get('id', 'no id')}) is missing {k!r}", line=block_line)
    fid = block["id"]
    if not isinstance(fid, str) or not _FRAME_ID_RE.match(fid):
        raise fail(display, f"frame id {fid!r} must be lower-case letters, digits and '_'", line=line_for("id"))
    if fid in seen:
        raise fail(display, f"duplicate frame id {fid!r} (first defined on line {seen[fid]})", line=line_for("id"))
    seen[fid] = line_for("id")
    for k in ("name", "definition", "family", "citation"):
        if k in block and (not isinstance(block[k], str) or (k in ("name", "definition") and not block[k].strip())):
            raise fail(display, f"frame {fid!r}: {k!r} must be a non-empty string", line=line_for(k))
    questions = _parse_questions(block.get("question", []), fid, text, bstart, bend, block_line, display,
                                 seen_questions)
    lists = _frame_cue_lists(block, fid, questions, text, bstart, bend, display, line_for)
    for q in questions:
        for c in q.cues:
            if c in lists["cues"]:
                raise fail(display, f"frame {fid!r}: cue {c!r} is listed both in 'cues' and under question {q.id!r}",
                           line=_line_of(text, f'"{c}"', bstart) or block_line)
    all_cues = lists["cues"] + tuple(c for q in questions for c in q.cues)
    scope = block.get("exclude_scope", "span")
    if scope not in ("span", "sentence"):
        raise fail(display, f"frame {fid!r}: exclude_scope must be 'span' or 'sentence'", line=line_for("exclude_scope"))
    fmin = block.get("min_hits", min_hits)
    if not isinstance(fmin, int) or isinstance(fmin, bool) or fmin < 1:
        raise fail(display, f"frame {fid!r}: min_hits must be a whole number ≥ 1", line=line_for("min_hits"))
    return Frame(id=fid, name=block["name"].strip(), family=str(block.get("family", "")).strip(),
                 definition=block["definition"].strip(), cues=all_cues, exclude=lists["exclude"],
                 exclude_scope=scope, min_hits=fmin, citation=str(block.get("citation", "")),
                 questions=questions)


def _frame_cue_lists(block: dict, fid: str, questions: tuple[Question, ...], text: str, bstart: int, bend: int,
                     display: str, line_for) -> dict[str, tuple[str, ...]]:
    """Validate a frame's ``cues`` and ``exclude`` lists (strings that parse as cues; ``cues``
    empty only if the questions have cues): each deduplicated, in order. ``line_for``: the line
    of a key in the frame's block."""
    lists = {}
    for k in ("cues", "exclude"):
        val = block.get(k, [])
        if not isinstance(val, list) or not all(isinstance(c, str) for c in val):
            raise fail(display, f"frame {fid!r}: {k!r} must be a list of strings", line=line_for(k))
        if k == "cues" and not val and not any(q.cues for q in questions):
            raise fail(display, f"frame {fid!r}: empty cue list", line=line_for(k))
        for c in val:
            try:
                parse_cue(c)
            except ValueError as exc:
                cline = _line_of(text, f'"{c}"', bstart) if c else line_for(k)
                why = str(exc) if isinstance(exc, _UnknownCueClass) else f"frame {fid!r}: {exc}"
                raise fail(display, why, line=cline if cline and cline <= text.count("\n", 0, bend) + 1 else line_for(k)) from None
        lists[k] = tuple(dict.fromkeys(val))
    return lists


def _parse_questions(qs, fid: str, text: str, bstart: int, bend: int, block_line: int, display: str,
                     seen: dict[str, int]) -> tuple[Question, ...]:
    """Validate the ``[[frame.question]]`` tables of one frame: ``id`` (unique in the codebook),
    ``text`` and ``cues`` (a list, may be empty); a cue may answer one question of the frame only."""
    if not isinstance(qs, list) or not all(isinstance(q, dict) for q in qs):
        line = _line_of(text, "question", bstart) or block_line
        raise fail(display, f"frame {fid!r}: 'question' must be [[frame.question]] tables", line=line)
    starts = [bstart + m.start() for m in
              re.finditer(r"(?m)^[ \t]*\[\[[ \t]*frame\.question[ \t]*\]\]", text[bstart:bend])]
    out: list[Question] = []
    owner: dict[str, str] = {}
    for n, q in enumerate(qs):
        qstart = starts[n] if n < len(starts) else bstart
        qend = starts[n + 1] if n + 1 < len(starts) else bend
        qline = text.count("\n", 0, qstart) + 1

        def line_for(key: str) -> int:
            m = re.search(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=", text[qstart:qend])
            return text.count("\n", 0, qstart + m.start()) + 1 if m else qline

        for k in q:
            if k not in _QUESTION_KEYS:
                raise fail(display, f"frame {fid!r}: unknown key {k!r} in question #{n + 1} (allowed: "
                           f"{', '.join(sorted(_QUESTION_KEYS))})", line=line_for(k))
        qid = q.get("id")
        if not isinstance(qid, str) or not _QID_RE.match(qid):
            raise fail(display, f"frame {fid!r}: question #{n + 1} needs an 'id' (letters, digits, '_', '.', '-')",
                       line=line_for("id"))
        if qid in seen:
            raise fail(display, f"duplicate question id {qid!r} (first defined on line {seen[qid]})", line=line_for("id"))
        seen[qid] = line_for("id")
        qtext = q.get("text")
        if not isinstance(qtext, str) or not qtext.strip():
            raise fail(display, f"frame {fid!r}: question {qid!r} needs a non-empty 'text'", line=line_for("text"))
        cues = q.get("cues", [])
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise fail(display, f"frame {fid!r}: question {qid!r}: 'cues' must be a list of strings", line=line_for("cues"))
        for c in cues:
            cline = (_line_of(text, f'"{c}"', qstart) if c else None) or line_for("cues")
            try:
                parse_cue(c)
            except ValueError as exc:
                why = str(exc) if isinstance(exc, _UnknownCueClass) else f"frame {fid!r}: question {qid!r}: {exc}"
                raise fail(display, why, line=cline) from None
            if c in owner and owner[c] != qid:
                raise fail(display, f"frame {fid!r}: cue {c!r} answers both question {owner[c]!r} and {qid!r}",
                           line=cline)
            owner[c] = qid
        out.append(Question(qid, qtext.strip(), tuple(dict.fromkeys(cues))))
    return tuple(out)


def load_cue_lists(path: str | Path, *, display: str | None = None, allowed: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Read a TOML file of named cue lists (``name = ["cue", ...]`` per key, nested tables
    flattened as ``table.key``), validating each cue. Used for the certainty markers."""
    p = Path(path)
    display = display or str(path)
    if not p.exists():
        raise fail(display, "file not found")
    text = p.read_text(encoding="utf-8")
    data = parse_toml(text, display)
    out: dict[str, tuple[str, ...]] = {}

    def walk(d: dict, prefix: str) -> None:
        for k, v in d.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, name + ".")
                continue
            line = _line_of(text, f"{k} =") or _line_of(text, k)
            if allowed is not None and name not in allowed:
                raise fail(display, f"unknown key {name!r} (allowed: {', '.join(sorted(allowed))})", line=line)
            if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
                raise fail(display, f"{name!r} must be a list of strings", line=line)
            if not v:
                raise fail(display, f"{name!r}: empty list", line=line)
            for c in v:
                try:
                    parse_cue(c)
                except ValueError as exc:
                    why = str(exc) if isinstance(exc, _UnknownCueClass) else f"{name!r}: {exc}"
                    raise fail(display, why, line=_line_of(text, f'"{c}"') or line) from None
            out[name] = tuple(dict.fromkeys(v))

    walk(data, "")
    return out


# ------------------------------------------------------------------------------ token tables
def tokens_from_texts(texts: str | Sequence[str]) -> pd.DataFrame:
    """A tokens table (``sent_id, i, start, end, token, lower, lemma``) for plain strings:
    one string = one unit (``sent_id`` ``s0``, ``s1``, ...). Uses the corpus tokenizer."""
    if isinstance(texts, str):
        texts = [texts]
    rows = []
    for k, t in enumerate(texts):
        for i, (tok, s, e) in enumerate(tokenize(t)):
            rows.append((f"s{k}", i, s, e, tok, tok.lower(), lemmatize(tok)))
    return pd.DataFrame(rows, columns=["sent_id", "i", "start", "end", "token", "lower", "lemma"])


class _Compiled:
    """Codebook cues compiled into integer part-specs for vectorized matching."""
    def __init__(self, cues: list[Cue]):
        self.cues = cues
        self.specs: dict[Part, int] = {}
        self.cue_specs: list[tuple[int, ...]] = []
        # cue classes (``<money>``) are matched on the sentence text, not here: no specs
        self.class_cues: list[tuple[int, str]] = []
        for ci, c in enumerate(cues):
            if c.parts and c.parts[0].kind == "class":
                self.class_cues.append((ci, c.parts[0].value))
                self.cue_specs.append(())
                continue
            self.cue_specs.append(tuple(self.specs.setdefault(p, len(self.specs)) for p in c.parts))
        self.spec_list = list(self.specs)
        self.by_lower: dict[str, list[int]] = {}
        self.by_lemma: dict[str, list[int]] = {}
        self.prefixes: list[tuple[str, int]] = []
        for p, sid in self.specs.items():
            if p.kind == "prefix":
                self.prefixes.append((p.value, sid))
            elif p.kind == "exact":
                self.by_lower.setdefault(p.value, []).append(sid)
            else:
                self.by_lower.setdefault(p.value, []).append(sid)
                self.by_lemma.setdefault(p.lemma, []).append(sid)
        self.tagged = np.array([p.tag is not None for p in self.spec_list], dtype=bool)
        self.tag_of = [p.tag for p in self.spec_list]
        self.needs_tags = bool(self.tagged.any())


def _pairs_from_column(values: pd.Series, lookup: dict[str, list[int]], prefixes: list[tuple[str, int]] | None,
                       transform=None):
    """(token_row, spec) pairs for one string column, testing each distinct value once
    (after ``transform``, e.g. lemmatizing the distinct lower-case forms)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniq = pd.Index(uniques).astype(str)
    if transform is not None:
        uniq = pd.Index([transform(u) for u in uniq])
    per_unique: list[list[int]] = [lookup.get(u, []) for u in uniq]
    if prefixes:
        s = pd.Series(uniq)
        for pre, sid in prefixes:
            hit = np.flatnonzero(s.str.startswith(pre).to_numpy(dtype=bool))
            for h in hit:
                per_unique[h] = per_unique[h] + [sid]
    counts = np.fromiter((len(x) for x in per_unique), dtype=np.int64, count=len(per_unique))
    if counts.sum() == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    flat = np.fromiter((sid for x in per_unique for sid in x), dtype=np.int64, count=int(counts.sum()))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    valid = codes >= 0
    tok_counts = np.zeros(len(codes), dtype=np.int64)
    tok_counts[valid] = counts[codes[valid]]
    rows = np.flatnonzero(tok_counts)
    rep = np.repeat(rows, tok_counts[rows])
    # position within each token's run
    starts = np.repeat(offsets[codes[rows]], tok_counts[rows])
    within = np.arange(len(rep)) - np.repeat(np.cumsum(tok_counts[rows]) - tok_counts[rows], tok_counts[rows])
    return rep, flat[starts + within]


def match_table(tokens: pd.DataFrame, cues: list[Cue], *, tags: Sequence[str] | np.ndarray | None = None,
                compiled: _Compiled | None = None) -> pd.DataFrame:
    """Every cue occurrence in a tokens table (rows grouped by ``sent_id``, in order).

    Returns ``row, sent_id, i, n_tokens, cue_index`` (index into ``cues``), before any
    exclusion or overlap rule. ``tags`` (aligned with ``tokens``) is needed only when a cue
    carries a ``/TAG``.
    """
    comp = compiled or _Compiled(cues)
    n = len(tokens)
    empty = pd.DataFrame({"row": pd.Series(dtype="int64"), "cue_index": pd.Series(dtype="int64"),
                          "n_tokens": pd.Series(dtype="int64")})
    if n == 0 or not cues:
        return empty
    lower = tokens["lower"].astype(str).str.replace("’", "'", regex=False)
    lemma = tokens["lemma"].astype(str).str.lower() if "lemma" in tokens else lower
    r1, s1 = _pairs_from_column(lower, comp.by_lower, comp.prefixes)
    r2, s2 = _pairs_from_column(lemma, comp.by_lemma, None)
    # the lemma of the lower-cased form too: all-capital tokens keep their surface as lemma

    r3, s3 = _pairs_from_column(lower, comp.by_lemma, None, transform=lemmatize)
    rows = np.concatenate([r1, r2, r3])
    specs = np.concatenate([s1, s2, s3])
    nspec = max(len(comp.spec_list), 1)
    key = np.unique(rows * nspec + specs)
    rows, specs = key // nspec, key % nspec
    if comp.needs_tags:
        if tags is None:
            raise ValueError("cues with a /TAG need part-of-speech tags")
        tags_arr = np.asarray(tags, dtype=object)
        need = comp.tagged[specs]
        ok = np.ones(len(rows), dtype=bool)
        for k in np.flatnonzero(need):
            t = tags_arr[rows[k]]
            ok[k] = isinstance(t, str) and t.startswith(comp.tag_of[specs[k]])
        rows, specs = rows[ok], specs[ok]
        key = rows * nspec + specs
    sent_codes = pd.factorize(tokens["sent_id"])[0]
    out_rows, out_cue, out_len = [], [], []
    # group cues by first spec
    first: dict[int, list[int]] = {}
    for ci, sp in enumerate(comp.cue_specs):
        if sp:
            first.setdefault(sp[0], []).append(ci)
    order = np.argsort(specs, kind="stable")
    specs_sorted, rows_sorted = specs[order], rows[order]
    bounds = np.searchsorted(specs_sorted, np.arange(nspec + 1))
    for sp0, cis in first.items():
        cand_all = rows_sorted[bounds[sp0]:bounds[sp0 + 1]]
        if cand_all.size == 0:
            continue
        for ci in cis:
            seq = comp.cue_specs[ci]
            cand = cand_all
            for k in range(1, len(seq)):
                nxt = cand + k
                inb = nxt < n
                cand, nxt = cand[inb], nxt[inb]
                same = sent_codes[nxt] == sent_codes[cand]
                pos = np.searchsorted(key, nxt * nspec + seq[k])
                found = (pos < len(key)) & (key[np.minimum(pos, len(key) - 1)] == nxt * nspec + seq[k])
                cand = cand[same & found]
                if cand.size == 0:
                    break
            if cand.size:
                out_rows.append(cand)
                out_cue.append(np.full(cand.size, ci, dtype=np.int64))
                out_len.append(np.full(cand.size, len(seq), dtype=np.int64))
    if not out_rows:
        return empty
    return pd.DataFrame({"row": np.concatenate(out_rows), "cue_index": np.concatenate(out_cue),
                         "n_tokens": np.concatenate(out_len)})


def sentence_texts(tokens: pd.DataFrame) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Rebuild each sentence's text from a tokens table (tokens at their ``start`` offsets,
    gaps filled with spaces, so offsets into it equal offsets into the sentence ``norm``).

    Returns ``(texts, first_row, n_rows)``: texts indexed by ``sent_id`` in table order, and
    for each sentence the position of its first token row and its number of token rows
    (rows of one sentence are contiguous). Without ``start`` the tokens are joined by spaces.
    """
    sid = column_values(tokens, "sent_id")
    codes, uniq = pd.factorize(sid)
    n = len(tokens)
    newsent = np.ones(n, dtype=bool)
    newsent[1:] = codes[1:] != codes[:-1]
    first_row = np.flatnonzero(newsent)
    n_rows = np.diff(np.append(first_row, n))
    tok = column_values(tokens, "token" if "token" in tokens else "lower")
    if "start" in tokens and "end" in tokens:
        start = tokens["start"].to_numpy(dtype=np.int64)
        end = tokens["end"].to_numpy(dtype=np.int64)
        prev_end = np.concatenate([[0], end[:-1]])
        gap = np.where(newsent, start, start - prev_end).clip(min=0)
    else:
        gap = np.where(newsent, 0, 1)
    gaps = gap.tolist()
    pad = [" " * k for k in range(max(gaps, default=0) + 1)]
    pieces = [pad[g] + t for g, t in zip(gaps, tok.tolist())]
    texts = pd.Series(["".join(pieces[a:a + k]) for a, k in zip(first_row, n_rows)],
                      index=pd.Index(sid[first_row], name="sent_id"), dtype=object)
    return texts, first_row, n_rows


class _Lowered:
    """Texts lower-cased and joined (``\\x00`` between them) for the literal prefilter: a literal
    found at a position belongs to the text whose span holds it. Non-ASCII texts are left out
    (empty) and always pass."""
    def __init__(self, texts):
        low = [t.lower() if t.isascii() else "" for t in texts]
        self.other = [k for k, t in enumerate(texts) if not t.isascii()]
        self.starts, pos = [], 0
        for t in low:
            self.starts.append(pos)
            pos += len(t) + 1
        self.joined = "\x00".join(low)

    def having(self, literals) -> list[int]:
        """Positions (ascending) of the texts holding one of ``literals`` (lower case), and of
        every non-ASCII text."""
        from bisect import bisect_right

        joined, starts, n = self.joined, self.starts, len(self.starts)
        found = set(self.other)
        for w in literals:
            i = joined.find(w)
            while i >= 0:
                k = bisect_right(starts, i) - 1
                found.add(k)
                if k + 1 >= n:
                    break
                i = joined.find(w, starts[k + 1])  # the next text
        return sorted(found)


def _class_sentences(texts, lowered: _Lowered | None, name: str) -> list[int]:
    """Positions of the texts cue class ``name`` matches: its full expression runs only on the texts
    that pass its prefilters (:data:`_CLASS_LITERALS` on ASCII texts, then :data:`_CLASS_NEEDS`)."""
    search = _CLASS_RE[name].search
    need = _CLASS_NEEDS.get(name)
    lits = _CLASS_LITERALS.get(name)
    idx: Iterable[int] = range(len(texts))
    if lits and lowered is not None:
        idx = lowered.having(lits)
    if need is not None:
        idx = [k for k in idx if need.search(texts[k])]
    return [k for k in idx if search(texts[k])]


def class_table(tokens: pd.DataFrame, class_cues: Sequence[tuple[int, str]]) -> pd.DataFrame:
    """Occurrences of cue classes (``<money>``, ``<age>``) in a tokens table: ``row, cue_index,
    n_tokens`` like :func:`match_table` (``row`` = first token the match overlaps).

    One vectorized ``Series.str.contains`` per class over all sentences; the spans are then
    taken only from the sentences that matched."""
    cols = {"row": [], "cue_index": [], "n_tokens": []}
    if len(tokens) == 0 or not class_cues:
        return pd.DataFrame({k: pd.Series(v, dtype="int64") for k, v in cols.items()})
    texts, first_row, _ = sentence_texts(tokens)
    has_offsets = "start" in tokens and "end" in tokens
    if has_offsets:
        t_start = tokens["start"].to_numpy(dtype=np.int64)
        t_end = tokens["end"].to_numpy(dtype=np.int64)
    else:  # offsets into the space-joined text
        lens = tokens["lower"].astype(str).str.len().to_numpy(dtype=np.int64)
        t_start = np.zeros(len(tokens), dtype=np.int64)
        t_end = np.zeros(len(tokens), dtype=np.int64)
        for a, k in zip(first_row, np.diff(np.append(first_row, len(tokens)))):
            ends = np.cumsum(lens[a:a + k] + 1) - 1
            t_end[a:a + k] = ends
            t_start[a:a + k] = ends - lens[a:a + k]
    bounds = np.append(first_row, len(tokens))
    text_arr = texts.to_numpy(dtype=object)
    by_class: dict[str, list[int]] = {}
    for ci, name in class_cues:
        by_class.setdefault(name, []).append(ci)
    lowered = _Lowered(text_arr) if _CLASS_LITERALS else None
    for name, cis in by_class.items():
        rx = _CLASS_RE[name]
        found = _class_sentences(text_arr, lowered, name)
        for k in found:
            a, b = bounds[k], bounds[k + 1]
            st, en = t_start[a:b], t_end[a:b]
            for m in rx.finditer(text_arr[k]):
                i0 = int(np.searchsorted(en, m.start(), side="right"))
                i1 = int(np.searchsorted(st, m.end(), side="left")) - 1
                if i1 < i0:
                    continue
                for ci in cis:
                    cols["row"].append(a + i0)
                    cols["cue_index"].append(ci)
                    cols["n_tokens"].append(i1 - i0 + 1)
    return pd.DataFrame({k: pd.Series(v, dtype="int64") for k, v in cols.items()})


def _resolve_hits(raw: pd.DataFrame, cues: list[Cue], tokens: pd.DataFrame, scope: dict[str, str]) -> pd.DataFrame:
    """Apply exclusions and the longest-match rule; attach sentence ids and offsets."""
    cols = ["sent_id", "frame", "cue", "question", "i", "n_tokens", "start", "end"]
    extra = [c for c in ("doc_id", "source") if c in tokens.columns]
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ["sent_id", *extra, "frame", "cue", "question"]}
                            | {c: pd.Series(dtype="int64") for c in ["i", "n_tokens", "start", "end"]})[
            ["sent_id", *extra, *cols[1:]]]
    sent_codes = pd.factorize(tokens["sent_id"])[0]
    df = raw.copy()
    df["frame"] = [cues[c].frame for c in df["cue_index"]]
    df["is_excl"] = [cues[c].exclude for c in df["cue_index"]]
    df["sent"] = sent_codes[df["row"].to_numpy()]
    df["stop"] = df["row"] + df["n_tokens"]
    hits = df[~df["is_excl"]]
    excl = df[df["is_excl"]]
    if not excl.empty:
        sent_scope = excl[excl["frame"].map(lambda f: scope.get(f, "span") == "sentence")]
        drop = pd.Series(False, index=hits.index)
        if not sent_scope.empty:
            keys = set(zip(sent_scope["sent"], sent_scope["frame"]))
            drop |= pd.Series([k in keys for k in zip(hits["sent"], hits["frame"])], index=hits.index)
        m = hits.reset_index().merge(excl[["sent", "frame", "row", "stop"]], on=["sent", "frame"], suffixes=("", "_x"))
        if not m.empty:
            ov = m[(m["row"] < m["stop_x"]) & (m["row_x"] < m["stop"])]
            drop |= hits.index.isin(ov["index"])
        hits = hits[~drop]
    # longest match wins within a frame: drop hits contained in a longer hit
    longer = hits[hits["n_tokens"] > 1]
    if not longer.empty:
        m = hits.reset_index().merge(longer[["sent", "frame", "row", "stop", "n_tokens"]], on=["sent", "frame"], suffixes=("", "_l"))
        inside = m[(m["row"] >= m["row_l"]) & (m["stop"] <= m["stop_l"]) & (m["n_tokens"] < m["n_tokens_l"])]
        hits = hits[~hits.index.isin(inside["index"])]
    hits = hits.drop_duplicates(["row", "frame", "n_tokens"])
    r = hits["row"].to_numpy()
    last = (hits["row"] + hits["n_tokens"] - 1).to_numpy()
    out = pd.DataFrame({"sent_id": column_values(tokens, "sent_id")[r]})
    for c in extra:
        out[c] = column_values(tokens, c)[r]
    out["frame"] = hits["frame"].to_numpy()
    out["cue"] = [cues[c].text for c in hits["cue_index"]]
    out["question"] = [cues[c].question for c in hits["cue_index"]]
    out["i"] = tokens["i"].to_numpy()[r] if "i" in tokens else r
    out["n_tokens"] = hits["n_tokens"].to_numpy()
    out["start"] = tokens["start"].to_numpy()[r] if "start" in tokens else -1
    out["end"] = tokens["end"].to_numpy()[last] if "end" in tokens else -1
    out["_row"] = r
    out = out.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)
    return out


def _coerce_tokens(obj) -> tuple[pd.DataFrame, object]:
    """tokens table from a str / list of str / tokens DataFrame / Corpus."""
    if isinstance(obj, (str, list, tuple)):
        return tokens_from_texts(obj), None
    if isinstance(obj, pd.DataFrame):
        need = {"sent_id", "lower"}
        if not need <= set(obj.columns):
            raise FramelensError(f"tokens table: missing columns {sorted(need - set(obj.columns))}")
        return obj, None
    if hasattr(obj, "tokens"):
        return obj.tokens, obj
    raise TypeError("match_cues expects a string, a list of strings, a tokens DataFrame or a Corpus")


def cue_hits(text_or_tokens, cues: list[Cue], *, scope: dict[str, str] | None = None, tags=None) -> pd.DataFrame:
    """Resolved cue occurrences (one row per hit) for arbitrary cue lists (frames or markers)."""
    tokens, corpus = _coerce_tokens(text_or_tokens)
    comp = _Compiled(cues)
    if comp.needs_tags and tags is None:

        tags = pos_tags(corpus if corpus is not None else tokens)
    raw = match_table(tokens, cues, tags=tags, compiled=comp)
    if comp.class_cues:
        extra = class_table(tokens, comp.class_cues)
        if len(extra):
            raw = pd.concat([raw[["row", "cue_index", "n_tokens"]], extra], ignore_index=True) if len(raw) else extra
    return _resolve_hits(raw, cues, tokens, scope or {})


def count_and_join(df: pd.DataFrame, keys: Sequence[str], col: str, *, count: str, joined: str) -> pd.DataFrame:
    """``df.groupby(keys, sort=False)``: the rows of each group (``count``) and its distinct
    ``col`` values in order of appearance, ``"; "``-joined (``joined``) — the same table as
    ``.agg(count=(col, "size"), joined=(col, lambda s: "; ".join(dict.fromkeys(s))))``, with one
    pass over the rows instead of a Python call per group."""
    g = df.groupby(list(keys), sort=False)
    out = g.agg(**{count: (col, "size")})
    seen: list[dict] = [{} for _ in range(len(out))]
    for k, v in zip(g.ngroup().tolist(), df[col].tolist()):
        if k >= 0:
            seen[k][v] = None
    out[joined] = pd.Series(["; ".join(d) for d in seen], index=out.index)
    return out.reset_index()


def match_cues(text_or_tokens, codebook: Codebook | str | Path | None = None, *, min_hits: int | None = None,
               hits: bool = False) -> pd.DataFrame:
    """Which frames each sentence carries, with the cues that matched (the evidence).

    ``text_or_tokens``: a string (one unit, ``sent_id`` ``s0``), a list of strings (one per
    sentence, ``s0``, ``s1``, ...), a tokens table (``corpus.tokens``) or a Corpus.
    Returns one row per sentence × frame carried: ``sent_id`` (+ ``doc_id, source`` when
    known), ``frame, hits`` (cue occurrences), ``cues`` (the matched cues, ``"; "``-joined, in
    text order). A frame is carried when ``hits >= min_hits`` (the frame's own ``min_hits``,
    else the codebook's, else 1; a ``min_hits`` argument overrides both).
    With ``hits=True`` returns the individual occurrences instead (``sent_id, frame, cue,
    question`` (the codebook question the cue answers, ``""`` if none), ``i, n_tokens, start, end``).
    """
    cb = load_codebook(codebook) if not isinstance(codebook, Codebook) else codebook
    scope = {f.id: f.exclude_scope for f in cb.frames}
    occ = cue_hits(text_or_tokens, cb.cues(), scope=scope)
    if hits:
        return occ
    agg = carried_frames(occ, cb, min_hits)
    if occ.empty:
        return agg
    order = {f: k for k, f in enumerate(cb.ids)}
    sent_order = pd.factorize(occ["sent_id"])[0]
    first = dict(zip(occ["sent_id"], sent_order))
    agg = agg.assign(_s=agg["sent_id"].map(first), _f=agg["frame"].map(order)).sort_values(["_s", "_f"])
    return agg.drop(columns=["_s", "_f"]).reset_index(drop=True)


def carried_frames(occ: pd.DataFrame, cb: Codebook, min_hits: int | None = None) -> pd.DataFrame:
    """The frames carried by each sentence, from its cue occurrences (:func:`cue_hits`): one row
    per sentence × frame with ``hits`` (occurrences) and ``cues`` (``"; "``-joined), kept when
    ``hits`` reaches the frame's ``min_hits`` (or ``min_hits`` when given)."""
    keys = ["sent_id"] + [c for c in ("doc_id", "source") if c in occ.columns]
    if occ.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in [*keys, "frame"]}
                            | {"hits": pd.Series(dtype="int64"), "cues": pd.Series(dtype="object")})
    agg = count_and_join(occ, [*keys, "frame"], "cue", count="hits", joined="cues")
    need = {f.id: (min_hits if min_hits is not None else f.min_hits) for f in cb.frames}
    return agg[agg["hits"] >= agg["frame"].map(need)].reset_index(drop=True)


# ------------------------------------------------------------------------------ certainty
MARKER_KEYS = ("hedges", "boosters", "promotional", "superlative_exclude", "reporting_verbs", "speaker_nouns")


def default_markers_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "stance_markers.toml"))


def load_markers(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Read and validate the stance-marker lists (``data/stance_markers.toml`` by default):
    ``hedges, boosters, promotional, superlative_exclude, reporting_verbs, speaker_nouns``;
    missing keys fall back to the shipped lists."""
    p = Path(path) if path is not None else default_markers_path()
    return dict(_load_markers_cached(str(p), p.stat().st_mtime if p.exists() else 0.0))


@lru_cache(maxsize=8)
def _load_markers_cached(path: str, mtime: float):
    got = load_cue_lists(path, allowed=MARKER_KEYS)
    if Path(path) != default_markers_path():
        base = load_cue_lists(default_markers_path(), allowed=MARKER_KEYS)
        got = {**base, **got}
    missing = [k for k in MARKER_KEYS if k not in got]
    if missing:
        raise FramelensError(f"{path}: missing marker list(s) {', '.join(missing)}")
    return tuple(got.items())
