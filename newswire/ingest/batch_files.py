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


class ParquetSink:
    """Rows appended in chunks to one Parquet file, so a batch's rows never sit in memory at once.

    The NLP stage yields tens of rows per article; held as dicts for a 1,000-article
    batch they cost hundreds of MB. The file is written under a temporary name and
    renamed on close, so a killed task never leaves a half-written file under the
    name the next task reads.
    """

    def __init__(self, schema: pa.Schema, path: Path, flush_rows: int = 5_000) -> None:
        self.schema, self.path, self.flush_rows = schema, path, flush_rows
        self.tmp = path.with_name(path.name + ".partial")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        self.rows: list[dict[str, Any]] = []

    def extend(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.flush_rows:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> str:
        self._flush()
        self.writer.close()
        os.replace(self.tmp, self.path)
        return str(self.path)


def read_parquet_sql(path: str) -> str:
    """SQL for reading one Parquet file; hive partitioning off, since our folders look like k=v."""
    quoted = str(path).replace("'", "''")
    return f"read_parquet('{quoted}', hive_partitioning = false)"
