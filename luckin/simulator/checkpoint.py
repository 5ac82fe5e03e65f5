"""The simulated world kept on disk between runs, so `--append-days D` generates D days.

A full `luckin simulate` (and every append) saves, beside the estate it wrote, the world's
lifecycles and the day loop's state (``core.World``, ``core.GeneratorState``). What an append
writes needs nothing else: the rows its days wrote (``tables.project(..., since=...)``).

The estate's manifest in Redis names the checkpoint it matches (its ``id``). An append whose
manifest names no checkpoint on disk, or one written by other simulator code or other dirt,
regenerates the whole history as before and says so: slower, never different.

Layout: ``<checkpoint_dir>/<estate key>/<id>/``, one Arrow (Feather, lz4) file per frame and
``meta.json``, written last: a folder without it is an interrupted save. A save removes the
estate's other checkpoints (``prune``) only once the manifest names the new one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from .core import LIFECYCLES, USER_STATE, GeneratorState, World

META = "meta.json"
FORMAT = 2  # 1 kept a hash per row of every core table as well


@dataclass
class Checkpoint:
    world: World
    as_of: date                                  # the day the estate was projected at
    meta: dict


def estate_key(mysql_description: str, redis_identity: str) -> str:
    """One folder per estate (MySQL target and prefix, Redis server and database)."""
    return hashlib.sha256(f"{mysql_description}\0{redis_identity}".encode()).hexdigest()[:16]


def save(root: Path, key: str, world: World, as_of: date, code: str, dirty: dict) -> str:
    """Write the world, then ``meta.json`` (last: a folder without it is an interrupted save);
    returns the checkpoint's id, for the manifest."""
    checkpoint_id = uuid.uuid4().hex[:16]
    folder = Path(root) / key / checkpoint_id
    folder.mkdir(parents=True)
    for name in LIFECYCLES:
        _write(folder / f"{name}.arrow", world.frames[name])
    st = world.state
    _write(folder / "user_state.arrow", pd.DataFrame(st.users))
    ordinals = sorted(st.first_due)
    _write(folder / "first_due.arrow", pd.DataFrame({
        "ordinal": np.repeat(np.array(ordinals, np.int64), [len(st.first_due[o]) for o in ordinals]),
        "user_idx": np.concatenate([st.first_due[o] for o in ordinals]) if ordinals else np.zeros(0, np.int64)}))
    meta = {"format": FORMAT, "id": checkpoint_id, "scale": world.scale, "seed": world.seed,
            "horizon": world.horizon.isoformat(), "as_of": as_of.isoformat(), "code": code, "dirty": dirty,
            "through": st.through.isoformat(), "next_order_id": st.next_order_id, "next_item_id": st.next_item_id,
            "next_coupon_id": st.next_coupon_id, "rehomed": sorted(st.rehomed)}
    (folder / META).write_text(json.dumps(meta))
    return checkpoint_id


def prune(root: Path, key: str, keep: str) -> None:
    """Remove the estate's other checkpoints, once the manifest names ``keep``."""
    for other in (Path(root) / key).iterdir():
        if other.name != keep:
            shutil.rmtree(other, ignore_errors=True)


def load(root: Path, key: str, checkpoint_id: str) -> Checkpoint | None:
    """The checkpoint the manifest names, or None when it is not (completely) on disk."""
    folder = Path(root) / key / checkpoint_id
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT or meta.get("id") != checkpoint_id:
        return None
    due = _read(folder / "first_due.arrow")
    first_due: dict[int, np.ndarray] = {}
    if len(due):
        ordinal = due["ordinal"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ordinal[1:] != ordinal[:-1]])
        first_due = {int(ordinal[s]): part for s, part in zip(starts, np.split(due["user_idx"].to_numpy(), starts[1:]))}
    users = _read(folder / "user_state.arrow")
    state = GeneratorState(
        through=date.fromisoformat(meta["through"]), next_order_id=meta["next_order_id"],
        next_item_id=meta["next_item_id"], next_coupon_id=meta["next_coupon_id"],
        users={name: users[name].to_numpy() for name in USER_STATE}, first_due=first_due,
        rehomed=frozenset(meta["rehomed"]))
    world = World(scale=meta["scale"], seed=meta["seed"], horizon=date.fromisoformat(meta["horizon"]), state=state)
    for name in LIFECYCLES:
        world.frames[name] = _read(folder / f"{name}.arrow")
    world.frames["dirty"] = pd.DataFrame([meta["dirty"]])
    return Checkpoint(world, date.fromisoformat(meta["as_of"]), meta)


def _write(path: Path, frame: pd.DataFrame) -> None:
    feather.write_feather(pa.Table.from_pandas(frame, preserve_index=False), str(path), compression="lz4")


def _read(path: Path) -> pd.DataFrame:
    # Arrow's own units kept (datetime64[ms] stays ms), as the generator made them. Each column
    # its own array, taken from Arrow's buffers as they are freed: not a copy beside the file's
    # table, and an append lets each column of the old world go as it joins the new days to it.
    return feather.read_table(str(path)).to_pandas(coerce_temporal_nanoseconds=False, self_destruct=True,
                                                   split_blocks=True)
