"""`luckin build`: the build jobs, and the build state each warehouse keeps.

    incremental   the job after each extract: tables, incremental models and snapshots with
                  their data tests (selectors.yml: data_refresh), those only downstream of a
                  source with a load the last passing build did not read (data_changed; no
                  dbt at all when there is none); when the code changed since the last
                  complete build, all of data_refresh and the views, seeds and unit tests
                  that changed (incremental_refresh, against that build's manifest)
    all           every node, incremental marts updated in place (plain `dbt build`)
    full-refresh  every node, incremental marts rebuilt from scratch
    auto          incremental when this warehouse has a complete build on record, else all

Before `incremental` and `all`, raw tables the extract rewrote whole since the last build (a
re-sync, or a full-refresh extract: `disposition = 'replace'` in the load audit on a table
whose strategy is not replace) have their dependent incremental models rebuilt from scratch,
so no incremental model keeps rows built from the rows that were replaced.

Every job but full-refresh tells the incremental models (env LOADS_COMPLETE_ENV) a load up to
which everything they hold is whole, so they read only newer loads (macros/incremental:
load_window): the newest load in the audit when the last passing build started, or, when a
load new since then has an older id (a clock stepped back, overlapping extract runs), the
newest of those seen loads older than it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from luckin.core import DBT_TARGET_DIR
from luckin.core.contract import AUDIT_DATASET, AUDIT_TABLE, LOAD_ID
from luckin.core.errors import BuildError, ConfigError, WarehouseLocked
from luckin.core.sessions import query, relations
from luckin.core.settings import DuckDBWarehouse, Settings, Warehouse
from luckin.transform.freshness import write_freshness
from luckin.transform.profile import PROJECT_DIR, dbt_environment, profiles_dir, warehouse_env
from luckin.transform.runner import dbt_args, dbt_exit_code, invoke_dbt, run_dbt
from luckin.transform.sources import source_name

BUILD_JOBS = ("auto", "incremental", "all", "full-refresh")
DATA_SELECTOR = "data_refresh"
CHANGED_SELECTOR = "data_changed"
# Under the build state: the sources.json the data_changed selection compares the current one with.
FRESHNESS_DIR = "freshness"
INCREMENTAL_SELECTOR = "incremental_refresh"

# What dbt's manifest is made from, besides the profile: if none of it changed since the last
# complete build, `state:modified` selects nothing and the old manifest need not be loaded.
PROJECT_CODE = ("dbt_project.yml", "selectors.yml", "models", "macros", "seeds", "analyses",
                "tests/dbt/singular", "snapshots")
STATE_FILES = ("manifest.json", "relations.json", "code-fingerprint")
# A run-time input of the models, not code: it changes with every build and is left out of the
# code fingerprint.
LOADS_COMPLETE_ENV = "LUCKIN_LOADS_COMPLETE_THROUGH"


def build_state_dir(warehouse: Warehouse, target_path: Path | None = None) -> Path:
    """Where this warehouse's builds are recorded: the last complete build's manifest (dbt's
    --state), the relations it made, the digest of its code, and the loads in the audit then."""
    key = hashlib.sha1(warehouse.identity.encode()).hexdigest()[:12]
    return (target_path or DBT_TARGET_DIR) / "build-state" / f"{warehouse.kind}-{key}"


def code_fingerprint(warehouse: Warehouse, env: dict[str, str] | None = None) -> str:
    """A digest of the project's dbt code, the profile, the dbt version, the target, and the
    values (in `env`, default: what a child dbt would see) of the environment variables those
    files read (env_var) or dbt reads (DBT_*)."""
    env = dbt_environment(warehouse) if env is None else env
    files = [profiles_dir() / "profiles.yml"]
    for entry in PROJECT_CODE:
        path = PROJECT_DIR / entry
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file())
        elif path.exists():
            files.append(path)
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}; target {warehouse.kind}\n".encode())
    read_vars = {key for key in env if key.startswith("DBT_")}
    for file in files:
        if not file.exists():
            continue
        content = file.read_bytes()
        digest.update(f"{file.relative_to(PROJECT_DIR) if file.is_relative_to(PROJECT_DIR) else file}\n".encode())
        digest.update(hashlib.sha256(content).digest())
        read_vars.update(name.decode() for name in re.findall(rb"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]", content))
    for key in sorted(read_vars - {LOADS_COMPLETE_ENV}):
        digest.update(f"{key}={env.get(key)}\n".encode())
    return digest.hexdigest()


def _record_build_state(state: Path, manifest_path: Path, fingerprint: str) -> None:
    """After a complete build passed: keep its manifest, the relations it made and its code digest."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    made = sorted({(n["schema"], n["alias"]) for n in nodes
                   if n["resource_type"] in ("model", "seed", "snapshot")
                   and n["config"]["materialized"] != "ephemeral"})
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest_path, state / "manifest.json")
    (state / "relations.json").write_text(json.dumps(made))
    (state / "code-fingerprint").write_text(fingerprint)


