"""Implausible values (a publication date in the future, an empty title) are warnings:
recorded as failed, non-blocking expectations, and the run still succeeds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from newswire import publish
from newswire.ingest import discover, extract, load
from newswire.validation import raw as raw_validation

BODY = (
    "Foreign ministers from Armenia and Azerbaijan met in Geneva on Monday for talks mediated by "
    "Switzerland, officials said. Both sides agreed to continue the negotiations next month."
)

FUTURE = "expect_column_values_to_be_between:published_at"
EMPTY_TITLE = "expect_column_values_to_match_regex:title"


def _ingest(run_id: str) -> None:
    found = discover.discover(run_id)
    batches = found["batches"]
    manifests = [extract.extract_batch(b, i, run_id, found["template_stats_path"]) for i, b in enumerate(batches)]
    load.load_batches(manifests, run_id)


def _results(work: Path, run_id: str) -> dict[str, tuple[bool, bool, str]]:
    with duckdb.connect(str(work), read_only=True) as con:
        rows = con.execute(
            """select expectation, column_name, success, blocking, observed_value from audit.validation_results
            where run_id = ? and stage = 'raw' and column_name in ('title', 'published_at')""",
            [run_id],
        ).fetchall()
    return {f"{exp}:{col}": (ok, blocking, observed) for exp, col, ok, blocking, observed in rows}


@pytest.mark.parametrize(
    ("record", "key"),
    [
        ({"title": "Talks Resume", "published": "2999-01-01T00:00:00Z"}, FUTURE),
        ({"title": "   ", "published": "2024-02-05T10:00:00Z"}, EMPTY_TITLE),
    ],
    ids=["future_date", "empty_title"],
)
def test_implausible_value_warns_and_the_run_succeeds(
    record: dict, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plausible = {"title": "Ministers Meet", "text": BODY + " Plausible.", "published": "2024-02-05T10:00:00Z"}
    lines = [plausible, {**record, "text": BODY}]
    (inbox / "records.jsonl").write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    monkeypatch.setenv("NEWSWIRE_INBOX", str(inbox))
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))

    run_id = "implausible"
    _ingest(run_id)
    result = raw_validation.validate_raw(run_id)  # raises on a blocking failure
    assert result["success"] is True
    publish.publish_raw()

    results = _results(tmp_path / "wh" / ".work" / "newswire.duckdb", run_id)
    ok, blocking, observed = results[key]
    assert ok is False and blocking is False
    assert observed == "1"  # one unexpected value: the implausible row
    # Both rows stay loaded and published: a warning never removes data.
    with duckdb.connect(str(tmp_path / "wh" / "newswire.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.articles").fetchone()[0] == 2


def test_plausible_values_pass_the_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.json").write_text(json.dumps({"title": "Ministers Meet", "text": BODY, "published": "2024-02-05"}))
    monkeypatch.setenv("NEWSWIRE_INBOX", str(inbox))
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))
    _ingest("plausible")
    raw_validation.validate_raw("plausible")
    results = _results(tmp_path / "wh" / ".work" / "newswire.duckdb", "plausible")
    assert results[FUTURE][0] is True
    assert results[EMPTY_TITLE][0] is True
