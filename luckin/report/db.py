"""The warehouse as the report suite and the quality gates see it: compiled analyses and queries.

The warehouse is the one `luckin.core.settings` resolved for the command (the DuckDB file,
opened read-only, or the Postgres database, in a read-only session), so `luckin build`,
`luckin report` and `luckin validate` all talk to one warehouse.

The analyses (analyses/**.sql) are compiled by `dbt compile` into a target folder of their own
(target/report-<target>/, or LUCKIN_REPORT_TARGET_PATH/<target>), so a report never disturbs
the project's target/; dbt's manifest says which marts each analysis reads. On DuckDB the
compile runs against a stand-in file of the same name, so the warehouse is only ever opened
read-only.

The report suite reads the *published* marts (`luckin publish`): `CompiledAnalyses.reading`
swaps each mart's relation name, as dbt rendered it for the working warehouse, for the
published one (the published DuckDB file, schema `marts`; Postgres schema `published`).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path


from luckin.core import PROJECT_DIR
from luckin.core.errors import WarehouseError
from luckin.core.settings import MARTS_SCHEMA as WORKING_MARTS, PUBLISHED_SCHEMA, DuckDBWarehouse, Warehouse
from luckin.transform import dbt_command, dbt_environment

MARTS_SCHEMA = WORKING_MARTS


@dataclass
class Analysis:
    """One compiled analysis: its name, file, the marts it reads and its SQL for the target."""

    name: str
    path: str  # relative to the project root, e.g. analyses/report_01_.../r01_monthly_revenue.sql
    marts: list[str]
    sql: str
    description: str = ""
    non_mart_inputs: list[str] = field(default_factory=list)  # anything read that is not a mart (should be none)
    # the marts as the compiled SQL names them: relation name -> table (e.g. '"warehouse"."marts"."fct_orders"')
    relations: dict[str, str] = field(default_factory=dict)

    @property
    def report(self) -> str:
        """The two-digit report number the analysis belongs to (r01_... -> "01")."""
        return self.name[1:3]


@dataclass
class CompiledAnalyses:
    target: str
    target_path: Path
    analyses: dict[str, Analysis] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Analysis:
        return self.analyses[name]

    def __iter__(self):
        return iter(self.analyses.values())

    def __len__(self) -> int:
        return len(self.analyses)

    def reading(self, published: Warehouse) -> "CompiledAnalyses":
        """The same analyses reading the published marts (`luckin publish`) instead of the working
        ones: each mart's relation name, as dbt rendered it, swapped for its published name."""
        out = CompiledAnalyses(self.target, self.target_path)
        for name, analysis in self.analyses.items():
            sql = analysis.sql
            for relation, table in analysis.relations.items():
                sql = sql.replace(relation, published_relation(published, table))
            out.analyses[name] = replace(analysis, sql=sql, relations={
                published_relation(published, table): table for table in analysis.relations.values()})
        return out


def catalog_name(path: Path) -> str:
    """The catalog DuckDB names a file it opens: the file name up to its first dot."""
    return path.name.lstrip(".").split(".")[0]


def published_relation(published: Warehouse, table: str) -> str:
    """A published mart's fully qualified name: "<file's catalog>"."marts"."<table>" in the
    published DuckDB file (a catalog is named after its file), "<database>"."published"."<table>"
    on Postgres."""
    if isinstance(published, DuckDBWarehouse):
        return f'"{catalog_name(published.path)}"."{WORKING_MARTS}"."{table}"'
    return f'"{published.database}"."{PUBLISHED_SCHEMA}"."{table}"'


def report_target_path(settings) -> Path:
    """Where the analyses of the settings' target are compiled (`Settings.report_target_dir`)."""
    return settings.report_target_dir / f"report-{settings.target.value}"


def _header_comment(sql: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


def compile_analyses(warehouse: Warehouse, target_path: Path) -> CompiledAnalyses:
    """`dbt compile` every analysis for the warehouse; returns them with their marts and SQL."""
    target = warehouse.kind
    cmd = dbt_command(["compile", "--select", "resource_type:analysis", "--target-path", str(target_path),
                       "--quiet"], warehouse)
    env = dbt_environment(warehouse)
    if isinstance(warehouse, DuckDBWarehouse):
        # dbt-duckdb opens its database read-write even to compile: point it at a stand-in file
        # with the warehouse's name (the compiled SQL names the catalog after the file), so a
        # report never needs the warehouse's write lock (a BI tool or a reader may hold it) and
        # never creates an empty warehouse where there is none.
        stand_in = target_path / "compile-catalog" / warehouse.path.name
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        env["LUCKIN_DUCKDB_PATH"] = str(stand_in)
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise WarehouseError(f"dbt compile of the analyses failed (exit {proc.returncode}): "
                             + " | ".join(tail.splitlines()[-3:]), hint="run `luckin build` first; dbt's output is in logs/dbt.log")
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    compiled = CompiledAnalyses(target, target_path)
    for node in manifest["nodes"].values():
        if node.get("resource_type") != "analysis" or node.get("package_name") != "luckin":
            continue
        sql = node.get("compiled_code")
        if not sql:
            compiled_file = target_path / "compiled" / "luckin" / node["original_file_path"]
            sql = compiled_file.read_text(encoding="utf-8")
        marts, others, relations = [], [], {}
        for dep in node["depends_on"]["nodes"]:
            upstream = manifest["nodes"].get(dep) or manifest.get("sources", {}).get(dep) or {}
            is_mart = dep.startswith("model.") and upstream.get("original_file_path", "").startswith("models/marts/")
            (marts if is_mart else others).append(dep.split(".")[-1] if is_mart else dep)
            if is_mart:
                relations[upstream["relation_name"]] = upstream["alias"]
        compiled.analyses[node["name"]] = Analysis(
            name=node["name"], path=node["original_file_path"], marts=sorted(marts), sql=sql,
            description=_header_comment(node.get("raw_code", "")), non_mart_inputs=sorted(others),
            relations=relations,
        )
    compiled.analyses = dict(sorted(compiled.analyses.items()))
    return compiled


def require_published(published: Warehouse) -> None:
    """A one-line WarehouseError when nothing has been published for the report to read."""
    if isinstance(published, DuckDBWarehouse):
        missing = not published.path.exists()
        where = str(published.path)
    else:
        from luckin.core.sessions import query

        missing = not query(published, "select to_regnamespace(%s) is not null", (PUBLISHED_SCHEMA,))[0][0]
        where = f"{published.describe()} schema {PUBLISHED_SCHEMA}"
    if missing:
        raise WarehouseError(f"no published marts at {where}",
                             hint="the report reads what `luckin publish` made visible: run it after `luckin build`")


def non_mart_dependencies(compiled: CompiledAnalyses) -> dict[str, list[str]]:
    """Analyses that read anything but a mart (a source, staging, intermediate): should be none."""
    return {a.name: a.non_mart_inputs for a in compiled if a.non_mart_inputs}
