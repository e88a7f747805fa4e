"""The cross-process writer lock: one writer at a time, a clear message, no stale lock after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newswire import runlock
from newswire.config import get_settings
from newswire.warehouse import connect

HOLD = textwrap.dedent(
    """
    import sys, time
    from newswire.runlock import writer_lock
    with writer_lock(wait=0, purpose="test holder"):
        print("held", flush=True)
        time.sleep(float(sys.argv[1]))
    print("released", flush=True)
    """
)


def _holder(seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def wh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))
    monkeypatch.delenv("NEWSWIRE_WORK_DB", raising=False)
    return tmp_path


def test_second_writer_is_refused_with_the_holders_name(wh: Path) -> None:
    proc = _holder(60)
    try:
        with pytest.raises(runlock.WriterBusy) as exc, runlock.writer_lock(wait=0):
            pass
        assert "test holder" in str(exc.value) and f"pid {proc.pid}" in str(exc.value)
    finally:
        proc.kill()
        proc.wait()


def test_sigkill_leaves_no_stale_lock(wh: Path) -> None:
    proc = _holder(600)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    started = time.monotonic()
    with runlock.writer_lock(wait=0):
        pass
    assert time.monotonic() - started < 1
    assert runlock.lock_path(get_settings()).exists()  # the file stays; only the kernel lock counts


def test_a_step_waits_for_the_other_writer_then_runs(wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_LOCK_TIMEOUT", "1")
    proc = _holder(4)
    try:
        with pytest.raises(runlock.WriterBusy, match="gave up after 1s"), connect():
            pass
        monkeypatch.setenv("NEWSWIRE_LOCK_TIMEOUT", "60")
        started = time.monotonic()
        with connect() as con:  # queues behind the holder instead of failing on DuckDB's file lock
            assert con.execute("select 1").fetchone() == (1,)
        assert proc.poll() is not None or time.monotonic() - started > 0.5
    finally:
        proc.kill()
        proc.wait()


def test_lock_is_reentrant_within_a_process(wh: Path) -> None:
    with runlock.writer_lock(wait=0, purpose="outer"), connect() as con, runlock.writer_lock(wait=0):
        con.execute("select 1")
    with runlock.writer_lock(wait=0):  # fully released afterwards
        pass
