"""The extract catalog covers the estate and says something sensible for every table."""

from __future__ import annotations

import pytest

from luckin.core.catalog import CatalogError, load_catalog, load_redis_catalog
from luckin.core.catalog.mysql import parse_catalog


def test_every_estate_table_is_in_the_catalog(estate_spec):
    catalog = load_catalog()
    missing = [f"{s}.{t}" for s, schema in estate_spec.items() for t in schema.tables
               if s not in catalog.schemas or t not in catalog.schemas[s].tables]
    assert missing == []
    assert len(catalog.schemas) == len(estate_spec)


def test_strategies_follow_the_rules(estate_spec):
    catalog = load_catalog()
    for s, schema in estate_spec.items():
        for name, table in schema.tables.items():
            entry = catalog.table(s, name)
            assert set(entry.primary_key) == set(table.primary_key), entry.qualified
            if entry.strategy == "merge":
                assert entry.cursor == "update_time", entry.qualified
            if entry.strategy == "append":
                assert entry.cursor in table.column_names, entry.qualified
                assert "update_time" not in table.column_names, f"{entry.qualified} is mutable"
            if "is_deleted" in table.column_names:
                assert entry.soft_delete == "is_deleted", entry.qualified
    assert catalog.table("luckyus_sales_order", "t_order").strategy == "merge"
    assert catalog.table("luckyus_sales_order", "t_order_status_log").strategy == "append"
    assert catalog.table("luckyus_sales_order", "t_dict_order_status").strategy == "replace"


