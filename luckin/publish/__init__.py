"""`luckin publish`: write-audit-publish. dbt builds (writes) the marts in the working warehouse;
the great-expectations gates audit them there; only then are they published where readers (BI
tools, the report suite) look.

    publish(settings) -> PublishResult          # the target's working marts, gated
    publication_status(settings, targets) -> list[Status]

The gate: publish runs the critical gates itself (`luckin.quality.run_validation`, which also
records the results report 07 shows) on the working warehouse, on the newest build recorded
there (`luckin_builds.builds`, written by dbt's on-run-end hook) - and refuses a build whose
nodes failed. The copy then checks, inside its own snapshot, that the build id is still the
one the gates saw. A failed gate, a failed build or a build in between publishes nothing: the
published version stays byte for byte, and the error names the failed checks.

Where: DuckDB, the file `Settings.published_path` (default `marts.duckdb` beside the warehouse),
replaced atomically (duckdb.py); Postgres, the schema PUBLISHED_SCHEMA of the same database,
swapped in one transaction (postgres.py). Both hold `_luckin_publication` (record.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from luckin.core.errors import GateError, LuckinError
from luckin.core.settings import PUBLISHED_SCHEMA, Settings, Target

from .record import Build, Publication

__all__ = ["PublishResult", "Status", "failed_checks", "publication_status", "publish"]


@dataclass
class PublishResult:
    target: str
    where: str  # the published file, or database.schema
    build: Build
    publication: Publication
    validation: object  # luckin.quality.ValidationResult
    seconds: dict[str, float] = field(default_factory=dict)  # gates (incl. importing GX), copy (incl. swap/rename)


@dataclass
class Status:
    target: str
    where: str
    publication: Publication | None = None
    error: str = ""

    def describe(self) -> str:
        if self.error:
            return f"{self.target}: {self.where}: {self.error}"
        if self.publication is None:
            return f"{self.target}: {self.where}: nothing published yet (run `luckin publish --target {self.target}`)"
        return f"{self.target}: {self.where}: {self.publication.describe()}"


def _where(settings: Settings) -> str:
    if settings.target in (Target.duckdb, Target.spark):
        return str(settings.published.path)
    return f"{settings.postgres.describe()} schema {PUBLISHED_SCHEMA}"


def failed_checks(validation) -> list[str]:
    """The failed critical checks by name (suite: expectation(column)), without their observations."""
    from luckin.quality.suites import CRITICAL

    names = []
    for o in validation.results:
        if not o.success and o.severity == CRITICAL:
            name = f"{o.suite}: {o.expectation}({o.column})" if o.column else f"{o.suite}: {o.expectation}"
            if name not in names:
                names.append(name)
    return names


def publish(settings: Settings, *, on_validated=None) -> PublishResult:
    """Gate the working marts of the newest build, then publish them on `settings.target`.

    on_validated(validation) is called with the gates' result before anything is copied
    (the CLI prints it). Raises GateError naming the failed critical checks, PublishError when
    there is no build, the build failed, or another build finished meanwhile, WarehouseError /
    WarehouseLocked when the working warehouse cannot be read; the published version is then
    unchanged."""
    import time

    from . import duckdb as on_duckdb, postgres as on_postgres
    from .record import require_success

    if settings.target is Target.spark:  # Spark's marts, copied into DuckDB, published from there
        from .spark import as_read

        return publish(as_read(settings), on_validated=on_validated)
    backend = on_duckdb if settings.target is Target.duckdb else on_postgres
    working = settings.warehouse
    build = backend.working_build(working)
    require_success(build, working.describe())
    started = time.perf_counter()
    from luckin.quality import run_validation  # great-expectations: seconds to import, part of the gates' cost

    validation = run_validation(settings)
    gated = time.perf_counter()
    if on_validated is not None:
        on_validated(validation)
    if not validation.ok:
        names = failed_checks(validation)
        raise GateError(f"not published: {len(names)} critical checks failed on build {build.build_id}: "
                        + "; ".join(names), hint="the published version is unchanged; details: `luckin validate`")
    if settings.target is Target.duckdb:
        publication = on_duckdb.publish_duckdb(working, settings.published.path, build, validation)
    else:
        publication = on_postgres.publish_postgres(working, build, validation)
    return PublishResult(settings.target.value, _where(settings), build, publication, validation,
                         {"gates": gated - started, "copy": time.perf_counter() - gated})


def publication_status(settings: Settings, targets: list[Target] | None = None) -> list[Status]:
    """What is published on each target (default: both). A target that cannot be read reports
    its one-line error instead of failing the others."""
    from . import duckdb as on_duckdb, postgres as on_postgres

    out = []
    for target in targets or list(Target):
        these = settings.with_target(target)
        status = Status(target.value, _where(these))
        try:
            status.publication = (on_duckdb.read_publication(these.published.path)
                                  if target in (Target.duckdb, Target.spark)
                                  else on_postgres.read_publication(these.postgres))
        except LuckinError as exc:
            status.error = exc.one_line()
        out.append(status)
    return out
