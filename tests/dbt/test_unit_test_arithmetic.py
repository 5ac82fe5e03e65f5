"""The CLV unit test's expected values, recomputed from the formula in its own description (in
Python, from the unit test's given rows and the project's vars), not copied from the SQL's output;
and the per-customer order history it is given, recomputed from the orders of that model's own
unit test."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import yaml

from luckin.core import PROJECT_DIR

DAYS_PER_MONTH = Decimal("365.25") / 12  # the description's average Gregorian month


def _unit_test(name: str) -> dict:
    for path in (PROJECT_DIR / "models").rglob("*unit_tests.yml"):
        for test in yaml.safe_load(path.read_text())["unit_tests"]:
            if test["name"] == name:
                return test
    raise AssertionError(f"no unit test {name}")


def _predicted_clv(customers: list[dict], horizon_months: int, half_life_days: int) -> dict[int, Decimal]:
    """From the customers' order histories (fct_customer_order_totals rows)."""
    ordered = [c for c in customers if c["completed_orders"] > 0]
    as_of = max(date.fromisoformat(str(c["last_order_date"])) for c in ordered)
    out = {}
    for c in ordered:
        revenue = Decimal(str(c["revenue_usd"]))
        first = date.fromisoformat(str(c["first_order_date"]))
        last = date.fromisoformat(str(c["last_order_date"]))
        tenure_days = max((as_of - first).days + 1, 30)
        recency_days = (as_of - last).days
        per_month = revenue / (Decimal(tenure_days) / DAYS_PER_MONTH)
        still_active = Decimal(0.5 ** (recency_days / half_life_days))
        future = per_month * horizon_months * still_active
        out[c["customer_id"]] = (revenue + future).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return out


def test_clv_expectations_follow_the_description() -> None:
    test = _unit_test("test_rfm_cohort_and_clv")
    assert "365.25 / 12" in test["description"]
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    customers = next(g["rows"] for g in test["given"] if g["input"] == "ref('fct_customer_order_totals')")
    computed = _predicted_clv(customers, project["clv_horizon_months"], project["clv_activity_half_life_days"])
    expected = {r["customer_id"]: Decimal(str(r["predicted_clv_usd"])) for r in test["expect"]["rows"]
                if r["has_ordered"]}
    assert computed == expected


def test_order_history_expectations_follow_the_orders() -> None:
    """The per-customer history the CLV test starts from is what its own unit test derives from
    orders: completed orders count, any order's first-order flag acquires."""
    history = _unit_test("test_order_history_per_customer")
    orders = next(g["rows"] for g in history["given"] if g["input"] == "ref('fct_orders')")
    for row in history["expect"]["rows"]:
        mine = [o for o in orders if o["customer_id"] == row["customer_id"]]
        completed = [o for o in mine if o["is_revenue"]]
        assert row["completed_orders"] == len(completed)
        assert Decimal(str(row["revenue_usd"])) == sum((Decimal(str(o["revenue_usd"])) for o in completed), Decimal(0))
        assert row["first_order_date"] == (min(o["order_date"] for o in completed) if completed else None)
        assert row["last_order_date"] == (max(o["order_date"] for o in completed) if completed else None)
        first = [o for o in mine if o["is_first_order"]]
        assert row["acquisition_campaign_id"] == (first[0].get("campaign_id") if first else None)
