"""Comparing figures: money and counts exactly, ratios to the analysis's rounding unit."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd


def number(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    return Decimal(int(value))


def same(expected, actual, scale: int | None = None) -> bool:
    """Equal: exactly (scale None), or within half a unit of the `scale`th decimal, where an analysis
    rounds a ratio MetricFlow returns unrounded (a tie may round either way in double precision)."""
    e, a = number(expected), number(actual)
    if e is None or a is None:
        return e is None and a is None
    if scale is None:
        return e == a
    return abs(e - a) <= Decimal(1).scaleb(-scale) / 2 + Decimal("1e-9")


def key(value):
    """A group-by value comparable across drivers (dates, timestamps, numbers, text)."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return int(value)
    return value


def by_key(frame: pd.DataFrame, columns: list[str]) -> dict[tuple, dict]:
    out = {}
    for row in frame.to_dict("records"):
        k = tuple(key(row[c]) for c in columns)
        assert k not in out, f"duplicate key {k}"
        out[k] = row
    return out


def mismatches(expected: pd.DataFrame, expected_keys: list[str], actual: pd.DataFrame, actual_keys: list[str],
               columns: dict[str, tuple[str, int | None]]) -> list[str]:
    """Rows of `expected` whose figures differ in `actual` (columns: expected -> (actual, scale)),
    and keys present on one side only."""
    left, right = by_key(expected, expected_keys), by_key(actual, actual_keys)
    problems = [f"missing {k}" for k in left if k not in right] + [f"extra {k}" for k in right if k not in left]
    for k, row in left.items():
        if k not in right:
            continue
        for column, (other, scale) in columns.items():
            if not same(row[column], right[k][other], scale):
                problems.append(f"{k} {column}: {row[column]!r} != {other} {right[k][other]!r}")
    return problems
