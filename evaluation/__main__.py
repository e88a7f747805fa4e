"""Evaluate a stage on a dataset: python -m evaluation {extraction,ner,events} ARGS...

Run from the repository root (this package is development tooling, not installed with
the product); `make eval` runs every one.
"""

import sys

from evaluation.commands import dispatch

if __name__ == "__main__":
    sys.exit(dispatch("evaluation", ("extraction", "ner", "events")))
