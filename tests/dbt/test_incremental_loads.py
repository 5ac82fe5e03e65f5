"""Incremental models follow the loader's batches, not the source's clocks (DuckDB, synthetic landing).

Each test lands the synthetic estate three days short, builds it, lands the rest (rows that did
not change keep their load id, as dlt's merge leaves them) and then changes raw tables the way
the extract would - the changed row rewritten with the new load's `_dlt_load_id`, a deleted
row kept with `_luckin_deleted_at` set, a re-synced table rewritten whole with a
`disposition = 'replace'` line in the load audit - and checks what the next incremental run
makes of it, and that it equals a full refresh.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

import landing
from luckin.transform import PROJECT_DIR
from dbt_harness import MARTS, NODES_WITHOUT_TESTS, SYNTHETIC_CUTOFF, Warehouse, new_duckdb_warehouse

INCREMENTAL = ("--selector", "data_refresh", "--exclude", "resource_type:test")


def _load(wh: Warehouse, load_at, *statements: str) -> str:
    """Apply `statements` to raw tables as one load of the extract at `load_at`; `{load}` in a
    statement is the load's id. Returns the load id."""
    load_id = landing.load_id_at(load_at)
    con = duckdb.connect(wh.env["LUCKIN_DUCKDB_PATH"])
    try:
        for statement in statements:
            con.execute(statement.replace("{load}", load_id))
    finally:
        con.close()
    return load_id


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Warehouse:
    """A warehouse built three days short, with the rest landed since and not yet built: made
    once, since every test starts from the same state (two dbt runs, the module's main cost)."""
    wh = new_duckdb_warehouse(tmp_path_factory.mktemp("loads-template"), "loads")
    landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"], cutoff=SYNTHETIC_CUTOFF)
    wh.dbt("build", "--full-refresh", *NODES_WITHOUT_TESTS)
    landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"], since=SYNTHETIC_CUTOFF)
    wh.dbt("run", *INCREMENTAL)
    return wh


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """Where each test's copy lives, one after another (the module runs on one worker)."""
    return tmp_path_factory.mktemp("loads-bench")


@pytest.fixture
def built(built_once: Warehouse, bench: Path) -> Warehouse:
    """A copy of that warehouse (file and dbt target folder) for one test to change.

    Every copy has the same path: dbt keys its parsed project on the profile, warehouse path
    included, so a new path per test would parse the project again (5-6 s a test). The parse
    the last test left is carried over; the rest of the target folder is the template's."""
    wh = new_duckdb_warehouse(bench, "loads")
    source, path = Path(built_once.env["LUCKIN_DUCKDB_PATH"]), Path(wh.env["LUCKIN_DUCKDB_PATH"])
    assert not source.with_name(source.name + ".wal").exists()  # dbt checkpointed on exit
    path.with_name(path.name + ".wal").unlink(missing_ok=True)  # a killed build's, in the last test
    shutil.copyfile(source, path)
    parsed, carried = wh.target_path / "partial_parse.msgpack", bench / "partial_parse.msgpack"
    if parsed.exists():
        shutil.copyfile(parsed, carried)
    shutil.rmtree(wh.target_path, ignore_errors=True)
    shutil.copytree(built_once.target_path, wh.target_path)
    if carried.exists():
        shutil.copyfile(carried, parsed)
    return wh


def _equals_full_refresh(wh: Warehouse) -> None:
    incremental = wh.mart_fingerprints()
    wh.dbt("run", "--full-refresh", *INCREMENTAL)
    full = wh.mart_fingerprints()
    differing = [m for m in MARTS if incremental[m] != full[m]]
    assert not differing, f"incremental marts differ from a full refresh: {differing}"


def _audit_row(run_id: str, table: str, disposition: str = "merge", load: str = "{load}") -> str:
    """The load audit's line for one table of a load (`table` as schema.table), as an extract run
    writes it when it ends; `{load}` is the load's id, as in _load."""
    schema, name = table.split(".")
    return ("insert into luckin_audit.load_audit (run_id, source_schema, source_table, strategy, disposition, "
            f"status, load_id, _dlt_load_id) values ('{run_id}', '{schema}', '{name}', 'merge', '{disposition}', "
            f"'loaded', '{load}', '{load}')")


