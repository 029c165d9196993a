"""The report site's tables, evidence links and article pages (no kernel, no browser):
``report.show_table``'s table tools markup, ``site.link_evidence``, ``site.resolve_csv_links``,
``site.write_articles`` and the inlined table script."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import corpus_from_texts
from framelens.report import show as report
from framelens.report import site
from test_runner import IMG, SCRIPT, live_markup


def sentences_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"sent_id": [f"a:s{i}" for i in range(n)], "doc_id": ["a"] * n,
                         "n_words": list(range(n)), "text": [f"Sentence {i} {SCRIPT}" for i in range(n)]})


def html_of(df: pd.DataFrame, **kw) -> str:
    return report.show_table(df, **kw).to_html()


# ------------------------------------------------------------------ show_table


def test_an_empty_table_shows_its_caption_and_none():
    assert html_of(pd.DataFrame(columns=["warning"]), caption="Load <warnings>") == (
        '<p class="fl-empty"><b>Load &lt;warnings&gt;</b>: none.</p>')
    assert "<table" in html_of(pd.DataFrame({"warning": ["one"]}), caption="Load warnings")


def test_short_tables_stay_plain():
    page = html_of(sentences_frame(report.LONG_TABLE), caption="Few")
    assert "data-fl-table" not in page and "fl-live" not in page
    assert "<caption>Few</caption>" in page


def test_long_table_carries_the_table_tools_markup_and_stays_escaped():
    df = sentences_frame(30)
    page = html_of(df, caption=f"All {IMG}", max_rows=5)
    tag = re.search(r"<table[^>]*>", page).group(0)
    assert 'data-fl-table' in tag and 'data-fl-top="5"' in tag and 'data-fl-rows="30"' in tag
    assert page.count("<tr>") == 31  # header + all 30 rows in the page (the browser shows 5 first)
    # without the script only the first 5 rows show, and the caption says so
    assert "tbody:not(.fl-live) > tr:nth-child(n+6)" in page and "display: none;" in page
    assert '<span class="fl-cut">(first 5 of 30 rows; all in the CSV)</span>' in page
    assert f"All {html.escape(IMG)}" in page and "Sentence 3 &lt;script&gt;" in page
    assert live_markup(page) == []
    # doc_id cells are marked for the article links
    assert page.count('class="data row0 col1 fl-doc"') == 1 and "col2 fl-doc" not in page


def test_rows_beyond_max_embed_stay_in_the_csv():
    page = html_of(sentences_frame(40), max_rows=5, max_embed=25)
    assert page.count("<tr>") == 26 and 'data-fl-rows="40"' in page
    assert "(the first 25 of 40 rows are in this page; all in the CSV)" in page


def test_a_shown_table_links_to_the_csv_it_was_exported_as_or_a_part_of(tmp_path):
    df = sentences_frame(20)
    report.export_table(df, "test_site_sentences", tmp_path)
    assert report.exported_name(df) == "test_site_sentences"
    assert report.exported_name(df[["text", "sent_id"]].iloc[3:15]) == "test_site_sentences"  # rows and columns
    assert report.exported_name(df[df["n_words"] > 12]) == "test_site_sentences"  # a filter keeps the index
    changed = df.copy()
    changed.loc[4, "n_words"] = 99
    assert report.exported_name(changed) is None  # other values
    assert report.exported_name(df.reset_index(drop=True).iloc[::-1].reset_index(drop=True)) is None
    assert 'data-fl-csv="test_site_sentences"' in html_of(df.head(12))
    # the CSV is readable by others (mkstemp alone would make it private)
    assert (tmp_path / "tables" / "test_site_sentences.csv").stat().st_mode & 0o777 == 0o644


def test_a_table_shown_before_it_is_exported_is_found_by_content(tmp_path):
    df = sentences_frame(15).assign(n_words=lambda d: d["n_words"] + 1000)  # not exported yet
    page = html_of(df)
    sha, size = report.csv_fingerprint(df)
    assert f'data-fl-csv-sha1="{sha}"' in page and f'data-fl-csv-bytes="{size}"' in page
    report.export_table(df, "later", tmp_path)
    report.export_table(df.head(3), "other", tmp_path)
    data = (tmp_path / "tables" / "later.csv").read_bytes()
    assert (hashlib.sha1(data).hexdigest(), len(data)) == (sha, size)
    resolved = site.resolve_csv_links(page, tmp_path / "tables")
    assert 'data-fl-csv="later"' in resolved and "data-fl-csv-sha1" not in resolved
    # no matching CSV: the marks go, no link is made
    bare = site.resolve_csv_links(page, tmp_path / "nowhere")
    assert "data-fl-csv" not in bare and "data-fl-table" in bare


# ------------------------------------------------------------------ evidence links


def test_link_evidence_links_known_ids_in_cells_only():
    page = (
        '<p>cgtn:s1 in prose</p><table><tr><td title="cgtn:s2">[cgtn:s3] “Quote” / beta.x:s10; zz:s1</td>'
        '<td>cgtn:p4</td><td>12:30, time:s1ck, http://h/cgtn:s5, cgtn:s6.</td>'
        '<td class="data row0 col0 fl-doc">cgtn</td><td class="data fl-doc">zz</td><td>cgtn</td></tr></table>'
    )
    out, n = site.link_evidence(page, {"cgtn", "beta.x"})
    assert n == 5
    assert out == (
        '<p>cgtn:s1 in prose</p><table><tr><td title="cgtn:s2">'
        '[<wbr><a class="fl-ev" href="../articles/cgtn.html#s3" title="Read sentence 3 in its article">cgtn:s3</a>] “Quote” / '
        '<wbr><a class="fl-ev" href="../articles/beta.x.html#s10" title="Read sentence 10 in its article">beta.x:s10</a>; zz:s1</td>'
        '<td><wbr><a class="fl-ev" href="../articles/cgtn.html#p4" title="Read paragraph 4 in its article">cgtn:p4</a></td>'
        '<td>12:30, time:s1ck, http://h/cgtn:s5, '
        '<wbr><a class="fl-ev" href="../articles/cgtn.html#s6" title="Read sentence 6 in its article">cgtn:s6</a>.</td>'
        '<td class="data row0 col0 fl-doc"><a class="fl-ev" href="../articles/cgtn.html" title="Read this article">cgtn</a></td>'
        '<td class="data fl-doc">zz</td><td>cgtn</td></tr></table>'
    )
    assert site.link_evidence(page, frozenset()) == (page, 0)  # no article pages: nothing linked


def test_article_ids_lists_the_pages_of_a_folder(tmp_path):
    (tmp_path / "a.b.html").write_text("x")
    (tmp_path / "article.css").write_text("x")
    assert site.article_ids(tmp_path) == {"a.b"}
    assert site.article_ids(tmp_path / "missing") == frozenset()


# ------------------------------------------------------------------ reports: the script


def _notebook_with(output_html: str):
    nb = new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = new_code_cell("show()")
    code.outputs = [new_output("display_data", data={"text/html": output_html, "text/plain": "t"})]
    nb.cells = [new_markdown_cell("# Tables"), code]
    return nb


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_export_report_inlines_the_table_tools_only_where_a_long_table_is(tmp_path):
    out = tmp_path / "site"
    (out / "articles").mkdir(parents=True)
    (out / "articles" / "a.html").write_text("page")
    long = html_of(sentences_frame(30))
    # a script smuggled into an output is removed; only the site's own script is added afterwards
    info = site.export_report(_notebook_with(long + SCRIPT), out / "reports" / "long.html", title="t")
    page = (out / "reports" / "long.html").read_text(encoding="utf-8")
    assert info["interactive_tables"] == 1 and info["removed_unsafe"] == 1
    assert page.count("<script") == 1 and page.count(site.tables_script()) == 1
    assert live_markup(page) == [] and "alert(1)" not in page.replace("&lt;script&gt;alert(1)", "")
    assert "http" not in page and site.external_resources(page) == []
    assert info["evidence_links"] == 60  # 30 sent_id cells + 30 doc_id cells
    assert 'href="../articles/a.html#s29"' in page
    site.export_report(_notebook_with(html_of(sentences_frame(5))), out / "reports" / "short.html", title="t")
    short = (out / "reports" / "short.html").read_text(encoding="utf-8")
    assert "<script" not in short


def test_the_table_script_is_small_offline_and_self_contained():
    js = site.TABLES_JS.read_text(encoding="utf-8")
    assert len(js.encode()) < 8_000
    assert "http" not in js and "fetch(" not in js and "XMLHttpRequest" not in js and "import " not in js
    assert "</script" not in js  # it is inlined


# ------------------------------------------------------------------ article pages


class Structure(HTMLParser):
    """Ids, sentence spans (id → text without the number label) and table rows of a page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.sentences: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self._sent: str | None = None
        self._label = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "span" and a.get("class") == "s":
            self._sent = a["id"]
            self.sentences[self._sent] = ""
        if tag == "a" and a.get("class") == "n":
            self._label = True
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "span":
            self._sent = None
        if tag == "a":
            self._label = False
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._sent is not None and not self._label:
            self.sentences[self._sent] += data
        if self._cell is not None:
            self._cell.append(data)


