"""Publishing by segments: the published file is a small catalog of views over immutable Parquet.

Copying the whole working copy on every publish costs in proportion to all of
history (about 30 KB per article: 30 GB at a million articles). Instead each
published table is stored as Parquet *segments* under ``<warehouse>.parts/`` and
the published DuckDB file holds only views that list them. A publish writes new
segment files for what changed, then writes a new catalog to a temporary file and
renames it over the published path. Segment files are never modified: a reader
that opened the old catalog keeps reading the old files, a reader that opens the
path afterwards sees the new ones, and nobody blocks anybody (the writer never
opens the published file, it replaces it).

How each table is cut into segments, and how a publish finds what changed:

``article``  raw and marts tables keyed by article. Articles are grouped into
             segments (at most :data:`SEGMENT_ARTICLES` each) when first published;
             every table of the layer (``raw`` or ``marts``) uses the same groups.
             New articles form a new segment; a segment holding a deleted or
             recomputed article is rewritten. Small segments are merged now and then.
``day``      ``marts.events`` and ``marts.country_pair_daily`` by event date: the days
             of the events the transform rebuilt are rewritten.
``run``      ``raw.inputs``, ``raw.rejections``, ``audit.validation_results`` by run id,
``whole``    everything else (seeds, entities, publish state): a segment is rewritten
             when its content hash (count and sum of row hashes) changed.

The registry of segment files lives in the working copy (``audit.published_parts``)
and is copied into the catalog, so a lost working copy can be rebuilt from it.
Files that a publish replaced are deleted :data:`RETENTION_SECONDS` later, so a
reader with an older catalog open keeps working for that long.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from newswire.config import Settings, get_settings
from newswire.warehouse import registered

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("raw", "marts", "lookup", "audit")
#: Working-copy bookkeeping, never published as a view.
PRIVATE_TABLES = {("audit", "published_parts"), ("audit", "published_catalog")}
SEGMENT_ARTICLES = int(os.environ.get("NEWSWIRE_SEGMENT_ARTICLES", "20000"))
#: A layer with this many segments under an eighth of SEGMENT_ARTICLES merges them.
MERGE_SMALL_SEGMENTS = 8
RETENTION_SECONDS = float(os.environ.get("NEWSWIRE_PUBLISH_RETENTION", str(24 * 3600)))

#: Tables keyed by article, per layer; the first of each is the layer's list of articles.
ARTICLE_LAYERS: dict[str, tuple[str, ...]] = {
    "raw": ("raw.articles", "raw.sentences", "raw.entity_mentions", "raw.predicates", "raw.line_fingerprints"),
    "marts": ("marts.articles", "marts.entity_mentions", "marts.event_mentions"),
}
DAY_TABLES = {"marts.events": "event_date", "marts.country_pair_daily": "event_date"}
RUN_TABLES = {"raw.inputs": "run_id", "raw.rejections": "run_id", "audit.validation_results": "run_id"}


@dataclass
class Changes:
    """What the transform rebuilt, so the marts layer's publish can find its segments.

    ``articles``: articles whose marts rows were recomputed (beyond new and deleted
    ones, which a publish finds itself); ``events``: event ids rebuilt; ``full``:
    marts tables rebuilt in full (every segment rewritten).
    """

    articles: set[str] | None = None
    events_sql: str | None = None
    full: set[str] | None = None


def parts_dir(settings: Settings) -> Path:
    return settings.warehouse.with_name(settings.warehouse.name + ".parts")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_registry(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    con.execute(
        """create table if not exists audit.published_parts (
          table_name varchar, segment varchar, file varchar, row_count bigint, fingerprint varchar,
          articles bigint, generation bigint, removed_at timestamptz
        )"""
    )


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        f"""select schema_name, table_name from duckdb_tables()
        where database_name = current_database() and not temporary
          and schema_name in ({", ".join(_lit(s) for s in PUBLISHED_SCHEMAS)})
        order by 1, 2"""
    ).fetchall()
    return [f"{s}.{t}" for s, t in rows if (s, t) not in PRIVATE_TABLES]


def _layer(table: str) -> str:
    """raw, audit or marts (also lookup, and the publish state that speaks for the marts)."""
    schema = table.split(".", 1)[0]
    if table == "audit.publish_state":
        return "marts"
    return "raw" if schema == "raw" else "audit" if schema == "audit" else "marts"


def _rel(table: str) -> str:
    schema, name = table.split(".", 1)
    return f"{_q(schema)}.{_q(name)}"


class _Publisher:
    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings, layers: set[str],
                 changes: Changes | None) -> None:
        self.con = con
        self.root = parts_dir(settings)
        self.layers = layers
        self.changes = changes or Changes()
        ensure_registry(con)
        self.generation = (con.execute("select coalesce(max(generation), 0) from audit.published_parts")
                           .fetchone()[0]) + 1
        self.added: list[tuple[str, str, str, int, str | None, int | None]] = []
        self.removed: list[tuple[str, str]] = []  # (table, file)
        self.written = 0

    # -- registry ----------------------------------------------------------------------
    def live(self, table: str) -> dict[str, tuple[str, str | None, int | None]]:
        """segment -> (file, fingerprint, articles) of the table's published segments."""
        rows = self.con.execute(
            "select segment, file, fingerprint, articles from audit.published_parts "
            "where table_name = ? and removed_at is null", [table]).fetchall()
        return {s: (f, fp, a) for s, f, fp, a in rows}

    def write(self, table: str, segment: str, select_sql: str, fingerprint: str | None = None,
              articles: int | None = None) -> None:
        folder = self.root / table
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in segment)
        path = folder / f"g{self.generation:06d}-{safe}.parquet"
        self.con.execute(f"copy ({select_sql}) to {_lit(str(path))} (format parquet, compression zstd)")
        rows = self.con.execute(f"select count(*) from read_parquet({_lit(str(path))})").fetchone()[0]
        self.added.append((table, segment, str(path), rows, fingerprint, articles))
        self.written += 1

    def drop(self, table: str, file: str) -> None:
        self.removed.append((table, file))

    # -- layouts -------------------------------------------------------------------------
    def fingerprinted(self, table: str, key: str | None, seg_sql: str | None = None) -> None:
        """Rewrite the segments (one per key value, or the whole table) whose content hash changed."""
        seg = seg_sql or (f"coalesce(cast(t.{_q(key)} as varchar), '~')" if key else "'all'")
        key = key or seg_sql
        current = {
            s: fp for s, fp in self.con.execute(
                f"select {seg} as segment, cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(t)), 0) "
                f"as varchar) from {_rel(table)} as t group by all").fetchall()
        }
        live = self.live(table)
        if not current and set(live) == {"empty"}:
            return  # still empty
        for segment, fp in current.items():
            if segment in live and live[segment][1] == fp:
                continue
            if segment in live:
                self.drop(table, live[segment][0])
            where = f"where {seg} = {_lit(segment)}" if key else ""
            self.write(table, segment, f"select * from {_rel(table)} as t {where}", fingerprint=fp)
        for segment, (file, _, _) in live.items():
            if segment not in current:
                self.drop(table, file)
        self.keep_view(table)

    def days(self, table: str, column: str, events_sql: str | None, full: bool) -> None:
        """Rewrite the days of the events the transform rebuilt (compare every day when unknown)."""
        live = self.live(table)
        day = f"coalesce(strftime(t.{_q(column)}, '%Y-%m-%d'), 'none')"
        if full or not live or events_sql is None:
            self.fingerprinted(table, None, seg_sql=day)
            return
        ids = f"select event_id from ({events_sql})"
        wanted = {r[0] for r in self.con.execute(
            f"select distinct {day} from marts.events as t where t.event_id in ({ids})").fetchall()}
        event_files = [f for f, _, _ in self.live("marts.events").values()]
        if event_files:  # the days those events had when last published (an event may have gone)
            wanted |= {r[0] for r in self.con.execute(
                f"select distinct {day} from read_parquet([{', '.join(_lit(f) for f in event_files)}]) as t "
                f"where t.event_id in ({ids})").fetchall()}
        if not wanted:
            return
        days_list = ", ".join(_lit(d) for d in sorted(wanted))
        current = dict(self.con.execute(
            f"select {day}, cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(t)), 0) as varchar) "
            f"from {_rel(table)} as t where {day} in ({days_list}) group by all").fetchall())
        for segment in sorted(wanted):
            fp = current.get(segment)
            if segment in live and live[segment][1] == fp:
                continue
            if segment in live:
                self.drop(table, live[segment][0])
            if fp is not None:
                self.write(table, segment, f"select * from {_rel(table)} as t where {day} = {_lit(segment)}",
                           fingerprint=fp)
        self.keep_view(table)

    def keep_view(self, table: str) -> None:
        """A table whose every segment went still needs one file, so its view keeps its columns."""
        dropped = {f for t, f in self.removed if t == table}
        remaining = [f for f, _, _ in self.live(table).values() if f not in dropped]
        if not remaining and not any(a[0] == table for a in self.added):
            self.write(table, "empty", f"select * from {_rel(table)} where false")

    def columns(self, table: str) -> set[str]:
        if table not in self.present:
            return set()
        schema, name = table.split(".", 1)
        return {r[0] for r in self.con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = ? and table_name = ?", [schema, name]).fetchall()}

    def articles(self, layer: str, tables: Iterable[str], recomputed: set[str] | None, full: bool) -> None:
        """New articles form new segments; segments with deleted or recomputed articles are rewritten."""
        tables = [t for t in tables if "article_id" in self.columns(t)]
        if not tables:
            return
        authority = tables[0]
        live = self.live(authority)
        files = [f for f, _, _ in live.values()]
        con = self.con
        con.execute("create or replace temp table _pub_seen (article_id varchar, segment varchar)")
        if files:
            seg_of = {f: s for s, (f, _, _) in live.items()}
            con.execute("create or replace temp table _pub_files (file varchar, segment varchar)")
            con.executemany("insert into _pub_files values (?, ?)", list(seg_of.items()))
            con.execute(
                f"""insert into _pub_seen select p.article_id, f.segment
                from read_parquet([{', '.join(_lit(f) for f in files)}], filename = true) as p
                join _pub_files as f on p.filename = f.file"""
            )
        con.execute(f"create or replace temp table _pub_now as select distinct article_id from {_rel(authority)}")
        con.execute("create or replace temp table _pub_recomputed (article_id varchar)")
        if recomputed:
            con.executemany("insert into _pub_recomputed values (?)", [(a,) for a in recomputed])
        if full:
            dirty = set(live)
        else:
            dirty = {r[0] for r in con.execute(
                """select distinct s.segment from _pub_seen as s
                where s.article_id not in (select article_id from _pub_now)
                   or s.article_id in (select article_id from _pub_recomputed)""").fetchall()}
        # merge small segments now and then, so hourly batches do not leave thousands of files
        small = sorted(s for s, (_, _, n) in live.items() if (n or 0) < SEGMENT_ARTICLES // 8)
        if len(small) >= MERGE_SMALL_SEGMENTS:
            dirty |= set(small)
        # what goes into new segments: the articles of dirty segments that remain, and new articles
        con.execute(
            """create or replace temp table _pub_place as
            select n.article_id from _pub_now as n
            where n.article_id not in (select article_id from _pub_seen)
               or n.article_id in (select article_id from _pub_seen where segment in (select unnest(?)))""",
            [sorted(dirty)],
        )
        placed = [r[0] for r in con.execute("select article_id from _pub_place order by article_id").fetchall()]
        for segment in dirty:
            for table in tables:
                live_t = self.live(table)
                if segment in live_t:
                    self.drop(table, live_t[segment][0])
        for i in range(0, len(placed), SEGMENT_ARTICLES):
            group = placed[i:i + SEGMENT_ARTICLES]
            con.execute("create or replace temp table _pub_group as select unnest(?) as article_id", [group])
            segment = f"{layer}{self.generation:06d}-{i // SEGMENT_ARTICLES:04d}"
            for table in tables:
                # rows are appended as articles arrive, so new articles sit at the end: the rowid
                # bound skips the row groups before their first row (exact: it only narrows)
                in_group = "article_id in (select article_id from _pub_group)"
                sql = (f"select * from {_rel(table)} where rowid >= "
                       f"(select min(rowid) from {_rel(table)} where {in_group}) and {in_group}")
                # every article has a row in the layer's first table; the others may have none
                if table == authority or con.execute(f"select count(*) from ({sql})").fetchone()[0]:
                    self.write(table, segment, sql, articles=len(group))
        for table in tables:
            self.keep_view(table)

    # -- run ---------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.present = set(_tables(self.con))
        full = self.changes.full or set()
        for layer, tables in ARTICLE_LAYERS.items():
            if layer in self.layers:
                self.articles(layer, tables, self.changes.articles if layer == "marts" else None,
                              full=bool(set(tables) & full))
        keyed = {t for layer in ARTICLE_LAYERS.values() for t in layer if "article_id" in self.columns(t)}
        for table in sorted(self.present):
            if _layer(table) not in self.layers or table in keyed:
                continue
            if table in DAY_TABLES and {DAY_TABLES[table], "event_id"} <= self.columns("marts.events") \
                    and DAY_TABLES[table] in self.columns(table):
                self.days(table, DAY_TABLES[table], self.changes.events_sql, full=table in full)
            elif table in RUN_TABLES and RUN_TABLES[table] in self.columns(table):
                self.fingerprinted(table, RUN_TABLES[table])
            else:
                self.fingerprinted(table, None)
        # tables that are gone from the working copy
        for table in {r[0] for r in self.con.execute(
                "select distinct table_name from audit.published_parts where removed_at is null").fetchall()}:
            if table not in self.present and _layer(table) in self.layers:
                for file, _, _ in self.live(table).values():
                    self.drop(table, file)
        return {"generation": self.generation, "files_written": self.written, "files_replaced": len(self.removed)}

    def commit(self) -> None:
        """Record the new segments and the replaced ones, in one transaction."""
        con = self.con
        now = datetime.now(tz=UTC)
        con.execute("begin transaction")
        try:
            for table, file in self.removed:
                con.execute("update audit.published_parts set removed_at = ? where table_name = ? and file = ? "
                            "and removed_at is null", [now, table, file])
            for table, segment, file, rows, fp, articles in self.added:
                con.execute("insert into audit.published_parts values (?, ?, ?, ?, ?, ?, ?, null)",
                            [table, segment, file, rows, fp, articles, self.generation])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise


def write_catalog(con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """Write the published catalog (views over the live segments) to a temporary file, then rename it."""
    ensure_registry(con)
    live: dict[str, list[str]] = {}
    for table, file in con.execute(
            "select table_name, file from audit.published_parts where removed_at is null order by table_name, file"
    ).fetchall():
        live.setdefault(table, []).append(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    cat = duckdb.connect(str(tmp))
    try:
        for schema in PUBLISHED_SCHEMAS:
            cat.execute(f"create schema if not exists {_q(schema)}")
        for table, files in live.items():
            listing = ", ".join(_lit(f) for f in files)
            cat.execute(f"create view {_rel(table)} as select * from read_parquet([{listing}], union_by_name = true)")
        parts = con.execute("select * from audit.published_parts where removed_at is null").arrow()
        with registered(cat, src_parts=parts):
            cat.execute("create table audit.published_parts as select * from src_parts")
        cat.execute("checkpoint")
    finally:
        cat.close()
    os.replace(tmp, target)
    # Only now is the catalog current: what the no-op check of `newswire run` compares.
    generation = con.execute("select coalesce(max(generation), 0) from audit.published_parts").fetchone()[0]
    con.execute("create table if not exists audit.published_catalog (generation bigint, marts_run_id varchar, "
                "written_at timestamptz)")
    state = con.execute(
        "select run_id from audit.publish_state where stage = 'marts' and state = 'published'"
    ).fetchone() if _has_table(con, "audit", "publish_state") else None
    con.execute("delete from audit.published_catalog")
    con.execute("insert into audit.published_catalog values (?, ?, ?)",
                [generation, state[0] if state else None, datetime.now(tz=UTC)])
    return target


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?", [schema, table]).fetchone()[0])


def collect_garbage(con: duckdb.DuckDBPyConnection, settings: Settings, retention: float | None = None) -> int:
    """Delete replaced segment files older than the retention, and files no registry row names."""
    retention = RETENTION_SECONDS if retention is None else retention
    root = parts_dir(settings)
    known = {r[0] for r in con.execute("select file from audit.published_parts").fetchall()}
    cutoff = datetime.fromtimestamp(time.time() - retention, tz=UTC)
    expired = [r[0] for r in con.execute(
        "select file from audit.published_parts where removed_at is not null and removed_at < ?", [cutoff]).fetchall()]
    deleted = 0
    for file in expired:
        Path(file).unlink(missing_ok=True)
        deleted += 1
    if expired:
        con.execute("delete from audit.published_parts where removed_at is not null and removed_at < ?", [cutoff])
    if root.exists():
        # written by a publish that died before recording them (only the lock holder writes here)
        for path in root.rglob("*.parquet"):
            if str(path) not in known:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted


def publish_segments(con: duckdb.DuckDBPyConnection, settings: Settings | None = None, *,
                     layers: Iterable[str] = ("raw", "marts", "audit"), changes: Changes | None = None) -> dict:
    """Publish the working copy's tables of `layers` (see the module docstring); returns counts."""
    settings = settings or get_settings()
    started = time.perf_counter()
    pub = _Publisher(con, settings, set(layers) | {"audit"}, changes)
    out = pub.run()
    pub.commit()
    write_catalog(con, settings.warehouse)
    out["garbage_files"] = collect_garbage(con, settings)
    out["seconds"] = round(time.perf_counter() - started, 3)
    log.info("published generation %(generation)s: %(files_written)s files written, %(files_replaced)s replaced "
             "in %(seconds)ss", out)
    return out


def restore_work_db(published: Path, work: Path) -> None:
    """Rebuild a lost working copy from the published catalog and its segments."""
    tmp = work.with_name(f".{work.name}.seeding-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        con.execute(f"attach {_lit(str(published))} as pub (read_only)")
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where database_name = 'pub' and not internal").fetchall()
        for schema, view in views:
            con.execute(f"create schema if not exists {_q(schema)}")
            con.execute(f"create table {_q(schema)}.{_q(view)} as select * from pub.{_q(schema)}.{_q(view)}")
        ensure_registry(con)
        has_parts = con.execute("select count(*) from duckdb_tables() where database_name = 'pub' "
                                "and schema_name = 'audit' and table_name = 'published_parts'").fetchone()[0]
        if has_parts:
            con.execute("insert into audit.published_parts select * from pub.audit.published_parts")
        con.execute("detach pub")
    os.replace(tmp, work)


def is_catalog(path: Path) -> bool:
    """True when the published file is a segment catalog (not a full copy from an older release)."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return bool(con.execute("select count(*) from duckdb_tables() where schema_name = 'audit' "
                                    "and table_name = 'published_parts'").fetchone()[0])
    except duckdb.Error:
        return False


def publish_raw(settings: Settings | None = None) -> str:
    """The ingest's publish task: the validated raw layer, unless a transform is mid-build.

    Write-audit-publish guard (docs/write-audit-publish.md): while a transform has
    unvalidated marts in the working copy, publishing would expose them; the
    transform then publishes raw and marts together, so this one is skipped.
    """
    from newswire.transform.wap import publish_blocker
    from newswire.warehouse import publish

    settings = settings or get_settings()
    blocker = publish_blocker(settings)
    if blocker:
        log.warning("not publishing the working copy: %s", blocker)
        return f"skipped: {blocker}"
    return str(publish(settings))
