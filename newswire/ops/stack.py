"""Start, inspect and stop a local Airflow 3 stack for Newswire without Docker.

``make up`` runs ``python -m newswire.ops.stack up``: it prepares an Airflow home
(SQLite metadata DB, LocalExecutor, simple auth manager with one admin user),
creates the DuckDB writer pool, makes sure a dbt docs site exists, then starts
six background processes, each in its own session (process group):

* ``api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` (Airflow);
* ``dbt-docs`` and ``data-docs``: ``python -m http.server`` on 127.0.0.1 serving
  the dbt docs site and the Great Expectations Data Docs site.

Each PID goes to ``$AIRFLOW_HOME/pids/<name>.pid`` (first line the PID, second
line the process start time from /proc, so a recycled PID is never mistaken for
ours). ``make down`` reads those files and stops exactly those processes, their
process groups and any descendants that left the group, and nothing else.

Everything is configured through environment variables so that the same code
serves ``make up`` and the browser tests (which use a temporary home, warehouse,
inbox and free ports):

============================  =========================================
``AIRFLOW_HOME``              Airflow home (default ``<repo>/.airflow``)
``NEWSWIRE_AIRFLOW_PORT``     Airflow UI / API (default 8080)
``NEWSWIRE_DBT_DOCS_PORT``    dbt docs static site (default 8081)
``NEWSWIRE_DATA_DOCS_PORT``   GX Data Docs static site (default 8082)
``NEWSWIRE_ADMIN_USER``       login name (default ``admin``)
``NEWSWIRE_ADMIN_PASSWORD``   fixed password (default: generated once, kept)
``NEWSWIRE_AIRFLOW_PARALLELISM``  LocalExecutor slots (default 4)
``NEWSWIRE_AIRFLOW_EXECUTOR``  ``LocalExecutor`` (default) or ``CeleryExecutor``
``NEWSWIRE_AIRFLOW_DB_URL``   metadata DB (default SQLite in the home)
``NEWSWIRE_CELERY_BROKER_URL``, ``NEWSWIRE_CELERY_RESULT_BACKEND``  for Celery
``NEWSWIRE_*``                every pipeline setting (see newswire.config)
============================  =========================================
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswire.config import PROJECT_ROOT, Settings

AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
DOC_SERVERS = ("dbt-docs", "data-docs")
COMPONENTS = AIRFLOW_COMPONENTS + DOC_SERVERS
DAG_IDS = ("newswire_ingest", "newswire_transform")
DBT_DOCS_SLUG = "newswire"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
HOST = "127.0.0.1"

_PLACEHOLDER = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 3em;">
<h1>{title}</h1><p>{body}</p></body></html>
"""


class StackError(RuntimeError):
    """The stack could not be started or stopped as asked."""


@contextmanager
def _patched_environ(env: Mapping[str, str]) -> Iterator[None]:
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(old)


