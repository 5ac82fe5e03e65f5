"""Vectorised string helpers: no Python loop runs per row."""

from __future__ import annotations

import math

import numpy as np

def _str_array(values) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=str)


def _pick(rng: np.random.Generator, pool, n: int, weights=None) -> np.ndarray:
    arr = np.asarray(pool, dtype=str)
    p = None if weights is None else np.asarray(weights, float) / float(np.sum(weights))
    return arr[rng.choice(len(arr), size=n, p=p)]


def _cat(*parts) -> np.ndarray:
    out = parts[0] if isinstance(parts[0], np.ndarray) else np.asarray(parts[0], dtype=str)
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


def _chars_from_codepoints(cp: np.ndarray) -> np.ndarray:
    n, width = cp.shape
    return np.ascontiguousarray(cp.astype(np.uint32)).view(f"<U{width}").reshape(n)


def _random_text(rng: np.random.Generator, n: int, length: int, alphabet: str, seq: np.ndarray | None = None) -> np.ndarray:
    """Random strings of ``length`` chars; with ``seq``, the tail spells seq in base len(alphabet)."""
    alpha = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)
    cp = alpha[rng.integers(0, len(alpha), size=(n, length))]
    if seq is not None:
        base = len(alpha)
        k = max(1, math.ceil(math.log(int(seq.max()) + 1, base) + 1e-9))
        if k > length:
            raise ValueError("sequence does not fit in the code length")
        for j in range(k):
            cp[:, length - 1 - j] = alpha[(seq // base**j) % base]
    return _chars_from_codepoints(cp)


def _zfill(nums: np.ndarray, width: int) -> np.ndarray:
    return np.strings.zfill(np.asarray(nums, dtype=np.int64).astype(str), width)


def _ymd_compact(dt: np.ndarray) -> np.ndarray:
    """datetime64 -> 'yymmdd'."""
    iso = np.datetime_as_string(dt.astype("datetime64[D]"), unit="D")  # YYYY-MM-DD
    cp = np.ascontiguousarray(iso.astype("<U10")).view(np.uint32).reshape(len(iso), 10)
    return _chars_from_codepoints(cp[:, [2, 3, 5, 6, 8, 9]])


def _initials(name: str) -> str:
    words = [w for w in name.split("_") if w and w != "t"]
    if not words:
        return "NO"
    if len(words) == 1:
        return words[0][:2].upper()
    return "".join(w[0] for w in words).upper()[:4]


def _fit(values: np.ndarray, maxlen: int) -> np.ndarray:
    width = values.dtype.itemsize // 4
    return values.astype(f"<U{maxlen}") if width > maxlen else values


def _with_suffix(values: np.ndarray, seq: np.ndarray, maxlen: int) -> np.ndarray:
    """Make strings unique: 'value-<seq>' cut so the suffix always survives."""
    suffix = np.strings.add("-", np.asarray(seq).astype(str))
    room = maxlen - int(np.strings.str_len(suffix).max())
    if room < 1:
        return _fit(np.asarray(seq).astype(str), maxlen)
    return np.strings.add(_fit(values, room), suffix)


