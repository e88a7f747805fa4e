"""The marts-stage suite: the audit in write-audit-publish.

Runs on the marts dbt just built in the working copy, before anything is
published. A failed blocking expectation makes the transform roll the marts
back to the last validated ones (newswire.transform.wap) and fail.

Checks: event codes exist in the CAMEO seed (lookup.cameo_event_codes);
Goldstein within [-10, 10]; quad class within 1..4; keys unique and not null;
every event mention's article and event exist; every actor an event names
exists as an entity (and its mention as an entity mention); no event dated after
the ingest date of an article that reports it; the share of articles with at
least one named entity at least ``settings.min_entity_article_share``.

Referential and key checks are counted in DuckDB (anti joins) into one
``integrity`` row, one column per check, each expected to be 0: a failure names
the check and how many rows break it, and the suite costs one GX checkpoint.
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import pandas as pd

from newswire.config import Settings
from newswire.validation.runner import ValidationSummary, validate_frames
from newswire.validation.staging import integrity_frame

STAGE = "marts"
BLOCKING = {"blocking": True}
WARNING = {"blocking": False}

#: PLOVER categories: the 2021 manual's (ACCUSE, REQUEST) and the earlier drafts' names.
PLOVER_CATEGORIES = [
    "ACCUSE", "REQUEST", "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "INVESTIGATE",
    "DEMAND",
    "DISAPPROVE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "CRIME", "MOBILIZE", "COERCE", "ASSAULT",
]

#: Violation counts: check name -> SQL returning one number. All must be 0 (blocking).
#: ``{events}``, ``{event_mentions}``, ``{articles}``, ``{entities}`` and ``{entity_mentions}``
#: are the rows checked: the whole table after a full build, else the rows this build
#: rebuilt (:func:`scoped_tables`); what they are checked against is always the whole table.
VIOLATIONS: dict[str, str] = {
    "event_id_null": "select count(*) from {events} where event_id is null",
    "event_id_duplicate": "select count(*) - count(distinct event_id) from {events}",
    "event_mention_id_duplicate": """
        select count(*) - count(distinct event_mention_id) from {event_mentions}""",
    "article_id_duplicate": "select count(*) - count(distinct article_id) from {articles}",
    "entity_id_null": "select count(*) from {entities} where entity_id is null or canonical_name is null",
    "entity_id_duplicate": "select count(*) - count(distinct entity_id) from {entities}",
    "entity_mention_id_duplicate": """
        select count(*) - count(distinct entity_mention_id) from {entity_mentions}""",
    "event_code_not_in_seed": """
        select count(*) from {events} as e
        where cast(e.event_code as varchar) not in
              (select cast(event_code as varchar) from lookup.cameo_event_codes)""",
    "event_goldstein_out_of_range": """
        select count(*) from {events} where goldstein is null or goldstein not between -10 and 10""",
    "event_quad_class_out_of_range": """
        select count(*) from {events} where quad_class is null or quad_class not in (1, 2, 3, 4)""",
    "event_mention_code_not_in_seed": """
        select count(*) from {event_mentions} as em
        where cast(em.event_code as varchar) not in
              (select cast(event_code as varchar) from lookup.cameo_event_codes)""",
    "event_mention_without_article": """
        select count(*) from {event_mentions} as em
        anti join marts.articles as a on em.article_id = a.article_id""",
    "event_without_article": """
        select count(*) from {events} as e
        anti join marts.articles as a on e.first_article_id = a.article_id""",
    "event_mention_without_event": """
        select count(*) from {event_mentions} as em
        anti join marts.events as e on em.event_id = e.event_id""",
    "event_without_mention": """
        select count(*) from {events} as e
        anti join marts.event_mentions as em on e.event_id = em.event_id""",
    "actor_without_entity": """
        select count(*) from {events} as e, (values (1), (2)) as r(n)
        where (case n when 1 then e.actor1_entity_id else e.actor2_entity_id end) is not null
          and (case n when 1 then e.actor1_entity_id else e.actor2_entity_id end)
              not in (select entity_id from marts.entities)""",
    "actor_mention_without_entity_mention": """
        select count(*) from {event_mentions} as em, (values (1), (2)) as r(n)
        where (case n when 1 then em.actor1_entity_mention_id else em.actor2_entity_mention_id end) is not null
          and (case n when 1 then em.actor1_entity_mention_id else em.actor2_entity_mention_id end)
              not in (select entity_mention_id from marts.entity_mentions)""",
    "entity_mention_without_article": """
        select count(*) from {entity_mentions} as m
        anti join marts.articles as a on m.article_id = a.article_id""",
    "event_after_article_ingest": """
        select count(*) from {event_mentions} as em
        join marts.events as e on em.event_id = e.event_id
        join marts.articles as a on em.article_id = a.article_id
        where e.event_date > cast(timezone('UTC', a.ingested_at) as date)""",
}

#: Not blocking: a warning in the Data Docs and audit table, never a failed run.
WARNING_COUNTS = {"event_without_mention"}

#: Share of the checked articles with at least one named entity (like the staging suite's,
#: the changed articles after an incremental build).
ENTITY_SHARE_SQL = """
    select coalesce(
      (select count(distinct article_id) from {entity_mentions})
      / nullif((select count(*) from {articles}), 0), 1.0
    )
