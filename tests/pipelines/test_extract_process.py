"""The extract as a process (what `luckin extract` runs): kill -9 and rerun, clear one-line errors when a source
is down or refuses the password, a read-only MySQL user, and no credential in any output."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.pipelines.conftest import extract, verify, PREFIX, create_schema, mysql, project_dir

OPS_DB = PREFIX + "luckyus_ops_production"


# The command line's work, without the command line (the CLI is tested with the CLI): one run,
# exit code 1 when it did not succeed.
_RUN = """
import sys
from luckin.core.settings import load_settings
from pipelines.extract import run_extract
args = sys.argv[1:]
schemas = [args[i + 1] for i, a in enumerate(args) if a == "--schema"]
summary = run_extract(load_settings(), schemas=schemas or None, verify="--verify" in args, progress=False)
sys.exit(0 if summary.ok else 1)
"""


def _start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _RUN, *args],
                            cwd=project_dir(), env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    proc = _start(env, *args)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _kill_when(proc: subprocess.Popen, pattern: str) -> bool:
    """SIGKILL the run as soon as a file matching `pattern` exists; False if it finished first."""
    while proc.poll() is None:
        if glob.glob(pattern, recursive=True):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


@pytest.fixture(scope="module")
def ops_estate(estate_spec):
    create_schema(estate_spec["luckyus_ops_production"], {"t_make_event": 60000})
    yield


def _exact(duck) -> None:
    src = mysql("SELECT COUNT(*), MAX(id) FROM t_make_event", database=OPS_DB)[0]
    assert duck("SELECT COUNT(*), MAX(id), COUNT(DISTINCT id) FROM luckyus_ops_production.t_make_event") \
        == [(src[0], src[1], src[0])]


@pytest.mark.parametrize("kill_point", ["extract", "load"])
def test_kill_9_then_rerun_gives_exactly_the_source_rows(ops_estate, extract_env, duck, kill_point):
    # Many small load jobs keep the load phase long enough for the watcher to catch it even on
    # a quiet machine (with 1,500-row chunks the load could finish between two polls).
    env = {**extract_env, "SOURCES__MYSQL_ESTATE__CHUNK_ROWS": "1500" if kill_point == "extract" else "250"}
    pipelines = extract_env["LUCKIN_PIPELINES_DIR"]
    watch = {"extract": f"{pipelines}/**/normalize/extracted/*/new_jobs/*.parquet",
             # a job the loader has started or finished, while the package is still being loaded
             "load": f"{pipelines}/**/load/normalized/*/[sc][to][am][rp]*_jobs/*.parquet"}[kill_point]
    # a first load killed part-way, then finished by a rerun
    killed = _kill_when(_start(env, "--schema", "luckyus_ops_production"), watch)
    assert extract(schemas=["luckyus_ops_production"]).ok
    _exact(duck)
    # an incremental (append) run killed part-way, then rerun
    mysql("INSERT INTO t_make_event (order_id, shop_id, event_type, station_no, event_time, create_time)"
          " SELECT order_id, shop_id, event_type, station_no, event_time, create_time FROM t_make_event"
          " WHERE id <= 30000", database=OPS_DB)
    try:
        killed_again = _kill_when(_start(env, "--schema", "luckyus_ops_production"), watch)
        assert (killed, killed_again) == (True, True), "a run finished before it could be killed (first, rerun)"
        summary = extract(schemas=["luckyus_ops_production"])
        assert summary.ok
        _exact(duck)
        assert verify(schemas=["luckyus_ops_production"])
    finally:
        mysql("DELETE FROM t_make_event WHERE id > 60000", database=OPS_DB)


def test_source_down_is_one_line_naming_source_and_host(extract_env):
    res = _run({**extract_env, "SOURCES__MYSQL_ESTATE__CREDENTIALS__PORT": "1"}, "--schema", "luckyus_sales_shop")
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "mysql_estate" in lines[0] and "127.0.0.1:1" in lines[0] and "Traceback" not in res.stderr


def test_redis_down_is_one_line_naming_source_and_host(extract_env):
    res = _run({**extract_env, "SOURCES__REDIS_ESTATE__URL": "redis://127.0.0.1:1/14"}, "--schema", "redis_snapshots")
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "redis_estate" in lines[0] and "127.0.0.1:1" in lines[0], res.stderr


@pytest.fixture()
def read_only_user(estate_spec):
    """A MySQL user with only SELECT on the test databases (the README's grant)."""
    create_schema(estate_spec["luckyus_sales_shop"], {"t_shop": 11, "t_dict_shop_status": 4})
    user, password = "luckin_test_ro", "pw-" + uuid.uuid4().hex
    pattern = PREFIX.replace("_", r"\_") + "%"
    mysql([f"DROP USER IF EXISTS '{user}'@'%'", f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
           f"GRANT SELECT ON `{pattern}`.* TO '{user}'@'%'"])
    yield user, password
    mysql(f"DROP USER IF EXISTS '{user}'@'%'")


def _everything_written(tmp: Path) -> str:
    """All text a run left: its pipelines folder (state, schemas, traces, packages)."""
    out = []
    for p in tmp.rglob("*"):
        if p.is_file() and p.suffix != ".duckdb":
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def test_wrong_password_is_one_line_and_no_credential_is_ever_printed(read_only_user, extract_env, tmp_path, duck):
    user, password = read_only_user
    env = {**extract_env, "SOURCES__MYSQL_ESTATE__CREDENTIALS__USERNAME": user}
    bad = _run({**env, "SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD": password + "x"},
               "--schema", "luckyus_sales_shop")
    assert bad.returncode != 0
    lines = [ln for ln in bad.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "access denied" in lines[0] and "127.0.0.1:3306" in lines[0], bad.stderr
    good = _run({**env, "SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD": password},
                "--schema", "luckyus_sales_shop", "--verify")
    assert good.returncode == 0, good.stderr
    assert duck("SELECT COUNT(*) FROM luckyus_sales_shop.t_shop") == [(11,)]
    for text in (bad.stdout, bad.stderr, good.stdout, good.stderr, _everything_written(tmp_path),
                 "\n".join(str(r) for r in duck("SELECT * FROM luckin_audit.load_audit"))):
        assert password not in text


def test_a_clock_behind_the_newest_load_is_named_and_the_run_still_lands(estate_spec, extract_env, duck):
    """dlt's load ids are this machine's clock. When it reads earlier than the newest load already
    in the warehouse (the clock stepped back), the run says so on one line and lands as usual."""
    import duckdb

    create_schema(estate_spec["luckyus_sales_shop"], {"t_shop": 11, "t_dict_shop_status": 4})
    first = _run(extract_env, "--schema", "luckyus_sales_shop")
    assert first.returncode == 0, first.stderr
    assert "clock" not in first.stderr
    ahead = f"{time.time() + 3600:.6f}"  # a load an hour ahead of this clock
    con = duckdb.connect(extract_env["DESTINATION__DUCKDB__CREDENTIALS"])
    try:
        con.execute("insert into luckin_audit.load_audit (run_id, source_schema, source_table, load_id, "
                    "_dlt_load_id, _dlt_id) values ('ahead', 'luckyus_sales_shop', 't_shop', ?, ?, 'ahead')",
                    [ahead, ahead])
    finally:
        con.close()
    second = _run(extract_env, "--schema", "luckyus_sales_shop")
    assert second.returncode == 0, second.stderr
    warning = [line for line in second.stderr.splitlines() if "clock" in line]
    assert len(warning) == 1 and ahead in warning[0] and "behind" in warning[0], second.stderr
    assert duck("SELECT count(*) FROM luckyus_sales_shop.t_shop") == [(11,)]
    assert duck("SELECT count(DISTINCT run_id) FROM luckin_audit.load_audit WHERE run_id <> 'ahead'") == [(2,)]
