"""The warehouse the pipelines load into: DuckDB (a file) or PostgreSQL.

Credentials come from dlt's standard configuration (`DESTINATION__DUCKDB__CREDENTIALS`,
`DESTINATION__POSTGRES__CREDENTIALS`, or `[destination.<name>.credentials]` in
`.dlt/config.toml` / `.dlt/secrets.toml`), falling back to the variables the dbt profile reads
(`LUCKIN_DUCKDB_PATH`, `LUCKIN_PG_*`) so that `luckin extract` and `dbt` agree on the warehouse,
then to the project defaults: `data/warehouse.duckdb`, and database `luckin` on 127.0.0.1:5432
as user postgres (created if missing).

Besides handing dlt its destination, this module runs the few SQL statements the extract needs
itself: row counts for the audit, the committed state version of each dataset, and removing rows
of a load that never completed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luckin.core.errors import WarehouseError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = "data/warehouse.duckdb"
DESTINATIONS = ("duckdb", "postgres")
DUCKDB_MEMORY_LIMIT = os.environ.get("LUCKIN_DUCKDB_MEMORY_LIMIT", "512MB")


class DestinationError(WarehouseError):
    """The warehouse is unreachable or refused us. One line, no secrets."""


def _config_value(key: str) -> Any:
    """A value from dlt's config providers (env, .dlt/secrets.toml, .dlt/config.toml), or None."""
    import dlt

    for accessor in (dlt.secrets, dlt.config):
        try:
            value = accessor.get(key)
        except Exception:  # noqa: BLE001 - a provider that cannot parse the value: treat as unset
            value = None
        if value not in (None, ""):
            return value
    return None


