"""The actor table (who the coverage is about) and the mention finder.

Shared by the sentiment lens (tone toward each actor) and the framing lens (prominence and
agency). The table is an editable TOML file, ``data/actors.toml``; pass your own with
``load_actors(path)``. See that file for the format and the matching rules:

* whole-word matches on the normalized sentence text (curly quotes and dashes made plain);
* a possessive after an alias still counts (``China's``, ``Kazakhstan’s``, ``States'``) and
  is flagged in the ``possessive`` column;
* aliases of three letters or fewer and all-capital aliases are case-sensitive (``US`` is not
  ``us``); longer aliases ignore case;
* overlapping aliases: the longest match wins, so ``Xi Jinping`` is one mention, not two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import fail, parse_toml
from .tokens import trie_regex

if TYPE_CHECKING:  # annotations only: no import cost
    from .corpus import CorpusLike

TABLE_COLUMNS = ["actor", "kind", "aliases", "match_case"]
_ALLOWED_KEYS = {"name", "kind", "aliases", "match_case"}
_PLAIN = str.maketrans({**{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
                        **{c: "'" for c in "\u2018\u2019\u201b\u2032"}})


_NEEDS_PLAIN = re.compile("[\u2010-\u2015\u2212\u2018\u2019\u201b\u2032]")


def _plain(s: str) -> str:
    return s.translate(_PLAIN)


def default_actors_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "actors.toml"))


def _line_of(text: str, needle: str, start: int = 0) -> int | None:
    pos = text.find(needle, start)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def load_actors(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate an actor table; returns ``actor, kind, aliases, match_case`` (aliases
    as a tuple; ``match_case`` True when the block says ``match_case = true``: its aliases then
    match only as written, so the person "Bell" is not the word "bell").

    Errors name the file and line: unknown keys, a missing name, an empty alias list, a
    duplicate actor, or one alias given to two actors.
    """
    path = Path(path) if path is not None else default_actors_path()
    if not path.exists():
        raise fail(path, "actor table not found")
    return _load_actors_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_actors_cached(path_str: str, _mtime: int) -> pd.DataFrame:
    path = Path(path_str)
    if not path.exists():
        raise fail(path, "actor table not found")
    text = path.read_text(encoding="utf-8")
    data = parse_toml(text, path)
    unknown_top = set(data) - {"actor"}
    if unknown_top:
        key = sorted(unknown_top)[0]
        raise fail(path, f"unknown key {key!r} (expected [[actor]] blocks)", line=_line_of(text, key))
    blocks = data.get("actor", [])
    if not isinstance(blocks, list) or not blocks:
        raise fail(path, "no [[actor]] entries")
    rows, seen_alias, seen_name = [], {}, set()
    search_from = 0
    for block in blocks:
        name = block.get("name")
        line = _line_of(text, f'"{name}"', search_from) if name else _line_of(text, "[[actor]]", search_from)
        if line:
            search_from = len("\n".join(text.split("\n")[: line - 1]))
        unknown = set(block) - _ALLOWED_KEYS
        if unknown:
            raise fail(path, f"unknown key {sorted(unknown)[0]!r} in actor {name!r}", line=line)
        if not isinstance(name, str) or not name.strip():
            raise fail(path, "an actor has no name", line=line)
        if name in seen_name:
            raise fail(path, f"actor {name!r} is defined twice", line=line)
        seen_name.add(name)
        aliases = block.get("aliases")
        if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise fail(path, f"actor {name!r} needs a non-empty list of aliases", line=line)
        clean = []
        for a in aliases:
            key = _plain(a.strip())
            k = key if case_sensitive(key) else key.lower()
            if k in seen_alias and seen_alias[k] != name:
                raise fail(path, f"alias {a!r} belongs to both {seen_alias[k]!r} and {name!r}", line=line)
            if k not in seen_alias:
                seen_alias[k] = name
                clean.append(key)
        match_case = block.get("match_case", False)
        if not isinstance(match_case, bool):
            raise fail(path, f"actor {name!r}: match_case must be true or false", line=line)
        rows.append({"actor": name, "kind": str(block.get("kind", "")), "aliases": tuple(clean),
                     "match_case": match_case})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def case_sensitive(alias: str) -> bool:
    """Short (≤ 3 characters), all-capital or dotted aliases (US, EU, U.S.) must match case exactly."""
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 3 or (bool(letters) and all(c.isupper() for c in letters)) or "." in alias


class _Matcher:
    """Finds aliases with one case-insensitive trie regex, then enforces case-sensitive aliases."""

    def __init__(self, actors: pd.DataFrame):
        self.lookup: dict[str, tuple[str, str, str | None]] = {}
        exact_all = actors["match_case"].fillna(False).astype(bool).tolist() if "match_case" in actors.columns \
            else [False] * len(actors)
        for (actor, kind, aliases), exact in zip(actors[["actor", "kind", "aliases"]].itertuples(index=False), exact_all):
            for a in aliases:
                a = _plain(a)
                self.lookup.setdefault(a.lower(), (actor, kind, a if exact or case_sensitive(a) else None))
        body = trie_regex(list(self.lookup)) or r"(?!x)x"
        # not followed by a word character, nor by an apostrophe + letter other than a possessive
        # s ("Xi'an" is a city, not Xi; "China's" is China)
        self.regex = re.compile(rf"(?<!\w)(?:{body})(?!\w|'[a-rt-z])", re.IGNORECASE)
        self._cache: dict[str, list] = {}

    def find(self, text: str, plain: str | None = None) -> list[tuple[str, str, str, int, int, bool]]:
        """Mentions in ``text``; ``plain`` is its normalized form if the caller has it (same length)."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        if plain is None:
            plain = text.translate(_PLAIN) if _NEEDS_PLAIN.search(text) else text
        out = []
        for m in self.regex.finditer(plain):
            alias = m.group(0)
            actor, kind, exact = self.lookup[alias.lower()]
            if exact is not None and alias != exact:
                continue
            s, e = m.span()
            tail = plain[e : e + 2]
            possessive = tail in ("'s", "'S") or (tail[:1] == "'" and alias[-1:].lower() == "s" and not tail[1:2].isalpha())
            out.append((actor, kind, text[s:e], s, e, possessive))
        if len(self._cache) < 200_000:
            self._cache[text] = out
        return out


_MATCHERS: dict[int, tuple[pd.DataFrame, _Matcher]] = {}


def _matcher(actors: pd.DataFrame | None) -> _Matcher:
    actors = load_actors() if actors is None else actors
    cached = _MATCHERS.get(id(actors))
    if cached is not None and cached[0] is actors:
        return cached[1]
    m = _Matcher(actors)
    _MATCHERS[id(actors)] = (actors, m)
    return m


def find_mentions_in_text(text: str, actors: pd.DataFrame | None = None) -> list[tuple[str, int, int]]:
    """Mentions in one text as ``(actor, start, end)`` character spans (the alias only)."""
    return [(a, s, e) for a, _k, _al, s, e, _p in _matcher(actors).find(text)]


MENTION_COLUMNS = ["sent_id", "doc_id", "source", "actor", "kind", "alias", "start", "end", "possessive"]


def find_mentions(sentences: pd.DataFrame, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every actor mention in a sentences table (``sent_id, doc_id, source, text``).

    Returns one row per mention: ``sent_id, doc_id, source, actor, kind, alias`` (as written),
    ``start, end`` (character span of the alias in the sentence text) and ``possessive``.
    """
    m = _matcher(actors)
    rows = []
    norm = sentences["norm"] if "norm" in sentences.columns else sentences["text"]
    for sid, did, src, text, plain in zip(sentences["sent_id"], sentences["doc_id"], sentences["source"],
                                         sentences["text"], norm):
        for actor, kind, alias, s, e, poss in m.find(text, plain):
            rows.append((sid, did, src, actor, kind, alias, s, e, poss))
    return pd.DataFrame(rows, columns=MENTION_COLUMNS)


