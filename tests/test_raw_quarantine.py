"""A batch that fails a blocking raw expectation is quarantined, recorded and never published."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from newswire_testdata import SEED_TEXT_DUMPS

from newswire.ingest import discover, extract, load
from newswire.validation import ValidationFailed
from newswire.validation import raw as raw_validation


def test_failed_raw_validation_quarantines_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in SEED_TEXT_DUMPS:
        shutil.copy(seed, inbox / seed.name)
    wh = tmp_path / "wh" / "newswire.duckdb"
    monkeypatch.setenv("NEWSWIRE_INBOX", str(inbox))
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(wh))

    run_id = "bad-run"
    found = discover.discover(run_id)
    manifest = extract.extract_batch(found["batches"][0], 0, run_id, found["template_stats_path"])
    # Corrupt the batch the way a parser bug would: an unknown source format.
    table = pq.read_table(manifest["articles"])
    bad = table.set_column(
        table.schema.get_field_index("source_format"), "source_format", [["pdf"] * table.num_rows]
    )
    pq.write_table(bad, manifest["articles"])
    load.load_batches([manifest], run_id)

    with pytest.raises(ValidationFailed, match="source_format"):
        raw_validation.validate_raw(run_id)

    work = tmp_path / "wh" / ".work" / "newswire.duckdb"
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute("select count(*) from raw.articles").fetchone()[0] == 0
        statuses = {r[0] for r in con.execute("select status from raw.inputs").fetchall()}
        reasons = con.execute("select reason_code, reason from raw.rejections").fetchall()
        audit = con.execute(
            "select count(*) from audit.validation_results where run_id = ? and not success and blocking", [run_id]
        ).fetchone()[0]
    assert statuses == {"quarantined"}
    assert len(reasons) == len(SEED_TEXT_DUMPS)
    assert all(code == "failed_validation" and "source_format" in reason for code, reason in reasons)
    assert audit >= 1
    assert not wh.exists()  # nothing was published