@dataclass
class StackConfig:
    """Where the stack lives and how it is reached; build with :meth:`from_env`."""

    airflow_home: Path
    airflow_port: int = 8080
    dbt_docs_port: int = 8081
    data_docs_port: int = 8082
    admin_user: str = "admin"
    admin_password: str | None = None
    parallelism: int = 4
    executor: str = "LocalExecutor"
    #: SQLAlchemy URL of the metadata DB; None: SQLite in the home.
    db_url: str | None = None
    celery_broker_url: str | None = None
    celery_result_backend: str | None = None
    #: The environment the stack's processes inherit (NEWSWIRE_* settings included).
    base_env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    bin_dir: Path = field(default_factory=lambda: Path(sys.executable).parent)
    repo: Path = PROJECT_ROOT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow").expanduser().resolve()
        return cls(
            airflow_home=home,
            airflow_port=int(env.get("NEWSWIRE_AIRFLOW_PORT") or 8080),
            dbt_docs_port=int(env.get("NEWSWIRE_DBT_DOCS_PORT") or 8081),
            data_docs_port=int(env.get("NEWSWIRE_DATA_DOCS_PORT") or 8082),
            admin_user=env.get("NEWSWIRE_ADMIN_USER") or "admin",
            admin_password=env.get("NEWSWIRE_ADMIN_PASSWORD") or None,
            parallelism=int(env.get("NEWSWIRE_AIRFLOW_PARALLELISM") or 4),
            executor=env.get("NEWSWIRE_AIRFLOW_EXECUTOR") or "LocalExecutor",
            db_url=env.get("NEWSWIRE_AIRFLOW_DB_URL") or None,
            celery_broker_url=env.get("NEWSWIRE_CELERY_BROKER_URL") or None,
            celery_result_backend=env.get("NEWSWIRE_CELERY_RESULT_BACKEND") or None,
            base_env=env,
        )

    # -- derived paths -----------------------------------------------------

    @property
    def pid_dir(self) -> Path:
        return self.airflow_home / "pids"

    @property
    def log_dir(self) -> Path:
        return self.airflow_home / "logs" / "stack"

    @property
    def password_file(self) -> Path:
        configured = self.base_env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
        return Path(configured) if configured else self.airflow_home / "simple_auth_manager_passwords.json.generated"

    @property
    def secrets_file(self) -> Path:
        return self.airflow_home / "stack-secrets.json"

    @property
    def airflow_url(self) -> str:
        return f"http://{HOST}:{self.airflow_port}"

    @property
    def dbt_docs_url(self) -> str:
        return f"http://{HOST}:{self.dbt_docs_port}/"

    @property
    def data_docs_url(self) -> str:
        return f"http://{HOST}:{self.data_docs_port}/"

    @property
    def cosmos_docs_url(self) -> str:
        return f"{self.airflow_url}/cosmos/{DBT_DOCS_SLUG}/dbt_docs_index.html"

    def settings(self) -> Settings:
        """The pipeline settings as the stack's processes will see them."""
        with _patched_environ(self.base_env):
            return Settings()

    def data_docs_dir(self) -> Path:
        # GX's file context lives at <warehouse_dir>/gx and keeps its project in gx/.
        return self.settings().warehouse_dir / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"

    def exe(self, name: str) -> str:
        path = self.bin_dir / name
        if not path.exists():
            raise StackError(f"{path} not found: run `make setup` first")
        return str(path)

    # -- environment -------------------------------------------------------

    def _secrets(self) -> dict[str, str]:
        """Keys every Airflow component must share; generated once, kept in the home."""
        if self.secrets_file.exists():
            return json.loads(self.secrets_file.read_text())
        from cryptography.fernet import Fernet

        values = {
            "jwt_secret": secrets.token_urlsafe(64),
            "api_secret_key": secrets.token_urlsafe(32),
            "fernet_key": Fernet.generate_key().decode(),
        }
        self.airflow_home.mkdir(parents=True, exist_ok=True)
        self.secrets_file.write_text(json.dumps(values, indent=2))
        self.secrets_file.chmod(0o600)
        return values

    def env(self) -> dict[str, str]:
        """The environment of every process the stack starts."""
        env = dict(self.base_env)
        home = str(self.airflow_home)
        keys = self._secrets()
        settings = self.settings()
        docs_projects = {
            DBT_DOCS_SLUG: {"dir": str(settings.docs_dir), "index": "index.html", "name": "dbt Docs (Newswire)"}
        }
        forced = {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.repo / "dags"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.db_url or f"sqlite:///{home}/airflow.db",
            # Airflow 3 has no SequentialExecutor; LocalExecutor runs on SQLite
            # (it is what `airflow standalone` uses).
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.admin_user}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.password_file),
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(self.airflow_port),
            "AIRFLOW__API__BASE_URL": self.airflow_url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.airflow_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
            "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.airflow_home / "logs"),
            "AIRFLOW__COSMOS__DBT_DOCS_PROJECTS": json.dumps(docs_projects),
            "PYTHONUNBUFFERED": "1",
        }
        defaults = {
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            # newswire_transform runs `dbt ls` (Cosmos) while parsing when its cache is
            # cold; on a busy 2-core machine that can take longer than the default 30s.
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "180",
            "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "240",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "GX_ANALYTICS_ENABLED": "False",
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        }
        if self.celery:
            if not (self.db_url and self.celery_broker_url):
                raise StackError("CeleryExecutor needs NEWSWIRE_AIRFLOW_DB_URL and NEWSWIRE_CELERY_BROKER_URL")
            forced["AIRFLOW__CELERY__BROKER_URL"] = self.celery_broker_url
            forced["AIRFLOW__CELERY__RESULT_BACKEND"] = self.celery_result_backend or "db+" + self.db_url.replace(
                "postgresql+psycopg2://", "postgresql://"
            )
            forced["AIRFLOW__CELERY__WORKER_CONCURRENCY"] = str(self.parallelism)
        env.update(forced)
        for key, value in defaults.items():
            env.setdefault(key, value)
        # Make the pipeline's paths explicit, so the DAGs' task processes agree
        # with the docs servers whatever their working directory.
        env["NEWSWIRE_INBOX"] = str(settings.inbox)
        env["NEWSWIRE_WAREHOUSE"] = str(settings.warehouse)
        path = env.get("PATH", "")
        if str(self.bin_dir) not in path.split(os.pathsep):
            env["PATH"] = os.pathsep.join([str(self.bin_dir), path]) if path else str(self.bin_dir)
        return env

    @property
    def celery(self) -> bool:
        return self.executor.rsplit(".", 1)[-1] == "CeleryExecutor"

    def components(self) -> tuple[str, ...]:
        workers = ("celery-worker",) if self.celery else ()
        return AIRFLOW_COMPONENTS + workers + DOC_SERVERS

    def commands(self) -> dict[str, list[str]]:
        python = self.exe("python")
        airflow = [python, "-m", "airflow"]  # works in any venv that has Airflow importable
        settings = self.settings()
        return {
            "celery-worker": [*airflow, "celery", "worker", "--concurrency", str(self.parallelism)],
            "api-server": [*airflow, "api-server", "--host", HOST, "--port", str(self.airflow_port), "--workers", "1"],
            "scheduler": [*airflow, "scheduler"],
            "dag-processor": [*airflow, "dag-processor"],
            "triggerer": [*airflow, "triggerer"],
            "dbt-docs": [python, "-m", "http.server", str(self.dbt_docs_port), "--bind", HOST,
                         "--directory", str(settings.docs_dir)],
            "data-docs": [python, "-m", "http.server", str(self.data_docs_port), "--bind", HOST,
                          "--directory", str(self.data_docs_dir())],
        }


