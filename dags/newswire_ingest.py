"""newswire_ingest: inbox files -> parsed Parquet batches -> DuckDB `raw` -> GX -> published.

This file only wires the steps; each task's logic is one module:
discover (newswire.ingest.discover), parse (newswire.ingest.extract), annotate
(newswire.nlp.annotate), load (newswire.ingest.load), cluster
(newswire.ingest.cluster), validate and quarantine (newswire.validation.raw),
publish (newswire.publish), summarize (newswire.reporting). Every step that
opens the DuckDB file runs in the single-slot writer pool.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from newswire import publish as publish_stage
from newswire import reporting
from newswire.config import get_settings
from newswire.ingest import cluster as cluster_stage
from newswire.ingest import discover as discover_stage
from newswire.ingest import extract as extract_stage
from newswire.ingest import load as load_stage
from newswire.nlp import annotate as annotate_stage
from newswire.orchestration import RAW_ASSET_NAME, default_args, writer_pool
from newswire.validation import raw as raw_validation
from newswire.validation.runner import ValidationFailed

settings = get_settings()
RAW_ARTICLES = Asset(RAW_ASSET_NAME)


def _run_id() -> str:
    return str(get_current_context()["run_id"])


@dag(
    dag_id="newswire_ingest",
    schedule=settings.schedule,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["newswire", "ingest"],
    doc_md=__doc__,
)
def newswire_ingest() -> None:
    @task(pool=writer_pool())
    def discover() -> list[dict]:
        found = discover_stage.discover(_run_id())
        stats = found["template_stats_path"]
        last = len(found["batches"]) - 1
        return [{"batch_no": i, "inputs": b, "template_stats_path": stats, "more_batches": i < last}
                for i, b in enumerate(found["batches"])]

    @task(max_active_tis_per_dagrun=2)
    def extract(batch: dict) -> dict:
        manifest = extract_stage.extract_batch(
            batch["inputs"], batch["batch_no"], _run_id(), batch["template_stats_path"]
        )
        return {**manifest, "more_batches": batch.get("more_batches", False)}

    @task
    def annotate(manifest: dict) -> dict:
        return annotate_stage.annotate_batch(manifest)

    @task(pool=writer_pool(), trigger_rule="none_failed")
    def load(manifests: list[dict] | None) -> dict:
        annotate_stage.release_workers()  # NLP workers a batch kept (`newswire run` runs tasks in-process)
        return load_stage.load_batches(list(manifests or []), _run_id())

    @task(pool=writer_pool(), trigger_rule="none_failed")
    def cluster(loaded: dict | None) -> int:
        return cluster_stage.assign_story_clusters()

    @task(pool=writer_pool(), trigger_rule="none_failed")
    def validate() -> dict:
        try:
            return raw_validation.validate_raw(_run_id())
        except ValidationFailed as exc:  # a data problem: the rows are quarantined, retrying will not help
            raise AirflowFailException(str(exc)) from exc

    @task(pool=writer_pool(), outlets=[RAW_ARTICLES])
    def publish(validation: dict) -> str:
        if not discover_stage.inputs_recorded(_run_id()):
            # Nothing new: no publish and no Asset event, so no transform is scheduled.
            raise AirflowSkipException("no new inputs in the inbox: nothing to publish, transform not scheduled")
        return publish_stage.publish_raw()

    @task(pool=writer_pool(), trigger_rule="none_failed")
    def summarize(published: str | None) -> dict:
        summary = reporting.run_summary(_run_id())
        reporting.log_summary(summary)
        return summary

    parsed = extract.expand(batch=discover())
    annotated = annotate.expand(manifest=parsed)
    clustered = cluster(load(annotated))
    checked = validate()
    clustered >> checked
    summarize(publish(checked))


dag = newswire_ingest()
