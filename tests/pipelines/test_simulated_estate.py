"""End to end on the real simulator's estate (scale 0.01): all 62 schemas and 78 Redis instances
into DuckDB and Postgres with an exact reconciliation, then `simulate --append-days 3` and an
incremental run (updates and inserts arrive, nothing duplicated), and the embedded stand-in."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest
import redis

from luckin.simulator import run as simrun
from luckin.simulator.targets import MySQLSettings, MySQLTarget, SQLiteTarget
from tests.pipelines.conftest import extract, verify, REDIS_URL, drop_prefixed, mysql, pg_query

SIM_PREFIX = f"luckin_test_s{os.getpid()}_"


class _GuardedCursor:
    """Refuses any statement that would select, create or drop a database outside the prefix."""

    def __init__(self, cursor, prefix: str):
        self._cursor, self._prefix = cursor, prefix

    def execute(self, sql, *args, **kwargs):
        head = " ".join(str(sql).split()[:2]).upper()
        if head.startswith(("USE ", "DROP DATABASE", "CREATE DATABASE")) and f"`{self._prefix}" not in str(sql):
            raise RuntimeError(f"test estate would write outside {self._prefix}*: {str(sql)[:80]}")
        return self._cursor.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._cursor.__exit__(*exc)


class _GuardedConnection:
    def __init__(self, conn, prefix: str):
        self._conn, self._prefix = conn, prefix

    def cursor(self, *args, **kwargs):
        return _GuardedCursor(self._conn.cursor(*args, **kwargs), self._prefix)

    def __getattr__(self, name):
        return getattr(self._conn, name)


class PrefixedMySQLTarget(MySQLTarget):
    """The simulator's MariaDB target, writing `<prefix><schema>` databases (test isolation).
    Every connection it uses refuses statements on databases outside the prefix, so a change
    of the simulator's internals fails this test instead of overwriting the shared estate."""

    def __init__(self, settings: MySQLSettings, prefix: str):
        super().__init__(dataclasses.replace(settings, database_prefix=prefix))
        self.prefix = prefix

    def _conn(self):
        return _GuardedConnection(super()._conn(), self.prefix)

    def drop_other_schemas(self, keep, pattern=None):
        return []


def simulate(append_days: int = 0, scale: float = 0.01, seed: int = 5):
    """`luckin simulate --scale 0.01` (or `--append-days`) into prefixed databases and Redis db 14."""
    def targets(mysql_settings, redis_url, embedded_dir, embedded=False):
        return simrun.Targets(PrefixedMySQLTarget(mysql_settings, SIM_PREFIX), redis.Redis.from_url(redis_url),
                              redis_url)

    original = simrun.resolve_targets
    simrun.resolve_targets = targets
    try:
        return simrun.simulate(scale, seed, append_days, redis_url=REDIS_URL)
    finally:
        simrun.resolve_targets = original


@pytest.fixture(scope="module")
def simulated():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    result = simulate()
    yield result
    drop_prefixed(SIM_PREFIX)
    client.flushdb()


@pytest.fixture()
def sim_env(extract_env, monkeypatch):
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__DATABASE_PREFIX", SIM_PREFIX)
    return extract_env


def test_whole_estate_into_duckdb_then_append_days_incremental(simulated, sim_env, duck):
    summary = extract(verify=True)
    assert summary.ok and summary.verified, [(t.table, t.error) for t in summary.failures]
    assert len({t.schema for t in summary.tables}) == 62
    assert summary.redis.status == "loaded" and summary.redis.instances == 78
    assert summary.redis.unknown_keys == 0
    (zeros,), = duck("SELECT COUNT(*) FROM luckyus_sales_user.t_user WHERE legacy_verify_time IS NULL")
    assert zeros > 0
    assert duck("SELECT COUNT(*) FROM redis_snapshots.iot_device_state") == [(216,)]
    # the audit names the snapshot's load, so `luckin build` counts it as read once built
    assert duck("SELECT DISTINCT a.load_id = s._dlt_load_id FROM luckin_audit.load_audit a, "
                "redis_snapshots.instance_info s WHERE a.source_schema = 'redis_snapshots'") == [(True,)]
    top, = duck("SELECT instance, used_memory_pct FROM redis_snapshots.instance_info "
                "ORDER BY used_memory_bytes DESC LIMIT 1")
    assert top[0] == "luckyus-isales-market" and top[1] > 85
    for schema in ("luckyus_member", "fi_tax"):
        assert all(t.rows_in_warehouse == 0 for t in summary.tables if t.schema == schema)

    db = SIM_PREFIX + "luckyus_sales_order"
    orders_before = mysql("SELECT COUNT(*) FROM t_order", database=db)[0][0]
    appended = simulate(append_days=3)
    assert appended.rows[f"luckyus_sales_order.t_order"] > 0
    orders_after = mysql("SELECT COUNT(*) FROM t_order", database=db)[0][0]
    assert orders_after > orders_before  # inserts arrived (and updates: the delta is larger)

    inc = extract(verify=True)
    assert inc.ok and inc.verified, ([(t.table, t.error) for t in inc.failures], inc.verify_problems)
    # days appended are no reload: nothing is re-synced whole
    resynced = [(t.table, t.resync_reason) for t in inc.resynced]
    assert not resynced, "\n".join(map(str, resynced))
    runs = {(t.schema, t.table): t for t in inc.tables}
    t_order = runs[("luckyus_sales_order", "t_order")]
    assert t_order.disposition == "merge"
    assert t_order.rows_extracted < orders_after  # incremental, not a reload
    assert duck("SELECT COUNT(*) - COUNT(DISTINCT id) FROM luckyus_sales_order.t_order") == [(0,)]
    assert duck("SELECT COUNT(*) FROM luckyus_sales_order.t_order") == [(orders_after,)]
    assert runs[("luckyus_member", "t_member")].status == "unchanged"
    assert duck("SELECT COUNT(DISTINCT snapshot_id) FROM redis_snapshots.instance_info") == [(2,)]


