"""Benchmark the whole pipeline on real news: `newswire run` end to end against bare spaCy.

Everything is measured in one invocation, so machine load affects the pipeline
and its reference alike:

1. ``newswire run`` on ../shared/corpora/bbc (the real DAG path: discover, parse,
   NLP, load, raw audit, publish, dbt, audits, publish, docs) into a temporary
   warehouse, with the wall time of every stage and the peak memory (PSS summed over
   the process tree, spaCy's workers included).
2. Bare ``nlp.pipe`` (same processes, same batch size) on exactly the texts that run
   loaded (title and body as stored in raw.articles).
   Steps 1 and 2 are a pair, repeated ``--repeats`` times into fresh warehouses, in the
   order run, bare, bare, run, run, bare ... so that a drift in the machine's speed
   falls on both sides. The report gives every pair's ratio and the median pair; one
   pair alone moves by 10-20 % on a shared machine. With ``--baseline DIR`` (another
   checkout, such as a ``git worktree`` of an older commit, using this virtualenv) each
   pair also runs that checkout on the same inbox, in the rotating order, so two
   versions are compared on the same machine at the same time.
3. A run with nothing new (the no-op check), on the first pair's warehouse.
4. Runs that add new articles: 95 and 1,000 Reuters-21578 stories (a JSON Lines
   inbox written to the temporary folder from ../shared/corpora/reuters21578).

    python -m benchmarks.pipeline [--corpus DIR] [--keep]

Skips cleanly when the corpus is absent.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from newswire.config import PROJECT_ROOT, get_settings

log = logging.getLogger(__name__)

PROJECT = PROJECT_ROOT
SHARED = get_settings().shared_dir / "corpora"
TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")
#: Task id (prefix) -> stage printed; the rest is Airflow and dbt start-up.
STAGES = (
    ("discover", "ingest: discover"), ("extract", "ingest: parse"), ("annotate", "ingest: NLP"),
    ("load", "ingest: load"), ("cluster", "ingest: cluster"), ("validate", "ingest: raw audit"),
    ("publish", "publish"),
    ("begin_build", "transform: begin"), ("dbt_staging", "transform: dbt seed+staging"),
    ("check_staging", "transform: staging audit"), ("dbt_marts", "transform: dbt marts"),
    ("check_marts", "transform: marts audit"), ("dbt_docs", "transform: dbt docs"), ("summarize", "summaries"),
)


#: Seconds between two memory samples. Reading a process's PSS walks its page tables
#: (about 16 ms for an 800 MB process, under the lock its own page faults need), so the
#: sampler is kept to once a second: the peak is held for tens of seconds by the NLP stage.
SAMPLE_SECONDS = 1.0


class TreeSampler(threading.Thread):
    """Peak PSS of a process and its children, sampled once a second, overall and per stage.

    The reader of the run's log sets ``stage``; each sample is charged to the stage
    open at that moment, so a regression can be pinned on one task.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stage = "start-up and the rest"
        self.stage_peaks: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    info = p.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            stage = self.stage
            self.stage_peaks[stage] = max(self.stage_peaks.get(stage, 0), total)
            self.done.wait(SAMPLE_SECONDS)


def run_pipeline(env: dict[str, str], log_path: Path, project: Path = PROJECT) -> dict[str, Any]:
    """`newswire run -v` of `project` (this checkout, or another one to compare with) as a
    subprocess; wall time, time per stage, peak memory, output."""
    cmd = [sys.executable, "-m", "newswire.cli", "run", "-v"]
    if project != PROJECT:
        env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(project), env.get("PYTHONPATH")]))}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stages: dict[str, float] = {}
    open_at: dict[str, float] = {}
    tail: list[str] = []
    assert proc.stdout is not None
    with log_path.open("w") as out:
        for line in proc.stdout:
            now = time.perf_counter() - started
            out.write(line)
            tail = [*tail, line][-20:]
            if m := TASK_START.search(line):
                open_at[m.group(1)] = now
                sampler.stage = _stage_of(m.group(1))
            elif (m := TASK_END.search(line)) and m.group(1) in open_at:
                task = m.group(1)
                stage = _stage_of(task)
                stages[stage] = stages.get(stage, 0.0) + now - open_at.pop(task)
                sampler.stage = "start-up and the rest"
    proc.wait()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"newswire run failed ({proc.returncode}); see {log_path}:\n{''.join(tail)}")
    stages["start-up and the rest"] = max(0.0, wall - sum(stages.values()))
    noop = any("nothing new" in line for line in tail)
    peaks = {stage: b / 2**20 for stage, b in sampler.stage_peaks.items()}
    return {"seconds": wall, "stages": stages, "peak_mb": sampler.peak / 2**20, "stage_peak_mb": peaks, "noop": noop}


