"""Generic patterns: the domains of key placeholders and the small value language of the YAML
(``int:lo:hi``, ``choice:a|b``, ``dom:shop_id``, ``{json: {...}}``...), compiled into vectorised
generators; and the determinism helpers every pattern draws with."""

from __future__ import annotations

import calendar
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from luckin.simulator.facts import LiveState
from luckin.simulator.world import SEED

from .instances import Instance, Pattern

# Used by the generic patterns: volumes at scale 1 (the seed's key metrics).
REGISTERED_USERS_AT_SCALE_1 = SEED.registered_users
ORDERS_AT_SCALE_1 = 560_000  # all orders incl. cancelled, a generous round bound over the completed

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


