"""Progress counts from the pipeline steps to whoever is watching (`newswire run`).

The steps report "this many inputs parsed", "this many dbt nodes built" here.
`make run` runs the DAG tasks in-process (dag.test()), so a listener registered
by the CLI sees every report and draws it as a progress bar. Under a real Airflow
worker nobody subscribes and a report costs a list check. Kept free of imports
so any step can call it.

Stages and their units: parse (inputs), annotate (articles), load (articles),
dbt (nodes: seeds, models, tests), expectations (expectations).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

#: listener(stage, event, values): event is "total" (values: n, add) or "advance" (values: n, and notes).
Listener = Callable[[str, str, dict[str, Any]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def _emit(stage: str, event: str, values: dict[str, Any]) -> None:
    for listener in list(_listeners):
        try:
            listener(stage, event, values)
        except Exception:  # noqa: BLE001 - a broken progress display must never fail a task
            pass


def total(stage: str, n: int, *, add: bool = False) -> None:
    """Announce how much work a stage has (or, with add=True, how much more)."""
    if _listeners:
        _emit(stage, "total", {"n": n, "add": add})


def advance(stage: str, n: int = 1, **notes: Any) -> None:
    """Report `n` more units done; `notes` (e.g. articles=6) are summed and shown beside the bar."""
    if _listeners:
        _emit(stage, "advance", {"n": n, **notes})


_DBT_RESULT_EVENTS = {
    "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogNodeResult", "LogNodeNoOpResult"
}
_dbt_invocations: set[str] = set()


def dbt_event(msg: Any) -> None:
    """A dbtRunner callback: count finished nodes against each invocation's node total."""
    if not _listeners:
        return
    name = getattr(getattr(msg, "info", None), "name", "")
    if name not in _DBT_RESULT_EVENTS:
        return
    data = getattr(msg, "data", None)
    invocation = getattr(getattr(msg, "info", None), "invocation_id", "")
    n_total = int(getattr(data, "total", 0) or 0)
    if invocation not in _dbt_invocations and n_total:
        _dbt_invocations.add(invocation)
        total("dbt", n_total, add=True)
    status = str(getattr(data, "status", "") or "").lower()
    failed = status in {"error", "fail"}
    advance("dbt", 1, failed=int(failed))
