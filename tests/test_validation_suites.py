"""The GX staging and marts suites on small hand-made warehouses (no dbt, no spaCy).

The suites hold the population-level checks (shares with thresholds, label sets with
``mostly``); the row-level facts are dbt data tests, and
tests/test_dbt_project.py::test_row_level_faults_fail_the_dbt_tests shows dbt catching
them. Each bad warehouse here breaks the population checks; the tests assert every one
is reported by name, recorded in audit.validation_results, blocking or not as declared.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from newswire.config import Settings
from newswire.warehouse import ensure_raw_tables

pytestmark = pytest.mark.slow  # GX checkpoints: a few seconds each

STAGING_DDL = """
create schema if not exists staging;
create table staging.stg_newswire__articles as
  select * from (values
    ('a1', 'T1' || chr(10) || chr(10) || 'Japan met Russia.', 'Japan met Russia.',
     timestamptz '2024-01-02 10:00:00+00', 'en'),
    ('a2', 'T2' || chr(10) || chr(10) || 'Calm day.', 'Calm day.', timestamptz '2024-01-02 11:00:00+00', 'en')
  ) as t(article_id, document_text, body, published_at, language_code);
create table staging.stg_newswire__sentences as
  select * from (values ('a1-s0', 'a1', 0, 0, 2, 'T1'), ('a1-s1', 'a1', 1, 4, 21, 'Japan met Russia.'),
                        ('a2-s0', 'a2', 0, 0, 2, 'T2'))
  as t(sentence_id, article_id, sentence_no, start_char, end_char, sentence_text);
create table staging.stg_newswire__entity_mentions as
  select * from (values ('a1-m0', 'a1', 'a1-s1', 4, 9, 'Japan', 'GPE'),
                        ('a1-m1', 'a1', 'a1-s1', 14, 20, 'Russia', 'GPE'))
  as t(entity_mention_id, article_id, sentence_id, start_char, end_char, mention_text, entity_label);
create table staging.stg_newswire__predicates as
  select * from (values ('a1-p0', 'a1', 'a1-s1', 'meet')) as t(predicate_id, article_id, sentence_id, verb_lemma);
"""

MARTS_DDL = """
create schema if not exists lookup;
create table lookup.cameo_event_codes as
  select * from (values ('036', 4.0, 1), ('040', 1.0, 1), ('043', 2.8, 1)) as t(event_code, goldstein, quad_class);
create schema if not exists marts;
create table marts.articles as
  select * from (values ('a1', timestamptz '2024-01-02 12:00:00+00'), ('a2', timestamptz '2024-01-02 12:00:00+00'))
  as t(article_id, ingested_at);
create table marts.entities as
  select * from (values ('e-jpn', 'Japan'), ('e-rus', 'Russia')) as t(entity_id, canonical_name);
create table marts.entity_mentions as
  select * from (values ('a1-m0', 'e-jpn', 'a1'), ('a1-m1', 'e-rus', 'a1'), ('a2-m0', 'e-jpn', 'a2'))
  as t(entity_mention_id, entity_id, article_id);
create table marts.events as
  select * from (values
    ('ev1', date '2024-01-01', 'published_date', '040', '04', 1.0::double, 1, 'CONSULT', 'JPN', 'RUS', 'e-jpn',
     'e-rus', 'a1')
  ) as t(event_id, event_date, event_date_source, event_code, event_root_code, goldstein, quad_class,
         plover_category, actor1_code, actor2_code, actor1_entity_id, actor2_entity_id, first_article_id);
create table marts.event_mentions as
  select * from (values ('a1-p0', 'ev1', 'a1', '040', 'a1-m0', 'a1-m1'))
  as t(event_mention_id, event_id, article_id, event_code, actor1_entity_mention_id, actor2_entity_mention_id);
"""

ROW_LEVEL_FAULTS = """
-- code missing from the seed, Goldstein out of range, quad class 7, dated after ingest,
-- actor entity that does not exist, mention of an article that does not exist: dbt's to catch
insert into marts.events values
  ('ev2', date '2030-01-01', 'published_date', '999', '99', 42.0, 7, 'CONSULT', 'JPN', null, 'e-ghost', null, 'a1');
insert into marts.event_mentions values ('a9-p0', 'ev2', 'a9', '999', null, null),
                                        ('a1-p1', 'ev2', 'a1', '040', null, null);
"""

BAD_MARTS = """
-- no article has an entity any more except a1: share 1/2 < 0.9 below
delete from marts.entity_mentions where article_id = 'a2';
-- three events of four dated by the load date: the parser found no publication dates
insert into marts.events
  select e.* replace ('ev-undated-' || r.n as event_id, 'ingested_date' as event_date_source)
  from marts.events as e, range(3) as r(n);
