"""A small, hand-shaped landed warehouse for developing and testing the dbt layer.

It writes the synthetic estate (`synthetic.py`: a few hundred deterministic rows) by the
raw-table contract (`luckin.core.contract`: every column typed by `landing_type`, the loader's
own `_dlt_load_id`/`_dlt_id`/`_luckin_deleted_at`, the `redis_snapshots` schema and the
`luckin_audit.load_audit` columns), with the estate's tables and columns (the simulator's
estate YAML).

    python tests/dbt/landing.py data/dev.duckdb          # DuckDB file
    python tests/dbt/landing.py --postgres luckin_dev    # a Postgres database (dropped first)
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from luckin.core.catalog import load_catalog
from luckin.core.contract import (AUDIT_COLUMNS, AUDIT_DATASET, AUDIT_TABLE, DELETED_AT, DLT_ID, LOAD_ID,
                                  LOADER_COLUMNS, REDIS_DATASET, SourceColumn, SourceTable, dlt_columns)
from luckin.simulator.spec import Table, load_estate

from pipelines.redis_estate.parsers import TABLES as REDIS_TABLES
from pipelines.redis_estate.parsers import dlt_hints as redis_hints
from synthetic import AS_OF, FULL_LOAD_ID, LOADED_AT, UTC, as_of, generate, load_id_at  # noqa: F401,E402


def landed_sql_type(hint: dict, postgres: bool) -> str:
    """The warehouse column dlt makes for a column hint of the contract."""
    kind = hint["data_type"]
    if kind == "bigint":
        return {16: "smallint", 32: "integer"}.get(hint.get("precision"), "bigint")
    if kind == "decimal":
        return f"decimal({hint['precision']},{hint['scale']})"
    return {"bool": "boolean", "text": "varchar", "double": "double precision", "date": "date",
            "timestamp": "timestamp with time zone", "json": "jsonb" if postgres else "json",
            "binary": "bytea" if postgres else "blob"}[kind]


# The loader's own columns (contract.LOADER_COLUMNS), as dlt hints.
LOADER_HINTS = {LOAD_ID: {"data_type": "text"}, DLT_ID: {"data_type": "text"},
                DELETED_AT: {"data_type": "timestamp", "timezone": True}}
assert set(LOADER_HINTS) == set(LOADER_COLUMNS), "a loader column of the contract has no type here"


def source_table(table: Table) -> SourceTable:
    """A table of the estate YAML as the extract sees it in the source's information_schema."""
    columns = []
    for c in table.columns:
        args = c.type_args
        decimal_type = c.base_type in ("DECIMAL", "NUMERIC")
        columns.append(SourceColumn(
            name=c.name, data_type=c.base_type.lower(), column_type=c.sql_type.lower(), nullable=c.nullable,
            precision=args[0] if decimal_type and args else None,
            scale=args[1] if decimal_type and len(args) > 1 else None, is_json=c.base_type == "JSON"))
    return SourceTable(table.schema, table.name, tuple(columns), table.primary_key)


def _audit_rows(data: dict, estate: dict, load_id: str, first: bool, started_at: datetime) -> list[dict]:
    catalog = load_catalog()
    rows = []
    for schema in estate.values():
        for table in schema.tables.values():
            n = len(data.get(schema.name, {}).get(table.name, []))
            strategy = catalog.table(schema.name, table.name).strategy
            rows.append({"run_id": f"run-{load_id}", "source_schema": schema.name, "source_table": table.name,
                         "rows_in_source": n, "rows_extracted": n, "rows_in_warehouse": n,
                         "zero_dates_nulled": 10 if table.name == "t_user" else 0, "strategy": strategy,
                         "status": "loaded", "started_at": started_at, "duration_seconds": 0.5,
                         "disposition": "replace" if first else strategy, "load_id": load_id})
    return rows


def _tables(estate: dict, postgres: bool):
    """(schema, table, {column: warehouse type}) for every landed table, by the contract."""
    catalog = load_catalog()
    for schema in estate.values():
        for table in schema.tables.values():
            entry = catalog.table(schema.name, table.name)
            hints = dlt_columns(source_table(table), entry.unsigned_as_decimal)
            hints.update(LOADER_HINTS)
            yield schema.name, table.name, {name: landed_sql_type(hint, postgres) for name, hint in hints.items()}
    for name in REDIS_TABLES:  # the snapshot tables as the Redis pipeline types them
        hints = {**redis_hints(name), LOAD_ID: LOADER_HINTS[LOAD_ID], DLT_ID: LOADER_HINTS[DLT_ID]}
        yield REDIS_DATASET, name, {c: landed_sql_type(hint, postgres) for c, hint in hints.items()}
    # the audit as dlt lands it: its rows carry the load that wrote them, as every landed row does
    hints = {**AUDIT_COLUMNS, LOAD_ID: LOADER_HINTS[LOAD_ID], DLT_ID: LOADER_HINTS[DLT_ID]}
    yield AUDIT_DATASET, AUDIT_TABLE, {name: landed_sql_type(hint, postgres) for name, hint in hints.items()}