# =============================================================================================
# Actor discovery: the actors of a corpus found in the corpus itself
# =============================================================================================
#
# Transparent rules, no model and no download (see :func:`discover`). The cue lists live in
# ``data/actor_cues.toml`` and the place gazetteer in ``data/places.toml``.

DISCOVERY_COLUMNS = ["actor", "kind", "aliases", "mentions", "documents", "sources", "cue", "example_sent_ids"]
KINDS = ("person", "organization", "place", "group")
DEFAULT_TOP = 30


def default_cues_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "actor_cues.toml"))


def default_places_path() -> Path:
    return Path(str(resources.files("framelens") / "data" / "places.toml"))


class Cues:
    """The cue lists of ``data/actor_cues.toml`` (lower-cased sets) and the place gazetteer."""

    SCHEMA = {
        "person": {"titles", "suffixes"},
        "organization": {"words", "after", "standalone"},
        "place": {"words", "first_words", "prepositions", "of_nouns", "after"},
        "group": {"nouns", "suffixes", "not_people", "verbs", "generic"},
        "ignore": {"words"},
    }

    def __init__(self, data: dict, places: dict[str, str]):
        low = lambda sec, key: frozenset(w.lower().rstrip(".") for w in data[sec][key])  # noqa: E731
        self.titles = frozenset(tuple(w.lower().replace(".", "").split()) for w in data["person"]["titles"])
        self.title_max = max((len(t) for t in self.titles), default=1)
        self.person_suffixes = low("person", "suffixes")
        self.org_words = low("organization", "words")
        self.org_after = low("organization", "after")
        self.org_standalone = low("organization", "standalone")
        self.place_words = low("place", "words")
        self.place_first = low("place", "first_words")
        self.place_preps = low("place", "prepositions")
        self.place_of_nouns = low("place", "of_nouns")
        self.place_after = low("place", "after")
        self.group_nouns = low("group", "nouns")
        self.group_suffixes = tuple(sorted(low("group", "suffixes")))
        self.not_people = low("group", "not_people")
        self.group_verbs = low("group", "verbs")
        self.generic_groups = low("group", "generic")
        self.ignore = low("ignore", "words")
        self.places = places  # lower-case name -> 'country' / 'capital' / 'subdivision' / 'region' / 'demonym'

    def is_people(self, noun: str) -> bool:
        """A plural common noun that names people (listed, or a people-ending not excluded)."""
        w = noun.lower()
        return w in self.group_nouns or self.people_ending(w)

    def people_ending(self, noun: str) -> bool:
        w = noun.lower()
        return w.endswith(self.group_suffixes) and w not in self.not_people and len(w) > 4


def _read_lists(path: Path, schema: dict[str, set[str]]) -> dict:
    text = path.read_text(encoding="utf-8")
    data = parse_toml(text, path)
    for sec in data:
        if sec not in schema:
            raise fail(path, f"unknown section [{sec}] (expected {', '.join(f'[{s}]' for s in schema)})",
                       line=_line_of(text, f"[{sec}]"))
    for sec, keys in schema.items():
        block = data.get(sec)
        if not isinstance(block, dict):
            raise fail(path, f"missing section [{sec}]")
        for key in block:
            if key not in keys:
                raise fail(path, f"unknown key {key!r} in [{sec}]", line=_line_of(text, key))
        for key in keys:
            v = block.get(key)
            if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
                raise fail(path, f"[{sec}] {key} must be a list of non-empty strings",
                           line=_line_of(text, key) if key in block else _line_of(text, f"[{sec}]"))
    return data


@lru_cache(maxsize=8)
def _gazetteer(places_path: str, countries_key: tuple) -> dict[str, str]:
    path = Path(places_path)
    text = path.read_text(encoding="utf-8")
    data = parse_toml(text, path)
    block = data.get("places")
    if not isinstance(block, dict):
        raise fail(path, "missing section [places]")
    out: dict[str, str] = {}
    for key in ("demonyms", "regions", "subdivisions", "capitals"):
        v = block.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise fail(path, f"[places] {key} must be a list of strings", line=_line_of(text, key))
        for name in v:
            out[_plain(name).lower()] = key[:-1]
    for name, kind in countries_key:
        out[name] = kind
    return out


def load_cues(path: str | Path | None = None, *, places: str | Path | None = None) -> Cues:
    """Load the discovery cue lists (``data/actor_cues.toml``) and the gazetteer
    (``data/places.toml`` plus the country names and demonyms of the packaged actor table).
    Errors name the file and line."""
    p = Path(path) if path else default_cues_path()
    if not p.exists():
        raise fail(p, "actor cue file not found")
    pp = Path(places) if places else default_places_path()
    if not pp.exists():
        raise fail(pp, "place gazetteer not found")
    data = _read_lists(p, Cues.SCHEMA)
    countries = []
    for actor, kind, aliases in load_actors()[["actor", "kind", "aliases"]].itertuples(index=False):
        if kind == "country":
            for a in aliases:
                lo = a.lower()
                # one-word aliases that are not names of the country ("Spanish", "Chinese") are
                # adjectives; "America", "Britain", "Holland", "U.S." are names
                demonym = (lo != actor.lower() and " " not in lo and not a.isupper() and "." not in a
                           and not lo.endswith(("a", "land", "ain")))
                countries.append((lo, "demonym" if demonym else "country"))
    return Cues(data, _gazetteer(str(pp.resolve()), tuple(countries)))


# ---------------------------------------------------------------------------- candidates
_OPENERS = {'"', "“", "‘", "'", ":", "(", "[", "-", "–", "—", "•", "*", "·", ";"}
_CONNECT = {"of", "for", "the", "de", "del", "della", "da", "di", "do", "dos", "du", "von", "van", "der", "den",
            "la", "le", "al", "el", "bin", "ibn", "&", "on"}
