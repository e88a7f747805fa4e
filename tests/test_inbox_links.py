"""Links and special files in the inbox: never followed out of it, never opened, always recorded."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import duckdb
import pytest
from newswire_testdata import SEED_TEXT_DUMPS

from newswire.ingest import discover, extract, load
from newswire.ingest import inbox as inbox_fs

SECRET = "TOP-SECRET-LINE-" * 20 + "\n" + ("outside the inbox words " * 30)


def _ingest(run_id: str) -> None:
    found = discover.discover(run_id)
    manifests = [
        extract.extract_batch(b, i, run_id, found["template_stats_path"]) for i, b in enumerate(found["batches"])
    ]
    load.load_batches(manifests, run_id)


@pytest.fixture
def linked_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET)
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    shutil.copy(SEED_TEXT_DUMPS[0], inbox / "a.txt")
    os.symlink(secret, inbox / "out-abs.txt")
    os.symlink(Path("..") / "outside" / "secret.txt", inbox / "out-rel.txt")
    os.symlink("../../outside/secret.txt", inbox / "sub" / "out-deep.txt")
    os.symlink(outside, inbox / "outdir")  # a directory link out: never descended
    os.symlink("sub", inbox / "subdir-link")  # a directory link inside: not descended, not an input
    os.symlink("a.txt", inbox / "inside.txt")  # a link inside: read as its target
    os.symlink("missing.txt", inbox / "dangling.txt")
    os.symlink("loop.txt", inbox / "loop.txt")
    os.mkfifo(inbox / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "sock.txt"))
    monkeypatch.setenv("NEWSWIRE_INBOX", str(inbox))
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))
    yield inbox, secret
    sock.close()


def test_links_and_special_files_are_rejected_with_their_own_reason(linked_inbox: tuple[Path, Path]) -> None:
    inbox, _secret = linked_inbox
    opened: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    import sys

    sys.addaudithook(hook)  # audit hooks cannot be removed; this one only appends to a list
    _ingest("links")
    snapshot = list(opened)
    opened.clear()
    assert not any(Path(p).name == "secret.txt" or "outside" in p for p in snapshot)

    work = inbox.parent / "wh" / ".work" / "newswire.duckdb"
    with duckdb.connect(str(work), read_only=True) as con:
        inputs = dict(con.execute("select input_path, status from raw.inputs").fetchall())
        reasons = dict(con.execute("select input_path, reason_code from raw.rejections").fetchall())
        bodies = [r[0] for r in con.execute("select body from raw.articles").fetchall()]
    p = lambda name: str(inbox / name)  # noqa: E731
    assert reasons[p("out-abs.txt")] == "symlink_outside_inbox"
    assert reasons[p("out-rel.txt")] == "symlink_outside_inbox"
    assert reasons[p("sub/out-deep.txt")] == "symlink_outside_inbox"
    assert reasons[p("dangling.txt")] == "broken_symlink"
    assert reasons[p("loop.txt")] == "broken_symlink"
    assert reasons[p("pipe.txt")] == "special_file"
    assert reasons[p("sock.txt")] == "special_file"
    assert inputs[p("a.txt")] == "loaded"
    assert p("subdir-link") not in inputs
    assert inputs[p("inside.txt")] == "duplicate"
    for name in ("out-abs.txt", "out-rel.txt", "sub/out-deep.txt", "dangling.txt", "loop.txt", "pipe.txt", "sock.txt"):
        assert inputs[p(name)] == "rejected"
    assert reasons[p("outdir")] == "symlink_outside_inbox"  # recorded, not descended
    assert not any(path.startswith(p("outdir") + "/") for path in inputs)
    assert not any("TOP-SECRET" in body for body in bodies)

    # A second run records nothing twice.
    _ingest("links-again")
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute("select count(*) from raw.inputs where run_id = 'links-again'").fetchone()[0] == 0


def test_a_file_swapped_for_a_link_after_the_scan_is_not_followed(tmp_path: Path) -> None:
    """Time of check to time of use: the read itself refuses links and special files."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (inbox / "x.txt").write_text("harmless")
    (entry,) = inbox_fs.scan(inbox)
    (inbox / "x.txt").unlink()
    os.symlink(secret, inbox / "x.txt")
    with pytest.raises(inbox_fs.InboxRejection) as exc:
        inbox_fs.read_input(inbox, entry.read_rel, max_bytes=1 << 20)
    assert exc.value.reason_code == "symlink_outside_inbox"
    (inbox / "x.txt").unlink()
    os.mkfifo(inbox / "x.txt")  # opened non-blocking and refused by fstat: no hang
    with pytest.raises(inbox_fs.InboxRejection) as exc:
        inbox_fs.read_input(inbox, entry.read_rel, max_bytes=1 << 20)
    assert exc.value.reason_code == "special_file"
    # A parent directory swapped for a link is refused as well.
    (inbox / "d").mkdir()
    (inbox / "d" / "y.txt").write_text("harmless")
    entry = next(e for e in inbox_fs.scan(inbox) if e.rel == ("d", "y.txt"))
    shutil.rmtree(inbox / "d")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "y.txt").write_text(SECRET)
    os.symlink(tmp_path / "d", inbox / "d")
    with pytest.raises(inbox_fs.InboxRejection):
        inbox_fs.read_input(inbox, entry.read_rel, max_bytes=1 << 20)


def test_an_inbox_that_is_itself_a_link_is_scanned(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("hello")
    os.symlink(real, tmp_path / "inbox")
    entries = inbox_fs.scan(tmp_path / "inbox")
    assert [e.rel for e in entries] == [("a.txt",)]
    assert inbox_fs.read_input(tmp_path / "inbox", entries[0].read_rel, max_bytes=100)[0] == b"hello"