"""


def _settings(root: Path) -> Settings:
    return Settings(warehouse=root / "newswire.duckdb", min_entity_article_share=0.9)


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ensure_raw_tables(con)
    con.execute(STAGING_DDL)
    con.execute(MARTS_DDL)
    yield con, _settings(tmp_path)
    con.close()


def _recorded(con, run_id: str) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    rows = con.execute(
        "select suite_name, expectation, column_name, success from audit.validation_results where run_id = ?", [run_id]
    ).fetchall()
    return {f"{suite}:{exp}:{col}": ok for suite, exp, col, ok in rows}


def test_good_warehouse_passes_both_suites(db) -> None:  # type: ignore[no-untyped-def]
    from newswire.validation.marts import validate_marts
    from newswire.validation.staging import validate_staging

    con, settings = db
    # the staging suite reads the articles the marts do not hold yet: here, before the marts exist
    con.execute("alter table marts.articles rename to articles_later")
    staging = validate_staging(con, "good", settings)
    con.execute("alter table marts.articles_later rename to articles")
    marts = validate_marts(con, "good", settings)
    assert staging.success and marts.success, (staging.describe(), marts.describe())
    recorded = _recorded(con, "good")
    # Only the staging entity share (a warning: a2 has no entity) is allowed to fail.
    assert recorded and [k for k, ok in recorded.items() if not ok] == [
        "staging__shares:expect_column_values_to_be_between:entity_article_share"
    ]
    assert staging.failed_warning and not staging.failed_blocking
    assert {k.split(":")[0] for k in recorded} == {
        "staging__entity_mentions", "staging__shares", "marts__events", "marts__shares"}
    assert marts.data_docs_index


def test_bad_marts_fail_on_population_checks(db) -> None:  # type: ignore[no-untyped-def]
    from newswire.validation import ValidationFailed
    from newswire.validation.marts import validate_marts

    con, settings = db
    con.execute(BAD_MARTS)
    with pytest.raises(ValidationFailed) as failed:
        validate_marts(con, "bad", settings)
    message = str(failed.value)
    blocking, _, warnings = message.partition("warnings: ")
    assert "blocking failures" in blocking and "marts__shares" in blocking and "entity_article_share" in blocking
    assert "expect_column_values_to_not_be_in_set(event_date_source)" in warnings
    recorded = _recorded(con, "bad")
    assert [k for k, ok in recorded.items() if not ok] == [
        "marts__events:expect_column_values_to_not_be_in_set:event_date_source",
        "marts__shares:expect_column_values_to_be_between:entity_article_share",
    ]
    blocking_rows = dict(con.execute(
        "select column_name, blocking from audit.validation_results where run_id = 'bad' and not success"
    ).fetchall())
    assert blocking_rows == {"event_date_source": False, "entity_article_share": True}


def test_row_level_faults_are_left_to_dbt(db) -> None:  # type: ignore[no-untyped-def]
    """One audit per fact: a bad code, range or reference passes GX; dbt's tests fail on it."""
    from newswire.validation.marts import validate_marts

    con, settings = db
    con.execute(ROW_LEVEL_FAULTS)
    summary = validate_marts(con, "row-level", settings)
    assert summary.success and not summary.failed_warning, summary.describe()


def test_unusual_staging_batch_warns(db) -> None:  # type: ignore[no-untyped-def]
    from newswire.validation.staging import validate_staging

    con, settings = db
    # labels of another scheme on most mentions, and no verb predicate in any article
    con.execute("update staging.stg_newswire__entity_mentions set entity_label = 'B-LOC'")
    con.execute("delete from staging.stg_newswire__predicates")
    # orphans and offsets outside the document are dbt's (not re-checked here)
    con.execute("insert into staging.stg_newswire__sentences values ('a7-s0', 'a7', 0, 0, 3, 'Orphan.')")
    con.execute(
        "insert into staging.stg_newswire__entity_mentions values ('a1-m0', 'a1', 'a1-s9', 500, 510, 'X', 'GPE')"
    )
    con.execute("alter table marts.articles rename to articles_later")  # not built yet
    summary = validate_staging(con, "bad-staging", settings, raise_on_failure=False)
    assert summary.success and not summary.failed_blocking  # warnings only
    text = "; ".join(summary.failed_warning)
    for reason in ("expect_column_values_to_be_in_set(entity_label)", "predicate_article_share",
                   "entity_article_share"):
        assert reason in text, reason
