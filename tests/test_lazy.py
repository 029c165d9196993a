"""framelens.core.lazy: regular expressions compiled when first used (issue 24: a light import)."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys

import pytest

from framelens.core.lazy import LazyPattern, lazy_compile


def test_a_lazy_pattern_answers_like_the_compiled_one_and_compiles_once():
    lazy = lazy_compile(r"(?P<w>\b[a-z]+)\s+(\d+)", re.IGNORECASE)
    assert "_rx" not in lazy.__dict__                                     # nothing compiled yet
    text = "Flat 12, Route 9 and room 404"
    real = re.compile(r"(?P<w>\b[a-z]+)\s+(\d+)", re.IGNORECASE)
    assert [m.groups() for m in lazy.finditer(text)] == [("Flat", "12"), ("Route", "9"), ("room", "404")]
    assert lazy.sub(r"\2", text) == real.sub(r"\2", text) == "12, 9 and 404"
    assert lazy.search("no digits") is None and lazy.fullmatch("Flat 12").group("w") == "Flat"
    assert (lazy.pattern, lazy.flags, lazy.groups, dict(lazy.groupindex)) == (real.pattern, real.flags, 2, {"w": 1})
    rx = lazy.compiled
    assert isinstance(rx, re.Pattern) and lazy.compiled is rx                 # compiled once, then kept
    assert lazy.split("a 1 b") == ["", "a", "1", " b"]


def test_a_lazy_pattern_pickles_and_rejects_unknown_attributes():
    lazy = lazy_compile(r"ab+")
    for state in (lazy, lazy_compile(r"ab+")):                            # used and unused
        state.search("abb") if state is lazy else None
        back = pickle.loads(pickle.dumps(state))
        assert isinstance(back, LazyPattern) and back.match("abbbc").group() == "abbb"
    try:
        lazy.no_such_attribute
    except AttributeError:
        pass
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")


@pytest.mark.notebook  # starts a Python process (make test-fast skips it)
def test_importing_the_cleaning_rules_compiles_none_of_them():
    code = ("import framelens.text.cleaning as c, framelens.resources.codebook as cb\n"
            "from framelens.core.lazy import LazyPattern\n"
            "lazy = [v for v in vars(c).values() if isinstance(v, LazyPattern)] + list(cb._CLASS_RE.values())\n"
            "print(len(lazy), sum('_rx' in v.__dict__ for v in lazy))")
    n, compiled = map(int, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                          check=True).stdout.split())
    assert n >= 40 and compiled == 0
