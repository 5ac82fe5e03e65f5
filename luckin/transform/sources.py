"""dbt sources generated from the extract catalog and the landed warehouse.

`models/staging/<source>/_<source>__sources.yml` is written for every schema of the catalog
(`pipelines/mysql_estate/catalog.yml`): its tables, primary keys and descriptions come from the
catalog, its columns (names, landed types) from the warehouse's information_schema, so a new
table or column in the estate reaches the docs at the next `luckin extract` + regeneration
with no hand edit. The loader's own columns (`_dlt_load_id`, `_dlt_id`, `_luckin_deleted_at`)
are left out: every landed table has them (see `luckin.core.contract`).
"""

from __future__ import annotations

import json
from pathlib import Path

from luckin.core.catalog import Catalog, SchemaEntry, load_catalog
from luckin.core.contract import LOADER_COLUMNS
from luckin.core.sessions import query
from luckin.core.settings import Settings, Warehouse
from luckin.transform.profile import PROJECT_DIR

STAGING_DIR = PROJECT_DIR / "models" / "staging"
# Landed columns per table: (schema, table) -> [(column, landed type)], in landing order.
LandedColumns = dict[tuple[str, str], list[tuple[str, str]]]


def source_name(schema: str) -> str:
    """dbt source name of a landed schema: `luckyus_sales_order` -> `sales_order`, `fi_tax` stays."""
    return schema.removeprefix("luckyus_")


def sources_file(schema: str, staging_dir: Path = STAGING_DIR) -> Path:
    name = source_name(schema)
    return staging_dir / name / f"_{name}__sources.yml"


def _type_name(data_type: str, precision, scale) -> str:
    """A landed column's type, spelt the same whichever warehouse reports it."""
    text = data_type.lower()
    if text in ("numeric", "decimal") and precision is not None:
        return f"decimal({precision},{scale or 0})"
    return {"character varying": "varchar", "jsonb": "json", "double precision": "double",
            "timestamp with time zone": "timestamptz", "text": "varchar"}.get(text, text)


def landed_columns(warehouse: Warehouse, catalog: Catalog) -> LandedColumns:
    """Every landed column of the catalog's tables, from the warehouse's information_schema."""
    schemas = ", ".join(f"'{name}'" for name in catalog.schemas)
    rows = query(warehouse, f"""
        select table_schema, table_name, column_name, data_type, numeric_precision, numeric_scale
        from information_schema.columns
        where table_schema in ({schemas})
        order by table_schema, table_name, ordinal_position""")
    out: LandedColumns = {}
    for schema, table, column, data_type, precision, scale in rows:
        if column in LOADER_COLUMNS:
            continue
        out.setdefault((schema, table), []).append((column, _type_name(data_type, precision, scale)))
    return out


def _text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def render_sources_yaml(schema: SchemaEntry, columns: LandedColumns) -> str:
    """The `_<source>__sources.yml` text for one catalog schema."""
    name = source_name(schema.name)
    description = (_sentence(schema.description) + " " if schema.description else "") + \
        f"Landed by dlt from MySQL schema {schema.name}."
    lines = [
        "# Generated from the extract catalog (pipelines/mysql_estate/catalog.yml) and the landed",
        "# warehouse's columns by luckin.transform.write_sources_yaml; edit the catalog, not this file.",
        "version: 2",
        "",
        "sources:",
        f"  - name: {name}",
        f"    schema: {schema.name}",
        f"    description: {_text(description)}",
        "    loader: dlt",
        "    config:",
    ]
    if schema.empty_by_design:
        lines += [f"      # freshness: null because {schema.empty_by_design.rstrip('.')}.", "      freshness: null"]
    else:
        lines += [
            "      # Measured on dlt's load time (_dlt_load_id is the load's epoch): a table that",
            "      # nobody changed is still fresh when the daily extract ran.",
            "      loaded_at_field: \"to_timestamp(cast(_dlt_load_id as double precision))\"",
            "      freshness:",
            "        warn_after: {count: 26, period: hour}",
            "        error_after: {count: 50, period: hour}",
        ]
    lines.append("    tables:")
    for table in schema.tables.values():
        lines.append(f"      - name: {table.name}")
        desc = _sentence(table.description) if table.description else f"{table.name} in {schema.name}."
        if schema.empty_by_design or table.empty_by_design:
            desc += " Empty in production."
        lines.append(f"        description: {_text(desc)}")
        if table.empty_by_design and not schema.empty_by_design:
            lines += ["        config:",
                      f"          # freshness: null because {table.empty_by_design.rstrip('.')}.",
                      "          freshness: null"]
        landed = columns.get((schema.name, table.name), [])
        if not landed:
            continue
        lines.append("        columns:")
        for column, type_name in landed:
            bits = [type_name]
            if column in table.primary_key:
                bits.append("primary key")
            if column in table.columns:
                bits.append(table.columns[column])
            lines.append(f"          - name: {column}")
            lines.append(f"            description: {_text(_sentence('; '.join(bits)))}")
    return "\n".join(lines) + "\n"


def write_sources_yaml(settings: Settings, staging_dir: Path = STAGING_DIR,
                       catalog: Catalog | None = None) -> list[Path]:
    """Regenerate `_<source>__sources.yml` for every catalog schema, with the columns landed in
    `settings.warehouse`; returns the files written."""
    catalog = catalog or load_catalog()
    columns = landed_columns(settings.warehouse, catalog)
    written = []
    for schema in catalog.schemas.values():
        path = sources_file(schema.name, staging_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_sources_yaml(schema, columns), encoding="utf-8")
        written.append(path)
    return written


__all__ = ["landed_columns", "render_sources_yaml", "source_name", "sources_file", "write_sources_yaml"]