_ABBREV_DOT = {"st", "mt", "ft", "jr", "sr"}
_ACRONYM = re.compile(r"^(?:[A-Z][A-Z&]{1,6}|(?:[A-Z]\.){2,4})$")
_PARTICLE_HYPHEN = re.compile(r"^(?:al|el|bin|ibn|de|van|von|da|di|du|le|la|abu)-[A-Z]")
_AGE = re.compile(r"^\d{1,3}$")


def _cap_word(t: str) -> bool:
    """Starts with a capital and has no lower-case part after a hyphen ("Alphabet-owned")."""
    if not t or not t[0].isupper() or not any(c.isalpha() for c in t):
        return False
    if "-" in t:
        return all(p[:1].isupper() or p[:1].isdigit() for p in t.split("-") if p)
    return True


class _Mention:
    __slots__ = ("doc", "source", "sent", "surface", "key", "words", "title", "titled", "cues", "acr", "opening")

    def __init__(self, doc, source, sent, surface, words, title, titled, cues, acr):
        self.doc, self.source, self.sent = doc, source, sent
        self.surface, self.words = surface, words
        self.key = " ".join(w.lower() for w in words)
        self.title, self.titled, self.cues, self.acr = title, titled, cues, acr
        self.opening = False


def _match_title(low: list[str], k: int, cues: Cues) -> int:
    """Length (in tokens, dots included) of the longest title starting at token ``k``, else 0."""
    best = 0
    words: list[str] = []
    j = k
    while j < len(low) and len(words) < cues.title_max:
        if low[j] == ".":
            j += 1
            continue
        words.append(low[j].replace(".", ""))
        j += 1
        if tuple(words) in cues.titles:
            best = j - k
            if best < len(low) - k and low[k + best] == ".":  # "Dr ." -> include the dot
                best += 1
    return best


def _sentence_candidates(toks, low, tags, starts, ends, text, doc, source, sent, cues, namelike, seen_lower,
                         stop, places) -> list[_Mention]:
    n = len(toks)
    out: list[_Mention] = []

    def initial(j: int) -> bool:
        # the first word, or the first after a quote, colon, bullet or list number ("2. Insurance")
        return j == 0 or toks[j - 1] in _OPENERS or toks[j - 1] == "." and (j == 1 or toks[j - 2].isdigit()) \
            or j == 1 and toks[0].rstrip(".").isdigit()

    def name_tok(j: int) -> bool:
        t = toks[j]
        lo = low[j]
        if _ACRONYM.match(t):
            return lo.replace(".", "") not in cues.ignore
        if not _cap_word(t) or lo in cues.ignore or lo.rstrip(".") in cues.ignore \
                or lo.endswith("s") and lo[:-1] in cues.ignore:
            return False
        if lo in stop:
            return False
        if initial(j):
            if lo in namelike or lo in places:
                return True
            # "Marie Lavoie stood": an opening word joins a name that follows it
            return ((lo not in seen_lower or tags[j] == "NNP") and j + 1 < n and not initial(j + 1)
                    and _cap_word(toks[j + 1]) and low[j + 1] not in stop and low[j + 1] not in cues.ignore)
        return True

    def _ends_in_org(k: int) -> bool:
        last = ""
        while k < n and name_tok(k):
            last = low[k]
            k += 1
        return last in cues.org_words

    def _org_of(a0: int, k: int) -> bool:
        """The run so far is "<organisation word> of/for ..." ("Centers for Disease Control")."""
        ws = low[a0:k]
        return any(w in cues.org_words for w in ws) and any(w in ("of", "for") for w in ws) and k < n and name_tok(k)

    j = 0
    while j < n:
        if not (name_tok(j) or (_PARTICLE_HYPHEN.match(toks[j]) and j > 0 and name_tok(j - 1))):
            j += 1
            continue
        a = j
        j += 1
        while j < n:
            if name_tok(j) or _PARTICLE_HYPHEN.match(toks[j]):
                j += 1
            elif toks[j] == "." and (low[j - 1] in _ABBREV_DOT or len(toks[j - 1]) == 1 and toks[j - 1].isupper()
                                     or tuple([low[j - 1]]) in cues.titles) and j + 1 < n and name_tok(j + 1):
                j += 1
            elif low[j] in _CONNECT and j + 1 < n and (name_tok(j + 1) or low[j + 1] == "the" and j + 2 < n
                                                      and name_tok(j + 2)) \
                    and not (j - a >= 2 and _person_shaped([toks[x] for x in range(a, j)], cues)):
                j += 1  # "Bank of England", but "Ruth Amadi of the Patients' Association" is two names
            elif low[j] == "and" and (_ends_in_org(j + 1) or _org_of(a, j + 1)):
                j += 1  # "Belt and Road Initiative", "Centers for Disease Control and Prevention"
            elif toks[j] == "'" and toks[j - 1].endswith("s") and j + 1 < n and _cap_word(toks[j + 1]) \
                    and low[j + 1] in cues.org_words:
                j += 2  # "Patients' Association"
            else:
                break
        b = j  # run = [a, b)
        # split at titles inside the run: "Kazakh President Kassym-Jomart Tokayev"
        k = a
        pieces: list[tuple[int, int, str, str]] = []  # (start, stop, title text, title surface kind)
        seg_start, pending_title = a, ""
        while k < b:
            tl = _match_title(low, k, cues)
            if tl:
                if k > seg_start:
                    pieces.append((seg_start, k, pending_title, "affiliation"))
                pending_title = text[starts[k]:ends[k + tl - 1]]
                k += tl
                seg_start = k
            else:
                k += 1
        if seg_start < b:
            pieces.append((seg_start, b, pending_title, ""))
        for idx, (s, e, title, role) in enumerate(pieces):
            while s < e and (low[s] in _CONNECT or toks[s] == "."):
                s += 1
            while e > s and (low[e - 1] in _CONNECT or toks[e - 1] == "."):
                e -= 1
            if e <= s:
                continue
            words = [toks[x] for x in range(s, e) if toks[x] not in (".", "'")]
            if len(words) == 1:
                w = words[0]
                if (len(w) == 1 or len(w) == 2 and not (_ACRONYM.match(w) or w.istitle())) \
                        or w.lower() in cues.person_suffixes:
                    continue  # "Xi", "Li" and "EU" stay; "A", "Q" and "Ph" do not
                if role == "affiliation" and w.lower() in cues.place_of_nouns:
                    continue  # "State Senator X", "City Councillor X": not an actor "State"
            key_words = [w for w in words if w.lower() not in cues.person_suffixes] or words
            surface = text[starts[s]:ends[e - 1]]
            if "-" in surface and all(p.strip().lower() in places for p in surface.split("-")):
                continue  # "Spain-France relations": a compound of places
            c: list[str] = []
            titled = ""
            if title:
                c.append("title:" + title.replace(".", ""))
                if title[:1].isupper():
                    titled = f"{title} {surface}"
            elif idx == 0:
                # a title (possibly lower-case) right before the run: "shop steward Gary Lyle"
                back = s - 1
                if back >= 0 and toks[back] == ".":
                    back -= 1
                found = ""
                for width in range(min(cues.title_max, back + 1), 0, -1):
                    ws = tuple(low[x].replace(".", "") for x in range(back - width + 1, back + 1))
                    if ws in cues.titles:
                        found = text[starts[back - width + 1]:ends[back]]
                        break
                if found:
                    c.append("title:" + found.replace(".", ""))
                    if found[:1].isupper():
                        titled = text[starts[back - len(found.split()) + 1]:ends[s - 1]] + " " + surface
                elif back >= 0 and tags[back] == "NN" and toks[back].islower() and len(words) >= 2:
                    c.append("role:" + toks[back])
                elif back >= 1 and toks[back] == "," and tags[back - 1] == "NN" and toks[back - 1].islower() \
                        and e < n and toks[e] == ",":
                    # "her daughter, Anne, said" (a person); "the capital, Lima," (a place)
                    c.append(("of-place" if low[back - 1] in cues.place_of_nouns else "role:") + (
                        "" if low[back - 1] in cues.place_of_nouns else toks[back - 1]))
            if role == "affiliation" or (idx < len(pieces) - 1):
                c.append("affiliation")
            # context after the run
            if idx == len(pieces) - 1:
                nx = b
                if nx + 2 < n and toks[nx] == "(" and toks[nx + 2] == ")" and _ACRONYM.match(toks[nx + 1]):
                    acr = toks[nx + 1]
                else:
                    acr = ""
                if nx < n and low[nx] in cues.org_after:
                    c.append("after:" + low[nx])
                elif nx < n and low[nx] in cues.place_after:
                    c.append("place-after:" + low[nx])
                if nx + 1 < n and toks[nx] == ",":
                    if low[nx + 1] == "who":
                        c.append("who")
                    elif low[nx + 1] == "which":
                        c.append("which")
                    elif nx + 2 < n and _AGE.match(toks[nx + 1]) and toks[nx + 2] == ",":
                        c.append("age")
                if nx < n and _match_title(low, nx, cues) and nx + _match_title(low, nx, cues) < n \
                        and name_tok(nx + _match_title(low, nx, cues)):
                    c.append("affiliation")
            else:
                acr = ""
            # context before the run: a locative preposition, or "the town of"
            p = s - 1
            if p >= 0 and low[p] == "the":
                p -= 1
            if p >= 0 and low[p] in cues.place_preps:
                c.append("in")
            elif p >= 1 and low[p] == "of" and (low[p - 1] in cues.place_of_nouns):
                c.append("of-place")
            mention = _Mention(doc, source, sent, surface, key_words, title, titled, c, acr)
            mention.opening = initial(s) and not title
            if s == 1 and initial(0) and _cap_word(toks[0]) and not title or s >= 2 and toks[s - 1] in _CONNECT \
                    and initial(s - 2) and _cap_word(toks[s - 2]):
                c.append("cut")  # "Parents for Medical Choice, founded ..." read as "Medical Choice"
            out.append(mention)
    return out


