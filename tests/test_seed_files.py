"""A build reloads the dictionary seeds only when their files changed (newswire.transform.seed_files)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from newswire.config import get_settings
from newswire.transform import seed_files

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A settings object over a copy of the dbt project's seeds and configuration."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project" / "seeds", copy / "seeds")
    shutil.copytree(REPO / "dbt_project" / "macros", copy / "macros")
    shutil.copy(REPO / "dbt_project" / "dbt_project.yml", copy / "dbt_project.yml")
    return replace(get_settings(), dbt_project_dir=copy)


def test_the_hash_follows_every_seed_file_and_its_configuration(project) -> None:  # type: ignore[no-untyped-def]
    before = seed_files.seeds_hash(project)
    assert seed_files.seeds_hash(project) == before  # stable
    seeds = project.dbt_project_dir / "seeds"
    edits = [
        seeds / "coding_word_lists.csv",  # a dictionary
        seeds / "_seeds.yml",  # column types and tests
        project.dbt_project_dir / "dbt_project.yml",  # seed column types
        project.dbt_project_dir / "macros" / "incremental.sql",  # the seed post-hook
    ]
    seen = {before}
    for path in edits:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        changed = seed_files.seeds_hash(project)
        assert changed not in seen, path.name
        seen.add(changed)
        path.write_bytes(original)
        assert seed_files.seeds_hash(project) == before
    (seeds / "new_dictionary.csv").write_text("a,b\n1,2\n")
    assert seed_files.seeds_hash(project) not in seen


def test_seeds_load_unless_recorded_unchanged_and_present(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    current = seed_files.seeds_hash(project)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        need = lambda died=False: seed_files.seeds_need_loading(con, project, current, previous_died=died)  # noqa: E731
        assert need()  # never recorded: a first build
        seed_files.record_loaded(con, current)
        assert need()  # recorded, but the seed tables are missing
        con.execute("create schema lookup")
        names = [p.stem for p in seed_files.seed_files(project)]
        for name in names:
            con.execute(f'create table lookup."{name}" (x int)')
        assert not need()  # unchanged and present: skipped
        assert need(died=True)  # the previous build died part-way: reload to be safe
        con.execute(f'drop table lookup."{names[0]}"')
        assert need()  # a seed table was dropped
        con.execute(f'create table lookup."{names[0]}" (x int)')
        assert not need()
        seed_files.record_loaded(con, "another hash")
        assert need()  # a dictionary changed since the last audited load
        # a load that never passed the audit: forgotten before it started, so even
        # reverting the files to the recorded state reloads them
        seed_files.record_loaded(con, current)
        seed_files.forget_loaded(con)
        assert need()
