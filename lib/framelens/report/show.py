"""What notebooks use to show and save their results.

* :func:`export_table` writes a DataFrame to ``<output_dir>/tables/<name>.csv``.
* :func:`save_figure` writes a matplotlib figure to ``<output_dir>/figures/<name>.png``.
* :func:`show_table` renders a DataFrame as a readable, HTML-escaped table (pandas Styler); long
  tables get the report's offline table tools (search, filter, sort, show all, CSV link).
* :func:`headline` records a report's one-line finding for the index page
  (``<output_dir>/findings/<report>.json``).
* :func:`method_note` shows a short "Method" note beside the numbers it explains.
"""

from __future__ import annotations

import hashlib
import html as _html
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from typing import Mapping, Sequence

from framelens.lenses.profile import slug
from framelens.core.fmt import markdown_safe, md_text
from framelens.errors import Unavailable
from framelens.tables.parquet import read_table

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
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; outputs are for readers
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


#: a text cell a spreadsheet would read as a formula (OWASP, "CSV Injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a plain number written as text ("-12", "+0.5", "-1e3"): a number to a spreadsheet, kept as is
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def csv_cell(value):
    """A cell safe to open in a spreadsheet: text that begins with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a leading ``'`` so it is shown, never evaluated, as a formula
    (following OWASP's CSV-injection advice); numbers, and text that is a plain number
    (``-12.5``), are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _has_formula_start(col: pd.Series) -> bool:
    """Whether a text cell of ``col`` begins like a formula (:data:`_FORMULA_START`): vectorized
    (a categorical column looks at its categories only), else cell by cell."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = pd.Series(col.cat.categories[col.cat.codes.unique()[col.cat.codes.unique() >= 0]], dtype=object) \
            if len(col) else pd.Series([], dtype=object)
    try:
        return bool(col.str.startswith(_FORMULA_START, na=False).fillna(False).astype(bool).any())
    except (AttributeError, TypeError):  # no text at all, or cells .str cannot read
        return bool(col.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START)).any())


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell (and column name) passed through :func:`csv_cell`; numeric columns
    untouched. The frame itself is not changed."""
    out = df
    text_cols = [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)
                 or isinstance(df[c].dtype, pd.CategoricalDtype)]
    for c in text_cols:
        col = df[c].astype(object) if isinstance(df[c].dtype, pd.CategoricalDtype) else df[c]
        if _has_formula_start(df[c]):
            if out is df:
                out = df.copy()
            out[c] = col.map(csv_cell)
    names = [csv_cell(c) if isinstance(c, str) else c for c in df.columns]
    if names != list(df.columns):
        out = (out.copy() if out is df else out).set_axis(names, axis=1)
    return out


def export_table(df: pd.DataFrame, name: str, output_dir: str | os.PathLike) -> Path | None:
    """Write ``df`` to ``<output_dir>/tables/<name>.csv`` (UTF-8, no index) and return the path.
    Text cells that a spreadsheet would run as a formula are neutralized (:func:`csv_cell`). An
    :class:`framelens.errors.Unavailable` (a section whose lens part failed) writes nothing: ``None``."""
    path = Path(output_dir) / "tables" / f"{_checked_name(name)}.csv"
    if isinstance(df, Unavailable):
        return None
    _atomic_write(path, lambda tmp: csv_safe(df).to_csv(tmp, index=False))
    _remember_export(name, df)
    return path


def export_stored(tables, table: str, name: str, output_dir: str | os.PathLike, *, transform=None) -> Path:
    """Write stored table ``table`` of a lens part (:class:`framelens.store.lens_store.Tables`) to
    ``<output_dir>/tables/<name>.csv``, one stored partition at a time: the same file as
    :func:`export_table` of the whole table, without holding it in memory (a per-sentence table
    with its text is the largest a report exports). When the partitions' Parquet schemas differ
    (e.g. a column of whole numbers in one and with gaps in another, which one table would write
    as decimals) the table is read whole so the CSV is exactly :func:`export_table`'s.
    ``transform``: a function applied to each partition before it is written (one that maps rows
    to rows, e.g. ``reuse.flat``), as :func:`export_table` of ``transform(whole table)``."""
    import pyarrow.parquet as pq


    path = Path(output_dir) / "tables" / f"{_checked_name(name)}.csv"
    files = tables.files(table)
    schemas = [pq.read_schema(f) for f, _ in files]
    if len(files) <= 1 or any(not sc.equals(schemas[0]) for sc in schemas[1:]):
        df = tables.scan(table) if tables.is_partitioned(table) else tables[table]
        return export_table(df if transform is None else transform(df), name, output_dir)

    def write(tmp):
        header = True
        for f, meta in files:
            df = read_table(f, meta)
            df = df if transform is None else transform(df)
            if len(df) or header:
                csv_safe(df).to_csv(tmp, index=False, header=header, mode="w" if header else "a")
                header = False

    return _atomic_write(path, write)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def save_figure(fig, name: str, output_dir: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Save ``fig`` as ``<output_dir>/figures/<name>.png`` and return the path.

    In a notebook the saved PNG is shown and the figure closed, so it is drawn once (the inline
    backend would draw it a second time at the end of the cell); elsewhere the figure stays open.
    """
    path = Path(output_dir) / "figures" / f"{_checked_name(name)}.png"
    _atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))
    if _in_kernel():
        import matplotlib.pyplot as plt
        from IPython.display import Image, display

        display(Image(data=path.read_bytes(), format="png"))
        plt.close(fig)
    return path


