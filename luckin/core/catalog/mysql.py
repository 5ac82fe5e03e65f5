"""The extract catalog: which schemas and tables are loaded, and how.

`catalog.yml` beside this module is the extractor's own contract with the source (a real estate
has no simulator YAML). Column names and types are *not* in the catalog: they are read from the
source at every run, so a new column arrives without a catalog change. What the catalog says is
what the source cannot tell us: the load strategy, the cursor, and the soft-delete flag.

    schemas:
      luckyus_sales_order:
        tables:
          t_order: {strategy: merge, primary_key: id, cursor: update_time, soft_delete: is_deleted}
          t_order_status_log: {strategy: append, primary_key: id, cursor: id}
          t_dict_order_status: {strategy: replace, primary_key: code}

Optional documentation keys (the source's table and column comments; dbt's sources are generated
from them, `luckin.transform.sources`): a table's ``description``, its ``columns`` (column name ->
description), and ``empty_by_design`` (on a schema or a table: why it holds no rows in
production, so dbt checks no freshness on it).

Strategies:
- ``merge``: upsert on the primary key; each run reads rows whose ``cursor`` (``update_time``) is
  at or after the last value seen. For mutable tables.
- ``append``: each run reads rows whose ``cursor`` (an increasing id) is above the last value
  seen and appends them. For logs and events that are never updated.
- ``replace``: each run reads the whole table and replaces it. For small dictionaries.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from luckin.core import PROJECT_DIR
from luckin.core.errors import ConfigError

CATALOG_PATH = PROJECT_DIR / "pipelines" / "mysql_estate" / "catalog.yml"
# Which source databases count as estate schemas when the catalog names no `discover:` list.
DISCOVER_PATTERNS = ("luckyus_*", "fi_*")

STRATEGIES = ("merge", "append", "replace")


class CatalogError(ConfigError):
    """The catalog file is malformed or contradicts itself."""


@dataclass(frozen=True)
class TableEntry:
    schema: str
    name: str
    strategy: str
    primary_key: tuple[str, ...]
    cursor: str | None = None
    soft_delete: str | None = None
    # Integer column used to split a big table into range reads; defaults to a one-column integer key.
    chunk_column: str | None = None
    # Unsigned BIGINT columns to land as decimal(20,0) instead of bigint (see pipelines/README.md).
    unsigned_as_decimal: tuple[str, ...] = ()
    description: str = ""
    # Set by `luckin catalog` when the source no longer has the table (the date it noticed):
    # the extract then skips it instead of failing; its landed rows stay.
    vanished: str | None = None
    # Not in catalog.yml: found in the source and loaded with the inferred strategy (`infer_entry`).
    discovered: bool = False
    # Column name -> description (the source's column comments), for dbt's source docs.
    columns: dict[str, str] = field(default_factory=dict)
    # Why this table has no rows in production (then dbt checks no freshness on it).
    empty_by_design: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def describe(self) -> str:
        """`merge on id, cursor update_time` (for summaries and diffs)."""
        key = ", ".join(self.primary_key) or "no key"
        text = f"{self.strategy} on {key}" if self.strategy != "replace" or self.primary_key else self.strategy
        return text + (f", cursor {self.cursor}" if self.cursor else "")


@dataclass(frozen=True)
class SchemaEntry:
    name: str
    tables: dict[str, TableEntry]
    description: str = ""
    vanished: str | None = None
    discovered: bool = False
    # Why every table of this schema is empty in production (then dbt checks no freshness on it).
    empty_by_design: str | None = None


@dataclass(frozen=True)
class Catalog:
    schemas: dict[str, SchemaEntry]
    discover: tuple[str, ...] = DISCOVER_PATTERNS
    path: Path | None = field(default=None, compare=False)

    def table(self, schema: str, table: str) -> TableEntry:
        return self.schemas[schema].tables[table]

    def is_estate_schema(self, name: str) -> bool:
        """Whether a source database looks like an estate schema (for reporting uncatalogued ones)."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.discover)

    @property
    def table_count(self) -> int:
        return sum(len(s.tables) for s in self.schemas.values())


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)


