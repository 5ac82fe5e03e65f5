"""Generic filler for estate tables whose ``rows:`` is a number (the 47 minor schemas).

``generate_generic(table, scale, seed)`` returns a DataFrame with the table's columns in
declaration order, filled with values inferred from each column's name and MySQL type, and
from the optional per-table ``hints:`` of the estate YAML (the hint vocabulary is documented at
the top of ``estate/mysql_minor.yml``).

Row count
    ``max(1, round(rows * scale))`` when ``rows > 0``; 0 stays 0. *Reference tables* keep
    ``rows`` at every scale: a table is reference data when its name starts with ``t_dict_``, or
    its last word is one of ``REFERENCE_WORDS`` (``t_*_config``, ``t_*_type``, ``t_*_template``,
    ``t_*_category``, ``t_*_rule``, ``t_*_role``...), or it has at most ``REFERENCE_MAX_ROWS``
    (100) rows at scale 1 - a table that small is configuration, whatever the business volume.
    The count can only shrink if a unique key's value space is smaller than the count (then it
    is capped to that space, so the key stays unique).

Values
    * Single-column integer primary key: 1..n, in create_time order when there is one.
    * ``*_id`` integers reference something, in its id range: a ``ref`` hint; else a table of
      the same schema named ``t_<stem>``, ``t_<stem>_<reference word>`` or ``t_*_<stem>``; else
      an entity - user (1..registered users x scale), order (1..completed orders x scale),
      shop (1..active stores), device (1..IoT devices), product (1..menu size), with the
      seed's figures and ``world.PRODUCTS`` - matched on the stem or its last word
      (``clicked_product_id``); else 1..100. References to users, orders and non-reference
      tables only reach the rows that existed at the referencing row's create_time (ids grow
      with the same curve as create_time), so a review never points at a later order.
    * Integers with a code list in their COMMENT (``'1 open, 2 closed'``) take those codes.
      Otherwise names decide: flags ``TINYINT(1)`` are 0/1 with a name-dependent share of ones
      (``is_deleted`` 3%, ``is_enabled`` 90%...); counts, quantities, durations (``*_ms``,
      ``*_seconds``...), ratings, percentages, sort orders, versions; small TINYINT status-like
      codes 1..3; a bounded fallback per integer type. Always within the type's range.
    * DECIMAL(p,s): money by name (price, fee, amount, balance...), rates 0..1, coordinates in
      Manhattan, else 0..100; rounded to ``s`` decimals and kept inside ``p``. Returned as
      float64 (NaN for NULL) - exact to the declared scale once written by a driver.
    * Strings: emails (``@example.com``/``.net``/``.org``), phones (``+1 <NYC area code> 555
      xxxx``), person names, usernames, companies, menu items, Manhattan addresses and zips,
      documentation-range IPs (RFC 5737), user agents, URLs under ``static.luckyus.example``,
      hex tokens and hashes, semantic versions, business numbers (``MO2508140007``: table
      initials, yymmdd of create_time, sequence), codes, keys, cron expressions, API paths,
      service names, titles and short texts (some with emoji, to exercise utf8mb4). Unique
      string columns embed a sequence number. Always cut to the declared length.
    * DATE/DATETIME: inside the simulated window 2025-06-20 00:00:00 .. 2026-02-14 23:59:59
      (naive, meaning UTC). ``create_time`` is the anchor: business rows spread from the first
      store opening (2025-06-30) to the end with growth - a third uniform, two thirds with a
      linearly rising density; reference tables fall in the first 12 days, set up before launch.
      Rows are in create_time order, so auto-increment ids grow with time. Other time columns follow
      the previous time column in declaration order (an ``after`` hint says which and by how
      much); ``update_time`` is the latest non-NULL of them, pushed later on 45% of the rows
      (updated rows).
      So ``update_time >= create_time`` always. DATE columns are datetime64[s] at midnight.
    * Consistency inside a row: emails and usernames are built from the row's own person
      (``first_name``/``last_name`` or a ``*_name`` person column); a flag ``is_<x>`` next to a
      nullable ``<x>_time`` (``is_read``/``read_time``, ``is_published``/``publish_time``) is 1
      exactly when the time is set; ``expr`` hints compute totals and taxes.
    * JSON: compact JSON text, from a ``json`` hint example (numbers and booleans vary, a string
      ``"a|b"`` picks one) or a small default document.
    * NULLs only in nullable columns that are not part of a key: 5% by default, or the hint's
      ``null_rate`` (columns with an explicit rate share one draw per row, so equal rates are
      NULL on the same rows).

Dtypes: integers int64 (pandas ``Int64`` when the column has NULLs), DECIMAL/FLOAT float64,
DATE/DATETIME ``datetime64[s]``, strings and JSON ``object`` (None for NULL).

Determinism: every random stream comes from ``numpy.random.default_rng`` seeded with the seed, a
BLAKE2 digest of ``schema.table`` and of the column and purpose - never Python's salted
``hash()`` - so the same (table, scale, seed) gives identical frames, and adding a column does
not change the others. Everything is vectorised numpy; no Python loop runs per row.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from luckin.simulator import world
from luckin.simulator.spec import Column, Table, load_estate

__all__ = [
    "WINDOW_START",
    "WINDOW_END",
    "OPENING",
    "ENTITY_ROWS",
    "REFERENCE_WORDS",
    "REFERENCE_MAX_ROWS",
    "generate_generic",
    "is_reference_table",
    "row_count",
    "validate_hints",
    "column_kind",
]

WINDOW_START = np.datetime64(world.POPUP_START, "s")
WINDOW_END = np.datetime64(world.BASE_AS_OF, "s") + np.timedelta64(86_399, "s")
OPENING = np.datetime64(world.FIRST_OPENING, "s")  # first two stores open; business rows start here
_BUSINESS_S = int((WINDOW_END - OPENING) // np.timedelta64(1, "s"))
_DAY_S = 86_400
_HOUR_S = 3_600

# entity -> (ids 1..N at scale 1, whether N scales)
ENTITY_ROWS: dict[str, tuple[int, bool]] = {
    "user": (world.SEED.registered_users, True),
    "order": (world.SEED.completed_orders, True),  # every id below exists whatever else was cancelled
    "shop": (world.SEED.active_stores, False),
    "store": (world.SEED.active_stores, False),
    "device": (world.SEED.iot_devices, False),
    "product": (len(world.PRODUCTS), False),
}

REFERENCE_WORDS = frozenset(
    {"dict", "config", "type", "template", "category", "rule", "role", "permission",
     "definition", "setting", "plan"}
)
REFERENCE_MAX_ROWS = 100
DEFAULT_NULL_RATE = 0.05
HINT_KEYS = frozenset({"choice", "range", "ref", "json", "after", "hours", "days", "expr", "null_rate"})

_UNBOUNDED = None  # marker: a column whose value space is not enumerable (free text, decimals)


# --------------------------------------------------------------------------- value pools
_FIRST = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Aiden", "Chloe", "Jayden", "Zoe", "Daniel", "Grace", "Matthew", "Priya", "Arjun",
    "Wei", "Jia", "Hiro", "Yuki", "Mei", "Jin", "Minjun", "Seoyeon", "Carlos", "Sofia", "Diego",
    "Valentina", "Luis", "Camila", "Mateo", "Aaliyah", "Malik", "Imani", "Jamal", "Fatima",
    "Omar", "Layla", "Ahmed", "Noor", "Sarah", "David", "Rachel", "Michael", "Hannah", "Kevin",
    "Nina", "Oscar", "Elena", "Ivan", "Anya", "Kofi", "Ama", "Tariq", "Leah", "Ben",
)
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Kim", "Park", "Patel", "Shah", "Cohen", "Goldberg", "O'Brien", "Murphy", "Kowalski",
    "Ivanova", "Okafor", "Mensah", "Haddad",
)
_NICK_SUFFIX = ("", "", "", "", " ☕", " ✨", "🧋", "_nyc", "92", "_01", " 😊")
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
_AREA_CODES = ("212", "646", "917", "347", "718", "332", "929")
_COMPANIES = (
    "Hudson Valley Dairy Co.", "Tri-State Coffee Roasters", "Greenpoint Paper Goods Inc.",
    "Liberty Bakery Supply", "Metro Cold Chain LLC", "Bowery Packaging Co.",
    "Harbor Fruit Purees Inc.", "Five Boroughs Facility Services", "Empire Espresso Service LLC",
    "Midtown Office Catering Group", "Chelsea Print & Sign Co.", "Battery Park Logistics",
    "Astor Place Design Studio", "Kips Bay Dental Group", "Flatiron Legal Partners LLP",
    "SoHo Creative Agency", "NoMad Health Partners", "Gotham Analytics LLC",
)
_PRODUCTS = (
    "Iced Coconut Latte", "Coconut Latte", "Iced Latte", "Latte", "Americano", "Iced Americano",
    "Cappuccino", "Flat White", "Espresso", "Cold Brew", "Pineapple Cold Brew",
    "Raspberry Cold Brew", "Blood Orange Refresher", "Grapefruit Refresher", "Matcha Latte",
    "Iced Matcha Latte", "Coconut Matcha", "Velvet Latte", "Caramel Latte", "Vanilla Latte",
    "Mocha", "Iced Mocha", "Orange Americano", "Jasmine Tea", "Peach Oolong", "Lemon Black Tea",
    "Hot Chocolate", "Plain Bagel", "Everything Bagel", "Chocolate Chip Cookie",
    "Double Chocolate Cookie", "Chocolate Cake", "Croissant", "Banana Bread", "Blueberry Muffin",
)
_NEIGHBORHOODS = (
    "Greenwich Village", "NoMad", "Midtown East", "Midtown West", "Financial District", "Tribeca",
    "SoHo", "Chelsea", "Flatiron", "Union Square", "Murray Hill", "Kips Bay", "Hudson Yards",
    "Upper East Side", "Upper West Side", "Morningside Heights", "East Village", "Gramercy",
)
_STREETS = (
    "Broadway", "6th Ave", "5th Ave", "Madison Ave", "Lexington Ave", "3rd Ave", "2nd Ave",
    "Park Ave S", "W 14th St", "E 23rd St", "W 34th St", "E 42nd St", "W 57th St", "Canal St",
    "Houston St", "Bleecker St", "Fulton St", "Wall St", "Water St", "Church St", "Hudson St",
    "8th Ave", "7th Ave", "Amsterdam Ave", "Columbus Ave",
)
_ZIPS = (
    "10001", "10003", "10004", "10005", "10006", "10007", "10010", "10011", "10012", "10013",
    "10014", "10016", "10017", "10018", "10019", "10021", "10022", "10023", "10024", "10025",
    "10027", "10028", "10036", "10038",
)
_SERVICES = (
    "order-service", "user-service", "product-service", "market-service", "payment-service",
    "delivery-service", "shop-service", "iot-service", "scm-service", "notify-service",
    "risk-service", "cs-service", "gateway", "job-admin",
)
_API_PATHS = (
    "/api/v1/order/create", "/api/v1/order/detail", "/api/v1/order/list", "/api/v1/order/cancel",
    "/api/v1/pay/prepay", "/api/v1/pay/callback/stripe", "/api/v1/coupon/list",
    "/api/v1/coupon/claim", "/api/v1/menu/list", "/api/v1/menu/product/detail",
    "/api/v1/shop/nearby", "/api/v1/user/login/sms", "/api/v1/user/profile", "/api/v1/cart/add",
    "/api/v1/cart/list", "/api/v1/search", "/api/v1/banner/list", "/api/v1/notice/unread",
    "/api/v1/device/heartbeat", "/api/v1/delivery/callback/doordash",
)
_API_WEIGHTS = (6, 8, 6, 1, 5, 4, 5, 2, 12, 7, 6, 3, 3, 4, 4, 3, 6, 3, 7, 1)
_USER_AGENTS = (
    "LuckinCoffee/2.6.1 (iPhone; iOS 17.5.1; Scale/3.00)",
    "LuckinCoffee/2.6.0 (iPhone; iOS 18.1; Scale/3.00)",
    "LuckinCoffee/2.5.3 (iPhone; iOS 16.7.8; Scale/2.00)",
    "LuckinCoffee/2.5.3 (Linux; Android 14; Pixel 8)",
    "LuckinCoffee/2.6.1 (Linux; Android 13; SM-S911U)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "okhttp/4.12.0",
)
_DEVICE_MODELS = (
    "iPhone 16 Pro", "iPhone 15", "iPhone 15 Pro", "iPhone 14", "iPhone 13", "Pixel 8",
    "Pixel 7a", "Galaxy S24", "Galaxy S23", "Galaxy A54", "moto g 5G",
)
_CUSTOMER_TEXT = (
    "Iced coconut latte was perfect as always.", "Pickup was fast, the order was ready when I arrived.",
    "Drink was too sweet today.", "Could you add oat milk for the matcha?",
    "The app crashed when I tried to apply a coupon.", "Staff at the counter were super friendly ☕",
    "My order showed ready but the drink was not on the shelf.", "Please bring back the $1.99 promo 😍",
    "Wrong size was made, I asked for large.", "Too much ice in the cold brew.",
    "Love the pineapple cold brew!", "Coupon disappeared after the order was cancelled.",
    "Payment went through twice, please refund one charge.", "Store was crowded at 8:30, waited 12 minutes.",
    "Great value for the price.", "Cookie was a bit stale.", "Can you open a store near Columbia?",
    "QR code would not scan at the counter.", "Refund received, thanks for the quick help.",
    "Nice latte art 👍", "Cup lid was loose and leaked.", "Best coffee near NYU.",
    "Drink was lukewarm.", "Matcha latte tasted great, less sweet please.", "Delivery took 45 minutes.",
    "The app asks for my location every time.", "Dark mode please!",
)
_MARKETING_TEXT = (
    "Every drink is $1.99 in the app today only.", "Your order is ready - scan the QR code at the counter.",
    "A $3 coupon is waiting in your wallet.", "Your coupon expires in 24 hours.",
    "Order ahead and skip the line.", "Try the new Blood Orange Refresher ☀️",
    "Invite a friend: you both get a free drink.", "The Iced Coconut Latte is back 🥥",
    "Morning deal: 30% off any latte before 10am.", "We just opened a new store near you.",
    "Cold brew Fridays: buy one, get one half off.", "Thanks for your feedback - here is a coupon on us.",
)
_REPLY_TEXT = (
    "Thanks for the feedback, we have shared it with the store team.",
    "Sorry about that - a coupon has been added to your wallet.", "Glad you enjoyed it! ☕",
    "We are looking into this with the store manager.", "Thanks! See you tomorrow morning.",
    "Sorry for the wait, we are adding staff for the morning peak.",
)
_RELEASE_TEXT = (
    "Bug fixes and performance improvements.", "Improved coupon wallet and faster checkout.",
    "Added Apple Pay express checkout.", "New store locator map.", "Fixes a crash when applying coupons.",
    "Security patch for the network module.", "Faster menu loading.", "Calibration fix for the temperature probe.",
)
_INTERNAL_TEXT = (
    "Owned by the growth team.", "Reviewed with operations.", "Kept for compatibility with app 2.4.",
    "Do not change without a ticket.", "Added for the store opening campaign.",
    "Agreed with the finance team.", "Checked and confirmed, no further action.",
    "Follow-up scheduled with the store manager.", "Temporary until the holiday campaign ends.",
    "Migrated from the pilot setup.", "Vendor confirmed the visit window.",
    "Escalated to the payments team.",
)
_TITLES = (
    "Your order is ready", "New store now open on Broadway", "Every drink $1.99 today",
    "Weekend double coupons", "Iced Coconut Latte is back", "Try our Raspberry Cold Brew",
    "Invite a friend, get a free drink", "Your coupon expires tomorrow", "Morning deal: 7-10am",
    "Refund processed", "Scheduled app maintenance", "Matcha week", "Back to school at NYU",
    "Holiday hours", "Thank you for your feedback", "Coffee break for the office",
    "Blood Orange Refresher just launched", "Cold brew Fridays", "Free cookie with any latte",
    "New: Coconut Matcha",
)
_KEYWORDS = (
    "coconut latte", "iced coconut", "coconut", "latte", "cold brew", "pineapple", "raspberry",
    "matcha", "refresher", "blood orange", "grapefruit", "americano", "espresso", "mocha",
    "decaf", "oat milk", "bagel", "cookie", "chocolate cake", "tea", "caramel", "vanilla",
    "cocnut latte", "iced latte", "sugar free", "☕",
)
_EVENTS = (
    "app_open", "page_view", "product_view", "add_to_cart", "checkout_start", "pay_success",
    "coupon_claim", "search", "banner_click", "push_open",
)
_ERRORS = (
    "Connection timed out after 3000 ms", "Duplicate entry for key 'uk_coupon_no'",
    "Payment gateway returned card_declined", "Redis command timed out", "Invalid signature",
    "Coupon already used", "Not enough stock for SKU", "Order status changed concurrently",
    "Token expired", "Upstream service unavailable (503)",
    "NullPointerException in CouponService.apply", "Rate limit exceeded",
)
_CRONS = (
    "0 */5 * * * ?", "0 0 3 * * ?", "0 0/10 * * * ?", "0 30 4 * * ?", "0 0 * * * ?",
    "0 15 10 ? * MON-FRI", "0 0 6 * * ?", "0 */1 * * * ?",
)
_VERBS = ("Sync", "Expire", "Close", "Refresh", "Compute", "Archive", "Export", "Reconcile",
          "Rebuild", "Notify", "Clean up", "Recalculate")
_NOUNS = ("coupon stock", "unpaid orders", "device heartbeats", "daily settlement", "store stock",
          "user features", "search index", "campaign spend", "push tasks", "expired tokens",
          "delivery status", "price cache")
_TAGS = ("new user", "office", "student", "morning", "coupon", "vip", "delivery", "weekend")
_CONFIG_VALUES = ("true", "false", "3", "10", "30", "0.5", "USD", "America/New_York",
                  "https://static.luckyus.example/home/banner.png", "[1,2,3]", '{"max":2}')
_DEEPLINKS = ("luckinus://menu", "luckinus://coupon/wallet", "luckinus://order/list",
              "luckinus://invite", "luckinus://menu?product_id=1", "luckinus://shop/nearby")
_MODULES = ("order", "coupon", "campaign", "product", "shop", "user", "device", "config")
_FEATURES = ("new_checkout", "apple_pay_express", "reorder_button", "store_map", "coupon_reminder",
             "dark_mode", "menu_sort_popularity", "delivery_entry", "search_suggest",
             "banner_autoplay", "referral_v2", "pickup_eta")
_ACTIONS = ("create", "update", "delete", "export", "approve", "query")
_MIMES = ("image/png", "image/jpeg", "application/pdf", "text/csv")

_HEX = "0123456789abcdef"
_ALNUM_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: codes people type
_B64ISH = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


# --------------------------------------------------------------------------- public helpers
def column_kind(col: Column) -> str:
    """int | flag | decimal | float | string | json | date | datetime."""
    base = col.base_type
    if col.is_flag or base in ("BOOL", "BOOLEAN"):
        return "flag"
    if base in ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT"):
        return "int"
    if base in ("DECIMAL", "NUMERIC"):
        return "decimal"
    if base in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    if base in ("CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT"):
        return "string"
    if base == "JSON":
        return "json"
    if base == "DATE":
        return "date"
    if base in ("DATETIME", "TIMESTAMP"):
        return "datetime"
    # Bad input, not a stub: an estate YAML column of a type this generator cannot fill must
    # stop the simulation with its name rather than produce wrong values.
    raise ValueError(f"column {col.name!r}: type {base} is not supported by the generic generator "
                     "(use DATE/DATETIME/JSON/numeric/text types, or a `rows: core` generator)")


def is_reference_table(table: Table) -> bool:
    """Dictionaries and configuration: their row count does not scale (see module docstring)."""
    if table.name.startswith("t_dict_") or table.name.split("_")[-1] in REFERENCE_WORDS:
        return True
    return isinstance(table.rows, int) and table.rows <= REFERENCE_MAX_ROWS


def row_count(table: Table, scale: float) -> int:
    """Rows generated for ``table`` at ``scale`` (before any unique-key cap)."""
    if isinstance(table.rows, bool) or not isinstance(table.rows, int):
        raise ValueError(f"{table.qualified}: rows is {table.rows!r}; the generic generator needs a number")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if table.rows <= 0:
        return 0
    if is_reference_table(table):
        return table.rows
    return max(1, int(round(table.rows * scale)))


def validate_hints(table: Table) -> None:
    """Raise ValueError on a hint naming an unknown column or using an unknown key."""
    names = set(table.column_names)
    for col, hint in table.hints.items():
        where = f"{table.qualified} hint {col!r}"
        if col not in names:
            raise ValueError(f"{where}: no such column")
        if not isinstance(hint, dict) or not hint:
            raise ValueError(f"{where}: must be a non-empty mapping")
        unknown = set(hint) - HINT_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if "choice" in hint and (not isinstance(hint["choice"], list) or not hint["choice"]):
            raise ValueError(f"{where}: choice must be a non-empty list")
        if "range" in hint and (not isinstance(hint["range"], list) or len(hint["range"]) != 2):
            raise ValueError(f"{where}: range must be [lo, hi]")
        for key in ("hours", "days"):
            if key in hint and (not isinstance(hint[key], list) or len(hint[key]) != 2):
                raise ValueError(f"{where}: {key} must be [lo, hi]")
            if key in hint and "after" not in hint:
                raise ValueError(f"{where}: {key} needs after")
        if "after" in hint and hint["after"] not in names:
            raise ValueError(f"{where}: after names no column")
        if "null_rate" in hint and not table.column(col).nullable:
            raise ValueError(f"{where}: null_rate on a NOT NULL column")
        if "expr" in hint:
            for ident in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(hint["expr"])):
                if ident not in names:
                    raise ValueError(f"{where}: expr uses unknown column {ident!r}")


def generate_generic(table: Table, scale: float, seed: int) -> pd.DataFrame:
    """Fill ``table`` (integer ``rows``) at ``scale``; deterministic in (table, scale, seed)."""
    validate_hints(table)
    return _TableGenerator(table, scale, seed).frame()


# --------------------------------------------------------------------------- internals
def _digest(*parts: str) -> int:
    h = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def _words(name: str) -> set[str]:
    return set(name.lower().split("_"))


def _comment(col: Column) -> str:
    m = re.search(r"COMMENT\s+'((?:[^']|'')*)'", col.definition, re.IGNORECASE)
    return m.group(1).replace("''", "'") if m else ""


def _comment_codes(col: Column) -> list[int] | None:
    """'1 open, 2 closed' -> [1, 2] (at least two codes, each part starting with one)."""
    codes = []
    for part in _comment(col).split(","):
        m = re.match(r"^\s*(-?\d+)\s+[A-Za-z]", part)
        if m:
            codes.append(int(m.group(1)))
    return codes if len(codes) >= 2 else None


def _int_bounds(col: Column) -> tuple[int, int]:
    bits = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INT": 32, "INTEGER": 32, "BIGINT": 64}[col.base_type]
    if col.unsigned:
        return 0, min(2**bits - 1, 2**63 - 1)
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _decimal_bounds(col: Column) -> tuple[float, float, int]:
    args = col.type_args or (10, 0)
    p, s = (args + (0,))[:2]
    top = 10.0 ** (p - s) - 10.0 ** (-s)
    return (0.0 if col.unsigned else -top), top, s


def _to_dt64(value: Any, end_of_day: bool = False) -> np.datetime64:
    text = str(value)
    dt = np.datetime64(text, "s")
    if end_of_day and len(text) <= 10:
        dt = dt + np.timedelta64(_DAY_S - 1, "s")
    return dt


def _str_array(values) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=str)


def _pick(rng: np.random.Generator, pool, n: int, weights=None) -> np.ndarray:
    arr = np.asarray(pool, dtype=str)
    p = None if weights is None else np.asarray(weights, float) / float(np.sum(weights))
    return arr[rng.choice(len(arr), size=n, p=p)]


def _cat(*parts) -> np.ndarray:
    out = parts[0] if isinstance(parts[0], np.ndarray) else np.asarray(parts[0], dtype=str)
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


def _chars_from_codepoints(cp: np.ndarray) -> np.ndarray:
    n, width = cp.shape
    return np.ascontiguousarray(cp.astype(np.uint32)).view(f"<U{width}").reshape(n)


def _random_text(rng: np.random.Generator, n: int, length: int, alphabet: str, seq: np.ndarray | None = None) -> np.ndarray:
    """Random strings of ``length`` chars; with ``seq``, the tail spells seq in base len(alphabet)."""
    alpha = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)
    cp = alpha[rng.integers(0, len(alpha), size=(n, length))]
    if seq is not None:
        base = len(alpha)
        k = max(1, math.ceil(math.log(int(seq.max()) + 1, base) + 1e-9))
        if k > length:
            raise ValueError("sequence does not fit in the code length")
        for j in range(k):
            cp[:, length - 1 - j] = alpha[(seq // base**j) % base]
    return _chars_from_codepoints(cp)


def _zfill(nums: np.ndarray, width: int) -> np.ndarray:
    return np.strings.zfill(np.asarray(nums, dtype=np.int64).astype(str), width)


def _ymd_compact(dt: np.ndarray) -> np.ndarray:
    """datetime64 -> 'yymmdd'."""
    iso = np.datetime_as_string(dt.astype("datetime64[D]"), unit="D")  # YYYY-MM-DD
    cp = np.ascontiguousarray(iso.astype("<U10")).view(np.uint32).reshape(len(iso), 10)
    return _chars_from_codepoints(cp[:, [2, 3, 5, 6, 8, 9]])


def _initials(name: str) -> str:
    words = [w for w in name.split("_") if w and w != "t"]
    if not words:
        return "NO"
    if len(words) == 1:
        return words[0][:2].upper()
    return "".join(w[0] for w in words).upper()[:4]


def _fit(values: np.ndarray, maxlen: int) -> np.ndarray:
    width = values.dtype.itemsize // 4
    return values.astype(f"<U{maxlen}") if width > maxlen else values


def _with_suffix(values: np.ndarray, seq: np.ndarray, maxlen: int) -> np.ndarray:
    """Make strings unique: 'value-<seq>' cut so the suffix always survives."""
    suffix = np.strings.add("-", np.asarray(seq).astype(str))
    room = maxlen - int(np.strings.str_len(suffix).max())
    if room < 1:
        return _fit(np.asarray(seq).astype(str), maxlen)
    return np.strings.add(_fit(values, room), suffix)


@dataclass
class _Domain:
    """A finite value space for unique-key sampling: index i -> value."""
    size: int
    values: np.ndarray | None = None  # explicit values, or None for lo + i
    lo: int = 0
    kind: str = "int"  # int | date | datetime | string

    def decode(self, idx: np.ndarray) -> np.ndarray:
        if self.values is not None:
            return self.values[idx]
        if self.kind == "date":
            return WINDOW_START + (self.lo + idx).astype("timedelta64[D]").astype("timedelta64[s]")
        if self.kind == "datetime":
            return WINDOW_START + (self.lo + idx).astype("timedelta64[s]")
        return (self.lo + idx).astype(np.int64)


@dataclass
class _IntSpec:
    lo: int = 0
    hi: int = 0
    values: np.ndarray | None = None
    p_one: float | None = None  # flags
    dist: str = "uniform"  # uniform | loguniform


class _TableGenerator:
    def __init__(self, table: Table, scale: float, seed: int):
        self.t = table
        self.scale = scale
        self.seed = int(seed) & (2**64 - 1)
        self.table_key = _digest(table.schema, table.name)
        self.reference = is_reference_table(table)
        self.n = row_count(table, scale)
        self.kinds = {c.name: column_kind(c) for c in table.columns}
        self.cols = {c.name: c for c in table.columns}
        self.raw: dict[str, np.ndarray] = {}
        self._busy: set[str] = set()
        self.unique_string: set[str] = set()
        self.seq = self.perm_seq = None
        self.masks: dict[str, np.ndarray] = {}
        self.time_cols = [c.name for c in table.columns if self.kinds[c.name] in ("date", "datetime")]
        self.anchor = self._anchor_name()
        estate = load_estate()
        self.siblings = estate[table.schema].tables if table.schema in estate else {}
        self.estate = estate

    # ---------------------------------------------------------------- randomness
    def rng(self, *purpose: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.table_key, _digest(*purpose)])

    # ---------------------------------------------------------------- structure
    def _anchor_name(self) -> str | None:
        for name in ("create_time", "created_at", "gmt_create", "create_date"):
            if name in self.kinds:
                return name
        others = [c for c in self.time_cols if c != "update_time"]
        if others:
            return others[0]
        return "update_time" if "update_time" in self.kinds else None

    def hint(self, name: str) -> dict:
        return self.t.hints.get(name) or {}

    def _seq_pk(self) -> str | None:
        pk = self.t.primary_key
        if len(pk) == 1 and self.kinds[pk[0]] == "int":
            return pk[0]
        return None

    def frame(self) -> pd.DataFrame:
        if self.n == 0:
            return self._assemble({}, {})
        self._plan_unique_keys()
        self.seq = np.arange(1, self.n + 1, dtype=np.int64)
        self.perm_seq = self.rng("unique", "permutation").permutation(self.seq)
        self.masks = self._null_masks()
        seq_pk = self._seq_pk()
        for c in self.t.columns:
            if c.name != seq_pk:
                self.get(c.name)
        # rows in create_time order, so auto-increment ids grow with time
        order = None
        if self.anchor is not None and self.anchor in self.raw:
            order = np.argsort(self.raw[self.anchor], kind="stable")
        values = {k: (v[order] if order is not None else v) for k, v in self.raw.items()}
        masks = {k: (m[order] if order is not None else m) for k, m in self.masks.items()}
        if seq_pk is not None:
            values[seq_pk] = np.arange(1, self.n + 1, dtype=np.int64)
        return self._assemble(values, masks)

    def _plan_unique_keys(self) -> None:
        groups: list[tuple[str, ...]] = []
        if self._seq_pk() is None:
            groups.append(tuple(self.t.primary_key))
        groups += [tuple(cols) for cols in self.t.unique.values()]
        assigned: set[str] = set()
        for cols in groups:
            free = [c for c in cols if c not in assigned and c != self._seq_pk()]
            if not free:
                continue
            # a free-text column makes the whole key unique on its own
            texts = [c for c in free if self._domain(c) is _UNBOUNDED]
            if texts:
                if self.kinds[texts[0]] != "string":
                    raise ValueError(f"{self.t.qualified}: cannot make {texts[0]!r} unique")
                self.unique_string.add(texts[0])
                assigned.add(texts[0])
                continue
            domains = [self._domain(c) for c in free]
            sizes = [d.size for d in domains]
            total = math.prod(sizes)
            if total < self.n:
                self.n = total  # the key's value space is the limit
            idx = self._distinct_combos(sizes, "|".join(free))
            for c, d, i in zip(free, domains, idx):
                self.raw[c] = d.decode(i)
                if self.kinds[c] == "date":
                    self.raw[c] = self.raw[c].astype("datetime64[D]").astype("datetime64[s]")
                assigned.add(c)
        # every column decided by a key was drawn for the first self.n rows: trim if capped
        for c in list(self.raw):
            self.raw[c] = self.raw[c][: self.n]

    def _distinct_combos(self, sizes: list[int], key: str) -> list[np.ndarray]:
        rng = self.rng("unique", key)
        n = self.n
        total = math.prod(sizes)
        if total <= 2_000_000:
            lin = rng.choice(total, size=n, replace=False)
            if self.reference:
                lin = np.sort(lin)
            return list(np.unravel_index(lin, sizes))
        idx = [rng.integers(0, s, n) for s in sizes]
        for _ in range(200):
            dup = pd.DataFrame({i: a for i, a in enumerate(idx)}).duplicated().to_numpy()
            if not dup.any():
                break
            k = int(dup.sum())
            for a, s in zip(idx, sizes):
                a[dup] = rng.integers(0, s, k)
        else:  # pragma: no cover - needs a key space barely larger than the row count
            raise RuntimeError(f"{self.t.qualified}: could not draw distinct values for {key}")
        if self.reference:
            order = np.lexsort(idx[::-1])
            idx = [a[order] for a in idx]
        return idx

    def _domain(self, name: str) -> _Domain | None:
        kind = self.kinds[name]
        h = self.hint(name)
        if "choice" in h:
            return _Domain(len(h["choice"]), values=self._cast_choice(name, h["choice"]))
        if kind in ("int", "flag"):
            spec = self._int_spec(name)
            if spec.values is not None:
                return _Domain(len(spec.values), values=spec.values)
            return _Domain(spec.hi - spec.lo + 1, lo=spec.lo)
        if kind in ("date", "datetime"):
            lo, hi = self._time_range(name)
            unit = _DAY_S if kind == "date" else 1
            lo_i = int((lo - WINDOW_START) // np.timedelta64(unit, "s"))
            hi_i = int((hi - WINDOW_START) // np.timedelta64(unit, "s"))
            return _Domain(hi_i - lo_i + 1, lo=lo_i, kind=kind)
        return _UNBOUNDED

    def _cast_choice(self, name: str, choice: list) -> np.ndarray:
        kind = self.kinds[name]
        if kind in ("int", "flag"):
            return np.asarray([int(v) for v in choice], dtype=np.int64)
        if kind in ("decimal", "float"):
            return np.asarray([float(v) for v in choice], dtype=np.float64)
        if kind in ("date", "datetime"):
            return np.asarray([_to_dt64(v) for v in choice], dtype="datetime64[s]")
        return _str_array(choice)

    # ---------------------------------------------------------------- lazy column generation
    def get(self, name: str) -> np.ndarray:
        if name in self.raw:
            return self.raw[name]
        if name in self._busy:
            raise ValueError(f"{self.t.qualified}: circular dependency through column {name!r}")
        self._busy.add(name)
        try:
            self.raw[name] = self._generate(name)
        finally:
            self._busy.discard(name)
        return self.raw[name]

    def _generate(self, name: str) -> np.ndarray:
        kind = self.kinds[name]
        h = self.hint(name)
        if "expr" in h:
            return self._expr(name, h["expr"])
        if kind in ("date", "datetime"):
            return self._time(name)
        if "choice" in h:
            values = self._cast_choice(name, h["choice"])
            if self.reference:
                out = values[np.arange(self.n) % len(values)]
            else:
                out = values[self.rng(name, "choice").integers(0, len(values), self.n)]
            if kind == "string":
                return _fit(out, self._maxlen(name))
            return out
        mirror = self._mirrored_time(name) if kind == "flag" else None
        if mirror is not None:  # is_read = read_time IS NOT NULL
            return (~self.masks[mirror]).astype(np.int64)
        if kind in ("int", "flag"):
            return self._ints(name)
        if kind in ("decimal", "float"):
            return self._decimals(name)
        if kind == "json":
            return self._json(name)
        return self._strings(name)

    def _mirrored_time(self, name: str) -> str | None:
        if not name.startswith("is_"):
            return None
        stem = name[3:]
        for cand in (f"{stem}_time", f"{stem[:-2]}_time" if stem.endswith("ed") else None):
            if cand and cand in self.masks and self.kinds.get(cand) in ("date", "datetime"):
                return cand
        return None

    # ---------------------------------------------------------------- integers
    def _entity_size(self, ref: str) -> int | None:
        if ref in ENTITY_ROWS:
            base, scales = ENTITY_ROWS[ref]
            return max(1, int(round(base * self.scale))) if scales else base
        schema, _, tname = ref.rpartition(".")
        tables = self.estate[schema].tables if schema and schema in self.estate else self.siblings
        target = tables.get(tname)
        if target is None or not isinstance(target.rows, int) or isinstance(target.rows, bool):
            return None
        return max(1, row_count(target, self.scale))

    def _ref_target(self, name: str) -> tuple[int, bool]:
        """(id range size, whether the referenced rows appear over time: users, orders, activity tables)."""
        h = self.hint(name)
        if "ref" in h:
            return self._target_of(str(h["ref"]), name)
        stem = name[:-3]
        candidates = [f"t_{stem}"] + [f"t_{stem}_{w}" for w in sorted(REFERENCE_WORDS)]
        for cand in candidates:
            if cand in self.siblings and cand != self.t.name and self._entity_size(cand) is not None:
                return self._target_of(cand, name)
        for ent in (stem, stem.split("_")[-1]):
            if ent in ENTITY_ROWS:
                return self._target_of(ent, name)
        for tname in self.siblings:
            if tname.endswith(f"_{stem}") and tname != self.t.name and self._entity_size(tname) is not None:
                return self._target_of(tname, name)
        return 100, False

    def _target_of(self, ref: str, name: str) -> tuple[int, bool]:
        size = self._entity_size(ref)
        if size is None:
            raise ValueError(f"{self.t.qualified}.{name}: ref {ref!r} is not an entity or a table with a row count")
        if ref in ENTITY_ROWS:
            return size, ENTITY_ROWS[ref][1]
        schema, _, tname = ref.rpartition(".")
        target = (self.estate[schema].tables if schema else self.siblings)[tname]
        return size, not is_reference_table(target)

    def _int_spec(self, name: str) -> _IntSpec:
        col = self.cols[name]
        lo_b, hi_b = (0, 1) if self.kinds[name] == "flag" else _int_bounds(col)
        h = self.hint(name)
        nm = name.lower()
        w = _words(nm)

        def clip(lo, hi, dist="uniform"):
            lo, hi = max(lo_b, int(lo)), min(hi_b, int(hi))
            return _IntSpec(lo=lo, hi=max(lo, hi), dist=dist)

        if "choice" in h:
            return _IntSpec(values=self._cast_choice(name, h["choice"]))
        if "range" in h:
            return clip(h["range"][0], h["range"][1])
        if "ref" in h or nm.endswith("_id"):
            size, grows = self._ref_target(name)
            return clip(1, size, "growth" if grows else "uniform")
        if self.kinds[name] == "flag":
            return _IntSpec(values=np.array([0, 1]), p_one=self._flag_share(w))
        codes = _comment_codes(col)
        if codes:
            return _IntSpec(values=np.asarray(codes, dtype=np.int64))
        base = col.base_type
        if {"http"} & w or nm in ("status_code", "http_code"):
            return _IntSpec(values=np.array([200] * 17 + [201, 204, 400, 401, 404, 429, 500, 502]))
        if w & {"rating", "star", "stars"}:
            return clip(1, 5)
        if w & {"quantity", "qty"}:
            return _IntSpec(values=np.array([1] * 12 + [2] * 5 + [3, 3, 4, 5]))
        if w & {"count", "num", "times", "sales", "total"}:
            return clip(0, 20 if base == "TINYINT" else 500, "loguniform")
        if nm.endswith("_ms") or "latency" in w:
            return clip(3, 5000, "loguniform")
        if "seconds" in w:
            return clip(1, 3600, "loguniform")
        if "minutes" in w:
            return clip(5, 480)
        if "hours" in w:
            return clip(1, 72)
        if "days" in w:
            return clip(1, 365)
        if w & {"sort", "seq", "weight"} or (w & {"priority"} and base != "TINYINT"):
            return clip(0, 100)
        if w & {"percent", "pct", "score"}:
            return clip(0, 100)
        if "version" in w:
            return clip(100, 400)
        if w & {"size", "bytes"}:
            return clip(1_000, 50_000_000, "loguniform")
        if "points" in w:
            return clip(0, 500)
        if w & {"delta", "diff", "change"}:
            return clip(-100, 100)
        if base == "TINYINT" and w & {"status", "type", "level", "channel", "platform", "priority",
                                      "source", "mode", "stage", "state", "kind", "result", "action"}:
            return clip(1, 3)
        fallback = {"TINYINT": 10, "SMALLINT": 1000, "MEDIUMINT": 10_000, "INT": 10_000,
                    "INTEGER": 10_000, "BIGINT": 1_000_000}[base]
        return clip(0, fallback)

    @staticmethod
    def _flag_share(w: set[str]) -> float:
        if "deleted" in w:
            return 0.03
        if w & {"enabled", "enable", "active", "valid", "success", "passed", "selected",
                "published", "complete", "required", "auth", "served", "store"}:
            return 0.9
        if "read" in w:
            return 0.6
        if w & {"clicked", "click", "late", "winning", "anonymous", "latest", "online", "force",
                "mandatory", "default"}:
            return 0.2
        return 0.5

    def _ints(self, name: str) -> np.ndarray:
        spec = self._int_spec(name)
        rng = self.rng(name, "int")
        n = self.n
        if spec.p_one is not None:
            return (rng.random(n) < spec.p_one).astype(np.int64)
        if spec.values is not None:
            return spec.values[rng.integers(0, len(spec.values), n)].astype(np.int64)
        if spec.dist == "growth" and self.anchor not in (None, name) and self.anchor not in self._busy:
            # only rows that existed at this row's time: ids grow with the same curve as anchors
            x = (self.get(self.anchor) - OPENING) / np.timedelta64(_BUSINESS_S, "s")
            x = np.clip(x.astype(np.float64), 0.0, 1.0)
            top = np.maximum(spec.lo, np.ceil(spec.hi * (x / 3 + 2 * x * x / 3))).astype(np.int64)
            return spec.lo + np.floor(rng.random(n) * (top - spec.lo + 1)).astype(np.int64)
        if spec.dist == "loguniform" and spec.hi > spec.lo:
            lo, hi = math.log(spec.lo + 1), math.log(spec.hi + 1)
            out = np.floor(np.exp(rng.uniform(lo, hi, n)) - 1).astype(np.int64)
            return np.clip(out, spec.lo, spec.hi)
        return rng.integers(spec.lo, spec.hi, n, endpoint=True).astype(np.int64)

    # ---------------------------------------------------------------- decimals
    def _decimals(self, name: str) -> np.ndarray:
        col = self.cols[name]
        h = self.hint(name)
        rng = self.rng(name, "decimal")
        n = self.n
        if self.kinds[name] == "decimal":
            lo_b, hi_b, s = _decimal_bounds(col)
        else:
            lo_b, hi_b, s = -1e12, 1e12, 4
        w = _words(name)
        if "range" in h:
            out = rng.uniform(float(h["range"][0]), float(h["range"][1]), n)
        elif w & {"latitude", "lat"}:
            out = rng.uniform(40.700, 40.800, n)
        elif w & {"longitude", "lng", "lon"}:
            out = rng.uniform(-74.020, -73.930, n)
        elif w & {"percent", "pct"}:
            out = rng.uniform(0, 100, n)
        elif w & {"rate", "ratio", "probability", "prob", "ctr", "cvr"}:
            out = rng.beta(2, 5, n)
        elif "price" in w:
            out = np.exp(rng.uniform(math.log(2.49), math.log(8.99), n))
        elif "fee" in w:
            out = rng.uniform(0.99, 7.99, n)
        elif "tax" in w:
            out = rng.uniform(0, 30, n)
        elif w & {"amount", "total", "balance", "value", "budget", "gross", "net", "subtotal",
                  "cost", "limit", "quota", "pay"}:
            out = np.exp(rng.normal(math.log(25), 1.0, n))
        elif w & {"temperature", "temp"}:
            out = rng.uniform(34, 200, n)
        elif w & {"distance", "miles", "km"}:
            out = rng.uniform(0.1, 5, n)
        elif w & {"hours", "hour"}:
            out = rng.uniform(0.5, 12, n)
        else:
            out = rng.uniform(0, 100, n)
        return self._round_decimal(out, lo_b, hi_b, s)

    @staticmethod
    def _round_decimal(values: np.ndarray, lo: float, hi: float, s: int) -> np.ndarray:
        return np.round(np.clip(values.astype(np.float64), lo, hi), s)

    def _expr(self, name: str, expr: str) -> np.ndarray:
        idents = [i for i in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(expr)) if i in self.kinds]
        frame = pd.DataFrame({i: np.asarray(self.get(i), dtype=np.float64) for i in dict.fromkeys(idents)})
        out = np.asarray(frame.eval(str(expr)), dtype=np.float64)
        kind = self.kinds[name]
        if kind in ("int", "flag"):
            lo, hi = _int_bounds(self.cols[name]) if kind == "int" else (0, 1)
            return np.clip(np.round(out), lo, hi).astype(np.int64)
        if kind == "decimal":
            lo, hi, s = _decimal_bounds(self.cols[name])
            return self._round_decimal(out, lo, hi, s)
        if kind == "float":
            return np.round(out, 4)
        raise ValueError(f"{self.t.qualified}.{name}: expr needs a numeric column")

    # ---------------------------------------------------------------- times
    def _time_range(self, name: str) -> tuple[np.datetime64, np.datetime64]:
        h = self.hint(name)
        if "range" in h:
            lo = max(_to_dt64(h["range"][0]), WINDOW_START)
            hi = min(_to_dt64(h["range"][1], end_of_day=True), WINDOW_END)
            if hi < lo:
                raise ValueError(f"{self.t.qualified}.{name}: range outside the window")
            return lo, hi
        return WINDOW_START, WINDOW_END

    def _time(self, name: str) -> np.ndarray:
        h = self.hint(name)
        rng = self.rng(name, "time")
        n = self.n
        if "range" in h:
            lo, hi = self._time_range(name)
            span = int((hi - lo) // np.timedelta64(1, "s"))
            out = lo + rng.integers(0, span, n, endpoint=True).astype("timedelta64[s]")
            if name == self.anchor:
                out = np.sort(out)
        elif "after" in h:
            base = self.get(h["after"])
            if "hours" in h or "days" in h:
                unit = _HOUR_S if "hours" in h else _DAY_S
                lo, hi = h.get("hours") or h.get("days")
                offs = rng.uniform(float(lo) * unit, float(hi) * unit, n)
            else:
                offs = self._default_delay(name, rng)
            out = base + np.round(offs).astype("timedelta64[s]")
        elif name == self.anchor:
            out = self._anchor_times(rng)
        elif name == "update_time":
            out = self._update_times(rng)
        else:
            prev = self._previous_time(name)
            out = self.get(prev) + np.round(self._default_delay(name, rng)).astype("timedelta64[s]")
        out = np.clip(out.astype("datetime64[s]"), WINDOW_START, WINDOW_END)
        if self.kinds[name] == "date":
            out = out.astype("datetime64[D]").astype("datetime64[s]")
        return out

    def _anchor_times(self, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        if self.reference:  # configuration: set up in the ten days before the first stores opened
            return np.sort(WINDOW_START + np.round(rng.uniform(0, 12 * _DAY_S, n)).astype("timedelta64[s]"))
        # business rows from the opening on, growing: cumulative share x/3 + 2x^2/3 of the period
        u = rng.random(n)
        offs = np.where(rng.random(n) < 1 / 3, u, np.sqrt(u)) * _BUSINESS_S
        return np.sort(OPENING + np.round(offs).astype("timedelta64[s]"))

    def _update_times(self, rng: np.random.Generator) -> np.ndarray:
        latest = None
        for c in self.time_cols:
            if c == "update_time":
                continue
            v = self.get(c)
            if self.kinds[c] == "date":
                v = v + np.timedelta64(12 * _HOUR_S, "s")
            if c in self.masks:
                v = np.where(self.masks[c], WINDOW_START, v)
            latest = v if latest is None else np.maximum(latest, v)
        if latest is None:
            latest = self.get(self.anchor)
        later = rng.random(self.n) < 0.45
        delay = np.where(later, rng.exponential(2 * _DAY_S, self.n), 0.0)
        return latest + np.round(delay).astype("timedelta64[s]")

    def _previous_time(self, name: str) -> str:
        prev = self.anchor
        for c in self.time_cols:
            if c == name:
                break
            if c not in ("update_time", self.anchor):
                prev = c
        if prev == name or prev is None:
            raise ValueError(f"{self.t.qualified}.{name}: no earlier time column to follow")
        return prev

    def _default_delay(self, name: str, rng: np.random.Generator) -> np.ndarray:
        """Seconds after the previous time: days for an end/expiry, about an hour otherwise."""
        if _words(name) & {"end", "expire", "expiry", "leave", "due", "deadline"}:
            return rng.uniform(_DAY_S, 30 * _DAY_S, self.n)
        return rng.exponential(_HOUR_S, self.n)

    # ---------------------------------------------------------------- json
    def _json(self, name: str) -> np.ndarray:
        h = self.hint(name)
        rng = self.rng(name, "json")
        if "json" in h:
            template = h["json"]
        elif name.endswith("_ids") or name == "ids":
            stem = name[:-4] if name.endswith("_ids") else "item"
            size = self._entity_size(stem) or 100
            template = [max(1, size // 3), max(1, size // 2)]
        else:
            template = {"source": "app|admin|job", "v": 1}
        parts: list = []
        self._json_parts(template, rng, parts)
        return np.broadcast_to(_cat(*parts), (self.n,)).copy()

    def _json_parts(self, node, rng: np.random.Generator, out: list) -> None:
        n = self.n
        if isinstance(node, dict):
            out.append("{")
            for i, (k, v) in enumerate(node.items()):
                out.append(("," if i else "") + json.dumps(str(k), ensure_ascii=False) + ":")
                self._json_parts(v, rng, out)
            out.append("}")
        elif isinstance(node, list):
            out.append("[")
            for i, v in enumerate(node):
                if i:
                    out.append(",")
                self._json_parts(v, rng, out)
            out.append("]")
        elif isinstance(node, bool):
            out.append(np.where(rng.random(n) < 0.5, "true", "false"))
        elif isinstance(node, int):
            if node == 0:
                vals = rng.integers(0, 1, n, endpoint=True)
            else:
                a, b = sorted((int(round(node * 0.5)), int(round(node * 1.5))))
                if node > 0:
                    a = max(a, 1)
                vals = rng.integers(a, b, n, endpoint=True)
            out.append(vals.astype(str))
        elif isinstance(node, float):
            decimals = max(1, len(repr(node).split(".")[-1])) if "." in repr(node) else 2
            vals = np.round(node * rng.uniform(0.8, 1.2, n), decimals)
            out.append(vals.astype(str))
        elif node is None:
            out.append("null")
        else:
            options = str(node).split("|")
            encoded = _str_array([json.dumps(o, ensure_ascii=False) for o in options])
            out.append(encoded[rng.integers(0, len(encoded), n)] if len(encoded) > 1 else encoded[0])

    # ---------------------------------------------------------------- strings
    def _maxlen(self, name: str) -> int:
        col = self.cols[name]
        if col.type_args:
            return col.type_args[0]
        return {"TINYTEXT": 255, "TEXT": 16_000, "MEDIUMTEXT": 100_000, "LONGTEXT": 100_000}.get(col.base_type, 255)

    def _strings(self, name: str) -> np.ndarray:
        maxlen = self._maxlen(name)
        unique = name in self.unique_string
        seq = self.perm_seq if unique else None
        values, native_unique = self._string_values(name, maxlen, seq)
        values = np.asarray(values)
        if values.ndim == 0:
            values = np.full(self.n, str(values))
        values = values.astype(str)
        if unique and not native_unique:
            return _with_suffix(values, self.seq, maxlen)
        return _fit(values, maxlen)

    def _string_values(self, name: str, maxlen: int, seq: np.ndarray | None):
        """(values, whether they are already unique when seq is given)."""
        rng = self.rng(name, "str")
        n = self.n
        nm = name.lower()
        w = _words(nm)
        table_words = _words(self.t.name)

        def person_first_last(own: bool):
            return self._person_names(rng) if own else (_pick(rng, _FIRST, n), _pick(rng, _LAST, n))

        def handle(first, last):
            return _cat(np.strings.lower(first), ".", np.strings.lower(np.strings.replace(last, "'", "")))

        if "email" in w:
            internal = bool(w & {"work", "owner", "alarm", "subscriber"} or table_words & {"admin", "staff"})
            first, last = person_first_last(own=True)
            num = seq if seq is not None else rng.integers(1, 999, n)
            local = _cat(handle(first, last), num.astype(str))
            domain = np.full(n, "luckyus.example") if internal else _pick(rng, _EMAIL_DOMAINS, n)
            return _cat(local, "@", domain), True
        if w & {"mobile", "phone", "tel"}:
            if seq is not None and n <= 10_000 * len(_AREA_CODES):
                area = np.asarray(_AREA_CODES)[(seq - 1) % len(_AREA_CODES)]
                line = _zfill(((seq - 1) // len(_AREA_CODES) * 7919 + 1234) % 10_000, 4)
                return _cat("+1", area, "555", line), True
            return _cat("+1", _pick(rng, _AREA_CODES, n), "555", _zfill(rng.integers(0, 10_000, n), 4)), False
        if nm == "ip" or nm.endswith("_ip"):
            prefix = _pick(rng, ("192.0.2.", "198.51.100.", "203.0.113."), n)
            return _cat(prefix, rng.integers(1, 255, n).astype(str)), False
        if "agent" in w:
            return _pick(rng, _USER_AGENTS, n, weights=(30, 10, 5, 20, 15, 5, 5, 10)), False
        if w & {"url", "uri", "link", "image", "img", "icon", "avatar", "cover", "photo"}:
            if w & {"request", "api"}:
                return _pick(rng, _API_PATHS, n, weights=_API_WEIGHTS), False
            return self._urls(name, w, rng, seq), seq is not None
        if w & {"path", "pattern"}:
            return _pick(rng, _API_PATHS, n, weights=_API_WEIGHTS), False
        if "password" in w:
            body = _random_text(rng, n, 53, _B64ISH, seq)
            return _cat("$2a$10$", body), seq is not None
        if w & {"hash", "md5", "sha", "digest", "signature", "secret", "fingerprint", "checksum"}:
            length = 32 if "md5" in w else (40 if w & {"digest", "sha1"} else 64)
            return _random_text(rng, n, min(length, maxlen), _HEX, seq), seq is not None
        if w & {"uuid", "guid"}:
            h = _random_text(rng, n, 32, _HEX, seq)
            cp = np.ascontiguousarray(h).view(np.uint32).reshape(n, 32)
            dash = np.full((n, 1), ord("-"), dtype=np.uint32)
            parts = [cp[:, :8], dash, cp[:, 8:12], dash, cp[:, 12:16], dash, cp[:, 16:20], dash, cp[:, 20:]]
            return _chars_from_codepoints(np.hstack(parts)), seq is not None
        if w & {"token", "trace", "session", "nonce"} or nm.endswith("_id") or (
                "key" in w and w & {"app", "api", "access"}):
            return _random_text(rng, n, min(32 if "trace" in w else 40, maxlen), _HEX, seq), seq is not None
        if "version" in w:
            if seq is not None:
                s = seq - 1
                return _cat((1 + s // 100).astype(str), ".", ((s // 10) % 10).astype(str), ".", (s % 10).astype(str)), True
            major = rng.choice([1, 2, 2, 2, 3], n)
            return _cat(major.astype(str), ".", rng.integers(0, 12, n).astype(str), ".", rng.integers(0, 9, n).astype(str)), False
        if nm == "os":
            return _pick(rng, ("iOS", "Android"), n, weights=(62, 38)), False
        if "model" in w and "device" in w:
            return _pick(rng, _DEVICE_MODELS, n), False
        if nm == "first_name":
            return _pick(rng, _FIRST, n), False
        if nm == "last_name":
            return _pick(rng, _LAST, n), False
        if nm == "nickname":
            return _cat(_pick(rng, _FIRST, n), _pick(rng, _NICK_SUFFIX, n)), False
        if nm.endswith("_by") or w & {"username", "login", "approver", "resolver"} or nm == "user_name":
            first, last = person_first_last(own=bool(w & {"username", "login"}) or nm == "user_name")
            num = seq.astype(str) if seq is not None else np.full(n, "")
            return _cat(handle(first, last), num), seq is not None
        if self._is_person_name(name):
            first, last = person_first_last(own=False)
            return _cat(first, " ", last), False
        if w & {"company", "vendor", "supplier", "buyer", "merchant"}:
            return _pick(rng, _COMPANIES, n), False
        if "name" in w and w & {"product", "item", "sku", "goods"}:
            return _pick(rng, _PRODUCTS, n), False
        if "name" in w and w & {"shop", "store"}:
            return _cat("Luckin Coffee ", _pick(rng, _NEIGHBORHOODS, n)), False
        if w & {"address", "street"}:
            number = rng.integers(1, 1500, n).astype(str)
            out = _cat(number, " ", _pick(rng, _STREETS, n))
            if "address" in w:
                out = _cat(out, ", New York, NY ", _pick(rng, _ZIPS, n))
            return out, False
        if "city" in w:
            return np.full(n, "New York"), False
        if "state" in w and maxlen <= 32:
            return np.full(n, "NY"), False
        if w & {"zip", "postal"}:
            return _pick(rng, _ZIPS, n), False
        if "country" in w:
            return np.full(n, "US"), False
        if "borough" in w:
            return np.full(n, "Manhattan"), False
        if w & {"neighborhood", "neighbourhood", "region"} and "code" not in w:
            return _pick(rng, _NEIGHBORHOODS, n), False
        if "currency" in w:
            return np.full(n, "USD"), False
        if w & {"timezone", "tz"}:
            return np.full(n, "America/New_York"), False
        if w & {"locale", "lang", "language"}:
            return np.full(n, "en-US"), False
        if w & {"color", "colour"}:
            return _cat("#", _random_text(rng, n, 6, _HEX.upper())), False
        if "cron" in w:
            return _pick(rng, _CRONS, n), False
        if w & {"handler", "class"}:
            verb = np.strings.replace(_pick(rng, _VERBS, n), " ", "")
            noun = np.strings.replace(np.strings.title(_pick(rng, _NOUNS, n)), " ", "")
            return _cat(np.strings.lower(np.strings.slice(verb, 0, 1)), np.strings.slice(verb, 1, None), noun, "JobHandler"), False
        if w & {"host", "hostname"}:
            return _cat("ip-10-0-", rng.integers(1, 9, n).astype(str), "-", rng.integers(2, 254, n).astype(str), ".ec2.internal"), False
        if "service" in w:
            return _pick(rng, _SERVICES, n), False
        if "method" in w:
            return _pick(rng, ("GET", "POST", "PUT", "DELETE"), n, weights=(60, 32, 6, 2)), False
        if w & {"keyword", "query"}:
            return _pick(rng, _KEYWORDS, n), False
        if "event" in w:
            return _pick(rng, _EVENTS, n), False
        if "module" in w:
            return _pick(rng, _MODULES, n), False
        if "action" in w:
            return _pick(rng, _ACTIONS, n), False
        if "error" in w and w & {"code"}:
            return _cat("E", rng.integers(1000, 9999, n).astype(str)), False
        if w & {"error", "exception"} or ("fail" in w and "reason" in w):
            return _pick(rng, _ERRORS, n), False
        if "month" in w:
            return np.strings.slice(np.datetime_as_string(self.get(self.anchor), unit="D"), 0, 7), False
        if "date" in w:
            return np.datetime_as_string(self.get(self.anchor), unit="D"), False
        if "file" in w and "name" in w:
            stem = "_".join(x for x in self.t.name.split("_")[1:])
            day = np.strings.replace(np.datetime_as_string(self.get(self.anchor), unit="D"), "-", "")
            return _cat(stem, "_", day, "_", _random_text(rng, n, 6, _HEX, seq), ".csv"), seq is not None
        if w & {"mime"} or nm == "content_type":
            return _pick(rng, _MIMES, n), False
        if nm.endswith("_no") or nm.endswith("_sn") or nm in ("sn", "serial"):
            ordered = self.seq if seq is not None else None  # business numbers count up with time
            return self._business_numbers(name, maxlen, rng, ordered), seq is not None
        if w & {"code", "key"}:
            return self._codes(name, w, maxlen, rng, seq), seq is not None
        if w & {"tag", "tags", "label", "labels"}:
            if "tags" in w or "labels" in w:
                return _cat(_pick(rng, _TAGS, n), ",", _pick(rng, _TAGS, n)), False
            return _pick(rng, _TAGS, n), False
        if w & {"title", "subject", "headline"}:
            return _pick(rng, _TITLES, n), False
        if "name" in w:
            if "job" in w:
                return _cat(_pick(rng, _VERBS, n), " ", _pick(rng, _NOUNS, n)), False
            if w & {"task", "activity", "template", "campaign", "banner"}:
                return _pick(rng, _TITLES, n), False
            words = [x for x in self.t.name.split("_")[1:]]
            label = " ".join(words).capitalize()
            return _cat(label, " ", rng.integers(1, 100, n).astype(str)), False
        if w & {"content", "body", "description", "desc", "remark", "note", "message", "msg",
                "reason", "comment", "reply", "summary", "hypothesis", "text", "detail", "memo",
                "cause", "html"}:
            return self._texts(w, table_words, maxlen, rng), False
        if "value" in w:
            return _pick(rng, _CONFIG_VALUES, n), False
        return _cat(nm, "_", rng.integers(1, 50, n).astype(str)), False

    @staticmethod
    def _is_person_name(name: str) -> bool:
        w = _words(name)
        return "name" in w and bool(w & {"real", "contact", "staff", "operator", "inspector", "holder",
                                         "receiver", "sender", "full", "approver", "assignee", "reporter"})

    def _person_names(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The row's own person (first_name/last_name or a full-name column), else random names."""
        if self.kinds.get("first_name") == "string" and self.kinds.get("last_name") == "string":
            return self.get("first_name").astype(str), self.get("last_name").astype(str)
        for c in self.t.column_names:
            if self.kinds[c] == "string" and self._is_person_name(c) and c not in self._busy:
                parts = np.strings.partition(self.get(c).astype(str), " ")
                return parts[0], parts[2]
        return _pick(rng, _FIRST, self.n), _pick(rng, _LAST, self.n)

    def _urls(self, name: str, w: set[str], rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        if w & {"jump", "link", "deeplink"}:
            return _pick(rng, _DEEPLINKS, n)
        if "callback" in w:
            return np.full(n, "https://partner.example/webhooks/luckin")
        folder = "/".join(x for x in self.t.name.split("_")[1:2]) or "files"
        if w & {"pdf", "report"} or "invoice" in _words(self.t.name):
            ext = ".pdf"
        elif w & {"file", "artifact", "package"}:
            ext = ".bin"
        else:
            ext = ".jpg"
        return _cat("https://static.luckyus.example/", folder, "/", _random_text(rng, n, 12, _HEX, seq), ext)

    def _business_numbers(self, name: str, maxlen: int, rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        stem = name.rsplit("_", 1)[0]
        table_words = self.t.name.split("_")[1:]
        prefix = _initials(self.t.name) if stem in table_words else _initials(stem)
        number = seq if seq is not None else rng.integers(1, 10**6, n)
        width = max(6, len(str(int(number.max()))))
        if len(prefix) + 6 + width <= maxlen and self.anchor is not None:
            return _cat(prefix, _ymd_compact(self.get(self.anchor)), _zfill(number, width))
        width = max(width, min(maxlen - len(prefix), 10))
        return _cat(prefix, _zfill(number, width))

    def _codes(self, name: str, w: set[str], maxlen: int, rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        if "key" in w:  # dotted feature keys: order.reorder_button
            out = _cat(_pick(rng, _MODULES, n), ".", _pick(rng, _FEATURES, n))
            return _cat(out, "_", _zfill(seq, 2)) if seq is not None else out
        if maxlen <= 16:  # short codes people type or read out: 8 characters
            return _random_text(rng, n, min(8, maxlen), _ALNUM_UPPER, seq)
        label = "_".join(self.t.name.split("_")[1:]).upper()  # RISK_RULE_007
        num = seq if seq is not None else rng.integers(1, 1000, n)
        return _cat(label, "_", _zfill(num, 3))

    def _texts(self, w: set[str], table_words: set[str], maxlen: int, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        if "release" in w:
            pool = _RELEASE_TEXT
        elif "reply" in w:
            pool = _REPLY_TEXT
        elif table_words & {"notification", "push", "banner", "article", "sms", "email", "splash"}:
            pool = _MARKETING_TEXT
        elif w & {"content", "comment"}:
            pool = _CUSTOMER_TEXT
        else:
            pool = _INTERNAL_TEXT
        out = _pick(rng, pool, n)
        if maxlen >= 200:  # mostly one sentence, sometimes two or three in long columns
            k = rng.choice([1, 1, 1, 2, 2, 3] if maxlen >= 1000 else [1, 1, 1, 2], n)
            out = _cat(out, np.where(k >= 2, _cat(" ", _pick(rng, pool, n)), ""))
            out = _cat(out, np.where(k >= 3, _cat(" ", _pick(rng, pool, n)), ""))
        return out

    # ---------------------------------------------------------------- nulls and assembly
    def _null_masks(self) -> dict[str, np.ndarray]:
        keyed = set(self.t.primary_key)
        for cols in self.t.unique.values():
            keyed.update(cols)
        shared = self.rng("nulls", "shared").random(self.n)
        masks = {}
        for c in self.t.columns:
            if not c.nullable or c.name in keyed or c.auto_increment:
                continue
            h = self.hint(c.name)
            if "null_rate" in h:
                masks[c.name] = shared < float(h["null_rate"])
            else:
                masks[c.name] = self.rng(c.name, "null").random(self.n) < DEFAULT_NULL_RATE
        return masks

    def _assemble(self, values: dict[str, np.ndarray], masks: dict[str, np.ndarray]) -> pd.DataFrame:
        data = {}
        for c in self.t.columns:
            kind = self.kinds[c.name]
            v = values.get(c.name)
            mask = masks.get(c.name)
            if v is None:
                v = np.empty(0, dtype={"int": np.int64, "flag": np.int64, "decimal": np.float64,
                                       "float": np.float64, "date": "datetime64[s]",
                                       "datetime": "datetime64[s]"}.get(kind, object))
            has_null = mask is not None and bool(mask.any())
            if kind in ("int", "flag"):
                arr = np.asarray(v, dtype=np.int64)
                series = (pd.Series(pd.arrays.IntegerArray(arr, mask.copy()), name=c.name)
                          if has_null else pd.Series(arr, dtype=np.int64, name=c.name))
            elif kind in ("decimal", "float"):
                arr = np.asarray(v, dtype=np.float64).copy()
                if has_null:
                    arr[mask] = np.nan
                series = pd.Series(arr, dtype=np.float64, name=c.name)
            elif kind in ("date", "datetime"):
                arr = np.asarray(v, dtype="datetime64[s]").copy()
                if has_null:
                    arr[mask] = np.datetime64("NaT")
                series = pd.Series(arr, dtype="datetime64[s]", name=c.name)
            else:
                arr = np.asarray(v).astype(object)
                if has_null:
                    arr[mask] = None
                series = pd.Series(arr, dtype=object, name=c.name)
            data[c.name] = series
        return pd.DataFrame(data, columns=self.t.column_names)

