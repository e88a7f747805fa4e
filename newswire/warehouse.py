"""DuckDB access: the raw tables, the working copy and publishing.

Writers never open the published file. They write a private working copy and
publish what changed as Parquet segments plus a new catalog swapped in by an
atomic rename (newswire.publish), so a reader with the published file open (even
the DuckDB CLI, which holds a file lock) never blocks a run and never sees a
half-built state.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from newswire.config import Settings, get_settings
from newswire.schemas import RAW_TABLES

log = logging.getLogger(__name__)


def _duck_type(dtype: pa.DataType) -> str:
    """Map an Arrow type to the DuckDB column type we declare for it."""
    if pa.types.is_string(dtype):
        return "varchar"
    if pa.types.is_int32(dtype):
        return "integer"
    if pa.types.is_int64(dtype):
        return "bigint"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_floating(dtype):
        return "double"
    if pa.types.is_timestamp(dtype):
        return "timestamptz" if dtype.tz else "timestamp"
    if pa.types.is_list(dtype):
        return f"{_duck_type(dtype.value_type)}[]"
    if pa.types.is_struct(dtype):
        inner = ", ".join(f'"{f.name}" {_duck_type(f.type)}' for f in dtype)
        return f"struct({inner})"
    raise TypeError(f"no DuckDB mapping for {dtype}")


def create_table_sql(schema_name: str, table: str, schema: pa.Schema) -> str:
    cols = ",\n  ".join(f'"{f.name}" {_duck_type(f.type)}' for f in schema)
    return f"create table if not exists {schema_name}.{table} (\n  {cols}\n)"


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` and `audit` schemas and their tables when missing."""
    con.execute("set timezone = 'UTC'")
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists audit")
    for table, schema in RAW_TABLES.items():
        con.execute(create_table_sql("raw", table, schema))
        # Additive schema evolution: columns added to newswire.schemas since the
        # table was created are added in place (existing rows get nulls).
        for f in schema:
            con.execute(f'alter table raw.{table} add column if not exists "{f.name}" {_duck_type(f.type)}')
    con.execute(
        """
        create table if not exists audit.validation_results (
          run_id varchar,
          stage varchar,
          suite_name varchar,
          expectation varchar,
          column_name varchar,
          success boolean,
          blocking boolean,
          observed_value varchar,
          details varchar,
          validated_at timestamptz
        )
        """
    )


def ensure_work_db(settings: Settings | None = None) -> Path:
    """Make sure the working copy exists, rebuilding it from the published warehouse if any."""
    from newswire.publish import is_catalog, restore_work_db

    settings = settings or get_settings()
    work = settings.work_db
    work.parent.mkdir(parents=True, exist_ok=True)
    if not work.exists() and settings.warehouse.exists():
        log.info("seeding working copy %s from published %s", work, settings.warehouse)
        if is_catalog(settings.warehouse):
            restore_work_db(settings.warehouse, work)
        else:
            # A whole-file copy published by an older release. Copy then rename, so a
            # run killed mid-copy never leaves a half working copy.
            tmp = work.with_name(f".{work.name}.seeding-{os.getpid()}")
            shutil.copy2(settings.warehouse, tmp)
            os.replace(tmp, work)
    return work


def remove_orphans(settings: Settings | None = None) -> list[Path]:
    """Delete the temporary copies of writers that died mid-copy (publish or seeding).

    Only the holder of the writer lock copies, so while it is held every such
    temporary belongs to a dead process.
    """
    settings = settings or get_settings()
    found: list[Path] = []
    for folder, pattern in (
        (settings.warehouse.parent, f".{settings.warehouse.name}.publishing-*"),
        (settings.work_db.parent, f".{settings.work_db.name}.seeding-*"),
    ):
        if folder.exists():
            found.extend(folder.glob(pattern))
    for path in found:
        log.warning("removing %s, left by a writer that died mid-copy", path)
        path.unlink(missing_ok=True)
    return found


def apply_limits(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's memory limit and threads from NEWSWIRE_DUCKDB_MEMORY_LIMIT / _THREADS, when set."""
    memory_limit = os.environ.get("NEWSWIRE_DUCKDB_MEMORY_LIMIT", "").strip()
    threads = os.environ.get("NEWSWIRE_DUCKDB_THREADS", "").strip()
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit.replace(chr(39), '')}'")
    if threads:
        con.execute(f"set threads = {int(threads)}")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """Expose in-memory tables (Arrow, pandas) to `con` by name for one block of SQL."""
    done: list[str] = []
    try:
        for name, table in tables.items():
            con.register(name, table)
            done.append(name)
        yield con
    finally:
        for name in done:
            con.unregister(name)


@contextmanager
def connect(settings: Settings | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the working copy; writers must hold the single-slot writer pool."""
    from newswire.runlock import writer_lock

    settings = settings or get_settings()
    with writer_lock(settings, purpose="a Newswire step"):
        remove_orphans(settings)
        path = ensure_work_db(settings)
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            con.execute("set timezone = 'UTC'")
            apply_limits(con)
            if not read_only:
                ensure_raw_tables(con)
            yield con
        finally:
            con.close()


def publish(settings: Settings | None = None, *, layers: tuple[str, ...] = ("raw", "audit"),
            changes: Any = None) -> Path:
    """Publish the working copy's tables of `layers` as segments (newswire.publish).

    New segment files for what changed, then a new catalog renamed over the published
    path: readers that have the old catalog open keep a consistent snapshot, new
    readers see the new one, nobody sees a mix. The ingest publishes ``raw`` and
    ``audit``; only a validated transform publishes ``marts`` (and ``lookup``).
    """
    from newswire.publish import publish_segments
    from newswire.runlock import writer_lock

    settings = settings or get_settings()
    with writer_lock(settings, purpose="a Newswire publish"):
        remove_orphans(settings)
        work = ensure_work_db(settings)
        with duckdb.connect(str(work)) as con:
            con.execute("set timezone = 'UTC'")
            publish_segments(con, settings, layers=layers, changes=changes)
    log.info("published %s -> %s", work, settings.warehouse)
    return settings.warehouse
