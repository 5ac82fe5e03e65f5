"""Benchmark how every step grows with the estate: simulate, extract, build, the incremental cycle.

For each scale (default 0.3, 1 and 3; `--big` adds 10), in one run:

  simulate     `luckin simulate --scale S` into MariaDB databases <prefix>luckyus_* and Redis --redis-url
  extract      `luckin extract --full-refresh` (Redis included) into a fresh DuckDB file
  anchor       DuckDB's mysql extension copying the same tables into a fresh file (the
               anchor of scripts/benchmark_extract.py, imported, in its own process)
  full build   `luckin build --job full-refresh`
  append 3     `luckin simulate --append-days 3`
  extract inc  `luckin extract` (what the three days changed)
  build inc    `luckin build` (the incremental job)
  cycle        append 3 + extract inc + build inc
  build idle   `luckin build` again, nothing new landed: the part of the incremental build that
               follows the history, not the change
  re-extract   `luckin extract --full-refresh` again, into the warehouse the steps above filled:
               a re-sync replaces tables that hold rows (into a fresh file it replaced empty ones)

Every step runs as a process of its own; its wall time and peak memory are measured from here:
the peak of the resident memory of the process and all its children (sampled every 0.1 s),
and never less than the kernel's own high-water mark of the step's process (wait4's ru_maxrss).
Then, per step, the growth exponent: the log-log slope of time (and memory) against scale
(least squares over the scales run; 1 = linear). Last, the targets of issue 15.

    python scripts/benchmark_scale.py                      # scales 0.3 1 3
    python scripts/benchmark_scale.py --scales 1 3 --big   # and 10
    python scripts/benchmark_scale.py --keep               # keep the estates (default: drop them)

`--scale` multiplies the daily volume, so three days at scale 3 are three times the rows of three
days at scale 1: the cycle's ratio between scales mixes the size of the change with the size of
the history. `--history DAY [DAY ...]` holds the scale (the first of --scales) and ends the
history on each DAY instead (`luckin simulate --as-of DAY`), and prints the cycle beside the
rows in the estate and the rows the three days wrote: a cycle that follows the change and not
the history costs the same per appended row at every history length.

    python scripts/benchmark_scale.py --scales 1 --history 2025-10-31 2026-02-14 2026-05-31

The estate lives in <prefix>* databases (default bs_) and one Redis logical database, never in
the test suite's own names; the warehouse files under --workdir (default data/benchmark-scale/).
The machine is shared: the load average at each step is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STEPS = ("simulate", "extract", "anchor", "full build", "append 3", "extract inc", "build inc", "cycle",
         "build idle", "re-extract")
LUCKIN = [sys.executable, "-m", "luckin"]


class StepFailed(RuntimeError):
    """A step exited non-zero."""


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def measure(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Run `cmd`; return (wall seconds, peak GB of the process tree). Raises on a non-zero exit."""
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise StepFailed(f"benchmark: `{' '.join(cmd[2:])}` failed (exit {proc.returncode}); see {log}")
    return seconds, max(peak, usage.ru_maxrss * 1024) / 1e9


def anchor(target: str) -> None:
    """In a process of its own: DuckDB's mysql extension copies every catalogued table the
    extract would read (the estate under the extract's configured prefix) into `target`: the
    anchor of scripts/benchmark_extract.py."""
    from benchmark_extract import anchor as copy_with_the_mysql_extension

    copy_with_the_mysql_extension(Path(target))


