"""Read web archives (WARC, e.g. CC-NEWS) as a stream of HTML pages.

A WARC file holds many records: HTTP responses, but also requests, metadata,
redirects, error pages, images and PDFs. Each HTML response (status 2xx) becomes
one input item, carrying the record's target URI and WARC-Date. Everything else is
skipped and counted by kind. A record that cannot be parsed is reported as
malformed, and reading carries on at the next record boundary, so one bad record
never loses the rest of the file.

Parsing is warcio's (the Webrecorder project's streaming reader). Resynchronising after
a malformed record is hand-written here because warcio stops at the first bad
record: we search forward for the next gzip member (for .warc.gz) or the next
``WARC/1.x`` version line (for .warc) and start a fresh iterator there.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

log = logging.getLogger(__name__)

_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_LINE = (b"WARC/1.0\r\n", b"WARC/1.1\r\n", b"WARC/1.0\n", b"WARC/1.1\n")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SCAN_CHUNK = 1 << 20

#: Skip reasons counted per file (see README "Input formats").
SKIP_KINDS = ("not_response", "not_html", "redirect", "http_error")


def looks_like_warc(data: bytes) -> bool:
    """True when the bytes (gzipped or not) begin with a WARC version line."""
    head = data[:8192]
    if head.startswith(_GZIP_MEMBER):
        import zlib

        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith((b"WARC/1.0", b"WARC/1.1"))


def is_warc_name(name: str) -> bool:
    """True for *.warc and *.warc.gz (case-insensitive)."""
    lower = name.lower()
    return lower.endswith((".warc", ".warc.gz"))


@dataclass(frozen=True)
class WarcPage:
    """One HTML response record: its position, URI, capture date and decoded page."""

    record_no: int
    url: str | None
    captured_at: datetime | None
    html: str


@dataclass(frozen=True)
class WarcFailure:
    """A record that could not be read; reading resumed at the next record."""

    record_no: int
    reason_code: str
    reason: str


@dataclass
class WarcStats:
    """What a WARC file held: records read, skipped by kind, failed."""

    records: int = 0
    skipped: Counter = field(default_factory=Counter)

    @property
    def items_skipped(self) -> int:
        return sum(self.skipped.values())

    def describe(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        return f"{self.records} records, skipped: {kinds}"


def _parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _decode_html(payload: bytes, content_type: str) -> str:
    """Decode with the HTTP charset when it names a known codec, else as decode.py does."""
    from newswire.ingest.decode import decode_text

    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return payload.decode(value.strip("\"' "), errors="replace")
            except LookupError:
                break
    return decode_text(payload)[0]


def _next_boundary(fh: BinaryIO, start: int, gzipped: bool) -> int | None:
    """Offset of the next record start at or after `start`, or None at end of file."""
    markers = (_GZIP_MEMBER,) if gzipped else _WARC_LINE
    overlap = max(len(m) for m in markers)
    pos = start
    while True:
        fh.seek(pos)
        chunk = fh.read(_SCAN_CHUNK)
        if not chunk:
            return None
        # Not only at line starts: a truncated record usually ends mid-line.
        hits = [i for i in (chunk.find(m) for m in markers) if i >= 0]
        if hits:
            return pos + min(hits)
        if len(chunk) < _SCAN_CHUNK:
            return None
        pos += len(chunk) - overlap


def _is_gzipped(fh: BinaryIO) -> bool:
    fh.seek(0)
    head = fh.read(3)
    fh.seek(0)
    return head == _GZIP_MEMBER


class _QuietArchiveIterator:
    """warcio's WARC-only iterator (no ARC guessing, which would misread garbage as an ARC
    header), without its stderr note on a bad Content-Length (we report that ourselves)."""

    def __new__(cls, fh: BinaryIO):  # type: ignore[no-untyped-def]
        from warcio.archiveiterator import WARCIterator

        it = WARCIterator(fh, ensure_http_headers=False)
        it.INC_RECORD = ""  # the note goes to sys.stderr directly; a rejection row says it instead
        return it


def iter_warc(
    fh: BinaryIO, *, max_payload_bytes: int, stats: WarcStats | None = None
) -> Iterator[WarcPage | WarcFailure]:
    """Yield each HTML response as a WarcPage and each unreadable record as a WarcFailure.

    `fh` must be seekable (a file opened "rb" or BytesIO). Skipped records are
    counted in `stats`. Record numbers count from 1 in file order, including
    skipped and failed records, so they are stable for a given file.
    """
    stats = stats if stats is not None else WarcStats()
    gzipped = _is_gzipped(fh)
    start = 0
    record_no = 0
    while True:
        fh.seek(start)
        records = _QuietArchiveIterator(fh)
        numbered = False  # whether the record being read already has its number
        try:
            for record in records:
                record_no += 1
                numbered = True
                stats.records += 1
                errors_before = records.err_count
                page = _page(record, record_no, max_payload_bytes, stats)
                # Drain the record so the iterator knows where it ends.
                records.read_to_end()
                problem = _length_problem(record, records.err_count > errors_before)
                if problem:
                    # Its declared length is wrong, so where it ends (and the next
                    # record starts) is unknown: report it, then search from its start.
                    start = records.get_record_offset()
                    page = WarcFailure(record_no, "malformed_warc_record", f"record at byte {start}: {problem}")
                    break
                start = records.get_record_offset() + records.get_record_length()
                numbered = False
                if page is not None:
                    yield page
            else:
                if not _unread_data(fh, start):
                    return
                # The reader stopped early (e.g. a truncated gzip member swallowed the next).
                record_no += 1
                stats.records += 1
                page = WarcFailure(record_no, "malformed_warc_record", f"unreadable data from byte {start}")
        except Exception as exc:  # noqa: BLE001 - any parse failure is one malformed record
            if not numbered:
                record_no += 1
                stats.records += 1
            page = WarcFailure(record_no, "malformed_warc_record", f"record at byte {start}: {_brief(exc)}")
        finally:
            records.close()
        log.warning("WARC record %d: %s", record_no, page.reason)
        yield page
        resume_at = _next_boundary(fh, start + 1, gzipped)
        if resume_at is None:
            return
        start = resume_at


def _unread_data(fh: BinaryIO, start: int) -> bool:
    """True when something other than blank lines follows the last record read."""
    fh.seek(start)
    while chunk := fh.read(_SCAN_CHUNK):
        if chunk.strip():
            return True
    return False


def _length_problem(record: object, misaligned: bool) -> str | None:
    """Why a drained record's Content-Length cannot be right, or None."""
    left = getattr(getattr(record, "raw_stream", None), "limit", 0) or 0
    if left > 0:
        return f"truncated: {left} bytes short of its Content-Length"
    if misaligned:
        return "its Content-Length does not end where the next record starts"
    return None