# what the extract writes on a row deleted in the source (the rest of its columns unchanged)
DELETED = "_luckin_deleted_at = timestamptz '2025-11-02 00:00:00+00', _dlt_load_id = '{load}'"


def _single_line_order(wh: Warehouse) -> int:
    """A completed order with one line, to copy: its line then sums to the order's total."""
    return wh.query("select order_id from marts.fct_orders where is_revenue and order_id in (select order_id "
                    "from luckyus_sales_order.t_order_item group by 1 having count(*) = 1) order by 1 limit 1")[0][0]


def _new_order(order_id: int, created: str, load_at_offset: int, template: int = 1) -> list[str]:
    """An order (copied from order `template`, completed) created at `created`, with one line."""
    return [
        f"""insert into luckyus_sales_order.t_order
            select * replace ({order_id} as id, 'N{order_id}' as order_no, 50 as status,
                              timestamptz '{created}' as create_time, timestamptz '{created}' as pay_time,
                              timestamptz '{created}' as complete_time, timestamptz '{created}' as update_time,
                              null as coupon_id, '{{load}}' as _dlt_load_id, 'new-{order_id}' as _dlt_id)
            from luckyus_sales_order.t_order where id = {template}""",
        f"""insert into luckyus_sales_order.t_order_item
            select * replace ({order_id * 10} as id, {order_id} as order_id, timestamptz '{created}' as create_time,
                              timestamptz '{created}' as update_time, '{{load}}' as _dlt_load_id,
                              'new-item-{order_id}' as _dlt_id)
            from luckyus_sales_order.t_order_item where order_id = {template} limit 1""",
    ]


def test_the_last_days_built_incrementally_equal_a_full_refresh_and_a_second_run_changes_nothing(
        built: Warehouse) -> None:
    """The template as it stands: three days and late refunds merged into marts built before
    them. A plain `dbt run` on top (every model) finds nothing new and changes nothing; a full
    refresh gives the same marts. (Postgres: test_dbt_build_synthetic.py.)"""
    wh = built
    incremental = wh.mart_fingerprints()
    wh.dbt("run")
    assert wh.mart_fingerprints() == incremental
    _equals_full_refresh(wh)


def test_future_dated_and_back_dated_rows_reach_the_marts(built: Warehouse) -> None:
    wh, q = built, built.query
    later = landing.LOADED_AT
    # One order updated with a timestamp years ahead (clock skew): under an update_time
    # high-water mark it would freeze the marts.
    _load(wh, later + timedelta(hours=1),
          "update luckyus_sales_order.t_order set update_time = timestamptz '2031-06-01 00:00:00+00', "
          "remark = 'skewed clock', _dlt_load_id = '{load}' where id = 3")
    wh.dbt("run", *INCREMENTAL)
    assert q("select count(*) from marts.fct_orders where order_id = 3 and updated_at > '2031-01-01'")[0][0] == 1
    # New days after it: a new order, with an ordinary timestamp, in the next load.
    _load(wh, later + timedelta(days=1), *_new_order(9001, "2025-10-31 21:00:00+00", 1))
    wh.dbt("run", *INCREMENTAL)
    assert q("select count(*) from marts.fct_orders where order_id = 9001 and is_revenue")[0][0] == 1
    assert q("select count(*) from marts.fct_order_items where order_id = 9001")[0][0] == 1
    # A back-dated correction: order 2 (completed on 2025-06-30) refunded, written with an old
    # update_time (a backfill).
    revenue_before = q("select revenue_usd from marts.fct_store_daily_revenue "
                       "where store_id = 2 and revenue_date = date '2025-06-30'")[0][0]
    paid = q("select paid_amount_usd from marts.fct_orders where order_id = 2")[0][0]
    _load(wh, later + timedelta(days=2),
          "update luckyus_sales_order.t_order set status = 70, update_time = timestamptz '2025-07-01 00:00:00+00', "
          "_dlt_load_id = '{load}' where id = 2")
    wh.dbt("run", *INCREMENTAL)
    assert q("select order_status from marts.fct_orders where order_id = 2")[0][0] == "refunded"
    assert q("select revenue_usd from marts.fct_store_daily_revenue "
             "where store_id = 2 and revenue_date = date '2025-06-30'")[0][0] == revenue_before - paid
    _equals_full_refresh(wh)


