"""The runner and the report site: parameters, output-folder safety, HTML escaping and export,
fault isolation (a tiny throwaway registry of notebooks run through the real runner)."""

from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from framelens.run import runner
from framelens.report import site
from framelens.errors import FramelensError

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------ helpers


def make_notebook(path: Path, cells: list[str], params: str | None = None) -> Path:
    """A notebook: markdown cells start with '#md ', the rest are code; params → tagged cell."""
    nb = new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    body = []
    if params is not None:
        c = new_code_cell(params)
        c.metadata.tags = ["parameters"]
        body.append(c)
    for src in cells:
        body.append(new_markdown_cell(src[4:]) if src.startswith("#md ") else new_code_cell(src))
    nb.cells = body
    nbformat.write(nb, str(path))
    return path


PARAMS = (
    'corpus = "../seeds"  # str: corpus path\n'
    'output_dir = "../outputs"  # str: output folder\n'
    "seed = 0  # int: random seed\n"
    "sources = []  # list[str]: source ids; empty = all\n"
    "ratio = 0.5  # float: a ratio\n"
)


class LiveMarkup(HTMLParser):
    """Collects live (not escaped) dangerous markup: script elements and on* handlers."""

    def __init__(self):
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.bad.append("<script>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.bad.append(f"{tag} {name}={value}")
            if name.lower() in ("href", "src") and value and value.strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag} {name}={value}")


def live_markup(page: str) -> list[str]:
    # the site's own table tools, added after sanitizing, byte for byte the packaged script
    page = page.replace(site.tables_script(), "", 1)
    p = LiveMarkup()
    p.feed(page)
    p.close()
    return p.bad


# ------------------------------------------------------------------ parameters


def test_parse_param_literals_scopes_and_strings():
    assert runner.parse_param("seed=3") == (None, "seed", 3)
    assert runner.parse_param("ratio=0.25") == (None, "ratio", 0.25)
    assert runner.parse_param("sources=['a', 'b']") == (None, "sources", ["a", "b"])
    assert runner.parse_param("codebook=my codes.toml") == (None, "codebook", "my codes.toml")
    assert runner.parse_param("flag=True") == (None, "flag", True)
    assert runner.parse_param("02_vocabulary.min_count=5") == ("02_vocabulary", "min_count", 5)
    assert runner.parse_param("x=a=b") == (None, "x", "a=b")
    with pytest.raises(FramelensError, match="KEY=VALUE"):
        runner.parse_param("seed")
    with pytest.raises(FramelensError, match="not a parameter name"):
        runner.parse_param("1x=3")


def _specs():
    return {
        "a": {
            "seed": {"name": "seed", "inferred_type_name": "None", "default": "0", "help": ""},
            "ratio": {"name": "ratio", "inferred_type_name": "None", "default": "0.5", "help": ""},
            "sources": {"name": "sources", "inferred_type_name": "None", "default": "[]", "help": ""},
            "label": {"name": "label", "inferred_type_name": "None", "default": '"x"', "help": ""},
            "flag": {"name": "flag", "inferred_type_name": "None", "default": "False", "help": ""},
            "anything": {"name": "anything", "inferred_type_name": "None", "default": "None", "help": ""},
            "corpus": {"name": "corpus", "inferred_type_name": "None", "default": '"../seeds"', "help": ""},
        },
        "b": {
            "seed": {"name": "seed", "inferred_type_name": "None", "default": "0", "help": ""},
            "top": {"name": "top", "inferred_type_name": "int", "default": "5", "help": ""},
        },
    }


def test_validate_params_routes_values_to_the_notebooks_that_declare_them():
    user = [runner.parse_param(p) for p in ["seed=7", "ratio=1", "sources=('x',)", "b.top=3", "anything='z'"]]
    got = runner.validate_params(user, _specs())
    assert got == {"a": {"seed": 7, "ratio": 1, "sources": ["x"], "anything": "z"}, "b": {"seed": 7, "top": 3}}


@pytest.mark.parametrize(
    "param, message",
    [
        ("sead=3", "unknown parameter"),  # misspelled: papermill alone would only warn
        ("seed=abc", "expects int"),
        ("seed=True", "expects int"),  # a bool is not an int here
        ("seed=1.5", "expects int"),
        ("ratio='high'", "expects float"),
        ("sources=abc", "expects list"),
        ("flag=1", "expects bool"),
        ("label=3", "expects str"),
        ("b.top=x", "expects int"),
        ("b.ratio=0.1", "unknown parameter"),  # declared by a, not by b
        ("zz.seed=1", "no notebook 'zz'"),
        ("corpus=elsewhere", "--corpus"),
        ("output_dir=elsewhere", "--out"),
    ],
)
def test_validate_params_rejects_unknown_names_and_wrong_types(param, message):
    with pytest.raises(FramelensError, match=re.escape(message)):
        runner.validate_params([runner.parse_param(param)], _specs())


def test_inspect_parameters_reads_lines_papermill_cannot(tmp_path):
    # papermill's reader skips a line whose comment contains '=': it must still be known
    path = make_notebook(tmp_path / "p.ipynb", ["x = 1"], params=PARAMS + "top: int = 4  # how many\n")
    specs = runner.inspect_parameters(path)
    assert set(specs) == {"corpus", "output_dir", "seed", "sources", "ratio", "top"}
    assert runner.expected_type(specs["sources"]) is list
    assert runner.expected_type(specs["ratio"]) is float
    assert runner.expected_type(specs["top"]) is int
    assert specs["top"]["help"] == "how many"


def test_inspect_parameters_of_missing_or_broken_notebook(tmp_path):
    with pytest.raises(FramelensError, match="notebook not found"):
        runner.inspect_parameters(tmp_path / "nope.ipynb")
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FramelensError, match="bad.ipynb: cannot read"):
        runner.inspect_parameters(bad)


# ------------------------------------------------------------------ output-folder safety


def test_output_folder_may_not_be_or_contain_or_sit_in_the_corpus(tmp_path, tiny_corpus_dir):
    nbs = tmp_path / "repo" / "notebooks"
    nbs.mkdir(parents=True)
    with pytest.raises(FramelensError, match="corpus folder"):
        runner.check_output_dir(tiny_corpus_dir, tiny_corpus_dir, nbs)
    with pytest.raises(FramelensError, match="contain the corpus"):
        runner.check_output_dir(tmp_path, tiny_corpus_dir, nbs)
    with pytest.raises(FramelensError, match="inside it"):
        runner.check_output_dir(tiny_corpus_dir / "out", tiny_corpus_dir, nbs)
    with pytest.raises(FramelensError, match="notebooks"):
        runner.check_output_dir(nbs.parent / "x" / "..", tiny_corpus_dir / "alpha.txt", nbs)  # = repo/
    # a corpus file: its folder may hold the output folder
    runner.check_output_dir(tiny_corpus_dir.parent / "out", tiny_corpus_dir / "alpha.txt", nbs)


