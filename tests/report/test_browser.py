"""The rendered site in headless Chromium (Debian's `chromium`; scripts/install-browser.sh):
the index loads, every page renders its charts and tables with no console error, exception or
failed load (no network: every host name fails to resolve), and screenshots are produced."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.cdp import CHROMIUM, Browser

PAGE_FACTS = """({
  title: document.title,
  links: [...document.querySelectorAll('nav.reports a')].map(a => a.getAttribute('href')),
  charts: [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {analysis: f.dataset.analysis, marts: f.dataset.marts, width: box.width, height: box.height,
            marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0,
            caption: (f.querySelector('figcaption') || {}).textContent || ''};
  }),
  tables: [...document.querySelectorAll('figure.table')].map(f => ({
    analysis: f.dataset.analysis, rows: f.querySelectorAll('tbody tr').length,
    width: f.getBoundingClientRect().width,
    caption: (f.querySelector('figcaption') || {}).textContent || ''})),
  text: document.body.innerText.length
})"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("headless Chromium is missing: run scripts/install-browser.sh (Debian package `chromium`)")
    with Browser(width=1280, height=900) as b:
        yield b


def test_the_detector_sees_console_errors_and_failed_loads(browser, tmp_path) -> None:
    """A control page with a console error, an exception and a missing image: all three are caught."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.png">'
                    '<script>console.error("boom"); notAFunction();</script></body></html>')
    report = browser.visit(page.as_uri())
    joined = "\n".join(report.errors)
    assert "console.error: boom" in joined
    assert "notAFunction" in joined
    assert "ERR_FILE_NOT_FOUND" in joined


def test_index_and_every_page_render_without_errors(rendered, browser) -> None:
    result, _ = rendered
    index = browser.visit(result.index_html.as_uri(), PAGE_FACTS)
    assert index.errors == []
    assert index.facts["links"] == ["index.html"] + [p.name for p in result.html]
    assert index.facts["tables"] and index.facts["text"] > 500
    for page in [*result.html, *result.pages]:
        report = browser.visit(page.as_uri(), PAGE_FACTS)
        assert report.errors == [], (page.name, report.errors)
        facts = report.facts
        assert facts["charts"] and facts["tables"], page.name
        for chart in facts["charts"]:
            assert chart["width"] > 200 and chart["height"] > 80, (page.name, chart)
            assert chart["marks"] > 10, (page.name, chart)
            assert chart["analysis"] and chart["marts"] and "Source:" in chart["caption"], (page.name, chart)
        for table in facts["tables"]:
            assert table["rows"] >= 1 and table["width"] > 200, (page.name, table)
            assert "Source:" in table["caption"], (page.name, table)


def test_screenshots(rendered, browser) -> None:
    result, _ = rendered
    shots = result.out_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    for page in (result.index_html, result.html[0], result.html[2]):
        browser.visit(page.as_uri())
        path = browser.screenshot(shots / f"{page.stem}.png")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000, path
    print(f"\nscreenshots: {shots}")
