"""Date and time columns (the anchor, columns that follow it, ``update_time``) and JSON columns."""

from __future__ import annotations

import json

import numpy as np

from .rules import _BUSINESS_S, _DAY_S, _HOUR_S, OPENING, WINDOW_END, WINDOW_START, _to_dt64, _words
from .text import _cat, _str_array


class TimeAndJsonColumns:
    """Mixin of the table generator (``table._TableGenerator``): times and JSON."""

    def _time_range(self, name: str) -> tuple[np.datetime64, np.datetime64]:
        h = self.hint(name)
        if "range" in h:
            lo = max(_to_dt64(h["range"][0]), WINDOW_START)
            hi = min(_to_dt64(h["range"][1], end_of_day=True), WINDOW_END)
            if hi < lo:
                raise ValueError(f"{self.t.qualified}.{name}: range outside the window")
            return lo, hi
        return WINDOW_START, WINDOW_END

    def _time(self, name: str) -> np.ndarray:
        h = self.hint(name)
        rng = self.rng(name, "time")
        n = self.n
        if "range" in h:
            lo, hi = self._time_range(name)
            span = int((hi - lo) // np.timedelta64(1, "s"))
            out = lo + rng.integers(0, span, n, endpoint=True).astype("timedelta64[s]")
            if name == self.anchor:
                out = np.sort(out)
        elif "after" in h:
            base = self.get(h["after"])
            if "hours" in h or "days" in h:
                unit = _HOUR_S if "hours" in h else _DAY_S
                lo, hi = h.get("hours") or h.get("days")
                offs = rng.uniform(float(lo) * unit, float(hi) * unit, n)
            else:
                offs = self._default_delay(name, rng)
            out = base + np.round(offs).astype("timedelta64[s]")
        elif name == self.anchor:
            out = self._anchor_times(rng)
        elif name == "update_time":
            out = self._update_times(rng)
        else:
            prev = self._previous_time(name)
            out = self.get(prev) + np.round(self._default_delay(name, rng)).astype("timedelta64[s]")
        out = np.clip(out.astype("datetime64[s]"), WINDOW_START, WINDOW_END)
        if self.kinds[name] == "date":
            out = out.astype("datetime64[D]").astype("datetime64[s]")
        return out

    def _anchor_times(self, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        if self.reference:  # configuration: set up in the ten days before the first stores opened
            return np.sort(WINDOW_START + np.round(rng.uniform(0, 12 * _DAY_S, n)).astype("timedelta64[s]"))
        # business rows from the opening on, growing: cumulative share x/3 + 2x^2/3 of the period
        u = rng.random(n)
        offs = np.where(rng.random(n) < 1 / 3, u, np.sqrt(u)) * _BUSINESS_S
        return np.sort(OPENING + np.round(offs).astype("timedelta64[s]"))

    def _update_times(self, rng: np.random.Generator) -> np.ndarray:
        latest = None
        for c in self.time_cols:
            if c == "update_time":
                continue
            v = self.get(c)
            if self.kinds[c] == "date":
                v = v + np.timedelta64(12 * _HOUR_S, "s")
            if c in self.masks:
                v = np.where(self.masks[c], WINDOW_START, v)
            latest = v if latest is None else np.maximum(latest, v)
        if latest is None:
            latest = self.get(self.anchor)
        later = rng.random(self.n) < 0.45
        delay = np.where(later, rng.exponential(2 * _DAY_S, self.n), 0.0)
        return latest + np.round(delay).astype("timedelta64[s]")

    def _previous_time(self, name: str) -> str:
        prev = self.anchor
        for c in self.time_cols:
            if c == name:
                break
            if c not in ("update_time", self.anchor):
                prev = c
        if prev == name or prev is None:
            raise ValueError(f"{self.t.qualified}.{name}: no earlier time column to follow")
        return prev

    def _default_delay(self, name: str, rng: np.random.Generator) -> np.ndarray:
        """Seconds after the previous time: days for an end/expiry, about an hour otherwise."""
        if _words(name) & {"end", "expire", "expiry", "leave", "due", "deadline"}:
            return rng.uniform(_DAY_S, 30 * _DAY_S, self.n)
        return rng.exponential(_HOUR_S, self.n)

    # ---------------------------------------------------------------- json
    def _json(self, name: str) -> np.ndarray:
        h = self.hint(name)
        rng = self.rng(name, "json")
        if "json" in h:
            template = h["json"]
        elif name.endswith("_ids") or name == "ids":
            stem = name[:-4] if name.endswith("_ids") else "item"
            size = self._entity_size(stem) or 100
            template = [max(1, size // 3), max(1, size // 2)]
        else:
            template = {"source": "app|admin|job", "v": 1}
        parts: list = []
        self._json_parts(template, rng, parts)
        return np.broadcast_to(_cat(*parts), (self.n,)).copy()

    def _json_parts(self, node, rng: np.random.Generator, out: list) -> None:
        n = self.n
        if isinstance(node, dict):
            out.append("{")
            for i, (k, v) in enumerate(node.items()):
                out.append(("," if i else "") + json.dumps(str(k), ensure_ascii=False) + ":")
                self._json_parts(v, rng, out)
            out.append("}")
        elif isinstance(node, list):
            out.append("[")
            for i, v in enumerate(node):
                if i:
                    out.append(",")
                self._json_parts(v, rng, out)
            out.append("]")
        elif isinstance(node, bool):
            out.append(np.where(rng.random(n) < 0.5, "true", "false"))
        elif isinstance(node, int):
            if node == 0:
                vals = rng.integers(0, 1, n, endpoint=True)
            else:
                a, b = sorted((int(round(node * 0.5)), int(round(node * 1.5))))
                if node > 0:
                    a = max(a, 1)
                vals = rng.integers(a, b, n, endpoint=True)
            out.append(vals.astype(str))
        elif isinstance(node, float):
            decimals = max(1, len(repr(node).split(".")[-1])) if "." in repr(node) else 2
            vals = np.round(node * rng.uniform(0.8, 1.2, n), decimals)
            out.append(vals.astype(str))
        elif node is None:
            out.append("null")
        else:
            options = str(node).split("|")
            encoded = _str_array([json.dumps(o, ensure_ascii=False) for o in options])
            out.append(encoded[rng.integers(0, len(encoded), n)] if len(encoded) > 1 else encoded[0])

