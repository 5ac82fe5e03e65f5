"""Snapshot the Redis estate safely: SCAN, pipelined bounded batches, per-type reads.

One pass of `SCAN <cursor> MATCH <glob> COUNT n` per server (never KEYS). The instances of the
simulated estate share one server, so the pass uses `MATCH *` once and routes each key to its
instance by prefix (equivalent to 78 passes of `MATCH <instance>:*`, at 1/78 of the cost); an
instance on its own server is scanned with `MATCH *` on that server. Every batch of at most
`BATCH_KEYS` keys costs two pipelined round trips:

1. `TYPE`, `PTTL` and `MEMORY USAGE` of every key;
2. per type, the size (`STRLEN`, `HLEN`, `LLEN`, `SCARD`, `ZCARD`, `XLEN`) of non-sensitive keys,
   and the value (`GET`, `HGETALL`) of the keys a parser reads and of `<instance>:__server__`.

Keys of a `sensitive` pattern get step 1 only: their values never leave Redis, and their names
are never stored either (only the declared pattern). Keys that match no pattern are counted
under `<unknown>` with a shape (key segments holding a digit, or longer than 16 characters,
become `*`), so that no token in a key name is copied either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import pyarrow as pa

from pipelines.redis_estate.connection import RedisConnection
from pipelines.redis_estate.parsers import MERGE_KEYS, PARSERS, table_schema
from pipelines.redis_estate.settings import BATCH_KEYS, SCAN_COUNT, UNKNOWN_PATTERN

UTC = timezone.utc
NO_INSTANCE = "<none>"  # keys outside every instance namespace


def _int(v: Any) -> int | None:
    try:
        return int(float(v)) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- the snapshot
@dataclass
class _PatternStats:
    count: int = 0
    memory: int = 0
    with_ttl: int = 0
    ttl_min: float | None = None
    ttl_max: float | None = None
    ttl_sum: float = 0.0
    elements: int = 0
    measured: int = 0
    type_mismatch: int = 0


@dataclass
class Snapshot:
    snapshot_id: str
    snapshot_at: datetime
    source: str
    tables: dict[str, list[dict]] = field(default_factory=dict)
    keys_scanned: int = 0
    unknown_keys: int = 0
    parse_errors: int = 0
    seconds: float = 0.0

    def arrow(self, name: str) -> pa.Table:
        schema = table_schema(name)
        rows = [{"snapshot_id": self.snapshot_id, "snapshot_at": self.snapshot_at, **r}
                for r in self.tables.get(name, [])]
        return pa.Table.from_pylist(rows, schema=schema)


_SIZE_COMMAND = {"string": "STRLEN", "hash": "HLEN", "list": "LLEN", "set": "SCARD", "zset": "ZCARD",
                 "stream": "XLEN"}


def shape(key: str) -> str:
    """A key's shape for reporting unknown keys without copying identifiers or tokens."""
    return ":".join("*" if (re.search(r"\d", seg) or len(seg) > 16) else seg for seg in key.split(":"))


class Matcher:
    """Routes a key (prefix removed) to its pattern with one regex match."""

    def __init__(self, patterns):
        self.patterns = list(patterns)
        parts = [f"(?P<p{i}>{p.regex(named=False)})" for i, p in enumerate(self.patterns)]
        self._inner = [re.compile(p.regex()) for p in self.patterns]
        self._re = re.compile("^(?:" + "|".join(parts) + ")$") if parts else None

    def match(self, rest: str):
        if self._re is None:
            return None, {}
        m = self._re.match(rest)
        if not m:
            return None, {}
        idx = int(m.lastgroup[1:])
        pattern = self.patterns[idx]
        groups = self._inner[idx].fullmatch(rest).groupdict() if "{" in pattern.pattern else {}
        return pattern, groups


