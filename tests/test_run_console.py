"""`newswire run` output: progress bars and the summary on the console, everything else in the log file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from newswire_testdata import REPO, SEEDS

#: Drives RunConsole the way `newswire run` does, with the kinds of output a run produces.
_SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    from pathlib import Path
    from newswire import progress
    from newswire.run_console import RunConsole, verbose_wanted

    logging.basicConfig(level=logging.INFO)
    console = RunConsole(Path(sys.argv[1]), verbose=verbose_wanted("-v" in sys.argv))
    with console:
        progress.total("parse", 3)
        for _ in range(3):
            progress.advance("parse", 1, articles=2)
        logging.getLogger("airflow.task").info("Updating RenderedTaskInstanceFields")
        logging.getLogger("airflow.models.dagrun").warning("No tasks to run. unrunnable tasks")
        logging.getLogger("newswire.ingest.extract").info("batch 0: 3 inputs -> 6 articles")
        logging.getLogger("newswire.ingest.extract").warning("unparseable 'published' in item 4")
        print("a library printing to stdout")
        os.write(2, b"a library writing straight to file descriptor 2\\n")
        if not console.verbose:
            console.finish_stages()
    console.print("SUMMARY")
    console.print(f"log={console.log_path}")
    """
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NEWSWIRE_LOG_DIR")}
    env.update(extra)
    return env


def _run_script(tmp_path: Path, *args: str, **env: str) -> tuple[list[str], Path | None]:
    log_dir = tmp_path / "logs"
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(log_dir), *args],
        capture_output=True, text=True, env=_env(**env), timeout=120, check=True,
    )
    lines = (out.stdout + out.stderr).splitlines()
    logs = sorted(log_dir.glob("run-*.log")) if log_dir.exists() else []
    return lines, logs[0] if logs else None


