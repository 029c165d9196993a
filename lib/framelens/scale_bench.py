"""Scale benchmark (``make bench-scale``): prints figures, asserts nothing.

For each size (default 10,000 and 100,000 articles of synthetic news whose sentences are ≥ 95%
distinct — :func:`framelens.bench.generate_corpus` when available), in a fresh process per
engine so each peak memory is its own:

* the lens store's map/reduce path — streaming ingest into Parquet partitions, then the
  sentiment and framing parts (map per partition, reduce in the client) with the packaged actor
  table given (actor discovery reads the whole corpus: not part of the scale path yet) — on
  a local process pool of 2, a Dask LocalCluster of 2 workers and one of 1 worker: wall time,
  peak RSS of the client and of each worker;
* the raw floor: single-core VADER + TextBlob PatternAnalyzer + tokenizer on the same sentences
  (timed on a sample, scaled to all);
* growth 100k / 10k, the 2-worker speed-up, and a 1 M-article projection from the per-partition
  cost: how many workers finish in one hour.

Usage: ``python -m framelens.scale_bench [--sizes 10000 100000] [--engines processes local local1]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_GROWTH = 11.0
TARGET_MB = {10_000: 1024, 100_000: 2048}
TARGET_RAW_RATIO = 1.0


def make_corpus(dest: Path, n: int, *, seed: int = 0) -> Path:
    """A gzip'd JSONL corpus of ``n`` synthetic articles (40 outlets)."""
    import gzip

    from .bench import generate_corpus  # the ≥95%-distinct generator (issue 10's benchmark)

    plain = dest.with_suffix("")
    generate_corpus(plain, n, n_sources=40, seed=seed)
    with open(plain, "rb") as src, gzip.open(dest, "wb", compresslevel=3) as out:
        shutil.copyfileobj(src, out)
    plain.unlink()
    return dest


def _mb(kb: float) -> float:
    return kb / 1024


class Watch:
    """Peak resident memory of this process and of every process below it (pool workers, Dask
    workers and their nannies), sampled every ``interval`` seconds with psutil (a dependency of
    dask.distributed); the client's own peak is its ``ru_maxrss``."""

    def __init__(self, interval: float = 0.25):
        import threading

        import psutil

        self.me = psutil.Process()
        self.peaks: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self.interval = interval
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for p in self.me.children(recursive=True):
                    try:
                        rss = p.memory_info().rss / 2**20
                        if rss > self.peaks.get(p.pid, 0):
                            self.peaks[p.pid] = rss
                            self.names.setdefault(p.pid, " ".join(p.cmdline()[-2:])[:60])
                    except Exception:
                        pass
            except Exception:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> list[float]:
        """Peak RSS (MB) of each process below this one that held more than 150 MB (the workers;
        forkserver and nanny processes stay below that), largest first."""
        self._stop.set()
        self._t.join(2)
        return sorted((v for v in self.peaks.values() if v > 150), reverse=True)


