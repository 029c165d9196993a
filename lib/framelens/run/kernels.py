"""The notebook kernels of one run: recorded so an interrupt can stop them, and started ahead.

A report's kernel spends about a second before its first cell: the kernel process starts
(about 0.5 s) and the report's first cell imports framelens, its plot helpers and matplotlib
(0.4–0.6 s more). None of that depends on the report, so :class:`Kernels` starts kernels *ahead*
— while earlier reports run, and for a small corpus while its lens store is computed
(:func:`framelens.run.runner.kernels_for`) — with those imports done at
start (IPython's ``exec_lines``: they run before the kernel says it is ready and take no
execution number, so the executed notebook is numbered and behaves exactly as from a fresh
kernel). Each report still gets a kernel of its own, used once and shut down after it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from pathlib import Path
from typing import Any

KERNEL = "python3"
KERNEL_START_TIMEOUT = 300  # seconds; a loaded 2-core machine can take far longer than the usual 60

#: What a kernel started ahead imports before it is ready: what the reports' first cells import.
PRELOAD = (
    "import framelens, framelens.report.plots, IPython.display, pyarrow.parquet",
    "import framelens.report.plots.corpus, framelens.report.plots.framing, framelens.report.plots.over_time",
    "import framelens.report.plots.sentiment, framelens.report.plots.synthesis, framelens.report.plots.vocabulary",
    "import framelens.lenses.overview, framelens.lenses.profile, framelens.lenses.synthesis",
    "import framelens.store.lens_store",
    # imported on first use in a report: opening the store's tables, the first table shown (pandas'
    # Styler and jinja2)
    "import pyarrow.dataset, pandas.io.formats.style",
)


def kernel_arguments(preload: tuple[str, ...] = ()) -> list[str]:
    """The kernel's command-line options: quiet, history in memory (as nbclient starts it), and
    ``preload`` run at start."""
    args = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:"]
    if preload:
        args.append(f"--IPKernelApp.exec_lines={list(preload)!r}")
    return args


class Kernels:
    """The kernels started by one run, so an interrupt can stop them at once (their notebook code
    would otherwise go on writing into the staging folder after it is cleaned up), and the
    kernels started ahead for the reports still to run (:meth:`expect`, :meth:`take`).

    Kernels started ahead live on one event loop in a thread of their own; a report's thread
    takes one (:meth:`take`: ``None`` when none was started ahead, and the report starts its own)
    and gives it back after the report (:meth:`release`: shut down). :meth:`close` shuts down
    whatever was not taken.
    """

    def __init__(self, cwd: str | Path | None = None, *, preload: tuple[str, ...] = PRELOAD):
        self._lock = threading.Lock()
        self._live: set = set()
        self.manager_class = self._make_class()
        self.cwd = str(cwd) if cwd is not None else None
        self.preload = preload
        self._pending: deque = deque()  # futures of kernels being started ahead, oldest first
        self._wanted = 0  # reports that will still take a kernel (:meth:`expect`)
        self._ahead = 0  # kernels kept started ahead of them
        self._taken = 0  # kernels in a report's hands (their loop runs until each is released)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def _make_class(self):
        from jupyter_client import AsyncKernelManager

        registry = self

        class RunKernelManager(AsyncKernelManager):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.clients: list = []  # every client made for it (their channels closed on release)
                with registry._lock:
                    registry._live.add(self)

            def client(self, *args, **kwargs):
                kc = super().client(*args, **kwargs)
                self.clients.append(kc)
                return kc

        return RunKernelManager

    # ---------------------------------------------------------------- started ahead

    def expect(self, reports: int, *, ahead: int) -> None:
        """``reports`` more reports will each take a kernel; keep up to ``ahead`` kernels started
        ahead of them (never more than the reports left)."""
        with self._lock:
            if self._closed or self.cwd is None:
                return
            self._wanted, self._ahead = reports, ahead
            more = min(ahead, reports) - len(self._pending)
        for _ in range(max(0, more)):
            self._start_one()

    def _start_one(self) -> None:
        loop = self._event_loop()
        fut = asyncio.run_coroutine_threadsafe(self._start(), loop)
        with self._lock:
            self._pending.append(fut)

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="framelens-kernels", daemon=True).start()
            return self._loop

    async def _start(self):
        km = self.manager_class(kernel_name=KERNEL)
        await km.start_kernel(cwd=self.cwd, extra_arguments=kernel_arguments(self.preload))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT)  # the preloads are done
        except BaseException:
            await self._shutdown(km)
            raise
        finally:
            kc.stop_channels()
            km.clients.clear()
        return km

    def take(self) -> Any | None:
        """A kernel started ahead and ready (waits for the oldest one still starting), or
        ``None``: none was started ahead, or it failed to start (the report then starts its own).
        Starts the next one ahead when more reports are expected."""
        with self._lock:
            fut = self._pending.popleft() if self._pending and not self._closed else None
            self._taken += fut is not None
            self._wanted = max(0, self._wanted - 1)  # the reports after this one
            more = not self._closed and len(self._pending) < min(self._ahead, self._wanted)
        if more:
            self._start_one()
        if fut is None:
            return None
        try:
            km = fut.result(timeout=KERNEL_START_TIMEOUT + 30)
        except Exception:  # failed or timed out: the report starts a kernel of its own
            self._given_back()
            return None
        if self._closed or not self._alive(km):  # the run was interrupted, or it died while it waited
            self.release(km)
            return None
        return km

    def release(self, km) -> None:
        """Shut down a kernel taken with :meth:`take` (after its report)."""
        if km is None:
            return
        for kc in km.clients:
            try:
                kc.stop_channels()
            except Exception:  # pragma: no cover - a client already closed
                pass
        km.clients.clear()
        try:  # the loop runs while a kernel is taken (see close)
            asyncio.run_coroutine_threadsafe(self._shutdown(km), self._loop).result(timeout=60)
        except Exception:  # pragma: no cover - it could not be asked: kill it
            self._kill(km)
        finally:
            self._given_back()

    def _given_back(self) -> None:
        with self._lock:
            self._taken -= 1
            last = self._closed and self._taken == 0
        if last:
            self._stop_loop()

    def _stop_loop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)

    async def _shutdown(self, km) -> None:
        try:
            await km.shutdown_kernel(now=True)
        finally:
            with self._lock:
                self._live.discard(km)

    def close(self) -> None:
        """Shut down the kernels started ahead and not taken; stop the thread they lived on (at
        once, or when the last kernel taken is released: an interrupted run's reports may still
        give theirs back)."""
        with self._lock:
            self._closed = True
            pending, self._pending = list(self._pending), deque()
        loop = self._loop
        if loop is None:
            return
        for fut in pending:
            try:
                km = fut.result(timeout=KERNEL_START_TIMEOUT + 30)
            except Exception:
                continue
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(km), loop).result(timeout=60)
            except Exception:  # pragma: no cover
                self._kill(km)
        with self._lock:
            idle = self._taken == 0
        if idle:
            self._stop_loop()

    # ---------------------------------------------------------------- interrupt

    @staticmethod
    def _process(km):
        """The kernel's local process (``None``: a provisioner without one)."""
        return getattr(getattr(km, "provisioner", None), "process", None)

    @classmethod
    def _alive(cls, km) -> bool:
        """Is the kernel's process running (asked of the process, not of the event loop)?"""
        proc = cls._process(km)
        return proc is None or proc.poll() is None  # a provisioner without a local process: assume so

    @classmethod
    def _kill(cls, km) -> bool:
        proc = cls._process(km)
        if proc is not None and proc.poll() is None:
            try:
                proc.kill()
                return True
            except OSError:
                pass
        return False

    def kill_all(self) -> int:
        with self._lock:
            live = list(self._live)
        return sum(self._kill(km) for km in live)
