"""Write the Redis half of the simulated estate: 78 instances on one Redis server.

Layout (a design decision, fixed here and relied on by the extractor):

* **One server, one logical database, namespaced by key prefix.** Every key of instance
  ``luckyus-isales-market`` starts with ``luckyus-isales-market:``. The instances are listed,
  with their key patterns, in ``estate/redis_instances.yml`` (the single source of truth).
* **``<instance>:__server__``** is one hash per instance holding what that instance's
  ``INFO`` would report and a key prefix cannot measure: ``maxmemory`` (bytes),
  ``maxmemory_human``, ``maxmemory_policy``, ``evicted_keys``, ``expired_keys``,
  ``redis_version``, ``redis_mode``, ``role``, ``connected_clients``, ``connected_slaves``,
  ``uptime_in_seconds``, ``tcp_port`` and ``instance``. There is deliberately no
  ``used_memory`` field: the used memory of an instance is measured by the extractor as the
  sum of ``MEMORY USAGE`` (default sampling) over all keys of its prefix, ``__server__``
  included (:func:`namespace_used_memory` does exactly that).
* Keys outside the ``luckyus-*`` instance prefixes (e.g. ``__luckin_simulator__:manifest``,
  written by the MySQL side) are never touched: a rewrite first removes every key whose
  prefix is one of the 78 instance names (``SCAN MATCH luckyus-*`` + ``UNLINK`` in batches;
  never ``KEYS`` or ``FLUSHDB``), then writes through non-transactional pipelines in bounded
  batches.

Content. Five instances are **state-driven** (their YAML patterns say ``count: from_state``)
and mirror :class:`~luckin.simulator.facts.LiveState` exactly: device hashes
(``luckyus-iot-device``), coupon stock/issue counters, campaign configs, claim sets and
per-user coupon caches (``luckyus-isales-market``), stock per store and material (``luckyus-scm-inventory``),
make-queue lengths and order-number sequences (``luckyus-sales-order``), login sessions with
TTLs (``luckyus-sales-session``), plus the open-store set of ``luckyus-sales-shop``. All
other patterns are generic caches whose keys and values are drawn from the small value
language documented in the YAML header, with counts multiplied by ``state.scale``. A
pattern's glob (placeholders -> ``*``) matches only its own keys, so an extractor may
``SCAN MATCH <instance>:device:*`` and get device hashes only (checked when loading).

Determinism. Every pattern draws from its own ``numpy`` Generator seeded with
``(state.seed, blake2b(instance), blake2b(pattern))``, never from Python's salted
``hash()``; stream entry ids are explicit (derived from ``state.as_of``), so the same state
gives the same keys, values and types on the same server version. TTLs are set relative to
the wall clock at write time (Redis has no other clock): their values are deterministic, the
remaining time-to-live is not. Every TTL is at least 10 minutes so that an extraction right
after a write sees the whole estate.

Memory alert calibration (``luckyus-isales-market``). The estate must show the 2026-02-12
alert: that instance's used memory is the largest of the 78 and about 90% of its
``maxmemory``. Its budget is therefore *calibrated*, not configured: after its keys are
written the writer measures them (``MEMORY USAGE`` on every key, as the extractor does) and
sets ``maxmemory`` to the roundest value that puts usage at 88.5-91.5% (target 90%). Its
policy is ``volatile-lru``: only the few keys with a TTL can be evicted, so ``evicted_keys``
is > 0 while memory stays high (the claim sets and per-user coupon caches have no TTL: the
root cause). The other 77 instances are measured per pattern (exact up to 1,000 keys, an
evenly spaced sample scaled up beyond). If one of them measured larger (only conceivable
with a state that holds almost no coupons), the
redemption-event stream of isales-market is lengthened, in steps of 500 entries, until
isales-market leads by 25%. Other instances keep their configured budgets (256 MB - 4 GB)
unless usage would exceed 60% of it, in which case the budget doubles until it does not.
"""

from __future__ import annotations

import calendar
import fnmatch
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import redis
import yaml

from luckin.simulator.facts import LiveState
from luckin.simulator.world import SEED

INSTANCES_PATH = Path(__file__).parent / "estate" / "redis_instances.yml"
INSTANCE_COUNT = SEED.redis_instances
SERVER_KEY = "__server__"
MARKET = "luckyus-isales-market"
TYPES = ("string", "hash", "list", "set", "zset", "stream")
MIN_TTL_SECONDS = 600
BATCH_COMMANDS = 2_000
SCAN_COUNT = 5_000
CHUNK = 1_000  # members/fields per command when writing a big collection

