"""Whether a build reloads the dictionary seeds: only when their files changed.

dbt reloads every seed on every `dbt build`, about 4 s per run here (the verb
patterns alone are 122,000 rows), although the dictionaries rarely change. The
begin task hashes the seed CSVs together with the files that configure them (the
project file and the seed YAML, which set column types; the macros, which load them;
the dbt versions). The seeds are reloaded,
all of them with their tests, when that hash differs from the one recorded after
the last build that passed the staging audit, when a seed table is missing, or
when the previous build died part-way. All or none: the seeds' relationships
tests span several seeds. Recoding is untouched: a reloaded seed's content hash
still drives the full refresh of the models downstream of it
(macros/incremental.sql).
"""

from __future__ import annotations

import hashlib
from importlib import metadata

import duckdb

from newswire.config import Settings
from newswire.transform.wap import table_exists

#: The hash of the seed files as last loaded and audited (one row).
SEED_FILES = "intermediate.newswire_seed_files"
#: The schema dbt_project.yml puts every seed in.
SEED_SCHEMA = "lookup"


def seed_files(settings: Settings) -> list:
    seeds_dir = settings.dbt_project_dir / "seeds"
    return sorted(seeds_dir.rglob("*.csv"))


def seeds_hash(settings: Settings) -> str:
    """sha256 over every seed CSV (name and bytes), every file that configures or loads
    seeds (project file, YAML, macros) and the dbt versions that load them."""
    project = settings.dbt_project_dir
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}=={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            pass
    config = [project / "dbt_project.yml", *sorted(
        p for pattern in ("seeds/**/*.yml", "seeds/**/*.yaml", "macros/**/*.sql") for p in project.glob(pattern))]
    for path in [*config, *seed_files(settings)]:
        if path.exists():
            digest.update(path.relative_to(project).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def seeds_need_loading(con: duckdb.DuckDBPyConnection, settings: Settings, current: str, *,
                       previous_died: bool) -> bool:
    """True unless the recorded hash matches ``current`` and every seed table exists."""
    if previous_died or not table_exists(con, SEED_FILES):
        return True
    row = con.execute(f"select files_hash from {SEED_FILES}").fetchone()
    if row is None or row[0] != current:
        return True
    tables = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = ?", [SEED_SCHEMA]).fetchall()}
    return any(path.stem not in tables for path in seed_files(settings))


def forget_loaded(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the recorded hash before a load: a load that never passes the audit (failed
    tests, a killed task) then reloads next time, even if the files are reverted."""
    if table_exists(con, SEED_FILES):
        con.execute(f"delete from {SEED_FILES}")


def record_loaded(con: duckdb.DuckDBPyConnection, files_hash: str) -> None:
    """Remember the seed files this build loaded and audited (called once staging passed)."""
    con.execute("create schema if not exists intermediate")
    con.execute(f"create table if not exists {SEED_FILES} (files_hash varchar, recorded_at timestamptz)")
    con.execute(f"delete from {SEED_FILES}")
    con.execute(f"insert into {SEED_FILES} values (?, now())", [files_hash])

