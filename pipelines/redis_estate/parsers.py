"""Parsers of the Redis values the snapshot types, and the shapes of the snapshot tables.

A catalog pattern with `parse: <name>` has its keys read (`GET`/`HGETALL`) and turned into typed
rows by `PARSERS[<name>]`; several patterns may fill one row of a table (`MERGE_KEYS`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

import pyarrow as pa

UTC = timezone.utc


def _int(v: Any) -> int | None:
    try:
        return int(float(v)) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _float(v: Any) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _epoch(v: Any) -> datetime | None:
    n = _float(v)
    if n is None:
        return None
    if n > 1e11:  # milliseconds
        n /= 1000
    return datetime.fromtimestamp(n, UTC)


def parse_iot_device(groups: dict, value: dict) -> tuple[str, dict]:
    status = (value.get("status") or "").lower()
    return "iot_device_state", {
        "device_id": _int(value.get("device_id")),
        "device_sn": groups.get("device_sn") or value.get("device_sn"),
        "shop_id": _int(value.get("shop_id")),
        "device_type": value.get("type") or value.get("device_type"),
        "model": value.get("model"),
        "firmware_version": value.get("fw") or value.get("firmware_version"),
        "is_online": status == "online" if status else None,
        "last_heartbeat_at": _epoch(value.get("last_heartbeat")),
        "temperature_f": _float(value.get("temperature_f")),
        "error_code": value.get("error_code") or None,
    }


def parse_inventory(groups: dict, value: str) -> tuple[str, dict]:
    return "inventory_levels", {"shop_id": _int(groups.get("shop_id")), "material_code": groups.get("material_code"),
                                "quantity": _float(value)}


def parse_queue_length(groups: dict, value: str) -> tuple[str, dict]:
    return "order_queues", {"shop_id": _int(groups.get("shop_id")), "queue_length": _int(value)}


def parse_order_seq(groups: dict, value: str) -> tuple[str, dict]:
    return "order_queues", {"shop_id": _int(groups.get("shop_id")), "last_order_seq": _int(value)}


def parse_coupon_stock(groups: dict, value: str) -> tuple[str, dict]:
    return "coupon_stock", {"template_id": _int(groups.get("template_id")), "remaining_stock": _int(value)}


def parse_coupon_issued(groups: dict, value: str) -> tuple[str, dict]:
    return "coupon_stock", {"template_id": _int(groups.get("template_id")), "issued_count": _int(value)}


# parser name -> (Redis type it reads, function(placeholders, value) -> (table, row))
PARSERS: dict[str, tuple[str, Callable[[dict, Any], tuple[str, dict]]]] = {
    "iot_device_state": ("hash", parse_iot_device),
    "inventory_levels": ("string", parse_inventory),
    "order_queue_length": ("string", parse_queue_length),
    "order_sequence": ("string", parse_order_seq),
    "coupon_stock": ("string", parse_coupon_stock),
    "coupon_issued": ("string", parse_coupon_issued),
}
# Rows of these tables are merged on a key (several patterns fill one row).
MERGE_KEYS = {"order_queues": ("shop_id",), "coupon_stock": ("template_id",)}


# --------------------------------------------------------------------------- table shapes
_S, _TS, _I, _F, _B = pa.string(), pa.timestamp("us", tz="UTC"), pa.int64(), pa.float64(), pa.bool_()
SNAPSHOT_COLUMNS = [("snapshot_id", _S), ("snapshot_at", _TS)]
TABLES: dict[str, list[tuple[str, pa.DataType]]] = {
    "snapshots": [("source", _S), ("instances", _I), ("keys_scanned", _I), ("unknown_keys", _I),
                  ("parse_errors", _I), ("duration_seconds", _F)],
    "instance_info": [("instance", _S), ("used_memory_bytes", _I), ("maxmemory_bytes", _I),
                      ("used_memory_pct", _F), ("key_count", _I), ("keys_with_ttl", _I),
                      ("evicted_keys", _I), ("expired_keys", _I), ("maxmemory_policy", _S),
                      ("redis_version", _S), ("role", _S), ("connected_clients", _I),
                      ("uptime_in_seconds", _I), ("unknown_key_count", _I), ("memory_source", _S)],
    "key_patterns": [("instance", _S), ("pattern", _S), ("key_type", _S), ("key_count", _I),
                     ("is_sensitive", _B), ("is_known", _B), ("memory_bytes", _I), ("keys_with_ttl", _I),
                     ("ttl_min_seconds", _F), ("ttl_max_seconds", _F), ("ttl_avg_seconds", _F),
                     ("elements_total", _I), ("elements_avg", _F), ("type_mismatch_count", _I)],
    "iot_device_state": [("device_id", _I), ("device_sn", _S), ("shop_id", _I), ("device_type", _S),
                         ("model", _S), ("firmware_version", _S), ("is_online", _B),
                         ("last_heartbeat_at", _TS), ("temperature_f", _F), ("error_code", _S)],
    "inventory_levels": [("shop_id", _I), ("material_code", _S), ("quantity", _F)],
    "order_queues": [("shop_id", _I), ("queue_length", _I), ("last_order_seq", _I)],
    "coupon_stock": [("template_id", _I), ("remaining_stock", _I), ("issued_count", _I)],
}


def table_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in SNAPSHOT_COLUMNS + TABLES[name]])


def dlt_hints(name: str) -> dict:
    kinds = {_S: "text", _TS: "timestamp", _I: "bigint", _F: "double", _B: "bool"}
    out = {}
    for n, t in SNAPSHOT_COLUMNS + TABLES[name]:
        hint = {"name": n, "data_type": kinds[t], "nullable": n not in ("snapshot_id", "snapshot_at")}
        if t == _TS:
            hint["timezone"] = True
        out[n] = hint
    return out


__all__ = ["MERGE_KEYS", "PARSERS", "SNAPSHOT_COLUMNS", "TABLES", "dlt_hints", "table_schema"]
