"""`newswire run` three times over a growing inbox, as a user would (issue 10).

1. An inbox with two byte-identical files (plus one other article) builds the
   marts: the second file is a `duplicate` input and the transform does not fail.
2. Running again with nothing new says so and changes nothing.
3. A new article: the run is incremental (only that article is rebuilt), and the
   marts equal a `dbt build --full-refresh` of the same raw data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from newswire_testdata import REPO, SEED_TEXT_DUMPS

pytestmark = pytest.mark.slow

NEW_ARTICLE = {
    "url": "https://example.invalid/talks",
    "title": "Japan and China Agree to Resume Talks",
    "text": (
        "Japan and China agreed on Tuesday to resume high-level talks on maritime security, officials in "
        "Tokyo said. Prime Minister Shinzo Abe welcomed the decision and said Japan would meet Chinese "
        "officials in Beijing next month to discuss a hotline between the two navies."
    ),
    "published": "2024-03-05T09:00:00Z",
    "source": "Example Wire",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newswire.cli", "run", "-v", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _marts(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for t in ("articles", "events", "event_mentions", "entities", "entity_mentions", "country_pair_daily"):
            cols = [r[0] for r in con.execute(f"describe marts.{t}").fetchall()]
            select = ", ".join(f'cast("{c}" as varchar)' for c in cols)
            out[t] = sorted(con.execute(f"select {select} from marts.{t}").fetchall(), key=repr)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("runs")
    inbox = root / "inbox"
    inbox.mkdir()
    first, second = SEED_TEXT_DUMPS[0], SEED_TEXT_DUMPS[1]
    shutil.copy(first, inbox / "page.txt")
    shutil.copy(first, inbox / "same-page-again.txt")  # byte-identical
    shutil.copy(second, inbox / "other.txt")
    wh = root / "wh" / "newswire.duckdb"
    env = {**os.environ, "NEWSWIRE_INBOX": str(inbox), "NEWSWIRE_WAREHOUSE": str(wh),
           "AIRFLOW_HOME": str(root / "airflow"), "CI": "true", "SOURCE_DATE_EPOCH": "1709600000"}
    env.pop("NEWSWIRE_WORK_DB", None)
    out: dict = {"wh": wh, "work": wh.parent / ".work" / wh.name, "root": root}
    out["first"] = _run(env)
    out["first_marts"] = _marts(wh) if wh.exists() else {}
    if wh.exists():
        with duckdb.connect(str(wh), read_only=True) as con:
            out["first_inputs"] = dict(con.execute("select input_path, status from raw.inputs").fetchall())
            out["first_state"] = con.execute(
                "select state from audit.publish_state where stage = 'marts'").fetchone()[0]
    out["sha_after_first"] = _digest(wh) if wh.exists() else None
    out["second"] = _run(env)
    out["sha_after_second"] = _digest(wh) if wh.exists() else None
    (inbox / "new.json").write_text(json.dumps(NEW_ARTICLE))
    out["third"] = _run(env)
    return out


def test_identical_files_are_a_duplicate_input_and_the_marts_are_built(runs: dict) -> None:
    first = runs["first"]
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    statuses = runs["first_inputs"]
    assert sorted(statuses.values()) == ["duplicate", "loaded", "loaded"]
    assert runs["first_state"] == "published"
    assert runs["first_marts"]["events"] and runs["first_marts"]["articles"]
    assert len(runs["first_marts"]["articles"]) == 2


def test_a_run_with_nothing_new_says_so_and_changes_nothing(runs: dict) -> None:
    second = runs["second"]
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "nothing new" in second.stdout
    assert "newswire_ingest" not in second.stdout  # Airflow never started
    assert runs["sha_after_second"] == runs["sha_after_first"]


def test_a_new_article_is_built_incrementally_and_equals_a_full_rebuild(runs: dict, tmp_path: Path) -> None:
    third = runs["third"]
    assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
    assert "is rebuilt in full" not in third.stdout  # no model was rebuilt from scratch
    # the dictionaries did not change: loaded by the first build only
    assert "loaded seed file lookup.cameo_verb_patterns" in runs["first"].stdout
    assert "loaded seed file" not in third.stdout
    assert "dictionary seeds unchanged since the last audited build" in third.stdout
    with duckdb.connect(str(runs["work"]), read_only=True) as con:
        changed = con.execute("select change_kind, count(*) from intermediate.int_articles_changed group by 1"
                              ).fetchall()
    assert changed == [("new", 1)]
    published = _marts(runs["wh"])
    assert len(published["articles"]) == 3
    assert len(published["events"]) > len(runs["first_marts"]["events"])

    from newswire.dbt_runner import run_dbt

    copy = tmp_path / "full.duckdb"
    shutil.copy2(runs["work"], copy)
    result = run_dbt(["build", "--full-refresh", "--target-path", str(tmp_path / "target"),
                      "--log-path", str(tmp_path / "logs")], db_path=copy)
    assert result.success
    assert _marts(copy) == published
