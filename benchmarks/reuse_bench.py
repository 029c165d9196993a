"""Benchmark of :mod:`framelens.lenses.reuse` (printed by ``make bench``; never a test).

A synthetic corpus of ``n_articles`` articles from 20 outlets whose sentences are all distinct (a
word-level Markov chain trained on the seed sentences, mixed with words drawn from the seed word
frequencies (:data:`FOLLOW`) so that unrelated sentences resemble each other as much as sentences of
different seed articles do; every generated sentence used once: not resampled seed sentences,
whose repeats would flatter any per-sentence cache), with ``n_planted``
passages of 2–4 consecutive sentences copied from one article into an article of another outlet,
each with 0%, 10% or 20% of its words edited (replaced, inserted or deleted) and a quarter of them
with their sentences reordered. It reports:

* the time of :func:`framelens.lenses.reuse.analyze` on the loaded corpus (the target: ≤ 60 s for 10,000
  articles on 2 cores), by stage, with the corpus load timed apart;
* recall and precision of the planted passages (target: recall ≥ 0.95 at precision ≥ 0.95). A
  planted passage is found when a reported passage joins the same two articles and shares a
  sentence with it on both sides; a reported passage is correct when its two sides share the
  origin of a sentence (a planted copy, or a copy of a copy).

Usage: ``python -m benchmarks.reuse_bench [--articles 10000] [--planted 500] [--workers 2]``.

``--part [--engine serial|processes|side]`` measures the lens store's ``reuse`` part instead, on
:func:`benchmarks.bench.generate_corpus`'s news (40 outlets): wall and CPU seconds, the peak memory
of every process (the part's stats add the reduce's peak after each stage). ``side`` computes it as
a whole run does: in a part worker beside another part, the store choosing the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import REPO, child_env

SEEDS = REPO / "seeds"  # the checkout's demo articles: the default seed text
N_OUTLETS = 20
EDIT_LEVELS = (0.0, 0.1, 0.2)
_WORD = re.compile(r"^[A-Za-z]+$")


#: Share of words that follow the seed bigram chain; the others are drawn from the seed word
#: frequencies. At 0.8 the word similarity of two unrelated generated sentences has the
#: distribution of sentences from different seed articles (median 0.09, 99th percentile 0.23 vs
#: 0.22, 99.9th 0.30 vs 0.30); a pure chain (1.0) copies long seed phrases (99.9th 0.33, max 0.83).
FOLLOW = 0.8
#: No two generated (unplanted) sentences share a run of this many words: the chain would otherwise
#: repeat long fixed phrases of the seeds (a six-word name and title) in thousands of sentences,
#: which independent writers do not do.
SHARED_RUN = 6


def _chain(seeds_dir: Path) -> tuple[dict, list[str], set[str], list[str], list[int]]:
    """Order-1 word transitions, sentence starts and ends, and word frequencies of the seed
    sentences (words of letters only)."""
    import warnings

    from framelens.read.corpus import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seeds = load_corpus(seeds_dir)
    nxt: dict[str, list[str]] = defaultdict(list)
    starts: list[str] = []
    ends: set[str] = set()
    freq: dict[str, int] = defaultdict(int)
    for text in seeds.sentences["text"]:
        words = [w for w in re.findall(r"[A-Za-z]+", str(text)) if _WORD.match(w)]
        if len(words) < 4:
            continue
        starts.append(words[0])
        ends.add(words[-1])
        for a, b in zip(words, words[1:]):
            nxt[a].append(b)
        for w in words:
            freq[w] += 1
    vocab = sorted(freq)
    cum, total = [], 0
    for w in vocab:
        total += freq[w]
        cum.append(total)
    return dict(nxt), starts, ends, vocab, cum


def _sentence(rng: random.Random, nxt: dict, starts: list[str], ends: set[str], vocab: list[str],
              cum: list[int]) -> list[str]:
    n_target = rng.randint(10, 30)
    words = [rng.choice(starts)]
    while len(words) < n_target:
        options = nxt.get(words[-1])
        if options and rng.random() < FOLLOW:
            words.append(rng.choice(options))
        else:
            words.append(rng.choices(vocab, cum_weights=cum)[0])
        if len(words) >= 8 and words[-1] in ends and rng.random() < 0.3:
            break
    return words


def _edit(rng: random.Random, words: list[str], level: float, vocab: list[str]) -> list[str]:
    """``round(level · len)`` edits at distinct positions (never the first or last word): 60% replaced,
    20% inserted, 20% deleted."""
    w = list(words)
    n = round(level * len(w))
    for k in sorted(rng.sample(range(1, len(w) - 1), min(n, len(w) - 2)), reverse=True):
        r = rng.random()
        if r < 0.6:
            w[k] = rng.choice(vocab)
        elif r < 0.8:
            w.insert(k, rng.choice(vocab))
        else:
            del w[k]
    return w


def _text(words: list[str]) -> str:
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]]) + "."


def synthetic_reuse_corpus(folder: Path, n_articles: int, *, n_planted: int = 500, seed: int = 0,
                           seeds_dir: Path = SEEDS) -> tuple[Path, list[dict]]:
    """Write ``folder/corpus.jsonl`` (``id, source, outlet, published, text``) and return it with the
    planted passages (``donor, recipient, level, reordered, donor_sentences, recipient_sentences``).
    Each article receives at most one passage, so ``n_planted`` is at most half the articles."""
    if not 0 <= n_planted <= n_articles // 2:
        raise ValueError(f"n_planted must be between 0 and {n_articles // 2} for {n_articles} articles, got {n_planted}")
    nxt, starts, ends, vocab, cum = _chain(seeds_dir)
    rng = random.Random(seed)
    seen: set[tuple] = set()
    articles = []
    for i in range(n_articles):
        sents = []
        for _ in range(rng.randint(10, 30)):
            while True:
                w = _sentence(rng, nxt, starts, ends, vocab, cum)
                runs = {tuple(w[k:k + SHARED_RUN]) for k in range(len(w) - SHARED_RUN + 1)}
                # a last word of one or two letters ("A.") reads as an initial to the splitter
                if len(w) >= 8 and len(w[-1]) >= 3 and not runs & seen:
                    seen |= runs
                    sents.append(_text(w))
                    break
        day = 1 + rng.randrange(365)
        articles.append({"id": f"r{i:05d}", "source": f"outlet{i % N_OUTLETS:02d}",
                         "published": time.strftime("%Y-%m-%d", time.gmtime(1735689600 + 86400 * (day - 1))),
                         "sents": sents, "origins": list(sents)})
    truth = []
    used_recipients: set[int] = set()
    for k in range(n_planted):
        while True:
            d, r = rng.randrange(n_articles), rng.randrange(n_articles)
            if d != r and r not in used_recipients and articles[d]["source"] != articles[r]["source"]:
                break
        used_recipients.add(r)
        length = rng.choice((2, 3, 4))
        src = articles[d]["sents"]
        start = rng.randrange(len(src) - length + 1)
        passage = src[start:start + length]
        origins = articles[d]["origins"][start:start + length]
        level = EDIT_LEVELS[k % len(EDIT_LEVELS)]
        copy = [_text(_edit(rng, t[:-1].split(" "), level, vocab)) for t in passage]
        reordered = rng.random() < 0.25
        if reordered:
            copy = copy[1:] + copy[:1]
            origins = origins[1:] + origins[:1]
        at = rng.randrange(len(articles[r]["sents"]) + 1)
        articles[r]["sents"][at:at] = copy
        articles[r]["origins"][at:at] = origins
        # ``origins``: the generated sentence each copied one comes from (a copy of a copy is still
        # a copy of the first): the scorer counts a reported passage as correct when its two sides
        # share an origin
        truth.append({"donor": articles[d]["id"], "recipient": articles[r]["id"], "level": level,
                      "reordered": reordered, "donor_sentences": passage, "recipient_sentences": copy,
                      "origins": origins})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for a in articles:
            s = a["sents"]
            paras = [" ".join(s[p:p + 3]) for p in range(0, len(s), 3)]
            f.write(json.dumps({"id": a["id"], "source": a["source"], "outlet": a["source"],
                                "published": a["published"], "text": "\n\n".join(paras)}) + "\n")
    return path, truth


def score(passages, sentences, truth: list[dict]) -> dict:
    """Recall and precision of the planted passages (see the module doc)."""
    sid_of: dict[tuple[str, str], str] = {}
    text_of: dict[str, tuple[str, str]] = {}
    for sid, doc, text in zip(sentences["sent_id"], sentences["doc_id"], sentences["text"]):
        sid_of[(str(doc), str(text))] = str(sid)
        text_of[str(sid)] = (str(doc), str(text))
    copied = {(t["recipient"], s): o for t in truth for s, o in zip(t["recipient_sentences"], t["origins"])}

    def origin(sid: str) -> str:
        key = text_of[sid]
        return copied.get(key, key[1])

    planted = []
    for t in truth:
        a = {sid_of.get((t["donor"], s)) for s in t["donor_sentences"]} - {None}
        b = {sid_of.get((t["recipient"], s)) for s in t["recipient_sentences"]} - {None}
        planted.append((t, a, b))
    by_pair = defaultdict(list)
    for k, (t, a, b) in enumerate(planted):
        by_pair[frozenset((t["donor"], t["recipient"]))].append(k)
    found = [False] * len(planted)
    complete = [False] * len(planted)
    correct = 0
    for row in passages.itertuples():
        ids = set(row.sent_ids_a) | set(row.sent_ids_b)
        hit = False
        for k in by_pair.get(frozenset((row.doc_a, row.doc_b)), []):
            _, a, b = planted[k]
            if ids & a and ids & b:
                hit = True
                found[k] = True
                if a | b <= ids:
                    complete[k] = True
        correct += hit or bool({origin(s) for s in row.sent_ids_a} & {origin(s) for s in row.sent_ids_b})
    out = {"planted": len(planted), "reported": len(passages),
           "recall": sum(found) / max(1, len(planted)), "recall_complete": sum(complete) / max(1, len(planted)),
           "precision": correct / len(passages) if len(passages) else 1.0,
           "unsplit_sentences": sum(len(a) != len(t["donor_sentences"]) or len(b) != len(t["recipient_sentences"])
                                    for t, a, b in planted)}
    for level in EDIT_LEVELS:
        ks = [k for k, (t, _, _) in enumerate(planted) if t["level"] == level]
        out[f"recall_{int(level * 100)}pct"] = sum(found[k] for k in ks) / max(1, len(ks))
    ks = [k for k, (t, _, _) in enumerate(planted) if t["reordered"]]
    out["recall_reordered"] = sum(found[k] for k in ks) / max(1, len(ks))
    return out


def measure(path: Path, truth_path: Path, workers: int) -> dict:
    """Load the corpus, run :func:`framelens.lenses.reuse.analyze`, score it (run in a subprocess)."""
    import warnings

    from framelens import load_corpus
    from framelens.lenses import reuse

    res: dict = {}
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(path, workers=workers)
    res["load"] = time.perf_counter() - t
    res["documents"] = len(corp.documents)
    res["sentences"] = len(corp.sentences)
    res["distinct_sentences"] = int(corp.sentences["text"].nunique())
    res["tokens"] = len(corp.tokens)
    t = time.perf_counter()
    r = reuse.analyze(corp, workers=workers)
    res["reuse"] = time.perf_counter() - t
    res["stats"] = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.stats.items()}
    res["boilerplate_clusters"] = len(r.boilerplate)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    res.update(score(r.passages, corp.sentences, truth))
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def run(n_articles: int = 10_000, *, n_planted: int = 500, workers: int = 2, seed: int = 0) -> dict:
    """Build the corpus, then measure in a fresh subprocess (its own peak memory). ``n_planted`` is
    capped at a twentieth of the articles (500 for 10,000)."""
    n_planted = min(n_planted, n_articles // 20)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, truth = synthetic_reuse_corpus(Path(tmp), n_articles, n_planted=n_planted, seed=seed)
        build = time.perf_counter() - t
        truth_path = Path(tmp) / "truth.json"
        truth_path.write_text(json.dumps(truth), encoding="utf-8")
        code = (f"import json; from pathlib import Path; from benchmarks import reuse_bench; "
                f"print(json.dumps(reuse_bench.measure(Path({str(path)!r}), Path({str(truth_path)!r}), {workers})))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=child_env())
        res = json.loads(out.stdout.strip().splitlines()[-1])
    res["build"] = build
    res["workers"] = workers
    return res


def format_result(n: int, r: dict) -> list[str]:
    st = r["stats"]
    distinct = r["distinct_sentences"] / max(1, r["sentences"])
    return [
        f"Reuse (framelens.lenses.reuse.analyze) on {n:,} synthetic articles: {r['sentences']:,} sentences "
        f"({distinct:.1%} distinct), {r['tokens']:,} tokens, {r['planted']} planted passages of 2–4 sentences "
        f"(0/10/20% of words edited, a quarter reordered)",
        f"  {'reuse.analyze':32s} {r['reuse']:8.2f} s  (target ≤ 60 s; {r['workers']} workers; corpus load "
        f"{r['load']:.1f} s apart)",
        f"    stages (s): prepare {st.get('seconds_prepare', 0):.1f}, signatures {st.get('seconds_signatures', 0):.1f}, "
        f"candidates {st.get('seconds_candidates', 0):.1f}, clusters {st.get('seconds_clusters', 0):.1f}, "
        f"alignment {st.get('seconds_alignment', 0):.1f}, tables {st.get('seconds_tables', 0):.1f}",
        f"    {st.get('method', '')}: {st.get('candidate_pairs', 0):,} candidate sentence pairs, "
        f"{st.get('verified_pairs', 0):,} verified, {st.get('document_pairs_aligned', 0):,} document pairs aligned",
        f"  planted passages: recall {r['recall']:.3f} (target ≥ 0.95; 0% {r['recall_0pct']:.3f}, "
        f"10% {r['recall_10pct']:.3f}, 20% {r['recall_20pct']:.3f}, reordered {r['recall_reordered']:.3f}; "
        f"all sentences found {r['recall_complete']:.3f}), precision {r['precision']:.3f} (target ≥ 0.95) "
        f"of {r['reported']} reported",
        f"  peak memory {r['peak_mb']:.0f} MB (corpus tables included)",
    ]

def format_part(r: dict) -> str:
    st = r.get("stats", {})
    return (f"reuse part, {r['articles']:,} generated articles ({st.get('partitions', '?')} partitions, "
            f"{r['engine']}, {r['workers']} worker(s)): {r['seconds']:.1f} s wall, {r.get('cpu_s', 0):.1f} CPU s; "
            f"peak memory: this process {r['peak_mb']:.0f} MB, largest worker {r.get('largest_worker_mb', 0):.0f} MB"
            + (f", traced Python peak {r['traced_peak_mb']:.0f} MB" if "traced_peak_mb" in r else "")
            + f"; {r['passages']:,} passages, {st.get('document_pairs_aligned', 0):,} document pairs aligned")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks.reuse_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--planted", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--part", action="store_true",
                    help="measure the lens store's reuse part on benchmarks.bench's generated news instead")
    ap.add_argument("--engine", default="serial",
                    help="with --part: serial, processes, or side (computed as a whole run does: in a part "
                         "worker beside the dating part, the store choosing the engine)")
    args = ap.parse_args(argv)
    if args.part:
        r = part_run(args.articles, engine=args.engine, workers=args.workers, seed=args.seed)
        print(format_part(r), flush=True)
        return 0
    r = run(args.articles, n_planted=args.planted, workers=args.workers, seed=args.seed)
    print("\n".join(format_result(args.articles, r)), flush=True)
    return 0


# --------------------------------------------------------------------------------------------
# The store's reuse part (time and peak memory), on bench.py's generated news
# --------------------------------------------------------------------------------------------
def measure_part(corpus: str, store: str, *, engine: str = "serial", workers: int = 1, trace: bool = False) -> dict:
    """Time and peak memory of the lens store's ``reuse`` part (run in a fresh subprocess by
    :func:`part_run`): ``peak_mb`` (this process), ``largest_worker_mb`` (the largest worker) and,
    with ``trace``, ``traced_peak_mb`` (tracemalloc's peak of Python allocations here)."""
    import tracemalloc

    from framelens.core.engine import get_engine
    from framelens.store.lens_store import LensStore

    side = engine == "side"  # as a whole run computes it: in a part worker beside another part
    eng = get_engine("serial" if side else engine, workers=workers)
    lens = LensStore(store, corpus, engine=None if side else eng)
    lens.ingest()
    from benchmarks.bench import TreeSampler

    sampler = TreeSampler(os.getpid())
    sampler.start()
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    if side:
        from framelens.store.compute import compute

        failed = compute(corpus, store=store, requests=[("reuse", {}), ("dating", {})], workers=max(2, workers))
        if failed:
            raise RuntimeError("; ".join(failed))
    tables = lens.part("reuse")
    res = {"seconds": time.perf_counter() - t, "passages": len(tables["passages"]),
           "documents": len(tables["documents"]), "stats": dict(tables.info.get("stats", {}))}
    if trace:
        res["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    tree = sampler.stop()
    eng.close()
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["largest_worker_mb"] = tree["largest_worker_mb"]
    res["workers_seen"] = tree["workers"]
    res["cpu_s"] = tree["cpu_s"]  # CPU seconds of this process and its workers (less sensitive to a busy machine)
    return res


def part_run(n_articles: int = 2000, *, engine: str = "serial", workers: int = 1, trace: bool = False,
             seed: int = 0, folder: str | None = None, partition_documents: int = 0) -> dict:
    """Generate ``n_articles`` news articles (:func:`benchmarks.bench.generate_corpus`, 40 outlets),
    store them (as ingested, or in partitions of ``partition_documents``), then measure the
    ``reuse`` part in a fresh subprocess (:func:`measure_part`)."""
    from benchmarks.bench import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(folder) if folder else Path(tmp)
        path = base / f"news{n_articles}.jsonl"
        gen = generate_corpus(path, n_articles, n_sources=40, seed=seed) if not path.exists() else {}
        where = base / f"ingest-store-{partition_documents}"
        ingest = (f"from framelens.store.lens_store import LensStore; "
                  f"LensStore({str(where)!r}, {str(path)!r}).ingest()")
        if partition_documents:
            ingest = (f"import warnings; warnings.simplefilter('ignore'); from framelens import load_corpus; "
                      f"from framelens.store.lens_store import LensStore, write_corpus; "
                      f"lens = LensStore({str(where)!r}, {str(path)!r}); "
                      f"write_corpus(load_corpus({str(path)!r}), lens.corpus_dir, key=lens.corpus_key, "
                      f"inputs=lens.inputs, partition_documents={int(partition_documents)})")
        subprocess.run([sys.executable, "-c", ingest], capture_output=True, text=True, check=True)
        import shutil

        shutil.rmtree(base / "store", ignore_errors=True)
        shutil.copytree(where, base / "store")  # the stored corpus, no part yet
        code = (f"import json; from benchmarks import reuse_bench; "
                f"print(json.dumps(reuse_bench.measure_part({str(path)!r}, {str(base / 'store')!r}, "
                f"engine={engine!r}, workers={workers}, trace={trace}), default=str))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env())
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        res = json.loads(out.stdout.strip().splitlines()[-1])
        shutil.rmtree(base / "store", ignore_errors=True)
    res.update({"articles": n_articles, "engine": engine, "workers": workers, "partition_documents": partition_documents,
                "distinct_share": gen.get("distinct_share")})
    return res


if __name__ == "__main__":
    raise SystemExit(main())
