"""The transformation layer: the dbt project run on the warehouse a `Settings` names.

- `profile`: where the project and its dbt profile are, and the environment dbt runs with
  (the resolved warehouse, given to the profile as `LUCKIN_*` variables).
- `runner`: dbt in this process (`invoke_dbt`, `dbt_main`, `exit_after_dbt`) or in a child
  (`dbt_command`, `run_dbt`).
- `jobs`: the build jobs (`run_build`) and the build state they keep per warehouse.
- `docs`: the one-page docs site (`generate_docs`).
- `sources`: dbt sources generated from the extract catalog and the landed warehouse
  (`write_sources_yaml`).

The command line (`luckin build`, `luckin docs`, `luckin dbt ...`) lives in `luckin/cli.py`;
this package parses no arguments.
"""

from luckin.transform.docs import generate_docs
from luckin.transform.jobs import BUILD_JOBS, run_build
from luckin.transform.profile import PROJECT_DIR, dbt_environment, profiles_dir
from luckin.transform.runner import dbt_command, dbt_main, exit_after_dbt, invoke_dbt, run_dbt
from luckin.transform.sources import write_sources_yaml

__all__ = ["BUILD_JOBS", "PROJECT_DIR", "dbt_command", "dbt_environment", "dbt_main", "exit_after_dbt",
           "generate_docs", "invoke_dbt", "profiles_dir", "run_build", "run_dbt", "write_sources_yaml"]
