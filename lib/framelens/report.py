"""What notebooks use to show and save their results.

* :func:`export_table` writes a DataFrame to ``<output_dir>/tables/<name>.csv``.
* :func:`save_figure` writes a matplotlib figure to ``<output_dir>/figures/<name>.png``.
* :func:`show_table` renders a DataFrame as a readable, HTML-escaped table (pandas Styler).
* :func:`headline` records a report's one-line finding for the index page
  (``<output_dir>/findings/<report>.json``).
* :func:`method_note` shows a short "Method" note beside the numbers it explains.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _checked_name(name: str) -> str:
    if not _NAME.match(name) or name in {".", ".."}:
        raise ValueError(f"invalid output name {name!r}: use letters, digits, '_', '-', '.'")
    return name


def _ensure_parent(path: Path) -> None:
    """Create ``<output_dir>/<sub>/`` for a file; a run's staging folder that has been removed
    (the run was interrupted) is never re-created: the write fails instead."""
    root = path.parent.parent
    if not root.exists() and root.name.startswith(".framelens-run-"):
        raise FileNotFoundError(f"{root}: the run's staging folder is gone (the run was interrupted)")
    path.parent.mkdir(parents=True, exist_ok=True)


def _atomic_write(path: Path, write) -> Path:
    _ensure_parent(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def export_table(df: pd.DataFrame, name: str, output_dir: str | os.PathLike) -> Path:
    """Write ``df`` to ``<output_dir>/tables/<name>.csv`` (UTF-8, no index) and return the path."""
    path = Path(output_dir) / "tables" / f"{_checked_name(name)}.csv"
    return _atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


def save_figure(fig, name: str, output_dir: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Save ``fig`` as ``<output_dir>/figures/<name>.png`` and return the path (the figure stays open)."""
    path = Path(output_dir) / "figures" / f"{_checked_name(name)}.png"
    return _atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))


def show_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    precision: int = 2,
    max_rows: int = 50,
    hide_index: bool = True,
):
    """A readable Styler for ``df``: numbers rounded, article text HTML-escaped, at most ``max_rows`` rows.

    When rows are cut, the caption says how many were shown out of how many (the full table is
    in the exported CSV).
    """
    shown = df.head(max_rows)
    cap = caption or ""
    if len(df) > max_rows:
        cap = f"{cap} (first {max_rows} of {len(df)} rows; full table in the CSV)".strip()
    styler = shown.style.format(precision=precision, escape="html", na_rep="–")
    styler = styler.format_index(escape="html", axis=1)
    if not hide_index:
        styler = styler.format_index(escape="html", axis=0)
    if cap:
        import html as _html

        styler = styler.set_caption(_html.escape(cap))
    if hide_index:
        styler = styler.hide(axis="index")
    styler = styler.set_table_styles(
        [
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 4px 0;"},
            {"selector": "th", "props": "text-align: left; background: #f3f4f6; padding: 3px 8px;"},
            {"selector": "td", "props": "padding: 3px 8px; vertical-align: top; max-width: 60em;"},
        ]
    )
    return styler


def headline(text: str, *, report: str, output_dir: str | os.PathLike) -> None:
    """Record the one-line finding of ``report`` for the index page and display it."""
    path = Path(output_dir) / "findings" / f"{_checked_name(report)}.json"
    payload = json.dumps({"report": report, "headline": str(text)}, ensure_ascii=False, indent=1)
    _atomic_write(path, lambda tmp: Path(tmp).write_text(payload, encoding="utf-8"))
    try:  # show it in the notebook too
        from IPython.display import Markdown, display

        # the metadata lets the runner attribute the headline to this very run (per-source
        # runs of one notebook share a report name prefix)
        display(Markdown(f"**Headline:** {_md_escape(str(text))}"),
                metadata={"framelens": {"headline": str(text), "report": report}})
    except Exception:  # pragma: no cover - outside IPython
        pass


def _md_escape(text: str) -> str:
    import html as _html

    return _html.escape(text).replace("*", r"\*").replace("_", r"\_")


def method_note(text: str):
    """A 'Method' note (IPython Markdown) to place next to the numbers it explains."""
    from IPython.display import Markdown

    return Markdown(f"> **Method.** {text}")
