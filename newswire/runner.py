"""Run the DAGs end to end in-process with `dag.test()`, as `make run` does."""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

from newswire import airflow_env
from newswire.config import PROJECT_ROOT

log = logging.getLogger(__name__)


def load_dag(dag_file: str, dag_id: str) -> Any:
    """Import a DAG file from dags/ the way the DAG processor would."""
    path = Path(PROJECT_ROOT / "dags" / dag_file)
    spec = importlib.util.spec_from_file_location(f"newswire_dag_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if getattr(value, "dag_id", None) == dag_id:
            return value
    from airflow.sdk import DAG

    for value in vars(module).values():
        if isinstance(value, DAG):
            return value
    raise LookupError(f"no DAG {dag_id} in {path}")


def test_dag(dag_file: str, dag_id: str) -> tuple[str, Any]:
    """Run one DAG once via dag.test(); return its final state and the DagRun."""
    airflow_env.configure()
    airflow_env.init_db()
    dag = load_dag(dag_file, dag_id)
    dag_run = dag.test()
    state = str(getattr(dag_run, "state", "unknown"))
    log.info("%s finished: %s", dag_id, state)
    return state, dag_run
