"""The core every stage of the warehouse stands on, and which imports none of them.

- `settings`: the one resolved answer to "which warehouse, which sources" (`load_settings()`).
- `errors`: the typed, one-line errors the command line turns into an exit code.
- `sessions`: connections to the warehouse (DuckDB file or Postgres database).
- `contract`: the raw-table contract: how a source column lands, and the loader's own columns.
- `catalog`: what the extract loads (MySQL tables and Redis key patterns) and how.
- `memory`: freed memory given back to the system, Arrow's memory pool (long runs that make and
  drop big arrays: the extract, the simulator).
"""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
# dbt's target folder (dbt's default target-path, relative to the project): the manifest and the run
# results of the runs that pass no --target-path of their own.
DBT_TARGET_DIR = PROJECT_DIR / "target"
