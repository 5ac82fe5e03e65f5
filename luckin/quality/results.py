"""Where validation results live: <quality_dir>/<target>/latest.json (Settings.quality_dir,
default data/quality; LUCKIN_QUALITY_DIR overrides it), plus one timestamped copy per run
beside it. Report 07 reads latest.json."""

from __future__ import annotations

import json
from pathlib import Path


def quality_dir(settings) -> Path:
    return settings.quality_dir / settings.target.value


def latest_results_path(settings) -> Path:
    return quality_dir(settings) / "latest.json"


def load_latest(path: Path) -> dict | None:
    """The validation results at `path`, or None when `luckin validate` never wrote them."""
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
