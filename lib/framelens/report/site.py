"""The report site: notebook → offline HTML report, and the ``index.html`` landing page.

* :func:`export_report` turns an executed notebook into a self-contained HTML page with
  nbconvert's ``HTMLExporter`` (in-process: ~0.1 s instead of ~1 s for the command-line
  tool). Code is hidden unless asked for; papermill's ``injected-parameters`` cell and cells
  tagged ``remove-cell`` are dropped; the page loads nothing from the network (the stock
  ``lab`` template pulls require.js, MathJax and Mermaid from a CDN — our template, in
  ``data/report_template.html``, drops them); long reports get a table of contents built from
  their headings.
* :func:`sanitize_html` is the last line of defence for article text that reached an output
  without being escaped: no notebook output may carry JavaScript, so every ``<script>`` element,
  ``on*=`` event handler and ``javascript:`` URL is removed (and counted, so the runner can
  warn that some notebook forgot to escape). Only then does the site add its one script of its
  own, the table tools (``data/report_tables.js``, inlined; :func:`tables_script`), to pages
  that hold a long table.
* :func:`link_evidence` turns every evidence id in a table (``doc:s12``, ``doc:p3``) into a link
  to that sentence (or paragraph) on the article's page, and ``doc_id`` cells into links to the
  page; :func:`resolve_csv_links` finds the CSV of a table that was shown before it was exported.
* :func:`write_articles` writes one page per document (``articles/<doc_id>.html``): metadata,
  every paragraph and sentence anchored (``id="p3"``, ``id="s12"``), the sentence an evidence
  link points to highlighted (CSS ``:target``), and what cleaning removed, by which rule. A run
  uses :func:`write_run_articles`: after the reports are exported, the pages of the articles they
  quote (all articles up to :data:`ALL_PAGES_MAX`) are written from the lens store by map steps,
  one partition at a time, every article is listed by id, and the reports' ids are linked.
* :func:`render_index` builds the landing page from the run's provenance record (the same
  dictionary the runner writes to ``provenance.json``); every value is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Collection, Mapping
from framelens.core.engine import get_engine
from framelens.lenses.overview import date_label
from framelens.store.lens_store import LensStore
from framelens.tables.parquet import partition_dirs, read_partition, read_table
from framelens.text.cleaning import RULES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TEMPLATE = DATA_DIR / "report_template.html"
CSS_FILE = DATA_DIR / "report.css"
TABLES_JS = DATA_DIR / "report_tables.js"
ARTICLE_CSS = DATA_DIR / "article.css"

_local = threading.local()


def report_css() -> str:
    """The stylesheet shared by the reports and the index page (inlined, never linked)."""
    return CSS_FILE.read_text(encoding="utf-8")


def tables_script() -> str:
    """The ``<script>`` element of the table tools, exactly as the site inlines it into a report
    (added after :func:`sanitize_html`, which removes every other script)."""
    return f'<script data-framelens="tables">\n{TABLES_JS.read_text(encoding="utf-8")}</script>'


# ---------------------------------------------------------------------------------------------
# notebook → HTML


def _exporter(with_code: bool):
    """One configured HTMLExporter per thread and code setting (building one costs ~50 ms)."""
    cache = getattr(_local, "exporters", None)
    if cache is None:
        cache = _local.exporters = {}
    if with_code not in cache:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters", "remove-cell")
        c.TagRemovePreprocessor.remove_input_tags = ("remove-input", "hide-input")
        c.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
        c.HTMLExporter.exclude_input = not with_code
        c.HTMLExporter.exclude_input_prompt = not with_code
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        c.HTMLExporter.theme = "light"
        exporter = _lean_exporter_class(HTMLExporter)(config=c, template_file=str(TEMPLATE))
        cache[with_code] = exporter
    return cache[with_code]


#: What nbconvert's HTMLExporter adds in its last step, for screen readers and keyboards: a
#: text for images without one, and focus on each cell's input and output.
NO_ALT = "No description has been provided for this image"
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)", re.I)
_FOCUSABLE = re.compile(r'(<div class="(?:[^"]*\s)?jp-(?:Cell-inputWrapper|OutputArea-output)(?=[\s"])[^>]*?)(\s*/?>)')


def accessible(page: str) -> str:
    """``page`` with what nbconvert's HTMLExporter adds after its template (it does it with a
    BeautifulSoup parse of the whole page, 0.5–0.9 s a report): the alternative text of every
    image without one, and ``tabindex="0"`` on each cell's input wrapper and output."""
    page = _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', page)
    return _FOCUSABLE.sub(lambda m: m.group(1) + ('' if "tabindex=" in m.group(1) else ' tabindex="0"') + m.group(2),
                          page)


_BLANK_BETWEEN_TAGS = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)|(?<=>)[ \t]*\n\s*(?=<)", re.S | re.I)


def squeeze_blank_lines(page: str) -> str:
    """The blank lines the template leaves between tags cut to one line break (which a browser
    shows as the same one space), except inside ``<pre>`` and ``<textarea>``, where every line
    is shown: about 5% of a page's bytes."""
    return _BLANK_BETWEEN_TAGS.sub(lambda m: m.group(1) or "\n", page)


def _lean_exporter_class(base):
    """nbconvert's HTMLExporter with its last step — a BeautifulSoup parse and print of the whole
    page, which adds the attributes of :func:`accessible` and drops the template's blank lines —
    done by :func:`accessible` and :func:`squeeze_blank_lines` instead."""

    class LeanHTMLExporter(base):
        def from_notebook_node(self, nb, resources=None, **kw):
            import nbconvert.exporters.html as html_module

            with _SOUP_LOCK:  # the name is nbconvert's module's: one export at a time replaces it
                real = html_module.BeautifulSoup
                html_module.BeautifulSoup = _Unparsed
                try:
                    page, resources = super().from_notebook_node(nb, resources, **kw)
                finally:
                    html_module.BeautifulSoup = real
            return squeeze_blank_lines(accessible(page)), resources

    return LeanHTMLExporter


_SOUP_LOCK = threading.Lock()


class _Unparsed(str):
    """Stands in for BeautifulSoup in :class:`LeanHTMLExporter`: the page as it is, no element selected."""

    def __new__(cls, page, features=None):
        return super().__new__(cls, page)

    def select(self, _selector):
        return []


