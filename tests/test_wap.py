"""Write-audit-publish (newswire.transform.wap) on small hand-made warehouses: fast, no dbt or GX."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from newswire.config import Settings
from newswire.transform import wap
from newswire.warehouse import connect, publish


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(db: Path, sql: str) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(sql).fetchall())


def _tables(db: Path) -> list[tuple[str, str]]:
    """Tables and views of the dbt-managed schemas (the published file holds views)."""
    return _rows(
        db,
        "select schema_name, table_name from duckdb_tables() "
        "where schema_name in ('lookup', 'intermediate', 'marts', 'wap_last_validated') "
        "union all select schema_name, view_name from duckdb_views() "
        "where schema_name in ('lookup', 'intermediate', 'marts', 'wap_last_validated')",
    )


ALL_LAYERS = ("raw", "marts", "audit")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A published warehouse with validated marts; the working copy equal to it."""
    s = Settings(warehouse=tmp_path / "wh" / "newswire.duckdb")
    with connect(s) as con:
        con.execute("create schema lookup; create table lookup.codes as select '040' as event_code")
        con.execute("create schema marts")
        con.execute(
            "create table marts.events as select * from (values ('e1', '040'), ('e2', '040')) t(event_id, code)"
        )
        con.execute("create table marts.entities as select 'jpn' as entity_id")
        con.execute("create view marts.events_view as select * from marts.events")
        # what dbt records for its incremental models (forgotten on a failed build)
        con.execute("create schema intermediate")
        con.execute(f"create table {wap.MODEL_STATE} as select 'model.newswire.events' as model_id, "
                    "'abc' as fingerprint, now() as built_at")
    publish(s, layers=ALL_LAYERS)
    return s


def _bad_build(s: Settings) -> None:
    """What a failing dbt build leaves in the working copy."""
    with connect(s) as con:
        con.execute("drop view marts.events_view")
        con.execute("insert into marts.events values ('e3', '999')")
        con.execute("drop table marts.entities")
        con.execute("create table marts.new_mart as select 1 as x")
        con.execute("create table intermediate.int_x as select 1 as x")
        con.execute("create or replace table lookup.codes as select '999' as event_code")


def _model_state(s: Settings) -> list:
    return _rows(s.work_db, f"select model_id from {wap.MODEL_STATE}")


def test_a_failed_build_never_reaches_users_and_the_next_build_is_full(settings: Settings) -> None:
    before_tables = _tables(settings.warehouse)
    sha = _sha(settings.warehouse)

    begun = wap.begin_build("r1", settings)
    assert begun["state"] == wap.BUILDING
    _bad_build(settings)
    result = wap.rollback("r1", "events: expect_column_values_to_be_in_set(event_code)", settings)

    assert result["forgotten_models"] == 1
    assert _model_state(settings) == []  # the next dbt build rebuilds every incremental model
    assert _sha(settings.warehouse) == sha  # the published catalog was never touched
    assert _tables(settings.warehouse) == before_tables
    assert _rows(settings.warehouse, "select * from marts.events") == [("e1", "040"), ("e2", "040")]
    assert _rows(settings.warehouse, "select * from lookup.codes") == [("040",)]
    with connect(settings) as con:
        state = wap.get_state(con)
    assert state["state"] == wap.FAILED and "event_code" in state["reason"]


def test_rollback_is_idempotent_and_keeps_the_audit_reason(settings: Settings) -> None:
    wap.begin_build("r1", settings)
    wap.rollback("r1", "precise reason from the audit", settings)
    again = wap.rollback("r1", "generic reason from the failure handler", settings)
    assert again["forgotten_models"] == 0
    assert again["reason"] == "precise reason from the audit"


