"""`luckin catalog`: refresh both catalogs from the sources, keep what people wrote, show the diff.

    refresh_catalog(settings, write=True) -> CatalogDiff

MySQL (`pipelines/mysql_estate/catalog.yml`), from the source's `information_schema`:
- a schema matching `discover` that the catalog lacks is added with all its tables, and a table
  a catalogued schema gained is added, each with the inferred strategy
  (`luckin.core.catalog.infer_entry`: merge on the key with the `update_time` cursor, append for
  insert-only logs with an integer key, replace for dictionaries and tables without a time column);
- a catalogued table (or schema) the source no longer has is marked `vanished: <date>` (the
  extract then skips it; its landed rows stay); one that comes back loses the mark;
- a primary key the source changed is updated;
- everything else is kept as written: strategies chosen by hand, `soft_delete`,
  `unsigned_as_decimal`, `chunk_column`, descriptions.

Redis (`pipelines/redis_estate/catalog.yml`), from a SCAN sample (`SCAN ... COUNT 1000`, at most
`sample` keys, never KEYS) and one pipelined TYPE per batch: a key of a catalogued instance that
matches no pattern proposes a pattern (segments holding a digit, or longer than 16 characters,
become `{id}` placeholders), a key under an unknown `<instance>:` prefix proposes an instance.
Existing instances and patterns are kept. Proposed patterns are not `sensitive`: the snapshot
never reads their values either (only counts and sizes), but review them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from luckin.core.catalog import infer_entry, load_catalog, load_redis_catalog
from luckin.core.catalog.mysql import CATALOG_PATH, parse_catalog
from luckin.core.catalog.redis import CATALOG_PATH as REDIS_CATALOG_PATH
from luckin.core.catalog.redis import parse_catalog as parse_redis_catalog
from luckin.core.settings import Settings
from pipelines.mysql_estate.estate import connect_estate

MYSQL_HEADER = """\
# The extract catalog: every MySQL schema and table `luckin extract` loads, and how.
# Column names and types are read from the source at run time; this file says only what the
# source cannot: the strategy, the primary key, the cursor and the soft-delete flag.
# Adding a table or a whole schema = one entry here (see pipelines/README.md); tables and schemas
# the source has beyond it load anyway with an inferred strategy, and `luckin catalog` writes them here.
#
#   merge    upsert on primary_key; reads rows with cursor >= last value seen (mutable tables)
#   append   appends rows with cursor > last value seen (append-only logs and events)
#   replace  reads and replaces the whole table every run (small dictionaries)
#
# Refreshed from the source by `luckin catalog`, which keeps what is written here by hand.
"""

REDIS_HEADER = """\
# The Redis catalog: every instance `luckin extract` snapshots, its key patterns, and how to read them.
# layout namespaced: the instances share one server and each owns the key prefix "<instance>:";
# "<instance>:__server__" holds the INFO figures a prefix cannot measure (maxmemory, evictions...).
#   pattern    key after the prefix; {placeholder} = one ':'-free segment (SCAN glob: *)
#   type       string | hash | list | set | zset | stream (checked against TYPE)
#   sensitive  counted only (TYPE, TTL, MEMORY USAGE): no value is ever read
#   parse      parser producing typed rows (pipelines/redis_estate/parsers.py PARSERS)
# Keys matching no pattern are counted per instance as '<unknown>' and reported.
# `luckin catalog` proposes patterns for new key shapes from a SCAN sample and keeps the rest.
"""

TABLE_KEYS = ("strategy", "primary_key", "cursor", "soft_delete", "chunk_column", "unsigned_as_decimal",
              "vanished", "description")


@dataclass
class CatalogChange:
    source: str  # mysql | redis
    kind: str  # added | vanished | returned | changed | proposed
    name: str  # schema, schema.table, instance, instance pattern
    detail: str = ""

    def line(self) -> str:
        mark = {"added": "+", "proposed": "+", "vanished": "-", "returned": "+", "changed": "~"}[self.kind]
        return f"{mark} {self.source:<5} {self.kind:<8} {self.name}" + (f"  ({self.detail})" if self.detail else "")


@dataclass
class CatalogDiff:
    changes: list[CatalogChange] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def render(self) -> str:
        if not self.changes:
            return "catalogs are up to date with the sources"
        lines = [c.line() for c in self.changes]
        lines.append(f"{len(self.changes)} changes" + (f"; written to {', '.join(str(p) for p in self.written)}"
                                                      if self.written else " (not written)"))
        return "\n".join(lines)


def refresh_catalog(settings: Settings, write: bool = True, *, mysql_path: Path = CATALOG_PATH,
                    redis_path: Path = REDIS_CATALOG_PATH, sample: int = 100_000) -> CatalogDiff:
    """Refresh both catalogs from the sources (see the module docstring); returns the diff and,
    with `write`, rewrites the files that changed."""
    diff = CatalogDiff()
    mysql_doc, mysql_changes = _refresh_mysql(settings, Path(mysql_path))
    redis_doc, redis_changes = _refresh_redis(settings, Path(redis_path), sample)
    diff.changes = mysql_changes + redis_changes
    if write:
        if mysql_changes:
            parse_catalog(mysql_doc)  # what is written must load
            Path(mysql_path).write_text(render_mysql(mysql_doc), encoding="utf-8")
            diff.written.append(Path(mysql_path))
            load_catalog.cache_clear()
        if redis_changes:
            parse_redis_catalog(redis_doc)
            Path(redis_path).write_text(render_redis(redis_doc), encoding="utf-8")
            diff.written.append(Path(redis_path))
            load_redis_catalog.cache_clear()
    return diff


# --------------------------------------------------------------------------- MySQL
def _entry_doc(table) -> dict:
    e = infer_entry(table)
    out: dict = {"strategy": e.strategy}
    if e.primary_key:
        out["primary_key"] = e.primary_key[0] if len(e.primary_key) == 1 else list(e.primary_key)
    if e.cursor:
        out["cursor"] = e.cursor
    if e.soft_delete:
        out["soft_delete"] = e.soft_delete
    return out


def _refresh_mysql(settings: Settings, path: Path) -> tuple[dict, list[CatalogChange]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    catalog = parse_catalog(doc, path)
    estate = connect_estate(settings.mysql)
    estate.check()
    present = estate.schemas_present()
    wanted = [*catalog.schemas, *sorted(s for s in present if s not in catalog.schemas and catalog.is_estate_schema(s))]
    reflected = estate.reflect([s for s in wanted if s in present])
    today = date.today().isoformat()
    changes: list[CatalogChange] = []
    schemas = doc.setdefault("schemas", {})
    for sname in wanted:
        body = schemas.get(sname)
        if sname not in present:
            if body is not None and not body.get("vanished"):
                body["vanished"] = today
                changes.append(CatalogChange("mysql", "vanished", sname, "schema not in the source"))
            continue
        source = reflected.get(sname, {})
        if body is None:
            body = schemas[sname] = {"tables": {t: _entry_doc(source[t]) for t in source}}
            changes.append(CatalogChange("mysql", "added", sname, f"new schema, {len(source)} tables"))
            for t in source:
                changes.append(CatalogChange("mysql", "added", f"{sname}.{t}", infer_entry(source[t]).describe()))
            continue
        if body.get("vanished"):
            del body["vanished"]
            changes.append(CatalogChange("mysql", "returned", sname, "schema back in the source"))
        tables = body.get("tables") or {}
        body["tables"] = tables
        for tname, tbody in tables.items():
            if tname not in source:
                if not tbody.get("vanished"):
                    tbody["vanished"] = today
                    changes.append(CatalogChange("mysql", "vanished", f"{sname}.{tname}", "not in the source"))
                continue
            if tbody.get("vanished"):
                del tbody["vanished"]
                changes.append(CatalogChange("mysql", "returned", f"{sname}.{tname}", "back in the source"))
            pk = list(source[tname].primary_key)
            mine = tbody.get("primary_key")
            mine = [mine] if isinstance(mine, str) else list(mine or [])
            if pk and pk != mine:
                tbody["primary_key"] = pk[0] if len(pk) == 1 else pk
                changes.append(CatalogChange("mysql", "changed", f"{sname}.{tname}",
                                             f"primary key {', '.join(mine) or '-'} -> {', '.join(pk)}"))
        for tname in source:
            if tname not in tables:
                tables[tname] = _entry_doc(source[tname])
                changes.append(CatalogChange("mysql", "added", f"{sname}.{tname}",
                                             infer_entry(source[tname]).describe()))
    return doc, changes


def _scalar(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):  # e.g. a table's `columns:` descriptions
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if (text == "" or re.search(r"^[-?:,\[\]{}#&*!|>'\"%@`\s]|: | #|[{}\[\],'\"]|\s$", text)
            or text.lower() in ("true", "false", "null", "yes", "no", "on", "off")):
        return _quoted(text)
    return text


def _quoted(value) -> str:
    """A double-quoted YAML scalar (JSON's escaping, which YAML reads)."""
    return json.dumps(str(value), ensure_ascii=False)


def _flow(body: dict, keys: tuple[str, ...]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(body[k])}" for k in keys if body.get(k) not in (None, "", [], ())) + "}"


