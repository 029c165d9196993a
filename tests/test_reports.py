"""`make reports` on the seeds, through the same runner the CLI uses (this is what CI runs)."""

import json

import pytest

from framelens import runner


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