def _group_candidates(toks, low, tags, lemmas, sent, doc, source, cues) -> list[tuple[str, str, str, str]]:
    """(name, head, modifier, sent) for plural common-noun subjects that name people."""
    from .agency import subject_verbs

    if not any(t in ("NNS", "NNPS") for t in tags):
        return []
    out = []
    pairs = [p for p in subject_verbs(toks, tags, lemmas) if p["verb"] not in _COPULA]
    # the sentence's first noun, when plural and before any verb, is its subject even when a
    # prepositional phrase or an aside separates it from the verb ("Suppliers in the West
    # Midlands, which employ 12,000 people, said")
    vi = next((k for k, tg in enumerate(tags) if tg.startswith("VB")), None)
    if vi is not None and lemmas[vi].lower() in ("be", "have", "do", "get") and vi + 1 < len(tags) \
            and tags[vi + 1] in ("VBN", "VBG", "RB"):
        vi = next((k for k in range(vi + 1, len(tags)) if tags[k] in ("VBN", "VBG")), vi)  # "were deployed"
    first_verb = lemmas[vi].lower() if vi is not None else ""
    for k, tg in enumerate(tags):
        if tg.startswith("VB") or tg == "MD" or first_verb in _COPULA:
            break
        if tg.startswith("NN"):
            if (tg in ("NNS", "NNPS") or tg == "NNP" and k == 0 and low[k].endswith("s")) \
                    and not any(p["subject"][1] - 1 == k for p in pairs):
                pairs.append({"subject": (0, k + 1), "role": "agent", "voice": "active", "verb": first_verb})
            if k + 1 < len(tags) and tags[k + 1].startswith("NN"):
                continue
            break
    for pair in pairs:
        a, b = pair["subject"]
        h = b - 1
        if not (tags[h] in ("NNS", "NNPS") or tags[h] == "NNP" and h == 0 and low[h].endswith("s")) or not toks[h].isalpha():
            continue
        head = low[h]
        mod = ""
        if h - 1 >= a and tags[h - 1] in ("NN", "NNS", "NNP", "JJ") and toks[h - 1].replace("-", "").isalpha() \
                and (tags[h - 1] != "JJ" or "-" in toks[h - 1]) \
                and (toks[h - 1].islower() or h - 1 == 0 or toks[h - 2] in _OPENERS):
            mod = low[h - 1]  # "oil companies", "Emergency services said"
        elif h - 2 >= a and toks[h - 1] == "'" and tags[h - 2] == "NNS" and toks[h - 2].isalpha():
            mod = low[h - 2] + "'"  # "farmers' associations"
        # a listed noun ("officials", "police") with any verb; a people-ending noun ("campaigners")
        # or a general noun with its modifier ("emergency services") as the subject of a verb of
        # saying or acting
        acting = pair["verb"] in cues.group_verbs
        if not (head in cues.group_nouns or acting and (cues.people_ending(head) or mod and head in cues.generic_groups)):
            continue
        if toks[h][:1].isupper() and h > 0 and toks[h - 1] not in _OPENERS and head not in cues.group_nouns:
            continue  # a capitalized plural inside a sentence is a name ("Parks"), handled as one
        out.append((head, mod, sent, doc, source))
    return out


_COPULA = {"be", "become", "remain", "seem", "appear"}


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper() and w.lower() not in _CONNECT)


def _known_table(known) -> pd.DataFrame:
    if known is None or known is False:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    if isinstance(known, pd.DataFrame):
        return known
    return load_actors(known or None)


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        if p != x:
            p = self.parent[x] = self.find(p)
        return p

    def join(self, child: str, root: str) -> None:
        self.parent[self.find(child)] = self.find(root)


