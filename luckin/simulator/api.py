"""What the command line calls: simulate the estate, check its calibration, read its scale.

The command line parses options and shows progress; the work, the settings and the errors live
here. Every expected failure is a `luckin.core.errors.LuckinError` (one line and a hint):
a server that refuses the simulator (`TargetRefused`), appending to an estate that is not
there (`NoEstate`), an option or estate definition the simulator cannot use
(`SimulationError`, `ConfigError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

import redis
import sqlalchemy as sa

from luckin.core.errors import ConfigError, LuckinError, SourceError, redact

from .calibration import Check
from .run import NoEstate, SimulationResult, read_manifest, resolve_redis, resolve_targets, simulate
from .settings import SimulatorSettings, load_simulator_settings
from .targets import TargetRefused

__all__ = ["Calibration", "Check", "NoEstate", "Progress", "SimulationError", "SimulationResult",
           "SimulatorSettings", "TargetRefused", "calibration_checks", "estate_scale",
           "load_simulator_settings", "simulate_estate"]

Progress = Callable[[str, int, int], None]
"""`progress(phase, done, total)`: phases "generate", then "load" (or "upsert" when appending)."""


class SimulationError(LuckinError):
    """The simulator could not build the estate it was asked for (bad estate definition, bad day)."""


@dataclass(frozen=True)
class Calibration:
    """The calibration table of the estate that is there now."""

    scale: float
    seed: int
    as_of: date
    target: str  # the estate measured, e.g. "MySQL 127.0.0.1:3306" or "embedded SQLite files in ..."
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def simulate_estate(scale: float = 1.0, seed: int = 42, append_days: int = 0, *, embedded: bool = False,
                    progress: Progress | None = None, settings: SimulatorSettings | None = None,
                    as_of: date | None = None) -> SimulationResult:
    """Write the estate (or continue its timeline by `append_days`) where the settings say; the
    embedded stand-in when no server answers or with `embedded`. `as_of` ends a new estate's
    history on another day than the report suite's."""
    if not scale > 0:
        raise ConfigError(f"scale must be positive, got {scale}", hint="e.g. --scale 1 or --scale 0.01")
    if append_days < 0:
        raise ConfigError(f"append-days must be 0 or more, got {append_days}")
    settings = settings or load_simulator_settings()
    try:
        return simulate(scale, seed, append_days, mysql=settings.mysql, redis_url=settings.redis_url,
                        embedded_dir=settings.embedded_dir, embedded=embedded, progress=progress,
                        checkpoint_dir=settings.checkpoint_dir, as_of=as_of)
    except (ValueError, KeyError) as exc:
        raise SimulationError(redact(f"simulate: {exc}", *settings.secrets),
                              hint="see luckin/simulator/estate/*.yml and the simulator's README section") from exc
    except (redis.exceptions.RedisError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        raise SourceError(redact(f"simulate: writing the estate failed: {exc}", *settings.secrets),
                          hint="is MariaDB/Redis still up? `make services` starts them") from exc


def calibration_checks(embedded: bool = False, *,
                       settings: SimulatorSettings | None = None) -> Calibration | None:
    """The calibration table of the estate that is there now; None when no simulated estate is found."""
    from .calibration import evaluate, measure

    settings = settings or load_simulator_settings()
    targets = resolve_targets(settings.mysql, settings.redis_url, settings.embedded_dir, embedded)
    manifest = read_manifest(targets.redis)
    if manifest is None:
        return None
    as_of = date.fromisoformat(manifest["as_of"])
    try:
        figures = measure(targets.mysql.reader_url, targets.redis, as_of)
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(redact(f"calibration: {targets.mysql.describe()} does not hold the simulated estate "
                                 f"({str(exc).splitlines()[0]})", *settings.secrets),
                          hint="run `luckin simulate` again") from None
    return Calibration(manifest["scale"], manifest["seed"], as_of, targets.mysql.describe(),
                       evaluate(figures, manifest["scale"]))


def estate_scale(*, settings: SimulatorSettings | None = None) -> float | None:
    """The simulated estate's scale (the report check scales the seed's absolute figures by it);
    None when there is no simulated estate to ask, as on a real warehouse."""
    settings = settings or load_simulator_settings()
    try:
        client, _ = resolve_redis(settings.redis_url, settings.embedded_dir)
        manifest = read_manifest(client)
    except (LuckinError, redis.exceptions.RedisError, OSError, ValueError):
        return None
    return float(manifest["scale"]) if manifest else None
