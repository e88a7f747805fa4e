"""End-to-end tests of the dbt project on a synthetic warehouse.

One module-scoped build (dbt seed + dbt build on two synthetic articles) feeds
most assertions; the recoding test copies the whole dbt project to a temporary
folder, edits its verb-pattern seed and runs `dbt build` alone on a copy of the
warehouse. The repository's own files are never modified.
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

DBT_PROJECT_DIR = get_settings().dbt_project_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (DBT_PROJECT_DIR / "seeds" / "cameo_verb_patterns.csv").exists(),
        reason="the lookup seeds are not in dbt_project/seeds yet",
    ),
]


def _dbt(args: list[str], db: Path, work: Path, project_dir: Path | None = None):
    """Run dbt with target/ and logs/ under `work`, so the repository stays clean."""
    result = run_dbt(
        [*args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        db_path=db,
        project_dir=project_dir,
    )
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status) in ("error", "fail", "runtime error"):
            failures.append(f"{node_result.node.unique_id}: {node_result.status} {node_result.message}")
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception} {failures}"
    return result


def _query(db: Path, sql: str) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dbt_build")
    db = build_synthetic_warehouse(work / "newswire.duckdb")
    _dbt(["seed"], db, work)
    _dbt(["build"], db, work)
    return db


def _events(db: Path) -> list[dict]:
    return _query(db, "select * from marts.events order by event_date, event_code")


def test_marts_exist_and_are_populated(built):
    for table in ("articles", "entities", "entity_mentions", "events", "event_mentions", "country_pair_daily"):
        (row,) = _query(built, f"select count(*) as n from marts.{table}")
        assert row["n"] > 0, table
    (row,) = _query(built, "select count(*) as n from marts.articles")
    assert row["n"] == 2


def test_abe_meets_putin_is_one_event_from_two_sources(built):
    rows = [
        e
        for e in _events(built)
        if e["actor1_code"] == "JPNGOV" and e["actor2_code"] == "RUSGOV" and not e["is_negated"]
    ]
    assert len(rows) == 1, rows
    (event,) = rows
    assert event["event_root_code"] == "04"
    assert event["actor1_name"] == "Shinzo Abe"
    assert event["actor2_name"] == "Vladimir Putin"
    assert event["num_sources"] == 2  # Reuters (via VOA) and The Moscow Times
    assert event["num_articles"] == 2
    assert event["num_mentions"] == 2
    assert event["is_root_event"] is True
    assert event["quad_class"] == 1
    assert "Abe has met Putin" in event["sentence_text"]


def test_pledge_to_improve_ties_is_intent_to_cooperate(built):
    rows = [
        e
        for e in _events(built)
        if e["actor1_code"] == "JPNGOV" and e["actor2_country"] == "RUS" and e["event_root_code"] == "03"
    ]
    assert len(rows) == 1, _events(built)
    assert rows[0]["modality"] == "intent"
    assert rows[0]["actor1_country"] == "JPN"


def test_g7_threat_of_sanctions_is_a_threat_not_a_sanction(built):
    g7 = [e for e in _events(built) if e["actor1_name"] == "Group of Seven"]
    assert g7, _events(built)
    assert {e["event_root_code"] for e in g7} == {"13"}
    (event,) = g7
    assert event["actor2_country"] == "RUS"
    assert event["modality"] == "threat"
    assert str(event["event_date"]) == "2014-03-18"  # "on Tuesday", published Wednesday 2014-03-19


def test_japan_sanctions_russia(built):
    rows = [
        e
        for e in _events(built)
        if e["actor1_country"] == "JPN" and e["actor2_country"] == "RUS" and e["event_root_code"] == "16"
    ]
    assert rows, _events(built)
    assert rows[0]["event_code"] == "163"
    assert rows[0]["quad_class"] == 4
    assert rows[0]["goldstein"] < 0


def test_russia_seizes_crimea(built):
    rows = [e for e in _events(built) if e["actor1_code"] == "RUS" and e["actor2_name"] == "Crimea"]
    assert len(rows) == 1, _events(built)
    assert rows[0]["event_root_code"] in ("17", "19")
    assert rows[0]["quad_class"] == 4


def test_negated_meeting_is_flagged_and_not_counted(built):
    negated = [e for e in _events(built) if e["is_negated"]]
    assert len(negated) == 1
    assert negated[0]["actor1_name"] == "Fumio Kishida"
    assert negated[0]["actor1_code"] == "JPNGOV"
    assert negated[0]["actor2_code"] == "RUSGOV"
    assert negated[0]["action_geo_name"] == "Moscow"
    assert negated[0]["action_geo_lat"] == pytest.approx(55.75, abs=0.1)
    (pairs,) = _query(
        built,
        "select sum(event_count) as n from marts.country_pair_daily"
        " where event_date = date '2014-03-19' and actor1_country = 'JPN' and actor2_country = 'RUS'",
    )
    affirmed = [
        e
        for e in _events(built)
        if str(e["event_date"]) == "2014-03-19"
        and e["actor1_country"] == "JPN"
        and e["actor2_country"] == "RUS"
        and not e["is_negated"]
    ]
    assert pairs["n"] == len(affirmed)


def test_pronoun_subject_resolves_to_previous_person(built):
    rows = [e for e in _events(built) if e["actor1_name"] == "Hua Chunying"]
    assert len(rows) == 1, _events(built)
    assert rows[0]["actor1_code"] == "CHNGOV"
    (mention,) = _query(
        built,
        f"select actor1_resolution from marts.event_mentions where event_id = '{rows[0]['event_id']}'",
    )
    assert mention["actor1_resolution"] == "antecedent"  # the span the NLP stage resolved "She" to


def test_no_events_from_boilerplate(built):
    rows = _query(
        built,
        "select em.sentence_text from marts.event_mentions em"
        " join intermediate.int_sentences_classified s using (sentence_id) where s.is_boilerplate",
    )
    assert rows == []
    (flagged,) = _query(built, "select sum(boilerplate_sentence_count) as n from marts.articles")
    assert flagged["n"] >= 3  # Reuters credits line + the Moscow Times appeal
    texts = [r["sentence_text"] for r in _query(built, "select sentence_text from marts.event_mentions")]
    assert not any("Moscow Times" in t for t in texts)


def test_entities_are_resolved_with_actor_codes(built):
    entities = {r["canonical_name"]: r for r in _query(built, "select * from marts.entities")}
    assert entities["Shinzo Abe"]["actor_code"] == "JPNGOV"
    assert sorted(entities["Shinzo Abe"]["aliases"]) == ["Abe", "Shinzo Abe"]
    assert entities["Shinzo Abe"]["article_count"] == 2
    assert entities["Vladimir Putin"]["actor_code"].startswith("RUS")
    assert entities["Japan"]["country_iso3"] == "JPN"
    assert "Japanese" in entities["Japan"]["aliases"]
    assert entities["Hua Chunying"]["actor_code"] == "CHNGOV"
    assert entities["Russia"]["actor_code"] == "RUS"


def test_recoding_after_editing_the_verb_pattern_seed(built, tmp_path):
    """Change MEET's generic pattern from 040 to 042 in a copy of the project."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    seed = project / "seeds" / "cameo_verb_patterns.csv"
    # edit only the matching lines, keeping the file's quoting as it is
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    changed = 0
    for i, line in enumerate(lines[1:], start=1):
        row = dict(zip(header, next(csv.reader([line])), strict=False))
        if row["verb_lemma"] == "meet" and not (row["particle"] or row["preposition"] or row["object_head"]):
            code = row["event_code"]
            quoted = f'"{code}"' if f',"{code}",' in line else code
            lines[i] = line.replace(f",{quoted},", f",{quoted.replace(code, '042')},", 1)
            assert lines[i] != line
            changed += 1
    assert changed >= 1
    seed.write_text("".join(lines), encoding="utf-8")

    db = tmp_path / "newswire.duckdb"
    shutil.copy2(built, db)
    before = {
        (e["actor1_code"], e["actor2_code"], e["is_negated"]): e["event_code"]
        for e in _events(db)
        if e["event_root_code"] == "04"
    }
    assert before[("JPNGOV", "RUSGOV", False)] == "040"

    _dbt(["build"], db, tmp_path, project_dir=project)

    after = {
        (e["actor1_code"], e["actor2_code"], e["is_negated"]): e for e in _events(db) if e["event_root_code"] == "04"
    }
    meeting = after[("JPNGOV", "RUSGOV", False)]
    assert meeting["event_code"] == "042"
    assert meeting["num_sources"] == 2
    # the negated meeting in Moscow matches a more specific MEET (IN) pattern: unchanged
    assert after[("JPNGOV", "RUSGOV", True)]["event_code"] == before[("JPNGOV", "RUSGOV", True)]
    # the repository's seed is untouched
    with (DBT_PROJECT_DIR / "seeds" / "cameo_verb_patterns.csv").open(newline="", encoding="utf-8") as fh:
        original = [r for r in csv.DictReader(fh) if r["verb_lemma"] == "meet" and r["event_code"] == "040"]
    assert original


