"""The plan the simulation draws around, with no randomness: time helpers and random streams,
each store's expected demand by day, the menu and its prices on a day, and the campaigns'
coupon templates and discounts. ``core.simulate_world`` draws the actual lifecycles from it."""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from . import world as w

MS = np.timedelta64(1, "ms")
SEC = np.timedelta64(1, "s")
NAT = np.datetime64("NaT", "ms")


def stream(seed: int, *keys: object) -> np.random.Generator:
    """An independent random stream for (seed, keys). Stable across runs and Python versions."""
    digest = zlib.crc32("/".join(map(str, keys)).encode())
    return np.random.default_rng([seed, digest])


def as_of_instant(as_of_date: date) -> np.datetime64:
    """End of the local business day, in UTC (naive datetime64[ms])."""
    local = pd.Timestamp(datetime.combine(as_of_date, datetime.max.time()).replace(microsecond=0))
    return np.datetime64(local.tz_localize(w.BUSINESS_TZ).tz_convert("UTC").tz_localize(None), "ms")


def local_to_utc(local: np.ndarray) -> np.ndarray:
    idx = pd.DatetimeIndex(local.astype("datetime64[ns]"))
    utc = idx.tz_localize(w.BUSINESS_TZ, ambiguous=np.zeros(len(idx), bool), nonexistent="shift_forward")
    return utc.tz_convert("UTC").tz_localize(None).values.astype("datetime64[ms]")


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _miles(a: w.Store, b: w.Store) -> float:
    dlat = (a.lat - b.lat) * 69.0
    dlon = (a.lon - b.lon) * 69.0 * np.cos(np.radians(a.lat))
    return float(np.hypot(dlat, dlon))


OPEN_STORES = [s for s in w.STORES if s.open_date is not None]


# --- Expected demand (no randomness; computed once) ---------------------------------------------
def _neighbours_opening(store: w.Store) -> list[w.Store]:
    return [o for o in OPEN_STORES if o.shop_id != store.shop_id and o.open_date > store.open_date
            and _miles(store, o) <= w.CANNIBALISATION_MILES]


def _store_shape(store: w.Store, d: date) -> float:
    """Relative demand of a store on a day, before the monthly plan multiplier."""
    if store.open_date is None or d < store.open_date:
        return 0.0
    weeks = (d - store.open_date).days / 7.0
    # The launch stores opened to queues built by the pop-ups: they start from a higher floor.
    floor = w.LAUNCH_STORE_RAMP_FLOOR if store.open_date == w.FIRST_OPENING else 0.0
    ramp = 1.0 - (1.0 - floor) * np.exp(-(weeks + 0.5) / w.RAMP_WEEKS)
    boost = 1.0 + w.OPENING_WEEK_BOOST * np.exp(-weeks / 1.0)
    cannib = 1.0
    for other in _neighbours_opening(store):
        if d >= other.open_date:
            other_weeks = (d - other.open_date).days / 7.0
            cannib *= 1.0 - w.CANNIBALISATION_SHARE * (1.0 - np.exp(-(other_weeks + 0.5) / w.RAMP_WEEKS))
    day_factor = w.HOLIDAY_FACTOR if d in w.HOLIDAYS else w.WEEKDAY_FACTOR[d.weekday()]
    return store.base_daily_orders * ramp * boost * cannib * day_factor


def _plan_months() -> list[str]:
    return list(w.MONTHLY_COMPLETED_ORDERS)


def _month_mid(m: str) -> date:
    y, mo = map(int, m.split("-"))
    return date(y, mo, 15)


def _interp_by_month(values: dict[str, float], d: date) -> float:
    """Piecewise-linear through mid-month anchors; flat beyond the first and last."""
    mids = [(_month_mid(m).toordinal(), v) for m, v in values.items()]
    xs, ys = zip(*mids)
    return float(np.interp(d.toordinal(), xs, ys))


class Plan:
    """Expected completed orders per store and day at scale 1, fitted to the monthly plan."""

    def __init__(self) -> None:
        base_days = _days(w.FIRST_OPENING, w.BASE_AS_OF)
        self.shape = {d: np.array([_store_shape(s, d) for s in OPEN_STORES]) for d in base_days}
        months = _plan_months()
        mult = {m: 1.0 for m in months}
        for _ in range(30):  # fixed point: smooth multiplier whose monthly totals match the plan
            totals = defaultdict(float)
            for d, shape in self.shape.items():
                totals[month_key(d)] += shape.sum() * _interp_by_month(mult, d)
            mult = {m: mult[m] * w.MONTHLY_COMPLETED_ORDERS[m] / totals[m] for m in months}
        self.multiplier = mult
        grand = sum(s.sum() * _interp_by_month(mult, d) for d, s in self.shape.items())
        self.k = w.TOTAL_COMPLETED_ORDERS / grand

    def completed(self, d: date) -> np.ndarray:
        """Expected completed orders per open store (OPEN_STORES order) on day d, scale 1."""
        shape = self.shape.get(d)
        if shape is None:
            shape = np.array([_store_shape(s, d) for s in OPEN_STORES])
        return shape * _interp_by_month(self.multiplier, d) * self.k


