"""Superset's start time and memory, and a screenshot of the executive dashboard.

    .venv/bin/python scripts/benchmark_superset.py [--screenshot docs/screenshots/superset-executive.png]

Stops the Superset this project started (if any), then times `start_superset` (the work of
`luckin bi superset`: virtualenvs checked, metadata migrated, server healthy, dashboard imported,
metrics synced from dbt) while sampling the resident memory of Superset's processes; runs every
chart's query through the API; loads the dashboard in headless Chromium (every host name but
the server's IP fails to resolve, as in the report suite's browser test) and saves a screenshot.
Prints the figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from luckin.core.settings import load_settings  # noqa: E402
from luckin.superset import load_superset_config, start_superset, stop_superset  # noqa: E402
from luckin.superset.client import SupersetClient  # noqa: E402
from luckin.superset.server import server_rss_bytes  # noqa: E402


class PeakRss(threading.Thread):
    def __init__(self, config):
        super().__init__(daemon=True)
        self.config, self.peak, self.stop = config, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, server_rss_bytes(self.config))
            time.sleep(0.5)


def screenshot(config, url: str, out: Path) -> list[str]:
    """Log in through the form, open the dashboard, wait for its charts, save a PNG; returns the
    page's errors (a refused telemetry pixel shows up here as a CSP violation)."""
    from tests.report import cdp

    # as the report suite's browser test: no host name resolves, the server's IP excepted
    cdp.FLAGS = [f for f in cdp.FLAGS if not f.startswith("--host-resolver-rules")] + [
        f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {config.host}"]
    fill = ("const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
            "for (const [id, v] of [['username', %r], ['password', %r]]) {"
            " const el = document.getElementById(id); set.call(el, v);"
            " el.dispatchEvent(new Event('input', {bubbles: true})); }"
            "document.querySelector('button[type=submit]').click();") % (config.admin_username, config.admin_password)
    # tall enough for the whole dashboard: a full-page capture beyond the viewport re-lays the
    # grid out and catches it empty
    with cdp.Browser(width=1400, height=2000, timeout=120) as b:
        b.visit(f"{config.url}/login/")
        time.sleep(2)
        b.send("Runtime.evaluate", {"expression": fill}, session=True)
        time.sleep(4)
        report = b.visit(url)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # charts render after their data arrives
            state = b.send("Runtime.evaluate", {"expression": (
                "JSON.stringify([document.querySelectorAll('.chart-container').length,"
                " document.querySelectorAll('.loading').length])"),
                "returnByValue": True}, session=True)["result"]["value"]
            charts, loading = map(int, state.strip("[]").split(","))
            if charts and not loading:
                break
            time.sleep(1)
        time.sleep(3)
        out.parent.mkdir(parents=True, exist_ok=True)
        b.screenshot(out, full_page=False)
        return report.errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true",
                        help="import the dashboard and sync the metrics again even when nothing changed")
    parser.add_argument("--screenshot", type=Path, default=ROOT / "docs" / "screenshots" / "superset-executive.png")
    args = parser.parse_args()
    settings = load_settings()
    config = load_superset_config(settings)
    stop_superset(settings)
    if args.fresh:
        (config.state_dir / "assets.sha256").unlink(missing_ok=True)
    sampler = PeakRss(config)
    sampler.start()
    started = time.monotonic()
    run = start_superset(settings)
    elapsed = time.monotonic() - started
    client = SupersetClient(config)
    charts = client.dashboard_charts("luckin-executive")
    t = time.monotonic()
    for chart in charts:
        client.chart_data(chart["id"])
    queries = time.monotonic() - t
    sampler.stop.set()
    sampler.join()
    print("superset start (command to healthy, imported and synced):", f"{elapsed:.1f} s")
    for step, seconds in run.timings.items():
        print(f"  {step}: {seconds:.1f} s")
    print(f"charts: {len(charts)}, all queries through the chart-data API: {queries:.2f} s")
    print(f"resident memory: {run.rss_bytes / 2**20:.0f} MiB when ready, peak {sampler.peak / 2**20:.0f} MiB "
          "during start-up and the chart queries (gunicorn master + worker)", flush=True)
    errors = screenshot(config, run.dashboard_url, args.screenshot)
    print(f"screenshot: {args.screenshot}; resident memory after rendering: {server_rss_bytes(config) / 2**20:.0f} MiB")
    print("page errors:", *(errors or ["none"]), sep="\n  ")


if __name__ == "__main__":
    main()