def notebook_title(nb, default: str = "") -> str:
    """The text of the first markdown heading of ``nb`` (markup stripped), else ``default``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return default


def export_report(
    nb,
    dest: str | Path,
    *,
    title: str,
    meta: str = "",
    failure: str | None = None,
    with_code: bool = False,
    index_href: str = "../index.html",
    site_dir: str | Path | None = None,
) -> dict[str, int]:
    """Write ``nb`` (an executed nbformat notebook) as an offline HTML report at ``dest``.

    ``failure`` (one line, e.g. "cell 5: ValueError: ...") adds a red banner at the top: a
    failed notebook's partial report still shows its outputs up to the error and the error
    itself. ``site_dir`` (default: the folder above ``dest``'s, as in ``<out>/reports/x.html``)
    holds ``articles/`` and ``tables/``: evidence ids link to the article pages found there, and
    long tables to their CSV. Returns ``{"removed_unsafe": n, "headings": k, "evidence_links": e,
    "interactive_tables": t}``.
    """
    exporter = _exporter(with_code)
    resources = {
        "metadata": {"name": title},
        "framelens": {
            "css": report_css(),
            "title": title,
            "meta": meta,
            "failure": failure or "",
            "index_href": index_href,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body, removed = sanitize_html(body)
    body = strip_css_comments(body)
    body = mark_numeric_cells(body)
    body, n_headings = add_toc(body)
    dest = Path(dest)
    site = Path(site_dir) if site_dir is not None else dest.parent.parent
    body, n_links = link_evidence(body, article_ids(site / "articles"))
    body = resolve_csv_links(body, site / "tables")
    n_tables = len(_TOOL_TABLE.findall(body))
    if n_tables:
        body = body.replace("</body>", tables_script() + "\n</body>", 1)
    dest.parent.mkdir(exist_ok=True)  # not parents=True: never re-create a removed staging folder
    dest.write_text(body, encoding="utf-8")
    return {"removed_unsafe": removed, "headings": n_headings, "evidence_links": n_links,
            "interactive_tables": n_tables}


def error_page(dest: str | Path, *, title: str, message: str, index_href: str = "../index.html") -> None:
    """A minimal report for a notebook that produced no executed notebook at all."""
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{report_css()}</style></head>"
        f"<body class=\"fl-index\"><nav class=\"fl-bar\"><a href=\"{html.escape(index_href)}\">&larr; All reports</a>"
        f"<span class=\"fl-bar-title\">{html.escape(title)}</span></nav>"
        f"<div class=\"fl-failure\" role=\"alert\"><strong>This notebook could not run.</strong> "
        f"{html.escape(message)}</div></body></html>\n"
    )
    Path(dest).parent.mkdir(exist_ok=True)  # not parents=True: never re-create a removed staging folder
    Path(dest).write_text(page, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# safety: no scripts, no event handlers, nothing fetched from the network

_DROP_WITH_CONTENT = {"script"}
_DROP_TAG = {"iframe", "object", "embed", "applet", "frame", "frameset", "base"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|livescript):", re.I)
_CTRL = re.compile(r"[\x00-\x20]+")


class _Defuser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.removed = 0
        self._skip = 0

    def _clean_attrs(self, tag: str, attrs):
        changed = False
        kept = []
        for name, value in attrs:
            lname = name.lower()
            if lname.startswith("on") or lname == "srcdoc":
                changed = True
                continue
            if value is not None and lname in _URL_ATTRS:
                v = _CTRL.sub("", html.unescape(value))
                if _BAD_SCHEME.match(v) or (v.lower().startswith("data:") and not v.lower().startswith("data:image/")):
                    changed = True
                    continue
            if tag == "meta" and lname == "http-equiv":
                changed = True
                continue
            kept.append((name, value))
        return kept, changed

    def _emit_tag(self, tag, attrs, close: bool):
        if self._skip:
            return
        if tag in _DROP_WITH_CONTENT:
            self.removed += 1
            if not close:
                self._skip += 1
            return
        if tag in _DROP_TAG:
            self.removed += 1
            return
        kept, changed = self._clean_attrs(tag, attrs)
        if not changed:
            self.out.append(self.get_starttag_text())
            return
        self.removed += 1
        parts = [tag] + [n if v is None else f'{n}="{html.escape(v, quote=True)}"' for n, v in kept]
        self.out.append("<" + " ".join(parts) + (" />" if close else ">"))

    def handle_starttag(self, tag, attrs):
        self._emit_tag(tag, attrs, close=False)

    def handle_startendtag(self, tag, attrs):
        self._emit_tag(tag, attrs, close=True)

    def handle_endtag(self, tag):
        if tag in _DROP_WITH_CONTENT:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip or tag in _DROP_TAG:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self._skip:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self._skip:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        if not self._skip:
            self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        if not self._skip:
            self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        if not self._skip:
            self.out.append(f"<![{data}]>")


#: what counts as live markup when reporting how much the sanitizer removed
_LIVE = re.compile(r"<(?:script|iframe|object|embed|frame|base)\b|\son[a-z]+\s*=|javascript:|\ssrcdoc\s*=", re.I)
TOC_PLACEHOLDER = "<!--framelens-toc-->"
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
#: tags a report body may hold (nbconvert's lab template, pandas Styler tables, rendered Markdown)
_BODY_TAGS = frozenset({"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
                        "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2",
                        "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark",
                        "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "style",
                        "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
                        "ul", "var", "wbr"})
_BODY_ATTRS = {"*": {"class", "id", "title", "tabindex", "role", "lang", "dir"}, "a": {"href"},
               "img": {"src", "alt", "width", "height"}, "style": {"type"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan", "scope"}, "ol": {"start"}, "col": {"span"}, "colgroup": {"span"}}


def _body_attribute(tag: str, attr: str, value: str) -> str | None:
    """``data:`` URLs only as an image's source, and only of an image type."""
    if attr in ("href", "src") and value.strip().lower().startswith("data:"):
        ok = tag == "img" and attr == "src" and value.strip().lower().startswith("data:image/")
        return value if ok else None
    return value


def _clean_body(body: str) -> str:
    """The body of a report through nh3 (the Ammonia sanitizer: an HTML5 parser that reads markup
    as a browser does, so comment, ``<svg><style>`` and ``<noscript>`` tricks are parsed, not
    pattern-matched) with an allowlist: no script, no event handler, no script URL, no comment."""
    import nh3

    return nh3.clean(body, tags=set(_BODY_TAGS), clean_content_tags={"script"}, attributes=_BODY_ATTRS,
                     generic_attribute_prefixes={"data-", "aria-"}, link_rel=None, strip_comments=True,
                     url_schemes={"http", "https", "mailto", "data"}, attribute_filter=_body_attribute)


def sanitize_html(page: str) -> tuple[str, int]:
    """Remove every script, event handler and script URL from ``page``; return (html, n_removed).

    The body — where notebook outputs are — is rebuilt by a maintained sanitizer (nh3, see
    :func:`_clean_body`); the page's own head (the template's CSS and title) is checked tag by tag
    by :class:`_Defuser`. Text that was properly escaped (``&lt;script&gt;``) stays text. A
    non-zero count means some output carried unescaped markup.
    """
    m = _BODY_OPEN.search(page)
    end = page.rfind("</body>")
    if m is None or end < m.end():
        head, body, tail = "", page, ""
    else:
        head, body, tail = page[: m.end()], page[m.end(): end], page[end:]
    parser = _Defuser()
    parser.feed(head)
    parser.close()
    import secrets

    token = f"fl-toc-{secrets.token_hex(8)}"  # the template's TOC placeholder is a comment: keep that one
    body = body.replace(TOC_PLACEHOLDER, token, 1)
    clean = "".join(parser.out) + _clean_body(body).replace(token, TOC_PLACEHOLDER, 1) + tail
    return clean, max(0, len(_LIVE.findall(page)) - len(_LIVE.findall(clean)))


_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S | re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def strip_css_comments(page: str) -> str:
    """Drop comments inside ``<style>`` blocks (the lab theme's credits carry URLs; the page is
    then free of the string ``http`` unless an article link puts it there)."""
    return _STYLE.sub(lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), page)


