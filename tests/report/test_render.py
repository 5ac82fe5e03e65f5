"""`render_reports` on the landed small estate: the files, their provenance, report 00 against the
seed (ratios at scale 0.02) and the data-quality section of report 07."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from luckin.core.settings import load_settings
from luckin.simulator.redis_writer import load_instances
from luckin.simulator.spec import load_estate
from luckin.core import PROJECT_DIR

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
    assert result.analyses >= 56 and result.tables >= 60 and result.charts >= 40


def test_pages_are_self_contained(rendered) -> None:
    """Nothing is fetched: CSS, SVG and the one small script are inline; no stylesheet, font or image links."""
    result, _ = rendered
    for page in [result.index_html, *result.html, *result.pages]:
        html = page.read_text(encoding="utf-8")
        assert html.lower().count("<script") == 1 and "<script>" in html, page.name  # inline, no src
        assert not re.search(r"<link\b", html, re.I), page.name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I), page.name
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html), page.name
    for page in result.html[1:]:
        html = page.read_text(encoding="utf-8")
        assert html.count('<figure class="chart"') >= 1 and html.count("<svg") >= 1, page.name
        assert html.count('<figure class="table"') >= 1 and "<td" in html, page.name


def test_business_pages_carry_no_engineering_detail(rendered) -> None:
    """File paths, analysis files and the warehouse's location stay in the appendix and report 07."""
    result, _ = rendered
    for page in [result.index_html, *result.html[:7]]:
        html = page.read_text(encoding="utf-8")
        visible = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        visible = re.sub(r'data-[a-z]+="[^"]*"', "", visible)
        assert "analyses/" not in visible and ".sql" not in visible, page.name
        assert "Source:" not in visible and "warehouse.duckdb" not in visible, page.name
        assert "Prepared" not in visible, page.name  # dated by the data, not by the day it ran


def test_every_store_name_links_to_its_page(rendered) -> None:
    result, _ = rendered
    pages = {p.name for p in result.pages}
    open_stores = {re.search(r"<h1>(.*?)</h1>", p.read_text(encoding="utf-8")).group(1)
                   for p in result.pages if p.name.startswith("03-store-")}
    assert open_stores
    for page in [*result.html, *result.pages]:
        html = page.read_text(encoding="utf-8")
        for cell in re.findall(r"<td[^>]*>(Luckin Coffee [^<]*)</td>", html):  # only announced stores have no page
            assert cell not in open_stores, f"{page.name}: store name without a link: {cell}"
        for target in re.findall(r'<a href="(03-store-\d{3}\.html)">', html):
            assert target in pages, (page.name, target)


def test_each_store_has_a_deep_dive_linked_from_report_03_and_back(rendered) -> None:
    """Report 03 links a page of its own per open store; each links back and holds the deep dive;
    in Markdown they stand inline."""
    result, _ = rendered
    stores = [p for p in result.pages if p.name.startswith("03-store-")]
    assert stores and all(re.fullmatch(r"03-store-\d{3}\.html", p.name) for p in stores)
    report_03 = result.html[3]
    listing = report_03.read_text(encoding="utf-8")
    per_store = listing[listing.index('id="store-pages"'):]
    assert re.findall(r'<a href="(03-store-\d{3}\.html)">', per_store) == [p.name for p in stores]
    for page in stores:
        assert page.exists() and page in result.files, page
        html = page.read_text(encoding="utf-8")
        assert f'<p class="back"><a href="{report_03.name}">' in html, page.name
        assert html.count('<figure class="chart"') >= 3, page.name  # months, hour of day, weekday
        for section in ("Revenue by month", "When customers order", "Product mix", "Operations"):
            assert f">{section}</h2>" in html, (page.name, section)
        assert "against the median store" in html and "devices by type" in html, page.name
    markdown = result.markdown[3].read_text(encoding="utf-8")
    listed = markdown[markdown.index("## Store pages"):]
    assert len(re.findall(r"^### ", listed, re.M)) == len(stores)


