"""Superset's processes, driven from the project's virtualenv: install, prepare, start, stop.

    ensure_virtualenvs(console)            .venv-superset and .venv-superset-cli from their locks
    ensure_meta_database(config)           CREATE DATABASE superset_meta when missing
    bootstrap(config)                      migrations, admin user, roles (bi/superset/bootstrap.py)
    start_server(config) -> int            gunicorn in its own session (pid in data/superset/)
    wait_healthy(config, timeout)          until GET /health answers OK
    stop_server(config) -> bool            SIGTERM to the process group it started
    server_rss_bytes(config) -> int        resident memory of the server and its workers
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from psycopg2 import sql

from luckin.core.errors import LuckinError, redact
from luckin.core.sessions import connect_postgres

from .config import BI_DIR, CLI_REQUIREMENTS, CLI_VENV, REQUIREMENTS, SUPERSET_VENV, SupersetConfig

PYTHON = os.environ.get("PYTHON", "python3.11")


class SupersetError(LuckinError):
    """Superset could not be installed, started or driven."""


# --------------------------------------------------------------------------- install
def ensure_virtualenvs(console=None) -> list[Path]:
    """Create or bring up to date Superset's and preset-cli's virtualenvs; returns those installed."""
    done = []
    for venv, lock, probe in ((SUPERSET_VENV, REQUIREMENTS, "superset"), (CLI_VENV, CLI_REQUIREMENTS, "superset-cli")):
        stamp = venv / f".installed-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
        if stamp.exists() and (venv / "bin" / probe).exists():
            continue
        if console:
            console.print(f"installing {lock.relative_to(BI_DIR.parent.parent)} into {venv.name} (a few minutes, once)")
        if not (venv / "bin" / "python").exists():
            _run([PYTHON, "-m", "venv", str(venv)], f"creating {venv.name}")
        _run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-r", str(lock)],
             f"pip install -r {lock.name} into {venv.name}")
        for old in venv.glob(".installed-*"):
            old.unlink()
        stamp.touch()
        done.append(venv)
    return done


def _run(cmd: list[str], what: str, env: dict | None = None, secrets: tuple[str, ...] = ()) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = [line for line in (proc.stdout + proc.stderr).strip().splitlines() if line.strip()][-3:]
        raise SupersetError(f"{what} failed (exit {proc.returncode}): " + redact(" | ".join(tail), *secrets))
    return proc.stdout


# --------------------------------------------------------------------------- metadata
def ensure_meta_database(config: SupersetConfig) -> bool:
    """Create Superset's metadata database on the warehouse's Postgres server when missing."""
    con = connect_postgres(config.meta, database="postgres")  # WarehouseError, one line, when down
    try:
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (config.meta.database,))
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("create database {}").format(sql.Identifier(config.meta.database)))
            return True
    finally:
        con.close()


def bootstrap(config: SupersetConfig) -> None:
    """Migrations, the admin user (password as configured) and role definitions, in one process."""
    env = config.process_env() | {"SUPERSET_ADMIN_USERNAME": config.admin_username,
                                  "SUPERSET_ADMIN_PASSWORD": config.admin_password}
    _run([str(SUPERSET_VENV / "bin" / "python"), str(BI_DIR / "bootstrap.py")],
         "Superset bootstrap (migrations, admin, roles)", env=env, secrets=config.secrets)


# --------------------------------------------------------------------------- server
def _pid_file(config: SupersetConfig) -> Path:
    return config.state_dir / "superset.pid"


def server_pid(config: SupersetConfig) -> int | None:
    """The pid of the gunicorn this project started, when it is still running."""
    try:
        pid = int(_pid_file(config).read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def is_healthy(config: SupersetConfig) -> bool:
    try:
        with urllib.request.urlopen(f"{config.url}/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"OK"
    except (urllib.error.URLError, OSError):
        return False


def start_server(config: SupersetConfig, workers: int = 1, threads: int = 4) -> int:
    """Start gunicorn (Superset's WSGI app) in its own session, logging to data/superset/superset.log.
    One worker with threads: the marts are small, and each worker costs ~300 MB."""
    if (pid := server_pid(config)) is not None:
        return pid
    if is_healthy(config):
        raise SupersetError(f"something else already answers on {config.url}",
                            hint="stop it or set [superset] port in .dlt/config.toml")
    config.state_dir.mkdir(parents=True, exist_ok=True)
    log = open(config.state_dir / "superset.log", "ab")  # noqa: SIM115 - handed to the child
    cmd = [str(SUPERSET_VENV / "bin" / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
           "--worker-class", "gthread", "--timeout", "120", "--bind", f"{config.host}:{config.port}",
           "--pid", str(_pid_file(config)), "superset.app:create_app()"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=config.process_env(), cwd=config.state_dir, start_new_session=True)
    log.close()
    _pid_file(config).write_text(str(proc.pid))
    return proc.pid


def wait_healthy(config: SupersetConfig, timeout: float = 180.0) -> float:
    """Seconds until /health answers; SupersetError (with the log's tail) when it does not in time."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if is_healthy(config):
            return time.monotonic() - started
        if server_pid(config) is None:
            break
        time.sleep(0.5)
    tail = _log_tail(config)
    raise SupersetError(f"Superset did not become healthy on {config.url}: {tail}",
                        hint=f"see {config.state_dir / 'superset.log'}")


def _log_tail(config: SupersetConfig) -> str:
    try:
        lines = (config.state_dir / "superset.log").read_text(errors="replace").strip().splitlines()
    except FileNotFoundError:
        return "no log"
    return redact(" | ".join(line for line in lines[-3:]), *config.secrets)


def stop_server(config: SupersetConfig, timeout: float = 20.0) -> bool:
    """Stop the gunicorn this project started (its process group); False when none was running."""
    pid = server_pid(config)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server_pid(config) is not None:
        time.sleep(0.2)
    if server_pid(config) is not None:
        os.killpg(pid, signal.SIGKILL)
    _pid_file(config).unlink(missing_ok=True)
    return True


def server_rss_bytes(config: SupersetConfig) -> int:
    """Resident memory of the server's processes (the gunicorn master and its workers), from /proc."""
    pid = server_pid(config)
    if pid is None:
        return 0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != pid and int(entry.name) != pid and os.getpgid(int(entry.name)) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError, PermissionError):
            continue
    return total
