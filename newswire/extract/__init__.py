"""Article extraction: main text, metadata and duplicates.

Public API used by the ingest code; see docs/extraction.md for the method and
measured quality.
"""

from __future__ import annotations

from newswire.extract.dedup import StoryClusterer, body_sha256, normalise_body
from newswire.extract.fingerprint import (
    line_fingerprint,
    shares_from_counts,
    template_counts,
    template_shares,
)
from newswire.extract.metadata import detect_publisher, publisher_key
from newswire.extract.model import ExtractedArticle
from newswire.extract.textdump import extract_text_dump


def extract_html(html: str, *, url: str | None = None) -> ExtractedArticle:
    """Extract an article from HTML (trafilatura plus post-processing)."""
    from newswire.extract.html import extract_html as _extract_html

    return _extract_html(html, url=url)


__all__ = [
    "ExtractedArticle",
    "StoryClusterer",
    "body_sha256",
    "detect_publisher",
    "extract_html",
    "extract_text_dump",
    "line_fingerprint",
    "normalise_body",
    "publisher_key",
    "shares_from_counts",
    "template_counts",
    "template_shares",
]
