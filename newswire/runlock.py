"""One writer at a time, across processes: an OS-level lock beside the working copy.

DuckDB allows a single writing process per file, and Airflow's single-slot pool
only orders the tasks of one scheduler. A `newswire run` started while another
run (or an Airflow task) is writing would otherwise interleave with it between
two tasks. Every writer therefore holds an exclusive ``flock`` on
``<working copy>.lock``:

* ``newswire run`` holds it for the whole run and, when it is taken, exits at
  once with a message naming the holder (or waits with ``--wait``);
* each opening of the working copy (``newswire.warehouse.connect``), each publish
  and each dbt invocation holds it too, waiting up to ``NEWSWIRE_LOCK_TIMEOUT``
  seconds, so a manually triggered DAG run queues behind a CLI run.

The lock is re-entrant within a process (the steps of an in-process run nest
inside the run's lock). It is the kernel's lock, not the file's existence, that
counts: the kernel drops it when its holder dies, even by SIGKILL, so a stale
lock cannot exist. The file itself is left in place (removing it would let two
processes lock two different files) and holds only a note of the last holder.

Why not the ``filelock`` package (pinned as a dependency of other packages): its
Unix lock is the same ``flock``, but it has no way to say who holds the lock.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from newswire.config import Settings, get_settings

log = logging.getLogger(__name__)

#: Exit status of a `newswire run` that did not start because another writer runs (EX_TEMPFAIL).
EXIT_LOCKED = 75


class WriterBusy(RuntimeError):
    """Another process holds the writer lock."""


_held: dict[str, list[int]] = {}  # lock path -> [fd, depth]; shared by the threads of a process
_guard = threading.Lock()


def lock_path(settings: Settings | None = None) -> Path:
    work = (settings or get_settings()).work_db
    return work.with_name(work.name + ".lock")


def holder(path: Path) -> dict[str, object] | None:
    """The note the current (or last) holder left in the lock file, if readable."""
    try:
        text = path.read_text()
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


def describe_holder(path: Path) -> str:
    info = holder(path)
    if not info:
        return f"another process holds {path}"
    return (
        f"{info.get('purpose') or 'a writer'} (pid {info.get('pid')} on {info.get('host')}, "
        f"since {info.get('since')}) holds {path}"
    )


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def writer_lock(
    settings: Settings | None = None, *, wait: float | None = None, purpose: str = "a Newswire writer"
) -> Iterator[Path]:
    """Hold the writer lock; `wait` seconds at most (None: the NEWSWIRE_LOCK_TIMEOUT setting).

    Raises WriterBusy naming the holder when the lock is not free in time.
    """
    settings = settings or get_settings()
    path = lock_path(settings)
    key = str(path)
    with _guard:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield path
        finally:
            with _guard:
                entry[1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        timeout = settings.lock_timeout if wait is None else wait
        if not _try_lock(fd):
            busy = describe_holder(path)
            if timeout <= 0:
                raise WriterBusy(busy)
            log.warning("waiting up to %.0fs for the writer lock: %s", timeout, busy)
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise WriterBusy(f"gave up after {timeout:.0f}s: {describe_holder(path)}")
                time.sleep(0.2)
            log.info("writer lock acquired after waiting")
        note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "purpose": purpose,
            "since": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(note).encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    with _guard:
        _held[key] = [fd, 1]
    try:
        yield path
    finally:
        with _guard:
            entry = _held[key]
            entry[1] -= 1
            release = entry[1] == 0
            if release:
                del _held[key]
        if release:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
