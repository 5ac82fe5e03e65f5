"""The transformation layer: the dbt project run on the warehouse a `Settings` names.

- `profile`: where the project and its dbt profile are, and the environment dbt runs with
  (the resolved warehouse, given to the profile as `LUCKIN_*` variables).
- `runner`: dbt in this process (`invoke_dbt`, `dbt_main`, `exit_after_dbt`) or in a child
  (`dbt_command`, `run_dbt`).
- `jobs`: the build jobs (`run_build`), the build state they keep per warehouse, and what to
  do when one fails (`failure_hint`).
- `docs`: the one-page docs site (`generate_docs`).
- `sources`: dbt sources generated from the extract catalog and the landed warehouse
  (`write_sources_yaml`).

The command line (`luckin build`, `luckin docs`, `luckin dbt ...`) lives in `luckin/cli.py`;
this package parses no arguments.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names below, for type checkers and editors
    from luckin.transform.docs import generate_docs  # noqa: F401
    from luckin.transform.jobs import BUILD_JOBS, failure_hint, run_build  # noqa: F401
    from luckin.transform.profile import PROJECT_DIR, dbt_environment, profiles_dir  # noqa: F401
    from luckin.transform.runner import dbt_command, dbt_main, exit_after_dbt, invoke_dbt, run_dbt  # noqa: F401
    from luckin.transform.sources import write_sources_yaml  # noqa: F401

# Names are imported on first use: `python -m luckin dbt ...` (every dbt child process) needs
# only the runner, not the catalog, the raw-table contract (pyarrow) or the build state.
_HOMES = {
    "generate_docs": "docs",
    "BUILD_JOBS": "jobs", "failure_hint": "jobs", "run_build": "jobs",
    "PROJECT_DIR": "profile", "dbt_environment": "profile", "profiles_dir": "profile",
    "dbt_command": "runner", "dbt_main": "runner", "exit_after_dbt": "runner", "invoke_dbt": "runner",
    "run_dbt": "runner",
    "write_sources_yaml": "sources",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'luckin.transform' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"luckin.transform.{_HOMES[name]}"), name)