# -- process bookkeeping ---------------------------------------------------


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks); None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces; it is wrapped in parentheses.
    rest = stat[stat.rindex(")") + 2 :].split()
    if rest[0] == "Z":  # a zombie is as good as gone
        return None
    return rest[19]


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(pid: int) -> list[int]:
    children = _children_map()
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class Recorded:
    name: str
    pid: int
    start: str
    pid_file: Path

    def alive(self) -> bool:
        return _start_time(self.pid) == self.start


def read_pid_files(cfg: StackConfig) -> list[Recorded]:
    out = []
    if not cfg.pid_dir.is_dir():
        return out
    for pid_file in sorted(cfg.pid_dir.glob("*.pid")):
        lines = pid_file.read_text().split()
        if not lines or not lines[0].isdigit():
            continue
        out.append(Recorded(pid_file.stem, int(lines[0]), lines[1] if len(lines) > 1 else "", pid_file))
    return out


def _spawn(cfg: StackConfig, name: str, cmd: list[str], env: dict[str, str]) -> Recorded:
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    cfg.pid_dir.mkdir(parents=True, exist_ok=True)
    log_path = cfg.log_dir / f"{name}.log"
    with open(log_path, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {' '.join(cmd)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            cwd=str(cfg.repo),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own session and process group: `down` signals the group
        )
    start = None
    for _ in range(50):
        start = _start_time(proc.pid)
        if start:
            break
        time.sleep(0.02)
    pid_file = cfg.pid_dir / f"{name}.pid"
    pid_file.write_text(f"{proc.pid}\n{start or ''}\n")
    return Recorded(name, proc.pid, start or "", pid_file)


# -- HTTP helpers ------------------------------------------------------------


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
                raise StackError(f"login as {self.username} failed: HTTP {status} {body}")
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
            raise StackError(f"{method} {path}: HTTP {status} {payload}")
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


# -- steps of `up` -----------------------------------------------------------


def admin_password(cfg: StackConfig) -> str:
    """The admin's password: NEWSWIRE_ADMIN_PASSWORD, or the one kept in the home, or a new one."""
    stored: dict[str, str] = {}
    if cfg.password_file.exists():
        try:
            stored = json.loads(cfg.password_file.read_text() or "{}")
        except ValueError:
            stored = {}
    password = cfg.admin_password or stored.get(cfg.admin_user) or secrets.token_urlsafe(12)
    if stored.get(cfg.admin_user) != password:
        stored[cfg.admin_user] = password
        cfg.password_file.parent.mkdir(parents=True, exist_ok=True)
        cfg.password_file.write_text(json.dumps(stored))
    cfg.password_file.chmod(0o600)
    return password


def _run(cmd: list[str], env: dict[str, str], cfg: StackConfig, log_name: str, timeout: float) -> None:
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = cfg.log_dir / f"{log_name}.log"
    with open(log_path, "ab") as log:
        proc = subprocess.run(cmd, cwd=str(cfg.repo), env=env, stdout=log, stderr=subprocess.STDOUT,
                              timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        raise StackError(f"{' '.join(cmd[:4])} ... failed (exit {proc.returncode}); see {log_path}:\n{tail}")


def init_metadata(cfg: StackConfig, env: dict[str, str]) -> None:
    """Create or upgrade the metadata DB and the writer pool (newswire.airflow_env.init_db)."""
    code = "from newswire import airflow_env; airflow_env.init_db()"
    _run([str(cfg.bin_dir / "python"), "-c", code], env, cfg, "init", timeout=600)


def ensure_dbt_docs(cfg: StackConfig, env: dict[str, str], log: Any = print) -> None:
    """Generate the dbt docs site unless the transform DAG already did."""
    settings = cfg.settings()
    docs = settings.docs_dir
    if (docs / "index.html").exists() and (docs / "manifest.json").exists():
        return
    docs.mkdir(parents=True, exist_ok=True)
    # The working copy if there is one; otherwise a scratch file, so that dbt does
    # not create an empty working copy (the pipeline seeds it from the published file).
    db_path = settings.work_db if settings.work_db.exists() else cfg.airflow_home / "dbt_docs_scratch.duckdb"
    log(f"generating dbt docs into {docs} (against {db_path}) ...")
    dbt_env = dict(env, NEWSWIRE_DBT_PATH=str(db_path))
    project = str(settings.dbt_project_dir)
    dbt = [cfg.exe("python"), "-c", "import sys; from dbt.cli.main import cli; sys.exit(cli())"]
    cmd = [*dbt, "docs", "generate", "--project-dir", project, "--profiles-dir", project,
           "--target-path", str(docs), "--log-path", str(cfg.log_dir / "dbt")]
    try:
        _run(cmd, dbt_env, cfg, "dbt-docs-generate", timeout=600)
    except (StackError, subprocess.TimeoutExpired) as exc:
        log(f"WARNING: dbt docs generate failed; the transform DAG will generate them. {exc}")
        if not (docs / "index.html").exists():
            (docs / "index.html").write_text(_PLACEHOLDER.format(
                title="dbt docs not generated yet",
                body="The newswire_transform DAG writes the dbt docs here after its first run."))


def ensure_data_docs_dir(cfg: StackConfig) -> None:
    site = cfg.data_docs_dir()
    site.mkdir(parents=True, exist_ok=True)
    if not (site / "index.html").exists():
        (site / "index.html").write_text(_PLACEHOLDER.format(
            title="Great Expectations Data Docs",
            body="No validation has run yet: the newswire_ingest DAG builds this site when it validates a batch."))


def wait_for_api(cfg: StackConfig, procs: Mapping[str, Recorded], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    url = f"{cfg.airflow_url}/api/v2/monitor/health"
    while time.monotonic() < deadline:
        dead = [name for name, rec in procs.items() if not rec.alive()]
        if dead:
            raise StackError(f"{', '.join(dead)} exited during start-up; see the logs in {cfg.log_dir}")
        try:
            status, _ = _http(url, timeout=3)
            if status == 200:
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(1)
    raise StackError(f"the API server did not answer on {url} within {timeout:.0f}s; see {cfg.log_dir}/api-server.log")


def wait_for_dags(client: AirflowClient, dag_ids: tuple[str, ...], timeout: float) -> tuple[set[str], list]:
    """Wait until the DAG processor has serialized `dag_ids`; return what was found and import errors."""
    deadline = time.monotonic() + timeout
    found: set[str] = set()
    errors: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = client.dag_ids() & set(dag_ids)
        errors = client.import_errors()
        if found == set(dag_ids):
            break
        time.sleep(2)
    return found, errors


def up(cfg: StackConfig, *, dag_timeout: float = 180, log: Any = print,
       unpause: tuple[str, ...] = DAG_IDS, generate_docs: bool = True) -> dict[str, Any]:
    """Start the stack; return the URLs and credentials. Raises StackError on failure."""
    running = [r for r in read_pid_files(cfg) if r.alive()]
    if running:
        names = ", ".join(f"{r.name} ({r.pid})" for r in running)
        raise StackError(f"already running: {names}. Run `make down` first.")
    for stale in read_pid_files(cfg):
        stale.pid_file.unlink(missing_ok=True)
    for port in (cfg.airflow_port, cfg.dbt_docs_port, cfg.data_docs_port):
        if port_in_use(port):
            raise StackError(f"port {port} on {HOST} is in use; set NEWSWIRE_AIRFLOW_PORT, "
                             "NEWSWIRE_DBT_DOCS_PORT or NEWSWIRE_DATA_DOCS_PORT")
    cfg.airflow_home.mkdir(parents=True, exist_ok=True)
    password = admin_password(cfg)
    env = cfg.env()
    settings = cfg.settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    env_file = cfg.airflow_home / "env.sh"
    wanted = sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSWIRE_")))
    env_file.write_text("".join(f"export {k}={_shell_quote(env[k])}\n" for k in wanted))
    env_file.chmod(0o600)

    log(f"Airflow home: {cfg.airflow_home}")
    log("initialising the metadata DB and the writer pool ...")
    init_metadata(cfg, env)
    if generate_docs:
        ensure_dbt_docs(cfg, env, log)
    else:
        cfg.settings().docs_dir.mkdir(parents=True, exist_ok=True)
    ensure_data_docs_dir(cfg)

    started: dict[str, Recorded] = {}
    try:
        commands = cfg.commands()
        for name in cfg.components():
            started[name] = _spawn(cfg, name, commands[name], env)
        log("waiting for the API server ...")
        wait_for_api(cfg, started)
        client = AirflowClient(cfg.airflow_url, cfg.admin_user, password)
        log("waiting for the DAG processor to load the DAGs ...")
        found, errors = wait_for_dags(client, DAG_IDS, dag_timeout)
        for dag_id in sorted(found & set(unpause)):
            client.unpause(dag_id)
    except BaseException:
        stop(cfg, log=lambda *_: None)
        raise
    missing = sorted(set(DAG_IDS) - found)
    info = {
        "airflow_url": cfg.airflow_url,
        "dbt_docs_url": cfg.dbt_docs_url,
        "data_docs_url": cfg.data_docs_url,
        "cosmos_docs_url": cfg.cosmos_docs_url,
        "username": cfg.admin_user,
        "password": password,
        "password_file": str(cfg.password_file),
        "unpaused": sorted(found & set(unpause)),
        "missing_dags": missing,
        "import_errors": errors,
        "inbox": str(settings.inbox),
        "warehouse": str(settings.warehouse),
        "pids": {name: rec.pid for name, rec in started.items()},
    }
    _print_banner(cfg, info, log)
    return info


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _print_banner(cfg: StackConfig, info: dict[str, Any], log: Any) -> None:
    log("")
    log("Newswire is up.")
    log(f"  Airflow UI        {info['airflow_url']}   (user {info['username']}, password {info['password']})")
    log(f"                    password kept in {info['password_file']}")
    log(f"  dbt docs          {info['dbt_docs_url']}")
    log(f"  dbt docs (in UI)  {info['cosmos_docs_url']}   (Browse > dbt Docs (Newswire))")
    log(f"  GX Data Docs      {info['data_docs_url']}")
    log(f"  inbox             {info['inbox']}   (new files are picked up by the next hourly ingest)")
    log(f"  warehouse         {info['warehouse']}")
    log(f"  logs              {cfg.log_dir}   (task logs under {cfg.airflow_home / 'logs'})")
    log(f"  executor          {cfg.executor}")
    log(f"  unpaused DAGs     {', '.join(info['unpaused']) or 'none'}")
    if info["missing_dags"]:
        log(f"  WARNING: not loaded: {', '.join(info['missing_dags'])}")
    for err in info["import_errors"]:
        log(f"  IMPORT ERROR in {err.get('filename')}:\n{err.get('stack_trace')}")
    log(f"  CLI against it:   source {cfg.airflow_home / 'env.sh'} && airflow dags list")
    log("Stop with `make down`.")


# -- down / status -------------------------------------------------------------


def stop(cfg: StackConfig, *, timeout: float = 30, log: Any = print) -> list[str]:
    """Stop the processes recorded in the PID files (their groups and descendants)."""
    stopped: list[str] = []
    records = read_pid_files(cfg)
    # Order matters a little: stop the scheduler before the API server its tasks report to.
    order = {name: i for i, name in enumerate(
        ("scheduler", "celery-worker", "triggerer", "dag-processor", "api-server"))}
    records.sort(key=lambda r: order.get(r.name, len(order)))
    targets: dict[str, tuple[Recorded, list[int]]] = {}
    for rec in records:
        if not rec.alive():
            log(f"{rec.name}: not running (stale PID file)")
            rec.pid_file.unlink(missing_ok=True)
            continue
        targets[rec.name] = (rec, _descendants(rec.pid))
    for name, (rec, kids) in targets.items():
        log(f"stopping {name} (pid {rec.pid})")
        _signal_all(rec.pid, kids, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for name, (rec, kids) in targets.items():
        pids = [rec.pid, *kids]
        while time.monotonic() < deadline and any(_alive_pid(p) for p in pids):
            time.sleep(0.2)
        leftover = [p for p in pids if _alive_pid(p)]
        if leftover:
            log(f"{name}: still running after {timeout:.0f}s, sending SIGKILL to {leftover}")
            _signal_all(rec.pid, [p for p in kids if p in leftover], signal.SIGKILL)
        rec.pid_file.unlink(missing_ok=True)
        stopped.append(name)
    return stopped


def _alive_pid(pid: int) -> bool:
    return _start_time(pid) is not None


def _signal_all(leader: int, kids: list[int], sig: int) -> None:
    # The leader started its own session, so its PID is also its process group id.
    try:
        if os.getpgid(leader) == leader:
            os.killpg(leader, sig)
        else:
            os.kill(leader, sig)
    except ProcessLookupError:
        pass
    for pid in kids:  # descendants that moved to a group of their own
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def status(cfg: StackConfig, log: Any = print) -> dict[str, bool]:
    states = {}
    records = {r.name: r for r in read_pid_files(cfg)}
    for name in cfg.components():
        rec = records.get(name)
        states[name] = bool(rec and rec.alive())
        where = f"pid {rec.pid}" if rec else "no PID file"
        log(f"{name:14} {'running' if states[name] else 'stopped'} ({where})")
    return states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.ops.stack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "env", "prepare"],
                        help="prepare: only the password file and the docs sites (the containers' init step)")
    args = parser.parse_args(argv)
    cfg = StackConfig.from_env()
    try:
        if args.command == "up":
            up(cfg)
        elif args.command == "down":
            stopped = stop(cfg)
            print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        elif args.command == "prepare":
            admin_password(cfg)
            ensure_dbt_docs(cfg, dict(os.environ))
            ensure_data_docs_dir(cfg)
            print(f"password file {cfg.password_file}; dbt docs in {cfg.settings().docs_dir}")
        elif args.command == "status":
            return 0 if all(status(cfg).values()) else 3
        else:
            env = cfg.env()
            for key in sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSWIRE_"))):
                print(f"export {key}={_shell_quote(env[key])}")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
