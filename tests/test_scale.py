"""Past one machine: streaming readers, the partitioned corpus, map/reduce parts and the Dask engine."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import signal
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framelens import FramelensError
from framelens.store import ingest
from framelens.store import parts
from framelens.lenses import stats
from framelens.store import lens_store as store
import framelens

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ROWS = [
    {"id": "a1", "source": "north", "outlet": "North Post", "published": "2025-03-02",
     "text": "The minister praised the new rail link. Officials said the deal was a great success."},
    {"id": "a2", "source": "north", "outlet": "North Post", "published": "2025-03-03",
     "text": "Critics warned the costs were terrible. The project faces hard questions."},
    {"id": "b1", "source": "south", "outlet": "South Wire", "published": "2025-03-04",
     "text": "The rail deal was signed on Monday. Both sides welcomed a good agreement."},
]


def _quiet_load(path):
    import framelens

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return framelens.load_corpus(path)


# ------------------------------------------------------------------ streaming readers


def _write_jsonl_gz(path: Path, rows) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return path


def _write_csv_gz(path: Path, rows) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    return path


def _write_parquet(path: Path, rows) -> Path:
    pd.DataFrame(rows).to_parquet(path)
    return path


@pytest.mark.parametrize("writer,name", [(_write_jsonl_gz, "c.jsonl.gz"), (_write_csv_gz, "c.csv.gz"),
                                         (_write_parquet, "c.parquet")])
def test_each_format_streams_in_batches_with_known_tables(tmp_path, writer, name):
    path = writer(tmp_path / name, ROWS)
    batches = list(ingest.read_batches(path, batch_documents=2))
    assert [[d["doc_id"] for d in b] for b in batches] == [["a1", "a2"], ["b1"]]
    assert batches[0][1]["raw"] == ROWS[1]["text"] and batches[1][0]["outlet"] == "South Wire"
    corp = _quiet_load(path)
    assert corp.documents["doc_id"].tolist() == ["a1", "a2", "b1"]
    assert corp.sources == ["north", "south"]
    assert corp.sentences["text"].tolist()[:2] == ["The minister praised the new rail link.",
                                                   "Officials said the deal was a great success."]
    assert len(corp.sentences) == 6 and corp.documents["published"].dt.day.tolist() == [2, 3, 4]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_ingested_partitions_equal_the_loaded_corpus(tmp_path):
    """Any batch size gives the same corpus as load_corpus, collocations decided from merged counts."""
    ref = _quiet_load(SEEDS)
    for size in (1, 2, 1000):
        folder = tmp_path / f"corpus-{size}"
        ingest.ingest(SEEDS, folder, batch_documents=size)
        assert len(store.partition_dirs(folder)) == math.ceil(5 / size)
        got = store.read_corpus(folder)
        for table in store.CORPUS_TABLES:
            pd.testing.assert_frame_equal(getattr(got, table), getattr(ref, table), obj=f"{table} ({size})")


def _err(path) -> str:
    with pytest.raises(FramelensError) as e:
        for _ in ingest.read_batches(path):
            pass
    return str(e.value)


def test_bad_streamed_input_names_the_file_and_line_or_row(tmp_path):
    j = tmp_path / "bad.jsonl.gz"
    with gzip.open(j, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "x", "text": "Fine."}) + "\n{not json\n")
    assert _err(j) == f"{j}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    with gzip.open(j, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "x", "text": "Fine."}) + "\n" + json.dumps({"id": "x", "text": "Again."}) + "\n")
    assert _err(j) == f"{j}:2: duplicate id 'x' (first on line 1)"
    with gzip.open(j, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "y", "text": 3}) + "\n")
    assert _err(j) == f"{j}:1: 'text' must be a string, found a number (3)"
    j.write_bytes(b"not gzip at all")
    assert _err(j) == f"{j}: not a gzip file (the name ends in .gz)"
    j.write_bytes(gzip.compress("".join(json.dumps({"id": f"d{i}", "text": "Fine."}) + "\n"
                                        for i in range(50)).encode())[:-12])
    assert _err(j).startswith(f"{j}: truncated gzip file")

    c = tmp_path / "bad.csv.gz"
    _write_csv_gz(c, ROWS)
    data = gzip.decompress(c.read_bytes()).decode() + "z9,south,Odd,2025-03-05\n"
    c.write_bytes(gzip.compress(data.encode()))
    assert _err(c) == f"{c}:5: expected 5 fields, found 4"
    c.write_bytes(gzip.compress(b"id,source\nx,y\n"))
    assert _err(c) == f"{c}: no 'text' column (found: id, source)"
    c.write_bytes(gzip.compress(b"id,text\nx,ok\n\xff\xfe,bad\n"))
    assert _err(c) == f"{c}:3: not UTF-8 text (undecodable byte 0xff)"

    p = tmp_path / "bad.parquet"
    _write_parquet(p, [{"id": "a", "text": "Fine text."}, {"id": "b", "text": "  "}])
    assert _err(p) == f"{p}: row 2: 'b' has an empty 'text'"
    _write_parquet(p, [{"id": "a", "text": "Fine."}, {"id": "a", "text": "Twice."}])
    assert _err(p) == f"{p}: row 2: duplicate id 'a' (first in row 1)"
    pd.DataFrame({"id": ["a"], "text": [1]}).to_parquet(p)
    assert _err(p) == f"{p}: column 'text' must hold text (strings), found int64"
    pd.DataFrame({"id": ["a"], "body": ["x"]}).to_parquet(p)
    assert _err(p) == f"{p}: no 'text' column (found: id, body)"
    p.write_bytes(b"PAR1 this is no parquet")
    assert _err(p).startswith(f"{p}: not a Parquet file")


# ------------------------------------------------------------------ stats behind the reduce


def test_cluster_bootstrap_and_permutation_known_answers():
    # two documents: sums 3 and 1 over 2 and 2 sentences → mean 1.0; resamples are {3+3, 3+1, 1+1}/4
    est, lo, hi = stats.cluster_bootstrap([3.0, 1.0], [2, 2], n_resamples=4000, seed=1)
    assert est == 1.0 and lo == 0.5 and hi == 1.5
    # one document per sentence (counts 1): identical to the plain sentence bootstrap, draw for draw
    x = np.array([0.1, -0.4, 0.3, 0.9, 0.0])
    assert stats.cluster_bootstrap(x, np.ones(5), seed=3) == pytest.approx(stats.bootstrap_ci(x, seed=3), abs=1e-12)
    # relabelling whole documents: a = {[2,2] | 1 doc}, b = {[0,0]} → C(2,1) = 2 labellings, both |diff| = 2
    assert stats.cluster_permutation_test([4.0], [2], [0.0], [2]) == (2.0, 1.0)
    a, b = np.array([0.5, 0.7, 0.2]), np.array([-0.3, 0.1, -0.6, -0.2])
    assert stats.cluster_permutation_test(a, np.ones(3), b, np.ones(4), n_permutations=100, seed=0) == \
        pytest.approx(stats.permutation_test(a, b, n_permutations=100, seed=0))


def test_binned_spearman_equals_spearman_without_ties_within_bins():
    a = np.array([0.1, 0.5, -0.2, 0.9, 0.3])
    b = np.array([0.0, 0.4, -0.8, 0.2, 0.6])
    m = np.zeros((401, 401))
    from framelens.lenses.sentiment import _bin_scores

    np.add.at(m, (_bin_scores(a), _bin_scores(b)), 1)
    # ranks a: 2,4,1,5,3; b: 2,4,1,3,5 → d² = 0,0,0,4,4 → 1 − 6·8/(5·24) = 0.6
    assert stats.binned_spearman(m) == pytest.approx(0.6)


# ------------------------------------------------------------------ map/reduce parts


@pytest.fixture(scope="module")
def grouped(tmp_path_factory) -> Path:
    """The seed articles cut into 3 articles each (units of several documents) plus one unit of a
    single article, as JSONL."""
    seeds = _quiet_load(SEEDS)
    path = tmp_path_factory.mktemp("grouped") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for doc_id, g in seeds.paragraphs[seeds.paragraphs["kind"] == "body"].groupby("doc_id", sort=False):
            src = str(g["source"].iloc[0])
            for k, chunk in enumerate(np.array_split(g["text"].to_numpy(), 3)):
                fh.write(json.dumps({"id": f"{doc_id}-{k}", "source": src, "text": "\n\n".join(chunk)}) + "\n")
        g = seeds.paragraphs[(seeds.paragraphs["doc_id"] == seeds.documents["doc_id"].iloc[0])
                             & (seeds.paragraphs["kind"] == "body")]
        fh.write(json.dumps({"id": "solo", "source": "solo", "text": "\n\n".join(g["text"].tolist()[:4])}) + "\n")
    return path


SMALL = {"n_resamples": 300, "n_permutations": 300}


def _memory_sentiment(corp, k: int):
    acts = parts.compute_in_memory("actors", corp)
    opts = parts.resolve_options("sentiment", SMALL)
    return parts.compute_part("sentiment", corp, opts, {"actors": acts}, partitions=k)[0]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_any_partitioning_gives_the_same_sentiment_tables(grouped):
    corp = _quiet_load(grouped)
    one = _memory_sentiment(corp, 1)
    for k in (2, 4, 7):
        other = _memory_sentiment(corp, k)
        assert list(other) == list(one)
        for name, df in one.items():
            pd.testing.assert_frame_equal(other[name], df, obj=f"{name} (k={k})")
    # estimates never change: each unit's mean is its mean over sentences
    from framelens.lenses import sentiment

    scores = sentiment.sentence_scores(corp)
    means = scores.groupby("source", sort=False)["vader_compound"].mean()
    pd.testing.assert_series_equal(one["intervals"].set_index("source")["mean"], means, check_names=False)
    pd.testing.assert_frame_equal(one["by_source"], sentiment.aggregate(scores, by=("source",)))
    pd.testing.assert_frame_equal(one["arc"], sentiment.arc(scores))
    # one path: the whole-corpus functions are the reduce (documents resampled when a unit has several)
    pd.testing.assert_frame_equal(one["intervals"], sentiment.source_intervals(scores, n_resamples=300))
    pd.testing.assert_frame_equal(one["subjectivity"], sentiment.subjectivity(scores, n_resamples=300))
    pd.testing.assert_frame_equal(one["method_agreement"], sentiment.method_agreement(scores))
    new = one["intervals"].set_index("source")
    # a unit of one document resamples its sentences: the plain sentence bootstrap
    solo = scores.loc[scores["source"] == "solo", "vader_compound"]
    assert new.loc["solo", ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx(
        list(stats.bootstrap_ci(solo, n_resamples=300)))
    # several documents: documents are resampled, so the interval is not the sentence bootstrap's
    cgtn = scores.loc[scores["source"] == "cgtn", "vader_compound"]
    assert new.loc["cgtn", "ci_low"] != pytest.approx(stats.bootstrap_ci(cgtn, n_resamples=300)[1])
    # Spearman's coefficient from the joint histogram stays near the exact one
    agree = one["method_agreement"].set_index("source")
    exact = scores.groupby("source", sort=False)[["vader_compound", "textblob_polarity"]].corr(method="spearman")
    exact = exact.xs("vader_compound", level=1)["textblob_polarity"]
    assert np.nanmax(np.abs(agree["spearman"].drop("all") - exact.reindex(agree.index.drop("all")))) < 0.05


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_framing_part_is_the_same_for_any_partitioning_and_fold_size(grouped):
    from framelens.lenses import framing

    corp = _quiet_load(grouped)
    acts = parts.compute_in_memory("actors", corp)
    opts = parts.resolve_options("framing", {"n_resamples": 300})
    whole, _ = parts.PARTS["framing"].compute(corp, {k: opts[k] for k in parts.PARTS["framing"].all_options()},
                                              {"actors": acts})
    for k, fold_rows in ((1, 500_000), (3, 500_000), (16, 500_000), (7, 1)):
        framing.FOLD_ROWS = fold_rows  # 1: counts merged after every partition
        try:
            got, _ = parts.compute_part("framing", corp, opts, {"actors": acts}, partitions=k)
        finally:
            framing.FOLD_ROWS = 500_000
        for name, df in whole.items():
            pd.testing.assert_frame_equal(got[name], df, obj=f"{name} (k={k})")
    sal = whole["salience"].drop_duplicates("source").set_index("source")
    assert sal.loc["cgtn", "unit"] == "document" and sal.loc["cgtn", "n_units"] == 3
    assert sal.loc["solo", "unit"] == "sentence"


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_the_store_computes_map_reduce_parts_over_its_partitions(tmp_path, grouped, monkeypatch):
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 4)
    lens = store.LensStore(tmp_path / "s", grouped)
    tables = lens.part("sentiment", **SMALL)
    assert len(lens.partitions()) == 4 and tables.is_partitioned("sentences")
    memory = _memory_sentiment(_quiet_load(grouped), 1)
    for name, df in memory.items():
        pd.testing.assert_frame_equal(tables[name], df, obj=name)
    # evidence by id, read from the partitions holding it
    ids = ["solo:s1", "cgtn-0:s0"]
    ev = store.LensStore(tmp_path / "s", grouped).evidence(ids)
    assert ev["sent_id"].tolist() == ids and ev.loc[0, "source"] == "solo"
    assert ev.loc[1, "text"] == tables["sentences"].set_index("sent_id").loc["cgtn-0:s0", "text"]


@pytest.mark.slow  # no kernel or process, but ≥ 0.3 s (make test-fast skips it)
def test_report_03_lists_from_the_stored_top_rows_equal_those_of_every_sentence(tmp_path, grouped, monkeypatch):
    # report 03 takes its most positive / negative and most subjective sentences from the part's
    # stored top rows (STORED_TOP per unit, merged over 4 partitions) instead of sorting the whole
    # per-sentence table: the same rows, for every top up to STORED_TOP; above it, from the table
    from framelens.lenses import sentiment

    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 4)
    tables = store.LensStore(tmp_path / "s", grouped).part("sentiment", **SMALL)
    scores = tables.scan("sentences", columns=sentiment.SHOWN_COLUMNS)
    assert sentiment.STORED_TOP == 5 and len(tables["extremes"]) < len(scores) / 5
    for k in range(1, sentiment.STORED_TOP + 2):
        pd.testing.assert_frame_equal(sentiment.shown_extremes(tables, scores, top=k),
                                      sentiment.extremes(scores, top=k), obj=f"extremes top {k}")
        pd.testing.assert_frame_equal(sentiment.shown_most_subjective(tables, scores, top=k),
                                      sentiment.most_subjective(scores, top=k), obj=f"most subjective top {k}")
    assert len(sentiment.shown_extremes(tables, scores, top=5)) > len(sentiment.shown_extremes(tables, scores, top=2))
    assert "text" not in sentiment.shown_extremes(tables, scores, top=2).columns  # as from the scores read without it


@pytest.mark.notebook  # slow: a process pool and whole lens parts (make test-fast skips it)
def test_a_store_without_an_engine_maps_on_the_cores_with_the_same_tables(tmp_path, grouped, monkeypatch):
    # issue 24, "both cores used": above the pool's threshold an engine-less store (open_store, the
    # notebooks) maps its partitions on a process pool; the tables are the serial ones
    from framelens.core import engine

    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 4)
    monkeypatch.setattr(engine, "PARALLEL_SENTENCES", 0)  # the seeds are far below the real threshold
    monkeypatch.setattr(engine, "available_cores", lambda: 2)
    made = []
    auto = engine.auto_engine
    monkeypatch.setattr(store, "auto_engine", lambda **kw: made.append(auto(**kw)) or made[-1])  # where the store calls it
    tables = store.LensStore(tmp_path / "s", grouped).part("sentiment", **SMALL)
    assert [(e.name, e.workers) for e in made] == [("processes", 2), ("processes", 2)]  # actors, sentiment
    assert all(e._pool is None for e in made)  # each closed after its part
    memory = _memory_sentiment(_quiet_load(grouped), 1)
    for name, df in memory.items():
        pd.testing.assert_frame_equal(tables[name], df, obj=name)


@pytest.mark.notebook  # slow: a process pool and whole lens parts (make test-fast skips it)
def test_a_part_beside_others_maps_in_a_child_and_reduces_with_the_same_tables(tmp_path, grouped, monkeypatch):
    # issue 20: a part computed in a pool worker (beside others) over many partitions maps them in a
    # one-process pool, closed before its reduce (which then sees a serial engine, as before)
    from framelens.core import engine

    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 4)
    monkeypatch.setattr(engine, "PARALLEL_SENTENCES", 0)
    monkeypatch.setattr(engine, "FRESH_WORKER_PARTITIONS", 2)
    monkeypatch.setattr(engine, "_IN_POOL_WORKER", True)  # what worker_init sets in a part worker
    made, reduced = [], []
    auto = engine.auto_engine
    monkeypatch.setattr(store, "auto_engine", lambda **kw: made.append(auto(**kw)) or made[-1])
    real = store.Reduction
    monkeypatch.setattr(store, "Reduction", lambda *a, **k: reduced.append(real(*a, **k)) or reduced[-1])
    tables = store.LensStore(tmp_path / "s", grouped).part("sentiment", **SMALL)
    assert len(list((tmp_path / "s").glob("corpus-*/partitions/*"))) >= 2
    assert [(e.name, e.workers) for e in made] == [("processes", 1), ("processes", 1)]  # actors, sentiment
    assert all(e._pool is None for e in made)  # each child gone before its part's reduce
    assert [(r.engine.name, r.engine.workers, r.auto_engine) for r in reduced] == [("serial", 1, True)] * 2
    memory = _memory_sentiment(_quiet_load(grouped), 1)
    for name, df in memory.items():
        pd.testing.assert_frame_equal(tables[name], df, obj=name)


@pytest.mark.notebook  # slow: a process pool and whole lens parts (make test-fast skips it)
def test_parts_one_after_another_on_the_pool_give_the_serial_tables(tmp_path, grouped, monkeypatch):
    # sentiment beside framing over more partitions than workers: each maps on both workers in turn
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 3)
    reqs = [("sentiment", SMALL), ("framing", {"n_resamples": 300})]
    lines: list[str] = []
    assert framelens.compute(grouped, store=tmp_path / "pool", requests=reqs, workers=2, progress=lines.append) == []
    assert framelens.compute(grouped, store=tmp_path / "serial", requests=reqs) == []
    assert len(list((tmp_path / "pool").glob("corpus-*/partitions/*"))) >= 2
    for name, opts in reqs:
        a, b = _tables(tmp_path / "serial", grouped, name, opts), _tables(tmp_path / "pool", grouped, name, opts)
        for k in a:
            pd.testing.assert_frame_equal(b[k], a[k], obj=f"{name}.{k}")


# ------------------------------------------------------------------ Dask


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    from framelens.core.engine import local_cluster

    cluster, client = local_cluster(2, memory_limit="1.5GB")
    yield client
    client.close()
    cluster.close()


REQUESTS = [("sentiment", SMALL), ("framing", {"n_resamples": 300}), ("vocabulary", {}), ("reuse", {}),
            ("over_time", {"n_resamples": 200}), ("overview", {})]


def _tables(root: Path, corpus: Path, name: str, opts) -> dict[str, pd.DataFrame]:
    t = store.LensStore(root, corpus).part(name, **opts)
    return {k: t[k] for k in t}


@pytest.mark.notebook
def test_the_dask_path_gives_the_default_paths_tables(tmp_path, grouped, dask_client, monkeypatch):
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 3)
    assert framelens.compute(grouped, store=tmp_path / "default", requests=REQUESTS) == []
    assert framelens.compute(grouped, store=tmp_path / "dask", requests=REQUESTS, client=dask_client) == []
    a = store.read_corpus(next((tmp_path / "default").glob("corpus-*")))
    b = store.read_corpus(next((tmp_path / "dask").glob("corpus-*")))
    for t in store.CORPUS_TABLES:
        pd.testing.assert_frame_equal(getattr(b, t), getattr(a, t), obj=t)
    for name, opts in REQUESTS:
        da, db = _tables(tmp_path / "default", grouped, name, opts), _tables(tmp_path / "dask", grouped, name, opts)
        assert list(da) == list(db)
        for k in da:
            pd.testing.assert_frame_equal(db[k], da[k], obj=f"{name}.{k}")


@pytest.mark.notebook
def test_a_run_survives_a_killed_worker(tmp_path, grouped, dask_client, monkeypatch):
    """Kill one worker while the ingest map runs: Dask recomputes its partitions elsewhere."""
    monkeypatch.setattr(ingest, "PARTITION_DOCUMENTS", 1)
    pids = dask_client.run(os.getpid)
    result: dict = {}

    def run():
        try:
            result["failures"] = framelens.compute(grouped, store=tmp_path / "k", requests=[("sentiment", SMALL)],
                                               client=dask_client)
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            result["error"] = exc

    th = threading.Thread(target=run)
    th.start()
    deadline = time.time() + 120
    killed = False
    while time.time() < deadline and th.is_alive():
        done = list((tmp_path / "k").glob(".tmp-corpus-*/partitions/*/tokens.parquet"))
        if len(done) >= 2:
            os.kill(list(pids.values())[0], signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    th.join(300)
    assert killed and "error" not in result and result["failures"] == []
    dask_client.wait_for_workers(2, timeout=60)
    got = _tables(tmp_path / "k", grouped, "sentiment", SMALL)
    want = _memory_sentiment(_quiet_load(grouped), 1)
    for k, df in want.items():
        pd.testing.assert_frame_equal(got[k], df, obj=k)


@pytest.mark.notebook  # starts a process (make test-fast skips it)
def test_engine_names_are_checked():
    from framelens.core.engine import Engine, PoolEngine, get_engine

    assert type(get_engine(None)) is Engine and isinstance(get_engine(None, workers=2), PoolEngine)
    with get_engine("processes", workers=2) as eng:
        assert eng.map(abs, [-1, 2, -3]) == [1, 2, 3]
    with pytest.raises(FramelensError, match="engine 'fast'"):
        get_engine("fast")


@pytest.mark.notebook
def test_an_unreachable_scheduler_is_a_one_line_error():
    from framelens.core.engine import get_engine

    with pytest.raises(FramelensError, match=r"^--dask tcp://127.0.0.1:1: cannot reach the Dask scheduler"):
        get_engine("tcp://127.0.0.1:1")  # waits for the connection timeout (10 s)


@pytest.mark.notebook
def test_framelens_run_dask_local_computes_the_store_on_a_local_cluster(tmp_path, tiny_corpus_dir):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "framelens", "run", "--corpus", str(tiny_corpus_dir), "--out",
                           str(tmp_path / "o"), "--only", "03", "--dask", "local", "--jobs", "2",
                           "--store", str(tmp_path / "s")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "framelens: lens store on dask LocalCluster (2 workers)" in proc.stderr
    prov = json.loads((tmp_path / "o" / "provenance.json").read_text())
    assert prov["store"]["engine"] == "dask LocalCluster (2 workers)"
    sent = store.LensStore(tmp_path / "s", tiny_corpus_dir).part("sentiment")
    assert sent.is_partitioned("sentences") and len(sent["intervals"]) == 3


def test_the_one_million_projection_is_linear_in_worker_seconds_through_the_two_largest_points():
    from benchmarks import scale_bench

    def point(n, runs):
        return {"n": n, "runs": {e: {"engine": e, "documents": n, "compute_s": c, "workers": w, "partitions": n // 1000}
                                 for e, (c, w) in runs.items()}}

    # the engine measured at both sizes (the process pool): 10 k: 60 s on 2 workers = 120 worker-s;
    # 100 k: 500 s on 2 workers = 1,000 worker-s. slope (1000 - 120) / 90,000 = 9.78 ms an article,
    # fixed part 120 - 97.8 = 22.2 s; 1 M articles: 22.2 + 9,777.8 = 9,800 worker-s = 2.72
    # worker-hours → 3 workers for one hour; 1,000-article partitions
    pts = [point(10_000, {"processes": (60.0, 2), "local1": (100.0, 1)}), point(100_000, {"processes": (500.0, 2)})]
    pr = scale_bench.projection(pts)
    assert pr["ms_per_article"] == pytest.approx(880 / 90)
    assert pr["worker_hours"] == pytest.approx(9_800 / 3600)
    assert (pr["workers"], pr["partitions"]) == (3, 1000)
    # one point: the engine on the fewest workers (1 worker, 100 worker-s for 10 k) → 10,000 for 1 M
    one = scale_bench.projection(pts[:1])
    assert one["worker_hours"] == pytest.approx(10_000 / 3600) and one["basis"] == "proportional to 10,000 articles"


def _whole(wall, timings, procs, *, store=(3 * 2**20, 40), site=(5 * 2**20, 60), articles=(2**20, 30), exit=0):
    return {"exit": exit, "wall_s": wall, "timings": [{"phase": p, "seconds": s} for p, s in timings],
            "processes": [{"pid": k, "role": r, "peak_mb": m} for k, (r, m) in enumerate(procs)],
            "tree_peak_mb": sum(m for _, m in procs), "notebooks": 37, "failed": [],
            "store": {"bytes": store[0], "files": store[1]}, "site": {"bytes": site[0], "files": site[1]},
            "articles": {"bytes": articles[0], "files": articles[1]}}


def test_whole_run_report_reads_phases_memory_and_sizes():
    from benchmarks import scale_bench

    # a part computed once per source is summed: profile 2.0 + 3.0 = 5.0 s
    # ... and so are the shards of a reuse step: 1.5 + 2.5 = 4.0 s
    small = _whole(400.0, [("load", 10.0), ("ingest", 20.0), ("part profile", 2.0), ("part profile", 3.0),
                           ("reuse: verifying candidate sentence pairs (shard 1 of 2)", 1.5),
                           ("reuse: verifying candidate sentence pairs (shard 2 of 2)", 2.5),
                           ("articles", 7.5), ("notebooks", 100.0)],
                   [("client", 900.0), ("worker", 700.0), ("worker", 650.0), ("kernel", 300.0), ("forkserver", 20.0)])
    big = _whole(3000.0, [("load", 80.0)], [("client", 1900.0), ("worker", 1200.0), ("kernel", 310.0)])
    assert scale_bench.phase_seconds(small["timings"]) == {"load": 10.0, "ingest": 20.0, "part profile": 5.0,
                                                           "reuse: verifying candidate sentence pairs": 4.0,
                                                           "articles": 7.5, "notebooks": 100.0}
    assert scale_bench.peaks_by_role(small["processes"], floor_mb=100) == {
        "client": [900.0], "worker": [700.0, 650.0], "kernel": [300.0]}
    lines = scale_bench.whole_report([{"n": 10_000, "runs": {"processes": small}},
                                      {"n": 100_000, "runs": {"processes": big}}])
    text = "\n".join(lines)
    assert "10,000 articles, processes: wall 400.0 s (ok; 37 notebooks)" in text
    assert ("load 10.0 s · ingest 20.0 s · part profile 5.0 s (×2) · reuse: verifying candidate sentence pairs "
            "4.0 s (×2) · articles 7.5 s · notebooks 100.0 s") in text
    assert "peak memory: client 900 MB; workers 700, 650 MB; kernel 300 MB; forkserver 20 MB" in text
    assert "largest process 900 MB (target < 1024 MB: met); all processes at once 2570 MB" in text
    assert "largest process 1900 MB (target < 2048 MB: met)" in text
    assert "sizes: store 3 MB (40 files); site 5 MB (60 files), of which article pages 1 MB (30 files)" in text
    assert "wall time target ≤ 8 min: met" in text  # 400 s ≤ 480 s
    assert "peak memory growth 100k / 10k (processes): 2.11× (target ≤ 2×: NOT met)" in text  # 1900 / 900
    assert "each part" not in text  # no part peaks recorded: no line


def test_whole_run_report_names_the_part_that_needed_the_most_memory():
    from benchmarks import scale_bench

    run = _whole(400.0, [], [("client", 900.0)])
    run["timings"] = [{"phase": "part reuse", "seconds": 5, "peak_mb": 700}, {"phase": "ingest", "seconds": 3},
                      {"phase": "part profile", "seconds": 1, "peak_mb": 300},
                      {"phase": "part profile", "seconds": 1, "peak_mb": 1450}]
    assert scale_bench.part_peak_mb(run["timings"]) == {"part profile": 1450.0, "part reuse": 700.0}
    text = "\n".join(scale_bench.whole_report([{"n": 10_000, "runs": {"processes": run}}]))
    assert "peak memory of the process computing each part (its reduce; MB): profile 1,450 · reuse 700" in text


def test_process_roles_from_command_lines():
    from benchmarks.scale_bench import process_role

    assert process_role("python -m framelens run", is_main=True) == "client"
    assert process_role("python -m ipykernel_launcher -f kernel-1.json") == "kernel"
    assert process_role("python -c from multiprocessing.forkserver import main; main(3, 4)") == "forkserver"
    assert process_role("python -c from multiprocessing.forkserver import main; main(3, 4)",
                        child_of_main=False) == "worker"  # a pool worker forked by the forkserver
    assert process_role("python -c from multiprocessing.resource_tracker import main;main(5)") == "tracker"
    assert process_role("python -c from multiprocessing.spawn import spawn_main; spawn_main()") == "worker"
    zygote = "python -c from framelens.run.kernels import zygote_main; zygote_main()"
    assert process_role(zygote) == "zygote"
    assert process_role(zygote, child_of_main=False) == "kernel"  # a kernel it forked
