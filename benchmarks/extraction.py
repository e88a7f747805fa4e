"""`python -m benchmarks extraction`: speed of parsing and cleaning against jusText, same texts, same run.

The parse path measured is the ingest one (decode, main-text extraction, metadata,
language, hashes), so the figure is what a batch task achieves per core. jusText
over the same texts is the reference: a common, well-kept boilerplate remover.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from newswire.config import get_settings

log = logging.getLogger(__name__)

DEFAULT_CORPUS = get_settings().shared_dir / "corpora" / "bbc"


def _corpus(root: Path, limit: int | None) -> list[tuple[Path, bytes]]:
    files = sorted(p for p in root.rglob("*.txt") if p.name.lower() != "readme.txt")
    return [(p, p.read_bytes()) for p in files[:limit]]


def bench(root: Path, limit: int | None = None) -> dict[str, float | int]:
    """Time the ingest parse path and jusText on the same files; report rates and their ratio."""
    import justext

    from newswire.ingest.parse import InputParser

    docs = _corpus(root, limit)
    parser = InputParser(max_input_bytes=50 << 20, max_article_chars=1_000_000, min_body_words=1)
    parser.parse_bytes(docs[0][1], docs[0][0])  # warm-up: stop lists, language model
    started, cpu = time.perf_counter(), time.process_time()
    loaded = sum(len(parser.parse_bytes(data, path).articles) for path, data in docs)
    ours_wall, ours_cpu = time.perf_counter() - started, time.process_time() - cpu

    stoplist = justext.get_stoplist("English")
    started, cpu = time.perf_counter(), time.process_time()
    for _, data in docs:
        text = data.decode("utf-8", errors="replace")
        html = (
            "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip()) + "</body></html>"
        )
        justext.justext(html, stoplist)
    ref_wall, ref_cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(docs)
    return {
        "articles": n,
        "articles_loaded": loaded,
        "newswire_articles_per_s": round(n / ours_wall, 1),
        "newswire_articles_per_cpu_s": round(n / ours_cpu, 1),
        "justext_articles_per_s": round(n / ref_wall, 1),
        "justext_articles_per_cpu_s": round(n / ref_cpu, 1),
        "ratio_vs_justext_cpu": round((n / ours_cpu) / (n / ref_cpu), 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks extraction", description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: corpus {args.corpus} is absent")
        return 0
    result = bench(args.corpus, args.limit)
    print(json.dumps(result, indent=2))
    print(
        f"parse+clean: {result['newswire_articles_per_cpu_s']} articles per CPU-second "
        f"({result['ratio_vs_justext_cpu']}x jusText on the same texts)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
