"""Array helpers shared by the projections (``tables``, ``operations``): timestamps cut at an
instant, the latest of several, cents to dollars, numbered codes and labels as strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .plan import NAT

Frames = dict[tuple[str, str], pd.DataFrame]


def _t(a) -> np.ndarray:
    return np.asarray(a, dtype="datetime64[ms]")


def _le(a: np.ndarray, t: np.datetime64) -> np.ndarray:
    """a <= t, with NaT as never."""
    return ~np.isnat(a) & (a <= t)


def _upto(a: np.ndarray, t: np.datetime64) -> np.ndarray:
    return np.where(_le(a, t), a, NAT)


def _latest(*cols: np.ndarray) -> np.ndarray:
    stacked = np.stack([c.astype("datetime64[ms]").astype(np.int64) for c in cols])
    nat = np.iinfo(np.int64).min
    return np.where(stacked == nat, nat, stacked).max(axis=0).astype("datetime64[ms]")


def _until(frame: pd.DataFrame, times: np.ndarray, as_of: np.datetime64) -> pd.DataFrame:
    """The rows of ``frame`` whose ``times`` are at or before ``as_of``. At the last day of the
    world that is every row: then a shallow copy (copy-on-write shares the data) instead of a
    copy of the biggest tables, made only to be thrown away."""
    keep = times <= as_of
    return frame.copy(deep=False) if keep.all() else frame[keep]


def _numbered_after(rows, times, after):
    """``rows`` (a frame or an array) numbered 1, 2, ... in their order, then cut to those whose
    ``times`` are after ``after`` (all of them when it is None): an append's rows keep the ids a
    whole projection gives them. Returns the rows and their ids."""
    ids = np.arange(1, len(rows) + 1)
    if after is None:
        return rows, ids
    fresh = np.asarray(times) > after
    return rows[fresh], ids[fresh]


def _money(cents) -> np.ndarray:
    return np.round(np.asarray(cents, dtype=np.int64) / 100.0, 2)


# Strings are built in Arrow: numpy's unicode arrays take 4 bytes a character (an id as text
# 84 bytes) and np.char is ten times slower, which at scale 10 made the biggest tables' temporaries
# larger than the tables.
def _numbered(prefix: str | pa.Array, ids, width: int, missing=None) -> pd.api.extensions.ExtensionArray:
    """``prefix`` (a string, or one per row: ``_pick``) and the id zero-padded to ``width``
    digits, e.g. LK000000000042; missing where ``missing`` is true."""
    digits = pc.utf8_lpad(pa.array(np.asarray(ids, dtype=np.int64)).cast(pa.string()), width, "0")
    return _text(pc.binary_join_element_wise(prefix, digits, ""), missing)


def _pick(labels, codes) -> pa.Array:
    """``labels[codes]`` as an Arrow string array: one small label list, no string per row."""
    return pa.array(list(labels), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def _labels(labels, codes) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` as a string column."""
    return _text(_pick(labels, codes))


def _text(text: pa.Array, missing=None) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as a string column, missing where ``missing`` is true."""
    if missing is not None:
        text = pc.if_else(pa.array(np.asarray(missing, dtype=bool)), pa.scalar(None, pa.string()), text)
    return pd.array(text, dtype="str")
