"""The code style the README promises: ruff for Python, sqlfluff for the dbt models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "newswire", "dags", "tests", "scripts", "evaluation", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlfluff_is_clean_on_dbt_models() -> None:
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "dbt_project/models", "--disable-progress-bar"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