def _brief(exc: Exception) -> str:
    """One printable line: warcio quotes the offending bytes, which may be binary."""
    text = "".join(c if " " <= c <= "~" else "?" for c in " ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _page(record: object, record_no: int, max_payload_bytes: int, stats: WarcStats) -> WarcPage | WarcFailure | None:
    rec_type = getattr(record, "rec_type", None)
    headers = record.rec_headers  # type: ignore[attr-defined]
    missing = [h for h in ("WARC-Type", "WARC-Record-ID") if not headers.get_header(h)]
    if missing:
        # warcio reads a header block leniently; a record without these is not a record.
        return WarcFailure(record_no, "malformed_warc_record", f"record lacks {' and '.join(missing)}")
    http = getattr(record, "http_headers", None)
    if rec_type != "response" or http is None:
        stats.skipped["not_response"] += 1
        return None
    status = http.get_statuscode() or ""
    if status.startswith("3"):
        stats.skipped["redirect"] += 1
        return None
    if not status.startswith("2"):
        stats.skipped["http_error"] += 1
        return None
    content_type = (http.get_header("Content-Type") or "").lower()
    if content_type.split(";")[0].strip() not in _HTML_TYPES:
        stats.skipped["not_html"] += 1
        return None
    payload = record.content_stream().read(max_payload_bytes + 1)  # type: ignore[attr-defined]
    if len(payload) > max_payload_bytes:
        return WarcFailure(record_no, "too_large", f"HTML payload exceeds the {max_payload_bytes}-byte limit")
    return WarcPage(
        record_no=record_no,
        url=headers.get_header("WARC-Target-URI"),
        captured_at=_parse_warc_date(headers.get_header("WARC-Date")),
        html=_decode_html(payload, content_type),
    )