_RESOURCE_REFS = [
    re.compile(r"<(?:script|img|iframe|embed|source|audio|video|input|track)\b[^>]*?\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^\"'\s>]*", re.I),
    re.compile(r"<link\b[^>]*?\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^\"'\s>]*", re.I),
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)\"']*", re.I),
    re.compile(r"@import\s+[\"']?(?:url\()?\s*[\"']?(?:https?:)?//[^;\"')]*", re.I),
]


def external_resources(page: str) -> list[str]:
    """Everything in ``page`` a browser would fetch from the network (should be empty).

    Plain links (``<a href="https://...">``) are not fetched and are not listed.
    """
    found: list[str] = []
    for rx in _RESOURCE_REFS:
        found.extend(m.group(0)[:200] for m in rx.finditer(page))
    return found


_NUM_CELL = re.compile(r"<td(\s[^>]*)?>(\s*[-+\u2212]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?\s*%?\s*)</td>", re.I)


def mark_numeric_cells(page: str) -> str:
    """Add ``data-num`` to table cells that hold just a number, so CSS can right-align numbers
    while text cells stay left-aligned (the lab theme right-aligns everything)."""
    return _NUM_CELL.sub(lambda m: f"<td{m.group(1) or ''} data-num>{m.group(2)}</td>", page)


# ---------------------------------------------------------------------------------------------
# evidence links and CSV links

_TOOL_TABLE = re.compile(r"<table\b[^>]*\sdata-fl-table(?:=\"\")?[\s>/]", re.I)
_CELL = re.compile(r"(<t[dh]\b([^>]*)>)([^<]+)(</t[dh]>)", re.I)
#: an evidence id: ``<doc_id>:s<k>`` (sentence) or ``<doc_id>:p<k>`` (paragraph)
EVIDENCE_ID = re.compile(r"(?<![A-Za-z0-9_.\-:/#])([A-Za-z0-9][A-Za-z0-9_.\-]*):([sp])(\d+)(?![A-Za-z0-9_])")
_DOC_CELL_CLASS = re.compile(r"""\bclass\s*=\s*["'][^"']*\bfl-doc\b""", re.I)


def article_ids(folder: str | Path) -> frozenset[str]:
    """The document ids that have an article page in ``folder`` (empty when there is none)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return frozenset()
    return frozenset(n[:-5] for n in names if n.endswith(".html") and not n.startswith("_"))  # lists: _*.html


def article_href(doc_id: str, anchor: str = "", *, base: str = "../articles/") -> str:
    """The link from a report (in ``reports/``) to an article page, optionally to an anchor."""
    return f"{base}{doc_id}.html" + (f"#{anchor}" if anchor else "")


def link_evidence(page: str, known: Collection[str], *, base: str = "../articles/",
                  listed: Mapping[str, str] | None = None) -> tuple[str, int]:
    """Link every evidence id in the table cells of ``page`` to its sentence or paragraph.

    ``cgtn:s12`` becomes a link to ``<base>cgtn.html#s12`` (``cgtn:p3`` to ``#p3``), and a cell of a
    ``doc_id`` column (marked ``fl-doc`` by ``report.show_table``) to the article page, when the
    document is in ``known`` (the ids with an article page): an id of another corpus, or text that
    merely looks like one, stays plain. ``listed``: document id → the list page that lists it
    (``_ids-0001.html``): a ``doc_id`` cell of a document without a page links to its row there.
    Only text between a cell's tags is touched, never markup. Returns (html, number of links).
    """
    if not known and not listed:
        return page, 0
    count = 0

    def one(m: re.Match) -> str:
        nonlocal count
        doc, kind, k = m.group(1), m.group(2), m.group(3)
        if doc not in known:
            return m.group(0)
        count += 1
        href = html.escape(article_href(doc, f"{kind}{k}", base=base), quote=True)
        what = "sentence" if kind == "s" else "paragraph"
        # <wbr>: a list of ids ("a:s1;a:s7;b:s2") may wrap before each id
        return f'<wbr><a class="fl-ev" href="{href}" title="Read {what} {k} in its article">{m.group(0)}</a>'

    def cell(m: re.Match) -> str:
        nonlocal count
        text = m.group(3)
        if _DOC_CELL_CLASS.search(m.group(2) or ""):
            doc = html.unescape(text.strip())
            if doc in known:
                count += 1
                href = html.escape(article_href(doc, base=base), quote=True)
                return f'{m.group(1)}<a class="fl-ev" href="{href}" title="Read this article">{text}</a>{m.group(4)}'
            if listed and doc in listed:
                count += 1
                href = html.escape(f"{base}{listed[doc]}#{doc}", quote=True)
                return f'{m.group(1)}<a class="fl-ev" href="{href}" title="This article in the list">{text}</a>{m.group(4)}'
            return m.group(0)
        if ":" not in text:
            return m.group(0)
        return m.group(1) + EVIDENCE_ID.sub(one, text) + m.group(4)

    return _CELL.sub(cell, page), count


_TABLE_TAG = re.compile(r"<table\b[^>]*>", re.I)
_CSV_SHA1 = re.compile(r'\sdata-fl-csv-sha1="([0-9a-f]{40})"')
_CSV_BYTES = re.compile(r'\sdata-fl-csv-bytes="(\d+)"')
_CSV_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def resolve_csv_links(page: str, tables: str | Path) -> str:
    """Point tables that were shown before they were exported at their CSV in ``tables``.

    ``report.show_table`` marks such a table with the SHA-1 and size of the CSV it would be
    (``data-fl-csv-sha1``, ``data-fl-csv-bytes``); the CSV of ``tables`` with that size and hash is
    the table's (only files of a matching size are read). An unmatched table gets no CSV link.
    """
    tags = [m for m in _TABLE_TAG.finditer(page) if "data-fl-csv-sha1" in m.group(0)]
    if not tags:
        return page
    wanted: dict[tuple[str, int], None] = {}
    for m in tags:
        sha, size = _CSV_SHA1.search(m.group(0)), _CSV_BYTES.search(m.group(0))
        if sha and size:
            wanted[(sha.group(1), int(size.group(1)))] = None
    sizes = {size for _, size in wanted}
    found: dict[tuple[str, int], str] = {}
    try:
        entries = sorted(Path(tables).glob("*.csv"))
    except OSError:
        entries = []
    for path in entries:
        try:
            size = path.stat().st_size
            if size not in sizes:
                continue
            key = (hashlib.sha1(path.read_bytes()).hexdigest(), size)
        except OSError:
            continue
        if key in wanted and key not in found and _CSV_NAME.match(path.stem):
            found[key] = path.stem

    def repl(m: re.Match) -> str:
        tag = m.group(0)
        if "data-fl-csv-sha1" not in tag:
            return tag
        sha, size = _CSV_SHA1.search(tag), _CSV_BYTES.search(tag)
        name = found.get((sha.group(1), int(size.group(1)))) if sha and size else None
        tag = _CSV_BYTES.sub("", _CSV_SHA1.sub("", tag))
        if name:
            tag = tag[:-1].rstrip("/ ") + f' data-fl-csv="{html.escape(name, quote=True)}">'
        return tag

    return _TABLE_TAG.sub(repl, page)


# ---------------------------------------------------------------------------------------------
# article pages


_META_SKIP = {"doc_id", "source", "label", "title", "published", "published_precision", "url", "file",
              "n_paragraphs", "n_sentences", "n_words", "english_share", "text"}


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    try:
        if v != v:  # NaN, NaT
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def _article_meta(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, escaped HTML value) rows of an article's metadata, empty fields left out."""
    rows: list[tuple[str, str]] = []
    src, label = _cell_text(doc.get("source")), _cell_text(doc.get("label"))
    rows.append(("Source", _e(label) + (f' <code>{_e(src)}</code>' if src and src != label else "")))
    for key in ("outlet", "author"):
        if _cell_text(doc.get(key)) and not (key == "outlet" and doc.get(key) == label):
            rows.append((key.capitalize(), _e(_cell_text(doc[key]))))
    pub = doc.get("published")
    rows.append(("Published", _e(date_label(pub, _cell_text(doc.get("published_precision")) or "day")
                                 if pub is not None and _cell_text(pub) else "unknown")))
    for key, value in doc.items():
        if key in _META_SKIP or key in ("outlet", "author") or not _cell_text(value):
            continue
        rows.append((key.replace("_", " ").capitalize(), _e(_cell_text(value))))
    url = _safe_url(_cell_text(doc.get("url")))
    if url:
        rows.append(("URL", f'<a href="{_e(url, quote=True)}" rel="noopener noreferrer">{_e(url)}</a>'))
    if _cell_text(doc.get("file")):
        rows.append(("File", f"<code>{_e(_cell_text(doc['file']))}</code>"))
    counts = [f"{int(doc[k]):,} {w}" for k, w in (("n_paragraphs", "paragraphs"), ("n_sentences", "sentences"),
                                                   ("n_words", "words")) if _cell_text(doc.get(k))]
    if counts:
        rows.append(("After cleaning", " · ".join(counts)))
    return rows


