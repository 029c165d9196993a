"""Where the map steps run: in this process, in a local process pool, or on Dask.

framelens computes at scale as *map* steps — a pure function of one corpus partition (read from
the lens store by path, so only a path travels to a worker) — followed by a *reduce* in the
calling process that merges their small, text-free results (counts, sums, per-document rows).
An :class:`Engine` runs the map steps; it never schedules anything itself:

``serial``
    in this process, one partition after another (the default for small corpora);
``processes``
    a :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes;
``dask``
    a ``dask.distributed`` :class:`~distributed.Client`: a :class:`~distributed.LocalCluster`
    started here (``"local"``), a running scheduler (``"tcp://HOST:PORT"``), or a client you
    pass. Dask retries a task whose worker died on another worker (its partition is recomputed:
    map steps are pure and write their output atomically), so a run survives a lost worker.

On a cluster, every worker must have framelens installed and see the lens store at the same
path (a shared file system). Which is faster on one machine is measured by ``make bench``; the
default on one machine is the process pool (see :data:`DEFAULT_LOCAL` and the README's
"Larger corpora").

>>> with get_engine("serial") as eng:            # doctest: +SKIP
...     eng.map(len, ["ab", "c"])
[2, 1]
"""

from __future__ import annotations

import os
import threading
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Sequence

from framelens.errors import FramelensError

#: The engine ``workers > 1`` gives on one machine when no Dask client or address is named:
#: a process pool ("processes"), measured faster than a 2-worker LocalCluster on 2 cores
#: (see ``make bench``: the LocalCluster pays ~2-4 s to start its workers and ships every
#: partition's result through its scheduler).
DEFAULT_LOCAL = "processes"

#: From this many sentences on, a compute starts a process pool (for its partitions' map steps, or
#: its independent parts side by side: vocabulary beside actors, sentiment beside framing); below
#: it, the pool's start (a fork server, then each worker's imports: about 1-2 s) costs more than it
#: saves. A stored partition (1,000 news articles) holds about 22,000 sentences: any corpus of more
#: than one partition is far above it.
PARALLEL_SENTENCES = 5_000

_IN_POOL_WORKER = False  # set in every pool worker (worker_init): no pool is started inside a pool


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - no affinity on this platform
        return max(1, os.cpu_count() or 1)


def parallel_workers(workers: int | None, *, sentences: int, partitions: int | None = None,
                     cores: int | None = None, in_worker: bool | None = None) -> int:
    """How many processes a compute runs on — the one decision behind the process pool.

    Serial (1) inside a pool worker (no pool inside a pool), on one core, when one worker is asked,
    when the work is under :data:`PARALLEL_SENTENCES` sentences, or when map steps (``partitions``
    given) have a single partition to run. Else ``workers`` processes (``None``: as many as the
    machine has cores), at most ``cores`` (default: :func:`available_cores`) and at most
    ``partitions`` when given."""
    if in_worker if in_worker is not None else _IN_POOL_WORKER:
        return 1
    cores = max(1, int(cores if cores is not None else available_cores()))
    n = min(cores if workers is None else max(1, int(workers)), cores,
            max(1, int(partitions)) if partitions is not None else cores)
    return n if n > 1 and sentences >= PARALLEL_SENTENCES else 1


def parts_side_by_side(workers: int, *, parts: int, mapped: int, partitions: int) -> bool:
    """Whether a store computes ``parts`` independent parts side by side, one process each (else
    one after another, each mapping its ``partitions`` on the pool of ``workers``). Side by side
    when some of them are not map/reduce parts (only ``mapped`` are: the others run whole in one
    process) or when there are fewer partitions than workers (the maps could not fill the pool).
    When every part maps and the partitions fill the pool, one after another keeps every core busy
    to the end of each map, where side by side leaves a core idle once the shorter part is done."""
    if workers <= 1 or parts <= 1:
        return False
    return mapped < parts or partitions < workers


