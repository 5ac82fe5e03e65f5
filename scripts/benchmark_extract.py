"""Benchmark `luckin extract --full-refresh` against DuckDB's own mysql extension, side by side.

Both read the same MySQL tables (every table of the extract catalog, in the databases the
extract is configured to read) into a fresh DuckDB file, each as a whole process of its own:

- duckdb_mysql (the anchor): DuckDB 1.4.4 with the mysql extension from the `duckdb-ext-mysql`
  wheel, `ATTACH ... (TYPE mysql, READ_ONLY)` per schema, `CREATE TABLE ... AS SELECT * FROM
  src.t`, one table after another (this script, run again with `--anchor FILE`);
- luckin_extract: the command a user runs, `luckin extract --full-refresh --no-progress` into an
  empty file with empty dlt folders: start-up, imports, every MySQL schema *and* the Redis
  snapshot (which the anchor does not read), the audit, everything until the process exits.
- with `--sql-table`, also dlt_sql_table: dlt's own `sql_database` source (the library the
  project's reader replaced) with the connectorx backend, one dlt pipeline per schema as the
  extract has, replace, Parquet into DuckDB; zero dates read as NULL through
  `query_adapter_callback` (connectorx cannot convert them). Rows only: no Redis, no audit, no
  convergence or type contract - what a plain dlt pipeline does;
- with `--postgres DATABASE`, also `luckin extract --full-refresh --target postgres` into that
  Postgres database (dropped first: give it a name of your own, e.g. bx_warehouse).

For each: wall time of the process, peak resident memory of the process and its children
together (sampled every 0.1 s), the CPU seconds of the process tree and those of the MySQL
server meanwhile (on a shared machine wall time follows the load; CPU seconds much less). Each contender runs `--rounds` times, alternating who goes
first; the best round of each is compared (the machine is shared: the best round is the least
disturbed; the load average printed with each round shows how shared). Prints the ratio
anchor seconds / luckin seconds (target >= 1.0) and luckin's peak memory (target < 600 MB).

    python scripts/benchmark_extract.py [--rounds 2] [--workdir /tmp/luckin-bench] [--sql-table]
        [--postgres bx_warehouse]

Source settings are the extract's own (`[sources.mysql_estate]`, `[sources.redis_estate]`,
SOURCES__MYSQL_ESTATE__DATABASE_PREFIX...); the child processes inherit the environment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def estate_tables():
    """The estate the extract reads, and its catalogued tables present there, per schema."""
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
    return estate, {s: [t for t in catalog.schemas[s].tables if t in reflected.get(s, {})]
                    for s in catalog.schemas if s in present}


def anchor(target: Path) -> int:
    """The anchor's own process: every catalogued table through DuckDB's mysql extension."""
    import duckdb

    from luckin.core.sessions import duckdb_extension

    estate, schemas = estate_tables()
    con = duckdb.connect(str(target))
    con.install_extension(str(duckdb_extension("mysql_scanner")))
    con.load_extension("mysql")
    rows = 0
    for schema, tables in schemas.items():
        secret = f" password={estate.password}" if estate.password else ""
        con.execute(f"ATTACH 'host={estate.host} port={estate.port} user={estate.username}{secret}"
                    f" database={estate.database_prefix + schema}' AS src (TYPE mysql, READ_ONLY)")
        con.execute(f'CREATE SCHEMA "{schema}"')
        for table in tables:
            con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM src."{table}"')
            rows += con.execute(f'SELECT COUNT(*) FROM "{schema}"."{table}"').fetchone()[0]
        con.execute("DETACH src")
    con.close()
    print(f"rows={rows}")
    return 0


def dlt_sql_table(target: Path, pipelines_dir: Path) -> int:
    """dlt_sql_table's own process: every catalogued table through dlt's `sql_database` source."""
    import dlt
    import sqlalchemy as sa
    from dlt.sources.sql_database import sql_database

    dates = (sa.types.Date, sa.types.DateTime)

    def nullable_dates(table):  # a zero date arrives as NULL, also in a NOT NULL column
        for c in table.columns:
            if isinstance(c.type, dates):
                c.nullable = True
        return table

    def zero_dates_to_null(query, table):
        if not any(isinstance(c.type, dates) for c in table.columns):
            return query
        cols = ", ".join(f"IF(`{c.name}` < '1000-01-01', NULL, `{c.name}`) AS `{c.name}`"
                         if isinstance(c.type, dates) else f"`{c.name}`" for c in table.columns)
        return sa.text(f"SELECT {cols} FROM `{table.name}`")

    estate, schemas = estate_tables()
    secret = f":{estate.password}" if estate.password else ""
    rows = 0
    for schema, tables in schemas.items():
        url = f"mysql+pymysql://{estate.username}{secret}@{estate.host}:{estate.port}/{estate.database_prefix + schema}"
        source = sql_database(credentials=url, table_names=tables, backend="connectorx", chunk_size=100_000,
                              reflection_level="full", table_adapter_callback=nullable_dates,
                              query_adapter_callback=zero_dates_to_null)
        pipeline = dlt.pipeline(pipeline_name=f"bench_{schema}", destination=dlt.destinations.duckdb(str(target)),
                                dataset_name=schema, pipelines_dir=str(pipelines_dir))
        pipeline.run(source, write_disposition="replace", loader_file_format="parquet")
        rows += sum(pipeline.last_trace.last_normalize_info.row_counts.get(t, 0) for t in tables)
    print(f"rows={rows}")
    return 0


def _server_cpu() -> float:
    """CPU seconds the MySQL server has used so far (0 when it is not a local process we can see):
    the two contenders load the server differently (text against binary protocol)."""
    import psutil

    for p in psutil.process_iter(["name"]):
        if p.info["name"] in ("mariadbd", "mysqld"):
            try:
                t = p.cpu_times()
                return t.user + t.system
            except psutil.Error:
                return 0.0
    return 0.0


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float, float]:
    """Run `cmd`; returns (wall seconds, peak RSS MB of the process tree, stdout, CPU seconds of
    the process tree, CPU seconds of the MySQL server meanwhile - other users of it included)."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = _server_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            total = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
        except psutil.Error:
            total = 0
        peak = max(peak, total)
        time.sleep(0.1)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed (exit {proc.returncode}):\n{err[-3000:]}")
    return seconds, peak / 2**20, out, cpu, _server_cpu() - server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--postgres", metavar="DATABASE", default=None,
                        help="also extract into this Postgres database (dropped and re-created each round)")
    parser.add_argument("--sql-table", action="store_true",
                        help="also time dlt's own sql_database source (connectorx backend) on the same tables")
    parser.add_argument("--anchor", type=Path, default=None, help=argparse.SUPPRESS)  # the anchor's process
    parser.add_argument("--dlt-sql-table", type=Path, default=None, help=argparse.SUPPRESS)  # its process
    args = parser.parse_args(argv)
    if args.anchor:
        return anchor(args.anchor)
    if args.dlt_sql_table:
        return dlt_sql_table(args.dlt_sql_table, args.dlt_sql_table.parent / "pipelines")

    estate, schemas = estate_tables()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="luckin-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"source: {estate.describe()} (database prefix {estate.database_prefix!r}), {len(schemas)} schemas,"
          f" {sum(map(len, schemas.values()))} tables; anchor and luckin each a whole process")
    luckin = [str(Path(sys.executable).parent / "luckin")]
    names = (["duckdb_mysql", "luckin_extract"] + (["dlt_sql_table"] if args.sql_table else [])
             + (["luckin_postgres"] if args.postgres else []))
    results: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            env = dict(os.environ)
            target = work / f"{name}.duckdb"
            for p in (target, Path(f"{target}.wal")):
                p.unlink(missing_ok=True)
            shutil.rmtree(work / "pipelines", ignore_errors=True)
            env["LUCKIN_PIPELINES_DIR"] = str(work / "pipelines")
            if name == "duckdb_mysql":
                cmd = [sys.executable, str(Path(__file__).resolve()), "--anchor", str(target)]
            elif name == "dlt_sql_table":
                cmd = [sys.executable, str(Path(__file__).resolve()), "--dlt-sql-table", str(target)]
            elif name == "luckin_extract":
                env["LUCKIN_DUCKDB_PATH"] = str(target)
                cmd = [*luckin, "extract", "--full-refresh", "--no-progress", "--target", "duckdb"]
            else:
                _drop_postgres(args.postgres)
                env["LUCKIN_PG_DATABASE"] = args.postgres
                cmd = [*luckin, "extract", "--full-refresh", "--no-progress", "--target", "postgres"]
            secs, mb, out, cpu, server = measured(cmd, env)
            results[name].append((secs, mb))
            load = os.getloadavg()
            print(f"round {r + 1}: {name:<16} {secs:7.1f} s  peak {mb:7,.0f} MB  cpu {cpu:5.1f} s"
                  f" (+ MySQL server {server:5.1f} s)"
                  f"  (load average {load[0]:.1f} / {load[1]:.1f} on {os.cpu_count()} CPUs)", flush=True)
            if name in ("duckdb_mysql", "dlt_sql_table") and r == 0:
                print(f"          {out.strip()} (what the anchor copied)", flush=True)

    best = {name: min(runs) for name, runs in results.items()}
    peak = {name: max(mb for _, mb in runs) for name, runs in results.items()}
    print()
    print(f"{'contender':<16} {'best s':>8} {'peak MB':>8}   (best of {args.rounds}; peak = highest of the rounds)")
    for name in names:
        print(f"{name:<16} {best[name][0]:8.1f} {peak[name]:8,.0f}")
    ratio = best["duckdb_mysql"][0] / best["luckin_extract"][0]
    print(f"speed luckin vs anchor : {ratio:.2f}x (anchor s / luckin s; target >= 1.00)")
    print(f"luckin peak memory     : {peak['luckin_extract']:,.0f} MB (target < 600 MB)")
    if args.sql_table:
        print(f"dlt sql_table vs anchor: {best['duckdb_mysql'][0] / best['dlt_sql_table'][0]:.2f}x"
              f" (rows only; luckin vs dlt sql_table: {best['dlt_sql_table'][0] / best['luckin_extract'][0]:.2f}x)")
    if args.postgres:
        print(f"postgres / duckdb      : {best['luckin_postgres'][0] / best['luckin_extract'][0]:.2f}x"
              f" (luckin into Postgres s / into DuckDB s; target <= 2.00)")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _drop_postgres(database: str) -> None:
    from luckin.core.settings import load_settings

    import psycopg2

    pg = load_settings("postgres").postgres
    conn = psycopg2.connect(pg.url(database="postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    conn.close()


if __name__ == "__main__":
    sys.exit(main())