_MAX_CELLS = 200_000
#: Tables with more rows than this get the table tools (search, filter, sort) in the HTML reports.
LONG_TABLE = 10
#: Exported tables remembered in this process, newest last, so that :func:`show_table` can link a
#: shown table to its CSV (bounded: the oldest entries are forgotten).
_EXPORTED: list[tuple[str, pd.DataFrame]] = []
_EXPORTED_MAX = 64


def _remember_export(name: str, df: pd.DataFrame) -> None:
    _EXPORTED[:] = [(n, d) for n, d in _EXPORTED if n != name]
    _EXPORTED.append((name, df))
    del _EXPORTED[:-_EXPORTED_MAX]


def _part_of(part: pd.DataFrame, full: pd.DataFrame) -> bool:
    """True when ``part`` is a selection of ``full``'s rows and columns with the same values."""
    if part is full:
        return True
    try:
        if len(part) > len(full) or not part.columns.is_unique or not full.columns.is_unique:
            return False
        if not set(part.columns) <= set(full.columns) or not full.index.is_unique:
            return False
        if not part.index.isin(full.index).all():
            return False
        return bool(full.loc[part.index, list(part.columns)].equals(part))
    except Exception:  # unhashable cells, odd indexes: no link rather than a failure
        return False


def exported_name(df: pd.DataFrame) -> str | None:
    """The name of the most recent table exported with :func:`export_table` that ``df`` is part of
    (the same rows, a subset of them, or of their columns), else ``None``."""
    for name, full in reversed(_EXPORTED):
        if _part_of(df, full):
            return name
    return None


def csv_fingerprint(df: pd.DataFrame) -> tuple[str, int]:
    """SHA-1 and size of the CSV :func:`export_table` would write for ``df``: lets the site find
    the CSV of a table that was shown before it was exported."""
    data = csv_safe(df).to_csv(index=False).encode("utf-8")
    return hashlib.sha1(data).hexdigest(), len(data)


class EmptyTable:
    """What :func:`show_table` shows for a table without rows: its caption and "none", not a bare
    header row (which reads as a broken table); for a table that could not be made
    (:class:`framelens.errors.Unavailable`), its caption and why."""

    def __init__(self, caption: str | None, note: str = "none."):
        self.caption = caption or "This table"
        self.note = note

    def to_html(self) -> str:
        return f'<p class="fl-empty"><b>{_html.escape(self.caption)}</b>: {_html.escape(self.note)}</p>'

    _repr_html_ = to_html

    def __repr__(self) -> str:
        return f"{self.caption}: {self.note}"


