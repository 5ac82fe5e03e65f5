"""The catalog: what the extract loads from the estate, and how.

- `mysql`: every MySQL schema and table with its load strategy (`pipelines/mysql_estate/catalog.yml`).
- `redis`: every Redis instance with its key patterns (`pipelines/redis_estate/catalog.yml`).

Column names and types are not catalogued: they are read from the source at each run.
"""

from luckin.core.catalog.mysql import (
    Catalog,
    CatalogError,
    SchemaEntry,
    TableEntry,
    infer_entry,
    load_catalog,
    with_discovered,
)
from luckin.core.catalog.redis import KeyPattern, RedisCatalog, RedisInstance
from luckin.core.catalog.redis import load_catalog as load_redis_catalog

__all__ = ["Catalog", "CatalogError", "KeyPattern", "RedisCatalog", "RedisInstance", "SchemaEntry", "TableEntry",
           "infer_entry", "load_catalog", "load_redis_catalog", "with_discovered"]