#: From this many corpus partitions on, a part computed beside others (in a pool worker, where no
#: pool of its own starts) maps them in one child process, not in itself (:func:`auto_engine`), and
#: each part computed beside others gets a fresh worker process (``framelens.store.compute``: a
#: part holds hundreds of MB that a reused worker would carry into the next one; at 10,000 articles
#: synthesis peaked at 634 MB in a reused worker, 473 MB in a fresh one). A
#: map loads the tagger, the lemmatizer's dictionary, the tone model and the codebook: about 550-680
#: MB that stay in the process that ran it (clearing every cache gives back 30 MB). Mapped in the
#: part's own worker at 100,000 articles, framing reduced on top of them (1,300 MB), 814 MB with its
#: maps elsewhere. A process start (about a second) is small beside such a part's maps.
FRESH_WORKER_PARTITIONS = 20


def auto_engine(*, partitions: int, sentences: int, in_worker: bool | None = None) -> "Engine":
    """The engine of map steps when none was given: a process pool on the machine's cores when
    :func:`parallel_workers` finds the work worth it, else this process — but for a large corpus
    (:data:`FRESH_WORKER_PARTITIONS`) in a pool worker, a pool of one: the maps run one after
    another as they would here (no more processes busy than before), in a child process that takes
    what they loaded with it when the engine is closed, so the part's reduce starts lean."""
    inside = _IN_POOL_WORKER if in_worker is None else in_worker
    n = parallel_workers(None, sentences=sentences, partitions=partitions, in_worker=inside)
    if inside and partitions >= FRESH_WORKER_PARTITIONS and sentences >= PARALLEL_SENTENCES:
        return PoolEngine(1)
    return get_engine(None, workers=n)


def _start_ticks(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), to tell it from a new
    process that reused its PID; None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int, ticks: int | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return ticks is None or _start_ticks(pid) in (None, ticks)


#: seconds between a pool worker's checks that the run that started it is alive
WATCH_SECONDS = 1.0


#: Arrow's allocators for the processes of a run, best first (see :func:`lean_arrow_memory`).
ARROW_POOLS = ("jemalloc", "system")
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def lean_arrow_memory() -> str:
    """Arrow's memory pool for this process and every process it starts (pool and Dask workers,
    notebook kernels, through :data:`ARROW_POOL_ENV`): jemalloc where this pyarrow has it, else
    the C library's allocator, instead of pyarrow's default mimalloc, which keeps much of what it
    frees resident. Measured: reading the 1.7 M actor-mention rows of a 100,000-article run (189 MB
    of Arrow data) costs 338 MB of resident memory on mimalloc, 230–250 MB on the other two, and the
    sentiment reduce on them peaks at 873 MB against 648 MB (jemalloc); a whole 10,000-article run's
    largest process 816 → 718 MB, all processes at once 2,996 → 2,398 MB (README, "Larger
    corpora"). A pool the user chose (:data:`ARROW_POOL_ENV` set) is kept. Returns the backend
    this process now uses."""
    import pyarrow as pa

    if not os.environ.get(ARROW_POOL_ENV):
        have = set(pa.supported_memory_backends())
        name = next((b for b in ARROW_POOLS if b in have), None)
        if name is not None:
            os.environ[ARROW_POOL_ENV] = name  # read by the processes started from here on
            pa.set_memory_pool(pa.jemalloc_memory_pool() if name == "jemalloc" else pa.system_memory_pool())
    return pa.default_memory_pool().backend_name


def worker_init(owner: int | None = None) -> None:
    """Pool initializer: the worker exits when the process that made the pool dies, however it
    dies (``kill -9`` included), instead of waiting for tasks for ever with its memory.

    On Linux the kernel signals the worker when its parent exits (``prctl(PR_SET_PDEATHSIG)``);
    under the forkserver start method the parent is the fork server, so a daemon thread also
    checks every :data:`WATCH_SECONDS` that ``owner`` (the run's PID) is still the same living
    process, and ends the worker at once when it is not."""
    import signal
    import sys

    global _IN_POOL_WORKER
    _IN_POOL_WORKER = True
    lean_arrow_memory()  # a pool started outside a run (JupyterLab): its workers too
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    parent = os.getppid()
    owner = owner or parent
    ticks = _start_ticks(owner)

    def watch() -> None:
        import time

        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != parent or not _alive(owner, ticks):
                os._exit(1)

    threading.Thread(target=watch, name="framelens-owner-watch", daemon=True).start()


