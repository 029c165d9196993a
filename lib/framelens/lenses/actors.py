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

from typing import TYPE_CHECKING, Mapping, Sequence

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from framelens.errors import fail, parse_toml
from framelens.text.tokens import column_values, load_stopwords, trie_regex

if TYPE_CHECKING:  # annotations only: no import cost
    from framelens.read.corpus import CorpusLike
from framelens.text.tagging import pos_tags, subject_verbs

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
        self._tables: dict[int, tuple] = {}  # id(sentences) -> (weak reference, mentions table)

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
    if len(_MATCHERS) >= 8:  # one table per corpus or partition: keep the last few, not every one
        _MATCHERS.clear()
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
    # the actor measures of a partition (agency, quotations, coverage, prominence) all ask for the
    # mentions of the same sentences table: found once per table and matcher, each caller a copy
    hit = m._tables.get(id(sentences))
    if hit is not None and hit[0]() is sentences and hit[1] == len(sentences):
        return hit[2].copy()
    rows = []
    norm = sentences["norm"] if "norm" in sentences.columns else sentences["text"]
    for sid, did, src, text, plain in zip(sentences["sent_id"].tolist(), sentences["doc_id"].tolist(),
                                         sentences["source"].tolist(), sentences["text"].tolist(), norm.tolist()):
        for actor, kind, alias, s, e, poss in m.find(text, plain):
            rows.append((sid, did, src, actor, kind, alias, s, e, poss))
    out = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    try:
        import weakref

        m._tables = {k: v for k, v in m._tables.items() if v[0]() is not None}
        m._tables[id(sentences)] = (weakref.ref(sentences), len(sentences), out)
    except TypeError:  # pragma: no cover - not weak-referenceable
        return out
    return out.copy()


# =============================================================================================
# Actor discovery: the actors of a corpus found in the corpus itself
# =============================================================================================
#
# Transparent rules, no model and no download (see :func:`discover`). The cue lists live in
# ``data/actor_cues.toml`` and the place gazetteer in ``data/places.toml``.

DISCOVERY_COLUMNS = ["actor", "kind", "aliases", "mentions", "documents", "sources", "cue", "example_sent_ids"]
KINDS = ("person", "organization", "place", "group", "unknown")
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
        self.title_first = frozenset(t[0] for t in self.titles if t)
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
        parts = [p for p in t.split("-") if p]
        return all(p[:1].isupper() or p[:1].isdigit() for p in parts) and any(len(p) >= 2 for p in parts)
    return True


class _Mention:
    """One candidate name in one sentence. ``lead``: the lower-cased opening word of the sentence
    when the name starts with it (whether it belongs to the name is decided by the reduce, from
    corpus-wide case counts); ``tail``: the name without it (words, surface)."""
    __slots__ = ("doc", "source", "sent", "surface", "key", "words", "title", "titled", "cues", "acr", "opening",
                 "lead", "tail")

    def __init__(self, doc, source, sent, surface, words, title, titled, cues, acr):
        self.doc, self.source, self.sent = doc, source, sent
        self.surface, self.words = surface, words
        self.key = " ".join(w.lower() for w in words)
        self.title, self.titled, self.cues, self.acr = title, titled, cues, acr
        self.opening = False
        self.lead = ""
        self.tail: tuple[list[str], str] | None = None


def _match_title(low: list[str], k: int, cues: Cues) -> int:
    """Length (in tokens, dots included) of the longest title starting at token ``k``, else 0."""
    best = 0
    words: list[str] = []
    j = k
    while j < len(low) and low[j] == ".":
        j += 1
    if j >= len(low) or low[j].replace(".", "") not in cues.title_first:
        return 0  # no title starts with this word
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


def _name_word(t: str, lo: str, ignore, stop) -> bool:
    """:meth:`_Sentence.name_tok` of a token ``t`` (lower-cased ``lo``): a pure function of the word."""
    if _ACRONYM.match(t):
        return lo.replace(".", "") not in ignore
    if not _cap_word(t) or lo in ignore or lo.rstrip(".") in ignore or lo.endswith("s") and lo[:-1] in ignore:
        return False
    return lo not in stop


