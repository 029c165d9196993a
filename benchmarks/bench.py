"""Benchmark (``make bench``): prints speed and memory figures beside their targets; never a test.

Every figure is measured on text whose sentences are (almost) all distinct: :func:`generate_corpus`
writes synthetic news by recombining clauses of real articles and substituting their content words
(:class:`NewsGenerator`), because resampled seed sentences repeat and flatter every per-sentence
cache. The report prints each figure beside its target (issue 24 "fast"; issues 10 and 11 before it):

1. the suite on the seeds beside its floor — the same number of empty notebooks (a parameters
   cell and ``import pandas, matplotlib``) through the same runner, one run each (target ≤ 1.3×) —
   and each notebook's cells against the empty notebook's cells, largest gaps first;
2. the suite on a generated corpus of 428 articles from 36 outlets (the shape of issue 24's real
   corpus): the run against its floor (target ≤ 2.0×), and against 1.5× its floor plus the lens
   store's own compute time (issue 10), with the same cell gaps;
3. lens-store compute with 2 workers (:func:`measure_store`: the ingest into partitions + every
   lens part, as ``framelens run`` does before the notebooks: the measuring process never loads the corpus) beside raw single-core VADER + TextBlob + the
   Treebank tokenizer on the same sentences (:func:`measure_raw`; target ≤ 2.5×, issue 11: ≤ 1.0×),
   with the CPU time beside the wall time (how many cores the compute kept busy), at 1,000 and
   10,000 articles, each measurement in a fresh process with the peak memory of the process and
   of each of its workers (targets of issue 11: < 1 GB at 10 k, < 2 GB at 100 k);
4. per partition of 22 k sentences (1,000 generated articles): the framing map (target ≤ 6 s) and
   the actor-mention tone model (target ≤ 4 s), :func:`measure_partition`;
5. the import of ``from framelens import vocabulary, sentiment, framing`` beyond ``import pandas``
   in a fresh interpreter (target ≤ 0.10 s), with where its time goes (:func:`import_cost`);
6. shared-passage detection (:mod:`benchmarks.reuse_bench`): time for 10,000 synthetic articles and
   recall / precision of planted passages (issue 14).

Data paths are arguments: ``--seeds`` (the first suite's corpus) and ``--seed-texts`` (what the
generator recombines) default to the checkout's ``seeds/`` and ``tests/fixtures/unseen``.

``--scale`` adds the figures of issue 11 from :mod:`benchmarks.scale_bench` (also ``make
bench-scale``): the streaming map/reduce path at 10 k and 100 k articles on a process pool and on
Dask, peak memory of the client and of each worker, growth 100 k / 10 k, the 2-worker speed-up and
a 1 M-article projection. The store of section 3 is computed by :func:`compute_store`, whose
``engine`` names an entry of :data:`ENGINES` (``processes``: a local process pool; ``local``: a
Dask LocalCluster).

Usage: ``python -m benchmarks.bench [--sizes 1000 10000] [--skip-suite] [--workers N] [--scale]``;
``python -m benchmarks.bench --generate OUT --articles N [--sources S --groups G --no-dates
--layout folder]`` writes a synthetic corpus and prints its figures.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from array import array
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from framelens.errors import FramelensError

from benchmarks import REPO, child_env

#: Default data of the harness (``--seed-texts`` replaces them): the checkout's demo articles and
#: its hand-written fixture articles.
SEEDS = REPO / "seeds"
FIXTURE_TEXTS = REPO / "tests" / "fixtures" / "unseen"

# ---------------------------------------------------------------------------------------------
# 1. Synthetic news whose sentences are (almost) all distinct


#: Seed text of the generator: the five demo articles and the hand-written fixture articles on
#: other topics (courts, floods, strikes, elections, ...), so the vocabulary is not one topic.
SEED_FOLDERS = (SEEDS, FIXTURE_TEXTS)

# Word pieces (letters and inner hyphens, not the "s" of "Xi's") and digit runs of a sentence.
_TOKEN = re.compile(r"(?<![A-Za-z0-9’'])[A-Za-z]+(?:-[A-Za-z]+)*|\d+")
# Cut points: before a connective with its comma; before a relative pronoun or a subordinator
# also without a comma (unless a function word precedes it: "in which" stays whole).
_CUT_COMMA = ("and", "but", "as", "after", "before", "since", "when", "saying", "amid", "despite",
              "until", "unless", "with", "while", "which", "who", "whose", "where", "although",
              "though", "because", "whereas", "adding", "according")
_CUT_BARE = ("which", "who", "whose", "whereas", "although", "though", "because", "while")
_CUT = re.compile(r"(,?)\s+(?=(%s)\s)" % "|".join(sorted(set(_CUT_COMMA) | set(_CUT_BARE))))
_QUOTES = re.compile(r"[\"“”‘()\[\]]")
_END = re.compile(r"[.!?…]+$")
_SUBSTITUTED_TAGS = frozenset({"NN", "NNS", "JJ", "JJR", "JJS", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "RB"})
_NAME_TAGS = frozenset({"NNP", "NNPS"})
#: A clause with fewer renderings than 10**MIN_VARIETY never ends a sentence on its own: a closed
#: head (quotes) is left out, an open head always takes a tail. log10 of the name pool counts as
#: _NAME_VARIETY per name.
MIN_VARIETY = 6.0
_NAME_VARIETY = 2.0
_OUTLET_WORDS = ("Times", "Post", "Herald", "Tribune", "Gazette", "Observer", "Courier", "Journal", "Chronicle",
                 "Monitor", "Express", "Record", "Star", "Sentinel", "Standard", "Telegraph", "Review", "Dispatch",
                 "Ledger", "Daily")


def cut_points(text: str, *, stopwords: frozenset[str] | set[str] = frozenset(), min_words: int = 3) -> list[int]:
    """Where a sentence (without its final punctuation) may be cut into clauses: the offsets
    of the comma or space before a connective (", which", ", and", ", saying", ...), or of the
    space before a relative pronoun or subordinator without a comma (" because", " which") unless a
    function word in ``stopwords`` precedes it ("in which" stays whole). Every piece keeps at
    least ``min_words`` words."""
    cuts: list[int] = []
    for m in _CUT.finditer(text):
        before = text[:m.start()].split()
        if not m.group(1) and (m.group(2) not in _CUT_BARE or not before
                               or before[-1].lower().strip(",;:") in stopwords):
            continue
        if len(before) < min_words or len(text[m.end():].split()) < min_words:
            continue
        if cuts and len(text[cuts[-1]:m.start()].split()) < min_words:
            continue
        cuts.append(m.start())
    return cuts


class _Clause:
    """A piece of a seed sentence, ready to be re-rendered with other words.

    ``pieces``: the text cut at every word and number (words at the slot indices); ``slots``:
    (index, candidates) for substitutable words; ``names``: (index, original) for proper names;
    ``numbers``: (index, digits); ``end``: the sentence's final punctuation (heads only);
    ``closed``: a head that takes no tails (it holds quotes or brackets); ``p``: the chance that a
    slot's word is replaced; ``variety``: log10 of how many renderings the clause has."""

    __slots__ = ("pieces", "slots", "names", "numbers", "n_words", "end", "closed", "p", "variety")

    def __init__(self, pieces, slots, names, numbers, n_words, end="", closed=False):
        self.pieces, self.slots, self.names, self.numbers = pieces, slots, names, numbers
        self.n_words, self.end, self.closed = n_words, end, closed
        self.variety = (sum(math.log10(len(c)) for _i, c in slots) + _NAME_VARIETY * len(names)
                        + sum(n for _i, n in numbers))
        self.p = 0.0


