"""Apache Superset on the published marts: every chart of the executive dashboard, run through
Superset's chart-data API, shows report 00's figures computed by the report's own analyses on
the same marts.

Marked `superset`, so `make test` (and CI) leave it out: it installs Superset's virtualenvs the
first time (~5 minutes) and starts a server (~3 minutes with the metric sync). Run it with
`make test-superset`. It starts its own Superset (port 8098, metadata database
superset_meta_test, dropped afterwards, credentials generated here, never written to
.dlt/secrets.toml) on the small landed estate of the report tests, as `luckin publish` left it in
marts.duckdb beside the working warehouse.
"""

from __future__ import annotations

import math
import os
import secrets

import duckdb
import pandas as pd
import pytest
import requests
import yaml

from luckin.core.sessions import pg_admin
from luckin.core.settings import PostgresWarehouse, load_settings
from luckin.superset.config import ASSETS_DIR
from tests.report.warehouses import BuiltWarehouse, landed  # noqa: F401

pytestmark = pytest.mark.superset

PORT = 8098
META_DB = "superset_meta_test"


@pytest.fixture(scope="module")
def superset(landed: BuiltWarehouse, tmp_path_factory):  # noqa: F811 - the shared fixture
    """Superset started by `start_superset` on the landed estate's published marts."""
    from luckin.superset import start_superset, stop_superset

    # `landed` has published its marts (luckin.publish) to marts.duckdb beside the warehouse.
    env = {"SUPERSET__PORT": str(PORT), "SUPERSET__META_DATABASE": META_DB,
           "SUPERSET__ADMIN_PASSWORD": secrets.token_urlsafe(12), "SUPERSET__SECRET_KEY": secrets.token_urlsafe(32)}
    server = PostgresWarehouse(database="postgres")
    pg_admin(server, f"drop database if exists {META_DB} with (force)")
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    with landed.active():
        settings = load_settings("duckdb")
        try:
            run = start_superset(settings)
            yield run, settings
        finally:
            stop_superset(settings)
            for k, v in saved.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
            pg_admin(server, f"drop database if exists {META_DB} with (force)")


@pytest.fixture(scope="module")
def report_00(landed: BuiltWarehouse):  # noqa: F811
    """Report 00's analyses, compiled by the report code and run on the published file (attached
    under the working warehouse's catalog name, which the compiled SQL names)."""
    from luckin.report.db import compile_analyses

    with landed.active():
        compiled = compile_analyses(load_settings("duckdb").warehouse, landed.root / "superset-report-target")
    con = duckdb.connect()
    con.execute(f"attach '{landed.duckdb_path.with_name('marts.duckdb')}' as "
                f"{landed.duckdb_path.stem} (read_only)")
    frames = {name: con.execute(compiled[name].sql).df()
              for name in ("r00_key_metrics", "r00_critical_findings", "r00_monthly_kpis")}
    con.close()
    return frames


def _chart_files() -> dict[str, str]:
    """slice name -> the chart's file stem in the bundle (bi/superset/assets/charts/<stem>.yaml)."""
    return {yaml.safe_load(p.read_text())["slice_name"]: p.stem for p in sorted((ASSETS_DIR / "charts").glob("*.yaml"))}


def _month(value) -> str:
    return pd.Timestamp(value, unit="ms").strftime("%Y-%m") if isinstance(value, (int, float)) \
        else pd.Timestamp(value).strftime("%Y-%m")


