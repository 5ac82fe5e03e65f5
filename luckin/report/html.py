"""The HTML rendering of the report suite: one Jinja2 template (templates/page.html.j2, with
autoescaping) for the index, the reports and their sub-pages; the CSS and the small script
(sortable tables, "Show all") inlined, so the site reads offline from any folder.

Cells are formatted by luckin.report.fmt; texts go through markdown-it-py (luckin.report.text).
Every store name in a table or a text links to the store's page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import fmt, text
from .model import Chart, Diagram, Html, Page, Pages, Report, Suite, Table, Text, Tiles, anchor

TEMPLATES = Path(__file__).parent / "templates"
_STORE_COLUMNS = ("store_name", "nearest_store_name")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=False, lstrip_blocks=False)
    env.globals["md"] = text.html
    return env


@lru_cache(maxsize=1)
def _assets() -> tuple[Markup, Markup]:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    return Markup(css), Markup(js)


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _sort_key(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return repr(float(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return None


def link_stores(markdown: str, store_pages: dict[str, str]) -> str:
    """Store names in a text as Markdown links to their pages (longest names first, not inside
    an existing link or code span)."""
    if not store_pages or not markdown:
        return markdown
    names = sorted(store_pages, key=len, reverse=True)
    pattern = re.compile(r"(\[[^\]]*\]\([^)]*\)|`[^`]*`)|(" + "|".join(re.escape(n) for n in names) + r")")

    def repl(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        return f"[{m.group(2)}]({store_pages[m.group(2)]})"
    return pattern.sub(repl, markdown)


def _provenance(sources) -> tuple[str, str]:
    names = " ".join(a.name for a in sources)
    marts = " ".join(sorted({m for a in sources for m in a.marts}))
    return names, marts


class _Counter:
    def __init__(self):
        self.seen: dict[str, int] = {}

    def id(self, title: str) -> str:
        base = "t-" + anchor(title)[:48]
        n = self.seen.get(base, 0)
        self.seen[base] = n + 1
        return base if n == 0 else f"{base}-{n + 1}"


def table_view(table: Table, store_pages: dict[str, str], ids: _Counter) -> dict:
    frame, labels = table.shown()
    numeric = {c: is_numeric(table.frame[c]) for c in frame.columns}
    status_col = next((c for c in frame.columns if c in ("result", "status")), None)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(frame.columns, record):
            shown = fmt.value(c, v)
            href = store_pages.get(v) if c in _STORE_COLUMNS and isinstance(v, str) else None
            cells.append({"text": shown, "numeric": numeric[c], "sort": _sort_key(v), "href": href,
                          "short": len(shown) <= 24})
        cls = ""
        if status_col:
            state = str(dict(zip(frame.columns, record))[status_col]).lower()
            cls = "fail" if state.startswith("fail") else ("warn" if state.startswith("warn") else "")
        rows.append({"cells": cells, "cls": cls})
    analyses, marts = _provenance(table.sources)
    return {"kind": "table", "id": ids.id(table.title), "title": table.title, "note": table.note,
            "headers": [{"label": labels[c], "numeric": numeric[c]} for c in frame.columns], "rows": rows,
            "shown": table.max_rows or len(rows), "analyses": analyses, "marts": marts}


def sparkline(values: list[float], labels: list[str], good_when_up: bool = True) -> Markup:
    """A small inline SVG line of the months, each point with its value as a <title>."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and not pd.isna(v)]
    if len(points) < 2:
        return Markup("")
    w, h, pad = 180.0, 34.0, 3.0
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)

    def xy(i, v):
        return pad + (w - 2 * pad) * i / n, h - pad - (h - 2 * pad) * (v - lo) / span
    coords = [xy(i, v) for i, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="#1f3c88"><title>{Markup.escape(labels[i])}</title></circle>'
        for (i, _), (x, y) in zip(points, coords))
    return Markup(f'<svg class="spark" viewBox="0 0 {w:.0f} {h:.0f}" preserveAspectRatio="none" role="img" '
                  f'aria-label="trend by month"><polyline points="{path}" fill="none" stroke="#1f3c88" '
                  f'stroke-width="1.6" vector-effect="non-scaling-stroke"/>{dots}</svg>')


