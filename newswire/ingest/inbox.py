"""The inbox scan and the only way an input file is opened.

An inbox is often a shared drop folder, so nothing in it is trusted:

* The scan walks the tree with ``lstat`` semantics (``os.scandir`` with
  ``follow_symlinks=False``) and never descends into a linked directory.
* A symbolic link whose target resolves outside the inbox, or does not resolve at
  all, is an input of its own that is rejected (``symlink_outside_inbox``,
  ``broken_symlink``) without its target ever being opened.
* A link that resolves to a regular file inside the inbox is read as that file:
  its content is then normally the same as its target's and is recorded as a
  duplicate input. A link to a directory is not followed (the directory is
  scanned under its own name anyway).
* FIFOs, sockets and devices are inputs that are rejected (``special_file``)
  without being opened: opening a FIFO for reading blocks until a writer comes.

Reading is done by :func:`read_input`, which opens every path component relative
to a descriptor of the inbox with ``O_NOFOLLOW`` (and ``O_NONBLOCK``, then checks
``fstat``), so a file swapped for a link or a FIFO between the scan and the read
(time-of-check to time-of-use) is refused rather than followed.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Names the scan ignores: hidden files and editors' or uploaders' temporaries.
IGNORED_PREFIXES = (".", "~", "_tmp")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp")

_CHUNK = 1 << 20


class InboxRejection(Exception):
    """An inbox entry that is not read; carries the reason code for its rejection row."""

    def __init__(self, reason_code: str, reason: str) -> None:
        super().__init__(reason)
        self.reason_code = reason_code
        self.reason = reason


@dataclass(frozen=True)
class InboxEntry:
    """One input found by the scan.

    ``rel`` is the entry's own path under the inbox (what ``raw.inputs`` records);
    ``read_rel`` is what is opened (the target, for a link inside the inbox);
    ``rejection`` is set for entries that are never opened.
    """

    path: Path
    rel: tuple[str, ...]
    read_rel: tuple[str, ...] | None
    rejection: InboxRejection | None = None


def _special_kind(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return None


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES)


def _classify_link(root: Path, path: Path, rel: tuple[str, ...]) -> InboxEntry | None:
    """Decide what a symbolic link is, from path strings only: its target is never opened."""
    try:
        target = os.readlink(path)
    except OSError as exc:
        return InboxEntry(path, rel, None, InboxRejection("broken_symlink", f"unreadable link: {exc.strerror}"))
    resolved = Path(os.path.realpath(path))
    try:
        inner = resolved.relative_to(root)
    except ValueError:
        return InboxEntry(
            path,
            rel,
            None,
            InboxRejection(
                "symlink_outside_inbox", f"symbolic link to {target!r} resolves outside the inbox; not followed"
            ),
        )
    try:
        st = os.lstat(resolved)
    except OSError:
        return InboxEntry(
            path, rel, None, InboxRejection("broken_symlink", f"symbolic link to {target!r} points at nothing")
        )
    if stat.S_ISLNK(st.st_mode):
        return InboxEntry(path, rel, None, InboxRejection("broken_symlink", f"symbolic link to {target!r} loops"))
    if stat.S_ISDIR(st.st_mode):
        log.info("inbox: not following directory link %s (its target is scanned in place)", path)
        return None
    kind = _special_kind(st.st_mode)
    if kind:
        return InboxEntry(
            path, rel, None, InboxRejection("special_file", f"symbolic link to {kind}; not opened")
        )
    return InboxEntry(path, rel, inner.parts)


def scan(inbox: Path) -> list[InboxEntry]:
    """Every input under `inbox` (regular files, links, special files), sorted by path."""
    root = Path(os.path.realpath(inbox))
    if not root.is_dir():
        log.warning("inbox %s does not exist or is not a directory", inbox)
        return []
    found: list[InboxEntry] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("inbox: cannot list %s: %s", folder, exc)
            continue
        for entry in entries:
            if _ignored(entry.name):
                continue
            rel = (*prefix, entry.name)
            path = root.joinpath(*rel)
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                found.append(InboxEntry(path, rel, None, InboxRejection("unreadable_file", str(exc))))
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append((path, rel))
            elif stat.S_ISLNK(st.st_mode):
                classified = _classify_link(root, path, rel)
                if classified is not None:
                    found.append(classified)
            elif stat.S_ISREG(st.st_mode):
                found.append(InboxEntry(path, rel, rel))
            else:
                kind = _special_kind(st.st_mode) or f"a special file (mode {st.st_mode:o})"
                found.append(InboxEntry(path, rel, None, InboxRejection("special_file", f"{kind}; not opened")))
    return sorted(found, key=lambda e: e.rel)


def _open_nofollow(inbox: Path, rel: tuple[str, ...]) -> int:
    """Open inbox/rel for reading without following any link on the way; return the fd."""
    if not rel:
        raise InboxRejection("unreadable_file", "empty path")
    base = os.open(os.path.realpath(inbox), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in rel[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=base)
            os.close(base)
            base = nxt
        return os.open(rel[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=base)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise InboxRejection(
                "symlink_outside_inbox", "the path became a symbolic link after the scan; not followed"
            ) from exc
        raise InboxRejection("unreadable_file", f"cannot open the file: {exc.strerror or exc}") from exc
    finally:
        os.close(base)


def read_input(inbox: Path, rel: tuple[str, ...] | list[str], *, max_bytes: int) -> tuple[bytes, str, int]:
    """Read one regular file under the inbox: (data, sha256 of the whole file, size).

    Reads at most `max_bytes` + 1 bytes into memory (the hash still covers the whole
    file), so an oversized file is recognisable without exhausting memory.
    """
    fd = _open_nofollow(inbox, tuple(rel))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _special_kind(st.st_mode) or "not a regular file"
            raise InboxRejection("special_file", f"{kind}; not read")
        digest = hashlib.sha256()
        kept = bytearray()
        size = 0
        with os.fdopen(fd, "rb", closefd=False) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if len(kept) <= max_bytes:
                    kept.extend(chunk[: max_bytes + 1 - len(kept)])
        return bytes(kept), digest.hexdigest(), size
    except OSError as exc:
        raise InboxRejection("unreadable_file", f"cannot read the file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def open_nofollow(inbox: Path, rel: tuple[str, ...]) -> int:
    """Public form of the no-follow open, for readers that stream a file (WARC archives)."""
    return _open_nofollow(inbox, rel)
