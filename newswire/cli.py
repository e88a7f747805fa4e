"""`newswire` command line: run the pipeline, print summaries, rebuild the report.

Evaluation and benchmarks are not part of the installed product: they live in the
repository's `evaluation/` and `benchmarks/` packages (`python -m evaluation events ...`,
`make eval`, `make bench`)."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

_TOOLS = {
    "report": "newswire.report",
}


def _run(args: argparse.Namespace) -> int:
    from newswire.runlock import EXIT_LOCKED, WriterBusy, writer_lock

    try:
        with writer_lock(wait=args.wait, purpose="newswire run"):
            return _run_locked(args)
    except WriterBusy as exc:
        hint = "" if args.wait else " Re-run with --wait SECONDS to queue behind it."
        print(f"newswire run: not started, another run is writing the warehouse: {exc}.{hint}", file=sys.stderr)
        return EXIT_LOCKED


def _run_locked(args: argparse.Namespace) -> int:
    from newswire.config import get_settings
    from newswire.reporting import format_summary
    from newswire.run_console import RunConsole, verbose_wanted

    settings = get_settings()
    if not args.force:
        import time

        from newswire.noop import pending_work

        started = time.perf_counter()
        reasons = pending_work(settings)
        if not reasons:
            print(f"newswire run: nothing new in {settings.inbox} and no dictionary or model changed; "
                  f"{settings.warehouse} is up to date (checked in {time.perf_counter() - started:.1f}s, "
                  "transform skipped; --force runs anyway)")
            return 0
        logging.getLogger(__name__).info("run needed: %s", "; ".join(reasons))
    console = RunConsole(settings.log_dir, verbose=verbose_wanted(args.verbose))
    ok, state, summary = False, "not started", {}
    try:
        with console:
            ok, state, summary = _run_dags(args)
            if not console.verbose:
                console.finish_stages()
    finally:
        if summary:
            console.print(format_summary(summary))
        if console.log_path:
            console.print(f"  full log:           {console.log_path}")
    if not ok:
        console.print(f"run failed: DAG state {state}" + (f"; see {console.log_path}" if console.log_path else ""))
        return 1
    return 0


def _run_dags(args: argparse.Namespace) -> tuple[bool, str, dict]:
    """Ingest, then (unless --ingest-only) transform and the report; returns (ok, state, summary)."""
    from newswire import airflow_env

    airflow_env.configure()
    from newswire.runner import test_dag

    state, dag_run = test_dag("newswire_ingest.py", "newswire_ingest")
    ok = state.endswith("success")
    _release_nlp()
    summary = _latest_summary(dag_run)
    if ok and not args.ingest_only:
        try:
            importlib.import_module("newswire.transform")
        except ModuleNotFoundError:
            pass
        else:
            state, dag_run = test_dag("newswire_transform.py", "newswire_transform")
            ok = state.endswith("success")
            from newswire.transform import transform_summary

            summary.update(transform_summary(getattr(dag_run, "run_id", None)))
            if summary.get("transform_run_id"):
                from newswire.reporting import validation_summary

                summary["validation"] = summary.get("validation", []) + validation_summary(summary["transform_run_id"])
            if ok:
                summary["report"] = _write_report()
    return ok, state, summary


def _release_nlp() -> None:
    """Free the spaCy model the in-process ingest loaded before the transform runs (only if
    the ingest imported it: the CLI itself never imports spaCy)."""
    pipeline = sys.modules.get("newswire.nlp.pipeline")
    if pipeline is not None:
        pipeline.release_pipelines()


def _write_report() -> str | None:
    """The static report; a charting problem is logged, never a failed run."""
    from newswire.report import write_report

    try:
        return str(write_report())
    except Exception:  # the warehouse is built and published already
        logging.getLogger(__name__).exception("could not write the report")
        return None


def _latest_summary(dag_run: object) -> dict:
    from newswire.reporting import run_summary

    run_id = getattr(dag_run, "run_id", None)
    return run_summary(run_id) if run_id else {}


def _summary(args: argparse.Namespace) -> int:
    from newswire.reporting import format_summary, run_summary

    summary = run_summary(args.run_id)
    print(json.dumps(summary, default=str, indent=2) if args.json else format_summary(summary))
    return 0


def _delegate(modules: dict[str, str], name: str, rest: list[str]) -> int:
    module = importlib.import_module(modules[name])
    return int(module.main(rest) or 0)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="newswire", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run ingest then transform once, in-process (dag.test)")
    run.add_argument("--ingest-only", action="store_true")
    run.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another run is writing, wait up to SECONDS for it (default: exit at once, status 75)",
    )
    run.add_argument(
        "--force", action="store_true",
        help="run the DAGs even when nothing is new (by default such a run says so and stops)",
    )
    run.add_argument(
        "-v", "--verbose", action="store_true",
        help="print every log line (Airflow, dbt, GX) as it comes, instead of progress bars; also when CI=true",
    )
    run.set_defaults(func=_run)
    summ = sub.add_parser("summary", help="print the summary of one ingest run")
    summ.add_argument("run_id")
    summ.add_argument("--json", action="store_true")
    summ.set_defaults(func=_summary)
    rep = sub.add_parser("report", help="rebuild warehouse/report.html from the published warehouse")
    rep.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "report":
        return _delegate(_TOOLS, "report", args.rest)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
