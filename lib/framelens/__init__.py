"""framelens: compare how news outlets frame the same event.

Load a corpus with :func:`load_corpus`, then use the lenses — :mod:`framelens.lenses.vocabulary`,
:mod:`framelens.lenses.sentiment`, :mod:`framelens.lenses.framing` and the others — which take the
:class:`Corpus` (or its tables) and return DataFrames. :func:`compute` computes every lens once into
a lens store (Parquet) and :func:`open_store` reads it; :func:`lens_tables` computes the tables the
profiles and the synthesis read, in memory. ``framelens run`` executes the notebooks.

The subpackages, in the order data flows (each imports only from itself and the ones before it;
``tests/test_layers.py`` checks it):

* :mod:`framelens.core` — engines (serial, process pool, Dask), progress, colours, number formats;
* :mod:`framelens.text` — cleaning, sentences, tokens, tags and chunks;
* :mod:`framelens.read` — files and streams of articles, the :class:`Corpus`;
* :mod:`framelens.resources` — the frame codebook and stance markers, and their loaders;
* :mod:`framelens.tables` — stored Parquet tables, partitions, map/reduce over them;
* :mod:`framelens.lenses` — the measures;
* :mod:`framelens.store` — the parts registry, the lens store, ingest, computing parts;
* :mod:`framelens.report` — figures, tables in notebooks, the HTML site;
* :mod:`framelens.run` — the runner and the command line.

The flat module names of framelens 0.1 still work (``from framelens import vocabulary``).
Importing framelens is light: the corpus pipeline, the lenses, their lexicons, scipy, nltk and
matplotlib load when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from framelens.errors import FramelensError, FramelensWarning

__all__ = ["Corpus", "load_corpus", "open_store", "compute", "lens_tables", "FramelensError", "FramelensWarning", "report"]
__version__ = "0.1.0"

_LAZY = {
    "Corpus": ("framelens.read.corpus", "Corpus"),
    "load_corpus": ("framelens.read.corpus", "load_corpus"),
    "open_store": ("framelens.store.lens_store", "open_store"),
    "LensStore": ("framelens.store.lens_store", "LensStore"),
    "lens_tables": ("framelens.store.parts", "lens_tables"),
    "compute": ("framelens.store.compute", "compute"),
}


_MOVED = {
    "engine": "framelens.core.engine",
    "progress": "framelens.core.progress",
    "palette": "framelens.core.palette",
    "fmt": "framelens.core.fmt",
    "cleaning": "framelens.text.cleaning",
    "sentences": "framelens.text.sentences",
    "tokens": "framelens.text.tokens",
    "corpus": "framelens.read.corpus",
    "codebook": "framelens.resources.codebook",
    "stats": "framelens.lenses.stats",
    "actors": "framelens.lenses.actors",
    "agency": "framelens.lenses.agency",
    "coverage": "framelens.lenses.coverage",
    "framing": "framelens.lenses.framing",
    "tone_model": "framelens.lenses.tone_model",
    "sentiment": "framelens.lenses.sentiment",
    "vocabulary": "framelens.lenses.vocabulary",
    "reuse": "framelens.lenses.reuse",
    "over_time": "framelens.lenses.over_time",
    "overview": "framelens.lenses.overview",
    "profile": "framelens.lenses.profile",
    "synthesis": "framelens.lenses.synthesis",
    "parts": "framelens.store.parts",
    "ingest": "framelens.store.ingest",
    "plots": "framelens.report.plots",
    "site": "framelens.report.site",
    "runner": "framelens.run.runner",
    "cli": "framelens.run.cli",
    "validation": "framelens.lenses.validation",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:  # the flat module names of framelens <= 0.1 (`from framelens import vocabulary`)
        return import_module(_MOVED[name])
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
