"""Generic filler for estate tables whose ``rows:`` is a number (the 47 minor schemas).

``generate_generic(table, scale, seed)`` returns a DataFrame with the table's columns in
declaration order, filled with values inferred from each column's name and MySQL type, and
from the optional per-table ``hints:`` of the estate YAML (the hint vocabulary is documented at
the top of ``estate/mysql_minor.yml``).

Row count
    ``max(1, round(rows * scale))`` when ``rows > 0``; 0 stays 0. *Reference tables* keep
    ``rows`` at every scale: a table is reference data when its name starts with ``t_dict_``, or
    its last word is one of ``REFERENCE_WORDS`` (``t_*_config``, ``t_*_type``, ``t_*_template``,
    ``t_*_category``, ``t_*_rule``, ``t_*_role``...), or it has at most ``REFERENCE_MAX_ROWS``
    (100) rows at scale 1 - a table that small is configuration, whatever the business volume.
    The count can only shrink if a unique key's value space is smaller than the count (then it
    is capped to that space, so the key stays unique).

Values
    * Single-column integer primary key: 1..n, in create_time order when there is one.
    * ``*_id`` integers reference something, in its id range: a ``ref`` hint; else a table of
      the same schema named ``t_<stem>``, ``t_<stem>_<reference word>`` or ``t_*_<stem>``; else
      an entity - user (1..registered users x scale), order (1..completed orders x scale),
      shop (1..active stores), device (1..IoT devices), product (1..menu size), with the
      seed's figures and ``world.PRODUCTS`` - matched on the stem or its last word
      (``clicked_product_id``); else 1..100. References to users, orders and non-reference
      tables only reach the rows that existed at the referencing row's create_time (ids grow
      with the same curve as create_time), so a review never points at a later order.
    * Integers with a code list in their COMMENT (``'1 open, 2 closed'``) take those codes.
      Otherwise names decide: flags ``TINYINT(1)`` are 0/1 with a name-dependent share of ones
      (``is_deleted`` 3%, ``is_enabled`` 90%...); counts, quantities, durations (``*_ms``,
      ``*_seconds``...), ratings, percentages, sort orders, versions; small TINYINT status-like
      codes 1..3; a bounded fallback per integer type. Always within the type's range.
    * DECIMAL(p,s): money by name (price, fee, amount, balance...), rates 0..1, coordinates in
      Manhattan, else 0..100; rounded to ``s`` decimals and kept inside ``p``. Returned as
      float64 (NaN for NULL) - exact to the declared scale once written by a driver.
    * Strings: emails (``@example.com``/``.net``/``.org``), phones (``+1 <NYC area code> 555
      xxxx``), person names, usernames, companies, menu items, Manhattan addresses and zips,
      documentation-range IPs (RFC 5737), user agents, URLs under ``static.luckyus.example``,
      hex tokens and hashes, semantic versions, business numbers (``MO2508140007``: table
      initials, yymmdd of create_time, sequence), codes, keys, cron expressions, API paths,
      service names, titles and short texts (some with emoji, to exercise utf8mb4). Unique
      string columns embed a sequence number. Always cut to the declared length.
    * DATE/DATETIME: inside the simulated window 2025-06-20 00:00:00 .. 2026-02-14 23:59:59
      (naive, meaning UTC). ``create_time`` is the anchor: business rows spread from the first
      store opening (2025-06-30) to the end with growth - a third uniform, two thirds with a
      linearly rising density; reference tables fall in the first 12 days, set up before launch.
      Rows are in create_time order, so auto-increment ids grow with time. Other time columns follow
      the previous time column in declaration order (an ``after`` hint says which and by how
      much); ``update_time`` is the latest non-NULL of them, pushed later on 45% of the rows
      (updated rows).
      So ``update_time >= create_time`` always. DATE columns are datetime64[s] at midnight.
    * Consistency inside a row: emails and usernames are built from the row's own person
      (``first_name``/``last_name`` or a ``*_name`` person column); a flag ``is_<x>`` next to a
      nullable ``<x>_time`` (``is_read``/``read_time``, ``is_published``/``publish_time``) is 1
      exactly when the time is set; ``expr`` hints compute totals and taxes.
    * JSON: compact JSON text, from a ``json`` hint example (numbers and booleans vary, a string
      ``"a|b"`` picks one) or a small default document.
    * NULLs only in nullable columns that are not part of a key: 5% by default, or the hint's
      ``null_rate`` (columns with an explicit rate share one draw per row, so equal rates are
      NULL on the same rows).

Dtypes: integers int64 (pandas ``Int64`` when the column has NULLs), DECIMAL/FLOAT float64,
DATE/DATETIME ``datetime64[s]``, strings and JSON ``object`` (None for NULL).

Determinism: every random stream comes from ``numpy.random.default_rng`` seeded with the seed, a
BLAKE2 digest of ``schema.table`` and of the column and purpose - never Python's salted
``hash()`` - so the same (table, scale, seed) gives identical frames, and adding a column does
not change the others. Everything is vectorised numpy; no Python loop runs per row.

Modules: ``rules`` (what a table's declaration decides: kinds, reference tables, row counts,
hints, the simulated window and entity sizes), ``table`` (the generator: unique keys, lazy
columns, NULLs, assembly), ``numbers``, ``times`` and ``strings`` (how each kind of column is
filled), ``text`` (vectorised string helpers) and ``pools`` (the value pools).
"""

from __future__ import annotations

from .rules import (DEFAULT_NULL_RATE, ENTITY_ROWS, HINT_KEYS, OPENING, REFERENCE_MAX_ROWS, REFERENCE_WORDS,
                    WINDOW_END, WINDOW_START, column_kind, is_reference_table, row_count, validate_hints)
from .rules import _decimal_bounds, _int_bounds  # noqa: F401 - the tests check values against the type bounds
from .table import generate_generic

__all__ = [
    "WINDOW_START",
    "WINDOW_END",
    "OPENING",
    "ENTITY_ROWS",
    "REFERENCE_WORDS",
    "REFERENCE_MAX_ROWS",
    "DEFAULT_NULL_RATE",
    "HINT_KEYS",
    "generate_generic",
    "is_reference_table",
    "row_count",
    "validate_hints",
    "column_kind",
]
