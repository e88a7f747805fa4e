"""Airflow's login in front of the dbt docs that Cosmos serves inside the Airflow UI.

Cosmos 1.15 mounts its docs app at ``/cosmos`` on Airflow's API server without
any authentication check, so the warehouse's schema, SQL and column docs were
readable by anyone who could reach the port. This plugin adds a root middleware
(Airflow 3.1+ ``fastapi_root_middlewares``) that lets a request under
``/cosmos`` through only with a valid Airflow JWT, taken as Airflow's own UI
does from the ``Authorization: Bearer`` header or the ``_token`` cookie set at
login. A browser without one is redirected to the login page (and back after
it); any other client gets 401.

Registered through the ``airflow.plugins`` entry point in pyproject.toml, so
every Airflow that has the package installed (``make up``, the containers)
loads it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from airflow.plugins_manager import AirflowPlugin
from jwt import InvalidTokenError
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

log = logging.getLogger(__name__)

COOKIE_NAME = "_token"  # airflow.api_fastapi.auth.managers.base_auth_manager.COOKIE_NAME_JWT_TOKEN
PROTECTED_PREFIXES = ("/cosmos",)


def _root_path() -> str:
    from airflow.configuration import conf

    return urlsplit(conf.get("api", "base_url", fallback="") or "/").path.rstrip("/")


class RequireAirflowLogin(BaseHTTPMiddleware):
    """Refuse requests under `prefixes` that carry no valid Airflow token."""

    def __init__(self, app: ASGIApp, prefixes: Iterable[str] = PROTECTED_PREFIXES) -> None:
        super().__init__(app)
        root = _root_path()
        self.prefixes = tuple(root + p.rstrip("/") for p in prefixes)

    def protects(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not self.protects(request.url.path):
            return await call_next(request)
        from airflow.api_fastapi.app import get_auth_manager

        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.cookies.get(COOKIE_NAME)
        if token:
            try:
                await get_auth_manager().get_user_from_token(token)
                return await call_next(request)
            except (InvalidTokenError, ValueError, KeyError) as exc:
                log.info("refused %s: %s", request.url.path, exc)
        if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)), status_code=302)
        return JSONResponse({"detail": "Not authenticated: log in to Airflow first"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})


class NewswireDocsAuthPlugin(AirflowPlugin):
    name = "newswire_docs_auth"
    fastapi_root_middlewares = [  # noqa: RUF012 - the attribute Airflow's plugin manager reads
        {"name": "newswire-require-login-for-docs", "middleware": RequireAirflowLogin, "args": [], "kwargs": {}}
    ]
