"""Throughput of `extract_text_dump` on a corpus of plain-text articles (e.g. BBC).

Used by `make bench`; the corpus is read in place and never copied.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from newswire.extract import extract_text_dump

logger = logging.getLogger(__name__)


def bench_extraction(corpus_dir: Path | str, *, limit: int | None = None) -> dict[str, float | int | str]:
    """Articles per second for `extract_text_dump` over every *.txt under corpus_dir.

    Files are read before timing starts, so the number measures extraction only.
    Returns an empty result with reason "missing" when the corpus is absent.
    """
    root = Path(corpus_dir)
    if not root.is_dir():
        return {"articles": 0, "seconds": 0.0, "articles_per_second": 0.0, "cpu_seconds": 0.0, "reason": "missing"}
    files = sorted(p for p in root.rglob("*.txt") if p.name.lower() != "readme.txt")
    if limit is not None:
        files = files[:limit]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    if texts:
        extract_text_dump(texts[0])  # warm-up: language model and stop lists load once
    words = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for text in texts:
        words += len(extract_text_dump(text).body.split())
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    rate = len(texts) / seconds if seconds > 0 else 0.0
    logger.info("extract_text_dump: %d articles in %.1f s (%.1f/s)", len(texts), seconds, rate)
    return {
        "articles": len(texts),
        "seconds": round(seconds, 3),
        "articles_per_second": round(rate, 1),
        # CPU time is the fairer number on a shared machine
        "cpu_seconds": round(cpu_seconds, 3),
        "articles_per_cpu_second": round(len(texts) / cpu_seconds, 1) if cpu_seconds > 0 else 0.0,
        "body_words": words,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark extract_text_dump on a text corpus")
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    print(json.dumps(bench_extraction(args.corpus_dir, limit=args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
