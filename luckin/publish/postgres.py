"""Publish on Postgres: the working `marts` copied into a fresh schema, swapped in as `published`.

    working_build(warehouse) -> Build
    publish_postgres(warehouse, build, gates, lock_wait=120) -> Publication
    read_publication(warehouse) -> Publication | None

1. Copy, in one REPEATABLE READ transaction that first locks every mart table (ACCESS SHARE,
   before its snapshot is taken, so a build cannot swap a table under it): each base table of
   `marts` is recreated in `published_new_<id>` with `LIKE ... INCLUDING ALL` (types,
   constraints, defaults, indexes, column comments) plus its table comment, and filled; the
   build id is checked inside the same snapshot; `_luckin_publication` is added.
2. Swap, in one transaction: ACCESS EXCLUSIVE on every table of the current `published`
   (NOWAIT, retried until `lock_wait` seconds: a swap never queues in front of readers, and
   waits for every transaction that has read the old version to end), rename `published`
   away, rename the new schema to `published`, grant its readers (every role with USAGE on
   the old schema, e.g. the BI role of `luckin bi-role`) USAGE and SELECT on the new one,
   drop the old. A reader whose transaction has read the published marts sees the old version
   to its end; one that starts after the swap sees the new one.

Locks are per table, so a repeatable-read reader sees all-old or all-new once it has read a
published table; a transaction that took its snapshot on something else and reads the
published schema only after a swap sees the new tables empty (their rows are newer than its
snapshot). Failures drop the new schema and leave `published` as it was.
"""

from __future__ import annotations

import time
import uuid

from luckin.core.errors import PublishError
from luckin.core.sessions import connect_postgres
from luckin.core.settings import MARTS_SCHEMA, PUBLISHED_SCHEMA, PostgresWarehouse

from .record import (LATEST_BUILD_SQL, PUBLICATION_TABLE, Build, Publication, comment_sql, create_publication_sql,
                     latest_build, now_utc, publication_from_row)

STAGED_PREFIX = "published_new_"
PUBLISH_LOCK = 0x6C75636B696E  # pg_advisory_lock key: one publish at a time per database
RETIRED_PREFIX = "published_old_"


def working_build(warehouse: PostgresWarehouse) -> Build:
    con = connect_postgres(warehouse)
    try:
        with con.cursor() as cur:
            rows = _rows_if_exists(cur, "luckin_builds", "builds", LATEST_BUILD_SQL)
    finally:
        con.close()
    return latest_build(rows, f"{warehouse.describe()} (schema {MARTS_SCHEMA})")


def _rows_if_exists(cur, schema: str, table: str, sql: str) -> list[tuple]:
    cur.execute("select to_regclass(%s) is not null", (f"{schema}.{table}",))
    if not cur.fetchone()[0]:
        return []
    cur.execute(sql)
    return cur.fetchall()


def _tables(cur, schema: str) -> list[str]:
    cur.execute("select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
                "where n.nspname = %s and c.relkind in ('r', 'p') and not c.relispartition order by 1", (schema,))
    return [r[0] for r in cur.fetchall()]


def publish_postgres(warehouse: PostgresWarehouse, build: Build, gates, lock_wait: float = 120.0) -> Publication:
    """Copy the working marts of `build` into a new schema and swap it in as PUBLISHED_SCHEMA."""
    from psycopg2 import sql

    staged = f"{STAGED_PREFIX}{uuid.uuid4().hex[:8]}"
    con = connect_postgres(warehouse, autocommit=True)
    try:
        with con.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (PUBLISH_LOCK,))
            if not cur.fetchone()[0]:
                raise PublishError(f"another `luckin publish` is running on {warehouse.describe()}",
                                   hint="wait for it to finish")
            _drop_leftovers(cur)
            tables = _tables(cur, MARTS_SCHEMA)
        if not tables:
            raise PublishError(f"{warehouse.describe()} has no tables in schema {MARTS_SCHEMA}",
                               hint="run `luckin build` first")
        try:
            publication = _copy(con, staged, tables, build, gates)
            _swap(con, staged, lock_wait)
        except BaseException:
            con.rollback()
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(staged)))
            raise
    finally:
        con.close()
    return publication


def _drop_leftovers(cur) -> None:
    """Schemas a publish that was killed half-way left behind (never the live one; publishes
    are serialised by PUBLISH_LOCK, so none of them is in use by another publish)."""
    from psycopg2 import sql

    cur.execute("select nspname from pg_namespace where nspname like %s or nspname like %s",
                (STAGED_PREFIX.replace("_", "\\_") + "%", RETIRED_PREFIX.replace("_", "\\_") + "%"))
    for (name,) in cur.fetchall():
        cur.execute("set lock_timeout = '2s'")
        try:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))
        except Exception:  # noqa: BLE001 - in use by a long reader: the next publish tries again
            pass
        finally:
            cur.execute("reset lock_timeout")


