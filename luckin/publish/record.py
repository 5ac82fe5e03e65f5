"""What a publication is: the build it comes from and the row it leaves beside the marts.

The build: dbt's on-run-end hook (macros/utils/record_build.sql) writes one row per invocation
that wrote a model, seed or snapshot into `luckin_builds.builds` of the working warehouse
(build id = dbt's invocation id, whether every node passed, the newest extract it read). The
publication: one row in `<published marts>._luckin_publication` (build id, data as of, built
at, published at, the gates), written inside the published copy itself, so what a reader sees
and what `luckin publish --status` reports can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from luckin.core.errors import PublishError

BUILDS_TABLE = "luckin_builds.builds"
PUBLICATION_TABLE = "_luckin_publication"

# (name, SQL type valid on DuckDB and Postgres, description: the column comment)
PUBLICATION_COLUMNS = (
    ("build_id", "text", "dbt invocation id of the build whose marts these are (luckin_builds.builds)."),
    ("built_at", "timestamp with time zone", "When that build finished (UTC)."),
    ("data_as_of", "timestamp with time zone",
     "Start of the newest extract the build read (the load audit); the data reflects the sources then."),
    ("published_at", "timestamp with time zone", "When `luckin publish` made this copy visible (UTC)."),
    ("gates_passed", "integer", "Great-expectations expectations that passed on the working marts before publishing."),
    ("gates_evaluated", "integer", "Expectations evaluated (every critical one passed, or nothing is published)."),
    ("gate_warnings", "integer", "Non-critical expectations that failed (published anyway; see report 07)."),
    ("tables_published", "integer", "Mart tables in this copy (this table not counted)."),
)


@dataclass(frozen=True)
class Build:
    """The newest build recorded in the working warehouse."""

    build_id: str
    command: str
    is_success: bool
    finished_at: dt.datetime
    data_as_of: dt.datetime | None


@dataclass(frozen=True)
class Publication:
    """One row of `_luckin_publication`: what is published."""

    build_id: str
    built_at: dt.datetime
    data_as_of: dt.datetime | None
    published_at: dt.datetime
    gates_passed: int
    gates_evaluated: int
    gate_warnings: int
    tables_published: int

    def values(self) -> tuple:
        return tuple(getattr(self, name) for name, _, _ in PUBLICATION_COLUMNS)

    def describe(self) -> str:
        as_of = f"{self.data_as_of:%Y-%m-%d %H:%M} UTC" if self.data_as_of else "unknown"
        return (f"build {self.build_id} (built {self.built_at:%Y-%m-%d %H:%M:%S} UTC), data as of {as_of}, "
                f"published {self.published_at:%Y-%m-%d %H:%M:%S} UTC, {self.tables_published} tables, "
                f"gates {self.gates_passed}/{self.gates_evaluated} passed"
                + (f" ({self.gate_warnings} warnings)" if self.gate_warnings else ""))


LATEST_BUILD_SQL = (f"select build_id, command, is_success, finished_at, data_as_of from {BUILDS_TABLE} "
                    "order by finished_at desc limit 1")


def latest_build(rows: list[tuple], where: str) -> Build:
    """The Build from LATEST_BUILD_SQL's rows, or a one-line PublishError when there is none."""
    if not rows:
        raise PublishError(f"nothing built in {where} yet", hint="run `luckin build` first")
    build_id, command, ok, finished_at, data_as_of = rows[0]
    return Build(str(build_id), str(command), bool(ok), _utc(finished_at), _utc(data_as_of))


def require_success(build: Build, where: str) -> None:
    if not build.is_success:
        raise PublishError(f"the last build of {where} ({build.build_id}, dbt {build.command}) had failed nodes; "
                           "nothing published", hint="fix the build (logs/dbt.log) and run `luckin build` again")


def publication_from_row(row: tuple) -> Publication:
    values = dict(zip((name for name, _, _ in PUBLICATION_COLUMNS), row))
    for name in ("built_at", "data_as_of", "published_at"):
        values[name] = _utc(values[name])
    return Publication(**values)


def create_publication_sql(schema: str) -> str:
    columns = ", ".join(f"{name} {kind}" for name, kind, _ in PUBLICATION_COLUMNS)
    return f"create table {schema}.{PUBLICATION_TABLE} ({columns})"


def comment_sql(schema: str) -> list[tuple[str, str]]:
    """(statement prefix, comment) pairs documenting the publication table."""
    out = [(f"comment on table {schema}.{PUBLICATION_TABLE} is ",
            "What this copy of the marts is: the build it comes from, when it was published, the gates it passed.")]
    out += [(f"comment on column {schema}.{PUBLICATION_TABLE}.{name} is ", text) for name, _, text in PUBLICATION_COLUMNS]
    return out


def _utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
