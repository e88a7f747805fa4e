"""The staging-stage suite: what must hold for dbt's staging views before the
intermediate and marts models are built from them.

Row-level expectations run on narrow frames read from the staging views;
referential integrity is checked by computing the orphan rows with DuckDB anti
joins and expecting none, so a failure names the check (the suite) and counts
the orphans. Every expectation carries ``meta={"blocking": bool}``.
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

#: spaCy's entity labels (OntoNotes) plus the ones the rule-based layer adds.
ENTITY_LABELS = [
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
]

#: name -> SQL producing the frame. Orphan/violation frames must be empty.
FRAMES: dict[str, str] = {
    "articles": """
        select article_id, published_at, language_code, length(document_text) as document_chars
        from staging.stg_newswire__articles
    """,
    "sentences": """
        select sentence_id, article_id, start_char, end_char, sentence_text from staging.stg_newswire__sentences
    """,
    "entity_mentions": """
        select entity_mention_id, sentence_id, entity_label, mention_text from staging.stg_newswire__entity_mentions
    """,
    "predicates": "select predicate_id, sentence_id, verb_lemma from staging.stg_newswire__predicates",
    "sentences_without_article": """
        select s.sentence_id from staging.stg_newswire__sentences as s
        anti join staging.stg_newswire__articles as a on s.article_id = a.article_id
    """,
    "mentions_without_sentence": """
        select m.entity_mention_id from staging.stg_newswire__entity_mentions as m
        anti join staging.stg_newswire__sentences as s on m.sentence_id = s.sentence_id
    """,
    "predicates_without_sentence": """
        select p.predicate_id from staging.stg_newswire__predicates as p
        anti join staging.stg_newswire__sentences as s on p.sentence_id = s.sentence_id
    """,
    "offsets_outside_document": """
        select m.entity_mention_id, m.start_char, m.end_char, length(a.document_text) as document_chars
        from staging.stg_newswire__entity_mentions as m
        join staging.stg_newswire__articles as a on m.article_id = a.article_id
        where m.start_char < 0 or m.end_char < m.start_char or m.end_char > length(a.document_text)
    """,
    "entity_article_share": """
        select coalesce(
          (select count(distinct article_id) from staging.stg_newswire__entity_mentions)
          / nullif((select count(*) from staging.stg_newswire__articles), 0), 1.0
        ) as share
    """,
}


def staging_suites(settings: Settings) -> dict[str, list[Any]]:
    """Expectations per staging frame."""
    e = gx.expectations
    empty = [e.ExpectTableRowCountToEqual(value=0, meta=BLOCKING)]
    return {
        "articles": [
            e.ExpectColumnValuesToNotBeNull(column="article_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeUnique(column="article_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeBetween(column="document_chars", min_value=1, meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="published_at", mostly=0.8, meta=WARNING),
            e.ExpectColumnValuesToNotBeNull(column="language_code", mostly=0.95, meta=WARNING),
        ],
        "sentences": [
            e.ExpectColumnValuesToBeUnique(column="sentence_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="sentence_text", meta=BLOCKING),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="end_char", column_B="start_char", or_equal=True, meta=BLOCKING
            ),
        ],
        "entity_mentions": [
            e.ExpectColumnValuesToBeUnique(column="entity_mention_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="mention_text", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="entity_label", value_set=ENTITY_LABELS, meta=WARNING),
        ],
        "predicates": [
            e.ExpectColumnValuesToBeUnique(column="predicate_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="verb_lemma", meta=BLOCKING),
        ],
        "sentences_without_article": empty,
        "mentions_without_sentence": empty,
        "predicates_without_sentence": empty,
        "offsets_outside_document": empty,
        # The blocking version of this check runs on the marts.
        "entity_article_share": [
            e.ExpectColumnValuesToBeBetween(
                column="share", min_value=settings.min_entity_article_share, max_value=1.0, meta=WARNING
            )
        ],
    }


def staging_frames(con: Any) -> dict[str, pd.DataFrame]:
    return {name: con.execute(sql).df() for name, sql in FRAMES.items()}


def validate_staging(con: Any, run_id: str, settings: Settings, *, raise_on_failure: bool = True) -> ValidationSummary:
    """Run the staging suite on the working copy's staging views and record the results."""
    return validate_frames(
        STAGE,
        staging_frames(con),
        staging_suites(settings),
        run_id=run_id,
        gx_root=settings.warehouse_dir / "gx",
        con=con,
        raise_on_failure=raise_on_failure,
    )
