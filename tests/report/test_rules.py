"""The SWOT and roadmap rules of report 00 (luckin/report/rules.py): a finding appears exactly
when its figure crosses its threshold, cites the figure, and lands in its quarter."""

from __future__ import annotations

import math
import operator

import pytest

from luckin.report import rules

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def _neutral() -> dict:
    """Figures on which no rule fires (every rule's metric NaN), with the context texts need."""
    figures = {r.metric: math.nan for r in rules.RULES}
    figures.update({"tax_records": 0, "offline_blender_share": 0.8, "offline_devices": 12, "flagged_stock_out_pairs": 3,
                    "largest_redis_instance": "luckyus-isales-market", "largest_redis_memory_ratio": 0.87,
                    "never_ordered_users": 100, "ordering_customers": 900, "delivery_aov_usd": 18.7,
                    "pickup_aov_usd": 4.5, "delivery_order_share": 0.015, "open_stores": 11, "discount_rate": 0.25,
                    "latest_full_month_label": "January 2026", "run_rate_usd": 363_000,
                    "lowest_clv_to_cac_channel": "Social ad", "hero_product": "Iced Coconut Latte"})
    return figures


def test_no_figure_no_finding() -> None:
    assert rules.evaluate(_neutral()) == []


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.key)
def test_a_finding_appears_exactly_when_its_figure_crosses_its_threshold(rule) -> None:
    step = max(abs(rule.threshold) * 0.01, 0.001)
    for value in (rule.threshold - step, rule.threshold, rule.threshold + step):
        figures = _neutral() | {rule.metric: value}
        fired = [i for i in rules.evaluate(figures) if i.rule == rule.key]
        expected = _OPS[rule.op](value, rule.threshold)
        assert bool(fired) == expected, (rule.key, value)
        if fired:
            item = fired[0]
            assert item.quadrant == rule.quadrant
            assert rule.show(value) in item.cite  # the item cites the figure that triggered it
            assert rule.show(rule.threshold) in item.cite  # and the threshold it crossed
            assert (item.horizon is not None) == (rule.action is not None)
            if item.horizon:
                assert item.action and item in rules.roadmap([item])[item.horizon]


def test_every_quadrant_and_quarter_is_reachable() -> None:
    assert {r.quadrant for r in rules.RULES} == set(rules.QUADRANTS)
    assert {r.horizon for r in rules.RULES if r.action} == set(rules.HORIZONS)
    assert len({r.key for r in rules.RULES}) == len(rules.RULES)


def test_growth_and_decline_are_exclusive() -> None:
    for change in (-0.05, 0.0, 0.05):
        keys = {i.rule for i in rules.evaluate(_neutral() | {"revenue_mom_change": change})}
        assert len(keys & {"revenue_growth", "revenue_decline"}) == 1, change


def test_the_seed_findings_fire_on_the_seed_figures() -> None:
    """At the seed's own figures: tax gap, fleet, loyalty, delivery AOV and coupon dependence fire."""
    figures = _neutral() | {"tax_gap_usd": 194_000, "offline_device_share": 0.57, "loyalty_rows": 0,
                            "delivery_aov_ratio": 4.2, "coupon_order_share": 0.55}
    items = rules.evaluate(figures)
    assert {i.rule for i in items} == {"tax_gap", "offline_fleet", "loyalty", "delivery_aov", "coupon_dependence"}
    swot = rules.swot(items)
    assert [i.rule for i in swot["threat"]] == ["tax_gap", "coupon_dependence"]
    assert "$194K" in swot["threat"][0].text
