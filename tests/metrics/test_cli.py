"""`luckin metrics`: answers through the real command, and one-line errors for what it cannot answer."""

from __future__ import annotations

import csv
import io

import duckdb

from tests.test_cli import assert_one_line_failure, luckin


def test_list_names_every_metric_with_its_dimensions() -> None:
    proc = luckin("metrics", "list", "--dimensions")
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in ("revenue", "average_order_value", "revenue_run_rate", "retention_rate", "customer_acquisition_cost",
                 "offline_device_share", "mean_production_seconds", "coupon_redemption_rate", "discount_share"):
        assert f"\n{name}  (" in "\n" + proc.stdout, name
    assert "store__store_name" in proc.stdout and "customer__registration_channel" in proc.stdout


def test_query_answers_on_duckdb_and_postgres(landed, pg_marts) -> None:
    for built in (landed, pg_marts):
        proc = luckin("metrics", "query", "--metrics", "revenue,completed_orders", "--group-by", "metric_time__month",
                      "--order-by", "metric_time__month", "--target", built.target, env=built.env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        assert rows and set(rows[0]) == {"metric_time__month", "revenue", "completed_orders"}
        months = [r["metric_time__month"][:10] for r in rows]
        assert months == sorted(months)


def test_unknown_metric_and_dimension_are_one_line_errors() -> None:
    assert_one_line_failure(luckin("metrics", "query", "--metrics", "revenu"), 2, "unknown metric revenu",
                            "luckin metrics list")
    assert_one_line_failure(luckin("metrics", "query", "--metrics", "revenue", "--group-by", "store__colour"), 2,
                            "store__colour", "store__store_name")


def test_nothing_built_is_a_one_line_error(tmp_path) -> None:
    missing = tmp_path / "none.duckdb"
    assert_one_line_failure(luckin("metrics", "query", "--metrics", "revenue", env={"LUCKIN_DUCKDB_PATH": str(missing)}),
                            1, str(missing), "does not exist")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert_one_line_failure(luckin("metrics", "query", "--metrics", "revenue", env={"LUCKIN_DUCKDB_PATH": str(empty)}),
                            1, "marts.fct_orders", "luckin build")
