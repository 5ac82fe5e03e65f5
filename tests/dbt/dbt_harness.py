"""Helpers for the dbt layer tests: warehouses to build into and a way to run dbt against them.

Every warehouse here is private to the test session: a DuckDB file under pytest's tmp dir, or
a Postgres database created for the session and dropped at the end. dbt runs in a subprocess
(`python -m luckin dbt ...`, as the project starts every dbt process) with LUCKIN_DUCKDB_PATH /
LUCKIN_PG_DATABASE pointing at them and its own --target-path, so nothing touches
data/warehouse.duckdb or the project's target/. A build job runs `luckin.transform.run_build`
in a subprocess, on the settings those variables resolve to, as `luckin build` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import landing  # tests/dbt/landing.py (this folder is on sys.path under pytest)
from luckin.core.settings import load_settings
from luckin.transform import PROJECT_DIR, dbt_command

# What `luckin build --job <job>` does, in a fresh process.
BUILD_SCRIPT = """
import sys
from luckin.core.errors import LuckinError
from luckin.core.settings import load_settings
from luckin.transform import exit_after_dbt, run_build
settings = load_settings()
try:
    code = run_build(settings, sys.argv[1], sys.argv[2])
except LuckinError as error:
    print(error.one_line(), file=sys.stderr)
    raise SystemExit(error.exit_code)
exit_after_dbt(code, settings.warehouse)
raise SystemExit(code)
"""

MARTS = (
    "fct_orders", "fct_order_items", "fct_store_daily_revenue", "dim_customers", "fct_customer_cohorts",
    "fct_customer_order_totals",
    "dim_stores", "fct_store_weekly_performance", "dim_campaigns", "fct_coupons", "fct_campaign_performance",
    "dim_products", "dim_sku_prices", "fct_product_daily_sales", "dim_iot_devices", "fct_iot_device_snapshots",
    "fct_order_production", "fct_inventory_daily", "fct_tax_liability_estimate", "fct_source_tables",
    "fct_redis_instances",
)


@dataclass
class Warehouse:
    """A warehouse the tests own, and how to run dbt against it."""

    target: str  # duckdb | postgres
    env: dict[str, str]
    target_path: Path
    runs: list[dict] = field(default_factory=list)

    @property
    def settings(self):
        """The settings `luckin` resolves for this warehouse."""
        return load_settings(self.target, env={**os.environ, **self.env})

    @property
    def warehouse(self):
        return self.settings.warehouse

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(dbt_command([*args, "--target-path", str(self.target_path)], self.warehouse),
                         f"dbt {' '.join(args)}", check)

    def build(self, job: str, check: bool = True) -> subprocess.CompletedProcess:
        """`luckin build --job <job>`, as a user runs it (run_build in a process of its own)."""
        return self._run(self.build_command(job), f"luckin build --job {job}", check)

    def build_command(self, job: str) -> list[str]:
        """The command `build` runs (run with `process_env`, in PROJECT_DIR)."""
        return [sys.executable, "-u", "-c", BUILD_SCRIPT, job, str(self.target_path)]

    def process_env(self) -> dict[str, str]:
        """The environment of the processes the tests start against this warehouse."""
        return {**os.environ, **self.warehouse.dbt_env(), **self.env, "LUCKIN_TARGET": self.target}

    def _run(self, cmd: list[str], label: str, check: bool) -> subprocess.CompletedProcess:
        proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=self.process_env(),
                              capture_output=True, text=True, check=False)
        self.runs.append({"command": label, "returncode": proc.returncode})
        if check and proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-60:])
            raise AssertionError(f"{label} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")
        return proc

    def results(self) -> list[dict]:
        """run_results.json of the last dbt command."""
        return json.loads((self.target_path / "run_results.json").read_text())["results"]

    @contextlib.contextmanager
    def cursor(self):
        """A cursor on the warehouse, on a connection of its own (DuckDB: read-only)."""
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(self.env["LUCKIN_DUCKDB_PATH"], read_only=True)
        else:
            import psycopg2

            con = psycopg2.connect(self.dsn)
        try:
            cur = con.cursor()
            yield cur
        finally:
            con.close()

    def query(self, sql: str) -> list[tuple]:
        with self.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port=5432 user=postgres dbname={self.env['LUCKIN_PG_DATABASE']}"

    def mart_fingerprints(self, marts: tuple[str, ...] = MARTS) -> dict[str, tuple]:
        """Per mart: row count and an order-independent checksum of every column, as text.

        Timestamps are compared in UTC and numbers as the adapter prints them, so equal marts
        on the same adapter give equal fingerprints. One connection for all of them (opening
        the DuckDB file costs more than a small mart's checksum)."""
        with self.cursor() as cur:
            cur.execute("select table_name, column_name from information_schema.columns "
                        "where table_schema = 'marts' order by table_name, ordinal_position")
            columns: dict[str, list[str]] = {}
            for table, column in cur.fetchall():
                columns.setdefault(table, []).append(column)
            out = {}
            for model in marts:
                row_text = " || '|' || ".join(f"coalesce(cast({c} as varchar), '~')" for c in columns[model])
                if self.target == "duckdb":
                    agg = f"sum(hash({row_text}))"
                else:
                    agg = f"sum(('x' || substr(md5({row_text}), 1, 15))::bit(60)::bigint)"
                cur.execute(f"select count(*), {agg} from marts.{model}")
                out[model] = tuple(cur.fetchone())
            return out


def new_duckdb_warehouse(tmp: Path, name: str) -> Warehouse:
    path = tmp / f"{name}.duckdb"
    return Warehouse("duckdb", {"LUCKIN_DUCKDB_PATH": str(path), "LUCKIN_DBT_THREADS": "2"}, tmp / f"{name}-target")


def new_postgres_warehouse(tmp: Path, database: str) -> Warehouse:
    return Warehouse("postgres", {"LUCKIN_PG_DATABASE": database, "LUCKIN_DBT_THREADS": "2"}, tmp / "target")


SYNTHETIC_CUTOFF = landing.AS_OF - timedelta(days=3)
# `dbt build` of every node but the tests: seeds, views, snapshots and models in DAG order.
NODES_WITHOUT_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