# Used by the generic patterns: volumes at scale 1 (the seed's key metrics).
REGISTERED_USERS_AT_SCALE_1 = SEED.registered_users
ORDERS_AT_SCALE_1 = 560_000  # all orders incl. cancelled, a generous round bound over the completed
SESSION_LIFETIME = timedelta(days=30)

# Calibration of the memory alert (see module docstring).
ALERT_TARGET_RATIO = 0.90
ALERT_RATIO_WINDOW = (0.885, 0.915)
ALERT_LEAD = 1.25  # isales-market's usage must exceed every other instance's by this factor
OTHER_MAX_RATIO = 0.60
TOPUP_STEP = 500
ESTIMATE_SAMPLE = 1_000  # keys measured per pattern of the other instances (then scaled up)

_NAME_RE = re.compile(r"^luckyus-[a-z]+-[a-z]+$")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_SIZE_RE = re.compile(r"^(\d+)\s*(b|kb|mb|gb)$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}

# Placeholders that are not enumerable: drawn fresh for every key.
_FREE_PLACEHOLDERS = {"token", "mobile_hash", "ip", "fingerprint"}

MENU = (  # product_id 1..40 (the menu size of the spec); used for names in cached values
    "Iced Coconut Latte", "Coconut Latte", "Iced Latte", "Latte", "Iced Americano",
    "Americano", "Cappuccino", "Flat White", "Espresso", "Mocha",
    "Iced Mocha", "Caramel Latte", "Iced Caramel Latte", "Vanilla Latte", "Iced Vanilla Latte",
    "Velvet Latte", "Iced Oat Latte", "Cold Brew", "Pineapple Cold Brew", "Raspberry Cold Brew",
    "Coconut Cold Brew", "Orange Americano", "Blood Orange Refresher", "Grapefruit Refresher",
    "Strawberry Refresher", "Matcha Latte", "Iced Matcha Latte", "Coconut Matcha Latte",
    "Jasmine Tea", "Iced Jasmine Tea", "Peach Oolong Tea", "Hot Chocolate", "Iced Chocolate",
    "Plain Bagel", "Everything Bagel", "Chocolate Chip Cookie", "Chocolate Cake", "Croissant",
    "Blueberry Muffin", "Banana Bread",
)
_VOCAB = {
    "product": MENU,
    "keyword": (
        "iced coconut latte", "coconut", "coconut latte", "cold brew", "pineapple cold brew",
        "raspberry", "matcha", "iced matcha", "latte", "oat milk", "americano", "refresher",
        "blood orange", "grapefruit", "mocha", "caramel", "vanilla", "decaf", "tea", "jasmine",
        "bagel", "cookie", "chocolate cake", "croissant", "1.99", "coupon", "near me",
        "velvet latte", "espresso", "hot chocolate", "muffin", "oolong", "flat white",
    ),
    "neighborhood": (
        "Greenwich Village", "NoMad", "Midtown", "Financial District", "Chelsea", "SoHo",
        "Union Square", "Murray Hill", "Tribeca", "Hudson Yards", "Morningside Heights",
        "Flatiron", "Times Square", "Herald Square", "Battery Park City",
    ),
    "phone_model": (
        "iPhone 15", "iPhone 15 Pro", "iPhone 14", "iPhone 13", "iPhone 16 Pro", "Pixel 8",
        "Pixel 7a", "Galaxy S24", "Galaxy S23", "Galaxy A54", "OnePlus 12",
    ),
    "screen": (
        "home", "menu", "product_detail", "cart", "checkout", "order_status", "coupons",
        "profile", "store_picker", "search",
    ),
    "event": (
        "app_open", "view_menu", "view_product", "add_to_cart", "start_checkout", "pay_success",
        "coupon_claim", "search", "share", "pickup_scan",
    ),
}


# --------------------------------------------------------------------------------------------
# The instance catalogue (YAML)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    pattern: str
    type: str
    count: int | str  # keys at scale 1, or "from_state"
    description: str
    ttl: tuple[int, int] | None = None
    sensitive: bool = False
    scaled: bool = True  # count multiplied by state.scale
    min_count: int = 3
    spec: dict = field(default_factory=dict)  # the value spec (value/fields/entries/items...)

    @property
    def from_state(self) -> bool:
        return self.count == "from_state"

    @property
    def placeholders(self) -> list[str]:
        return _PLACEHOLDER_RE.findall(self.pattern)


@dataclass(frozen=True)
class Instance:
    name: str
    description: str
    maxmemory: int | None  # bytes; None = calibrated from what was written (isales-market)
    maxmemory_policy: str
    redis_version: str
    patterns: tuple[Pattern, ...]

    @property
    def prefix(self) -> str:
        return f"{self.name}:"

    @property
    def server_key(self) -> str:
        return f"{self.name}:{SERVER_KEY}"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last one)."""


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ValueError(f"duplicate key {key!r} in {node.start_mark}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)

_PATTERN_KEYS = {"pattern", "type", "count", "description", "ttl", "sensitive", "scaled", "min"}
_VALUE_KEYS = {
    "string": {"value"},
    "hash": {"fields", "entries"},
    "list": {"items", "length", "scale_size"},
    "set": {"members", "size", "scale_size"},
    "zset": {"members", "score", "size", "scale_size"},
    "stream": {"fields", "length", "span", "scale_size"},
}


def parse_bytes(text: str | int) -> int:
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"not a memory size: {text!r} (use e.g. 512mb, 2gb)")
    return int(m.group(1)) * _UNITS[m.group(2).lower()]


def load_instances(path: Path = INSTANCES_PATH) -> dict[str, Instance]:
    """The 78 instances of ``redis_instances.yml``, validated, in file order."""
    doc = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    instances: dict[str, Instance] = {}
    for name, body in (doc.get("instances") or {}).items():
        if not _NAME_RE.match(name):
            raise ValueError(f"instance name {name!r} is not luckyus-<system>-<domain>")
        budget = body.get("maxmemory")
        if budget == "calibrated":
            if name != MARKET:
                raise ValueError(f"{name}: only {MARKET} has a calibrated maxmemory")
            maxmemory = None
        else:
            maxmemory = parse_bytes(budget)
        patterns = []
        seen = set()
        for p in body.get("patterns") or []:
            patterns.append(_parse_pattern(name, p))
            if p["pattern"] in seen:
                raise ValueError(f"{name}: pattern {p['pattern']!r} listed twice")
            seen.add(p["pattern"])
        instances[name] = Instance(
            name=name,
            description=body.get("description", ""),
            maxmemory=maxmemory,
            maxmemory_policy=body.get("maxmemory_policy", "allkeys-lru"),
            redis_version=str(body.get("redis_version", "6.2.14")),
            patterns=tuple(patterns),
        )
    if len(instances) != INSTANCE_COUNT:
        raise ValueError(f"{path}: {len(instances)} instances, the estate has {INSTANCE_COUNT}")
    if MARKET not in instances or instances[MARKET].maxmemory is not None:
        raise ValueError(f"{MARKET} must exist with maxmemory: calibrated")
    for inst in instances.values():
        _check_globs(inst)
    types = {p.type for i in instances.values() for p in i.patterns}
    if types != set(TYPES):
        raise ValueError(f"every Redis type must appear; missing {sorted(set(TYPES) - types)}")
    declared = {(i.name, p.pattern) for i in instances.values() for p in i.patterns if p.from_state}
    if declared != set(_STATE_BUILDERS):
        raise ValueError(
            "from_state patterns and state builders disagree: "
            f"no builder for {sorted(declared - set(_STATE_BUILDERS))}, "
            f"not in YAML {sorted(set(_STATE_BUILDERS) - declared)}"
        )
    return instances


def pattern_glob(pattern: str) -> str:
    """The SCAN MATCH glob of a pattern's keys (placeholders become ``*``), prefix excluded."""
    return _PLACEHOLDER_RE.sub("*", pattern)


