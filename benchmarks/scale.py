"""Scale benchmark: the cost of one more batch as history grows, without re-running NLP.

History is made by replicating the raw rows of a real warehouse (BBC,
loaded by the real pipeline) under new article ids and publication dates: replica
``r`` of an article is ``md5(r:article_id)``, published ``r`` weeks after a base
date. The dbt models of replica 0 are built by dbt and replicated the same way (ids
and dates rewritten), the cross-article marts rebuilt by dbt, and the whole
published once; then a batch of new articles (replicas dated after all history)
is added to raw and the transform is timed stage by stage, exactly as the
transform DAG runs it: begin (write-audit-publish state), dbt seed + staging,
staging audit, dbt intermediate + marts, marts audit, publish.

    python -m benchmarks.scale --source WAREHOUSE.duckdb --sizes 10000,100000,1000000

Sizes default to ``NEWSWIRE_SCALE_SIZES`` or 10k, 100k and 1M articles of history;
the batch to ``NEWSWIRE_SCALE_BATCH`` or 1,000.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from newswire.config import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Raw tables replicated per article (line fingerprints only feed the parser's template statistics).
PER_ARTICLE = ("articles", "sentences", "entity_mentions", "predicates")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BASE_DATE = "2020-01-01"
#: Replica r is dated r weeks after the base date: events resolved to a weekday up to
#: six days before their article never meet those of another replica.
DAYS_PER_REPLICA = 7
#: DuckDB bounds while writing history and measuring (the machine is shared).
MEMORY_LIMIT = "8GB"
THREADS = 2
#: How many of dbt's slowest nodes of the batch each size reports.
SLOWEST_NODES = 12


def _sizes(text: str | None) -> list[int]:
    raw = text or os.environ.get("NEWSWIRE_SCALE_SIZES") or ",".join(str(s) for s in DEFAULT_SIZES)
    return [int(float(x)) for x in raw.replace("_", "").split(",") if x.strip()]


def _replica_sql(table: str, cols: list[str], first: int, last: int) -> str:
    """SELECT of replicas first..last of `src.raw.<table>` with new ids (and dates for articles)."""
    new_id = "left(md5(cast(r.i as varchar) || ':' || t.article_id), 16)"
    exprs = []
    for c in cols:
        if c == "article_id":
            exprs.append(f"{new_id} as article_id")
        elif table == "articles" and c == "input_sha256":
            exprs.append("md5(cast(r.i as varchar) || ':' || t.input_sha256) as input_sha256")
        elif table == "articles" and c == "input_path":
            exprs.append("'replica-' || cast(r.i as varchar) || '/' || t.input_path as input_path")
        elif table == "articles" and c == "story_cluster_id":
            exprs.append("left(md5(cast(r.i as varchar) || ':' || coalesce(t.story_cluster_id, t.article_id)), 16)"
                         " as story_cluster_id")
        elif table == "articles" and c in ("published_at", "ingested_at"):
            exprs.append(f"timestamptz '{BASE_DATE} 12:00:00+00' + to_days(cast(r.i * {DAYS_PER_REPLICA} as integer))"
                         f" as {c}")
        elif table == "articles" and c == "published_date_source":
            exprs.append("'json' as published_date_source")
        else:
            exprs.append(f't."{c}"')
    return (f"select {', '.join(exprs)} from src.raw.{table} as t, "
            f"range({first}, {last + 1}) as r(i)")


def build_history(source: Path, target: Path, articles: int) -> dict[str, Any]:
    """Write a warehouse of about `articles` articles at `target`: raw rows and their built models.

    Replica 0 (the source's articles under new ids, dated the base date) is built by a
    full `dbt build` in a side file; its intermediate and marts rows are then
    replicated like the raw rows, ids and dates rewritten, so a million articles of
    history cost minutes rather than the hours of building them with dbt.
    ``entities`` and ``country_pair_daily``, which aggregate across articles, are
    then rebuilt by dbt over the whole history.
    """
    from newswire.dbt_runner import run_dbt
    from newswire.warehouse import ensure_raw_tables

    target.parent.mkdir(parents=True, exist_ok=True)
    for p in (target, target.with_name(target.name + ".wal")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    base = target.with_name("replica0.duckdb")
    base.unlink(missing_ok=True)
    with duckdb.connect(str(base)) as con:
        ensure_raw_tables(con)
        con.execute(f"attach '{source}' as src (read_only)")
        _append_replicas(con, 0, 0)
        _inputs_for_articles(con, "history")
        con.execute("detach src")
    for args in (["seed"], ["build"]):
        result = run_dbt(args, db_path=base)
        if not result.success:
            raise RuntimeError(f"dbt {args} of replica 0 failed: {result.exception}")
    with duckdb.connect(str(target)) as con:
        _limit(con, target.parent / "tmp")
        ensure_raw_tables(con)
        con.execute(f"attach '{source}' as src (read_only)")
        per_replica = con.execute("select count(*) from src.raw.articles").fetchone()[0]
        replicas = max(1, -(-articles // per_replica))
        _append_replicas(con, 0, replicas - 1)
        _inputs_for_articles(con, "history")
        # replica-0 id -> replica-r id, for articles and story clusters
        con.execute(
            f"""create temp table idmap as
            with ids as (
                select distinct x from (
                    select article_id as x from src.raw.articles
                    union all select coalesce(story_cluster_id, article_id) from src.raw.articles))
            select r.i as r, left(md5('0:' || x), 16) as id0, left(md5(cast(r.i as varchar) || ':' || x), 16) as idr
            from ids, range(0, {replicas}) as r(i)"""
        )
        con.execute("detach src")
        con.execute(f"attach '{base}' as base (read_only)")
        _replicate_models(con, replicas)
        con.execute("detach base")
        con.execute("checkpoint")
        n = con.execute("select count(*) from raw.articles").fetchone()[0]
    base.unlink(missing_ok=True)
    shutil.rmtree(target.parent / "tmp", ignore_errors=True)
    return {"articles": n, "replicas": replicas, "seconds": time.perf_counter() - started}


def _replicate_models(con: duckdb.DuckDBPyConnection, replicas: int) -> None:
    """Copy replica 0's dbt tables into the history once per replica, ids and dates rewritten."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'base' "
        "and schema_name in ('lookup', 'intermediate', 'marts') order by 1, 2").fetchall()
    for schema, table in tables:
        con.execute(f"create schema if not exists {schema}")
        cols = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'base' "
            "and schema_name = ? and table_name = ? order by column_index", [schema, table]).fetchall()
        names = {c for c, _ in cols}
        src = f'base.{schema}."{table}"'
        if table == "entities":
            # entity ids are shared by the replicas; each replica adds the same mentions a week later
            shift = f"to_days(cast({(replicas - 1) * DAYS_PER_REPLICA} as integer))"
            con.execute(f'create table {schema}."{table}" as select * replace ('
                        f"mention_count * {replicas} as mention_count, article_count * {replicas} as article_count, "
                        f"last_seen_at + {shift} as last_seen_at) from {src}")
            continue
        if table == "country_pair_daily":
            # a replica's events fall in its own week: the days of two replicas never meet
            con.execute(f'create table {schema}."{table}" as select * replace ('
                        f"cast(event_date + to_days(cast(r.i * {DAYS_PER_REPLICA} as integer)) as date) as event_date)"
                        f" from {src}, range(0, {replicas}) as r(i)")
            continue
        if table.endswith("_changed"):
            con.execute(f'create table {schema}."{table}" as select * from {src} where false')
            continue
        if table.startswith("newswire_"):  # the incremental state: keep its primary key
            ddl = con.execute("select sql from duckdb_tables() where database_name = 'base' and schema_name = ? "
                              "and table_name = ?", [schema, table]).fetchone()[0]
            con.execute(ddl)
            con.execute(f'insert into {schema}."{table}" select * from {src}')
            continue
        if not names & {"article_id", "event_id", "sentence_id"}:
            con.execute(f'create table {schema}."{table}" as select * from {src}')  # seeds
            continue
        key = "article_id" if "article_id" in names else "first_article_id" if "first_article_id" in names \
            else "sentence_id"
        key_sql = f"regexp_replace(t.{key}, '-s[0-9]+$', '')" if key == "sentence_id" else f"t.{key}"
        exprs = []
        for c, dtype in cols:
            q = f't."{c}"'
            if c == "event_id":
                exprs.append(f"case when m.r = 0 then {q} else left(md5(cast(m.r as varchar) || ':' || {q}), 16) end")
            elif c == key and key != "sentence_id":
                exprs.append("m.idr")
            elif c in ("story_cluster_id", "first_article_id"):
                exprs.append(f"coalesce((select idr from idmap where idmap.id0 = {q} and idmap.r = m.r), {q})")
            elif dtype == "VARCHAR" and key in ("article_id", "sentence_id"):
                exprs.append(f"case when starts_with({q}, m.id0) then m.idr || substr({q}, 17) else {q} end")
            elif dtype == "DATE":
                exprs.append(f"cast({q} + to_days(cast(m.r * {DAYS_PER_REPLICA} as integer)) as date)")
            elif dtype.startswith("TIMESTAMP"):
                exprs.append(f"{q} + to_days(cast(m.r * {DAYS_PER_REPLICA} as integer))")
            else:
                exprs.append(q)
        select = ", ".join(f'{e} as "{c}"' for e, (c, _) in zip(exprs, cols, strict=True))
        con.execute(f'create table {schema}."{table}" as select {select} from {src} as t '
                    f"join idmap as m on {key_sql} = m.id0")