def _fresh(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def _rows_written(log: Path) -> int:
    """The rows the last `luckin simulate` in the log wrote (its summary line)."""
    found = re.findall(r"rows: ([\d,]+) in \d+ tables", log.read_text(errors="replace"))
    return int(found[-1].replace(",", "")) if found else 0


def run_scale(scale: float, args, log: Path, as_of: str | None = None
              ) -> tuple[dict[str, tuple[float, float]], dict[str, int]]:
    """Every step at one scale (seconds, GB), and the rows the simulation and the append wrote;
    with `as_of`, the history ends that day and the anchor and the idle build are left out (the
    history series)."""
    work = args.workdir / (f"scale-{scale:g}" + (f"-{as_of}" if as_of else ""))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "warehouse.duckdb"
    env = {**os.environ,
           "SIMULATOR__MYSQL__DATABASE_PREFIX": args.prefix, "SIMULATOR__REDIS__URL": args.redis_url,
           "SOURCES__MYSQL_ESTATE__DATABASE_PREFIX": args.prefix, "SOURCES__REDIS_ESTATE__URL": args.redis_url,
           "SOURCES__REDIS_ESTATE__MODE": "server",
           "LUCKIN_TARGET": "duckdb", "LUCKIN_DUCKDB_PATH": str(warehouse),
           "LUCKIN_PIPELINES_DIR": str(work / "pipelines"), "SIMULATOR__CHECKPOINT_DIR": str(work / "checkpoint")}
    steps: dict[str, tuple[float, float]] = {}

    def step(name: str, cmd: list[str]) -> None:
        seconds, gb = measure(cmd, env, log)
        steps[name] = (seconds, gb)
        print(f"  scale {scale:<4g} {as_of or '':<10} {name:<12} {seconds:8.1f} s {gb:6.2f} GB"
              f"   (load {os.getloadavg()[0]:.1f})", flush=True)

    step("simulate", [*LUCKIN, "simulate", "--scale", str(scale), *(["--as-of", as_of] if as_of else [])])
    rows = {"estate": _rows_written(log)}
    step("extract", [*LUCKIN, "extract", "--full-refresh", "--no-progress"])
    if not as_of:
        anchor_file = work / "anchor.duckdb"
        step("anchor", [sys.executable, __file__, "--anchor-into", str(anchor_file)])
        _fresh(anchor_file)
    step("full build", [*LUCKIN, "build", "--job", "full-refresh"])
    step("append 3", [*LUCKIN, "simulate", "--append-days", "3"])
    rows["appended"] = _rows_written(log)
    step("extract inc", [*LUCKIN, "extract", "--no-progress"])
    step("build inc", [*LUCKIN, "build"])
    cycle = [steps[s] for s in ("append 3", "extract inc", "build inc")]
    steps["cycle"] = (sum(s for s, _ in cycle), max(gb for _, gb in cycle))
    if not as_of:
        step("build idle", [*LUCKIN, "build"])
        step("re-extract", [*LUCKIN, "extract", "--full-refresh", "--no-progress"])
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return steps, rows


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x): the growth exponent (1 = linear)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    var = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / var if var else None


def report(results: dict[float, dict[str, tuple[float, float]]]) -> None:
    scales = sorted(results)
    head = " | ".join(f"scale {s:g}" for s in scales)
    print(f"\n| step | {head} | exponent (time / memory) |")
    print("|---|" + "---|" * len(scales) + "---|")
    for name in STEPS:
        cells = " | ".join(f"{results[s][name][0]:.1f} s, {results[s][name][1]:.2f} GB" for s in scales)
        t = slope(scales, [results[s][name][0] for s in scales])
        m = slope(scales, [results[s][name][1] for s in scales])
        fmt = (lambda v: "-" if v is None else f"{v:.2f}")
        print(f"| {name} | {cells} | {fmt(t)} / {fmt(m)} |")
    print("\ntargets (issue 15):")
    for s in scales:
        r = results[s]
        print(f"  scale {s:g}: extract / anchor time {r['extract'][0] / r['anchor'][0]:.2f}x (anchor is faster "
              f"when > 1); build inc / full build {r['build inc'][0] / r['full build'][0]:.0%} (target <= 25% at 3; "
              f"with nothing new {r['build idle'][0] / r['full build'][0]:.0%}); "
              f"largest step {max(v[1] for v in r.values()):.2f} GB (target < 8 at 10); "
              f"extract memory {max(r['extract'][1], r['re-extract'][1]):.2f} GB (target < 0.6)")
    if 1 in results and 3 in results:
        print(f"  cycle at scale 3 / scale 1: {results[3]['cycle'][0] / results[1]['cycle'][0]:.2f}x (target <= 1.3x)")


