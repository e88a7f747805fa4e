"""The validate task of the ingest: the raw-stage suite over the rows a run just loaded into `raw`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import great_expectations as gx

from newswire.config import Settings, get_settings
from newswire.validation.quarantine import quarantine_run
from newswire.validation.runner import ValidationFailed, validate_frames
from newswire.warehouse import connect

log = logging.getLogger(__name__)

SOURCE_FORMATS = ["text", "html", "json", "warc"]
REASON_CODES = [
    "empty_file",
    "binary_file",
    "too_large",
    "corrupt_gzip",
    "unreadable_file",
    "symlink_outside_inbox",
    "broken_symlink",
    "special_file",
    "malformed_json",
    "malformed_record",
    "malformed_warc_record",
    "no_html_records",
    "missing_text",
    "no_article_text",
    "body_too_short",
    "body_too_long",
    "parser_error",
    "failed_validation",
]


#: How far past "now" a publication time may lie before it counts as implausible:
#: covers clock skew and datelines ahead of UTC, not real future dates.
FUTURE_TOLERANCE = timedelta(days=1)


def raw_suites(settings: Settings, now: datetime | None = None) -> dict[str, list[Any]]:
    """Expectations per raw table; `meta.blocking` says whether a failure stops the run.

    Implausible but harmless values (a publication date in the future, an empty
    title) are warnings: recorded in audit.validation_results, never blocking.
    """
    e = gx.expectations
    latest = (now or datetime.now(tz=UTC)) + FUTURE_TOLERANCE
    blocking = {"blocking": True}
    warning = {"blocking": False}
    return {
        "articles": [
            e.ExpectColumnValuesToNotBeNull(column="article_id", meta=blocking),
            e.ExpectColumnValuesToBeUnique(column="article_id", meta=blocking),
            e.ExpectColumnValuesToNotBeNull(column="body", meta=blocking),
            e.ExpectColumnValuesToNotBeNull(column="input_sha256", meta=blocking),
            e.ExpectColumnValuesToBeInSet(column="source_format", value_set=SOURCE_FORMATS, meta=blocking),
            e.ExpectColumnValuesToBeBetween(
                column="word_count",
                min_value=min(settings.min_body_words, settings.min_record_words),
                max_value=settings.max_article_chars,
                meta=blocking,
            ),
            e.ExpectColumnValueLengthsToBeBetween(
                column="body", min_value=1, max_value=settings.max_article_chars, meta=blocking
            ),
            e.ExpectColumnValuesToNotBeNull(column="title", mostly=0.9, meta=warning),
            e.ExpectColumnValuesToMatchRegex(column="title", regex=r"\S", meta={**warning, "why": "empty title"}),
            e.ExpectColumnValuesToBeBetween(
                column="published_at", max_value=latest, meta={**warning, "why": "published in the future"}
            ),
            e.ExpectColumnValuesToNotBeNull(column="language", mostly=0.95, meta=warning),
            e.ExpectColumnValuesToMatchRegex(column="body_sha256", regex=r"^[0-9a-f]{64}$", meta=blocking),
        ],
        "rejections": [
            e.ExpectColumnValuesToNotBeNull(column="reason_code", meta=blocking),
            e.ExpectColumnValuesToNotBeNull(column="reason", meta=blocking),
            e.ExpectColumnValuesToBeInSet(column="reason_code", value_set=REASON_CODES, meta=warning),
        ],
    }


def validate_raw(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Validate the rows this run loaded (and table-wide keys) with the raw GX suite.

    Rows of an earlier run that died between its load and its validation (killed,
    say) are validated first, under their own run id, so no row reaches a publish
    unvalidated.
    """
    settings = settings or get_settings()
    with connect(settings) as con:
        pending = [
            r[0]
            for r in con.execute(
                """select distinct i.run_id from raw.inputs as i
                where i.run_id <> ? and not exists (
                  select 1 from audit.validation_results as v where v.stage = 'raw' and v.run_id = i.run_id)
                order by 1""",
                [run_id],
            ).fetchall()
        ]
    for earlier in pending:
        log.warning("run %s loaded rows but never validated them (it died?); validating them now", earlier)
        try:
            _validate_raw_run(earlier, settings)
        except ValidationFailed as exc:  # its rows are quarantined; this run's rows still count
            log.error("rows of run %s failed raw validation and were quarantined: %s", earlier, exc)
    return _validate_raw_run(run_id, settings)


def _validate_raw_run(run_id: str, settings: Settings) -> dict[str, Any]:
    with connect(settings) as con:
        articles = con.execute(
            """select a.* exclude (captions) from raw.articles as a
            where a.input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
            [run_id],
        ).df()
        keys = con.execute("select article_id from raw.articles").df()
        rejections = con.execute("select * from raw.rejections where run_id = ?", [run_id]).df()
        # Row-level checks on this run's rows; the uniqueness check on every key in the table.
        articles_all_keys = keys
        suites = raw_suites(settings)
        key_suite = [x for x in suites["articles"] if x.column == "article_id"]
        row_suite = [x for x in suites["articles"] if x.column != "article_id"]
        summary = validate_frames(
            "raw",
            {"articles": articles, "article_keys": articles_all_keys, "rejections": rejections},
            {"articles": row_suite, "article_keys": key_suite, "rejections": suites["rejections"]},
            run_id=run_id,
            gx_root=settings.gx_dir,
            con=con,
            raise_on_failure=False,
        )
        if not summary.success:
            # Never let rows that failed a blocking check reach a later publish:
            # take them out of the working copy and record why, then fail the run.
            quarantine_run(con, run_id, summary.describe())
            raise ValidationFailed(summary.describe())
    return {
        "success": summary.success,
        "description": summary.describe(),
        "evaluated": summary.evaluated,
        "data_docs": summary.data_docs_index,
    }