def _limit(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """Bound DuckDB's memory and threads (NEWSWIRE_DUCKDB_*, else 8 GB and 2) and spill to `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    con.execute(f"set memory_limit = '{os.environ.get('NEWSWIRE_DUCKDB_MEMORY_LIMIT', MEMORY_LIMIT)}'")
    con.execute(f"set threads = {int(os.environ.get('NEWSWIRE_DUCKDB_THREADS', THREADS))}")
    con.execute(f"set temp_directory = '{tmp}'")
    con.execute("set preserve_insertion_order = false")


def _append_replicas(con: duckdb.DuckDBPyConnection, first: int, last: int) -> None:
    for t in PER_ARTICLE:
        cols = [r[0] for r in con.execute(f"describe src.raw.{t}").fetchall()]
        con.execute(f"insert into raw.{t} by name {_replica_sql(t, cols, first, last)}")


def _inputs_for_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """One loaded input per article that has none (the raw suite and staging read them)."""
    con.execute(
        """insert into raw.inputs by name
        select a.input_sha256, a.input_path, 1000 as size_bytes, 'text' as detected_format, 'loaded' as status,
               1 as articles_loaded, 0 as items_rejected, 0 as items_skipped, ? as run_id, a.ingested_at as seen_at
        from raw.articles as a anti join raw.inputs as i on a.input_sha256 = i.input_sha256""",
        [run_id],
    )


def add_batch(work_db: Path, source: Path, n: int, run_id: str) -> int:
    """Add `n` new articles dated after all history (the next replica, trimmed to n)."""
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        per_replica = con.execute("select count(*) from src.raw.articles").fetchone()[0]
        start = con.execute(
            f"select cast(date_diff('day', timestamptz '{BASE_DATE} 12:00:00+00', max(published_at)) as integer) "
            f"// {DAYS_PER_REPLICA} + 1 from raw.articles").fetchone()[0] or 0
        replicas = max(1, -(-n // per_replica))
        con.execute("create temp table before as select article_id from raw.articles")
        for t in PER_ARTICLE:
            cols = [r[0] for r in con.execute(f"describe src.raw.{t}").fetchall()]
            sql = _replica_sql(t, cols, start, start + replicas - 1)
            if t == "articles":
                sql = f"select * from ({sql}) order by article_id limit {n}"
            else:
                sql = (f"select * from ({sql}) as x where x.article_id in "
                       "(select article_id from raw.articles anti join before using (article_id))")
            con.execute(f"insert into raw.{t} by name {sql}")
        _inputs_for_articles(con, run_id)
        added = con.execute("select count(*) from raw.articles anti join before using (article_id)").fetchone()[0]
        con.execute("detach src")
    return added


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own / 1024


def transform_once(run_id: str, *, stage_times: dict[str, float], node_times: dict[str, float] | None = None) -> None:
    """The transform DAG's steps, in order, in this process (no scheduler).

    ``node_times`` collects dbt's execution time of every node (model, seed, test), so
    the growth of a stage can be traced to the models behind it.
    """
    from newswire.config import get_settings
    from newswire.dbt_runner import run_dbt
    from newswire.transform import steps

    settings = get_settings()

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        out = fn()
        stage_times[name] = stage_times.get(name, 0.0) + time.perf_counter() - t0
        return out

    def dbt(select: list[str]) -> None:
        result = run_dbt(["build", "--select", *select, "--indirect-selection", "buildable",
                          *steps.SCHEDULED_BUILD_FLAGS],
                         db_path=settings.work_db, project_dir=settings.dbt_project_dir)
        if not result.success:
            raise RuntimeError(f"dbt build {select} failed: {result.exception}")
        if node_times is not None:
            for node in getattr(result.result, "results", None) or []:
                node_times[node.node.unique_id] = float(node.execution_time or 0.0)

    begun = timed("begin", lambda: steps.begin(run_id))
    timed("dbt_staging", lambda: dbt(begun["staging_select"].split()))  # seeds only if changed
    timed("check_staging", lambda: steps.check_staging(run_id, seeds_hash=begun["seeds_hash"]))
    timed("dbt_marts", lambda: dbt(steps.MARTS_SELECT))
    timed("check_marts", lambda: steps.check_marts(run_id))
    timed("publish", lambda: steps.publish(run_id))


def measure_size(source: Path, root: Path, size: int, batch: int) -> dict[str, Any]:
    """Build `size` articles of history, then time transform + validate + publish of `batch` more.

    The batch is measured in a process of its own, so its peak memory is the batch's,
    not that of writing history.
    """
    import subprocess

    from newswire.config import get_settings

    folder = root / f"history-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    os.environ["NEWSWIRE_WAREHOUSE"] = str(folder / "newswire.duckdb")
    os.environ.pop("NEWSWIRE_WORK_DB", None)
    settings = get_settings()
    built = build_history(source, settings.work_db, size)
    log.info("history of %d articles written in %.1fs; publishing it once", built["articles"], built["seconds"])
    t0 = time.perf_counter()
    transform_once("history", stage_times={})
    history_s = time.perf_counter() - t0
    log.info("history published in %.1fs", history_s)
    added = add_batch(settings.work_db, source, batch, "batch")
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--source", str(source),
                          "--root", str(root), "--measure", str(folder / "newswire.duckdb")],
                         check=True, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    return {
        "history_articles": built["articles"], "batch_articles": added,
        "history_write_seconds": built["seconds"], "history_build_seconds": history_s,
        **measured,
        "working_copy_mb": settings.work_db.stat().st_size / 2**20,
        "published_mb": _published_mb(settings.warehouse),
        "disk_mb": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20,
    }


def measure_batch(warehouse: Path) -> dict[str, Any]:
    """Transform + validate + publish the batch already added to `warehouse`'s working copy."""
    os.environ["NEWSWIRE_WAREHOUSE"] = str(warehouse)
    os.environ.pop("NEWSWIRE_WORK_DB", None)
    stage_times: dict[str, float] = {}
    node_times: dict[str, float] = {}
    t0 = time.perf_counter()
    transform_once("batch", stage_times=stage_times, node_times=node_times)
    slowest = dict(sorted(node_times.items(), key=lambda kv: -kv[1])[:SLOWEST_NODES])
    return {"batch_seconds": time.perf_counter() - t0, "stages": stage_times, "peak_rss_mb": _peak_rss_mb(),
            "slowest_nodes": slowest}


def _published_mb(path: Path) -> float:
    """Size of what readers open: the file plus its data folder when there is one."""
    total = path.stat().st_size if path.exists() else 0
    data = path.with_name(path.name + ".parts")
    if data.is_dir():
        total += sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    return total / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, required=True, help="a warehouse (working copy) with BBC's raw rows")
    ap.add_argument("--root", type=Path, default=None, help="where the replicated warehouses go (default: a temp dir)")
    ap.add_argument("--sizes", default=None, help="articles of history, comma-separated (default 10000,100000,1000000)")
    ap.add_argument("--batch", type=int, default=int(os.environ.get("NEWSWIRE_SCALE_BATCH", "1000")))
    ap.add_argument("--size", type=int, default=None, help=argparse.SUPPRESS)  # one size, in a subprocess
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)  # the batch, in a subprocess
    ap.add_argument("--keep", action="store_true", help="keep the replicated warehouses")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("great_expectations", "dbt", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    import tempfile

    if not args.source.exists():
        print(f"skip: no source warehouse {args.source} (make bench builds it from ../shared/corpora/bbc)")
        return 0
    os.environ.setdefault("NEWSWIRE_DUCKDB_MEMORY_LIMIT", MEMORY_LIMIT)
    os.environ.setdefault("NEWSWIRE_DUCKDB_THREADS", str(THREADS))
    if args.measure:
        print(json.dumps(measure_batch(args.measure)))
        return 0
    root = args.root or Path(tempfile.mkdtemp(prefix="newswire-scale-"))
    if args.size:
        print(json.dumps(measure_size(args.source.resolve(), root, args.size, args.batch)))
        return 0
    results = []
    for size in _sizes(args.sizes):
        # each size in its own process: its peak memory is its own
        import subprocess

        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale", "--source", str(args.source), "--root", str(root),
             "--size", str(size), "--batch", str(args.batch)],
            check=True, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print_table(results)
        if not args.keep:
            shutil.rmtree(root / f"history-{size}", ignore_errors=True)
    print_table(results)
    print(json.dumps({"scale": results}))
    return 0


