"""Quarantine: rows that failed a blocking raw check leave `raw` and become rejections."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def quarantine_run(con: Any, run_id: str, reason: str) -> int:
    """Remove a run's article rows from `raw` and record them as rejected, in one transaction.

    The inputs stay in `raw.inputs` with status `quarantined`, so they are not
    silently retried; every article gets a `failed_validation` rejection row.
    """
    con.execute("begin transaction")
    try:
        ids = [
            r[0]
            for r in con.execute(
                """select article_id from raw.articles
                where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
                [run_id],
            ).fetchall()
        ]
        con.execute(
            """insert into raw.rejections by name
            select input_sha256, input_path, item_no, 'failed_validation' as reason_code,
                   ? as reason, ? as run_id, now() as rejected_at
            from raw.articles
            where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
            [f"raw validation failed: {reason}"[:2000], run_id, run_id],
        )
        for table in ("sentences", "entity_mentions", "predicates", "line_fingerprints", "articles"):
            con.execute(
                f"""delete from raw.{table} where article_id in
                (select article_id from raw.articles
                 where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?))"""
                if table != "articles"
                else """delete from raw.articles
                where input_sha256 in (select input_sha256 from raw.inputs where run_id = ?)""",
                [run_id],
            )
        con.execute("update raw.inputs set status = 'quarantined', articles_loaded = 0 where run_id = ?", [run_id])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    log.error("quarantined %d articles of run %s: %s", len(ids), run_id, reason)
    return len(ids)
