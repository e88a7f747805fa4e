"""Write-audit-publish for the transform: nothing unvalidated is ever published.

Users query the published catalog (``settings.warehouse``, see newswire.publish);
every writer uses the private working copy (``settings.work_db``). dbt builds the
marts in place in the working copy, so between "dbt wrote the marts" and "GX passed
them" the working copy holds unvalidated rows. What keeps them from users:

* Publishing is by layer. The ingest DAG publishes only the ``raw`` and ``audit``
  layers; only the transform's ``publish`` writes the marts and lookup segments,
  and only for a run whose audit passed (state ``validated``).
* ``audit.publish_state`` has one row per guarded stage (``marts``) whose state is
  ``building`` from :func:`begin_build` until the verdict. :func:`publish_blocker`
  reports it and the ingest DAG skips its publish meanwhile.
* A failed build or audit (:func:`rollback`), or one that died (found ``building``
  by the next :func:`begin_build`), forgets what the incremental models were built
  from (``intermediate.newswire_model_state``). The next transform then rebuilds and
  audits every marts table in full, so rows of a failed build are recomputed and
  validated before any publish can include them. Nothing is copied to roll back:
  the cost of a build stays in proportion to the new articles.

The rollback never opens the published file, so a user holding it open (even
read-write in the DuckDB CLI) can block neither a run nor a rollback.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import duckdb

from newswire.config import Settings, get_settings
from newswire.warehouse import connect

log = logging.getLogger(__name__)

#: Schemas of tables dbt writes whose content users see once published.
GUARDED_SCHEMAS = ("lookup", "marts")
#: The snapshot schema of an older release (whole-table copies); dropped when found.
BACKUP_SCHEMA = "wap_last_validated"
STAGE = "marts"

BUILDING, VALIDATED, FAILED, PUBLISHED = "building", "validated", "failed", "published"


class PublishBlocked(RuntimeError):
    """Publishing now would expose tables that have not passed validation."""


def ensure_state_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    con.execute(
        """
        create table if not exists audit.publish_state (
          stage varchar primary key,
          state varchar not null,
          run_id varchar,
          reason varchar,
          updated_at timestamptz
        )
        """
    )


def get_state(con: duckdb.DuckDBPyConnection, stage: str = STAGE) -> dict[str, Any] | None:
    ensure_state_table(con)
    row = con.execute(
        "select state, run_id, reason, updated_at from audit.publish_state where stage = ?", [stage]
    ).fetchone()
    if row is None:
        return None
    return {"stage": stage, "state": row[0], "run_id": row[1], "reason": row[2], "updated_at": row[3]}


def set_state(con: duckdb.DuckDBPyConnection, state: str, run_id: str | None, reason: str | None = None,
              stage: str = STAGE) -> None:
    ensure_state_table(con)
    con.execute(
        """
        insert or replace into audit.publish_state (stage, state, run_id, reason, updated_at)
        values (?, ?, ?, ?, ?)
        """,
        [stage, state, run_id, reason, datetime.now(tz=UTC)],
    )
    log.info("publish state %s -> %s (run %s)%s", stage, state, run_id, f": {reason}" if reason else "")


MODEL_STATE = "intermediate.newswire_model_state"
#: The incremental models' fingerprints when the build began (what publish compares to).
BASELINE = "intermediate.newswire_build_baseline"


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".", 1)
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def forget_model_state(con: duckdb.DuckDBPyConnection) -> int:
    """Make the next dbt build rebuild every incremental model in full (and publish them in full)."""
    if not table_exists(con, MODEL_STATE):
        return 0
    n = con.execute(f"select count(*) from {MODEL_STATE}").fetchone()[0]
    con.execute(f"delete from {MODEL_STATE}")
    return int(n)


def rebuilt_in_full(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Published tables (schema.name) of incremental models this build rebuilt in full."""
    if not table_exists(con, MODEL_STATE):
        return set()
    baseline = (f"left join {BASELINE} as b on m.model_id = b.model_id" if table_exists(con, BASELINE)
                else "left join (select null as model_id, null as fingerprint) as b on false")
    rows = con.execute(
        f"select m.model_id from {MODEL_STATE} as m {baseline} "
        "where b.fingerprint is null or b.fingerprint != m.fingerprint"
    ).fetchall()
    # model.newswire.events -> marts.events (only marts tables are published)
    return {"marts." + r[0].rsplit(".", 1)[1] for r in rows}


