"""`python -m benchmarks cluster`: the cluster task's cost for new articles, as history grows.

Real news at volume: history is Reuters-21578 stories and BBC News articles, read
from ../shared/corpora (skipped cleanly when absent); the new batch is 1,000
Reuters stories that history does not hold. For each history size the task first
clusters history (a first run), then the batch, which is timed. Two references
are measured in the same run:

* hashing the batch's bodies alone (``StoryClusterer.minhash``): the floor, since
  every new article must be hashed;
* hashing every body of history too: what the task cost when it rebuilt its index
  from the bodies on every run.

    python -m benchmarks cluster [--sizes 2000,6000,0] [--new 1000]

A size of 0 means all of history.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from newswire.config import get_settings

log = logging.getLogger(__name__)

CORPORA = get_settings().shared_dir / "corpora"


def corpus_articles(new: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(history, new batch) as (article_id, body); both empty when the corpora are absent."""
    from benchmarks.nlp import read_bbc
    from benchmarks.pipeline import reuters_articles

    reuters_dir, bbc_dir = CORPORA / "reuters21578", CORPORA / "bbc"
    if not (reuters_dir.is_dir() and bbc_dir.is_dir()):
        return [], []
    reuters = [(a["url"], a["text"]) for a in reuters_articles(reuters_dir, 0, 10**6)]
    bbc = [(f"bbc:{a['article_id']}", a["body"]) for a in read_bbc(bbc_dir)]
    batch, rest = reuters[:new], reuters[new:]
    # interleaved, so that every history size mixes both sources
    history = [a for pair in zip(rest, bbc, strict=False) for a in pair]
    history += rest[len(bbc) :] + bbc[len(rest) :]
    return history, batch


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]], start: int) -> None:
    import pyarrow as pa

    table = pa.table(
        {
            "article_id": [a for a, _ in rows],
            "body": [b for _, b in rows],
            "n": list(range(start, start + len(rows))),
        }
    )
    con.register("bench_rows", table)
    con.execute(
        "insert into raw.articles (article_id, body, ingested_at) "
        "select article_id, body, timestamp '2024-01-01' + to_seconds(n) from bench_rows"
    )
    con.unregister("bench_rows")


def measure(history: list[tuple[str, str]], batch: list[tuple[str, str]], root: Path) -> dict[str, Any]:
    """Cluster `history`, then time the task on `batch`; with both references."""
    from newswire.config import Settings
    from newswire.extract import StoryClusterer
    from newswire.ingest import cluster
    from newswire.warehouse import ensure_raw_tables

    db = root / f"cluster-{len(history)}.duckdb"
    settings = Settings(warehouse=db)
    settings.work_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.work_db)) as con:
        ensure_raw_tables(con)
        _insert(con, history, 0)
    started = time.perf_counter()
    cluster.assign_story_clusters(settings)
    first = time.perf_counter() - started
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, batch, len(history))
    started = time.perf_counter()
    assigned = cluster.assign_story_clusters(settings)
    task = time.perf_counter() - started
    clusterer = StoryClusterer()
    started = time.perf_counter()
    for _, body in batch:
        clusterer.minhash(body)
    hash_new = time.perf_counter() - started
    started = time.perf_counter()
    for _, body in history:
        clusterer.minhash(body)
    hash_history = time.perf_counter() - started
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        joined = con.execute(
            "select count(*) from raw.articles "
            "where article_id in (select unnest(?)) and story_cluster_id != article_id",
            [[a for a, _ in batch]],
        ).fetchone()[0]
    return {
        "history": len(history),
        "new": assigned,
        "joined_existing": joined,
        "first_run_s": first,
        "task_s": task,
        "hash_new_s": hash_new,
        "rebuild_s": hash_history + hash_new,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks cluster", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,6000,0", help="history sizes, comma-separated; 0 = all")
    ap.add_argument("--new", type=int, default=1000)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    history, batch = corpus_articles(args.new)
    if not history:
        print(f"skip: corpora not found under {CORPORA}")
        return 0
    sizes = [int(s) or len(history) for s in args.sizes.split(",")]
    print(f"cluster task, +{len(batch)} new Reuters stories on a history of Reuters + BBC articles")
    print(f"{'history':>8} {'task s':>7} {'hash new s':>10} {'task/hash':>9} {'rebuild s':>9} {'joined':>6}")
    with tempfile.TemporaryDirectory(prefix="newswire-cluster-") as tmp:
        for size in sizes:
            r = measure(history[:size], batch, Path(tmp))
            ratio = r["task_s"] / r["hash_new_s"]
            print(
                f"{r['history']:>8} {r['task_s']:>7.2f} {r['hash_new_s']:>10.2f} {ratio:>8.2f}x "
                f"{r['rebuild_s']:>9.2f} {r['joined_existing']:>6}",
                flush=True,
            )
    print(
        "task: the cluster task on the new batch; hash new: hashing its bodies alone (the floor); "
        "rebuild: hashing history's bodies too, what rebuilding the index every run costs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
