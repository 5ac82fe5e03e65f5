"""Defaults of the Redis estate source (override under `[sources.redis_estate]` in .dlt/config.toml
or with SOURCES__REDIS_ESTATE__... variables)."""

from __future__ import annotations


SOURCE_NAME = "redis_estate"
DATASET = "redis_snapshots"

DEFAULT_URL = "redis://127.0.0.1:6379/0"  # no password here: it comes from secrets or the env
CONNECT_TIMEOUT_SECONDS = 5
# SCAN ... COUNT: keys the server walks per call.
SCAN_COUNT = 1000
# Keys per pipelined round trip (TYPE + PTTL + MEMORY USAGE, then the per-type reads).
BATCH_KEYS = 1000
# Unknown keys are grouped by "shape" (segments holding digits or long tokens become *).
UNKNOWN_PATTERN = "<unknown>"
