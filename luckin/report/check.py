"""Report 00 against the seed: the "Key Metrics at a Glance" and "Critical Findings" of the BI
report suite (../shared/seed/luckin-usa-bi-report-suite.md), with the tolerances of
../shared/spec/estate.md.

The same idea as the simulator's calibration check (luckin/simulator/calibration.py), one layer
up: there the figures are measured on the source tables; here they are report 00's own figures,
computed from the marts by analyses/report_00_executive_summary/*.sql. At scale s, absolute
figures (orders, revenue, users, the run-rate month) are multiplied by s; below scale 1 every
sampled figure's tolerance widens by sqrt(1/s), as in the calibration; exact figures (stores,
devices, fleet shares, empty schemas, instance counts) keep their tolerance at every scale.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from luckin.core.figures import seed_figures

# The seed's figures at scale 1 (luckin/core/seed_figures.yml, shared with the simulator).
SEED = seed_figures().as_dict()
SEED_AS_OF = SEED["as_of"].isoformat()
SEED_RUN_RATE_MONTH = SEED["run_rate_month"]


@dataclass
class Comparison:
    metric: str
    seed: str  # the figure as the seed states it
    target: str  # at this scale, with its tolerance
    actual: str  # report 00's figure
    passed: bool
    finding: str = ""  # "key metric" or the critical finding it backs

    def as_dict(self) -> dict:
        return asdict(self)


def _num(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return math.nan
    return v


def compare(key: dict, findings: dict, scale: float = 1.0) -> list[Comparison]:
    """Report 00's figures (the rows of r00_key_metrics and r00_critical_findings) against the seed."""
    widen = math.sqrt(1 / scale) if scale < 1 else 1.0
    rows: list[Comparison] = []

    def relative(metric: str, name: str, value, tol: float, money: bool = False, finding: str = "key metric"):
        target = SEED[metric] * scale
        actual = _num(value)
        ok = not math.isnan(actual) and abs(actual - target) <= target * tol * widen
        show = (lambda v: f"${v:,.0f}") if money else (lambda v: f"{v:,.0f}")
        rows.append(Comparison(name, show(SEED[metric]), f"{show(target)} ±{tol * widen:.1%}",
                               f"{show(actual)} ({actual / target - 1:+.2%})" if target else show(actual), ok, finding))

    def absolute(metric: str, name: str, value, tol: float, fmt: str, exact: bool = False,
                 finding: str = "key metric"):
        target = SEED[metric]
        actual = _num(value)
        tol_ = tol if exact else tol * widen
        ok = not math.isnan(actual) and abs(actual - target) <= tol_ + 1e-9
        rows.append(Comparison(name, fmt.format(target), f"{fmt.format(target)} ±{fmt.format(tol_)}",
                               fmt.format(actual) if not math.isnan(actual) else "–", ok, finding))

    relative("revenue_usd", "Total USD revenue", key.get("revenue_usd"), 0.005, money=True)
    relative("completed_orders", "Total completed orders", key.get("completed_orders"), 0.005)
    absolute("avg_order_value_usd", "Average order value", key.get("avg_order_value_usd"), 0.02, "${:.2f}")
    absolute("first_full_month_aov_usd", f"AOV, first full month ({_month(key.get('first_full_month'))})",
             key.get("first_full_month_aov_usd"), 0.05, "${:.2f}")
    absolute("latest_full_month_aov_usd", f"AOV, latest full month ({_month(key.get('latest_full_month'))})",
             key.get("latest_full_month_aov_usd"), 0.05, "${:.2f}")
    relative("run_rate_month_revenue_usd", f"Monthly run rate ({_month(key.get('latest_full_month'))})",
             key.get("run_rate_month_revenue_usd"), 0.02, money=True)
    absolute("active_stores", "Active US stores", key.get("active_stores"), 0, "{:.0f}", exact=True)
    relative("registered_users", "Registered users", key.get("registered_users"), 0.005)
    absolute("iot_devices", "IoT devices deployed", key.get("iot_devices"), 0, "{:.0f}", exact=True)
    absolute("database_instances", "Database instances (MySQL + Redis + PostgreSQL)",
             key.get("database_instances"), 0, "{:.0f}", exact=True)
    instances = f"{SEED['mysql_schemas']} + {SEED['redis_instances']}"
    rows.append(Comparison("MySQL schemas + Redis instances", instances, f"{instances} exact",
                           f"{_int(key.get('mysql_schemas'))} + {_int(key.get('redis_instances'))}",
                           _num(key.get("mysql_schemas")) == SEED["mysql_schemas"]
                           and _num(key.get("redis_instances")) == SEED["redis_instances"]))

    # 1. tax compliance gap
    tax_rows = _num(findings.get("fi_tax_rows"))
    rows.append(Comparison("fi_tax rows", "0 (empty)", "0 exact", _int(tax_rows), tax_rows == 0,
                           "1. tax compliance gap"))
    # 2. loyalty not launched
    member_rows = _num(findings.get("loyalty_rows"))
    rows.append(Comparison("luckyus_member (loyalty) rows", "0 (empty)", "0 exact", _int(member_rows),
                           member_rows == 0, "2. loyalty not launched"))
    # 3. delivery = 4x AOV: delivery orders are ~1.5% of orders, so below scale 1 allow two standard
    # errors of their mean (as the calibration does)
    delivery, pickup = _num(findings.get("delivery_aov_usd")), _num(findings.get("pickup_aov_usd"))
    se = _num(findings.get("delivery_aov_standard_error_usd"))
    slack = 2 * se if scale < 1 and not math.isnan(se) else 0.0
    (d_lo, d_hi), (p_lo, p_hi) = SEED["delivery_aov_usd"], SEED["pickup_aov_usd"]
    band = f"${d_lo - slack:.2f}-{d_hi + slack:.2f}" if slack else f"${d_lo}-{d_hi}"
    rows.append(Comparison("Delivery AOV vs pickup AOV", f"${d_lo}-{d_hi} vs ${p_lo}-{p_hi}", f"{band} vs ${p_lo}-{p_hi}",
                           f"${delivery:.2f} vs ${pickup:.2f}",
                           d_lo - slack <= delivery <= d_hi + slack and p_lo <= pickup <= p_hi, "3. delivery = 4x AOV"))
    # 4. IoT fleet health
    absolute("offline_device_share", "Devices offline now", findings.get("offline_device_share"), 0.02, "{:.1%}",
             exact=True, finding="4. IoT fleet health")
    absolute("offline_blender_share", "Blenders offline now", findings.get("offline_blender_share"), 0.03, "{:.1%}",
             exact=True, finding="4. IoT fleet health")
    # 5. production improving
    absolute("first_month_production_seconds", f"Mean production time, {_month(findings.get('first_full_month'))}",
             findings.get("first_month_production_seconds"), 10, "{:.0f} s", finding="5. production improving")
    absolute("latest_month_production_seconds", f"Mean production time, {_month(findings.get('latest_full_month'))}",
             findings.get("latest_month_production_seconds"), 10, "{:.0f} s", finding="5. production improving")
    # 6. hero product
    absolute("top_product_order_share", "Orders containing the #1 product", findings.get("top_product_order_share"),
             0.01, "{:.1%}", finding="6. hero product moat")
    top = findings.get("top_product_name")
    rows.append(Comparison("The #1 product", SEED["top_product"], SEED["top_product"], str(top),
                           top == SEED["top_product"], "6. hero product moat"))
    return rows


def _month(value) -> str:
    if value is None:
        return "?"
    try:
        import pandas as pd

        return pd.Timestamp(value).strftime("%b %Y")
    except (ValueError, TypeError):
        return str(value)


def _int(value) -> str:
    v = _num(value)
    return "–" if math.isnan(v) else f"{v:,.0f}"


def passed(rows: list[Comparison]) -> bool:
    return bool(rows) and all(r.passed for r in rows)


def print_comparison(rows: list[Comparison], scale: float, target: str, console=None) -> None:
    """The comparison as a rich table (what `luckin report --check` prints)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=160 if not Console().is_terminal else None)
    table = Table(title=f"Report 00 against the seed at scale {scale:g} ({target} warehouse)")
    for col in ("metric", "seed", "target", "report 00", "result", "backs"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.metric, r.seed, r.target, r.actual, "[green]pass[/]" if r.passed else "[red]FAIL[/]",
                      r.finding)
    console.print(table)
    ok = passed(rows)
    console.print(("[green]report 00 reproduces the seed[/]" if ok else
                   f"[red]{sum(not r.passed for r in rows)} figure(s) outside tolerance[/]"))