def test_output_folder_of_someone_else_is_refused_but_ours_is_reused(tmp_path, tiny_corpus_dir):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    theirs = tmp_path / "theirs"
    (theirs / "reports").mkdir(parents=True)
    (theirs / "reports" / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(FramelensError, match="holds reports not written by framelens"):
        runner.check_output_dir(theirs, tiny_corpus_dir, nbs)
    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "index.html").write_text("a home page", encoding="utf-8")
    with pytest.raises(FramelensError, match="holds index.html"):
        runner.check_output_dir(tmp_path / "idx", tiny_corpus_dir, nbs)
    readme = tmp_path / "withreadme"
    readme.mkdir()
    (readme / "README.md").write_text("generated files go here", encoding="utf-8")
    runner.check_output_dir(readme, tiny_corpus_dir, nbs)  # nothing of it would be replaced
    ours = tmp_path / "ours"
    (ours / "reports").mkdir(parents=True)
    (ours / "index.html").write_text("old", encoding="utf-8")
    (ours / runner.MARKER).write_text("", encoding="utf-8")
    runner.check_output_dir(ours, tiny_corpus_dir, nbs)
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(FramelensError, match="not a folder"):
        runner.check_output_dir(afile, tiny_corpus_dir, nbs)


def test_run_refuses_bad_output_before_running_anything(tmp_path, tiny_corpus_dir):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "a.ipynb", ["x = 1"], params=PARAMS)
    reg = [runner.Notebook("a", "a.ipynb")]
    before = sorted(p.name for p in tiny_corpus_dir.iterdir())
    for out in (tiny_corpus_dir, tmp_path):
        with pytest.raises(FramelensError):
            runner.run_suite(tiny_corpus_dir, out, registry=reg, notebooks_dir=nbs, progress=None)
    assert sorted(p.name for p in tiny_corpus_dir.iterdir()) == before
    assert not list(tmp_path.glob(".framelens-run-*"))
    with pytest.raises(FramelensError, match="unknown parameter"):
        runner.run_suite(tiny_corpus_dir, tmp_path / "o", registry=reg, notebooks_dir=nbs, progress=None,
                         params=["sead=1"])
    with pytest.raises(FramelensError, match="no such notebook"):
        runner.run_suite(tiny_corpus_dir, tmp_path / "o", registry=reg, notebooks_dir=nbs, progress=None,
                         only=["zz"])
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ HTML: escaping, offline, TOC


def test_sanitize_html_removes_live_markup_and_keeps_escaped_text():
    page = (
        "<html><head><style>td { color: red; }</style></head><body>"
        f"<p>{SCRIPT}</p><p>{IMG}</p><a href=' javascript:alert(1)'>x</a>"
        "<p>&lt;script&gt;alert(2)&lt;/script&gt; &amp; fine</p><iframe src='y'></iframe>"
        "<table><tr><td class='c'>1</td></tr></table><img src='data:image/png;base64,AAAA'></body></html>"
    )
    clean, removed = site.sanitize_html(page)
    assert removed == 4  # script, img onerror, javascript: link, iframe
    assert live_markup(clean) == []
    assert "alert(1)" not in clean
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; fine" in clean  # escaped text untouched
    assert "<style>td { color: red; }</style>" in clean
    assert '<td class="c">1</td>' in clean  # rebuilt by the sanitizer's parser: quotes normalised
    assert "data:image/png;base64,AAAA" in clean
    assert site.sanitize_html("<p>plain</p>") == ("<p>plain</p>", 0)


def test_external_resources_finds_fetches_but_not_links():
    page = (
        '<script src="https://cdn.x/require.js"></script><link rel="stylesheet" href="//fonts.x/css">'
        "<style>@import url(https://x/y.css); b { background: url('http://x/i.png') }</style>"
        '<a href="https://example.org/article">the article</a><img src="data:image/png;base64,AA">'
    )
    found = site.external_resources(page)
    assert len(found) == 5
    assert site.external_resources('<a href="https://example.org">x</a>') == []


def test_add_toc_nests_h3_under_h2_and_skips_short_reports():
    page = ("<main><!--framelens-toc--><h1 id=\"T\">T</h1><h2 id=\"A\">A<a class=\"anchor-link\" href=\"#A\">¶</a></h2>"
            "<h3 id=\"A1\">A &amp; 1</h3><h2 id=\"B\">B</h2></main>")
    out, n = site.add_toc(page)
    assert n == 3
    toc = out[out.index("<nav"): out.index("</nav>")]
    assert re.sub(r"\s", "", toc).endswith(
        '<ol><li><ahref="#A">A</a><ol><li><ahref="#A1">A&amp;1</a></li></ol></li><li><ahref="#B">B</a></li></ol>')
    short, n = site.add_toc("<main><!--framelens-toc--><h2 id=\"A\">A</h2></main>")
    assert n == 1 and "<nav" not in short and "framelens-toc" not in short


def _executed_like_notebook():
    """A notebook as papermill leaves it: injected cell, outputs, a remove-cell tagged cell."""
    nb = new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell('corpus = "../seeds"  # str: corpus path')
    params.metadata.tags = ["parameters"]
    injected = new_code_cell('# Parameters\ncorpus = "/secret/staging/path"\n')
    injected.metadata.tags = ["injected-parameters"]
    hidden = new_code_cell("HIDDEN_HELPER = 1")
    hidden.metadata.tags = ["remove-cell"]
    hidden.outputs = [new_output("stream", name="stdout", text="HIDDEN OUTPUT\n")]
    code = new_code_cell("VISIBLE_CODE = show()")
    code.outputs = [new_output("display_data", data={"text/html": "<p>table &lt;b&gt;</p>", "text/plain": "t"})]
    md_out = new_code_cell("shout()")
    md_out.outputs = [new_output("display_data", data={"text/markdown": f"> quoted {SCRIPT} {IMG}"})]
    nb.cells = [new_markdown_cell("# The title\n\nIntro with $94.8 billion and $5."), params, injected, hidden,
                new_markdown_cell("## One"), code, new_markdown_cell("## Two\n\n### Two a"), md_out]
    return nb


@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_export_report_is_offline_hides_code_and_removes_injected_and_tagged_cells(tmp_path):
    nb = _executed_like_notebook()
    info = site.export_report(nb, tmp_path / "r.html", title="The <title>", meta="m")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert site.external_resources(page) == []
    assert "http" not in page  # no CDN (require.js, MathJax, Mermaid) and no credits left in CSS
    assert "<script" not in page
    assert "/secret/staging/path" not in page and "HIDDEN" not in page
    assert "VISIBLE_CODE" not in page  # code hidden by default
    assert "table &lt;b&gt;" in page
    assert "The &lt;title&gt;" in page  # the title is escaped in the navigation bar
    assert 'class="fl-toc"' in page and info["headings"] == 3
    # unescaped markup that reached a markdown output is defused and counted
    assert info["removed_unsafe"] >= 2 and live_markup(page) == []
    site.export_report(nb, tmp_path / "c.html", title="t", with_code=True)
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "VISIBLE_CODE" in page and "/secret/staging/path" not in page and "HIDDEN" not in page


def test_render_index_escapes_everything():
    prov = {
        "corpus": {"name": f"c{SCRIPT}", "path": IMG, "n_documents": 1, "n_sources": 1, "digest": "d",
                   "files": [{"path": IMG, "bytes": 3, "sha256": "ab"}], "warnings": [SCRIPT]},
        "sources": [{"source": IMG, "label": SCRIPT, "outlet": SCRIPT, "title": IMG, "published": "2025-01-01",
                     "genre": IMG, "url": "javascript:alert(1)", "n_documents": 1, "n_words": 3}],
        "results": [{"name": "n", "title": SCRIPT, "status": "failed", "seconds": 1.0, "report": "reports/n.html",
                     "headline": IMG, "error": SCRIPT, "parameters": {"p": SCRIPT}}],
        "versions": {"x": IMG}, "command": SCRIPT,
    }
    page = site.render_index(prov)
    assert live_markup(page) == []
    assert "alert(1)</script>" not in page and "javascript:" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert site.external_resources(page) == []


