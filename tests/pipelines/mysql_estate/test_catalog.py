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
