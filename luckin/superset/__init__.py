"""Apache Superset on the published marts, started by one command (`luckin bi superset`, `make superset`).

    start_superset(settings, *, sync=True, console=None) -> SupersetRun
    stop_superset(settings) -> bool

Superset 6.1 runs from its own virtualenv (.venv-superset, from bi/superset/requirements.lock;
preset-cli has another, .venv-superset-cli): this package drives both through subprocesses
from the project's virtualenv and imports neither.

start_superset:
1. installs the two virtualenvs when missing or when their locks changed;
2. creates the metadata database `superset_meta` on the warehouse's Postgres server, applies
   Superset's migrations, and creates the admin (credentials in .dlt/secrets.toml [superset],
   generated on first use) - bi/superset/bootstrap.py;
3. starts gunicorn in the background with bi/superset/superset_config.py (no telemetry, no CDN)
   and waits for /health;
4. imports bi/superset/assets (databases: the published DuckDB file read-only, and the
   Postgres `published` schema through the BI role `luckin_bi` when LUCKIN_BI_PASSWORD is set;
   datasets; the executive dashboard's charts; the dashboard);
5. syncs the datasets' columns, descriptions and metrics from dbt's metric layer
   (`superset-cli sync dbt-core`, luckin.superset.bundle), for the DuckDB connection and, when
   there is one, the Postgres connection; skipped when nothing changed since the last sync.

Modules: config (paths, credentials), server (venvs, bootstrap, gunicorn), client (REST API),
bundle (the import bundle and the dbt sync).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from luckin.core.settings import Settings, Target

from .config import SupersetConfig, load_superset_config
from .server import SupersetError

__all__ = ["SupersetError", "SupersetRun", "start_superset", "stop_superset", "load_superset_config"]

DASHBOARD_SLUG = "luckin-executive"


@dataclass
class SupersetRun:
    config: SupersetConfig
    pid: int
    already_running: bool = False
    installed: list = field(default_factory=list)  # virtualenvs installed by this call
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    rss_bytes: int = 0  # resident memory of Superset's processes once ready

    @property
    def dashboard_url(self) -> str:
        return f"{self.config.url}/superset/dashboard/{DASHBOARD_SLUG}/"


def start_superset(settings: Settings, *, sync: bool = True, console=None) -> SupersetRun:
    """Install (when needed), prepare, start and fill Superset; leaves it running in the background.
    sync=False: start only, leaving the dashboard and its metrics as they are."""
    from . import bundle, server
    from .client import SupersetClient

    config = load_superset_config(settings)
    if not config.published_duckdb.exists():  # before minutes of installing and starting
        raise SupersetError(f"no published marts at {config.published_duckdb}",
                            hint="build, validate and publish first (`luckin build`, `luckin publish`)")
    timings: dict[str, float] = {}
    t0 = time.monotonic()

    def step(name: str, started: float) -> float:
        now = time.monotonic()
        timings[name] = round(now - started, 1)
        if console:
            console.print(f"superset: {name} ({timings[name]:.1f} s)")
        return now

    installed = server.ensure_virtualenvs(console)
    t = step("virtualenvs", t0)
    already = server.server_pid(config) is not None and server.is_healthy(config)
    if not already:
        server.ensure_meta_database(config)
        server.bootstrap(config)
        t = step("metadata database, admin, roles", t)
        server.start_server(config)
        server.wait_healthy(config)
        t = step("server healthy", t)
    pid = server.server_pid(config) or 0
    client = SupersetClient(config)
    # An import overwrites the dashboard's datasets and so their metrics: import and sync go
    # together, and are skipped when neither the bundle nor the dbt side changed since the last
    # pair (the stamp) and the dashboard is there.
    stamp = config.state_dir / "assets.sha256"
    # DuckDB always; Postgres when Superset can log in as the BI role.
    targets = [Target.duckdb, *([Target.postgres] if config.bi_password else [])]
    if sync:
        manifests = {target: bundle.mart_manifest(config, target, settings) for target in targets}
        digest = bundle.assets_digest(config, list(manifests.values()))
        t = step("dbt manifest parsed", t)
        if stamp.exists() and stamp.read_text() == digest and client.has_dashboard(DASHBOARD_SLUG):
            t = step("dashboard and metrics up to date", t)
        else:
            stamp.unlink(missing_ok=True)
            bundle.import_assets(client, config)
            t = step("dashboard imported", t)
            for target, manifest in manifests.items():
                bundle.sync_metric_layer(config, settings, target, manifest)
                t = step(f"datasets and metrics synced from dbt ({target.value})", t)
            stamp.write_text(digest)
    timings["total"] = round(time.monotonic() - t0, 1)
    return SupersetRun(config=config, pid=pid, already_running=already, installed=installed, timings=timings,
                       rss_bytes=server.server_rss_bytes(config))


def stop_superset(settings: Settings) -> bool:
    from luckin.core.errors import ConfigError

    from . import server

    try:
        config = load_superset_config(settings, generate=False)
    except ConfigError:  # no credentials yet: this project never started one
        return False
    return server.stop_server(config)
