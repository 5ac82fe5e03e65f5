"""Arrow's memory pool as a process picks it: chosen before pyarrow is imported, it reaches
Arrow's own C++ code (the Parquet writer the extract writes every chunk with), which otherwise
keeps using mimalloc and the freed pages mimalloc holds; an operator's choice is left alone.
Each case is a fresh process, since Arrow reads its default once, at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Writes a Parquet file (the writer's encoders take Arrow's C++ default pool, whatever pyarrow's
# Python calls use) and prints the most each pool has held, and the Python calls' pool.
_PROBE = """
import io, json, sys
from luckin.core.memory import use_arrow_pool
for kind in sys.argv[1:]:
    if kind == "import":
        import pyarrow
    else:
        use_arrow_pool(kind)
import pyarrow as pa
import pyarrow.parquet as pq
pq.write_table(pa.table({"n": list(range(200_000)), "s": [str(i) for i in range(200_000)]}), io.BytesIO())
print(json.dumps({"mimalloc": pa.mimalloc_memory_pool().max_memory(),
                  "jemalloc": pa.jemalloc_memory_pool().max_memory(),
                  "python_calls": pa.default_memory_pool().backend_name}))
"""


def _pools(*steps: str, operator: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if operator:
        env["ARROW_DEFAULT_MEMORY_POOL"] = operator
    out = subprocess.run([sys.executable, "-c", _PROBE, *steps], env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_a_pool_chosen_before_pyarrow_is_imported_reaches_arrows_own_code():
    pools = _pools("jemalloc")
    assert pools["jemalloc"] > 1_000_000 and pools["mimalloc"] == 0
    assert pools["python_calls"] == "jemalloc"


def test_a_pool_chosen_after_the_import_reaches_the_python_calls_only():
    pools = _pools("import", "jemalloc")
    assert pools["python_calls"] == "jemalloc"
    assert pools["mimalloc"] > 1_000_000  # the reason the command line chooses first


def test_the_process_can_change_its_own_choice_but_not_the_operators():
    # the demo simulates (system pool) and extracts (jemalloc) in one process
    assert _pools("jemalloc", "import", "system")["python_calls"] == "system"
    pools = _pools("jemalloc", "import", "system", operator="mimalloc")
    assert pools["python_calls"] == "mimalloc" and pools["jemalloc"] == 0