def test_ingest_publish_skips_while_a_transform_builds_and_never_publishes_marts(settings: Settings) -> None:
    from newswire.publish import publish_raw

    sha = _sha(settings.warehouse)
    wap.begin_build("r1", settings)
    _bad_build(settings)
    assert "building" in (wap.publish_blocker(settings) or "")
    assert publish_raw(settings).startswith("skipped")
    assert _sha(settings.warehouse) == sha
    wap.rollback("r1", "bad", settings)
    assert wap.publish_blocker(settings) is None
    with connect(settings) as con:
        con.execute("create schema if not exists raw")
        con.execute("create table raw.extra as select 1 as x")
    published = publish_raw(settings)
    assert not published.startswith("skipped")
    # the raw layer went out; the failed build's marts and lookup did not
    assert _rows(settings.warehouse, "select * from raw.extra") == [(1,)]
    assert _rows(settings.warehouse, "select * from marts.events") == [("e1", "040"), ("e2", "040")]
    assert _rows(settings.warehouse, "select * from lookup.codes") == [("040",)]


def test_transform_publishes_only_its_validated_run(settings: Settings) -> None:
    wap.begin_build("r1", settings)
    with pytest.raises(wap.PublishBlocked):
        wap.publish_validated("r1", settings)
    with connect(settings) as con:
        con.execute("insert into marts.events values ('e3', '040')")
        wap.mark_validated("r1", con)
    with pytest.raises(wap.PublishBlocked):
        wap.publish_validated("another-run", settings)
    wap.publish_validated("r1", settings)
    assert len(_rows(settings.warehouse, "select * from marts.events")) == 3
    assert not [t for t in _tables(settings.warehouse) if t[0] in ("wap_last_validated", "intermediate")]


def test_an_abandoned_build_makes_the_next_one_full(settings: Settings) -> None:
    wap.begin_build("crashed", settings)
    _bad_build(settings)  # ...and the worker died here
    begun = wap.begin_build("next", settings)
    assert begun["previous_state"] == wap.BUILDING
    assert begun["forgotten_models"] == 1
    assert _model_state(settings) == []
    assert _rows(settings.warehouse, "select * from marts.events") == [("e1", "040"), ("e2", "040")]


def test_first_build_that_fails_publishes_no_marts(tmp_path: Path) -> None:
    from newswire.publish import publish_raw

    s = Settings(warehouse=tmp_path / "wh" / "newswire.duckdb")
    wap.begin_build("first", s)
    with connect(s) as con:
        con.execute("create schema marts; create table marts.events as select 1 as x")
    wap.rollback("first", "bad", s)
    publish_raw(s)
    assert not [t for t in _tables(s.warehouse) if t[0] == "marts"]


def _cli() -> str | None:
    exe = Path(sys.executable).with_name("duckdb")
    return str(exe) if exe.exists() else shutil.which("duckdb")


@pytest.mark.parametrize("read_only", [True, False])
def test_a_cli_holding_the_published_file_blocks_neither_publish_nor_rollback(
    settings: Settings, read_only: bool
) -> None:
    cli = _cli()
    if cli is None:
        pytest.skip("no duckdb CLI")
    args = [cli, *(["-readonly"] if read_only else []), str(settings.warehouse)]
    reader = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdin is not None
        reader.stdin.write("select count(*) from marts.events;\n")
        reader.stdin.flush()
        time.sleep(0.5)  # the CLI has the file open and locked
        assert reader.poll() is None
        wap.begin_build("r1", settings)
        _bad_build(settings)
        wap.rollback("r1", "bad", settings)
        wap.begin_build("r2", settings)
        with connect(settings) as con:
            # after a failed build dbt rebuilds in full (the model state was forgotten)
            con.execute("create or replace table marts.events as select * from "
                        "(values ('e1', '040'), ('e2', '040'), ('e3', '040')) t(event_id, code)")
            wap.mark_validated("r2", con)
        wap.publish_validated("r2", settings)
        assert reader.poll() is None
    finally:
        reader.kill()
        reader.wait()
    assert len(_rows(settings.warehouse, "select * from marts.events")) == 3
