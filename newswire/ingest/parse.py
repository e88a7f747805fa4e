"""Parse one input file into article rows and rejection rows.

The parse step never raises for bad input: whatever goes wrong becomes a
rejection with a reason code and a readable reason, and the input file itself is
only ever read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newswire.ingest import warc
from newswire.ingest.decode import DecodeError, read_input_bytes

log = logging.getLogger(__name__)

PARSER_VERSION = "1"

_TEXT_EXT = {".txt", ".text", ".md", ""}
_HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
_JSON_EXT = {".json"}
_JSONL_EXT = {".jsonl", ".ndjson"}

#: Fields of a JSON article record; see README "Input formats".
JSON_FIELDS = ("url", "title", "text", "published", "source")
_TOO_DEEP = "JSON nested too deeply to be an article record"


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_article_id(input_sha256: str, item_no: int) -> str:
    """Stable id: the same input content gives the same ids on every run."""
    return hashlib.sha256(f"{input_sha256}:{item_no}".encode()).hexdigest()[:16]


def detect_format(path: Path, text: str) -> str:
    """Return text | html | json | jsonl | warc, from the name first and the content second."""
    if warc.is_warc_name(path.name):
        return "warc"
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = Path(name).suffix
    if ext in _HTML_EXT:
        return "html"
    if ext in _JSONL_EXT:
        return "jsonl"
    if ext in _JSON_EXT:
        return "json"
    head = text.lstrip()[:512].lower()
    if ext not in _TEXT_EXT:
        if head.startswith(("{", "[")):
            return "jsonl" if "\n{" in text.strip() and head.startswith("{") else "json"
        if head.startswith(("<!doctype html", "<html")) or "<body" in head:
            return "html"
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


@dataclass
class ParseResult:
    """What one input produced: its articles, its rejections and its format."""

    input_sha256: str
    input_path: str
    size_bytes: int
    detected_format: str | None = None
    articles: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    #: Items skipped by design, not rejected (WARC requests, redirects, images, ...).
    items_skipped: int = 0

    def reject(self, reason_code: str, reason: str, item_no: int | None = None) -> None:
        self.rejections.append(
            {
                "input_sha256": self.input_sha256,
                "input_path": self.input_path,
                "item_no": item_no,
                "reason_code": reason_code,
                "reason": reason,
            }
        )

    @property
    def status(self) -> str:
        if self.articles and self.rejections:
            return "partial"
        return "loaded" if self.articles else "rejected"


def _parse_datetime(value: Any) -> datetime | None:
    """Parse a JSON `published` value into an aware UTC datetime, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    import dateparser  # imported lazily: slow to import, rarely needed

    parsed = dateparser.parse(str(value), settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True})
    return parsed.astimezone(UTC) if parsed else None


def _word_count(text: str) -> int:
    return len(text.split())


