"""The core schemas' tables as they stand at an instant (see ``core`` for the lifecycles): stores,
menu, users, orders and marketing here; production, IoT, supply chain and settlement in
``operations``; and the live state the Redis half mirrors."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import world as w
from .core import World
from .frames import Frames, _labels, _latest, _le, _money, _numbered, _numbered_after, _pick, _t, _text, _until, _upto
from .operations import _iot, _production, _settlement, _supply_chain
from .plan import NAT, OPEN_STORES, TEMPLATES, _days, as_of_instant, list_price, local_to_utc, stream
from .facts import LiveState

DUPLICATE_COUPON_ID_OFFSET = 1_000_000_000

FIRST_NAMES = np.array(["James", "Mary", "Wei", "Priya", "Carlos", "Aisha", "Liam", "Sofia", "Noah", "Mei",
                        "Jin", "Olivia", "Mateo", "Chloe", "Ethan", "Zoe", "Arjun", "Yuki", "Omar", "Grace",
                        "Daniel", "Hana", "Lucas", "Ava", "Min-jun", "Isabella", "Kofi", "Emma", "Diego", "Lily"])
LAST_NAMES = np.array(["Smith", "Chen", "Garcia", "Kim", "Patel", "Johnson", "Nguyen", "Rodriguez", "Lee", "Brown",
                       "Wang", "Martinez", "Davis", "Lopez", "Wilson", "Zhang", "Anderson", "Thomas", "Liu", "Jackson",
                       "O'Brien", "Cohen", "Rossi", "Müller", "Singh", "Park", "Hernández", "Okafor", "Ali", "Kowalski"])
EMOJI = np.array(["☕", "😀", "🥥", "✨", "🔥", "🌸", "🍩", "💚", "🎧", "🗽"])
DOMAINS = np.array(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "nyu.edu", "columbia.edu", "hotmail.com"])


# The big tables' frames take their columns as they are (copy=False): many are the world's own
# arrays, and a frame's copy of them would be one more table's worth of memory.

# Tables later steps read again (both small): kept in the frames when the rest is handed over.
_READ_AGAIN = (("luckyus_sales_shop", "t_shop"), ("luckyus_iot_device", "t_device"))


class _HandOver(dict):
    """Frames that go to ``sink`` the moment a step stores them, kept only when read again; with
    ``after``, only their rows written after that instant go (``written_after``)."""

    def __init__(self, sink: Callable[[tuple[str, str], pd.DataFrame], None], after: np.datetime64 | None) -> None:
        super().__init__()
        self._sink = sink
        self._after = after

    def __setitem__(self, key: tuple[str, str], frame: pd.DataFrame) -> None:
        if key in _READ_AGAIN:
            super().__setitem__(key, frame)
        self._sink(key, frame if self._after is None else written_after(frame, self._after))


def written_after(frame: pd.DataFrame, instant: np.datetime64) -> pd.DataFrame:
    """The rows of a projected table written after ``instant``: new rows and rows a later event
    changed. Every change moves the row's ``update_time`` (``create_time`` in tables whose rows
    never change) to the event's time, as the services do: that is what an incremental extract
    relies on too, and ``tests/simulator`` checks it. Tables with neither (the code
    dictionaries) are small and given whole."""
    column = next((c for c in ("update_time", "create_time") if c in frame.columns), None)
    if column is None:
        return frame
    keep = ~(_t(frame[column]) <= instant)  # a missing time is kept: it cannot be shown old
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def project(world: World, as_of_date: date, sink: Callable[[tuple[str, str], pd.DataFrame], None] | None = None,
            since: date | None = None) -> tuple[Frames, LiveState]:
    """Every core table as it stands at the end of ``as_of_date`` (local), plus the live state.

    With ``sink``, each table goes to ``sink(key, frame)`` as soon as its step has made it, and
    the returned frames are empty: the caller writes a table and lets it go, so memory holds the
    world and one step's tables instead of the whole estate. With ``since`` (an earlier day; a
    sink needed), a table holds only the rows written after the end of that day: what turns the
    estate projected at ``since`` into the estate at ``as_of_date`` when upserted by key."""
    if since is not None and sink is None:
        raise ValueError("project(since=...) hands its tables to a sink")
    as_of = as_of_instant(as_of_date)
    after = None if since is None else as_of_instant(since)
    f: Frames = {} if sink is None else _HandOver(sink, after)

    users, orders, items = world.frames["users"], world.frames["orders"], world.frames["items"]
    orders = _until(orders, orders.created.values, as_of)
    users = _until(users, users.register_time.values, as_of)
    _shops(f, as_of, as_of_date)
    _menu(f, as_of, as_of_date)
    # The biggest tables are cut to the rows written after ``after`` before their text is made;
    # ids still come from the whole history's order. The rest is cut as it is handed over.
    _users(f, users, orders, as_of, after)
    _orders(f, orders, items, world, as_of, after)
    coupons_live = _market(f, world, orders, as_of, as_of_date, after)
    _production(f, world, as_of, after)
    devices_live = _iot(f, world, as_of, as_of_date)
    stock_live = _supply_chain(f, world, orders, as_of, as_of_date)
    _settlement(f, orders, as_of)

    last_local = pd.Timestamp(as_of).tz_localize("UTC").tz_convert(w.BUSINESS_TZ).date()
    todays = orders[(pd.to_datetime(orders.created).dt.tz_localize("UTC").dt.tz_convert(w.BUSINESS_TZ).dt.date == last_local).values]
    seq = todays.groupby("store_idx").size()
    rs = stream(world.seed, "queues", as_of_date.isoformat())
    shops = f[("luckyus_sales_shop", "t_shop")]
    open_ids = shops.loc[shops.status == 2, "id"].to_numpy()
    queues = pd.DataFrame({
        "shop_id": open_ids,
        "queue_length": rs.integers(0, 14, len(open_ids)),
        "last_order_seq": [int(seq.get(i - 1, 0)) for i in open_ids],
    })
    recent = orders[orders.created.values > as_of - np.timedelta64(7, "D")]
    sessions = recent.groupby("user_idx").created.max().reset_index()
    if sink is not None:
        f.clear()
    live = LiveState(
        as_of=pd.Timestamp(as_of).to_pydatetime(), scale=world.scale, seed=world.seed,
        shops=pd.DataFrame({"shop_id": shops.id, "shop_no": shops.shop_no, "is_open": shops.status == 2}),
        devices=devices_live, stock=stock_live,
        campaigns=coupons_live["campaigns"], coupon_templates=coupons_live["templates"],
        unused_coupons=coupons_live["unused"], order_queues=queues,
        active_sessions=pd.DataFrame({"user_id": sessions.user_idx + 1, "last_login_at": sessions.created}),
    )
    return f, live


# --- Stores and menu ---------------------------------------------------------------------------
def _shops(f: Frames, as_of, as_of_date: date) -> None:
    rows = []
    for s in w.STORES:
        announced = (s.open_date or date(2026, 2, 1)) - timedelta(days=45)
        is_open = s.open_date is not None and s.open_date <= as_of_date
        created = np.datetime64(announced, "ms") + np.timedelta64(14, "h")
        updated = np.datetime64(s.open_date, "ms") + np.timedelta64(11, "h") if is_open else created
        hours = {"mon-fri": "07:00-20:00", "sat-sun": "08:00-19:00"}
        rows.append(dict(id=s.shop_id, shop_no=f"US{s.shop_id:04d}", shop_name=s.name, address=s.address,
                         borough="Manhattan", neighborhood=s.neighborhood, zip_code=s.zip_code,
                         latitude=s.lat, longitude=s.lon,
                         open_date=pd.Timestamp(s.open_date) if s.open_date else pd.NaT,
                         status=2 if is_open else 1, business_hours=json.dumps(hours, separators=(",", ":")),
                         phone=f"+1212555{1000 + s.shop_id:04d}", is_deleted=0, create_time=created, update_time=updated))
    shops = pd.DataFrame(rows)
    f[("luckyus_sales_shop", "t_shop")] = shops[shops.create_time.values <= as_of].reset_index(drop=True)
    f[("luckyus_sales_shop", "t_dict_shop_status")] = pd.DataFrame(
        {"code": [1, 2, 3, 4], "name": ["preparing", "open", "paused", "closed"],
         "description": ["Announced, not trading yet", "Trading", "Temporarily closed", "Permanently closed"]})


def _menu(f: Frames, as_of, as_of_date: date) -> None:
    launch_ts = np.datetime64(date(2025, 6, 1), "ms")
    f[("luckyus_sales_product", "t_category")] = pd.DataFrame({
        "id": range(1, len(w.CATEGORIES) + 1), "category_name": w.CATEGORIES,
        "sort_order": [i * 10 for i in range(1, len(w.CATEGORIES) + 1)],
        "create_time": launch_ts, "update_time": launch_ts})
    cat_id = {c: i + 1 for i, c in enumerate(w.CATEGORIES)}
    prods, skus, history, shop_products = [], [], [], []
    for p in w.PRODUCTS:
        created = np.datetime64(p.launch, "ms") - np.timedelta64(7, "D") + np.timedelta64(15, "h")
        if created > as_of:
            continue
        retired = p.retire is not None and p.retire < as_of_date
        updated = np.datetime64(p.retire + timedelta(days=1), "ms") + np.timedelta64(9, "h") if retired else created
        prods.append(dict(id=p.product_id, product_no=f"P{p.product_id:04d}", product_name=p.name,
                          category_id=cat_id[p.category], description=f"{p.name} - {p.category.lower()}",
                          is_active=0 if retired else 1, launch_date=pd.Timestamp(p.launch),
                          create_time=created, update_time=updated))
        sizes = [("regular", 0.0), ("large", w.LARGE_SIZE_UPCHARGE)] if p.is_drink else [("regular", 0.0)]
        for si, (size, up) in enumerate(sizes):
            sku_id = p.product_id * 10 + si + 1
            changes = [(created, None, round(p.price + up, 2))]
            for when, ids, amount in w.PRICE_CHANGES:
                if p.is_drink and (ids is None or p.product_id in ids):
                    ts = np.datetime64(when, "ms") + np.timedelta64(10, "h")
                    if ts <= as_of and when >= p.launch:
                        changes.append((ts, changes[-1][2], round(list_price(p, when) + up, 2)))
            for ts, old, new in changes:
                history.append(dict(sku_id=sku_id, old_price=old, new_price=new, effective_time=ts, create_time=ts))
            skus.append(dict(id=sku_id, product_id=p.product_id, sku_no=f"SKU{sku_id:06d}", size_name=size,
                             price=changes[-1][2], create_time=created, update_time=changes[-1][0]))
        for s in OPEN_STORES:
            # A store's menu is set up two days before it opens, and is there from then on (not
            # from the opening: rows would appear after the time they say they were made).
            since = max(np.datetime64(s.open_date, "ms") - np.timedelta64(2, "D"), created)
            if since <= as_of:
                shop_products.append(dict(shop_id=s.shop_id, product_id=p.product_id, is_available=0 if retired else 1,
                                          create_time=since, update_time=max(since, updated)))
    f[("luckyus_sales_product", "t_product")] = pd.DataFrame(prods)
    f[("luckyus_sales_product", "t_sku")] = pd.DataFrame(skus)
    hist = pd.DataFrame(history).sort_values(["effective_time", "sku_id"], kind="stable").reset_index(drop=True)
    hist.insert(0, "id", np.arange(1, len(hist) + 1))
    f[("luckyus_sales_product", "t_price_history")] = hist
    sp = pd.DataFrame(shop_products).sort_values(["create_time", "shop_id", "product_id"], kind="stable").reset_index(drop=True)
    sp.insert(0, "id", np.arange(1, len(sp) + 1))
    f[("luckyus_sales_product", "t_shop_product")] = sp


# --- Users ----------------------------------------------------------------------------------------
def _users(f: Frames, users: pd.DataFrame, orders: pd.DataFrame, as_of, after=None) -> None:
    everyone, ordering = users, orders
    if after is not None:  # a user row changes when they sign up and when they order (last login)
        ordering = orders[orders.created.values > after]
        users = users[(users.register_time.values > after) | users.user_idx.isin(ordering.user_idx.unique()).to_numpy()]
    uid = users.user_idx.to_numpy() + 1
    ns = users.name_seed.to_numpy()
    first_a, last_a = _pick(FIRST_NAMES, ns % len(FIRST_NAMES)), _pick(LAST_NAMES, (ns // 31) % len(LAST_NAMES))
    nick = _text(pc.if_else(pa.array(users.emoji.to_numpy()),
                            pc.binary_join_element_wise(first_a, _pick(EMOJI, ns % len(EMOJI)), " "), first_a))
    local_part = pc.utf8_lower(pc.binary_join_element_wise(
        first_a, pc.replace_substring(pc.replace_substring(last_a, "'", ""), " ", ""), "."))
    email = _text(pc.binary_join_element_wise(local_part, pa.array(uid % 997).cast(pa.string()), "@",
                                              _pick(DOMAINS, ns % len(DOMAINS)), ""),
                  missing=~users.has_email.to_numpy())
    mobile = _numbered(_pick(["+1212", "+1646", "+1917", "+1347", "+1718", "+1929"], ns % 6),
                       (uid * 7919 + 1_000_003) % 10_000_000, 7)
    reg = _t(users.register_time)
    last_order = ordering.groupby("user_idx").created.max()
    last_login = last_order.reindex(uid - 1).to_numpy(dtype="datetime64[ms]")
    last_login = np.where(np.isnat(last_login), reg, last_login)
    verify = (reg + users.verify_delay_s.to_numpy().astype("timedelta64[s]")).astype("datetime64[s]")
    verify_text = np.where(users.zero_verify, "0000-00-00 00:00:00",
                           pd.to_datetime(verify).strftime("%Y-%m-%d %H:%M:%S").to_numpy())
    bday = np.where(users.birthday_days >= 0,
                    (np.datetime64("2025-06-01") - users.birthday_days.to_numpy().clip(0).astype("timedelta64[D]")),
                    np.datetime64("NaT"))
    f[("luckyus_sales_user", "t_user")] = pd.DataFrame(copy=False, data={
        "id": uid, "mobile": mobile, "email": email, "first_name": _text(first_a, missing=ns % 9 == 0),
        "last_name": _text(last_a, missing=ns % 7 == 0), "nickname": nick,
        "register_channel": users.register_channel.to_numpy(), "register_shop_id": pd.array([None] * len(uid), dtype="Int64"),
        "gender": users.gender.to_numpy(), "birthday": pd.to_datetime(bday), "status": np.where(users.deleted, 3, 1),
        "is_deleted": users.deleted.astype(int).to_numpy(), "register_time": reg, "last_login_time": last_login,
        "legacy_verify_time": verify_text, "create_time": reg, "update_time": last_login,
    })
    # A second phone (15% of users) shows up with the first order placed two weeks or more after
    # sign-up: a time that later days cannot move, so `--append-days` only adds devices. Ids
    # follow creation time, as an auto-increment does: over every user.
    uid, ns, reg = everyone.user_idx.to_numpy() + 1, everyone.name_seed.to_numpy(), _t(everyone.register_time)
    placed = orders.created.to_numpy(dtype="datetime64[ms]")
    reg_of = pd.Series(reg, index=everyone.user_idx.to_numpy()).reindex(orders.user_idx).to_numpy(dtype="datetime64[ms]")
    later = orders[(placed >= reg_of + np.timedelta64(14, "D")) & (placed <= np.datetime64(as_of, "ms"))]
    second_time = later.groupby("user_idx").created.min().reindex(uid - 1).to_numpy(dtype="datetime64[ms]")
    second = ((ns % 100) < 15) & ~np.isnat(second_time)
    dev_user = np.concatenate([uid, uid[second]])
    dev_time = np.concatenate([reg, second_time[second]])
    order = np.lexsort((dev_user, dev_time))
    order, dev_id = _numbered_after(order, dev_time[order], after)
    os_ = np.where((ns % 10) < 6, "ios", "android")
    os_all = np.concatenate([os_, np.where(os_[second] == "ios", "android", "ios")])[order]
    f[("luckyus_sales_user", "t_user_device")] = pd.DataFrame(copy=False, data={
        "id": dev_id, "user_id": dev_user[order], "os": os_all,
        "app_version": np.array(["1.0.3", "1.1.0", "1.2.2", "1.3.0"])[(dev_user[order] * 13) % 4],
        "device_model": np.where(os_all == "ios", "iPhone 15", "Pixel 8"),
        "create_time": dev_time[order], "update_time": dev_time[order]})
    f[("luckyus_sales_user", "t_dict_register_channel")] = pd.DataFrame({
        "code": [1, 2, 3, 4, 5, 6],
        "name": ["popup_event", "app_store", "social_ad", "referral", "in_store_qr", "partner_promo"],
        "description": ["Signed up at a June 2025 pop-up event", "Downloaded the app organically",
                        "Paid social media advert", "Invited by a friend", "Scanned the QR code in a store",
                        "Partner promotion (universities, offices)"]})


# --- Orders, payments, delivery ------------------------------------------------------------------
def _orders(f: Frames, orders: pd.DataFrame, items_all: pd.DataFrame, world: World, as_of, after=None) -> None:
    status_log_all = world.frames["status_log"]
    logged_before = 0  # status log rows at or before ``after``: the ids the new rows follow
    if after is None:
        sl = _until(status_log_all, status_log_all.time.values, as_of)
    else:
        # An order row changes with its status: the orders of the log's rows since ``after``
        # (their last status is among those rows). The log holds lifecycles drawn ahead too.
        t = status_log_all.time.values
        fresh = (t > after) & (t <= as_of)
        logged_before = int((t <= after).sum())
        sl = status_log_all[fresh]
    o = orders if after is None else orders[orders.order_id.isin(sl.order_id.unique()).to_numpy()]
    created = _t(o.created)
    paid, completed = _upto(_t(o.paid), as_of), _upto(_t(o.completed), as_of)
    cancelled = _upto(_t(o.cancelled), as_of)
    last_status = sl.groupby("order_id").to_status.last().astype(np.int64)
    last_change = sl.groupby("order_id").time.max()
    keep = ~o.is_test.to_numpy()
    oid = o.order_id.to_numpy()
    status = last_status.reindex(oid).to_numpy()
    updated = last_change.reindex(oid).to_numpy(dtype="datetime64[ms]")
    remark = np.select([o.remark_draw < 0.015, o.remark_draw < 0.03, o.remark_draw < 0.035],
                       ["less ice please", "oat milk instead 🙏", "extra hot ☕🔥"], None)
    store_id = np.array([s.shop_id for s in OPEN_STORES])[o.store_idx.to_numpy()]
    order_frame = pd.DataFrame(copy=False, data={
        "id": oid, "order_no": _numbered("LK", oid, 12), "user_id": o.user_idx.to_numpy() + 1,
        "shop_id": store_id, "channel": o.channel.to_numpy(), "status": status, "item_count": o.item_count.to_numpy(),
        "total_amount": _money(o.gross_c), "discount_amount": _money(o.discount_c), "pay_amount": _money(o.pay_c),
        "coupon_id": pd.array(np.where(o.coupon_id > 0, o.coupon_id, -1), dtype="Int64"),
        "remark": remark, "is_deleted": 0, "create_time": created, "pay_time": paid, "complete_time": completed,
        "cancel_time": cancelled, "update_time": updated,
    })
    order_frame.loc[order_frame.coupon_id < 0, "coupon_id"] = pd.NA
    f[("luckyus_sales_order", "t_order")] = order_frame[keep].reset_index(drop=True)
    del order_frame, remark, status, updated  # each step's temporaries go before the next table is made
    if after is not None:  # payments, refunds and deliveries number their rows over the whole history
        o, paid = orders, _upto(_t(orders.paid), as_of)
    refunded = _upto(_t(o.refunded), as_of)

    it = _until(items_all, items_all.created.values, as_of)
    if after is not None:
        it = it[it.created.values > after]
    names = {p.product_id: p.name for p in w.PRODUCTS}
    sku = it.product_id.to_numpy() * 10 + np.where(it.large, 2, 1)
    f[("luckyus_sales_order", "t_order_item")] = pd.DataFrame(copy=False, data={
        "id": it.item_id.to_numpy(), "order_id": it.order_id.to_numpy(), "product_id": it.product_id.to_numpy(),
        "sku_id": sku, "product_name": it.product_id.map(names).to_numpy(), "quantity": it.quantity.to_numpy(),
        "unit_price": _money(it.unit_c), "discount_amount": _money(it.disc_c), "pay_amount": _money(it.pay_c),
        "create_time": _t(it.created), "update_time": _t(it.created)})

    # ids in time order, as the service writes them: a late refund of an old order gets a new id
    # (column by column: a sorted copy of the whole log would be one more table's worth)
    order = np.argsort(sl.time.to_numpy(), kind="stable")
    from_status = sl.from_status.to_numpy()[order].astype(np.int64)
    to_status = sl.to_status.to_numpy()[order].astype(np.int64)
    log = pd.DataFrame(copy=False, data={
        "id": np.arange(logged_before + 1, logged_before + len(order) + 1), "order_id": sl.order_id.to_numpy()[order],
        "from_status": pd.arrays.IntegerArray(np.where(from_status < 0, 0, from_status), from_status < 0),
        "to_status": to_status,
        "operator": _labels(("customer", "barista-app", "cs-agent"),
                            np.select([np.isin(to_status, [30, 40]), to_status == 70], [1, 2], 0)),
        "create_time": _t(sl.time.to_numpy()[order])})
    del sl, order, from_status, to_status, last_status, last_change  # before the hand-over waits for the writer
    f[("luckyus_sales_order", "t_order_status_log")] = log
    del log

    ref = o[~np.isnat(refunded)].sort_values("refunded", kind="stable")
    ref, ref_id = _numbered_after(ref, ref.refunded.values, after)
    ref_t = _t(ref.refunded)
    f[("luckyus_sales_order", "t_refund")] = pd.DataFrame({
        "id": ref_id, "refund_no": _numbered("RF", ref.order_id.to_numpy(), 12),
        "order_id": ref.order_id.to_numpy(), "refund_amount": _money(ref.pay_c),
        "reason": np.array(["wrong drink", "order took too long", "store closed early", "duplicate charge"])[ref.order_id.to_numpy() % 4],
        "status": 2, "create_time": ref_t - np.timedelta64(600, "s"), "update_time": ref_t})
    f[("luckyus_sales_order", "t_dict_order_status")] = pd.DataFrame({
        "code": [10, 20, 30, 40, 50, 60, 70],
        "name": ["created", "paid", "making", "ready", "completed", "cancelled", "refunded"],
        "description": ["Placed, awaiting payment", "Paid, waiting in the make queue", "Being made", "Ready for pickup or courier",
                        "Handed over", "Cancelled before completion", "Refunded after completion"]})

    # Payments: one successful payment per paid order, sometimes after a failed attempt.
    p = o.loc[~np.isnat(paid), ["order_id", "user_idx", "pay_method", "pay_c", "paid", "refunded", "cancelled",
                               "failed_payment"]]  # the columns payments read, not the whole orders frame
    p_paid = _t(p.paid)
    p_ref = _latest(_upto(_t(p.refunded), as_of), _upto(_t(p.cancelled), as_of))
    failed = p[p.failed_payment.to_numpy()]
    pay = pd.DataFrame({
        "order_id": np.concatenate([failed.order_id, p.order_id]),
        "user_id": np.concatenate([failed.user_idx, p.user_idx]) + 1,
        "pay_method": np.concatenate([failed.pay_method, p.pay_method]),
        "amount": np.concatenate([_money(failed.pay_c), _money(p.pay_c)]),
        "status": np.concatenate([np.full(len(failed), 3), np.where(np.isnat(p_ref), 2, 4)]),
        "create_time": np.concatenate([_t(failed.paid) - np.timedelta64(20, "s"), p_paid - np.timedelta64(3, "s")]),
        "pay_time": np.concatenate([np.full(len(failed), NAT), p_paid]),
        "update_time": np.concatenate([_t(failed.paid) - np.timedelta64(18, "s"), np.where(np.isnat(p_ref), p_paid, p_ref)]),
    }).sort_values(["create_time", "order_id"], kind="stable").reset_index(drop=True)
    pay.insert(0, "id", np.arange(1, len(pay) + 1))
    back = pay[pay.status == 4].sort_values("update_time", kind="stable")
    back, back_id = _numbered_after(back, back.update_time.values, after)
    if after is not None:  # the payments' ids are a column already
        pay = pay[pay.update_time.values > after].reset_index(drop=True)
    pay.insert(1, "payment_no", _numbered("PY", pay.id.to_numpy(), 12))
    pay.insert(6, "gateway_txn_id", _numbered("ch_", pay.id.to_numpy() * 2654435761 % 10**12, 12, missing=pay.status == 3))
    pay = pay[["id", "payment_no", "order_id", "user_id", "pay_method", "amount", "status", "gateway_txn_id", "create_time", "pay_time", "update_time"]]
    f[("luckyus_sales_payment", "t_payment")] = pay
    f[("luckyus_sales_payment", "t_payment_refund")] = pd.DataFrame({
        "id": back_id, "payment_id": back.id.to_numpy(), "order_id": back.order_id.to_numpy(),
        "amount": back.amount.to_numpy(), "status": 2, "create_time": _t(back.update_time), "update_time": _t(back.update_time)})

    dl = o[(o.channel == 2).to_numpy() & ~np.isnat(paid)]
    handed = _t(dl.completed)
    rs = stream(world.seed, "delivery")
    del rs
    minutes = (dl.distance_c.to_numpy() * 0.12 + 8).astype(np.int64)
    deliver = np.where(np.isnat(handed), NAT, handed + (minutes * 60).astype("timedelta64[s]"))
    dispatch = _t(dl.paid) + np.timedelta64(60, "s")
    cancelled_dl = ~np.isnat(_t(dl.cancelled))
    f[("luckyus_sales_delivery", "t_delivery_order")] = pd.DataFrame({
        "id": np.arange(1, len(dl) + 1), "order_id": dl.order_id.to_numpy(), "platform": dl.platform.to_numpy(),
        "platform_order_no": _numbered(_pick(["DD-", "UE-", "GH-"], dl.platform.to_numpy() - 1), dl.order_id.to_numpy(), 10),
        "delivery_fee": _money(dl.delivery_fee_c), "distance_miles": np.round(dl.distance_c.to_numpy() / 100, 2),
        "status": np.select([cancelled_dl & _le(_t(dl.cancelled), as_of), _le(deliver, as_of), _le(handed, as_of)], [4, 3, 2], 1),
        "dispatch_time": dispatch, "pickup_time": _upto(handed, as_of), "deliver_time": _upto(deliver, as_of),
        "create_time": _t(dl.paid), "update_time": _latest(dispatch, _upto(handed, as_of), _upto(deliver, as_of), _upto(_t(dl.cancelled), as_of))})


# --- Marketing -------------------------------------------------------------------------------------
def _market(f: Frames, world: World, orders: pd.DataFrame, as_of, as_of_date: date, after=None) -> dict:
    camp_rows, spend_rows = [], []
    for cid, name, ctype, start, end, budget, _ in w.CAMPAIGNS:
        created = np.datetime64(start, "ms") - np.timedelta64(10, "D")
        if created > as_of:
            continue
        ended = end < as_of_date
        status = 3 if ended else (2 if start <= as_of_date else 1)
        # The status moves at the start of the local day (midnight in New York, in UTC): a row
        # must not change after the time it says it changed (an extract's cursor would miss it).
        begins = local_to_utc(np.array([np.datetime64(start), np.datetime64(end + timedelta(days=1))], "datetime64[ms]"))
        changed = begins[1] if ended else (begins[0] if start <= as_of_date else created)
        camp_rows.append(dict(id=cid, campaign_name=name, campaign_type=ctype, budget_amount=float(budget), status=status,
                              start_time=np.datetime64(start, "ms") + np.timedelta64(4, "h"),
                              end_time=np.datetime64(end, "ms") + np.timedelta64(28, "h") - np.timedelta64(1, "s"),
                              create_time=created, update_time=changed))
        days = [d for d in _days(start, min(end, as_of_date))]
        for d in days:
            rs = stream(world.seed, "spend", cid, d.isoformat())
            daily = budget / max((end - start).days + 1, 1) * world.scale
            split = rs.dirichlet(np.ones(len(w.MEDIA_CHANNELS)) * 4)
            for ch, share in zip(w.MEDIA_CHANNELS, split):
                amount = round(daily * share * rs.uniform(0.7, 1.3), 2)
                if amount >= 0.01:
                    spend_rows.append(dict(campaign_id=cid, media_channel=ch, spend_amount=amount, spend_date=pd.Timestamp(d),
                                           create_time=np.datetime64(d + timedelta(days=1), "ms") + np.timedelta64(7, "h")))
    f[("luckyus_isales_market", "t_campaign")] = pd.DataFrame(camp_rows)
    # ids in the order rows are written (the morning after each day), so later days only add ids
    spend = pd.DataFrame(spend_rows).sort_values(["create_time", "campaign_id"], kind="stable")
    spend = spend[spend.create_time.values <= as_of].reset_index(drop=True)
    spend.insert(0, "id", np.arange(1, len(spend) + 1))
    f[("luckyus_isales_market", "t_campaign_spend")] = spend
    f[("luckyus_isales_market", "t_coupon_template")] = pd.DataFrame([dict(
        id=t.template_id, campaign_id=t.campaign_id, template_name=t.name, coupon_type=t.coupon_type,
        discount_value=t.value, min_spend=0.0, valid_days=t.valid_days, is_new_user_only=int(t.new_user),
        create_time=np.datetime64(t.start, "ms") - np.timedelta64(10, "D"),
        update_time=np.datetime64(t.start, "ms") - np.timedelta64(10, "D")) for t in TEMPLATES
        if np.datetime64(t.start, "ms") - np.timedelta64(10, "D") <= as_of])

    c = world.frames["coupons"]
    c = _until(c, c.issue_time.values, as_of)
    used = orders[(orders.coupon_id > 0).to_numpy() & ~np.isnat(_t(orders.paid))]
    use_time = pd.Series(_t(used.paid), index=used.coupon_id.to_numpy())
    use_order = pd.Series(used.order_id.to_numpy(), index=used.coupon_id.to_numpy())
    cid = c.coupon_id.to_numpy()
    u_time = use_time.reindex(cid).to_numpy(dtype="datetime64[ms]")
    u_order = use_order.reindex(cid).to_numpy()
    expire = _t(c.expire_time)
    is_used = _le(u_time, as_of)
    is_expired = ~is_used & _le(expire, as_of)
    issue = _t(c.issue_time)
    frame = pd.DataFrame(copy=False, data={
        "id": cid, "template_id": c.template_id.to_numpy(),
        "user_id": c.user_idx.to_numpy() + 1, "status": np.select([is_used, is_expired], [1, 2], 0),
        "order_id": pd.array(np.where(is_used, u_order, -1), dtype="Int64"),
        "issue_time": issue, "expire_time": expire, "use_time": np.where(is_used, u_time, NAT),
        "create_time": issue, "update_time": np.select([is_used, is_expired], [u_time, expire], issue)})
    frame.loc[~is_used, "order_id"] = pd.NA
    # Dirty rows: a double-submitted issue call stored the same coupon twice, a second apart.
    dirty = world.frames["dirty"].iloc[0]
    dup_mask = (cid * 2654435761 % 1_000_000) < dirty.duplicate_coupons * 1_000_000
    dup = frame[dup_mask].copy()
    dup["id"] = dup.id + DUPLICATE_COUPON_ID_OFFSET
    for col in ("issue_time", "create_time"):
        dup[col] = _t(dup[col]) + np.timedelta64(1, "s")
    dup_expired = _le(_t(dup.expire_time), as_of)
    dup["status"] = np.where(dup_expired, 2, 0)
    dup["order_id"] = pd.array([pd.NA] * len(dup), dtype="Int64")
    dup["use_time"] = NAT
    dup["update_time"] = np.where(dup_expired, _t(dup.expire_time), _t(dup.create_time))
    # The coupon number (the twin's with a "D"), made for the rows handed over only.
    parts = [frame, dup] if after is None else [part[part.update_time.values > after] for part in (frame, dup)]
    written = pd.concat(parts, ignore_index=True)
    del parts
    twin = written.id.to_numpy() >= DUPLICATE_COUPON_ID_OFFSET
    number = _numbered("CP", written.id.to_numpy() - np.where(twin, DUPLICATE_COUPON_ID_OFFSET, 0), 14)
    written.insert(1, "coupon_no", _text(pc.binary_join_element_wise(pa.array(number).cast(pa.string()), _pick(["", "D"], twin), "")))
    f[("luckyus_isales_market", "t_coupon")] = written
    del written
    # The live state reads every coupon, twins included (in the order the table holds them).
    issued = pd.concat([frame.template_id, dup.template_id]).value_counts()
    unused = pd.concat([frame[frame.status == 0], dup[dup.status == 0]], ignore_index=True)
    del frame, dup

    templates = pd.DataFrame({"template_id": [t.template_id for t in TEMPLATES],
                              "campaign_id": [t.campaign_id for t in TEMPLATES],
                              "template_name": [t.name for t in TEMPLATES]})
    templates["issued"] = templates.template_id.map(issued).fillna(0).astype(int)
    budget_stock = {t.template_id: int(round(50_000 * world.scale)) + 100 for t in TEMPLATES}
    templates["remaining_stock"] = [max(budget_stock[t] - issued.get(t, 0) % budget_stock[t], 0) for t in templates.template_id]
    camps = pd.DataFrame(camp_rows)
    return {
        "campaigns": pd.DataFrame({"campaign_id": camps.id, "campaign_name": camps.campaign_name,
                                   "campaign_type": camps.campaign_type, "is_running": camps.status == 2}),
        "templates": templates,
        "unused": pd.DataFrame({"user_id": unused.user_id, "coupon_id": unused.id, "template_id": unused.template_id}),
    }
