"""Spark beside DuckDB on the same estate: extract and a full build on each, with peak memory.

    python scripts/benchmark_spark.py --scale 0.1           # simulate (embedded) into the run folder first
    python scripts/benchmark_spark.py --scale 0.1 --reuse   # keep the simulated estate

Works in data/benchmark/spark-<scale>/ (the estate is simulated there with the embedded
stand-in, so the shared MariaDB/Redis are left alone). Per target, in processes of their own:
`luckin extract --target T` and `luckin build --target T --job full-refresh`. Every step's wall
time and the peak resident memory of its whole process tree (the JVM that pyspark starts is a
child of the Python process: `/usr/bin/time` would report only the larger of the two) are
sampled with psutil every 0.2 s and printed side by side, DuckDB as the anchor. Timings on this
shared 2-core machine move with whatever else runs: print `uptime` with them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB of the process tree, exit code) of one command."""
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        proc = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            try:
                peak = max(peak, _tree_rss(proc))
            except psutil.Error:
                pass
            time.sleep(0.2)
    return time.perf_counter() - started, peak / 2**20, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true", help="keep the simulated estate of an earlier run")
    parser.add_argument("--targets", default="duckdb,spark")
    args = parser.parse_args()
    root = PROJECT_DIR / "data" / "benchmark" / f"spark-{args.scale:g}"
    estate = root / "estate"
    env = {**os.environ,
           "SOURCES__MYSQL_ESTATE__MODE": "embedded", "SOURCES__MYSQL_ESTATE__EMBEDDED_DIR": str(estate),
           "SOURCES__REDIS_ESTATE__MODE": "embedded", "SOURCES__REDIS_ESTATE__EMBEDDED_DIR": str(estate),
           "SIMULATOR__EMBEDDED_DIR": str(estate),
           "LUCKIN_DUCKDB_PATH": str(root / "warehouse.duckdb"), "LUCKIN_SPARK_DIR": str(root / "spark"),
           "LUCKIN_PIPELINES_DIR": str(root / "pipelines"), "LUCKIN_DBT_THREADS": "2"}
    luckin = [sys.executable, "-m", "luckin"]
    if not (args.reuse and estate.exists()):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        print(f"simulating scale {args.scale} into {estate} ...", flush=True)
        subprocess.run([*luckin, "simulate", "--scale", str(args.scale), "--seed", str(args.seed), "--embedded"],
                       cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    rows = []
    for target in args.targets.split(","):
        for step, extra in (("extract", ["extract", "--no-progress"]), ("build", ["build", "--job", "full-refresh"])):
            seconds, peak, code = timed([*luckin, *extra, "--target", target], env, root / f"{target}-{step}.log")
            rows.append((target, step, seconds, peak, code))
            print(f"{target:<7} {step:<8} {seconds:7.1f} s  peak {peak:7.0f} MiB  exit {code}", flush=True)
    print(f"\nscale {args.scale}, load average {os.getloadavg()[0]:.1f} (2 cores)")
    anchor = {step: s for t, step, s, _, _ in rows if t == "duckdb"}
    for target, step, seconds, peak, code in rows:
        ratio = f"{seconds / anchor[step]:.1f}x DuckDB" if step in anchor and target != "duckdb" else ""
        print(f"  {target:<7} {step:<8} {seconds:7.1f} s {peak:7.0f} MiB {ratio}")
    return 0 if all(r[4] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
