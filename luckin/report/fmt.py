"""How the report suite writes numbers, dates, codes and store names: the one place that decides.

Rules (the same in tables, texts, tiles and chart tooltips):
- money: "$" always; whole dollars with thousands separators for totals ($1,760, $48,972);
  cents only for per-unit figures (AOV, prices, CAC, per-customer values: $4.71); compact for
  headline sentences ($2.19M, $363K);
- counts: whole numbers with thousands separators (2,415); averages of counts one decimal;
- shares: percentages with one decimal (57.0%), or none where the text rounds (57%);
- changes: signed (+4.2%, -1.3 pts);
- dates: "Jun 30, 2025"; months "Jun 2025"; timestamps "Jun 30, 2025 14:05 UTC";
- store names: the brand prefix dropped in charts ("Herald Square"), full in texts;
- codes (app_store, at_risk, fixed_price_drink): one readable label each (CODE_LABELS), or
  "Sentence case with spaces" when no label is listed.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

MISSING = "–"
BRAND = "Luckin Coffee "

# --------------------------------------------------------------------------- codes -> labels

CODE_LABELS = {
    # registration and order channels
    "app_store": "App Store", "google_play": "Google Play", "popup": "Pop-up event", "pop_up": "Pop-up event",
    "referral": "Referral", "web": "Website", "mini_program": "Mini program", "in_store": "In store",
    "pickup": "Pickup", "delivery": "Delivery", "doordash": "DoorDash", "ubereats": "Uber Eats",
    "uber_eats": "Uber Eats", "grubhub": "Grubhub",
    # RFM segments
    "champions": "Champions", "loyal": "Loyal", "at_risk": "At risk", "new": "New", "hibernating": "Hibernating",
    "potential_loyalist": "Potential loyalist", "need_attention": "Needs attention",
    "needs_attention": "Needs attention", "lost": "Lost", "promising": "Promising", "about_to_sleep": "About to sleep",
    "cant_lose": "Can't lose them", "never_ordered": "Never ordered",
    # campaigns and coupons
    "new_user": "New-user offer", "fixed_price_drink": "Fixed-price drink", "percent_off": "Percent off",
    "amount_off": "Amount off", "free_drink": "Free drink", "bogo": "Buy one, get one", "discount": "Discount",
    "acquisition": "Acquisition", "retention": "Retention", "reactivation": "Reactivation",
    "brand": "Brand", "seasonal": "Seasonal", "redeemed": "Redeemed", "expired": "Expired", "open": "Open",
    "coupon_campaign": "Coupon campaign", "order_campaign": "Order's campaign",
    # devices
    "coffee_machine": "Coffee machine", "blender": "Blender", "grinder": "Grinder", "ice_maker": "Ice maker",
    "refrigerator": "Refrigerator", "fridge": "Refrigerator", "printer": "Printer", "pos_terminal": "POS terminal",
    "kds_screen": "Kitchen display", "online": "Online", "offline": "Offline", "error": "Error",
    # statuses
    "active": "Active", "ended": "Ended", "draft": "Draft", "paused": "Paused", "completed": "Completed",
    "cancelled": "Cancelled", "refunded": "Refunded", "submitted": "Submitted", "confirmed": "Confirmed",
    "delivered": "Delivered", "critical": "Critical", "warning": "Warning",
}

# Columns whose text values are codes (shown through CODE_LABELS).
_CODE_SUFFIXES = ("_type", "_channel", "_status", "_segment", "_source", "_platform", "_band_code")
_CODE_COLUMNS = {"measure", "outcome", "scenario", "severity", "channel", "segment", "quadrant", "horizon",
                 "unit_of_measure", "material_category"}


def is_code_column(column: str) -> bool:
    return column in _CODE_COLUMNS or column.endswith(_CODE_SUFFIXES)


def code_label(code) -> str:
    """app_store -> App Store; an unlisted snake_case code -> Sentence case with spaces."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return MISSING
    text = str(code)
    if text in CODE_LABELS:
        return CODE_LABELS[text]
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", text):
        words = text.replace("_", " ")
        return words[:1].upper() + words[1:]
    return text


# --------------------------------------------------------------------------- numbers

def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def money(value, cents: bool = False) -> str:
    """$1,760 (totals) or $4.71 (cents=True, per-unit figures)."""
    if _missing(value):
        return MISSING
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}${abs(v):,.2f}" if cents else f"{sign}${abs(v):,.0f}"


def compact_money(value) -> str:
    """$2,194,799 -> $2.19M; $363,412 -> $363K; $9,871 -> $9,871; $4.71 -> $4.71."""
    if _missing(value):
        return MISSING
    v = float(value)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a >= 1e6:
        return f"{sign}${a / 1e6:,.2f}M"
    if a >= 1e4:
        return f"{sign}${a / 1e3:,.0f}K"
    return money(v, cents=a < 100)


def count(value) -> str:
    """A whole count: 2,415 (never 2,414.50)."""
    if _missing(value):
        return MISSING
    return f"{int(round(float(value))):,}"


