"""`make up` / `make down` bookkeeping without Airflow: settings, password, honcho start and stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newswire.ops import stack as ops

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg(tmp_path: Path) -> ops.StackConfig:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(
        AIRFLOW_HOME=str(tmp_path / "home"),
        NEWSWIRE_WAREHOUSE=str(tmp_path / "wh" / "newswire.duckdb"),
        NEWSWIRE_INBOX=str(tmp_path / "inbox"),
        NEWSWIRE_AIRFLOW_PORT=str(ops.free_port()),
        NEWSWIRE_DBT_DOCS_PORT=str(ops.free_port()),
        NEWSWIRE_DATA_DOCS_PORT=str(ops.free_port()),
    )
    for key in ("NEWSWIRE_ADMIN_PASSWORD", "NEWSWIRE_WORK_DB", "NEWSWIRE_ENV"):
        env.pop(key, None)
    return ops.StackConfig.from_env(env)


def test_stack_environment(cfg: ops.StackConfig, tmp_path: Path) -> None:
    env = cfg.env()
    home = tmp_path / "home"
    port = cfg.airflow_port
    assert env["AIRFLOW_HOME"] == str(home)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home}/airflow.db"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__API__BASE_URL"] == f"http://127.0.0.1:{port}"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"http://127.0.0.1:{port}/execution/"
    docs = json.loads(env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"])
    assert docs["newswire"]["dir"] == str(tmp_path / "wh" / "dbt_docs")
    assert env["NEWSWIRE_WAREHOUSE"] == str(tmp_path / "wh" / "newswire.duckdb")
    # What the Procfile's lines read.
    assert env["NEWSWIRE_DBT_DOCS_DIR"] == str(tmp_path / "wh" / "dbt_docs")
    assert env["NEWSWIRE_DATA_DOCS_DIR"].endswith("gx/gx/uncommitted/data_docs/local_site")
    assert env["NEWSWIRE_STACK_PROCESSES"].split() == list(ops.COMPONENTS)
    # Every component must share the JWT secret; it is generated once and kept.
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == cfg.env()["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert (home / "stack-secrets.json").stat().st_mode & 0o077 == 0
    procfile = (REPO / "Procfile").read_text()
    entries = {line.split(":", 1)[0] for line in procfile.splitlines() if line and not line.startswith("#")}
    assert set(cfg.components()) <= entries
    assert "celery-worker" in entries and "celery-worker" not in cfg.components()


def test_admin_password_is_generated_once_and_can_be_set(cfg: ops.StackConfig) -> None:
    first = ops.admin_password(cfg)
    assert len(first) >= 12
    assert ops.admin_password(cfg) == first
    assert json.loads(cfg.password_file.read_text()) == {"admin": first}
    chosen = ops.StackConfig.from_env({**cfg.base_env, "NEWSWIRE_ADMIN_PASSWORD": "s3cret-pass"})
    assert ops.admin_password(chosen) == "s3cret-pass"
    assert json.loads(cfg.password_file.read_text()) == {"admin": "s3cret-pass"}


def _alive(pid: int) -> bool:
    return ops._start_time(pid) is not None


def test_down_stops_what_up_started_and_nothing_else(cfg: ops.StackConfig, tmp_path: Path) -> None:
    # Two Procfile entries; one has a child that leaves its process group (as
    # Airflow's task processes may), which honcho cannot reach by the group.
    procfile = tmp_path / "Procfile"
    procfile.write_text("web: exec python -m http.server \"$NEWSWIRE_DBT_DOCS_PORT\" --bind 127.0.0.1\n"
                        "worker: setsid sleep 301 & sleep 302 & wait\n")
    bystander = subprocess.Popen(["sleep", "303"], start_new_session=True)
    started = ops.start_processes(cfg, cfg.env(), ("web", "worker"), procfile=procfile)
    try:
        deadline = time.monotonic() + 30
        while len(ops.tagged_processes(started.tag)) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        ours = ops.tagged_processes(started.tag)
        # honcho, its two worker processes, the shell, two sleeps and the web server
        assert len(ours) >= 5, ours
        assert bystander.pid not in ours
        assert ops.read_pid_file(cfg) == started and started.alive()
        while not ops.port_in_use(cfg.dbt_docs_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any("Serving HTTP" in line for line in ops.component_log(cfg, "web")), cfg.log_file.read_text()

        swept = ops.stop(cfg, timeout=20, log=lambda *_: None)
        assert swept, "the setsid child should have outlived honcho's group signal"
        assert not any(_alive(p) for p in ours), [p for p in ours if _alive(p)]
        assert ops.tagged_processes(started.tag) == []
        assert bystander.poll() is None, "stop() killed a process it did not start"
        assert not cfg.pid_file.exists()
        assert ops.stop(cfg, log=lambda *_: None) == []
    finally:
        bystander.send_signal(signal.SIGKILL)
        bystander.wait()
        for pid in ops.tagged_processes(started.tag):
            os.kill(pid, signal.SIGKILL)
