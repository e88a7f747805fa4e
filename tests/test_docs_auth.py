"""The login check in front of Cosmos's dbt docs (newswire.orchestration.docs_auth), on a stand-in app.

The real thing, against a running api-server, is in tests/e2e/test_e2e_ui.py.
"""

from __future__ import annotations

import pytest
from jwt import InvalidTokenError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from newswire.orchestration import docs_auth


class _AuthManager:
    async def get_user_from_token(self, token: str) -> str:
        if token != "valid-token":
            raise InvalidTokenError("signature mismatch")
        return "admin"

    def get_url_login(self, next_url: str | None = None) -> str:
        return f"/auth/login?next={next_url}"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    import airflow.api_fastapi.app as airflow_app

    monkeypatch.setattr(airflow_app, "get_auth_manager", lambda: _AuthManager())
    app = Starlette(routes=[
        Route("/cosmos/newswire/dbt_docs_index.html", lambda r: PlainTextResponse("dbt docs")),
        Route("/cosmos", lambda r: PlainTextResponse("root")),
        Route("/cosmosx", lambda r: PlainTextResponse("not ours")),
        Route("/api/v2/version", lambda r: PlainTextResponse("open")),
    ])
    app.add_middleware(docs_auth.RequireAirflowLogin)
    return TestClient(app, follow_redirects=False)


def test_docs_refused_without_a_token(client: TestClient) -> None:
    for path in ("/cosmos/newswire/dbt_docs_index.html", "/cosmos"):
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert "dbt docs" not in resp.text


def test_browser_is_sent_to_the_login_page(client: TestClient) -> None:
    resp = client.get("/cosmos/newswire/dbt_docs_index.html", headers={"Accept": "text/html,*/*"})
    assert resp.status_code == 302
    assert resp.headers["location"].startswith("/auth/login?next=")
    assert resp.headers["location"].endswith("/cosmos/newswire/dbt_docs_index.html")


def test_a_bad_token_is_refused_and_a_good_one_passes(client: TestClient) -> None:
    path = "/cosmos/newswire/dbt_docs_index.html"
    assert client.get(path, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get(path, cookies={"_token": "forged"}).status_code == 401
    ok = client.get(path, headers={"Authorization": "Bearer valid-token"})
    assert (ok.status_code, ok.text) == (200, "dbt docs")
    client.cookies.set("_token", "valid-token")
    assert client.get(path).text == "dbt docs"


def test_other_paths_are_left_alone(client: TestClient) -> None:
    assert client.get("/api/v2/version").text == "open"
    assert client.get("/cosmosx").text == "not ours"


def test_the_plugin_is_registered_with_airflow() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="airflow.plugins")}
    assert names.get("newswire_docs_auth") == "newswire.orchestration.docs_auth:NewswireDocsAuthPlugin"
    (middleware,) = docs_auth.NewswireDocsAuthPlugin.fastapi_root_middlewares
    assert middleware["middleware"] is docs_auth.RequireAirflowLogin
