"""newswire_transform: raw -> dbt staging -> GX -> dbt intermediate + marts -> GX -> publish.

Runs whenever `newswire_ingest` updates the raw Asset. Write-audit-publish:
dbt builds in the private working copy; the marts are published (atomic rename
of the working copy over the published file) only after the GX marts suite
passes. `begin_build` snapshots the last validated marts and blocks every
publisher; a failed build or audit restores them (`rollback_failed_build`), so
the published file and the working copy's marts never hold unvalidated rows.
dbt runs through astronomer-cosmos, one task per seed/model (`dbt build`, so a
model's tests run with it). Every task that opens DuckDB uses the writer pool.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior

from newswire.config import get_settings
from newswire.orchestration import MARTS_ASSET_NAME, RAW_ASSET_NAME, default_args, writer_pool
from newswire.transform import steps
from newswire.validation.runner import ValidationFailed

settings = get_settings()
RAW_ARTICLES = Asset(RAW_ASSET_NAME)
MARTS = Asset(MARTS_ASSET_NAME)
SCHEDULE = [RAW_ARTICLES] if settings.transform_schedule == "asset" else settings.transform_schedule

DBT_PROJECT = ProjectConfig(
    dbt_project_path=settings.dbt_project_dir,
    # The profile reads the DuckDB path from here, for `dbt ls` and for the runs.
    env_vars={"NEWSWIRE_DBT_PATH": str(settings.work_db)},
    install_dbt_deps=False,
)
DBT_PROFILE = ProfileConfig(
    profile_name="newswire",
    target_name="dev",
    profiles_yml_filepath=settings.dbt_project_dir / "profiles.yml",
)
# dbt runs in-process (dbtRunner), but Cosmos checks that a dbt CLI exists before `dbt ls`
# and falls back to this path when `dbt` is not on PATH (a venv that is not activated).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() else (
    shutil.which("dbt") or "dbt"
)
DBT_EXECUTION = ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER, dbt_executable_path=DBT_EXECUTABLE)
DBT_OPERATOR_ARGS = {"pool": writer_pool(), "install_deps": False, "retries": 1}


def _render(select: list[str]) -> RenderConfig:
    return RenderConfig(
        select=select,
        # `dbt ls` (through dbtRunner, offline) understands everything dbt does,
        # and Cosmos caches its output until a project file changes.
        load_method=LoadMode.DBT_LS,
        invocation_mode=InvocationMode.DBT_RUNNER,
        # `dbt build` per node: the model and its tests in one task.
        test_behavior=TestBehavior.BUILD,
        emit_datasets=False,
    )


def _run_id() -> str:
    return str(get_current_context()["run_id"])


@dag(
    dag_id="newswire_transform",
    schedule=SCHEDULE,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["newswire", "transform", "dbt"],
    doc_md=__doc__,
)
def newswire_transform() -> None:
    @task(pool=writer_pool())
    def begin_build() -> dict:
        return steps.begin(_run_id())

    dbt_staging = DbtTaskGroup(
        group_id="dbt_staging",
        project_config=DBT_PROJECT,
        profile_config=DBT_PROFILE,
        execution_config=DBT_EXECUTION,
        render_config=_render(steps.STAGING_SELECT),
        operator_args=DBT_OPERATOR_ARGS,
    )

    @task(pool=writer_pool())
    def check_staging() -> dict:
        try:
            return steps.check_staging(_run_id())
        except ValidationFailed as exc:  # a data problem: retrying will not help
            raise AirflowFailException(str(exc)) from exc

    dbt_marts = DbtTaskGroup(
        group_id="dbt_marts",
        project_config=DBT_PROJECT,
        profile_config=DBT_PROFILE,
        execution_config=DBT_EXECUTION,
        render_config=_render(steps.MARTS_SELECT),
        operator_args=DBT_OPERATOR_ARGS,
    )

    @task(pool=writer_pool())
    def check_marts() -> dict:
        try:
            return steps.check_marts(_run_id())
        except ValidationFailed as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(pool=writer_pool(), trigger_rule="one_failed", retries=3)
    def rollback_failed_build() -> dict:
        return steps.rollback(_run_id())

    @task(pool=writer_pool(), outlets=[MARTS])
    def publish() -> str:
        return steps.publish(_run_id())

    @task(pool=writer_pool())
    def dbt_docs(published: str) -> dict:
        return steps.dbt_docs()

    @task(pool=writer_pool())
    def summarize(docs: dict) -> dict:
        from newswire.reporting import log_summary

        summary = {"run_id": _run_id(), **steps.summary(_run_id()), **docs}
        log_summary(summary)
        return summary

    begun = begin_build()
    staged = check_staging()
    audited = check_marts()
    begun >> dbt_staging >> staged >> dbt_marts >> audited
    [begun, dbt_staging, staged, dbt_marts, audited] >> rollback_failed_build()
    published = publish()
    audited >> published
    summarize(dbt_docs(published))


dag = newswire_transform()
