"""`make up`, `make down` and `make status`: a local Airflow 3 stack for Newswire, run by honcho.

The processes are the entries of the repository's ``Procfile``: ``api-server``,
``scheduler``, ``dag-processor``, ``triggerer`` (Airflow), ``dbt-docs`` and
``data-docs`` (``python -m http.server`` on 127.0.0.1), and ``celery-worker``
with the CeleryExecutor. honcho (a maintained Procfile runner) starts each in
its own process group, writes their output with a name prefix to one log, and
stops all of them when one exits or when it is sent SIGTERM (SIGKILL after 5 s).

This module does only what honcho does not:

* prepare the Airflow home: settings, shared secrets, the admin password, the
  metadata DB and the DuckDB writer pool, the docs sites' folders;
* start honcho in the background, then wait until the API answers and the DAG
  processor has loaded the DAGs, unpause them and print where everything is;
* ``down``: SIGTERM to that honcho (checked by PID and start time), then a sweep
  for any process that still carries this start's tag in its environment (task
  processes that left their process group), so nothing is left running.

The settings (from environment variables, see docs/operations.md) are in
``newswire.ops.settings``, default-credential checks in ``newswire.ops.credentials``,
the REST client in ``newswire.ops.airflow_api``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from newswire.ops import credentials
from newswire.ops.airflow_api import AirflowClient, ApiError, _http, free_port, port_in_use
from newswire.ops.settings import COMPONENTS, HOST, StackConfig, StackError

__all__ = ["COMPONENTS", "AirflowClient", "ApiError", "StackConfig", "StackError", "free_port", "port_in_use", "status",
           "stop", "up"]

DAG_IDS = ("newswire_ingest", "newswire_transform")
#: Set in the environment of everything one `up` starts; `down` sweeps for it.
RUN_TAG = "NEWSWIRE_STACK_RUN"

_PLACEHOLDER = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 3em;">
<h1>{title}</h1><p>{body}</p></body></html>
"""


# -- steps of `up` -------------------------------------------------------------


def admin_password(cfg: StackConfig) -> str:
    """The admin's password: NEWSWIRE_ADMIN_PASSWORD, or the one kept in the home, or a new one."""
    stored: dict[str, str] = {}
    if cfg.password_file.exists():
        try:
            stored = json.loads(cfg.password_file.read_text() or "{}")
        except ValueError:
            stored = {}
    password = cfg.admin_password or stored.get(cfg.admin_user) or secrets.token_urlsafe(12)
    if stored.get(cfg.admin_user) != password:
        stored[cfg.admin_user] = password
        cfg.password_file.parent.mkdir(parents=True, exist_ok=True)
        cfg.password_file.write_text(json.dumps(stored))
    cfg.password_file.chmod(0o600)
    return password


def _run(cmd: list[str], env: dict[str, str], cfg: StackConfig, log_name: str, timeout: float) -> None:
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = cfg.log_dir / f"{log_name}.log"
    with open(log_path, "ab") as log:
        proc = subprocess.run(cmd, cwd=str(cfg.repo), env=env, stdout=log, stderr=subprocess.STDOUT,
                              timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        raise StackError(f"{' '.join(cmd[:4])} ... failed (exit {proc.returncode}); see {log_path}:\n{tail}")


def init_metadata(cfg: StackConfig, env: dict[str, str]) -> None:
    """Create or upgrade the metadata DB and the writer pool (newswire.airflow_env.init_db)."""
    code = "from newswire import airflow_env; airflow_env.init_db()"
    _run([str(cfg.bin_dir / "python"), "-c", code], env, cfg, "init", timeout=600)


def ensure_dbt_docs(cfg: StackConfig, env: dict[str, str], log: Any = print) -> None:
    """Generate the dbt docs site unless the transform DAG already did."""
    settings = cfg.settings()
    docs = settings.docs_dir
    if (docs / "index.html").exists() and (docs / "manifest.json").exists():
        return
    docs.mkdir(parents=True, exist_ok=True)
    # The working copy if there is one; otherwise a scratch file, so that dbt does
    # not create an empty working copy (the pipeline seeds it from the published file).
    db_path = settings.work_db if settings.work_db.exists() else cfg.airflow_home / "dbt_docs_scratch.duckdb"
    log(f"generating dbt docs into {docs} (against {db_path}) ...")
    if not db_path.exists():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.connect(str(db_path)).close()
    # dbt runs the way every non-Cosmos caller runs it: newswire.dbt_runner.
    cmd = [cfg.exe("python"), "-m", "newswire.dbt_runner", str(db_path), "docs", "generate",
           "--target-path", str(docs), "--log-path", str(cfg.log_dir / "dbt")]
    try:
        _run(cmd, env, cfg, "dbt-docs-generate", timeout=600)
    except (StackError, subprocess.TimeoutExpired) as exc:
        log(f"WARNING: dbt docs generate failed; the transform DAG will generate them. {exc}")
        if not (docs / "index.html").exists():
            (docs / "index.html").write_text(_PLACEHOLDER.format(
                title="dbt docs not generated yet",
                body="The newswire_transform DAG writes the dbt docs here after its first run."))


def ensure_data_docs_dir(cfg: StackConfig) -> None:
    site = cfg.data_docs_dir()
    site.mkdir(parents=True, exist_ok=True)
    if not (site / "index.html").exists():
        (site / "index.html").write_text(_PLACEHOLDER.format(
            title="Great Expectations Data Docs",
            body="No validation has run yet: the newswire_ingest DAG builds this site when it validates a batch."))


# -- honcho ----------------------------------------------------------------------


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks); None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    return None if rest[0] == "Z" else rest[19]


