"""The marts-stage suite: the audit in write-audit-publish.

Runs on the marts dbt just built in the working copy, before anything is
published. A failed blocking expectation makes the transform roll the marts
back to the last validated ones (newswire.transform.wap) and fail.

Checks: keys unique; every event mention's article and event exist; every
actor an event names exists as an entity (and its mention as an entity
mention); event codes exist in the CAMEO seed (lookup.cameo_event_codes);
Goldstein within [-10, 10]; quad class within 1..4; no event dated after the
ingest date of an article that reports it; and the share of articles with at
least one named entity at least ``settings.min_entity_article_share``.
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import pandas as pd

from newswire.config import Settings
from newswire.validation.runner import ValidationSummary, validate_frames

STAGE = "marts"
BLOCKING = {"blocking": True}
WARNING = {"blocking": False}

PLOVER_CATEGORIES = [
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "INVESTIGATE",
    "DEMAND",
    "DISAPPROVE",
    "REJECT",
    "THREATEN",
    "SANCTION",
    "PROTEST",
    "CRIME",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]

#: name -> SQL producing the frame; the "*_without_*" and "*_after_*" frames hold violations.
FRAMES: dict[str, str] = {
    "events": """
        select event_id, event_code, event_root_code, goldstein, quad_class, event_date, plover_category,
               actor1_code, actor2_code
        from marts.events
    """,
    "event_mentions": "select event_mention_id, event_id, article_id, event_code from marts.event_mentions",
    "articles": "select article_id from marts.articles",
    "entities": "select entity_id, canonical_name from marts.entities",
    "entity_mentions": "select entity_mention_id, entity_id, article_id from marts.entity_mentions",
    "mentions_without_article": """
        select em.event_mention_id, em.article_id from marts.event_mentions as em
        anti join marts.articles as a on em.article_id = a.article_id
    """,
    "events_without_article": """
        select e.event_id, e.first_article_id from marts.events as e
        anti join marts.articles as a on e.first_article_id = a.article_id
    """,
    "mentions_without_event": """
        select em.event_mention_id, em.event_id from marts.event_mentions as em
        anti join marts.events as e on em.event_id = e.event_id
    """,
    "events_without_mention": """
        select e.event_id from marts.events as e
        anti join marts.event_mentions as em on e.event_id = em.event_id
    """,
    "actors_without_entity": """
        select e.event_id, 'actor1' as role, e.actor1_entity_id as entity_id from marts.events as e
        where e.actor1_entity_id is not null
          and e.actor1_entity_id not in (select entity_id from marts.entities)
        union all
        select e.event_id, 'actor2', e.actor2_entity_id from marts.events as e
        where e.actor2_entity_id is not null
          and e.actor2_entity_id not in (select entity_id from marts.entities)
    """,
    "actor_mentions_without_entity_mention": """
        select em.event_mention_id, 'actor1' as role, em.actor1_entity_mention_id as entity_mention_id
        from marts.event_mentions as em
        where em.actor1_entity_mention_id is not null
          and em.actor1_entity_mention_id not in (select entity_mention_id from marts.entity_mentions)
        union all
        select em.event_mention_id, 'actor2', em.actor2_entity_mention_id from marts.event_mentions as em
        where em.actor2_entity_mention_id is not null
          and em.actor2_entity_mention_id not in (select entity_mention_id from marts.entity_mentions)
    """,
    "events_after_ingest": """
        select e.event_id, e.event_date, a.article_id, a.ingested_at
        from marts.event_mentions as em
        join marts.events as e on em.event_id = e.event_id
        join marts.articles as a on em.article_id = a.article_id
        where e.event_date > cast(timezone('UTC', a.ingested_at) as date)
    """,
    "entity_article_share": """
        select coalesce(
          (select count(distinct article_id) from marts.entity_mentions)
          / nullif((select count(*) from marts.articles), 0), 1.0
        ) as share
    """,
}


def cameo_codes(con: Any) -> list[str]:
    """Event codes of the CAMEO seed, the only ones an event may carry."""
    return [r[0] for r in con.execute("select cast(event_code as varchar) from lookup.cameo_event_codes").fetchall()]


def marts_suites(settings: Settings, event_codes: list[str]) -> dict[str, list[Any]]:
    """Expectations per marts frame; `event_codes` comes from the CAMEO seed."""
    e = gx.expectations
    empty = [e.ExpectTableRowCountToEqual(value=0, meta=BLOCKING)]
    return {
        "events": [
            e.ExpectColumnValuesToNotBeNull(column="event_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeUnique(column="event_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="event_code", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="event_code", value_set=event_codes, meta=BLOCKING),
            e.ExpectColumnValuesToBeBetween(column="goldstein", min_value=-10, max_value=10, meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="quad_class", value_set=[1, 2, 3, 4], meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="quad_class", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="event_date", mostly=0.95, meta=WARNING),
            e.ExpectColumnValuesToBeInSet(column="plover_category", value_set=PLOVER_CATEGORIES, meta=WARNING),
        ],
        "event_mentions": [
            e.ExpectColumnValuesToBeUnique(column="event_mention_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="article_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="event_code", value_set=event_codes, meta=BLOCKING),
        ],
        "articles": [
            e.ExpectColumnValuesToNotBeNull(column="article_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeUnique(column="article_id", meta=BLOCKING),
        ],
        "entities": [
            e.ExpectColumnValuesToNotBeNull(column="entity_id", meta=BLOCKING),
            e.ExpectColumnValuesToBeUnique(column="entity_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="canonical_name", meta=BLOCKING),
        ],
        "entity_mentions": [
            e.ExpectColumnValuesToBeUnique(column="entity_mention_id", meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="entity_id", meta=BLOCKING),
        ],
        "mentions_without_article": empty,
        "events_without_article": empty,
        "mentions_without_event": empty,
        "events_without_mention": [e.ExpectTableRowCountToEqual(value=0, meta=WARNING)],
        "actors_without_entity": empty,
        "actor_mentions_without_entity_mention": empty,
        "events_after_ingest": empty,
        "entity_article_share": [
            e.ExpectColumnValuesToBeBetween(
                column="share", min_value=settings.min_entity_article_share, max_value=1.0, meta=BLOCKING
            )
        ],
    }


def marts_frames(con: Any) -> dict[str, pd.DataFrame]:
    return {name: con.execute(sql).df() for name, sql in FRAMES.items()}


def validate_marts(
    con: Any,
    run_id: str,
    settings: Settings,
    *,
    frames: dict[str, pd.DataFrame] | None = None,
    raise_on_failure: bool = True,
) -> ValidationSummary:
    """Run the marts suite on the working copy's marts and record the results."""
    return validate_frames(
        STAGE,
        frames if frames is not None else marts_frames(con),
        marts_suites(settings, cameo_codes(con)),
        run_id=run_id,
        gx_root=settings.warehouse_dir / "gx",
        con=con,
        raise_on_failure=raise_on_failure,
    )
