"""Run GX Core suites on DataFrames and record the results in DuckDB.

Batches are validated as pandas DataFrames read from DuckDB: GX's SQL path
through duckdb_engine has open bugs, and a DataFrame is what the stage just
produced anyway. Every expectation carries ``meta={"blocking": bool}``: a failed
blocking expectation fails the run, a failed warning is only recorded.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from newswire.config import gx_site_dir

log = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


CONFIG_FILE = "great_expectations.yml"


class ValidationFailed(RuntimeError):
    """A blocking expectation failed; the message lists which and why."""


@dataclass
class ValidationSummary:
    stage: str
    success: bool
    evaluated: int = 0
    failed_blocking: list[str] = field(default_factory=list)
    failed_warning: list[str] = field(default_factory=list)
    data_docs_index: str | None = None

    def describe(self) -> str:
        verdict = "passed" if self.success else "FAILED"
        parts = [f"{self.stage}: {verdict}, {self.evaluated} expectations"]
        if self.failed_blocking:
            parts.append("blocking failures: " + "; ".join(self.failed_blocking))
        if self.failed_warning:
            parts.append("warnings: " + "; ".join(self.failed_warning))
        return ", ".join(parts)


def _context(root: Path) -> Any:
    import great_expectations as gx

    root.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="file", project_root_dir=str(root))
    wanted = {"globally": False, "metric_calculations": False}
    if ctx.variables.progress_bars != wanted:
        # Only written when it differs: every write of great_expectations.yml is a window
        # in which a killed task leaves the file cut short.
        try:
            ctx.variables.progress_bars = wanted
            ctx.variables.save()
        except Exception:  # noqa: BLE001 - cosmetic only
            pass
    return ctx


def _asset_and_batch(ctx: Any, name: str) -> Any:
    try:
        ds = ctx.data_sources.get("newswire")
    except (LookupError, KeyError, ValueError):
        ds = ctx.data_sources.add_pandas("newswire")
    try:
        asset = ds.get_asset(name)
    except (LookupError, KeyError, ValueError):
        asset = ds.add_dataframe_asset(name)
    try:
        return asset.get_batch_definition("whole_batch")
    except (LookupError, KeyError, ValueError):
        return asset.add_batch_definition_whole_dataframe("whole_batch")


def _readable(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return isinstance(json.loads(text), dict)
        if path.suffix == ".yml":
            import yaml

            return isinstance(yaml.safe_load(text), dict)
        return bool(text.strip())  # .ge_store_backend_id
    except Exception:  # noqa: BLE001 - OSError, JSON's ValueError and yaml's YAMLError alike
        return False


def drop_broken_store_files(gx_root: Path) -> list[Path]:
    """Delete the GX store files that a killed write left empty or cut short.

    GX's file stores write in place, so a task killed mid-write leaves a file that the
    next context cannot load. Everything in them is re-declared by every validation
    (suites, validation definitions, checkpoints, the pandas data source) or is a past
    result that ``audit.validation_results`` also holds, so dropping them loses nothing.
    """
    store = gx_root / "gx"
    if not store.is_dir():
        return []
    site = gx_site_dir(gx_root)
    broken: list[Path] = []
    for path in store.rglob("*"):
        if not path.is_file() or site in path.parents:
            continue
        if path.name == CONFIG_FILE:
            continue  # GX finds a half-written config itself; _open_context sets it aside
        if path.suffix in {".json", ".yml"} or path.name == ".ge_store_backend_id":
            if not _readable(path):
                broken.append(path)
    for path in broken:
        log.warning("GX store file %s was left unreadable by an interrupted run; removed (it is re-declared)", path)
        path.unlink(missing_ok=True)
    return broken


def _localize_data_docs(gx_root: Path) -> None:
    """Point the rebuilt Data Docs pages at local copies of their CSS/JS (they load CDNs otherwise)."""
    from newswire.docs.data_docs import AssetsMissing, localize_site

    try:
        localize_site(gx_site_dir(gx_root))
    except AssetsMissing as exc:
        log.warning("Data Docs keep their CDN links (they need the network to render): %s", exc)


def _describe_failure(result: Any) -> str:
    cfg = result.expectation_config
    column = cfg.kwargs.get("column") or cfg.kwargs.get("column_list") or ""
    res = result.result or {}
    detail = res.get("observed_value")
    if detail is None and "unexpected_count" in res:
        sample = res.get("partial_unexpected_list") or []
        detail = f"{res.get('unexpected_count')} unexpected, e.g. {sample[:3]}"
    return f"{cfg.type}({column}) -> {detail}"


def _run_checkpoints(
    ctx: Any, stage: str, frames: Mapping[str, pd.DataFrame], suites: Mapping[str, Sequence[Any]]
) -> list[tuple[str, Any]]:
    """Declare each suite with its checkpoint and run it on its frame."""
    import great_expectations as gx

    out: list[tuple[str, Any]] = []
    for name, expectations in suites.items():
        suite_name = f"{stage}__{name}"
        # Built whole, then written as a whole file: add_expectation on a suite whose name is
        # already stored would rewrite the stored file once per expectation.
        suite = ctx.suites.add_or_update(
            gx.ExpectationSuite(name=suite_name, expectations=[copy.copy(e) for e in expectations])
        )
        batch_def = _asset_and_batch(ctx, suite_name)
        vd = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"{suite_name}__vd", data=batch_def, suite=suite)
        )
        checkpoint = ctx.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"{suite_name}__checkpoint",
                validation_definitions=[vd],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                result_format="SUMMARY",
            )
        )
        out.append((suite_name, checkpoint.run(batch_parameters={"dataframe": frames[name]}, run_id=None)))
    return out


def _open_context(gx_root: Path) -> Any:
    """The file context; a great_expectations.yml that GX cannot load is set aside once."""
    try:
        return _context(gx_root)
    except Exception as exc:
        if not set_aside_context_config(gx_root):
            raise
        log.warning("GX could not load its config (%s); scaffolded afresh", exc)
        return _context(gx_root)


def set_aside_context_config(gx_root: Path) -> list[Path]:
    """Move great_expectations.yml aside so that GX scaffolds a fresh one.

    The last repair: YAML cut at a line end still parses, so a half-written config is
    only found by GX failing on it. It holds nothing that a validation does not declare
    again (the pandas data source, progress bars); the old file is kept for inspection.
    """
    config = gx_root / "gx" / CONFIG_FILE
    if not config.is_file():
        return []
    aside = config.with_name(f"great_expectations.yml.broken-{datetime.now(tz=UTC):%Y%m%dT%H%M%S%f}")
    config.rename(aside)
    log.warning("GX config %s could not be used; moved to %s and scaffolded afresh", config, aside.name)
    return [aside]


def validate_frames(
    stage: str,
    frames: Mapping[str, pd.DataFrame],
    suites: Mapping[str, Sequence[Any]],
    *,
    run_id: str,
    gx_root: Path,
    con: Any | None = None,
    raise_on_failure: bool = True,
) -> ValidationSummary:
    """Validate each named frame with its suite; record and optionally raise.

    `suites` maps a frame name to a list of GX expectation objects. Results go to
    ``audit.validation_results`` when a DuckDB connection is given, and the GX
    Data Docs site under `gx_root` is rebuilt by the checkpoint.
    """
    from newswire import progress

    progress.total("expectations", sum(len(x) for x in suites.values()), add=True)
    ctx = _open_context(gx_root)
    try:
        results = _run_checkpoints(ctx, stage, frames, suites)
    except Exception as exc:
        # A kill mid-write can leave a suite, validation definition or checkpoint file that
        # GX cannot load. They are all re-declared by this run: drop them and run once more.
        # Any other error is raised as it is, and nothing is set aside.
        if not drop_broken_store_files(gx_root):
            raise
        log.warning("GX validation of %s failed on a store file left broken by a killed run (%s); retrying",
                    stage, exc)
        results = _run_checkpoints(_open_context(gx_root), stage, frames, suites)
    summary = ValidationSummary(stage=stage, success=True)
    rows: list[tuple[Any, ...]] = []
    now = datetime.now(tz=UTC)
    for suite_name, result in results:
        progress.advance("expectations", sum(len(vr.results) for vr in result.run_results.values()), failed=sum(
            1 for vr in result.run_results.values() for r in vr.results if not r.success))
        for vr in result.run_results.values():
            for r in vr.results:
                cfg = r.expectation_config
                blocking = bool((cfg.meta or {}).get("blocking", True))
                summary.evaluated += 1
                res = r.result or {}
                observed = res.get("observed_value", res.get("unexpected_count"))
                if not r.success:
                    msg = f"{suite_name}: {_describe_failure(r)}"
                    (summary.failed_blocking if blocking else summary.failed_warning).append(msg)
                rows.append(
                    (
                        run_id,
                        stage,
                        suite_name,
                        cfg.type,
                        str(cfg.kwargs.get("column") or cfg.kwargs.get("column_list") or ""),
                        bool(r.success),
                        blocking,
                        json.dumps(observed, default=str),
                        json.dumps({k: v for k, v in cfg.kwargs.items() if k != "batch_id"}, default=str),
                        now,
                    )
                )
    summary.success = not summary.failed_blocking
    try:
        sites = ctx.get_docs_sites_urls()
        summary.data_docs_index = sites[0]["site_url"] if sites else None
    except Exception:  # noqa: BLE001 - docs location is informational
        summary.data_docs_index = None
    _localize_data_docs(gx_root)
    if con is not None and rows:
        con.executemany("insert into audit.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    log.info("validation %s", summary.describe())
    if raise_on_failure and not summary.success:
        raise ValidationFailed(summary.describe())
    return summary


def article_share_sql(rows: str) -> str:
    """SQL of the share of the checked articles (``{articles}``) with a row in ``{<rows>}``
    (1 when no article is checked): formatted with the names of the checked rows."""
    return f"""
        select coalesce(
          (select count(distinct article_id) from {{{rows}}}
           where article_id in (select article_id from {{articles}}))
          / nullif((select count(*) from {{articles}}), 0), 1.0)"""


def shares_frame(con: Any, shares: Mapping[str, str]) -> pd.DataFrame:
    """One row, one column per share (name -> SQL returning one number): a suite of
    population checks costs one GX checkpoint, and a failure names the share."""
    return pd.DataFrame([{name: float(con.execute(sql).fetchone()[0]) for name, sql in shares.items()}])
