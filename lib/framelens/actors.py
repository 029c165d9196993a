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

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import fail, parse_toml

_ALLOWED_KEYS = {"name", "kind", "aliases"}
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
    """Load and validate an actor table; returns ``actor, kind, aliases`` (aliases as a tuple).

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
        rows.append({"actor": name, "kind": str(block.get("kind", "")), "aliases": tuple(clean)})
    return pd.DataFrame(rows, columns=["actor", "kind", "aliases"])


def case_sensitive(alias: str) -> bool:
    """Short (≤ 3 characters), all-capital or dotted aliases (US, EU, U.S.) must match case exactly."""
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 3 or (bool(letters) and all(c.isupper() for c in letters)) or "." in alias


def _trie_regex(words: list[str]) -> str:
    """A regex alternation shaped as a prefix trie: fast to match and always longest-first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


class _Matcher:
    """Finds aliases with one case-insensitive trie regex, then enforces case-sensitive aliases."""

    def __init__(self, actors: pd.DataFrame):
        self.lookup: dict[str, tuple[str, str, str | None]] = {}
        for actor, kind, aliases in actors[["actor", "kind", "aliases"]].itertuples(index=False):
            for a in aliases:
                self.lookup[a.lower()] = (actor, kind, a if case_sensitive(a) else None)
        body = _trie_regex(list(self.lookup)) or r"(?!x)x"
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