@dataclass
class Started:
    """The honcho process one `up` started, as recorded in ``stack.pid``."""

    pid: int
    start: str
    tag: str

    def alive(self) -> bool:
        return _start_time(self.pid) == self.start


def read_pid_file(cfg: StackConfig) -> Started | None:
    try:
        pid, start, tag = cfg.pid_file.read_text().split()
    except (OSError, ValueError):
        return None
    return Started(int(pid), start, tag)


def start_processes(cfg: StackConfig, env: Mapping[str, str], names: tuple[str, ...],
                    procfile: Path | None = None) -> Started:
    """Start honcho on the Procfile's `names` in the background; record its PID."""
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(8)
    cmd = [cfg.exe("python"), "-m", "honcho", "--no-colour", "-f", str(procfile or cfg.repo / "Procfile"),
           "-d", str(cfg.repo), "-e", os.devnull, "start", *names]
    with open(cfg.log_file, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {' '.join(cmd)}\n".encode())
        log.flush()
        proc = subprocess.Popen(cmd, cwd=str(cfg.repo), env={**env, RUN_TAG: tag}, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    start = None
    for _ in range(100):
        start = _start_time(proc.pid)
        if start:
            break
        time.sleep(0.02)
    started = Started(proc.pid, start or "", tag)
    cfg.pid_file.write_text(f"{started.pid} {started.start} {tag}\n")
    return started


def component_log(cfg: StackConfig, name: str) -> list[str]:
    """The lines `name` (a Procfile entry) wrote since the last start, without honcho's prefix."""
    text = cfg.log_file.read_text(errors="replace") if cfg.log_file.exists() else ""
    last = text.rsplit("\n=== ", 1)[-1]
    pattern = re.compile(rf"^\S+ {re.escape(name)}\.\d+\s*\| ?(.*)$")
    return [m.group(1) for line in last.splitlines() if (m := pattern.match(line))]


def _log_tail(cfg: StackConfig, lines: int = 30) -> str:
    text = cfg.log_file.read_text(errors="replace") if cfg.log_file.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def tagged_processes(tag: str) -> list[int]:
    """PIDs of processes whose environment carries ``NEWSWIRE_STACK_RUN=tag`` (ours only)."""
    needle = f"{RUN_TAG}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and _start_time(int(entry.name)):
            found.append(int(entry.name))
    return found


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [p for p in pids if _start_time(p)]
        if not pids:
            return []
        time.sleep(0.2)
    return [p for p in pids if _start_time(p)]


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def wait_for_api(cfg: StackConfig, started: Started, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    url = f"{cfg.airflow_url}/api/v2/monitor/health"
    while time.monotonic() < deadline:
        if not started.alive():
            raise StackError(f"a process exited during start-up, so honcho stopped them all; "
                             f"see {cfg.log_file}:\n{_log_tail(cfg)}")
        try:
            if _http(url, timeout=3)[0] == 200 and all(
                port_in_use(p) for p in (cfg.dbt_docs_port, cfg.data_docs_port)
            ):
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(1)
    raise StackError(f"the API server did not answer on {url} within {timeout:.0f}s; see {cfg.log_file}")


def wait_for_dags(client: AirflowClient, dag_ids: tuple[str, ...], timeout: float) -> tuple[set[str], list]:
    """Wait until the DAG processor has serialized `dag_ids`; return what was found and import errors."""
    deadline = time.monotonic() + timeout
    found: set[str] = set()
    errors: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = client.dag_ids() & set(dag_ids)
        errors = client.import_errors()
        if found == set(dag_ids):
            break
        time.sleep(2)
    return found, errors


# -- up / down / status ------------------------------------------------------------


def up(cfg: StackConfig, *, dag_timeout: float = 180, log: Any = print,
       unpause: tuple[str, ...] = DAG_IDS, generate_docs: bool = True) -> dict[str, Any]:
    """Start the stack; return the URLs and credentials. Raises StackError on failure."""
    running = read_pid_file(cfg)
    if running and running.alive():
        raise StackError(f"already running (honcho pid {running.pid}). Run `make down` first.")
    cfg.pid_file.unlink(missing_ok=True)
    for port in (cfg.airflow_port, cfg.dbt_docs_port, cfg.data_docs_port):
        if port_in_use(port):
            raise StackError(f"port {port} on {HOST} is in use; set NEWSWIRE_AIRFLOW_PORT, "
                             "NEWSWIRE_DBT_DOCS_PORT or NEWSWIRE_DATA_DOCS_PORT")
    try:
        credentials.check(cfg.base_env, generated_password=not cfg.admin_password, log=log)
    except credentials.DefaultCredentialsError as exc:
        raise StackError(str(exc)) from None
    cfg.airflow_home.mkdir(parents=True, exist_ok=True)
    password = admin_password(cfg)
    env = cfg.env()
    settings = cfg.settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    env_file = cfg.airflow_home / "env.sh"
    wanted = sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSWIRE_")))
    env_file.write_text("".join(f"export {k}={_shell_quote(env[k])}\n" for k in wanted))
    env_file.chmod(0o600)

    log(f"Airflow home: {cfg.airflow_home}")
    log("initialising the metadata DB and the writer pool ...")
    init_metadata(cfg, env)
    if generate_docs:
        ensure_dbt_docs(cfg, env, log)
    else:
        settings.docs_dir.mkdir(parents=True, exist_ok=True)
    ensure_data_docs_dir(cfg)

    started = start_processes(cfg, env, cfg.components())
    try:
        log(f"starting {', '.join(cfg.components())} with honcho; waiting for the API server ...")
        wait_for_api(cfg, started)
        client = AirflowClient(cfg.airflow_url, cfg.admin_user, password)
        log("waiting for the DAG processor to load the DAGs ...")
        found, errors = wait_for_dags(client, DAG_IDS, dag_timeout)
        for dag_id in sorted(found & set(unpause)):
            client.unpause(dag_id)
    except BaseException:
        stop(cfg, log=lambda *_: None)
        raise
    info = {
        "airflow_url": cfg.airflow_url,
        "dbt_docs_url": cfg.dbt_docs_url,
        "data_docs_url": cfg.data_docs_url,
        "cosmos_docs_url": cfg.cosmos_docs_url,
        "username": cfg.admin_user,
        "password": password,
        "password_file": str(cfg.password_file),
        "unpaused": sorted(found & set(unpause)),
        "missing_dags": sorted(set(DAG_IDS) - found),
        "import_errors": errors,
        "inbox": str(settings.inbox),
        "warehouse": str(settings.warehouse),
        "pid": started.pid,
    }
    _print_banner(cfg, info, log)
    return info


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _print_banner(cfg: StackConfig, info: dict[str, Any], log: Any) -> None:
    shown = "********" if credentials.is_production(cfg.base_env) else info["password"]
    log("")
    log("Newswire is up.")
    log(f"  Airflow UI        {info['airflow_url']}   (user {info['username']}, password {shown})")
    if cfg.admin_password:
        log("                    password from NEWSWIRE_ADMIN_PASSWORD")
    else:
        log(f"                    generated, kept in {info['password_file']};")
        log("                    choose your own: make down && NEWSWIRE_ADMIN_PASSWORD=... make up")
    log(f"  dbt docs          {info['dbt_docs_url']}")
    log(f"  dbt docs (in UI)  {info['cosmos_docs_url']}   (Browse > dbt Docs (Newswire); needs the login)")
    log(f"  GX Data Docs      {info['data_docs_url']}")
    log(f"  inbox             {info['inbox']}   (new files are picked up by the next hourly ingest)")
    log(f"  warehouse         {info['warehouse']}")
    log(f"  log               {cfg.log_file}   (task logs under {cfg.airflow_home / 'logs'})")
    log(f"  executor          {cfg.executor}; processes run by honcho (pid {info['pid']})")
    log(f"  unpaused DAGs     {', '.join(info['unpaused']) or 'none'}")
    if info["missing_dags"]:
        log(f"  WARNING: not loaded: {', '.join(info['missing_dags'])}")
    for err in info["import_errors"]:
        log(f"  IMPORT ERROR in {err.get('filename')}:\n{err.get('stack_trace')}")
    log(f"  CLI against it:   source {cfg.airflow_home / 'env.sh'} && airflow dags list")
    log("Stop with `make down`.")


def stop(cfg: StackConfig, *, timeout: float = 30, log: Any = print) -> list[int]:
    """Stop the honcho `up` started (it stops its processes), then whatever still carries the run's tag.

    Returns the PIDs that had to be stopped after honcho (normally none).
    """
    started = read_pid_file(cfg)
    if started is None:
        log("nothing was running (no PID file)")
        return []
    if started.alive():
        log(f"stopping honcho (pid {started.pid}) and the processes it runs ...")
        os.kill(started.pid, signal.SIGTERM)
        if _wait_gone([started.pid], timeout):
            log(f"honcho still running after {timeout:.0f}s: SIGKILL")
            os.killpg(started.pid, signal.SIGKILL)
    else:
        log("honcho was not running (stale PID file)")
    leftover = tagged_processes(started.tag)
    if leftover:
        log(f"stopping {len(leftover)} process(es) that left their process group: {leftover}")
        _signal(leftover, signal.SIGTERM)
        _signal(_wait_gone(leftover, 10), signal.SIGKILL)
        _wait_gone(leftover, 5)
    cfg.pid_file.unlink(missing_ok=True)
    return leftover


def status(cfg: StackConfig, log: Any = print) -> dict[str, bool]:
    """Each Procfile entry running or not (from honcho's log), and Airflow's own health report."""
    started = read_pid_file(cfg)
    alive = bool(started and started.alive())
    log(f"{'honcho':14} " + (f"running (pid {started.pid})" if alive and started else "stopped"))
    text = cfg.log_file.read_text(errors="replace").rsplit("\n=== ", 1)[-1] if cfg.log_file.exists() else ""
    pids = dict(re.findall(r"system\s*\| (\S+)\.\d+ started \(pid=(\d+)\)", text))
    states = {}
    for name in cfg.components():
        pid = pids.get(name)
        states[name] = alive and pid is not None and _start_time(int(pid)) is not None
        log(f"{name:14} " + (f"running (pid {pid})" if states[name] else "stopped"))
    if alive:
        try:
            code, health = _http(f"{cfg.airflow_url}/api/v2/monitor/health", timeout=5)
            for part, value in (health or {}).items() if code == 200 else ():
                log(f"{'airflow ' + part:26} {value.get('status')}")
        except (OSError, urllib.error.URLError) as exc:
            log(f"Airflow health: no answer ({exc})")
    return states


def prepare(cfg: StackConfig) -> None:
    """The containers' one-shot init step: credentials check, password file and docs sites."""
    credentials.check(os.environ)
    admin_password(cfg)
    ensure_dbt_docs(cfg, dict(os.environ))
    ensure_data_docs_dir(cfg)
    print(f"password file {cfg.password_file}; dbt docs in {cfg.settings().docs_dir}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.ops.stack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "env", "prepare"],
                        help="prepare: only the password file and the docs sites (the containers' init step)")
    args = parser.parse_args(argv)
    cfg = StackConfig.from_env()
    try:
        if args.command == "up":
            up(cfg)
        elif args.command == "down":
            stop(cfg)
            print("stopped")
        elif args.command == "prepare":
            prepare(cfg)
        elif args.command == "status":
            return 0 if all(status(cfg).values()) else 3
        else:
            env = cfg.env()
            for key in sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSWIRE_"))):
                print(f"export {key}={_shell_quote(env[key])}")
    except (StackError, credentials.DefaultCredentialsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
