"""The Redis catalog: instances, their key patterns, and how to read each pattern.

`catalog.yml` (beside this module) lists every instance with its key patterns:

    layout: namespaced          # all instances on one server, instance = key prefix "<name>:"
    server_key: __server__      # per-instance hash holding the INFO figures a prefix cannot measure
    ignore: ["__luckin_simulator__:*"]
    instances:
      luckyus-iot-device:
        patterns:
          - {pattern: "device:{device_sn}", type: hash, parse: iot_device_state}
          - {pattern: "session:{user_id}", type: string, sensitive: true}

A pattern's placeholders (`{name}`) match one key segment; its SCAN glob replaces them with `*`.
`sensitive: true` patterns are counted only (TYPE, TTL, MEMORY USAGE): no command that returns a
value is ever sent for their keys. `parse` names a parser (helpers.PARSERS) that turns the keys
into typed rows of a snapshot table. Keys matching no pattern are counted as unknown.
An instance on its own server gives `url:` (then its prefix is empty and INFO is read directly).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml

from luckin.core import PROJECT_DIR

CATALOG_PATH = PROJECT_DIR / "pipelines" / "redis_estate" / "catalog.yml"

TYPES = ("string", "hash", "list", "set", "zset", "stream")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


from luckin.core.catalog.mysql import CatalogError  # noqa: E402  one error type for both catalogs


@dataclass(frozen=True)
class KeyPattern:
    instance: str
    pattern: str
    type: str
    sensitive: bool = False
    parse: str | None = None

    @property
    def glob(self) -> str:
        return _PLACEHOLDER_RE.sub("*", self.pattern)

    def regex(self, named: bool = True) -> str:
        """A regex of the key (prefix removed): a placeholder is one `:`-free segment, captured
        in a group of its name when `named`."""
        out, pos = [], 0
        for m in _PLACEHOLDER_RE.finditer(self.pattern):
            out.append(re.escape(self.pattern[pos:m.start()]))
            out.append(f"(?P<{m.group(1)}>[^:]*)" if named else "[^:]*")
            pos = m.end()
        out.append(re.escape(self.pattern[pos:]))
        return "".join(out)


@dataclass(frozen=True)
class RedisInstance:
    name: str
    patterns: tuple[KeyPattern, ...]
    url: str | None = None  # own server; None = a namespace on the shared server
    description: str = ""

    @property
    def prefix(self) -> str:
        return "" if self.url else f"{self.name}:"


@dataclass(frozen=True)
class RedisCatalog:
    instances: dict[str, RedisInstance]
    server_key: str = "__server__"
    ignore: tuple[str, ...] = ()
    path: Path | None = None

    def ignored(self, key: str) -> bool:
        return self._ignore_re is not None and self._ignore_re.match(key) is not None

    @cached_property
    def _ignore_re(self) -> re.Pattern | None:
        # one regex for every glob: the snapshot asks for each key (500k at scale 3)
        return re.compile("|".join(fnmatch.translate(g) for g in self.ignore)) if self.ignore else None


def parse_catalog(doc: dict, path: Path | None = None, parsers: frozenset[str] | None = None) -> RedisCatalog:
    """The catalog from its YAML document; `parsers`, when given, are the parser names the
    snapshot knows (the extract passes its own, so a typo fails before any key is read)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("instances"), dict):
        raise CatalogError(f"redis catalog {path or ''}: top-level 'instances' mapping is missing")
    if doc.get("layout", "namespaced") != "namespaced":
        raise CatalogError("redis catalog: layout must be 'namespaced' (per-instance `url:` for own servers)")
    instances = {}
    for name, body in doc["instances"].items():
        body = body or {}
        patterns = []
        for p in body.get("patterns") or []:
            where = f"redis catalog: {name} {p.get('pattern')!r}"
            if p.get("type") not in TYPES:
                raise CatalogError(f"{where}: type must be one of {TYPES}")
            if p.get("parse") and parsers is not None and p["parse"] not in parsers:
                raise CatalogError(f"{where}: unknown parser {p['parse']!r} (known: {sorted(parsers)})")
            if p.get("parse") and p.get("sensitive"):
                raise CatalogError(f"{where}: a sensitive pattern cannot be parsed (values never leave Redis)")
            patterns.append(KeyPattern(name, str(p["pattern"]), p["type"], bool(p.get("sensitive", False)),
                                       p.get("parse")))
        instances[name] = RedisInstance(name, tuple(patterns), body.get("url"), body.get("description", ""))
    ignore = doc.get("ignore") or []
    return RedisCatalog(instances, str(doc.get("server_key", "__server__")),
                        tuple(ignore if isinstance(ignore, list) else [ignore]), path)


@cache
def load_catalog(path: Path = CATALOG_PATH, parsers: frozenset[str] | None = None) -> RedisCatalog:
    path = Path(path)
    return parse_catalog(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, path, parsers)