def average(value, digits: int = 1) -> str:
    """An average of counts: 18.4."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.{digits}f}"


def share(value, digits: int = 1) -> str:
    """0.5702 -> 57.0% (digits=0: 57%)."""
    if _missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f}%"


def change(value, digits: int = 1) -> str:
    """A relative change, signed: +4.2%, -1.3%."""
    if _missing(value):
        return MISSING
    return f"{float(value) * 100:+.{digits}f}%"


def multiple(value) -> str:
    """A ratio of two amounts: 7.6x."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.1f}x"


def seconds(value) -> str:
    if _missing(value):
        return MISSING
    return f"{float(value):,.0f} s"


# --------------------------------------------------------------------------- dates

def day(value) -> str:
    """Jun 30, 2025."""
    if _missing(value):
        return MISSING
    ts = pd.Timestamp(value)
    return f"{ts:%b} {ts.day}, {ts.year}"


def long_day(value) -> str:
    """June 30, 2025."""
    if _missing(value):
        return MISSING
    ts = pd.Timestamp(value)
    return f"{ts:%B} {ts.day}, {ts.year}"


def month(value) -> str:
    """Jun 2025."""
    if _missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%b %Y")


def long_month(value) -> str:
    """June 2025."""
    if _missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%B %Y")


def timestamp(value) -> str:
    """Jun 30, 2025 14:05 UTC."""
    if _missing(value):
        return MISSING
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return f"{day(ts)} {ts:%H:%M} UTC"


# --------------------------------------------------------------------------- stores

def store_short(name) -> str:
    """Luckin Coffee Herald Square -> Herald Square (charts, where the brand is implied)."""
    if _missing(name):
        return MISSING
    text = str(name)
    return text[len(BRAND):] if text.startswith(BRAND) else text


def store_page_slug(store_id) -> str:
    """The HTML page of a store under report 03: 03-store-007."""
    return f"03-store-{int(store_id):03d}"


# --------------------------------------------------------------------------- columns

_PERCENT_HINTS = ("_rate", "_share", "share_of_", "_ratio", "change_on_", "growth", "_margin")
_CENT_HINTS = ("avg_", "aov", "price", "cac", "per_customer", "per_order", "_per_unit", "unit_cost", "clv",
               "per_cost_dollar", "roas", "per_store_day_usd")
_COUNT_SUFFIXES = ("orders", "customers", "users", "coupons", "devices", "rows", "tables", "keys", "events",
                   "units_sold", "issues", "_count", "stores", "shifts", "receipts", "lines", "_days_open",
                   "trading_days", "counted_days", "stock_out_days", "store_days", "weeks_open", "loads_recorded")
_AVERAGE_PREFIXES = ("avg_", "mean_", "median_", "max_lead", "recent_")
_AVERAGE_HINTS = ("_per_", "_quantity", "days_of_cover", "lead_time_days", "_hours", "_mb", "_miles", "_months",
                  "roas", "ratio")
_ACRONYMS = {"usd": "USD", "aov": "AOV", "clv": "CLV", "cac": "CAC", "iot": "IoT", "mb": "MB", "id": "ID",
             "rfm": "RFM", "p90": "p90", "mysql": "MySQL", "28d": "28 d", "7d": "7 d", "mom": "MoM", "roi": "ROI",
             "roas": "ROAS", "cogs": "COGS", "po": "PO", "sku": "SKU", "ab": "A/B", "ai": "AI"}


def is_percent(column: str) -> bool:
    return any(h in column for h in _PERCENT_HINTS)


def is_money(column: str) -> bool:
    return column.endswith("_usd")


def money_has_cents(column: str) -> bool:
    return any(h in column for h in _CENT_HINTS)


def label(column: str) -> str:
    """A column's header: completed_orders -> Completed orders; revenue_usd -> Revenue (USD)."""
    words = column.split("_")
    unit = ""
    if words[-1] == "usd" and len(words) > 1:
        words, unit = words[:-1], " (USD)"
    if words[:1] == ["is"] or words[:1] == ["has"]:
        words = words[1:] if words[0] == "is" else words
    text = " ".join(_ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:] + unit


def value(column: str, v) -> str:
    """A cell as people read it, chosen from the column's name (the marts' naming conventions)."""
    if _missing(v):
        return MISSING
    if isinstance(v, bool) or (hasattr(v, "dtype") and str(getattr(v, "dtype", "")) == "bool"):
        return "yes" if bool(v) else "no"
    if isinstance(v, (pd.Timestamp, datetime, date)):
        if column.endswith("_at"):
            return timestamp(v)
        if column.endswith("_month") or column == "month":
            return month(v)
        return day(v)
    if isinstance(v, str):
        if column in ("store_name", "nearest_store_name"):
            return v
        return code_label(v) if is_code_column(column) else v
    if is_money(column):
        return money(v, cents=money_has_cents(column))
    if column == "roas" or column.endswith("_to_cac_ratio"):
        return multiple(v)
    if is_percent(column):
        return share(v)
    if column.endswith("_seconds"):
        return seconds(v)
    if column in ("latitude", "longitude"):
        return f"{float(v):.4f}"
    f = float(v)
    if column.endswith(_COUNT_SUFFIXES):
        return count(f)  # counts of things are whole, even when averaged (recent weekly orders)
    if column.startswith(_AVERAGE_PREFIXES) or any(h in column for h in _AVERAGE_HINTS):
        return average(f, 1)
    if f.is_integer():
        return count(f)
    return f"{f:,.2f}"