def test_rows_deleted_in_the_source_leave_the_marts_at_the_next_incremental_run(built: Warehouse) -> None:
    wh, q = built, built.query
    # Customer 15's first order, its lines and its coupon vanish from the source.
    first = q("select order_id from marts.fct_orders where customer_id = 15 and is_first_order")[0][0]
    second = q("select order_id from marts.fct_orders where customer_id = 15 and customer_order_number = 2")[0][0]
    _load(wh, landing.LOADED_AT + timedelta(days=1),
          f"update luckyus_sales_order.t_order set {DELETED} where id = {first}",
          f"update luckyus_sales_order.t_order_item set {DELETED} where order_id = {first}",
          f"update luckyus_isales_market.t_coupon set {DELETED} where order_id = {first}",
          f"update luckyus_ops_production.t_make_event set {DELETED} where order_id = {first}")
    wh.dbt("run", *INCREMENTAL)
    for mart, column in (("fct_orders", "order_id"), ("fct_order_items", "order_id"), ("fct_coupons", "order_id"),
                         ("fct_order_production", "order_id")):
        assert q(f"select count(*) from marts.{mart} where {column} = {first}")[0][0] == 0, mart
    assert q(f"select is_first_order from marts.fct_orders where order_id = {second}")[0][0] is True
    _equals_full_refresh(wh)


def test_a_resynced_table_rebuilds_its_dependants_whole(built: Warehouse) -> None:
    wh, q = built, built.query
    wh.build("all")  # a complete build on record, with the newest load it saw
    # The estate is restored from an older backup: the orders and everything that points at
    # them keep only the older orders (id <= 260). The extract re-syncs each table whole (no
    # tombstones: the rows are simply gone) and says so in the load audit.
    tables = {"luckyus_sales_order.t_order": "id", "luckyus_sales_order.t_order_item": "order_id",
              "luckyus_isales_market.t_coupon": "order_id", "luckyus_ops_production.t_make_event": "order_id"}
    statements = []
    for table, key in tables.items():
        statements += [f"delete from {table} where {key} > 260", f"update {table} set _dlt_load_id = '{{load}}'",
                       _audit_row("resync", table, "replace")]
    load = _load(wh, landing.LOADED_AT + timedelta(days=1), *statements)
    proc = wh.build("auto")
    assert "re-synced since the last build" in proc.stdout and "luckyus_sales_order.t_order" in proc.stdout
    assert q("select max(order_id) from marts.fct_orders")[0][0] == 260
    assert load
    _equals_full_refresh(wh)


def test_a_load_still_landing_when_the_last_build_ran_is_completed(built: Warehouse) -> None:
    """The last load a model processed is read again (var('incremental_lookback_loads'), 1):
    rows that load wrote after the build had run - its later tables still landing - arrive.
    With the lookback at 0 this order never reaches the marts."""
    wh, q = built, built.query
    last = q("select max(load_id) from marts.fct_orders")[0][0]
    con = duckdb.connect(wh.env["LUCKIN_DUCKDB_PATH"])
    try:
        for statement in _new_order(9100, "2025-10-31 22:00:00+00", 0):
            con.execute(statement.replace("{load}", last))
    finally:
        con.close()
    wh.dbt("run", *INCREMENTAL)
    assert q("select count(*) from marts.fct_orders where order_id = 9100")[0][0] == 1
    assert q("select count(*) from marts.fct_order_items where order_id = 9100")[0][0] == 1


