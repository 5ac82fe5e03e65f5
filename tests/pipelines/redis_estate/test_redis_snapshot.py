"""Redis snapshots on Redis db 14: typed live state, pattern stats, the sensitive-key rule,
unknown keys, per-instance INFO figures, accumulation, and a read-only ACL user."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

from tests.pipelines.conftest import extract, verify, REDIS_URL

TOKENS = [uuid.uuid4().hex + uuid.uuid4().hex for _ in range(5)]


@pytest.fixture()
def redis_keys(redis14):
    """A few instances' keys, written the way the simulator lays them out."""
    r = redis14
    r.hset("luckyus-iot-device:device:LK-BLE-00001", mapping={
        "device_id": "1", "shop_id": "3", "type": "blender", "model": "Vitamix", "status": "offline",
        "fw": "1.2.0", "last_heartbeat": "1771000000", "error_code": "E-MOTOR"})
    r.hset("luckyus-iot-device:device:LK-FRG-00002", mapping={
        "device_id": "2", "shop_id": "3", "type": "fridge", "model": "True", "status": "online",
        "fw": "2.0.1", "last_heartbeat": "1771086000", "temperature_f": "38.5"})
    r.hset("luckyus-iot-device:__server__", mapping={"maxmemory": "1048576", "evicted_keys": "7",
                                                     "maxmemory_policy": "allkeys-lru", "redis_version": "6.2.14",
                                                     "role": "master"})
    r.set("luckyus-scm-inventory:stock:3:MILK-OAT", "12.500")
    r.set("luckyus-sales-order:order:queue_len:3", "4")
    r.set("luckyus-sales-order:order:seq:3", "120")
    r.set("luckyus-isales-market:coupon:stock:9", "1500")
    r.set("luckyus-isales-market:coupon:issued:9", "500")
    for i, tok in enumerate(TOKENS):  # login sessions: sensitive
        r.set(f"luckyus-sales-session:session:{100 + i}", tok, ex=3600)
    r.set("luckyus-sales-order:tmp:lock:42", "x")  # in a namespace, matches no pattern
    r.set("stray:key:1", "y")  # outside every namespace
    r.set("__luckin_simulator__:manifest", json.dumps({"scale": 0.01}))  # the simulator's, ignored
    return r


