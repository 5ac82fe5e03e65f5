"""`python -m luckin`: the command line. `python -m luckin dbt <args>` is dbt's own CLI run in
this process (how the project starts every dbt child process), dispatched before the rest of
the command line is imported."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["dbt"]:
        from luckin.transform import dbt_main

        dbt_main(sys.argv[2:])
    from luckin.cli import run

    run()
