"""The dbt project as code: sources match the estate, lint, conventions, docs.

These need no landed data (the docs test builds the synthetic warehouse for its catalog).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from dbt_harness import Warehouse
from luckin.simulator.spec import load_estate
from luckin.warehouse import PROJECT_DIR, profiles_dir, render_sources_yaml, source_name

STAGING = PROJECT_DIR / "models" / "staging"
VENV_BIN = Path(os.sys.executable).parent


def _sources_file(schema_name: str) -> Path:
    name = source_name(schema_name)
    return STAGING / name / f"_{name}__sources.yml"


def test_every_estate_schema_has_its_generated_sources_file() -> None:
    stale = []
    for schema in load_estate().values():
        path = _sources_file(schema.name)
        if not path.exists() or path.read_text(encoding="utf-8") != render_sources_yaml(schema):
            stale.append(schema.name)
    assert not stale, f"regenerate with `python -m luckin.warehouse sources`: {stale}"


def test_sources_declare_every_table_and_column_of_the_estate() -> None:
    for schema in load_estate().values():
        doc = yaml.safe_load(_sources_file(schema.name).read_text(encoding="utf-8"))
        (source,) = doc["sources"]
        assert source["schema"] == schema.name
        assert source["loader"] == "dlt" and source["description"]
        tables = {t["name"]: t for t in source["tables"]}
        assert set(tables) == set(schema.tables)
        for table in schema.tables.values():
            assert [c["name"] for c in tables[table.name]["columns"]] == table.column_names


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


def test_profile_renders_from_the_example_without_copying() -> None:
    folder = profiles_dir()
    profile = yaml.safe_load((folder / "profiles.yml").read_text())
    assert set(profile["luckin"]["outputs"]) == {"duckdb", "postgres", "lint"}
    assert profile["luckin"]["outputs"]["lint"]["path"] == ":memory:"


def test_sqlfluff_lint_is_clean() -> None:
    profiles_dir()  # the dbt templater reads target/profiles/profiles.yml
    # Folders without files are not in a git clone (analyses/ until the reports add some).
    paths = [p for p in ("models", "analyses", "macros", "tests/dbt/singular") if any((PROJECT_DIR / p).rglob("*.sql"))]
    proc = subprocess.run(
        [str(VENV_BIN / "sqlfluff"), "lint", *paths, "--processes", "2"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
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
