"""The dbt project as code: sources match the catalog and the landing, lint, conventions, docs.

The sources tests read the synthetic landing's columns (tests/dbt/landing.py lands every
catalogued table by the raw-table contract); the docs test builds it for its catalog.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from dbt_harness import Warehouse
from luckin.core.catalog import load_catalog
from luckin.core.contract import LOADER_COLUMNS
from luckin.transform import PROJECT_DIR
from luckin.transform.sources import landed_columns, render_sources_yaml, sources_file, write_sources_yaml

STAGING = PROJECT_DIR / "models" / "staging"
VENV_BIN = Path(os.sys.executable).parent


def test_every_catalog_schema_has_its_generated_sources_file(synthetic_duckdb: Warehouse) -> None:
    """The committed files are what write_sources_yaml makes from the catalog and a landing."""
    columns = landed_columns(synthetic_duckdb.warehouse, load_catalog())
    stale = [schema.name for schema in load_catalog().schemas.values()
             if not sources_file(schema.name).exists()
             or sources_file(schema.name).read_text(encoding="utf-8") != render_sources_yaml(schema, columns)]
    assert not stale, f"regenerate with luckin.transform.write_sources_yaml: {stale}"


def test_sources_declare_every_table_and_landed_column(synthetic_duckdb: Warehouse, tmp_path) -> None:
    written = write_sources_yaml(synthetic_duckdb.settings, staging_dir=tmp_path)
    catalog = load_catalog()
    assert len(written) == len(catalog.schemas)
    landed = {(s, t): [c for c, _ in cols] for (s, t), cols in landed_columns(synthetic_duckdb.warehouse,
                                                                             catalog).items()}
    for path in written:
        (source,) = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
        schema = catalog.schemas[source["schema"]]
        assert source["loader"] == "dlt" and source["description"]
        tables = {t["name"]: t for t in source["tables"]}
        assert set(tables) == set(schema.tables)
        for name in schema.tables:
            names = [c["name"] for c in tables[name].get("columns", [])]
            assert names == landed[(schema.name, name)] and not set(names) & set(LOADER_COLUMNS)


def test_every_source_table_has_freshness_or_says_why_not() -> None:
    """`freshness: null` is allowed only with a `# freshness: null because ...` comment beside it."""
    for path in sorted(STAGING.glob("*/_*__sources.yml")):
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        for source in doc["sources"]:
            src_cfg = source.get("config", {})
            for table in source["tables"]:
                cfg = {**src_cfg, **table.get("config", {})}
                where = f"{path.name}: {source['name']}.{table['name']}"
                assert "freshness" in cfg, f"{where} has no freshness"
                if cfg["freshness"] is None:
                    assert "# freshness: null because" in text, f"{where}: freshness null without a reason"
                else:
                    assert cfg.get("loaded_at_field"), f"{where}: freshness without loaded_at_field"


def test_profile_is_found_at_the_project_root() -> None:
    """dbt looks for profiles.yml in the folder it runs from: the committed one is used as it is."""
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    assert set(profile["luckin"]["outputs"]) == {"duckdb", "postgres", "spark", "lint"}
    assert profile["luckin"]["outputs"]["lint"]["path"] == ":memory:"


def test_the_build_memory_limit_setting_reaches_the_builds_duckdb(tmp_path) -> None:
    """`[warehouse.duckdb] build_memory_limit` in the config goes through the settings and the
    profile to the DuckDB dbt opens: the bound that keeps a big build from taking the machine."""
    config = tmp_path / ".dlt"
    config.mkdir()
    (config / "config.toml").write_text('[warehouse.duckdb]\nbuild_memory_limit = "300MB"\n')
    wh = Warehouse("duckdb", {"LUCKIN_DUCKDB_PATH": str(tmp_path / "w.duckdb"), "LUCKIN_CONFIG_DIR": str(config)},
                   tmp_path / "target")
    proc = wh.dbt("show", "--inline", "select current_setting('memory_limit') as memory_limit",
                  "--output", "json", "--log-format", "text")
    # DuckDB reports the limit in binary units: 300 MB is 286.1 MiB (its own default is GiBs).
    assert '"memory_limit": "286.1 MiB"' in proc.stdout, proc.stdout[-2000:]


def test_sqlfluff_lint_is_clean_with_a_profile_elsewhere(tmp_path) -> None:
    """`sqlfluff lint models analyses macros` from the project root, as a dbt user runs it with
    DBT_PROFILES_DIR pointing at a copy of the profile: no folder only `luckin` creates."""
    (tmp_path / "profiles.yml").write_text((PROJECT_DIR / "profiles.yml").read_text())
    # Folders without files are not in a git clone (analyses/ until the reports add some).
    paths = [p for p in ("models", "analyses", "macros", "tests/dbt/singular", "snapshots")
             if any((PROJECT_DIR / p).rglob("*.sql"))]
    proc = subprocess.run(
        [str(VENV_BIN / "sqlfluff"), "lint", *paths, "--processes", "2"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
        env={**os.environ, "DBT_PROFILES_DIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_conventions_check_passes(tmp_path) -> None:
    """dbt-bouncer over a freshly parsed manifest (naming per layer, lineage, docs, key tests)."""
    wh = Warehouse("duckdb", {"LUCKIN_DUCKDB_PATH": ":memory:"}, tmp_path / "target")
    wh.dbt("parse")
    config = yaml.safe_load((PROJECT_DIR / "dbt-bouncer.yml").read_text())
    config["dbt_artifacts_dir"] = str(wh.target_path)
    cfg_path = tmp_path / "dbt-bouncer.yml"
    cfg_path.write_text(yaml.safe_dump(config))
    proc = subprocess.run([str(VENV_BIN / "dbt-bouncer"), "--config-file", str(cfg_path)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_static_docs_page_is_self_contained(synthetic_duckdb: Warehouse) -> None:
    synthetic_duckdb.dbt("seed")
    synthetic_duckdb.dbt("run", "--select", "staging")
    synthetic_duckdb.dbt("docs", "generate", "--static")
    page = synthetic_duckdb.target_path / "static_index.html"
    html = page.read_text(encoding="utf-8")
    assert len(html) > 100_000
    assert "fct_orders" in html and "stg_sales_order__orders" in html
    assert 'src="http' not in html and "<link rel=\"stylesheet\" href=\"http" not in html
