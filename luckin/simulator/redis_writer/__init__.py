"""Write the Redis half of the simulated estate: 78 instances on one Redis server.

Layout (a design decision, fixed here and relied on by the extractor):

* **One server, one logical database, namespaced by key prefix.** Every key of instance
  ``luckyus-isales-market`` starts with ``luckyus-isales-market:``. The instances are listed,
  with their key patterns, in ``estate/redis_instances.yml`` (the single source of truth).
* **``<instance>:__server__``** is one hash per instance holding what that instance's
  ``INFO`` would report and a key prefix cannot measure: ``maxmemory`` (bytes),
  ``maxmemory_human``, ``maxmemory_policy``, ``evicted_keys``, ``expired_keys``,
  ``redis_version``, ``redis_mode``, ``role``, ``connected_clients``, ``connected_slaves``,
  ``uptime_in_seconds``, ``tcp_port`` and ``instance``. There is deliberately no
  ``used_memory`` field: the used memory of an instance is measured by the extractor as the
  sum of ``MEMORY USAGE`` (default sampling) over all keys of its prefix, ``__server__``
  included (:func:`namespace_used_memory` does exactly that).
* Keys outside the ``luckyus-*`` instance prefixes (e.g. ``__luckin_simulator__:manifest``,
  written by the MySQL side) are never touched: a rewrite first removes every key whose
  prefix is one of the 78 instance names (``SCAN MATCH luckyus-*`` + ``UNLINK`` in batches;
  never ``KEYS`` or ``FLUSHDB``), then writes through non-transactional pipelines in bounded
  batches.

Content. Five instances are **state-driven** (their YAML patterns say ``count: from_state``)
and mirror :class:`~luckin.simulator.facts.LiveState` exactly: device hashes
(``luckyus-iot-device``), coupon stock/issue counters, campaign configs, claim sets and
per-user coupon caches (``luckyus-isales-market``), stock per store and material (``luckyus-scm-inventory``),
make-queue lengths and order-number sequences (``luckyus-sales-order``), login sessions with
TTLs (``luckyus-sales-session``), plus the open-store set of ``luckyus-sales-shop``. All
other patterns are generic caches whose keys and values are drawn from the small value
language documented in the YAML header, with counts multiplied by ``state.scale``. A
pattern's glob (placeholders -> ``*``) matches only its own keys, so an extractor may
``SCAN MATCH <instance>:device:*`` and get device hashes only (checked when loading).

Determinism. Every pattern draws from its own ``numpy`` Generator seeded with
``(state.seed, blake2b(instance), blake2b(pattern))``, never from Python's salted
``hash()``; stream entry ids are explicit (derived from ``state.as_of``), so the same state
gives the same keys, values and types on the same server version. TTLs are set relative to
the wall clock at write time (Redis has no other clock): their values are deterministic, the
remaining time-to-live is not. Every TTL is at least 10 minutes so that an extraction right
after a write sees the whole estate.

Memory alert calibration (``luckyus-isales-market``). The estate must show the 2026-02-12
alert: that instance's used memory is the largest of the 78 and about 90% of its
``maxmemory``. Its budget is therefore *calibrated*, not configured: after its keys are
written the writer measures them (``MEMORY USAGE`` on every key, as the extractor does) and
sets ``maxmemory`` to the roundest value that puts usage at 88.5-91.5% (target 90%). Its
policy is ``volatile-lru``: only the few keys with a TTL can be evicted, so ``evicted_keys``
is > 0 while memory stays high (the claim sets and per-user coupon caches have no TTL: the
root cause). The other 77 instances are measured per pattern (exact up to 1,000 keys, an
evenly spaced sample scaled up beyond). If one of them measured larger (only conceivable
with a state that holds almost no coupons), the
redemption-event stream of isales-market is lengthened, in steps of 500 entries, until
isales-market leads by 25%. Other instances keep their configured budgets (256 MB - 4 GB)
unless usage would exceed 60% of it, in which case the budget doubles until it does not.

Modules: ``instances`` (the YAML catalogue), ``values`` (generic patterns and the value
language), ``state`` (state-driven patterns), ``writer`` (writing, measuring, the memory alert).
"""

from __future__ import annotations

from .instances import (INSTANCE_COUNT, INSTANCES_PATH, MARKET, SERVER_KEY, TYPES, Instance, Pattern,
                        load_instances, parse_bytes, pattern_glob)
from .values import Record, stable_hash
from .writer import (build_records, calibrate_budget, delete_estate, measure_keys, namespace_used_memory,
                     write_redis_estate)

__all__ = ["INSTANCE_COUNT", "INSTANCES_PATH", "MARKET", "SERVER_KEY", "TYPES", "Instance", "Pattern", "Record",
           "build_records", "calibrate_budget", "delete_estate", "load_instances", "measure_keys",
           "namespace_used_memory", "parse_bytes", "pattern_glob", "stable_hash", "write_redis_estate"]
