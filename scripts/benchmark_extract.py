"""Benchmark `luckin extract` against DuckDB's own mysql extension, side by side.

Both read the same MySQL tables (every table of the extract catalog, in the databases the
extract is configured to read) into a fresh DuckDB file:

- duckdb_mysql: DuckDB 1.4.4 with the mysql extension from the `duckdb-ext-mysql` wheel,
  `ATTACH ... (TYPE mysql, READ_ONLY)` per schema, `CREATE TABLE ... AS SELECT * FROM src.t`;
- luckin_extract: `run_extract(settings, schemas=<all MySQL schemas>, full_refresh=True)`
  into an empty file (Redis is left out: the extension does not read Redis).

Each contender runs `--rounds` times, alternating (and alternating who goes first), each time
from an empty file; the best round of each is compared (the machines are shared: the best round
is the least disturbed; the load average printed with each round shows how shared).
Prints rows, seconds and rows/s of each, and the ratio luckin/duckdb (target >= 0.8).

    python scripts/benchmark_extract.py [--rounds 2] [--workdir /tmp/luckin-bench]

Source settings are the extract's own (`[sources.mysql_estate]`, SOURCES__MYSQL_ESTATE__*).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def mysql_extension_path() -> str:
    import duckdb_ext

    base = Path(list(duckdb_ext.__path__)[0]) / "extensions"
    found = sorted(base.glob("v1.4.4/*/mysql_scanner.duckdb_extension"))
    if not found:
        raise SystemExit(f"no mysql_scanner.duckdb_extension under {base} (pip install duckdb-ext-mysql)")
    return str(found[0])


def run_duckdb_mysql(estate, schemas: dict[str, list[str]], target: Path) -> tuple[int, float]:
    """DuckDB's mysql extension: every catalogued table into `target`. Returns (rows, seconds)."""
    import duckdb

    con = duckdb.connect(str(target))
    con.install_extension(mysql_extension_path())
    con.load_extension("mysql")
    rows = 0
    started = time.perf_counter()
    for schema, tables in schemas.items():
        database = estate.database_prefix + schema
        secret = f" password={estate.password}" if estate.password else ""
        con.execute(f"ATTACH 'host={estate.host} port={estate.port} user={estate.username}{secret}"
                    f" database={database}' AS src (TYPE mysql, READ_ONLY)")
        con.execute(f'CREATE SCHEMA "{schema}"')
        for table in tables:
            con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM src."{table}"')
            rows += con.execute(f'SELECT COUNT(*) FROM "{schema}"."{table}"').fetchone()[0]
        con.execute("DETACH src")
    con.close()
    return rows, time.perf_counter() - started


def run_luckin(schemas: list[str], target: Path, pipelines_dir: Path) -> tuple[int, float, float]:
    """`run_extract` into `target`. Returns (rows, seconds, peak memory MB)."""
    import dataclasses

    from luckin.core.settings import load_settings
    from pipelines.extract import run_extract

    settings = load_settings("duckdb")
    settings = dataclasses.replace(settings, duckdb=dataclasses.replace(settings.duckdb, path=target),
                                   pipelines_dir=pipelines_dir)
    summary = run_extract(settings, schemas=schemas, full_refresh=True, progress=False)
    if not summary.ok:
        raise SystemExit(f"luckin extract failed: {summary.error or [t.error for t in summary.failures][:3]}")
    return summary.rows_extracted, summary.duration_seconds, summary.peak_rss_mb or 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)

    from luckin.core.catalog import load_catalog
    from luckin.core.settings import load_settings
    from pipelines.mysql_estate.estate import connect_estate

    estate = connect_estate(load_settings().mysql)
    if estate.mode != "mysql":
        raise SystemExit("the benchmark needs a MySQL server (DuckDB's extension cannot read the SQLite stand-in)")
    estate.check()
    catalog = load_catalog()
    present = estate.schemas_present()
    reflected = estate.reflect([s for s in catalog.schemas if s in present])
    schemas = {s: [t for t in catalog.schemas[s].tables if t in reflected.get(s, {})]
               for s in catalog.schemas if s in present}
    work = args.workdir or Path(tempfile.mkdtemp(prefix="luckin-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"source: {estate.describe()}, {len(schemas)} schemas, {sum(map(len, schemas.values()))} tables")

    results: dict[str, list[tuple[int, float]]] = {"duckdb_mysql": [], "luckin_extract": []}
    peak = 0.0
    for r in range(args.rounds):
        order = ("duckdb_mysql", "luckin_extract") if r % 2 == 0 else ("luckin_extract", "duckdb_mysql")
        for name in order:
            target = work / f"{name}.duckdb"
            for p in (target, Path(f"{target}.wal")):
                p.unlink(missing_ok=True)
            if name == "duckdb_mysql":
                rows, secs = run_duckdb_mysql(estate, schemas, target)
            else:
                shutil.rmtree(work / "pipelines", ignore_errors=True)
                rows, secs, mem = run_luckin(list(schemas), target, work / "pipelines")
                peak = max(peak, mem)
            results[name].append((rows, secs))
            load = os.getloadavg()[0]
            print(f"round {r + 1}: {name:<15} {rows:>11,} rows {secs:8.1f} s {rows / secs:>11,.0f} rows/s"
                  f"  (load average {load:.1f} on {os.cpu_count()} CPUs)", flush=True)

    best = {name: min(runs, key=lambda x: x[1]) for name, runs in results.items()}
    duck_rate = best["duckdb_mysql"][0] / best["duckdb_mysql"][1]
    our_rate = best["luckin_extract"][0] / best["luckin_extract"][1]
    print()
    print(f"duckdb mysql extension : {best['duckdb_mysql'][0]:,} rows in {best['duckdb_mysql'][1]:.1f} s"
          f" = {duck_rate:,.0f} rows/s (best of {args.rounds})")
    print(f"luckin extract         : {best['luckin_extract'][0]:,} rows in {best['luckin_extract'][1]:.1f} s"
          f" = {our_rate:,.0f} rows/s (best of {args.rounds}), peak memory {peak:,.0f} MB")
    print(f"ratio luckin / duckdb  : {our_rate / duck_rate:.2f}x (target >= 0.80)")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