def run_store(corpus: str, store: str, engine: str, workers: int,
              parts: tuple[str, ...] = ("sentiment", "framing")) -> dict[str, Any]:
    """Ingest + the map/reduce parts on one engine (run in a fresh process: see :func:`main`)."""
    import warnings

    from . import config
    from .engine import get_engine
    from .store import LensStore

    warnings.simplefilter("ignore")
    watch = Watch()
    res: dict[str, Any] = {"engine": engine, "workers": workers}
    t0 = time.perf_counter()
    eng = get_engine({"local1": "local"}.get(engine, engine), workers=workers)
    res["engine_start_s"] = time.perf_counter() - t0
    times: dict[str, float] = {}
    try:
        lens = LensStore(store, corpus, engine=eng)
        t = time.perf_counter()
        lens.ingest(engine=eng, timings=times)
        res["ingest_s"] = time.perf_counter() - t
        actors = str(Path(config.__file__).resolve().parent / "data" / "actors.toml")
        res["parts_s"] = {}
        for name in parts:
            t = time.perf_counter()
            tables = lens.part(name, actors=actors)
            res["parts_s"][name] = time.perf_counter() - t
            if name == "sentiment":
                res["sentences"] = int(tables.manifest["tables"]["sentences"]["rows"])
        res["compute_s"] = res["ingest_s"] + sum(res["parts_s"].values())
        res["partitions"] = len(lens.partitions())
        res["documents"] = int(len(lens.view_corpus.documents))
        workers_mb = []
        if hasattr(eng, "client"):
            info = eng.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            workers_mb = sorted((_mb(v) for v in info.values()), reverse=True)
    finally:
        eng.close()
        sampled = watch.stop()
    res["total_s"] = time.perf_counter() - t0
    res["stages"] = {k: round(v, 2) for k, v in times.items()}
    res["client_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    res["workers_mb"] = workers_mb or sampled[:max(1, workers)]
    return res


def raw_floor(store: str, corpus: str, *, sample: int = 20_000) -> dict[str, Any]:
    """Seconds single-core VADER + TextBlob + the tokenizer take on the stored sentences (a sample
    of ``sample`` sentences spread over the corpus, scaled to all of them)."""
    from .sentiment import pattern_lexicon, vader_analyzer
    from .store import LensStore, read_table
    from .tokens import tokenize

    lens = LensStore(store, corpus)
    dirs = lens.partitions()
    n_all = 0
    texts: list[str] = []
    per = max(1, sample // max(1, len(dirs)))
    for d in dirs:
        s = read_table(d / "sentences.parquet", {}, columns=["norm"])["norm"].tolist()
        n_all += len(s)
        texts += s[:per]
    vader, pattern = vader_analyzer(), pattern_lexicon()
    t = time.perf_counter()
    for x in texts:
        vader.polarity_scores(x)
        pattern(x)
        tokenize(x)
    secs = time.perf_counter() - t
    return {"sample": len(texts), "sentences": n_all, "sample_s": secs, "raw_s": secs * n_all / max(1, len(texts))}


def _child(func: str, **kwargs) -> dict[str, Any]:
    code = (f"import json,sys; from framelens.scale_bench import {func}; "
            f"print('@@' + json.dumps({func}(**json.loads(sys.argv[1]))))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("@@"):
            return json.loads(line[2:])
    raise RuntimeError(f"{func} failed: {proc.stderr.strip().splitlines()[-1:] if proc.stderr else proc.returncode}")


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def measure(n: int, engines: list[str], folder: Path, echo=print) -> dict[str, Any]:
    corpus = folder / f"news-{n}.jsonl.gz"
    if not corpus.exists():
        t = time.perf_counter()
        make_corpus(corpus, n)
        echo(f"  generated {n:,} articles in {time.perf_counter() - t:.0f} s")
    out: dict[str, Any] = {"n": n, "runs": {}}
    for e in engines:
        workers = 1 if e == "local1" else 2
        store = folder / f"store-{n}-{e}"
        done = folder / f"result-{n}-{e}.json"  # a --folder keeps each measurement: a later run reuses it
        if done.exists():
            r = json.loads(done.read_text())
            echo(f"  {e}: measured before ({done.name}); reused")
        else:
            shutil.rmtree(store, ignore_errors=True)  # measured from an empty store, never a kept one
            r = _child("run_store", corpus=str(corpus), store=str(store), engine=e, workers=workers)
            done.write_text(json.dumps(r))
        out["runs"][e] = r
        echo(f"  {e:9s} ({workers} worker{'s' * (workers != 1)}): {r['total_s']:7.1f} s (ingest {r['ingest_s']:.1f}, "
             + ", ".join(f"{k} {v:.1f}" for k, v in r["parts_s"].items())
             + f", engine start {r['engine_start_s']:.1f}); {r['partitions']} partitions, "
             f"{r['sentences']:,} sentences; peak RSS client {r['client_mb']:.0f} MB, workers "
             f"{', '.join(f'{m:.0f}' for m in r['workers_mb'])} MB")
        if e != engines[0]:  # the first engine's store stays for the raw floor's sentences
            shutil.rmtree(store, ignore_errors=True)
    first = folder / f"store-{n}-{engines[0]}"
    raw = folder / f"result-{n}-raw.json"
    out["raw"] = json.loads(raw.read_text()) if raw.exists() else _child("raw_floor", store=str(first), corpus=str(corpus))
    raw.write_text(json.dumps(out["raw"]))
    return out


def projection(points: list[dict[str, Any]], *, target: int = 1_000_000, hours: float = 1.0) -> dict[str, Any]:
    """The cluster a ``target``-article run needs to finish in ``hours``, from measured scale
    points (:func:`measure` results, ascending): the worker-seconds (wall seconds × workers) of
    one engine measured at every point — the one on the fewest workers — are linear in the
    articles: a fixed part and a per-article part through the two largest points, or proportional
    to the one point; a partition holds as many articles as the measured ones. A lower bound on
    the cluster: the reduce runs in the client and scheduling is not counted."""
    common = set.intersection(*(set(p["runs"]) for p in points))
    pick = min(common, key=lambda e: (points[-1]["runs"][e]["workers"], e != "local1", e)) if common else None

    def cost(p: dict[str, Any]) -> tuple[int, float, int]:
        runs = p["runs"]
        r = runs[pick] if pick else min(runs.values(), key=lambda r: (r["workers"], r["engine"] != "local1"))
        return r["documents"], r["compute_s"] * r["workers"], r["partitions"]

    pts = [cost(p) for p in points]
    if len(pts) >= 2 and pts[-1][0] != pts[-2][0]:
        (na, ya, _), (nb, yb, _) = pts[-2:]
        slope = max((yb - ya) / (nb - na), 0.0)
        fixed = max(ya - slope * na, 0.0)
        basis = f"linear through {na:,} and {nb:,} articles"
    else:
        fixed, slope, basis = 0.0, pts[-1][1] / pts[-1][0], f"proportional to {pts[-1][0]:,} articles"
    per_partition = pts[-1][0] / max(1, pts[-1][2])
    worker_s = fixed + slope * target
    return {"articles": target, "basis": basis, "ms_per_article": 1000 * slope, "worker_hours": worker_s / 3600,
            "partitions": math.ceil(target / per_partition), "workers": max(1, math.ceil(worker_s / (3600 * hours)))}


def report(points: list[dict[str, Any]]) -> list[str]:
    """The figures of issue 11, one line each, beside their targets."""
    lines = ["Scale figures (issue 11; printed, never asserted)"]
    add = lines.append
    for p in points:
        n = p["n"]
        raw = p["raw"]["raw_s"]
        for e, r in p["runs"].items():
            peak = max([r["client_mb"], *r["workers_mb"]])
            tgt = TARGET_MB.get(n)
            add(f"  {n:>7,} articles, {e:9s}: wall {r['total_s']:.1f} s; peak RSS client {r['client_mb']:.0f} MB, "
                f"workers {', '.join(f'{m:.0f}' for m in r['workers_mb'])} MB; any process {peak:.0f} MB"
                + (f" (target < {tgt} MB: {_verdict(peak, tgt)})" if tgt else ""))
        two = p["runs"].get("processes") or p["runs"].get("local")  # the default engine first
        if two:
            ratio = two["compute_s"] / raw
            add(f"  {n:>7,} articles: store compute with 2 workers ({two['engine']}) {two['compute_s']:.1f} s vs raw "
                f"single-core scorers + tokenizer {raw:.1f} s = {ratio:.2f}× (target ≤ {TARGET_RAW_RATIO}×: "
                f"{_verdict(ratio, TARGET_RAW_RATIO)})")
        if "local" in p["runs"] and "local1" in p["runs"]:
            add(f"  {n:>7,} articles: 2-worker LocalCluster speed-up over 1 worker: "
                f"{p['runs']['local1']['total_s'] / p['runs']['local']['total_s']:.2f}×")
        if "local" in p["runs"] and "processes" in p["runs"]:
            add(f"  {n:>7,} articles: process pool {p['runs']['processes']['total_s']:.1f} s vs Dask LocalCluster "
                f"{p['runs']['local']['total_s']:.1f} s (2 workers each)")
    by_n = {p["n"]: p for p in points}
    if 10_000 in by_n and 100_000 in by_n:
        for e in by_n[10_000]["runs"]:
            if e in by_n[100_000]["runs"]:
                g = by_n[100_000]["runs"][e]["total_s"] / by_n[10_000]["runs"][e]["total_s"]
                add(f"  growth 100k / 10k ({e}): {g:.1f}× (target ≤ {TARGET_GROWTH}×: {_verdict(g, TARGET_GROWTH)})")
    pr = projection(points)
    add(f"  projection, 1,000,000 articles ({pr['basis']}; {pr['ms_per_article']:.1f} worker-ms an article): "
        f"{pr['partitions']:,} partitions, {pr['worker_hours']:.1f} worker-hours → at least {pr['workers']} "
        "single-core workers for one hour (map steps only; the reduce merges per-document sums in the client)")
    return lines


def figures(sizes, *, engines=("processes", "local", "local1"), large_engines=("processes",),
            folder: str | os.PathLike | None = None, json_out: str | None = None, echo=print) -> list[str]:
    """Measure each size (engines ``engines`` up to 10,000 articles, ``large_engines`` above)
    and return :func:`report`'s lines. ``folder`` keeps corpora, stores and each measurement
    (a second call reuses them); default a temporary folder, removed."""
    tmp = None
    root = Path(folder) if folder else Path(tmp := tempfile.mkdtemp(prefix="framelens-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    points = []
    try:
        for n in sorted(sizes):
            echo(f"{n:,} articles:")
            points.append(measure(n, list(engines if n <= 10_000 else large_engines), root, echo=echo))
            if json_out:
                Path(json_out).write_text(json.dumps(points, indent=1))
        return report(points)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m framelens.scale_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--engines", nargs="+", default=["processes", "local", "local1"])
    ap.add_argument("--large-engines", nargs="+", default=["processes"],
                    help="engines for sizes above 10,000 (default: the process pool only)")
    ap.add_argument("--folder", default=None, help="where corpora and stores go (default: a temporary folder)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    for line in figures(args.sizes, engines=args.engines, large_engines=args.large_engines, folder=args.folder,
                        json_out=args.json, echo=lambda s: print(s, flush=True)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
