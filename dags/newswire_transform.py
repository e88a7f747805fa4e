"""newswire_transform: raw -> dbt staging -> GX -> dbt intermediate + marts -> GX -> publish.

Runs whenever `newswire_ingest` updates the raw Asset. Write-audit-publish:
dbt builds in the private working copy; the marts are published (atomic rename
of the working copy over the published file) only after the GX marts suite
passes. `begin_build` snapshots the last validated marts and blocks every
publisher; a failed build or audit restores them (`rollback_failed_build`), so
the published file and the working copy's marts never hold unvalidated rows.
dbt runs through astronomer-cosmos with dbtRunner (in-process, offline): by
default one `dbt build` task per phase (seeds, staging, intermediate + marts), or
with NEWSWIRE_DBT_TASKS=node a DbtTaskGroup with one task per seed/model. `dbt
build` runs each model's tests with it. Every task opens DuckDB, so every task
is in the single-slot writer pool. See docs/write-audit-publish.md.

Task order: begin_build -> dbt_staging.seeds_and_staging -> check_staging
-> dbt_marts.intermediate_and_marts -> check_marts -> publish -> dbt_docs -> summarize;
rollback_failed_build (one_failed) after every build and audit task.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from airflow.sdk import Asset, TaskGroup, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior, TestIndirectSelection
from cosmos.operators.local import DbtBuildLocalOperator

from newswire import progress
from newswire.config import get_settings
from newswire.docs import dbt_docs as docs_site
from newswire.orchestration import MARTS_ASSET_NAME, RAW_ASSET_NAME, default_args, writer_pool
from newswire.transform import steps
from newswire.validation.runner import ValidationFailed

log = logging.getLogger(__name__)
settings = get_settings()
RAW_ARTICLES = Asset(RAW_ASSET_NAME)
MARTS = Asset(MARTS_ASSET_NAME)
SCHEDULE = [RAW_ARTICLES] if settings.transform_schedule == "asset" else settings.transform_schedule

#: "phase" (default): one Cosmos dbt task per build phase, so the whole transform costs
#: four dbt invocations. "node": a Cosmos DbtTaskGroup with one task per seed/model
#: (`dbt build` of the node and its tests); finer-grained in the UI and for retries, but
#: each task pays dbt's start-up (about 5 s), roughly 30 of them per run.
DBT_TASKS = os.environ.get("NEWSWIRE_DBT_TASKS", "phase")

DBT_PROJECT_DIR = settings.dbt_project_dir
DBT_ENV = {"NEWSWIRE_DBT_PATH": str(settings.work_db)}  # the profile's DuckDB path: the working copy
DBT_PROFILE = ProfileConfig(
    profile_name="newswire",
    target_name="dev",
    profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
)
# dbt runs in-process (dbtRunner), but Cosmos checks that a dbt CLI exists before `dbt ls`
# and falls back to this path when `dbt` is not on PATH (a venv that is not activated).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() else (
    shutil.which("dbt") or "dbt"
)
DBT_EXECUTION = ExecutionConfig(
    invocation_mode=InvocationMode.DBT_RUNNER,
    dbt_executable_path=DBT_EXECUTABLE,
    # A node's `dbt build` runs only the tests whose parents are already built.
    test_indirect_selection=TestIndirectSelection.BUILDABLE,
)


class LockedDbtBuildLocalOperator(DbtBuildLocalOperator):
    """Cosmos's dbt build holding the cross-process writer lock (newswire.runlock).

    The writer pool orders this scheduler's tasks; the lock also keeps out a
    `newswire run` started from a shell, which no pool knows about.
    """

    def build_and_run_cmd(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from newswire.runlock import writer_lock

        with writer_lock(purpose=f"dbt task {self.task_id}"):
            return super().build_and_run_cmd(*args, **kwargs)


#: The selection steps.begin chose for the seeds + staging phase, rendered at run time.
STAGING_SELECT_FROM_BEGIN = "{{ ti.xcom_pull(task_ids='begin_build')['staging_select'] }}"


def _phase(task_id: str, select: list[str]) -> DbtBuildLocalOperator:
    """`dbt build --select ...` (models, seeds and their tests, in dependency order)."""
    return LockedDbtBuildLocalOperator(
        task_id=task_id,
        project_dir=str(DBT_PROJECT_DIR),
        profile_config=DBT_PROFILE,
        select=" ".join(select),
        # Only tests whose parents are selected or built before them: a seed's
        # relationships test to an intermediate model waits for that model's phase.
        indirect_selection="buildable",
        env=DBT_ENV,
        invocation_mode=InvocationMode.DBT_RUNNER,
        install_deps=False,
        pool=writer_pool(),
        retries=1,
        # Counts finished nodes for `newswire run`'s progress bar (a no-op under a worker).
        dbt_runner_callbacks=[progress.dbt_event],
        dbt_cmd_flags=steps.SCHEDULED_BUILD_FLAGS,
        # Cosmos runs dbt in a fresh copy of the project; it carries partial_parse.msgpack
        # in and out of this folder, so a run re-parses only the files that changed.
        cache_dir=settings.dbt_cache_dir,
    )


def _node_group(group_id: str, select: list[str], exclude: list[str] | None = None) -> DbtTaskGroup:
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, env_vars=DBT_ENV, install_dbt_deps=False),
        profile_config=DBT_PROFILE,
        execution_config=DBT_EXECUTION,
        render_config=RenderConfig(
            select=select,
            # `dbt ls` selects tests eagerly: keep the tests declared with later models out.
            exclude=exclude or [],
            # `dbt ls` through dbtRunner: offline, exact, cached by Cosmos until a file changes.
            load_method=LoadMode.DBT_LS,
            invocation_mode=InvocationMode.DBT_RUNNER,
            test_behavior=TestBehavior.BUILD,
            # relationships tests need both parents built: run them after both.
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        operator_args={
            "pool": writer_pool(), "install_deps": False, "retries": 1, "dbt_runner_callbacks": [progress.dbt_event],
            "dbt_cmd_flags": steps.SCHEDULED_BUILD_FLAGS,
        },
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

    if DBT_TASKS == "node":
        dbt_staging = _node_group("dbt_staging", steps.SEED_SELECT + steps.STAGING_SELECT, exclude=steps.MARTS_SELECT)
    else:
        with TaskGroup("dbt_staging") as dbt_staging:
            # one dbt invocation: each costs about 5 s of start-up (parse, adapter, Cosmos)
            # the seeds only when their files changed (steps.begin decides; Airflow renders it)
            _phase("seeds_and_staging", [STAGING_SELECT_FROM_BEGIN])

    @task(pool=writer_pool())
    def check_staging(begun: dict) -> dict:
        try:
            return steps.check_staging(_run_id(), seeds_hash=begun.get("seeds_hash"))
        except ValidationFailed as exc:  # a data problem: retrying will not help
            raise AirflowFailException(str(exc)) from exc

    if DBT_TASKS == "node":
        dbt_marts = _node_group("dbt_marts", steps.MARTS_SELECT)
    else:
        with TaskGroup("dbt_marts") as dbt_marts:
            _phase("intermediate_and_marts", steps.MARTS_SELECT)

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
        return docs_site.generate()

    @task(pool=writer_pool())
    def summarize(docs: dict) -> dict:
        summary = {"run_id": _run_id(), **steps.summary(_run_id()), **docs}
        for line in steps.describe(summary):
            log.info(line)
        return summary

    begun = begin_build()
    staged = check_staging(begun)
    audited = check_marts()
    begun >> dbt_staging >> staged >> dbt_marts >> audited
    [begun, dbt_staging, staged, dbt_marts, audited] >> rollback_failed_build()
    published = publish()
    audited >> published
    summarize(dbt_docs(published))


dag = newswire_transform()