def incremental_ready(warehouse: Warehouse, target_path: Path | None = None) -> bool:
    """True when the incremental job can run: a complete build of this warehouse is on record
    and every relation it made (views included: the job does not recreate unchanged ones)
    is still there."""
    state = build_state_dir(warehouse, target_path)
    if not all((state / name).exists() for name in STATE_FILES):
        return False
    wanted = {tuple(relation) for relation in json.loads((state / "relations.json").read_text())}
    present = relations(warehouse)
    return present is not None and wanted <= present


# --------------------------------------------------------------------------- loads and re-synced raw tables
# Below every dlt load id (a decimal timestamp): a window from it reads every load.
BEFORE_ANY_LOAD = "0"


def audit_loads(warehouse: Warehouse) -> set[str] | None:
    """Every load the load audit records, and the audit's own loads (each extract run writes its
    audit rows in a load of its own, after the loads they record): the loads of extract runs that
    ended (None when there is no audit)."""
    try:
        rows = query(warehouse, f"select load_id from {AUDIT_DATASET}.{AUDIT_TABLE} where load_id is not null "
                                f"union select {LOAD_ID} from {AUDIT_DATASET}.{AUDIT_TABLE} where {LOAD_ID} is not null")
    except WarehouseLocked:
        raise
    except Exception:  # no warehouse or audit yet (nothing extracted), or an audit without load ids
        return None
    return {row[0] for row in rows}


def complete_through(seen: set[str], loads: set[str]) -> str:
    """The load id up to which every load now in the audit (`loads`) was already in it when the
    last passing build started (`seen`): what the models hold of loads up to it is whole.

    Load ids are the extract machine's clock. Normally a new load's id is above every seen one
    and this is the newest seen load. A new load with an older id - the clock stepped back, or
    two extract runs overlapped and the one that started first ended last - lowers it to the
    newest seen load older than that one (BEFORE_ANY_LOAD if none), so the window reads it
    (and, harmlessly, what loaded between). '' when nothing was seen: the models fall back to
    their lookback."""
    if not seen:
        return ""
    newest = max(seen)
    late = [load for load in loads - seen if load <= newest]
    if not late:
        return newest
    return max((load for load in seen if load < min(late)), default=BEFORE_ANY_LOAD)


# The loads in the audit when the last passing build started, one per line; a state from before
# it has only that build's newest load.
LOADS_SEEN, LEGACY_LOAD_MARK = "loads-seen", "load-mark"


def seen_loads(state: Path, loads: set[str]) -> set[str]:
    """The loads that were in the audit when the last passing build started. From a legacy
    state (its newest load only), every load up to it counts as seen, so the first build after
    the upgrade still finds the tables re-synced since."""
    if (state / LOADS_SEEN).exists():
        return set((state / LOADS_SEEN).read_text().split())
    if (state / LEGACY_LOAD_MARK).exists():
        mark = (state / LEGACY_LOAD_MARK).read_text().strip()
        return {load for load in loads if load <= mark} if mark else set()
    return set()


def _record_loads_seen(state: Path, loads: set[str]) -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / LOADS_SEEN).write_text("".join(f"{load}\n" for load in sorted(loads)))
    (state / LEGACY_LOAD_MARK).unlink(missing_ok=True)


def replaced_in(warehouse: Warehouse, new_loads: set[str]) -> list[tuple[str, str]]:
    """(schema, table) of every raw table the extract rewrote whole in one of `new_loads`:
    `disposition = 'replace'` on a table that is not replaced by design (strategy replace:
    small dictionaries, rewritten every run, which no incremental model windows on)."""
    sql = (f"select distinct source_schema, source_table, load_id from {AUDIT_DATASET}.{AUDIT_TABLE} "
           "where disposition = 'replace' and coalesce(strategy, '') <> 'replace'")
    try:
        return sorted({(schema, table) for schema, table, load in query(warehouse, sql) if load in new_loads})
    except WarehouseLocked:
        raise
    except Exception:  # an audit from before dispositions were recorded
        return []


