"""Incremental dbt builds give exactly what a full rebuild gives, and a seed edit recodes history.

The synthetic warehouse's two articles plus an undated copy of the first (so the
cross-article date corroboration is exercised) arrive in steps: two articles first,
then the dated original of the undated copy, then that original is deleted (as a
quarantine would). After each step an incremental `dbt build` must leave every
intermediate and marts table equal, row for row, to `dbt build --full-refresh` on a
copy of the same raw data. The repository's own files are never modified.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from synthetic_warehouse import build_synthetic_warehouse

from newswire.config import get_settings
from newswire.dbt_runner import run_dbt

pytestmark = pytest.mark.slow

#: Raw tables keyed by article (rows move with their article).
PER_ARTICLE = ("articles", "sentences", "entity_mentions", "predicates", "line_fingerprints")
#: Bookkeeping of the incremental builds, not model output.
NOT_COMPARED = {"newswire_model_state", "newswire_model_builds", "newswire_seed_state", "int_articles_changed",
                "int_event_articles_changed", "int_events_changed", "int_entities_changed"}
UNDATED_COPY = "undatedcopy00001"


def _dbt(args: list[str], db: Path, work: Path, project_dir: Path | None = None) -> list[str]:
    """Run dbt; return the models it rebuilt in full (from its log)."""
    result = run_dbt(
        [*args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        db_path=db,
        project_dir=project_dir,
    )
    failures = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in getattr(result.result, "results", None) or []
        if str(r.status) in ("error", "fail", "runtime error")
    ]
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception} {failures}"
    log = (work / "logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
    last_run = log.rsplit("Running with dbt=", 1)[-1]
    return sorted({line.split("newswire: ", 1)[1].split(" ", 1)[0]
                   for line in last_run.splitlines() if "is rebuilt in full" in line})


def _tables(db: Path) -> dict[str, list[tuple]]:
    """Every intermediate and marts table, rows sorted, as comparable tuples."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            f"{s}.{t}" for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where schema_name in ('intermediate', 'marts') order by 1, 2"
            ).fetchall() if t not in NOT_COMPARED
        ]
        out = {}
        for name in names:
            cols = [r[0] for r in con.execute(f"describe {name}").fetchall()]
            order = ", ".join(str(i + 1) for i in range(len(cols)))
            # cast to text: lists and structs compare as their text form
            select = ", ".join(f'cast("{c}" as varchar)' for c in cols)
            out[name] = con.execute(f"select {select} from {name} order by {order}").fetchall()
    return out


def _assert_same(incremental: Path, full: Path) -> None:
    a, b = _tables(incremental), _tables(full)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], f"{name}: incremental build differs from a full refresh"


def _stash(db: Path, article_ids: list[str]) -> None:
    """Move articles' raw rows aside (as if not yet ingested)."""
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists later")
        ids = ", ".join(f"'{a}'" for a in article_ids)
        for t in PER_ARTICLE:
            con.execute(f"create or replace table later.{t} as select * from raw.{t} where article_id in ({ids})")
            con.execute(f"delete from raw.{t} where article_id in ({ids})")


def _arrive(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        for t in PER_ARTICLE:
            con.execute(f"insert into raw.{t} select * from later.{t}")
        con.execute("drop schema later cascade")


def _delete(db: Path, article_id: str) -> None:
    with duckdb.connect(str(db)) as con:
        for t in PER_ARTICLE:
            con.execute(f"delete from raw.{t} where article_id = ?", [article_id])


def _add_undated_copy(db: Path, article_id: str) -> None:
    """The same report again with no publication date: its events need corroboration."""
    with duckdb.connect(str(db)) as con:
        for t in PER_ARTICLE:
            extra = (", null as published_at, 'undated-copy' as input_sha256, null as story_cluster_id"
                     if t == "articles" else "")
            cols = [r[0] for r in con.execute(f"describe raw.{t}").fetchall()]
            replaced = [c for c in ("article_id", "published_at", "input_sha256", "story_cluster_id")
                        if c in cols and (c == "article_id" or t == "articles")]
            con.execute(
                f"insert into raw.{t} by name select * exclude ({', '.join(replaced)}), "
                f"'{UNDATED_COPY}' as article_id{extra} from raw.{t} where article_id = ?",
                [article_id],
            )


def _full_copy(db: Path, work: Path) -> Path:
    """A copy of `db` rebuilt with --full-refresh: the reference."""
    work.mkdir(parents=True, exist_ok=True)
    ref = work / "reference.duckdb"
    shutil.copy2(db, ref)
    _dbt(["build", "--full-refresh"], ref, work / "ref")
    return ref


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    work = tmp_path_factory.mktemp("incremental")
    db = build_synthetic_warehouse(work / "newswire.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [r[0] for r in con.execute(
            "select article_id from raw.articles order by published_at, article_id").fetchall()]
    return db, ids


