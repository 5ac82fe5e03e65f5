"""The dbt docs site as one self-contained page."""

from __future__ import annotations

from pathlib import Path

from luckin.core import DBT_TARGET_DIR
from luckin.core.errors import BuildError
from luckin.core.settings import Settings
from luckin.transform.runner import run_dbt


def generate_docs(settings: Settings, target_path: Path | None = None) -> Path:
    """`dbt docs generate --static`: the whole docs site (lineage, models, columns, tests) in
    one self-contained HTML file, `target/static_index.html`, opened straight from disk in a
    browser (no server, no internet). Needs a built warehouse for the catalog."""
    target_path = Path(target_path).resolve() if target_path else DBT_TARGET_DIR
    code = run_dbt(["docs", "generate", "--static", "--target-path", str(target_path)], settings.warehouse, settings)
    page = target_path / "static_index.html"
    if code != 0 or not page.exists():
        raise BuildError(f"dbt docs generate failed on {settings.warehouse.describe()} (exit {code})",
                         hint="build the warehouse first (`luckin build`); dbt's log is in logs/dbt.log")
    return page
