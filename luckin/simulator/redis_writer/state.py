"""State-driven patterns: keys that mirror the simulated world's live state exactly (device
hashes, coupon stock and claims, stock per store, make queues, sessions, open stores)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pandas as pd

from .instances import MARKET, Instance, Pattern
from .values import Record, _Env, _hex, _stream_ids, stable_hash

SESSION_LIFETIME = timedelta(days=30)

# --------------------------------------------------------------------------------------------
# State-driven patterns
# --------------------------------------------------------------------------------------------


def _k(instance: str, rendered: str) -> str:
    return f"{instance}:{rendered}"


def _seconds(col: pd.Series) -> pd.Series:
    """datetime64 column (any unit) -> epoch seconds (float, NaN for NaT)."""
    col = pd.to_datetime(col)
    out = (col - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    return out.where(col.notna())


def _num(x) -> str:
    """Shortest exact text of a float (ints without .0)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _present(x) -> bool:
    if x is None:
        return False
    if isinstance(x, float) and math.isnan(x):
        return False
    return not (isinstance(x, str) and not x.strip())


def _counters(instance: str, pat: Pattern, frame: pd.DataFrame, column: str) -> list[Record]:
    """One string key per row of ``frame``: the pattern's key for the row's id (the pattern's one
    placeholder names the id column), holding the row's integer ``column``."""
    (name,) = pat.placeholders
    return [(_k(instance, pat.pattern.format_map({name: int(i)})), "string", str(int(v)), None)
            for i, v in zip(frame[name].tolist(), frame[column].tolist())]


def _flagged_ids(instance: str, pat: Pattern, frame: pd.DataFrame, flag: str, column: str) -> list[Record]:
    """One set at the pattern's key (no placeholder): the ids of the rows whose ``flag`` is set."""
    ids = sorted(int(x) for x in frame.loc[frame[flag].astype(bool), column])
    return [(_k(instance, pat.pattern), "set", [str(x) for x in ids], None)] if ids else []


_StateBuilder = Callable[[_Env, np.random.Generator, Pattern], list[Record]]
_STATE_BUILDERS: dict[tuple[str, str], _StateBuilder] = {}


def check_builders(instances: dict[str, Instance]) -> None:
    """Every `from_state` pattern of the YAML has a builder here, and every builder a pattern."""
    declared = {(i.name, p.pattern) for i in instances.values() for p in i.patterns if p.from_state}
    if declared != set(_STATE_BUILDERS):
        raise ValueError(
            "from_state patterns and state builders disagree: "
            f"no builder for {sorted(declared - set(_STATE_BUILDERS))}, "
            f"not in YAML {sorted(set(_STATE_BUILDERS) - declared)}"
        )


def _builder(instance: str, pattern: str):
    def register(fn: _StateBuilder) -> _StateBuilder:
        _STATE_BUILDERS[(instance, pattern)] = fn
        return fn

    return register


IOT = "luckyus-iot-device"


def _device_rows(env: _Env) -> list[dict]:
    dev = env.state.devices.copy()
    dev["_hb"] = _seconds(dev["last_heartbeat_at"])
    return dev.to_dict("records")


def _firmware(env: _Env, row: dict) -> str:
    fw = row.get("firmware_version")
    if _present(fw):
        return str(fw)
    # No firmware in the state: a stable per-model release, a minority one patch behind.
    h = stable_hash(f"{env.state.seed}/{row['model']}")
    major, minor = 1 + h % 3, (h >> 8) % 10
    patch = (h >> 16) % 6 + (0 if stable_hash(str(row["device_sn"])) % 4 else -1)
    return f"{major}.{minor}.{max(patch, 0)}"


