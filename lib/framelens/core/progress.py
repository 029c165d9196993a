"""Progress of a long run: each phase with its items done out of the total, the time left, and
what it took.

A run (``framelens run``, :func:`framelens.store.parts.compute`) goes through phases: the corpus
ingest (partitions), each lens-store part (its map steps, one per partition, then its reduce),
the article pages, the notebooks. :class:`Progress` is told when a phase starts (with its total
when known), when an item is done and when the phase ends:

* on a terminal (stderr is a TTY), each phase is a tqdm progress bar (items done / total, rate,
  time left), and other lines are written above the bars;
* elsewhere (a CI log, a file, a test), no bars: one line per phase when it ends, with its items
  and duration (``framelens: sentiment map: 12/12 partitions in 40.1 s``);
* silent with ``say=None`` (``--quiet``), which still records the timings.

Every ended phase is recorded in :attr:`Progress.timings` (name, seconds, items done, total): the
runner writes them into ``provenance.json`` (``timings``), where ``make bench-scale`` reads them.

A :class:`Progress` is also a plain ``say(line)`` callable, so it goes wherever a progress
callback went before. Work in other processes reports through a queue (:class:`QueueReporter`,
drained by :meth:`Progress.drain`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any, Callable, Iterator


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


#: A *detail* phase (a step inside a long reduce) gets its line only when it took at least this many
#: seconds, and its bar is cleared when it ends: on a small corpus its steps take no time and say nothing.
DETAIL_SECONDS = 10.0


class _Phase:
    __slots__ = ("name", "total", "unit", "done", "t0", "bar", "detail")

    def __init__(self, name: str, total: int | None, unit: str, detail: bool = False):
        self.name, self.total, self.unit, self.done, self.detail = name, total, unit, 0, detail
        self.t0 = time.perf_counter()
        self.bar = None


class Progress:
    """Phases of a run (see the module docstring). ``say``: where lines go (``None``: nowhere);
    ``bars``: draw tqdm bars on ``stream`` (default: when ``say`` is given and ``stream``, by
    default stderr, is a terminal)."""

    def __init__(self, say: Callable[[str], None] | None = None, *, bars: bool | None = None, stream=None):
        self.say = say
        self.stream = stream if stream is not None else sys.stderr
        self.bars = bool(say is not None and (_isatty(self.stream) if bars is None else bars))
        self.timings: list[dict[str, Any]] = []
        self._open: dict[str, _Phase] = {}
        self._lock = threading.RLock()

    # -- lines
    def __call__(self, line: str) -> None:
        self.line(line)

    def line(self, text: str) -> None:
        """A line of its own (above the bars on a terminal)."""
        if self.say is None:
            return
        if self.bars and any(p.bar is not None for p in self._open.values()):
            from tqdm import tqdm

            tqdm.write(text, file=self.stream)
        else:
            self.say(text)

    # -- phases
    def start(self, name: str, total: int | None = None, unit: str = "partitions", detail: bool = False) -> None:
        """Open phase ``name`` (``total`` items of ``unit``; ``unit=""``: no items, a line at its end).
        ``detail``: a step of a longer phase, silent when it takes less than :data:`DETAIL_SECONDS`."""
        with self._lock:
            ph = _Phase(name, None if total is None else int(total), unit, detail)
            if self.bars and unit:  # a phase without items (a reduce) gets its line at the end
                import os

                from tqdm import tqdm

                try:
                    narrow = os.get_terminal_size(self.stream.fileno()).columns < 20  # a terminal without a size
                except (AttributeError, OSError, ValueError):
                    narrow = True
                ph.bar = tqdm(total=ph.total, desc=name, unit=unit.rstrip("s"), file=self.stream,
                              leave=not detail, mininterval=0.5, **({"ncols": 80, "nrows": 24} if narrow else {}))
            self._open[name] = ph

    def set_total(self, name: str, total: int) -> None:
        with self._lock:
            ph = self._open.get(name)
            if ph is not None:
                ph.total = int(total)
                if ph.bar is not None:
                    ph.bar.total = int(total)
                    ph.bar.refresh()

    def advance(self, name: str, n: int = 1) -> None:
        with self._lock:
            ph = self._open.get(name)
            if ph is None:
                return
            ph.done += n
            if ph.bar is not None:
                ph.bar.update(n)

    def end(self, name: str, *, silent: bool = False) -> float:
        """Close phase ``name``; record and return its seconds (0 if it was not started).
        ``silent``: no line (a phase cut short by an error, whose message is the line to read)."""
        with self._lock:
            ph = self._open.pop(name, None)
            if ph is None:
                return 0.0
            seconds = time.perf_counter() - ph.t0
            self.timings.append({"phase": name, "seconds": round(seconds, 3), "done": ph.done,
                                 "total": ph.total, "unit": ph.unit})
            if ph.bar is not None:
                ph.bar.close()
            elif self.say is not None and not silent and not (ph.detail and seconds < DETAIL_SECONDS):
                items = ""
                if ph.total is not None or ph.done:
                    items = (f"{ph.done}/{ph.total}" if ph.total is not None else f"{ph.done}") + f" {ph.unit} in "
                self.line(f"framelens: {name}: {items}{seconds:.1f} s")
            return seconds

    @contextlib.contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "partitions",
              detail: bool = False) -> Iterator["Progress"]:
        """``with progress.phase("notebooks", total=8, unit="notebooks"): ...`` (ended on errors too)."""
        self.start(name, total, unit, detail)
        try:
            yield self
        except BaseException:
            self.end(name, silent=True)
            raise
        self.end(name)

    def record(self, name: str, seconds: float, *, done: int = 0, total: int | None = None,
               unit: str = "", peak_mb: float | None = None) -> None:
        """Record a phase timed elsewhere (no line); ``peak_mb``: the peak memory of the process that
        ran it (see :class:`PeakMemory`), when measured."""
        with self._lock:
            self.timings.append({"phase": name, "seconds": round(float(seconds), 3), "done": done, "total": total,
                                 "unit": unit, **({} if peak_mb is None else {"peak_mb": round(float(peak_mb))})})

    # -- events from other processes
    def event(self, ev: tuple) -> None:
        """Apply an event sent by a :class:`QueueReporter`: ``("start", name, total, unit[, detail])``,
        ``("advance", name, n)``, ``("end", name)`` or ``("line", text)``."""
        kind = ev[0]
        if kind == "start":
            self.start(ev[1], ev[2], ev[3], bool(ev[4]) if len(ev) > 4 else False)
        elif kind == "advance":
            self.advance(ev[1], ev[2])
        elif kind == "end":
            self.end(ev[1], silent=bool(ev[2]) if len(ev) > 2 else False)
        elif kind == "line":
            self.line(ev[1])

    @contextlib.contextmanager
    def drain(self, queue) -> Iterator[None]:
        """Apply the events put on ``queue`` (a multiprocessing queue) while the block runs."""
        stop = threading.Event()

        def loop():
            import queue as _q

            while True:
                try:
                    ev = queue.get(timeout=0.2)
                except _q.Empty:
                    if stop.is_set():
                        return
                    continue
                except (EOFError, OSError):
                    return
                try:
                    self.event(ev)
                except Exception:  # a progress display never stops a run
                    pass

        t = threading.Thread(target=loop, name="framelens-progress", daemon=True)
        t.start()
        try:
            yield
        finally:
            stop.set()
            t.join(timeout=5)


class QueueReporter:
    """The :class:`Progress` interface for a worker process: events go to a queue the parent
    drains (:meth:`Progress.drain`). Picklable through a process pool's initializer only."""

    def __init__(self, queue):
        self.queue = queue

    def _put(self, ev: tuple) -> None:
        try:
            self.queue.put(ev)
        except Exception:  # the parent went away: progress is not worth failing for
            pass

    def __call__(self, line: str) -> None:
        self._put(("line", line))

    line = __call__

    def start(self, name: str, total: int | None = None, unit: str = "partitions", detail: bool = False) -> None:
        self._put(("start", name, total, unit, detail))

    def set_total(self, name: str, total: int) -> None:  # pragma: no cover - not used across processes
        pass

    def advance(self, name: str, n: int = 1) -> None:
        self._put(("advance", name, n))

    def end(self, name: str, *, silent: bool = False) -> float:
        self._put(("end", name, silent))
        return 0.0

    phase = Progress.phase


