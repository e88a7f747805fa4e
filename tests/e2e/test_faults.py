"""Faults: `newswire run` killed with SIGKILL at random moments, and two runs at once.

Both tests run the real `newswire run` (ingest then transform, through Airflow's
dag.test, dbt, GX) as subprocesses on a few hundred articles: BBC news from
../shared/corpora/bbc when present, else synthetic articles.

Kill harness: a clean run gives the reference warehouse and the time window of
every task. Each kill then starts from an empty warehouse, waits for a chosen
task to start (spread over discover, parse, NLP, load, validate, dbt, audit and
publish), sleeps a random part of that task's clean duration and SIGKILLs the
run's whole process group. A reader thread opens the published file throughout,
as a user would. A normal re-run must then finish and give the reference
warehouse (row counts and content hashes of raw.articles and every marts table),
with no stale lock, no temporary copy and no snapshot left behind.

Knobs: NEWSWIRE_FAULT_KILLS (default 10), NEWSWIRE_FAULT_ARTICLES (default 100),
NEWSWIRE_FAULT_SEED (default: random, printed). A JSON report goes to
warehouse/test-artifacts/fault-report.json.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import (
    REPO,
    Reader,
    Run,
    build_inbox,
    check_published,
    column_differences,
    content_hashes,
    leftovers,
    lock_is_free,
    task_windows,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KILLS = int(os.environ.get("NEWSWIRE_FAULT_KILLS", "10"))
ARTICLES = int(os.environ.get("NEWSWIRE_FAULT_ARTICLES", "100"))
SEED = int(os.environ.get("NEWSWIRE_FAULT_SEED", str(random.SystemRandom().randrange(1 << 30))))
#: raw tables compared besides every marts table (the NLP tables too: marts are coded from them)
RAW = ("articles", "sentences", "entity_mentions", "predicates")
REPORT = REPO / "warehouse" / "test-artifacts" / "fault-report.json"
#: Tasks shorter than this (seconds, in the clean run) are killed in their first third.
SHORT_TASK_S = 2.0
#: The stages every kill series must cover, as the task ids that run them.
STAGES = {
    "discover": ["discover"],
    "parse": ["extract"],
    "nlp": ["annotate"],
    "load": ["load", "cluster"],
    "validate": ["validate"],
    "dbt": ["dbt_staging.seeds_and_staging", "dbt_marts.intermediate_and_marts"],
    "audit": ["check_staging", "check_marts"],
    "publish": ["publish", "begin_build", "dbt_docs"],
}


@pytest.fixture(scope="module")
def corpus() -> Iterator[dict[str, object]]:
    # Not pytest's tmp_path: its base folder is rotated by any other pytest session.
    root = Path(tempfile.mkdtemp(prefix="newswire-faults-"))
    inbox = root / "inbox"
    source = build_inbox(inbox, ARTICLES)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "NEWSWIRE_"))}
    env.update(
        AIRFLOW_HOME=str(root / "airflow"),
        NEWSWIRE_INBOX=str(inbox),
        NEWSWIRE_BATCH_SIZE=str(max(1, ARTICLES // 4)),
        NEWSWIRE_NLP_BATCH_SIZE="16",
        NEWSWIRE_NLP_PROCESSES="1",
        SOURCE_DATE_EPOCH="1733140800",  # ingestion time pinned: runs are comparable row for row
    )
    yield {"root": root, "env": env, "source": source}
    if os.environ.get("NEWSWIRE_FAULT_KEEP") != "1":
        shutil.rmtree(root, ignore_errors=True)


def _env(corpus: dict[str, object], name: str) -> tuple[dict[str, str], Path]:
    warehouse = Path(str(corpus["root"])) / name / "newswire.duckdb"
    env = {**corpus["env"], "NEWSWIRE_WAREHOUSE": str(warehouse)}  # type: ignore[dict-item]
    return env, warehouse


def _pick_targets(windows: list[tuple[str, float, float]], n: int, rng: random.Random) -> list[tuple[str, int, float]]:
    """(task_id, occurrence, clean duration) per kill: every stage once, then random tasks."""
    occurrences: list[tuple[str, int, float]] = []
    count: dict[str, int] = {}
    for task, start, end in windows:
        count[task] = count.get(task, 0) + 1
        occurrences.append((task, count[task], end - start))
    chosen: list[tuple[str, int, float]] = []
    for tasks in STAGES.values():
        candidates = [o for o in occurrences if o[0] in tasks]
        if candidates:
            chosen.append(rng.choice(candidates))
    pool = [o for o in occurrences if o[0] != "summarize"]
    while len(chosen) < n:
        chosen.append(rng.choice(pool))
    return chosen[:n] if n >= len(STAGES) else rng.sample(chosen, n)


def _start_pattern(task: str) -> re.Pattern[str]:
    return re.compile(rf"\[DAG TEST\] starting task_id={re.escape(task)}(\s|$)")


def test_kill_at_random_moments_then_recover(corpus: dict[str, object]) -> None:
    rng = random.Random(SEED)
    env, clean_wh = _env(corpus, "clean")
    clean = Run(env).start()
    assert clean.finish() == 0, clean.tail()
    reference = content_hashes(clean_wh, RAW)
    assert reference.get("raw.articles", (0, ""))[0] > 0 and any(k.startswith("marts.") for k in reference)
    windows = task_windows(clean)
    clean_seconds = clean.lines[-1][0] if clean.lines else 0.0
    targets = _pick_targets(windows, KILLS, rng)

    results: list[dict[str, object]] = []
    for i, (task, occurrence, duration) in enumerate(targets):
        env, wh = _env(corpus, f"kill-{i:02d}")
        reader = Reader(wh)
        reader.start()
        run = Run(env).start()
        started_at = run.wait_for(_start_pattern(task), occurrence)
        # a task of a second or less (an audit, the load) often ends before a kill timed
        # on its clean duration lands: aim at its first third
        delay = rng.uniform(0, max(duration, 0.05) if duration >= SHORT_TASK_S else duration / 3)
        time.sleep(delay)
        finished_before_kill = run.proc.poll() is not None if run.proc else True
        run.kill()
        killed_in = run.current_task()
        mid_kill = check_published(wh)
        rerun = Run(env).start()
        rc = rerun.finish()
        reader.stop.set()
        reader.join()
        outcome: dict[str, object] = {
            "target": f"{task}#{occurrence}",
            "killed_in": killed_in,
            "kill_at_s": round((started_at or 0) + delay, 2),
            "finished_before_kill": finished_before_kill,
            "rerun_rc": rc,
            "rerun_s": round(rerun.lines[-1][0], 1) if rerun.lines else None,
            "published_after_kill": mid_kill or "valid",
            "reader_opens": reader.opens,
            "reader_problems": reader.problems[:3],
        }
        if rc == 0:
            got = content_hashes(wh, RAW)
            outcome["identical"] = got == reference
            differing = sorted(k for k in set(got) | set(reference) if got.get(k) != reference.get(k))
            outcome["differences"] = column_differences(clean_wh, wh, differing) if differing else {}
            outcome["leftovers"] = leftovers(wh)
            outcome["lock_free"] = lock_is_free(wh)
            outcome["published_after_rerun"] = check_published(wh) or "valid"
        else:
            outcome["rerun_tail"] = rerun.tail(30)
        results.append(outcome)

    recovered = [
        r for r in results
        if r["rerun_rc"] == 0 and r.get("identical") and not r.get("leftovers") and r.get("lock_free")
        and r["published_after_kill"] == "valid" and r.get("published_after_rerun") == "valid"
        and not r["reader_problems"]
    ]
    report = {
        "seed": SEED,
        "corpus": corpus["source"],
        "clean_run_s": round(clean_seconds, 1),
        "reference": {k: v[0] for k, v in reference.items()},
        "kills": len(results),
        "recovered": len(recovered),
        "stages_hit": sorted({str(r["killed_in"]) for r in results}),
        "results": results,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({k: v for k, v in report.items() if k != "results"}, indent=2, default=str))
    assert len(recovered) == len(results) >= KILLS, json.dumps(
        [r for r in results if r not in recovered], indent=2, default=str
    )


def test_two_runs_at_once(corpus: dict[str, object]) -> None:
    """A second run exits at once with a clear message; a third, with --wait, queues behind."""
    env, wh = _env(corpus, "concurrent")
    first = Run(env).start()
    assert first.wait_for(_start_pattern("discover")) is not None, first.tail()
    second = Run(env).start()
    assert second.finish(timeout=300) == 75
    message = "\n".join(line for _, line in second.lines)
    assert "not started, another run is writing the warehouse" in message and "newswire run (pid" in message
    assert first.proc and first.proc.poll() is None  # the second run did not disturb the first

    third = Run(env, ("--wait", "1800")).start()
    assert third.wait_for(re.compile("waiting up to")) is not None, third.tail()
    assert first.finish() == 0, first.tail()
    first_done = first.started + first.lines[-1][0]
    assert third.finish() == 0, third.tail()
    # Once the lock is free the third run either finds nothing new (the first ingested
    # everything: the no-op check says so) or starts ingesting; either way only then.
    began = [t for t, line in third.lines if "nothing new" in line or _start_pattern("discover").search(line)]
    assert began, third.tail()
    third_began = third.started + began[0]
    assert third_began >= first_done - 1.0  # it started only after the first had finished
    assert check_published(wh) is None
    assert leftovers(wh) == [] and lock_is_free(wh)
    with_third = content_hashes(wh)
    assert with_third["raw.articles"][0] > 0