def _candidates(corpus: CorpusLike, cues: Cues, tags) -> tuple[list[_Mention], list[tuple], Counter]:
    """Every proper-name mention and every people-naming plural subject of the corpus."""
    from .tokens import load_stopwords

    tokens = corpus.tokens
    sents = corpus.sentences
    stop = getattr(corpus, "stopwords", None) or load_stopwords()
    toks = tokens["token"].astype(str).to_numpy(dtype=object)
    low = np.asarray([t.lower() for t in toks], dtype=object)
    lem = tokens["lemma"].astype(str).to_numpy(dtype=object)
    sid = tokens["sent_id"].astype(str).to_numpy(dtype=object)
    st = tokens["start"].to_numpy()
    en = tokens["end"].to_numpy()
    n = len(toks)
    if n == 0:
        return [], [], Counter()
    first = np.ones(n, dtype=bool)
    first[1:] = sid[1:] != sid[:-1]
    prev_open = np.zeros(n, dtype=bool)
    prev_open[1:] = np.fromiter((t in _OPENERS for t in toks[:-1]), dtype=bool, count=n - 1)
    initial = first | prev_open
    cap = np.fromiter((t[:1].isupper() for t in toks), dtype=bool, count=n)
    lower_start = np.fromiter((t[:1].islower() for t in toks), dtype=bool, count=n)
    codes, vocab = pd.factorize(low)
    tot = np.bincount(codes[~initial], minlength=len(vocab))
    caps = np.bincount(codes[~initial & cap], minlength=len(vocab))
    namelike = {w for w, a, c in zip(vocab, tot, caps) if a > 0 and c >= 0.8 * a}
    seen_lower = set(vocab[np.unique(codes[lower_start])])
    # adjacent lower-case word pairs, for group modifiers ("oil companies")
    same = ~first[1:]
    bigrams = Counter(zip(low[:-1][same].tolist(), low[1:][same].tolist()))
    meta = dict(zip(sents["sent_id"].astype(str), zip(sents["doc_id"].astype(str), sents["source"].astype(str),
                                                     (sents["norm"] if "norm" in sents.columns else sents["text"]).astype(str))))
    bounds = np.flatnonzero(first).tolist() + [n]
    mentions: list[_Mention] = []
    groups: list[tuple] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        s_id = sid[a]
        if s_id not in meta:
            continue
        doc, source, text = meta[s_id]
        tk, lw, tg = toks[a:b].tolist(), low[a:b].tolist(), list(tags[a:b])
        mentions.extend(_sentence_candidates(tk, lw, tg, st[a:b], en[a:b], text, doc, source, s_id, cues,
                                             namelike, seen_lower, stop, cues.places))
        groups.extend(_group_candidates(tk, lw, tg, lem[a:b].tolist(), s_id, doc, source, cues))
    return mentions, groups, bigrams


def _person_shaped(words: list[str], cues: Cues) -> bool:
    lw = [w.lower().rstrip(".") for w in words]
    return (2 <= len(words) <= (4 if any(_PARTICLE_HYPHEN.match(w) for w in words) else 3)
            and all(_cap_word(w) or _PARTICLE_HYPHEN.match(w) for w in words)
            and not any(w in cues.org_words or w in cues.ignore or w in cues.place_words for w in lw)
            and lw[0] not in cues.place_first and " ".join(lw) not in cues.places
            and not any(_ACRONYM.match(w) for w in words) and not any(w in _CONNECT for w in lw))


def _decide_kind(words: list[str], cue: Counter, n: int, *, surname: bool, cues: Cues) -> tuple[str, str]:
    """The kind of one actor from the cues of all its mentions; returns (kind, the deciding cue)."""
    lw = [w.lower().rstrip(".") for w in words]
    key = " ".join(lw)
    org_word = next((w for w, l in zip(words, lw) if l in cues.org_words), None)
    titles = Counter({k[6:]: v for k, v in cue.items() if k.startswith("title:")})
    if org_word and not titles:
        return "organization", f"organization word '{org_word}'"
    if len(words) == 1 and (lw[0] in cues.group_nouns or lw[0].endswith(("ans", "ists", "ites", "ats"))
                            and words[0].endswith("s") and cue.get("plural-name", 0)):
        return "group", "plural name"
    if titles:
        return "person", f"title '{titles.most_common(1)[0][0]}'"
    if surname:
        return "person", "surname used alone"
    for c, label in (("who", "', who'"), ("age", "age after the name"), ):
        if cue.get(c):
            return "person", label
    roles = Counter({k[5:]: v for k, v in cue.items() if k.startswith("role:")})
    if roles and (_person_shaped(words, cues) or len(words) == 1):
        return "person", f"role noun '{roles.most_common(1)[0][0]}' before the name"
    full = " ".join(w.lower() for w in words)
    if key in cues.places or full in cues.places:
        return "place", f"gazetteer: {cues.places.get(full) or cues.places[key]}"
    if len(words) == 1 and _ACRONYM.match(words[0]):
        return "organization", "acronym"
    if lw[0] in cues.place_first or lw[-1] in cues.place_words:
        return "place", "place word"
    loc = cue.get("in", 0) + cue.get("of-place", 0) + sum(v for k, v in cue.items() if k.startswith("place-after:"))
    if loc and 2 * loc >= n:
        return "place", "'in', 'from', 'town of' ... before the name"
    afters = Counter({k[6:]: v for k, v in cue.items() if k.startswith("after:")})
    if cue.get("affiliation") or afters or cue.get("which"):
        why = "named before a title (affiliation)" if cue.get("affiliation") else (
            f"'{afters.most_common(1)[0][0]}' after the name" if afters else "', which'")
        return "organization", why
    if len(words) > 1 and any(l in cues.places for l in lw):
        return "organization", "name containing a place"
    if _person_shaped(words, cues):
        return "person", "two or more capitalized words (no other cue)"
    return "organization", "single name (no other cue)"


