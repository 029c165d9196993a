"""Shared fixtures: the seed corpus and a small fixture corpus."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the harnesses beside the package: benchmarks/ and tools/
    sys.path.insert(0, str(ROOT))
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


def corpus_from_texts(tmp_path: Path, docs: dict[str, str], manifest: str | None = None):
    """A corpus loaded from a folder of ``<name>.txt`` files written from ``docs``, with a
    ``sources.csv`` from ``manifest`` (indented CSV text) when given (warnings silenced)."""
    import textwrap

    import framelens

    d = tmp_path / "c"
    d.mkdir()
    for name, text in docs.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    if manifest:
        (d / "sources.csv").write_text(textwrap.dedent(manifest).strip() + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(d)


STOP = frozenset({"the", "a", "and", "of", "in", "is", "to", "with", "on"})
_TOKEN = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")


def corpus_from_tables(docs: list[tuple[str, str, str]], *, phrases: tuple[str, ...] = ()):
    """A real :class:`framelens.Corpus` built from literal tables, with a transparent tokenizer (words
    are ``\\w+`` runs, lemma = lower case, stopwords = :data:`STOP`, ``phrases`` merged as terms), so
    tests can hand-compute counts. docs: (doc_id, source, text); sentences split after '.', '!', '?'."""
    from framelens.read.corpus import AUDIT_COLUMNS, PARA_COLUMNS, Corpus
    doc_rows, sent_rows, tok_rows, term_rows = [], [], [], []
    for doc_id, source, text in docs:
        sents = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        doc_rows.append({"doc_id": doc_id, "source": source, "label": source.upper()})
        for k, s in enumerate(sents):
            sid = f"{doc_id}:s{k}"
            sent_rows.append({"sent_id": sid, "doc_id": doc_id, "source": source, "sent_index": k, "text": s, "norm": s})
            toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(s)]
            for i, (t, a, b) in enumerate(toks):
                is_word = bool(re.search(r"\w", t))
                tok_rows.append({"sent_id": sid, "doc_id": doc_id, "source": source, "i": i, "start": a, "end": b,
                                 "token": t, "lower": t.lower(), "lemma": t.lower(), "is_word": is_word,
                                 "is_stop": t.lower() in STOP})
            words = [(t.lower(), a, b) for t, a, b in toks if re.search(r"\w", t)]
            i = 0
            while i < len(words):
                hit = None
                for ph in phrases:
                    n = len(ph.split())
                    if " ".join(w for w, _, _ in words[i:i + n]) == ph:
                        hit = (ph, words[i][1], words[i + n - 1][2], n)
                        break
                if hit:
                    term_rows.append({"sent_id": sid, "doc_id": doc_id, "source": source, "term": hit[0], "lemma": hit[0],
                                      "start": hit[1], "end": hit[2], "is_stop": False, "is_phrase": True})
                    i += hit[3]
                else:
                    w, a, b = words[i]
                    term_rows.append({"sent_id": sid, "doc_id": doc_id, "source": source, "term": w, "lemma": w,
                                      "start": a, "end": b, "is_stop": w in STOP, "is_phrase": False})
                    i += 1
    documents = pd.DataFrame(doc_rows)
    sentences = pd.DataFrame(sent_rows)
    n_words = sentences.groupby("doc_id")["text"].apply(lambda t: sum(len(re.findall(r"\w+", x)) for x in t))
    documents["n_sentences"] = documents["doc_id"].map(sentences.groupby("doc_id").size()).astype(int)
    documents["n_words"] = documents["doc_id"].map(n_words).astype(int)
    sentences["n_words"] = [len(re.findall(r"\w+", x)) for x in sentences["text"]]
    return Corpus(documents=documents, paragraphs=pd.DataFrame(columns=PARA_COLUMNS), sentences=sentences,
                  tokens=pd.DataFrame(tok_rows), terms=pd.DataFrame(term_rows), audit=pd.DataFrame(columns=AUDIT_COLUMNS),
                  stopwords=STOP)
