"""Boundary rows through the real extract: BIGINT UNSIGNED above 2^63 (refused, then landed with
`unsigned_as_decimal`), DATETIME(3)/(6) fractions, zero dates and zero month/day, TINYINT(1) = 2,
a NULL of every type, negative and maximal DECIMALs, extreme integers - from a MariaDB database
of our own into DuckDB and into Postgres, compared value by value with what MariaDB returns.

The table lives in `luckin_t17_<pid>_luckyus_t17_boundary` (dropped at the end); the catalog the
run reads is the real parser on a one-table document (the estate's catalog has no such table).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import psycopg2
import pytest

from pipelines.extract import run_extract
from tests.pipelines.conftest import extract
from luckin.core.catalog.mysql import parse_catalog
from tests.pipelines.conftest import drop_prefixed, mysql

PREFIX = f"luckin_t17_{os.getpid()}_"
SCHEMA = "luckyus_t17_boundary"
DATABASE = PREFIX + SCHEMA
PG_DATABASE = f"luckin_t17_boundary_{os.getpid()}"

COLUMNS = {
    "id": "INT NOT NULL PRIMARY KEY",
    "big_unsigned": "BIGINT UNSIGNED NULL",
    "big_signed": "BIGINT NULL",
    "int_unsigned": "INT UNSIGNED NULL",
    "small_signed": "SMALLINT NULL",
    "tiny_unsigned": "TINYINT UNSIGNED NULL",
    "flag": "TINYINT(1) NULL",
    "amount": "DECIMAL(12,2) NULL",
    "wide_amount": "DECIMAL(38,10) NULL",
    "ratio": "DOUBLE NULL",
    "at_ms": "DATETIME(3) NULL",
    "at_us": "DATETIME(6) NULL",
    "at_s": "DATETIME NULL",
    "on_day": "DATE NULL",
    "label": "VARCHAR(16) NULL",
    "doc": "JSON NULL",
}
MAX_WIDE = "9999999999999999999999999999.9999999999"  # DECIMAL(38,10) at its maximum
ROWS = [
    # 2^64 - 1, the largest signed/unsigned integers, TINYINT(1) = 2, the largest DECIMALs negative
    (1, "18446744073709551615", "9223372036854775807", "4294967295", "-32768", "255", "2", "-9999999999.99",
     "-" + MAX_WIDE, "-1.5e300", "2025-12-31 23:59:59.999", "2025-01-01 00:00:00.000001", "9999-12-31 23:59:59",
     "9999-12-31", "☕ 🥥", '{"a": [1, 2], "b": null}'),
    # 2^63 (one above the largest BIGINT), the smallest integers, maximal positive DECIMALs, whole zero dates
    (2, "9223372036854775808", "-9223372036854775808", "0", "32767", "0", "0", "9999999999.99", MAX_WIDE,
     "0", "1970-01-01 00:00:00.001", "2000-02-29 12:34:56.789012", "0000-00-00 00:00:00", "0000-00-00",
     "", "{}"),
    # zero month, zero day; TINYINT(1) = 1; the smallest non-zero amounts
    (3, "0", "0", "1", "0", "1", "1", "-0.01", "0.0000000001", "-0.0", "2025-00-15 10:00:00.500",
     "2025-06-00 10:00:00.250000", "2025-06-00 10:00:00", "2025-00-15", "x", "[]"),
    # NULL in every nullable column
    (4, *([None] * 15)),
]
ZERO_DATES = {"at_ms": 1, "at_us": 1, "at_s": 2, "on_day": 2}  # per column: rows 2 and 3 hold (partly) zero dates


def _catalog(unsigned_as_decimal: bool):
    entry = {"strategy": "replace", "primary_key": "id"}
    if unsigned_as_decimal:
        entry["unsigned_as_decimal"] = ["big_unsigned"]
    return parse_catalog({"discover": ["luckyus_*"],
                          "schemas": {SCHEMA: {"description": "boundary rows", "tables": {"t_boundary": entry}}}})


@pytest.fixture(scope="module")
def boundary_db():
    drop_prefixed(PREFIX)
    ddl = ", ".join(f"`{c}` {t}" for c, t in COLUMNS.items())
    marks = ", ".join(["%s"] * len(COLUMNS))
    try:
        mysql([f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4"])
        mysql(f"CREATE TABLE t_boundary ({ddl})", database=DATABASE)
        for row in ROWS:  # legacy services ran without NO_ZERO_DATE: zero dates allowed
            mysql(f"SET STATEMENT sql_mode = 'NO_ENGINE_SUBSTITUTION' FOR INSERT INTO t_boundary VALUES ({marks})",
                  database=DATABASE, params=row)
        yield
    finally:
        drop_prefixed(PREFIX)


@pytest.fixture()
def boundary_env(extract_env, monkeypatch):
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__DATABASE_PREFIX", PREFIX)
    return extract_env


def _use_catalog(monkeypatch, unsigned_as_decimal: bool) -> None:
    """run_extract reads the catalog through `load_catalog()`: hand it the one-table catalog."""
    catalog = _catalog(unsigned_as_decimal)
    monkeypatch.setitem(run_extract.__globals__, "load_catalog", lambda *a, **k: catalog)


def _expected() -> dict[int, dict]:
    """What MariaDB returns (PyMySQL: exact ints, Decimals, microsecond datetimes; zero dates come
    back as text), turned into the landing contract by hand: zero dates NULL, DATETIME as UTC,
    TINYINT(1) as a boolean, BIGINT UNSIGNED as an exact decimal, JSON as its value."""
    names = list(COLUMNS)
    rows = mysql(f"SELECT {', '.join(names)} FROM t_boundary ORDER BY id", database=DATABASE)
    out = {}
    for row in rows:
        r = dict(zip(names, row))
        for c in ("at_ms", "at_us", "at_s"):
            r[c] = r[c].replace(tzinfo=timezone.utc) if isinstance(r[c], datetime) else None
        r["on_day"] = r["on_day"] if isinstance(r["on_day"], date) else None
        r["flag"] = None if r["flag"] is None else bool(r["flag"])
        r["big_unsigned"] = None if r["big_unsigned"] is None else Decimal(r["big_unsigned"])
        r["doc"] = None if r["doc"] is None else json.loads(r["doc"])
        out[r["id"]] = r
    # the source really holds the boundary values (not clipped or rejected on insert)
    assert out[1]["big_unsigned"] == 2**64 - 1 and out[2]["big_unsigned"] == 2**63
    assert out[1]["at_ms"].microsecond == 999_000 and out[1]["at_us"].microsecond == 1
    assert out[1]["flag"] is True and mysql("SELECT flag FROM t_boundary WHERE id = 1", database=DATABASE) == ((2,),)
    assert out[2]["wide_amount"] == Decimal(MAX_WIDE) and out[1]["amount"] == Decimal("-9999999999.99")
    return out


def _landed(rows: list[tuple], names: list[str]) -> dict[int, dict]:
    out = {}
    for row in rows:
        r = dict(zip(names, row))
        if isinstance(r["doc"], str):
            r["doc"] = json.loads(r["doc"])
        out[r["id"]] = r
    return out


def _same(source, landed) -> bool:
    if source is None or landed is None:
        return source is None and landed is None
    if isinstance(source, bool) or isinstance(landed, bool):
        return source is landed
    if isinstance(source, Decimal) != isinstance(landed, Decimal):
        return False  # a decimal must stay exact, never become a float
    return source == landed


def _differences(expected: dict[int, dict], landed: dict[int, dict]) -> list[str]:
    assert set(landed) == set(expected), (sorted(landed), sorted(expected))
    return [f"row {rid} {col}: source {value!r}, warehouse {landed[rid][col]!r}"
            for rid, want in expected.items() for col, value in want.items() if not _same(value, landed[rid][col])]


def test_unsigned_bigint_above_2_63_fails_the_table_naming_the_column(boundary_db, boundary_env, monkeypatch):
    _use_catalog(monkeypatch, unsigned_as_decimal=False)
    summary = extract(schemas=[SCHEMA])
    assert not summary.ok
    failed = [t for t in summary.failures if t.table == "t_boundary"]
    assert len(failed) == 1 and "big_unsigned" in (failed[0].error or ""), [(t.table, t.error) for t in summary.tables]


def test_boundary_rows_land_value_for_value_in_duckdb(boundary_db, boundary_env, monkeypatch, duck):
    _use_catalog(monkeypatch, unsigned_as_decimal=True)
    summary = extract(schemas=[SCHEMA])
    assert summary.ok, [(t.table, t.error) for t in summary.tables]
    run = next(t for t in summary.tables if t.table == "t_boundary")
    assert (run.rows_in_source, run.rows_in_warehouse) == (4, 4)
    assert run.zero_dates_nulled == sum(ZERO_DATES.values())
    types = dict(duck("SELECT column_name, data_type FROM information_schema.columns "
                      f"WHERE table_schema = '{SCHEMA}' AND table_name = 't_boundary'"))
    assert (types["big_unsigned"], types["flag"], types["wide_amount"], types["at_ms"]) == \
        ("DECIMAL(20,0)", "BOOLEAN", "DECIMAL(38,10)", "TIMESTAMP WITH TIME ZONE")
    names = list(COLUMNS)
    landed = _landed(duck(f"SELECT {', '.join(names)} FROM {SCHEMA}.t_boundary"), names)
    assert _differences(_expected(), landed) == []


def _extract_to_postgres(monkeypatch) -> tuple[dict, dict[int, dict]]:
    """run_extract into a Postgres database of our own; (column types, landed rows). Drops it after."""
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
    try:
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
        _use_catalog(monkeypatch, unsigned_as_decimal=True)
        # a session zone other than UTC: timestamps must land as the same instants all the same
        monkeypatch.setenv("PGTZ", "America/New_York")
        summary = extract("postgres", schemas=[SCHEMA])
        assert summary.ok, [(t.table, t.error) for t in summary.tables]
        names = list(COLUMNS)
        conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=PG_DATABASE)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT column_name, data_type, numeric_precision FROM information_schema.columns "
                            f"WHERE table_schema = '{SCHEMA}' AND table_name = 't_boundary'")
                types = {c: (t, p) for c, t, p in cur.fetchall()}
                cur.execute(f"SELECT {', '.join(names)} FROM {SCHEMA}.t_boundary")
                return types, _landed(cur.fetchall(), names)
        finally:
            conn.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        admin.close()


def test_boundary_rows_land_value_for_value_in_postgres(boundary_db, boundary_env, monkeypatch):
    types, landed = _extract_to_postgres(monkeypatch)
    assert types["big_unsigned"] == ("numeric", 20) and types["flag"][0] == "boolean"
    assert types["at_us"][0] == "timestamp with time zone"
    # every value, the empty string (row 2) and NULL (row 4) included: dlt's CSV COPY read a
    # quoted "" as NULL until pipelines/destinations.py dropped its FORCE_NULL
    assert landed[2]["label"] == "" and landed[4]["label"] is None
    assert _differences(_expected(), landed) == []
