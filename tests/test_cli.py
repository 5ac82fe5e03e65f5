"""The real `luckin` command: every expected failure is one line naming what failed, and an exit code.

Each case runs the installed program in a child process (as a user or a scheduler would),
against the services on this machine, with the settings in the environment only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from luckin.core import PROJECT_DIR


def luckin(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LUCKIN_", "DESTINATION__", "SOURCES__"))}
    return subprocess.run([sys.executable, "-m", "luckin", *args], cwd=PROJECT_DIR, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_failure(proc: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The run failed with `code`, said so in one `error:` line holding every word, and showed no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "\x1b[" not in proc.stderr, "colour codes in output that is not a terminal"
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def test_version_and_help_list_the_choices():
    from importlib.metadata import version

    proc = luckin("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"luckin {version('luckin-warehouse')}"
    help_text = luckin("build", "--help").stdout
    assert "duckdb|postgres" in help_text and "auto|incremental|all|full-refresh" in help_text
    for command in ("simulate", "calibrate", "catalog", "extract", "build", "validate", "report", "docs",
                    "publish", "bi-role", "demo"):
        assert command in luckin("--help").stdout


@pytest.mark.parametrize("args, words", [
    (["build", "--target", "foo"], ["--target", "'foo'", "duckdb", "postgres", "luckin build --help"]),
    (["extract", "--destination", "oracle"], ["oracle"]),
    (["build", "--job", "sometimes"], ["--job", "sometimes"]),
    (["frobnicate"], ["frobnicate"]),
])
def test_usage_errors(args, words):
    assert_one_line_failure(luckin(*args), 2, *words)


def test_bad_setting_in_the_environment_names_it():
    assert_one_line_failure(luckin("build", env={"LUCKIN_TARGET": "oracle"}), 2, "oracle", "duckdb, postgres")


def test_locked_duckdb_file(tmp_path):
    """A BI tool (here: this test process) holding the warehouse open stops a build with one line."""
    path = tmp_path / "warehouse.duckdb"
    holder = duckdb.connect(str(path))
    try:
        for command in (["build"], ["extract", "--schema", "luckyus_sales_shop"]):
            line = assert_one_line_failure(luckin(*command, env={"LUCKIN_DUCKDB_PATH": str(path)}), 1,
                                           str(path), "locked")
            assert "close the other program" in line
    finally:
        holder.close()


def test_unreachable_postgres_names_host_and_port():
    env = {"LUCKIN_PG_PORT": "1", "LUCKIN_PG_DATABASE": "nowhere", "LUCKIN_PG_PASSWORD": "pg-secret-456"}
    for command in (["build", "--target", "postgres"], ["validate", "-t", "postgres"],
                    ["report", "--target", "postgres"]):
        proc = luckin(*command, env=env)
        assert_one_line_failure(proc, 1, "127.0.0.1:1", "nowhere")
        assert "pg-secret-456" not in proc.stderr + proc.stdout  # validate and report connect through DuckDB


def test_unreachable_and_refusing_mysql(tmp_path):
    warehouse = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "w.duckdb"), "SOURCES__MYSQL_ESTATE__MODE": "mysql"}
    down = luckin("extract", "--schema", "luckyus_sales_shop", "--no-progress",
                  env={**warehouse, "SOURCES__MYSQL_ESTATE__CREDENTIALS__PORT": "1"})
    assert_one_line_failure(down, 1, "127.0.0.1:1")
    refused = luckin("extract", "--schema", "luckyus_sales_shop", "--no-progress",
                     env={**warehouse, "SOURCES__MYSQL_ESTATE__CREDENTIALS__USERNAME": "luckin_nobody",
                          "SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD": "wrong-pass-123"})
    line = assert_one_line_failure(refused, 1, "luckin_nobody")
    assert "wrong-pass-123" not in refused.stderr + refused.stdout + line


def test_unreachable_redis(tmp_path):
    env = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "w.duckdb"), "SOURCES__REDIS_ESTATE__MODE": "server",
           "SOURCES__REDIS_ESTATE__URL": "redis://127.0.0.1:1/0"}
    assert_one_line_failure(luckin("extract", "--schema", "redis_snapshots", "--no-progress", env=env), 1,
                            "127.0.0.1:1")


def test_failed_dbt_build_and_failed_gate_on_an_empty_warehouse(tmp_path):
    env = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "empty.duckdb"), "LUCKIN_QUALITY_DIR": str(tmp_path / "q")}
    duckdb.connect(env["LUCKIN_DUCKDB_PATH"]).close()
    assert_one_line_failure(luckin("build", "--job", "all", env=env), 1, "dbt build failed")
    assert_one_line_failure(luckin("validate", env=env), 1, "critical data-quality checks failed")


def test_a_build_short_of_memory_names_the_setting_that_bounds_it(tmp_path):
    """DuckDB's own message is one line per node among hundreds; the build ends with one line
    naming the setting to raise (the seeds alone need more than 8 MB)."""
    env = {"LUCKIN_DUCKDB_PATH": str(tmp_path / "empty.duckdb"), "LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT": "8MB"}
    duckdb.connect(env["LUCKIN_DUCKDB_PATH"]).close()
    assert_one_line_failure(luckin("build", "--job", "all", env=env), 1,
                            "ran out of DuckDB's build memory of 8MB", "build_memory_limit")


def test_debug_shows_the_traceback():
    proc = luckin("--debug", "build", env={"LUCKIN_PG_PORT": "1", "LUCKIN_TARGET": "postgres"})
    assert proc.returncode == 1 and "Traceback" in proc.stderr and "error:" in proc.stderr
