"""Shared fixtures: the real services, and a small simulated estate built once and reused.

The tests talk to the MariaDB, Redis and PostgreSQL on this machine (``make test`` starts
them when they are down). The simulated estate uses the production schema names, so running
the tests replaces whatever estate the local MariaDB held; the Redis half goes to logical
database 13 so the tests never touch db 0.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pymysql
import pytest
import redis

from luckin.simulator.run import generator_digest, mysql_fingerprint, read_manifest, simulate
from luckin.simulator.targets import MySQLSettings, MySQLTarget
from luckin.simulator import world as w

TEST_REDIS_URL = "redis://127.0.0.1:6379/13"
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