def _rows_for(data, earlier, schema, table, cols, load_id: str, earlier_load_id: str | None):
    """The landed rows: a row the earlier landing held unchanged keeps that load's id (as dlt's
    merge leaves it); new and changed rows carry this load's id."""
    rows = data.get(schema, {}).get(table, [])
    unchanged = {repr(sorted(r.items())) for r in (earlier or {}).get(schema, {}).get(table, [])}
    out = []
    for n, r in enumerate(rows):
        rec = {c: r.get(c) for c in cols}
        if DLT_ID in cols:
            rec[LOAD_ID] = earlier_load_id if repr(sorted(r.items())) in unchanged else load_id
            rec[DLT_ID] = f"{schema}.{table}.{n}"
        out.append(rec)
    return out


def _landing(estate: dict, cutoff: datetime | None, since: datetime | None):
    """The data as of `cutoff` (default: all of it), its load id, and the data of an earlier
    landing at `since` whose unchanged rows keep their load id."""
    data = generate() if cutoff is None else as_of(generate(), cutoff)
    load_id = FULL_LOAD_ID if cutoff is None else load_id_at(cutoff)
    earlier = as_of(generate(), since) if since is not None else None
    data[AUDIT_DATASET] = {AUDIT_TABLE: _audit_rows(data, estate, load_id, since is None, cutoff or LOADED_AT)}
    return data, load_id, earlier, load_id_at(since) if since is not None else None


def _each_table(estate_dir: Path | None, cutoff: datetime | None, since: datetime | None, postgres: bool):
    estate = load_estate(estate_dir) if estate_dir else load_estate()
    data, load_id, earlier, earlier_load_id = _landing(estate, cutoff, since)
    for schema, table, cols in _tables(estate, postgres):
        yield schema, table, cols, _rows_for(data, earlier, schema, table, cols, load_id, earlier_load_id)


def build_duckdb(path: str | Path, estate_dir: Path | None = None, cutoff: datetime | None = None,
                 since: datetime | None = None) -> None:
    """Land the synthetic estate (as of `cutoff`, default: all of it) in a DuckDB file, replacing
    its tables; with `since`, as the extract after an earlier one at `since` would (rows that
    did not change keep that load's id)."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("set timezone = 'UTC'")
        for schema, table, cols, rows in _each_table(estate_dir, cutoff, since, postgres=False):
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'drop table if exists "{schema}"."{table}"')
            ddl = ", ".join(f'"{c}" {t}' for c, t in cols.items())
            con.execute(f'create table "{schema}"."{table}" ({ddl})')
            if rows:
                placeholders = ", ".join("?" for _ in cols)
                con.executemany(f'insert into "{schema}"."{table}" values ({placeholders})',
                                [list(r.values()) for r in rows])
    finally:
        con.close()


def build_postgres(dsn: str, estate_dir: Path | None = None, cutoff: datetime | None = None,
                   since: datetime | None = None) -> None:
    """`build_duckdb` for a Postgres database."""
    import psycopg2
    from psycopg2.extras import execute_values

    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cur:
            cur.execute("set time zone 'UTC'")
            for schema, table, cols, rows in _each_table(estate_dir, cutoff, since, postgres=True):
                cur.execute(f'create schema if not exists "{schema}"')
                cur.execute(f'drop table if exists "{schema}"."{table}" cascade')
                ddl = ", ".join(f'"{c}" {t}' for c, t in cols.items())
                cur.execute(f'create table "{schema}"."{table}" ({ddl})')
                if rows:
                    execute_values(cur, f'insert into "{schema}"."{table}" values %s',
                                   [list(r.values()) for r in rows], page_size=1000)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="DuckDB file path, or a Postgres DSN with --postgres")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--estate-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.postgres:
        build_postgres(args.target, args.estate_dir)
    else:
        build_duckdb(args.target, args.estate_dir)


if __name__ == "__main__":
    main()
