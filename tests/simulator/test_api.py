"""The simulator's API for the command line: settings, simulate, calibration, the estate's scale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from luckin.core import PROJECT_DIR
from luckin.core.errors import ConfigError, LuckinError
from luckin.simulator.api import (NoEstate, SimulatorSettings, TargetRefused, calibration_checks, estate_scale,
                                  load_simulator_settings, simulate_estate)
from luckin.simulator.targets import MySQLSettings

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens: the embedded stand-in


def test_settings_read_config_secrets_and_environment(tmp_path):
    (tmp_path / "config.toml").write_text(
        '[simulator.mysql]\nhost = "db.example"\nport = 3307\npassword = "not-from-config"\n'
        '[simulator.redis]\nurl = "redis://cache.example:6380/2"\n[simulator]\nembedded_dir = "var/estate"\n')
    (tmp_path / "secrets.toml").write_text('[simulator.mysql]\npassword = "from-secrets"\n')
    s = load_simulator_settings(env={}, config_dir=tmp_path)
    assert (s.mysql.host, s.mysql.port, s.mysql.username, s.mysql.password) == ("db.example", 3307, "root", "from-secrets")
    assert s.redis_url == "redis://cache.example:6380/2" and s.embedded_dir == PROJECT_DIR / "var" / "estate"
    assert "from-secrets" not in repr(s)
    env = {"SIMULATOR__MYSQL__HOST": "env-host", "SIMULATOR__MYSQL__PASSWORD": "from-env",
           "SIMULATOR__EMBEDDED_DIR": str(tmp_path / "abs")}
    s = load_simulator_settings(env=env, config_dir=tmp_path)
    assert (s.mysql.host, s.mysql.password, s.embedded_dir) == ("env-host", "from-env", tmp_path / "abs")
    (tmp_path / "secrets.toml").unlink()
    assert load_simulator_settings(env={}, config_dir=tmp_path).mysql.password == ""  # never config.toml's
    with pytest.raises(ConfigError, match="simulator.mysql.port"):
        load_simulator_settings(env={"SIMULATOR__MYSQL__PORT": "x"}, config_dir=tmp_path)


def test_simulate_calibrate_and_scale_on_the_embedded_stand_in(tmp_path):
    settings = SimulatorSettings(mysql=MySQLSettings(port=1), redis_url=NOWHERE, embedded_dir=tmp_path)
    assert estate_scale(settings=settings) is None
    assert calibration_checks(embedded=True, settings=settings) is None
    seen: set[str] = set()
    result = simulate_estate(0.01, 7, embedded=True, settings=settings, progress=lambda phase, i, n: seen.add(phase))
    assert seen == {"generate", "load"} and result.mode == "full" and result.scale == 0.01
    assert sorted(p.stem for p in tmp_path.glob("*.sqlite"))  # written where the settings say
    calibration = calibration_checks(embedded=True, settings=settings)
    assert (calibration.scale, calibration.seed) == (0.01, 7) and "embedded SQLite" in calibration.target
    assert calibration.passed, [c for c in calibration.checks if not c.passed]
    assert estate_scale(settings=settings) == 0.01


def test_a_shorter_history_ends_on_its_day_and_holds_fewer_orders(tmp_path):
    """`--as-of`: the benchmark's history series (scripts/benchmark_scale.py --history)."""
    import sqlite3

    def orders(folder: Path, as_of: date | None) -> tuple[date, int, str]:
        settings = SimulatorSettings(mysql=MySQLSettings(port=1), redis_url=NOWHERE, embedded_dir=folder)
        result = simulate_estate(0.01, 7, embedded=True, settings=settings, as_of=as_of)
        con = sqlite3.connect(folder / "luckyus_sales_order.sqlite")
        try:
            return result.as_of, *con.execute("SELECT COUNT(*), MAX(create_time) FROM t_order").fetchone()
        finally:
            con.close()

    day, short, last = orders(tmp_path / "short", date(2025, 10, 1))
    assert day == date(2025, 10, 1) and last < "2025-10-02 05"  # UTC: New York's day ends at 04:00 next day
    _, full, _ = orders(tmp_path / "full", None)
    assert 0 < short < full


def test_expected_failures_are_one_line_errors(tmp_path):
    settings = SimulatorSettings(mysql=MySQLSettings(port=1), redis_url=NOWHERE, embedded_dir=tmp_path)
    with pytest.raises(ConfigError, match="scale must be positive"):
        simulate_estate(0, 7, settings=settings)
    with pytest.raises(ConfigError, match="as-of 2025-06-01 is before the first store opened") as err:
        simulate_estate(0.01, 7, embedded=True, settings=settings, as_of=date(2025, 6, 1))
    assert "choose a day from 2025-06-30 on" in err.value.one_line()
    with pytest.raises(NoEstate, match="needs an existing simulated estate") as err:
        simulate_estate(0.01, 7, append_days=1, embedded=True, settings=settings)
    assert "luckin simulate" in err.value.one_line()
    wrong = SimulatorSettings(mysql=MySQLSettings(username="luckin_nobody", password="not-the-password"),
                              redis_url=NOWHERE, embedded_dir=tmp_path)
    with pytest.raises(TargetRefused, match="refused user 'luckin_nobody'") as err:
        simulate_estate(0.01, 7, settings=wrong)
    assert isinstance(err.value, LuckinError) and "not-the-password" not in err.value.one_line()
    assert "SIMULATOR__MYSQL__PASSWORD" in err.value.one_line()