@_builder(IOT, "device:{device_sn}")
def _iot_devices(env, rng, pat):
    out = []
    for row in _device_rows(env):
        h = {
            "device_id": str(int(row["device_id"])),
            "shop_id": str(int(row["shop_id"])),
            "type": str(row["type_code"]),
            "model": str(row["model"]),
            "status": "online" if bool(row["is_online"]) else "offline",
            "fw": _firmware(env, row),
        }
        if _present(row["_hb"]):
            h["last_heartbeat"] = str(int(row["_hb"]))
        if _present(row.get("temperature_f")):
            h["temperature_f"] = _num(row["temperature_f"])
        if _present(row.get("error_code")):
            h["error_code"] = str(row["error_code"])
        out.append((_k(IOT, f"device:{row['device_sn']}"), "hash", h, None))
    return out


@_builder(IOT, "shop:{shop_id}:online")
def _iot_online_sets(env, rng, pat):
    dev = env.state.devices
    online = dev[dev["is_online"].astype(bool)]
    return [
        (_k(IOT, f"shop:{int(shop)}:online"), "set", [str(s) for s in grp["device_sn"]], None)
        for shop, grp in online.groupby("shop_id", sort=True)
    ]


@_builder(IOT, "fleet:heartbeat")
def _iot_heartbeat_zset(env, rng, pat):
    members = {str(r["device_sn"]): float(int(r["_hb"])) for r in _device_rows(env) if _present(r["_hb"])}
    return [(_k(IOT, "fleet:heartbeat"), "zset", members, None)] if members else []


@_builder(IOT, "fleet:events")
def _iot_event_stream(env, rng, pat):
    """The last status event of each device (the gateway's fan-out stream), oldest first."""
    rows = [r for r in _device_rows(env) if _present(r["_hb"])]
    rows.sort(key=lambda r: (int(r["_hb"]), str(r["device_sn"])))
    entries, last = [], None
    for r in rows:
        ms = int(r["_hb"]) * 1000
        seq = last[1] + 1 if last and last[0] == ms else 0
        last = (ms, seq)
        event = "online" if bool(r["is_online"]) else ("error" if _present(r.get("error_code")) else "offline")
        fields = {"device_sn": str(r["device_sn"]), "event": event, "shop_id": str(int(r["shop_id"]))}
        if _present(r.get("error_code")):
            fields["error_code"] = str(r["error_code"])
        entries.append((f"{ms}-{seq}", fields))
    return [(_k(IOT, "fleet:events"), "stream", entries, None)] if entries else []


INV = "luckyus-scm-inventory"


@_builder(INV, "stock:{shop_id}:{material_code}")
def _inv_stock(env, rng, pat):
    return [
        (_k(INV, f"stock:{int(r.shop_id)}:{r.material_code}"), "string", f"{float(r.quantity):.3f}", None)
        for r in env.state.stock.itertuples(index=False)
    ]


@_builder(INV, "material:unit")
def _inv_units(env, rng, pat):
    units = dict(zip(env.state.stock["material_code"].astype(str), env.state.stock["unit"].astype(str)))
    return [(_k(INV, "material:unit"), "hash", dict(sorted(units.items())), None)] if units else []


@_builder(INV, "lowstock:{shop_id}")
def _inv_low(env, rng, pat):
    """Materials under 20% of the store's median level for that material across stores."""
    stock = env.state.stock
    if not len(stock):
        return []
    median = stock.groupby("material_code")["quantity"].transform("median")
    low = stock[stock["quantity"] < 0.2 * median]
    return [
        (_k(INV, f"lowstock:{int(shop)}"), "set", sorted(grp["material_code"].astype(str)), None)
        for shop, grp in low.groupby("shop_id", sort=True)
    ]


ORD = "luckyus-sales-order"


@_builder(ORD, "order:queue_len:{shop_id}")
def _ord_queue_len(env, rng, pat):
    return _counters(ORD, pat, env.state.order_queues, "queue_length")


@_builder(ORD, "order:seq:{shop_id}")
def _ord_seq(env, rng, pat):
    return _counters(ORD, pat, env.state.order_queues, "last_order_seq")


