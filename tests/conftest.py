"""Shared fixtures. Airflow is pointed at a throw-away home before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="newswire-airflow-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)

from newswire import airflow_env  # noqa: E402

airflow_env.configure(_AIRFLOW_HOME)

from newswire_testdata import SEED_TEXT_DUMPS, SEEDS, build_mixed_inbox  # noqa: E402, F401


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point NEWSWIRE_WAREHOUSE at a fresh temporary DuckDB path."""
    wh = tmp_path / "wh" / "newswire.duckdb"
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(wh))
    monkeypatch.delenv("NEWSWIRE_WORK_DB", raising=False)
    return wh


@pytest.fixture
def mixed_inbox(tmp_path: Path) -> Path:
    return build_mixed_inbox(tmp_path / "inbox")


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The NLP pipeline, loaded once per test session (model loading takes seconds)."""
    from newswire.nlp import load_pipeline

    return load_pipeline()