class _Sentence:
    """One tokenized sentence and the rules that read candidate names in it."""
    def __init__(self, toks, low, tags, lemmas, starts, ends, text, cues: Cues, stop, places, names=None):
        self.toks, self.low, self.tags, self.lemmas = toks, low, tags, lemmas
        self.starts, self.ends, self.text = starts, ends, text
        self.cues, self.stop, self.places = cues, stop, places
        self.n = len(toks)
        self.names = names  # name_tok of each token, when computed beforehand (once per distinct word)

    def initial(self, j: int) -> bool:
        """The first word, or the first after a quote, colon, bullet or list number ("2. Insurance")."""
        toks = self.toks
        return j == 0 or toks[j - 1] in _OPENERS or toks[j - 1] == "." and (j == 1 or toks[j - 2].isdigit()) \
            or j == 1 and toks[0].rstrip(".").isdigit()

    def name_tok(self, j: int) -> bool:
        """A capitalized word or an acronym that may be part of a name. An opening word is taken
        for now; the reduce keeps it only if the corpus' case counts allow it (:func:`_lead_ok`)."""
        if self.names is not None:
            return self.names[j]
        return _name_word(self.toks[j], self.low[j], self.cues.ignore, self.stop)

    def _ends_in_org(self, k: int) -> bool:
        last = ""
        while k < self.n and self.name_tok(k):
            last = self.low[k]
            k += 1
        return last in self.cues.org_words

    def _org_of(self, a0: int, k: int) -> bool:
        """The run so far is "<organisation word> of/for ..." ("Centers for Disease Control")."""
        ws = self.low[a0:k]
        return any(w in self.cues.org_words for w in ws) and any(w in ("of", "for") for w in ws) \
            and k < self.n and self.name_tok(k)

    def run_end(self, a: int) -> int:
        """The end of the name run starting at ``a``."""
        toks, low, n, cues, name_tok = self.toks, self.low, self.n, self.cues, self.name_tok
        j = a + 1
        while j < n:
            if j == a + 1 and self.initial(a) and not _ACRONYM.match(toks[a]) \
                    and not (name_tok(j) or _PARTICLE_HYPHEN.match(toks[j])):
                break  # an opening word extends only to a name right after it ("Critics of the EPA")
            if name_tok(j) or _PARTICLE_HYPHEN.match(toks[j]):
                j += 1
            elif toks[j] == "." and (low[j - 1] in _ABBREV_DOT or len(toks[j - 1]) == 1 and toks[j - 1].isupper()
                                     or tuple([low[j - 1]]) in cues.titles) and j + 1 < n and name_tok(j + 1):
                j += 1
            elif low[j] in _CONNECT and j + 1 < n and (name_tok(j + 1) or low[j + 1] == "the" and j + 2 < n
                                                      and name_tok(j + 2)) \
                    and not (j - a >= 2 and _person_shaped([toks[x] for x in range(a, j)], cues)):
                j += 1  # "Bank of England", but "Ruth Amadi of the Patients' Association" is two names
            elif low[j] == "and" and (self._ends_in_org(j + 1) or self._org_of(a, j + 1)):
                j += 1  # "Belt and Road Initiative", "Centers for Disease Control and Prevention"
            elif toks[j] == "'" and toks[j - 1].endswith("s") and j + 1 < n and _cap_word(toks[j + 1]) \
                    and low[j + 1] in cues.org_words:
                j += 2  # "Patients' Association"
            else:
                break
        return j

    def pieces(self, a: int, b: int) -> list[tuple[int, int, str, str]]:
        """The run split at titles inside it ("Kazakh President Kassym-Jomart Tokayev"):
        (start, stop, title text, "affiliation" for a name before a title)."""
        k, out = a, []
        seg_start, pending_title = a, ""
        while k < b:
            tl = _match_title(self.low, k, self.cues)
            if tl:
                if k > seg_start:
                    out.append((seg_start, k, pending_title, "affiliation"))
                pending_title = self.text[self.starts[k]:self.ends[k + tl - 1]]
                k += tl
                seg_start = k
            else:
                k += 1
        if seg_start < b:
            out.append((seg_start, b, pending_title, ""))
        return out

    def title_before(self, s: int, e: int, words: list[str], surface: str) -> tuple[list[str], str]:
        """Cues from a title (possibly lower-case) or a role noun right before the name ("shop
        steward Gary Lyle", "her daughter, Anne, said"); returns the cues and the titled form."""
        toks, low, tags, cues = self.toks, self.low, self.tags, self.cues
        back = s - 1
        if back >= 0 and toks[back] == ".":
            back -= 1
        found = ""
        for width in range(min(cues.title_max, back + 1), 0, -1):
            ws = tuple(low[x].replace(".", "") for x in range(back - width + 1, back + 1))
            if ws in cues.titles:
                found = self.text[self.starts[back - width + 1]:self.ends[back]]
                break
        if found:
            titled = self.text[self.starts[back - len(found.split()) + 1]:self.ends[s - 1]] + " " + surface \
                if found[:1].isupper() else ""
            return ["title:" + found.replace(".", "")], titled
        if back >= 0 and tags[back] == "NN" and toks[back].islower() and len(words) >= 2:
            return ["role:" + toks[back]], ""
        if back >= 1 and toks[back] == "," and tags[back - 1] == "NN" and toks[back - 1].islower() \
                and e < self.n and toks[e] == ",":
            # "her daughter, Anne, said" (a person); "the capital, Lima," (a place)
            place = low[back - 1] in cues.place_of_nouns
            return [("of-place" if place else "role:") + ("" if place else toks[back - 1])], ""
        return [], ""

    def after(self, b: int) -> tuple[list[str], str]:
        """Cues from the words after the run (an organisation or place noun, ", who", ", which",
        an age, an apposition, a title: an affiliation) and an acronym defined in parentheses."""
        toks, low, n, cues = self.toks, self.low, self.n, self.cues
        c: list[str] = []
        acr = toks[b + 1] if b + 2 < n and toks[b] == "(" and toks[b + 2] == ")" and _ACRONYM.match(toks[b + 1]) else ""
        if b < n and low[b] in cues.org_after:
            c.append("after:" + low[b])
        elif b < n and low[b] in cues.place_after:
            c.append("place-after:" + low[b])
        if b + 1 < n and toks[b] == ",":
            if low[b + 1] == "who":
                c.append("who")
            elif low[b + 1] == "which":
                c.append("which")
            elif b + 2 < n and _AGE.match(toks[b + 1]) and toks[b + 2] == ",":
                c.append("age")
            elif low[b + 1] in ("a", "an", "the"):
                c.extend(_appositive(toks, self.tags, b + 2, cues))  # "Jane Collins, a nurse from"
        tl = _match_title(low, b, cues) if b < n else 0
        if tl and b + tl < n and self.name_tok(b + tl):
            c.append("affiliation")
        return c, acr

    def before(self, s: int) -> list[str]:
        """Cues from the words before the name: "the", a locative preposition, "the town of"."""
        low, cues = self.low, self.cues
        c: list[str] = []
        p = s - 1
        if p >= 0 and low[p] == "the":
            c.append("the")
            p -= 1
        if p >= 0 and low[p] in cues.place_preps:
            c.append("in")
        elif p >= 1 and low[p] == "of" and (low[p - 1] in cues.place_of_nouns):
            c.append("of-place")
        return c

    def acts(self, s: int, b: int) -> list[str]:
        """The name speaks ("Ribera said", "said Claire Dubois"), modifies a noun ("her
        Conservative rival") or follows a number ("2 degrees Celsius": a unit)."""
        toks, n = self.toks, self.n
        c = []
        if b < n and self.lemmas[b].lower() in _SPEECH or s >= 1 and self.lemmas[s - 1].lower() == "say":
            c.append("speaks")
        if b < n and toks[b].isalpha() and toks[b].islower() and self.tags[b].startswith("NN"):
            c.append("mod")
        return c


def _sentence_candidates(toks, low, tags, lemmas, starts, ends, text, doc, source, sent, cues, stop,
                         places, *, names=None, particles=None) -> list[_Mention]:
    """The candidate names of one sentence: runs of name words, split at titles, with their cues.
    ``names`` / ``particles``: each token's ``name_tok`` and particle-hyphen test, when computed
    beforehand (the same values)."""
    st = _Sentence(toks, low, tags, lemmas, starts, ends, text, cues, stop, places, names)
    out: list[_Mention] = []
    j = 0
    if names is not None and particles is not None and not any(names) and not any(particles):
        return out  # no token can start a run
    while j < st.n:
        if not (st.name_tok(j) or ((particles[j] if particles is not None else _PARTICLE_HYPHEN.match(toks[j]))
                                   and j > 0 and st.name_tok(j - 1))):
            j += 1
            continue
        a, b = j, st.run_end(j)
        j = b
        pieces = st.pieces(a, b)
        for idx, (s, e, title, role) in enumerate(pieces):
            m = _piece_mention(st, s, e, title, role, first=idx == 0, last=idx == len(pieces) - 1, b=b,
                               ids=(doc, source, sent))
            if m is not None:
                out.append(m)
    return out


def _piece_mention(st: _Sentence, s: int, e: int, title: str, role: str, *, first: bool, last: bool, b: int,
                   ids: tuple) -> _Mention | None:
    """One piece of a run as a candidate name with its cues (None: not a name)."""
    toks, low, cues = st.toks, st.low, st.cues
    while s < e and (low[s] in _CONNECT or toks[s] == "."):
        s += 1
    while e > s and (low[e - 1] in _CONNECT or toks[e - 1] == "."):
        e -= 1
    if e <= s:
        return None
    words = [toks[x] for x in range(s, e) if toks[x] not in (".", "'")]
    if len(words) == 1:
        w = words[0]
        if (len(w) == 1 or len(w) == 2 and not (_ACRONYM.match(w) or w.istitle())) or w.lower() in cues.person_suffixes:
            return None  # "Xi", "Li" and "EU" stay; "A", "Q" and "Ph" do not
        if role == "affiliation" and w.lower() in cues.place_of_nouns:
            return None  # "State Senator X", "City Councillor X": not an actor "State"
    surface = st.text[st.starts[s]:st.ends[e - 1]]
    if "-" in surface and all(p.strip().lower() in st.places for p in surface.split("-")):
        return None  # "Spain-France relations": a compound of places
    c: list[str] = []
    titled = ""
    if title:
        c.append("title:" + title.replace(".", ""))
        titled = f"{title} {surface}" if title[:1].isupper() else ""
    elif first:
        c, titled = st.title_before(s, e, words, surface)
    if role == "affiliation" or not last:
        c.append("affiliation")
    acr = ""
    if last:
        after, acr = st.after(b)
        c += after
    c += st.before(s)
    if last:
        c += st.acts(s, b)
    if s >= 1 and (toks[s - 1][:1].isdigit() or s >= 2 and toks[s - 2][:1].isdigit() and toks[s - 1].islower()):
        c.append("num")
    mention = _Mention(*ids, surface, words, title, titled, c, acr)  # "Jr", "Sr" stay in the key
    mention.opening = st.initial(s) and not title
    if mention.opening and _cap_word(toks[s]) and not _ACRONYM.match(toks[s]):
        mention.lead = low[s]
        t0 = s + 1
        while t0 < e and (low[t0] in _CONNECT or toks[t0] in (".", "'")):
            t0 += 1
        if t0 < e:
            mention.tail = ([toks[x] for x in range(t0, e) if toks[x] not in (".", "'")],
                            st.text[st.starts[t0]:st.ends[e - 1]])
    if s == 1 and st.initial(0) and _cap_word(toks[0]) and not title or s >= 2 and toks[s - 1] in _CONNECT \
            and st.initial(s - 2) and _cap_word(toks[s - 2]):
        c.append("cut")  # "Parents for Medical Choice, founded ..." read as "Medical Choice"
    return mention


