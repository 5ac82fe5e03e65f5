"""`python -m luckin` is the `luckin` command (the build starts its dbt child processes this way)."""

from luckin.cli import run

run()
