"""The transform DAG: wiring, and end to end through `dag.test()` (ingest, then transform).

The end-to-end fixture runs both DAGs once on a copy of seeds/ in a temporary
warehouse while a DuckDB CLI holds the published file open read-only, then the
write-audit-publish test injects a bad batch into the marts of that warehouse.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
DAG_FILE = REPO / "dags" / "newswire_transform.py"
MARTS = ("articles", "entities", "entity_mentions", "events", "event_mentions", "country_pair_daily")


@pytest.fixture(scope="module")
def transform_dag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert bag.import_errors == {}
    return bag.dags["newswire_transform"]


def test_dag_imports_and_is_declarative(transform_dag) -> None:  # type: ignore[no-untyped-def]
    assert transform_dag.catchup is False
    assert transform_dag.max_active_runs == 1
    for task in transform_dag.tasks:
        assert task.retries >= 1, task.task_id


def test_scheduled_on_the_raw_asset(transform_dag) -> None:  # type: ignore[no-untyped-def]
    from newswire.orchestration import MARTS_ASSET_NAME, RAW_ASSET_NAME

    assert type(transform_dag.timetable).__name__ == "AssetTriggeredTimetable"
    names = {asset.name for asset in transform_dag.schedule}
    assert names == {RAW_ASSET_NAME}
    publish = transform_dag.get_task("publish")
    assert [o.name for o in publish.outlets] == [MARTS_ASSET_NAME]


def test_every_task_writes_through_the_single_slot_pool(transform_dag) -> None:  # type: ignore[no-untyped-def]
    from newswire.orchestration import writer_pool

    for task in transform_dag.tasks:
        assert task.pool == writer_pool(), task.task_id


def test_order_seed_staging_audit_marts_audit_publish_docs(transform_dag) -> None:  # type: ignore[no-untyped-def]
    def upstream_closure(task_id: str) -> set[str]:
        seen: set[str] = set()
        todo = [task_id]
        while todo:
            for up in transform_dag.get_task(todo.pop()).upstream_task_ids:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return seen

    chain = ["begin_build", "dbt_staging.seeds_and_staging", "check_staging",
             "dbt_marts.intermediate_and_marts", "check_marts", "publish", "dbt_docs", "summarize"]
    for earlier, later in itertools.pairwise(chain):
        assert earlier in upstream_closure(later), (earlier, later)
    rollback = transform_dag.get_task("rollback_failed_build")
    assert rollback.trigger_rule == "one_failed"
    assert {"check_marts", "check_staging", "begin_build"} <= rollback.upstream_task_ids
    assert "publish" not in upstream_closure("rollback_failed_build")


# --------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _marts_rows(db: Path) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted: compares two files row for row."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: sorted(map(repr, con.execute(f"select * from marts.{t}").fetchall()))
            for t in MARTS
        }


def _duckdb_cli() -> str | None:
    exe = Path(sys.executable).with_name("duckdb")
    return str(exe) if exe.exists() else shutil.which("duckdb")


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from newswire.runner import test_dag

    root = tmp_path_factory.mktemp("transform")
    inbox = root / "inbox"
    shutil.copytree(REPO / "seeds", inbox)
    wh = root / "wh" / "newswire.duckdb"
    keys = ("NEWSWIRE_INBOX", "NEWSWIRE_WAREHOUSE", "NEWSWIRE_WORK_DB")
    old = {k: os.environ.get(k) for k in keys}
    os.environ["NEWSWIRE_INBOX"] = str(inbox)
    os.environ["NEWSWIRE_WAREHOUSE"] = str(wh)
    os.environ.pop("NEWSWIRE_WORK_DB", None)
    reader = None
    try:
        ingest_state, _ = test_dag("newswire_ingest.py", "newswire_ingest")
        assert wh.exists(), "ingest did not publish"
        cli = _duckdb_cli()
        if cli:
            # A user's DuckDB CLI with the published file open read-only for the whole transform.
            reader = subprocess.Popen(
                [cli, "-readonly", str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )
            assert reader.stdin is not None
            reader.stdin.write("select count(*) from raw.articles;\n")
            reader.stdin.flush()
        transform_state, _ = test_dag("newswire_transform.py", "newswire_transform")
        from newswire.transform import transform_summary

        summary = transform_summary()
        reader_alive = reader is None or reader.poll() is None
        yield {
            "root": root, "wh": wh, "ingest": ingest_state, "transform": transform_state,
            "summary": summary, "reader_alive": reader_alive, "reader_used": reader is not None,
        }
    finally:
        if reader is not None:
            reader.kill()
            reader.wait()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.slow
def test_ingest_then_transform_publish_marts(e2e) -> None:  # type: ignore[no-untyped-def]
    assert e2e["ingest"].endswith("success")
    assert e2e["transform"].endswith("success")
    with duckdb.connect(str(e2e["wh"]), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in MARTS}
        state = con.execute("select state from audit.publish_state where stage = 'marts'").fetchone()[0]
        stages = {r[0] for r in con.execute("select distinct stage from audit.validation_results").fetchall()}
        backups = con.execute(
            "select count(*) from duckdb_schemas() where schema_name = 'wap_last_validated'"
        ).fetchone()[0]
    assert counts["events"] > 0
    assert counts["entities"] > 0
    assert counts["articles"] >= 2
    assert state == "published"
    assert {"raw", "staging", "marts"} <= stages
    assert backups == 0  # the snapshot never reaches users


@pytest.mark.slow
def test_dbt_parse_state_is_kept_for_the_next_run(e2e) -> None:  # type: ignore[no-untyped-def]
    """Cosmos runs dbt in a fresh copy of the project; without this state every dbt task
    of every run would parse the whole project again."""
    from dataclasses import replace

    from newswire.config import get_settings

    state = replace(get_settings(), warehouse=e2e["wh"]).dbt_cache_dir / "target" / "partial_parse.msgpack"
    assert state.exists() and state.stat().st_size > 100_000


@pytest.mark.slow
def test_summary_points_at_docs(e2e) -> None:  # type: ignore[no-untyped-def]
    summary = e2e["summary"]
    assert summary["events"] > 0 and summary["entities"] > 0
    assert summary["dbt_docs"] and Path(summary["dbt_docs"]).exists()
    assert summary["data_docs"] and Path(summary["data_docs"]).exists()


@pytest.mark.slow
def test_a_reader_holding_the_published_file_does_not_break_the_run(e2e) -> None:  # type: ignore[no-untyped-def]
    if not e2e["reader_used"]:
        pytest.skip("no duckdb CLI")
    assert e2e["reader_alive"]
    assert e2e["transform"].endswith("success")


@pytest.mark.slow
def test_bad_batch_fails_the_audit_and_leaves_published_marts_unchanged(e2e, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A bad event fails the marts' dbt tests (the audit of row-level facts, docs/audits.md);
    the DAG's rollback_failed_build then records the failure and nothing is published."""
    from newswire.config import get_settings
    from newswire.dbt_runner import run_dbt
    from newswire.publish import publish_raw
    from newswire.transform import steps, wap

    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(e2e["wh"]))
    settings = get_settings()
    published = settings.warehouse
    sha_before = _sha(published)
    rows_before = _marts_rows(published)

    run_id = "bad-batch"
    steps.begin(run_id)
    # What a bad build would leave behind: an event whose CAMEO code is not in the seed.
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute(
            "insert into marts.events by name select * replace ('999' as event_code, 'bad-event' as event_id) "
            "from marts.events limit 1"
        )
        con.execute("update marts.events set goldstein = 42 where event_id = 'bad-event'")
    # While the build is open, the ingest DAG's publish refuses to publish.
    assert wap.publish_blocker(settings) is not None
    assert publish_raw(settings).startswith("skipped")
    assert _sha(published) == sha_before

    # The marts phase's `dbt build` runs the marts' data tests right after building them;
    # `dbt test` of the marts reads the rows just written and fails the same way.
    work = e2e["root"] / "bad-batch-dbt"
    result = run_dbt(["test", "--select", "path:models/marts", "--target-path", str(work / "target"),
                      "--log-path", str(work / "logs")], db_path=settings.work_db)
    failed = [r.node.unique_id for r in result.result.results if str(r.status) in ("fail", "error")]
    assert not result.success
    assert any(".relationships_where_events_event_code_" in f for f in failed), failed
    assert any(".accepted_range_events_goldstein_" in f for f in failed), failed
    # ... so the task fails and the DAG runs rollback_failed_build (trigger rule one_failed)
    steps.rollback(run_id)

    assert _sha(published) == sha_before  # byte for byte
    # the working copy keeps the bad rows until the next build, which is a full one
    with duckdb.connect(str(settings.work_db)) as con:
        assert con.execute(f"select count(*) from {wap.MODEL_STATE}").fetchone()[0] == 0
        state, reason = con.execute(
            "select state, reason from audit.publish_state where stage = 'marts'"
        ).fetchone()
    assert state == "failed" and reason
    with pytest.raises(wap.PublishBlocked):
        steps.publish(run_id)

    # The next ingest publishes again, and nothing of the bad build leaks through it.
    assert wap.publish_blocker(settings) is None
    assert not publish_raw(settings).startswith("skipped")
    assert _marts_rows(published) == rows_before
