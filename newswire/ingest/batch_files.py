"""Where a run's Parquet batches live, and how the ingest tasks write and read them.

The ingest tasks hand each other file paths, not rows: a mapped task's return
value stays small, and the files survive a killed task for the retry.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newswire.config import Settings


def ingest_clock() -> datetime:
    """Ingestion time; SOURCE_DATE_EPOCH (the reproducible-builds convention) pins it, so
    two runs over the same inbox give byte-equal warehouses (used by the fault tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def run_dir(settings: Settings, run_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
    return settings.parquet_dir / f"run={safe}"


def write_table(rows: Sequence[dict[str, Any]], schema: pa.Schema, path: Path) -> str:
    table = pa.Table.from_pylist(list(rows), schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return str(path)


def read_parquet_sql(path: str) -> str:
    """SQL for reading one Parquet file; hive partitioning off, since our folders look like k=v."""
    quoted = str(path).replace("'", "''")
    return f"read_parquet('{quoted}', hive_partitioning = false)"