def begin_build(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Mark the build in progress and remember what the incremental models were built from.

    A previous run that died while building (state still ``building``) left
    unvalidated rows behind: the model state is forgotten so this build redoes
    everything in full.
    """
    settings = settings or get_settings()
    with connect(settings) as con:
        ensure_state_table(con)
        con.execute("begin transaction")
        try:
            previous = get_state(con)
            forgotten = 0
            if previous and previous["state"] in (BUILDING, VALIDATED):
                # died while building, or validated and never published: either way what it
                # changed is not known to the next publish, so rebuild (and publish) in full
                log.warning("run %s left its build %s; this build rebuilds the marts in full",
                            previous["run_id"], "unfinished" if previous["state"] == BUILDING else "unpublished")
                forgotten = forget_model_state(con)
            con.execute("create schema if not exists intermediate")
            con.execute(f"drop table if exists {BASELINE}")
            if table_exists(con, MODEL_STATE):
                con.execute(f"create table {BASELINE} as select model_id, fingerprint from {MODEL_STATE}")
            con.execute(f"drop schema if exists {BACKUP_SCHEMA} cascade")  # left by an older release
            set_state(con, BUILDING, run_id)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return {"run_id": run_id, "state": BUILDING, "forgotten_models": forgotten,
            "previous_state": previous["state"] if previous else None}


def mark_validated(run_id: str, con: duckdb.DuckDBPyConnection) -> None:
    """The audit passed: the new tables may be published."""
    set_state(con, VALIDATED, run_id)


def rollback(run_id: str, reason: str, settings: Settings | None = None,
             con: duckdb.DuckDBPyConnection | None = None) -> dict[str, Any]:
    """Record why this build failed and make the next one rebuild the marts in full.

    Only a build in progress (state ``building``) is rolled back; calling it again,
    or for a run whose audit already rolled back, changes nothing. The published
    marts were never touched.
    """
    if con is None:
        settings = settings or get_settings()
        with connect(settings) as own:
            return rollback(run_id, reason, con=own)
    ensure_state_table(con)
    con.execute("begin transaction")
    try:
        forgotten = 0
        state = get_state(con)
        if state and state["state"] == BUILDING:
            forgotten = forget_model_state(con)
            set_state(con, FAILED, run_id, reason)
        elif state and state["state"] == FAILED and state["run_id"] == run_id:
            reason = state["reason"] or reason  # the audit already rolled back and said why
        else:
            log.info("nothing to roll back for run %s (state %s)", run_id, state)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    if forgotten:
        log.error("transform %s failed, the next build rebuilds %d incremental models in full: %s",
                  run_id, forgotten, reason)
    return {"run_id": run_id, "state": FAILED, "reason": reason, "forgotten_models": forgotten}


def publish_blocker(settings: Settings | None = None, con: duckdb.DuckDBPyConnection | None = None) -> str | None:
    """Why the working copy must not be published now, or None when it may be."""
    if con is None:
        settings = settings or get_settings()
        if not settings.work_db.exists():
            return None
        with connect(settings) as own:
            return publish_blocker(con=own)
    state = get_state(con)
    if state and state["state"] == BUILDING:
        return (
            f"transform run {state['run_id']} is building the marts in the working copy "
            f"(since {state['updated_at']}); they are unvalidated"
        )
    return None


def build_changes(con: duckdb.DuckDBPyConnection) -> Any:
    """What this build rebuilt, from the incremental models' scope tables (newswire.publish.Changes)."""
    from newswire.publish import Changes

    articles: set[str] = set()
    for scope in ("intermediate.int_articles_changed", "intermediate.int_event_articles_changed"):
        if table_exists(con, scope):
            articles |= {r[0] for r in con.execute(f"select article_id from {scope}").fetchall()}
    events = "select event_id from intermediate.int_events_changed" if table_exists(
        con, "intermediate.int_events_changed") else None
    return Changes(articles=articles, events_sql=events, full=rebuilt_in_full(con))


def publish_validated(run_id: str, settings: Settings | None = None) -> str:
    """Publish the working copy (every layer) once this run's marts passed their audit."""
    from newswire.warehouse import publish

    settings = settings or get_settings()
    with connect(settings) as con:
        state = get_state(con)
        if not state or state["state"] not in (VALIDATED, PUBLISHED) or state["run_id"] != run_id:
            raise PublishBlocked(f"marts of run {run_id} are not validated (state: {state})")
        # Recorded before the segments are written so the published catalog says "published" too.
        set_state(con, PUBLISHED, run_id)
        changes = build_changes(con)
    try:
        published = str(publish(settings, layers=("raw", "marts", "audit"), changes=changes))
    except Exception:
        with connect(settings) as con:
            set_state(con, VALIDATED, run_id, "publish failed; will be retried")
        raise
    from newswire.noop import record_transform_inputs

    with connect(settings) as con:
        record_transform_inputs(con, run_id, settings)
    return published
