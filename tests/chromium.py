"""A tiny headless-Chromium driver for the browser tests: the DevTools protocol over the
``--remote-debugging-port`` WebSocket (websocket-client), no WebDriver, nothing downloaded.

    with Browser.start(tmp_path) as b:
        b.open("file:///.../report.html")
        b.eval("document.title")
        b.type_text("#box", "cgtn")
        b.click("a.fl-ev")

Chromium is started with a fresh profile and without any background networking. Every page
load is waited for; ``eval`` returns JSON values and raises on a JavaScript exception.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--window-size=1280,900",
]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The Chromium executable (``$FRAMELENS_CHROMIUM`` or one on PATH), else None."""
    env = os.environ.get("FRAMELENS_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """None when the browser tests can run, else the reason they cannot."""
    if find_browser() is None:
        if os.environ.get("FRAMELENS_CHROMIUM"):
            return f"FRAMELENS_CHROMIUM={os.environ['FRAMELENS_CHROMIUM']} is not an executable"
        return "no Chromium on PATH (install it with `make test-browser`, or apt-get install chromium)"
    try:
        import websocket  # noqa: F401  (websocket-client)
    except ImportError:
        return "websocket-client is not installed"
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, proc: subprocess.Popen, ws, profile: Path):
        self.proc, self.ws, self.profile = proc, ws, profile
        self._id = 0
        self.events: list[dict] = []

    # -- life cycle

    @classmethod
    def start(cls, workdir: Path, *, timeout: float = 30.0) -> "Browser":
        import websocket

        exe = find_browser()
        if exe is None:
            raise BrowserError("no Chromium found")
        profile = Path(workdir) / "chromium-profile"
        if profile.exists():  # always a fresh profile (and no stale DevToolsActivePort)
            shutil.rmtree(profile)
        profile.mkdir(parents=True)
        log = open(Path(workdir) / "chromium.log", "wb")
        proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        port = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BrowserError(f"Chromium exited with status {proc.returncode} (see {workdir}/chromium.log)")
            try:
                lines = port_file.read_text().split()
                if lines:
                    port = int(lines[0])
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        if port is None:
            proc.kill()
            raise BrowserError("Chromium did not open its DevTools port")
        # the page target (the about:blank tab), on the loopback interface only
        url = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                    targets = json.load(resp)
            except OSError:
                time.sleep(0.05)
                continue
            url = next((t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"), None)
            if url:
                break
            time.sleep(0.05)
        if not url:
            proc.kill()
            raise BrowserError("Chromium has no page to drive")
        ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        b = cls(proc, ws, profile)
        b.send("Page.enable")
        b.send("Runtime.enable")
        return b

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- protocol

    def send(self, method: str, **params):
        self._id += 1
        mid = self._id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 20.0) -> dict:
        for i, ev in enumerate(self.events):
            if ev["method"] == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise BrowserError(f"no {method} within {timeout} s")

    # -- what a test does

    def open(self, url: str) -> None:
        """Load ``url`` and wait until its load event fired."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def eval(self, expression: str):
        """The value of a JavaScript expression (JSON-serialisable), evaluated in the page."""
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression[:80]}: {res['exceptionDetails'].get('exception', {}).get('description')}")
        return res.get("result", {}).get("value")

    def center_of(self, selector: str) -> tuple[float, float]:
        """Scroll the element into view and return its centre in viewport coordinates."""
        box = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if box is None:
            raise BrowserError(f"no element {selector!r}")
        return box[0], box[1]

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) on the element's centre."""
        x, y = self.center_of(selector)
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def type_text(self, selector: str, text: str) -> None:
        """Click into a field and type ``text`` key by key (each key fires the page's input events)."""
        self.click(selector)
        for ch in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", text=ch, key=ch, unmodifiedText=ch)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=ch)

    def wait_for(self, expression: str, timeout: float = 10.0):
        """Poll a JavaScript expression until it is truthy; return its value. A page navigating
        away while the expression runs (after a click on a link) is polled again, not an error:
        on a loaded machine the evaluation can land in the middle of the navigation."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.eval(expression)
            except BrowserError as exc:
                if "navigated or closed" not in str(exc) or time.monotonic() > deadline:
                    raise
                value = None
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        import base64

        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)
