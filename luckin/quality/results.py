"""Where validation results live: data/quality/<target>/latest.json (LUCKIN_QUALITY_DIR overrides
data/quality), plus one timestamped copy per run beside it. Report 07 reads latest.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

from luckin.warehouse import PROJECT_DIR


def quality_dir(target: str) -> Path:
    base = Path(os.environ.get("LUCKIN_QUALITY_DIR", "data/quality"))
    base = base if base.is_absolute() else PROJECT_DIR / base
    return base / target


def latest_results_path(target: str) -> Path:
    return quality_dir(target) / "latest.json"


def load_latest(target: str, path: Path | None = None) -> dict | None:
    """The latest validation results of a target, or None when `luckin validate` never ran."""
    path = path or latest_results_path(target)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
