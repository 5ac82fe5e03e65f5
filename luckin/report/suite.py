"""The report suite assembled: the eight reports (executive.py, business.py, stores.py,
operations.py), report 00's appendix page, the index page's overview, and the map from store
names to their pages that every report's links use."""

from __future__ import annotations

from . import fmt
from .business import report_01, report_02, report_04, report_05
from .data import ReportData
from .executive import appendix_page, critical_findings, key_metrics_frame, monthly_revenue_chart, report_00
from .model import Pages, Section, Suite, Table, Text
from .operations import report_06, report_07
from .stores import report_03, store_pages

__all__ = ["ReportData", "build_suite"]


def build_suite(d: ReportData, target: str, warehouse: str, validation: dict | None, validation_path: str,
                comparison: list | None = None, scale: float | None = None) -> Suite:
    key = d.row("r00_key_metrics")
    first = d("r01_monthly_revenue")["revenue_month"].min()
    as_of = key.get("as_of_date")
    period = (f"{fmt.long_month(first)} – {fmt.long_month(as_of)}" if as_of is not None and first is not None
              else "no data")
    pages = store_pages(d)
    r00, items = report_00(d)
    reports = [r00, report_01(d), report_02(d), report_03(d), report_04(d), report_05(d), report_06(d),
               report_07(d, validation, validation_path, len(pages))]
    r00.section("Appendix").add(
        Text("How the figures above are computed, the rules behind the SWOT and the roadmap, and the comparison "
             "with the published report suite:"),
        Pages([appendix_page(d, reports, items, target, warehouse, comparison, scale)]))
    suite = Suite(title="Luckin Coffee USA - Business Intelligence Reports",
                  as_of=fmt.day(as_of) if as_of is not None else "–", period=period, target=target,
                  reports=reports, store_pages=pages)
    findings = critical_findings(d.row("r00_critical_findings"), key)
    suite.overview = [
        Section("Key Metrics at a Glance", [
            Table("Key Metrics at a Glance", key_metrics_frame(key), d.a("r00_key_metrics"), max_rows=None,
                  columns={"metric": "Metric", "value": "Value"})]),
        Section("Critical Findings", [Text("\n".join(f"{i}. {line}" for i, line in enumerate(findings, 1)))]),
        Section("Revenue trend", [monthly_revenue_chart(d, "index-monthly-revenue")]),
    ]
    return suite
