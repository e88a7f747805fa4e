"""The marts-stage suite: the population-level half of the audit in write-audit-publish.

Runs on the marts dbt just built in the working copy, before anything is
published. A failed blocking expectation makes the transform roll the marts back
to the last validated ones (newswire.transform.wap) and fail.

Row-level facts of the marts (unique and not-null keys, references between the
tables, event codes in the CAMEO seed, Goldstein and quad class ranges, PLOVER
categories, no event dated after the ingest of an article that reports it) are dbt
data tests in ``dbt_project/models/marts/_marts__models.yml``: the marts phase's
``dbt build`` fails on them before this suite runs. This suite checks what a row
cannot show (docs/audits.md has the full split):

* ``shares`` (one row): the share of articles with at least one named entity, at
  least ``settings.min_entity_article_share`` (blocking);
* ``events``: most events are dated from their text or their article's publication
  date, not from the load-date placeholder (warning).

Both read the rows this build rebuilt (:data:`SCOPES`, every row after a full build).
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import pandas as pd

from newswire.config import Settings
from newswire.validation.runner import ValidationSummary, article_share_sql, shares_frame, validate_frames

STAGE = "marts"
BLOCKING = {"blocking": True}
WARNING = {"blocking": False}

#: An event of an article without a publication date is dated by its load date
#: (event_date_source = 'ingested_date'), a placeholder. When more than half of the
#: events carry it, the parser has stopped finding publication dates.
PLACEHOLDER_DATE_SOURCES = ["ingested_date"]
DATED_EVENTS_MOSTLY = 0.5

#: Share of the checked articles with at least one named entity (like the staging suite's,
#: the changed articles after an incremental build).
SHARES: dict[str, str] = {"entity_article_share": article_share_sql("entity_mentions")}

#: The rows of each marts table an incremental build rebuilt (its scope model, see
#: dbt_project/macros/incremental.sql).
SCOPES: dict[str, tuple[str, str]] = {
    "articles": ("marts.articles", "article_id in (select article_id from intermediate.int_articles_changed)"),
    "entity_mentions": ("marts.entity_mentions",
                        "article_id in (select article_id from intermediate.int_articles_changed)"),
}


def scoped_tables(con: Any, scoped: bool) -> dict[str, str]:
    """Temp views of the rows to check, per placeholder of SHARES: all rows, or this build's."""
    names = {}
    for key, (table, where) in SCOPES.items():
        name = f"newswire_checked_{key}"
        select = f"select * from {table}" + (f" where {where}" if scoped else "")
        con.execute(f"create or replace temp view {name} as {select}")
        names[key] = name
    return names


def marts_suites(settings: Settings) -> dict[str, list[Any]]:
    """Expectations per marts frame."""
    e = gx.expectations
    return {
        "events": [
            e.ExpectColumnValuesToNotBeInSet(
                column="event_date_source", value_set=PLACEHOLDER_DATE_SOURCES, mostly=DATED_EVENTS_MOSTLY,
                meta=WARNING,
            ),
        ],
        "shares": [
            e.ExpectColumnValuesToBeBetween(
                column="entity_article_share", min_value=settings.min_entity_article_share, max_value=1.0,
                meta=BLOCKING,
            ),
        ],
    }


def marts_frames(con: Any, events_sql: str | None = None) -> dict[str, pd.DataFrame]:
    """The frames the suite checks. `events_sql` (a query of event ids) limits the checks to
    the rows an incremental build rebuilt (the events of `events_sql`, the articles and
    entity mentions of the build's scope); without it every row is checked."""
    where = f"where event_id in ({events_sql})" if events_sql else ""
    names = scoped_tables(con, scoped=bool(events_sql))
    return {
        "events": con.execute(f"select event_date_source from marts.events {where}").df(),
        "shares": shares_frame(con, {k: v.format(**names) for k, v in SHARES.items()}),
    }


def validate_marts(con: Any, run_id: str, settings: Settings, *, frames: dict[str, pd.DataFrame] | None = None,
                   raise_on_failure: bool = True) -> ValidationSummary:
    """Run the marts suite on the working copy's marts and record the results."""
    return validate_frames(
        STAGE,
        frames if frames is not None else marts_frames(con),
        marts_suites(settings),
        run_id=run_id,
        gx_root=settings.gx_dir,
        con=con,
        raise_on_failure=raise_on_failure,
    )
