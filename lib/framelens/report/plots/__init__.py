"""Figures: functions that take DataFrames and return a matplotlib Figure.

One colour per source across every figure (:func:`source_colors`; past 12 sources also a marker,
hatch and line style, :func:`source_styles`); each lens has its own module (``plots.vocabulary``,
``plots.sentiment``, ``plots.framing``, ``plots.corpus``, ``plots.synthesis``). Every figure has a
bounded size whatever the corpus: the largest sources and a pooled "others" (``plots.limits``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from framelens.core.palette import COLORS, OTHERS_COLOR, Palette, palette_of, source_colors, source_styles  # noqa: F401  (re-exported)


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
