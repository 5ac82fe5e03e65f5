"""History of the mutable dimensions: a change between two builds becomes a second version.

The snapshots (snapshots/) and the history marts on them (models/marts/history/) run on the
synthetic landing; between two builds a store is paused and gets new hours, a SKU's price
rises, a device gets new firmware and another device vanishes from the source.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

import landing
from dbt_harness import Warehouse, new_duckdb_warehouse, new_postgres_warehouse

SELECTION = ("--select", "+resource_type:snapshot", "path:models/marts/history")


def _raw(wh: Warehouse, *statements: str) -> None:
    load_id = landing.load_id_at(landing.LOADED_AT + timedelta(days=1))
    statements = tuple(s.replace("{load}", load_id) for s in statements)
    if wh.target == "duckdb":
        import duckdb

        con = duckdb.connect(wh.env["LUCKIN_DUCKDB_PATH"])
        try:
            for statement in statements:
                con.execute(statement)
        finally:
            con.close()
        return
    import psycopg2

    con = psycopg2.connect(wh.dsn)
    try:
        with con, con.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        con.close()


def _change_between_builds_is_captured(wh: Warehouse, land) -> None:
    land()
    wh.dbt("seed")
    wh.dbt("build", *SELECTION)
    q = wh.query
    assert q("select count(*) from marts.dim_store_history where store_id = 2")[0][0] == 1
    _raw(wh,
         "update luckyus_sales_shop.t_shop set status = 3, business_hours = '{\"mon-sun\": \"08:00-18:00\"}', "
         "_dlt_load_id = '{load}' where id = 2",
         "update luckyus_sales_product.t_sku set price = price + 0.30, _dlt_load_id = '{load}' where id = 1",
         "update luckyus_iot_device.t_device set firmware_version = 'v9.9.9', _dlt_load_id = '{load}' where id = 1",
         "update luckyus_iot_device.t_device set _luckin_deleted_at = timestamp '2025-11-02 00:00:00', "
         "_dlt_load_id = '{load}' where id = 2")
    wh.dbt("build", *SELECTION)
    versions = q("select store_status, is_current, valid_from, valid_to from marts.dim_store_history "
                 "where store_id = 2 order by valid_from")
    assert [(v[0], v[1]) for v in versions] == [("open", False), ("paused", True)]
    assert versions[0][3] == versions[1][2] and versions[1][3] is None  # the ranges meet
    prices = q("select list_price_usd, is_current from marts.dim_sku_price_history where sku_id = 1 "
               "order by valid_from")
    assert len(prices) == 2 and prices[1][0] - prices[0][0] == Decimal("0.30") and prices[1][1]
    assert q("select firmware_version from marts.dim_iot_device_history where device_id = 1 and is_current")[0][0] \
        == "v9.9.9"
    # the vanished device's only version is closed
    assert q("select is_current, valid_to is not null from marts.dim_iot_device_history where device_id = 2") \
        == [(False, True)]
    # unchanged stores keep one version
    assert q("select count(*) from marts.dim_store_history where store_id = 1")[0][0] == 1


def test_snapshots_capture_a_change_between_builds_duckdb(tmp_path) -> None:
    wh = new_duckdb_warehouse(tmp_path, "snapshots")
    _change_between_builds_is_captured(wh, lambda: landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"]))


@pytest.mark.slow
def test_snapshots_capture_a_change_between_builds_postgres(tmp_path, postgres_database) -> None:
    wh = new_postgres_warehouse(tmp_path, postgres_database("luckin_trf_snapshots"))
    _change_between_builds_is_captured(wh, lambda: landing.build_postgres(wh.dsn))