class InputParser:
    """Parses inputs with one set of limits; holds no state between inputs."""

    def __init__(
        self, *, max_input_bytes: int, max_article_chars: int, min_body_words: int, min_record_words: int | None = None
    ) -> None:
        self.max_input_bytes = max_input_bytes
        self.max_article_chars = max_article_chars
        #: Floor for text we extracted from a page: below it, extraction found no article.
        self.min_body_words = min_body_words
        #: Floor for a JSON record's given `text`: a headline or lead is a whole report.
        self.min_record_words = min_body_words if min_record_words is None else min_record_words

    def parse_file(
        self,
        path: Path,
        *,
        template_counts: Mapping[str, Mapping[str, float]] | None = None,
    ) -> ParseResult:
        """Read `path` (never modifying it, never following a link) and parse it into rows."""
        from newswire.ingest.inbox import InboxRejection, read_input

        if warc.is_warc_name(path.name):
            return self._parse_warc_file(path, template_counts)
        try:
            data, sha, size = read_input(path.parent, (path.name,), max_bytes=self.max_input_bytes)
        except InboxRejection as exc:
            result = ParseResult(input_sha256="", input_path=str(path), size_bytes=0)
            result.reject(exc.reason_code, exc.reason)
            return result
        return self.parse_bytes(data, path, template_counts=template_counts, input_sha256=sha, size_bytes=size)

    def parse_bytes(
        self,
        data: bytes,
        path: Path,
        *,
        template_counts: Mapping[str, Mapping[str, float]] | None = None,
        input_sha256: str | None = None,
        size_bytes: int | None = None,
    ) -> ParseResult:
        """Parse an input's bytes; `input_sha256`/`size_bytes` describe the whole file when
        `data` was cut short at the size limit."""
        result = ParseResult(
            input_sha256=input_sha256 or file_sha256(data),
            input_path=str(path),
            size_bytes=len(data) if size_bytes is None else size_bytes,
        )
        if size_bytes is not None and size_bytes > self.max_input_bytes:
            result.reject("too_large", f"{size_bytes} bytes exceeds the {self.max_input_bytes}-byte limit")
            return result
        if data and (warc.is_warc_name(path.name) or warc.looks_like_warc(data)):
            import io

            result.detected_format = "warc"
            self._parse_warc(io.BytesIO(data), result, template_counts)
            return result
        try:
            decoded = read_input_bytes(data, max_bytes=self.max_input_bytes)
        except DecodeError as exc:
            result.reject(exc.reason_code, exc.reason)
            return result
        fmt = detect_format(path, decoded.text)
        result.detected_format = fmt
        try:
            if fmt in ("json", "jsonl"):
                self._parse_json(decoded.text, fmt, result)
            elif fmt == "html":
                self._add_extracted(result, 0, "html", decoded.text, None, template_counts)
            else:
                self._add_extracted(result, 0, "text", decoded.text, None, template_counts)
        except Exception as exc:
            log.exception("parser failed on %s", path)
            result.reject("parser_error", f"{type(exc).__name__}: {exc}")
        return result

    # -- formats ---------------------------------------------------------------------------

    def _parse_warc_file(
        self, path: Path, template_counts: Mapping[str, Mapping[str, float]] | None
    ) -> ParseResult:
        """Stream a WARC from disk: archives are far larger than single-article inputs, so
        the whole-file size limit does not apply; each HTML payload is held to it instead."""
        from newswire.ingest.inbox import InboxRejection, open_nofollow

        try:
            with os.fdopen(open_nofollow(path.parent, (path.name,)), "rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
                size = fh.tell()
                result = ParseResult(input_sha256=digest, input_path=str(path), size_bytes=size, detected_format="warc")
                if not size:
                    result.reject("empty_file", "the file is empty")
                    return result
                self._parse_warc(fh, result, template_counts)
        except InboxRejection as exc:
            result = ParseResult(input_sha256="", input_path=str(path), size_bytes=0)
            result.reject(exc.reason_code, exc.reason)
        except OSError as exc:
            result = ParseResult(input_sha256="", input_path=str(path), size_bytes=0)
            result.reject("unreadable_file", f"cannot read the file: {exc.strerror or exc}")
        return result

    def _parse_warc(
        self, fh: Any, result: ParseResult, template_counts: Mapping[str, Mapping[str, float]] | None
    ) -> None:
        stats = warc.WarcStats()
        for item in warc.iter_warc(fh, max_payload_bytes=self.max_input_bytes, stats=stats):
            if isinstance(item, warc.WarcFailure):
                result.reject(item.reason_code, item.reason, item.record_no)
                continue
            try:
                self._add_extracted(
                    result, item.record_no, "warc", item.html, item.url, template_counts, item.captured_at
                )
            except Exception as exc:  # one page's extractor failure must not lose the archive
                log.exception("parser failed on %s record %d", result.input_path, item.record_no)
                result.reject("parser_error", f"{type(exc).__name__}: {exc}", item.record_no)
        result.items_skipped = stats.items_skipped
        log.info("%s: %s; %d articles, %d rejected",
                 result.input_path, stats.describe(), len(result.articles), len(result.rejections))
        if not result.articles and not result.rejections:
            result.reject("no_html_records", f"no HTML response in the archive ({stats.describe()})")

    def _parse_json(self, text: str, fmt: str, result: ParseResult) -> None:
        records: list[tuple[int, Any]] = []
        if fmt == "json":
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                result.reject("malformed_json", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
                return
            except RecursionError:
                result.reject("malformed_json", _TOO_DEEP)
                return
            items = doc if isinstance(doc, list) else [doc]
            records = list(enumerate(items))
        else:
            for line_no, line in enumerate(text.split("\n"), start=1):
                if not line.strip():
                    continue
                try:
                    records.append((line_no, json.loads(line)))
                except json.JSONDecodeError as exc:
                    result.reject(
                        "malformed_json", f"line {line_no}: invalid JSON at column {exc.colno}: {exc.msg}", line_no
                    )
                except RecursionError:
                    result.reject("malformed_json", f"line {line_no}: {_TOO_DEEP}", line_no)
        for item_no, record in records:
            self._add_json_record(result, item_no, record)

    def _add_json_record(self, result: ParseResult, item_no: int, record: Any) -> None:
        if not isinstance(record, dict):
            result.reject("malformed_record", f"expected a JSON object, got {type(record).__name__}", item_no)
            return
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            result.reject("missing_text", "the record has no non-empty 'text' field", item_no)
            return
        try:
            published = _parse_datetime(record.get("published"))
        except (ValueError, OverflowError, OSError):
            published = None
        if record.get("published") not in (None, "") and published is None:
            log.warning("%s item %s: unparseable 'published' %r", result.input_path, item_no, record.get("published"))
        title = record.get("title") if isinstance(record.get("title"), str) else None
        self._append(
            result,
            item_no,
            "json",
            url=record.get("url") if isinstance(record.get("url"), str) else None,
            title=title.strip() if title else None,
            body=body.strip(),
            captions=[],
            author=record.get("author") if isinstance(record.get("author"), str) else None,
            publisher=record.get("source") if isinstance(record.get("source"), str) else None,
            wire_agency=record.get("wire_agency") if isinstance(record.get("wire_agency"), str) else None,
            published_at=published,
            published_date_source="json" if published else None,
            language=record.get("language") if isinstance(record.get("language"), str) else None,
        )

    def _add_extracted(
        self,
        result: ParseResult,
        item_no: int,
        fmt: str,
        text: str,
        url: str | None,
        template_counts: Mapping[str, Mapping[str, float]] | None,
        captured_at: datetime | None = None,
    ) -> None:
        """Extract one page. `captured_at` (a WARC-Date) dates pages that carry no date."""
        from newswire import extract

        if fmt in ("html", "warc"):
            art = extract.extract_html(text, url=url)
        else:
            # The publisher is known before extraction, so its cross-document template
            # statistics (lines frequent across its earlier pages) can inform it.
            publisher = extract.detect_publisher(text, url)
            stats = (template_counts or {}).get(publisher or "") or None
            art = extract.extract_text_dump(text, url=url, template_counts=stats)
        if not art.body or not art.body.strip():
            result.reject("no_article_text", "no article body could be extracted", item_no)
            return
        self._append(
            result,
            item_no,
            fmt,
            url=art.url or url,
            title=art.title,
            body=art.body.strip(),
            captions=list(art.captions or []),
            author=art.author,
            publisher=art.publisher,
            wire_agency=art.wire_agency,
            published_at=art.published_at or captured_at,
            published_date_source=art.published_date_source if art.published_at else (
                "warc_date" if captured_at else None
            ),
            language=art.language,
        )

    def _append(self, result: ParseResult, item_no: int, fmt: str, **fields: Any) -> None:
        from newswire import extract

        body: str = fields["body"]
        words = _word_count(body)
        floor = self.min_record_words if fmt == "json" else self.min_body_words
        if words < floor:
            kind = "record text" if fmt == "json" else "extracted body"
            result.reject("body_too_short", f"{kind} has {words} words, fewer than the minimum {floor}", item_no)
            return
        if len(body) > self.max_article_chars:
            result.reject(
                "body_too_long", f"body has {len(body)} characters, more than {self.max_article_chars}", item_no
            )
            return
        if fields.get("language") is None:
            from newswire.extract.lang import detect_language

            fields["language"] = detect_language(body)
        published = fields.get("published_at")
        if published is not None and published.tzinfo is None:
            fields["published_at"] = published.replace(tzinfo=UTC)
        result.articles.append(
            {
                "article_id": make_article_id(result.input_sha256, item_no),
                "input_sha256": result.input_sha256,
                "input_path": result.input_path,
                "item_no": item_no,
                "source_format": fmt,
                **fields,
                "word_count": words,
                "body_sha256": extract.body_sha256(body),
                "story_cluster_id": None,  # assigned at load time, against the whole warehouse
                "parser_version": PARSER_VERSION,
            }
        )
