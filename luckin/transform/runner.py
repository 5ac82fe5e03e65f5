"""Run dbt: in this process (`invoke_dbt`, `dbt_main`) or as a child process (`run_dbt`).

Every dbt process the project starts is `python -m luckin dbt <args>` (`dbt_command`), so each
goes through `invoke_dbt`'s collector settings and ends through `exit_after_dbt`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

from luckin.core.settings import DuckDBWarehouse, Settings, Warehouse
from luckin.transform.profile import PROJECT_DIR, dbt_environment

_COLOUR_FLAGS = ("--use-colors", "--no-use-colors")


def dbt_args(args: list[str], warehouse: Warehouse | None = None) -> list[str]:
    """dbt arguments for this project: `<args> --project-dir <root> [--target duckdb|postgres]`."""
    full = [*args, "--project-dir", str(PROJECT_DIR)]
    if warehouse is not None and "--target" not in args:
        full += ["--target", warehouse.kind]
    return full


def dbt_command(args: list[str], warehouse: Warehouse | None = None) -> list[str]:
    """A full command line running dbt's CLI on this project (`python -m luckin dbt ...`).

    The child learns the warehouse from its environment: run it with `dbt_environment(warehouse)`
    (or use `run_dbt`)."""
    return [sys.executable, "-m", "luckin", "dbt", *dbt_args(args, warehouse)]


def run_dbt(args: list[str], warehouse: Warehouse, settings: Settings | None = None) -> int:
    """Run one dbt command in a child process from the project root, streaming its output;
    returns dbt's exit code (0 success, 1 failed nodes, 2 dbt itself failed)."""
    return subprocess.run(dbt_command(args, warehouse), cwd=PROJECT_DIR,
                          env=dbt_environment(warehouse, settings), check=False).returncode


def _with_colour_choice(args: list[str]) -> list[str]:
    """Colours on a terminal only, never in the log file (dbt itself colours everything)."""
    extra = []
    if not any(a in _COLOUR_FLAGS for a in args):
        extra.append("--use-colors" if sys.stdout.isatty() else "--no-use-colors")
    if not any(a.startswith("--use-colors-file") or a.startswith("--no-use-colors-file") for a in args):
        extra.append("--no-use-colors-file")
    return [*extra, *args]  # dbt's global options, before the subcommand


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
        return dbtRunner(callbacks=[freeze_parsed_project]).invoke(_with_colour_choice(args))
    finally:
        os.chdir(previous)


def dbt_exit_code(outcome) -> int:
    """dbt's CLI exit code for an invoke_dbt result: 0 success, 1 failed nodes, 2 dbt itself failed."""
    if outcome.exception is not None:
        print(f"dbt failed: {outcome.exception}", file=sys.stderr)
        return 2
    return 0 if outcome.success else 1


def _open_duckdb_file() -> Path | None:
    """The DuckDB file dbt-duckdb has open in this process, if any."""
    module = sys.modules.get("dbt.adapters.duckdb.connections")
    env = getattr(getattr(module, "DuckDBConnectionManager", None), "_ENV", None)
    path = getattr(getattr(env, "creds", None), "path", None)
    if not path or path == ":memory:":
        return None
    path = Path(path)
    return path if path.is_absolute() else PROJECT_DIR / path


def exit_after_dbt(code: int, warehouse: Warehouse | None = None) -> None:
    """End a process that ran dbt in-process (`luckin build`, `luckin dbt ...`) with `code`,
    skipping the interpreter's module teardown.

    Freeing an in-process dbt run's manifest and graph object by object takes half a second.
    So the exit handlers run here (dbt-duckdb's closes and checkpoints the warehouse,
    multiprocessing releases its semaphores, logging flushes), and the process then ends at
    once - unless a DuckDB write-ahead log is left, i.e. the warehouse could not be confirmed
    closed: then this returns and the process exits the slow, ordinary way."""
    import atexit

    duckdb_file = _open_duckdb_file()
    if duckdb_file is None and isinstance(warehouse, DuckDBWarehouse):
        duckdb_file = warehouse.path
    atexit._run_exitfuncs()
    if duckdb_file is not None and Path(f"{duckdb_file}.wal").exists():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def dbt_main(args: list[str]) -> NoReturn:
    """dbt's own CLI, in this process (what `luckin dbt <args>` and every child dbt process run)."""
    code = dbt_exit_code(invoke_dbt(list(args)))
    exit_after_dbt(code)
    raise SystemExit(code)
