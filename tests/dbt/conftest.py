"""Fixtures for the dbt layer tests (helpers in dbt_harness.py, synthetic data in landing.py).

Every warehouse here is private to the test session: a DuckDB file under pytest's tmp dir, or
a Postgres database created for the session and dropped at the end.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import landing  # noqa: E402
from dbt_harness import Warehouse, new_duckdb_warehouse  # noqa: E402
from luckin.core.sessions import pg_admin  # noqa: E402
from luckin.core.settings import load_settings  # noqa: E402


@pytest.fixture(scope="session")
def synthetic_duckdb(tmp_path_factory) -> Warehouse:
    """A DuckDB warehouse holding the synthetic landing (tests/dbt/landing.py), not yet built."""
    tmp = tmp_path_factory.mktemp("dbt-synthetic-duckdb")
    wh = new_duckdb_warehouse(tmp, "warehouse")
    landing.build_duckdb(wh.env["LUCKIN_DUCKDB_PATH"])
    return wh


@pytest.fixture(scope="session")
def postgres_database():
    """Factory of Postgres databases private to this session; all dropped at the end."""
    created: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        pg_admin(load_settings().postgres, f'create database "{name}"')
        created.append(name)
        return name

    yield make
    for name in created:
        pg_admin(load_settings().postgres, f'drop database if exists "{name}" with (force)')