def test_only_main_clause_events_are_coded(built):
    """Every event mention is the main event of its sentence (int_predicates_main_event)."""
    (row,) = _query(
        built,
        "select count(*) as n from marts.event_mentions as em"
        " left join intermediate.int_predicates_main_event as m on em.event_mention_id = m.predicate_id"
        " where not coalesce(m.is_main_event, false)",
    )
    assert row["n"] == 0


def test_sequence_clause_is_coded_besides_the_main_clause(built):
    """Japan imposed sanctions ... after Russia seized Crimea: both clauses are main events."""
    rows = _query(
        built,
        "select p.verb_lemma, m.is_subordinate, m.is_main_event"
        " from intermediate.int_predicates_main_event as m"
        " inner join staging.stg_newswire__predicates as p on m.predicate_id = p.predicate_id"
        " where p.verb_lemma in ('impose', 'seize') and p.sentence_id in"
        " (select sentence_id from staging.stg_newswire__predicates where verb_lemma = 'seize')"
        " order by p.verb_lemma",
    )
    assert [(r["verb_lemma"], r["is_subordinate"], r["is_main_event"]) for r in rows] == [
        ("impose", False, True),
        ("seize", False, True),
    ]


def test_report_is_drawn_from_the_built_marts_and_needs_no_network(built, tmp_path):
    import re

    from newswire.report import write_report

    out = write_report(warehouse=built, out=tmp_path / "report.html")
    page = out.read_text()
    assert page.count("<svg") == 3
    # Self-contained: nothing for a browser to fetch (no URL of any scheme, no script or stylesheet link).
    assert "://" not in page and not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"""(src|href)=["']?//""", page)
    # The numbers behind the charts are the marts' own.
    top = _query(built, """
        select coalesce(actor1_name, actor1_code) as a1, coalesce(actor2_name, actor2_code) as a2,
               sum(goldstein) as s
        from marts.events
        where coalesce(actor1_name, actor1_code) is not null and coalesce(actor2_name, actor2_code) is not null
          and goldstein is not null
        group by all order by abs(s) desc, count(*) desc, a1, a2 limit 1""")[0]
    assert f"<td>{top['a1']}</td><td>{top['a2']}</td><td>{top['s']:+.1f}</td>" in page
    n_dated = _query(built, "select count(*) as n from marts.events where event_date is not null")[0]["n"]
    day_totals = re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td>(?:<td>\d+</td>){4}<td>(\d+)</td></tr>", page)
    assert n_dated > 0 and sum(map(int, day_totals)) == n_dated
    entity = _query(built, "select canonical_name from marts.entities order by mention_count desc, "
                           "article_count desc, canonical_name limit 1")[0]["canonical_name"]
    assert f"<td>{entity}</td>" in page