class NewsGenerator:
    """Synthetic news articles whose sentences are (almost) all distinct, for benchmarks.

    Resampling whole seed sentences makes a corpus in which every sentence repeats hundreds of
    times, which flatters any per-sentence cache. This generator writes new sentences instead:

    * **Clauses recombined.** Seed sentences (cleaned and split by framelens itself) are cut
      into a head and tails before connectives, relative pronouns and subordinators
      (", which", ", and", " because", ...). A sentence is a head followed by tails drawn from
      any sentence until its length reaches a target drawn from the seeds' sentence lengths.
      Sentences holding quotes or brackets stay whole (quotation detection keeps working).
    * **Content words substituted.** Each noun, verb, adjective and adverb (PatternTagger tags,
      offline) is replaced, with probability ``p_word`` (more in clauses with fewer than
      ``3 / p_word`` such words; at least one per clause), by a word of the same tag and the
      same frequency band (log2 of its count) in the seed vocabulary, so the Zipf profile of
      the words stays that of news. Function words (the stopword list), the most frequent words and
      the stance markers and reporting verbs of ``stance_markers.toml`` are kept.
    * **Names like real archives.** Proper names are recast per article (consistently inside
      the article, so actors recur as they do in news): kept with probability ``p_keep_name``,
      else drawn from a growing pool of invented names by a Chinese-restaurant / Pitman–Yor
      process (Pitman & Yor 1997), so name frequencies are heavy-tailed and the vocabulary keeps
      growing with the corpus, roughly like Heaps' law (Heaps 1978). Digits change too.
    * **Shapes of news.** Paragraphs per article, sentences per paragraph and words per
      sentence are drawn from the seeds' own distributions. Each outlet leans towards some
      seed stories (Dirichlet weights), so outlets differ in topics and words.

    Seeded: the same ``seed`` (and seed texts) gives the same corpus. The text is not meant to
    read well; it is meant to cost what real news costs to analyse.
    """

    def __init__(self, *, seed: int = 0, seed_folders: Sequence[Path] = SEED_FOLDERS, p_word: float = 0.5,
                 p_keep_name: float = 0.3, p_number: float = 0.5, p_topic: float = 0.75):
        self.rng = random.Random(seed)
        self.p_word, self.p_keep_name, self.p_number, self.p_topic = p_word, p_keep_name, p_number, p_topic
        self._names_seen: list[str] = []  # invented names, by index
        self._draws = array("i")  # every name draw so far (indices into _names_seen)
        self._read_seeds([Path(f) for f in seed_folders])

    # -- set-up: seed sentences → clauses, vocabulary, shapes
    def _read_seeds(self, folders: list[Path]) -> None:
        from textblob.en import parser

        from framelens.read.corpus import load_corpus
        from framelens.resources.codebook import load_markers
        from framelens.text.tokens import lemmatize, load_stopwords

        docs: list[list[list[str]]] = []  # doc → paragraph → sentences
        for folder in folders:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                corp = load_corpus(folder, collocations=False)
            s = corp.sentences
            for _doc, g in s.groupby("doc_id", sort=True):
                docs.append([pg["text"].tolist() for _p, pg in g.groupby("para_id", sort=False)])
        if not docs:
            raise FramelensError("synthetic news: the seed folders hold no sentences")
        self.n_paragraphs = [len(d) for d in docs]
        self.paragraph_sizes = [len(p) for d in docs for p in d]
        self.sentence_lengths = [len(t.split()) for d in docs for p in d for t in p]

        tagged: list[tuple[int, str, list[tuple[int, int, str, str]]]] = []  # doc, text, tokens
        for k, d in enumerate(docs):
            for p in d:
                for text in p:
                    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
                    words = [w for _a, _b, w in toks if not w[0].isdigit()]
                    tags = [t for _w, t in parser.find_tags(words)] if words else []
                    if len(tags) != len(words):
                        tags = ["NN"] * len(words)
                    it = iter(tags)
                    tagged.append((k, text, [(a, b, w, "CD" if w[0].isdigit() else next(it)) for a, b, w in toks]))

        # vocabulary: proper names keep their case, other words are lower-cased
        lower_common = {w.lower() for _k, _t, toks in tagged for a, _b, w, tag in toks
                        if a > 0 and tag not in _NAME_TAGS and w[0].islower()}
        counts: Counter = Counter()
        tag_of: dict[str, Counter] = {}
        for _k, _t, toks in tagged:
            for _a, _b, w, tag in toks:
                if tag == "CD":
                    continue
                key = w if (tag in _NAME_TAGS and w.lower() not in lower_common) else w.lower()
                counts[key] += 1
                tag_of.setdefault(key, Counter())[tag] += 1
        stop = load_stopwords()
        markers = load_markers()
        marker_lemmas = {str(m).split("/")[0].lower() for v in markers.values() for m in v}
        frequent = {w for w, _c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:60]}
        fixed = {w for w in counts if w in stop or len(w) < 3 or w in frequent or lemmatize(w) in marker_lemmas
                 or w.split("-")[0] in marker_lemmas}
        band = {w: min(int(math.log2(c)), 4) for w, c in counts.items()}
        majority = {w: c.most_common(1)[0][0] for w, c in tag_of.items()}
        groups: dict[tuple[str, int], list[str]] = {}
        for w in sorted(counts):
            if w not in fixed and majority[w] in _SUBSTITUTED_TAGS and w.islower():
                groups.setdefault((majority[w], band[w]), []).append(w)
        cands = {k: (v, [w[0].upper() + w[1:] for w in v]) for k, v in groups.items() if len(v) >= 3}
        self.name_stock = sorted(w for w in counts if w[0].isupper() and w.isalpha() and len(w) >= 4
                                 and tag_of[w].most_common(1)[0][0] in _NAME_TAGS)
        self.vocabulary_size = len(counts)

        def clause(text: str, toks, lo: int, hi: int, **kw) -> _Clause:
            pieces, slots, names, numbers, pos = [], [], [], [], lo
            for a, b, w, tag in toks:
                if a < lo or b > hi:
                    continue
                pieces.append(text[pos:a])
                i = len(pieces)
                pieces.append(w)
                pos = b
                if tag == "CD":
                    if not (len(w) == 4 and w[:2] in ("19", "20")):
                        numbers.append((i, len(w)))
                    continue
                key = w if (tag in _NAME_TAGS and w.lower() not in lower_common) else w.lower()
                if key[0].isupper():
                    if key not in fixed and tag in _NAME_TAGS:
                        names.append((i, w))
                elif key not in fixed and tag in _SUBSTITUTED_TAGS and (tag, band[key]) in cands:
                    low, cap = cands[(tag, band[key])]
                    slots.append((i, cap if w[0].isupper() else low))
            pieces.append(text[pos:hi])
            return _Clause(pieces, slots, names, numbers, len(text[lo:hi].split()), **kw)

        n_docs = len(docs)
        self.heads: list[_Clause] = []
        self.tails: list[_Clause] = []
        self.doc_heads: list[list[_Clause]] = [[] for _ in range(n_docs)]
        self.doc_tails: list[list[_Clause]] = [[] for _ in range(n_docs)]
        for k, text, toks in tagged:
            if _QUOTES.search(text):
                c = clause(text, toks, 0, len(text), closed=True)
                if c.variety >= MIN_VARIETY and c.n_words >= 3:
                    self.heads.append(c)
                    self.doc_heads[k].append(c)
                continue
            m = _END.search(text)
            end = m.group() if m else "."
            body_end = m.start() if m else len(text)
            bounds = [0, *cut_points(text[:body_end], stopwords=stop), body_end]
            for j in range(len(bounds) - 1):
                c = clause(text, toks, bounds[j], bounds[j + 1], end=end if j == 0 else "")
                if c.n_words < 3:
                    continue
                (self.heads if j == 0 else self.tails).append(c)
                (self.doc_heads if j == 0 else self.doc_tails)[k].append(c)
        for c in (*self.heads, *self.tails):  # few slots: each is replaced more often
            c.p = max(self.p_word, min(1.0, 3.0 / len(c.slots))) if c.slots else 0.0
        if not self.heads or not self.tails:
            raise FramelensError("synthetic news: the seed texts give too few clauses to recombine")
        self.n_seed_sentences = len(tagged)
        self.n_seed_documents = n_docs

    # -- names
    def _invent_name(self) -> str:
        r = self.rng
        a, b = r.choice(self.name_stock), r.choice(self.name_stock)
        return a[: r.randint(2, len(a) - 1)] + b[r.randint(1, len(b) - 2):].lower()

    def _draw_name(self, theta: float = 20.0, discount: float = 0.5) -> str:
        """A name from the pool: a new one with probability (θ + d·K) / (θ + n) (K names, n
        draws so far), else a past draw (so a name is chosen in proportion to its use)."""
        n, k = len(self._draws), len(self._names_seen)
        if n == 0 or self.rng.random() * (theta + n) < theta + discount * k:
            idx = k
            self._names_seen.append(self._invent_name())
        else:
            idx = self._draws[int(self.rng.random() * n)]
        self._draws.append(idx)
        return self._names_seen[idx]

    # -- text
    def _render(self, c: _Clause, cast: dict[str, str]) -> str:
        r = self.rng.random
        pieces = c.pieces.copy()
        p = c.p
        changed = False
        for i, cands in c.slots:
            if r() < p:
                pieces[i] = cands[int(r() * len(cands))]
                changed = True
        if not changed and c.slots:  # never the seed clause itself
            i, cands = c.slots[int(r() * len(c.slots))]
            pieces[i] = cands[int(r() * len(cands))]
        for i, orig in c.names:
            new = cast.get(orig)
            if new is None:
                new = cast[orig] = orig if r() < self.p_keep_name else self._draw_name()
            pieces[i] = new
        for i, nd in c.numbers:
            if r() < self.p_number:
                pieces[i] = str(self.rng.randrange(10 ** (nd - 1) if nd > 1 else 0, 10 ** nd))
        return "".join(pieces)

    def sentence(self, topic: int, cast: dict[str, str]) -> str:
        """One sentence: a head clause and tails up to a drawn length, words substituted."""
        rng = self.rng
        target = rng.choice(self.sentence_lengths)
        heads = self.doc_heads[topic] if (self.doc_heads[topic] and rng.random() < self.p_topic) else self.heads
        head = rng.choice(heads)
        for _ in range(3):
            if head.n_words <= target + 4:
                break
            head = rng.choice(heads)
        out = [self._render(head, cast)]
        if not head.closed:
            n, variety = head.n_words, head.variety
            tails = self.doc_tails[topic] if (self.doc_tails[topic] and rng.random() < self.p_topic) else self.tails
            for _ in range(6):
                if n >= target - 2 and variety >= MIN_VARIETY:
                    break
                t = rng.choice(tails)
                if n + t.n_words <= target + 4 or variety < MIN_VARIETY:
                    out.append(self._render(t, cast))
                    n, variety = n + t.n_words, variety + t.variety + math.log10(len(tails))
            out.append(head.end)
        s = "".join(out)
        return s[0].upper() + s[1:] if s[:1].islower() else s

    def article(self, topic: int) -> tuple[str, list[list[str]]]:
        """A title and the paragraphs (lists of sentences) of one article on seed story ``topic``."""
        rng = self.rng
        cast: dict[str, str] = {}
        n_par = max(1, round(rng.choice(self.n_paragraphs) * rng.uniform(0.7, 1.3)))
        paras = [[self.sentence(topic, cast) for _ in range(rng.choice(self.paragraph_sizes))] for _ in range(n_par)]
        words = self._render(rng.choice(self.doc_heads[topic] or self.heads), cast).split()
        title = _END.sub("", " ".join(words[:12])).strip(" ,;:")
        return title, paras

    def outlets(self, n_sources: int, n_groups: int) -> list[dict[str, str]]:
        """``n_sources`` outlets: id, outlet name, group (empty without groups)."""
        rng = self.rng
        width = max(2, len(str(n_sources)))
        seen: set[str] = set()
        out = []
        for k in range(n_sources):
            name = f"The {self._invent_name()} {_OUTLET_WORDS[k % len(_OUTLET_WORDS)]}"
            while name in seen:
                name += " Online"
            seen.add(name)
            out.append({"source": f"s{k + 1:0{width}d}", "outlet": name, "group": ""})
        if n_groups:
            order = list(range(n_sources))
            rng.shuffle(order)
            for j, k in enumerate(order):
                out[k]["group"] = f"group{j % n_groups + 1}"
        return out


