"""`make up` and default credentials: a note in a trial, a refusal with NEWSWIRE_ENV=production.

(docker-compose.yml's defaults are checked in tests/test_compose.py.)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from newswire.ops import credentials
from newswire.ops import stack as ops


@pytest.fixture
def cfg(tmp_path: Path) -> ops.StackConfig:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(AIRFLOW_HOME=str(tmp_path / "home"), NEWSWIRE_WAREHOUSE=str(tmp_path / "wh" / "newswire.duckdb"),
               NEWSWIRE_INBOX=str(tmp_path / "inbox"), NEWSWIRE_AIRFLOW_PORT=str(ops.free_port()),
               NEWSWIRE_DBT_DOCS_PORT=str(ops.free_port()), NEWSWIRE_DATA_DOCS_PORT=str(ops.free_port()))
    for key in ("NEWSWIRE_ADMIN_PASSWORD", "NEWSWIRE_WORK_DB", "NEWSWIRE_ENV"):
        env.pop(key, None)
    return ops.StackConfig.from_env(env)


def test_a_trial_is_told_how_to_change_the_password() -> None:
    notes: list[str] = []
    credentials.check({}, generated_password=True, log=notes.append)
    assert any("NEWSWIRE_ADMIN_PASSWORD" in n for n in notes), notes
    assert credentials.check({"NEWSWIRE_ADMIN_PASSWORD": "a-long-chosen-pass"}, log=notes.append) == []
    for weak in ("admin", "Airflow", "short"):
        assert credentials.default_credentials({"NEWSWIRE_ADMIN_PASSWORD": weak}), weak


def test_production_up_refuses_default_passwords_before_starting_anything(cfg: ops.StackConfig) -> None:
    for password in (None, "admin"):
        env = {**cfg.base_env, "NEWSWIRE_ENV": "production"}
        if password:
            env["NEWSWIRE_ADMIN_PASSWORD"] = password
        prod = ops.StackConfig.from_env(env)
        with pytest.raises(ops.StackError, match="NEWSWIRE_ENV=production"):
            ops.up(prod, log=lambda *_: None)
        assert not prod.pid_file.exists() and not prod.password_file.exists()
    # The same from the command line: exit 1, the reason on stderr.
    env = {**cfg.base_env, "NEWSWIRE_ENV": "production", "NEWSWIRE_ADMIN_PASSWORD": "admin"}
    proc = subprocess.run([str(cfg.bin_dir / "python"), "-m", "newswire.ops.stack", "up"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert "NEWSWIRE_ADMIN_PASSWORD" in proc.stderr and "production" in proc.stderr