def test_incremental_builds_equal_a_full_refresh(synthetic, tmp_path: Path) -> None:
    source, (first, _second) = synthetic
    db = tmp_path / "newswire.duckdb"
    shutil.copy2(source, db)
    _add_undated_copy(db, first)
    _stash(db, [first])

    # 1. the second article and the undated copy: a first build (everything new)
    rebuilt = _dbt(["build"], db, tmp_path / "b1")
    assert "int_events_coded" in rebuilt
    _assert_same(db, _full_copy(db, tmp_path / "r1"))

    # 2. the dated original arrives: an incremental build; the undated copy's events
    #    now take the original's date (corroboration across articles)
    _arrive(db)
    assert _dbt(["build"], db, tmp_path / "b2") == []
    with duckdb.connect(str(db), read_only=True) as con:
        changed = {r[0] for r in con.execute("select article_id from intermediate.int_articles_changed").fetchall()}
        recoded = {r[0] for r in con.execute(
            "select article_id from intermediate.int_event_articles_changed").fetchall()}
        corroborated = con.execute(
            "select count(*) from intermediate.int_events_coded where article_id = ? "
            "and event_date_source = 'corroborated'", [UNDATED_COPY]).fetchone()[0]
    assert changed == {first}
    assert UNDATED_COPY in recoded  # pulled in by the new dated article
    assert corroborated > 0
    _assert_same(db, _full_copy(db, tmp_path / "r2"))

    # 3. the original is deleted (quarantined): its rows go, the copy is undated again
    _delete(db, first)
    assert _dbt(["build"], db, tmp_path / "b3") == []
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = con.execute("select change_kind from intermediate.int_articles_changed").fetchall()
        left = con.execute("select count(*) from marts.event_mentions where article_id = ?", [first]).fetchone()[0]
    assert kinds == [("deleted",)]
    assert left == 0
    _assert_same(db, _full_copy(db, tmp_path / "r3"))


def test_an_incremental_build_leaves_older_rows_alone(synthetic, tmp_path: Path) -> None:
    """Rows of articles built before are not recomputed: a marker put in them survives."""
    source, (first, second) = synthetic
    db = tmp_path / "newswire.duckdb"
    shutil.copy2(source, db)
    _stash(db, [second])
    _dbt(["build"], db, tmp_path / "b1")
    with duckdb.connect(str(db)) as con:
        con.execute("update intermediate.int_sentences_classified set tone = 42.0 where article_id = ?", [first])
    _arrive(db)
    _dbt(["build"], db, tmp_path / "b2")
    with duckdb.connect(str(db), read_only=True) as con:
        tones = dict(con.execute(
            "select article_id, max(tone) from intermediate.int_sentences_classified group by 1").fetchall())
    assert tones[first] == 42.0  # not rebuilt
    assert tones[second] != 42.0  # built


