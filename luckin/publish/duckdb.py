"""Publish on DuckDB: the working marts copied into a new file that atomically replaces the published one.

    working_build(warehouse) -> Build
    publish_duckdb(working, published_path, build, gates) -> Publication
    read_publication(path) -> Publication | None

The copy is written to a temporary file beside the published one (same folder, so the rename
stays on one file system): `ATTACH` the working warehouse read-only, recreate every base table
of its `marts` schema with its DDL (types, NOT NULL and CHECK constraints of the contracts),
rows and comments, add `marts._luckin_publication`, checkpoint and close; then fsync the file,
`os.replace` it over the published path and fsync the folder. A reader holding the old file
open keeps its inode and so its snapshot, and holds no lock on the new file: DuckDB's locks are
per open file, so readers of the published file never touch the working warehouse's lock, and
publish never needs theirs. Connections opened after the rename see the new file. Nothing from
raw, staging, intermediate, snapshots or seeds is copied.
"""

from __future__ import annotations

import os
from pathlib import Path

from luckin.core.errors import PublishError, WarehouseError
from luckin.core.sessions import connect_duckdb, quote_ident, quote_literal
from luckin.core.settings import MARTS_SCHEMA, DuckDBWarehouse

from .record import (LATEST_BUILD_SQL, PUBLICATION_TABLE, Build, Publication, comment_sql, create_publication_sql,
                     latest_build, publication_from_row)

WORKING = "working"  # the alias the working warehouse is attached under while copying


def working_build(warehouse: DuckDBWarehouse) -> Build:
    """The newest build recorded in the working warehouse file."""
    con = connect_duckdb(warehouse, read_only=True)
    try:
        rows = _rows_or_empty(con, LATEST_BUILD_SQL)
    finally:
        con.close()
    return latest_build(rows, warehouse.describe())


def _rows_or_empty(con, sql: str) -> list[tuple]:
    import duckdb

    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException:  # no build recorded yet (built before the hook, or never)
        return []


def publish_duckdb(working: DuckDBWarehouse, published: Path, build: Build, gates) -> Publication:
    """Copy the working marts of `build` into a new file and make it the published one.

    `gates` is the ValidationResult that passed on those marts. Raises PublishError when another
    build finished meanwhile (the copy is not of the marts that were validated) and
    WarehouseLocked when a build or extract holds the working file now; either way the
    published file is left as it was."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    # Not named marts.*: the catalog of a DuckDB file is named after it, and a catalog called
    # `marts` would make `marts.<table>` ambiguous inside the copy.
    staging_file = published.with_name(f".publishing-{os.getpid()}-{published.name}")
    _remove_abandoned(published)
    _remove(staging_file)
    try:
        con = connect_duckdb(DuckDBWarehouse(staging_file, memory_limit=working.memory_limit))
        try:
            publication = _copy(con, working, build, gates)
            con.execute("checkpoint")
        finally:
            con.close()
        if Path(f"{staging_file}.wal").exists():
            raise PublishError(f"{staging_file}: DuckDB left a write-ahead log after closing; nothing published")
        _fsync_file(staging_file)
        os.replace(staging_file, published)
        _fsync_dir(published.parent)
    finally:
        _remove(staging_file)
    return publication


def _copy(con, working: DuckDBWarehouse, build: Build, gates) -> Publication:
    import duckdb

    from .record import now_utc

    try:
        con.execute(f"attach {quote_literal(str(working.path))} as {WORKING} (read_only)")
    except duckdb.IOException as exc:  # the working file's lock: a build or extract is writing it
        if "lock" in str(exc).lower():
            from luckin.core.errors import WarehouseLocked

            raise WarehouseLocked(f"DuckDB warehouse {working.path} is being written by another process; nothing published",
                                  hint="publish after the build or extract finishes") from None
        raise WarehouseError(f"DuckDB warehouse {working.path}: {exc}") from None
    rows = _rows_or_empty(con, LATEST_BUILD_SQL.replace("from luckin_builds", f"from {WORKING}.luckin_builds"))
    now = latest_build(rows, working.describe())
    if now.build_id != build.build_id:
        raise PublishError(f"another build ({now.build_id}) finished on {working.describe()} after the gates ran on "
                           f"{build.build_id}; nothing published", hint="run `luckin publish` again")
    tables = con.execute(
        "select table_name, sql, comment from duckdb_tables() where database_name = ? and schema_name = ? "
        "and not temporary order by table_name", [WORKING, MARTS_SCHEMA]).fetchall()
    if not tables:
        raise PublishError(f"{working.describe()} has no tables in schema {MARTS_SCHEMA}", hint="run `luckin build` first")
    columns = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? "
        "and comment is not null and comment <> ''", [WORKING, MARTS_SCHEMA]).fetchall()
    schema = quote_ident(MARTS_SCHEMA)
    con.execute(f"create schema {schema}")
    for name, ddl, comment in tables:
        target = f"{schema}.{quote_ident(name)}"
        con.execute(ddl)  # `CREATE TABLE marts.<name>(...)`: lands in this file, the default catalog
        con.execute(f"insert into {target} select * from {WORKING}.{schema}.{quote_ident(name)}")
        if comment:
            con.execute(f"comment on table {target} is {quote_literal(comment)}")
    for table, column, comment in columns:
        con.execute(f"comment on column {schema}.{quote_ident(table)}.{quote_ident(column)} is {quote_literal(comment)}")
    con.execute(f"detach {WORKING}")
    publication = Publication(
        build_id=build.build_id, built_at=build.finished_at, data_as_of=build.data_as_of, published_at=now_utc(),
        gates_passed=sum(1 for o in gates.results if o.success), gates_evaluated=len(gates.results),
        gate_warnings=len(gates.warnings), tables_published=len(tables))
    con.execute(create_publication_sql(schema))
    con.execute(f"insert into {schema}.{PUBLICATION_TABLE} values ({', '.join('?' for _ in publication.values())})",
                list(publication.values()))
    for statement, text in comment_sql(schema):
        con.execute(statement + quote_literal(text))
    return publication


def read_publication(path: Path) -> Publication | None:
    """What the published file holds, or None when nothing is published there."""
    if not Path(path).exists():
        return None
    con = connect_duckdb(DuckDBWarehouse(Path(path)), read_only=True)
    try:
        # fully qualified: the file's catalog may be named like its schema (marts.duckdb)
        catalog = con.execute("select current_database()").fetchone()[0]
        rows = _rows_or_empty(con, f"select * from {quote_ident(catalog)}.{MARTS_SCHEMA}.{PUBLICATION_TABLE}")
    finally:
        con.close()
    return publication_from_row(rows[0]) if rows else None


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable (the directory entry), where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_abandoned(published: Path) -> None:
    """Copies a killed publish left beside the published file (their process is gone)."""
    for leftover in published.parent.glob(f".publishing-*-{published.name}"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(leftover)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
