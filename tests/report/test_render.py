"""`render_reports` on the landed small estate: the files, their provenance, report 00 against the
seed (ratios at scale 0.02) and the data-quality section of report 07."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from luckin.simulator.redis_writer import load_instances
from luckin.simulator.spec import load_estate
from luckin.warehouse import PROJECT_DIR

NUMBERS = ("00", "01", "02", "03", "04", "05", "06", "07")
SEED_METRICS = ["Total USD Revenue", "Total Completed Orders", "Average Order Value", "Active US Stores",
                "Registered Users", "Monthly Run Rate", "IoT Devices Deployed", "Database Instances"]
FINDINGS = ["TAX COMPLIANCE GAP", "Loyalty Program Not Launched", "Delivery =", "IoT Fleet Health", "Production ",
            "Hero Product Moat"]


def test_one_markdown_file_and_one_page_per_report(rendered) -> None:
    result, _ = rendered
    assert [p.name[:2] for p in result.markdown] == list(NUMBERS)
    assert [p.name[:2] for p in result.html] == list(NUMBERS)
    for path in [*result.markdown, *result.html, result.index_html, result.index_markdown]:
        assert path.exists() and path.stat().st_size > 1000, path
    index = result.index_html.read_text(encoding="utf-8")
    for page in result.html:
        assert f'href="{page.name}"' in index
    assert result.analyses >= 39 and result.tables >= 30 and result.charts >= 20


def test_pages_are_self_contained(rendered) -> None:
    """No script, stylesheet, font or image is fetched: CSS and SVG are inline."""
    result, _ = rendered
    for page in [result.index_html, *result.html, *result.pages]:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page.name
        assert not re.search(r"<link\b", html, re.I), page.name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I), page.name
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html), page.name
    for page in result.html[1:]:
        html = page.read_text(encoding="utf-8")
        assert html.count('<figure class="chart"') >= 1 and html.count("<svg") >= 1, page.name
        assert html.count('<figure class="table"') >= 1 and "<td" in html, page.name


def test_each_store_has_a_page_linked_from_report_03_and_back(rendered) -> None:
    """Report 03 links a page of its own per open store; each links back; in Markdown they stand inline."""
    result, _ = rendered
    assert result.pages and all(re.fullmatch(r"03-store-\d{3}\.html", p.name) for p in result.pages)
    report_03 = result.html[3]
    listing = report_03.read_text(encoding="utf-8")
    per_store = listing[listing.index("<h2>Per-store pages</h2>"):]
    assert re.findall(r'<a href="(03-store-\d{3}\.html)">', per_store) == [p.name for p in result.pages]
    assert "<figure" not in per_store  # the stores' charts and tables are on their own pages
    for page in result.pages:
        assert page.exists() and page in result.files, page
        html = page.read_text(encoding="utf-8")
        assert f'<p class="back"><a href="{report_03.name}">' in html, page.name
        assert html.count('<figure class="chart"') == 1 and html.count('<figure class="table"') == 1, page.name
        assert html.count("<figcaption>Source:") == 2 and "r03_store_monthly.sql" in html, page.name
    markdown = result.markdown[3].read_text(encoding="utf-8")
    stores = markdown[markdown.index("## Per-store pages"):]
    assert len(re.findall(r"^### ", stores, re.M)) == len(result.pages)
    assert len(re.findall(r"\]\(charts/03-store-\d{3}\.svg\)", stores)) == len(result.pages)


def test_every_table_and_chart_names_its_marts_and_analysis(rendered) -> None:
    result, _ = rendered
    blocks = json.loads((result.out_dir / "provenance.json").read_text())
    assert {b["report"] for b in blocks} == set(NUMBERS)
    for block in blocks:
        if block["extra_source"]:  # the data-quality tables: great-expectations results
            assert "great-expectations" in block["extra_source"]
            continue
        assert block["analyses"] and block["marts"], block
        for path in block["analyses"]:
            assert (PROJECT_DIR / path).exists(), path
    for page in [*result.html, *result.pages]:
        html = page.read_text(encoding="utf-8")
        figures = re.findall(r"<figure\b.*?</figure>", html, re.S)
        assert figures
        for fig in figures:
            assert "<figcaption>Source:" in fig, fig[:200]
    for md in result.markdown:
        text = md.read_text(encoding="utf-8")
        assert text.count("Source:") >= text.count("](charts/"), md.name
        for chart in re.findall(r"\]\((charts/[^)]+\.svg)\)", text):
            assert (result.out_dir / chart).exists(), chart


def test_report_00_has_the_seeds_tables_computed_from_data(rendered) -> None:
    result, _ = rendered
    text = result.markdown[0].read_text(encoding="utf-8")
    glance = text[text.index("## Key Metrics at a Glance"):text.index("## Critical Findings")]
    rows = [line.split("|")[1].strip() for line in glance.splitlines() if line.startswith("| ")][1:9]
    assert [r.split(" (")[0] for r in rows] == SEED_METRICS
    findings = text[text.index("## Critical Findings"):]
    numbered = re.findall(r"^\d\. \*\*(.+?)\*\*", findings, re.M)
    assert len(numbered) == 6
    for expected, got in zip(FINDINGS, numbered):
        assert got.startswith(expected.strip()), (expected, got)
    # the counts from the estate's own definition (MySQL schemas, Redis instances) and the one place
    # the PostgreSQL servers are stated (dbt var), not from report 00's output
    mysql, redis_count = len(load_estate()), len(load_instances())
    postgres = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["estate_postgres_servers"]
    total = mysql + redis_count + postgres
    assert f"Database Instances | {total} ({mysql} MySQL + {redis_count} Redis + {postgres} PostgreSQL)" in text
    assert total == 143  # the seed's figure


def test_report_00_matches_the_seed_at_small_scale(rendered) -> None:
    """Every key metric and finding within the spec's tolerances at scale 0.02 (absolute figures x 0.02)."""
    result, _ = rendered
    failed = [(c.metric, c.target, c.actual) for c in result.checks if not c.passed]
    assert result.checks and not failed, failed
    assert result.check_passed is True
    check = json.loads((result.out_dir / "check.json").read_text())
    assert check["passed"] is True and check["scale"] == pytest.approx(0.02)
    assert "## Against the seed" in result.markdown[0].read_text(encoding="utf-8")


