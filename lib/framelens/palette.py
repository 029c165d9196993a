"""One colour per source, the same in every figure of every report.

The i-th source of the loaded corpus (in document order) gets the i-th colour of a
colour-blind-safe palette (Okabe & Ito 2008, then Tableau 10). Loading a corpus registers its
sources, so a figure that shows only some of them (``corpus.select([...])``) keeps each
source's colour. Beyond 18 sources colours repeat.
"""

from __future__ import annotations

COLORS = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
    "#9C755F", "#BAB0AC",
]

_REGISTERED: dict[str, int] = {}


def register_sources(sources: list[str]) -> None:
    """Fix the colour order for these sources (called when a corpus is loaded)."""
    _REGISTERED.clear()
    _REGISTERED.update({s: i for i, s in enumerate(dict.fromkeys(sources))})


def source_colors(sources: list[str]) -> dict[str, str]:
    """Colour of each source: its registered position if known, else its position in ``sources``."""
    if sources and all(s in _REGISTERED for s in sources):
        return {s: COLORS[_REGISTERED[s] % len(COLORS)] for s in sources}
    return {s: COLORS[i % len(COLORS)] for i, s in enumerate(dict.fromkeys(sources))}
