"""The metric layer: MetricFlow over the dbt semantic models (models/marts/semantic/).

- `semantic`: the semantic manifest (from `dbt parse`), MetricFlow's engine, `list_metrics`,
  `compile_query` (MetricFlow's SQL for DuckDB or Postgres).
- `query`: `query_metrics(settings, metrics, group_by, ...)` runs that SQL on the warehouse.
- `tables` + `generate`: the mtr_* marts, dbt models generated from MetricFlow's SQL.

It imports the core and the transform layer (dbt's runner), nothing above them; the command
line (`luckin metrics ...`) is in luckin/cli.py.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luckin.metrics.query import metric_sql, query_metrics  # noqa: F401
    from luckin.metrics.semantic import compile_query, list_metrics  # noqa: F401

# MetricFlow takes seconds to import: names load on first use.
# (`generate` is imported from luckin.metrics.generate: the submodule has that name.)
_HOMES = {"metric_sql": "query", "query_metrics": "query",
          "compile_query": "semantic", "list_metrics": "semantic"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'luckin.metrics' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"luckin.metrics.{_HOMES[name]}"), name)