@_builder(ORD, "order:make_queue:{shop_id}")
def _ord_make_queue(env, rng, pat):
    """The queued pickup numbers (the last queue_length of the sequence), oldest first."""
    shop_no = dict(zip(env.state.shops["shop_id"].astype(int), env.state.shops["shop_no"].astype(str)))
    out = []
    for r in env.state.order_queues.itertuples(index=False):
        q, seq = int(r.queue_length), int(r.last_order_seq)
        if q <= 0:
            continue
        prefix = shop_no.get(int(r.shop_id), str(int(r.shop_id)))
        items = [f"{prefix}-{s:06d}" for s in range(max(seq - q + 1, 1), seq + 1)]
        out.append((_k(ORD, f"order:make_queue:{int(r.shop_id)}"), "list", items, None))
    return out


SES = "luckyus-sales-session"


@_builder(SES, "session:{user_id}")
def _sessions(env, rng, pat):
    s = env.state.active_sessions
    if not len(s):
        return []
    login = _seconds(s["last_login_at"]).fillna(env.as_of).astype("int64").to_numpy()
    expires = login + int(SESSION_LIFETIME.total_seconds())
    ttl = np.clip(expires - env.as_of, 3_600, int(SESSION_LIFETIME.total_seconds())).tolist()
    tokens = _hex(rng, len(s), 64)
    return [
        (_k(SES, f"session:{int(u)}"), "string", tok, int(t))
        for u, tok, t in zip(s["user_id"].tolist(), tokens, ttl)
    ]


SHOP = "luckyus-sales-shop"


@_builder(SHOP, "shop:open")
def _shop_open(env, rng, pat):
    return _flagged_ids(SHOP, pat, env.state.shops, "is_open", "shop_id")


_CAMPAIGN_TYPES = {1: "new_user", 2: "store_opening", 3: "seasonal", 4: "referral", 5: "win_back"}


@_builder(MARKET, "coupon:stock:{template_id}")
def _mkt_stock(env, rng, pat):
    return _counters(MARKET, pat, env.state.coupon_templates, "remaining_stock")


@_builder(MARKET, "coupon:issued:{template_id}")
def _mkt_issued(env, rng, pat):
    return _counters(MARKET, pat, env.state.coupon_templates, "issued")


@_builder(MARKET, "coupon:template:{template_id}")
def _mkt_templates(env, rng, pat):
    out = []
    per_user = rng.choice([1, 1, 1, 2, 3], len(env.state.coupon_templates)).tolist()
    for r, limit in zip(env.state.coupon_templates.itertuples(index=False), per_user):
        doc = {"template_id": int(r.template_id), "campaign_id": int(r.campaign_id),
               "template_name": str(r.template_name), "per_user_limit": int(limit)}
        out.append((_k(MARKET, f"coupon:template:{int(r.template_id)}"), "string",
                    json.dumps(doc, separators=(",", ":"), ensure_ascii=False), None))
    return out


@_builder(MARKET, "campaign:{campaign_id}")
def _mkt_campaigns(env, rng, pat):
    out = []
    camps = env.state.campaigns
    channels = rng.choice(["app", "app,sms", "app,push", "app,push,email"], len(camps)).tolist()
    caps = rng.choice([1, 1, 2, 3], len(camps)).tolist()
    for r, ch, cap in zip(camps.itertuples(index=False), channels, caps):
        ctype = r.campaign_type
        ctype_name = _CAMPAIGN_TYPES.get(int(ctype), str(ctype)) if isinstance(ctype, (int, np.integer)) else str(ctype)
        rules = {"max_claims_per_user": int(cap), "channels": ch.split(","), "new_user_only": ctype_name == "new_user"}
        out.append((
            _k(MARKET, f"campaign:{int(r.campaign_id)}"), "hash",
            {"campaign_id": str(int(r.campaign_id)), "name": str(r.campaign_name), "type": ctype_name,
             "status": "running" if bool(r.is_running) else "ended",
             "rules": json.dumps(rules, separators=(",", ":"))},
            None,
        ))
    return out


@_builder(MARKET, "campaigns:running")
def _mkt_running(env, rng, pat):
    return _flagged_ids(MARKET, pat, env.state.campaigns, "is_running", "campaign_id")


