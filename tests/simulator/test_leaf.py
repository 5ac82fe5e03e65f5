"""The simulator is a leaf: of the project it imports `luckin.core` and itself, nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import luckin.simulator

SIMULATOR = Path(luckin.simulator.__file__).parent


def _imports(path: Path) -> set[str]:
    package = "luckin.simulator" + "".join(f".{p}" for p in path.parent.relative_to(SIMULATOR).parts)
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                out.add(f"{base}.{node.module}" if node.module else base)
            else:
                out.add(node.module)
    return out


def test_the_simulator_imports_only_the_core_of_the_project():
    outside = {f"{path.relative_to(SIMULATOR)}: {name}"
               for path in SIMULATOR.rglob("*.py") for name in _imports(path)
               if (name == "luckin" or name.startswith(("luckin.", "pipelines")))
               and not name.startswith(("luckin.core", "luckin.simulator"))}
    assert not outside, sorted(outside)


def _absolute_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(("." * node.level) + node.module)
    return names


def test_no_production_module_imports_the_simulator():
    """Extract, transform, quality, report, BI access and the core stand without the simulator; only
    the command line's simulate/calibrate commands call it (a development tool)."""
    root = SIMULATOR.parent.parent
    production = [p for p in (*root.joinpath("luckin").rglob("*.py"), *root.joinpath("pipelines").rglob("*.py"))
                  if SIMULATOR not in p.parents and p.name != "cli.py"]
    assert len(production) > 50
    offenders = {f"{p.relative_to(root)}: {name}" for p in production for name in _absolute_imports(p)
                 if "simulator" in name}
    assert not offenders, sorted(offenders)