def test_under_luckin_build_only_loads_incomplete_at_the_last_build_are_read_again(built: Warehouse) -> None:
    """`luckin build` tells the models the newest load that was complete (in the load audit) when
    the last build started. A load still landing then - its order in, its line not yet - is read
    again whole by the next build; a complete one is not read again (a strict window, no lookback)."""
    wh, q = built, built.query
    wh.build("all")
    template = _single_line_order(wh)
    order, line = _new_order(9200, "2025-10-31 23:00:00+00", 0, template)
    landing_load = _load(wh, landing.LOADED_AT + timedelta(days=1), order)  # no audit row: still landing
    wh.build("auto")
    assert q("select count(*) from marts.fct_orders where order_id = 9200")[0][0] == 1
    assert q("select count(*) from marts.fct_order_items where order_id = 9200")[0][0] == 0
    complete = q("select max(load_id) from luckin_audit.load_audit")[0][0]
    assert complete < landing_load
    # The run ends: its line lands, then its audit rows.
    _load(wh, landing.LOADED_AT + timedelta(days=1), line.replace("{load}", landing_load),
          _audit_row("late", "luckyus_sales_order.t_order_item", load=landing_load))
    wh.build("auto")
    assert q("select count(*) from marts.fct_order_items where order_id = 9200")[0][0] == 1
    # What the last build read of order lines: strictly after the newest complete load they held.
    held = q(f"select max(load_id) from marts.fct_order_items where load_id <= '{complete}'")[0][0]
    compiled = (wh.target_path / "compiled/luckin/models/marts/revenue/fct_order_items.sql").read_text()
    assert f"load_id) > '{held}'" in compiled and "load_id) >= '" not in compiled
    _equals_full_refresh(wh)


def test_a_load_with_an_older_id_than_the_last_build_saw_still_reaches_the_marts(built: Warehouse) -> None:
    """Load ids are the extract machine's clock. After a build, the clock steps back an hour and
    an extract run lands an order: its load id is older than the newest load that build saw, so a
    window from that load would skip it until a full refresh."""
    wh, q = built, built.query
    wh.build("all")
    newest = q("select max(load_id) from luckin_audit.load_audit")[0][0]
    template = _single_line_order(wh)
    skewed = _load(wh, landing.LOADED_AT - timedelta(hours=1), *_new_order(9300, "2025-10-31 23:30:00+00", 0, template),
                   _audit_row("skewed", "luckyus_sales_order.t_order"))
    assert skewed < newest
    proc = wh.build("auto")
    assert "have ids older than its newest load" in proc.stdout
    assert q("select count(*) from marts.fct_orders where order_id = 9300 and is_revenue")[0][0] == 1
    assert q("select count(*) from marts.fct_order_items where order_id = 9300")[0][0] == 1
    _equals_full_refresh(wh)


def test_a_coupon_attributed_through_its_order_loses_it_when_that_order_is_deleted(built: Warehouse) -> None:
    """A coupon that lost its order id in the marketing service is attributed to the order naming
    it (t_order.coupon_id). When that order is deleted in the source, the coupon has no order any
    more: its own row did not change, so only the deleted order's load can bring it into the window."""
    wh, q = built, built.query
    coupon, order = q("select coupon_id, order_id from marts.fct_coupons where attribution_source = 'order' "
                      "order by coupon_id limit 1")[0]
    _load(wh, landing.LOADED_AT + timedelta(days=1),
          f"update luckyus_sales_order.t_order set {DELETED} where id = {order}")
    wh.dbt("run", *INCREMENTAL)
    assert q(f"select order_id, attribution_source from marts.fct_coupons where coupon_id = {coupon}") == [(None, None)]
    _equals_full_refresh(wh)


