"""framelens: compare how news outlets frame the same event.

Load a corpus with :func:`load_corpus`, then use the three lenses —
:mod:`framelens.vocabulary`, :mod:`framelens.sentiment`, :mod:`framelens.framing` — which take
the :class:`Corpus` (or its tables) and return DataFrames; :mod:`framelens.plots` draws them and
:mod:`framelens.report` saves and shows them. ``framelens run`` executes the notebooks.
"""

from .corpus import Corpus, load_corpus
from .errors import FramelensError, FramelensWarning
from . import report

__all__ = ["Corpus", "load_corpus", "FramelensError", "FramelensWarning", "report"]
__version__ = "0.1.0"