def test_every_chart_shows_report_00s_figures(superset, report_00):
    from luckin.superset.client import SupersetClient

    run, _ = superset
    key = report_00["r00_key_metrics"].iloc[0]
    findings = report_00["r00_critical_findings"].iloc[0]
    months = report_00["r00_monthly_kpis"]
    by_month = {_month(m): row for m, row in zip(months["order_month"], months.itertuples())}
    latest_full = _month(key["latest_full_month"])

    def single(rows, metric):
        assert len(rows) == 1, rows
        return rows[0][metric]

    def monthly(rows, *metrics):
        got = {_month(r["order_month"]): r for r in rows}
        assert set(got) == set(by_month), (sorted(got), sorted(by_month))
        for month, r in got.items():
            assert round(r["revenue"], 2) == round(float(by_month[month].revenue_usd), 2), month
            if "completed_orders" in metrics:
                assert r["completed_orders"] == by_month[month].completed_orders, month
                assert round(r["average_order_value"], 2) == round(float(by_month[month].avg_order_value_usd), 2)
        # the run rate is the latest full month's revenue
        assert round(got[latest_full]["revenue"], 2) == round(float(key["run_rate_month_revenue_usd"]), 2)

    checks = {
        "revenue": lambda rows: round(single(rows, "revenue"), 2) == round(float(key["revenue_usd"]), 2),
        "completed_orders": lambda rows: single(rows, "completed_orders") == key["completed_orders"],
        "average_order_value": lambda rows: round(single(rows, "average_order_value"), 2)
        == round(float(key["avg_order_value_usd"]), 2),
        "registered_users": lambda rows: single(rows, "registered_users") == key["registered_users"],
        "active_stores": lambda rows: single(rows, "active_stores") == key["active_stores"],
        "iot_devices": lambda rows: single(rows, "devices") == key["iot_devices"],
        "device_offline_share": lambda rows: math.isclose(round(single(rows, "offline_device_share"), 4),
                                                          float(findings["offline_device_share"])),
        "monthly_kpis": lambda rows: monthly(rows, "completed_orders") is None,
        "monthly_revenue": lambda rows: monthly(rows) is None,
    }
    client = SupersetClient(run.config)
    charts = client.dashboard_charts("luckin-executive")
    files = _chart_files()
    assert sorted(files[c["slice_name"]] for c in charts) == sorted(checks), "a chart without a check (or gone)"
    for chart in charts:
        rows = client.chart_data(chart["id"])[0]
        assert checks[files[chart["slice_name"]]](rows), (chart["slice_name"], rows[:3])


def test_metrics_come_from_the_metric_layer(superset):
    """The bundle defines no metric; after the sync each dashboard dataset carries the metrics
    its charts name, with MetricFlow's SQL."""
    from luckin.superset.client import SupersetClient

    run, _ = superset
    for path in (ASSETS_DIR / "datasets").rglob("*.yaml"):
        assert yaml.safe_load(path.read_text())["metrics"] == [], path
    client = SupersetClient(run.config)
    named = set()
    for path in (ASSETS_DIR / "charts").glob("*.yaml"):
        chart = yaml.safe_load(path.read_text())
        params = chart["params"]
        named |= {params["metric"]} if "metric" in params else set(params["metrics"])
    synced = set()
    for dataset in client.list("dataset"):
        if dataset["database"]["database_name"] != "luckin_duckdb":
            continue
        synced |= {m["metric_name"] for m in client.dataset_metrics(dataset["id"]) if m["metric_name"] != "count"}
    assert named <= synced, named - synced


def test_no_request_leaves_the_server(superset):
    """The page's content-security policy lets the browser fetch from Superset itself only: the
    telemetry pixel, CDN scripts and map tiles are refused."""
    run, _ = superset
    resp = requests.get(f"{run.config.url}/login/", timeout=30)
    policy = resp.headers["Content-Security-Policy"]
    assert "scarf" not in policy and "mapbox" not in policy and "http" not in policy, policy
    assert "'strict-dynamic'" not in policy


def test_the_duckdb_connection_is_read_only(superset):
    """SQL Lab cannot write to the published file (the connection opens it read-only)."""
    from luckin.superset.client import SupersetClient

    run, _ = superset
    client = SupersetClient(run.config)
    database = client.list("database", database_name="luckin_duckdb")[0]
    with pytest.raises(Exception, match="(?i)read.only|DML|not allowed|HTTP 4"):
        client._call("post", "/api/v1/sqllab/execute/", json={
            "database_id": database["id"], "sql": "create table marts.sneaky as select 1 as x", "runAsync": False})
