"""The analyses' results as the reports read them, and the helpers that lay a report out.

ReportData runs each compiled analysis once (on first use) and keeps its rows; a report's
sections are written as a table of (title, blocks) where a block is drawn from an analysis's
rows (`chart_of`, `table_of`), a ready block, or None (left out: a sentence the data cannot
support).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from luckin.core.sessions import WarehouseSession

from .db import Analysis, CompiledAnalyses, WarehouseError
from .model import Chart, Report, Table

REPORTS = [
    ("00", "executive-summary", "Executive Summary", "Strategic",
     "C-level dashboard, SWOT, 12-month roadmap"),
    ("01", "revenue-financial-analysis", "Revenue & Financial Analysis", "Financial",
     "Revenue trends, store economics, AOV, projections"),
    ("02", "customer-user-analysis", "Customer & User Analysis", "Customer",
     "Acquisition, segmentation, retention, CLV modeling"),
    ("03", "store-performance-analysis", "Store Performance Analysis", "Operations",
     "Per-store deep dives, maturity curves, cannibalization"),
    ("04", "marketing-coupon-analysis", "Marketing & Coupon Analysis", "Marketing",
     "Coupon effectiveness, campaigns, CAC analysis"),
    ("05", "product-menu-analysis", "Product & Menu Analysis", "Product",
     "Product performance, categories, pricing strategy"),
    ("06", "operations-supply-chain-analysis", "Operations & Supply Chain", "Operations",
     "Production efficiency, IoT fleet, inventory"),
    ("07", "data-infrastructure-technology", "Data Infrastructure & Technology", "Technology",
     "Database architecture, AI systems, data quality"),
]


class ReportData:
    """Runs the compiled analyses on the warehouse on first use and keeps their results."""

    def __init__(self, compiled: CompiledAnalyses, warehouse: WarehouseSession):
        self.compiled = compiled
        self.warehouse = warehouse
        self.frames: dict[str, pd.DataFrame] = {}

    def __call__(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            try:
                self.frames[name] = self.warehouse.query(self.compiled[name].sql)
            except Exception as exc:  # one line naming the analysis, not a driver traceback
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise WarehouseError(f"{self.compiled[name].path} failed on {self.warehouse.target}: {first} "
                                     "(are the marts built? `luckin build`)") from None
        return self.frames[name]

    def a(self, *names: str) -> list[Analysis]:
        return [self.compiled[n] for n in names]

    def row(self, name: str) -> dict:
        frame = self(name)
        return frame.iloc[0].to_dict() if len(frame) else {}

    def run_all(self) -> None:
        for analysis in self.compiled:
            self(analysis.name)


def n(value) -> float:
    """A figure as a float (NaN when missing)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def report(number: str) -> Report:
    num, slug, title, size, focus = next(r for r in REPORTS if r[0] == number)
    return Report(number=num, slug=f"{num}-{slug}", title=title, focus=focus, size=size)


def with_partial(d: ReportData, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with `is_partial`: True for rows whose month (column) the data does not cover
    whole (the opening month and the current month), as r00_monthly_kpis says."""
    months = d("r00_monthly_kpis")
    partial = {pd.Timestamp(m).strftime("%Y-%m") for m, full in zip(months["order_month"], months["is_full_month"])
               if not full}
    keys = pd.to_datetime(frame[column])
    if getattr(keys.dt, "tz", None) is not None:
        keys = keys.dt.tz_convert("UTC").dt.tz_localize(None)
    return frame.assign(is_partial=keys.dt.strftime("%Y-%m").isin(partial).to_numpy())


def chart_of(analysis: str, title: str, plot: Callable[[pd.DataFrame], object], slug: str, note: str = ""):
    """A chart of one analysis's rows: plot(rows) draws it; slug names its SVG file."""
    return lambda d: Chart(title, plot(d(analysis)), d.a(analysis), slug, note=note)


def table_of(analysis: str, title: str, rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None, **options):
    """A table of one analysis's rows (rows(frame) picks or orders them first); options are
    model.Table's: columns, max_rows, note."""
    return lambda d: Table(title, rows(d(analysis)) if rows else d(analysis), d.a(analysis), **options)


def add_sections(r: Report, d: ReportData, layout: list[tuple[str, list]]) -> None:
    """Add the sections of a layout table to the report, blocks in order (None left out)."""
    for title, blocks in layout:
        section = r.section(title)
        for block in blocks:
            if block is not None:
                section.add(block(d) if callable(block) else block)
