"""Helpers of the fault tests: an inbox of real (or synthetic) news, `newswire run` as a
watched subprocess, and content hashes of a warehouse.

The inbox comes from ../shared/corpora/bbc (resolved relative to the project root,
research-only: read in place, never copied into the repository) when present, else
from synthetic articles generated here.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
BBC = REPO.parent / "shared" / "corpora" / "bbc"
NEWSWIRE = Path(sys.executable).with_name("newswire")

#: Columns that say when or by which run a row was written, not what it says.
VOLATILE = re.compile(r"(^|_)run_id$|^(validated_at|updated_at)$")
TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")

_PLACES = ["Geneva", "Nairobi", "Kyiv", "Manila", "Lima", "Ankara", "Hanoi", "Accra", "Oslo", "Quito"]
_ACTORS = ["Armenia", "Azerbaijan", "Kenya", "Ukraine", "Peru", "Turkey", "Ghana", "Norway", "Chile", "Egypt"]
_VERBS = ["met officials from", "accused", "signed a trade agreement with", "threatened sanctions against",
          "praised", "sent aid to", "expelled diplomats from", "held talks with"]


def build_inbox(inbox: Path, n: int, seed: int = 11) -> str:
    """Write `n` articles into `inbox`; return where they came from."""
    inbox.mkdir(parents=True, exist_ok=True)
    if BBC.is_dir():
        files = sorted(p for p in BBC.rglob("*.txt") if p.name[0].isdigit())
        step = max(1, len(files) // n)
        for path in files[::step][:n]:
            shutil.copyfile(path, inbox / f"{path.parent.name}-{path.name}")
        return f"{BBC} ({n} of {len(files)} articles)"
    rng = random.Random(seed)
    for i in range(n):
        a, b = rng.sample(_ACTORS, 2)
        place = rng.choice(_PLACES)
        sentences = [
            f"{a} {rng.choice(_VERBS)} {b} in {place} on Monday, officials said.",
            f"The foreign minister of {a} told reporters that the talks with {b} would continue next week.",
            f"Analysts in {place} said the meeting was the first since the dispute began last year.",
            f"{b} said it would respond after consulting its allies, according to a statement.",
        ]
        body = " ".join(rng.sample(sentences, len(sentences)))
        (inbox / f"synthetic-{i:04d}.txt").write_text(f"{a} and {b} in {place} talks ({i})\n\n{body}\n")
    return f"synthetic ({n} articles)"


@dataclass
class Run:
    """`newswire run` in its own process group, its output watched line by line."""

    env: dict[str, str]
    args: tuple[str, ...] = ()
    lines: list[tuple[float, str]] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    started: float = 0.0
    _cv: threading.Condition = field(default_factory=threading.Condition)
    _eof: bool = False

    def start(self) -> Run:
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(NEWSWIRE), "run", "-v", *self.args],  # -v: every line, the task starts the harness watches
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # a process group of its own, so a kill takes its children too
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            with self._cv:
                self.lines.append((time.monotonic() - self.started, line.rstrip("\n")))
                self._cv.notify_all()
        with self._cv:
            self._eof = True
            self._cv.notify_all()

    def wait_for(self, pattern: re.Pattern[str], occurrence: int = 1, timeout: float = 900) -> float | None:
        """Seconds since start at which `pattern` matched for the n-th time; None if the output ended first."""
        deadline = time.monotonic() + timeout
        seen, checked = 0, 0
        with self._cv:
            while True:
                for t, line in self.lines[checked:]:
                    if pattern.search(line):
                        seen += 1
                        if seen == occurrence:
                            return t
                checked = len(self.lines)
                if self._eof or time.monotonic() > deadline:
                    return None
                self._cv.wait(0.5)

    def kill(self) -> None:
        """SIGKILL the whole process group (the run and any worker it started)."""
        assert self.proc
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def finish(self, timeout: float = 1800) -> int:
        assert self.proc
        return self.proc.wait(timeout=timeout)

    def current_task(self) -> str | None:
        """The task that had started and not ended when the output stopped."""
        current = None
        for _, line in self.lines:
            if m := TASK_START.search(line):
                current = m.group(1)
            elif (m := TASK_END.search(line)) and m.group(1) == current:
                current = f"after {current}"
        return current

    def tail(self, n: int = 40) -> str:
        return "\n".join(line for _, line in self.lines[-n:])


def task_windows(run: Run) -> list[tuple[str, float, float]]:
    """(task_id, start, end) of each task of a finished run, in order (seconds since its start)."""
    out: list[tuple[str, float, float]] = []
    open_at: dict[str, float] = {}
    for t, line in run.lines:
        if m := TASK_START.search(line):
            open_at[m.group(1)] = t
        elif (m := TASK_END.search(line)) and m.group(1) in open_at:
            out.append((m.group(1), open_at.pop(m.group(1)), t))
    return out


def content_hashes(db: Path, raw: tuple[str, ...] = ("articles",)) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash of raw.articles and every marts table."""
    out: dict[str, tuple[int, str]] = {}
    raw_list = ", ".join(f"'{t}'" for t in raw)
    with duckdb.connect(str(db), read_only=True) as con:
        # tables of a working copy, views of a published catalog (newswire.publish)
        tables = [
            (s, t)
            for s, t in con.execute(
                f"""select schema_name, name from (
                    select schema_name, table_name as name from duckdb_tables()
                    union all
                    select schema_name, view_name from duckdb_views() where not internal)
                where schema_name = 'marts' or (schema_name = 'raw' and name in ({raw_list}))
                order by 1, 2"""
            ).fetchall()
        ]
        for schema, table in tables:
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    "order by column_index",
                    [schema, table],
                ).fetchall()
                if not VOLATILE.search(c)
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'select {select} from {schema}."{table}"').fetchall()
            digest = hashlib.sha256()
            for row in sorted(repr(r) for r in rows):
                digest.update(row.encode())
            out[f"{schema}.{table}"] = (len(rows), digest.hexdigest())
    return out


