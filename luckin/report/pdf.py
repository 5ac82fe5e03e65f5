"""`luckin report --pdf`: one PDF per report page, printed by headless Chromium from the HTML
site (its print stylesheet: no navigation, every table row, figures kept whole)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfError(RuntimeError):
    """Chromium is missing or could not print a page; the message is one line."""


def find_chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    raise PdfError("headless Chromium not found: run `make browser` (scripts/install-browser.sh)")


def print_pdf(html: Path, pdf: Path, chromium: str | None = None, timeout: float = 120) -> Path:
    """Print one HTML page to a PDF with headless Chromium (no network: every host fails to resolve)."""
    chromium = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="luckin-pdf-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PdfError(f"Chromium could not print {html.name} (exit {proc.returncode}): {tail[0]}")
    return pdf


def write_pdfs(pages: list[Path], out_dir: Path) -> list[Path]:
    """One PDF per page, into out_dir/pdf/<page>.pdf."""
    chromium = find_chromium()
    target = out_dir / "pdf"
    target.mkdir(parents=True, exist_ok=True)
    return [print_pdf(page, target / f"{page.stem}.pdf", chromium) for page in pages]
