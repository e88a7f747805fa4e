"""Benchmark a stage: python -m benchmarks {cluster,extraction,nlp,pipeline,scale} ARGS...

Run from the repository root (this package is development tooling, not installed with
the product); `make bench` runs every one.
"""

import sys

from evaluation.commands import dispatch

if __name__ == "__main__":
    sys.exit(dispatch("benchmarks", ("cluster", "extraction", "nlp", "pipeline", "scale")))
