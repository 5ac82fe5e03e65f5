"""The rendered site in headless Chromium (Debian's `chromium`; scripts/install-browser.sh), at a
desktop width (1400 px) and a phone width (390 px): every page loads with no console error,
exception or failed load (no network: every host name fails to resolve), the page never
scrolls sideways, and no SVG text runs outside its chart, overlaps another label or is cut
short. Tables sort and expand; screenshots are produced."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from luckin.report import charts as ch
from tests.report.cdp import CHROMIUM, Browser
from tests.report.layout import LAYOUT_FACTS

WIDTHS = [(1400, False), (390, True)]

PAGE_FACTS = """({
  title: document.title,
  links: [...document.querySelectorAll('nav.reports a')].map(a => a.getAttribute('href')),
  charts: [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {analysis: f.dataset.analysis, marts: f.dataset.marts, width: box.width, height: box.height,
            marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0,
            hover: svg ? svg.querySelectorAll('title').length : 0};
  }),
  tables: [...document.querySelectorAll('figure.table')].map(f => ({
    analysis: f.dataset.analysis, rows: f.querySelectorAll('tbody tr').length,
    width: f.getBoundingClientRect().width})),
  sections: [...document.querySelectorAll('main section[id]')].map(s => s.id),
  contents: [...document.querySelectorAll('nav.contents a')].map(a => a.getAttribute('href')),
  text: document.body.innerText.length
})"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("headless Chromium is missing: run scripts/install-browser.sh (Debian package `chromium`)")
    with Browser(width=1400, height=900) as b:
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


def test_the_layout_check_sees_overflow_overlap_and_truncation(browser, tmp_path) -> None:
    """A control page: an SVG label past the chart's edge, two labels on top of each other, a
    label cut with an ellipsis, and a page wider than the viewport are all reported."""
    page = tmp_path / "bad-layout.html"
    page.write_text('<!DOCTYPE html><html><body style="margin:0"><div style="width:2000px">wide</div>'
                    '<figure id="c"><svg width="200" height="100" font-size="12">'
                    '<text x="150" y="20">runs past the edge</text>'
                    '<text x="10" y="60">overlap one</text><text x="14" y="62">overlap two</text>'
                    '<text x="10" y="90">Herald Squ\u2026</text></svg></figure></body></html>', encoding="utf-8")
    browser.resize(390, 844, True)
    facts = browser.visit(page.as_uri(), LAYOUT_FACTS).facts
    kinds = {p["kind"] for p in facts["problems"]}
    assert kinds == {"outside", "overlap", "truncated"}, facts["problems"]
    assert facts["scrollWidth"] > facts["clientWidth"]


def _long_label_page(tmp_path: Path) -> Path:
    """A chart of the suite's style with deliberately long category and legend labels."""
    frame = pd.DataFrame({
        "store_name": ["Luckin Coffee Herald Square at Broadway and West 34th Street (flagship)",
                       "Luckin Coffee Grand Central Terminal Lexington Avenue Passage kiosk",
                       "Short"] * 2,
        "measure": ["Revenue per trading day over the store's whole lifetime"] * 3
                   + ["Revenue per trading day over the last twenty-eight days of data"] * 3,
        "usd": [1234.5, 987.0, 45.0, 1500.0, 1100.0, 60.0]})
    svg = ch.to_svg(ch.bar(frame, "store_name", "usd", horizontal=True, color="measure", color_title="Period",
                           stack=False))
    page = tmp_path / "long-labels.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
                    f'<style>svg{{max-width:100%;height:auto}}</style></head><body><figure id="long">'
                    f'{svg[svg.index("<svg"):]}</figure></body></html>', encoding="utf-8")
    return page


@pytest.mark.parametrize("width, mobile", WIDTHS)
def test_a_deliberately_long_label_is_wrapped_not_cut(browser, tmp_path, width, mobile) -> None:
    """Category and legend labels far longer than any limit: every word is drawn, inside the
    chart, and no two labels overlap (a chart style that truncates or clips fails here)."""
    page = _long_label_page(tmp_path)
    browser.resize(width, 900, mobile)
    facts = browser.visit(page.as_uri(), LAYOUT_FACTS).facts
    assert facts["texts"] >= 8
    assert facts["problems"] == []
    for word in ("(flagship)", "kiosk", "lifetime", "twenty-eight"):  # every word drawn, none cut
        assert word in facts["words"], (word, facts["words"])


