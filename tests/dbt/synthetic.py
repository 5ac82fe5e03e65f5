"""The synthetic estate the dbt tests land: a few hundred deterministic rows, hand-shaped.

4 stores (one not yet open), 40 users, 6 products, ~300 orders with every status, coupons (one
duplicate issue), make-queue events, IoT devices, stock and the empty loyalty and tax schemas.
Dirty rows on purpose: a zero date nulled, an orphan order line, an out-of-range temperature,
an emoji nickname. `generate()` is the world as of AS_OF; `as_of()` the same world as an
earlier extract saw it. `landing.py` writes it into a warehouse by the raw-table contract.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from pipelines.redis_estate.parsers import TABLES as REDIS_TABLES

UTC = timezone.utc
AS_OF = datetime(2025, 10, 31, 23, 0, tzinfo=UTC)
LOADED_AT = datetime(2025, 11, 1, tzinfo=UTC)  # when the full landing's load ran


def load_id_at(moment: datetime) -> str:
    """dlt's load id of a load that ran at `moment`: its epoch, to the microsecond."""
    return f"{moment.timestamp():.6f}"


FULL_LOAD_ID = load_id_at(LOADED_AT)  # "1761955200.000000"


def _ts(d: datetime) -> datetime:
    return d.astimezone(UTC)