def pool(workers: int, mp_context, *, initializer: Callable[..., None] | None = None,
         initargs: tuple = (), tasks_per_worker: int | None = None) -> "Any":
    """A :class:`concurrent.futures.ProcessPoolExecutor` whose workers exit with the process that
    made it (:func:`worker_init`), then run ``initializer(*initargs)`` if given: every process
    pool of framelens is made here. ``tasks_per_worker``: a worker process is replaced after this
    many tasks (``None``: never)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context, initializer=_init_worker,
                               initargs=(os.getpid(), initializer, initargs), max_tasks_per_child=tasks_per_worker)


def stop_pool(executor, *, kill: bool = False, timeout: float = 10.0) -> None:
    """Shut a process pool down without waiting for its tasks (``kill``: its processes killed
    first, so a task in progress ends now), and wait up to ``timeout`` seconds for its manager
    thread. A manager thread still ending when the interpreter exits races CPython 3.11's exit
    hook for its wake-up pipe ("Bad file descriptor" traceback at exit): once it has ended, the
    hook finds the pipe closed and leaves it alone."""
    if executor is None:
        return
    if kill:
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except (OSError, ValueError):  # already gone, or closed
                pass
    manager = getattr(executor, "_executor_manager_thread", None)  # shutdown() forgets it
    executor.shutdown(wait=False, cancel_futures=True)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=timeout)


def _init_worker(owner: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    worker_init(owner)
    if initializer is not None:
        initializer(*initargs)


class Engine:
    """Runs ``fn(item)`` for many items and gives the results back in item order."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *, label: str = "map") -> list[Any]:
        return list(self.imap(fn, items, label=label))

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any], *, label: str = "map",
             in_flight: int | None = None) -> Iterator[Any]:
        """Results in item order; at most ``in_flight`` items submitted and not yet returned (so an
        input read as a stream is never held whole in memory)."""
        for item in items:
            yield fn(item)

    def close(self) -> None:
        pass

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' * (self.workers != 1)})"

    def __repr__(self) -> str:
        return f"<Engine {self.describe()}>"


class PoolEngine(Engine):
    """A local process pool (forkserver where available, so workers start clean)."""

    name = "processes"

    def __init__(self, workers: int):
        self.workers = max(1, int(workers))
        self._pool = None

    def _executor(self):
        if self._pool is None:
            import multiprocessing as mp

            methods = mp.get_all_start_methods()
            ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = pool(self.workers, ctx)
        return self._pool

    def imap(self, fn, items, *, label: str = "map", in_flight: int | None = None):
        pool = self._executor()
        limit = max(1, in_flight or 2 * self.workers)
        queue: deque = deque()
        for item in items:
            queue.append(pool.submit(fn, item))
            while len(queue) >= limit:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskEngine(Engine):
    """A ``dask.distributed`` client: tasks are submitted with ``client.submit`` (each a pure
    function of one item), results gathered in order. A LocalCluster it started is closed with it."""

    name = "dask"

    def __init__(self, client, *, cluster=None, own_client: bool = False):
        self.client = client
        self._cluster = cluster
        self._own_client = own_client  # made here from an address: closed with the engine
        self._n = 0

    @property
    def address(self) -> str:
        """The scheduler's address: another process reaches the same cluster with ``get_engine(address)``."""
        return str(self.client.scheduler.address)

    @property
    def workers(self) -> int:  # type: ignore[override]
        try:
            return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        except TypeError:  # older distributed: no n_workers argument
            return max(1, len(self.client.scheduler_info()["workers"]))
        except Exception:
            return 1

    def imap(self, fn, items, *, label: str = "map", in_flight: int | None = None):
        limit = max(1, in_flight or 2 * self.workers)
        queue: deque = deque()
        self._n += 1
        run = f"framelens-{label}-{os.getpid()}-{self._n}"
        for k, item in enumerate(items):
            queue.append(self.client.submit(fn, item, key=f"{run}-{k}", pure=False, retries=2))
            while len(queue) >= limit:
                yield _result(queue.popleft())
        while queue:
            yield _result(queue.popleft())

    def close(self) -> None:
        if self._cluster is not None:
            try:
                self.client.close()
            finally:
                self._cluster.close()
            self._cluster = None
        elif self._own_client:
            self.client.close()
            self._own_client = False

    def describe(self) -> str:
        where = "LocalCluster" if self._cluster is not None else str(getattr(self.client, "scheduler", "") and
                                                                     self.client.scheduler.address)
        return f"dask {where} ({self.workers} worker{'s' * (self.workers != 1)})"


