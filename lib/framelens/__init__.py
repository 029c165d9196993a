"""framelens: compare how news outlets frame the same event.

Load a corpus with :func:`load_corpus`, then use the three lenses —
:mod:`framelens.vocabulary`, :mod:`framelens.sentiment`, :mod:`framelens.framing` — which take
the :class:`Corpus` (or its tables) and return DataFrames; :mod:`framelens.plots` draws them and
:mod:`framelens.report` saves and shows them. :func:`compute` computes every lens once into a
lens store (:mod:`framelens.store`, Parquet) and :func:`open_store` reads it; the notebooks read
the store. ``framelens run`` executes the notebooks.

Importing framelens is light: the corpus pipeline, the lenses, their lexicons, scipy, nltk and
matplotlib load when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import FramelensError, FramelensWarning

__all__ = ["Corpus", "load_corpus", "open_store", "compute", "FramelensError", "FramelensWarning", "report"]
__version__ = "0.1.0"

_LAZY = {
    "Corpus": ("framelens.corpus", "Corpus"),
    "load_corpus": ("framelens.corpus", "load_corpus"),
    "open_store": ("framelens.store", "open_store"),
    "LensStore": ("framelens.store", "LensStore"),
    "compute": ("framelens.parts", "compute"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    try:
        return import_module(f"framelens.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module 'framelens' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"report"})
