"""The staging-stage suite: what must hold for dbt's staging views before the
intermediate and marts models are built from them.

Two frames keep the number of GX checkpoints (each rebuilds Data Docs) small:

* ``entity_mentions``: row-level expectations on the mention labels;
* ``integrity``: one row whose columns count violations computed in DuckDB
  (duplicate or null keys, orphans found by anti joins, offsets outside the
  document) plus the share of articles with an entity mention. Each count has its
  own expectation "between 0 and 0", so a failure names the check and the count.

Every expectation carries ``meta={"blocking": bool}``. The checks read the staging
rows of the articles the marts do not hold yet (every article on a first build), so
their cost follows the new articles, not history.
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import pandas as pd

from newswire.config import Settings
from newswire.validation.runner import ValidationSummary, validate_frames

STAGE = "staging"
BLOCKING = {"blocking": True}
WARNING = {"blocking": False}

#: spaCy's entity labels (OntoNotes).
ENTITY_LABELS = [
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE",
    "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
]

#: Violation counts: check name -> SQL returning one number. All must be 0.
VIOLATIONS: dict[str, str] = {
    "article_id_null": "select count(*) from staging.stg_newswire__articles where article_id is null",
    "article_id_duplicate": """
        select count(*) - count(distinct article_id) from staging.stg_newswire__articles""",
    "article_empty_document": """
        select count(*) from staging.stg_newswire__articles where coalesce(length(body), 0) = 0""",
    "sentence_id_duplicate": """
        select count(*) - count(distinct sentence_id) from staging.stg_newswire__sentences""",
    "sentence_bad_span": """
        select count(*) from staging.stg_newswire__sentences
        where start_char < 0 or end_char < start_char or sentence_text is null""",
    "sentence_without_article": """
        select count(*) from staging.stg_newswire__sentences as s
        anti join staging.stg_newswire__articles as a on s.article_id = a.article_id""",
    "mention_id_duplicate": """
        select count(*) - count(distinct entity_mention_id) from staging.stg_newswire__entity_mentions""",
    "mention_without_sentence": """
        select count(*) from staging.stg_newswire__entity_mentions as m
        anti join staging.stg_newswire__sentences as s on m.sentence_id = s.sentence_id""",
    "mention_outside_document": """
        select count(*) from staging.stg_newswire__entity_mentions as m
        join staging.stg_newswire__articles as a on m.article_id = a.article_id
        where m.start_char < 0 or m.end_char < m.start_char or m.end_char > length(a.document_text)""",
    "predicate_id_duplicate": """
        select count(*) - count(distinct predicate_id) from staging.stg_newswire__predicates""",
    "predicate_without_verb": "select count(*) from staging.stg_newswire__predicates where verb_lemma is null",
    "predicate_without_sentence": """
        select count(*) from staging.stg_newswire__predicates as p
        anti join staging.stg_newswire__sentences as s on p.sentence_id = s.sentence_id""",
}

ENTITY_SHARE_SQL = """
    select coalesce(
      (select count(distinct article_id) from staging.stg_newswire__entity_mentions)
      / nullif((select count(*) from staging.stg_newswire__articles), 0), 1.0
    )
"""


def staging_suites(settings: Settings) -> dict[str, list[Any]]:
    """Expectations per staging frame."""
    e = gx.expectations
    integrity = [
        e.ExpectColumnValuesToBeBetween(column=name, min_value=0, max_value=0, meta=BLOCKING) for name in VIOLATIONS
    ]
    # The blocking version of this check runs on the marts.
    integrity.append(
        e.ExpectColumnValuesToBeBetween(
            column="entity_article_share", min_value=settings.min_entity_article_share, max_value=1.0, meta=WARNING
        )
    )
    return {
        "entity_mentions": [
            e.ExpectColumnValuesToNotBeNull(column="entity_label", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="entity_label", value_set=ENTITY_LABELS, meta=WARNING),
        ],
        "integrity": integrity,
    }


def integrity_frame(con: Any, violations: dict[str, str], share_sql: str) -> pd.DataFrame:
    row: dict[str, Any] = {name: int(con.execute(sql).fetchone()[0] or 0) for name, sql in violations.items()}
    row["entity_article_share"] = float(con.execute(share_sql).fetchone()[0])
    return pd.DataFrame([row])


PER_ARTICLE_VIEWS = ("articles", "sentences", "entity_mentions", "predicates")


def _scope(con: Any) -> dict[str, str]:
    """Temp tables of the staging rows of articles the marts do not hold (views of all on a first build).

    Staging keys are the article id plus a number and raw rows are replaced article by
    article, so checking the new articles' rows checks everything that can have changed.
    """
    built = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'articles'"
    ).fetchone()[0]
    names = {}
    for view in PER_ARTICLE_VIEWS:
        if built:
            # rows of articles the marts do not hold: new articles, and orphans of no article at
            # all; a temp table, so the anti join runs once per view, not once per check
            name = f"newswire_scoped_{view}"
            con.execute(f"""create or replace temp table {name} as select * from staging.stg_newswire__{view}
                where article_id not in (select article_id from marts.articles)""")
        else:
            name = f"newswire_all_{view}"
            con.execute(f"create or replace temp view {name} as select * from staging.stg_newswire__{view}")
        names[f"staging.stg_newswire__{view}"] = name
    return names


def _scoped(sql: str, names: dict[str, str]) -> str:
    for view, scoped in names.items():
        sql = sql.replace(view, scoped)
    return sql


def staging_frames(con: Any) -> dict[str, pd.DataFrame]:
    names = _scope(con)
    return {
        "entity_mentions": con.execute(_scoped("select entity_label from staging.stg_newswire__entity_mentions",
                                               names)).df(),
        "integrity": integrity_frame(con, {k: _scoped(v, names) for k, v in VIOLATIONS.items()},
                                     _scoped(ENTITY_SHARE_SQL, names)),
    }


def validate_staging(con: Any, run_id: str, settings: Settings, *, raise_on_failure: bool = True) -> ValidationSummary:
    """Run the staging suite on the working copy's staging views and record the results."""
    return validate_frames(
        STAGE,
        staging_frames(con),
        staging_suites(settings),
        run_id=run_id,
        gx_root=settings.gx_dir,
        con=con,
        raise_on_failure=raise_on_failure,
    )
