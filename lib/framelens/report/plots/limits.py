"""Bounded figures: at most a few dozen sources (or articles) per figure, whatever the corpus.

A figure that draws one row, bar, panel or line per source shows the ``top`` largest sources
(by sentences, from the corpus's palette (:mod:`framelens.core.palette`) — the same sources in every figure,
ranked as the runner ranks the per-source profiles; ties by corpus order) and pools the rest
into one grey "others (k sources)" row where pooling is exact (counts, sentence scores),
or names how many were left out where it is not (diversity, similarity matrices). Titles and
notes give counts, never lists of every left-out item; the full tables are in ``tables/``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from framelens.core.palette import Palette, palette_of, registered_weights

#: Sources drawn as their own row in a one-row-per-source figure (the rest: "others").
MAX_SOURCES = 30
#: Sources drawn in figures that show one panel, line or bar group per source.
MAX_PANELS = 12
#: Sources in a source × source matrix (or the source columns of an item × source grid).
MAX_MATRIX = 20
#: Articles drawn one row each in the overview; beyond this, one row per source.
MAX_ARTICLES = 40
#: The name of the pooled row.
OTHERS = "others"


def rank_sources(present: Sequence[str], weights: Mapping[str, float] | None = None,
                 palette: Palette | None = None) -> list[str]:
    """``present`` from largest to smallest: by the sentences of the corpus's ``palette`` (default:
    the one ``present`` carries, see :mod:`framelens.core.palette`) when it knows every source, else by
    ``weights`` (e.g. rows of the figure's table); ties (and sources without a weight) keep their
    order in ``present``."""
    pal = palette or palette_of(present)
    present = list(dict.fromkeys(present))
    w = registered_weights(present, pal) or dict(weights or {})
    pos = {s: i for i, s in enumerate(present)}
    return sorted(present, key=lambda s: (-float(w.get(s, 0.0)), pos[s]))


def basis(present: Sequence[str], fallback: str, palette: Palette | None = None) -> str:
    """What :func:`rank_sources` ranks ``present`` by: ``"sentences"`` (the corpus's palette knows
    them) or ``fallback`` (the figure's own weights)."""
    pal = palette or palette_of(present)
    return "sentences" if registered_weights(list(dict.fromkeys(present)), pal) else fallback


def row_height(n: int, *, small: float = 0.6, large: float = 0.42) -> float:
    """Inches per row: roomy for a dozen rows, tighter beyond, so 30 rows stay under ~15 inches."""
    return small if n <= 12 else large


def top_sources(present: Sequence[str], *, top: int | None = MAX_SOURCES,
                weights: Mapping[str, float] | None = None,
                palette: Palette | None = None) -> tuple[list[str], list[str]]:
    """``(shown, rest)``: the ``top`` largest of ``present`` (see :func:`rank_sources`), in the
    order of ``present``, and the others (largest first). ``top`` None or ≤ 0: all shown."""
    pal = palette or palette_of(present)
    present = list(dict.fromkeys(present))
    if top is None or top <= 0 or len(present) <= top:
        return present, []
    ranked = rank_sources(present, weights, pal)
    keep = set(ranked[:top])
    return [s for s in present if s in keep], ranked[top:]


def others_label(rest: Sequence[str], noun: str = "source") -> str:
    """``"others (12 sources)"``."""
    n = len(rest)
    return f"{OTHERS} ({n} {noun}{'s' if n != 1 else ''})"


def shown_note(shown: Sequence[str], rest: Sequence[str], *, noun: str = "source", by: str = "sentences",
               pooled: bool = True) -> str:
    """A note for a figure that left sources out: ``"the 30 largest of 3,000 sources (by sentences);
    the other 2,970 pooled as 'others'; every source in the CSV"``. Empty when none was left out."""
    if not rest:
        return ""
    total = len(shown) + len(rest)
    tail = f"the other {len(rest):,} pooled as '{OTHERS}'" if pooled else f"the other {len(rest):,} not drawn"
    return f"the {len(shown)} largest of {total:,} {noun}s (by {by}); {tail}; every {noun} is in the CSV"
