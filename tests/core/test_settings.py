"""Settings are resolved once, in one documented order: LUCKIN_* > dlt env > secrets.toml > config.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from luckin.core import PROJECT_DIR
from luckin.core.errors import ConfigError
from luckin.core.settings import DuckDBWarehouse, PostgresWarehouse, SparkWarehouse, Target, load_settings


def _dlt_dir(tmp_path: Path, config: str = "", secrets: str = "") -> Path:
    folder = tmp_path / ".dlt"
    folder.mkdir()
    (folder / "config.toml").write_text(config)
    (folder / "secrets.toml").write_text(secrets)
    return folder


def test_defaults_are_the_local_development_services(tmp_path):
    settings = load_settings(env={}, config_dir=_dlt_dir(tmp_path))
    assert settings.target is Target.duckdb
    assert settings.warehouse == DuckDBWarehouse(PROJECT_DIR / "data" / "warehouse.duckdb")
    assert settings.postgres == PostgresWarehouse("127.0.0.1", 5432, "postgres", "", "luckin")
    assert (settings.mysql.host, settings.mysql.port, settings.mysql.username) == ("127.0.0.1", 3306, "root")


def test_postgres_from_secrets_only(tmp_path):
    """A Postgres configured only in .dlt/secrets.toml is the warehouse of every command."""
    folder = _dlt_dir(tmp_path, secrets='[destination.postgres.credentials]\nhost = "db.internal"\n'
                      'port = 6543\nusername = "loader"\npassword = "s3cret"\ndatabase = "dw"\n')
    settings = load_settings("postgres", env={}, config_dir=folder)
    assert settings.warehouse == PostgresWarehouse("db.internal", 6543, "loader", "s3cret", "dw")
    assert settings.warehouse.dbt_env()["LUCKIN_PG_DATABASE"] == "dw"
    assert "s3cret" not in repr(settings) and "s3cret" not in settings.warehouse.describe()
    assert settings.secrets == ("s3cret",)


def test_precedence_luckin_env_over_dlt_env_over_secrets_over_config(tmp_path):
    folder = _dlt_dir(tmp_path, config='[destination.postgres.credentials]\nhost = "from-config"\nport = 1\n'
                      'database = "config_db"\n',
                      secrets='[destination.postgres.credentials]\nhost = "from-secrets"\n')
    env = {"DESTINATION__POSTGRES__CREDENTIALS__PORT": "2"}
    pg = load_settings(env=env, config_dir=folder).postgres
    assert (pg.host, pg.port, pg.database) == ("from-secrets", 2, "config_db")
    env["LUCKIN_PG_HOST"] = "from-luckin"
    env["LUCKIN_PG_PORT"] = "3"
    pg = load_settings(env=env, config_dir=folder).postgres
    assert (pg.host, pg.port) == ("from-luckin", 3)


def test_credentials_as_one_url_and_duckdb_path_forms(tmp_path):
    folder = _dlt_dir(tmp_path)
    env = {"DESTINATION__POSTGRES__CREDENTIALS": "postgresql://u:p%40ss@h:5433/db",
           "DESTINATION__DUCKDB__CREDENTIALS": "data/other.duckdb"}
    settings = load_settings(env=env, config_dir=folder)
    assert settings.postgres == PostgresWarehouse("h", 5433, "u", "p@ss", "db")
    assert settings.postgres.url() == "postgresql://u:p%40ss@h:5433/db"
    assert settings.duckdb.path == PROJECT_DIR / "data" / "other.duckdb"
    env["LUCKIN_DUCKDB_PATH"] = str(tmp_path / "w.duckdb")
    assert load_settings(env=env, config_dir=folder).duckdb.path == tmp_path / "w.duckdb"


def test_target_from_argument_env_or_config(tmp_path):
    folder = _dlt_dir(tmp_path, config='[warehouse]\ntarget = "postgres"\n')
    assert load_settings(env={}, config_dir=folder).target is Target.postgres
    assert load_settings(env={"LUCKIN_TARGET": "duckdb"}, config_dir=folder).target is Target.duckdb
    assert load_settings("postgres", env={"LUCKIN_TARGET": "duckdb"}, config_dir=folder).target is Target.postgres


def test_spark_target_has_folders_and_a_published_copy_of_its_own(tmp_path):
    folder = _dlt_dir(tmp_path, config='[warehouse.spark]\nmaster = "local[2]"\n')
    settings = load_settings("spark", env={"LUCKIN_SPARK_DIR": str(tmp_path / "sp")}, config_dir=folder)
    spark = settings.warehouse
    assert isinstance(spark, SparkWarehouse) and spark.master == "local[2]" and spark.method == "session"
    conf = spark.spark_conf()
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "sp" / "warehouse")
    assert str(tmp_path / "sp" / "metastore") in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    env = spark.dbt_env()
    assert env["LUCKIN_DBT_TARGET"] == "spark" and env["LUCKIN_SPARK_DIR"] == str(tmp_path / "sp")
    # readers see Spark's marts in DuckDB files inside its own folder, never the DuckDB target's
    assert settings.published.path == tmp_path / "sp" / "marts.duckdb"
    copy = settings.spark_working_copy()
    assert copy.warehouse.path == tmp_path / "sp" / "working.duckdb" and copy.published.path == settings.published.path
    assert load_settings("duckdb", env={}, config_dir=folder).published.path != settings.published.path


@pytest.mark.parametrize("env, config, words", [
    ({"LUCKIN_TARGET": "oracle"}, "", ["oracle", "duckdb, postgres, spark"]),
    ({"LUCKIN_SPARK_METHOD": "odbc"}, "", ["warehouse.spark.method", "odbc"]),
    ({"LUCKIN_SPARK_PORT": "ten"}, "", ["Spark Thrift port", "ten"]),
    ({"LUCKIN_PG_PORT": "five"}, "", ["Postgres port", "five"]),
    ({}, "[sources.mysql_estate]\nmode = \"cloud\"\n", ["sources.mysql_estate.mode", "cloud"]),
    ({}, "[broken\n", ["config.toml", "TOML"]),
    ({"LUCKIN_DUCKDB_BUILD_MEMORY_LIMIT": "4 gigs"}, "", ["build_memory_limit", "4 gigs", "4GB"]),
])
def test_bad_settings_are_one_line_naming_the_setting(tmp_path, env, config, words):
    with pytest.raises(ConfigError) as raised:
        load_settings(env=env, config_dir=_dlt_dir(tmp_path, config=config))
    line = raised.value.one_line()
    assert "\n" not in line and all(word in line for word in words), line


def test_redis_password_is_kept_out_of_the_url(tmp_path):
    env = {"SOURCES__REDIS_ESTATE__URL": "redis://:sec%2Fret@10.0.0.5:6380/3"}
    redis = load_settings(env=env, config_dir=_dlt_dir(tmp_path)).redis
    assert redis.url == "redis://10.0.0.5:6380/3" and redis.password == "sec/ret"
    assert "sec" not in redis.describe() and "sec" not in repr(redis)


def test_bi_password_and_report_folder_come_from_the_settings_too(tmp_path):
    folder = _dlt_dir(tmp_path, secrets='[warehouse.postgres]\nbi_password = "from-secrets-123"\n')
    settings = load_settings(env={"LUCKIN_REPORT_TARGET_PATH": str(tmp_path / "rep")}, config_dir=folder)
    assert settings.bi_password == "from-secrets-123" and "from-secrets-123" not in repr(settings)
    assert "from-secrets-123" in settings.secrets
    assert settings.report_target_dir == tmp_path / "rep"
    assert load_settings(env={"LUCKIN_BI_PASSWORD": "env-pass-456"}, config_dir=folder).bi_password == "env-pass-456"