def _check_globs(inst: Instance) -> None:
    """Each pattern's glob must match only its own keys, so that ``SCAN MATCH
    <instance>:device:*`` returns device hashes and nothing else (e.g. no ``device:events``)."""
    for a in inst.patterns:
        glob = pattern_glob(a.pattern)
        for b in inst.patterns:
            sample = _PLACEHOLDER_RE.sub("x1", b.pattern)
            if a is not b and fnmatch.fnmatchcase(sample, glob):
                raise ValueError(f"{inst.name}: glob {glob!r} of {a.pattern!r} also matches keys of {b.pattern!r}")


def _parse_pattern(instance: str, p: dict) -> Pattern:
    where = f"{instance}: {p.get('pattern')!r}"
    typ = p.get("type")
    if typ not in TYPES:
        raise ValueError(f"{where}: type {typ!r} is not one of {TYPES}")
    if SERVER_KEY in p["pattern"]:
        raise ValueError(f"{where}: {SERVER_KEY} is reserved")
    unknown = set(p) - _PATTERN_KEYS - _VALUE_KEYS[typ] - {"domains"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} for type {typ}")
    count = p.get("count")
    if not (count == "from_state" or (isinstance(count, int) and count >= 0)):
        raise ValueError(f"{where}: count must be a number of keys at scale 1 or from_state")
    ttl = p.get("ttl")
    if ttl is not None:
        lo, hi = (ttl, ttl) if isinstance(ttl, int) else tuple(ttl)
        if not MIN_TTL_SECONDS <= lo <= hi:
            raise ValueError(f"{where}: ttl must be [lo, hi] seconds with {MIN_TTL_SECONDS} <= lo <= hi")
        ttl = (int(lo), int(hi))
    if not p.get("description"):
        raise ValueError(f"{where}: no description")
    spec = {k: v for k, v in p.items() if k not in _PATTERN_KEYS}
    if count != "from_state":
        needed = {"string": "value", "list": "items", "set": "members", "zset": "members",
                  "stream": "fields"}.get(typ)
        if needed and needed not in spec:
            raise ValueError(f"{where}: a generic {typ} needs {needed!r}")
        if typ == "hash" and not ({"fields", "entries"} & set(spec)):
            raise ValueError(f"{where}: a generic hash needs 'fields' or 'entries'")
        if typ == "zset" and "score" not in spec:
            raise ValueError(f"{where}: a generic zset needs 'score'")
    return Pattern(
        pattern=p["pattern"],
        type=typ,
        count=count,
        description=p["description"],
        ttl=ttl,
        sensitive=bool(p.get("sensitive", False)),
        scaled=bool(p.get("scaled", True)),
        min_count=int(p.get("min", 3)),
        spec=spec,
    )


