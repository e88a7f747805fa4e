"""One entry point for the repository's development commands (`python -m evaluation X`,
`python -m benchmarks X`): each X is a module with a ``main(argv) -> int``."""

from __future__ import annotations

import importlib
import logging
import sys


def dispatch(package: str, commands: tuple[str, ...], argv: list[str] | None = None) -> int:
    """Run ``<package>.<command>.main(rest)`` for ``argv = [command, *rest]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in commands:
        print(f"usage: python -m {package} {{{','.join(commands)}}} [ARGS...]", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    module = importlib.import_module(f"{package}.{args[0]}")
    return int(module.main(args[1:]) or 0)
