"""Numbers and sentences written for readers: p-values, intervals, quotes and evidence ids.

One place for the wording the profiles, the synthesis and the findings share, so a p-value or an
interval reads the same in every report.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

#: characters of a quoted evidence sentence before it is cut with "…"
QUOTE_CHARS = 300


def p_value(p: float | None) -> str:
    """``p < 0.001``, ``p = 0.004``, ``p = 0.23`` or ``p n/a``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def interval(lo: Any, hi: Any, fmt: str = "{:+.2f}", *, missing: str = "") -> str:
    """``95% CI +0.12 to +0.34`` (``missing`` when either end is unknown)."""
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return missing
    return f"95% CI {fmt.format(lo)} to {fmt.format(hi)}"


def small_n(n: int, min_n: int, what: str = "n", unit: str = "") -> str:
    """``n = 12 sentences`` or ``n = 4 sentences < 10: too small to judge``."""
    u = f" {unit}" if unit else ""
    return f"{what} = {n}{u} < {min_n}: too small to judge" if n < min_n else f"{what} = {n}{u}"


def quote(text: Any, n: int = QUOTE_CHARS) -> str:
    """A sentence on one line, cut to ``n`` characters with "…"."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def first_id(ids: Any) -> str:
    """The first sentence id of a ``;`` or ``,`` separated list, or of a list (``""`` when none)."""
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return ""
    if isinstance(ids, (list, tuple)):
        return str(ids[0]) if ids else ""
    parts = [p.strip() for p in re.split(r"[;,]\s*", str(ids)) if p.strip()]
    return parts[0] if parts else ""


#: Markdown punctuation that a backslash makes literal (CommonMark: any ASCII punctuation may be
#: escaped; ``&``, ``<`` and ``>`` are HTML-escaped instead)
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
#: what corpus words may not start inside library Markdown: links and images (``[..](..)``,
#: ``![..](..)``, reference links), headings, emphasis with ``_`` / ``~`` and lone ``*``, tables
_MD_LIVE = re.compile(r"(?<!\*)\*(?!\*)|[\[\]!#_~|]|(?<=[A-Za-z]):(?=//)")


def md_text(text: Any) -> str:
    """Plain text (an outlet name, a headline, an article sentence) as Markdown that shows it
    literally: HTML markup escaped and every Markdown character backslash-escaped, so nothing from
    the corpus becomes a link, an image (a network fetch when the report is opened), a heading or
    emphasis."""
    import html

    return _MD_PUNCT.sub(r"\\\1", html.escape(str(text), quote=False))


def markdown_safe(text: Any) -> str:
    """Markdown written by the library that may hold words from the corpus (outlet names, article
    sentences): HTML markup is escaped and the characters that start links, images, headings,
    tables and ``_`` / single-``*`` emphasis are backslash-escaped outside `code spans` (inside one
    everything is shown literally anyway), so nothing from an article can become live HTML or fetch
    anything in a report. The library's own ``**bold**``, ``- `` lists and code spans still work."""
    import html

    def safe(p: str) -> str:
        return _MD_LIVE.sub(lambda m: "\\" + m.group(0), html.escape(p, quote=False))

    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: no code spans at all
        return safe(str(text)).replace("`", "\\`")
    return "`".join(p if i % 2 else safe(p) for i, p in enumerate(parts))
