"""The discover task: which inbox files are new, in batches, and the publishers' template statistics."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from newswire import progress
from newswire.config import Settings, get_settings
from newswire.ingest import inbox as inbox_fs
from newswire.ingest.batch_files import run_dir
from newswire.warehouse import connect

log = logging.getLogger(__name__)

MIN_TEMPLATE_DOCS = 3  # a publisher needs this many pages before its line statistics count


def scan_inbox(inbox: Path) -> list[Path]:
    """Paths of every input under `inbox` (see newswire.ingest.inbox), sorted."""
    return [entry.path for entry in inbox_fs.scan(inbox)]


def discover(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Find inputs not yet ingested and split them into batches.

    An input is known by its content hash: a file already loaded under the same
    path is skipped silently; the same content under a new path is recorded as a
    duplicate input so that every file stays accounted for. Writes the current
    per-publisher template statistics for the parse tasks to read.
    """
    settings = settings or get_settings()
    files = inbox_fs.scan(settings.inbox)
    out_dir = run_dir(settings, run_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    with connect(settings) as con:
        known = {
            (sha, path): status
            for sha, path, status in con.execute("select input_sha256, input_path, status from raw.inputs").fetchall()
        }
        known_shas = {sha for sha, _ in known if sha}
        stats_rows = con.execute(
            f"""
            with docs as (
              select publisher, count(distinct article_id) as n
              from raw.line_fingerprints group by publisher
            )
            select f.publisher, f.line_fingerprint, count(distinct f.article_id) / any_value(d.n) as share
            from raw.line_fingerprints as f join docs as d using (publisher)
            where d.n >= {MIN_TEMPLATE_DOCS}
            group by f.publisher, f.line_fingerprint
            having count(distinct f.article_id) >= 2
            """
        ).fetchall()
    template: dict[str, dict[str, float]] = {}
    for publisher, fp, share in stats_rows:
        template.setdefault(publisher, {})[fp] = float(share)
    stats_path = out_dir / "template_stats.json"
    stats_path.write_text(json.dumps(template))

    new: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    seen_in_run: set[str] = set()
    for item in files:
        path = str(item.path)
        rejection = item.rejection
        if rejection is None:
            try:
                # Hash only; the parse step reads the file again through the same guard.
                _, sha, size = inbox_fs.read_input(settings.inbox, item.read_rel or item.rel, max_bytes=0)
            except inbox_fs.InboxRejection as exc:
                rejection = exc
        if rejection is not None:
            # Never read: recorded once per path, with an empty content hash.
            if ("", path) not in known:
                new.append(
                    {
                        "path": path,
                        "rel": list(item.rel),
                        "sha256": "",
                        "size": 0,
                        "reject": [rejection.reason_code, rejection.reason],
                    }
                )
            continue
        entry = {
            "path": path,
            "rel": list(item.rel),
            "read_rel": list(item.read_rel or item.rel),
            "sha256": sha,
            "size": size,
        }
        if (sha, path) in known:
            continue
        if sha in known_shas or sha in seen_in_run:
            duplicates.append(entry)
            continue
        seen_in_run.add(sha)
        new.append(entry)
    size = max(1, settings.batch_size)
    batches = [new[i : i + size] for i in range(0, len(new), size)]
    progress.total("parse", len(new))
    log.info(
        "inbox %s: %d files, %d new, %d duplicate content, %d already ingested, %d batches",
        settings.inbox,
        len(files),
        len(new),
        len(duplicates),
        len(files) - len(new) - len(duplicates),
        len(batches),
    )
    found = {
        "run_id": run_id,
        "files_seen": len(files),
        "batches": batches,
        "duplicates": duplicates,
        "template_stats_path": str(stats_path),
    }
    (out_dir / "discovery.json").write_text(json.dumps(found))
    return found


def read_discovery(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """What `discover` found for a run (kept on disk so mapped tasks stay small)."""
    path = run_dir(settings or get_settings(), run_id) / "discovery.json"
    return json.loads(path.read_text()) if path.exists() else {"batches": [], "duplicates": [], "files_seen": 0}


def inputs_recorded(run_id: str, settings: Settings | None = None) -> int:
    """How many inputs this run recorded in raw.inputs (0: nothing new was found)."""
    with connect(settings or get_settings()) as con:
        return int(con.execute("select count(*) from raw.inputs where run_id = ?", [run_id]).fetchone()[0])
