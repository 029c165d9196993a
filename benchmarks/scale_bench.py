"""Scale benchmark (``make bench-scale``): prints figures, asserts nothing.

**A whole run at scale** (the default; issue 20). For each size (``--sizes``, default 10,000 and
100,000 generated articles: 40 outlets, dated, sentences ≥ 95% distinct —
:func:`benchmarks.bench.generate_corpus`), a whole default ``framelens run`` (no actor table, no
parameters; ``--jobs 2``; ``--store`` only so the store can be measured after the run), once on
the process pool and once on a Dask LocalCluster (``--dask local``), each in a fresh process
watched by :class:`benchmarks.bench.TreeSampler`. It prints, per run:

* the wall time of each phase, read from the run's ``provenance.json`` (``timings``, written by
  the runner: load, ingest or store corpus, each part, each part's map steps and reduce,
  articles, notebooks) and the whole run;
* the peak memory (``VmHWM``) of every process of the run: the client, pool or Dask workers, the
  notebook kernels;
* the size of the lens store and of the site (and of its article pages);

then the targets of issue 20 beside the figures: any process < 1 GB at 10 k and < 2 GB at 100 k,
peak growth 100 k / 10 k ≤ 2×, a 10 k run ≤ 8 min.

**The store path alone** (``--store-only``; issue 11): streaming ingest, then the sentiment and
framing parts with the packaged actor table given, on a local process pool of 2, a Dask
LocalCluster of 2 workers and one of 1 worker: wall time, peak RSS of the client and of each
worker; the raw floor (single-core VADER + TextBlob PatternAnalyzer + tokenizer); growth, speed-up
and a 1 M-article projection.

Usage: ``python -m benchmarks.scale_bench [--sizes 10000 100000] [--engines processes local]
[--folder DIR] [--json FILE]``, or ``--store-only [--engines processes local local1]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import child_env

TARGET_GROWTH = 11.0
TARGET_MB = {10_000: 1024, 100_000: 2048}
TARGET_RAW_RATIO = 1.0


def make_corpus(dest: Path, n: int, *, seed: int = 0) -> Path:
    """A gzip'd JSONL corpus of ``n`` synthetic articles (40 outlets)."""
    import gzip

    from benchmarks.bench import generate_corpus  # the ≥95%-distinct generator (issue 10's benchmark)

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

    from framelens import config
    from framelens.core.engine import get_engine
    from framelens.store.lens_store import LensStore

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
    from framelens.lenses.context import pattern_lexicon, vader_analyzer
    from framelens.store.lens_store import LensStore
    from framelens.tables.parquet import read_table
    from framelens.text.tokens import tokenize

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
    code = (f"import json,sys; from benchmarks.scale_bench import {func}; "
            f"print('@@' + json.dumps({func}(**json.loads(sys.argv[1]))))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True, text=True,
                          env=child_env())
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


# ---------------------------------------------------------------------------------------------
# a whole default run (issue 20)

#: Targets of a whole default run (printed, never asserted).
WHOLE_TARGET_MB = {10_000: 1024, 100_000: 2048}
WHOLE_TARGET_GROWTH = 2.0
WHOLE_TARGET_WALL_S = {10_000: 480.0}


def make_news(dest: Path, n: int, *, seed: int = 0) -> Path:
    """A JSONL corpus of ``n`` generated, dated articles from 40 outlets (≥ 95% distinct sentences)."""
    from benchmarks.bench import generate_corpus

    generate_corpus(dest, n, n_sources=40, seed=seed)
    return dest


def folder_size(path: Path) -> dict[str, Any]:
    """Bytes and files under ``path`` (0 when it does not exist)."""
    total = files = 0
    if Path(path).exists():
        for p in Path(path).rglob("*"):
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
                files += 1
    return {"bytes": total, "files": files}


