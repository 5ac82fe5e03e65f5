"""Every great-expectations gate shown failing: one damaging statement per expectation, all applied
to a copy of the session's warehouse (DuckDB file; Postgres database cloned from the session's),
then `run_validation` must fail each damaged expectation and name what broke it.

The damage table below is the evidence; `test_every_expectation_has_a_damage_case` keeps it
complete (a new expectation without a damage case fails it). Each statement touches its own
rows (ids picked up front), so one failure is not borrowed from another damage's rows: the
needle each case asserts is in its own damaged value or in the table it names.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import duckdb
import psycopg2
import pytest

from luckin.core.settings import load_settings
from luckin.quality import run_validation
from luckin.quality.suites import CRITICAL, ROW_COUNT, WARNING, mart_suites, raw_suites
from tests.report.warehouses import clone_postgres


@dataclass(frozen=True)
class Damage:
    suite: str
    column: str  # the expectation's column as the outcome names it ("a, b" for pairs and compounds)
    sql: str | tuple[str, ...]  # one statement (two where noted); {o0}..: order ids, {p0}..: payment ids (_ids)
    needle: str  # what the failure line must contain: the damaged value or the table it names
    severity: str = CRITICAL


ORDERS = "luckyus_sales_order.t_order"
PAYMENTS = "luckyus_sales_payment.t_payment"
AUDIT = "luckin_audit.load_audit"

DAMAGES = [
    # ---------------------------------------------------------------- raw.load_audit
    Damage("raw.load_audit", "rows_counted",
           f"insert into {AUDIT} (run_id, source_schema, source_table, rows_in_source, rows_in_warehouse, "
           f"status, strategy, started_at, _dlt_load_id, _dlt_id) select run_id, 'luckyus_ghost', 't_ghost', 5, 5, "
           f"'loaded', strategy, started_at, _dlt_load_id, 'ghost' from {AUDIT} where source_table = 't_shop'",
           "1 unexpected"),
    Damage("raw.load_audit", "table_short_of_audit",
           "delete from luckyus_sales_shop.t_shop where id = {s0}", "luckyus_sales_shop.t_shop"),
    Damage("raw.load_audit", "status", f"update {AUDIT} set status = 'failed' where source_table = 't_order'",
           "failed"),
    Damage("raw.load_audit", "table_unlike_source",
           f"update {AUDIT} set rows_in_source = rows_in_source + 1 where source_table = 't_payment'",
           "luckyus_sales_payment.t_payment", WARNING),
    # ---------------------------------------------------------------- raw.primary_keys
    Damage("raw.primary_keys", "duplicated_table",
           f"insert into {PAYMENTS} select * from {PAYMENTS} where id = {{p0}}", "luckyus_sales_payment.t_payment"),
    # ---------------------------------------------------------------- raw t_order, t_payment
    Damage("raw.luckyus_sales_order.t_order", "id", f"insert into {ORDERS} select * from {ORDERS} where id = {{o0}}",
           "{o0}"),
    Damage("raw.luckyus_sales_order.t_order", "unknown_status", f"update {ORDERS} set status = 99 where id = {{o1}}",
           "99"),
    Damage("raw.luckyus_sales_order.t_order", "channel", f"update {ORDERS} set channel = 9 where id = {{o2}}", "9"),
    Damage("raw.luckyus_sales_order.t_order", "pay_amount", f"update {ORDERS} set pay_amount = -1 where id = {{o3}}",
           "-1"),
    Damage("raw.luckyus_sales_order.t_order", "discount_amount",
           f"update {ORDERS} set discount_amount = -2 where id = {{o4}}", "-2"),
    Damage("raw.luckyus_sales_order.t_order", "create_time",
           f"update {ORDERS} set create_time = null where id = {{o5}}", "1 unexpected"),
    Damage("raw.luckyus_sales_payment.t_payment", "amount", f"update {PAYMENTS} set amount = -3 where id = {{p1}}",
           "-3"),
    Damage("raw.luckyus_sales_payment.t_payment", "status", f"update {PAYMENTS} set status = 9 where id = {{p2}}",
           "9"),
    # ---------------------------------------------------------------- marts.fct_orders
    Damage("marts.fct_orders", "order_id",
           "insert into marts.fct_orders select * from marts.fct_orders where order_id = {f0}", "{f0}"),
    Damage("marts.fct_orders", "order_id#not_null",
           "update marts.fct_orders set order_id = null where order_id = {f1}", "1 unexpected"),
    Damage("marts.fct_orders", "paid_amount_usd",
           "update marts.fct_orders set paid_amount_usd = -4 where order_id = {f2}", "-4"),
    Damage("marts.fct_orders", "revenue_usd", "update marts.fct_orders set revenue_usd = -5 where order_id = {f3}",
           "-5"),
    Damage("marts.fct_orders", "discount_amount_usd",
           "update marts.fct_orders set discount_amount_usd = -6 where order_id = {f4}", "-6"),
    Damage("marts.fct_orders", "order_status",
           "update marts.fct_orders set order_status = 'teleported' where order_id = {f5}", "teleported"),
    Damage("marts.fct_orders", "order_channel",
           "update marts.fct_orders set order_channel = 'drone' where order_id = {f6}", "drone"),
    Damage("marts.fct_orders", "store_opened_date",
           "update marts.fct_orders set store_id = 987654 where order_id = {f7}", "1 unexpected"),
    Damage("marts.fct_orders", "order_date, store_opened_date",
           "update marts.fct_orders set order_date = date '2020-01-01' where order_id = {f8}", "2020-01-01"),
    Damage("marts.fct_orders", "latest_extract_at, ordered_at",
           "update marts.fct_orders set ordered_at = cast('2099-01-01 00:00:00+00' as timestamp with time zone) "
           "where order_id = {f9}", "2099-01-01"),
    Damage("marts.fct_orders", "production_seconds",  # mostly 0.999: more than 0.1% of orders
           "update marts.fct_orders set production_seconds = -1 where order_id in "
           "(select order_id from marts.fct_orders order by order_id limit 100)", "-1", WARNING),
    # ---------------------------------------------------------------- marts.revenue_reconciliation
    # (the fct_orders damages above change revenue too; these change the daily side only)
    Damage("marts.revenue_reconciliation", "revenue_difference_usd",
           "update marts.fct_store_daily_revenue set revenue_usd = revenue_usd + 500 where store_id = {d0s} "
           "and revenue_date = {d0d}", "500"),
    Damage("marts.revenue_reconciliation", "orders_completed_orders, daily_completed_orders",
           "update marts.fct_store_daily_revenue set completed_orders = completed_orders + 1000 "
           "where store_id = {d1s} and revenue_date = {d1d}", "unexpected"),
    # ---------------------------------------------------------------- marts.fct_store_daily_revenue
    Damage("marts.fct_store_daily_revenue", "store_id, revenue_date",
           "insert into marts.fct_store_daily_revenue select * from marts.fct_store_daily_revenue "
           "where store_id = {d2s} and revenue_date = {d2d}", "unexpected"),
    Damage("marts.fct_store_daily_revenue", "revenue_usd",
           "update marts.fct_store_daily_revenue set revenue_usd = -7 where store_id = {d3s} "
           "and revenue_date = {d3d}", "-7"),
    Damage("marts.fct_store_daily_revenue", "completed_orders",
           "update marts.fct_store_daily_revenue set completed_orders = -8 where store_id = {d4s} "
           "and revenue_date = {d4d}", "-8"),
    Damage("marts.fct_store_daily_revenue", "avg_order_value_usd",
           "update marts.fct_store_daily_revenue set avg_order_value_usd = 99 where store_id in ({d5s}, {d6s}) "
           "and revenue_date >= {d5d}", "99", WARNING),
    # ---------------------------------------------------------------- marts.fct_order_items
    Damage("marts.fct_order_items", "order_item_id",
           "insert into marts.fct_order_items select * from marts.fct_order_items where order_item_id = {i0}",
           "{i0}"),
    Damage("marts.fct_order_items", "paid_amount_usd",
           "update marts.fct_order_items set paid_amount_usd = -9 where order_item_id = {i1}", "-9"),
    Damage("marts.fct_order_items", "quantity", "update marts.fct_order_items set quantity = 0 where order_item_id = {i2}",
           "0"),
    Damage("marts.fct_order_items", "is_orphan",
           "update marts.fct_order_items set has_order = false where order_item_id in "
           "(select order_item_id from marts.fct_order_items order by order_item_id limit 200)", "0.0", WARNING),
    # ---------------------------------------------------------------- marts.fct_iot_device_snapshots
    Damage("marts.fct_iot_device_snapshots", "device_id",
           "insert into marts.fct_iot_device_snapshots select * from marts.fct_iot_device_snapshots "
           "where device_id = {v0} and snapshot_at = {vt}", "{v0}"),
    Damage("marts.fct_iot_device_snapshots", "connectivity_status",
           "update marts.fct_iot_device_snapshots set connectivity_status = 'asleep' where device_id = {v1}",
           "asleep"),
    # a later extract without a new snapshot: the latest snapshot is now stale against it
    Damage("marts.fct_iot_device_snapshots", "snapshot_hours_behind_extract",
           "update marts.fct_source_tables set last_loaded_at = last_loaded_at + interval '100 hours' "
           "where source_table_id = {t0}", "observed"),
    Damage("marts.fct_iot_device_snapshots", "heartbeat_age_seconds",
           "update marts.fct_iot_device_snapshots set heartbeat_age_seconds = -3600 where snapshot_at = {vt}",
           "-3600", WARNING),
    # the whole fleet's snapshots a month old, and the extracts with them (so the damage above stays
    # the only thing that moves the extract ahead of the snapshot): two statements
    Damage("marts.fct_iot_device_snapshots", "snapshot_age_hours",
           ("update marts.fct_iot_device_snapshots set snapshot_at = snapshot_at - interval '30 days'",
            "update marts.fct_source_tables set last_loaded_at = last_loaded_at - interval '30 days'"),
           "observed 7", WARNING),
    # ---------------------------------------------------------------- marts.fct_coupons
    Damage("marts.fct_coupons", "coupon_id",
           "insert into marts.fct_coupons select * from marts.fct_coupons where coupon_id = {c0}", "{c0}"),
    Damage("marts.fct_coupons", "coupon_status",
           "update marts.fct_coupons set coupon_status = 'lost' where coupon_id = {c1}", "lost"),
    Damage("marts.fct_coupons", "discount_cost_usd",
           "update marts.fct_coupons set discount_cost_usd = -10 where coupon_id = {c2}", "-10"),
    Damage("marts.fct_coupons", "is_duplicate",
           "update marts.fct_coupons set is_duplicate_issue = true where coupon_id in "
           "(select coupon_id from marts.fct_coupons order by coupon_id limit 500)", "0.0", WARNING),
    # ---------------------------------------------------------------- marts.dim_customers
    Damage("marts.dim_customers", "customer_id",
           "insert into marts.dim_customers select * from marts.dim_customers where customer_id = {u0}", "{u0}"),
    Damage("marts.dim_customers", "registration_channel",
           "update marts.dim_customers set registration_channel = 'carrier_pigeon' where customer_id = {u1}",
           "carrier_pigeon"),
    Damage("marts.dim_customers", "rfm_segment",
           "update marts.dim_customers set rfm_segment = 'vip' where customer_id = {u2}", "vip"),
    Damage("marts.dim_customers", "revenue_usd",
           "update marts.dim_customers set revenue_usd = -11 where customer_id = {u3}", "-11"),
    Damage("marts.dim_customers", "historical_clv_usd, orders_revenue_usd",
           "update marts.dim_customers set historical_clv_usd = historical_clv_usd + 0.01 where customer_id = {u4}",
           "1 unexpected"),
    # ---------------------------------------------------------------- marts.dim_stores
    Damage("marts.dim_stores", "store_id",
           "insert into marts.dim_stores select * from marts.dim_stores where store_id = {s1}", "{s1}"),
    Damage("marts.dim_stores", "store_status",
           "update marts.dim_stores set store_status = 'haunted' where store_id = {s2}", "haunted"),
    Damage("marts.dim_stores", "is_open", "update marts.dim_stores set is_open = false", "0"),
    # ---------------------------------------------------------------- marts.fct_source_tables
    Damage("marts.fct_source_tables", "last_load_status",
           "update marts.fct_source_tables set last_load_status = 'failed' where source_table_id = {t1}", "failed"),
    Damage("marts.fct_source_tables", "is_row_count_matching",
           "update marts.fct_source_tables set is_row_count_matching = false where source_table_id = {t1}", "0",
           WARNING),
    # ---------------------------------------------------------------- marts.fct_redis_instances
    Damage("marts.fct_redis_instances", "memory_used_ratio",
           "update marts.fct_redis_instances set memory_used_ratio = 0.99", "0.99", WARNING),
]
# Table-level expectations (the suite's relation is empty) are shown failing separately: emptying a
# mart would make every other expectation of its suite pass vacuously.
TABLE_LEVEL = ROW_COUNT.__name__


def _expectation_keys(suites) -> set[tuple[str, str, str]]:
    """(suite, column, severity) of every expectation with a column, as the outcomes name them."""
    keys = set()
    for suite in suites:
        seen: dict[str, int] = {}
        for e in suite.expectations:
            kw = e.model_dump() if hasattr(e, "model_dump") else e.__dict__
            column = kw.get("column") or ", ".join(str(kw[k]) for k in ("column_A", "column_B") if kw.get(k)) \
                or ", ".join(kw.get("column_list") or [])
            if not column:
                continue
            seen[column] = seen.get(column, 0) + 1
            name = column if seen[column] == 1 else f"{column}#{type(e).__name__}"
            keys.add((suite.name, name, str(getattr(e.severity, "value", e.severity))))
    return keys


def _damage_keys() -> set[tuple[str, str, str]]:
    return {(d.suite, d.column, d.severity) for d in DAMAGES}


def test_every_expectation_has_a_damage_case() -> None:
    expected = _expectation_keys(raw_suites([("s", "t")], [("s", "t")]) + mart_suites())
    named = {(s, c if "#" not in c else c.split("#")[0] + "#" + _second_type(s, c), sev)
             for s, c, sev in _damage_keys()}
    assert expected - named == set(), "expectations without a damage case"
    assert named - expected == set(), "damage cases naming no expectation"


def _second_type(suite: str, column: str) -> str:
    """The expectation class of the second expectation on a column (order_id: unique, then not null)."""
    spec = next(s for s in raw_suites([("s", "t")], [("s", "t")]) + mart_suites() if s.name == suite)
    kinds = [type(e).__name__ for e in spec.expectations
             if (e.model_dump() if hasattr(e, "model_dump") else e.__dict__).get("column") == column.split("#")[0]]
    return kinds[1]


# --------------------------------------------------------------------------- applying the damage
def _ids(query) -> dict[str, object]:
    """Rows to damage, picked from the clean warehouse: distinct rows for each statement."""
    def col(sql: str, n: int) -> list:
        return [r[0] for r in query(sql + f" limit {n}")]

    ids = {}
    for key, sql, n in (
        ("o", f"select id from {ORDERS} order by id", 6),
        ("p", f"select id from {PAYMENTS} where status <> 3 order by id", 3),
        # orders that are not revenue (cancelled, unpaid): damaging them leaves every customer's
        # completed-order revenue, which dim_customers' CLV check reconciles, as it was
        ("f", "select order_id from marts.fct_orders where not is_revenue order by order_id desc", 13),
        ("i", "select order_item_id from marts.fct_order_items order by order_item_id desc", 3),
        ("c", "select coupon_id from marts.fct_coupons order by coupon_id desc", 3),
        ("u", "select customer_id from marts.dim_customers where has_ordered order by customer_id desc", 5),
        ("s", "select store_id from marts.dim_stores order by store_id desc", 3),
        ("t", "select source_table_id from marts.fct_source_tables where schema_family <> 'redis' "
              "order by source_table_id", 2),
    ):
        for i, value in enumerate(col(sql, n)):
            ids[f"{key}{i}"] = value if isinstance(value, int) else f"'{value}'"
    # t_shop ids: the raw table (s0 is deleted there; s1, s2 are store ids of dim_stores)
    ids["s0"] = col("select id from luckyus_sales_shop.t_shop order by id desc", 1)[0]
    # the store duplicated in dim_stores has no order (a store being prepared), so the fct_orders
    # suite, which joins dim_stores, is not handed duplicate orders by it
    ids["s1"] = col("select store_id from marts.dim_stores as s where not exists (select 1 from marts.fct_orders "
                    "as o where o.store_id = s.store_id) order by store_id", 1)[0]
    # store-days of different stores (reconciliation is per store and month)
    days = query("select store_id, min(revenue_date) from marts.fct_store_daily_revenue group by store_id "
                 "order by store_id limit 7")
    assert len(days) == 7, "the damage cases need 7 stores with revenue"
    for i, (store, day) in enumerate(days):
        ids[f"d{i}s"], ids[f"d{i}d"] = store, f"date '{day}'"
    latest, device1, device2 = query(
        "select s.snapshot_at, min(s.device_id), max(s.device_id) from marts.fct_iot_device_snapshots s "
        "where s.snapshot_at = (select max(snapshot_at) from marts.fct_iot_device_snapshots) group by 1")[0]
    ids["vt"] = f"cast('{latest.isoformat()}' as timestamp with time zone)"
    ids["v0"], ids["v1"] = device1, device2
    return ids


def _statements(ids: dict) -> list[str]:
    return [stmt.format(**ids) for d in DAMAGES for stmt in ((d.sql,) if isinstance(d.sql, str) else d.sql)]


def _check(result, ids: dict) -> list[str]:
    """Every damaged expectation failed, with its severity, naming its damage; problems otherwise."""
    problems = []
    by_key: dict[tuple[str, str], list] = {}
    for o in result.results:
        by_key.setdefault((o.suite, o.column), []).append(o)
    for d in DAMAGES:
        column = d.column.split("#")[0]
        outcomes = by_key.get((d.suite, column), [])
        if "#" in d.column:
            outcomes = [o for o in outcomes if o.expectation == _gx_type(d.suite, d.column)]
        elif len(outcomes) > 1:
            outcomes = outcomes[:1]
        needle = d.needle.format(**{k: v for k, v in ids.items()})
        if not outcomes:
            problems.append(f"{d.suite} {d.column}: no outcome")
        elif outcomes[0].success:
            problems.append(f"{d.suite} {d.column}: passed on damaged data: {outcomes[0]}")
        elif outcomes[0].severity != d.severity:
            problems.append(f"{d.suite} {d.column}: severity {outcomes[0].severity}, expected {d.severity}")
        elif needle not in str(outcomes[0]) + " " + str(outcomes[0].unexpected_sample):
            problems.append(f"{d.suite} {d.column}: failure does not name {needle!r}: {outcomes[0]}")
    return problems


def _gx_type(suite: str, column: str) -> str:
    """great-expectations' snake_case type of the second expectation on a column."""
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", _second_type(suite, column)).lower()


