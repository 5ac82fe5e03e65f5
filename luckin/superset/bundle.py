"""The dashboard as code: the import bundle in bi/superset/assets/ and the metrics from dbt.

    import_assets(client, config) -> Path         zip bi/superset/assets (database paths filled
                                                  in) and import it, overwriting
    sync_metric_layer(config, target) -> str      `superset-cli sync dbt-core`: datasets' columns,
                                                  descriptions and metrics from the dbt manifest
                                                  and the MetricFlow metrics (`mf query --explain`)

The bundle (Superset's YAML import format: databases/, datasets/, charts/, dashboards/) names
metrics but defines none: after each import, the sync writes every metric the metric layer
defines on the model a dataset reads (a MetricFlow metric whose SQL reads one model), so a
metric changed in dbt reaches Superset at the next start, and none is written twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from string import Template

from luckin.core import DBT_TARGET_DIR, PROJECT_DIR
from luckin.core.errors import redact
from luckin.core.settings import DuckDBWarehouse, Target
from luckin.transform import dbt_command, dbt_environment

from .client import SupersetClient
from .config import ASSETS_DIR, CLI_VENV, PROJECT_VENV, SupersetConfig
from .server import SupersetError

MARTS_PATH = "models/marts/"


def _substitutions(config: SupersetConfig) -> dict[str, str]:
    pg = config.postgres
    return {"published_duckdb": str(config.duckdb_link), "bi_role": config.bi_role, "pg_host": pg.host,
            "pg_port": str(pg.port), "pg_database": pg.database, "published_schema": config.published_schema}


def build_bundle(config: SupersetConfig, out: Path, kind: str = "Dashboard") -> Path:
    """An import zip of bi/superset/assets with the databases' addresses filled in: kind
    "Dashboard" (everything; Superset imports from it only what the dashboard uses) or
    "Database" (the connections alone, so one no chart uses, Postgres, is imported too). The
    Postgres connection is left out when the BI role has no password (LUCKIN_BI_PASSWORD)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, text in _bundle_files(config):
            if kind == "Database" and not rel.startswith("databases/"):
                continue
            zf.writestr(f"luckin_bundle/{rel}", text)
        if kind == "Database":
            zf.writestr("luckin_bundle/metadata.yaml", (ASSETS_DIR / "metadata.yaml").read_text(encoding="utf-8")
                        .replace("type: Dashboard", "type: Database"))
    return out


def _bundle_files(config: SupersetConfig) -> list[tuple[str, str]]:
    """(path in the bundle, text) for every asset, the databases' addresses filled in."""
    values, files = _substitutions(config), []
    for path in sorted(ASSETS_DIR.rglob("*.yaml")):
        rel = path.relative_to(ASSETS_DIR).as_posix()
        if rel == "databases/luckin_postgres.yaml" and not config.bi_password:
            continue
        text = path.read_text(encoding="utf-8")
        files.append((rel, Template(text).substitute(values) if rel.startswith("databases/") else text))
    return files


def assets_digest(config: SupersetConfig, manifests: list[Path]) -> str:
    """What an import and sync would write: the bundle's files and what the sync reads of dbt
    (the marts, the metrics, the semantic manifest), without dbt's per-run metadata."""
    dbt = []
    for manifest in manifests:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        dbt.append({"nodes": {uid: [n.get("description"), n.get("columns"), n.get("schema"), n.get("alias")]
                              for uid, n in doc["nodes"].items() if n.get("resource_type") == "model"},
                    "metrics": doc.get("metrics"), "semantic_models": doc.get("semantic_models")})
    semantic = DBT_TARGET_DIR / "semantic_manifest.json"
    digest = hashlib.sha256(json.dumps([_bundle_files(config), dbt], sort_keys=True, default=str).encode())
    digest.update(semantic.read_bytes() if semantic.exists() else b"")
    return digest.hexdigest()


def link_published_file(config: SupersetConfig) -> Path:
    """data/superset/published.duckdb -> the published marts file (see SupersetConfig.duckdb_link)."""
    if not config.published_duckdb.exists():
        raise SupersetError(f"no published marts at {config.published_duckdb}",
                            hint="build, validate and publish first (`luckin build`, `luckin publish`)")
    link = config.duckdb_link
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == config.published_duckdb.resolve():
            return link
        link.unlink()
    link.symlink_to(config.published_duckdb.resolve())
    return link


def import_assets(client: SupersetClient, config: SupersetConfig) -> Path:
    link_published_file(config)
    passwords = {"databases/luckin_postgres.yaml": config.bi_password} if config.bi_password else {}
    client.import_bundle("database", build_bundle(config, config.state_dir / "luckin_databases.zip", "Database"),
                         passwords)
    bundle = build_bundle(config, config.state_dir / "luckin_bundle.zip")
    client.import_bundle("dashboard", bundle, passwords)
    return bundle


