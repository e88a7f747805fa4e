"""Human-readable run summaries for logs, the DAG's last task and `make run`."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


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
