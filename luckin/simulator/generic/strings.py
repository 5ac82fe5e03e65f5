"""String columns, chosen by name: people, contacts, places, codes, business numbers, texts..."""

from __future__ import annotations

import numpy as np

from . import pools
from .rules import _words
from .text import _cat, _chars_from_codepoints, _fit, _initials, _pick, _random_text, _with_suffix, _ymd_compact, _zfill


class StringColumns:
    """Mixin of the table generator (``table._TableGenerator``): strings."""

    def _maxlen(self, name: str) -> int:
        col = self.cols[name]
        if col.type_args:
            return col.type_args[0]
        return {"TINYTEXT": 255, "TEXT": 16_000, "MEDIUMTEXT": 100_000, "LONGTEXT": 100_000}.get(col.base_type, 255)

    def _strings(self, name: str) -> np.ndarray:
        maxlen = self._maxlen(name)
        unique = name in self.unique_string
        seq = self.perm_seq if unique else None
        values, native_unique = self._string_values(name, maxlen, seq)
        values = np.asarray(values)
        if values.ndim == 0:
            values = np.full(self.n, str(values))
        values = values.astype(str)
        if unique and not native_unique:
            return _with_suffix(values, self.seq, maxlen)
        return _fit(values, maxlen)

    def _string_values(self, name: str, maxlen: int, seq: np.ndarray | None):
        """(values, whether they are already unique when seq is given)."""
        rng = self.rng(name, "str")
        n = self.n
        nm = name.lower()
        w = _words(nm)
        table_words = _words(self.t.name)

        def person_first_last(own: bool):
            return self._person_names(rng) if own else (_pick(rng, pools.FIRST, n), _pick(rng, pools.LAST, n))

        def handle(first, last):
            return _cat(np.strings.lower(first), ".", np.strings.lower(np.strings.replace(last, "'", "")))

        if "email" in w:
            internal = bool(w & {"work", "owner", "alarm", "subscriber"} or table_words & {"admin", "staff"})
            first, last = person_first_last(own=True)
            num = seq if seq is not None else rng.integers(1, 999, n)
            local = _cat(handle(first, last), num.astype(str))
            domain = np.full(n, "luckyus.example") if internal else _pick(rng, pools.EMAIL_DOMAINS, n)
            return _cat(local, "@", domain), True
        if w & {"mobile", "phone", "tel"}:
            if seq is not None and n <= 10_000 * len(pools.AREA_CODES):
                area = np.asarray(pools.AREA_CODES)[(seq - 1) % len(pools.AREA_CODES)]
                line = _zfill(((seq - 1) // len(pools.AREA_CODES) * 7919 + 1234) % 10_000, 4)
                return _cat("+1", area, "555", line), True
            return _cat("+1", _pick(rng, pools.AREA_CODES, n), "555", _zfill(rng.integers(0, 10_000, n), 4)), False
        if nm == "ip" or nm.endswith("_ip"):
            prefix = _pick(rng, ("192.0.2.", "198.51.100.", "203.0.113."), n)
            return _cat(prefix, rng.integers(1, 255, n).astype(str)), False
        if "agent" in w:
            return _pick(rng, pools.USER_AGENTS, n, weights=(30, 10, 5, 20, 15, 5, 5, 10)), False
        if w & {"url", "uri", "link", "image", "img", "icon", "avatar", "cover", "photo"}:
            if w & {"request", "api"}:
                return _pick(rng, pools.API_PATHS, n, weights=pools.API_WEIGHTS), False
            return self._urls(name, w, rng, seq), seq is not None
        if w & {"path", "pattern"}:
            return _pick(rng, pools.API_PATHS, n, weights=pools.API_WEIGHTS), False
        if "password" in w:
            body = _random_text(rng, n, 53, pools.B64ISH, seq)
            return _cat("$2a$10$", body), seq is not None
        if w & {"hash", "md5", "sha", "digest", "signature", "secret", "fingerprint", "checksum"}:
            length = 32 if "md5" in w else (40 if w & {"digest", "sha1"} else 64)
            return _random_text(rng, n, min(length, maxlen), pools.HEX, seq), seq is not None
        if w & {"uuid", "guid"}:
            h = _random_text(rng, n, 32, pools.HEX, seq)
            cp = np.ascontiguousarray(h).view(np.uint32).reshape(n, 32)
            dash = np.full((n, 1), ord("-"), dtype=np.uint32)
            parts = [cp[:, :8], dash, cp[:, 8:12], dash, cp[:, 12:16], dash, cp[:, 16:20], dash, cp[:, 20:]]
            return _chars_from_codepoints(np.hstack(parts)), seq is not None
        if w & {"token", "trace", "session", "nonce"} or nm.endswith("_id") or (
                "key" in w and w & {"app", "api", "access"}):
            return _random_text(rng, n, min(32 if "trace" in w else 40, maxlen), pools.HEX, seq), seq is not None
        if "version" in w:
            if seq is not None:
                s = seq - 1
                return _cat((1 + s // 100).astype(str), ".", ((s // 10) % 10).astype(str), ".", (s % 10).astype(str)), True
            major = rng.choice([1, 2, 2, 2, 3], n)
            return _cat(major.astype(str), ".", rng.integers(0, 12, n).astype(str), ".", rng.integers(0, 9, n).astype(str)), False
        if nm == "os":
            return _pick(rng, ("iOS", "Android"), n, weights=(62, 38)), False
        if "model" in w and "device" in w:
            return _pick(rng, pools.DEVICE_MODELS, n), False
        if nm == "first_name":
            return _pick(rng, pools.FIRST, n), False
        if nm == "last_name":
            return _pick(rng, pools.LAST, n), False
        if nm == "nickname":
            return _cat(_pick(rng, pools.FIRST, n), _pick(rng, pools.NICK_SUFFIX, n)), False
        if nm.endswith("_by") or w & {"username", "login", "approver", "resolver"} or nm == "user_name":
            first, last = person_first_last(own=bool(w & {"username", "login"}) or nm == "user_name")
            num = seq.astype(str) if seq is not None else np.full(n, "")
            return _cat(handle(first, last), num), seq is not None
        if self._is_person_name(name):
            first, last = person_first_last(own=False)
            return _cat(first, " ", last), False
        if w & {"company", "vendor", "supplier", "buyer", "merchant"}:
            return _pick(rng, pools.COMPANIES, n), False
        if "name" in w and w & {"product", "item", "sku", "goods"}:
            return _pick(rng, pools.PRODUCTS, n), False
        if "name" in w and w & {"shop", "store"}:
            return _cat("Luckin Coffee ", _pick(rng, pools.NEIGHBORHOODS, n)), False
        if w & {"address", "street"}:
            number = rng.integers(1, 1500, n).astype(str)
            out = _cat(number, " ", _pick(rng, pools.STREETS, n))
            if "address" in w:
                out = _cat(out, ", New York, NY ", _pick(rng, pools.ZIPS, n))
            return out, False
        if "city" in w:
            return np.full(n, "New York"), False
        if "state" in w and maxlen <= 32:
            return np.full(n, "NY"), False
        if w & {"zip", "postal"}:
            return _pick(rng, pools.ZIPS, n), False
        if "country" in w:
            return np.full(n, "US"), False
        if "borough" in w:
            return np.full(n, "Manhattan"), False
        if w & {"neighborhood", "neighbourhood", "region"} and "code" not in w:
            return _pick(rng, pools.NEIGHBORHOODS, n), False
        if "currency" in w:
            return np.full(n, "USD"), False
        if w & {"timezone", "tz"}:
            return np.full(n, "America/New_York"), False
        if w & {"locale", "lang", "language"}:
            return np.full(n, "en-US"), False
        if w & {"color", "colour"}:
            return _cat("#", _random_text(rng, n, 6, pools.HEX.upper())), False
        if "cron" in w:
            return _pick(rng, pools.CRONS, n), False
        if w & {"handler", "class"}:
            verb = np.strings.replace(_pick(rng, pools.VERBS, n), " ", "")
            noun = np.strings.replace(np.strings.title(_pick(rng, pools.NOUNS, n)), " ", "")
            return _cat(np.strings.lower(np.strings.slice(verb, 0, 1)), np.strings.slice(verb, 1, None), noun, "JobHandler"), False
        if w & {"host", "hostname"}:
            return _cat("ip-10-0-", rng.integers(1, 9, n).astype(str), "-", rng.integers(2, 254, n).astype(str), ".ec2.internal"), False
        if "service" in w:
            return _pick(rng, pools.SERVICES, n), False
        if "method" in w:
            return _pick(rng, ("GET", "POST", "PUT", "DELETE"), n, weights=(60, 32, 6, 2)), False
        if w & {"keyword", "query"}:
            return _pick(rng, pools.KEYWORDS, n), False
        if "event" in w:
            return _pick(rng, pools.EVENTS, n), False
        if "module" in w:
            return _pick(rng, pools.MODULES, n), False
        if "action" in w:
            return _pick(rng, pools.ACTIONS, n), False
        if "error" in w and w & {"code"}:
            return _cat("E", rng.integers(1000, 9999, n).astype(str)), False
        if w & {"error", "exception"} or ("fail" in w and "reason" in w):
            return _pick(rng, pools.ERRORS, n), False
        if "month" in w:
            return np.strings.slice(np.datetime_as_string(self.get(self.anchor), unit="D"), 0, 7), False
        if "date" in w:
            return np.datetime_as_string(self.get(self.anchor), unit="D"), False
        if "file" in w and "name" in w:
            stem = "_".join(x for x in self.t.name.split("_")[1:])
            day = np.strings.replace(np.datetime_as_string(self.get(self.anchor), unit="D"), "-", "")
            return _cat(stem, "_", day, "_", _random_text(rng, n, 6, pools.HEX, seq), ".csv"), seq is not None
        if w & {"mime"} or nm == "content_type":
            return _pick(rng, pools.MIMES, n), False
        if nm.endswith("_no") or nm.endswith("_sn") or nm in ("sn", "serial"):
            ordered = self.seq if seq is not None else None  # business numbers count up with time
            return self._business_numbers(name, maxlen, rng, ordered), seq is not None
        if w & {"code", "key"}:
            return self._codes(name, w, maxlen, rng, seq), seq is not None
        if w & {"tag", "tags", "label", "labels"}:
            if "tags" in w or "labels" in w:
                return _cat(_pick(rng, pools.TAGS, n), ",", _pick(rng, pools.TAGS, n)), False
            return _pick(rng, pools.TAGS, n), False
        if w & {"title", "subject", "headline"}:
            return _pick(rng, pools.TITLES, n), False
        if "name" in w:
            if "job" in w:
                return _cat(_pick(rng, pools.VERBS, n), " ", _pick(rng, pools.NOUNS, n)), False
            if w & {"task", "activity", "template", "campaign", "banner"}:
                return _pick(rng, pools.TITLES, n), False
            words = [x for x in self.t.name.split("_")[1:]]
            label = " ".join(words).capitalize()
            return _cat(label, " ", rng.integers(1, 100, n).astype(str)), False
        if w & {"content", "body", "description", "desc", "remark", "note", "message", "msg",
                "reason", "comment", "reply", "summary", "hypothesis", "text", "detail", "memo",
                "cause", "html"}:
            return self._texts(w, table_words, maxlen, rng), False
        if "value" in w:
            return _pick(rng, pools.CONFIG_VALUES, n), False
        return _cat(nm, "_", rng.integers(1, 50, n).astype(str)), False

    @staticmethod
    def _is_person_name(name: str) -> bool:
        w = _words(name)
        return "name" in w and bool(w & {"real", "contact", "staff", "operator", "inspector", "holder",
                                         "receiver", "sender", "full", "approver", "assignee", "reporter"})

    def _person_names(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The row's own person (first_name/last_name or a full-name column), else random names."""
        if self.kinds.get("first_name") == "string" and self.kinds.get("last_name") == "string":
            return self.get("first_name").astype(str), self.get("last_name").astype(str)
        for c in self.t.column_names:
            if self.kinds[c] == "string" and self._is_person_name(c) and c not in self._busy:
                parts = np.strings.partition(self.get(c).astype(str), " ")
                return parts[0], parts[2]
        return _pick(rng, pools.FIRST, self.n), _pick(rng, pools.LAST, self.n)

    def _urls(self, name: str, w: set[str], rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        if w & {"jump", "link", "deeplink"}:
            return _pick(rng, pools.DEEPLINKS, n)
        if "callback" in w:
            return np.full(n, "https://partner.example/webhooks/luckin")
        folder = "/".join(x for x in self.t.name.split("_")[1:2]) or "files"
        if w & {"pdf", "report"} or "invoice" in _words(self.t.name):
            ext = ".pdf"
        elif w & {"file", "artifact", "package"}:
            ext = ".bin"
        else:
            ext = ".jpg"
        return _cat("https://static.luckyus.example/", folder, "/", _random_text(rng, n, 12, pools.HEX, seq), ext)

    def _business_numbers(self, name: str, maxlen: int, rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        stem = name.rsplit("_", 1)[0]
        table_words = self.t.name.split("_")[1:]
        prefix = _initials(self.t.name) if stem in table_words else _initials(stem)
        number = seq if seq is not None else rng.integers(1, 10**6, n)
        width = max(6, len(str(int(number.max()))))
        if len(prefix) + 6 + width <= maxlen and self.anchor is not None:
            return _cat(prefix, _ymd_compact(self.get(self.anchor)), _zfill(number, width))
        width = max(width, min(maxlen - len(prefix), 10))
        return _cat(prefix, _zfill(number, width))

    def _codes(self, name: str, w: set[str], maxlen: int, rng: np.random.Generator, seq) -> np.ndarray:
        n = self.n
        if "key" in w:  # dotted feature keys: order.reorder_button
            out = _cat(_pick(rng, pools.MODULES, n), ".", _pick(rng, pools.FEATURES, n))
            return _cat(out, "_", _zfill(seq, 2)) if seq is not None else out
        if maxlen <= 16:  # short codes people type or read out: 8 characters
            return _random_text(rng, n, min(8, maxlen), pools.ALNUM_UPPER, seq)
        label = "_".join(self.t.name.split("_")[1:]).upper()  # RISK_RULE_007
        num = seq if seq is not None else rng.integers(1, 1000, n)
        return _cat(label, "_", _zfill(num, 3))

    def _texts(self, w: set[str], table_words: set[str], maxlen: int, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        if "release" in w:
            pool = pools.RELEASE_TEXT
        elif "reply" in w:
            pool = pools.REPLY_TEXT
        elif table_words & {"notification", "push", "banner", "article", "sms", "email", "splash"}:
            pool = pools.MARKETING_TEXT
        elif w & {"content", "comment"}:
            pool = pools.CUSTOMER_TEXT
        else:
            pool = pools.INTERNAL_TEXT
        out = _pick(rng, pool, n)
        if maxlen >= 200:  # mostly one sentence, sometimes two or three in long columns
            k = rng.choice([1, 1, 1, 2, 2, 3] if maxlen >= 1000 else [1, 1, 1, 2], n)
            out = _cat(out, np.where(k >= 2, _cat(" ", _pick(rng, pool, n)), ""))
            out = _cat(out, np.where(k >= 3, _cat(" ", _pick(rng, pool, n)), ""))
        return out

