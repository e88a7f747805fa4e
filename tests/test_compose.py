"""docker-compose.yml, Dockerfile and .dockerignore describe the Celery topology.

The structure is checked by reading the YAML (always); `docker compose config`
(or the older `docker-compose config`) validates and normalises the file when a
compose client is installed, and the same assertions run on its output.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"
AIRFLOW_SERVICES = {
    "airflow-init": None,
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery",
}


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def _volume_target(volume: str | dict[str, Any]) -> str:
    if isinstance(volume, dict):
        return str(volume["target"])
    spec = volume.removesuffix(":ro").removesuffix(":rw")
    return spec.rsplit(":", 1)[1]


def _check_topology(doc: dict[str, Any]) -> None:
    services = doc["services"]
    assert {"postgres", "redis", "docs", *AIRFLOW_SERVICES} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name, subcommand in AIRFLOW_SERVICES.items():
        svc = services[name]
        env = svc["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://"), name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
        assert "newswire" in env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"]
        assert env["NEWSWIRE_WAREHOUSE"].startswith("/data/warehouse/")
        assert env["NEWSWIRE_INBOX"] == "/data/inbox"
        assert svc["build"]["dockerfile"] == "Dockerfile"
        targets = {_volume_target(v) for v in svc["volumes"]}
        assert {"/data/warehouse", "/data/inbox"} <= targets, name
        if subcommand:
            assert svc["command"][0] == subcommand, name
            assert svc["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert services["airflow-worker"]["command"][:2] == ["celery", "worker"]
    assert "healthcheck" in services["airflow-worker"]
    docs = services["docs"]
    assert docs["image"].startswith("nginx:")
    published = {str(p) for p in docs["ports"]} | {str(p.get("target")) for p in docs["ports"] if isinstance(p, dict)}
    assert any("8081" in p for p in published) and any("8082" in p for p in published)


def test_compose_file_describes_celery_topology() -> None:
    _check_topology(yaml.safe_load(COMPOSE.read_text()))


def test_docker_compose_config_validates() -> None:
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no docker compose client installed")
    proc = subprocess.run([*cmd, "-f", str(COMPOSE), "config"], cwd=REPO, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    _check_topology(yaml.safe_load(proc.stdout))


def test_dockerfile_installs_the_pinned_project() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "\nFROM python:3.11-slim\n" in text
    assert "pip install -r requirements.lock" in text
    for folder in ("dags", "newswire", "dbt_project", "seeds"):
        assert f"COPY {folder} ./{folder}" in text
    for path in ("requirements.lock", "docker/requirements-celery.txt", "docker/airflow-init.sh", "docker/nginx.conf"):
        assert (REPO / path).exists(), path
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", ".airflow", "warehouse", ".git"} <= set(ignored)


def _compose_defaults(service: str) -> dict[str, str]:
    """A service's environment as compose resolves it with no .env: every ${VAR:-default} at its default."""
    import re

    env = yaml.safe_load(COMPOSE.read_text())["services"][service]["environment"]
    resolve = lambda v: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v))  # noqa: E731
    return {k: resolve(v) for k, v in env.items()}


def test_compose_defaults_are_named_and_refused_in_production() -> None:
    from newswire.ops import credentials

    env = _compose_defaults("airflow-init")
    found = credentials.default_credentials(env)
    text = "\n".join(found)
    # admin/admin login, airflow/airflow database, placeholder keys, no Fernet key: each named with its fix.
    for variable in ("NEWSWIRE_ADMIN_PASSWORD", "POSTGRES_PASSWORD", "AIRFLOW_SECRET_KEY", "AIRFLOW_JWT_SECRET",
                     "AIRFLOW_FERNET_KEY"):
        assert variable in text, variable
    notes: list[str] = []
    assert credentials.check(env, log=notes.append) == found
    assert any("NEWSWIRE_ENV=production" in n for n in notes)
    with pytest.raises(credentials.DefaultCredentialsError, match="POSTGRES_PASSWORD"):
        credentials.check({**env, "NEWSWIRE_ENV": "production"})
    chosen = {
        **env,
        "NEWSWIRE_ENV": "production",
        "NEWSWIRE_ADMIN_PASSWORD": "a-long-chosen-pass",
        "AIRFLOW__API__SECRET_KEY": "k" * 32,
        "AIRFLOW__API_AUTH__JWT_SECRET": "j" * 64,
        "AIRFLOW__CORE__FERNET_KEY": "f" * 44,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:a-db-secret@postgres:5432/airflow",
    }
    assert credentials.check(chosen) == []


def test_compose_init_step_refuses_defaults_in_production(tmp_path: Path) -> None:
    """`python -m newswire.ops.stack prepare` is airflow-init's step; it exits 1 before writing anything."""
    import os
    import sys

    env = {**os.environ, **_compose_defaults("airflow-init"), "NEWSWIRE_ENV": "production",
           "AIRFLOW_HOME": str(tmp_path / "home"),
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "auth" / "passwords.json"),
           "NEWSWIRE_WAREHOUSE": str(tmp_path / "wh" / "newswire.duckdb")}
    proc = subprocess.run([sys.executable, "-m", "newswire.ops.stack", "prepare"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NEWSWIRE_ADMIN_PASSWORD" in proc.stderr
    assert not (tmp_path / "auth" / "passwords.json").exists()


def test_compose_ports_listen_on_loopback_by_default() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("airflow-apiserver", "docs", "flower"):
        for port in services[name]["ports"]:
            assert str(port).startswith("${NEWSWIRE_BIND:-127.0.0.1}:"), (name, port)
