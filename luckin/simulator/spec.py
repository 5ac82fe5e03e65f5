"""The estate definition: every MySQL schema and table the simulator creates.

The YAML files beside this module (``estate/*.yml``) are the single source of truth for table
shapes. This module parses them into small dataclasses and renders DDL for MariaDB/MySQL and
for the embedded SQLite stand-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from luckin.core.contract import mysql_literal

ESTATE_DIR = Path(__file__).parent / "estate"

_TYPE_RE = re.compile(r"^(?P<base>[A-Z]+)(?:\((?P<args>[^)]*)\))?(?P<rest>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    name: str
    definition: str  # the MySQL column definition as written, e.g. "DECIMAL(10,2) NOT NULL"

    @property
    def base_type(self) -> str:
        """Upper-case MySQL type name without arguments: DECIMAL, VARCHAR, TINYINT..."""
        return _TYPE_RE.match(self.definition.strip()).group("base").upper()

    @property
    def type_args(self) -> tuple[int, ...]:
        args = _TYPE_RE.match(self.definition.strip()).group("args")
        return tuple(int(a) for a in args.split(",")) if args else ()

    @property
    def nullable(self) -> bool:
        return "NOT NULL" not in self.definition.upper()

    @property
    def unsigned(self) -> bool:
        return "UNSIGNED" in self.definition.upper()

    @property
    def auto_increment(self) -> bool:
        return "AUTO_INCREMENT" in self.definition.upper()

    @property
    def is_flag(self) -> bool:
        """MySQL's boolean idiom: TINYINT(1)."""
        return self.base_type == "TINYINT" and self.type_args == (1,)

    @property
    def sql_type(self) -> str:
        """The type part of the definition (e.g. "BIGINT UNSIGNED", "DECIMAL(10,2)")."""
        m = _TYPE_RE.match(self.definition.strip())
        text = m.group("base").upper() + (f"({m.group('args')})" if m.group("args") else "")
        return text + (" UNSIGNED" if self.unsigned else "")


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    description: str
    rows: int | str  # "core" (dedicated generator) or a row count at scale 1
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    unique: dict[str, tuple[str, ...]] = field(default_factory=dict)
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hints: dict[str, dict] = field(default_factory=dict)  # per-column value hints (generic generator)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.qualified} has no column {name!r}")

    def mysql_ddl(self, with_secondary_indexes: bool = True) -> str:
        lines = [f"  `{c.name}` {c.definition}" for c in self.columns]
        lines.append("  PRIMARY KEY (" + ", ".join(f"`{k}`" for k in self.primary_key) + ")")
        if with_secondary_indexes:
            lines += [f"  {clause}" for clause in self._index_clauses()]
        return (
            f"CREATE TABLE `{self.name}` (\n" + ",\n".join(lines) + "\n)"
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
            f" COMMENT={mysql_literal(self.description)}"
        )

    def mysql_add_indexes(self) -> str | None:
        """ALTER TABLE adding the secondary indexes (built after a bulk load: much faster)."""
        clauses = self._index_clauses()
        if not clauses:
            return None
        return f"ALTER TABLE `{self.name}` " + ", ".join(f"ADD {c}" for c in clauses)

    def _index_clauses(self) -> list[str]:
        out = []
        for name, cols in self.unique.items():
            out.append(f"UNIQUE KEY `{name}` (" + ", ".join(f"`{c}`" for c in cols) + ")")
        for name, cols in self.indexes.items():
            out.append(f"KEY `{name}` (" + ", ".join(f"`{c}`" for c in cols) + ")")
        return out

    def sqlite_ddl(self) -> list[str]:
        """SQLite keeps the declared MySQL type names (it accepts them and gives them affinity)."""
        cols = []
        for c in self.columns:
            not_null = "" if c.nullable else " NOT NULL"
            cols.append(f'  "{c.name}" {c.sql_type}{not_null}')
        cols.append("  PRIMARY KEY (" + ", ".join(f'"{k}"' for k in self.primary_key) + ")")
        stmts = [f'CREATE TABLE "{self.name}" (\n' + ",\n".join(cols) + "\n)"]
        for name, cols_ in self.unique.items():
            stmts.append(f'CREATE UNIQUE INDEX "{self.name}__{name}" ON "{self.name}" ('
                         + ", ".join(f'"{c}"' for c in cols_) + ")")
        for name, cols_ in self.indexes.items():
            stmts.append(f'CREATE INDEX "{self.name}__{name}" ON "{self.name}" ('
                         + ", ".join(f'"{c}"' for c in cols_) + ")")
        return stmts


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    tables: dict[str, Table]


def _as_tuple(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _parse_schema(name: str, body: dict, source: Path) -> Schema:
    tables = {}
    for tname, t in (body.get("tables") or {}).items():
        where = f"{source.name}: {name}.{tname}"
        if "primary_key" not in t:
            raise ValueError(f"{where} has no primary_key")
        if "rows" not in t:
            raise ValueError(f"{where} has no rows (a count at scale 1, 0, or 'core')")
        columns = tuple(Column(c, str(d)) for c, d in t["columns"].items())
        names = {c.name for c in columns}
        for key in _as_tuple(t["primary_key"]):
            if key not in names:
                raise ValueError(f"{where}: primary key column {key!r} is not a column")
        tables[tname] = Table(
            schema=name,
            name=tname,
            description=t.get("description", ""),
            rows=t["rows"],
            columns=columns,
            primary_key=_as_tuple(t["primary_key"]),
            unique={k: _as_tuple(v) for k, v in (t.get("unique") or {}).items()},
            indexes={k: _as_tuple(v) for k, v in (t.get("indexes") or {}).items()},
            hints=t.get("hints") or {},
        )
    return Schema(name=name, description=body.get("description", ""), tables=tables)


@cache
def load_estate(directory: Path = ESTATE_DIR) -> dict[str, Schema]:
    """All MySQL schemas of the estate, keyed by name, in file then declaration order."""
    schemas: dict[str, Schema] = {}
    for path in sorted(directory.glob("mysql_*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, body in (doc.get("schemas") or {}).items():
            if name in schemas:
                raise ValueError(f"schema {name!r} is defined twice (second time in {path.name})")
            schemas[name] = _parse_schema(name, body, path)
    return schemas