@pytest.mark.parametrize("width, mobile", WIDTHS)
def test_every_page_renders_cleanly(rendered, browser, width, mobile) -> None:
    result, _ = rendered
    browser.resize(width, 844 if mobile else 900, mobile)
    for page in [result.index_html, *result.html, *result.pages]:
        report = browser.visit(page.as_uri(), LAYOUT_FACTS)
        assert report.errors == [], (page.name, width, report.errors)
        facts = report.facts
        assert facts["scrollWidth"] <= facts["clientWidth"], (page.name, width, "the page scrolls sideways")
        assert facts["problems"] == [], (page.name, width, facts["problems"][:10])


def test_pages_have_charts_tables_contents_and_provenance(rendered, browser) -> None:
    result, _ = rendered
    browser.resize(1400, 900, False)
    index = browser.visit(result.index_html.as_uri(), PAGE_FACTS)
    assert index.facts["links"] == ["index.html"] + [p.name for p in result.html]
    assert index.facts["tables"] and index.facts["text"] > 500
    for page in result.html:
        facts = browser.visit(page.as_uri(), PAGE_FACTS).facts
        assert facts["charts"] and facts["tables"], page.name
        assert facts["contents"] == [f"#{s}" for s in facts["sections"]], page.name  # contents link every section
        for chart in facts["charts"]:
            assert chart["width"] > 200 and chart["height"] > 80, (page.name, chart)
            assert chart["marks"] > 10 and chart["hover"] >= 2, (page.name, chart)  # marks carry hover values
            assert chart["analysis"] and chart["marts"], (page.name, chart)
        for table in facts["tables"]:
            assert table["rows"] >= 1 and table["width"] > 200, (page.name, table)


SORT_AND_EXPAND = """(() => {
  const figure = [...document.querySelectorAll('figure.table')].find(f => f.querySelector('button.show-all'));
  const table = figure.querySelector('table');
  const visible = () => [...table.tBodies[0].rows].filter(r => !r.hidden).length;
  const total = table.tBodies[0].rows.length;
  const before = visible();
  figure.querySelector('button.show-all').click();
  const expanded = visible();
  const th = [...table.tHead.rows[0].cells].find(c => c.classList.contains('num'));
  const index = [...table.tHead.rows[0].cells].indexOf(th);
  const values = () => [...table.tBodies[0].rows].map(r => Number(r.cells[index].dataset.sort));
  th.click();
  const ascending = values();
  th.click();
  const descending = values();
  return {before, expanded, total, ascending, descending, sort: th.getAttribute('aria-sort')};
})()"""


def test_tables_sort_and_show_all(rendered, browser) -> None:
    result, _ = rendered
    browser.resize(1400, 900, False)
    page = result.out_dir / "07-data-infrastructure-technology.html"
    facts = browser.visit(page.as_uri(), SORT_AND_EXPAND).facts
    assert facts["before"] < facts["total"] == facts["expanded"]
    numbers = [v for v in facts["ascending"] if v == v]
    assert numbers == sorted(numbers)
    numbers = [v for v in facts["descending"] if v == v]
    assert numbers == sorted(numbers, reverse=True) and facts["sort"] == "descending"


def test_screenshots(rendered, browser) -> None:
    result, _ = rendered
    shots = result.out_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    for width, mobile in WIDTHS:
        browser.resize(width, 844 if mobile else 900, mobile)
        for page in (result.index_html, result.html[0], result.html[3]):
            browser.visit(page.as_uri())
            path = browser.screenshot(shots / f"{page.stem}-{width}.png")
            data = path.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000, path
    print(f"\nscreenshots: {shots}")


def test_pdf_prints_a_report(rendered, tmp_path) -> None:
    """`luckin report --pdf` prints through headless Chromium: a real PDF, several pages long."""
    from luckin.report.pdf import print_pdf

    result, _ = rendered
    pdf = print_pdf(result.html[0], tmp_path / "00.pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2
