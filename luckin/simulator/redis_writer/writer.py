"""Writing the records (pipelined, in bounded batches), measuring memory as the extractor does,
and calibrating isales-market's budget so the estate shows the 2026-02-12 memory alert."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import redis

from luckin.simulator.facts import LiveState

from .instances import INSTANCES_PATH, MARKET, SERVER_KEY, Instance, Pattern, load_instances
from .state import _STATE_BUILDERS, _redemption_base_length, check_builders
from .values import Record, _Env, _generic_records, _rng

BATCH_COMMANDS = 2_000
SCAN_COUNT = 5_000
CHUNK = 1_000  # members/fields per command when writing a big collection

# Calibration of the memory alert (see module docstring).
ALERT_TARGET_RATIO = 0.90
ALERT_RATIO_WINDOW = (0.885, 0.915)
ALERT_LEAD = 1.25  # isales-market's usage must exceed every other instance's by this factor
OTHER_MAX_RATIO = 0.60
TOPUP_STEP = 500
ESTIMATE_SAMPLE = 1_000  # keys measured per pattern of the other instances (then scaled up)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class _Batcher:
    """Commands packed to the wire format (RESP) here and sent BATCH_COMMANDS at a time on one
    connection. redis-py's pipeline packs every argument through its generic encoder: that was
    three quarters of writing the estate (measured at scale 1: 16.6 s of 20.6 s)."""

    def __init__(self, client: redis.Redis, batch: int = BATCH_COMMANDS, keep_replies: bool = False):
        self.client, self.batch, self.keep_replies = client, batch, keep_replies
        self.packed: list[bytes] = []
        self.replies: list = []  # with keep_replies: of every command sent, in order

    def command(self, *args) -> None:
        self.packed.append(_pack(args))
        if len(self.packed) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.packed:
            return
        pool = self.client.connection_pool
        conn = pool.get_connection()
        try:
            conn.send_packed_command([b"".join(self.packed)], check_health=False)
            replies = [conn.read_response() for _ in self.packed]  # raises on an error reply
        except BaseException:
            conn.disconnect()  # replies may be left unread: the connection is not reusable
            raise
        finally:
            pool.release(conn)
        if self.keep_replies:
            self.replies.extend(replies)
        self.packed = []


def _pack(args: tuple) -> bytes:
    """One command in RESP, each argument encoded as redis-py's Encoder does (bytes as they are,
    numbers by repr, text as UTF-8), so the estate is the same byte for byte."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            v = a.encode()
        elif isinstance(a, bytes):
            v = a
        elif isinstance(a, (int, float)) and not isinstance(a, bool):
            v = repr(a).encode()
        else:
            raise TypeError(f"cannot write {type(a).__name__} {a!r} to Redis")
        out.append(b"$%d\r\n%s\r\n" % (len(v), v))
    return b"".join(out)


def _emit(b: _Batcher, rec: Record) -> None:
    """Queue the commands writing one record (big collections in chunks of CHUNK items)."""
    key, typ, val, ttl = rec
    if typ == "string":
        b.command("SET", key, val, *(("EX", ttl) if ttl is not None else ()))
        return
    if typ == "stream":
        for entry_id, fields in val:
            b.command("XADD", key, entry_id, *(x for pair in fields.items() for x in pair))
    else:
        items = list(val.items()) if typ in ("hash", "zset") else list(val)
        for i in range(0, len(items), CHUNK):
            part = items[i : i + CHUNK]
            if typ == "hash":
                b.command("HSET", key, *(x for pair in part for x in pair))
            elif typ == "zset":
                b.command("ZADD", key, *(x for member, score in part for x in (score, member)))
            elif typ == "list":
                b.command("RPUSH", key, *part)
            elif typ == "set":
                b.command("SADD", key, *part)
            else:
                raise ValueError(typ)
    if ttl:
        b.command("EXPIRE", key, ttl)


def _write(client: redis.Redis, records: Iterable[Record]) -> None:
    b = _Batcher(client)
    for rec in records:
        _emit(b, rec)
    b.flush()