def generate() -> dict[str, dict[str, list[dict]]]:
    """schema -> table -> rows (dicts keyed by the estate's column names)."""
    rnd = random.Random(20250630)
    out: dict[str, dict[str, list[dict]]] = {}

    def t0(day: date, hour: int = 12, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)

    opening = date(2025, 6, 30)
    shops = [
        (1, "US0001", "755 Broadway", "Manhattan", "Greenwich Village", "10003", 40.729900, -73.992300, opening, 2),
        (2, "US0002", "800 Sixth Avenue", "Manhattan", "NoMad", "10001", 40.745300, -73.990300, opening, 2),
        (3, "US0003", "1 Herald Square", "Manhattan", "Midtown", "10001", 40.749700, -73.987800, date(2025, 8, 18), 2),
        (4, "US0004", "100 Maiden Lane", "Manhattan", "Financial District", "10038", 40.707500, -74.007000, None, 1),
    ]
    out["luckyus_sales_shop"] = {
        "t_shop": [
            {"id": i, "shop_no": no, "shop_name": f"Luckin Coffee {name} ☕", "address": f"{name}, New York, NY",
             "borough": boro, "neighborhood": hood, "zip_code": z, "latitude": Decimal(str(lat)),
             "longitude": Decimal(str(lon)), "open_date": od, "status": st,
             "business_hours": json.dumps({"mon-fri": "07:00-20:00", "sat-sun": "08:00-19:00"}),
             "phone": "+12125550100", "is_deleted": False,
             "create_time": t0(date(2025, 5, 1)), "update_time": t0(date(2025, 6, 1))}
            for i, no, name, boro, hood, z, lat, lon, od, st in shops
        ],
        "t_dict_shop_status": [
            {"code": c, "name": n, "description": None}
            for c, n in [(1, "preparing"), (2, "open"), (3, "paused"), (4, "closed")]
        ],
    }

    channels = [(1, "popup_event"), (2, "app_store"), (3, "social_ad"), (4, "referral"), (5, "in_store_qr"),
                (6, "partner_promo")]
    users = []
    for uid in range(1, 41):
        reg = t0(date(2025, 6, 20) + timedelta(days=rnd.randint(0, 110)), rnd.randint(12, 23), rnd.randint(0, 59))
        users.append({
            "id": uid, "mobile": f"+1212555{uid:04d}", "email": f"user{uid}@example.com" if uid % 5 else None,
            "first_name": f"First{uid}", "last_name": f"Last{uid}",
            "nickname": "☕ coffee fan 🥥" if uid == 7 else f"nick{uid}",
            "register_channel": 1 if reg.date() < opening else rnd.choice([2, 3, 4, 5, 6]),
            "register_shop_id": rnd.choice([1, 2, None]), "gender": rnd.randint(0, 2),
            "birthday": None if uid % 3 else date(1995, 1 + uid % 12, 1 + uid % 27),
            "status": 1, "is_deleted": uid == 40, "register_time": reg, "last_login_time": reg + timedelta(days=3),
            "legacy_verify_time": None if uid % 4 == 0 else reg + timedelta(minutes=2),  # zero date -> NULL
            "create_time": reg, "update_time": reg,
        })
    out["luckyus_sales_user"] = {
        "t_user": users,
        "t_user_device": [
            {"id": u["id"], "user_id": u["id"], "os": rnd.choice(["ios", "android"]), "app_version": "5.1.0",
             "device_model": None, "create_time": u["register_time"], "update_time": u["register_time"]}
            for u in users
        ],
        "t_dict_register_channel": [{"code": c, "name": n, "description": None} for c, n in channels],
    }

    categories = [(1, "Coffee"), (2, "Iced Coffee"), (3, "Food")]
    products = [
        (1, "P001", "Iced Coconut Latte", 2), (2, "P002", "Americano", 1), (3, "P003", "Latte", 1),
        (4, "P004", "Iced Pineapple Cold Brew", 2), (5, "P005", "Everything Bagel", 3),
        (6, "P006", "Chocolate Cake", 3),
    ]
    skus = []
    for pid, _, _, cat in products:
        sizes = [("Regular", 0)] if cat == 3 else [("Regular", 0), ("Large", 1)]
        for size, bump in sizes:
            skus.append({"id": len(skus) + 1, "product_id": pid, "sku_no": f"S{pid:03d}{size[0]}", "size_name": size,
                         "price": Decimal("4.45") + Decimal(pid) * Decimal("0.25") + bump})
    price_history = []
    for s in skus:
        first = s["price"] - Decimal("0.50")
        price_history.append({"id": len(price_history) + 1, "sku_id": s["id"], "old_price": None, "new_price": first,
                              "effective_time": t0(date(2025, 6, 1)), "create_time": t0(date(2025, 6, 1))})
        price_history.append({"id": len(price_history) + 1, "sku_id": s["id"], "old_price": first,
                              "new_price": s["price"], "effective_time": t0(date(2025, 9, 1), 4),
                              "create_time": t0(date(2025, 9, 1), 4)})
    out["luckyus_sales_product"] = {
        "t_category": [{"id": i, "category_name": n, "sort_order": i, "create_time": t0(date(2025, 5, 1)),
                        "update_time": t0(date(2025, 5, 1))} for i, n in categories],
        "t_product": [{"id": i, "product_no": no, "product_name": n, "category_id": c, "description": None,
                       "is_active": True, "launch_date": date(2025, 6, 30), "create_time": t0(date(2025, 5, 1)),
                       "update_time": t0(date(2025, 5, 1))} for i, no, n, c in products],
        "t_sku": [{**s, "create_time": t0(date(2025, 5, 1)), "update_time": t0(date(2025, 9, 1), 4)} for s in skus],
        "t_price_history": price_history,
        "t_shop_product": [{"id": (sid - 1) * 6 + pid, "shop_id": sid, "product_id": pid, "is_available": True,
                            "create_time": t0(date(2025, 6, 1)), "update_time": t0(date(2025, 6, 1))}
                           for sid in (1, 2, 3) for pid, *_ in products],
    }

    campaigns = [
        {"id": 1, "campaign_name": "New York grand opening", "campaign_type": 2, "budget_amount": Decimal("20000.00"),
         "status": 3, "start_time": t0(date(2025, 6, 20)), "end_time": t0(date(2025, 7, 31)),
         "create_time": t0(date(2025, 6, 1)), "update_time": t0(date(2025, 8, 1))},
        {"id": 2, "campaign_name": "Welcome drink", "campaign_type": 1, "budget_amount": Decimal("50000.00"),
         "status": 2, "start_time": t0(date(2025, 6, 20)), "end_time": t0(date(2026, 6, 30)),
         "create_time": t0(date(2025, 6, 1)), "update_time": t0(date(2025, 6, 1))},
    ]
    templates = [
        {"id": 1, "campaign_id": 1, "template_name": "$1.99 any drink", "coupon_type": 3,
         "discount_value": Decimal("1.99"), "min_spend": Decimal("0.00"), "valid_days": 14, "is_new_user_only": False},
        {"id": 2, "campaign_id": 2, "template_name": "First drink free", "coupon_type": 1,
         "discount_value": Decimal("4.00"), "min_spend": Decimal("0.00"), "valid_days": 30, "is_new_user_only": True},
        {"id": 3, "campaign_id": 2, "template_name": "20% off", "coupon_type": 2,
         "discount_value": Decimal("20.00"), "min_spend": Decimal("5.00"), "valid_days": 7, "is_new_user_only": False},
    ]
    for t in templates:
        t["create_time"] = t0(date(2025, 6, 1))
        t["update_time"] = t0(date(2025, 6, 1))
    spend = []
    for day in range(0, 40, 3):
        for cid, ch in ((1, "instagram"), (2, "tiktok")):
            spend.append({"id": len(spend) + 1, "campaign_id": cid, "media_channel": ch,
                          "spend_amount": Decimal("150.00") + day, "spend_date": date(2025, 6, 20) + timedelta(days=day),
                          "create_time": t0(date(2025, 6, 20) + timedelta(days=day), 23)})

    # Orders.
    orders, items, status_log, refunds, payments, pay_refunds, deliveries, make_events = [], [], [], [], [], [], [], []
    coupons: list[dict] = []
    settlement: dict[tuple[int, date], dict] = {}
    day = opening
    order_id = 0
    while day <= AS_OF.date():
        open_shops = [s for s in shops if s[8] is not None and s[8] <= day]
        for shop in open_shops:
            for _ in range(rnd.randint(0, 3)):
                order_id += 1
                user = users[rnd.randrange(len(users))]
                created = t0(day, rnd.choice([11, 12, 13, 14, 19, 20, 23]), rnd.randint(0, 59))
                if created < user["register_time"]:
                    created = user["register_time"] + timedelta(minutes=5, seconds=order_id)
                if created > AS_OF:
                    created = AS_OF - timedelta(minutes=30)
                channel = 2 if rnd.random() < 0.12 else 1
                roll = rnd.random()
                status = 50 if roll < 0.82 else 60 if roll < 0.90 else 70 if roll < 0.95 else 30
                lines = []
                for _ in range(rnd.randint(1, 3) + (2 if channel == 2 else 0)):
                    sku = skus[rnd.randrange(len(skus))]
                    qty = rnd.randint(1, 2)
                    lines.append((sku, qty))
                total = sum(s["price"] * q for s, q in lines)
                coupon_id = None
                discount = Decimal("0.00")
                if rnd.random() < 0.4:
                    tmpl = templates[rnd.randrange(3)]
                    discount = min(total, Decimal("2.00"))
                    coupon_id = len(coupons) + 1
                    coupons.append({
                        "id": coupon_id, "coupon_no": f"C{coupon_id:08d}", "template_id": tmpl["id"],
                        "user_id": user["id"], "status": 1 if status in (50, 70, 30) else 0,
                        "order_id": order_id if status in (50, 70, 30) else None,
                        "issue_time": created - timedelta(days=1), "expire_time": created + timedelta(days=13),
                        "use_time": created if status in (50, 70, 30) else None,
                        "create_time": created - timedelta(days=1), "update_time": created,
                    })
                pay = total - discount
                pay_time = created + timedelta(seconds=20) if status != 60 else None
                complete = created + timedelta(minutes=6) if status in (50, 70) else None
                cancel = created + timedelta(minutes=2) if status == 60 else None
                updated = (complete or cancel or created) + (timedelta(days=2) if status == 70 else timedelta(0))
                if updated > AS_OF:
                    updated = AS_OF
                orders.append({
                    "id": order_id, "order_no": f"O{order_id:010d}", "user_id": user["id"], "shop_id": shop[0],
                    "channel": channel, "status": status, "item_count": sum(q for _, q in lines),
                    "total_amount": total, "discount_amount": discount, "pay_amount": pay,
                    "coupon_id": coupon_id, "remark": None, "is_deleted": order_id == 5,
                    "create_time": created, "pay_time": pay_time, "complete_time": complete,
                    "cancel_time": cancel, "update_time": updated,
                })
                left = discount
                for n, (sku, qty) in enumerate(lines):
                    line_gross = sku["price"] * qty
                    line_disc = left if n == len(lines) - 1 else min(left, line_gross)
                    left -= line_disc
                    items.append({
                        "id": len(items) + 1, "order_id": order_id, "product_id": sku["product_id"], "sku_id": sku["id"],
                        "product_name": products[sku["product_id"] - 1][2], "quantity": qty,
                        "unit_price": sku["price"], "discount_amount": line_disc, "pay_amount": line_gross - line_disc,
                        "create_time": created, "update_time": created,
                    })
                prev = None
                path = {50: [10, 20, 30, 40, 50], 60: [10, 60], 70: [10, 20, 30, 40, 50, 70], 30: [10, 20, 30]}[status]
                for k, st in enumerate(path):
                    status_log.append({"id": len(status_log) + 1, "order_id": order_id, "from_status": prev,
                                       "to_status": st, "operator": "system",
                                       "create_time": min(created + timedelta(minutes=k), AS_OF)})
                    prev = st
                if pay_time:
                    payments.append({
                        "id": len(payments) + 1, "payment_no": f"PAY{order_id:010d}", "order_id": order_id,
                        "user_id": user["id"], "pay_method": rnd.randint(1, 4), "amount": pay,
                        "status": 4 if status == 70 else 2, "gateway_txn_id": f"txn_{order_id}",
                        "create_time": created, "pay_time": pay_time, "update_time": updated,
                    })
                if status == 70:
                    refunds.append({"id": len(refunds) + 1, "refund_no": f"R{order_id:010d}", "order_id": order_id,
                                    "refund_amount": pay, "reason": "wrong drink", "status": 2,
                                    "create_time": updated, "update_time": updated})
                    pay_refunds.append({"id": len(pay_refunds) + 1, "payment_id": len(payments), "order_id": order_id,
                                        "amount": pay, "status": 2, "create_time": updated, "update_time": updated})
                if channel == 2:
                    deliveries.append({
                        "id": len(deliveries) + 1, "order_id": order_id, "platform": rnd.randint(1, 3),
                        "platform_order_no": f"DD{order_id}", "delivery_fee": Decimal("3.99"),
                        "distance_miles": Decimal("1.20"), "status": 3 if status == 50 else 4,
                        "dispatch_time": created + timedelta(minutes=1),
                        "pickup_time": complete, "deliver_time": complete + timedelta(minutes=20) if complete else None,
                        "create_time": created, "update_time": updated,
                    })
                if status in (50, 70, 30):
                    base = 330 - (day - opening).days  # production gets faster
                    queued = created + timedelta(seconds=25)
                    started = queued + timedelta(seconds=base // 3)
                    finished = started + timedelta(seconds=base - base // 3, milliseconds=250)
                    picked = finished + timedelta(seconds=90)
                    ev = [(1, queued), (2, started)]
                    if status != 30:
                        ev += [(3, finished), (4, picked)]
                    for et, when in ev:
                        make_events.append({"id": len(make_events) + 1, "order_id": order_id, "shop_id": shop[0],
                                            "event_type": et, "station_no": 1, "event_time": when,
                                            "create_time": when.replace(microsecond=0)})
                if status in (50, 70):
                    s = settlement.setdefault((shop[0], day), {"n": 0, "g": Decimal(0), "d": Decimal(0), "r": Decimal(0)})
                    s["n"] += 1
                    s["g"] += total
                    s["d"] += discount
                    s["r"] += pay if status == 70 else Decimal(0)
        day += timedelta(days=1)
    # Unused / expired coupons never attached to an order, and one duplicate issue.
    for uid in range(1, 21):
        cid = len(coupons) + 1
        issued = t0(date(2025, 7, 1) + timedelta(days=uid * 3))
        coupons.append({"id": cid, "coupon_no": f"C{cid:08d}", "template_id": 2, "user_id": uid,
                        "status": 2 if uid % 2 else 0, "order_id": None, "issue_time": issued,
                        "expire_time": issued + timedelta(days=30), "use_time": None,
                        "create_time": issued, "update_time": issued + timedelta(days=30)})
    dup = dict(coupons[-1])
    dup.update(id=len(coupons) + 1, coupon_no=f"C{len(coupons) + 1:08d}")
    coupons.append(dup)
    # An orphan order line (its order never landed).
    items.append({"id": len(items) + 1, "order_id": 999999, "product_id": 2, "sku_id": 3,
                  "product_name": "Americano", "quantity": 1, "unit_price": Decimal("4.95"),
                  "discount_amount": Decimal("0.00"), "pay_amount": Decimal("4.95"),
                  "create_time": t0(date(2025, 7, 2)), "update_time": t0(date(2025, 7, 2))})

    out["luckyus_sales_order"] = {
        "t_order": orders, "t_order_item": items, "t_order_status_log": status_log, "t_refund": refunds,
        "t_dict_order_status": [{"code": c, "name": n, "description": None} for c, n in
                                [(10, "created"), (20, "paid"), (30, "making"), (40, "ready"), (50, "completed"),
                                 (60, "cancelled"), (70, "refunded")]],
    }
    out["luckyus_sales_payment"] = {"t_payment": payments, "t_payment_refund": pay_refunds}
    out["luckyus_sales_delivery"] = {"t_delivery_order": deliveries}
    out["luckyus_isales_market"] = {"t_campaign": campaigns, "t_campaign_spend": spend,
                                    "t_coupon_template": templates, "t_coupon": coupons}
    out["luckyus_ops_production"] = {"t_make_event": make_events}

    device_types = [(1, "coffee_machine", "Coffee machine"), (2, "blender", "Blender"),
                    (3, "ice_maker", "Ice maker"), (4, "refrigerator", "Refrigerator")]
    devices, dev_events = [], []
    for sid in (1, 2, 3):
        for tid, code, _ in device_types:
            did = len(devices) + 1
            inst = shops[sid - 1][8] - timedelta(days=5)
            devices.append({"id": did, "device_sn": f"SN{sid}{tid:02d}", "device_type_id": tid,
                            "model": f"{code.upper()}-X", "shop_id": sid, "firmware_version": "1.0.3",
                            "status": 1, "install_date": inst, "create_time": t0(inst), "update_time": t0(inst)})
            for k in range(3):
                when = t0(inst + timedelta(days=10 * k + 1), 13)
                et = [1, 4, 2 if tid == 2 else 4][k]
                dev_events.append({"id": len(dev_events) + 1, "device_id": did, "event_type": et,
                                   "error_code": None, "reading_value": Decimal("36.50") if tid == 4 and et == 4 else None,
                                   "payload": json.dumps({"seq": k}), "event_time": when, "create_time": when})
    out["luckyus_iot_device"] = {
        "t_device_type": [{"id": i, "type_code": c, "type_name": n} for i, c, n in device_types],
        "t_device": devices, "t_device_event": dev_events,
    }

    materials = [(1, "M-BEAN", "Espresso beans", "coffee", "kg", Decimal("14.5000")),
                 (2, "M-MILK", "Whole milk", "dairy", "l", Decimal("1.2000")),
                 (3, "M-COCO", "Coconut milk", "dairy_alt", "l", Decimal("3.1000")),
                 (4, "M-CUP16", "16oz cup", "packaging", "pcs", Decimal("0.0800"))]
    out["luckyus_scm_material"] = {
        "t_supplier": [{"id": 1, "supplier_name": "Hudson Roasters", "contact_email": "sales@hudson.example",
                        "lead_time_days": 2, "create_time": t0(date(2025, 5, 1)), "update_time": t0(date(2025, 5, 1))},
                       {"id": 2, "supplier_name": "Empire Dairy", "contact_email": None, "lead_time_days": 1,
                        "create_time": t0(date(2025, 5, 1)), "update_time": t0(date(2025, 5, 1))}],
        "t_material": [{"id": i, "material_code": c, "material_name": n, "category": cat, "unit": u, "unit_cost": cost,
                        "supplier_id": 1 if i == 1 else 2, "shelf_life_days": None if i == 4 else 10,
                        "create_time": t0(date(2025, 5, 1)), "update_time": t0(date(2025, 5, 1))}
                       for i, c, n, cat, u, cost in materials],
    }
    stock, movements, counts, pos, po_lines, receipts = [], [], [], [], [], []
    for sid in (1, 2, 3):
        for mid, *_ in materials:
            qty = Decimal("50.000")
            d = shops[sid - 1][8]
            while d <= AS_OF.date():
                if d.weekday() == 0:
                    movements.append({"id": len(movements) + 1, "shop_id": sid, "material_id": mid, "movement_type": 1,
                                      "quantity": Decimal("40.000"), "reference_no": f"PO{sid}{mid}{d:%m%d}",
                                      "movement_date": d, "create_time": t0(d, 13)})
                    qty += 40
                used = Decimal(rnd.randint(3, 7))
                movements.append({"id": len(movements) + 1, "shop_id": sid, "material_id": mid, "movement_type": 2,
                                  "quantity": used, "reference_no": None, "movement_date": d, "create_time": t0(d, 23)})
                qty -= used
                if d.day == 15:
                    movements.append({"id": len(movements) + 1, "shop_id": sid, "material_id": mid, "movement_type": 3,
                                      "quantity": Decimal("1.500"), "reference_no": None, "movement_date": d,
                                      "create_time": t0(d, 23)})
                    qty -= Decimal("1.5")
                qty = max(qty, Decimal(0))
                counts.append({"id": len(counts) + 1, "shop_id": sid, "material_id": mid, "count_date": d,
                               "quantity": qty, "create_time": t0(d + timedelta(days=1), 3)})
                d += timedelta(days=1)
            stock.append({"id": len(stock) + 1, "shop_id": sid, "material_id": mid, "quantity": qty,
                          "create_time": t0(date(2025, 6, 29)), "update_time": AS_OF})
        po_id = len(pos) + 1
        pos.append({"id": po_id, "po_no": f"PO{po_id:06d}", "supplier_id": 1, "shop_id": sid, "status": 3,
                    "total_amount": Decimal("580.00"), "order_date": date(2025, 8, 1), "expected_date": date(2025, 8, 3),
                    "create_time": t0(date(2025, 8, 1)), "update_time": t0(date(2025, 8, 3))})
        po_lines.append({"id": len(po_lines) + 1, "po_id": po_id, "material_id": 1, "quantity": Decimal("40.000"),
                         "unit_cost": Decimal("14.5000"), "line_amount": Decimal("580.00"),
                         "create_time": t0(date(2025, 8, 1))})
        receipts.append({"id": len(receipts) + 1, "po_id": po_id, "shop_id": sid,
                         "received_time": t0(date(2025, 8, 3), 14), "is_complete": True,
                         "create_time": t0(date(2025, 8, 3), 14)})
    out["luckyus_scm_inventory"] = {"t_stock": stock, "t_stock_movement": movements, "t_stock_count": counts}
    out["luckyus_scm_purchase"] = {"t_purchase_order": pos, "t_purchase_order_line": po_lines,
                                   "t_delivery_receipt": receipts}
    out["luckyus_member"] = {"t_member_level": [], "t_member": [], "t_member_points_log": [], "t_member_benefit": []}
    out["fi_tax"] = {"t_tax_rate": [], "t_tax_record": [], "t_tax_filing": []}
    out["fi_settlement"] = {"t_shop_daily_settlement": [
        {"id": n + 1, "shop_id": sid, "settle_date": d, "order_count": v["n"], "gross_amount": v["g"],
         "discount_amount": v["d"], "net_amount": v["g"] - v["d"], "refund_amount": v["r"], "status": 2,
         "create_time": t0(d + timedelta(days=1), 6), "update_time": t0(d + timedelta(days=1), 6)}
        for n, ((sid, d), v) in enumerate(sorted(settlement.items()))
    ]}

    # Redis snapshots: two of them, a day apart.
    redis: dict[str, list[dict]] = {k: [] for k in REDIS_TABLES}  # the snapshot tables the extract writes
    for snap_n, snap_at in enumerate([AS_OF - timedelta(days=1), AS_OF]):
        snap_id = f"snap-{snap_at:%Y%m%dT%H%M}"
        for inst, used, mx in [("luckyus-isales-market", 900 + snap_n * 10, 1024), ("luckyus-iot-device", 120, 1024),
                               ("luckyus-sales-session", 300, 1024)]:
            redis["instance_info"].append({"snapshot_id": snap_id, "snapshot_at": snap_at, "instance": inst,
                                           "used_memory_bytes": used * 2**20, "maxmemory_bytes": mx * 2**20,
                                           "key_count": 1000 + used, "evicted_keys": 5 if used > 800 else 0})
        redis["key_patterns"] += [
            {"snapshot_id": snap_id, "snapshot_at": snap_at, "instance": "luckyus-sales-session",
             "pattern": "session:token:*", "key_type": "string", "key_count": 812, "is_sensitive": True},
            {"snapshot_id": snap_id, "snapshot_at": snap_at, "instance": "luckyus-isales-market",
             "pattern": "coupon:stock:*", "key_type": "string", "key_count": 3, "is_sensitive": False},
        ]
        for dv in devices:
            online = dv["device_type_id"] != 2 and (dv["id"] + snap_n) % 3 != 0
            type_code = device_types[dv["device_type_id"] - 1][1]
            redis["iot_device_state"].append({
                "snapshot_id": snap_id, "snapshot_at": snap_at, "device_id": dv["id"], "device_sn": dv["device_sn"],
                "shop_id": dv["shop_id"], "device_type": type_code, "is_online": online,
                "last_heartbeat_at": snap_at - (timedelta(seconds=20) if online else timedelta(hours=30)),
                "temperature_f": (212.5 if dv["id"] == 4 else 36.4) if type_code == "refrigerator" else None,
                "error_code": "E12" if dv["id"] == 6 else None,
            })
        for sid in (1, 2, 3):
            for mid, code, *_ in materials:
                redis["inventory_levels"].append({"snapshot_id": snap_id, "snapshot_at": snap_at, "shop_id": sid,
                                                  "material_code": code, "quantity": 42.0})
            redis["order_queues"].append({"snapshot_id": snap_id, "snapshot_at": snap_at, "shop_id": sid,
                                          "queue_length": 2, "last_order_seq": 120 + sid})
        for tmpl in templates:
            redis["coupon_stock"].append({"snapshot_id": snap_id, "snapshot_at": snap_at, "template_id": tmpl["id"],
                                          "remaining_stock": 500 - tmpl["id"]})
    out["redis_snapshots"] = redis
    return out


_CREATED_COLUMNS = ("create_time", "snapshot_at", "issue_time", "register_time")


def as_of(data: dict[str, dict[str, list[dict]]], cutoff: datetime) -> dict[str, dict[str, list[dict]]]:
    """The same world as an extract at `cutoff` would have seen it: rows created later are
    absent, and orders and coupons that changed later are in their earlier state. Building
    the warehouse at the cutoff and then at the full date exercises incremental models on
    late-arriving rows and late status changes (refunds two days after completion)."""
    out: dict[str, dict[str, list[dict]]] = {}
    for schema, tables in data.items():
        out[schema] = {}
        for table, rows in tables.items():
            kept = []
            for row in rows:
                created = next((row[c] for c in _CREATED_COLUMNS if row.get(c) is not None), None)
                if created is not None and created > cutoff:
                    continue
                row = dict(row)
                if table == "t_order" and row["update_time"] > cutoff:
                    if row["complete_time"] is not None and row["complete_time"] <= cutoff:
                        row.update(status=50, update_time=row["complete_time"])  # refunded later
                    else:
                        row.update(status=30, complete_time=None, update_time=row["pay_time"] or row["create_time"])
                if table == "t_coupon" and row["update_time"] > cutoff:
                    row.update(status=0, order_id=None, use_time=None, update_time=row["create_time"])
                if table == "t_payment" and row["update_time"] > cutoff:
                    row.update(status=2, update_time=row["create_time"])
                if table == "t_stock" and row["update_time"] > cutoff:
                    row.update(update_time=cutoff)
                kept.append(row)
            out[schema][table] = kept
    return out
