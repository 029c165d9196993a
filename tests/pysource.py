"""The package's source files parsed once per test session, for the tests that read the source
(layers, harnesses, house rules): each of them parsing the 30 k lines on its own cost about 0.4 s,
and the cyclic garbage collector, run again and again as the trees grow, more than the parse."""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
from pathlib import Path


@functools.lru_cache(maxsize=None)
def tree(path: Path) -> ast.Module:
    """The file's syntax tree (shared: callers must not change it)."""
    with _no_collection():
        return ast.parse(Path(path).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the file, in ``ast.walk`` order."""
    with _no_collection():
        return tuple(ast.walk(tree(path)))


@contextlib.contextmanager
def _no_collection():
    """The collector paused while a tree is built (an AST holds no cycle to collect)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