def process_role(cmdline: str, *, is_main: bool = False, child_of_main: bool = True) -> str:
    """What a process of a run is, from its command line: ``client`` (the ``framelens run``
    process), ``kernel`` (a notebook's, forked by the ``zygote`` or started as a new process),
    ``forkserver`` / ``tracker`` (multiprocessing's helpers;
    the forkserver's children, the pool workers, share its command line but not its parent),
    else ``worker`` (a process-pool or Dask worker, or a Dask nanny)."""
    if is_main:
        return "client"
    if "ipykernel" in cmdline:
        return "kernel"
    if "zygote_main" in cmdline:  # the run's zygote, and the kernels it forks (its children)
        return "zygote" if child_of_main else "kernel"
    if "resource_tracker" in cmdline or "semaphore_tracker" in cmdline:
        return "tracker"
    if "forkserver" in cmdline and child_of_main:
        return "forkserver"
    return "worker"


def whole_run(corpus: Path, out: Path, store: Path, *, dask: str | None = None, jobs: int = 2,
              echo=None) -> dict[str, Any]:
    """One whole ``framelens run`` (the CLI in a fresh process, default options) on ``corpus``
    into ``out``, its store kept in ``store``; every process of its tree sampled. Returns the
    run's exit status, wall time, timings (from ``provenance.json``), each process's peak memory
    and role, and the sizes of the store, the site and the article pages."""
    import psutil

    from benchmarks.bench import TreeSampler

    cmd = [sys.executable, "-m", "framelens", "run", "--corpus", str(corpus), "--out", str(out),
           "--store", str(store), "--jobs", str(jobs)] + (["--dask", dask] if dask else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    sampler = TreeSampler(proc.pid)
    roles: dict[int, str] = {}
    orig_sample = sampler.sample

    main_cmd: list[str] = []

    def sample() -> None:  # the tree sampler, also noting what each process is
        orig_sample()
        for pid in list(sampler.procs):
            try:
                ps = psutil.Process(pid)
                cmd = ps.cmdline()
                if pid == proc.pid:
                    main_cmd[:] = cmd
                elif main_cmd and cmd == main_cmd:
                    # a fork of the client not yet exec'd (a kernel being started): it shows the
                    # client's own VmHWM; forgotten until it runs its own program
                    del sampler.procs[pid]
                    roles.pop(pid, None)
                    continue
                if pid not in roles:
                    roles[pid] = process_role(" ".join(cmd), is_main=pid == proc.pid,
                                              child_of_main=ps.ppid() == proc.pid)
            except (psutil.Error, KeyError):
                roles.setdefault(pid, "worker")

    sampler.sample = sample  # type: ignore[method-assign]
    sampler.start()
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if echo:
            echo("    " + line.rstrip("\n"))
    rc = proc.wait()
    wall = time.perf_counter() - t0
    tree = sampler.stop()
    for r in tree["processes"]:
        r["role"] = roles.get(r["pid"], r["role"])
    try:
        prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        prov = {}
    return {"exit": rc, "wall_s": wall, "command": " ".join(cmd[1:]), "engine": dask or "processes",
            "timings": prov.get("timings", []), "duration_s": prov.get("duration_s"),
            "documents": prov.get("corpus", {}).get("n_documents"),
            "failed": [r.get("name") for r in prov.get("results", []) if r.get("status") != "ok"],
            "notebooks": len(prov.get("results", [])),
            "processes": tree["processes"], "tree_peak_mb": tree["tree_peak_mb"],
            "store": folder_size(store), "site": folder_size(out), "articles": folder_size(out / "articles"),
            "tail": lines[-5:]}


def phase_name(phase: Any) -> str:
    """A phase's name with the step it counts taken off ("reuse: verifying candidate sentence
    pairs (shard 3 of 25)" → "reuse: verifying candidate sentence pairs"), so its steps are one entry."""
    return re.sub(r" \(shard \d+ of \d+\)$", "", str(phase))


def phase_seconds(timings: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds per phase, in run order; a phase that occurs several times (a part computed once
    per source or per selection, the shards of a reuse step) is summed."""
    out: dict[str, float] = {}
    for t in timings:
        name = phase_name(t["phase"])
        out[name] = out.get(name, 0.0) + float(t["seconds"])
    return out


def part_peak_mb(timings: list[dict[str, Any]]) -> dict[str, float]:
    """The largest ``peak_mb`` recorded for each phase that has one (the store parts), largest first."""
    out: dict[str, float] = {}
    for t in timings:
        if t.get("peak_mb") is not None:
            out[str(t["phase"])] = max(out.get(str(t["phase"]), 0.0), float(t["peak_mb"]))
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def peaks_by_role(processes: list[dict[str, Any]], *, floor_mb: float = 0.0) -> dict[str, list[float]]:
    """Peak memory (MB) of the processes of each role, largest first (those above ``floor_mb``)."""
    out: dict[str, list[float]] = {}
    for r in processes:
        if r["peak_mb"] >= floor_mb:
            out.setdefault(r["role"], []).append(float(r["peak_mb"]))
    return {k: sorted(v, reverse=True) for k, v in out.items()}


def _mb_text(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f} MB" if n_bytes >= 2**20 else f"{n_bytes / 1024:,.0f} KB"


def whole_report(points: list[dict[str, Any]]) -> list[str]:
    """The figures of issue 20, one block per size and engine, then the targets."""
    lines = ["Whole default run at scale (issue 20; printed, never asserted)"]
    add = lines.append
    peak_of: dict[tuple[int, str], float] = {}
    for p in points:
        n = p["n"]
        for e, r in p["runs"].items():
            status = "ok" if r["exit"] == 0 else f"exit {r['exit']}"
            if r.get("failed"):
                status += f", {len(r['failed'])} notebook(s) failed: {', '.join(map(str, r['failed'][:3]))}"
            add(f"  {n:>7,} articles, {e}: wall {r['wall_s']:.1f} s ({status}; {r.get('notebooks', 0)} notebooks)")
            secs = phase_seconds(r["timings"])
            times = Counter(phase_name(t["phase"]) for t in r["timings"])
            if secs:
                add("    phases (parts computed side by side overlap; 'store' is their wall time): "
                    + " · ".join(f"{k} {v:.1f} s" + (f" (×{times[k]})" if times.get(k, 1) > 1 else "")
                                 for k, v in secs.items()))
            part_peaks = part_peak_mb(r["timings"])
            if part_peaks:
                add("    peak memory of the process computing each part (its reduce; MB): "
                    + " · ".join(f"{k.removeprefix('part ')} {v:,.0f}" for k, v in part_peaks.items()))
            roles = peaks_by_role(r["processes"])
            peak = max((m for v in roles.values() for m in v), default=0.0)
            peak_of[(n, e)] = peak
            parts = []
            for role in ("client", "worker", "kernel", "zygote", "forkserver", "tracker"):
                if role in roles:
                    v = roles[role]
                    shown = ", ".join(f"{m:.0f}" for m in v[:6]) + (f", … ({len(v)} in all)" if len(v) > 6 else "")
                    parts.append(f"{role}{'s' * (len(v) > 1 and role != 'client')} {shown} MB")
            tgt = WHOLE_TARGET_MB.get(n)
            add("    peak memory: " + "; ".join(parts))
            add(f"    largest process {peak:.0f} MB" + (f" (target < {tgt} MB: {_verdict(peak, tgt)})" if tgt else "")
                + f"; all processes at once {r['tree_peak_mb']:.0f} MB")
            add(f"    sizes: store {_mb_text(r['store']['bytes'])} ({r['store']['files']:,} files); site "
                f"{_mb_text(r['site']['bytes'])} ({r['site']['files']:,} files), of which article pages "
                f"{_mb_text(r['articles']['bytes'])} ({r['articles']['files']:,} files)")
            wt = WHOLE_TARGET_WALL_S.get(n)
            if wt:
                add(f"    wall time target ≤ {wt / 60:.0f} min: {_verdict(r['wall_s'], wt)}")
    sizes = sorted({n for n, _ in peak_of})
    for e in sorted({e for _, e in peak_of}):
        if 10_000 in sizes and 100_000 in sizes and (10_000, e) in peak_of and (100_000, e) in peak_of:
            g = peak_of[(100_000, e)] / max(peak_of[(10_000, e)], 1e-9)
            add(f"  peak memory growth 100k / 10k ({e}): {g:.2f}× (target ≤ {WHOLE_TARGET_GROWTH:.0f}×: "
                f"{_verdict(g, WHOLE_TARGET_GROWTH)})")
        elif len(sizes) >= 2 and (sizes[0], e) in peak_of and (sizes[-1], e) in peak_of:
            g = peak_of[(sizes[-1], e)] / max(peak_of[(sizes[0], e)], 1e-9)
            add(f"  peak memory growth {sizes[-1]:,} / {sizes[0]:,} ({e}): {g:.2f}×")
    return lines


def measure_whole(n: int, engines: list[str], folder: Path, echo=print) -> dict[str, Any]:
    """A whole run on ``n`` generated articles for each engine (``processes`` or ``local``); a
    run already measured in ``folder`` (``whole-<n>-<engine>.json``) is reused."""
    corpus = folder / f"news-{n}.jsonl"
    if not corpus.exists():
        t = time.perf_counter()
        make_news(corpus, n)
        echo(f"  generated {n:,} articles in {time.perf_counter() - t:.0f} s")
    out: dict[str, Any] = {"n": n, "runs": {}}
    for e in engines:
        done = folder / f"whole-{n}-{e}.json"
        if done.exists():
            out["runs"][e] = json.loads(done.read_text())
            echo(f"  {e}: measured before ({done.name}); reused")
            continue
        site, store = folder / f"site-{n}-{e}", folder / f"store-{n}-{e}"
        for d in (site, store):
            shutil.rmtree(d, ignore_errors=True)  # from an empty store and a new site, never a kept one
        echo(f"  {e}: framelens run on {n:,} articles")
        r = whole_run(corpus, site, store, dask=None if e == "processes" else e, echo=echo)
        done.write_text(json.dumps(r))
        out["runs"][e] = r
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
    return out


def whole_figures(sizes, *, engines=("processes", "local"), folder: str | os.PathLike | None = None,
                  json_out: str | None = None, echo=print) -> list[str]:
    """Measure a whole run at each size on each engine; return :func:`whole_report`'s lines."""
    tmp = None
    root = Path(folder) if folder else Path(tmp := tempfile.mkdtemp(prefix="framelens-whole-"))
    root.mkdir(parents=True, exist_ok=True)
    points = []
    try:
        for n in sorted(sizes):
            echo(f"{n:,} articles:")
            points.append(measure_whole(n, list(engines), root, echo=echo))
            if json_out:
                Path(json_out).write_text(json.dumps(points, indent=1))
        return whole_report(points)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--engines", nargs="+", default=None,
                    help="whole run: processes and/or local (a Dask LocalCluster; default both); "
                         "--store-only: processes, local, local1 (default all three)")
    ap.add_argument("--store-only", action="store_true",
                    help="measure the store path alone (ingest, sentiment, framing with an actor table)")
    ap.add_argument("--large-engines", nargs="+", default=["processes"],
                    help="--store-only: engines for sizes above 10,000 (default: the process pool only)")
    ap.add_argument("--folder", default=None, help="where corpora and stores go (default: a temporary folder)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    echo = lambda s: print(s, flush=True)  # noqa: E731
    if args.store_only:
        lines = figures(args.sizes, engines=args.engines or ["processes", "local", "local1"],
                        large_engines=args.large_engines, folder=args.folder, json_out=args.json, echo=echo)
    else:
        lines = whole_figures(args.sizes, engines=args.engines or ["processes", "local"], folder=args.folder,
                              json_out=args.json, echo=echo)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