def _test_outcomes(result) -> dict[tuple[str, str, str | None], str]:  # type: ignore[no-untyped-def]
    """(test name, model, column) -> status of every data test dbt ran that did not pass."""
    out = {}
    for r in getattr(result.result, "results", None) or []:
        metadata = getattr(r.node, "test_metadata", None)
        if metadata is not None and str(r.status) != "pass":
            model = (r.node.attached_node or "").rsplit(".", 1)[-1]
            out[(metadata.name, model, r.node.column_name)] = str(r.status)
    return out


def test_row_level_faults_fail_the_dbt_tests(built, tmp_path):
    """The row-level facts the GX suites no longer re-check (docs/audits.md) fail dbt's tests."""
    db = tmp_path / built.name
    shutil.copy2(built, db)
    with duckdb.connect(str(db)) as con:
        event_id = con.execute("select event_id from marts.event_mentions order by 1 limit 1").fetchone()[0]
        # an event mention with a code outside the CAMEO seed and actor mentions that do not exist
        con.execute(
            "insert into marts.event_mentions by name select * replace ('bad-p0' as event_mention_id, "
            "'999' as event_code, 'ghost-m0' as actor1_entity_mention_id, 'ghost-m1' as actor2_entity_mention_id) "
            "from marts.event_mentions where event_id = ? limit 1", [event_id])
        # an event dated after its articles were loaded, in no PLOVER category
        con.execute("update marts.events set event_date = date '2999-01-01', plover_category = 'BOGUS' "
                    "where event_id = ?", [event_id])
        # an event no mention reports
        con.execute("insert into marts.events by name select * replace ('lonely-event' as event_id, "
                    "date '1999-01-01' as event_date) from marts.events where event_id = ?", [event_id])
        # staging: offsets outside the document, a mention without a label, an article without a body
        con.execute("update raw.sentences set start_char = -1 where sentence_no = 1")
        con.execute("update raw.entity_mentions set end_char = 100000 where mention_no = 0")
        con.execute("update raw.entity_mentions set label = null where mention_no = 1")
        con.execute("insert into raw.articles by name select * replace ('emptybody0000001' as article_id, "
                    "'' as body) from raw.articles limit 1")
    result = run_dbt(["test", "--select", "path:models/staging", "path:models/marts",
                      "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")], db_path=db)
    assert not result.success
    outcomes = _test_outcomes(result)
    expected = {
        ("relationships_where", "event_mentions", "event_code"): "fail",
        ("relationships", "event_mentions", "actor1_entity_mention_id"): "fail",
        ("relationships", "event_mentions", "actor2_entity_mention_id"): "fail",
        ("event_not_after_article_ingest", "event_mentions", None): "fail",
        ("accepted_values", "events", "plover_category"): "warn",
        ("relationships", "events", "event_id"): "warn",
        ("span_within_document", "stg_newswire__sentences", None): "fail",
        ("span_within_document", "stg_newswire__entity_mentions", None): "fail",
        ("not_null", "stg_newswire__entity_mentions", "entity_label"): "fail",
        ("expression_is_true", "stg_newswire__articles", None): "fail",
    }
    assert {k: outcomes.get(k) for k in expected} == expected, outcomes
