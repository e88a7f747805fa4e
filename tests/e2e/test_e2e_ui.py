"""What a person sees after `make up` and one ingest + transform: Airflow UI, dbt docs, Data Docs."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from newswire.ops import stack as ops

pytestmark = pytest.mark.e2e

DAG_IDS = ("newswire_ingest", "newswire_transform")


def _get_json(url: str, token: str | None = None) -> Any:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _status(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """Status, headers (case-insensitive) and body of one GET, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as resp:
            return resp.status, resp.headers, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode(errors="replace")


def _first_line(description: str) -> str:
    """A piece of a description that the docs app shows verbatim (markdown aside)."""
    assert description.strip(), "no description"
    return " ".join(description.strip().splitlines()[0].split()[:5])


def test_airflow_ui_shows_both_dags_and_successful_runs(page: Any, stack: Any, artifacts: Path, login: Any) -> None:
    login(page, stack, artifacts)
    base = stack.cfg.airflow_url

    page.goto(base + "/dags")
    for dag_id in DAG_IDS:
        page.get_by_text(dag_id, exact=True).first.wait_for()
    # No DAG file may be broken: the UI shows a red import-error badge otherwise.
    assert stack.client.import_errors() == []
    page.screenshot(path=str(artifacts / "02_airflow_dags.png"))

    for n, dag_id in enumerate(DAG_IDS, start=3):
        run_id = stack.runs[dag_id]["dag_run_id"]
        page.goto(f"{base}/dags/{dag_id}/runs")
        row = page.locator("tr", has_text=run_id)
        row.wait_for()
        assert "Success" in row.inner_text(), row.inner_text()
        page.screenshot(path=str(artifacts / f"0{n}_{dag_id}_runs.png"))

    # The transform was started by the ingest's Asset, not by hand.
    assert stack.runs["newswire_transform"]["run_type"] == "asset_triggered"


def test_make_status_reports_every_process(stack: Any) -> None:
    lines: list[str] = []
    states = ops.status(stack.cfg, log=lines.append)
    assert states == {name: True for name in stack.cfg.components()}, "\n".join(lines)
    assert any("airflow scheduler" in line and "healthy" in line for line in lines), lines


def test_dbt_docs_inside_airflow_via_cosmos(page: Any, stack: Any, artifacts: Path, login: Any) -> None:
    login(page, stack)
    base = stack.cfg.airflow_url
    # The Cosmos plugin registers an external view under Browse.
    page.goto(base + "/dags")
    page.get_by_role("button", name=re.compile("Browse")).first.click()
    page.get_by_text("dbt Docs (Newswire)").first.wait_for()
    page.screenshot(path=str(artifacts / "05_airflow_browse_menu.png"))

    # The page the menu entry opens: dbt's docs app, reading manifest/catalog via the plugin.
    manifest = _get_json(f"{base}/cosmos/newswire/manifest.json", stack.client.token())
    events = manifest["nodes"]["model.newswire.events"]
    page.goto(stack.cfg.cosmos_docs_url + "#!/model/model.newswire.events")
    page.get_by_text(_first_line(events["description"])).first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Depends On" in body and "Columns" in body
    assert next(iter(events["columns"])) in body
    page.screenshot(path=str(artifacts / "06_cosmos_dbt_docs_events.png"))


def test_cosmos_dbt_docs_need_the_airflow_login(page: Any, stack: Any, artifacts: Path) -> None:
    base = stack.cfg.airflow_url
    urls = [stack.cfg.cosmos_docs_url, f"{base}/cosmos/newswire/manifest.json", f"{base}/cosmos/newswire/catalog.json",
            f"{base}/cosmos/newswire/dbt_docs"]
    for url in urls:
        code, _, body = _status(url)
        assert code == 401, f"{url} without a login: HTTP {code}"
        assert "model.newswire" not in body and "<iframe" not in body
        code, _, _ = _status(url, {"Authorization": "Bearer not-a-real-token"})
        assert code == 401, f"{url} with a forged token: HTTP {code}"
    # A browser is sent to the login page, and back afterwards.
    code, headers, _ = _status(urls[0], {"Accept": "text/html"})
    location = headers.get("Location") or ""
    assert code == 302 and "/auth/login" in location and "next=" in location, (code, dict(headers))
    # Logged in (the API's token), the same URLs answer.
    token = stack.client.token()
    code, _, body = _status(urls[0], {"Authorization": f"Bearer {token}"})
    assert code == 200 and "dbt" in body.lower()
    assert "model.newswire.events" in _get_json(urls[1], token)["nodes"]
    # And in a browser with no session: the login form, not the docs.
    page.context.clear_cookies()
    page.goto(stack.cfg.cosmos_docs_url)
    page.wait_for_selector("input[name=username]")
    assert "/auth/login" in page.url
    page.screenshot(path=str(artifacts / "06a_cosmos_docs_logged_out.png"))