def report_history(results: dict[str, dict[str, tuple[float, float]]], written: dict[str, dict[str, int]],
                   scale: float) -> None:
    days = sorted(results)
    print(f"\nhistory series at scale {scale:g}: the cycle (append 3 days, extract, build) against the history")
    print("\n| history ends | rows in the estate | rows the 3 days wrote | append 3 | extract inc | build inc |"
          " cycle | cycle per 1,000 rows written |")
    print("|---|---|---|---|---|---|---|---|")
    for d in days:
        r = results[d]
        est, app = written[d]["estate"], written[d]["appended"]
        print(f"| {d} | {est:,} | {app:,} | " + " | ".join(f"{r[k][0]:.1f} s" for k in (
            "append 3", "extract inc", "build inc", "cycle")) + f" | {1000 * r['cycle'][0] / max(app, 1):.3f} s |")
    history = [written[d]["estate"] for d in days]
    fmt = (lambda v: "-" if v is None else f"{v:.2f}")
    print("\ngrowth exponent against the rows in the estate (1 = linear, 0 = flat):")
    for k in ("append 3", "extract inc", "build inc", "cycle"):
        per_row = [results[d][k][0] / max(written[d]["appended"], 1) for d in days]
        print(f"  {k:<12} time {fmt(slope(history, [results[d][k][0] for d in days]))},"
              f" time per row written {fmt(slope(history, per_row))}")


def drop_estate(prefix: str) -> None:
    from luckin.simulator.settings import load_simulator_settings

    conn = load_simulator_settings().mysql.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                    (prefix.replace("_", "\\_") + "%",))
        for (name,) in cur.fetchall():
            cur.execute(f"DROP DATABASE `{name}`")
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.3, 1, 3])
    parser.add_argument("--big", action="store_true", help="also scale 10 (~76M rows; check free disk and memory)")
    parser.add_argument("--prefix", default="bs_", help="MariaDB database prefix of the benchmark's estate")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="Redis logical database of the estate")
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / "data" / "benchmark-scale")
    parser.add_argument("--keep", action="store_true", help="keep the last estate and warehouse files")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--history", nargs="+", metavar="DAY",
                        help="hold the scale (the first of --scales) and end the history on each DAY instead")
    parser.add_argument("--anchor-into", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.anchor_into:
        anchor(args.anchor_into)
        return 0
    if not args.prefix or args.prefix.startswith(("luckyus_", "fi_")):
        raise SystemExit("benchmark: --prefix must be a non-empty prefix of its own (the tests own the plain names)")
    scales = sorted(set(args.scales + ([10.0] if args.big else [])))
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / "benchmark.log"
    runs = [(args.scales[0], day) for day in sorted(args.history)] if args.history else [(s, None) for s in scales]
    print(f"benchmark_scale: {', '.join(f'scale {s:g}' + (f' to {d}' if d else '') for s, d in runs)};"
          f" estate {args.prefix}* and {args.redis_url}; {os.cpu_count()} CPUs; log {log}", flush=True)
    results, written = {}, {}
    try:
        for scale, day in runs:
            results[day or scale], written[day or scale] = run_scale(scale, args, log, day)
    except (KeyboardInterrupt, StepFailed) as exc:  # the scales already measured are still worth a table
        print(f"{exc or 'benchmark_scale: interrupted'}; the table holds the {len(results)} scale(s) completed",
              flush=True)
        failed = True
    else:
        failed = False
    if results and args.history:
        report_history(results, written, args.scales[0])
    elif results:
        report(results)
    if args.json:
        args.json.write_text(json.dumps({str(s): {**r, "rows written": written[s]} for s, r in results.items()},
                                        indent=1))
    if not args.keep:
        drop_estate(args.prefix)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
