"""The README's architecture picture names modules that exist, and test fixtures stay out of newswire/."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _architecture_block() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Architecture") :]
    return section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]


def test_architecture_picture_names_real_modules_for_every_stage() -> None:
    block = _architecture_block()
    paths = set(re.findall(r"\b((?:newswire|dags|dbt_project)/[\w./]*)", block))
    assert len(paths) >= 10, paths
    for path in sorted(paths):
        assert (REPO / path.rstrip("/")).exists(), f"README names {path}, which does not exist"
    rows = [line for line in block.splitlines() if line.startswith(" │")]
    stages = {row.split("│")[1].strip() for row in rows}
    # the ingest DAG's tasks, the transform's steps, each with one home
    assert {"discover", "extract", "annotate", "load", "cluster", "validate", "publish"} <= stages
    assert {"staging", "code", "marts", "audit", "docs"} <= stages
    for row in rows:
        homes = re.findall(r"\b(?:newswire|dbt_project)/[\w./]*", row)
        assert len(homes) == 1, f"a stage names exactly one module or dbt folder: {row.strip()}"


def test_no_synthetic_test_data_in_the_product_package() -> None:
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "newswire").rglob("*.py")
                 if re.search(r"def build_synthetic|synthetic warehouse", p.read_text(), re.I)]
    assert offenders == []
