"""The report documents: a small page model (reports, sections, text, tables, charts, and pages
of their own under a report) and its two renderings, Markdown (one file per report, its pages
inline, charts as SVG files beside it) and a self-contained HTML site (index + one page per
report + one per sub-page, linked from its report; CSS and SVG inline, no script, no CDN).

Every table and chart carries its provenance: the analysis file(s) it ran and the marts they
read, printed under it in both renderings (and as data attributes in the HTML).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .charts import to_svg
from .db import Analysis


# --------------------------------------------------------------------------- formatting

_PERCENT_HINTS = ("_rate", "_share", "share_of_", "_ratio", "change_on_", "growth")
_ACRONYMS = {"usd": "USD", "aov": "AOV", "clv": "CLV", "cac": "CAC", "iot": "IoT", "mb": "MB", "id": "ID",
             "rfm": "RFM", "p90": "p90", "mysql": "MySQL", "28d": "28 d", "7d": "7 d", "mom": "MoM"}


def is_percent(column: str) -> bool:
    return any(h in column for h in _PERCENT_HINTS)


def fmt_money(value: float, cents: bool | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if cents is None:
        cents = abs(value) < 1000
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}" if cents else f"{sign}${abs(value):,.0f}"


def fmt_compact_money(value: float) -> str:
    """$2,194,799 -> $2.19M; $363,412 -> $363K; small values stay exact."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = abs(value)
    if v >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if v >= 1e4:
        return f"${value / 1e3:,.0f}K"
    return fmt_money(value)


def fmt_pct(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_int(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(round(value)):,}"


def format_value(column: str, value) -> str:
    """A cell as people read it, chosen from the column's name (the marts' naming conventions)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timestamp, datetime, date)):
        ts = pd.Timestamp(value)
        if column.endswith("_at"):
            if ts.tzinfo is not None:
                ts = ts.tz_convert("UTC")
            return ts.strftime("%Y-%m-%d %H:%M UTC")
        if column.endswith("_month") or column == "month":
            return ts.strftime("%b %Y")
        return ts.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value
    if column.endswith("_usd"):
        return fmt_money(float(value))
    if is_percent(column):
        return fmt_pct(float(value))
    if column.endswith("_seconds"):
        return f"{float(value):,.0f} s"
    if isinstance(value, int) or (hasattr(value, "is_integer") and float(value).is_integer()
                                  and not column.endswith(("_quantity", "_days_of_cover", "_mb", "latitude",
                                                           "longitude", "_miles", "_per_store_day",
                                                           "_per_customer", "_weekly_orders"))):
        return fmt_int(value)
    if column in ("latitude", "longitude"):
        return f"{float(value):.4f}"
    return f"{float(value):,.2f}"


def label(column: str) -> str:
    """snake_case column -> a header: completed_orders -> Completed orders; revenue_usd -> Revenue (USD)."""
    words = column.split("_")
    unit = ""
    if words[-1] == "usd":
        words, unit = words[:-1], " (USD)"
    text = " ".join(_ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:] + unit


# --------------------------------------------------------------------------- page model

@dataclass
class Text:
    markdown: str


@dataclass
class Table:
    title: str
    frame: pd.DataFrame
    sources: list[Analysis]
    columns: dict[str, str] | list[str] | None = None  # names to show (and their labels)
    max_rows: int | None = 40
    note: str = ""
    extra_source: str = ""  # provenance that is not an analysis (e.g. validation results)

    def shown(self) -> tuple[pd.DataFrame, dict[str, str]]:
        if self.columns is None:
            labels = {c: label(c) for c in self.frame.columns}
        elif isinstance(self.columns, dict):
            labels = dict(self.columns)
        else:
            labels = {c: label(c) for c in self.columns}
        frame = self.frame[list(labels)]
        if self.max_rows and len(frame) > self.max_rows:
            frame = frame.head(self.max_rows)
        return frame, labels


@dataclass
class Chart:
    title: str
    chart: object  # an Altair chart
    sources: list[Analysis]
    slug: str
    note: str = ""
    svg: str = ""

    def render(self) -> str:
        if not self.svg:
            self.svg = to_svg(self.chart)
        return self.svg


@dataclass
class Page:
    """A page of its own under a report (report 03's store pages): its own HTML file, linked from
    the report and linking back to it; in Markdown it stands inline in the report."""

    slug: str  # "03-store-001"
    title: str
    description: str = ""  # one line under its link
    blocks: list = field(default_factory=list)

    @property
    def html_name(self) -> str:
        return f"{self.slug}.html"


@dataclass
class Pages:
    """A block listing a report's sub-pages: links to them in HTML, the pages themselves in Markdown."""

    pages: list[Page]


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> "Section":
        self.blocks.extend(blocks)
        return self


@dataclass
class Report:
    number: str  # "00".."07"
    slug: str  # "00-executive-summary"
    title: str
    focus: str
    size: str
    summary: str = ""
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s

    @property
    def md_name(self) -> str:
        return f"{self.slug}.md"

    @property
    def html_name(self) -> str:
        return f"{self.slug}.html"

    def pages(self) -> list[Page]:
        return [p for s in self.sections for b in s.blocks if isinstance(b, Pages) for p in b.pages]

    def blocks(self) -> list:
        """Every block of the report, its sub-pages' included, in order."""
        out = []
        for section in self.sections:
            for block in section.blocks:
                out += [b for p in block.pages for b in p.blocks] if isinstance(block, Pages) else [block]
        return out

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks() if isinstance(b, Chart)]


@dataclass
class Suite:
    title: str
    prepared: str
    period: str
    target: str
    warehouse: str
    reports: list[Report]
    overview: list = field(default_factory=list)  # blocks for the index page


# --------------------------------------------------------------------------- provenance

def provenance_text(sources: list[Analysis], extra: str = "") -> str:
    marts = sorted({m for a in sources for m in a.marts})
    parts = []
    if marts:
        parts.append("marts " + ", ".join(f"`{m}`" for m in marts))
    if sources:
        parts.append("analysis " + ", ".join(f"`{a.path}`" for a in sources))
    if extra:
        parts.append(extra)
    return "Source: " + " · ".join(parts)


# --------------------------------------------------------------------------- markdown

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    frame, labels = table.shown()
    head = "| " + " | ".join(_md_cell(labels[c]) for c in frame.columns) + " |"
    align = "|" + "|".join("---:" if _is_numeric(table.frame[c]) else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_md_cell(format_value(c, v)) for c, v in zip(frame.columns, row)) + " |"
            for row in frame.itertuples(index=False, name=None)]
    lines = [f"**{table.title}**", "", head, align, *rows, ""]
    if len(table.frame) > len(frame):
        lines.append(f"*Showing {len(frame)} of {len(table.frame)} rows.*")
    if table.note:
        lines.append(f"*{table.note}*")
    lines.append(f"<sub>{provenance_text(table.sources, table.extra_source)}</sub>")
    return "\n".join(lines) + "\n"


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def blocks_markdown(blocks: list, chart_dir: str = "charts") -> list[str]:
    """Markdown lines of a section's blocks; sub-pages inline, each under a heading of its own."""
    out = []
    for block in blocks:
        if isinstance(block, Text):
            out += [block.markdown.strip(), ""]
        elif isinstance(block, Table):
            out += [table_markdown(block)]
        elif isinstance(block, Chart):
            out += [f"**{block.title}**", "", f"![{block.title}]({chart_dir}/{block.slug}.svg)", ""]
            if block.note:
                out.append(f"*{block.note}*")
            out += [f"<sub>{provenance_text(block.sources)}</sub>", ""]
        elif isinstance(block, Pages):
            for page in block.pages:
                out += [f"### {page.title}", "", *blocks_markdown(page.blocks, chart_dir)]
    return out


