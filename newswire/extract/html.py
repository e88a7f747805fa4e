"""Main-text and metadata extraction from HTML pages via trafilatura.

trafilatura already handles DOM-level boilerplate well; on top of it we drop
the boilerplate lines our text-dump scorer recognises (appeals, share
prompts, agency bios) and take wire agency and dates from the page too.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from newswire.extract import metadata as md
from newswire.extract.fingerprint import normalise_line
from newswire.extract.lang import detect_language
from newswire.extract.model import ExtractedArticle
from newswire.extract.textdump import is_furniture_line

logger = logging.getLogger(__name__)

_WS_LINES = re.compile(r"\n{2,}")


def _parse_meta_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def _clean_paragraphs(paragraphs: list[str], title: str) -> list[str]:
    """Drop what trafilatura keeps around the story: repeated headline, byline, furniture lines."""
    title_key = normalise_line(title) if title else ""
    out: list[str] = []
    for i, para in enumerate(paragraphs):
        key = normalise_line(para)
        if not key:
            continue
        if i < 3 and title_key and key == title_key:
            continue
        if i < 4 and md.byline_author(para) and len(para.split()) <= 12:
            continue
        if is_furniture_line(para):
            continue
        out.append(para)
    return out


def extract_html(html: str, *, url: str | None = None) -> ExtractedArticle:
    """Extract an article from an HTML page.

    Body from trafilatura (tables kept, comments dropped); title, author,
    site name and date from its metadata (htmldate), language from the body.
    """
    import trafilatura

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception:  # pragma: no cover - malformed markup
        logger.warning("trafilatura failed on %s", url or "<html>", exc_info=True)
    if doc is None:
        return ExtractedArticle(title=None, body="", captions=[], url=url)
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    paragraphs = _clean_paragraphs(_paragraphs(text), (data.get("title") or "").strip())
    body = "\n\n".join(paragraphs)
    published = _parse_meta_date(data.get("date"))
    title = (data.get("title") or "").strip() or None
    sitename = (data.get("sitename") or "").strip() or None
    publisher = sitename or md.publisher_from_url(url or data.get("url"))
    agency = md.detect_wire_agency(paragraphs[:3] + paragraphs[-3:] + ([data.get("author") or ""]))
    author = (data.get("author") or "").strip() or None
    return ExtractedArticle(
        title=title,
        body=body,
        captions=[],
        author=author,
        publisher=publisher,
        wire_agency=agency,
        published_at=published,
        published_date_source="meta" if published is not None else None,
        language=detect_language(body) if body else None,
        url=url or data.get("url"),
    )