def delete_estate(client: redis.Redis, names: Iterable[str]) -> int:
    """UNLINK every key whose prefix is one of the instance names; other keys are left alone."""
    wanted = {n.encode() for n in names}
    removed, batch = 0, []
    for key in client.scan_iter(match="luckyus-*", count=SCAN_COUNT):
        raw = key if isinstance(key, bytes) else key.encode()
        if raw.split(b":", 1)[0] in wanted and b":" in raw:
            batch.append(key)
            if len(batch) >= 1_000:
                removed += client.unlink(*batch)
                batch = []
    if batch:
        removed += client.unlink(*batch)
    return removed


def measure_keys(client: redis.Redis, keys: Iterable[str | bytes]) -> int:
    """Sum of MEMORY USAGE (default sampling) over the keys; vanished keys count 0."""
    b = _Batcher(client, keep_replies=True)
    for k in keys:
        b.command("MEMORY", "USAGE", k)
    b.flush()
    return sum(x or 0 for x in b.replies)


def _estimate_usage(client: redis.Redis, recs: list[Record], sample: int = ESTIMATE_SAMPLE) -> int:
    """MEMORY USAGE of a pattern's keys: exact up to `sample` keys, else an evenly spaced sample
    scaled up (the keys of one pattern are alike; used only for the other 77 instances)."""
    if len(recs) <= sample:
        return measure_keys(client, (r[0] for r in recs))
    picked = recs[:: math.ceil(len(recs) / sample)]
    return round(measure_keys(client, (r[0] for r in picked)) * len(recs) / len(picked))


def namespace_used_memory(client: redis.Redis, instance: str) -> int:
    """What the extractor reports as an instance's used memory: MEMORY USAGE over its prefix."""
    return measure_keys(client, client.scan_iter(match=f"{instance}:*", count=SCAN_COUNT))


def _human(n: int) -> str:
    for unit, size in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return f"{n}B"


def calibrate_budget(used: int) -> int:
    """The roundest maxmemory that puts `used` inside the alert window (target 90%)."""
    target = used / ALERT_TARGET_RATIO
    lo, hi = ALERT_RATIO_WINDOW
    for g in (1024**3, 256 * 1024**2, 64 * 1024**2, 16 * 1024**2, 4 * 1024**2, 1024**2,
              256 * 1024, 64 * 1024, 16 * 1024, 4096, 1024, 64, 1):
        budget = max(g, round(target / g) * g)
        if lo <= used / budget <= hi:
            return int(budget)
    return max(1, round(target))


def _server_hash(inst: Instance, env: _Env, maxmemory: int, n_keys: int, volatile: int) -> dict:
    rng = _rng(env.state.seed, inst.name, SERVER_KEY)
    uptime_days = int(rng.integers(12, 230))
    evicted = 0
    if inst.name == MARKET:  # volatile-lru kept evicting the few keys with a TTL
        evicted = int(rng.integers(200, 900)) + int(n_keys * rng.uniform(0.03, 0.07))
    return {
        "instance": inst.name,
        "redis_version": inst.redis_version,
        "redis_mode": "standalone",
        "role": "master",
        "tcp_port": "6379",
        "connected_slaves": "1",
        "connected_clients": str(int(rng.integers(8, 160))),
        "uptime_in_seconds": str(uptime_days * 86_400 + int(rng.integers(0, 86_400))),
        "maxmemory": str(maxmemory),
        "maxmemory_human": _human(maxmemory),
        "maxmemory_policy": inst.maxmemory_policy,
        "evicted_keys": str(evicted),
        "expired_keys": str(int(volatile * rng.uniform(2.0, 40.0)) if volatile else 0),
    }


def _pattern_records(inst: Instance, pat: Pattern, env: _Env, **kwargs) -> list[Record]:
    """The records of one pattern (state builders get their own Generator and `kwargs`)."""
    if pat.from_state:
        rng = _rng(env.state.seed, inst.name, pat.pattern)
        recs = _STATE_BUILDERS[(inst.name, pat.pattern)](env, rng, pat, **kwargs)
        if pat.ttl:  # a declared TTL range applies to state-driven keys without their own
            ttls = rng.integers(pat.ttl[0], pat.ttl[1] + 1, len(recs)).tolist()
            recs = [(k, t, v, ttl or x) for (k, t, v, ttl), x in zip(recs, ttls)]
    else:
        recs = _generic_records(inst, pat, env)
    for rec in recs:
        if rec[1] != pat.type:
            raise AssertionError(f"{inst.name} {pat.pattern}: wrote {rec[1]}, YAML says {pat.type}")
    return recs