@pytest.mark.parametrize("body, message", [
    ({"strategy": "upsert", "primary_key": "id"}, "strategy must be one of"),
    ({"strategy": "merge", "primary_key": "id"}, "needs a cursor"),
    ({"strategy": "append", "cursor": "id"}, "needs a primary_key"),
    ({"strategy": "replace", "primary_key": "id", "cursor": "id"}, "remove the cursor"),
    ({"strategy": "replace", "primary_key": "id", "partition": "x"}, "unknown keys"),
])
def test_malformed_entries_are_refused(body, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog({"schemas": {"s": {"tables": {"t": body}}}})


def test_redis_catalog_covers_the_78_instances_and_their_patterns():
    from luckin.simulator.redis_writer import load_instances

    catalog = load_redis_catalog()
    instances = load_instances()
    assert set(catalog.instances) == set(instances)
    for name, inst in instances.items():
        declared = {p.pattern: p for p in catalog.instances[name].patterns}
        for p in inst.patterns:
            assert p.pattern in declared, f"{name}/{p.pattern}"
            assert declared[p.pattern].type == p.type
            assert declared[p.pattern].sensitive == p.sensitive
    parsers = {p.parse for i in catalog.instances.values() for p in i.patterns if p.parse}
    assert {"iot_device_state", "inventory_levels", "order_queue_length", "order_sequence",
            "coupon_stock"} <= parsers


# --------------------------------------------------------------------------- luckin catalog
def test_catalog_refresh_adds_marks_and_keeps_what_was_written_by_hand(estate_spec, extract_env, redis14, tmp_path):
    """`refresh_catalog` against prefixed MariaDB databases and Redis db 14, on copies of both
    catalogs: a new schema and a new table are added with inferred strategies, a dropped table and
    the absent schemas are marked vanished, hand-written keys stay, new Redis key shapes are proposed."""
    import shutil

    import yaml

    from luckin.core.catalog.mysql import CATALOG_PATH, parse_catalog
    from luckin.core.catalog.redis import CATALOG_PATH as REDIS_PATH
    from luckin.core.catalog.redis import parse_catalog as parse_redis
    from luckin.core.settings import load_settings
    from pipelines.catalog_refresh import refresh_catalog
    from tests.pipelines.conftest import PREFIX, create_schema, mysql

    mysql_path, redis_path = tmp_path / "catalog.yml", tmp_path / "redis.yml"
    shutil.copy(CATALOG_PATH, mysql_path)
    shutil.copy(REDIS_PATH, redis_path)
    db = create_schema(estate_spec["luckyus_sales_order"], {"t_order": 3})
    mysql(["DROP TABLE t_refund", "CREATE TABLE t_order_note (id BIGINT PRIMARY KEY, order_id BIGINT,"
           " note TEXT, create_time DATETIME)"], database=db)
    new_db = PREFIX + "luckyus_zz_brand_new"
    mysql([f"DROP DATABASE IF EXISTS `{new_db}`", f"CREATE DATABASE `{new_db}`"])
    mysql(["CREATE TABLE t_widget (id INT PRIMARY KEY, name VARCHAR(9), is_deleted TINYINT(1),"
           " create_time DATETIME, update_time DATETIME)",
           "CREATE TABLE t_dict_widget_kind (code VARCHAR(8) PRIMARY KEY, name VARCHAR(9))"], database=new_db)
    redis14.set("luckyus-sales-order:order:queue_len:7", "3")  # a catalogued pattern: nothing to propose
    redis14.set("luckyus-sales-order:order:eta:12345", "90")
    redis14.hset("luckyus-brand-new-svc:widget:77", mapping={"a": "1"})
    try:
        diff = refresh_catalog(load_settings(), write=True, mysql_path=mysql_path, redis_path=redis_path)
        # a second refresh finds nothing new
        again = refresh_catalog(load_settings(), write=False, mysql_path=mysql_path, redis_path=redis_path)
    finally:
        mysql(f"DROP DATABASE IF EXISTS `{new_db}`")
    assert again.changes == [] and again.render() == "catalogs are up to date with the sources"
    got = {(c.source, c.kind, c.name) for c in diff.changes}
    assert {("mysql", "added", "luckyus_zz_brand_new"), ("mysql", "added", "luckyus_zz_brand_new.t_widget"),
            ("mysql", "added", "luckyus_sales_order.t_order_note"),
            ("mysql", "vanished", "luckyus_sales_order.t_refund"), ("mysql", "vanished", "fi_tax"),
            ("redis", "proposed", "luckyus-sales-order order:eta:{id}"),
            ("redis", "added", "luckyus-brand-new-svc"),
            ("redis", "proposed", "luckyus-brand-new-svc widget:{id}")} <= got
    assert not any("queue_len" in c.name for c in diff.changes)
    assert "+ mysql added    luckyus_zz_brand_new.t_widget  (merge on id, cursor update_time)" in diff.render()
    assert diff.written == [mysql_path, redis_path]
    catalog = parse_catalog(yaml.safe_load(mysql_path.read_text()))
    widget = catalog.table("luckyus_zz_brand_new", "t_widget")
    assert (widget.strategy, widget.primary_key, widget.cursor, widget.soft_delete) == \
        ("merge", ("id",), "update_time", "is_deleted")
    assert catalog.table("luckyus_zz_brand_new", "t_dict_widget_kind").strategy == "replace"
    assert catalog.table("luckyus_sales_order", "t_order_note").strategy == "append"
    assert catalog.table("luckyus_sales_order", "t_refund").vanished
    assert catalog.schemas["fi_tax"].vanished
    order = catalog.table("luckyus_sales_order", "t_order")
    assert order.soft_delete == "is_deleted" and order.vanished is None  # hand-written keys kept
    assert catalog.schemas["luckyus_sales_order"].description.startswith("Orders")
    redis = parse_redis(yaml.safe_load(redis_path.read_text()))
    assert {p.pattern: p.type for p in redis.instances["luckyus-brand-new-svc"].patterns} == {"widget:{id}": "hash"}
    assert any(p.pattern == "session:{user_id}" and p.sensitive for p in redis.instances["luckyus-sales-session"].patterns)


def test_catalog_refresh_writes_back_every_hand_written_key():
    """Rendering the committed catalog gives the same document: nothing a person wrote (columns,
    empty_by_design, descriptions) is lost or mangled by `luckin catalog`."""
    import yaml

    from luckin.core.catalog.mysql import CATALOG_PATH
    from pipelines.catalog_refresh import render_mysql

    doc = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    assert yaml.safe_load(render_mysql(doc)) == doc
    assert parse_catalog(yaml.safe_load(render_mysql(doc))) == load_catalog()
