"""The staging-stage suite: population-level checks of the NLP output before the
intermediate and marts models are built from it.

Row-level facts of the staging views (unique and not-null keys, orphans, offsets
inside the document, non-empty bodies, labels present) are dbt data tests in
``dbt_project/models/staging/_newswire__models.yml``; this suite checks what a
row-level test cannot say, whether the batch as a whole looks like what the NLP
stage should produce (docs/audits.md has the full split):

* ``entity_mentions``: the entity labels are spaCy's (OntoNotes) set, ``mostly``,
  so a handful of odd labels pass and a change of label scheme warns;
* ``shares``: one row of shares over the new articles, each with its threshold:
  articles with a named entity (``settings.min_entity_article_share``) and with a
  verb predicate (:data:`MIN_PREDICATE_ARTICLE_SHARE`).

Every expectation carries ``meta={"blocking": bool}``. All of them only warn here: a
staging batch that looks unusual is worth a look, not a stopped pipeline (the blocking
entity share runs on the marts, over what would be published). The checks read the staging rows of the
articles the marts do not hold yet (every article on a first build), so their cost
follows the new articles, not history.
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import pandas as pd

from newswire.config import Settings
from newswire.validation.runner import ValidationSummary, article_share_sql, shares_frame, validate_frames

STAGE = "staging"
WARNING = {"blocking": False}

#: spaCy's entity labels (OntoNotes).
ENTITY_LABELS = [
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE",
    "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
]
#: Share of entity mentions whose label must be one of ENTITY_LABELS.
ENTITY_LABEL_MOSTLY = 0.99
#: News articles almost always contain a verb: when fewer than half of the new articles
#: have a predicate, the dependency parse (or the loader of its output) is broken.
MIN_PREDICATE_ARTICLE_SHARE = 0.5

#: Shares over the checked articles: name -> SQL returning one number in [0, 1]
#: (1 when there is no article). ``{articles}``, ``{entity_mentions}`` and ``{predicates}``
#: are the checked rows (:func:`_scope`).
SHARES: dict[str, str] = {
    "entity_article_share": article_share_sql("entity_mentions"),
    "predicate_article_share": article_share_sql("predicates"),
}

#: The staging views the checks read, with the only columns they need: the scan of a
#: view over all raw rows then reads two narrow columns, not every text column.
PER_ARTICLE_VIEWS = {
    "articles": "article_id",
    "entity_mentions": "article_id, entity_label",
    "predicates": "article_id",
}


def staging_suites(settings: Settings) -> dict[str, list[Any]]:
    """Expectations per staging frame."""
    e = gx.expectations
    return {
        "entity_mentions": [
            e.ExpectColumnValuesToBeInSet(
                column="entity_label", value_set=ENTITY_LABELS, mostly=ENTITY_LABEL_MOSTLY, meta=WARNING
            ),
        ],
        "shares": [
            # The blocking version of this check runs on the marts.
            e.ExpectColumnValuesToBeBetween(
                column="entity_article_share", min_value=settings.min_entity_article_share, max_value=1.0,
                meta=WARNING,
            ),
            e.ExpectColumnValuesToBeBetween(
                column="predicate_article_share", min_value=MIN_PREDICATE_ARTICLE_SHARE, max_value=1.0, meta=WARNING
            ),
        ],
    }


def _scope(con: Any) -> dict[str, str]:
    """Temp tables of the staging rows of articles the marts do not hold (views of all on a first build).

    Staging keys are the article id plus a number and raw rows are replaced article by
    article, so the new articles' rows are everything that can have changed.
    """
    built = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'articles'"
    ).fetchone()[0]
    names = {}
    if built:
        # the new articles' ids once (an anti join of two id columns), then a semi join per view
        con.execute("""create or replace temp table newswire_new_article_ids as
            select article_id from staging.stg_newswire__articles
            where article_id not in (select article_id from marts.articles)""")
    for view, columns in PER_ARTICLE_VIEWS.items():
        if built:
            name = f"newswire_scoped_{view}"
            con.execute(f"""create or replace temp table {name} as select {columns} from staging.stg_newswire__{view}
                where article_id in (select article_id from newswire_new_article_ids)""")
        else:
            name = f"newswire_all_{view}"
            con.execute(f"create or replace temp view {name} as select {columns} from staging.stg_newswire__{view}")
        names[view] = name
    return names


def staging_frames(con: Any) -> dict[str, pd.DataFrame]:
    """The frames the suite checks, read from the new articles' staging rows."""
    names = _scope(con)
    return {
        "entity_mentions": con.execute(f"select entity_label from {names['entity_mentions']}").df(),
        "shares": shares_frame(con, {k: v.format(**names) for k, v in SHARES.items()}),
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
