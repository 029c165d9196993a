"""The notebook kernels of one run: recorded so an interrupt can stop them, and started ahead.

A report's kernel spends about a second before its first cell: the kernel process starts
(about 0.5 s) and the report's first cell imports framelens, its plot helpers and matplotlib
(0.4–0.6 s more). None of that depends on the report, so :class:`Kernels` starts kernels *ahead*
— while earlier reports run, and for a small corpus while its lens store is computed
(:func:`framelens.run.runner.kernels_for`) — with those imports done at
start (IPython's ``exec_lines``: they run before the kernel says it is ready and take no
execution number, so the executed notebook is numbered and behaves exactly as from a fresh
kernel). Each report still gets a kernel of its own, used once and shut down after it.

On Linux those kernels are not started from scratch: a *zygote* (:class:`Zygote`), one process
per run, imports ipykernel and the same modules once, then forks each kernel from itself (the
way Android starts its apps). A forked kernel begins with the modules in memory, shared with the
zygote until written, and initialises its own ipykernel application, sockets and threads after the
fork, as a fresh one would: about 0.9 s of CPU less per report. Where it cannot fork (another
platform, another kernel command, a zygote that failed), the kernel is started as a new process.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

KERNEL = "python3"
KERNEL_START_TIMEOUT = 300  # seconds; a loaded 2-core machine can take far longer than the usual 60

#: What an ipykernel imports as it starts (beyond ``ipykernel.kernelapp``), imported by the zygote.
KERNEL_START_IMPORTS = (
    "import ipykernel.debugger, IPython.core.debugger, IPython.core.history, IPython.extensions",
    "import faulthandler, IPython.core.completerlib, IPython.extensions.storemagic, psutil, sqlite3",
    "import tornado.locks, tornado.platform.asyncio, tornado.queues",
)

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

    def __init__(self, cwd: str | Path | None = None, *, preload: tuple[str, ...] = PRELOAD,
                 fork: bool | None = None, zygote: "Zygote | None" = None):
        """``cwd``: where kernels started ahead run (``None``: none is started ahead, each report
        starts its own as papermill does). ``fork``: start kernels from a :class:`Zygote` (default:
        when kernels are started ahead, on Linux); ``zygote``: that one, started earlier (these
        kernels end it)."""
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
        self._closing = False  # close() is shutting down the kernels started ahead (on the loop)
        if fork is None:
            fork = cwd is not None and Zygote.possible()
        self.zygote = zygote if zygote is not None else Zygote(preload) if fork else None

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

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                zygote = registry.zygote
                pid = None
                if zygote is not None and zygote.can_start(kernel_cmd):
                    pid = await asyncio.get_running_loop().run_in_executor(
                        None, zygote.fork, kernel_cmd, kw.get("env"), kw.get("cwd"))
                if pid is None:  # started as a new process
                    return await super()._async_launch_kernel(kernel_cmd, **kw)
                prov = self.provisioner
                prov.process, prov.pid, prov.pgid, prov.cwd = Forked(pid), pid, pid, kw.get("cwd")
                self._reconcile_connection_info(prov.connection_info)

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
            last = self._closed and self._taken == 0 and not self._closing  # else close() stops it
        if last:
            self._stop_loop()

    def _stop_loop(self) -> None:
        """No kernel is started or in use any more: stop their loop, and end the zygote (the
        kernels it forked end with it)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self.zygote is not None:
            self.zygote.close()

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
            self._closed = self._closing = True
            pending, self._pending = list(self._pending), deque()
        loop = self._loop
        try:
            for fut in pending if loop is not None else ():
                try:
                    km = fut.result(timeout=KERNEL_START_TIMEOUT + 30)
                except Exception:
                    continue
                try:
                    asyncio.run_coroutine_threadsafe(self._shutdown(km), loop).result(timeout=60)
                except Exception:  # pragma: no cover
                    self._kill(km)
        finally:
            with self._lock:
                self._closing = False
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
        if self.zygote is not None:
            self.zygote.kill()
        return sum(self._kill(km) for km in live)


# -------------------------------------------------------------------- the zygote

