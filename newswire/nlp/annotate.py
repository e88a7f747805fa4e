"""The annotate task: the NLP stage over one batch's articles, written as Parquet."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from newswire import progress, schemas
from newswire.config import Settings, get_settings
from newswire.ingest.batch_files import ParquetSink

log = logging.getLogger(__name__)


def annotate_batch(manifest: dict[str, Any], settings: Settings | None = None) -> dict[str, Any]:
    """Run the NLP stage over one batch's articles and write its Parquet tables.

    ``manifest["more_batches"]`` (set by the DAG) keeps spaCy's worker processes for
    the next batch; the last batch stops them, so the load stage does not carry them.
    """
    settings = settings or get_settings()
    from newswire.nlp import annotate_articles, load_pipeline

    table = pq.read_table(manifest["articles"], columns=["article_id", "title", "body"])
    out = Path(manifest["articles"]).parent
    sinks = {
        "sentences": ParquetSink(schemas.SENTENCES, out / "sentences.parquet"),
        "entity_mentions": ParquetSink(schemas.ENTITY_MENTIONS, out / "entity_mentions.parquet"),
        "predicates": ParquetSink(schemas.PREDICATES, out / "predicates.parquet"),
    }
    started = time.perf_counter()
    if table.num_rows:
        nlp = load_pipeline(settings.spacy_model)
        # worker processes pay off from a couple of spaCy batches on (forking costs about a second)
        n_process = settings.nlp_processes if table.num_rows >= 2 * settings.nlp_batch_size else 1
        done = 0
        # warm workers stay up for the run's next batch (same process under `newswire run`)
        for ann in annotate_articles(
            table.to_pylist(), nlp=nlp, n_process=n_process, batch_size=settings.nlp_batch_size,
            keep_workers=bool(manifest.get("more_batches")),
        ):
            for name, sink in sinks.items():
                sink.extend(getattr(ann, name))
            done += 1
            progress.advance("annotate")
            if done % 100 == 0:
                rate = done / (time.perf_counter() - started)
                log.info(
                    "NLP batch %s: %d/%d articles (%.1f articles/s)", manifest["batch_no"], done, table.num_rows, rate
                )
    if not manifest.get("more_batches"):
        # the run's last batch (or one run alone) stops the kept workers, whichever path it took
        release_workers()
    elapsed = time.perf_counter() - started
    log.info("NLP batch %s: %d articles in %.2fs", manifest["batch_no"], table.num_rows, elapsed)
    return {**manifest, **{name: sink.close() for name, sink in sinks.items()}}


def release_workers() -> None:
    """Stop the spaCy workers a batch kept for the next one (a no-op when none run).

    The DAG's load task calls it: every annotate task has ended by then, whatever
    order the mapped tasks ran in.
    """
    pipeline = sys.modules.get("newswire.nlp.pipeline")
    if pipeline is not None:
        pipeline.shutdown_workers()