def _parse_table(schema: str, name: str, body: dict) -> TableEntry:
    where = f"catalog: {schema}.{name}"
    if not isinstance(body, dict):
        raise CatalogError(f"{where}: expected a mapping, got {body!r}")
    unknown = set(body) - {
        "strategy", "primary_key", "cursor", "soft_delete", "chunk_column", "unsigned_as_decimal",
        "description", "vanished", "columns", "empty_by_design",
    }
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
    strategy = body.get("strategy")
    if strategy not in STRATEGIES:
        raise CatalogError(f"{where}: strategy must be one of {STRATEGIES}, got {strategy!r}")
    primary_key = _as_tuple(body.get("primary_key"))
    cursor = body.get("cursor")
    if strategy in ("merge", "append"):
        if not primary_key:
            raise CatalogError(f"{where}: strategy {strategy} needs a primary_key")
        if not cursor:
            raise CatalogError(f"{where}: strategy {strategy} needs a cursor column")
    if strategy == "replace" and cursor:
        raise CatalogError(f"{where}: strategy replace reads the whole table; remove the cursor")
    return TableEntry(
        schema=schema,
        name=name,
        strategy=strategy,
        primary_key=primary_key,
        cursor=cursor,
        soft_delete=body.get("soft_delete"),
        chunk_column=body.get("chunk_column"),
        unsigned_as_decimal=_as_tuple(body.get("unsigned_as_decimal")),
        description=body.get("description", ""),
        vanished=None if body.get("vanished") in (None, False) else str(body["vanished"]),
        columns=_descriptions(where, body.get("columns")),
        empty_by_design=_reason(where, body.get("empty_by_design")),
    )


def _descriptions(where: str, value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise CatalogError(f"{where}: columns must map column names to descriptions, got {value!r}")
    return {str(k): v for k, v in value.items()}


def _reason(where: str, value) -> str | None:
    if value is None or value is False:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: empty_by_design takes the reason, as text, got {value!r}")
    return value.strip()


def parse_catalog(doc: dict, path: Path | None = None) -> Catalog:
    if not isinstance(doc, dict) or not isinstance(doc.get("schemas"), dict):
        raise CatalogError(f"catalog {path or ''}: top-level 'schemas' mapping is missing")
    schemas: dict[str, SchemaEntry] = {}
    for sname, sbody in doc["schemas"].items():
        sbody = sbody or {}
        tables = {
            tname: _parse_table(sname, tname, tbody)
            for tname, tbody in (sbody.get("tables") or {}).items()
        }
        vanished = sbody.get("vanished")
        schemas[sname] = SchemaEntry(sname, tables, sbody.get("description", ""),
                                     vanished=None if vanished in (None, False) else str(vanished),
                                     empty_by_design=_reason(f"catalog: {sname}", sbody.get("empty_by_design")))
    discover = _as_tuple(doc.get("discover")) or DISCOVER_PATTERNS
    return Catalog(schemas=schemas, discover=discover, path=path)


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    path = Path(path)
    return parse_catalog(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, path)


# --------------------------------------------------------------------------- inferred entries
INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})


def is_dictionary(name: str) -> bool:
    """Code lists: `t_dict_*` and `*_type` tables."""
    return name.startswith("t_dict_") or name.endswith("_type")


def infer_entry(table) -> TableEntry:
    """The strategy a table gets when the catalog does not name it (`table`: a
    `luckin.core.contract.SourceTable`, as reflected from the source). The one home of these rules:

    - code lists (`t_dict_*`, `*_type`), tables without a time column, tables without a
      primary key -> replace (read whole each run; small);
    - a table with `update_time` -> merge on the primary key, cursor `update_time`;
    - else, an insert-only log with a one-column integer key -> append, cursor = that key;
    - anything else -> replace.
    An `is_deleted` column is the soft-delete flag.
    """
    cols = set(table.column_names)
    pk = tuple(table.primary_key)
    one_int_key = len(pk) == 1 and table.column(pk[0]).data_type in INTEGER_TYPES
    strategy, cursor = "replace", None
    if pk and not is_dictionary(table.name) and {"update_time", "create_time"} & cols:
        if "update_time" in cols:
            strategy, cursor = "merge", "update_time"
        elif one_int_key:
            strategy, cursor = "append", pk[0]
    return TableEntry(schema=table.schema, name=table.name, strategy=strategy, primary_key=pk, cursor=cursor,
                      soft_delete="is_deleted" if "is_deleted" in cols else None, discovered=True)


def with_discovered(catalog: Catalog, reflected: dict[str, dict], schemas: list[str]) -> Catalog:
    """The catalog plus what the source has beyond it, with inferred entries: new tables of the
    given schemas, and whole new schemas among them (`reflected`: schema -> table -> SourceTable)."""
    out = dict(catalog.schemas)
    for sname in schemas:
        tables = reflected.get(sname) or {}
        entry = out.get(sname)
        known = entry.tables if entry is not None else {}
        new = {t: infer_entry(tables[t]) for t in tables if t not in known}
        if entry is None:
            out[sname] = SchemaEntry(sname, new, discovered=True)
        elif new:
            out[sname] = replace(entry, tables={**known, **new})
    return Catalog(schemas=out, discover=catalog.discover, path=catalog.path)