def test_render_index_counts_have_thousands_separators():
    page = site.render_index({"corpus": {"name": "archive", "n_documents": 12_345, "n_sources": 1_024},
                              "sources": [], "results": []})
    assert "12,345 documents from 1,024 sources" in page


# ------------------------------------------------------------------ running: fault isolation, escaping


@pytest.fixture()
def evil_corpus(tmp_path) -> Path:
    """Markup in the article text (the loader's cleaning removes it and the audit keeps it) and in
    the manifest's metadata (kept as is)."""
    d = tmp_path / "evil"
    d.mkdir()
    (d / "sources.csv").write_text(
        f"id,file,outlet,title\none,one.txt,{IMG},Evil {SCRIPT}\ntwo,two.txt,Plain Post,Other\n", encoding="utf-8")
    (d / "one.txt").write_text(
        f"Evil headline\n\nThe minister said {SCRIPT} the deal was good. "
        f"Critics disagreed strongly {IMG} with the plan.\n", encoding="utf-8")
    (d / "two.txt").write_text(
        "Another outlet\n\nThe minister praised the deal. Critics were quiet about the plan.\n", encoding="utf-8")
    return d


@pytest.fixture()
def suite(tmp_path) -> tuple[list[runner.Notebook], Path]:
    """Three throwaway notebooks: one shows article text, one raises, one runs after it."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "good.ipynb", [
        "#md # Good report\n\nShows the sentences.",
        "import framelens as fl\ncorp = fl.load_corpus(corpus)",
        "#md ## Documents",
        "fl.report.show_table(corp.documents[['source', 'outlet', 'title']], caption='All <documents>')",
        "#md ## Raw frame",
        "corp.audit[['doc_id', 'text']]",
        "#md ## Saved",
        "fl.report.export_table(corp.documents[['doc_id']], 'good_docs', output_dir)",
        "fl.report.headline(f'{len(corp.documents)} documents; first title: {corp.documents.title.iloc[0]}', "
        "report='good', output_dir=output_dir)",
    ], params=PARAMS)
    make_notebook(nbs / "bad.ipynb", [
        "#md # Bad report",
        "before = 'BEFORE-THE-ERROR'\nprint(before)",
        "raise ValueError('deliberate failure')",
        "print('NEVER')",
    ], params=PARAMS)
    make_notebook(nbs / "after.ipynb", ["#md # After", "print('AFTER')"], params=PARAMS)
    reg = [runner.Notebook("good", "good.ipynb"), runner.Notebook("bad", "bad.ipynb"),
           runner.Notebook("after", "after.ipynb")]
    return reg, nbs


@pytest.mark.notebook
def test_failing_notebook_is_isolated_and_text_is_escaped_everywhere(tmp_path, suite, evil_corpus):
    reg, nbs = suite
    out = tmp_path / "site"
    out.mkdir()
    (out / "README.md").write_text("kept", encoding="utf-8")  # not ours: left alone
    lines: list[str] = []
    summary = runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=lines.append,
                               params=["seed=3"])
    status = {r.name: r.status for r in summary.results}
    assert status == {"good": "ok", "bad": "failed", "after": "ok"}  # a failure does not stop the others
    bad = next(r for r in summary.results if r.name == "bad")
    # In [4]: parameters, injected parameters, print, raise
    assert bad.error == "cell In [4] `raise ValueError('deliberate failure')`: ValueError: deliberate failure"
    assert any(line.startswith("[") and "bad ... FAILED" in line for line in lines)
    assert any("after ... ok" in line for line in lines)

    # layout; nothing left in the parent but the site and the inputs
    for sub in ("notebooks", "reports", "tables", "figures", "findings"):
        assert (out / sub).is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil", "nbs", "site"]
    assert (out / "tables" / "good_docs.csv").read_text(encoding="utf-8").splitlines()[1:] == ["one", "two"]
    assert (out / "notebooks" / "bad.ipynb").is_file()  # the failed executed notebook is kept
    assert (out / "README.md").read_text(encoding="utf-8") == "kept"

    # the partial report of the failing notebook: output before the error, the error, a banner
    bad_html = (out / "reports" / "bad.html").read_text(encoding="utf-8")
    assert "BEFORE-THE-ERROR" in bad_html and "deliberate failure" in bad_html and "NEVER" not in bad_html
    assert "This notebook failed" in bad_html

    # index: failure marked, headline from the notebook, provenance
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="failed"' in index and "deliberate failure" in index
    assert "2 documents; first title: Evil &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in index  # the outlet in the corpus table
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in prov["corpus"]["files"]] == ["one.txt", "sources.csv", "two.txt"]
    assert all(len(f["sha256"]) == 64 for f in prov["corpus"]["files"])
    assert prov["results"][0]["parameters"]["seed"] == 3
    assert prov["results"][0]["parameters"]["output_dir"] == str(out)
    assert "papermill" in prov["versions"]

    # every page is inert and offline; the article text shows, escaped
    good_html = (out / "reports" / "good.html").read_text(encoding="utf-8")
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt;" in good_html  # Styler, escaped
    assert good_html.count("&lt;img src=x onerror=alert(1)&gt;") >= 2  # Styler and plain DataFrame (audit)
    assert "All &lt;documents&gt;" in good_html
    assert next(r for r in summary.results if r.name == "good").removed_unsafe == 0  # escaped at source
    for page in [index, *(p.read_text(encoding="utf-8") for p in (out / "reports").glob("*.html"))]:
        assert live_markup(page) == []
        assert site.external_resources(page) == []
    # executed notebooks point at the real output folder, not the staging one
    executed = (out / "notebooks" / "good.ipynb").read_text(encoding="utf-8")
    assert ".framelens-run-" not in executed and str(out) in executed

    # a second, partial run keeps the other reports (marked as earlier) and replaces its own
    (out / "reports" / "good.html").write_text("stale", encoding="utf-8")
    summary2 = runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=None, only=["good"])
    assert [r.name for r in summary2.results] == ["good"]
    assert (out / "reports" / "good.html").read_text(encoding="utf-8") != "stale"
    assert (out / "reports" / "bad.html").is_file()
    prov2 = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert [(r["name"], bool(r.get("earlier_run"))) for r in prov2["results"]] == [
        ("good", False), ("bad", True), ("after", True)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil", "nbs", "site"]


@pytest.mark.notebook
def test_interrupted_run_leaves_the_previous_site_untouched(tmp_path, suite, evil_corpus):
    reg, nbs = suite
    out = tmp_path / "site"
    out.mkdir()
    (out / runner.MARKER).write_text("", encoding="utf-8")
    (out / "index.html").write_text("previous index", encoding="utf-8")

    def interrupt(line: str) -> None:
        if line.startswith("[1/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_suite(evil_corpus, out, registry=reg[:2], notebooks_dir=nbs, progress=interrupt, jobs=1)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous index"
    assert sorted(p.name for p in out.iterdir()) == [runner.MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil", "nbs", "site"]


@pytest.mark.notebook
def test_an_interrupt_whose_exception_was_lost_still_stops_the_run(tmp_path, suite, evil_corpus):
    """SIGTERM's KeyboardInterrupt can land in a finalizer, where Python drops it: the note the
    signal handler leaves (request_interrupt) stops the run all the same — no report starts after
    it, nothing is committed, the previous site stays — and the next run starts afresh."""
    reg, nbs = suite
    out = tmp_path / "site"
    out.mkdir()
    (out / runner.MARKER).write_text("", encoding="utf-8")
    (out / "index.html").write_text("previous index", encoding="utf-8")
    lines: list[str] = []

    def lost(line: str) -> None:  # the handler ran, its exception was swallowed
        lines.append(line)
        if line.startswith("[1/"):
            runner.request_interrupt()

    with pytest.raises(KeyboardInterrupt):
        runner.run_suite(evil_corpus, out, registry=reg[:2], notebooks_dir=nbs, progress=lost, jobs=1)
    assert [ln for ln in lines if ln.startswith("[")] == [ln for ln in lines if ln.startswith("[1/")]  # no second
    assert (out / "index.html").read_text(encoding="utf-8") == "previous index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil", "nbs", "site"]
    summary = runner.run_suite(evil_corpus, out, registry=reg[:1], notebooks_dir=nbs, progress=None, jobs=1)
    assert [r.status for r in summary.results] == ["ok"]


def test_registry_names_are_unique():
    names = [n.name for n in runner.NOTEBOOKS]
    assert len(names) == len(set(names))
    assert [n.name for n in runner.NOTEBOOKS if n.per_source] == ["05_source_profile"]


def test_mark_numeric_cells_marks_numbers_only():
    page = '<td class="data">0.46</td><td>The Europe</td><td>-1,234</td><td>12%</td><td>2025-06</td><td>3e-05</td>'
    assert site.mark_numeric_cells(page) == (
        '<td class="data" data-num>0.46</td><td>The Europe</td><td data-num>-1,234</td>'
        "<td data-num>12%</td><td>2025-06</td><td data-num>3e-05</td>")


# ------------------------------------------------------------------ end to end: the real suite


LENSES = ["01_corpus_overview", "02_vocabulary", "03_sentiment", "04_framing"]


@pytest.mark.notebook
def test_the_real_suite_on_a_hostile_fixture_corpus(tmp_path, tiny_corpus_dir):
    """The committed notebooks, through the runner the CLI uses, on the mini fixture corpus with
    markup in its metadata and text: every report written, headlines on the index, tables
    exported, nothing live or fetched from the network."""
    import csv

    import pandas as pd

    manifest = tiny_corpus_dir / "sources.csv"
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    rows[0]["title"] = f"Ministers {SCRIPT} Agree"
    rows[1]["outlet"] = f"Beta {IMG} Review"
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    gamma = tiny_corpus_dir / rows[2]["file"]
    gamma.write_text(gamma.read_text(encoding="utf-8").rstrip()
                     + f"\n\nA spokesman wrote {SCRIPT} and {IMG} in a statement.\n", encoding="utf-8")

    out = tmp_path / "site"
    summary = runner.run_suite(tiny_corpus_dir, out, progress=None)
    assert [r.status for r in summary.results] == ["ok"] * len(summary.results), summary.failed
    assert [r.notebook for r in summary.results][:4] == LENSES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "site"]

    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"Beta {IMG} Review".replace("<", "&lt;").replace(">", "&gt;") in index
    for r in summary.results:
        assert r.headline, f"{r.name} recorded no headline"
        assert html_escape(r.headline) in index
        page = (out / r.report).read_text(encoding="utf-8")
        assert live_markup(page) == [], r.name
        assert site.external_resources(page) == [], r.name
        assert r.removed_unsafe == 0, f"{r.name}: unescaped markup reached the report"
        assert "Alpha Daily" in page
    tables = sorted((out / "tables").glob("*.csv"))
    assert {t.name.split("_")[0] for t in tables} >= {"corpus", "vocabulary", "sentiment", "framing"}
    for t in tables:
        assert len(pd.read_csv(t).columns) >= 1
    assert any((out / "figures").glob("*.png"))


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


@pytest.mark.notebook
def test_per_source_notebook_runs_once_per_source_with_its_own_headline(tmp_path, evil_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "prof.ipynb", [
        "#md # Profile",
        "import framelens as fl",
        # the same report name in every run: the runner must still tell the headlines apart
        "fl.report.headline(f'profile of {source_id}', report='prof', output_dir=output_dir)",
    ], params=PARAMS + 'source_id = ""  # str: the source to profile\n')
    reg = [runner.Notebook("prof", "prof.ipynb", per_source=True)]
    summary = runner.run_suite(evil_corpus, tmp_path / "site", registry=reg, notebooks_dir=nbs, progress=None)
    assert [(r.name, r.source_id, r.headline) for r in summary.results] == [
        ("prof-one", "one", "profile of one"), ("prof-two", "two", "profile of two")]
    assert all(r.parameters["source_id"] == r.source_id for r in summary.results)
    assert (tmp_path / "site" / "reports" / "prof-two.html").is_file()
    # the title names the source by its label, escaped
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Profile — &lt;img src=x onerror=alert(1)&gt;" in index and "Profile — Plain Post" in index
    assert live_markup(index) == []


def test_per_source_notebook_needs_a_source_id_parameter(tmp_path, evil_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "prof.ipynb", ["x = 1"], params=PARAMS)
    with pytest.raises(FramelensError, match="source_id"):
        runner.run_suite(evil_corpus, tmp_path / "o", registry=[runner.Notebook("p", "prof.ipynb", per_source=True)],
                         notebooks_dir=nbs, progress=None)


# ------------------------------------------------------------------ the lens store, the benchmark


@pytest.mark.notebook
def test_the_runner_computes_the_store_first_and_kernels_only_read_it(tmp_path, evil_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "reader.ipynb", [
        "import framelens as fl\nlens = fl.open_store(corpus, store=store, sources=sources, output_dir=output_dir)",
        "fl.report.headline(f\"stored={lens.has_part('sentiment', n_resamples=n_resamples)} "
        "n={len(lens.part('sentiment', n_resamples=n_resamples)['intervals'])}\", report='reader', output_dir=output_dir)",
    ], params=PARAMS + 'store = ""  # str: lens store\nn_resamples = 200  # int: resamples\n')
    reg = [runner.Notebook("reader", "reader.ipynb", parts=("sentiment",))]
    out = tmp_path / "site"
    summary = runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=None)
    assert [r.status for r in summary.results] == ["ok"], summary.results[0].error
    assert summary.results[0].headline == "stored=True n=2"  # computed by the runner, before the kernel
    assert summary.provenance["store"]["path"] == "(temporary)" and summary.provenance["store"]["failures"] == []
    # every phase is timed in provenance.json (quiet or not): what make bench-scale reads
    timed = {t["phase"]: (t["done"], t["total"]) for t in summary.provenance["timings"]}
    assert list(timed) == ["ingest", "load", "actors map", "actors reduce", "part actors", "sentiment map",
                           "sentiment reduce", "part sentiment", "store", "notebooks", "articles"]
    assert timed["sentiment map"] == (1, 1) and timed["notebooks"] == (1, 1)
    assert json.loads((out / "provenance.json").read_text(encoding="utf-8"))["timings"] == summary.provenance["timings"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil", "nbs", "site"]  # the temporary store is gone
    assert not list(out.rglob("*.parquet"))
    # --store keeps it; a second run reuses it (no new folder), another option adds one
    kept = tmp_path / "kept"
    runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=None, store=kept)
    first = sorted(p.name for p in kept.glob("corpus-*/*-*"))
    assert [n.split("-")[0] for n in first] == ["actors", "sentiment"]  # sentiment is built on the actor table
    runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=None, store=kept)
    assert sorted(p.name for p in kept.glob("corpus-*/*-*")) == first
    runner.run_suite(evil_corpus, out, registry=reg, notebooks_dir=nbs, progress=None, store=kept,
                     params=["n_resamples=300"])
    assert len(list(kept.glob("corpus-*/sentiment-*"))) == 2 and len(list(kept.glob("corpus-*/actors-*"))) == 1


@pytest.mark.notebook
def test_benchmark_suite_runs_as_many_empty_notebooks(tmp_path, evil_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "one.ipynb", ["#md # One", "x = 1"], params=PARAMS)
    make_notebook(nbs / "per.ipynb", ["#md # Per source", "y = source_id"],
                  params=PARAMS + 'source_id = ""  # str: the source\n')
    reg = [runner.Notebook("one", "one.ipynb"), runner.Notebook("per", "per.ipynb", per_source=True)]
    from benchmarks import bench

    res = bench.suite_vs_floor(evil_corpus, jobs=2, registry=reg, notebooks_dir=nbs)
    assert res["notebooks"] == 3  # one + one per source (2 sources)
    assert res["failed"] == [] and res["floor_failed"] == []
    assert res["suite"] > 0 and res["floor"] > 0 and res["jobs"] == 2
    assert res["cell_gaps"]["notebooks"] == 3 and len(res["cell_gaps"]["gaps"]) == 3
    # the empty notebook: a parameters cell and the imports every page pays (issue 24's floor)
    empty = bench.empty_notebook(tmp_path / "empty.ipynb")
    nb = nbformat.read(str(empty), as_version=4)
    assert len(nb.cells) == 2 and nb.cells[0].metadata.tags == ["parameters"]
    assert nb.cells[1].source == "import pandas, matplotlib"
    assert set(runner.inspect_parameters(empty)) == {"corpus", "output_dir", "seed", "sources"}


# ------------------------------------------------------------------ no process-wide chdir, data-only parameters


@pytest.mark.notebook
def test_parallel_run_never_changes_the_working_folder(tmp_path, evil_corpus):
    """Notebooks in a temporary folder, run two at a time, then the folder deleted: the process's
    working folder is unchanged and a second run works (papermill's cwd= used os.chdir)."""
    import shutil

    before = os.getcwd()
    for attempt in range(2):
        nbs = tmp_path / f"nbs{attempt}"
        nbs.mkdir()
        names = [f"n{k}" for k in range(4)]
        for name in names:
            # the kernel starts in the notebooks' folder: a relative path resolves there
            make_notebook(nbs / f"{name}.ipynb", ["#md # N", "import os\nassert os.path.isfile('marker.txt')"],
                          params=PARAMS)
        (nbs / "marker.txt").write_text("x", encoding="utf-8")
        reg = [runner.Notebook(n, f"{n}.ipynb") for n in names]
        summary = runner.run_suite(evil_corpus, tmp_path / "out", jobs=2, registry=reg, notebooks_dir=nbs,
                                   progress=None)
        assert [r.status for r in summary.results] == ["ok"] * 4, [r.error for r in summary.results]
        assert os.getcwd() == before
        shutil.rmtree(nbs)
        assert os.getcwd() == before


def test_parameter_values_are_json_data_never_code(tmp_path):
    assert runner.json_value(("a", ("b", 1))) == ["a", ["b", 1]]
    assert runner.json_value({"k": (1.5, None, True)}) == {"k": [1.5, None, True]}
    for bad, why in [(b"x", "bytes"), ({1, 2}, "set"), (1j, "complex"), ({1: "a"}, "keys must be strings"),
                     (float("nan"), "finite"), (object(), "object")]:
        with pytest.raises(FramelensError, match=why):
            runner.json_value(bad, "sources")
    # a tuple whose string would break out of papermill's unescaped text: converted, stays a string
    payload = "a\" + str(__import__(\"os\").system(\"touch " + str(tmp_path / "PWNED") + "\")) + \""
    scope, key, value = runner.parse_param(f"sources=('{payload}',)")
    per_nb = runner.validate_params([(scope, key, value)], _specs())
    assert per_nb["a"]["sources"] == [payload]


@pytest.mark.notebook
def test_a_crafted_parameter_runs_no_code_through_the_python_api(tmp_path, evil_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "p.ipynb", ["#md # P", "print(repr(sources))"], params=PARAMS)
    pwned = tmp_path / "PWNED"
    payload = "a\" + str(__import__(\"os\").system(\"touch " + str(pwned) + "\")) + \""
    summary = runner.run_suite(evil_corpus, tmp_path / "out", jobs=1, registry=[runner.Notebook("p", "p.ipynb")],
                               notebooks_dir=nbs, progress=None, params=[(None, "sources", (payload,))])
    assert summary.ok and not pwned.exists()
    # bytes are refused before any kernel starts
    with pytest.raises(FramelensError, match="bytes value is not allowed"):
        runner.run_suite(evil_corpus, tmp_path / "out2", jobs=1, registry=[runner.Notebook("p", "p.ipynb")],
                         notebooks_dir=nbs, progress=None, params=[(None, "sources", b"x")])
    assert not pwned.exists() and not (tmp_path / "out2").exists()


# ------------------------------------------------------------------ paths, locks, staging, groups, profile cap


def test_file_parameters_resolve_against_the_callers_folder(tmp_path):
    specs = {"04_framing": {"codebook": {"name": "codebook", "inferred_type_name": "str", "default": '""',
                                         "help": "path to your own frame codebook (TOML); empty string: the packaged one"},
                            "top": {"name": "top", "inferred_type_name": "int", "default": "3", "help": "rows"}}}
    from framelens.config import default_path

    (tmp_path / "my_codebook.toml").write_bytes(default_path("codebook").read_bytes())
    per_nb = {"04_framing": {"codebook": "my_codebook.toml", "top": 2}}
    runner.resolve_path_parameters(per_nb, specs, base=tmp_path)
    assert per_nb["04_framing"] == {"codebook": str(tmp_path / "my_codebook.toml"), "top": 2}
    with pytest.raises(FramelensError, match=r"--param codebook=nothere.toml: no such file \("):
        runner.resolve_path_parameters({"04_framing": {"codebook": "nothere.toml"}}, specs, base=tmp_path)
    (tmp_path / "broken.toml").write_text("[[frame]]\nid = \n", encoding="utf-8")
    with pytest.raises(FramelensError, match=r"broken.toml"):
        runner.resolve_path_parameters({"04_framing": {"codebook": "broken.toml"}}, specs, base=tmp_path)
    # empty string: the packaged file, left alone
    per_nb = {"04_framing": {"codebook": ""}}
    runner.resolve_path_parameters(per_nb, specs, base=tmp_path)
    assert per_nb == {"04_framing": {"codebook": ""}}


@pytest.mark.notebook  # starts a process (make test-fast skips it)
def test_run_lock_refuses_a_live_run_and_takes_over_a_dead_ones(tmp_path, evil_corpus):
    import subprocess
    import sys

    out = tmp_path / "out"
    lock = runner.lock_path(out)
    assert lock == tmp_path / ".out.framelens-lock"
    with runner.RunLock(out):
        with pytest.raises(FramelensError, match=rf"another framelens run is writing into this folder \(PID {os.getpid()},"):
            runner.RunLock(out).__enter__()
    assert not lock.exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "started": "earlier"}), encoding="utf-8")
    with runner.RunLock(out) as held:  # stale: taken over
        assert json.loads(lock.read_text())["pid"] == os.getpid() and held.held
    assert not lock.exists()


