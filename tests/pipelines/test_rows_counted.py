"""Every read lands the rows planning counted for it, or the run says how many it did not.

- A table whose integer key is sparse (ids from another id generator) is read in keyset pages
  (`> last id ORDER BY id LIMIT chunk_rows`). A replace table bigger than one page must land
  whole, from a MariaDB server and from the embedded estate alike: planning once read such a
  table as "small" and landed its first page only, and the run reported success.
- Rows deleted in the source while the run reads a table (a replace table, or a merge table's
  changed rows) are not an error, but the summary and the load audit count them: fewer rows
  read than planning counted is how a reader's loss would look too.

The MariaDB tables live in `luckin_t18_<pid>_luckyus_t18_sparse` (dropped at the end); the
catalog the run reads is the real parser on a document naming only them.
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from luckin.core.catalog.mysql import parse_catalog
from pipelines.extract import run_extract
from pipelines.summary import Progress
from tests.pipelines.conftest import drop_prefixed, extract, mysql

PREFIX = f"luckin_t18_{os.getpid()}_"
SCHEMA = "luckyus_t18_sparse"
ROWS, SPACING, PAGE = 60, 1000, 10  # ids 1000..60000: 60 rows over a range 1000x wider


def _use_catalog(monkeypatch, table: str) -> None:
    catalog = parse_catalog({"discover": ["luckyus_*"], "schemas": {SCHEMA: {
        "description": "whole-table reads", "tables": {table: {"strategy": "replace", "primary_key": "id"}}}}})
    monkeypatch.setitem(run_extract.__globals__, "load_catalog", lambda *a, **k: catalog)


@pytest.fixture()
def sparse_estate(request, extract_env, monkeypatch, tmp_path):
    """The same sparse table on a MariaDB server or in the embedded estate's SQLite file."""
    _use_catalog(monkeypatch, "t_sparse")
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__CHUNK_ROWS", str(PAGE))
    ddl = "CREATE TABLE t_sparse (id INT NOT NULL PRIMARY KEY, label VARCHAR(16))"
    rows = [(SPACING * i, f"r{i}") for i in range(1, ROWS + 1)]
    if request.param == "mysql":
        monkeypatch.setenv("SOURCES__MYSQL_ESTATE__DATABASE_PREFIX", PREFIX)
        drop_prefixed(PREFIX)
        mysql(f"CREATE DATABASE `{PREFIX + SCHEMA}`")
        mysql(ddl, database=PREFIX + SCHEMA)
        for row in rows:
            mysql("INSERT INTO t_sparse VALUES (%s, %s)", database=PREFIX + SCHEMA, params=row)
    else:
        folder = tmp_path / "estate"
        folder.mkdir()
        con = sqlite3.connect(folder / f"{SCHEMA}.sqlite")
        con.execute(ddl)
        con.executemany("INSERT INTO t_sparse VALUES (?, ?)", rows)
        con.commit()
        con.close()
        monkeypatch.setenv("SOURCES__MYSQL_ESTATE__MODE", "embedded")
        monkeypatch.setenv("SOURCES__MYSQL_ESTATE__EMBEDDED_DIR", str(folder))
    yield
    if request.param == "mysql":
        drop_prefixed(PREFIX)


@pytest.mark.parametrize("sparse_estate", ["mysql", "embedded"], indirect=True)
def test_a_replace_table_with_a_sparse_key_lands_every_page(sparse_estate, duck):
    summary = extract(schemas=[SCHEMA])
    assert summary.ok, [(t.table, t.error) for t in summary.tables]
    run = next(t for t in summary.tables if t.table == "t_sparse")
    assert (run.rows_in_source, run.rows_in_warehouse) == (ROWS, ROWS)
    assert duck(f"SELECT COUNT(DISTINCT id), MIN(id), MAX(id) FROM {SCHEMA}.t_sparse") == \
        [(ROWS, SPACING, SPACING * ROWS)]


@pytest.mark.parametrize("strategy", ["replace", "merge"])
def test_rows_deleted_while_the_run_reads_a_table_are_counted_not_hidden(strategy, extract_env, monkeypatch, capsys,
                                                                         duck):
    """3,000 rows read in pages of 500 (a replace table, or all of a merge table's rows updated
    since the last run); after the first page, the source deletes the last 500."""
    database = PREFIX + SCHEMA
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__DATABASE_PREFIX", PREFIX)
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__CHUNK_ROWS", "500")
    entry = {"strategy": strategy, "primary_key": "id", **({"cursor": "update_time"} if strategy == "merge" else {})}
    catalog = parse_catalog({"discover": ["luckyus_*"], "schemas": {SCHEMA: {
        "description": "rows deleted while read", "tables": {"t_dense": entry}}}})
    monkeypatch.setitem(run_extract.__globals__, "load_catalog", lambda *a, **k: catalog)
    drop_prefixed(PREFIX)
    mysql(f"CREATE DATABASE `{database}`")
    mysql(["CREATE TABLE t_dense (id INT NOT NULL PRIMARY KEY, label VARCHAR(16), update_time DATETIME NOT NULL)",
           "INSERT INTO t_dense SELECT seq, CONCAT('r', seq), '2025-01-01' + INTERVAL seq SECOND"
           " FROM seq_1_to_3000"], database=database)
    read = Progress.rows_done

    def delete_after_the_first_page(self, schema, rows):
        if schema == SCHEMA and mysql("SELECT COUNT(*) FROM t_dense", database=database)[0][0] == 3000:
            mysql("DELETE FROM t_dense WHERE id > 2500", database=database)
        read(self, schema, rows)

    try:
        if strategy == "merge":  # landed whole first; then every row changes
            assert extract(schemas=[SCHEMA]).ok
            mysql("UPDATE t_dense SET update_time = update_time + INTERVAL 1 DAY", database=database)
        monkeypatch.setattr(Progress, "rows_done", delete_after_the_first_page)
        summary = extract(schemas=[SCHEMA])
        assert summary.ok, [(t.table, t.error) for t in summary.tables]
        run = next(t for t in summary.tables if t.table == "t_dense")
        assert (run.rows_in_source, run.rows_extracted, run.rows_short, run.rows_in_warehouse) == \
            (3000, 2500, 500, 2500)
        # a merge table's comparison by key then finds the 500 gone from the source, in the same run
        assert run.rows_deleted == (500 if strategy == "merge" else 0)
        summary.print()
        assert "read short: luckyus_t18_sparse.t_dense: 500 fewer rows" in " ".join(capsys.readouterr().out.split())
        assert duck("SELECT rows_short FROM luckin_audit.load_audit WHERE source_table = 't_dense'"
                    f" AND run_id = '{summary.run_id}'") == [(500,)]
        monkeypatch.setattr(Progress, "rows_done", read)
        mysql("UPDATE t_dense SET update_time = update_time + INTERVAL 1 DAY", database=database)
        again = next(t for t in extract(schemas=[SCHEMA]).tables if t.table == "t_dense")
        assert (again.status, again.rows_extracted, again.rows_short, again.rows_in_warehouse) == \
            ("loaded", 2500, 0, 2500)
    finally:
        drop_prefixed(PREFIX)
