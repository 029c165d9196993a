"""The report site: notebook → offline HTML report, and the ``index.html`` landing page.

* :func:`export_report` turns an executed notebook into a self-contained HTML page with
  nbconvert's ``HTMLExporter`` (in-process: ~0.1 s instead of ~1 s for the command-line
  tool). Code is hidden unless asked for; papermill's ``injected-parameters`` cell and cells
  tagged ``remove-cell`` are dropped; the page loads nothing from the network (the stock
  ``lab`` template pulls require.js, MathJax and Mermaid from a CDN — our template, in
  ``data/report_template.html``, drops them); long reports get a table of contents built from
  their headings.
* :func:`sanitize_html` is the last line of defence for article text that reached an output
  without being escaped: the reports need no JavaScript at all, so every ``<script>`` element,
  ``on*=`` event handler and ``javascript:`` URL is removed (and counted, so the runner can
  warn that some notebook forgot to escape).
* :func:`render_index` builds the landing page from the run's provenance record (the same
  dictionary the runner writes to ``provenance.json``); every value is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TEMPLATE = DATA_DIR / "report_template.html"
CSS_FILE = DATA_DIR / "report.css"

_local = threading.local()


def report_css() -> str:
    """The stylesheet shared by the reports and the index page (inlined, never linked)."""
    return CSS_FILE.read_text(encoding="utf-8")


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
        exporter = HTMLExporter(config=c, template_file=str(TEMPLATE))
        cache[with_code] = exporter
    return cache[with_code]


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
) -> dict[str, int]:
    """Write ``nb`` (an executed nbformat notebook) as an offline HTML report at ``dest``.

    ``failure`` (one line, e.g. "cell 5: ValueError: ...") adds a red banner at the top: a
    failed notebook's partial report still shows its outputs up to the error and the error
    itself. Returns ``{"removed_unsafe": n, "headings": k}``.
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
    dest.parent.mkdir(exist_ok=True)  # not parents=True: never re-create a removed staging folder
    dest.write_text(body, encoding="utf-8")
    return {"removed_unsafe": removed, "headings": n_headings}


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


def sanitize_html(page: str) -> tuple[str, int]:
    """Remove every script, event handler and script URL from ``page``; return (html, n_removed).

    Text that was properly escaped (``&lt;script&gt;``) is untouched; only live markup is
    removed. A non-zero count means some output carried unescaped markup.
    """
    parser = _Defuser()
    parser.feed(page)
    parser.close()
    return "".join(parser.out), parser.removed


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
        f'<p class="fl-sub">{int(corpus.get("n_documents", 0))} documents from '
        f'{int(corpus.get("n_sources", 0))} sources · run {_e(prov.get("finished", ""))} · '
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

    # reports
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

    # corpus
    sources = prov.get("sources", [])
    w("<h2>The corpus</h2>")
    w(f"<p>Input: <code>{_e(corpus.get('path', ''))}</code></p>")
    if sources:
        grouped = any(len(s.get("members") or []) > 1 for s in sources)
        if grouped:
            w("<p>Each compared unit groups several outlets: the <em>Outlets</em> column lists the outlets "
              "inside each unit with their number of articles. Reports name a unit by its id (or its "
              "<code>source_label</code>), never by one of its outlets.</p>")
        w(
            "<table><thead><tr><th>Source</th><th>Name in reports</th><th>Outlets (articles)</th><th>Title</th>"
            "<th>Published</th><th>Genre</th><th>Docs</th><th>Words</th></tr></thead><tbody>"
        )
        for s in sources:
            title = _e(s.get("title", ""))
            url = _safe_url(s.get("url", ""))
            if url and title:
                title = f'<a href="{_e(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
            members = s.get("members") or []
            shown = ", ".join(f"{_e(str(m.get('outlet', '')))} ({int(m.get('n_documents', 0))})" for m in members[:12])
            if len(members) > 12:
                shown += f", … ({len(members)} outlets in all)"
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

    # provenance
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
      'executed notebooks in <code>notebooks/</code>, tables in <code>tables/</code>, figures in <code>figures/</code>.</p>')
    w("</main></body></html>\n")
    return "".join(out)
