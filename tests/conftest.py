"""Shared fixtures: the seed corpus and a small fixture corpus."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    return MINI


@pytest.fixture(scope="session")
def seed_corpus():
    import framelens

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(SEEDS)


@pytest.fixture(scope="session")
def mini_corpus():
    import framelens

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(MINI)


@pytest.fixture()
def tiny_corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini fixture corpus."""
    import shutil

    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


def corpus_from_texts(tmp_path: Path, docs: dict[str, str]):
    """A corpus loaded from a folder of ``<name>.txt`` files written from ``docs`` (warnings silenced)."""
    import framelens

    d = tmp_path / "c"
    d.mkdir()
    for name, text in docs.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(d)