def _appositive(toks, tags, k: int, cues: Cues) -> list[str]:
    """The head noun of an apposition after a name (", a nurse from", ", the regulator"): a role
    (a person) or, when it is an organisation noun, ``after:`` (an organisation)."""
    while k < len(toks) and tags[k] in ("JJ", "NN", "VBN", "VBG") and toks[k].islower() \
            and k + 1 < len(toks) and tags[k + 1] in ("JJ", "NN") and toks[k + 1].islower():
        k += 1
    if k >= len(toks) or tags[k] != "NN" or not toks[k].isalpha() or not toks[k].islower():
        return []
    w = toks[k]
    return ["after:" + w] if w in cues.org_after or w in cues.org_words else ["role:" + w]


def _group_candidates(toks, low, tags, lemmas, sent, doc, source, cues) -> list[tuple[str, str, str, str]]:
    """(name, head, modifier, sent) for plural common-noun subjects that name people."""
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
_SPEECH = {"say", "tell", "add", "argue", "warn", "write", "explain", "note", "claim", "insist", "announce",
           "state", "reply", "respond", "testify", "acknowledge", "admit", "deny", "urge", "ask"}


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


# ---------------------------------------------------------------------------- the map
#
# Discovery is a map over corpus partitions and a reduce (the store runs the map on each stored
# partition): the map returns text-free rows (one per candidate name and per plural subject,
# written per partition) and mergeable counts (how each word is written, pairs of words); the
# reduce merges the counts, reads the rows back one partition at a time, and resolves kinds,
# aliases and merges. Any partitioning gives the same table.

CANDIDATE_COLUMNS = ["doc_id", "source", "sent_id", "pos", "key", "words", "surface", "title", "titled", "cues",
                     "acr", "opening", "lead", "tail_words", "tail_surface"]
GROUP_COLUMNS = ["doc_id", "source", "sent_id", "pos", "head", "mod"]
_TERMINAL = set('.!?"”’\')')


def _headline(toks: list[str]) -> bool:
    """A headline or Title-Case line, not mined for names: no closing punctuation, and at least
    half of the words after the first capitalized ("Climate Billionaire Elon Musk Quits Donald
    Trump", "Watch CNN", "Twitter Gags Scientists")."""
    if not toks or toks[-1][-1:] in _TERMINAL:
        return False
    words = [t for t in toks[1:] if t[:1].isalpha()]
    return bool(words) and 2 * sum(t[:1].isupper() for t in words) >= len(words)


def _case_counts(codes: np.ndarray, vocab, toks: np.ndarray, initial: np.ndarray, *,
                 cap: np.ndarray | None = None, lower: np.ndarray | None = None) -> pd.DataFrame:
    """How each word is written: ``mid`` (uses not opening a sentence), ``mid_cap`` (of them
    capitalized), ``lower`` (uses starting in lower case anywhere). ``cap`` / ``lower``: each
    token's first-character tests, when made beforehand (:func:`_char_tests`)."""
    k = len(vocab)
    if cap is None:
        cap = np.fromiter((t[:1].isupper() for t in toks), dtype=bool, count=len(toks))
    if lower is None:
        lower = np.fromiter((t[:1].islower() for t in toks), dtype=bool, count=len(toks))
    out = pd.DataFrame({"word": np.asarray(vocab, dtype=object),
                        "mid": np.bincount(codes[~initial], minlength=k),
                        "mid_cap": np.bincount(codes[~initial & cap], minlength=k),
                        "lower": np.bincount(codes[lower], minlength=k)})
    return out[out["word"].str[:1].str.isalpha()].reset_index(drop=True)


def _pair_counts(low: np.ndarray, first: np.ndarray, heads: np.ndarray) -> pd.DataFrame:
    """Adjacent word pairs whose second word can head a group ("oil companies"), counted."""
    keep = ~first[1:] & heads[1:]
    c = Counter(zip(low[:-1][keep].tolist(), low[1:][keep].tolist()))
    return pd.DataFrame([(x, y, n) for (x, y), n in c.items()], columns=["a", "b", "n"])


def _group_occurrences(low, toks, sid, first, initial, meta, pos, heads: np.ndarray, *,
                       lower: np.ndarray | None = None) -> pd.DataFrame:
    """Every use of a word that can head a group ("parents", "oil companies"), written in lower
    case or opening a sentence, with the word before it: what a group's mentions are counted on
    (all its uses, not only as a subject)."""
    if lower is None:
        lower = np.fromiter((t[:1].islower() for t in toks), dtype=bool, count=len(toks))
    ok = heads & (lower | initial)
    rows = []
    for i in np.flatnonzero(ok).tolist():
        s = sid[i]
        if s not in meta:
            continue
        d, src, _text = meta[s]
        rows.append((d, src, s, pos[s], low[i], "" if first[i] else low[i - 1]))
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _candidate_rows(mentions: list[_Mention], pos: dict[str, int]) -> pd.DataFrame:
    rows = [(m.doc, m.source, m.sent, pos[m.sent], m.key, " ".join(m.words), m.surface, m.title, m.titled,
             "|".join(m.cues), m.acr, m.opening, m.lead, " ".join(m.tail[0]) if m.tail else "",
             m.tail[1] if m.tail else "") for m in mentions]
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def _word_tests(toks: np.ndarray, cues: Cues, stop, *, factorized=None) -> tuple[list[bool], list[bool]]:
    """Each token's :meth:`_Sentence.name_tok` and particle-hyphen test ("al-Assad"), computed once
    per distinct token (both are functions of the word alone; its lower case is ``str.lower``).
    ``factorized``: ``pd.factorize(toks)`` when made already."""
    codes, vocab = factorized if factorized is not None else pd.factorize(toks)
    nv = np.array([_name_word(t, t.lower(), cues.ignore, stop) for t in vocab], dtype=bool)
    pv = np.array([bool(_PARTICLE_HYPHEN.match(t)) for t in vocab], dtype=bool)
    return nv[codes].tolist(), pv[codes].tolist()


