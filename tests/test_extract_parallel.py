"""The extract task parses in forked processes: same rows, same rejections and reasons, same order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hostile_inputs import build_hostile_inbox

from newswire.config import get_settings
from newswire.ingest import discover, extract

TABLES = ("articles", "rejections", "inputs", "line_fingerprints")


def _rows(manifest: dict) -> dict[str, list[dict]]:
    return {name: pq.read_table(manifest[name]).to_pylist() for name in TABLES}


@pytest.mark.slow
def test_forked_parsing_matches_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h = build_hostile_inbox(tmp_path, max_input_bytes=3_000_000)
    monkeypatch.setenv("NEWSWIRE_INBOX", str(h.inbox))
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))
    monkeypatch.setenv("NEWSWIRE_MAX_INPUT_BYTES", "3000000")
    monkeypatch.setenv("NEWSWIRE_BATCH_SIZE", "40")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # equal ingestion times in both runs
    if extract.usable_cpus() < 2:
        pytest.skip("forked parsing needs 2 CPUs")
    monkeypatch.setattr(extract, "MIN_PARALLEL_INPUTS", 1)  # fork even for these small batches
    pools: list[int] = []

    class CountedPool(extract.ProcessPoolExecutor):
        def __init__(self, n: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
            pools.append(n)
            super().__init__(n, **kwargs)

    monkeypatch.setattr(extract, "ProcessPoolExecutor", CountedPool)
    found = discover.discover("parallel")
    assert len(found["batches"]) >= 2

    def run(processes: int) -> list[dict[str, list[dict]]]:
        settings = replace(get_settings(), parse_processes=processes)
        return [
            _rows(extract.extract_batch(b, i, "parallel", found["template_stats_path"], settings))
            for i, b in enumerate(found["batches"])
        ]

    serial = run(1)
    assert pools == []  # in-process
    forked = run(2)
    assert pools == [2] * len(found["batches"])  # every batch went to 2 worker processes
    assert forked == serial
    everything = {name: [r for batch in serial for r in batch[name]] for name in TABLES}
    assert len(everything["inputs"]) == sum(len(b) for b in found["batches"])  # every input has its row
    assert everything["articles"] and everything["rejections"]  # both kinds of outcome were compared
    assert all(r["reason_code"] and r["reason"] for r in everything["rejections"])
