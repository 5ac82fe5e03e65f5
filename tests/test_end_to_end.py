"""The whole chain through the real `luckin` command, on the real MariaDB, Redis, Postgres and DuckDB.

- Postgres configured only in a `.dlt/secrets.toml`: extract (verified by key), build, validate,
  publish, report with the seed check, docs and the BI role all reach that database; then a
  damaged mart makes `luckin validate` and `luckin publish` fail, naming the expectation.
- DuckDB: `luckin demo` over a warehouse where an estate of another scale and seed was extracted
  and built: the second
  warehouse is correct (dbt's relationship tests pass, `--verify` reconciles every table).
"""

from __future__ import annotations

import os

import pytest

from luckin.core.settings import PostgresWarehouse
from luckin.core.sessions import pg_admin
from tests.conftest import TEST_REDIS_URL, TEST_SCALE, TEST_SEED
from tests.report.warehouses import pg_query
from tests.test_cli import luckin

pytestmark = pytest.mark.slow
DATABASE = f"luckin_e2e_{os.getpid()}"
SERVER = PostgresWarehouse(database="postgres")


@pytest.fixture(scope="module")
def secrets_only(tmp_path_factory, small_estate):
    """Settings in a .dlt folder of their own; the Postgres database is named nowhere else."""
    folder = tmp_path_factory.mktemp("settings") / ".dlt"
    folder.mkdir()
    (folder / "config.toml").write_text(
        '[sources.mysql_estate]\nmode = "mysql"\n'
        '[sources.mysql_estate.credentials]\nhost = "127.0.0.1"\nport = 3306\nusername = "root"\n'
        f'[sources.redis_estate]\nmode = "server"\nurl = "{TEST_REDIS_URL}"\n')
    (folder / "secrets.toml").write_text(
        f'[destination.postgres.credentials]\nhost = "127.0.0.1"\nport = 5432\nusername = "postgres"\n'
        f'password = ""\ndatabase = "{DATABASE}"\n')
    work = folder.parent
    pg_admin(SERVER, f'drop database if exists "{DATABASE}" with (force)')
    # SIMULATOR__REDIS__URL: where `report --check` finds the simulated estate's scale
    yield {"LUCKIN_CONFIG_DIR": str(folder), "LUCKIN_QUALITY_DIR": str(work / "quality"),
           "SIMULATOR__REDIS__URL": TEST_REDIS_URL,
           "LUCKIN_PIPELINES_DIR": str(work / "pipelines"), "LUCKIN_TARGET": "postgres"}, work
    pg_admin(SERVER, f'drop database if exists "{DATABASE}" with (force)', "drop role if exists luckin_bi_e2e")


def _pg(sql: str, **connect):
    return pg_query(DATABASE, sql, **connect)


def _ok(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_postgres_from_secrets_through_every_command(secrets_only):
    env, work = secrets_only
    _ok(luckin("extract", "--verify", "--no-progress", env=env, timeout=900))
    landed = _pg("select count(*) from information_schema.tables where table_schema like 'luckyus_%'")[0][0]
    assert landed > 100
    _ok(luckin("build", env=env, timeout=900))
    assert _pg("select count(*) from marts.fct_orders")[0][0] > 0
    validated = _ok(luckin("validate", env=env))
    assert (work / "quality" / "postgres" / "latest.json").exists()
    published = _ok(luckin("publish", env=env, timeout=900))
    # nothing but the command's own lines: no library's warning (pyspark's, for one) reaches a user
    assert "Warning" not in validated.stderr + published.stderr, validated.stderr + published.stderr
    report = _ok(luckin("report", "--check", "--out", str(work / "reports"), env=env, timeout=900))
    assert (work / "reports" / "index.html").exists(), report.stderr[-2000:]
    _ok(luckin("docs", env=env, timeout=900))
    _ok(luckin("bi-role", "--role", "luckin_bi_e2e", env={**env, "LUCKIN_BI_PASSWORD": "e2e-pass"}))
    assert _pg("select count(*) from published.dim_stores", user="luckin_bi_e2e", password="e2e-pass")[0][0] > 0

    # a damaged mart: the gate fails and names what it checks
    _pg("update marts.fct_store_daily_revenue set revenue_usd = revenue_usd + 1000 "
        "where store_id = (select min(store_id) from marts.fct_store_daily_revenue)")
    failed = luckin("validate", env=env)
    assert failed.returncode == 1
    error = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "critical data-quality checks failed" in error[0], failed.stderr[-2000:]
    assert "revenue" in failed.stderr
    refused = luckin("publish", env=env)
    assert refused.returncode == 1 and "not published" in refused.stderr, refused.stderr[-2000:]


def test_demo_over_a_warehouse_of_another_estate(tmp_path):
    """The issue's report: a demo with another scale and seed over an earlier one left orphans."""
    env = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), "LUCKIN_QUALITY_DIR": str(tmp_path / "q"),
           "LUCKIN_PIPELINES_DIR": str(tmp_path / "pipelines"), "SIMULATOR__REDIS__URL": TEST_REDIS_URL,
           "SOURCES__REDIS_ESTATE__URL": TEST_REDIS_URL, "SOURCES__MYSQL_ESTATE__MODE": "mysql"}
    out = tmp_path / "reports"
    # The earlier estate only has to reach the warehouse (its gates and reports change nothing
    # of what the second run finds), so it stops after the build. Its append-only tables hold the
    # same ids as the second estate's, with other rows: the extract must see the reload.
    for step in (("simulate", "--scale", "0.01", "--seed", "3"), ("extract", "--no-progress"), ("build",)):
        _ok(luckin(*step, env=env, timeout=1500))
    # the second estate is the suite's standard one, so later tests find it in place
    # exit 0: every dbt test (relationships included), every critical gate and the seed check passed
    _ok(luckin("demo", "--scale", str(TEST_SCALE), "--seed", str(TEST_SEED), "--out", str(out),
               env=env, timeout=1500))
    _ok(luckin("extract", "--verify-only", env=env))
