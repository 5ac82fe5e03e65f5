"""The CLV unit test's expected values, recomputed from the formula in its own description (in
Python, from the unit test's given rows and the project's vars), not copied from the SQL's output."""

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


def _predicted_clv(orders: list[dict], horizon_months: int, half_life_days: int) -> dict[int, Decimal]:
    completed = [o for o in orders if o["is_revenue"]]
    as_of = max(date.fromisoformat(str(o["order_date"])) for o in completed)
    out = {}
    for customer in {o["customer_id"] for o in completed}:
        mine = [o for o in completed if o["customer_id"] == customer]
        revenue = sum(Decimal(str(o["revenue_usd"])) for o in mine)
        first = min(date.fromisoformat(str(o["order_date"])) for o in mine)
        last = max(date.fromisoformat(str(o["order_date"])) for o in mine)
        tenure_days = max((as_of - first).days + 1, 30)
        recency_days = (as_of - last).days
        per_month = revenue / (Decimal(tenure_days) / DAYS_PER_MONTH)
        still_active = Decimal(0.5 ** (recency_days / half_life_days))
        future = per_month * horizon_months * still_active
        out[customer] = (revenue + future).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return out


def test_clv_expectations_follow_the_description() -> None:
    test = _unit_test("test_rfm_cohort_and_clv")
    assert "365.25 / 12" in test["description"]
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    orders = next(g["rows"] for g in test["given"] if g["input"] == "ref('fct_orders')")
    computed = _predicted_clv(orders, project["clv_horizon_months"], project["clv_activity_half_life_days"])
    expected = {r["customer_id"]: Decimal(str(r["predicted_clv_usd"])) for r in test["expect"]["rows"]
                if r["has_ordered"]}
    assert computed == expected