def _stage_of(task: str) -> str:
    return next((label for prefix, label in STAGES if task.startswith(prefix)), task)


def bare_worker(texts_path: Path, n_process: int, batch_size: int) -> dict[str, Any]:
    """Body of the bare-spaCy subprocess: nlp.pipe over the texts, timed without the model load."""
    import spacy

    from newswire.nlp.pipeline import DEFAULT_MODEL

    t0 = time.perf_counter()
    nlp = spacy.load(os.environ.get("NEWSWIRE_SPACY_MODEL") or DEFAULT_MODEL)
    load_s = time.perf_counter() - t0
    texts = [json.loads(line)["text"] for line in texts_path.read_text().splitlines()]
    t0 = time.perf_counter()
    ents = sum(len(doc.ents) for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size))
    return {"seconds": time.perf_counter() - t0, "load_seconds": load_s, "texts": len(texts), "entities": ents}


def run_bare(texts_path: Path, n_process: int, batch_size: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.pipeline", "--bare-worker", str(texts_path),
           "--n-process", str(n_process), "--batch-size", str(batch_size)]
    proc = subprocess.Popen(cmd, cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError("bare nlp.pipe worker failed")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = sampler.peak / 2**20
    return result


def loaded_texts(work_db: Path, target: Path) -> int:
    """The documents the NLP stage saw (title, blank line, body) as JSON lines."""
    import duckdb

    from newswire.nlp import document_text

    with duckdb.connect(str(work_db), read_only=True) as con:
        rows = con.execute("select title, body from raw.articles order by article_id").fetchall()
    with target.open("w") as fh:
        for title, body in rows:
            fh.write(json.dumps({"text": document_text(title, body)}) + "\n")
    return len(rows)


def reuters_articles(corpus: Path, skip: int, n: int) -> list[dict[str, str]]:
    """Reuters-21578 stories with a title and a body of 60+ words, as JSON article records."""
    found: list[dict[str, str]] = []
    for sgm in sorted(corpus.glob("reut2-*.sgm")):
        text = sgm.read_bytes().decode("latin-1")
        for block in re.findall(r"<REUTERS.*?</REUTERS>", text, flags=re.S):
            title = re.search(r"<TITLE>(.*?)</TITLE>", block, flags=re.S)
            body = re.search(r"<BODY>(.*?)</BODY>", block, flags=re.S)
            date = re.search(r"<DATE>\s*(.*?)\s*</DATE>", block, flags=re.S)
            if not (title and body) or len(body.group(1).split()) < 60:
                continue
            found.append({
                "title": html.unescape(title.group(1)).strip(),
                "text": html.unescape(body.group(1)).replace("\x03", "").strip(),
                "published": date.group(1).split(".")[0] if date else None,
                "source": "Reuters",
                "url": f"reuters21578:{sgm.name}:{len(found)}",
            })
            if len(found) >= skip + n:
                return found[skip:]
    return found[skip:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks pipeline", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "bbc")
    ap.add_argument("--reuters", type=Path, default=SHARED / "reuters21578")
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--root", type=Path, default=None, help="working folder (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the warehouse (its path is printed)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="pairs of (end-to-end run, bare nlp.pipe) to measure; the median pair is reported")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout to run in every pair too (e.g. a git worktree of an older commit)")
    ap.add_argument("--bare-worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.bare_worker:
        print(json.dumps(bare_worker(args.bare_worker, args.n_process, args.batch_size)))
        return 0
    if not args.corpus.is_dir():
        print(f"skip: corpus not found: {args.corpus}")
        return 0
    # absolute: Airflow refuses a relative path to its SQLite database
    root = (args.root or Path(tempfile.mkdtemp(prefix="newswire-bench-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    wh = root / "warehouse" / "newswire.duckdb"
    env = {**os.environ, "NEWSWIRE_INBOX": str(args.corpus.resolve()), "NEWSWIRE_WAREHOUSE": str(wh),
           "NEWSWIRE_NLP_PROCESSES": str(args.n_process), "NEWSWIRE_NLP_BATCH_SIZE": str(args.batch_size),
           "AIRFLOW_HOME": str(root / "airflow"), "CI": "true"}
    env.pop("NEWSWIRE_WORK_DB", None)
    results: dict[str, Any] = {}
    texts = root / "texts.jsonl"
    pairs: list[dict[str, Any]] = []
    for i in range(max(1, args.repeats)):
        # the first pair's warehouse stays for the incremental runs; the others are fresh
        pair_root = root if i == 0 else root / f"repeat-{i + 1}"
        pair_root.mkdir(parents=True, exist_ok=True)
        pair_wh = pair_root / "warehouse" / "newswire.duckdb"
        pair_env = {**env, "NEWSWIRE_WAREHOUSE": str(pair_wh), "AIRFLOW_HOME": str(pair_root / "airflow")}
        sides = ("run", "bare", "baseline") if args.baseline else ("run", "bare")
        order = sides if i % 2 == 0 else sides[::-1]
        if i == 0:
            order = sides  # the bare side needs the texts of a first run
        pair: dict[str, Any] = {}
        for side in order:
            if side == "run":
                print(f"[pair {i + 1}/{args.repeats}] BBC end to end: newswire run on {args.corpus} "
                      f"(warehouse {pair_wh}) ...", flush=True)
                pair["run"] = run_pipeline(pair_env, pair_root / "run-bbc.log")
                loaded = loaded_texts(pair_wh.parent / ".work" / pair_wh.name, texts)
                pair["run"]["articles"] = loaded
                if i and loaded != pairs[0]["run"]["articles"]:
                    raise RuntimeError(f"pair {i + 1} loaded {loaded} articles, the first pair "
                                       f"{pairs[0]['run']['articles']}")
            elif side == "baseline":
                base_root = pair_root / "baseline"
                base_root.mkdir(parents=True, exist_ok=True)
                base_wh = base_root / "warehouse" / "newswire.duckdb"
                print(f"[pair {i + 1}/{args.repeats}] baseline {args.baseline}: newswire run ...", flush=True)
                pair["baseline"] = run_pipeline(
                    {**env, "NEWSWIRE_WAREHOUSE": str(base_wh), "AIRFLOW_HOME": str(base_root / "airflow")},
                    base_root / "run-bbc.log", project=args.baseline.resolve(),
                )
                shutil.rmtree(base_root / "warehouse", ignore_errors=True)
            else:
                print(f"[pair {i + 1}/{args.repeats}] bare nlp.pipe on the same texts ...", flush=True)
                pair["bare"] = run_bare(texts, args.n_process, args.batch_size)
        pair["ratio"] = pair["run"]["seconds"] / pair["bare"]["seconds"]
        pairs.append(pair)
        print(f"[pair {i + 1}/{args.repeats}] run {pair['run']['seconds']:.1f} s (NLP stage "
              f"{pair['run']['stages'].get('ingest: NLP', 0.0):.1f} s), bare {pair['bare']['seconds']:.1f} s: "
              f"{pair['ratio']:.2f} x", flush=True)
        if "baseline" in pair:
            print(f"[pair {i + 1}/{args.repeats}] baseline {pair['baseline']['seconds']:.1f} s: "
                  f"{pair['baseline']['seconds'] / pair['bare']['seconds']:.2f} x bare; this checkout / baseline "
                  f"{pair['run']['seconds'] / pair['baseline']['seconds']:.3f}", flush=True)
        if i:
            shutil.rmtree(pair_root, ignore_errors=True)
    texts.unlink(missing_ok=True)
    median = sorted(pairs, key=lambda p: p["ratio"])[(len(pairs) - 1) // 2]
    results["bbc"], results["bare"] = median["run"], median["bare"]
    results["pairs"] = [{"run_seconds": p["run"]["seconds"], "bare_seconds": p["bare"]["seconds"],
                         "ratio": p["ratio"], "nlp_seconds": p["run"]["stages"].get("ingest: NLP", 0.0),
                         "peak_mb": p["run"]["peak_mb"],
                         **({"baseline_seconds": p["baseline"]["seconds"]} if "baseline" in p else {})}
                        for p in pairs]
    print("a run with nothing new ...", flush=True)
    results["noop"] = run_pipeline(env, root / "run-noop.log")
    if args.reuters.is_dir():
        offset = 0
        for n in (95, 1000):
            inbox = root / f"inbox-plus-{n}"
            inbox.mkdir(exist_ok=True)
            arts = reuters_articles(args.reuters, offset, n)
            offset += n
            (inbox / f"reuters-{n}.jsonl").write_text("".join(json.dumps(a) + "\n" for a in arts))
            print(f"+{len(arts)} new articles (Reuters-21578, JSON Lines) ...", flush=True)
            results[f"plus_{n}"] = run_pipeline({**env, "NEWSWIRE_INBOX": str(inbox)}, root / f"run-plus-{n}.log")
            results[f"plus_{n}"]["articles"] = len(arts)
    results["published_mb"] = _size_mb(wh, wh.with_name(wh.name + ".parts"))
    results["working_copy_mb"] = _size_mb(wh.parent / ".work" / wh.name)
    report(results)
    print(json.dumps(results, default=float))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"kept {root}")
    return 0


def _size_mb(*paths: Path) -> float:
    total = 0
    for p in paths:
        if p.is_file():
            total += p.stat().st_size
        elif p.is_dir():
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return total / 2**20


def report(r: dict[str, Any]) -> None:
    bbc, bare = r["bbc"], r["bare"]
    pairs = r.get("pairs", [])
    print()
    if len(pairs) > 1:
        print(f"BBC end to end against bare nlp.pipe, {len(pairs)} pairs (run order alternates):")
        for i, p in enumerate(pairs, 1):
            target = 1.5 * p["bare_seconds"] + 30
            print(f"  pair {i}: run {p['run_seconds']:6.1f} s (NLP stage {p['nlp_seconds']:5.1f} s), bare "
                  f"{p['bare_seconds']:5.1f} s, {p['ratio']:.2f} x; target {target:.0f} s: "
                  f"{'met' if p['run_seconds'] <= target else 'NOT met'}; peak {p['peak_mb']:.0f} MB")
        met = sum(p["run_seconds"] <= 1.5 * p["bare_seconds"] + 30 for p in pairs)
        print(f"  target met in {met} of {len(pairs)} pairs; the median pair follows")
    if pairs and "baseline_seconds" in pairs[0]:
        vs = sorted(p["run_seconds"] / p["baseline_seconds"] for p in pairs)
        base = sorted(p["baseline_seconds"] / p["bare_seconds"] for p in pairs)
        seconds = ", ".join(f"{p['baseline_seconds']:.1f} s" for p in pairs)
        print(f"baseline checkout: {seconds}; median "
              f"{base[(len(base) - 1) // 2]:.2f} x bare. This checkout / baseline, per pair: "
              f"{', '.join(f'{v:.3f}' for v in vs)} (median {vs[(len(vs) - 1) // 2]:.3f}; below 1 is faster)")
    target = 1.5 * bare["seconds"] + 30
    print(f"BBC end to end ({bbc['articles']} articles loaded): {bbc['seconds']:.1f} s wall, "
          f"peak memory {bbc['peak_mb']:.0f} MB (PSS, whole process tree)")
    peaks = bbc.get("stage_peak_mb", {})
    for stage, secs in bbc["stages"].items():
        print(f"  {stage:<30} {secs:8.1f} s   peak {peaks.get(stage, 0):6.0f} MB")
    print(f"bare nlp.pipe, same texts, {bare['texts']} documents: {bare['seconds']:.1f} s "
          f"(+{bare['load_seconds']:.1f} s model load), peak {bare['peak_mb']:.0f} MB")
    print(f"ratio end to end / bare nlp.pipe: {bbc['seconds'] / bare['seconds']:.2f} x; "
          f"target <= 1.5 x bare + 30 s = {target:.0f} s: {'met' if bbc['seconds'] <= target else 'NOT met'}")
    noop = r["noop"]
    print(f"run with nothing new: {noop['seconds']:.1f} s ({'skipped by the no-op check' if noop['noop'] else 'ran'});"
          f" target <= 10 s: {'met' if noop['seconds'] <= 10 else 'NOT met'}")
    for key in ("plus_95", "plus_1000"):
        if key in r:
            x = r[key]
            stages = ", ".join(f"{k} {v:.1f}" for k, v in x["stages"].items())
            print(f"+{x['articles']} articles: {x['seconds']:.1f} s, peak {x['peak_mb']:.0f} MB ({stages})")
    print(f"published (catalog + segments): {r['published_mb']:.0f} MB; working copy: {r['working_copy_mb']:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