class Zygote:
    """One process that has imported ipykernel and ``preload`` and forks kernels from itself
    (see the module docstring). It reads one request per line on its standard input (the kernel's
    command, environment and folder) and answers the new kernel's process id; it ends when its
    input closes (:meth:`close`, or this process ending)."""

    def __init__(self, preload: tuple[str, ...] = PRELOAD):
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from framelens.run.kernels import zygote_main; zygote_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.proc.stdin.write((json.dumps(list(preload)) + "\n").encode())
        self.proc.stdin.flush()

    @staticmethod
    def possible() -> bool:
        return sys.platform.startswith("linux") and hasattr(os, "fork")

    @staticmethod
    def can_start(cmd) -> bool:
        """Is ``cmd`` this Python's ipykernel (what the zygote has imported)?"""
        cmd = [str(c) for c in cmd]
        return len(cmd) >= 3 and cmd[1:3] == ["-m", "ipykernel_launcher"] \
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)

    def fork(self, cmd, env: dict | None, cwd: str | None) -> int | None:
        """Start the kernel ``cmd`` (its options: the connection file, ...) with ``env`` in ``cwd``;
        its process id, or ``None`` when the zygote cannot (then start it as a new process)."""
        request = json.dumps({"argv": [str(c) for c in cmd[3:]], "env": dict(env if env is not None else os.environ),
                              "cwd": str(cwd) if cwd else None})
        with self._lock:
            try:
                if self._ready is None:
                    self._ready = self.proc.stdout.readline().strip() == b"ready"
                if not self._ready:
                    return None
                self.proc.stdin.write(request.encode() + b"\n")
                self.proc.stdin.flush()
                answer = self.proc.stdout.readline().strip()
                return int(answer) if answer.isdigit() else None
            except (OSError, ValueError):  # it has ended
                self._ready = False
                return None

    def close(self) -> None:
        """End it (its input closed). Not under the lock: a :meth:`fork` waiting for its answer
        then reads the end of the output and starts that kernel as a new process."""
        self._ready = False
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        finally:
            self.proc.stdout.close()

    def discard(self) -> None:
        """End it now, whatever it is doing (a run refused before its kernels were needed)."""
        self.kill()
        self.close()

    def kill(self) -> None:
        self._ready = False  # not under the lock (see close)
        if self.proc.poll() is None:
            try:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):  # pragma: no cover
                pass


class Forked:
    """A kernel forked by the zygote, as jupyter_client handles its process (``subprocess.Popen``'s
    ``poll``, ``wait``, ``send_signal``, ``kill``, ``terminate``). It is the zygote's child, not
    this process's: it is polled through ``/proc``, and its exit status is not known (-1)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                with open(f"/proc/{self.pid}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
                if state in (b"Z", b"X"):
                    self.returncode = -1
            except (OSError, IndexError):
                self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def zygote_main() -> None:  # pragma: no cover - runs in the zygote process (tested through Kernels)
    """The zygote: import, then fork a kernel for each request (see :class:`Zygote`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the run's to handle: it closes us
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does (the kernel puts its folder back)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    preload = json.loads(stdin.readline() or "[]")
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401

    # what each kernel imports as it starts (debugpy for its debugger, 0.1 s; its history's sqlite3):
    # once here, not in every kernel. Without the warning debugpy prints about frozen modules
    # (the kernels' own would go nowhere: their output is the notebook's by then).
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for line in KERNEL_START_IMPORTS + tuple(preload):
        try:
            exec(line, {})
        except Exception:  # the kernel's own start will say it
            pass
    gc.collect()
    gc.freeze()  # what was imported stays out of every kernel's collections: not scanned, its pages not copied
    signal.signal(signal.SIGCHLD, _reap)  # the kernels that end are waited for (their CPU time counts as ours)
    stdout.write(b"ready\n")
    stdout.flush()
    for raw in stdin:
        request = json.loads(raw)
        r, w = os.pipe()
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            _kernel_child(request, w, zygote)
        os.close(w)
        os.read(r, 1)  # it has its own session (its process group: how jupyter_client signals it)
        os.close(r)
        stdout.write(f"{pid}\n".encode())
        stdout.flush()
    _reap()


def _reap(_signum=None, _frame=None) -> None:  # pragma: no cover - runs in the zygote
    """Wait for every kernel that has ended, so its resource use is added to the zygote's (and
    to the run's when the zygote is waited for: ``getrusage(RUSAGE_CHILDREN)``, make bench's CPU)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _kernel_child(request: dict, started: int, zygote: int) -> None:  # pragma: no cover - a forked kernel
    """In the forked process: become the kernel ``request`` asks for, then exit. It ends with the
    zygote (the system kills it: ``PR_SET_PDEATHSIG``), so no kernel outlives its run."""
    code = 1
    try:
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - ipykernel's parent poller still watches
            pass
        if os.getppid() != zygote:  # it ended before that was set
            os._exit(1)
        os.setsid()
        os.write(started, b"1")
        os.close(started)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)  # not the zygote's pipes
        os.dup2(null, 1)
        os.close(null)
        if request.get("cwd"):
            os.chdir(request["cwd"])  # this process only: it is the kernel's own
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(zygote)  # ipykernel's parent poller watches it too
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # not the zygote's random state
        import ipykernel_launcher
        from ipykernel import kernelapp

        # (its default was read from the environment when the zygote imported ipykernel)
        sys.argv = [ipykernel_launcher.__file__, *request["argv"], f"--IPKernelApp.parent_handle={zygote}"]
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
