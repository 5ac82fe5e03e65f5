"""The metric layer's definitions as MetricFlow reads them, and MetricFlow's SQL for a query.

The semantic models and metrics are dbt YAML (models/marts/semantic/); `dbt parse` turns them
into target/metrics/semantic_manifest.json, which `semantic_manifest()` re-parses only when a
file of the dbt project changed since. The relations in it lose their database (DuckDB's is the
file's name, Postgres's the database's), so one manifest serves every warehouse: MetricFlow's
SQL reads `marts.<model>`, which resolves in the warehouse the session is connected to.

MetricFlow here only compiles: `compile_query()` returns the SQL for one adapter, and the
warehouse sessions of the core (read-only, the project's error messages) run it.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from luckin.core import DBT_TARGET_DIR, PROJECT_DIR
from luckin.core.errors import BuildError, ConfigError
from luckin.transform import dbt_command, dbt_environment

MANIFEST_DIR = DBT_TARGET_DIR / "metrics"
# What `dbt parse` reads: a change in any of these makes the manifest stale.
_PROJECT_INPUTS = ("models", "macros", "seeds", "snapshots", "dbt_project.yml")


class UnknownMetric(ConfigError):
    """A metric or a dimension the metric layer does not define."""


class MetricQueryError(ConfigError):
    """MetricFlow refused the query (a dimension the metrics cannot be cut by, a bad filter)."""


def _newest_input() -> float:
    newest = 0.0
    for name in _PROJECT_INPUTS:
        path = PROJECT_DIR / name
        files = [path] if path.is_file() else path.rglob("*")
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def manifest_path(refresh: bool = False) -> Path:
    """target/metrics/semantic_manifest.json, from `dbt parse` when missing or older than the project."""
    path = MANIFEST_DIR / "semantic_manifest.json"
    if refresh or not path.exists() or path.stat().st_mtime < _newest_input():
        # The in-memory `lint` target: parsing opens no warehouse and takes no lock.
        cmd = dbt_command(["parse", "--quiet", "--target", "lint", "--target-path", str(MANIFEST_DIR)])
        proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=dbt_environment_for_parse(), capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0 or not path.exists():
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
            raise BuildError(f"dbt parse of the metric layer failed: {' | '.join(lines[-3:])}",
                             hint="fix models/marts/semantic/*.yml; `dbt parse` shows the whole error")
    return path


def dbt_environment_for_parse() -> dict[str, str]:
    """The environment of a `dbt parse` (no warehouse: the profile's in-memory lint target)."""
    from luckin.core.settings import DuckDBWarehouse

    return dbt_environment(DuckDBWarehouse(Path(":memory:")))


def _without_database(raw: dict) -> dict:
    for model in raw.get("semantic_models", []):
        relation = model.get("node_relation") or {}
        relation["database"] = None
        if relation.get("schema_name") and relation.get("alias"):
            relation["relation_name"] = f'{relation["schema_name"]}.{relation["alias"]}'
    for spine in (raw.get("project_configuration") or {}).get("time_spines", []):
        relation = spine.get("node_relation") or {}
        relation["database"] = None
        if relation.get("schema_name") and relation.get("alias"):
            relation["relation_name"] = f'{relation["schema_name"]}.{relation["alias"]}'
    return raw


@lru_cache(maxsize=4)
def _lookup(path: str, mtime: float):
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    raw = _without_database(json.loads(Path(path).read_text(encoding="utf-8")))
    return SemanticManifestLookup(parse_manifest_from_dbt_generated_manifest(json.dumps(raw)))


def semantic_lookup(refresh: bool = False):
    """MetricFlow's view of the metric layer (a SemanticManifestLookup)."""
    path = manifest_path(refresh)
    return _lookup(str(path), path.stat().st_mtime)


class _CompileOnlyClient:
    """A MetricFlow SqlClient that renders SQL for one engine and never connects: the core's
    sessions run the SQL. MetricFlow calls only `sql_engine_type` and `sql_plan_renderer` to explain."""

    def __init__(self, target: str):
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
        from metricflow.sql.render.postgres import PostgresSQLSqlPlanRenderer

        engines = {"duckdb": (SqlEngine.DUCKDB, DuckDbSqlPlanRenderer),
                   "postgres": (SqlEngine.POSTGRES, PostgresSQLSqlPlanRenderer)}
        engine, renderer = engines[target]
        self.sql_engine_type = engine
        self.sql_plan_renderer = renderer()

    # MetricFlowEngine insists on a SqlClient, but here it must only plan and render SQL: the
    # SQL runs in the core's read-only session. Should MetricFlow ever try to run something
    # itself, fail loudly rather than open a second connection to the warehouse.
    def _refuse(self, *args, **kwargs):
        raise NotImplementedError("the metric layer compiles only; WarehouseSession runs the SQL")

    query = execute = dry_run = close = render_bind_parameter_key = _refuse


@lru_cache(maxsize=8)
def _engine(target: str, path: str, mtime: float):
    from metricflow.engine.metricflow_engine import MetricFlowEngine

    return MetricFlowEngine(semantic_manifest_lookup=_lookup(path, mtime), sql_client=_CompileOnlyClient(target))


def engine(target: str):
    """A MetricFlowEngine compiling for `target` (duckdb or postgres)."""
    path = manifest_path()
    return _engine(target, str(path), path.stat().st_mtime)


def _reason(exc: BaseException) -> str:
    """MetricFlow's message in one line: what it could not resolve, and its suggestions."""
    text = " ".join(str(exc).split())
    message = re.search(r"Message: (.*?)(?: Common issues are:| Suggestions:| Query Input:|$)", text)
    reason = message.group(1) if message else text
    query_input = re.search(r"Query Input: (.*?) Issue Location:", text)
    if query_input:
        reason = f"{query_input.group(1)}: {reason}"
    suggestions = re.search(r"Suggestions: \[(.*?)\]", text)
    if suggestions:
        reason += f" (did you mean {suggestions.group(1).strip().rstrip(',')}?)"
    return reason[:500]


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str
    description: str
    type: str
    dimensions: tuple[str, ...]


def list_metrics(target: str = "duckdb") -> list[MetricInfo]:
    """Every metric of the layer with the group-by names it can be cut by."""
    out = []
    for metric in engine(target).list_metrics(include_dimensions=True):
        dims = sorted({"metric_time", *(d.dunder_name for d in metric.dimensions)})
        out.append(MetricInfo(metric.name, metric.label or metric.name, " ".join((metric.description or "").split()),
                              metric.type.value if hasattr(metric.type, "value") else str(metric.type), tuple(dims)))
    return sorted(out, key=lambda m: m.name)


def compile_query(target: str, metrics: list[str], group_by: list[str] | None = None,
                  where: list[str] | None = None, order_by: list[str] | None = None) -> str:
    """MetricFlow's SQL for the metrics by the group-by names on `target`."""
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    known = {m.name for m in engine(target).list_metrics(include_dimensions=False)}
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise UnknownMetric(f"unknown metric {', '.join(unknown)}", hint="`luckin metrics list` names every metric")
    request = MetricFlowQueryRequest.create(metric_names=list(metrics), group_by_names=list(group_by or []),
                                            where_constraints=list(where or []) or None,
                                            order_by_names=list(order_by or []) or None)
    try:
        result = engine(target).explain(request)
    except Exception as exc:  # MetricFlow's own errors (unknown dimension, bad filter) are many classes
        raise MetricQueryError(f"MetricFlow refused the query: {_reason(exc)}",
                               hint="`luckin metrics list --dimensions` shows what each metric can be cut by") from exc
    return result.sql_statement.sql
