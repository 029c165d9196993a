"""Figures: functions that take DataFrames and return a matplotlib Figure.

One colour per source across every figure (:func:`source_colors`); each lens has its own
module (``plots.vocabulary``, ``plots.sentiment``, ``plots.framing``, ``plots.corpus``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

# Okabe & Ito (2008) colour-blind-safe palette, then Tableau 10 for larger corpora.
COLORS = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
    "#9C755F", "#BAB0AC",
]


def source_colors(sources: list[str]) -> dict[str, str]:
    """Stable colour for each source: the i-th source (in corpus order) gets the i-th colour.

    Pass ``corpus.sources`` (the full, ordered list) so that a source keeps its colour in every
    figure, also in figures that show only some sources. Beyond 18 sources colours repeat.
    """
    return {s: COLORS[i % len(COLORS)] for i, s in enumerate(sources)}


def apply_style() -> None:
    """House style for figures: readable fonts, light grid, no top/right spines."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "font.size": 10,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.autolayout": False,
        }
    )


apply_style()
