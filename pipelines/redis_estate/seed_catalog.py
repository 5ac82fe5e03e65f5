"""Write `catalog.yml` from the simulator's Redis instance list (luckin/simulator/estate/redis_instances.yml).

    python -m pipelines.redis_estate.seed_catalog           # rewrite pipelines/redis_estate/catalog.yml
    python -m pipelines.redis_estate.seed_catalog --check   # exit 1 if an instance or pattern is missing

The catalog is the extractor's contract; this only copies instance names, patterns, types and
sensitive flags, and attaches the parsers below to the patterns the reports read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from luckin.core.catalog.redis import CATALOG_PATH

PARSED = {
    ("luckyus-iot-device", "device:{device_sn}"): "iot_device_state",
    ("luckyus-scm-inventory", "stock:{shop_id}:{material_code}"): "inventory_levels",
    ("luckyus-sales-order", "order:queue_len:{shop_id}"): "order_queue_length",
    ("luckyus-sales-order", "order:seq:{shop_id}"): "order_sequence",
    ("luckyus-isales-market", "coupon:stock:{template_id}"): "coupon_stock",
    ("luckyus-isales-market", "coupon:issued:{template_id}"): "coupon_issued",
}

HEADER = """\
# The Redis catalog: every instance `luckin extract` snapshots, its key patterns, and how to read them.
# layout namespaced: the instances share one server and each owns the key prefix "<instance>:";
# "<instance>:__server__" holds the INFO figures a prefix cannot measure (maxmemory, evictions...).
#   pattern    key after the prefix; {placeholder} = one ':'-free segment (SCAN glob: *)
#   type       string | hash | list | set | zset | stream (checked against TYPE)
#   sensitive  counted only (TYPE, TTL, MEMORY USAGE): no value is ever read
#   parse      parser producing typed rows (pipelines/redis_estate/helpers.py PARSERS)
# Keys matching no pattern are counted per instance as '<unknown>' and reported.
# First written by `python -m pipelines.redis_estate.seed_catalog`, then maintained by hand.
"""


def render(instances) -> str:
    lines = [HEADER, "layout: namespaced", "server_key: __server__", 'ignore: ["__luckin_simulator__:*"]', "",
             "instances:"]
    for name, inst in instances.items():
        lines.append(f"  {name}:")
        lines.append(f"    description: {json.dumps(inst.description, ensure_ascii=False)}")
        lines.append("    patterns:")
        for p in inst.patterns:
            bits = [f"pattern: {json.dumps(p.pattern)}", f"type: {p.type}"]
            if p.sensitive:
                bits.append("sensitive: true")
            parser = PARSED.get((name, p.pattern))
            if parser:
                bits.append(f"parse: {parser}")
            lines.append("      - {" + ", ".join(bits) + "}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from luckin.simulator.redis_writer import load_instances

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--output", type=Path, default=CATALOG_PATH)
    args = parser.parse_args(argv)
    instances = load_instances()
    if args.check:
        from luckin.core.catalog.redis import load_catalog

        catalog = load_catalog(args.output)
        missing = [f"{n}/{p.pattern}" for n, i in instances.items() for p in i.patterns
                   if n not in catalog.instances or p.pattern not in {q.pattern for q in catalog.instances[n].patterns}]
        for m in missing:
            print(f"missing from catalog: {m}")
        return 1 if missing else 0
    args.output.write_text(render(instances), encoding="utf-8")
    print(f"wrote {args.output} ({len(instances)} instances, {sum(len(i.patterns) for i in instances.values())} patterns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