def discover(
    corpus,
    *,
    top: int | None = DEFAULT_TOP,
    min_mentions: int = 2,
    known: str | Path | pd.DataFrame | None = "",
    cues: str | Path | Cues | None = None,
) -> pd.DataFrame:
    """The actors of a corpus, found in the corpus itself (no table, no model, no download).

    Candidates (in the body sentences):

    * **proper-name sequences**: runs of capitalized words, with ``of``/``for``/``de``/``van`` ...
      inside ("Bank of England", "Court of Arbitration for Sport") and ``St.`` / initials with
      their dot; a sentence-initial word counts only if the corpus capitalizes it elsewhere or
      the tagger calls it a proper noun and it never appears in lower case; acronyms (``EPA``);
    * **titles and honorifics** ("President Trump", "Sen. Warren", "Mr. Lee", "shop steward Gary
      Lyle") are split off the name, give it the kind person, and the capitalized titled form
      becomes an alias;
    * **groups named by common nouns acting as subjects**: plural nouns heading the subject of a
      verb (TextBlob's Pattern tagger and :func:`framelens.agency.subject_verbs`) that name
      people ("protesters", "scientists", "residents") or are the agent of a verb of saying or
      acting ("oil companies said"); a noun modifier is kept when the pair repeats.

    Alias merging:

    * a **surname** (or a titled surname: "Mr. Trump") joins the full name ("Donald Trump") it
      co-occurs with in the same document, only when exactly one full name in that document
      ends with it and no document of the corpus gives it to another full name; an ambiguous
      surname ("Lavoie" beside Marie and Luc Lavoie) is not merged and not listed;
    * **possessives** count for the name ("Trump's"); **titles** are aliases ("President Trump");
    * an **acronym** joins the full name when both occur: defined in parentheses
      ("Environmental Protection Agency (EPA)") or, when no definition is given, the only
      multi-word name of the corpus with those initials.

    ``kind`` (person, organization, place or group) comes from the cues of all the actor's
    mentions, first match wins: an organisation word in the name (Agency, Party, Department,
    Inc., Court, University …, ``data/actor_cues.toml``); a title; a surname used alone; ", who";
    an age after the name; a role noun before it; the gazetteer (countries and demonyms of the
    packaged table, capitals, states and provinces, regions: ``data/places.toml``); an acronym;
    a place word ("Street", "San ..."); "in"/"from"/"the town of" before most mentions; a
    name written before a title ("World Athletics president ..."); otherwise two to four
    capitalized words are a person and a single name an organisation. The ``cue`` column says
    which rule decided.

    ``known``: an actor table whose actors are not rediscovered ("" = the packaged countries and
    international organisations, None = none); a candidate whose every alias is known is dropped.
    Counts come from matching the discovered aliases (case as written, longest first) over the
    corpus with :func:`find_mentions`, beside the known table: ``mentions``, ``documents``,
    ``sources`` and ``example_sent_ids`` (up to three). Actors with fewer than ``min_mentions``
    mentions are dropped; the rest are ranked by documents, then mentions, and the first
    ``top`` kept (None: all).

    Limits: rules, not a trained recognizer. Names written in lower case, names that only ever
    open a sentence, people named by one word with no cue, nicknames and pronouns are missed;
    two people sharing a surname across documents stay unmerged; capitalized non-names
    (product names, titles of works) can slip in; a kind without a cue is a guess (the ``cue``
    column says so). Review the table (``framelens actors suggest``) before trusting counts.
    """
    from .agency import pos_tags

    cues = cues if isinstance(cues, Cues) else load_cues(cues)
    known_table = _known_table(known)
    known_alias = {a.lower() for al in known_table["aliases"] for a in al}
    tags = pos_tags(corpus)
    mentions, groups, bigrams = _candidates(corpus, cues, tags)

    # --- surnames and short forms: per document, then checked across the corpus
    uf = _Union()
    by_doc: dict[str, list[_Mention]] = {}
    for m in mentions:
        by_doc.setdefault(m.doc, []).append(m)
    single_to_full: dict[str, set[str]] = {}
    ambiguous: set[str] = set()
    lasts_all: set[str] = set()
    for doc, ms in by_doc.items():
        lasts: dict[str, set[str]] = {}
        firsts: dict[str, set[str]] = {}
        for m in ms:
            if len(m.words) >= 2 and _person_shaped(m.words, cues):
                # the surname, or the first word (family name first: "Xi" for "Xi Jinping")
                lasts.setdefault(m.words[-1].lower(), set()).add(m.key)
                firsts.setdefault(m.words[0].lower(), set()).add(m.key)
        lasts_all.update(lasts)
        for m in ms:
            # the first word counts only when it stands in the sentence ("President Xi said")
            fulls = lasts.get(m.key) or (firsts.get(m.key) if not m.opening or m.title else None)
            if len(m.words) == 1 and fulls:
                if len(fulls) == 1:
                    single_to_full.setdefault(m.key, set()).update(fulls)
                else:
                    ambiguous.add(m.key)
    # the head word of an organisation's name used alone in the same document ("the Bank")
    for doc, ms in by_doc.items():
        heads: dict[str, set[str]] = {}
        for m in ms:
            if len(m.words) >= 2 and any(w.lower() in cues.org_words for w in m.words):
                lw = [w.lower() for w in m.words]
                heads.setdefault(lw[lw.index("of") - 1] if "of" in lw[1:] else lw[-1], set()).add(m.key)
                if lw[0] not in cues.org_words and lw[0] not in _CONNECT and lw[0] not in cues.places:
                    heads.setdefault(lw[0], set()).add(m.key)  # "Millbrook" for "Millbrook Elementary School"
        for m in ms:
            if len(m.words) == 1 and m.key in heads and m.key not in lasts_all:
                fulls = heads[m.key]
                if len(fulls) == 1:
                    single_to_full.setdefault(m.key, set()).update(fulls)
                else:
                    ambiguous.add(m.key)
    surnames = set()
    for single, fulls in single_to_full.items():
        if len(fulls) == 1 and single not in ambiguous:
            uf.join(single, next(iter(fulls)))
            if single in lasts_all:
                surnames.add(next(iter(fulls)))
        else:
            ambiguous.add(single)
    # --- a name that lost its opening word joins the only longer name ending with it
    keys = {m.key for m in mentions}
    for m in mentions:
        if "cut" in m.cues:
            longer = {k for k in keys if k.endswith(" " + m.key)}
            if len(longer) == 1:
                uf.join(m.key, next(iter(longer)))
    # --- acronyms: defined in parentheses, else the only multi-word name with those initials
    defined: dict[str, set[str]] = {}
    for m in mentions:
        if m.acr:
            defined.setdefault(m.acr, set()).add(m.key)
    acronyms = {m.words[0] for m in mentions if len(m.words) == 1 and _ACRONYM.match(m.words[0])}
    by_initials: dict[str, set[str]] = {}
    for m in mentions:
        if len(m.words) >= 2:
            ini = _initials(m.words)
            if len(ini) >= 2:
                by_initials.setdefault(ini, set()).add(m.key)
    for acr in acronyms:
        fulls = defined.get(acr) or by_initials.get(acr.replace(".", ""), set())
        if len(fulls) == 1:
            uf.join(acr.lower(), next(iter(fulls)))
    # --- actors: members, surfaces, cues
    persons = {m.key for m in mentions if len(m.words) >= 2 and _person_shaped(m.words, cues)}
    person_lasts = {k.split()[-1] for k in persons}
    # a one-word name that only ever opens a sentence ("Immigration advocates said") needs
    # support: the same word alone elsewhere, a surname, or the gazetteer
    alone = {m.key for m in mentions if len(m.words) == 1 and not m.opening}
    mentions = [m for m in mentions if not (m.opening and len(m.words) == 1) or m.key in alone
                or m.key in person_lasts or m.key in cues.places or m.key in single_to_full]
    # a lone generic word ("the Road", "the Bank") that joined no full name says nothing
    mentions = [m for m in mentions if not (len(m.words) == 1 and (m.key in cues.org_words or m.key in cues.place_words)
                                            and m.key not in cues.org_standalone and uf.find(m.key) == m.key)]
    members: dict[str, list[_Mention]] = {}
    for m in mentions:
        if m.key in ambiguous or cues.places.get(m.key) == "demonym":
            continue  # an ambiguous surname; an adjective of nationality ("Spanish") is not an actor
        if len(m.words) == 1 and m.key.endswith("s") and m.key[:-1] in person_lasts:
            continue  # "the Lavoies": a family, not a new actor
        members.setdefault(uf.find(m.key), []).append(m)
    cap_names = {m.key for m in mentions}
    rows = []
    for root, ms in members.items():
        full = [m for m in ms if len(m.words) >= 2] or ms
        canon_key = Counter(m.key for m in full).most_common(1)[0][0]
        canon = Counter(m.surface for m in ms if m.key == canon_key).most_common(1)[0][0]
        canon_words = next(m.words for m in ms if m.key == canon_key)
        surfaces = Counter(m.surface for m in ms) + Counter(m.titled for m in ms if m.titled)
        cue = Counter(c for m in ms for c in m.cues)
        if len(canon_words) == 1 and canon_key.endswith("s") and canon_key[:-1] in cap_names:
            cue["plural-name"] += 1
        kind, why = _decide_kind(canon_words, cue, len(ms), surname=root in surnames or canon_key in surnames, cues=cues)
        aliases = [canon] + [s for s, _ in surfaces.most_common() if s != canon]
        rows.append({"actor": canon, "kind": kind, "aliases": aliases, "cue": why, "n": len(ms), "match_case": True})
    # --- groups of people named by common nouns
    gverbs: dict[str, Counter] = {}
    for h, m, *_ in groups:
        keep_mod = m and (bigrams.get((m, h), 0) >= max(2, min_mentions) or h in cues.generic_groups)
        name = f"{m} {h}" if keep_mod else h
        gverbs.setdefault(name, Counter())[h] += 1
    for name, c in gverbs.items():
        rows.append({"actor": name, "kind": "group", "aliases": [name], "cue": "plural noun naming people as a subject",
                     "n": sum(c.values()), "match_case": False})
    if not rows:
        return pd.DataFrame(columns=DISCOVERY_COLUMNS + ["match_case"])
    # --- one alias, one actor: known aliases first, then the most mentioned candidate
    rows.sort(key=lambda r: -r["n"])
    taken = set(known_alias)
    table = []
    for r in rows:
        keep = []
        for a in r["aliases"]:
            k = a.lower()
            if k in taken or k in cues.ignore:
                continue
            taken.add(k)
            keep.append(a)
        if not keep or r["actor"].lower() in known_alias:
            continue
        if keep[0] != r["actor"]:
            r["actor"] = keep[0]
        r["aliases"] = tuple(keep)
        table.append(r)
    if not table:
        return pd.DataFrame(columns=DISCOVERY_COLUMNS + ["match_case"])
    found = pd.DataFrame(table)
    names = set(found["actor"])
    both = pd.concat([found[TABLE_COLUMNS], known_table.reindex(columns=TABLE_COLUMNS)], ignore_index=True)
    both["match_case"] = both["match_case"].fillna(False).astype(bool)
    sents = corpus.sentences
    hits = find_mentions(sents[[c for c in ("sent_id", "doc_id", "source", "text", "norm") if c in sents.columns]], both)
    hits = hits[hits["actor"].isin(names)]
    stats = hits.groupby("actor").agg(mentions=("sent_id", "size"), documents=("doc_id", "nunique"),
                                      sources=("source", "nunique"))
    ex = hits.drop_duplicates(["actor", "sent_id"]).groupby("actor")["sent_id"].agg(lambda s: "; ".join(s.head(3)))
    found = found.join(stats, on="actor").join(ex.rename("example_sent_ids"), on="actor")
    found[["mentions", "documents", "sources"]] = found[["mentions", "documents", "sources"]].fillna(0).astype(int)
    found["example_sent_ids"] = found["example_sent_ids"].fillna("")
    found = found[found["mentions"] >= max(1, min_mentions)]
    found = found.sort_values(["documents", "mentions", "actor"], ascending=[False, False, True], kind="stable")
    if top is not None:
        found = found.head(int(top))
    out = found[DISCOVERY_COLUMNS + ["match_case"]].reset_index(drop=True)
    out.attrs["ambiguous"] = sorted(ambiguous)
    return out