def take_snapshot(conn: RedisConnection, catalog, snapshot_id: str,
                  on_keys: Callable[[int], None] | None = None) -> Snapshot:
    """Scan every instance of the catalog and summarise it (see the module docstring)."""
    import time

    started = time.perf_counter()
    snap = Snapshot(snapshot_id, datetime.now(UTC), conn.describe())
    inst_keys: dict[str, int] = {}
    inst_ttl: dict[str, int] = {}
    inst_mem: dict[str, int] = {}
    inst_unknown: dict[str, int] = {}
    server_info: dict[str, dict] = {}
    pstats: dict[tuple[str, str, str, bool, bool], _PatternStats] = {}
    parsed: dict[str, dict] = {}  # table -> merge key -> row  (or list index)
    parsed_lists: dict[str, list] = {}

    namespaced = {name: inst for name, inst in catalog.instances.items() if not inst.url}
    own = {name: inst for name, inst in catalog.instances.items() if inst.url}
    matchers = {name: Matcher(inst.patterns) for name, inst in catalog.instances.items()}
    for name in catalog.instances:
        inst_keys[name] = inst_ttl[name] = inst_mem[name] = inst_unknown[name] = 0

    def route(key: str, own_instance: str | None) -> tuple[str, str | None, Any, dict]:
        """(instance, role, pattern, placeholders); role: server | pattern | unknown | ignore."""
        if own_instance is not None:
            name, rest = own_instance, key
        else:
            if catalog.ignored(key):
                return NO_INSTANCE, "ignore", None, {}
            name, sep, rest = key.partition(":")
            if not sep or name not in namespaced:
                return NO_INSTANCE, "unknown", None, {}
        if rest == catalog.server_key:
            return name, "server", None, {}
        pattern, groups = matchers[name].match(rest)
        if pattern is None:
            return name, "unknown", None, {}
        return name, "pattern", pattern, groups

    def process(client, keys: list[bytes], own_instance: str | None) -> None:
        routed = []
        for raw in keys:
            key = raw.decode("utf-8", "replace")
            name, role, pattern, groups = route(key, own_instance)
            if role != "ignore":
                routed.append((raw, key, name, role, pattern, groups))
        if not routed:
            return
        # sizes are measured for non-sensitive keys only (a sensitive key: TYPE, PTTL, MEMORY USAGE)
        measure = [not (role == "pattern" and pattern.sensitive) and role != "server"
                   for _, _, _, role, pattern, _ in routed]
        first = _key_facts(client, [r[0] for r in routed], measure)
        second = client.pipeline(transaction=False)
        reads = []
        for i, (raw, key, name, role, pattern, groups) in enumerate(routed):
            ktype, pttl, mem, size = first[i]
            if ktype == "none":  # expired or deleted since SCAN
                continue
            snap.keys_scanned += 1
            if name != NO_INSTANCE:
                inst_mem[name] += mem
            if role == "server":
                second.hgetall(raw)
                reads.append(("server", name, None, None))
                continue
            if name != NO_INSTANCE:
                inst_keys[name] += 1
            ttl = pttl / 1000 if isinstance(pttl, int) and pttl >= 0 else None
            if ttl is not None and name != NO_INSTANCE:
                inst_ttl[name] += 1
            if role == "unknown":
                snap.unknown_keys += 1
                if name != NO_INSTANCE:
                    inst_unknown[name] += 1
                inside = key if (name == NO_INSTANCE or own_instance is not None) else key[len(name) + 1:]
                label = f"{UNKNOWN_PATTERN} {shape(inside)}"
                skey = (name, label, ktype, False, False)
            else:
                skey = (name, pattern.pattern, ktype, True, pattern.sensitive)
            st = pstats.setdefault(skey, _PatternStats())
            st.count += 1
            st.memory += mem
            if role == "pattern" and ktype != pattern.type:
                st.type_mismatch += 1
            if ttl is not None:
                st.with_ttl += 1
                st.ttl_sum += ttl
                st.ttl_min = ttl if st.ttl_min is None else min(st.ttl_min, ttl)
                st.ttl_max = ttl if st.ttl_max is None else max(st.ttl_max, ttl)
            if role == "pattern" and pattern.sensitive:
                continue  # counted only: no command that returns (or measures) a value
            if size is not None and size >= 0:
                st.elements += size
                st.measured += 1
            if role == "pattern" and pattern.parse and ktype == PARSERS[pattern.parse][0]:
                (second.hgetall if ktype == "hash" else second.get)(raw)
                reads.append(("parse", skey, pattern, groups))
        if not reads:
            return
        results = second.execute(raise_on_error=False)
        for (kind, ref, pattern, groups), value in zip(reads, results):
            if isinstance(value, Exception):
                snap.parse_errors += kind == "parse"
                continue
            if kind == "server":
                server_info[ref] = _decode_hash(value)
            else:
                _, fn = PARSERS[pattern.parse]
                decoded = _decode_hash(value) if isinstance(value, dict) else _decode(value)
                try:
                    table, row = fn(groups, decoded)
                except Exception:  # noqa: BLE001 - a dirty value: counted, not fatal
                    snap.parse_errors += 1
                    continue
                keys = MERGE_KEYS.get(table)
                if keys:
                    k = tuple(row.get(c) for c in keys)
                    parsed.setdefault(table, {}).setdefault(k, {}).update(
                        {c: v for c, v in row.items() if v is not None or c in keys})
                else:
                    parsed_lists.setdefault(table, []).append(row)

    def scan(client, match: str, own_instance: str | None) -> None:
        seen: set[bytes] = set()
        cursor = 0
        while True:
            cursor, keys = client.scan(cursor=cursor, match=match, count=SCAN_COUNT)
            fresh = [k for k in keys if k not in seen]
            seen.update(fresh)
            for i in range(0, len(fresh), BATCH_KEYS):
                batch = fresh[i:i + BATCH_KEYS]
                process(client, batch, own_instance)
                if on_keys:
                    on_keys(len(batch))
            if cursor == 0:
                break

    if namespaced:
        scan(conn.client(), "*", None)
    for name, inst in own.items():
        client = conn.client(inst.url)
        scan(client, "*", name)
        server_info[name] = _info(client)

    # ------------------------------------------------------------------ rows
    rows = []
    for name, inst in catalog.instances.items():
        info = server_info.get(name, {})
        maxmemory = _int(info.get("maxmemory"))
        used = _int(info.get("used_memory")) if inst.url else inst_mem[name]
        rows.append({
            "instance": name, "used_memory_bytes": used, "maxmemory_bytes": maxmemory or None,
            "used_memory_pct": round(100.0 * used / maxmemory, 3) if maxmemory and used is not None else None,
            "key_count": inst_keys[name], "keys_with_ttl": inst_ttl[name],
            "evicted_keys": _int(info.get("evicted_keys")), "expired_keys": _int(info.get("expired_keys")),
            "maxmemory_policy": info.get("maxmemory_policy"), "redis_version": info.get("redis_version"),
            "role": info.get("role"), "connected_clients": _int(info.get("connected_clients")),
            "uptime_in_seconds": _int(info.get("uptime_in_seconds")), "unknown_key_count": inst_unknown[name],
            "memory_source": "INFO used_memory" if inst.url else f"sum of MEMORY USAGE over '{name}:*'",
        })
    snap.tables["instance_info"] = rows
    prow = []
    for (name, pattern, ktype, known, sensitive), st in sorted(pstats.items(), key=lambda kv: kv[0][:3]):
        prow.append({
            "instance": name, "pattern": pattern, "key_type": ktype, "key_count": st.count,
            "is_sensitive": sensitive, "is_known": known, "memory_bytes": st.memory, "keys_with_ttl": st.with_ttl,
            "ttl_min_seconds": st.ttl_min, "ttl_max_seconds": st.ttl_max,
            "ttl_avg_seconds": round(st.ttl_sum / st.with_ttl, 3) if st.with_ttl else None,
            "elements_total": None if sensitive else st.elements,
            "elements_avg": None if sensitive or not st.measured else round(st.elements / st.measured, 3),
            "type_mismatch_count": st.type_mismatch,
        })
    # declared patterns with no key this time still appear, with a zero count
    present = {(r["instance"], r["pattern"]) for r in prow}
    for name, inst in catalog.instances.items():
        for p in inst.patterns:
            if (name, p.pattern) not in present:
                prow.append({"instance": name, "pattern": p.pattern, "key_type": p.type, "key_count": 0,
                             "is_sensitive": p.sensitive, "is_known": True, "memory_bytes": 0, "keys_with_ttl": 0,
                             "ttl_min_seconds": None, "ttl_max_seconds": None, "ttl_avg_seconds": None,
                             "elements_total": None if p.sensitive else 0, "elements_avg": None,
                             "type_mismatch_count": 0})
    snap.tables["key_patterns"] = prow
    for table, merged in parsed.items():
        snap.tables[table] = sorted(merged.values(), key=lambda r: tuple(str(r.get(c)) for c in MERGE_KEYS[table]))
    for table, items in parsed_lists.items():
        snap.tables[table] = items
    snap.seconds = time.perf_counter() - started
    snap.tables["snapshots"] = [{
        "source": snap.source, "instances": len(catalog.instances), "keys_scanned": snap.keys_scanned,
        "unknown_keys": snap.unknown_keys, "parse_errors": snap.parse_errors,
        "duration_seconds": round(snap.seconds, 3)}]
    return snap


