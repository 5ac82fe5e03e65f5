"""The 47 minor schemas (estate/mysql_minor.yml) and the generic generator that fills them.

The last test creates every minor table in a throwaway MariaDB database (``luckin_test_generic``,
never an estate schema) in strict mode and inserts generated rows, then drops the database.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pymysql
import pytest
import yaml

from luckin.simulator import generic as g
from luckin.simulator.spec import ESTATE_DIR, load_estate

MINOR_FILE = ESTATE_DIR / "mysql_minor.yml"
NAME_RE = re.compile(r"^(luckyus_[a-z]+_[a-z_]+|fi_[a-z_]+)$")
SPEC_FIXED_ONE_WORD = {"luckyus_member"}  # named by estate.md; one word after luckyus_

ESTATE = load_estate()
MINOR = list(yaml.safe_load(MINOR_FILE.read_text(encoding="utf-8"))["schemas"])
MINOR_TABLES = [t for s in MINOR for t in ESTATE[s].tables.values()]
ALL_TABLES = [t for s in ESTATE.values() for t in s.tables.values()]
SCALE = 0.1
SEED = 11



def _fill(table, scale=SCALE, seed=SEED, rows_if_empty=40):
    """Generate a frame; an always-empty table is given rows so its values are checked too."""
    if table.rows == 0:
        table = dataclasses.replace(table, rows=rows_if_empty)
    return table, g.generate_generic(table, scale, seed)


def _checksum(df: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(df, index=False).sum())


# --------------------------------------------------------------------------- the estate definition
def test_estate_has_62_schemas_47_of_them_minor():
    assert len(ESTATE) == 62
    assert len(MINOR) == 47
    assert len(set(MINOR) & {"fi_tax", "fi_settlement", "luckyus_member"}) == 0


def test_schema_names_follow_the_pattern():
    assert all(NAME_RE.match(s) for s in MINOR), [s for s in MINOR if not NAME_RE.match(s)]
    odd = {s for s in ESTATE if not NAME_RE.match(s)}
    assert odd <= SPEC_FIXED_ONE_WORD, odd


def test_every_unique_key_index_and_hint_names_columns_of_its_table():
    """What load_estate() does not check itself (it refuses a missing primary key on load):
    unique keys, indexes and generator hints name columns of their table. One message lists
    every bad table."""
    bad = []
    for table in ALL_TABLES:
        names = set(table.column_names)
        for name, cols in list(table.unique.items()) + list(table.indexes.items()):
            if not set(cols) <= names:
                bad.append(f"{table.qualified}: key {name} names {sorted(set(cols) - names)}")
        try:
            g.validate_hints(table)
        except ValueError as exc:
            bad.append(str(exc))
    assert bad == []


@pytest.mark.parametrize(("table_yaml", "message"), [
    ("t_x: {rows: 1, columns: {id: INT NOT NULL}}", "has no primary_key"),
    ("t_x: {rows: 1, primary_key: uid, columns: {id: INT NOT NULL}}", "primary key column 'uid' is not a column"),
])
def test_load_estate_refuses_a_table_without_a_usable_primary_key(tmp_path, table_yaml, message):
    (tmp_path / "mysql_probe.yml").write_text(f"schemas:\n  luckyus_probe_x:\n    tables:\n      {table_yaml}\n")
    with pytest.raises(ValueError, match=message):
        load_estate.__wrapped__(tmp_path)


def test_minor_schemas_look_like_microservices():
    for s in MINOR:
        schema = ESTATE[s]
        assert schema.description, s
        assert 1 <= len(schema.tables) <= 6, s
        for t in schema.tables.values():
            assert t.description, t.qualified
            assert isinstance(t.rows, int) and not isinstance(t.rows, bool) and t.rows >= 0, t.qualified
            kinds = {c.name: g.column_kind(c) for c in t.columns}  # every type is supported
            assert "create_time" in kinds or "update_time" in kinds, t.qualified
            if "update_time" in kinds:  # the incremental cursor is indexed
                assert any(cols[0] == "update_time" for cols in t.indexes.values()), t.qualified
            if "is_deleted" in kinds:  # a soft delete is an update
                assert "update_time" in kinds and t.column("is_deleted").is_flag, t.qualified


def test_minor_row_budget_and_empty_schemas():
    rows = {t.qualified: t.rows for t in MINOR_TABLES}
    assert sum(rows.values()) < 400_000
    assert max(rows.values()) <= 50_000
    empty = [s for s in MINOR if all(t.rows == 0 for t in ESTATE[s].tables.values())]
    assert 8 <= len(empty) <= 10, empty
    text = MINOR_FILE.read_text(encoding="utf-8").splitlines()
    for s in empty:  # each always-empty schema says why, in a comment right above it
        i = text.index(f"  {s}:")
        assert text[i - 1].lstrip().startswith("#"), s


# --------------------------------------------------------------------------- row counts
def test_row_count_rule():
    by_name = {t.name: t for t in MINOR_TABLES}
    dict_table = ESTATE["luckyus_base_dict"].tables["t_dict_item"]
    assert g.is_reference_table(dict_table) and g.row_count(dict_table, 0.01) == dict_table.rows
    rule = by_name["t_risk_rule"]
    assert g.is_reference_table(rule) and g.row_count(rule, 0.01) == rule.rows
    log = by_name["t_api_access_log"]
    assert not g.is_reference_table(log)
    assert g.row_count(log, 0.01) == round(log.rows * 0.01)
    assert g.row_count(by_name["t_push_task"], 0.001) == 1  # at least one row when rows > 0
    assert g.row_count(by_name["t_gift_card"], 5) == 0
    with pytest.raises(ValueError):
        g.row_count(ESTATE["luckyus_sales_order"].tables["t_order"], 1)


# --------------------------------------------------------------------------- generated frames
def _frame_problems(table, df: pd.DataFrame) -> list[str]:
    """Everything wrong with a generated frame for its table (empty: the frame respects the table)."""
    out = []

    def check(ok, what):
        if not ok:
            out.append(f"{table.qualified}: {what}")

    n = g.row_count(table, SCALE)
    check(list(df.columns) == table.column_names, "columns differ from the table's")
    check(1 <= len(df) <= n, f"{len(df)} rows, expected 1..{n}")
    for c in table.columns:
        if c.name not in df:
            continue
        s = df[c.name]
        kind = g.column_kind(c)
        nulls = s.isna()
        if not c.nullable:
            check(not nulls.any(), f"NULL in NOT NULL {c.name}")
        elif "null_rate" not in table.hints.get(c.name, {}) and len(df) >= 200:
            check(nulls.mean() < 0.15, f"too many NULLs in {c.name}")
        v = s[~nulls]
        if kind in ("int", "flag"):
            check(str(s.dtype) in ("int64", "Int64"), f"{c.name} is {s.dtype}")
            lo, hi = (0, 1) if kind == "flag" else g._int_bounds(c)
            check(v.empty or (v.min() >= lo and v.max() <= hi), f"{c.name} outside [{lo}, {hi}]")
        elif kind in ("decimal", "float"):
            check(s.dtype == np.float64, f"{c.name} is {s.dtype}")
            if kind == "decimal" and s.dtype == np.float64:
                lo, hi, digits = g._decimal_bounds(c)
                scaled = v.to_numpy() * 10.0**digits
                check(np.allclose(scaled, np.round(scaled), atol=1e-6), f"{c.name} has more than {digits} decimals")
                check(v.empty or (v.min() >= lo and v.max() <= hi), f"{c.name} outside [{lo}, {hi}]")
        elif kind in ("date", "datetime"):
            check(s.dtype == "datetime64[s]", f"{c.name} is {s.dtype}")
            if s.dtype == "datetime64[s]":
                check(v.empty or (v.min() >= g.WINDOW_START and v.max() <= g.WINDOW_END), f"{c.name} outside the window")
                if kind == "date":
                    check((v == v.dt.normalize()).all(), f"{c.name} has a time of day")
        else:
            check(s.dtype == object, f"{c.name} is {s.dtype}")
            is_text = v.map(lambda x: isinstance(x, str)).all()
            check(is_text, f"{c.name} holds non-text values")
            if not is_text:
                continue
            if kind == "json":
                try:
                    v.map(json.loads)
                except ValueError:
                    check(False, f"{c.name} is not JSON")
                check(not v.str.contains(", ").any(), f"{c.name}: JSON is not compact")
            elif c.type_args and not v.empty:
                check(v.str.len().max() <= c.type_args[0], f"{c.name} longer than {c.type_args[0]}")
            check(not v.str.contains("\t|\n|\\\\", regex=True).any(), f"{c.name} breaks the bulk-load format")
    if {"create_time", "update_time"} <= set(df.columns):
        check((df["update_time"] >= df["create_time"]).all(), "update_time before create_time")
    check(not df.duplicated(subset=list(table.primary_key)).any(), "duplicate primary key")
    for name, cols in table.unique.items():
        check(not df.duplicated(subset=list(cols)).any(), f"duplicate unique key {name}")
    pk = table.primary_key[0]
    if len(table.primary_key) == 1 and table.column(pk).auto_increment:
        check(df[pk].tolist() == list(range(1, len(df) + 1)), "auto-increment ids are not 1..n")
        if "create_time" in df:
            check(df["create_time"].is_monotonic_increasing, "create_time does not follow the ids")
    return out


def test_generated_frames_respect_their_tables():
    """Every minor table's generated frame: types, NULLs, ranges, decimals, dates, text, keys.
    One message lists every problem of every table."""
    problems = [p for table in MINOR_TABLES for p in _frame_problems(*_fill(table))]
    assert problems == []


def test_frame_check_names_what_breaks_a_table():
    """The check above can fail: a frame with a NULL in a NOT NULL column, a duplicated key, an
    out-of-range integer and an over-long string is refused, each problem named."""
    table, df = _fill(ESTATE["luckyus_sales_cart"].tables["t_cart_item"])
    assert _frame_problems(table, df) == []
    broken = df.copy()
    pk = table.primary_key[0]
    broken.loc[1, pk] = broken.loc[0, pk]
    not_null = next(c.name for c in table.columns if not c.nullable and c.name != pk
                    and g.column_kind(c) == "int")
    broken[not_null] = broken[not_null].astype("Int64")
    broken.loc[2, not_null] = pd.NA
    problems = "\n".join(_frame_problems(table, broken))
    assert "duplicate primary key" in problems and f"NULL in NOT NULL {not_null}" in problems, problems
    assert problems.startswith(table.qualified)


def test_generation_is_deterministic():
    """Same scale and seed: the same frame; another seed: another frame. For every minor table."""
    same, alike = [], []
    for table in MINOR_TABLES:
        table, first = _fill(table, scale=0.05)
        _, again = _fill(table, scale=0.05)
        _, other = _fill(table, scale=0.05, seed=SEED + 1)
        if _checksum(first) != _checksum(again):
            same.append(table.qualified)
        if _checksum(first) == _checksum(other):
            alike.append(table.qualified)
    assert (same, alike) == ([], []), "changed on a rerun / unchanged by another seed"


def test_references_stay_in_their_ranges():
    users, orders = round(277_158 * SCALE), round(466_252 * SCALE)
    limits = {"user": users, "order": orders, "shop": 11, "device": 216, "product": 40}
    checked = 0
    for table in MINOR_TABLES:
        table, df = _fill(table)
        for c in table.columns:
            last = c.name[:-3].split("_")[-1] if c.name.endswith("_id") else None
            if last in limits and g.column_kind(c) == "int" and c.name not in table.hints:
                v = df[c.name].dropna()
                assert v.min() >= 1 and v.max() <= limits[last], f"{table.qualified}.{c.name}"
                checked += 1
            ref = table.hints.get(c.name, {}).get("ref")
            if ref and "." in str(ref):
                schema, tname = str(ref).split(".")
                top = max(1, g.row_count(ESTATE[schema].tables[tname], SCALE))
                assert df[c.name].dropna().between(1, top).all(), f"{table.qualified}.{c.name}"
    assert checked > 50


def test_references_point_at_rows_that_already_existed():
    review = ESTATE["luckyus_sales_review"].tables["t_order_review"]
    df = g.generate_generic(review, 1.0, SEED)
    early = df[df["create_time"] < np.datetime64("2025-08-01")]
    assert len(early) and early["user_id"].max() < 277_158 * 0.2


def test_row_level_consistency():
    notes = g.generate_generic(ESTATE["luckyus_msg_notification"].tables["t_notification"], SCALE, SEED)
    assert (notes["is_read"] == notes["read_time"].notna().astype(int)).all()
    inv = g.generate_generic(ESTATE["fi_invoice"].tables["t_invoice"], 1.0, SEED)
    assert np.allclose(inv["tax_amount"], (inv["subtotal_amount"] * 0.08875).round(2), atol=0.006)
    assert np.allclose(inv["total_amount"], inv["subtotal_amount"] + inv["tax_amount"], atol=0.006)
    staff = g.generate_generic(ESTATE["luckyus_hr_staff"].tables["t_staff"], 1.0, SEED)
    expected = (staff["first_name"] + "." + staff["last_name"].str.replace("'", "")).str.lower()
    assert (staff["work_email"].str.split(r"\d*@", regex=True).str[0] == expected).all()
    roles = g.generate_generic(ESTATE["luckyus_hr_staff"].tables["t_staff_role"], SCALE, SEED)
    assert roles["role_code"].tolist()[:2] == ["STORE_MANAGER", "ASSISTANT_MANAGER"]  # dealt in order


def test_hints_are_checked():
    table = ESTATE["luckyus_sales_cart"].tables["t_cart_item"]
    with pytest.raises(ValueError, match="no such column"):
        g.validate_hints(dataclasses.replace(table, hints={"nope": {"range": [1, 2]}}))
    with pytest.raises(ValueError, match="unknown keys"):
        g.validate_hints(dataclasses.replace(table, hints={"quantity": {"between": [1, 2]}}))


def test_minor_estate_size_at_scale_1():
    total = sum(len(_fill(t, scale=1.0, rows_if_empty=0)[1]) if t.rows else 0 for t in MINOR_TABLES)
    assert total == sum(g.row_count(t, 1.0) for t in MINOR_TABLES) < 400_000


# --------------------------------------------------------------------------- MariaDB accepts it all
TEST_DB = "luckin_test_generic"
STRICT = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"


@pytest.fixture(scope="module")
def strict_db():
    # The session's `services` fixture guarantees MariaDB; an unreachable server must fail here.
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", charset="utf8mb4",
                           autocommit=True, connect_timeout=3)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{TEST_DB}`")
        cur.execute(f"CREATE DATABASE `{TEST_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        cur.execute(f"USE `{TEST_DB}`")
        cur.execute(f"SET SESSION sql_mode = '{STRICT}'")
    try:
        yield conn
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{TEST_DB}`")
        conn.close()


def _python_rows(table, df: pd.DataFrame) -> list[tuple]:
    """Driver values: ints, decimal text at the declared scale, dates, datetimes, str, None."""
    columns = []
    for c in table.columns:
        kind = g.column_kind(c)
        s = df[c.name]
        if kind == "date":
            vals = [None if pd.isna(v) else v.date() for v in s]
        elif kind == "datetime":
            vals = [None if pd.isna(v) else v.to_pydatetime() for v in s]
        elif kind in ("int", "flag"):
            vals = [None if pd.isna(v) else int(v) for v in s]
        elif kind == "decimal":
            digits = g._decimal_bounds(c)[2]
            vals = [None if pd.isna(v) else f"{v:.{digits}f}" for v in s]
        elif kind == "float":
            vals = [None if pd.isna(v) else float(v) for v in s]
        else:
            vals = [None if v is None else v for v in s]
        columns.append(vals)
    return list(zip(*columns))


def _mariadb_problems(conn, table) -> list[str]:
    """Create the table in strict mode and insert its generated rows; what went wrong, if anything."""
    table, df = _fill(table, scale=0.01, rows_if_empty=5)
    cols = ", ".join(f"`{c}`" for c in table.column_names)
    marks = ", ".join(["%s"] * len(table.columns))
    out = []
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS `{table.name}`")
        try:
            cur.execute(table.mysql_ddl())
            cur.executemany(f"INSERT INTO `{table.name}` ({cols}) VALUES ({marks})", _python_rows(table, df))
            if conn.show_warnings():
                out.append(f"{table.qualified}: warnings {conn.show_warnings()}")
            cur.execute(f"SELECT COUNT(*) FROM `{table.name}`")
            if cur.fetchone()[0] != len(df):
                out.append(f"{table.qualified}: row count differs")
            for c in table.columns:  # text survives the round trip (utf8mb4, lengths)
                if g.column_kind(c) == "string":
                    cur.execute(f"SELECT COALESCE(SUM(CHAR_LENGTH(`{c.name}`)), 0) FROM `{table.name}`")
                    if int(cur.fetchone()[0]) != int(df[c.name].dropna().str.len().sum()):
                        out.append(f"{table.qualified}.{c.name}: text changed on the round trip")
        except pymysql.MySQLError as exc:
            out.append(f"{table.qualified}: {exc}")
        finally:
            cur.execute(f"DROP TABLE IF EXISTS `{table.name}`")
    return out


def test_mariadb_accepts_ddl_and_values_in_strict_mode(strict_db):
    """Every minor table's DDL and generated rows, in strict mode. One message lists every refusal."""
    problems = [p for table in MINOR_TABLES for p in _mariadb_problems(strict_db, table)]
    assert problems == []


def test_strict_mode_refuses_a_value_that_does_not_fit(strict_db, monkeypatch):
    """The check above can fail: a string one character longer than its VARCHAR is named, not truncated."""
    table, col = next((t, c) for t in MINOR_TABLES for c in t.columns
                      if g.column_kind(c) == "string" and c.type_args and c.nullable)
    original = g.generate_generic

    def too_long(t, scale, seed):
        df = original(t, scale, seed)
        df[col.name] = "x" * (col.type_args[0] + 1)
        return df

    monkeypatch.setattr(g, "generate_generic", too_long)
    problems = _mariadb_problems(strict_db, table)
    assert len(problems) == 1 and problems[0].startswith(table.qualified) and "too long" in problems[0], problems
