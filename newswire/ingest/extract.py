"""The extract task: one batch of inbox files parsed and cleaned into article rows (Parquet).

The parsing itself is `newswire.ingest.parse` (formats) and `newswire.extract`
(page cleaning); this module runs it over a batch and records every input.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from newswire import progress, schemas
from newswire.config import Settings, get_settings
from newswire.ingest import inbox as inbox_fs
from newswire.ingest.batch_files import ingest_clock, run_dir, write_table
from newswire.ingest.parse import InputParser, ParseResult

log = logging.getLogger(__name__)


def extract_batch(
    batch: list[dict[str, Any]],
    batch_no: int,
    run_id: str,
    template_stats_path: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Parse and clean one batch of inputs and write its rows as Parquet; touches no database."""
    settings = settings or get_settings()
    parser = InputParser(
        max_input_bytes=settings.max_input_bytes,
        max_article_chars=settings.max_article_chars,
        min_body_words=settings.min_body_words,
        min_record_words=settings.min_record_words,
    )
    template: dict[str, dict[str, float]] = {}
    if template_stats_path and Path(template_stats_path).exists():
        template = json.loads(Path(template_stats_path).read_text())
    now = ingest_clock()
    articles: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    fingerprints: list[dict[str, Any]] = []
    started = time.perf_counter()
    for result, fps in _parse_all(batch, parser, settings, template):
        for art in result.articles:
            art["ingested_at"] = now
            articles.append(art)
        fingerprints.extend(fps)
        for rej in result.rejections:
            rejections.append({**rej, "run_id": run_id, "rejected_at": now})
        progress.advance("parse", 1, articles=len(result.articles), rejected=len(result.rejections))
        inputs.append(
            {
                "input_sha256": result.input_sha256,
                "input_path": result.input_path,
                "size_bytes": result.size_bytes,
                "detected_format": result.detected_format,
                "status": result.status,
                "articles_loaded": len(result.articles),
                "items_rejected": len(result.rejections),
                "items_skipped": result.items_skipped,
                "run_id": run_id,
                "seen_at": now,
            }
        )
    elapsed = time.perf_counter() - started
    progress.total("annotate", len(articles), add=True)
    progress.total("load", len(articles), add=True)
    out = run_dir(settings, run_id) / f"batch={batch_no:05d}"
    manifest = {
        "batch_no": batch_no,
        "articles": write_table(articles, schemas.ARTICLES, out / "articles.parquet"),
        "rejections": write_table(rejections, schemas.REJECTIONS, out / "rejections.parquet"),
        "inputs": write_table(inputs, schemas.INPUTS, out / "inputs.parquet"),
        "line_fingerprints": write_table(fingerprints, schemas.LINE_FINGERPRINTS, out / "line_fingerprints.parquet"),
        "n_inputs": len(inputs),
        "n_articles": len(articles),
        "n_rejections": len(rejections),
    }
    log.info(
        "batch %d: %d inputs -> %d articles, %d rejections in %.2fs (%.1f inputs/s)",
        batch_no,
        len(inputs),
        len(articles),
        len(rejections),
        elapsed,
        len(inputs) / elapsed if elapsed else 0.0,
    )
    return manifest


#: Below this many inputs a batch is parsed in-process: forking costs more than it saves.
MIN_PARALLEL_INPUTS = 64

_WORKER: tuple[InputParser, Settings, dict[str, dict[str, float]]] | None = None


def _parse_all(
    batch: list[dict[str, Any]], parser: InputParser, settings: Settings, template: dict[str, dict[str, float]]
) -> Iterator[tuple[ParseResult, list[dict[str, Any]]]]:
    """Each input's parse result and line fingerprints, in the batch's order.

    Parsing is pure CPU work per file, so with ``parse_processes > 1`` it runs in
    forked worker processes (the parser and template statistics are inherited, not
    pickled); results come back in input order, so a batch's rows do not depend on
    the number of processes.
    """
    n_process = min(settings.parse_processes, usable_cpus())
    parallel = (
        n_process > 1 and len(batch) >= MIN_PARALLEL_INPUTS
        and "fork" in mp.get_all_start_methods() and not mp.current_process().daemon
    )
    if not parallel:
        yield from (_parse_one(parser, entry, settings, template) for entry in batch)
        return
    global _WORKER
    _WORKER = (parser, settings, template)
    pool = ProcessPoolExecutor(n_process, mp_context=mp.get_context("fork"))
    try:
        yield from pool.map(_parse_in_worker, batch, chunksize=8)
    finally:
        # an abandoned batch (the caller failed) does not wait for the rest of its parses
        pool.shutdown(wait=True, cancel_futures=True)
        _WORKER = None


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers and taskset narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _parse_in_worker(entry: dict[str, Any]) -> tuple[ParseResult, list[dict[str, Any]]]:
    assert _WORKER is not None
    return _parse_one(_WORKER[0], entry, _WORKER[1], _WORKER[2])


def _parse_one(
    parser: InputParser, entry: dict[str, Any], settings: Settings, template: dict[str, dict[str, float]]
) -> tuple[ParseResult, list[dict[str, Any]]]:
    result, data = _parse_entry(parser, entry, settings, template)
    fps = [fp for art in result.articles if art["source_format"] == "text" for fp in _fingerprints(data, art)]
    return result, fps


def _parse_entry(
    parser: InputParser, entry: dict[str, Any], settings: Settings, template: dict[str, dict[str, float]]
) -> tuple[ParseResult, bytes]:
    """Parse one discovered input, reading it only through the inbox guard."""
    path = Path(entry["path"])
    if entry.get("reject"):
        code, reason = entry["reject"]
        result = ParseResult(input_sha256="", input_path=str(path), size_bytes=0)
        result.reject(code, reason)
        return result, b""
    try:
        data, sha, size = inbox_fs.read_input(
            settings.inbox, entry.get("read_rel") or entry["rel"], max_bytes=settings.max_input_bytes
        )
    except inbox_fs.InboxRejection as exc:
        result = ParseResult(input_sha256="", input_path=str(path), size_bytes=0)
        result.reject(exc.reason_code, exc.reason)
        return result, b""
    return parser.parse_bytes(data, path, template_counts=template, input_sha256=sha, size_bytes=size), data


def _fingerprints(data: bytes, article: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Fingerprints of the page's distinct lines, for the publisher's template statistics."""
    from newswire.extract import line_fingerprint
    from newswire.ingest.decode import read_input_bytes

    if not article.get("publisher"):
        return []
    try:
        text = read_input_bytes(data, max_bytes=1 << 62).text
    except Exception:  # noqa: BLE001 - fingerprints are an optimisation, never a failure
        return []
    fps = {line_fingerprint(line) for line in text.split("\n") if line.strip()}
    return [
        {"article_id": article["article_id"], "publisher": article["publisher"], "line_fingerprint": fp}
        for fp in sorted(fps)
    ]