def parse(page: str) -> Structure:
    p = Structure()
    p.feed(page)
    p.close()
    return p


def test_write_articles_anchors_every_sentence_and_escapes_everything(tmp_path):
    corp = corpus_from_texts(tmp_path, {
        "evil": (f"A {SCRIPT} headline\n\nBy Jane Doe\n\n"
                 f"The minister said {IMG} the deal was good. Critics disagreed.\n\n"
                 "Background\n\nTrade grew by 5% in 2024. Nobody expected it.\n"),
        "calm": "Calm title\n\nOne short article. It has two sentences.\n",
    })
    folder = tmp_path / "site" / "articles"
    info = site.write_articles(corp, folder)
    assert info["articles"] == 2
    assert sorted(p.name for p in folder.iterdir()) == ["_index.html", "article.css", "calm.html", "evil.html"]
    assert site.article_ids(folder) == {"calm", "evil"}
    listing = (folder / "_index.html").read_text(encoding="utf-8")
    assert live_markup(listing) == [] and "<script" not in listing  # two rows: a plain table
    rows = [r for r in parse(listing).rows if r]
    # (files are read in name order) evil: <script>, </script>, the byline and the <img> tag removed
    assert [(r[0], r[5], r[6]) for r in rows] == [("calm", "2", "0"), ("evil", "4", "4")]
    assert '<a href="evil.html">evil</a>' in listing
    page = (folder / "evil.html").read_text(encoding="utf-8")
    assert live_markup(page) == [] and site.external_resources(page) == [] and "http" not in page
    doc = parse(page)
    sents = corp.sentences[corp.sentences["doc_id"] == "evil"]
    # every sentence of the corpus table, anchored s0..sN, with exactly its text
    assert doc.sentences == {f"s{k}": t for k, t in zip(sents["sent_index"], sents["text"])}
    assert len(doc.sentences) == 4
    # the cleaner blanked the tag out of the sentence (same length) and kept it in the audit
    assert doc.sentences["s0"].split() == "The minister said the deal was good.".split()
    assert html.escape(IMG, quote=False) in page
    # paragraphs and the heading are anchored too; ids are unique
    paras = corp.paragraphs[corp.paragraphs["doc_id"] == "evil"]
    assert [f"p{k}" for k in paras["para_index"]] == [i for i in doc.ids if i.startswith("p")]
    assert len(doc.ids) == len(set(doc.ids))
    # the text between sentences is kept: the paragraph reads as it was cleaned
    p0 = re.search(r'<p id="p0">(.*?)</p>', page).group(1)
    assert html.unescape(re.sub(r'<a class="n"[^>]*>s\d+</a>|<[^>]+>', "", p0)) == paras["text"].iloc[0]
    # the cleaning audit of this article, with the rule that removed each span
    audit = corp.audit[corp.audit["doc_id"] == "evil"]
    assert len(audit) >= 1
    assert [row[0] for row in doc.rows if row] == audit.sort_values("line", kind="stable")["rule"].tolist()
    assert f"Removed by cleaning ({len(audit)})" in page
    assert "Nothing: no line of this article matched a cleaning rule." in (folder / "calm.html").read_text("utf-8")


