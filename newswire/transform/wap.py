"""Write-audit-publish for the transform: the working copy's marts are always the
last validated ones, and nothing unvalidated is ever published.

Users query the published file (``settings.warehouse``); every writer uses the
private working copy (``settings.work_db``) and ``newswire.warehouse.publish``
copies it over the published file with an atomic rename. dbt builds the marts in
place in the working copy, so between "dbt wrote the marts" and "GX passed them"
the working copy holds unvalidated tables. Two things keep them from leaking:

* ``audit.publish_state`` has one row per guarded stage (``marts``) whose state
  is ``building`` while a transform is between its snapshot and its verdict.
  :func:`publish_blocker` reports it, and every publisher (the ingest DAG too)
  refuses to publish while it is set.
* Before dbt touches the working copy, :func:`begin_build` snapshots every table
  of the dbt-managed schemas (:data:`GUARDED_SCHEMAS`) into a private schema
  (:data:`BACKUP_SCHEMA`) of the same file. On a failed build or audit,
  :func:`rollback` puts those tables back, so the working copy's marts are again
  byte-equal in content to what is published, and the state becomes ``failed``.

The snapshot lives inside the working copy, so the rollback never opens the
published file: a user holding it open (even read-write in the DuckDB CLI) can
neither block a run nor a rollback.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import duckdb

from newswire.config import Settings, get_settings
from newswire.warehouse import connect

log = logging.getLogger(__name__)

#: Schemas dbt writes tables into whose content users may see once published.
#: ``staging`` holds only views over ``raw`` and is not snapshotted.
GUARDED_SCHEMAS = ("lookup", "intermediate", "marts")
#: Where the last validated tables wait while a build is in progress.
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


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        """
        select table_name from duckdb_tables()
        where database_name = current_database() and schema_name = ? and not temporary
        order by table_name
        """,
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def _schema_exists(con: duckdb.DuckDBPyConnection, schema: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_schemas() where database_name = current_database() and schema_name = ?",
            [schema],
        ).fetchone()[0]
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _backup_name(schema: str, table: str) -> str:
    return f"{schema}__{table}"


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Copy every table of the guarded schemas into the backup schema (replacing it)."""
    con.execute(f"drop schema if exists {BACKUP_SCHEMA} cascade")
    con.execute(f"create schema {BACKUP_SCHEMA}")
    # Which guarded schemas existed, so that a rollback
    # also removes schemas that the failed build created from scratch.
    con.execute(f"create table {BACKUP_SCHEMA}._schemas (schema_name varchar)")
    # View definitions, recreated after the tables on restore.
    con.execute(f"create table {BACKUP_SCHEMA}._views (schema_name varchar, view_name varchar, sql varchar)")
    saved: dict[str, list[str]] = {}
    for schema in GUARDED_SCHEMAS:
        if not _schema_exists(con, schema):
            continue
        con.execute(f"insert into {BACKUP_SCHEMA}._schemas values (?)", [schema])
        con.execute(
            f"insert into {BACKUP_SCHEMA}._views select schema_name, view_name, sql from duckdb_views() "
            "where database_name = current_database() and schema_name = ? and not internal",
            [schema],
        )
        saved[schema] = _tables(con, schema)
        for table in saved[schema]:
            con.execute(
                f"create table {BACKUP_SCHEMA}.{_q(_backup_name(schema, table))} as "
                f"select * from {_q(schema)}.{_q(table)}"
            )
    return saved


