"""Texts are Markdown rendered by markdown-it-py into Jinja2 templates with autoescaping: a
hostile link cannot become an attribute or a script, and links are limited to http(s),
relative paths and anchors."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from luckin.report import text
from luckin.report.html import report_html
from luckin.report.model import Report, Suite, Table, Text

HOSTILE = '[x](a"onmouseover="alert(1))'


def _anchors(html: str) -> list[str]:
    return re.findall(r"<a\b[^>]*>", html)


def test_a_hostile_link_is_not_an_attribute() -> None:
    html = str(text.html(HOSTILE))
    for tag in _anchors(html):
        attributes = re.findall(r'\s([a-zA-Z-]+)=', tag)
        assert attributes == ["href"], tag
    assert "onmouseover=" not in html.replace("%22onmouseover=%22", "")


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                  "java\tscript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "file:///etc/passwd",
                                  "//evil.example/x"])
def test_only_http_relative_and_anchor_links_are_kept(link) -> None:
    html = str(text.html(f"[click]({link})"))
    assert not _anchors(html), html
    assert not text.is_safe_link(link)


@pytest.mark.parametrize("link", ["https://luckincoffee.com", "http://example.org/a?b=1", "03-store-001.html",
                                  "#store-economics", "../reports/index.html"])
def test_safe_links_stay_links(link) -> None:
    html = str(text.html(f"[go]({link})"))
    assert len(_anchors(html)) == 1 and text.is_safe_link(link)


def test_raw_html_in_text_and_cells_is_shown_not_run() -> None:
    """A text, a table title and a cell holding markup come out escaped in the rendered page."""
    report = Report("09", "09-test", "Escaping", "focus", "size", summary=HOSTILE)
    report.section("A <script>alert(1)</script> section").add(
        Text(f"{HOSTILE} and [j](javascript:alert(1)) and <img src=x onerror=alert(1)>"),
        Table("<b>title</b>", pd.DataFrame({"store_name": ['<img src=x onerror="alert(1)">'], "value": [1]}), []))
    suite = Suite("Suite", "Feb 14, 2026", "period", "duckdb", [report])
    page = report_html(report, suite)
    body = page[page.index("<main"):page.index("<script>")]
    assert "<img" not in body and "<b>title" not in body and "<script>alert" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'href="javascript:' not in page.lower()
    for tag in _anchors(body):
        assert re.fullmatch(r'<a href="[^"]*">', tag), tag
