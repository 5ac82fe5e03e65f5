"""Integer and decimal columns: references into entity and table id ranges, comment code lists,
names (counts, durations, money, rates...), and ``expr`` hints."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rules import (_BUSINESS_S, ENTITY_ROWS, OPENING, REFERENCE_WORDS, _comment_codes, _decimal_bounds,
                    _int_bounds, _words, is_reference_table, row_count)


@dataclass
class _IntSpec:
    lo: int = 0
    hi: int = 0
    values: np.ndarray | None = None
    p_one: float | None = None  # flags
    dist: str = "uniform"  # uniform | loguniform


class NumberColumns:
    """Mixin of the table generator (``table._TableGenerator``): integers and decimals."""

    def _entity_size(self, ref: str) -> int | None:
        if ref in ENTITY_ROWS:
            base, scales = ENTITY_ROWS[ref]
            return max(1, int(round(base * self.scale))) if scales else base
        schema, _, tname = ref.rpartition(".")
        tables = self.estate[schema].tables if schema and schema in self.estate else self.siblings
        target = tables.get(tname)
        if target is None or not isinstance(target.rows, int) or isinstance(target.rows, bool):
            return None
        return max(1, row_count(target, self.scale))

    def _ref_target(self, name: str) -> tuple[int, bool]:
        """(id range size, whether the referenced rows appear over time: users, orders, activity tables)."""
        h = self.hint(name)
        if "ref" in h:
            return self._target_of(str(h["ref"]), name)
        stem = name[:-3]
        candidates = [f"t_{stem}"] + [f"t_{stem}_{w}" for w in sorted(REFERENCE_WORDS)]
        for cand in candidates:
            if cand in self.siblings and cand != self.t.name and self._entity_size(cand) is not None:
                return self._target_of(cand, name)
        for ent in (stem, stem.split("_")[-1]):
            if ent in ENTITY_ROWS:
                return self._target_of(ent, name)
        for tname in self.siblings:
            if tname.endswith(f"_{stem}") and tname != self.t.name and self._entity_size(tname) is not None:
                return self._target_of(tname, name)
        return 100, False

    def _target_of(self, ref: str, name: str) -> tuple[int, bool]:
        size = self._entity_size(ref)
        if size is None:
            raise ValueError(f"{self.t.qualified}.{name}: ref {ref!r} is not an entity or a table with a row count")
        if ref in ENTITY_ROWS:
            return size, ENTITY_ROWS[ref][1]
        schema, _, tname = ref.rpartition(".")
        target = (self.estate[schema].tables if schema else self.siblings)[tname]
        return size, not is_reference_table(target)

    def _int_spec(self, name: str) -> _IntSpec:
        col = self.cols[name]
        lo_b, hi_b = (0, 1) if self.kinds[name] == "flag" else _int_bounds(col)
        h = self.hint(name)
        nm = name.lower()
        w = _words(nm)

        def clip(lo, hi, dist="uniform"):
            lo, hi = max(lo_b, int(lo)), min(hi_b, int(hi))
            return _IntSpec(lo=lo, hi=max(lo, hi), dist=dist)

        if "choice" in h:
            return _IntSpec(values=self._cast_choice(name, h["choice"]))
        if "range" in h:
            return clip(h["range"][0], h["range"][1])
        if "ref" in h or nm.endswith("_id"):
            size, grows = self._ref_target(name)
            return clip(1, size, "growth" if grows else "uniform")
        if self.kinds[name] == "flag":
            return _IntSpec(values=np.array([0, 1]), p_one=self._flag_share(w))
        codes = _comment_codes(col)
        if codes:
            return _IntSpec(values=np.asarray(codes, dtype=np.int64))
        base = col.base_type
        if {"http"} & w or nm in ("status_code", "http_code"):
            return _IntSpec(values=np.array([200] * 17 + [201, 204, 400, 401, 404, 429, 500, 502]))
        if w & {"rating", "star", "stars"}:
            return clip(1, 5)
        if w & {"quantity", "qty"}:
            return _IntSpec(values=np.array([1] * 12 + [2] * 5 + [3, 3, 4, 5]))
        if w & {"count", "num", "times", "sales", "total"}:
            return clip(0, 20 if base == "TINYINT" else 500, "loguniform")
        if nm.endswith("_ms") or "latency" in w:
            return clip(3, 5000, "loguniform")
        if "seconds" in w:
            return clip(1, 3600, "loguniform")
        if "minutes" in w:
            return clip(5, 480)
        if "hours" in w:
            return clip(1, 72)
        if "days" in w:
            return clip(1, 365)
        if w & {"sort", "seq", "weight"} or (w & {"priority"} and base != "TINYINT"):
            return clip(0, 100)
        if w & {"percent", "pct", "score"}:
            return clip(0, 100)
        if "version" in w:
            return clip(100, 400)
        if w & {"size", "bytes"}:
            return clip(1_000, 50_000_000, "loguniform")
        if "points" in w:
            return clip(0, 500)
        if w & {"delta", "diff", "change"}:
            return clip(-100, 100)
        if base == "TINYINT" and w & {"status", "type", "level", "channel", "platform", "priority",
                                      "source", "mode", "stage", "state", "kind", "result", "action"}:
            return clip(1, 3)
        fallback = {"TINYINT": 10, "SMALLINT": 1000, "MEDIUMINT": 10_000, "INT": 10_000,
                    "INTEGER": 10_000, "BIGINT": 1_000_000}[base]
        return clip(0, fallback)

    @staticmethod
    def _flag_share(w: set[str]) -> float:
        if "deleted" in w:
            return 0.03
        if w & {"enabled", "enable", "active", "valid", "success", "passed", "selected",
                "published", "complete", "required", "auth", "served", "store"}:
            return 0.9
        if "read" in w:
            return 0.6
        if w & {"clicked", "click", "late", "winning", "anonymous", "latest", "online", "force",
                "mandatory", "default"}:
            return 0.2
        return 0.5

    def _ints(self, name: str) -> np.ndarray:
        spec = self._int_spec(name)
        rng = self.rng(name, "int")
        n = self.n
        if spec.p_one is not None:
            return (rng.random(n) < spec.p_one).astype(np.int64)
        if spec.values is not None:
            return spec.values[rng.integers(0, len(spec.values), n)].astype(np.int64)
        if spec.dist == "growth" and self.anchor not in (None, name) and self.anchor not in self._busy:
            # only rows that existed at this row's time: ids grow with the same curve as anchors
            x = (self.get(self.anchor) - OPENING) / np.timedelta64(_BUSINESS_S, "s")
            x = np.clip(x.astype(np.float64), 0.0, 1.0)
            top = np.maximum(spec.lo, np.ceil(spec.hi * (x / 3 + 2 * x * x / 3))).astype(np.int64)
            return spec.lo + np.floor(rng.random(n) * (top - spec.lo + 1)).astype(np.int64)
        if spec.dist == "loguniform" and spec.hi > spec.lo:
            lo, hi = math.log(spec.lo + 1), math.log(spec.hi + 1)
            out = np.floor(np.exp(rng.uniform(lo, hi, n)) - 1).astype(np.int64)
            return np.clip(out, spec.lo, spec.hi)
        return rng.integers(spec.lo, spec.hi, n, endpoint=True).astype(np.int64)

    # ---------------------------------------------------------------- decimals
    def _decimals(self, name: str) -> np.ndarray:
        col = self.cols[name]
        h = self.hint(name)
        rng = self.rng(name, "decimal")
        n = self.n
        if self.kinds[name] == "decimal":
            lo_b, hi_b, s = _decimal_bounds(col)
        else:
            lo_b, hi_b, s = -1e12, 1e12, 4
        w = _words(name)
        if "range" in h:
            out = rng.uniform(float(h["range"][0]), float(h["range"][1]), n)
        elif w & {"latitude", "lat"}:
            out = rng.uniform(40.700, 40.800, n)
        elif w & {"longitude", "lng", "lon"}:
            out = rng.uniform(-74.020, -73.930, n)
        elif w & {"percent", "pct"}:
            out = rng.uniform(0, 100, n)
        elif w & {"rate", "ratio", "probability", "prob", "ctr", "cvr"}:
            out = rng.beta(2, 5, n)
        elif "price" in w:
            out = np.exp(rng.uniform(math.log(2.49), math.log(8.99), n))
        elif "fee" in w:
            out = rng.uniform(0.99, 7.99, n)
        elif "tax" in w:
            out = rng.uniform(0, 30, n)
        elif w & {"amount", "total", "balance", "value", "budget", "gross", "net", "subtotal",
                  "cost", "limit", "quota", "pay"}:
            out = np.exp(rng.normal(math.log(25), 1.0, n))
        elif w & {"temperature", "temp"}:
            out = rng.uniform(34, 200, n)
        elif w & {"distance", "miles", "km"}:
            out = rng.uniform(0.1, 5, n)
        elif w & {"hours", "hour"}:
            out = rng.uniform(0.5, 12, n)
        else:
            out = rng.uniform(0, 100, n)
        return self._round_decimal(out, lo_b, hi_b, s)

    @staticmethod
    def _round_decimal(values: np.ndarray, lo: float, hi: float, s: int) -> np.ndarray:
        return np.round(np.clip(values.astype(np.float64), lo, hi), s)

    def _expr(self, name: str, expr: str) -> np.ndarray:
        idents = [i for i in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(expr)) if i in self.kinds]
        frame = pd.DataFrame({i: np.asarray(self.get(i), dtype=np.float64) for i in dict.fromkeys(idents)})
        out = np.asarray(frame.eval(str(expr)), dtype=np.float64)
        kind = self.kinds[name]
        if kind in ("int", "flag"):
            lo, hi = _int_bounds(self.cols[name]) if kind == "int" else (0, 1)
            return np.clip(np.round(out), lo, hi).astype(np.int64)
        if kind == "decimal":
            lo, hi, s = _decimal_bounds(self.cols[name])
            return self._round_decimal(out, lo, hi, s)
        if kind == "float":
            return np.round(out, 4)
        raise ValueError(f"{self.t.qualified}.{name}: expr needs a numeric column")

