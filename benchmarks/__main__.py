"""Benchmark a stage: python -m benchmarks {extraction,nlp,pipeline,scale} ARGS...

Run from the repository root (this package is development tooling, not installed with
the product); `make bench` runs every one.
"""

from __future__ import annotations

import importlib
import logging
import sys

COMMANDS = {
    "extraction": "benchmarks.extraction",
    "nlp": "benchmarks.nlp",
    "pipeline": "benchmarks.pipeline",
    "scale": "benchmarks.scale",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print("usage: python -m benchmarks {extraction,nlp,pipeline,scale} [ARGS...]", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    module = importlib.import_module(COMMANDS[args[0]])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