class TickingEngine(Engine):
    """Another engine whose results are counted: ``tick(label)`` is called as each result comes
    back (in item order), e.g. to advance a progress bar on any engine, Dask included. Closing it
    leaves the inner engine open (its owner closes it)."""

    def __init__(self, inner: Engine, tick: Callable[[str], None]):
        self.inner, self.tick = inner, tick
        self.name = inner.name

    @property
    def workers(self) -> int:  # type: ignore[override]
        return self.inner.workers

    def imap(self, fn, items, *, label: str = "map", in_flight: int | None = None):
        for out in self.inner.imap(fn, items, label=label, in_flight=in_flight):
            self.tick(label)
            yield out

    def describe(self) -> str:
        return self.inner.describe()


def _result(future):
    out = future.result()
    future.release()
    return out


def require_dask() -> None:
    """Raise :class:`FramelensError` unless ``dask`` and ``distributed`` are installed: they are the
    optional extra ``framelens[dask]`` (a development environment, ``uv sync``, has them)."""
    from importlib.util import find_spec

    for name in ("dask", "distributed"):
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise FramelensError("--dask: needs the 'dask' extra: pip install 'framelens[dask]'")


def local_cluster(workers: int = 2, *, memory_limit: str | None = "auto", **kwargs):
    """A ``dask.distributed`` LocalCluster of ``workers`` single-threaded worker processes (the
    lexicons and tokenizer are pure Python: threads would share one interpreter lock), and its
    client. No dashboard (nothing listens on a public port)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=max(1, int(workers)), threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit=memory_limit, **kwargs)
    return cluster, Client(cluster)


def get_engine(spec: Any = None, *, workers: int = 1) -> Engine:
    """The engine named by ``spec``:

    * ``None`` / ``""``: ``serial`` when ``workers`` ≤ 1, else :data:`DEFAULT_LOCAL`;
    * ``"serial"``, ``"processes"`` (a pool of ``workers`` processes);
    * ``"local"`` / ``"dask"``: a new Dask LocalCluster with ``workers`` workers (closed with the engine);
    * ``"tcp://HOST:PORT"`` (or any Dask scheduler address): a client of that running cluster;
    * a ``dask.distributed.Client``: that client (left open);
    * an :class:`Engine`: itself.
    """
    if isinstance(spec, Engine):
        return spec
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        spec = "serial" if workers <= 1 else DEFAULT_LOCAL
    if isinstance(spec, str):
        s = spec.strip()
        if s == "serial":
            return Engine()
        if s in ("processes", "pool"):
            return PoolEngine(workers) if workers > 1 else Engine()
        if s in ("local", "dask"):
            require_dask()
            cluster, client = local_cluster(max(1, workers))
            return DaskEngine(client, cluster=cluster)
        if "://" in s or ":" in s:
            require_dask()
            try:
                from distributed import Client

                client = Client(s, timeout="10s")
            except Exception as exc:
                raise FramelensError(f"--dask {s}: cannot reach the Dask scheduler ({type(exc).__name__}: "
                                     f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
            return DaskEngine(client, own_client=True)
        raise FramelensError(f"engine {s!r}: use serial, processes, local (a Dask LocalCluster) or a Dask "
                             "scheduler address such as tcp://HOST:8786")
    if type(spec).__name__ == "Client" and hasattr(spec, "submit"):
        return DaskEngine(spec)
    raise FramelensError(f"engine: expected a name, an address or a dask.distributed.Client, got {type(spec).__name__}")
