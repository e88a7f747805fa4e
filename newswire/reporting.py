"""Human-readable run summaries for logs, the DAG's last task and `make run`."""

from __future__ import annotations

import logging
from typing import Any

from newswire.config import Settings, get_settings
from newswire.warehouse import connect

log = logging.getLogger(__name__)


def _validation_rows(con: Any, run_id: str) -> list[dict[str, Any]]:
    rows = con.execute(
        """select stage, count(*) filter (where success), count(*) filter (where not success and blocking),
        count(*) filter (where not success and not blocking) from audit.validation_results
        where run_id = ? group by stage order by stage""",
        [run_id],
    ).fetchall()
    return [{"stage": s, "passed": ok, "failed_blocking": fb, "failed_warning": fw} for s, ok, fb, fw in rows]


def validation_summary(run_id: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Expectations met and failed per stage for one DAG run, from audit.validation_results."""
    with connect(settings or get_settings()) as con:
        return _validation_rows(con, run_id)


def run_summary(run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Counts for this run and for the warehouse, from the working copy."""
    settings = settings or get_settings()
    with connect(settings, read_only=False) as con:
        q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
        inputs = q("select status, count(*) from raw.inputs where run_id = ? group by status order by status", run_id)
        rejections = q(
            """select input_path, item_no, reason_code, reason from raw.rejections
            where run_id = ? order by input_path, item_no""",
            run_id,
        )
        loaded = q(
            """select count(*) from raw.articles where input_sha256 in
            (select input_sha256 from raw.inputs where run_id = ?)""",
            run_id,
        )[0][0]
        totals = {
            t: q(f"select count(*) from raw.{t}")[0][0]
            for t in ("articles", "inputs", "rejections", "sentences", "entity_mentions", "predicates")
        }
        validation = _validation_rows(con, run_id)
    return {
        "run_id": run_id,
        "inputs_by_status": {status: n for status, n in inputs},
        "articles_loaded": loaded,
        "rejections": [{"input_path": p, "item_no": i, "reason_code": c, "reason": r} for p, i, c, r in rejections],
        "totals": totals,
        "validation": validation,
        "warehouse": str(settings.warehouse),
    }


def format_summary(summary: dict[str, Any]) -> str:
    """Render a run summary as the block of text `make run` prints."""
    lines = [f"Newswire run {summary.get('run_id')}"]
    by_status = summary.get("inputs_by_status", {})
    seen = sum(by_status.values())
    lines.append(
        f"  inputs seen (new):  {seen}  ("
        + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items()))
        + ")"
    )
    lines.append(f"  articles loaded:    {summary.get('articles_loaded', 0)}")
    rejections = summary.get("rejections", [])
    lines.append(f"  inputs rejected:    {len(rejections)}")
    for r in rejections:
        item = f" item {r['item_no']}" if r.get("item_no") is not None else ""
        lines.append(f"    - {r['input_path']}{item}: {r['reason_code']} ({r['reason']})")
    for v in summary.get("validation", []):
        verdict = "passed" if not v["failed_blocking"] else "FAILED"
        lines.append(
            f"  validation {v['stage']:<8} {verdict}: {v['passed']} expectations met, "
            f"{v['failed_blocking']} blocking failures, {v['failed_warning']} warnings"
        )
    totals = summary.get("totals", {})
    if totals:
        lines.append("  warehouse totals:   " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    for key, label in (("entities", "entities"), ("events", "events")):
        if key in summary:
            lines.append(f"  {label + ':':<19} {summary[key]}")
    lines.append(f"  warehouse:          {summary.get('warehouse')}")
    if summary.get("dbt_docs"):
        lines.append(f"  dbt docs:           {summary['dbt_docs']}")
    if summary.get("data_docs"):
        lines.append(f"  GX data docs:       {summary['data_docs']}")
    if summary.get("report"):
        lines.append(f"  report (charts):    {summary['report']}")
    lines.append(
        "  try:                .venv/bin/duckdb -readonly "
        f"{summary.get('warehouse')} -c \"select title, publisher, word_count from raw.articles\""
    )
    return "\n".join(lines)


def log_summary(summary: dict[str, Any]) -> None:
    for line in format_summary(summary).splitlines():
        log.info(line)