def report_markdown(report: Report, suite: Suite, chart_dir: str = "charts") -> str:
    out = [f"# {report.number} · {report.title}", "",
           f"**Prepared:** {suite.prepared} · **Period covered:** {suite.period} · "
           f"**Warehouse:** {suite.target} · **Focus:** {report.focus}", ""]
    if report.summary:
        out += [report.summary.strip(), ""]
    for section in report.sections:
        out += [f"## {section.title}", "", *blocks_markdown(section.blocks, chart_dir)]
    out += ["---", "", f"*Generated by `luckin report` from the {suite.target} warehouse ({suite.warehouse}); "
            "every figure is computed from the marts by the analyses named under it.*", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- html

_CSS = """
:root { --ink:#17202a; --muted:#5d6d7e; --line:#d5dbe3; --brand:#1f3c88; --bg:#f6f7f9; --accent:#e8772e; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header.site { background: var(--brand); color: #fff; padding: 14px 28px; }
header.site a { color: #fff; text-decoration: none; }
header.site .brand { font-weight: 700; font-size: 18px; }
nav.reports { display:flex; flex-wrap:wrap; gap:6px; margin-top:8px; }
nav.reports a { padding:3px 9px; border-radius:4px; background: rgba(255,255,255,.12); font-size:13px; }
nav.reports a.current { background:#fff; color: var(--brand); font-weight:600; }
main { max-width: 1080px; margin: 0 auto; padding: 18px 28px 60px; }
h1 { font-size: 28px; margin: 12px 0 4px; }
h2 { font-size: 21px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
.meta { color: var(--muted); font-size: 13px; margin-bottom: 14px; }
.summary { background:#fff; border-left: 4px solid var(--accent); padding: 10px 16px; margin: 14px 0; }
figure { background:#fff; border:1px solid var(--line); border-radius:6px; margin: 16px 0; padding: 12px 14px;
         overflow-x: auto; }
figure .title { font-weight: 600; margin-bottom: 8px; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 8px; }
figcaption code { font-size: 11.5px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #fdecea; }
tr.warn td { background: #fff6e0; }
.badge { display:inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.pass { background:#e3f4e8; color:#1e7b3a; } .badge.fail { background:#fdecea; color:#a93226; }
.badge.warn { background:#fff1cc; color:#8a6100; }
.chart svg { max-width: 100%; height: auto; }
ol.findings li, ul li { margin: 4px 0; }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding: 12px 14px; }
.card a { font-weight: 600; color: var(--brand); text-decoration:none; }
.card p { margin: 4px 0 0; color: var(--muted); font-size: 13px; }
.back { margin: 4px 0 0; font-size: 13px; }
.back a { color: var(--brand); text-decoration: none; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
code { background:#eef1f5; padding: 0 3px; border-radius: 3px; }
"""


def inline_markdown(text: str) -> str:
    """The few inline marks the reports use: **bold**, *italic*, `code`, [text](link)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    out = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    return out


def markdown_html(text: str) -> str:
    """Paragraphs, bullet lists ("- ") and numbered lists ("1. ") of the report texts."""
    blocks, html_out = re.split(r"\n\s*\n", text.strip()), []
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(re.match(r"^- ", ln) for ln in lines):
            html_out.append("<ul>" + "".join(f"<li>{inline_markdown(ln[2:])}</li>" for ln in lines) + "</ul>")
        elif lines and all(re.match(r"^\d+\. ", ln) for ln in lines):
            items = "".join("<li>" + inline_markdown(re.sub(r"^\d+\. ", "", ln)) + "</li>" for ln in lines)
            html_out.append(f'<ol class="findings">{items}</ol>')
        else:
            html_out.append(f"<p>{inline_markdown(' '.join(lines))}</p>")
    return "\n".join(html_out)


def _caption(sources: list[Analysis], extra: str = "") -> str:
    return f"<figcaption>{inline_markdown(provenance_text(sources, extra))}</figcaption>"


def _data_attrs(sources: list[Analysis]) -> str:
    names = " ".join(a.name for a in sources)
    marts = " ".join(sorted({m for a in sources for m in a.marts}))
    return f' data-analysis="{html.escape(names)}" data-marts="{html.escape(marts)}"'


def table_html(table: Table) -> str:
    frame, labels = table.shown()
    numeric = {c: _is_numeric(table.frame[c]) for c in frame.columns}
    head = "".join(f'<th class="num">{html.escape(labels[c])}</th>' if numeric[c] else f"<th>{html.escape(labels[c])}</th>"
                   for c in frame.columns)
    body = []
    status_col = next((c for c in frame.columns if c in ("result", "status")), None)
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(frame.columns, row):
            text = html.escape(format_value(c, v))
            cells.append(f'<td class="num">{text}</td>' if numeric[c] else f"<td>{text}</td>")
        cls = ""
        if status_col:
            value = str(dict(zip(frame.columns, row))[status_col]).lower()
            cls = ' class="fail"' if value.startswith("fail") else (' class="warn"' if value.startswith("warn") else "")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    notes = []
    if len(table.frame) > len(frame):
        notes.append(f"Showing {len(frame)} of {len(table.frame)} rows.")
    if table.note:
        notes.append(table.note)
    note_html = f'<p class="meta">{inline_markdown(" ".join(notes))}</p>' if notes else ""
    return (f'<figure class="table"{_data_attrs(table.sources)}><div class="title">{html.escape(table.title)}</div>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note_html}"
            f"{_caption(table.sources, table.extra_source)}</figure>")


def chart_html(chart: Chart) -> str:
    svg = chart.render()
    svg = svg[svg.index("<svg"):] if "<svg" in svg else svg
    note = f'<p class="meta">{inline_markdown(chart.note)}</p>' if chart.note else ""
    return (f'<figure class="chart" id="chart-{chart.slug}"{_data_attrs(chart.sources)}>'
            f'<div class="title">{html.escape(chart.title)}</div>{svg}{note}{_caption(chart.sources)}</figure>')


def page_html(title: str, body: str, suite: Suite, current: str) -> str:
    current_cls = ' class="current"'
    links = [f'<a href="index.html"{current_cls if current == "index" else ""}>Index</a>']
    for r in suite.reports:
        cls = ' class="current"' if current == r.slug else ""
        links.append(f'<a href="{r.html_name}"{cls}>{r.number} {html.escape(r.title)}</a>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · {html.escape(suite.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header class="site"><a class="brand" href="index.html">{html.escape(suite.title)}</a>
<nav class="reports">{''.join(links)}</nav></header>
<main>
{body}
<footer>Generated by <code>luckin report</code> from the {html.escape(suite.target)} warehouse
(<code>{html.escape(suite.warehouse)}</code>). Every table and chart names the marts and the analysis it came from.</footer>
</main>
</body>
</html>
"""


def pages_html(pages: Pages) -> str:
    """Links to a report's sub-pages, as cards."""
    cards = "".join(f'<div class="card"><a href="{p.html_name}">{html.escape(p.title)}</a>'
                    f"<p>{html.escape(p.description)}</p></div>" for p in pages.pages)
    return f'<div class="cards pages">{cards}</div>'


def blocks_html(blocks: list) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Text):
            parts.append(markdown_html(block.markdown))
        elif isinstance(block, Table):
            parts.append(table_html(block))
        elif isinstance(block, Chart):
            parts.append(chart_html(block))
        elif isinstance(block, Pages):
            parts.append(pages_html(block))
        elif isinstance(block, str):
            parts.append(block)
    return "\n".join(parts)