# --------------------------------------------------------------------------------------------
# Determinism helpers
# --------------------------------------------------------------------------------------------


def stable_hash(text: str) -> int:
    """64-bit hash of a name that is the same in every process (unlike ``hash()``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, *(stable_hash(n) for n in names)])


def _epoch(ts: datetime) -> int:
    return calendar.timegm(ts.timetuple())


# Record: (key, type, value, ttl seconds or None). Values: str for strings, dict for hashes,
# list for lists and sets, dict member->score for zsets, list of (id, fields) for streams.
Record = tuple[str, str, object, int | None]


# --------------------------------------------------------------------------------------------
# Domains of key placeholders and the value language of generic patterns
# --------------------------------------------------------------------------------------------


class _Env:
    """Everything the generators need from the state, computed once per write."""

    def __init__(self, state: LiveState):
        self.state = state
        self.scale = float(state.scale)
        self.as_of = _epoch(state.as_of)
        self.as_of_day = state.as_of.date()
        observed = [0]
        for frame in (state.unused_coupons, state.active_sessions):
            if len(frame):
                observed.append(int(frame["user_id"].max()))
        self.user_count = max(max(observed), round(REGISTERED_USERS_AT_SCALE_1 * self.scale), 50)
        self.order_count = max(round(ORDERS_AT_SCALE_1 * self.scale), 1_000)
        materials = state.stock["material_code"].drop_duplicates().tolist() if len(state.stock) else []
        recent_orders = max(1_000, self.order_count // 20)
        self.domains: dict[str, list] = {
            "shop_id": [int(x) for x in state.shops["shop_id"]],
            "shop_no": [str(x) for x in state.shops["shop_no"]],
            "device_sn": [str(x) for x in state.devices["device_sn"]],
            "product_id": list(range(1, len(MENU) + 1)),
            "sku_id": [p * 10 + s for p in range(1, len(MENU) + 1) for s in (1, 2, 3)],
            "template_id": [int(x) for x in state.coupon_templates["template_id"]],
            "campaign_id": [int(x) for x in state.campaigns["campaign_id"]],
            "material_code": [str(x) for x in materials],
            "date": [(self.as_of_day - timedelta(days=d)).strftime("%Y%m%d") for d in range(30)],
            "hour": [
                (state.as_of - timedelta(hours=h)).strftime("%Y%m%d%H") for h in range(48)
            ],
            "staff_id": list(range(1, 14 * max(len(state.shops), 1) + 1)),
            "order_id": list(range(self.order_count - recent_orders + 1, self.order_count + 1)),
            "keyword": list(_VOCAB["keyword"]),
        }

    def domain(self, name: str, custom: dict, n_target: int) -> list:
        if name in custom:
            return list(custom[name])
        if name == "n":
            return list(range(1, n_target + 1))
        if name == "user_id":
            return _LazyRange(1, self.user_count)
        if name in self.domains:
            return self.domains[name]
        raise ValueError(f"unknown key placeholder {{{name}}}")


class _LazyRange:
    """1..n without materialising it (the user-id domain is large)."""

    def __init__(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi

    def __len__(self):
        return self.hi - self.lo + 1

    def take(self, idx: np.ndarray) -> list:
        return (idx + self.lo).tolist()


def _take(domain, idx: np.ndarray) -> list:
    if isinstance(domain, _LazyRange):
        return domain.take(idx)
    return [domain[i] for i in idx.tolist()]


@dataclass
class _GenCtx:
    env: _Env
    rng: np.random.Generator
    custom: dict
    params: dict[str, list]  # per-row key placeholder values
    seq: list[int] | None = None  # per-row position inside a collection


def _hex(rng: np.random.Generator, n: int, width: int) -> list[str]:
    raw = rng.bytes(n * ((width + 1) // 2)).hex()
    step = ((width + 1) // 2) * 2
    return [raw[i * step : i * step + width] for i in range(n)]


def _geohash_score(lat: float, lon: float) -> int:
    """The 52-bit score GEOADD stores (Redis interleaves latitude bits at even positions)."""
    lat_off = int((lat + 85.05112878) / 170.10225756 * (1 << 26))
    lon_off = int((lon + 180.0) / 360.0 * (1 << 26))
    score = 0
    for i in range(26):
        score |= ((lat_off >> i) & 1) << (2 * i)
        score |= ((lon_off >> i) & 1) << (2 * i + 1)
    return score


def _compile(spec) -> Callable[[_GenCtx, int], list]:
    """Compile one value spec of the YAML's value language into a vectorised generator."""
    if isinstance(spec, dict):
        if set(spec) != {"json"}:
            raise ValueError(f"a structured value is written {{json: {{field: gen}}}}, got {spec}")
        parts = {k: _compile(v) for k, v in spec["json"].items()}

        def gen_json(ctx: _GenCtx, n: int) -> list:
            cols = {k: g(ctx, n) for k, g in parts.items()}
            names = list(cols)
            return [
                json.dumps(dict(zip(names, row)), separators=(",", ":"), ensure_ascii=False)
                for row in zip(*(cols[k] for k in names))
            ] if names else ["{}"] * n

        return gen_json
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return lambda ctx, n: [spec] * n
    if not isinstance(spec, str):
        raise ValueError(f"cannot read value spec {spec!r}")
    kind, _, rest = spec.partition(":")
    args = rest.split(":") if rest else []

    if kind == "int":
        lo, hi = int(args[0]), int(args[1])
        return lambda ctx, n: ctx.rng.integers(lo, hi + 1, n).tolist()
    if kind == "float":
        lo, hi = float(args[0]), float(args[1])
        dp = int(args[2]) if len(args) > 2 else 2
        return lambda ctx, n: np.round(ctx.rng.uniform(lo, hi, n), dp).tolist()
    if kind == "money":
        lo, hi = float(args[0]), float(args[1])
        return lambda ctx, n: [f"{x:.2f}" for x in ctx.rng.uniform(lo, hi, n)]
    if kind == "choice":
        options = rest.split("|")
        weights = None
        if all("=" in o for o in options):  # choice:a=0.7|b=0.3
            options, w = zip(*(o.rsplit("=", 1) for o in options))
            weights = np.array([float(x) for x in w])
            weights = weights / weights.sum()
        opts = list(options)
        return lambda ctx, n: [opts[i] for i in ctx.rng.choice(len(opts), n, p=weights).tolist()]
    if kind in ("ts", "tsms", "iso", "date"):
        lo, hi = int(args[0]), int(args[1])

        def gen_time(ctx: _GenCtx, n: int) -> list:
            offs = ctx.rng.integers(lo, hi + 1, n)
            if kind == "date":  # offsets in days
                base = ctx.env.as_of_day
                return [(base + timedelta(days=int(o))).isoformat() for o in offs]
            secs = ctx.env.as_of + offs
            if kind == "ts":
                return secs.tolist()
            if kind == "tsms":
                return (secs * 1000 + ctx.rng.integers(0, 1000, n)).tolist()
            return [
                datetime.fromtimestamp(int(s), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                for s in secs
            ]

        return gen_time
    if kind == "hex":
        width = int(args[0])
        return lambda ctx, n: _hex(ctx.rng, n, width)
    if kind == "digits":
        width = int(args[0])
        return lambda ctx, n: [
            "".join(map(str, row)) for row in ctx.rng.integers(0, 10, (n, width)).tolist()
        ]
    if kind == "bool":
        p = float(args[0]) if args else 0.5
        return lambda ctx, n: (ctx.rng.random(n) < p).tolist()
    if kind == "key":
        name = args[0]
        return lambda ctx, n: list(ctx.params[name])
    if kind == "dom":
        name = args[0]

        def gen_dom(ctx: _GenCtx, n: int) -> list:
            dom = ctx.env.domain(name, ctx.custom, n)
            if not len(dom):
                return [""] * n
            return _take(dom, ctx.rng.integers(0, len(dom), n))

        return gen_dom
    if kind == "word":
        vocab = _VOCAB[args[0]]
        return lambda ctx, n: [vocab[i] for i in ctx.rng.integers(0, len(vocab), n).tolist()]
    if kind == "product":  # name of the product whose id is key placeholder / field args[0]
        name = args[0]
        return lambda ctx, n: [MENU[(int(x) - 1) % len(MENU)] for x in ctx.params[name]]
    if kind == "const":
        return lambda ctx, n: [rest] * n
    if kind == "null":
        return lambda ctx, n: [None] * n
    if kind == "uuid":
        return lambda ctx, n: [
            f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" for h in _hex(ctx.rng, n, 32)
        ]
    if kind == "ip":
        return lambda ctx, n: [
            ".".join(map(str, row))
            for row in np.column_stack(
                [ctx.rng.choice([10, 66, 72, 98, 104, 172, 198], n),
                 ctx.rng.integers(0, 256, (n, 3))]
            ).tolist()
        ]
    if kind == "seq":
        return lambda ctx, n: list(ctx.seq) if ctx.seq is not None else list(range(n))
    if kind == "geohash":  # a point in Manhattan, as GEOADD would store it
        def gen_geo(ctx: _GenCtx, n: int) -> list:
            lat = ctx.rng.uniform(40.70, 40.81, n)
            lon = ctx.rng.uniform(-74.015, -73.94, n)
            return [_geohash_score(a, b) for a, b in zip(lat.tolist(), lon.tolist())]

        return gen_geo
    raise ValueError(f"unknown value generator {spec!r}")


def _as_redis(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return str(value)


def _sizes(rng: np.random.Generator, spec: dict, key: str, n: int, scale: float) -> np.ndarray:
    """Per-key collection sizes from `key: [lo, hi]` (or a single number); scale_size scales them."""
    bounds = spec.get(key, [1, 1])
    lo, hi = (bounds, bounds) if isinstance(bounds, int) else bounds
    if spec.get("scale_size"):
        lo, hi = max(1, round(lo * scale)), max(1, round(hi * scale))
    return rng.integers(lo, hi + 1, n)


def _generic_records(inst: Instance, pat: Pattern, env: _Env) -> list[Record]:
    rng = _rng(env.state.seed, inst.name, pat.pattern)
    custom = pat.spec.get("domains") or {}
    target = pat.count if not pat.scaled else max(pat.min_count, round(pat.count * env.scale))
    if pat.count == 0:
        target = 0
    names = pat.placeholders
    enum_names = [p for p in names if p not in _FREE_PLACEHOLDERS]
    domains = [env.domain(p, custom, target) for p in enum_names]
    sizes = [len(d) for d in domains]
    total = math.prod(sizes) if enum_names else (target if names else 1)
    n = min(target, total)
    if n <= 0:
        return []
    params: dict[str, list] = {}
    if enum_names:
        idx = np.sort(rng.choice(total, n, replace=False))
        for p, dom, ix in zip(enum_names, domains, np.unravel_index(idx, sizes)):
            params[p] = _take(dom, ix)
    for p in names:
        if p in _FREE_PLACEHOLDERS:
            params[p] = {
                "token": lambda: _hex(rng, n, 32),
                "mobile_hash": lambda: _hex(rng, n, 16),
                "fingerprint": lambda: _hex(rng, n, 24),
                "ip": lambda: _compile("ip")(_GenCtx(env, rng, custom, {}), n),
            }[p]()
    keys = [f"{inst.name}:" + pat.pattern.format_map({p: params[p][i] for p in names})
            for i in range(n)]
    # Free placeholders may collide (an IP drawn twice): keep the first occurrence.
    if len(set(keys)) != n:
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        keep = sorted(first.values())
        keys = [keys[i] for i in keep]
        params = {p: [v[i] for i in keep] for p, v in params.items()}
        n = len(keys)
    ctx = _GenCtx(env, rng, custom, params)
    values = _generic_values(pat, ctx, n, rng, env)
    ttls = rng.integers(pat.ttl[0], pat.ttl[1] + 1, n).tolist() if pat.ttl else [None] * n
    # Redis holds no empty collections: a key whose collection drew size 0 does not exist.
    return [(k, pat.type, v, t) for k, v, t in zip(keys, values, ttls)
            if pat.type == "string" or len(v)]


def _item_ctx(ctx: _GenCtx, lengths: np.ndarray) -> _GenCtx:
    """Context for items of collections: key params repeated per item, seq = item index."""
    rep = {p: np.repeat(np.array(v, dtype=object), lengths).tolist() for p, v in ctx.params.items()}
    seq = np.concatenate([np.arange(m) for m in lengths]).tolist() if len(lengths) else []
    return _GenCtx(ctx.env, ctx.rng, ctx.custom, rep, seq)


def _split(values: list, lengths: np.ndarray) -> list[list]:
    out, pos = [], 0
    for m in lengths.tolist():
        out.append(values[pos : pos + m])
        pos += m
    return out


def _generic_values(pat: Pattern, ctx: _GenCtx, n: int, rng, env: _Env) -> list:
    spec = pat.spec
    if pat.type == "string":
        return [_as_redis(v) for v in _compile(spec["value"])(ctx, n)]
    if pat.type == "hash":
        if "fields" in spec:
            cols = {f: _compile(g)(ctx, n) for f, g in spec["fields"].items()}
            return [{f: _as_redis(cols[f][i]) for f in cols} for i in range(n)]
        entries = spec["entries"]
        lengths = _sizes(rng, entries, "size", n, env.scale)
        ictx = _item_ctx(ctx, lengths)
        fields = _split(_compile(entries["field"])(ictx, int(lengths.sum())), lengths)
        vals = _split(_compile(entries["value"])(ictx, int(lengths.sum())), lengths)
        return [{_as_redis(f): _as_redis(v) for f, v in zip(fs, vs)} for fs, vs in zip(fields, vals)]
    if pat.type in ("list", "set", "zset"):
        size_key = "length" if pat.type == "list" else "size"
        lengths = _sizes(rng, spec, size_key, n, env.scale)
        ictx = _item_ctx(ctx, lengths)
        gen = _compile(spec["items" if pat.type == "list" else "members"])
        items = _split([_as_redis(v) for v in gen(ictx, int(lengths.sum()))], lengths)
        if pat.type == "list":
            return items
        if pat.type == "set":
            return [list(dict.fromkeys(x)) for x in items]
        scores = _split(_compile(spec["score"])(ictx, int(lengths.sum())), lengths)
        return [{m: float(s) for m, s in zip(ms, ss)} for ms, ss in zip(items, scores)]
    # stream
    lengths = _sizes(rng, spec, "length", n, env.scale)
    span_ms = int(spec.get("span", 86_400)) * 1000
    ictx = _item_ctx(ctx, lengths)
    total = int(lengths.sum())
    cols = {f: _compile(g)(ictx, total) for f, g in spec["fields"].items()}
    rows = [{f: _as_redis(cols[f][i]) for f in cols} for i in range(total)]
    out, pos = [], 0
    for m in lengths.tolist():
        ids = _stream_ids(rng, env.as_of, span_ms, m)
        out.append(list(zip(ids, rows[pos : pos + m])))
        pos += m
    return out


def _stream_ids(rng: np.random.Generator, as_of: int, span_ms: int, m: int) -> list[str]:
    """m strictly increasing explicit ids within the span ending at as_of (deterministic)."""
    m = min(m, span_ms)
    offsets = np.sort(rng.choice(span_ms, m, replace=False))
    start = as_of * 1000 - span_ms + 1
    return [f"{start + int(o)}-0" for o in offsets]


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


_StateBuilder = Callable[[_Env, np.random.Generator, Pattern], list[Record]]
_STATE_BUILDERS: dict[tuple[str, str], _StateBuilder] = {}


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
    return [
        (_k(ORD, f"order:queue_len:{int(r.shop_id)}"), "string", str(int(r.queue_length)), None)
        for r in env.state.order_queues.itertuples(index=False)
    ]


@_builder(ORD, "order:seq:{shop_id}")
def _ord_seq(env, rng, pat):
    return [
        (_k(ORD, f"order:seq:{int(r.shop_id)}"), "string", str(int(r.last_order_seq)), None)
        for r in env.state.order_queues.itertuples(index=False)
    ]


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
    open_ids = sorted(int(x) for x in env.state.shops.loc[env.state.shops["is_open"].astype(bool), "shop_id"])
    return [(_k(SHOP, "shop:open"), "set", [str(x) for x in open_ids], None)] if open_ids else []


_CAMPAIGN_TYPES = {1: "new_user", 2: "store_opening", 3: "seasonal", 4: "referral", 5: "win_back"}


@_builder(MARKET, "coupon:stock:{template_id}")
def _mkt_stock(env, rng, pat):
    return [
        (_k(MARKET, f"coupon:stock:{int(r.template_id)}"), "string", str(int(r.remaining_stock)), None)
        for r in env.state.coupon_templates.itertuples(index=False)
    ]


@_builder(MARKET, "coupon:issued:{template_id}")
def _mkt_issued(env, rng, pat):
    return [
        (_k(MARKET, f"coupon:issued:{int(r.template_id)}"), "string", str(int(r.issued)), None)
        for r in env.state.coupon_templates.itertuples(index=False)
    ]


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
    c = env.state.campaigns
    ids = sorted(int(x) for x in c.loc[c["is_running"].astype(bool), "campaign_id"])
    return [(_k(MARKET, "campaigns:running"), "set", [str(x) for x in ids], None)] if ids else []


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


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class _Batcher:
    """Non-transactional pipeline flushed every BATCH_COMMANDS commands."""

    def __init__(self, client: redis.Redis, batch: int = BATCH_COMMANDS):
        self.client, self.batch = client, batch
        self.pipe = client.pipeline(transaction=False)
        self.pending = 0

    def add(self, n: int = 1):
        self.pending += n
        if self.pending >= self.batch:
            self.flush()

    def flush(self):
        if self.pending:
            self.pipe.execute()
            self.pending = 0


def _emit(b: _Batcher, rec: Record) -> None:
    """Queue the commands writing one record (big collections in chunks of CHUNK items)."""
    key, typ, val, ttl = rec
    p = b.pipe
    if typ == "string":
        p.set(key, val, ex=ttl)
        b.add()
        return
    if typ == "stream":
        for entry_id, fields in val:
            p.xadd(key, fields, id=entry_id)
            b.add()
    else:
        items = list(val.items()) if typ in ("hash", "zset") else list(val)
        for i in range(0, len(items), CHUNK):
            part = items[i : i + CHUNK]
            if typ == "hash":
                p.hset(key, mapping=dict(part))
            elif typ == "zset":
                p.zadd(key, dict(part))
            elif typ == "list":
                p.rpush(key, *part)
            elif typ == "set":
                p.sadd(key, *part)
            else:
                raise ValueError(typ)
            b.add()
    if ttl:
        p.expire(key, ttl)
        b.add()


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
    total, pipe, pending = 0, client.pipeline(transaction=False), 0
    for k in keys:
        pipe.memory_usage(k)
        pending += 1
        if pending >= BATCH_COMMANDS:
            total += sum(x or 0 for x in pipe.execute())
            pending = 0
    if pending:
        total += sum(x or 0 for x in pipe.execute())
    return total


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
        b.pipe.hset(inst.server_key, mapping=h)
        b.add()
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
