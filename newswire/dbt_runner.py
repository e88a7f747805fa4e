"""Run the Newswire dbt project from Python.

``run_dbt`` wraps dbt's programmatic entry point (``dbt.cli.main.dbtRunner``):
it points the ``newswire`` profile at a DuckDB file through the
``NEWSWIRE_DBT_PATH`` environment variable and passes the project and profiles
directories explicitly, so callers never depend on the working directory.

From a shell: ``python -m newswire.dbt_runner DB_PATH build``. The synthetic
test warehouse the dbt tests build on is in ``tests/synthetic_warehouse.py``.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from newswire.config import get_settings

__all__ = ["run_dbt"]


@contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def run_dbt(
    args: list[str],
    *,
    db_path: Path,
    project_dir: Path | None = None,
    profiles_dir: Path | None = None,
):
    """Invoke dbt with ``args`` (e.g. ``["build"]``) against the DuckDB file ``db_path``.

    Returns dbt's ``dbtRunnerResult`` (``.success``, ``.result``, ``.exception``).
    The project and profiles directories default to the repository's
    ``dbt_project``; pass a copy of the project to run edited seeds or models.
    """
    from dbt.cli.main import dbtRunner  # imported lazily: dbt is slow to import

    project_dir = Path(project_dir or get_settings().dbt_project_dir).resolve()
    profiles_dir = Path(profiles_dir or project_dir).resolve()
    db_path = Path(db_path).expanduser().resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    cli_args = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir),
    ]
    from contextlib import nullcontext

    from newswire.runlock import writer_lock

    settings = get_settings()
    # The working copy is written by one process at a time (newswire.runlock).
    guard = writer_lock(settings, purpose="dbt") if db_path == settings.work_db else nullcontext()
    with guard, _env("NEWSWIRE_DBT_PATH", str(db_path)):
        try:
            return dbtRunner().invoke(cli_args)
        finally:
            _release_duckdb()


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the whole process.

    dbt-duckdb caches one database handle per process (a class attribute of its
    connection manager). Left open, it keeps the file locked with dbt's
    configuration, so the caller could not open the same file afterwards
    (e.g. read-only, or to publish it).
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    lock = getattr(DuckDBConnectionManager, "_LOCK", None)
    if lock is None:
        return
    with lock:
        env = getattr(DuckDBConnectionManager, "_ENV", None)
        if env is not None:
            try:
                env.close()
            finally:
                DuckDBConnectionManager._ENV = None


def main(argv: list[str] | None = None) -> int:
    """``python -m newswire.dbt_runner DB_PATH DBT_ARGS...``: run dbt against an existing DuckDB file."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        print(__doc__)
        return 2
    db_path = Path(argv.pop(0))
    if not db_path.exists():
        print(f"{db_path} does not exist", file=sys.stderr)
        return 2
    result = run_dbt(argv, db_path=db_path)
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
