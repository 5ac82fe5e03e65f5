"""`luckin build` jobs: which one runs, and what the incremental job selects.

The incremental job (selectors.yml: incremental_refresh) skips views, seeds and unit tests
whose code did not change since the warehouse's last complete build; these tests pin that a
warehouse without a complete build gets every node, that changed code is rebuilt with what
reads it, and that a warehouse missing a relation is not trusted to the incremental job.
"""

from __future__ import annotations

import json

import duckdb
import pytest

import landing
from dbt_harness import new_duckdb_warehouse
from luckin.warehouse import build_state_dir, incremental_ready


def test_jobs_follow_the_warehouse_and_the_code(tmp_path, monkeypatch) -> None:
    wh = new_duckdb_warehouse(tmp_path, "jobs")
    landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"])
    for key, value in wh.env.items():
        monkeypatch.setenv(key, value)

    assert not incremental_ready("duckdb", wh.target_path)
    assert "all job" in wh.build("auto").stdout
    assert incremental_ready("duckdb", wh.target_path)

    # A staging view whose code differs from the recorded build is rebuilt, with the models
    # that read it and its unit tests; untouched views are not.
    state = build_state_dir("duckdb", wh.target_path) / "manifest.json"
    manifest = json.loads(state.read_text())
    manifest["nodes"]["model.luckin.stg_sales_order__orders"]["raw_code"] += "\n-- an older version"
    state.write_text(json.dumps(manifest))
    assert "incremental job" in wh.build("auto").stdout
    ran = {r["unique_id"] for r in wh.results()}
    assert "model.luckin.stg_sales_order__orders" in ran
    assert "model.luckin.int_orders_sequenced_per_customer" in ran
    assert any(u.startswith("unit_test.luckin.stg_sales_order__orders.") for u in ran)
    assert "model.luckin.stg_sales_user__users" not in ran
    assert not [u for u in ran if u.startswith("seed.")]

    # A warehouse that lost a relation the recorded build made gets every node again.
    con = duckdb.connect(wh.env["LUCKIN_DUCKDB_PATH"])
    con.execute("drop view staging.stg_sales_user__users")
    con.close()
    assert not incremental_ready("duckdb", wh.target_path)
    refused = wh.build("incremental", check=False)
    assert refused.returncode == 2 and "no complete build" in refused.stderr


def test_unknown_job_is_refused() -> None:
    from luckin.warehouse import run_dbt_build

    with pytest.raises(ValueError, match="unknown build job 'nightly'"):
        run_dbt_build(job="nightly")
