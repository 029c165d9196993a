"""Benchmark (``make bench``): prints speed and memory figures; never a test.

1. The notebook suite on the seeds beside the floor: the same number of empty notebooks executed
   the same way (papermill in-process, same job count).
2. Library throughput on synthetic corpora of 1,000 and 10,000 articles built by resampling seed
   sentences (seeded), each in a fresh subprocess so its peak memory is its own: loading and all
   three lenses, beside the raw single-core throughput of VADER, TextBlob's PatternAnalyzer and
   the tokenizer on the same sentences.

3. Shared-passage detection (:mod:`framelens.reuse_bench`): time for 10,000 synthetic articles with
   distinct sentences and recall / precision of planted passages.

Usage: ``python -m framelens.bench [--sizes 1000 10000] [--skip-suite] [--workers N] [--reuse-articles N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def synthetic_corpus(folder: Path, n_articles: int, *, seed: int = 0, seeds_dir: Path = SEEDS) -> Path:
    """Write ``n_articles`` articles to ``folder/corpus.jsonl`` by resampling seed sentences.

    Each article takes the paragraph count and sentence counts of a random seed article, filled
    with sentences drawn at random from that seed article's source, so lengths and vocabulary
    keep the seeds' mix. Five sources (the seed sources) share the articles.
    """
    import warnings

    from .corpus import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seeds = load_corpus(seeds_dir)
    rng = random.Random(seed)
    by_doc = {d: g for d, g in seeds.sentences.groupby("doc_id", sort=False)}
    docs = list(by_doc)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_articles):
            d = docs[i % len(docs)]
            g = by_doc[d]
            sents = g["text"].tolist()
            paras = []
            for _pid, pg in g.groupby("para_id", sort=False):
                paras.append(" ".join(rng.choice(sents) for _ in range(len(pg))))
            f.write(json.dumps({"id": f"a{i:05d}", "source": seeds.documents.set_index("doc_id").loc[d, "source"],
                                "outlet": seeds.label(d), "text": "\n\n".join(paras)}) + "\n")
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def measure_library(path: Path, workers: int) -> dict:
    """Load a corpus and run every lens's main computations; returns timings (run in a subprocess)."""
    import warnings

    from . import load_corpus

    res: dict = {}
    stages: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp, res["load"] = _time(load_corpus, path, workers=workers, timings=stages)
    res["load_stages"] = {k: round(v, 3) for k, v in stages.items()}
    res["documents"] = len(corp.documents)
    res["sentences"] = len(corp.sentences)
    res["tokens"] = len(corp.tokens)
    steps = []
    try:
        from . import vocabulary

        steps += [("vocabulary.distinctive_terms", lambda: vocabulary.distinctive_terms(corp)),
                  ("vocabulary.similarity", lambda: vocabulary.similarity(corp))]
    except ImportError:
        pass
    try:
        from . import sentiment

        steps += [("sentiment.sentence_scores", lambda: sentiment.sentence_scores(corp, workers=workers)),
                  ("sentiment.actor_sentiment", lambda: sentiment.actor_sentiment(corp))]
    except ImportError:
        pass
    try:
        from . import framing

        steps += [("framing.frame_salience", lambda: framing.frame_salience(corp)),
                  ("framing.agency", lambda: framing.agency(corp))]
    except ImportError:
        pass
    for name, fn in steps:
        try:
            _, res[name] = _time(fn)
        except TypeError:
            res[name] = float("nan")
    res["library_total"] = sum(v for k, v in res.items() if k == "load" or "." in k)
    res["peak_mb"] = _peak_mb()
    # worker processes (the loader's pool, the scorers' pool) have their own memory: the largest one
    res["peak_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return res


def measure_raw(path: Path) -> dict:
    """Raw single-core throughput of the scorers and tokenizer on the same sentences."""
    import warnings

    from nltk.tokenize import TreebankWordTokenizer
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from . import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corp = load_corpus(path)
    sents = corp.sentences["text"].tolist()
    del corp
    vader, pattern, tb = SentimentIntensityAnalyzer(), PatternAnalyzer(), TreebankWordTokenizer()
    res = {"sentences": len(sents)}
    _, res["vader"] = _time(lambda: [vader.polarity_scores(s) for s in sents])
    _, res["textblob"] = _time(lambda: [pattern.analyze(s) for s in sents])
    n_tok, res["tokenizer"] = _time(lambda: sum(len(tb.tokenize(s)) for s in sents))
    res["tokens"] = n_tok
    res["raw_total"] = res["vader"] + res["textblob"] + res["tokenizer"]
    return res


def _subprocess(kind: str, path: Path, workers: int) -> dict:
    code = (f"import json,sys; from pathlib import Path; from framelens import bench; "
            f"print(json.dumps(bench.measure_{kind}(Path({str(path)!r}){', ' + str(workers) if kind == 'library' else ''})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def suite_vs_floor(jobs: int = 2) -> dict:
    """Wall time of the whole suite on the seeds beside the same number of empty notebooks."""
    from . import runner

    return runner.benchmark_suite(jobs=jobs)


def format_suite(s: dict) -> list[str]:
    """The suite-vs-floor lines of the report."""
    lines = [f"Suite on the seeds: {s['suite']:.1f} s for {s['notebooks']} notebook runs ({s.get('jobs', 2)} at a time); "
             f"floor (same number of empty notebooks, same runner): {s['floor']:.1f} s; "
             f"ratio {s['suite'] / s['floor']:.2f}x (target ≤ 1.5x)"]
    if s.get("failed"):
        lines.append(f"  failed runs: {', '.join(s['failed'])}")
    return lines


def format_sizes(n: int, lib: dict, raw: dict, workers: int) -> list[str]:
    """The report lines of one synthetic corpus size: the library's steps beside the raw floor."""
    lines = [f"{n:,} articles: {lib['sentences']:,} sentences, {lib['tokens']:,} tokens"]
    for k, v in lib.items():
        if k == "load" or "." in k:
            lines.append(f"  {k:32s} {v:8.2f} s")
        if k == "load" and lib.get("load_stages"):
            st = lib["load_stages"]
            wall = st.get("pool_wall", st.get("chunks_wall"))
            per_doc = ", ".join(f"{s} {st[s]:.1f}" for s in ("cleaning", "splitting", "tokenizing", "tables") if s in st)
            if per_doc:
                how = "summed over workers" if "pool_wall" in st else "one process"
                lines.append(f"    per document ({how}, s): {per_doc}; elapsed {wall:.1f} s")
            rest = ", ".join(f"{s} {st[s]:.1f}" for s in ("reading", "collocations", "terms", "assembling") if s in st)
            if rest:
                lines.append(f"    corpus-wide (s): {rest}")
    total = lib["library_total"]
    lines.append(f"  {'library total':32s} {total:8.2f} s  ({lib['documents'] / total:,.0f} documents/s, "
                 f"{lib['sentences'] / total:,.0f} sentences/s; {workers} workers)")
    lines.append(f"  {'peak memory':32s} {lib['peak_mb']:8.0f} MB (target < 2048 MB)"
                 + (f"; largest worker process {lib['peak_children_mb']:.0f} MB (a forked worker's figure "
                    "includes pages it shares with the main process)" if lib.get("peak_children_mb") else ""))
    lines.append(f"  raw single-core: VADER {raw['sentences'] / raw['vader']:,.0f} sentences/s, TextBlob "
                 f"{raw['sentences'] / raw['textblob']:,.0f} sentences/s, Treebank tokenizer "
                 f"{raw['tokens'] / raw['tokenizer']:,.0f} tokens/s; together {raw['raw_total']:.2f} s")
    lines.append(f"  ratio library / raw = {total / raw['raw_total']:.2f}x (target ≤ 1.5x)")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="framelens.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--workers", type=int, default=2, help="process-pool size for the library run")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks at a time for the suite run")
    ap.add_argument("--skip-suite", action="store_true")
    ap.add_argument("--reuse-articles", type=int, default=10_000, help="articles for the reuse benchmark (0: skip)")
    args = ap.parse_args(argv)
    print(f"framelens benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    if not args.skip_suite:
        try:
            s = suite_vs_floor(args.jobs)
            print("\n" + "\n".join(format_suite(s)), flush=True)
        except Exception as exc:  # the benchmark reports, it does not fail
            print(f"\nSuite timing failed: {type(exc).__name__}: {exc}", flush=True)
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = synthetic_corpus(Path(tmp), n)
            raw = _subprocess("raw", path, 1)
            lib = _subprocess("library", path, args.workers)
        print("\n" + "\n".join(format_sizes(n, lib, raw, args.workers)), flush=True)
    if args.reuse_articles:
        from . import reuse_bench

        try:
            r = reuse_bench.run(args.reuse_articles, workers=args.workers)
            print("\n" + "\n".join(reuse_bench.format_result(args.reuse_articles, r)), flush=True)
        except Exception as exc:  # the benchmark reports, it does not fail
            print(f"\nReuse benchmark failed: {type(exc).__name__}: {exc}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
