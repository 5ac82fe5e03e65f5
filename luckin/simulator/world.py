"""The simulated business: stores, menu, campaigns, device fleet, materials, and the plan.

Everything here is data. ``core.py`` turns it into rows. The monthly plan and the rates are
the calibration: they are chosen so that, at scale 1, the source tables reproduce the report
suite's headline figures (see ../shared/spec/estate.md, "Calibration targets").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from luckin.core.figures import seed_figures

SEED = seed_figures()  # the report suite's figures: the plan below is fitted to them

# --- Calendar -------------------------------------------------------------------------------
BUSINESS_TZ = "America/New_York"
POPUP_START = date(2025, 6, 20)       # sign-ups at pop-up events start ten days before opening
FIRST_OPENING = date(2025, 6, 30)
BASE_AS_OF = SEED.as_of              # data "as of" the end of this local day
FIRST_FULL_MONTH = SEED.first_full_month
LATEST_FULL_MONTH = SEED.run_rate_month

HOLIDAYS = {  # observed US holidays that dip an office-district coffee business
    date(2025, 7, 4), date(2025, 9, 1), date(2025, 10, 13), date(2025, 11, 11),
    date(2025, 11, 27), date(2025, 11, 28), date(2025, 12, 24), date(2025, 12, 25),
    date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 19), date(2026, 2, 16),
    date(2026, 5, 25), date(2026, 7, 3),
}
WEEKDAY_FACTOR = (1.06, 1.10, 1.10, 1.08, 1.00, 0.70, 0.62)  # Mon..Sun: weekday office market
HOLIDAY_FACTOR = 0.55

# Local opening hours and the share of a day's orders in each hour (morning and afternoon peaks).
HOUR_WEIGHTS = {7: 9, 8: 15, 9: 13, 10: 9, 11: 7, 12: 8, 13: 7, 14: 8, 15: 8, 16: 6, 17: 5, 18: 3, 19: 2}


# --- Stores ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Store:
    shop_id: int
    name: str
    address: str
    neighborhood: str
    zip_code: str
    lat: float
    lon: float
    open_date: date | None   # None: announced, not open yet
    base_daily_orders: float  # mature weekday demand before the monthly plan is applied


STORES = (
    Store(1, "Luckin Coffee 755 Broadway", "755 Broadway, New York, NY 10003", "Greenwich Village", "10003", 40.730960, -73.991730, date(2025, 6, 30), 330),
    Store(2, "Luckin Coffee 800 Sixth Ave", "800 6th Ave, New York, NY 10001", "NoMad", "10001", 40.745200, -73.990600, date(2025, 6, 30), 310),
    Store(3, "Luckin Coffee Herald Square", "1328 Broadway, New York, NY 10001", "Herald Square", "10001", 40.750400, -73.987700, date(2025, 7, 28), 250),
    Store(4, "Luckin Coffee Maiden Lane", "100 Maiden Ln, New York, NY 10038", "Financial District", "10038", 40.706900, -74.007300, date(2025, 8, 18), 240),
    Store(5, "Luckin Coffee Grand Central", "330 Madison Ave, New York, NY 10017", "Midtown East", "10017", 40.753200, -73.979100, date(2025, 9, 8), 270),
    Store(6, "Luckin Coffee Columbia", "2880 Broadway, New York, NY 10025", "Morningside Heights", "10025", 40.805800, -73.965500, date(2025, 9, 29), 200),
    Store(7, "Luckin Coffee Rockefeller", "50 Rockefeller Plaza, New York, NY 10020", "Midtown", "10020", 40.759100, -73.978300, date(2025, 10, 20), 260),
    Store(8, "Luckin Coffee Union Square", "145 4th Ave, New York, NY 10003", "Union Square", "10003", 40.734300, -73.989500, date(2025, 11, 10), 230),
    Store(9, "Luckin Coffee Fulton", "222 Broadway, New York, NY 10038", "Financial District", "10038", 40.710800, -74.008900, date(2025, 12, 1), 210),
    Store(10, "Luckin Coffee Koreatown", "1250 Broadway, New York, NY 10001", "Koreatown", "10001", 40.747800, -73.988200, date(2026, 1, 5), 220),
    Store(11, "Luckin Coffee Hudson Yards", "20 Hudson Yards, New York, NY 10001", "Hudson Yards", "10001", 40.753800, -74.001600, date(2026, 1, 26), 230),
    Store(12, "Luckin Coffee Astor Place", "51 Astor Pl, New York, NY 10003", "East Village", "10003", 40.729800, -73.990300, None, 0),
)
RAMP_WEEKS = 2.7              # new-store demand reaches ~95% after about 8 weeks
LAUNCH_STORE_RAMP_FLOOR = 0.6 # the two launch stores start at 60% (pop-up sign-ups were waiting)
OPENING_WEEK_BOOST = 0.35     # grand-opening bump that fades over the first two weeks
CANNIBALISATION_MILES = 1.0   # an opening takes demand from stores within this distance
CANNIBALISATION_SHARE = 0.12  # ...this share of their demand, after the new store ramps up
REHOME_SHARE = 0.25           # ...and this share of their customers switch home store


# --- Monthly plan (scale 1): completed orders and average order value -----------------------
# The shape is a design decision; the totals are the seed's: its completed orders in all, its
# run-rate month's revenue at that month's AOV, the month in progress takes the rest. Deep
# launch promotions pull AOV down through the autumn; fewer coupons and a January price rise
# lift it afterwards.
TOTAL_COMPLETED_ORDERS = SEED.completed_orders
_RUN_RATE_ORDERS = round(SEED.run_rate_month_revenue_usd / SEED.latest_full_month_aov_usd)
MONTHLY_COMPLETED_ORDERS = {
    "2025-06": 2_400, "2025-07": 49_000, "2025-08": 55_000, "2025-09": 60_000,
    "2025-10": 64_000, "2025-11": 62_500, "2025-12": 64_000, "2026-01": _RUN_RATE_ORDERS,
}
MONTHLY_COMPLETED_ORDERS["2026-02"] = TOTAL_COMPLETED_ORDERS - sum(MONTHLY_COMPLETED_ORDERS.values())
MONTHLY_AOV = {
    "2025-06": 2.35, "2025-07": SEED.first_full_month_aov_usd, "2025-08": 4.60, "2025-09": 4.55,
    "2025-10": 4.555, "2025-11": 4.615, "2025-12": 4.735, "2026-01": SEED.latest_full_month_aov_usd,
    "2026-02": 5.05,
}
# Mean production seconds (queued -> finished) at mid-month: the baristas get faster.
MONTHLY_PRODUCTION_SECONDS = {
    "2025-06": 330, "2025-07": SEED.first_month_production_seconds, "2025-08": 296, "2025-09": 273,
    "2025-10": 253, "2025-11": 236, "2025-12": 219, "2026-01": SEED.latest_month_production_seconds,
    "2026-02": 201,
}

REGISTERED_USERS = SEED.registered_users
POPUP_SIGNUPS = 9_000                  # 2025-06-20..24 at Union Square, SoHo, Madison Sq, Herald Sq
SHARE_USERS_WHO_ORDER = 0.66
# Registrations per expected order, by month, before normalisation: launch hype, then steady.
MONTHLY_ACQUISITION = {
    "2025-06": 1.4, "2025-07": 0.80, "2025-08": 1.20, "2025-09": 1.20, "2025-10": 1.10,
    "2025-11": 1.00, "2025-12": 0.92, "2026-01": 0.88, "2026-02": 0.85,
}

CANCEL_RATE = 0.035          # of all orders; 40% of them before payment
REFUND_RATE = 0.015          # completed, then refunded within a week
DELIVERY_SHARE = 0.015       # delivery orders are rare and large (4x the pickup AOV)
COMPLETION_RATE = 1 - CANCEL_RATE - REFUND_RATE
FAILED_PAYMENT_RATE = 0.02   # a failed attempt before the successful one

# --- Menu -------------------------------------------------------------------------------------
CATEGORIES = ("Coffee", "Iced Coffee", "Coconut Lattes", "Cold Brew & Fruit", "Refreshers", "Matcha & Tea", "Food")


@dataclass(frozen=True)
class Product:
    product_id: int
    name: str
    category: str
    price: float          # regular-size list price at launch
    popularity: float     # relative weight among the non-hero products
    launch: date = FIRST_OPENING
    retire: date | None = None

    @property
    def is_drink(self) -> bool:
        return self.category != "Food"


HERO_PRODUCT_ID = 12   # Iced Coconut Latte
HERO_ORDER_SHARE = SEED.top_product_order_share
PRODUCTS = (
    Product(1, "Americano", "Coffee", 3.45, 5.0),
    Product(2, "Latte", "Coffee", 4.45, 6.0),
    Product(3, "Cappuccino", "Coffee", 4.45, 3.0),
    Product(4, "Flat White", "Coffee", 4.75, 2.5),
    Product(5, "Mocha", "Coffee", 4.95, 2.0),
    Product(6, "Caramel Latte", "Coffee", 4.95, 3.0),
    Product(7, "Vanilla Latte", "Coffee", 4.95, 2.5),
    Product(8, "Iced Americano", "Iced Coffee", 3.75, 6.0),
    Product(9, "Iced Latte", "Iced Coffee", 4.75, 7.5),
    Product(10, "Iced Caramel Latte", "Iced Coffee", 5.25, 4.0),
    Product(11, "Iced Vanilla Latte", "Iced Coffee", 5.25, 3.0),
    Product(12, "Iced Coconut Latte", "Coconut Lattes", 5.45, 0.0),  # share set by HERO_ORDER_SHARE
    Product(13, "Coconut Latte", "Coconut Lattes", 5.25, 4.5),
    Product(14, "Velvet Coconut Latte", "Coconut Lattes", 5.75, 3.0),
    Product(15, "Coconut Cold Brew", "Coconut Lattes", 5.45, 3.5),
    Product(16, "Cold Brew", "Cold Brew & Fruit", 4.25, 3.5),
    Product(17, "Pineapple Cold Brew", "Cold Brew & Fruit", 5.25, 3.0),
    Product(18, "Raspberry Cold Brew", "Cold Brew & Fruit", 5.25, 2.5),
    Product(19, "Orange Americano", "Cold Brew & Fruit", 4.75, 2.0),
    Product(20, "Blood Orange Refresher", "Refreshers", 4.95, 3.0),
    Product(21, "Grapefruit Refresher", "Refreshers", 4.95, 2.5),
    Product(22, "Peach Refresher", "Refreshers", 4.95, 2.0, launch=date(2025, 8, 4)),
    Product(23, "Mango Refresher", "Refreshers", 4.95, 2.0, launch=date(2025, 9, 2), retire=date(2025, 11, 30)),
    Product(24, "Matcha Latte", "Matcha & Tea", 5.25, 3.5),
    Product(25, "Iced Matcha Latte", "Matcha & Tea", 5.45, 4.5),
    Product(26, "Coconut Matcha Latte", "Matcha & Tea", 5.75, 3.0),
    Product(27, "Jasmine Tea Latte", "Matcha & Tea", 4.95, 1.5),
    Product(28, "Strawberry Matcha Latte", "Matcha & Tea", 5.95, 2.5, launch=date(2025, 11, 3)),
    Product(29, "Pumpkin Spice Latte", "Coffee", 5.45, 4.0, launch=date(2025, 9, 22), retire=date(2025, 11, 30)),
    Product(30, "Peppermint Mocha", "Coffee", 5.45, 3.5, launch=date(2025, 12, 1), retire=date(2026, 1, 11)),
    Product(31, "Osmanthus Oat Latte", "Coffee", 5.45, 2.5, launch=date(2026, 1, 12)),
    Product(32, "Plain Bagel", "Food", 2.95, 1.5),
    Product(33, "Everything Bagel", "Food", 3.25, 2.0),
    Product(34, "Chocolate Chip Cookie", "Food", 2.75, 2.0),
    Product(35, "Chocolate Cake", "Food", 4.45, 1.2),
    Product(36, "Butter Croissant", "Food", 3.45, 1.8),
    Product(37, "Banana Bread", "Food", 3.75, 1.0),
    Product(38, "Blueberry Muffin", "Food", 3.45, 1.0, launch=date(2025, 10, 6)),
    Product(39, "Egg & Cheese Bagel", "Food", 5.45, 1.0, launch=date(2025, 10, 6)),
    Product(40, "Iced Brown Sugar Oat Latte", "Iced Coffee", 5.75, 3.0, launch=date(2025, 7, 21)),
)
if next(p.name for p in PRODUCTS if p.product_id == HERO_PRODUCT_ID) != SEED.top_product:
    raise ValueError(f"product {HERO_PRODUCT_ID} is not the seed's top product {SEED.top_product!r}")
LARGE_SIZE_UPCHARGE = 0.60
LARGE_SIZE_SHARE = 0.30
OPENING_DAY_DRINK_PRICE = 1.99   # opening-day promotion: every drink $1.99 in the app
# Price changes: (effective date, product ids or None for every drink, amount added)
PRICE_CHANGES = (
    (date(2025, 9, 15), (12, 13, 14, 15), 0.20),
    (date(2025, 11, 3), (24, 25, 26), 0.20),
    (date(2026, 1, 2), None, 0.30),
)
# Lines per order: pickup 1 (87%), 2 (11%), 3 (2%); delivery 3 + Poisson(0.62).
PICKUP_LINES = ((1, 0.87), (2, 0.11), (3, 0.02))
DELIVERY_EXTRA_LINES_MEAN = 0.62
DOUBLE_QUANTITY_SHARE = 0.05

# --- Campaigns and coupons ---------------------------------------------------------------------
# type: 1 new user, 2 store opening, 3 seasonal, 4 referral, 5 win-back. Templates:
# (name, coupon_type 1 amount-off / 2 percent-off / 3 fixed-price drink, value, valid days).
CAMPAIGNS = (
    (1, "Pop-up launch: first drink $2.49", 1, date(2025, 6, 20), date(2025, 7, 31), 60_000, (("Pop-up welcome drink $2.49", 3, 2.49, 30),)),
    (2, "New user: first drink $1.99", 1, date(2025, 7, 1), date(2026, 12, 31), 900_000, (("Welcome drink $1.99", 3, 1.99, 14),)),
    (3, "Daily app deals", 5, date(2025, 7, 1), date(2026, 12, 31), 700_000, (("$2 off any drink", 1, 2.00, 7), ("40% off your order", 2, 0.40, 7), ("Any drink $2.99", 3, 2.99, 7))),
    (4, "Back to school", 3, date(2025, 8, 25), date(2025, 9, 30), 90_000, (("Students: 50% off", 2, 0.50, 10),)),
    (5, "Fall flavours", 3, date(2025, 9, 22), date(2025, 11, 30), 120_000, (("Pumpkin season $1.50 off", 1, 1.50, 10),)),
    (6, "Invite a friend", 4, date(2025, 8, 1), date(2026, 12, 31), 150_000, (("Referral reward $3 off", 1, 3.00, 14),)),
    (7, "Holiday cheer", 3, date(2025, 12, 1), date(2025, 12, 31), 110_000, (("Holiday drinks 30% off", 2, 0.30, 7),)),
    (8, "New year, new coffee", 3, date(2026, 1, 2), date(2026, 1, 31), 60_000, (("January $1 off", 1, 1.00, 7),)),
    (9, "Store openings", 2, date(2025, 7, 28), date(2026, 2, 28), 160_000, (("Grand opening drink $0.99", 3, 0.99, 7),)),
)
NEW_USER_COUPON_USE = 0.88        # share of first orders that use the welcome coupon
REDEMPTION_RATE = 0.36            # used / issued for app-pushed coupons
DELIVERY_COUPON_USE = 0.10
DUPLICATE_COUPON_SHARE = 0.002    # dirty: the same coupon issued twice within a second
MEDIA_CHANNELS = ("instagram", "tiktok", "google", "street_team")
MARKETING_SPEND_PER_NEW_CUSTOMER = 4.2   # USD per first order, spread over campaign days

# --- IoT fleet ---------------------------------------------------------------------------------
# (type_id, code, name, per store, models, reports temperature)
DEVICE_TYPES = (
    (1, "coffee_machine", "Espresso machine", 3, ("Eversys Cameo C'2", "Franke A800"), True),
    (2, "blender", "Blender", 3, ("Vitamix The Quiet One", "Blendtec Stealth 885"), False),
    (3, "ice_maker", "Ice maker", 1, ("Hoshizaki KM-515MAJ",), True),
    (4, "refrigerator", "Refrigerator", 3, ("True T-49", "Turbo Air M3R47"), True),
    (5, "freezer", "Freezer", 1, ("True T-23F",), True),
    (6, "oven", "Oven", 1, ("Merrychef eikon e2s",), True),
    (7, "pos_terminal", "POS terminal", 3, ("Sunmi T2s",), False),
    (8, "order_screen", "Order status screen", 2, ("Samsung QB24R",), False),
    (9, "label_printer", "Label printer", 2, ("Zebra ZD421",), False),
)
EXTRA_COFFEE_MACHINES = {1: 2, 2: 2, 5: 1, 3: 1, 7: 1}   # busiest stores: 209 + 7 = the seed's fleet
_OPEN = sum(s.open_date is not None for s in STORES)
FLEET_SIZE = sum(t[3] for t in DEVICE_TYPES) * _OPEN + sum(EXTRA_COFFEE_MACHINES.values())
BLENDERS = next(t[3] for t in DEVICE_TYPES if t[1] == "blender") * _OPEN
OFFLINE_DEVICES = round(SEED.offline_device_share * FLEET_SIZE)      # 123 of 216
OFFLINE_BLENDERS = round(SEED.offline_blender_share * BLENDERS)      # 27 of 33
if (_OPEN, FLEET_SIZE) != (SEED.active_stores, SEED.iot_devices):
    raise ValueError(f"the plan has {_OPEN} stores and {FLEET_SIZE} devices; the seed "
                     f"{SEED.active_stores} and {SEED.iot_devices} (luckin/core/seed_figures.yml)")
READING_RANGES_F = {"coffee_machine": (195, 205), "ice_maker": (28, 34), "refrigerator": (34, 40),
                    "freezer": (-5, 5), "oven": (350, 480)}
BAD_READING_SHARE = 0.005   # dirty: sensor glitches far outside the physical range

# --- Materials -------------------------------------------------------------------------------
# (code, name, category, unit, unit cost USD, per-order use, shelf life days, supplier id)
SUPPLIERS = ((1, "Northeast Roasters Supply"), (2, "Hudson Valley Dairy"), (3, "Tri-State Packaging"),
             (4, "Pacific Coconut Co."), (5, "Empire Bakery Wholesale"))
MATERIALS = (
    ("BEAN-ESP", "Espresso beans", "coffee", "kg", 16.5, 0.016, 180, 1),
    ("BEAN-CB", "Cold brew concentrate", "coffee", "l", 9.8, 0.012, 21, 1),
    ("MILK-WH", "Whole milk", "dairy", "l", 1.35, 0.14, 12, 2),
    ("MILK-OAT", "Oat milk", "dairy", "l", 3.2, 0.04, 60, 2),
    ("MILK-COC", "Coconut milk", "dairy", "l", 3.6, 0.06, 45, 4),
    ("CRM-HVY", "Heavy cream", "dairy", "l", 4.1, 0.01, 14, 2),
    ("SYR-CAR", "Caramel syrup", "syrup", "l", 7.5, 0.006, 365, 1),
    ("SYR-VAN", "Vanilla syrup", "syrup", "l", 7.5, 0.006, 365, 1),
    ("SYR-BSG", "Brown sugar syrup", "syrup", "l", 6.9, 0.004, 365, 1),
    ("MATCHA", "Matcha powder", "tea", "kg", 62.0, 0.0015, 270, 1),
    ("TEA-JAS", "Jasmine tea", "tea", "kg", 38.0, 0.0005, 365, 1),
    ("FRT-PIN", "Pineapple juice", "fruit", "l", 3.9, 0.008, 30, 4),
    ("FRT-RAS", "Raspberry puree", "fruit", "l", 11.0, 0.004, 30, 4),
    ("FRT-BLO", "Blood orange juice", "fruit", "l", 6.5, 0.006, 21, 4),
    ("FRT-GRP", "Grapefruit juice", "fruit", "l", 5.2, 0.005, 21, 4),
    ("ICE", "Ice", "other", "kg", 0.25, 0.25, None, 3),
    ("CUP-12", "Cup 12 oz", "packaging", "pcs", 0.11, 0.70, None, 3),
    ("CUP-16", "Cup 16 oz", "packaging", "pcs", 0.13, 0.35, None, 3),
    ("LID", "Lids", "packaging", "pcs", 0.04, 1.05, None, 3),
    ("STRAW", "Paper straws", "packaging", "pcs", 0.02, 0.75, None, 3),
    ("SLEEVE", "Cup sleeves", "packaging", "pcs", 0.03, 0.30, None, 3),
    ("BAG", "Paper bags", "packaging", "pcs", 0.06, 0.12, None, 3),
    ("BAGEL", "Bagels", "food", "pcs", 0.85, 0.05, 3, 5),
    ("COOKIE", "Cookies", "food", "pcs", 0.70, 0.03, 7, 5),
    ("CAKE", "Chocolate cake slices", "food", "pcs", 1.60, 0.015, 4, 5),
)
WASTE_SHARE_PERISHABLE = 0.035
