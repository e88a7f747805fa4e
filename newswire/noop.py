"""Is there anything for a run to do? Answered in well under a second, before Airflow starts.

A run has work when the inbox holds an input ``raw.inputs`` has not recorded under
that path, when the dbt project (models, macros, seeds: the dictionaries) changed
since the last published transform, or when an earlier run left work unfinished
(raw rows not validated, not transformed, or a transform not published). Only
the working copy is opened, read-only, and only while holding the writer lock;
the published file is never opened, so a user's DuckDB CLI cannot slow this down.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import duckdb

from newswire.config import Settings, get_settings
from newswire.ingest import inbox as inbox_fs

log = logging.getLogger(__name__)

#: Where the fingerprint of the dbt project of the last published transform is kept.
TRANSFORM_INPUTS = "intermediate.newswire_transform_inputs"


def dbt_project_fingerprint(project_dir: Path) -> str:
    """sha256 over the files dbt builds from: models, macros, seeds and dbt_project.yml."""
    digest = hashlib.sha256()
    files = [project_dir / "dbt_project.yml"]
    for sub in ("models", "macros", "seeds"):
        folder = project_dir / sub
        if folder.exists():
            files.extend(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".sql", ".yml", ".csv"))
    for path in sorted(files):
        if path.exists():
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def record_transform_inputs(con: duckdb.DuckDBPyConnection, run_id: str, settings: Settings | None = None) -> None:
    """After a transform is published: remember which dbt project it was built from."""
    settings = settings or get_settings()
    con.execute("create schema if not exists intermediate")
    con.execute(f"create table if not exists {TRANSFORM_INPUTS} (fingerprint varchar, run_id varchar)")
    con.execute(f"delete from {TRANSFORM_INPUTS}")
    con.execute(f"insert into {TRANSFORM_INPUTS} values (?, ?)",
                [dbt_project_fingerprint(settings.dbt_project_dir), run_id])


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_one(con, "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                     [schema, table]))


def new_inputs(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[str]:
    """Inbox paths a run would record: not in raw.inputs under that path and content."""
    known = set(con.execute("select input_sha256, input_path from raw.inputs").fetchall())
    known_paths = {p for _, p in known}
    found: list[str] = []
    for item in inbox_fs.scan(inbox):
        path = str(item.path)
        if item.rejection is not None:
            if ("", path) not in known:
                found.append(path)
            continue
        if path not in known_paths:
            found.append(path)
            continue
        try:
            _, sha, _ = inbox_fs.read_input(inbox, item.read_rel or item.rel, max_bytes=0)
        except inbox_fs.InboxRejection:
            if ("", path) not in known:
                found.append(path)
            continue
        if (sha, path) not in known:
            found.append(path)  # same name, new content
    return found


def pending_work(settings: Settings | None = None) -> list[str]:
    """Why a run is needed; an empty list means it would change nothing."""
    settings = settings or get_settings()
    if not settings.work_db.exists():
        return ["no warehouse yet"]
    if not settings.warehouse.exists():
        return ["nothing published yet"]
    wal = settings.work_db.with_name(settings.work_db.name + ".wal")
    if wal.exists():
        # A writer killed mid-write (e.g. in the dbt docs step) leaves its WAL beside the
        # working copy. Opening it read-write replays what was committed; the checkpoint
        # folds that into the file, so a run with nothing new leaves nothing behind. The
        # caller (newswire run) holds the writer lock.
        log.info("working copy has a write-ahead log %s: checkpointing it", wal)
        with duckdb.connect(str(settings.work_db)) as con:
            con.execute("checkpoint")
    reasons: list[str] = []
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        for schema, table in (("raw", "inputs"), ("raw", "articles"), ("marts", "articles"),
                              ("audit", "publish_state"), ("audit", "published_catalog")):
            if not _exists(con, schema, table):
                return [f"{schema}.{table} not built yet"]
        fresh = new_inputs(con, settings.inbox)
        if fresh:
            reasons.append(f"{len(fresh)} new inputs in {settings.inbox}")
        unvalidated = _one(con, """select count(distinct run_id) from raw.inputs as i where not exists (
            select 1 from audit.validation_results as v where v.stage = 'raw' and v.run_id = i.run_id)""")
        if unvalidated:
            reasons.append(f"raw rows of {unvalidated} runs not validated")
        untransformed = _one(con, """select
            (select count(*) from raw.articles anti join marts.articles using (article_id))
            + (select count(*) from marts.articles anti join raw.articles using (article_id))""")
        if untransformed:
            reasons.append(f"{untransformed} articles loaded or removed since the last transform")
        state = con.execute("select state, run_id from audit.publish_state where stage = 'marts'").fetchone()
        catalog = con.execute("select generation, marts_run_id from audit.published_catalog").fetchone()
        generation = _one(con, "select coalesce(max(generation), 0) from audit.published_parts")
        if not state or state[0] != "published":
            reasons.append(f"marts not published (state {state[0] if state else None})")
        elif not catalog or catalog[0] != generation or catalog[1] != state[1]:
            reasons.append("the last publish did not finish")
        recorded = (_one(con, f"select fingerprint from {TRANSFORM_INPUTS}")
                    if _exists(con, "intermediate", TRANSFORM_INPUTS.split(".", 1)[1]) else None)
        if recorded != dbt_project_fingerprint(settings.dbt_project_dir):
            reasons.append("the dbt project (models, macros or dictionary seeds) changed")
    return reasons