def check_published(db: Path) -> str | None:
    """None when `db` is a valid, validated published warehouse (or absent); else what is wrong."""
    if not db.exists():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            con.execute("select count(*) from raw.articles").fetchone()
            schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
            if "wap_last_validated" in schemas:
                return "published file holds a WAP snapshot schema"
            has_marts = bool(
                con.execute("select count(*) from duckdb_views() where schema_name = 'marts'").fetchone()[0]
                + con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0]
            )
            if has_marts:
                state = con.execute("select state from audit.publish_state where stage = 'marts'").fetchone()
                if not state or state[0] != "published":
                    return f"published marts in state {state}"
                bad = con.execute(
                    "select count(*) from audit.validation_results where not success and blocking "
                    "and stage = 'marts' and run_id = (select run_id from audit.publish_state where stage = 'marts')"
                ).fetchone()[0]
                if bad:
                    return f"published marts failed {bad} blocking expectations"
    except duckdb.Error as exc:
        return f"cannot read the published file: {exc}"
    return None


class Reader(threading.Thread):
    """Opens the published file again and again while a run is going, as a user would."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stop = threading.Event()
        self.opens = 0
        self.problems: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            problem = check_published(self.db)
            if problem:
                self.problems.append(problem)
            elif self.db.exists():
                self.opens += 1
            self.stop.wait(0.3)


def leftovers(warehouse: Path) -> list[str]:
    """Temporary copies and snapshot schemas a dead writer could leave behind."""
    found = [p.name for p in warehouse.parent.glob(f".{warehouse.name}.*")]
    work_dir = warehouse.parent / ".work"
    allowed = {warehouse.name, f"{warehouse.name}.lock", f"{warehouse.name}.wal"}
    found += [f".work/{p.name}" for p in work_dir.iterdir() if p.name not in allowed] if work_dir.exists() else []
    wal = work_dir / f"{warehouse.name}.wal"
    if wal.exists() and wal.stat().st_size:
        found.append(f".work/{wal.name} ({wal.stat().st_size} bytes)")
    return found


def lock_is_free(warehouse: Path) -> bool:
    import fcntl

    path = warehouse.parent / ".work" / f"{warehouse.name}.lock"
    if not path.exists():
        return True
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def column_differences(a: Path, b: Path, tables: list[str]) -> dict[str, list[str]]:
    """Which columns of each table differ between two warehouses (for the report)."""
    out: dict[str, list[str]] = {}
    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        for name in tables:
            schema, table = name.split(".")
            cols = [c for (c,) in ca.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?", [schema, table]
            ).fetchall()]
            diff = []
            for c in cols:
                q = f'select "{c}" from {schema}."{table}"'
                try:
                    if sorted(map(repr, ca.execute(q).fetchall())) != sorted(map(repr, cb.execute(q).fetchall())):
                        diff.append(c)
                except duckdb.Error as exc:
                    diff.append(f"{c}: {exc}")
            out[name] = diff
    return out
