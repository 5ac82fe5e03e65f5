"""Errors raised where a fault is understood, turned into one line and an exit code by the CLI.

Every message names the thing at fault (a file, a host, a schema.table) and, in `hint`, what to
do about it. Messages never hold a secret: pass the secrets in play through `redact`.
"""

from __future__ import annotations

from urllib.parse import quote


class LuckinError(RuntimeError):
    """An expected failure: one line (`str(error)`), a hint, and the process exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(LuckinError):
    """A setting is missing, malformed or names something unknown."""

    exit_code = 2


class SourceError(LuckinError):
    """A source (MySQL, Redis) could not be read."""


class WarehouseError(LuckinError):
    """The warehouse is unreachable or refused us."""


class WarehouseLocked(WarehouseError):
    """Another process holds the DuckDB file's lock."""


class BuildError(LuckinError):
    """dbt finished with failed nodes, or could not run."""


class GateError(LuckinError):
    """A critical data-quality check failed."""


class PublishError(LuckinError):
    """The marts could not be published (nothing built, a failed build, a build meanwhile)."""


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every secret (and its URL-quoted form) replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, or its class name."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else exc.__class__.__name__
