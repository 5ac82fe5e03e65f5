"""The operations side of the core tables at an instant: production events, the IoT fleet and its
outages, supply chain (stock, receipts, waste) and settlement."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from . import world as w
from .core import World
from .frames import Frames, _le, _money, _t, _until
from .plan import OPEN_STORES, _days, as_of_instant, local_to_utc, stream

DEVICE_HORIZON_DAYS = 500     # device lifecycles are drawn this far ahead of the base as-of date


# --- Production ----------------------------------------------------------------------------------
def _production(f: Frames, world: World, as_of, after=None) -> None:
    ev = world.frames["make_events"]
    if after is None:
        ev = _until(ev, ev.time.values, as_of).reset_index(drop=True)
        ids = np.arange(1, len(ev) + 1)
    else:  # only the events after ``after``, numbered among every event up to ``as_of``
        t = ev.time.values
        ids = np.cumsum(t <= as_of)
        fresh = (t > after) & (t <= as_of)
        ev, ids = ev[fresh].reset_index(drop=True), ids[fresh]
    t = _t(ev.time)
    f[("luckyus_ops_production", "t_make_event")] = pd.DataFrame(copy=False, data={  # the world's arrays, not copies
        "id": ids, "order_id": ev.order_id.to_numpy(),
        "shop_id": np.array([s.shop_id for s in OPEN_STORES])[ev.store_idx.to_numpy()],
        "event_type": ev.event_type.to_numpy(np.int64), "station_no": ev.station.to_numpy(np.int64),
        "event_time": t, "create_time": t.astype("datetime64[s]").astype("datetime64[ms]") + np.timedelta64(1, "s")})


# --- IoT --------------------------------------------------------------------------------------------
def _fleet() -> pd.DataFrame:
    rows = []
    for s in OPEN_STORES:
        for type_id, code, _name, per_store, models, _temp in w.DEVICE_TYPES:
            count = per_store + (w.EXTRA_COFFEE_MACHINES.get(s.shop_id, 0) if code == "coffee_machine" else 0)
            for k in range(count):
                rows.append(dict(shop_id=s.shop_id, type_id=type_id, type_code=code, model=models[k % len(models)],
                                 install=s.open_date - timedelta(days=3 + k % 3)))
    fleet = pd.DataFrame(rows)
    fleet.insert(0, "device_id", np.arange(1, len(fleet) + 1))
    return fleet


def _device_timelines(world: World, fleet: pd.DataFrame) -> pd.DataFrame:
    """Outage periods per device over the whole device horizon, pinned so that at the base
    as-of instant exactly the planned devices (OFFLINE_DEVICES, OFFLINE_BLENDERS) are offline."""
    base = as_of_instant(w.BASE_AS_OF)
    rs = stream(world.seed, "fleet")
    blenders = fleet.index[fleet.type_code == "blender"].to_numpy()
    others = fleet.index[fleet.type_code != "blender"].to_numpy()
    off = np.zeros(len(fleet), bool)
    off[rs.choice(blenders, w.OFFLINE_BLENDERS, replace=False)] = True
    off[rs.choice(others, w.OFFLINE_DEVICES - w.OFFLINE_BLENDERS, replace=False)] = True
    rows = []
    end = base + np.timedelta64(DEVICE_HORIZON_DAYS, "D")
    hour = np.timedelta64(3_600_000, "ms")
    for i, dev in fleet.iterrows():
        r = stream(world.seed, "device", int(dev.device_id))
        installed = np.datetime64(dev.install, "ms") + np.timedelta64(15, "h")
        pinned = None
        if off[i]:  # down since some days before the as-of instant, back some days after it
            down = max(base - np.timedelta64(int(r.exponential(14 * 86_400_000)), "ms") - hour, installed + hour)
            pinned = (down, base + np.timedelta64(int(r.exponential(20 * 86_400_000)) + 3_600_000, "ms"))
        t = installed
        while True:  # short outages: a renewal process over the device's life
            start = t + np.timedelta64(int(r.exponential(20 * 86_400_000)), "ms")
            stop_ = start + np.timedelta64(int(r.exponential(5 * 3_600_000)) + 60_000, "ms")
            if start >= end:
                break
            t = stop_
            if start <= base < stop_:
                continue  # the state at the as-of instant is the pinned one, not chance
            if pinned is not None and start < pinned[1] and stop_ > pinned[0]:
                continue
            rows.append((int(dev.device_id), start, stop_))
        if pinned is not None:
            rows.append((int(dev.device_id), *pinned))
    out = pd.DataFrame(rows, columns=["device_id", "down", "up"]).sort_values(["device_id", "down"]).reset_index(drop=True)
    return out


def _iot(f: Frames, world: World, as_of, as_of_date: date) -> pd.DataFrame:
    fleet = _fleet()
    types = {t[0]: t for t in w.DEVICE_TYPES}
    f[("luckyus_iot_device", "t_device_type")] = pd.DataFrame(
        {"id": [t[0] for t in w.DEVICE_TYPES], "type_code": [t[1] for t in w.DEVICE_TYPES], "type_name": [t[2] for t in w.DEVICE_TYPES]})
    installed = np.array([np.datetime64(d, "ms") for d in fleet.install]) + np.timedelta64(15, "h")
    fleet = fleet[installed <= as_of].reset_index(drop=True)
    installed = installed[installed <= as_of]
    f[("luckyus_iot_device", "t_device")] = pd.DataFrame({
        "id": fleet.device_id, "device_sn": [f"LK-{c[:3].upper()}-{i:05d}" for c, i in zip(fleet.type_code, fleet.device_id)],
        "device_type_id": fleet.type_id, "model": fleet.model, "shop_id": fleet.shop_id,
        "firmware_version": np.where(fleet.device_id % 5 == 0, "2.1.0", "2.0.4"), "status": 1,
        "install_date": pd.to_datetime(fleet.install), "create_time": installed, "update_time": installed})

    outages = _device_timelines(world, _fleet())
    ev_rows = []
    down, up = _t(outages.down), _t(outages.up)
    ev_rows.append(pd.DataFrame({"device_id": outages.device_id, "event_type": 2, "event_time": down}))
    ev_rows.append(pd.DataFrame({"device_id": outages.device_id, "event_type": 1, "event_time": up}))
    ev_rows.append(pd.DataFrame({"device_id": fleet.device_id, "event_type": 1, "event_time": installed}))
    # Daily temperature readings while online, with rare sensor glitches.
    dirty = world.frames["dirty"].iloc[0]
    temp_types = {code: rng for code, rng in w.READING_RANGES_F.items()}
    readings = []
    for dev in fleet.itertuples():
        if dev.type_code not in temp_types:
            continue
        r = stream(world.seed, "readings", dev.device_id)
        start = np.datetime64(dev.install, "D") + np.timedelta64(1, "D")
        days = np.arange(start, np.datetime64(w.BASE_AS_OF, "D") + np.timedelta64(DEVICE_HORIZON_DAYS, "D"))
        t = days.astype("datetime64[ms]") + r.integers(0, 86_400_000, len(days)).astype("timedelta64[ms]")
        lo, hi = temp_types[dev.type_code]
        value = np.round(r.uniform(lo, hi, len(days)), 2)
        glitch = r.random(len(days)) < dirty.bad_device_readings
        value = np.where(glitch, r.choice([-999.0, 999.99, 6553.5], len(days)), value)
        readings.append(pd.DataFrame({"device_id": dev.device_id, "event_type": 4, "event_time": t.astype("datetime64[s]").astype("datetime64[ms]"), "reading_value": value}))
    ev = pd.concat(ev_rows + readings, ignore_index=True)
    ev = ev[ev.event_time.values <= as_of]
    dev_down = outages[_t(outages.down) <= as_of]
    # An outage interrupts readings: drop readings while the device is down.
    ev = ev.sort_values(["event_time", "device_id", "event_type"], kind="stable").reset_index(drop=True)
    codes = {"coffee_machine": "E-BOILER", "blender": "E-MOTOR", "ice_maker": "E-WATER", "refrigerator": "E-COMP",
             "freezer": "E-COMP", "oven": "E-HEAT"}
    type_of = fleet.set_index("device_id").type_code
    err_code = np.where(ev.event_type == 2, ev.device_id.map(type_of).map(codes), None)
    payload = np.where(ev.event_type == 2, '{"reason":"heartbeat_timeout"}', None)
    f[("luckyus_iot_device", "t_device_event")] = pd.DataFrame({
        "id": np.arange(1, len(ev) + 1), "device_id": ev.device_id.to_numpy(), "event_type": ev.event_type.to_numpy(),
        "error_code": err_code, "reading_value": ev.reading_value.to_numpy() if "reading_value" in ev else np.nan,
        "payload": payload, "event_time": _t(ev.event_time),
        "create_time": _t(ev.event_time).astype("datetime64[s]").astype("datetime64[ms]") + np.timedelta64(2, "s")})

    # Live state at the instant: offline when inside an outage.
    live_down = dev_down[_t(dev_down.up) > as_of].groupby("device_id").down.max()
    last_read = ev[ev.event_type == 4].groupby("device_id").agg(t=("event_time", "max"), v=("reading_value", "last"))
    is_off = fleet.device_id.isin(live_down.index).to_numpy()
    rs = stream(world.seed, "heartbeat", as_of_date.isoformat())
    hb = np.where(is_off, live_down.reindex(fleet.device_id).to_numpy(dtype="datetime64[ms]"),
                  as_of - rs.integers(1_000, 30_000, len(fleet)).astype("timedelta64[ms]"))
    return pd.DataFrame({
        "device_id": fleet.device_id, "device_sn": f[("luckyus_iot_device", "t_device")].device_sn,
        "shop_id": fleet.shop_id, "type_code": fleet.type_code, "model": fleet.model, "is_online": ~is_off,
        "last_heartbeat_at": hb, "temperature_f": last_read.v.reindex(fleet.device_id).to_numpy(),
        "error_code": np.where(is_off, fleet.type_code.map(codes).to_numpy(), None)})


# --- Supply chain -----------------------------------------------------------------------------------
def _supply_chain(f: Frames, world: World, orders: pd.DataFrame, as_of, as_of_date: date) -> pd.DataFrame:
    base_ts = np.datetime64(date(2025, 6, 1), "ms")
    f[("luckyus_scm_material", "t_supplier")] = pd.DataFrame({
        "id": [s[0] for s in w.SUPPLIERS], "supplier_name": [s[1] for s in w.SUPPLIERS],
        "contact_email": [f"orders@{s[1].split()[0].lower()}-supply.com" for s in w.SUPPLIERS],
        "lead_time_days": [2, 1, 3, 4, 1], "create_time": base_ts, "update_time": base_ts})
    mats = pd.DataFrame(w.MATERIALS, columns=["material_code", "material_name", "category", "unit", "unit_cost", "per_order", "shelf_life_days", "supplier_id"])
    mats.insert(0, "id", np.arange(1, len(mats) + 1))
    f[("luckyus_scm_material", "t_material")] = pd.DataFrame({
        "id": mats.id, "material_code": mats.material_code, "material_name": mats.material_name, "category": mats.category,
        "unit": mats.unit, "unit_cost": mats.unit_cost, "supplier_id": mats.supplier_id,
        "shelf_life_days": pd.array(mats.shelf_life_days, dtype="Int64"), "create_time": base_ts, "update_time": base_ts})

    local_day = pd.to_datetime(orders.created).dt.tz_localize("UTC").dt.tz_convert(w.BUSINESS_TZ).dt.date.to_numpy()
    done = ~np.isnat(_t(orders.completed))
    per_day = pd.Series(1, index=pd.MultiIndex.from_arrays([orders.store_idx.to_numpy()[done], local_day[done]])).groupby(level=[0, 1]).sum()
    n_mat = len(mats)
    use = mats.per_order.to_numpy()
    perishable = mats.shelf_life_days.fillna(999).to_numpy() <= 30
    lead = np.array([dict((s[0], l) for s, l in zip(w.SUPPLIERS, [2, 1, 3, 4, 1]))[sid] for sid in mats.supplier_id])
    moves, counts, pos, lines, receipts = [], [], [], [], []
    stock_final = []
    for si, s in enumerate(OPEN_STORES):
        if s.open_date > as_of_date:
            continue
        expected = use * s.base_daily_orders * world.scale
        on_hand = expected * 6
        pending: dict[date, np.ndarray] = {}
        first_receipt = True
        for d in _days(s.open_date, as_of_date):
            rs = stream(world.seed, "inventory", s.shop_id, d.isoformat())
            if first_receipt:
                moves.append((s.shop_id, d, 1, on_hand.copy(), "OPENING"))
                first_receipt = False
            arrived = pending.pop(d, None)
            if arrived is not None:
                on_hand = on_hand + arrived
                moves.append((s.shop_id, d, 1, arrived, "PO"))
            n_orders = per_day.get((si, d), 0)
            consumed = np.minimum(use * n_orders * rs.uniform(0.92, 1.08, n_mat), on_hand)
            wasted = np.where(perishable, on_hand * w.WASTE_SHARE_PERISHABLE * rs.uniform(0.3, 1.7, n_mat) / 7, 0.0)
            wasted = np.minimum(wasted, on_hand - consumed)
            on_hand = on_hand - consumed - wasted
            moves.append((s.shop_id, d, 2, consumed, None))
            moves.append((s.shop_id, d, 3, wasted, None))
            counts.append((s.shop_id, d, on_hand * rs.uniform(0.985, 1.015, n_mat)))
            reorder = (on_hand < expected * 3) & ~np.any([p > 0 for p in pending.values()], axis=0) if pending else on_hand < expected * 3
            if np.any(reorder):
                qty = np.where(reorder, np.round(expected * 7, 3), 0.0)
                for sup in np.unique(mats.supplier_id.to_numpy()[reorder]):
                    sel = reorder & (mats.supplier_id.to_numpy() == sup)
                    arrive = d + timedelta(days=int(lead[sel][0]))
                    pos.append((s.shop_id, int(sup), d, arrive, np.where(sel, qty, 0.0)))
                    pending[arrive] = pending.get(arrive, np.zeros(n_mat)) + np.where(sel, qty, 0.0)
        stock_final.append((s.shop_id, on_hand))

    # One frame per table from stacked arrays (a row per movement x material, kept in the order
    # the loop made them): a small frame per store-day was 90% of the projection's time.
    m_shop, m_day, m_type, m_qty, m_ref = zip(*moves)
    m_qty = np.stack(m_qty)
    row, mat = np.nonzero(m_qty > 0.0005)
    m_type, m_day = np.array(m_type), np.array(m_day, dtype="datetime64[D]")
    mv = pd.DataFrame({"shop_id": np.array(m_shop)[row], "material_id": mat + 1, "movement_type": m_type[row],
                       "quantity": np.round(m_qty[row, mat], 3),
                       "reference_no": pd.Series(np.array(m_ref, dtype=object)[row], dtype=object),
                       "movement_date": m_day[row].astype("datetime64[s]"),
                       "create_time": (m_day[row].astype("datetime64[ms]")
                                       + (23 * 3600 + m_type[row] * 60).astype("timedelta64[s]"))})
    mv = mv.sort_values(["create_time", "shop_id", "material_id"], kind="stable").reset_index(drop=True)
    mv.insert(0, "id", np.arange(1, len(mv) + 1))
    f[("luckyus_scm_inventory", "t_stock_movement")] = mv[mv.create_time.values <= as_of].reset_index(drop=True)
    c_shop, c_day, c_qty = zip(*counts)
    c_day = np.repeat(np.array(c_day, dtype="datetime64[D]"), n_mat)
    ct = pd.DataFrame({"shop_id": np.repeat(np.array(c_shop), n_mat), "material_id": np.tile(np.arange(1, n_mat + 1), len(counts)),
                       "count_date": c_day.astype("datetime64[s]"), "quantity": np.round(np.concatenate(c_qty), 3),
                       "create_time": c_day.astype("datetime64[ms]") + np.timedelta64(23 * 3600 + 1800, "s")})
    ct = ct.sort_values(["create_time", "shop_id", "material_id"], kind="stable").reset_index(drop=True)
    ct.insert(0, "id", np.arange(1, len(ct) + 1))
    f[("luckyus_scm_inventory", "t_stock_count")] = ct[ct.create_time.values <= as_of].reset_index(drop=True)
    st = pd.DataFrame({"shop_id": np.repeat([shop for shop, _ in stock_final], n_mat),
                       "material_id": np.tile(np.arange(1, n_mat + 1), len(stock_final)),
                       "quantity": np.round(np.concatenate([q for _, q in stock_final]), 3)})
    st.insert(0, "id", np.arange(1, len(st) + 1))
    opened = {s.shop_id: np.datetime64(s.open_date, "ms") for s in OPEN_STORES if s.open_date}
    st["create_time"] = st.shop_id.map(opened).to_numpy(dtype="datetime64[ms]")
    st["update_time"] = np.datetime64(as_of_date, "ms") + np.timedelta64(23 * 3600 + 1800, "s")
    f[("luckyus_scm_inventory", "t_stock")] = st

    po = pd.DataFrame([dict(shop_id=shop, supplier_id=sup, order_date=pd.Timestamp(d), expected_date=pd.Timestamp(arr),
                            create_time=np.datetime64(d, "ms") + np.timedelta64(23 * 3600 + 2400, "s"),
                            arrive=np.datetime64(arr, "ms") + np.timedelta64(8, "h"), qty=qty) for shop, sup, d, arr, qty in pos])
    po = po.sort_values(["create_time", "shop_id", "supplier_id"], kind="stable").reset_index(drop=True)
    po.insert(0, "id", np.arange(1, len(po) + 1))
    cost = mats.unit_cost.to_numpy()
    delivered = po.arrive.values <= as_of
    po_qty = np.stack(po.qty.to_numpy())
    row, mat = np.nonzero(po_qty > 0)
    qty = po_qty[row, mat]
    lines = pd.DataFrame({"po_id": po.id.to_numpy()[row], "material_id": mat + 1, "quantity": np.round(qty, 3),
                          "unit_cost": cost[mat], "line_amount": np.round(qty * cost[mat], 2),
                          "create_time": po.create_time.to_numpy()[row]})
    lines.insert(0, "id", np.arange(1, len(lines) + 1))
    totals = lines.groupby("po_id").line_amount.sum()
    f[("luckyus_scm_purchase", "t_purchase_order")] = pd.DataFrame({
        "id": po.id, "po_no": [f"PO{i:010d}" for i in po.id], "supplier_id": po.supplier_id, "shop_id": po.shop_id,
        "status": np.where(delivered, 3, 2), "total_amount": np.round(po.id.map(totals).to_numpy(), 2),
        "order_date": po.order_date, "expected_date": po.expected_date, "create_time": _t(po.create_time),
        "update_time": np.where(delivered, _t(po.arrive), _t(po.create_time))})[po.create_time.values <= as_of].reset_index(drop=True)
    f[("luckyus_scm_purchase", "t_purchase_order_line")] = lines[lines.create_time.values <= as_of].reset_index(drop=True)
    rec = po[delivered].sort_values(["arrive", "id"], kind="stable")
    f[("luckyus_scm_purchase", "t_delivery_receipt")] = pd.DataFrame({
        "id": np.arange(1, len(rec) + 1), "po_id": rec.id.to_numpy(), "shop_id": rec.shop_id.to_numpy(),
        "received_time": _t(rec.arrive), "is_complete": 1, "create_time": _t(rec.arrive) + np.timedelta64(300, "s")})
    code_of = dict(zip(mats.id, mats.material_code))
    unit_of = dict(zip(mats.id, mats.unit))
    return pd.DataFrame({"shop_id": st.shop_id, "material_id": st.material_id, "material_code": st.material_id.map(code_of),
                         "quantity": st.quantity, "unit": st.material_id.map(unit_of)})


# --- Settlement --------------------------------------------------------------------------------------
def _settlement(f: Frames, orders: pd.DataFrame, as_of) -> None:
    done = orders[~np.isnat(_t(orders.completed))]
    day = pd.to_datetime(done.created).dt.tz_localize("UTC").dt.tz_convert(w.BUSINESS_TZ).dt.normalize().dt.tz_localize(None)
    settle_at = local_to_utc((day + pd.Timedelta(hours=27)).to_numpy().astype("datetime64[ms]"))
    refunded_by_settle = _le(_t(done.refunded), settle_at.max()) & (_t(done.refunded) <= settle_at)
    g = pd.DataFrame({"shop_idx": done.store_idx.to_numpy(), "day": day.to_numpy(), "settle_at": settle_at,
                      "gross": done.gross_c.to_numpy(), "disc": done.discount_c.to_numpy(), "net": done.pay_c.to_numpy(),
                      "refund": np.where(refunded_by_settle, done.pay_c.to_numpy(), 0)})
    agg = g.groupby(["day", "shop_idx"]).agg(n=("net", "size"), gross=("gross", "sum"), disc=("disc", "sum"),
                                             net=("net", "sum"), refund=("refund", "sum"), settle_at=("settle_at", "max")).reset_index()
    agg = agg[agg.settle_at.values <= as_of].reset_index(drop=True)
    f[("fi_settlement", "t_shop_daily_settlement")] = pd.DataFrame({
        "id": np.arange(1, len(agg) + 1), "shop_id": np.array([s.shop_id for s in OPEN_STORES])[agg.shop_idx.to_numpy()],
        "settle_date": agg.day, "order_count": agg.n, "gross_amount": _money(agg.gross), "discount_amount": _money(agg.disc),
        "net_amount": _money(agg.net), "refund_amount": _money(agg.refund), "status": 2,
        "create_time": _t(agg.settle_at), "update_time": _t(agg.settle_at)})