def test_article_page_metadata_and_unsafe_url():
    page = site.article_page(
        {"doc_id": "d1", "source": "s", "label": f"L {SCRIPT}", "title": f"T {IMG}", "outlet": "O",
         "author": "", "published": pd.Timestamp("2025-06-01"), "published_precision": "month",
         "url": "javascript:alert(1)", "group": "state media", "n_words": 3, "n_sentences": 1, "n_paragraphs": 1},
        [("d1:p0", "body", "Hi there.", 1)], {"d1:p0": [(0, "Hi there.")]}, [("byline", 0, f"By {SCRIPT}")],
        rules={"byline": "An author line."})
    assert live_markup(page) == [] and "javascript:" not in page
    assert "<title>T &lt;img src=x onerror=alert(1)&gt; — d1</title>" in page
    assert "<dt>Published</dt><dd>2025-06 (day unknown)</dd>" in page
    assert "<dt>Group</dt><dd>state media</dd>" in page  # a user's own metadata column
    assert "<dt>Author</dt>" not in page  # empty fields are left out
    # the removed byline sits where it was (line 0, before the first paragraph), with its rule
    assert page.index("removed · byline · line 0") < page.index('<p id="p0">')
    assert 'title="An author line."' in page


def test_write_articles_on_an_empty_corpus_is_harmless(tmp_path):
    class Empty:
        documents = pd.DataFrame(columns=["doc_id"])
        paragraphs = pd.DataFrame(columns=["para_id", "doc_id", "kind", "text", "line"])
        sentences = pd.DataFrame(columns=["para_id", "sent_index", "text"])
        audit = pd.DataFrame(columns=["doc_id", "rule", "line", "text"])

    assert site.write_articles(Empty(), tmp_path / "a")["articles"] == 0
    assert (tmp_path / "a" / "article.css").is_file()


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_wide_tables_embed_fewer_rows():
    wide = pd.DataFrame(0, index=range(3000), columns=[f"c{i}" for i in range(200)])
    page = html_of(wide, max_rows=5)
    assert page.count("<tr>") == 1 + 1000  # 200,000 cells at most: 1,000 rows of 200 columns
    assert "(the first 1,000 of 3,000 rows are in this page; all in the CSV)" in page