# ---------------------------------------------------------------------------- evaluation
_KIND_OF = {"country": "place"}


def score_discovery(corpus: CorpusLike, table: pd.DataFrame, gold: dict) -> pd.DataFrame:
    """Precision and recall of an actor table against hand labels, document by document.

    ``gold``: ``{doc_id: [{"actor", "kind", "aliases"}, ...]}`` (see
    ``tests/fixtures/unseen/actors_gold.json``; keys starting with ``_`` are ignored). In each
    document, the *found* actors are the table's actors mentioned there (:func:`find_mentions`);
    a found actor and a labelled actor match when they share an alias (ignoring case; a group's
    name may also be the other's tail: "advocates" and "medical freedom advocates"). Returns
    one row per document: ``doc_id, found, labelled, correct_found`` (found actors matching a
    label), ``correct_labelled`` (labels matched), ``precision, recall, kind_agreement`` (share
    of matched pairs with the same kind; a packaged country counts as a place), plus a final
    ``all`` row pooling every document (micro average).
    """
    hits = find_mentions(corpus.sentences, table)
    aliases = {a: {x.lower() for x in al} | {a.lower()} for a, al in zip(table["actor"], table["aliases"])}
    kinds = dict(zip(table["actor"], table["kind"]))
    rows = []
    for doc, labels in gold.items():
        if doc.startswith("_"):
            continue
        found = sorted(set(hits.loc[hits["doc_id"] == doc, "actor"]))
        lab = [({x.lower() for x in g["aliases"]} | {g["actor"].lower()}, g.get("kind", "")) for g in labels]
        def same(a: str, g: set[str]) -> bool:
            return bool(aliases[a] & g) or kinds[a] == "group" and any(
                x.endswith(" " + y) or y.endswith(" " + x) for x in aliases[a] for y in g)

        ok_found = [a for a in found if any(same(a, g) for g, _ in lab)]
        ok_lab = [g for g, _ in lab if any(same(a, g) for a in found)]
        pairs = [(a, k) for a in found for g, k in lab if same(a, g)]
        agree = sum(_KIND_OF.get(kinds[a], kinds[a]) == k for a, k in pairs)
        rows.append({"doc_id": doc, "found": len(found), "labelled": len(lab), "correct_found": len(ok_found),
                     "correct_labelled": len(ok_lab), "kind_pairs": len(pairs), "kind_agree": agree})
    out = pd.DataFrame(rows)
    total = out.drop(columns="doc_id").sum()
    out = pd.concat([out, pd.DataFrame([{"doc_id": "all", **total.to_dict()}])], ignore_index=True)
    out["precision"] = out["correct_found"] / out["found"].where(out["found"] > 0)
    out["recall"] = out["correct_labelled"] / out["labelled"].where(out["labelled"] > 0)
    out["kind_agreement"] = out["kind_agree"] / out["kind_pairs"].where(out["kind_pairs"] > 0)
    return out.drop(columns=["kind_pairs", "kind_agree"])


