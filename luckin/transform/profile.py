"""Where the dbt project and its profile are, and the environment dbt runs with.

The profile is `profiles.example.yml` at the project root, committed, with `profiles.yml` a link
to it (the name dbt looks for): every setting in it is an
`env_var('LUCKIN_...')` with a default, so plain `dbt build` from the project root finds it
(dbt looks in the working directory first) and sqlfluff's dbt templater is pointed at it.
A user who keeps their own profile sets DBT_PROFILES_DIR, and dbt (and `profiles_dir()`)
honour it.

dbt learns the warehouse only through the environment its profile reads: `dbt_environment`
merges `Warehouse.dbt_env()` (and the thread count) into this process's environment for a
child process; the in-process incremental job sets the same variables on `os.environ`.
"""

from __future__ import annotations

import os
from pathlib import Path

from luckin.core import PROJECT_DIR
from luckin.core.settings import Settings, Warehouse

__all__ = ["PROJECT_DIR", "dbt_environment", "profiles_dir", "warehouse_env"]


def profiles_dir() -> Path:
    """The folder holding the profile dbt uses: DBT_PROFILES_DIR when set, else the project root."""
    return Path(os.environ.get("DBT_PROFILES_DIR") or PROJECT_DIR)


def warehouse_env(warehouse: Warehouse, settings: Settings | None = None) -> dict[str, str]:
    """The variables the profile reads for this warehouse (and the thread count, when known)."""
    env = dict(warehouse.dbt_env())
    if settings is not None:
        env["LUCKIN_DBT_THREADS"] = str(settings.dbt_threads)
    return env


def dbt_environment(warehouse: Warehouse, settings: Settings | None = None) -> dict[str, str]:
    """A child process's environment: this one's, with the warehouse's variables on top."""
    return {**os.environ, **warehouse_env(warehouse, settings)}
