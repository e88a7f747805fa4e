"""Browser tests against a real, throw-away Newswire stack (`make test-e2e`).

The stack is started exactly as `make up` starts it (newswire.ops.stack.up: the Procfile
run by honcho), but
with a temporary AIRFLOW_HOME, a temporary warehouse, an inbox holding copies of
seeds/, and free ports. The fixture waits for the hourly ingest run that the
scheduler creates when the DAG is unpaused (or triggers one), then for the
transform run that the raw Asset triggers; both must succeed. Headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright) then looks at the UIs.

Browser tests are skipped, and only skipped, when Chromium or the playwright
package is missing; test_e2e_stack.py (process bookkeeping of `make up`/`make down`)
needs neither.
Screenshots go to warehouse/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newswire_testdata import isolated_stack_env

from newswire.ops import stack as ops

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("NEWSWIRE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("NEWSWIRE_E2E_ARTIFACTS", REPO / "warehouse" / "test-artifacts"))
#: Seconds to wait for each DAG run (ingest, then transform).
RUN_TIMEOUT = float(os.environ.get("NEWSWIRE_E2E_RUN_TIMEOUT", "1500"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: starts the Airflow stack and drives headless Chromium (slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright Python package is not installed"
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)
            if missing and "page" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.skip(reason=missing))


# -- the stack ------------------------------------------------------------------


class Stack:
    def __init__(self, cfg: ops.StackConfig, info: dict[str, Any], client: ops.AirflowClient) -> None:
        self.cfg = cfg
        self.info = info
        self.client = client
        self.runs: dict[str, dict[str, Any]] = {}

    @property
    def settings(self):
        return self.cfg.settings()


def _task_log_tail(cfg: ops.StackConfig, dag_id: str, run_id: str, task_id: str, lines: int = 12) -> str:
    """The error-looking lines of the task's last attempt, then its last few lines."""
    folder = cfg.airflow_home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    logs = sorted(folder.rglob("attempt=*.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return "(no task log found)"
    text = logs[-1].read_text(errors="replace").splitlines()
    errors = [line for line in text if re.search(r'"level":"error"|FAIL|Failure|Error|Traceback', line)]
    picked = [*errors[:lines], "...", *text[-5:]]
    return f"{logs[-1]}:\n" + "\n".join(line[:600] for line in picked)


def _explain_failure(stack: Stack, dag_id: str, run: dict[str, Any]) -> str:
    run_id = run["dag_run_id"]
    tis = stack.client.call(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=200")["task_instances"]
    bad = [t for t in tis if t["state"] in ("failed", "upstream_failed", "up_for_retry")]
    parts = [f"{dag_id} run {run_id} is {run['state']}; failed tasks: {[t['task_id'] for t in bad]}"]
    for ti in [t for t in bad if t["state"] != "upstream_failed"][:3]:
        parts.append(f"--- {ti['task_id']} ---\n{_task_log_tail(stack.cfg, dag_id, run_id, ti['task_id'])}")
    return "\n".join(parts)


def wait_for_run(stack: Stack, dag_id: str, *, run_type: str | None, timeout: float) -> dict[str, Any]:
    """Wait for the first run of `dag_id` (of `run_type`) to finish; fail the test unless it succeeded."""
    deadline = time.monotonic() + timeout
    run: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        runs = [r for r in stack.client.dag_runs(dag_id) if run_type is None or r["run_type"] == run_type]
        if runs:
            run = min(runs, key=lambda r: r.get("start_date") or r.get("queued_at") or "9999")
            if run["state"] == "success":
                return run
            if run["state"] == "failed":
                pytest.fail(_explain_failure(stack, dag_id, run))
        time.sleep(5)
    detail = _explain_failure(stack, dag_id, run) if run else "no run was created"
    pytest.fail(f"{dag_id}: no successful run within {timeout:.0f}s. {detail}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("e2e-stack")
    env = isolated_stack_env(root, "e2e-" + os.urandom(6).hex())
    cfg = ops.StackConfig.from_env(env)
    started = time.monotonic()
    timings: dict[str, float] = {}
    try:
        info = ops.up(cfg, log=lambda msg: print(f"[stack] {msg}", flush=True))
    except ops.StackError as exc:
        pytest.fail(f"the stack did not start: {exc}")
    timings["up"] = time.monotonic() - started
    client = ops.AirflowClient(cfg.airflow_url, cfg.admin_user, info["password"])
    st = Stack(cfg, info, client)
    try:
        missing, errors = info["missing_dags"], info["import_errors"]
        assert not missing, f"DAGs not loaded: {missing}; import errors: {errors}"
        # Unpausing the hourly DAG makes the scheduler create a run for the latest
        # interval; trigger one only if it did not.
        deadline = time.monotonic() + 60
        while not client.dag_runs("newswire_ingest") and time.monotonic() < deadline:
            time.sleep(2)
        if not client.dag_runs("newswire_ingest"):
            client.trigger("newswire_ingest")
        st.runs["newswire_ingest"] = wait_for_run(st, "newswire_ingest", run_type=None, timeout=RUN_TIMEOUT)
        timings["ingest"] = time.monotonic() - started - timings["up"]
        st.runs["newswire_transform"] = wait_for_run(
            st, "newswire_transform", run_type="asset_triggered", timeout=RUN_TIMEOUT
        )
        timings["transform"] = time.monotonic() - started - timings["up"] - timings["ingest"]
        print(f"[stack] timings (s): {', '.join(f'{k} {v:.0f}' for k, v in timings.items())}", flush=True)
        yield st
    finally:
        started_by_up = ops.read_pid_file(cfg)
        ops.stop(cfg, log=lambda msg: print(f"[stack] {msg}", flush=True))
        # `make down` leaves nothing running: no process of this start is left.
        if started_by_up is not None:
            leftover = ops.tagged_processes(started_by_up.tag)
            assert leftover == [], f"processes left running after stop(): {leftover}"


# -- the browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        # launch_persistent_context gives Chromium a fresh --user-data-dir of ours.
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        context.set_default_timeout(30_000)
        # Only this machine's servers: any other request (CDN assets of the GX
        # pages, fonts, analytics) is refused at once instead of timing out.
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _login(page: Any, stack: Stack, shots: Path | None = None) -> None:
    """Log in through the simple auth manager's form, as a person would."""
    page.context.clear_cookies()  # every test starts logged out
    page.goto(stack.cfg.airflow_url + "/")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", stack.cfg.admin_user)
    page.fill("input[name=password]", stack.info["password"])
    if shots:
        page.screenshot(path=str(shots / "01_airflow_login.png"))
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url, timeout=30_000)


@pytest.fixture
def login() -> Any:
    """`login(page, stack, screenshots_dir=None)`: sign in as the stack's admin."""
    return _login