@pytest.mark.notebook  # starts a process (make test-fast skips it)
def test_stale_staging_folders_of_dead_runs_are_removed(tmp_path):
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    stale = tmp_path / f".framelens-run-{dead}-abc"
    (stale / "tables").mkdir(parents=True)
    live = tmp_path / f".framelens-run-{os.getpid()}-xyz"
    live.mkdir()
    other = tmp_path / ".framelens-run-nopid"
    other.mkdir()
    assert runner.remove_stale_stages(tmp_path) == [stale]
    assert not stale.exists() and live.is_dir() and other.is_dir()
    stage = runner.make_stage(tmp_path)
    assert stage.name.startswith(f".framelens-run-{os.getpid()}-")


def test_output_folder_may_not_sit_inside_the_notebooks_or_the_package(tmp_path, tiny_corpus_dir):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    with pytest.raises(FramelensError, match="inside the notebooks folder or the framelens package"):
        runner.check_output_dir(nbs / "out", tiny_corpus_dir, nbs)
    with pytest.raises(FramelensError, match="inside the notebooks folder or the framelens package"):
        runner.check_output_dir(runner.PACKAGE_DIR / "data" / "out", tiny_corpus_dir, nbs)


@pytest.fixture()
def grouped_corpus(tmp_path) -> Path:
    """Sources that group outlets (political-leaning groups), one source that is one outlet."""
    d = tmp_path / "grouped"
    d.mkdir()
    rows = [("a1", "left_bias", "Mother Jones"), ("a2", "left_bias", "The Hill"), ("a3", "left_bias", "Mother Jones"),
            ("b1", "right_bias", "RedState"), ("c1", "solotimes", "Solo Times"), ("c2", "solotimes", "Solo Times")]
    (d / "sources.csv").write_text("id,file,source,outlet\n" + "".join(f"{i},{i}.txt,{s},{o}\n" for i, s, o in rows),
                                   encoding="utf-8")
    for i, _, _ in rows:
        (d / f"{i}.txt").write_text(f"Headline number {i} here\n\nThe minister said the plan was good for the "
                                    "region. Critics disagreed with the plan.\n", encoding="utf-8")
    return d


