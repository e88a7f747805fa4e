"""`newswire` command line: run the pipeline, print summaries, evaluate, benchmark."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

_EVALS = {
    "extraction": "newswire.evaluation.extraction",
    "ner": "newswire.evaluation.ner",
    "events": "newswire.evaluation.events",
}
_BENCHES = {
    "nlp": "newswire.benchmarks.nlp",
    "extraction": "newswire.benchmarks.extraction",
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
    from newswire import airflow_env

    airflow_env.configure()
    from newswire.reporting import format_summary
    from newswire.runner import test_dag

    state, dag_run = test_dag("newswire_ingest.py", "newswire_ingest")
    ok = state.endswith("success")
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
                from newswire.ingest.pipeline import validation_summary

                summary["validation"] = summary.get("validation", []) + validation_summary(summary["transform_run_id"])
    if summary:
        print(format_summary(summary))
    if not ok:
        print(f"run failed: DAG state {state}", file=sys.stderr)
        return 1
    return 0


def _latest_summary(dag_run: object) -> dict:
    from newswire.ingest.pipeline import run_summary

    run_id = getattr(dag_run, "run_id", None)
    return run_summary(run_id) if run_id else {}


def _summary(args: argparse.Namespace) -> int:
    from newswire.ingest.pipeline import run_summary
    from newswire.reporting import format_summary

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
    run.set_defaults(func=_run)
    summ = sub.add_parser("summary", help="print the summary of one ingest run")
    summ.add_argument("run_id")
    summ.add_argument("--json", action="store_true")
    summ.set_defaults(func=_summary)
    ev = sub.add_parser("eval", help="evaluate a stage on a dataset")
    ev.add_argument("what", choices=sorted(_EVALS))
    ev.add_argument("rest", nargs=argparse.REMAINDER)
    bench = sub.add_parser("bench", help="benchmark a stage")
    bench.add_argument("what", choices=sorted(_BENCHES))
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "eval":
        return _delegate(_EVALS, args.what, args.rest)
    if args.command == "bench":
        return _delegate(_BENCHES, args.what, args.rest)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
