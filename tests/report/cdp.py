"""A tiny Chrome DevTools Protocol client over `--remote-debugging-pipe` (no websocket package):
Chromium reads JSON commands from fd 3 and writes replies and events to fd 4, each message
terminated by a NUL byte. Enough to load a page, collect console errors, exceptions and failed
loads, evaluate an expression and take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    # nothing on a report page may reach the network: every host name fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class CdpError(RuntimeError):
    pass


@dataclass
class PageReport:
    url: str
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    facts: dict = field(default_factory=dict)


class Browser:
    """One headless Chromium with a fresh profile; `with Browser() as b: b.visit(url)`."""

    def __init__(self, width: int = 1280, height: int = 900, timeout: float = 30.0):
        self.width, self.height, self.timeout = width, height, timeout
        self._id = 0
        self._buffer = b""
        self._events: list[dict] = []

    def __enter__(self) -> "Browser":
        self.profile = tempfile.mkdtemp(prefix="luckin-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write commands; chromium reads fd 3
        evt_r, evt_w = os.pipe()  # chromium writes fd 4; we read

        def wire_fds() -> None:  # in the child, before exec: the pipe ends become fds 3 and 4
            high_r, high_w = os.dup(cmd_r), os.dup(evt_w)  # out of the way if either is already 3 or 4
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # close_fds would close 3 and 4 after preexec_fn; Python's own descriptors are
            # close-on-exec anyway, so nothing else leaks into Chromium
            preexec_fn=wire_fds, close_fds=False)
        os.close(cmd_r)
        os.close(evt_w)
        self._out = os.fdopen(cmd_w, "wb", buffering=0)
        self._in = os.fdopen(evt_r, "rb", buffering=0)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        return self

    def resize(self, width: int, height: int = 900, mobile: bool = False) -> None:
        """Emulate a viewport (mobile=True: a phone's layout viewport and touch metrics)."""
        self.width, self.height = width, height
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, session=True)

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close")
        except (CdpError, OSError, BrokenPipeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for f in (self._out, self._in):
            try:
                f.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # ------------------------------------------------------------------ protocol
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise CdpError("timed out waiting for Chromium")
            chunk = self._in.read(65536)
            if not chunk:
                raise CdpError(f"Chromium closed the pipe (exit {self.proc.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self._out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_for(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == method for e in self._events):
            self._events.append(self._read_message(deadline))

    # ------------------------------------------------------------------ pages
    def visit(self, url: str, expression: str | None = None) -> PageReport:
        """Load `url`; return the errors it caused and the value of `expression` (JSON)."""
        self._events.clear()
        result = self.send("Page.navigate", {"url": url}, session=True)
        if result.get("errorText"):
            return PageReport(url, errors=[f"navigation failed: {result['errorText']}"])
        self._wait_for("Page.loadEventFired")
        report = PageReport(url)
        if expression:
            value = self.send("Runtime.evaluate", {"expression": f"JSON.stringify({expression})",
                                                   "returnByValue": True}, session=True)
            report.facts = json.loads(value["result"]["value"])
        time.sleep(0.1)  # let late console messages arrive
        self.send("Runtime.evaluate", {"expression": "1"}, session=True)
        for event in self._events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                report.errors.append(f"console.{params['type']}: {args}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                report.errors.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                report.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                report.errors.append(f"load failed: {params.get('errorText')}")
        return report

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics", session=True)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params.update({"captureBeyondViewport": True,
                           "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000),
                                    "scale": 1}})
        data = self.send("Page.captureScreenshot", params, session=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path
