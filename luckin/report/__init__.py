"""`luckin report`: the eight BI reports rendered from the marts.

    render_reports(out_dir, settings, check=False, *, scale=None, validation_path=None, analyses=None,
                   pdf=False) -> ReportResult

1. `dbt compile` the analyses (analyses/report_NN_*/rNN_*.sql) for the target, into
   target/report-<target>/; dbt's manifest says which marts each reads.
2. Run every compiled analysis on the published marts (`luckin publish`: the DuckDB file
   `Settings.published_path`, or Postgres schema `published`), read-only.
3. Write `NN-<name>.md` for the eight reports (charts as `charts/*.svg`), `index.md`, and a
   self-contained HTML site (`index.html` + eight pages; CSS, SVG and a small script for sorting
   and "Show all" inline, nothing from the network), with sub-pages: one per store
   (`03-store-NNN.html`, linked from every store name) and report 00's appendix
   (`00-appendix.html`); in Markdown the sub-pages stand inline in their report.
   Report 07 shows the latest great-expectations results of the target (`luckin validate`).
4. With check=True, compare report 00 with the seed's figures at the estate's scale (default 1)
   and print the table (also on report 00's appendix page); `ReportResult.check_passed` says
   whether every figure is in tolerance.
5. With pdf=True, print each report page to `pdf/NN-<name>.pdf` with headless Chromium.

Modules: data (analyses' results, layout helpers), executive / business / stores / operations
(the reports), rules (SWOT and roadmap), fmt (numbers, dates, codes, store names), charts (the
chart style), model (the page model), html + templates/ and markdown (the two renderings),
text (safe Markdown), pdf, check (report 00 against the seed).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .db import WarehouseError

__all__ = ["ReportResult", "WarehouseError", "render_reports"]


@dataclass
class ReportResult:
    out_dir: Path
    target: str
    markdown: list[Path] = field(default_factory=list)  # the eight NN-*.md, in order
    html: list[Path] = field(default_factory=list)  # the eight NN-*.html, in order
    pages: list[Path] = field(default_factory=list)  # the reports' sub-pages (00-appendix, 03-store-NNN), in order
    pdfs: list[Path] = field(default_factory=list)  # pdf/NN-*.pdf when pdf=True
    index_html: Path | None = None
    index_markdown: Path | None = None
    files: list[Path] = field(default_factory=list)  # everything written, charts included
    analyses: int = 0
    tables: int = 0
    charts: int = 0
    checks: list = field(default_factory=list)  # check.Comparison rows when check=True
    check_passed: bool | None = None  # None when no check was asked for
    validation_found: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Rendered, and (when a check was asked for) every figure in tolerance."""
        return self.index_html is not None and self.check_passed is not False


def render_reports(out_dir: Path, settings, check: bool = False, *, scale: float | None = None,
                   validation_path: Path | None = None, analyses=None, console=None, pdf: bool = False) -> ReportResult:
    """Render the report suite from the warehouse `settings` name (luckin.core.settings) into `out_dir`.

    scale: the estate's scale factor for the check (absolute seed figures x scale); default 1.
    validation_path: the great-expectations results report 07 shows; default the target's
    latest `luckin validate` results (data/quality/<target>/latest.json).
    console: a rich Console for the check table (default: stdout).
    analyses: already compiled analyses (luckin.report.db.compile_analyses) for this target, to
    skip the `dbt compile`.
    pdf: also print every report page to out_dir/pdf/ with headless Chromium (pdf.PdfError if missing).
    Raises WarehouseError (one line, no secrets) when dbt or the warehouse cannot answer, or
    nothing is published yet.
    """
    from luckin.quality.results import latest_results_path, load_latest

    from . import check as checks
    from .data import ReportData
    from luckin.core.sessions import WarehouseSession
    from luckin.core.settings import Target

    from .db import compile_analyses, report_target_path, require_published
    from .markdown import write_suite
    from .suite import build_suite

    out_dir = Path(out_dir)
    if settings.target is Target.spark:  # Spark's marts are read where publish copied them (DuckDB)
        settings = settings.spark_working_copy()
    target = settings.target.value
    result = ReportResult(out_dir=out_dir, target=target)

    published = settings.published
    require_published(published)
    with WarehouseSession(published) as wh:  # fails early (WarehouseError) when there is nothing to read
        t0 = time.perf_counter()
        compiled = analyses if analyses is not None else compile_analyses(settings.warehouse, report_target_path(settings))
        compiled = compiled.reading(published)
        result.analyses = len(compiled)
        result.timings["compile"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        data = ReportData(compiled, wh)
        data.run_all()
        result.timings["queries"] = time.perf_counter() - t0

    comparison = None
    scale = 1.0 if scale is None else float(scale)
    if check:
        comparison = checks.compare(data.row("r00_key_metrics"), data.row("r00_critical_findings"), scale)
        result.checks = comparison
        result.check_passed = checks.passed(comparison)

    validation_path = Path(validation_path) if validation_path else latest_results_path(settings)
    validation = load_latest(validation_path)
    result.validation_found = validation is not None

    t0 = time.perf_counter()
    suite = build_suite(data, target, _described(published), validation, _display_path(validation_path),
                        comparison, scale if check else None)
    result.files = write_suite(suite, out_dir)
    result.timings["render"] = time.perf_counter() - t0

    result.markdown = [out_dir / r.md_name for r in suite.reports]
    result.html = [out_dir / r.html_name for r in suite.reports]
    result.pages = [out_dir / p.html_name for r in suite.reports for p in r.pages()]
    result.index_html, result.index_markdown = out_dir / "index.html", out_dir / "index.md"
    result.tables = sum(len(r.tables()) for r in suite.reports)
    result.charts = sum(len(r.charts()) for r in suite.reports)
    provenance = [
        {"report": r.number, "kind": type(b).__name__.lower(), "title": b.title,
         "analyses": [a.path for a in b.sources], "marts": sorted({m for a in b.sources for m in a.marts}),
         "extra_source": getattr(b, "extra_source", "")}
        for r in suite.reports for b in r.blocks() if hasattr(b, "sources") and hasattr(b, "title")
    ]
    (out_dir / "provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")
    result.files.append(out_dir / "provenance.json")
    if pdf:
        from .pdf import write_pdfs

        t0 = time.perf_counter()
        result.pdfs = write_pdfs(result.html, out_dir)
        result.files += result.pdfs
        result.timings["pdf"] = time.perf_counter() - t0
    if check:
        (out_dir / "check.json").write_text(json.dumps(
            {"scale": scale, "target": target, "passed": result.check_passed,
             "rows": [c.as_dict() for c in comparison]}, indent=2), encoding="utf-8")
        result.files.append(out_dir / "check.json")
        checks.print_comparison(comparison, scale, target, console=console)
    return result


def _described(published) -> str:
    from luckin.core.settings import PUBLISHED_SCHEMA, PostgresWarehouse

    return f"{published.describe()} (schema {PUBLISHED_SCHEMA})" if isinstance(published, PostgresWarehouse) \
        else published.describe()


def _display_path(path: Path) -> str:
    from luckin.core import PROJECT_DIR

    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)
