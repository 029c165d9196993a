"""A real browser on a generated report: headless Chromium (DevTools protocol, see chromium.py)
opens a report written by the runner, types into a table's search box and sees the rows
filtered, sorts, shows all rows, and follows an evidence link to the article page, where the
sentence is highlighted. Skipped, with the reason, when no Chromium is installed
(``make test-browser`` installs it and runs these tests)."""

from __future__ import annotations

import json

import pytest

from chromium import Browser, why_no_browser
from framelens.run import runner
from test_runner import PARAMS, make_notebook

REASON = why_no_browser()
pytestmark = [pytest.mark.skipif(REASON is not None, reason=f"browser test skipped: {REASON}"),
              pytest.mark.notebook]

HIGHLIGHT = "rgb(253, 230, 138)"  # --fl-mark in data/article.css


@pytest.fixture(scope="module")
def site(tmp_path_factory, mini_dir):
    """The runner's site for the mini corpus (12 sentences: alpha, beta, gamma × 4) with one report
    that exports the sentence table and shows it with its first 5 rows."""
    root = tmp_path_factory.mktemp("browser")
    nbs = root / "nbs"
    nbs.mkdir()
    make_notebook(nbs / "tables.ipynb", [
        "#md # Table tools\n\nThe sentences of the corpus.",
        "import framelens as fl\ncorp = fl.load_corpus(corpus)",
        "sents = corp.sentences[['sent_id', 'source', 'n_words', 'text']]",
        "fl.report.export_table(sents, 'fixture_sentences', output_dir)",
        "#md ## Sentences",
        "fl.report.show_table(sents, caption='Sentences', max_rows=5)",
    ], params=PARAMS)
    out = root / "site"
    summary = runner.run_suite(mini_dir, out, registry=[runner.Notebook("tables", "tables.ipynb")],
                               notebooks_dir=nbs, progress=None)
    assert summary.ok, summary.failed
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser.start(tmp_path_factory.mktemp("chromium")) as b:
        yield b


def visible(b) -> list[str]:
    """sent_id of the rows the reader sees, top to bottom."""
    return b.eval("Array.from(document.querySelectorAll('table[data-fl-table] tbody tr'))"
                  ".filter(tr => tr.offsetParent !== null).map(tr => tr.cells[0].textContent.trim())")


def search(b, text: str) -> None:
    b.eval("(() => { const i = document.querySelector('.fl-search'); i.value = '';"
           " i.dispatchEvent(new Event('input')); })()")
    b.type_text(".fl-search", text)


def test_search_filter_sort_and_show_all(site, browser):
    b = browser
    b.open((site / "reports" / "tables.html").as_uri())
    assert b.eval("document.querySelectorAll('table[data-fl-table] .fl-search').length") == 1
    # the first 5 of 12 rows, in table order, and the control to show the rest
    assert visible(b) == ["alpha:s0", "alpha:s1", "alpha:s2", "alpha:s3", "beta:s0"]
    assert b.eval("document.querySelector('.fl-status-line').textContent") == "12 rows, showing the first 5"
    assert b.eval("document.querySelector('button.fl-more').textContent") == "Show all 12 rows"
    # the CSV link points at the exported table
    href = b.eval("document.querySelector('a.fl-csv').getAttribute('href')")
    assert href == "../tables/fixture_sentences.csv"
    assert (site / "reports" / href).resolve().is_file()

    # typing filters as you type: "billion" is in alpha:s1, alpha:s3 and gamma:s1
    search(b, "billion")
    assert visible(b) == ["alpha:s1", "alpha:s3", "gamma:s1"]
    assert b.eval("document.querySelector('.fl-status-line').textContent") == "3 of 12 rows match"
    search(b, "billion -gamma")  # -word excludes rows that contain it (here: the source column)
    assert visible(b) == ["alpha:s1", "alpha:s3"]
    # column filters: 14 + 4 × 13 words
    search(b, "n_words>=13")
    assert visible(b) == ["alpha:s0", "beta:s0", "beta:s3", "gamma:s0", "gamma:s3"]
    search(b, "source:beta n_words<10")
    assert visible(b) == ["beta:s2"]
    search(b, '"rail deal"')
    assert visible(b) == ["beta:s0"]

    # sort by n_words: ascending (ties keep table order), then descending
    search(b, "")
    b.click("table[data-fl-table] thead th:nth-child(3) button")
    assert visible(b) == ["alpha:s1", "beta:s2", "gamma:s1", "alpha:s3", "beta:s1"]  # 8, 8, 8, 10, 10
    assert b.eval("document.querySelector('thead th:nth-child(3)').getAttribute('aria-sort')") == "ascending"
    b.click("table[data-fl-table] thead th:nth-child(3) button")
    assert visible(b)[0] == "alpha:s0"  # 14 words
    b.click("table[data-fl-table] thead th:nth-child(3) button")  # third click: table order again
    assert visible(b)[0] == "alpha:s0" and visible(b)[1] == "alpha:s1"

    # show all, and back
    b.click("button.fl-more")
    assert len(visible(b)) == 12
    assert b.eval("document.querySelector('button.fl-more').textContent") == "Show the first 5 rows"
    b.click("button.fl-more")
    assert len(visible(b)) == 5
    assert not [e for e in b.events if e["method"] == "Runtime.exceptionThrown"]


def test_evidence_link_opens_the_article_with_the_sentence_highlighted(site, browser, tmp_path):
    b = browser
    b.open((site / "reports" / "tables.html").as_uri())
    search(b, "gamma:s2")
    assert visible(b) == ["gamma:s2"]
    link = "table[data-fl-table] a.fl-ev[href$='gamma.html#s2']"
    assert b.eval(f"document.querySelector({json.dumps(link)}).getAttribute('href')") == "../articles/gamma.html#s2"
    b.click(link)
    assert b.wait_for("location.href.endsWith('/articles/gamma.html#s2') && document.readyState === 'complete'")
    target = b.eval("(() => { const t = document.querySelector(':target'); return t && [t.id, t.textContent]; })()")
    assert target == ["s2", "s2The new line will certainly boost trade across Central Asia."]  # number + sentence
    assert b.eval("getComputedStyle(document.getElementById('s2')).backgroundColor") == HIGHLIGHT
    assert b.eval("getComputedStyle(document.getElementById('s1')).backgroundColor") == "rgba(0, 0, 0, 0)"
    # the sentence is in view, below the sticky bar
    top = b.eval("document.getElementById('s2').getBoundingClientRect().top")
    assert 0 < top < b.eval("innerHeight")
    # the page shows what cleaning removed from this article, and by which rule
    rows = b.eval("Array.from(document.querySelectorAll('table tbody tr')).map(tr => [tr.cells[0].textContent,"
                  " tr.cells[2].textContent])")
    assert rows == [["shortcode", '[adinserter block="3"]']]
    b.screenshot(tmp_path / "article.png")
    assert not [e for e in b.events if e["method"] == "Runtime.exceptionThrown"]
