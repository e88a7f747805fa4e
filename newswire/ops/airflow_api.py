"""A tiny client of Airflow 3's public REST API (v2) with the simple auth manager.

`make up` uses it to wait for the DAGs and unpause them; the browser tests use it
to follow DAG runs. Standard library only, so it works before anything else is set up.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

HOST = "127.0.0.1"


class ApiError(RuntimeError):
    """The API answered with an error."""


def _http(url: str, *, method: str = "GET", body: Any = None, token: str | None = None,
          timeout: float = 10) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class AirflowClient:
    """A tiny client of Airflow's public REST API (v2) with the simple auth manager."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            status, body = _http(
                f"{self.base_url}/auth/token",
                method="POST",
                body={"username": self.username, "password": self.password},
                timeout=30,
            )
            if status not in (200, 201):
                raise ApiError(f"login as {self.username} failed: HTTP {status} {body}")
            self._token = body["access_token"]
        return self._token

    def call(self, path: str, *, method: str = "GET", body: Any = None, attempts: int = 4) -> Any:
        """One API call; idempotent ones (GET, PATCH) are retried when the server is slow to answer."""
        if method not in ("GET", "PATCH"):
            attempts = 1
        for attempt in range(1, attempts + 1):
            try:
                status, payload = _http(f"{self.base_url}/api/v2{path}", method=method, body=body,
                                        token=self.token(), timeout=30)
                break
            except (TimeoutError, ConnectionError, urllib.error.URLError):
                if attempt == attempts:
                    raise
                time.sleep(2 * attempt)
        if status >= 400:
            raise ApiError(f"{method} {path}: HTTP {status} {payload}")
        return payload

    def dag_ids(self) -> set[str]:
        return {d["dag_id"] for d in self.call("/dags?limit=100")["dags"]}

    def import_errors(self) -> list[dict[str, Any]]:
        return list(self.call("/importErrors?limit=100").get("import_errors", []))

    def unpause(self, dag_id: str) -> None:
        self.call(f"/dags/{dag_id}", method="PATCH", body={"is_paused": False})

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        return list(self.call(f"/dags/{dag_id}/dagRuns?limit=50&order_by=-logical_date")["dag_runs"])

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        from datetime import UTC, datetime

        return self.call(
            f"/dags/{dag_id}/dagRuns",
            method="POST",
            body={"logical_date": datetime.now(tz=UTC).isoformat(), "conf": conf or {}},
        )
