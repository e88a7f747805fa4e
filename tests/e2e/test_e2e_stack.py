"""`make up` / `make down` bookkeeping, without starting Airflow: settings, password, PIDs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newswire.ops import stack as ops


@pytest.fixture
def cfg(tmp_path: Path) -> ops.StackConfig:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(
        AIRFLOW_HOME=str(tmp_path / "home"),
        NEWSWIRE_WAREHOUSE=str(tmp_path / "wh" / "newswire.duckdb"),
        NEWSWIRE_INBOX=str(tmp_path / "inbox"),
        NEWSWIRE_AIRFLOW_PORT="18555",
        NEWSWIRE_DBT_DOCS_PORT="18556",
        NEWSWIRE_DATA_DOCS_PORT="18557",
    )
    env.pop("NEWSWIRE_ADMIN_PASSWORD", None)
    env.pop("NEWSWIRE_WORK_DB", None)
    return ops.StackConfig.from_env(env)


def test_stack_environment(cfg: ops.StackConfig, tmp_path: Path) -> None:
    env = cfg.env()
    home = tmp_path / "home"
    assert env["AIRFLOW_HOME"] == str(home)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home}/airflow.db"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:18555"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18555/execution/"
    docs = json.loads(env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"])
    assert docs["newswire"]["dir"] == str(tmp_path / "wh" / "dbt_docs")
    assert env["NEWSWIRE_WAREHOUSE"] == str(tmp_path / "wh" / "newswire.duckdb")
    # Every component must share the JWT secret; it is generated once and kept.
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == cfg.env()["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert (home / "stack-secrets.json").stat().st_mode & 0o077 == 0
    commands = cfg.commands()
    assert cfg.components() == ops.COMPONENTS  # no Celery worker with the LocalExecutor
    assert set(ops.COMPONENTS) <= set(commands)
    assert commands["dbt-docs"][-1] == str(tmp_path / "wh" / "dbt_docs")
    assert commands["data-docs"][-1].endswith("gx/gx/uncommitted/data_docs/local_site")
    assert "127.0.0.1" in commands["api-server"] and "127.0.0.1" in commands["dbt-docs"]


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


def test_down_stops_what_up_started_and_nothing_else(cfg: ops.StackConfig) -> None:
    # A recorded "component" with a child that leaves the process group (as
    # Airflow's task processes do), and a bystander that nobody recorded.
    script = "setsid sleep 301 & sleep 302 & wait"
    recorded = ops._spawn(cfg, "fake", ["bash", "-c", script], dict(os.environ))
    bystander = subprocess.Popen(["sleep", "303"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while len(ops._descendants(recorded.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        kids = ops._descendants(recorded.pid)
        assert len(kids) >= 2
        assert (cfg.pid_dir / "fake.pid").read_text().split()[0] == str(recorded.pid)

        # A PID file whose process is gone or was replaced is not acted on.
        (cfg.pid_dir / "stale.pid").write_text(f"{bystander.pid}\n1\n")

        stopped = ops.stop(cfg, timeout=10, log=lambda *_: None)
        assert stopped == ["fake"]
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in [recorded.pid, *kids]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in [recorded.pid, *kids])
        assert bystander.poll() is None, "stop() killed a process it did not start"
        assert list(cfg.pid_dir.glob("*.pid")) == []
        assert ops.stop(cfg, log=lambda *_: None) == []
    finally:
        bystander.send_signal(signal.SIGKILL)
        bystander.wait()
        for pid in [recorded.pid, *ops._descendants(recorded.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
