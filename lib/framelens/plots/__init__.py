"""Figures: functions that take DataFrames and return a matplotlib Figure.

One colour per source across every figure (:func:`source_colors`); each lens has its own
module (``plots.vocabulary``, ``plots.sentiment``, ``plots.framing``, ``plots.corpus``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..palette import COLORS, register_sources, source_colors  # noqa: F401  (re-exported)


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
