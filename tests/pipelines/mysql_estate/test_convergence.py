"""Convergence and schema drift on a small hand-made schema the catalog does not know (so it is
discovered: `luckyus_*`), on DuckDB and Postgres: hard deletes marked (and undone when a row comes
back), rows behind the cursor fetched, truncate-and-reload and drop-and-recreate re-synced, each
kind of drift, and `verify` proving the warehouse holds exactly the source's keys."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from tests.pipelines.conftest import PREFIX, extract, mysql, pg_query, verify

_N = itertools.count()

DDL = [
    "CREATE TABLE t_item (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(32) NOT NULL, label VARCHAR(20),"
    " note VARCHAR(40), qty INT, price DECIMAL(10,2), update_time DATETIME NOT NULL)",
    "CREATE TABLE t_event_log (id BIGINT PRIMARY KEY, item_id BIGINT, create_time DATETIME NOT NULL)",
    "CREATE TABLE t_dict_kind (code INT PRIMARY KEY, name VARCHAR(20))",
    "INSERT INTO t_item SELECT seq, CONCAT('item', seq), 'x', 'n', seq, seq / 4,"
    " '2025-01-01 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_100",
    "INSERT INTO t_event_log SELECT seq, seq % 10, '2025-01-01 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_100",
    "INSERT INTO t_dict_kind VALUES (1, 'one'), (2, 'two')",
]


class Warehouse:
    """The test's warehouse, DuckDB or Postgres, queried the same way."""

    def __init__(self, target: str, duck, pg_database: str | None):
        self.target, self._duck, self._pg = target, duck, pg_database

    def __call__(self, sql: str):
        return self._duck(sql) if self.target == "duckdb" else [tuple(r) for r in pg_query(self._pg, sql)]

    def column_type(self, schema: str, table: str, column: str) -> str:
        (t,), = self(f"SELECT data_type FROM information_schema.columns WHERE table_schema = '{schema}'"
                     f" AND table_name = '{table}' AND column_name = '{column}'")
        return t


@pytest.fixture(params=["duckdb", "postgres"])
def target(request):
    return request.param


@pytest.fixture()
def wh(target, extract_env, duck, request):
    pg = request.getfixturevalue("pg_env") if target == "postgres" else None
    if pg:  # each test starts from an empty database (the extract creates it)
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)')
        admin.close()
    return Warehouse(target, duck, pg)


