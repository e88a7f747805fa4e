"""A task killed while GX writes its file store must not break the next run.

GX's file stores write in place, so a kill leaves a store file empty or cut short. The
rerun drops such files (they are re-declared on every validation) and validates as usual.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
import pytest

from newswire.validation.runner import ValidationFailed, drop_broken_store_files, validate_frames
from newswire.warehouse import ensure_raw_tables

pytestmark = pytest.mark.slow  # GX checkpoints: a second or two each


def _suites() -> dict[str, list[object]]:
    e = gx.expectations
    return {
        "articles": [
            e.ExpectColumnValuesToNotBeNull(column="article_id", meta={"blocking": True}),
            e.ExpectColumnValuesToBeBetween(column="word_count", min_value=1, meta={"blocking": True}),
        ]
    }


def _frames(word_count: int = 10) -> dict[str, pd.DataFrame]:
    return {"articles": pd.DataFrame({"article_id": ["a1", "a2"], "word_count": [word_count, 12]})}


def _results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, bool]]:
    return con.execute(
        "select suite_name, expectation, success from audit.validation_results where run_id = ? order by all",
        [run_id],
    ).fetchall()


def test_cut_short_store_files_are_dropped_and_the_run_validates(tmp_path: Path) -> None:
    con = duckdb.connect()
    ensure_raw_tables(con)
    gx_root = tmp_path / "gx"
    suites = _suites()
    first = validate_frames("raw", _frames(), suites, run_id="r1", gx_root=gx_root, con=con)
    assert first.success and first.evaluated == 2

    store = gx_root / "gx"
    suite_file = store / "expectations" / "raw__articles.json"
    checkpoint_file = store / "checkpoints" / "raw__articles__checkpoint.json"
    config_file = store / "great_expectations.yml"
    suite_file.write_text("")  # killed before the first byte
    checkpoint_file.write_text(checkpoint_file.read_text()[:40])  # killed mid-write
    config_file.write_text(config_file.read_text()[:200])  # cut inside a mapping

    # The same expectation objects again, as a long-lived worker would pass them.
    second = validate_frames("raw", _frames(), suites, run_id="r2", gx_root=gx_root, con=con)
    assert second.success and second.evaluated == 2
    assert [r[1:] for r in _results(con, "r2")] == [r[1:] for r in _results(con, "r1")]
    for path in (suite_file, checkpoint_file, config_file):
        assert path.is_file(), f"{path.name} was not re-declared"
    assert drop_broken_store_files(gx_root) == []
    assert len(list(store.glob("great_expectations.yml.broken-*"))) == 1  # kept for inspection


def test_a_failed_expectation_is_still_a_failure_after_recovery(tmp_path: Path) -> None:
    con = duckdb.connect()
    ensure_raw_tables(con)
    gx_root = tmp_path / "gx"
    validate_frames("raw", _frames(), _suites(), run_id="r1", gx_root=gx_root, con=con)
    (gx_root / "gx" / "expectations" / "raw__articles.json").write_text('{"name": "raw__art')

    with pytest.raises(ValidationFailed, match="word_count"):
        validate_frames("raw", _frames(word_count=0), _suites(), run_id="r2", gx_root=gx_root, con=con)
    assert ("raw__articles", "expect_column_values_to_be_between", False) in _results(con, "r2")


def test_readable_store_files_are_kept(tmp_path: Path) -> None:
    gx_root = tmp_path / "gx"
    validate_frames("raw", _frames(), _suites(), run_id="r1", gx_root=gx_root)
    before = sorted(p for p in (gx_root / "gx").rglob("*") if p.is_file())
    assert drop_broken_store_files(gx_root) == []
    assert sorted(p for p in (gx_root / "gx").rglob("*") if p.is_file()) == before


def test_an_error_that_is_not_the_store_is_raised_and_the_store_is_kept(tmp_path: Path) -> None:
    gx_root = tmp_path / "gx"
    validate_frames("raw", _frames(), _suites(), run_id="r1", gx_root=gx_root)
    before = sorted(p for p in (gx_root / "gx").rglob("*") if p.is_file() and "data_docs" not in p.parts)

    with pytest.raises(KeyError, match="articles"):
        validate_frames("raw", {}, _suites(), run_id="r2", gx_root=gx_root)  # no frame for the suite
    after = sorted(p for p in (gx_root / "gx").rglob("*") if p.is_file() and "data_docs" not in p.parts)
    assert after == before
    assert not list((gx_root / "gx").glob("great_expectations.yml.broken-*"))