def report_html(report: Report, suite: Suite) -> str:
    body = [f"<h1>{report.number} · {html.escape(report.title)}</h1>",
            f'<div class="meta">Prepared {html.escape(suite.prepared)} · Period covered {html.escape(suite.period)} · '
            f"Focus: {html.escape(report.focus)}</div>"]
    if report.summary:
        body.append(f'<div class="summary">{markdown_html(report.summary)}</div>')
    for section in report.sections:
        body.append(f"<section><h2>{html.escape(section.title)}</h2>")
        body.append(blocks_html(section.blocks))
        body.append("</section>")
    return page_html(f"{report.number} {report.title}", "\n".join(body), suite, report.slug)


def subpage_html(page: Page, report: Report, suite: Suite) -> str:
    """A sub-page of a report: a link back to the report, then its blocks."""
    back = f"&larr; {report.number} · {html.escape(report.title)}"
    body = [f'<p class="back"><a href="{report.html_name}">{back}</a></p>',
            f"<h1>{html.escape(page.title)}</h1>",
            f'<div class="meta">Prepared {html.escape(suite.prepared)} · Period covered {html.escape(suite.period)} · '
            f"Part of report {report.number}</div>",
            blocks_html(page.blocks)]
    return page_html(f"{page.title} · {report.number} {report.title}", "\n".join(body), suite, report.slug)


