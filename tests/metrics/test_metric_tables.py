"""The mtr_* marts: generated from MetricFlow's SQL with no drift, and equal, row for row, to the
same metrics answered through MetricFlow on DuckDB and Postgres."""

from __future__ import annotations

import pytest

from luckin.metrics import query_metrics
from luckin.metrics.generate import generated_files
from luckin.metrics.tables import TABLES
from tests.metrics.figures import mismatches


def test_generating_again_changes_nothing() -> None:
    """The committed models are what `luckin metrics generate` writes from today's metric YAML."""
    files = generated_files()
    stale = [p.name for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    on_disk = {p.name for p in next(iter(files)).parent.glob("mtr_*.sql")}
    assert stale == [], "run `luckin metrics generate` and commit the result"
    assert on_disk == {p.name for p in files if p.suffix == ".sql"}


def test_models_read_marts_through_ref_only() -> None:
    for path, text in generated_files().items():
        if path.suffix == ".sql":
            assert "marts." not in text.lower().replace("{{ ref(", ""), path.name
            assert "ref('" in text, path.name


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_metric_table_equals_metricflow(built, warehouse_sql, table) -> None:
    stored = warehouse_sql(f"select * from marts.{table.name}")
    assert list(stored.columns) == [c.name for c in table.columns]
    assert not stored.empty, f"{table.name} is empty on {built.target}"
    answered = query_metrics(built.settings, table.metrics, table.group_by, list(table.where))
    keys = [c for c in table.columns if c.is_group_by]
    figures = {c.source: (c.name, c.scale) for c in table.columns if not c.is_group_by}
    assert mismatches(answered, [c.source for c in keys], stored, [c.name for c in keys], figures) == []


def test_time_spine_covers_every_order_date(warehouse_sql) -> None:
    row = warehouse_sql(
        "select (select min(date_day) from marts.dim_dates) as first_day, (select max(date_day) from marts.dim_dates)"
        " as last_day, (select min(order_date) from marts.fct_orders) as first_order,"
        " (select max(order_date) from marts.fct_orders) as last_order").iloc[0]
    assert row["first_day"] <= row["first_order"] and row["last_order"] <= row["last_day"]