# ---------------------------------------------------------------------------- the lenses' table
_RESOLVED: dict[tuple, tuple] = {}


def resolve(corpus: CorpusLike, actors: str | Path | pd.DataFrame | None = "", *, top: int | None = DEFAULT_TOP,
            min_mentions: int = 2) -> pd.DataFrame:
    """The actor table every lens uses for ``corpus``: the one place where it is decided.

    * ``actors`` a table (DataFrame) or a path: that table, as given (your table takes
      precedence: nothing is discovered);
    * ``actors`` ``""`` or None (the notebooks' default): the packaged table of countries and
      international organisations (``data/actors.toml``) **plus** the actors discovered in the
      corpus (:func:`discover` with ``top`` and ``min_mentions``, never repeating a packaged
      alias).

    ``table.attrs["origin"]`` says which (``"given"``, ``"file"`` or ``"packaged+discovered"``)
    and :func:`describe` turns it into the sentence the reports print. The result is cached per
    corpus object, so the sentiment and framing lenses get the very same table.
    """
    if isinstance(actors, pd.DataFrame):
        if "origin" not in actors.attrs:
            actors = actors.copy()
            actors.attrs["origin"] = "given"
        return actors
    if actors:
        table = load_actors(actors).copy()
        table.attrs.update(origin="file", path=str(actors))
        return table
    key = (id(corpus), top, min_mentions)
    hit = _RESOLVED.get(key)
    if hit is not None and hit[0] is corpus:
        return hit[1]
    packaged = load_actors()
    found = discover(corpus, top=top, min_mentions=min_mentions, known=packaged)
    table = pd.concat([found.reindex(columns=TABLE_COLUMNS), packaged], ignore_index=True)
    table["match_case"] = table["match_case"].fillna(False).astype(bool)
    table.attrs.update(origin="packaged+discovered", discovered=found, n_packaged=len(packaged),
                       path=str(default_actors_path()))
    if len(_RESOLVED) > 8:
        _RESOLVED.clear()
    _RESOLVED[key] = (corpus, table)
    return table


def discovered(table: pd.DataFrame) -> pd.DataFrame:
    """The discovered part of a table from :func:`resolve` (empty for a given table)."""
    return table.attrs.get("discovered", pd.DataFrame(columns=DISCOVERY_COLUMNS + ["match_case"]))


def describe(table: pd.DataFrame) -> str:
    """One paragraph saying where a :func:`resolve` table comes from, for the reports."""
    origin = table.attrs.get("origin", "given")
    if origin == "file":
        return (f"Actors: your table `{table.attrs.get('path')}` ({len(table)} actors); nothing was discovered "
                "(your table takes precedence).")
    if origin == "given":
        return f"Actors: the table passed in ({len(table)} actors); nothing was discovered."
    found = discovered(table)
    names = ", ".join(f"{a} ({k})" for a, k in zip(found["actor"].head(12), found["kind"].head(12)))
    more = f" and {len(found) - 12} more" if len(found) > 12 else ""
    return (
        "No actor table was given, so the actors are the packaged table of countries and international "
        f"organisations ({table.attrs.get('n_packaged', 0)} actors, `framelens/data/actors.toml`) plus "
        f"{len(found)} actors discovered in this corpus by rule (framelens.actors.discover: proper-name "
        "sequences, titles, acronyms and groups acting as subjects, with aliases merged)"
        + (f": {names}{more}." if len(found) else ".")
        + " Discovery is rule-based: check the table below, then write it with "
        "`framelens actors suggest CORPUS > my_actors.toml`, edit it, and pass it back with "
        "`--param actors=my_actors.toml`."
    )


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_toml(table: pd.DataFrame, *, corpus_name: str = "", only_mentioned: pd.DataFrame | None = None) -> str:
    """An actor table as TOML in the format :func:`load_actors` reads (round trip).

    Discovered actors (a table from :func:`resolve` or :func:`discover`) carry a comment with
    their kind's cue and their counts, so the file is ready to review: delete a block, merge two,
    fix a kind, add an alias. ``only_mentioned``: a mentions table; packaged actors the corpus
    never mentions are then left out.
    """
    found = discovered(table) if "origin" in table.attrs else table
    stats = {r["actor"]: r for r in found.to_dict("records")} if "mentions" in found.columns else {}
    lines = ["# framelens actor table" + (f" suggested for {corpus_name}" if corpus_name else ""),
             "# Review it: delete actors you do not want, fix kinds, merge aliases, then pass it back with",
             "#   framelens run --param actors=THIS_FILE   (or actors = \"THIS_FILE\" in a notebook).",
             "# Format: see framelens/data/actors.toml. match_case = true: aliases match only as written.", ""]
    mentioned = set(only_mentioned["actor"]) if only_mentioned is not None else None
    sections = [("discovered in the corpus", [r for r in table.to_dict("records") if r["actor"] in stats]),
                ("from the packaged table", [r for r in table.to_dict("records") if r["actor"] not in stats
                                             and (mentioned is None or r["actor"] in mentioned)])]
    for title, rows in sections:
        if not rows:
            continue
        lines += [f"# ---- {title} " + "-" * max(4, 80 - len(title)), ""]
        for r in rows:
            s = stats.get(r["actor"])
            if s is not None:
                lines.append(f"# {s['kind']} ({s['cue']}): {s['mentions']} mentions in {s['documents']} documents, "
                             f"{s['sources']} sources; e.g. {s['example_sent_ids']}")
            lines += ["[[actor]]", f"name = {_toml_str(r['actor'])}", f"kind = {_toml_str(str(r['kind']))}",
                      "aliases = [" + ", ".join(_toml_str(a) for a in r["aliases"]) + "]"]
            if bool(r.get("match_case", False)):
                lines.append("match_case = true")
            lines.append("")
    return "\n".join(lines)


def suggest(corpus: CorpusLike, *, top: int | None = DEFAULT_TOP, min_mentions: int = 2, corpus_name: str = "") -> str:
    """The TOML of the table a corpus gets by default (discovered actors, then the packaged
    actors it mentions): what ``framelens actors suggest CORPUS`` prints."""
    table = resolve(corpus, "", top=top, min_mentions=min_mentions)
    ment = find_mentions(corpus.sentences, table)
    return to_toml(table, corpus_name=corpus_name, only_mentioned=ment)