def render_mysql(doc: dict) -> str:
    """The MySQL catalog as written by hand: one flow mapping per table."""
    lines = [MYSQL_HEADER, f"discover: {_scalar(list(doc.get('discover') or ['luckyus_*', 'fi_*']))}", "", "schemas:"]
    for sname, body in (doc.get("schemas") or {}).items():
        body = body or {}
        lines.append(f"  {sname}:")
        # every schema-level key written by hand is kept (description, empty_by_design, ...)
        for key in ("description", *sorted(set(body) - {"description", "tables"})):
            if body.get(key):
                lines.append(f"    {key}: {_quoted(body[key])}")
        tables = body.get("tables") or {}
        if not tables:
            lines.append("    tables: {}")
            continue
        lines.append("    tables:")
        for tname, tbody in tables.items():
            extra = sorted(set(tbody) - set(TABLE_KEYS))
            lines.append(f"      {tname}: {_flow(tbody, TABLE_KEYS + tuple(extra))}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Redis
def shape_pattern(rest: str) -> str:
    """A pattern for a key (after its instance prefix): variable segments become placeholders."""
    out, n = [], 0
    for seg in rest.split(":"):
        if re.search(r"\d", seg) or len(seg) > 16:
            n += 1
            out.append("{id}" if n == 1 else f"{{id_{n}}}")
        else:
            out.append(seg)
    return ":".join(out)


def _refresh_redis(settings: Settings, path: Path, sample: int) -> tuple[dict, list[CatalogChange]]:
    from pipelines.redis_estate import redis_connection
    from pipelines.redis_estate.helpers import Matcher

    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    catalog = parse_redis_catalog(doc, path)
    conn = redis_connection(settings.redis)
    conn.check()
    changes: list[CatalogChange] = []
    proposed: dict[tuple[str, str], str] = {}  # (instance, pattern) -> type
    try:
        client = conn.client()
        matchers = {name: Matcher(inst.patterns) for name, inst in catalog.instances.items() if not inst.url}
        seen, cursor = 0, 0
        while True:
            cursor, keys = client.scan(cursor=cursor, match="*", count=1000)
            keys = [k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k) for k in keys]
            candidates = []
            for key in keys:
                if catalog.ignored(key):
                    continue
                name, sep, rest = key.partition(":")
                if not sep or rest == catalog.server_key:
                    continue
                if name in matchers:
                    if matchers[name].match(rest)[0] is None:
                        candidates.append((key, name, shape_pattern(rest)))
                elif name not in catalog.instances and not re.search(r"\d", name):
                    candidates.append((key, name, shape_pattern(rest)))
            fresh = [c for c in candidates if (c[1], c[2]) not in proposed]
            if fresh:
                pipe = client.pipeline(transaction=False)
                for key, _, _ in fresh:
                    pipe.type(key)
                for (key, name, pattern), t in zip(fresh, pipe.execute(raise_on_error=False)):
                    t = t.decode() if isinstance(t, bytes) else str(t)
                    if t != "none":
                        proposed.setdefault((name, pattern), t)
            seen += len(keys)
            if cursor == 0 or seen >= sample:
                break
    finally:
        conn.close()
    instances = doc.setdefault("instances", {})
    for (name, pattern), t in sorted(proposed.items()):
        body = instances.get(name)
        if body is None:
            body = instances[name] = {"description": "", "patterns": []}
            changes.append(CatalogChange("redis", "added", name, "new instance prefix"))
        body.setdefault("patterns", []).append({"pattern": pattern, "type": t})
        changes.append(CatalogChange("redis", "proposed", f"{name} {pattern}",
                                     f"{t}; not sensitive: review, mark `sensitive: true` if its values are secrets"))
    return doc, changes


def render_redis(doc: dict) -> str:
    lines = [REDIS_HEADER, f"layout: {doc.get('layout', 'namespaced')}",
             f"server_key: {doc.get('server_key', '__server__')}",
             f"ignore: [{', '.join(_quoted(g) for g in doc.get('ignore') or [])}]",
             "", "instances:"]
    for name, body in (doc.get("instances") or {}).items():
        body = body or {}
        lines.append(f"  {name}:")
        if body.get("url"):
            lines.append(f"    url: {body['url']}")
        lines.append(f"    description: {_quoted(body.get('description') or '')}")
        lines.append("    patterns:")
        for p in body.get("patterns") or []:
            bits = [f"pattern: {_quoted(p['pattern'])}", f"type: {p['type']}"]
            if p.get("sensitive"):
                bits.append("sensitive: true")
            if p.get("parse"):
                bits.append(f"parse: {p['parse']}")
            lines.append("      - {" + ", ".join(bits) + "}")
    return "\n".join(lines) + "\n"


__all__ = ["CatalogChange", "CatalogDiff", "refresh_catalog", "render_mysql", "render_redis", "shape_pattern"]