class PeakMemory:
    """The peak resident memory (MB) of this process while a block runs, sampled from
    ``/proc/self/statm`` every ``interval`` seconds by a thread (Linux; elsewhere ``mb`` stays
    ``None``). ``with PeakMemory() as peak: ...`` then ``peak.mb``. Sampling misses spikes shorter
    than the interval; it never resets the process's own high-water mark (which ``make bench-scale``
    reads)."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.mb: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def rss_mb() -> float | None:
        """This process's resident memory now (MB), or ``None`` where ``/proc`` is not there."""
        import os

        try:
            with open("/proc/self/statm", "rb") as f:
                pages = int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            return None
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _sample(self) -> None:
        now = self.rss_mb()
        if now is not None:
            self.mb = now if self.mb is None else max(self.mb, now)

    def __enter__(self) -> "PeakMemory":
        self._sample()
        if self.mb is not None:
            def loop() -> None:
                while not self._stop.wait(self.interval):
                    self._sample()
            self._thread = threading.Thread(target=loop, name="framelens-peak-memory", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._sample()


def as_progress(progress: Any) -> Progress:
    """A :class:`Progress` from what callers pass: a Progress (itself), a callable taking a line
    (lines, no bars), ``True`` (stderr, bars on a terminal), ``None`` / ``False`` (silent)."""
    if isinstance(progress, Progress):
        return progress
    if progress is True:
        return Progress(lambda line: print(line, file=sys.stderr, flush=True))
    if progress is None or progress is False:
        return Progress(None)
    if callable(progress):
        return Progress(progress, bars=False)
    raise TypeError(f"progress: expected a callable, True, False or None, got {type(progress).__name__}")