def test_quiet_run_keeps_airflow_and_library_output_in_the_log_file(tmp_path: Path) -> None:
    lines, log = _run_script(tmp_path)
    text = "\n".join(lines)
    assert log is not None and f"log={log}" in text
    # Console: the stage line with its count, our warning, the summary; nothing else.
    assert re.search(r"parse\s.*3/3\s+inputs\s+6 articles", text)
    assert "unparseable 'published' in item 4" in text
    for noise in ("RenderedTaskInstanceFields", "No tasks to run", "batch 0:", "a library"):
        assert noise not in text
    logged = log.read_text()
    for kept in ("RenderedTaskInstanceFields", "No tasks to run", "batch 0: 3 inputs", "a library printing",
                 "straight to file descriptor 2", "unparseable 'published'"):
        assert kept in logged


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` (a pseudo-terminal) not found")
def test_on_a_terminal_the_bars_redraw_in_place_and_the_noise_stays_in_the_file(tmp_path: Path) -> None:
    """rich redirects sys.stdout to the console on a TTY unless told not to: check it is told."""
    import shlex

    typescript = tmp_path / "typescript"
    command = " ".join(shlex.quote(x) for x in (sys.executable, "-c", _SCRIPT, str(tmp_path / "logs")))
    subprocess.run(["script", "-qec", command, str(typescript)], env=_env(), timeout=120, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    raw = typescript.read_bytes()
    body = raw.split(b"\n", 1)[1] if raw.startswith(b"Script started") else raw  # the header quotes the command
    body = body.split(b"\nScript done")[0]
    assert b"RenderedTaskInstanceFields" not in body and b"a library printing" not in body
    assert b"SUMMARY" in body and b"3/3" in body
    # Lines left on screen: newlines written minus the cursor-ups of the live redraw.
    assert body.count(b"\n") - body.count(b"\x1b[1A") <= 12


@pytest.mark.parametrize(("args", "env"), [(("-v",), {}), ((), {"CI": "true"})], ids=["-v", "CI=true"])
def test_verbose_or_ci_prints_everything_as_before(tmp_path: Path, args: tuple[str, ...], env: dict) -> None:
    lines, log = _run_script(tmp_path, *args, **env)
    text = "\n".join(lines)
    assert log is None
    for line in ("RenderedTaskInstanceFields", "No tasks to run", "batch 0: 3 inputs", "a library printing",
                 "straight to file descriptor 2", "SUMMARY"):
        assert line in text


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`newswire run` in a subprocess (stdout not a TTY, CI unset) on two seed files."""
    root = tmp_path_factory.mktemp("cli_run")
    inbox = root / "inbox"
    inbox.mkdir()
    for name in ("sample_01_talks.html", "sample_02_records.jsonl"):
        shutil.copy(SEEDS / name, inbox / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k not in ("CI",)}
    env.update(
        NEWSWIRE_INBOX=str(inbox),
        NEWSWIRE_WAREHOUSE=str(root / "wh" / "newswire.duckdb"),
        AIRFLOW_HOME=str(root / "airflow"),
    )
    env.pop("NEWSWIRE_WORK_DB", None)
    env.pop("NEWSWIRE_LOG_DIR", None)
    cli = Path(sys.executable).with_name("newswire")
    out = subprocess.run([str(cli), "run"], capture_output=True, text=True, env=env, cwd=REPO, timeout=1200)
    return {"root": root, "rc": out.returncode, "lines": (out.stdout + out.stderr).splitlines()}


@pytest.mark.slow
def test_run_shows_progress_summary_and_log_path_in_few_lines(seeds_run: dict) -> None:
    lines = seeds_run["lines"]
    text = "\n".join(lines)
    assert seeds_run["rc"] == 0, text
    assert len(lines) <= 40, text
    for stage, unit in (("parse", "inputs"), ("annotate", "articles"), ("load", "articles"),
                        ("dbt build", "nodes"), ("expectations", "checked")):
        match = re.search(rf"^{stage}\s.*?(\d+)/(\d+)\s+{unit}", text, re.M)
        assert match and match.group(1) == match.group(2) and int(match.group(2)) > 0, (stage, text)
    assert "Newswire run " in text and "articles loaded:" in text
    assert "[DAG TEST]" not in text and "RenderedTaskInstanceFields" not in text
    log = Path(re.search(r"full log:\s+(\S+)", text).group(1))
    assert log.parent == seeds_run["root"] / "wh" / "logs"
    assert "[DAG TEST]" in log.read_text()


@pytest.mark.slow
def test_run_writes_the_report_and_the_docs_link_to_it(seeds_run: dict) -> None:
    text = "\n".join(seeds_run["lines"])
    report = Path(re.search(r"report \(charts\):\s+(\S+)", text).group(1))
    assert report == seeds_run["root"] / "wh" / "report.html"
    page = report.read_text()
    assert page.count("<svg") == 3 and "://" not in page
    manifest = json.loads((seeds_run["root"] / "wh" / "dbt_docs" / "manifest.json").read_text())
    overview = [d for d in manifest["docs"].values() if d["name"] == "__overview__" and d["package_name"] == "newswire"]
    assert overview and "](../report.html)" in overview[0]["block_contents"]


CHROMIUM = Path(os.environ.get("NEWSWIRE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("NEWSWIRE_E2E_ARTIFACTS", REPO / "warehouse" / "test-artifacts"))


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (apt-get install chromium)")
def test_report_renders_its_charts_in_chromium_with_the_network_blocked(seeds_run: dict) -> None:
    pytest.importorskip("playwright.sync_api")
    from PIL import Image
    from playwright.sync_api import sync_playwright

    report = seeds_run["root"] / "wh" / "report.html"
    shot = ARTIFACTS / "report.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []

    def block_network(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
            "--disable-component-update", "--proxy-server=127.0.0.1:9",
        ])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.route("**/*", block_network)
            page.goto(report.as_uri())
            sizes = page.eval_on_selector_all("svg", "els => els.map(e => [e.getBBox().width, e.getBBox().height])")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert blocked == []
    assert len(sizes) == 3 and all(w > 200 and h > 100 for w, h in sizes)
    # The bars are drawn: the screenshot holds the cooperation green and the conflict red of the charts.
    pixels = Image.open(shot).convert("RGB").getdata()
    colours = {(0x1B, 0x78, 0x37), (0x7F, 0xBF, 0x7B), (0xB2, 0x18, 0x2B), (0xF4, 0xA5, 0x82)}
    drawn = sum(1 for p in pixels if p in colours)
    assert drawn > 2000, f"only {drawn} chart-coloured pixels in {shot}"