def test_a_seed_edit_rebuilds_what_depends_on_it_with_plain_dbt_build(synthetic, tmp_path: Path) -> None:
    """Edit the verb-pattern seed: `dbt build` alone recodes history, and only downstream of it."""
    source, _ = synthetic
    db = tmp_path / "newswire.duckdb"
    shutil.copy2(source, db)
    _dbt(["build"], db, tmp_path / "b1")

    project = tmp_path / "dbt_project"
    shutil.copytree(get_settings().dbt_project_dir, project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    seed = project / "seeds" / "cameo_verb_patterns.csv"
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    for i, line in enumerate(lines[1:], start=1):
        row = dict(zip(header, next(csv.reader([line])), strict=False))
        if row["verb_lemma"] == "meet" and not (row["particle"] or row["preposition"] or row["object_head"]):
            code = row["event_code"]
            quoted = f'"{code}"' if f',"{code}",' in line else code
            lines[i] = line.replace(f",{quoted},", f",{quoted.replace(code, '042')},", 1)
    seed.write_text("".join(lines), encoding="utf-8")

    rebuilt = _dbt(["build"], db, tmp_path / "b2", project_dir=project)
    # downstream of cameo_verb_patterns: rebuilt in full; the rest stays incremental
    assert {"int_predicates_coded", "int_predicates_main_event", "int_events_coded",
            "int_events_deduplicated", "events", "event_mentions", "articles"} <= set(rebuilt)
    assert "int_sentences_classified" not in rebuilt
    assert "int_entity_mentions_resolved" not in rebuilt
    with duckdb.connect(str(db), read_only=True) as con:
        codes = {r[0] for r in con.execute(
            "select event_code from marts.events where actor1_code = 'JPNGOV' and actor2_code = 'RUSGOV' "
            "and event_root_code = '04' and not is_negated").fetchall()}
    assert codes == {"042"}

    ref = tmp_path / "reference.duckdb"
    shutil.copy2(db, ref)
    _dbt(["build", "--full-refresh"], ref, tmp_path / "r", project_dir=project)
    _assert_same(db, ref)

    # a second build with the same seed: nothing is rebuilt in full
    assert _dbt(["build"], db, tmp_path / "b3", project_dir=project) == []


def _build(db: Path, work: Path, args: tuple[str, ...] = ("build",)) -> list[str]:
    """Run dbt; return the unique ids of the data tests that failed."""
    result = run_dbt([*args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")], db_path=db)
    return sorted(r.node.unique_id for r in getattr(result.result, "results", None) or []
                  if str(r.status) in ("fail", "error"))


def test_incremental_builds_test_only_what_changed(synthetic, tmp_path: Path) -> None:
    """Data tests of an incremental build read the changed articles, and still catch a bad key in them."""
    source, (first, second) = synthetic
    db = tmp_path / "newswire.duckdb"
    shutil.copy2(source, db)
    _stash(db, [second])
    assert _build(db, tmp_path / "b1") == []
    with duckdb.connect(str(db)) as con:
        # a duplicate key in history (rows of the first article): not re-read by the next incremental build
        con.execute("insert into intermediate.int_sentences_classified "
                    "select * from intermediate.int_sentences_classified where article_id = ? limit 1", [first])
    _arrive(db)
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.articles set ingested_at = now() where article_id = ?", [second])
    assert _build(db, tmp_path / "b2") == []
    # `dbt test` alone (no build in the invocation) reads the whole table and finds it
    failed = _build(db, tmp_path / "t2", ("test", "--select", "int_sentences_classified"))
    assert any("unique_int_sentences_classified_sentence_id" in f for f in failed), failed
    with duckdb.connect(str(db)) as con:
        # repair history: the first article's rows once each
        con.execute("create temp table once as select distinct * from intermediate.int_sentences_classified "
                    "where article_id = ?", [first])
        con.execute("delete from intermediate.int_sentences_classified where article_id = ?", [first])
        con.execute("insert into intermediate.int_sentences_classified select * from once")
    # a new article with a duplicate sentence key: the scoped tests catch it
    _add_undated_copy(db, first)
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.articles set ingested_at = now() where article_id = ?", [UNDATED_COPY])
        con.execute("insert into raw.sentences select * from raw.sentences where article_id = ? limit 1",
                    [UNDATED_COPY])
    failed = _build(db, tmp_path / "b3")
    assert any("unique_stg_newswire__sentences_sentence_id" in f for f in failed), failed


def test_join_tests_read_only_the_new_articles(synthetic, tmp_path: Path) -> None:
    """The project's own join tests (span_within_document) go through the scoped get_where_subquery:
    a bad span in history is left alone by an incremental build, a bad span in a new article fails it."""
    source, (first, second) = synthetic
    db = tmp_path / "newswire.duckdb"
    shutil.copy2(source, db)
    with duckdb.connect(str(db)) as con:
        # the staging scope is "ingested since the newest built article": make `second` the newest
        con.execute("update raw.articles set ingested_at = timestamptz '2020-01-01 00:00:00+00' where article_id = ?",
                    [first])
        con.execute("update raw.articles set ingested_at = timestamptz '2020-01-02 00:00:00+00' where article_id = ?",
                    [second])
    assert _build(db, tmp_path / "b1") == []
    _add_undated_copy(db, first)
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.articles set ingested_at = now() where article_id = ?", [UNDATED_COPY])
        # a mention ending past its document, in history
        con.execute("update raw.entity_mentions set end_char = 100000 where article_id = ? and mention_no = 0",
                    [first])
    assert _build(db, tmp_path / "b2") == []
    with duckdb.connect(str(db), read_only=True) as con:  # the fault is there, only not re-read
        outside = con.execute(
            "select count(*) from staging.stg_newswire__entity_mentions as m "
            "join staging.stg_newswire__articles as a using (article_id) "
            "where m.end_char > length(a.document_text)").fetchone()[0]
    assert outside == 1
    # the same fault in the new article: the scoped test catches it
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.entity_mentions set end_char = 100000 where article_id = ? and mention_no = 0",
                    [UNDATED_COPY])
        con.execute("update raw.entity_mentions set end_char = 5 where article_id = ? and mention_no = 0", [first])
    failed = _build(db, tmp_path / "b3")
    assert any(".span_within_document_stg_newswire__entity_mentions_" in f for f in failed), failed
