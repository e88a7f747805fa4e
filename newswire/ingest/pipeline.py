"""The ingest steps the `newswire_ingest` DAG wires together.

Each function is one Airflow task and is also callable from plain Python, so the
tests can drive it without a scheduler. Parse and annotate steps touch no
database and can run in parallel; the steps that open DuckDB are meant to run in
the single-slot writer pool.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newswire import progress, schemas
from newswire.config import Settings, get_settings
from newswire.ingest import inbox as inbox_fs
from newswire.ingest.parse import InputParser, ParseResult
from newswire.validation.runner import ValidationFailed
from newswire.warehouse import connect

log = logging.getLogger(__name__)

MIN_TEMPLATE_DOCS = 3  # a publisher needs this many pages before its line statistics count


def _now() -> datetime:
    """Ingestion time; SOURCE_DATE_EPOCH (the reproducible-builds convention) pins it, so
    two runs over the same inbox give byte-equal warehouses (used by the fault tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def run_dir(settings: Settings, run_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
    return settings.parquet_dir / f"run={safe}"


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
                new.append({"path": path, "rel": list(item.rel), "sha256": "", "size": 0,
                            "reject": [rejection.reason_code, rejection.reason]})
            continue
        entry = {"path": path, "rel": list(item.rel), "read_rel": list(item.read_rel or item.rel),
                 "sha256": sha, "size": size}
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


def _write_table(rows: Sequence[dict[str, Any]], schema: pa.Schema, path: Path) -> str:
    table = pa.Table.from_pylist(list(rows), schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return str(path)


def parse_batch(
    batch: list[dict[str, Any]],
    batch_no: int,
    run_id: str,
    template_stats_path: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Parse one batch of inputs and write its rows as Parquet; touches no database."""
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
    now = _now()
    articles: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    fingerprints: list[dict[str, Any]] = []
    started = time.perf_counter()
    for entry in batch:
        result, data = _parse_entry(parser, entry, settings, template)
        for art in result.articles:
            art["ingested_at"] = now
            articles.append(art)
            if art["source_format"] == "text":
                fingerprints.extend(_fingerprints(data, art))
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
        "articles": _write_table(articles, schemas.ARTICLES, out / "articles.parquet"),
        "rejections": _write_table(rejections, schemas.REJECTIONS, out / "rejections.parquet"),
        "inputs": _write_table(inputs, schemas.INPUTS, out / "inputs.parquet"),
        "line_fingerprints": _write_table(fingerprints, schemas.LINE_FINGERPRINTS, out / "line_fingerprints.parquet"),
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


def annotate_batch(manifest: dict[str, Any], settings: Settings | None = None) -> dict[str, Any]:
    """Run the NLP stage over one batch's articles and write its Parquet tables."""
    settings = settings or get_settings()
    from newswire.nlp import annotate_articles, load_pipeline

    table = pq.read_table(manifest["articles"], columns=["article_id", "title", "body"])
    out = Path(manifest["articles"]).parent
    sentences: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    predicates: list[dict[str, Any]] = []
    started = time.perf_counter()
    if table.num_rows:
        nlp = load_pipeline(settings.spacy_model)
        # worker processes pay off from a couple of spaCy batches on (forking costs about a second)
        n_process = settings.nlp_processes if table.num_rows >= 2 * settings.nlp_batch_size else 1
        done = 0
        for ann in annotate_articles(
            table.to_pylist(), nlp=nlp, n_process=n_process, batch_size=settings.nlp_batch_size
        ):
            sentences.extend(ann.sentences)
            mentions.extend(ann.entity_mentions)
            predicates.extend(ann.predicates)
            done += 1
            progress.advance("annotate")
            if done % 100 == 0:
                rate = done / (time.perf_counter() - started)
                log.info(
                    "NLP batch %s: %d/%d articles (%.1f articles/s)", manifest["batch_no"], done, table.num_rows, rate
                )
    elapsed = time.perf_counter() - started
    log.info("NLP batch %s: %d articles in %.2fs", manifest["batch_no"], table.num_rows, elapsed)
    return {
        **manifest,
        "sentences": _write_table(sentences, schemas.SENTENCES, out / "sentences.parquet"),
        "entity_mentions": _write_table(mentions, schemas.ENTITY_MENTIONS, out / "entity_mentions.parquet"),
        "predicates": _write_table(predicates, schemas.PREDICATES, out / "predicates.parquet"),
    }


def _rp(path: str) -> str:
    """SQL for reading one Parquet file; hive partitioning off, since our folders look like k=v."""
    quoted = str(path).replace("'", "''")
    return f"read_parquet('{quoted}', hive_partitioning = false)"


_LOAD_ORDER = ("articles", "rejections", "inputs", "line_fingerprints", "sentences", "entity_mentions", "predicates")


def load_batches(
    manifests: Sequence[dict[str, Any]],
    run_id: str,
    duplicates: Sequence[dict[str, Any]] | None = None,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Load the batches' Parquet into `raw`, in one transaction, idempotently.

    Rows of an article already present are replaced, so a retried task never
    doubles them. Story clusters for the new articles are assigned here, against
    every article already in the warehouse.
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
                    n = con.execute(f"select count(*) from {_rp(path)}").fetchone()[0]
                    if not n:
                        continue
                    if table in ("articles", "line_fingerprints", "sentences", "entity_mentions", "predicates"):
                        con.execute(f"delete from raw.{table} where article_id in (select article_id from {_rp(path)})")
                    elif table == "inputs":
                        con.execute(
                            f"""delete from raw.inputs where (input_sha256, input_path) in
                            (select (input_sha256, input_path) from {_rp(path)})"""
                        )
                    con.execute(f"insert into raw.{table} by name select * from {_rp(path)}")
                    counts[table] += n
                    if table == "articles":
                        progress.advance("load", n)
            now = _now()
            for dup in duplicates:
                con.execute(
                    """insert into raw.inputs by name
                    select ? as input_sha256, ? as input_path, ? as size_bytes, null as detected_format,
                           'duplicate' as status, 0 as articles_loaded, 0 as items_rejected,
                           ? as run_id, ? as seen_at""",
                    [dup["sha256"], dup["path"], dup.get("size", 0), run_id, now],
                )
            _assign_story_clusters(con)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    log.info("loaded run %s: %s", run_id, counts)
    return counts


def _assign_story_clusters(con: Any) -> None:
    """Give every article without a story cluster one, by near-duplicate detection."""
    from newswire.extract import StoryClusterer

    pending = con.execute(
        "select article_id, body from raw.articles where story_cluster_id is null order by ingested_at, article_id"
    ).fetchall()
    if not pending:
        return
    clusterer = StoryClusterer()
    for article_id, cluster_id, body in con.execute(
        "select article_id, story_cluster_id, body from raw.articles where story_cluster_id is not null"
    ).fetchall():
        clusterer.add_existing(article_id, cluster_id, body)
    assigned = [(clusterer.assign(article_id, body), article_id) for article_id, body in pending]
    con.executemany("update raw.articles set story_cluster_id = ? where article_id = ?", assigned)


def validate_raw(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Validate the rows this run loaded (and table-wide keys) with the raw GX suite.

    Rows of an earlier run that died between its load and its validation (killed,
    say) are validated first, under their own run id, so no row reaches a publish
    unvalidated.
    """
    settings = settings or get_settings()
    with connect(settings) as con:
        pending = [
            r[0]
            for r in con.execute(
                """select distinct i.run_id from raw.inputs as i
                where i.run_id <> ? and not exists (
                  select 1 from audit.validation_results as v where v.stage = 'raw' and v.run_id = i.run_id)
                order by 1""",
                [run_id],
            ).fetchall()
        ]
    for earlier in pending:
        log.warning("run %s loaded rows but never validated them (it died?); validating them now", earlier)
        try:
            _validate_raw_run(earlier, settings)
        except ValidationFailed as exc:  # its rows are quarantined; this run's rows still count
            log.error("rows of run %s failed raw validation and were quarantined: %s", earlier, exc)
    return _validate_raw_run(run_id, settings)


def _validate_raw_run(run_id: str, settings: Settings) -> dict[str, Any]:
    from newswire.validation import validate_frames
    from newswire.validation.raw import raw_suites

    with connect(settings) as con:
        articles = con.execute(
            """select a.* exclude (captions) from raw.articles as a
            where a.input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
            [run_id],
        ).df()
        keys = con.execute("select article_id from raw.articles").df()
        rejections = con.execute("select * from raw.rejections where run_id = ?", [run_id]).df()
        # Row-level checks on this run's rows; the uniqueness check on every key in the table.
        articles_all_keys = keys
        suites = raw_suites(settings)
        key_suite = [x for x in suites["articles"] if x.column == "article_id"]
        row_suite = [x for x in suites["articles"] if x.column != "article_id"]
        summary = validate_frames(
            "raw",
            {"articles": articles, "article_keys": articles_all_keys, "rejections": rejections},
            {"articles": row_suite, "article_keys": key_suite, "rejections": suites["rejections"]},
            run_id=run_id,
            gx_root=settings.warehouse_dir / "gx",
            con=con,
            raise_on_failure=False,
        )
        if not summary.success:
            # Never let rows that failed a blocking check reach a later publish:
            # take them out of the working copy and record why, then fail the run.
            quarantine_run(con, run_id, summary.describe())
            raise ValidationFailed(summary.describe())
    return {
        "success": summary.success,
        "description": summary.describe(),
        "evaluated": summary.evaluated,
        "data_docs": summary.data_docs_index,
    }


def quarantine_run(con: Any, run_id: str, reason: str) -> int:
    """Remove a run's article rows from `raw` and record them as rejected, in one transaction.

    The inputs stay in `raw.inputs` with status `quarantined`, so they are not
    silently retried; every article gets a `failed_validation` rejection row.
    """
    con.execute("begin transaction")
    try:
        ids = [
            r[0]
            for r in con.execute(
                """select article_id from raw.articles
                where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
                [run_id],
            ).fetchall()
        ]
        con.execute(
            """insert into raw.rejections by name
            select input_sha256, input_path, item_no, 'failed_validation' as reason_code,
                   ? as reason, ? as run_id, now() as rejected_at
            from raw.articles
            where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
            [f"raw validation failed: {reason}"[:2000], run_id, run_id],
        )
        for table in ("sentences", "entity_mentions", "predicates", "line_fingerprints", "articles"):
            con.execute(
                f"""delete from raw.{table} where article_id in
                (select article_id from raw.articles
                 where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?))"""
                if table != "articles"
                else """delete from raw.articles
                where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
                [run_id],
            )
        con.execute(
            "update raw.inputs set status = 'quarantined', articles_loaded = 0 where run_id = ?", [run_id]
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    log.error("quarantined %d articles of run %s: %s", len(ids), run_id, reason)
    return len(ids)


def inputs_recorded(run_id: str, settings: Settings | None = None) -> int:
    """How many inputs this run recorded in raw.inputs (0: nothing new was found)."""
    with connect(settings or get_settings()) as con:
        return int(con.execute("select count(*) from raw.inputs where run_id = ?", [run_id]).fetchone()[0])


def publish_warehouse(settings: Settings | None = None) -> str:
    """Publish the validated working copy (see newswire.warehouse.publish)."""
    from newswire.warehouse import publish

    settings = settings or get_settings()
    # Write-audit-publish guard (newswire.transform.wap, docs/write-audit-publish.md):
    # while a transform has unvalidated marts in the working copy, publishing it
    # would expose them. Skip; the transform publishes raw and marts together.
    from newswire.transform.wap import publish_blocker

    blocker = publish_blocker(settings)
    if blocker:
        log.warning("not publishing the working copy: %s", blocker)
        return f"skipped: {blocker}"
    return str(publish(settings))


def validation_summary(run_id: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Expectations met and failed per stage for one DAG run, from audit.validation_results."""
    with connect(settings or get_settings()) as con:
        rows = con.execute(
            """select stage, count(*) filter (where success), count(*) filter (where not success and blocking),
            count(*) filter (where not success and not blocking) from audit.validation_results
            where run_id = ? group by stage order by stage""",
            [run_id],
        ).fetchall()
    return [{"stage": s, "passed": ok, "failed_blocking": fb, "failed_warning": fw} for s, ok, fb, fw in rows]


def run_summary(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Counts for this run and for the warehouse, from the working copy."""
    settings = settings or get_settings()
    with connect(settings, read_only=False) as con:
        q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
        inputs = q("select status, count(*) from raw.inputs where run_id = ? group by status order by status", run_id)
        rejections = q(
            """select input_path, item_no, reason_code, reason from raw.rejections
            where run_id = ? order by input_path, item_no""",
            run_id,
        )
        loaded = q(
            """select count(*) from raw.articles where input_sha256 in
            (select input_sha256 from raw.inputs where run_id = ?)""",
            run_id,
        )[0][0]
        totals = {
            t: q(f"select count(*) from raw.{t}")[0][0]
            for t in ("articles", "inputs", "rejections", "sentences", "entity_mentions", "predicates")
        }
        validation = q(
            """select stage, count(*) filter (where success), count(*) filter (where not success and blocking),
            count(*) filter (where not success and not blocking) from audit.validation_results
            where run_id = ? group by stage order by stage""",
            run_id,
        )
    return {
        "run_id": run_id,
        "inputs_by_status": {status: n for status, n in inputs},
        "articles_loaded": loaded,
        "rejections": [{"input_path": p, "item_no": i, "reason_code": c, "reason": r} for p, i, c, r in rejections],
        "totals": totals,
        "validation": [
            {"stage": s, "passed": ok, "failed_blocking": fb, "failed_warning": fw} for s, ok, fb, fw in validation
        ],
        "warehouse": str(settings.warehouse),
    }
