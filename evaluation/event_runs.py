"""Run labelled sentences through the real pipeline and read back their event mentions.

Every evaluation set of event coding goes the same way as user data: each
sentence becomes one JSONL record in a temporary inbox, ``newswire run`` builds a
temporary warehouse (the DAGs, as ``make run`` runs them), and the coded event
mentions are read back per record from the published file. Nothing is special-cased for the
evaluation: the records pass the same length floor as any JSON record
(``NEWSWIRE_MIN_RECORD_WORDS``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

URL_PREFIX = "https://eval.invalid/"


@dataclass(frozen=True)
class Sentence:
    """One evaluation sentence: its record id, text and (optional) publication date."""

    id: str
    text: str
    published: str | None = None
    source: str = "evaluation"


@dataclass(frozen=True)
class EventRow:
    """One coded event mention of a sentence, as the marts hold it."""

    id: str
    event_code: str
    event_root_code: str
    actor1_code: str | None
    actor1_country: str | None
    actor2_code: str | None
    actor2_country: str | None
    verb_lemma: str | None
    is_negated: bool


@dataclass(frozen=True)
class PipelineRun:
    events: list[EventRow]
    loaded_ids: set[str]
    rejected: dict[str, str]


def write_inbox(sentences: Sequence[Sentence], inbox: Path, name: str = "sentences.jsonl") -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    with path.open("w", encoding="utf-8") as f:
        for s in sentences:
            record = {"url": URL_PREFIX + s.id, "text": s.text, "source": s.source}
            if s.published:
                record["published"] = s.published
            f.write(json.dumps(record) + "\n")
    return path


def run_sentences(sentences: Sequence[Sentence], workdir: Path) -> PipelineRun:
    """Ingest ``sentences`` with ``newswire run`` into a warehouse under ``workdir``.

    The same entry point as ``make run`` (both DAGs through ``dag.test()``), in a
    child process with its own inbox, warehouse and Airflow home, so the
    evaluation cannot drift from what users run.
    """
    inbox = workdir / "inbox"
    warehouse = workdir / "wh" / "newswire.duckdb"
    write_inbox(sentences, inbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "NEWSWIRE_"))}
    env.update(
        NEWSWIRE_INBOX=str(inbox),
        NEWSWIRE_WAREHOUSE=str(warehouse),
        NEWSWIRE_NLP_PROCESSES=os.environ.get("NEWSWIRE_NLP_PROCESSES", "1"),
        AIRFLOW_HOME=str(workdir / "airflow"),
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "run"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"newswire run failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    log.info("newswire run on %d sentences: %.1fs", len(sentences), time.perf_counter() - started)
    n = len(URL_PREFIX)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select a.url, em.event_code, ec.event_root_code, e.actor1_code, e.actor1_country,
                   e.actor2_code, e.actor2_country, em.verb_lemma, coalesce(em.is_negated, false)
            from marts.event_mentions as em
            join marts.events as e on em.event_id = e.event_id
            join raw.articles as a on em.article_id = a.article_id
            join lookup.cameo_event_codes as ec on em.event_code = cast(ec.event_code as varchar)
            order by a.url, em.start_char
            """
        ).fetchall()
        loaded = {url[n:] for (url,) in con.execute("select url from raw.articles").fetchall() if url}
        rejected = {
            str(item): reason
            for item, reason in con.execute("select item_no, reason_code from raw.rejections").fetchall()
        }
    log.info("%d of %d sentences loaded; %d event mentions", len(loaded), len(sentences), len(rows))
    events = [
        EventRow(url[n:], code, root, a1, a1c, a2, a2c, verb, bool(neg))
        for url, code, root, a1, a1c, a2, a2c, verb, neg in rows
        if url and url.startswith(URL_PREFIX)
    ]
    return PipelineRun(events=events, loaded_ids=loaded, rejected=rejected)
