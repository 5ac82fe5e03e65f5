"""Full and incremental extract of real MariaDB schemas into a DuckDB file: landing types,
zero dates, empty tables, tables the catalog lacks, merge/append/replace, the audit, --verify."""

from __future__ import annotations

from datetime import timezone
from decimal import Decimal

import pytest

from tests.pipelines.conftest import extract, verify, PREFIX, create_schema, mysql

SCHEMAS = ["luckyus_sales_shop", "luckyus_sales_user", "luckyus_sales_order", "luckyus_member", "fi_tax"]
ORDER_DB = PREFIX + "luckyus_sales_order"


@pytest.fixture(scope="module")
def seq_estate(estate_spec):
    """Five schemas with generated rows (zero dates, emoji, JSON, decimals) and one extra table."""
    rows = {"t_shop": 12, "t_dict_shop_status": 4, "t_user": 2000, "t_user_device": 1500,
            "t_dict_register_channel": 5, "t_order": 3000, "t_order_item": 4000, "t_order_status_log": 6000,
            "t_refund": 40, "t_dict_order_status": 7}
    for s in SCHEMAS:
        create_schema(estate_spec[s], rows)
    mysql(["CREATE TABLE t_extra_probe (id INT PRIMARY KEY, note VARCHAR(10))",
           "INSERT INTO t_extra_probe VALUES (1, 'x')",
           "UPDATE t_order SET remark = 'emoji ☕🥥 ok', total_amount = 99999999.99 WHERE id = 7"],
          database=ORDER_DB)
    yield rows


@pytest.fixture(scope="module")
def landed(seq_estate, tmp_path_factory):
    """The first full extract (run once for the module's read-only checks)."""
    tmp = tmp_path_factory.mktemp("landed")
    env = {"SOURCES__MYSQL_ESTATE__MODE": "mysql", "SOURCES__MYSQL_ESTATE__DATABASE_PREFIX": PREFIX,
           "DESTINATION__DUCKDB__CREDENTIALS": str(tmp / "warehouse.duckdb"),
           "LUCKIN_PIPELINES_DIR": str(tmp / "pipelines")}
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    summary = extract(schemas=SCHEMAS)
    yield summary, env
    mp.undo()