# ------------------------------------------------------------------ article pages of a run (from the store)


def stored(tmp_path, docs: dict[str, str], *, per_partition: int = 2):
    """A corpus loaded from ``docs`` and stored as partitions of ``per_partition`` documents."""
    from framelens.tables.parquet import write_corpus

    corp = corpus_from_texts(tmp_path, docs)
    folder = write_corpus(corp, tmp_path / "store" / "corpus-x", key="x", inputs={}, partition_documents=per_partition)
    return corp, folder


FIVE = {f"d{k}": f"Title {k}\n\nFirst sentence of {k}. Second sentence of {k}. Third one.\n" for k in range(5)}


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_small_corpus_gets_every_page_equal_to_the_whole_corpus_writer(tmp_path):
    corp, folder = stored(tmp_path, FIVE)
    info = site.write_article_site(folder, tmp_path / "a", cited=set(), all_pages_max=5)
    assert (info["articles"], info["pages"], info["list_pages"]) == (5, 5, 0)
    site.write_articles(corp, tmp_path / "b")
    for k in range(5):  # partition by partition, the same pages as the whole-corpus writer
        assert (tmp_path / "a" / f"d{k}.html").read_text("utf-8") == (tmp_path / "b" / f"d{k}.html").read_text("utf-8")
    assert (tmp_path / "a" / "_index.html").read_text("utf-8") == (tmp_path / "b" / "_index.html").read_text("utf-8")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_larger_corpus_gets_pages_for_cited_articles_and_lists_every_id(tmp_path):
    corp, folder = stored(tmp_path, FIVE)
    report_dir = tmp_path / "site" / "reports"
    report_dir.mkdir(parents=True)
    # a report citing d1 (a sentence), d3 (a paragraph) and d4 (a doc_id cell); ids of nothing stay plain
    (report_dir / "r.html").write_text(
        "<table><tr><td>d1:s2</td><td>see d3:p0 and zz:s0</td><td class=\"fl-doc\">d4</td>"
        "<td>d0 (no id form)</td></tr></table>", encoding="utf-8")
    assert site.cited_in_reports(report_dir) == {"d1", "d3", "zz"}  # evidence ids; a doc_id cell quotes nothing
    info = site.write_article_site(folder, tmp_path / "site" / "articles", cited=site.cited_in_reports(report_dir),
                                   all_pages_max=4, list_rows=2)
    assert site.article_ids(tmp_path / "site" / "articles") == {"d1", "d3"}
    assert (info["articles"], info["pages"], info["list_pages"]) == (5, 2, 3)
    assert info["listed"] == {"d0": "_ids-0001.html", "d1": "_ids-0001.html", "d2": "_ids-0002.html",
                              "d3": "_ids-0002.html", "d4": "_ids-0003.html"}
    # every article reachable by id: each in exactly one list page, whose range the index names
    art = tmp_path / "site" / "articles"
    lists = sorted(p.name for p in art.glob("_ids-*.html"))
    assert lists == ["_ids-0001.html", "_ids-0002.html", "_ids-0003.html"]
    rows = {name: [r[0] for r in parse((art / name).read_text("utf-8")).rows if r] for name in lists}
    assert rows == {"_ids-0001.html": ["d0", "d1"], "_ids-0002.html": ["d2", "d3"], "_ids-0003.html": ["d4"]}
    index = parse((art / "_index.html").read_text("utf-8")).rows
    assert [r[1:4] for r in index if r] == [["d0", "d1", "2"], ["d2", "d3", "2"], ["d4", "d4", "1"]]
    p1 = (art / "_ids-0001.html").read_text("utf-8")
    assert '<a href="d1.html">d1</a>' in p1 and '<a href="d0.html">' not in p1  # d0 has no page: listed, no link
    # the report's evidence now links to the page that holds the sentence / paragraph
    assert site.link_reports(report_dir, art, info["listed"]) == 3
    page = (report_dir / "r.html").read_text("utf-8")
    for doc, anchor in (("d1", "s2"), ("d3", "p0")):
        assert f'href="../articles/{doc}.html#{anchor}"' in page
        assert f'id="{anchor}"' in (art / f"{doc}.html").read_text("utf-8")
    s = corp.sentences
    assert parse((art / "d1.html").read_text("utf-8")).sentences["s2"] == s.loc[s["sent_id"] == "d1:s2", "text"].iloc[0]
    # d4 (a doc_id cell, no page) links to its row in the list; an id of no article stays plain
    assert 'href="../articles/_ids-0003.html#d4"' in page and 'id="d4"' in (art / "_ids-0003.html").read_text("utf-8")
    assert "zz:s0</a>" not in page
    assert site.link_reports(report_dir, art, info["listed"]) == 0  # linked once