def _paragraph_html(para_id: str, kind: str, text: str, sents: list[tuple[int, str]]) -> str:
    """One paragraph: a heading, or a ``<p>`` whose sentences are anchored spans (the text
    between sentences is kept as it is)."""
    pid = para_id.rsplit(":", 1)[-1]
    if kind == "heading":
        return f'<h2 class="fl-h" id="{pid}">{_e(text, quote=False)}</h2>\n'
    out = [f'<p id="{pid}">']
    pos = 0
    for k, sent in sents:
        at = text.find(sent, pos)
        if at < 0:  # not a slice of the paragraph (never expected): show it on its own
            at, gap = pos, " "
        else:
            gap = text[pos:at]
        out.append(_e(gap, quote=False))
        out.append(f'<span class="s" id="s{k}"><a class="n" href="#s{k}" title="sentence s{k}">s{k}</a>'
                   f"{_e(sent, quote=False)}</span>")
        pos = at + len(sent) if at >= 0 else pos
    out.append(_e(text[pos:], quote=False))
    out.append("</p>\n")
    return "".join(out)


def article_page(
    doc: dict[str, Any],
    paragraphs: list[tuple[str, str, str, int]],
    sentences: dict[str, list[tuple[int, str]]],
    removed: list[tuple[str, int, str]],
    *,
    rules: dict[str, str] | None = None,
    index_href: str = "../index.html",
    css_href: str = "article.css",
) -> str:
    """The HTML page of one article (every value HTML-escaped).

    ``doc``: a row of ``corpus.documents``; ``paragraphs``: ``(para_id, kind, text, line)`` in
    order; ``sentences``: para_id → ``[(sentence index, text)]``; ``removed``: the audit rows
    ``(rule, line, text)``; ``rules``: rule → what it removes.
    """
    rules = rules or {}
    doc_id = _cell_text(doc.get("doc_id"))
    title = _cell_text(doc.get("title")) or doc_id
    w: list[str] = []
    w.append('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="generator" content="framelens">'
             f"<title>{_e(title)} — {_e(doc_id)}</title>"
             f'<link rel="stylesheet" href="{_e(css_href, quote=True)}"></head>\n<body class="fl-article">'
             f'<nav class="fl-bar"><a href="{_e(index_href, quote=True)}">&larr; All reports</a>'
             f'<a href="{ARTICLE_LIST}">All articles</a>'
             f'<span class="fl-bar-title">Article <code>{_e(doc_id)}</code></span>'
             f'<span class="fl-bar-meta">{_e(_cell_text(doc.get("label")))}</span></nav>\n<main>\n')
    w.append(f"<h1>{_e(title)}</h1>\n<dl class=\"fl-meta\">")
    for k, v in _article_meta(doc):
        w.append(f"<dt>{_e(k)}</dt><dd>{v}</dd>")
    w.append("</dl>\n")
    w.append(f'<p class="fl-hint">The text as framelens analysed it, after cleaning. Sentences are numbered as in '
             f'the reports\' evidence ids (<code>{_e(doc_id)}:s0</code> is the first); an evidence link highlights '
             "its sentence. What cleaning removed is shown struck through where it was, with the rule.</p>\n")
    w.append('<article class="fl-text">\n')
    pending = sorted(removed, key=lambda r: r[1])
    r_i = 0

    def removed_html(rule: str, line: int, text: str) -> str:
        why = rules.get(rule, "")
        return (f'<div class="fl-removed" title="{_e(why, quote=True)}"><span class="fl-rule">removed · '
                f'{_e(rule.replace("_", " "))} · line {int(line)}</span> <del>{_e(text, quote=False)}</del></div>\n')

    for para_id, kind, text, line in paragraphs:
        while r_i < len(pending) and pending[r_i][1] <= line:
            w.append(removed_html(*pending[r_i]))
            r_i += 1
        w.append(_paragraph_html(para_id, kind, text, sentences.get(para_id, [])))
    for item in pending[r_i:]:
        w.append(removed_html(*item))
    if not paragraphs:
        w.append('<p class="fl-hint">No text is left after cleaning.</p>\n')
    w.append("</article>\n")
    w.append(f'<h2 id="removed">Removed by cleaning ({len(removed)})</h2>\n')
    if removed:
        w.append("<table><thead><tr><th>Rule</th><th>Line</th><th>Removed text</th><th>What the rule removes</th>"
                 "</tr></thead><tbody>")
        for rule, line, text in pending:
            w.append(f'<tr><td>{_e(rule)}</td><td class="num">{int(line)}</td><td>{_e(text)}</td>'
                     f'<td class="fl-why">{_e(rules.get(rule, ""))}</td></tr>')
        w.append("</tbody></table>\n")
    else:
        w.append("<p>Nothing: no line of this article matched a cleaning rule.</p>\n")
    w.append("</main></body></html>\n")
    return "".join(w)


