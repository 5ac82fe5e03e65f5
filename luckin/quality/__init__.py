"""Data-quality gates: great-expectations suites as code (suites.py), run by `luckin validate`
(runner.run_validation), with results kept as JSON for report 07 (results.py)."""

from __future__ import annotations

__all__ = ["ValidationResult", "run_validation"]


def __getattr__(name):  # great-expectations takes seconds to import: only when asked for
    if name in __all__:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(name)