def test_groups_are_named_by_their_id_and_the_index_lists_their_outlets(grouped_corpus, tmp_path):
    import framelens as fl

    corp = fl.load_corpus(grouped_corpus)
    # right_bias holds one outlet in this sample, and is still named as the group
    assert corp.labels == {"left_bias": "left_bias", "right_bias": "right_bias", "solotimes": "Solo Times"}
    rows = {r["source"]: r for r in runner.corpus_sources(corp)}
    assert rows["left_bias"]["members"] == [{"outlet": "Mother Jones", "n_documents": 2},
                                            {"outlet": "The Hill", "n_documents": 1}]
    page = site.render_index({"corpus": {"n_sources": 3}, "sources": list(rows.values()), "results": []})
    assert "Mother Jones (2), The Hill (1)" in page and "RedState (1)" in page
    # a source_label column names the unit
    text = (grouped_corpus / "sources.csv").read_text(encoding="utf-8").replace("source,outlet", "source,outlet,source_label")
    lines = text.splitlines()
    lines = [lines[0]] + [ln + (",Left-leaning outlets" if ",left_bias," in ln else ",") for ln in lines[1:]]
    (grouped_corpus / "sources.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corp = fl.load_corpus(grouped_corpus)
    assert corp.label("left_bias") == "Left-leaning outlets" and corp.label("right_bias") == "right_bias"


def test_profiles_are_capped_to_the_largest_sources(tmp_path, grouped_corpus):
    import framelens as fl

    corp = fl.load_corpus(grouped_corpus)
    # sentences: left_bias 6, solotimes 4, right_bias 2
    assert runner.profile_sources(corp, 2) == (["left_bias", "solotimes"], ["right_bias"])
    assert runner.profile_sources(corp, 0) == (["left_bias", "right_bias", "solotimes"], [])
    assert runner.profile_sources(corp, ["right_bias"]) == (["right_bias"], ["left_bias", "solotimes"])
    with pytest.raises(FramelensError, match="--profiles: unknown source 'nope'"):
        runner.profile_sources(corp, ["nope"])
    assert runner.parse_profiles("12") == 12 and runner.parse_profiles("a, b") == ["a", "b"]


@pytest.mark.notebook
def test_run_makes_profiles_for_the_capped_sources_and_lists_the_rest(tmp_path, grouped_corpus):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "per.ipynb", ["#md # Per source", "y = source_id"],
                  params=PARAMS + 'source_id = ""  # str: the source\n')
    reg = [runner.Notebook("per", "per.ipynb", per_source=True)]
    summary = runner.run_suite(grouped_corpus, tmp_path / "out", registry=reg, notebooks_dir=nbs, progress=None,
                               profiles=1)
    assert [r.source_id for r in summary.results] == ["left_bias"]
    assert summary.provenance["not_profiled"] == [{"source": "right_bias", "label": "right_bias"},
                                                  {"source": "solotimes", "label": "Solo Times"}]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "These 2 have none" in index and "<code>solotimes</code>" in index and "--profiles" in index


