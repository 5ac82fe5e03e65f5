"""Answer metric queries on the warehouse the settings name: MetricFlow compiles, the core's
read-only session runs the SQL (DuckDB file or Postgres database)."""

from __future__ import annotations

import re

import pandas as pd

from luckin.core.errors import WarehouseError
from luckin.core.sessions import WarehouseSession
from luckin.core.settings import Settings
from luckin.metrics.semantic import compile_query

_RELATION = re.compile(r"\bmarts\.([a-z_][a-z0-9_]*)\b")


def metric_sql(settings: Settings, metrics: list[str], group_by: list[str] | None = None,
               where: list[str] | None = None, order_by: list[str] | None = None, limit: int | None = None) -> str:
    """MetricFlow's SQL for the query on the settings' warehouse."""
    sql = compile_query(settings.warehouse.kind, metrics, group_by, where, order_by)
    return sql if limit is None else f"select * from (\n{sql}\n) as metric_query limit {int(limit)}"


def query_metrics(settings: Settings, metrics: list[str], group_by: list[str] | None = None,
                  where: list[str] | None = None, order_by: list[str] | None = None,
                  limit: int | None = None) -> pd.DataFrame:
    """The metrics by the group-by names, as a DataFrame (one column per group-by item and metric)."""
    sql = metric_sql(settings, metrics, group_by, where, order_by, limit)
    with WarehouseSession(settings.warehouse) as session:
        missing = sorted(t for t in set(_RELATION.findall(sql)) if not session.relation_exists("marts", t))
        if missing:
            raise WarehouseError(f"{settings.warehouse.describe()} has no marts.{', marts.'.join(missing)}",
                                 hint="run `luckin build` first")
        return session.query(sql)