def _partition_pages(corpus, folder: Path, wanted: Collection[str] | None, *,
                     index_href: str = "../index.html") -> tuple[int, dict[str, int]]:
    """Write the pages of the documents of ``corpus`` (one partition, or a whole small corpus)
    that are in ``wanted`` (``None``: all) into ``folder``. One pass over the tables (grouped once,
    not filtered per document). Returns (pages written, spans removed per document of ``corpus``)."""
    keep = None if wanted is None else set(map(str, wanted))
    removed: dict[str, list[tuple[str, int, str]]] = {}
    a = corpus.audit
    for did, rule, line, text in zip(a["doc_id"], a["rule"], a["line"], a["text"]):
        removed.setdefault(str(did), []).append((str(rule), int(line), str(text)))
    counts = {str(d): len(removed.get(str(d), [])) for d in corpus.documents["doc_id"]}
    if keep is not None and not keep.intersection(counts):
        return 0, counts
    paras: dict[str, list[tuple[str, str, str, int]]] = {}
    p = corpus.paragraphs
    for pid, did, kind, text, line in zip(p["para_id"], p["doc_id"], p["kind"], p["text"], p["line"]):
        if keep is None or str(did) in keep:
            paras.setdefault(str(did), []).append((pid, kind, text, int(line)))
    sents: dict[str, list[tuple[int, str]]] = {}
    s = corpus.sentences
    for pid, k, text in zip(s["para_id"], s["sent_index"], s["text"]):
        if keep is None or str(pid).rsplit(":", 1)[0] in keep:  # para_id: <doc_id>:p<k>
            sents.setdefault(pid, []).append((int(k), text))
    n = 0
    for doc in corpus.documents.to_dict("records"):
        did = str(doc["doc_id"])
        if (keep is not None and did not in keep) or not _DOC_ID.match(did):  # a file name must be safe
            continue
        page = article_page(doc, paras.get(did, []), sents, removed.get(did, []), rules=RULES, index_href=index_href)
        (folder / f"{did}.html").write_text(page, encoding="utf-8")
        n += 1
    return n, counts


def _list_row(doc: dict[str, Any], n_removed: int) -> tuple[str, ...]:
    pub = doc.get("published")
    return (str(doc["doc_id"]), _cell_text(doc.get("label")), _cell_text(doc.get("title")),
            date_label(pub, _cell_text(doc.get("published_precision")) or "day") if _cell_text(pub) else "unknown",
            _cell_text(doc.get("n_words")), _cell_text(doc.get("n_sentences")), str(n_removed))


def write_articles(corpus, folder: str | Path, *, index_href: str = "../index.html") -> dict[str, Any]:
    """Write one page per document of ``corpus`` (a loaded corpus) into ``folder``
    (``<doc_id>.html``), the shared stylesheet (``article.css``) and the list of the articles; see
    :func:`article_page`. For a run, the runner uses :func:`write_article_site`, which reads the
    stored corpus one partition at a time and writes pages only where they are needed.
    Returns ``{"articles": n, "seconds": s}``.
    """
    import time

    t0 = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.css").write_text(ARTICLE_CSS.read_text(encoding="utf-8"), encoding="utf-8")
    _, removed = _partition_pages(corpus, folder, None, index_href=index_href)
    listed = [_list_row(doc, removed.get(str(doc["doc_id"]), 0)) for doc in corpus.documents.to_dict("records")
              if _DOC_ID.match(str(doc["doc_id"]))]
    (folder / ARTICLE_LIST).write_text(articles_list_page(listed, index_href=index_href), encoding="utf-8")
    return {"articles": len(listed), "seconds": time.perf_counter() - t0}


#: A corpus of at most this many articles gets a page for every article (:func:`write_article_site`).
ALL_PAGES_MAX = 200
#: Above this many articles the article list is split into pages of this many rows, in id order.
LIST_PAGE_ROWS = 1000


def cited_documents(page: str) -> set[str]:
    """The documents a report cites as evidence: the document part of every evidence id
    (``doc:s12``, ``doc:p3``) in its table cells, as :func:`link_evidence` finds them. (A
    ``doc_id`` cell names an article without quoting it: it links to the article's page when
    there is one, else to its row in the list of articles.)"""
    found: set[str] = set()
    for m in _CELL.finditer(page):
        text = m.group(3)
        if ":" in text and not _DOC_CELL_CLASS.search(m.group(2) or ""):
            found.update(x.group(1) for x in EVIDENCE_ID.finditer(text))
    return found


def cited_in_reports(reports: str | Path) -> set[str]:
    """The documents cited by the HTML reports in folder ``reports`` (:func:`cited_documents`)."""
    out: set[str] = set()
    for path in sorted(Path(reports).glob("*.html")):
        out |= cited_documents(path.read_text(encoding="utf-8"))
    return out


def link_reports(reports: str | Path, articles: str | Path, listed: Mapping[str, str] | None = None) -> int:
    """Link the evidence ids of every report in ``reports`` to the pages now in ``articles``, and
    ``doc_id`` cells of articles without a page to their row in the list (``listed``, see
    :func:`link_evidence`; cells linked before are left as they are). Returns the links added."""
    known = article_ids(articles)
    total = 0
    for path in sorted(Path(reports).glob("*.html")):
        page = path.read_text(encoding="utf-8")
        linked, n = link_evidence(page, known, listed=listed)
        if n:
            path.write_text(linked, encoding="utf-8")
            total += n
    return total


def map_article_pages(task: tuple) -> dict[str, int]:
    """A map step: the article pages of one stored corpus partition (only the documents in
    ``wanted``; ``None``: all of them) written into ``folder``; returns the spans cleaning removed
    per document of the partition (for the list of articles)."""
    pdir, folder, wanted, index_href = task
    pdir = Path(pdir)
    if wanted is not None and not wanted:  # no page here: only the audit's counts are read
        ids = read_table(pdir / "documents.parquet", None, columns=["doc_id"])["doc_id"].astype(str)
        spans = read_table(pdir / "audit.parquet", None, columns=["doc_id"])["doc_id"].astype(str).value_counts()
        return {d: int(spans.get(d, 0)) for d in ids}
    _, counts = _partition_pages(read_partition(pdir), Path(folder), wanted, index_href=index_href)
    return counts


