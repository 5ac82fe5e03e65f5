"""Arrow tables as read -> Arrow tables with the landing types (the raw-table contract).

`to_landing()` casts every column to the type `luckin.core.contract.landing_type` gives it,
turns zero dates into NULL and counts them, and adds the loader's `_dlt_id` and
`_luckin_deleted_at` (NULL: the row exists in the source).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from luckin.core.contract import (
    DELETED_AT_ARROW,
    ZERO_FLAG_PREFIX,
    SourceColumn,
    SourceTable,
    arrow_schema,
    random_row_ids,
)
from luckin.core.errors import SourceError, first_line


@dataclass
class Converted:
    table: pa.Table
    zero_dates: dict[str, int] = field(default_factory=dict)


def to_landing(raw: pa.Table, table: SourceTable, unsigned_as_decimal: tuple[str, ...] = (),
               text_zero_dates: bool = False) -> Converted:
    """Cast a raw Arrow table (as read) to the landing schema, nulling and counting zero dates.

    `raw` holds the table's columns, in any order, as the reader produced them, plus one
    `__zero_date__<col>` flag column per nullable date/time column when the reader flagged zero
    dates in SQL (MySQL). With `text_zero_dates` (SQLite) date/time columns arrive as text and
    zero dates are recognised here.
    """
    arrays = []
    zero_dates: dict[str, int] = {}
    schema = arrow_schema(table, unsigned_as_decimal)
    for col, target in zip(table.columns, schema):
        arr = raw.column(col.name)
        if col.is_zero_date_type:
            if text_zero_dates and _is_text(arr.type):
                arr, zeros = _null_text_zero_dates(arr)
            else:
                flag = ZERO_FLAG_PREFIX + col.name
                if flag in raw.column_names:
                    zeros = int(pc.sum(raw.column(flag)).as_py() or 0)
                else:  # NOT NULL column: every NULL was a zero date nulled in SQL
                    zeros = arr.null_count
            if zeros:
                zero_dates[col.name] = zeros
        arrays.append(_cast(arr, col, target.type, table))
    arrays.append(random_row_ids(raw.num_rows))
    arrays.append(pa.nulls(raw.num_rows, DELETED_AT_ARROW))
    return Converted(pa.Table.from_arrays(arrays, schema=schema), zero_dates)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


_ZERO_DATE_RE = r"^(0000-|\d{4}-00-|\d{4}-\d{2}-00)"


def _null_text_zero_dates(arr: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    is_zero = pc.fill_null(pc.match_substring_regex(arr, _ZERO_DATE_RE), False)
    zeros = int(pc.sum(is_zero).as_py() or 0)
    if zeros:
        arr = pc.if_else(is_zero, pa.scalar(None, arr.type), arr)
    return arr, zeros


def _cast(arr: pa.ChunkedArray, col: SourceColumn, target: pa.DataType, table: SourceTable) -> pa.ChunkedArray:
    where = f"{table.schema}.{table.name}.{col.name}"
    if arr.type == target:
        return arr
    try:
        if pa.types.is_boolean(target):
            if _is_text(arr.type):
                arr = pc.cast(arr, pa.int64())
            return pc.not_equal(arr, 0) if not pa.types.is_boolean(arr.type) else arr
        if pa.types.is_timestamp(target):
            if pa.types.is_integer(arr.type):  # MySQL TIMESTAMP read as epoch microseconds
                return pc.cast(pc.cast(arr, pa.int64()), pa.timestamp("us", tz="UTC"))
            if _is_text(arr.type):
                arr = pc.cast(pc.replace_substring(arr, "T", " "), pa.timestamp("us"))
            if arr.type.tz is None:  # naive values are UTC in the estate
                arr = pc.cast(arr, pa.timestamp("us"))
                return arr.cast(pa.timestamp("us", tz="UTC"))
            return pc.cast(arr, target)
        if pa.types.is_date(target) and _is_text(arr.type):
            return pc.cast(pc.utf8_slice_codeunits(arr, 0, 10), target)
        if pa.types.is_decimal(target) and pa.types.is_floating(arr.type):
            raise SourceError(f"{where}: DECIMAL arrived as floating point; refusing a lossy cast")
        return pc.cast(arr, target, safe=True)
    except pa.ArrowInvalid as exc:
        hint = ""
        if pa.types.is_integer(target) and col.unsigned and col.data_type == "bigint":
            hint = (f" (an unsigned BIGINT above 2^63-1: add `unsigned_as_decimal: [{col.name}]` to the"
                    " catalog entry to land it as decimal(20,0))")
        raise SourceError(f"{where}: cannot cast {arr.type} to {target}: {first_line(exc)}{hint}") from None


__all__ = ["Converted", "to_landing"]
