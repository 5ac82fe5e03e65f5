"""The metric layer's room: of the project it imports the core, the transform layer (dbt's
runner) and itself, nothing above them (not the report suite, not the command line)."""

from __future__ import annotations

import ast
from pathlib import Path

import luckin.metrics

METRICS = Path(luckin.metrics.__file__).parent


def test_the_metric_layer_imports_only_the_core_and_transform():
    outside = set()
    for path in METRICS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            outside.update(f"{path.name}: {n}" for n in names
                           if (n == "luckin" or n.startswith(("luckin.", "pipelines")))
                           and not n.startswith(("luckin.core", "luckin.transform", "luckin.metrics")))
    assert not outside, sorted(outside)
