"""What `newswire run` shows: one progress bar per stage, warnings, then the summary.

Airflow's task runner, dbt, GX and Cosmos write hundreds of lines per run. In a
quiet run all of that goes to a log file (warehouse/logs/run-<UTC time>.log): the
process's stdout and stderr file descriptors are pointed at the file, so output
written by any library, even straight to the descriptors, lands there. The console
(a duplicate of the original stdout) gets the bars (rich), warnings and errors
from Newswire and the libraries it drives (not from Airflow or Cosmos), and the
summary. Verbose mode (-v, or CI=true) leaves the output as it always was.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from newswire import progress

#: (stage, label, unit) in display order.
STAGES = (
    ("parse", "parse", "inputs"),
    ("annotate", "annotate", "articles"),
    ("load", "load", "articles"),
    ("dbt", "dbt build", "nodes"),
    ("expectations", "expectations", "checked"),
)

#: Loggers whose records stay in the log file whatever their level: the orchestrator's own.
FILE_ONLY_LOGGERS = ("airflow", "cosmos", "alembic", "task", "sqlalchemy", "py.warnings", "fastapi", "uvicorn")


def verbose_wanted(flag: bool) -> bool:
    """-v, or CI=true (CI logs should keep every line, as before)."""
    return flag or os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def new_log_path(log_dir: Path) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    path = log_dir / f"run-{stamp}.log"
    n = 1
    while path.exists():
        n += 1
        path = log_dir / f"run-{stamp}-{n}.log"
    return path


class _ConsoleHandler(logging.Handler):
    """Warnings and errors to the console, above the bars; the orchestrator's own stay in the file."""

    def __init__(self, console: Any) -> None:
        super().__init__(level=logging.WARNING)
        self.console = console

    def filter(self, record: logging.LogRecord) -> bool:
        top = record.name.split(".", 1)[0]
        return top not in FILE_ONLY_LOGGERS and super().filter(record)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            style = "red" if record.levelno >= logging.ERROR else "yellow"
            message = record.getMessage().splitlines()[0] if record.getMessage() else ""
            self.console.print(f"{record.levelname.lower()}: {message} [dim]({record.name})[/dim]",
                               style=style, markup=True, highlight=False, soft_wrap=True)
        except Exception:  # noqa: BLE001 - never let the display break logging
            self.handleError(record)


class RunConsole:
    """Context manager for one quiet run; `.log_path` holds the full log afterwards."""

    def __init__(self, log_dir: Path, *, verbose: bool = False) -> None:
        self.verbose = verbose
        self.log_dir = log_dir
        self.log_path: Path | None = None
        self.console: Any = None
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._notes: dict[str, dict[str, int]] = {}
        self._saved_fds: tuple[int, int] | None = None
        self._log_file: TextIO | None = None
        self._handler: logging.Handler | None = None
        self._lock = threading.Lock()

    # -- context -------------------------------------------------------------------------

    def __enter__(self) -> RunConsole:
        if self.verbose:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.log_path = new_log_path(self.log_dir)
        self._log_file = open(self.log_path, "a", buffering=1, encoding="utf-8")
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved_fds = (os.dup(1), os.dup(2))
        console_stream = os.fdopen(os.dup(self._saved_fds[0]), "w", buffering=1, encoding="utf-8")
        os.dup2(self._log_file.fileno(), 1)
        os.dup2(self._log_file.fileno(), 2)
        self.console = Console(file=console_stream, highlight=False)
        self._progress = Progress(
            TextColumn("{task.description:<13}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]:<9}{task.fields[note]}"),
            TimeElapsedColumn(),
            console=self.console,
            refresh_per_second=4,
            # rich would otherwise route sys.stdout/sys.stderr to the console on a TTY:
            # they point at the log file, and must stay there.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._progress.start()
        self.attach_console_handler()
        progress.subscribe(self._on_progress)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.verbose:
            return
        progress.unsubscribe(self._on_progress)
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
        self._progress.stop()
        sys.stdout.flush()
        sys.stderr.flush()
        assert self._saved_fds is not None
        os.dup2(self._saved_fds[0], 1)
        os.dup2(self._saved_fds[1], 2)
        for fd in self._saved_fds:
            os.close(fd)
        if self._log_file is not None:
            self._log_file.close()

    def attach_console_handler(self) -> None:
        """(Re)attach the warnings handler: Airflow replaces the root handlers when it configures logging."""
        if self.verbose or self.console is None:
            return
        root = logging.getLogger()
        if self._handler is None:
            self._handler = _ConsoleHandler(self._progress.console)
        if self._handler not in root.handlers:
            root.addHandler(self._handler)

    # -- progress ------------------------------------------------------------------------

    def _task(self, stage: str) -> Any:
        if stage not in self._tasks:
            # Create every earlier stage too, so the lines keep their order.
            for name, label, unit in STAGES:
                if name not in self._tasks:
                    self._tasks[name] = self._progress.add_task(label, total=None, unit=unit, note="", start=False)
                if name == stage:
                    break
            else:
                self._tasks[stage] = self._progress.add_task(stage, total=None, unit="", note="", start=False)
        return self._tasks[stage]

    def _on_progress(self, stage: str, event: str, values: dict[str, Any]) -> None:
        with self._lock:
            self.attach_console_handler()
            task_id = self._task(stage)
            task = self._progress.tasks[task_id] if task_id < len(self._progress.tasks) else None
            if task is not None and not task.started:
                self._progress.start_task(task_id)
            if event == "total":
                current = (task.total or 0) if task is not None else 0
                new_total = current + values["n"] if values.get("add") else values["n"]
                self._progress.update(task_id, total=new_total)
            else:
                self._progress.advance(task_id, values.get("n", 1))
                notes = self._notes.setdefault(stage, {})
                for key, value in values.items():
                    if key != "n" and isinstance(value, int):
                        notes[key] = notes.get(key, 0) + value
                shown = ", ".join(f"{v} {k}" for k, v in notes.items() if v)
                self._progress.update(task_id, note=shown)

    def finish_stages(self) -> None:
        """Stop the clocks; a stage that never reported (nothing to do) shows 0/0."""
        for name, _, _ in STAGES:
            task_id = self._task(name)
            task = self._progress.tasks[task_id]
            if task.total is None:
                self._progress.update(task_id, total=task.completed)
            self._progress.stop_task(task_id)

    def print(self, text: str = "", **kwargs: Any) -> None:
        """Print to the real console, or to stdout in verbose mode."""
        if self.console is not None:
            self.console.print(text, highlight=False, markup=False, soft_wrap=True, **kwargs)
        else:
            print(text)
