"""`luckin report --check` (luckin.report.check.compare) returns FAIL on a figure outside its
tolerance, for every key metric and critical finding of report 00.

Targets and tolerances are the seed's and the spec's (../shared/seed/luckin-usa-bi-report-suite.md,
../shared/spec/estate.md), written out here by hand. Each figure is set just inside (the row
passes) and just outside (that row alone fails), at scale 1 and at the test scale (sampled
figures' tolerances widen by sqrt(1/s), exact ones do not).
"""

from __future__ import annotations

import math

import pytest

from luckin.report.check import compare

# figure: (where it is read from, target at scale 1, tolerance, kind)
SPEC = {
    "revenue_usd": ("key", 2_194_799, 0.005, "rel"),
    "completed_orders": ("key", 466_252, 0.005, "rel"),
    "avg_order_value_usd": ("key", 4.71, 0.02, "abs"),
    "first_full_month_aov_usd": ("key", 4.71, 0.05, "abs"),
    "latest_full_month_aov_usd": ("key", 5.03, 0.05, "abs"),
    "run_rate_month_revenue_usd": ("key", 363_000, 0.02, "rel"),
    "active_stores": ("key", 11, 0, "exact"),
    "registered_users": ("key", 277_158, 0.005, "rel"),
    "iot_devices": ("key", 216, 0, "exact"),
    "database_instances": ("key", 62 + 78 + 3, 0, "exact"),
    "mysql_schemas": ("key", 62, 0, "exact"),
    "redis_instances": ("key", 78, 0, "exact"),
    "fi_tax_rows": ("findings", 0, 0, "exact"),
    "loyalty_rows": ("findings", 0, 0, "exact"),
    "offline_device_share": ("findings", 0.57, 0.02, "exact"),
    "offline_blender_share": ("findings", 0.82, 0.03, "exact"),
    "first_month_production_seconds": ("findings", 320, 10, "abs"),
    "latest_month_production_seconds": ("findings", 204, 10, "abs"),
    "top_product_order_share": ("findings", 0.15, 0.01, "abs"),
}


def _figures(scale: float) -> tuple[dict, dict]:
    key = {"first_full_month": "2025-07-01", "latest_full_month": "2026-01-01"}
    findings = {"delivery_aov_usd": 19.0, "pickup_aov_usd": 4.5, "delivery_aov_standard_error_usd": 0.0,
                "top_product_name": "Iced Coconut Latte", "first_full_month": "2025-07-01",
                "latest_full_month": "2026-01-01"}
    for name, (where, target, _, kind) in SPEC.items():
        (key if where == "key" else findings)[name] = target * scale if kind == "rel" else target
    return key, findings


def _failed(key: dict, findings: dict, scale: float) -> list[str]:
    return [r.metric for r in compare(key, findings, scale) if not r.passed]


def _edges(name: str, scale: float) -> tuple[float, float]:
    _, target, tol, kind = SPEC[name]
    widen = math.sqrt(1 / scale) if scale < 1 and kind != "exact" else 1.0
    if kind == "rel":
        t = target * scale
        return t * (1 - tol * widen * 0.99), t * (1 - tol * widen * 1.01)
    if not tol:
        return target, target + 1
    return target - tol * widen * 0.99, target - tol * widen * 1.01


@pytest.mark.parametrize("scale", [1.0, 0.02])
def test_each_figure_outside_its_tolerance_fails_that_row_alone(scale):
    assert _failed(*_figures(scale), scale) == []
    wrong = {}
    for name, (where, *_rest) in SPEC.items():
        inside, outside = _edges(name, scale)
        key, findings = _figures(scale)
        figures = key if where == "key" else findings
        figures[name] = inside
        passed_inside = _failed(key, findings, scale)
        figures[name] = outside
        failed_outside = _failed(key, findings, scale)
        if passed_inside != [] or len(failed_outside) != 1:
            wrong[name] = (inside, passed_inside, outside, failed_outside)
    assert wrong == {}


def test_missing_and_named_figures_fail():
    key, findings = _figures(1.0)
    for changed, expected in (({"top_product_name": "Hot Americano"}, "The #1 product"),
                              ({"delivery_aov_usd": 21.0}, "Delivery AOV vs pickup AOV"),
                              ({"pickup_aov_usd": 3.9}, "Delivery AOV vs pickup AOV")):
        assert _failed(key, {**findings, **changed}, 1.0) == [expected], changed
    assert _failed({**key, "revenue_usd": None}, findings, 1.0) == ["Total USD revenue"]  # a NULL is a miss
