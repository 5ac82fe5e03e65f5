"""`run_validation`: the great-expectations suites pass on a clean warehouse, and an expectation
both passes and fails on each adapter (each suite's rows read from DuckDB or Postgres, validated in pandas);
a damaged warehouse fails the critical gate and says which expectation."""

from __future__ import annotations

import json
import shutil

import duckdb
import great_expectations.expectations as gxe
import pytest

from luckin.core.settings import load_settings
from luckin.quality import run_validation
from luckin.quality.runner import validate_suites
from luckin.quality.suites import CRITICAL, WARNING, SuiteSpec, expect, mart_suites
from luckin.core.sessions import WarehouseSession
from tests.report.warehouses import clone_postgres, pg_query


def _probe() -> SuiteSpec:
    """One expectation that holds and one that cannot hold on any real order table."""
    return SuiteSpec("probe.fct_orders", "marts", "pass/fail probe",
                     "select order_id, paid_amount_usd, order_status from marts.fct_orders",
                     [expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "holds", column="paid_amount_usd",
                             min_value=0),
                      expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, "cannot hold", column="paid_amount_usd",
                             max_value=0.5),
                      expect(gxe.ExpectColumnValuesToBeInSet, WARNING, "cannot hold either", column="order_status",
                             value_set=["completed"])])


@pytest.mark.parametrize("adapter", ["duckdb", "postgres"])
def test_an_expectation_passes_and_fails_on_each_adapter(adapter, landed, pg_marts) -> None:
    built = landed if adapter == "duckdb" else pg_marts
    with built.active(), WarehouseSession(load_settings(adapter).warehouse) as wh:
        outcomes, suites = validate_suites([_probe()], wh)
    assert [o.success for o in outcomes] == [True, False, False], [str(o) for o in outcomes]
    holds, fails, warns = outcomes
    assert holds.unexpected_count == 0 and holds.element_count > 1000
    assert fails.unexpected_count > 0 and fails.severity == CRITICAL and not fails.error
    assert warns.severity == WARNING and warns.unexpected_count > 0
    assert suites[0]["success"] is False


@pytest.mark.parametrize("adapter", ["duckdb", "postgres"])
def test_clean_warehouse_passes_the_critical_gate(adapter, landed, pg_marts) -> None:
    built = landed if adapter == "duckdb" else pg_marts
    with built.active():
        result = run_validation(load_settings(adapter))
    assert result.ok, result.critical_failures
    names = {s["name"] for s in result.suites}
    assert {"raw.load_audit", "raw.luckyus_sales_order.t_order", "marts.fct_orders", "marts.revenue_reconciliation",
            "marts.fct_iot_device_snapshots"} <= names
    assert {o.severity for o in result.results} == {CRITICAL, WARNING}
    saved = json.loads(result.path.read_text())
    assert saved["ok"] is True and saved["target"] == adapter and len(saved["results"]) == len(result.results)
    assert len(list(result.path.parent.glob("validation-*.json"))) >= 1
    # the memory alert of luckyus-isales-market is a warning the gate lets through, and shows
    assert any("memory_used_ratio" in w for w in result.warnings), result.warnings


def test_the_gates_judge_the_same_marts_alike_on_duckdb_and_postgres(landed, pg_marts, tmp_path) -> None:
    """Both warehouses hold the same estate, built by dbt: every expectation gives the same verdict
    over the same number of rows on both, and finds the same number of rows at fault."""
    judged = {}
    for adapter, built in (("duckdb", landed), ("postgres", pg_marts)):
        with built.active():
            result = run_validation(load_settings(adapter), results_dir=tmp_path / adapter)
        judged[adapter] = {(o.suite, o.expectation, o.column, json.dumps(o.kwargs, sort_keys=True, default=str)):
                           (o.success, o.element_count, o.unexpected_count, o.error) for o in result.results}
    assert len(judged["duckdb"]) > 50 and judged["duckdb"].keys() == judged["postgres"].keys()
    differ = {k: (v, judged["postgres"][k]) for k, v in judged["duckdb"].items() if v != judged["postgres"][k]}
    assert differ == {}