def _duck(env, sql):
    import duckdb

    con = duckdb.connect(env["DESTINATION__DUCKDB__CREDENTIALS"], read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _types(env, schema, table):
    return dict(_duck(env, "SELECT column_name, data_type FROM information_schema.columns "
                           f"WHERE table_schema = '{schema}' AND table_name = '{table}'"))


def test_full_extract_succeeds_and_reconciles(landed, seq_estate):
    summary, env = landed
    assert summary.ok, [(t.table, t.error) for t in summary.failures]
    by_table = {(t.schema, t.table): t for t in summary.tables}
    t_order = by_table[("luckyus_sales_order", "t_order")]
    assert (t_order.rows_in_source, t_order.rows_extracted, t_order.rows_in_warehouse) == (3000, 3000, 3000)
    assert all(t.rows_in_source == t.rows_in_warehouse for t in summary.tables if t.status == "loaded")


def test_landing_types_follow_the_contract(landed):
    _, env = landed
    order = _types(env, "luckyus_sales_order", "t_order")
    assert order["id"] == "BIGINT"  # BIGINT UNSIGNED: bigint, overflow-checked
    assert order["total_amount"] == "DECIMAL(10,2)"
    assert order["is_deleted"] == "BOOLEAN"  # TINYINT(1)
    assert order["channel"] == "SMALLINT"  # TINYINT
    assert order["item_count"] == "INTEGER"  # SMALLINT UNSIGNED
    assert order["shop_id"] == "BIGINT"  # INT UNSIGNED
    assert order["create_time"] == "TIMESTAMP WITH TIME ZONE"
    assert {"_dlt_id", "_dlt_load_id"} <= set(order)
    shop = _types(env, "luckyus_sales_shop", "t_shop")
    assert shop["business_hours"] == "JSON"
    assert shop["latitude"] == "DECIMAL(9,6)"
    assert shop["open_date"] == "DATE"


def test_values_are_exact(landed):
    _, env = landed
    (remark, total, created), = _duck(env, "SELECT remark, total_amount, create_time FROM "
                                           "luckyus_sales_order.t_order WHERE id = 7")
    assert remark == "emoji ☕🥥 ok"
    assert total == Decimal("99999999.99")
    src = mysql("SELECT create_time FROM t_order WHERE id = 7", database=ORDER_DB)[0][0]
    assert created == src.replace(tzinfo=timezone.utc)  # DATETIME is UTC, lands as timestamptz
    (hours,), = _duck(env, "SELECT business_hours->>'$.emoji' FROM luckyus_sales_shop.t_shop WHERE id = 1")
    assert hours == "☕"


def test_zero_dates_become_null_and_are_counted(landed):
    summary, env = landed
    zeros = mysql("SELECT COUNT(*) FROM t_user WHERE legacy_verify_time = 0",
                  database=PREFIX + "luckyus_sales_user")[0][0]
    assert zeros == 200
    (nulls,), = _duck(env, "SELECT COUNT(*) FROM luckyus_sales_user.t_user WHERE legacy_verify_time IS NULL")
    assert nulls == zeros
    t_user = next(t for t in summary.tables if t.table == "t_user")
    assert t_user.zero_dates_nulled == zeros
    (audited,), = _duck(env, "SELECT zero_dates_nulled FROM luckin_audit.load_audit "
                             "WHERE source_table = 't_user'")
    assert audited == zeros


def test_empty_tables_land_with_their_columns(landed, estate_spec):
    _, env = landed
    for schema in ("luckyus_member", "fi_tax"):
        for name, table in estate_spec[schema].tables.items():
            cols = _types(env, schema, name)
            assert set(table.column_names) <= set(cols), f"{schema}.{name}"
            assert _duck(env, f"SELECT COUNT(*) FROM {schema}.{name}") == [(0,)]


def test_tables_missing_from_the_catalog_land_with_an_inferred_strategy(landed):
    summary, env = landed
    probe, = [t for t in summary.tables if t.table == "t_extra_probe"]
    assert probe.discovered and probe.status == "loaded" and probe.strategy == "replace"  # no time column
    assert _duck(env, "SELECT id, note FROM luckyus_sales_order.t_extra_probe") == [(1, "x")]
    (status,), = _duck(env, "SELECT status FROM luckin_audit.load_audit WHERE source_table = 't_extra_probe'")
    assert status == "loaded"


def test_audit_has_one_row_per_table(landed):
    summary, env = landed
    rows = _duck(env, "SELECT source_schema, source_table, rows_in_source, rows_extracted, rows_in_warehouse, "
                      "strategy, started_at, duration_seconds FROM luckin_audit.load_audit "
                      f"WHERE run_id = '{summary.run_id}' AND status = 'loaded'")
    assert len(rows) == sum(1 for t in summary.tables if t.status == "loaded")
    assert all(r[2] == r[4] for r in rows)


def test_incremental_merges_appends_and_replaces_without_duplicates(seq_estate, extract_env, duck):
    assert extract(schemas=["luckyus_sales_order"]).ok
    mysql([
        # 30 orders change status (update_time moves), 25 new orders, 40 new status-log rows
        "UPDATE t_order SET status = 60, update_time = '2026-03-01 10:00:00' WHERE id BETWEEN 101 AND 130",
        "INSERT INTO t_order SELECT id + 100000, CONCAT('N', id), user_id, shop_id, channel, status, item_count,"
        " total_amount, discount_amount, pay_amount, coupon_id, remark, is_deleted, create_time, pay_time,"
        " complete_time, cancel_time, '2026-03-01 10:00:01' FROM t_order WHERE id <= 25",
        "INSERT INTO t_order_status_log (order_id, from_status, to_status, operator, create_time)"
        " SELECT id, 50, 60, 'ops', '2026-03-01 10:00:00' FROM t_order WHERE id BETWEEN 101 AND 140",
        "UPDATE t_dict_order_status SET name = 'renamed' WHERE code = 1",
    ], database=ORDER_DB)
    try:
        summary = extract(schemas=["luckyus_sales_order"])
        assert summary.ok
        runs = {t.table: t for t in summary.tables}
        assert runs["t_order"].status == "loaded" and runs["t_order"].disposition == "merge"
        # 30 updated + 25 new + the 1 row at the last cursor value, read again (merge: idempotent)
        assert runs["t_order"].rows_extracted == 30 + 25 + 1
        assert runs["t_order_status_log"].rows_extracted == 40
        assert runs["t_order_status_log"].disposition == "append"
        assert runs["t_dict_order_status"].status == "loaded"
        assert runs["t_order_item"].status == "unchanged" and runs["t_refund"].status == "unchanged"
        assert duck("SELECT COUNT(*), COUNT(DISTINCT id) FROM luckyus_sales_order.t_order") == [(3025, 3025)]
        assert duck("SELECT COUNT(*) FROM luckyus_sales_order.t_order WHERE status = 60 AND id BETWEEN 101 AND 130") \
            == [(30,)]
        assert duck("SELECT COUNT(*), COUNT(DISTINCT id) FROM luckyus_sales_order.t_order_status_log") \
            == [(6040, 6040)]
        assert duck("SELECT name FROM luckyus_sales_order.t_dict_order_status WHERE code = 1") == [("renamed",)]
        assert verify(schemas=["luckyus_sales_order"])

        again = extract(schemas=["luckyus_sales_order"])  # nothing changed since
        assert again.ok and {t.status for t in again.tables} == {"unchanged"}
        assert again.rows_extracted == 0
    finally:
        mysql(["DELETE FROM t_order WHERE id > 100000", "DELETE FROM t_order_status_log WHERE id > 6000",
               "UPDATE t_dict_order_status SET name = CONCAT('na', code) WHERE code = 1"], database=ORDER_DB)


def test_verify_compares_keys_not_only_counts(seq_estate, extract_env):
    assert extract(schemas=["luckyus_sales_user"]).ok
    assert verify(schemas=["luckyus_sales_user"])
    db = PREFIX + "luckyus_sales_user"
    row = mysql("SELECT * FROM t_user_device WHERE id = 5", database=db)[0]
    # one row deleted and another inserted behind the cursor: the count stays, the keys differ
    mysql(["DELETE FROM t_user_device WHERE id = 5",
           "INSERT INTO t_user_device SELECT id + 900000, user_id, os, app_version, device_model,"
           " create_time, update_time FROM t_user_device WHERE id = 6"], database=db)
    try:
        assert mysql("SELECT COUNT(*) FROM t_user_device", database=db)[0][0] == 1500
        from luckin.core.settings import load_settings
        from pipelines.reconcile import reconcile

        bad = [r for r in reconcile(load_settings(), ["luckyus_sales_user"]) if r.problem]
        assert [(r.table, r.only_in_source, r.only_in_warehouse) for r in bad] == [("t_user_device", 1, 1)]
        summary = extract(schemas=["luckyus_sales_user"], verify=True)  # the extract converges
        assert summary.ok and summary.verified
    finally:
        marks = ", ".join(["%s"] * len(row))
        mysql(["DELETE FROM t_user_device WHERE id > 900000"], database=db)
        mysql(f"INSERT INTO t_user_device VALUES ({marks})", database=db, params=row)


def test_full_refresh_reloads_everything(seq_estate, extract_env, duck):
    assert extract(schemas=["luckyus_sales_shop"]).ok
    summary = extract(schemas=["luckyus_sales_shop"], full_refresh=True)
    assert summary.ok
    assert {t.disposition for t in summary.tables if t.status == "loaded"} == {"replace"}
    assert duck("SELECT COUNT(*) FROM luckyus_sales_shop.t_shop") == [(12,)]


def test_full_refresh_keeps_what_readers_rely_on(seq_estate, extract_env, duck, monkeypatch):
    """A full refresh replaces every table (re-created, tests/pipelines/test_duckdb_destination.py:
    here every table counts as big)
    under a view that reads it, with the table's columns, constraints and comments as they were,
    and the source's rows."""
    import duckdb

    from pipelines import destinations

    monkeypatch.setattr(destinations, "RECREATE_FROM_ROWS", 1)
    assert extract(schemas=["luckyus_sales_shop"]).ok
    con = duckdb.connect(extract_env["DESTINATION__DUCKDB__CREDENTIALS"])
    try:
        con.execute("COMMENT ON TABLE luckyus_sales_shop.t_shop IS 'shops, as landed'")
        con.execute("COMMENT ON COLUMN luckyus_sales_shop.t_shop.id IS 'the shop'")
        con.execute("CREATE OR REPLACE VIEW main.v_shop_ids AS SELECT id FROM luckyus_sales_shop.t_shop")
    finally:
        con.close()
    tables_sql = ("SELECT table_name, sql, comment FROM duckdb_tables() WHERE schema_name = 'luckyus_sales_shop' "
                  "ORDER BY table_name")
    before = duck(tables_sql)

    summary = extract(schemas=["luckyus_sales_shop"], full_refresh=True)
    assert summary.ok
    assert {t.disposition for t in summary.tables if t.status == "loaded"} == {"replace"}
    assert duck(tables_sql) == before
    assert {name: comment for name, _, comment in before}["t_shop"] == "shops, as landed"
    assert duck("SELECT comment FROM duckdb_columns() WHERE schema_name = 'luckyus_sales_shop' "
                "AND table_name = 't_shop' AND column_name = 'id'") == [("the shop",)]
    assert duck("SELECT COUNT(*) FROM main.v_shop_ids") == [(seq_estate["t_shop"],)]


def test_unknown_schema_is_a_one_line_error(extract_env, capsys):
    summary = extract(schemas=["luckyus_nope"])
    assert not summary.ok and "unknown schema" in summary.error and "luckyus_nope" in summary.error
    assert "\n" not in summary.error
    err = capsys.readouterr().err
    printed = [ln for ln in err.splitlines() if ln.strip()]
    # what the run printed is the one error line (and the summary of an empty run), no traceback
    assert [ln for ln in printed if "error:" in ln] == [f"error: {summary.error}"], err
    assert "Traceback" not in err and "luckyus_nope" in err


def test_verify_queries_with_the_warehouse_memory_not_the_extract_load_buffer(seq_estate, extract_env, monkeypatch):
    """`--verify` groups every landed table by its key. It ran on the extract's own DuckDB buffer,
    sized for loading files (128 MB), and at scale 3 failed with DuckDB's Out of Memory Error on
    the estate's biggest table. A buffer far too small for any such query stands in for that
    here: the verify must use the warehouse's memory limit, as a query of the warehouse does."""
    assert extract(schemas=["luckyus_sales_order"]).ok
    monkeypatch.setenv("WAREHOUSE__DUCKDB__EXTRACT_MEMORY_LIMIT", "1MB")
    assert verify(schemas=["luckyus_sales_order"])