@pytest.fixture()
def conv(target):
    """A fresh discovered schema `luckyus_zz_conv<n>` (database `<prefix>luckyus_zz_conv<n>`)."""
    schema = f"luckyus_zz_conv{next(_N)}"
    db = PREFIX + schema
    mysql([f"DROP DATABASE IF EXISTS `{db}`", f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4"])
    mysql(DDL, database=db)
    yield schema, db
    mysql(f"DROP DATABASE IF EXISTS `{db}`")


def run(target, schema, **kwargs):
    summary = extract(target, schemas=[schema], **kwargs)
    assert summary.ok, (summary.error, [(t.table, t.error) for t in summary.failures])
    return summary, {t.table: t for t in summary.tables}


def live_keys(wh, schema, table):
    return {r[0] for r in wh(f'SELECT id FROM {schema}.{table} WHERE "_luckin_deleted_at" IS NULL')}


def source_keys(db, table):
    return {r[0] for r in mysql(f"SELECT id FROM {table}", database=db)}


def test_a_new_schema_lands_with_inferred_strategies(target, wh, conv):
    schema, db = conv
    summary, runs = run(target, schema, verify=True)
    assert summary.verified and schema in summary.discovered_schemas
    assert {t: (r.strategy, r.discovered) for t, r in runs.items()} == {
        "t_item": ("merge", True), "t_event_log": ("append", True), "t_dict_kind": ("replace", True)}
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_item") == [(100,)]
    # every landed table has the deletion column, NULL for live rows
    for table in runs:
        assert wh(f'SELECT COUNT(*) FROM {schema}.{table} WHERE "_luckin_deleted_at" IS NOT NULL') == [(0,)]


def test_hard_deletes_are_marked_in_the_run_s_load_and_undone_when_the_row_comes_back(target, wh, conv):
    schema, db = conv
    run(target, schema)
    kept = mysql("SELECT * FROM t_item WHERE id = 5", database=db)[0]
    mysql(["DELETE FROM t_item WHERE id IN (5, 6)", "DELETE FROM t_event_log WHERE id = 7"], database=db)
    assert not verify(target, [schema])
    summary, runs = run(target, schema, verify=True)
    assert summary.verified
    assert (runs["t_item"].rows_deleted, runs["t_event_log"].rows_deleted) == (2, 1)
    load_id = runs["t_item"].load_id
    assert load_id and runs["t_item"].status == "loaded"
    # raw keeps the rows, marked, and the mark is a change of that row in that load
    rows = wh(f'SELECT id, "_dlt_load_id", "_luckin_deleted_at" IS NOT NULL FROM {schema}.t_item WHERE id IN (5, 6)'
              " ORDER BY id")
    assert rows == [(5, load_id, True), (6, load_id, True)]
    assert wh(f"SELECT status FROM {schema}._dlt_loads WHERE load_id = '{load_id}'") == [(0,)]
    assert live_keys(wh, schema, "t_item") == source_keys(db, "t_item")
    (audited,), = wh("SELECT rows_deleted FROM luckin_audit.load_audit WHERE source_table = 't_item'"
                     f" AND run_id = '{summary.run_id}'")
    assert audited == 2
    # nothing changed since: nothing is marked again
    again, runs = run(target, schema)
    assert again.rows_deleted == 0 and {r.status for r in runs.values()} == {"unchanged"}
    # the row comes back with its old update_time (behind the cursor): live again
    marks = ", ".join(["%s"] * len(kept))
    mysql(f"INSERT INTO t_item VALUES ({marks})", database=db, params=kept)
    mysql("INSERT INTO t_event_log VALUES (7, 7, '2025-01-01 00:07:00')", database=db)
    summary, runs = run(target, schema, verify=True)
    assert summary.verified
    assert runs["t_item"].rows_fetched_by_key == 1 and runs["t_event_log"].rows_fetched_by_key == 1
    assert wh(f'SELECT COUNT(*) FROM {schema}.t_item WHERE id = 5 AND "_luckin_deleted_at" IS NULL') == [(1,)]
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_item WHERE id = 5") == [(1,)]
    assert wh(f'SELECT COUNT(*), COUNT(DISTINCT id) FROM {schema}.t_event_log') == [(100, 100)]


def test_truncate_and_reload_is_resynced_whole(target, wh, conv):
    schema, db = conv
    run(target, schema)
    mysql(["TRUNCATE TABLE t_item",
           "INSERT INTO t_item SELECT seq, CONCAT('new', seq), 'y', 'n', seq, seq, '2024-06-01' + INTERVAL seq MINUTE"
           " FROM seq_1_to_60"], database=db)
    summary, runs = run(target, schema, verify=True)
    assert summary.verified
    t = runs["t_item"]
    assert t.resync_reason and "went backwards" in t.resync_reason and t.disposition == "replace"
    assert wh(f"SELECT COUNT(*), MIN(name) FROM {schema}.t_item") == [(60, "new1")]
    (reason, disposition), = wh("SELECT resync_reason, disposition FROM luckin_audit.load_audit"
                                f" WHERE source_table = 't_item' AND run_id = '{summary.run_id}'")
    assert reason == t.resync_reason and disposition == "replace"


def test_an_append_table_reloaded_under_the_same_ids_is_resynced(target, wh, conv):
    # Same ids and more rows: count, key sum and cursor all move forward as if rows were only
    # appended. Only the rows' content tells; the canary keys see it.
    schema, db = conv
    run(target, schema)
    mysql(["TRUNCATE TABLE t_event_log",
           "INSERT INTO t_event_log SELECT seq, 1000 + seq, '2025-03-01 00:00:00' + INTERVAL seq MINUTE"
           " FROM seq_1_to_120"], database=db)
    summary, runs = run(target, schema, verify=True)
    t = runs["t_event_log"]
    assert t.resync_reason and "changed in the source" in t.resync_reason and t.disposition == "replace"
    assert wh(f"SELECT COUNT(*), MIN(item_id), MAX(item_id) FROM {schema}.t_event_log") == [(120, 1001, 1120)]
    # appended rows alone are no reload: the next run appends, it does not re-sync
    mysql("INSERT INTO t_event_log VALUES (121, 7, '2025-03-02 00:00:00')", database=db)
    summary, runs = run(target, schema)
    assert runs["t_event_log"].resync_reason is None and runs["t_event_log"].disposition == "append"
    assert runs["t_event_log"].rows_extracted == 1


def test_drop_and_recreate_with_other_ids_converges(target, wh, conv):
    schema, db = conv
    run(target, schema)
    # re-created with other ids and timestamps spread over the landed range
    mysql(["DROP TABLE t_item", DDL[0],
           "INSERT INTO t_item SELECT seq + 5000, CONCAT('re', seq), 'z', 'n', seq, seq,"
           " '2025-01-01 00:10:00' + INTERVAL seq MINUTE FROM seq_1_to_90"], database=db)
    summary, runs = run(target, schema, verify=True)
    assert summary.verified
    t = runs["t_item"]
    assert t.resync_reason and "behind the cursor" in t.resync_reason
    assert live_keys(wh, schema, "t_item") == source_keys(db, "t_item")
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_item WHERE name NOT LIKE 're%'") == [(0,)]


def test_a_future_dated_row_does_not_hide_later_changes(target, wh, conv):
    schema, db = conv
    run(target, schema)
    mysql(["UPDATE t_item SET update_time = '2099-01-01', name = 'future' WHERE id = 1",
           "UPDATE t_item SET name = 'now1' WHERE id = 2"], database=db)
    mysql("UPDATE t_item SET update_time = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE id = 2", database=db)
    run(target, schema)
    mysql("UPDATE t_item SET name = 'later', update_time = UTC_TIMESTAMP() WHERE id = 3", database=db)
    summary, runs = run(target, schema, verify=True)
    assert runs["t_item"].status == "loaded"
    assert wh(f"SELECT id, name FROM {schema}.t_item WHERE id IN (1, 2, 3) ORDER BY id") == \
        [(1, "future"), (2, "now1"), (3, "later")]


def test_schema_drift_new_dropped_widened_columns_and_a_new_table(target, wh, conv):
    schema, db = conv
    run(target, schema)
    mysql(["ALTER TABLE t_item ADD COLUMN color VARCHAR(10) NOT NULL DEFAULT 'red'", "ALTER TABLE t_item DROP COLUMN note",
           "ALTER TABLE t_item MODIFY qty BIGINT, MODIFY price DECIMAL(12,2), MODIFY name VARCHAR(64) NOT NULL",
           "INSERT INTO t_item (id, name, label, qty, price, color, update_time) VALUES"
           " (101, REPEAT('w', 60), 'x', 5000000000, 1234567890.12, 'blue', '2025-02-01')",
           "CREATE TABLE t_new_thing (id INT PRIMARY KEY, v VARCHAR(5), update_time DATETIME)",
           "INSERT INTO t_new_thing VALUES (1, 'a', '2025-01-01')"], database=db)
    summary, runs = run(target, schema, verify=True)
    assert summary.verified
    notes = " | ".join(runs["t_item"].drift)
    assert "new column color" in notes and "column note dropped" in notes
    assert "widened qty" in notes and "widened price" in notes
    assert wh.column_type(schema, "t_item", "qty").lower() == "bigint"
    assert wh.column_type(schema, "t_item", "price").lower() in ("decimal(12,2)", "numeric")
    assert wh(f"SELECT qty, price, color, note FROM {schema}.t_item WHERE id = 101") == \
        [(5000000000, Decimal("1234567890.12"), "blue", None)]
    # merge: rows landed before the column existed keep NULL until they change (id 100, at the
    # cursor, is read again); the dropped column keeps its landed values, NULL for rows read now
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_item WHERE color IS NULL") == [(99,)]
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_item WHERE note IS NOT NULL") == [(99,)]
    assert runs["t_new_thing"].discovered and runs["t_new_thing"].strategy == "merge"
    assert wh(f"SELECT id, v FROM {schema}.t_new_thing") == [(1, "a")]


def test_an_incompatible_change_is_one_line_naming_the_column_and_the_rest_loads(target, wh, conv):
    schema, db = conv
    run(target, schema)
    mysql(["UPDATE t_item SET label = '7'", "ALTER TABLE t_item MODIFY label INT",
           "INSERT INTO t_event_log VALUES (101, 1, '2025-03-01')"], database=db)
    summary = extract(target, schemas=[schema])
    assert not summary.ok
    failed, = summary.failures
    assert failed.table == "t_item" and "\n" not in failed.error
    assert failed.error.startswith(f"{schema}.t_item.label: type changed")
    runs = {t.table: t for t in summary.tables}
    assert runs["t_event_log"].status == "loaded" and runs["t_event_log"].rows_extracted == 1
    assert wh(f"SELECT COUNT(*) FROM {schema}.t_event_log") == [(101,)]
