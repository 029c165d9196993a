"""One colour (and one marker) per source, the same in every figure of every report.

The i-th source of the loaded corpus (in document order) gets the i-th colour of a
colour-blind-aware palette: the eight colours of Okabe & Ito (2008), then four of Paul Tol's
"muted" scheme (Tol 2021) that stay apart from them under the common colour-vision deficiencies.
No palette keeps more than about a dozen colours distinguishable, so the colours repeat every
:data:`N_COLORS` sources and each repetition gets its own **marker shape** (dots, lines), **hatch**
(bars) and **line style**: sources 1–12 are plain circles and solid lines, 13–24 squares, ``////``
and dashes, and so on — a (colour, marker) pair is unique for the first 96 sources. Figures also
show at most a few dozen sources (the largest, then "others" in :data:`OTHERS_COLOR`).

Loading a corpus registers its sources (and their sizes, in sentences), so a figure that shows
only some of them (``corpus.select([...])``, the top N of a figure) keeps each source's colour
and marker, and every bounded figure picks the same largest sources
(:func:`framelens.plots.limits.top_sources`).
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

#: Okabe & Ito (2008), then Tol's muted indigo, wine, olive and teal (Tol 2021, SRON/EPS/TN/09-002).
COLORS = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#332288", "#882255", "#999933", "#44AA99",
]
N_COLORS = len(COLORS)
#: One per round of the palette (sources 1–12, 13–24, ...).
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "////", "....", "xxxx", "\\\\\\\\", "++", "oo", "--"]
LINESTYLES = ["-", "--", ":", "-."]
#: The pooled "others" row or bar of a bounded figure.
OTHERS_COLOR = "#b0b0b0"

_REGISTERED: dict[str, int] = {}
_WEIGHTS: dict[str, float] = {}


class SourceStyle(NamedTuple):
    """How one source is drawn: ``color``; ``marker`` (dots), ``hatch`` (bars) and ``linestyle``
    (lines), which change each time the colours repeat."""

    color: str
    marker: str
    hatch: str
    linestyle: str


def style_at(position: int) -> SourceStyle:
    """The style of the source at ``position`` (0-based) in the corpus."""
    k = position // N_COLORS
    return SourceStyle(COLORS[position % N_COLORS], MARKERS[k % len(MARKERS)], HATCHES[k % len(HATCHES)],
                       LINESTYLES[k % len(LINESTYLES)])


def register_sources(sources: Sequence[str], weights: Mapping[str, float] | None = None) -> None:
    """Fix the colour order for these sources (called when a corpus is loaded); ``weights``
    (sentences per source) decide which sources a bounded figure shows first."""
    _REGISTERED.clear()
    _REGISTERED.update({s: i for i, s in enumerate(dict.fromkeys(sources))})
    _WEIGHTS.clear()
    if weights:
        _WEIGHTS.update({s: float(w) for s, w in weights.items()})


def registered_weights(sources: Sequence[str]) -> dict[str, float] | None:
    """The registered weight (sentences) of each of ``sources``, or None if one is not registered."""
    if sources and all(s in _WEIGHTS for s in sources):
        return {s: _WEIGHTS[s] for s in sources}
    return None


def _positions(sources: Sequence[str]) -> dict[str, int]:
    if sources and all(s in _REGISTERED for s in sources):
        return {s: _REGISTERED[s] for s in sources}
    return {s: i for i, s in enumerate(dict.fromkeys(sources))}


def source_styles(sources: Sequence[str]) -> dict[str, SourceStyle]:
    """Colour, marker, hatch and line style of each source: its registered position if known,
    else its position in ``sources``."""
    return {s: style_at(i) for s, i in _positions(list(sources)).items()}


def source_colors(sources: Sequence[str]) -> dict[str, str]:
    """Colour of each source: its registered position if known, else its position in ``sources``."""
    return {s: st.color for s, st in source_styles(sources).items()}


def source_markers(sources: Sequence[str]) -> dict[str, str]:
    """Marker shape of each source (changes each time the colours repeat)."""
    return {s: st.marker for s, st in source_styles(sources).items()}
