"""The result type shared by every extraction path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ExtractedArticle:
    """One cleaned article: main text plus the metadata found around it.

    A single type for text dumps and HTML keeps the ingest code path-agnostic.
    """

    title: str | None
    body: str  # main text; paragraphs separated by "\n\n"
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    publisher: str | None = None
    wire_agency: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC
    published_date_source: str | None = None  # dateline | caption | meta | text | None
    language: str | None = None  # ISO 639-1
    url: str | None = None
