"""`luckin build` jobs: which one runs, and what the incremental job selects.

The incremental job skips views, seeds and unit tests whose code did not change since the
warehouse's last complete build (selectors.yml: incremental_refresh), and, when none did, what
no new load reaches (data_changed); these tests pin that a
warehouse without a complete build gets every node, that changed code is rebuilt with what
reads it, and that a warehouse missing a relation is not trusted to the incremental job.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

import landing
from dbt_harness import SYNTHETIC_CUTOFF, new_duckdb_warehouse, new_postgres_warehouse
from luckin.core.errors import ConfigError
from luckin.core.settings import load_settings
from luckin.transform.freshness import write_freshness
from luckin.transform.jobs import (BEFORE_ANY_LOAD, build_state_dir, code_fingerprint, complete_through,
                                   incremental_ready, run_build, seen_loads)


def test_jobs_follow_the_warehouse_and_the_code(tmp_path) -> None:
    wh = new_duckdb_warehouse(tmp_path, "jobs")
    landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"])

    assert not incremental_ready(wh.warehouse, wh.target_path)
    first = wh.build("auto")
    assert "all job" in first.stdout
    assert "\x1b[" not in first.stdout, "colour codes in piped output"
    assert incremental_ready(wh.warehouse, wh.target_path)

    # Unchanged code, nothing landed since: no dbt at all.
    assert "nothing to build" in wh.build("auto").stdout
    # Unchanged code, a load rewrote an order: the data_refresh selection (tables, incremental
    # models and their tests; no view, seed or unit test) of what reads the orders.
    con = duckdb.connect(wh.env["LUCKIN_DUCKDB_PATH"])
    try:
        con.execute("update luckyus_sales_order.t_order set _dlt_load_id = ? where id = 1",
                    [landing.load_id_at(landing.LOADED_AT + timedelta(hours=1))])
    finally:
        con.close()
    unchanged = wh.build("auto")
    assert "incremental job on duckdb, downstream of 1 source(s) with new loads (sales_order.t_order)" \
        in unchanged.stdout
    # The process ends without interpreter teardown, but after the exit handlers: DuckDB is
    # checkpointed (no write-ahead log left) and multiprocessing released its semaphores.
    assert not Path(wh.env["LUCKIN_DUCKDB_PATH"] + ".wal").exists()
    assert "leaked semaphore" not in unchanged.stderr
    ran = {r["unique_id"] for r in wh.results()}
    assert "model.luckin.fct_orders" in ran and "model.luckin.dim_customers" in ran
    assert any(u.startswith("test.luckin.unique_fct_orders_order_id") for u in ran)
    assert not [u for u in ran if u.startswith(("seed.", "unit_test.", "model.luckin.stg_"))]

    # A staging view whose code differs from the recorded build is rebuilt, with the models
    # that read it and its unit tests; untouched views are not. (The recorded build is made
    # to look older: its manifest holds other code, its digest is not today's.)
    state = build_state_dir(wh.warehouse, wh.target_path)
    manifest = json.loads((state / "manifest.json").read_text())
    manifest["nodes"]["model.luckin.stg_sales_order__orders"]["raw_code"] += "\n-- an older version"
    (state / "manifest.json").write_text(json.dumps(manifest))
    (state / "code-fingerprint").write_text("the digest of older code")
    assert "code changed since the last complete build" in wh.build("auto").stdout
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
    assert not incremental_ready(wh.warehouse, wh.target_path)
    refused = wh.build("incremental", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("no complete build of")


def test_code_fingerprint_follows_what_the_manifest_is_made_from() -> None:
    settings = load_settings(env={})
    duck, pg = settings.duckdb, settings.postgres
    env = {**duck.dbt_env(), "LUCKIN_DBT_THREADS": "4"}
    before = code_fingerprint(duck, env)
    assert code_fingerprint(duck, env) == before
    assert code_fingerprint(pg, {**env, **pg.dbt_env()}) != before
    assert code_fingerprint(duck, {**env, "LUCKIN_PIPELINES_DIR": "/elsewhere"}) == before  # not read by dbt
    assert code_fingerprint(duck, {**env, "LUCKIN_DBT_THREADS": "1"}) != before  # the profile reads it


def test_unknown_job_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown build job 'nightly'"):
        run_build(load_settings(env={}), job="nightly")


@pytest.mark.parametrize(("seen", "now", "through"), [
    (set(), {"100.0"}, ""),                                   # no build on record: the lookback
    ({"100.0", "200.0"}, {"100.0", "200.0"}, "200.0"),        # nothing new
    ({"100.0", "200.0"}, {"100.0", "200.0", "300.0"}, "200.0"),  # a new load, clock forward
    ({"100.0", "200.0"}, {"100.0", "150.0", "200.0", "300.0"}, "100.0"),  # one new load is older
    ({"100.0", "200.0"}, {"100.0", "200.0", "050.0"}, BEFORE_ANY_LOAD),  # older than every load seen
])
def test_the_complete_load_mark_steps_back_for_a_load_older_than_the_last_build(seen, now, through) -> None:
    """Load ids are the extract machine's clock: a load new since the last build but with an
    older id (the clock stepped back, or extract runs overlapped) moves the mark below it."""
    assert complete_through(seen, now) == through


def test_a_build_state_from_before_loads_seen_still_counts_its_loads_as_seen(tmp_path) -> None:
    """State written by the previous version holds only the last build's newest load: the
    loads up to it count as seen, so re-synced tables since are still found after the upgrade."""
    loads = {"100.0", "200.0", "300.0"}
    assert seen_loads(tmp_path, loads) == set()
    (tmp_path / "load-mark").write_text("200.0\n")
    assert seen_loads(tmp_path, loads) == {"100.0", "200.0"}
    (tmp_path / "loads-seen").write_text("100.0\n300.0\n")
    assert seen_loads(tmp_path, loads) == {"100.0", "300.0"}


def test_the_sources_a_load_reached_are_the_same_on_duckdb_and_postgres(tmp_path, postgres_database) -> None:
    """What the incremental job narrows itself to (luckin/transform/freshness.py), read from the
    same landing on both warehouses: the estate three days short, then the rest in a later load
    (rows that did not change keep their load id). The sources holding the later load are found
    alike on both, and they are some of the sources, not none or all."""
    duck = new_duckdb_warehouse(tmp_path, "freshness")
    pg = new_postgres_warehouse(tmp_path, postgres_database("luckin_freshness"))
    landing.build_duckdb(duck.env["LUCKIN_DUCKDB_PATH"], cutoff=SYNTHETIC_CUTOFF)
    landing.build_duckdb(duck.env["LUCKIN_DUCKDB_PATH"], since=SYNTHETIC_CUTOFF)
    landing.build_postgres(pg.dsn, cutoff=SYNTHETIC_CUTOFF)
    landing.build_postgres(pg.dsn, since=SYNTHETIC_CUTOFF)
    duck.dbt("parse")
    manifest = duck.target_path / "manifest.json"
    sources = json.loads(manifest.read_text())["sources"]

    through = landing.load_id_at(SYNTHETIC_CUTOFF)
    found = {wh.target: write_freshness(wh.warehouse, manifest, through, tmp_path / wh.target / "before",
                                        tmp_path / wh.target / "now") for wh in (duck, pg)}
    assert found["duckdb"] == found["postgres"]
    assert "source.luckin.sales_order.t_order" in found["duckdb"]
    assert 0 < len(found["duckdb"]) < len(sources)
    # Up to the later load itself, nothing is new.
    assert write_freshness(pg.warehouse, manifest, landing.FULL_LOAD_ID, tmp_path / "b", tmp_path / "n") == []
    # A re-sync then replaces the categories by an empty table: no row is left to carry its load,
    # the audit's line says it (and the audit itself holds a new load's rows).
    resync = landing.load_id_at(landing.LOADED_AT + timedelta(days=1))
    con = duckdb.connect(duck.env["LUCKIN_DUCKDB_PATH"])
    try:
        con.execute("delete from luckyus_sales_product.t_category")
        con.execute("insert into luckin_audit.load_audit (run_id, source_schema, source_table, disposition, load_id, "
                    "_dlt_load_id) values ('resync', 'luckyus_sales_product', 't_category', 'replace', ?, ?)",
                    [resync, resync])
    finally:
        con.close()
    assert write_freshness(duck.warehouse, manifest, landing.FULL_LOAD_ID, tmp_path / "b", tmp_path / "n") == [
        "source.luckin.luckin_audit.load_audit", "source.luckin.sales_product.t_category"]
