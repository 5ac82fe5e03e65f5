"""`luckin publish` on Postgres: the swap is atomic for a reader in a repeatable-read transaction
(all-old until it ends, all-new after), the BI role's grants carry over to the new schema and it
still cannot read the working marts; a failed gate leaves `published` as it was."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid

import psycopg2
import pytest

from luckin.bi_access import create_bi_role, drop_bi_role
from luckin.core import PROJECT_DIR
from luckin.core.errors import GateError
from luckin.publish import publish
from luckin.transform import dbt_command, dbt_environment
from tests.report.warehouses import BuiltWarehouse, clone_postgres, pg_query

# Marts no great-expectations gate reads: changing them makes a new version that still passes.
UNGATED = ("dim_products", "fct_product_daily_sales")


@pytest.fixture()
def clone(pg_marts, tmp_path):
    """A copy of the session's Postgres warehouse (built and published), with a BI role of its own."""
    with clone_postgres(pg_marts, "luckin_pub_test") as database:
        built = BuiltWarehouse("postgres", {**pg_marts.env, "LUCKIN_PG_DATABASE": database,
                                            "LUCKIN_QUALITY_DIR": str(tmp_path / "quality")}, tmp_path)
        role, password = f"luckin_bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        create_bi_role(built.settings.postgres, role, password)
        yield built, role, password
        drop_bi_role(built.settings.postgres, role)


def _counts(cur) -> dict[str, int]:
    out = {}
    for table in UNGATED:
        cur.execute(f"select count(*) from published.{table}")
        out[table] = cur.fetchone()[0]
    return out


def _new_build(built: BuiltWarehouse) -> None:
    """A real dbt build (a new build id) and a change the gates let through (fewer rows in UNGATED)."""
    warehouse = built.settings.warehouse
    proc = subprocess.run(dbt_command(["run", "--select", "dim_stores", "--target-path", str(built.root / "t")],
                                      warehouse), cwd=PROJECT_DIR, env={**dbt_environment(warehouse), **built.env},
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    pg_query(built.database, "delete from marts.dim_products where product_id = (select min(product_id) from marts.dim_products)")
    pg_query(built.database, "delete from marts.fct_product_daily_sales "
                             "where product_id = (select min(product_id) from marts.fct_product_daily_sales)")


def test_a_repeatable_read_reader_sees_all_old_or_all_new(clone) -> None:
    built, role, password = clone
    reader = psycopg2.connect(host="127.0.0.1", port=5432, user=role, password=password, dbname=built.database)
    reader.set_session(isolation_level="REPEATABLE READ")
    try:
        with reader.cursor() as cur:
            old = _counts(cur)  # the transaction has read the old version
        _new_build(built)
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["result"] = publish(built.settings)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                outcome["error"] = exc

        publisher = threading.Thread(target=run)
        publisher.start()
        # wait until the new copy is committed (its schema is visible): the swap is what remains
        while publisher.is_alive() and not pg_query(
                built.database, "select 1 from pg_namespace where nspname like 'published\\_new\\_%'"):
            time.sleep(0.2)
        assert "error" not in outcome, outcome.get("error")
        with reader.cursor() as cur:
            during = _counts(cur)
        assert during == old  # every table still the old version, inside the transaction
        assert publisher.is_alive()  # the swap waits for the transaction that read the old version
        reader.commit()
        publisher.join(timeout=600)
        assert not publisher.is_alive() and "error" not in outcome, outcome.get("error")

        with reader.cursor() as cur:  # a new transaction: every table the new version
            after = _counts(cur)
            cur.execute("select build_id from published._luckin_publication")
            (build_id,) = cur.fetchone()
        reader.commit()
        assert after["dim_products"] == old["dim_products"] - 1
        assert after["fct_product_daily_sales"] < old["fct_product_daily_sales"]
        assert build_id == outcome["result"].build.build_id
        with reader.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("select count(*) from marts.fct_orders")  # the working marts stay invisible to BI
        reader.rollback()
    finally:
        reader.close()
    leftovers = pg_query(built.database, "select nspname from pg_namespace where nspname like 'published\\_%'")
    assert leftovers == []
    comment = pg_query(built.database, "select obj_description('published.fct_orders'::regclass, 'pg_class'), "
                                       "col_description('published.fct_orders'::regclass, 1)")[0]
    assert comment[0] and "One row per order" in comment[0] and comment[1]


def test_a_failed_critical_gate_leaves_published_as_it_was(clone) -> None:
    built, _, _ = clone
    before = pg_query(built.database, "select build_id, published_at from published._luckin_publication")
    oid = pg_query(built.database, "select 'published.fct_orders'::regclass::oid")
    pg_query(built.database, "insert into marts.fct_orders select * from marts.fct_orders "
                             "where order_id = (select min(order_id) from marts.fct_orders)")
    with pytest.raises(GateError, match="not published: .*marts.fct_orders: .*order_id"):
        publish(built.settings)
    assert pg_query(built.database, "select build_id, published_at from published._luckin_publication") == before
    assert pg_query(built.database, "select 'published.fct_orders'::regclass::oid") == oid  # the very same table
    assert pg_query(built.database, "select nspname from pg_namespace where nspname like 'published\\_%'") == []