def _kill_build_when(wh: Warehouse, started: str) -> str:
    """Start `luckin build --job auto` and SIGKILL it the moment dbt prints a line containing
    `started` (the node is then running, with others beside it on dbt's threads). Returns what
    the build printed until then."""
    proc = subprocess.Popen(wh.build_command("auto"), cwd=PROJECT_DIR, env=wh.process_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = []
    try:
        for line in proc.stdout:
            printed.append(line)
            if started in line:
                break
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean-up of any kind, as a kill -9 leaves it
        proc.wait()
        proc.stdout.close()
    return "".join(printed)


def test_a_build_killed_while_the_marts_merge_leaves_nothing_the_next_build_does_not_mend(built: Warehouse) -> None:
    """A `luckin build` killed (kill -9, an OOM kill, a lost node) while its incremental marts are
    being merged: some marts have the new load, some have part of it, some not. The next build
    must bring every mart to what a full refresh gives, without a --full-refresh by hand."""
    wh, q = built, built.query
    wh.build("all")
    template = _single_line_order(wh)
    deleted = q("select order_id from marts.fct_orders where is_revenue order by order_id desc limit 1")[0][0]
    _load(wh, landing.LOADED_AT + timedelta(days=1), *_new_order(9400, "2025-10-31 22:00:00+00", 0, template),
          f"update luckyus_sales_order.t_order set {DELETED} where id = {deleted}",
          _audit_row("killed", "luckyus_sales_order.t_order"), _audit_row("killed", "luckyus_sales_order.t_order_item"))
    printed = _kill_build_when(wh, "START sql incremental model marts.fct_order_items")
    assert "Completed successfully" not in printed, "the build ended before it was killed"
    # fct_order_items reads fct_orders, so the kill found the load merged into one mart at least
    assert q("select count(*) from marts.fct_orders where order_id = 9400")[0][0] == 1

    wh.build("auto")
    assert q("select count(*) from marts.fct_orders where order_id = 9400 and is_revenue")[0][0] == 1
    assert q("select count(*) from marts.fct_order_items where order_id = 9400")[0][0] == 1
    assert q(f"select count(*) from marts.fct_orders where order_id = {deleted}")[0][0] == 0
    _equals_full_refresh(wh)


def _downstream(manifest: dict, roots: set[str]) -> set[str]:
    """Every node the manifest's child map reaches from `roots`."""
    seen, todo = set(), list(roots)
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def test_an_incremental_build_runs_only_what_the_new_loads_reach_and_nothing_when_none_came(built: Warehouse) -> None:
    """A load that changed the orders only: the incremental job builds what lies downstream of the
    two order tables and of the load audit (which every extract run writes, in a load of its own)
    and leaves every other mart as it stands (it would come out the same). With no new load
    since, no dbt runs at all: no build is recorded, the marts stay as they are."""
    wh, q = built, built.query
    wh.build("all")
    manifest = json.loads((wh.target_path / "manifest.json").read_text())
    changed = {"source.luckin.sales_order.t_order", "source.luckin.sales_order.t_order_item",
               "source.luckin.luckin_audit.load_audit"}
    reached = _downstream(manifest, changed)
    materialized = {uid for uid, node in manifest["nodes"].items()
                    if node["resource_type"] == "model" and node["config"]["materialized"] in ("table", "incremental")}
    builds = q("select count(*) from luckin_builds.builds")[0][0]

    template = _single_line_order(wh)
    _load(wh, landing.LOADED_AT + timedelta(days=1), *_new_order(9500, "2025-10-31 22:00:00+00", 0, template),
          _audit_row("orders", "luckyus_sales_order.t_order"), _audit_row("orders", "luckyus_sales_order.t_order_item"))
    proc = wh.build("auto")
    assert "downstream of 3 source(s) with new loads" in proc.stdout
    ran = {r["unique_id"] for r in wh.results() if r["unique_id"].startswith("model.")}
    assert ran == materialized & reached, f"built outside the orders' reach: {sorted(ran - reached)}; " \
                                          f"left out: {sorted((materialized & reached) - ran)}"
    assert materialized - reached, "every model reads the orders: the test shows nothing"
    assert q("select count(*) from marts.fct_order_items where order_id = 9500")[0][0] == 1
    assert q("select count(*) from luckin_builds.builds")[0][0] == builds + 1

    marts = wh.mart_fingerprints()
    proc = wh.build("auto")
    assert "nothing to build" in proc.stdout
    assert q("select count(*) from luckin_builds.builds")[0][0] == builds + 1
    assert wh.mart_fingerprints() == marts
    _equals_full_refresh(wh)
