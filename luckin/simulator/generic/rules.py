"""What a table's declaration decides for the generic generator: each column's kind, whether the
table is reference data, how many rows it gets, which hints are valid, the simulated window and
the entity id ranges that ``*_id`` columns point into."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from luckin.simulator import world
from luckin.simulator.spec import Column, Table

WINDOW_START = np.datetime64(world.POPUP_START, "s")
WINDOW_END = np.datetime64(world.BASE_AS_OF, "s") + np.timedelta64(86_399, "s")
OPENING = np.datetime64(world.FIRST_OPENING, "s")  # first two stores open; business rows start here
_BUSINESS_S = int((WINDOW_END - OPENING) // np.timedelta64(1, "s"))
_DAY_S = 86_400
_HOUR_S = 3_600

# entity -> (ids 1..N at scale 1, whether N scales)
ENTITY_ROWS: dict[str, tuple[int, bool]] = {
    "user": (world.SEED.registered_users, True),
    "order": (world.SEED.completed_orders, True),  # every id below exists whatever else was cancelled
    "shop": (world.SEED.active_stores, False),
    "store": (world.SEED.active_stores, False),
    "device": (world.SEED.iot_devices, False),
    "product": (len(world.PRODUCTS), False),
}

REFERENCE_WORDS = frozenset(
    {"dict", "config", "type", "template", "category", "rule", "role", "permission",
     "definition", "setting", "plan"}
)
REFERENCE_MAX_ROWS = 100
DEFAULT_NULL_RATE = 0.05
HINT_KEYS = frozenset({"choice", "range", "ref", "json", "after", "hours", "days", "expr", "null_rate"})

_UNBOUNDED = None  # marker: a column whose value space is not enumerable (free text, decimals)


# --------------------------------------------------------------------------- public helpers
def column_kind(col: Column) -> str:
    """int | flag | decimal | float | string | json | date | datetime."""
    base = col.base_type
    if col.is_flag or base in ("BOOL", "BOOLEAN"):
        return "flag"
    if base in ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT"):
        return "int"
    if base in ("DECIMAL", "NUMERIC"):
        return "decimal"
    if base in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    if base in ("CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT"):
        return "string"
    if base == "JSON":
        return "json"
    if base == "DATE":
        return "date"
    if base in ("DATETIME", "TIMESTAMP"):
        return "datetime"
    # Bad input, not a stub: an estate YAML column of a type this generator cannot fill must
    # stop the simulation with its name rather than produce wrong values.
    raise ValueError(f"column {col.name!r}: type {base} is not supported by the generic generator "
                     "(use DATE/DATETIME/JSON/numeric/text types, or a `rows: core` generator)")


def is_reference_table(table: Table) -> bool:
    """Dictionaries and configuration: their row count does not scale (see module docstring)."""
    if table.name.startswith("t_dict_") or table.name.split("_")[-1] in REFERENCE_WORDS:
        return True
    return isinstance(table.rows, int) and table.rows <= REFERENCE_MAX_ROWS


def row_count(table: Table, scale: float) -> int:
    """Rows generated for ``table`` at ``scale`` (before any unique-key cap)."""
    if isinstance(table.rows, bool) or not isinstance(table.rows, int):
        raise ValueError(f"{table.qualified}: rows is {table.rows!r}; the generic generator needs a number")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if table.rows <= 0:
        return 0
    if is_reference_table(table):
        return table.rows
    return max(1, int(round(table.rows * scale)))


def validate_hints(table: Table) -> None:
    """Raise ValueError on a hint naming an unknown column or using an unknown key."""
    names = set(table.column_names)
    for col, hint in table.hints.items():
        where = f"{table.qualified} hint {col!r}"
        if col not in names:
            raise ValueError(f"{where}: no such column")
        if not isinstance(hint, dict) or not hint:
            raise ValueError(f"{where}: must be a non-empty mapping")
        unknown = set(hint) - HINT_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if "choice" in hint and (not isinstance(hint["choice"], list) or not hint["choice"]):
            raise ValueError(f"{where}: choice must be a non-empty list")
        if "range" in hint and (not isinstance(hint["range"], list) or len(hint["range"]) != 2):
            raise ValueError(f"{where}: range must be [lo, hi]")
        for key in ("hours", "days"):
            if key in hint and (not isinstance(hint[key], list) or len(hint[key]) != 2):
                raise ValueError(f"{where}: {key} must be [lo, hi]")
            if key in hint and "after" not in hint:
                raise ValueError(f"{where}: {key} needs after")
        if "after" in hint and hint["after"] not in names:
            raise ValueError(f"{where}: after names no column")
        if "null_rate" in hint and not table.column(col).nullable:
            raise ValueError(f"{where}: null_rate on a NOT NULL column")
        if "expr" in hint:
            for ident in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(hint["expr"])):
                if ident not in names:
                    raise ValueError(f"{where}: expr uses unknown column {ident!r}")


# --------------------------------------------------------------------------- internals
def _digest(*parts: str) -> int:
    h = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def _words(name: str) -> set[str]:
    return set(name.lower().split("_"))


def _comment(col: Column) -> str:
    m = re.search(r"COMMENT\s+'((?:[^']|'')*)'", col.definition, re.IGNORECASE)
    return m.group(1).replace("''", "'") if m else ""


def _comment_codes(col: Column) -> list[int] | None:
    """'1 open, 2 closed' -> [1, 2] (at least two codes, each part starting with one)."""
    codes = []
    for part in _comment(col).split(","):
        m = re.match(r"^\s*(-?\d+)\s+[A-Za-z]", part)
        if m:
            codes.append(int(m.group(1)))
    return codes if len(codes) >= 2 else None


def _int_bounds(col: Column) -> tuple[int, int]:
    bits = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INT": 32, "INTEGER": 32, "BIGINT": 64}[col.base_type]
    if col.unsigned:
        return 0, min(2**bits - 1, 2**63 - 1)
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _decimal_bounds(col: Column) -> tuple[float, float, int]:
    args = col.type_args or (10, 0)
    p, s = (args + (0,))[:2]
    top = 10.0 ** (p - s) - 10.0 ** (-s)
    return (0.0 if col.unsigned else -top), top, s


def _to_dt64(value: Any, end_of_day: bool = False) -> np.datetime64:
    text = str(value)
    dt = np.datetime64(text, "s")
    if end_of_day and len(text) <= 10:
        dt = dt + np.timedelta64(_DAY_S - 1, "s")
    return dt