"""

#: The rows of each marts table an incremental build rebuilt (its scope model, see
#: dbt_project/macros/incremental.sql).
SCOPES: dict[str, tuple[str, str]] = {
    "events": ("marts.events", "event_id in (select event_id from intermediate.int_events_changed)"),
    "event_mentions": ("marts.event_mentions",
                       "article_id in (select article_id from intermediate.int_event_articles_changed)"),
    "articles": ("marts.articles", "article_id in (select article_id from intermediate.int_articles_changed)"),
    "entities": ("marts.entities", "entity_id in (select entity_id from intermediate.int_entities_changed)"),
    "entity_mentions": ("marts.entity_mentions",
                        "article_id in (select article_id from intermediate.int_articles_changed)"),
}


def scoped_tables(con: Any, scoped: bool) -> dict[str, str]:
    """Temp views of the rows to check, per placeholder of VIOLATIONS: all rows, or this build's."""
    names = {}
    for key, (table, where) in SCOPES.items():
        name = f"newswire_checked_{key}"
        select = f"select * from {table}" + (f" where {where}" if scoped else "")
        con.execute(f"create or replace temp view {name} as {select}")
        names[key] = name
    return names


def cameo_codes(con: Any) -> list[str]:
    """Event codes of the CAMEO seed, the only ones an event may carry."""
    return [r[0] for r in con.execute("select cast(event_code as varchar) from lookup.cameo_event_codes").fetchall()]


def marts_suites(settings: Settings, event_codes: list[str]) -> dict[str, list[Any]]:
    """Expectations per marts frame; `event_codes` comes from the CAMEO seed."""
    e = gx.expectations
    integrity = [
        e.ExpectColumnValuesToBeBetween(
            column=name, min_value=0, max_value=0, meta=WARNING if name in WARNING_COUNTS else BLOCKING
        )
        for name in VIOLATIONS
    ]
    integrity.append(
        e.ExpectColumnValuesToBeBetween(
            column="entity_article_share", min_value=settings.min_entity_article_share, max_value=1.0, meta=BLOCKING
        )
    )
    return {
        "events": [
            e.ExpectColumnValuesToNotBeNull(column="event_code", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="event_code", value_set=event_codes, meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="goldstein", meta=BLOCKING),
            e.ExpectColumnValuesToBeBetween(column="goldstein", min_value=-10, max_value=10, meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="quad_class", meta=BLOCKING),
            e.ExpectColumnValuesToBeInSet(column="quad_class", value_set=[1, 2, 3, 4], meta=BLOCKING),
            e.ExpectColumnValuesToNotBeNull(column="event_date", mostly=0.95, meta=WARNING),
            e.ExpectColumnValuesToBeInSet(column="plover_category", value_set=PLOVER_CATEGORIES, meta=WARNING),
            # Both actors unknown would make an event nobody can place.
            e.ExpectColumnValuesToNotBeNull(column="actor_code", meta=WARNING),
        ],
        "integrity": integrity,
    }


def marts_frames(con: Any, events_sql: str | None = None) -> dict[str, pd.DataFrame]:
    """The frames the suite checks. `events_sql` (a query of event ids) limits the checks to
    the rows an incremental build rebuilt (the events of `events_sql`, the articles, mentions
    and entities of the build's scopes); without it every row is checked."""
    where = f"where event_id in ({events_sql})" if events_sql else ""
    names = scoped_tables(con, scoped=bool(events_sql))
    return {
        "events": con.execute(
            f"""select event_id, cast(event_code as varchar) as event_code, goldstein, quad_class, event_date,
                      plover_category, coalesce(actor1_code, actor2_code) as actor_code
               from marts.events {where}"""
        ).df(),
        "integrity": integrity_frame(con, {k: v.format(**names) for k, v in VIOLATIONS.items()},
                                     ENTITY_SHARE_SQL.format(**names)),
    }


def validate_marts(con: Any, run_id: str, settings: Settings, *, frames: dict[str, pd.DataFrame] | None = None,
                   raise_on_failure: bool = True) -> ValidationSummary:
    """Run the marts suite on the working copy's marts and record the results."""
    return validate_frames(
        STAGE,
        frames if frames is not None else marts_frames(con),
        marts_suites(settings, cameo_codes(con)),
        run_id=run_id,
        gx_root=settings.gx_dir,
        con=con,
        raise_on_failure=raise_on_failure,
    )
