"""A small client of Superset's REST API (/api/v1): log in, import a bundle, read charts and their data."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from luckin.core.errors import redact

from .config import SupersetConfig
from .server import SupersetError


class SupersetClient:
    """Logged in as the configured admin (JWT plus the session's CSRF token, which imports need)."""

    def __init__(self, config: SupersetConfig, timeout: float = 120.0):
        self.config, self.timeout = config, timeout
        self.session = requests.Session()
        token = self._call("post", "/api/v1/security/login", json={
            "username": config.admin_username, "password": config.admin_password, "provider": "db", "refresh": False,
        })["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self._call("get", "/api/v1/security/csrf_token/")["result"]
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": config.url})

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            resp = self.session.request(method, self.config.url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise SupersetError(f"Superset at {self.config.url} did not answer {method.upper()} {path}: "
                                f"{type(exc).__name__}", hint="is it running? `luckin bi superset`") from None
        if resp.status_code >= 400:
            text = redact(" ".join(resp.text.split())[:300], *self.config.secrets)
            raise SupersetError(f"Superset {method.upper()} {path}: HTTP {resp.status_code}: {text}")
        return resp.json() if resp.content else {}

    def get(self, path: str, **params) -> dict:
        return self._call("get", path, params={"q": _rison(params)} if params else None)

    def import_bundle(self, kind: str, bundle: Path, passwords: dict[str, str]) -> None:
        """POST a zip bundle to /api/v1/<kind>/import/ (overwriting what it holds)."""
        with open(bundle, "rb") as fh:
            self._call("post", f"/api/v1/{kind}/import/",
                       files={"formData": (bundle.name, fh, "application/zip")},
                       data={"overwrite": "true", "passwords": json.dumps(passwords)})

    def list(self, resource: str, **filters) -> list[dict]:
        """Every row of /api/v1/<resource>/ (filters: column=value, equality)."""
        query = {"page_size": 100, "page": 0}
        if filters:
            query["filters"] = [{"col": k, "opr": "eq", "value": v} for k, v in filters.items()]
        rows: list[dict] = []
        while True:
            page = self.get(f"/api/v1/{resource}/", **query)
            rows.extend(page.get("result", []))
            if len(rows) >= page.get("count", 0) or not page.get("result"):
                return rows
            query["page"] += 1

    def has_dashboard(self, slug: str) -> bool:
        try:
            self._call("get", f"/api/v1/dashboard/{slug}")
        except SupersetError:
            return False
        return True

    def dashboard_charts(self, dashboard: str) -> list[dict]:
        """The charts of a dashboard (by slug or id)."""
        return self._call("get", f"/api/v1/dashboard/{dashboard}/charts")["result"]

    def chart_data(self, chart_id: int) -> list[dict]:
        """Run a chart's saved query (its query_context) through Superset; the rows of each query."""
        result = self._call("get", f"/api/v1/chart/{chart_id}/data/", params={"format": "json", "type": "full"})
        return [query.get("data", []) for query in result["result"]]

    def dataset_metrics(self, dataset_id: int) -> list[dict]:
        return self._call("get", f"/api/v1/dataset/{dataset_id}")["result"]["metrics"]


def _rison(value) -> str:
    """Superset's `q=` parameter: Rison, for the dicts, lists, strings and numbers used here."""
    if isinstance(value, dict):
        return "(" + ",".join(f"{k}:{_rison(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        return "!(" + ",".join(_rison(v) for v in value) + ")"
    if isinstance(value, bool):
        return "!t" if value else "!f"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text.replace("!", "!!").replace("'", "!'") + "'"
