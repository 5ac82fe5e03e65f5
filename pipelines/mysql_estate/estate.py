"""Where the MySQL estate is: a server (one database per schema) or the embedded SQLite stand-in.

`connect_estate(settings.mysql)` resolves the mode once per run. Mode `auto` (default) reads the
MySQL server when it answers and holds estate databases, else the embedded stand-in when its
files exist; `mysql` or `embedded` force one. A wrong password never falls back: it is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from luckin.core.contract import SourceTable
from luckin.core.errors import SourceError
from luckin.core.settings import MySQLSource
from pipelines.mysql_estate.embedded import SQLiteReader
from pipelines.mysql_estate.helpers import MySQLReader, Reader, mysql_connect, reflect_mysql


@dataclass
class EstateConnection:
    """The MySQL estate: a server (one database per schema) or the embedded SQLite stand-in."""

    mode: str  # mysql | embedded
    host: str = "127.0.0.1"
    port: int = 3306
    username: str = "root"
    password: str | None = field(default=None, repr=False)
    database_prefix: str = ""  # source database = prefix + schema (test isolation)
    embedded_dir: Path = Path("data/estate")

    def describe(self) -> str:
        if self.mode == "mysql":
            return f"MySQL at {self.host}:{self.port}"
        return f"embedded SQLite files in {self.embedded_dir}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    def url(self, schema: str) -> str:
        """The URL of one schema, without the password (for messages and docs)."""
        if self.mode == "mysql":
            return f"mysql://{quote(self.username, safe='')}@{self.host}:{self.port}/{self.database_prefix}{schema}"
        return f"sqlite:///{(self.embedded_dir / f'{schema}.sqlite').resolve()}"

    def check(self) -> None:
        if self.mode == "mysql":
            mysql_connect(self.host, self.port, self.username, self.password).close()
        elif not self.embedded_dir.is_dir():
            raise SourceError(f"mysql_estate: embedded estate folder {self.embedded_dir} does not exist")

    def schemas_present(self) -> set[str]:
        """Schema names the source holds (prefix stripped)."""
        if self.mode == "embedded":
            return {p.stem for p in self.embedded_dir.glob("*.sqlite")}
        conn = mysql_connect(self.host, self.port, self.username, self.password)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
                names = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
        p = self.database_prefix
        return {n[len(p):] for n in names if n.startswith(p)}

    def reflect(self, schemas: list[str]) -> dict[str, dict[str, SourceTable]]:
        """Tables, columns and primary keys of the schemas (as the source has them now)."""
        if self.mode == "embedded":
            out = {}
            for s in schemas:
                reader = self.reader(s)
                try:
                    out[s] = reader.reflect()
                finally:
                    reader.close()
            return out
        conn = mysql_connect(self.host, self.port, self.username, self.password)
        try:
            return reflect_mysql(conn, {self.database_prefix + s: s for s in schemas})
        finally:
            conn.close()

    def reader(self, schema: str) -> Reader:
        if self.mode == "mysql":
            return MySQLReader(schema, self.database_prefix + schema, self.host, self.port, self.username,
                               self.password)
        return SQLiteReader(schema, self.embedded_dir / f"{schema}.sqlite")


def connect_estate(source: MySQLSource) -> EstateConnection:
    """The estate the settings name, its mode resolved (see the module docstring)."""
    embedded_dir = Path(source.embedded_dir)
    server = EstateConnection("mysql", source.host, source.port, source.username, source.password,
                              source.database_prefix, embedded_dir)
    embedded = EstateConnection("embedded", embedded_dir=embedded_dir)
    if source.mode == "mysql":
        return server
    if source.mode == "embedded":
        return embedded
    has_files = embedded_dir.is_dir() and any(embedded_dir.glob("*.sqlite"))
    try:
        server.check()
    except SourceError as exc:
        if "not reachable" in str(exc) and has_files:
            return embedded
        raise
    if has_files and not server.schemas_present() & {p.stem for p in embedded_dir.glob("*.sqlite")}:
        return embedded
    return server


__all__ = ["EstateConnection", "connect_estate"]