@_builder(MARKET, "coupon:claimed:{template_id}")
def _mkt_claimed(env, rng, pat):
    """Users who claimed the template (the one-per-user check), no TTL: with the per-user caches
    this is what fills the instance. Holds every user with an unused coupon of the template,
    topped up with other users up to the template's issued count (capped by the user base)."""
    uc = env.state.unused_coupons
    out = []
    for r in env.state.coupon_templates.itertuples(index=False):
        holders = np.unique(uc.loc[uc["template_id"] == r.template_id, "user_id"].to_numpy(dtype=np.int64))
        size = min(max(int(r.issued), len(holders)), env.user_count)
        extra = size - len(holders)
        if extra > 0:
            drawn = rng.choice(env.user_count, min(env.user_count, size + len(holders)), replace=False) + 1
            drawn = drawn[~np.isin(drawn, holders)][:extra]
            members = np.concatenate([holders, drawn])
        else:
            members = holders
        if len(members):
            out.append((_k(MARKET, f"coupon:claimed:{int(r.template_id)}"), "set",
                        [str(int(x)) for x in np.sort(members)], None))
    return out


@_builder(MARKET, "user:coupons:{user_id}")
def _mkt_user_coupons(env, rng, pat):
    """Per-user cache of unused coupons: coupon_id -> denormalised JSON (no TTL: the leak)."""
    uc = env.state.unused_coupons
    if not len(uc):
        return []
    tpl = env.state.coupon_templates.set_index("template_id")
    names = tpl["template_name"].astype(str).to_dict()
    camp = tpl["campaign_id"].to_dict()
    uc = uc.sort_values(["user_id", "coupon_id"], kind="stable")
    cached_at = env.as_of - rng.integers(0, 30 * 86_400, len(uc))
    docs = [
        json.dumps({"coupon_id": int(c), "template_id": int(t), "campaign_id": int(camp.get(t, 0)),
                    "template_name": names.get(t, ""), "status": 0, "cached_at": int(ts)},
                   separators=(",", ":"), ensure_ascii=False)
        for c, t, ts in zip(uc["coupon_id"].tolist(), uc["template_id"].tolist(), cached_at.tolist())
    ]
    out = []
    users = uc["user_id"].to_numpy()
    coupons = uc["coupon_id"].tolist()
    bounds = np.flatnonzero(np.diff(users)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [len(users)]]).tolist()
    for s, e in zip(starts, ends):
        out.append((_k(MARKET, f"user:coupons:{int(users[s])}"), "hash",
                    {str(coupons[i]): docs[i] for i in range(s, e)}, None))
    return out


def _redemption_base_length(env: _Env) -> int:
    return max(50, round(5_000 * env.scale))


@_builder(MARKET, "coupon:redeem:stream")
def _mkt_redeem_stream(env, rng, pat, length: int | None = None):
    """Recent redemption events (coupon used at checkout) over the last 7 days."""
    length = length or _redemption_base_length(env)
    tpls = env.state.coupon_templates["template_id"].astype(int).to_numpy()
    shops = env.state.shops["shop_id"].astype(int).to_numpy()
    if not len(tpls) or not len(shops):
        return []
    ids = _stream_ids(rng, env.as_of, 7 * 86_400 * 1000, length)
    m = len(ids)
    users = rng.integers(1, env.user_count + 1, m).tolist()
    t = rng.choice(tpls, m).tolist()
    s = rng.choice(shops, m).tolist()
    orders = rng.integers(max(1, env.order_count - m * 3), env.order_count + 1, m).tolist()
    coupons = rng.integers(1, max(2, env.order_count), m).tolist()
    entries = [
        (i, {"user_id": str(u), "coupon_id": str(c), "template_id": str(tt), "shop_id": str(ss),
             "order_id": str(o), "event": "redeemed"})
        for i, u, c, tt, ss, o in zip(ids, users, coupons, t, s, orders)
    ]
    return [(_k(MARKET, "coupon:redeem:stream"), "stream", entries, None)]


