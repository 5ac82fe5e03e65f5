"""The DuckDB warehouse's own statements in the extract, where its buffer is bounded (128 MB by
default): what DuckDB holds outside the buffer, and what one statement pins inside it."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.destinations import Destination


def test_dlt_empties_a_duckdb_table_by_recreating_it(tmp_path):
    """DuckDB keeps a version entry in memory for every row a TRUNCATE deletes (+308 MB for 20M
    rows, until the process ends): dlt's emptying of a big replaced table drops and re-creates it
    from its own DDL instead (a new table within the session), with its comments. A table with
    an index, which the DDL does not carry, and a small table are truncated in place."""
    import dlt

    from pipelines.destinations import RECREATE_FROM_ROWS, _recreate_instead_of_truncating_in_duckdb

    _recreate_instead_of_truncating_in_duckdb()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA s")
    for name, rows in (("plain", RECREATE_FROM_ROWS), ("indexed", RECREATE_FROM_ROWS), ("small", RECREATE_FROM_ROWS - 1)):
        con.execute(f"CREATE TABLE s.{name} (id BIGINT NOT NULL, note VARCHAR, CHECK (id > 0))")
        con.execute(f"INSERT INTO s.{name} SELECT i, 'n' || i FROM range(1, {rows + 1}) r(i)")
    con.execute("COMMENT ON TABLE s.plain IS 'as landed'")
    con.execute("COMMENT ON COLUMN s.plain.note IS 'free text'")
    con.execute("CREATE INDEX plain_probe ON s.indexed (id)")
    tables_sql = "SELECT table_name, table_oid, sql, comment FROM duckdb_tables() WHERE schema_name = 's'"
    before = {name: rest for name, *rest in con.execute(tables_sql).fetchall()}
    pipeline = dlt.pipeline("truncate_probe", destination=dlt.destinations.duckdb(con), dataset_name="s",
                            pipelines_dir=str(tmp_path / "pipelines"))
    with pipeline.sql_client() as client:
        client.truncate_tables("plain", "indexed", "small")
    after = {name: rest for name, *rest in con.execute(tables_sql).fetchall()}

    assert after["plain"][0] != before["plain"][0]  # a new table, not the old one emptied
    assert after["plain"][1:] == before["plain"][1:]  # same DDL, same comment
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'plain' AND column_name = 'note'"
                       ).fetchall() == [("free text",)]
    assert after["indexed"] == before["indexed"] and after["small"] == before["small"]
    assert con.execute("SELECT index_name FROM duckdb_indexes()").fetchall() == [("plain_probe",)]
    assert con.execute("SELECT (SELECT COUNT(*) FROM s.plain), (SELECT COUNT(*) FROM s.indexed), "
                       "(SELECT COUNT(*) FROM s.small)").fetchall() == [(0, 0, 0)]


def test_committed_state_versions_fit_a_small_buffer(tmp_path):
    """Each schema's committed state version is a join of two dlt tables; DuckDB holds every join of
    a statement (hash table, pinned blocks) until the statement ends. With all 64 schemas in one
    statement a real warehouse ran out of the extract's 128 MB after nine extracts (2.5-3 MB a
    join there). Here the tables are small, so the buffer is scaled down with them: the 64 joins
    in one statement need more than 8 MB, the reads in batches do not. A load that did not
    complete (status 1) does not count."""
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    schemas = [f"schema_{i:02d}" for i in range(64)]
    for i, s in enumerate(schemas):
        con.execute(f"CREATE SCHEMA {s}")
        con.execute(f"CREATE TABLE {s}._dlt_loads (load_id VARCHAR, status BIGINT)")
        con.execute(f"CREATE TABLE {s}._dlt_pipeline_state (version BIGINT, _dlt_load_id VARCHAR, state VARCHAR)")
        con.execute(f"INSERT INTO {s}._dlt_loads VALUES ('1', 0), ('2', 1)")
        con.execute(f"INSERT INTO {s}._dlt_pipeline_state VALUES ({i + 1}, '1', repeat('s', 700)), "
                    f"({i + 100}, '2', repeat('s', 700))")
    con.close()
    existing = {s: {"_dlt_loads", "_dlt_pipeline_state"} for s in schemas}
    dest = Destination("duckdb", str(path), tmp_path / "pipelines", memory_limit="8MB")
    try:
        one_statement = " UNION ALL ".join(
            f"SELECT '{s}', MAX(st.version) FROM {s}._dlt_pipeline_state AS st JOIN {s}._dlt_loads AS l "
            "ON l.load_id = st._dlt_load_id WHERE l.status = 0" for s in schemas)
        with pytest.raises(duckdb.OutOfMemoryException):  # the failure the batches avoid
            dest.query(one_statement)
        assert dest.committed_state_versions(schemas, existing) == {s: i + 1 for i, s in enumerate(schemas)}
    finally:
        dest.close()