def test_whole_estate_into_postgres(simulated, sim_env, pg_env):
    summary = extract("postgres", verify=True)
    assert summary.ok and summary.verified, [(t.table, t.error) for t in summary.failures]
    types = dict(pg_query(pg_env, "SELECT column_name, data_type FROM information_schema.columns WHERE "
                                  "table_schema = 'luckyus_sales_order' AND table_name = 't_order'"))
    assert types["pay_amount"] == "numeric" and types["is_deleted"] == "boolean"
    assert types["create_time"] == "timestamp with time zone" and types["id"] == "bigint"
    shop = dict(pg_query(pg_env, "SELECT column_name, data_type FROM information_schema.columns WHERE "
                                 "table_schema = 'luckyus_sales_shop' AND table_name = 't_shop'"))
    assert shop["business_hours"] == "jsonb"
    (scale,), = pg_query(pg_env, "SELECT numeric_scale FROM information_schema.columns WHERE table_schema ="
                                 " 'luckyus_sales_order' AND table_name = 't_order' AND column_name = 'pay_amount'")
    assert scale == 2
    assert pg_query(pg_env, "SELECT COUNT(*) FROM redis_snapshots.iot_device_state")[0][0] == 216
    # Every table the run loaded has planner statistics at once (the build's joins are planned
    # from them; autovacuum may be late or, as on this machine, off).
    loaded = {(t.schema, t.table) for t in summary.tables if t.status == "loaded"}
    analyzed = {(s, t) for s, t in pg_query(pg_env, "SELECT schemaname, relname FROM pg_stat_user_tables "
                                                    "WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL")}
    assert loaded and loaded <= analyzed, sorted(loaded - analyzed)[:5]


def test_embedded_stand_in_reads_through_the_same_code(simulated, sim_env, monkeypatch, tmp_path, duck,
                                                       estate_spec):
    """SQLite files written by the simulator's own SQLite target, from the simulated tables."""
    # luckyus_isales_market: its duplicate-coupon ids are sparse (id + 1e9), so its pages are
    # keyset pages; small pages make keys cross digit counts (SQLite delivers them as text).
    schemas = ["luckyus_sales_user", "luckyus_sales_order", "luckyus_sales_shop", "fi_tax", "luckyus_isales_market"]
    target = SQLiteTarget(tmp_path / "estate")
    all_frames = {}
    for name in schemas:
        schema = estate_spec[name]
        frames = {}
        for t in schema.tables.values():
            rows = mysql(f"SELECT * FROM `{t.name}`", database=SIM_PREFIX + name)
            # PyMySQL gives datetimes, and zero dates as the text '0000-00-00 00:00:00'
            frames[t.name] = pd.DataFrame(list(rows), columns=t.column_names)
        all_frames[name] = frames
    target.create_estate([estate_spec[n] for n in schemas])
    for name in schemas:
        for table in estate_spec[name].tables.values():
            target.load_table(table, all_frames[name][table.name])
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__MODE", "embedded")
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__EMBEDDED_DIR", str(tmp_path / "estate"))
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__CHUNK_ROWS", "700")
    summary = extract(schemas=schemas, verify=True)
    assert summary.ok and summary.verified, [(t.table, t.error) for t in summary.failures]
    assert "embedded SQLite" in summary.source
    types = dict(duck("SELECT column_name, data_type FROM information_schema.columns WHERE "
                      "table_schema = 'luckyus_sales_order' AND table_name = 't_order'"))
    assert types["pay_amount"] == "DECIMAL(10,2)" and types["is_deleted"] == "BOOLEAN"
    src = mysql("SELECT SUM(pay_amount) FROM t_order", database=SIM_PREFIX + "luckyus_sales_order")[0][0]
    assert duck("SELECT SUM(pay_amount) FROM luckyus_sales_order.t_order") == [(src,)]
    assert Path(tmp_path / "estate" / "luckyus_sales_order.sqlite").exists()
    coupons = mysql("SELECT COUNT(*) FROM t_coupon", database=SIM_PREFIX + "luckyus_isales_market")[0][0]
    assert duck("SELECT COUNT(*), COUNT(DISTINCT id) FROM luckyus_isales_market.t_coupon") == [(coupons, coupons)]
    t_user = next(t for t in summary.tables if t.table == "t_user")
    assert t_user.zero_dates_nulled > 0  # zero dates stored as text in SQLite are recognised too


def test_an_estate_simulated_again_with_another_scale_and_seed_converges(simulated, sim_env, duck):
    """Over a warehouse landed from one estate, the estate is replaced by another (other scale,
    other seed: other rows under the same keys, fewer or more keys); the next incremental extract
    leaves exactly the new estate's keys live (deletes marked, tables re-synced), `verify` agrees.
    Runs last in this module: it replaces the module's estate."""
    first = extract()
    assert first.ok
    simulate(scale=0.012, seed=6)
    summary = extract(verify=True)
    assert summary.ok and summary.verified, [(t.table, t.error) for t in summary.failures]
    assert summary.resynced or summary.rows_deleted
    db = SIM_PREFIX + "luckyus_sales_order"
    src = mysql("SELECT COUNT(*), SUM(pay_amount) FROM t_order", database=db)[0]
    assert duck('SELECT COUNT(*), SUM(pay_amount) FROM luckyus_sales_order.t_order'
                ' WHERE "_luckin_deleted_at" IS NULL') == [src]