def _all_text(duck, schema: str) -> list[str]:
    """Every text value of every table of a schema (to look for leaked secrets)."""
    out = []
    tables = duck(f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}'")
    for (t,) in tables:
        cols = duck("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                    [schema, t])
        for (c,) in cols:
            out += [str(v) for (v,) in duck(f'SELECT "{c}" FROM "{schema}"."{t}" WHERE "{c}" IS NOT NULL')]
    return out


def test_snapshot_lands_typed_state_and_stats(redis_keys, extract_env, duck):
    summary = extract(schemas=["redis_snapshots"])
    assert summary.ok, summary.redis
    assert summary.redis.status == "loaded" and summary.redis.instances == 78

    devices = duck("SELECT device_id, device_sn, shop_id, device_type, is_online, last_heartbeat_at, temperature_f,"
                   " error_code FROM redis_snapshots.iot_device_state ORDER BY device_id")
    assert [d[:5] for d in devices] == [(1, "LK-BLE-00001", 3, "blender", False), (2, "LK-FRG-00002", 3, "fridge", True)]
    assert devices[0][5].year == 2026 and devices[0][7] == "E-MOTOR" and devices[1][6] == 38.5
    assert duck("SELECT shop_id, material_code, quantity FROM redis_snapshots.inventory_levels") == [(3, "MILK-OAT", 12.5)]
    assert duck("SELECT shop_id, queue_length, last_order_seq FROM redis_snapshots.order_queues") == [(3, 4, 120)]
    assert duck("SELECT template_id, remaining_stock, issued_count FROM redis_snapshots.coupon_stock") == [(9, 1500, 500)]

    sessions = duck("SELECT key_count, is_sensitive, keys_with_ttl, elements_total FROM redis_snapshots.key_patterns"
                    " WHERE instance = 'luckyus-sales-session' AND pattern = 'session:{user_id}'")
    assert sessions == [(5, True, 5, None)]
    unknown = duck("SELECT instance, pattern, key_count FROM redis_snapshots.key_patterns WHERE NOT is_known"
                   " ORDER BY instance")
    assert unknown == [("<none>", "<unknown> stray:key:*", 1), ("luckyus-sales-order", "<unknown> tmp:lock:*", 1)]
    assert summary.redis.unknown_keys == 2

    info = dict((r[0], r[1:]) for r in duck(
        "SELECT instance, key_count, used_memory_bytes, maxmemory_bytes, evicted_keys, role FROM"
        " redis_snapshots.instance_info"))
    key_count, used, maxmemory, evicted, role = info["luckyus-iot-device"]
    expected = sum(redis_keys.memory_usage(k) for k in redis_keys.scan_iter(match="luckyus-iot-device:*"))
    assert (key_count, used, maxmemory, evicted, role) == (2, expected, 1048576, 7, "master")
    assert duck("SELECT COUNT(DISTINCT snapshot_at), COUNT(DISTINCT snapshot_id) FROM redis_snapshots.instance_info") \
        == [(1, 1)]


def test_no_session_token_reaches_the_warehouse(redis_keys, extract_env, duck):
    assert extract(schemas=["redis_snapshots"]).ok
    text = "\n".join(_all_text(duck, "redis_snapshots") + _all_text(duck, "luckin_audit"))
    for token in TOKENS:
        assert token not in text
    assert "session:100" not in text  # key names of sensitive patterns are not stored either


def test_snapshots_accumulate(redis_keys, extract_env, duck):
    assert extract(schemas=["redis_snapshots"]).ok
    redis_keys.hset("luckyus-iot-device:device:LK-BLE-00001", "status", "online")
    assert extract(schemas=["redis_snapshots"]).ok
    rows = duck("SELECT snapshot_at, is_online FROM redis_snapshots.iot_device_state WHERE device_id = 1"
                " ORDER BY snapshot_at")
    assert [r[1] for r in rows] == [False, True]
    assert duck("SELECT COUNT(*) FROM redis_snapshots.snapshots") == [(2,)]


def test_a_read_only_acl_user_is_enough(redis_keys, extract_env, monkeypatch, duck):
    """The README's ACL: read commands, SCAN, TYPE, PTTL, MEMORY USAGE, INFO - nothing that writes."""
    user, password = f"luckin_test_reader_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    admin = redis.Redis.from_url(REDIS_URL)
    admin.execute_command("ACL", "SETUSER", user, "reset", "on", f">{password}", "~*", "&*", "-@all",
                          "+@read", "+scan", "+type", "+pttl", "+memory|usage", "+info", "+ping", "+select",
                          "+hello")
    try:
        reader = redis.Redis.from_url(REDIS_URL, username=user, password=password)
        with pytest.raises(redis.exceptions.NoPermissionError):
            reader.set("luckyus-sales-order:order:seq:3", "0")
        monkeypatch.setenv("SOURCES__REDIS_ESTATE__CREDENTIALS__USERNAME", user)
        monkeypatch.setenv("SOURCES__REDIS_ESTATE__CREDENTIALS__PASSWORD", password)
        summary = extract(schemas=["redis_snapshots"])
        assert summary.ok, summary.redis
        assert duck("SELECT COUNT(*) FROM redis_snapshots.iot_device_state") == [(2,)]
    finally:
        admin.execute_command("ACL", "DELUSER", user)
        admin.close()


def test_a_value_no_parser_can_read_and_a_key_of_the_wrong_type_are_counted_not_fatal(redis_keys, extract_env,
                                                                                        duck):
    """Bad values in a live estate: a heartbeat no calendar holds, and a stock level written as a
    hash where the catalog says string. The snapshot lands, the bad key is counted (parse_errors,
    type_mismatch_count), and no typed row is made up from it."""
    r = redis_keys
    r.hset("luckyus-iot-device:device:LK-BLE-00003", mapping={
        "device_id": "3", "shop_id": "3", "type": "blender", "status": "online", "last_heartbeat": "1e20"})
    r.hset("luckyus-scm-inventory:stock:4:MILK-OAT", mapping={"quantity": "7"})

    summary = extract(schemas=["redis_snapshots"])
    assert summary.ok, summary.redis
    assert summary.redis.parse_errors == 1
    assert duck("SELECT parse_errors, unknown_keys FROM redis_snapshots.snapshots") == [(1, 2)]
    assert duck("SELECT device_id FROM redis_snapshots.iot_device_state ORDER BY 1") == [(1,), (2,)]
    devices = duck("SELECT key_count, type_mismatch_count FROM redis_snapshots.key_patterns"
                   " WHERE instance = 'luckyus-iot-device' AND pattern = 'device:{device_sn}'")
    assert devices == [(3, 0)]  # the unreadable device is still counted as a key

    stock = duck("SELECT key_type, key_count, type_mismatch_count FROM redis_snapshots.key_patterns"
                 " WHERE instance = 'luckyus-scm-inventory' AND pattern = 'stock:{shop_id}:{material_code}'"
                 " ORDER BY key_type")
    assert stock == [("hash", 1, 1), ("string", 1, 0)]
    assert duck("SELECT shop_id, material_code, quantity FROM redis_snapshots.inventory_levels") \
        == [(3, "MILK-OAT", 12.5)]
