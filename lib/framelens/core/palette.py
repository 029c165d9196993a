"""One colour (and one marker) per source, the same in every figure of every report.

The i-th source of the loaded corpus (in document order) gets the i-th colour of a
colour-blind-aware palette: the eight colours of Okabe & Ito (2008), then four of Paul Tol's
"muted" scheme (Tol 2021) that stay apart from them under the common colour-vision deficiencies.
No palette keeps more than about a dozen colours distinguishable, so the colours repeat every
:data:`N_COLORS` sources and each repetition gets its own **marker shape** (dots, lines), **hatch**
(bars) and **line style**: sources 1–12 are plain circles and solid lines, 13–24 squares, ``////``
and dashes, and so on — a (colour, marker) pair is unique for the first 96 sources. Figures also
show at most a few dozen sources (the largest, then "others" in :data:`OTHERS_COLOR`).

Each corpus holds its :class:`Palette` (``corpus.palette``): its units' positions in the whole
loaded corpus and their sizes (sentences). Its unit list and label map (``corpus.sources``,
``corpus.labels``, ``corpus.colors``) carry it, so a figure given them — or ``palette=`` — draws
a source in the same colour and marker when it shows only some of them (``corpus.select([...])``,
the top N of a figure), and every bounded figure picks the same largest sources
(:func:`framelens.report.plots.limits.top_sources`). No state is kept in this module.
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


class Palette:
    """The drawing order of a corpus's units: ``positions`` (each unit's 0-based position in the whole
    loaded corpus, which fixes its colour and marker) and ``weights`` (its sentences, which decide
    which units a bounded figure shows first). A value held by the corpus, never a module global."""

    def __init__(self, units: Sequence[str] = (), weights: Mapping[str, float] | None = None):
        self.positions = {s: i for i, s in enumerate(dict.fromkeys(units))}
        self.weights = {s: float(w) for s, w in (weights or {}).items()}

    def positions_of(self, sources: Sequence[str]) -> dict[str, int]:
        """Each source's position in the corpus when all are known, else its position in ``sources``."""
        if sources and all(s in self.positions for s in sources):
            return {s: self.positions[s] for s in sources}
        return {s: i for i, s in enumerate(dict.fromkeys(sources))}

    def weights_of(self, sources: Sequence[str]) -> dict[str, float] | None:
        """The weight (sentences) of each of ``sources``, or None if one has none."""
        if sources and all(s in self.weights for s in sources):
            return {s: self.weights[s] for s in sources}
        return None

    def __eq__(self, other) -> bool:
        return isinstance(other, Palette) and (self.positions, self.weights) == (other.positions, other.weights)

    def __repr__(self) -> str:
        return f"Palette({len(self.positions)} units)"


class Units(list):
    """A corpus's unit ids (a plain list) carrying its :class:`Palette` (``palette``)."""

    def __init__(self, items: Sequence[str] = (), palette: Palette | None = None):
        super().__init__(items)
        self.palette = palette


class UnitMap(dict):
    """A map keyed by a corpus's units (display names, colours) carrying its :class:`Palette`."""

    def __init__(self, items: Mapping[str, str] | None = None, palette: Palette | None = None):
        super().__init__(items or {})
        self.palette = palette


def palette_of(*values) -> Palette | None:
    """The first :class:`Palette` among ``values`` or carried by one of them (a corpus's
    ``sources``, ``labels`` or ``colors``); None if none is."""
    for v in values:
        if isinstance(v, Palette):
            return v
        pal = getattr(v, "palette", None)
        if isinstance(pal, Palette):
            return pal
    return None


def registered_weights(sources: Sequence[str], palette: Palette | None = None) -> dict[str, float] | None:
    """The weight (sentences) of each of ``sources`` in ``palette`` (default: the one ``sources``
    carries), or None if one has none."""
    pal = palette or palette_of(sources)
    return pal.weights_of(list(sources)) if pal is not None else None


def source_styles(sources: Sequence[str], palette: Palette | None = None) -> dict[str, SourceStyle]:
    """Colour, marker, hatch and line style of each source: its position in ``palette`` (default:
    the one ``sources`` carries) if known, else its position in ``sources``."""
    pal = palette or palette_of(sources) or Palette()
    return {s: style_at(i) for s, i in pal.positions_of(list(sources)).items()}


def source_colors(sources: Sequence[str], palette: Palette | None = None) -> dict[str, str]:
    """Colour of each source (see :func:`source_styles`)."""
    return {s: st.color for s, st in source_styles(sources, palette).items()}


def source_markers(sources: Sequence[str], palette: Palette | None = None) -> dict[str, str]:
    """Marker shape of each source (changes each time the colours repeat)."""
    return {s: st.marker for s, st in source_styles(sources, palette).items()}