@pytest.mark.notebook  # starts a process
def test_a_report_exported_in_another_process_is_the_one_exported_here(tmp_path):
    import nbformat

    from framelens.run import runner

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\nSome *text* with evidence `cgtn:s12`."),
        nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/html": "<b>2</b><script>alert(1)</script>", "text/plain": "2"},
            execution_count=1)], execution_count=1),
    ])
    executed = tmp_path / "n.ipynb"
    nbformat.write(nb, str(executed))
    (tmp_path / "a" / "reports").mkdir(parents=True)
    (tmp_path / "b" / "reports").mkdir(parents=True)
    here = site.export_report(nbformat.read(str(executed), as_version=4), tmp_path / "a" / "reports" / "r.html",
                              title="T", meta="m")
    with runner.export_pool(1) as pool:
        there = pool.submit(runner.export_executed, str(executed), str(tmp_path / "b" / "reports" / "r.html"),
                            title="T", meta="m", failure=None, with_code=False).result()
    assert here == there and here["removed_unsafe"] == 1
    assert (tmp_path / "a" / "reports" / "r.html").read_bytes() == (tmp_path / "b" / "reports" / "r.html").read_bytes()


def test_the_accessibility_attributes_nbconvert_adds_by_hand():
    page = ('<img src="a.png"><img alt="a chart" src="b.png"><IMG\nsrc="c.png"/>'
            '<div class="jp-Cell-inputWrapper">i</div><div class="a jp-OutputArea-output b" data-mime-type="text/html">o'
            '</div><div class="jp-OutputArea-output-x">not a cell output</div>'
            '<div class="jp-OutputArea-output" tabindex="-1">kept</div>')
    assert site.accessible(page) == (
        f'<img alt="{site.NO_ALT}" src="a.png"><img alt="a chart" src="b.png"><img alt="{site.NO_ALT}"\nsrc="c.png"/>'
        '<div class="jp-Cell-inputWrapper" tabindex="0">i</div>'
        '<div class="a jp-OutputArea-output b" data-mime-type="text/html" tabindex="0">o'
        '</div><div class="jp-OutputArea-output-x">not a cell output</div>'
        '<div class="jp-OutputArea-output" tabindex="-1">kept</div>')
    assert site.accessible(site.accessible(page)) == site.accessible(page)