def _copy(con, staged: str, tables: list[str], build: Build, gates) -> Publication:
    from psycopg2 import sql

    con.autocommit = False
    con.set_session(isolation_level="REPEATABLE READ")
    marts, new = sql.Identifier(MARTS_SCHEMA), sql.Identifier(staged)
    with con.cursor() as cur:
        # Locks before the snapshot (LOCK takes none): a build cannot replace a mart under the copy.
        cur.execute(sql.SQL("lock table {} in access share mode").format(
            sql.SQL(", ").join(sql.SQL("{}.{}").format(marts, sql.Identifier(t)) for t in tables)))
        now = latest_build(_rows_if_exists(cur, "luckin_builds", "builds", LATEST_BUILD_SQL), MARTS_SCHEMA)
        if now.build_id != build.build_id:
            raise PublishError(f"another build ({now.build_id}) finished after the gates ran on {build.build_id}; "
                               "nothing published", hint="run `luckin publish` again")
        cur.execute(sql.SQL("create schema {}").format(new))
        for table in tables:
            name = sql.Identifier(table)
            cur.execute(sql.SQL("create table {}.{} (like {}.{} including all)").format(new, name, marts, name))
            cur.execute(sql.SQL("insert into {}.{} select * from {}.{}").format(new, name, marts, name))
            cur.execute("select obj_description(%s::regclass, 'pg_class')", (f'{MARTS_SCHEMA}."{table}"',))
            comment = cur.fetchone()[0]
            if comment:
                cur.execute(sql.SQL("comment on table {}.{} is %s").format(new, name), (comment,))
        publication = Publication(
            build_id=build.build_id, built_at=build.finished_at, data_as_of=build.data_as_of, published_at=now_utc(),
            gates_passed=sum(1 for o in gates.results if o.success), gates_evaluated=len(gates.results),
            gate_warnings=len(gates.warnings), tables_published=len(tables))
        schema = f'"{staged}"'
        cur.execute(create_publication_sql(schema))
        cur.execute(f"insert into {schema}.{PUBLICATION_TABLE} values ({', '.join(['%s'] * len(publication.values()))})",
                    publication.values())
        for statement, text in comment_sql(schema):
            cur.execute(statement + "%s", (text,))
    con.commit()
    con.set_session(isolation_level="READ COMMITTED")
    return publication


def _swap(con, staged: str, lock_wait: float) -> None:
    """Rename the new schema to PUBLISHED_SCHEMA in one transaction; see the module docstring."""
    from psycopg2 import errors, sql

    deadline = time.monotonic() + lock_wait
    retired = f"{RETIRED_PREFIX}{uuid.uuid4().hex[:8]}"
    pub = sql.Identifier(PUBLISHED_SCHEMA)
    con.autocommit = False
    while True:
        try:
            with con.cursor() as cur:
                cur.execute("select 1 from pg_namespace where nspname = %s", (PUBLISHED_SCHEMA,))
                exists = cur.fetchone() is not None
                readers: list[str] = []
                if exists:
                    old = _tables(cur, PUBLISHED_SCHEMA)
                    if old:
                        cur.execute(sql.SQL("lock table {} in access exclusive mode nowait").format(
                            sql.SQL(", ").join(sql.SQL("{}.{}").format(pub, sql.Identifier(t)) for t in old)))
                    readers = _readers(cur)
                    cur.execute(sql.SQL("alter schema {} rename to {}").format(pub, sql.Identifier(retired)))
                cur.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(staged), pub))
                for role in readers:
                    ident = sql.Identifier(role)
                    cur.execute(sql.SQL("grant usage on schema {} to {}").format(pub, ident))
                    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(pub, ident))
                if exists:
                    cur.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(retired)))
            con.commit()
            return
        except errors.LockNotAvailable:
            con.rollback()
            if time.monotonic() > deadline:
                raise PublishError(f"readers kept schema {PUBLISHED_SCHEMA} busy for {lock_wait:.0f} s; nothing published",
                                   hint="end the long transactions on it (pg_stat_activity) and publish again") from None
            time.sleep(0.2)


def _readers(cur) -> list[str]:
    """Roles (not the owner, not PUBLIC) with USAGE on the current published schema: its readers."""
    cur.execute("select distinct r.rolname from pg_namespace as n cross join lateral aclexplode(n.nspacl) as a "
                "join pg_roles as r on r.oid = a.grantee "
                "where n.nspname = %s and a.privilege_type = 'USAGE' and a.grantee <> n.nspowner order by 1",
                (PUBLISHED_SCHEMA,))
    return [r[0] for r in cur.fetchall()]


def read_publication(warehouse: PostgresWarehouse) -> Publication | None:
    con = connect_postgres(warehouse)
    try:
        with con.cursor() as cur:
            rows = _rows_if_exists(cur, PUBLISHED_SCHEMA, PUBLICATION_TABLE,
                                   f"select * from {PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}")
    finally:
        con.close()
    return publication_from_row(rows[0]) if rows else None
