"""Publishing by segments (newswire.publish) on small hand-made warehouses: no dbt, no GX.

A publish must write only the segments whose rows changed, keep every earlier
segment file untouched (readers of an older catalog keep reading them), show
readers of the new catalog exactly the working copy's tables, and let a lost
working copy be rebuilt from what was published.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from newswire import publish as pub
from newswire.config import Settings
from newswire.warehouse import connect, publish

ALL = ("raw", "marts", "audit")


def _rows(db: Path, sql: str) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(sql).fetchall())


def _files(s: Settings) -> set[str]:
    return {str(p) for p in pub.parts_dir(s).rglob("*.parquet")}


def _add_articles(s: Settings, ids: list[str], day: str = "2024-01-01") -> None:
    with connect(s) as con:
        for a in ids:
            con.execute("insert into raw.articles (article_id, title, body) values (?, ?, ?)", [a, f"t {a}", "b"])
            con.execute("insert into raw.sentences (article_id, sentence_no, text) values (?, 0, ?)", [a, f"t {a}"])
            con.execute("insert into marts.articles values (?, ?)", [a, f"t {a}"])
            con.execute("insert into marts.event_mentions values (?, ?)", [a, f"ev-{a}"])
            con.execute("insert into marts.events values (?, ?::date, 1)", [f"ev-{a}", day])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(warehouse=tmp_path / "wh" / "newswire.duckdb")
    with connect(s) as con:
        con.execute("create schema marts")
        con.execute("create table marts.articles (article_id varchar, title varchar)")
        con.execute("create table marts.event_mentions (article_id varchar, event_id varchar)")
        con.execute("create table marts.events (event_id varchar, event_date date, num_mentions int)")
        con.execute("create schema lookup; create table lookup.codes as select '040' as event_code")
    _add_articles(s, ["a1", "a2"])
    publish(s, layers=ALL)
    return s


def test_the_published_file_shows_the_working_copy_through_views(settings: Settings) -> None:
    wh = settings.warehouse
    assert _rows(wh, "select article_id, title from raw.articles") == [("a1", "t a1"), ("a2", "t a2")]
    assert _rows(wh, "select * from marts.events") == _rows(settings.work_db, "select * from marts.events")
    assert _rows(wh, "select * from lookup.codes") == [("040",)]
    # only views (and the segment registry): the data is in the Parquet segments
    assert _rows(wh, "select schema_name, table_name from duckdb_tables()") == [("audit", "published_parts")]
    assert wh.stat().st_size < 2 * 2**20


def test_a_publish_with_nothing_changed_writes_no_file(settings: Settings) -> None:
    before = _files(settings)
    out = publish_again(settings)
    assert out == before


def publish_again(s: Settings, **kw: object) -> set[str]:
    publish(s, layers=ALL, **kw)  # type: ignore[arg-type]
    return _files(s)


def test_new_articles_add_segments_and_leave_the_old_files_alone(settings: Settings) -> None:
    before = {p: os.stat(p).st_mtime_ns for p in _files(settings)}
    _add_articles(settings, ["a3"], day="2024-01-02")
    after = publish_again(settings)
    new = after - set(before)
    # one new segment per article table of each layer, one new day of events
    assert {Path(p).parent.name for p in new} == {
        "raw.articles", "raw.sentences", "marts.articles", "marts.event_mentions", "marts.events"}
    assert all(os.stat(p).st_mtime_ns == t for p, t in before.items())  # never modified
    assert _rows(settings.warehouse, "select article_id from marts.articles") == [("a1",), ("a2",), ("a3",)]


def test_a_reader_of_the_old_catalog_keeps_its_snapshot(settings: Settings) -> None:
    reader = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        _add_articles(settings, ["a3"])
        with connect(settings) as con:
            con.execute("delete from raw.articles where article_id = 'a1'")
        publish_again(settings)
        # the old catalog still lists the old files, which still exist
        assert sorted(reader.execute("select article_id from raw.articles").fetchall()) == [("a1",), ("a2",)]
    finally:
        reader.close()
    assert _rows(settings.warehouse, "select article_id from raw.articles") == [("a2",), ("a3",)]


def test_a_deleted_or_recomputed_article_rewrites_only_its_segment(settings: Settings) -> None:
    first_segment = _live(settings, "marts.articles")
    _add_articles(settings, ["b1"], day="2024-02-01")
    publish_again(settings)
    with connect(settings) as con:
        con.execute("update marts.articles set title = 'recoded' where article_id = 'b1'")
    before = _files(settings)
    after = publish_again(settings, changes=pub.Changes(articles={"b1"}, events_sql="select 'none' as event_id"))
    # b1's segment of each marts article table is rewritten; a1 and a2's segment is untouched
    assert {Path(p).parent.name for p in after - before} == {"marts.articles", "marts.event_mentions"}
    assert first_segment <= _live(settings, "marts.articles")
    assert _rows(settings.warehouse, "select title from marts.articles where article_id = 'b1'") == [("recoded",)]


def _live(s: Settings, table: str) -> set[str]:
    with connect(s) as con:
        return {r[0] for r in con.execute(
            "select file from audit.published_parts where removed_at is null and table_name = ?", [table]).fetchall()}


def test_replaced_files_are_deleted_after_the_retention(settings: Settings) -> None:
    _add_articles(settings, ["c1"])
    with connect(settings) as con:
        con.execute("delete from marts.articles where article_id = 'a1'")
    publish_again(settings)
    with connect(settings) as con:
        replaced = [r[0] for r in con.execute(
            "select file from audit.published_parts where removed_at is not null").fetchall()]
        assert replaced and all(Path(f).exists() for f in replaced)  # within the retention
        assert pub.collect_garbage(con, settings, retention=0) >= len(replaced)
    assert not any(Path(f).exists() for f in replaced)
    assert _rows(settings.warehouse, "select article_id from marts.articles") == [("a2",), ("c1",)]


def test_a_lost_working_copy_is_rebuilt_from_the_published_segments(settings: Settings) -> None:
    expected = _rows(settings.work_db, "select * from marts.events")
    settings.work_db.unlink()
    _add_articles(settings, ["d1"], day="2024-03-01")  # reopening rebuilds it first
    assert _rows(settings.work_db, "select * from marts.events") == sorted([*expected, ("ev-d1",
                 _rows(settings.work_db, "select event_date from marts.events where event_id = 'ev-d1'")[0][0], 1)])
    before = _files(settings)
    after = publish_again(settings)
    assert before <= after  # nothing published before was lost or rewritten
    assert _rows(settings.warehouse, "select article_id from marts.articles") == [("a1",), ("a2",), ("d1",)]
