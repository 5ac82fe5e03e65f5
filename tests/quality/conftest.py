"""Fixtures for the data-quality and BI-access tests: the same session warehouses as the report
tests (tests/report/warehouses.py builds each once per session)."""

from __future__ import annotations

from tests.report.warehouses import landed, pg_marts  # noqa: F401
