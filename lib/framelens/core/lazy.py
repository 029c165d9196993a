"""Regular expressions compiled when first used, so that importing a module costs little.

The cleaning rules and the codebook's cue classes are a few hundred lines of regular expressions;
compiling them all at import took about half of ``from framelens import vocabulary, sentiment,
framing`` (issue 24: a light import), while a report page that reads the lens store never runs
most of them. :func:`lazy_compile` takes the arguments of :func:`re.compile` and returns a
:class:`LazyPattern` that compiles on first use and then answers like the compiled pattern.
"""

from __future__ import annotations

import re

#: the attributes of a compiled pattern bound on a :class:`LazyPattern` at its first use, so that
#: later calls are plain attribute reads (no ``__getattr__``)
_BOUND = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
          "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A stand-in for ``re.compile(pattern, flags)`` that compiles on first use.

    Method calls and attributes (``search``, ``sub``, ``finditer``, ``pattern``, ...) behave as on
    the compiled pattern; :attr:`compiled` is the :class:`re.Pattern` itself (for code that needs
    the real type, such as pandas' ``.str`` methods)."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    @property
    def compiled(self) -> re.Pattern:
        return self._compile()

    def _compile(self) -> re.Pattern:
        rx = self.__dict__.get("_rx")
        if rx is None:
            rx = re.compile(*self._args)
            self.__dict__.update({name: getattr(rx, name) for name in _BOUND}, _rx=rx)
        return rx

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_args", "_rx"):  # copy, pickle and half-built objects
            raise AttributeError(name)
        return getattr(self._compile(), name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._args[0]!r}, {self._args[1]!r})"

    def __reduce__(self):
        return (LazyPattern, self._args)


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, compiled when first used (see :class:`LazyPattern`)."""
    return LazyPattern(pattern, flags)
