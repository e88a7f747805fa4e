"""Airflow settings for running the project's DAGs in-process (`make run`, tests).

Must be imported before anything imports airflow: Airflow reads its configuration
from the environment once, at import time.
"""

from __future__ import annotations

import os

from newswire.config import PROJECT_ROOT


def configure(airflow_home: str | None = None) -> str:
    """Point Airflow at a project-local home (SQLite metadata DB) unless already set."""
    home = airflow_home or os.environ.get("AIRFLOW_HOME") or str(PROJECT_ROOT / ".airflow")
    os.environ["AIRFLOW_HOME"] = home
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")
    os.environ.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("SCARF_ANALYTICS", "false")
    os.makedirs(home, exist_ok=True)
    return home


def init_db() -> None:
    """Create or upgrade Airflow's metadata DB and the writer pool; idempotent."""
    from airflow.utils import db

    db.initdb() if hasattr(db, "initdb") else db.upgradedb()
    from newswire.orchestration import ensure_pool

    ensure_pool()
