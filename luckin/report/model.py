"""The report documents as data: a suite of reports, each with sections of blocks (text, tables,
charts, KPI tiles, a raw SVG diagram, and links to pages of their own such as the store pages).

Markdown (markdown.py) and HTML (html.py) render the same model. Every table and chart carries
the analyses it came from (`sources`): the HTML keeps them as data attributes and the appendix
page lists them, so the business pages stay free of file names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import fmt
from .charts import to_svg
from .db import Analysis


def anchor(text: str) -> str:
    """A section's id: "Store economics & payback" -> store-economics-payback."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


@dataclass
class Text:
    markdown: str


@dataclass
class Table:
    title: str
    frame: pd.DataFrame
    sources: list[Analysis]
    columns: dict[str, str] | list[str] | None = None  # names to show (and their labels)
    max_rows: int | None = 12  # rows shown before "Show all" (all rows are in the page)
    note: str = ""
    extra_source: str = ""  # provenance that is not an analysis (e.g. validation results)

    def shown(self) -> tuple[pd.DataFrame, dict[str, str]]:
        """Every row, the chosen columns and their headers (the HTML folds rows past max_rows;
        Markdown prints up to max_rows)."""
        if self.columns is None:
            labels = {c: fmt.label(c) for c in self.frame.columns if not c.endswith("_id")}
        elif isinstance(self.columns, dict):
            labels = dict(self.columns)
        else:
            labels = {c: fmt.label(c) for c in self.columns}
        return self.frame[list(labels)], labels


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
class Tile:
    """A KPI tile: the figure, its change on the previous full month, a sparkline of the months."""

    label: str
    value: str
    change: float | None = None  # relative change on the previous full month
    change_text: str = ""  # e.g. "+4.2% on Dec 2025"
    good_when_up: bool = True
    series: list[float] = field(default_factory=list)
    series_labels: list[str] = field(default_factory=list)  # hover text per point
    note: str = ""


@dataclass
class Tiles:
    tiles: list[Tile]
    sources: list[Analysis] = field(default_factory=list)


@dataclass
class Diagram:
    """A ready SVG drawing (the architecture diagram), with a text alternative."""

    title: str
    svg: str
    description: str
    sources: list[Analysis] = field(default_factory=list)


@dataclass
class Html:
    """A block with its own HTML (already escaped: built with markupsafe) and its Markdown twin."""

    html: object  # markupsafe.Markup
    markdown: str


@dataclass
class Page:
    """A page of its own under a report (the store pages, the appendix): its own HTML file,
    linked from the report and linking back to it; in Markdown it stands inline in the report."""

    slug: str  # "03-store-001"
    title: str
    description: str = ""  # one line under its link
    blocks: list = field(default_factory=list)
    sections: list["Section"] = field(default_factory=list)

    @property
    def html_name(self) -> str:
        return f"{self.slug}.html"

    def all_blocks(self) -> list:
        return [*self.blocks, *(b for s in self.sections for b in s.blocks)]


@dataclass
class Pages:
    """A block listing a report's sub-pages: links to them in HTML, the pages themselves in Markdown."""

    pages: list[Page]


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.title)

    def add(self, *blocks) -> "Section":
        self.blocks.extend(b for b in blocks if b is not None)
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
                out += [b for p in block.pages for b in p.all_blocks()] if isinstance(block, Pages) else [block]
        return out

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks() if isinstance(b, Chart)]


@dataclass
class Suite:
    title: str
    as_of: str  # "Feb 14, 2026": the data's last day (what a reader dates the figures by)
    period: str
    target: str
    reports: list[Report]
    overview: list = field(default_factory=list)  # blocks for the index page
    store_pages: dict[str, str] = field(default_factory=dict)  # store name -> its page (HTML file name)
