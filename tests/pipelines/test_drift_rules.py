"""The drift rules on the landing types: which source type changes a landed column takes as it
is, which it takes after an ALTER, and which it refuses (DuckDB and Postgres spellings)."""

from __future__ import annotations

import pytest

from luckin.core.contract import SourceColumn, SourceTable
from pipelines.drift import canonical_warehouse_type, compare


def _table(column_type: str) -> SourceTable:
    base = column_type.split("(")[0].split()[0]
    precision = scale = None
    if base == "decimal":
        precision, scale = (int(x) for x in column_type[column_type.index("(") + 1:-1].split(","))
    return SourceTable("s", "t", (SourceColumn("id", "bigint", "bigint(20)", False),
                                  SourceColumn("c", base, column_type, True, precision, scale)), ("id",))


LANDED = {  # what the first load of each source type left, as DuckDB / Postgres report it
    "int(11)": (("INTEGER", 32, 0), ("integer", 32, 0)),
    "varchar(32)": (("VARCHAR", None, None), ("character varying", None, None)),
    "decimal(10,2)": (("DECIMAL(10,2)", 10, 2), ("numeric", 10, 2)),
    "datetime": (("TIMESTAMP WITH TIME ZONE", None, None), ("timestamp with time zone", None, None)),
    "bigint(20)": (("BIGINT", 64, 0), ("bigint", 64, 0)),
}


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
@pytest.mark.parametrize("before, after, outcome", [
    ("int(11)", "bigint(20)", "alter"),
    ("decimal(10,2)", "decimal(12,2)", "alter"),
    ("decimal(10,2)", "decimal(12,4)", "alter"),
    ("varchar(32)", "varchar(64)", "same"),
    ("bigint(20)", "int(11)", "same"),
    ("varchar(32)", "int(11)", "refuse"),
    ("decimal(10,2)", "decimal(10,1)", "refuse"),
    ("decimal(10,2)", "decimal(10,3)", "refuse"),  # integer digits shrink
    ("datetime", "varchar(32)", "refuse"),
    ("int(11)", "varchar(32)", "refuse"),
])
def test_type_changes(kind, before, after, outcome):
    landed = {"id": canonical_warehouse_type("BIGINT", 64, 0), "_luckin_deleted_at": ("timestamptz",),
              "c": canonical_warehouse_type(*LANDED[before][kind == "postgres"])}
    drift = compare(_table(after), landed, kind)
    if outcome == "refuse":
        assert drift.incompatible and drift.incompatible.startswith("s.t.c: type changed")
        assert "\n" not in drift.incompatible
    elif outcome == "alter":
        assert not drift.incompatible and any("ALTER COLUMN \"c\"" in s for s in drift.statements)
    else:
        assert not drift.incompatible and not drift.statements and not drift.notes


def test_new_and_dropped_columns_and_the_deletion_column():
    landed = {"id": ("int", 64), "gone": ("text",)}
    drift = compare(_table("int(11)"), landed, "duckdb")
    assert drift.new_columns == {"c"}
    assert any("gone dropped" in n for n in drift.notes)
    assert any('ADD COLUMN "_luckin_deleted_at"' in s for s in drift.statements)