def test_damaged_duckdb_fails_the_critical_gate(landed, tmp_path) -> None:
    """Negative money, an undecoded status, an order before its store opened, a daily revenue that does
    not add up, and a raw table short of what the audit recorded: each is a named critical failure."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(landed.duckdb_path, copy)
    con = duckdb.connect(str(copy))
    # The mart's contract constraints refuse negative money on insert (tests/dbt shows it); the
    # gate must still name it in a warehouse built without them, so drop them with a plain copy.
    con.execute("create or replace table marts.fct_orders as select * from marts.fct_orders")
    first, last = con.execute("select min(order_id), max(order_id) from marts.fct_orders").fetchone()
    con.execute(f"update marts.fct_orders set paid_amount_usd = -1 where order_id = {first}")
    con.execute(f"update marts.fct_orders set order_status = 'teleported' where order_id = {last}")
    con.execute(f"update marts.fct_orders set order_date = date '2020-01-01' where order_id = {first + 1}")
    con.execute("update marts.fct_store_daily_revenue set revenue_usd = revenue_usd + 5 "
                "where revenue_date = (select max(revenue_date) from marts.fct_store_daily_revenue)")
    con.execute("delete from luckyus_sales_shop.t_shop where id = (select max(id) from luckyus_sales_shop.t_shop)")
    con.close()
    env = {**landed.env, "LUCKIN_DUCKDB_PATH": str(copy)}
    with landed.active(), pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        result = run_validation(load_settings("duckdb"), results_dir=tmp_path / "quality")
    assert not result.ok
    failures = "\n".join(result.critical_failures)
    for needle in ("paid_amount_usd", "order_status", "order_date, store_opened_date", "revenue_difference_usd",
                   "table_short_of_audit"):
        assert needle in failures, (needle, failures)
    assert "luckyus_sales_shop.t_shop" in failures  # the failure names the table
    assert (tmp_path / "quality" / "duckdb" / "latest.json").exists()


def test_damaged_postgres_fails_the_critical_gate(pg_marts, tmp_path) -> None:
    """The mart's own check constraint refuses a negative amount; the gate must still catch one
    in a copy without it (a mart built before the contract, or by another tool)."""
    with clone_postgres(pg_marts, "luckin_gate") as clone:
        pg_query(clone, "alter table marts.fct_orders drop constraint if exists fct_orders_paid_amount_usd_check")
        pg_query(clone, "update marts.fct_orders set paid_amount_usd = -1 where order_id = "
                        "(select min(order_id) from marts.fct_orders)")
        with pg_marts.active(), pytest.MonkeyPatch.context() as mp:
            mp.setenv("LUCKIN_PG_DATABASE", clone)
            result = run_validation(load_settings("postgres"), results_dir=tmp_path / "quality",
                                    suites=[s for s in mart_suites() if s.name == "marts.fct_orders"])
    assert not result.ok
    assert any("paid_amount_usd" in f and "no negative paid amount" in f for f in result.critical_failures)
    failed = [o for o in result.results if not o.success]
    assert len(failed) == 1 and failed[0].unexpected_count == 1


def test_a_missing_relation_is_a_critical_failure(landed, tmp_path) -> None:
    spec = SuiteSpec("marts.fct_nothing", "marts", "reads a mart that does not exist",
                     "select * from marts.fct_nothing", [expect(gxe.ExpectTableRowCountToBeBetween, WARNING, "rows",
                                                               min_value=1)])
    with landed.active():
        result = run_validation(load_settings("duckdb"), results_dir=tmp_path, suites=[spec])
    assert not result.ok and "missing: marts.fct_nothing" in result.critical_failures[0]
