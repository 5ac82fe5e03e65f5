"""`--verify`: the warehouse's live rows against the source, by primary key.

For every table the run covers (catalogued and discovered): the live rows
(`_luckin_deleted_at IS NULL`) must have exactly the source's keys, once each. Cheap first: the
source's `(COUNT(*), SUM(key))` (one statement per table) against the warehouse's (one statement
per schema), and duplicated live keys. Only a table whose figures differ, or whose key is not one
integer column, has its keys read and compared (`convergence.compare_keys`), which names how
many keys are only in the source and how many only in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from luckin.core.catalog import load_catalog, with_discovered
from luckin.core.contract import DELETED_AT, REDIS_DATASET
from luckin.core.errors import LuckinError
from luckin.core.sessions import quote_ident
from luckin.core.settings import Settings
from pipelines.convergence import Spec, compare_keys, same
from pipelines.destinations import destination_for
from pipelines.mysql_estate.estate import connect_estate
from pipelines.mysql_estate.planning import key_column


@dataclass
class Reconciliation:
    schema: str
    table: str
    rows_in_source: int | None
    rows_in_warehouse: int | None
    duplicate_keys: int = 0
    only_in_source: int = 0
    only_in_warehouse: int = 0
    problem: str | None = None



def reconcile(settings: Settings, schemas: list[str] | None = None) -> list[Reconciliation]:
    """Source against warehouse for every table of the catalog (plus what the source has beyond it)."""
    estate = connect_estate(settings.mysql)
    estate.check()
    present = estate.schemas_present()
    catalog = load_catalog()
    wanted = [s for s in (schemas or catalog.schemas) if s != REDIS_DATASET]
    if not schemas:
        wanted += sorted(s for s in present if s not in catalog.schemas and catalog.is_estate_schema(s))
    reflected = estate.reflect([s for s in wanted if s in present])
    catalog = with_discovered(catalog, reflected, [s for s in wanted if s in present])
    dest = destination_for(settings.warehouse, settings.pipelines_dir, loading=False)  # whole-table queries
    out: list[Reconciliation] = []
    try:
        landed = dest.landed_columns(wanted)
        for s in wanted:
            entry = catalog.schemas.get(s)
            if entry is None:
                continue
            reader = estate.reader(s) if s in present else None
            try:
                out += _reconcile_schema(s, entry, reader, reflected.get(s, {}), landed.get(s, {}), dest)
            finally:
                if reader is not None:
                    reader.close()
    finally:
        dest.close()
    return out


def _reconcile_schema(schema, entry, reader, source_tables, landed, dest) -> list[Reconciliation]:
    out, checks = [], []
    for name, t in entry.tables.items():
        rec = Reconciliation(schema, name, None, None)
        if reader is None or name not in source_tables:
            if t.vanished:
                continue
            rec.problem = "not in the source"
            out.append(rec)
            continue
        out.append(rec)
        source = source_tables[name]
        key = tuple(t.primary_key)
        kc = key_column(source) if key == tuple(source.primary_key) else None
        stats = reader.table_stats(source, None, None, True, None, kc, fingerprint=True)
        rec.rows_in_source = stats["rows"]
        if name not in landed:
            rec.problem = "not in the warehouse"
            continue
        checks.append((rec, source, key, kc, stats["fingerprint"], DELETED_AT in landed[name]))
    if not checks:
        return out
    parts = []
    for i, (rec, source, key, kc, _, has_deleted) in enumerate(checks):
        live = f" WHERE {quote_ident(DELETED_AT)} IS NULL" if has_deleted else ""
        cols = ", ".join(quote_ident(k) for k in key)
        key_sum = f"CAST(SUM({quote_ident(kc)}) AS VARCHAR)" if kc else "NULL"
        dups = (f"(SELECT COUNT(*) FROM (SELECT {cols} FROM {quote_ident(schema)}.{quote_ident(rec.table)}{live}"
                f" GROUP BY {cols} HAVING COUNT(*) > 1) AS d)") if key else "0"
        parts.append(f"SELECT {i} AS i, COUNT(*) AS n, {key_sum} AS k, {dups} AS d"
                     f" FROM {quote_ident(schema)}.{quote_ident(rec.table)}{live}")
    for i, n, k, d in dest.query(" UNION ALL ".join(parts)):
        rec, source, key, kc, fingerprint, has_deleted = checks[i]
        rec.rows_in_warehouse, rec.duplicate_keys = int(n), int(d or 0)
        mine = (int(n), None if k is None else int(str(k).split(".")[0]), None)
        if key and (not kc or not same(fingerprint, mine)) and has_deleted:
            diff = compare_keys(reader, dest, schema, source, Spec(rec.table, key, kc, None),
                                max(rec.rows_in_source, rec.rows_in_warehouse))
            rec.only_in_warehouse, rec.only_in_source = diff.gone.num_rows, diff.behind.num_rows
        problems = []
        if rec.only_in_source or rec.only_in_warehouse:
            problems.append(f"{rec.only_in_source:,} keys only in the source, {rec.only_in_warehouse:,} only in the"
                            " warehouse")
        elif rec.rows_in_source != rec.rows_in_warehouse:
            problems.append(f"{rec.rows_in_source - rec.rows_in_warehouse:+,} rows in the source")
        if rec.duplicate_keys:
            problems.append(f"{rec.duplicate_keys:,} duplicated keys in the warehouse")
        rec.problem = "; ".join(problems) or None
    return out


def verify_extract(settings: Settings, schemas: list[str] | None = None,
                   console: Console | None = None) -> list[str]:
    """Reconcile source and warehouse; the problems found, one line each (empty: every table's live
    keys match the source's exactly).

    Prints the tables that differ (or a one-line error) to `console` when given.
    """
    try:
        results = reconcile(settings, schemas)
    except LuckinError as exc:
        if console is not None:
            console.print(f"[red]verify failed:[/] {exc.one_line()}", soft_wrap=True, highlight=False)
        return [exc.one_line()]
    bad = [r for r in results if r.problem]
    if console is not None:
        if bad:
            table = Table(title=f"verify: {len(bad)} of {len(results)} tables differ")
            for col in ("schema", "table", "rows in source", "live rows in warehouse", "problem"):
                table.add_column(col)
            for r in bad:
                table.add_row(r.schema, r.table, _fmt(r.rows_in_source), _fmt(r.rows_in_warehouse), r.problem)
            console.print(table)
        else:
            total = sum(r.rows_in_source or 0 for r in results)
            console.print(f"verify: {len(results)} tables, {total:,} rows: source and warehouse hold the same keys")
    return [f"{r.schema}.{r.table}: {r.problem}" for r in bad]


def _fmt(n: Any) -> str:
    return "-" if n is None else f"{n:,}"


__all__ = ["Reconciliation", "reconcile", "verify_extract"]