def generate_corpus(dest: str | os.PathLike, n_articles: int, *, n_sources: int = 5, n_groups: int = 0,
                    dates: bool = True, start: str = "2025-01-01", months: int = 6, layout: str = "jsonl",
                    seed: int = 0, seed_folders: Sequence[Path] = SEED_FOLDERS,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write a synthetic news corpus of ``n_articles`` articles from ``n_sources`` outlets.

    ``layout="jsonl"``: ``dest`` is a ``.jsonl`` file (one article a line: ``id``, ``source``,
    ``outlet``, ``group`` when ``n_groups`` > 0, ``published``, ``title``, ``text``);
    ``layout="folder"``: ``dest`` is a folder with ``sources.csv`` (same columns, ``file``
    instead of ``text``) and ``articles/<id>.txt``. ``dest`` must not exist yet (or be an empty
    folder). Articles are written as they are made (memory does not grow with ``n_articles``,
    beyond one 8-byte hash per sentence and the name pool). Every outlet gets at least one
    article when ``n_articles`` ≥ ``n_sources``; the others follow a Zipf-like share (a few large
    outlets, a long tail). ``published``: a day drawn uniformly over ``months`` months from
    ``start`` (empty with ``dates=False``). ``n_groups`` > 0 adds a ``group`` column assigning
    the outlets to that many groups (e.g. to compare groups with ``source`` = group).

    Returns the figures of what was written: articles, sentences, distinct sentences and their
    share, words, words per sentence, sentences per article, invented names, seconds. The
    generator's sentences are those framelens' splitter finds again, up to the splitter's rare
    disagreements (see :func:`framelens.load_corpus` for the corpus's own count).

    See :class:`NewsGenerator` for how the text is made.
    """
    import datetime as dt

    import numpy as np

    if n_articles < 1 or n_sources < 1 or n_groups < 0 or n_groups > n_sources:
        raise FramelensError(f"synthetic news: need articles ≥ 1, sources ≥ 1 and 0 ≤ groups ≤ sources "
                             f"(got {n_articles}, {n_sources}, {n_groups})")
    if layout not in ("jsonl", "folder"):
        raise FramelensError(f"synthetic news: layout {layout!r} is not 'jsonl' or 'folder'")
    dest = Path(dest)
    if dest.exists() and (dest.is_file() or any(dest.iterdir())):
        raise FramelensError(f"{dest}: already exists; the generator writes only new files")
    say = progress or (lambda line: None)
    t0 = time.perf_counter()
    gen = NewsGenerator(seed=seed, seed_folders=seed_folders)
    rng = gen.rng
    outlets = gen.outlets(n_sources, n_groups)
    leaning = []  # each outlet's preference over the seed stories (Dirichlet(0.5) weights)
    for _ in outlets:
        w = [rng.gammavariate(0.5, 1.0) for _ in range(gen.n_seed_documents)]
        leaning.append(list(itertools.accumulate(w)))
    share = list(itertools.accumulate(1.0 / (k + 1) ** 0.8 for k in range(n_sources)))
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        raise FramelensError(f"synthetic news: start date {start!r} is not YYYY-MM-DD") from None
    span = max(1, round(months * 30.44))
    width = max(5, len(str(n_articles - 1)))
    columns = ["id", "source", "outlet", *(["group"] if n_groups else []), "published", "title"]
    hashes = array("q")
    n_sent = n_words = n_par = 0
    if layout == "folder":
        (dest / "articles").mkdir(parents=True, exist_ok=True)
        out = (dest / "sources.csv").open("w", encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(["id", "file", *columns[1:]])
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        out = dest.open("w", encoding="utf-8")
    step = max(1000, n_articles // 10)
    try:
        for i in range(n_articles):
            k = i if i < n_sources else rng.choices(range(n_sources), cum_weights=share)[0]
            topic = rng.choices(range(gen.n_seed_documents), cum_weights=leaning[k])[0]
            title, paras = gen.article(topic)
            for p in paras:
                for s in p:
                    hashes.append(hash(s))
                    n_words += s.count(" ") + 1
            n_sent += sum(len(p) for p in paras)
            n_par += len(paras)
            doc_id = f"a{i:0{width}d}"
            o = outlets[k]
            row = {"id": doc_id, "source": o["source"], "outlet": o["outlet"],
                   **({"group": o["group"]} if n_groups else {}),
                   "published": (first + dt.timedelta(days=rng.randrange(span))).isoformat() if dates else "",
                   "title": title}
            text = "\n\n".join(" ".join(p) for p in paras)
            if layout == "folder":
                rel = f"articles/{doc_id}.txt"
                (dest / rel).write_text(text + "\n", encoding="utf-8")
                writer.writerow([doc_id, rel, *(row[c] for c in columns[1:])])
            else:
                out.write(json.dumps({**row, "text": text}, ensure_ascii=False) + "\n")
            if (i + 1) % step == 0 and i + 1 < n_articles:
                say(f"  generated {i + 1:,} / {n_articles:,} articles ({time.perf_counter() - t0:.0f} s)")
    finally:
        out.close()
    distinct = int(len(np.unique(np.frombuffer(hashes, dtype=np.int64)))) if len(hashes) else 0
    return {"path": str(dest), "layout": layout, "articles": n_articles, "sources": n_sources, "groups": n_groups,
            "dates": dates, "seed": seed, "sentences": n_sent, "distinct_sentences": distinct,
            "distinct_share": distinct / n_sent if n_sent else float("nan"), "words": n_words,
            "words_per_sentence": n_words / n_sent if n_sent else float("nan"),
            "sentences_per_article": n_sent / n_articles, "paragraphs_per_article": n_par / n_articles,
            "seed_sentences": gen.n_seed_sentences, "seed_vocabulary": gen.vocabulary_size,
            "invented_names": len(gen._names_seen), "seconds": time.perf_counter() - t0}


def synthetic_corpus(folder: Path, n_articles: int, *, seed: int = 0, n_sources: int = 5, n_groups: int = 0,
                     dates: bool = True) -> Path:
    """Write ``n_articles`` synthetic articles (:func:`generate_corpus`) to
    ``folder/corpus.jsonl`` and return that path."""
    path = Path(folder) / "corpus.jsonl"
    generate_corpus(path, n_articles, n_sources=n_sources, n_groups=n_groups, dates=dates, seed=seed)
    return path


# ---------------------------------------------------------------------------------------------
# 2. Measuring a process and its workers


def _peak_mb() -> float:
    """Peak resident memory of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _tree_cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended (the
    notebooks' kernels, the store's worker processes) so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _time(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def load_average() -> str:
    """The machine's load averages (1, 5, 15 min) and core count, as ``uptime`` shows them."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def available_mb() -> float:
    """Memory available to new processes (MB, ``MemAvailable``), NaN when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class TreeSampler(threading.Thread):
    """Samples a process and all its descendants every ``interval`` seconds (Linux ``/proc``,
    through psutil): each process's peak resident memory (``VmHWM``, the kernel's own high-water
    mark, so a short peak between samples is not missed), its CPU seconds, and the largest sum of
    resident memory over the tree (pages shared after a fork count once per process, so this
    sum overstates). A process's CPU seconds are those of its last sample (at most ``interval``
    short)."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.procs: dict[int, dict[str, Any]] = {}
        self.tree_peak_mb = 0.0
        self._halt = threading.Event()

    @staticmethod
    def _hwm_mb(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _role(self, p) -> str:
        if p.pid == self.pid:
            return "main"
        try:
            cmd = " ".join(p.cmdline())
            parent = p.ppid()
        except Exception:
            return "worker"
        if "resource_tracker" in cmd or "semaphore_tracker" in cmd:
            return "resource_tracker"
        if "forkserver" in cmd and parent == self.pid:  # its children share its command line
            return "forkserver"
        return "worker"

    def sample(self) -> None:
        try:
            import psutil
        except ImportError:  # figures from inside the process only
            return
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0.0
        for p in procs:
            try:
                rss = p.memory_info().rss / 2**20
                cpu = p.cpu_times()
            except psutil.Error:
                continue
            total += rss
            rec = self.procs.get(p.pid)
            if rec is None:
                rec = self.procs[p.pid] = {"pid": p.pid, "role": self._role(p), "peak_mb": 0.0, "cpu_s": 0.0}
            rec["peak_mb"] = max(rec["peak_mb"], rss, self._hwm_mb(p.pid))
            rec["cpu_s"] = max(rec["cpu_s"], cpu.user + cpu.system)
        self.tree_peak_mb = max(self.tree_peak_mb, total)

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> dict[str, Any]:
        self._halt.set()
        self.join(timeout=5)
        procs = sorted(self.procs.values(), key=lambda r: (r["role"] != "main", -r["peak_mb"]))
        workers = [r for r in procs if r["role"] == "worker"]
        return {"processes": procs, "tree_peak_mb": round(self.tree_peak_mb, 1),
                "largest_worker_mb": max((r["peak_mb"] for r in workers), default=0.0),
                "workers": len(workers), "cpu_s": round(sum(r["cpu_s"] for r in procs), 2)}


RESULT_MARK = "@@framelens-bench-result "


def run_child(func: str, /, *, echo: Callable[[str], None] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run ``benchmarks.bench.<func>(**kwargs)`` in a fresh Python process — so its peak memory
    is its own — while :class:`TreeSampler` watches it and its workers. Returns the function's
    result (a JSON-able dict) with the samples under ``"tree"`` and the elapsed time under
    ``"child_wall"``. Lines the function prints go to ``echo`` as they come. A failure raises
    :class:`RuntimeError` with the end of the child's error output."""
    code = ("import json, sys\nfrom benchmarks import bench\n"
            f"res = bench.{func}(**json.loads(sys.argv[1]))\n"
            f"print({RESULT_MARK!r} + json.dumps(res), flush=True)\n")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(kwargs)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1, env=child_env())
    sampler = TreeSampler(proc.pid)
    sampler.start()
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    result = None
    for line in proc.stdout:
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        elif echo and line.strip():
            echo(line.rstrip("\n"))
    rc = proc.wait()
    reader.join(timeout=5)
    tree = sampler.stop()
    if rc != 0 or result is None:
        tail = "".join(err[-15:]).strip() or f"exit status {rc}"
        raise RuntimeError(f"bench.{func} failed in its subprocess:\n{tail}")
    result["tree"] = tree
    result["child_wall"] = time.perf_counter() - t0
    return result


# ---------------------------------------------------------------------------------------------
# 3. Computing the lens store (the hook for execution engines) and the raw floor


def _compute_local(corpus: str, *, store: str, workers: int, loaded=None,
                   progress: Callable[[str], None] | None = None) -> list[str]:
    """Today's engine: :func:`framelens.store.compute` (independent lens parts in a process pool)."""
    from framelens.store.compute import compute

    return compute(corpus, store=store, workers=workers, loaded=loaded, progress=progress)


def _compute_dask(corpus: str, *, store: str, workers: int, loaded=None,
                  progress: Callable[[str], None] | None = None) -> list[str]:
    """:func:`framelens.store.compute` with its map steps on a Dask LocalCluster of ``workers`` workers
    (started and closed here; see :mod:`framelens.core.engine` and ``make bench-scale``)."""
    from framelens.store.compute import compute

    return compute(corpus, store=store, workers=workers, loaded=loaded, progress=progress, engine="local")


#: Execution engines for :func:`compute_store`: name → function(corpus, *, store, workers,
#: loaded, progress) returning the failures (one line each). Add an engine here and
#: ``--engine NAME`` measures it.
ENGINES: dict[str, Callable[..., list[str]]] = {"processes": _compute_local, "local": _compute_dask}


def compute_store(corpus: str | os.PathLike, *, store: str | os.PathLike, workers: int = 2, engine: str = "processes",
                  loaded=None, progress: Callable[[str], None] | None = None) -> list[str]:
    """Compute the default lens parts (vocabulary, sentiment, framing, synthesis) of ``corpus``
    into the lens store ``store`` with the execution engine ``engine`` (see :data:`ENGINES`)
    and ``workers`` workers. ``loaded``: the corpus already loaded (stored as it is)."""
    if engine not in ENGINES:
        raise FramelensError(f"bench: no engine {engine!r} (engines: {', '.join(ENGINES)})")
    return ENGINES[engine](str(corpus), store=str(store), workers=workers, loaded=loaded, progress=progress)


def measure_store(path: str, *, workers: int = 2, engine: str = "processes", store: str | None = None,
                  verbose: bool = False) -> dict[str, Any]:
    """Compute the lens store of the corpus at ``path`` as ``framelens run`` does before any
    notebook: the ingest into partitions (map tasks on ``workers`` processes; this process never
    loads the corpus), then every default lens part (:func:`compute_store`). Runs in the calling
    process: call it through :func:`run_child` for a clean peak memory.

    Returns seconds (``load``: the ingest, ``parts``, ``total``), the corpus's size as stored
    (documents, sources, sentences, distinct sentences, tokens; read after the peak memory and
    CPU time are taken), ``failures``, ``peak_mb`` and ``cpu_s`` of this process, the store's size
    on disk (``store_mb``) and its folder (``store``; a temporary one, removed, unless given)."""
    from framelens.core.progress import Progress

    tmp = None if store else tempfile.mkdtemp(prefix="framelens-bench-store-")
    done: dict[str, float] = {}
    t0 = time.perf_counter()

    def say(line: str) -> None:  # the store's progress: when each part was done
        m = re.search(r"lens store: (\w+) \(", line)
        if m:
            done[m.group(1)] = round(time.perf_counter() - t0, 2)
        if verbose:
            print(f"{time.perf_counter() - t0:7.0f} s  {line}", flush=True)

    root = Path(store) if store else Path(tmp) / "store"
    try:
        res: dict[str, Any] = {"path": str(path), "workers": workers, "engine": engine}
        if verbose:
            print(f"{0:7.0f} s  ingesting {path} ({workers} workers)", flush=True)
        prog = Progress(say, bars=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res["failures"] = compute_store(path, store=root, workers=workers, engine=engine, progress=prog)
        res["total"] = time.perf_counter() - t0
        res["peak_mb"] = _peak_mb()
        res["cpu_s"] = _cpu_s()
        res["load"] = sum(t["seconds"] for t in prog.timings if t["phase"] == "ingest")
        res["parts"] = res["total"] - res["load"]
        res["parts_done"] = {k: round(v - res["load"], 2) for k, v in done.items()}
        res.update(_stored_size(root))
        res["store_mb"] = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) / 2**20
        res["store"] = str(root) if store else "(temporary)"
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return res


def _stored_size(store: Path) -> dict[str, int]:
    """Documents, sources, sentences, distinct sentences and tokens of the corpus in ``store``
    (its documents table and partitions)."""
    import pyarrow.parquet as pq

    docs = pq.read_table(sorted(Path(store).glob("corpus-*/documents.parquet"))[0], columns=["source"])
    sents = _stored_sentences(store)
    tokens = sum(pq.ParquetFile(f).metadata.num_rows
                 for f in sorted(Path(store).glob("corpus-*/partitions/*/tokens.parquet")))
    return {"documents": docs.num_rows, "sources": len(set(docs.column("source").to_pylist())),
            "sentences": len(sents), "distinct_sentences": len(set(sents)), "tokens": int(tokens)}


def _stored_sentences(store: Path) -> list[str]:
    import pyarrow.parquet as pq

    corpora = sorted(Path(store).glob("corpus-*/partitions"))
    files = sorted(corpora[0].glob("*/sentences.parquet")) if corpora else []
    if not files:
        raise FramelensError(f"{store}: no stored sentence table")
    return [t for f in files for t in pq.read_table(f, columns=["text"]).column("text").to_pylist()]


def measure_raw(path: str, *, store: str | None = None) -> dict[str, Any]:
    """Raw single-core time of VADER, TextBlob's PatternAnalyzer and NLTK's Treebank tokenizer on
    the corpus's sentences — those of the lens store at ``store`` when given (the very sentences
    the store holds), else of :func:`framelens.load_corpus` (loading is not timed)."""
    from nltk.tokenize import TreebankWordTokenizer
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    if store:
        sents = _stored_sentences(Path(store))
    else:
        from framelens.read.corpus import load_corpus

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sents = load_corpus(path).sentences["text"].tolist()
    vader, pattern, tb = SentimentIntensityAnalyzer(), PatternAnalyzer(), TreebankWordTokenizer()
    res: dict[str, Any] = {"sentences": len(sents)}
    cpu = time.process_time()
    _, res["vader"] = _time(lambda: [vader.polarity_scores(s) for s in sents])
    _, res["textblob"] = _time(lambda: [pattern.analyze(s) for s in sents])
    n_tok, res["tokenizer"] = _time(lambda: sum(len(tb.tokenize(s)) for s in sents))
    res["raw_cpu"] = time.process_time() - cpu
    res["tokens"] = n_tok
    res["raw_total"] = res["vader"] + res["textblob"] + res["tokenizer"]
    return res


# ---------------------------------------------------------------------------------------------
# 4. The suite against its floor (issue 10, targets 1 and 2; issue 24)

#: Targets printed beside each figure: issue 24 ("fast"), and the earlier ones of issues 10 and 11.
TARGET_SUITE = 1.3
TARGET_GENERATED_SUITE = 1.5
TARGET_GENERATED_RUN = 2.0  # issue 24: the whole run on ~400 articles from 36 outlets, against its floor
TARGET_STORE_RAW = 2.5  # issue 24 (issue 10 asked 1.2x, issue 11 1.0x)
TARGET_STORE_RAW_11 = 1.0
TARGET_PEAK_10K_MB = 1024
TARGET_PEAK_100K_MB = 2048
TARGET_FRAMING_MAP_S = 6.0  # issue 24: the framing map on a partition of 22 k sentences
TARGET_MENTION_TONE_S = 4.0  # issue 24: the actor-mention tone model on a partition of 22 k sentences
TARGET_IMPORT_S = 0.10  # issue 24: `from framelens import vocabulary, sentiment, framing` beyond `import pandas`
TARGET_PROFILE_S = 2.0  # issue 24: each profile page at 10 k articles (a per-source run of the profile notebook)
PARTITION_SENTENCES = 22_000  # the partition size of issue 24's per-partition figures

#: Every generated corpus of the benchmark: outlets and groups of outlets.
BENCH_SOURCES = 40
BENCH_GROUPS = 3
#: The generated corpus run through the suite: the shape of issue 24's real corpus (428 articles,
#: 36 outlets).
SUITE_ARTICLES = 428
SUITE_SOURCES = 36


def _verdict(value: float, target: float) -> str:
    if value != value:
        return "not measured"
    return "met" if value <= target else "NOT met"


def empty_notebook(path: Path) -> Path:
    """A notebook with only a ``parameters`` cell (the suite's common parameters) and the
    ``import pandas, matplotlib`` every page pays: the floor of what running a notebook through
    the runner costs."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from framelens.run.runner import KERNEL

    nb = new_notebook()
    nb.metadata.kernelspec = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    cell = new_code_cell('corpus: str = "../seeds"  # corpus folder or file\n'
                         'output_dir: str = "../outputs"  # where tables and figures go\n'
                         "seed: int = 0  # random seed\n"
                         "sources: list = []  # source ids; empty means all\n")
    cell.metadata.tags = ["parameters"]
    nb.cells = [cell, new_code_cell("import pandas, matplotlib")]
    nbformat.write(nb, str(path))
    return path


def suite_vs_floor(corpus: str | os.PathLike | None = None, *, jobs: int = 2, registry=None,
                   notebooks_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """Wall time of the whole suite on ``corpus`` (default: the package's demo corpus) — or of the
    notebooks ``registry`` in ``notebooks_dir`` — beside its floor: the same number of notebook
    executions (per-source runs count one each; skipped ones not at all) of an empty notebook
    (:func:`empty_notebook`) through the same runner with the same job count (corpus check and
    load, parameter validation, kernels, HTML export, index), each starting its kernel when its turn
    comes, as papermill does (the suite's kernels are started ahead: ``kernels_ahead``). One run each. Returns ``suite``,
    ``floor`` and ``store`` (the lens store's own compute time inside the suite run) in seconds,
    ``suite_cpu`` and ``floor_cpu`` (CPU seconds of this process and of the kernels and workers it
    started: on a shared machine a steadier figure than the wall time),
    ``notebooks`` (executions), ``failed`` runs, the corpus's size, the slowest cells and each
    notebook's cells against the empty notebook's (:func:`cell_gaps`)."""
    from framelens.run import runner

    with tempfile.TemporaryDirectory(prefix="framelens-bench-") as tmp:
        root = Path(tmp)
        t, c = time.perf_counter(), _tree_cpu_s()
        summary = runner.run_suite(corpus, root / "suite", jobs=jobs, registry=registry, notebooks_dir=notebooks_dir,
                                   progress=None)
        suite_s, suite_cpu = time.perf_counter() - t, _tree_cpu_s() - c
        cells = slowest_cells(root / "suite" / "notebooks")
        executed = [r for r in summary.results if r.status != "skipped"]
        nb_dir = root / "empty"
        nb_dir.mkdir()
        empty_notebook(nb_dir / "empty.ipynb")
        floor_registry = [runner.Notebook(f"empty_{k:02d}", "empty.ipynb") for k in range(len(executed))]
        t, c = time.perf_counter(), _tree_cpu_s()
        floor = runner.run_suite(corpus, root / "floor", jobs=jobs, registry=floor_registry, notebooks_dir=nb_dir,
                                 progress=None, kernels_ahead=False)  # the floor: papermill's own kernel starts
        floor_s, floor_cpu = time.perf_counter() - t, _tree_cpu_s() - c
        gaps = cell_gaps(cell_seconds(root / "suite" / "notebooks"), cell_seconds(root / "floor" / "notebooks"))
    prov = summary.provenance
    return {"suite": suite_s, "floor": floor_s, "suite_cpu": suite_cpu, "floor_cpu": floor_cpu,
            "store": float(prov.get("store", {}).get("seconds", float("nan"))),
            "notebooks": len(executed), "jobs": jobs, "slowest_cells": cells, "cell_gaps": gaps,
            "run_seconds": sorted(((r.name, round(r.seconds, 2)) for r in executed), key=lambda x: -x[1]),
            "floor_run_seconds": [round(r.seconds, 2) for r in floor.results if r.status != "skipped"],
            "documents": prov["corpus"]["n_documents"], "sources": prov["corpus"]["n_sources"],
            "failed": [r.name for r in summary.results if r.status != "ok"],
            "floor_failed": [r.name for r in floor.results if r.status != "ok"]}


def slowest_cells(folder: Path, k: int = 6) -> list[tuple[str, int, float, str]]:
    """The ``k`` slowest code cells of the executed notebooks in ``folder`` (papermill records
    each cell's duration): (notebook, cell number, seconds, first line of the cell)."""
    cells = []
    for nb in sorted(Path(folder).glob("*.ipynb")):
        try:
            data = json.loads(nb.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for i, c in enumerate(data.get("cells", [])):
            d = (c.get("metadata", {}).get("papermill") or {}).get("duration")
            if c.get("cell_type") == "code" and isinstance(d, (int, float)):
                src = "".join(c.get("source", "")).strip().splitlines()
                cells.append((nb.stem, i, round(float(d), 2), (src[0] if src else "")[:70]))
    return sorted(cells, key=lambda x: -x[2])[:k]


def cell_seconds(folder: Path) -> dict[str, list[tuple[int, float, str]]]:
    """Each executed notebook in ``folder`` (its file name's stem) → its code cells as papermill
    timed them: (cell number, seconds, first line of the cell)."""
    out: dict[str, list[tuple[int, float, str]]] = {}
    for nb in sorted(Path(folder).glob("*.ipynb")):
        try:
            data = json.loads(nb.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows = out.setdefault(nb.stem, [])
        for i, c in enumerate(data.get("cells", [])):
            d = (c.get("metadata", {}).get("papermill") or {}).get("duration")
            if c.get("cell_type") == "code" and isinstance(d, (int, float)):
                src = "".join(c.get("source", "")).strip().splitlines()
                rows.append((i, float(d), (src[0] if src else "")[:70]))
    return out


def cell_gaps(notebooks: dict[str, list[tuple[int, float, str]]], empty: dict[str, list[tuple[int, float, str]]],
              *, k: int = 8) -> dict[str, Any]:
    """Each notebook's cells against the empty notebook's (issue 24: "measure each notebook's cells
    against the empty notebook"): ``empty`` — the mean over the empty runs of their cells' total
    seconds; ``gaps`` — the ``k`` notebooks whose cells take longest beyond it, largest first, as
    (notebook, its cells' seconds, gap, its slowest cell as (number, seconds, first line))."""
    totals = [sum(d for _i, d, _s in cells) for cells in empty.values()]
    base = sum(totals) / len(totals) if totals else float("nan")
    rows = []
    for name, cells in notebooks.items():
        total = sum(d for _i, d, _s in cells)
        slowest = max(cells, key=lambda c: c[1]) if cells else (0, 0.0, "")
        rows.append((name, round(total, 2), round(total - base, 2), (slowest[0], round(slowest[1], 2), slowest[2])))
    rows.sort(key=lambda r: -r[2])
    return {"empty": round(base, 2), "gaps": rows[:k], "notebooks": len(rows)}


def _gap_lines(g: dict[str, Any] | None) -> list[str]:
    if not g or not g.get("gaps"):
        return []
    out = [f"  cells against the empty notebook's ({g['empty']:.2f} s of cells; largest gaps of {g['notebooks']} "
           f"notebooks):"]
    for name, total, gap, (i, d, src) in g["gaps"]:
        out.append(f"    {name}: cells {total:.1f} s, +{gap:.1f} s; slowest [{i}] {d:.1f} s `{src}`")
    return out


def _cpu_line(s: dict[str, Any]) -> list[str]:
    """CPU time beside the wall time: steadier than the wall on a machine other work shares."""
    if not s.get("suite_cpu") or not s.get("floor_cpu"):
        return []
    return [f"  CPU time (this process, kernels and workers): suite {s['suite_cpu']:.1f} s, floor {s['floor_cpu']:.1f} s, "
            f"ratio {s['suite_cpu'] / s['floor_cpu']:.2f}x (wall {s['suite'] / s['floor']:.2f}x; {load_average()})"]


def _run_lines(s: dict[str, Any]) -> list[str]:
    """Where a suite's time went: CPU beside wall, runs and cells, slowest first."""
    out = _cpu_line(s)
    runs, floor = s.get("run_seconds") or [], s.get("floor_run_seconds") or []
    if runs and floor:
        mean = sum(t for _n, t in runs) / len(runs)
        out.append(f"  a run takes {mean:.1f} s on average (an empty one {sum(floor) / len(floor):.1f} s); slowest: "
                   + ", ".join(f"{n} {t:.1f} s" for n, t in runs[:4]))
    if s.get("slowest_cells"):
        out.append("  slowest cells: " + "; ".join(f"{nb}[{i}] {t:.1f} s `{src}`" for nb, i, t, src in s["slowest_cells"]))
    return out + _gap_lines(s.get("cell_gaps"))


def format_suite(s: dict[str, Any]) -> list[str]:
    """Target 1: the suite on the seeds against its floor (≤ 1.3×)."""
    ratio = s["suite"] / s["floor"]
    lines = [f"Suite on the seeds: {s['suite']:.1f} s for {s['notebooks']} notebook runs ({s.get('jobs', 2)} at a "
             f"time; lens store {s.get('store', float('nan')):.1f} s of it); floor (same number of empty notebooks, "
             f"same runner): {s['floor']:.1f} s; ratio {ratio:.2f}x (target ≤ {TARGET_SUITE}x: "
             f"{_verdict(ratio, TARGET_SUITE)})"]
    lines += _run_lines(s) + _failures(s)
    return lines


def format_generated_suite(s: dict[str, Any], gen: dict[str, Any] | None = None) -> list[str]:
    """A generated corpus's run time against its floor (issue 24: ≤ 2.0×), and against 1.5× its
    floor plus the store's compute time (issue 10)."""
    rest = s["suite"] - s["store"]
    ratio = rest / s["floor"]
    whole = s["suite"] / s["floor"]
    bound = TARGET_GENERATED_SUITE * s["floor"] + s["store"]
    what = (f"{s['documents']} articles, {s['sources']} outlets"
            + (f", {gen['distinct_share']:.1%} of {gen['sentences']:,} sentences distinct" if gen else ""))
    lines = [f"Suite on a generated corpus ({what}): run {s['suite']:.1f} s for {s['notebooks']} notebook runs "
             f"= lens store {s['store']:.1f} s + the rest {rest:.1f} s; floor {s['floor']:.1f} s; "
             f"run / floor = {whole:.2f}x (target ≤ {TARGET_GENERATED_RUN}x: {_verdict(whole, TARGET_GENERATED_RUN)}); "
             f"(run − store) / floor = {ratio:.2f}x (issue 10: run ≤ {TARGET_GENERATED_SUITE}x floor + store "
             f"= {bound:.1f} s: {_verdict(ratio, TARGET_GENERATED_SUITE)})"]
    lines += _profile_lines(s) + _run_lines(s) + _failures(s)
    return lines


def _profile_lines(s: dict[str, Any]) -> list[str]:
    """The profile pages' run times (per-source runs of the profile notebook) beside issue 24's
    target for a profile page at 10 k articles."""
    runs = [t for n, t in s.get("run_seconds") or [] if "profile" in n]
    if not runs:
        return []
    mean = sum(runs) / len(runs)
    return [f"  profile pages: {len(runs)} runs, {mean:.1f} s on average, slowest {max(runs):.1f} s (issue 24: each "
            f"≤ {TARGET_PROFILE_S:g} s at 10 k articles; here at {s.get('documents', '?')}: "
            f"{_verdict(max(runs), TARGET_PROFILE_S)})"]


def _failures(s: dict[str, Any]) -> list[str]:
    out = []
    if s.get("failed"):
        out.append(f"  failed runs: {', '.join(s['failed'])}")
    if s.get("floor_failed"):
        out.append(f"  failed floor runs: {', '.join(s['floor_failed'])}")
    return out


# ---------------------------------------------------------------------------------------------
# 5. Store compute against the raw scorers, and memory, at 1 k and 10 k articles (target 3)


def store_vs_raw(n_articles: int, *, workers: int = 2, engine: str = "processes", seed: int = 0,
                 echo: Callable[[str], None] | None = None, seed_folders: Sequence[Path] = SEED_FOLDERS) -> dict[str, Any]:
    """Generate ``n_articles`` articles (:data:`BENCH_SOURCES` outlets), then, each in a fresh
    process: the lens store's compute (:func:`measure_store`) and the raw single-core floor on
    the stored sentences (:func:`measure_raw`). Returns ``gen``, ``store`` and ``raw``."""
    with tempfile.TemporaryDirectory(prefix="framelens-bench-") as tmp:
        path = Path(tmp) / "corpus.jsonl"
        gen = generate_corpus(path, n_articles, n_sources=BENCH_SOURCES, n_groups=BENCH_GROUPS, seed=seed,
                              seed_folders=seed_folders)
        store = run_child("measure_store", path=str(path), workers=workers, engine=engine,
                          store=str(Path(tmp) / "store"), echo=echo)
        raw = run_child("measure_raw", path=str(path), store=str(Path(tmp) / "store"))
    return {"gen": gen, "store": store, "raw": raw}


def format_store_vs_raw(n: int, r: dict[str, Any]) -> list[str]:
    """The report lines of one size: store compute beside the raw floor, and memory."""
    gen, lib, raw = r["gen"], r["store"], r["raw"]
    tree = lib.get("tree", {})
    ratio = lib["total"] / raw["raw_total"]
    lines = [f"{n:,} articles ({gen['sources']} outlets): {lib['sentences']:,} sentences "
             f"({lib['distinct_sentences'] / lib['sentences']:.1%} distinct), {lib['tokens']:,} tokens; "
             f"generated in {gen['seconds']:.1f} s",
             f"  store compute, {lib['workers']} workers ({lib['engine']}): {lib['total']:.1f} s = ingest "
             f"{lib['load']:.1f} s + lens parts {lib['parts']:.1f} s; {lib['documents'] / lib['total']:,.0f} "
             f"articles/s, {lib['sentences'] / lib['total']:,.0f} sentences/s; store on disk {lib['store_mb']:.0f} MB"]
    if lib.get("parts_done"):
        lines.append("      lens parts done at (s after the ingest; parallel parts finish in submission order): "
                     + ", ".join(f"{k} {v:.1f}" for k, v in lib["parts_done"].items()))
    if lib.get("failures"):
        lines.append(f"    FAILED parts: {'; '.join(lib['failures'])}")
    lines.append(f"  raw single-core on the same sentences: VADER {raw['vader']:.1f} s "
                 f"({raw['sentences'] / raw['vader']:,.0f} sentences/s), TextBlob {raw['textblob']:.1f} s "
                 f"({raw['sentences'] / raw['textblob']:,.0f}/s), Treebank tokenizer {raw['tokenizer']:.1f} s "
                 f"({raw['tokens'] / raw['tokenizer']:,.0f} tokens/s); together {raw['raw_total']:.1f} s")
    lines.append(f"  store compute / raw = {ratio:.2f}x (target ≤ {TARGET_STORE_RAW}x: "
                 f"{_verdict(ratio, TARGET_STORE_RAW)}; issue 11: ≤ {TARGET_STORE_RAW_11}x: "
                 f"{_verdict(ratio, TARGET_STORE_RAW_11)})")
    cpu = tree_cpu(lib)
    lines.append(f"  CPU use beside wall time: store {cpu:.1f} s CPU over {lib['total']:.1f} s wall = "
                 f"{cpu / lib['total']:.2f} of {os.cpu_count()} cores busy on average "
                 f"({len(tree.get('processes', [])) or 1} processes)"
                 + (f"; raw {raw['raw_cpu']:.1f} s CPU over {raw['raw_total']:.1f} s wall (one core)"
                    if raw.get("raw_cpu") else ""))
    if raw.get("raw_cpu"):
        lines.append(f"  CPU time (independent of the machine's load): store / raw = "
                     f"{cpu / raw['raw_cpu']:.2f}x (on two idle cores the wall ratio is at least half this)")
    lines.append("  " + _memory_line(lib, n))
    return lines


def tree_cpu(lib: dict[str, Any]) -> float:
    """CPU seconds of a measured process and its workers: the process's own exact figure
    plus the sampled figures of the others."""
    procs = (lib.get("tree") or {}).get("processes") or []
    return lib["cpu_s"] + sum(p["cpu_s"] for p in procs if p["role"] != "main")


def _memory_line(lib: dict[str, Any], n: int) -> str:
    tree = lib.get("tree", {})
    peak_any = max(lib["peak_mb"], tree.get("largest_worker_mb", 0.0))
    target = TARGET_PEAK_10K_MB if n <= 10_000 else TARGET_PEAK_100K_MB
    line = f"peak memory: main process {lib['peak_mb']:.0f} MB"
    if tree.get("workers"):
        line += f", largest of {tree['workers']} worker processes {tree['largest_worker_mb']:.0f} MB"
    line += f" (issue 11: any one process < {target:,} MB at {'10 k' if n <= 10_000 else '100 k'}: " \
            f"{_verdict(peak_any, target - 1e-9)})"
    if tree.get("tree_peak_mb"):
        line += f"; whole tree ≤ {tree['tree_peak_mb']:.0f} MB (sum of RSS)"
    return line


# ---------------------------------------------------------------------------------------------
# 6. Per partition: the framing map and the actor-mention tone model (issue 24)


def measure_partition(path: str) -> dict[str, Any]:
    """Load the corpus at ``path`` as one partition (a partition holds 1,000 articles, about 22 k
    sentences), discover its actors as the default run does, then time — each with the lenses'
    per-corpus caches emptied first — the framing map (:func:`framelens.store.parts.framing_map`: cue
    and marker matching, actor links) and the actor-mention tone model
    (:func:`framelens.lenses.sentiment.actor_sentiment`: mentions, their features, the news model), as
    a worker runs them on one partition. Wall and CPU seconds of each, and the corpus's size.
    Runs in the calling process: call it through :func:`run_child`."""
    from framelens.lenses import actors as actors_module
    from framelens.store import parts
    from framelens.lenses import sentiment
    from framelens.read.corpus import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(path)

        def release():  # what a worker does between partitions, and the actor matchers' mentions
            corp.release_caches()
            actors_module._MATCHERS.clear()
        actors = parts.compute_in_memory("actors", corp)
        table = actors["table"]
        release()
        c0, t0 = time.process_time(), time.perf_counter()
        parts.framing_map(corp, parts.resolve_options("framing", {}), {"actors": actors})
        framing = (time.perf_counter() - t0, time.process_time() - c0)
        release()
        c0, t0 = time.process_time(), time.perf_counter()
        mentions = sentiment.actor_sentiment(corp, table, n_resamples=1, workers=1).mentions
        tone = (time.perf_counter() - t0, time.process_time() - c0)
    return {"documents": int(len(corp.documents)), "sentences": int(len(corp.sentences)),
            "actors": int(len(table)), "mentions": int(len(mentions)),
            "framing_map": framing[0], "framing_cpu": framing[1], "mention_tone": tone[0], "mention_cpu": tone[1]}


def per_partition(n_articles: int = 1000, *, seed: int = 0, seed_folders: Sequence[Path] = SEED_FOLDERS) -> dict[str, Any]:
    """Generate one partition's worth of articles (:data:`BENCH_SOURCES` outlets) and measure it in a
    fresh process (:func:`measure_partition`)."""
    with tempfile.TemporaryDirectory(prefix="framelens-bench-") as tmp:
        path = Path(tmp) / "partition.jsonl"
        generate_corpus(path, n_articles, n_sources=BENCH_SOURCES, n_groups=BENCH_GROUPS, seed=seed,
                        seed_folders=seed_folders)
        return run_child("measure_partition", path=str(path))


def format_partition(r: dict[str, Any]) -> list[str]:
    """The per-partition figures beside their targets, scaled to :data:`PARTITION_SENTENCES`."""
    n = r["sentences"]
    scale = PARTITION_SENTENCES / n if n else float("nan")
    out = [f"One partition: {r['documents']:,} generated articles, {n:,} sentences, {r['actors']} actors "
           f"discovered, {r['mentions']:,} actor mentions (seconds scaled to {PARTITION_SENTENCES:,} sentences)"]
    for label, key, cpu, target in (("framing map", "framing_map", "framing_cpu", TARGET_FRAMING_MAP_S),
                                    ("actor-mention tone model", "mention_tone", "mention_cpu", TARGET_MENTION_TONE_S)):
        v, c = r[key] * scale, r[cpu] * scale
        out.append(f"  {label}: {r[key]:.1f} s wall, {r[cpu]:.1f} s CPU; {v:.1f} s per {PARTITION_SENTENCES // 1000} k "
                   f"sentences (target ≤ {target:g} s: {_verdict(v, target)}; by CPU time {c:.1f} s: "
                   f"{_verdict(c, target)})")
    return out


# ---------------------------------------------------------------------------------------------
# 7. The import of the lenses beyond pandas (issue 24)

IMPORT_LENSES = "from framelens import vocabulary, sentiment, framing"


def import_cost(*, repeat: int = 3, statement: str = IMPORT_LENSES, top: int = 6) -> dict[str, Any]:
    """Seconds of ``import pandas`` and of ``statement`` after it, each in a fresh interpreter
    (the best of ``repeat`` runs), and the ``top`` packages the statement imports that pandas had
    not, by cumulative import time (``python -X importtime``, one more run)."""
    code = ("import time; t0 = time.perf_counter(); import pandas; t1 = time.perf_counter(); "
            f"{statement}; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")
    runs = []
    for _ in range(max(1, repeat)):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        a, b = out.stdout.split()[-2:]
        runs.append((float(a), float(b)))
    prof = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import pandas; {statement}"],
                          capture_output=True, text=True)
    return {"pandas": min(r[0] for r in runs), "beyond": min(r[1] for r in runs), "runs": runs,
            "heaviest": heaviest_imports(prof.stderr, after="pandas", top=top), "statement": statement}


def heaviest_imports(importtime: str, *, after: str = "pandas", top: int = 6) -> list[tuple[str, float]]:
    """From ``python -X importtime`` output: the modules imported after the top-level import of
    ``after``, their own (self) seconds summed per top-level package (``framelens``, ``nltk``,
    ...), largest first."""
    sums: dict[str, float] = {}
    seen = False
    for line in importtime.splitlines():
        cols = line.split("|")
        if len(cols) != 3 or not cols[0].startswith("import time:"):
            continue
        try:
            own = int(cols[0].split(":")[1]) / 1e6
        except ValueError:  # the header line
            continue
        name = cols[2].strip()
        if not seen:
            seen = name == after and not cols[2].startswith("  ")
            continue
        root = name.split(".")[0]
        sums[root] = sums.get(root, 0.0) + own
    return sorted(sums.items(), key=lambda r: -r[1])[:top]


def format_import(r: dict[str, Any]) -> list[str]:
    return [f"`{r['statement']}` beyond `import pandas`: {r['beyond']:.2f} s (pandas itself {r['pandas']:.2f} s; best "
            f"of {len(r['runs'])} fresh interpreters; target ≤ {TARGET_IMPORT_S:.2f} s: "
            f"{_verdict(r['beyond'], TARGET_IMPORT_S)})",
            "  where it goes (own import time per package, one -X importtime run): " + ", ".join(f"{m} {t:.3f} s" for m, t in r["heaviest"])]


# ---------------------------------------------------------------------------------------------
# the report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000],
                    help="articles per generated corpus for store-vs-raw (default: 1000 10000)")
    ap.add_argument("--workers", type=int, default=2, help="workers of the store compute")
    ap.add_argument("--engine", default="processes", help=f"execution engine ({', '.join(ENGINES)})")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks at a time for the suite runs")
    ap.add_argument("--skip-suite", action="store_true", help="skip both suite-against-floor runs")
    ap.add_argument("--seeds", default=str(SEEDS), help="corpus of the first suite run (default: the checkout's seeds/)")
    ap.add_argument("--seed-texts", nargs="+", default=[str(f) for f in SEED_FOLDERS], metavar="FOLDER",
                    help="corpora whose sentences the generator recombines (default: the checkout's seeds/ and "
                         "tests/fixtures/unseen)")
    ap.add_argument("--generated-articles", type=int, default=SUITE_ARTICLES,
                    help=f"articles of the generated corpus run through the suite (default {SUITE_ARTICLES}, from "
                         f"{SUITE_SOURCES} outlets; 0: skip)")
    ap.add_argument("--partition-articles", type=int, default=1000,
                    help="articles of the one-partition corpus timed for the framing map and the actor-mention "
                         "tone model (default 1000, a stored partition; 0: skip)")
    ap.add_argument("--skip-import", action="store_true", help="skip the import-cost figure")
    ap.add_argument("--scale", action="store_true", help="add the scale figures (benchmarks.scale_bench: 10 k and "
                    "100 k articles)")
    ap.add_argument("--scale-sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generate", metavar="OUT", help="only write a synthetic corpus to OUT and print its figures")
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--sources", type=int, default=BENCH_SOURCES)
    ap.add_argument("--groups", type=int, default=BENCH_GROUPS)
    ap.add_argument("--no-dates", action="store_true")
    ap.add_argument("--layout", choices=("jsonl", "folder"), default="jsonl")
    ap.add_argument("--reuse-articles", type=int, default=10_000, help="articles for the reuse benchmark (0: skip)")
    args = ap.parse_args(argv)

    if args.generate:
        try:
            g = generate_corpus(args.generate, args.articles, n_sources=args.sources, n_groups=args.groups,
                                dates=not args.no_dates, layout=args.layout, seed=args.seed, progress=print,
                                seed_folders=[Path(f) for f in args.seed_texts])
        except FramelensError as exc:
            print(f"benchmarks.bench: error: {exc}", file=sys.stderr)
            return 2
        print(format_generated(g))
        return 0

    say = lambda text: print(text, flush=True)  # noqa: E731
    say(f"framelens benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{available_mb():,.0f} MB available; {load_average()}")
    for section in _sections(args):
        say("")
        t0 = time.perf_counter()
        try:
            for line in section():
                say(line)
        except Exception as exc:  # the benchmark reports, it does not fail
            say(f"{getattr(section, '__name__', 'section')} failed: {type(exc).__name__}: {exc}")
        say(f"  [{time.perf_counter() - t0:.0f} s; {load_average()}]")
    return 0


def format_generated(g: dict[str, Any]) -> str:
    """One paragraph on a generated corpus."""
    return (f"{g['path']}: {g['articles']:,} articles from {g['sources']} outlets"
            + (f" in {g['groups']} groups" if g["groups"] else "")
            + f", {g['sentences']:,} sentences ({g['distinct_share']:.2%} distinct), {g['words']:,} words; "
            f"{g['words_per_sentence']:.1f} words a sentence, {g['sentences_per_article']:.1f} sentences and "
            f"{g['paragraphs_per_article']:.1f} paragraphs an article; {g['invented_names']:,} invented names; "
            f"{g['seconds']:.1f} s")


def _sections(args) -> list[Callable[[], Iterable[str]]]:
    """The report's sections, in order: each a function yielding its lines (printed as they
    come). A new section is one more function in this list."""
    texts = [Path(f) for f in args.seed_texts]

    def seeds_suite() -> Iterator[str]:
        yield from format_suite(suite_vs_floor(args.seeds, jobs=args.jobs))

    def generated_suite() -> Iterator[str]:
        with tempfile.TemporaryDirectory(prefix="framelens-bench-") as tmp:
            path = Path(tmp) / "generated.jsonl"
            g = generate_corpus(path, args.generated_articles, n_sources=min(SUITE_SOURCES, args.generated_articles),
                                n_groups=BENCH_GROUPS, seed=args.seed, seed_folders=texts)
            yield from format_generated_suite(suite_vs_floor(path, jobs=args.jobs), g)

    def store_sizes() -> Iterator[str]:
        for k, n in enumerate(args.sizes):
            if k:
                yield ""
            yield from format_store_vs_raw(n, store_vs_raw(n, workers=args.workers, engine=args.engine,
                                                           seed=args.seed, seed_folders=texts))

    def partition() -> Iterator[str]:
        yield from format_partition(per_partition(args.partition_articles, seed=args.seed, seed_folders=texts))

    def imports() -> Iterator[str]:
        yield from format_import(import_cost())

    def scale() -> Iterator[str]:
        from benchmarks import scale_bench

        yield from scale_bench.figures(args.scale_sizes, echo=lambda s: print(s, flush=True))

    def reuse_section() -> Iterator[str]:
        from benchmarks import reuse_bench

        yield from reuse_bench.format_result(args.reuse_articles, reuse_bench.run(args.reuse_articles,
                                                                                   workers=args.workers))

    out: list[Callable[[], Iterable[str]]] = []
    if not args.skip_suite:
        out += [seeds_suite] + ([generated_suite] if args.generated_articles else [])
    if args.sizes:
        out.append(store_sizes)
    if args.partition_articles:
        out.append(partition)
    if not args.skip_import:
        out.append(imports)
    if args.reuse_articles:
        out.append(reuse_section)
    if args.scale:
        out.append(scale)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