def restore(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Put the snapshotted tables back; drop tables and schemas the build added."""
    if not _schema_exists(con, BACKUP_SCHEMA):
        raise RuntimeError(f"no snapshot schema {BACKUP_SCHEMA} to restore from")
    existed = {r[0] for r in con.execute(f"select schema_name from {BACKUP_SCHEMA}._schemas").fetchall()}
    backed_up = set(_tables(con, BACKUP_SCHEMA)) - {"_schemas", "_views"}
    restored: dict[str, list[str]] = {}
    for schema in GUARDED_SCHEMAS:
        if not _schema_exists(con, schema):
            if schema in existed:
                con.execute(f"create schema {_q(schema)}")
            else:
                continue
        if schema not in existed:
            # Created by the failed build: nothing of it was ever validated.
            con.execute(f"drop schema {_q(schema)} cascade")
            continue
        # Views go first (they may depend on the tables) and come back last.
        for (view,) in con.execute(
            "select view_name from duckdb_views() where database_name = current_database() "
            "and schema_name = ? and not internal",
            [schema],
        ).fetchall():
            con.execute(f"drop view if exists {_q(schema)}.{_q(view)}")
        for table in _tables(con, schema):
            con.execute(f"drop table {_q(schema)}.{_q(table)}")
        restored[schema] = []
        prefix = f"{schema}__"
        for name in sorted(backed_up):
            if name.startswith(prefix):
                table = name[len(prefix):]
                con.execute(
                    f"create table {_q(schema)}.{_q(table)} as select * from {BACKUP_SCHEMA}.{_q(name)}"
                )
                restored[schema].append(table)
    for schema, view, sql in con.execute(
        f"select schema_name, view_name, sql from {BACKUP_SCHEMA}._views order by schema_name, view_name"
    ).fetchall():
        if schema in restored:
            con.execute(sql)
            restored[schema].append(view)
    return restored


def drop_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop schema if exists {BACKUP_SCHEMA} cascade")


def begin_build(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Snapshot the last validated tables and mark the build in progress.

    A previous run that died while building (state still ``building``) left
    unvalidated tables behind: they are rolled back from its snapshot first.
    """
    settings = settings or get_settings()
    with connect(settings) as con:
        ensure_state_table(con)
        con.execute("begin transaction")
        try:
            previous = get_state(con)
            if previous and previous["state"] == BUILDING and _schema_exists(con, BACKUP_SCHEMA):
                log.warning("run %s left a build unfinished; rolling back to its snapshot first", previous["run_id"])
                restore(con)
            saved = snapshot(con)
            set_state(con, BUILDING, run_id)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return {"run_id": run_id, "state": BUILDING, "snapshot": saved,
            "previous_state": previous["state"] if previous else None}


def mark_validated(run_id: str, con: duckdb.DuckDBPyConnection) -> None:
    """The audit passed: the new tables become the last validated ones."""
    con.execute("begin transaction")
    try:
        drop_snapshot(con)
        set_state(con, VALIDATED, run_id)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def rollback(run_id: str, reason: str, settings: Settings | None = None,
             con: duckdb.DuckDBPyConnection | None = None) -> dict[str, Any]:
    """Restore the last validated tables and record why this build failed.

    Only a build in progress (state ``building``) is rolled back; calling it again,
    or for a run whose audit already rolled back, changes nothing.
    """
    if con is None:
        settings = settings or get_settings()
        with connect(settings) as own:
            return rollback(run_id, reason, con=own)
    ensure_state_table(con)
    con.execute("begin transaction")
    try:
        restored: dict[str, list[str]] = {}
        state = get_state(con)
        if state and state["state"] == BUILDING:
            if _schema_exists(con, BACKUP_SCHEMA):
                restored = restore(con)
                drop_snapshot(con)
            set_state(con, FAILED, run_id, reason)
        elif state and state["state"] == FAILED and state["run_id"] == run_id:
            reason = state["reason"] or reason  # the audit already rolled back and said why
        else:
            log.info("nothing to roll back for run %s (state %s)", run_id, state)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    if restored:
        log.error("transform %s rolled back %s: %s", run_id, restored, reason)
    return {"run_id": run_id, "state": FAILED, "reason": reason, "restored": restored}


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


def publish_validated(run_id: str, settings: Settings | None = None) -> str:
    """Publish the working copy once this run's marts passed their audit."""
    from newswire.warehouse import publish

    settings = settings or get_settings()
    with connect(settings) as con:
        state = get_state(con)
        if not state or state["state"] not in (VALIDATED, PUBLISHED) or state["run_id"] != run_id:
            raise PublishBlocked(f"marts of run {run_id} are not validated (state: {state})")
        # Recorded before the copy so the published file says "published" too.
        set_state(con, PUBLISHED, run_id)
    try:
        return str(publish(settings))
    except Exception:
        with connect(settings) as con:
            set_state(con, VALIDATED, run_id, "publish failed; will be retried")
        raise