def _char_tests(codes: np.ndarray, vocab) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each token's first character upper case, lower case, and the token an opener (a quote,
    colon, bullet: :data:`_OPENERS`), from the distinct tokens (``pd.factorize`` of the tokens)."""
    cap = np.array([t[:1].isupper() for t in vocab], dtype=bool)[codes]
    lower = np.array([t[:1].islower() for t in vocab], dtype=bool)[codes]
    opener = np.array([t in _OPENERS for t in vocab], dtype=bool)[codes]
    return cap, lower, opener


def _may_have_groups(heads: np.ndarray, tags: np.ndarray, low: np.ndarray, first: np.ndarray,
                     bounds: list[int]) -> np.ndarray:
    """Per sentence: whether :func:`_group_candidates` can return a row — only a plural noun (or a
    sentence-opening NNP ending in s) that can head a group is ever its head."""
    plural = (tags == "NNS") | (tags == "NNPS")
    opening = first & (tags == "NNP")
    if opening.any():
        idx = np.flatnonzero(opening)
        opening[idx] = [str(low[i]).endswith("s") for i in idx]
    cand = (heads & (plural | opening)).astype(np.int64)
    return np.add.reduceat(cand, np.asarray(bounds[:-1], dtype=np.int64)) > 0


def discovery_map(corpus: CorpusLike, *, cues: str | Path | Cues | None = None) -> dict[str, pd.DataFrame]:
    """The map of :func:`discover` over one corpus partition: ``name_candidates`` and
    ``group_candidates`` (one text-free row per candidate, with its sentence id and cues),
    ``group_occurrences`` (every use of a word that can head a group, for the counts),
    ``case_counts`` and ``pair_counts`` (counts merged by the reduce). Headlines and Title-Case
    lines are not mined."""
    cues = cues if isinstance(cues, Cues) else load_cues(cues)
    tokens, sents = corpus.tokens, corpus.sentences
    toks = column_values(tokens, "token")
    n = len(toks)
    if n == 0:
        return {"name_candidates": pd.DataFrame(columns=CANDIDATE_COLUMNS),
                "group_candidates": pd.DataFrame(columns=GROUP_COLUMNS),
                "group_occurrences": pd.DataFrame(columns=GROUP_COLUMNS),
                "case_counts": pd.DataFrame(columns=["word", "mid", "mid_cap", "lower"]),
                "pair_counts": pd.DataFrame(columns=["a", "b", "n"])}
    stop = getattr(corpus, "stopwords", None) or load_stopwords()
    tags = pos_tags(corpus)
    tcodes, tvocab = pd.factorize(toks)
    low = np.asarray([t.lower() for t in tvocab], dtype=object)[tcodes]
    cap, lower, opener = _char_tests(tcodes, tvocab)
    lem = column_values(tokens, "lemma")
    sid = column_values(tokens, "sent_id")
    st, en = tokens["start"].to_numpy(), tokens["end"].to_numpy()
    first = np.ones(n, dtype=bool)
    first[1:] = sid[1:] != sid[:-1]
    prev_open = np.zeros(n, dtype=bool)
    prev_open[1:] = opener[:-1]
    text_of = (sents["norm"] if "norm" in sents.columns else sents["text"]).astype(str).tolist()
    sent_ids = sents["sent_id"].astype(str).tolist()
    meta = dict(zip(sent_ids, zip(sents["doc_id"].astype(str).tolist(), sents["source"].astype(str).tolist(), text_of)))
    pos = {s: i for i, s in enumerate(sent_ids)}
    bounds = np.flatnonzero(first).tolist() + [n]
    codes, vocab = pd.factorize(low)
    heads = np.fromiter((cues.is_people(w) or w in cues.generic_groups for w in vocab), dtype=bool,
                        count=len(vocab))[codes]  # words that can head a group
    names, particles = _word_tests(toks, cues, stop, factorized=(tcodes, tvocab))
    may_group = _may_have_groups(heads, np.asarray(tags, dtype=object), low, first, bounds)
    mentions: list[_Mention] = []
    groups: list[tuple] = []
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        s_id = sid[a]
        if s_id not in meta:
            continue
        doc, source, text = meta[s_id]
        tk, lw, tg, lm = toks[a:b].tolist(), low[a:b].tolist(), list(tags[a:b]), lem[a:b].tolist()
        if _headline(tk):
            continue
        mentions.extend(_sentence_candidates(tk, lw, tg, lm, st[a:b], en[a:b], text, doc, source, s_id, cues,
                                             stop, cues.places, names=names[a:b], particles=particles[a:b]))
        if may_group[k]:
            groups.extend((d, src, s, pos[s], h, m) for h, m, s, d, src in _group_candidates(
                tk, lw, tg, lm, s_id, doc, source, cues))
    return {"name_candidates": _candidate_rows(mentions, pos),
            "group_candidates": pd.DataFrame(groups, columns=GROUP_COLUMNS),
            "group_occurrences": _group_occurrences(low, toks, sid, first, first | prev_open, meta, pos, heads,
                                                    lower=lower),
            "case_counts": _case_counts(codes, vocab, toks, first | prev_open, cap=cap, lower=lower),
            "pair_counts": _pair_counts(low, first, heads)}


# ---------------------------------------------------------------------------- the reduce

class _Case:
    """The merged case counts: words written capitalized mid-sentence (≥ 80% of their uses
    there) and words seen in lower case; and the merged word pairs."""
    def __init__(self, partials: Sequence[Mapping[str, pd.DataFrame]]):
        c = None
        for p in partials:  # folded partition by partition: memory follows distinct words
            part = p.get("case_counts")
            if part is not None and len(part):
                both = part if c is None else pd.concat([c.reset_index(), part], ignore_index=True)
                c = both.groupby("word", sort=False)[["mid", "mid_cap", "lower"]].sum()
        if c is not None:
            self.namelike = set(c.index[(c["mid"] > 0) & (c["mid_cap"] >= 0.8 * c["mid"])])
            self.seen_lower = set(c.index[c["lower"] > 0])
        else:
            self.namelike, self.seen_lower = set(), set()
        self.mid_keys: set[str] = set()  # names seen not opening a sentence (filled by the reduce)
        pairs = [p["pair_counts"] for p in partials if "pair_counts" in p and len(p["pair_counts"])]
        self.pairs: Counter = Counter()
        if pairs:
            g = pd.concat(pairs, ignore_index=True).groupby(["a", "b"], sort=False)["n"].sum()
            self.pairs = Counter(dict(zip(g.index, g.to_numpy().tolist())))


def _lead_ok(lead: str, key: str, multi: bool, case: _Case, cues: Cues) -> bool:
    """An opening word is part of a name when the corpus writes it capitalized mid-sentence, or
    is a place; before another name, when it is never written in lower case ("Marie Lavoie"),
    starts a place ("New Zealand") or the whole name also occurs mid-sentence."""
    return lead in case.namelike or lead in cues.places or multi and (
        lead not in case.seen_lower or lead in cues.place_first or key in cues.places or key in case.mid_keys)


_BEFORE = ("title:", "role:", "in", "of-place", "the", "num")  # cues read before the name


@lru_cache(maxsize=8)
def _row_type(cols: tuple[str, ...]):
    from collections import namedtuple

    return namedtuple("_CandidateRow", cols, rename=True)


def _mentions_of(rows: pd.DataFrame, case: _Case, cues: Cues) -> list[_Mention]:
    """The partition's candidate names, their opening words decided with the corpus' case counts
    (a rejected opening word leaves the rest of the name, marked ``cut``)."""
    out = []
    # plain column lists (iterating rows of Arrow-backed columns costs a call per value)
    cols = tuple(rows.columns)
    for r in map(_row_type(cols)._make, zip(*(rows[c].tolist() for c in cols))):
        words = r.words.split(" ")
        cl = [c for c in r.cues.split("|") if c]
        if r.lead and not _lead_ok(r.lead, r.key, len(words) >= 2, case, cues):
            if not r.tail_words:
                continue
            m = _Mention(r.doc_id, r.source, r.sent_id, r.tail_surface, r.tail_words.split(" "), "", "",
                         [c for c in cl if not c.startswith(_BEFORE)] + ["cut"], r.acr)
        else:
            m = _Mention(r.doc_id, r.source, r.sent_id, r.surface, words, r.title, r.titled, cl, r.acr)
            m.opening = bool(r.opening)
        out.append(m)
    return out


def _suffixed(words: list[str], cues: Cues) -> bool:
    return words[-1].lower().rstrip(".") in cues.person_suffixes


def _surname_of(m: _Mention, cues: Cues) -> tuple[str, str] | None:
    """(surname, first word) of a person-shaped full name; None for names with Jr/Sr (a son does
    not take the bare surname) or not person-shaped."""
    if len(m.words) < 2 or not _person_shaped(m.words, cues) or m.words[-1].lower().rstrip(".") in cues.person_suffixes:
        return None
    return m.words[-1].lower(), m.words[0].lower()


def _org_heads(m: _Mention, cues: Cues) -> list[str]:
    """The words of an organisation's name that may stand for it alone ("the Bank", "Millbrook"
    for "Millbrook Elementary School"); never a place inside the name ("Texas", "Europe")."""
    lw = [w.lower() for w in m.words]
    if len(lw) < 2 or not any(w in cues.org_words for w in lw):
        return []
    conn = next((i for i, w in enumerate(lw[1:], 1) if w in ("of", "for")), None)
    heads = [lw[conn - 1] if conn else lw[-1]]
    if lw[0] not in cues.org_words and lw[0] not in _CONNECT:
        heads.append(lw[0])
    return [h for h in heads if h not in cues.places]


class _Evidence:
    """Everything the resolution needs, merged partition by partition (in corpus order): per
    candidate name its counts, surfaces, titled forms and cues; per document the surname, head
    and acronym links (votes of documents); the plural subjects."""
    def __init__(self):
        self.words: dict[str, list[str]] = {}
        self.n, self.n_alone = Counter(), Counter()
        self.surfaces: dict[str, Counter] = {}
        self.titled: dict[str, Counter] = {}
        self.cues: dict[str, Counter] = {}
        self.defined: dict[str, set[str]] = {}
        self.cut: set[str] = set()
        self.persons: set[str] = set()
        self.lasts_all: set[str] = set()
        self.votes: dict[str, Counter] = {}
        self.heads: dict[str, Counter] = {}
        self.split, self.head_split = Counter(), Counter()
        self.cooc = Counter()
        self.groups = Counter()
        self._shapes: dict[tuple, tuple] = {}

    def add(self, mentions: list[_Mention], groups: pd.DataFrame, cues: Cues) -> None:
        by_doc: dict[str, list[_Mention]] = {}
        for m in mentions:
            self.words.setdefault(m.key, m.words)
            self.n[m.key] += 1
            self.n_alone[m.key] += not m.opening
            self.surfaces.setdefault(m.key, Counter())[m.surface] += 1
            if m.titled:
                self.titled.setdefault(m.key, Counter())[m.titled] += 1
            self.cues.setdefault(m.key, Counter()).update(m.cues)
            if m.acr:
                self.defined.setdefault(m.acr, set()).add(m.key)
            if "cut" in m.cues:
                self.cut.add(m.key)
            by_doc.setdefault(m.doc, []).append(m)
        for ms in by_doc.values():
            self._document(ms, cues)
        for h, mod in zip(groups["head"], groups["mod"]):
            self.groups[(h, mod)] += 1

    def _shape(self, m: _Mention, cues: Cues) -> tuple:
        """``_surname_of``, ``_person_shaped`` (two words or more) and ``_org_heads`` of a mention:
        functions of its words alone, computed once per distinct spelling."""
        k = tuple(m.words)
        got = self._shapes.get(k)
        if got is None:
            got = self._shapes[k] = (_surname_of(m, cues), len(m.words) >= 2 and _person_shaped(m.words, cues),
                                     _org_heads(m, cues))
        return got

    def _document(self, ms: list[_Mention], cues: Cues) -> None:
        lasts: dict[str, set[str]] = {}
        firsts: dict[str, set[str]] = {}
        heads: dict[str, set[str]] = {}
        for m in ms:
            sf, shaped, org_heads = self._shape(m, cues)
            if len(m.words) >= 2 and shaped:
                self.persons.add(m.key)
                if len(m.words) >= 3 and _suffixed(m.words, cues):  # "Trump Jr" for "Donald Trump Jr"
                    lasts.setdefault(" ".join(m.key.split(" ")[-2:]), set()).add(m.key)
            if sf:
                lasts.setdefault(sf[0], set()).add(m.key)
                firsts.setdefault(sf[1], set()).add(m.key)
            for h in org_heads:
                heads.setdefault(h, set()).add(m.key)
        self.lasts_all.update(lasts)
        shorts = {m.key for m in ms if (len(m.words) == 1 or len(m.words) == 2 and _suffixed(m.words, cues))
                  and m.key not in cues.places}
        for single in sorted(shorts):
            ok = [m for m in ms if m.key == single]
            fulls = lasts.get(single) or (firsts.get(single) if any(not m.opening or m.title for m in ok) else None)
            if fulls:
                if len(fulls) == 1:
                    self.votes.setdefault(single, Counter())[next(iter(fulls))] += 1
                else:
                    self.split[single] += 1
            elif single in heads:
                if len(heads[single]) == 1:
                    self.heads.setdefault(single, Counter())[next(iter(heads[single]))] += 1
                else:
                    self.head_split[single] += 1
        acrs = {m.key: m.words[0] for m in ms if len(m.words) == 1 and _ACRONYM.match(m.words[0])}
        if acrs:
            multi = {m.key: m.words for m in ms if len(m.words) >= 2}
            for key, words in multi.items():
                ini = _initial_forms(words, cues)
                for a, w in acrs.items():
                    if w.replace(".", "") in ini:
                        self.cooc[(a, key)] += 1


def _initial_forms(words: list[str], cues: Cues) -> set[str]:
    """The initials of a name, also without a leading place or acronym ("U.S. Environmental
    Protection Agency" → USEPA, EPA) and without what follows "and"."""
    out = {_initials(words)}
    if len(words) > 2 and (words[0].lower() in cues.places or _ACRONYM.match(words[0])):
        out.add(_initials(words[1:]))
    if "and" in words[2:]:  # "Centers for Disease Control and Prevention" → CDC
        out.add(_initials(words[:words.index("and")]))
    return {x for x in out if len(x) >= 2}


def _join_names(ev: _Evidence, cues: Cues) -> tuple[_Union, set[str], set[str]]:
    """Aliases merged: surnames and organisation heads (by the votes of documents), names that
    lost their opening word, acronyms. Returns the union, the ambiguous singles and the full
    names whose surname is used alone."""
    uf, ambiguous, surnames = _Union(), set(), set()
    links = {s: Counter(c) for s, c in ev.votes.items()}
    for s, c in ev.heads.items():
        if s not in ev.lasts_all:
            links.setdefault(s, Counter()).update(c)
    for s, c in links.items():
        full, top = c.most_common(1)[0]
        split = ev.split[s] + (ev.head_split[s] if s not in ev.lasts_all else 0)
        if 4 * top >= 3 * sum(c.values()) and top >= split:  # unambiguous in the corpus
            uf.join(s, full)
            if s in ev.lasts_all:
                surnames.add(full)
        else:
            ambiguous.add(s)
    ambiguous |= {s for s in ev.split if s not in links}
    ambiguous |= {s for s in ev.head_split if s not in links and s not in ev.lasts_all}
    _join_cut(ev, uf, cues)
    _join_acronyms(ev, uf, cues)
    return uf, ambiguous, surnames


def _join_cut(ev: _Evidence, uf: _Union, cues: Cues) -> None:
    """A name that lost its opening word joins the only longer name (an organisation's, with a
    connector or an organisation word) ending with it: "Medical Choice" → "Parents for Medical
    Choice"; a place never joins ("Texas" is not "Environment Texas")."""
    if not ev.cut:
        return
    ends: dict[str, set[str]] = {}
    for k, w in ev.words.items():
        lw = k.split(" ")
        if len(lw) >= 2 and any(x in _CONNECT or x in cues.org_words for x in lw):
            for i in range(1, len(lw)):
                ends.setdefault(" ".join(lw[i:]), set()).add(k)
    for k in ev.words:
        if k in ev.cut and k not in cues.places and len(ends.get(k, ())) == 1:
            uf.join(k, next(iter(ends[k])))


def _join_acronyms(ev: _Evidence, uf: _Union, cues: Cues) -> None:
    """An acronym joins its expansion: defined in parentheses ("Environmental Protection Agency
    (EPA)"), else the only multi-word name with its initials, else the one it co-occurs with in
    most documents."""
    by_initials: dict[str, list[str]] = {}
    for k, w in ev.words.items():
        if len(w) >= 2:
            for ini in _initial_forms(w, cues):
                by_initials.setdefault(ini, []).append(k)
    for k, w in ev.words.items():
        if len(w) != 1 or not _ACRONYM.match(w[0]):
            continue
        fulls = sorted(ev.defined.get(w[0], ())) or by_initials.get(w[0].replace(".", ""), [])
        if len(fulls) > 1 and w[0] not in ev.defined:
            votes = Counter({f: ev.cooc[(k, f)] for f in fulls if ev.cooc[(k, f)]}).most_common(2)
            fulls = [votes[0][0]] if votes and (len(votes) == 1 or votes[0][1] > votes[1][1]) else fulls
        if len(fulls) == 1:
            uf.join(k, fulls[0])


def _members(ev: _Evidence, uf: _Union, ambiguous: set[str], case: _Case, cues: Cues) -> dict[str, list[str]]:
    """The candidate names kept, grouped by actor (root of the union), in corpus order."""
    person_lasts = {k.split()[-1] for k in ev.persons}
    members: dict[str, list[str]] = {}
    for key, words in ev.words.items():
        joined = uf.find(key) != key
        if len(words) == 1:
            acronym = bool(_ACRONYM.match(words[0]))
            # a word that only opens sentences needs support: alone elsewhere, a surname, a place
            if not ev.n_alone[key] and not (key in person_lasts or key in cues.places or joined):
                continue
            # a generic word ("the Road", "the Bank") that joined no full name says nothing
            if (key in cues.org_words or key in cues.place_words) and key not in cues.org_standalone and not joined:
                continue
            # a word the corpus also writes in lower case is not a name by itself ("People", "Last")
            if not acronym and not joined and key not in case.namelike and key not in cues.places:
                continue
            if key.endswith("s") and key[:-1] in person_lasts:
                continue  # "the Lavoies": a family, not a new actor
        if key in ambiguous or cues.places.get(key) == "demonym":
            continue
        members.setdefault(uf.find(key), []).append(key)
    return members


def _name_rows(ev: _Evidence, members: dict[str, list[str]], surnames: set[str], cues: Cues) -> list[dict]:
    """One row per actor: canonical name, kind and its deciding cue, aliases by frequency."""
    keys = {k for ks in members.values() for k in ks}
    rows = []
    for root, ks in members.items():
        full = [k for k in ks if len(ev.words[k]) >= 2] or ks
        canon_key = Counter({k: ev.n[k] for k in full}).most_common(1)[0][0]
        canon = ev.surfaces[canon_key].most_common(1)[0][0]
        words = ev.words[canon_key]
        surfaces, cue = Counter(), Counter()
        for k in ks:
            surfaces.update(ev.surfaces[k])
            cue.update(ev.cues[k])
        n = sum(ev.n[k] for k in ks)
        if len(words) == 1 and canon_key.endswith("s") and canon_key[:-1] in keys:
            cue["plural-name"] += 1
        kind, why = _decide_kind(words, cue, n, surname=root in surnames or canon_key in surnames, cues=cues)
        if kind is None:
            continue  # no evidence that it names a person, organisation, group or place
        if kind == "person" or why.startswith("title"):
            for k in ks:
                surfaces.update(ev.titled.get(k, {}))
        aliases = [canon] + [s for s, _ in surfaces.most_common() if s != canon]
        rows.append({"actor": canon, "kind": kind, "aliases": aliases, "cue": why, "n": n, "match_case": True})
    return rows


def _group_rows(ev: _Evidence, case: _Case, min_mentions: int, cues: Cues) -> list[dict]:
    """Groups of people named by plural common nouns acting as subjects; a noun modifier is kept
    when the pair repeats in the corpus ("oil companies") or the head is general."""
    counts: dict[str, int] = {}
    for (h, m), c in ev.groups.items():
        name = _group_name(h, m, case, min_mentions, cues)
        counts[name] = counts.get(name, 0) + c
    return [{"actor": name, "kind": "group", "aliases": [name], "cue": "plural noun naming people as a subject",
             "n": c, "match_case": False} for name, c in counts.items()]


def _group_name(h: str, m: str, case: _Case, min_mentions: int, cues: Cues) -> str:
    keep = m and (case.pairs.get((m, h), 0) >= max(2, min_mentions) or h in cues.generic_groups)
    return f"{m} {h}" if keep else h


def _one_alias_one_actor(rows: list[dict], known_alias: set[str], cues: Cues) -> list[dict]:
    """Each alias goes to one actor: known aliases first, then the most mentioned candidate."""
    rows = sorted(rows, key=lambda r: -r["n"])
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
        r["actor"] = keep[0]
        r["aliases"] = tuple(keep)
        table.append(r)
    return table


def _count(table: list[dict], parts_of, case: _Case, cues: Cues, min_mentions: int) -> dict[str, dict]:
    """Mentions, documents, sources and up to three example sentences of each actor, counted
    partition by partition (documents never span two partitions): a name where a candidate's
    surface is one of its aliases, a group wherever its noun (with its modifier) is used."""
    owner = {a.lower(): r["actor"] for r in table for a in r["aliases"]}
    stats = {r["actor"]: {"mentions": 0, "documents": 0, "sources": set(), "ex": []} for r in table}
    for names, _groups, uses in parts_of():
        hits = [(m.sent, m.doc, m.source, owner.get(m.surface.lower())) for m in _mentions_of(names, case, cues)]
        pos = dict(zip(names["sent_id"], names["pos"]))
        for d, src, s, p, h, m in zip(*(uses[c].tolist() for c in GROUP_COLUMNS)):
            hits.append((s, d, src, owner.get(f"{m} {h}") or owner.get(h)))  # the longest name first
            pos[s] = p
        docs: dict[str, set] = {}
        for s, d, src, actor in sorted((h for h in hits if h[3] is not None), key=lambda h: pos[h[0]]):
            st = stats[actor]
            st["mentions"] += 1
            docs.setdefault(actor, set()).add(d)
            st["sources"].add(src)
            if len(st["ex"]) < 3 and s not in st["ex"]:
                st["ex"].append(s)
        for actor, ds in docs.items():
            stats[actor]["documents"] += len(ds)
    return stats


def discovery_reduce(partials: Sequence[Mapping[str, pd.DataFrame]], parts_of, *, top: int | None = DEFAULT_TOP,
                     min_mentions: int = 2, known: str | Path | pd.DataFrame | None = "",
                     cues: str | Path | Cues | None = None) -> pd.DataFrame:
    """The reduce of :func:`discover`: ``partials`` the maps' counts (every partition), and
    ``parts_of()`` an iterable of ``(name_candidates, group_candidates, group_occurrences)``
    row tables, one partition at a time in corpus order (read three times: names seen
    mid-sentence, evidence, counts)."""
    cues = cues if isinstance(cues, Cues) else load_cues(cues)
    known_table = _known_table(known)
    known_alias = {a.lower() for al in known_table["aliases"] for a in al}
    case = _Case(partials)
    for names, *_ in parts_of():
        case.mid_keys.update(names.loc[~names["opening"].astype(bool), "key"])
    ev = _Evidence()
    for names, groups, _uses in parts_of():
        ev.add(_mentions_of(names, case, cues), groups, cues)
    uf, ambiguous, surnames = _join_names(ev, cues)
    members = _members(ev, uf, ambiguous, case, cues)
    rows = _name_rows(ev, members, surnames, cues) + _group_rows(ev, case, min_mentions, cues)
    table = _one_alias_one_actor(rows, known_alias, cues)
    stats = _count(table, parts_of, case, cues, min_mentions)
    found = pd.DataFrame(table, columns=["actor", "kind", "aliases", "cue", "n", "match_case"])
    found["mentions"] = [stats[a]["mentions"] for a in found["actor"]]
    found["documents"] = [stats[a]["documents"] for a in found["actor"]]
    found["sources"] = [len(stats[a]["sources"]) for a in found["actor"]]
    found["example_sent_ids"] = ["; ".join(stats[a]["ex"]) for a in found["actor"]]
    found = found[found["mentions"] >= max(1, min_mentions)]
    found = found.sort_values(["documents", "mentions", "actor"], ascending=[False, False, True], kind="stable")
    if top is not None:
        found = found.head(int(top))
    out = found[DISCOVERY_COLUMNS + ["match_case"]].reset_index(drop=True)
    out[["mentions", "documents", "sources"]] = out[["mentions", "documents", "sources"]].astype(int)
    out.attrs["ambiguous"] = sorted(ambiguous)
    return out


def _person_shaped(words: list[str], cues: Cues) -> bool:
    lw = [w.lower().rstrip(".") for w in words]
    return (2 <= len(words) <= (4 if any(_PARTICLE_HYPHEN.match(w) for w in words) else 3)
            and all(_cap_word(w) or _PARTICLE_HYPHEN.match(w) for w in words)
            and not any(w in cues.org_words or w in cues.ignore or w in cues.place_words for w in lw)
            and lw[0] not in cues.place_first and " ".join(lw) not in cues.places
            and cues.places.get(lw[-1]) not in ("country", "capital", "subdivision", "region")
            and not any(_ACRONYM.match(w) for w in words) and not any(w in _CONNECT for w in lw))




def _decide_kind(words: list[str], cue: Counter, n: int, *, surname: bool, cues: Cues) -> tuple[str | None, str]:
    """The kind of one actor from the cues of all its mentions; returns (kind, the deciding cue),
    ``("unknown", ...)`` for a name with evidence of being one but no cue of its kind, and
    ``(None, "no cue")`` for a candidate with no evidence at all."""
    lw = [w.lower().rstrip(".") for w in words]
    key = " ".join(lw)
    org_word = next((w for w, l in zip(words, lw) if l in cues.org_words), None)
    shaped = _person_shaped(words, cues)
    # a title or role counts only before a person's name; a lower-case one ("major") only before
    # a full name
    person_name = shaped or len(words) == 1 and not _ACRONYM.match(words[0]) and key not in cues.places
    titles = Counter({k[6:]: v for k, v in cue.items() if k.startswith("title:") and person_name
                      and (k[6:7].isupper() or shaped)})
    if org_word and not titles:
        return "organization", f"organization word '{org_word}'"
    if len(words) == 1 and (lw[0] in cues.group_nouns or lw[0].endswith(("ans", "ists", "ites", "ats"))
                            and words[0].endswith("s") and cue.get("plural-name", 0)):
        return "group", "plural name"
    if titles:
        return "person", f"title '{titles.most_common(1)[0][0]}'"
    if surname:
        return "person", "surname used alone"
    if shaped and len(words) >= 3 and lw[-1] in cues.person_suffixes:
        return "person", f"suffix '{words[-1]}'"
    for c, label in (("who", "', who'"), ("age", "age after the name")):
        if cue.get(c):
            return "person", label
    roles = Counter({k[5:]: v for k, v in cue.items() if k.startswith("role:")})
    if roles and person_name:
        return "person", f"role noun '{roles.most_common(1)[0][0]}' before the name"
    if key in cues.places:
        return "place", f"gazetteer: {cues.places[key]}"
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
    if len(words) >= 2 and any(l in ("of", "for", "&") for l in lw[1:-1]):
        return "organization", "'of'/'for' inside the name"
    if cue.get("speaks"):
        if shaped and not cue.get("the"):
            return "person", "a name that speaks ('X said')"
        if len(words) == 1 and not cue.get("the"):
            # news introduces people by full name: a one-word name that speaks is an organisation
            return "organization", "one-word name that speaks ('X said')"
        return "unknown", "speaks ('X said'), kind unknown"
    if 2 * (cue.get("the", 0) + cue.get("num", 0) + cue.get("mod", 0)) >= n or any(l in cues.places for l in lw):
        return None, "no cue"  # "the Green New Deal", "2 degrees Celsius": things, not actors
    return "unknown", "a name, no cue of its kind"


def discover(
    corpus,
    *,
    top: int | None = DEFAULT_TOP,
    min_mentions: int = 2,
    known: str | Path | pd.DataFrame | None = "",
    cues: str | Path | Cues | None = None,
) -> pd.DataFrame:
    """The actors of a corpus, found in the corpus itself (no table, no model, no download).

    One implementation, map/reduce: :func:`discovery_map` on each partition of the corpus (here
    the whole corpus as one) returns text-free candidate rows and counts; :func:`discovery_reduce`
    merges them and resolves kinds, aliases and merges. The store runs the same map on each
    stored partition, so no process holds the whole corpus, and any partitioning gives the same
    table.

    Candidates (body sentences; headlines and Title-Case lines with no closing punctuation are
    not mined):

    * **proper-name sequences**: runs of capitalized words, with ``of``/``for``/``de``/``van`` ...
      inside ("Bank of England") and ``St.`` / initials with their dot; acronyms (``EPA``). A word
      opening a sentence belongs to a name only if the corpus writes it capitalized mid-sentence,
      or (before another name) never in lower case; a single word the corpus also writes in lower
      case is never a name by itself ("According", "Last", "People");
    * **titles and honorifics** ("President Trump", "Sen. Warren", "shop steward Gary Lyle") are
      split off the name; they make it a person only before a person's name (not "a major White
      House initiative"), and the titled form becomes an alias;
    * **groups named by common nouns acting as subjects** ("protesters said", "oil companies
      argued"); a noun modifier is kept when the pair repeats.

    Aliases (votes of documents, merged across partitions):

    * a **surname** (or "Trump Jr" for "Donald Trump Jr") joins the full name that is the only
      one ending with it in a document, when the documents that resolve it agree (at least 3 in
      4, and more than the documents where two full names share it); "Jr", "Sr" and a different
      first name make different people; a surname no document resolves is ambiguous, not merged;
    * the head word of an organisation's name used alone ("the Bank"), never a place inside the
      name ("Texas" is not "Environment Texas", "Europe" not "Economic Commission for Europe");
    * an **acronym** joins its expansion when the text defines it ("Environmental Protection
      Agency (EPA)"), else the only multi-word name with its initials (also without a leading
      place or acronym: "U.S. Environmental Protection Agency"), else the one it co-occurs with
      in most documents.

    ``kind`` (person, organization, place, group or **unknown**) comes from the cues of all the
    actor's mentions, first match wins (the ``cue`` column says which): an organisation word in
    the name (``data/actor_cues.toml``); a title before a person's name; a surname used alone;
    "Jr"/"Sr"; ", who"; an age; a role noun before the name or in an apposition (", a nurse");
    the gazetteer (``data/places.toml``); an acronym; a place word; "in"/"from" before most
    mentions; a name before a title or followed by an organisation noun; "of"/"for" inside the
    name; speaking ("X said", "said X": a person-shaped name is a person, one word an
    organisation). A name with none of these is ``unknown``, not a guess; a candidate with no
    cue used mostly after "the", after a number or before a noun ("the Green New Deal",
    "2 degrees Celsius", "her Conservative rival"), or containing a place, is not an actor.

    ``known``: an actor table whose actors are not rediscovered ("" = the packaged countries and
    international organisations, None = none). Counts come from the candidates whose surface is
    an alias (groups: as subjects of a verb of acting): ``mentions``, ``documents``, ``sources``
    and ``example_sent_ids`` (up to three). Actors with fewer than ``min_mentions`` mentions are
    dropped; the rest are ranked by documents, then mentions, and the first ``top`` kept.

    Limits: rules, not a trained recognizer. Names written in lower case, names that only ever
    open a sentence, nicknames and pronouns are missed; a surname
    resolved for one person is counted for them in a document naming a relative; capitalized
    non-names can slip in as ``unknown``. Review the table (``framelens actors suggest``).
    """
    cues = cues if isinstance(cues, Cues) else load_cues(cues)
    out = discovery_map(corpus, cues=cues)
    rows = (out["name_candidates"], out["group_candidates"], out["group_occurrences"])
    return discovery_reduce([out], lambda: iter([rows]), top=top, min_mentions=min_mentions, known=known, cues=cues)


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
    rows = []
    for doc, found, lab, same, kinds in _gold_pairs(corpus, table, gold):
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


def _gold_pairs(corpus: CorpusLike, table: pd.DataFrame, gold: dict):
    """Per labelled document: the table's actors found there, the labels, the match test."""
    hits = find_mentions(corpus.sentences, table)
    aliases = {a: {x.lower() for x in al} | {a.lower()} for a, al in zip(table["actor"], table["aliases"])}
    kinds = dict(zip(table["actor"], table["kind"]))

    def same(a: str, g: set[str]) -> bool:
        return bool(aliases[a] & g) or kinds[a] == "group" and any(
            x.endswith(" " + y) or y.endswith(" " + x) for x in aliases[a] for y in g)

    for doc, labels in gold.items():
        if doc.startswith("_"):
            continue
        found = sorted(set(hits.loc[hits["doc_id"] == doc, "actor"]))
        lab = [({x.lower() for x in g["aliases"]} | {g["actor"].lower()}, g.get("kind", "")) for g in labels]
        yield doc, found, lab, same, kinds


def score_kinds(corpus: CorpusLike, table: pd.DataFrame, gold: dict) -> pd.DataFrame:
    """Precision of an actor table per kind, and its merges, against hand labels (see
    :func:`score_discovery`; pairs are actor × document). One row per kind the table gives
    (``unknown`` included) and ``all``: ``found``, ``correct`` (matches a label), ``precision``,
    ``right_kind`` (correct and of the labelled kind; a packaged country is a place),
    ``wrong_merges`` (found actors matching two or more labels: two actors made one),
    ``split`` (labels matched by two or more found actors: one actor made two)."""
    rows = []
    for _doc, found, lab, same, kinds in _gold_pairs(corpus, table, gold):
        for a in found:
            m = [(g, k) for g, k in lab if same(a, g)]
            rows.append({"kind": kinds[a], "found": 1, "correct": int(bool(m)),
                         "right_kind": int(bool(m) and _KIND_OF.get(kinds[a], kinds[a]) == m[0][1]),
                         "wrong_merges": int(len(m) >= 2), "split": 0})
        for g, k in lab:
            if sum(same(a, g) for a in found) >= 2:
                rows.append({"kind": k, "found": 0, "correct": 0, "right_kind": 0, "wrong_merges": 0, "split": 1})
    cols = ["found", "correct", "right_kind", "wrong_merges", "split"]
    df = pd.DataFrame(rows, columns=["kind"] + cols)
    out = df.groupby("kind")[cols].sum()
    out.loc["all"] = df[cols].sum()
    out["precision"] = out["correct"] / out["found"].where(out["found"] > 0)
    return out.reset_index()


# ---------------------------------------------------------------------------- the lenses' table
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
    held = corpus.lens_cache("actors") if hasattr(corpus, "lens_cache") else {}  # see Corpus.lens_cache
    if (top, min_mentions) in held:
        return held[(top, min_mentions)]
    table = with_packaged(discover(corpus, top=top, min_mentions=min_mentions, known=load_actors()))
    held[(top, min_mentions)] = table
    return table


def with_packaged(found: pd.DataFrame) -> pd.DataFrame:
    """The table of :func:`resolve` for discovered actors ``found`` (discovered with the packaged
    table as ``known``): the discovered actors, then the packaged ones."""
    packaged = load_actors()
    table = pd.concat([found.reindex(columns=TABLE_COLUMNS), packaged], ignore_index=True)
    table["match_case"] = table["match_case"].fillna(False).astype(bool)
    table.attrs.update(origin="packaged+discovered", discovered=found, n_packaged=len(packaged),
                       path=str(default_actors_path()))
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
        f"{len(found)} actors discovered in this corpus by rule (framelens.lenses.actors.discover: proper-name "
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
