"""The Celery topology of docker-compose.yml, run natively: Postgres + Redis + a Celery worker.

Starts a private PostgreSQL cluster and Redis on loopback ports (Debian's
`postgresql` and `redis-server` packages), then the stack with the
CeleryExecutor (newswire.ops.stack and the Procfile's celery-worker, as `make up` does), and waits for a
`newswire_ingest` run whose tasks were executed by the Celery worker.

Optional: skipped unless the Debian packages and the Celery/Postgres extras of
docker/requirements-celery.txt are installed (the project's requirements.lock
does not pin them). Run as root (Postgres runs as the `postgres` user).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from newswire_testdata import isolated_stack_env

from newswire.ops import stack as ops

RUN_TIMEOUT = float(os.environ.get("NEWSWIRE_E2E_RUN_TIMEOUT", "1500"))


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _missing() -> str | None:
    if _pg_bin() is None:
        return "PostgreSQL server binaries not installed (apt-get install postgresql)"
    if shutil.which("redis-server") is None:
        return "redis-server not installed (apt-get install redis-server)"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "needs root and runuser to run PostgreSQL as the postgres user"
    try:
        import airflow.providers.celery.executors.celery_executor  # noqa: F401
        import psycopg2  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        return f"Celery extras not installed (docker/requirements-celery.txt): {exc}"
    return None


pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _wait(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[dict[str, str]]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    pg_bin = _pg_bin()
    assert pg_bin is not None
    # Outside pytest's private (0700) temp tree: the postgres user must reach it.
    base = Path(tempfile.mkdtemp(prefix="newswire-pg-"))
    base.chmod(0o755)
    pg_dir = base / "pg"
    pg_dir.mkdir()
    shutil.chown(pg_dir, "postgres", "postgres")
    pg_port, redis_port = ops.free_port(), ops.free_port()

    def as_postgres(*args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args]

    subprocess.run(
        as_postgres(str(pg_bin / "initdb"), "-D", str(pg_dir / "data"), "-U", "airflow", "--auth=trust", "-E", "UTF8"),
        check=True,
        capture_output=True,
    )
    procs: list[subprocess.Popen] = []
    with open(tmp_path / "postgres.log", "wb") as pg_log, open(tmp_path / "redis.log", "wb") as redis_log:
        procs.append(
            subprocess.Popen(
                as_postgres(
                    str(pg_bin / "postgres"),
                    "-D",
                    str(pg_dir / "data"),
                    "-p",
                    str(pg_port),
                    "-k",
                    str(pg_dir),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                ),
                stdout=pg_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=redis_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        _wait(
            lambda: (
                subprocess.run(
                    [str(pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(pg_port)], capture_output=True
                ).returncode
                == 0
            ),
            60,
            "PostgreSQL",
        )
        _wait(lambda: ops.port_in_use(redis_port), 30, "Redis")
        subprocess.run(
            [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", "airflow", "airflow"],
            check=True,
            capture_output=True,
        )
        yield {
            "db_url": f"postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
            "broker_url": f"redis://127.0.0.1:{redis_port}/0",
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


def test_ingest_runs_on_a_celery_worker(services: dict[str, str], tmp_path: Path) -> None:
    env = isolated_stack_env(
        tmp_path,
        "celery-e2e",
        NEWSWIRE_AIRFLOW_EXECUTOR="CeleryExecutor",
        NEWSWIRE_AIRFLOW_DB_URL=services["db_url"],
        NEWSWIRE_CELERY_BROKER_URL=services["broker_url"],
        NEWSWIRE_AIRFLOW_PARALLELISM="2",
    )
    cfg = ops.StackConfig.from_env(env)
    assert "celery-worker" in cfg.components()
    try:
        info = ops.up(
            cfg,
            unpause=("newswire_ingest",),
            generate_docs=False,
            log=lambda msg: print(f"[celery-stack] {msg}", flush=True),
        )
        client = ops.AirflowClient(cfg.airflow_url, cfg.admin_user, info["password"])
        _wait(lambda: bool(client.dag_runs("newswire_ingest")), 90, "the scheduled ingest run")
        deadline = time.monotonic() + RUN_TIMEOUT
        run = client.dag_runs("newswire_ingest")[0]
        while run["state"] not in ("success", "failed") and time.monotonic() < deadline:
            time.sleep(5)
            run = client.dag_runs("newswire_ingest")[0]
        tis = client.call(f"/dags/newswire_ingest/dagRuns/{run['dag_run_id']}/taskInstances?limit=100")
        states = {t["task_id"]: t["state"] for t in tis["task_instances"]}
        assert run["state"] == "success", f"ingest run {run['state']}: {states}"
        # Every task went through the Celery queue and was run by the worker.
        assert {t["queue"] for t in tis["task_instances"]} == {"default"}
        worker_log = "\n".join(ops.component_log(cfg, "celery-worker"))
        received = worker_log.count("received")
        assert received >= len(states), f"the worker received {received} tasks for {len(states)} task instances"
        scheduler_log = "\n".join(ops.component_log(cfg, "scheduler"))
        assert "CeleryExecutor" in scheduler_log
    finally:
        ops.stop(cfg, log=lambda msg: print(f"[celery-stack] {msg}", flush=True))
