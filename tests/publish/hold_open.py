"""A BI tool in a process of its own: `python -m tests.publish.hold_open FILE` opens the published
DuckDB file read-only, prints `ready`, and answers each line on stdin with a JSON line of what it
sees (build id, tables, rows of every mart) through that same connection, until stdin closes."""

from __future__ import annotations

import json
import sys

import duckdb


def snapshot(con) -> dict:
    catalog = con.execute("select current_database()").fetchone()[0]
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
    rows = {t: con.execute(f'select count(*) from "{catalog}".marts."{t}"').fetchone()[0] for t in tables}
    build = con.execute(f'select build_id from "{catalog}".marts._luckin_publication').fetchone()[0]
    return {"build_id": build, "rows": rows}


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps(snapshot(con)), flush=True)
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
