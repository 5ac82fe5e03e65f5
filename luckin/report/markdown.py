"""The Markdown rendering of the report suite (one file per report, its sub-pages inline, charts
as SVG files beside it) and the writer of the whole suite (Markdown + the HTML site)."""

from __future__ import annotations

from pathlib import Path

from . import fmt
from .html import index_html, is_numeric, report_html, subpage_html
from .model import Chart, Diagram, Html, Pages, Report, Suite, Table, Text, Tiles


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    frame, labels = table.shown()
    limit = table.max_rows or len(frame)
    shown = frame.head(limit)
    head = "| " + " | ".join(_cell(labels[c]) for c in frame.columns) + " |"
    align = "|" + "|".join("---:" if is_numeric(table.frame[c]) else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_cell(fmt.value(c, v)) for c, v in zip(frame.columns, row)) + " |"
            for row in shown.itertuples(index=False, name=None)]
    lines = [f"**{table.title}**", "", head, align, *rows, ""]
    if len(frame) > len(shown):
        lines.append(f"*The first {len(shown)} of {len(frame)} rows; the HTML page has them all.*")
    if table.note:
        lines.append(f"*{table.note}*")
    return "\n".join(lines) + "\n"


def tiles_markdown(tiles: Tiles) -> str:
    lines = ["| Measure | Value | Change |", "|---|---:|---|"]
    for t in tiles.tiles:
        lines.append(f"| {_cell(t.label)} | {_cell(t.value)} | {_cell(t.change_text or t.note)} |")
    return "\n".join(lines) + "\n"


def blocks_markdown(blocks: list, chart_dir: str = "charts") -> list[str]:
    """Markdown lines of a section's blocks; sub-pages inline, each under a heading of its own."""
    out = []
    for block in blocks:
        if isinstance(block, Text):
            out += [block.markdown.strip(), ""]
        elif isinstance(block, Table):
            out += [table_markdown(block)]
        elif isinstance(block, Tiles):
            out += [tiles_markdown(block)]
        elif isinstance(block, Chart):
            out += [f"**{block.title}**", "", f"![{block.title}]({chart_dir}/{block.slug}.svg)", ""]
            if block.note:
                out += [f"*{block.note}*", ""]
        elif isinstance(block, Html):
            out += [block.markdown.strip(), ""]
        elif isinstance(block, Diagram):
            out += [f"**{block.title}**", "", block.description, ""]
        elif isinstance(block, Pages):
            for page in block.pages:
                out += [f"### {page.title}", "", *blocks_markdown(page.blocks, chart_dir)]
                for section in page.sections:
                    out += [f"#### {section.title}", "", *blocks_markdown(section.blocks, chart_dir)]
    return out


def report_markdown(report: Report, suite: Suite, chart_dir: str = "charts") -> str:
    out = [f"# {report.number} · {report.title}", "",
           f"**Data as of:** {suite.as_of} · **Period covered:** {suite.period} · **Focus:** {report.focus}", ""]
    if report.summary:
        out += [report.summary.strip(), ""]
    for section in report.sections:
        out += [f"## {section.title}", "", *blocks_markdown(section.blocks, chart_dir)]
    out += ["---", "", f"*Luckin Coffee USA · data as of {suite.as_of}. How each figure is computed: the appendix "
                       "of report 00 and report 07.*", ""]
    return "\n".join(out)


def index_markdown(suite: Suite) -> str:
    out = [f"# {suite.title}", "", f"**Data as of:** {suite.as_of}", f"**Period covered:** {suite.period}", "",
           "## Report Suite Overview", "", "| # | Report | Size | Focus Area |", "|---|---|---|---|"]
    for r in suite.reports:
        out.append(f"| {r.number} | [{r.title}]({r.md_name}) | {r.size} | {r.focus} |")
    out.append("")
    for section in suite.overview:
        out += [f"## {section.title}", "", *blocks_markdown(section.blocks)]
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
