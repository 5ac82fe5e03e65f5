"""`luckin validate`: run the great-expectations suites (suites.py) on the warehouse and keep the results.

    run_validation(settings, *, results_dir=None, suites=None) -> ValidationResult

On every target each suite's query runs once, its rows are read into a pandas frame and
validated through great-expectations' pandas data source (see validate_suites for why not its
SQL data source on Postgres). The results go to data/quality/<target>/latest.json (and a
timestamped copy beside it), where report 07 reads them; `ValidationResult.ok` is False when
any critical expectation failed, and `critical_failures` says which.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from luckin.core.sessions import WarehouseSession

from .results import quality_dir
from .suites import CRITICAL, SuiteSpec, mart_suites, raw_suites

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics leave this machine


@dataclass
class Outcome:
    """One expectation's result, flattened for JSON and report 07."""

    suite: str
    expectation: str
    column: str
    severity: str
    success: bool
    observed: str
    note: str = ""
    unexpected_count: int | None = None
    element_count: int | None = None
    unexpected_sample: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    error: str = ""

    def __str__(self) -> str:
        what = f"{self.expectation}({self.column})" if self.column else self.expectation
        detail = f"observed {self.observed}" if self.observed else ""
        if self.error:
            detail = self.error
        return f"{self.suite}: {what} - {self.note or ''} [{detail}]".replace(" - [", " [")


@dataclass
class ValidationResult:
    target: str
    run_at: str
    results: list[Outcome] = field(default_factory=list)
    suites: list[dict] = field(default_factory=list)  # name, layer, description, success, rows
    path: Path | None = None
    seconds: float = 0.0

    @property
    def critical_failures(self) -> list[str]:
        """One line per failed critical expectation (what `luckin demo` prints when it refuses to publish)."""
        return [str(o) for o in self.results if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[str]:
        return [str(o) for o in self.results if not o.success and o.severity != CRITICAL]

    @property
    def ok(self) -> bool:
        return bool(self.results) and not self.critical_failures

    def as_dict(self) -> dict:
        return {
            "target": self.target, "run_at": self.run_at, "ok": self.ok, "seconds": round(self.seconds, 2),
            "evaluated": len(self.results), "critical_failures": self.critical_failures, "warnings": self.warnings,
            "suites": self.suites, "results": [o.__dict__ for o in self.results],
        }


def _short(value, limit: int = 80) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:,.4g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value):
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        value = value.item()  # numpy scalars
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _outcome(suite: SuiteSpec, r) -> Outcome:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    column = kwargs.get("column") or ", ".join(
        str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs) or ", ".join(kwargs.get("column_list", []))
    res = r.result or {}
    observed = res.get("observed_value")
    sample = _jsonable((res.get("partial_unexpected_list") or [])[:5])
    if observed is None and res.get("unexpected_count") is not None:
        total = res.get("element_count") or 0
        observed = f"{res['unexpected_count']:,} unexpected of {total:,}"
        if res["unexpected_count"] and sample:
            observed += ": " + ", ".join(str(v) for v in sample[:3])
    error = ""
    if r.exception_info and r.exception_info.get("raised_exception"):
        error = (r.exception_info.get("exception_message") or "exception").splitlines()[0][:300]
    meta = config.meta or {}
    severity = getattr(config.severity, "value", config.severity) or CRITICAL
    return Outcome(
        suite=suite.name, expectation=config.type, column=column, severity=str(severity),
        success=bool(r.success), observed=_short(observed, 160), note=meta.get("note", ""),
        unexpected_count=res.get("unexpected_count"), element_count=res.get("element_count"),
        unexpected_sample=_jsonable(sample), kwargs=_jsonable(kwargs),
        error=error,
    )


def _missing(suite: SuiteSpec, reason: str) -> Outcome:
    return Outcome(suite=suite.name, expectation="relation_exists", column="", severity=CRITICAL, success=False,
                   observed="", note="the relations the suite reads are in the warehouse", error=reason)


def build_suites(wh: WarehouseSession) -> list[SuiteSpec]:
    """The suites for this warehouse (the raw row-count suite lists the tables the audit recorded)."""
    audited: list[tuple[str, str]] = []
    keyed: list[tuple[str, str]] = []
    if wh.relation_exists("luckin_audit", "load_audit"):
        frame = wh.query("select distinct source_schema, source_table from luckin_audit.load_audit "
                         "where source_schema <> 'redis_snapshots' order by 1, 2")
        present = set(map(tuple, wh.query(
            "select table_schema, table_name from information_schema.tables").itertuples(index=False, name=None)))
        with_id = set(map(tuple, wh.query(
            "select table_schema, table_name from information_schema.columns where column_name = 'id'")
            .itertuples(index=False, name=None)))
        audited = [(s, t) for s, t in frame.itertuples(index=False, name=None) if (s, t) in present]
        keyed = [st for st in audited if st in with_id]
    return raw_suites(audited, keyed) + mart_suites()