def build_records(inst: Instance, env: _Env) -> dict[str, list[Record]]:
    """All records of one instance, per pattern."""
    return {pat.pattern: _pattern_records(inst, pat, env) for pat in inst.patterns}


def write_redis_estate(
    client: redis.Redis, state: LiveState, instances_path: Path = INSTANCES_PATH
) -> dict[str, int]:
    """Rewrite the 78 instances from `state`; returns keys per instance (``__server__`` included)."""
    instances = load_instances(Path(instances_path))
    check_builders(instances)
    env = _Env(state)
    delete_estate(client, instances)

    counts: dict[str, int] = {}
    usage: dict[str, int] = {}
    volatile: dict[str, int] = {}
    others = [i for i in instances.values() if i.name != MARKET]
    for inst in others:
        per_pattern = build_records(inst, env)
        recs = [r for rs in per_pattern.values() for r in rs]
        _write(client, recs)
        counts[inst.name] = len(recs) + 1
        volatile[inst.name] = sum(1 for r in recs if r[3])
        usage[inst.name] = sum(_estimate_usage(client, rs) for rs in per_pattern.values())

    # isales-market: write, measure, top up the redemption stream if it would not lead.
    market = instances[MARKET]
    per_pattern = build_records(market, env)
    stream_pat = "coupon:redeem:stream"
    base = [r for p, rs in per_pattern.items() if p != stream_pat for r in rs]
    _write(client, base)
    base_usage = measure_keys(client, (r[0] for r in base))
    stream_recs = per_pattern[stream_pat]
    _write(client, stream_recs)
    stream_usage = measure_keys(client, (r[0] for r in stream_recs))
    server_allowance = 1_024  # every instance's __server__ hash measures well under this
    need = ALERT_LEAD * (max(usage.values(), default=0) + server_allowance)
    length = _redemption_base_length(env)
    for _ in range(8):
        if base_usage + stream_usage >= need or not stream_recs:
            break
        per_entry = max(stream_usage / max(length, 1), 16.0)
        extra = (need - base_usage - stream_usage) / per_entry * 1.1
        length += int(math.ceil(extra / TOPUP_STEP) * TOPUP_STEP)
        client.unlink(stream_recs[0][0])
        pat = next(p for p in market.patterns if p.pattern == stream_pat)
        stream_recs = _pattern_records(market, pat, env, length=length)
        _write(client, stream_recs)
        stream_usage = measure_keys(client, (r[0] for r in stream_recs))
    market_recs = base + stream_recs
    counts[MARKET] = len(market_recs) + 1
    volatile[MARKET] = sum(1 for r in market_recs if r[3])
    usage[MARKET] = base_usage + stream_usage

    # __server__ hashes: configured budgets (raised if usage would pass 60%), market calibrated.
    b = _Batcher(client)
    budgets: dict[str, int] = {}
    for inst in instances.values():
        if inst.name == MARKET:
            budget = calibrate_budget(usage[MARKET] + 300)
        else:
            budget = inst.maxmemory
            while usage[inst.name] > OTHER_MAX_RATIO * budget:
                budget *= 2
        budgets[inst.name] = budget
        h = _server_hash(inst, env, budget, counts[inst.name], volatile[inst.name])
        b.command("HSET", inst.server_key, *(x for pair in h.items() for x in pair))
    b.flush()
    server_usage = {
        name: measure_keys(client, [instances[name].server_key]) for name in instances
    }
    used = usage[MARKET] + server_usage[MARKET]
    budget = calibrate_budget(used)
    if budget != budgets[MARKET]:
        client.hset(market.server_key, mapping={"maxmemory": str(budget), "maxmemory_human": _human(budget)})
        used = usage[MARKET] + measure_keys(client, [market.server_key])
    largest_other = max(usage[n] + server_usage[n] for n in instances if n != MARKET)
    if not (used > largest_other and used / budget > 0.85):
        raise RuntimeError(
            f"memory alert calibration failed: {MARKET} uses {used} of {budget} bytes, "
            f"largest other instance {largest_other}"
        )
    return counts
