"""Defaults of the MySQL estate source. Every value can be overridden in `.dlt/config.toml`
under `[sources.mysql_estate]` (or the matching `SOURCES__MYSQL_ESTATE__...` variable)."""

from __future__ import annotations


SOURCE_NAME = "mysql_estate"

# Connection defaults: the local MariaDB the simulator writes to. The password is a secret and
# never has a default here: it comes from `.dlt/secrets.toml` or SOURCES__MYSQL_ESTATE__CREDENTIALS__PASSWORD.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3306
DEFAULT_USERNAME = "root"
CONNECT_TIMEOUT_SECONDS = 10

# Rows per read (one SQL query, one Arrow table in memory, one Parquet file). Bounds memory:
# a 250k-row chunk of the widest estate table is ~40 MB of Arrow.
CHUNK_ROWS = 250_000
# Parallel readers (connectorx queries in flight) shared by all schemas of a run.
READ_WORKERS = 3
# Schemas extracted and loaded at the same time (one dlt pipeline each) when no extract
# processes are used; with processes, one more than EXTRACT_PROCESSES.
PIPELINE_WORKERS = 2
# Worker processes running extract + normalize (pipelines/mysql_estate/worker.py); the run's own
# process loads. 0 (default) = everything in threads of one process: on the 2-CPU machines this
# project runs on, processes gave no measurable speed-up and 1.7 GB instead of 1.0 GB peak memory.
EXTRACT_PROCESSES = 0
