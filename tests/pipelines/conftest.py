"""Fixtures for the extract tests: throwaway MariaDB databases, Redis db 14, DuckDB files in
tmp, a throwaway Postgres database. Everything created here is dropped here.

MariaDB databases are named `luckin_test_x<pid>_<schema>`: the extract reads them through its
`database_prefix` setting and lands them under the real schema names, so the tests never
touch the estate that `luckin simulate` writes (production names, Redis db 0/13).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg2
import pymysql
import pytest
import redis

from luckin.core.settings import load_settings
from luckin.simulator.spec import Schema, load_estate
from pipelines.extract import run_extract, verify_extract

PREFIX = f"luckin_test_x{os.getpid()}_"
# LUCKIN_TEST_REDIS_DB moves the tests to another logical db (a helper given one db only).
REDIS_DB = int(os.environ.get("LUCKIN_TEST_REDIS_DB") or 14)
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
PG_DATABASE = f"luckin_test_pg{os.getpid()}"


def extract(target: str = "duckdb", **kwargs):
    """`luckin extract` on the settings the environment gives (the test's fixtures set it)."""
    kwargs.setdefault("progress", False)
    return run_extract(load_settings(target), **kwargs)


def verify(target: str = "duckdb", schemas: list[str] | None = None) -> bool:
    """Whether source and warehouse hold the same keys."""
    return not verify_extract(load_settings(target), schemas=schemas)


def mysql(sql: str | list[str], database: str | None = None, params=None, user: str = "root",
          password: str = ""):
    conn = pymysql.connect(host="127.0.0.1", user=user, password=password, database=database,
                           charset="utf8mb4", autocommit=True)
    try:
        with conn.cursor() as cur:
            out = None
            for stmt in [sql] if isinstance(sql, str) else sql:
                cur.execute(stmt, params)
                out = cur.fetchall()
            return out
    finally:
        conn.close()


# --------------------------------------------------------------------------- generic rows
def _expr(table, col) -> str:
    """A deterministic SQL expression of `seq` (MariaDB's sequence engine) for one column."""
    b, name = col.base_type, col.name
    uniq = any(name in cols for cols in table.unique.values()) or name in table.primary_key
    if name in table.primary_key and len(table.primary_key) == 1 and b in ("INT", "BIGINT", "TINYINT", "SMALLINT"):
        return "seq"
    if col.is_flag:
        return "seq % 2"
    if b == "TINYINT":
        return "seq % 100" if uniq else "seq % 5"
    if b in ("SMALLINT", "INT", "BIGINT", "MEDIUMINT"):
        return "seq" if uniq else "seq % 997 + 1"
    if b == "DECIMAL":
        p, s = col.type_args
        return f"ROUND((seq % 9973) / 100, {s})" if p - s >= 3 else f"ROUND((seq % 10) / 100, {s})"
    if b in ("VARCHAR", "CHAR", "TEXT", "MEDIUMTEXT"):
        n = col.type_args[0] if col.type_args else 64
        return f"CONCAT('{name[:2]}', seq)" if uniq else f"LEFT(CONCAT('{name[:3]}', seq, ' café ☕😀'), {n})"
    if b == "DATETIME":
        if "0000-00-00" in col.definition:
            return "IF(seq % 10 = 0, '0000-00-00 00:00:00', '2025-06-30 12:00:00' + INTERVAL seq SECOND)"
        return "'2025-06-30 12:00:00' + INTERVAL seq SECOND" if not uniq else "'2025-06-30' + INTERVAL seq SECOND"
    if b == "DATE":
        return "'2025-06-30' + INTERVAL (seq % 230) DAY" if not uniq else "'2000-01-01' + INTERVAL seq DAY"
    if b == "JSON":
        return "JSON_OBJECT('k', seq, 'emoji', '☕')"
    raise ValueError(f"no generator for {b}")


def create_schema(schema: Schema, rows: dict[str, int] | int, prefix: str = PREFIX) -> str:
    """Create one estate schema as `<prefix><schema>` with generated rows; returns the database."""
    db = prefix + schema.name
    mysql([f"DROP DATABASE IF EXISTS `{db}`", f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4"])
    # legacy services ran without NO_ZERO_DATE: keep the zero dates
    stmts = ["SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'"]
    for t in schema.tables.values():
        stmts.append(t.mysql_ddl())
        n = rows.get(t.name, 0) if isinstance(rows, dict) else (0 if t.rows == 0 else rows)
        if n:
            cols = ", ".join(f"`{c.name}`" for c in t.columns)
            sel = ", ".join(_expr(t, c) for c in t.columns)
            stmts.append(f"INSERT INTO `{t.name}` ({cols}) SELECT {sel} FROM seq_1_to_{n}")
    mysql(stmts, database=db)
    return db


def drop_prefixed(prefix: str = PREFIX) -> None:
    for (name,) in mysql("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                         params=(prefix.replace("_", r"\_") + "%",)):
        mysql(f"DROP DATABASE `{name}`")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def estate_spec() -> dict[str, Schema]:
    return load_estate()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases():
    yield
    drop_prefixed(PREFIX)


@pytest.fixture()
def extract_env(tmp_path, monkeypatch):
    """Configure the extract for one test: prefixed MariaDB, Redis db 14, DuckDB file in tmp."""
    env = {
        "SOURCES__MYSQL_ESTATE__MODE": "mysql",
        "SOURCES__MYSQL_ESTATE__DATABASE_PREFIX": PREFIX,
        "SOURCES__MYSQL_ESTATE__CREDENTIALS__HOST": "127.0.0.1",
        "SOURCES__MYSQL_ESTATE__CREDENTIALS__PORT": "3306",
        "SOURCES__MYSQL_ESTATE__CREDENTIALS__USERNAME": "root",
        "SOURCES__REDIS_ESTATE__MODE": "server",
        "SOURCES__REDIS_ESTATE__URL": REDIS_URL,
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "warehouse.duckdb"),
        "LUCKIN_PIPELINES_DIR": str(tmp_path / "pipelines"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD", raising=False)
    return env


@pytest.fixture()
def duck(extract_env):
    """Query the test warehouse (opened read-only per call, after the run closed it)."""
    import duckdb

    def query(sql: str, params=None):
        con = duckdb.connect(extract_env["DESTINATION__DUCKDB__CREDENTIALS"], read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return query


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway Postgres database for the session (dropped after)."""
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
    yield PG_DATABASE
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    admin.close()


@pytest.fixture()
def pg_env(extract_env, pg_database, monkeypatch, tmp_path):
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS",
                       f"postgresql://postgres@127.0.0.1:5432/{pg_database}")
    return pg_database


def pg_query(database: str, sql: str):
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture()
def redis14():
    """Redis logical db 14, empty before and after the test."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture()
def clean_tmp(tmp_path):
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def project_dir() -> Path:
    return Path(__file__).resolve().parents[2]