_PLAN: Plan | None = None


def plan() -> Plan:
    global _PLAN
    if _PLAN is None:
        _PLAN = Plan()
    return _PLAN


# --- Menu and prices --------------------------------------------------------------------------
def list_price(product: w.Product, d: date) -> float:
    price = product.price
    for when, ids, amount in w.PRICE_CHANGES:
        if d >= when and product.is_drink and (ids is None or product.product_id in ids):
            price += amount
    return round(price, 2)


def _pickup_line_probs() -> tuple[np.ndarray, np.ndarray]:
    counts = np.array([c for c, _ in w.PICKUP_LINES])
    probs = np.array([p for _, p in w.PICKUP_LINES])
    return counts, probs / probs.sum()


def _hero_weight() -> float:
    """Per-line probability of the hero product so that HERO_ORDER_SHARE of orders contain it."""
    counts, probs = _pickup_line_probs()
    lo, hi = 0.0, 1.0
    for _ in range(60):
        p = (lo + hi) / 2
        pickup = float((probs * (1 - (1 - p) ** counts)).sum())
        delivery_mean_lines = 3 + w.DELIVERY_EXTRA_LINES_MEAN
        delivery = 1 - np.exp(-p * delivery_mean_lines)  # close enough for a 1.5% share
        share = (1 - w.DELIVERY_SHARE) * pickup + w.DELIVERY_SHARE * delivery
        lo, hi = (p, hi) if share < w.HERO_ORDER_SHARE else (lo, p)
    return lo


@dataclass
class Menu:
    """The menu on one day: product ids, line probabilities, regular prices."""

    product_ids: np.ndarray
    probs: np.ndarray
    prices: np.ndarray
    is_drink: np.ndarray

    @property
    def mean_line_price(self) -> float:
        upcharge = np.where(self.is_drink, w.LARGE_SIZE_SHARE * w.LARGE_SIZE_UPCHARGE, 0.0)
        return float((self.probs * (self.prices + upcharge)).sum())

    @property
    def mean_drink_price(self) -> float:
        p = self.probs * self.is_drink
        return float((p * (self.prices + w.LARGE_SIZE_SHARE * w.LARGE_SIZE_UPCHARGE)).sum() / p.sum())


_HERO = None


def menu_on(d: date) -> Menu:
    global _HERO
    if _HERO is None:
        _HERO = _hero_weight()
    live = [p for p in w.PRODUCTS if p.launch <= d and (p.retire is None or d <= p.retire)]
    weights = np.array([p.popularity for p in live], float)
    hero = np.array([p.product_id == w.HERO_PRODUCT_ID for p in live])
    weights = np.where(hero, 0.0, weights)
    weights = weights / weights.sum() * (1 - _HERO)
    weights[hero] = _HERO
    return Menu(
        product_ids=np.array([p.product_id for p in live]),
        probs=weights,
        prices=np.array([list_price(p, d) for p in live]),
        is_drink=np.array([p.is_drink for p in live]),
    )


# --- Campaigns ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Template:
    template_id: int
    campaign_id: int
    name: str
    coupon_type: int
    value: float
    valid_days: int
    start: date
    end: date
    new_user: bool


TEMPLATES: list[Template] = []
for _cid, _name, _ctype, _start, _end, _budget, _templates in w.CAMPAIGNS:
    for _tname, _type, _value, _days_valid in _templates:
        TEMPLATES.append(Template(len(TEMPLATES) + 1, _cid, _tname, _type, _value, _days_valid,
                                  _start, _end, _ctype == 1))
POPUP_TEMPLATE = next(t for t in TEMPLATES if t.campaign_id == 1)
WELCOME_TEMPLATE = next(t for t in TEMPLATES if t.campaign_id == 2)
OPENING_TEMPLATE = next(t for t in TEMPLATES if t.campaign_id == 9)


def repeat_templates(d: date) -> list[Template]:
    return [t for t in TEMPLATES if not t.new_user and t.start <= d <= t.end]


def expected_discount(t: Template, gross: float, first_line: float) -> float:
    if t.coupon_type == 1:
        return min(t.value, gross)
    if t.coupon_type == 2:
        return t.value * gross
    return max(first_line - t.value, 0.0)


def discount_cents(coupon_type: np.ndarray, value: np.ndarray, gross_c: np.ndarray,
                   first_unit_c: np.ndarray) -> np.ndarray:
    """Vectorised coupon discount in cents for orders with gross and first-line unit price."""
    amount = np.minimum(np.round(value * 100).astype(np.int64), gross_c)
    pct = np.round(value * gross_c).astype(np.int64)
    fixed = np.maximum(first_unit_c - np.round(value * 100).astype(np.int64), 0)
    out = np.select([coupon_type == 1, coupon_type == 2, coupon_type == 3], [amount, pct, fixed], 0)
    return np.minimum(out, gross_c).astype(np.int64)


