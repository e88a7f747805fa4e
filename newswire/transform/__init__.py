"""The transform stage: dbt models the raw tables into marts, GX audits them, and
the working copy is published only when the audit passes (write-audit-publish).

`newswire_transform` (dags/) wires the steps in `newswire.transform.steps`;
`newswire.transform.wap` keeps unvalidated marts from ever being published.
Importing this package is cheap: dbt, GX and Airflow load on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["transform_summary"]


def transform_summary(run_id: str | None = None) -> dict[str, Any]:
    """Counts of the published marts and where the docs are, for `make run`.

    Keys: entities, events (and the other marts' row counts), marts_state,
    dbt_docs (dbt docs index.html), data_docs (GX Data Docs index.html).
    """
    from newswire.transform.steps import summary

    return summary(run_id)