@dataclass
class Destination:
    kind: str
    # duckdb: absolute file path; postgres: a libpq/SQLAlchemy URL (may hold a password)
    target: str
    pipelines_dir: Path
    _password: str | None = None
    _duck: Any = field(default=None, repr=False)
    _factory: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ----------------------------------------------------------------- naming and dlt
    @property
    def location(self) -> str:
        """What messages print: the file, or host:port/database (never the password)."""
        if self.kind == "duckdb":
            return self.target
        from sqlalchemy.engine import make_url

        url = make_url(self.target)
        return f"{url.host or '127.0.0.1'}:{url.port or 5432}/{url.database}"

    @property
    def loader_file_format(self) -> str:
        return "parquet" if self.kind == "duckdb" else "csv"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._password,) if self._password else ()

    def dlt_destination(self):
        """The dlt destination factory, one per run (shared by every pipeline of the run)."""
        import dlt

        with self._lock:
            factory = self._factory
        if factory is not None:
            return factory
        if self.kind == "duckdb":
            # one DuckDB instance per process: dlt clones this connection per thread
            factory = dlt.destinations.duckdb(self.duckdb_connection())
        else:
            factory = dlt.destinations.postgres(credentials=self.target)
        _cache_capabilities(factory)
        with self._lock:
            self._factory = factory
        return factory

    # ----------------------------------------------------------------- connections
    def duckdb_connection(self):
        import duckdb

        with self._lock:
            if self._duck is None:
                Path(self.target).parent.mkdir(parents=True, exist_ok=True)
                try:
                    # a bounded buffer pool: the extract's peak memory stays under 2 GB
                    self._duck = duckdb.connect(self.target, config={"memory_limit": DUCKDB_MEMORY_LIMIT})
                except duckdb.Error as exc:
                    raise DestinationError(
                        f"destination duckdb at {self.target}: cannot open the file: {str(exc).splitlines()[0]}"
                    ) from None
            return self._duck

    def connect(self):
        """A DB-API connection for our own statements (DuckDB: a cursor on the shared instance)."""
        if self.kind == "duckdb":
            return self.duckdb_connection().cursor()
        import psycopg2

        try:
            conn = psycopg2.connect(self.target, connect_timeout=10)
        except psycopg2.OperationalError as exc:
            raise DestinationError(
                f"destination postgres at {self.location}: {_pg_reason(exc, self.secrets)}") from None
        conn.autocommit = True
        return conn

    def ensure_exists(self) -> None:
        """Postgres: create the database when missing. DuckDB: create the folder. Checks we can connect."""
        if self.kind == "duckdb":
            self.duckdb_connection()
            return
        import psycopg2
        from sqlalchemy.engine import make_url

        url = make_url(self.target)
        try:
            conn = psycopg2.connect(self.target, connect_timeout=10)
            conn.close()
            return
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise DestinationError(
                    f"destination postgres at {self.location}: {_pg_reason(exc, self.secrets)}") from None
        admin = url.set(database="postgres").render_as_string(hide_password=False)
        try:
            conn = psycopg2.connect(admin, connect_timeout=10)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{url.database}"')
            conn.close()
        except psycopg2.Error as exc:
            raise DestinationError(
                f"destination postgres at {self.location}: cannot create database {url.database}:"
                f" {_pg_reason(exc, self.secrets)}") from None

    def close(self) -> None:
        with self._lock:
            self._factory = None
            if self._duck is not None:
                self._duck.close()
                self._duck = None

    # ----------------------------------------------------------------- queries
    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        conn = self.connect()
        try:
            cur = conn.cursor() if self.kind == "postgres" else conn
            cur.execute(sql, params or None) if self.kind == "postgres" else cur.execute(sql, list(params))
            try:
                return cur.fetchall()
            except Exception:  # noqa: BLE001 - statements without a result set
                return []
        finally:
            conn.close()

    def existing_tables(self, schemas: list[str] | None = None) -> dict[str, set[str]]:
        rows = self.query(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
        )
        out: dict[str, set[str]] = {}
        for schema, table in rows:
            if schemas is None or schema in schemas:
                out.setdefault(schema, set()).add(table)
        return out

    def count_rows(self, tables: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """COUNT(*) of many tables, in batches of one UNION ALL statement."""
        out: dict[tuple[str, str], int] = {}
        for i in range(0, len(tables), 100):
            batch = tables[i:i + 100]
            sql = " UNION ALL ".join(
                f"SELECT {n} AS i, COUNT(*) AS n FROM {_q(s)}.{_q(t)}" for n, (s, t) in enumerate(batch))
            for idx, n in self.query(sql):
                out[batch[idx]] = int(n)
        return out

    def committed_state_versions(self, schemas: list[str], existing: dict[str, set[str]]) -> dict[str, int | None]:
        """The state version of the last *completed* load of each dataset (None: never loaded)."""
        out: dict[str, int | None] = {s: None for s in schemas}
        parts = []
        for s in schemas:
            if {"_dlt_pipeline_state", "_dlt_loads"} <= existing.get(s, set()):
                parts.append(
                    f"SELECT '{s}' AS s, MAX(st.version) AS v FROM {_q(s)}._dlt_pipeline_state AS st"
                    f" JOIN {_q(s)}._dlt_loads AS l ON l.load_id = st._dlt_load_id WHERE l.status = 0")
        for i in range(0, len(parts), 100):
            for s, v in self.query(" UNION ALL ".join(parts[i:i + 100])):
                out[s] = None if v is None else int(v)
        return out

    def remove_uncommitted_rows(self, schema: str, tables: list[str]) -> dict[str, int]:
        """Delete rows whose `_dlt_load_id` belongs to no completed load (a killed run's partial load)."""
        removed = {}
        existing = self.existing_tables([schema]).get(schema, set())
        if "_dlt_loads" not in existing:
            committed = "SELECT NULL WHERE FALSE"
        else:
            committed = f"SELECT load_id FROM {_q(schema)}._dlt_loads WHERE status = 0"
        for t in tables:
            if t not in existing:
                continue
            rows = self.query(
                f"SELECT COUNT(*) FROM {_q(schema)}.{_q(t)} WHERE _dlt_load_id NOT IN ({committed})")
            n = int(rows[0][0]) if rows else 0
            if n:
                self.query(f"DELETE FROM {_q(schema)}.{_q(t)} WHERE _dlt_load_id NOT IN ({committed})")
                removed[t] = n
        return removed


def _cache_capabilities(factory) -> None:
    """Memoize the factory's capabilities when dlt asks without a resolved config.

    dlt asks ~25 times per pipeline run and each time resolves the whole destination
    configuration to compute the same answer: with 60+ schemas that was 40% of the
    per-schema overhead. The answer depends only on the naming convention passed.
    """
    import copy

    original = factory.capabilities
    cache: dict = {}
    lock = threading.Lock()

    def capabilities(config=None, naming=None):
        if config is not None:
            return original(config, naming)
        key = None if naming is None else (type(naming).__module__, type(naming).__name__,
                                           getattr(naming, "max_length", None))
        with lock:
            if key not in cache:
                cache[key] = original(None, naming)
            return copy.copy(cache[key])

    factory.capabilities = capabilities


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_reason(exc: Exception, secrets: tuple[str, ...]) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    for s in secrets:
        text = text.replace(s, "***")
    if "password authentication failed" in text:
        return "password authentication failed (wrong password?)"
    if "Connection refused" in text or "could not connect" in text:
        return "server not reachable (is PostgreSQL running?)"
    return text


def resolve_destination(kind: str = "duckdb", pipelines_dir: str | Path | None = None) -> Destination:
    """The destination of a run, from dlt config, the dbt profile's variables, then defaults."""
    if kind not in DESTINATIONS:
        raise DestinationError(f"unknown destination {kind!r}; expected one of {', '.join(DESTINATIONS)}")
    if kind == "duckdb":
        configured = _config_value("destination.duckdb.credentials")
        if isinstance(configured, dict):
            configured = configured.get("database")
        path = Path(str(configured or os.environ.get("LUCKIN_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH))
        if str(path).startswith("duckdb:///"):
            path = Path(str(path)[len("duckdb:///"):])
        if not path.is_absolute():
            path = (PROJECT_DIR / path) if not configured else path.resolve()
        target, password = str(path), None
        key = f"duckdb-{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    else:
        from sqlalchemy.engine import URL, make_url

        configured = _config_value("destination.postgres.credentials")
        if isinstance(configured, dict) or hasattr(configured, "get"):
            d = dict(configured)
            url = URL.create("postgresql", username=d.get("username") or "postgres", password=d.get("password"),
                             host=d.get("host") or "127.0.0.1", port=int(d.get("port") or 5432),
                             database=d.get("database") or "luckin")
        elif configured:
            url = make_url(str(configured))
        else:
            env = os.environ
            url = URL.create("postgresql", username=env.get("LUCKIN_PG_USER", "postgres"),
                             password=env.get("LUCKIN_PG_PASSWORD") or None,
                             host=env.get("LUCKIN_PG_HOST", "127.0.0.1"), port=int(env.get("LUCKIN_PG_PORT", 5432)),
                             database=env.get("LUCKIN_PG_DATABASE", "luckin"))
        if url.drivername != "postgresql":
            url = url.set(drivername="postgresql")
        password = url.password or None
        target = url.render_as_string(hide_password=False)
        if url.password is None:
            # trust/peer authentication: dlt insists on a password field, an empty one is accepted
            target = target.replace(f"//{url.username}@", f"//{url.username}:@", 1)
        key = f"postgres-{url.host}-{url.port or 5432}-{url.database}"
    base = Path(pipelines_dir or os.environ.get("LUCKIN_PIPELINES_DIR") or PROJECT_DIR / "data" / ".dlt_pipelines")
    return Destination(kind=kind, target=target, pipelines_dir=base / key, _password=password)