# ------------------------------------------------------------------ kernels started ahead


def test_kernel_arguments_by_hand():
    from framelens.run.kernels import kernel_arguments

    assert kernel_arguments() == ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:"]
    assert kernel_arguments(("import a", "import b")) == [
        "--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:",
        "--IPKernelApp.exec_lines=['import a', 'import b']"]


def _alive(km) -> bool:
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    return proc is not None and proc.poll() is None


@pytest.mark.notebook
def test_a_kernel_started_ahead_runs_a_report_as_a_fresh_kernel_would(tmp_path):
    """Started ahead with its imports done (the preload takes no execution number), in the
    report's folder; one kernel per report, shut down after it; the next started ahead as one is
    taken, never more than the reports left; what is not taken is shut down on close."""
    from framelens.run.kernels import Kernels

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    (nbs / "here.txt").write_text("x", encoding="utf-8")
    make_notebook(nbs / "k.ipynb", ["import os, sys\nprint('wave' in sys.modules, os.path.exists('here.txt'), value)"],
                  params="value = 0")
    kernels = Kernels(nbs, preload=("import wave",))
    try:
        kernels.expect(2, ahead=1)
        km = kernels.take()  # the first (and the second starts ahead now)
        assert km is not None and _alive(km)
        assert type(km.provisioner.process).__name__ == "Forked"  # from the zygote (Linux)
        runner.execute_notebook(nbs / "k.ipynb", tmp_path / "out1.ipynb", {"value": 7}, cwd=nbs,
                                kernel_manager_class=kernels.manager_class, km=km)
        runner.execute_notebook(nbs / "k.ipynb", tmp_path / "cold.ipynb", {"value": 7}, cwd=nbs)  # a kernel of its own
        warm, cold = (nbformat.read(str(tmp_path / f), as_version=4).cells for f in ("out1.ipynb", "cold.ipynb"))
        assert [c.execution_count for c in warm] == [c.execution_count for c in cold] == [1, 2, 3]
        assert warm[-1].outputs[0]["text"] == "True True 7\n"  # preloaded, in the report's folder, parameters applied
        assert cold[-1].outputs[0]["text"] == "False True 7\n"
        kernels.release(km)
        assert not _alive(km)
        second = kernels.take()
        assert second is not None and second is not km and _alive(second)
        assert kernels.take() is None  # no third report was expected: none started ahead
        kernels.release(second)
        kernels.expect(1, ahead=2)  # one more, started ahead and never taken
    finally:
        kernels.close()
    assert kernels.kill_all() == 0 and not any(_alive(k) for k in kernels._live)
    held = Kernels(nbs, preload=())
    held.expect(1, ahead=1)
    km = held.take()
    held.close()  # an interrupt while a report holds its kernel: the loop waits for it to be given back
    assert held._loop is not None and _alive(km)
    held.release(km)
    assert held._loop is None and not _alive(km)
    cold = Kernels(None)  # run_suite(kernels_ahead=False): each report starts its own
    cold.expect(3, ahead=2)
    assert cold.take() is None and cold._loop is None  # nothing was started


