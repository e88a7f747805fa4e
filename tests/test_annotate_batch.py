"""The annotate task streams its rows to Parquet: the files hold exactly what the NLP
stage yields, and a task killed before it finishes leaves no file under the name the
load task reads."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newswire import schemas
from newswire.ingest.batch_files import ParquetSink
from newswire.nlp import annotate, pipeline

SCHEMA = pa.schema([pa.field("article_id", pa.string()), pa.field("n", pa.int64())])

ARTICLES = [
    {"article_id": "a1", "title": "Ministers meet in Paris",
     "body": "France and Germany signed a trade agreement in Paris on Monday. Officials praised the deal."},
    {"article_id": "a2", "title": "Protest in Nairobi",
     "body": "Police in Kenya arrested dozens of protesters in Nairobi. The government condemned the violence."},
    {"article_id": "a3", "title": "Talks",
     "body": "Japan urged Russia to return to talks, the foreign ministry said in Tokyo on Tuesday."},
]


def test_sink_writes_every_row_in_order_across_flushes(tmp_path: Path) -> None:
    target = tmp_path / "rows.parquet"
    sink = ParquetSink(SCHEMA, target, flush_rows=3)
    rows = [{"article_id": f"a{i // 4}", "n": i} for i in range(10)]
    for i in range(0, len(rows), 2):
        sink.extend(rows[i:i + 2])
    assert not target.exists()  # still being written: only the temporary name exists
    assert sink.close() == str(target)
    assert pq.read_table(target).to_pylist() == rows
    assert list(tmp_path.iterdir()) == [target]


def test_sink_without_rows_writes_an_empty_file_with_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    ParquetSink(SCHEMA, target).close()
    table = pq.read_table(target)
    assert table.num_rows == 0
    assert table.schema.names == SCHEMA.names


def test_a_sink_never_closed_leaves_no_file_under_its_name(tmp_path: Path) -> None:
    target = tmp_path / "killed.parquet"
    sink = ParquetSink(SCHEMA, target, flush_rows=1)
    sink.extend([{"article_id": "a", "n": 1}, {"article_id": "b", "n": 2}])
    del sink  # a killed task never reaches close()
    assert not target.exists()


@pytest.mark.slow
def test_annotate_batch_files_hold_what_the_nlp_stage_yields(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    articles = tmp_path / "batch=0000" / "articles.parquet"
    articles.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(ARTICLES), articles)
    out = annotate.annotate_batch({"batch_no": 0, "articles": str(articles)})
    expected: dict[str, list[dict]] = {"sentences": [], "entity_mentions": [], "predicates": []}
    for ann in pipeline.annotate_articles(ARTICLES, nlp=nlp, n_process=1):
        expected["sentences"].extend(ann.sentences)
        expected["entity_mentions"].extend(ann.entity_mentions)
        expected["predicates"].extend(ann.predicates)
    schema_of = {"sentences": schemas.SENTENCES, "entity_mentions": schemas.ENTITY_MENTIONS,
                 "predicates": schemas.PREDICATES}
    for name, rows in expected.items():
        assert rows, name  # the articles give rows of every kind
        written = pq.read_table(out[name])
        assert written.schema.names == schema_of[name].names
        assert written.to_pylist() == pa.Table.from_pylist(rows, schema=schema_of[name]).to_pylist()
    assert not list(articles.parent.glob("*.partial"))


def test_release_pipelines_drops_the_cached_model() -> None:
    first = pipeline.load_pipeline()
    pipeline.release_pipelines()
    second = pipeline.load_pipeline()
    assert second is not first
    doc = second("Japan urged Russia to return to talks.")
    assert {ent.text for ent in doc.ents} >= {"Japan", "Russia"}


def test_kept_workers_serve_the_next_batch_and_stop_with_the_last(nlp) -> None:  # type: ignore[no-untyped-def]
    serial = [a.predicates for a in pipeline.annotate_articles(ARTICLES, nlp=nlp, n_process=1)]
    try:
        first = list(pipeline.annotate_articles(ARTICLES[:2], nlp=nlp, n_process=2, batch_size=4, keep_workers=True))
        pool = pipeline._POOL.get("pool")
        assert pool is not None  # kept for the next batch
        workers = set(pool._processes)
        seen: list[tuple[int, set[int]]] = []
        real_submit = pool.submit

        def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append((id(pipeline._POOL.get("pool")), set(pipeline._POOL["pool"]._processes)))
            return real_submit(*args, **kwargs)

        pool.submit = spy  # type: ignore[method-assign]
        last = list(pipeline.annotate_articles(ARTICLES[2:], nlp=nlp, n_process=2, batch_size=4))
        assert seen and all(p == id(pool) and w == workers for p, w in seen)  # no new fork: the same workers
        assert [a.predicates for a in first + last] == serial
        assert pipeline._POOL == {}  # the last batch stopped them
    finally:
        pipeline.shutdown_workers()


def test_kept_workers_leave_when_their_parent_process_dies(tmp_path: Path) -> None:
    """An Airflow task process ends with os._exit (no clean-up): its kept workers must not linger."""
    import os
    import subprocess
    import sys
    import time

    script = (
        "import os, spacy, multiprocessing as mp\n"
        "from newswire.nlp import pipeline\n"
        "nlp = spacy.blank('en')\n"
        "pool = pipeline._worker_pool(nlp, 2, mp.get_context('fork'), (nlp, None))\n"
        "pids = {pool.submit(os.getpid).result() for _ in range(8)}\n"
        "print(' '.join(map(str, sorted(set(pool._processes)))), flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 2

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def test_the_last_batch_stops_kept_workers_even_when_it_runs_in_process(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = pa.table({"article_id": ["z1"], "title": ["Talks"], "body": [ARTICLES[2]["body"]]})
    pq.write_table(table, tmp_path / "articles.parquet")
    try:
        list(pipeline.annotate_articles(ARTICLES, nlp=nlp, n_process=2, batch_size=4, keep_workers=True))
        assert pipeline._POOL  # an earlier batch kept them
        # one article: too few for worker processes, so this batch runs in-process
        annotate.annotate_batch({"articles": str(tmp_path / "articles.parquet"), "batch_no": 9})
        assert pipeline._POOL == {}
    finally:
        pipeline.shutdown_workers()