def print_table(results: list[dict[str, Any]]) -> None:
    base = results[0]["batch_seconds"] if results else 0.0
    stages = ("begin", "dbt_staging", "check_staging", "dbt_marts", "check_marts", "publish")
    print(f"+{results[0]['batch_articles'] if results else 0} articles on top of history "
          "(transform + validate + publish):")
    print(f"{'history':>10} {'total s':>8} {'x smallest':>10} " + " ".join(f"{s:>13}" for s in stages)
          + f" {'peak MB':>8} {'work MB':>8} {'disk MB':>8} {'build s':>8}")
    for r in results:
        print(f"{r['history_articles']:>10} {r['batch_seconds']:8.1f} {r['batch_seconds'] / base:10.2f} "
              + " ".join(f"{r['stages'].get(s, 0.0):13.1f}" for s in stages)
              + f" {r['peak_rss_mb']:8.0f} {r['working_copy_mb']:8.0f} {r.get('disk_mb', 0.0):8.0f}"
              + f" {r.get('history_write_seconds', 0.0) + r['history_build_seconds']:8.0f}")
    for r in results:
        nodes = ", ".join(f"{name.split('.')[-1]} {secs:.1f}" for name, secs in r.get("slowest_nodes", {}).items())
        print(f"  slowest dbt nodes at {r['history_articles']}: {nodes}")


if __name__ == "__main__":
    sys.exit(main())