def test_every_table_and_chart_names_its_marts_and_analysis(rendered) -> None:
    """In provenance.json, in the HTML's data attributes and on report 00's appendix page."""
    result, _ = rendered
    blocks = json.loads((result.out_dir / "provenance.json").read_text())
    assert {b["report"] for b in blocks} == set(NUMBERS)
    for block in blocks:
        if block["extra_source"]:  # the data-quality tables and the appendix's own table
            continue
        assert block["analyses"] and block["marts"], block
        for path in block["analyses"]:
            assert (PROJECT_DIR / path).exists(), path
    for page in [*result.html, *result.pages]:
        html = page.read_text(encoding="utf-8")
        for fig in re.findall(r'<figure class="chart"[^>]*>', html):
            assert 'data-analysis="r' in fig and 'data-marts="' in fig, fig
    appendix = (result.out_dir / "00-appendix.html").read_text(encoding="utf-8")
    assert "r01_store_contribution.sql" in appendix and "fct_store_contribution_monthly" in appendix
    for md in result.markdown:
        text = md.read_text(encoding="utf-8")
        for chart in re.findall(r"\]\((charts/[^)]+\.svg)\)", text):
            assert (result.out_dir / chart).exists(), chart


def test_report_00_is_an_executive_page(rendered) -> None:
    """KPI tiles with month-on-month change and sparklines, a SWOT and a 12-month roadmap whose
    items cite their figures, the seed comparison on the appendix page, not on the page itself."""
    result, _ = rendered
    html = result.html[0].read_text(encoding="utf-8")
    assert html.count('<div class="tile">') >= 6
    assert html.count('<svg class="spark"') >= 4 and re.search(r'class="delta (good|bad)?"?>[+-]', html)
    for quadrant in ("strength", "weakness", "opportunity", "threat"):
        assert f'class="quadrant {quadrant}"' in html
    assert html.count('class="cite"') >= 6 and "(rule:" in html
    for horizon in ("Months 1–3", "Months 4–6", "Months 7–9", "Months 10–12"):
        assert horizon in html
    assert "Against the seed" not in html and "FAIL" not in html
    assert html.count("Key Metrics at a Glance") == 1 and "The figures behind" not in html
    appendix = (result.out_dir / "00-appendix.html").read_text(encoding="utf-8")
    assert "Against the seed" in appendix and "SWOT and roadmap rules" in appendix


def test_report_00_has_the_seeds_tables_computed_from_data(rendered) -> None:
    result, _ = rendered
    text = result.markdown[0].read_text(encoding="utf-8")
    glance = text[text.index("**Key Metrics at a Glance**"):text.index("## Critical Findings")]
    rows = [line.split("|")[1].strip() for line in glance.splitlines() if line.startswith("| ")]
    rows = rows[rows.index("Metric") + 1:][:8]
    assert [r.split(" (")[0] for r in rows] == SEED_METRICS
    findings = text[text.index("## Critical Findings"):text.index("## SWOT")]
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
    assert "#### Against the seed" in result.markdown[0].read_text(encoding="utf-8")


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
        result = render_reports(tmp_path, load_settings("postgres"), analyses=compiled_postgres)
    assert [p.name[:2] for p in result.markdown] == list(NUMBERS)
    assert all(p.exists() for p in result.html) and result.index_html.exists()
    assert "postgres" in result.markdown[0].read_text(encoding="utf-8")


def test_renders_from_the_published_file_while_a_writer_holds_the_warehouse(landed, tmp_path) -> None:
    """The report reads the published marts (marts.duckdb): a build writing the working warehouse
    (here: this process holding it read-write) and a BI tool holding the published file do not
    stop it; dbt compiles against a stand-in file."""
    import duckdb

    from luckin.report import render_reports

    with landed.active():
        published = load_settings("duckdb").published.path
    writer = duckdb.connect(str(landed.duckdb_path))  # a build, say
    reader = duckdb.connect(str(published), read_only=True)  # a BI tool, say
    try:
        with landed.active():
            result = render_reports(tmp_path / "out", load_settings("duckdb"))
    finally:
        reader.close()
        writer.close()
    assert result.ok and len(result.html) == 8
    assert str(published) in result.markdown[0].read_text(encoding="utf-8")


def test_nothing_published_is_a_one_line_error_and_creates_nothing(landed, tmp_path, monkeypatch) -> None:
    from luckin.report import WarehouseError, render_reports

    missing = tmp_path / "warehouse.duckdb"
    with landed.active():
        monkeypatch.setenv("LUCKIN_DUCKDB_PATH", str(missing))
        with pytest.raises(WarehouseError, match="no published marts at .*marts.duckdb") as failure:
            render_reports(tmp_path / "out", load_settings("duckdb"))
    assert "luckin publish" in failure.value.one_line()
    assert not missing.exists() and not (tmp_path / "marts.duckdb").exists()