def write_run_articles(corpus: str | Path, store: str | Path, site_dir: str | Path, *, inputs: dict | None = None,
                       workers: int = 1, all_pages_max: int = ALL_PAGES_MAX) -> dict[str, Any]:
    """The runner's article phase, after the reports are exported: the article pages of the
    documents the reports in ``site_dir/reports`` cite (all of them for a small corpus) written
    from the lens store ``store`` one partition at a time (:func:`write_article_site`), then the
    reports' evidence ids linked to them (:func:`link_reports`)."""

    site_dir = Path(site_dir)
    lens = LensStore(store, corpus, inputs=inputs)
    lens.ingest()  # nothing to do when the store phase stored it
    cited = cited_in_reports(site_dir / "reports")
    n_parts = len(lens.partitions())
    info = write_article_site(lens.corpus_dir, site_dir / "articles", cited=cited, all_pages_max=all_pages_max,
                              workers=workers if n_parts >= 4 and len(cited) > 1000 else 1)
    info["links"] = link_reports(site_dir / "reports", site_dir / "articles", info.pop("listed"))
    return info


def write_article_site(corpus_dir: str | Path, folder: str | Path, *, cited: Collection[str] | None = None,
                       engine: Any = None, workers: int = 1, all_pages_max: int = ALL_PAGES_MAX,
                       list_rows: int = LIST_PAGE_ROWS,
                       index_href: str = "../index.html") -> dict[str, Any]:
    """The article pages of a run, from the corpus stored in ``corpus_dir`` (a lens store's
    corpus folder), written by map steps one partition at a time (on ``engine``, see
    :func:`framelens.core.engine.get_engine`; ``None``: here), so no process holds the whole corpus.

    Which articles get a page: every one when the corpus has at most ``all_pages_max`` articles;
    otherwise the articles the reports cite (``cited``: :func:`cited_in_reports`; an evidence
    id links to the page that holds its sentence). Every article is listed by id, with its
    source, title and date: on one page (``_index.html``) up to ``list_rows`` articles, else on
    pages of ``list_rows`` articles in id order (``_ids-0001.html``, ...) that ``_index.html``
    lists by their first and last id. So a 100 k-article site holds a few hundred article pages
    and 100 list pages, not 100 k pages.
    Returns ``{"articles": listed, "pages": written, "list_pages": k, "seconds": s}``.
    """
    import time


    t0 = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.css").write_text(ARTICLE_CSS.read_text(encoding="utf-8"), encoding="utf-8")
    dirs = partition_dirs(Path(corpus_dir))
    ids_of = [read_table(d / "documents.parquet", None, columns=["doc_id"])["doc_id"].astype(str).tolist()
              for d in dirs]
    n_docs = sum(len(i) for i in ids_of)
    wanted = None if n_docs <= all_pages_max else set(map(str, cited or ()))
    tasks = [(str(d), str(folder), None if wanted is None else sorted(wanted.intersection(ids)), index_href)
             for d, ids in zip(dirs, ids_of)]
    eng = get_engine(engine, workers=workers)
    removed: dict[str, int] = {}
    try:
        for counts in eng.imap(map_article_pages, tasks, label="articles"):
            removed.update(counts)
    finally:
        if eng is not engine:
            eng.close()
    pages = article_ids(folder)
    cols = ["doc_id", "label", "title", "published", "published_precision", "n_words", "n_sentences"]
    rows = []
    for d in dirs:
        docs = read_table(d / "documents.parquet", None)
        docs = docs[[c for c in cols if c in docs.columns]]
        rows += [_list_row(doc, removed.get(str(doc["doc_id"]), 0)) for doc in docs.to_dict("records")
                 if _DOC_ID.match(str(doc["doc_id"]))]
    listed = write_article_lists(rows, folder, pages=pages, list_rows=list_rows, index_href=index_href,
                                 all_pages=wanted is None)
    return {"articles": len(rows), "pages": len(pages), "list_pages": len(set(listed.values()) - {ARTICLE_LIST}),
            "listed": listed, "seconds": time.perf_counter() - t0}


def write_article_lists(rows: list[tuple[str, ...]], folder: Path, *, pages: Collection[str], list_rows: int,
                        index_href: str = "../index.html", all_pages: bool = True) -> dict[str, str]:
    """The list of the articles (:func:`articles_list_page`): ``_index.html`` alone, or, above
    ``list_rows`` rows, ``_index.html`` listing the pages ``_ids-0001.html``, ... of ``list_rows``
    rows each in id order. Returns document id → the list page holding its row (anchor: the id)."""
    note = None if all_pages else (
        f"Pages are written for the {len(pages):,} articles the reports cite (every evidence id links to "
        f"the sentence on its article's page); the other articles are listed with their source, title and date.")
    if len(rows) <= list_rows:
        (folder / ARTICLE_LIST).write_text(articles_list_page(rows, index_href=index_href, pages=pages, note=note),
                                           encoding="utf-8")
        return {r[0]: ARTICLE_LIST for r in rows}
    rows = sorted(rows, key=lambda r: r[0])
    chunks = [rows[a:a + list_rows] for a in range(0, len(rows), list_rows)]
    names = [f"_ids-{k + 1:04d}.html" for k in range(len(chunks))]
    for name, chunk in zip(names, chunks):
        (folder / name).write_text(articles_list_page(chunk, index_href=index_href, pages=pages, note=note,
                                                      total=len(rows)), encoding="utf-8")
    w = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="generator" content="framelens">'
         f"<title>framelens — articles</title><style>{report_css()}</style></head>"
         f'<body class="fl-index"><nav class="fl-bar"><a href="{_e(index_href, quote=True)}">&larr; All reports</a>'
         '<span class="fl-bar-title">Articles</span></nav><main>'
         f"<h1>The articles ({len(rows):,})</h1>"
         f'<p class="fl-sub">Listed by id, {list_rows:,} to a page: find the page whose range holds an id.'
         f'{" " + _e(note) if note else ""}</p>'
         '<table><thead><tr><th>Page</th><th>First id</th><th>Last id</th><th>Articles</th><th>With a page</th>'
         "</tr></thead><tbody>"]
    pages = set(pages)
    for k, (name, chunk) in enumerate(zip(names, chunks), 1):
        href = _e(name, quote=True)
        w.append(f'<tr><td><a href="{href}">{k}</a></td><td><a href="{href}">{_e(chunk[0][0])}</a></td>'
                 f'<td>{_e(chunk[-1][0])}</td><td class="num">{len(chunk):,}</td>'
                 f'<td class="num">{sum(r[0] in pages for r in chunk):,}</td></tr>')
    w.append("</tbody></table></main></body></html>\n")
    (folder / ARTICLE_LIST).write_text("".join(w), encoding="utf-8")
    return {r[0]: name for name, chunk in zip(names, chunks) for r in chunk}


