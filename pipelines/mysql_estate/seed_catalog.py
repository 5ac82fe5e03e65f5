"""Write a first `catalog.yml` from the simulator's estate definition.

    python -m pipelines.mysql_estate.seed_catalog            # rewrite pipelines/mysql_estate/catalog.yml
    python -m pipelines.mysql_estate.seed_catalog --check    # exit 1 if the catalog misses a table

The catalog is the extractor's contract and is edited by hand afterwards; this only saves typing
when many schemas arrive at once. The rules it applies are the ones pipelines/README.md documents:
- code lists (`t_dict_*`, `t_*_type`) and tables with no time column -> replace;
- tables with an `update_time` column -> merge on the primary key, cursor `update_time`;
- the rest (append-only logs, events, movements, lines) -> append, cursor = the integer key.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from luckin.core.catalog.mysql import CATALOG_PATH, load_catalog

HEADER = """\
# The extract catalog: every MySQL schema and table `luckin extract` loads, and how.
# Column names and types are read from the source at run time; this file says only what the
# source cannot: the strategy, the primary key, the cursor and the soft-delete flag.
# Adding a table or a whole schema = one entry here (see pipelines/README.md).
#
#   merge    upsert on primary_key; reads rows with cursor >= last value seen (mutable tables)
#   append   appends rows with cursor > last value seen (append-only logs and events)
#   replace  reads and replaces the whole table every run (small dictionaries)
#
# First written by `python -m pipelines.mysql_estate.seed_catalog`, then maintained by hand.
"""


def _is_dictionary(table) -> bool:
    return table.name.startswith("t_dict_") or table.name.endswith("_type")


def rule_for(table) -> dict:
    cols = set(table.column_names)
    pk = list(table.primary_key)
    entry: dict = {}
    one_int_key = len(pk) == 1 and table.column(pk[0]).base_type in ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT")
    if _is_dictionary(table) or not ({"update_time", "create_time"} & cols):
        entry = {"strategy": "replace"}
    elif "update_time" in cols:
        entry = {"strategy": "merge", "cursor": "update_time"}
    elif one_int_key:
        entry = {"strategy": "append", "cursor": pk[0]}
    else:
        entry = {"strategy": "replace"}
    entry["primary_key"] = pk[0] if len(pk) == 1 else pk
    if "is_deleted" in cols:
        entry["soft_delete"] = "is_deleted"
    return entry


def _flow(entry: dict) -> str:
    parts = []
    for key in ("strategy", "primary_key", "cursor", "soft_delete"):
        if key in entry:
            value = entry[key]
            value = "[" + ", ".join(value) + "]" if isinstance(value, list) else value
            parts.append(f"{key}: {value}")
    return "{" + ", ".join(parts) + "}"


def render(estate) -> str:
    lines = [HEADER, "discover: [luckyus_*, fi_*]", "", "schemas:"]
    for sname, schema in estate.items():
        lines.append(f"  {sname}:")
        if schema.description:
            lines.append(f"    description: {json.dumps(schema.description, ensure_ascii=False)}")
        if not schema.tables:
            lines.append("    tables: {}")
            continue
        lines.append("    tables:")
        for tname, table in schema.tables.items():
            lines.append(f"      {tname}: {_flow(rule_for(table))}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from luckin.simulator.spec import load_estate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report estate tables missing from the catalog")
    parser.add_argument("--output", type=Path, default=CATALOG_PATH)
    args = parser.parse_args(argv)
    estate = load_estate()
    if args.check:
        catalog = load_catalog(args.output)
        missing = [
            f"{s}.{t}" for s, schema in estate.items() for t in schema.tables
            if s not in catalog.schemas or t not in catalog.schemas[s].tables
        ]
        for name in missing:
            print(f"missing from catalog: {name}")
        return 1 if missing else 0
    args.output.write_text(render(estate), encoding="utf-8")
    print(f"wrote {args.output} ({sum(len(s.tables) for s in estate.values())} tables in {len(estate)} schemas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
