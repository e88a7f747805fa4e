"""Shared pieces of the Airflow DAGs: assets, default arguments, the writer pool."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from newswire.config import get_settings

log = logging.getLogger(__name__)

#: Emitted by `newswire_ingest` when raw tables change; schedules `newswire_transform`.
RAW_ASSET_NAME = "newswire_raw_articles"
#: Emitted by `newswire_transform` when the marts are published.
MARTS_ASSET_NAME = "newswire_marts"


def default_args() -> dict[str, Any]:
    """Retries with exponential backoff for every task."""
    return {
        "owner": "newswire",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    }


def writer_pool() -> str:
    return get_settings().writer_pool


def ensure_pool(slots: int = 1) -> None:
    """Create the single-slot DuckDB writer pool in Airflow's metadata DB if missing."""
    from airflow.models.pool import Pool

    name = writer_pool()
    if Pool.get_pool(name) is None:
        Pool.create_or_update_pool(
            name, slots=slots, description="DuckDB allows one writing process", include_deferred=False
        )
        log.info("created pool %s with %d slot", name, slots)
