"""`make reports` on the seeds, through the same runner the CLI uses (this is what CI runs)."""

import json

import pytest

from framelens.run import runner


@pytest.mark.notebook
def test_the_whole_suite_on_the_seeds(tmp_path, seeds_dir):
    out = tmp_path / "outputs"
    summary = runner.run_suite(seeds_dir, out, progress=None)
    assert summary.ok, [(r.name, r.error) for r in summary.failed]
    names = [r.name for r in summary.results]
    for nb in ("01_corpus_overview", "02_vocabulary", "03_sentiment", "04_framing"):
        assert nb in names
    index = (out / "index.html").read_text(encoding="utf-8")
    # the corpus table names every outlet and shows month-only dates as such
    for outlet in ("The Europe Today", "writer.dog", "CGTN", "The Astana Times", "Switch TV"):
        assert outlet in index
    assert "2025-06 (day unknown)" in index and "2024-07-03" in index
    # the overview's headline: 5 articles, and the 14 spans of furniture SOURCES.md lists
    # (000: kicker, duplicate headline, caption, bio; 001: 3 comment-form lines; 002: disclaimer;
    # 003: byline, author note, disclaimer, call to action; 004: shortcode, call to action)
    # plus 004's leading dateline "ASTANA, Kazakhstan —" = 15
    overview = json.loads((out / "findings" / "01_corpus_overview.json").read_text(encoding="utf-8"))
    assert overview["headline"].startswith("5 articles from 5 sources")
    assert "cleaning removed 15 spans of page furniture" in overview["headline"]
    assert "they cover 2 different events" in overview["headline"]
    # every report is on disk and linked from the index
    for r in summary.results:
        assert (out / r.report).is_file()
        assert r.report in index
    # every evidence link of every report lands on an article page and on an anchor that exists
    import re

    from framelens.report import site

    articles = site.article_ids(out / "articles")
    assert articles == {"europetoday", "writerdog", "cgtn", "astanatimes", "switchtv"}
    n_links = 0
    for r in summary.results:
        page = (out / r.report).read_text(encoding="utf-8")
        assert "http" not in page  # nothing fetched, not even a link to the web (the table tools included)
        assert site.external_resources(page) == []
        for doc, anchor in re.findall(r'href="\.\./articles/([^"#]+)\.html#([sp]\d+)"', page):
            n_links += 1
            assert f'id="{anchor}"' in (out / "articles" / f"{doc}.html").read_text(encoding="utf-8"), (doc, anchor)
        if 'data-fl-table' in page:  # the table tools, once
            assert page.count(site.tables_script()) == 1
    assert n_links > 100
    # the seeds' first sentence of cgtn, linked from the reports, is the first sentence on its page
    cgtn = (out / "articles" / "cgtn.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="s" id="s0"><a class="n" href="#s0"[^>]*>s0</a>', cgtn)
    for page in (out / "articles").glob("*.html"):  # an article page links to its URL, fetches nothing
        assert site.external_resources(page.read_text(encoding="utf-8")) == []
