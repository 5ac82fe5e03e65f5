"""Array helpers shared by the projections (``tables``, ``operations``): timestamps cut at an
instant, the latest of several, cents to dollars."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def _money(cents) -> np.ndarray:
    return np.round(np.asarray(cents, dtype=np.int64) / 100.0, 2)
