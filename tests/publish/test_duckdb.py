"""`luckin publish` on DuckDB: a reader holding the published file never blocks extract, build or
publish and keeps its snapshot; a new connection sees the new build; a failed gate leaves the
published file as it was, byte for byte."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import duckdb
import pytest

from luckin.core import PROJECT_DIR
from luckin.core.errors import PublishError
from luckin.publish import publication_status, publish
from luckin.transform import dbt_command, dbt_environment
from tests.test_cli import assert_one_line_failure, luckin


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Reader:
    """tests/publish/hold_open.py in a child process: a BI tool with the published file open."""

    def __init__(self, path):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.publish.hold_open", str(path)], cwd=PROJECT_DIR,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def look(self) -> dict:
        self.proc.stdin.write("look\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


def _dbt(built, *args: str) -> None:
    warehouse = built.settings.warehouse
    proc = subprocess.run(dbt_command([*args, "--target-path", str(built.root / "dbt-target")], warehouse),
                          cwd=PROJECT_DIR, env={**dbt_environment(warehouse), **built.env},
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_a_reader_never_blocks_extract_build_or_publish(working) -> None:
    first = publish(working.settings)
    published = working.settings.published.path
    assert published == working.root / "marts.duckdb" and first.publication.tables_published >= 20
    reader = Reader(published)
    try:
        before = reader.look()
        assert before["build_id"] == first.build.build_id and before["rows"]["fct_orders"] > 0
        # a new mart table (as a new dbt model would add: the metric tables) and a new build
        con = duckdb.connect(str(working.duckdb_path))
        con.execute("create table marts.mtr_publish_probe as select 42 as answer")
        con.execute("comment on table marts.mtr_publish_probe is 'probe table'")
        con.execute("comment on column marts.mtr_publish_probe.answer is 'the answer'")
        con.close()
        extract = luckin("extract", "--schema", "luckyus_sales_shop", "--no-progress", env=working.env, timeout=600)
        assert extract.returncode == 0, extract.stderr[-3000:]
        _dbt(working, "run", "--select", "dim_stores")
        assert reader.look() == before  # the reader's snapshot holds while the working file changes
        done = luckin("publish", env=working.env, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert reader.look() == before  # ... and after the published file was replaced under it
    finally:
        reader.close()

    fresh = Reader(published)  # a new connection: the new build, with the new table
    try:
        after = fresh.look()
    finally:
        fresh.close()
    assert after["build_id"] != before["build_id"]
    assert set(after["rows"]) == set(before["rows"]) | {"mtr_publish_probe"}
    assert after["rows"]["fct_orders"] == before["rows"]["fct_orders"]
    (status,) = publication_status(working.settings, [working.settings.target])
    assert status.publication.build_id == after["build_id"] and status.publication.gates_passed > 0
    assert not list(working.root.glob(".publishing-*"))


def test_the_published_file_holds_the_marts_only_with_their_comments(working) -> None:
    publish(working.settings)
    con = duckdb.connect(str(working.settings.published.path), read_only=True)
    try:
        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts"}  # nothing from raw, staging, snapshots or seeds: no personal data in clear
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_orders'").fetchone()[0]
        assert comment and "One row per order" in comment
        columns = dict(con.execute("select column_name, comment from duckdb_columns() "
                                   "where table_name = 'fct_orders'").fetchall())
        assert columns["order_id"] and columns["revenue_usd"]
        # the contracts' constraints came along: the copy refuses what the working mart refuses
        nullable = dict(con.execute("select column_name, is_nullable from duckdb_columns() "
                                    "where table_name = 'fct_orders'").fetchall())
        assert nullable["order_id"] is False
        (row,) = con.execute("select gates_passed, gate_warnings, gates_evaluated, tables_published "
                             "from marts.marts._luckin_publication").fetchall()
        assert row[0] + row[1] == row[2] and row[0] > 0 and row[3] >= 20
    finally:
        con.close()


def test_a_failed_critical_gate_publishes_nothing(working) -> None:
    publish(working.settings)
    published = working.settings.published.path
    digest = _sha256(published)
    con = duckdb.connect(str(working.duckdb_path))
    con.execute("insert into marts.fct_orders select * from marts.fct_orders "
                "where order_id = (select min(order_id) from marts.fct_orders)")
    con.close()
    line = assert_one_line_failure(luckin("publish", env=working.env, timeout=600), 1,
                                   "not published", "critical checks failed", "marts.fct_orders", "order_id")
    assert "unchanged" in line
    assert _sha256(published) == digest
    assert not list(working.root.glob(".publishing-*"))


def test_a_failed_build_is_not_published(working) -> None:
    con = duckdb.connect(str(working.duckdb_path))
    con.execute("insert into luckin_builds.builds values ('failed-build', 'build', false, now(), now(), null)")
    con.close()
    with pytest.raises(PublishError, match="failed-build.* had failed nodes"):
        publish(working.settings)
    assert not working.settings.published.path.exists()


def test_nothing_built_is_a_one_line_error(tmp_path) -> None:
    missing = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "none.duckdb"), "LUCKIN_QUALITY_DIR": str(tmp_path / "q")}
    assert_one_line_failure(luckin("publish", env=missing), 1, "none.duckdb", "does not exist", "luckin build")
    assert not (tmp_path / "none.duckdb").exists()
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()  # a warehouse dbt never built
    empty = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "empty.duckdb"), "LUCKIN_QUALITY_DIR": str(tmp_path / "q")}
    assert_one_line_failure(luckin("publish", env=empty), 1, "nothing built", "empty.duckdb", "luckin build")
    status = luckin("publish", "--status", "--target", "duckdb", env=empty)
    assert status.returncode == 0 and "nothing published yet" in status.stdout
    assert not (tmp_path / "marts.duckdb").exists()


def test_published_path_cannot_be_the_warehouse(tmp_path) -> None:
    path = str(tmp_path / "w.duckdb")
    assert_one_line_failure(luckin("publish", env={"LUCKIN_DUCKDB_PATH": path, "LUCKIN_PUBLISHED_PATH": path}), 2,
                            "published_path", "LUCKIN_PUBLISHED_PATH")


def test_a_copy_left_by_a_killed_publish_is_cleared(working) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = working.root / f".publishing-{dead.stdout.strip()}-marts.duckdb"
    leftover.write_bytes(b"half a copy")
    publish(working.settings)
    assert not leftover.exists() and working.settings.published.path.exists()
