"""End to end through `dag.test()`: a messy inbox lands in DuckDB, bad input is rejected with reasons."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from newswire_testdata import build_mixed_inbox, sha256_file

pytestmark = pytest.mark.slow


def _run_ingest() -> str:
    from newswire.runner import test_dag

    state, _ = test_dag("newswire_ingest.py", "newswire_ingest")
    return state


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("articles", "inputs", "rejections", "sentences", "entity_mentions", "predicates")
        }


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the ingest DAG twice on the mixed inbox; return paths, hashes and counts."""
    import os

    root = tmp_path_factory.mktemp("ingest")
    inbox = build_mixed_inbox(root / "inbox")
    wh = root / "wh" / "newswire.duckdb"
    old = {k: os.environ.get(k) for k in ("NEWSWIRE_INBOX", "NEWSWIRE_WAREHOUSE")}
    os.environ["NEWSWIRE_INBOX"] = str(inbox)
    os.environ["NEWSWIRE_WAREHOUSE"] = str(wh)
    try:
        hashes = {p.name: sha256_file(p) for p in inbox.iterdir()}
        first = _run_ingest()
        counts_first = _counts(wh)
        second = _run_ingest()
        counts_second = _counts(wh)
        hashes_after = {p.name: sha256_file(p) for p in inbox.iterdir()}
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {
        "inbox": inbox,
        "db": wh,
        "states": (first, second),
        "counts": (counts_first, counts_second),
        "hashes": (hashes, hashes_after),
    }


def test_runs_succeed(ingested: dict) -> None:
    assert [s.endswith("success") for s in ingested["states"]] == [True, True]


def test_four_articles_loaded_and_three_inputs_rejected(ingested: dict) -> None:
    counts = ingested["counts"][0]
    assert counts["articles"] == 4
    assert counts["rejections"] == 3
    with duckdb.connect(str(ingested["db"]), read_only=True) as con:
        reasons = con.execute(
            "select regexp_extract(input_path, '[^/]+$'), reason_code, reason from raw.rejections order by 1"
        ).fetchall()
        statuses = dict(con.execute("select regexp_extract(input_path, '[^/]+$'), status from raw.inputs").fetchall())
    assert [(name, code) for name, code, _ in reasons] == [
        ("empty.txt", "empty_file"),
        ("photo.txt", "binary_file"),
        ("records.jsonl", "malformed_json"),
    ]
    assert all(reason for _, _, reason in reasons)
    assert statuses == {
        "000_5205e2b26e141b09.txt": "loaded",
        "003_62e97f9caf8459a3.txt": "loaded",
        "latin1.txt": "loaded",
        "records.jsonl": "partial",
        "empty.txt": "rejected",
        "photo.txt": "rejected",
    }


def test_latin1_characters_are_decoded(ingested: dict) -> None:
    with duckdb.connect(str(ingested["db"]), read_only=True) as con:
        title, body = con.execute("select title, body from raw.articles where input_path like '%latin1.txt'").fetchone()
    assert title == "Pound Slides as Café Owners Count the Cost"
    assert "£0.85" in body and "café owners" in body


def test_seed_titles_in_the_published_warehouse(ingested: dict) -> None:
    with duckdb.connect(str(ingested["db"]), read_only=True) as con:
        titles = {r[0] for r in con.execute("select title from raw.articles").fetchall()}
    assert "Japan's Abe Pledges to Improve Soured Ties With Russia" in titles
    assert "Japan's PM Seeks Dialogue With Putin Despite G7 Threats" in titles


def test_nlp_rows_are_loaded_for_every_article(ingested: dict) -> None:
    with duckdb.connect(str(ingested["db"]), read_only=True) as con:
        missing = con.execute(
            "select count(*) from raw.articles a "
            "where not exists (select 1 from raw.sentences s where s.article_id = a.article_id)"
        ).fetchone()[0]
    assert missing == 0
    assert ingested["counts"][0]["entity_mentions"] > 0
    assert ingested["counts"][0]["predicates"] > 0


def test_rerun_changes_no_row_count(ingested: dict) -> None:
    first, second = ingested["counts"]
    assert first == second


def test_inputs_are_never_modified(ingested: dict) -> None:
    before, after = ingested["hashes"]
    assert before == after


def test_raw_validation_results_are_recorded(ingested: dict) -> None:
    with duckdb.connect(str(ingested["db"]), read_only=True) as con:
        rows = con.execute(
            "select count(*), count(*) filter (where not success and blocking) from audit.validation_results "
            "where stage = 'raw'"
        ).fetchone()
    assert rows[0] > 0
    assert rows[1] == 0
