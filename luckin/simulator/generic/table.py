"""The generator of one table: unique keys first, then every column on demand (a column may
follow another), NULLs, rows in create_time order, and the typed frame."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from luckin.simulator.spec import Table, load_estate

from .numbers import NumberColumns
from .rules import (_UNBOUNDED, DEFAULT_NULL_RATE, WINDOW_START, _DAY_S, _digest, _to_dt64, column_kind,
                    is_reference_table, row_count, validate_hints)
from .strings import StringColumns
from .text import _fit, _str_array
from .times import TimeAndJsonColumns


def generate_generic(table: Table, scale: float, seed: int) -> pd.DataFrame:
    """Fill ``table`` (integer ``rows``) at ``scale``; deterministic in (table, scale, seed)."""
    validate_hints(table)
    return _TableGenerator(table, scale, seed).frame()


@dataclass
class _Domain:
    """A finite value space for unique-key sampling: index i -> value."""
    size: int
    values: np.ndarray | None = None  # explicit values, or None for lo + i
    lo: int = 0
    kind: str = "int"  # int | date | datetime | string

    def decode(self, idx: np.ndarray) -> np.ndarray:
        if self.values is not None:
            return self.values[idx]
        if self.kind == "date":
            return WINDOW_START + (self.lo + idx).astype("timedelta64[D]").astype("timedelta64[s]")
        if self.kind == "datetime":
            return WINDOW_START + (self.lo + idx).astype("timedelta64[s]")
        return (self.lo + idx).astype(np.int64)


class _TableGenerator(NumberColumns, TimeAndJsonColumns, StringColumns):
    def __init__(self, table: Table, scale: float, seed: int):
        self.t = table
        self.scale = scale
        self.seed = int(seed) & (2**64 - 1)
        self.table_key = _digest(table.schema, table.name)
        self.reference = is_reference_table(table)
        self.n = row_count(table, scale)
        self.kinds = {c.name: column_kind(c) for c in table.columns}
        self.cols = {c.name: c for c in table.columns}
        self.raw: dict[str, np.ndarray] = {}
        self._busy: set[str] = set()
        self.unique_string: set[str] = set()
        self.seq = self.perm_seq = None
        self.masks: dict[str, np.ndarray] = {}
        self.time_cols = [c.name for c in table.columns if self.kinds[c.name] in ("date", "datetime")]
        self.anchor = self._anchor_name()
        estate = load_estate()
        self.siblings = estate[table.schema].tables if table.schema in estate else {}
        self.estate = estate

    # ---------------------------------------------------------------- randomness
    def rng(self, *purpose: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.table_key, _digest(*purpose)])

    # ---------------------------------------------------------------- structure
    def _anchor_name(self) -> str | None:
        for name in ("create_time", "created_at", "gmt_create", "create_date"):
            if name in self.kinds:
                return name
        others = [c for c in self.time_cols if c != "update_time"]
        if others:
            return others[0]
        return "update_time" if "update_time" in self.kinds else None

    def hint(self, name: str) -> dict:
        return self.t.hints.get(name) or {}

    def _seq_pk(self) -> str | None:
        pk = self.t.primary_key
        if len(pk) == 1 and self.kinds[pk[0]] == "int":
            return pk[0]
        return None

    def frame(self) -> pd.DataFrame:
        if self.n == 0:
            return self._assemble({}, {})
        self._plan_unique_keys()
        self.seq = np.arange(1, self.n + 1, dtype=np.int64)
        self.perm_seq = self.rng("unique", "permutation").permutation(self.seq)
        self.masks = self._null_masks()
        seq_pk = self._seq_pk()
        for c in self.t.columns:
            if c.name != seq_pk:
                self.get(c.name)
        # rows in create_time order, so auto-increment ids grow with time
        order = None
        if self.anchor is not None and self.anchor in self.raw:
            order = np.argsort(self.raw[self.anchor], kind="stable")
        values = {k: (v[order] if order is not None else v) for k, v in self.raw.items()}
        masks = {k: (m[order] if order is not None else m) for k, m in self.masks.items()}
        if seq_pk is not None:
            values[seq_pk] = np.arange(1, self.n + 1, dtype=np.int64)
        return self._assemble(values, masks)

    def _plan_unique_keys(self) -> None:
        groups: list[tuple[str, ...]] = []
        if self._seq_pk() is None:
            groups.append(tuple(self.t.primary_key))
        groups += [tuple(cols) for cols in self.t.unique.values()]
        assigned: set[str] = set()
        for cols in groups:
            free = [c for c in cols if c not in assigned and c != self._seq_pk()]
            if not free:
                continue
            # a free-text column makes the whole key unique on its own
            texts = [c for c in free if self._domain(c) is _UNBOUNDED]
            if texts:
                if self.kinds[texts[0]] != "string":
                    raise ValueError(f"{self.t.qualified}: cannot make {texts[0]!r} unique")
                self.unique_string.add(texts[0])
                assigned.add(texts[0])
                continue
            domains = [self._domain(c) for c in free]
            sizes = [d.size for d in domains]
            total = math.prod(sizes)
            if total < self.n:
                self.n = total  # the key's value space is the limit
            idx = self._distinct_combos(sizes, "|".join(free))
            for c, d, i in zip(free, domains, idx):
                self.raw[c] = d.decode(i)
                if self.kinds[c] == "date":
                    self.raw[c] = self.raw[c].astype("datetime64[D]").astype("datetime64[s]")
                assigned.add(c)
        # every column decided by a key was drawn for the first self.n rows: trim if capped
        for c in list(self.raw):
            self.raw[c] = self.raw[c][: self.n]

    def _distinct_combos(self, sizes: list[int], key: str) -> list[np.ndarray]:
        rng = self.rng("unique", key)
        n = self.n
        total = math.prod(sizes)
        if total <= 2_000_000:
            lin = rng.choice(total, size=n, replace=False)
            if self.reference:
                lin = np.sort(lin)
            return list(np.unravel_index(lin, sizes))
        idx = [rng.integers(0, s, n) for s in sizes]
        for _ in range(200):
            dup = pd.DataFrame({i: a for i, a in enumerate(idx)}).duplicated().to_numpy()
            if not dup.any():
                break
            k = int(dup.sum())
            for a, s in zip(idx, sizes):
                a[dup] = rng.integers(0, s, k)
        else:  # pragma: no cover - needs a key space barely larger than the row count
            raise RuntimeError(f"{self.t.qualified}: could not draw distinct values for {key}")
        if self.reference:
            order = np.lexsort(idx[::-1])
            idx = [a[order] for a in idx]
        return idx

    def _domain(self, name: str) -> _Domain | None:
        kind = self.kinds[name]
        h = self.hint(name)
        if "choice" in h:
            return _Domain(len(h["choice"]), values=self._cast_choice(name, h["choice"]))
        if kind in ("int", "flag"):
            spec = self._int_spec(name)
            if spec.values is not None:
                return _Domain(len(spec.values), values=spec.values)
            return _Domain(spec.hi - spec.lo + 1, lo=spec.lo)
        if kind in ("date", "datetime"):
            lo, hi = self._time_range(name)
            unit = _DAY_S if kind == "date" else 1
            lo_i = int((lo - WINDOW_START) // np.timedelta64(unit, "s"))
            hi_i = int((hi - WINDOW_START) // np.timedelta64(unit, "s"))
            return _Domain(hi_i - lo_i + 1, lo=lo_i, kind=kind)
        return _UNBOUNDED

    def _cast_choice(self, name: str, choice: list) -> np.ndarray:
        kind = self.kinds[name]
        if kind in ("int", "flag"):
            return np.asarray([int(v) for v in choice], dtype=np.int64)
        if kind in ("decimal", "float"):
            return np.asarray([float(v) for v in choice], dtype=np.float64)
        if kind in ("date", "datetime"):
            return np.asarray([_to_dt64(v) for v in choice], dtype="datetime64[s]")
        return _str_array(choice)

    # ---------------------------------------------------------------- lazy column generation
    def get(self, name: str) -> np.ndarray:
        if name in self.raw:
            return self.raw[name]
        if name in self._busy:
            raise ValueError(f"{self.t.qualified}: circular dependency through column {name!r}")
        self._busy.add(name)
        try:
            self.raw[name] = self._generate(name)
        finally:
            self._busy.discard(name)
        return self.raw[name]

    def _generate(self, name: str) -> np.ndarray:
        kind = self.kinds[name]
        h = self.hint(name)
        if "expr" in h:
            return self._expr(name, h["expr"])
        if kind in ("date", "datetime"):
            return self._time(name)
        if "choice" in h:
            values = self._cast_choice(name, h["choice"])
            if self.reference:
                out = values[np.arange(self.n) % len(values)]
            else:
                out = values[self.rng(name, "choice").integers(0, len(values), self.n)]
            if kind == "string":
                return _fit(out, self._maxlen(name))
            return out
        mirror = self._mirrored_time(name) if kind == "flag" else None
        if mirror is not None:  # is_read = read_time IS NOT NULL
            return (~self.masks[mirror]).astype(np.int64)
        if kind in ("int", "flag"):
            return self._ints(name)
        if kind in ("decimal", "float"):
            return self._decimals(name)
        if kind == "json":
            return self._json(name)
        return self._strings(name)

    def _mirrored_time(self, name: str) -> str | None:
        if not name.startswith("is_"):
            return None
        stem = name[3:]
        for cand in (f"{stem}_time", f"{stem[:-2]}_time" if stem.endswith("ed") else None):
            if cand and cand in self.masks and self.kinds.get(cand) in ("date", "datetime"):
                return cand
        return None

    # ---------------------------------------------------------------- nulls and assembly
    def _null_masks(self) -> dict[str, np.ndarray]:
        keyed = set(self.t.primary_key)
        for cols in self.t.unique.values():
            keyed.update(cols)
        shared = self.rng("nulls", "shared").random(self.n)
        masks = {}
        for c in self.t.columns:
            if not c.nullable or c.name in keyed or c.auto_increment:
                continue
            h = self.hint(c.name)
            if "null_rate" in h:
                masks[c.name] = shared < float(h["null_rate"])
            else:
                masks[c.name] = self.rng(c.name, "null").random(self.n) < DEFAULT_NULL_RATE
        return masks

    def _assemble(self, values: dict[str, np.ndarray], masks: dict[str, np.ndarray]) -> pd.DataFrame:
        data = {}
        for c in self.t.columns:
            kind = self.kinds[c.name]
            v = values.get(c.name)
            mask = masks.get(c.name)
            if v is None:
                v = np.empty(0, dtype={"int": np.int64, "flag": np.int64, "decimal": np.float64,
                                       "float": np.float64, "date": "datetime64[s]",
                                       "datetime": "datetime64[s]"}.get(kind, object))
            has_null = mask is not None and bool(mask.any())
            if kind in ("int", "flag"):
                arr = np.asarray(v, dtype=np.int64)
                series = (pd.Series(pd.arrays.IntegerArray(arr, mask.copy()), name=c.name)
                          if has_null else pd.Series(arr, dtype=np.int64, name=c.name))
            elif kind in ("decimal", "float"):
                arr = np.asarray(v, dtype=np.float64).copy()
                if has_null:
                    arr[mask] = np.nan
                series = pd.Series(arr, dtype=np.float64, name=c.name)
            elif kind in ("date", "datetime"):
                arr = np.asarray(v, dtype="datetime64[s]").copy()
                if has_null:
                    arr[mask] = np.datetime64("NaT")
                series = pd.Series(arr, dtype="datetime64[s]", name=c.name)
            else:
                arr = np.asarray(v).astype(object)
                if has_null:
                    arr[mask] = None
                series = pd.Series(arr, dtype=object, name=c.name)
            data[c.name] = series
        return pd.DataFrame(data, columns=self.t.column_names)

