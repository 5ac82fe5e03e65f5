"""Benchmark `luckin publish` on a warehouse that is already built (no simulate, extract or build here).

    LUCKIN_DUCKDB_PATH=data/benchmark/duckdb-1.0/warehouse.duckdb python scripts/benchmark_publish.py
    python scripts/benchmark_publish.py --target postgres --repeat 3

Publishes --repeat times (each a real publish: gates on the working marts, copy, rename or
swap) and prints, per run and as the median, the gates' time, the copy's time (including the
fsync and rename, or the schema swap) and the whole; then what was published (tables, rows,
the file's size). The settings are resolved as `luckin` resolves them, so point LUCKIN_* at the
warehouse to measure. Timings move with whatever else runs on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

from luckin.core.sessions import query
from luckin.core.settings import MARTS_SCHEMA, PUBLISHED_SCHEMA, Target, load_settings
from luckin.publish import publish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=None, choices=[t.value for t in Target])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings(args.target)
    runs = []
    for n in range(args.repeat):
        started = time.perf_counter()
        result = publish(settings)
        total = time.perf_counter() - started
        runs.append((result.seconds["gates"], result.seconds["copy"], total))
        print(f"run {n + 1}: gates {runs[-1][0]:.1f} s, copy {runs[-1][1]:.1f} s, total {total:.1f} s", flush=True)
    gates, copy, total = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"median of {len(runs)}: gates {gates:.1f} s, copy {copy:.1f} s, total {total:.1f} s")
    published = settings.published
    if settings.target is Target.duckdb:
        catalog = published.path.name.lstrip(".").split(".")[0]
        tables = query(published, "select table_name, estimated_size from duckdb_tables() "
                                  f"where schema_name = '{MARTS_SCHEMA}' order by 2 desc")
        size = published.path.stat().st_size
        rows = sum(query(published, f'select count(*) from "{catalog}".{MARTS_SCHEMA}."{t}"')[0][0] for t, _ in tables)
        print(f"published {published.path}: {len(tables)} tables, {rows:,} rows, {size / 1e6:.1f} MB")
    else:
        tables = query(published, "select relname, n_live_tup from pg_stat_user_tables where schemaname = %s",
                       (PUBLISHED_SCHEMA,))
        print(f"published {published.describe()} schema {PUBLISHED_SCHEMA}: {len(tables)} tables")
    print(f"what: {result.publication.describe()}")


if __name__ == "__main__":
    main()
