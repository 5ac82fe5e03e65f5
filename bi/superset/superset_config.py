"""Superset's configuration for the Luckin warehouse (loaded through SUPERSET_CONFIG_PATH).

`luckin bi superset` (luckin/superset/) starts Superset with this file and passes what is
secret or machine-specific through the environment: SUPERSET_SECRET_KEY (from
.dlt/secrets.toml [superset]) and SUPERSET_META_URI (the Postgres metadata database,
`superset_meta`). Nothing here is a secret.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# Postgres, not SQLite: SQLite's metadata keeps one table name across all databases, and the
# same marts are reachable through two connections (DuckDB file and Postgres BI role).
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_META_URI"]

# No phone-home and no CDN. The front end renders a telemetry pixel (an <img> from Scarf) and
# the SQL editor's Monaco loader points at a public CDN; deck.gl maps fetch tiles from
# Mapbox/OSM/Carto. The content-security policy below allows this server only, so the
# browser refuses every one of those requests; nothing of ours (the executive dashboard's
# charts) needs them. No 'strict-dynamic': with it, scripts that a trusted script inserts
# would load from any host.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
MAPBOX_API_KEY = ""

# A small local deployment: no example data, no thumbnails or alerts (they need Celery and a
# headless browser of their own), results cached in process memory only.
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {
    "THUMBNAILS": False,
    "ALERT_REPORTS": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
}
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}  # a new published file is seen at once
RATELIMIT_STORAGE_URI = "memory://"
# The marts are read only: no uploads, no DML from SQL Lab (the connections also open read-only).
ALLOW_FILE_UPLOAD = False
