"""A smoke run of the benchmark's parts on a tiny synthetic corpus (structure and counts only:
never timings)."""

from __future__ import annotations

import json
import warnings

import pytest

from framelens import bench, load_corpus


@pytest.fixture(scope="module")
def tiny_synthetic(tmp_path_factory):
    return bench.synthetic_corpus(tmp_path_factory.mktemp("bench"), 20)


def test_synthetic_corpus_resamples_seed_sentences(tiny_synthetic, seed_corpus):
    rows = [json.loads(line) for line in tiny_synthetic.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 20
    assert [r["id"] for r in rows[:3]] == ["a00000", "a00001", "a00002"]
    assert {r["source"] for r in rows} == set(seed_corpus.sources)  # round-robin over the 5 seeds
    seed_sents = set(seed_corpus.sentences["text"])
    first = rows[0]["text"].split("\n\n")[0]
    assert any(s in first for s in seed_sents)
    # seeded: the same call writes the same file
    again = bench.synthetic_corpus(tiny_synthetic.parent / "again", 20)
    assert again.read_bytes() == tiny_synthetic.read_bytes()


def test_measure_library_and_raw_structure(tiny_synthetic):
    lib = bench.measure_library(tiny_synthetic, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(tiny_synthetic)
    assert lib["documents"] == 20
    assert lib["sentences"] == len(corp.sentences) > 20
    assert lib["tokens"] == len(corp.tokens)
    steps = [k for k in lib if "." in k]
    assert {"vocabulary.distinctive_terms", "sentiment.sentence_scores", "framing.frame_salience"} <= set(steps)
    assert lib["library_total"] == pytest.approx(lib["load"] + sum(lib[k] for k in steps))
    assert {"cleaning", "splitting", "tokenizing", "terms"} <= set(lib["load_stages"])
    assert lib["peak_mb"] > 0

    raw = bench.measure_raw(tiny_synthetic)
    assert raw["sentences"] == lib["sentences"]
    assert raw["tokens"] > raw["sentences"]
    assert raw["raw_total"] == pytest.approx(raw["vader"] + raw["textblob"] + raw["tokenizer"])

    lines = bench.format_sizes(20, lib, raw, 1)
    assert lines[0] == f"20 articles: {lib['sentences']:,} sentences, {lib['tokens']:,} tokens"
    assert any(line.strip().startswith("per document (one process, s): cleaning") for line in lines)
    assert lines[-1].startswith("  ratio library / raw = ")


def test_format_suite_names_failures():
    lines = bench.format_suite({"suite": 30.0, "floor": 20.0, "notebooks": 10, "jobs": 2, "failed": ["04_framing"]})
    assert "10 notebook runs (2 at a time)" in lines[0] and "ratio 1.50x" in lines[0]
    assert lines[1] == "  failed runs: 04_framing"
