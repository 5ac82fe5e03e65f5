"""The SWOT and the 12-month roadmap of report 00, derived from the data by stated rules.

Each rule reads one figure (a key of the figures dict that report 00 computes from the
analyses), compares it with a threshold, and when it fires adds a SWOT item that cites the
figure and, for most rules, a roadmap action in one of four quarters of the next twelve
months. The thresholds are the rules: change them here and the report's appendix restates
them. A figure that is missing (NaN) never fires a rule.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

from . import fmt

QUADRANTS = ("strength", "weakness", "opportunity", "threat")
QUADRANT_TITLES = {"strength": "Strengths", "weakness": "Weaknesses", "opportunity": "Opportunities",
                   "threat": "Threats"}
HORIZONS = {1: "Months 1–3", 2: "Months 4–6", 3: "Months 7–9", 4: "Months 10–12"}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_OP_WORDS = {">=": "at or above", ">": "above", "<=": "at or below", "<": "below"}
# How a figure is named where an item cites it.
METRIC_LABELS = {
    "tax_gap_usd": "unrecorded sales tax", "offline_device_share": "devices offline",
    "stock_out_day_share": "store-material days out of stock", "redis_memory_alert": "caches over the memory alert",
    "never_ordered_share": "registered users who never ordered", "loyalty_rows": "membership records",
    "delivery_aov_ratio": "delivery basket / pickup basket", "stores_below_break_even": "stores below break-even",
    "coupon_order_share": "orders with a coupon", "lowest_clv_to_cac": "lowest value / acquisition cost",
    "ramping_stores": "stores in their first 12 weeks", "revenue_mom_change": "revenue, month on month",
    "production_time_change": "production time since the first full month", "hero_product_share": "orders with the #1 product",
}


@dataclass(frozen=True)
class Rule:
    key: str
    quadrant: str
    metric: str  # the figure the rule reads
    op: str  # >=, >, <=, <
    threshold: float
    show: Callable[[float], str]  # how the figure and threshold read (fmt.share, fmt.money...)
    finding: Callable[[dict], str]  # the SWOT item, citing the figure
    action: Callable[[dict], str] | None = None  # the roadmap action, if the finding calls for one
    horizon: int = 1  # 1..4: months 1-3, 4-6, 7-9, 10-12

    def fires(self, figures: dict) -> bool:
        value = figures.get(self.metric)
        try:
            value = float(value)
        except (TypeError, ValueError):
            return False
        if math.isnan(value):
            return False
        return _OPS[self.op](value, self.threshold)

    @property
    def label(self) -> str:
        return METRIC_LABELS.get(self.metric, self.metric.replace("_", " "))

    def statement(self) -> str:
        """The rule in words: "devices offline at or above 20.0%"."""
        return f"{self.label} {_OP_WORDS[self.op]} {self.show(self.threshold)}"

    def cite(self, figures: dict) -> str:
        """The figure that triggered the item and the threshold it crossed."""
        return f"{self.label}: {self.show(figures[self.metric])} (rule: {_OP_WORDS[self.op]} " \
               f"{self.show(self.threshold)})"


@dataclass(frozen=True)
class Item:
    rule: str
    quadrant: str
    text: str
    cite: str
    horizon: int | None = None
    action: str = ""


def _g(f: dict, key: str, default=math.nan):
    v = f.get(key, default)
    return default if v is None else v


def _money(v) -> str:
    return fmt.compact_money(v)


def _ratio(v) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{float(v):.1f}x"


def _num(v) -> str:
    return fmt.count(v)


RULES: list[Rule] = [
    Rule("tax_gap", "threat", "tax_gap_usd", ">", 0, _money,
         lambda f: f"Sales tax is not on record: the tax filings hold {_num(_g(f, 'tax_records', 0))} rows against "
                   f"an estimated {_money(f['tax_gap_usd'])} due on the sales to date.",
         lambda f: f"Register and file sales tax; settle the {_money(f['tax_gap_usd'])} estimated as unrecorded.", 1),
    Rule("offline_fleet", "weakness", "offline_device_share", ">=", 0.20, fmt.share,
         lambda f: f"{fmt.share(f['offline_device_share'], 0)} of the in-store devices are offline "
                   f"(blenders {fmt.share(_g(f, 'offline_blender_share'), 0)}).",
         lambda f: f"Repair or replace the {_num(_g(f, 'offline_devices'))} offline devices, blenders first; "
                   "alert on a missed heartbeat.", 1),
    Rule("stock_outs", "weakness", "stock_out_day_share", ">=", 0.03, fmt.share,
         lambda f: f"Stock-outs on {fmt.share(f['stock_out_day_share'])} of counted store-material days in the last "
                   f"28 days; {_num(_g(f, 'flagged_stock_out_pairs', 0))} store-material pairs flagged.",
         lambda f: f"Set reorder points for the {_num(_g(f, 'flagged_stock_out_pairs', 0))} flagged store-material "
                   "pairs from their consumption and the suppliers' lead times.", 1),
    Rule("redis_memory", "threat", "redis_memory_alert", ">=", 1, _num,
         lambda f: f"A cache is near its memory limit: {_g(f, 'largest_redis_instance', '?')} at "
                   f"{fmt.share(_g(f, 'largest_redis_memory_ratio'), 0)} of its budget.",
         lambda f: f"Raise the memory budget of {_g(f, 'largest_redis_instance', '?')} or expire its stale keys.", 1),
    Rule("never_ordered", "opportunity", "never_ordered_share", ">=", 0.25, fmt.share,
         lambda f: f"{fmt.share(f['never_ordered_share'], 0)} of registered users have never ordered "
                   f"({_num(_g(f, 'never_ordered_users'))} people who already have the app).",
         lambda f: f"Win the first order of the {_num(_g(f, 'never_ordered_users'))} registered users who never "
                   "ordered (a first-order offer by push and email).", 1),
    Rule("loyalty", "weakness", "loyalty_rows", "<=", 0, _num,
         lambda f: f"No loyalty programme: the membership tables are empty while "
                   f"{_num(_g(f, 'ordering_customers'))} customers have ordered.",
         lambda f: f"Launch the loyalty programme for the {_num(_g(f, 'ordering_customers'))} ordering customers; "
                   "measure repeat rate against the cohorts.", 2),
    Rule("delivery_aov", "opportunity", "delivery_aov_ratio", ">=", 2.0, _ratio,
         lambda f: f"Delivery baskets are {_ratio(f['delivery_aov_ratio'])} pickup baskets "
                   f"({fmt.money(_g(f, 'delivery_aov_usd'), cents=True)} against "
                   f"{fmt.money(_g(f, 'pickup_aov_usd'), cents=True)}) yet only "
                   f"{fmt.share(_g(f, 'delivery_order_share'))} of orders.",
         lambda f: "Grow delivery: extend the delivery radius and platforms for the stores with the highest "
                   "delivery share.", 2),
    Rule("below_break_even", "weakness", "stores_below_break_even", ">=", 1, _num,
         lambda f: f"{_num(f['stores_below_break_even'])} of {_num(_g(f, 'open_stores'))} stores do not cover "
                   "their goods, waste and estimated labour over their recent months.",
         lambda f: f"Re-plan shifts at the {_num(f['stores_below_break_even'])} stores below break-even against "
                   "their hour-of-day demand.", 2),
    Rule("coupon_dependence", "threat", "coupon_order_share", ">=", 0.40, fmt.share,
         lambda f: f"Coupon dependence: {fmt.share(f['coupon_order_share'], 0)} of completed orders in "
                   f"{_g(f, 'latest_full_month_label', 'the latest month')} used a coupon "
                   f"(discounts {fmt.share(_g(f, 'discount_rate'))} of list price).",
         lambda f: "Taper coupons for customers past their third order; keep them for first orders and win-back.", 3),
    Rule("weak_channel", "weakness", "lowest_clv_to_cac", "<", 3.0, _ratio,
         lambda f: f"{_g(f, 'lowest_clv_to_cac_channel', '?')} customers return only "
                   f"{_ratio(f['lowest_clv_to_cac'])} their acquisition cost in predicted value.",
         lambda f: f"Move acquisition spend from {_g(f, 'lowest_clv_to_cac_channel', '?')} to the channels whose "
                   "customers return three times their cost or more.", 3),
    Rule("ramping_stores", "opportunity", "ramping_stores", ">=", 1, _num,
         lambda f: f"{_num(f['ramping_stores'])} stores are in their first 12 weeks and still ramping up.",
         lambda f: "Plan the next openings from the maturity curves: site where neighbours lose least.", 4),
    Rule("revenue_growth", "strength", "revenue_mom_change", ">=", 0.0, fmt.change,
         lambda f: f"Revenue grew {fmt.change(f['revenue_mom_change'])} in "
                   f"{_g(f, 'latest_full_month_label', 'the latest month')} on the month before "
                   f"(run rate {_money(_g(f, 'run_rate_usd'))} a month)."),
    Rule("revenue_decline", "threat", "revenue_mom_change", "<", 0.0, fmt.change,
         lambda f: f"Revenue fell {fmt.change(f['revenue_mom_change'])} in "
                   f"{_g(f, 'latest_full_month_label', 'the latest month')} on the month before.",
         lambda f: "Find where the decline sits (stores, channels, dayparts) and act on it.", 1),
    Rule("faster_production", "strength", "production_time_change", "<=", -0.10, fmt.change,
         lambda f: f"Production is faster: {fmt.change(f['production_time_change'], 0)} in mean seconds per order "
                   "since the first full month."),
    Rule("hero_product", "strength", "hero_product_share", ">=", 0.10, fmt.share,
         lambda f: f"A hero product: {_g(f, 'hero_product', '?')} is in {fmt.share(f['hero_product_share'], 0)} "
                   "of completed orders."),
]


def evaluate(figures: dict, rules: list[Rule] | None = None) -> list[Item]:
    """Every rule that fires on the figures, as a SWOT item (with its roadmap action, if any)."""
    items = []
    for rule in rules or RULES:
        if rule.fires(figures):
            items.append(Item(rule.key, rule.quadrant, rule.finding(figures), rule.cite(figures),
                              rule.horizon if rule.action else None,
                              rule.action(figures) if rule.action else ""))
    return items


def swot(items: list[Item]) -> dict[str, list[Item]]:
    return {q: [i for i in items if i.quadrant == q] for q in QUADRANTS}


def roadmap(items: list[Item]) -> dict[int, list[Item]]:
    return {h: [i for i in items if i.horizon == h] for h in HORIZONS}
