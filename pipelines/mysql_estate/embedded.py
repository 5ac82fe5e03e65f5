"""The embedded stand-in of the estate: one SQLite file per schema (`data/estate/<schema>.sqlite`),
MySQL type names kept as declared types. Rows are read as text and cast in Arrow
(`convert.to_landing`), so the typing rules are the same code as for a MySQL server."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pyarrow as pa

from luckin.core.contract import BINARY_TYPES, INT_TYPES as INTEGER_TYPES, SourceColumn, SourceTable
from luckin.core.errors import SourceError
from luckin.core.sessions import quote_ident
from pipelines.mysql_estate.helpers import Reader, Window


def _parse_type(text: str) -> tuple[str, int | None, int | None]:
    m = re.match(r"^\s*([a-zA-Z]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", text or "")
    if not m:
        return "text", None, None
    return m.group(1).lower(), (int(m.group(2)) if m.group(2) else None), (int(m.group(3)) if m.group(3) else None)


class SQLiteReader(Reader):
    """The embedded stand-in: one SQLite file per schema, MySQL type names kept as declared types."""

    placeholder = "?"
    text_dates = True

    def __init__(self, schema: str, path: Path):
        self.schema = schema
        self.path = Path(path)
        self.location = str(self.path)
        self._local = threading.local()

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.exists():
                raise SourceError(f"mysql_estate: embedded estate file {self.path} does not exist")
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def quote(self, name: str) -> str:
        return quote_ident(name)

    def scalar_row(self, sql: str, params: tuple = ()) -> tuple:
        return self._conn().execute(sql, params).fetchone()

    def reflect(self) -> dict[str, SourceTable]:
        conn = self._conn()
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        out = {}
        for tname in names:
            cols, pk = [], []
            for _cid, cname, decl, notnull, _default, pkpos in conn.execute(
                    f"PRAGMA table_info({self.quote(tname)})"):
                base, p, s = _parse_type(decl)
                decl_l = (decl or "").lower()
                cols.append(SourceColumn(
                    name=cname, data_type=base, column_type=decl_l.strip(),
                    nullable=not notnull and not pkpos,
                    precision=p if base in ("decimal", "numeric") else None,
                    scale=(s or 0) if base in ("decimal", "numeric") else None,
                    is_json=(base == "json"),
                ))
                if pkpos:
                    pk.append((pkpos, cname))
            out[tname] = SourceTable(self.schema, tname, tuple(cols), tuple(c for _, c in sorted(pk)))
        return out

    def read(self, table: SourceTable, window: Window) -> pa.Table:
        where, params = self.where(window)
        select = []
        for c in table.columns:
            n = self.quote(c.name)
            select.append(n if c.data_type in BINARY_TYPES else f"CAST({n} AS TEXT)")
        sql = f"SELECT {', '.join(select)} FROM {self.quote(table.name)}{where}"
        try:
            rows = self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise SourceError(f"mysql_estate: reading {self.schema}.{table.name} from {self.path} failed:"
                              f" {exc}") from None
        columns = list(zip(*rows)) if rows else [() for _ in table.columns]
        arrays = {}
        for c, values in zip(table.columns, columns):
            typ = pa.binary() if c.data_type in BINARY_TYPES else pa.string()
            arrays[c.name] = pa.array(values, type=typ)
        return pa.table(arrays)

    def micros_sql(self, col: SourceColumn) -> str | None:
        return self.quote(col.name) if col.data_type in INTEGER_TYPES else None

    def seconds_sql(self, col: SourceColumn) -> str | None:
        return self.quote(col.name) if col.data_type in INTEGER_TYPES else None

    def now_sql(self, col: SourceColumn) -> str:
        return "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    def query_arrow(self, sql: str, params: tuple = ()) -> pa.Table:
        sql = sql.replace("%s", "?")
        try:
            cur = self._conn().execute(sql, params)
            rows = cur.fetchall()
        except sqlite3.Error as exc:
            raise SourceError(f"mysql_estate: reading {self.schema} from {self.path} failed: {exc}") from None
        names = [d[0] for d in cur.description]
        columns = list(zip(*rows)) if rows else [() for _ in names]
        return pa.table({n: pa.array(v) if v else pa.array([], pa.int64()) for n, v in zip(names, columns)})


__all__ = ["SQLiteReader"]
