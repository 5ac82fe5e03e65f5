"""Schema drift: the source's columns against what landed, handled the way managed connectors do.

Compared before each schema's load (the source's `information_schema` against the warehouse's):

| change in the source | what the warehouse gets |
|---|---|
| new column | added (always nullable) and filled from this run on; merge tables: rows landed before keep NULL until they change |
| dropped column | kept; NULL for rows landed from now on |
| widened type: INT -> BIGINT, DECIMAL(10,2) -> (12,2), SMALLINT -> DECIMAL(10,0)... | `ALTER ... TYPE` on the landed table (and dlt's staging copy) |
| VARCHAR(32) -> VARCHAR(64) | nothing: text lands unbounded |
| narrowed type the landed column still holds (BIGINT -> INT) | nothing: the landed column stays wider |
| anything else (VARCHAR -> INT, DATETIME -> VARCHAR, a DECIMAL scale that shrinks...) | the table fails with one line naming schema.table.column; the rest of the estate loads |

Every landed table also gets `_luckin_deleted_at` here when it lacks it (tables landed before
deletes were tracked), so that staging can filter every raw table the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from luckin.core.contract import DELETED_AT, LOADER_COLUMNS, SourceTable, landing_type
from luckin.core.sessions import quote_ident

Canon = tuple  # ("int", 32) | ("decimal", 12, 2) | ("text",) | ("timestamptz",) ...

_INT_DIGITS = {8: 3, 16: 5, 32: 10, 64: 19, 128: 39}


@dataclass
class Drift:
    """What one table's landed copy needs before this run's load."""
    notes: list[str] = field(default_factory=list)  # for the summary
    statements: list[str] = field(default_factory=list)  # ALTERs, run in order
    new_columns: set[str] = field(default_factory=set)  # land nullable
    incompatible: str | None = None  # one line naming schema.table.column


def canonical_warehouse_type(data_type: str, precision, scale) -> Canon:
    """A landed column's type (information_schema, DuckDB or Postgres spelling) in one vocabulary."""
    t = (data_type or "").strip().upper()
    if t.startswith("DECIMAL") or t.startswith("NUMERIC"):
        return ("decimal", int(precision or 38), int(scale or 0))
    ints = {"TINYINT": 8, "SMALLINT": 16, "INTEGER": 32, "INT": 32, "BIGINT": 64, "HUGEINT": 128}
    if t in ints:
        return ("int", ints[t])
    if t in ("VARCHAR", "CHARACTER VARYING", "TEXT", "CHARACTER", "CHAR"):
        return ("text",)
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return ("timestamptz",)
    if t in ("JSON", "JSONB"):
        return ("json",)
    if t in ("DOUBLE", "DOUBLE PRECISION", "FLOAT", "REAL", "FLOAT8"):
        return ("double",)
    if t in ("BLOB", "BYTEA"):
        return ("binary",)
    return (t.lower(),)


def canonical_landing_type(hint: dict) -> Canon:
    """The type a source column lands as (the contract's dlt hint) in the same vocabulary."""
    t = hint["data_type"]
    if t == "bigint":
        return ("int", int(hint.get("precision") or 64))
    if t == "decimal":
        return ("decimal", int(hint["precision"]), int(hint["scale"]))
    if t == "timestamp":
        return ("timestamptz",)
    return {"text": ("text",), "bool": ("boolean",), "date": ("date",), "json": ("json",),
            "double": ("double",), "binary": ("binary",)}.get(t, (t,))