#: The list of all article pages (a document id cannot start with "_", so it never clashes).
ARTICLE_LIST = "_index.html"
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def articles_list_page(rows: list[tuple[str, ...]], *, index_href: str = "../index.html",
                       pages: Collection[str] | None = None, note: str | None = None,
                       total: int | None = None) -> str:
    """A page listing articles (``articles/_index.html``, or one page of the list in id order):
    id, source, title, date, words, sentences and spans removed by cleaning, one row per article,
    with the table tools. ``pages``: the ids with an article page (``None``: all); the others are
    listed without a link. ``note``: a sentence saying which articles have pages; ``total``: the
    number of articles in the whole list (when this page holds part of it)."""
    has = (lambda d: True) if pages is None else set(pages).__contains__
    head = f"The articles ({len(rows):,})" if total is None else (
        f"Articles {_e(rows[0][0]) if rows else ''} to {_e(rows[-1][0]) if rows else ''} ({len(rows):,} of {total:,})")
    w = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="generator" content="framelens">'
         f"<title>framelens — articles</title><style>{report_css()}</style></head>"
         f'<body class="fl-index"><nav class="fl-bar"><a href="{_e(index_href, quote=True)}">&larr; All reports</a>'
         + (f'<a href="{ARTICLE_LIST}">All articles</a>' if total is not None else "")
         + '<span class="fl-bar-title">Articles</span></nav><main>'
         f"<h1>{head}</h1>"
         '<p class="fl-sub">Each article as framelens analysed it: the text after cleaning with every sentence '
         "numbered as in the reports' evidence ids, and what cleaning removed, with the rule."
         + (f" {_e(note)}" if note else "") + "</p>"]
    many = len(rows) > 10
    attrs = f' data-fl-table data-fl-top="50" data-fl-rows="{len(rows)}"' if many else ""
    w.append(f"<table{attrs}><caption>Articles</caption><thead><tr><th>doc_id</th><th>Source</th><th>Title</th>"
             "<th>Published</th><th>Words</th><th>Sentences</th><th>Removed spans</th></tr></thead><tbody>")
    for did, label, title, published, words, n_sents, n_removed in rows:
        if has(did):
            href = _e(f"{did}.html", quote=True)
            first = f'<td id="{_e(did, quote=True)}"><a href="{href}">{_e(did)}</a></td>'
            name = f'<a href="{href}">{_e(title or did)}</a>'
        else:
            first, name = f'<td id="{_e(did, quote=True)}">{_e(did)}</td>', _e(title or did)
        w.append(f'<tr>{first}<td>{_e(label)}</td><td>{name}</td>'
                 f'<td>{_e(published)}</td><td class="num">{_e(words)}</td><td class="num">{_e(n_sents)}</td>'
                 f'<td class="num">{_e(n_removed)}</td></tr>')
    w.append("</tbody></table></main>")
    if many:
        w.append(tables_script())
    w.append("</body></html>\n")
    return "".join(w)


# ---------------------------------------------------------------------------------------------
# table of contents

