"""The raw-stage suite: what must hold for rows just loaded into `raw`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import great_expectations as gx

from newswire.config import Settings

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