def test_blank_lines_between_tags_are_squeezed_except_where_every_line_is_shown():
    page = ("<p>a</p>\n\n   <p>b</p> \n\t\n<i>c</i>\n<pre><span>x</span>\n\n<span>y</span></pre>\n\n"
            "<textarea>\n\n</textarea>\n \n<div>")
    assert site.squeeze_blank_lines(page) == (
        "<p>a</p>\n<p>b</p>\n<i>c</i>\n<pre><span>x</span>\n\n<span>y</span></pre>\n<textarea>\n\n</textarea>\n<div>")


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_a_report_is_nbconverts_page_without_its_second_parse(tmp_path):
    """The exporter skips HTMLExporter's BeautifulSoup pass and adds what it added (image texts, focus
    on cells): the page is the one nbconvert's own exporter makes, up to how the markup is printed
    (compared after one parse of both, whitespace outside <pre> collapsed)."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
    nb = new_notebook(cells=[
        new_markdown_cell("# Title\n\nSome *text*.\n\n![](data:image/png;base64," + png + ")"),
        new_code_cell("print('a')\n\nx = 1", execution_count=1, outputs=[
            new_output("stream", name="stdout", text="line 1\n\nline 3\n"),
            new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
            new_output("execute_result", execution_count=1, data={"text/html": "<table><tr><td>1</td></tr></table>",
                                                                  "text/plain": "1"})]),
    ])

    def canon(page: str) -> str:
        printed = str(BeautifulSoup(page, "html.parser"))
        parts = re.split(r"(<pre\b.*?</pre>)", printed, flags=re.S)
        return "".join(re.sub(r"\s+", " ", p) if k % 2 == 0 else p for k, p in enumerate(parts))

    for with_code in (False, True):
        lean = site._exporter(with_code)
        plain = HTMLExporter(config=lean.config, template_file=str(site.TEMPLATE))
        resources = {"metadata": {"name": "T"}, "framelens": {"css": "", "title": "T", "meta": "", "failure": "",
                                                              "index_href": "../index.html"}}
        ours, _ = lean.from_notebook_node(nb, resources=dict(resources))
        theirs, _ = plain.from_notebook_node(nb, resources=dict(resources))
        assert type(lean).__name__ == "LeanHTMLExporter" and ours != theirs
        assert canon(ours) == canon(theirs)
        assert ours.count(f'alt="{site.NO_ALT}"') == theirs.count(f'alt="{site.NO_ALT}"') == 1  # the figure's
        assert ours.count('tabindex="0"') == theirs.count('tabindex="0"') == 4 + with_code  # 3 outputs, the inputs shown
        assert "line 1\n\nline 3" in ours  # a blank line inside <pre> stays
