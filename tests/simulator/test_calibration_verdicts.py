"""`calibration.evaluate` returns FAIL on a figure outside its tolerance, for every target.

The targets and tolerances below are the spec's table (../shared/spec/estate.md, "Calibration
targets at scale factor 1"), written out by hand rather than read from the code under test. Each
figure is set just inside its tolerance (the verdict must pass) and just outside it (that one
verdict, and no other, must fail), at scale 1 and at the test scale, where sampled figures'
tolerances widen by sqrt(1/s) and exact ones do not.
"""

from __future__ import annotations

import math

import pytest

from luckin.simulator.calibration import evaluate

# metric: (target at scale 1, tolerance, kind) - kind: "rel" (share of the scaled target),
# "abs" (absolute, widened below scale 1), "exact" (absolute, never widened)
SPEC = {
    "completed_orders": (466_252, 0.005, "rel"),
    "revenue": (2_194_799, 0.005, "rel"),
    "aov": (4.71, 0.02, "abs"),
    "aov_first_month": (4.71, 0.05, "abs"),
    "aov_latest_month": (5.03, 0.05, "abs"),
    "run_rate_month_revenue": (363_000, 0.02, "rel"),
    "active_stores": (11, 0, "exact"),
    "registered_users": (277_158, 0.005, "rel"),
    "iot_devices": (216, 0, "exact"),
    "devices_offline": (0.57, 0.02, "exact"),
    "blenders_offline": (0.82, 0.03, "exact"),
    "production_first_month": (320, 10, "abs"),
    "production_latest_month": (204, 10, "abs"),
    "hero_share": (0.15, 0.01, "abs"),
    "hero_is_top": (1, 0, "exact"),
    "fi_tax_rows": (0, 0, "exact"),
    "luckyus_member_rows": (0, 0, "exact"),
}


def _figures(scale: float) -> dict[str, float]:
    """Figures exactly on target at this scale (volumes scaled, ratios not)."""
    m = {k: (t * scale if kind == "rel" else t) for k, (t, _, kind) in SPEC.items()}
    m.update(delivery_aov=19.0, pickup_aov=4.5, delivery_aov_se=0.0, mysql_schemas=62, redis_instances=78,
             market_memory_share=0.9, market_memory_is_largest=1.0)
    return m


def _failed(m: dict, scale: float) -> list[str]:
    return [c.metric for c in evaluate(m, scale) if not c.passed]


def _edges(metric: str, scale: float) -> tuple[float, float]:
    """(just inside, just outside) the tolerance, above the target."""
    target, tol, kind = SPEC[metric]
    widen = math.sqrt(1 / scale) if scale < 1 and kind != "exact" else 1.0
    if kind == "rel":
        t = target * scale
        return t * (1 + tol * widen * 0.99), t * (1 + tol * widen * 1.01)
    step = tol * widen if tol else 1  # an exact count: one more is a miss
    return target + step * 0.99 if tol else target, target + (step * 1.01 if tol else 1)


@pytest.mark.parametrize("scale", [1.0, 0.02])
def test_on_target_everything_passes(scale):
    assert _failed(_figures(scale), scale) == []


@pytest.mark.parametrize("scale", [1.0, 0.02])
def test_each_figure_outside_its_tolerance_fails_that_verdict_alone(scale):
    """One miss at a time, for every target: the verdict for it turns FAIL and no other does."""
    names = {c.metric: i for i, c in enumerate(evaluate(_figures(scale), scale))}
    wrong = {}
    for metric in SPEC:
        inside, outside = _edges(metric, scale)
        m = _figures(scale)
        m[metric] = inside
        passed_inside = _failed(m, scale)
        m[metric] = outside
        failed_outside = _failed(m, scale)
        if passed_inside != [] or len(failed_outside) != 1:
            wrong[metric] = (inside, passed_inside, outside, failed_outside)
    assert wrong == {}
    assert len(names) >= len(SPEC)


def test_the_other_verdicts_fail_too():
    """The checks that are not a single figure: delivery vs pickup AOV, the instance count and the
    memory alert, each given a miss."""
    misses = {
        "delivery AOV vs pickup AOV": {"delivery_aov": 17.5},
        "database instances": {"redis_instances": 77},
        "isales-market Redis memory alert": {"market_memory_share": 0.8},
    }
    for name, change in misses.items():
        assert _failed({**_figures(1.0), **change}, 1.0) == [name], name
    # below scale 1 the delivery band widens by two standard errors of its mean, and no further
    m = {**_figures(0.02), "delivery_aov_se": 0.5}
    assert _failed({**m, "delivery_aov": 17.05}, 0.02) == []
    assert _failed({**m, "delivery_aov": 16.95}, 0.02) == ["delivery AOV vs pickup AOV"]
