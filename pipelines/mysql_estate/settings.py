"""Constants of the MySQL estate source. What an operator sets (host, credentials, mode, prefix,
and the tuning knobs `chunk_rows`, `read_workers`, `pipeline_workers`, `extract_processes`,
`detect_deletes`) is resolved once into `luckin.core.settings.MySQLSource`, with its defaults
and the reasons for them."""

from __future__ import annotations

SOURCE_NAME = "mysql_estate"
CONNECT_TIMEOUT_SECONDS = 10

# Rows whose cursor the incremental read cannot reach (inserted or corrected with an old
# update_time, or re-inserted after a delete) are fetched by key when they are at most this many
# (and this share of the table); beyond that the table is re-synced whole.
FETCH_BY_KEY_MAX_ROWS = 50_000
FETCH_BY_KEY_MAX_SHARE = 0.2
# Keys per `IN (...)` read when fetching by key.
KEYS_PER_READ = 5_000
# Keys compared per batch (one key range of the source and the warehouse at a time).
KEYS_PER_BATCH = 2_000_000
