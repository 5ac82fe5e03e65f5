"""kill -9 in the middle of a merge-table load and in the middle of the Redis snapshot, each kill
proven to have landed mid-run, then a rerun converges on exactly the source.

Proof that a kill landed: the process was still running when it was killed (it dies of
SIGKILL, not of its own exit), and it left partial state behind - a load package still in
`load/normalized` with jobs started, and a warehouse that does not yet hold the change; for the
Redis scan, the killed process's own connection was executing a read of db 11 at that moment
(matched through the process's sockets).

MariaDB: `luckin_t17_k<pid>_*` databases; Redis: logical db 11 (flushed before and after).
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis

from tests.pipelines.conftest import create_schema, drop_prefixed, extract, mysql, project_dir, verify

PREFIX = f"luckin_t17_k{os.getpid()}_"
ORDER_DB = PREFIX + "luckyus_sales_order"
REDIS_DB = os.environ.get("LUCKIN_TEST_REDIS_DB") or "11"  # see conftest
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
ORDERS = 15_000
DEVICES = 20_000
LOAD_JOBS = "load/normalized/*/[sc][to][am][rp]*_jobs/*"  # started_jobs or completed_jobs


def _start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "luckin", "extract", "--no-progress", *args],
                            cwd=project_dir(), env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _kill_when(proc: subprocess.Popen, ready) -> bool:
    """SIGKILL the run the moment `ready()` is true while it still runs; False if it ended first."""
    while proc.poll() is None:
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return proc.returncode == -signal.SIGKILL
    return False


@pytest.fixture()
def kill_env(extract_env, monkeypatch):
    monkeypatch.setenv("SOURCES__MYSQL_ESTATE__DATABASE_PREFIX", PREFIX)
    monkeypatch.setenv("SOURCES__REDIS_ESTATE__URL", REDIS_URL)
    return {**extract_env, "SOURCES__MYSQL_ESTATE__DATABASE_PREFIX": PREFIX, "SOURCES__REDIS_ESTATE__URL": REDIS_URL}


@pytest.fixture()
def order_estate(estate_spec):
    try:
        create_schema(estate_spec["luckyus_sales_order"], {"t_order": ORDERS}, prefix=PREFIX)
        yield
    finally:
        drop_prefixed(PREFIX)


def test_kill_9_during_a_merge_load_then_rerun_converges(order_estate, kill_env, duck):
    assert extract(schemas=["luckyus_sales_order"], progress=False).ok  # first load (replace)
    # every order changes: the next run is a merge of all of them, in many small load jobs
    mysql("UPDATE t_order SET status = 60, update_time = '2026-03-01 10:00:00'", database=ORDER_DB)
    pipelines = Path(kill_env["LUCKIN_PIPELINES_DIR"])
    proc = _start({**kill_env, "SOURCES__MYSQL_ESTATE__CHUNK_ROWS": "250"}, "--schema", "luckyus_sales_order")
    killed = _kill_when(proc, lambda: bool(glob.glob(str(pipelines / "**" / LOAD_JOBS), recursive=True)))
    assert killed, "the merge run finished before it could be killed"
    # partial state: the load package never completed, and the merge did not reach the table
    assert glob.glob(str(pipelines / "**" / "load/normalized/*"), recursive=True)
    (merged,), = duck("SELECT COUNT(*) FROM luckyus_sales_order.t_order WHERE status = 60")
    assert merged < ORDERS, "the kill came after the merge had landed"

    summary = extract(schemas=["luckyus_sales_order"], progress=False)
    assert summary.ok, [(t.table, t.error) for t in summary.failures]
    assert duck("SELECT COUNT(*), COUNT(DISTINCT id), SUM(CASE WHEN status = 60 THEN 1 ELSE 0 END) "
                "FROM luckyus_sales_order.t_order") == [(ORDERS, ORDERS, ORDERS)]
    assert verify(schemas=["luckyus_sales_order"])


@pytest.fixture()
def redis11():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    pipe = client.pipeline(transaction=False)
    for i in range(1, DEVICES + 1):
        pipe.hset(f"luckyus-iot-device:device:LK-BLE-{i:06d}", mapping={
            "device_id": str(i), "shop_id": str(i % 11 + 1), "type": "blender", "model": "Vitamix",
            "status": "online" if i % 3 else "offline", "fw": "1.2.0", "last_heartbeat": "1771000000"})
        if i % 5000 == 0:
            pipe.execute()
    pipe.execute()
    yield client
    client.flushdb()
    client.close()


def _reading_db11(client: redis.Redis, pid: int) -> bool:
    """True while a connection of process `pid` is executing a command on the tests' Redis db."""
    try:
        ports = {c.laddr.port for c in psutil.Process(pid).net_connections(kind="tcp")
                 if c.raddr and c.raddr.port == 6379}
    except psutil.Error:
        return False
    for entry in client.client_list():
        port = int(entry["addr"].rsplit(":", 1)[1])
        if port in ports and entry["db"] == REDIS_DB and entry["cmd"] not in ("NULL", "client|list", "select", "hello",
                                                                           "ping", "client|setinfo"):
            return True
    return False


def _snapshots(duck) -> tuple[int, set, set]:
    """(snapshots recorded, their ids, the snapshot ids found in iot_device_state)."""
    ids = {r[0] for r in duck("SELECT snapshot_id FROM redis_snapshots.snapshots")}
    states = {r[0] for r in duck("SELECT DISTINCT snapshot_id FROM redis_snapshots.iot_device_state")}
    return len(ids), ids, states


@pytest.mark.parametrize("kill_point", ["scan", "load"])
def test_kill_9_during_the_redis_snapshot_then_rerun_converges(redis11, kill_env, duck, kill_point):
    assert extract(schemas=["redis_snapshots"], progress=False).ok  # one complete snapshot
    pipelines = Path(kill_env["LUCKIN_PIPELINES_DIR"])
    normalized = str(pipelines / "**" / "redis_estate" / "load/normalized/*")
    load_jobs = str(pipelines / "**" / "redis_estate" / LOAD_JOBS)
    complete = 1
    for _ in range(3):  # a kill can land after the load finished: the package left normalized/
        proc = _start(kill_env, "--schema", "redis_snapshots")
        watcher = redis.Redis.from_url(REDIS_URL)
        try:
            if kill_point == "scan":
                ready = lambda: _reading_db11(watcher, proc.pid)  # noqa: E731
            else:
                ready = lambda: bool(glob.glob(load_jobs, recursive=True))  # noqa: E731
            assert _kill_when(proc, ready), f"the snapshot finished before it could be killed ({kill_point})"
        finally:
            watcher.close()
        if kill_point == "scan" or glob.glob(normalized, recursive=True):
            break
        complete += 1  # too late to test anything: that run's snapshot is complete, and counted
    count, ids, states = _snapshots(duck)
    assert count == complete, "the killed snapshot was recorded as complete"
    if kill_point == "load":
        # its package never completed
        assert glob.glob(normalized, recursive=True)

    summary = extract(schemas=["redis_snapshots"], progress=False)
    assert summary.ok and summary.redis.status == "loaded", summary.redis
    count, ids, states = _snapshots(duck)
    # one more complete snapshot, and no row of the killed one left in any table
    assert count == complete + 1 and states == ids
    assert duck("SELECT COUNT(*) FROM redis_snapshots.iot_device_state") == [((complete + 1) * DEVICES,)]
    per_snapshot = duck("SELECT snapshot_id, COUNT(*) FROM redis_snapshots.instance_info GROUP BY 1")
    assert sorted(n for _, n in per_snapshot) == [78] * (complete + 1)