def index_html(suite: Suite) -> str:
    cards = "".join(
        f'<div class="card"><a href="{r.html_name}">{r.number} · {html.escape(r.title)}</a>'
        f"<p>{html.escape(r.size)} · {html.escape(r.focus)}</p></div>" for r in suite.reports)
    body = [f"<h1>{html.escape(suite.title)}</h1>",
            f'<div class="meta">Prepared {html.escape(suite.prepared)} · Period covered {html.escape(suite.period)}</div>',
            "<h2>Report suite</h2>", f'<div class="cards">{cards}</div>', blocks_html(suite.overview)]
    return page_html("Index", "\n".join(body), suite, "index")


def index_markdown(suite: Suite) -> str:
    out = [f"# {suite.title}", "", f"**Prepared:** {suite.prepared}", f"**Period covered:** {suite.period}", "",
           "## Report Suite Overview", "", "| # | Report | Size | Focus Area |", "|---|---|---|---|"]
    for r in suite.reports:
        out.append(f"| {r.number} | [{r.title}]({r.md_name}) | {r.size} | {r.focus} |")
    out.append("")
    for block in suite.overview:
        if isinstance(block, Text):
            out += [block.markdown.strip(), ""]
        elif isinstance(block, Table):
            out.append(table_markdown(block))
    return "\n".join(out)


def write_suite(suite: Suite, out_dir: Path) -> list[Path]:
    """Write index.md + NN-*.md (charts in charts/*.svg) and index.html + NN-*.html, plus an HTML
    file for each report's sub-pages; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_dir = out_dir / "charts"
    chart_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    for report in suite.reports:
        for chart in report.charts():
            path = chart_dir / f"{chart.slug}.svg"
            path.write_text(chart.render(), encoding="utf-8")
            written.append(path)
        md = out_dir / report.md_name
        md.write_text(report_markdown(report, suite), encoding="utf-8")
        page = out_dir / report.html_name
        page.write_text(report_html(report, suite), encoding="utf-8")
        written += [md, page]
        for sub in report.pages():
            path = out_dir / sub.html_name
            path.write_text(subpage_html(sub, report, suite), encoding="utf-8")
            written.append(path)
    (out_dir / "index.md").write_text(index_markdown(suite), encoding="utf-8")
    (out_dir / "index.html").write_text(index_html(suite), encoding="utf-8")
    written += [out_dir / "index.md", out_dir / "index.html"]
    return written