def test_dbt_docs_site_explains_the_events_model(page: Any, stack: Any, artifacts: Path) -> None:
    site = stack.cfg.dbt_docs_url
    manifest = _get_json(site + "manifest.json")
    node = manifest["nodes"]["model.newswire.events"]
    columns = node["columns"]
    assert columns, "the events model documents no columns"
    undocumented = sorted(name for name, col in columns.items() if not col.get("description", "").strip())
    assert not undocumented, f"events columns without a description: {undocumented}"
    parents = [p.split(".")[-1] for p in node["depends_on"]["nodes"]]
    assert parents, "the events model depends on nothing?"
    # The docs were regenerated by the transform run, against the built marts.
    catalog = _get_json(site + "catalog.json")
    assert "model.newswire.events" in catalog["nodes"], "catalog has no events table: docs predate the build"

    page.goto(site + "#!/model/model.newswire.events")
    page.get_by_text(_first_line(node["description"])).first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    for name, col in columns.items():
        assert name in body, f"column {name} not shown"
        first_words = " ".join(col["description"].split()[:6])
        assert first_words in " ".join(body.split()), f"description of {name} not shown: {first_words!r}"
    for parent in parents:
        assert parent in body, f"parent {parent} missing from Depends On"
    page.screenshot(path=str(artifacts / "07_dbt_docs_events.png"), full_page=True)

    # The lineage graph: the launcher button at the bottom right.
    page.locator(".launcher-btn").first.click()
    page.locator(".launcher-window svg, .launcher-window canvas").first.wait_for(state="attached")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "08_dbt_docs_events_lineage.png"))


def test_data_docs_index_and_pages(page: Any, stack: Any, artifacts: Path) -> None:
    """The Data Docs render styled, with their tables filled, while every non-local request is refused."""
    site = stack.cfg.data_docs_url
    remote: list[str] = []
    page.on("request", lambda req: remote.append(req.url) if not req.url.startswith("http://127.0.0.1") else None)
    page.goto(site)
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "No validation has run yet" not in body, "the Data Docs site was never built"
    assert "Data Docs" in body and "local_site" in body, body[:300]
    # Styled: Bootstrap's CSS is applied (sticky navbar, nav tabs) and its JS is there.
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).position") == "sticky"
    assert page.evaluate("typeof window.jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'")
    # Filled: bootstrap-table drew the rows of both index tables from the page's data.
    results = page.locator("#Validation-Results table tbody tr")
    assert results.count() >= 3, page.content()[:2000]
    assert any("raw__articles" in row for row in results.all_inner_texts())
    page.get_by_text("Validation Results").first.wait_for()
    page.screenshot(path=str(artifacts / "09_data_docs_index_offline.png"))
    page.get_by_text("Expectation Suites").first.click()
    suites = sorted(p.stem for p in (stack.cfg.data_docs_dir() / "expectations").glob("*.html"))
    assert suites, "no expectation suite pages in the Data Docs site"
    suite_rows = page.locator("#Expectation-Suites table tbody tr")
    suite_rows.first.wait_for()
    assert suite_rows.count() == len(suites), (suite_rows.count(), suites)
    page.screenshot(path=str(artifacts / "09b_data_docs_suites_offline.png"))

    page.goto(site + f"expectations/{suites[0]}.html")
    page.get_by_text("Expectation Suite", exact=True).first.wait_for()
    assert suites[0] in page.inner_text("body")
    page.screenshot(path=str(artifacts / "10_data_docs_suite_offline.png"))

    html = stack.cfg.data_docs_dir().joinpath("index.html").read_text()
    validation = re.findall(r"validations/[^'\"]+?\.html", html)
    assert validation, "no validation results on the index"
    page.goto(site + validation[0])
    page.get_by_text("Observed Value").first.wait_for()
    text = page.inner_text("body")
    assert "Status" in text and "Expectation" in text
    assert page.locator("table tbody tr").count() >= 1
    page.screenshot(path=str(artifacts / "11_data_docs_validation_offline.png"))
    # Nothing was even attempted from another host: every asset is a local copy.
    assert remote == [], f"the Data Docs tried to load {sorted(set(remote))[:5]}"