def _copy_duckdb(landed, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(landed.duckdb_path, copy)
    con = duckdb.connect(str(copy))
    try:
        # The enforced contracts (and dlt's NOT NULL columns) refuse some damage on insert: the
        # gate must still catch it in a warehouse built without them, so copy the tables plain.
        tables = con.execute("select table_schema, table_name from information_schema.tables where table_type = "
                             "'BASE TABLE' and (table_schema = 'marts' or (table_schema, table_name) in "
                             "(('luckyus_sales_order', 't_order'), ('luckyus_sales_payment', 't_payment'), "
                             "('luckyus_sales_shop', 't_shop'), ('luckin_audit', 'load_audit')))").fetchall()
        for schema, table in tables:
            con.execute(f'create or replace table "{schema}"."{table}" as select * from "{schema}"."{table}"')
        ids = _ids(lambda sql: con.execute(sql).fetchall())
        for stmt in _statements(ids):
            con.execute(stmt)
    finally:
        con.close()
    return copy, ids


def test_damaged_duckdb_fails_every_expectation_by_name(landed, tmp_path) -> None:
    copy, ids = _copy_duckdb(landed, tmp_path)
    with landed.active(), pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUCKIN_DUCKDB_PATH", str(copy))
        result = run_validation(load_settings("duckdb"), results_dir=tmp_path / "quality")
    assert not result.ok
    assert _check(result, ids) == []


def _drop_constraints(cur) -> None:
    """The marts' enforced contracts refuse most damage on insert; the gates must catch it in a
    warehouse without them (as the DuckDB case's copy is): drop them in the clone."""
    schemas = "('marts', 'luckin_audit', 'luckyus_sales_order', 'luckyus_sales_payment', 'luckyus_sales_shop')"
    cur.execute("select n.nspname, c.relname, k.conname from pg_constraint as k join pg_class as c on c.oid = k.conrelid "
                f"join pg_namespace as n on n.oid = c.relnamespace where n.nspname in {schemas}")
    for schema, table, name in cur.fetchall():
        cur.execute(f'alter table "{schema}"."{table}" drop constraint "{name}"')
    cur.execute("select table_schema, table_name, column_name from information_schema.columns "
                f"where table_schema in {schemas} and is_nullable = 'NO' "
                "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE')")
    for schema, table, column in cur.fetchall():
        cur.execute(f'alter table "{schema}"."{table}" alter column "{column}" drop not null')


def test_damaged_postgres_fails_every_expectation_by_name(pg_marts, tmp_path) -> None:
    with clone_postgres(pg_marts, "luckin_t17_damage") as clone:
        con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=clone)
        con.autocommit = True
        with con.cursor() as cur:
            def query(sql):
                cur.execute(sql)
                return cur.fetchall()

            ids = _ids(query)
            _drop_constraints(cur)
            for stmt in _statements(ids):
                cur.execute(stmt)
        con.close()
        with pg_marts.active(), pytest.MonkeyPatch.context() as mp:
            mp.setenv("LUCKIN_PG_DATABASE", clone)
            result = run_validation(load_settings("postgres"), results_dir=tmp_path / "quality")
    assert not result.ok
    assert _check(result, ids) == []


@pytest.mark.parametrize("adapter", ["duckdb", "postgres"])
def test_an_empty_relation_fails_the_row_count_gates(adapter, landed, pg_marts, tmp_path) -> None:
    """The table-level expectations: each suite's query returns no row (WHERE false around it)."""
    import dataclasses

    suites = [dataclasses.replace(s, sql=f"select * from ({s.sql.strip()}) as batch where 1 = 0")
              for s in raw_suites([("luckyus_sales_order", "t_order")]) + mart_suites()
              if any(type(e).__name__ == TABLE_LEVEL for e in s.expectations)]
    built = landed if adapter == "duckdb" else pg_marts
    with built.active():
        result = run_validation(load_settings(adapter), results_dir=tmp_path / "quality", suites=suites)
    failed = {o.suite for o in result.results if not o.success and o.expectation == "expect_table_row_count_to_be_between"}
    assert failed == {s.name for s in suites} and len(failed) >= 5, failed
