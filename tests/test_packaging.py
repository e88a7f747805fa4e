"""Runtime and dev dependencies stay apart: the image installs what runs, nothing else."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (REPO / name).read_text().splitlines():
        if line and not line.startswith(("#", "-")):
            dist, version = line.split("==")
            pins[canonicalize_name(dist)] = version
    return pins


def test_every_declared_dependency_is_pinned_in_its_own_lock() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for text in project["dependencies"]:
        assert canonicalize_name(Requirement(text).name) in runtime, text
    for text in project["optional-dependencies"]["dev"]:
        name = canonicalize_name(Requirement(text).name)
        assert name in dev and name not in runtime, text
    assert not set(runtime) & set(dev)


def test_the_image_installs_the_runtime_lock_only() -> None:
    installs = [line for line in (REPO / "Dockerfile").read_text().splitlines() if "pip install" in line]
    assert any("requirements.lock" in line for line in installs)
    assert not any("requirements-dev" in line or "[dev]" in line for line in installs)
    for tool in ("pytest", "ruff", "sqlfluff", "playwright"):
        assert f"{tool}==" not in (REPO / "requirements.lock").read_text()