def _with_incremental_dependants(replaced: list[tuple[str, str]], manifest_path: Path) -> list[tuple[str, str]]:
    """The replaced raw tables that have an incremental model downstream, by the recorded
    manifest's child map (all of them when there is no manifest to ask): a dbt process that
    selects nothing still costs as much as loading the project."""
    if not manifest_path.exists():
        return replaced
    manifest = json.loads(manifest_path.read_text())
    children, nodes = manifest.get("child_map", {}), manifest.get("nodes", {})

    def feeds_incremental(source_id: str) -> bool:
        seen, todo = set(), [source_id]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in seen:
                    seen.add(child)
                    if nodes.get(child, {}).get("config", {}).get("materialized") == "incremental":
                        return True
                    todo.append(child)
        return False

    package = manifest.get("metadata", {}).get("project_name", "luckin")
    return [(schema, table) for schema, table in replaced
            if feeds_incremental(f"source.{package}.{source_name(schema)}.{table}")]


def _rebuild_dependants_of(replaced: list[tuple[str, str]], settings: Settings, target_path: Path) -> int:
    """Rebuild from scratch the incremental models (and snapshots' readers) downstream of the
    replaced raw tables: `dbt run --full-refresh --select source:<s>.<t>+,config.materialized:incremental`."""
    selection = [f"source:{source_name(schema)}.{table}+,config.materialized:incremental"
                 for schema, table in replaced]
    print(f"luckin build: {len(replaced)} raw table(s) re-synced since the last build "
          f"({', '.join(f'{s}.{t}' for s, t in replaced[:5])}{', ...' if len(replaced) > 5 else ''}): "
          "rebuilding their incremental dependants whole", flush=True)
    return run_dbt(["run", "--full-refresh", "--select", *selection, "--target-path", str(target_path)],
                   settings.warehouse, settings)


# --------------------------------------------------------------------------- jobs
def run_build(settings: Settings, job: str = "auto", target_path: Path | None = None) -> int:
    """Build the project on `settings.warehouse` with one of BUILD_JOBS; returns dbt's exit code
    (0 = all green, 1 = failed nodes, 2 = dbt could not run).

    The raw schemas must already be loaded by `luckin extract`. A complete build (all,
    full-refresh) that passes records its manifest as this warehouse's build state, which the
    incremental job compares code against. Raises ConfigError for an unknown job, BuildError
    when `incremental` is asked for a warehouse with no complete build on record.
    """
    job = str(getattr(job, "value", job))
    if job not in BUILD_JOBS:
        raise ConfigError(f"unknown build job {job!r}", hint=f"use one of: {', '.join(BUILD_JOBS)}")
    warehouse = settings.warehouse
    if isinstance(warehouse, DuckDBWarehouse):
        warehouse.path.parent.mkdir(parents=True, exist_ok=True)
    target_path = Path(target_path).resolve() if target_path else DBT_TARGET_DIR
    state = build_state_dir(warehouse, target_path)
    if job in ("auto", "incremental"):
        ready = incremental_ready(warehouse, target_path)
        if job == "incremental" and not ready:
            raise BuildError(f"no complete build of {warehouse.describe()} on record (or relations are missing)",
                             hint="run `luckin build --job all` first")
        job = "incremental" if ready else "all"

    audit = audit_loads(warehouse)  # read before building: a load landing meanwhile counts next time
    loads = audit or set()
    seen = seen_loads(state, loads) if job != "full-refresh" else set()
    # '' = no passing build on record (or a full refresh): the models use their lookback.
    through = complete_through(seen, loads)
    if seen:
        if through < max(seen):
            print(f"luckin build: loads new since the last build have ids older than its newest load {max(seen)} "
                  "(a clock stepped back, or extract runs overlapped): reading again from "
                  f"{'the first load' if through == BEFORE_ANY_LOAD else through}", flush=True)
        replaced = _with_incremental_dependants(replaced_in(warehouse, loads - seen), state / "manifest.json")
        if replaced:
            code = _rebuild_dependants_of(replaced, settings, target_path)
            if code != 0:
                return code

    fingerprint = code_fingerprint(warehouse, dbt_environment(warehouse, settings))
    with _environment(LOADS_COMPLETE_ENV, through):
        if job == "incremental":
            code_changed = (state / "code-fingerprint").read_text() != fingerprint
            if code_changed:
                print(f"luckin build: incremental job on {warehouse.kind} (code changed since the last complete build)",
                      flush=True)
                code = _run_incremental_job(settings, target_path,
                                            ["--selector", INCREMENTAL_SELECTOR, "--state", str(state)])
            elif not through:  # nothing on record of what the models have read: all of data_refresh
                print(f"luckin build: incremental job on {warehouse.kind}", flush=True)
                code = _run_incremental_job(settings, target_path, ["--selector", DATA_SELECTOR])
            else:
                code = _run_changed(settings, target_path, state, through)
        else:
            print(f"luckin build: {job} job on {warehouse.kind}", flush=True)
            args = ["build", "--target-path", str(target_path)] + (["--full-refresh"] if job == "full-refresh" else [])
            code = run_dbt(args, warehouse, settings)
            if code == 0:
                _record_build_state(state, target_path / "manifest.json", fingerprint)
    if code == 0 and audit is not None:
        _record_loads_seen(state, audit)
    return code


