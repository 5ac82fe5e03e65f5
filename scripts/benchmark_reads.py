"""What each source read leaves behind in the extract's process: threads and resident memory.

connectorx (the extract's MySQL reader) builds a connection pool for every `read_sql` call and
never stops the pool's helper threads. This script reads the same small table `--reads` times
through the extract's own reader (`Reader.read`: connectorx) and, as the anchor, through the
reader's PyMySQL connection (`Reader.scalar_row`: one persistent connection), each in a child
process of its own set up as the extract's process is (2 malloc arenas, Arrow's jemalloc pool,
`malloc_trim` after each read), and prints the threads and the resident memory each added per
read.

    SOURCES__MYSQL_ESTATE__DATABASE_PREFIX=bx_ python scripts/benchmark_reads.py [--reads 200]

A full extract at scale 1 makes about 250 such calls (one per table and per chunk of
`chunk_rows`, plus the append tables' canary reads), so the figure per read times that count is
what the extract holds for nothing by its end (pipelines/README.md, Performance).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_and_threads() -> tuple[int, int]:
    with open(f"/proc/{os.getpid()}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["Threads"])


def child(way: str, reads: int) -> dict:
    """One contender, in this process: `reads` reads of the smallest table of the first schema."""
    from luckin.core.memory import release_free_memory
    from luckin.core.settings import load_settings
    from pipelines.mysql_estate.estate import connect_estate
    from pipelines.mysql_estate.helpers import Window
    from pipelines.runtime import prepare_extract_process

    prepare_extract_process()
    estate = connect_estate(load_settings().mysql)
    if estate.mode != "mysql":
        raise SystemExit("the probe needs a MySQL server (the SQLite stand-in does not use connectorx)")
    schema = sorted(estate.schemas_present())[0]
    tables = estate.reflect([schema])[schema]
    reader = estate.reader(schema)
    name = min(tables)  # any table: the cost is per call, not per row
    table = tables[name]
    read = (lambda: reader.read(table, Window())) if way == "connectorx" else \
        (lambda: reader.scalar_row(f"SELECT * FROM {reader.quote(name)} LIMIT 1"))
    read()  # warm: the first call opens what every later one shares
    release_free_memory()
    rss0, threads0 = _rss_and_threads()
    for _ in range(reads):
        read()
        release_free_memory()
    rss1, threads1 = _rss_and_threads()
    reader.close()
    return {"table": f"{schema}.{name}", "threads": (threads1 - threads0) / reads,
            "kib": (rss1 - rss0) / reads / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--child", choices=["connectorx", "pymysql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.reads)))
        return
    for way in ("pymysql", "connectorx"):
        out = subprocess.run([sys.executable, __file__, "--child", way, "--reads", str(args.reads)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{way:11s} {args.reads} reads of {r['table']}: {r['threads']:+.2f} threads and "
              f"{r['kib']:+.0f} KiB resident per read")


if __name__ == "__main__":
    main()
