"""Compare the written estate with the calibration targets of ../shared/spec/estate.md.

Every figure is computed from the source tables (MySQL or the SQLite stand-in) and the Redis
keys, not from the generator's memory, so the check also proves the load was faithful.

At scale s the absolute targets are multiplied by s. Sampling noise grows as the estate
shrinks, so below scale 1 each sampled figure's tolerance widens by sqrt(1/s); exact figures
(stores, devices, empty schemas, instance counts) keep their exact tolerance at every scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
import redis
import sqlalchemy as sa

from . import world as w
from .spec import load_estate

OFFLINE_VALUES = {b"offline", "offline"}


@dataclass
class Check:
    metric: str
    target: str
    actual: str
    passed: bool


def _months(ts: pd.Series) -> pd.Series:
    return pd.to_datetime(ts).dt.tz_localize("UTC").dt.tz_convert(w.BUSINESS_TZ).dt.strftime("%Y-%m")


def _latest_full_month(as_of: date) -> str:
    first = date(as_of.year, as_of.month, 1)
    prev = date(first.year - (first.month == 1), 12 if first.month == 1 else first.month - 1, 1)
    return f"{prev.year:04d}-{prev.month:02d}"


def _redis_fleet(client: redis.Redis) -> pd.DataFrame:
    rows = []
    for key in client.scan_iter(match="luckyus-iot-device:device:*", count=1000):
        h = client.hgetall(key)
        rows.append({"type": h.get(b"type", b"").decode(), "status": h.get(b"status", b"").decode()})
    return pd.DataFrame(rows, columns=["type", "status"])


def _redis_memory(client: redis.Redis) -> tuple[int, dict[str, int], dict[str, int]]:
    from .redis_writer import load_instances, namespace_used_memory

    used, budget = {}, {}
    for name in load_instances():
        used[name] = namespace_used_memory(client, name)
        budget[name] = int(client.hget(f"{name}:__server__", "maxmemory") or 0)
    return len(used), used, budget


def measure(url_for, client: redis.Redis, as_of: date) -> dict[str, float]:
    """Figures from the written estate. ``url_for(schema)`` gives a SQLAlchemy URL per schema."""
    def read(schema: str, sql: str) -> pd.DataFrame:
        engine = sa.create_engine(url_for(schema))
        try:
            with engine.connect() as con:
                return pd.read_sql(sa.text(sql), con)
        finally:
            engine.dispose()

    orders = read("luckyus_sales_order", "SELECT id, status, channel, pay_amount, create_time FROM t_order")
    orders["pay_amount"] = orders.pay_amount.astype(float)
    done = orders[orders.status == 50]
    month = _months(done.create_time)
    first_m, last_m = w.FIRST_FULL_MONTH, _latest_full_month(as_of)
    hero_orders = read("luckyus_sales_order",
                       f"SELECT DISTINCT order_id FROM t_order_item WHERE product_id = {w.HERO_PRODUCT_ID}")
    top = read("luckyus_sales_order",
               "SELECT i.product_id, COUNT(DISTINCT i.order_id) AS n FROM t_order_item i "
               "JOIN t_order o ON o.id = i.order_id WHERE o.status = 50 GROUP BY i.product_id ORDER BY n DESC")
    events = read("luckyus_ops_production",
                  "SELECT order_id, event_type, event_time FROM t_make_event WHERE event_type IN (1, 3)")
    ev = events.pivot_table(index="order_id", columns="event_type", values="event_time", aggfunc="min").dropna()
    prod = (pd.to_datetime(ev[3]) - pd.to_datetime(ev[1])).dt.total_seconds()
    prod_month = _months(ev[1])
    users = read("luckyus_sales_user", "SELECT COUNT(*) AS n FROM t_user WHERE is_deleted = 0").n.iloc[0]
    shops = read("luckyus_sales_shop", "SELECT COUNT(*) AS n FROM t_shop WHERE status = 2 AND is_deleted = 0").n.iloc[0]
    devices = read("luckyus_iot_device", "SELECT COUNT(*) AS n FROM t_device").n.iloc[0]
    estate = load_estate()

    def schema_rows(name: str) -> int:
        return int(sum(read(name, f"SELECT COUNT(*) AS n FROM {t}").n.iloc[0] for t in estate[name].tables))

    fleet = _redis_fleet(client)
    n_instances, used, budget = _redis_memory(client)
    market = "luckyus-isales-market"
    return {
        "completed_orders": len(done),
        "revenue": float(done.pay_amount.sum()),
        "aov": float(done.pay_amount.mean()),
        "aov_first_month": float(done.pay_amount[month == first_m].mean()),
        "aov_latest_month": float(done.pay_amount[month == last_m].mean()),
        "run_rate_month_revenue": float(done.pay_amount[month == w.SEED.run_rate_month].sum()),
        "active_stores": int(shops),
        "registered_users": int(users),
        "iot_devices": int(devices),
        "devices_offline": float((fleet.status == "offline").mean()) if len(fleet) else math.nan,
        "blenders_offline": float((fleet[fleet.type == "blender"].status == "offline").mean()) if len(fleet) else math.nan,
        "production_first_month": float(prod[prod_month == first_m].mean()),
        "production_latest_month": float(prod[prod_month == last_m].mean()),
        "hero_share": float(done.id.isin(hero_orders.order_id).mean()),
        "hero_is_top": float(top.product_id.iloc[0] == w.HERO_PRODUCT_ID),
        "delivery_aov": float(done[done.channel == 2].pay_amount.mean()),
        "delivery_aov_se": float(done[done.channel == 2].pay_amount.sem()),
        "pickup_aov": float(done[done.channel == 1].pay_amount.mean()),
        **{f"{schema}_rows": schema_rows(schema) for schema in w.SEED.empty_schemas},
        "mysql_schemas": len(estate),
        "redis_instances": n_instances,
        "market_memory_share": used[market] / budget[market] if budget.get(market) else 0.0,
        "market_memory_is_largest": float(max(used, key=used.get) == market),
    }


def evaluate(m: dict[str, float], scale: float) -> list[Check]:
    """The calibration table: one row per target of the spec."""
    widen = math.sqrt(1 / scale) if scale < 1 else 1.0
    checks: list[Check] = []

    def rel(metric, name, target, tol):
        actual = m[metric]
        t = target * scale
        ok = abs(actual - t) <= t * tol * widen
        checks.append(Check(name, f"{t:,.0f} ±{tol * widen:.1%}", f"{actual:,.0f} ({actual / t - 1:+.2%})", ok))

    def absolute(metric, name, target, tol, fmt="{:.2f}", exact=False):
        actual = m[metric]
        tol_ = tol if exact else tol * widen
        ok = abs(actual - target) <= tol_ + 1e-9
        checks.append(Check(name, f"{fmt.format(target)} ±{fmt.format(tol_)}", fmt.format(actual), ok))

    f = w.SEED
    rel("completed_orders", "completed orders", f.completed_orders, 0.005)
    rel("revenue", "revenue, USD", f.revenue_usd, 0.005)
    absolute("aov", "average order value, USD", f.avg_order_value_usd, 0.02)
    absolute("aov_first_month", f"AOV {f.first_full_month} (first full month)", f.first_full_month_aov_usd, 0.05)
    absolute("aov_latest_month", "AOV latest full month", f.latest_full_month_aov_usd, 0.05)
    rel("run_rate_month_revenue", f"{f.run_rate_month} revenue (run rate)", f.run_rate_month_revenue_usd, 0.02)
    absolute("active_stores", "active stores", f.active_stores, 0, "{:.0f}", exact=True)
    rel("registered_users", "registered users", f.registered_users, 0.005)
    absolute("iot_devices", "IoT devices", f.iot_devices, 0, "{:.0f}", exact=True)
    absolute("devices_offline", "devices offline now", f.offline_device_share, 0.02, "{:.1%}", exact=True)
    absolute("blenders_offline", "blenders offline now", f.offline_blender_share, 0.03, "{:.1%}", exact=True)
    absolute("production_first_month", "production seconds, first full month",
             f.first_month_production_seconds, 10, "{:.0f}")
    absolute("production_latest_month", "production seconds, latest full month",
             f.latest_month_production_seconds, 10, "{:.0f}")
    absolute("hero_share", f"orders with an {f.top_product}", f.top_product_order_share, 0.01, "{:.1%}")
    absolute("hero_is_top", f"{f.top_product} is the #1 product", 1, 0, "{:.0f}", exact=True)
    # Delivery orders are 1.5% of orders: below scale 1 allow two standard errors of their mean.
    slack = 2 * m.get("delivery_aov_se", 0.0) if scale < 1 else 0.0
    (d_lo, d_hi), (p_lo, p_hi) = f.delivery_aov_usd, f.pickup_aov_usd
    lo_ok = d_lo - slack <= m["delivery_aov"] <= d_hi + slack and p_lo <= m["pickup_aov"] <= p_hi
    band = f"${d_lo - slack:.2f}-{d_hi + slack:.2f}" if slack else f"${d_lo}-{d_hi}"
    checks.append(Check("delivery AOV vs pickup AOV", f"{band} vs ${p_lo}-{p_hi}",
                        f"${m['delivery_aov']:.2f} vs ${m['pickup_aov']:.2f}", lo_ok))
    for schema in f.empty_schemas:
        absolute(f"{schema}_rows", f"{schema} rows", 0, 0, "{:.0f}", exact=True)
    total = m["mysql_schemas"] + m["redis_instances"] + f.postgres_instances
    checks.append(Check("database instances",
                        f"{f.mysql_schemas} + {f.redis_instances} + {f.postgres_instances} = {f.database_instances}",
                        f"{m['mysql_schemas']:.0f} + {m['redis_instances']:.0f} + {f.postgres_instances} = {total:.0f}",
                        m["mysql_schemas"] == f.mysql_schemas and m["redis_instances"] == f.redis_instances))
    checks.append(Check("isales-market Redis memory alert", "largest, > 85% of budget",
                        f"{m['market_memory_share']:.1%}, largest={bool(m['market_memory_is_largest'])}",
                        m["market_memory_share"] > 0.85 and m["market_memory_is_largest"] == 1))
    return checks