def failure_hint(settings: Settings, started: float, target_path: Path | None = None) -> str:
    """What to do about a build that failed: when nodes of it (run_results.json written since
    `started`, a time.time()) ran out of DuckDB's build memory, the setting that bounds it;
    otherwise where the failing nodes are."""
    results = (Path(target_path) if target_path else DBT_TARGET_DIR) / "run_results.json"
    try:
        fresh = results.stat().st_mtime >= started
        nodes = json.loads(results.read_text())["results"] if fresh else []
    except (OSError, ValueError, KeyError):
        nodes = []
    short = [n["unique_id"].rsplit(".", 1)[-1] for n in nodes if "Out of Memory Error" in (n.get("message") or "")]
    if short and isinstance(settings.warehouse, DuckDBWarehouse):
        limit = settings.warehouse.build_memory_limit or "the profile's default"
        return (f"{len(short)} node(s) ran out of DuckDB's build memory of {limit} ({short[0]} first): raise "
                "[warehouse.duckdb] build_memory_limit (LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT) or lower LUCKIN_DBT_THREADS")
    return "the failing nodes are listed above; details in logs/dbt.log"


@contextmanager
def _environment(name: str, value: str):
    """`name` set to `value` (unset when empty) for this process and the dbt it starts, then restored."""
    before = os.environ.pop(name, None)
    if value:
        os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)
        if before is not None:
            os.environ[name] = before


def _run_changed(settings: Settings, target_path: Path, state: Path, through: str) -> int:
    """The incremental job with unchanged code: data_changed, what lies downstream of the sources
    holding loads newer than `through` (luckin/transform/freshness.py); no dbt at all when none does."""
    warehouse = settings.warehouse
    fresher = write_freshness(warehouse, state / "manifest.json", through, state / FRESHNESS_DIR, target_path)
    if not fresher:
        print(f"luckin build: incremental job on {warehouse.kind}: no source holds a load the last build did not "
              f"read (it read through load {through}); nothing to build", flush=True)
        return 0
    names = [uid.split(".", 2)[2] for uid in fresher]
    print(f"luckin build: incremental job on {warehouse.kind}, downstream of {len(fresher)} source(s) with new loads "
          f"({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})", flush=True)
    return _run_incremental_job(settings, target_path,
                                ["--selector", CHANGED_SELECTOR, "--state", str(state / FRESHNESS_DIR)])


def _run_incremental_job(settings: Settings, target_path: Path, selection: list[str]) -> int:
    """The incremental job, in this process, on `selection` (a selector, and --state where it
    compares). dbt's own manifest.json is not rewritten (writing it twice costs about as much as
    the job's tests); run_results.json is written from the result."""
    os.environ.update(warehouse_env(settings.warehouse, settings))  # what the profile reads
    # The file log at info, not debug: debug logs every statement of every node, a tenth of
    # this job's time; complete builds keep it. Only the schemas this job builds in are
    # listed into dbt's relation cache.
    outcome = invoke_dbt(dbt_args(["build", *selection, "--no-write-json", "--log-level-file", "info",
                                   "--cache-selected-only", "--target-path", str(target_path)], settings.warehouse))
    if outcome.result is not None and hasattr(outcome.result, "write"):
        outcome.result.write(str(target_path / "run_results.json"))
    return dbt_exit_code(outcome)


__all__ = ["BUILD_JOBS", "build_state_dir", "code_fingerprint", "complete_through", "incremental_ready", "replaced_in",
           "run_build", "seen_loads"]
