"""Every dbt data test on the marts shown failing, on DuckDB and on Postgres.

The damage is derived from each test's own definition in dbt's manifest (table-driven: a test
added to the YAML gets its damage without a line here): `unique` and unique combinations get a
duplicated row, `accepted_values` an unknown code, `relationships` a key with no parent,
`relationships_within_rate` orphans above its rate, `sums_match` a total off by one, the
singular order-lines test a line off by a cent. All are applied to a copy of the session's
warehouse (the contracts dropped, so the database does not refuse them first), then `dbt test`
runs the marts' tests once on the copy and every one of them must fail.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess

import duckdb
import psycopg2
import pytest

from luckin.core import PROJECT_DIR
from luckin.core.settings import load_settings
from luckin.transform import dbt_command, dbt_environment
from tests.report.warehouses import clone_postgres

KINDS = {"unique", "unique_combination_of_columns", "accepted_values", "relationships", "relationships_within_rate",
         "sums_match"}
SINGULAR = {"assert_order_lines_sum_to_order_totals":
            "update marts.fct_order_items set paid_amount_usd = paid_amount_usd + 0.01 where order_item_id = "
            "(select max(order_item_id) from marts.fct_order_items where has_order)"}


def _mart_tests(manifest: dict) -> list[dict]:
    """The data tests attached to mart models (generic ones with their kwargs, and singular ones)."""
    nodes = manifest["nodes"]
    out = []
    for node in nodes.values():
        if node["resource_type"] != "test":
            continue
        models = [d for d in node["depends_on"]["nodes"] if d.startswith("model.")]
        attached = node.get("attached_node") or (models[0] if models else None)
        if attached and nodes[attached]["original_file_path"].startswith("models/marts/"):
            out.append(node)
    return out


def _damage(test: dict, column_types, count) -> str:
    """One statement that must make `test` fail."""
    meta = test.get("test_metadata")
    if meta is None:
        return SINGULAR[test["name"]]
    kind, kw = meta["name"], meta["kwargs"]
    model = test["attached_node"].split(".")[-1]
    rel = f"marts.{model}"
    col = kw.get("column_name")
    if kind == "unique":
        return f"insert into {rel} select * from {rel} where {col} = (select min({col}) from {rel})"
    if kind == "unique_combination_of_columns":
        cols = ", ".join(kw["combination_of_columns"])
        return f"insert into {rel} select * from {rel} where ({cols}) in (select {cols} from {rel} limit 1)"
    if kind == "accepted_values":
        return f"update {rel} set {col} = 'not_a_listed_value' where {col} = (select min({col}) from {rel})"
    if kind in ("relationships", "relationships_within_rate"):
        missing = "'no_such_key'" if "char" in column_types(model, col) or "text" in column_types(model, col) \
            else "-987654"
        rate = float(kw.get("max_rate", 0))
        n = max(1, math.ceil(2 * rate * count(rel, col)))  # twice the accepted rate of orphans
        return (f"update {rel} set {col} = {missing} where {col} in "
                f"(select {col} from {rel} where {col} is not null order by {col} limit {n})")
    if kind == "sums_match":
        return f"update {rel} set {col} = {col} + 1 where {col} = (select max({col}) from {rel})"
    raise AssertionError(f"no damage for a {kind} test ({test['name']}): add one to tests/quality/test_dbt_damage.py")


def _dbt(env: dict, target: str, target_path, *args: str) -> subprocess.CompletedProcess:
    warehouse = load_settings(target, env={**os.environ, **env}).warehouse
    cmd = dbt_command([*args, "--target-path", str(target_path)], warehouse)
    return subprocess.run(cmd, cwd=PROJECT_DIR, env={**dbt_environment(warehouse), **env}, capture_output=True,
                          text=True, check=False)


def _dbt_test(env: dict, target: str, target_path, names: list[str]) -> dict[str, str]:
    proc = _dbt(env, target, target_path, "test", "--select", *names)
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    assert results, proc.stdout[-3000:]
    return {r["unique_id"]: r["status"] for r in results}


@pytest.fixture(scope="module")
def mart_tests(landed) -> list[dict]:
    manifest = json.loads((landed.root / "dbt-target" / "manifest.json").read_text())
    tests = _mart_tests(manifest)
    kinds = {(t.get("test_metadata") or {}).get("name", "singular") for t in tests}
    assert kinds <= KINDS | {"singular"}, kinds - KINDS
    assert len(tests) >= 50 and {"relationships_within_rate", "sums_match", "singular"} <= kinds
    return tests


def _not_failed(statuses: dict[str, str], tests: list[dict]) -> dict[str, str]:
    return {t["name"]: statuses.get(t["unique_id"], "not run") for t in tests
            if statuses.get(t["unique_id"]) != "fail"}


def test_damaged_duckdb_fails_every_mart_test(landed, mart_tests, tmp_path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(landed.duckdb_path, copy)
    con = duckdb.connect(str(copy))
    try:
        for (table,) in con.execute("select table_name from information_schema.tables where table_schema = 'marts' "
                                    "and table_type = 'BASE TABLE'").fetchall():
            con.execute(f"create or replace table marts.{table} as select * from marts.{table}")

        def column_types(model, col):
            return con.execute("select lower(data_type) from information_schema.columns where table_schema = "
                               "'marts' and table_name = ? and column_name = ?", [model, col]).fetchone()[0]

        def count(rel, col):
            return con.execute(f"select count({col}) from {rel}").fetchone()[0]

        for test in mart_tests:
            con.execute(_damage(test, column_types, count))
    finally:
        con.close()
    statuses = _dbt_test({**landed.env, "LUCKIN_DUCKDB_PATH": str(copy)}, "duckdb", tmp_path / "dbt-target",
                         [t["name"] for t in mart_tests])
    assert _not_failed(statuses, mart_tests) == {}


def test_damaged_postgres_fails_every_mart_test(pg_marts, mart_tests, tmp_path) -> None:
    with clone_postgres(pg_marts, "luckin_t17_dbt_damage") as clone:
        con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=clone)
        con.autocommit = True
        with con.cursor() as cur:
            def column_types(model, col):
                cur.execute("select data_type from information_schema.columns where table_schema = 'marts' "
                            "and table_name = %s and column_name = %s", (model, col))
                return cur.fetchone()[0]

            def count(rel, col):
                cur.execute(f"select count({col}) from {rel}")
                return cur.fetchone()[0]

            for test in mart_tests:
                cur.execute(_damage(test, column_types, count))
        con.close()
        env = {**pg_marts.env, "LUCKIN_PG_DATABASE": clone}
        statuses = _dbt_test(env, "postgres", tmp_path / "dbt-target", [t["name"] for t in mart_tests])
    assert _not_failed(statuses, mart_tests) == {}
