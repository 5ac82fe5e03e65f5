"""The instance catalogue: the 78 instances of ``estate/redis_instances.yml`` and their key
patterns, read and validated (names, types, value specs, globs that match only their own keys)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from luckin.simulator.world import SEED

INSTANCES_PATH = Path(__file__).parent.parent / "estate" / "redis_instances.yml"
INSTANCE_COUNT = SEED.redis_instances
SERVER_KEY = "__server__"
MARKET = "luckyus-isales-market"
TYPES = ("string", "hash", "list", "set", "zset", "stream")
MIN_TTL_SECONDS = 600

_NAME_RE = re.compile(r"^luckyus-[a-z]+-[a-z]+$")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_SIZE_RE = re.compile(r"^(\d+)\s*(b|kb|mb|gb)$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


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
    return instances  # that every from_state pattern has a builder is state.check_builders' to say


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