def blocks_view(blocks: list, suite: Suite, ids: _Counter) -> list[dict]:
    out = []
    for block in blocks:
        if isinstance(block, Text):
            out.append({"kind": "text", "markdown": link_stores(block.markdown, suite.store_pages)})
        elif isinstance(block, Table):
            out.append(table_view(block, suite.store_pages, ids))
        elif isinstance(block, Chart):
            svg = block.render()
            svg = svg[svg.index("<svg"):] if "<svg" in svg else svg
            analyses, marts = _provenance(block.sources)
            out.append({"kind": "chart", "slug": block.slug, "title": block.title, "svg": Markup(svg),
                        "note": block.note, "analyses": analyses, "marts": marts})
        elif isinstance(block, Tiles):
            tiles = []
            for t in block.tiles:
                tone = ""
                if t.change is not None and not pd.isna(t.change) and t.change != 0:
                    tone = "good" if (t.change > 0) == t.good_when_up else "bad"
                tiles.append({"label": t.label, "value": t.value, "change_text": t.change_text, "tone": tone,
                              "note": t.note, "spark": sparkline(t.series, t.series_labels, t.good_when_up)})
            out.append({"kind": "tiles", "tiles": tiles, "analyses": _provenance(block.sources)[0]})
        elif isinstance(block, Diagram):
            analyses, marts = _provenance(block.sources)
            out.append({"kind": "diagram", "title": block.title, "svg": Markup(block.svg),
                        "description": block.description, "analyses": analyses, "marts": marts})
        elif isinstance(block, Pages):
            out.append({"kind": "pages", "pages": [{"href": p.html_name, "title": p.title,
                                                    "description": p.description} for p in block.pages]})
        elif isinstance(block, Html):
            out.append({"kind": "html", "html": Markup(block.html)})
    return out


def _render(suite: Suite, *, page_title: str, heading: str, meta: str, current: str, summary: str = "",
            lead: list | None = None, sections: list | None = None, back: dict | None = None) -> str:
    css, js = _assets()
    ids = _Counter()
    section_views = [{"title": s.title, "anchor": s.anchor, "blocks": blocks_view(s.blocks, suite, ids)}
                     for s in (sections or [])]
    return _env().get_template("page.html.j2").render(
        suite=suite, page_title=page_title, heading=heading, meta=meta, current=current,
        summary=link_stores(summary, suite.store_pages), lead=blocks_view(lead or [], suite, ids),
        sections=section_views, contents=section_views, back=back, css=css, js=js,
        footer=f"Luckin Coffee USA · data as of {suite.as_of} · figures computed from the warehouse's marts; "
               "how each one is computed is in the appendix of report 00 and in report 07.")


def report_html(report: Report, suite: Suite) -> str:
    return _render(suite, page_title=f"{report.number} {report.title}", heading=f"{report.number} · {report.title}",
                   meta=f"Data as of {suite.as_of} · Period covered {suite.period} · Focus: {report.focus}",
                   current=report.slug, summary=report.summary, sections=report.sections)


def subpage_html(page: Page, report: Report, suite: Suite) -> str:
    return _render(suite, page_title=f"{page.title} · {report.number} {report.title}", heading=page.title,
                   meta=f"Data as of {suite.as_of} · Part of report {report.number} · {page.description}",
                   current=report.slug, lead=page.blocks, sections=page.sections,
                   back={"href": report.html_name, "title": f"{report.number} · {report.title}"})


def index_html(suite: Suite) -> str:
    cards = Pages([Page(r.slug, f"{r.number} · {r.title}", f"{r.size} · {r.focus}") for r in suite.reports])
    from .model import Section

    sections = [Section("Report suite", [cards]), *suite.overview]
    return _render(suite, page_title="Index", heading=suite.title,
                   meta=f"Data as of {suite.as_of} · Period covered {suite.period}", current="index",
                   sections=sections)