def show_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    precision: int = 2,
    max_rows: int = 20,
    max_embed: int = 2000,
    hide_index: bool = True,
    rows: int | None = None,
    csv: str | None = None,
):
    """A readable Styler for ``df``: numbers rounded, article text HTML-escaped.

    Short tables (at most :data:`LONG_TABLE` rows) are plain. Longer ones carry the data the
    report's table tools use (``data-fl-table``): in the HTML report they can be searched,
    filtered (``column:text``, ``column>number``) and sorted by any column, offline. The first
    ``max_rows`` rows are shown, with a control to show all of them and a link to the table's
    CSV in ``tables/`` (found among the tables exported with :func:`export_table`; a table shown
    before it is exported is matched by content when the report is written). At most
    ``max_embed`` rows are written into the page (the caption says so when there are more; the
    CSV has them all). Where the tools cannot run (JupyterLab, a browser without JavaScript) the
    first ``max_rows`` rows show and the caption says how many there are. A table without rows
    shows as its caption and "none" (:class:`EmptyTable`).

    ``rows``: the whole table's number of rows when ``df`` holds only its first rows (at least
    ``max_embed``, e.g. read from the lens store); ``csv``: the name of the table's CSV (e.g.
    written by :func:`export_stored`), when it is not found among the exported tables.
    """
    from pandas.io.formats.style import Styler

    if isinstance(df, Unavailable):
        return EmptyTable(caption, df.clause())
    n = len(df) if rows is None or not len(df) else int(rows)
    if n == 0:
        return EmptyTable(caption)
    long_table = n > LONG_TABLE
    # pandas' Styler refuses more than 262,144 cells; stay well below it for wide tables
    max_embed = max(max_rows, min(max_embed, _MAX_CELLS // max(1, df.shape[1])))
    shown = df.head(max_embed if long_table else max_rows)
    cap = _html.escape(caption or "")
    if long_table:
        if n > max_rows:
            cap += f' <span class="fl-cut">(first {max_rows} of {n:,} rows; all in the CSV)</span>'
        if n > max_embed:
            cap += f' <span class="fl-embed">(the first {max_embed:,} of {n:,} rows are in this page; all in the CSV)</span>'
    elif n > max_rows:
        cap += f" (first {max_rows} of {n} rows; full table in the CSV)"
    styler = Styler(shown, cell_ids=False)
    styler = styler.format(precision=precision, escape="html", na_rep="–")
    styler = styler.format_index(escape="html", axis=1)
    if not hide_index:
        styler = styler.format_index(escape="html", axis=0)
    if cap.strip():
        styler = styler.set_caption(cap.strip())
    if hide_index:
        styler = styler.hide(axis="index")
    if "doc_id" in shown.columns and shown.columns.is_unique and shown.index.is_unique:
        # the site links these cells to the article pages (site.link_evidence)
        classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
        classes["doc_id"] = "fl-doc"
        styler = styler.set_td_classes(classes)
    styles = [
        {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 4px 0;"},
        {"selector": "th", "props": "text-align: left; background: #f3f4f6; padding: 3px 8px;"},
        {"selector": "td", "props": "padding: 3px 8px; vertical-align: top; max-width: 60em;"},
    ]
    if long_table:
        # without the table tools (no JavaScript) only the first rows show
        styles.append({"selector": f"tbody:not(.fl-live) > tr:nth-child(n+{max_rows + 1})", "props": "display: none;"})
        attrs = [f'class="fl-table" data-fl-table data-fl-top="{int(max_rows)}" data-fl-rows="{n}"']
        name = csv if csv is not None else exported_name(df)
        if name is not None:
            attrs.append(f'data-fl-csv="{_html.escape(name, quote=True)}"')
        elif n <= 200_000 and rows is None:
            sha1, size = csv_fingerprint(df)
            attrs.append(f'data-fl-csv-sha1="{sha1}" data-fl-csv-bytes="{size}"')
        styler = styler.set_table_attributes(" ".join(attrs))
    return styler.set_table_styles(styles)


def show_stored(tables, table: str, *, caption: str | None = None, columns: Sequence[str] | None = None,
                where: Mapping[str, object] | None = None, sort: Sequence[str] = (),
                ascending: bool | Sequence[bool] = True, precision: int = 2, max_rows: int = 20,
                max_embed: int = 2000, hide_index: bool = True, csv: str | None = None):
    """:func:`show_table` of stored table ``table`` of a lens part
    (:class:`framelens.tables.parquet.Tables`) — only the rows matching ``where``, ordered by
    ``sort``, only ``columns`` — reading just the rows a page holds (``Tables.top``: one stored
    partition at a time) and counting the rest: what a report shows of a per-sentence or
    per-article table without holding it (write the CSV with :func:`export_stored`; ``csv``: its
    name, for the table's link)."""
    view, total = tables.top(table, max(int(max_rows), int(max_embed)), columns=columns, where=where, sort=sort,
                             ascending=ascending)
    return show_table(view, caption=caption, precision=precision, max_rows=max_rows, max_embed=max_embed,
                      hide_index=hide_index, rows=total, csv=csv)


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
    return md_text(text)


def method_note(text: str):
    """A 'Method' note (IPython Markdown) to place next to the numbers it explains."""
    from IPython.display import Markdown


    return Markdown(f"> **Method.** {markdown_safe(text)}")


def export_profile(profile: Mapping[str, pd.DataFrame], source_id: str, output_dir) -> list:
    """Write every table of a profile to ``<output_dir>/tables/profile_<source>_<key>.csv``."""
    return [export_table(df, f"profile_{slug(source_id)}_{key}", output_dir) for key, df in profile.items()]
