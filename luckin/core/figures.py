"""The seed's headline figures (`seed_figures.yml` beside this module), typed and read once.

The simulator calibrates to them and checks its estate against them; the report check compares
report 00 with them. Nothing else restates them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from luckin.core.errors import ConfigError

FIGURES_PATH = Path(__file__).with_name("seed_figures.yml")


@dataclass(frozen=True)
class SeedFigures:
    """The report suite's figures at scale 1 (see seed_figures.yml for what each one is)."""

    as_of: date
    first_full_month: str               # "YYYY-MM"
    run_rate_month: str                 # "YYYY-MM", the latest full month
    completed_orders: int
    revenue_usd: int
    avg_order_value_usd: float
    first_full_month_aov_usd: float
    latest_full_month_aov_usd: float
    run_rate_month_revenue_usd: int
    active_stores: int
    registered_users: int
    iot_devices: int
    offline_device_share: float
    offline_blender_share: float
    first_month_production_seconds: int
    latest_month_production_seconds: int
    top_product: str
    top_product_order_share: float
    delivery_aov_usd: tuple[float, float]
    pickup_aov_usd: tuple[float, float]
    empty_schemas: tuple[str, ...]
    mysql_schemas: int
    redis_instances: int
    postgres_instances: int

    @property
    def database_instances(self) -> int:
        return self.mysql_schemas + self.redis_instances + self.postgres_instances

    def as_dict(self) -> dict[str, Any]:
        """Every figure by name, `database_instances` included."""
        return {**dataclasses.asdict(self), "database_instances": self.database_instances}


def _typed(name: str, kind: type, value: Any, where: Path) -> Any:
    def bad() -> ConfigError:
        return ConfigError(f"{where}: {name} is {value!r}, expected {getattr(kind, '__name__', kind)}",
                           hint="fix the figure in the file")

    origin = getattr(kind, "__origin__", None)
    if origin is tuple:
        if not isinstance(value, list) or not value:
            raise bad()
        item = kind.__args__[0]
        items = tuple(_typed(name, item, v, where) for v in value)
        if kind.__args__[-1] is not Ellipsis and len(items) != len(kind.__args__):
            raise bad()
        return items
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if kind is date and isinstance(value, date):
        return value
    if kind in (int, str) and type(value) is kind:
        return value
    raise bad()


@cache
def seed_figures(path: Path = FIGURES_PATH) -> SeedFigures:
    """The figures of `path` (default: the project's seed_figures.yml), checked and typed."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the seed figures ({exc})") from None
    types = {name: kind for name, kind in get_type_hints(SeedFigures).items()}
    missing, unknown = sorted(set(types) - set(doc)), sorted(set(doc) - set(types))
    if missing or unknown:
        raise ConfigError(f"{path}: " + "; ".join(
            part for part in (f"missing {', '.join(missing)}" if missing else "",
                              f"unknown {', '.join(unknown)}" if unknown else "") if part),
            hint="the file lists exactly the fields of luckin.core.figures.SeedFigures")
    return SeedFigures(**{name: _typed(name, kind, doc[name], Path(path)) for name, kind in types.items()})