def _ppid(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as f:
        return int(f.read().rsplit(b")", 1)[1].split()[1])


@pytest.mark.notebook
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")
def test_a_forked_kernel_is_a_process_of_its_own_in_the_reports_folder_with_the_runs_environment(tmp_path, monkeypatch):
    """Forked by the zygote (its child, in a session of its own) after the zygote imported the
    preload; the environment and folder are the kernel's, not the zygote's; kill_all ends both; a
    kernel whose zygote is gone ends by itself (ipykernel's parent poller)."""
    import time

    from framelens.run.kernels import Forked, Kernels

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "k.ipynb", ["import gc, os, sys\nprint('wave' in sys.modules, os.getcwd() == value, "
                                    "os.environ.get('FRAMELENS_ZYGOTE_TEST'), os.getpid() == os.getpgid(0), "
                                    "gc.get_freeze_count() > 0)"],
                  params="value = ''")
    kernels = Kernels(nbs, preload=("import wave",))
    zygote = kernels.zygote.proc.pid
    monkeypatch.setenv("FRAMELENS_ZYGOTE_TEST", "after the zygote started")
    try:
        kernels.expect(2, ahead=2)
        km, other = kernels.take(), kernels.take()
        proc = km.provisioner.process
        assert isinstance(proc, Forked) and _ppid(proc.pid) == zygote and os.getpgid(proc.pid) == proc.pid
        runner.execute_notebook(nbs / "k.ipynb", tmp_path / "out.ipynb", {"value": str(nbs)}, cwd=nbs,
                                kernel_manager_class=kernels.manager_class, km=km)
        out = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4).cells[-1].outputs[0]["text"]
        assert out == "True True after the zygote started True True\n"  # the preload frozen: out of the kernel's collections
        kernels.release(km)
        assert proc.poll() == -1 and not _alive(km)
        kernels.zygote.kill()  # the zygote gone: the kernel it forked ends within its poller's second
        deadline = time.monotonic() + 10
        while _alive(other) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(other)
        kernels.release(other)
        assert kernels.zygote.fork(["python", "-m", "ipykernel_launcher"], None, None) is None  # it cannot any more
    finally:
        kernels.kill_all()
        kernels.close()
    assert kernels.zygote.proc.poll() is not None


@pytest.mark.notebook
def test_close_waits_for_a_kernel_still_starting_while_a_report_gives_its_own_back(tmp_path):
    """An interrupt: close() shuts down a kernel still starting ahead (on the kernels' loop) while a
    report gives its kernel back; the loop lives until close() is done (it used to stop at that
    release, and close() then waited 330 s for a start that could not end)."""
    import threading
    import time

    from framelens.run.kernels import Kernels

    kernels = Kernels(tmp_path, preload=())
    kernels.expect(2, ahead=2)
    km = kernels.take()  # the second is still starting
    releaser = threading.Thread(target=lambda: (time.sleep(0.05), kernels.release(km)))
    closer = threading.Thread(target=kernels.close)
    releaser.start()
    closer.start()
    releaser.join(60)
    closer.join(60)
    assert not closer.is_alive() and not releaser.is_alive()
    assert kernels._loop is None and not _alive(km) and not any(_alive(k) for k in kernels._live)
    assert kernels.zygote is None or kernels.zygote.proc.poll() is not None  # ended with the last kernel


def test_the_runs_zygote_starts_before_the_ingest_and_ends_when_the_input_is_refused(tmp_path, monkeypatch):
    """run_suite starts the kernels' zygote first (its imports beside the ingest) and hands it to the
    run's kernels; a run refused before them (no such corpus) ends it at once; kernels not started
    ahead (the floor) start none."""
    made: list = []

    class FakeZygote:
        def __init__(self):
            self.discarded = False
            made.append(self)

        @staticmethod
        def possible():
            return True

        def discard(self):
            self.discarded = True

        close = kill = discard

    monkeypatch.setattr(runner, "Zygote", FakeZygote)
    with pytest.raises(FramelensError, match="no-such-corpus"):
        runner.run_suite(tmp_path / "no-such-corpus", tmp_path / "site", progress=None)
    assert len(made) == 1 and made[0].discarded
    with pytest.raises(FramelensError):
        runner.run_suite(tmp_path / "no-such-corpus", tmp_path / "site", progress=None, kernels_ahead=False)
    assert len(made) == 1  # none for the floor
    plan = runner.plan_run(None, tmp_path / "site", jobs=2, only=["01"], params=[], registry=None,
                           notebooks_dir=None, profiles=0, say=lambda line: None, store=tmp_path / "store")
    zygote = FakeZygote()
    kernels = runner.kernels_for(plan, jobs=2, ahead=False, zygote=zygote)
    assert kernels.zygote is zygote and not zygote.discarded


@pytest.mark.notebook  # a child process
def test_export_processes_skip_the_slow_optional_import():
    """The export processes start without jsonschema's optional IRI checker (rfc3987_syntax, 0.8 s
    of lark grammars at import, never used to validate a notebook), as the run's own process."""
    pool = runner.export_pool(1)
    try:
        assert pool.submit(_blocked_module, "rfc3987_syntax").result(timeout=60) is True
    finally:
        pool.shutdown(wait=True)


def _blocked_module(name: str) -> bool:
    """In a pool worker: is ``import name`` blocked (``sys.modules[name] is None``)?"""
    return name in sys.modules and sys.modules[name] is None


KERNEL_START_SCRIPT = """
import json, os, sys
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
import ipykernel.ipkernel, ipykernel.kernelapp
from framelens.run.kernels import KERNEL_START_IMPORTS
for line in KERNEL_START_IMPORTS:
    exec(line, {})
before = set(sys.modules)
from ipykernel.kernelapp import IPKernelApp
IPKernelApp.instance().initialize(["-f", sys.argv[1] + "/conn.json", "--IPKernelApp.log_level=CRITICAL",
                                   "--HistoryManager.hist_file=:memory:"])
with open(sys.argv[1] + "/new.json", "w") as f:
    json.dump(sorted(set(sys.modules) - before), f)
os._exit(0)
"""


@pytest.mark.notebook  # a child process
def test_the_zygote_imports_what_a_kernel_imports_as_it_starts(tmp_path):
    """KERNEL_START_IMPORTS: after them, a kernel's start imports no debugger (debugpy: 0.1 s of
    each forked kernel's start) and no sqlite3 — so they are imported once, by the zygote."""
    import json
    import subprocess

    script = tmp_path / "k.py"
    script.write_text(KERNEL_START_SCRIPT)
    got = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    new = json.loads((tmp_path / "new.json").read_text())
    late = [m for m in new if m.split(".")[0] in ("debugpy", "pydevd", "_pydevd_bundle", "sqlite3", "psutil")]
    assert late == [] and len(new) < 10, new