def _relations(suite: SuiteSpec) -> list[tuple[str, str]]:
    """The schema.table names a suite's query reads (unquoted: marts, the audit, raw schemas)."""
    import re

    found = re.findall(r"(?<![\w.\"])(marts|luckin_audit|luckyus_\w+|fi_\w+)\.(\w+)", suite.sql)
    return sorted(set(found))


def _quiet_gx(context) -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except (ImportError, AttributeError, TypeError):
        pass


def _naive_utc(frame):
    """Timestamps with a time zone as naive UTC: comparisons stay exact, and pandas 3 stops warning
    that great-expectations drops the zone through Series.values."""
    import pandas as pd

    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def validate_suites(suites: list[SuiteSpec], wh: WarehouseSession) -> tuple[list[Outcome], list[dict]]:
    """Run the suites on the target's warehouse through great-expectations; returns outcomes and suite rows."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    _quiet_gx(context)
    # Every suite's query runs once and its rows are validated in pandas, on every target.
    # great-expectations' SQL data source ran each expectation's metrics as queries over the
    # suite's query: the load-audit suite, which counts the rows of every raw table, took 504 s
    # of 539 s on Postgres at scale 1 (30 s in all this way).
    source = context.data_sources.add_pandas(f"warehouse_{uuid.uuid4().hex[:8]}")
    outcomes: list[Outcome] = []
    suite_rows: list[dict] = []
    for spec in suites:
        missing = [f"{s}.{t}" for s, t in _relations(spec) if not wh.relation_exists(s, t)]
        if missing:
            outcomes.append(_missing(spec, "missing: " + ", ".join(missing)))
            suite_rows.append({"name": spec.name, "layer": spec.layer, "description": spec.description,
                               "success": False, "rows": None, "error": "missing: " + ", ".join(missing)})
            continue
        suite = context.suites.add(gx.ExpectationSuite(name=spec.name, expectations=[
            copy.deepcopy(e) for e in spec.expectations]))
        rows = None
        try:
            frame = _naive_utc(wh.query(spec.sql))
            rows = len(frame)
            asset = source.add_dataframe_asset(spec.name)
            batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
                batch_parameters={"dataframe": frame})
            result = batch.validate(suite)
        except Exception as exc:  # a query that does not run is a failed suite, not a crash
            message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            outcomes.append(_missing(spec, message))
            suite_rows.append({"name": spec.name, "layer": spec.layer, "description": spec.description,
                               "success": False, "rows": rows, "error": message})
            continue
        these = [_outcome(spec, r) for r in result.results]
        outcomes += these
        suite_rows.append({"name": spec.name, "layer": spec.layer, "description": spec.description,
                           "success": all(o.success for o in these if o.severity == CRITICAL), "rows": rows,
                           "error": ""})
    return outcomes, suite_rows


def run_validation(settings, *, results_dir: Path | None = None,
                   suites: list[SuiteSpec] | None = None) -> ValidationResult:
    """Validate the target's warehouse with the suites (default: all) and save the results as JSON.

    Returns a ValidationResult: `.ok` is False when any critical expectation failed (or a suite
    could not run); `.critical_failures` lists them one per line; `.path` is the JSON written.
    Raises luckin.core.errors.WarehouseError when the warehouse cannot be opened.
    """
    target = settings.target.value
    started = time.perf_counter()
    run_at = datetime.now(timezone.utc)
    result = ValidationResult(target=target, run_at=run_at.strftime("%Y-%m-%d %H:%M:%S UTC"))
    with WarehouseSession(settings.warehouse) as wh:
        specs = suites if suites is not None else build_suites(wh)
        result.results, result.suites = validate_suites(specs, wh)
    result.seconds = time.perf_counter() - started
    folder = Path(results_dir) / target if results_dir else quality_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {**result.as_dict(), "warehouse": settings.warehouse.describe()}
    text = json.dumps(payload, indent=2, default=str)
    (folder / f"validation-{run_at:%Y%m%dT%H%M%SZ}.json").write_text(text, encoding="utf-8")
    result.path = folder / "latest.json"
    result.path.write_text(text, encoding="utf-8")
    return result