# --------------------------------------------------------------------------- the metric layer
def mart_manifest(config: SupersetConfig, target: Target, settings) -> Path:
    """`dbt parse` for the target (target/manifest.json and target/semantic_manifest.json, where
    MetricFlow's `mf` reads them: it ignores DBT_TARGET_PATH), then a copy of the manifest holding
    only the marts, which are what the published file and schema contain, in
    target/superset-<target>/manifest.json; on Postgres their schema is the published one (dbt
    builds `marts`, readers see `published`). Returns the copy's path."""
    warehouse = settings.warehouse_for(target)
    out = DBT_TARGET_DIR / f"superset-{target.value}" / "manifest.json"  # preset-cli wants this name
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = dbt_command(["parse", "--quiet"], warehouse)
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=_dbt_env(warehouse, out.parent), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        raise SupersetError(f"dbt parse for the Superset sync failed: {redact(tail, *settings.secrets)}")
    manifest = json.loads((DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["nodes"] = {uid: node for uid, node in manifest["nodes"].items()
                         if node.get("resource_type") != "model" or node.get("original_file_path", "").startswith(MARTS_PATH)}
    manifest["metrics"] = _convertible_metrics(manifest["metrics"])
    if target is Target.postgres:
        for node in manifest["nodes"].values():
            if node.get("resource_type") == "model":
                node["schema"] = config.published_schema
    out.write_text(json.dumps(manifest), encoding="utf-8")
    return out


def _convertible_metrics(metrics: dict) -> dict:
    """The metrics preset-cli can turn into one dataset's SQL expression: simple ones, and ratios
    of two simple ones. MetricFlow answers derived metrics (and ratios over them) with nested
    subqueries that preset-cli's SQL parser rejects, failing the whole sync; they stay in the
    metric layer (`luckin metrics query`) and in the mtr_* tables."""
    kinds = {m["name"]: m["type"] for m in metrics.values()}

    def convertible(metric: dict) -> bool:
        if metric["type"] == "simple":
            return True
        params = metric["type_params"]
        return (metric["type"] == "ratio"
                and all(kinds.get((params.get(side) or {}).get("name")) == "simple" for side in ("numerator", "denominator")))

    return {uid: m for uid, m in metrics.items() if convertible(m)}


def _dbt_env(warehouse, work_dir: Path) -> dict[str, str]:
    env = dbt_environment(warehouse)
    if isinstance(warehouse, DuckDBWarehouse):
        # dbt and MetricFlow open the DuckDB profile's file to parse and to explain: a stand-in
        # of the same name (the SQL names the catalog after it), never the working warehouse.
        stand_in = work_dir / "catalog" / warehouse.path.name
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        env["LUCKIN_DUCKDB_PATH"] = str(stand_in)
    return env


def sync_metric_layer(config: SupersetConfig, settings, target: Target = Target.duckdb,
                      manifest: Path | None = None) -> str:
    """Run preset-cli's dbt-core sync against the running Superset for the target's database
    (`luckin_<target>`, imported just before), from `manifest` (mart_manifest's, parsed now
    when None). Returns its log (names of synced models/metrics)."""
    manifest = manifest or mart_manifest(config, target, settings)
    warehouse = settings.warehouse_for(target)
    env = _dbt_env(warehouse, manifest.parent)
    # preset-cli asks MetricFlow for each metric's SQL (`mf query --explain`) in this folder, with
    # the dbt project's `mf` first on PATH and the profile's target in DBT_TARGET.
    # preset-cli renders the whole profile, the Postgres output's env_var('LUCKIN_PG_PASSWORD') too
    env.setdefault("LUCKIN_PG_PASSWORD", settings.postgres.password)
    env.update(DBT_PROFILES_DIR=str(PROJECT_DIR), DBT_PROJECT_DIR=str(PROJECT_DIR), DBT_TARGET=target.value,
               PATH=f"{PROJECT_VENV / 'bin'}{os.pathsep}{env.get('PATH', os.environ.get('PATH', ''))}")
    mf = shutil.which("mf", path=env["PATH"])
    if mf is None:
        raise SupersetError("MetricFlow's `mf` is not installed in .venv",
                            hint="`make install` (dbt-metricflow is in requirements.lock)")
    if target is Target.postgres:
        # MetricFlow writes the schema dbt builds (`marts`); BI reads `published`: the same tables
        # after the swap. A wrapper renames the schema in mf's SQL so preset-cli finds the model.
        shim = manifest.parent / "bin" / "mf"
        shim.parent.mkdir(parents=True, exist_ok=True)
        shim.write_text(f'#!/usr/bin/env bash\nset -o pipefail\n"{mf}" "$@" | '
                        f'sed \'s/"marts"\\./"{config.published_schema}"./g\'\n', encoding="utf-8")
        shim.chmod(0o755)
        env["PATH"] = f"{shim.parent}{os.pathsep}{env['PATH']}"
    # `--option=value`: a generated password may begin with "-", which click would read as an option.
    cmd = [str(CLI_VENV / "bin" / "superset-cli"), "--loglevel", "INFO",
           f"--username={config.admin_username}", f"--password={config.admin_password}",
           config.url, "sync", "dbt-core", str(manifest),
           "--project", "luckin", "--target", target.value, "--profiles", str(PROJECT_DIR / "profiles.yml"),
           "--raise-failures"]
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    log = redact(proc.stdout + proc.stderr, *config.secrets, *settings.secrets)
    (config.state_dir / f"sync-dbt-{target.value}.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        tail = " | ".join(line for line in log.strip().splitlines()[-3:])
        raise SupersetError(f"superset-cli sync dbt-core ({target.value}) failed: {tail}",
                            hint=f"see {config.state_dir / f'sync-dbt-{target.value}.log'}")
    return log