def test_which_kernels_the_zygote_can_start_by_hand():
    from framelens.run.kernels import Forked, Kernels, Zygote

    assert Zygote.can_start([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not Zygote.can_start(["/usr/bin/other-python", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not Zygote.can_start([sys.executable, "-m", "other_kernel", "-f", "c.json"])
    assert not Zygote.can_start([sys.executable])
    assert Kernels(None).zygote is None  # no kernel started ahead (the floor): papermill's own start
    gone = Forked(2 ** 22 + 12345)  # above Linux's largest process id: no such process
    assert gone.poll() == -1 and gone.wait(timeout=1) == -1
    gone.kill()  # an ended kernel: nothing to signal, no error


@pytest.mark.notebook
def test_kernels_start_beside_a_short_store_and_after_a_long_one(tmp_path):
    """A corpus of one partition (PARTITION_DOCUMENTS articles): the first `jobs` kernels start before
    the store is computed; a larger one: none waits through its store (they start with the reports);
    off: none at all."""
    from types import SimpleNamespace

    import pandas as pd

    from framelens.tables.parquet import PARTITION_DOCUMENTS

    def plan(documents: int) -> SimpleNamespace:
        docs = pd.DataFrame({"doc_id": [f"d{k}" for k in range(documents)]})
        return SimpleNamespace(nb_dir=tmp_path, corpus=SimpleNamespace(documents=docs), jobs=[object()] * 5)

    # reports start beside the store of one partition only (a larger one keeps both cores busy)
    assert runner.beside_store(plan(PARTITION_DOCUMENTS)) and not runner.beside_store(plan(PARTITION_DOCUMENTS + 1))
    short = runner.kernels_for(plan(PARTITION_DOCUMENTS), jobs=2)
    try:
        assert len(short._pending) == 2
    finally:
        short.close()
    long = runner.kernels_for(plan(PARTITION_DOCUMENTS + 1), jobs=2)
    off = runner.kernels_for(plan(10), jobs=2, ahead=False)
    assert len(long._pending) == 0 and long._loop is None and len(off._pending) == 0 and off._loop is None
    assert short.kill_all() == 0


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_reports_start_as_their_store_parts_are_stored_one_slot_kept_for_the_store(tmp_path, monkeypatch):
    """Reports (two at a time): while the store is computed, one runs at a time, each once every
    file it waits for exists, in the order of the jobs among the ready ones; a report whose parts
    are not known waits for the whole store; then two at a time."""
    import threading
    import time

    events: list[str] = []
    running: list[str] = []
    most = {"during": 0, "after": 0}
    store_done = threading.Event()
    release = {n: threading.Event() for n in "ABCD"}

    def fake_execute(job, *args):
        running.append(job.name)
        key = "after" if store_done.is_set() else "during"
        most[key] = max(most[key], len(running))
        events.append(f"start {job.name}")
        release[job.name].wait(10)
        running.remove(job.name)
        return runner.Result(job.name, job.name, job.name, None, "ok", 0.0, {})

    monkeypatch.setattr(runner, "_execute", fake_execute)
    nb = runner.Notebook("n", "n.ipynb")
    jobs = [runner.Job(nb, n, None, {}) for n in "ABCD"]
    a_part, b_part = tmp_path / "a" / "manifest.json", tmp_path / "b" / "manifest.json"
    ready = {"A": [a_part], "B": [b_part], "D": []}  # C: not known
    lines: list[str] = []
    reports = runner.Reports(jobs, nb_dir=tmp_path, stage=tmp_path, out_path=tmp_path, with_code=False, meta="",
                             jobs=2, say=lines.append, kernels=runner.Kernels(None), ready=ready).start()

    def until(cond):
        deadline = time.monotonic() + 10
        while not cond() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cond()

    until(lambda: events == ["start D"])  # the only one ready: nothing stored yet, D reads nothing
    b_part.parent.mkdir()
    b_part.write_text("{}")
    time.sleep(3 * runner.Reports.POLL)
    assert events == ["start D"]  # B is ready, but D holds the one slot the store leaves
    release["D"].set()
    until(lambda: events == ["start D", "start B"])
    release["B"].set()
    a_part.parent.mkdir()
    a_part.write_text("{}")
    until(lambda: events == ["start D", "start B", "start A"])
    time.sleep(3 * runner.Reports.POLL)
    assert events[-1] == "start A"  # C waits for the whole store
    store_done.set()
    reports.store_done()
    until(lambda: events[-1] == "start C")
    release["A"].set()
    until(lambda: sum(ln.startswith("[") for ln in lines) == 3)
    release["C"].set()
    results = reports.wait()
    assert [r.name for r in results] == ["A", "B", "C", "D"]  # in the jobs' order
    assert most == {"during": 1, "after": 2}
    assert [ln.split(" ... ")[0] for ln in lines if ln.startswith("[")] == ["[1/4] D", "[2/4] B", "[3/4] A", "[4/4] C"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_reports_run_once_per_source_start_after_the_others(tmp_path, monkeypatch):
    """Among reports ready to start, those run once per source (the many short profiles) come after
    the others, so that the last slots are filled by short reports; results keep the jobs' order."""
    started: list[str] = []

    def fake_execute(job, *args):
        started.append(job.name)
        return runner.Result(job.name, job.name, job.name, job.source_id, "ok", 0.0, {})

    monkeypatch.setattr(runner, "_execute", fake_execute)
    nb, per_source = runner.Notebook("n", "n.ipynb"), runner.Notebook("p", "p.ipynb")
    jobs = [runner.Job(nb, "A", None, {}), runner.Job(per_source, "p-s1", "s1", {}), runner.Job(nb, "B", None, {}),
            runner.Job(per_source, "p-s2", "s2", {}), runner.Job(nb, "C", None, {})]
    reports = runner.Reports(jobs, nb_dir=tmp_path, stage=tmp_path, out_path=tmp_path, with_code=False, meta="",
                             jobs=1, say=lambda line: None, kernels=runner.Kernels(None)).start()
    results = reports.wait()
    assert started == ["A", "B", "C", "p-s1", "p-s2"]
    assert [r.name for r in results] == ["A", "p-s1", "B", "p-s2", "C"]

    def broken_execute(job, *args):  # a bug in the runner, not a failing notebook
        started.append(job.name)
        raise RuntimeError(f"bug at {job.name}")

    monkeypatch.setattr(runner, "_execute", broken_execute)
    started.clear()
    reports = runner.Reports(jobs, nb_dir=tmp_path, stage=tmp_path, out_path=tmp_path, with_code=False, meta="",
                             jobs=1, say=lambda line: None, kernels=runner.Kernels(None)).start()
    with pytest.raises(RuntimeError, match="bug at A"):  # the bug itself, and no other report started
        reports.wait()
    assert started == ["A"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_each_report_waits_for_the_parts_it_reads_and_those_they_are_built_from(tmp_path):
    """report_parts names the folders the store then writes: after the store, every one exists; the
    vocabulary report waits for no sentiment part, the sentiment report for the actors it is built on."""
    plan = runner.plan_run(None, tmp_path / "site", jobs=2, only=["02", "03"], params=[], registry=None,
                           notebooks_dir=None, profiles=0, say=lambda line: None, store=tmp_path / "store")
    ready = runner.report_parts(plan, plan.store_root)
    kinds = {job: sorted(p.parent.name.split("-")[0] for p in files) for job, files in ready.items()}
    assert kinds == {"02_vocabulary": ["corpus", "vocabulary"], "03_sentiment": ["actors", "corpus", "sentiment"]}
    assert not any(p.is_file() for files in ready.values() for p in files[1:])
    runner.compute_store(plan, plan.store_root, workers=1, say=runner.as_progress(None))
    assert all(p.is_file() for files in ready.values() for p in files)
