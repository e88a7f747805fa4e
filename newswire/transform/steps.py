"""The transform steps the `newswire_transform` DAG wires around its dbt task groups.

Each function is one Airflow task and is also callable from plain Python (the
tests and `python -m evaluation events` drive them without a scheduler). All of them
open the working copy and are meant to run in the single-slot writer pool.
"""

from __future__ import annotations

import logging
from typing import Any

from newswire.config import Settings, get_settings
from newswire.transform import seed_files, wap
from newswire.validation.runner import ValidationFailed
from newswire.warehouse import connect

log = logging.getLogger(__name__)

#: dbt selections of the two build phases (paths relative to dbt_project/).
SEED_SELECT = ["path:seeds"]
STAGING_SELECT = ["path:models/staging"]
MARTS_SELECT = ["path:models/intermediate", "path:models/marts"]
#: dbt's unit tests check the models' logic on fixed inputs, not the data: they run in
#: `make test` and CI (tests/test_dbt_project.py), not in every scheduled build, where
#: they would cost about 5 s per run and never see new data (dbt's own advice).
SCHEDULED_BUILD_FLAGS = ["--exclude-resource-type", "unit_test"]
MARTS_TABLES = ("articles", "entities", "entity_mentions", "events", "event_mentions", "country_pair_daily")


def begin(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Mark the build in progress (publishing of marts blocked until the audit), and choose
    what the seeds + staging phase builds: the seeds only when their files changed."""
    settings = settings or get_settings()
    files_hash = seed_files.seeds_hash(settings)
    state = wap.begin_build(run_id, settings)
    with connect(settings) as con:
        load_seeds = seed_files.seeds_need_loading(
            con, settings, files_hash, previous_died=state["previous_state"] in (wap.BUILDING, wap.VALIDATED))
        if load_seeds:
            seed_files.forget_loaded(con)
    if not load_seeds:
        log.info("dictionary seeds unchanged since the last audited build: not reloaded")
    select = (SEED_SELECT if load_seeds else []) + STAGING_SELECT
    return {**state, "seeds_hash": files_hash, "load_seeds": load_seeds, "staging_select": " ".join(select)}


def check_staging(run_id: str, settings: Settings | None = None, seeds_hash: str | None = None) -> dict[str, Any]:
    """GX staging checkpoint; a blocking failure rolls back and raises ValidationFailed.

    ``seeds_hash`` (from :func:`begin`) is recorded once the audit passes, so the next
    build skips reloading seeds whose files have not changed since.
    """
    from newswire.validation.staging import validate_staging

    settings = settings or get_settings()
    with connect(settings) as con:
        summary = validate_staging(con, run_id, settings, raise_on_failure=False)
        if not summary.success:
            wap.rollback(run_id, summary.describe(), con=con)
            raise ValidationFailed(summary.describe())
        if seeds_hash:  # the seeds this build loaded passed their tests and the audit
            seed_files.record_loaded(con, seeds_hash)
    return {"success": True, "description": summary.describe(), "data_docs": summary.data_docs_index}


def check_marts(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """GX marts checkpoint, the audit's population checks (the row-level ones are the dbt
    tests of the marts phase, which fail that task first). Pass -> marts validated; fail ->
    rolled back, raise."""
    from newswire.validation.marts import marts_frames, validate_marts

    settings = settings or get_settings()
    with connect(settings) as con:
        # the rows this build rebuilt; all of them after a full rebuild
        changes = wap.build_changes(con)
        full = bool(changes.full)  # any incremental model rebuilt in full: check every row
        frames = marts_frames(con, None if full else changes.events_sql)
        summary = validate_marts(con, run_id, settings, frames=frames, raise_on_failure=False)
        if not summary.success:
            reason = summary.describe()
            wap.rollback(run_id, reason, con=con)
            raise ValidationFailed(f"marts not published, previous marts kept: {reason}")
        wap.mark_validated(run_id, con)
    return {"success": True, "description": summary.describe(), "data_docs": summary.data_docs_index}


def rollback(run_id: str, reason: str = "a dbt or validation task failed; see its log",
             settings: Settings | None = None) -> dict[str, Any]:
    """Record a failed build; the next one rebuilds the marts in full."""
    return wap.rollback(run_id, reason, settings)


def publish(run_id: str, settings: Settings | None = None) -> str:
    """Publish what changed (segments + catalog swap) once this run's marts are validated."""
    return wap.publish_validated(run_id, settings)


def _data_docs_index(settings: Settings) -> str | None:
    index = settings.gx_site_dir / "index.html"
    return str(index) if index.exists() else None


def summary(run_id: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Counts from the marts (the working copy, equal to the published file after a run)."""
    settings = settings or get_settings()
    out: dict[str, Any] = {"transform_run_id": run_id, "warehouse": str(settings.warehouse)}
    if not settings.work_db.exists():
        return out
    # Not read_only: in a process where dbt ran, dbt-duckdb keeps the file open
    # read-write, and DuckDB refuses a second handle with another configuration.
    with connect(settings) as con:
        tables = {
            r[0] for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        for table in MARTS_TABLES:
            if table in tables:
                out[table] = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
        try:
            out["publish_state"] = wap.get_state(con) if _has_state(con) else None
        except Exception:  # noqa: BLE001 - informational
            out["publish_state"] = None
        if out.get("publish_state"):
            out["marts_state"] = out["publish_state"]["state"]
            out["publish_state"] = {k: str(v) for k, v in out["publish_state"].items()}
    docs = settings.docs_dir / "index.html"
    out["dbt_docs"] = str(docs) if docs.exists() else None
    out["data_docs"] = _data_docs_index(settings)
    return out


def _has_state(con: Any) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'publish_state'"
    ).fetchone()[0])


def describe(summary: dict[str, Any]) -> list[str]:
    """The transform summary as log lines."""
    counts = ", ".join(f"{t} {summary[t]}" for t in MARTS_TABLES if t in summary)
    return [
        f"newswire_transform {summary.get('run_id')}: marts {summary.get('marts_state')}",
        f"  marts rows:    {counts}",
        f"  published:     {summary.get('warehouse')}",
        f"  dbt docs:      {summary.get('dbt_docs')} (single file: {summary.get('dbt_docs_static')})",
        f"  GX data docs:  {summary.get('data_docs')}",
    ]
