"""The seed's figures are written once (luckin/core/seed_figures.yml) and the simulator's plan is
fitted to them, not to copies."""

from __future__ import annotations

import pytest
import yaml

from luckin.core.errors import ConfigError
from luckin.core.figures import FIGURES_PATH, seed_figures
from luckin.simulator import world as w
from luckin.simulator.generic import ENTITY_ROWS
from luckin.simulator.redis_writer import INSTANCE_COUNT
from luckin.simulator.spec import load_estate


def test_the_figures_file_reads_typed():
    f = seed_figures()
    assert f.completed_orders == 466_252 and f.revenue_usd == 2_194_799
    assert f.database_instances == 143 and f.as_dict()["database_instances"] == 143
    assert f.delivery_aov_usd == (18, 20) and f.empty_schemas == ("fi_tax", "luckyus_member")
    assert f.as_of.isoformat() == "2026-02-14"


def test_the_simulator_plan_is_fitted_to_the_figures():
    f = seed_figures()
    assert sum(w.MONTHLY_COMPLETED_ORDERS.values()) == f.completed_orders
    run_rate = w.MONTHLY_COMPLETED_ORDERS[f.run_rate_month] * w.MONTHLY_AOV[f.run_rate_month]
    assert run_rate == pytest.approx(f.run_rate_month_revenue_usd, abs=5)
    assert (w.FLEET_SIZE, w.OFFLINE_DEVICES, w.OFFLINE_BLENDERS) == (216, 123, 27)
    assert ENTITY_ROWS["user"] == (f.registered_users, True) and ENTITY_ROWS["device"] == (f.iot_devices, False)
    assert len(load_estate()) == f.mysql_schemas and INSTANCE_COUNT == f.redis_instances
    assert set(f.empty_schemas) <= set(load_estate())


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("revenue_usd"), "missing revenue_usd"),
    (lambda d: d.update(bonus=1), "unknown bonus"),
    (lambda d: d.update(iot_devices="216"), "iot_devices is '216'"),
    (lambda d: d.update(pickup_aov_usd=4), "pickup_aov_usd is 4"),
])
def test_a_broken_figures_file_is_a_one_line_error_naming_it(tmp_path, edit, message):
    doc = yaml.safe_load(FIGURES_PATH.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "figures.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        seed_figures(path)
    assert str(path) in err.value.one_line()
