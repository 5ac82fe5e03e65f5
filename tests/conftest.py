"""Shared fixtures: the real services, and a small simulated estate built once and reused.

The tests talk to the MariaDB, Redis and PostgreSQL on this machine (``make test`` starts
them when they are down). The simulated estate uses the production schema names, so running
the tests replaces whatever estate the local MariaDB held; the Redis half goes to logical
database 13 so the tests never touch db 0.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pymysql
import pytest
import redis

from luckin.simulator.run import generator_digest, mysql_fingerprint, read_manifest, simulate
from luckin.simulator.targets import MySQLSettings, MySQLTarget
from luckin.simulator import world as w

TEST_REDIS_URL = "redis://127.0.0.1:6379/13"

# `make test` runs the suite on two xdist workers (`-n 2`). Tests that share something a worker
# cannot have to itself run on one worker, in collection order:
# - estate: the production-named estate on MariaDB and Redis dbs 12, 13, 15 (small_estate),
#   and the commands run with the project's own target/ folder (test_cli, end to end);
# - pipelines: Redis db 14 (and 11), flushed by its fixtures;
# - landed: the small warehouse built once per worker (tests/report/warehouses.py).
# Every other module is a unit of its own, so its module-scoped fixtures are built once.
WORKER_GROUPS = {
    "estate": ("tests/simulator/", "tests/test_end_to_end.py", "tests/test_cli.py"),
    "pipelines": ("tests/pipelines/",),
    "landed": ("tests/report/", "tests/quality/", "tests/metrics/", "tests/publish/", "tests/dbt/test_spark.py"),
}


def worker_group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return next((name for name, paths in WORKER_GROUPS.items() if module.startswith(paths)), module)


def pytest_xdist_make_scheduler(config, log):
    """xdist's scope scheduling with WORKER_GROUPS as the scopes: each group, and each other
    module, goes whole to one worker (biggest first); idle workers take the next."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return GroupScheduling(config, log)


def _import_great_expectations_in_a_worker() -> None:
    """great-expectations imports pyspark's connect module when pyspark is installed, and that
    module exits the process when __main__ looks like a doctest run: no __file__, as in an xdist
    worker. Import it once with a stand-in __file__ (removed again: multiprocessing's spawn would
    run it), so the failed optional import is remembered by great-expectations, not retried."""
    import __main__

    if not os.environ.get("PYTEST_XDIST_WORKER") or hasattr(__main__, "__file__"):
        return
    __main__.__file__ = __file__
    try:
        import great_expectations  # noqa: F401
    except ImportError:
        pass
    finally:
        del __main__.__file__


_import_great_expectations_in_a_worker()

TEST_SCALE = 0.02
TEST_SEED = 7


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session", autouse=True)
def services() -> None:
    missing = [name for name, port in (("MariaDB", 3306), ("Redis", 6379), ("PostgreSQL", 5432)) if not _port_open(port)]
    if missing:
        pytest.exit(f"services not running: {', '.join(missing)} (run `make services`)", returncode=3)


@pytest.fixture(scope="session")
def mysql_settings() -> MySQLSettings:
    return MySQLSettings()


@pytest.fixture(scope="session")
def test_redis() -> redis.Redis:
    return redis.Redis.from_url(TEST_REDIS_URL)


def ensure_estate(scale: float = TEST_SCALE, seed: int = TEST_SEED, embedded_dir: Path | None = None):
    """Simulate the test estate unless the servers already hold exactly this one."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    manifest = read_manifest(client)
    wanted = {"scale": scale, "seed": seed, "as_of": w.BASE_AS_OF.isoformat(), "code": generator_digest()}
    if (manifest and all(manifest.get(k) == v for k, v in wanted.items())
            and manifest.get("mysql_fingerprint") == mysql_fingerprint(MySQLTarget(MySQLSettings()))):
        return manifest  # Redis and MariaDB both still hold exactly this estate
    simulate(scale, seed, redis_url=TEST_REDIS_URL, embedded_dir=embedded_dir or Path("data/estate-test"))
    return read_manifest(client)


@pytest.fixture(scope="session")
def small_estate() -> dict:
    """The standard small estate (scale 0.02) on the local MariaDB and Redis db 13."""
    return ensure_estate()


def mysql_query(sql: str, database: str | None = None):
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=database, charset="utf8mb4")
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()
