"""Superset's configuration and import bundle, without a server (part of `make test`)."""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import replace

import yaml

from luckin.cli import main
from luckin.core.settings import load_settings
from luckin.superset.bundle import build_bundle
from luckin.superset.config import ASSETS_DIR, load_superset_config


def _settings(tmp_path, **env):
    (tmp_path / ".dlt").mkdir(exist_ok=True)
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("SUPERSET__", "LUCKIN_"))},
            "LUCKIN_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), **env}
    settings = load_settings("duckdb", env=full)
    return settings, full


def test_missing_secrets_are_generated_into_secrets_toml_once(tmp_path):
    settings, env = _settings(tmp_path)
    config_dir = tmp_path / ".dlt"
    (config_dir / "secrets.toml").write_text('[sources.mysql_estate.credentials]\npassword = "keep"\n')
    settings = replace(settings, config_dir=config_dir)
    first = load_superset_config(settings, env=env)
    assert set(first.generated) == {"admin_password", "secret_key"}
    text = (config_dir / "secrets.toml").read_text()
    assert 'password = "keep"' in text and first.admin_password in text and first.secret_key in text
    assert stat.S_IMODE((config_dir / "secrets.toml").stat().st_mode) == 0o600
    again = load_superset_config(settings, env=env)
    assert again.generated == () and again.admin_password == first.admin_password


def test_bundle_fills_in_the_published_file_and_leaves_postgres_out_without_a_bi_password(tmp_path):
    settings, env = _settings(tmp_path, SUPERSET__ADMIN_PASSWORD="x" * 12, SUPERSET__SECRET_KEY="y" * 32)
    config = load_superset_config(settings, env=env, generate=False)
    with zipfile.ZipFile(build_bundle(config, tmp_path / "b.zip")) as zf:
        names = zf.namelist()
        database = yaml.safe_load(zf.read("luckin_bundle/databases/luckin_duckdb.yaml"))
        assert all("${" not in zf.read(n).decode() for n in names)
    assert "luckin_bundle/databases/luckin_postgres.yaml" not in names
    assert database["sqlalchemy_uri"] == f"duckdb:///{tmp_path / 'superset' / 'published.duckdb'}?access_mode=read_only"
    assert database["allow_dml"] is False
    assert sum(n.startswith("luckin_bundle/charts/") for n in names) == len(list((ASSETS_DIR / "charts").glob("*.yaml")))


def test_bundle_with_a_bi_password_connects_postgres_as_the_bi_role_without_the_password(tmp_path):
    settings, env = _settings(tmp_path, SUPERSET__ADMIN_PASSWORD="x" * 12, SUPERSET__SECRET_KEY="y" * 32,
                              LUCKIN_BI_PASSWORD="bi-secret-123")
    config = load_superset_config(settings, env=env, generate=False)
    with zipfile.ZipFile(build_bundle(config, tmp_path / "b.zip")) as zf:
        text = zf.read("luckin_bundle/databases/luckin_postgres.yaml").decode()
    uri = yaml.safe_load(text)["sqlalchemy_uri"]
    # Superset's import format: the URI carries its mask (XXXXXXXXXX), the password travels
    # in the import request's `passwords` field, so the bundle on disk never holds it.
    assert uri.startswith("postgresql+psycopg2://luckin_bi:XXXXXXXXXX@") and "search_path%3Dpublished" in uri
    assert "bi-secret-123" not in text


def test_superset_without_published_marts_is_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUCKIN_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("SUPERSET__ADMIN_PASSWORD", "x" * 12)
    monkeypatch.setenv("SUPERSET__SECRET_KEY", "y" * 32)
    assert main(["bi", "superset"]) == 1
    err = capsys.readouterr().err
    assert "no published marts at" in err and "marts.duckdb" in err and "luckin publish" in err
    assert len(err.strip().splitlines()) == 1
