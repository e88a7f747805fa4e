"""The load task: a run's Parquet batches into DuckDB `raw`, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from newswire import progress
from newswire.config import Settings, get_settings
from newswire.ingest.batch_files import ingest_clock, read_parquet_sql
from newswire.ingest.discover import read_discovery
from newswire.warehouse import connect

log = logging.getLogger(__name__)

_LOAD_ORDER = ("articles", "rejections", "inputs", "line_fingerprints", "sentences", "entity_mentions", "predicates")


def load_batches(
    manifests: Sequence[dict[str, Any]],
    run_id: str,
    duplicates: Sequence[dict[str, Any]] | None = None,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Load the batches' Parquet into `raw`, in one transaction, idempotently.

    Rows of an article already present are replaced, so a retried task never
    doubles them. Story clusters are the next task's (newswire.ingest.cluster).
    """
    settings = settings or get_settings()
    if duplicates is None:
        duplicates = read_discovery(run_id, settings)["duplicates"]
    counts = dict.fromkeys(_LOAD_ORDER, 0)
    with connect(settings) as con:
        con.execute("begin transaction")
        try:
            for manifest in manifests:
                for table in _LOAD_ORDER:
                    path = manifest.get(table)
                    if not path:
                        continue
                    n = con.execute(f"select count(*) from {read_parquet_sql(path)}").fetchone()[0]
                    if not n:
                        continue
                    if table in ("articles", "line_fingerprints", "sentences", "entity_mentions", "predicates"):
                        con.execute(
                            f"""delete from raw.{table}
                            where article_id in (select article_id from {read_parquet_sql(path)})"""
                        )
                    elif table == "inputs":
                        con.execute(
                            f"""delete from raw.inputs where (input_sha256, input_path) in
                            (select (input_sha256, input_path) from {read_parquet_sql(path)})"""
                        )
                    con.execute(f"insert into raw.{table} by name select * from {read_parquet_sql(path)}")
                    counts[table] += n
                    if table == "articles":
                        progress.advance("load", n)
            now = ingest_clock()
            for dup in duplicates:
                con.execute(
                    """insert into raw.inputs by name
                    select ? as input_sha256, ? as input_path, ? as size_bytes, null as detected_format,
                           'duplicate' as status, 0 as articles_loaded, 0 as items_rejected,
                           ? as run_id, ? as seen_at""",
                    [dup["sha256"], dup["path"], dup.get("size", 0), run_id, now],
                )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    log.info("loaded run %s: %s", run_id, counts)
    return counts