def describe(c: Canon) -> str:
    if c[0] == "int":
        return {8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT", 128: "HUGEINT"}[c[1]]
    if c[0] == "decimal":
        return f"DECIMAL({c[1]},{c[2]})"
    return c[0].upper()


def holds(landed: Canon, new: Canon) -> bool:
    """Whether a landed column of type `landed` holds every value of type `new` as it is."""
    if landed == new:
        return True
    if landed[0] == "int" and new[0] == "int":
        return new[1] <= landed[1]
    return False


def widens(landed: Canon, new: Canon) -> bool:
    """Whether changing the landed column to `new` keeps every landed value exactly."""
    if landed[0] == "int" and new[0] == "int":
        return new[1] >= landed[1]
    if landed[0] == "int" and new[0] == "decimal":
        return new[1] - new[2] >= _INT_DIGITS[landed[1]]
    if landed[0] == "decimal" and new[0] == "decimal":
        return new[2] >= landed[2] and new[1] - new[2] >= landed[1] - landed[2]
    if landed[0] == "int" and new[0] == "double":
        return landed[1] <= 32
    return False


def sql_type(c: Canon, kind: str) -> str:
    if c[0] == "int":
        return {16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}[c[1]] if kind == "duckdb" else \
            {16: "smallint", 32: "integer", 64: "bigint"}[c[1]]
    if c[0] == "decimal":
        return f"DECIMAL({c[1]},{c[2]})" if kind == "duckdb" else f"numeric({c[1]},{c[2]})"
    if c[0] == "double":
        return "DOUBLE" if kind == "duckdb" else "double precision"
    raise ValueError(c)



def compare(table: SourceTable, landed: dict[str, Canon], kind: str, unsigned_as_decimal: tuple[str, ...] = (),
            staging: dict[str, Canon] | None = None) -> Drift:
    """What the landed copy of `table` needs (`landed`: column -> type; `staging`: dlt's staging
    copy of the table, if there is one). An empty `landed` (not landed yet) needs nothing."""
    drift = Drift()
    if not landed:
        return drift
    where = f"{table.schema}.{table.name}"
    copy_staging = False
    for col in table.columns:
        new = canonical_landing_type(landing_type(col, col.name in unsigned_as_decimal).hint)
        old = landed.get(col.name)
        if old is None:
            drift.new_columns.add(col.name)
            drift.notes.append(f"new column {col.name} {describe(new)}")
            continue
        if holds(old, new):
            continue
        if widens(old, new):
            drift.notes.append(f"widened {col.name}: {describe(old)} -> {describe(new)}")
            for schema, columns in ((table.schema, landed), (f"{table.schema}_staging", staging or {})):
                if col.name in columns:
                    alter = "SET DATA TYPE" if kind == "duckdb" else "TYPE"
                    drift.statements.append(f"ALTER TABLE {quote_ident(schema)}.{quote_ident(table.name)} ALTER COLUMN"
                                            f" {quote_ident(col.name)} {alter} {sql_type(new, kind)}")
            if not staging and not copy_staging:
                copy_staging = True
            continue
        drift.incompatible = (f"{where}.{col.name}: type changed in the source to {col.column_type.upper()}"
                              f" ({describe(new)}), which the landed {describe(old)} column cannot hold")
        return drift
    source_names = set(table.column_names)
    for name in landed:
        if name not in source_names and name not in LOADER_COLUMNS:
            drift.notes.append(f"column {name} dropped in the source: kept, NULL from now on")
    if copy_staging:
        # dlt creates its staging copy (merge loads) from its own schema, which keeps the old
        # types: a copy of the altered table stands in for it
        staging_schema = quote_ident(f"{table.schema}_staging")
        drift.statements.append(f"CREATE SCHEMA IF NOT EXISTS {staging_schema}")
        drift.statements.append(f"CREATE TABLE {staging_schema}.{quote_ident(table.name)} AS SELECT * FROM"
                                f" {quote_ident(table.schema)}.{quote_ident(table.name)} WHERE 1 = 0")
    if DELETED_AT not in landed:
        kind_type = "TIMESTAMP WITH TIME ZONE" if kind == "duckdb" else "timestamptz"
        drift.statements.append(f"ALTER TABLE {quote_ident(table.schema)}.{quote_ident(table.name)} ADD COLUMN {quote_ident(DELETED_AT)}"
                                f" {kind_type}")
    return drift


__all__ = ["Drift", "canonical_landing_type", "canonical_warehouse_type", "compare", "holds", "widens"]
