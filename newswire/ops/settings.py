"""Where `make up`'s stack lives and how its processes are configured: StackConfig.

Every setting comes from the environment (see docs/operations.md), so `make up`
and the browser tests (temporary home, warehouse and free ports) share it. The
Airflow settings every process gets are in :meth:`StackConfig.env`; the
Procfile's lines read the ``NEWSWIRE_*`` ports and folders set there.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newswire.config import PROJECT_ROOT, Settings

AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
DOC_SERVERS = ("dbt-docs", "data-docs")
COMPONENTS = AIRFLOW_COMPONENTS + DOC_SERVERS
DBT_DOCS_SLUG = "newswire"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
HOST = "127.0.0.1"


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
    def pid_file(self) -> Path:
        """honcho's PID, its start time and the run tag of the processes it started."""
        return self.airflow_home / "stack.pid"

    @property
    def log_dir(self) -> Path:
        return self.airflow_home / "logs" / "stack"

    @property
    def log_file(self) -> Path:
        """honcho's log: every process's output, each line prefixed with the process name."""
        return self.log_dir / "stack.log"

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
        return self.settings().gx_site_dir

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
        # What the Procfile's lines read.
        env["NEWSWIRE_AIRFLOW_PORT"] = str(self.airflow_port)
        env["NEWSWIRE_DBT_DOCS_PORT"] = str(self.dbt_docs_port)
        env["NEWSWIRE_DATA_DOCS_PORT"] = str(self.data_docs_port)
        env["NEWSWIRE_DBT_DOCS_DIR"] = str(settings.docs_dir)
        env["NEWSWIRE_DATA_DOCS_DIR"] = str(self.data_docs_dir())
        env["NEWSWIRE_AIRFLOW_PARALLELISM"] = str(self.parallelism)
        env["NEWSWIRE_STACK_PROCESSES"] = " ".join(self.components())
        path = env.get("PATH", "")
        if str(self.bin_dir) not in path.split(os.pathsep):
            env["PATH"] = os.pathsep.join([str(self.bin_dir), path]) if path else str(self.bin_dir)
        return env

    @property
    def celery(self) -> bool:
        return self.executor.rsplit(".", 1)[-1] == "CeleryExecutor"

    def components(self) -> tuple[str, ...]:
        """The Procfile entries this stack runs."""
        workers = ("celery-worker",) if self.celery else ()
        return AIRFLOW_COMPONENTS + workers + DOC_SERVERS
