"""What an open DuckDB instance holds, outside its buffer, for the rows loaded into it.

The extract loads every chunk of every table into one DuckDB instance that stays open for the
whole run. DuckDB keeps in-memory structures (row groups, column segments, statistics) for the
rows appended while the instance is open, allocated through the C++ heap (glibc), not through
its buffer pool, so `memory_limit` does not bound them and they are freed only when the
instance closes. This script loads the same 100k-row, 30-column Parquet chunk again and again
into `--tables` tables, one after another (a full refresh loads each table once), one
`INSERT ... FROM read_parquet` per chunk as dlt's loader does, with
the extract's DuckDB settings and malloc settings, in a child process per contender:

- `kept open`: one instance for the whole load, as the extract does;
- the anchor, `reopened`: the instance closed and opened again every `--reopen-every` million rows.

It prints, every `--every` million rows (before any reopening), glibc's bytes in use and the
process's anonymous resident memory (DuckDB's buffer included), then the same once the instance
is closed.

    python scripts/benchmark_duckdb_growth.py [--million-rows 20] [--tables 60] [--workdir data/bench]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK_ROWS = 100_000


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                "fsmblks", "uordblks", "fordblks", "keepcost")]


def _glibc_in_use_mb() -> float:
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    return libc.mallinfo2().uordblks / 2**20


def _anon_mb() -> float:
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["RssAnon"].split()[0]) / 1024


def _chunk(path: Path) -> None:
    """One chunk of the estate's usual column types, ten of each kind, three times over."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    n = CHUNK_ROWS
    start = np.datetime64("2025-01-01T00:00:00")
    cols = {}
    for k in range(3):
        cols.update({
            f"id_{k}": pa.array(np.arange(n, dtype=np.int64)),
            f"user_id_{k}": pa.array(rng.integers(0, 10**6, n)),
            f"store_id_{k}": pa.array(rng.integers(0, 1000, n).astype(np.int32)),
            f"amount_{k}": pa.array(np.round(rng.random(n) * 100, 2)).cast(pa.decimal128(12, 2)),
            f"status_{k}": pa.array(rng.choice(["PAID", "NEW", "DONE", "REFUNDED"], n)),
            f"note_{k}": pa.array([f"order note {i}" for i in range(n)]),
            f"create_time_{k}": pa.array(start + rng.integers(0, 10**7, n).astype("timedelta64[s]"))
            .cast(pa.timestamp("us", "UTC")),
            f"update_time_{k}": pa.array(start + rng.integers(0, 10**7, n).astype("timedelta64[s]"))
            .cast(pa.timestamp("us", "UTC")),
            f"qty_{k}": pa.array(rng.integers(0, 10, n).astype(np.int16)),
            f"flag_{k}": pa.array(rng.integers(0, 2, n).astype(bool)),
        })
    pq.write_table(pa.table(cols), path)


def child(workdir: Path, million_rows: float, tables: int, every: float, reopen_every: float) -> dict:
    """One contender, in this process (reopen_every 0: kept open)."""
    from luckin.core.sessions import connect_duckdb
    from luckin.core.settings import DuckDBWarehouse, load_settings
    from pipelines.destinations import duckdb_loading_config
    from pipelines.runtime import tune_malloc

    tune_malloc()
    limit = load_settings().duckdb.extract_memory_limit
    chunk = workdir / "chunk.parquet"
    db = workdir / f"growth-{os.getpid()}.duckdb"

    def connect():
        return connect_duckdb(DuckDBWarehouse(db, limit), config=duckdb_loading_config(limit))

    con = connect()
    for i in range(tables):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_parquet('{chunk}') LIMIT 0")
    loads = round(million_rows * 1e6 / CHUNK_ROWS)
    per_mark = max(1, round(every * 1e6 / CHUNK_ROWS))
    per_reopen = round(reopen_every * 1e6 / CHUNK_ROWS) if reopen_every else 0
    marks = []
    per_table = -(-loads // tables)
    for k in range(1, loads + 1):
        # one table after another, as a full refresh loads each table once
        cur = con.cursor()  # dlt's loader: a cursor of the shared instance per job
        cur.execute(f"INSERT INTO t{(k - 1) // per_table} SELECT * FROM read_parquet('{chunk}')")
        cur.close()
        if k % per_mark == 0:  # before a reopen: the most the instance held
            marks.append((k * CHUNK_ROWS / 1e6, _glibc_in_use_mb(), _anon_mb()))
        if per_reopen and k % per_reopen == 0:
            con.close()
            con = connect()
    con.close()
    closed = (_glibc_in_use_mb(), _anon_mb())
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    return {"marks": marks, "closed": closed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million-rows", type=float, default=20)
    parser.add_argument("--tables", type=int, default=60)
    parser.add_argument("--every", type=float, default=5, help="print every this many million rows")
    parser.add_argument("--reopen-every", type=float, default=5, help="the anchor's reopening, million rows")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.workdir, args.million_rows, args.tables, args.every, args.child)))
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        _chunk(work / "chunk.parquet")
        runs = {}
        for name, reopen in (("kept open", 0.0), (f"reopened every {args.reopen_every:g}M rows", args.reopen_every)):
            print(f"loading {args.million_rows:g}M rows into {args.tables} tables, instance {name} ...",
                  file=sys.stderr, flush=True)
            out = subprocess.run([sys.executable, __file__, "--child", str(reopen), "--workdir", str(work),
                                  "--million-rows", str(args.million_rows), "--tables", str(args.tables),
                                  "--every", str(args.every)],
                                 capture_output=True, text=True, check=True).stdout
            runs[name] = json.loads(out.strip().splitlines()[-1])
    names = list(runs)
    print(f"{'rows loaded':>12} | " + " | ".join(f"{n}: glibc in use, anon resident" for n in names))
    for i, (rows, *_ignored) in enumerate(runs[names[0]]["marks"]):
        cells = [f"{runs[n]['marks'][i][1]:6.1f} MB, {runs[n]['marks'][i][2]:6.1f} MB" for n in names]
        print(f"{rows:10.1f} M | " + " | ".join(f"{c:>{len(n) + 31}}" for c, n in zip(cells, names)))
    cells = [f"{runs[n]['closed'][0]:6.1f} MB, {runs[n]['closed'][1]:6.1f} MB" for n in names]
    print(f"{'closed':>12} | " + " | ".join(f"{c:>{len(n) + 31}}" for c, n in zip(cells, names)))


if __name__ == "__main__":
    main()
