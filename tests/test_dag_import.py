"""Every DAG file imports cleanly, and the ingest DAG is wired the way operators expect."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parent.parent / "dags"


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    assert "newswire_ingest" in dagbag.dag_ids


def test_ingest_schedule_and_retries(dagbag) -> None:  # type: ignore[no-untyped-def]
    from newswire.config import get_settings

    dag = dagbag.dags["newswire_ingest"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert get_settings().schedule == "@hourly"  # the default
    assert dag.schedule == "@hourly"
    for task in dag.tasks:
        assert task.retries >= 1
        assert task.retry_exponential_backoff


def test_every_duckdb_writer_is_in_the_single_slot_pool(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["newswire_ingest"]
    writers = {"discover", "load", "cluster", "validate", "publish", "summarize"}
    for task in dag.tasks:
        if task.task_id in writers:
            assert task.pool == "duckdb_writer", task.task_id
        else:
            assert task.pool != "duckdb_writer" or task.task_id in writers


def test_publish_emits_the_raw_asset(dagbag) -> None:  # type: ignore[no-untyped-def]
    from newswire.orchestration import RAW_ASSET_NAME

    task = dagbag.dags["newswire_ingest"].get_task("publish")
    assert [o.name for o in task.outlets] == [RAW_ASSET_NAME]