_HEADING = re.compile(r"<h([1-4])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def add_toc(page: str, *, min_headings: int = 3) -> tuple[str, int]:
    """Fill the ``<!--framelens-toc-->`` placeholder with a nested list of the h2–h3 headings.

    Only long reports (at least ``min_headings`` section headings) get one. Returns (html, k).
    """
    heads = []
    for m in _HEADING.finditer(page):
        level, anchor, inner = int(m.group(1)), m.group(2), m.group(3)
        if level == 1 or level > 3:
            continue
        text = html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        if text:
            heads.append((level, anchor, text))
    if len(heads) < min_headings or "<!--framelens-toc-->" not in page:
        return page.replace("<!--framelens-toc-->", "", 1), len(heads)
    parts = ['<nav class="fl-toc" aria-label="Contents"><strong>Contents</strong><ol>']
    depth = 0  # 0: inside top-level list, 1: inside a nested list
    for i, (level, anchor, text) in enumerate(heads):
        want = 1 if level == 3 and i > 0 else 0
        if want > depth:
            parts[-1] = parts[-1].removesuffix("</li>")
            parts.append("<ol>")
        elif want < depth:
            parts.append("</ol></li>")
        depth = want
        parts.append(f'<li><a href="#{html.escape(anchor, quote=True)}">{html.escape(text)}</a></li>')
    if depth:
        parts.append("</ol></li>")
    parts.append("</ol></nav>")
    return page.replace("<!--framelens-toc-->", "".join(parts), 1), len(heads)


# ---------------------------------------------------------------------------------------------
# the index page

_e = html.escape


def _fmt_seconds(s: Any) -> str:
    try:
        return f"{float(s):.1f} s"
    except (TypeError, ValueError):
        return ""


def _safe_url(url: str) -> str | None:
    url = (url or "").strip()
    return url if re.match(r"^https?://", url, re.I) else None


def render_index(prov: dict[str, Any]) -> str:
    """The landing page for a run, from its provenance record (see ``runner.run_suite``)."""
    corpus = prov.get("corpus", {})
    results = prov.get("results", [])
    n_failed = sum(r.get("status") != "ok" for r in results)
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
    w('<meta name="viewport" content="width=device-width, initial-scale=1.0"><meta name="generator" content="framelens">')
    w(f"<title>framelens — {_e(corpus.get('name', 'corpus'))}</title><style>{report_css()}</style></head>")
    w('<body class="fl-index"><main>')
    w(f"<h1>How the sources frame it: {_e(corpus.get('name', 'corpus'))}</h1>")
    w(
        f'<p class="fl-sub">{int(corpus.get("n_documents", 0)):,} documents from '
        f'{int(corpus.get("n_sources", 0)):,} sources · run {_e(prov.get("finished", ""))} · '
        f'{_e(_fmt_seconds(prov.get("duration_s")))}</p>'
    )
    if n_failed:
        w(
            f'<div class="fl-failure" role="alert"><strong>{n_failed} of {len(results)} reports did not complete.</strong> '
            "Their rows are marked below; a failed report shows its output up to the error.</div>"
        )

    for r in results:
        if r.get("start_here") and r.get("status") == "ok" and r.get("report"):
            w(f'<div class="fl-start"><strong>Start here:</strong> <a href="{_e(r["report"], quote=True)}">'
              f'{_e(r.get("title") or r.get("name", ""))}</a> — {_e(r.get("headline") or "")}</div>')

    _index_reports(w, prov, corpus, results)
    _index_corpus(w, prov, corpus)
    _index_provenance(w, prov, corpus, results)
    w("</main></body></html>\n")
    return "".join(out)


def _index_reports(w, prov: dict[str, Any], corpus: dict[str, Any], results: list) -> None:
    """The index's table of reports (title, finding, status, time) and the sources without a profile."""
    w("<h2>Reports</h2><table><thead><tr><th>Report</th><th>Finding</th><th>Status</th><th>Time</th></tr></thead><tbody>")
    for r in results:
        status = r.get("status", "")
        cls = "ok" if status == "ok" else "failed"
        title = _e(r.get("title") or r.get("name", ""))
        link = f'<a href="{_e(r["report"], quote=True)}">{title}</a>' if r.get("report") else title
        link += f'<br><code class="fl-sub">{_e(r.get("name", ""))}</code>'
        finding = _e(r.get("headline") or "")
        if status != "ok" and r.get("error"):
            finding = (finding + "<br>" if finding else "") + f'<span class="fl-err">{_e(r["error"])}</span>'
        if r.get("earlier_run"):
            finding += ' <span class="fl-sub">(from an earlier run)</span>'
        w(
            f'<tr class="{cls}"><td>{link}</td><td>{finding}</td>'
            f'<td class="fl-status {_e(status)}">{_e(status)}</td><td class="num">{_e(_fmt_seconds(r.get("seconds")))}</td></tr>'
        )
    w("</tbody></table>")
    skipped = prov.get("not_profiled") or []
    if skipped:
        w(f"<p><strong>Per-source profiles</strong> were made for the {int(corpus.get('n_sources', 0)) - len(skipped)} "
          f"largest sources. These {len(skipped)} have none (the other reports include them): ")
        w(", ".join(f"<code>{_e(str(x.get('source', '')))}</code>" for x in skipped[:200]))
        if len(skipped) > 200:
            w(f" … ({len(skipped) - 200} more, listed in provenance.json)")
        w(". To make some: <code>framelens run --only 05 --profiles ID,ID,…</code> "
          "(or <code>--profiles 0</code> for every source).</p>")


def _index_corpus(w, prov: dict[str, Any], corpus: dict[str, Any]) -> None:
    """The index's corpus section: the compared units, their outlets and the loader's warnings."""
    sources = prov.get("sources", [])
    w("<h2>The corpus</h2>")
    by = str(prov.get("by") or "source")
    if by != "source":
        w(f"<p><strong>Compared by <code>{_e(by)}</code>:</strong> each unit below is one value of "
          f"<code>{_e(by)}</code>; the outlets inside each unit are listed with their number of articles. "
          "Articles without a value are left out and counted in the warnings below.</p>")
    w(f"<p>Input: <code>{_e(corpus.get('path', ''))}</code> · <a href=\"articles/{ARTICLE_LIST}\">Read the articles</a> "
      "as framelens analysed them (every sentence numbered as in the evidence ids, and what cleaning removed)</p>")
    if sources:
        grouped = any(len(s.get("members") or []) > 1 for s in sources)
        if grouped:
            w("<p>Each compared unit groups several outlets: the <em>Outlets</em> column lists the outlets "
              "inside each unit with their number of articles. Reports name a unit by its id (or its "
              "<code>source_label</code>), never by one of its outlets.</p>")
        outlet_head = "Outlets (articles)" if grouped else "Outlet"
        w(
            f"<table><thead><tr><th>Source</th><th>Name in reports</th><th>{outlet_head}</th><th>Title</th>"
            "<th>Published</th><th>Genre</th><th>Docs</th><th>Words</th></tr></thead><tbody>"
        )
        for s in sources:
            title = _e(s.get("title", ""))
            url = _safe_url(s.get("url", ""))
            if url and title:
                title = f'<a href="{_e(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
            members = s.get("members") or []
            if grouped:
                shown = ", ".join(f"{_e(str(m.get('outlet', '')))} ({int(m.get('n_documents', 0))})" for m in members[:12])
                if len(members) > 12:
                    shown += f", … ({len(members):,} outlets in all)"
            else:
                shown = _e(s.get("outlet", ""))
            w(
                f"<tr><td><code>{_e(str(s.get('source', '')))}</code></td><td>{_e(s.get('label', ''))}</td>"
                f"<td>{shown or _e(s.get('outlet', ''))}</td>"
                f"<td>{title}</td><td>{_e(s.get('published', ''))}</td><td>{_e(s.get('genre', ''))}</td>"
                f'<td class="num">{_e(str(s.get("n_documents", "")))}</td><td class="num">{_e(str(s.get("n_words", "")))}</td></tr>'
            )
        w("</tbody></table>")
    if corpus.get("warnings"):
        w("<p><strong>Warnings while loading:</strong></p><ul>")
        for msg in corpus["warnings"]:
            w(f"<li>{_e(str(msg))}</li>")
        w("</ul>")


def _index_provenance(w, prov: dict[str, Any], corpus: dict[str, Any], results: list) -> None:
    """The index's provenance: command, times, digests of the input files, parameters, versions."""
    w("<h2>Provenance</h2>")
    w("<table><tbody>")
    rows = [
        ("Command", prov.get("command", "")),
        ("Started (UTC)", prov.get("started", "")),
        ("Finished (UTC)", prov.get("finished", "")),
        ("Duration", _fmt_seconds(prov.get("duration_s"))),
        ("Parallel jobs", str(prov.get("jobs", ""))),
        ("Corpus digest (SHA-256)", corpus.get("digest", "")),
    ]
    for k, v in rows:
        w(f"<tr><th>{_e(k)}</th><td>{_e(str(v))}</td></tr>")
    w("</tbody></table>")
    files = corpus.get("files", [])
    w(f"<details><summary>Input files ({len(files)}) and their SHA-256</summary><table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>")
    for f in files[:500]:
        w(f'<tr><td><code>{_e(f["path"])}</code></td><td class="num">{int(f["bytes"])}</td><td class="fl-hash">{_e(f["sha256"])}</td></tr>')
    w("</tbody></table>")
    if len(files) > 500:
        w(f"<p>… and {len(files) - 500} more (all listed in provenance.json).</p>")
    w("</details>")
    params = {r.get("name", ""): r.get("parameters", {}) for r in results}
    w("<details><summary>Parameters of each notebook</summary><pre>")
    w(_e(json.dumps(params, indent=1, ensure_ascii=False, default=str)))
    w("</pre></details>")
    w("<details><summary>Package versions</summary><table><tbody>")
    for k, v in prov.get("versions", {}).items():
        w(f"<tr><th>{_e(k)}</th><td>{_e(str(v))}</td></tr>")
    w("</tbody></table></details>")
    w('<p class="fl-sub">Machine-readable: <a href="provenance.json">provenance.json</a> · '
      'executed notebooks in <code>notebooks/</code>, tables in <code>tables/</code>, figures in <code>figures/</code>, '
      'the articles in <code>articles/</code> (a page for each article the reports quote, all of them in a small corpus).</p>')
