"""What a run did, for people: the end-of-run table and lines, the progress bars, peak memory."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rich.console import Console
from rich.table import Table

from pipelines.mysql_estate import TableRun
from pipelines.redis_estate import RedisRun

UTC = timezone.utc
FAILED = ("failed", "missing")


@dataclass
class ExtractSummary:
    run_id: str
    destination: str
    destination_location: str = ""
    source: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration_seconds: float = 0.0
    tables: list[TableRun] = field(default_factory=list)
    redis: RedisRun | None = None
    # schemas found in the source (discover patterns) and loaded with inferred strategies
    discovered_schemas: list[str] = field(default_factory=list)
    error: str | None = None
    # `--verify`: one line per table that differs (empty: none does); None when it did not run
    verify_problems: list[str] | None = None
    peak_rss_mb: float | None = None

    @property
    def verified(self) -> bool | None:
        """Whether `--verify` found source and warehouse holding the same keys (None: not run)."""
        return None if self.verify_problems is None else not self.verify_problems

    @property
    def failures(self) -> list[TableRun]:
        return [t for t in self.tables if t.status in FAILED]

    @property
    def rows_deleted(self) -> int:
        return sum(t.rows_deleted for t in self.tables)

    @property
    def resynced(self) -> list[TableRun]:
        return [t for t in self.tables if t.resync_reason]

    @property
    def discovered(self) -> list[TableRun]:
        return [t for t in self.tables if t.discovered]

    @property
    def ok(self) -> bool:
        redis_ok = self.redis is None or self.redis.status != "failed"
        return self.error is None and not self.failures and redis_ok and self.verified is not False

    @property
    def rows_extracted(self) -> int:
        return sum(t.rows_extracted for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows_extracted / self.duration_seconds if self.duration_seconds else 0.0

    def render(self) -> Table:
        """The end-of-run table: one line per schema, totals, Redis."""
        table = Table(title=f"luckin extract -> {self.destination} ({self.destination_location})",
                      caption=f"run {self.run_id} from {self.source}")
        for col, justify in (("schema", "left"), ("tables", "right"), ("loaded", "right"),
                             ("unchanged", "right"), ("rows extracted", "right"), ("deleted", "right"),
                             ("rows in warehouse", "right"), ("zero dates", "right"), ("seconds", "right")):
            table.add_column(col, justify=justify)
        by_schema: dict[str, list[TableRun]] = {}
        for t in self.tables:
            by_schema.setdefault(t.schema, []).append(t)
        for schema, runs in by_schema.items():
            failed = [t for t in runs if t.status in ("failed", "missing")]
            name = f"[red]{schema}[/]" if failed else schema
            table.add_row(
                name, str(len(runs)), str(sum(t.status == "loaded" for t in runs)),
                str(sum(t.status == "unchanged" for t in runs)),
                f"{sum(t.rows_extracted for t in runs):,}",
                f"{sum(t.rows_deleted for t in runs):,}",
                f"{sum(t.rows_in_warehouse or 0 for t in runs):,}",
                f"{sum(t.zero_dates_nulled for t in runs):,}",
                f"{max((t.seconds for t in runs), default=0):.1f}",
            )
        table.add_section()
        runs = self.tables
        table.add_row(
            f"[bold]{len(by_schema)} schemas[/]", str(len(runs)), str(sum(t.status == "loaded" for t in runs)),
            str(sum(t.status == "unchanged" for t in runs)), f"[bold]{self.rows_extracted:,}[/]",
            f"{self.rows_deleted:,}",
            f"{sum(t.rows_in_warehouse or 0 for t in runs):,}", f"{sum(t.zero_dates_nulled for t in runs):,}",
            f"[bold]{self.duration_seconds:.1f}[/]",
        )
        if self.redis is not None:
            r = self.redis
            label = "redis_snapshots" if r.status != "failed" else "[red]redis_snapshots[/]"
            table.add_row(label, str(len(r.rows)), "1" if r.status == "loaded" else "0", "",
                          f"{sum(r.rows.values()):,}", "", f"{r.instances} instances, {r.keys:,} keys",
                          f"{r.unknown_keys:,} unknown keys" if r.unknown_keys else "", f"{r.seconds:.1f}")
        return table

    def print(self, console: Console | None = None) -> None:
        console = console or wide_console()
        if self.error and not self.tables:
            console.print(f"[red]error:[/] {self.error}", soft_wrap=True, highlight=False)
            return
        console.print(self.render())
        rate = f"{self.rows_per_second:,.0f} rows/s" if self.rows_extracted else "no new rows"
        mem = f", peak memory {self.peak_rss_mb:,.0f} MB" if self.peak_rss_mb else ""
        console.print(f"{self.rows_extracted:,} rows in {self.duration_seconds:.1f} s ({rate}{mem})")
        for t in self.failures:
            named = t.error if t.error and t.error.startswith(t.schema + ".") else f"{t.schema}.{t.table}: {t.error}"
            console.print(f"[red]{t.status}:[/] {named}",
                          soft_wrap=True, highlight=False)
        if self.redis is not None and self.redis.error:
            console.print(f"[red]redis failed:[/] {self.redis.error}", soft_wrap=True)
        for t in self.discovered:
            if t.status not in FAILED:
                console.print(f"[yellow]new (not in the catalog, loaded as {t.strategy}):[/] {t.schema}.{t.table}"
                              " (`luckin catalog` writes it into the catalog)", soft_wrap=True, highlight=False)
        for t in self.resynced:
            console.print(f"[yellow]re-synced whole:[/] {t.schema}.{t.table}: {t.resync_reason}", soft_wrap=True,
                          highlight=False)
        deleted = [t for t in self.tables if t.rows_deleted]
        if deleted:
            console.print(f"deleted in the source: {self.rows_deleted:,} rows in {len(deleted)} tables marked"
                          f" ({', '.join(f'{t.schema}.{t.table} {t.rows_deleted:,}' for t in deleted[:8])}"
                          f"{', ...' if len(deleted) > 8 else ''})", soft_wrap=True, highlight=False)
        fetched = [t for t in self.tables if t.rows_fetched_by_key]
        for t in fetched:
            console.print(f"fetched by key: {t.schema}.{t.table}: {t.rows_fetched_by_key:,} rows the cursor could"
                          " not reach (old update_time, or re-inserted)", soft_wrap=True, highlight=False)
        for t in self.tables:
            if t.rows_short and t.status == "loaded":
                console.print(f"[yellow]read short:[/] {t.schema}.{t.table}: {t.rows_short:,} fewer rows read than"
                              " counted when the run planned it (deleted in the source meanwhile? `luckin extract"
                              " --verify` compares the keys)", soft_wrap=True, highlight=False)
            for note in t.drift:
                console.print(f"[yellow]schema drift:[/] {t.schema}.{t.table}: {note}", soft_wrap=True,
                              highlight=False)
        if self.redis is not None and self.redis.unknown_keys:
            console.print(f"[yellow]redis keys matching no catalogued pattern:[/] {self.redis.unknown_keys:,}"
                          " (see redis_snapshots.key_patterns, pattern '<unknown>')")
        if self.error:
            console.print(f"[red]error:[/] {self.error}", soft_wrap=True, highlight=False)
        if self.verified is True:
            console.print("[green]verify: source and warehouse reconcile exactly[/]")
        elif self.verified is False:
            console.print("[red]verify: source and warehouse differ (see above)[/]")


def wide_console(stderr: bool = False) -> Console:
    """A console at least 120 columns wide (the summary table is unreadable at 80)."""
    console = Console(stderr=stderr)
    return console if console.width >= 120 else Console(stderr=stderr, width=120)


class Progress:
    """Rows and schemas done, on stderr while the run goes (no-op when disabled)."""

    def __init__(self, enabled: bool, schemas: int, with_redis: bool):
        self.enabled = enabled
        self._lock = threading.Lock()
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("[bold]{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.bar.start()
        self.schemas = self.bar.add_task("MySQL schemas", total=schemas)
        self.rows = self.bar.add_task("rows", total=0)
        self.redis = self.bar.add_task("Redis snapshot", total=1) if with_redis else None

    def add_expected(self, rows: int) -> None:
        if self.enabled:
            with self._lock:
                task = self.bar.tasks[self.rows]
                self.bar.update(self.rows, total=(task.total or 0) + rows)

    def rows_done(self, _schema: str, rows: int) -> None:
        if self.enabled:
            self.bar.advance(self.rows, rows)

    def schema_done(self) -> None:
        if self.enabled:
            self.bar.advance(self.schemas, 1)

    def redis_done(self) -> None:
        if self.enabled and self.redis is not None:
            self.bar.advance(self.redis, 1)

    def stop(self) -> None:
        if self.enabled:
            self.bar.stop()


class MemorySampler:
    """Peak resident memory of this process (the kernel's high-water mark, free to read) and, when
    the run has worker processes, of this process and its children together (sampled with psutil:
    listing children walks /proc, which cost ~8% of a run's CPU when done without need)."""

    def __init__(self, interval: float = 0.25, children: bool = False):
        self.peak = 0
        self._children = children
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True, name="luckin-rss")

    def _run(self, interval: float) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                total = me.memory_info().rss + sum(
                    c.memory_info().rss for c in me.children(recursive=True) if c.is_running())
            except psutil.Error:
                total = 0
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def __enter__(self) -> "MemorySampler":
        if self._children:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    @property
    def peak_mb(self) -> float:
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        return max(self.peak, own) / 2**20


__all__ = ["ExtractSummary", "MemorySampler", "Progress", "wide_console"]