def test_report_07_shows_the_validation_results(rendered) -> None:
    result, validation = rendered
    assert result.validation_found
    text = result.markdown[7].read_text(encoding="utf-8")
    section = text[text.index("## Data quality"):]
    assert f"**{len(validation.results)} expectations**" in section
    assert "critical failure(s)" in section
    assert "marts.revenue_reconciliation" in section and "raw.load_audit" in section


def test_renders_from_postgres_too(pg_marts, compiled_postgres, tmp_path) -> None:
    from luckin.report import render_reports

    with pg_marts.active():
        result = render_reports(tmp_path, "postgres", analyses=compiled_postgres)
    assert [p.name[:2] for p in result.markdown] == list(NUMBERS)
    assert all(p.exists() for p in result.html) and result.index_html.exists()
    assert "postgres" in result.markdown[0].read_text(encoding="utf-8")


def test_renders_while_a_reader_holds_the_duckdb_file(landed, tmp_path) -> None:
    """dbt compiles against a stand-in file: the warehouse itself is only opened read-only."""
    import duckdb

    from luckin.report import render_reports

    reader = duckdb.connect(str(landed.duckdb_path), read_only=True)  # a BI tool, say
    try:
        with landed.active():
            result = render_reports(tmp_path / "out", "duckdb")
    finally:
        reader.close()
    assert result.ok and len(result.html) == 8


def test_no_warehouse_is_a_one_line_error_and_creates_nothing(landed, tmp_path, monkeypatch) -> None:
    from luckin.report import WarehouseError, render_reports

    missing = tmp_path / "warehouse.duckdb"
    with landed.active():
        monkeypatch.setenv("LUCKIN_DUCKDB_PATH", str(missing))
        with pytest.raises(WarehouseError, match="no DuckDB warehouse"):
            render_reports(tmp_path / "out", "duckdb")
    assert not missing.exists()