# One round trip per batch: the server computes TYPE, PTTL, MEMORY USAGE and the size of each
# key (sizes only where ARGV[i] == "1"). EVAL_RO (Redis 7+) runs read-only commands only.
_FACTS_SCRIPT = """
local out = {}
local size_of = {string = 'STRLEN', hash = 'HLEN', list = 'LLEN', set = 'SCARD', zset = 'ZCARD', stream = 'XLEN'}
for i, k in ipairs(KEYS) do
  local t = redis.call('TYPE', k)['ok']
  local size = -1
  if ARGV[i] == '1' and size_of[t] then size = redis.call(size_of[t], k) end
  out[#out + 1] = t
  out[#out + 1] = redis.call('PTTL', k)
  out[#out + 1] = redis.call('MEMORY', 'USAGE', k) or 0
  out[#out + 1] = size
end
return out
"""
_SCRIPT_OK: dict[int, bool] = {}  # per client: EVAL_RO available and allowed


def _key_facts(client, keys: list[bytes], measure: list[bool]) -> list[tuple[str, Any, int, int | None]]:
    """(type, pttl, memory bytes, size or None) per key: the batch script, else a pipeline."""
    import redis

    if _SCRIPT_OK.get(id(client), True):
        try:
            flat = client.execute_command("EVAL_RO", _FACTS_SCRIPT, len(keys), *keys,
                                          *("1" if m else "0" for m in measure))
            _SCRIPT_OK[id(client)] = True
            return [(_decode(flat[j]), flat[j + 1], int(flat[j + 2] or 0), int(flat[j + 3]))
                    for j in range(0, len(flat), 4)]
        except redis.exceptions.ResponseError:  # Redis < 7, or an ACL without EVAL_RO
            _SCRIPT_OK[id(client)] = False
    pipe = client.pipeline(transaction=False)
    for raw in keys:
        pipe.type(raw)
        pipe.pttl(raw)
        pipe.memory_usage(raw)
    first = pipe.execute(raise_on_error=False)
    types = [_decode(first[3 * i]) if not isinstance(first[3 * i], Exception) else "none" for i in range(len(keys))]
    sizes: list[int | None] = [None] * len(keys)
    pipe = client.pipeline(transaction=False)
    asked = []
    for i, raw in enumerate(keys):
        cmd = _SIZE_COMMAND.get(str(types[i]))
        if measure[i] and cmd:
            pipe.execute_command(cmd, raw)
            asked.append(i)
    if asked:
        for i, value in zip(asked, pipe.execute(raise_on_error=False)):
            sizes[i] = None if isinstance(value, Exception) else int(value or 0)
    return [(str(types[i]), first[3 * i + 1], int(first[3 * i + 2]) if isinstance(first[3 * i + 2], int) else 0,
             sizes[i]) for i in range(len(keys))]


def _decode(v: Any) -> Any:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _decode_hash(h: Any) -> dict:
    if not isinstance(h, dict):
        return {}
    return {_decode(k): _decode(v) for k, v in h.items()}


def _info(client) -> dict:
    """INFO of an instance on its own server (memory, stats, server, replication, clients)."""
    out = {}
    for section in ("memory", "stats", "server", "replication", "clients"):
        try:
            out.update({k: v for k, v in client.info(section).items() if not isinstance(v, dict)})
        except Exception:  # noqa: BLE001 - a section the ACL does not allow
            continue
    return {k: str(v) for k, v in out.items()}


__all__ = ["Matcher", "Snapshot", "shape", "take_snapshot"]
