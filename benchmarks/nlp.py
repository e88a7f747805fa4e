"""Benchmark the NLP stage against bare ``nlp.pipe`` on the same texts and cores.

Both runs happen in the same invocation, each in its own subprocess so that
peak memory (summed over the subprocess and its workers, sampled with psutil,
falling back to getrusage) belongs to that run alone. The ratio of the two
throughputs is the number to watch: machine load affects both sides.

    python -m benchmarks.nlp [--corpus DIR] [--limit N] [--n-process 2]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newswire.config import PROJECT_ROOT

LOG = logging.getLogger(__name__)


def _default_corpus() -> Path:
    from newswire.config import get_settings

    return get_settings().shared_dir / "corpora" / "bbc"


def read_bbc(corpus: Path, limit: int | None = None, part: int = 0, parts: int = 1) -> Iterator[dict[str, Any]]:
    """BBC News files as articles: line 1 is the headline, the rest the body.

    ``part``/``parts`` select every parts-th file, for interleaved benchmark rounds.
    """
    files = sorted(corpus.rglob("*.txt"))
    if limit:
        files = files[:limit]
    files = files[part::parts]
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # sport/199.txt has one Latin-1 byte
        title, _, body = text.partition("\n")
        yield {
            "article_id": str(path.relative_to(corpus)),
            "title": title.strip(),
            "body": body.strip("\n"),
        }


def _run_worker(
    mode: str, corpus: Path, limit: int | None, n_process: int, batch_size: int, part: int = 0, parts: int = 1
) -> dict[str, Any]:
    """Body of one measured subprocess; returns counts and elapsed processing time."""
    from newswire.nlp import annotate_articles, document_text, load_pipeline

    t_load = time.perf_counter()
    if mode == "bare":
        import spacy

        from newswire.nlp.pipeline import DEFAULT_MODEL

        nlp = spacy.load(os.environ.get("NEWSWIRE_SPACY_MODEL") or DEFAULT_MODEL)
    else:
        nlp = load_pipeline()
    load_s = time.perf_counter() - t_load
    load_cpu = time.process_time()  # imports + model load: excluded from the CPU measure
    words = 0
    articles = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal words, articles
        for art in read_bbc(corpus, limit, part, parts):
            words += len(art["title"].split()) + len(art["body"].split())
            articles += 1
            yield art

    rows = 0
    t0 = time.perf_counter()
    if mode == "bare":
        texts = (document_text(a["title"], a["body"]) for a in counted())
        for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
            rows += len(doc.ents)
    else:
        for ann in annotate_articles(counted(), nlp=nlp, n_process=n_process, batch_size=batch_size):
            rows += len(ann.entity_mentions) + len(ann.predicates) + len(ann.sentences)
    elapsed = time.perf_counter() - t0
    return {
        "mode": mode, "articles": articles, "words": words,
        "seconds": elapsed, "load_seconds": load_s, "load_cpu_seconds": load_cpu, "rows": rows,
    }


def _measure(mode: str, args: argparse.Namespace, part: int = 0) -> dict[str, Any]:
    """Run one mode in a subprocess, sampling the memory and CPU of its whole process tree."""
    cmd = [
        sys.executable, "-m", "benchmarks.nlp", "--worker", mode,
        "--corpus", str(args.corpus), "--n-process", str(args.n_process), "--batch-size", str(args.batch_size),
        "--part", str(part), "--rounds", str(args.rounds),
    ]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}  # last seen user+system seconds per process of the tree
    try:
        import psutil

        ps = psutil.Process(proc.pid)
        while proc.poll() is None:
            # PSS: forked workers share the model's pages; summing RSS would count them twice
            total = 0
            for p in [ps, *ps.children(recursive=True)]:
                try:
                    info = p.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.5)
    except ImportError:  # pragma: no cover - psutil is normally present
        pass
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark worker {mode} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    children_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    result["peak_rss_bytes"] = peak or children_max  # PSS sum of the process tree when psutil works
    result["articles_per_s"] = result["articles"] / result["seconds"]
    result["words_per_s"] = result["words"] / result["seconds"]
    # CPU seconds of the whole tree minus model loading: robust to other load on the machine
    result["cpu_seconds"] = max(sum(cpu.values()) - result["load_cpu_seconds"], 1e-9) if cpu else None
    if result["cpu_seconds"]:
        result["articles_per_cpu_s"] = result["articles"] / result["cpu_seconds"]
    return result


def _combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum counts and times over rounds; memory is the peak of any round."""
    out = dict(results[0])
    for key in ("articles", "words", "seconds", "rows"):
        out[key] = sum(r[key] for r in results)
    out["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in results)
    out["articles_per_s"] = out["articles"] / out["seconds"]
    out["words_per_s"] = out["words"] / out["seconds"]
    if all(r.get("cpu_seconds") for r in results):
        out["cpu_seconds"] = sum(r["cpu_seconds"] for r in results)
        out["articles_per_cpu_s"] = out["articles"] / out["cpu_seconds"]
    else:
        out.pop("articles_per_cpu_s", None)
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; prints a small table and a JSON line."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks nlp", description="NLP stage throughput vs bare nlp.pipe")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=1, help="interleave runs over this many corpus slices (ABBA)")
    ap.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--worker", choices=("bare", "stage"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    args.corpus = args.corpus or _default_corpus()
    if not args.corpus.exists():
        print(f"skip: corpus not found: {args.corpus}")
        return 0
    if args.worker:
        print(json.dumps(_run_worker(
            args.worker, args.corpus, args.limit, args.n_process, args.batch_size, args.part, args.rounds
        )))
        return 0
    runs: dict[str, list[dict[str, Any]]] = {"stage": [], "bare": []}
    for part in range(args.rounds):
        order = ("stage", "bare") if part % 2 == 0 else ("bare", "stage")  # ABBA cancels load drift
        for mode in order:
            runs[mode].append(_measure(mode, args, part))
    stage, bare = _combine(runs["stage"]), _combine(runs["bare"])
    ratio = stage["articles_per_s"] / bare["articles_per_s"]
    print(f"corpus {args.corpus} ({stage['articles']} articles, {stage['words']} words), n_process={args.n_process}")
    print(f"{'run':8} {'articles/s':>10} {'words/s':>10} {'seconds':>8} {'peak mem MB':>12}")
    for r in (bare, stage):
        print(f"{r['mode']:8} {r['articles_per_s']:10.1f} {r['words_per_s']:10.0f} {r['seconds']:8.1f} "
              f"{r['peak_rss_bytes'] / 2**20:12.0f}")
    print(f"throughput ratio stage/bare (wall clock): {ratio:.2f} (target >= 0.85)")
    cpu_ratio = None
    if bare.get("articles_per_cpu_s") and stage.get("articles_per_cpu_s"):
        cpu_ratio = stage["articles_per_cpu_s"] / bare["articles_per_cpu_s"]
        print(f"throughput ratio stage/bare (per CPU second, load-independent): {cpu_ratio:.2f}")
        print(f"cpu seconds: bare {bare['cpu_seconds']:.0f}, stage {stage['cpu_seconds']:.0f}")
    print(json.dumps({"bare": bare, "stage": stage, "ratio": ratio, "cpu_ratio": cpu_ratio}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
