"""Run the dbt project (the transformation layer) from Python, with no profile to copy.

`run_dbt_build()` is what `luckin build` and `luckin demo` call. dbt needs a folder holding a
file named `profiles.yml`; the project commits `profiles.example.yml` (every setting read from
environment variables with defaults), and `profiles_dir()` renders it to
`target/profiles/profiles.yml` on each run, so nobody copies or edits anything. A user who
keeps their own profile sets DBT_PROFILES_DIR and it wins.

Environment overrides understood by the profile: LUCKIN_DBT_TARGET, LUCKIN_DUCKDB_PATH,
LUCKIN_DBT_THREADS, LUCKIN_PG_HOST, LUCKIN_PG_PORT, LUCKIN_PG_USER, LUCKIN_PG_PASSWORD,
LUCKIN_PG_DATABASE.

    python -m luckin.warehouse profiles         # render the profile, print its folder
    python -m luckin.warehouse build [--target postgres] [--job auto|incremental|all|full-refresh]
                                     [--target-path DIR]
    python -m luckin.warehouse docs             # target/static_index.html: the docs site in one file
    python -m luckin.warehouse sources          # regenerate models/staging/*/_*__sources.yml
    python -m luckin.warehouse dbt <dbt args>   # dbt's CLI as the project runs it (invoke_dbt)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILE_TEMPLATE = PROJECT_DIR / "profiles.example.yml"
TARGETS = ("duckdb", "postgres")


def profiles_dir() -> Path:
    """The folder to pass as dbt's --profiles-dir.

    DBT_PROFILES_DIR when the user set it; otherwise target/profiles/, refreshed from
    profiles.example.yml.
    """
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    folder = PROJECT_DIR / "target" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    rendered = folder / "profiles.yml"
    if not rendered.exists() or rendered.read_bytes() != PROFILE_TEMPLATE.read_bytes():
        shutil.copyfile(PROFILE_TEMPLATE, rendered)
    return folder


def dbt_args(args: list[str], target: str | None = None) -> list[str]:
    """dbt arguments for this project: `<args> --project-dir ... --profiles-dir ... [--target ...]`."""
    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir())]
    if target:
        full += ["--target", target]
    return full


def dbt_command(args: list[str], target: str | None = None) -> list[str]:
    """A full dbt command line for this project: dbt's own CLI, run through `python -m
    luckin.warehouse dbt` so that every dbt process gets invoke_dbt's collector settings."""
    return [sys.executable, "-m", "luckin.warehouse", "dbt", *dbt_args(args, target)]


def invoke_dbt(args: list[str]):
    """Run one dbt command in this process, from the project root; returns dbt's dbtRunnerResult.

    A dbt run keeps a few hundred thousand long-lived objects (modules, the parsed project, the
    graph), and with Python's default thresholds every full garbage collection walks all of
    them again: 0.8 s of a 9 s incremental job here. So collections run less often (the
    thresholds dbt-bouncer uses), and what is loaded by then - after the imports, and again
    once the project is parsed - is frozen out of the collector's reach."""
    import gc

    from dbt.cli.main import dbtRunner

    gc.set_threshold(20_000, 25, 25)
    gc.freeze()

    def freeze_parsed_project(event) -> None:
        if event.info.name == "ConcurrencyLine":  # the manifest and graph are built, no node has run
            gc.freeze()

    previous = Path.cwd()
    os.chdir(PROJECT_DIR)  # the profile's relative paths are the project's, as for a subprocess
    try:
        return dbtRunner(callbacks=[freeze_parsed_project]).invoke(args)
    finally:
        os.chdir(previous)


def dbt_exit_code(outcome) -> int:
    """dbt's CLI exit code for an invoke_dbt result: 0 success, 1 failed nodes, 2 dbt itself failed."""
    if outcome.exception is not None:
        print(f"dbt failed: {outcome.exception}", file=sys.stderr)
        return 2
    return 0 if outcome.success else 1


def run_dbt(args: list[str], target: str | None = None, env: dict[str, str] | None = None) -> int:
    """Run one dbt command from the project root, streaming its output; returns dbt's exit code."""
    if target is not None and target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; expected one of {', '.join(TARGETS)}")
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(dbt_command(args, target), cwd=PROJECT_DIR, env=full_env, check=False).returncode


# How `luckin build` runs the project:
#   incremental   the job after each extract: tables and incremental marts with their data
#                 tests (selectors.yml: data_refresh); views, seeds and unit tests only where
#                 the code changed since the last complete build (incremental_refresh,
#                 against that build's manifest)
#   all           every node, incremental marts updated in place (plain `dbt build`)
#   full-refresh  every node, incremental marts rebuilt from scratch
#   auto          incremental when this warehouse has a complete build on record, else all
BUILD_JOBS = ("auto", "incremental", "all", "full-refresh")
DATA_SELECTOR = "data_refresh"
INCREMENTAL_SELECTOR = "incremental_refresh"


def duckdb_path() -> Path:
    """The DuckDB warehouse file, as the dbt profile resolves it (relative to the project root)."""
    path = Path(os.environ.get("LUCKIN_DUCKDB_PATH", "data/warehouse.duckdb"))
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass(frozen=True)
class PgSettings:
    """The Postgres warehouse, as the dbt profile reads it (LUCKIN_PG_*, same defaults)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "luckin"

    @classmethod
    def from_env(cls) -> "PgSettings":
        return cls(
            host=os.environ.get("LUCKIN_PG_HOST", "127.0.0.1"),
            port=int(os.environ.get("LUCKIN_PG_PORT", "5432")),
            user=os.environ.get("LUCKIN_PG_USER", "postgres"),
            password=os.environ.get("LUCKIN_PG_PASSWORD", ""),
            database=os.environ.get("LUCKIN_PG_DATABASE", "luckin"),
        )

    def connect_kwargs(self) -> dict:
        kwargs = {"host": self.host, "port": self.port, "user": self.user, "dbname": self.database}
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def sqlalchemy_url(self) -> str:
        from urllib.parse import quote

        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        return f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{quote(self.database)}"

    def describe(self) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{self.database}"


def pg_admin(*statements: str) -> None:
    """Run statements that cannot run in a transaction (CREATE/DROP DATABASE) on the Postgres
    server LUCKIN_PG_* names, from its `postgres` maintenance database."""
    import psycopg2

    con = psycopg2.connect(**{**PgSettings.from_env().connect_kwargs(), "dbname": "postgres"})
    con.autocommit = True
    try:
        with con.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        con.close()


def warehouse_identity(target: str) -> str:
    """What a build state belongs to: the DuckDB file, or the Postgres server and database."""
    return str(duckdb_path().resolve()) if target == "duckdb" else PgSettings.from_env().describe()


def build_state_dir(target: str, target_path: Path | None = None) -> Path:
    """Where this warehouse's last complete build is recorded: its manifest (dbt's --state),
    the relations it made, and the digest of the code it was built from."""
    import hashlib

    key = hashlib.sha1(warehouse_identity(target).encode()).hexdigest()[:12]
    return (target_path or PROJECT_DIR / "target") / "build-state" / f"{target}-{key}"


# What dbt's manifest is made from, besides the profile: if none of it changed since the last
# complete build, `state:modified` selects nothing and the old manifest need not be loaded.
PROJECT_CODE = ("dbt_project.yml", "selectors.yml", "models", "macros", "seeds", "analyses",
                "tests/dbt/singular", "snapshots")


def code_fingerprint(target: str) -> str:
    """A digest of the project's dbt code, the rendered profile, the dbt version, the target
    and the values of the environment variables those files read (env_var) or dbt reads (DBT_*)."""
    import hashlib
    import re
    from importlib.metadata import version

    files = [profiles_dir() / "profiles.yml"]
    for entry in PROJECT_CODE:
        path = PROJECT_DIR / entry
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file())
        elif path.exists():
            files.append(path)
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}; target {target}\n".encode())
    read_vars = {key for key in os.environ if key.startswith("DBT_")}
    for file in files:
        content = file.read_bytes()
        digest.update(f"{file.relative_to(PROJECT_DIR) if file.is_relative_to(PROJECT_DIR) else file}\n".encode())
        digest.update(hashlib.sha256(content).digest())
        read_vars.update(name.decode() for name in re.findall(rb"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]", content))
    for key in sorted(read_vars):
        digest.update(f"{key}={os.environ.get(key)}\n".encode())
    return digest.hexdigest()


def _record_build_state(state: Path, manifest_path: Path, fingerprint: str) -> None:
    """After a complete build passed: keep its manifest, the relations it made and its code digest."""
    import json

    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    relations = sorted({(n["schema"], n["alias"]) for n in nodes
                        if n["resource_type"] in ("model", "seed") and n["config"]["materialized"] != "ephemeral"})
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest_path, state / "manifest.json")
    (state / "relations.json").write_text(json.dumps(relations))
    (state / "code-fingerprint").write_text(fingerprint)


def _existing_relations(target: str) -> set[tuple[str, str]] | None:
    """(schema, name) of every table and view in the warehouse; None if it can't be opened."""
    sql = "select table_schema, table_name from information_schema.tables"
    if target == "duckdb":
        import duckdb

        if not duckdb_path().exists():
            return None
        try:
            con = duckdb.connect(str(duckdb_path()), read_only=True)
        except duckdb.Error:
            return None
        try:
            return {tuple(row) for row in con.execute(sql).fetchall()}
        finally:
            con.close()
    import psycopg2

    try:
        con = psycopg2.connect(**PgSettings.from_env().connect_kwargs(), connect_timeout=5)
    except psycopg2.Error:
        return None
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return {tuple(row) for row in cur.fetchall()}
    finally:
        con.close()


def incremental_ready(target: str, target_path: Path | None = None) -> bool:
    """True when the incremental job can run: a complete build of this warehouse is on record
    and every relation it made (views included: the job does not recreate unchanged ones)
    is still there."""
    import json

    state = build_state_dir(target, target_path)
    if not all((state / name).exists() for name in ("manifest.json", "relations.json", "code-fingerprint")):
        return False
    wanted = {tuple(relation) for relation in json.loads((state / "relations.json").read_text())}
    present = _existing_relations(target)
    return present is not None and wanted <= present


def run_dbt_build(target: str = "duckdb", job: str = "auto", target_path: Path | None = None) -> int:
    """Build the project on the given target with one of BUILD_JOBS; returns dbt's exit code (0 = all green).

    The DuckDB warehouse is data/warehouse.duckdb (override with LUCKIN_DUCKDB_PATH); Postgres
    is database `luckin` on 127.0.0.1:5432 (LUCKIN_PG_*). The raw schemas must already be
    loaded by `luckin extract`. A complete build (all, full-refresh) that passes records its
    manifest as this warehouse's build state, which the incremental job compares code against.
    """
    if job not in BUILD_JOBS:
        raise ValueError(f"unknown build job {job!r}; expected one of {', '.join(BUILD_JOBS)}")
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; expected one of {', '.join(TARGETS)}")
    if target == "duckdb":
        duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    target_path = Path(target_path).resolve() if target_path else PROJECT_DIR / "target"
    state = build_state_dir(target, target_path)
    if job in ("auto", "incremental"):
        ready = incremental_ready(target, target_path)
        if job == "incremental" and not ready:
            print(f"no complete build of {warehouse_identity(target)} on record (or relations are missing): "
                  "run `luckin build --job all` first", file=sys.stderr)
            return 2
        job = "incremental" if ready else "all"
    fingerprint = code_fingerprint(target)
    if job == "incremental":
        code_changed = (state / "code-fingerprint").read_text() != fingerprint
        print(f"luckin build: incremental job on {target}"
              f"{' (code changed since the last complete build)' if code_changed else ''}", flush=True)
        return _run_incremental_job(target, target_path, state if code_changed else None)
    print(f"luckin build: {job} job on {target}", flush=True)
    args = ["build", "--target-path", str(target_path)] + (["--full-refresh"] if job == "full-refresh" else [])
    code = run_dbt(args, target=target)
    if code == 0:
        _record_build_state(state, target_path / "manifest.json", fingerprint)
    return code


def _run_incremental_job(target: str, target_path: Path, state: Path | None) -> int:
    """The incremental job, in this process: data_refresh, or incremental_refresh against the
    recorded manifest (`state`) when the code changed. dbt's own manifest.json is not
    rewritten (writing it twice costs about as much as the job's tests); run_results.json is
    written from the result."""
    selection = ["--selector", DATA_SELECTOR] if state is None else \
        ["--selector", INCREMENTAL_SELECTOR, "--state", str(state)]
    # The file log at info, not debug: debug logs every statement of every node, a tenth of
    # this job's time; complete builds keep it. Only the schemas this job builds in are
    # listed into dbt's relation cache.
    outcome = invoke_dbt(dbt_args(["build", *selection, "--no-write-json", "--log-level-file", "info",
                                   "--cache-selected-only", "--target-path", str(target_path)], target))
    if outcome.result is not None and hasattr(outcome.result, "write"):
        outcome.result.write(str(target_path / "run_results.json"))
    return dbt_exit_code(outcome)


def exit_after_dbt(code: int) -> None:
    """End a process that ran dbt in-process (`luckin build`, `python -m luckin.warehouse dbt`)
    with `code`, skipping the interpreter's module teardown.

    Freeing an in-process dbt run's manifest and graph object by object takes half a second.
    So the exit handlers run here (dbt-duckdb's closes and checkpoints the warehouse,
    multiprocessing releases its semaphores, logging flushes), and the process then ends at
    once - unless a DuckDB write-ahead log is left, i.e. the warehouse could not be confirmed
    closed: then this returns and the process exits the slow, ordinary way."""
    import atexit

    atexit._run_exitfuncs()
    if "dbt.adapters.duckdb" in sys.modules and Path(f"{duckdb_path()}.wal").exists():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def generate_docs(target: str = "duckdb") -> Path | None:
    """`dbt docs generate --static`: the whole docs site (lineage, models, columns, tests) in
    one self-contained HTML file, target/static_index.html, opened straight from disk in a
    browser (no server, no internet). Needs a built warehouse for the catalog. Returns the
    file, or None if dbt failed."""
    code = run_dbt(["docs", "generate", "--static"], target=target)
    page = PROJECT_DIR / "target" / "static_index.html"
    return page if code == 0 and page.exists() else None


# Sources whose tables are reference data, or empty by design: no freshness, and why.
_NO_FRESHNESS_REASON = {
    "luckyus_member": "the loyalty programme never launched: every table is empty by design",
    "fi_tax": "no tax records are kept: every table is empty by design (the compliance gap)",
}


def source_name(schema: str) -> str:
    """dbt source name of a landed schema: `luckyus_sales_order` -> `sales_order`, `fi_tax` stays."""
    return schema.removeprefix("luckyus_")


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def render_sources_yaml(schema) -> str:
    """The `_<source>__sources.yml` text for one estate schema (luckin.simulator.spec.Schema)."""
    import re

    name = source_name(schema.name)
    lines = [
        "# Generated from the estate spec by `python -m luckin.warehouse sources`; edit the",
        "# estate YAML (luckin/simulator/estate/) or the generator, not this file.",
        "version: 2",
        "",
        "sources:",
        f"  - name: {name}",
        f"    schema: {schema.name}",
        f"    description: {_yaml_text(schema.description + ' Landed by dlt from MySQL schema ' + schema.name + '.')}",
        "    loader: dlt",
        "    config:",
    ]
    reason = _NO_FRESHNESS_REASON.get(schema.name)
    if reason is None and all(t.rows == 0 for t in schema.tables.values()):
        reason = "every table of this schema is empty in production"
    if reason:
        lines += [f"      # freshness: null because {reason}.", "      freshness: null"]
    else:
        lines += [
            "      # Measured on dlt's load time (_dlt_load_id is the load's epoch): a table that",
            "      # nobody changed is still fresh when the daily extract ran.",
            "      loaded_at_field: \"to_timestamp(cast(_dlt_load_id as double precision))\"",
            "      freshness:",
            "        warn_after: {count: 26, period: hour}",
            "        error_after: {count: 50, period: hour}",
        ]
    lines.append("    tables:")
    for table in schema.tables.values():
        lines.append(f"      - name: {table.name}")
        desc = table.description or f"{table.name} in {schema.name}."
        if table.rows == 0:
            desc += " Empty in production."
        lines.append(f"        description: {_yaml_text(desc)}")
        if not reason and table.rows == 0:
            lines += ["        config:",
                      "          # freshness: null because the table is empty in production.",
                      "          freshness: null"]
        lines.append("        columns:")
        for col in table.columns:
            lines.append(f"          - name: {col.name}")
            comment = re.search(r"COMMENT '((?:[^']|'')*)'", col.definition, re.IGNORECASE)
            text = comment.group(1).replace("''", "'") if comment else ""
            bits = [col.sql_type]
            if col.is_flag:
                bits = ["TINYINT(1), landed as boolean"]
            if col.name in table.primary_key:
                bits.append("primary key")
            if text:
                bits.append(text)
            lines.append(f"            description: {_yaml_text('; '.join(bits) + '.')}")
    return "\n".join(lines) + "\n"


def write_sources_yaml(estate_dir: Path | None = None) -> list[Path]:
    """Regenerate `models/staging/<source>/_<source>__sources.yml` for every estate schema."""
    from luckin.simulator.spec import load_estate

    estate = load_estate(estate_dir) if estate_dir else load_estate()
    written = []
    for schema in estate.values():
        name = source_name(schema.name)
        folder = PROJECT_DIR / "models" / "staging" / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"_{name}__sources.yml"
        path.write_text(render_sources_yaml(schema), encoding="utf-8")
        written.append(path)
    return written


def _main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "profiles":
        print(profiles_dir())
        return 0
    if command == "build":
        target = rest[rest.index("--target") + 1] if "--target" in rest else "duckdb"
        job = rest[rest.index("--job") + 1] if "--job" in rest else ("full-refresh" if "--full-refresh" in rest else "auto")
        target_path = Path(rest[rest.index("--target-path") + 1]) if "--target-path" in rest else None
        code = run_dbt_build(target=target, job=job, target_path=target_path)
        exit_after_dbt(code)
        return code
    if command == "dbt":
        code = dbt_exit_code(invoke_dbt(rest))
        exit_after_dbt(code)
        return code
    if command == "docs":
        target = rest[rest.index("--target") + 1] if "--target" in rest else "duckdb"
        page = generate_docs(target)
        if page is None:
            return 1
        print(page)
        return 0
    if command == "sources":
        estate_dir = Path(rest[0]) if rest else None
        for path in write_sources_yaml(estate_dir):
            print(path.relative_to(PROJECT_DIR))
        return 0
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
